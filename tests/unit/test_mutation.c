/* Systematic mutation of everything a verifier is handed: a real signed
 * certificate (JSON document, CMS signature, QR text) and a real ledger.
 * Every byte position is changed (several ways), every length truncated,
 * parts reordered; each mutated artefact must be refused by the same
 * checks `wipeproof cert verify` and `custody verify` run. Where a change
 * cannot be seen by design (bytes of the database file that hold no
 * data), the test proves the content read back is unchanged instead. */
#include "custody.h"
#include "wptext.h"

#include "check_main.h"
#include "fixtures.h"
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char err[2048];
static char dir[64];
static struct wp_identity *op, *boss, *wit;
static X509 *ca;

/* ---- the certificate ------------------------------------------------------ */

/* Today: the QR check wants the signer's certificate valid on the
 * certificate's date, and the test's certificates are issued now. */
static char today[32];

static json_t *sample_doc(void)
{
	const struct wp_person *p = wp_identity_person(op);
	return wp_fx_sample_doc(&(struct wp_fx_doc){ .by = p, .title = p->title,
						     .issued = "2026-11-22T09:05:00Z",
						     .started = "2026-11-22T09:00:00Z",
						     .ended = today,
						     .signed_on = "2026-11-22T09:04:00Z" });
}

struct cert {
	char *json, *p7s, *qr;
	X509 **bundle;
	size_t n;
};

static void cert_issue(struct cert *c)
{
	json_t *doc = sample_doc();
	char sha[WP_FPR_HEX], path[128];
	struct wp_qr q;
	c->json = wp_certdoc_canonical(doc, err, sizeof(err));
	ck_assert_msg(c->json != NULL, "%s", err);
	wp_sha256_hex(c->json, strlen(c->json), sha);
	ck_assert_int_eq(wp_cms_sign(op, c->json, strlen(c->json), &c->p7s, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_qr_from_doc(doc, sha, &q, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_qr_sign(op, &q, &c->qr, err, sizeof(err)), 0);
	json_decref(doc);
	char *pem = wp_trust_export(dir, err, sizeof(err));
	ck_assert_ptr_nonnull(pem);
	snprintf(path, sizeof(path), "%s/bundle.pem", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(pem, f);
	fclose(f);
	free(pem);
	ck_assert_int_eq(wp_trust_load(path, &c->bundle, &c->n, err, sizeof(err)), 0);
}

static void cert_free(struct cert *c)
{
	free(c->json);
	free(c->p7s);
	free(c->qr);
	wp_trust_free(c->bundle, c->n);
}

/* What `cert verify FILE.json` checks (cli/cert_verify.c): the signature
 * over exactly these bytes by a signer the CA certified, the document
 * canonical and complete, its issuer the signer. */
static bool cert_valid(const char *json, size_t len, const char *p7s, size_t p7slen)
{
	struct wp_cms_signer s;
	json_t *doc = NULL;
	if (wp_cms_verify(p7s, p7slen, json, len, ca, &s, err, sizeof(err)) < 0 ||
	    wp_certdoc_parse(json, len, &doc, err, sizeof(err)) < 0)
		return false;
	bool same = strcmp(s.person.fingerprint, wp_certdoc_str(doc, "issued_by.fingerprint")) == 0;
	json_decref(doc);
	return same;
}

static bool qr_valid(const struct cert *c, const char *text)
{
	struct wp_qr q;
	struct wp_person signer;
	return wp_qr_verify(text, c->bundle, c->n, &q, &signer, err, sizeof(err)) == 0;
}

/* Every byte changed three ways: its lowest bit (a neighbouring letter or
 * digit), bit 5 (upper/lower case: hex and base64 must not be
 * case-insensitive) and to NUL (a C reader would stop there). */
static const unsigned char flips[] = { 0x01, 0x20, 0x00 };

static unsigned char flipped(unsigned char b, size_t k)
{
	return flips[k] ? b ^ flips[k] : (b ? 0 : 1);
}

START_TEST(cert_json_every_byte)
{
	struct cert c;
	cert_issue(&c);
	size_t len = strlen(c.json), plen = strlen(c.p7s), tried = 0;
	ck_assert(cert_valid(c.json, len, c.p7s, plen));
	char *m = malloc(len + 1);
	for (size_t i = 0; i < len; i++)
		for (size_t k = 0; k < sizeof(flips); k++, tried++) {
			memcpy(m, c.json, len + 1);
			m[i] = (char)flipped((unsigned char)m[i], k);
			ck_assert_msg(!cert_valid(m, len, c.p7s, plen),
				      "JSON byte %zu changed to 0x%02x was accepted", i, (unsigned char)m[i]);
		}
	for (size_t n = 0; n < len; n++, tried++)
		ck_assert_msg(!cert_valid(c.json, n, c.p7s, plen), "JSON cut to %zu bytes accepted", n);
	memcpy(m, c.json, len + 1);
	printf("cert JSON: %zu mutations of %zu bytes, all refused\n", tried, len);
	free(m);
	cert_free(&c);
}
END_TEST

/* Reordered and re-signed by the rightful key: the signature holds, so only
 * the canonical-form check stands between a second spelling and the
 * verifier. */
START_TEST(cert_json_reordered)
{
	struct cert c;
	cert_issue(&c);
	json_t *doc = json_loads(c.json, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	const char *keys[] = { "asset", "format", "media", "result" };
	for (size_t i = 0; i < 4; i++) {
		/* move one member to the end: unsorted, same content */
		json_t *v = json_incref(json_object_get(doc, keys[i]));
		json_object_del(doc, keys[i]);
		json_object_set_new(doc, keys[i], v);
		char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
		char *pem = NULL;
		ck_assert_int_eq(wp_cms_sign(op, text, strlen(text), &pem, err, sizeof(err)), 0);
		ck_assert_msg(!cert_valid(text, strlen(text), pem, strlen(pem)),
			      "document with %s moved accepted", keys[i]);
		ck_assert_msg(strstr(err, "canonical") != NULL, "%s", err);
		ck_assert(!cert_valid(text, strlen(text), c.p7s, strlen(c.p7s)));
		free(pem);
		free(text);
	}
	json_decref(doc);
	cert_free(&c);
}
END_TEST

START_TEST(cert_p7s_every_byte)
{
	struct cert c;
	cert_issue(&c);
	size_t len = strlen(c.json), plen = strlen(c.p7s), tried = 0;
	char *m = malloc(plen + 64);
	FILE *keep = getenv("WP_MUTATION_KEEP") ? fopen(getenv("WP_MUTATION_KEEP"), "w") : NULL;
	if (keep) { /* for looking at a finding with openssl asn1parse */
		fputs(c.p7s, keep);
		fclose(keep);
	}
	for (size_t i = 0; i < plen; i++)
		for (size_t k = 0; k < sizeof(flips); k++, tried++) {
			memcpy(m, c.p7s, plen + 1);
			m[i] = (char)flipped((unsigned char)m[i], k);
			ck_assert_msg(!cert_valid(c.json, len, m, plen),
				      ".p7s byte %zu ('%c') changed to 0x%02x was accepted", i, c.p7s[i],
				      (unsigned char)m[i]);
		}
	for (size_t n = 0; n < plen; n++, tried++)
		ck_assert_msg(!cert_valid(c.json, len, c.p7s, n), ".p7s cut to %zu bytes accepted", n);
	const char *tails[] = { "\n", "x", "\r\n", "\0", c.p7s };
	for (size_t t = 0; t < 5; t++, tried++) {
		size_t tl = t == 3 ? 1 : strlen(tails[t]) > 60 ? 60 : strlen(tails[t]);
		memcpy(m, c.p7s, plen);
		memcpy(m + plen, tails[t], tl);
		ck_assert_msg(!cert_valid(c.json, len, m, plen + tl), ".p7s with trailer %zu accepted", t);
	}
	/* swap neighbouring lines of the base64 body */
	for (char *a = strchr(c.p7s, '\n') + 1; a && *a; tried++) {
		char *b = strchr(a, '\n');
		char *e = b ? strchr(b + 1, '\n') : NULL;
		if (!e)
			break;
		size_t la = (size_t)(b - a) + 1, lb = (size_t)(e - b);
		memcpy(m, c.p7s, plen + 1);
		memcpy(m + (a - c.p7s), b + 1, lb);
		memcpy(m + (a - c.p7s) + lb, a, la);
		if (memcmp(m, c.p7s, plen) != 0)
			ck_assert_msg(!cert_valid(c.json, len, m, plen), ".p7s lines swapped accepted");
		a = b + 1;
	}
	printf("cert .p7s: %zu mutations of %zu bytes, all refused\n", tried, plen);
	free(m);
	cert_free(&c);
}
END_TEST

START_TEST(cert_qr_every_byte)
{
	struct cert c;
	cert_issue(&c);
	size_t len = strlen(c.qr), tried = 0;
	ck_assert_msg(qr_valid(&c, c.qr), "%s", err);
	char *m = malloc(len + 8);
	for (size_t i = 0; i < len; i++)
		for (size_t k = 0; k < sizeof(flips); k++, tried++) {
			memcpy(m, c.qr, len + 1);
			m[i] = (char)flipped((unsigned char)m[i], k);
			if (m[i] == '\0' && i + 1 < len)
				continue; /* a C string ends there: that is the truncation below */
			ck_assert_msg(!qr_valid(&c, m), "QR byte %zu ('%c') changed to 0x%02x accepted",
				      i, c.qr[i], (unsigned char)m[i]);
		}
	for (size_t n = 0; n < len; n++, tried++) {
		memcpy(m, c.qr, n);
		m[n] = '\0';
		ck_assert_msg(!qr_valid(&c, m), "QR cut to %zu bytes accepted", n);
	}
	snprintf(m, len + 8, "%s|", c.qr);
	ck_assert(!qr_valid(&c, m));
	/* swap any two of the eleven fields */
	char *f[11], *copy = strdup(c.qr), *save = NULL;
	size_t nf = 0;
	for (char *t = strtok_r(copy, "|", &save); t && nf < 11; t = strtok_r(NULL, "|", &save))
		f[nf++] = t;
	ck_assert_uint_eq(nf, 11);
	for (size_t i = 0; i < 11; i++)
		for (size_t j = i + 1; j < 11; j++, tried++) {
			size_t o = 0;
			for (size_t x = 0; x < 11; x++)
				o += (size_t)snprintf(m + o, len + 8 - o, "%s%s", x ? "|" : "",
						      f[x == i ? j : x == j ? i : x]);
			if (strcmp(m, c.qr) != 0)
				ck_assert_msg(!qr_valid(&c, m), "QR fields %zu and %zu swapped accepted", i, j);
		}
	printf("QR text: %zu mutations of %zu bytes, all refused\n", tried, len);
	free(copy);
	free(m);
	cert_free(&c);
}
END_TEST

/* ---- the ledger ------------------------------------------------------------- */

static void add(struct wp_ledger *l, struct wp_identity *who, struct wp_identity *witness,
		const char *kind, const char *asset, json_t *body)
{
	int rc = wp_custody_append_witnessed(l, who, witness, kind, asset, body, NULL, NULL, err,
					     sizeof(err));
	ck_assert_msg(rc == 0, "%s %s: %s", kind, asset, err);
	json_decref(body);
}

/* an approval names what it allows and until when (custody/README.md) */
#define APPROVAL() json_pack("{s:[s,s], s:s}", "for", "wipe", "destroy", "expires", \
			     "2099-01-01T00:00:00Z")

/* Ten events of every shape: plain, approved by another person, witnessed. */
static void small_ledger(const char *path)
{
	struct wp_ledger *l = NULL;
	unlink(path);
	ck_assert_int_eq(wp_ledger_open(path, &l, err, sizeof(err)), 0);
	add(l, op, NULL, WP_EV_INTAKE, "PC-1", json_pack("{s:s, s:s}", "serial", "S1", "model", "X1"));
	add(l, op, NULL, WP_EV_REQUEST, "PC-1", json_object());
	add(l, boss, NULL, WP_EV_APPROVE, "PC-1", APPROVAL());
	add(l, op, NULL, WP_EV_WIPE_START, "PC-1", json_pack("{s:s, s:s}", "job_id", "j1", "serial", "S1"));
	add(l, op, NULL, WP_EV_WIPE_END, "PC-1", json_pack("{s:s, s:s}", "job_id", "j1", "result",
							   "sanitized"));
	add(l, op, NULL, WP_EV_INTAKE, "PC-2", json_pack("{s:s, s:s}", "serial", "S2", "model", "壊"));
	add(l, op, NULL, WP_EV_REQUEST, "PC-2", json_object());
	add(l, boss, NULL, WP_EV_APPROVE, "PC-2", APPROVAL());
	add(l, op, wit, WP_EV_DESTROYED, "PC-2", json_pack("{s:s}", "method", "shred"));
	add(l, op, NULL, WP_EV_NOTE, "PC-1", json_pack("{s:s}", "text", "返却 ok"));
	wp_ledger_close(l);
}

static int verify_now(struct wp_ledger *r, const char *anchor, struct wp_custody_report *rep)
{
	return wp_custody_verify(r, ca, anchor, rep, err, sizeof(err));
}

static void exec_sql(sqlite3 *db, const char *sql)
{
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
}

static void set_column(sqlite3 *db, const char *table, const char *col, const char *key_col,
		       sqlite3_int64 key, const char *keytext, const void *v, int n)
{
	char sql[200];
	sqlite3_stmt *st = NULL;
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?1 WHERE %s = ?2", table, col, key_col);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, v, n, SQLITE_TRANSIENT);
	if (keytext)
		sqlite3_bind_text(st, 2, keytext, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, key);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static const char *const event_cols[] = {
	"time", "kind", "asset", "actor_name", "actor_title", "actor_role", "actor_fingerprint",
	"witness_name", "witness_title", "witness_role", "witness_fingerprint", "body",
	"prev_hash", "hash", "signature", "witness_signature",
};

struct target {
	sqlite3 *db;
	struct wp_ledger *r;
	const char *anchor;
	size_t tried;
};

/* Change every STRIDE-th byte of one stored text value, one of the three
 * ways in turn (so each way reaches every column and every part of a hash
 * or signature), and cut it at every 16th length and one short: the ledger
 * must not verify with any of them; then the original goes back.
 * Verifying costs ~4 ms per mutation (a whole pass of certificate and
 * signature checks), so the three ways at every byte (~17,000 passes,
 * 75 s; several minutes under ASan) are rotated instead, and strided
 * where the shape repeats (column_stride): the kinds of change stay the
 * same. */
static void mutate_value(struct target *t, const char *table, const char *col, const char *key_col,
			 sqlite3_int64 key, const char *keytext, const char *orig, size_t stride)
{
	size_t len = strlen(orig);
	char *m = malloc(len + 1);
	struct wp_custody_report rep;
	for (size_t i = 0; i < len; i += stride)
		for (size_t k = i % sizeof(flips); k == i % sizeof(flips); k++, t->tried++) {
			memcpy(m, orig, len + 1);
			m[i] = (char)flipped((unsigned char)m[i], k);
			set_column(t->db, table, col, key_col, key, keytext, m, (int)len);
			int rc = verify_now(t->r, t->anchor, &rep);
			ck_assert_msg(rc == WP_CUSTODY_BROKEN, "%s.%s of %s byte %zu -> 0x%02x: verify "
				      "gave %d (%s)", table, col, keytext ? keytext : "event", i,
				      (unsigned char)m[i], rc, err);
		}
	for (size_t n = 0; n < len; n = n + 16 < len - 1 || n == len - 1 ? n + 16 : len - 1, t->tried++) {
		set_column(t->db, table, col, key_col, key, keytext, orig, (int)n);
		ck_assert_msg(verify_now(t->r, t->anchor, &rep) == WP_CUSTODY_BROKEN,
			      "%s.%s cut to %zu bytes accepted", table, col, n);
	}
	/* bytes added after the value, also behind a NUL, where a C reader
	 * would stop */
	char *longer = malloc(len + 3);
	for (int nul = 0; nul <= 1; nul++, t->tried++) {
		memcpy(longer, orig, len);
		memcpy(longer + len, nul ? "\0x" : "x", (size_t)nul + 1);
		set_column(t->db, table, col, key_col, key, keytext, longer, (int)len + nul + 1);
		ck_assert_msg(verify_now(t->r, t->anchor, &rep) == WP_CUSTODY_BROKEN,
			      "%s.%s with %s appended accepted", table, col, nul ? "NUL x" : "x");
	}
	free(longer);
	set_column(t->db, table, col, key_col, key, keytext, orig, (int)len);
	free(m);
}

static char *column_text(sqlite3 *db, const char *sql, sqlite3_int64 key, const char *keytext)
{
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (keytext)
		sqlite3_bind_text(st, 1, keytext, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, key);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	const char *v = (const char *)sqlite3_column_text(st, 0);
	char *copy = v ? strdup(v) : NULL;
	sqlite3_finalize(st);
	return copy;
}

static void open_target(struct target *t, const char *path, const char *anchor)
{
	memset(t, 0, sizeof(*t));
	t->anchor = anchor;
	ck_assert_int_eq(sqlite3_open(path, &t->db), SQLITE_OK);
	/* only this test's copy: durability of each mutation does not matter */
	exec_sql(t->db, "PRAGMA synchronous=OFF");
	ck_assert_int_eq(wp_ledger_open_readonly(path, &t->r, err, sizeof(err)), 0);
}

static void close_target(struct target *t)
{
	struct wp_custody_report rep;
	ck_assert_msg(verify_now(t->r, t->anchor, &rep) == 0, "restored ledger: %s", err);
	wp_ledger_close(t->r);
	sqlite3_close(t->db);
}

static void head_anchor(const char *path, char *anchor, size_t len)
{
	struct wp_ledger *l = NULL;
	char head[WP_HASH_HEX];
	uint64_t seq;
	ck_assert_int_eq(wp_ledger_open_readonly(path, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_custody_head(l, &seq, head, err, sizeof(err)), 0);
	snprintf(anchor, len, "%s@%llu", head, (unsigned long long)seq);
	wp_ledger_close(l);
}

/* Every byte of the events of distinct shape: the first, one signed by a
 * second person, the wipe-end, the witnessed one, the head. Every 4th
 * byte of the others, which repeat those shapes. In signatures every 2nd
 * hex digit: each byte of the DER is still changed (one of its two
 * digits). Together under 10 s here, ~20 s under ASan. */
static size_t column_stride(sqlite3_int64 seq, const char *col)
{
	bool distinct = seq == 1 || seq == 3 || seq == 5 || seq == 9 || seq == 10;
	if (!distinct)
		return 4;
	return strstr(col, "signature") ? 2 : 1;
}

START_TEST(ledger_every_column_byte)
{
	char path[128], anchor[100], sql[160];
	struct target t;
	snprintf(path, sizeof(path), "%s/mut-cols.db", dir);
	small_ledger(path);
	head_anchor(path, anchor, sizeof(anchor));
	open_target(&t, path, anchor);
	for (sqlite3_int64 seq = 1; seq <= 10; seq++)
		for (size_t c = 0; c < sizeof(event_cols) / sizeof(event_cols[0]); c++) {
			snprintf(sql, sizeof(sql), "SELECT %s FROM events WHERE seq = ?1", event_cols[c]);
			char *orig = column_text(t.db, sql, seq, NULL);
			if (orig)
				mutate_value(&t, "events", event_cols[c], "seq", seq, NULL, orig,
					     column_stride(seq, event_cols[c]));
			free(orig);
		}
	printf("ledger columns: %zu mutations, all refused\n", t.tried);
	close_target(&t);
}
END_TEST

/* The signers table holds the certificates the signatures are checked
 * against; the fingerprint inside each hashed event pins them. Every
 * third byte (the PEMs are ~800 bytes each, and a changed byte in any
 * base64 position changes the certificate's DER the same way; the test of
 * every position would triple the time for no new kind of change). */
START_TEST(ledger_signers_table)
{
	char path[128], anchor[100];
	struct target t;
	snprintf(path, sizeof(path), "%s/mut-signers.db", dir);
	small_ledger(path);
	head_anchor(path, anchor, sizeof(anchor));
	open_target(&t, path, anchor);
	struct wp_identity *who[] = { op, boss, wit };
	for (size_t i = 0; i < 3; i++) {
		const char *fpr = wp_identity_person(who[i])->fingerprint;
		char *pem = column_text(t.db, "SELECT certificate FROM signers WHERE fingerprint = ?1",
					0, fpr);
		mutate_value(&t, "signers", "certificate", "fingerprint", 0, fpr, pem, 3);
		size_t len = strlen(pem);
		char *more = malloc(len + 8);
		snprintf(more, len + 8, "%s\n", pem);
		set_column(t.db, "signers", "certificate", "fingerprint", 0, fpr, more, (int)len + 1);
		struct wp_custody_report rep;
		ck_assert_int_eq(verify_now(t.r, anchor, &rep), WP_CUSTODY_BROKEN);
		set_column(t.db, "signers", "certificate", "fingerprint", 0, fpr, pem, (int)len);
		free(more);
		free(pem);
		/* the fingerprint column: the row can no longer be found */
		char changed[WP_FPR_HEX];
		snprintf(changed, sizeof(changed), "%s", fpr);
		changed[5] = changed[5] == 'a' ? 'b' : 'a';
		char q[300];
		snprintf(q, sizeof(q), "UPDATE signers SET fingerprint = '%s' WHERE fingerprint = '%s'",
			 changed, fpr);
		exec_sql(t.db, q);
		ck_assert_int_eq(verify_now(t.r, anchor, &rep), WP_CUSTODY_BROKEN);
		ck_assert_msg(strstr(rep.why, "not in the ledger's signers table"), "%s", rep.why);
		snprintf(q, sizeof(q), "UPDATE signers SET fingerprint = '%s' WHERE fingerprint = '%s'",
			 fpr, changed);
		exec_sql(t.db, q);
		t.tried += 2;
	}
	printf("signers table: %zu mutations, all refused\n", t.tried);
	close_target(&t);
}
END_TEST

START_TEST(ledger_rows_deleted_and_reordered)
{
	char path[128], orig[140], anchor[100], q[800];
	struct wp_custody_report rep;
	snprintf(orig, sizeof(orig), "%s/mut-rows.orig", dir);
	snprintf(path, sizeof(path), "%s/mut-rows.db", dir);
	small_ledger(orig);
	head_anchor(orig, anchor, sizeof(anchor));
	for (int op_kind = 0; op_kind < 3; op_kind++)
		for (int seq = 1; seq <= 10; seq++) {
			if (op_kind > 0 && seq == 10)
				continue;
			snprintf(q, sizeof(q), "cp '%s' '%s' && rm -f '%s-wal' '%s-shm'", orig, path,
				 path, path);
			ck_assert_int_eq(system(q), 0);
			sqlite3 *db;
			ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
			if (op_kind == 0)
				snprintf(q, sizeof(q), "DELETE FROM events WHERE seq = %d", seq);
			else if (op_kind == 1) /* swap two neighbours' places in the order */
				snprintf(q, sizeof(q), "UPDATE events SET seq = -1 WHERE seq = %d;"
					 "UPDATE events SET seq = %d WHERE seq = %d;"
					 "UPDATE events SET seq = %d WHERE seq = -1", seq, seq, seq + 1,
					 seq + 1);
			else /* a row's content copied over its successor */
				snprintf(q, sizeof(q), "DELETE FROM events WHERE seq = %d;"
					 "INSERT INTO events SELECT %d, time, kind, asset, actor_name,"
					 " actor_title, actor_role, actor_fingerprint, witness_name,"
					 " witness_title, witness_role, witness_fingerprint, body, prev_hash,"
					 " hash, signature, witness_signature FROM events WHERE seq = %d",
					 seq + 1, seq + 1, seq);
			exec_sql(db, q);
			sqlite3_close(db);
			struct wp_ledger *r = NULL;
			ck_assert_int_eq(wp_ledger_open_readonly(path, &r, err, sizeof(err)), 0);
			int rc = verify_now(r, anchor, &rep);
			ck_assert_msg(rc == WP_CUSTODY_BROKEN, "row change %d at seq %d: verify gave %d",
				      op_kind, seq, rc);
			wp_ledger_close(r);
		}
}
END_TEST

/* Every 97th byte of the database file itself (~40 KiB: ~430 positions,
 * each changed two ways). Many bytes of a SQLite file hold nothing (free
 * space in pages, unused header fields): a change there is invisible by
 * design. So the invariant is: either verification refuses the file or
 * fails to read it, or every row reads back exactly as before. */
static char *dump(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t cap = 1 << 16, n = 0;
	char *out = calloc(1, cap);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT 'e', " "seq, time, kind, asset, actor_name, actor_title, "
			       "actor_role, actor_fingerprint, witness_name, witness_title, witness_role,"
			       " witness_fingerprint, body, prev_hash, hash, signature, witness_signature"
			       " FROM events UNION ALL SELECT 's', fingerprint, certificate, NULL, NULL,"
			       " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
			       " NULL FROM signers ORDER BY 1, 2", -1, &st, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		free(out);
		return NULL;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < 18; i++) {
			const char *v = (const char *)sqlite3_column_blob(st, i);
			size_t l = (size_t)sqlite3_column_bytes(st, i);
			if (n + l + 2 >= cap && !(out = realloc(out, cap = 2 * (cap + l))))
				break;
			if (v)
				memcpy(out + n, v, l);
			n += l;
			out[n++] = '\x1f';
			out[n] = '\0';
		}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

START_TEST(ledger_file_bytes)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/mut-file.db", dir);
	small_ledger(path); /* closed: the WAL is checkpointed into the file */
	char *before = dump(path);
	ck_assert_ptr_nonnull(before);
	int fd = open(path, O_RDWR);
	ck_assert_int_ge(fd, 0);
	off_t size = lseek(fd, 0, SEEK_END);
	size_t refused = 0, invisible = 0;
	for (off_t pos = 0; pos < size; pos += 97)
		for (int k = 0; k < 2; k++) {
			unsigned char b, m;
			ck_assert_int_eq(pread(fd, &b, 1, pos), 1);
			m = k ? b ^ 0x01 : b ^ 0x80;
			ck_assert_int_eq(pwrite(fd, &m, 1, pos), 1);
			struct wp_ledger *r = NULL;
			struct wp_custody_report rep;
			bool ok = wp_ledger_open_readonly(path, &r, err, sizeof(err)) == 0 &&
				  verify_now(r, NULL, &rep) == 0;
			wp_ledger_close(r);
			if (ok) {
				char *after = dump(path);
				ck_assert_msg(after && strcmp(after, before) == 0,
					      "file byte %lld changed, content changed, ledger verified",
					      (long long)pos);
				free(after);
				invisible++;
			} else {
				refused++;
			}
			ck_assert_int_eq(pwrite(fd, &b, 1, pos), 1);
		}
	close(fd);
	printf("ledger file: %zu byte changes refused, %zu in bytes that hold no data\n", refused,
	       invisible);
	ck_assert_uint_gt(refused, 0);
	free(before);
}
END_TEST

/* ---- set-up ------------------------------------------------------------------ */

int main(void)
{
	wp_fx_tmpdir(dir, sizeof(dir), "mutation");
	wp_fx_ca(dir, "株式会社テスト", 30, NULL);
	op = wp_fx_person(dir, "鈴木 一郎", "係員", WP_ROLE_OPERATOR);
	boss = wp_fx_person(dir, "山田 太郎", "情報システム課長", WP_ROLE_APPROVER);
	wit = wp_fx_person(dir, "佐藤 花子", "総務課", WP_ROLE_WITNESS);
	ca = X509_dup(wp_identity_ca(op));
	time_t now = time(NULL);
	wp_utc_format(now, today, sizeof(today));
	Suite *s = suite_create("mutation");
	TCase *tc = tcase_create("mutation");
	tcase_set_timeout(tc, 300);
	/* WP_MUTATION_ONLY=NAME runs one of them (to look at a finding) */
	const struct { const char *name; const TTest *test; } tests[] = {
		{ "cert_json_every_byte", cert_json_every_byte },
		{ "cert_json_reordered", cert_json_reordered },
		{ "cert_p7s_every_byte", cert_p7s_every_byte },
		{ "cert_qr_every_byte", cert_qr_every_byte },
		{ "ledger_every_column_byte", ledger_every_column_byte },
		{ "ledger_signers_table", ledger_signers_table },
		{ "ledger_rows_deleted_and_reordered", ledger_rows_deleted_and_reordered },
		{ "ledger_file_bytes", ledger_file_bytes },
	};
	const char *only = getenv("WP_MUTATION_ONLY");
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!only || strcmp(only, tests[i].name) == 0)
			tcase_add_test(tc, tests[i].test);
	suite_add_tcase(s, tc);
	int rc = wp_run_suite(s);
	wp_identity_free(op);
	wp_identity_free(boss);
	wp_identity_free(wit);
	X509_free(ca);
	if (wp_fx_rmtree(dir) < 0)
		rc = EXIT_FAILURE;
	return rc;
}
