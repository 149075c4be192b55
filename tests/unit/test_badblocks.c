/*
 * Medium errors and a vanishing device (wipe/badblocks.c) on a fake disk
 * behind the I/O hooks of struct wp_io_target: blocks that never take a
 * write, blocks that fail a few times and then work, a disk that goes away
 * half-way. The engine and the verifier run unchanged on top.
 */
#include "badblocks.h"
#include "verify.h"

#include "check_main.h"
#include "fixtures.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BS 512u
#define DISK (4u << 20)
#define CHUNK (256u << 10)

struct fake {
	uint8_t *mem;
	uint64_t bad_lo, bad_hi;       /* LBAs [lo, hi) never written or read */
	unsigned bad_every;            /* also: every Nth LBA below bad_every_hi */
	uint64_t bad_every_hi;
	bool bad_reads;                /* bad blocks also fail reads */
	uint64_t flaky_lo, flaky_hi;   /* LBAs that fail flaky_left more requests */
	unsigned flaky_left;
	uint64_t vanish_at;            /* bytes written, then the disk is gone */
	uint64_t written;
	bool vanished;
	int vanish_errno;              /* what I/O says once gone */
	unsigned pauses, pause_ms;
	unsigned flush_fails;          /* the next flushes that fail with EIO */
};

static struct fake fk;
static char err[512];
static char path[64];
static int fd = -1;

static bool hits(uint64_t off, size_t len, uint64_t lo, uint64_t hi)
{
	uint64_t first = off / BS, end = (off + len + BS - 1) / BS;
	return first < hi && end > lo;
}

static bool hits_every(uint64_t off, size_t len)
{
	if (!fk.bad_every)
		return false;
	for (uint64_t lba = off / BS; lba < (off + len) / BS && lba < fk.bad_every_hi; lba++)
		if (lba % fk.bad_every == 0)
			return true;
	return false;
}

/* The request as a whole fails, like a bio with one bad sector. */
static bool fails(uint64_t off, size_t len, bool writing)
{
	if ((writing || fk.bad_reads) &&
	    (hits(off, len, fk.bad_lo, fk.bad_hi) || hits_every(off, len)))
		return true;
	if (fk.flaky_left && hits(off, len, fk.flaky_lo, fk.flaky_hi)) {
		fk.flaky_left--;
		return true;
	}
	return false;
}

static ssize_t fake_pwrite(void *ctx, int f, const void *buf, size_t len, uint64_t off)
{
	(void)ctx, (void)f;
	if (fk.vanished) {
		errno = fk.vanish_errno;
		return -1;
	}
	if (fails(off, len, true)) {
		errno = EIO;
		return -1;
	}
	memcpy(fk.mem + off, buf, len);
	fk.written += len;
	if (fk.vanish_at && fk.written >= fk.vanish_at)
		fk.vanished = true;
	return (ssize_t)len;
}

static ssize_t fake_pread(void *ctx, int f, void *buf, size_t len, uint64_t off)
{
	(void)ctx, (void)f;
	if (fk.vanished)
		return 0; /* the kernel's capacity is 0 now */
	if (fails(off, len, false)) {
		errno = EIO;
		return -1;
	}
	memcpy(buf, fk.mem + off, len);
	return (ssize_t)len;
}

static bool fake_gone(void *ctx, int f)
{
	(void)ctx, (void)f;
	return fk.vanished;
}

static void fake_pause(void *ctx, unsigned ms)
{
	(void)ctx;
	fk.pauses++;
	fk.pause_ms += ms;
}

static int fake_flush(void *ctx, int f)
{
	(void)ctx, (void)f;
	if (fk.vanished) {
		errno = EIO;
		return -1;
	}
	if (fk.flush_fails) {
		fk.flush_fails--;
		errno = EIO;
		return -1;
	}
	return 0;
}

static const struct wp_io_ops ops = { .pwrite = fake_pwrite, .pread = fake_pread,
				      .gone = fake_gone, .pause = fake_pause,
				      .flush = fake_flush };

static void setup(void)
{
	memset(&fk, 0, sizeof(fk));
	fk.mem = malloc(DISK);
	ck_assert_ptr_nonnull(fk.mem);
	memset(fk.mem, 'M', DISK);
	fk.vanish_errno = ENOSPC;
	fd = wp_fx_tmpfile(path, sizeof(path), "bb"); /* only for fdatasync */
}

static void teardown(void)
{
	free(fk.mem);
	close(fd);
	unlink(path);
}

static struct wp_io_target target(void)
{
	return (struct wp_io_target){ .fd = fd, .path = "/dev/fake", .size = DISK,
				      .block_size = BS, .ops = &ops };
}

static int run(const char *method, struct wp_job *job)
{
	struct wp_io_target t = target();
	struct wp_run_ctl ctl = { .chunk_bytes = CHUNK, .queue_depth = 2 };
	ck_assert_int_eq(wp_job_init(job, err, sizeof(err)), 0);
	return wp_overwrite_run(&t, wp_method_find(method), job, &ctl, err, sizeof(err));
}

/* Bytes [lo, hi) of the fake disk hold only the byte c. */
static bool holds(uint64_t lo, uint64_t hi, uint8_t c)
{
	for (uint64_t i = lo; i < hi; i++)
		if (fk.mem[i] != c)
			return false;
	return true;
}

START_TEST(exact_range_recorded)
{
	fk.bad_lo = 2048;
	fk.bad_hi = 2056;
	struct wp_job job;
	ck_assert_int_eq(run("zero", &job), -1);
	ck_assert_int_eq(job.result, WP_RESULT_FAILED);
	ck_assert_str_eq(job.recommendation, "destroy");
	ck_assert(!job.stopped_at.set); /* the pass went to the end */
	ck_assert(job.passes[0].complete);
	ck_assert_uint_eq(job.bad.n_ranges, 1);
	ck_assert_uint_eq(job.bad.ranges[0].first_lba, 2048);
	ck_assert_uint_eq(job.bad.ranges[0].count, 8);
	ck_assert_uint_eq(job.bad.bad_blocks, 8);
	ck_assert_uint_eq(job.bad.recovered_blocks, 0);
	ck_assert_uint_eq(fk.pauses, 8 * (WP_BB_TRIES - 1));
	ck_assert_uint_eq(fk.pause_ms, 8 * 1600);
	/* everything but the bad blocks was written, before and after them */
	ck_assert(holds(0, 2048 * BS, 0));
	ck_assert(holds(2048 * BS, 2056 * BS, 'M'));
	ck_assert(holds(2056 * BS, DISK, 0));
	ck_assert_ptr_nonnull(strstr(job.error, "destroy"));

	json_t *j = wp_job_to_json(&job);
	json_t *r = json_array_get(json_object_get(j, "bad_blocks"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "first_lba")), 2048);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "count")), 8);
	ck_assert_str_eq(json_string_value(json_object_get(j, "recommendation")), "destroy");
	ck_assert_int_gt(json_integer_value(json_object_get(j, "retries")), 0);
	struct wp_job back;
	ck_assert_int_eq(wp_job_from_json(j, &back, err, sizeof(err)), 0);
	ck_assert_uint_eq(back.bad.n_ranges, 1);
	ck_assert_uint_eq(back.bad.ranges[0].count, 8);
	ck_assert_uint_eq(back.bad.retries, job.bad.retries);
	json_decref(j);
}
END_TEST

/* Three passes over the same bad blocks log them once. */
START_TEST(passes_log_once)
{
	fk.bad_lo = 5000;
	fk.bad_hi = 5003;
	struct wp_job job;
	ck_assert_int_eq(run("dod3", &job), -1);
	ck_assert_uint_eq(job.npasses, 3);
	ck_assert(job.passes[2].complete);
	ck_assert_uint_eq(job.bad.n_ranges, 1);
	ck_assert_uint_eq(job.bad.ranges[0].first_lba, 5000);
	ck_assert_uint_eq(job.bad.ranges[0].count, 3);
	ck_assert_uint_eq(job.bad.bad_blocks, 3);
}
END_TEST

START_TEST(flaky_recovers)
{
	/* the chunk, its piece and the block's first try fail; the second works */
	fk.flaky_lo = 100;
	fk.flaky_hi = 102;
	fk.flaky_left = 3;
	struct wp_job job;
	ck_assert_msg(run("zero", &job) == 0, "%s", err);
	ck_assert_uint_eq(job.bad.n_ranges, 0);
	ck_assert_uint_eq(job.bad.recovered_blocks, 1);
	ck_assert_uint_ge(job.bad.retries, 2);
	ck_assert_uint_eq(fk.pauses, 1);
	ck_assert_uint_eq(fk.pause_ms, 100);
	ck_assert(holds(0, DISK, 0));
	ck_assert_str_eq(job.recommendation, "");

	/* the read-back meets the same flakiness and recovers too */
	fk.flaky_left = 3;
	struct wp_io_target t = target();
	struct wp_run_ctl ctl = { .chunk_bytes = CHUNK };
	ck_assert_int_eq(wp_verify_run(&t, wp_job_final_pass(&job), WP_VERIFY_FULL, &job.verify,
				       &ctl, err, sizeof(err)), WP_VERIFY_MATCH);
	ck_assert_uint_eq(job.verify.recovered_blocks, 1);
	ck_assert_uint_eq(job.verify.unreadable_blocks, 0);
}
END_TEST

/* 253 bad blocks in a row: 8 are retried one by one, then the rest of the
 * chunk goes a piece at a time without pauses. */
START_TEST(run_cap)
{
	fk.bad_lo = 2048;
	fk.bad_hi = 2301;
	struct wp_job job;
	ck_assert_int_eq(run("zero", &job), -1);
	ck_assert_uint_eq(fk.pauses, WP_BB_RUN_CAP * (WP_BB_TRIES - 1));
	ck_assert_uint_eq(job.bad.n_ranges, 1);
	ck_assert_uint_eq(job.bad.ranges[0].first_lba, 2048);
	/* whole 64 KiB pieces past the cap: up to LBA 2304 */
	ck_assert_uint_eq(job.bad.ranges[0].count, 256);
	ck_assert(holds(2304 * BS, DISK, 0));
	ck_assert(holds(0, 2048 * BS, 0));
}
END_TEST

/* A dead region over several chunks pays the pauses once. */
START_TEST(dead_region_spans_chunks)
{
	fk.bad_lo = 1000;
	fk.bad_hi = 3000;
	struct wp_job job;
	ck_assert_int_eq(run("zero", &job), -1);
	ck_assert_uint_eq(fk.pauses, WP_BB_RUN_CAP * (WP_BB_TRIES - 1));
	ck_assert_uint_eq(job.bad.n_ranges, 1);
	ck_assert_uint_eq(job.bad.ranges[0].first_lba, 1000);
	ck_assert_uint_eq(job.bad.ranges[0].count, 3072 - 1000);
	ck_assert(holds(3072 * BS, DISK, 0));
}
END_TEST

START_TEST(too_many_ranges_gives_up)
{
	fk.bad_every = 4; /* LBAs 0, 4, 8, ...: never a run */
	fk.bad_every_hi = 4096;
	struct wp_job job;
	ck_assert_int_eq(run("zero", &job), -1);
	ck_assert_int_eq(job.result, WP_RESULT_FAILED);
	ck_assert(job.bad.gave_up);
	ck_assert(job.stopped_at.set);
	ck_assert_uint_eq(job.bad.n_ranges, WP_MAX_BAD_RANGES);
	ck_assert_str_eq(job.recommendation, "destroy");
	ck_assert_ptr_nonnull(strstr(job.error, "bad block ranges"));
}
END_TEST

START_TEST(vanish_interrupts)
{
	fk.vanish_at = 1u << 20;
	struct wp_job job;
	ck_assert_int_eq(run("zero", &job), -1);
	ck_assert_int_eq(job.result, WP_RESULT_INTERRUPTED);
	ck_assert_str_eq(job.cause, WP_CAUSE_DEVICE_REMOVED);
	ck_assert(job.stopped_at.set);
	ck_assert_uint_eq(job.stopped_at.offset, 1u << 20);
	ck_assert_uint_eq(job.bad.n_ranges, 0);
	ck_assert_uint_eq(job.bad.retries, 0); /* no retry storm on a gone disk */
	ck_assert_uint_eq(fk.pauses, 0);
	ck_assert_ptr_nonnull(strstr(job.error, "removed"));
}
END_TEST

START_TEST(vanish_errno_interrupts)
{
	fk.vanish_at = 2u << 20;
	fk.vanish_errno = ENODEV;
	struct wp_job job;
	ck_assert_int_eq(run("random", &job), -1);
	ck_assert_int_eq(job.result, WP_RESULT_INTERRUPTED);
	ck_assert_str_eq(job.cause, WP_CAUSE_DEVICE_REMOVED);
	ck_assert_uint_eq(fk.pauses, 0);
}
END_TEST

/* A disk that goes away while a bad block is being retried stops the
 * retries at once. */
static void vanish_on_pause(void *ctx, unsigned ms)
{
	fake_pause(ctx, ms);
	fk.vanished = true;
}

START_TEST(vanish_during_retries)
{
	static const struct wp_io_ops vops = { .pwrite = fake_pwrite, .pread = fake_pread,
					       .gone = fake_gone, .pause = vanish_on_pause,
					       .flush = fake_flush };
	fk.bad_lo = 10;
	fk.bad_hi = 11;
	struct wp_io_target t = target();
	t.ops = &vops;
	struct wp_run_ctl ctl = { .chunk_bytes = CHUNK };
	struct wp_job job;
	ck_assert_int_eq(wp_job_init(&job, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_overwrite_run(&t, wp_method_find("zero"), &job, &ctl, err,
					  sizeof(err)), -1);
	ck_assert_int_eq(job.result, WP_RESULT_INTERRUPTED);
	ck_assert_str_eq(job.cause, WP_CAUSE_DEVICE_REMOVED);
	ck_assert_uint_eq(fk.pauses, 1);
}
END_TEST

/* A flush that fails on a flaky link is tried again; one that never
 * works fails the pass. */
START_TEST(flush_retried)
{
	fk.flush_fails = 2;
	struct wp_job job;
	ck_assert_msg(run("zero", &job) == 0, "%s", err);
	ck_assert_uint_eq(job.bad.retries, 2);
	ck_assert_uint_eq(fk.pauses, 2);
	fk.flush_fails = 100;
	fk.pauses = 0;
	ck_assert_int_eq(run("zero", &job), -1);
	ck_assert_int_eq(job.result, WP_RESULT_FAILED);
	ck_assert_uint_eq(fk.pauses, WP_BB_TRIES - 1);
	ck_assert_ptr_nonnull(strstr(job.error, "flushing"));
}
END_TEST

struct cp_log {
	unsigned n;
	uint64_t last_offset;
	size_t last_pass;
};

static void record_cp(const struct wp_job *job, size_t pass, uint64_t offset, void *ctx)
{
	(void)job;
	struct cp_log *log = ctx;
	log->n++;
	log->last_pass = pass;
	log->last_offset = offset;
}

/* The jobs table cannot hold the bad-block log, so no checkpoint is
 * offered past a logged bad block: a resume meets it again. */
START_TEST(no_checkpoint_past_bad_blocks)
{
	fk.bad_lo = 4096; /* in the second MiB */
	fk.bad_hi = 4097;
	struct cp_log log = { 0 };
	struct wp_io_target t = target();
	struct wp_run_ctl ctl = { .chunk_bytes = CHUNK, .checkpoint = record_cp,
				  .checkpoint_ctx = &log, .checkpoint_seconds = 1e-9 };
	struct wp_job job;
	ck_assert_int_eq(wp_job_init(&job, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_overwrite_run(&t, wp_method_find("dod3"), &job, &ctl, err,
					  sizeof(err)), -1);
	ck_assert_uint_gt(log.n, 1);
	ck_assert_uint_eq(log.last_pass, 1);
	ck_assert_uint_le(log.last_offset, 4096 * BS);
	ck_assert_uint_eq(job.bad.n_ranges, 1);
}
END_TEST

START_TEST(verify_records_unreadable)
{
	struct wp_job job;
	ck_assert_int_eq(run("zero", &job), 0);
	fk.bad_lo = 4660;
	fk.bad_hi = 4666; /* fewer than the run cap: exact to the block */
	fk.bad_reads = true;
	struct wp_io_target t = target();
	struct wp_run_ctl ctl = { .chunk_bytes = CHUNK };
	ck_assert_int_eq(wp_verify_run(&t, wp_job_final_pass(&job), WP_VERIFY_FULL, &job.verify,
				       &ctl, err, sizeof(err)), WP_VERIFY_ERROR);
	const struct wp_verify_record *v = &job.verify;
	ck_assert(v->complete);
	ck_assert_uint_eq(v->bytes_checked, DISK);
	ck_assert_uint_eq(v->mismatched_blocks, 0); /* counted as unreadable only */
	ck_assert_uint_eq(v->unreadable_blocks, 6);
	ck_assert_uint_eq(v->n_unreadable, 1);
	ck_assert_uint_eq(v->unreadable[0].first_lba, 4660);
	ck_assert_uint_eq(v->unreadable[0].count, 6);
	ck_assert_ptr_nonnull(strstr(err, "cannot be read back"));
	json_t *j = wp_verify_record_to_json(v);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "unreadable_blocks")), 6);
	json_decref(j);
}
END_TEST

START_TEST(verify_vanish)
{
	struct wp_job job;
	ck_assert_int_eq(run("zero", &job), 0);
	fk.vanished = true;
	struct wp_io_target t = target();
	struct wp_run_ctl ctl = { .chunk_bytes = CHUNK };
	ck_assert_int_eq(wp_verify_run(&t, wp_job_final_pass(&job), WP_VERIFY_FULL, &job.verify,
				       &ctl, err, sizeof(err)), WP_VERIFY_ERROR);
	ck_assert(job.verify.device_removed);
	ck_assert(!job.verify.complete);
	ck_assert_uint_eq(job.verify.retries, 0);
	ck_assert_uint_eq(fk.pauses, 0);
}
END_TEST

START_TEST(classify_errnos)
{
	struct wp_io_target t = target();
	ck_assert_int_eq(wp_io_classify(&t, EIO), WP_IO_MEDIUM);
	ck_assert_int_eq(wp_io_classify(&t, EILSEQ), WP_IO_MEDIUM);
	ck_assert_int_eq(wp_io_classify(&t, ENOSPC), WP_IO_FATAL); /* /dev/full, thin pool */
	ck_assert_int_eq(wp_io_classify(&t, ENODEV), WP_IO_VANISHED);
	ck_assert_int_eq(wp_io_classify(&t, ENXIO), WP_IO_VANISHED);
	ck_assert_int_eq(wp_io_classify(&t, ENOMEDIUM), WP_IO_VANISHED);
	ck_assert_int_eq(wp_io_classify(&t, EBADF), WP_IO_FATAL);
	fk.vanished = true; /* ENOSPC from a disk whose capacity dropped to 0 */
	ck_assert_int_eq(wp_io_classify(&t, ENOSPC), WP_IO_VANISHED);
	/* a regular file is never "gone" */
	struct wp_io_target plain = { .fd = fd, .path = path, .size = DISK, .block_size = BS };
	ck_assert(!wp_io_gone(&plain));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("badblocks");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, exact_range_recorded);
	tcase_add_test(tc, passes_log_once);
	tcase_add_test(tc, flaky_recovers);
	tcase_add_test(tc, run_cap);
	tcase_add_test(tc, dead_region_spans_chunks);
	tcase_add_test(tc, too_many_ranges_gives_up);
	tcase_add_test(tc, vanish_interrupts);
	tcase_add_test(tc, vanish_errno_interrupts);
	tcase_add_test(tc, vanish_during_retries);
	tcase_add_test(tc, flush_retried);
	tcase_add_test(tc, no_checkpoint_past_bad_blocks);
	tcase_add_test(tc, verify_records_unreadable);
	tcase_add_test(tc, verify_vanish);
	tcase_add_test(tc, classify_errnos);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return wp_run_suite(suite());
}
