/*
 * Fingerprints around a firmware erase. A device's "success" proves
 * nothing (EMULATED-HARDWARE.md: drives and bridges report success for
 * erases that changed nothing), so the sampled blocks are hashed before the
 * command and compared after it: every block must have changed.
 *
 * The sample is the verification sample of wp_sample_plan, thinned to at
 * most WP_FP_MAX_REGIONS regions spread evenly over it (the first and last
 * regions always kept), so the check costs at most 2 x 256 MiB of reads on
 * any device while still reaching every part of it. One 64-bit hash per
 * logical block is kept; the hash only needs to tell "changed" from "the
 * same", not to resist an adversary.
 */
#include "verify.h"
#include "badblocks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t block_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	for (size_t i = 0; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, sizeof(w));
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h;
}

/* Keep K regions of N, evenly spread, the first and the last included. */
static size_t thin_regions(struct wp_region *r, size_t n, size_t k)
{
	if (n <= k)
		return n;
	for (size_t i = 0; i < k; i++)
		r[i] = r[(size_t)((unsigned __int128)i * (n - 1) / (k - 1))];
	return k;
}

static int read_region(const struct wp_io_target *t, uint8_t *buf, const struct wp_region *r,
		       char *err, size_t errlen)
{
	if (wp_io_read_fully(t, buf, r->length, r->offset) == 0)
		return 0;
	snprintf(err, errlen, "read error on %s in the %llu bytes at byte %llu: %s", t->path,
		 (unsigned long long)r->length, (unsigned long long)r->offset, strerror(errno));
	return -1;
}

/* Call FN for every block of every region: (block index, data). */
typedef void (*block_fn)(uint64_t index, uint64_t offset, const uint8_t *data, void *ctx);

static int each_block(const struct wp_io_target *t, const struct wp_fingerprint *fp,
		      block_fn fn, void *ctx, char *err, size_t errlen)
{
	size_t align = t->block_size > 4096 ? t->block_size : 4096;
	size_t longest = 0; /* a small device is one region of up to 16 MiB */
	for (size_t i = 0; i < fp->nregions; i++)
		if (fp->regions[i].length > longest)
			longest = (size_t)fp->regions[i].length;
	uint8_t *buf = NULL;
	if (posix_memalign((void **)&buf, align, longest ? longest : align) != 0) {
		snprintf(err, errlen, "out of memory reading a fingerprint");
		return -1;
	}
	uint64_t index = 0;
	int rc = 0;
	for (size_t i = 0; i < fp->nregions && rc == 0; i++) {
		const struct wp_region *r = &fp->regions[i];
		rc = read_region(t, buf, r, err, errlen);
		for (uint64_t at = 0; rc == 0 && at < r->length; at += fp->block_size)
			fn(index++, r->offset + at, buf + at, ctx);
	}
	free(buf);
	return rc;
}

static void take_block(uint64_t index, uint64_t offset, const uint8_t *data, void *ctx)
{
	struct wp_fingerprint *fp = ctx;
	(void)offset;
	fp->hashes[index] = block_hash(data, fp->block_size);
	fp->was_zero[index] = wp_first_nonzero(data, fp->block_size) == fp->block_size;
}

int wp_fingerprint_take(const struct wp_io_target *t, uint64_t seed,
			struct wp_fingerprint *fp, char *err, size_t errlen)
{
	memset(fp, 0, sizeof(*fp));
	fp->seed = seed;
	fp->block_size = t->block_size;
	if (wp_sample_plan(t->size, t->block_size, seed, &fp->regions, &fp->nregions, err,
			   errlen) < 0)
		return -1;
	fp->nregions = thin_regions(fp->regions, fp->nregions, WP_FP_MAX_REGIONS);
	for (size_t i = 0; i < fp->nregions; i++)
		fp->nblocks += fp->regions[i].length / t->block_size;
	fp->hashes = calloc(fp->nblocks, sizeof(*fp->hashes));
	fp->was_zero = calloc(fp->nblocks, 1);
	if (!fp->hashes || !fp->was_zero) {
		snprintf(err, errlen, "out of memory for a fingerprint of %llu blocks",
			 (unsigned long long)fp->nblocks);
		wp_fingerprint_free(fp);
		return -1;
	}
	if (each_block(t, fp, take_block, fp, err, errlen) < 0) {
		wp_fingerprint_free(fp);
		return -1;
	}
	return 0;
}

struct compare {
	const struct wp_fingerprint *fp;
	bool expect_zeros;
	struct wp_fingerprint_record *rec;
};

static void compare_block(uint64_t index, uint64_t offset, const uint8_t *data, void *ctx)
{
	struct compare *c = ctx;
	struct wp_fingerprint_record *rec = c->rec;
	unsigned bs = c->fp->block_size;
	if (block_hash(data, bs) != c->fp->hashes[index]) {
		rec->changed++;
		return;
	}
	if (c->expect_zeros && c->fp->was_zero[index] &&
	    wp_first_nonzero(data, bs) == bs) {
		rec->already_expected++;
		return;
	}
	rec->unchanged++;
	if (rec->n_bad < WP_MAX_BAD_OFFSETS)
		rec->bad_offsets[rec->n_bad++] = offset;
}

int wp_fingerprint_check(const struct wp_io_target *t, const struct wp_fingerprint *fp,
			 bool expect_zeros, struct wp_fingerprint_record *rec,
			 char *err, size_t errlen)
{
	memset(rec, 0, sizeof(*rec));
	rec->seed = fp->seed;
	rec->blocks = fp->nblocks;
	struct compare c = { .fp = fp, .expect_zeros = expect_zeros, .rec = rec };
	if (each_block(t, fp, compare_block, &c, err, errlen) < 0)
		return -1;
	rec->done = true;
	rec->passed = rec->blocks > 0 && rec->unchanged == 0;
	return 0;
}

void wp_fingerprint_free(struct wp_fingerprint *fp)
{
	free(fp->regions);
	free(fp->hashes);
	free(fp->was_zero);
	fp->regions = NULL;
	fp->hashes = NULL;
	fp->was_zero = NULL;
}
