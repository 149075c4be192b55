/* Pass content: keystream addressing, constants, and the method table. */
#include "wipe.h"

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

static char err[256];

static struct wp_patgen new_gen(enum wp_pattern p, uint8_t key_byte)
{
	struct wp_pass_spec spec = { .pattern = p };
	memset(spec.key, key_byte, sizeof(spec.key));
	struct wp_patgen gen;
	ck_assert_int_eq(wp_patgen_init(&gen, &spec, err, sizeof(err)), 0);
	return gen;
}

/* Pins the on-disk format: AES-256 of the zero block under the zero key.
 * Reports written by older versions must keep verifying. */
START_TEST(keystream_known_answer)
{
	static const uint8_t expect[16] = { 0xdc, 0x95, 0xc0, 0x78, 0xa2, 0x40, 0x89, 0x89,
					    0xad, 0x48, 0xa2, 0x14, 0x92, 0x84, 0x20, 0x87 };
	struct wp_patgen gen = new_gen(WP_PATTERN_RANDOM, 0);
	uint8_t buf[16];
	ck_assert_int_eq(wp_patgen_fill(&gen, 0, buf, sizeof(buf), err, sizeof(err)), 0);
	ck_assert_mem_eq(buf, expect, sizeof(expect));
	wp_patgen_free(&gen);
}
END_TEST

START_TEST(keystream_deterministic)
{
	enum { LEN = 1 << 20 };
	uint8_t *a = malloc(LEN), *b = malloc(LEN);
	struct wp_patgen g1 = new_gen(WP_PATTERN_RANDOM, 7), g2 = new_gen(WP_PATTERN_RANDOM, 7);
	ck_assert_int_eq(wp_patgen_fill(&g1, 4096, a, LEN, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_patgen_fill(&g2, 4096, b, LEN, err, sizeof(err)), 0);
	ck_assert_mem_eq(a, b, LEN);
	ck_assert_int_eq(wp_patgen_fill(&g1, 4096, b, LEN, err, sizeof(err)), 0);
	ck_assert_mem_eq(a, b, LEN);
	wp_patgen_free(&g1);
	wp_patgen_free(&g2);
	free(a);
	free(b);
}
END_TEST

/* Any range, however split and wherever it starts, equals the same slice of
 * one long fill: verification regenerates ranges the writer never chunked. */
START_TEST(keystream_any_offset)
{
	enum { LEN = 65536 };
	static const struct { uint64_t off; size_t len; } cases[] = {
		{ 0, 1 }, { 1, 15 }, { 15, 2 }, { 16, 16 }, { 17, 100 }, { 4095, 3 },
		{ 12345, 9999 }, { 65535, 1 }, { 31, 33000 }, { 40000, 25536 },
	};
	uint8_t *whole = malloc(LEN), part[LEN];
	struct wp_patgen gen = new_gen(WP_PATTERN_RANDOM, 0x42);
	ck_assert_int_eq(wp_patgen_fill(&gen, 0, whole, LEN, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(part, 0, sizeof(part));
		ck_assert_int_eq(wp_patgen_fill(&gen, cases[i].off, part, cases[i].len, err,
						sizeof(err)), 0);
		ck_assert_msg(memcmp(part, whole + cases[i].off, cases[i].len) == 0,
			      "range %llu+%zu differs", (unsigned long long)cases[i].off, cases[i].len);
	}
	/* far offsets: the counter is 128-bit, no wrap at 2^32 blocks */
	uint8_t hi[64], lo[64];
	uint64_t far = (1ull << 40) + 7;
	ck_assert_int_eq(wp_patgen_fill(&gen, far, hi, sizeof(hi), err, sizeof(err)), 0);
	ck_assert_int_eq(wp_patgen_fill(&gen, far + 32, lo, 32, err, sizeof(err)), 0);
	ck_assert_mem_eq(hi + 32, lo, 32);
	ck_assert_int_ne(memcmp(hi, whole + 7, sizeof(hi)), 0);
	wp_patgen_free(&gen);
	free(whole);
}
END_TEST

START_TEST(keystream_differs_per_key)
{
	uint8_t a[4096], b[4096];
	struct wp_patgen g1 = new_gen(WP_PATTERN_RANDOM, 1), g2 = new_gen(WP_PATTERN_RANDOM, 2);
	wp_patgen_fill(&g1, 0, a, sizeof(a), err, sizeof(err));
	wp_patgen_fill(&g2, 0, b, sizeof(b), err, sizeof(err));
	ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);
	wp_patgen_free(&g1);
	wp_patgen_free(&g2);
}
END_TEST

START_TEST(fresh_keys_are_random)
{
	struct wp_pass_spec s1, s2, z;
	ck_assert_int_eq(wp_pass_spec_new(&s1, WP_PATTERN_RANDOM, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_pass_spec_new(&s2, WP_PATTERN_RANDOM, err, sizeof(err)), 0);
	ck_assert_int_ne(memcmp(s1.key, s2.key, WP_KEY_BYTES), 0);
	ck_assert_int_eq(wp_pass_spec_new(&z, WP_PATTERN_ZERO, err, sizeof(err)), 0);
	static const uint8_t zeros[WP_KEY_BYTES];
	ck_assert_mem_eq(z.key, zeros, WP_KEY_BYTES);
}
END_TEST

START_TEST(constant_patterns)
{
	uint8_t buf[513];
	struct wp_patgen g = new_gen(WP_PATTERN_ONES, 0);
	memset(buf, 0, sizeof(buf));
	wp_patgen_fill(&g, 3, buf, sizeof(buf), err, sizeof(err));
	for (size_t i = 0; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0xff);
	g = new_gen(WP_PATTERN_ZERO, 0);
	wp_patgen_fill(&g, 3, buf, sizeof(buf), err, sizeof(err));
	for (size_t i = 0; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0);
}
END_TEST

/* XOR with the pattern at any offset undoes exactly the pattern: data that
 * holds it becomes zeros, one flipped byte stays visible where it was. */
START_TEST(xor_cancels_the_pattern)
{
	enum { LEN = 200000 };
	static const enum wp_pattern kinds[] = { WP_PATTERN_ZERO, WP_PATTERN_ONES,
						 WP_PATTERN_RANDOM };
	static const struct { uint64_t off; size_t len; } cases[] = {
		{ 0, LEN }, { 5, 11 }, { 17, 70000 }, { 65536, 65536 }, { 131071, 68929 },
	};
	uint8_t *buf = malloc(LEN);
	for (size_t k = 0; k < 3; k++) {
		struct wp_patgen gen = new_gen(kinds[k], 0x77);
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			uint64_t off = cases[i].off;
			size_t len = cases[i].len;
			ck_assert_int_eq(wp_patgen_fill(&gen, off, buf, len, err, sizeof(err)), 0);
			buf[len / 2] ^= 0x10;
			ck_assert_int_eq(wp_patgen_xor(&gen, off, buf, len, err, sizeof(err)), 0);
			ck_assert_uint_eq(wp_first_nonzero(buf, len), len / 2);
			ck_assert_uint_eq(buf[len / 2], 0x10);
			buf[len / 2] = 0;
			ck_assert_uint_eq(wp_first_nonzero(buf, len), len);
		}
		wp_patgen_free(&gen);
	}
	free(buf);
}
END_TEST

START_TEST(first_nonzero_finds_the_first)
{
	enum { LEN = 300000 };
	uint8_t *buf = calloc(1, LEN);
	ck_assert_uint_eq(wp_first_nonzero(buf, LEN), LEN);
	ck_assert_uint_eq(wp_first_nonzero(buf, 0), 0);
	static const size_t at[] = { LEN - 1, 262144, 65536, 65535, 7, 0 };
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		buf[at[i]] = 1;
		ck_assert_uint_eq(wp_first_nonzero(buf, LEN), at[i]);
	}
	free(buf);
}
END_TEST

/* The places a single flipped bit is easiest to lose: the first and last
 * byte, both sides of every 64 KiB check piece and of 256-byte test groups,
 * a block's last byte, and seeded random spots. */
static size_t flip_positions(size_t len, size_t *at, size_t max)
{
	size_t n = 0;
	static const size_t fixed[] = { 0, 1, 255, 256, 511, 512, 65535, 65536, 65537,
					131071, 131072, 196607 };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && n < max; i++)
		if (fixed[i] < len)
			at[n++] = fixed[i];
	at[n++] = len - 1;
	uint64_t x = 0x243f6a8885a308d3ull;
	while (n < max) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		at[n++] = (size_t)((x >> 17) % len);
	}
	return n;
}

static void assert_flip_found(struct wp_patgen *gen, uint8_t *buf, size_t len,
			      uint64_t offset, size_t at, unsigned bit, unsigned bs)
{
	ck_assert_int_eq(wp_patgen_fill(gen, offset, buf, len, err, sizeof(err)), 0);
	buf[at] ^= (uint8_t)(1u << bit);
	struct wp_mismatch m = { 0 };
	ck_assert_int_eq(wp_patgen_compare(gen, offset, buf, len, bs, &m, err, sizeof(err)), 0);
	ck_assert_msg(m.blocks == 1 && m.n == 1 && m.offsets[0] == offset + at,
		      "flip at %zu bit %u: %llu blocks, first at %llu", at, bit,
		      (unsigned long long)m.blocks, (unsigned long long)m.offsets[0]);
}

/* Fused checking: a single flipped bit anywhere is found, in exactly one
 * block, at its exact device offset, for a keystream, zeros, ones and
 * multi-byte patterns whose period does (0x55 0xAA) and does not (0x92 0x49
 * 0x24, 5 bytes) divide a block; a clean range reports nothing. */
START_TEST(single_flipped_bit_exact_offset)
{
	enum { LEN = 3 * 65536 + 4096 + 512, NPOS = 40 };
	static const uint8_t two[] = { 0x55, 0xaa }, three[] = { 0x92, 0x49, 0x24 },
			     five[] = { 1, 2, 3, 4, 5 };
	const struct { const uint8_t *bytes; size_t n; } fixed[] = {
		{ two, 2 }, { three, 3 }, { five, 5 },
	};
	static const enum wp_pattern kinds[] = { WP_PATTERN_RANDOM, WP_PATTERN_ZERO,
						 WP_PATTERN_ONES };
	static const uint64_t offsets[] = { 0, 1 << 20, (5ull << 30) + 1536 };
	uint8_t *buf = malloc(LEN);
	size_t at[NPOS];
	size_t npos = flip_positions(LEN, at, NPOS);
	for (int kind = 0; kind < 6; kind++) {
		struct wp_patgen gen;
		if (kind < 3)
			gen = new_gen(kinds[kind], 0x5a);
		else
			ck_assert_int_eq(wp_patgen_init_bytes(&gen, fixed[kind - 3].bytes,
							      fixed[kind - 3].n, err, sizeof(err)), 0);
		for (size_t o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++) {
			struct wp_mismatch m = { 0 };
			ck_assert_int_eq(wp_patgen_fill(&gen, offsets[o], buf, LEN, err, sizeof(err)), 0);
			ck_assert_int_eq(wp_patgen_compare(&gen, offsets[o], buf, LEN, 512, &m, err,
							   sizeof(err)), 0);
			ck_assert_uint_eq(m.blocks, 0);
			for (size_t i = 0; i < npos; i++)
				assert_flip_found(&gen, buf, LEN, offsets[o], at[i], (unsigned)(i % 8),
						  i % 2 ? 512 : 4096);
		}
		wp_patgen_free(&gen);
	}
	free(buf);
}
END_TEST

/* Several differing blocks: every one counted, the first offsets in device
 * order, the first differing byte of a block named, not a later one. */
START_TEST(compare_counts_blocks_in_order)
{
	enum { LEN = 1 << 20 };
	uint8_t *buf = malloc(LEN);
	struct wp_patgen gen = new_gen(WP_PATTERN_RANDOM, 3);
	ck_assert_int_eq(wp_patgen_fill(&gen, 4096, buf, LEN, err, sizeof(err)), 0);
	static const size_t flips[] = { 400, 1000, 70000, 70001, 200000, 300000, 400000,
					500000, 600000, 700000, 800000, LEN - 1 };
	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++)
		buf[flips[i]] ^= 0x04;
	struct wp_mismatch m = { 0 };
	ck_assert_int_eq(wp_patgen_compare(&gen, 4096, buf, LEN, 512, &m, err, sizeof(err)), 0);
	/* 400 and 1000 are two blocks, 70000 and 70001 one */
	ck_assert_uint_eq(m.blocks, 11);
	ck_assert_uint_eq(m.n, WP_MAX_BAD_OFFSETS);
	static const size_t want[] = { 400, 1000, 70000, 200000, 300000, 400000, 500000,
				       600000 };
	for (size_t i = 0; i < WP_MAX_BAD_OFFSETS; i++)
		ck_assert_uint_eq(m.offsets[i], 4096 + want[i]);
	wp_patgen_free(&gen);
	ck_assert_int_eq(wp_patgen_init_bytes(&gen, buf, 0, err, sizeof(err)), -1);
	ck_assert_int_eq(wp_patgen_init_bytes(&gen, buf, WP_FIXED_MAX + 1, err, sizeof(err)), -1);
	free(buf);
}
END_TEST

START_TEST(method_table)
{
	ck_assert_ptr_nonnull(wp_method_find("zero"));
	ck_assert_ptr_nonnull(wp_method_find("ones"));
	ck_assert_ptr_nonnull(wp_method_find("random"));
	ck_assert_ptr_null(wp_method_find("format")); /* R1: never a method */
	ck_assert_ptr_null(wp_method_find("Random"));
	const struct wp_method *d = wp_method_find("dod3");
	ck_assert_uint_eq(d->npasses, 3);
	ck_assert_int_eq(d->passes[0], WP_PATTERN_ZERO);
	ck_assert_int_eq(d->passes[1], WP_PATTERN_ONES);
	ck_assert_int_eq(d->passes[2], WP_PATTERN_RANDOM);
	const struct wp_method *rz = wp_method_find("random-zero");
	ck_assert_uint_eq(rz->npasses, 2);
	ck_assert_int_eq(rz->passes[1], WP_PATTERN_ZERO);
	char names[128];
	wp_method_names(names, sizeof(names));
	ck_assert_str_eq(names, "zero, ones, random, random-zero, dod3");
	enum wp_pattern p;
	ck_assert_int_eq(wp_pattern_parse("random", &p), 0);
	ck_assert_int_eq(p, WP_PATTERN_RANDOM);
	ck_assert_int_eq(wp_pattern_parse("bogus", &p), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pattern");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, keystream_known_answer);
	tcase_add_test(tc, keystream_deterministic);
	tcase_add_test(tc, keystream_any_offset);
	tcase_add_test(tc, keystream_differs_per_key);
	tcase_add_test(tc, fresh_keys_are_random);
	tcase_add_test(tc, constant_patterns);
	tcase_add_test(tc, xor_cancels_the_pattern);
	tcase_add_test(tc, single_flipped_bit_exact_offset);
	tcase_add_test(tc, compare_counts_blocks_in_order);
	tcase_add_test(tc, first_nonzero_finds_the_first);
	tcase_add_test(tc, method_table);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
