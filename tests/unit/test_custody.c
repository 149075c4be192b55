/* Custody ledger: canonical form and hash chain, roles and rules, wipe
 * events, verification of tampered rows, concurrent appenders. */
#include "custody.h"
#include "custody_internal.h"
#include "certs_internal.h"
#include "wptext.h"

#include "check_main.h"
#include "fixtures.h"
#include <openssl/ecdsa.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char err[1024];
static char dir[64];
static char ledger_path[128];
static struct wp_identity *op, *op2, *boss, *boss2, *wit, *aud;
static X509 *ca;

#define ZERO64 "0000000000000000000000000000000000000000000000000000000000000000"

/* ---- canonical form ---------------------------------------------------- */

START_TEST(canonical_sorted_compact_utf8)
{
	json_t *v = json_pack("{s:s, s:[i,b,n], s:{s:i, s:s}}", "text", "改行\n\"q\"", "z", 1, 1,
			      "a", "y", 2, "b", "x");
	char *c = wp_canonical_json(v, err, sizeof(err));
	ck_assert_str_eq(c, "{\"a\":{\"b\":\"x\",\"y\":2},\"text\":\"改行\\n\\\"q\\\"\",\"z\":[1,true,null]}");
	free(c);
	json_decref(v);
}
END_TEST

START_TEST(canonical_refuses_reals_and_controls)
{
	json_t *v = json_pack("{s:f}", "coverage", 99.5);
	ck_assert_ptr_null(wp_canonical_json(v, err, sizeof(err)));
	ck_assert_msg(strstr(err, "body.coverage is a real number") != NULL, "%s", err);
	json_decref(v);
	v = json_pack("{s:s}", "t", "bell\a");
	ck_assert_ptr_null(wp_canonical_json(v, err, sizeof(err)));
	ck_assert_msg(strstr(err, "control character 0x07") != NULL, "%s", err);
	json_decref(v);
}
END_TEST

START_TEST(hash_definition)
{
	char h[WP_HASH_HEX];
	wp_event_hash(ZERO64, "{\"a\":1}", h);
	ck_assert_str_eq(h, "fc6cee09194dd2578bd7664604fcb72a539066fd34544cea0009c43eb6cdc289");

	/* the same event as Python's json.dumps(sort_keys, separators, ensure_ascii=False) */
	struct wp_event ev = { .seq = 1, .time = "2026-01-02T03:04:05Z", .kind = "note",
			       .asset = "PC-1", .actor = { .name = "山田 太郎", .title = "課長",
							   .role = "approver" } };
	memset(ev.actor.fingerprint, 0, sizeof(ev.actor.fingerprint));
	for (int i = 0; i < 32; i++)
		memcpy(ev.actor.fingerprint + 2 * i, "ab", 2);
	ev.body = json_pack("{s:s, s:[i,b,n], s:{s:i, s:s}}", "text", "改行\n\"q\"", "z", 1, 1,
			    "a", "y", 2, "b", "x");
	json_t *o = wp_event_canonical_object(&ev);
	char *c = wp_canonical_json(o, err, sizeof(err));
	wp_event_hash(ZERO64, c, h);
	ck_assert_str_eq(h, "285de64e48baa9b0bd4dd5ec10b98169de3e7123d015a0b885f0673bce2f57a5");
	/* and the verifier's direct writer, around the body's text */
	char *body = wp_canonical_json(ev.body, err, sizeof(err));
	struct wp_text_buf b = { 0 };
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ck_assert_int_eq(wp_event_text(&ev, body, &b), 0);
	wp_event_hash_in(md, ZERO64, b.text, b.len, h);
	ck_assert_str_eq(h, "285de64e48baa9b0bd4dd5ec10b98169de3e7123d015a0b885f0673bce2f57a5");
	EVP_MD_CTX_free(md);
	free(b.text);
	free(body);
	free(c);
	json_decref(o);
	json_decref(ev.body);
}
END_TEST

/* The verifier writes the event's text itself (canon.c, wp_event_text);
 * jansson's path is the reference. Every string the writer takes must come
 * out byte for byte as jansson writes it, and every string it declines
 * must be one the reference escapes or refuses. */
START_TEST(event_text_is_the_reference)
{
	static const char *const strings[] = {
		"", "PC-2024-0153", "say \"hi\"", "back\\slash", "a/b", "\x7f del",
		"山田 太郎", "営業部 棚 B-3", "emoji \xf0\x9f\x92\xbe", "\xef\xbf\xbf",
		"\xf4\x8f\xbf\xbf", "\xc2\x80", "\xe0\xa0\x80", "\xed\x9f\xbf",
		/* the reference escapes these: the writer must decline */
		"tab\there", "line\nfeed", "cr\r", "bell\a",
		/* ill-formed UTF-8: the reference refuses it */
		"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff",
		"\x80", "cut \xe3\x81", "\xf0\x9f\x92",
	};
	const size_t n = sizeof(strings) / sizeof(strings[0]);
	struct wp_text_buf b = { 0 };
	size_t fast = 0;
	for (size_t i = 0; i < n; i++)
		for (int member = 0; member < 5; member++) {
			struct wp_event ev = { .seq = i % 2 ? 1 : 9223372036854775807ULL,
					       .time = "2026-01-02T03:04:05Z", .kind = "note",
					       .asset = "PC-1", .witnessed = member >= 3,
					       .actor = { .name = "A", .title = "T",
							  .role = "operator", .fingerprint = "ab" },
					       .witness = { .name = "W", .title = "T",
							    .role = "witness", .fingerprint = "cd" } };
			char *slot[] = { ev.asset, ev.actor.name, ev.actor.title, ev.witness.name,
					 ev.kind };
			snprintf(slot[member], 32, "%s", strings[i]);
			ev.body = json_pack("{s:s}", "text", "x");
			json_t *o = wp_event_canonical_object(&ev);
			char *ref = o ? wp_canonical_json(o, err, sizeof(err)) : NULL;
			int rc = wp_event_text(&ev, "{\"text\":\"x\"}", &b);
			if (rc == 0) {
				fast++;
				ck_assert_msg(ref != NULL, "string %zu: written, but the reference "
					      "refuses it", i);
				ck_assert_msg(strcmp(ref, b.text) == 0, "string %zu:\n%s\n%s", i, ref,
					      b.text);
			} else {
				ck_assert_msg(i >= 14, "string %zu declined", i);
			}
			free(ref);
			json_decref(o);
			json_decref(ev.body);
		}
	ck_assert_uint_eq(fast, 14 * 5);
	free(b.text);
}
END_TEST

START_TEST(anchor_parsing)
{
	uint64_t seq;
	char h[WP_HASH_HEX];
	ck_assert_int_eq(wp_anchor_parse(ZERO64 "@12", &seq, h), 0);
	ck_assert_uint_eq(seq, 12);
	ck_assert_int_eq(wp_anchor_parse(ZERO64 "@0", &seq, h), -1);
	ck_assert_int_eq(wp_anchor_parse(ZERO64 "@", &seq, h), -1);
	ck_assert_int_eq(wp_anchor_parse("abc@3", &seq, h), -1);
	ck_assert_int_eq(wp_anchor_parse(ZERO64 "@3x", &seq, h), -1);
}
END_TEST

START_TEST(roles_table)
{
	ck_assert(wp_custody_role_may(WP_ROLE_APPROVER, WP_EV_APPROVE));
	ck_assert(!wp_custody_role_may(WP_ROLE_OPERATOR, WP_EV_APPROVE));
	ck_assert(wp_custody_role_may(WP_ROLE_OPERATOR, WP_EV_WIPE_START));
	ck_assert(!wp_custody_role_may(WP_ROLE_WITNESS, WP_EV_WIPE_START));
	ck_assert(wp_custody_role_may(WP_ROLE_WITNESS, WP_EV_NOTE));
	ck_assert(!wp_custody_role_may(WP_ROLE_AUDITOR, WP_EV_NOTE));
	ck_assert(!wp_custody_role_may(WP_ROLE_OPERATOR, WP_EV_POLICY));
	ck_assert(wp_custody_role_may_witness(WP_ROLE_APPROVER));
	ck_assert(!wp_custody_role_may_witness(WP_ROLE_OPERATOR));
}
END_TEST

/* ---- appending --------------------------------------------------------- */

static struct wp_ledger *fresh_ledger(void)
{
	static int n;
	struct wp_ledger *l = NULL;
	/* pid too: with CK_FORK=yes every test starts from the same n */
	snprintf(ledger_path, sizeof(ledger_path), "%s/ledger-%d-%d.db", dir, (int)getpid(), ++n);
	ck_assert_int_eq(wp_ledger_open(ledger_path, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_ledger_set_ca(l, ca, err, sizeof(err)), 0);
	return l;
}

static int add(struct wp_ledger *l, struct wp_identity *who, const char *kind, const char *asset,
	       json_t *body)
{
	/* an approval names what it allows and until when (custody/README.md) */
	json_t *b = body ? body : strcmp(kind, WP_EV_APPROVE) == 0
		? json_pack("{s:[s,s,s,s], s:s}", "for", "wipe", "destroy", "transfer", "release",
			    "expires", "2099-01-01T00:00:00Z")
		: json_object();
	int rc = wp_custody_append(l, who, kind, asset, b, NULL, NULL, err, sizeof(err));
	json_decref(b);
	return rc;
}

static void intake(struct wp_ledger *l, const char *asset, const char *serial)
{
	int rc = add(l, op, WP_EV_INTAKE, asset, json_pack("{s:s, s:s, s:s}", "serial", serial,
							  "model", "ThinkPad", "owner", "営業部"));
	ck_assert_msg(rc == 0, "intake %s: %s", asset, err);
}

static void approved(struct wp_ledger *l, const char *asset, const char *serial)
{
	intake(l, asset, serial);
	ck_assert_int_eq(add(l, op, WP_EV_REQUEST, asset, NULL), 0);
	ck_assert_int_eq(add(l, boss, WP_EV_APPROVE, asset, NULL), 0);
}

static void expect_refused(int rc, const char *needle)
{
	ck_assert_int_eq(rc, WP_CUSTODY_REFUSED);
	ck_assert_msg(strstr(err, needle) != NULL, "error '%s' lacks '%s'", err, needle);
}

static json_t *wipe_start(const char *job, const char *serial)
{
	return json_pack("{s:s, s:s, s:s}", "job_id", job, "serial", serial, "method", "random");
}

static json_t *wipe_end(const char *job, const char *result)
{
	return json_pack("{s:s, s:s}", "job_id", job, "result", result);
}

START_TEST(chain_links)
{
	struct wp_ledger *l = fresh_ledger();
	uint64_t seq = 99;
	char head[WP_HASH_HEX], h1[WP_HASH_HEX], h2[WP_HASH_HEX];
	ck_assert_int_eq(wp_custody_head(l, &seq, head, err, sizeof(err)), 0);
	ck_assert_uint_eq(seq, 0);
	ck_assert_str_eq(head, ZERO64);
	json_t *b = json_pack("{s:s, s:s}", "serial", "S1", "model", "M");
	ck_assert_int_eq(wp_custody_append(l, op, WP_EV_INTAKE, "PC-1", b, &seq, h1, err, sizeof(err)), 0);
	json_decref(b);
	ck_assert_uint_eq(seq, 1);
	b = json_pack("{s:s}", "text", "メモ");
	ck_assert_int_eq(wp_custody_append(l, wit, WP_EV_NOTE, "PC-1", b, &seq, h2, err, sizeof(err)), 0);
	json_decref(b);
	ck_assert_uint_eq(seq, 2);
	ck_assert_int_eq(wp_custody_head(l, &seq, head, err, sizeof(err)), 0);
	ck_assert_str_eq(head, h2);

	sqlite3 *db;
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_open(ledger_path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT prev_hash, hash FROM events ORDER BY seq",
					    -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), ZERO64);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 1), h1);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), h1);
	sqlite3_finalize(st);
	sqlite3_close(db);

	struct wp_custody_report r;
	ck_assert_int_eq(wp_custody_verify(l, ca, NULL, &r, err, sizeof(err)), 0);
	ck_assert_uint_eq(r.events, 2);
	ck_assert_str_eq(r.head_hash, h2);
	wp_ledger_close(l);
}
END_TEST

START_TEST(two_person_rules)
{
	struct wp_ledger *l = fresh_ledger();
	expect_refused(add(l, op, WP_EV_REQUEST, "PC-9", NULL), "asset PC-9 is not in the ledger");
	intake(l, "PC-1", "S1");
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-1", json_pack("{s:s, s:s}", "serial", "S1",
		"model", "M")), "already in the ledger");
	expect_refused(add(l, boss, WP_EV_APPROVE, "PC-1", NULL), "has no request to approve");
	ck_assert_int_eq(add(l, boss, WP_EV_REQUEST, "PC-1", NULL), 0);
	expect_refused(add(l, boss, WP_EV_APPROVE, "PC-1", NULL), "cannot also approve it");
	expect_refused(add(l, op, WP_EV_APPROVE, "PC-1", NULL), "role 'operator'");
	expect_refused(add(l, aud, WP_EV_NOTE, "PC-1", json_pack("{s:s}", "text", "x")), "role 'auditor'");
	ck_assert_int_eq(add(l, boss2, WP_EV_APPROVE, "PC-1", NULL), 0);
	expect_refused(add(l, boss2, WP_EV_APPROVE, "PC-1", NULL), "already approved");

	/* destruction: a witness who is someone else, with a witnessing role */
	json_t *b = json_pack("{s:s}", "method", "shred");
	expect_refused(wp_custody_append(l, op, WP_EV_DESTROYED, "PC-1", b, NULL, NULL, err,
					 sizeof(err)), "needs a witness");
	expect_refused(wp_custody_append_witnessed(l, op, op, WP_EV_DESTROYED, "PC-1", b, NULL, NULL,
						   err, sizeof(err)), "cannot witness their own");
	expect_refused(wp_custody_append_witnessed(l, op, op2, WP_EV_DESTROYED, "PC-1", b, NULL, NULL,
						   err, sizeof(err)), "may not witness");
	ck_assert_int_eq(wp_custody_append_witnessed(l, op, wit, WP_EV_DESTROYED, "PC-1", b, NULL,
						     NULL, err, sizeof(err)), 0);
	json_decref(b);
	expect_refused(add(l, op, WP_EV_RELEASE, "PC-1", json_pack("{s:s}", "to", "reuse")),
		       "only be released to dispose");
	ck_assert_int_eq(add(l, op, WP_EV_RELEASE, "PC-1", json_pack("{s:s}", "to", "dispose")), 0);
	expect_refused(add(l, op, WP_EV_TRANSFER, "PC-1", json_pack("{s:s}", "vendor", "V")),
		       "was released");
	ck_assert_int_eq(add(l, wit, WP_EV_NOTE, "PC-1", json_pack("{s:s}", "text", "ok")), 0);

	struct wp_asset_state st;
	ck_assert_int_eq(wp_custody_state(l, "PC-1", &st, err, sizeof(err)), 0);
	ck_assert_str_eq(wp_asset_status(&st), "released");
	ck_assert_str_eq(st.approver.name, wp_identity_person(boss2)->name);
	ck_assert_str_eq(st.witness.name, wp_identity_person(wit)->name);
	struct wp_custody_report r;
	ck_assert_int_eq(wp_custody_verify(l, ca, NULL, &r, err, sizeof(err)), 0);
	wp_ledger_close(l);
}
END_TEST

START_TEST(wipe_events)
{
	struct wp_ledger *l = fresh_ledger();
	intake(l, "PC-2", "SER-2");
	ck_assert_int_eq(wp_custody_check_wipe(l, "PC-2", "SER-2", err, sizeof(err)), WP_CUSTODY_REFUSED);
	ck_assert_msg(strstr(err, "no approval") != NULL, "%s", err);
	expect_refused(add(l, op, WP_EV_WIPE_START, "PC-2", wipe_start("j1", "SER-2")), "no approval");
	ck_assert_int_eq(add(l, op, WP_EV_REQUEST, "PC-2", NULL), 0);
	ck_assert_int_eq(add(l, boss, WP_EV_APPROVE, "PC-2", NULL), 0);
	ck_assert_int_eq(wp_custody_check_wipe(l, "PC-2", "SER-2", err, sizeof(err)), 0);
	ck_assert_int_eq(wp_custody_check_wipe(l, "PC-2", "OTHER", err, sizeof(err)), WP_CUSTODY_REFUSED);
	ck_assert_msg(strstr(err, "R15") != NULL, "%s", err);
	expect_refused(add(l, op, WP_EV_WIPE_END, "PC-2", wipe_end("j1", "sanitized")), "no wipe in progress");
	expect_refused(add(l, op, WP_EV_RELEASE, "PC-2", json_pack("{s:s}", "to", "lease-return")),
		       "neither a sanitized wipe");

	/* a failed wipe, then a retry that succeeds */
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "PC-2", wipe_start("j1", "SER-2")), 0);
	expect_refused(add(l, op, WP_EV_WIPE_END, "PC-2", wipe_end("j0", "sanitized")), "names job 'j0'");
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_END, "PC-2", wipe_end("j1", "interrupted")), 0);
	expect_refused(add(l, op, WP_EV_VERIFIED, "PC-2", json_pack("{s:s, s:s}", "job_id", "j1",
		"mode", "full")), "no sanitized wipe");
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "PC-2", wipe_start("j2", "SER-2")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_END, "PC-2", json_pack("{s:s, s:s, s:s}", "job_id", "j2",
		"result", "sanitized", "report_sha256", ZERO64)), 0);
	ck_assert_int_eq(add(l, op, WP_EV_VERIFIED, "PC-2", json_pack("{s:s, s:s, s:s}", "job_id", "j2",
		"mode", "full", "coverage_percent", "100.0")), 0);
	struct wp_asset_state st;
	ck_assert_int_eq(wp_custody_state(l, "PC-2", &st, err, sizeof(err)), 0);
	ck_assert_str_eq(wp_asset_status(&st), "verified");
	ck_assert_int_eq(add(l, op, WP_EV_RELEASE, "PC-2", json_pack("{s:s}", "to", "lease-return")), 0);
	ck_assert_int_eq(wp_custody_check_wipe(l, "PC-2", "SER-2", err, sizeof(err)), WP_CUSTODY_REFUSED);
	ck_assert_msg(strstr(err, "was released") != NULL, "%s", err);
	expect_refused(add(l, op, WP_EV_WIPE_START, "PC-2", wipe_start("j3", "SER-2")), "was released");
	ck_assert_int_eq(wp_custody_check_wipe(l, "NOPE", "S", err, sizeof(err)), WP_CUSTODY_REFUSED);
	ck_assert_msg(strstr(err, "not in the ledger") != NULL, "%s", err);
	wp_ledger_close(l);
}
END_TEST

static json_t *cert_body(const char *job, const char *sha)
{
	json_t *b = json_pack("{s:s, s:s}", "certificate_id", "c-1", "certificate_sha256", sha);
	if (job)
		json_object_set_new(b, "job_id", json_string(job));
	return b;
}

/* A certificate certifies the last sanitized wipe (the same job) or a
 * destruction, and names its document by id and SHA-256. */
START_TEST(certificate_events)
{
	struct wp_ledger *l = fresh_ledger();
	approved(l, "PC-7", "SER-7");
	expect_refused(add(l, op, WP_EV_CERTIFICATE, "PC-7", cert_body("j1", ZERO64)),
		       "neither a sanitized wipe nor a recorded destruction");
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "PC-7", wipe_start("j1", "SER-7")), 0);
	expect_refused(add(l, op, WP_EV_CERTIFICATE, "PC-7", cert_body("j1", ZERO64)),
		       "a wipe is in progress");
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_END, "PC-7", wipe_end("j1", "unverified")), 0);
	expect_refused(add(l, op, WP_EV_CERTIFICATE, "PC-7", cert_body("j1", ZERO64)),
		       "no certificate can be issued");
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "PC-7", wipe_start("j2", "SER-7")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_END, "PC-7", wipe_end("j2", "sanitized")), 0);
	expect_refused(add(l, op, WP_EV_CERTIFICATE, "PC-7", cert_body("j1", ZERO64)), "names job 'j1'");
	expect_refused(add(l, op, WP_EV_CERTIFICATE, "PC-7", cert_body("j2", "ABC")), "64 lowercase hex");
	expect_refused(add(l, wit, WP_EV_CERTIFICATE, "PC-7", cert_body("j2", ZERO64)), "role 'witness'");
	ck_assert_int_eq(add(l, op, WP_EV_CERTIFICATE, "PC-7", cert_body("j2", ZERO64)), 0);

	/* a destruction needs no job */
	approved(l, "PC-8", "SER-8");
	json_t *b = json_pack("{s:s}", "method", "shred");
	int rc = wp_custody_append_witnessed(l, op, wit, WP_EV_DESTROYED, "PC-8", b, NULL, NULL, err,
					     sizeof(err));
	json_decref(b);
	ck_assert_msg(rc == 0, "destroyed: %s", err);
	ck_assert_int_eq(add(l, boss, WP_EV_CERTIFICATE, "PC-8", cert_body(NULL, ZERO64)), 0);
	struct wp_custody_report report;
	ck_assert_int_eq(wp_custody_verify(l, ca, NULL, &report, err, sizeof(err)), 0);
	wp_ledger_close(l);
}
END_TEST

static json_t *freespace_body(const char *job, const char *result)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "job_id", job, "result", result, "mountpoint",
			 "/srv", "device", "/dev/sdb1");
}

static json_t *freespace_cert(const char *job)
{
	json_t *b = cert_body(job, ZERO64);
	json_object_set_new(b, "scope", json_string(WP_CERT_SCOPE_FREE_SPACE));
	return b;
}

static json_t *wipe_resume(const char *job, const char *serial)
{
	return json_pack("{s:s, s:s, s:i, s:i}", "job_id", job, "serial", serial, "pass", 2,
			 "offset", 4096);
}

/* start -> end(interrupted) -> resume -> end(sanitized) -> verified ->
 * certificate is accepted and verifies; a resume of nothing, of another
 * job, of a wipe in progress, on another disk, and a certificate of the
 * resumed job before it ended are refused. */
START_TEST(resume_events)
{
	struct wp_ledger *l = fresh_ledger();
	approved(l, "PC-R", "SER-R");
	expect_refused(add(l, op, WP_EV_WIPE_RESUME, "PC-R", wipe_resume("j1", "SER-R")),
		       "no interrupted wipe");
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "PC-R", wipe_start("j1", "SER-R")), 0);
	expect_refused(add(l, op, WP_EV_WIPE_RESUME, "PC-R", wipe_resume("j1", "SER-R")),
		       "wipe in progress");
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_END, "PC-R", wipe_end("j1", "interrupted")), 0);
	struct wp_asset_state st;
	ck_assert_int_eq(wp_custody_state(l, "PC-R", &st, err, sizeof(err)), 0);
	ck_assert_str_eq(wp_asset_status(&st), "wipe-interrupted");
	expect_refused(add(l, op, WP_EV_WIPE_RESUME, "PC-R", wipe_resume("j0", "SER-R")),
		       "names job 'j0'");
	expect_refused(add(l, op, WP_EV_WIPE_RESUME, "PC-R", wipe_resume("j1", "OTHER")), "R15");
	expect_refused(add(l, aud, WP_EV_WIPE_RESUME, "PC-R", wipe_resume("j1", "SER-R")),
		       "role 'auditor'");
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_RESUME, "PC-R", wipe_resume("j1", "SER-R")), 0);
	ck_assert_int_eq(wp_custody_state(l, "PC-R", &st, err, sizeof(err)), 0);
	ck_assert_str_eq(wp_asset_status(&st), "wiping");
	expect_refused(add(l, op, WP_EV_WIPE_RESUME, "PC-R", wipe_resume("j1", "SER-R")),
		       "wipe in progress");
	expect_refused(add(l, op, WP_EV_CERTIFICATE, "PC-R", cert_body("j1", ZERO64)),
		       "a wipe is in progress");
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_END, "PC-R", wipe_end("j1", "sanitized")), 0);
	expect_refused(add(l, op, WP_EV_WIPE_RESUME, "PC-R", wipe_resume("j1", "SER-R")),
		       "ended sanitized");
	ck_assert_int_eq(add(l, op, WP_EV_VERIFIED, "PC-R", json_pack("{s:s, s:s}", "job_id", "j1",
		"mode", "full")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_CERTIFICATE, "PC-R", cert_body("j1", ZERO64)), 0);
	/* a resume of an older job after a newer wipe-start: refused */
	approved(l, "PC-S", "SER-S");
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "PC-S", wipe_start("a", "SER-S")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_END, "PC-S", wipe_end("a", "interrupted")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "PC-S", wipe_start("b", "SER-S")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_END, "PC-S", wipe_end("b", "interrupted")), 0);
	expect_refused(add(l, op, WP_EV_WIPE_RESUME, "PC-S", wipe_resume("a", "SER-S")),
		       "names job 'a'");
	struct wp_custody_report r;
	ck_assert_msg(wp_custody_verify(l, ca, NULL, &r, err, sizeof(err)) == 0, "%s", err);
	wp_ledger_close(l);
}
END_TEST

static int count_job(const struct wp_ledger_job *j, void *ctx)
{
	(void)j;
	(*(int *)ctx)++;
	return 0;
}

/* The jobs table: begin, checkpoints, state; a new job of the asset
 * supersedes an unfinished one; the chain does not change. */
START_TEST(jobs_table)
{
	struct wp_ledger *l = fresh_ledger();
	approved(l, "PC-J", "SER-J");
	uint64_t seq0, seq1;
	char h0[WP_HASH_HEX], h1[WP_HASH_HEX];
	ck_assert_int_eq(wp_custody_head(l, &seq0, h0, err, sizeof(err)), 0);
	struct wp_ledger_job j = { .job_id = "job-1", .asset = "PC-J", .device = "/dev/sdx",
				   .serial = "SER-J", .model = "M", .size_bytes = 1 << 20,
				   .sector_size = 512, .method = "dod3", .verify_mode = "full",
				   .passes = 3, .pass = 1, .owner_pid = 42 };
	ck_assert_msg(wp_ledger_job_begin(l, &j, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_ne(wp_ledger_job_begin(l, &j, err, sizeof(err)), 0); /* the same id twice */
	ck_assert_int_eq(wp_ledger_job_checkpoint(l, "job-1", 3, 65536, ",,abcd", err, sizeof(err)), 0);
	ck_assert_int_eq(wp_ledger_job_checkpoint(l, "nope", 1, 0, "", err, sizeof(err)),
			 WP_CUSTODY_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "no job nope"));
	struct wp_ledger_job got;
	ck_assert_int_eq(wp_ledger_job_get(l, "job-1", &got, err, sizeof(err)), 0);
	ck_assert_str_eq(got.state, WP_JOB_RUNNING);
	ck_assert_uint_eq(got.pass, 3);
	ck_assert_uint_eq(got.offset, 65536);
	ck_assert_str_eq(got.keys, ",,abcd");
	ck_assert_int_eq(got.owner_pid, 42);
	ck_assert_str_eq(got.interruptions, "[]");
	ck_assert_int_eq(wp_ledger_job_get(l, "job-2", &got, err, sizeof(err)), 1);
	ck_assert_int_eq(wp_ledger_job_set_state(l, "job-1", WP_JOB_INTERRUPTED, 0,
		"[{\"cause\":\"signal\"}]", err, sizeof(err)), 0);
	/* a new wipe of the asset makes the old job pointless to resume */
	struct wp_ledger_job k = j;
	snprintf(k.job_id, sizeof(k.job_id), "job-2");
	ck_assert_int_eq(wp_ledger_job_begin(l, &k, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_ledger_job_get(l, "job-1", &got, err, sizeof(err)), 0);
	ck_assert_str_eq(got.state, WP_JOB_SUPERSEDED);
	ck_assert_str_eq(got.interruptions, "[{\"cause\":\"signal\"}]");
	int n = 0;
	ck_assert_int_eq(wp_ledger_job_each(l, count_job, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(wp_custody_head(l, &seq1, h1, err, sizeof(err)), 0);
	ck_assert_uint_eq(seq1, seq0);
	ck_assert_str_eq(h1, h0);
	wp_ledger_close(l);
	/* a read-only reader sees the same */
	ck_assert_int_eq(wp_ledger_open_readonly(ledger_path, &l, err, sizeof(err)), 0);
	n = 0;
	ck_assert_int_eq(wp_ledger_job_each(l, count_job, &n, err, sizeof(err)), 0);
	ck_assert_int_eq(n, 2);
	wp_ledger_close(l);
}
END_TEST

/* A free-space wipe has its own event; its certificate names the last
 * one that ended "wiped", and none of it makes the asset sanitized. */
START_TEST(freespace_events)
{
	struct wp_ledger *l = fresh_ledger();
	intake(l, "SRV-1", "SER-S");
	expect_refused(add(l, op, WP_EV_FREESPACE, "SRV-1", freespace_body("f1", "done")),
		       "needs result wiped");
	expect_refused(add(l, op, WP_EV_FREESPACE, "SRV-1", json_pack("{s:s, s:s}", "job_id", "f1",
		"result", "wiped")), "mountpoint");
	expect_refused(add(l, op, WP_EV_FREESPACE, "NOPE", freespace_body("f1", "wiped")),
		       "not in the ledger");
	ck_assert_int_eq(add(l, op, WP_EV_FREESPACE, "SRV-1", freespace_body("f1", "mismatch")), 0);
	expect_refused(add(l, op, WP_EV_CERTIFICATE, "SRV-1", freespace_cert("f1")),
		       "last free-space wipe that ended 'wiped' or 'partial' is 'none'");
	ck_assert_int_eq(add(l, op, WP_EV_FREESPACE, "SRV-1", freespace_body("f2", "wiped")), 0);
	expect_refused(add(l, op, WP_EV_CERTIFICATE, "SRV-1", freespace_cert("f1")), "names job 'f1'");
	/* without the scope it would be a whole-device certificate: refused */
	expect_refused(add(l, op, WP_EV_CERTIFICATE, "SRV-1", cert_body("f2", ZERO64)),
		       "neither a sanitized wipe");
	json_t *bad = freespace_cert("f2");
	json_object_set_new(bad, "scope", json_string("partition"));
	expect_refused(add(l, op, WP_EV_CERTIFICATE, "SRV-1", bad), "scope must be");
	ck_assert_int_eq(add(l, op, WP_EV_CERTIFICATE, "SRV-1", freespace_cert("f2")), 0);
	struct wp_asset_state st;
	ck_assert_int_eq(wp_custody_state(l, "SRV-1", &st, err, sizeof(err)), 0);
	ck_assert_str_eq(wp_asset_status(&st), "registered");
	ck_assert(!st.sanitized);
	/* a later failed run: the earlier success can no longer be certified */
	ck_assert_int_eq(add(l, op, WP_EV_FREESPACE, "SRV-1", freespace_body("f3", "failed")), 0);
	expect_refused(add(l, op, WP_EV_CERTIFICATE, "SRV-1", freespace_cert("f2")), "is 'none'");
	struct wp_custody_report report;
	ck_assert_int_eq(wp_custody_verify(l, ca, NULL, &report, err, sizeof(err)), 0);
	wp_ledger_close(l);
}
END_TEST

START_TEST(policy_without_approval)
{
	struct wp_ledger *l = fresh_ledger();
	json_t *off = json_pack("{s:b}", "approval_required", 0);
	expect_refused(wp_custody_append(l, op, WP_EV_POLICY, "", off, NULL, NULL, err, sizeof(err)),
		       "role 'operator'");
	ck_assert_int_eq(wp_custody_append(l, boss, WP_EV_POLICY, "", off, NULL, NULL, err, sizeof(err)), 0);
	json_decref(off);
	intake(l, "USB-1", "U1");
	ck_assert_int_eq(wp_custody_check_wipe(l, "USB-1", "U1", err, sizeof(err)), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "USB-1", wipe_start("j", "U1")), 0);
	ck_assert_int_eq(add(l, boss, WP_EV_POLICY, "", json_pack("{s:b}", "approval_required", 1)), 0);
	intake(l, "USB-2", "U2");
	expect_refused(add(l, op, WP_EV_WIPE_START, "USB-2", wipe_start("j", "U2")), "no approval");
	struct wp_custody_report r;
	ck_assert_int_eq(wp_custody_verify(l, ca, NULL, &r, err, sizeof(err)), 0);
	wp_ledger_close(l);
}
END_TEST

START_TEST(refuses_reals_in_bodies)
{
	struct wp_ledger *l = fresh_ledger();
	ck_assert_int_eq(add(l, op, WP_EV_INTAKE, "PC-1", json_pack("{s:s, s:s, s:f}", "serial", "S",
		"model", "M", "weight", 1.5)), WP_CUSTODY_ERROR);
	ck_assert_msg(strstr(err, "real number") != NULL, "%s", err);
	wp_ledger_close(l);
}
END_TEST

/* R15: one disk, one tag. The same serial under a second tag is refused,
 * naming the tag that holds it, until that asset is released. */
START_TEST(serial_under_one_active_tag)
{
	struct wp_ledger *l = fresh_ledger();
	intake(l, "PC-A", "DUP-1");
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-B", json_pack("{s:s, s:s}", "serial", "DUP-1",
								  "model", "M")), "PC-A");
	ck_assert_msg(strstr(err, "DUP-1") && strstr(err, "not released"), "%s", err);
	/* another serial is fine; so is the same one once PC-A is released */
	intake(l, "PC-C", "OTHER-1");
	ck_assert_int_eq(add(l, op, WP_EV_REQUEST, "PC-A", NULL), 0);
	ck_assert_int_eq(add(l, boss, WP_EV_APPROVE, "PC-A", NULL), 0);
	json_t *b = json_pack("{s:s}", "method", "shred");
	ck_assert_int_eq(wp_custody_append_witnessed(l, op, wit, WP_EV_DESTROYED, "PC-A", b, NULL,
						     NULL, err, sizeof(err)), 0);
	json_decref(b);
	/* destroyed but not released: still holds the serial */
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-B", json_pack("{s:s, s:s}", "serial", "DUP-1",
								  "model", "M")), "PC-A");
	ck_assert_int_eq(add(l, op, WP_EV_RELEASE, "PC-A", json_pack("{s:s}", "to", "dispose")), 0);
	intake(l, "PC-B", "DUP-1");
	struct wp_custody_report r;
	ck_assert_int_eq(wp_custody_verify(l, ca, NULL, &r, err, sizeof(err)), 0);
	wp_ledger_close(l);
}
END_TEST

/* Blank tags and days that are not in the calendar never reach the
 * ledger, whatever the caller checked before. */
START_TEST(blank_tags_and_impossible_dates)
{
	struct wp_ledger *l = fresh_ledger();
	expect_refused(add(l, op, WP_EV_INTAKE, "   ", json_pack("{s:s, s:s}", "serial", "B1",
								 "model", "M")), "blank");
	const char *bad[] = { "2026-02-30", "2026-02-29", "2025-04-31", "2026-13-01", "2026-00-10" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_refused(add(l, op, WP_EV_INTAKE, "PC-D", json_pack("{s:s, s:s, s:s}", "serial",
			"D1", "model", "M", "lease_end", bad[i])), "not a date");
	/* 2028 is a leap year, 2100 is not */
	ck_assert_int_eq(add(l, op, WP_EV_INTAKE, "PC-D", json_pack("{s:s, s:s, s:s}", "serial",
		"D1", "model", "M", "lease_end", "2028-02-29")), 0);
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-E", json_pack("{s:s, s:s, s:s}", "serial",
		"E1", "model", "M", "lease_end", "2100-02-29")), "not a date");
	wp_ledger_close(l);
}
END_TEST

/* A member jansson could not build (not UTF-8) never silently vanishes
 * from a signed event: wp_json_set leaves a marker and the append refuses
 * it, naming the field. */
START_TEST(unencodable_field_refused)
{
	struct wp_ledger *l = fresh_ledger();
	json_t *b = json_pack("{s:s, s:s}", "serial", "U8", "model", "M");
	ck_assert_int_eq(wp_json_set(b, "owner", json_string("\xff\xfe")), -1);
	ck_assert_int_eq(wp_custody_append(l, op, WP_EV_INTAKE, "PC-U", b, NULL, NULL, err,
					   sizeof(err)), WP_CUSTODY_ERROR);
	ck_assert_msg(strstr(err, "'owner'") != NULL, "%s", err);
	json_decref(b);
	uint64_t seq = 99;
	char hash[WP_HASH_HEX];
	ck_assert_int_eq(wp_custody_head(l, &seq, hash, err, sizeof(err)), 0);
	ck_assert_uint_eq(seq, 0);
	char why[256];
	ck_assert_int_eq(wp_text_check("山田 太郎", 0, why, sizeof(why)), 0);
	ck_assert_int_eq(wp_text_check("a\tb", 0, why, sizeof(why)), -1);
	ck_assert_int_eq(wp_text_check("\xc0\xaf", 0, why, sizeof(why)), -1);    /* overlong */
	ck_assert_int_eq(wp_text_check("\xed\xa0\x80", 0, why, sizeof(why)), -1); /* surrogate */
	ck_assert_int_eq(wp_text_check("\xc2\x85", 0, why, sizeof(why)), -1);    /* C1 NEL */
	ck_assert_int_eq(wp_text_check("abcd", 4, why, sizeof(why)), -1);
	wp_ledger_close(l);
}
END_TEST

/* ---- verification of changed rows ---------------------------------------- */

static void sql(const char *path, const char *text)
{
	sqlite3 *db;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, text, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", text,
		      sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void expect_broken(const char *path, const char *anchor, uint64_t bad, const char *needle)
{
	struct wp_ledger *l = NULL;
	struct wp_custody_report r;
	ck_assert_int_eq(wp_ledger_open_readonly(path, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_custody_verify(l, ca, anchor, &r, err, sizeof(err)), WP_CUSTODY_BROKEN);
	ck_assert_uint_eq(r.bad_seq, bad);
	ck_assert_msg(strstr(r.why, needle) != NULL, "why '%s' lacks '%s'", r.why, needle);
	ck_assert_msg(strstr(err, "first bad event is seq") != NULL, "%s", err);
	wp_ledger_close(l);
}


/* ---- time order, ledger identity, one spelling, malformed bodies ----------- */

/* Re-make the event SEQ as someone holding WHO's key (its actor) could:
 * another time, kind or body, chained to the previous row's hash as it is
 * now, with its hash and signature recomputed. Events after it are mended
 * by resealing each of them in turn. */
static void reseal(const char *path, uint64_t seq, const char *time, const char *kind,
		   const char *body, struct wp_identity *who)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	struct wp_event ev = { .seq = seq };
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT time, kind, asset, body, ifnull((SELECT "
					    "hash FROM events WHERE seq = ?1 - 1), '" ZERO64 "') "
					    "FROM events WHERE seq = ?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(ev.time, sizeof(ev.time), "%s", time ? time : (const char *)sqlite3_column_text(st, 0));
	snprintf(ev.kind, sizeof(ev.kind), "%s", kind ? kind : (const char *)sqlite3_column_text(st, 1));
	snprintf(ev.asset, sizeof(ev.asset), "%s", (const char *)sqlite3_column_text(st, 2));
	ev.body = json_loads(body ? body : (const char *)sqlite3_column_text(st, 3), 0, NULL);
	snprintf(ev.prev_hash, sizeof(ev.prev_hash), "%s", (const char *)sqlite3_column_text(st, 4));
	sqlite3_finalize(st);
	const struct wp_person *p = wp_identity_person(who);
	snprintf(ev.actor.name, sizeof(ev.actor.name), "%s", p->name);
	snprintf(ev.actor.title, sizeof(ev.actor.title), "%s", p->title);
	snprintf(ev.actor.role, sizeof(ev.actor.role), "%s", wp_role_name(p->role));
	snprintf(ev.actor.fingerprint, sizeof(ev.actor.fingerprint), "%s", p->fingerprint);
	ck_assert_ptr_nonnull(ev.body);
	char *body_text = wp_canonical_json(ev.body, err, sizeof(err)), *sig = NULL;
	json_t *obj = wp_event_canonical_object(&ev);
	char *canon = wp_canonical_json(obj, err, sizeof(err));
	wp_event_hash(ev.prev_hash, canon, ev.hash);
	ck_assert_int_eq(wp_identity_sign_hex(who, ev.hash, 64, &sig, err, sizeof(err)), 0);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "UPDATE events SET time = ?1, kind = ?2, body = ?3, "
					    "hash = ?4, signature = ?5, prev_hash = ?7 WHERE seq = ?6",
					    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 7, ev.prev_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 1, ev.time, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ev.kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, body_text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ev.hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, sig, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)seq);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(sig);
	free(canon);
	free(body_text);
	json_decref(obj);
	json_decref(ev.body);
}

static void verifies(const char *path)
{
	struct wp_ledger *r = NULL;
	struct wp_custody_report rep;
	ck_assert_int_eq(wp_ledger_open_readonly(path, &r, err, sizeof(err)), 0);
	ck_assert_msg(wp_custody_verify(r, ca, NULL, &rep, err, sizeof(err)) == 0, "%s", err);
	wp_ledger_close(r);
}

static void utc_in(long seconds, char out[WP_TIME_MAX])
{
	time_t t = time(NULL) + seconds;
	wp_utc_format(t, out, WP_TIME_MAX);
}

/* An approval dated before its request (each re-signed by its own
 * signer, so every hash and signature is right) does not verify: here the
 * request is dated an hour later than the approval that follows it. */
START_TEST(backdated_approval_refused)
{
	struct wp_ledger *l = fresh_ledger();
	char later[WP_TIME_MAX];
	approved(l, "PC-T", "ST"); /* seq 1 intake, 2 request, 3 approve */
	wp_ledger_close(l);
	verifies(ledger_path);
	utc_in(3600, later);
	reseal(ledger_path, 2, later, NULL, NULL, op);
	reseal(ledger_path, 3, NULL, NULL, NULL, boss);
	expect_broken(ledger_path, NULL, 3, "before the time of the event before it");
}
END_TEST

START_TEST(future_event_refused)
{
	struct wp_ledger *l = fresh_ledger();
	char t[WP_TIME_MAX];
	intake(l, "PC-F", "SF");
	ck_assert_int_eq(add(l, op, WP_EV_NOTE, "PC-F", json_pack("{s:s}", "text", "a")), 0);
	wp_ledger_close(l);
	utc_in(3600, t); /* an hour ahead: a drifting clock, still accepted */
	reseal(ledger_path, 2, t, NULL, NULL, op);
	verifies(ledger_path);
	utc_in(WP_CLOCK_AHEAD_MAX + 3600, t);
	reseal(ledger_path, 2, t, NULL, NULL, op);
	expect_broken(ledger_path, NULL, 2, "ahead of this computer's clock");
}
END_TEST

/* The last event is dated an hour ahead (a station whose clock ran fast):
 * an append now would go back in time, and is refused with what to do. */
START_TEST(clock_backwards_refused)
{
	struct wp_ledger *l = fresh_ledger();
	char t[WP_TIME_MAX];
	intake(l, "PC-C", "SC");
	wp_ledger_close(l);
	utc_in(3600, t);
	reseal(ledger_path, 1, t, NULL, NULL, op);
	verifies(ledger_path);
	ck_assert_int_eq(wp_ledger_open(ledger_path, &l, err, sizeof(err)), 0);
	int rc = add(l, op, WP_EV_NOTE, "PC-C", json_pack("{s:s}", "text", "x"));
	ck_assert_msg(rc == WP_CUSTODY_REFUSED, "rc %d: %s", rc, err);
	ck_assert_msg(strstr(err, "clock went backwards") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "nothing was recorded") != NULL, "%s", err);
	uint64_t seq = 0;
	char head[WP_HASH_HEX];
	ck_assert_int_eq(wp_custody_head(l, &seq, head, err, sizeof(err)), 0);
	ck_assert_uint_eq(seq, 1);
	wp_ledger_close(l);
}
END_TEST

/* Two ledgers begun by the same person in the same second: without a
 * ledger id their first events are identical, and an event of one can be
 * moved into the other. */
START_TEST(transplant_refused)
{
	char a[200], b[200], cmd[600];
	struct wp_ledger *la = NULL, *lb = NULL;
	for (int tries = 0; tries < 10; tries++) {
		time_t t0 = time(NULL);
		la = fresh_ledger();
		snprintf(a, sizeof(a), "%s", ledger_path);
		lb = fresh_ledger();
		snprintf(b, sizeof(b), "%s", ledger_path);
		ck_assert_int_eq(add(la, boss, WP_EV_POLICY, "", json_pack("{s:b}", "approval_required", 1)), 0);
		ck_assert_int_eq(add(lb, boss, WP_EV_POLICY, "", json_pack("{s:b}", "approval_required", 1)), 0);
		if (time(NULL) == t0)
			break;
		wp_ledger_close(la);
		wp_ledger_close(lb);
		la = lb = NULL;
	}
	ck_assert_ptr_nonnull(la);
	char ida[WP_LEDGER_ID_HEX], idb[WP_LEDGER_ID_HEX];
	ck_assert_int_eq(wp_custody_ledger_id(la, ida, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_custody_ledger_id(lb, idb, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(ida), 32);
	ck_assert_str_ne(ida, idb);
	ck_assert_int_eq(add(lb, boss, WP_EV_INTAKE, "PC-X", json_pack("{s:s, s:s}", "serial", "S",
								       "model", "M")), 0);
	wp_ledger_close(la);
	wp_ledger_close(lb);
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"ATTACH '%s' AS b; INSERT INTO events SELECT * "
		 "FROM b.events WHERE seq = 2\"", a, b);
	ck_assert_int_eq(system(cmd), 0);
	expect_broken(a, NULL, 2, "prev_hash does not equal");
	/* the genesis carries the id; a later event may not */
	struct wp_ledger *l = fresh_ledger();
	intake(l, "PC-Y", "SY");
	ck_assert_int_eq(add(l, op, WP_EV_NOTE, "PC-Y", json_pack("{s:s, s:s}", "text", "t",
								"ledger_id", ida)), WP_CUSTODY_ERROR);
	ck_assert_msg(strstr(err, "set by the ledger") != NULL, "%s", err);
	wp_ledger_close(l);
}
END_TEST

/* TEXT's head re-signed by WHO with ledger_id set to ID (NULL: removed),
 * as the signer of a head of another ledger could have made it. */
static char *head_with_id(const char *text, struct wp_identity *who, const char *id)
{
	json_t *o = json_loads(text, 0, NULL);
	char *sig = NULL, *out = NULL;
	ck_assert_ptr_nonnull(o);
	json_object_del(o, "signature");
	if (id)
		ck_assert_int_eq(wp_json_set(o, "ledger_id", json_string(id)), 0);
	else
		json_object_del(o, "ledger_id");
	char *body = wp_canonical_json(o, err, sizeof(err));
	ck_assert_ptr_nonnull(body);
	ck_assert_int_eq(wp_identity_sign_hex(who, body, strlen(body), &sig, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_json_set(o, "signature", json_string(sig)), 0);
	out = wp_canonical_json(o, err, sizeof(err));
	ck_assert_ptr_nonnull(out);
	free(sig);
	free(body);
	json_decref(o);
	return out;
}

/* A signed head names its ledger: the same HASH@SEQ signed for another
 * ledger id is no anchor for this one, and the id is under the signature. */
START_TEST(signed_head_names_its_ledger)
{
	struct wp_ledger *l = fresh_ledger();
	intake(l, "PC-H", "SH");
	ck_assert_int_eq(add(l, op, WP_EV_NOTE, "PC-H", json_pack("{s:s}", "text", "t")), 0);
	char id[WP_LEDGER_ID_HEX], *text = NULL;
	ck_assert_int_eq(wp_custody_ledger_id(l, id, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(id), 32);
	ck_assert_msg(wp_head_sign(l, aud, &text, err, sizeof(err)) == 0, "%s", err);
	struct wp_signed_head h;
	struct wp_custody_report r;
	ck_assert_msg(wp_head_verify(text, strlen(text), ca, NULL, &h, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_str_eq(h.ledger_id, id);
	ck_assert_uint_eq(h.seq, 2);
	ck_assert_msg(wp_custody_verify_head(l, ca, &h, &r, err, sizeof(err)) == 0, "%s", err);

	/* another ledger's id, properly signed: the signature holds, the anchor does not */
	char *other = head_with_id(text, aud, "0123456789abcdef0123456789abcdef");
	ck_assert_msg(wp_head_verify(other, strlen(other), ca, NULL, &h, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_int_eq(wp_custody_verify_head(l, ca, &h, &r, err, sizeof(err)), WP_CUSTODY_BROKEN);
	ck_assert_msg(strstr(r.why, "another ledger") != NULL, "%s", r.why);
	ck_assert_msg(strstr(err, id) != NULL, "%s", err);
	/* a head without an id (signed before heads named their ledger) neither */
	char *none = head_with_id(text, aud, NULL);
	ck_assert_int_eq(wp_head_verify(none, strlen(none), ca, NULL, &h, err, sizeof(err)), 0);
	ck_assert_str_eq(h.ledger_id, "");
	ck_assert_int_eq(wp_custody_verify_head(l, ca, &h, &r, err, sizeof(err)), WP_CUSTODY_BROKEN);
	/* not an id */
	char *bad = head_with_id(text, aud, "XYZ");
	ck_assert_int_eq(wp_head_verify(bad, strlen(bad), ca, NULL, &h, err, sizeof(err)),
			 WP_CUSTODY_BROKEN);
	ck_assert_msg(strstr(err, "not a ledger id") != NULL, "%s", err);
	/* the id edited without the key: the signature no longer holds */
	json_t *o = json_loads(text, 0, NULL);
	ck_assert_int_eq(wp_json_set(o, "ledger_id", json_string("0123456789abcdef0123456789abcdef")), 0);
	char *edited = wp_canonical_json(o, err, sizeof(err));
	ck_assert_int_eq(wp_head_verify(edited, strlen(edited), ca, NULL, &h, err, sizeof(err)),
			 WP_CUSTODY_BROKEN);
	ck_assert_msg(strstr(err, "changed after signing") != NULL, "%s", err);
	json_decref(o);
	free(edited);
	free(bad);
	free(none);
	free(other);
	free(text);
	wp_ledger_close(l);
}
END_TEST

/* The high twin (r, n - s) of a stored signature: valid ECDSA, refused. */
START_TEST(high_s_column_refused)
{
	struct wp_ledger *l = fresh_ledger();
	intake(l, "PC-S", "SS");
	wp_ledger_close(l);
	sqlite3 *db;
	sqlite3_stmt *st;
	ck_assert_int_eq(sqlite3_open(ledger_path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT signature FROM events WHERE seq = 1", -1,
					    &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	unsigned char *der = NULL;
	size_t len = 0;
	ck_assert_int_eq(wp_hex_decode((const char *)sqlite3_column_text(st, 0), &der, &len), 0);
	sqlite3_finalize(st);
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG_get0(sig, &r, &s);
	BIGNUM *n = NULL, *s2 = BN_new();
	/* the order of P-256, SEC 2 section 2.4.2 */
	ck_assert(BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"));
	ck_assert(BN_sub(s2, n, s));
	ck_assert(ECDSA_SIG_set0(sig, BN_dup(r), s2));
	unsigned char *twin = NULL;
	int tl = i2d_ECDSA_SIG(sig, &twin);
	char *hex = malloc(2 * (size_t)tl + 1), q[400];
	wp_hex_encode(twin, (size_t)tl, hex);
	snprintf(q, sizeof(q), "UPDATE events SET signature = '%s' WHERE seq = 1", hex);
	ck_assert_int_eq(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	expect_broken(ledger_path, NULL, 1, "one accepted form");
	free(hex);
	OPENSSL_free(twin);
	BN_free(n);
	ECDSA_SIG_free(sig);
	free(der);
}
END_TEST

/* A certificate event whose scope is not a string: a bad event, found by
 * the append's rule check and by verification, never a crash. */
START_TEST(malformed_scope_is_bad_event)
{
	struct wp_ledger *l = fresh_ledger();
	intake(l, "PC-M", "SM");
	json_t *b = json_pack("{s:s, s:s, s:i}", "certificate_id", "c-1", "certificate_sha256",
			      ZERO64, "scope", 5);
	ck_assert_int_eq(add(l, op, WP_EV_CERTIFICATE, "PC-M", b), WP_CUSTODY_REFUSED);
	ck_assert_msg(strstr(err, "bad event") != NULL, "%s", err);
	b = json_pack("{s:s, s:s, s:n}", "certificate_id", "c-1", "certificate_sha256", ZERO64,
		      "scope");
	ck_assert_int_eq(add(l, op, WP_EV_CERTIFICATE, "PC-M", b), WP_CUSTODY_REFUSED);
	ck_assert_int_eq(add(l, op, WP_EV_NOTE, "PC-M", json_pack("{s:s}", "text", "n")), 0);
	wp_ledger_close(l);
	/* signed by the operator's key, as only a key holder could */
	reseal(ledger_path, 2, NULL, WP_EV_CERTIFICATE, "{\"certificate_id\":\"c-1\","
	       "\"certificate_sha256\":\"" ZERO64 "\",\"scope\":[1]}", op);
	expect_broken(ledger_path, NULL, 2, "bad event");
}
END_TEST

START_TEST(tampering_found)
{
	struct wp_ledger *l = fresh_ledger();
	approved(l, "PC-3", "S3");
	ck_assert_int_eq(add(l, op, WP_EV_NOTE, "PC-3", json_pack("{s:s}", "text", "a")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_NOTE, "PC-3", json_pack("{s:s}", "text", "b")), 0);
	char head[WP_HASH_HEX], anchor[100];
	uint64_t seq;
	ck_assert_int_eq(wp_custody_head(l, &seq, head, err, sizeof(err)), 0);
	snprintf(anchor, sizeof(anchor), "%s@%llu", head, (unsigned long long)seq);
	wp_ledger_close(l);
	char copy[200], cmd[600];
	snprintf(copy, sizeof(copy), "%s.orig", ledger_path);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", ledger_path, copy);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", copy, ledger_path);

	sql(ledger_path, "UPDATE events SET body = '{\"text\":\"A\"}' WHERE seq = 4");
	expect_broken(ledger_path, NULL, 4, "hash does not match");
	ck_assert_int_eq(system(cmd), 0);
	sql(ledger_path, "UPDATE events SET actor_role = 'approver' WHERE seq = 2");
	expect_broken(ledger_path, NULL, 2, "hash does not match");
	ck_assert_int_eq(system(cmd), 0);
	sql(ledger_path, "DELETE FROM events WHERE seq = 3");
	expect_broken(ledger_path, NULL, 3, "missing");
	ck_assert_int_eq(system(cmd), 0);
	sql(ledger_path, "DELETE FROM events WHERE seq = 5");
	struct wp_ledger *r = NULL;
	struct wp_custody_report rep;
	ck_assert_int_eq(wp_ledger_open_readonly(ledger_path, &r, err, sizeof(err)), 0);
	ck_assert_msg(wp_custody_verify(r, ca, NULL, &rep, err, sizeof(err)) == 0, "%s", err); /* tail cut */
	wp_ledger_close(r);
	expect_broken(ledger_path, anchor, 5, "removed from the end");
	ck_assert_int_eq(system(cmd), 0);
	expect_broken(ledger_path, ZERO64 "@5", 5, "differs from the anchor");
}
END_TEST

/* ---- concurrency: one handle per thread ----------------------------------- */

struct worker {
	int id;
	int failures;
	char err[1024];
};

static void *append_notes(void *arg)
{
	struct worker *w = arg;
	struct wp_ledger *l = NULL;
	if (wp_ledger_open(ledger_path, &l, w->err, sizeof(w->err)) < 0) {
		w->failures = 1000;
		return NULL;
	}
	for (int i = 0; i < 25; i++) {
		json_t *b = json_pack("{s:s, s:i, s:i}", "text", "concurrent", "worker", w->id, "i", i);
		if (wp_custody_append(l, w->id % 2 ? op : op2, WP_EV_NOTE, "PC-C", b, NULL, NULL,
				      w->err, sizeof(w->err)) != 0)
			w->failures++;
		json_decref(b);
	}
	wp_ledger_close(l);
	return NULL;
}

START_TEST(concurrent_appenders)
{
	struct wp_ledger *l = fresh_ledger();
	intake(l, "PC-C", "SC");
	pthread_t t[4];
	struct worker w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .id = i };
		ck_assert_int_eq(pthread_create(&t[i], NULL, append_notes, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_msg(w[i].failures == 0, "worker %d: %d failures: %s", i, w[i].failures, w[i].err);
	}
	struct wp_custody_report r;
	ck_assert_msg(wp_custody_verify(l, ca, NULL, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(r.events, 101);
	ck_assert_uint_eq(r.head_seq, 101);
	wp_ledger_close(l);
}
END_TEST


/* ---- issue 17 items 5-9: the asset's life -------------------------------------------- */

static void verifies_now(struct wp_ledger *l)
{
	struct wp_custody_report r;
	ck_assert_msg(wp_custody_verify(l, ca, NULL, &r, err, sizeof(err)) == 0, "%s", r.why);
}

static json_t *take_out_body(const char *due)
{
	json_t *b = json_pack("{s:s, s:s}", "destination", "顧客先 株式会社A", "purpose", "展示会");
	if (due)
		wp_json_set(b, "due_back", json_string(due));
	return b;
}

/* R19: a take-out is signed by the taker and the permitting head (an
 * approver, not the taker); while the medium is out nothing is done to it
 * until its return, which must be the same disk. */
START_TEST(take_out_and_return)
{
	struct wp_ledger *l = fresh_ledger();
	approved(l, "USB-7", "U7");
	json_t *b = take_out_body("2099-12-31");
	expect_refused(wp_custody_append(l, op, WP_EV_TAKE_OUT, "USB-7", b, NULL, NULL, err,
					 sizeof(err)), "--permitted-by");
	expect_refused(wp_custody_append_witnessed(l, op, op, WP_EV_TAKE_OUT, "USB-7", b, NULL, NULL,
						   err, sizeof(err)), "cannot permit their own");
	expect_refused(wp_custody_append_witnessed(l, op, wit, WP_EV_TAKE_OUT, "USB-7", b, NULL, NULL,
						   err, sizeof(err)), "must have role approver");
	json_decref(b);
	b = json_pack("{s:s}", "destination", "A");
	expect_refused(wp_custody_append_witnessed(l, op, boss, WP_EV_TAKE_OUT, "USB-7", b, NULL,
						   NULL, err, sizeof(err)), "'purpose'");
	json_decref(b);
	b = take_out_body("2001-01-01");
	expect_refused(wp_custody_append_witnessed(l, op, boss, WP_EV_TAKE_OUT, "USB-7", b, NULL,
						   NULL, err, sizeof(err)), "is before today");
	json_decref(b);
	expect_refused(add(l, op, WP_EV_RETURN, "USB-7", NULL), "is not taken out");
	b = take_out_body("2099-12-31");
	ck_assert_msg(wp_custody_append_witnessed(l, op, boss, WP_EV_TAKE_OUT, "USB-7", b, NULL, NULL,
						  err, sizeof(err)) == 0, "%s", err);
	/* out: not again, not wiped, destroyed, handed over or released */
	expect_refused(wp_custody_append_witnessed(l, op, boss, WP_EV_TAKE_OUT, "USB-7", b, NULL,
						   NULL, err, sizeof(err)), "is taken out");
	json_decref(b);
	expect_refused(add(l, op, WP_EV_WIPE_START, "USB-7", wipe_start("j", "U7")),
		       "record its return first");
	expect_refused(add(l, op, WP_EV_RELEASE, "USB-7", json_pack("{s:s}", "to", "dispose")),
		       "is taken out");
	expect_refused(add(l, op, WP_EV_TRANSFER, "USB-7", json_pack("{s:s}", "vendor", "V")),
		       "is taken out");
	ck_assert_int_eq(add(l, op, WP_EV_NOTE, "USB-7", json_pack("{s:s}", "text", "at the fair")), 0);
	struct wp_asset_state st;
	ck_assert_int_eq(wp_custody_state(l, "USB-7", &st, err, sizeof(err)), 0);
	ck_assert_str_eq(wp_asset_status(&st), "taken-out");
	ck_assert_str_eq(wp_asset_whereabouts(&st), "taken-out");
	ck_assert_str_eq(st.permitted_by.name, wp_identity_person(boss)->name);
	ck_assert_str_eq(st.taken_by.name, wp_identity_person(op)->name);
	ck_assert_str_eq(st.due_back, "2099-12-31");
	/* the return is the same medium */
	expect_refused(add(l, op2, WP_EV_RETURN, "USB-7", json_pack("{s:s}", "serial", "OTHER")),
		       "not the medium that was taken out");
	ck_assert_int_eq(add(l, op2, WP_EV_RETURN, "USB-7", json_pack("{s:s}", "serial", "U7")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "USB-7", wipe_start("j", "U7")), 0);
	/* a wipe in progress cannot leave */
	b = take_out_body(NULL);
	expect_refused(wp_custody_append_witnessed(l, op, boss, WP_EV_TAKE_OUT, "USB-7", b, NULL,
						   NULL, err, sizeof(err)), "being wiped");
	json_decref(b);
	/* only a take-out or a destruction carries a second signer */
	b = json_pack("{s:s}", "text", "x");
	expect_refused(wp_custody_append_witnessed(l, op, boss, WP_EV_NOTE, "USB-7", b, NULL, NULL,
						   err, sizeof(err)), "carries a second signer");
	json_decref(b);
	verifies_now(l);
	wp_ledger_close(l);
}
END_TEST

/* R20: erasure before repair impossible: release to repair with the
 * confidentiality agreement's digest and the repairer, and take the same
 * disk in again under the same tag; a new cycle starts. */
START_TEST(repair_without_erasure)
{
	static const char agreement[] =
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	struct wp_ledger *l = fresh_ledger();
	approved(l, "PC-R", "SR1");
	expect_refused(add(l, op, WP_EV_RELEASE, "PC-R", json_pack("{s:s}", "to", "repair")),
		       "neither a sanitized wipe");
	expect_refused(add(l, op, WP_EV_RELEASE, "PC-R", json_pack("{s:s, s:s}", "to", "repair",
		       "agreement_sha256", agreement)), "'repairer'");
	expect_refused(add(l, op, WP_EV_RELEASE, "PC-R", json_pack("{s:s, s:s, s:s}", "to", "dispose",
		       "agreement_sha256", agreement, "repairer", "X")), "only to a release --to repair");
	expect_refused(add(l, op, WP_EV_RELEASE, "PC-R", json_pack("{s:s, s:s, s:s}", "to", "repair",
		       "agreement_sha256", "abc", "repairer", "X")), "64 lowercase hex");
	ck_assert_int_eq(add(l, op, WP_EV_RELEASE, "PC-R", json_pack("{s:s, s:s, s:s, s:s}", "to",
		"repair", "agreement_sha256", agreement, "agreement", "nda.pdf", "repairer",
		"修理センター")), 0);
	struct wp_asset_state st;
	ck_assert_int_eq(wp_custody_state(l, "PC-R", &st, err, sizeof(err)), 0);
	ck_assert_str_eq(wp_asset_status(&st), "released");
	ck_assert_str_eq(st.agreement_sha256, agreement);
	ck_assert(wp_asset_outstanding(&st) == false);
	/* back: the same tag, the same disk; another disk is refused */
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-R", json_pack("{s:s, s:s}", "serial", "NEW",
		       "model", "ThinkPad")), "replaced the disk");
	ck_assert_int_eq(add(l, op, WP_EV_INTAKE, "PC-R", json_pack("{s:s, s:s}", "serial", "SR1",
		"model", "ThinkPad")), 0);
	ck_assert_int_eq(wp_custody_state(l, "PC-R", &st, err, sizeof(err)), 0);
	ck_assert_str_eq(wp_asset_status(&st), "registered");
	ck_assert_uint_eq(st.repairs, 1);
	ck_assert_str_eq(st.owner, "営業部"); /* kept from the first intake */
	ck_assert_str_eq(st.reason, "repair");
	/* a new cycle: the earlier approval does not carry over */
	expect_refused(add(l, op, WP_EV_WIPE_START, "PC-R", wipe_start("j2", "SR1")), "no approval");
	/* released elsewhere than repair: the tag stays closed */
	approved(l, "PC-S", "SS1");
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "PC-S", wipe_start("j", "SS1")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_END, "PC-S", wipe_end("j", "sanitized")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_RELEASE, "PC-S", json_pack("{s:s}", "to", "reuse")), 0);
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-S", json_pack("{s:s, s:s}", "serial", "SS1",
		       "model", "M")), "already in the ledger");
	verifies_now(l);
	wp_ledger_close(l);
}
END_TEST

/* R21, Co-Std Art.5(1): introduction date, maker (with where it came from),
 * seller, use and warranty are recorded and checked at intake. */
START_TEST(ledger_fields_art5)
{
	struct wp_ledger *l = fresh_ledger();
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-F", json_pack("{s:s, s:s, s:s}", "serial", "F1",
		       "model", "M", "introduced", "2099-01-01")), "cannot be in the future");
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-F", json_pack("{s:s, s:s, s:s}", "serial", "F1",
		       "model", "M", "introduced", "2021-02-29")), "not a date");
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-F", json_pack("{s:s, s:s, s:s, s:s}", "serial",
		       "F1", "model", "M", "maker", "WD", "maker_source", "guess")), "maker_source");
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-F", json_pack("{s:s, s:s, s:s}", "serial", "F1",
		       "model", "M", "maker_source", "label")), "comes with a maker");
	ck_assert_int_eq(add(l, op, WP_EV_INTAKE, "PC-F", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
		"s:s, s:s}", "serial", "F1", "model", "WDC WD10EZEX", "introduced", "2020-04-01",
		"maker", "Western Digital Technologies, Inc.", "maker_source", "wwn-oui",
		"seller", "大塚商会", "use", "経理サーバ", "warranty", "保証書番号 W-123 (2025-03-31まで)")), 0);
	struct wp_asset_state st;
	ck_assert_int_eq(wp_custody_state(l, "PC-F", &st, err, sizeof(err)), 0);
	ck_assert_str_eq(st.introduced, "2020-04-01");
	ck_assert_str_eq(st.maker, "Western Digital Technologies, Inc.");
	ck_assert_str_eq(st.maker_source, "wwn-oui");
	ck_assert_str_eq(st.seller, "大塚商会");
	ck_assert_str_eq(st.use, "経理サーバ");
	ck_assert_str_eq(st.warranty, "保証書番号 W-123 (2025-03-31まで)");
	verifies_now(l);
	wp_ledger_close(l);
}
END_TEST

/* R14, R15, R16: what is outstanding, and where it is; a stocktake is a
 * ledger-wide event with three lists of strings. */
START_TEST(outstanding_and_stocktake)
{
	struct wp_ledger *l = fresh_ledger();
	struct wp_asset_state st;
	memset(&st, 0, sizeof(st));
	ck_assert(!wp_asset_outstanding(&st));
	ck_assert_str_eq(wp_asset_whereabouts(&st), "unknown");
	approved(l, "PC-O", "O1");
	ck_assert_int_eq(wp_custody_state(l, "PC-O", &st, err, sizeof(err)), 0);
	ck_assert(wp_asset_outstanding(&st));
	ck_assert_str_eq(wp_asset_whereabouts(&st), "on-premises");
	ck_assert_int_eq(add(l, op, WP_EV_TRANSFER, "PC-O", json_pack("{s:s}", "vendor", "V")), 0);
	ck_assert_int_eq(wp_custody_state(l, "PC-O", &st, err, sizeof(err)), 0);
	ck_assert(wp_asset_outstanding(&st)); /* handed over, not released: still ours to account for */
	ck_assert_str_eq(wp_asset_whereabouts(&st), "at-vendor");

	json_t *ok = json_pack("{s:[s], s:[], s:[s]}", "present", "PC-O", "missing", "unrecorded",
			       "SER-X");
	expect_refused(wp_custody_append(l, op, WP_EV_STOCKTAKE, "PC-O", ok, NULL, NULL, err,
					 sizeof(err)), "names no asset");
	json_t *bad = json_pack("{s:[i], s:[], s:[]}", "present", 1, "missing", "unrecorded");
	expect_refused(wp_custody_append(l, op, WP_EV_STOCKTAKE, "", bad, NULL, NULL, err,
					 sizeof(err)), "list of strings");
	json_decref(bad);
	expect_refused(wp_custody_append(l, aud, WP_EV_STOCKTAKE, "", ok, NULL, NULL, err,
					 sizeof(err)), "role 'auditor'");
	ck_assert_int_eq(wp_custody_append(l, op, WP_EV_STOCKTAKE, "", ok, NULL, NULL, err,
					   sizeof(err)), 0);
	json_decref(ok);
	verifies_now(l);
	wp_ledger_close(l);
}
END_TEST

/* R12: a disc is never overwritten; a write-once or pressed disc is never
 * reused, only destroyed; a rewritable one is blanked fully and reused,
 * never certified as sanitized. */
START_TEST(optical_media_rules)
{
	ck_assert(wp_optical_write_once("CD-R") && wp_optical_write_once("DVD+R DL"));
	ck_assert(!wp_optical_write_once("CD-RW") && wp_optical_rewritable("CD-RW"));
	ck_assert(wp_optical_media_known("BD-ROM") && !wp_optical_rewritable("BD-ROM"));
	ck_assert(!wp_optical_media_known("floppy"));
	struct wp_ledger *l = fresh_ledger();
	expect_refused(add(l, op, WP_EV_INTAKE, "CD-0", json_pack("{s:s, s:s, s:s}", "serial", "D0",
		       "model", "disc", "media", "LaserDisc")), "not an optical medium");
	ck_assert_int_eq(add(l, op, WP_EV_INTAKE, "CD-1", json_pack("{s:s, s:s, s:s, s:s}", "serial",
		"D1", "model", "disc", "media", "CD-R", "kind", "optical")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_REQUEST, "CD-1", NULL), 0);
	ck_assert_int_eq(add(l, boss, WP_EV_APPROVE, "CD-1", NULL), 0);
	expect_refused(add(l, op, WP_EV_WIPE_START, "CD-1", wipe_start("j", "D1")),
		       "cannot be erased");
	expect_refused(add(l, op, WP_EV_BLANKED, "CD-1", json_pack("{s:s}", "method", "full")),
		       "only a rewritable disc");
	expect_refused(add(l, op, WP_EV_RELEASE, "CD-1", json_pack("{s:s}", "to", "reuse")),
		       "may not be reused");
	json_t *b = json_pack("{s:s}", "method", "shred");
	ck_assert_int_eq(wp_custody_append_witnessed(l, op, wit, WP_EV_DESTROYED, "CD-1", b, NULL,
						     NULL, err, sizeof(err)), 0);
	json_decref(b);
	ck_assert_int_eq(add(l, op, WP_EV_RELEASE, "CD-1", json_pack("{s:s}", "to", "dispose")), 0);

	ck_assert_int_eq(add(l, op, WP_EV_INTAKE, "CD-2", json_pack("{s:s, s:s, s:s}", "serial",
		"D2", "model", "disc", "media", "CD-RW")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_REQUEST, "CD-2", NULL), 0);
	expect_refused(add(l, op, WP_EV_BLANKED, "CD-2", json_pack("{s:s}", "method", "full")),
		       "no approval");
	ck_assert_int_eq(add(l, boss, WP_EV_APPROVE, "CD-2", NULL), 0);
	expect_refused(add(l, op, WP_EV_WIPE_START, "CD-2", wipe_start("j", "D2")),
		       "discs are not overwritten");
	expect_refused(add(l, op, WP_EV_RELEASE, "CD-2", json_pack("{s:s}", "to", "reuse")),
		       "neither a sanitized wipe");
	expect_refused(add(l, op, WP_EV_BLANKED, "CD-2", json_pack("{s:s}", "method", "fast")),
		       "table of contents");
	ck_assert_int_eq(add(l, op, WP_EV_BLANKED, "CD-2", json_pack("{s:s, s:s}", "method", "full",
		"tool", "xorriso -blank=all")), 0);
	/* blanked is not sanitized: no certificate, no disposal */
	expect_refused(add(l, op, WP_EV_CERTIFICATE, "CD-2", cert_body(NULL,
		       "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")),
		       "neither a sanitized wipe");
	expect_refused(add(l, op, WP_EV_RELEASE, "CD-2", json_pack("{s:s}", "to", "dispose")),
		       "released for reuse only");
	ck_assert_int_eq(add(l, op, WP_EV_RELEASE, "CD-2", json_pack("{s:s}", "to", "reuse")), 0);
	verifies_now(l);
	wp_ledger_close(l);
}
END_TEST

/* ---- the certificate check is remembered only where it cannot change ---- */

/* A row signed by who's key under certificate cert, dated at, put
 * straight into the file (append.c dates events now; this needs the past). */
static void put_row(sqlite3 *db, const struct wp_identity *who, const struct wp_person *p,
		    uint64_t seq, time_t at, const char *kind, const char *asset, json_t *body,
		    char prev[WP_HASH_HEX])
{
	struct wp_event ev = { .seq = seq };
	struct tm tm;
	strftime(ev.time, sizeof(ev.time), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&at, &tm));
	snprintf(ev.kind, sizeof(ev.kind), "%s", kind);
	snprintf(ev.asset, sizeof(ev.asset), "%s", asset);
	snprintf(ev.actor.name, sizeof(ev.actor.name), "%s", p->name);
	snprintf(ev.actor.title, sizeof(ev.actor.title), "%s", p->title);
	snprintf(ev.actor.role, sizeof(ev.actor.role), "%s", wp_role_name(p->role));
	snprintf(ev.actor.fingerprint, sizeof(ev.actor.fingerprint), "%s", p->fingerprint);
	snprintf(ev.prev_hash, sizeof(ev.prev_hash), "%s", prev);
	ev.body = body;
	char *body_text = wp_canonical_json(body, err, sizeof(err));
	json_t *obj = wp_event_canonical_object(&ev);
	char *text = wp_canonical_json(obj, err, sizeof(err));
	char *sig = NULL;
	ck_assert(body_text && text);
	wp_event_hash(prev, text, ev.hash);
	ck_assert_int_eq(wp_identity_sign_hex(who, ev.hash, 64, &sig, err, sizeof(err)), 0);
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO events (seq, time, kind, asset, "
		"actor_name, actor_title, actor_role, actor_fingerprint, body, prev_hash, hash, "
		"signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL), SQLITE_OK);
	const char *v[] = { ev.time, kind, asset, ev.actor.name, ev.actor.title, ev.actor.role,
			    ev.actor.fingerprint, body_text, prev, ev.hash, sig };
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	for (int i = 0; i < 11; i++)
		sqlite3_bind_text(st, i + 2, v[i], -1, SQLITE_TRANSIENT);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	snprintf(prev, WP_HASH_HEX, "%s", ev.hash);
	free(sig);
	free(text);
	free(body_text);
	json_decref(obj);
	json_decref(body);
}

/* verify.c remembers a passed certificate-chain check per signer. Keyed by
 * the signer alone it would pass a certificate that expired between two of
 * its events; the verdict must stay the one of X509_verify_cert at each
 * event's time. The oracle is stock openssl: `openssl verify -attime`
 * accepts the certificate at the first event's time and says "certificate
 * has expired" at the second's. The certificate is op's key re-issued by
 * the CA with a validity that ended a day ago. */
START_TEST(verify_cert_cache_honours_time)
{
	time_t now = time(NULL), t1 = now - 5 * 86400, t2 = now - 12 * 3600;
	char key_path[128], pem_path[160], ca_path[128], cmd[1024];
	EVP_PKEY *ca_key = NULL;
	snprintf(key_path, sizeof(key_path), "%s/ca.key", dir);
	ck_assert_msg(wp_key_load(key_path, NULL, &ca_key, err, sizeof(err)) == 0, "%s", err);
	/* the CA too, backdated (the key store's CA starts now): same name and key */
	X509 *old_ca = X509_dup(ca);
	ck_assert(old_ca && X509_time_adj_ex(X509_getm_notBefore(old_ca), -30, 0, &now) &&
		  X509_sign(old_ca, ca_key, EVP_sha256()) > 0);
	X509 *cert = X509_dup(wp_identity_cert(op));
	ck_assert(cert && X509_time_adj_ex(X509_getm_notBefore(cert), -10, 0, &now) &&
		  X509_time_adj_ex(X509_getm_notAfter(cert), -1, 0, &now) &&
		  X509_sign(cert, ca_key, EVP_sha256()) > 0);
	struct wp_person p;
	ck_assert_msg(wp_cert_person(cert, &p, err, sizeof(err)) == 0, "%s", err);
	char *pem = wp_cert_to_pem(cert);
	ck_assert_ptr_nonnull(pem);

	/* the oracle */
	snprintf(pem_path, sizeof(pem_path), "%s/expired-%d.pem", dir, (int)getpid());
	snprintf(ca_path, sizeof(ca_path), "%s/old-ca-%d.pem", dir, (int)getpid());
	FILE *f = fopen(pem_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(pem, f);
	fclose(f);
	char *ca_pem = wp_cert_to_pem(old_ca);
	ck_assert((f = fopen(ca_path, "w")) != NULL && ca_pem);
	fputs(ca_pem, f);
	fclose(f);
	free(ca_pem);
	snprintf(cmd, sizeof(cmd), "openssl verify -attime %lld -CAfile %s %s "
		 ">/dev/null 2>&1", (long long)t1, ca_path, pem_path);
	ck_assert_msg(system(cmd) == 0, "openssl: not valid at the first event's time");
	snprintf(cmd, sizeof(cmd), "openssl verify -attime %lld -CAfile %s %s 2>&1 "
		 "| grep -q 'certificate has expired'", (long long)t2, ca_path, pem_path);
	ck_assert_msg(system(cmd) == 0, "openssl: not expired at the second event's time");

	struct wp_ledger *l = fresh_ledger();
	wp_ledger_close(l);
	sqlite3 *db = NULL;
	ck_assert_int_eq(sqlite3_open(ledger_path, &db), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO signers VALUES (?, ?)", -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, p.fingerprint, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, pem, -1, SQLITE_TRANSIENT);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	char prev[WP_HASH_HEX] = "0000000000000000000000000000000000000000000000000000000000000000";
	put_row(db, op, &p, 1, t1, WP_EV_INTAKE, "PC-T", json_pack("{s:s, s:s}", "serial", "ST",
		"model", "M"), prev);
	put_row(db, op, &p, 2, t1 + 60, WP_EV_NOTE, "PC-T", json_pack("{s:s}", "text", "a"), prev);
	char good[WP_HASH_HEX];
	snprintf(good, sizeof(good), "%s", prev);
	put_row(db, op, &p, 3, t2, WP_EV_NOTE, "PC-T", json_pack("{s:s}", "text", "b"), prev);
	sqlite3_close(db);

	ck_assert_int_eq(wp_ledger_open_readonly(ledger_path, &l, err, sizeof(err)), 0);
	struct wp_custody_report r;
	int rc = wp_custody_verify(l, old_ca, NULL, &r, err, sizeof(err));
	ck_assert_msg(rc == WP_CUSTODY_BROKEN, "rc %d (%s): an expired certificate passed", rc, err);
	ck_assert_uint_eq(r.bad_seq, 3);
	ck_assert_msg(strstr(r.why, "certificate has expired"), "%s", r.why);
	ck_assert_uint_eq(r.events, 2);
	ck_assert_str_eq(r.head_hash, good);
	wp_ledger_close(l);
	free(pem);
	X509_free(cert);
	X509_free(old_ca);
	EVP_PKEY_free(ca_key);
	unlink(pem_path);
	unlink(ca_path);
}
END_TEST

/* ---- issue 17: classes, approval table, vendor, attested ------ */

static int add_policy(struct wp_ledger *l, json_t *body)
{
	int rc = wp_custody_append(l, boss, WP_EV_POLICY, "", body, NULL, NULL, err, sizeof(err));
	json_decref(body);
	return rc;
}

static void intake_class(struct wp_ledger *l, const char *asset, const char *serial,
			 const char *kind, const char *cls)
{
	int rc = add(l, op, WP_EV_INTAKE, asset, json_pack("{s:s, s:s, s:s, s:s}", "serial", serial,
							  "model", "M", "kind", kind,
							  "confidentiality", cls));
	ck_assert_msg(rc == 0, "intake %s: %s", asset, err);
}

static json_t *wipe_start_cat(const char *job, const char *serial, const char *category)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "job_id", job, "serial", serial, "method",
			 "zero", "category", category);
}

START_TEST(policy_table_checked)
{
	struct wp_ledger *l = fresh_ledger();
	/* a row naming a class the policy does not define, a bad minimum */
	json_t *p = wp_policy_default_table();
	json_array_append_new(json_object_get(p, "approval"),
			      json_pack("{s:[s], s:b}", "classes", "秘", "required", 1));
	expect_refused(add_policy(l, p), "names class '秘'");
	p = json_pack("{s:b, s:[{s:s, s:i, s:s}]}", "approval_required", 1, "classes", "name",
		      "A", "rank", 1, "min_level", "shred");
	expect_refused(add_policy(l, p), "min_level");
	p = json_pack("{s:b, s:[{s:b, s:s}]}", "approval_required", 1, "approval", "required", 1,
		      "witness_role", "auditor");
	expect_refused(add_policy(l, p), "witness_role");
	ck_assert_int_eq(add_policy(l, wp_policy_default_table()), 0);

	/* classes at intake: known, and the highest of mixed media */
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-1", json_pack("{s:s, s:s, s:s}", "serial", "S1",
		"model", "M", "confidentiality", "秘")), "is not one of the policy's classes");
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-1", json_pack("{s:s, s:s, s:s, s:[s,s]}",
		"serial", "S1", "model", "M", "confidentiality", "機密性2", "confidentiality_given",
		"機密性2", "機密性3")), "mixed media take the highest class");
	ck_assert_int_eq(add(l, op, WP_EV_INTAKE, "PC-1", json_pack("{s:s, s:s, s:s, s:s, s:[s,s]}",
		"serial", "S1", "model", "M", "kind", "pc", "confidentiality", "機密性3",
		"confidentiality_given", "機密性2", "機密性3")), 0);
	struct wp_asset_state st;
	ck_assert_int_eq(wp_custody_state(l, "PC-1", &st, err, sizeof(err)), 0);
	ck_assert_str_eq(st.confidentiality, "機密性3");
	ck_assert_str_eq(st.asset_kind, "pc");

	/* a policy of its own classes: the default set no longer applies */
	p = json_pack("{s:b, s:[{s:s, s:i, s:s}, {s:s, s:i, s:s}]}", "approval_required", 1,
		      "classes", "name", "部外秘", "rank", 2, "min_level", "purge", "name", "公開", "rank", 0,
		      "min_level", "clear");
	ck_assert_int_eq(add_policy(l, p), 0);
	intake_class(l, "PC-2", "S2", "pc", "部外秘");
	expect_refused(add(l, op, WP_EV_INTAKE, "PC-3", json_pack("{s:s, s:s, s:s}", "serial", "S3",
		"model", "M", "confidentiality", "機密性1")), "部外秘, 公開");
	struct wp_custody_report r;
	ck_assert_msg(wp_custody_verify(l, ca, NULL, &r, err, sizeof(err)) == 0, "%s", err);
	wp_ledger_close(l);
}
END_TEST

/* MIC (2020): the class decides the minimum level; a wipe-start naming a
 * lower category is refused, naming the class and the rule. */
START_TEST(class_minimum_level)
{
	struct wp_ledger *l = fresh_ledger();
	/* no policy event at all: the default classes */
	intake_class(l, "HDD-3", "H3", "hdd", "機密性3");
	ck_assert_int_eq(add(l, op, WP_EV_REQUEST, "HDD-3", NULL), 0);
	ck_assert_int_eq(add(l, boss, WP_EV_APPROVE, "HDD-3", NULL), 0);
	expect_refused(add(l, op, WP_EV_WIPE_START, "HDD-3", wipe_start_cat("j1", "H3", "Clear")),
		       "class 機密性3, and the policy requires at least NIST purge");
	ck_assert_msg(strstr(err, "class -> minimum NIST SP 800-88 level") != NULL, "%s", err);
	expect_refused(add(l, op, WP_EV_WIPE_START, "HDD-3", wipe_start_cat("j1", "H3", "none")),
		       "reaches none");
	/* the advisory check before the operator confirms says the same */
	ck_assert_int_eq(wp_custody_check_wipe_level(l, "HDD-3", "H3", "Clear", err, sizeof(err)),
			 WP_CUSTODY_REFUSED);
	ck_assert_msg(strstr(err, "class 機密性3") != NULL, "%s", err);
	ck_assert_int_eq(wp_custody_check_wipe_level(l, "HDD-3", "H3", "Purge", err, sizeof(err)), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "HDD-3", wipe_start_cat("j1", "H3", "Purge")), 0);
	/* a low class: Clear is enough */
	intake_class(l, "USB-1", "U1", "usb", "社内限り");
	ck_assert_int_eq(add(l, op, WP_EV_REQUEST, "USB-1", NULL), 0);
	ck_assert_int_eq(add(l, boss, WP_EV_APPROVE, "USB-1", NULL), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "USB-1", wipe_start_cat("j2", "U1", "Clear")), 0);
	struct wp_custody_report r;
	ck_assert_msg(wp_custody_verify(l, ca, NULL, &r, err, sizeof(err)) == 0, "%s", err);
	wp_ledger_close(l);
}
END_TEST

/* The default table: the lowest class on a USB stick is wiped and released
 * without approval; a PC, a higher class and every destruction need one,
 * and a destruction's witness must be an approver. */
START_TEST(approval_per_kind_and_class)
{
	struct wp_ledger *l = fresh_ledger();
	ck_assert_int_eq(add_policy(l, wp_policy_default_table()), 0);
	intake_class(l, "USB-1", "U1", "usb", "機密性1");
	intake_class(l, "USB-2", "U2", "usb", "機密性2");
	intake_class(l, "PC-1", "P1", "pc", "社内限り");
	ck_assert_int_eq(wp_custody_check_wipe(l, "USB-1", "U1", err, sizeof(err)), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "USB-1", wipe_start("j1", "U1")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_END, "USB-1", wipe_end("j1", "sanitized")), 0);
	ck_assert_int_eq(add(l, op, WP_EV_RELEASE, "USB-1", json_pack("{s:s}", "to", "reuse")), 0);
	expect_refused(add(l, op, WP_EV_WIPE_START, "USB-2", wipe_start("j2", "U2")), "no approval");
	expect_refused(add(l, op, WP_EV_WIPE_START, "PC-1", wipe_start("j3", "P1")), "no approval");

	/* destruction: approval, and the witness must hold the approver role */
	ck_assert_int_eq(add(l, op, WP_EV_REQUEST, "PC-1", NULL), 0);
	ck_assert_int_eq(add(l, boss, WP_EV_APPROVE, "PC-1", NULL), 0);
	json_t *b = json_pack("{s:s}", "method", "crush");
	expect_refused(wp_custody_append_witnessed(l, op, wit, WP_EV_DESTROYED, "PC-1", b, NULL, NULL,
						   err, sizeof(err)), "must have role approver");
	ck_assert_msg(wp_custody_append_witnessed(l, op, boss2, WP_EV_DESTROYED, "PC-1", b, NULL,
						  NULL, err, sizeof(err)) == 0, "%s", err);
	json_decref(b);
	struct wp_asset_state st;
	ck_assert_int_eq(wp_custody_state(l, "PC-1", &st, err, sizeof(err)), 0);
	ck_assert_str_ge(st.approved_time, st.intake_time); /* the approval's date, for the certificate */
	ck_assert_uint_eq(strlen(st.approved_time), 20);

	/* the old one-bool ledger still works: nothing needs approval */
	ck_assert_int_eq(add_policy(l, json_pack("{s:b}", "approval_required", 0)), 0);
	ck_assert_int_eq(add(l, op, WP_EV_WIPE_START, "USB-2", wipe_start("j2", "U2")), 0);
	struct wp_custody_report r;
	ck_assert_msg(wp_custody_verify(l, ca, NULL, &r, err, sizeof(err)) == 0, "%s", err);
	wp_ledger_close(l);
}
END_TEST

static json_t *vendor_destroyed(const char *vendor, const char *sha, const char *date)
{
	json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "method", "shred", "received_by", "山田 太郎",
			      "date", date, "vendor_cert", "vendor.pdf");
	if (vendor)
		wp_json_set(b, "vendor", json_string(vendor));
	if (sha)
		wp_json_set(b, "vendor_cert_sha256", json_string(sha));
	return b;
}

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

START_TEST(vendor_destruction)
{
	struct wp_ledger *l = fresh_ledger();
	approved(l, "PC-V", "SV");
	expect_refused(add(l, op, WP_EV_VENDOR_DESTROYED, "PC-V", vendor_destroyed(NULL, SHA_A,
		"2026-01-05")), "was not handed to a vendor");
	ck_assert_int_eq(add(l, op, WP_EV_TRANSFER, "PC-V", json_pack("{s:s}", "vendor", "東京リサイクル")), 0);
	expect_refused(add(l, op, WP_EV_VENDOR_DESTROYED, "PC-V", vendor_destroyed(NULL, NULL,
		"2026-01-05")), "vendor_cert_sha256");
	expect_refused(add(l, op, WP_EV_VENDOR_DESTROYED, "PC-V", vendor_destroyed(NULL, SHA_A,
		"2099-01-05")), "not after today");
	expect_refused(add(l, op, WP_EV_VENDOR_DESTROYED, "PC-V", vendor_destroyed("他社", SHA_A,
		"2026-01-05")), "not to '他社'");
	ck_assert_int_eq(add(l, op, WP_EV_VENDOR_DESTROYED, "PC-V", vendor_destroyed("東京リサイクル",
		SHA_A, "2026-01-05")), 0);
	expect_refused(add(l, op, WP_EV_VENDOR_DESTROYED, "PC-V", vendor_destroyed(NULL, SHA_A,
		"2026-01-05")), "already destroyed");
	struct wp_asset_state st;
	ck_assert_int_eq(wp_custody_state(l, "PC-V", &st, err, sizeof(err)), 0);
	ck_assert_str_eq(wp_asset_status(&st), "destroyed");
	/* where it is agrees with what it is: the vendor destroyed it, it is
	 * no longer "at-vendor" (the stocktake's "away" either way) */
	ck_assert_str_eq(wp_asset_whereabouts(&st), "destroyed");
	ck_assert_str_eq(st.vendor_cert_sha256, SHA_A);
	/* released, and certified afterwards */
	ck_assert_int_eq(add(l, op, WP_EV_RELEASE, "PC-V", json_pack("{s:s}", "to", "dispose")), 0);
	ck_assert_msg(add(l, op, WP_EV_CERTIFICATE, "PC-V", json_pack("{s:s, s:s}", "certificate_id",
		"c1", "certificate_sha256", SHA_A)) == 0, "%s", err);
	expect_refused(add(l, op, WP_EV_TRANSFER, "PC-V", json_pack("{s:s}", "vendor", "V")),
		       "was released");
	struct wp_custody_report r;
	ck_assert_msg(wp_custody_verify(l, ca, NULL, &r, err, sizeof(err)) == 0, "%s", err);
	wp_ledger_close(l);
}
END_TEST

static json_t *attested(const char *category, const char *sha)
{
	json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s}", "method", "HDD overwrite by the MFP's "
			      "data security kit", "by", "self", "category", category, "evidence",
			      "report.pdf", "erased_by", "複合機");
	if (sha)
		wp_json_set(b, "evidence_sha256", json_string(sha));
	return b;
}

static int add_attested(struct wp_ledger *l, struct wp_identity *witness, const char *asset,
			json_t *b)
{
	int rc = wp_custody_append_witnessed(l, op, witness, WP_EV_ERASURE_ATTESTED, asset, b, NULL,
					     NULL, err, sizeof(err));
	json_decref(b);
	return rc;
}

START_TEST(attested_erasure)
{
	struct wp_ledger *l = fresh_ledger();
	intake_class(l, "MFP-1", "M1", "mfp", "機密性2");
	expect_refused(add_attested(l, wit, "MFP-1", attested("clear", SHA_A)), "no approval");
	ck_assert_int_eq(add(l, op, WP_EV_REQUEST, "MFP-1", NULL), 0);
	ck_assert_int_eq(add(l, boss, WP_EV_APPROVE, "MFP-1", NULL), 0);
	json_t *b = attested("clear", SHA_A);
	expect_refused(wp_custody_append(l, op, WP_EV_ERASURE_ATTESTED, "MFP-1", b, NULL, NULL, err,
					 sizeof(err)), "needs a witness");
	json_decref(b);
	expect_refused(add_attested(l, wit, "MFP-1", attested("clear", NULL)), "evidence_sha256");
	expect_refused(add_attested(l, wit, "MFP-1", attested("purge", SHA_A)), "clear");
	b = attested("clear", SHA_A);
	wp_json_set(b, "date", json_string("2026-02-30"));
	expect_refused(add_attested(l, wit, "MFP-1", b), "erasure's date");
	expect_refused(add(l, op, WP_EV_RELEASE, "MFP-1", json_pack("{s:s}", "to", "lease-return")),
		       "neither a sanitized wipe");
	ck_assert_msg(add_attested(l, wit, "MFP-1", attested("unknown", SHA_A)) == 0, "%s", err);
	ck_assert_int_eq(add(l, op, WP_EV_RELEASE, "MFP-1", json_pack("{s:s}", "to", "lease-return")), 0);
	ck_assert_msg(add(l, op, WP_EV_CERTIFICATE, "MFP-1", json_pack("{s:s, s:s, s:s}",
		"certificate_id", "c2", "certificate_sha256", SHA_A, "category", "unknown")) == 0,
		"%s", err);
	/* a class whose minimum is Purge: a vendor's word of unknown level is not enough */
	intake_class(l, "PHONE-1", "F1", "phone", "極秘");
	ck_assert_int_eq(add(l, op, WP_EV_REQUEST, "PHONE-1", NULL), 0);
	ck_assert_int_eq(add(l, boss, WP_EV_APPROVE, "PHONE-1", NULL), 0);
	expect_refused(add_attested(l, wit, "PHONE-1", attested("clear", SHA_A)),
		       "requires at least NIST purge");
	struct wp_custody_report r;
	ck_assert_msg(wp_custody_verify(l, ca, NULL, &r, err, sizeof(err)) == 0, "%s", err);
	wp_ledger_close(l);
}
END_TEST

/* ---- set-up ---------------------------------------------------------------- */

/* ---- signatures on worker threads give the sequential verdict (issue 18) -- */

/* Change one hex digit inside r of seq's signature: still strict DER with
 * low s, no longer the signer's. */
static void break_signature(const char *path, uint64_t seq)
{
	char q[300];
	snprintf(q, sizeof(q), "UPDATE events SET signature = substr(signature, 1, 20) || CASE "
		 "substr(signature, 21, 1) WHEN '0' THEN '1' ELSE '0' END || substr(signature, 22) "
		 "WHERE seq = %llu", (unsigned long long)seq);
	sql(path, q);
}

static int verify_with(const char *path, int threads, struct wp_custody_report *r, char *e,
		       size_t elen)
{
	struct wp_ledger *l = NULL;
	ck_assert_int_eq(wp_ledger_open_readonly(path, &l, e, elen), 0);
	wp_custody_verify_threads(threads);
	int rc = wp_custody_verify(l, ca, NULL, r, e, elen);
	wp_custody_verify_threads(-1);
	wp_ledger_close(l);
	return rc;
}

static int count_event(const struct wp_event *ev, const struct wp_asset_state *st, void *ctx)
{
	(void)ev;
	(void)st;
	++*(unsigned *)ctx;
	return 0;
}

/* A reader's pass (a collecting fn, as `custody log` and `show` have). */
static int replay_with(const char *path, int threads, struct wp_custody_report *r, char *e,
		       size_t elen)
{
	struct wp_ledger *l = NULL;
	unsigned seen = 0;
	ck_assert_int_eq(wp_ledger_open_readonly(path, &l, e, elen), 0);
	wp_custody_verify_threads(threads);
	int rc = wp_custody_replay(l, ca, NULL, NULL, count_event, &seen, r, e, elen);
	wp_custody_verify_threads(-1);
	wp_ledger_close(l);
	return rc;
}

/* The oracle is the sequential pass (threads 0, how verify checked before
 * issue 18): with 1 and 3 signature threads the whole report and message
 * must be its, and its first bad event the one the scenario expects — for
 * verify and for a reader's pass alike. */
static void same_verdict(const char *path, uint64_t bad, const char *needle)
{
	struct wp_custody_report seq, par;
	char seq_err[1024], par_err[1024];
	int rc = verify_with(path, 0, &seq, seq_err, sizeof(seq_err));
	ck_assert_int_eq(rc, WP_CUSTODY_BROKEN);
	ck_assert_uint_eq(seq.bad_seq, bad);
	ck_assert_msg(strstr(seq.why, needle), "why '%s' lacks '%s'", seq.why, needle);
	for (int threads = 1; threads <= 7; threads += 2) {
		ck_assert_int_eq(threads <= 3 ? verify_with(path, threads, &par, par_err,
							    sizeof(par_err))
			       : replay_with(path, threads - 4, &par, par_err, sizeof(par_err)), rc);
		ck_assert_msg(par.bad_seq == seq.bad_seq, "run %d (5, 7: a reader): seq %llu, "
			      "sequential %llu", threads, (unsigned long long)par.bad_seq,
			      (unsigned long long)seq.bad_seq);
		ck_assert_str_eq(par.why, seq.why);
		ck_assert_str_eq(par_err, seq_err);
		ck_assert_uint_eq(par.events, seq.events);
		ck_assert_uint_eq(par.head_seq, seq.head_seq);
		ck_assert_str_eq(par.head_hash, seq.head_hash);
		ck_assert_str_eq(par.ledger_id, seq.ledger_id);
		ck_assert_int_eq(par.approval_required, seq.approval_required);
	}
}

/* Several events wrong at once, at every stage an event is checked in:
 * the hash, the signer's certificate, the signature, the rules, a missing
 * row. Whatever order the worker threads finish in, the first bad event
 * and its stage are the sequential pass's. */
START_TEST(parallel_verdict_is_sequential)
{
	struct wp_ledger *l = fresh_ledger();
	char tag[16];
	for (int a = 1; a <= 8; a++) {
		snprintf(tag, sizeof(tag), "PP-%d", a);
		intake(l, tag, tag);
		/* seq 22, the first note on PP-5, is op2's: the only event of a
		 * second signer, whose certificate a scenario spoils */
		for (int n = 0; n < 4; n++)
			ck_assert_int_eq(add(l, a == 5 && n == 0 ? op2 : op, WP_EV_NOTE, tag,
					     json_pack("{s:s}", "text", "n")), 0);
	}
	wp_ledger_close(l);
	char copy[200], restore[600];
	snprintf(copy, sizeof(copy), "%s.orig", ledger_path);
	snprintf(restore, sizeof(restore), "cp '%s' '%s'", ledger_path, copy);
	ck_assert_int_eq(system(restore), 0);
	snprintf(restore, sizeof(restore), "cp '%s' '%s'", copy, ledger_path);
	/* all verify alike untouched */
	struct wp_custody_report r;
	ck_assert_msg(verify_with(ledger_path, 3, &r, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(r.events, 40);

	/* hash at an earlier seq, signature at a later one, and the reverse */
	sql(ledger_path, "UPDATE events SET body = '{\"text\":\"m\"}' WHERE seq = 20");
	break_signature(ledger_path, 30);
	same_verdict(ledger_path, 20, "hash does not match");
	ck_assert_int_eq(system(restore), 0);
	break_signature(ledger_path, 12);
	sql(ledger_path, "UPDATE events SET body = '{\"text\":\"m\"}' WHERE seq = 25");
	same_verdict(ledger_path, 12, "signature does not verify");

	/* a signer the ledger does not know (the certificate stage), before and
	 * after a bad signature */
	ck_assert_int_eq(system(restore), 0);
	char q[300];
	snprintf(q, sizeof(q), "UPDATE signers SET certificate = 'x' WHERE fingerprint = '%s'",
		 wp_identity_person(op2)->fingerprint);
	sql(ledger_path, q);
	break_signature(ledger_path, 30);
	same_verdict(ledger_path, 22, "stored certificate is unreadable");
	break_signature(ledger_path, 10);
	same_verdict(ledger_path, 10, "signature does not verify");

	/* a rule broken (a second intake of a tag), before and after */
	ck_assert_int_eq(system(restore), 0);
	reseal(ledger_path, 35, NULL, WP_EV_INTAKE, "{\"model\":\"M\",\"serial\":\"X\"}", op);
	for (uint64_t s = 36; s <= 40; s++)
		reseal(ledger_path, s, NULL, NULL, NULL, op);
	break_signature(ledger_path, 38);
	same_verdict(ledger_path, 35, "breaks a rule");
	break_signature(ledger_path, 33);
	same_verdict(ledger_path, 33, "signature does not verify");

	/* a deleted row, after and before a bad signature */
	ck_assert_int_eq(system(restore), 0);
	sql(ledger_path, "DELETE FROM events WHERE seq = 28");
	break_signature(ledger_path, 29);
	same_verdict(ledger_path, 28, "missing");
	break_signature(ledger_path, 18);
	same_verdict(ledger_path, 18, "signature does not verify");

	/* a signature that is not hex, then a bad one right after it */
	ck_assert_int_eq(system(restore), 0);
	sql(ledger_path, "UPDATE events SET signature = 'zz' WHERE seq = 26");
	break_signature(ledger_path, 27);
	same_verdict(ledger_path, 26, "not lowercase hex");

	/* the first and the last event: the report is the one before them */
	ck_assert_int_eq(system(restore), 0);
	break_signature(ledger_path, 1);
	same_verdict(ledger_path, 1, "signature does not verify");
	ck_assert_int_eq(verify_with(ledger_path, 3, &r, err, sizeof(err)), WP_CUSTODY_BROKEN);
	ck_assert_uint_eq(r.events, 0);
	ck_assert_str_eq(r.head_hash, ZERO64);
	ck_assert_int_eq(system(restore), 0);
	break_signature(ledger_path, 40);
	same_verdict(ledger_path, 40, "signature does not verify");
	ck_assert_int_eq(verify_with(ledger_path, 3, &r, err, sizeof(err)), WP_CUSTODY_BROKEN);
	ck_assert_uint_eq(r.events, 39);
	ck_assert_uint_eq(r.head_seq, 39);
}
END_TEST

/* The checker that keeps one context per key gives wp_sig_verify's
 * verdicts, also after a failure on the same context. */
START_TEST(sig_checker_as_sig_verify)
{
	X509 *cert = wp_identity_cert(op);
	EVP_PKEY *key = X509_get0_pubkey(cert);
	char *sig = NULL, msg_a[300], msg_b[300];
	ck_assert_int_eq(wp_identity_sign_hex(op, "hash", 4, &sig, err, sizeof(err)), 0);
	char *bad = strdup(sig);
	bad[20] = bad[20] == '0' ? '1' : '0';
	struct wp_sig_checker *c = wp_sig_checker_new();
	ck_assert_ptr_nonnull(c);
	const char *sigs[] = { sig, bad, sig, "zz", sig, "3006020101020101" };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		msg_a[0] = msg_b[0] = 0;
		int a = wp_sig_verify(cert, "hash", 4, sigs[i], msg_a, sizeof(msg_a));
		int b = wp_sig_checker_verify(c, key, "hash", 4, sigs[i], msg_b, sizeof(msg_b));
		ck_assert_int_eq(a, b);
		ck_assert_str_eq(msg_a, msg_b);
		ck_assert_int_eq(a, i == 0 || i == 2 || i == 4 ? 0 : -1);
	}
	wp_sig_checker_free(c);
	free(bad);
	free(sig);
}
END_TEST

/* The map keeps states packed: what comes back is the stored struct byte
 * for byte (text after a shortened string's NUL included), and a typical
 * state takes a few hundred bytes, not 4.4 KiB (issue 18: 100,000 assets
 * well under 100 MB). */
START_TEST(asset_map_packed)
{
	struct wp_asset_map m = { 0 };
	struct wp_asset_state *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	ck_assert(a && b);
	char tag[32];
	for (int i = 0; i < 100000; i++) {
		snprintf(tag, sizeof(tag), "BENCH-%07d", i);
		ck_assert_int_eq(wp_asset_map_load(&m, tag, a), 0);
		ck_assert_str_eq(a->asset, tag);
		ck_assert(!a->exists);
		a->exists = true;
		a->events = (uint64_t)i * 10 + 1;
		a->intake_seq = a->last_seq = a->events;
		snprintf(a->serial, sizeof(a->serial), "%s", tag);
		snprintf(a->model, sizeof(a->model), "ThinkPad X1");
		snprintf(a->owner, sizeof(a->owner), "営業部");
		snprintf(a->intake_time, sizeof(a->intake_time), "2026-12-03T15:00:00Z");
		snprintf(a->last_time, sizeof(a->last_time), "2026-12-03T15:00:09Z");
		ck_assert_int_eq(wp_asset_map_store(&m, tag, a), 0);
	}
	size_t bytes = wp_asset_map_bytes(&m);
	ck_assert_msg(bytes < 30u * 1000 * 1000, "100,000 states take %zu bytes", bytes);
	/* every byte comes back, also ones no string shows */
	ck_assert_int_eq(wp_asset_map_load(&m, "BENCH-0004242", a), 0);
	ck_assert_uint_eq(a->events, 42421);
	for (size_t i = 0; i < sizeof(*a); i += 7)
		((unsigned char *)a)[i] = (unsigned char)(i * 31 + 1);
	memset((unsigned char *)a + 1000, 0, 300);
	ck_assert_int_eq(wp_asset_map_store(&m, "BENCH-0004242", a), 0);
	ck_assert_int_eq(wp_asset_map_load(&m, "BENCH-0004242", b), 0);
	ck_assert(memcmp(a, b, sizeof(*a)) == 0);
	ck_assert_int_eq(wp_asset_map_load(&m, "BENCH-0004243", b), 0);
	ck_assert_uint_eq(b->events, 42431);
	ck_assert_str_eq(b->serial, "BENCH-0004243");
	wp_asset_map_free(&m);
	free(a);
	free(b);
}
END_TEST

static void setup(void)
{
	wp_fx_tmpdir(dir, sizeof(dir), "custody");
	wp_fx_ca(dir, "テスト", 365, NULL);
	op = wp_fx_person(dir, "鈴木 一郎", "係員", WP_ROLE_OPERATOR);
	op2 = wp_fx_person(dir, "田中 次郎", "係員", WP_ROLE_OPERATOR);
	boss = wp_fx_person(dir, "山田 太郎", "情報システム課長", WP_ROLE_APPROVER);
	boss2 = wp_fx_person(dir, "高橋 部長", "部長", WP_ROLE_APPROVER);
	wit = wp_fx_person(dir, "佐藤 花子", "総務課", WP_ROLE_WITNESS);
	aud = wp_fx_person(dir, "監査 人", "監査役", WP_ROLE_AUDITOR);
	ca = X509_dup(wp_identity_ca(op));
}

int main(void)
{
	setup();
	Suite *s = suite_create("custody");
	TCase *tc = tcase_create("custody");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, canonical_sorted_compact_utf8);
	tcase_add_test(tc, canonical_refuses_reals_and_controls);
	tcase_add_test(tc, hash_definition);
	tcase_add_test(tc, event_text_is_the_reference);
	tcase_add_test(tc, verify_cert_cache_honours_time);
	tcase_add_test(tc, anchor_parsing);
	tcase_add_test(tc, roles_table);
	tcase_add_test(tc, chain_links);
	tcase_add_test(tc, two_person_rules);
	tcase_add_test(tc, wipe_events);
	tcase_add_test(tc, certificate_events);
	tcase_add_test(tc, freespace_events);
	tcase_add_test(tc, resume_events);
	tcase_add_test(tc, jobs_table);
	tcase_add_test(tc, policy_without_approval);
	tcase_add_test(tc, refuses_reals_in_bodies);
	tcase_add_test(tc, serial_under_one_active_tag);
	tcase_add_test(tc, blank_tags_and_impossible_dates);
	tcase_add_test(tc, unencodable_field_refused);
	tcase_add_test(tc, tampering_found);
	tcase_add_test(tc, backdated_approval_refused);
	tcase_add_test(tc, future_event_refused);
	tcase_add_test(tc, clock_backwards_refused);
	tcase_add_test(tc, transplant_refused);
	tcase_add_test(tc, high_s_column_refused);
	tcase_add_test(tc, signed_head_names_its_ledger);
	tcase_add_test(tc, malformed_scope_is_bad_event);
	tcase_add_test(tc, concurrent_appenders);
	tcase_add_test(tc, take_out_and_return);
	tcase_add_test(tc, repair_without_erasure);
	tcase_add_test(tc, ledger_fields_art5);
	tcase_add_test(tc, outstanding_and_stocktake);
	tcase_add_test(tc, optical_media_rules);
	tcase_add_test(tc, policy_table_checked);
	tcase_add_test(tc, class_minimum_level);
	tcase_add_test(tc, approval_per_kind_and_class);
	tcase_add_test(tc, vendor_destruction);
	tcase_add_test(tc, attested_erasure);
	tcase_add_test(tc, parallel_verdict_is_sequential);
	tcase_add_test(tc, sig_checker_as_sig_verify);
	tcase_add_test(tc, asset_map_packed);
	suite_add_tcase(s, tc);
	int rc = wp_run_suite(s);
	struct wp_identity *all[] = { op, op2, boss, boss2, wit, aud };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		wp_identity_free(all[i]);
	X509_free(ca);
	if (wp_fx_rmtree(dir) < 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
