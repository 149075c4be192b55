/*
 * The PostgreSQL backend (libpq): the same rows as the SQLite file, in a
 * database server several stations share. The server is only storage: the
 * chain, the signatures and the rules are checked above this file exactly
 * as for SQLite, so a row a database administrator edits or deletes is
 * found by `custody verify` the same way.
 *
 * One database holds several chains (events.chain): "" is the online
 * chain that stations connected to the server append to; each offline
 * station's pushed ledger is its own chain, keyed by its ledger id
 * (segment.c). An append locks its chain's head with a transaction-level
 * advisory lock, so appenders serialise per chain and cannot both pass a
 * rule; readers take one REPEATABLE READ snapshot.
 *
 * Passwords never travel in the connection string: libpq reads them from
 * ~/.pgpass or PGPASSFILE. A string that carries one is refused.
 */
#include "custody_internal.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct wp_pg {
	PGconn *conn;
	bool in_tx;
	int cursors;                 /* nesting depth, for unique cursor names */
};

static const char pg_schema[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE signers(fingerprint TEXT PRIMARY KEY, certificate TEXT NOT NULL);"
	"CREATE TABLE events(chain TEXT NOT NULL,"
	" seq BIGINT NOT NULL, time TEXT NOT NULL, kind TEXT NOT NULL, asset TEXT NOT NULL,"
	" actor_name TEXT NOT NULL, actor_title TEXT NOT NULL, actor_role TEXT NOT NULL,"
	" actor_fingerprint TEXT NOT NULL,"
	" witness_name TEXT, witness_title TEXT, witness_role TEXT, witness_fingerprint TEXT,"
	" body TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
	" signature TEXT NOT NULL, witness_signature TEXT, PRIMARY KEY(chain, seq));"
	"CREATE INDEX events_asset ON events(chain, asset, seq);"
	"CREATE INDEX events_kind ON events(chain, kind, seq);"
	/* a pushed station chain: who pushed it last, and up to where */
	"CREATE TABLE chains(chain TEXT PRIMARY KEY, station TEXT NOT NULL,"
	" station_fingerprint TEXT NOT NULL, station_id TEXT NOT NULL, head_seq BIGINT NOT NULL,"
	" head_hash TEXT NOT NULL, signed_head TEXT NOT NULL, pushed TEXT NOT NULL);"
	/* mutable wipe checkpoints, outside the chain (custody.h, jobs.c) */
	"CREATE TABLE jobs(job_id TEXT PRIMARY KEY, asset TEXT NOT NULL, device TEXT NOT NULL,"
	" serial TEXT NOT NULL, model TEXT NOT NULL, size_bytes BIGINT NOT NULL,"
	" sector_size BIGINT NOT NULL, method TEXT NOT NULL, verify_mode TEXT NOT NULL,"
	" passes BIGINT NOT NULL, pass BIGINT NOT NULL, \"offset\" BIGINT NOT NULL,"
	" keys TEXT NOT NULL, state TEXT NOT NULL, owner_pid BIGINT NOT NULL,"
	" started TEXT NOT NULL, updated TEXT NOT NULL, report TEXT NOT NULL,"
	" interruptions TEXT NOT NULL, n BIGSERIAL);"
	"CREATE INDEX jobs_asset ON jobs(asset, state);"
	"INSERT INTO meta VALUES('format', 'wipeproof-ledger'), ('version', '1'),"
	" ('backend', 'postgresql');";

static struct wp_pg *P(const struct wp_ledger *l)
{
	return l->pg;
}

bool wp_ledger_is_pg(const char *spec)
{
	static const char *const prefixes[] = { "postgresql://", "postgres://", "service=",
						"host=", "dbname=" };
	for (size_t i = 0; spec && i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(spec, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* libpq's message without its trailing newline, on one line. */
static void pg_message(const char *msg, char *out, size_t len)
{
	snprintf(out, len, "%s", msg && msg[0] ? msg : "unknown error");
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = *(p + 1) ? ' ' : '\0';
}

static int pg_fail(struct wp_ledger *l, const char *what, PGresult *res, char *err, size_t errlen)
{
	char msg[600];
	struct wp_pg *p = P(l);
	if (!p || !p->conn || PQstatus(p->conn) == CONNECTION_BAD) {
		l->offline = true;   /* a station may queue (segment.c) */
		pg_message(p && p->conn ? PQerrorMessage(p->conn) : NULL, msg, sizeof(msg));
		snprintf(err, errlen, "ledger %s: %s: the connection to the database server was "
			 "lost (%s); nothing was recorded by this command — check the server and run "
			 "the command again", l->path, what, msg);
		return WP_CUSTODY_ERROR;
	}
	pg_message(res ? PQresultErrorMessage(res) : PQerrorMessage(p->conn), msg, sizeof(msg));
	snprintf(err, errlen, "ledger %s: %s: %s", l->path, what, msg);
	return WP_CUSTODY_ERROR;
}

/* Run SQL with text parameters; *out keeps the result when wanted. */
static int q(struct wp_ledger *l, const char *sql, int n, const char *const *params,
	     PGresult **out, const char *what, char *err, size_t errlen)
{
	/* without parameters, PQexec: the schema is several statements */
	PGresult *res = n ? PQexecParams(P(l)->conn, sql, n, NULL, params, NULL, NULL, 0)
			  : PQexec(P(l)->conn, sql);
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		int rc = pg_fail(l, what, res, err, errlen);
		PQclear(res);
		return rc;
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return 0;
}

static int exec(struct wp_ledger *l, const char *sql, const char *what, char *err, size_t errlen)
{
	return q(l, sql, 0, NULL, NULL, what, err, errlen);
}

/* ---- connection ---------------------------------------------------------- */

static int no_password(const char *spec, char *err, size_t errlen)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(spec, &msg);
	if (!opts) {
		char m[300];
		pg_message(msg, m, sizeof(m));
		snprintf(err, errlen, "--ledger '%s' is not a PostgreSQL connection string (%s); give "
			 "postgresql://USER@HOST/DB or service=NAME", spec, m);
		PQfreemem(msg);
		return WP_CUSTODY_ERROR;
	}
	bool has = false;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && o->val[0])
			has = true;
	PQconninfoFree(opts);
	if (has) {
		snprintf(err, errlen, "the ledger's connection string carries a password: a command "
			 "line is visible to every user of the machine (ps) and lands in shell "
			 "histories; remove it and put it in ~/.pgpass (mode 0600) or the file "
			 "PGPASSFILE names");
		return WP_CUSTODY_ERROR;
	}
	const char *env = getenv("PGPASSWORD");
	if (env && env[0]) {
		snprintf(err, errlen, "PGPASSWORD is set: the ledger's database password is read "
			 "only from ~/.pgpass or PGPASSFILE (an environment is readable by root "
			 "tools and inherited by every child); unset PGPASSWORD");
		return WP_CUSTODY_ERROR;
	}
	return 0;
}

static int check_format(struct wp_ledger *l, char *err, size_t errlen)
{
	PGresult *res = NULL;
	int rc = q(l, "SELECT value FROM meta WHERE key = 'format'", 0, NULL, &res,
		   "cannot read the meta table", err, errlen);
	/* a server that went away right after the connect is said as such, not
	 * as a database of another kind (it_pg_concurrent's restart hit it) */
	if (rc < 0 && l->offline)
		return rc;
	bool ok = rc == 0 && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "wipeproof-ledger") == 0;
	PQclear(res);
	if (!ok) {
		snprintf(err, errlen, "database %s is not a wipeproof ledger (no format mark in its "
			 "meta table); give the right --ledger, or let a station create it by "
			 "recording the first event", l->path);
		return WP_CUSTODY_ERROR;
	}
	return 0;
}

/* Several stations may open a new database at once: one creates the
 * tables, the others wait for it (a transaction-level advisory lock). */
static int create_schema(struct wp_ledger *l, char *err, size_t errlen)
{
	PGresult *res = NULL;
	int rc = exec(l, "BEGIN", "cannot start a transaction", err, errlen);
	if (rc == 0)
		rc = exec(l, "SELECT pg_advisory_xact_lock(7301842018)", "cannot lock the schema",
			  err, errlen);
	if (rc == 0)
		rc = q(l, "SELECT to_regclass('events') IS NULL", 0, NULL, &res,
		       "cannot read the schema", err, errlen);
	if (rc == 0 && strcmp(PQgetvalue(res, 0, 0), "t") == 0)
		rc = exec(l, pg_schema, "cannot create the ledger's tables", err, errlen);
	PQclear(res);
	if (rc == 0)
		rc = exec(l, "COMMIT", "cannot commit the schema", err, errlen);
	else
		PQclear(PQexec(P(l)->conn, "ROLLBACK"));
	return rc;
}

/* Each session, a new one or one after a loss: plain messages. */
static int session_setup(struct wp_ledger *l, char *err, size_t errlen)
{
	return exec(l, "SET client_min_messages = warning", "cannot set up the session", err,
		    errlen);
}

int wp_pg_open(struct wp_ledger *l, bool readonly, char *err, size_t errlen)
{
	struct wp_pg *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return WP_CUSTODY_ERROR;
	}
	l->pg = p;
	l->readonly = readonly;
	if (no_password(l->path, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	p->conn = PQconnectdb(l->path);
	if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
		char m[500];
		pg_message(p->conn ? PQerrorMessage(p->conn) : NULL, m, sizeof(m));
		snprintf(err, errlen, "cannot connect to the ledger database %s: %s; check that the "
			 "server runs and the connection string (and ~/.pgpass) are right; nothing was "
			 "recorded", l->path, m);
		return WP_CUSTODY_ERROR;
	}
	int rc = session_setup(l, err, errlen);
	if (rc == 0 && !readonly)
		rc = create_schema(l, err, errlen);
	if (rc == 0)
		rc = check_format(l, err, errlen);
	return rc;
}

bool wp_ledger_offline(const struct wp_ledger *l)
{
	return l && l->offline;
}

/* After a loss: the same connection string again. A transaction the loss
 * cut off is gone with the old session. */
int wp_ledger_reconnect(struct wp_ledger *l, char *err, size_t errlen)
{
	struct wp_pg *p = P(l);
	if (l->ops != &wp_pg_ops || !p || !p->conn)
		return 0;
	PQreset(p->conn);
	p->in_tx = false;
	p->cursors = 0;
	l->in_tx = false;
	if (PQstatus(p->conn) != CONNECTION_OK) {
		char m[500];
		pg_message(PQerrorMessage(p->conn), m, sizeof(m));
		snprintf(err, errlen, "cannot connect to the ledger database %s again: %s", l->path, m);
		l->offline = true;
		return WP_CUSTODY_ERROR;
	}
	l->offline = false;
	return session_setup(l, err, errlen);
}

static void pg_close(struct wp_ledger *l)
{
	struct wp_pg *p = P(l);
	if (!p)
		return;
	PQfinish(p->conn);
	free(p);
	l->pg = NULL;
}

/* ---- transactions -------------------------------------------------------- */

static int pg_begin(struct wp_ledger *l, bool write, char *err, size_t errlen)
{
	const char *chain = l->chain;
	int rc = exec(l, write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		      "cannot start a transaction", err, errlen);
	/* the head lock: one appender per chain at a time, held to COMMIT */
	if (rc == 0 && write)
		rc = q(l, "SELECT pg_advisory_xact_lock(hashtext('wipeproof-chain:' || $1))", 1,
		       &chain, NULL, "cannot lock the chain's head", err, errlen);
	if (rc == 0)
		P(l)->in_tx = true;
	else
		PQclear(PQexec(P(l)->conn, "ROLLBACK"));
	return rc;
}

static void pg_end(struct wp_ledger *l, bool commit)
{
	PGresult *res = PQexec(P(l)->conn, commit ? "COMMIT" : "ROLLBACK");
	if (commit && PQresultStatus(res) != PGRES_COMMAND_OK)
		PQclear(PQexec(P(l)->conn, "ROLLBACK"));
	PQclear(res);
	P(l)->in_tx = false;
}

static int pg_commit(struct wp_ledger *l, char *err, size_t errlen)
{
	int rc = exec(l, "COMMIT", "cannot commit", err, errlen);
	if (rc < 0)
		PQclear(PQexec(P(l)->conn, "ROLLBACK"));
	P(l)->in_tx = false;
	return rc;
}

/* ---- rows ---------------------------------------------------------------- */

#define FETCH_ROWS 2000

static void pg_row(PGresult *res, int r, struct wp_row *row)
{
	struct wp_cell cells[WP_ROW_NCOLS];
	for (int i = 0; i < WP_ROW_NCOLS; i++) {
		cells[i].null = PQgetisnull(res, r, i);
		cells[i].v = cells[i].null ? NULL : PQgetvalue(res, r, i);
		cells[i].n = PQgetlength(res, r, i);
		cells[i].typed = true;   /* the server keeps each column's type */
	}
	wp_row_fill(cells, row);
}

/* Streamed through a cursor, FETCH_ROWS at a time: a million-event chain
 * is never held in memory whole, and fn may query between batches. */
static int pg_rows(struct wp_ledger *l, enum wp_rows_sel sel, const char *asset, wp_row_fn fn,
		   void *ctx, char *err, size_t errlen)
{
	struct wp_pg *p = P(l);
	const char *where = sel == WP_ROWS_ALL ? "e.chain = $1"
			    : sel == WP_ROWS_ASSET ? "e.chain = $1 AND e.asset = $2"
			    : sel == WP_ROWS_FROM ? "e.chain = $1 AND e.seq >= $2::bigint"
			    : "e.chain = $1 AND (e.asset = $2 OR e.kind = 'policy')";
	char sql[1200], fetch[80], close[60];
	int depth = p->cursors++;
	snprintf(sql, sizeof(sql), "DECLARE wp_rows%d NO SCROLL CURSOR FOR SELECT e.seq, e.time, "
		 "e.kind, e.asset, e.actor_name, e.actor_title, e.actor_role, e.actor_fingerprint, "
		 "e.witness_name, e.witness_title, e.witness_role, e.witness_fingerprint, e.body, "
		 "e.prev_hash, e.hash, e.signature, e.witness_signature%s FROM events e WHERE %s "
		 "ORDER BY e.seq", depth,
		 sel == WP_ROWS_ASSET_POLICY ? ", coalesce((SELECT x.hash FROM events x WHERE "
		 "x.chain = e.chain AND x.seq = e.seq - 1), '" WP_ZERO_HASH "')" : "", where);
	snprintf(fetch, sizeof(fetch), "FETCH FORWARD %d FROM wp_rows%d", FETCH_ROWS, depth);
	snprintf(close, sizeof(close), "CLOSE wp_rows%d", depth);
	bool own_tx = !p->in_tx;
	const char *params[2] = { l->chain, asset };
	int rc = own_tx ? pg_begin(l, false, err, errlen) : 0;
	if (rc == 0)
		rc = q(l, sql, sel == WP_ROWS_ALL ? 1 : 2, params, NULL, "cannot read events", err,
		       errlen);
	bool declared = rc == 0;
	while (rc == 0) {
		PGresult *res = NULL;
		rc = q(l, fetch, 0, NULL, &res, "cannot read events", err, errlen);
		int n = rc == 0 ? PQntuples(res) : 0;
		for (int r = 0; rc == 0 && r < n; r++) {
			struct wp_row row;
			pg_row(res, r, &row);
			if (sel == WP_ROWS_ASSET_POLICY)
				row.prev_row_hash = PQgetvalue(res, r, WP_ROW_NCOLS);
			rc = fn(&row, ctx);
			json_decref(row.ev.body);
		}
		PQclear(res);
		if (n < FETCH_ROWS)
			break;
	}
	if (declared && PQtransactionStatus(p->conn) == PQTRANS_INTRANS)
		PQclear(PQexec(p->conn, close));
	p->cursors--;
	if (own_tx)
		pg_end(l, true);
	return rc;
}

static int pg_head(struct wp_ledger *l, uint64_t *seq, char hash[WP_HASH_HEX],
		   char time_out[WP_TIME_MAX], char *err, size_t errlen)
{
	PGresult *res = NULL;
	const char *chain = l->chain;
	*seq = 0;
	snprintf(hash, WP_HASH_HEX, "%s", WP_ZERO_HASH);
	time_out[0] = '\0';
	if (q(l, "SELECT seq, hash, time FROM events WHERE chain = $1 ORDER BY seq DESC LIMIT 1",
	      1, &chain, &res, "cannot read the head", err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	if (PQntuples(res) == 1) {
		*seq = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
		snprintf(hash, WP_HASH_HEX, "%s", PQgetvalue(res, 0, 1));
		snprintf(time_out, WP_TIME_MAX, "%s", PQgetvalue(res, 0, 2));
	}
	PQclear(res);
	return 0;
}

static int pg_text(struct wp_ledger *l, enum wp_text_q which, const char *key, char **out,
		   char *err, size_t errlen)
{
	static const char *const sql[] = {
		[WP_Q_FIRST_BODY] = "SELECT body FROM events WHERE chain = $1 AND seq = 1",
		[WP_Q_POLICY_BODY] = ("SELECT body FROM events WHERE chain = $1 AND kind = 'policy' "
				      "ORDER BY seq DESC LIMIT 1"),
		[WP_Q_META] = "SELECT value FROM meta WHERE key = $1",
		[WP_Q_SIGNER] = "SELECT certificate FROM signers WHERE fingerprint = $1",
		[WP_Q_STATION_HEAD] = "SELECT signed_head FROM chains WHERE chain = $1",
	};
	PGresult *res = NULL;
	const char *param = which == WP_Q_META || which == WP_Q_SIGNER || which == WP_Q_STATION_HEAD
			    ? key : l->chain;
	*out = NULL;
	if (q(l, sql[which], 1, &param, &res, "cannot read the ledger", err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		*out = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Whole results: fn may run queries of its own (check_serial_free). */
static int pg_pairs(struct wp_ledger *l, const char *sql, int n, const char *const *params,
		    wp_pair_fn fn, void *ctx, char *err, size_t errlen)
{
	PGresult *res = NULL;
	int rc = q(l, sql, n, params, &res, "cannot read the ledger", err, errlen);
	for (int r = 0; rc == 0 && r < PQntuples(res); r++)
		rc = fn(PQgetvalue(res, r, 0), (size_t)PQgetlength(res, r, 0),
			PQnfields(res) > 1 ? PQgetvalue(res, r, 1) : "",
			PQnfields(res) > 1 ? (size_t)PQgetlength(res, r, 1) : 0, ctx);
	PQclear(res);
	return rc;
}

static int pg_intakes(struct wp_ledger *l, wp_pair_fn fn, void *ctx, char *err, size_t errlen)
{
	const char *chain = l->chain;
	return pg_pairs(l, "SELECT asset, body FROM events WHERE chain = $1 AND kind = 'intake' "
			"ORDER BY seq", 1, &chain, fn, ctx, err, errlen);
}

static int pg_signers(struct wp_ledger *l, wp_pair_fn fn, void *ctx, char *err, size_t errlen)
{
	return pg_pairs(l, "SELECT fingerprint, certificate FROM signers", 0, NULL, fn, ctx, err,
			errlen);
}

static int pg_chains(struct wp_ledger *l, wp_pair_fn fn, void *ctx, char *err, size_t errlen)
{
	/* from the events themselves: a chains row a DBA deleted hides nothing */
	return pg_pairs(l, "SELECT DISTINCT chain FROM events ORDER BY chain", 0, NULL, fn, ctx,
			err, errlen);
}

static int pg_put_meta(struct wp_ledger *l, const char *key, const char *value, char *err,
		       size_t errlen)
{
	const char *params[] = { key, value };
	return q(l, "INSERT INTO meta VALUES($1, $2) ON CONFLICT (key) DO NOTHING", 2, params, NULL,
		 "cannot write the meta table", err, errlen);
}

static int pg_put_signer(struct wp_ledger *l, const char *fpr, const char *pem, char *err,
			 size_t errlen)
{
	const char *params[] = { fpr, pem };
	return q(l, "INSERT INTO signers VALUES($1, $2) ON CONFLICT (fingerprint) DO NOTHING", 2,
		 params, NULL, "cannot store a certificate", err, errlen);
}

static int pg_put_event(struct wp_ledger *l, const struct wp_event *ev, const char *body_text,
			const char *sig, const char *wsig, char *err, size_t errlen)
{
	char seq[24];
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)ev->seq);
	const struct wp_actor *w = &ev->witness;
	bool wd = ev->witnessed;
	const char *params[] = {
		l->chain, seq, ev->time, ev->kind, ev->asset, ev->actor.name, ev->actor.title,
		ev->actor.role, ev->actor.fingerprint, wd ? w->name : NULL, wd ? w->title : NULL,
		wd ? w->role : NULL, wd ? w->fingerprint : NULL, body_text, ev->prev_hash, ev->hash,
		sig, wsig,
	};
	return q(l, "INSERT INTO events(chain, " WP_ROW_COLUMNS ") VALUES($1, $2, $3, $4, $5, $6, "
		 "$7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)", 18, params, NULL,
		 "cannot append", err, errlen);
}

/* The server keeps column types itself; what it could still be made to
 * do is answer with other rows than the table holds — a view or a rule
 * in place of a table, or a trigger rewriting what is inserted. */
static int pg_check_store(struct wp_ledger *l, char *why, size_t whylen, char *err, size_t errlen)
{
	PGresult *res = NULL;
	int rc = q(l, "SELECT c.relname FROM pg_class c WHERE c.oid IN (to_regclass('events'), "
		   "to_regclass('signers'), to_regclass('meta')) AND (c.relkind <> 'r' OR c.relhasrules"
		   " OR EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT "
		   "t.tgisinternal)) UNION ALL SELECT 'missing' WHERE to_regclass('events') IS NULL",
		   0, NULL, &res, "cannot check the ledger's tables", err, errlen);
	if (rc == 0 && PQntuples(res) > 0) {
		snprintf(why, whylen, "its schema is not the one wipeproof writes (table '%.60s' is "
			 "not a plain table, or has a rule or trigger): the database was changed "
			 "outside wipeproof", PQgetvalue(res, 0, 0));
		rc = WP_CUSTODY_BROKEN;
	}
	PQclear(res);
	return rc;
}

/* ---- pushed chains ---------------------------------------------------------- */

int wp_pg_chain_get(struct wp_ledger *l, const char *chain, struct wp_chain_info *out,
		    char *err, size_t errlen)
{
	PGresult *res = NULL;
	memset(out, 0, sizeof(*out));
	if (q(l, "SELECT station, station_fingerprint, station_id, head_seq, head_hash FROM chains "
	      "WHERE chain = $1", 1, &chain, &res, "cannot read the chains table", err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	if (PQntuples(res) == 1) {
		out->known = true;
		snprintf(out->station, sizeof(out->station), "%s", PQgetvalue(res, 0, 0));
		snprintf(out->station_fingerprint, sizeof(out->station_fingerprint), "%s",
			 PQgetvalue(res, 0, 1));
		snprintf(out->station_id, sizeof(out->station_id), "%s", PQgetvalue(res, 0, 2));
		out->head_seq = strtoull(PQgetvalue(res, 0, 3), NULL, 10);
		snprintf(out->head_hash, sizeof(out->head_hash), "%s", PQgetvalue(res, 0, 4));
	}
	PQclear(res);
	return 0;
}

int wp_pg_chain_put(struct wp_ledger *l, const char *chain, const struct wp_chain_info *in,
		    const char *signed_head, char *err, size_t errlen)
{
	char seq[24], now[WP_TIME_MAX];
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)in->head_seq);
	wp_utc_format(time(NULL), now, sizeof(now));
	const char *params[] = { chain, in->station, in->station_fingerprint, in->station_id, seq,
				 in->head_hash, signed_head, now };
	return q(l, "INSERT INTO chains VALUES($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (chain) "
		 "DO UPDATE SET station = $2, station_fingerprint = $3, station_id = $4, "
		 "head_seq = $5, head_hash = $6, signed_head = $7, pushed = $8", 8, params, NULL,
		 "cannot record the station's head", err, errlen);
}

int wp_pg_chain_of_station(struct wp_ledger *l, const char *station_id, const char *except,
			   char *chain, size_t chainlen, uint64_t *head_seq, char *err,
			   size_t errlen)
{
	PGresult *res = NULL;
	const char *params[] = { station_id, except };
	chain[0] = '\0';
	*head_seq = 0;
	if (q(l, "SELECT chain, head_seq FROM chains WHERE station_id = $1 AND chain <> $2 "
	      "ORDER BY pushed DESC, chain LIMIT 1", 2, params, &res,
	      "cannot read the chains table", err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	if (PQntuples(res) == 1) {
		snprintf(chain, chainlen, "%s", PQgetvalue(res, 0, 0));
		*head_seq = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
	}
	PQclear(res);
	return 0;
}

static int pg_chain_names(struct wp_ledger *l, wp_pair_fn fn, void *ctx, char *err,
			  size_t errlen)
{
	return pg_pairs(l, "SELECT chain, station FROM chains ORDER BY chain", 0, NULL, fn, ctx,
			err, errlen);
}

/* ---- jobs ------------------------------------------------------------------ */

#define PG_JOB_COLUMNS "job_id, asset, device, serial, model, size_bytes, sector_size, method," \
	" verify_mode, passes, pass, \"offset\", keys, state, owner_pid, started, updated, report," \
	" interruptions"

static void now_utc(char out[WP_TIME_MAX])
{
	wp_utc_format(time(NULL), out, WP_TIME_MAX);
}

int wp_pg_job_begin(struct wp_ledger *l, const struct wp_ledger_job *j, char *err, size_t errlen)
{
	char now[WP_TIME_MAX], size[24], sector[24], passes[24], pass[24], off[24], pid[24];
	now_utc(now);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)j->size_bytes);
	snprintf(sector, sizeof(sector), "%u", j->sector_size);
	snprintf(passes, sizeof(passes), "%u", j->passes);
	snprintf(pass, sizeof(pass), "%u", j->pass);
	snprintf(off, sizeof(off), "%llu", (unsigned long long)j->offset);
	snprintf(pid, sizeof(pid), "%ld", j->owner_pid);
	const char *sup[] = { j->asset, j->job_id, now };
	const char *ins[] = { j->job_id, j->asset, j->device, j->serial, j->model, size, sector,
			      j->method, j->verify_mode, passes, pass, off, j->keys, WP_JOB_RUNNING,
			      pid, j->started[0] ? j->started : now, now, j->report,
			      j->interruptions[0] ? j->interruptions : "[]" };
	int rc = exec(l, "BEGIN", "cannot start a transaction", err, errlen);
	if (rc == 0)
		rc = q(l, "UPDATE jobs SET state = '" WP_JOB_SUPERSEDED "', updated = $3 WHERE "
		       "asset = $1 AND job_id <> $2 AND state IN ('" WP_JOB_RUNNING "', '"
		       WP_JOB_INTERRUPTED "')", 3, sup, NULL, "cannot supersede older jobs", err,
		       errlen);
	if (rc == 0)
		rc = q(l, "INSERT INTO jobs(" PG_JOB_COLUMNS ") VALUES($1, $2, $3, $4, $5, $6, $7, $8, "
		       "$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)", 19, ins, NULL,
		       "cannot record the job", err, errlen);
	if (rc == 0)
		return pg_commit(l, err, errlen);
	PQclear(PQexec(P(l)->conn, "ROLLBACK"));
	return rc;
}

static int update_one(struct wp_ledger *l, const char *sql, int n, const char *const *params,
		      const char *what, char *err, size_t errlen)
{
	PGresult *res = NULL;
	int rc = q(l, sql, n, params, &res, what, err, errlen);
	if (rc == 0 && strcmp(PQcmdTuples(res), "1") != 0) {
		snprintf(err, errlen, "ledger %s: %s: no job %s in the jobs table", l->path, what,
			 params[0]);
		rc = WP_CUSTODY_ERROR;
	}
	PQclear(res);
	return rc;
}

int wp_pg_job_checkpoint(struct wp_ledger *l, const char *job_id, unsigned pass, uint64_t offset,
			 const char *keys, char *err, size_t errlen)
{
	char now[WP_TIME_MAX], p[24], o[24];
	now_utc(now);
	snprintf(p, sizeof(p), "%u", pass);
	snprintf(o, sizeof(o), "%llu", (unsigned long long)offset);
	const char *params[] = { job_id, p, o, keys, now };
	return update_one(l, "UPDATE jobs SET pass = $2, \"offset\" = $3, keys = $4, updated = $5 "
			  "WHERE job_id = $1", 5, params, "cannot record a checkpoint", err, errlen);
}

int wp_pg_job_set_state(struct wp_ledger *l, const char *job_id, const char *state,
			long owner_pid, const char *interruptions, char *err, size_t errlen)
{
	char now[WP_TIME_MAX], pid[24];
	now_utc(now);
	snprintf(pid, sizeof(pid), "%ld", owner_pid);
	const char *params[] = { job_id, state, pid,
				 interruptions && interruptions[0] ? interruptions : "[]", now };
	return update_one(l, "UPDATE jobs SET state = $2, owner_pid = $3, interruptions = $4, "
			  "updated = $5 WHERE job_id = $1", 5, params, "cannot update the job", err,
			  errlen);
}

static void read_job(PGresult *res, int r, struct wp_ledger_job *j)
{
#define T(i, f) snprintf(j->f, sizeof(j->f), "%s", PQgetvalue(res, r, i))
#define N(i) strtoull(PQgetvalue(res, r, i), NULL, 10)
	memset(j, 0, sizeof(*j));
	T(0, job_id); T(1, asset); T(2, device); T(3, serial); T(4, model);
	j->size_bytes = N(5);
	j->sector_size = (unsigned)N(6);
	T(7, method); T(8, verify_mode);
	j->passes = (unsigned)N(9);
	j->pass = (unsigned)N(10);
	j->offset = N(11);
	T(12, keys); T(13, state);
	j->owner_pid = strtol(PQgetvalue(res, r, 14), NULL, 10);
	T(15, started); T(16, updated); T(17, report); T(18, interruptions);
#undef T
#undef N
}

int wp_pg_job_get(struct wp_ledger *l, const char *job_id, struct wp_ledger_job *out, char *err,
		  size_t errlen)
{
	PGresult *res = NULL;
	if (q(l, "SELECT " PG_JOB_COLUMNS " FROM jobs WHERE job_id = $1", 1, &job_id, &res,
	      "cannot read jobs", err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	int rc = PQntuples(res) == 1 ? 0 : 1;
	if (rc == 0)
		read_job(res, 0, out);
	PQclear(res);
	return rc;
}

int wp_pg_job_each(struct wp_ledger *l, wp_ledger_job_fn fn, void *ctx, char *err, size_t errlen)
{
	PGresult *res = NULL;
	if (q(l, "SELECT " PG_JOB_COLUMNS " FROM jobs ORDER BY started, n", 0, NULL, &res,
	      "cannot read jobs", err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	int rc = 0;
	for (int r = 0; rc == 0 && r < PQntuples(res); r++) {
		struct wp_ledger_job j;
		read_job(res, r, &j);
		rc = fn(&j, ctx);
	}
	PQclear(res);
	return rc;
}

const struct wp_store_ops wp_pg_ops = {
	.name = "postgresql",
	.begin = pg_begin,
	.end = pg_end,
	.commit = pg_commit,
	.rows = pg_rows,
	.head = pg_head,
	.text = pg_text,
	.intakes = pg_intakes,
	.signers = pg_signers,
	.put_meta = pg_put_meta,
	.put_signer = pg_put_signer,
	.put_event = pg_put_event,
	.check_store = pg_check_store,
	.chains = pg_chains,
	.chain_names = pg_chain_names,
	.close = pg_close,
};
