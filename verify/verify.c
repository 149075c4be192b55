/*
 * Read-back verification. The device is read with O_DIRECT (so the page
 * cache cannot answer for the medium) in large aligned chunks by a reader
 * thread; the shared pool (wp_pipeline_run's work stage) checks the chunks
 * read before, several at once, each with its own generator: the keystream
 * is XORed into the chunk in place, 64 KiB at a time so the data stays in
 * cache, and tested for zeros; a fixed pattern is compared directly
 * (wp_patgen_compare). What differs is located at logical-block
 * granularity only where a piece is not clean. This thread adds each
 * chunk's findings up in device order, so the count and the first few
 * differing byte offsets (kept so a person can look at them) are exactly
 * what a sequential check finds.
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
	struct wp_patgen *gens;    /* one per ring buffer, for the pool */
	struct wp_mismatch *found; /* what the pool found in each buffer */
	size_t depth;
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

/* Pool: compare a chunk with the pattern; any order, several at once. */
static int work_check(struct wp_chunk *c, void *ctx, char *err, size_t errlen)
{
	struct verify_state *st = ctx;
	struct wp_mismatch *m = &st->found[c->slot];
	memset(m, 0, sizeof(*m));
	return wp_patgen_compare(&st->gens[c->slot], c->offset, c->buf, c->len,
				 st->target->block_size, m, err, errlen);
}

/* Consumer: the chunk's findings, in device order. */
static int consume_tally(struct wp_chunk *c, void *ctx, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	struct verify_state *st = ctx;
	const struct wp_mismatch *m = &st->found[c->slot];
	struct wp_verify_record *rec = st->rec;
	rec->mismatched_blocks += m->blocks;
	for (size_t i = 0; i < m->n && rec->n_bad < WP_MAX_BAD_OFFSETS; i++)
		rec->bad_offsets[rec->n_bad++] = m->offsets[i];
	rec->bytes_checked += c->len;
	report(st, false);
	return 0;
}

static void free_checkers(struct verify_state *st)
{
	for (size_t i = 0; st->gens && i < st->depth; i++)
		wp_patgen_free(&st->gens[i]);
	free(st->gens);
	free(st->found);
	st->gens = NULL;
	st->found = NULL;
}

/* A generator and a findings record per ring buffer. */
static int init_checkers(struct verify_state *st, const struct wp_pass_spec *expected,
			 char *err, size_t errlen)
{
	st->depth = st->ctl->queue_depth ? st->ctl->queue_depth : WP_DEFAULT_DEPTH;
	st->gens = calloc(st->depth, sizeof(*st->gens));
	st->found = calloc(st->depth, sizeof(*st->found));
	if (!st->gens || !st->found) {
		snprintf(err, errlen, "out of memory");
		free_checkers(st);
		return -1;
	}
	for (size_t i = 0; i < st->depth; i++)
		if (wp_patgen_init(&st->gens[i], expected, err, errlen) < 0) {
			free_checkers(st);
			return -1;
		}
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
		.depth = st->depth,
		.align = t->block_size > 4096 ? t->block_size : 4096,
		.produce = produce_read, .work = work_check, .consume = consume_tally, .ctx = st,
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
	if (init_checkers(&st, expected, err, errlen) < 0) {
		free(regions);
		return WP_VERIFY_ERROR;
	}
	if (wp_patgen_init(&st.fill_gen, expected, err, errlen) < 0) {
		free_checkers(&st);
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
	free_checkers(&st);
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
