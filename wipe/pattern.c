/*
 * Pass content: constant bytes, or an AES-256-CTR keystream addressed by
 * device offset. The CTR counter block is the 128-bit big-endian number
 * offset / 16, so the byte at device offset X is keystream byte X no matter
 * where a buffer starts; verification can regenerate any range on its own.
 *
 * Cost (bench/RESULTS.md): generation is one EVP call per 64 KiB straight
 * into the caller's buffer, reading a 64 KiB block of zeros that stays in
 * the L2 cache; measured against larger calls (1-4 MiB, in place or from a
 * larger zero block) it was as fast or faster, because the input of a
 * larger call no longer fits the cache. Checking a read-back block XORs the
 * keystream into it in place and tests the result for zeros 256 bytes at a
 * time with vector ORs; only a 64 KiB piece that is not clean is searched
 * block by block for the first differing byte. Fixed patterns are compared
 * the same way against a short stripe of the pattern, never written out.
 */
#include "wipe.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static const char *const pattern_names[] = {
	[WP_PATTERN_ZERO] = "zero",
	[WP_PATTERN_ONES] = "ones",
	[WP_PATTERN_RANDOM] = "random",
};

const char *wp_pattern_name(enum wp_pattern pattern)
{
	if ((size_t)pattern >= sizeof(pattern_names) / sizeof(pattern_names[0]))
		return "unknown";
	return pattern_names[pattern];
}

int wp_pattern_parse(const char *name, enum wp_pattern *out)
{
	for (size_t i = 0; i < sizeof(pattern_names) / sizeof(pattern_names[0]); i++) {
		if (strcmp(name, pattern_names[i]) == 0) {
			*out = (enum wp_pattern)i;
			return 0;
		}
	}
	return -1;
}

static int fill_random_key(uint8_t *key, size_t len, char *err, size_t errlen)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = getrandom(key + got, len - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "getrandom failed: %s", strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int wp_pass_spec_new(struct wp_pass_spec *spec, enum wp_pattern pattern,
		     char *err, size_t errlen)
{
	memset(spec, 0, sizeof(*spec));
	spec->pattern = pattern;
	if (pattern != WP_PATTERN_RANDOM)
		return 0;
	return fill_random_key(spec->key, sizeof(spec->key), err, errlen);
}

int wp_patgen_init(struct wp_patgen *gen, const struct wp_pass_spec *spec,
		   char *err, size_t errlen)
{
	memset(gen, 0, sizeof(*gen));
	gen->spec = *spec;
	/* a keystream XORed into what was read back must leave zeros */
	gen->fixed[0] = spec->pattern == WP_PATTERN_ONES ? 0xff : 0x00;
	gen->fixed_len = 1;
	if (spec->pattern != WP_PATTERN_RANDOM)
		return 0;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx || !EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, spec->key, NULL)) {
		EVP_CIPHER_CTX_free(ctx);
		snprintf(err, errlen, "cannot set up AES-256-CTR in OpenSSL");
		return -1;
	}
	gen->cipher = ctx;
	return 0;
}

int wp_patgen_init_bytes(struct wp_patgen *gen, const uint8_t *bytes, size_t n,
			 char *err, size_t errlen)
{
	memset(gen, 0, sizeof(*gen));
	if (n == 0 || n > WP_FIXED_MAX) {
		snprintf(err, errlen, "a fixed pattern has 1 to %d bytes, not %zu", WP_FIXED_MAX, n);
		return -1;
	}
	gen->spec.pattern = WP_PATTERN_ZERO; /* not a keystream; fixed[] says which bytes */
	memcpy(gen->fixed, bytes, n);
	gen->fixed_len = n;
	return 0;
}

void wp_patgen_free(struct wp_patgen *gen)
{
	EVP_CIPHER_CTX_free(gen->cipher);
	OPENSSL_cleanse(gen->spec.key, sizeof(gen->spec.key));
	gen->cipher = NULL;
}

static void counter_block(uint64_t block_index, uint8_t iv[16])
{
	memset(iv, 0, 8);
	for (int i = 0; i < 8; i++)
		iv[15 - i] = (uint8_t)(block_index >> (8 * i));
}

/* The cipher reads its input from here when it generates a plain
 * keystream: one L2-sized block reused, instead of zeroing the whole
 * output buffer first (which would cost a second pass over memory). */
static const uint8_t zero_block[64 << 10];

/*
 * buf = keystream, or buf ^= keystream when XOR_IN_PLACE, for device bytes
 * [offset, offset+len). A start inside a 16-byte counter block takes the
 * tail of that block's keystream.
 */
static int ctr_apply(EVP_CIPHER_CTX *ctx, uint64_t offset, uint8_t *buf,
		     size_t len, bool xor_in_place)
{
	uint8_t iv[16], block[16];
	size_t skip = (size_t)(offset % 16);
	int outl = 0;
	counter_block(offset / 16, iv);
	if (!EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv))
		return -1;
	if (skip != 0) {
		size_t take = 16 - skip < len ? 16 - skip : len;
		if (!EVP_EncryptUpdate(ctx, block, &outl, zero_block, 16))
			return -1;
		for (size_t i = 0; i < take; i++)
			buf[i] = (uint8_t)((xor_in_place ? buf[i] : 0) ^ block[skip + i]);
		buf += take;
		len -= take;
	}
	while (len > 0) {
		size_t piece = len < sizeof(zero_block) ? len : sizeof(zero_block);
		const uint8_t *in = xor_in_place ? buf : zero_block;
		if (!EVP_EncryptUpdate(ctx, buf, &outl, in, (int)piece))
			return -1;
		buf += piece;
		len -= piece;
	}
	return 0;
}

static void invert(uint8_t *buf, size_t len)
{
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, buf + i, 8);
		w = ~w;
		memcpy(buf + i, &w, 8);
	}
	for (; i < len; i++)
		buf[i] = (uint8_t)~buf[i];
}

/* ---- comparing without materialising ---------------------------------- */

#define GROUP 256            /* bytes tested per branch: 16 vector XOR/ORs */
#define STRIPE_MAX (2 * 16 * GROUP) /* twice lcm(n, GROUP) for n <= WP_FIXED_MAX */
#define CHECK_PIECE (64u << 10)

/* What a range must equal, as it lies from some device offset on:
 * b[j] = pattern byte at that offset + j, for j < 2 * len, len a multiple
 * of GROUP and of the pattern's length, so GROUP bytes can be read from any
 * index below len without wrapping. */
struct stripe {
	uint8_t b[STRIPE_MAX];
	size_t len;
};

/* Plain GCC/Clang vectors: SSE2 on any x86-64, NEON on arm64, no intrinsics. */
typedef uint64_t vec __attribute__((vector_size(16)));

static inline vec vload(const uint8_t *p)
{
	vec v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static const struct stripe zero_stripe = { .len = GROUP };

static size_t gcd(size_t a, size_t b)
{
	while (b != 0) {
		size_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static void stripe_at(const struct wp_patgen *gen, uint64_t offset, struct stripe *s)
{
	size_t n = gen->fixed_len ? gen->fixed_len : 1;
	s->len = GROUP / gcd(n, GROUP) * n;
	for (size_t j = 0; j < 2 * s->len; j++)
		s->b[j] = gen->fixed_len ? gen->fixed[(offset + j) % n] : 0;
}

/* An aligned view for the I/O buffers (4 KiB aligned): the OR can then
 * take its operand straight from memory, one instruction per 16 bytes. */
typedef uint64_t avec __attribute__((vector_size(16), may_alias));

/* Index of the first non-zero byte: the common case (every keystream check,
 * the zero pattern) needs no stripe, only one OR per vector. */
static size_t first_nonzero(const uint8_t *p, size_t len)
{
	size_t i = 0;
	if ((uintptr_t)p % sizeof(avec) == 0) {
		for (; i + 2 * GROUP <= len; i += 2 * GROUP) {
			const avec *v = (const avec *)(p + i);
			avec a0 = v[0], a1 = v[1], a2 = v[2], a3 = v[3];
#pragma GCC unroll 8
			for (size_t j = 4; j < 2 * GROUP / sizeof(avec); j += 4) {
				a0 |= v[j];
				a1 |= v[j + 1];
				a2 |= v[j + 2];
				a3 |= v[j + 3];
			}
			avec a = a0 | a1 | a2 | a3;
			if ((a[0] | a[1]) != 0)
				break;
		}
	}
	for (; i + GROUP <= len; i += GROUP) {
		vec a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
		for (size_t j = 0; j < GROUP; j += 64) {
			a0 |= vload(p + i + j);
			a1 |= vload(p + i + j + 16);
			a2 |= vload(p + i + j + 32);
			a3 |= vload(p + i + j + 48);
		}
		vec a = a0 | a1 | a2 | a3;
		if ((a[0] | a[1]) != 0)
			break;
	}
	while (i < len && p[i] == 0)
		i++;
	return i;
}

/* Index of the first byte of p[0, len) that differs from the stripe, which
 * lines up with p at stripe index k (< s->len), or len when none does. */
static size_t first_diff(const uint8_t *p, size_t len, const struct stripe *s, size_t k)
{
	if (s == &zero_stripe)
		return first_nonzero(p, len);
	size_t i = 0;
	for (; i + GROUP <= len; i += GROUP) {
		const uint8_t *q = s->b + k;
		vec a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
		for (size_t j = 0; j < GROUP; j += 64) {
			a0 |= vload(p + i + j) ^ vload(q + j);
			a1 |= vload(p + i + j + 16) ^ vload(q + j + 16);
			a2 |= vload(p + i + j + 32) ^ vload(q + j + 32);
			a3 |= vload(p + i + j + 48) ^ vload(q + j + 48);
		}
		vec a = a0 | a1 | a2 | a3;
		if ((a[0] | a[1]) != 0)
			break;
		k += GROUP;
		if (k >= s->len)
			k -= s->len;
	}
	for (; i < len; i++) {
		if (p[i] != s->b[k])
			return i;
		if (++k == s->len)
			k = 0;
	}
	return len;
}

size_t wp_first_nonzero(const void *buf, size_t len)
{
	return first_diff(buf, len, &zero_stripe, 0);
}

/* A piece that differs somewhere: which blocks, and where in each. */
static void locate(const uint8_t *p, size_t len, uint64_t offset, const struct stripe *s,
		   size_t k, unsigned bs, struct wp_mismatch *m)
{
	for (size_t b = 0; b < len; b += bs) {
		size_t n = len - b < bs ? len - b : bs;
		size_t i = first_diff(p + b, n, s, (k + b) % s->len);
		if (i == n)
			continue;
		m->blocks++;
		if (m->n < WP_MAX_BAD_OFFSETS)
			m->offsets[m->n++] = offset + b + i;
	}
}

int wp_patgen_compare(struct wp_patgen *gen, uint64_t offset, void *buf, size_t len,
		      unsigned block_size, struct wp_mismatch *m, char *err, size_t errlen)
{
	if (block_size == 0) {
		snprintf(err, errlen, "cannot compare in blocks of 0 bytes");
		return -1;
	}
	struct stripe fixed;
	const struct stripe *s = &zero_stripe;
	if (!gen->cipher && !(gen->fixed_len == 1 && gen->fixed[0] == 0)) {
		stripe_at(gen, offset, &fixed);
		s = &fixed;
	}
	/* whole blocks per piece, so a block is never split between two */
	size_t piece = CHECK_PIECE >= block_size ? CHECK_PIECE - CHECK_PIECE % block_size
						 : block_size;
	uint8_t *p = buf;
	for (size_t at = 0; at < len; at += piece) {
		size_t n = len - at < piece ? len - at : piece;
		if (gen->cipher && ctr_apply(gen->cipher, offset + at, p + at, n, true) < 0) {
			snprintf(err, errlen, "AES-256-CTR keystream generation failed at offset %llu",
				 (unsigned long long)(offset + at));
			return -1;
		}
		size_t k = at % s->len;
		if (first_diff(p + at, n, s, k) != n)
			locate(p + at, n, offset + at, s, k, block_size, m);
	}
	return 0;
}

/* A fixed pattern of more than one byte: the stripe, copied over. */
static void fill_fixed(const struct wp_patgen *gen, uint64_t offset, uint8_t *buf, size_t len)
{
	if (gen->fixed_len <= 1) {
		memset(buf, gen->fixed[0], len);
		return;
	}
	struct stripe s;
	stripe_at(gen, offset, &s);
	for (size_t at = 0; at < len; at += s.len)
		memcpy(buf + at, s.b, len - at < s.len ? len - at : s.len);
}

/* The pass content into buf, or XORed onto it. */
static int apply(struct wp_patgen *gen, uint64_t offset, uint8_t *buf, size_t len,
		 bool xor_in_place, char *err, size_t errlen)
{
	if (gen->cipher) {
		if (ctr_apply(gen->cipher, offset, buf, len, xor_in_place) == 0)
			return 0;
		snprintf(err, errlen, "AES-256-CTR keystream generation failed at offset %llu",
			 (unsigned long long)offset);
		return -1;
	}
	if (gen->spec.pattern == WP_PATTERN_RANDOM) {
		snprintf(err, errlen, "AES-256-CTR keystream generation failed at offset %llu",
			 (unsigned long long)offset);
		return -1;
	}
	if (!xor_in_place) {
		fill_fixed(gen, offset, buf, len);
		return 0;
	}
	if (gen->fixed_len == 1 && gen->fixed[0] == 0xff) {
		invert(buf, len);
		return 0;
	}
	for (size_t i = 0; i < len && gen->fixed_len > 0; i++)
		buf[i] ^= gen->fixed[(offset + i) % gen->fixed_len];
	return 0;
}

int wp_patgen_fill(struct wp_patgen *gen, uint64_t offset, void *buf,
		   size_t len, char *err, size_t errlen)
{
	return apply(gen, offset, buf, len, false, err, errlen);
}

int wp_patgen_xor(struct wp_patgen *gen, uint64_t offset, void *buf,
		  size_t len, char *err, size_t errlen)
{
	return apply(gen, offset, buf, len, true, err, errlen);
}
