/*
 * The pipeline's buffer hand-off: every chunk of the plan produced once and
 * consumed once, in order, with the content its producer put there; a short
 * last chunk; failures in either stage and the stop flag end both stages
 * with the offset of the first chunk not consumed.
 */
#include "wipe.h"

#include "check_main.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHUNKS 4096

struct trace {
	uint64_t produced[MAX_CHUNKS][2]; /* offset, len */
	uint64_t consumed[MAX_CHUNKS][2];
	size_t nproduced, nconsumed;
	int64_t fail_produce_at;  /* chunk index, -1: never */
	int64_t fail_consume_at;
	int64_t stop_at;          /* consumer sets the stop flag after this chunk */
	volatile sig_atomic_t stop;
	bool jitter;              /* sleep now and then to shuffle the timing */
	size_t content_errors;
};

static char err[512];

static void maybe_sleep(const struct trace *t, uint64_t index, unsigned salt)
{
	if (!t->jitter || (index * 2654435761u + salt) % 7 != 0)
		return;
	struct timespec ts = { 0, 20000 };
	nanosleep(&ts, NULL);
}

/* Stamps every 512-byte block with its device offset, so the consumer can
 * tell whether it got the bytes meant for its chunk. */
static int produce(struct wp_chunk *c, void *ctx, char *e, size_t elen)
{
	struct trace *t = ctx;
	if ((int64_t)c->index == t->fail_produce_at) {
		snprintf(e, elen, "producer failed at %llu", (unsigned long long)c->offset);
		return -1;
	}
	maybe_sleep(t, c->index, 1);
	for (size_t b = 0; b < c->len; b += 512) {
		uint64_t off = c->offset + b;
		memcpy(c->buf + b, &off, sizeof(off));
	}
	t->produced[t->nproduced][0] = c->offset;
	t->produced[t->nproduced][1] = c->len;
	t->nproduced++;
	return 0;
}

static int consume(struct wp_chunk *c, void *ctx, char *e, size_t elen)
{
	struct trace *t = ctx;
	if ((int64_t)c->index == t->fail_consume_at) {
		snprintf(e, elen, "consumer failed at %llu", (unsigned long long)c->offset);
		return -1;
	}
	maybe_sleep(t, c->index, 3);
	for (size_t b = 0; b < c->len; b += 512) {
		uint64_t off;
		memcpy(&off, c->buf + b, sizeof(off));
		if (off != c->offset + b)
			t->content_errors++;
	}
	t->consumed[t->nconsumed][0] = c->offset;
	t->consumed[t->nconsumed][1] = c->len;
	t->nconsumed++;
	if ((int64_t)c->index == t->stop_at)
		t->stop = 1;
	return 0;
}

static struct trace *new_trace(void)
{
	struct trace *t = calloc(1, sizeof(*t));
	ck_assert_ptr_nonnull(t);
	t->fail_produce_at = t->fail_consume_at = t->stop_at = -1;
	return t;
}

static struct wp_pipeline spec(struct trace *t, const struct wp_region *r, size_t n,
			       size_t chunk, size_t depth)
{
	return (struct wp_pipeline){
		.regions = r, .nregions = n, .chunk_bytes = chunk, .depth = depth,
		.align = 4096, .produce = produce, .consume = consume, .ctx = t,
		.stop = &t->stop,
	};
}

/* The plan cut by hand: what both stages must see, in this order. */
static size_t expected_chunks(const struct wp_region *r, size_t n, size_t chunk,
			      uint64_t (*out)[2])
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (uint64_t at = 0; at < r[i].length; at += chunk) {
			uint64_t left = r[i].length - at;
			out[k][0] = r[i].offset + at;
			out[k][1] = left < chunk ? left : chunk;
			k++;
		}
	return k;
}

START_TEST(every_chunk_once_in_order)
{
	/* regions of odd lengths: short chunks at every region's end */
	static const struct wp_region r[] = {
		{ 0, 10 * 8192 + 512 }, { 1 << 20, 8192 }, { 3 << 20, 3 * 8192 - 1024 },
		{ 5 << 20, 512 },
	};
	static uint64_t want[MAX_CHUNKS][2];
	size_t nwant = expected_chunks(r, 4, 8192, want);
	for (size_t depth = 1; depth <= 5; depth++) {
		for (int jitter = 0; jitter <= 1; jitter++) {
			struct trace *t = new_trace();
			t->jitter = jitter;
			struct wp_pipeline p = spec(t, r, 4, 8192, depth);
			struct wp_pipeline_outcome o;
			ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), 0);
			ck_assert_int_eq(o.end, WP_PIPE_DONE);
			ck_assert_uint_eq(o.chunks_consumed, nwant);
			ck_assert_uint_eq(o.next_offset, (5u << 20) + 512);
			ck_assert_uint_eq(t->nproduced, nwant);
			ck_assert_uint_eq(t->nconsumed, nwant);
			ck_assert_int_eq(memcmp(t->produced, want, nwant * sizeof(want[0])), 0);
			ck_assert_int_eq(memcmp(t->consumed, want, nwant * sizeof(want[0])), 0);
			ck_assert_uint_eq(t->content_errors, 0);
			free(t);
		}
	}
}
END_TEST

START_TEST(many_chunks_never_overwritten_in_use)
{
	/* a small ring and thousands of chunks with jitter: a slot reused
	 * before its consumer finished would show as a content error */
	struct wp_region r = { 0, 4000ull * 4096 + 512 };
	struct trace *t = new_trace();
	t->jitter = true;
	struct wp_pipeline p = spec(t, &r, 1, 4096, 2);
	struct wp_pipeline_outcome o;
	ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(o.chunks_consumed, 4001);
	ck_assert_uint_eq(t->consumed[4000][1], 512);
	ck_assert_uint_eq(t->content_errors, 0);
	free(t);
}
END_TEST

START_TEST(producer_error_stops_cleanly)
{
	struct wp_region r = { 0, 64 * 4096 };
	for (size_t depth = 1; depth <= 4; depth++) {
		struct trace *t = new_trace();
		t->fail_produce_at = 10;
		struct wp_pipeline p = spec(t, &r, 1, 4096, depth);
		struct wp_pipeline_outcome o;
		ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), -1);
		ck_assert_int_eq(o.end, WP_PIPE_PRODUCE_FAILED);
		/* everything before the failing chunk was consumed, nothing after */
		ck_assert_uint_eq(o.chunks_consumed, 10);
		ck_assert_uint_eq(t->nconsumed, 10);
		ck_assert_uint_eq(t->nproduced, 10);
		ck_assert_uint_eq(o.next_offset, 10 * 4096);
		ck_assert_str_eq(err, "producer failed at 40960");
		free(t);
	}
}
END_TEST

START_TEST(consumer_error_stops_producer)
{
	struct wp_region r = { 0, 64 * 4096 };
	for (size_t depth = 1; depth <= 4; depth++) {
		struct trace *t = new_trace();
		t->fail_consume_at = 5;
		struct wp_pipeline p = spec(t, &r, 1, 4096, depth);
		struct wp_pipeline_outcome o;
		ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), -1);
		ck_assert_int_eq(o.end, WP_PIPE_CONSUME_FAILED);
		ck_assert_uint_eq(o.chunks_consumed, 5);
		ck_assert_uint_eq(o.next_offset, 5 * 4096);
		ck_assert_str_eq(err, "consumer failed at 20480");
		/* the producer ran at most a ring ahead, then stopped */
		ck_assert_uint_le(t->nproduced, 6 + depth);
		free(t);
	}
}
END_TEST

START_TEST(stop_flag_ends_both_stages)
{
	struct wp_region r = { 0, 64 * 4096 };
	struct trace *t = new_trace();
	t->stop_at = 7;
	struct wp_pipeline p = spec(t, &r, 1, 4096, 3);
	struct wp_pipeline_outcome o;
	ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), -1);
	ck_assert_int_eq(o.end, WP_PIPE_STOPPED);
	ck_assert_uint_eq(o.chunks_consumed, 8);
	ck_assert_uint_eq(o.next_offset, 8 * 4096);
	ck_assert_uint_le(t->nproduced, 8 + 3);
	free(t);
}
END_TEST

START_TEST(stop_after_last_chunk_is_done)
{
	/* a signal after everything was consumed does not unmake the work */
	struct wp_region r = { 0, 4 * 4096 };
	struct trace *t = new_trace();
	t->stop_at = 3;
	struct wp_pipeline p = spec(t, &r, 1, 4096, 2);
	struct wp_pipeline_outcome o;
	ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.end, WP_PIPE_DONE);
	ck_assert_uint_eq(o.chunks_consumed, 4);
	free(t);
}
END_TEST

START_TEST(null_producer_and_empty_plan)
{
	struct wp_region r = { 0, 3 * 4096 };
	struct trace *t = new_trace();
	struct wp_pipeline p = spec(t, &r, 1, 4096, 2);
	p.produce = NULL;
	p.consume = consume;
	struct wp_pipeline_outcome o;
	ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(t->nconsumed, 3);
	p.nregions = 0;
	t->nconsumed = 0;
	ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(o.chunks_consumed, 0);
	ck_assert_uint_eq(t->nconsumed, 0);
	free(t);
}
END_TEST

START_TEST(ring_memory_is_bounded)
{
	struct wp_region r = { 0, 1 << 20 };
	struct trace *t = new_trace();
	struct wp_pipeline p = spec(t, &r, 1, 32u << 20, 3);
	struct wp_pipeline_outcome o;
	ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), -1);
	ck_assert_int_eq(o.end, WP_PIPE_SETUP_FAILED);
	ck_assert_ptr_nonnull(strstr(err, "64 MiB"));
	ck_assert_uint_eq(t->nproduced, 0);
	p.chunk_bytes = 4097; /* not a multiple of the alignment */
	ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), -1);
	ck_assert_int_eq(o.end, WP_PIPE_SETUP_FAILED);
	free(t);
}
END_TEST

/* ---- the work stage on the shared pool ------------------------------------ */

struct pool_trace {
	struct trace t;           /* consumer side, as above */
	int works;                /* atomics: work calls, in flight, most at once */
	int in_work, max_in_work;
	int64_t fail_work_at;
	unsigned work_us;         /* each work call sleeps this long */
	unsigned consume_us;      /* each consume call sleeps this long */
	bool invert;              /* produce stamps, work inverts, consume checks */
};

static void sleep_us(unsigned us)
{
	struct timespec ts = { 0, (long)us * 1000 };
	nanosleep(&ts, NULL);
}

static int work(struct wp_chunk *c, void *ctx, char *e, size_t elen)
{
	struct pool_trace *pt = ctx;
	int now = __atomic_add_fetch(&pt->in_work, 1, __ATOMIC_SEQ_CST);
	int seen = __atomic_load_n(&pt->max_in_work, __ATOMIC_SEQ_CST);
	while (now > seen && !__atomic_compare_exchange_n(&pt->max_in_work, &seen, now, false,
							  __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
	__atomic_add_fetch(&pt->works, 1, __ATOMIC_SEQ_CST);
	int rc = 0;
	if ((int64_t)c->index == pt->fail_work_at) {
		snprintf(e, elen, "work failed at %llu", (unsigned long long)c->offset);
		rc = -1;
	} else {
		maybe_sleep(&pt->t, c->index, 5);
		if (pt->work_us)
			sleep_us(pt->work_us);
		for (size_t b = 0; b < c->len; b += 512) {
			uint64_t off = c->offset + b;
			if (pt->invert)
				memcpy(&off, c->buf + b, sizeof(off)), off = ~off;
			memcpy(c->buf + b, &off, sizeof(off));
		}
	}
	__atomic_sub_fetch(&pt->in_work, 1, __ATOMIC_SEQ_CST);
	return rc;
}

static int consume_work(struct wp_chunk *c, void *ctx, char *e, size_t elen)
{
	struct pool_trace *pt = ctx;
	if (pt->consume_us)
		sleep_us(pt->consume_us);
	if (!pt->invert)
		return consume(c, &pt->t, e, elen);
	for (size_t b = 0; b < c->len; b += 512) { /* undo the work's inversion */
		uint64_t off;
		memcpy(&off, c->buf + b, sizeof(off));
		off = ~off;
		memcpy(c->buf + b, &off, sizeof(off));
	}
	return consume(c, &pt->t, e, elen);
}

static struct pool_trace *new_pool_trace(void)
{
	struct pool_trace *pt = calloc(1, sizeof(*pt));
	ck_assert_ptr_nonnull(pt);
	pt->t.fail_produce_at = pt->t.fail_consume_at = pt->t.stop_at = -1;
	pt->fail_work_at = -1;
	return pt;
}

static struct wp_pipeline pool_spec(struct pool_trace *pt, const struct wp_region *r, size_t n,
				    size_t chunk, size_t depth)
{
	return (struct wp_pipeline){
		.regions = r, .nregions = n, .chunk_bytes = chunk, .depth = depth,
		.align = 4096, .work = work, .consume = consume_work, .ctx = pt,
		.stop = &pt->t.stop,
	};
}

START_TEST(pool_has_a_thread_per_core)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	ck_assert_uint_eq(wp_pool_threads(), cores > 0 ? (size_t)cores : 1);
}
END_TEST

/* Work items run on the pool in any order, consumption stays in plan
 * order with each chunk's own bytes, once each; also with a producer
 * thread in front (the verifier's read → check → tally). */
START_TEST(work_stage_consumed_in_order)
{
	static const struct wp_region r[] = {
		{ 0, 10 * 8192 + 512 }, { 1 << 20, 8192 }, { 3 << 20, 3 * 8192 - 1024 },
	};
	static uint64_t want[MAX_CHUNKS][2];
	size_t nwant = expected_chunks(r, 3, 8192, want);
	for (size_t depth = 1; depth <= 5; depth++) {
		for (int mode = 0; mode < 4; mode++) {
			struct pool_trace *pt = new_pool_trace();
			pt->t.jitter = mode & 1;
			struct wp_pipeline p = pool_spec(pt, r, 3, 8192, depth);
			if (mode & 2) {
				pt->invert = true;
				p.produce = produce;
			}
			struct wp_pipeline_outcome o;
			ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), 0);
			ck_assert_int_eq(o.end, WP_PIPE_DONE);
			ck_assert_uint_eq(o.chunks_consumed, nwant);
			ck_assert_int_eq(pt->works, (int)nwant);
			ck_assert_uint_eq(pt->t.nconsumed, nwant);
			ck_assert_int_eq(memcmp(pt->t.consumed, want, nwant * sizeof(want[0])), 0);
			ck_assert_uint_eq(pt->t.content_errors, 0);
			free(pt);
		}
	}
}
END_TEST

START_TEST(work_error_stops_cleanly)
{
	struct wp_region r = { 0, 64 * 4096 };
	for (size_t depth = 1; depth <= 4; depth++) {
		struct pool_trace *pt = new_pool_trace();
		pt->fail_work_at = 10;
		struct wp_pipeline p = pool_spec(pt, &r, 1, 4096, depth);
		struct wp_pipeline_outcome o;
		ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), -1);
		ck_assert_int_eq(o.end, WP_PIPE_PRODUCE_FAILED);
		ck_assert_uint_eq(o.chunks_consumed, 10);
		ck_assert_uint_eq(pt->t.nconsumed, 10);
		ck_assert_uint_eq(o.next_offset, 10 * 4096);
		ck_assert_str_eq(err, "work failed at 40960");
		ck_assert_int_le(pt->works, 11 + (int)depth);
		free(pt);
	}
}
END_TEST

START_TEST(work_stage_stop_and_consumer_error)
{
	struct wp_region r = { 0, 64 * 4096 };
	struct pool_trace *pt = new_pool_trace();
	pt->t.stop_at = 7;
	struct wp_pipeline p = pool_spec(pt, &r, 1, 4096, 3);
	struct wp_pipeline_outcome o;
	ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), -1);
	ck_assert_int_eq(o.end, WP_PIPE_STOPPED);
	ck_assert_uint_eq(o.chunks_consumed, 8);
	ck_assert_uint_eq(o.next_offset, 8 * 4096);
	ck_assert_int_le(pt->works, 8 + 3);
	free(pt);
	pt = new_pool_trace();
	pt->t.fail_consume_at = 5;
	p = pool_spec(pt, &r, 1, 4096, 4);
	ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), -1);
	ck_assert_int_eq(o.end, WP_PIPE_CONSUME_FAILED);
	ck_assert_uint_eq(o.chunks_consumed, 5);
	ck_assert_str_eq(err, "consumer failed at 20480");
	ck_assert_int_le(pt->works, 6 + 4);
	free(pt);
}
END_TEST

/* Work items per chunk: with two or more cores one pipeline's chunks are
 * worked on at once, never more than its ring holds. */
START_TEST(one_pipeline_uses_several_threads)
{
	if (wp_pool_threads() < 2)
		return; /* nothing to show on one core */
	struct wp_region r = { 0, 32 * 4096 };
	struct pool_trace *pt = new_pool_trace();
	pt->work_us = 20000;
	struct wp_pipeline p = pool_spec(pt, &r, 1, 4096, 4);
	struct wp_pipeline_outcome o;
	ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), 0);
	ck_assert_int_ge(pt->max_in_work, 2);
	ck_assert_int_le(pt->max_in_work, 4);
	free(pt);
}
END_TEST

struct drive_run {
	struct pool_trace *pt;
	struct wp_region r;
	size_t depth;
	double seconds;
	int rc;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *drive_thread(void *arg)
{
	struct drive_run *d = arg;
	struct wp_pipeline p = pool_spec(d->pt, &d->r, 1, 4096, d->depth);
	struct wp_pipeline_outcome o;
	double t0 = now_s();
	d->rc = wp_pipeline_run(&p, &o, err, sizeof(err));
	d->seconds = now_s() - t0;
	return NULL;
}

/* Many drives on one pool: a drive whose device is slow (its consumer
 * sleeps 4 ms a chunk) keeps at most its ring in the pool, so a fast drive
 * started beside it finishes in a fraction of the slow one's time; every
 * drive's chunks arrive whole and in order. */
START_TEST(slow_drive_never_starves_fast_ones)
{
	enum { NDRIVES = 6 };
	struct drive_run d[NDRIVES];
	pthread_t th[NDRIVES];
	for (size_t i = 0; i < NDRIVES; i++) {
		d[i] = (struct drive_run){ .pt = new_pool_trace(), .r = { 0, 300 * 4096 },
					   .depth = 2 + i % 3 };
		d[i].pt->t.jitter = i > 1;
		d[i].pt->work_us = 200;
		if (i == 0)
			d[i].pt->consume_us = 4000;
		ck_assert_int_eq(pthread_create(&th[i], NULL, drive_thread, &d[i]), 0);
	}
	for (size_t i = 0; i < NDRIVES; i++)
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
	for (size_t i = 0; i < NDRIVES; i++) {
		ck_assert_int_eq(d[i].rc, 0);
		ck_assert_uint_eq(d[i].pt->t.nconsumed, 300);
		ck_assert_uint_eq(d[i].pt->t.content_errors, 0);
		ck_assert_int_le(d[i].pt->max_in_work, (int)d[i].depth);
	}
	ck_assert_msg(d[1].seconds < d[0].seconds / 2, "fast %.3f s, slow %.3f s", d[1].seconds,
		      d[0].seconds);
	for (size_t i = 0; i < NDRIVES; i++)
		free(d[i].pt);
}
END_TEST

/* A child forked while the pool runs has no workers of its own: it must
 * start its own instead of queueing work nobody takes. */
START_TEST(pool_works_after_fork)
{
	struct wp_region r = { 0, 16 * 4096 };
	struct pool_trace *pt = new_pool_trace();
	struct wp_pipeline p = pool_spec(pt, &r, 1, 4096, 2);
	struct wp_pipeline_outcome o;
	ck_assert_int_eq(wp_pipeline_run(&p, &o, err, sizeof(err)), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		alarm(20);
		pt->t.nconsumed = 0;
		int rc = wp_pipeline_run(&p, &o, err, sizeof(err));
		_exit(rc == 0 && pt->t.nconsumed == 16 && pt->t.content_errors == 0 ? 0 : 1);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(pt);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, every_chunk_once_in_order);
	tcase_add_test(tc, many_chunks_never_overwritten_in_use);
	tcase_add_test(tc, producer_error_stops_cleanly);
	tcase_add_test(tc, consumer_error_stops_producer);
	tcase_add_test(tc, stop_flag_ends_both_stages);
	tcase_add_test(tc, stop_after_last_chunk_is_done);
	tcase_add_test(tc, null_producer_and_empty_plan);
	tcase_add_test(tc, ring_memory_is_bounded);
	tcase_add_test(tc, pool_has_a_thread_per_core);
	tcase_add_test(tc, work_stage_consumed_in_order);
	tcase_add_test(tc, work_error_stops_cleanly);
	tcase_add_test(tc, work_stage_stop_and_consumer_error);
	tcase_add_test(tc, one_pipeline_uses_several_threads);
	tcase_add_test(tc, slow_drive_never_starves_fast_ones);
	tcase_add_test(tc, pool_works_after_fork);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
