/*
 * Revocation: the key store's CRL (DIR/crl.pem), signed by the CA, lists
 * the people whose keys may no longer sign and from when. It is the one
 * file of the store that is replaced (written beside and renamed over), since
 * each revocation re-signs the whole list. Stock openssl reads it too
 * (`openssl cms -verify -crl_check`, certs/README.md).
 */
#include "certs_internal.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
	const char *name;
	int code;
} reasons[] = {
	{ "unspecified", CRL_REASON_UNSPECIFIED },
	{ "key-compromise", CRL_REASON_KEY_COMPROMISE },
	{ "affiliation-changed", CRL_REASON_AFFILIATION_CHANGED },
	{ "superseded", CRL_REASON_SUPERSEDED },
	{ "cessation-of-operation", CRL_REASON_CESSATION_OF_OPERATION },
};

int wp_revoke_reason_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(name, reasons[i].name) == 0)
			return reasons[i].code;
	return -1;
}

static const char *reason_name(int code)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			return reasons[i].name;
	return "unspecified";
}

static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

int wp_crl_from_pem(const char *pem, size_t len, X509 *ca, X509_CRL **out, char *err,
		    size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509_CRL *crl = bio ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	EVP_PKEY *key = X509_get0_pubkey(ca);
	*out = NULL;
	if (!crl) {
		ERR_clear_error();
		snprintf(err, errlen, "no PEM certificate revocation list (X509 CRL) in it");
		return -1;
	}
	/* a list that is not the CA's could un-revoke anyone: signature and
	 * issuer both */
	if (!key || X509_CRL_verify(crl, key) != 1 ||
	    X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca)) != 0) {
		ERR_clear_error();
		X509_CRL_free(crl);
		snprintf(err, errlen, "the revocation list is not signed by this CA");
		return -1;
	}
	*out = crl;
	return 0;
}

int wp_crl_load(const char *path, X509 *ca, X509_CRL **out, char *err, size_t errlen)
{
	char *pem = NULL, why[300];
	size_t len = 0;
	*out = NULL;
	if (wp_file_read(path, false, &pem, &len, err, errlen) < 0)
		return -1;
	int rc = wp_crl_from_pem(pem, len, ca, out, why, sizeof(why));
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	free(pem);
	return rc;
}

int wp_crl_lookup(X509_CRL *crl, const struct wp_person *p, struct wp_revocation *out)
{
	memset(out, 0, sizeof(*out));
	STACK_OF(X509_REVOKED) *list = X509_CRL_get_REVOKED(crl);
	for (int i = 0; i < sk_X509_REVOKED_num(list); i++) {
		X509_REVOKED *r = sk_X509_REVOKED_value(list, i);
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(r), NULL);
		char *hex = bn ? BN_bn2hex(bn) : NULL;
		bool same = hex && strcmp(hex, p->serial) == 0;
		OPENSSL_free(hex);
		BN_free(bn);
		if (!same)
			continue;
		ASN1_ENUMERATED *e = X509_REVOKED_get_ext_d2i(r, NID_crl_reason, NULL, NULL);
		out->revoked = true;
		out->at = asn1_time(X509_REVOKED_get0_revocationDate(r));
		snprintf(out->reason, sizeof(out->reason), "%s",
			 reason_name(e ? (int)ASN1_ENUMERATED_get(e) : CRL_REASON_UNSPECIFIED));
		ASN1_ENUMERATED_free(e);
		return 1;
	}
	return 0;
}

int wp_crl_check(X509_CRL *crl, const struct wp_person *p, time_t at, char *err, size_t errlen)
{
	struct wp_revocation r;
	if (!crl || wp_crl_lookup(crl, p, &r) == 0 || at < r.at)
		return 0;
	char when[32], signed_at[32];
	wp_utc_format(r.at, when, sizeof(when));
	wp_utc_format(at, signed_at, sizeof(signed_at));
	snprintf(err, errlen, "the key of %s (fingerprint %.16s) was revoked on %s (%s); this "
		 "signature is dated %s, after the revocation", p->name, p->fingerprint, when,
		 r.reason, signed_at);
	return -1;
}

/* ---- writing the list --------------------------------------------------- */

/* A new CRL with every entry of OLD (may be NULL) and, when cert is given,
 * cert revoked at WHEN for REASON, signed by the CA. nextUpdate is the CA's
 * own end: stock openssl refuses an expired list, and nothing but a new
 * revocation changes this one. */
static X509_CRL *crl_build(X509 *ca, EVP_PKEY *ca_key, X509_CRL *old, X509 *cert, time_t when,
			   int reason)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *now = ASN1_TIME_adj(NULL, time(NULL), 0, -60);
	bool ok = crl && now && X509_CRL_set_version(crl, 1) &&
		  X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) &&
		  X509_CRL_set1_lastUpdate(crl, now) &&
		  X509_CRL_set1_nextUpdate(crl, X509_get0_notAfter(ca));
	STACK_OF(X509_REVOKED) *list = old ? X509_CRL_get_REVOKED(old) : NULL;
	for (int i = 0; ok && i < sk_X509_REVOKED_num(list); i++) {
		X509_REVOKED *copy = X509_REVOKED_dup(sk_X509_REVOKED_value(list, i));
		ok = copy && X509_CRL_add0_revoked(crl, copy);
		if (!ok)
			X509_REVOKED_free(copy);
	}
	if (ok && cert) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_TIME *t = ASN1_TIME_set(NULL, when);
		ASN1_ENUMERATED *e = ASN1_ENUMERATED_new();
		ok = r && t && e && X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(cert)) &&
		     X509_REVOKED_set_revocationDate(r, t) && ASN1_ENUMERATED_set(e, reason) &&
		     X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, e, 0, 0) &&
		     X509_CRL_add0_revoked(crl, r);
		if (!ok)
			X509_REVOKED_free(r);
		ASN1_TIME_free(t);
		ASN1_ENUMERATED_free(e);
	}
	ok = ok && X509_CRL_sort(crl) && X509_CRL_sign(crl, ca_key, EVP_sha256());
	ASN1_TIME_free(now);
	if (!ok) {
		X509_CRL_free(crl);
		return NULL;
	}
	return crl;
}

int wp_crl_write(const char *dir, X509 *ca, EVP_PKEY *ca_key, X509_CRL *old, X509 *cert,
		 time_t when, int reason, char *err, size_t errlen)
{
	char path[4200], tmp[4300];
	X509_CRL *crl = crl_build(ca, ca_key, old, cert, when, reason);
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem = crl && bio && PEM_write_bio_X509_CRL(bio, crl) ? wp_bio_take_string(bio, NULL)
								   : NULL;
	BIO_free(bio);
	X509_CRL_free(crl);
	ERR_clear_error();
	if (!pem) {
		snprintf(err, errlen, "cannot create the revocation list");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/" WP_CRL_FILE, dir);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	unlink(tmp);
	int rc = wp_file_write_new(tmp, pem, strlen(pem), 0644, err, errlen);
	if (rc == 0 && rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		rc = -1;
	}
	free(pem);
	return rc;
}

int wp_keys_revoke(const char *dir, const char *who, const char *reason, time_t when,
		   const char *ca_passphrase_file, struct wp_person *out, char *err, size_t errlen)
{
	char path[4200];
	int code = wp_revoke_reason_parse(reason);
	if (code < 0) {
		snprintf(err, errlen, "unknown reason '%s'; give unspecified, key-compromise, "
			 "affiliation-changed (the person left), superseded or cessation-of-operation",
			 reason);
		return -1;
	}
	if (wp_person_find(dir, who, out, err, errlen) < 0)
		return -1;
	X509 *ca = NULL, *cert = NULL;
	EVP_PKEY *ca_key = NULL;
	X509_CRL *old = NULL;
	struct wp_revocation r;
	int rc = -1;
	snprintf(path, sizeof(path), "%s/" WP_CA_CERT, dir);
	if (wp_cert_load(path, &ca, err, errlen) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/" WP_PEOPLE "/%s.pem", dir, out->fingerprint);
	if (wp_cert_load(path, &cert, err, errlen) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/" WP_CRL_FILE, dir);
	if (access(path, F_OK) == 0 && wp_crl_load(path, ca, &old, err, errlen) < 0)
		goto out;
	if (old && wp_crl_lookup(old, out, &r) == 1) {
		char when_s[32];
		wp_utc_format(r.at, when_s, sizeof(when_s));
		snprintf(err, errlen, "%s (fingerprint %.16s) is already revoked since %s (%s)",
			 out->name, out->fingerprint, when_s, r.reason);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/" WP_CA_KEY, dir);
	if (wp_key_load(path, ca_passphrase_file, &ca_key, err, errlen) < 0)
		goto out;
	if (X509_check_private_key(ca, ca_key) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "%s does not belong to the CA certificate in %s", path, dir);
		goto out;
	}
	rc = wp_crl_write(dir, ca, ca_key, old, cert, when, code, err, errlen);
out:
	X509_CRL_free(old);
	EVP_PKEY_free(ca_key);
	X509_free(cert);
	X509_free(ca);
	return rc;
}

int wp_crl_path(const char *given, const char *ca_path, char *path, size_t len)
{
	if (given) {
		snprintf(path, len, "%s", given);
		return 0;
	}
	const char *slash = strrchr(ca_path, '/');
	snprintf(path, len, "%.*s" WP_CRL_FILE, slash ? (int)(slash - ca_path + 1) : 0, ca_path);
	return access(path, F_OK) == 0 ? 0 : 1;
}
