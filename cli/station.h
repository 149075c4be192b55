/*
 * Station mode in the CLI (cmd_watch.c, station_policy.c, cmd_freespace.c):
 * `watch` follows hot-plugged disks, takes them in and, where the station
 * policy allows, wipes them; `freespace` wipes a mounted filesystem's free
 * space. Not a module interface: only these files and main.c include it.
 */
#ifndef WP_STATION_H
#define WP_STATION_H

#include "cli.h"

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

int wp_cmd_watch_main(int argc, char **argv);
int wp_cmd_freespace_main(int argc, char **argv);
/* `wipeproof resume [JOB]` (cmd_resume.c): continue an interrupted wipe. */
int wp_cmd_resume_main(int argc, char **argv);
void wp_resume_usage(FILE *out);
void wp_watch_usage(FILE *out);
void wp_freespace_usage(FILE *out);

#endif
