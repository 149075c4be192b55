/* Helpers shared by the files of certs/; not part of the module's API. */
#ifndef WP_CERTS_INTERNAL_H
#define WP_CERTS_INTERNAL_H

#include "certs.h"
#include "wptext.h"

#include <sys/types.h>

#define WP_CA_CERT "ca.pem"
#define WP_CA_KEY "ca.key"
#define WP_PEOPLE "people"

/* Read a whole file, refusing symlinks and anything but a regular file.
 * private_key: also refuse when group or others have any access (the
 * message gives the chmod that fixes it). *buf is NUL-terminated; free it
 * with wp_secure_free when it may hold a key. */
int wp_file_read(const char *path, bool private_key, char **buf, size_t *len,
		 char *err, size_t errlen);
void wp_secure_free(char *buf, size_t len);

/* The OpenSSL error queue as one line (and cleared), "" when empty. */
void wp_ssl_error(char *buf, size_t len);

/* A memory BIO's contents, NUL-terminated and malloc'd (*len may be NULL);
 * the BIO's copy is wiped. */
char *wp_bio_take_string(BIO *bio, size_t *len);

/* PEM private key, PKCS#8; encrypted with AES-256-CBC when passphrase is
 * non-empty. malloc'd; free with wp_secure_free. */
char *wp_key_to_pem(EVP_PKEY *key, const char *passphrase, size_t *len);
/* Load the private key at PATH (0600 enforced); passphrase as described at
 * wp_identity_load. */
int wp_key_load(const char *path, const char *passphrase_file, EVP_PKEY **out,
		char *err, size_t errlen);
/* The same, the passphrase asked on TTY after CONTEXT; an unencrypted key is
 * refused. */
int wp_key_load_on_tty(const char *path, const char *tty, const char *context,
		       EVP_PKEY **out, char *err, size_t errlen);

int wp_hex_decode(const char *hex, unsigned char **out, size_t *len);
/* The same into OUT (CAP bytes); -1 when not lowercase hex or too long. */
int wp_hex_decode_into(const char *hex, unsigned char *out, size_t cap, size_t *len);

/* Exactly one person in the store DIR answers to WHO (name or fingerprint
 * prefix of at least 4 hex digits). */
int wp_person_find(const char *dir, const char *who, struct wp_person *out,
		   char *err, size_t errlen);
/* Write DIR/crl.pem anew: OLD's entries (may be NULL) and cert (may be
 * NULL) revoked at WHEN for REASON (an RFC 5280 CRLReason code). */
int wp_crl_write(const char *dir, X509 *ca, EVP_PKEY *ca_key, X509_CRL *old, X509 *cert,
		 time_t when, int reason, char *err, size_t errlen);

#endif
