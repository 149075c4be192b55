/*
 * The trust bundle an auditor checks QR codes with: the CA first, then the
 * certificates of the people who may have signed. Only public
 * certificates; each person's is still checked against the CA, so the
 * bundle needs no more trust than ca.pem itself.
 */
#include "certs_internal.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void wp_trust_free(X509 **certs, size_t n)
{
	for (size_t i = 0; certs && i < n; i++)
		X509_free(certs[i]);
	free(certs);
}

static int push(X509 ***certs, size_t *n, X509 *cert)
{
	X509 **grown = realloc(*certs, (*n + 1) * sizeof(**certs));
	if (!grown)
		return -1;
	*certs = grown;
	(*certs)[(*n)++] = cert;
	return 0;
}

int wp_trust_load(const char *path, X509 ***certs, size_t *n, char *err, size_t errlen)
{
	char *pem = NULL;
	size_t len = 0;
	*certs = NULL;
	*n = 0;
	if (wp_file_read(path, false, &pem, &len, err, errlen) < 0)
		return -1;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *cert;
	int rc = bio ? 0 : -1;
	while (rc == 0 && (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		if (push(certs, n, cert) < 0) {
			X509_free(cert);
			rc = -1;
		}
	ERR_clear_error(); /* the end of the file reads as an error */
	BIO_free(bio);
	free(pem);
	if (rc == 0 && *n == 0) {
		snprintf(err, errlen, "%s holds no PEM certificate; create the bundle with "
			 "'wipeproof keys export-trust --output FILE'", path);
		rc = -1;
	} else if (rc < 0) {
		snprintf(err, errlen, "out of memory reading %s", path);
	}
	if (rc < 0) {
		wp_trust_free(*certs, *n);
		*certs = NULL;
		*n = 0;
	}
	return rc;
}

static int append_file(char **out, size_t *len, const char *path, char *err, size_t errlen)
{
	char *pem = NULL;
	size_t n = 0;
	if (wp_file_read(path, false, &pem, &n, err, errlen) < 0)
		return -1;
	char *grown = realloc(*out, *len + n + 2);
	if (!grown) {
		free(pem);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*out = grown;
	memcpy(*out + *len, pem, n);
	*len += n;
	if (n && pem[n - 1] != '\n')
		(*out)[(*len)++] = '\n';
	(*out)[*len] = '\0';
	free(pem);
	return 0;
}

char *wp_trust_export(const char *dir, char *err, size_t errlen)
{
	char path[4200];
	char *out = NULL;
	size_t len = 0;
	struct wp_person *people = NULL;
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/" WP_CA_CERT, dir);
	if (append_file(&out, &len, path, err, errlen) < 0 ||
	    wp_keys_list(dir, &people, &n, err, errlen) < 0) {
		free(out);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/" WP_PEOPLE "/%s.pem", dir, people[i].fingerprint);
		if (append_file(&out, &len, path, err, errlen) < 0) {
			free(out);
			out = NULL;
			break;
		}
	}
	free(people);
	/* the revocation list last: stock openssl -CAfile reads CRLs from the
	 * same file for -crl_check */
	snprintf(path, sizeof(path), "%s/" WP_CRL_FILE, dir);
	if (out && access(path, F_OK) == 0 && append_file(&out, &len, path, err, errlen) < 0) {
		free(out);
		out = NULL;
	}
	return out;
}

int wp_trust_load_crl(const char *path, X509 *ca, X509_CRL **out, char *err, size_t errlen)
{
	char *pem = NULL, why[300];
	size_t len = 0;
	*out = NULL;
	if (wp_file_read(path, false, &pem, &len, err, errlen) < 0)
		return -1;
	int rc = 0;
	if (strstr(pem, "-----BEGIN X509 CRL-----") &&
	    (rc = wp_crl_from_pem(pem, len, ca, out, why, sizeof(why))) < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	free(pem);
	return rc;
}
