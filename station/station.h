/*
 * station/: the one module that combines the others (udev, wipe, verify,
 * certs, custody, render) into the pipeline a front end runs: take a disk
 * in, check it is safe to write, wipe it, decide the verdict, record the
 * ledger events, certify, and check a certificate as an auditor would.
 *
 * It never prints, never exits, reads no global and no environment
 * variable: a front end (cli/, the boot stick's screen, a test) resolves
 * the configuration into the structs below and passes hooks for what it
 * shows and asks. Errors come back as a status with a message buffer.
 */
#ifndef WP_STATION_H
#define WP_STATION_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <time.h>

#include "certs.h"
#include "custody.h"
#include "udev.h"
#include "wipe.h"

/* The overwrite a station uses when neither the command, the config nor
 * the plan names one. */
#define WP_DEFAULT_METHOD "random"
/* Where `wipe` keeps job reports without --report, --report-dir or
 * --asset (config key `reports`, WIPEPROOF_REPORTS). */
#define WP_DEFAULT_REPORT_DIR "/var/lib/wipeproof/reports"

/* ---- station configuration files (kv.c) -------------------------------- */

/* The `key = value` format shared by the config file and the station
 * policy: '#' starts a comment, blank lines are skipped, spaces around key
 * and value are trimmed. FN gets each pair with its 1-based line number;
 * the first non-zero return stops the walk and is returned, with *lineno
 * at that line and the reason in msg. */
typedef int (*wp_kv_fn)(const char *key, const char *value, unsigned lineno, void *ctx,
			char *msg, size_t len);
int wp_kv_each(const char *text, wp_kv_fn fn, void *ctx, unsigned *lineno, char *msg,
	       size_t len);

/* ---- station policy: which hot-plugged disks a station wipes (policy.c) -- */

/* Where the station policy lives; WIPEPROOF_STATION or --policy override. */
#define WP_STATION_POLICY_DEFAULT "/etc/wipeproof/station"
#define WP_STATION_MAX_NAMES 8

/*
 * The station policy: which arrived disks this station takes in and wipes
 * unattended. A file of `key = value` lines, '#' comments:
 *   auto-wipe = yes | no         (default no)
 *   transports = usb loop ...    (wp_transport_name values)
 *   kinds = usb ssd ...          (wp_kind_name values)
 *   method = random              (an overwrite method; default random)
 *   verify = full | sample       (default full; off is refused)
 *   asset-prefix = USB-          (asset tag = prefix + serial)
 *   intake-reason = reuse        (as for custody intake)
 *   single-signature = yes | no  (default no: certificates of unattended
 *                                 wipes then say they carry one signature,
 *                                 the operator's, and no validator's)
 *   loop-backing-dir = /path     (loop disks only when backed by a file
 *                                 under this folder: test and demo stations)
 *   confidentiality = 機密性1     (the class its intakes record, issue 17: a
 *                                 class the ledger's policy table lets this
 *                                 station wipe without approval)
 * A disk matches when every list that is given names its transport/kind;
 * at least one list must be given.
 */
struct wp_station_policy {
	bool auto_wipe;
	size_t n_transports, n_kinds;
	char transports[WP_STATION_MAX_NAMES][16];
	char kinds[WP_STATION_MAX_NAMES][16];
	char method[32];
	enum wp_verify_mode verify;
	char asset_prefix[64];
	char intake_reason[32];
	char loop_backing_dir[1024];
	bool single_signature;  /* certificates of unattended wipes carry one signature */
	char confidentiality[128]; /* the intakes' class; "" for none (issue 17) */
};

/* Parse TEXT (NUL-terminated, named NAME in messages). 0, or -1 with
 * "NAME:LINE: what is wrong; what to do". Pure. */
int wp_station_policy_parse(const char *text, const char *name,
			    struct wp_station_policy *p, char *err, size_t errlen);
/* Read and parse PATH (refuses a missing file, with what to do). */
int wp_station_policy_load(const char *path, struct wp_station_policy *p,
			   char *err, size_t errlen);
/* Does the policy let this station handle DEV? When not, why in WHY. */
bool wp_station_policy_allows(const struct wp_station_policy *p,
			      const struct wp_device *dev, char *why, size_t len);

/* ---- run: configuration, hooks, a batch of wipes, resume, free space
 *      (config.c, checks.c, caps.c, plan.c, verdict.c, events.c, run.c,
 *      resume.c, freespace.c) ------------------------------------------- */

#include <signal.h>
#include <stdarg.h>
#include <jansson.h>

#include "firmware.h"
#include "certs.h"
#include "custody.h"

/*
 * The station's configuration, resolved once by the front end (cli/config.c:
 * flag, then environment, then /etc/wipeproof/config, then the built-in
 * default). Every field is filled; "" means "none" where a default makes no
 * sense (operator, organisation, location, contact, method). station/ reads
 * only this, never the environment.
 */
#define WP_STATION_VALUE_MAX 1024
struct wp_station_config {
	char ledger[WP_STATION_VALUE_MAX];        /* custody ledger (SQLite) */
	char keys_dir[WP_STATION_VALUE_MAX];      /* key store */
	char operator_name[WP_STATION_VALUE_MAX]; /* who records: --as, WIPEPROOF_AS, operator */
	char organisation[WP_STATION_VALUE_MAX];
	char location[WP_STATION_VALUE_MAX];
	char contact[WP_STATION_VALUE_MAX];
	char method[WP_STATION_VALUE_MAX];        /* "": the plan's */
	enum wp_verify_mode verify;
	bool verify_set;                          /* verify came from the config, not the default */
	char reports_dir[WP_STATION_VALUE_MAX];   /* job reports of `wipe` without --report */
	char run_dir[WP_STATION_VALUE_MAX];       /* free-space guard files (/run/wipeproof) */
	char policy[WP_STATION_VALUE_MAX];        /* the station policy file ("": none given) */
	double checkpoint_seconds;                /* 0: the engine's WP_CHECKPOINT_SECONDS */
	/* a PostgreSQL ledger's local queue (issue 18, events.c): an SQLite
	 * copy of the online chain that keeps a wipe's events while the server
	 * cannot be reached; "" none */
	char queue[WP_STATION_VALUE_MAX];
};

#define WP_STATION_LEDGER_DEFAULT WP_LEDGER_DEFAULT
#define WP_STATION_KEYS_DEFAULT WP_KEYS_DEFAULT_DIR
#define WP_STATION_RUN_DIR_DEFAULT "/run/wipeproof"
#define WP_STATION_QUEUE_DEFAULT "/var/lib/wipeproof/queue.db"

/* The built-in defaults (no file, no environment, no flag). */
void wp_station_config_defaults(struct wp_station_config *c);
/* A checkpoint interval as text (WIPEPROOF_CHECKPOINT_SECONDS): the seconds,
 * or 0 (the engine's default) when unset or not a sane number (0.05..3600). */
double wp_station_checkpoint_parse(const char *text);

/* What a station call ends with. The numbers are cli's exit codes, so a
 * front end that maps them one to one keeps every documented code. */
enum wp_station_status {
	WP_STATION_OK = 0,          /* done; for a wipe: sanitized (or unverified on request) */
	WP_STATION_FAILED = 1,      /* I/O error, could not finish, could not record */
	WP_STATION_USAGE = 2,       /* a bad input: path, report name, job id */
	WP_STATION_REFUSED = 3,     /* refused for safety or by the custody rules */
	WP_STATION_MISMATCH = 4,    /* the read-back found data that is not the pattern */
	WP_STATION_INTERRUPTED = 5, /* stopped by the stop flag or an unplugged disk */
};
/* The command's status is the worst: mismatch, failure, interruption. */
int wp_station_worse(int a, int b);

/* Why the station stopped before (or after) writing; the front end shows
 * it. msg is always a complete English sentence (without a program
 * prefix). A front end that speaks another language translates FMT (the
 * English format msg was made from) and formats it again with ARGS (valid
 * only during the hook; va_copy it), or words the common refusals itself
 * by KIND. */
enum wp_station_refusal_kind {
	WP_REFUSAL_OTHER,
	WP_REFUSAL_PROTECTED,   /* dev is protected: dev->reasons say why */
	WP_REFUSAL_CONFIRM,     /* the answer is not dev's confirmation token */
};
struct wp_station_refusal {
	enum wp_station_refusal_kind kind;
	const struct wp_device *dev;   /* PROTECTED, CONFIRM; else may be NULL */
	const char *answer;            /* CONFIRM: what was typed or given */
	const char *token;             /* CONFIRM: what was expected */
	const char *fmt;               /* NULL when msg was built otherwise */
	va_list *args;
	char msg[2048];
};

struct wp_certify_request;
struct wp_certify_result;

/*
 * What the station shows and asks, in the style of wipe/'s wp_run_ctl.
 * Every hook may be NULL. Hooks are called on the caller's thread except
 * progress and drive_done, which run on the drive's own thread.
 */
struct wp_station_hooks {
	void *ctx;
	/* set asynchronously (a signal) to stop every drive cleanly; never NULL
	 * when a run is wanted to be stoppable */
	volatile sig_atomic_t *stop;
	/* Ask for DEV's confirmation (no confirm_serial was given): write what
	 * was answered into ANSWER. -1: no answer (the hook has said why);
	 * NULL hook: every unconfirmed disk is refused. */
	int (*confirm)(void *ctx, const struct wp_device *dev, const struct wp_method *m,
		       enum wp_verify_mode mode, char *answer, size_t len);
	/* A refusal or an error that ends the run (or one drive's recording). */
	void (*refused)(void *ctx, const struct wp_station_refusal *r);
	/* Something the operator should know that does not change the outcome. */
	void (*warn)(void *ctx, const char *msg);
	/* Progress of drive I (0-based, the order of the requests). */
	void (*progress)(void *ctx, size_t i, const struct wp_progress *p);
	/* Drive I stopped writing and reading (its thread). */
	void (*drive_done)(void *ctx, size_t i, const struct wp_job *job);
	/* Drive I's report is saved (REPORT_PATH, "" when none) and its end is
	 * recorded; called before its certificate is issued. */
	void (*finished)(void *ctx, size_t i, const struct wp_job *job, const char *report_path);
	/* The station issued (or failed to issue) the certificate of a job
	 * that earned one (wp_certify, certify.c): STATUS is its enum
	 * wp_certify_status, RES what it wrote or why not. */
	void (*certified)(void *ctx, const struct wp_certify_request *req, int status,
			  const struct wp_certify_result *res);
};

/* One device of a wipe: what was asked for it. */
struct wp_wipe_request {
	const char *device;
	const char *confirm_serial;  /* NULL: hooks->confirm asks */
	const char *report_path;     /* may be NULL */
	const char *asset;           /* custody asset tag; NULL: no ledger */
};

/* What applies to every device of one wipe. The ledger, keys and person
 * come from the configuration. */
struct wp_station_wipe_opts {
	const char *method;          /* NULL: follow the plan */
	enum wp_level level;
	bool remove_hpa;
	enum wp_verify_mode verify_mode;
	bool force_holders;
	size_t chunk_bytes;
	size_t queue_depth;
	const char *report_dir;      /* a report per device, named by serial and job */
	bool make_report_dir;        /* report_dir is created once every check passed */
	const char *passphrase_file; /* of the person's key (NULL: none or asked by the key store) */
	/* NULL: the certificate needs a validator's second signature; else why
	 * one signature is enough (station policy) */
	const char *single_signature;
};

/* Drives one wipe runs at once; each has its own threads and buffers. */
#define WP_STATION_MAX_DRIVES 32

/*
 * Wipe N devices concurrently, from probe to report: every device is
 * probed, guarded, planned, checked against the ledger, confirmed, opened
 * exclusively and identified again before any is written; one refusal
 * refuses them all. Then each runs on its own thread; one failing never
 * stops the others. Fills jobs[i] and report_paths[i] ("" when none);
 * returns the worst drive's status.
 */
int wp_station_wipe(const struct wp_station_config *cfg, const struct wp_station_hooks *h,
		    const struct wp_wipe_request *reqs, size_t n,
		    const struct wp_station_wipe_opts *opts, struct wp_job *jobs,
		    char (*report_paths)[4096]);

/* ---- the safety steps before writing (checks.c) ---- */

/* The one "same disk" check: are BEFORE and NOW the same medium (serial,
 * model, size, logical block size; devno too when both have one)? When not,
 * what differs in WHY. */
bool wp_station_same_disk(const struct wp_device *before, const struct wp_device *now,
			  char *why, size_t len);
/* What the operator must type to confirm DEV: its serial, or its kernel
 * name when it reports none. */
const char *wp_station_confirm_token(const struct wp_device *dev);
/* DIR and its parents (0700); -1 with why and what to do. */
int wp_station_make_dir(const char *dir, char *err, size_t errlen);

/* ---- the plan of one drive (caps.c, plan.c) ---- */

enum wp_fw_bus wp_fw_bus_of(const struct wp_device *dev);
enum wp_media wp_media_of(const struct wp_device *dev);
/* Ask the device (read-only) what it supports; never fails. */
void wp_device_caps(const struct wp_device *dev, struct wp_fw_caps *caps);
/* The hidden-area part of a job report, from the probe. */
void wp_hidden_from_caps(const struct wp_fw_caps *caps, const struct wp_device *dev,
			 struct wp_hidden_record *rec);

struct wp_drive_plan {
	struct wp_fw_caps caps;
	struct wp_plan plan;
	const struct wp_fw_io *io;   /* NULL: the kernel; tests: a simulated drive */
};
/* Ask the disk, then plan it: METHOD (NULL: choose) at LEVEL. A status;
 * why not in WHY ("" when METHOD is unknown: the front end named it). */
int wp_station_plan_drive(const struct wp_device *dev, const char *method, enum wp_level level,
			  struct wp_drive_plan *out, char *why, size_t len);
/* The plan's part of the job report: category, reason, hidden areas. */
void wp_wipe_plan_to_job(const struct wp_drive_plan *p, const struct wp_device *dev,
			 struct wp_job *job);
/* --remove-hpa on an ATA disk with a Host Protected Area (see plan.c);
 * 0, or -1 with the job failed and nothing written. */
int wp_wipe_remove_hpa(const struct wp_drive_plan *p, const struct wp_device *dev,
		       struct wp_io_target *t, const struct wp_run_ctl *ctl, struct wp_job *job);
/* A firmware wipe between two looks at the medium (plan.c). */
void wp_wipe_firmware(const struct wp_drive_plan *p, const struct wp_method *method,
		      const struct wp_io_target *t, enum wp_verify_mode mode,
		      const struct wp_run_ctl *ctl, struct wp_job *job);
/* The report's device block from the probed disk. */
void wp_job_set_device(struct wp_job *job, const struct wp_device *dev);

/* ---- the verdict (verdict.c) ---- */

/* Read back the final pass as MODE asks and decide job->result: sanitized
 * when it matches; interrupted when the stop flag (ctl->stop) or an
 * unplugged disk ended the read; failed otherwise, with "destroy" advised
 * when blocks could not be read. Bad blocks of the write keep the write's
 * verdict. */
void wp_station_verify_job(const struct wp_io_target *t, struct wp_job *job,
			   enum wp_verify_mode mode, const struct wp_run_ctl *ctl);
/* A finished job as a status: mismatch when the read-back found other
 * data, else by result (sanitized, unverified, partial: ok). */
int wp_station_job_status(const struct wp_job *job);
int wp_station_result_status(enum wp_result result);
/* Does JOB earn a certificate? Only sanitized (or a free-space job's
 * partial), with no bad blocks, no "destroy" advice, and a saved report. */
bool wp_station_certifiable(const struct wp_job *job, const char *report_path);
/* The free-space verdict from wp_freespace_run's return RC: "wiped",
 * "partial", "mismatch", "interrupted" or "failed" (English, as recorded). */
const char *wp_station_freespace_verdict(int rc, uint64_t unreached_bytes, bool stopped);
int wp_station_freespace_status(int rc, bool stopped);

/* ---- the wipe's ledger event bodies (events.c); each is checked by
 * custody's rules when appended. NULL: out of memory or not UTF-8. ---- */

json_t *wp_station_body_wipe_start(const struct wp_job *job);
/* REPORT_SHA256 NULL: the report's digest is not recorded. */
json_t *wp_station_body_wipe_end(const struct wp_job *job, const char *report_path,
				 const char *report_sha256);
/* NULL when the job is not sanitized: only then is it recorded verified. */
json_t *wp_station_body_verified(const struct wp_job *job);
json_t *wp_station_body_freespace(const struct wp_job *job, const char *result,
				  const char *report_path, const char *report_sha256);
/* The missing wipe-end of a run whose process died (resume). */
json_t *wp_station_body_crash_end(const struct wp_ledger_job *j);
json_t *wp_station_body_wipe_resume(const struct wp_ledger_job *j);

/* ---- the jobs table and resume (events.c, resume.c) ---- */

/* The keys of passes 1..upto as custody.h's jobs table keeps them. */
void wp_job_keys_hex(const struct wp_job *job, size_t upto, char *out, size_t len);
/* The row the jobs table gets for JOB (its wipe-start recorded) of ASSET,
 * written by process PID. */
void wp_station_job_row(const struct wp_job *job, const char *asset, const char *report_path,
			long pid, struct wp_ledger_job *j);
/* Set J's state, adding its last checkpoint as an interruption for CAUSE. */
int wp_ledger_job_interrupted(struct wp_ledger *ledger, const struct wp_ledger_job *j,
			      const char *cause, const char *state, long owner_pid,
			      char *err, size_t errlen);

/* A job's state as people and resume see it: WP_JOB_* of the table, or
 * "crashed" (running, but its process is gone). */
#define WP_JOB_CRASHED "crashed"
const char *wp_station_job_state(const struct wp_ledger_job *j);
bool wp_station_job_resumable(const struct wp_ledger_job *j);

struct wp_station_resume_opts {
	const char *job;             /* NULL: the only resumable one */
	const char *device;          /* the disk's path now; NULL: the recorded one */
	const char *passphrase_file;
};
/* What resume found, for the front end to show. */
struct wp_station_resumed {
	struct wp_ledger_job row;    /* the job as the table had it */
	struct wp_job job;           /* the whole job, after the run */
	char report_path[4096];
	bool ran;                    /* every check passed; the disk was written */
};
/* Continue an interrupted overwrite from its last checkpoint: every check
 * first (job state, custody, the same disk, unmounted), then wipe-end of a
 * crashed run, wipe-resume, the run, the report, wipe-end, verified, the
 * certificate. hooks->finished is called once, before the certificate.
 * `resuming` (may be NULL) is told just before the disk is written. */
int wp_station_resume(const struct wp_station_config *cfg, const struct wp_station_hooks *h,
		      const struct wp_station_resume_opts *o,
		      void (*resuming)(void *ctx, const struct wp_ledger_job *j, const char *dev),
		      struct wp_station_resumed *out);

/* ---- the free-space wipe (freespace.c) ---- */

struct wp_station_freespace {
	const struct wp_station_config *cfg;
	const struct wp_station_hooks *h;
	const char *asset;               /* NULL: nothing recorded */
	struct wp_mount mount;
	struct wp_freespace_result r;
	struct wp_pass_spec spec;
	struct wp_job job;
	int rc;                          /* wp_freespace_run's */
	const char *result;              /* wp_station_freespace_verdict */
	char err[1024];                  /* why, when rc != 0 */
	char report_path[4200];
	struct wp_station_ledger *ledger;
};
/* Find the mount at MOUNTPOINT; with ASSET, open the ledger and check the
 * asset is on record, all before a byte is written. A status (*out NULL
 * unless OK). */
int wp_station_freespace_begin(const struct wp_station_config *cfg,
			       const struct wp_station_hooks *h, const char *mountpoint,
			       const char *asset, const char *passphrase_file,
			       struct wp_station_freespace **out);
/* Fill, read back and remove; sets rc, result, err. A status. */
int wp_station_freespace_run(struct wp_station_freespace *fs);
/* With an asset: the report, the freespace event (hooks->finished after
 * it is recorded) and, when every byte read back, the certificate. */
int wp_station_freespace_record(struct wp_station_freespace *fs);
void wp_station_freespace_end(struct wp_station_freespace *fs);

/* ---- the ledger a wipe records in (events.c) ---- */

struct wp_station_ledger;
/* Load the configured person's identity and open the ledger (refused
 * when there is none: an asset is taken in before it is wiped). */
int wp_station_ledger_open(const struct wp_station_config *cfg, const struct wp_station_hooks *h,
			   const char *passphrase_file, struct wp_station_ledger **out);
void wp_station_ledger_close(struct wp_station_ledger *wl);
struct wp_ledger *wp_station_ledger_handle(struct wp_station_ledger *wl);
/* The folder reports go to next to LEDGER ("reports" beside it); for a
 * PostgreSQL ledger, which has no folder, REPORTS_DIR (NULL: the default). */
void wp_station_reports_beside(const char *ledger, const char *reports_dir, char *dir,
			       size_t len);

/* ---- confidentiality classes, policy table, evidence files (custody_model.c, cert_model.c) */

/* The body of `custody init`: SPEC NULL gives {"approval_required":
 * !no_approval} as before the table; "default" the default table
 * (wp_policy_default_table); else a JSON file holding a policy body. NULL
 * with the reason when it is not a valid policy. New reference. */
json_t *wp_station_policy_body(const char *spec, bool no_approval, char *err, size_t errlen);
/* Intake: "kind" (when given) and "confidentiality", the highest of the
 * comma-separated CLASSES under POLICY (the policy in force; NULL: the
 * default classes), with "confidentiality_given" for mixed media. */
int wp_station_intake_class(const json_t *policy, const char *classes, const char *kind,
			    json_t *body, char *err, size_t errlen);
/* FILE's SHA-256 and a copy in <ledger's folder>/WHAT/<sha256>-<name>,
 * set in BODY as SHA_KEY and NAME_KEY (the file's own name); KEPT gets the
 * copy's path when this call created it ("" when it was kept before), for
 * the caller to remove again when the event is refused. */
int wp_station_evidence(const char *ledger_path, const char *what, const char *file,
			json_t *body, const char *sha_key, const char *name_key, char *kept,
			size_t keptlen, char *err, size_t errlen);

/* May a method reaching CATEGORY (Clear, Purge, none, ...) sanitize a
 * medium holding CLASSES (the highest counts) under POLICY (NULL: the
 * default classes)? -1 naming the class and the rule (plan, wipe). */
int wp_station_class_allows(const json_t *policy, const char *classes, const char *category,
			     char *err, size_t errlen);

/* ---- plan --confidentiality against the ledger's classes (custody_model.c) */

/* `plan --confidentiality CLASSES` for a plan reaching CATEGORY, under the
 * classes of the policy in force in LEDGER (verified against KEYS_DIR's
 * ca.pem). EXPLICIT: the ledger was named (--ledger), so it must be
 * readable; else a configured ledger that does not exist means the
 * default set. A status: OK; USAGE (a class the table does not define,
 * err naming its classes; an unreadable --ledger); REFUSED (below the
 * class's minimum, err naming the class and the rule); FAILED (the ledger
 * does not verify). *ledger_used: the policy came from the ledger. */
int wp_station_plan_class(const char *ledger, const char *keys_dir, bool explicit,
			  const char *classes, const char *category, bool *ledger_used,
			  char *err, size_t errlen);

/* What issue 17 adds to a certificate document (cert_model.c): the
 * confidentiality before and after, the approval's date, no tool version
 * for a destruction, the vendor and its certificate's digest, the earlier
 * wipe certificate, and an attested erasure's category and evidence. */
struct wp_cert_model {
	const struct wp_asset_state *st;
	const struct wp_event *evidence;   /* destroyed, vendor-destroyed or erasure-attested;
					      NULL for a wipe */
	const struct wp_event *wipe_cert;  /* the asset's last certificate event of a wipe */
};
int wp_station_cert_model(json_t *doc, const struct wp_cert_model *m);

/* ---- certification (certbuild.c, certify.c) -------------------------- */

/*
 * What certification needs from the station's configuration. A front end
 * resolves it (option, else struct wp_station_config's location and
 * contact) before the call; a wipe's certificate takes them from the
 * configuration it ran with (events.c). The organisation is not here on
 * purpose: it is the issuer's certificate's, and the auditor's check
 * refuses a document whose organisation is not the signer's.
 */
struct wp_cert_config {
	const char *location;   /* NULL or "": the ledger's intake location, else the host name */
	const char *contact;    /* NULL or "": the issuer's organisation */
};

/* What a certificate is made from. job is NULL for a destruction, whose
 * destroyed event is then in `destroyed`. */
struct wp_cert_inputs {
	const char *id;                      /* UUID */
	const struct wp_person *issuer;      /* who signs */
	const struct wp_asset_state *state;  /* the asset, from the ledger */
	const struct wp_job *job;
	const char *report_path, *report_sha256;
	const struct wp_event *destroyed;    /* or vendor-destroyed, erasure-attested (issue 17) */
	const struct wp_event *wipe_cert;    /* the last certificate event of a wipe, or NULL */
	uint64_t head_seq;                   /* the ledger head before the certificate event */
	const char *head_hash;
	const char *ledger_id;               /* "" for a ledger from before ledger ids */
	const char *location, *contact;      /* of the people who sanitized and verified */
	time_t issued;
	const char *single_signature;        /* NULL: two-person; else why one signature */
};

/* The NIST SP 800-88 category a job reaches, and a note when a stronger
 * one needs another route. The one place this is decided. */
const char *wp_cert_nist_category(const struct wp_job *job, const char **note);

/* The certificate document (certs/README.md). New reference, or NULL. */
json_t *wp_cert_build(const struct wp_cert_inputs *in);

/* The body of the certificate event for DOC (canonical SHA-256 SHA256,
 * written to JSON_PATH); JOB NULL for a destruction. New reference. */
json_t *wp_cert_event_body(const json_t *doc, const char *sha256, const char *json_path,
			   const struct wp_job *job);

struct wp_certify_request {
	struct wp_ledger *ledger;
	const struct wp_identity *issuer;
	const char *asset;
	const struct wp_job *job;            /* NULL: certify the asset's destruction */
	const char *report_path;             /* the saved job report (wipes) */
	const char *out_dir;                 /* where cert-<id>.* go (created when missing) */
	const struct wp_cert_config *config; /* NULL: all defaults */
	const char *single_signature;        /* NULL: needs a validator (cert validate) */
	time_t issued;                       /* 0: now */
};

enum wp_certify_status {
	WP_CERTIFY_OK = 0,
	WP_CERTIFY_REFUSED,   /* the ledger does not show what would be certified; nothing written */
	WP_CERTIFY_FAILED,    /* could not be built or written; nothing left behind */
	WP_CERTIFY_LEDGER,    /* the event could not be appended (custody_rc); files removed */
	WP_CERTIFY_NO_PDF,    /* issued and recorded, but the PDF failed (err): `cert render` */
	WP_CERTIFY_INVALID,   /* validate: the auditor's check found it INVALID (the verdict) */
};

struct wp_certify_result {
	char id[WP_UUID_LEN];
	char sha256[WP_FPR_HEX];             /* of the canonical JSON */
	char json[4160], sig[4200], qr[4200], pdf[4200];
	bool pdf_written;
	int custody_rc;                      /* WP_CERTIFY_LEDGER: wp_custody_append's */
	char err[1400];                      /* why, when not OK */
};

/* Write cert-<id>.json, .json.p7s, .json.qr and .pdf into out_dir and
 * append the certificate event: only for the sanitized wipe of this job
 * (or its free-space wipe), or a witnessed destruction, as the ledger
 * shows it. */
enum wp_certify_status wp_certify(const struct wp_certify_request *req,
				  struct wp_certify_result *res);

/* The validator's second signature: FILE.json.validator.p7s. */
#define WP_VALIDATOR_SIG_SUFFIX ".validator.p7s"

/* ---- the auditor's check (audit.c) ------------------------------------ */

/* A whole small file (at most 1 MiB), NUL-terminated, malloc'd. */
char *wp_cert_read_file(const char *path, size_t *len, char *err, size_t errlen);

/* Every check the auditor's verdict rests on, in the order they run. */
enum wp_audit_kind {
	WP_AUDIT_ANCHOR,      /* the CA (or the trust bundle's) and its pin */
	WP_AUDIT_SIGNATURE,   /* the issuer's CMS signature, its low-s spelling, the CA */
	WP_AUDIT_REVOCATION,  /* the signer against the CA's revocation list */
	WP_AUDIT_DOCUMENT,    /* canonical and complete (wp_certdoc_check) */
	WP_AUDIT_ISSUER,      /* the document's issuer, title, role, organisation are the signer's */
	WP_AUDIT_CLAIMS,      /* what it certifies (disk, scope, tool): shown, not judged */
	WP_AUDIT_VALIDATOR,   /* the second person's signature */
	WP_AUDIT_LEDGER,      /* the chain verifies, holds this certificate, and agrees with it */
	WP_AUDIT_REPORT,      /* the job report is the one the certificate names */
	WP_AUDIT_DEVICE,      /* the disk still holds the certified wipe's pattern */
	WP_AUDIT_QR,          /* a QR code's signature and contents */
};
const char *wp_audit_kind_name(enum wp_audit_kind kind);

enum wp_audit_outcome {
	WP_AUDIT_PASSED,
	WP_AUDIT_FAILED,       /* this check made the certificate INVALID */
	WP_AUDIT_NOT_CHECKED,  /* e.g. revocation without a CRL */
	WP_AUDIT_INFO,         /* what the certificate says, shown to the auditor */
};

struct wp_audit_check {
	enum wp_audit_kind kind;
	enum wp_audit_outcome outcome;
	char message[1024];   /* the detail line; for FAILED, the reason */
};

enum wp_audit_status {
	WP_AUDIT_VALID,
	WP_AUDIT_INVALID,      /* a check failed: reason */
	WP_AUDIT_ERROR,        /* something could not be read: error */
	WP_AUDIT_BAD_REQUEST,  /* the check asked for does not apply: error */
	WP_AUDIT_INTERRUPTED,  /* the device re-read was stopped */
};

#define WP_AUDIT_MAX_CHECKS 24
struct wp_audit_verdict {
	enum wp_audit_status status;
	char reason[2048];                  /* INVALID: the failed check's message */
	char error[1400];                   /* ERROR, BAD_REQUEST: what, and what to do */
	size_t n_checks;
	struct wp_audit_check checks[WP_AUDIT_MAX_CHECKS];
	struct {
		bool known;                 /* the CA was loaded */
		bool pinned;
		char subject[512], sha256[WP_FPR_HEX];
	} anchor;
	json_t *doc;                        /* the document once its signature verified */
	char sha256[WP_FPR_HEX];            /* of the document's bytes */
	bool ledger_checked, device_checked, revocation_checked;
	char signatures[600];               /* who signed, for the verdict line */
	char scope[1024];                   /* what VALID rests on (when doc is set) */
	/* the re-read of the disk, as `wipeproof verify` shows it */
	char device_out[2048], device_err[1024];
};

struct wp_audit_request {
	/* a certificate file... */
	const char *path;               /* FILE.json */
	const char *sig_path;           /* NULL: FILE.json.p7s */
	const char *ca_path;            /* the CA certificate */
	const char *crl_path;           /* NULL: crl.pem beside the CA, when there */
	const char *ledger_path;        /* NULL: not checked against a ledger */
	const char *device;             /* NULL: the disk is not read */
	const char *report_path;        /* NULL: the report the certificate names */
	const struct wp_run_ctl *device_ctl; /* stop flag and progress of the re-read */
	bool validating;                /* `cert validate`: the second signature is to come */
	/* ...or a QR code */
	const char *qr, *trust;         /* its text and the trust bundle */
	const char *ca_pin;             /* 64 hex digits, or NULL */
};

/* The auditor's check: needs no private key and draws nothing. Fills V
 * (free with wp_audit_verdict_clear) and returns its status. */
enum wp_audit_status wp_audit(const struct wp_audit_request *req, struct wp_audit_verdict *v);
void wp_audit_verdict_clear(struct wp_audit_verdict *v);
/* The first check of KIND, or NULL. */
const struct wp_audit_check *wp_audit_find(const struct wp_audit_verdict *v,
					   enum wp_audit_kind kind);

/* Does DEVICE still hold the final pass of the wipe in REPORT_PATH?
 * Read-only; refused (NOT_THE_DISK) unless DEVICE has the report's serial
 * and size. `wipeproof verify` and the auditor's --device check. */
enum wp_reread_status {
	WP_REREAD_MATCH,
	WP_REREAD_MISMATCH,       /* rec says where */
	WP_REREAD_NOT_THE_DISK,   /* err says how it differs */
	WP_REREAD_BAD_REQUEST,    /* unreadable report, free-space report, not a disk */
	WP_REREAD_ERROR,          /* incomplete wipe, cannot open or read */
	WP_REREAD_INTERRUPTED,    /* ctl's stop flag */
};
struct wp_reread {
	enum wp_reread_status status;
	char job_id[40], pattern[32];   /* the report's job and final pattern */
	struct wp_verify_record rec;
	char err[1024];
};
enum wp_reread_status wp_disk_reread(const char *device, const char *report_path,
				     enum wp_verify_mode mode, const struct wp_run_ctl *ctl,
				     struct wp_reread *r);

/* `cert validate` (certify.c): the second person's signature. */
struct wp_validate_request {
	const char *path;                    /* FILE.json */
	const struct wp_identity *validator; /* an approver or witness, not the issuer */
	const char *ca_path, *crl_path, *ca_pin;
	const char *ledger_path;             /* always checked against the ledger */
};
/* Audit PATH (V, cleared by the caller with wp_audit_verdict_clear), then
 * write SIG_PATH (FILE.json.validator.p7s). REFUSED, INVALID (V says why),
 * FAILED (v->status ERROR etc. when the audit could not run), with err. */
enum wp_certify_status wp_cert_validate(const struct wp_validate_request *req,
					struct wp_audit_verdict *v, char *sig_path, size_t pathlen,
					char *err, size_t errlen);

/* ---- custody events recorded by a person or a station (custody.c) ------ */

struct wp_life_opts; /* the asset's life: below */

/* What a person (or a station) asks to record; the front end fills it from
 * its options. Which members an action uses is in custody.c's build(). */
struct wp_custody_ask {
	const char *action;     /* init intake request approve destroy transfer release note */
	const char *asset;
	bool no_approval_required, approval_required;        /* init */
	const char *device;     /* intake: probe the disk for serial, model, size */
	const char *serial, *model;                          /* intake without a device */
	const char *owner, *location, *manager, *lease_contract, *lease_end;
	const char *pc_manufacturer, *pc_model, *pc_serial; /* intake: the PC the disk was in */
	const char *reason, *comment;
	const char *method, *photo, *witness;                /* destroy */
	const char *vendor, *vendor_cert;                    /* transfer */
	const char *to;                                      /* release */
	const char *text;                                    /* note */
	const char *approve_for;                             /* approve: "wipe,release" */
	int valid_days;                                      /* approve: 0 = 30 */
	time_t now;                                          /* approve's clock; 0 = now */
	/* issue 17 items 5-9: take-out, return, blanked, the Art.5
	 * intake fields, release to repair (custody_life.c); NULL: none */
	const struct wp_life_opts *life;

	/* issue 17: the policy table, class and kind at intake, the
	 * vendor's destruction and an attested erasure */
	const char *policy;                                  /* init: FILE or "default" */
	const char *confidentiality, *kind;                  /* intake */
	const char *received_by, *date;                      /* vendor-destroyed (date also attest) */
	const char *evidence, *by, *category, *erased_by;    /* attest-erasure */
};

/* A request that lacks what its action needs (err says which option):
 * a front end's usage error. Not one of custody's codes. */
#define WP_STATION_BAD_REQUEST (-100)

/* The event kind of ACTION (init -> policy, destroy -> destroyed). */
const char *wp_custody_ask_kind(const char *action);
/* The event body for A (*body a new reference), before anyone is asked
 * for a key. 0, WP_STATION_BAD_REQUEST, WP_CUSTODY_REFUSED (the disk is
 * not the one named) or WP_CUSTODY_ERROR, with err. */
int wp_custody_ask_body(const struct wp_custody_ask *a, json_t **body, char *err, size_t errlen);
/* Append A's BODY to the ledger at LEDGER_PATH as ACTOR (and WITNESS,
 * NULL unless destroy). Only init and intake may create the ledger; a
 * ledger created by a refused call is removed again. A custody code. */
int wp_custody_record(const char *ledger_path, const struct wp_identity *actor,
		      const struct wp_identity *witness, const struct wp_custody_ask *a,
		      json_t *body, uint64_t *seq, char hash[WP_HASH_HEX], char *err,
		      size_t errlen);

/* ---- blanking a rewritable disc (blank.c) ------------------------------ */

/* `custody blanked --device DEV`: the station blanks the disc itself and
 * records the event from the drive's result (wipe/fw_optical.c: MMC BLANK
 * for CD-RW and DVD-RW, every block overwritten and read back for DVD+RW,
 * DVD-RAM and BD-RE). */
struct wp_station_blank {
	const char *ledger_path;
	const struct wp_identity *actor;
	const struct wp_custody_ask *ask;   /* action "blanked", recorded with body */
	const char *asset, *device;
	json_t *body;                       /* the event body (method); the result is added */
	bool tool_given;                    /* --tool: a blank done by hand, refused here */
	const struct wp_run_ctl *ctl;       /* progress and stop; may be NULL */
	const struct wp_fw_io *io;          /* NULL: the kernel (tests: a simulated drive) */
	const struct wp_device *dev;        /* NULL: probed from device (tests: given) */
};
/* Refused (WP_CUSTODY_REFUSED) before any command that writes reaches the
 * drive when the rules refuse the event, DEVICE is not an optical drive
 * holding a disc, or the disc is write-once, pressed or not of the kind
 * the asset records; WP_CUSTODY_ERROR when the blank failed (nothing is
 * recorded then); else the custody code of the append. */
int wp_station_blank(const struct wp_station_blank *b, uint64_t *seq, char hash[WP_HASH_HEX],
		     char *err, size_t errlen);

/* ---- hot-plug intake (intake.c) ---------------------------------------- */

struct wp_intake_setup {
	bool intake, auto_wipe;                 /* auto_wipe implies intake */
	const struct wp_station_policy *policy; /* NULL: none (every disk not protected) */
	const char *asset_prefix;               /* NULL: the front end asks per disk */
	const char *reason;                     /* the intake reason, or NULL */
};

/* Complete S from the station policy at POLICY_PATH (NULL: none, unless
 * auto-wipe, which needs WP_STATION_POLICY_DEFAULT), loaded into STORAGE:
 * its asset prefix and reason where S has none. -1 with err when the
 * station must not start (a bad policy, auto-wipe the policy does not
 * allow, no way to name the assets when CAN_ASK is false). */
int wp_intake_setup_resolve(struct wp_intake_setup *s, const char *policy_path,
			    struct wp_station_policy *storage, bool can_ask, char *err,
			    size_t errlen);

enum wp_intake_action {
	WP_INTAKE_IGNORE,   /* the station only watches */
	WP_INTAKE_SKIP,     /* left alone: why says why */
	WP_INTAKE_TAKE_IN,  /* record its intake */
	WP_INTAKE_WIPE,     /* record its intake, then wipe it unattended */
};
/* What the station does with DEV, which just arrived. */
enum wp_intake_action wp_intake_decide(const struct wp_intake_setup *s,
				       const struct wp_device *dev, char *why, size_t len);
/* PREFIX + SERIAL with anything outside [A-Za-z0-9._-] replaced by '_'. */
void wp_intake_asset_tag(const char *prefix, const char *serial, char *out, size_t len);
/* Is ASSET already in the ledger with this SERIAL (a disk plugged in
 * again)? Read from a verified pass against the CA at CA_PATH. */
bool wp_intake_already(const char *ledger_path, const char *ca_path, const char *asset,
		       const char *serial);
/* Record DEV's intake as ASSET by ACTOR, as `custody intake --device`;
 * CONFIDENTIALITY (the station policy's class, issue 17) may be NULL. */
int wp_intake_record(const char *ledger_path, const struct wp_identity *actor,
		     const struct wp_device *dev, const char *asset, const char *reason,
		     const char *confidentiality, uint64_t *seq, char hash[WP_HASH_HEX],
		     char *err, size_t errlen);

/* ---- the boot stick's lease list (lease.c) ---------------------------- */

#define WP_LEASE_FIELD 256

/* A row of the lease list: the PC's serial, the asset tag, the lease
 * contract, the owner and the confidentiality class, as UTF-8. */
struct wp_lease_row {
	char pc_serial[WP_LEASE_FIELD], asset_tag[WP_LEASE_FIELD];
	char lease_contract[WP_LEASE_FIELD], owner[WP_LEASE_FIELD];
	char confidentiality[WP_LEASE_FIELD];
	unsigned line; /* the record's number in the file, the header being 1 */
};

/* TEXT (N bytes, no NUL inside) as UTF-8: as it is when it is valid UTF-8
 * (a byte order mark dropped), else converted from Shift_JIS (CP932).
 * *encoding names which. malloc'd, or NULL with why in err. */
char *wp_text_to_utf8(const char *text, size_t n, const char **encoding, char *err,
		      size_t errlen);
/* The lease list at PATH (UTF-8 or Shift_JIS CSV) as UTF-8 text. */
int wp_lease_load(const char *path, char **text, const char **encoding, char *err,
		  size_t errlen);
/* The first record after the header whose first field is PC_SERIAL: 1 and
 * the row, or 0 when there is none. */
int wp_lease_find(const char *text, const char *pc_serial, struct wp_lease_row *row);

/* ---- the asset's life: take-out, repair, Art.5 fields, stocktake (custody_life.c) */

/* What a front end gathered for the events of custody/rules.c's "asset
 * life" block; NULL members are absent. */
struct wp_life_opts {
	const char *sub;          /* intake, take-out, return, blanked, release */
	const char *ledger_path;  /* evidence copies go to evidence/ beside it */
	const char *destination, *purpose, *permitted_by, *permitted_on, *due_back; /* take-out */
	const char *device;       /* return: the returned disk, probed for its serial */
	const char *agreement, *repairer;                              /* release --to repair */
	const char *introduced, *maker, *seller, *use, *warranty, *media; /* intake */
	const char *method, *tool;                                     /* blanked */
};
/* Add this block's members to BODY for o->sub (intake, release, take-out,
 * return, blanked; the release to repair copies the agreement beside the
 * ledger and records its SHA-256). 0, WP_STATION_BAD_REQUEST (an option
 * missing) or WP_CUSTODY_ERROR, with err, before anything is recorded. */
int wp_life_body(const struct wp_life_opts *o, json_t *body, char *err, size_t errlen);
/* Intake --device: the maker and the optical medium the disk names;
 * --maker/--media that contradict it are refused. */
int wp_life_intake_device(const struct wp_life_opts *o, const struct wp_device *dev,
			  json_t *body, char *err, size_t errlen);
/* Copy FILE to evidence/SHA256-NAME beside the ledger (0640, fsync'd,
 * renamed into place); sha and the stored path out. */
int wp_evidence_keep(const char *ledger_path, const char *file, char sha[WP_HASH_HEX],
		     char *stored, size_t len, char *err, size_t errlen);
/* Assets not released (of OWNER, or all when NULL), grouped by owner, from
 * one verified pass: {"owners": [{"owner", "assets": [...]}], "count"}. */
int wp_life_outstanding(struct wp_ledger *l, const char *owner, json_t **out, char *err,
			size_t errlen);
/* The outstanding assets against the disks attached now, by serial:
 * present, missing (on premises by the ledger, not attached), away (taken
 * out, at a vendor, destroyed: not expected), unexpected (away by the
 * ledger but attached), unrecorded (attached, on no outstanding tag; the
 * station's system disk is skipped). */
int wp_life_stocktake(struct wp_ledger *l, const struct wp_device_list *attached, json_t **out,
		      char *err, size_t errlen);
/* The stocktake event's body from that report (tags and serials). */
json_t *wp_life_stocktake_event(const json_t *report);

#endif
