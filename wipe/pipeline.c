/*
 * A two-stage pipeline over a ring of aligned buffers: a producer thread
 * fills chunk k+1.. while the calling thread consumes chunk k. Writing uses
 * it as "generate the pattern" → "pwrite"; verification as "pread" →
 * "compare". Either way the slow CPU work and the device I/O overlap, and
 * the device sees one request after another in offset order, like dd.
 *
 * Invariants (what the unit tests hold it to):
 * - chunks are numbered in region order; every chunk is produced at most
 *   once and consumed at most once, in that order, and never consumed
 *   before it was produced;
 * - a chunk is only consumed when every earlier chunk was consumed without
 *   error, so the consumed bytes are always a prefix of the plan;
 * - a failure in either stage, or the stop flag, ends both stages; the
 *   outcome names which stage and the offset of the first chunk that was
 *   not consumed.
 *
 * Ring slots go FREE → (producer) READY → (consumer) FREE. The counters
 * `produced` and `consumed` only grow; slot = chunk index % depth.
 */
#include "wipe.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chunk_cursor {
	const struct wp_region *regions;
	size_t nregions;
	size_t chunk;
	size_t region;      /* index into regions */
	uint64_t within;    /* bytes of the current region already handed out */
	uint64_t index;     /* next chunk number */
};

/* The next chunk of the plan; false when the plan is exhausted. */
static bool cursor_next(struct chunk_cursor *c, uint64_t *offset, size_t *len)
{
	while (c->region < c->nregions && c->within >= c->regions[c->region].length) {
		c->region++;
		c->within = 0;
	}
	if (c->region >= c->nregions)
		return false;
	const struct wp_region *r = &c->regions[c->region];
	uint64_t left = r->length - c->within;
	*offset = r->offset + c->within;
	*len = left < c->chunk ? (size_t)left : c->chunk;
	c->within += *len;
	c->index++;
	return true;
}

struct ring {
	const struct wp_pipeline *spec;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct wp_chunk *slots;
	uint64_t produced;        /* chunks handed to the consumer */
	uint64_t consumed;        /* chunks the consumer finished */
	bool producer_done;       /* no more chunks will come */
	bool exhausted;           /* ... because the plan has no more */
	bool producer_failed;
	bool consumer_quit;       /* the consumer stopped: the producer must too */
	char producer_err[512];
};

static bool stop_requested(const struct wp_pipeline *p)
{
	return p->stop && *p->stop;
}

/* Wait for a free slot; false when the consumer has quit. */
static bool wait_for_free_slot(struct ring *r)
{
	pthread_mutex_lock(&r->lock);
	while (!r->consumer_quit && r->produced - r->consumed >= r->spec->depth)
		pthread_cond_wait(&r->changed, &r->lock);
	bool ok = !r->consumer_quit;
	pthread_mutex_unlock(&r->lock);
	return ok;
}

static void producer_finish(struct ring *r, bool failed, bool exhausted,
			    const char *err)
{
	pthread_mutex_lock(&r->lock);
	r->producer_done = true;
	r->exhausted = exhausted;
	r->producer_failed = failed;
	if (failed)
		snprintf(r->producer_err, sizeof(r->producer_err), "%s", err);
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

static void *producer_main(void *arg)
{
	struct ring *r = arg;
	const struct wp_pipeline *p = r->spec;
	struct chunk_cursor cur = { p->regions, p->nregions, p->chunk_bytes, 0, 0, 0 };
	char err[512] = "";
	uint64_t offset;
	size_t len;
	bool failed = false, exhausted = false;

	/* The plan's end is checked before the stop flag: a stop that comes
	 * after the last chunk must not turn a finished plan into a stopped one. */
	for (;;) {
		if (!cursor_next(&cur, &offset, &len)) {
			exhausted = true;
			break;
		}
		if (stop_requested(p) || !wait_for_free_slot(r))
			break;
		/* The slot is ours alone until `produced` moves past it. */
		uint64_t k = cur.index - 1;
		struct wp_chunk *c = &r->slots[k % p->depth];
		c->index = k;
		c->offset = offset;
		c->len = len;
		c->first_use = k < p->depth;
		if (p->produce && p->produce(c, p->ctx, err, sizeof(err)) < 0) {
			failed = true;
			break;
		}
		pthread_mutex_lock(&r->lock);
		r->produced++;
		pthread_cond_broadcast(&r->changed);
		pthread_mutex_unlock(&r->lock);
	}
	producer_finish(r, failed, exhausted, err);
	return NULL;
}

/* The next produced chunk, or NULL when there is none and will be none. */
static struct wp_chunk *wait_for_ready_chunk(struct ring *r)
{
	struct wp_chunk *c = NULL;
	pthread_mutex_lock(&r->lock);
	while (r->consumed == r->produced && !r->producer_done)
		pthread_cond_wait(&r->changed, &r->lock);
	if (r->consumed < r->produced)
		c = &r->slots[r->consumed % r->spec->depth];
	pthread_mutex_unlock(&r->lock);
	return c;
}

static void consumer_quit(struct ring *r)
{
	pthread_mutex_lock(&r->lock);
	r->consumer_quit = true;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

/* The offset of chunk number INDEX, the first one not consumed; the end of
 * the plan when every chunk was. */
static uint64_t offset_of_chunk(const struct wp_pipeline *p, uint64_t index)
{
	struct chunk_cursor cur = { p->regions, p->nregions, p->chunk_bytes, 0, 0, 0 };
	uint64_t offset = 0, end = 0;
	size_t len = 0;
	while (cursor_next(&cur, &offset, &len)) {
		if (cur.index - 1 == index)
			return offset;
		end = offset + len;
	}
	return end;
}

static int check_spec(const struct wp_pipeline *p, char *err, size_t errlen)
{
	if (!p->consume || p->chunk_bytes == 0 || p->depth == 0 || p->align == 0 ||
	    (p->align & (p->align - 1)) != 0 || p->chunk_bytes % p->align != 0) {
		snprintf(err, errlen, "pipeline: chunk %zu, depth %zu, alignment %zu are not usable",
			 p->chunk_bytes, p->depth, p->align);
		return -1;
	}
	if (p->chunk_bytes > WP_MAX_RING_BYTES / p->depth) {
		snprintf(err, errlen, "buffers of %zu bytes x queue depth %zu exceed the %u MiB a "
			 "drive may use; lower --chunk or --queue-depth", p->chunk_bytes, p->depth,
			 WP_MAX_RING_BYTES >> 20);
		return -1;
	}
	return 0;
}

static int alloc_slots(struct ring *r, char *err, size_t errlen)
{
	const struct wp_pipeline *p = r->spec;
	r->slots = calloc(p->depth, sizeof(*r->slots));
	if (!r->slots)
		goto fail;
	for (size_t i = 0; i < p->depth; i++)
		if (posix_memalign((void **)&r->slots[i].buf, p->align, p->chunk_bytes) != 0)
			goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot allocate %zu I/O buffers of %zu bytes", p->depth,
		 p->chunk_bytes);
	return -1;
}

static void free_slots(struct ring *r)
{
	if (!r->slots)
		return;
	for (size_t i = 0; i < r->spec->depth; i++)
		free(r->slots[i].buf);
	free(r->slots);
}

/* Consume in order until the plan ends, a stage fails, or a stop. */
static enum wp_pipeline_end consume_all(struct ring *r, char *err, size_t errlen)
{
	const struct wp_pipeline *p = r->spec;
	for (;;) {
		struct wp_chunk *c = wait_for_ready_chunk(r);
		if (!c)
			break;
		if (stop_requested(p))
			return WP_PIPE_STOPPED;
		if (p->consume(c, p->ctx, err, errlen) < 0)
			return WP_PIPE_CONSUME_FAILED;
		pthread_mutex_lock(&r->lock);
		r->consumed++;
		pthread_cond_broadcast(&r->changed);
		pthread_mutex_unlock(&r->lock);
	}
	/* No chunk left: the plan is done, or the producer failed or stopped.
	 * The producer has finished, so its fields no longer change. */
	if (r->producer_failed) {
		snprintf(err, errlen, "%s", r->producer_err);
		return WP_PIPE_PRODUCE_FAILED;
	}
	return r->exhausted ? WP_PIPE_DONE : WP_PIPE_STOPPED;
}

int wp_pipeline_run(const struct wp_pipeline *p, struct wp_pipeline_outcome *out,
		    char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->end = WP_PIPE_SETUP_FAILED;
	if (check_spec(p, err, errlen) < 0)
		return -1;
	struct ring r = { .spec = p };
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.changed, NULL);
	int rc = -1;
	pthread_t thread;
	if (alloc_slots(&r, err, errlen) < 0)
		goto out;
	if (pthread_create(&thread, NULL, producer_main, &r) != 0) {
		snprintf(err, errlen, "cannot start the pipeline thread");
		goto out;
	}
	out->end = consume_all(&r, err, errlen);
	consumer_quit(&r);
	pthread_join(thread, NULL);
	out->chunks_consumed = r.consumed;
	out->next_offset = offset_of_chunk(p, r.consumed);
	rc = out->end == WP_PIPE_DONE ? 0 : -1;
out:
	free_slots(&r);
	pthread_cond_destroy(&r.changed);
	pthread_mutex_destroy(&r.lock);
	return rc;
}
