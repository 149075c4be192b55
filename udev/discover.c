/*
 * Discovery: which whole disks exist, what they are, what is on them and
 * who uses them. udev properties are used when the udev database has them;
 * every fact the guard needs also comes from sysfs, /proc and read-only
 * ioctls, because wipe stations often run without systemd-udevd.
 *
 * Block devices are only ever opened O_RDONLY here (libblkid opens them
 * read-only too). Nothing in this file writes to a device.
 */
#include "udev_internal.h"
#include "wpi18n.h"

#include <blkid/blkid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libudev.h>
#include <limits.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Shared by every disk of one probe or enumeration: reading the mount table
 * once keeps a listing consistent with itself. */
struct probe_ctx {
	struct udev *udev; /* NULL: sysfs only */
	struct wp_usage usage;
};

static int ctx_open(struct probe_ctx *ctx, char *err, size_t errlen)
{
	if (wp_usage_load(&ctx->usage, err, errlen) < 0)
		return -1;
	/* Without a udev context everything still works from sysfs. */
	ctx->udev = udev_new();
	return 0;
}

static void ctx_close(struct probe_ctx *ctx)
{
	wp_usage_free(&ctx->usage);
	if (ctx->udev)
		udev_unref(ctx->udev);
	ctx->udev = NULL;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* A udev property, NULL when absent or empty (always so without udevd). */
static const char *prop(struct udev_device *ud, const char *key)
{
	const char *v = ud ? udev_device_get_property_value(ud, key) : NULL;

	return v && v[0] ? v : NULL;
}

/* /dev path of a sysfs block directory: DEVNAME from its uevent file, or
 * the kernel name with '!' standing for '/' (cciss!c0d0). */
static void devnode_of(const char *sysdir, char *buf, size_t len)
{
	char uevent[1024];
	const char *name = base_name(sysdir);
	char *line, *save = NULL;

	if (wp_sysfs_read(sysdir, "uevent", uevent, sizeof(uevent)) == 0) {
		for (line = strtok_r(uevent, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (has_prefix(line, "DEVNAME=") && line[8]) {
				wp_fmt(buf, len, "/dev/%s", line + 8);
				return;
			}
		}
	}
	wp_fmt(buf, len, "/dev/%s", name);
	for (char *p = buf + 5; *p; p++)
		if (*p == '!')
			*p = '/';
}

/* ---- identity ---- */

/* The bus under a SCSI disk, read from where the kernel put it in the
 * device tree. The removable flag says nothing here: many USB disks report
 * removable=0. udev's ID_BUS only refines a chain that names no bus. */
static enum wp_transport scsi_transport(const char *sysdir,
					struct udev_device *ud)
{
	const char *bus = prop(ud, "ID_BUS");

	if (wp_path_has_component(sysdir, "usb"))
		return WP_TRANSPORT_USB;
	if (wp_path_has_component(sysdir, "ata"))
		return WP_TRANSPORT_ATA;
	if (wp_path_has_component(sysdir, "virtio"))
		return WP_TRANSPORT_SCSI; /* virtio-scsi */
	if (bus && strcmp(bus, "usb") == 0)
		return WP_TRANSPORT_USB;
	if (bus && strcmp(bus, "ata") == 0)
		return WP_TRANSPORT_ATA;
	return WP_TRANSPORT_SCSI;
}

static void classify(struct wp_device *d, const char *sysdir,
		     struct udev_device *ud)
{
	uint64_t type = UINT64_MAX;

	(void)wp_sysfs_u64(sysdir, "device/type", &type);
	if (has_prefix(d->name, "loop")) {
		d->kind = WP_KIND_LOOP;
		d->transport = WP_TRANSPORT_LOOP;
	} else if (has_prefix(d->name, "nvme")) {
		d->kind = WP_KIND_NVME;
		d->transport = WP_TRANSPORT_NVME;
	} else if (has_prefix(d->name, "mmcblk")) {
		d->kind = WP_KIND_MMC;
		d->transport = WP_TRANSPORT_MMC;
	} else if (has_prefix(d->name, "vd")) {
		d->kind = WP_KIND_VIRTUAL;
		d->transport = WP_TRANSPORT_VIRTIO;
	} else if (has_prefix(d->name, "sr") || type == 5) {
		d->kind = WP_KIND_OPTICAL; /* SCSI peripheral type 5: CD/DVD */
		d->transport = scsi_transport(sysdir, ud);
	} else if (has_prefix(d->name, "sd")) {
		d->transport = scsi_transport(sysdir, ud);
		if (d->transport == WP_TRANSPORT_USB)
			d->kind = WP_KIND_USB;
		else
			d->kind = d->rotational ? WP_KIND_HDD : WP_KIND_SSD;
	}
}

static void read_geometry(struct wp_device *d, const char *sysdir)
{
	uint64_t v;

	if (wp_sysfs_u64(sysdir, "size", &v) == 0)
		d->size_bytes = v * 512; /* always 512-byte units in sysfs */
	if (wp_sysfs_u64(sysdir, "queue/logical_block_size", &v) == 0)
		d->logical_block_size = (unsigned)v;
	if (wp_sysfs_u64(sysdir, "queue/physical_block_size", &v) == 0)
		d->physical_block_size = (unsigned)v;
	if (wp_sysfs_u64(sysdir, "queue/rotational", &v) == 0)
		d->rotational = v != 0;
	if (wp_sysfs_u64(sysdir, "removable", &v) == 0)
		d->removable = v != 0;
	if (wp_sysfs_u64(sysdir, "ro", &v) == 0)
		d->read_only = v != 0;
}

static void scsi_model(struct wp_device *d, const char *sysdir)
{
	char vendor[64], model[96];

	if (wp_sysfs_read(sysdir, "device/model", model, sizeof(model)) < 0)
		return;
	if (wp_sysfs_read(sysdir, "device/vendor", vendor, sizeof(vendor)) ==
		    0 && vendor[0] && strcmp(vendor, "ATA") != 0)
		wp_fmt(d->model, sizeof(d->model), "%s %s", vendor, model);
	else
		wp_fmt(d->model, sizeof(d->model), "%s", model);
}

static void read_model(struct wp_device *d, const char *sysdir,
		       struct udev_device *ud)
{
	const char *v = prop(ud, "ID_MODEL");

	if (d->kind == WP_KIND_LOOP) {
		wp_fmt(d->model, sizeof(d->model), "Loop device");
	} else if (v) {
		wp_fmt(d->model, sizeof(d->model), "%s", v);
		for (char *p = d->model; *p; p++)
			if (*p == '_')
				*p = ' ';
	} else if (d->kind == WP_KIND_NVME) {
		wp_sysfs_read(sysdir, "device/model", d->model, sizeof(d->model));
	} else if (d->kind == WP_KIND_MMC) {
		wp_sysfs_read(sysdir, "device/name", d->model, sizeof(d->model));
	} else if (d->transport == WP_TRANSPORT_VIRTIO) {
		wp_fmt(d->model, sizeof(d->model), "Virtio disk");
	} else {
		scsi_model(d, sysdir);
	}
	wp_trim(d->model);
}

static void set_serial(struct wp_device *d, const char *serial,
		       const char *source)
{
	wp_fmt(d->serial, sizeof(d->serial), "%s", serial);
	wp_trim(d->serial);
	if (d->serial[0])
		wp_fmt(d->serial_source, sizeof(d->serial_source), "%s",
		       source);
}

/* The attribute as serial, when it exists and is not blank. */
static bool sysfs_serial(struct wp_device *d, const char *sysdir,
			 const char *attr, const char *source)
{
	char buf[128];

	if (wp_sysfs_read(sysdir, attr, buf, sizeof(buf)) < 0 || !buf[0])
		return false;
	set_serial(d, buf, source);
	return true;
}

static void scsi_serial(struct wp_device *d, const char *sysdir)
{
	char buf[128];

	if (wp_sysfs_vpd80_serial(sysdir, buf, sizeof(buf)) == 0) {
		set_serial(d, buf, "vpd80");
		return;
	}
	if (d->transport == WP_TRANSPORT_USB &&
	    wp_sysfs_usb_serial(sysdir, buf, sizeof(buf)) == 0) {
		set_serial(d, buf, "sysfs");
		return;
	}
	sysfs_serial(d, sysdir, "device/wwid", "sysfs");
}

static void read_serial(struct wp_device *d, const char *sysdir,
			struct udev_device *ud)
{
	const char *v = prop(ud, "ID_SERIAL_SHORT");

	if (d->kind == WP_KIND_LOOP)
		return; /* derived from the backing file, see read_loop() */
	if (v)
		set_serial(d, v, "udev");
	else if (d->kind == WP_KIND_NVME)
		sysfs_serial(d, sysdir, "device/serial", "nvme");
	else if (d->transport == WP_TRANSPORT_VIRTIO)
		sysfs_serial(d, sysdir, "serial", "sysfs");
	else if (d->kind == WP_KIND_MMC)
		sysfs_serial(d, sysdir, "device/serial", "sysfs");
	else if (has_prefix(d->name, "sd") || has_prefix(d->name, "sr"))
		scsi_serial(d, sysdir);
}

/* A loop device has no hardware serial; the backing file's device and
 * inode identify it and stay the same while the image is not replaced, so
 * plan and wipe can check they still talk about the same image. */
static void read_loop(struct wp_device *d, const char *sysdir)
{
	struct loop_info64 info;
	unsigned long long dev = 0, ino = 0;
	bool known = false;
	struct stat st;
	int fd;

	wp_sysfs_read(sysdir, "loop/backing_file", d->backing_file,
		      sizeof(d->backing_file));
	fd = open(d->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		memset(&info, 0, sizeof(info));
		if (ioctl(fd, LOOP_GET_STATUS64, &info) == 0) {
			dev = info.lo_device;
			ino = info.lo_inode;
			known = true;
		}
		close(fd);
	}
	if (!known && d->backing_file[0] && stat(d->backing_file, &st) == 0) {
		dev = st.st_dev;
		ino = st.st_ino;
		known = true;
	}
	if (known) {
		wp_fmt(d->serial, sizeof(d->serial), "LOOP-%llx-%llx", dev, ino);
		wp_fmt(d->serial_source, sizeof(d->serial_source), "loop");
	}
}

/* cdrom_id names the medium when udevd runs. Anything it does not name as
 * rewritable or pressed counts as write-once: refusing a CD-RW by mistake
 * costs a re-run, overwriting "succeeding" on a CD-R costs a false
 * certificate. The table is in identify.c. */
static const char *udev_prop(const char *key, void *ctx)
{
	return prop(ctx, key);
}

static void read_medium(struct wp_device *d, struct udev_device *ud)
{
	const char *name = wp_optical_medium(udev_prop, ud, &d->optical_write_once);
	wp_fmt(d->media, sizeof(d->media), "%s", name);
}

/* hwdb's name for a registry key (OUI:XXXXXX, pci:vXXXXXXXX). */
static const char *hwdb_name(const char *key, void *ctx)
{
	struct udev_list_entry *e;
	udev_list_entry_foreach(e, udev_hwdb_get_properties_list_entry(ctx, key, 0)) {
		const char *n = udev_list_entry_get_name(e);
		if (strcmp(n, "ID_OUI_FROM_DATABASE") == 0 ||
		    strcmp(n, "ID_VENDOR_FROM_DATABASE") == 0)
			return udev_list_entry_get_value(e);
	}
	return NULL;
}

static void read_maker(struct wp_device *d, const char *sysdir, struct udev *udev,
		       struct udev_device *ud)
{
	char vendor[64] = "", pci[16] = "";
	struct wp_maker_ids ids = { .wwn = prop(ud, "ID_WWN") };
	/* nothing standard names a loop file's, a card's or a virtio disk's
	 * maker (virtio's sysfs vendor is the virtio PCI id, not a maker) */
	if (d->kind == WP_KIND_LOOP || d->kind == WP_KIND_MMC ||
	    d->transport == WP_TRANSPORT_VIRTIO)
		return;
	if (d->kind == WP_KIND_NVME) {
		if (wp_sysfs_read(sysdir, "device/device/vendor", pci, sizeof(pci)) == 0)
			ids.pci_vendor = pci;
	} else if (wp_sysfs_read(sysdir, "device/vendor", vendor, sizeof(vendor)) == 0) {
		ids.scsi_vendor = vendor;
	}
	struct udev_hwdb *hwdb = udev ? udev_hwdb_new(udev) : NULL;
	wp_maker_pick(&ids, hwdb ? hwdb_name : NULL, hwdb, d->maker, sizeof(d->maker),
		      d->maker_source, sizeof(d->maker_source));
	if (hwdb)
		udev_hwdb_unref(hwdb);
}

/* ---- content: libblkid, read-only ---- */

static void copy_value(blkid_probe pr, const char *name, char *buf,
		       size_t len)
{
	const char *v = NULL;

	if (blkid_probe_lookup_value(pr, name, &v, NULL) == 0 && v)
		wp_fmt(buf, len, "%s", v);
}

/* Filesystem (and, for a whole disk, partition table type) on node. A node
 * that cannot be opened, typically because the caller is not root, leaves
 * the fields empty: listing works for everyone, with less detail. */
static void probe_content(const char *node, struct wp_fsinfo *fs,
			  char *pttype, size_t ptlen)
{
	blkid_probe pr = blkid_new_probe_from_filename(node);

	if (!pr)
		return;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE |
					  BLKID_SUBLKS_LABEL |
					  BLKID_SUBLKS_UUID);
	if (pttype)
		blkid_probe_enable_partitions(pr, 1);
	if (blkid_do_safeprobe(pr) == 0) {
		copy_value(pr, "TYPE", fs->fstype, sizeof(fs->fstype));
		copy_value(pr, "LABEL", fs->label, sizeof(fs->label));
		copy_value(pr, "UUID", fs->uuid, sizeof(fs->uuid));
		if (pttype)
			copy_value(pr, "PTTYPE", pttype, ptlen);
	}
	blkid_free_probe(pr);
}

/* ---- partitions and holders ---- */

static void add_holders(struct wp_device *d, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *hd;

	wp_fmt(path, sizeof(path), "%s/holders", dir);
	hd = opendir(path);
	if (!hd)
		return;
	while ((e = readdir(hd)) != NULL && d->n_holders < WP_MAX_HOLDERS) {
		bool seen = false;

		if (e->d_name[0] == '.')
			continue;
		for (size_t i = 0; i < d->n_holders; i++)
			seen = seen || strcmp(d->holders[i], e->d_name) == 0;
		if (!seen)
			wp_fmt(d->holders[d->n_holders++],
			       sizeof(d->holders[0]), "%s", e->d_name);
	}
	closedir(hd);
}

static void add_partition(struct wp_device *d, const char *pdir,
			  bool probe_fs)
{
	struct wp_partition *p;
	uint64_t v;

	if (d->n_partitions >= WP_MAX_PARTITIONS)
		return;
	p = &d->partitions[d->n_partitions++];
	memset(p, 0, sizeof(*p));
	devnode_of(pdir, p->path, sizeof(p->path));
	if (wp_sysfs_u64(pdir, "partition", &v) == 0)
		p->number = (unsigned)v;
	if (wp_sysfs_u64(pdir, "size", &v) == 0)
		p->size_bytes = v * 512;
	if (probe_fs)
		probe_content(p->path, &p->fs, NULL, 0);
}

static int cmp_partition(const void *a, const void *b)
{
	const struct wp_partition *pa = a, *pb = b;

	return (pa->number > pb->number) - (pa->number < pb->number);
}

/* Partitions are the subdirectories with a "partition" file. Holders are
 * read for every partition, even past WP_MAX_PARTITIONS. */
static void read_partitions(struct wp_device *d, const char *sysdir,
			    bool probe_fs)
{
	char pdir[PATH_MAX];
	struct dirent *e;
	DIR *dir = opendir(sysdir);

	add_holders(d, sysdir);
	if (!dir)
		return;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		wp_fmt(pdir, sizeof(pdir), "%s/%s", sysdir, e->d_name);
		if (!wp_sysfs_exists(pdir, "partition"))
			continue;
		add_partition(d, pdir, probe_fs);
		add_holders(d, pdir);
	}
	closedir(dir);
	qsort(d->partitions, d->n_partitions, sizeof(d->partitions[0]),
	      cmp_partition);
}

/* ---- one disk ---- */

static bool dm_test_mapping(const char *sysdir);

/* A test mapping has no hardware identity; its dm UUID, chosen by the
 * test, stands in for the serial. */
static void read_dm_test(struct wp_device *d, const char *sysdir)
{
	char name[128] = "";

	d->kind = WP_KIND_VIRTUAL;
	wp_sysfs_read(sysdir, "dm/name", name, sizeof(name));
	wp_fmt(d->model, sizeof(d->model), "dm test mapping %s", name);
	wp_sysfs_read(sysdir, "dm/uuid", d->serial, sizeof(d->serial));
	wp_fmt(d->serial_source, sizeof(d->serial_source), "dm");
}

static void read_identity(struct wp_device *d, const char *sysdir)
{
	char buf[32];
	unsigned maj, min;

	wp_fmt(d->name, sizeof(d->name), "%s", base_name(sysdir));
	devnode_of(sysdir, d->path, sizeof(d->path));
	if (wp_sysfs_read(sysdir, "dev", buf, sizeof(buf)) == 0 &&
	    sscanf(buf, "%u:%u", &maj, &min) == 2)
		d->devno = makedev(maj, min);
}

/* Fill *d from the canonical sysfs directory of a whole disk. */
static void probe_sysdir(struct probe_ctx *ctx, const char *sysdir,
			 const struct wp_guard_opts *opts, struct wp_device *d)
{
	struct udev_device *ud = NULL;
	bool has_medium;

	memset(d, 0, sizeof(*d));
	if (ctx->udev)
		ud = udev_device_new_from_syspath(ctx->udev, sysdir);
	read_identity(d, sysdir);
	read_geometry(d, sysdir);
	classify(d, sysdir, ud);
	read_model(d, sysdir, ud);
	read_serial(d, sysdir, ud);
	read_maker(d, sysdir, ctx->udev, ud);
	if (d->kind == WP_KIND_LOOP)
		read_loop(d, sysdir);
	if (dm_test_mapping(sysdir))
		read_dm_test(d, sysdir);
	d->no_medium = d->size_bytes == 0 &&
		       (d->removable || d->kind == WP_KIND_OPTICAL);
	has_medium = d->size_bytes > 0;
	if (d->kind == WP_KIND_OPTICAL && has_medium)
		read_medium(d, ud);
	if (has_medium)
		probe_content(d->path, &d->whole_fs, d->pttype,
			      sizeof(d->pttype));
	read_partitions(d, sysdir, has_medium);
	wp_usage_apply(&ctx->usage, d);
	if (dm_test_mapping(sysdir))
		wp_usage_apply_below(&ctx->usage, d, sysdir);
	wp_guard_evaluate(d, opts);
	if (ud)
		udev_device_unref(ud);
}

/* ---- wp_media_probe ---- */

static int check_node(const char *path, struct stat *st, char *err,
		      size_t errlen)
{
	if (stat(path, st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			snprintf(err, errlen, _("%s does not exist; run "
				 "`wipeproof list` to see disks"), path);
		else
			snprintf(err, errlen, _("cannot stat %s: %s"), path,
				 strerror(errno));
		return -1;
	}
	if (S_ISBLK(st->st_mode))
		return 0;
	if (S_ISREG(st->st_mode))
		snprintf(err, errlen, _("%s is a regular file, not a block "
			 "device; to wipe a disk image attach it with "
			 "`losetup -f --show %s` first"), path, path);
	else if (S_ISDIR(st->st_mode))
		snprintf(err, errlen, _("%s is a directory, not a block device; "
			 "run `wipeproof list` to see disks"), path);
	else if (S_ISCHR(st->st_mode))
		snprintf(err, errlen, _("%s is a character device, not a block "
			 "device; run `wipeproof list` to see disks"), path);
	else
		snprintf(err, errlen, _("%s is not a block device; run "
			 "`wipeproof list` to see disks"), path);
	return -1;
}

/* What kind of virtual block device a kernel name is, NULL for none. */
static const char *virtual_label(const char *name)
{
	if (has_prefix(name, "dm-"))
		return "device-mapper";
	if (has_prefix(name, "md") && name[2] >= '0' && name[2] <= '9')
		return "md RAID";
	if (has_prefix(name, "zram"))
		return "zram";
	if (has_prefix(name, "ram"))
		return "RAM disk";
	return NULL;
}

/* A dm-error / dm-flakey mapping of the fault tests (guard.c). */
static bool dm_test_mapping(const char *sysdir)
{
	char uuid[160];

	return has_prefix(base_name(sysdir), "dm-") &&
	       wp_sysfs_read(sysdir, "dm/uuid", uuid, sizeof(uuid)) == 0 &&
	       wp_guard_dm_test_uuid(uuid);
}

static int refuse_non_disk(const char *path, const char *sysdir, char *err,
			   size_t errlen)
{
	const char *label = dm_test_mapping(sysdir) ? NULL : virtual_label(base_name(sysdir));

	if (wp_sysfs_exists(sysdir, "partition")) {
		char parent[PATH_MAX], disk[64];
		char *slash;

		wp_fmt(parent, sizeof(parent), "%s", sysdir);
		slash = strrchr(parent, '/');
		if (slash)
			*slash = '\0';
		devnode_of(parent, disk, sizeof(disk));
		snprintf(err, errlen, _("%s is a partition of %s; wipeproof "
			 "erases whole disks: use %s"), path, disk, disk);
		return -1;
	}
	if (label) {
		snprintf(err, errlen, _("%s is a virtual device (%s); wipe the "
			 "underlying disk"), path, label);
		return -1;
	}
	return 0;
}

int wp_media_probe(const char *path, const struct wp_guard_opts *opts,
		   struct wp_device *out, char *err, size_t errlen)
{
	struct probe_ctx ctx = { 0 };
	char sysdir[PATH_MAX];
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (check_node(path, &st, err, errlen) < 0)
		return -1;
	if (wp_sysfs_dir_of(st.st_rdev, sysdir, sizeof(sysdir)) < 0) {
		snprintf(err, errlen, _("%s: no /sys/dev/block/%u:%u entry; is "
			 "/sys mounted?"), path, major(st.st_rdev),
			 minor(st.st_rdev));
		return -1;
	}
	if (refuse_non_disk(path, sysdir, err, errlen) < 0 ||
	    ctx_open(&ctx, err, errlen) < 0)
		return -1;
	probe_sysdir(&ctx, sysdir, opts, out);
	ctx_close(&ctx);
	if (out->kind == WP_KIND_LOOP && !out->backing_file[0]) {
		snprintf(err, errlen, _("%s is a loop device with nothing "
			 "attached; attach an image with `losetup -f --show "
			 "FILE`"), path);
		return -1;
	}
	return 0;
}

/* ---- wp_media_enumerate ---- */

struct pathvec {
	size_t n, cap;
	char **v;
};

static int pathvec_add(struct pathvec *pv, const char *path)
{
	if (pv->n == pv->cap) {
		size_t cap = pv->cap ? pv->cap * 2 : 16;
		char **v = realloc(pv->v, cap * sizeof(*v));

		if (!v)
			return -1;
		pv->v = v;
		pv->cap = cap;
	}
	pv->v[pv->n] = strdup(path);
	if (!pv->v[pv->n])
		return -1;
	pv->n++;
	return 0;
}

static void pathvec_free(struct pathvec *pv)
{
	for (size_t i = 0; i < pv->n; i++)
		free(pv->v[i]);
	free(pv->v);
}

/* Syspaths of all whole disks, from udev's enumeration (which reads sysfs
 * itself when there is no udev database). */
static int list_disks_udev(struct udev *udev, struct pathvec *pv)
{
	struct udev_enumerate *en = udev_enumerate_new(udev);
	struct udev_list_entry *e;
	int rc = 0;

	if (!en || udev_enumerate_add_match_subsystem(en, "block") < 0 ||
	    udev_enumerate_scan_devices(en) < 0) {
		if (en)
			udev_enumerate_unref(en);
		return -1;
	}
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		const char *sp = udev_list_entry_get_name(e);
		struct udev_device *ud = udev_device_new_from_syspath(udev, sp);
		const char *devtype = ud ? udev_device_get_devtype(ud) : NULL;

		if (devtype && strcmp(devtype, "disk") == 0 && rc == 0)
			rc = pathvec_add(pv, sp);
		if (ud)
			udev_device_unref(ud);
	}
	udev_enumerate_unref(en);
	return rc;
}

/* Without a udev context: /sys/block lists exactly the whole disks. */
static int list_disks_sysfs(struct pathvec *pv)
{
	char link[PATH_MAX], real[PATH_MAX];
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	int rc = 0;

	if (!d)
		return -1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		wp_fmt(link, sizeof(link), "/sys/block/%s", e->d_name);
		if (realpath(link, real))
			rc = pathvec_add(pv, real);
	}
	closedir(d);
	return rc;
}

/* Nodes that are not disks anyone retires, decided before any probing. */
static bool skip_by_sysfs(const char *sysdir)
{
	const char *name = base_name(sysdir);
	uint64_t hidden = 0;

	if (virtual_label(name) && !dm_test_mapping(sysdir))
		return true;
	if (has_prefix(name, "loop") &&
	    !wp_sysfs_exists(sysdir, "loop/backing_file"))
		return true; /* unattached */
	/* nvme multipath paths (nvme0c0n1) are hidden behind nvme0n1 */
	return wp_sysfs_u64(sysdir, "hidden", &hidden) == 0 && hidden;
}

static bool keep_probed(const struct wp_device *d)
{
	if (d->kind == WP_KIND_LOOP)
		return d->backing_file[0] && d->size_bytes > 0;
	return d->size_bytes > 0 || d->no_medium;
}

static int cmp_device(const void *a, const void *b)
{
	const struct wp_device *da = a, *db = b;

	return strverscmp(da->name, db->name);
}

static int probe_all(struct probe_ctx *ctx, const struct pathvec *pv,
		     struct wp_device_list *out)
{
	if (pv->n == 0)
		return 0;
	out->items = calloc(pv->n, sizeof(*out->items));
	if (!out->items)
		return -1;
	for (size_t i = 0; i < pv->n; i++) {
		struct wp_device *d = &out->items[out->n];

		if (skip_by_sysfs(pv->v[i]))
			continue;
		probe_sysdir(ctx, pv->v[i], NULL, d);
		if (keep_probed(d))
			out->n++;
	}
	qsort(out->items, out->n, sizeof(*out->items), cmp_device);
	return 0;
}

int wp_media_enumerate(struct wp_device_list *out, char *err, size_t errlen)
{
	struct probe_ctx ctx = { 0 };
	struct pathvec pv = { 0 };
	int rc;

	out->n = 0;
	out->items = NULL;
	if (ctx_open(&ctx, err, errlen) < 0)
		return -1;
	rc = ctx.udev ? list_disks_udev(ctx.udev, &pv) : list_disks_sysfs(&pv);
	if (rc < 0) {
		snprintf(err, errlen, _("cannot enumerate block devices in "
			 "/sys/block: %s"), strerror(errno ? errno : ENOMEM));
	} else if (probe_all(&ctx, &pv, out) < 0) {
		snprintf(err, errlen, _("cannot list disks: out of memory"));
		rc = -1;
	}
	pathvec_free(&pv);
	ctx_close(&ctx);
	if (rc < 0)
		wp_media_list_free(out);
	return rc;
}

void wp_media_list_free(struct wp_device_list *list)
{
	if (!list)
		return;
	free(list->items);
	list->items = NULL;
	list->n = 0;
}
