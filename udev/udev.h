/*
 * udev/ — media discovery and the safety guard.
 *
 * Discovery works with or without a running udev daemon: udev properties are
 * used when the udev database has them, otherwise sysfs attributes and ioctls
 * are read directly (wipe stations and the emulated test bed often run
 * without systemd-udevd).
 *
 * The guard is split in two on purpose: probing collects facts about a disk
 * (mounted partitions, swap, holders, root/boot, read-only, optical media)
 * into struct wp_device; wp_guard_evaluate() turns those facts into a
 * protected flag and reasons. The rules therefore run on synthetic device
 * descriptions in unit tests, without any real disk.
 *
 * Errors: functions return 0 on success and -1 on failure, with a one-line
 * message in the caller's buffer naming the path and what to do.
 */
#ifndef WP_UDEV_H
#define WP_UDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WP_MAX_PARTITIONS 64
#define WP_MAX_HOLDERS 16
#define WP_MAX_REASONS 8

enum wp_kind {
	WP_KIND_UNKNOWN = 0,
	WP_KIND_HDD,
	WP_KIND_SSD,
	WP_KIND_NVME,
	WP_KIND_USB,
	WP_KIND_MMC,
	WP_KIND_OPTICAL,
	WP_KIND_LOOP,
	WP_KIND_VIRTUAL,
};

enum wp_transport {
	WP_TRANSPORT_UNKNOWN = 0,
	WP_TRANSPORT_ATA,
	WP_TRANSPORT_NVME,
	WP_TRANSPORT_USB,
	WP_TRANSPORT_SCSI,
	WP_TRANSPORT_MMC,
	WP_TRANSPORT_VIRTIO,
	WP_TRANSPORT_LOOP,
};

/* What is on a partition, or on the whole disk when it has no table. */
struct wp_fsinfo {
	char fstype[32];      /* blkid TYPE, "" if none found */
	char label[128];
	char uuid[64];
	char mountpoint[256]; /* first mount point, "" if not mounted */
};

struct wp_partition {
	char path[64];        /* /dev/sda1 */
	unsigned number;      /* partition number */
	uint64_t size_bytes;
	struct wp_fsinfo fs;
};

/* Protection reason codes, stable strings for --json and tests. */
#define WP_REASON_MOUNTED "mounted"
#define WP_REASON_SWAP "swap"
#define WP_REASON_SYSTEM_DISK "system-disk"
#define WP_REASON_HOLDERS "holders"
#define WP_REASON_READ_ONLY "read-only"
#define WP_REASON_WRITE_ONCE "write-once"
#define WP_REASON_OPTICAL "optical"
#define WP_REASON_NO_MEDIUM "no-medium"

struct wp_protect_reason {
	char code[32];        /* one of WP_REASON_* */
	char text[256];       /* a sentence for a person, naming the cause */
	bool overridable;     /* only "holders", with --force-holders */
};

struct wp_device {
	/* identity */
	char path[64];        /* /dev/sdb */
	char name[32];        /* sdb (kernel name) */
	dev_t devno;
	enum wp_kind kind;
	enum wp_transport transport;
	char model[128];      /* "" if unknown */
	char serial[128];     /* "" if unknown */
	char serial_source[16]; /* udev, sysfs, vpd80, nvme, loop, "" */
	char backing_file[4096]; /* loop devices only */

	/* geometry and flags */
	uint64_t size_bytes;
	unsigned logical_block_size;
	unsigned physical_block_size;
	bool rotational;
	bool removable;
	bool read_only;

	/* content */
	char pttype[16];      /* "gpt", "dos", "" */
	struct wp_fsinfo whole_fs; /* filesystem directly on the disk */
	size_t n_partitions;
	struct wp_partition partitions[WP_MAX_PARTITIONS];
	size_t n_holders;
	char holders[WP_MAX_HOLDERS][32]; /* dm-0, md127 (of disk or partitions) */

	/* facts the guard reads, filled by probing */
	bool holds_system;    /* holds /, /boot or /boot/efi, via any path */
	char system_mount[64];/* which of those, for the message */
	bool swap_active;     /* a partition, the disk or a file on it is swap */
	char swap_what[256];
	bool mounted;         /* any mount resolves to this disk */
	char mounted_what[320]; /* "/dev/sdb1 on /media/usb" */
	bool optical_write_once; /* CD-R, DVD±R, BD-R medium (or unknown) */
	/* ---- issue 17: the maker and the disc (identify.c) */
	char media[16];       /* optical medium in the drive: "CD-R", "CD-RW", ... or "" */
	char maker[128];      /* from a standard field (see maker_source), "" unknown */
	char maker_source[16];/* scsi-inquiry, wwn-oui, pci-vendor, "" */
	bool no_medium;       /* removable drive with no medium (size 0) */

	/* guard verdict, filled by wp_guard_evaluate() */
	bool protected_;      /* "protected" is not a C keyword, but C++-safe */
	size_t n_reasons;
	struct wp_protect_reason reasons[WP_MAX_REASONS];
};

struct wp_device_list {
	size_t n;
	struct wp_device *items;
};

struct wp_guard_opts {
	bool force_holders;   /* allow disks with LVM/md/dm-crypt holders */
};

/* Enumerate whole disks (loop devices with a backing file included; empty
 * loop, ram, zram, dm and md nodes excluded), probe each, and evaluate the
 * guard with default options. Sorted by kernel name. */
int wp_media_enumerate(struct wp_device_list *out, char *err, size_t errlen);
void wp_media_list_free(struct wp_device_list *list);

/*
 * Probe one device given by path (a /dev node or a symlink to one).
 * Refuses, with a message saying what to do: a nonexistent path, anything
 * that is not a block device, and a partition (naming its whole disk).
 * Evaluates the guard with the given options (NULL = defaults).
 */
int wp_media_probe(const char *path, const struct wp_guard_opts *opts,
		   struct wp_device *out, char *err, size_t errlen);

/* Fill dev->protected_ and dev->reasons from the facts in dev.
 * Pure: reads nothing but *dev and *opts. */
void wp_guard_evaluate(struct wp_device *dev, const struct wp_guard_opts *opts);

/* True when any reason is one that no option overrides. */
bool wp_guard_hard_refusal(const struct wp_device *dev);

/* May this device-mapper node be probed and wiped? Only a test mapping
 * whose dm UUID starts with WP_DM_TEST_UUID_PREFIX (guard.c says why). */
#define WP_DM_TEST_UUID_PREFIX "WIPEPROOF-TEST-"
bool wp_guard_dm_test_uuid(const char *dm_uuid);

const char *wp_kind_name(enum wp_kind kind);
const char *wp_transport_name(enum wp_transport transport);

/* A short human summary: "SanDisk Ultra (USB, 14.9 GiB, serial 4C53…)". */
void wp_device_describe(const struct wp_device *dev, char *buf, size_t len);

/* "14.9 GiB" style size for people; binary units. */
void wp_format_size(uint64_t bytes, char *buf, size_t len);

/* ---- the same disk (guard.c) ---- */

/* What was recorded of a disk: when the operator confirmed it, in a job,
 * in a report. A field left unset (NULL, 0) is not compared: a report has
 * no device number, a job no longer knows it. */
struct wp_disk_ident {
	const char *serial;           /* "" is compared: a disk without one */
	const char *model;
	uint64_t size_bytes;
	unsigned logical_block_size;
	dev_t devno;
};
/* Is DEV that disk? Every set field must match. */
bool wp_disk_is(const struct wp_device *dev, const struct wp_disk_ident *id);

/* ---- the mount lookup (mounts.c) ---- */

/* The filesystem mounted exactly on a folder (the last one: mounts stack). */
struct wp_mount {
	char dir[4096];
	char source[4096];
	char fstype[64];
};
/* PATH resolved (realpath) and looked up in /proc/self/mountinfo; -1 with
 * a message when it does not exist or is not a mount point. */
int wp_mount_lookup(const char *path, struct wp_mount *out, char *err, size_t errlen);

/* ---- disks arriving and leaving (monitor.c) ----------------------------- */

struct wp_media_monitor;

enum wp_media_event_kind {
	WP_MEDIA_ARRIVED,     /* a whole disk with a size: dev is probed, guard evaluated */
	WP_MEDIA_REMOVED,     /* a disk it knew left: path and serial as they were */
	WP_MEDIA_UNREADABLE,  /* arrived but could not be probed: err */
};

struct wp_media_event {
	enum wp_media_event_kind kind;
	char path[64], serial[128];
	const struct wp_device *dev; /* ARRIVED: valid until the next call */
	char err[512];
};

/* Listen for block disk events (udev's when a udev daemon runs, else the
 * kernel's), then take the disks present now as known: they are not
 * reported. -1 with err (netlink needs root). */
int wp_media_monitor_open(struct wp_media_monitor **out, char *err, size_t errlen);
void wp_media_monitor_close(struct wp_media_monitor *m);
const char *wp_media_monitor_source(const struct wp_media_monitor *m); /* "udev"/"kernel" */
size_t wp_media_monitor_known(const struct wp_media_monitor *m);
/* Wait up to TIMEOUT_MS for one event: 1 with EV filled, 0 when none of
 * ours came. */
int wp_media_monitor_next(struct wp_media_monitor *m, int timeout_ms, struct wp_media_event *ev);

/* ---- issue 17: the maker and the disc (identify.c): pure, fed with recorded properties */

/* A udev property (or hwdb entry) by key; NULL when absent. */
typedef const char *(*wp_prop_fn)(const char *key, void *ctx);
/* The medium cdrom_id names (ID_CDROM_MEDIA_*): "CD-R", "CD-RW",
 * "DVD+R DL", "CD-ROM", ... or "" when it names none. *write_once is true
 * for a write-once medium and for one it does not name. */
const char *wp_optical_medium(wp_prop_fn get, void *ctx, bool *write_once);
/* The IEEE OUI (6 upper-case hex digits) of a udev ID_WWN of NAA 5 or 6. */
bool wp_wwn_oui(const char *wwn, char oui[7]);
struct wp_maker_ids {
	const char *scsi_vendor;   /* sysfs device/vendor (SCSI INQUIRY), or NULL */
	const char *wwn;           /* udev ID_WWN, or NULL */
	const char *pci_vendor;    /* an NVMe controller's sysfs vendor "0x144d", or NULL */
};
/* The maker from the first standard field that names one: the SCSI T10
 * vendor (not libata's "ATA"), the WWN's OUI, the PCI vendor id; names
 * from hwdb ("OUI:XXXXXX" -> ID_OUI_FROM_DATABASE, "pci:vXXXXXXXX" ->
 * ID_VENDOR_FROM_DATABASE) when it has them. "" when none does: the model's
 * first word is not a maker. */
void wp_maker_pick(const struct wp_maker_ids *ids, wp_prop_fn hwdb, void *ctx, char *maker,
		   size_t len, char *source, size_t srclen);

#endif
