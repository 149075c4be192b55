/*
 * Read-back verification. The device is read with O_DIRECT (so the page
 * cache cannot answer for the medium) in large aligned chunks by a reader
 * thread, while this thread checks the chunk read before: it XORs the
 * chunk with the expected pass content, 64 KiB at a time so the data stays
 * in cache, and looks for a non-zero byte. What differs is located at
 * logical-block granularity; the first few differing byte offsets are kept
 * so a person can look at them.
 */
#include "verify.h"
#include "badblocks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK_PIECE (64u << 10)

struct verify_state {
	const struct wp_io_target *target;
	const struct wp_run_ctl *ctl;
	struct wp_verify_record *rec;
	struct wp_patgen gen;
	uint64_t total;     /* bytes planned */
	struct wp_progress_clock clock;
	struct wp_patgen fill_gen; /* the reader thread's: for unreadable blocks */
	struct wp_bb_log unreadable;
	enum wp_io_fault fault;
};

static void report(struct verify_state *st, bool final)
{
	wp_progress_emit(st->ctl, &st->clock, "verify", 1, 1, st->rec->bytes_checked,
			 st->total, final);
}

/* diff = read XOR expected, covering device bytes from offset. */
static void note_mismatches(struct verify_state *st, const uint8_t *diff,
			    uint64_t offset, size_t len)
{
	unsigned bs = st->target->block_size;
	struct wp_verify_record *rec = st->rec;
	for (size_t b = 0; b < len; b += bs) {
		size_t i = wp_first_nonzero(diff + b, bs);
		if (i == bs)
			continue;
		rec->mismatched_blocks++;
		if (rec->n_bad < WP_MAX_BAD_OFFSETS)
			rec->bad_offsets[rec->n_bad++] = offset + b + i;
	}
}

/* An unreadable block holds the expected content in the buffer, so it is
 * counted once, as unreadable, and not again as a mismatch. */
static int fill_expected(void *ctx, uint8_t *buf, uint64_t offset, size_t len)
{
	struct verify_state *st = ctx;
	char err[256];
	return wp_patgen_fill(&st->fill_gen, offset, buf, len, err, sizeof(err));
}

/* Producer (reader thread). A medium error is retried block by block and
 * what stays unreadable is logged (badblocks.c); a removed device ends the
 * verification. */
static int produce_read(struct wp_chunk *c, void *ctx, char *err, size_t errlen)
{
	struct verify_state *st = ctx;
	if (wp_io_read_fully(st->target, c->buf, c->len, c->offset) == 0)
		return 0;
	int e = errno;
	st->fault = wp_io_classify(st->target, e);
	if (st->fault == WP_IO_MEDIUM)
		st->fault = wp_bb_read(st->target, c->buf, c->len, c->offset, &st->unreadable,
				       fill_expected, st, st->ctl->stop, err, errlen);
	else if (st->fault == WP_IO_VANISHED)
		snprintf(err, errlen, "%s was removed during verification near byte %llu (%s)",
			 st->target->path, (unsigned long long)c->offset, strerror(e));
	else
		snprintf(err, errlen, "read error on %s near byte %llu: %s",
			 st->target->path, (unsigned long long)c->offset, strerror(e));
	if (st->fault == WP_IO_VANISHED)
		st->rec->device_removed = true;
	return st->fault == WP_IO_OK ? 0 : -1;
}

/* Consumer: compare a chunk with the pattern, piece by piece. */
static int consume_check(struct wp_chunk *c, void *ctx, char *err, size_t errlen)
{
	struct verify_state *st = ctx;
	for (size_t at = 0; at < c->len; at += CHECK_PIECE) {
		size_t len = c->len - at < CHECK_PIECE ? c->len - at : CHECK_PIECE;
		uint8_t *piece = c->buf + at;
		if (wp_patgen_xor(&st->gen, c->offset + at, piece, len, err, errlen) < 0)
			return -1;
		if (wp_first_nonzero(piece, len) != len)
			note_mismatches(st, piece, c->offset + at, len);
	}
	st->rec->bytes_checked += c->len;
	report(st, false);
	return 0;
}

static int plan_regions(const struct wp_io_target *t, enum wp_verify_mode mode,
			uint64_t seed, struct wp_region **regions, size_t *n,
			char *err, size_t errlen)
{
	if (mode == WP_VERIFY_SAMPLE)
		return wp_sample_plan(t->size, t->block_size, seed, regions, n, err, errlen);
	*regions = malloc(sizeof(**regions));
	if (!*regions) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	(*regions)[0] = (struct wp_region){ 0, t->size };
	*n = 1;
	return 0;
}

static int check_geometry(const struct wp_io_target *t, size_t chunk, char *err,
			  size_t errlen)
{
	if (t->block_size == 0 || (t->block_size & (t->block_size - 1)) != 0 ||
	    chunk % t->block_size != 0 || CHECK_PIECE % t->block_size != 0) {
		snprintf(err, errlen, "%s: block size %u does not divide the %zu-byte chunk",
			 t->path, t->block_size, chunk);
		return -1;
	}
	return 0;
}

/* Run the read → check pipeline over the planned regions. */
static int check_regions(struct verify_state *st, const struct wp_region *regions,
			 size_t n, size_t chunk, char *err, size_t errlen)
{
	const struct wp_io_target *t = st->target;
	struct wp_pipeline p = {
		.regions = regions, .nregions = n, .chunk_bytes = chunk,
		.depth = st->ctl->queue_depth ? st->ctl->queue_depth : WP_DEFAULT_DEPTH,
		.align = t->block_size > 4096 ? t->block_size : 4096,
		.produce = produce_read, .consume = consume_check, .ctx = st,
		.stop = st->ctl->stop,
	};
	struct wp_pipeline_outcome o;
	if (wp_pipeline_run(&p, &o, err, errlen) == 0)
		return 0;
	if (o.end == WP_PIPE_STOPPED)
		snprintf(err, errlen, "verification stopped by signal at byte %llu",
			 (unsigned long long)o.next_offset);
	return -1;
}

enum wp_verify_outcome wp_verify_run(const struct wp_io_target *target,
				     const struct wp_pass_spec *expected,
				     enum wp_verify_mode mode,
				     struct wp_verify_record *rec,
				     const struct wp_run_ctl *ctl,
				     char *err, size_t errlen)
{
	uint64_t seed = rec->seed;
	memset(rec, 0, sizeof(*rec));
	rec->mode = mode;
	rec->seed = seed;
	if (mode == WP_VERIFY_OFF)
		return WP_VERIFY_MATCH;

	struct verify_state st = { .target = target, .ctl = ctl, .rec = rec };
	size_t chunk = ctl->chunk_bytes ? ctl->chunk_bytes : WP_DEFAULT_CHUNK;
	struct wp_region *regions = NULL;
	size_t n = 0;
	wp_progress_start(&st.clock);
	if (check_geometry(target, chunk, err, errlen) < 0 ||
	    plan_regions(target, mode, seed, &regions, &n, err, errlen) < 0)
		return WP_VERIFY_ERROR;
	if (wp_patgen_init(&st.gen, expected, err, errlen) < 0) {
		free(regions);
		return WP_VERIFY_ERROR;
	}
	if (wp_patgen_init(&st.fill_gen, expected, err, errlen) < 0) {
		wp_patgen_free(&st.gen);
		free(regions);
		return WP_VERIFY_ERROR;
	}
	wp_bb_log_for_verify(&st.unreadable, rec);
	for (size_t i = 0; i < n; i++)
		st.total += regions[i].length;
	rec->complete = check_regions(&st, regions, n, chunk, err, errlen) == 0;
	rec->seconds = wp_now() - st.clock.started;
	rec->coverage_percent = 100.0 * (double)rec->bytes_checked / (double)target->size;
	report(&st, true);
	wp_patgen_free(&st.gen);
	wp_patgen_free(&st.fill_gen);
	free(regions);
	if (rec->complete && rec->unreadable_blocks > 0) {
		snprintf(err, errlen, "%llu block(s) of %s cannot be read back, first LBA %llu; "
			 "their content is unknown: destroy the device",
			 (unsigned long long)rec->unreadable_blocks, target->path,
			 (unsigned long long)rec->unreadable[0].first_lba);
		return WP_VERIFY_ERROR;
	}
	if (rec->mismatched_blocks > 0) {
		snprintf(err, errlen, "%llu block(s) of %s do not hold the expected %s pattern; first at byte %llu",
			 (unsigned long long)rec->mismatched_blocks, target->path,
			 wp_pattern_name(expected->pattern), (unsigned long long)rec->bad_offsets[0]);
		return WP_VERIFY_MISMATCH;
	}
	return rec->complete ? WP_VERIFY_MATCH : WP_VERIFY_ERROR;
}
