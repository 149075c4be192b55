/*
 * Certificates, verification side: read a certificate, say who it names,
 * check it against the CA, check a signature. Nothing in this file touches
 * a private key, so an auditor's verification never needs one.
 */
#include "certs_internal.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[] = {
	[WP_ROLE_NONE] = "none",
	[WP_ROLE_OPERATOR] = "operator",
	[WP_ROLE_APPROVER] = "approver",
	[WP_ROLE_WITNESS] = "witness",
	[WP_ROLE_AUDITOR] = "auditor",
	[WP_ROLE_STATION] = "station",
};

const char *wp_role_name(enum wp_role role)
{
	return (size_t)role < sizeof(role_names) / sizeof(role_names[0]) ? role_names[role] : "none";
}

const char *wp_role_policy(enum wp_role role)
{
	static const char *const oids[] = {
		[WP_ROLE_OPERATOR] = WP_ROLE_POLICY_ARC ".1",
		[WP_ROLE_APPROVER] = WP_ROLE_POLICY_ARC ".2",
		[WP_ROLE_WITNESS] = WP_ROLE_POLICY_ARC ".3",
		[WP_ROLE_AUDITOR] = WP_ROLE_POLICY_ARC ".4",
		[WP_ROLE_STATION] = WP_ROLE_POLICY_ARC ".5",
	};
	return role > WP_ROLE_NONE && role <= WP_ROLE_STATION ? oids[role] : NULL;
}

int wp_role_parse(const char *name, enum wp_role *out)
{
	for (int r = WP_ROLE_OPERATOR; r <= WP_ROLE_STATION; r++)
		if (strcmp(name, role_names[r]) == 0) {
			*out = (enum wp_role)r;
			return 0;
		}
	return -1;
}

int wp_cert_from_pem(const char *pem, X509 **out, char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	*out = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!*out) {
		char ssl[256];
		wp_ssl_error(ssl, sizeof(ssl));
		snprintf(err, errlen, "not a PEM X.509 certificate (%s)", ssl);
		return -1;
	}
	return 0;
}

int wp_cert_load(const char *path, X509 **out, char *err, size_t errlen)
{
	char *pem = NULL;
	size_t len = 0;
	if (wp_file_read(path, false, &pem, &len, err, errlen) < 0)
		return -1;
	char why[300];
	int rc = wp_cert_from_pem(pem, out, why, sizeof(why));
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	free(pem);
	return rc;
}

char *wp_cert_to_pem(X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *out = NULL;
	if (bio && PEM_write_bio_X509(bio, cert))
		out = wp_bio_take_string(bio, NULL);
	BIO_free(bio);
	return out;
}

int wp_cert_fingerprint(X509 *cert, char out[WP_FPR_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (!X509_digest(cert, EVP_sha256(), md, &n) || n != 32)
		return -1;
	wp_hex_encode(md, n, out);
	return 0;
}

void wp_cert_subject_text(X509 *cert, char *out, size_t len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *text = NULL;
	out[0] = '\0';
	if (bio && X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
				      (XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) | ASN1_STRFLGS_UTF8_CONVERT) >= 0 &&
	    BIO_write(bio, "", 1) == 1 && BIO_get_mem_data(bio, &text) > 0)
		snprintf(out, len, "%s", text);
	BIO_free(bio);
}

int wp_fpr_parse(const char *text, char out[WP_FPR_HEX])
{
	size_t n = 0;
	for (const char *p = text; *p; p++) {
		if (*p == ':')
			continue;
		if (!strchr("0123456789abcdefABCDEF", *p) || n == 64)
			return -1;
		out[n++] = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
	}
	out[n] = '\0';
	return n == 64 ? 0 : -1;
}

int wp_ca_pin_check(X509 *ca, const char *pin, char *err, size_t errlen)
{
	char want[WP_FPR_HEX], have[WP_FPR_HEX], subject[512];
	if (!pin)
		return 0;
	if (wp_fpr_parse(pin, want) < 0) {
		snprintf(err, errlen, "--ca-fingerprint '%s' is not a SHA-256 fingerprint (64 hex "
			 "digits, as 'openssl x509 -noout -fingerprint -sha256' or a verdict prints it)", pin);
		return -1;
	}
	if (wp_cert_fingerprint(ca, have) < 0 || strcmp(want, have) != 0) {
		wp_cert_subject_text(ca, subject, sizeof(subject));
		snprintf(err, errlen, "the CA (%s, SHA-256 %s) is not the pinned CA %s: it may look "
			 "the same but it is another key", subject, have, want);
		return -1;
	}
	return 0;
}

/* The first subject entry with this NID as UTF-8; "" when absent. */
static int subject_entry(X509_NAME *subject, int nid, char *out, size_t len)
{
	out[0] = '\0';
	int i = X509_NAME_get_index_by_NID(subject, nid, -1);
	if (i < 0)
		return 0;
	unsigned char *utf8 = NULL;
	int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
	if (n < 0 || (size_t)n >= len || memchr(utf8, '\0', (size_t)n)) {
		OPENSSL_free(utf8);
		return -1;
	}
	memcpy(out, utf8, (size_t)n);
	out[n] = '\0';
	OPENSSL_free(utf8);
	return 0;
}

static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

int wp_cert_person(X509 *cert, struct wp_person *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	X509_NAME *subject = X509_get_subject_name(cert);
	char role[32];
	if (subject_entry(subject, NID_serialNumber, out->id, sizeof(out->id)) < 0 ||
	    subject_entry(subject, NID_commonName, out->name, sizeof(out->name)) < 0 ||
	    subject_entry(subject, NID_title, out->title, sizeof(out->title)) < 0 ||
	    subject_entry(subject, NID_organizationName, out->org, sizeof(out->org)) < 0 ||
	    subject_entry(subject, NID_role, role, sizeof(role)) < 0) {
		snprintf(err, errlen, "certificate subject has an entry that is not valid text or too long");
		return -1;
	}
	if (role[0] && wp_role_parse(role, &out->role) < 0) {
		snprintf(err, errlen, "certificate of '%s' names an unknown role '%s'", out->name, role);
		return -1;
	}
	out->not_before = asn1_time(X509_get0_notBefore(cert));
	out->not_after = asn1_time(X509_get0_notAfter(cert));
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	snprintf(out->serial, sizeof(out->serial), "%s", hex ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
	if (wp_cert_fingerprint(cert, out->fingerprint) < 0) {
		snprintf(err, errlen, "cannot compute the certificate's fingerprint");
		return -1;
	}
	return 0;
}

/* The key and the signature of a certificate are at least as strong as
 * the ECDSA P-256 / SHA-256 wipeproof makes: an RSA-1024 key or a SHA-1
 * signature, issued by a careless CA, would let a weaker forgery stand in
 * for a person. */
static int strong_enough(X509 *cert, const char *whose, char *err, size_t errlen)
{
	EVP_PKEY *key = X509_get0_pubkey(cert);
	int md = NID_undef, pk = NID_undef;
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || EVP_PKEY_get_security_bits(key) < 128) {
		snprintf(err, errlen, "%s key is %s of %d bits; wipeproof requires ECDSA P-256 or "
			 "stronger (issue a new certificate with 'wipeproof keys issue')", whose,
			 key ? OBJ_nid2sn(EVP_PKEY_get_base_id(key)) : "missing",
			 key ? EVP_PKEY_get_bits(key) : 0);
		return -1;
	}
	if (!OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md, &pk) ||
	    (md != NID_sha256 && md != NID_sha384 && md != NID_sha512)) {
		snprintf(err, errlen, "%s is signed with %s; wipeproof requires SHA-256 or stronger",
			 whose, OBJ_nid2ln(X509_get_signature_nid(cert)));
		return -1;
	}
	return 0;
}

/* A person signs; they do not certify others: CA:FALSE present and
 * digitalSignature in the key usage. */
static int person_usage(X509 *cert, char *err, size_t errlen)
{
	uint32_t flags = X509_get_extension_flags(cert);
	if (!(flags & EXFLAG_BCONS) || (flags & EXFLAG_CA)) {
		snprintf(err, errlen, "the signer's certificate %s; a person's certificate must "
			 "say basicConstraints CA:FALSE", flags & EXFLAG_CA ? "is a CA" :
			 "has no basicConstraints");
		return -1;
	}
	if (!(flags & EXFLAG_KUSAGE) || !(X509_get_key_usage(cert) & KU_DIGITAL_SIGNATURE)) {
		snprintf(err, errlen, "the signer's certificate does not allow digitalSignature in "
			 "its key usage");
		return -1;
	}
	return 0;
}

int wp_cert_check(X509 *cert, X509 *ca, time_t at, char *err, size_t errlen)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc = -1;
	if (!store || !ctx || !X509_STORE_add_cert(store, ca) ||
	    !X509_STORE_CTX_init(ctx, store, cert, NULL)) {
		snprintf(err, errlen, "out of memory checking a certificate");
		goto out;
	}
	X509_STORE_CTX_set_time(ctx, 0, at);
	/* level 3: 128-bit security for every key and signature in the chain
	 * (refuses RSA < 3072, SHA-1), whatever the system's openssl.cnf says */
	X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx), 3);
	if (strong_enough(ca, "the CA's", err, errlen) < 0 ||
	    strong_enough(cert, "the signer's certificate", err, errlen) < 0 ||
	    person_usage(cert, err, errlen) < 0)
		goto out;
	if (X509_verify_cert(ctx) == 1)
		rc = 0;
	else
		snprintf(err, errlen, "certificate does not verify against the CA: %s",
			 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return rc;
}

/* The messages of a signature check (wp_sig_checker_verify, and
 * wp_sig_verify through it). */
static const char sig_not_hex[] = "signature is not lowercase hex";
static const char sig_not_low[] = "signature is not in its one accepted form (strict DER ECDSA "
				  "with low s): it was altered, or not made by wipeproof";
static const char sig_bad[] = "signature does not verify with the signer's certificate";

/* One key's verify context, initialised once: EVP_PKEY_verify over the
 * SHA-256 digest is what EVP_DigestVerify does for ECDSA, without the
 * per-call algorithm fetch and context set-up (the profile of a
 * 20,000-event verify had them at a fifth of the signature's cost). */
struct checked_key {
	EVP_PKEY *key;
	EVP_PKEY_CTX *ctx;         /* NULL: could not be made (the check fails) */
	BIGNUM *half;              /* n/2 of its curve; NULL: not EC */
};

struct wp_sig_checker {
	EVP_MD *sha256;
	EVP_MD_CTX *md;            /* reused from check to check */
	struct checked_key *keys;
	size_t n, cap;
};

struct wp_sig_checker *wp_sig_checker_new(void)
{
	struct wp_sig_checker *c = calloc(1, sizeof(*c));
	if (c && (!(c->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) || !(c->md = EVP_MD_CTX_new()))) {
		EVP_MD_free(c->sha256);
		free(c);
		c = NULL;
	}
	return c;
}

void wp_sig_checker_free(struct wp_sig_checker *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		EVP_PKEY_CTX_free(c->keys[i].ctx);
		BN_free(c->keys[i].half);
	}
	free(c->keys);
	EVP_MD_CTX_free(c->md);
	EVP_MD_free(c->sha256);
	free(c);
}

static struct checked_key *checked_key(struct wp_sig_checker *c, EVP_PKEY *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->keys[i].key == key)
			return &c->keys[i];
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 4;
		struct checked_key *grown = realloc(c->keys, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		c->keys = grown;
		c->cap = cap;
	}
	struct checked_key *k = &c->keys[c->n++];
	k->key = key;
	k->half = key ? wp_ecdsa_half_order(key) : NULL;
	k->ctx = key ? EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL) : NULL;
	if (k->ctx && EVP_PKEY_verify_init(k->ctx) != 1) {
		EVP_PKEY_CTX_free(k->ctx);
		k->ctx = NULL;
	}
	ERR_clear_error();
	return k;
}

int wp_sig_checker_verify(struct wp_sig_checker *c, EVP_PKEY *key, const void *data, size_t len,
			  const char *sig_hex, char *err, size_t errlen)
{
	/* no allocation for the signatures this program writes (at most 72
	 * bytes for P-256), which a verify of a million events checks */
	unsigned char room[160], *heap = NULL, *sig = room, digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	size_t siglen = 0;
	if (strlen(sig_hex) > 2 * sizeof(room) ? wp_hex_decode(sig_hex, &heap, &siglen) < 0
	    : wp_hex_decode_into(sig_hex, room, sizeof(room), &siglen) < 0) {
		snprintf(err, errlen, "%s", sig_not_hex);
		return -1;
	}
	if (heap)
		sig = heap;
	struct checked_key *k = checked_key(c, key);
	const char *bad = NULL;
	if (k && !wp_ecdsa_is_low_s_under(k->half, sig, siglen))
		bad = sig_not_low;
	else if (!k || !k->ctx || EVP_DigestInit_ex(c->md, c->sha256, NULL) != 1 ||
		 EVP_DigestUpdate(c->md, data, len) != 1 ||
		 EVP_DigestFinal_ex(c->md, digest, &dlen) != 1 ||
		 EVP_PKEY_verify(k->ctx, sig, siglen, digest, dlen) != 1)
		bad = sig_bad;
	free(heap);
	ERR_clear_error();
	if (bad) {
		snprintf(err, errlen, "%s", bad);
		return -1;
	}
	return 0;
}

/* One check, one key: the checker made for it and dropped again, so there
 * is one way a signature is judged whichever caller asks. */
int wp_sig_verify(X509 *cert, const void *data, size_t len, const char *sig_hex,
		  char *err, size_t errlen)
{
	struct wp_sig_checker *c = wp_sig_checker_new();
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = wp_sig_checker_verify(c, X509_get0_pubkey(cert), data, len, sig_hex, err, errlen);
	wp_sig_checker_free(c);
	return rc;
}
