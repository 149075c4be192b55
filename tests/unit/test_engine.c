/*
 * The overwrite engine and verifier on plain temporary files (the engine
 * takes any fd; O_DIRECT is the CLI's choice): sizes that are not a multiple
 * of the chunk, stop requests, write errors, and mismatch location.
 */
#include "verify.h"

#include "check_main.h"
#ifdef NDEBUG
#error "the engine's invariants are assert()ed: no build may define NDEBUG (CMakeLists.txt)"
#endif
#include "fixtures.h"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char err[512];
static char path[64];
static int fd = -1;

static void setup(void)
{
	fd = wp_fx_tmpfile(path, sizeof(path), "engine");
}

static void teardown(void)
{
	close(fd);
	unlink(path);
}

static struct wp_io_target target(uint64_t size, unsigned bs)
{
	ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
	/* fill with a marker so an unwritten byte would show */
	uint8_t m[4096];
	memset(m, 'M', sizeof(m));
	for (uint64_t off = 0; off < size; off += sizeof(m))
		ck_assert_int_gt(pwrite(fd, m, size - off < sizeof(m) ? size - off : sizeof(m),
					(off_t)off), 0);
	return (struct wp_io_target){ .fd = fd, .path = path, .size = size, .block_size = bs };
}

static void assert_holds(const struct wp_io_target *t, const struct wp_pass_spec *spec)
{
	struct wp_verify_record rec = { 0 };
	struct wp_run_ctl ctl = { .chunk_bytes = 65536 };
	ck_assert_int_eq(wp_verify_run(t, spec, WP_VERIFY_FULL, &rec, &ctl, err, sizeof(err)),
			 WP_VERIFY_MATCH);
	ck_assert_uint_eq(rec.bytes_checked, t->size);
	ck_assert(rec.complete);
}

START_TEST(every_method_odd_size)
{
	const struct wp_method *m;
	for (size_t i = 0; (m = wp_method_at(i)) != NULL; i++) {
		struct wp_io_target t = target(3 * 65536 + 4096 + 512, 512);
		struct wp_job job;
		ck_assert_int_eq(wp_job_init(&job, err, sizeof(err)), 0);
		struct wp_run_ctl ctl = { .chunk_bytes = 65536 };
		ck_assert_msg(wp_overwrite_run(&t, m, &job, &ctl, err, sizeof(err)) == 0, "%s: %s",
			      m->name, err);
		ck_assert_uint_eq(job.npasses, m->npasses);
		for (size_t p = 0; p < job.npasses; p++) {
			ck_assert(job.passes[p].complete);
			ck_assert_uint_eq(job.passes[p].bytes_written, t.size);
		}
		assert_holds(&t, wp_job_final_pass(&job));
	}
}
END_TEST

static volatile sig_atomic_t stop_now;
/* The engine reports after its first chunk: stop right there. */
static void stop_at_first_report(const struct wp_progress *p, void *ctx)
{
	(void)p;
	(void)ctx;
	stop_now = 1;
}

START_TEST(stop_flag_interrupts_with_offset)
{
	struct wp_io_target t = target(64 * 65536, 4096);
	struct wp_job job;
	wp_job_init(&job, err, sizeof(err));
	stop_now = 0;
	struct wp_run_ctl ctl = { .chunk_bytes = 65536, .stop = &stop_now,
				  .progress = stop_at_first_report };
	ck_assert_int_eq(wp_overwrite_run(&t, wp_method_find("dod3"), &job, &ctl, err,
					  sizeof(err)), -1);
	ck_assert_int_eq(job.result, WP_RESULT_INTERRUPTED);
	ck_assert(job.stopped_at.set);
	ck_assert_uint_eq(job.stopped_at.pass, 1);
	ck_assert_uint_eq(job.stopped_at.offset, 65536);
	ck_assert_uint_eq(job.passes[0].bytes_written, 65536);
	ck_assert(!job.passes[0].complete);
	ck_assert_ptr_nonnull(strstr(job.error, "signal"));
	/* nothing past the stop point was written */
	uint8_t b;
	ck_assert_int_eq(pread(fd, &b, 1, 65536), 1);
	ck_assert_uint_eq(b, 'M');
}
END_TEST


/* Checkpoints as the jobs table would record them; stop once pass
 * stop_in_pass has one inside it. */
struct cp_log {
	size_t n;
	size_t pass[4096];
	uint64_t offset[4096];
	size_t stop_in_pass;
	uint8_t key_at_cp[WP_KEY_BYTES];
};

static void record_cp(const struct wp_job *job, size_t pass, uint64_t offset, void *ctx)
{
	struct cp_log *log = ctx;
	if (log->n < 4096) {
		log->pass[log->n] = pass;
		log->offset[log->n] = offset;
		log->n++;
	}
	memcpy(log->key_at_cp, job->passes[pass - 1].spec.key, WP_KEY_BYTES);
	if (pass == log->stop_in_pass && offset > 0)
		stop_now = 1;
}

/* What a crash loses: everything after the checkpoint. */
static void scribble_from(const struct wp_io_target *t, uint64_t from)
{
	uint8_t m[4096];
	memset(m, 'M', sizeof(m));
	for (uint64_t off = from; off < t->size; off += sizeof(m))
		ck_assert_int_gt(pwrite(fd, m, t->size - off < sizeof(m) ? t->size - off : sizeof(m),
					(off_t)off), 0);
}

/* Cut off in the middle of the random pass, resumed from the checkpoint
 * with the recorded key: the device holds exactly the keystream an
 * unbroken run with that key writes, byte for byte. */
START_TEST(resume_mid_random_pass_matches_unbroken)
{
	struct wp_io_target t = target(64 * 65536 + 4096, 4096);
	struct wp_job job;
	static struct cp_log log;
	memset(&log, 0, sizeof(log));
	log.stop_in_pass = 3;
	wp_job_init(&job, err, sizeof(err));
	stop_now = 0;
	struct wp_run_ctl ctl = { .chunk_bytes = 65536, .stop = &stop_now, .checkpoint = record_cp,
				  .checkpoint_ctx = &log, .checkpoint_seconds = 1e-9 };
	const struct wp_method *m = wp_method_find("dod3");
	ck_assert_int_eq(wp_overwrite_run(&t, m, &job, &ctl, err, sizeof(err)), -1);
	ck_assert_int_eq(job.result, WP_RESULT_INTERRUPTED);
	/* every pass checkpointed at its start, offsets rising within a pass */
	size_t starts = 0;
	for (size_t i = 0; i < log.n; i++) {
		starts += log.offset[i] == 0;
		if (i > 0 && log.pass[i] == log.pass[i - 1])
			ck_assert_uint_gt(log.offset[i], log.offset[i - 1]);
		ck_assert_uint_eq(log.offset[i] % 65536, 0);
	}
	ck_assert_uint_eq(starts, 3);
	size_t last = log.n - 1;
	ck_assert_uint_eq(log.pass[last], 3);
	uint64_t cp = log.offset[last];
	ck_assert(cp > 0 && cp < t.size);
	ck_assert_mem_eq(log.key_at_cp, job.passes[2].spec.key, WP_KEY_BYTES);

	scribble_from(&t, cp);
	struct wp_job again;
	wp_job_init(&again, err, sizeof(err));
	for (size_t i = 0; i < 3; i++)
		again.passes[i] = job.passes[i];
	stop_now = 0;
	struct wp_run_ctl resume = { .chunk_bytes = 65536, .stop = &stop_now, .start_pass = 3,
				     .start_offset = cp };
	ck_assert_msg(wp_overwrite_run(&t, m, &again, &resume, err, sizeof(err)) == 0, "%s", err);
	ck_assert(again.passes[2].complete);
	ck_assert_uint_eq(again.passes[2].bytes_written, t.size);
	ck_assert_mem_eq(again.passes[2].spec.key, job.passes[2].spec.key, WP_KEY_BYTES);
	assert_holds(&t, &job.passes[2].spec);
}
END_TEST

/* Resumed at the start of pass 2: passes 2 and 3 are written, pass 1 is
 * left as the caller restored it. */
START_TEST(resume_after_completed_pass)
{
	struct wp_io_target t = target(16 * 65536, 512);
	struct wp_job job;
	wp_job_init(&job, err, sizeof(err));
	job.passes[0].spec.pattern = WP_PATTERN_ZERO;
	job.passes[0].bytes_written = t.size;
	job.passes[0].complete = true;
	job.passes[0].seconds = 7;
	struct wp_run_ctl ctl = { .chunk_bytes = 65536, .start_pass = 2 };
	ck_assert_msg(wp_overwrite_run(&t, wp_method_find("dod3"), &job, &ctl, err,
				       sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(job.npasses, 3);
	ck_assert(job.passes[0].complete && job.passes[0].seconds == 7);
	ck_assert(job.passes[1].complete && job.passes[2].complete);
	ck_assert_uint_eq(job.passes[2].bytes_written, t.size);
	assert_holds(&t, wp_job_final_pass(&job));
}
END_TEST

START_TEST(resume_point_must_be_one_the_engine_makes)
{
	struct wp_io_target t = target(16 * 65536, 512);
	struct wp_job job;
	wp_job_init(&job, err, sizeof(err));
	struct wp_run_ctl ctl = { .chunk_bytes = 65536, .start_pass = 1, .start_offset = 1000 };
	ck_assert_int_eq(wp_overwrite_run(&t, wp_method_find("random"), &job, &ctl, err,
					  sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot resume"));
	ctl.start_offset = 0;
	ctl.start_pass = 2; /* random has one pass */
	ck_assert_int_eq(wp_overwrite_run(&t, wp_method_find("random"), &job, &ctl, err,
					  sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot resume"));
	uint8_t b;
	ck_assert_int_eq(pread(fd, &b, 1, 0), 1);
	ck_assert_uint_eq(b, 'M');
}
END_TEST

START_TEST(write_error_fails_with_offset)
{
	int full = open("/dev/full", O_WRONLY);
	ck_assert_int_ge(full, 0);
	struct wp_io_target t = { .fd = full, .path = "/dev/full", .size = 1 << 20,
				  .block_size = 512 };
	struct wp_job job;
	wp_job_init(&job, err, sizeof(err));
	struct wp_run_ctl ctl = { .chunk_bytes = 65536 };
	ck_assert_int_eq(wp_overwrite_run(&t, wp_method_find("random"), &job, &ctl, err,
					  sizeof(err)), -1);
	close(full);
	ck_assert_int_eq(job.result, WP_RESULT_FAILED);
	ck_assert_uint_eq(job.stopped_at.offset, 0);
	ck_assert_ptr_nonnull(strstr(job.error, "write error"));
	ck_assert_ptr_nonnull(strstr(err, "/dev/full"));
}
END_TEST

START_TEST(mismatch_located_to_the_byte)
{
	struct wp_io_target t = target(1 << 20, 512);
	struct wp_job job;
	wp_job_init(&job, err, sizeof(err));
	struct wp_run_ctl ctl = { .chunk_bytes = 65536 };
	ck_assert_int_eq(wp_overwrite_run(&t, wp_method_find("random"), &job, &ctl, err,
					  sizeof(err)), 0);
	static const uint64_t flips[] = { 0, 70001, 1048575 };
	for (size_t i = 0; i < 3; i++) {
		uint8_t b;
		ck_assert_int_eq(pread(fd, &b, 1, (off_t)flips[i]), 1);
		b ^= 0x01;
		ck_assert_int_eq(pwrite(fd, &b, 1, (off_t)flips[i]), 1);
	}
	struct wp_verify_record rec = { 0 };
	ck_assert_int_eq(wp_verify_run(&t, wp_job_final_pass(&job), WP_VERIFY_FULL, &rec, &ctl,
				       err, sizeof(err)), WP_VERIFY_MISMATCH);
	ck_assert_uint_eq(rec.mismatched_blocks, 3);
	ck_assert_uint_eq(rec.n_bad, 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_uint_eq(rec.bad_offsets[i], flips[i]);
	ck_assert_ptr_nonnull(strstr(err, "byte 0"));
}
END_TEST

/* Chunks of many 64 KiB check pieces: the first offsets come out in device
 * order, capped, and every differing block is counted. */
START_TEST(mismatches_across_pieces_in_order)
{
	struct wp_io_target t = target(4 << 20, 512);
	struct wp_job job;
	wp_job_init(&job, err, sizeof(err));
	struct wp_run_ctl ctl = { .chunk_bytes = 1 << 20 };
	ck_assert_int_eq(wp_overwrite_run(&t, wp_method_find("random"), &job, &ctl, err,
					  sizeof(err)), 0);
	/* one flip in each of 12 pieces, odd and even, across two chunks */
	uint64_t flips[12];
	for (size_t i = 0; i < 12; i++) {
		flips[i] = (uint64_t)(i * 3 + 1) * 65536 + 777 * i;
		uint8_t b;
		ck_assert_int_eq(pread(fd, &b, 1, (off_t)flips[i]), 1);
		b ^= 0x80;
		ck_assert_int_eq(pwrite(fd, &b, 1, (off_t)flips[i]), 1);
	}
	struct wp_verify_record rec = { 0 };
	ck_assert_int_eq(wp_verify_run(&t, wp_job_final_pass(&job), WP_VERIFY_FULL, &rec, &ctl,
				       err, sizeof(err)), WP_VERIFY_MISMATCH);
	ck_assert_uint_eq(rec.mismatched_blocks, 12);
	ck_assert_uint_eq(rec.n_bad, WP_MAX_BAD_OFFSETS);
	for (size_t i = 0; i < WP_MAX_BAD_OFFSETS; i++)
		ck_assert_uint_eq(rec.bad_offsets[i], flips[i]);
	ck_assert_uint_eq(rec.bytes_checked, 4 << 20);
}
END_TEST

/* The fused check through the whole verifier, chunks checked on the
 * shared pool: one flipped bit at the first byte, the last byte, both sides
 * of a chunk boundary and of a 64 KiB piece, and inside a piece, is one
 * mismatched block at its exact offset, for random, zeros and ones. */
START_TEST(single_bit_flip_found_by_verify)
{
	enum { SIZE = 3 << 20 };
	static const uint64_t flips[] = { 0, SIZE - 1, (1 << 20) - 1, 1 << 20, (2 << 20) + 1,
					  65535, 65536, 65536 * 5 + 12345, (2 << 20) + 65536 * 7 + 4095 };
	static const char *const methods[] = { "random", "zero", "ones" };
	for (size_t k = 0; k < 3; k++) {
		struct wp_io_target t = target(SIZE, 512);
		struct wp_job job;
		wp_job_init(&job, err, sizeof(err));
		struct wp_run_ctl ctl = { .chunk_bytes = 1 << 20, .queue_depth = 3 };
		ck_assert_int_eq(wp_overwrite_run(&t, wp_method_find(methods[k]), &job, &ctl, err,
						  sizeof(err)), 0);
		for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
			uint8_t b;
			ck_assert_int_eq(pread(fd, &b, 1, (off_t)flips[i]), 1);
			b ^= (uint8_t)(1u << (i % 8));
			ck_assert_int_eq(pwrite(fd, &b, 1, (off_t)flips[i]), 1);
			struct wp_verify_record rec = { 0 };
			ck_assert_int_eq(wp_verify_run(&t, wp_job_final_pass(&job), WP_VERIFY_FULL,
						       &rec, &ctl, err, sizeof(err)),
					 WP_VERIFY_MISMATCH);
			ck_assert_msg(rec.mismatched_blocks == 1 && rec.n_bad == 1 &&
					      rec.bad_offsets[0] == flips[i],
				      "%s, flip at %llu: %llu blocks, first at %llu", methods[k],
				      (unsigned long long)flips[i],
				      (unsigned long long)rec.mismatched_blocks,
				      (unsigned long long)rec.bad_offsets[0]);
			ck_assert_uint_eq(rec.bytes_checked, SIZE);
			b ^= (uint8_t)(1u << (i % 8));
			ck_assert_int_eq(pwrite(fd, &b, 1, (off_t)flips[i]), 1);
		}
		assert_holds(&t, wp_job_final_pass(&job));
	}
}
END_TEST

START_TEST(sample_verify_reads_the_plan)
{
	uint64_t size = 40ull << 20;
	struct wp_io_target t = target(size, 4096);
	struct wp_job job;
	wp_job_init(&job, err, sizeof(err));
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_overwrite_run(&t, wp_method_find("ones"), &job, &ctl, err,
					  sizeof(err)), 0);
	struct wp_verify_record rec = { .seed = 99 };
	ck_assert_int_eq(wp_verify_run(&t, wp_job_final_pass(&job), WP_VERIFY_SAMPLE, &rec, &ctl,
				       err, sizeof(err)), WP_VERIFY_MATCH);
	ck_assert_uint_eq(rec.seed, 99);
	ck_assert(rec.coverage_percent >= WP_SAMPLE_MIN_PERCENT);
	ck_assert(rec.coverage_percent < 100);
	/* the last byte is always sampled */
	uint8_t z = 0;
	ck_assert_int_eq(pwrite(fd, &z, 1, (off_t)size - 1), 1);
	ck_assert_int_eq(wp_verify_run(&t, wp_job_final_pass(&job), WP_VERIFY_SAMPLE, &rec, &ctl,
				       err, sizeof(err)), WP_VERIFY_MISMATCH);
	ck_assert_uint_eq(rec.bad_offsets[0], size - 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_method_odd_size);
	tcase_add_test(tc, stop_flag_interrupts_with_offset);
	tcase_add_test(tc, write_error_fails_with_offset);
	tcase_add_test(tc, mismatch_located_to_the_byte);
	tcase_add_test(tc, mismatches_across_pieces_in_order);
	tcase_add_test(tc, single_bit_flip_found_by_verify);
	tcase_add_test(tc, sample_verify_reads_the_plan);
	tcase_add_test(tc, resume_mid_random_pass_matches_unbroken);
	tcase_add_test(tc, resume_after_completed_pass);
	tcase_add_test(tc, resume_point_must_be_one_the_engine_makes);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
