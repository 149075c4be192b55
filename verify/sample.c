/*
 * Sample selection. The device is cut into K strata of (nearly) equal,
 * block-aligned length and one region of WP_SAMPLE_REGION bytes is read from
 * each; K is chosen so K regions are at least WP_SAMPLE_MIN_PERCENT of the
 * device. The first stratum's region starts at 0 and the last stratum's ends
 * at the device end, so the first and last MiB are always read; the others
 * sit at a seeded pseudo-random, block-aligned place inside their stratum.
 * splitmix64 keeps the selection identical on every machine for a seed.
 */
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

/* Below this size a sample would read most of the device anyway. */
#define SMALL_DEVICE (16u * WP_SAMPLE_REGION)

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t wp_sample_new_seed(void)
{
	uint64_t seed = 0;
	if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		seed = (uint64_t)time(NULL) ^ 0x5eed5eed5eed5eedull;
	return seed;
}

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* Block-aligned start of stratum I of K. Computed proportionally (not as
 * I times a rounded length) so rounding never piles up in the last stratum. */
static uint64_t stratum_start(uint64_t size, unsigned block_size, uint64_t k,
			      uint64_t i)
{
	uint64_t blocks = size / block_size;
	return (uint64_t)((unsigned __int128)blocks * i / k) * block_size;
}

int wp_sample_plan(uint64_t size, unsigned block_size, uint64_t seed,
		   struct wp_region **regions, size_t *count, char *err,
		   size_t errlen)
{
	*regions = NULL;
	*count = 0;
	if (block_size == 0 || size == 0 || size % block_size != 0 ||
	    WP_SAMPLE_REGION % block_size != 0) {
		snprintf(err, errlen, "cannot sample a device of %llu bytes with %u-byte blocks",
			 (unsigned long long)size, block_size);
		return -1;
	}
	if (size <= SMALL_DEVICE) {
		*regions = malloc(sizeof(**regions));
		if (!*regions)
			goto oom;
		(*regions)[0] = (struct wp_region){ 0, size };
		*count = 1;
		return 0;
	}

	uint64_t want = ceil_div(size * WP_SAMPLE_MIN_PERCENT, 100);
	uint64_t k = ceil_div(want, WP_SAMPLE_REGION);
	if (k < 2)
		k = 2;
	struct wp_region *r = calloc(k, sizeof(*r));
	if (!r)
		goto oom;

	uint64_t state = seed;
	for (uint64_t i = 0; i < k; i++) {
		uint64_t start = stratum_start(size, block_size, k, i);
		uint64_t end = stratum_start(size, block_size, k, i + 1);
		/* every stratum is about ten regions long: k regions are ~10 % */
		uint64_t slack_blocks = (end - start - WP_SAMPLE_REGION) / block_size;
		uint64_t pick = splitmix64(&state) % (slack_blocks + 1);
		if (i == 0)
			pick = 0;
		else if (i + 1 == k)
			pick = slack_blocks;
		r[i].offset = start + pick * block_size;
		r[i].length = WP_SAMPLE_REGION;
	}
	*regions = r;
	*count = (size_t)k;
	return 0;
oom:
	snprintf(err, errlen, "out of memory planning a sample");
	return -1;
}
