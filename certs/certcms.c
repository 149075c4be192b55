/*
 * The certificate's signature: detached CMS SignedData in PEM, so stock
 * OpenSSL checks it too (`openssl cms -verify -binary ...`, README.md).
 * Signing needs the identity's private key; verifying uses only the
 * certificate embedded in the signature and the CA.
 */
#include "certs_internal.h"

/* pem.h first: cms.h declares the CMS PEM functions only after it */
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool wp_cert_role_may_issue(enum wp_role role)
{
	return role == WP_ROLE_OPERATOR || role == WP_ROLE_APPROVER;
}

static bool signatures_low_s(CMS_ContentInfo *cms, bool rewrite);

bool wp_cert_role_may_validate(enum wp_role role)
{
	return role == WP_ROLE_APPROVER || role == WP_ROLE_WITNESS;
}

int wp_cms_sign(const struct wp_identity *id, const void *data, size_t len,
		char **pem, char *err, size_t errlen)
{
	*pem = NULL;
	BIO *in = BIO_new_mem_buf(data, (int)len);
	BIO *out = BIO_new(BIO_s_mem());
	/* BINARY: the bytes are signed as they are, no MIME canonicalisation;
	 * the signer's certificate is embedded (the default) */
	CMS_ContentInfo *cms = in && out ? CMS_sign(wp_identity_cert(id), wp_identity_key(id), NULL,
						    in, CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP)
					 : NULL;
	if (cms && signatures_low_s(cms, true) && PEM_write_bio_CMS(out, cms))
		*pem = wp_bio_take_string(out, NULL);
	if (!*pem) {
		char ssl[256];
		wp_ssl_error(ssl, sizeof(ssl));
		snprintf(err, errlen, "cannot sign the certificate as %s: %s",
			 wp_identity_person(id)->name, ssl[0] ? ssl : "out of memory");
	}
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	return *pem ? 0 : -1;
}

/* Every SignerInfo's signature in its low-s form (lows.c): rewritten
 * when signing (still the same valid signature to `openssl cms -verify`),
 * required when verifying. */
static bool signatures_low_s(CMS_ContentInfo *cms, bool rewrite)
{
	STACK_OF(CMS_SignerInfo) *infos = CMS_get0_SignerInfos(cms);
	int n = sk_CMS_SignerInfo_num(infos);
	for (int i = 0; i < n; i++) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(infos, i);
		ASN1_OCTET_STRING *os = CMS_SignerInfo_get0_signature(si);
		X509 *signer = NULL;
		CMS_SignerInfo_get0_algs(si, NULL, &signer, NULL, NULL);
		EVP_PKEY *key = signer ? X509_get0_pubkey(signer) : NULL;
		unsigned char der[160];
		size_t len = os ? (size_t)ASN1_STRING_length(os) : 0;
		if (!key || !os || len > sizeof(der))
			return false;
		memcpy(der, ASN1_STRING_get0_data(os), len);
		if (!rewrite) {
			if (!wp_ecdsa_is_low_s(key, der, len))
				return false;
		} else if (wp_ecdsa_low_s(key, der, &len, sizeof(der)) < 0 ||
			   !ASN1_OCTET_STRING_set(os, der, (int)len)) {
			return false;
		}
	}
	return n > 0;
}

/* The signed signingTime attribute: when the signer says they signed,
 * covered by the signature. 0 when absent. */
static time_t signing_time(CMS_ContentInfo *cms)
{
	STACK_OF(CMS_SignerInfo) *infos = CMS_get0_SignerInfos(cms);
	CMS_SignerInfo *si = sk_CMS_SignerInfo_num(infos) == 1 ? sk_CMS_SignerInfo_value(infos, 0)
							       : NULL;
	int i = si ? CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) : -1;
	X509_ATTRIBUTE *attr = i >= 0 ? CMS_signed_get_attr(si, i) : NULL;
	ASN1_TYPE *t = attr ? X509_ATTRIBUTE_get0_type(attr, 0) : NULL;
	struct tm tm;
	if (!t || (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME) ||
	    !ASN1_TIME_to_tm(t->value.utctime, &tm))
		return 0;
	return timegm(&tm);
}

/* The one signer's certificate (borrowed from cms). */
static X509 *the_signer(CMS_ContentInfo *cms)
{
	STACK_OF(X509) *signers = CMS_get0_signers(cms);
	X509 *cert = sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
	sk_X509_free(signers);
	return cert;
}

static int check_signer(X509 *cert, X509 *ca, bool validator, struct wp_cms_signer *out,
			char *err, size_t errlen)
{
	char why[400], when[32];
	if (wp_cert_person(cert, &out->person, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "signer's certificate: %s", why);
		return -1;
	}
	wp_utc_format(out->signed_at, when, sizeof(when));
	if (wp_cert_check(cert, ca, out->signed_at, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "signer %s (fingerprint %.16s) was not certified by this CA on the "
			 "signing date %s: %s", out->person.name, out->person.fingerprint, when, why);
		return -1;
	}
	if (validator && !wp_cert_role_may_validate(out->person.role)) {
		snprintf(err, errlen, "validator %s has role '%s'; only an approver or a witness may "
			 "validate a certificate of sanitization", out->person.name,
			 wp_role_name(out->person.role));
		return -1;
	}
	if (!validator && !wp_cert_role_may_issue(out->person.role)) {
		snprintf(err, errlen, "signer %s has role '%s'; only an operator or an approver may "
			 "sign a certificate of sanitization", out->person.name,
			 wp_role_name(out->person.role));
		return -1;
	}
	return 0;
}

/* The signature file must be exactly what wp_cms_sign writes: PEM_read
 * skips text before and after the block and tolerates other line breaks
 * and BER, so without this one signature would have many spellings and
 * bytes appended to the file would go unnoticed (the mutation tests found
 * trailing garbage accepted). */
static bool pem_is_exact(CMS_ContentInfo *cms, const char *pem, size_t pemlen)
{
	BIO *out = BIO_new(BIO_s_mem());
	char *again = out && PEM_write_bio_CMS(out, cms) ? wp_bio_take_string(out, NULL) : NULL;
	bool same = again && strlen(again) == pemlen && memcmp(again, pem, pemlen) == 0;
	free(again);
	BIO_free(out);
	return same;
}

/* ---- the DER around the signature -------------------------------------- */

/* One DER element at *p (before end): its tag, its content and length;
 * *p moves past it. NULL when it does not fit. */
static const unsigned char *der_next(const unsigned char **p, const unsigned char *end,
				     unsigned char *tag, size_t *len)
{
	const unsigned char *q = *p;
	if (end - q < 2)
		return NULL;
	*tag = *q++;
	size_t n = *q++;
	if (n & 0x80) {
		size_t bytes = n & 0x7f;
		if (bytes == 0 || bytes > 3 || (size_t)(end - q) < bytes)
			return NULL;
		for (n = 0; bytes--; )
			n = n << 8 | *q++;
	}
	if ((size_t)(end - q) < n)
		return NULL;
	*len = n;
	*p = q + n;
	return q;
}

/* Enter the element at *p if it has TAG: *p and *end become its content. */
static bool der_enter(const unsigned char **p, const unsigned char **end, unsigned char want)
{
	unsigned char tag;
	size_t len;
	const unsigned char *c = der_next(p, *end, &tag, &len);
	if (!c || tag != want)
		return false;
	*p = c;
	*end = c + len;
	return true;
}

static bool der_is(const unsigned char **p, const unsigned char *end, const unsigned char *want,
		   size_t n)
{
	if ((size_t)(end - *p) < n || memcmp(*p, want, n) != 0)
		return false;
	*p += n;
	return true;
}

/* The version numbers of SignedData and SignerInfo and the SignedData's
 * digest algorithms are outside what is signed and OpenSSL checks none of
 * them (the mutation tests found a changed SignerInfo version accepted):
 * they must be exactly what wp_cms_sign writes — version 1, {SHA-256}. */
static bool versions_are_ours(CMS_ContentInfo *cms)
{
	static const unsigned char v1[] = { 0x02, 0x01, 0x01 };
	static const unsigned char sha256_set[] = { 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86,
						    0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 };
	unsigned char *der = NULL, tag = 0;
	int n = i2d_CMS_ContentInfo(cms, &der);
	const unsigned char *p = der, *end = der + (n > 0 ? n : 0), *last = NULL;
	size_t len;
	bool ok = n > 0 && der_enter(&p, &end, 0x30) && der_next(&p, end, &tag, &len) &&
		  tag == 0x06 && der_enter(&p, &end, 0xa0) && der_enter(&p, &end, 0x30) &&
		  der_is(&p, end, v1, sizeof(v1)) && der_is(&p, end, sha256_set, sizeof(sha256_set));
	while (ok && p < end) { /* the last element is the SignerInfos SET */
		last = p;
		ok = der_next(&p, end, &tag, &len) != NULL;
	}
	p = last;
	ok = ok && last && der_enter(&p, &end, 0x31) && der_enter(&p, &end, 0x30) &&
	     der_is(&p, end, v1, sizeof(v1));
	OPENSSL_free(der);
	return ok;
}

/* Parts of a SignedData the signature does not cover, which a changed
 * byte can alter while CMS_verify still succeeds (the mutation tests found
 * eContentType): the content type, the certificates and CRLs carried
 * along, the digest, unsigned attributes. wp_cms_sign makes exactly one
 * form; anything else is refused. */
/* The SignerInfo names its certificate by issuer and serial, outside what
 * is signed; OpenSSL matches the issuer after case folding, so a changed
 * letter there still verified (found by the mutation tests). Byte-exact. */
static bool names_signer(CMS_SignerInfo *si, X509 *cert)
{
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	ASN1_OCTET_STRING *keyid = NULL;
	unsigned char *a = NULL, *b = NULL;
	if (CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) != 1 || keyid || !issuer ||
	    !serial || ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(cert)) != 0)
		return false;
	int na = i2d_X509_NAME(issuer, &a), nb = i2d_X509_NAME(X509_get_issuer_name(cert), &b);
	bool same = na > 0 && na == nb && memcmp(a, b, (size_t)na) == 0;
	OPENSSL_free(a);
	OPENSSL_free(b);
	return same;
}

static bool shape_is_ours(CMS_ContentInfo *cms)
{
	const ASN1_OBJECT *type = CMS_get0_eContentType(cms);
	STACK_OF(X509) *certs = CMS_get1_certs(cms);
	STACK_OF(X509_CRL) *crls = CMS_get1_crls(cms);
	STACK_OF(CMS_SignerInfo) *infos = CMS_get0_SignerInfos(cms);
	CMS_SignerInfo *si = sk_CMS_SignerInfo_num(infos) == 1 ? sk_CMS_SignerInfo_value(infos, 0)
							       : NULL;
	X509_ALGOR *digest = NULL, *sigalg = NULL;
	if (si)
		CMS_SignerInfo_get0_algs(si, NULL, NULL, &digest, &sigalg);
	const ASN1_OBJECT *md = NULL, *alg = NULL;
	int ptype = 0;
	int dtype = 0;
	if (digest)
		X509_ALGOR_get0(&md, &dtype, NULL, digest);
	/* OpenSSL takes the hash from the digest algorithm and ignores the
	 * one named here, so another name here still verified */
	if (sigalg)
		X509_ALGOR_get0(&alg, &ptype, NULL, sigalg);
	bool ok = type && OBJ_obj2nid(type) == NID_pkcs7_data && sk_X509_num(certs) == 1 &&
		  sk_X509_CRL_num(crls) <= 0 && si && md && OBJ_obj2nid(md) == NID_sha256 && dtype == V_ASN1_UNDEF &&
		  CMS_unsigned_get_attr_count(si) <= 0 && alg &&
		  OBJ_obj2nid(alg) == NID_ecdsa_with_SHA256 && ptype == V_ASN1_UNDEF &&
		  names_signer(si, sk_X509_value(certs, 0)) && versions_are_ours(cms);
	sk_X509_pop_free(certs, X509_free);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	return ok;
}

static int cms_verify(const char *pem, size_t pemlen, const void *data, size_t len, X509 *ca,
		      bool validator, struct wp_cms_signer *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	BIO *pb = BIO_new_mem_buf(pem, (int)pemlen);
	BIO *content = BIO_new_mem_buf(data, (int)len);
	CMS_ContentInfo *cms = pb ? PEM_read_bio_CMS(pb, NULL, NULL, NULL) : NULL;
	X509 *cert = NULL;
	int rc = -1;
	if (!cms) {
		snprintf(err, errlen, "the signature file is not a PEM CMS signature");
		goto out;
	}
	if (!pem_is_exact(cms, pem, pemlen)) {
		snprintf(err, errlen, "the signature file is not exactly the PEM CMS signature "
			 "wipeproof writes (bytes added, removed or changed around the signature)");
		goto out;
	}
	/* the shape first: OpenSSL 3.0's CMS_verify leaks its content BIO
	 * when it cannot set up a digest the SignedData names (found by the
	 * mutation test under ASan), and nothing of another shape is ours */
	if (!shape_is_ours(cms)) {
		snprintf(err, errlen, "the signature is not in the form wipeproof writes (one of "
			 "its versions, content type, algorithms, embedded certificates, signer "
			 "identifier or unsigned attributes differs)");
		goto out;
	}
	/* then whether the bytes are what was signed; who signed comes next,
	 * checked at the signing time rather than now */
	if (!content || CMS_verify(cms, NULL, NULL, content, NULL,
				   CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		snprintf(err, errlen, "the signature does not match the document: the document was "
			 "changed after signing, or the signature belongs to another document");
		goto out;
	}
	cert = the_signer(cms);
	out->signed_at = signing_time(cms);
	if (!cert || out->signed_at == 0)
		snprintf(err, errlen, "the signature must have exactly one signer, with its "
			 "certificate and a signing time");
	else
		rc = check_signer(cert, ca, validator, out, err, errlen);
	/* who signed first (the more useful message), then the one spelling */
	if (rc == 0 && !signatures_low_s(cms, false)) {
		snprintf(err, errlen, "the signature is not in its one accepted form (ECDSA with low "
			 "s, strict DER): it was altered after signing, or not made by wipeproof");
		rc = -1;
	}
out:
	CMS_ContentInfo_free(cms);
	BIO_free(pb);
	BIO_free(content);
	ERR_clear_error();
	return rc;
}

int wp_cms_verify(const char *pem, size_t pemlen, const void *data, size_t len, X509 *ca,
		  struct wp_cms_signer *out, char *err, size_t errlen)
{
	return cms_verify(pem, pemlen, data, len, ca, false, out, err, errlen);
}

int wp_cms_verify_validator(const char *pem, size_t pemlen, const void *data, size_t len,
			    X509 *ca, struct wp_cms_signer *out, char *err, size_t errlen)
{
	return cms_verify(pem, pemlen, data, len, ca, true, out, err, errlen);
}
