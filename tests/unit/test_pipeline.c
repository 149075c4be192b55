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
#include <time.h>

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
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
