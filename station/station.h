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
