/*
 * Retrying failed chunks at logical-block granularity and logging what
 * stays bad (badblocks.h says the policy). Everything goes through
 * target->ops when set, so the unit tests run the whole policy on a fake
 * device that fails where and when they say.
 */
#include "badblocks.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

/* Pauses before tries 2, 3 and 4: a flaky bus or a drive remapping a
 * sector often answers after a moment; three pauses are 1.6 s a block. */
static const unsigned backoff_ms[WP_BB_TRIES - 1] = { 100, 500, 1000 };

void wp_bb_log_for_job(struct wp_bb_log *log, struct wp_job *job)
{
	*log = (struct wp_bb_log){
		.ranges = job->bad.ranges, .n_ranges = &job->bad.n_ranges,
		.max = WP_MAX_BAD_RANGES, .bad_blocks = &job->bad.bad_blocks,
		.retries = &job->bad.retries, .recovered = &job->bad.recovered_blocks,
		.gave_up = &job->bad.gave_up,
	};
}

void wp_bb_log_for_verify(struct wp_bb_log *log, struct wp_verify_record *rec)
{
	*log = (struct wp_bb_log){
		.ranges = rec->unreadable, .n_ranges = &rec->n_unreadable,
		.max = WP_MAX_BAD_OFFSETS, .bad_blocks = &rec->unreadable_blocks,
		.retries = &rec->retries, .recovered = &rec->recovered_blocks,
	};
}

/* ---- the I/O boundary --------------------------------------------------- */

ssize_t wp_io_pwrite(const struct wp_io_target *t, const void *buf, size_t len,
		     uint64_t offset)
{
	if (t->ops && t->ops->pwrite)
		return t->ops->pwrite(t->ops->ctx, t->fd, buf, len, offset);
	return pwrite(t->fd, buf, len, (off_t)offset);
}

ssize_t wp_io_pread(const struct wp_io_target *t, void *buf, size_t len, uint64_t offset)
{
	if (t->ops && t->ops->pread)
		return t->ops->pread(t->ops->ctx, t->fd, buf, len, offset);
	return pread(t->fd, buf, len, (off_t)offset);
}

int wp_io_write_fully(const struct wp_io_target *t, const uint8_t *buf, size_t len,
		      uint64_t offset, uint64_t *reached)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = wp_io_pwrite(t, buf + done, len - done, offset + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			*reached = offset + done;
			return -1;
		}
		done += (size_t)n;
	}
	*reached = offset + len;
	return 0;
}

int wp_io_read_fully(const struct wp_io_target *t, uint8_t *buf, size_t len, uint64_t offset)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = wp_io_pread(t, buf + done, len - done, offset + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* the device ended before its size */
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static void pause_ms(const struct wp_io_target *t, unsigned ms)
{
	if (t->ops && t->ops->pause) {
		t->ops->pause(t->ops->ctx, ms);
		return;
	}
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The kernel drops an unplugged disk's capacity to 0 and its sysfs node
 * (del_gendisk) while the open fd lives on; I/O then fails with ENOSPC,
 * EIO or a read of 0 bytes, none of which says "gone" by itself. */
bool wp_io_gone(const struct wp_io_target *t)
{
	if (t->ops && t->ops->gone)
		return t->ops->gone(t->ops->ctx, t->fd);
	struct stat st;
	if (fstat(t->fd, &st) < 0 || !S_ISBLK(st.st_mode))
		return false;
	uint64_t size = 0;
	if (ioctl(t->fd, BLKGETSIZE64, &size) < 0)
		return wp_errno_vanished(errno);
	if (size == 0)
		return true;
	char node[64];
	snprintf(node, sizeof(node), "/sys/dev/block/%u:%u", major(st.st_rdev),
		 minor(st.st_rdev));
	return access(node, F_OK) < 0 && errno == ENOENT;
}

bool wp_errno_vanished(int e)
{
	return e == ENODEV || e == ENXIO || e == ENOMEDIUM;
}

/* Not ENOSPC: within the device's size it means thin provisioning ran out
 * of space (BLK_STS_NOSPC) or /dev/full, where no retry helps; from an
 * unplugged disk (capacity 0) wp_io_gone() has already said so. */
static bool errno_medium(int e)
{
	return e == EIO || e == EILSEQ || e == ENODATA || e == EREMOTEIO || e == EBADMSG ||
	       e == ENOLINK || e == ETIMEDOUT;
}

enum wp_io_fault wp_io_classify(const struct wp_io_target *t, int e)
{
	if (wp_errno_vanished(e) || wp_io_gone(t))
		return WP_IO_VANISHED;
	return errno_medium(e) ? WP_IO_MEDIUM : WP_IO_FATAL;
}

/* ---- the log ----------------------------------------------------------- */

static bool log_has(const struct wp_bb_log *log, uint64_t lba)
{
	for (size_t i = 0; i < *log->n_ranges; i++)
		if (lba >= log->ranges[i].first_lba &&
		    lba - log->ranges[i].first_lba < log->ranges[i].count)
			return true;
	return false;
}

/* Log [lba, lba+count) bad, merged with the last range when adjacent.
 * Another pass over the same blocks logs nothing new. -1 once the log
 * holds WP_MAX_BAD_RANGES ranges: the pass must give up. */
static int log_bad(struct wp_bb_log *log, uint64_t lba, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		if (log_has(log, lba + i))
			continue;
		struct wp_bad_range *last = *log->n_ranges ? &log->ranges[*log->n_ranges - 1] : NULL;
		*log->bad_blocks += 1;
		if (last && last->first_lba + last->count == lba + i) {
			last->count++;
			continue;
		}
		log->total_ranges++;
		if (*log->n_ranges < log->max)
			log->ranges[(*log->n_ranges)++] = (struct wp_bad_range){ lba + i, 1 };
	}
	if (log->total_ranges < WP_MAX_BAD_RANGES)
		return 0;
	if (log->gave_up)
		*log->gave_up = true;
	return -1;
}

/* ---- retrying ----------------------------------------------------------- */

struct retry {
	const struct wp_io_target *t;
	bool writing;
	uint8_t *buf;             /* the chunk's buffer */
	uint64_t offset;          /* device offset of buf[0] */
	size_t len;
	struct wp_bb_log *log;
	wp_bb_fill_fn fill;
	void *fill_ctx;
	volatile sig_atomic_t *stop;
	char *err;
	size_t errlen;
};

/* One attempt at buf[at, at+n); WP_IO_OK or how it failed. */
static enum wp_io_fault attempt(struct retry *r, size_t at, size_t n)
{
	uint64_t reached;
	int rc = r->writing ? wp_io_write_fully(r->t, r->buf + at, n, r->offset + at, &reached)
			    : wp_io_read_fully(r->t, r->buf + at, n, r->offset + at);
	if (rc == 0)
		return WP_IO_OK;
	int e = errno;
	enum wp_io_fault f = wp_io_classify(r->t, e);
	if (f == WP_IO_VANISHED)
		snprintf(r->err, r->errlen, "%s was removed (%s at byte %llu)", r->t->path,
			 strerror(e), (unsigned long long)(r->offset + at));
	else if (f == WP_IO_FATAL)
		snprintf(r->err, r->errlen, "%s error on %s at byte %llu: %s",
			 r->writing ? "write" : "read", r->t->path,
			 (unsigned long long)(r->offset + at), strerror(e));
	return f;
}

/* Bytes buf[at, at+n) are bad: log them, and for a read put the expected
 * content there so the comparison does not count them twice. */
static enum wp_io_fault mark_bad(struct retry *r, size_t at, size_t n)
{
	unsigned bs = r->t->block_size;
	if (!r->writing && r->fill && r->fill(r->fill_ctx, r->buf + at, r->offset + at, n) < 0) {
		snprintf(r->err, r->errlen, "cannot regenerate the pattern at byte %llu",
			 (unsigned long long)(r->offset + at));
		return WP_IO_FATAL;
	}
	if (log_bad(r->log, (r->offset + at) / bs, n / bs) == 0)
		return WP_IO_OK;
	snprintf(r->err, r->errlen, "%s has %u or more bad block ranges; giving up at byte "
		 "%llu: destroy the device", r->t->path, WP_MAX_BAD_RANGES,
		 (unsigned long long)(r->offset + at));
	return WP_IO_FATAL;
}

static enum wp_io_fault stopped(struct retry *r)
{
	snprintf(r->err, r->errlen, "stopped by signal while retrying %s at byte %llu",
		 r->t->path, (unsigned long long)r->offset);
	return WP_IO_STOPPED;
}

/* One logical block, up to WP_BB_TRIES times; *ok says whether it made it. */
static enum wp_io_fault retry_block(struct retry *r, size_t at, bool *ok)
{
	*ok = false;
	for (unsigned i = 0; i < WP_BB_TRIES; i++) {
		if (i > 0) {
			if (wp_io_gone(r->t)) {
				snprintf(r->err, r->errlen, "%s was removed during the retries",
					 r->t->path);
				return WP_IO_VANISHED;
			}
			if (r->stop && *r->stop)
				return stopped(r);
			pause_ms(r->t, backoff_ms[i - 1]);
			*r->log->retries += 1;
		}
		enum wp_io_fault f = attempt(r, at, r->t->block_size);
		if (f == WP_IO_OK) {
			*ok = true;
			if (i > 0)
				*r->log->recovered += 1;
			return WP_IO_OK;
		}
		if (f != WP_IO_MEDIUM)
			return f;
	}
	return WP_IO_OK;
}

/* A piece that failed as a whole, block by block; past the run cap the
 * rest of the piece is tried once as a whole. */
static enum wp_io_fault retry_piece_blocks(struct retry *r, size_t at, size_t n)
{
	unsigned bs = r->t->block_size;
	for (size_t b = at; b < at + n; b += bs) {
		bool ok;
		enum wp_io_fault f = retry_block(r, b, &ok);
		if (f != WP_IO_OK)
			return f;
		if (ok) {
			r->log->run = 0;
			continue;
		}
		r->log->run++;
		f = mark_bad(r, b, bs);
		if (f != WP_IO_OK)
			return f;
		if (r->log->run >= WP_BB_RUN_CAP && b + bs < at + n) {
			/* the rest of this piece: once, as one request */
			size_t rest = b + bs, left = at + n - rest;
			*r->log->retries += 1;
			f = attempt(r, rest, left);
			if (f == WP_IO_MEDIUM)
				return mark_bad(r, rest, left);
			if (f == WP_IO_OK)
				r->log->run = 0;
			return f;
		}
	}
	return WP_IO_OK;
}

static enum wp_io_fault retry_chunk(struct retry *r)
{
	for (size_t at = 0; at < r->len; at += WP_BB_PIECE) {
		size_t n = r->len - at < WP_BB_PIECE ? r->len - at : WP_BB_PIECE;
		if (r->stop && *r->stop)
			return stopped(r);
		*r->log->retries += 1;
		enum wp_io_fault f = attempt(r, at, n);
		if (f == WP_IO_OK)
			r->log->run = 0;
		else if (f == WP_IO_MEDIUM && r->log->run >= WP_BB_RUN_CAP)
			f = mark_bad(r, at, n); /* capped: no block retries */
		else if (f == WP_IO_MEDIUM)
			f = retry_piece_blocks(r, at, n);
		if (f != WP_IO_OK)
			return f;
	}
	return WP_IO_OK;
}

static int flush_once(const struct wp_io_target *t)
{
	if (t->ops && t->ops->flush)
		return t->ops->flush(t->ops->ctx, t->fd);
	return fdatasync(t->fd);
}

enum wp_io_fault wp_bb_flush(const struct wp_io_target *t, struct wp_bb_log *log,
			     volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	int e = 0;
	for (unsigned i = 0; i < WP_BB_TRIES; i++) {
		if (i > 0) {
			if (stop && *stop) {
				snprintf(err, errlen, "stopped by signal while flushing %s", t->path);
				return WP_IO_STOPPED;
			}
			pause_ms(t, backoff_ms[i - 1]);
			*log->retries += 1;
		}
		if (flush_once(t) == 0)
			return WP_IO_OK;
		e = errno;
		enum wp_io_fault f = wp_io_classify(t, e);
		if (f == WP_IO_VANISHED) {
			snprintf(err, errlen, "%s was removed (flush: %s)", t->path, strerror(e));
			return f;
		}
		if (f != WP_IO_MEDIUM)
			break;
	}
	snprintf(err, errlen, "flushing %s failed: %s", t->path, strerror(e));
	return WP_IO_FATAL;
}

static enum wp_io_fault check_shape(const struct wp_io_target *t, size_t len, uint64_t offset,
				    char *err, size_t errlen)
{
	unsigned bs = t->block_size;
	if (bs == 0 || WP_BB_PIECE % bs != 0 || len % bs != 0 || offset % bs != 0) {
		snprintf(err, errlen, "%s: cannot retry %zu bytes at %llu in %u-byte blocks", t->path,
			 len, (unsigned long long)offset, bs);
		return WP_IO_FATAL;
	}
	return WP_IO_OK;
}

enum wp_io_fault wp_bb_write(const struct wp_io_target *t, const uint8_t *buf, size_t len,
			     uint64_t offset, struct wp_bb_log *log,
			     volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	if (check_shape(t, len, offset, err, errlen) != WP_IO_OK)
		return WP_IO_FATAL;
	/* the buffer is only read from when writing */
	struct retry r = { .t = t, .writing = true, .buf = (uint8_t *)(uintptr_t)buf,
			   .offset = offset, .len = len, .log = log, .stop = stop,
			   .err = err, .errlen = errlen };
	return retry_chunk(&r);
}

enum wp_io_fault wp_bb_read(const struct wp_io_target *t, uint8_t *buf, size_t len,
			    uint64_t offset, struct wp_bb_log *log, wp_bb_fill_fn fill,
			    void *fill_ctx, volatile sig_atomic_t *stop, char *err,
			    size_t errlen)
{
	if (check_shape(t, len, offset, err, errlen) != WP_IO_OK)
		return WP_IO_FATAL;
	struct retry r = { .t = t, .writing = false, .buf = buf, .offset = offset, .len = len,
			   .log = log, .fill = fill, .fill_ctx = fill_ctx, .stop = stop,
			   .err = err, .errlen = errlen };
	return retry_chunk(&r);
}
