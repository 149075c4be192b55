/*
 * Read-back verification. The device is read with O_DIRECT (so the page
 * cache cannot answer for the medium) in large aligned chunks and compared
 * with the regenerated content of the final pass. A mismatch is located at
 * logical-block granularity; the first few differing byte offsets are kept
 * so a person can look at them.
 */
#include "verify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct verify_state {
	const struct wp_io_target *target;
	const struct wp_run_ctl *ctl;
	struct wp_verify_record *rec;
	struct wp_patgen gen;
	uint8_t *got;
	uint8_t *want;
	size_t chunk;
	uint64_t total;     /* bytes planned */
	struct wp_progress_clock clock;
};

static void report(struct verify_state *st, bool final)
{
	wp_progress_emit(st->ctl, &st->clock, "verify", 1, 1, st->rec->bytes_checked,
			 st->total, final);
}

static void note_mismatches(struct verify_state *st, uint64_t offset, size_t len)
{
	unsigned bs = st->target->block_size;
	struct wp_verify_record *rec = st->rec;
	for (size_t b = 0; b < len; b += bs) {
		if (memcmp(st->got + b, st->want + b, bs) == 0)
			continue;
		rec->mismatched_blocks++;
		if (rec->n_bad >= WP_MAX_BAD_OFFSETS)
			continue;
		size_t i = 0;
		while (st->got[b + i] == st->want[b + i])
			i++;
		rec->bad_offsets[rec->n_bad++] = offset + b + i;
	}
}

static int read_fully(int fd, uint8_t *buf, size_t len, uint64_t offset)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(fd, buf + done, len - done, (off_t)(offset + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO; /* the device ended before its size */
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static int check_region(struct verify_state *st, const struct wp_region *r,
			char *err, size_t errlen)
{
	uint64_t offset = r->offset, end = r->offset + r->length;
	while (offset < end) {
		if (st->ctl->stop && *st->ctl->stop) {
			snprintf(err, errlen, "verification stopped by signal at byte %llu",
				 (unsigned long long)offset);
			return -1;
		}
		size_t len = end - offset < st->chunk ? (size_t)(end - offset) : st->chunk;
		if (read_fully(st->target->fd, st->got, len, offset) < 0) {
			snprintf(err, errlen, "read error on %s near byte %llu: %s",
				 st->target->path, (unsigned long long)offset, strerror(errno));
			return -1;
		}
		if (wp_patgen_fill(&st->gen, offset, st->want, len, err, errlen) < 0)
			return -1;
		if (memcmp(st->got, st->want, len) != 0)
			note_mismatches(st, offset, len);
		offset += len;
		st->rec->bytes_checked += len;
		report(st, false);
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

static int alloc_buffers(struct verify_state *st, char *err, size_t errlen)
{
	size_t align = st->target->block_size > 4096 ? st->target->block_size : 4096;
	if (posix_memalign((void **)&st->got, align, st->chunk) != 0 ||
	    posix_memalign((void **)&st->want, align, st->chunk) != 0) {
		snprintf(err, errlen, "cannot allocate verification buffers");
		return -1;
	}
	return 0;
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

	struct verify_state st = {
		.target = target, .ctl = ctl, .rec = rec,
		.chunk = ctl->chunk_bytes ? ctl->chunk_bytes : WP_DEFAULT_CHUNK,
	};
	wp_progress_start(&st.clock);
	struct wp_region *regions = NULL;
	size_t n = 0;
	enum wp_verify_outcome out = WP_VERIFY_ERROR;
	if (target->block_size == 0 || st.chunk % target->block_size != 0) {
		snprintf(err, errlen, "%s: bad block size %u", target->path, target->block_size);
		return WP_VERIFY_ERROR;
	}
	if (plan_regions(target, mode, seed, &regions, &n, err, errlen) < 0)
		return WP_VERIFY_ERROR;
	if (alloc_buffers(&st, err, errlen) < 0 ||
	    wp_patgen_init(&st.gen, expected, err, errlen) < 0)
		goto out_free;

	for (size_t i = 0; i < n; i++)
		st.total += regions[i].length;
	size_t i = 0;
	for (; i < n; i++)
		if (check_region(&st, &regions[i], err, errlen) < 0)
			break;
	rec->complete = i == n;
	rec->seconds = wp_now() - st.clock.started;
	rec->coverage_percent = 100.0 * (double)rec->bytes_checked / (double)target->size;
	report(&st, true);
	if (rec->mismatched_blocks > 0) {
		snprintf(err, errlen, "%llu block(s) of %s do not hold the expected %s pattern; first at byte %llu",
			 (unsigned long long)rec->mismatched_blocks, target->path,
			 wp_pattern_name(expected->pattern), (unsigned long long)rec->bad_offsets[0]);
		out = WP_VERIFY_MISMATCH;
	} else if (rec->complete) {
		out = WP_VERIFY_MATCH;
	}
	wp_patgen_free(&st.gen);
out_free:
	free(st.got);
	free(st.want);
	free(regions);
	return out;
}
