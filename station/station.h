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

#include <jansson.h>

struct wp_asset_state;
struct wp_event;

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

struct wp_vendor_destruction {
	const char *ledger_path;
	const char *vendor;           /* optional: must be the one it was handed to */
	const char *cert_file;        /* the vendor's certificate of destruction */
	const char *date;             /* YYYY-MM-DD the vendor destroyed it */
	const char *method;
	const char *received_by;      /* who received the vendor's certificate */
	const char *comment;
};
/* The body of a vendor-destroyed event; the certificate kept in
 * <ledger folder>/vendor-certs/. */
int wp_station_vendor_destroyed_body(const struct wp_vendor_destruction *in, json_t *body,
				     char *kept, size_t keptlen, char *err, size_t errlen);

struct wp_attested_erasure {
	const char *ledger_path;
	const char *evidence_file;    /* the device's erase report, the maker's certificate */
	const char *method;           /* the method claimed */
	const char *by;               /* self, maker, lease-company, vendor */
	const char *category;         /* clear or unknown */
	const char *erased_by;        /* optional: the company that erased it */
	const char *date;             /* optional: YYYY-MM-DD of the erasure */
	const char *comment;
};
/* The body of an erasure-attested event; the evidence kept in
 * <ledger folder>/evidence/. */
int wp_station_attested_body(const struct wp_attested_erasure *in, json_t *body, char *kept,
			     size_t keptlen, char *err, size_t errlen);

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

#endif
