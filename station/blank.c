/*
 * `custody blanked --device DEV`: the station blanks a rewritable disc
 * itself (wipe/fw_optical.c) and records the `blanked` event from what the
 * drive did (issue 17 item 9, R12). Everything that can refuse does so
 * before a command that writes reaches the drive: the ledger's rules for
 * the event (a rewritable disc on record, a full blank, an approval to
 * wipe, not taken out), the device (an optical drive holding a disc, not a
 * write-once one by udev's word) and the disc itself (GET CONFIGURATION's
 * profile, read-only: a CD-R, a pressed disc or a disc of another kind
 * than the asset's record is refused). A blank that fails records nothing:
 * the disc is not blanked.
 */
#include "station_internal.h"
#include "wpi18n.h"
#include "firmware.h"
#include "wptext.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define refuse(err, errlen, ...) wp_st_fail(WP_CUSTODY_REFUSED, (err), (errlen), __VA_ARGS__)

/* The ledger's word on the event, and the asset's recorded medium. */
static int check_ledger(const struct wp_station_blank *b, char *media, size_t medialen,
			char *err, size_t errlen)
{
	struct wp_ledger *l = NULL;
	struct wp_asset_state *st = malloc(sizeof(*st));
	int rc = st ? wp_ledger_open(b->ledger_path, &l, err, errlen) : WP_CUSTODY_ERROR;
	if (!st)
		snprintf(err, errlen, _("out of memory"));
	if (rc == 0)
		rc = wp_ledger_set_ca(l, wp_identity_ca(b->actor), err, errlen);
	if (rc == 0)
		rc = wp_custody_check_event(l, b->actor, WP_EV_BLANKED, b->asset, b->body, err,
					    errlen);
	if (rc == 0)
		rc = wp_custody_state(l, b->asset, st, err, errlen);
	if (rc == 0)
		snprintf(media, medialen, "%s", st->media);
	wp_ledger_close(l);
	free(st);
	return rc;
}

static int check_device(const struct wp_station_blank *b, const struct wp_device *dev,
			const char *media, char *err, size_t errlen)
{
	if (dev->kind != WP_KIND_OPTICAL)
		return refuse(err, errlen, _("%s is not an optical drive (%s): custody blanked "
			      "--device blanks a disc in a CD/DVD/BD drive; nothing was sent"),
			      b->device, wp_kind_name(dev->kind));
	if (dev->no_medium)
		return refuse(err, errlen, _("%s holds no disc: put asset %s's disc in and try "
			      "again"), b->device, b->asset);
	/* udev's word when cdrom_id named the disc; a disc it did not name
	 * counts as write-once there (udev/discover.c), and here the drive's
	 * own profile decides instead (GET CONFIGURATION, read-only) */
	if (dev->optical_write_once && dev->media[0])
		return refuse(err, errlen, _("the disc in %s is write-once (%s): it cannot be "
			      "blanked, only destroyed (R12); nothing was sent"), b->device,
			      dev->media);
	if (dev->media[0] && media[0] && strcmp(dev->media, media) != 0)
		return refuse(err, errlen, _("the disc in %s is a %s, but asset %s is recorded as a "
			      "%s: this is not the asset's disc; nothing was sent"), b->device,
			      dev->media, b->asset, media);
	return 0;
}

/* The method the disc takes: BLANK where MMC has it, else the overwrite. */
static enum wp_fw_method pick(const struct wp_fw_caps *caps, bool fast)
{
	if (caps->optical.overwritable)
		return WP_FW_OPTICAL_OVERWRITE;
	return fast ? WP_FW_OPTICAL_BLANK_FAST : WP_FW_OPTICAL_BLANK_FULL;
}

static int run_blank(const struct wp_station_blank *b, const struct wp_device *dev,
		     const char *media, char *err, size_t errlen)
{
	struct wp_fw_caps *caps = malloc(sizeof(*caps));
	struct wp_firmware_record rec;
	int fd = -1, rc = 0;
	if (!caps) {
		snprintf(err, errlen, _("out of memory"));
		return WP_CUSTODY_ERROR;
	}
	if (!b->io) {
		/* read-write for BLANK and WRITE(10), as libburn opens a drive: with
		 * O_NONBLOCK the cdrom layer skips its open-for-write checks, which
		 * refuse a CD-RW (EROFS); exclusive: nobody mounts it meanwhile */
		fd = open(b->device, O_RDWR | O_NONBLOCK | O_EXCL | O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, _("cannot open %s: %s%s"), b->device, strerror(errno),
				 errno == EBUSY ? _(" (mounted or in use: unmount it)") : "");
			free(caps);
			return WP_CUSTODY_ERROR;
		}
	}
	struct wp_fw_dev fw = { .fd = fd, .path = b->device,
				.io = b->io ? b->io : wp_fw_io_kernel(),
				.bus = WP_FW_BUS_OPTICAL, .size_bytes = dev->size_bytes,
				.block_size = 2048 };
	const char *method = json_string_value(json_object_get(b->body, "method"));
	bool fast = method && strcmp(method, "fast") == 0;
	if (wp_fw_probe(&fw, caps) < 0) {
		snprintf(err, errlen, "%s: %s", b->device, caps->note);
		rc = WP_CUSTODY_ERROR;
	}
	enum wp_fw_method m = pick(caps, fast);
	/* the disc says what it is: a CD-R or a disc of another kind than
	 * the record is refused before BLANK or WRITE(10) */
	if (rc == 0 && !caps->method[m].ok)
		rc = refuse(err, errlen, _("%s: %s; nothing was written"), b->device,
			    caps->method[m].why);
	if (rc == 0 && media[0] && strcmp(caps->optical.name, media) != 0)
		rc = refuse(err, errlen, _("the disc in %s is a %s (the drive's profile %04Xh), but "
			    "asset %s is recorded as a %s: this is not the asset's disc; nothing was "
			    "written"), b->device, caps->optical.name, caps->optical.profile,
			    b->asset, media);
	if (rc == 0 && wp_fw_run(&fw, m, caps, b->ctl, &rec, err, errlen) < 0)
		rc = WP_CUSTODY_ERROR; /* not blanked: nothing is recorded */
	if (rc == 0) {
		char tool[64];
		snprintf(tool, sizeof(tool), "wipeproof %s", WP_VERSION);
		wp_json_set(b->body, "tool", json_string(tool));
		wp_json_set(b->body, "command", json_string(rec.command));
		wp_json_set(b->body, "device", json_string(b->device));
		wp_json_set(b->body, "disc", json_string(caps->optical.name));
		wp_json_set(b->body, "result", json_string(rec.status));
		wp_json_set(b->body, "checked", json_string(
			m == WP_FW_OPTICAL_OVERWRITE ? "every block read back as zeros"
			: "READ DISC INFORMATION: disc status empty"));
		wp_json_set(b->body, "seconds", json_integer((json_int_t)(rec.seconds + 0.5)));
	}
	if (fd >= 0)
		close(fd);
	free(caps);
	return rc;
}

int wp_station_blank(const struct wp_station_blank *b, uint64_t *seq, char hash[WP_HASH_HEX],
		     char *err, size_t errlen)
{
	char media[16] = "";
	if (b->tool_given)
		return refuse(err, errlen, _("--tool names the tool of a blank done by hand; with "
			      "--device wipeproof blanks the disc and records itself"));
	int rc = check_ledger(b, media, sizeof(media), err, errlen);
	struct wp_device *dev = NULL;
	if (rc == 0 && !b->dev) {
		dev = calloc(1, sizeof(*dev));
		if (!dev) {
			snprintf(err, errlen, _("out of memory"));
			rc = WP_CUSTODY_ERROR;
		} else if (wp_media_probe(b->device, NULL, dev, err, errlen) < 0) {
			rc = WP_CUSTODY_REFUSED;
		}
	}
	const struct wp_device *d = b->dev ? b->dev : dev;
	if (rc == 0)
		rc = check_device(b, d, media, err, errlen);
	if (rc == 0)
		rc = run_blank(b, d, media, err, errlen);
	free(dev);
	if (rc != 0)
		return rc;
	return wp_custody_record(b->ledger_path, b->actor, NULL, b->ask, b->body, seq, hash, err,
				 errlen);
}
