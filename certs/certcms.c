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
	if (cms && PEM_write_bio_CMS(out, cms))
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

static int check_signer(X509 *cert, X509 *ca, struct wp_cms_signer *out, char *err, size_t errlen)
{
	char why[400], when[32];
	struct tm tm;
	if (wp_cert_person(cert, &out->person, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "signer's certificate: %s", why);
		return -1;
	}
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&out->signed_at, &tm));
	if (wp_cert_check(cert, ca, out->signed_at, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "signer %s (fingerprint %.16s) was not certified by this CA on the "
			 "signing date %s: %s", out->person.name, out->person.fingerprint, when, why);
		return -1;
	}
	if (!wp_cert_role_may_issue(out->person.role)) {
		snprintf(err, errlen, "signer %s has role '%s'; only an operator or an approver may "
			 "sign a certificate of sanitization", out->person.name,
			 wp_role_name(out->person.role));
		return -1;
	}
	return 0;
}

int wp_cms_verify(const char *pem, size_t pemlen, const void *data, size_t len, X509 *ca,
		  struct wp_cms_signer *out, char *err, size_t errlen)
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
	/* first whether the bytes are what was signed; who signed comes next,
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
		rc = check_signer(cert, ca, out, err, errlen);
out:
	CMS_ContentInfo_free(cms);
	BIO_free(pb);
	BIO_free(content);
	ERR_clear_error();
	return rc;
}
