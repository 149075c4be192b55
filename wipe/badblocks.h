/*
 * Medium errors and vanishing devices (wipe/badblocks.c): what the engine
 * and the verifier do when a chunk's write or read fails.
 *
 * A failed chunk is tried again in 64 KiB pieces, a failing piece block by
 * block (the target's logical block size), each block up to 4 times with
 * pauses of 0.1, 0.5 and 1.0 s. Blocks that still fail are logged as LBA
 * ranges and the work goes on: one bad sector must not leave the rest of
 * the disk holding its old data. Two caps keep a dying disk from taking
 * hours: after 8 bad blocks in a row everything is tried once per piece
 * without pauses (a failing piece is logged bad as a whole) until a piece
 * works again, and WP_MAX_BAD_RANGES ranges end the pass. The price of the
 * first cap: up to a piece of good blocks after a long bad run may be
 * logged bad too; never the other way round.
 *
 * A device that is gone (ENODEV/ENXIO/ENOMEDIUM, its sysfs node removed,
 * or its size now 0) is never retried: the caller ends the job
 * interrupted, cause WP_CAUSE_DEVICE_REMOVED.
 */
#ifndef WP_BADBLOCKS_H
#define WP_BADBLOCKS_H

#include "wipe.h"

enum wp_io_fault {
	WP_IO_OK = 0,     /* done (bad blocks, if any, are logged) */
	WP_IO_MEDIUM,     /* a medium error: worth retrying */
	WP_IO_VANISHED,   /* the device is gone */
	WP_IO_STOPPED,    /* the stop flag was seen during retries */
	WP_IO_FATAL,      /* anything else, or too many bad ranges; err says */
};

#define WP_BB_PIECE (64u << 10)
#define WP_BB_TRIES 4
#define WP_BB_RUN_CAP 8

/* Where retries log their findings: the write side points into
 * job->bad, the verify side into the verify record. Ranges past `max` are
 * still counted (blocks, total_ranges), only not stored. */
struct wp_bb_log {
	struct wp_bad_range *ranges;
	size_t *n_ranges;
	size_t max;
	uint64_t *bad_blocks;
	uint64_t *retries;
	uint64_t *recovered;
	bool *gave_up;            /* may be NULL */
	size_t total_ranges;      /* stored or not, for the give-up cap */
	unsigned run;             /* bad blocks in a row, across chunks: a dead
				   * region costs the pauses of WP_BB_RUN_CAP
				   * blocks, not of every chunk it spans */
};

/* job->bad as a log. */
void wp_bb_log_for_job(struct wp_bb_log *log, struct wp_job *job);
/* The verify record's unreadable blocks as a log. */
void wp_bb_log_for_verify(struct wp_bb_log *log, struct wp_verify_record *rec);

/* One pwrite/pread through target->ops (or the system call). */
ssize_t wp_io_pwrite(const struct wp_io_target *t, const void *buf, size_t len,
		     uint64_t offset);
ssize_t wp_io_pread(const struct wp_io_target *t, void *buf, size_t len, uint64_t offset);
/* Whole ranges, resuming short transfers; -1 with errno (0 bytes: ENOSPC
 * for a write, EIO for a read). */
int wp_io_write_fully(const struct wp_io_target *t, const uint8_t *buf, size_t len,
		      uint64_t offset, uint64_t *reached);
int wp_io_read_fully(const struct wp_io_target *t, uint8_t *buf, size_t len,
		     uint64_t offset);

/* Has the device gone away (unplugged)? */
bool wp_io_gone(const struct wp_io_target *t);
/* What errno E from an I/O on T means: medium, vanished or fatal. */
enum wp_io_fault wp_io_classify(const struct wp_io_target *t, int e);
/* ENODEV/ENXIO/ENOMEDIUM: the device itself is gone, not a sector. */
bool wp_errno_vanished(int e);

/* fdatasync at the end of a pass, tried again like a block when the
 * device answers with a medium error (a flaky link fails the flush as
 * readily as a write); WP_IO_OK or why not, with a message in err. */
enum wp_io_fault wp_bb_flush(const struct wp_io_target *t, struct wp_bb_log *log,
			     volatile sig_atomic_t *stop, char *err, size_t errlen);

/* For unreadable blocks of a read: fill [offset, offset+len) of buf with
 * what the caller expects there, so only the unreadable count reports it. */
typedef int (*wp_bb_fill_fn)(void *ctx, uint8_t *buf, uint64_t offset, size_t len);

/*
 * After a failed write of buf = device bytes [offset, offset+len): retry as
 * above, logging unwritable blocks. WP_IO_OK when every block was written or
 * logged bad; else the reason, with a message in err.
 */
enum wp_io_fault wp_bb_write(const struct wp_io_target *t, const uint8_t *buf, size_t len,
			     uint64_t offset, struct wp_bb_log *log,
			     volatile sig_atomic_t *stop, char *err, size_t errlen);
/* The same for a read into buf; unreadable blocks get FILL's content. */
enum wp_io_fault wp_bb_read(const struct wp_io_target *t, uint8_t *buf, size_t len,
			    uint64_t offset, struct wp_bb_log *log, wp_bb_fill_fn fill,
			    void *fill_ctx, volatile sig_atomic_t *stop, char *err,
			    size_t errlen);

#endif
