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

/* ---- model2: the asset's life, issue 17 items 5-9 (custody_life.c) ---- */

/* What a front end gathered for the events of custody/rules.c's "asset
 * life" block; NULL members are absent. */
struct wp_life_opts {
	const char *sub;          /* intake, take-out, return, blanked, release */
	const char *ledger_path;  /* evidence copies go to evidence/ beside it */
	const char *destination, *purpose, *permitted_on, *due_back;  /* take-out */
	const char *serial;       /* return: the returned disk's serial */
	const char *agreement, *repairer;                              /* release --to repair */
	const char *introduced, *maker, *seller, *use, *warranty, *media; /* intake */
	const char *method, *tool;                                     /* blanked */
};
/* Add this block's members to BODY (the release to repair copies the
 * agreement beside the ledger and records its SHA-256). 0, or -1 with what
 * is wrong, before anything is recorded. */
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
