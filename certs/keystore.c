/*
 * The key store: create the organisation's CA, issue a person's key and
 * certificate, list who exists. Files are created with O_EXCL, so nothing
 * here ever overwrites a key.
 */
#include "certs_internal.h"
#include "wpi18n.h"
#include "wptext.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_LEN 4096

/* The store is 0755 (ca.pem is public), people/ 0700: wp_key_load refuses
 * a key folder others can write, and people/ that others can read. */
static int make_dir(const char *path, mode_t mode, char *err, size_t errlen)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
		    ((st.st_mode & 07777 & ~mode) == 0 || chmod(path, st.st_mode & 07777 & mode) == 0))
			return 0;
		snprintf(err, errlen, _("%s exists and is not a directory"), path);
		return -1;
	}
	snprintf(err, errlen, _("cannot create directory %s: %s"), path, strerror(errno));
	return -1;
}

static int add_entry(X509_NAME *name, int nid, const char *value)
{
	return X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
					  (const unsigned char *)value, -1, -1, 0);
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	int ok = ext && X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* certificatePolicies with the role's OID (wp_role_policy); built by hand,
 * since the text form of this extension needs an openssl.cnf database. */
static int add_role_policy(X509 *cert, enum wp_role role)
{
	const char *oid = wp_role_policy(role);
	CERTIFICATEPOLICIES *pols = sk_POLICYINFO_new_null();
	POLICYINFO *pi = POLICYINFO_new();
	int ok = oid && pols && pi && (pi->policyid = OBJ_txt2obj(oid, 1)) != NULL &&
		 sk_POLICYINFO_push(pols, pi) > 0;
	if (!ok)
		POLICYINFO_free(pi);
	ok = ok && X509_add1_ext_i2d(cert, NID_certificate_policies, pols, 0, X509V3_ADD_DEFAULT);
	sk_POLICYINFO_pop_free(pols, POLICYINFO_free);
	return ok;
}

/* A 127-bit random serial: unique without a counter file to keep. */
static int set_serial(X509 *cert)
{
	BIGNUM *bn = BN_new();
	int ok = bn && BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
		 BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
	BN_free(bn);
	return ok;
}

/* Fill a certificate's body; the caller adds subject entries first. */
static int set_body(X509 *cert, EVP_PKEY *key, long days, X509 *issuer)
{
	if (!X509_set_version(cert, 2) || !set_serial(cert) || !X509_set_pubkey(cert, key))
		return 0;
	/* a minute back, so an event signed right after issue verifies even
	 * with a clock that steps */
	if (!X509_gmtime_adj(X509_getm_notBefore(cert), -60) ||
	    !X509_gmtime_adj(X509_getm_notAfter(cert), days * 86400L))
		return 0;
	if (issuer && ASN1_TIME_compare(X509_get0_notAfter(issuer), X509_get0_notAfter(cert)) < 0 &&
	    !X509_set1_notAfter(cert, X509_get0_notAfter(issuer)))
		return 0;
	return X509_set_issuer_name(cert, X509_get_subject_name(issuer ? issuer : cert));
}

static int ca_certificate(EVP_PKEY *key, const char *org, int days, X509 **out)
{
	char cn[WP_NAME_MAX + 32];
	snprintf(cn, sizeof(cn), "%s wipeproof CA", org);
	X509 *cert = X509_new();
	int ok = cert && add_entry(X509_get_subject_name(cert), NID_organizationName, org) &&
		 add_entry(X509_get_subject_name(cert), NID_commonName, cn) &&
		 set_body(cert, key, days, NULL) &&
		 add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
		 add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") &&
		 add_ext(cert, cert, NID_subject_key_identifier, "hash") &&
		 X509_sign(cert, key, EVP_sha256());
	if (!ok) {
		X509_free(cert);
		return -1;
	}
	*out = cert;
	return 0;
}

/* Write key (0600) then certificate (0644); on failure neither remains. */
static int write_pair(const char *key_path, const char *cert_path, EVP_PKEY *key,
		      X509 *cert, const char *passphrase, char *err, size_t errlen)
{
	size_t klen = 0;
	char *kpem = wp_key_to_pem(key, passphrase, &klen);
	char *cpem = wp_cert_to_pem(cert);
	int rc = -1;
	if (!kpem || !cpem)
		snprintf(err, errlen, _("cannot encode the new key or certificate as PEM"));
	else if (wp_file_write_new(key_path, kpem, klen, 0600, err, errlen) == 0) {
		rc = wp_file_write_new(cert_path, cpem, strlen(cpem), 0644, err, errlen);
		if (rc < 0)
			unlink(key_path);
	}
	wp_secure_free(kpem, klen);
	free(cpem);
	return rc;
}

static int check_text(const char *what, const char *value, char *err, size_t errlen)
{
	if (!value || !value[0]) {
		snprintf(err, errlen, _("%s must not be empty"), what);
		return -1;
	}
	char why[256];
	if (wp_text_check(value, 128, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s %s", what, why);
		return -1;
	}
	return 0;
}

int wp_keys_init_ca(const char *dir, const char *org, int days,
		    const char *passphrase, struct wp_person *out,
		    char *err, size_t errlen)
{
	char key_path[PATH_LEN], cert_path[PATH_LEN], people[PATH_LEN];
	if (check_text("organisation name", org, err, errlen) < 0)
		return -1;
	snprintf(key_path, sizeof(key_path), "%s/" WP_CA_KEY, dir);
	snprintf(cert_path, sizeof(cert_path), "%s/" WP_CA_CERT, dir);
	snprintf(people, sizeof(people), "%s/" WP_PEOPLE, dir);
	if (make_dir(dir, 0755, err, errlen) < 0 || make_dir(people, 0700, err, errlen) < 0)
		return -1;
	if (access(cert_path, F_OK) == 0 || access(key_path, F_OK) == 0) {
		snprintf(err, errlen, _("%s already holds a CA (%s); one key store has one CA — "
			 "use another --keys DIR for a new one"), dir, cert_path);
		return -1;
	}
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = NULL;
	int rc = -1;
	if (!key || ca_certificate(key, org, days, &cert) < 0)
		snprintf(err, errlen, _("cannot create the CA key and certificate"));
	else if (write_pair(key_path, cert_path, key, cert, passphrase, err, errlen) == 0 &&
		 /* an empty revocation list from the start: `openssl cms -verify
		  * -crl_check` needs one even when nobody is revoked */
		 wp_crl_write(dir, cert, key, NULL, NULL, 0, 0, err, errlen) == 0)
		rc = wp_cert_person(cert, out, err, errlen);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/* ---- issue ------------------------------------------------------------- */

static int person_certificate(const struct wp_issue_request *req, EVP_PKEY *key,
			      X509 *ca, EVP_PKEY *ca_key, const char *org, X509 **out)
{
	X509 *cert = X509_new();
	X509_NAME *name = cert ? X509_get_subject_name(cert) : NULL;
	int ok = cert && add_entry(name, NID_organizationName, org) &&
		 add_entry(name, NID_commonName, req->name) &&
		 add_entry(name, NID_serialNumber, req->id) &&
		 add_entry(name, NID_title, req->title) &&
		 add_entry(name, NID_role, wp_role_name(req->role)) &&
		 set_body(cert, key, req->days, ca) &&
		 add_ext(cert, ca, NID_basic_constraints, "critical,CA:FALSE") &&
		 add_ext(cert, ca, NID_key_usage, "critical,digitalSignature,nonRepudiation") &&
		 /* the role once more, where stock openssl's -policy can check it */
		 add_role_policy(cert, req->role) &&
		 add_ext(cert, ca, NID_subject_key_identifier, "hash") &&
		 add_ext(cert, ca, NID_authority_key_identifier, "keyid:always") &&
		 X509_sign(cert, ca_key, EVP_sha256());
	if (!ok) {
		X509_free(cert);
		return -1;
	}
	*out = cert;
	return 0;
}

/* One person, one id: a name (normalised) that already belongs to another
 * id is refused, so separation of duties cannot be split over two
 * spellings; the same id again is that person's renewal or promotion. */
static int name_taken(const char *dir, const char *name, const char *id, char *err, size_t errlen)
{
	struct wp_person *people = NULL;
	size_t n = 0;
	if (wp_keys_list(dir, &people, &n, err, errlen) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (wp_name_same(people[i].name, name) && strcmp(people[i].id, id) != 0) {
			snprintf(err, errlen, _("'%s' already has a certificate (person id '%s', "
				 "fingerprint %.16s) in %s; a name must identify one person — to renew "
				 "or promote them give --id %s, else add a distinguishing detail to "
				 "the name"), name, people[i].id, people[i].fingerprint, dir,
				 people[i].id[0] ? people[i].id : "ID");
			rc = -1;
		}
	free(people);
	return rc;
}

/* A new person's id when none is given: 16 random hex digits, "P-" first so
 * it never looks like a fingerprint prefix. */
static int random_id(char out[WP_ID_MAX])
{
	unsigned char b[8];
	if (RAND_bytes(b, sizeof(b)) != 1)
		return -1;
	memcpy(out, "P-", 2);
	wp_hex_encode(b, sizeof(b), out + 2);
	return 0;
}

static int issue_with_ca(const char *dir, const struct wp_issue_request *req, X509 *ca,
			 EVP_PKEY *ca_key, struct wp_person *out, char *err, size_t errlen)
{
	struct wp_person ca_person;
	if (wp_cert_person(ca, &ca_person, err, errlen) < 0)
		return -1;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = NULL;
	int rc = -1;
	char key_path[PATH_LEN], cert_path[PATH_LEN];
	if (!key || person_certificate(req, key, ca, ca_key, ca_person.org, &cert) < 0)
		snprintf(err, errlen, _("cannot create the key and certificate for '%s'"), req->name);
	else if (wp_cert_person(cert, out, err, errlen) == 0) {
		snprintf(key_path, sizeof(key_path), "%s/" WP_PEOPLE "/%s.key", dir, out->fingerprint);
		snprintf(cert_path, sizeof(cert_path), "%s/" WP_PEOPLE "/%s.pem", dir, out->fingerprint);
		rc = write_pair(key_path, cert_path, key, cert, req->passphrase, err, errlen);
	}
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

int wp_keys_issue(const char *dir, const struct wp_issue_request *given,
		  struct wp_person *out, char *err, size_t errlen)
{
	struct wp_issue_request copy = *given, *req = &copy;
	char id[WP_ID_MAX];
	if (check_text("--name", req->name, err, errlen) < 0 ||
	    check_text("--title", req->title, err, errlen) < 0 ||
	    wp_name_check("--name", req->name, err, errlen) < 0 ||
	    wp_name_check("--title", req->title, err, errlen) < 0)
		return -1;
	if (req->id && wp_id_check(req->id, err, errlen) < 0)
		return -1;
	if (!req->id) {
		if (random_id(id) < 0) {
			snprintf(err, errlen, _("no random numbers for a new person id"));
			return -1;
		}
		req->id = id;
	}
	if (req->role == WP_ROLE_NONE || req->days <= 0) {
		snprintf(err, errlen, _("a person needs a role and a validity of at least one day"));
		return -1;
	}
	if (name_taken(dir, req->name, req->id, err, errlen) < 0)
		return -1;
	char path[PATH_LEN];
	X509 *ca = NULL;
	EVP_PKEY *ca_key = NULL;
	snprintf(path, sizeof(path), "%s/" WP_CA_CERT, dir);
	if (wp_cert_load(path, &ca, err, errlen) < 0) {
		snprintf(err + strlen(err), errlen - strlen(err),
			 "; create the CA first with 'wipeproof keys init-ca --org NAME --keys %s'", dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/" WP_CA_KEY, dir);
	int rc = wp_key_load(path, req->ca_passphrase_file, &ca_key, err, errlen);
	if (rc == 0 && X509_check_private_key(ca, ca_key) != 1) {
		snprintf(err, errlen, _("%s does not belong to the CA certificate in %s"), path, dir);
		rc = -1;
	}
	if (rc == 0)
		rc = issue_with_ca(dir, req, ca, ca_key, out, err, errlen);
	EVP_PKEY_free(ca_key);
	X509_free(ca);
	return rc;
}

/* ---- list -------------------------------------------------------------- */

static bool is_cert_name(const char *name)
{
	size_t n = strlen(name);
	return n == 64 + 4 && strcmp(name + 64, ".pem") == 0;
}

static int read_person(const char *dir, const char *file, struct wp_person *out,
		       char *err, size_t errlen)
{
	char path[PATH_LEN], why[300];
	snprintf(path, sizeof(path), "%s/" WP_PEOPLE "/%s", dir, file);
	X509 *cert = NULL;
	if (wp_cert_load(path, &cert, err, errlen) < 0)
		return -1;
	int rc = wp_cert_person(cert, out, why, sizeof(why));
	if (rc < 0)
		snprintf(err, errlen, "%s: %s", path, why);
	X509_free(cert);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	const struct wp_person *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->fingerprint, y->fingerprint);
}

int wp_keys_list(const char *dir, struct wp_person **out, size_t *n,
		 char *err, size_t errlen)
{
	char path[PATH_LEN];
	snprintf(path, sizeof(path), "%s/" WP_PEOPLE, dir);
	DIR *d = opendir(path);
	*out = NULL;
	*n = 0;
	if (!d) {
		snprintf(err, errlen, _("cannot open key store %s: %s; create it with "
			 "'wipeproof keys init-ca --org NAME --keys %s' or give --keys DIR"),
			 path, strerror(errno), dir);
		return -1;
	}
	size_t cap = 0;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (!is_cert_name(e->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			struct wp_person *grown = realloc(*out, cap * sizeof(**out));
			if (!grown) {
				snprintf(err, errlen, _("out of memory listing %s"), path);
				rc = -1;
				break;
			}
			*out = grown;
		}
		rc = read_person(dir, e->d_name, &(*out)[*n], err, errlen);
		if (rc == 0)
			(*n)++;
	}
	closedir(d);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), by_name);
	return 0;
}
