/*
 * A large custody ledger, fast, for bench/ledger (issue 18: verify of a
 * 1,000,000-event ledger). Events are made and signed through the library
 * (canonical form, hash, wp_identity_sign_hex, the backend's put_event) in
 * one transaction, not one `wipeproof custody` command per event: a command
 * costs a process, a key load, a rule check that scans the ledger and a
 * synchronous commit. The rules are not checked here — `custody verify`
 * checks them — so the events are a lifecycle that keeps them: per asset an
 * intake and NOTES notes, all by one operator, dated one second apart per
 * 1000 events, from two minutes after the person's certificate starts.
 *
 * On PostgreSQL the events go in through one COPY ... FROM STDIN on a
 * connection of its own (one INSERT round trip per event made 20,000 in
 * 39 s), in one transaction: the same rows, columns and text as the
 * backend's put_event writes.
 *
 * Usage: ledgergen KEYDIR PERSON LEDGER EVENTS [NOTES]   (LEDGER a path or a
 * postgresql:// connection string; it must be new or empty).
 */
#include "custody_internal.h"

#include <libpq-fe.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char err[2048];

static void die(const char *what)
{
	fprintf(stderr, "ledgergen: %s: %s\n", what, err);
	exit(1);
}

/* ---- COPY into PostgreSQL ------------------------------------------------- */

static PGconn *copy_conn;
static char *copy_buf;
static size_t copy_len, copy_cap;

static void pg_die(const char *what)
{
	snprintf(err, sizeof(err), "%s", PQerrorMessage(copy_conn));
	die(what);
}

static void pg_exec(const char *sql, ExecStatusType want)
{
	PGresult *res = PQexec(copy_conn, sql);
	if (PQresultStatus(res) != want)
		pg_die(sql);
	PQclear(res);
}

static void copy_flush(void)
{
	if (copy_len && PQputCopyData(copy_conn, copy_buf, (int)copy_len) != 1)
		pg_die("COPY data");
	copy_len = 0;
}

/* One field in COPY's text format: \N for NULL, backslash escapes. */
static void copy_field(const char *v, bool last)
{
	size_t need = (v ? 2 * strlen(v) : 2) + 2;
	if (copy_len + need > copy_cap) {
		copy_flush();
		if (need > copy_cap) {
			copy_cap = need * 2;
			copy_buf = realloc(copy_buf, copy_cap);
			if (!copy_buf)
				die("out of memory");
		}
	}
	if (!v) {
		memcpy(copy_buf + copy_len, "\\N", 2);
		copy_len += 2;
	}
	for (; v && *v; v++) {
		char c = *v;
		char e = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : 0;
		if (e) {
			copy_buf[copy_len++] = '\\';
			c = e;
		}
		copy_buf[copy_len++] = c;
	}
	copy_buf[copy_len++] = last ? '\n' : '\t';
}

static void copy_begin(const char *conninfo)
{
	copy_conn = PQconnectdb(conninfo);
	if (PQstatus(copy_conn) != CONNECTION_OK)
		pg_die("connect");
	copy_cap = 1 << 20;
	copy_buf = malloc(copy_cap);
	if (!copy_buf)
		die("out of memory");
	pg_exec("BEGIN", PGRES_COMMAND_OK);
	pg_exec("COPY events(chain, " WP_ROW_COLUMNS ") FROM STDIN", PGRES_COPY_IN);
}

static void copy_event(const char *chain, const struct wp_event *ev, const char *body_text,
		       const char *sig)
{
	char seq[24];
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)ev->seq);
	/* as pg_put_event: no witness in these events */
	const char *v[] = { chain, seq, ev->time, ev->kind, ev->asset, ev->actor.name,
			    ev->actor.title, ev->actor.role, ev->actor.fingerprint, NULL, NULL,
			    NULL, NULL, body_text, ev->prev_hash, ev->hash, sig, NULL };
	size_t n = sizeof(v) / sizeof(v[0]);
	for (size_t i = 0; i < n; i++)
		copy_field(v[i], i + 1 == n);
}

static void copy_end(void)
{
	copy_flush();
	if (PQputCopyEnd(copy_conn, NULL) != 1)
		pg_die("COPY end");
	PGresult *res = PQgetResult(copy_conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		pg_die("COPY");
	PQclear(res);
	while ((res = PQgetResult(copy_conn)))
		PQclear(res);
	pg_exec("COMMIT", PGRES_COMMAND_OK);
	PQfinish(copy_conn);
	free(copy_buf);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: ledgergen KEYDIR PERSON LEDGER EVENTS [NOTES]\n");
		return 2;
	}
	uint64_t n = strtoull(argv[4], NULL, 10);
	unsigned notes = argc > 5 ? (unsigned)atoi(argv[5]) : 9;
	struct wp_identity *id = NULL;
	struct wp_ledger *l = NULL;
	if (wp_identity_load(argv[1], argv[2], NULL, &id, err, sizeof(err)) < 0)
		die("identity");
	if (wp_ledger_open(argv[3], &l, err, sizeof(err)) < 0)
		die("open");
	const struct wp_person *p = wp_identity_person(id);
	char *pem = wp_cert_to_pem(wp_identity_cert(id));
	if (!pem || wp_ledger_begin(l, true, err, sizeof(err)) < 0)
		die("begin");
	uint64_t head = 0;
	char hh[WP_HASH_HEX], ht[WP_TIME_MAX];
	if (l->ops->head(l, &head, hh, ht, err, sizeof(err)) < 0 || head != 0) {
		snprintf(err, sizeof(err), "the ledger is not empty");
		die("head");
	}
	if (l->ops->put_signer(l, p->fingerprint, pem, err, sizeof(err)) < 0)
		die("signer");
	bool pg = wp_ledger_is_pg(argv[3]);
	if (pg) {
		/* the signer committed first: the COPY's connection sees it */
		if (wp_ledger_commit(l, err, sizeof(err)) < 0)
			die("commit");
		copy_begin(argv[3]);
	}
	struct wp_event ev = { 0 };
	snprintf(ev.actor.name, sizeof(ev.actor.name), "%s", p->name);
	snprintf(ev.actor.title, sizeof(ev.actor.title), "%s", p->title);
	snprintf(ev.actor.role, sizeof(ev.actor.role), "%s", wp_role_name(p->role));
	snprintf(ev.actor.fingerprint, sizeof(ev.actor.fingerprint), "%s", p->fingerprint);
	snprintf(ev.prev_hash, sizeof(ev.prev_hash), "%s", WP_ZERO_HASH);
	/* after the certificates' start (a fresh key store begins a minute ago);
	 * 1,000,000 events end 17 minutes later, within the 24 hours ahead of
	 * the clock that verify allows */
	time_t start = (time_t)p->not_before + 120;
	unsigned char raw[16];
	char lid[WP_LEDGER_ID_HEX];
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		die("random");
	wp_hex_encode(raw, sizeof(raw), lid);
	uint64_t asset = 0;
	for (uint64_t seq = 1; seq <= n; seq++) {
		bool intake = (seq - 1) % (notes + 1) == 0;
		if (intake)
			asset++;
		ev.seq = seq;
		wp_utc_format(start + (time_t)(seq / 1000), ev.time, sizeof(ev.time));
		snprintf(ev.kind, sizeof(ev.kind), "%s", intake ? WP_EV_INTAKE : WP_EV_NOTE);
		snprintf(ev.asset, sizeof(ev.asset), "BENCH-%07llu", (unsigned long long)asset);
		json_t *body = intake ? json_pack("{s:s, s:s, s:s}", "serial", ev.asset, "model",
						  "ThinkPad X1", "owner", "営業部")
				      : json_pack("{s:s}", "text", "棚 B-3 に保管");
		if (seq == 1)
			json_object_set_new(body, WP_LEDGER_ID_KEY, json_string(lid));
		ev.body = body;
		char *body_text = wp_canonical_json(body, err, sizeof(err));
		json_t *obj = wp_event_canonical_object(&ev);
		char *text = obj ? wp_canonical_json(obj, err, sizeof(err)) : NULL;
		char *sig = NULL;
		if (!body_text || !text)
			die("canonical");
		wp_event_hash(ev.prev_hash, text, ev.hash);
		if (wp_identity_sign_hex(id, ev.hash, 64, &sig, err, sizeof(err)) < 0)
			die("sign");
		if (pg)
			copy_event(l->chain, &ev, body_text, sig);
		else if (l->ops->put_event(l, &ev, body_text, sig, NULL, err, sizeof(err)) < 0)
			die("insert");
		snprintf(ev.prev_hash, sizeof(ev.prev_hash), "%s", ev.hash);
		free(sig);
		free(text);
		free(body_text);
		json_decref(obj);
		json_decref(body);
		if (seq % 100000 == 0)
			fprintf(stderr, "ledgergen: %llu events\n", (unsigned long long)seq);
	}
	if (pg)
		copy_end();
	else if (wp_ledger_commit(l, err, sizeof(err)) < 0)
		die("commit");
	printf("%llu events, head %s\n", (unsigned long long)n, ev.prev_hash);
	wp_ledger_close(l);
	wp_identity_free(id);
	free(pem);
	return 0;
}
