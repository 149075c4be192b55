/*
 * Steps of `wipe` shared between its files (not a module interface: only
 * cmd_wipe.c, wipe_checks.c, wipe_ledger.c and cmd_freespace.c, whose
 * custody steps are a wipe's, include it).
 */
#ifndef WP_WIPE_STEPS_H
#define WP_WIPE_STEPS_H

#include "cli.h"
#include "custody.h"

/* Print why a protected disk is refused; -1 when it is. */
int wp_refuse_if_protected(const struct wp_device *dev);
/* The serial typed at the prompt or given with --confirm-serial; -1 and a
 * message when it does not match (nothing written). */
int wp_confirm_wipe(const struct wp_device *dev, const struct wp_wipe_request *req,
		    const struct wp_method *m, enum wp_verify_mode mode);
/* O_EXCL open for writing; on failure *exit_code says refused or failed. */
int wp_open_exclusive(const struct wp_device *dev, int *exit_code);
/* After the open: still the disk that was confirmed? -1 with a message. */
int wp_recheck_identity(int fd, const struct wp_device *before,
			const struct wp_guard_opts *opts);
/* Can the report (and its temporary sibling PATH.tmp) be created? Both
 * are created and removed again; -1 with a message naming --report (or
 * WHAT) and the fix. */
int wp_check_report_path(const char *path);
int wp_probe_report_file(const char *path, const char *what);
int wp_check_report_dir(const char *dir);
/* The report folder, created (with its parents, 0700) only once every
 * check of the command passed; -1 with a message. */
int wp_make_report_dir(const char *dir);

/* ---- custody (wipe_ledger.c): only when --asset is given --------------- */

struct wp_wipe_ledger;
/* Load the --as identity and open the ledger; a wp_exit code. */
int wp_wipe_ledger_open(const struct wp_wipe_options *opts, struct wp_wipe_ledger **out);
void wp_wipe_ledger_close(struct wp_wipe_ledger *wl);
struct wp_ledger *wp_wipe_ledger_handle(struct wp_wipe_ledger *wl);
/* Append KIND for ASSET with BODY (taken, may be NULL: out of memory) as
 * the --as person; a failure is printed as "wipeproof: WHAT: cannot
 * record ..."; a wp_exit code. */
int wp_wipe_ledger_append(struct wp_wipe_ledger *wl, const char *kind, const char *asset,
			  json_t *body, const char *what);
/* The folder for reports when --asset is given without a destination:
 * the path (next to the ledger), and the folder created. */
void wp_wipe_ledger_report_dir_path(const struct wp_wipe_options *opts, char *dir, size_t len);
int wp_wipe_ledger_report_dir(const struct wp_wipe_options *opts, char *dir, size_t len);
/* May DEV be wiped as ASSET by a method reaching CATEGORY (NULL: not
 * checked against the asset's class)? Prints why not; a wp_exit code. */
int wp_wipe_ledger_check(struct wp_wipe_ledger *wl, const char *asset,
			 const struct wp_device *dev, const char *category);
int wp_wipe_ledger_start(struct wp_wipe_ledger *wl, const char *asset,
			 const struct wp_job *job);
/* wipe-end (with the digest of the saved report), then verified when the
 * job is sanitized. */
int wp_wipe_ledger_end(struct wp_wipe_ledger *wl, const char *asset,
		       const struct wp_job *job, const char *report_path);
/* A freespace event for a free-space job (job->scope), RESULT one of
 * wiped, mismatch, failed, interrupted; a wp_exit code. */
int wp_wipe_ledger_freespace(struct wp_wipe_ledger *wl, const char *asset,
			     const struct wp_job *job, const char *result, const char *report_path);
/* After a sanitized wipe whose report was saved: issue its certificate
 * (cert-<id>.json, .json.p7s, .json.qr, .pdf next to the report) and
 * record it. Any other result gets no certificate (WP_EXIT_OK, nothing
 * done). A wp_exit code. */
int wp_wipe_ledger_certify(struct wp_wipe_ledger *wl, const char *asset,
			   const struct wp_job *job, const char *report_path, bool json);

/* ---- the jobs table (wipe_ledger.c): overwrites that can be resumed ---- */

/* The keys of passes 1..upto as custody.h's jobs table keeps them. */
void wp_job_keys_hex(const struct wp_job *job, size_t upto, char *out, size_t len);
/* Record JOB (its wipe-start is recorded) as running by this process. */
int wp_wipe_ledger_job_begin(struct wp_wipe_ledger *wl, const char *asset,
			     const struct wp_job *job, const char *report_path);
/* After the run: interrupted (by a signal: resumable) or done. */
void wp_wipe_ledger_job_end(struct wp_wipe_ledger *wl, const struct wp_job *job);
/* Set J's state, adding its last checkpoint as an interruption for CAUSE. */
int wp_ledger_job_interrupted(struct wp_ledger *ledger, const struct wp_ledger_job *j,
			      const char *cause, const char *state, long owner_pid,
			      char *err, size_t errlen);
const char *wp_wipe_ledger_path(struct wp_wipe_ledger *wl);

/* A wp_checkpoint_fn context: the drive thread's own ledger handle. */
struct wp_job_checkpointer {
	char path[4096];
	struct wp_ledger *ledger;     /* opened at the first checkpoint */
	bool warned;
};
void wp_job_checkpoint_write(const struct wp_job *job, size_t pass, uint64_t offset, void *ctx);
void wp_job_checkpointer_close(struct wp_job_checkpointer *cp);
/* ctl.checkpoint_seconds: WIPEPROOF_CHECKPOINT_SECONDS, else 0 (default). */
double wp_checkpoint_seconds(void);

/* ---- shared with resume (cmd_wipe.c) ------------------------------------ */

/* Read back the final pass as MODE asks; sets job->result. */
void wp_wipe_verify_job(const struct wp_io_target *t, struct wp_job *job,
			enum wp_verify_mode mode, const struct wp_run_ctl *ctl);
void wp_wipe_print_summary(const struct wp_job *job, const char *report_path);
/* The report's device block from the probed disk. */
void wp_job_set_device(struct wp_job *job, const struct wp_device *dev);

#endif
