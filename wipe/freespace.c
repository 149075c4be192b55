/*
 * Free-space wipe of a mounted filesystem (R9): fill every free block with
 * one pass's pattern in files of our own, flush, read every file back
 * against the pattern, then delete the files.
 *
 * Why files and not the device: the filesystem stays mounted and in use, so
 * only the filesystem knows which blocks are free; what it hands out to a
 * new file is exactly its reusable area. The files form one stream: file k
 * holds the pattern at stream offsets [start_k, start_k + size_k), so the
 * read-back regenerates the same bytes whatever the file sizes turned out
 * to be. Root writes into the blocks ext4 reserves for root too; the pools
 * even root cannot allocate from (ext4 reserved_clusters, xfs resblks) are
 * set to 0 for the fill and back afterwards (fsreserve.c), and what the fill
 * still did not reach is measured while the disk is full, so the result
 * says exactly how much free space was left out (issue 15).
 *
 * Invariant on every return: the fill folder and its files are gone (a
 * signal or error included), so a failed run never leaves the disk full.
 */
#include "wipe.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* 1 GiB files: below FAT's 4 GiB limit; small files at the end take up
 * what a big one could not (ext4 block groups, FAT clusters). */
#define FILL_FILE_BYTES (1ull << 30)
#define FILL_BUF_BYTES (1u << 20)
#define FILL_MAX_FILES 65536
/* When a page-sized write finds no room, the filesystem may still have a
 * cluster smaller than a page (FAT: 512 B..2 KiB): writing it sector by
 * sector fills it, where a 4 KiB write fails whole. */
#define FILL_SCRAP_BYTES 512u

struct fill {
	const char *dir;          /* the fill folder */
	struct wp_patgen gen;
	const struct wp_run_ctl *ctl;
	struct wp_progress_clock clock;
	uint8_t *buf, *back;
	uint64_t total;           /* free bytes at the start, for progress */
	uint64_t stream;          /* bytes written so far = next stream offset */
	uint64_t verified;
	uint64_t last_size;       /* the smallest file: one block or cluster */
	/* xfs with its reserve at 0 cannot allocate at writeback (fsync says
	 * ENOSPC and the pages are lost); direct writes allocate in write() */
	bool direct;
	/* the pool is lowered only for the last, small files: with it at 0 a
	 * big file's unwritten extents cannot be split at I/O completion
	 * (ext4: "ext4_convert_unwritten_extents_endio" and the data reads
	 * back as zeros), while a small file's few extents fit in its inode */
	struct wp_fs_reserve *rs;
	const char *mountpoint;
	struct wp_freespace_result *r;
	unsigned files;
	uint64_t sizes[FILL_MAX_FILES];
};

static bool stopped(const struct fill *f)
{
	return f->ctl && f->ctl->stop && *f->ctl->stop;
}

static void file_path(const struct fill *f, unsigned i, char *path, size_t len)
{
	snprintf(path, len, "%s/fill-%05u", f->dir, i);
}

/* Write one file until it is full or the filesystem is; *full when the
 * filesystem said ENOSPC (or EFBIG at FAT's file limit). */
static int fill_one(struct fill *f, uint64_t limit, bool *full, char *err, size_t errlen)
{
	char path[4200];
	file_path(f, f->files, path, sizeof(path));
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW |
		      (f->direct ? O_DIRECT : 0), 0600);
	if (fd < 0) {
		*full = errno == ENOSPC;
		if (*full)
			return 0;
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -1;
	}
	uint64_t size = 0;
	size_t step = FILL_BUF_BYTES;
	int rc = 0;
	while (size < limit && !*full && !stopped(f) && rc == 0) {
		size_t n = (size_t)(limit - size < step ? limit - size : step);
		rc = wp_patgen_fill(&f->gen, f->stream, f->buf, n, err, errlen);
		ssize_t w = rc == 0 ? write(fd, f->buf, n) : 0;
		bool no_room = (w < 0 && errno == ENOSPC) || (w >= 0 && (size_t)w < n);
		if (w < 0 && errno == EFBIG) {
			*full = true;
		} else if (w < 0 && errno != ENOSPC) {
			snprintf(err, errlen, "writing %s: %s", path, strerror(errno));
			rc = -1;
		} else if (w > 0) {
			size += (uint64_t)w;
			f->stream += (uint64_t)w;
		}
		if (no_room && rc == 0) {
			*full = *full || step == FILL_SCRAP_BYTES;
			step = FILL_SCRAP_BYTES;
		}
		wp_progress_emit(f->ctl, &f->clock, "write", 1, 1, f->stream, f->total, false);
	}
	/* a partial last write is kept: those bytes are on the medium */
	if (rc == 0 && fsync(fd) < 0) {
		snprintf(err, errlen, "flushing %s: %s", path, strerror(errno));
		rc = -1;
	}
	close(fd);
	f->sizes[f->files++] = size;
	return rc;
}

/* Big files first, then 64 KiB ones and one-block (FAT: one-cluster) ones
 * for the last scraps, until even a block finds no room. */
static int fill_all(struct fill *f, char *err, size_t errlen)
{
	const uint64_t sizes[] = { FILL_FILE_BYTES, 64u << 10, f->last_size };
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		bool full = false;
		if (s == 1 && !stopped(f)) {
			if (wp_fs_reserve_lower(f->rs, err, errlen) < 0)
				return -1;
			if (f->rs->lowered) {
				snprintf(f->r->reserve, sizeof(f->r->reserve), "%s", f->rs->name);
				f->r->reserve_bytes = f->rs->original * f->rs->unit;
				/* xfs's statfs had left the pool out of the free space */
				if (f->rs->kind == WP_FS_RESERVE_XFS)
					f->r->free_bytes += f->r->reserve_bytes;
			}
		}
		while (!full && !stopped(f)) {
			if (f->files == FILL_MAX_FILES) {
				snprintf(err, errlen, "more than %d fill files needed; the filesystem "
					 "hands out too little per file", FILL_MAX_FILES);
				return -1;
			}
			if (fill_one(f, sizes[s], &full, err, errlen) < 0)
				return -1;
		}
	}
	if (stopped(f)) {
		snprintf(err, errlen, "stopped by a signal while filling; the fill files were removed");
		return -1;
	}
	sync();
	wp_progress_emit(f->ctl, &f->clock, "write", 1, 1, f->stream, f->total, true);
	return 0;
}

/* Read one file back, from the medium (its cached pages dropped first),
 * and compare with the pattern at its stream offset. */
static int verify_one(struct fill *f, unsigned i, uint64_t start, char *err, size_t errlen)
{
	char path[4200];
	file_path(f, i, path, sizeof(path));
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "cannot reopen %s: %s", path, strerror(errno));
		return -1;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	uint64_t done = 0;
	int rc = 0;
	while (done < f->sizes[i] && rc == 0 && !stopped(f)) {
		size_t n = (size_t)(f->sizes[i] - done < FILL_BUF_BYTES ? f->sizes[i] - done
									  : FILL_BUF_BYTES);
		ssize_t r = read(fd, f->back, n);
		if (r <= 0) {
			snprintf(err, errlen, "reading %s back at byte %llu: %s", path,
				 (unsigned long long)done, r < 0 ? strerror(errno) : "file is shorter");
			rc = -1;
		} else if (wp_patgen_xor(&f->gen, start + done, f->back, (size_t)r, err, errlen) < 0) {
			rc = -1;
		} else if (wp_first_nonzero(f->back, (size_t)r) != (size_t)r) {
			snprintf(err, errlen, "%s does not read back as written at byte %llu: the "
				 "filesystem or medium returns other data", path,
				 (unsigned long long)(done + wp_first_nonzero(f->back, (size_t)r)));
			rc = 2; /* a mismatch, not an I/O error */
		} else {
			done += (uint64_t)r;
			f->verified += (uint64_t)r;
		}
		wp_progress_emit(f->ctl, &f->clock, "verify", 1, 1, f->verified, f->stream, false);
	}
	close(fd);
	if (rc == 0 && stopped(f)) {
		snprintf(err, errlen, "stopped by a signal while verifying; the fill files were removed");
		rc = -1;
	}
	return rc;
}

static int verify_all(struct fill *f, char *err, size_t errlen)
{
	uint64_t start = 0;
	wp_progress_start(&f->clock);
	for (unsigned i = 0; i < f->files; i++) {
		int rc = verify_one(f, i, start, err, errlen);
		if (rc != 0)
			return rc;
		start += f->sizes[i];
	}
	wp_progress_emit(f->ctl, &f->clock, "verify", 1, 1, f->verified, f->stream, true);
	return 0;
}

static void remove_all(struct fill *f)
{
	char path[4200];
	for (unsigned i = 0; i < f->files; i++) {
		file_path(f, i, path, sizeof(path));
		unlink(path);
	}
	rmdir(f->dir);
	sync();
}

/* A fill folder that a killed run (SIGKILL, power cut) left behind keeps
 * the disk full; under our lock on the mount point no other run can own
 * one, so every such folder is stale. Only our own file names go. */
static unsigned remove_stale(const char *mountpoint)
{
	DIR *d = opendir(mountpoint);
	struct dirent *e;
	unsigned n = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char dir[4200], path[4600];
		if (strncmp(e->d_name, ".wipeproof-freespace-", 21) != 0 || strlen(e->d_name) != 27)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", mountpoint, e->d_name);
		DIR *s = opendir(dir);
		struct dirent *f;
		while (s && (f = readdir(s))) {
			if (strncmp(f->d_name, "fill-", 5) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, f->d_name);
			unlink(path);
		}
		if (s)
			closedir(s);
		if (rmdir(dir) == 0)
			n++;
	}
	closedir(d);
	if (n)
		sync();
	return n;
}

static int check_writable(const char *mountpoint, struct statvfs *vfs, char *err, size_t errlen)
{
	if (statvfs(mountpoint, vfs) < 0) {
		snprintf(err, errlen, "cannot read the filesystem of %s: %s", mountpoint, strerror(errno));
		return -1;
	}
	if (vfs->f_flag & ST_RDONLY) {
		snprintf(err, errlen, "%s is mounted read-only: its free space cannot be written; "
			 "remount it read-write (mount -o remount,rw %s) first", mountpoint, mountpoint);
		return 1;
	}
	struct statfs sf;
	if (statfs(mountpoint, &sf) == 0 && strcmp(wp_fs_kind_name((unsigned long)sf.f_type),
						   "btrfs") == 0) {
		/* copy-on-write: deleted data also lives in old extents of
		 * snapshots and in chunks a fill is never given; nothing
		 * through files can show the free space was reached */
		snprintf(err, errlen, "%s is btrfs: a free-space fill cannot be shown to reach its "
			 "deleted data (copy-on-write keeps old extents in snapshots and "
			 "allocated chunks, metadata chunks keep small files inline, and its "
			 "free space is not mapped block by block); wipe the whole device "
			 "instead", mountpoint);
		return 1;
	}
	return 0;
}

/* While the fill files hold the disk: what is still free is what no
 * file could get. */
static void measure_unreached(const char *mountpoint, struct wp_freespace_result *r)
{
	char e[256];
	uint64_t bytes;
	if (wp_fs_free_extents(mountpoint, &bytes, e, sizeof(e)) == 0) {
		r->unreached_bytes = bytes;
		snprintf(r->unreached_source, sizeof(r->unreached_source), "GETFSMAP");
	} else {
		r->unreached_bytes = r->free_left_bytes;
		snprintf(r->unreached_source, sizeof(r->unreached_source), "statfs");
	}
	/* unreadable superblock: counted as all of the device would be wrong,
	 * none would claim too much; the run says partial with the free part */
	if (wp_fs_inline_area(mountpoint, &bytes, e, sizeof(e)) == 1) {
		r->inline_bytes = bytes;
		r->unreached_bytes += bytes;
	}
}

static void account(const char *mountpoint, struct wp_freespace_result *r, bool before)
{
	struct statvfs v;
	if (statvfs(mountpoint, &v) < 0)
		return;
	uint64_t bfree = (uint64_t)v.f_bfree * v.f_frsize;
	uint64_t avail = (uint64_t)v.f_bavail * v.f_frsize;
	if (before) {
		r->free_bytes = geteuid() == 0 ? bfree : avail;
		r->total_bytes = (uint64_t)v.f_blocks * v.f_frsize;
	} else {
		r->free_left_bytes = geteuid() == 0 ? bfree : avail;
	}
}

static int run(struct fill *f, const char *mountpoint, struct wp_freespace_result *r,
	       char *err, size_t errlen)
{
	account(mountpoint, r, true);
	f->total = r->free_bytes;
	wp_progress_start(&f->clock);
	int rc = fill_all(f, err, errlen);
	account(mountpoint, r, false);
	measure_unreached(mountpoint, r);
	r->bytes_written = f->stream;
	r->files = f->files;
	if (rc == 0)
		rc = verify_all(f, err, errlen);
	r->bytes_verified = f->verified;
	return rc;
}

static int run_locked(const char *mountpoint, const char *run_dir, const struct wp_pass_spec *spec,
		      const struct wp_run_ctl *ctl, struct wp_freespace_result *r,
		      const struct statvfs *vfsp, char *err, size_t errlen)
{
	struct statvfs vfs = *vfsp;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/.wipeproof-freespace-XXXXXX", mountpoint);
	if (!mkdtemp(dir)) {
		int e = errno;
		snprintf(err, errlen, "cannot create a fill folder in %s: %s", mountpoint,
			 strerror(e));
		return e == EROFS ? 1 : -1;
	}
	snprintf(r->fill_dir, sizeof(r->fill_dir), "%s", dir);
	struct statfs sf;
	if (statfs(mountpoint, &sf) == 0)
		snprintf(r->fs_kind, sizeof(r->fs_kind), "%s",
			 wp_fs_kind_name((unsigned long)sf.f_type));
	struct wp_fs_reserve rs;
	if (wp_fs_reserve_open(mountpoint, run_dir, &rs, err, errlen) < 0) {
		rmdir(dir);
		return -1;
	}
	struct fill *f = calloc(1, sizeof(*f));
	/* page-aligned for O_DIRECT */
	uint8_t *buf = aligned_alloc(4096, FILL_BUF_BYTES), *back = malloc(FILL_BUF_BYTES);
	int rc = -1;
	double t0 = wp_now();
	if (!f || !buf || !back)
		snprintf(err, errlen, "out of memory");
	else if (wp_patgen_init(&f->gen, spec, err, errlen) == 0) {
		f->dir = dir;
		f->ctl = ctl;
		f->buf = buf;
		f->back = back;
		f->direct = strcmp(r->fs_kind, "xfs") == 0;
		f->rs = &rs;
		f->mountpoint = mountpoint;
		f->r = r;
		f->last_size = vfs.f_bsize >= FILL_SCRAP_BYTES && vfs.f_bsize <= (64u << 10)
				       ? vfs.f_bsize : 4096;
		rc = run(f, mountpoint, r, err, errlen);
		wp_patgen_free(&f->gen);
	}
	if (f)
		remove_all(f);
	else
		rmdir(dir);
	/* after the removal: xfs refills its reserve from free blocks */
	char rerr[512] = "";
	r->reserve_restored = wp_fs_reserve_restore(&rs, rerr, sizeof(rerr)) == 0;
	if (!r->reserve_restored) {
		if (rc == 0)
			snprintf(err, errlen, "%s", rerr);
		rc = rc == 0 ? -1 : rc;
	}
	r->seconds = wp_now() - t0;
	free(f);
	free(buf);
	free(back);
	return rc;
}

int wp_freespace_run(const char *mountpoint, const char *run_dir, const struct wp_pass_spec *spec,
		     const struct wp_run_ctl *ctl, struct wp_freespace_result *r,
		     char *err, size_t errlen)
{
	struct statvfs vfs;
	memset(r, 0, sizeof(*r));
	int w = check_writable(mountpoint, &vfs, err, errlen);
	if (w != 0)
		return w < 0 ? -1 : 1;
	/* one run per filesystem: two would only fight over the same blocks */
	int lock = open(mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		snprintf(err, errlen, e == EWOULDBLOCK ? "another 'wipeproof freespace' is filling %s; "
			 "wait for it to end" : "cannot lock %s: %s", mountpoint, strerror(e));
		if (lock >= 0)
			close(lock);
		return e == EWOULDBLOCK ? 1 : -1;
	}
	r->stale_removed = remove_stale(mountpoint);
	int rc = run_locked(mountpoint, run_dir, spec, ctl, r, &vfs, err, errlen);
	close(lock);
	return rc;
}
