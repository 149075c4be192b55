/*
 * Discovery on this machine: names and sizes, probe errors, the disk holding
 * "/", and (as root) loop devices the tests create and always detach.
 *
 * The tests never write to a block device: the partition table and the
 * ext4 filesystem are written into the image file before it is attached,
 * and the filesystem is mounted read-only.
 */
#include "loop_fixture.h"
#include "check_main.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "udev.h"

#define MIB (1024ULL * 1024ULL)

/* snprintf whose truncation is expected and harmless in a test. */
static void fmt(char *buf, size_t len, const char *f, ...)
	__attribute__((format(printf, 3, 4)));

static void fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, len, f, ap);
	va_end(ap);
}

static struct wp_device dev, dev2;
static char err[512];

/* ---- names and formatting ---- */

START_TEST(test_kind_names)
{
	ck_assert_str_eq(wp_kind_name(WP_KIND_HDD), "hdd");
	ck_assert_str_eq(wp_kind_name(WP_KIND_SSD), "ssd");
	ck_assert_str_eq(wp_kind_name(WP_KIND_NVME), "nvme");
	ck_assert_str_eq(wp_kind_name(WP_KIND_USB), "usb");
	ck_assert_str_eq(wp_kind_name(WP_KIND_MMC), "mmc");
	ck_assert_str_eq(wp_kind_name(WP_KIND_OPTICAL), "optical");
	ck_assert_str_eq(wp_kind_name(WP_KIND_LOOP), "loop");
	ck_assert_str_eq(wp_kind_name(WP_KIND_VIRTUAL), "virtual");
	ck_assert_str_eq(wp_kind_name(WP_KIND_UNKNOWN), "unknown");
	ck_assert_str_eq(wp_kind_name((enum wp_kind)99), "unknown");
}
END_TEST

START_TEST(test_transport_names)
{
	ck_assert_str_eq(wp_transport_name(WP_TRANSPORT_ATA), "ata");
	ck_assert_str_eq(wp_transport_name(WP_TRANSPORT_NVME), "nvme");
	ck_assert_str_eq(wp_transport_name(WP_TRANSPORT_USB), "usb");
	ck_assert_str_eq(wp_transport_name(WP_TRANSPORT_SCSI), "scsi");
	ck_assert_str_eq(wp_transport_name(WP_TRANSPORT_MMC), "mmc");
	ck_assert_str_eq(wp_transport_name(WP_TRANSPORT_VIRTIO), "virtio");
	ck_assert_str_eq(wp_transport_name(WP_TRANSPORT_LOOP), "loop");
	ck_assert_str_eq(wp_transport_name(WP_TRANSPORT_UNKNOWN), "unknown");
	ck_assert_str_eq(wp_transport_name((enum wp_transport)99), "unknown");
}
END_TEST

static const struct {
	uint64_t bytes;
	const char *text;
} sizes[] = {
	{ 0, "0 B" },
	{ 512, "512 B" },
	{ 1023, "1023 B" },
	{ 1024, "1.0 KiB" },
	{ 1536, "1.5 KiB" },
	{ 64 * MIB, "64.0 MiB" },
	{ 1048575, "1.0 MiB" },
	{ 16008609792ULL, "14.9 GiB" },
	{ 500107862016ULL, "465.8 GiB" },
	{ 2000398934016ULL, "1.8 TiB" },
	{ UINT64_MAX, "16.0 EiB" },
};

START_TEST(test_format_size)
{
	char buf[32];

	wp_format_size(sizes[_i].bytes, buf, sizeof(buf));
	ck_assert_str_eq(buf, sizes[_i].text);
}
END_TEST

START_TEST(test_format_size_small_buffer)
{
	char buf[4] = "xxx";

	wp_format_size(64 * MIB, buf, sizeof(buf));
	ck_assert_str_eq(buf, "64.");
	wp_format_size(64 * MIB, buf, 0);
	ck_assert_str_eq(buf, "64.");
}
END_TEST

START_TEST(test_describe)
{
	char buf[256];

	memset(&dev, 0, sizeof(dev));
	fmt(dev.path, sizeof(dev.path), "/dev/sdb");
	fmt(dev.model, sizeof(dev.model), "SanDisk Ultra");
	fmt(dev.serial, sizeof(dev.serial), "4C530001");
	dev.transport = WP_TRANSPORT_USB;
	dev.size_bytes = 16008609792ULL;
	wp_device_describe(&dev, buf, sizeof(buf));
	ck_assert_str_eq(buf, "SanDisk Ultra (USB, 14.9 GiB, serial 4C530001)");

	dev.model[0] = '\0';
	dev.serial[0] = '\0';
	dev.transport = WP_TRANSPORT_UNKNOWN;
	wp_device_describe(&dev, buf, sizeof(buf));
	ck_assert_str_eq(buf, "/dev/sdb (14.9 GiB, no serial)");

	wp_device_describe(&dev, buf, 8);
	ck_assert_str_eq(buf, "/dev/sd");
}
END_TEST

/* ---- probe errors, as any user ---- */

static char tmpdir[64];

static void tmpdir_setup(void)
{
	fmt(tmpdir, sizeof(tmpdir), "/tmp/wp-test-media.XXXXXX");
	if (!mkdtemp(tmpdir))
		tmpdir[0] = '\0';
}

static void tmpdir_teardown(void)
{
	char path[PATH_MAX];

	if (!tmpdir[0])
		return;
	fmt(path, sizeof(path), "%s/image.bin", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

static void assert_probe_fails(const char *path, const char *hint)
{
	memset(err, 0, sizeof(err));
	ck_assert_int_eq(wp_media_probe(path, NULL, &dev, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, path) != NULL, "error lacks path: %s", err);
	ck_assert_msg(strstr(err, hint) != NULL, "error lacks '%s': %s", hint,
		      err);
	ck_assert_msg(strchr(err, '\n') == NULL, "error is not one line");
}

START_TEST(test_probe_nonexistent)
{
	char path[PATH_MAX];

	ck_assert(tmpdir[0]);
	fmt(path, sizeof(path), "%s/no-such-disk", tmpdir);
	assert_probe_fails(path, "does not exist; run `wipeproof list`");
}
END_TEST

START_TEST(test_probe_regular_file)
{
	char path[PATH_MAX];
	int fd;

	ck_assert(tmpdir[0]);
	fmt(path, sizeof(path), "%s/image.bin", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	assert_probe_fails(path, "is a regular file, not a block device");
	ck_assert_msg(strstr(err, "losetup -f --show") != NULL, "%s", err);
}
END_TEST

START_TEST(test_probe_char_device)
{
	assert_probe_fails("/dev/null", "not a block device");
}
END_TEST

START_TEST(test_probe_directory)
{
	ck_assert(tmpdir[0]);
	assert_probe_fails(tmpdir, "not a block device");
}
END_TEST

/* ---- the disk holding "/" ---- */

/* Kernel name of the whole disk under "/", via partition parent and dm/md
 * slaves; false when "/" is on no disk (overlay, tmpfs, 9p root). */
static bool root_disk_name(char *name, size_t len)
{
	struct stat st;
	char link[PATH_MAX], dir[PATH_MAX];

	if (stat("/", &st) < 0 || major(st.st_dev) == 0)
		return false;
	fmt(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_dev),
	    minor(st.st_dev));
	for (int depth = 0; depth < 8; depth++) {
		char probe[PATH_MAX + 16];
		struct dirent *e;
		DIR *d;

		if (!realpath(link, dir))
			return false;
		fmt(probe, sizeof(probe), "%s/partition", dir);
		if (access(probe, F_OK) == 0) {
			*strrchr(dir, '/') = '\0';
			break;
		}
		fmt(probe, sizeof(probe), "%s/slaves", dir);
		d = opendir(probe);
		e = NULL;
		while (d && (e = readdir(d)) != NULL && e->d_name[0] == '.')
			;
		if (!e) {
			if (d)
				closedir(d);
			break;
		}
		fmt(link, sizeof(link), "%s/%s", probe, e->d_name);
		closedir(d);
	}
	fmt(name, len, "%s", strrchr(dir, '/') + 1);
	return true;
}

static bool has_reason(const struct wp_device *d, const char *code)
{
	for (size_t i = 0; i < d->n_reasons; i++)
		if (strcmp(d->reasons[i].code, code) == 0)
			return true;
	return false;
}

START_TEST(test_root_disk_is_protected)
{
	char name[64], path[128];

	if (!root_disk_name(name, sizeof(name)))
		return; /* "/" is on no disk here: nothing to check */
	fmt(path, sizeof(path), "/dev/%s", name);
	if (access(path, F_OK) < 0)
		return;
	ck_assert_msg(wp_media_probe(path, NULL, &dev, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_str_eq(dev.name, name);
	ck_assert(dev.holds_system);
	ck_assert_str_eq(dev.system_mount, "/");
	ck_assert(dev.protected_);
	ck_assert(has_reason(&dev, WP_REASON_SYSTEM_DISK));
	ck_assert(wp_guard_hard_refusal(&dev));

	/* --force-holders changes nothing about the system disk */
	struct wp_guard_opts force = { .force_holders = true };
	ck_assert_int_eq(wp_media_probe(path, &force, &dev, err, sizeof(err)),
			 0);
	ck_assert(has_reason(&dev, WP_REASON_SYSTEM_DISK));
	ck_assert(wp_guard_hard_refusal(&dev));
}
END_TEST

static bool is_excluded_name(const char *name)
{
	return strncmp(name, "ram", 3) == 0 || strncmp(name, "zram", 4) == 0 ||
	       strncmp(name, "dm-", 3) == 0 ||
	       (strncmp(name, "md", 2) == 0 && name[2] >= '0' && name[2] <= '9');
}

START_TEST(test_enumerate)
{
	struct wp_device_list list;
	char root[64];
	bool have_root = root_disk_name(root, sizeof(root));
	bool found_root = false;

	ck_assert_msg(wp_media_enumerate(&list, err, sizeof(err)) == 0, "%s",
		      err);
	ck_assert_uint_ge(list.n, 1);
	for (size_t i = 0; i < list.n; i++) {
		const struct wp_device *d = &list.items[i];

		ck_assert_msg(!is_excluded_name(d->name), "%s listed", d->name);
		ck_assert_msg(strncmp(d->path, "/dev/", 5) == 0, "%s", d->path);
		if (d->kind == WP_KIND_LOOP)
			ck_assert_msg(d->backing_file[0] && d->size_bytes > 0,
				      "empty loop %s listed", d->name);
		else
			ck_assert(d->size_bytes > 0 || d->no_medium);
		if (i > 0)
			ck_assert_msg(strverscmp(list.items[i - 1].name,
						 d->name) < 0, "not sorted");
		if (have_root && strcmp(d->name, root) == 0) {
			found_root = true;
			ck_assert(d->protected_);
			ck_assert(has_reason(d, WP_REASON_SYSTEM_DISK));
		}
	}
	if (have_root)
		ck_assert_msg(found_root, "root disk %s not listed", root);
	wp_media_list_free(&list);
	ck_assert_uint_eq(list.n, 0);
	ck_assert_ptr_null(list.items);
}
END_TEST

/* ---- loop devices (root only) ---- */

struct loop_fixture {
	bool ready;
	char why[512];
	char dir[64];
	char img[PATH_MAX];
	char dev[64];   /* /dev/loopN */
	char part[80];  /* /dev/loopNp1 */
	char mnt[PATH_MAX];
	bool mounted;
};

static struct loop_fixture plain, parted, readonly;

static int make_image(struct loop_fixture *fx, off_t size)
{
	int fd;

	fmt(fx->dir, sizeof(fx->dir), "/tmp/wp-test-media.XXXXXX");
	if (!mkdtemp(fx->dir)) {
		fx->dir[0] = '\0';
		fmt(fx->why, sizeof(fx->why), "mkdtemp: %s",
		    strerror(errno));
		return -1;
	}
	fmt(fx->img, sizeof(fx->img), "%s/disk.img", fx->dir);
	fd = open(fx->img, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, size) < 0) {
		fmt(fx->why, sizeof(fx->why), "%s: %s", fx->img,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* One MBR ("dos") entry: Linux, from sector 2048, 8 MiB. Written into the
 * image file, so no partitioning tool is needed and no device is written. */
static int write_mbr(const char *img)
{
	unsigned char mbr[512] = { 0 };
	unsigned char *e = mbr + 446;
	const uint32_t start = 2048, count = 16384;
	int fd = open(img, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	mbr[440] = 0x57; /* disk identifier */
	mbr[441] = 0x50;
	e[4] = 0x83;
	for (int i = 0; i < 4; i++) {
		e[8 + i] = (unsigned char)(start >> (8 * i));
		e[12 + i] = (unsigned char)(count >> (8 * i));
	}
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	n = pwrite(fd, mbr, sizeof(mbr), 0);
	close(fd);
	return n == (ssize_t)sizeof(mbr) ? 0 : -1;
}


/* flags: "" or losetup options such as "-P" (scan partitions), "-r". */
static int attach(struct loop_fixture *fx, const char *flags)
{
	char cmd[PATH_MAX + 64];

	fmt(cmd, sizeof(cmd), "losetup -f --show %s '%s' 2>&1", flags,
	    fx->img);
	if (wp_fx_run(cmd, fx->dev, sizeof(fx->dev)) < 0 || !wp_fx_is_loop_node(fx->dev)) {
		fmt(fx->why, sizeof(fx->why), "losetup: %s", fx->dev);
		fx->dev[0] = '\0';
		return -1;
	}
	return 0;
}

/* Kernels built without partition parsers ignore -P; partx adds the
 * partitions from user space (BLKPG) then. */
static int wait_partition(struct loop_fixture *fx)
{
	char cmd[128];

	fmt(fx->part, sizeof(fx->part), "%sp1", fx->dev);
	if (access(fx->part, F_OK) < 0) {
		fmt(cmd, sizeof(cmd), "partx -a %s 2>&1", fx->dev);
		(void)wp_fx_run(cmd, NULL, 0);
	}
	for (int i = 0; i < 50 && access(fx->part, F_OK) < 0; i++)
		usleep(100 * 1000);
	if (access(fx->part, F_OK) < 0) {
		fmt(fx->why, sizeof(fx->why), "%s did not appear",
		    fx->part);
		return -1;
	}
	return 0;
}

static int make_fs(struct loop_fixture *fx)
{
	char cmd[PATH_MAX + 96], out[256];
	char mnt[PATH_MAX];

	/* ext4 written into the image at the partition's offset */
	fmt(cmd, sizeof(cmd),
	    "mkfs.ext4 -q -F -L wptest -E offset=1048576 '%s' 8M 2>&1",
	    fx->img);
	if (wp_fx_run(cmd, out, sizeof(out)) < 0) {
		fmt(fx->why, sizeof(fx->why), "mkfs.ext4: %s", out);
		return -1;
	}
	fmt(mnt, sizeof(mnt), "%s/mnt", fx->dir);
	if (mkdir(mnt, 0700) < 0 || !realpath(mnt, fx->mnt)) {
		fmt(fx->why, sizeof(fx->why), "%s: %s", mnt,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int mount_ro(struct loop_fixture *fx)
{
	if (mount(fx->part, fx->mnt, "ext4", MS_RDONLY, "noload") < 0) {
		fmt(fx->why, sizeof(fx->why), "mount %s: %s", fx->part,
		    strerror(errno));
		return -1;
	}
	fx->mounted = true;
	return 0;
}

static void loop_teardown(struct loop_fixture *fx)
{
	char cmd[128];

	if (fx->mounted && umount2(fx->mnt, 0) < 0)
		umount2(fx->mnt, MNT_DETACH);
	fx->mounted = false;
	if (fx->dev[0] && wp_fx_is_loop_node(fx->dev)) {
		fmt(cmd, sizeof(cmd), "losetup -d %s 2>&1", fx->dev);
		(void)wp_fx_run(cmd, NULL, 0);
	}
	fx->dev[0] = '\0';
	if (fx->mnt[0])
		rmdir(fx->mnt);
	if (fx->img[0])
		unlink(fx->img);
	if (fx->dir[0])
		rmdir(fx->dir);
	memset(fx, 0, sizeof(*fx));
}

/* Unchecked fixtures run in the runner's own process, so the teardown runs
 * even when a forked test dies. */
static void plain_setup(void)
{
	memset(&plain, 0, sizeof(plain));
	plain.ready = make_image(&plain, 16 * MIB) == 0 &&
		      attach(&plain, "") == 0;
}

static void plain_teardown(void)
{
	loop_teardown(&plain);
}

static void readonly_setup(void)
{
	memset(&readonly, 0, sizeof(readonly));
	readonly.ready = make_image(&readonly, 4 * MIB) == 0 &&
			 attach(&readonly, "-r") == 0;
}

static void readonly_teardown(void)
{
	loop_teardown(&readonly);
}

static int parted_prepare(struct loop_fixture *fx)
{
	if (make_image(fx, 16 * MIB) < 0)
		return -1;
	if (write_mbr(fx->img) < 0) {
		fmt(fx->why, sizeof(fx->why), "%s: writing MBR: %s",
		    fx->img, strerror(errno));
		return -1;
	}
	if (make_fs(fx) < 0 || attach(fx, "-P") < 0 ||
	    wait_partition(fx) < 0)
		return -1;
	return mount_ro(fx);
}

static void parted_setup(void)
{
	memset(&parted, 0, sizeof(parted));
	parted.ready = parted_prepare(&parted) == 0;
}

static void parted_teardown(void)
{
	loop_teardown(&parted);
}

START_TEST(test_loop_identity)
{
	char img[PATH_MAX];

	ck_assert_msg(plain.ready, "loop setup failed: %s", plain.why);
	ck_assert_msg(wp_media_probe(plain.dev, NULL, &dev, err,
				     sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(dev.path, plain.dev);
	ck_assert_str_eq(dev.name, plain.dev + 5);
	ck_assert_int_eq(dev.kind, WP_KIND_LOOP);
	ck_assert_int_eq(dev.transport, WP_TRANSPORT_LOOP);
	ck_assert_str_eq(dev.model, "Loop device");
	ck_assert_ptr_nonnull(realpath(plain.img, img));
	ck_assert_str_eq(dev.backing_file, img);
	ck_assert_uint_eq(dev.size_bytes, 16 * MIB);
	ck_assert_uint_eq(dev.logical_block_size, 512);
	ck_assert_msg(strncmp(dev.serial, "LOOP-", 5) == 0, "serial %s",
		      dev.serial);
	ck_assert_str_eq(dev.serial_source, "loop");
	ck_assert_uint_eq(dev.n_partitions, 0);
	ck_assert_msg(!dev.protected_, "fresh loop protected: %s",
		      dev.n_reasons ? dev.reasons[0].text : "");
	ck_assert(!dev.mounted && !dev.holds_system && !dev.swap_active);
}
END_TEST

/* The serial ties a plan to a wipe: it must not change between probes. */
START_TEST(test_loop_serial_stable)
{
	struct stat st;
	char want[128];

	ck_assert_msg(plain.ready, "loop setup failed: %s", plain.why);
	ck_assert_int_eq(wp_media_probe(plain.dev, NULL, &dev, err,
					sizeof(err)), 0);
	ck_assert_int_eq(wp_media_probe(plain.dev, NULL, &dev2, err,
					sizeof(err)), 0);
	ck_assert_str_eq(dev.serial, dev2.serial);
	ck_assert_int_eq(stat(plain.img, &st), 0);
	fmt(want, sizeof(want), "LOOP-%llx-%llx",
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	ck_assert_str_eq(dev.serial, want);
}
END_TEST

START_TEST(test_loop_via_symlink_and_listed)
{
	char link[PATH_MAX];
	struct wp_device_list list;
	bool listed = false;

	ck_assert_msg(plain.ready, "loop setup failed: %s", plain.why);
	fmt(link, sizeof(link), "%s/disk-link", plain.dir);
	ck_assert_int_eq(symlink(plain.dev, link), 0);
	ck_assert_msg(wp_media_probe(link, NULL, &dev, err, sizeof(err)) == 0,
		      "%s", err);
	unlink(link);
	ck_assert_str_eq(dev.path, plain.dev);

	ck_assert_int_eq(wp_media_enumerate(&list, err, sizeof(err)), 0);
	for (size_t i = 0; i < list.n; i++)
		if (strcmp(list.items[i].path, plain.dev) == 0) {
			listed = true;
			ck_assert_str_eq(list.items[i].serial, dev.serial);
			ck_assert(!list.items[i].protected_);
		}
	wp_media_list_free(&list);
	ck_assert_msg(listed, "%s not enumerated", plain.dev);
}
END_TEST

START_TEST(test_readonly_loop_protected)
{
	ck_assert_msg(readonly.ready, "loop setup failed: %s", readonly.why);
	ck_assert_msg(wp_media_probe(readonly.dev, NULL, &dev, err,
				     sizeof(err)) == 0, "%s", err);
	ck_assert(dev.read_only);
	ck_assert(dev.protected_);
	ck_assert_uint_eq(dev.n_reasons, 1);
	ck_assert_str_eq(dev.reasons[0].code, WP_REASON_READ_ONLY);
	ck_assert(wp_guard_hard_refusal(&dev));
}
END_TEST

START_TEST(test_partition_refused)
{
	char want[128];

	ck_assert_msg(parted.ready, "loop setup failed: %s", parted.why);
	assert_probe_fails(parted.part, "is a partition of");
	fmt(want, sizeof(want), "partition of %s; wipeproof erases whole "
	    "disks: use %s", parted.dev, parted.dev);
	ck_assert_msg(strstr(err, want) != NULL, "%s", err);
}
END_TEST

START_TEST(test_mounted_loop_protected)
{
	char want[PATH_MAX + 128];

	ck_assert_msg(parted.ready, "loop setup failed: %s", parted.why);
	ck_assert_msg(wp_media_probe(parted.dev, NULL, &dev, err,
				     sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(dev.pttype, "dos");
	ck_assert_uint_eq(dev.n_partitions, 1);
	ck_assert_str_eq(dev.partitions[0].path, parted.part);
	ck_assert_uint_eq(dev.partitions[0].number, 1);
	ck_assert_uint_eq(dev.partitions[0].size_bytes, 8 * MIB);
	ck_assert_str_eq(dev.partitions[0].fs.fstype, "ext4");
	ck_assert_str_eq(dev.partitions[0].fs.label, "wptest");
	ck_assert_str_eq(dev.partitions[0].fs.mountpoint, parted.mnt);

	ck_assert(dev.mounted);
	fmt(want, sizeof(want), "%s on %s", parted.part, parted.mnt);
	ck_assert_str_eq(dev.mounted_what, want);
	ck_assert(dev.protected_);
	ck_assert(has_reason(&dev, WP_REASON_MOUNTED));
	ck_assert(!has_reason(&dev, WP_REASON_SYSTEM_DISK));
	ck_assert(wp_guard_hard_refusal(&dev));

	/* --force-holders does not make a mounted disk wipeable */
	struct wp_guard_opts force = { .force_holders = true };
	ck_assert_int_eq(wp_media_probe(parted.dev, &force, &dev, err,
					sizeof(err)), 0);
	ck_assert(has_reason(&dev, WP_REASON_MOUNTED));
	ck_assert(wp_guard_hard_refusal(&dev));
}
END_TEST


/* ---- issue 17: the maker and the disc (udev/identify.c) ------------------------------------ */

/* Property sets as `udevadm info` printed them for real drives, recorded in
 * openmediavault's cdrom device plugin (deb/openmediavault/usr/lib/python3/
 * dist-packages/openmediavault/device/plugins/cdrom.py), "KEY=VALUE\n"... */
static const char *recorded_get(const char *key, void *ctx)
{
	static char value[64];
	const char *p = ctx;
	size_t n = strlen(key);
	for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == '=') {
			fmt(value, sizeof(value), "%.*s", (int)strcspn(p + n + 1, "\n"), p + n + 1);
			return value;
		}
	return NULL;
}

START_TEST(test_optical_medium_recorded)
{
	static const struct {
		const char *props, *name;
		bool write_once;
	} cases[] = {
		/* "Empty CD" */
		{ "ID_CDROM_MEDIA=1\nID_CDROM_MEDIA_CD_R=1\nID_CDROM_MEDIA_STATE=blank\n"
		  "ID_CDROM_MEDIA_SESSION_NEXT=1\nID_CDROM_MEDIA_SESSION_COUNT=1\n"
		  "ID_CDROM_MEDIA_TRACK_COUNT=1\n", "CD-R", true },
		/* "3 sessions data CD" */
		{ "ID_CDROM_MEDIA_CD_R=1\nID_CDROM_MEDIA_STATE=complete\n"
		  "ID_CDROM_MEDIA_SESSION_COUNT=3\nID_CDROM_MEDIA_TRACK_COUNT=3\n", "CD-R", true },
		/* "Data-only CD" (pressed), as QEMU's ide-cd with an ISO reports it */
		{ "ID_CDROM_MEDIA=1\nID_CDROM_MEDIA_CD=1\nID_CDROM_MEDIA_SESSION_COUNT=1\n"
		  "ID_CDROM_MEDIA_TRACK_COUNT=1\nID_CDROM_MEDIA_TRACK_COUNT_DATA=1\n", "CD-ROM", false },
		/* QEMU 7.2 ide-cd on AHCI with a 16 MiB data image, udev 252 in the
		 * guest of hw/test_identify.sh (`udevadm info --query=property`) */
		{ "ID_CDROM=1\nID_CDROM_DVD=1\nID_CDROM_MEDIA=1\nID_CDROM_MEDIA_CD=1\n"
		  "ID_CDROM_MEDIA_SESSION_COUNT=1\nID_CDROM_MEDIA_TRACK_COUNT=1\n"
		  "ID_CDROM_MEDIA_TRACK_COUNT_DATA=1\nID_TYPE=cd\nID_BUS=ata\n"
		  "ID_MODEL=QEMU_DVD-ROM\nID_SERIAL_SHORT=WPHW-CD2\n", "CD-ROM", false },
		/* "Empty DVD" */
		{ "ID_CDROM_MEDIA=1\nID_CDROM_MEDIA_DVD_R=1\nID_CDROM_MEDIA_STATE=blank\n", "DVD-R", true },
		/* cdrom_id's keys for the rewritable profiles (its printf list) */
		{ "ID_CDROM_MEDIA=1\nID_CDROM_MEDIA_CD_RW=1\n", "CD-RW", false },
		{ "ID_CDROM_MEDIA=1\nID_CDROM_MEDIA_DVD_PLUS_RW=1\n", "DVD+RW", false },
		{ "ID_CDROM_MEDIA=1\nID_CDROM_MEDIA_DVD_PLUS_R_DL=1\n", "DVD+R DL", true },
		/* a medium nobody named counts as write-once */
		{ "ID_CDROM_MEDIA=1\n", "", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool once = !cases[i].write_once;
		const char *name = wp_optical_medium(recorded_get, (void *)cases[i].props, &once);
		ck_assert_msg(strcmp(name, cases[i].name) == 0, "case %zu: %s", i, name);
		ck_assert_msg(once == cases[i].write_once, "case %zu: write-once", i);
	}
}
END_TEST

static const char *fake_hwdb(const char *key, void *ctx)
{
	(void)ctx;
	return strcmp(key, "OUI:0014EE") == 0 ? "Western Digital Technologies, Inc." : NULL;
}

START_TEST(test_maker_from_standard_fields)
{
	char maker[128], src[16];
	char oui[7];
	ck_assert(wp_wwn_oui("0x50014ee2b5c6d7e8", oui));
	ck_assert_str_eq(oui, "0014EE");
	ck_assert(!wp_wwn_oui("0x2001000000000000", oui)); /* NAA 2: no OUI where 5 has it */
	ck_assert(!wp_wwn_oui("eui.0025385", oui));
	/* QEMU's scsi-hd answers INQUIRY with vendor "QEMU" (padded) */
	struct wp_maker_ids scsi = { .scsi_vendor = "QEMU    ", .wwn = "0x50014ee2b5c6d7e8" };
	wp_maker_pick(&scsi, fake_hwdb, NULL, maker, sizeof(maker), src, sizeof(src));
	ck_assert_str_eq(maker, "QEMU");
	ck_assert_str_eq(src, "scsi-inquiry");
	/* a SATA disk: libata's "ATA" names nobody, the WWN's OUI does */
	struct wp_maker_ids ata = { .scsi_vendor = "ATA     ", .wwn = "0x50014ee2b5c6d7e8" };
	wp_maker_pick(&ata, fake_hwdb, NULL, maker, sizeof(maker), src, sizeof(src));
	ck_assert_str_eq(maker, "Western Digital Technologies, Inc.");
	ck_assert_str_eq(src, "wwn-oui");
	wp_maker_pick(&ata, NULL, NULL, maker, sizeof(maker), src, sizeof(src));
	ck_assert_str_eq(maker, "IEEE OUI 0014EE");
	/* no standard field: unknown, whatever the model says */
	struct wp_maker_ids none = { .scsi_vendor = "ATA" };
	wp_maker_pick(&none, fake_hwdb, NULL, maker, sizeof(maker), src, sizeof(src));
	ck_assert_str_eq(maker, "");
	ck_assert_str_eq(src, "");
	struct wp_maker_ids nvme = { .pci_vendor = "0x144d\n" };
	wp_maker_pick(&nvme, NULL, NULL, maker, sizeof(maker), src, sizeof(src));
	ck_assert_str_eq(maker, "PCI vendor 144d");
	ck_assert_str_eq(src, "pci-vendor");
}
END_TEST

static Suite *media_suite(void)
{
	Suite *s = suite_create("media");
	TCase *tc = tcase_create("names");
	int nsizes = (int)(sizeof(sizes) / sizeof(sizes[0]));

	tcase_add_test(tc, test_kind_names);
	tcase_add_test(tc, test_transport_names);
	tcase_add_loop_test(tc, test_format_size, 0, nsizes);
	tcase_add_test(tc, test_format_size_small_buffer);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_optical_medium_recorded);
	tcase_add_test(tc, test_maker_from_standard_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("probe-errors");
	tcase_add_unchecked_fixture(tc, tmpdir_setup, tmpdir_teardown);
	tcase_add_test(tc, test_probe_nonexistent);
	tcase_add_test(tc, test_probe_regular_file);
	tcase_add_test(tc, test_probe_char_device);
	tcase_add_test(tc, test_probe_directory);
	suite_add_tcase(s, tc);

	tc = tcase_create("system");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_root_disk_is_protected);
	tcase_add_test(tc, test_enumerate);
	suite_add_tcase(s, tc);

	if (geteuid() != 0)
		return s; /* loop devices need root */

	tc = tcase_create("loop");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, plain_setup, plain_teardown);
	tcase_add_test(tc, test_loop_identity);
	tcase_add_test(tc, test_loop_serial_stable);
	tcase_add_test(tc, test_loop_via_symlink_and_listed);
	suite_add_tcase(s, tc);

	tc = tcase_create("loop-read-only");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, readonly_setup, readonly_teardown);
	tcase_add_test(tc, test_readonly_loop_protected);
	suite_add_tcase(s, tc);

	tc = tcase_create("loop-partitioned");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, parted_setup, parted_teardown);
	tcase_add_test(tc, test_partition_refused);
	tcase_add_test(tc, test_mounted_loop_protected);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (geteuid() != 0)
		fprintf(stderr, "test_media: not root, loop device tests "
			"skipped\n");
	return wp_run_suite(media_suite());
}
