/*
 * One spelling per ECDSA signature. For every valid (r, s) the pair
 * (r, n − s) verifies too, so anyone can turn a signature into a second,
 * different one without the key: a ledger column, a .p7s or a QR code would
 * then have two accepted forms (certs/README.md promises exactly one).
 * wipeproof writes the low form (s ≤ n/2, as Bitcoin's BIP 62 and
 * libsecp256k1 do) in strict DER and every verifier refuses anything else.
 */
#include "certs_internal.h"

#include <openssl/ec.h>
#include <openssl/objects.h>
#include <stdlib.h>
#include <string.h>

/* The order n of the key's curve (NULL when the key is not EC). */
static BIGNUM *curve_order(EVP_PKEY *key)
{
	char name[80];
	size_t n = 0;
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    EVP_PKEY_get_group_name(key, name, sizeof(name), &n) != 1)
		return NULL;
	EC_GROUP *g = EC_GROUP_new_by_curve_name(OBJ_txt2nid(name));
	BIGNUM *order = g ? BN_dup(EC_GROUP_get0_order(g)) : NULL;
	EC_GROUP_free(g);
	return order;
}

/* DER-decoded, with nothing after it and re-encoding to the same bytes. */
static ECDSA_SIG *strict_parse(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = len ? d2i_ECDSA_SIG(NULL, &p, (long)len) : NULL;
	unsigned char *again = NULL;
	int n = sig && p == der + len ? i2d_ECDSA_SIG(sig, &again) : -1;
	bool same = n > 0 && (size_t)n == len && memcmp(again, der, len) == 0;
	OPENSSL_free(again);
	if (!same) {
		ECDSA_SIG_free(sig);
		return NULL;
	}
	return sig;
}

BIGNUM *wp_ecdsa_half_order(EVP_PKEY *key)
{
	BIGNUM *half = curve_order(key);
	if (half && !BN_rshift1(half, half)) {
		BN_free(half);
		half = NULL;
	}
	return half;
}

/* 1 when s > n/2, 0 when low, -1 when it cannot be told. */
static int is_high(EVP_PKEY *key, const ECDSA_SIG *sig)
{
	BIGNUM *half = wp_ecdsa_half_order(key);
	const BIGNUM *s = NULL;
	ECDSA_SIG_get0(sig, NULL, &s);
	int high = half && s ? BN_cmp(s, half) > 0 : -1;
	BN_free(half);
	return high;
}

bool wp_ecdsa_is_low_s(EVP_PKEY *key, const unsigned char *der, size_t len)
{
	BIGNUM *half = wp_ecdsa_half_order(key);
	bool ok = wp_ecdsa_is_low_s_under(half, der, len);
	BN_free(half);
	return ok;
}

int wp_ecdsa_low_s(EVP_PKEY *key, unsigned char *der, size_t *len, size_t cap)
{
	ECDSA_SIG *sig = strict_parse(der, *len);
	int high = sig ? is_high(key, sig) : -1;
	int rc = high == 0 ? 0 : -1;
	if (high == 1) {
		const BIGNUM *r = NULL, *s = NULL;
		ECDSA_SIG_get0(sig, &r, &s);
		BIGNUM *order = curve_order(key), *r2 = BN_dup(r), *s2 = BN_new();
		unsigned char *out = NULL;
		int n = -1;
		if (order && r2 && s2 && BN_sub(s2, order, s) && ECDSA_SIG_set0(sig, r2, s2)) {
			r2 = s2 = NULL; /* owned by sig now */
			n = i2d_ECDSA_SIG(sig, &out);
		}
		if (n > 0 && (size_t)n <= cap) {
			memcpy(der, out, (size_t)n);
			*len = (size_t)n;
			rc = 0;
		}
		OPENSSL_free(out);
		BN_free(order);
		BN_free(r2);
		BN_free(s2);
	}
	ECDSA_SIG_free(sig);
	return rc;
}

bool wp_ecdsa_is_low_s_under(const BIGNUM *half, const unsigned char *der, size_t len)
{
	ECDSA_SIG *sig = strict_parse(der, len);
	const BIGNUM *s = NULL;
	if (sig)
		ECDSA_SIG_get0(sig, NULL, &s);
	bool ok = half && s && BN_cmp(s, half) <= 0;
	ECDSA_SIG_free(sig);
	return ok;
}
