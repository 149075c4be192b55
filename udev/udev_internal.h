/*
 * udev/ internals shared by discover.c and sysfs.c. Not installed, not part
 * of the module's contract (that is udev.h).
 */
#ifndef WP_UDEV_INTERNAL_H
#define WP_UDEV_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "udev.h"

#define WP_NAME_LEN 32
/* A dm or md device may sit on several disks; more than this is unusual and
 * only the first ones are remembered. */
#define WP_USE_MAX_DISKS 16

/* ---- sysfs attribute reading (sysfs.c) ---- */

/* Read dir/attr into buf, trailing and leading whitespace removed.
 * Returns 0, or -1 when the attribute is missing or unreadable. */
int wp_sysfs_read(const char *dir, const char *attr, char *buf, size_t len);
int wp_sysfs_u64(const char *dir, const char *attr, uint64_t *out);
bool wp_sysfs_exists(const char *dir, const char *attr);

/* Remove leading and trailing whitespace in place. */
void wp_trim(char *s);

/* snprintf that may truncate on purpose: messages and descriptions are cut
 * rather than refused, and this keeps -Wformat-truncation quiet about it. */
void wp_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* True when a path component of path is prefix followed by digits only
 * ("usb2" for prefix "usb"). */
bool wp_path_has_component(const char *path, const char *prefix);

/* The serial from a binary SCSI VPD page 0x80 file (dir/device/vpd_pg80). */
int wp_sysfs_vpd80_serial(const char *sysdir, char *buf, size_t len);

/* The serial attribute of the nearest USB device above sysdir (root hubs
 * excluded: their "serial" is a PCI address, not the disk's). */
int wp_sysfs_usb_serial(const char *sysdir, char *buf, size_t len);

/* Resolve /sys/dev/block/MAJ:MIN to its canonical sysfs directory. */
int wp_sysfs_dir_of(dev_t devno, char *buf, size_t len);

/* Whole-disk kernel names under devno: the disk itself, the parent of a
 * partition, or, through slaves/, every disk under a dm or md device. */
size_t wp_resolve_disks(dev_t devno, char names[][WP_NAME_LEN], size_t max);

/* ---- who uses which disk: mounts and swap (sysfs.c) ---- */

enum wp_use_type { WP_USE_MOUNT, WP_USE_SWAP };

struct wp_use {
	enum wp_use_type type;
	dev_t devno;              /* as the kernel reports it (0:N for btrfs) */
	char direct[WP_NAME_LEN]; /* kernel name of the mounted node, or "" */
	char what[256];           /* /dev/sdb1, or the swap file */
	char where[256];          /* mount point, "" for swap */
	const char *system;       /* "/", "/boot", "/boot/efi" or NULL */
	size_t n_disks;
	char disks[WP_USE_MAX_DISKS][WP_NAME_LEN];
};

struct wp_usage {
	size_t n;
	size_t cap;
	struct wp_use *items;
};

/* ---- /proc/self/mountinfo (mounts.c) ---- */

/* /proc escapes space, tab, newline and backslash as \ooo: undone in place. */
void wp_unescape_octal(char *s);

/* One mountinfo line split in place; the strings point into it, unescaped. */
struct wp_mountinfo {
	unsigned major, minor; /* as the kernel reports it (0:N for btrfs) */
	char *dir;             /* the mount point */
	char *fstype;
	char *source;          /* "/dev/sdb1", "tmpfs", ... */
};
/* 0, or -1 for a line of another shape. */
int wp_mountinfo_split(char *line, struct wp_mountinfo *m);

/* Read /proc/self/mountinfo and /proc/swaps once; the result is applied to
 * every probed disk. Failing to read mountinfo is an error: without it no
 * disk can be called unmounted. */
int wp_usage_load(struct wp_usage *usage, char *err, size_t errlen);
void wp_usage_free(struct wp_usage *usage);

/* Set mounted, holds_system, swap_active and mount points of dev. */
void wp_usage_apply(const struct wp_usage *usage, struct wp_device *dev);

/* The same for what uses the disks below the mapping at SYSDIR (its
 * slaves, resolved to whole disks): a dm test mapping over a mounted or
 * system disk is as protected as that disk. */
void wp_usage_apply_below(const struct wp_usage *usage, struct wp_device *dev,
			  const char *sysdir);

#endif
