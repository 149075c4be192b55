/* Sample selection: reproducible, spread, aligned, at least 10 %. */
#include "verify.h"

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

static char err[256];

static const struct { uint64_t size; unsigned bs; } devices[] = {
	{ (16ull << 20) + 4096, 4096 }, { 17ull << 20, 512 }, { (64ull << 20) + 4096, 512 },
	{ 100ull << 20, 4096 }, { (1ull << 30) + 512, 512 }, { 500107862016ull, 512 },
	{ 4ull << 40, 4096 },
};

static void check_plan(uint64_t size, unsigned bs, uint64_t seed)
{
	struct wp_region *r;
	size_t n;
	ck_assert_int_eq(wp_sample_plan(size, bs, seed, &r, &n, err, sizeof(err)), 0);
	ck_assert_uint_ge(n, 2);
	uint64_t covered = 0, max_gap = 0, stratum = size / n;
	ck_assert_uint_eq(r[0].offset, 0);                        /* first MiB */
	ck_assert_uint_eq(r[n - 1].offset + r[n - 1].length, size); /* last MiB */
	/* Check's assertions are slow per call: count violations, assert once. */
	size_t misaligned = 0, wrong_length = 0, outside = 0, overlapping = 0;
	for (size_t i = 0; i < n; i++) {
		misaligned += r[i].offset % bs != 0;
		wrong_length += r[i].length != WP_SAMPLE_REGION;
		outside += r[i].offset + r[i].length > size;
		if (i > 0) {
			uint64_t prev_end = r[i - 1].offset + r[i - 1].length;
			overlapping += r[i].offset < prev_end;
			uint64_t gap = r[i].offset > prev_end ? r[i].offset - prev_end : 0;
			if (gap > max_gap)
				max_gap = gap;
		}
		covered += r[i].length;
	}
	ck_assert_uint_eq(misaligned, 0);
	ck_assert_uint_eq(wrong_length, 0);
	ck_assert_uint_eq(outside, 0);
	ck_assert_uint_eq(overlapping, 0);
	/* >= 10 %, and not wastefully more than ~11 % on large devices */
	ck_assert_msg(covered * 100 >= size * WP_SAMPLE_MIN_PERCENT, "size %llu covered %llu",
		      (unsigned long long)size, (unsigned long long)covered);
	if (size > (1ull << 30))
		ck_assert_uint_le(covered * 100, size * (WP_SAMPLE_MIN_PERCENT + 1));
	/* spread: no hole larger than two strata */
	ck_assert_uint_le(max_gap, 2 * stratum);
	free(r);
}

START_TEST(coverage_and_spread)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		for (uint64_t seed = 0; seed < 4; seed++)
			check_plan(devices[i].size, devices[i].bs, seed * 0x9e3779b97f4a7c15ull);
}
END_TEST

START_TEST(reproducible_per_seed)
{
	struct wp_region *a, *b, *c;
	size_t na, nb, nc;
	uint64_t size = 1ull << 30;
	wp_sample_plan(size, 512, 1234, &a, &na, err, sizeof(err));
	wp_sample_plan(size, 512, 1234, &b, &nb, err, sizeof(err));
	wp_sample_plan(size, 512, 1235, &c, &nc, err, sizeof(err));
	ck_assert_uint_eq(na, nb);
	ck_assert_mem_eq(a, b, na * sizeof(*a));
	ck_assert_uint_eq(na, nc);
	ck_assert_int_ne(memcmp(a, c, na * sizeof(*a)), 0);
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(small_device_is_read_whole)
{
	struct wp_region *r;
	size_t n;
	ck_assert_int_eq(wp_sample_plan(8ull << 20, 512, 1, &r, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(r[0].offset, 0);
	ck_assert_uint_eq(r[0].length, 8ull << 20);
	free(r);
}
END_TEST

START_TEST(bad_geometry_refused)
{
	struct wp_region *r;
	size_t n;
	ck_assert_int_eq(wp_sample_plan(0, 512, 1, &r, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(wp_sample_plan(1000, 512, 1, &r, &n, err, sizeof(err)), -1);
	ck_assert_int_eq(wp_sample_plan(1 << 20, 0, 1, &r, &n, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot sample"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sample");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, coverage_and_spread);
	tcase_add_test(tc, reproducible_per_seed);
	tcase_add_test(tc, small_device_is_read_whole);
	tcase_add_test(tc, bad_geometry_refused);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
