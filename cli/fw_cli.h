/*
 * Firmware capabilities and plans as the commands show them (fwcaps.c);
 * shared by list, plan and wipe. Not a module interface.
 */
#ifndef WP_FW_CLI_H
#define WP_FW_CLI_H

#include "cli.h"

/* Which command set the device's transport suggests: ATA pass-through only
 * to sd disks behind libata, NVMe admin only to NVMe namespaces, SCSI only
 * to SCSI disks, BLKSECDISCARD only to SD/eMMC; nothing to the rest. */
enum wp_fw_bus wp_fw_bus_of(const struct wp_device *dev);
enum wp_media wp_media_of(const struct wp_device *dev);

/* Ask the device (read-only) what it supports; never fails: a device that
 * does not answer gets every method unavailable, with the reason. */
void wp_device_caps(const struct wp_device *dev, struct wp_fw_caps *caps);

json_t *wp_caps_to_json(const struct wp_fw_caps *caps);
/* "    firmware: ..." lines under a device in tables. */
void wp_print_caps(FILE *out, const struct wp_fw_caps *caps);

/* The hidden-area part of a job report, from the probe. */
void wp_hidden_from_caps(const struct wp_fw_caps *caps, const struct wp_device *dev,
			 struct wp_hidden_record *rec);

/* ---- one drive of a wipe (wipe_firmware.c) ---------------------------- */

struct wp_drive_plan {
	struct wp_fw_caps caps;
	struct wp_plan plan;
	const struct wp_fw_io *io;   /* NULL: the kernel; tests: a simulated drive */
};

/* Ask the disk, then plan it: METHOD (NULL: choose) at LEVEL. Prints why
 * not, with "nothing was written"; a wp_exit code. */
int wp_wipe_plan_drive(const struct wp_device *dev, const char *method, enum wp_level level,
		       struct wp_drive_plan *out);

/* The plan's part of the job report: category, reason, hidden areas. */
void wp_wipe_plan_to_job(const struct wp_drive_plan *p, const struct wp_device *dev,
			 struct wp_job *job);

/* --remove-hpa on an ATA disk with a Host Protected Area: restore the
 * native max (volatile), rescan so the kernel sees it, and widen T to the
 * new size. Returns 0 (also when there is nothing to remove), or -1 with
 * the job failed and nothing written. */
int wp_wipe_remove_hpa(const struct wp_drive_plan *p, const struct wp_device *dev,
		       struct wp_io_target *t, struct wp_job *job);

/*
 * A firmware wipe: fingerprint a seeded sample, send the command, then
 * require every sampled block to have changed and, when the command
 * promises known content (zeros), read it back as --verify asks. Fills
 * job->firmware, fingerprint, verify, passes and result; only a medium
 * that passed the checks is "sanitized".
 */
void wp_wipe_firmware(const struct wp_drive_plan *p, const struct wp_method *method,
		      const struct wp_io_target *t, enum wp_verify_mode mode,
		      const struct wp_run_ctl *ctl, struct wp_job *job);

#endif
