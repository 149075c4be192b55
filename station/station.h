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

/* ---- model1: issue 17 custody model (custody_model.c) -------------------- */

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
 * resolves it (option, config file, environment) before the call.
 * (Until the resolved configuration struct of the pipeline is on main:
 * the merge folds these members into it.) The organisation is not here on
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
	/* issue 17 (model1): the policy table, class and kind at intake, the
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

/* ---- live2: the boot stick's lease list (lease.c) ---------------------- */

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

#endif
