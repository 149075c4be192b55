/*
 * station/ without cli/: the certificate the real builder makes
 * (certbuild.c), issuing it from a ledger (certify.c), the custody event
 * bodies a person records (custody.c) against custody's own rules, and the
 * auditor's verdict (audit.c) for a good certificate and for each kind of
 * tampering. Links wp_station, not wp_cli.
 *
 * Oracles that are not the code under test: the expected members below are
 * written out from the fixture's inputs and NIST SP 800-88 r1 (overwriting
 * is Clear; flash cannot reach Purge by overwriting), the dates with
 * strftime here, the independent signer is stock `openssl cms`, and the
 * low-s rule is checked with P-256's order from SEC 2.
 */
#include "custody_internal.h"
#include "station.h"
#include "wptext.h"

#include "check_main.h"
#include "fixtures.h"
#include <sqlite3.h>
#include <openssl/pem.h> /* before cms.h */
#include <openssl/cms.h>
#include <openssl/ecdsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char err[2048];

/* ---- the builder --------------------------------------------------------- */

static struct wp_person issuer_p = {
	.name = "鈴木 一郎", .title = "係員", .org = "株式会社テスト", .role = WP_ROLE_OPERATOR,
	.fingerprint = "1111111111111111111111111111111111111111111111111111111111111111",
};

struct member {
	const char *path;
	const char *str;     /* NULL: an integer */
	long long num;
};

static void day_time(int seconds, char *out, size_t len)
{
	time_t t = cert_fixture_midnight() + seconds;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static size_t count_leaves(const json_t *v)
{
	const char *k;
	json_t *m;
	size_t n = 0;
	if (!json_is_object(v))
		return 1;
	json_object_foreach((json_t *)v, k, m)
		n += count_leaves(m);
	return n;
}

/* Every member the fixture's wipe certificate has, and nothing else: a
 * member altered, dropped or added by the builder fails here. */
START_TEST(builder_members_are_the_expected_ones)
{
	char start[24], end[24], issued[24];
	day_time(0, start, sizeof(start));
	day_time(240, end, sizeof(end));
	day_time(300, issued, sizeof(issued));
	const char *fpr = issuer_p.fingerprint;
	const struct member want[] = {
		{ "format", "wipeproof-certificate", 0 }, { "format_version", NULL, 1 },
		{ "certificate_id", "0b8e5f0e-3a43-4c1b-9d2e-3c0f4a1b2c3d", 0 },
		{ "issued_utc", issued, 0 }, { "result", "sanitized", 0 },
		{ "destination", "reuse (再利用)", 0 }, { "organisation", "株式会社テスト", 0 },
		{ "issued_by.name", "鈴木 一郎", 0 }, { "issued_by.title", "係員", 0 },
		{ "issued_by.role", "operator", 0 }, { "issued_by.fingerprint", fpr, 0 },
		{ "asset.tag", "PC-0042", 0 },
		{ "media.manufacturer", "Samsung", 0 }, { "media.model", "Samsung SSD 870", 0 },
		{ "media.serial", "S5Y1NX0R", 0 }, { "media.property_number", "PC-0042", 0 },
		{ "media.media_type", "flash (SSD)", 0 }, { "media.media_source", "PC-0042", 0 },
		{ "media.size_bytes", NULL, 1073741824 }, { "media.transport", "sata", 0 },
		{ "ledger.seq", NULL, 6 },
		{ "ledger.head_hash", "0000000000000000000000000000000000000000000000000000000000000000", 0 },
		/* SP 800-88 r1: overwriting is Clear, and flash gets the note */
		{ "sanitization.category", "Clear", 0 },
		{ "sanitization.description", "Clear: every block of the device overwritten and read "
		  "back (上書き消去・読み戻し検証)", 0 },
		/* a job without the planner's category: the planner's reason for one
		 * overwrite of an SSD (SP 800-88 Rev.1 Table A-8: Clear), not a rule
		 * of the certificate's own (issue 16, is_flash) */
		{ "sanitization.note", "overwriting flash is Clear, never Purge: the controller keeps "
		  "old copies in spare and remapped blocks that no write reaches", 0 },
		{ "sanitization.method", "random", 0 },
		{ "sanitization.method_description", "one pass of AES-256-CTR random data "
		  "(verifiable from its key)", 0 },
		{ "sanitization.method_details", "1 pass over the whole device (AES-256-CTR "
		  "keystream), O_DIRECT writes, flushed after every pass", 0 },
		{ "sanitization.tool", "wipeproof", 0 }, { "sanitization.tool_version", "0.1.0", 0 },
		{ "sanitization.started_utc", start, 0 }, { "sanitization.ended_utc", end, 0 },
		{ "sanitization.job_id", "j-1", 0 }, { "sanitization.passes", NULL, 1 },
		{ "sanitization.bytes_written", NULL, 1073741824 },
		{ "sanitization.duration_s", NULL, 240 },
		/* 2^30 bytes in 240 s, rounded down */
		{ "sanitization.throughput_bytes_per_s", NULL, 4473924 },
		{ "sanitization.report", "/r.json", 0 },
		{ "sanitization.report_sha256",
		  "3a129cc42709c4a2d98fd20ca4cb0d239129abf09831d1e6749fddbe2f74ee4f", 0 },
		{ "verification.method", "full read-back of every block, compared with the final "
		  "pass", 0 },
		{ "verification.mode", "full", 0 }, { "verification.bytes_checked", NULL, 1073741824 },
		{ "verification.coverage_permille", NULL, 1000 },
		{ "verification.coverage_percent", "100.0", 0 },
		{ "verification.mismatched_blocks", NULL, 0 },
		{ "sanitized_by.name", "鈴木 一郎", 0 }, { "sanitized_by.title", "係員", 0 },
		{ "sanitized_by.role", "operator", 0 }, { "sanitized_by.fingerprint", fpr, 0 },
		{ "sanitized_by.date", end, 0 }, { "sanitized_by.location", "本社", 0 },
		{ "sanitized_by.contact", "営業部", 0 },
		{ "verified_by.name", "鈴木 一郎", 0 }, { "verified_by.title", "係員", 0 },
		{ "verified_by.role", "operator", 0 }, { "verified_by.fingerprint", fpr, 0 },
		{ "verified_by.date", end, 0 }, { "verified_by.location", "本社", 0 },
		{ "verified_by.contact", "営業部", 0 },
		{ "signing.policy", "two-person", 0 },
		{ "signing.validator", "an approver or witness other than the issuer, in "
		  "cert-ID.json.validator.p7s", 0 },
	};
	json_t *doc = cert_fixture_doc(&issuer_p);
	ck_assert_ptr_nonnull(doc);
	ck_assert_msg(wp_certdoc_check(doc, err, sizeof(err)) == 0, "%s", err);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (want[i].str)
			ck_assert_msg(strcmp(wp_certdoc_str(doc, want[i].path), want[i].str) == 0,
				      "%s is '%s', expected '%s'", want[i].path,
				      wp_certdoc_str(doc, want[i].path), want[i].str);
		else
			ck_assert_msg(wp_certdoc_int(doc, want[i].path) == want[i].num,
				      "%s is %lld, expected %lld", want[i].path,
				      wp_certdoc_int(doc, want[i].path), want[i].num);
	}
	ck_assert_uint_eq(count_leaves(doc), sizeof(want) / sizeof(want[0]));
	json_decref(doc);
}
END_TEST

/* Every member the format requires is required: the builder's document
 * with any one of them dropped is refused by wp_certdoc_check. */
START_TEST(builder_document_refused_without_a_member)
{
	static const char *const required[] = {
		"format", "certificate_id", "issued_utc", "result", "issued_by", "media",
		"sanitization", "verification", "ledger", "sanitized_by", "verified_by",
	};
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		json_t *doc = cert_fixture_doc(&issuer_p);
		ck_assert_int_eq(json_object_del(doc, required[i]), 0);
		ck_assert_msg(wp_certdoc_check(doc, err, sizeof(err)) == -1, "%s dropped, accepted",
			      required[i]);
		json_decref(doc);
	}
	static const char *const nested[][2] = {
		{ "media", "serial" }, { "media", "model" }, { "sanitization", "category" },
		{ "sanitization", "method" }, { "sanitization", "ended_utc" },
		{ "issued_by", "fingerprint" }, { "ledger", "head_hash" },
	};
	for (size_t i = 0; i < sizeof(nested) / sizeof(nested[0]); i++) {
		json_t *doc = cert_fixture_doc(&issuer_p);
		ck_assert_int_eq(json_object_del(json_object_get(doc, nested[i][0]), nested[i][1]), 0);
		ck_assert_msg(wp_certdoc_check(doc, err, sizeof(err)) == -1, "%s.%s dropped, accepted",
			      nested[i][0], nested[i][1]);
		json_decref(doc);
	}
}
END_TEST

/* A firmware sanitize carries the planner's category; a free-space wipe
 * says so in result and scope; a destruction is Destroy. */
START_TEST(builder_categories)
{
	static struct cert_fixture f;
	cert_fixture_init(&f, &issuer_p);
	snprintf(f.job.nist_category, sizeof(f.job.nist_category), "Purge");
	snprintf(f.job.plan_reason, sizeof(f.job.plan_reason), "NVMe crypto erase");
	json_t *doc = wp_cert_build(&f.in);
	ck_assert_str_eq(wp_certdoc_str(doc, "sanitization.category"), "Purge");
	ck_assert_str_eq(wp_certdoc_str(doc, "sanitization.note"), "NVMe crypto erase");
	json_decref(doc);

	cert_fixture_init(&f, &issuer_p);
	snprintf(f.job.scope.kind, sizeof(f.job.scope.kind), "free-space");
	snprintf(f.job.scope.fstype, sizeof(f.job.scope.fstype), "ext4");
	snprintf(f.job.scope.source, sizeof(f.job.scope.source), "/dev/sdb1");
	snprintf(f.job.scope.mountpoint, sizeof(f.job.scope.mountpoint), "/srv");
	f.job.scope.free_bytes = 5;
	doc = wp_cert_build(&f.in);
	ck_assert_str_eq(wp_certdoc_str(doc, "result"), "free-space-wiped");
	ck_assert_str_eq(wp_certdoc_str(doc, "scope.kind"), "free-space");
	ck_assert_msg(wp_certdoc_check(doc, err, sizeof(err)) == 0, "%s", err);
	json_decref(doc);

	cert_fixture_init(&f, &issuer_p);
	f.in.single_signature = "unattended station";
	doc = wp_cert_build(&f.in);
	ck_assert_str_eq(wp_certdoc_str(doc, "signing.policy"), "single-signature");
	ck_assert_str_eq(wp_certdoc_str(doc, "signing.reason"), "unattended station");
	json_decref(doc);
}
END_TEST

/* ---- a station with keys and a ledger ------------------------------------- */

static char dir[64], keys[96], ledger[128], out_dir[128];
static struct wp_person ca_p, op_p, ap_p, wit_p;
static struct wp_identity *op, *ap, *wit;
static char cert_json[4160];

static void make_people(void)
{
	wp_fx_tmpdir(dir, sizeof(dir), "certify");
	snprintf(keys, sizeof(keys), "%s/keys", dir);
	snprintf(ledger, sizeof(ledger), "%s/ledger.db", dir);
	snprintf(out_dir, sizeof(out_dir), "%s/certs", dir);
	wp_fx_ca(keys, "株式会社テスト", 30, &ca_p);
	wp_fx_issue(keys, "鈴木 一郎", "係員", WP_ROLE_OPERATOR, &op_p);
	wp_fx_issue(keys, "山田 太郎", "課長", WP_ROLE_APPROVER, &ap_p);
	wp_fx_issue(keys, "佐藤 花子", "総務課", WP_ROLE_WITNESS, &wit_p);
	ck_assert_int_eq(wp_identity_load(keys, "鈴木 一郎", NULL, &op, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_identity_load(keys, "山田 太郎", NULL, &ap, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_identity_load(keys, "佐藤 花子", NULL, &wit, err, sizeof(err)), 0);
}

static int record(const struct wp_identity *who, const struct wp_identity *witness,
		  const struct wp_custody_ask *a)
{
	json_t *body = NULL;
	uint64_t seq = 0;
	char hash[WP_HASH_HEX];
	int rc = wp_custody_ask_body(a, &body, err, sizeof(err));
	if (rc == 0)
		rc = wp_custody_record(ledger, who, witness, a, body, &seq, hash, err, sizeof(err));
	json_decref(body);
	return rc;
}

/* A disk taken in, destroyed before a witness, and certified by the
 * operator through station/ alone; the approver adds the second
 * signature. */
static void setup(void)
{
	make_people();
	struct wp_custody_ask a = { .action = "init", .no_approval_required = true };
	ck_assert_msg(record(ap, NULL, &a) == 0, "%s", err);
	a = (struct wp_custody_ask){ .action = "intake", .asset = "PC-1", .serial = "SN-1",
				     .model = "Test Disk 1", .reason = "disposal" };
	ck_assert_msg(record(op, NULL, &a) == 0, "%s", err);
	a = (struct wp_custody_ask){ .action = "destroy", .asset = "PC-1", .method = "shred",
				     .witness = "佐藤 花子" };
	ck_assert_msg(record(op, wit, &a) == 0, "%s", err);

	struct wp_ledger *l = NULL;
	ck_assert_int_eq(wp_ledger_open(ledger, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_ledger_set_ca(l, wp_identity_ca(op), err, sizeof(err)), 0);
	struct wp_cert_config cfg = { .location = "本社 3F", .contact = "総務課" };
	struct wp_certify_request req = { .ledger = l, .issuer = op, .asset = "PC-1",
					  .out_dir = out_dir, .config = &cfg };
	static struct wp_certify_result res;
	enum wp_certify_status st = wp_certify(&req, &res);
	wp_ledger_close(l);
	/* the PDF may fail for want of fonts; the certificate is issued either way */
	ck_assert_msg(st == WP_CERTIFY_OK || st == WP_CERTIFY_NO_PDF, "%d: %s", st, res.err);
	snprintf(cert_json, sizeof(cert_json), "%s", res.json);

	static struct wp_audit_verdict v;
	char sig[4300], ca_path[160];
	snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", keys);
	struct wp_validate_request vr = { .path = cert_json, .validator = ap, .ca_path = ca_path,
					  .ledger_path = ledger };
	ck_assert_msg(wp_cert_validate(&vr, &v, sig, sizeof(sig), err, sizeof(err)) == WP_CERTIFY_OK,
		      "%s", err);
	wp_audit_verdict_clear(&v);
}

static void teardown(void)
{
	wp_identity_free(op);
	wp_identity_free(ap);
	wp_identity_free(wit);
	ck_assert_int_eq(wp_fx_rmtree(dir), 0);
}

static struct wp_audit_verdict verdict;

static enum wp_audit_status audit_with(const char *path, const char *sig, const char *ledger_path)
{
	static char ca_path[160];
	snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", keys);
	struct wp_audit_request req = { .path = path, .sig_path = sig, .ca_path = ca_path,
					.ledger_path = ledger_path };
	wp_audit_verdict_clear(&verdict);
	return wp_audit(&req, &verdict);
}

static void expect_failed(enum wp_audit_kind kind, const char *words)
{
	ck_assert_msg(verdict.status == WP_AUDIT_INVALID, "status %d, error '%s'", verdict.status,
		      verdict.error);
	const struct wp_audit_check *c = wp_audit_find(&verdict, kind);
	ck_assert_msg(c && c->outcome == WP_AUDIT_FAILED, "no failed %s check; reason '%s'",
		      wp_audit_kind_name(kind), verdict.reason);
	ck_assert_msg(strstr(c->message, words) != NULL, "%s: '%s' lacks '%s'",
		      wp_audit_kind_name(kind), c->message, words);
	ck_assert_str_eq(verdict.reason, c->message);
	/* the decisive check is the last one: nothing ran after it */
	ck_assert_ptr_eq(c, &verdict.checks[verdict.n_checks - 1]);
}

static void copy_file(const char *from, const char *to)
{
	size_t len = 0;
	char *text = wp_cert_read_file(from, &len, err, sizeof(err));
	ck_assert_ptr_nonnull(text);
	FILE *f = fopen(to, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
	free(text);
}

/* ---- the verdict ------------------------------------------------------------ */

START_TEST(audit_good_certificate)
{
	ck_assert_int_eq(audit_with(cert_json, NULL, ledger), WP_AUDIT_VALID);
	ck_assert_str_eq(verdict.reason, "");
	static const enum wp_audit_kind passed[] = {
		WP_AUDIT_ANCHOR, WP_AUDIT_SIGNATURE, WP_AUDIT_REVOCATION, WP_AUDIT_DOCUMENT,
		WP_AUDIT_VALIDATOR, WP_AUDIT_LEDGER,
	};
	for (size_t i = 0; i < sizeof(passed) / sizeof(passed[0]); i++) {
		const struct wp_audit_check *c = wp_audit_find(&verdict, passed[i]);
		ck_assert_msg(c && c->outcome == WP_AUDIT_PASSED, "%s not passed",
			      wp_audit_kind_name(passed[i]));
	}
	for (size_t i = 0; i < verdict.n_checks; i++)
		ck_assert(verdict.checks[i].outcome != WP_AUDIT_FAILED);
	ck_assert_ptr_null(wp_audit_find(&verdict, WP_AUDIT_DEVICE));
	ck_assert(verdict.ledger_checked && verdict.revocation_checked && !verdict.device_checked);
	ck_assert_ptr_nonnull(strstr(wp_audit_find(&verdict, WP_AUDIT_SIGNATURE)->message,
				     "鈴木 一郎"));
	ck_assert_ptr_nonnull(strstr(wp_audit_find(&verdict, WP_AUDIT_VALIDATOR)->message,
				     "山田 太郎"));
	ck_assert_ptr_nonnull(strstr(verdict.scope, "two signatures"));
	ck_assert_ptr_nonnull(strstr(verdict.scope, "checked: signatures and ledger"));
	ck_assert_str_eq(wp_certdoc_str(verdict.doc, "result"), "destroyed");
	ck_assert_str_eq(wp_certdoc_str(verdict.doc, "sanitized_by.location"), "本社 3F");
	ck_assert_str_eq(wp_certdoc_str(verdict.doc, "verified_by.name"), "佐藤 花子");
	ck_assert(verdict.anchor.known && !verdict.anchor.pinned);
	/* without the ledger: valid, and it says what was not checked */
	ck_assert_int_eq(audit_with(cert_json, NULL, NULL), WP_AUDIT_VALID);
	ck_assert_ptr_nonnull(strstr(verdict.scope, "not checked against the ledger"));
	wp_audit_verdict_clear(&verdict);
}
END_TEST

/* One byte of the document changed: its signature no longer matches. */
START_TEST(audit_document_changed)
{
	char path[4200], sig[4300];
	size_t len = 0;
	char *text = wp_cert_read_file(cert_json, &len, err, sizeof(err));
	char *at = strstr(text, "shred");
	ck_assert_ptr_nonnull(at);
	at[0] = 'S';
	snprintf(path, sizeof(path), "%s/changed.json", dir);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	free(text);
	snprintf(sig, sizeof(sig), "%s.p7s", cert_json);
	ck_assert_int_eq(audit_with(path, sig, NULL), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_SIGNATURE, "does not match the document");
	ck_assert_ptr_null(verdict.doc);
	wp_audit_verdict_clear(&verdict);
}
END_TEST

/* P-256's order (SEC 2); s above n/2 is the spelling wipeproof refuses. */
static bool cms_is_high_s(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, (int)strlen(pem));
	CMS_ContentInfo *cms = PEM_read_bio_CMS(b, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(cms);
	ASN1_OCTET_STRING *os = CMS_SignerInfo_get0_signature(
		sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0));
	const unsigned char *p = ASN1_STRING_get0_data(os);
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, ASN1_STRING_length(os));
	ck_assert_ptr_nonnull(sig);
	const BIGNUM *s = NULL;
	ECDSA_SIG_get0(sig, NULL, &s);
	BIGNUM *n = NULL, *half = BN_new();
	ck_assert(BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"));
	BN_rshift1(half, n);
	bool high = BN_cmp(s, half) > 0;
	BN_free(n);
	BN_free(half);
	ECDSA_SIG_free(sig);
	CMS_ContentInfo_free(cms);
	BIO_free(b);
	return high;
}

/* Sign FILE with stock openssl as PERSON (their key and certificate in the
 * key store) into OUT, again until s has the spelling WANT_HIGH asks for. */
static void openssl_sign(const struct wp_person *p, const char *file, const char *out,
			 bool want_high)
{
	char cmd[1400];
	snprintf(cmd, sizeof(cmd), "openssl cms -sign -binary -md sha256 -in %s -signer "
		 "%s/people/%s.pem -inkey %s/people/%s.key -outform PEM -out %s 2>/dev/null", file,
		 keys, p->fingerprint, keys, p->fingerprint, out);
	for (int i = 0; i < 64; i++) {
		ck_assert_int_eq(system(cmd), 0);
		size_t len = 0;
		char *pem = wp_cert_read_file(out, &len, err, sizeof(err));
		ck_assert_ptr_nonnull(pem);
		bool high = cms_is_high_s(pem);
		free(pem);
		if (high == want_high)
			return;
	}
	ck_abort_msg("openssl made no %s-s signature in 64 tries", want_high ? "high" : "low");
}

/* An independent signer: the issuer's key used by stock openssl. Its
 * low-s signature is as good as wipeproof's own; the high-s twin of the
 * same signer is the spelling the project refuses. */
START_TEST(audit_openssl_signature_and_low_s)
{
	char sig[4300], validator[4400];
	snprintf(sig, sizeof(sig), "%s/openssl.p7s", dir);
	snprintf(validator, sizeof(validator), "%s/openssl" WP_VALIDATOR_SIG_SUFFIX, dir);
	char orig[4400];
	snprintf(orig, sizeof(orig), "%s" WP_VALIDATOR_SIG_SUFFIX, cert_json);
	copy_file(orig, validator);
	openssl_sign(&op_p, cert_json, sig, false);
	ck_assert_msg(audit_with(cert_json, sig, ledger) == WP_AUDIT_VALID, "%s", verdict.reason);
	openssl_sign(&op_p, cert_json, sig, true);
	ck_assert_int_eq(audit_with(cert_json, sig, ledger), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_SIGNATURE, "one accepted form");
	wp_audit_verdict_clear(&verdict);
}
END_TEST

/* Signed by someone the CA certified, but not as the document's issuer. */
START_TEST(audit_signed_by_another_person)
{
	char sig[4300];
	snprintf(sig, sizeof(sig), "%s/approver.p7s", dir);
	openssl_sign(&ap_p, cert_json, sig, false);
	ck_assert_int_eq(audit_with(cert_json, sig, NULL), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_ISSUER, "as its issuer");
	wp_audit_verdict_clear(&verdict);
}
END_TEST

/* The issuer signs a document whose claims about them are not what the CA
 * certified (a grander title): signed, but refused. */
START_TEST(audit_issuer_claims)
{
	char path[4200], sig[4300];
	size_t len = 0;
	json_t *doc = NULL;
	char *text = wp_cert_read_file(cert_json, &len, err, sizeof(err));
	ck_assert_int_eq(wp_certdoc_parse(text, len, &doc, err, sizeof(err)), 0);
	json_object_set_new(json_object_get(doc, "issued_by"), "title", json_string("部長"));
	char *changed = wp_certdoc_canonical(doc, err, sizeof(err));
	ck_assert_ptr_nonnull(changed);
	snprintf(path, sizeof(path), "%s/claims.json", dir);
	FILE *f = fopen(path, "w");
	fputs(changed, f);
	fclose(f);
	snprintf(sig, sizeof(sig), "%s.p7s", path);
	openssl_sign(&op_p, path, sig, false);
	ck_assert_int_eq(audit_with(path, NULL, NULL), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_ISSUER, "issuer title '部長'");
	free(changed);
	free(text);
	json_decref(doc);
	wp_audit_verdict_clear(&verdict);
}
END_TEST

/* A two-person certificate without its second signature, or with one by
 * the issuer. */
START_TEST(audit_validator)
{
	char vpath[4400];
	snprintf(vpath, sizeof(vpath), "%s" WP_VALIDATOR_SIG_SUFFIX, cert_json);
	ck_assert_int_eq(unlink(vpath), 0);
	ck_assert_int_eq(audit_with(cert_json, NULL, NULL), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_VALIDATOR, "needs a second signature");
	openssl_sign(&op_p, cert_json, vpath, false);
	ck_assert_int_eq(audit_with(cert_json, NULL, NULL), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_VALIDATOR, "only an approver or a witness may validate");

	/* a certificate the approver issued, "validated" by the approver */
	struct wp_ledger *l = NULL;
	ck_assert_int_eq(wp_ledger_open(ledger, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_ledger_set_ca(l, wp_identity_ca(ap), err, sizeof(err)), 0);
	struct wp_certify_request req = { .ledger = l, .issuer = ap, .asset = "PC-1",
					  .out_dir = out_dir };
	static struct wp_certify_result res;
	enum wp_certify_status st = wp_certify(&req, &res);
	wp_ledger_close(l);
	ck_assert_msg(st == WP_CERTIFY_OK || st == WP_CERTIFY_NO_PDF, "%d: %s", st, res.err);
	snprintf(vpath, sizeof(vpath), "%s" WP_VALIDATOR_SIG_SUFFIX, res.json);
	openssl_sign(&ap_p, res.json, vpath, false);
	ck_assert_int_eq(audit_with(res.json, NULL, ledger), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_VALIDATOR, "is the issuer");
	wp_audit_verdict_clear(&verdict);
}
END_TEST

/* The issuer's key revoked before the signature: the CA's list says so. */
START_TEST(audit_revoked_signer)
{
	struct wp_person gone;
	ck_assert_msg(wp_keys_revoke(keys, "鈴木 一郎", "key-compromise", time(NULL) - 3600, NULL,
				     &gone, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(audit_with(cert_json, NULL, NULL), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_REVOCATION, "revoked");
	wp_audit_verdict_clear(&verdict);
}
END_TEST

/* Checked against a ledger it was not issued from, and against its own
 * ledger after the certificate event's row was changed. */
START_TEST(audit_ledger)
{
	char other[sizeof(ledger)];
	snprintf(other, sizeof(other), "%s/other.db", dir);
	char saved[sizeof(ledger)];
	snprintf(saved, sizeof(saved), "%s", ledger);
	snprintf(ledger, sizeof(ledger), "%s", other);
	struct wp_custody_ask a = { .action = "intake", .asset = "PC-1", .serial = "SN-1",
				    .model = "Test Disk 1" };
	ck_assert_msg(record(op, NULL, &a) == 0, "%s", err);
	snprintf(ledger, sizeof(ledger), "%s", saved);
	ck_assert_int_eq(audit_with(cert_json, NULL, other), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_LEDGER, "ledger");

	sqlite3 *db = NULL;
	ck_assert_int_eq(sqlite3_open(ledger, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE events SET body = replace(body, 'shred', 'crush') "
				      "WHERE kind = 'destroyed'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(audit_with(cert_json, NULL, ledger), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_LEDGER, "the ledger does not agree with the certificate");
	wp_audit_verdict_clear(&verdict);
}
END_TEST

/* A document whose own certificate event is in the ledger, signed by its
 * issuer and validated, but which certifies another disk than the one the
 * ledger took in: the claims are compared, not only the digest. */
START_TEST(audit_claims_against_the_ledger)
{
	char path[4200], sig[4300], vsig[4400], sha[WP_FPR_HEX];
	size_t len = 0;
	json_t *doc = NULL;
	char *text = wp_cert_read_file(cert_json, &len, err, sizeof(err));
	ck_assert_int_eq(wp_certdoc_parse(text, len, &doc, err, sizeof(err)), 0);
	json_object_set_new(json_object_get(doc, "media"), "serial", json_string("SN-X"));
	char *changed = wp_certdoc_canonical(doc, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/other-disk.json", dir);
	FILE *f = fopen(path, "w");
	fputs(changed, f);
	fclose(f);
	snprintf(sig, sizeof(sig), "%s.p7s", path);
	snprintf(vsig, sizeof(vsig), "%s" WP_VALIDATOR_SIG_SUFFIX, path);
	openssl_sign(&op_p, path, sig, false);
	openssl_sign(&ap_p, path, vsig, false);
	wp_sha256_hex(changed, strlen(changed), sha);
	json_t *body = wp_cert_event_body(doc, sha, path, NULL);
	struct wp_ledger *l = NULL;
	ck_assert_int_eq(wp_ledger_open(ledger, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_ledger_set_ca(l, wp_identity_ca(op), err, sizeof(err)), 0);
	ck_assert_msg(wp_custody_append(l, op, WP_EV_CERTIFICATE, "PC-1", body, NULL, NULL, err,
					sizeof(err)) == 0, "%s", err);
	wp_ledger_close(l);
	ck_assert_int_eq(audit_with(path, NULL, NULL), WP_AUDIT_VALID);
	ck_assert_int_eq(audit_with(path, NULL, ledger), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_LEDGER, "certifies serial 'SN-X', but the ledger recorded serial "
		      "'SN-1'");
	json_decref(body);
	free(changed);
	free(text);
	json_decref(doc);
	wp_audit_verdict_clear(&verdict);
}
END_TEST

/* Another CA than the one the auditor pinned. */
START_TEST(audit_pinned_ca)
{
	char ca_path[160];
	snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", keys);
	struct wp_audit_request req = {
		.path = cert_json, .ca_path = ca_path,
		.ca_pin = "0000000000000000000000000000000000000000000000000000000000000000",
	};
	wp_audit_verdict_clear(&verdict);
	ck_assert_int_eq(wp_audit(&req, &verdict), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_ANCHOR, "");
	ck_assert(!verdict.anchor.pinned);
	ck_assert_uint_eq(verdict.n_checks, 2); /* the anchor's line, then its refusal */
	wp_audit_verdict_clear(&verdict);
}
END_TEST

/* What cannot be read is not a verdict: ERROR, with what to do. */
START_TEST(audit_unreadable)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/none.json", dir);
	ck_assert_int_eq(audit_with(path, NULL, NULL), WP_AUDIT_ERROR);
	ck_assert_ptr_nonnull(strstr(verdict.error, "cannot read"));
	snprintf(path, sizeof(path), "%s/none.p7s", dir);
	ck_assert_int_eq(audit_with(cert_json, path, NULL), WP_AUDIT_ERROR);
	ck_assert_ptr_nonnull(strstr(verdict.error, "--sig FILE"));
	struct wp_audit_request req = { .path = cert_json };
	ck_assert_int_eq(wp_audit(&req, &verdict), WP_AUDIT_BAD_REQUEST);
	wp_audit_verdict_clear(&verdict);
}
END_TEST

/* A QR code read back: its signature checks against the trust bundle; a
 * changed character does not. */
START_TEST(audit_qr)
{
	char qr_path[4200], trust[160];
	snprintf(qr_path, sizeof(qr_path), "%s.qr", cert_json);
	snprintf(trust, sizeof(trust), "%s/trust.pem", dir);
	char *pem = wp_trust_export(keys, err, sizeof(err));
	ck_assert_ptr_nonnull(pem);
	FILE *f = fopen(trust, "w");
	fputs(pem, f);
	fclose(f);
	free(pem);
	size_t len = 0;
	char *qr = wp_cert_read_file(qr_path, &len, err, sizeof(err));
	ck_assert_ptr_nonnull(qr);
	qr[strcspn(qr, "\r\n")] = '\0';
	struct wp_audit_request req = { .qr = qr, .trust = trust };
	ck_assert_msg(wp_audit(&req, &verdict) == WP_AUDIT_VALID, "%s %s", verdict.reason,
		      verdict.error);
	ck_assert_ptr_nonnull(strstr(wp_audit_find(&verdict, WP_AUDIT_QR)->message, "鈴木 一郎"));
	char *sep = strstr(qr, "|Destroy|");
	ck_assert_ptr_nonnull(sep);
	memcpy(sep, "|Purge|", 7);
	memmove(sep + 7, sep + 9, strlen(sep + 9) + 1);
	ck_assert_int_eq(wp_audit(&req, &verdict), WP_AUDIT_INVALID);
	expect_failed(WP_AUDIT_QR, "");
	free(qr);
	wp_audit_verdict_clear(&verdict);
}
END_TEST

/* ---- issuing ------------------------------------------------------------------ */

/* Only what the ledger shows is certified; a refusal writes nothing. */
START_TEST(certify_refuses_what_the_ledger_does_not_show)
{
	struct wp_custody_ask a = { .action = "intake", .asset = "PC-2", .serial = "SN-2",
				    .model = "Test Disk 2" };
	ck_assert_msg(record(op, NULL, &a) == 0, "%s", err);
	struct wp_ledger *l = NULL;
	ck_assert_int_eq(wp_ledger_open(ledger, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_ledger_set_ca(l, wp_identity_ca(op), err, sizeof(err)), 0);
	char fresh[160];
	snprintf(fresh, sizeof(fresh), "%s/fresh", dir);
	struct wp_certify_request req = { .ledger = l, .issuer = op, .asset = "PC-2",
					  .out_dir = fresh };
	static struct wp_certify_result res;
	ck_assert_int_eq(wp_certify(&req, &res), WP_CERTIFY_REFUSED);
	ck_assert_ptr_nonnull(strstr(res.err, "no recorded destruction"));
	/* a witness may not issue */
	req = (struct wp_certify_request){ .ledger = l, .issuer = wit, .asset = "PC-1",
					   .out_dir = fresh };
	ck_assert_int_eq(wp_certify(&req, &res), WP_CERTIFY_REFUSED);
	ck_assert_ptr_nonnull(strstr(res.err, "role 'witness'"));
	wp_ledger_close(l);
	struct stat sb;
	ck_assert_int_eq(stat(fresh, &sb), -1);
}
END_TEST

/* ---- custody event bodies against custody's rules ------------------------------- */

static struct wp_event event_of(const struct wp_custody_ask *a, const struct wp_person *p,
				const struct wp_person *w, json_t *body, uint64_t seq)
{
	struct wp_event ev = { .seq = seq, .body = body };
	snprintf(ev.kind, sizeof(ev.kind), "%s", wp_custody_ask_kind(a->action));
	snprintf(ev.asset, sizeof(ev.asset), "%s", a->asset ? a->asset : "");
	snprintf(ev.time, sizeof(ev.time), "2026-01-01T00:00:00Z");
	snprintf(ev.actor.name, sizeof(ev.actor.name), "%s", p->name);
	snprintf(ev.actor.title, sizeof(ev.actor.title), "%s", p->title);
	snprintf(ev.actor.role, sizeof(ev.actor.role), "%s", wp_role_name(p->role));
	snprintf(ev.actor.fingerprint, sizeof(ev.actor.fingerprint), "%s", p->fingerprint);
	snprintf(ev.actor.id, sizeof(ev.actor.id), "%s", p->id);
	if (w) {
		ev.witnessed = true;
		snprintf(ev.witness.name, sizeof(ev.witness.name), "%s", w->name);
		snprintf(ev.witness.title, sizeof(ev.witness.title), "%s", w->title);
		snprintf(ev.witness.role, sizeof(ev.witness.role), "%s", wp_role_name(w->role));
		snprintf(ev.witness.fingerprint, sizeof(ev.witness.fingerprint), "%s", w->fingerprint);
		snprintf(ev.witness.id, sizeof(ev.witness.id), "%s", w->id);
	}
	return ev;
}

static void people(struct wp_person *o, struct wp_person *a, struct wp_person *w)
{
	*o = (struct wp_person){ .id = "E-1", .name = "鈴木 一郎", .title = "係員",
				 .role = WP_ROLE_OPERATOR };
	*a = (struct wp_person){ .id = "E-2", .name = "山田 太郎", .title = "課長",
				 .role = WP_ROLE_APPROVER };
	*w = (struct wp_person){ .id = "E-3", .name = "佐藤 花子", .title = "総務課",
				 .role = WP_ROLE_WITNESS };
	memset(o->fingerprint, 'a', 64);
	memset(a->fingerprint, 'b', 64);
	memset(w->fingerprint, 'c', 64);
}

/* Every body a person records, built by station/, is what custody's rules
 * accept, in the order of an asset's life. */
START_TEST(custody_bodies_pass_the_rules)
{
	struct wp_person o, a, w;
	people(&o, &a, &w);
	static struct wp_asset_state st;
	memset(&st, 0, sizeof(st));
	const struct {
		struct wp_custody_ask ask;
		const struct wp_person *who, *witness;
	} life[] = {
		{ { .action = "intake", .asset = "PC-9", .serial = "SN-9", .model = "M 9",
		    .owner = "営業部", .location = "本社", .lease_contract = "L-1",
		    .lease_end = "2026-12-31", .reason = "lease-end", .comment = "c" }, &o, NULL },
		{ { .action = "request", .asset = "PC-9", .reason = "リース返却" }, &o, NULL },
		{ { .action = "approve", .asset = "PC-9", .approve_for = "wipe,destroy,transfer,release",
		    .valid_days = 10 }, &a, NULL },
		{ { .action = "note", .asset = "PC-9", .text = "箱 3" }, &w, NULL },
		{ { .action = "transfer", .asset = "PC-9", .vendor = "Shred Co." }, &o, NULL },
		{ { .action = "destroy", .asset = "PC-9", .method = "shred", .witness = "佐藤 花子" },
		  &o, &w },
		{ { .action = "release", .asset = "PC-9", .to = "dispose" }, &o, NULL },
	};
	uint64_t seq = 2;
	for (size_t i = 0; i < sizeof(life) / sizeof(life[0]); i++) {
		json_t *body = NULL;
		struct wp_custody_ask ask = life[i].ask;
		ask.now = time(NULL);
		ck_assert_msg(wp_custody_ask_body(&ask, &body, err, sizeof(err)) == 0, "%s: %s",
			      ask.action, err);
		struct wp_event ev = event_of(&ask, life[i].who, life[i].witness, body, seq++);
		ck_assert_msg(wp_rule_check(&st, NULL, &ev, err, sizeof(err)) == 0, "%s refused: %s",
			      ask.action, err);
		wp_state_apply(&st, &ev);
		json_decref(body);
	}
	ck_assert(st.destroyed && st.released);
	ck_assert_str_eq(st.released_to, "dispose");

	struct wp_custody_ask init = { .action = "init", .no_approval_required = true };
	json_t *body = NULL;
	ck_assert_int_eq(wp_custody_ask_body(&init, &body, err, sizeof(err)), 0);
	struct wp_event ev = event_of(&init, &a, NULL, body, 1);
	ck_assert_str_eq(ev.kind, WP_EV_POLICY);
	ck_assert_msg(wp_rule_check(&st, NULL, &ev, err, sizeof(err)) == 0, "%s", err);
	ck_assert(json_is_false(json_object_get(body, "approval_required")));
	json_decref(body);
}
END_TEST

/* A body changed after station/ built it is refused by the rules; a
 * request that lacks what its action needs never becomes a body. */
START_TEST(custody_bodies_mutated_are_refused)
{
	struct wp_person o, a, w;
	people(&o, &a, &w);
	static struct wp_asset_state st;
	memset(&st, 0, sizeof(st));
	struct wp_custody_ask intake = { .action = "intake", .asset = "PC-9", .serial = "SN-9",
					 .model = "M 9" };
	json_t *body = NULL;
	ck_assert_int_eq(wp_custody_ask_body(&intake, &body, err, sizeof(err)), 0);
	json_object_del(body, "serial");
	struct wp_event ev = event_of(&intake, &o, NULL, body, 2);
	ck_assert_int_eq(wp_rule_check(&st, NULL, &ev, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "serial") != NULL, "%s", err);
	json_decref(body);

	ck_assert_int_eq(wp_custody_ask_body(&intake, &body, err, sizeof(err)), 0);
	ev = event_of(&intake, &o, NULL, body, 2);
	ck_assert_int_eq(wp_rule_check(&st, NULL, &ev, err, sizeof(err)), 0);
	wp_state_apply(&st, &ev);
	json_decref(body);

	struct wp_custody_ask approve = { .action = "approve", .asset = "PC-9", .now = time(NULL) };
	ck_assert_int_eq(wp_custody_ask_body(&approve, &body, err, sizeof(err)), 0);
	json_object_set_new(body, "expires", json_string("yesterday"));
	ev = event_of(&approve, &a, NULL, body, 3);
	ck_assert_int_eq(wp_rule_check(&st, NULL, &ev, err, sizeof(err)), -1);
	json_decref(body);

	struct wp_custody_ask release = { .action = "release", .asset = "PC-9", .to = "dispose" };
	ck_assert_int_eq(wp_custody_ask_body(&release, &body, err, sizeof(err)), 0);
	json_object_set_new(body, "to", json_string("the bin"));
	ev = event_of(&release, &o, NULL, body, 3);
	ck_assert_int_eq(wp_rule_check(&st, false, &ev, err, sizeof(err)), -1);
	json_decref(body);

	/* a destruction without a witness signature */
	struct wp_custody_ask destroy = { .action = "destroy", .asset = "PC-9", .method = "shred",
					  .witness = "佐藤 花子" };
	ck_assert_int_eq(wp_custody_ask_body(&destroy, &body, err, sizeof(err)), 0);
	ev = event_of(&destroy, &o, NULL, body, 3);
	ck_assert_int_eq(wp_rule_check(&st, false, &ev, err, sizeof(err)), -1);
	json_decref(body);

	const struct wp_custody_ask bad[] = {
		{ .action = "intake" },
		{ .action = "intake", .asset = "PC-9", .serial = "SN-9" },
		{ .action = "destroy", .asset = "PC-9", .method = "shred" },
		{ .action = "destroy", .asset = "PC-9", .witness = "佐藤 花子" },
		{ .action = "transfer", .asset = "PC-9" },
		{ .action = "release", .asset = "PC-9" },
		{ .action = "note", .asset = "PC-9" },
		{ .action = "approve", .asset = "PC-9", .approve_for = "paint" },
		{ .action = "init", .no_approval_required = true, .approval_required = true },
		{ .action = "wipe-start", .asset = "PC-9" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		body = (json_t *)1;
		ck_assert_msg(wp_custody_ask_body(&bad[i], &body, err, sizeof(err)) ==
			      WP_STATION_BAD_REQUEST, "bad request %zu accepted", i);
		ck_assert_ptr_null(body);
	}
}
END_TEST

/* A station's decision for a disk that arrives. */
START_TEST(intake_decision)
{
	struct wp_device dev = { .path = "/dev/sdz", .kind = WP_KIND_USB,
				 .transport = WP_TRANSPORT_USB, .serial = "4C53 01/x" };
	char why[512], tag[WP_ASSET_MAX];
	struct wp_intake_setup s = { .intake = false };
	ck_assert_int_eq(wp_intake_decide(&s, &dev, why, sizeof(why)), WP_INTAKE_IGNORE);
	s.intake = true;
	ck_assert_int_eq(wp_intake_decide(&s, &dev, why, sizeof(why)), WP_INTAKE_TAKE_IN);
	s.auto_wipe = true;
	ck_assert_int_eq(wp_intake_decide(&s, &dev, why, sizeof(why)), WP_INTAKE_WIPE);
	dev.protected_ = true;
	ck_assert_int_eq(wp_intake_decide(&s, &dev, why, sizeof(why)), WP_INTAKE_SKIP);
	ck_assert_str_eq(why, "protected");
	dev.protected_ = false;
	struct wp_station_policy p;
	ck_assert_int_eq(wp_station_policy_parse("transports = nvme\n", "t", &p, err,
						 sizeof(err)), 0);
	s.policy = &p;
	ck_assert_int_eq(wp_intake_decide(&s, &dev, why, sizeof(why)), WP_INTAKE_SKIP);
	ck_assert(why[0]);
	s.policy = NULL;
	dev.serial[0] = '\0';
	ck_assert_int_eq(wp_intake_decide(&s, &dev, why, sizeof(why)), WP_INTAKE_SKIP);
	ck_assert_ptr_nonnull(strstr(why, "no serial number"));
	wp_intake_asset_tag("USB-", "4C53 01/x", tag, sizeof(tag));
	ck_assert_str_eq(tag, "USB-4C53_01_x");

	struct wp_intake_setup r = { .intake = true };
	ck_assert_int_eq(wp_intake_setup_resolve(&r, NULL, &p, false, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "--asset-prefix"));
	r = (struct wp_intake_setup){ .intake = true };
	ck_assert_int_eq(wp_intake_setup_resolve(&r, NULL, &p, true, err, sizeof(err)), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("certify");
	TCase *tc = tcase_create("builder");
	tcase_add_test(tc, builder_members_are_the_expected_ones);
	tcase_add_test(tc, builder_document_refused_without_a_member);
	tcase_add_test(tc, builder_categories);
	tcase_add_test(tc, custody_bodies_pass_the_rules);
	tcase_add_test(tc, custody_bodies_mutated_are_refused);
	tcase_add_test(tc, intake_decision);
	suite_add_tcase(s, tc);
	tc = tcase_create("audit");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, audit_good_certificate);
	tcase_add_test(tc, audit_document_changed);
	tcase_add_test(tc, audit_openssl_signature_and_low_s);
	tcase_add_test(tc, audit_signed_by_another_person);
	tcase_add_test(tc, audit_issuer_claims);
	tcase_add_test(tc, audit_validator);
	tcase_add_test(tc, audit_revoked_signer);
	tcase_add_test(tc, audit_ledger);
	tcase_add_test(tc, audit_claims_against_the_ledger);
	tcase_add_test(tc, audit_pinned_ca);
	tcase_add_test(tc, audit_unreadable);
	tcase_add_test(tc, audit_qr);
	tcase_add_test(tc, certify_refuses_what_the_ledger_does_not_show);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
