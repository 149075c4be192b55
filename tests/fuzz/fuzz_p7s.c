/* libFuzzer: the certificate's signature file (wp_cms_verify) on arbitrary
 * bytes, against a fixed document and a CA made at start-up. The fuzzer
 * cannot forge a signature by that CA, so every input must be refused —
 * through the PEM, shape and CMS checks, without a crash or a leak. */
#include "certs.h"

#include <openssl/ec.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static X509 *ca;
static const char doc[] = "{\"format\":\"wipeproof-certificate\"}";

static X509 *make_ca(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *c = X509_new();
	if (!key || !c)
		abort();
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
	X509_gmtime_adj(X509_getm_notBefore(c), 0);
	X509_gmtime_adj(X509_getm_notAfter(c), 86400);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(c), "CN", MBSTRING_UTF8,
				   (const unsigned char *)"fuzz CA", -1, -1, 0);
	X509_set_issuer_name(c, X509_get_subject_name(c));
	X509_set_pubkey(c, key);
	if (!X509_sign(c, key, EVP_sha256()))
		abort();
	EVP_PKEY_free(key);
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct wp_cms_signer s;
	if (!ca)
		ca = make_ca();
	if (wp_cms_verify((const char *)data, size, doc, strlen(doc), ca, &s, err, sizeof(err)) == 0)
		abort();
	return 0;
}
