/*
 * The safety guard: facts about a disk in, a verdict out. Pure on purpose,
 * so every rule runs in unit tests on synthetic devices. Also the small
 * formatting helpers people see next to that verdict.
 */
#include "udev_internal.h"
#include "wpi18n.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void add_reason(struct wp_device *dev, const char *code,
		       bool overridable, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Reasons past WP_MAX_REASONS are dropped, never written out of bounds; the
 * device stays protected because at least one reason is already there. */
static void add_reason(struct wp_device *dev, const char *code,
		       bool overridable, const char *fmt, ...)
{
	struct wp_protect_reason *r;
	va_list ap;

	if (dev->n_reasons >= WP_MAX_REASONS)
		return;
	r = &dev->reasons[dev->n_reasons++];
	wp_fmt(r->code, sizeof(r->code), "%s", code);
	r->overridable = overridable;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
}

static const char *system_mount_label(const char *mount)
{
	if (strcmp(mount, "/") == 0)
		return _("root filesystem");
	if (strcmp(mount, "/boot/efi") == 0)
		return _("EFI system partition");
	if (strcmp(mount, "/boot") == 0)
		return _("boot filesystem");
	return _("system filesystem");
}

/* The mount point in "X on /mnt/y", for the umount hint. */
static const char *mount_point_of(const char *what)
{
	const char *on = strstr(what, " on ");

	return on ? on + 4 : what;
}

static void add_use_reasons(struct wp_device *dev)
{
	if (dev->holds_system) {
		const char *m = dev->system_mount[0] ? dev->system_mount : "/";

		add_reason(dev, WP_REASON_SYSTEM_DISK, false,
			   _("%s holds the running system's %s (%s); wipeproof "
			   "never wipes it"), dev->path, m, system_mount_label(m));
	}
	if (dev->mounted) {
		char hint[300] = "";

		/* "umount /" would be bad advice for the system's own disk */
		if (!dev->holds_system)
			wp_fmt(hint, sizeof(hint), _("; unmount it first (umount %s)"),
			       mount_point_of(dev->mounted_what));
		add_reason(dev, WP_REASON_MOUNTED, false,
			   _("%s has a mounted filesystem: %s%s"), dev->path,
			   dev->mounted_what, hint);
	}
	if (dev->swap_active)
		add_reason(dev, WP_REASON_SWAP, false,
			   _("%s has active swap: %s; run swapoff %s first"),
			   dev->path, dev->swap_what, dev->swap_what);
}

static void add_holders_reason(struct wp_device *dev)
{
	char list[WP_MAX_HOLDERS * 34] = "";
	size_t used = 0;

	for (size_t i = 0; i < dev->n_holders && i < WP_MAX_HOLDERS; i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s",
				 i ? ", " : "", dev->holders[i]);

		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	add_reason(dev, WP_REASON_HOLDERS, true,
		   _("%s is in use by %s (LVM, RAID or encryption); stop them, "
		   "or pass --force-holders"), dev->path, list);
}

static void add_media_reasons(struct wp_device *dev)
{
	if (dev->read_only)
		add_reason(dev, WP_REASON_READ_ONLY, false,
			   _("%s is read-only (write-protect switch or read-only "
			   "device)"), dev->path);
	if (dev->optical_write_once)
		add_reason(dev, WP_REASON_WRITE_ONCE, false,
			   _("%s is write-once optical media (CD-R/DVD-R); it "
			   "cannot be erased: destroy it physically (R12)"),
			   dev->path);
	else if (dev->kind == WP_KIND_OPTICAL && !dev->no_medium)
		add_reason(dev, WP_REASON_OPTICAL, false,
			   _("%s: optical media are not wiped by overwrite; "
			   "destroy them physically or blank with the drive's "
			   "own tool"), dev->path);
	if (dev->no_medium)
		add_reason(dev, WP_REASON_NO_MEDIUM, false,
			   _("%s has no medium; insert the card or disc and list "
			   "again"), dev->path);
}

void wp_guard_evaluate(struct wp_device *dev, const struct wp_guard_opts *opts)
{
	bool force_holders = opts && opts->force_holders;

	dev->protected_ = false;
	dev->n_reasons = 0;
	memset(dev->reasons, 0, sizeof(dev->reasons));

	add_use_reasons(dev);
	if (dev->n_holders > 0 && !force_holders)
		add_holders_reason(dev);
	add_media_reasons(dev);
	dev->protected_ = dev->n_reasons > 0;
}

/* Device-mapper nodes are refused: an LVM volume, a dm-crypt mapping or a
 * multipath map is a part or a view of a disk, so wiping it leaves the
 * disk itself unsanitized and a certificate would name no hardware. The
 * one exception lets the fault tests use dm-error and dm-flakey, the
 * kernel's own way of producing real medium errors: a mapping its creator
 * marked with `dmsetup create --uuid WIPEPROOF-TEST-...`. LVM (LVM-),
 * cryptsetup (CRYPT-) and multipath (mpath-) never choose such a UUID, so
 * no real volume passes by accident. The mapping still carries every use
 * of the disks below it (discover.c: wp_usage_apply_below), so one over a
 * spare partition of the system disk, or of a disk with a mounted
 * partition, is protected as that disk is. */
bool wp_guard_dm_test_uuid(const char *dm_uuid)
{
	size_t n = strlen(WP_DM_TEST_UUID_PREFIX);

	return dm_uuid && strncmp(dm_uuid, WP_DM_TEST_UUID_PREFIX, n) == 0 &&
	       dm_uuid[n] != '\0';
}

bool wp_guard_hard_refusal(const struct wp_device *dev)
{
	for (size_t i = 0; i < dev->n_reasons && i < WP_MAX_REASONS; i++)
		if (!dev->reasons[i].overridable)
			return true;
	return false;
}

const char *wp_kind_name(enum wp_kind kind)
{
	switch (kind) {
	case WP_KIND_HDD: return "hdd";
	case WP_KIND_SSD: return "ssd";
	case WP_KIND_NVME: return "nvme";
	case WP_KIND_USB: return "usb";
	case WP_KIND_MMC: return "mmc";
	case WP_KIND_OPTICAL: return "optical";
	case WP_KIND_LOOP: return "loop";
	case WP_KIND_VIRTUAL: return "virtual";
	case WP_KIND_UNKNOWN: break;
	}
	return "unknown";
}

const char *wp_transport_name(enum wp_transport transport)
{
	switch (transport) {
	case WP_TRANSPORT_ATA: return "ata";
	case WP_TRANSPORT_NVME: return "nvme";
	case WP_TRANSPORT_USB: return "usb";
	case WP_TRANSPORT_SCSI: return "scsi";
	case WP_TRANSPORT_MMC: return "mmc";
	case WP_TRANSPORT_VIRTIO: return "virtio";
	case WP_TRANSPORT_LOOP: return "loop";
	case WP_TRANSPORT_UNKNOWN: break;
	}
	return "unknown";
}

/* How people write the transport in prose, as opposed to the stable names. */
static const char *transport_label(enum wp_transport transport)
{
	switch (transport) {
	case WP_TRANSPORT_ATA: return "ATA";
	case WP_TRANSPORT_NVME: return "NVMe";
	case WP_TRANSPORT_USB: return "USB";
	case WP_TRANSPORT_SCSI: return "SCSI";
	case WP_TRANSPORT_MMC: return "MMC";
	case WP_TRANSPORT_VIRTIO: return "virtio";
	case WP_TRANSPORT_LOOP: return "loop";
	case WP_TRANSPORT_UNKNOWN: break;
	}
	return NULL;
}

void wp_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB",
					    "TiB", "PiB", "EiB" };
	const size_t last = sizeof(unit) / sizeof(unit[0]) - 1;
	size_t u = 0;
	uint64_t div, whole, tenths;

	while (u < last && bytes >> (10 * (u + 1)) > 0)
		u++;
	if (u == 0) {
		wp_fmt(buf, len, "%" PRIu64 " B", bytes);
		return;
	}
	for (;;) {
		div = (uint64_t)1 << (10 * u);
		whole = bytes / div;
		/* rem < div <= 2^60, so rem * 10 cannot overflow */
		tenths = ((bytes % div) * 10 + div / 2) / div;
		if (tenths == 10) {
			whole++;
			tenths = 0;
		}
		if (whole < 1024 || u == last)
			break;
		u++; /* 1048575 bytes is "1.0 MiB", not "1024.0 KiB" */
	}
	wp_fmt(buf, len, "%" PRIu64 ".%" PRIu64 " %s", whole, tenths, unit[u]);
}

void wp_device_describe(const struct wp_device *dev, char *buf, size_t len)
{
	const char *model = dev->model[0] ? dev->model
			    : dev->path[0] ? dev->path : "unknown device";
	const char *transport = transport_label(dev->transport);
	char size[32];
	char serial[160];

	wp_format_size(dev->size_bytes, size, sizeof(size));
	if (dev->serial[0])
		wp_fmt(serial, sizeof(serial), "serial %s", dev->serial);
	else
		wp_fmt(serial, sizeof(serial), "no serial");
	if (transport)
		wp_fmt(buf, len, "%s (%s, %s, %s)", model, transport, size,
		       serial);
	else
		wp_fmt(buf, len, "%s (%s, %s)", model, size, serial);
}

/* ---- is it still that disk? --------------------------------------------- */

/* One comparison for every "is this the disk that was confirmed / that the
 * job wrote / that the report names" question, so none of them can forget
 * a field the others check. */
bool wp_disk_is(const struct wp_device *dev, const struct wp_disk_ident *id)
{
	return (!id->serial || strcmp(dev->serial, id->serial) == 0) &&
	       (!id->model || strcmp(dev->model, id->model) == 0) &&
	       (!id->size_bytes || dev->size_bytes == id->size_bytes) &&
	       (!id->logical_block_size || dev->logical_block_size == id->logical_block_size) &&
	       (!id->devno || dev->devno == id->devno);
}
