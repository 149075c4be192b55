/*
 * Shared between the files of station/ only (not a module interface):
 * the message helpers behind the hooks, the ledger a wipe records in, and
 * the steps a batch wipe, resume and the free-space wipe have in common.
 */
#ifndef WP_STATION_INTERNAL_H
#define WP_STATION_INTERNAL_H

#include "station.h"
#include "wpi18n.h"

#include <stdarg.h>

/* hooks->refused with a formatted English message; no-op without a hook. */
void wp_st_refuse(const struct wp_station_hooks *h, enum wp_station_refusal_kind kind,
		  const struct wp_device *dev, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void wp_st_warn(const struct wp_station_hooks *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool wp_st_stopped(const volatile sig_atomic_t *stop);
/* The formatted message into err, and rc back: what a module's refusal
 * returns (custody.c's bad, blank.c's and certify.c's refuse). */
int wp_st_fail(int rc, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- checks.c ---- */
int wp_st_refuse_if_protected(const struct wp_station_hooks *h, const struct wp_device *dev);
int wp_st_check_identity_text(const struct wp_station_hooks *h, const struct wp_device *dev);
/* GIVEN: --confirm-serial, or NULL to ask through the hook. A status. */
int wp_st_confirm(const struct wp_station_hooks *h, const struct wp_device *dev,
		  const char *given, const struct wp_method *m, enum wp_verify_mode mode);
/* O_EXCL open for writing; -1 with *status refused (busy) or failed. */
int wp_st_open_exclusive(const struct wp_station_hooks *h, const struct wp_device *dev,
			 int *status);
/* After the open: still the disk that was confirmed? A status. */
int wp_st_recheck_identity(const struct wp_station_hooks *h, int fd,
			   const struct wp_device *before, const struct wp_guard_opts *opts);
int wp_st_check_report_path(const struct wp_station_hooks *h, const char *path);
int wp_st_probe_report_file(const struct wp_station_hooks *h, const char *path,
			    const char *what);
int wp_st_check_report_dir(const struct wp_station_hooks *h, const char *dir);
int wp_st_make_report_dir(const struct wp_station_hooks *h, const char *dir);

/* ---- events.c: the ledger of a wipe ---- */
struct wp_station_ledger {
	struct wp_ledger *ledger;
	struct wp_identity *actor;
	const struct wp_station_hooks *h;
	const struct wp_station_config *cfg;
	/* a PostgreSQL ledger: the station's queue (cfg->queue), a local copy
	 * of the online chain that takes the events while the server is gone */
	struct wp_ledger *queue;
	bool offline;                /* appends go to the queue from now on */
	unsigned queued;             /* events this command queued */
};
/* Append KIND with BODY (taken; NULL: could not be built) as the
 * configured person; WHAT names the disk or mount in messages. */
int wp_st_append(struct wp_station_ledger *wl, const char *kind, const char *asset,
		 json_t *body, const char *what);
/* May DEV be wiped as ASSET by a method reaching CATEGORY ("Clear",
 * "Purge", "none"; NULL: not checked against the asset's class)? */
int wp_st_ledger_check(struct wp_station_ledger *wl, const char *asset,
		       const struct wp_device *dev, const char *category);
int wp_st_ledger_start(struct wp_station_ledger *wl, const char *asset, const struct wp_job *job);
int wp_st_ledger_end(struct wp_station_ledger *wl, const char *asset, const struct wp_job *job,
		     const char *report_path);
int wp_st_ledger_freespace(struct wp_station_ledger *wl, const char *asset,
			   const struct wp_job *job, const char *result, const char *report_path);
int wp_st_ledger_certify(struct wp_station_ledger *wl, const char *asset,
			 const struct wp_job *job, const char *report_path,
			 const char *single_signature);
int wp_st_job_begin(struct wp_station_ledger *wl, const char *asset, const struct wp_job *job,
		    const char *report_path);
void wp_st_job_end(struct wp_station_ledger *wl, const struct wp_job *job);
/* The reports folder beside the ledger, created. A status. */
int wp_st_reports_dir(struct wp_station_ledger *wl, char *dir, size_t len);

/* A wp_checkpoint_fn context: the drive thread's own ledger handle. */
struct wp_st_checkpointer {
	char path[4096];
	struct wp_ledger *ledger;     /* opened at the first checkpoint */
	bool warned;
	const struct wp_station_hooks *h;
};
void wp_st_checkpoint_write(const struct wp_job *job, size_t pass, uint64_t offset, void *ctx);
void wp_st_checkpointer_close(struct wp_st_checkpointer *cp);

/* A wp_progress_fn context: drive I of the hooks. */
struct wp_st_progress {
	const struct wp_station_hooks *h;
	size_t i;
};
void wp_st_progress(const struct wp_progress *p, void *ctx);

#endif
