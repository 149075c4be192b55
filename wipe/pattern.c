/*
 * Pass content: constant bytes, or an AES-256-CTR keystream addressed by
 * device offset. The CTR counter block is the 128-bit big-endian number
 * offset / 16, so the byte at device offset X is keystream byte X no matter
 * where a buffer starts; verification can regenerate any range on its own.
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

size_t wp_first_nonzero(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t at = 0;
	while (at < len) {
		size_t piece = len - at < sizeof(zero_block) ? len - at : sizeof(zero_block);
		if (memcmp(p + at, zero_block, piece) != 0)
			break;
		at += piece;
	}
	while (at < len && p[at] == 0)
		at++;
	return at;
}

/* The pass content into buf, or XORed onto it. */
static int apply(struct wp_patgen *gen, uint64_t offset, uint8_t *buf, size_t len,
		 bool xor_in_place, char *err, size_t errlen)
{
	switch (gen->spec.pattern) {
	case WP_PATTERN_ZERO:
		if (!xor_in_place)
			memset(buf, 0x00, len);
		return 0;
	case WP_PATTERN_ONES:
		if (xor_in_place)
			invert(buf, len);
		else
			memset(buf, 0xff, len);
		return 0;
	case WP_PATTERN_RANDOM:
		if (gen->cipher && ctr_apply(gen->cipher, offset, buf, len, xor_in_place) == 0)
			return 0;
		snprintf(err, errlen, "AES-256-CTR keystream generation failed at offset %llu",
			 (unsigned long long)offset);
		return -1;
	}
	snprintf(err, errlen, "unknown pattern %d", (int)gen->spec.pattern);
	return -1;
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
