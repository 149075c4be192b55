/*
 * The overwrite engine: one pass after another, large aligned O_DIRECT
 * writes, fdatasync at the end of every pass. Within a pass the shared
 * pool (wp_pipeline_run's work stage, one thread per core for all drives)
 * generates the next buffers, straight into them, while this thread writes
 * the current one, so a random pattern costs no more wall time than zeros
 * as long as the cores generate faster than the devices write. Each buffer
 * has its own cipher context, so the pool may fill several at once.
 *
 * Invariants: every byte in [0, size) of a completed pass was written with
 * the pass content exactly once, except blocks logged in job->bad (which
 * make the job failed); a pass is marked complete only after its
 * fdatasync succeeded; the stop flag is honoured between chunks so a signal
 * never leaves the report claiming more than reached the device.
 *
 * Those invariants are assert()ed where they must hold (consume_write,
 * pass_outcome, wp_overwrite_run). No build defines NDEBUG (CMakeLists.txt):
 * a broken invariant means a report that claims more than was done, and
 * stopping is better than certifying that.
 */
#include "wipe.h"
#include "badblocks.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROGRESS_INTERVAL 0.2 /* seconds; the CLI throttles further */

double wp_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void wp_progress_start(struct wp_progress_clock *clock)
{
	clock->started = wp_now();
	clock->last = -1e9;
}

void wp_progress_emit(const struct wp_run_ctl *ctl, struct wp_progress_clock *clock,
		      const char *phase, size_t pass, size_t npasses,
		      uint64_t done, uint64_t total, bool final)
{
	if (!ctl->progress)
		return;
	double now = wp_now();
	if (!final && now - clock->last < PROGRESS_INTERVAL)
		return;
	clock->last = now;
	struct wp_progress p = {
		.phase = phase, .pass = pass, .npasses = npasses,
		.done = done, .total = total,
		.elapsed = now - clock->started, .final = final,
	};
	p.rate = p.elapsed > 0 ? (double)done / p.elapsed : 0;
	p.eta = p.rate > 0 ? (double)(total - done) / p.rate : -1;
	ctl->progress(&p, ctl->progress_ctx);
}

/* One pass's shared state. Pool threads own `gens[c->slot]` while they
 * fill chunk c; the consumer (the caller's thread) owns everything else. */
struct pass_state {
	const struct wp_io_target *target;
	const struct wp_run_ctl *ctl;
	size_t pass;       /* 1-based */
	size_t npasses;
	struct wp_patgen *gens; /* one per buffer of the ring */
	size_t ngens;
	struct wp_pass_record *rec;
	struct wp_progress_clock clock;
	uint64_t reached;  /* after a write error: the first byte not written */
	uint64_t next;     /* where the next chunk must start: no gap, no overlap */
	bool synced;       /* the pass's fdatasync succeeded */
	struct wp_job *job;
	struct wp_bb_log bad; /* unwritable blocks, into job->bad */
	enum wp_io_fault fault; /* why consume_write failed */
	uint64_t from;     /* first byte this run writes: > 0 when resuming */
	double last_checkpoint;
};

static void report_progress(struct pass_state *st, uint64_t done, bool final)
{
	wp_progress_emit(st->ctl, &st->clock, "write", st->pass, st->npasses, done,
			 st->target->size, final);
}

/* Producer: a constant pattern is written into each buffer once, the first
 * time the buffer is used (only the plan's last chunk can be short, so a
 * first fill of len bytes covers every later use); a keystream is new for
 * every chunk. */
static int produce_pattern(struct wp_chunk *c, void *ctx, char *err, size_t errlen)
{
	struct pass_state *st = ctx;
	struct wp_patgen *gen = &st->gens[c->slot];
	if (gen->spec.pattern != WP_PATTERN_RANDOM && !c->first_use)
		return 0;
	return wp_patgen_fill(gen, c->offset, c->buf, c->len, err, errlen);
}

static size_t queue_depth(const struct wp_run_ctl *ctl)
{
	return ctl->queue_depth ? ctl->queue_depth : WP_DEFAULT_DEPTH;
}

static void free_gens(struct pass_state *st)
{
	for (size_t i = 0; i < st->ngens; i++)
		wp_patgen_free(&st->gens[i]);
	free(st->gens);
	st->gens = NULL;
	st->ngens = 0;
}

/* A generator (cipher context) per ring buffer. */
static int init_gens(struct pass_state *st, const struct wp_pass_spec *spec, char *err,
		     size_t errlen)
{
	size_t depth = queue_depth(st->ctl);
	st->gens = calloc(depth, sizeof(*st->gens));
	if (!st->gens) {
		snprintf(err, errlen, "out of memory for %zu pattern generators", depth);
		return -1;
	}
	for (; st->ngens < depth; st->ngens++)
		if (wp_patgen_init(&st->gens[st->ngens], spec, err, errlen) < 0) {
			free_gens(st);
			return -1;
		}
	return 0;
}

/* A failed write: medium errors are retried block by block and the
 * unwritable blocks logged (badblocks.c), so the rest of the disk is still
 * overwritten; a vanished device or anything else ends the pass. */
static int write_failed(struct pass_state *st, struct wp_chunk *c, char *err, size_t errlen)
{
	const struct wp_io_target *t = st->target;
	int e = errno;
	st->fault = wp_io_classify(t, e);
	if (st->fault == WP_IO_MEDIUM)
		st->fault = wp_bb_write(t, c->buf, c->len, c->offset, &st->bad, st->ctl->stop, err,
					errlen);
	else if (st->fault == WP_IO_VANISHED)
		snprintf(err, errlen, "%s was removed during pass %zu at byte %llu (%s)", t->path,
			 st->pass, (unsigned long long)st->reached, strerror(e));
	else
		snprintf(err, errlen, "write error on %s at byte %llu (pass %zu): %s",
			 t->path, (unsigned long long)st->reached, st->pass, strerror(e));
	if (st->fault == WP_IO_OK) {
		st->reached = c->offset + c->len;
		return 0;
	}
	st->rec->bytes_written = st->reached;
	return -1;
}

/* The checkpoint must never claim bytes the device may not hold yet, so
 * the flush comes first; a failed flush just skips this checkpoint (the
 * pass's own fdatasync reports the error). The end of a pass is never a
 * checkpoint: the next pass's start is, and a resume point is always
 * inside the device. */
static void maybe_checkpoint(struct pass_state *st, bool now)
{
	const struct wp_run_ctl *ctl = st->ctl;
	double interval = ctl->checkpoint_seconds > 0 ? ctl->checkpoint_seconds
						      : WP_CHECKPOINT_SECONDS;
	/* the jobs table does not carry the bad-block log: a resume from past a
	 * logged bad block would forget it, so none is offered; a resume goes
	 * back to before the first one and meets it again */
	if (st->job->bad.n_ranges > 0)
		return;
	if (!ctl->checkpoint || (!now && wp_now() - st->last_checkpoint < interval) ||
	    (!now && st->reached >= st->target->size))
		return;
	st->last_checkpoint = wp_now();
	if (!now && fdatasync(st->target->fd) != 0)
		return;
	ctl->checkpoint(st->job, st->pass, now ? st->from : st->reached, ctl->checkpoint_ctx);
}

static int consume_write(struct wp_chunk *c, void *ctx, char *err, size_t errlen)
{
	struct pass_state *st = ctx;
	/* every byte once: each chunk starts where the last one ended */
	assert(c->offset == st->next && c->len > 0 && c->offset + c->len <= st->target->size);
	if (wp_io_write_fully(st->target, c->buf, c->len, c->offset, &st->reached) < 0 &&
	    write_failed(st, c, err, errlen) < 0)
		return -1;
	st->next = c->offset + c->len;
	assert(st->reached == st->next);
	st->rec->bytes_written = st->reached;
	report_progress(st, st->reached, false);
	maybe_checkpoint(st, false);
	return 0;
}

static void mark_stop(struct wp_job *job, enum wp_result result, size_t pass,
		      uint64_t offset, const char *why)
{
	job->result = result;
	job->stopped_at.set = true;
	snprintf(job->stopped_at.phase, sizeof(job->stopped_at.phase), "write");
	job->stopped_at.pass = pass;
	job->stopped_at.offset = offset;
	snprintf(job->error, sizeof(job->error), "%s", why);
}

/* Every pass reached the end, but some blocks never took the pattern:
 * the device is not sanitized and should be destroyed. */
static int bad_blocks_verdict(struct wp_job *job, char *err, size_t errlen)
{
	const struct wp_badblock_record *b = &job->bad;
	snprintf(err, errlen, "%llu block(s) in %zu range(s) could not be written, first LBA "
		 "%llu; their old data may still be readable: destroy the device",
		 (unsigned long long)b->bad_blocks, b->n_ranges,
		 (unsigned long long)b->ranges[0].first_lba);
	job->result = WP_RESULT_FAILED;
	snprintf(job->recommendation, sizeof(job->recommendation), "destroy");
	snprintf(job->error, sizeof(job->error), "%s", err);
	return -1;
}

static size_t io_alignment(const struct wp_io_target *t)
{
	return t->block_size > 4096 ? t->block_size : 4096;
}

/* Turn how the pipeline ended into the job's verdict for this pass. */
static int pass_outcome(struct pass_state *st, const struct wp_pipeline_outcome *o,
			struct wp_job *job, char *err, size_t errlen)
{
	const struct wp_io_target *t = st->target;
	if (o->end != WP_PIPE_DONE) /* the last word on progress: where it stopped */
		report_progress(st, st->rec->bytes_written, true);
	switch (o->end) {
	case WP_PIPE_DONE:
		assert(st->next == t->size); /* [from, size) went through consume_write */
		st->fault = wp_bb_flush(t, &st->bad, st->ctl->stop, err, errlen);
		st->synced = st->fault == WP_IO_OK;
		if (st->synced) {
			report_progress(st, t->size, true);
			return 0;
		}
		snprintf(err + strlen(err), errlen - strlen(err), " (after pass %zu)", st->pass);
		mark_stop(job, st->fault == WP_IO_FATAL ? WP_RESULT_FAILED : WP_RESULT_INTERRUPTED,
			  st->pass, t->size, err);
		if (st->fault == WP_IO_VANISHED)
			snprintf(job->cause, sizeof(job->cause), "%s", WP_CAUSE_DEVICE_REMOVED);
		return -1;
	case WP_PIPE_STOPPED:
		/* stopped between chunks: the report claims exactly what was written */
		assert(o->next_offset == st->next && st->rec->bytes_written <= st->next);
		snprintf(err, errlen, "stopped by signal during pass %zu at byte %llu",
			 st->pass, (unsigned long long)o->next_offset);
		mark_stop(job, WP_RESULT_INTERRUPTED, st->pass, o->next_offset, err);
		return -1;
	case WP_PIPE_CONSUME_FAILED:
		mark_stop(job, st->fault == WP_IO_VANISHED || st->fault == WP_IO_STOPPED
				       ? WP_RESULT_INTERRUPTED : WP_RESULT_FAILED,
			  st->pass, st->reached, err);
		if (st->fault == WP_IO_VANISHED)
			snprintf(job->cause, sizeof(job->cause), "%s", WP_CAUSE_DEVICE_REMOVED);
		if (job->bad.gave_up)
			snprintf(job->recommendation, sizeof(job->recommendation), "destroy");
		return -1;
	case WP_PIPE_PRODUCE_FAILED:
	case WP_PIPE_SETUP_FAILED:
		break;
	}
	mark_stop(job, WP_RESULT_FAILED, st->pass, o->next_offset, err);
	return -1;
}

static int run_pass(struct pass_state *st, struct wp_job *job, char *err, size_t errlen)
{
	const struct wp_io_target *t = st->target;
	struct wp_region all = { st->from, t->size - st->from };
	struct wp_pipeline p = {
		.regions = &all, .nregions = 1,
		.chunk_bytes = st->ctl->chunk_bytes ? st->ctl->chunk_bytes : WP_DEFAULT_CHUNK,
		.depth = queue_depth(st->ctl),
		.align = io_alignment(t),
		.work = produce_pattern, .consume = consume_write, .ctx = st,
		.stop = st->ctl->stop,
	};
	struct wp_pipeline_outcome o;
	wp_pipeline_run(&p, &o, err, errlen);
	return pass_outcome(st, &o, job, err, errlen);
}

static int check_target(const struct wp_io_target *t, size_t chunk, char *err,
			size_t errlen)
{
	if (t->block_size == 0 || (t->block_size & (t->block_size - 1)) != 0) {
		snprintf(err, errlen, "%s: logical block size %u is not a power of two",
			 t->path, t->block_size);
		return -1;
	}
	if (t->size == 0 || t->size % t->block_size != 0) {
		snprintf(err, errlen, "%s: size %llu is not a whole number of %u-byte blocks",
			 t->path, (unsigned long long)t->size, t->block_size);
		return -1;
	}
	if (chunk == 0 || chunk % t->block_size != 0 || chunk % 4096 != 0) {
		snprintf(err, errlen, "chunk size %zu must be a multiple of 4096 and of the block size",
			 chunk);
		return -1;
	}
	return 0;
}

/* A resume point must be one the engine itself could have checkpointed. */
static int check_resume(const struct wp_io_target *t, const struct wp_method *method,
			const struct wp_run_ctl *ctl, char *err, size_t errlen)
{
	if (ctl->start_pass == 0)
		return 0;
	if (ctl->start_pass > method->npasses || ctl->start_offset >= t->size ||
	    ctl->start_offset % t->block_size != 0 || ctl->start_offset % 4096 != 0) {
		snprintf(err, errlen, "cannot resume %s at pass %zu byte %llu: method %s has %zu "
			 "passes over %llu bytes in %u-byte blocks", t->path, ctl->start_pass,
			 (unsigned long long)ctl->start_offset, method->name, method->npasses,
			 (unsigned long long)t->size, t->block_size);
		return -1;
	}
	return 0;
}

/* A fresh pass draws its key; the pass being resumed keeps the one the
 * caller restored, so the keystream continues where it stopped. */
static int pass_spec(const struct wp_method *method, const struct wp_run_ctl *ctl, size_t i,
		     struct wp_pass_record *rec, char *err, size_t errlen)
{
	struct wp_pass_spec kept = rec->spec;
	memset(rec, 0, sizeof(*rec));
	if (ctl->start_pass != i + 1)
		return wp_pass_spec_new(&rec->spec, method->passes[i], err, errlen);
	rec->spec = kept;
	rec->bytes_written = ctl->start_offset;
	return 0;
}

int wp_overwrite_run(const struct wp_io_target *target,
		     const struct wp_method *method, struct wp_job *job,
		     const struct wp_run_ctl *ctl, char *err, size_t errlen)
{
	size_t chunk = ctl->chunk_bytes ? ctl->chunk_bytes : WP_DEFAULT_CHUNK;
	if (method->firmware != WP_FW_NONE || method->npasses == 0) {
		/* a firmware method has no passes to write: wp_fw_run() runs it */
		snprintf(err, errlen, "method %s is a firmware command, not an overwrite",
			 method->name);
		return -1;
	}
	if (check_target(target, chunk, err, errlen) < 0 ||
	    check_resume(target, method, ctl, err, errlen) < 0)
		return -1;

	snprintf(job->method, sizeof(job->method), "%s", method->name);
	job->npasses = method->npasses;
	int rc = 0;
	size_t first = ctl->start_pass ? ctl->start_pass - 1 : 0;
	for (size_t i = first; i < method->npasses && rc == 0; i++) {
		struct wp_pass_record *rec = &job->passes[i];
		struct pass_state st = {
			.target = target, .ctl = ctl, .pass = i + 1,
			.npasses = method->npasses, .rec = rec, .job = job,
			.from = i == first && ctl->start_pass ? ctl->start_offset : 0,
		};
		st.next = st.from;
		wp_bb_log_for_job(&st.bad, job);
		if (pass_spec(method, ctl, i, rec, err, errlen) < 0 ||
		    init_gens(&st, &rec->spec, err, errlen) < 0) {
			mark_stop(job, WP_RESULT_FAILED, i + 1, st.from, err);
			rc = -1;
			break;
		}
		wp_progress_start(&st.clock);
		maybe_checkpoint(&st, true);
		rc = run_pass(&st, job, err, errlen);
		free_gens(&st);
		rec->seconds = wp_now() - st.clock.started;
		rec->complete = rc == 0;
		/* complete only after the whole pass reached the device and was synced */
		assert(!rec->complete || (st.synced && rec->bytes_written == target->size));
	}
	if (rc == 0 && job->bad.n_ranges > 0)
		rc = bad_blocks_verdict(job, err, errlen);
	return rc;
}
