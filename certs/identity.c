/*
 * An identity is a person who is about to sign: their certificate, the CA
 * it chains to, and their private key, all checked together at load time so
 * that a signature made with it always verifies later.
 */
#include "certs_internal.h"
#include "wpi18n.h"

#include <ctype.h>
#include <openssl/err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct wp_identity {
	struct wp_person person;
	EVP_PKEY *key;
	X509 *cert;
	X509 *ca;
};

static bool fingerprint_prefix(const char *who, const char *fpr)
{
	size_t n = strlen(who);
	if (n < 4 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)who[i]) != fpr[i])
			return false;
	return true;
}

/* Exactly one person in the store answers to WHO. A renewed or promoted
 * person has several certificates under one id (the old ones stay, so what
 * they signed stays verifiable): the newest one valid now is meant. */
int wp_person_find(const char *dir, const char *who, struct wp_person *out,
		       char *err, size_t errlen)
{
	struct wp_person *people = NULL;
	size_t n = 0, found = 0;
	bool one_id = true, have_valid = false;
	time_t now = time(NULL);
	if (wp_keys_list(dir, &people, &n, err, errlen) < 0)
		return -1;
	char names[512] = "";
	for (size_t i = 0; i < n; i++) {
		if (strcmp(people[i].name, who) != 0 && !fingerprint_prefix(who, people[i].fingerprint))
			continue;
		bool valid = people[i].not_before <= now && now < people[i].not_after;
		if (found && (!people[i].id[0] || strcmp(people[i].id, out->id) != 0))
			one_id = false;
		if (found++ == 0 || (valid && (!have_valid || people[i].not_before > out->not_before)))
			*out = people[i];
		have_valid |= valid;
		size_t used = strlen(names);
		snprintf(names + used, sizeof(names) - used, "%s%s (%.16s)", used ? ", " : "",
			 people[i].name, people[i].fingerprint);
	}
	free(people);
	if (found == 1 || (found > 1 && one_id && out->id[0] && have_valid))
		return 0;
	if (found == 0)
		snprintf(err, errlen, _("no person '%s' in the key store %s; 'wipeproof keys list "
			 "--keys %s' shows who exists"), who, dir, dir);
	else
		snprintf(err, errlen, _("'%s' matches more than one person: %s; give more digits "
			 "of the fingerprint"), who, names);
	return -1;
}

static int load_parts(struct wp_identity *id, const char *dir, const char *passphrase_file,
		      const char *tty, const char *context, char *err, size_t errlen)
{
	char path[4096], why[400];
	snprintf(path, sizeof(path), "%s/" WP_CA_CERT, dir);
	if (wp_cert_load(path, &id->ca, err, errlen) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/" WP_PEOPLE "/%s.pem", dir, id->person.fingerprint);
	if (wp_cert_load(path, &id->cert, err, errlen) < 0)
		return -1;
	if (wp_cert_check(id->cert, id->ca, time(NULL), why, sizeof(why)) < 0) {
		snprintf(err, errlen, _("%s (%s): %s; issue a new one with 'wipeproof keys issue'"),
			 id->person.name, path, why);
		return -1;
	}
	/* a revoked person signs nothing more from this store */
	snprintf(path, sizeof(path), "%s/" WP_CRL_FILE, dir);
	X509_CRL *crl = NULL;
	if (access(path, F_OK) == 0 && wp_crl_load(path, id->ca, &crl, err, errlen) < 0)
		return -1;
	int revoked = wp_crl_check(crl, &id->person, time(NULL), why, sizeof(why));
	X509_CRL_free(crl);
	if (revoked < 0) {
		snprintf(err, errlen, _("%s; a revoked key cannot sign"), why);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/" WP_PEOPLE "/%s.key", dir, id->person.fingerprint);
	if (tty ? wp_key_load_on_tty(path, tty, context, &id->key, err, errlen) < 0
		: wp_key_load(path, passphrase_file, &id->key, err, errlen) < 0)
		return -1;
	if (X509_check_private_key(id->cert, id->key) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, _("%s does not belong to the certificate of %s; restore the "
			 "right key file or issue a new key"), path, id->person.name);
		return -1;
	}
	return 0;
}

static int identity_load(const char *dir, const char *who, const char *passphrase_file,
			 const char *tty, const char *context, struct wp_identity **out,
			 char *err, size_t errlen)
{
	struct wp_identity *id = calloc(1, sizeof(*id));
	if (!id) {
		snprintf(err, errlen, _("out of memory"));
		return -1;
	}
	if (wp_person_find(dir, who, &id->person, err, errlen) < 0 ||
	    load_parts(id, dir, passphrase_file, tty, context, err, errlen) < 0) {
		wp_identity_free(id);
		return -1;
	}
	if (id->person.role == WP_ROLE_NONE) {
		snprintf(err, errlen, _("the certificate of %s carries no role; issue a new one with "
			 "'wipeproof keys issue --role ...'"), id->person.name);
		wp_identity_free(id);
		return -1;
	}
	*out = id;
	return 0;
}

int wp_identity_load(const char *dir, const char *who, const char *passphrase_file,
		     struct wp_identity **out, char *err, size_t errlen)
{
	return identity_load(dir, who, passphrase_file, NULL, NULL, out, err, errlen);
}

int wp_identity_load_on_tty(const char *dir, const char *who, const char *tty,
			    const char *context, struct wp_identity **out, char *err,
			    size_t errlen)
{
	return identity_load(dir, who, NULL, tty, context, out, err, errlen);
}

void wp_identity_free(struct wp_identity *id)
{
	if (!id)
		return;
	EVP_PKEY_free(id->key);
	X509_free(id->cert);
	X509_free(id->ca);
	free(id);
}

const struct wp_person *wp_identity_person(const struct wp_identity *id)
{
	return &id->person;
}

EVP_PKEY *wp_identity_key(const struct wp_identity *id)
{
	return id->key;
}

X509 *wp_identity_cert(const struct wp_identity *id)
{
	return id->cert;
}

X509 *wp_identity_ca(const struct wp_identity *id)
{
	return id->ca;
}

int wp_identity_sign_hex(const struct wp_identity *id, const void *data, size_t len,
			 char **sig_hex, char *err, size_t errlen)
{
	/* each call has its own context: the key itself is only read, so
	 * threads can share an identity */
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sig[128];
	size_t siglen = sizeof(sig);
	int ok = md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, id->key) == 1 &&
		 EVP_DigestSign(md, sig, &siglen, data, len) == 1 &&
		 wp_ecdsa_low_s(id->key, sig, &siglen, sizeof(sig)) == 0; /* the one spelling */
	EVP_MD_CTX_free(md);
	*sig_hex = ok ? malloc(2 * siglen + 1) : NULL;
	if (!*sig_hex) {
		char ssl[256];
		wp_ssl_error(ssl, sizeof(ssl));
		snprintf(err, errlen, _("cannot sign as %s: %s"), id->person.name, ssl[0] ? ssl : _("out of memory"));
		return -1;
	}
	wp_hex_encode(sig, siglen, *sig_hex);
	return 0;
}
