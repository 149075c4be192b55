/*
 * cli/ — the only module that combines the others, prints, and chooses
 * exit codes. main() parses the command line and dispatches to one function
 * per command, each a straight line from input to output.
 */
#ifndef WP_CLI_H
#define WP_CLI_H

#include "udev.h"
#include "wipe.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes: documented in README.md and `wipeproof --help`. */
enum wp_exit {
	WP_EXIT_OK = 0,          /* done; for wipe: sanitized (or unverified on request) */
	WP_EXIT_FAILED = 1,      /* the operation failed: I/O error, could not finish */
	WP_EXIT_USAGE = 2,       /* bad command line, or a path that is not a whole disk */
	WP_EXIT_REFUSED = 3,     /* refused for safety: protected disk, serial not confirmed */
	WP_EXIT_MISMATCH = 4,    /* verification found data that is not the wipe pattern */
	WP_EXIT_INTERRUPTED = 5, /* stopped by SIGINT/SIGTERM; the report says where */
};

enum wp_command {
	WP_CMD_NONE,
	WP_CMD_HELP,
	WP_CMD_VERSION,
	WP_CMD_LIST,
	WP_CMD_WIPE,
	WP_CMD_VERIFY,
	WP_CMD_DEMO,
};

#define WP_MAX_DEVICES 1

struct wp_cmdline {
	enum wp_command cmd;
	const char *help_topic;      /* `wipeproof help wipe`, `wipe --help` */
	bool json;
	size_t n_devices;
	const char *devices[WP_MAX_DEVICES];
	const char *method;          /* NULL: the default method */
	enum wp_verify_mode verify_mode;
	bool verify_set;
	const char *confirm_serial;  /* NULL: ask on the terminal */
	const char *report_path;
	bool force_holders;
	size_t chunk_bytes;          /* 0: engine default */
	unsigned demo_size_mib;
};

#define WP_DEFAULT_METHOD "random"
#define WP_DEFAULT_DEMO_MIB 64

/* Parse argv. Returns 0, or -1 with a message naming the offending
 * argument and what to do (exit code WP_EXIT_USAGE). */
int wp_cmdline_parse(int argc, char **argv, struct wp_cmdline *out,
		     char *err, size_t errlen);

void wp_usage(FILE *out, const char *topic);

int wp_cmd_list(const struct wp_cmdline *cl);
int wp_cmd_wipe(const struct wp_cmdline *cl);
int wp_cmd_verify(const struct wp_cmdline *cl);
int wp_cmd_demo(const struct wp_cmdline *cl);

/* ---- shared by the commands ------------------------------------------- */

/* One whole-disk wipe from probe to report; `wipe` and `demo` both use it.
 * Prints progress and refusals; returns a wp_exit code. */
struct wp_wipe_request {
	const char *device;
	const char *method;
	enum wp_verify_mode verify_mode;
	const char *confirm_serial;
	bool force_holders;
	bool json;
	size_t chunk_bytes;
	const char *report_path;     /* may be NULL */
};
int wp_wipe_one(const struct wp_wipe_request *req, struct wp_job *job);

/* Exit code for a finished job. */
int wp_exit_for_result(enum wp_result result);

json_t *wp_device_to_json(const struct wp_device *dev);
void wp_print_device_table(FILE *out, const struct wp_device_list *list);

/* SIGINT/SIGTERM set the flag; the engine stops between chunks. */
extern volatile sig_atomic_t wp_stop_flag;
void wp_signals_install(void);

/* Progress: a bar on a terminal, JSON lines with --json, else quiet. */
struct wp_progress_view {
	const char *device;
	bool json;
	bool tty;
	double last_json;
	bool bar_open;               /* a \r line is on the terminal */
};
void wp_progress_view_init(struct wp_progress_view *view, const char *device,
			   bool json);
void wp_progress_print(const struct wp_progress *p, void *view);
/* End a half-drawn bar line before other output. */
void wp_progress_view_end(struct wp_progress_view *view);

#endif
