/*
 * cli/ — the only module that combines the others, prints, and chooses
 * exit codes. main() parses the command line and dispatches to one function
 * per command, each a straight line from input to output.
 */
#ifndef WP_CLI_H
#define WP_CLI_H

#include "firmware.h"
#include "udev.h"
#include "wipe.h"
#include "station.h"

#include <pthread.h>
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
	WP_CMD_PLAN,
};

/* Drives one `wipe` runs at once; each has its own threads and at most
 * WP_MAX_RING_BYTES of buffers. */
#define WP_MAX_DEVICES 32

struct wp_cmdline {
	enum wp_command cmd;
	const char *help_topic;      /* `wipeproof help wipe`, `wipe --help` */
	bool json;
	size_t n_devices;
	const char *devices[WP_MAX_DEVICES];
	const char *method;          /* NULL: the plan's method */
	enum wp_level level;         /* --level; WP_LEVEL_BEST when not given */
	bool remove_hpa;             /* --remove-hpa: restore the native max first */
	enum wp_verify_mode verify_mode;
	bool verify_set;
	/* Given once per device, in the order of the devices. */
	size_t n_confirm;
	const char *confirm_serials[WP_MAX_DEVICES]; /* none: ask on the terminal */
	size_t n_reports;
	const char *report_paths[WP_MAX_DEVICES];
	size_t n_assets;
	const char *assets[WP_MAX_DEVICES];
	const char *report_dir;      /* a report per device, named by serial and job */
	const char *as_person;       /* custody: who records the wipe */
	const char *ledger_path;
	const char *keys_dir;
	const char *passphrase_file;
	const char *confidentiality; /* plan: the class whose minimum the plan must reach */
	bool force_holders;
	size_t chunk_bytes;          /* 0: engine default */
	size_t queue_depth;          /* 0: engine default */
	bool no_report;              /* --no-report: keep no job report */
	unsigned demo_size_mib;
};

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
int wp_cmd_plan(const struct wp_cmdline *cl);

/* ---- shared by the commands ------------------------------------------- */

/* The station's configuration, resolved once (config.c: flag, then
 * environment, then /etc/wipeproof/config, then the default). The
 * accessors give a command's flag when it was given, else the setting. */
const struct wp_station_config *wp_cli_config(void);
void wp_cli_config_with(struct wp_station_config *out, const char *ledger, const char *keys,
			const char *as);
const char *wp_cli_ledger(const char *option);
const char *wp_cli_keys(const char *option);
/* NULL when no person is given or configured. */
const char *wp_cli_operator(const char *option);
/* Old names of wp_cli_ledger / wp_cli_keys (they were custody's and certs'
 * and read the environment), kept for code written against them. */
const char *wp_ledger_path_resolve(const char *option);
const char *wp_keys_dir_resolve(const char *option);

/* A station status (station.h) as the documented exit code. */
int wp_exit_for_status(int status);
/* The station's hooks for a command run from the terminal: refusals and
 * warnings on stderr (wipe's refusals translated), the serial asked on
 * the terminal, progress on a board; ctx is a struct wp_cli_run. */
struct wp_cli_run {
	struct wp_board *board;     /* may be NULL */
	bool board_finished;
	bool finished_any;          /* a drive finished: the batch ran */
	bool json;
	bool summary;               /* print the one drive's summary when finished */
	size_t n;
};
void wp_cli_hooks(struct wp_station_hooks *h, struct wp_cli_run *run);
/* The summary of one finished wipe (wipe_front.c). */
void wp_wipe_print_summary(const struct wp_job *job, const char *report_path);

/* What applies to every device of one wipe command. */
struct wp_wipe_options {
	const char *method;          /* NULL: follow the plan */
	enum wp_level level;
	bool remove_hpa;
	enum wp_verify_mode verify_mode;
	bool force_holders;
	bool json;
	size_t chunk_bytes;
	size_t queue_depth;
	const char *report_dir;
	bool make_report_dir;        /* report_dir is created once every check passed */
	const char *as_person;
	const char *ledger_path;
	const char *keys_dir;
	const char *passphrase_file;
	/* NULL: the certificate needs a validator's second signature (cert
	 * validate); else why one signature is enough (station policy) */
	const char *single_signature;
};

/*
 * Wipe N devices concurrently, from probe to report. Every device is
 * probed, guarded, confirmed and opened exclusively before any is written;
 * one refusal refuses them all. Then each runs on its own thread; one
 * failing never stops the others. Prints progress, refusals and the
 * summary; fills jobs[i]; returns the wp_exit code (the worst drive's).
 */
int wp_cli_wipe_batch(const struct wp_wipe_request *reqs, size_t n,
		      const struct wp_wipe_options *opts, struct wp_job *jobs);

/* Re-read DEVICE against the final pass of the wipe in REPORT, with a
 * progress line, and print the outcome (cmd_verify.c): what `verify`
 * does, also run by `demo`. A wp_exit code. */
struct wp_cli_reread_request {
	const char *device, *report;
	enum wp_verify_mode mode;
	bool json;
	size_t chunk_bytes, queue_depth;
};
int wp_cli_reread(const struct wp_cli_reread_request *rq);

/* The custody steps of `demo` (demo_custody.c): the keys and custody
 * commands an operator would type, run as this program in a child
 * process; wp_exit codes. */
#define WP_DEMO_OPERATOR "鈴木 一郎"
#define WP_DEMO_APPROVER "山田 太郎"
struct wp_demo_custody {
	const char *keys_dir;
	const char *ledger;
	const char *asset;
};
/* CA, an operator and an approver; intake of DEVICE, request, approve. */
int wp_demo_custody_before(const struct wp_demo_custody *c, const char *device);
/* release lease-return, then custody show and custody verify. */
int wp_demo_custody_after(const struct wp_demo_custody *c);
/* The certificate the wipe issued into DIR: shown, rendered, verified as
 * an auditor would (signature, ledger, DEVICE, the QR from the page), and
 * the PDF copied to WP_DEMO_CERT_COPY (demo_cert.c). */
#define WP_DEMO_CERT_COPY "/tmp/wipeproof-demo-certificate.pdf"
int wp_demo_certificate(const struct wp_demo_custody *c, const char *dir, const char *device);

/* Exit code for a finished job's result. */
int wp_exit_for_result(enum wp_result result);

json_t *wp_device_to_json(const struct wp_device *dev);
void wp_print_device_table(FILE *out, const struct wp_device_list *list);

/* SIGINT/SIGTERM set the flag; the engine stops between chunks. */
extern volatile sig_atomic_t wp_stop_flag;
void wp_signals_install(void);

/* Progress for one or many drives: rows on a terminal, JSON lines with
 * --json, else quiet. Drive threads report through wp_board_progress with
 * their row as the context. */
struct wp_board;
struct wp_board_row {
	struct wp_board *board;
	const char *device;
	struct wp_progress last;
	bool have;
	char state[16];              /* the result once the drive is done */
	double last_json;
};
struct wp_board {
	pthread_mutex_t lock;
	bool json;
	bool tty;
	size_t n;
	size_t drawn;                /* rows on the terminal to draw over */
	double last_draw;
	struct wp_board_row rows[WP_MAX_DEVICES];
};
int wp_board_init(struct wp_board *b, const char *const *devices, size_t n, bool json);
void wp_board_progress(const struct wp_progress *p, void *row);
void wp_board_set_state(struct wp_board_row *row, const char *state);
/* Final draw; later output starts below the rows. */
void wp_board_finish(struct wp_board *b);
void wp_board_destroy(struct wp_board *b);

/* ---- dispatch (options.c) ---- */

/* The struct wp_cmdline command a word names; WP_CMD_NONE for any other. */
enum wp_command wp_command_of(const char *word);
/* keys, custody and cert with their sub-command: argv[0] is the group's
 * word; the sub-command's row in options.c runs. A wp_exit code. */
int wp_group_main(int argc, char **argv);
/* `wipeproof version [--json]` (cmd_version.c). */
int wp_cmd_version(const struct wp_cmdline *cl);
/* `wipeproof lease LIST.csv --serial S` (cmd_lease.c): the boot stick's lease list. */
int wp_cmd_lease_main(int argc, char **argv);

#endif
