/*
 * The overwrite engine: one pass after another, large aligned O_DIRECT
 * writes, fdatasync at the end of every pass.
 *
 * Invariants: every byte in [0, size) of a completed pass was written with
 * the pass content exactly once; a pass is marked complete only after its
 * fdatasync succeeded; the stop flag is honoured between chunks so a signal
 * never leaves the report claiming more than reached the device.
 */
#include "wipe.h"

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

struct pass_state {
	const struct wp_io_target *target;
	const struct wp_run_ctl *ctl;
	size_t pass;       /* 1-based */
	size_t npasses;
	struct wp_progress_clock clock;
};

static void report_progress(struct pass_state *st, uint64_t done, bool final)
{
	wp_progress_emit(st->ctl, &st->clock, "write", st->pass, st->npasses, done,
			 st->target->size, final);
}

/* Write len bytes at offset, resuming after short writes. Returns 0, or -1
 * with errno set and *reached at the first byte not known to be written. */
static int write_fully(int fd, const uint8_t *buf, size_t len, uint64_t offset,
		       uint64_t *reached)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pwrite(fd, buf + done, len - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			*reached = offset + done;
			return -1;
		}
		done += (size_t)n;
	}
	*reached = offset + len;
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

static bool stop_requested(const struct wp_run_ctl *ctl)
{
	return ctl->stop && *ctl->stop;
}

static int run_pass(struct pass_state *st, struct wp_patgen *gen, uint8_t *buf,
		    size_t chunk, struct wp_job *job, struct wp_pass_record *rec,
		    char *err, size_t errlen)
{
	const struct wp_io_target *t = st->target;
	uint64_t offset = 0;
	char why[384];

	while (offset < t->size) {
		if (stop_requested(st->ctl)) {
			snprintf(why, sizeof(why), "stopped by signal during pass %zu at byte %llu",
				 st->pass, (unsigned long long)offset);
			mark_stop(job, WP_RESULT_INTERRUPTED, st->pass, offset, why);
			snprintf(err, errlen, "%s", why);
			return -1;
		}
		size_t len = t->size - offset < chunk ? (size_t)(t->size - offset) : chunk;
		if (wp_patgen_fill(gen, offset, buf, len, err, errlen) < 0) {
			mark_stop(job, WP_RESULT_FAILED, st->pass, offset, err);
			return -1;
		}
		uint64_t reached = offset;
		if (write_fully(t->fd, buf, len, offset, &reached) < 0) {
			snprintf(why, sizeof(why), "write error on %s at byte %llu (pass %zu): %s",
				 t->path, (unsigned long long)reached, st->pass, strerror(errno));
			rec->bytes_written = reached;
			mark_stop(job, WP_RESULT_FAILED, st->pass, reached, why);
			snprintf(err, errlen, "%s", why);
			return -1;
		}
		offset = reached;
		rec->bytes_written = offset;
		report_progress(st, offset, false);
	}
	if (fdatasync(t->fd) < 0) {
		snprintf(why, sizeof(why), "flushing %s after pass %zu failed: %s",
			 t->path, st->pass, strerror(errno));
		mark_stop(job, WP_RESULT_FAILED, st->pass, t->size, why);
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	report_progress(st, offset, true);
	return 0;
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

int wp_overwrite_run(const struct wp_io_target *target,
		     const struct wp_method *method, struct wp_job *job,
		     const struct wp_run_ctl *ctl, char *err, size_t errlen)
{
	size_t chunk = ctl->chunk_bytes ? ctl->chunk_bytes : WP_DEFAULT_CHUNK;
	if (check_target(target, chunk, err, errlen) < 0)
		return -1;

	uint8_t *buf = NULL;
	size_t align = target->block_size > 4096 ? target->block_size : 4096;
	if (posix_memalign((void **)&buf, align, chunk) != 0) {
		snprintf(err, errlen, "cannot allocate a %zu-byte I/O buffer", chunk);
		return -1;
	}

	snprintf(job->method, sizeof(job->method), "%s", method->name);
	job->npasses = method->npasses;
	int rc = 0;
	for (size_t i = 0; i < method->npasses && rc == 0; i++) {
		struct wp_pass_record *rec = &job->passes[i];
		memset(rec, 0, sizeof(*rec));
		if (wp_pass_spec_new(&rec->spec, method->passes[i], err, errlen) < 0) {
			mark_stop(job, WP_RESULT_FAILED, i + 1, 0, err);
			rc = -1;
			break;
		}
		struct wp_patgen gen;
		if (wp_patgen_init(&gen, &rec->spec, err, errlen) < 0) {
			mark_stop(job, WP_RESULT_FAILED, i + 1, 0, err);
			rc = -1;
			break;
		}
		struct pass_state st = {
			.target = target, .ctl = ctl, .pass = i + 1,
			.npasses = method->npasses,
		};
		wp_progress_start(&st.clock);
		rc = run_pass(&st, &gen, buf, chunk, job, rec, err, errlen);
		wp_patgen_free(&gen);
		rec->seconds = wp_now() - st.clock.started;
		rec->complete = rc == 0;
	}
	free(buf);
	return rc;
}
