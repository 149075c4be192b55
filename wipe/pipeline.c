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
 * Ring slots go FREE → (producer) BUSY → (pool) READY → (consumer) FREE,
 * without a `work` stage FREE → (producer) READY → (consumer) FREE. The
 * counters `produced` and `consumed` only grow; slot = chunk index % depth.
 *
 * The shared pool: one FIFO of chunks from every ring of the process and
 * one worker thread per online core, started on first use. Each ring puts
 * at most `depth` chunks in, and only as its consumer frees buffers, so N
 * drives share the cores by how fast each one's device takes the data: a
 * drive whose writes stall has its buffers full of ready chunks and nothing
 * queued (bench/RESULTS.md measures it).
 */
#include "wipe.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

enum slot_state { SLOT_FREE, SLOT_BUSY, SLOT_READY, SLOT_FAILED };

struct ring;

/* A chunk waiting for, or in, the pool; one per slot. */
struct work_item {
	struct ring *ring;
	size_t slot;
	struct work_item *next;
};

struct slot_extra {
	enum slot_state state;
	struct work_item item;
	char err[512];            /* why work failed */
};

struct ring {
	const struct wp_pipeline *spec;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct wp_chunk *slots;
	struct slot_extra *extra;
	uint64_t produced;        /* chunks handed on by the first stage */
	uint64_t consumed;        /* chunks the consumer finished */
	size_t in_pool;           /* work items queued or running */
	bool threaded;            /* a producer thread runs the first stage */
	struct chunk_cursor cursor; /* the first stage's place in the plan */
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

/* ---- the shared pool ----------------------------------------------------- */

#define POOL_MAX_THREADS 256

static struct {
	pthread_mutex_t lock;
	pthread_cond_t queued;
	struct work_item *head, *tail;
	size_t threads;
	bool started;
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, false };

static void register_after_fork(void);

/* Work is skipped once the ring's consumer has quit: nobody wants it. */
static void run_item(struct work_item *it)
{
	struct ring *r = it->ring;
	struct slot_extra *x = &r->extra[it->slot];
	pthread_mutex_lock(&r->lock);
	bool quit = r->consumer_quit;
	pthread_mutex_unlock(&r->lock);
	int rc = quit ? 0 : r->spec->work(&r->slots[it->slot], r->spec->ctx, x->err,
					  sizeof(x->err));
	pthread_mutex_lock(&r->lock);
	x->state = rc < 0 ? SLOT_FAILED : SLOT_READY;
	r->in_pool--;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock); /* the ring may be gone after this */
}

static void *pool_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&pool.lock);
		while (!pool.head)
			pthread_cond_wait(&pool.queued, &pool.lock);
		struct work_item *it = pool.head;
		pool.head = it->next;
		if (!pool.head)
			pool.tail = NULL;
		pthread_mutex_unlock(&pool.lock);
		run_item(it);
	}
	return NULL;
}

static size_t online_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > POOL_MAX_THREADS ? POOL_MAX_THREADS : (size_t)n;
}

/* Start the workers once (called with pool.lock held); 0 if none would start. */
static size_t pool_start_locked(void)
{
	if (pool.started)
		return pool.threads;
	pool.started = true;
	register_after_fork();
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (size_t i = online_cores(); i > 0; i--) {
		pthread_t t;
		if (pthread_create(&t, &attr, pool_main, NULL) == 0)
			pool.threads++;
	}
	pthread_attr_destroy(&attr);
	return pool.threads;
}

size_t wp_pool_threads(void)
{
	pthread_mutex_lock(&pool.lock);
	size_t n = pool_start_locked();
	pthread_mutex_unlock(&pool.lock);
	return n;
}

/* Queue a slot's chunk (its ring already counts it in in_pool); without
 * any worker the caller runs it at once. */
static void pool_submit(struct ring *r, size_t slot)
{
	struct work_item *it = &r->extra[slot].item;
	it->ring = r;
	it->slot = slot;
	it->next = NULL;
	pthread_mutex_lock(&pool.lock);
	if (pool_start_locked() == 0) {
		pthread_mutex_unlock(&pool.lock);
		run_item(it);
		return;
	}
	if (pool.tail)
		pool.tail->next = it;
	else
		pool.head = it;
	pool.tail = it;
	pthread_cond_signal(&pool.queued);
	pthread_mutex_unlock(&pool.lock);
}

/* A produced chunk is ready for the consumer, or goes to the pool first. */
static void hand_on(struct ring *r, size_t slot)
{
	bool to_pool = r->spec->work != NULL;
	pthread_mutex_lock(&r->lock);
	r->extra[slot].state = to_pool ? SLOT_BUSY : SLOT_READY;
	r->in_pool += to_pool;
	r->produced++;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	if (to_pool)
		pool_submit(r, slot);
}

/* The slot for chunk K of the plan, filled in. */
static struct wp_chunk *claim_slot(struct ring *r, uint64_t k, uint64_t offset, size_t len)
{
	size_t depth = r->spec->depth;
	struct wp_chunk *c = &r->slots[k % depth];
	c->index = k;
	c->offset = offset;
	c->len = len;
	c->first_use = k < depth;
	c->slot = (size_t)(k % depth);
	return c;
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
	char err[512] = "";
	uint64_t offset;
	size_t len;
	bool failed = false, exhausted = false;

	/* The plan's end is checked before the stop flag: a stop that comes
	 * after the last chunk must not turn a finished plan into a stopped one. */
	for (;;) {
		if (!cursor_next(&r->cursor, &offset, &len)) {
			exhausted = true;
			break;
		}
		if (stop_requested(p) || !wait_for_free_slot(r))
			break;
		/* The slot is ours alone until `produced` moves past it. */
		struct wp_chunk *c = claim_slot(r, r->cursor.index - 1, offset, len);
		if (p->produce && p->produce(c, p->ctx, err, sizeof(err)) < 0) {
			failed = true;
			break;
		}
		hand_on(r, c->slot);
	}
	producer_finish(r, failed, exhausted, err);
	return NULL;
}

/* Without a producer thread the consumer's own thread runs the first
 * stage: every free buffer gets the next chunk of the plan and goes to the
 * pool, so the pool works up to `depth` chunks ahead of the device. */
static void submit_ahead(struct ring *r)
{
	const struct wp_pipeline *p = r->spec;
	uint64_t offset;
	size_t len;
	while (!r->producer_done && r->produced - r->consumed < p->depth) {
		if (!cursor_next(&r->cursor, &offset, &len)) {
			producer_finish(r, false, true, "");
			break;
		}
		if (stop_requested(p)) {
			producer_finish(r, false, false, "");
			break;
		}
		hand_on(r, claim_slot(r, r->cursor.index - 1, offset, len)->slot);
	}
}

/* The next chunk in plan order once the pool is done with it (READY or
 * FAILED), or NULL when there is none and will be none. */
static struct wp_chunk *wait_for_ready_chunk(struct ring *r)
{
	struct wp_chunk *c = NULL;
	size_t depth = r->spec->depth;
	pthread_mutex_lock(&r->lock);
	for (;;) {
		if (r->consumed < r->produced) {
			if (r->extra[r->consumed % depth].state != SLOT_BUSY)
				break;
		} else if (r->producer_done) {
			break;
		}
		pthread_cond_wait(&r->changed, &r->lock);
	}
	if (r->consumed < r->produced)
		c = &r->slots[r->consumed % depth];
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

/* The buffers may only go once no pool thread holds one of them. */
static void wait_pool_idle(struct ring *r)
{
	pthread_mutex_lock(&r->lock);
	while (r->in_pool > 0)
		pthread_cond_wait(&r->changed, &r->lock);
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

/* ---- buffers -------------------------------------------------------------- */

#define HUGE_PAGE (2u << 20)
/* Kept for the next pipeline at most: one drive's whole budget per core. */
#define CACHE_MAX_BYTES ((size_t)WP_MAX_RING_BYTES * 4)

/* Buffers a finished pipeline leaves for the next one (the next pass, the
 * verification after the wipe): a fresh buffer's first touch costs a page
 * fault and a page clear per page, which in a VM that hands freed memory
 * back to its host was 7 % of a whole random + verify (bench/RESULTS.md). */
struct cached_buf {
	struct cached_buf *next;
	size_t size;
	void *buf;
};

static struct {
	pthread_mutex_t lock;
	struct cached_buf *head;
	size_t bytes;
} buf_cache = { PTHREAD_MUTEX_INITIALIZER, NULL, 0 };

/* A forked child has none of the workers (it starts its own if it needs
 * them), and a lock another thread held at the fork stays held forever. */
static void after_fork_child(void)
{
	pthread_mutex_init(&pool.lock, NULL);
	pthread_cond_init(&pool.queued, NULL);
	pool.head = pool.tail = NULL;
	pool.threads = 0;
	pool.started = false;
	pthread_mutex_init(&buf_cache.lock, NULL);
}

static void atfork_once(void)
{
	(void)pthread_atfork(NULL, NULL, after_fork_child);
}

static void register_after_fork(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, atfork_once);
}

/* Buffers of 2 MiB and more are aligned to and advised as transparent huge
 * pages where the kernel allows them: pinning a 4 MiB O_DIRECT request is
 * then two page-table entries instead of 1024 (bench/RESULTS.md: the sys
 * time of a write pass). Elsewhere the advice is ignored. */
static void *buf_get(size_t size, size_t align)
{
	register_after_fork();
	pthread_mutex_lock(&buf_cache.lock);
	for (struct cached_buf **pp = &buf_cache.head; *pp; pp = &(*pp)->next) {
		struct cached_buf *c = *pp;
		if (c->size != size || (uintptr_t)c->buf % align != 0)
			continue;
		*pp = c->next;
		buf_cache.bytes -= size;
		pthread_mutex_unlock(&buf_cache.lock);
		void *buf = c->buf;
		free(c);
		return buf;
	}
	pthread_mutex_unlock(&buf_cache.lock);
	size_t a = size >= HUGE_PAGE && align < HUGE_PAGE ? HUGE_PAGE : align;
	void *buf;
	if (posix_memalign(&buf, a, size) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	if (a >= HUGE_PAGE)
		(void)madvise(buf, size - size % HUGE_PAGE, MADV_HUGEPAGE);
#endif
	return buf;
}

static void buf_put(void *buf, size_t size)
{
	if (!buf)
		return;
	struct cached_buf *c = malloc(sizeof(*c));
	pthread_mutex_lock(&buf_cache.lock);
	if (c && buf_cache.bytes + size <= CACHE_MAX_BYTES) {
		*c = (struct cached_buf){ buf_cache.head, size, buf };
		buf_cache.head = c;
		buf_cache.bytes += size;
		buf = NULL;
		c = NULL;
	}
	pthread_mutex_unlock(&buf_cache.lock);
	free(c);
	free(buf);
}

static int alloc_slots(struct ring *r, char *err, size_t errlen)
{
	const struct wp_pipeline *p = r->spec;
	r->slots = calloc(p->depth, sizeof(*r->slots));
	r->extra = calloc(p->depth, sizeof(*r->extra));
	if (!r->slots || !r->extra)
		goto fail;
	for (size_t i = 0; i < p->depth; i++)
		if (!(r->slots[i].buf = buf_get(p->chunk_bytes, p->align)))
			goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot allocate %zu I/O buffers of %zu bytes", p->depth,
		 p->chunk_bytes);
	return -1;
}

static void free_slots(struct ring *r)
{
	free(r->extra);
	if (!r->slots)
		return;
	for (size_t i = 0; i < r->spec->depth; i++)
		buf_put(r->slots[i].buf, r->spec->chunk_bytes);
	free(r->slots);
}

/* Consume in order until the plan ends, a stage fails, or a stop. */
static enum wp_pipeline_end consume_all(struct ring *r, char *err, size_t errlen)
{
	const struct wp_pipeline *p = r->spec;
	for (;;) {
		if (!r->threaded)
			submit_ahead(r);
		struct wp_chunk *c = wait_for_ready_chunk(r);
		if (!c)
			break;
		if (stop_requested(p))
			return WP_PIPE_STOPPED;
		if (r->extra[c->slot].state == SLOT_FAILED) {
			snprintf(err, errlen, "%s", r->extra[c->slot].err);
			return WP_PIPE_PRODUCE_FAILED;
		}
		if (p->consume(c, p->ctx, err, errlen) < 0)
			return WP_PIPE_CONSUME_FAILED;
		pthread_mutex_lock(&r->lock);
		r->extra[c->slot].state = SLOT_FREE;
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
	struct ring r = {
		.spec = p, .threaded = p->produce != NULL || p->work == NULL,
		.cursor = { p->regions, p->nregions, p->chunk_bytes, 0, 0, 0 },
	};
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.changed, NULL);
	int rc = -1;
	pthread_t thread;
	if (alloc_slots(&r, err, errlen) < 0)
		goto out;
	if (r.threaded && pthread_create(&thread, NULL, producer_main, &r) != 0) {
		snprintf(err, errlen, "cannot start the pipeline thread");
		goto out;
	}
	out->end = consume_all(&r, err, errlen);
	consumer_quit(&r);
	if (r.threaded)
		pthread_join(thread, NULL);
	wait_pool_idle(&r);
	out->chunks_consumed = r.consumed;
	out->next_offset = offset_of_chunk(p, r.consumed);
	rc = out->end == WP_PIPE_DONE ? 0 : -1;
out:
	free_slots(&r);
	pthread_cond_destroy(&r.changed);
	pthread_mutex_destroy(&r.lock);
	return rc;
}
