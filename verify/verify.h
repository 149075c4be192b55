/*
 * verify/ — read-back verification of a wiped device.
 *
 * The device must hold exactly the content of the job's final pass. `full`
 * reads every block; `sample` reads a seeded, reproducible set of regions
 * covering at least WP_SAMPLE_MIN_PERCENT of the device, always including
 * the first and the last MiB, one region in every stratum so the sample is
 * spread over the whole device. Given the seed (recorded in the report) the
 * same regions are read again months later.
 */
#ifndef WP_VERIFY_H
#define WP_VERIFY_H

#include "wipe.h"

#include <stddef.h>
#include <stdint.h>

#define WP_SAMPLE_MIN_PERCENT 10
#define WP_SAMPLE_REGION (1u << 20) /* bytes per sampled region */

/*
 * Regions to read for a sample of a device of SIZE bytes (a multiple of
 * BLOCK_SIZE), sorted, non-overlapping, block-aligned. A device too small to
 * sample meaningfully gets one region covering all of it. *regions is
 * malloc'ed; free() it.
 */
int wp_sample_plan(uint64_t size, unsigned block_size, uint64_t seed,
		   struct wp_region **regions, size_t *count,
		   char *err, size_t errlen);

/* A fresh random seed for a new sample. */
uint64_t wp_sample_new_seed(void);

enum wp_verify_outcome {
	WP_VERIFY_MATCH = 0,     /* everything read holds the expected content */
	WP_VERIFY_MISMATCH = 1,  /* some block differs; rec says where */
	WP_VERIFY_ERROR = -1,    /* could not read, or stopped: see rec/err */
};

/*
 * Read back the regions MODE selects (rec->seed chooses the sample) and
 * compare with EXPECTED. Fills rec: mode, bytes_checked, coverage_percent,
 * mismatched_blocks, first bad offsets, seconds, complete. Progress is
 * reported with phase "verify". A stop request ends it with
 * WP_VERIFY_ERROR and rec->complete false. Blocks still unreadable after
 * the retries (wipe/badblocks.h) are logged in rec->unreadable* and give
 * WP_VERIFY_ERROR with rec->complete true; a removed device sets
 * rec->device_removed.
 */
enum wp_verify_outcome wp_verify_run(const struct wp_io_target *target,
				     const struct wp_pass_spec *expected,
				     enum wp_verify_mode mode,
				     struct wp_verify_record *rec,
				     const struct wp_run_ctl *ctl,
				     char *err, size_t errlen);

/* ---- fingerprints around a firmware erase (fingerprint.c) ---------------- */

/* At most this many sample regions are fingerprinted (256 MiB): enough to
 * catch a drive that erased nothing or only part, cheap on any size. */
#define WP_FP_MAX_REGIONS 256

struct wp_fingerprint {
	uint64_t seed;
	unsigned block_size;
	size_t nregions;
	struct wp_region *regions;
	uint64_t nblocks;
	uint64_t *hashes;         /* one per logical block, region order */
	uint8_t *was_zero;        /* 1 when the block held only zeros */
};

/*
 * Read a seeded sample (wp_sample_plan, thinned to WP_FP_MAX_REGIONS spread
 * over the device, first and last region kept) and hash every logical block.
 */
int wp_fingerprint_take(const struct wp_io_target *target, uint64_t seed,
			struct wp_fingerprint *fp, char *err, size_t errlen);

/*
 * Read the same blocks again and compare. Every block must have changed;
 * with EXPECT_ZEROS a block that was all zeros before and still is counts as
 * already erased instead. Fills rec (passed only if nothing is unchanged).
 * Returns 0 when the comparison ran (look at rec->passed), -1 on a read error.
 */
int wp_fingerprint_check(const struct wp_io_target *target, const struct wp_fingerprint *fp,
			 bool expect_zeros, struct wp_fingerprint_record *rec,
			 char *err, size_t errlen);

void wp_fingerprint_free(struct wp_fingerprint *fp);

#endif
