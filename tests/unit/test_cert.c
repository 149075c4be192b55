/* Certificates of sanitization: canonical documents, CMS signatures (and
 * the signers they refuse), QR payloads and trust bundles. */
#include "certs_internal.h"
#include "station.h"

#include "check_main.h"
#include "fixtures.h"
#include <openssl/pem.h> /* before cms.h, which declares PEM_write_bio_CMS after it */
#include <openssl/cms.h>
#include <openssl/x509v3.h>
#include <openssl/ecdsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

static char err[2048];
static char dir[64];
static struct wp_person ca_p, op_p, wit_p;
static struct wp_identity *op;
/* Today's dates: the keys are made at setup, and a signer must have been
 * valid on the certificate's date, so fixed dates would expire the test. */
static char today[11];

static void set_dates(void)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
}

/* The real builder's document (fixtures.h), not one written by hand:
 * what these tests check is what the tool issues. */
static json_t *sample_doc(void)
{
	json_t *doc = cert_fixture_doc(&op_p);
	ck_assert_ptr_nonnull(doc);
	return doc;
}

static void setup(void)
{
	set_dates();
	wp_fx_tmpdir(dir, sizeof(dir), "cert");
	wp_fx_ca(dir, "株式会社テスト", 30, &ca_p);
	wp_fx_issue(dir, "鈴木 一郎", "係員", WP_ROLE_OPERATOR, &op_p);
	wp_fx_issue(dir, "佐藤 花子", "総務課", WP_ROLE_WITNESS, &wit_p);
	ck_assert_int_eq(wp_identity_load(dir, "鈴木 一郎", NULL, &op, err, sizeof(err)), 0);
}

static void teardown(void)
{
	wp_identity_free(op);
	ck_assert_int_eq(wp_fx_rmtree(dir), 0);
}

static X509 *ca_cert(void)
{
	char path[128];
	X509 *ca = NULL;
	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	ck_assert_int_eq(wp_cert_load(path, &ca, err, sizeof(err)), 0);
	return ca;
}

/* ---- documents --------------------------------------------------------- */

START_TEST(canonical_round_trip)
{
	json_t *doc = sample_doc(), *back = NULL;
	char *text = wp_certdoc_canonical(doc, err, sizeof(err));
	ck_assert_msg(text != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(text, "\"営業部\"")); /* UTF-8 as is */
	ck_assert_ptr_null(strchr(text, '\n'));
	ck_assert(strncmp(text, "{\"asset\":{\"tag\":\"PC-0042\"},\"certificate_id\":", 44) == 0);
	ck_assert_int_eq(wp_certdoc_parse(text, strlen(text), &back, err, sizeof(err)), 0);
	ck_assert_str_eq(wp_certdoc_str(back, "media.serial"), "S5Y1NX0R");
	ck_assert_int_eq(wp_certdoc_int(back, "verification.coverage_permille"), 1000);
	ck_assert_int_eq(wp_certdoc_int(back, "media.serial"), -1);
	ck_assert_str_eq(wp_certdoc_str(back, "no.such.member"), "");
	json_decref(back);
	free(text);
	json_decref(doc);
}
END_TEST

START_TEST(refuses_non_canonical)
{
	json_t *doc = sample_doc(), *back = NULL;
	char *pretty = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	ck_assert_int_eq(wp_certdoc_parse(pretty, strlen(pretty), &back, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not in canonical form"));
	free(pretty);
	char *unsorted = json_dumps(doc, JSON_COMPACT);
	char *sorted = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	if (strcmp(unsorted, sorted) != 0)
		ck_assert_int_eq(wp_certdoc_parse(unsorted, strlen(unsorted), &back, err,
						  sizeof(err)), -1);
	free(unsorted);
	free(sorted);
	const char *dup = "{\"format\":\"a\",\"format\":\"b\"}";
	ck_assert_int_eq(wp_certdoc_parse(dup, strlen(dup), &back, err, sizeof(err)), -1);
	json_decref(doc);
}
END_TEST

START_TEST(refuses_reals_and_gaps)
{
	json_t *doc = sample_doc();
	json_object_set_new(json_object_get(doc, "verification"), "coverage_permille",
			    json_real(99.5));
	ck_assert_ptr_null(wp_certdoc_canonical(doc, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "real number"));
	json_decref(doc);

	doc = sample_doc();
	json_object_del(json_object_get(doc, "media"), "serial");
	ck_assert_ptr_null(wp_certdoc_canonical(doc, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "media.serial"));
	json_decref(doc);

	doc = sample_doc();
	json_object_set_new(doc, "result", json_string("failed"));
	ck_assert_int_eq(wp_certdoc_check(doc, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "is not sanitized, destroyed or free-space-wiped"));
	json_decref(doc);
}
END_TEST

/* The build's executable hash is what `sha256sum` prints (64 lower-case
 * hex digits; the value below is sha256sum of an empty file) and the commit
 * a git id: an abbreviated or upper-case hash cannot be compared by eye. */
/* Issue 17's members are optional (certificates from before have none) and
 * exact when present. */
static void expect_doc_refused(json_t *doc, const char *needle)
{
	char *text = wp_certdoc_canonical(doc, err, sizeof(err));
	ck_assert_msg(text == NULL, "accepted a document that should be refused (%s)", needle);
	ck_assert_msg(strstr(err, needle) != NULL, "error '%s' lacks '%s'", err, needle);
	json_decref(doc);
}

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

START_TEST(custody_model_fields)
{
	json_t *doc = sample_doc();
	json_object_set_new(doc, "confidentiality", json_pack("{s:s, s:s}", "pre", "機密性3",
							       "post", "なし"));
	json_object_set_new(doc, "approver", json_pack("{s:s, s:s, s:s, s:s}", "name", "山田",
							"title", "課長", "fingerprint", "ab",
							"date", "2026-12-01T09:00:00Z"));
	char *text = wp_certdoc_canonical(doc, err, sizeof(err));
	ck_assert_msg(text != NULL, "%s", err);
	free(text);
	json_object_set_new(doc, "confidentiality", json_pack("{s:s}", "pre", "機密性3"));
	expect_doc_refused(doc, "confidentiality must be {pre, post}");

	doc = sample_doc();
	json_object_set_new(doc, "approver", json_pack("{s:s, s:s, s:s, s:s}", "name", "山田",
							"title", "課長", "fingerprint", "ab",
							"date", "2026年12月1日"));
	expect_doc_refused(doc, "approver.date is not a UTC time");

	/* a vendor only on a destruction, with its certificate's digest */
	doc = sample_doc();
	json_object_set_new(doc, "vendor", json_pack("{s:s, s:s, s:s}", "name", "V", "date",
						      "2026-12-01", "certificate_sha256", HEX64));
	expect_doc_refused(doc, "vendor needs a destruction");
	doc = sample_doc();
	json_object_set_new(doc, "result", json_string("destroyed"));
	json_object_set_new(doc, "vendor", json_pack("{s:s, s:s, s:s}", "name", "V", "date",
						      "2026-12-01", "certificate_sha256", HEX64));
	text = wp_certdoc_canonical(doc, err, sizeof(err));
	ck_assert_msg(text != NULL, "%s", err);
	free(text);
	json_object_set_new(json_object_get(doc, "vendor"), "certificate_sha256", json_string("ABC"));
	expect_doc_refused(doc, "vendor certificate's SHA-256");

	doc = sample_doc();
	json_object_set_new(doc, "wipe_certificate", json_pack("{s:s, s:s}", "certificate_id", "c",
								"certificate_sha256", "00"));
	expect_doc_refused(doc, "wipe_certificate needs");

	/* an attested erasure: its own result, evidence and one of two categories */
	doc = sample_doc();
	json_object_set_new(doc, "result", json_string(WP_CERT_RESULT_ATTESTED));
	json_object_set_new(doc, "attestation", json_pack("{s:s, s:s}", "by", "self",
							   "evidence_sha256", HEX64));
	text = wp_certdoc_canonical(doc, err, sizeof(err));
	ck_assert_msg(text != NULL, "%s", err);
	free(text);
	json_object_set_new(json_object_get(doc, "sanitization"), "category", json_string("Purge"));
	expect_doc_refused(doc, "category Clear or");
	doc = sample_doc();
	json_object_set_new(doc, "result", json_string(WP_CERT_RESULT_ATTESTED));
	expect_doc_refused(doc, "attestation and result");
}
END_TEST

START_TEST(build_identity_fields)
{
	json_t *doc = sample_doc();
	json_t *san = json_object_get(doc, "sanitization");
	json_object_set_new(san, "tool_sha256", json_string(
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	json_object_set_new(san, "tool_commit",
			    json_string("77d7431921006130184d3c45a9217d9f1805738c-dirty"));
	ck_assert_msg(wp_certdoc_check(doc, err, sizeof(err)) == 0, "%s", err);
	const char *bad_sha[] = { "e3b0c442", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
				  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85z", "" };
	for (size_t i = 0; i < sizeof(bad_sha) / sizeof(bad_sha[0]); i++) {
		json_object_set_new(san, "tool_sha256", json_string(bad_sha[i]));
		ck_assert_int_eq(wp_certdoc_check(doc, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "tool_sha256") != NULL, "%s", err);
	}
	json_object_set_new(san, "tool_sha256", json_integer(1));
	ck_assert_int_eq(wp_certdoc_check(doc, err, sizeof(err)), -1);
	json_object_del(san, "tool_sha256");
	json_object_set_new(san, "tool_commit", json_string("main; rm -rf /"));
	ck_assert_int_eq(wp_certdoc_check(doc, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "tool_commit") != NULL, "%s", err);
	json_object_set_new(san, "tool_commit", json_string("unknown"));
	ck_assert_msg(wp_certdoc_check(doc, err, sizeof(err)) == 0, "%s", err);
	json_decref(doc);
}
END_TEST

/* The PC the disk was in (asset.computer, issue 19): optional, but when
 * present it names the PC's serial, and only serial, manufacturer and
 * model, as non-empty strings. */
START_TEST(computer_fields)
{
	json_t *doc = sample_doc();
	json_t *asset = json_object_get(doc, "asset");
	json_object_set_new(asset, "computer", json_pack("{s:s, s:s, s:s}", "serial", "PF-2X7Q9K",
							 "manufacturer", "LENOVO", "model", "20XW"));
	ck_assert_msg(wp_certdoc_check(doc, err, sizeof(err)) == 0, "%s", err);
	json_object_set_new(asset, "computer", json_pack("{s:s}", "serial", "PF-2X7Q9K"));
	ck_assert_msg(wp_certdoc_check(doc, err, sizeof(err)) == 0, "%s", err);
	json_t *bad[] = {
		json_pack("{s:s, s:s}", "manufacturer", "LENOVO", "model", "20XW"),
		json_pack("{s:s}", "serial", ""),
		json_pack("{s:s, s:s}", "serial", "PF-2X7Q9K", "model", ""),
		json_pack("{s:s, s:i}", "serial", "PF-2X7Q9K", "model", 20),
		json_pack("{s:s, s:s}", "serial", "PF-2X7Q9K", "owner", "someone"),
		json_string("PF-2X7Q9K"),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object_set_new(asset, "computer", bad[i]);
		ck_assert_int_eq(wp_certdoc_check(doc, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "asset.computer") != NULL, "%s", err);
	}
	json_decref(doc);
}
END_TEST

/* A free-space certificate says so in result and scope; no other result
 * may carry a scope. */
START_TEST(free_space_scope)
{
	json_t *doc = sample_doc();
	json_object_set_new(doc, "result", json_string(WP_CERT_RESULT_FREE_SPACE));
	ck_assert_int_eq(wp_certdoc_check(doc, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "scope.kind") != NULL, "%s", err);
	json_t *scope = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "kind", "free-space",
				  "description", "free space of ext4 on /dev/sdb1", "filesystem",
				  "ext4", "mountpoint", "/srv", "device", "/dev/sdb1", "free_bytes", 5);
	json_object_set(doc, "scope", scope);
	ck_assert_msg(wp_certdoc_check(doc, err, sizeof(err)) == 0, "%s", err);
	json_object_set_new(scope, "kind", json_string("partition"));
	ck_assert_int_eq(wp_certdoc_check(doc, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "scope.kind must be") != NULL, "%s", err);
	json_object_set_new(scope, "kind", json_string("free-space"));
	json_object_set_new(doc, "result", json_string("sanitized"));
	ck_assert_int_eq(wp_certdoc_check(doc, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "has a 'scope'") != NULL, "%s", err);
	json_decref(scope);
	json_decref(doc);
}
END_TEST

/* Issue 15: "wiped" only with nothing left unreached; "partial" must say
 * how much (> 0); an old certificate without the figure still checks. */
START_TEST(free_space_unreached)
{
	json_t *doc = sample_doc();
	json_t *scope = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "kind", "free-space",
				  "description", "free space of xfs on /dev/sdb1", "filesystem",
				  "xfs", "mountpoint", "/srv", "device", "/dev/sdb1", "free_bytes", 5);
	json_object_set(doc, "scope", scope);
	json_object_set_new(doc, "result", json_string(WP_CERT_RESULT_FREE_SPACE));
	ck_assert_msg(wp_certdoc_check(doc, err, sizeof(err)) == 0, "%s", err);
	json_object_set_new(scope, "unreached_bytes", json_integer(3383296));
	ck_assert_int_eq(wp_certdoc_check(doc, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "contradicts scope.unreached_bytes 3383296") != NULL, "%s", err);
	json_object_set_new(doc, "result", json_string("free-space-partial"));
	ck_assert_msg(wp_certdoc_check(doc, err, sizeof(err)) == 0, "%s", err);
	json_object_set_new(scope, "unreached_bytes", json_integer(0));
	ck_assert_int_eq(wp_certdoc_check(doc, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "contradicts") != NULL, "%s", err);
	json_object_del(scope, "unreached_bytes");
	ck_assert_int_eq(wp_certdoc_check(doc, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "scope.unreached_bytes") != NULL, "%s", err);
	json_object_set_new(doc, "result", json_string(WP_CERT_RESULT_FREE_SPACE));
	json_object_set_new(scope, "unreached_bytes", json_integer(0));
	ck_assert_msg(wp_certdoc_check(doc, err, sizeof(err)) == 0, "%s", err);
	json_decref(scope);
	json_decref(doc);
}
END_TEST

/* ---- CMS signatures ---------------------------------------------------- */

static char *doc_text(void)
{
	json_t *doc = sample_doc();
	char *text = wp_certdoc_canonical(doc, err, sizeof(err));
	json_decref(doc);
	ck_assert_ptr_nonnull(text);
	return text;
}

START_TEST(cms_sign_and_verify)
{
	char *text = doc_text(), *pem = NULL;
	X509 *ca = ca_cert();
	struct wp_cms_signer s;
	ck_assert_int_eq(wp_cms_sign(op, text, strlen(text), &pem, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(pem, "-----BEGIN CMS-----"));
	ck_assert_int_eq(wp_cms_verify(pem, strlen(pem), text, strlen(text), ca, &s, err,
				       sizeof(err)), 0);
	ck_assert_str_eq(s.person.name, "鈴木 一郎");
	ck_assert_str_eq(s.person.fingerprint, op_p.fingerprint);
	ck_assert(labs((long)(s.signed_at - time(NULL))) < 60);
	text[10] ^= 1;
	ck_assert_int_eq(wp_cms_verify(pem, strlen(pem), text, strlen(text), ca, &s, err,
				       sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "does not match the document"));
	ck_assert_int_eq(wp_cms_verify("junk", 4, text, strlen(text), ca, &s, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a PEM CMS"));
	X509_free(ca);
	free(pem);
	free(text);
}
END_TEST

/* Sign with any certificate and key, as an attacker (or a mistake) would. */
static char *cms_with(X509 *cert, EVP_PKEY *key, const char *text)
{
	BIO *in = BIO_new_mem_buf(text, (int)strlen(text)), *out = BIO_new(BIO_s_mem());
	CMS_ContentInfo *cms = CMS_sign(cert, key, NULL, in, CMS_DETACHED | CMS_BINARY);
	ck_assert_ptr_nonnull(cms);
	ck_assert(PEM_write_bio_CMS(out, cms));
	char *pem = wp_bio_take_string(out, NULL);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	BIO_free(out);
	return pem;
}

/* A certificate for an operator, valid from..until (seconds from now),
 * signed by issuer_key (NULL: self-signed). */
static X509 *operator_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, long from, long until)
{
	X509 *c = X509_new();
	X509_NAME *n = X509_get_subject_name(c);
	X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8, (unsigned char *)"偽 名", -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_role, MBSTRING_UTF8, (unsigned char *)"operator", -1, -1, 0);
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), 7);
	X509_gmtime_adj(X509_getm_notBefore(c), from);
	X509_gmtime_adj(X509_getm_notAfter(c), until);
	X509_set_pubkey(c, key);
	X509_set_issuer_name(c, X509_get_subject_name(issuer ? issuer : c));
	/* the extensions every person's certificate has (wp_cert_check
	 * requires them), so that only the issuer or the dates are wrong */
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer ? issuer : c, c, NULL, NULL, 0);
	X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:FALSE");
	X509_EXTENSION *ku = X509V3_EXT_conf_nid(NULL, &ctx, NID_key_usage, "critical,digitalSignature");
	ck_assert(bc && ku && X509_add_ext(c, bc, -1) && X509_add_ext(c, ku, -1));
	X509_EXTENSION_free(bc);
	X509_EXTENSION_free(ku);
	ck_assert(X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256()));
	return c;
}

START_TEST(cms_refuses_signers)
{
	char *text = doc_text(), path[128];
	X509 *ca = ca_cert();
	EVP_PKEY *ca_key = NULL, *key = EVP_EC_gen("P-256");
	struct wp_cms_signer s;
	snprintf(path, sizeof(path), "%s/ca.key", dir);
	ck_assert_int_eq(wp_key_load(path, NULL, &ca_key, err, sizeof(err)), 0);

	/* not issued by the CA */
	X509 *self = operator_cert(key, NULL, NULL, -3600, 86400);
	char *pem = cms_with(self, key, text);
	ck_assert_int_eq(wp_cms_verify(pem, strlen(pem), text, strlen(text), ca, &s, err,
				       sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not certified by this CA"), "%s", err);
	free(pem);

	/* issued by the CA, but expired before the signature was made */
	X509 *old = operator_cert(key, ca, ca_key, -10 * 86400, -86400);
	pem = cms_with(old, key, text);
	ck_assert_int_eq(wp_cms_verify(pem, strlen(pem), text, strlen(text), ca, &s, err,
				       sizeof(err)), -1);
	ck_assert_msg(strstr(err, "expired"), "%s", err);
	free(pem);

	/* a witness may co-sign a destruction, not a certificate */
	struct wp_identity *wit = NULL;
	ck_assert_int_eq(wp_identity_load(dir, "佐藤 花子", NULL, &wit, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_cms_sign(wit, text, strlen(text), &pem, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_cms_verify(pem, strlen(pem), text, strlen(text), ca, &s, err,
				       sizeof(err)), -1);
	ck_assert_msg(strstr(err, "role 'witness'"), "%s", err);
	free(pem);
	wp_identity_free(wit);

	X509_free(self);
	X509_free(old);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	X509_free(ca);
	free(text);
}
END_TEST

/* ---- QR payloads -------------------------------------------------------- */

static char *signed_qr(struct wp_qr *q)
{
	json_t *doc = sample_doc();
	char *text = NULL;
	json_object_set_new(json_object_get(doc, "media"), "model", json_string("Odd|Model 100%"));
	ck_assert_int_eq(wp_qr_from_doc(doc, "3a129cc42709c4a2d98fd20ca4cb0d239129abf09831d1e6749fddbe2f74ee4f",
					q, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_qr_sign(op, q, &text, err, sizeof(err)), 0);
	json_decref(doc);
	return text;
}

static X509 **bundle(size_t *n)
{
	char path[128];
	X509 **certs = NULL;
	char *pem = wp_trust_export(dir, err, sizeof(err));
	ck_assert_ptr_nonnull(pem);
	snprintf(path, sizeof(path), "%s/bundle.pem", dir);
	FILE *f = fopen(path, "w");
	fputs(pem, f);
	fclose(f);
	free(pem);
	ck_assert_int_eq(wp_trust_load(path, &certs, n, err, sizeof(err)), 0);
	return certs;
}

START_TEST(qr_round_trip)
{
	struct wp_qr q, back;
	struct wp_person signer;
	size_t n = 0;
	char *text = signed_qr(&q);
	X509 **certs = bundle(&n);
	ck_assert_uint_eq(n, 3); /* CA, operator, witness */
	ck_assert_uint_le(strlen(text), 400);
	ck_assert_ptr_nonnull(strstr(text, "|Odd%7CModel 100%25|"));
	ck_assert_int_eq(wp_qr_verify(text, certs, n, &back, &signer, err, sizeof(err)), 0);
	ck_assert_str_eq(back.model, "Odd|Model 100%");
	ck_assert_str_eq(back.serial, "S5Y1NX0R");
	ck_assert_str_eq(back.category, "Clear");
	ck_assert_str_eq(back.date, today);
	ck_assert_str_eq(back.fingerprint, op_p.fingerprint);
	ck_assert_str_eq(signer.name, "鈴木 一郎");

	/* one character changed anywhere: refused */
	for (size_t i = 0; i < strlen(text); i += 7) {
		char *bad = strdup(text);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		ck_assert_int_eq(wp_qr_verify(bad, certs, n, &back, &signer, err, sizeof(err)), -1);
		free(bad);
	}
	/* the signer must be in the bundle */
	ck_assert_int_eq(wp_qr_verify(text, certs, 1, &back, &signer, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not in the trust bundle"));
	wp_trust_free(certs, n);
	free(text);
}
END_TEST

START_TEST(qr_parse_is_strict)
{
	struct wp_qr q;
	static const char *const bad[] = {
		"", "WPC1", "WPC2|a|b|c|d|e|f|g|h|i|j", "WPC1|||||||||||",
		"WPC1|0b8e5f0e-3a43-4c1b-9d2e-3c0f4a1b2c3d|S|M|random|Clear|sanitized|2026-13-01|"
		"3a129cc42709c4a2d98fd20ca4cb0d239129abf09831d1e6749fddbe2f74ee4f|"
		"IwLbTqhzSZEVkNvltPvzu3uIoZATMt2_V4iCDZjdBkM|MEYC",
		"WPC1|0b8e5f0e-3a43-4c1b-9d2e-3c0f4a1b2c3d|S%7|M|random|Clear|sanitized|2026-11-01|"
		"3a129cc42709c4a2d98fd20ca4cb0d239129abf09831d1e6749fddbe2f74ee4f|"
		"IwLbTqhzSZEVkNvltPvzu3uIoZATMt2_V4iCDZjdBkM|MEYC",
		"WPC1|0b8e5f0e-3a43-4c1b-9d2e-3c0f4a1b2c3d|S|M|random|Clear|sanitized|2026-11-01|"
		"3a129cc42709c4a2d98fd20ca4cb0d239129abf09831d1e6749fddbe2f74ee4f|"
		"IwLbTqhzSZEVkNvltPvzu3uIoZATMt2_V4iCDZjdBk=|MEYC",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(wp_qr_parse(bad[i], &q, err, sizeof(err)) == -1, "accepted %s", bad[i]);
	const char *good = "WPC1|0b8e5f0e-3a43-4c1b-9d2e-3c0f4a1b2c3d|S|M|random|Clear|sanitized|"
			   "2026-11-01|3a129cc42709c4a2d98fd20ca4cb0d239129abf09831d1e6749fddbe2f74ee4f|"
			   "IwLbTqhzSZEVkNvltPvzu3uIoZATMt2_V4iCDZjdBkM|MEYC";
	ck_assert_int_eq(wp_qr_parse(good, &q, err, sizeof(err)), 0);
}
END_TEST


/* ---- one spelling per signature (low s) --------------------------------- */

/* The order n of P-256 from SEC 2 (2.4.2), not from OpenSSL or lows.c. */
static BIGNUM *p256_order(void)
{
	BIGNUM *n = NULL;
	ck_assert(BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"));
	return n;
}

static bool der_is_high(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	ck_assert_ptr_nonnull(sig);
	const BIGNUM *s = NULL;
	ECDSA_SIG_get0(sig, NULL, &s);
	BIGNUM *n = p256_order(), *half = BN_new();
	BN_rshift1(half, n);
	bool high = BN_cmp(s, half) > 0;
	BN_free(n);
	BN_free(half);
	ECDSA_SIG_free(sig);
	return high;
}

/* (r, s) -> (r, n - s): the other valid spelling, made without the key. */
static size_t der_flip(const unsigned char *der, size_t len, unsigned char *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	ck_assert_ptr_nonnull(sig);
	const BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG_get0(sig, &r, &s);
	BIGNUM *n = p256_order(), *s2 = BN_new(), *r2 = BN_dup(r);
	ck_assert(BN_sub(s2, n, s));
	ck_assert(ECDSA_SIG_set0(sig, r2, s2));
	unsigned char *enc = NULL;
	int m = i2d_ECDSA_SIG(sig, &enc);
	ck_assert_int_gt(m, 0);
	memcpy(out, enc, (size_t)m);
	OPENSSL_free(enc);
	BN_free(n);
	ECDSA_SIG_free(sig);
	return (size_t)m;
}

static bool raw_verify(X509 *cert, const void *data, size_t len, const unsigned char *sig,
		       size_t siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	bool ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(cert)) == 1 &&
		  EVP_DigestVerify(md, sig, siglen, data, len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

/* Ledger columns and QR: every signature made is low; its high twin,
 * a valid signature to OpenSSL, is refused. 24 signatures: without the
 * normalisation about half would be high. */
START_TEST(sig_low_s_only)
{
	X509 *cert = wp_identity_cert(op);
	for (int i = 0; i < 24; i++) {
		char *hex = NULL, *flipped = NULL;
		unsigned char *der = NULL, twin[80];
		size_t len = 0;
		ck_assert_int_eq(wp_identity_sign_hex(op, "hash", 4, &hex, err, sizeof(err)), 0);
		ck_assert_int_eq(wp_hex_decode(hex, &der, &len), 0);
		ck_assert_msg(!der_is_high(der, len), "signature %d has a high s", i);
		size_t tl = der_flip(der, len, twin);
		ck_assert(raw_verify(cert, "hash", 4, twin, tl));
		flipped = malloc(2 * tl + 1);
		wp_hex_encode(twin, tl, flipped);
		ck_assert_int_eq(wp_sig_verify(cert, "hash", 4, hex, err, sizeof(err)), 0);
		ck_assert_int_eq(wp_sig_verify(cert, "hash", 4, flipped, err, sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "one accepted form"));
		free(flipped);
		free(hex);
		free(der);
	}
}
END_TEST

static ASN1_OCTET_STRING *cms_sig(CMS_ContentInfo *cms)
{
	return CMS_SignerInfo_get0_signature(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0));
}

START_TEST(cms_low_s_only)
{
	char *text = doc_text();
	X509 *ca = ca_cert();
	struct wp_cms_signer s;
	for (int i = 0; i < 12; i++) {
		char *pem = NULL;
		ck_assert_int_eq(wp_cms_sign(op, text, strlen(text), &pem, err, sizeof(err)), 0);
		BIO *b = BIO_new_mem_buf(pem, (int)strlen(pem)), *out = BIO_new(BIO_s_mem());
		CMS_ContentInfo *cms = PEM_read_bio_CMS(b, NULL, NULL, NULL);
		ck_assert_ptr_nonnull(cms);
		ASN1_OCTET_STRING *os = cms_sig(cms);
		ck_assert_msg(!der_is_high(ASN1_STRING_get0_data(os), (size_t)ASN1_STRING_length(os)),
			      "CMS signature %d has a high s", i);
		/* the rewritten signature still verifies with stock openssl cms */
		char doc_path[160], sig_path[160], cmd[700];
		snprintf(doc_path, sizeof(doc_path), "%s/doc.json", dir);
		snprintf(sig_path, sizeof(sig_path), "%s/doc.json.p7s", dir);
		FILE *f = fopen(doc_path, "w");
		fputs(text, f);
		fclose(f);
		f = fopen(sig_path, "w");
		fputs(pem, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "openssl cms -verify -binary -content %s -in %s -inform PEM "
			 "-CAfile %s/ca.pem -purpose any >/dev/null 2>&1", doc_path, sig_path, dir);
		ck_assert_msg(system(cmd) == 0, "stock openssl refused CMS signature %d", i);
		unsigned char twin[80];
		size_t tl = der_flip(ASN1_STRING_get0_data(os), (size_t)ASN1_STRING_length(os), twin);
		ck_assert(ASN1_OCTET_STRING_set(os, twin, (int)tl));
		ck_assert(PEM_write_bio_CMS(out, cms));
		char *high = wp_bio_take_string(out, NULL);
		/* still a valid signature to OpenSSL itself... */
		BIO *content = BIO_new_mem_buf(text, (int)strlen(text));
		ck_assert_int_eq(CMS_verify(cms, NULL, NULL, content, NULL,
					    CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY), 1);
		/* ...but not the one wipeproof wrote */
		ck_assert_int_eq(wp_cms_verify(pem, strlen(pem), text, strlen(text), ca, &s, err,
					       sizeof(err)), 0);
		ck_assert_int_eq(wp_cms_verify(high, strlen(high), text, strlen(text), ca, &s, err,
					       sizeof(err)), -1);
		ck_assert_msg(strstr(err, "one accepted form") != NULL, "%s", err);
		BIO_free(content);
		free(high);
		CMS_ContentInfo_free(cms);
		BIO_free(b);
		BIO_free(out);
		free(pem);
	}
	X509_free(ca);
	free(text);
}
END_TEST

/* The validator's second signature (cert-ID.json.validator.p7s) is held
 * to the same one spelling: signed low, its high twin refused by
 * wp_cms_verify_validator as by wp_cms_verify. */
START_TEST(cms_validator_low_s_only)
{
	char *text = doc_text();
	X509 *ca = ca_cert();
	struct wp_cms_signer s;
	struct wp_identity *wit = NULL;
	ck_assert_int_eq(wp_identity_load(dir, "佐藤 花子", NULL, &wit, err, sizeof(err)), 0);
	for (int i = 0; i < 8; i++) {
		char *pem = NULL;
		ck_assert_int_eq(wp_cms_sign(wit, text, strlen(text), &pem, err, sizeof(err)), 0);
		BIO *b = BIO_new_mem_buf(pem, (int)strlen(pem)), *out = BIO_new(BIO_s_mem());
		CMS_ContentInfo *cms = PEM_read_bio_CMS(b, NULL, NULL, NULL);
		ck_assert_ptr_nonnull(cms);
		ASN1_OCTET_STRING *os = cms_sig(cms);
		ck_assert_msg(!der_is_high(ASN1_STRING_get0_data(os), (size_t)ASN1_STRING_length(os)),
			      "validator signature %d has a high s", i);
		unsigned char twin[80];
		size_t tl = der_flip(ASN1_STRING_get0_data(os), (size_t)ASN1_STRING_length(os), twin);
		ck_assert(ASN1_OCTET_STRING_set(os, twin, (int)tl));
		ck_assert(PEM_write_bio_CMS(out, cms));
		char *high = wp_bio_take_string(out, NULL);
		BIO *content = BIO_new_mem_buf(text, (int)strlen(text));
		ck_assert_int_eq(CMS_verify(cms, NULL, NULL, content, NULL,
					    CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY), 1);
		ck_assert_msg(wp_cms_verify_validator(pem, strlen(pem), text, strlen(text), ca, &s,
						      err, sizeof(err)) == 0, "%s", err);
		ck_assert_str_eq(s.person.name, "佐藤 花子");
		ck_assert_int_eq(wp_cms_verify_validator(high, strlen(high), text, strlen(text), ca,
							 &s, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "one accepted form") != NULL, "%s", err);
		BIO_free(content);
		free(high);
		CMS_ContentInfo_free(cms);
		BIO_free(b);
		BIO_free(out);
		free(pem);
	}
	wp_identity_free(wit);
	X509_free(ca);
	free(text);
}
END_TEST

static int b64url_val(char c)
{
	const char *set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *p = strchr(set, c);
	return p && c ? (int)(p - set) : -1;
}

static size_t b64url_dec(const char *in, unsigned char *out)
{
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (; *in; in++) {
		acc = acc << 6 | (unsigned)b64url_val(*in);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	return o;
}

static void b64url_enc(const unsigned char *in, size_t n, char *out)
{
	const char *set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			out[o++] = set[(acc >> bits) & 63];
		}
	}
	if (bits)
		out[o++] = set[(acc << (6 - bits)) & 63];
	out[o] = '\0';
}

START_TEST(qr_low_s_only)
{
	size_t n = 0;
	X509 **certs = bundle(&n);
	struct wp_qr q, back;
	struct wp_person signer;
	for (int i = 0; i < 12; i++) {
		char *text = signed_qr(&q);
		char *bar = strrchr(text, '|');
		unsigned char der[80], twin[80];
		char high[600];
		size_t len = b64url_dec(bar + 1, der);
		ck_assert_msg(!der_is_high(der, len), "QR signature %d has a high s", i);
		size_t tl = der_flip(der, len, twin);
		snprintf(high, sizeof(high), "%.*s|", (int)(bar - text), text);
		b64url_enc(twin, tl, high + strlen(high));
		ck_assert(raw_verify(wp_identity_cert(op), text, (size_t)(bar - text), twin, tl));
		ck_assert_int_eq(wp_qr_verify(text, certs, n, &back, &signer, err, sizeof(err)), 0);
		ck_assert_int_eq(wp_qr_verify(high, certs, n, &back, &signer, err, sizeof(err)), -1);
		free(text);
	}
	wp_trust_free(certs, n);
}
END_TEST


/* A method longer than the QR's 31 bytes: cut on a character boundary
 * with a visible "…", checked by the C library's own UTF-8 decoder. */
START_TEST(qr_long_method_cut_on_character)
{
	static const char *const methods[] = {
		"物理破壊（シュレッダーによる粉砕、立会いあり）",
		"a物理破壊（シュレッダーによる粉砕）", "ab物理破壊（シュレッダーによる粉砕）",
		"random", "0123456789012345678901234567890", "01234567890123456789012345678901",
	};
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
	size_t n = 0;
	X509 **certs = bundle(&n);
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		json_t *doc = sample_doc();
		struct wp_qr q, back;
		struct wp_person signer;
		char *text = NULL;
		json_object_set_new(json_object_get(doc, "sanitization"), "method",
				    json_string(methods[i]));
		ck_assert_int_eq(wp_qr_from_doc(doc, "3a129cc42709c4a2d98fd20ca4cb0d239129abf09831d1e6749fddbe2f74ee4f",
						&q, err, sizeof(err)), 0);
		size_t len = strlen(q.method), orig = strlen(methods[i]);
		ck_assert_uint_lt(len, sizeof(q.method));
		mbstate_t st = { 0 };
		const char *src = q.method;
		ck_assert_msg(mbsrtowcs(NULL, &src, 0, &st) != (size_t)-1, "not UTF-8: %s", q.method);
		if (orig < sizeof(q.method)) {
			ck_assert_str_eq(q.method, methods[i]);
		} else {
			ck_assert_msg(len >= 3 && strcmp(q.method + len - 3, "…") == 0, "%s", q.method);
			ck_assert(strncmp(q.method, methods[i], len - 3) == 0);
		}
		ck_assert_int_eq(wp_qr_sign(op, &q, &text, err, sizeof(err)), 0);
		ck_assert_int_eq(wp_qr_verify(text, certs, n, &back, &signer, err, sizeof(err)), 0);
		ck_assert_str_eq(back.method, q.method);
		free(text);
		json_decref(doc);
	}
	wp_trust_free(certs, n);
}
END_TEST

START_TEST(sha256_digest)
{
	char sha[WP_FPR_HEX];
	wp_sha256_hex("abc", 3, sha);
	ck_assert_str_eq(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cert");
	TCase *tc = tcase_create("cert");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, canonical_round_trip);
	tcase_add_test(tc, refuses_non_canonical);
	tcase_add_test(tc, refuses_reals_and_gaps);
	tcase_add_test(tc, free_space_scope);
	tcase_add_test(tc, free_space_unreached);
	tcase_add_test(tc, build_identity_fields);
	tcase_add_test(tc, custody_model_fields);
	tcase_add_test(tc, computer_fields);
	tcase_add_test(tc, cms_sign_and_verify);
	tcase_add_test(tc, cms_refuses_signers);
	tcase_add_test(tc, qr_round_trip);
	tcase_add_test(tc, qr_parse_is_strict);
	tcase_add_test(tc, sha256_digest);
	tcase_add_test(tc, sig_low_s_only);
	tcase_add_test(tc, cms_low_s_only);
	tcase_add_test(tc, cms_validator_low_s_only);
	tcase_add_test(tc, qr_low_s_only);
	tcase_add_test(tc, qr_long_method_cut_on_character);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return wp_run_suite(suite());
}
