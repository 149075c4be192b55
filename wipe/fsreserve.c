/*
 * The pools a filesystem keeps back from every writer, root included, and
 * the free space it still has after a free-space fill (R9, issue 15).
 *
 * Why lower a pool: ext4 keeps reserved_clusters (2 % or 4096 clusters) and
 * xfs its reserve (resblks, 5 % or 8192 blocks) for its own metadata when
 * full; a fill never reaches them, and a deleted file's blocks may be among
 * them. Both can be set to 0 while the filesystem is mounted and set back
 * afterwards. Why a guard file: a run killed with SIGKILL (or by a second
 * SIGINT) cannot restore from its normal path; the guard in /run holds the
 * value before the run, and the next freespace run on the same filesystem
 * restores it first. A remount recomputes both pools anyway, and /run is
 * emptied at boot, so the guard lives exactly as long as the lowered pool.
 *
 * Why GETFSMAP: statfs leaves out pools (xfs's set-aside and per-AG
 * reservations), so it cannot say what the fill did not reach; the free
 * extents in the filesystem's own space map can (ext4 and xfs).
 */
#include "wipe.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fsmap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* xfsprogs' xfs_fs.h (not installed with the runtime packages); checked
 * against `xfs_io -x -c resblks` in tests/integration/it_freespace.sh. */
struct wp_xfs_resblks {
	uint64_t resblks;
	uint64_t resblks_avail;
};
#define WP_XFS_IOC_SET_RESBLKS _IOWR('X', 114, struct wp_xfs_resblks)
#define WP_XFS_IOC_GET_RESBLKS _IOR('X', 115, struct wp_xfs_resblks)

#define WP_GUARD_DIR_DEFAULT "/run/wipeproof"

/* The pool lowered right now, for the signal path: one at a time, since
 * one process fills one filesystem. */
static struct {
	volatile sig_atomic_t active;
	int kind;
	int fd;
	char value[32];
	size_t value_len;
	uint64_t resblks;
	char guard[512];
} lowered;

const char *wp_fs_kind_name(unsigned long magic)
{
	switch (magic) {
	case 0xEF53: return "ext4"; /* ext2/3/4 share the magic */
	case 0x58465342: return "xfs";
	case 0x4d44: return "vfat";
	case 0x2011BAB0: return "exfat";
	case 0x9123683E: return "btrfs";
	default: return "";
	}
}


/* The kernel's name of the block device (loop0, sda1) for /sys/fs/ext4. */
static int dev_name(dev_t dev, char *name, size_t len)
{
	char path[96], line[256];
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major(dev), minor(dev));
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int rc = -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "DEVNAME=", 8) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(name, len, "%.63s", line + 8);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

static int read_u64(int fd, uint64_t *v)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *end;
	errno = 0;
	unsigned long long x = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -1;
	*v = x;
	return 0;
}

static int set_pool(struct wp_fs_reserve *rs, uint64_t v)
{
	if (rs->kind == WP_FS_RESERVE_EXT4) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", v);
		return pwrite(rs->fd, buf, (size_t)n, 0) == n ? 0 : -1;
	}
	struct wp_xfs_resblks x = { .resblks = v };
	return ioctl(rs->fd, WP_XFS_IOC_SET_RESBLKS, &x);
}

static int get_pool(struct wp_fs_reserve *rs, uint64_t *v)
{
	if (rs->kind == WP_FS_RESERVE_EXT4)
		return read_u64(rs->fd, v);
	struct wp_xfs_resblks x = { 0 };
	if (ioctl(rs->fd, WP_XFS_IOC_GET_RESBLKS, &x) < 0)
		return -1;
	*v = x.resblks;
	return 0;
}

/* A guard from a run that could not restore: "FSID VALUE". Restores VALUE
 * when FSID is this filesystem's; a stale guard (another filesystem on the
 * same device since) is dropped. */
static int apply_guard(struct wp_fs_reserve *rs, char *err, size_t errlen)
{
	FILE *f = fopen(rs->guard, "re");
	if (!f)
		return 0;
	char fsid[40];
	unsigned long long v;
	bool ok = fscanf(f, "%39s %llu", fsid, &v) == 2;
	fclose(f);
	if (ok && strcmp(fsid, rs->fsid) == 0) {
		if (set_pool(rs, v) < 0) {
			snprintf(err, errlen, "cannot restore %s to %llu (left lowered by an earlier run, "
				 "see %s): %s", rs->name, v, rs->guard, strerror(errno));
			return -1;
		}
		rs->restored_from_guard = true;
	}
	unlink(rs->guard);
	return 0;
}

static int write_guard(struct wp_fs_reserve *rs, char *err, size_t errlen)
{
	char tmp[600];
	if (mkdir(rs->guard_dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s for the guard of %s: %s", rs->guard_dir,
			 rs->name, strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", rs->guard);
	FILE *f = fopen(tmp, "we");
	if (!f || fprintf(f, "%s %" PRIu64 "\n", rs->fsid, rs->original) < 0 ||
	    fflush(f) != 0 || fsync(fileno(f)) < 0 || fclose(f) != 0 || rename(tmp, rs->guard) < 0) {
		snprintf(err, errlen, "cannot write the guard %s of %s: %s", rs->guard, rs->name,
			 strerror(errno));
		if (f)
			fclose(f);
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int open_pool(const char *mountpoint, const struct statfs *sf, dev_t dev,
		     struct wp_fs_reserve *rs, char *err, size_t errlen)
{
	char name[64], path[160];
	if (sf->f_type == 0xEF53) {
		if (dev_name(dev, name, sizeof(name)) < 0)
			return 0; /* no block device: no pool to find */
		snprintf(path, sizeof(path), "/sys/fs/ext4/%s/reserved_clusters", name);
		rs->fd = open(path, O_RDWR | O_CLOEXEC);
		if (rs->fd < 0 && errno == ENOENT)
			return 0; /* ext2/ext3 driver: no such pool */
		rs->kind = WP_FS_RESERVE_EXT4;
		snprintf(rs->name, sizeof(rs->name), "ext4 reserved_clusters of %s", name);
	} else if (sf->f_type == 0x58465342) {
		rs->fd = open(mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rs->kind = WP_FS_RESERVE_XFS;
		snprintf(rs->name, sizeof(rs->name), "the xfs reserve (resblks) of %.100s", mountpoint);
	} else {
		return 0;
	}
	if (rs->fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", rs->name, strerror(errno));
		rs->kind = WP_FS_RESERVE_NONE;
		return -1;
	}
	return 0;
}

int wp_fs_reserve_open(const char *mountpoint, const char *run_dir, struct wp_fs_reserve *rs,
		       char *err, size_t errlen)
{
	struct statfs sf;
	struct stat st;
	memset(rs, 0, sizeof(*rs));
	rs->fd = -1;
	if (errlen)
		err[0] = '\0';
	if (statfs(mountpoint, &sf) < 0 || stat(mountpoint, &st) < 0) {
		snprintf(err, errlen, "cannot read the filesystem of %s: %s", mountpoint,
			 strerror(errno));
		return -1;
	}
	if (open_pool(mountpoint, &sf, st.st_dev, rs, err, errlen) < 0)
		return -1;
	if (rs->kind == WP_FS_RESERVE_NONE)
		return 0;
	rs->unit = rs->kind == WP_FS_RESERVE_EXT4 ? (uint64_t)sf.f_frsize : (uint64_t)sf.f_bsize;
	snprintf(rs->fsid, sizeof(rs->fsid), "%u:%u-%08x%08x", major(st.st_dev), minor(st.st_dev),
		 (unsigned)sf.f_fsid.__val[0], (unsigned)sf.f_fsid.__val[1]);
	snprintf(rs->guard_dir, sizeof(rs->guard_dir), "%.400s",
		 run_dir && run_dir[0] ? run_dir : WP_GUARD_DIR_DEFAULT);
	snprintf(rs->guard, sizeof(rs->guard), "%.400s/freespace-%u:%u.guard", rs->guard_dir,
		 major(st.st_dev), minor(st.st_dev));
	if (apply_guard(rs, err, errlen) < 0 || get_pool(rs, &rs->original) < 0) {
		if (!*err)
			snprintf(err, errlen, "cannot read %s: %s", rs->name, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	close(rs->fd);
	rs->fd = -1;
	rs->kind = WP_FS_RESERVE_NONE;
	return -1;
}

int wp_fs_reserve_lower(struct wp_fs_reserve *rs, char *err, size_t errlen)
{
	if (rs->kind == WP_FS_RESERVE_NONE || rs->original == 0)
		return 0;
	if (write_guard(rs, err, errlen) < 0)
		return -1;
	/* ready for the signal path before the pool is touched */
	lowered.kind = rs->kind;
	lowered.fd = rs->fd;
	lowered.value_len = (size_t)snprintf(lowered.value, sizeof(lowered.value), "%" PRIu64 "\n",
					     rs->original);
	lowered.resblks = rs->original;
	snprintf(lowered.guard, sizeof(lowered.guard), "%s", rs->guard);
	lowered.active = 1;
	if (set_pool(rs, 0) < 0) {
		snprintf(err, errlen, "cannot lower %s from %" PRIu64 " to 0: %s", rs->name,
			 rs->original, strerror(errno));
		lowered.active = 0;
		unlink(rs->guard);
		return -1;
	}
	rs->lowered = true;
	return 0;
}

int wp_fs_reserve_restore(struct wp_fs_reserve *rs, char *err, size_t errlen)
{
	int rc = 0;
	if (rs->lowered) {
		uint64_t now = 0;
		if (set_pool(rs, rs->original) < 0 || get_pool(rs, &now) < 0 || now != rs->original) {
			snprintf(err, errlen, "cannot restore %s to %" PRIu64 ": %s; the next "
				 "'wipeproof freespace' on this filesystem or a remount restores it",
				 rs->name, rs->original, strerror(errno));
			rc = -1;
		} else {
			lowered.active = 0;
			unlink(rs->guard);
		}
		rs->lowered = false;
	}
	if (rs->fd >= 0)
		close(rs->fd);
	rs->fd = -1;
	return rc;
}

/* Only write/ioctl/unlink: safe in a signal handler. */
void wp_fs_reserve_restore_signal(void)
{
	if (!lowered.active)
		return;
	int rc;
	if (lowered.kind == WP_FS_RESERVE_EXT4) {
		rc = pwrite(lowered.fd, lowered.value, lowered.value_len, 0) ==
		     (ssize_t)lowered.value_len ? 0 : -1;
	} else {
		struct wp_xfs_resblks x = { .resblks = lowered.resblks };
		rc = ioctl(lowered.fd, WP_XFS_IOC_SET_RESBLKS, &x);
	}
	if (rc == 0) {
		unlink(lowered.guard);
		lowered.active = 0;
	}
}

/* ext4 superblock fields (Documentation/filesystems/ext4/super.rst); the
 * figure they yield is checked against dumpe2fs in it_freespace_reach.sh */
#define EXT4_SB_OFFSET 1024
#define EXT4_INLINE_DATA 0x8000u
#define EXT4_GOOD_OLD_INODE_SIZE 128u
#define EXT4_I_BLOCK_BYTES 60u

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int wp_fs_inline_area(const char *mountpoint, uint64_t *bytes, char *err, size_t errlen)
{
	struct statfs sf;
	struct stat st;
	char name[64], path[96];
	uint8_t sb[1024];
	*bytes = 0;
	if (statfs(mountpoint, &sf) < 0 || sf.f_type != 0xEF53 || stat(mountpoint, &st) < 0 ||
	    dev_name(st.st_dev, name, sizeof(name)) < 0)
		return 0;
	snprintf(path, sizeof(path), "/dev/%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || pread(fd, sb, sizeof(sb), EXT4_SB_OFFSET) != (ssize_t)sizeof(sb)) {
		snprintf(err, errlen, "cannot read the ext4 superblock on %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (le16(sb + 0x38) != 0xEF53) {
		snprintf(err, errlen, "%s has no ext4 superblock at 1024", path);
		return -1;
	}
	if (!(le32(sb + 0x60) & EXT4_INLINE_DATA))
		return 0;
	/* a deleted file's inline contents stay in its inode: i_block and
	 * the in-inode extended attribute space, in every inode */
	uint64_t inodes = le32(sb + 0x00);
	unsigned isize = le16(sb + 0x58), extra = le16(sb + 0x15E); /* s_want_extra_isize */
	unsigned per = EXT4_I_BLOCK_BYTES;
	if (isize > EXT4_GOOD_OLD_INODE_SIZE + extra)
		per += isize - EXT4_GOOD_OLD_INODE_SIZE - extra;
	*bytes = inodes * per;
	return 1;
}

int wp_fs_free_extents(const char *mountpoint, uint64_t *bytes, char *err, size_t errlen)
{
	enum { NRECS = 256 };
	*bytes = 0;
	int fd = open(mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct fsmap_head *h = calloc(1, fsmap_sizeof(NRECS));
	int rc = 0;
	if (fd < 0 || !h) {
		snprintf(err, errlen, "cannot open %s: %s", mountpoint, h ? strerror(errno) : "out of memory");
		rc = -1;
		goto out;
	}
	h->fmh_count = NRECS;
	h->fmh_keys[1].fmr_device = UINT32_MAX;
	h->fmh_keys[1].fmr_flags = UINT32_MAX;
	h->fmh_keys[1].fmr_physical = UINT64_MAX;
	h->fmh_keys[1].fmr_owner = UINT64_MAX;
	h->fmh_keys[1].fmr_offset = UINT64_MAX;
	for (;;) {
		if (ioctl(fd, FS_IOC_GETFSMAP, h) < 0) {
			rc = errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL ? 1 : -1;
			snprintf(err, errlen, "cannot read the space map of %s: %s", mountpoint,
				 strerror(errno));
			break;
		}
		if (h->fmh_entries == 0)
			break;
		for (unsigned i = 0; i < h->fmh_entries; i++)
			if (h->fmh_recs[i].fmr_owner == FMR_OWN_FREE)
				*bytes += h->fmh_recs[i].fmr_length;
		if (h->fmh_recs[h->fmh_entries - 1].fmr_flags & FMR_OF_LAST)
			break;
		fsmap_advance(h);
	}
out:
	if (fd >= 0)
		close(fd);
	free(h);
	return rc;
}
