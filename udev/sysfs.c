/*
 * sysfs and /proc reading: attributes, serial fallbacks, and the map from
 * mounts and swap areas to the whole disks under them.
 *
 * Everything here reads; nothing opens a block device. It must work without
 * a udev daemon, so it never asks udev for anything.
 */
#include "udev_internal.h"
#include "wpi18n.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* dm on md on partitions is three levels; anything deeper is a loop. */
#define WP_RESOLVE_MAX_DEPTH 8

void wp_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

void wp_trim(char *s)
{
	size_t n = strlen(s);
	size_t start = 0;

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (start < n && isspace((unsigned char)s[start]))
		start++;
	if (start > 0)
		memmove(s, s + start, n - start + 1);
}

/* Read at most len bytes of a file; returns the count or -1. */
static ssize_t read_raw(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	do {
		n = read(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	close(fd);
	return n;
}

int wp_sysfs_read(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	wp_fmt(path, sizeof(path), "%s/%s", dir, attr);
	n = read_raw(path, buf, len - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	wp_trim(buf);
	return 0;
}

int wp_sysfs_u64(const char *dir, const char *attr, uint64_t *out)
{
	char buf[32];
	char *end;
	unsigned long long v;

	if (wp_sysfs_read(dir, attr, buf, sizeof(buf)) < 0 || buf[0] == '\0')
		return -1;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

bool wp_sysfs_exists(const char *dir, const char *attr)
{
	char path[PATH_MAX];

	wp_fmt(path, sizeof(path), "%s/%s", dir, attr);
	return access(path, F_OK) == 0;
}

/* name is prefix followed by one or more digits, nothing else. */
static bool is_numbered(const char *name, size_t len, const char *prefix)
{
	size_t plen = strlen(prefix);

	if (len <= plen || strncmp(name, prefix, plen) != 0)
		return false;
	for (size_t i = plen; i < len; i++)
		if (!isdigit((unsigned char)name[i]))
			return false;
	return true;
}

bool wp_path_has_component(const char *path, const char *prefix)
{
	const char *p = path;

	while (*p) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len > 0 && is_numbered(p, len, prefix))
			return true;
		p += len;
	}
	return false;
}

int wp_sysfs_vpd80_serial(const char *sysdir, char *buf, size_t len)
{
	char path[PATH_MAX];
	unsigned char page[260];
	ssize_t n;
	size_t plen;

	if (len == 0)
		return -1;
	wp_fmt(path, sizeof(path), "%s/device/vpd_pg80", sysdir);
	n = read_raw(path, page, sizeof(page));
	/* Header: qualifier, page code 0x80, 16-bit length, then ASCII. */
	if (n < 4 || page[1] != 0x80)
		return -1;
	plen = ((size_t)page[2] << 8) | page[3];
	if (plen > (size_t)n - 4)
		plen = (size_t)n - 4;
	if (plen > len - 1)
		plen = len - 1;
	for (size_t i = 0; i < plen; i++)
		buf[i] = isprint(page[4 + i]) ? (char)page[4 + i] : ' ';
	buf[plen] = '\0';
	wp_trim(buf);
	return buf[0] ? 0 : -1;
}

int wp_sysfs_usb_serial(const char *sysdir, char *buf, size_t len)
{
	char dir[PATH_MAX];

	wp_fmt(dir, sizeof(dir), "%s", sysdir);
	for (;;) {
		char *slash = strrchr(dir, '/');

		if (!slash || slash == dir || strcmp(dir, "/sys/devices") == 0)
			return -1;
		*slash = '\0';
		slash = strrchr(dir, '/');
		if (slash && is_numbered(slash + 1, strlen(slash + 1), "usb"))
			return -1; /* root hub: its serial is a PCI address */
		if (wp_sysfs_exists(dir, "idVendor") &&
		    wp_sysfs_read(dir, "serial", buf, len) == 0 && buf[0])
			return 0;
	}
}

int wp_sysfs_dir_of(dev_t devno, char *buf, size_t len)
{
	char link[64];
	char real[PATH_MAX];

	wp_fmt(link, sizeof(link), "/sys/dev/block/%u:%u", major(devno),
	       minor(devno));
	if (!realpath(link, real))
		return -1;
	if (strlen(real) >= len)
		return -1;
	memcpy(buf, real, strlen(real) + 1);
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void add_name(char names[][WP_NAME_LEN], size_t max, size_t *n,
		     const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(names[i], name) == 0)
			return;
	if (*n < max)
		wp_fmt(names[(*n)++], WP_NAME_LEN, "%s", name);
}

static void resolve_dir(const char *sysdir, char names[][WP_NAME_LEN],
			size_t max, size_t *n, int depth);

/* Recurse into each entry of sysdir/slaves; returns how many there were. */
static size_t resolve_slaves(const char *sysdir, char names[][WP_NAME_LEN],
			     size_t max, size_t *n, int depth)
{
	char path[PATH_MAX];
	char real[PATH_MAX];
	size_t count = 0;
	struct dirent *e;
	DIR *d;

	wp_fmt(path, sizeof(path), "%s/slaves", sysdir);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char link[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		count++;
		wp_fmt(link, sizeof(link), "%s/%s", path, e->d_name);
		if (realpath(link, real))
			resolve_dir(real, names, max, n, depth + 1);
	}
	closedir(d);
	return count;
}

static void resolve_dir(const char *sysdir, char names[][WP_NAME_LEN],
			size_t max, size_t *n, int depth)
{
	char parent[PATH_MAX];
	char *slash;

	if (depth > WP_RESOLVE_MAX_DEPTH)
		return;
	if (wp_sysfs_exists(sysdir, "partition")) {
		wp_fmt(parent, sizeof(parent), "%s", sysdir);
		slash = strrchr(parent, '/');
		if (slash) {
			*slash = '\0';
			add_name(names, max, n, base_name(parent));
		}
		return;
	}
	if (resolve_slaves(sysdir, names, max, n, depth) > 0)
		return;
	add_name(names, max, n, base_name(sysdir));
}

size_t wp_resolve_disks(dev_t devno, char names[][WP_NAME_LEN], size_t max)
{
	char dir[PATH_MAX];
	size_t n = 0;

	if (wp_sysfs_dir_of(devno, dir, sizeof(dir)) < 0)
		return 0;
	resolve_dir(dir, names, max, &n, 0);
	return n;
}

/* ---- mounts and swap ---- */

static struct wp_use *usage_add(struct wp_usage *u)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;
		struct wp_use *items = realloc(u->items, cap * sizeof(*items));

		if (!items)
			return NULL;
		u->items = items;
		u->cap = cap;
	}
	memset(&u->items[u->n], 0, sizeof(u->items[0]));
	return &u->items[u->n++];
}

void wp_usage_free(struct wp_usage *usage)
{
	free(usage->items);
	usage->items = NULL;
	usage->n = usage->cap = 0;
}

static const char *system_mount_of(const char *where)
{
	static const char *const sys[] = { "/", "/boot", "/boot/efi" };

	for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (strcmp(where, sys[i]) == 0)
			return sys[i];
	return NULL;
}

/* The block device really behind a mount: filesystems such as btrfs report
 * an anonymous 0:N device, so their source node is asked instead. */
static dev_t effective_devno(dev_t devno, const char *source)
{
	struct stat st;

	if (major(devno) != 0)
		return devno;
	if (strncmp(source, "/dev/", 5) == 0 && stat(source, &st) == 0 &&
	    S_ISBLK(st.st_mode))
		return st.st_rdev;
	return 0;
}

static void fill_direct(struct wp_use *use, dev_t eff, const char *source)
{
	char dir[PATH_MAX];
	struct stat st;

	if (wp_sysfs_dir_of(eff, dir, sizeof(dir)) == 0)
		wp_fmt(use->direct, sizeof(use->direct), "%s", base_name(dir));
	for (char *p = use->direct; *p; p++)
		if (*p == '!') /* cciss!c0d0 is /dev/cciss/c0d0 */
			*p = '/';
	/* The source as mounted reads best (/dev/mapper/vg-home), but only
	 * when it really is that device: "/dev/root" often names nothing. */
	if (strncmp(source, "/dev/", 5) == 0 && stat(source, &st) == 0 &&
	    S_ISBLK(st.st_mode) && st.st_rdev == eff)
		wp_fmt(use->what, sizeof(use->what), "%s", source);
	else
		wp_fmt(use->what, sizeof(use->what), "/dev/%s", use->direct);
}

static int parse_mount_line(char *line, struct wp_usage *u)
{
	struct wp_mountinfo m;
	struct wp_use *use;
	dev_t eff;

	if (wp_mountinfo_split(line, &m) < 0)
		return 0;
	eff = effective_devno(makedev(m.major, m.minor), m.source);
	if (eff == 0)
		return 0; /* proc, tmpfs, overlay: no disk under it */
	use = usage_add(u);
	if (!use)
		return -1;
	use->type = WP_USE_MOUNT;
	use->devno = makedev(m.major, m.minor);
	wp_fmt(use->where, sizeof(use->where), "%s", m.dir);
	use->system = system_mount_of(use->where);
	fill_direct(use, eff, m.source);
	use->n_disks = wp_resolve_disks(eff, use->disks, WP_USE_MAX_DISKS);
	if (use->n_disks == 0)
		u->n--;
	return 0;
}

/* A swap file lives on the filesystem of st_dev; for 0:N filesystems the
 * mount table already knows which disks that is. */
static void swap_file_disks(struct wp_usage *u, struct wp_use *use, dev_t dev)
{
	if (major(dev) != 0) {
		use->n_disks = wp_resolve_disks(dev, use->disks,
						WP_USE_MAX_DISKS);
		return;
	}
	for (size_t i = 0; i < u->n; i++) {
		const struct wp_use *m = &u->items[i];

		if (m->type == WP_USE_MOUNT && m->devno == dev) {
			memcpy(use->disks, m->disks, sizeof(use->disks));
			use->n_disks = m->n_disks;
			return;
		}
	}
}

static int parse_swap_line(char *line, struct wp_usage *u)
{
	char *save = NULL;
	char *name = strtok_r(line, " \t\n", &save);
	struct wp_use *use;
	struct stat st;

	if (!name)
		return 0;
	wp_unescape_octal(name);
	if (stat(name, &st) < 0)
		return 0; /* "(deleted)" swap file: nothing left to resolve */
	use = usage_add(u);
	if (!use)
		return -1;
	use->type = WP_USE_SWAP;
	wp_fmt(use->what, sizeof(use->what), "%s", name);
	if (S_ISBLK(st.st_mode))
		use->n_disks = wp_resolve_disks(st.st_rdev, use->disks,
						WP_USE_MAX_DISKS);
	else if (S_ISREG(st.st_mode))
		swap_file_disks(u, use, st.st_dev);
	if (use->n_disks == 0)
		u->n--;
	return 0;
}

typedef int (*line_parser)(char *line, struct wp_usage *u);

/* Feed every line of a /proc table to PARSE, after SKIP header lines.
 * A missing file is an error unless MISSING_OK (a kernel without swap). */
static int load_table(const char *path, size_t skip, bool missing_ok,
		      line_parser parse, struct wp_usage *u, char *err,
		      size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, n = 0;
	int rc = 0;

	if (!f) {
		if (missing_ok && errno == ENOENT)
			return 0;
		snprintf(err, errlen, _("cannot read %s: %s; is /proc mounted?"),
			 path, strerror(errno));
		return -1;
	}
	while (rc == 0 && getline(&line, &cap, f) > 0)
		if (n++ >= skip)
			rc = parse(line, u);
	free(line);
	fclose(f);
	if (rc < 0)
		snprintf(err, errlen, _("%s: out of memory"), path);
	return rc;
}

int wp_usage_load(struct wp_usage *usage, char *err, size_t errlen)
{
	memset(usage, 0, sizeof(*usage));
	/* mounts first: swap files on 0:N filesystems resolve through them */
	if (load_table("/proc/self/mountinfo", 0, false, parse_mount_line,
		       usage, err, errlen) < 0 ||
	    load_table("/proc/swaps", 1, true, parse_swap_line, usage, err,
		       errlen) < 0) {
		wp_usage_free(usage);
		return -1;
	}
	return 0;
}

static bool use_has_disk(const struct wp_use *use, const char *name)
{
	for (size_t i = 0; i < use->n_disks; i++)
		if (strcmp(use->disks[i], name) == 0)
			return true;
	return false;
}

/* Record the mount point on the partition (or whole disk) mounted directly. */
static void set_mountpoint(struct wp_device *dev, const struct wp_use *use)
{
	struct wp_fsinfo *fs = NULL;

	if (strcmp(use->direct, dev->path + 5) == 0) {
		fs = &dev->whole_fs;
	} else {
		for (size_t i = 0; i < dev->n_partitions; i++) {
			const char *p = dev->partitions[i].path;

			if (strncmp(p, "/dev/", 5) == 0 &&
			    strcmp(p + 5, use->direct) == 0)
				fs = &dev->partitions[i].fs;
		}
	}
	if (fs && fs->mountpoint[0] == '\0')
		wp_fmt(fs->mountpoint, sizeof(fs->mountpoint), "%s", use->where);
}

static void apply_mount(struct wp_device *dev, const struct wp_use *use)
{
	if (!dev->mounted) {
		dev->mounted = true;
		wp_fmt(dev->mounted_what, sizeof(dev->mounted_what), "%s on %s",
		       use->what, use->where);
	}
	set_mountpoint(dev, use);
	if (use->system && !dev->holds_system) {
		dev->holds_system = true;
		wp_fmt(dev->system_mount, sizeof(dev->system_mount), "%s",
		       use->system);
	}
}

/* Apply every use of disk NAME to dev. */
static void apply_uses_of(const struct wp_usage *usage, struct wp_device *dev,
			  const char *name)
{
	for (size_t i = 0; i < usage->n; i++) {
		const struct wp_use *use = &usage->items[i];

		if (!use_has_disk(use, name))
			continue;
		if (use->type == WP_USE_MOUNT) {
			apply_mount(dev, use);
		} else if (!dev->swap_active) {
			dev->swap_active = true;
			wp_fmt(dev->swap_what, sizeof(dev->swap_what), "%s",
			       use->what);
		}
	}
}

void wp_usage_apply(const struct wp_usage *usage, struct wp_device *dev)
{
	apply_uses_of(usage, dev, dev->name);
}

void wp_usage_apply_below(const struct wp_usage *usage, struct wp_device *dev,
			  const char *sysdir)
{
	char names[WP_USE_MAX_DISKS][WP_NAME_LEN];
	size_t n = 0;

	resolve_slaves(sysdir, names, WP_USE_MAX_DISKS, &n, 0);
	for (size_t i = 0; i < n; i++)
		apply_uses_of(usage, dev, names[i]);
}
