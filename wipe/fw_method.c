/*
 * Firmware methods above the backends: which command set each needs, the
 * default "why not" of every method, probing a device by path, and running
 * a method with the checks every backend shares. Also the MMC backend,
 * which is only BLKSECDISCARD, and the small helpers the backends share
 * (messages, little-endian fields).
 */
#include "fw_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers shared by the backends ------------------------------------ */

void wp_fw_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	(void)n; /* truncation is intended */
}

uint16_t wp_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t wp_le32(const uint8_t *p)
{
	return (uint32_t)wp_le16(p) | (uint32_t)wp_le16(p + 2) << 16;
}

uint64_t wp_le64(const uint8_t *p)
{
	return (uint64_t)wp_le32(p) | (uint64_t)wp_le32(p + 4) << 32;
}

/* ---- buses ------------------------------------------------------------------ */

static const char *const bus_names[] = {
	[WP_FW_BUS_NONE] = "none", [WP_FW_BUS_ATA] = "ata", [WP_FW_BUS_NVME] = "nvme",
	[WP_FW_BUS_SCSI] = "scsi", [WP_FW_BUS_MMC] = "mmc", [WP_FW_BUS_OPTICAL] = "optical",
};

const char *wp_fw_bus_name(enum wp_fw_bus bus)
{
	return (size_t)bus < sizeof(bus_names) / sizeof(bus_names[0]) ? bus_names[bus] : "?";
}

enum wp_fw_bus wp_fw_method_bus(enum wp_fw_method m)
{
	switch (m) {
	case WP_FW_ATA_SECURE_ERASE: case WP_FW_ATA_SECURE_ERASE_ENH:
	case WP_FW_ATA_SANITIZE_CRYPTO: case WP_FW_ATA_SANITIZE_BLOCK:
	case WP_FW_ATA_SANITIZE_OVERWRITE:
		return WP_FW_BUS_ATA;
	case WP_FW_NVME_FORMAT_USER: case WP_FW_NVME_FORMAT_CRYPTO:
	case WP_FW_NVME_SANITIZE_CRYPTO: case WP_FW_NVME_SANITIZE_BLOCK:
	case WP_FW_NVME_SANITIZE_OVERWRITE:
		return WP_FW_BUS_NVME;
	case WP_FW_SCSI_SANITIZE_CRYPTO: case WP_FW_SCSI_SANITIZE_BLOCK:
	case WP_FW_SCSI_SANITIZE_OVERWRITE:
		return WP_FW_BUS_SCSI;
	case WP_FW_SECURE_DISCARD:
		return WP_FW_BUS_MMC;
	case WP_FW_OPTICAL_BLANK_FULL: case WP_FW_OPTICAL_BLANK_FAST:
	case WP_FW_OPTICAL_OVERWRITE:
		return WP_FW_BUS_OPTICAL;
	case WP_FW_NONE: case WP_FW_COUNT:
		break;
	}
	return WP_FW_BUS_NONE;
}

static const char *bus_long_name(enum wp_fw_bus bus)
{
	switch (bus) {
	case WP_FW_BUS_ATA: return "an ATA (SATA) disk";
	case WP_FW_BUS_NVME: return "an NVMe namespace";
	case WP_FW_BUS_SCSI: return "a SCSI/SAS disk";
	case WP_FW_BUS_MMC: return "an SD/eMMC card";
	case WP_FW_BUS_OPTICAL: return "a disc in an optical drive";
	case WP_FW_BUS_NONE: break;
	}
	return "a device that takes no erase commands";
}

void wp_fw_caps_init(struct wp_fw_caps *caps, enum wp_fw_bus bus)
{
	memset(caps, 0, sizeof(*caps));
	caps->bus = bus;
	if (bus == WP_FW_BUS_NONE)
		wp_fw_fmt(caps->note, sizeof(caps->note), "no firmware command is sent to this "
			  "device (a loop, virtual or USB-bridged disk): overwrite methods only");
	for (int m = WP_FW_NONE + 1; m < WP_FW_COUNT; m++) {
		enum wp_fw_bus need = wp_fw_method_bus((enum wp_fw_method)m);
		struct wp_fw_support *s = &caps->method[m];
		if (bus == WP_FW_BUS_NONE)
			wp_fw_fmt(s->why, sizeof(s->why), "%s", caps->note);
		else if (need != bus)
			wp_fw_fmt(s->why, sizeof(s->why), "a command for %s; this is %s",
				  bus_long_name(need), bus_long_name(bus));
		else
			wp_fw_fmt(s->why, sizeof(s->why), "the device was not asked (no identify "
				  "data)");
	}
}

/* ---- MMC: BLKSECDISCARD ---------------------------------------------------- */

/*
 * Linux offers BLKSECDISCARD on an MMC card only when the card's EXT_CSD
 * says it can secure-erase, an eMMC feature: an SD card has no EXT_CSD, so
 * the ioctl fails with EOPNOTSUPP on every SD card (drivers/mmc/core/
 * queue.c; seen on QEMU's sd-card in tests/hw). sysfs names the card type.
 * When it cannot be read (not a kernel block device) nothing is known.
 */
static bool mmc_is_sd_card(const char *path)
{
	const char *slash = strrchr(path, '/');
	char sys[320], type[16] = "";
	snprintf(sys, sizeof(sys), "/sys/class/block/%s/device/type", slash ? slash + 1 : path);
	FILE *f = fopen(sys, "re");
	if (!f)
		return false;
	bool sd = fgets(type, sizeof(type), f) && strcmp(type, "SD\n") == 0;
	fclose(f);
	return sd;
}

static int mmc_probe(const struct wp_fw_dev *dev, struct wp_fw_caps *caps)
{
	caps->probed = true;
	if (mmc_is_sd_card(dev->path)) {
		caps->method[WP_FW_SECURE_DISCARD].ok = false;
		wp_fw_fmt(caps->method[WP_FW_SECURE_DISCARD].why,
			  sizeof(caps->method[WP_FW_SECURE_DISCARD].why),
			  "an SD card has no secure erase (an eMMC feature), so the kernel "
			  "refuses BLKSECDISCARD: use an overwrite method");
		return 0;
	}
	/* An eMMC card tells only by trying; the medium check catches a no-op. */
	caps->method[WP_FW_SECURE_DISCARD].ok = true;
	caps->method[WP_FW_SECURE_DISCARD].why[0] = '\0';
	return 0;
}

static int mmc_run(const struct wp_fw_dev *dev, enum wp_fw_method m,
		   const struct wp_fw_caps *caps, const struct wp_run_ctl *ctl,
		   struct wp_firmware_record *rec, char *err, size_t errlen)
{
	(void)m;
	(void)caps;
	struct wp_progress_clock clock;
	uint64_t range[2] = { 0, dev->size_bytes };
	wp_progress_start(&clock);
	wp_fw_progress(dev, ctl, &clock, 0, false);
	if (dev->io->secdiscard(dev->io->ctx, dev->fd, range) < 0) {
		int e = errno;
		wp_fw_fmt(err, errlen, "%s: secure discard failed: %s%s", dev->path, strerror(e),
			  e == EOPNOTSUPP ? "; the card or its driver does not support it: use "
			  "an overwrite method" : "");
		return -1;
	}
	wp_fw_progress(dev, ctl, &clock, 65536, true);
	wp_fw_fmt(rec->expected, sizeof(rec->expected), "unknown");
	return 0;
}

const struct wp_backend wp_backend_mmc = {
	.name = "mmc", .bus = WP_FW_BUS_MMC, .probe = mmc_probe, .run = mmc_run,
};

/* ---- dispatch ------------------------------------------------------------------ */

const struct wp_backend *wp_backend_for(enum wp_fw_bus bus)
{
	switch (bus) {
	case WP_FW_BUS_ATA: return &wp_backend_ata;
	case WP_FW_BUS_NVME: return &wp_backend_nvme;
	case WP_FW_BUS_SCSI: return &wp_backend_scsi;
	case WP_FW_BUS_MMC: return &wp_backend_mmc;
	case WP_FW_BUS_OPTICAL: return &wp_backend_optical;
	case WP_FW_BUS_NONE: break;
	}
	return NULL;
}

int wp_fw_probe(const struct wp_fw_dev *dev, struct wp_fw_caps *caps)
{
	const struct wp_backend *b = wp_backend_for(dev->bus);
	wp_fw_caps_init(caps, dev->bus);
	if (!b)
		return 0;
	if (b->probe(dev, caps) == 0)
		return 0;
	/* no answer: every method of this bus is unavailable, with the reason */
	for (int m = WP_FW_NONE + 1; m < WP_FW_COUNT; m++)
		if (wp_fw_method_bus((enum wp_fw_method)m) == dev->bus) {
			caps->method[m].ok = false;
			wp_fw_fmt(caps->method[m].why, sizeof(caps->method[m].why),
				  "the device did not answer its identify command: %s", caps->note);
		}
	return -1;
}

int wp_fw_probe_path(const char *path, enum wp_fw_bus bus, struct wp_fw_caps *caps)
{
	wp_fw_caps_init(caps, bus);
	if (bus == WP_FW_BUS_NONE)
		return 0;
	/* read-only and non-blocking: identify commands need no write access */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		wp_fw_fmt(caps->note, sizeof(caps->note), "cannot open %s to ask it: %s%s", path,
			  strerror(errno), errno == EACCES ? " (run as root)" : "");
		for (int m = WP_FW_NONE + 1; m < WP_FW_COUNT; m++)
			if (wp_fw_method_bus((enum wp_fw_method)m) == bus)
				wp_fw_fmt(caps->method[m].why, sizeof(caps->method[m].why), "%s",
					  caps->note);
		return -1;
	}
	struct wp_fw_dev dev = { .fd = fd, .path = path, .io = wp_fw_io_kernel(), .bus = bus };
	int rc = wp_fw_probe(&dev, caps);
	close(fd);
	return rc;
}

void wp_fw_progress(const struct wp_fw_dev *dev, const struct wp_run_ctl *ctl,
		    struct wp_progress_clock *clock, uint32_t done_of_65536, bool final)
{
	if (!ctl)
		return;
	uint64_t total = dev->size_bytes ? dev->size_bytes : 65536;
	uint64_t done = (uint64_t)((unsigned __int128)total * done_of_65536 / 65536);
	wp_progress_emit(ctl, clock, "firmware", 1, 1, done, total, final);
}

bool wp_fw_stop_requested(const struct wp_run_ctl *ctl)
{
	return ctl && ctl->stop && *ctl->stop;
}

static const char *command_text(enum wp_fw_method m)
{
	const struct wp_method *meth = wp_fw_method(m);
	return meth ? meth->description : "?";
}

int wp_fw_run(const struct wp_fw_dev *dev, enum wp_fw_method m,
	      const struct wp_fw_caps *caps, const struct wp_run_ctl *ctl,
	      struct wp_firmware_record *rec, char *err, size_t errlen)
{
	const struct wp_backend *b = wp_backend_for(dev->bus);
	const struct wp_method *meth = wp_fw_method(m);
	memset(rec, 0, sizeof(*rec));
	if (!meth || !b || wp_fw_method_bus(m) != dev->bus) {
		wp_fw_fmt(err, errlen, "%s: %s is not possible here: %s", dev->path,
			  meth ? meth->name : "this method",
			  meth ? caps->method[m].why : "unknown method");
		return -1;
	}
	if (!caps->method[m].ok) {
		wp_fw_fmt(err, errlen, "%s: %s is not possible here: %s", dev->path, meth->name,
			  caps->method[m].why);
		return -1;
	}
	rec->used = true;
	wp_fw_fmt(rec->command, sizeof(rec->command), "%s", command_text(m));
	double started = wp_now();
	int rc = b->run(dev, m, caps, ctl, rec, err, errlen);
	rec->seconds = wp_now() - started;
	wp_fw_fmt(rec->status, sizeof(rec->status), "%s", rc == 0 ? "success" : err);
	if (!rec->expected[0])
		wp_fw_fmt(rec->expected, sizeof(rec->expected), "unknown");
	return rc;
}
