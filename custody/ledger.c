/*
 * The ledger file: opening, the schema, reading rows. Appending is in
 * append.c, verification in verify.c.
 *
 * Durability and concurrency come from SQLite: WAL (readers never block the
 * writer), synchronous=FULL (an acknowledged event survives power loss),
 * and a busy timeout so that an appender waits for another instead of
 * failing. Each handle belongs to one thread; several handles may append.
 */
#include "custody_internal.h"
#include "wpi18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LEDGER_FORMAT "wipeproof-ledger"
#define LEDGER_VERSION "1"
#define BUSY_TIMEOUT_MS 60000

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS signers(fingerprint TEXT PRIMARY KEY,"
	" certificate TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS events("
	" seq INTEGER PRIMARY KEY, time TEXT NOT NULL, kind TEXT NOT NULL, asset TEXT NOT NULL,"
	" actor_name TEXT NOT NULL, actor_title TEXT NOT NULL, actor_role TEXT NOT NULL,"
	" actor_fingerprint TEXT NOT NULL,"
	" witness_name TEXT, witness_title TEXT, witness_role TEXT, witness_fingerprint TEXT,"
	" body TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,"
	" signature TEXT NOT NULL, witness_signature TEXT);"
	"CREATE INDEX IF NOT EXISTS events_asset ON events(asset, seq);"
	"INSERT OR IGNORE INTO meta VALUES('format', '" LEDGER_FORMAT "');"
	"INSERT OR IGNORE INTO meta VALUES('version', '" LEDGER_VERSION "');";

/* The two failures a person can do something about get their own words:
 * both leave the ledger as it was, because the transaction is rolled back. */
int wp_sql_fail(struct wp_ledger *l, const char *what, char *err, size_t errlen)
{
	int code = sqlite3_errcode(l->db) & 0xff;
	if (code == SQLITE_FULL)
		snprintf(err, errlen, _("ledger %s: %s: disk full: the filesystem holding the ledger has "
			 "no room left; nothing was recorded, every earlier event is intact; free space "
			 "there and run the command again"), l->path, what);
	else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		snprintf(err, errlen, _("ledger %s: %s: the ledger is locked by another process (waited "
			 "%d s); nothing was recorded; let the other wipeproof or sqlite3 finish and run "
			 "the command again, or wait longer with WIPEPROOF_LEDGER_WAIT=SECONDS"), l->path,
			 what, l->wait_ms / 1000);
	else
		snprintf(err, errlen, _("ledger %s: %s: %s"), l->path, what, sqlite3_errmsg(l->db));
	return WP_CUSTODY_ERROR;
}

/* How long to wait for another process's lock: WIPEPROOF_LEDGER_WAIT
 * seconds, default 60. */
static int wait_ms(int *out, char *err, size_t errlen)
{
	const char *env = getenv("WIPEPROOF_LEDGER_WAIT");
	char *end = NULL;
	*out = BUSY_TIMEOUT_MS;
	if (!env || !env[0])
		return 0;
	long s = strtol(env, &end, 10);
	if (*end || s < 0 || s > 86400) {
		snprintf(err, errlen, _("WIPEPROOF_LEDGER_WAIT='%s' is not a number of seconds from 0 "
			 "to 86400"), env);
		return WP_CUSTODY_ERROR;
	}
	*out = (int)s * 1000;
	return 0;
}

int wp_ledger_missing(const char *spec)
{
	if (wp_ledger_is_pg(spec))
		return 0;
	return access(spec, F_OK) == 0 ? 0 : errno;
}

const char *wp_ledger_chain(const struct wp_ledger *ledger)
{
	return ledger->chain;
}

const char *wp_ledger_path(const struct wp_ledger *ledger)
{
	return ledger->path;
}

static int exec(struct wp_ledger *l, const char *sql, const char *what, char *err, size_t errlen)
{
	if (sqlite3_exec(l->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return wp_sql_fail(l, what, err, errlen);
	return 0;
}

static int sq_begin(struct wp_ledger *l, bool immediate, char *err, size_t errlen)
{
	return exec(l, immediate ? "BEGIN IMMEDIATE" : "BEGIN", "cannot start a transaction",
		    err, errlen);
}

static void sq_end(struct wp_ledger *l, bool commit)
{
	if (!commit || sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_commit(struct wp_ledger *l, char *err, size_t errlen)
{
	if (sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	wp_sql_fail(l, "cannot commit", err, errlen);
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
	return WP_CUSTODY_ERROR;
}

int wp_ledger_begin(struct wp_ledger *l, bool immediate, char *err, size_t errlen)
{
	int rc = l->ops->begin(l, immediate, err, errlen);
	l->in_tx = rc == 0;
	return rc;
}

void wp_ledger_end(struct wp_ledger *l, bool commit)
{
	l->ops->end(l, commit);
	l->in_tx = false;
}

int wp_ledger_commit(struct wp_ledger *l, char *err, size_t errlen)
{
	l->in_tx = false;
	return l->ops->commit(l, err, errlen);
}

/* A file with our meta row is ours; anything else is refused, so that
 * --ledger pointing at some other database never gets our tables added. */
static int check_format(struct wp_ledger *l, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(l->db, "SELECT value FROM meta WHERE key = 'format'", -1, &st, NULL);
	bool ok = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
		  strcmp((const char *)sqlite3_column_text(st, 0), LEDGER_FORMAT) == 0;
	sqlite3_finalize(st);
	if (!ok) {
		snprintf(err, errlen, _("%s is not a wipeproof ledger (%s); give the right --ledger PATH"),
			 l->path, rc == SQLITE_OK ? "no format mark" : sqlite3_errmsg(l->db));
		return WP_CUSTODY_ERROR;
	}
	return 0;
}

/* sqlite_master of a ledger this program made: its own schema, as SQLite
 * stores it, in a scratch in-memory database. */
static sqlite3 *reference_schema(void)
{
	sqlite3 *ref = NULL;
	if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(ref, schema, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(ref, wp_jobs_schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(ref);
		return NULL;
	}
	return ref;
}

static bool in_reference(sqlite3_stmt *find, sqlite3_stmt *row)
{
	sqlite3_reset(find);
	for (int i = 0; i < 4; i++)
		if (sqlite3_column_type(row, i) == SQLITE_NULL)
			sqlite3_bind_null(find, i + 1);
		else
			sqlite3_bind_text(find, i + 1, (const char *)sqlite3_column_text(row, i),
					  sqlite3_column_bytes(row, i), SQLITE_TRANSIENT);
	return sqlite3_step(find) == SQLITE_ROW;
}

/* Exactly our tables and indexes, with our column declarations, and
 * nothing else: a view named "events" (with rows only some queries see),
 * a trigger, or a re-declared column would make readers see other rows
 * than the verifier. The jobs table may be missing (older ledgers). */
static int check_schema(struct wp_ledger *l, char *err, size_t errlen)
{
	sqlite3 *ref = reference_schema();
	sqlite3_stmt *rows = NULL, *find = NULL;
	char bad[300] = "";
	int found = 0, step = SQLITE_DONE;
	if (!ref || sqlite3_prepare_v2(ref, "SELECT 1 FROM sqlite_master WHERE type IS ?1 AND name "
				       "IS ?2 AND tbl_name IS ?3 AND sql IS ?4", -1, &find,
				       NULL) != SQLITE_OK) {
		snprintf(err, errlen, _("out of memory checking the ledger's schema"));
		sqlite3_close(ref);
		return WP_CUSTODY_ERROR;
	}
	int rc = sqlite3_prepare_v2(l->db, "SELECT type, name, tbl_name, sql FROM sqlite_master "
				    "ORDER BY type NOT IN ('view', 'trigger'), name",
				    -1, &rows, NULL);
	while (rc == SQLITE_OK && !bad[0] && (step = sqlite3_step(rows)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(rows, 0);
		const char *name = (const char *)sqlite3_column_text(rows, 1);
		if (!in_reference(find, rows))
			snprintf(bad, sizeof(bad), "%.20s '%.100s'", type ? type : "entry",
				 name ? name : "");
		else if (type && name && strcmp(type, "table") == 0 &&
			 (!strcmp(name, "meta") || !strcmp(name, "signers") || !strcmp(name, "events")))
			found++;
	}
	sqlite3_finalize(rows);
	sqlite3_finalize(find);
	sqlite3_close(ref);
	if (rc != SQLITE_OK || (!bad[0] && step != SQLITE_DONE))
		return wp_sql_fail(l, "cannot read the schema", err, errlen);
	if (bad[0] || found != 3) {
		snprintf(err, errlen, _("ledger %s: its schema is not the one wipeproof writes (%s); "
			 "the file was changed outside wipeproof — restore it from a backup and run "
			 "'wipeproof custody verify'"), l->path,
			 bad[0] ? bad : "a table is missing");
		return WP_CUSTODY_BROKEN;
	}
	return 0;
}

/* Every stored value of the storage type its column declares. A row whose
 * asset is a BLOB holding the same bytes hashes the same but is missed by
 * "WHERE asset = ?"; the verifier checks each row (wp_row_read), and a
 * handle that appends checks the whole table once when it opens. */
static int check_types(struct wp_ledger *l, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT seq FROM events WHERE typeof(seq) != 'integer' OR typeof(time) != 'text'"
		" OR typeof(kind) != 'text' OR typeof(asset) != 'text'"
		" OR typeof(actor_name) != 'text' OR typeof(actor_title) != 'text'"
		" OR typeof(actor_role) != 'text' OR typeof(actor_fingerprint) != 'text'"
		" OR typeof(witness_name) NOT IN ('text', 'null')"
		" OR typeof(witness_title) NOT IN ('text', 'null')"
		" OR typeof(witness_role) NOT IN ('text', 'null')"
		" OR typeof(witness_fingerprint) NOT IN ('text', 'null')"
		" OR typeof(body) != 'text' OR typeof(prev_hash) != 'text' OR typeof(hash) != 'text'"
		" OR typeof(signature) != 'text' OR typeof(witness_signature) NOT IN ('text', 'null')"
		" UNION ALL SELECT -1 FROM signers WHERE typeof(fingerprint) != 'text'"
		" OR typeof(certificate) != 'text'"
		" UNION ALL SELECT -2 FROM meta WHERE typeof(key) != 'text' OR typeof(value) != 'text'"
		" LIMIT 1";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot check the ledger's column types", err, errlen);
	int step = sqlite3_step(st);
	long long seq = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return wp_sql_fail(l, "cannot check the ledger's column types", err, errlen);
	if (step == SQLITE_DONE)
		return 0;
	snprintf(err, errlen, _("ledger %s: %s holds a value of another type than its column "
		 "declares (the file was changed outside wipeproof); nothing was recorded — run "
		 "'wipeproof custody verify' and restore the ledger from a backup"), l->path,
		 seq > 0 ? "an event" : seq == -1 ? "the signers table" : "the meta table");
	return WP_CUSTODY_BROKEN;
}

static bool is_empty_db(struct wp_ledger *l)
{
	sqlite3_stmt *st = NULL;
	bool empty = sqlite3_prepare_v2(l->db, "SELECT count(*) FROM sqlite_master", -1, &st,
					NULL) == SQLITE_OK &&
		     sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
	sqlite3_finalize(st);
	return empty;
}

static int create_schema(struct wp_ledger *l, char *err, size_t errlen)
{
	if (wp_ledger_begin(l, true, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	bool fresh = is_empty_db(l);
	if (fresh && exec(l, schema, "cannot create the schema", err, errlen) < 0) {
		wp_ledger_end(l, false);
		return WP_CUSTODY_ERROR;
	}
	wp_ledger_end(l, true);
	int rc = check_format(l, err, errlen);
	if (rc == 0)
		rc = check_schema(l, err, errlen);
	if (rc == 0)
		rc = check_types(l, err, errlen);
	return rc;
}

static int default_dir(const char *path, char *err, size_t errlen)
{
	if (strcmp(path, WP_LEDGER_DEFAULT) != 0)
		return 0;
	if (mkdir("/var/lib/wipeproof", 0755) == 0 || errno == EEXIST)
		return 0;
	snprintf(err, errlen, _("cannot create /var/lib/wipeproof for the ledger: %s; run as root "
		 "or give --ledger PATH"), strerror(errno));
	return WP_CUSTODY_ERROR;
}

static struct wp_ledger *new_handle(const char *path, char *err, size_t errlen)
{
	struct wp_ledger *l = calloc(1, sizeof(*l));
	if (!l) {
		snprintf(err, errlen, _("out of memory"));
		return NULL;
	}
	if (strlen(path) >= sizeof(l->path)) {
		snprintf(err, errlen, _("ledger path is too long"));
		free(l);
		return NULL;
	}
	snprintf(l->path, sizeof(l->path), "%s", path);
	l->ops = wp_ledger_is_pg(path) ? &wp_pg_ops : &wp_sqlite_ops;
	if (wait_ms(&l->wait_ms, err, errlen) < 0) {
		free(l);
		return NULL;
	}
	return l;
}

/* The file is input like any other: whoever can write it can put SQL in
 * its schema (views, triggers, functions in defaults or indexes) that runs
 * when we read. Defensive mode refuses writes to the schema by ordinary
 * statements; trusted_schema=OFF keeps functions with side effects out of
 * schema SQL; views and triggers are switched off so that "events" can
 * only be the table (sqlite_master is checked as well, check_schema). */
static int harden(struct wp_ledger *l, char *err, size_t errlen)
{
	int on = -1;
	bool ok = sqlite3_db_config(l->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) == SQLITE_OK && on == 1;
	ok = ok && sqlite3_db_config(l->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on) == SQLITE_OK &&
	     on == 0;
	ok = ok && sqlite3_db_config(l->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, &on) == SQLITE_OK &&
	     on == 0;
	ok = ok && sqlite3_db_config(l->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, &on) == SQLITE_OK &&
	     on == 0;
	ok = ok && sqlite3_exec(l->db, "PRAGMA trusted_schema=OFF", NULL, NULL, NULL) == SQLITE_OK;
	if (!ok) {
		snprintf(err, errlen, _("ledger %s: this SQLite (%s) cannot switch on its defensive "
			 "settings (defensive mode, trusted_schema off, no views or triggers; SQLite "
			 "3.31 or later has them)"), l->path, sqlite3_libversion());
		return WP_CUSTODY_ERROR;
	}
	return 0;
}

static int open_db(struct wp_ledger *l, const char *uri, int flags, char *err, size_t errlen)
{
	if (sqlite3_open_v2(uri, &l->db, flags | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		snprintf(err, errlen, _("cannot open ledger %s: %s"), l->path,
			 l->db ? sqlite3_errmsg(l->db) : "out of memory");
		return WP_CUSTODY_ERROR;
	}
	sqlite3_busy_timeout(l->db, l->wait_ms);
	sqlite3_extended_result_codes(l->db, 1);
	return harden(l, err, errlen);
}

int wp_ledger_open(const char *path, struct wp_ledger **out, char *err, size_t errlen)
{
	struct wp_ledger *l = new_handle(path, err, errlen);
	if (!l)
		return WP_CUSTODY_ERROR;
	if (l->ops == &wp_pg_ops) {
		int prc = wp_pg_open(l, false, err, errlen);
		if (prc < 0) {
			wp_ledger_close(l);
			return prc;
		}
		*out = l;
		return 0;
	}
	int rc = default_dir(path, err, errlen);
	if (rc == 0)
		rc = open_db(l, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err, errlen);
	if (rc == 0)
		rc = exec(l, "PRAGMA journal_mode=WAL", "cannot switch to WAL", err, errlen);
	if (rc == 0)
		rc = exec(l, "PRAGMA synchronous=FULL", "cannot set synchronous=FULL", err, errlen);
	if (rc == 0)
		rc = create_schema(l, err, errlen);
	if (rc == 0)
		rc = wp_jobs_schema(l, err, errlen);
	if (rc < 0) {
		wp_ledger_close(l);
		return rc;
	}
	*out = l;
	return 0;
}

/* "file:" URI for immutable reading: %-escape what a URI would parse. */
static void immutable_uri(const char *path, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "file:");
	for (const char *p = path; *p && n + 4 < len; p++)
		if (*p == '%' || *p == '?' || *p == '#')
			n += (size_t)snprintf(out + n, len - n, "%%%02X", (unsigned char)*p);
		else
			out[n++] = *p;
	snprintf(out + n, len - n, "?immutable=1");
}

/* Immutable reading sees only the main file. Committed events still in
 * the write-ahead log (another process has the ledger open, or a crash or
 * a full disk stopped the checkpoint) would be silently missing, and the
 * ledger would "verify" without them; refuse instead. */
static int no_pending_wal(const char *path, char *err, size_t errlen)
{
	char wal[4200];
	struct stat st;
	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (stat(wal, &st) < 0 || st.st_size == 0)
		return 0;
	snprintf(err, errlen, _("ledger %s has events in its write-ahead log %s (%lld bytes) that "
		 "this user cannot read without write access to the ledger's folder; run as a user "
		 "who may write there, or copy the ledger and its -wal file to a folder you own"),
		 path, wal, (long long)st.st_size);
	return WP_CUSTODY_ERROR;
}

static int probe_readable(struct wp_ledger *l, char *err, size_t errlen)
{
	return exec(l, "SELECT count(*) FROM sqlite_master", "cannot read", err, errlen);
}

int wp_ledger_open_readonly(const char *path, struct wp_ledger **out, char *err, size_t errlen)
{
	if (wp_ledger_is_pg(path)) {
		struct wp_ledger *p = new_handle(path, err, errlen);
		int prc = p ? wp_pg_open(p, true, err, errlen) : WP_CUSTODY_ERROR;
		if (prc < 0)
			wp_ledger_close(p);
		else
			*out = p;
		return prc;
	}
	if (access(path, F_OK) != 0) {
		snprintf(err, errlen, _("no ledger at %s: %s; give --ledger PATH (or WIPEPROOF_LEDGER)"),
			 path, strerror(errno));
		return WP_CUSTODY_ERROR;
	}
	struct wp_ledger *l = new_handle(path, err, errlen);
	if (!l)
		return WP_CUSTODY_ERROR;
	l->readonly = true;
	/* a reader's handle is used by the one thread that opened it (verify's
	 * signature workers never touch it): no mutex around every call,
	 * which a verify of a million events paid on each of 17 columns */
	const int ro = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
	int rc = open_db(l, path, ro, err, errlen);
	if (rc == 0 && probe_readable(l, err, errlen) < 0) {
		/* a reader without write access to the directory cannot create
		 * the WAL index; read the file as it is instead */
		char uri[3 * 4096 + 32];
		sqlite3_close(l->db);
		l->db = NULL;
		immutable_uri(path, uri, sizeof(uri));
		rc = no_pending_wal(path, err, errlen);
		if (rc == 0)
			rc = open_db(l, uri, ro | SQLITE_OPEN_URI, err, errlen);
		if (rc == 0)
			rc = probe_readable(l, err, errlen);
	}
	if (rc == 0)
		rc = check_format(l, err, errlen);
	if (rc == 0)
		rc = check_schema(l, err, errlen);
	if (rc < 0) {
		wp_ledger_close(l);
		return rc;
	}
	*out = l;
	return 0;
}

void wp_ledger_close(struct wp_ledger *ledger)
{
	if (!ledger)
		return;
	if (ledger->ops && ledger->ops->close)
		ledger->ops->close(ledger);
	wp_ledger_forget_sealed(ledger);
	sqlite3_close(ledger->db);
	X509_free(ledger->ca);
	X509_CRL_free(ledger->crl);
	free(ledger);
}

void wp_sealed_row_free(struct wp_sealed_row *r)
{
	free(r->body_text);
	free(r->sig);
	free(r->wsig);
	free(r->actor_pem);
	free(r->witness_pem);
	memset(r, 0, sizeof(*r));
}

void wp_ledger_forget_sealed(struct wp_ledger *l)
{
	for (size_t i = 0; i < l->n_sealed; i++)
		wp_sealed_row_free(&l->sealed[i]);
	free(l->sealed);
	l->sealed = NULL;
	l->n_sealed = 0;
}

X509 *wp_ledger_ca(const struct wp_ledger *ledger)
{
	return ledger->ca;
}

int wp_ledger_set_ca(struct wp_ledger *ledger, X509 *ca, char *err, size_t errlen)
{
	if (!ca || !X509_up_ref(ca)) {
		snprintf(err, errlen, _("no CA certificate to verify the ledger against"));
		return WP_CUSTODY_ERROR;
	}
	X509_free(ledger->ca);
	ledger->ca = ca;
	return 0;
}

int wp_ledger_set_crl(struct wp_ledger *ledger, X509_CRL *crl)
{
	if (crl && !X509_CRL_up_ref(crl))
		return -1;
	X509_CRL_free(ledger->crl);
	ledger->crl = crl;
	return 0;
}

/* ---- rows (both backends) ------------------------------------------------ */

/* A column must hold what it declares (TEXT; NULL only where allowed): a
 * BLOB with the same bytes hashes the same but is not equal to the text
 * in a WHERE clause, so readers that query would miss the row. */
static void want_type(const struct wp_cell *c, bool null_ok, const char *name, struct wp_row *row)
{
	if (!(c->typed && !c->null) && !(null_ok && c->null) && !row->bad_column)
		row->bad_column = name;
}

static void column(const struct wp_cell *cells, int i, char *out, size_t len, const char *name,
		   struct wp_row *row)
{
	const struct wp_cell *c = &cells[i];
	want_type(c, i >= 8 && i <= 11, name, row);
	out[0] = '\0';
	if (c->null || !c->v)
		return;
	if ((size_t)c->n >= len || memchr(c->v, '\0', (size_t)c->n)) {
		if (!row->bad_column)
			row->bad_column = name;
		return;
	}
	memcpy(out, c->v, (size_t)c->n);
	out[c->n] = '\0';
}

/* A text column of any length, as C text. One with a NUL inside would be
 * read cut short at it, and the bytes after it would escape every check
 * (the mutation tests found "body" and "signature" accepted with garbage
 * after a NUL), so such a column is a bad column. */
static const char *whole_text(const struct wp_cell *cells, int i, const char *name,
			      struct wp_row *row)
{
	const struct wp_cell *c = &cells[i];
	want_type(c, i == 16, name, row);
	if (c->null)
		return NULL;
	if (c->v && strlen(c->v) != (size_t)c->n && !row->bad_column)
		row->bad_column = name;
	return c->v;
}

static void read_actor(const struct wp_cell *cells, int first, struct wp_actor *a, bool actor,
		       struct wp_row *row)
{
	column(cells, first, a->name, sizeof(a->name), actor ? "actor_name" : "witness_name", row);
	column(cells, first + 1, a->title, sizeof(a->title), actor ? "actor_title" : "witness_title",
	       row);
	column(cells, first + 2, a->role, sizeof(a->role), actor ? "actor_role" : "witness_role", row);
	column(cells, first + 3, a->fingerprint, sizeof(a->fingerprint),
	       actor ? "actor_fingerprint" : "witness_fingerprint", row);
}

void wp_row_fill(const struct wp_cell cells[WP_ROW_NCOLS], struct wp_row *row)
{
	memset(row, 0, sizeof(*row));
	struct wp_event *ev = &row->ev;
	char seq[24] = "";
	char *end = NULL;
	if (!cells[0].typed || cells[0].null || !cells[0].v || (size_t)cells[0].n >= sizeof(seq))
		row->bad_column = "seq";
	else
		memcpy(seq, cells[0].v, (size_t)cells[0].n);
	long long n = strtoll(seq, &end, 10);
	if (n < 1 || (end && *end))
		row->bad_column = "seq";
	ev->seq = n > 0 ? (uint64_t)n : 0;
	column(cells, 1, ev->time, sizeof(ev->time), "time", row);
	column(cells, 2, ev->kind, sizeof(ev->kind), "kind", row);
	column(cells, 3, ev->asset, sizeof(ev->asset), "asset", row);
	read_actor(cells, 4, &ev->actor, true, row);
	for (int i = 8; i < 12; i++)
		ev->witnessed |= !cells[i].null;
	read_actor(cells, 8, &ev->witness, false, row);
	row->body_text = whole_text(cells, 12, "body", row);
	ev->body = row->body_text ? json_loads(row->body_text, JSON_REJECT_DUPLICATES, NULL) : NULL;
	column(cells, 13, ev->prev_hash, sizeof(ev->prev_hash), "prev_hash", row);
	column(cells, 14, ev->hash, sizeof(ev->hash), "hash", row);
	row->signature = whole_text(cells, 15, "signature", row);
	row->witness_signature = whole_text(cells, 16, "witness_signature", row);
}

/* ---- the SQLite backend ---------------------------------------------------- */

static void sq_row_read(sqlite3_stmt *st, struct wp_row *row)
{
	struct wp_cell cells[WP_ROW_NCOLS];
	char seq[WP_DECIMAL_MAX];
	for (int i = 0; i < WP_ROW_NCOLS; i++) {
		int t = sqlite3_column_type(st, i);
		struct wp_cell *c = &cells[i];
		c->null = t == SQLITE_NULL;
		if (i == 0) {
			c->typed = t == SQLITE_INTEGER;
			c->v = wp_decimal(sqlite3_column_int64(st, 0), seq);
			c->n = (int)strlen(c->v);
			continue;
		}
		c->typed = t == SQLITE_TEXT;
		c->v = (const char *)sqlite3_column_text(st, i);
		c->n = sqlite3_column_bytes(st, i);
	}
	wp_row_fill(cells, row);
}

static int sq_rows(struct wp_ledger *l, enum wp_rows_sel sel, const char *asset, wp_row_fn fn,
		   void *ctx, char *err, size_t errlen)
{
	const char *sql = sel == WP_ROWS_ALL
		? "SELECT " WP_ROW_COLUMNS " FROM events ORDER BY seq"
		: sel == WP_ROWS_ASSET
		? "SELECT " WP_ROW_COLUMNS " FROM events NOT INDEXED WHERE asset = ?1 ORDER BY seq"
		: sel == WP_ROWS_FROM
		? "SELECT " WP_ROW_COLUMNS " FROM events WHERE seq >= CAST(?1 AS INTEGER) ORDER BY seq"
		: "SELECT " WP_ROW_COLUMNS ", ifnull((SELECT p.hash FROM events AS p WHERE p.seq = "
		  "events.seq - 1), '" WP_ZERO_HASH "') FROM events NOT INDEXED WHERE asset = ?1 "
		  "OR kind = 'policy' ORDER BY seq";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot read events", err, errlen);
	if (sel != WP_ROWS_ALL)
		sqlite3_bind_text(st, 1, asset, -1, SQLITE_STATIC);
	int rc = 0, step = SQLITE_DONE;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct wp_row row;
		sq_row_read(st, &row);
		if (sel == WP_ROWS_ASSET_POLICY)
			row.prev_row_hash = (const char *)sqlite3_column_text(st, WP_ROW_NCOLS);
		rc = fn(&row, ctx);
		json_decref(row.ev.body);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = wp_sql_fail(l, "cannot read events", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

static int sq_head(struct wp_ledger *l, uint64_t *seq, char hash_hex[WP_HASH_HEX],
		   char time_out[WP_TIME_MAX], char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, "SELECT seq, hash, time FROM events ORDER BY seq DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot read the head", err, errlen);
	int step = sqlite3_step(st);
	*seq = 0;
	snprintf(hash_hex, WP_HASH_HEX, "%s", WP_ZERO_HASH);
	time_out[0] = '\0';
	if (step == SQLITE_ROW) {
		const unsigned char *h = sqlite3_column_text(st, 1);
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
		snprintf(hash_hex, WP_HASH_HEX, "%s", h ? (const char *)h : "");
		if (sqlite3_column_type(st, 2) == SQLITE_TEXT)
			snprintf(time_out, WP_TIME_MAX, "%s", (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return wp_sql_fail(l, "cannot read the head", err, errlen);
	return 0;
}

static int sq_text(struct wp_ledger *l, enum wp_text_q q, const char *key, char **out, char *err,
		   size_t errlen)
{
	static const char *const sql[] = {
		[WP_Q_FIRST_BODY] = "SELECT body FROM events WHERE seq = 1",
		[WP_Q_POLICY_BODY] = ("SELECT body FROM events WHERE kind = 'policy' ORDER BY seq DESC "
				      "LIMIT 1"),
		[WP_Q_META] = "SELECT value FROM meta WHERE key = ?1",
		[WP_Q_SIGNER] = "SELECT certificate FROM signers WHERE fingerprint = ?1",
		[WP_Q_STATION_HEAD] = "SELECT value FROM meta WHERE 0 AND key = ?1",
	};
	sqlite3_stmt *st = NULL;
	*out = NULL;
	if (sqlite3_prepare_v2(l->db, sql[q], -1, &st, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot read the ledger", err, errlen);
	if (q == WP_Q_META || q == WP_Q_SIGNER || q == WP_Q_STATION_HEAD)
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
		*out = strdup((const char *)sqlite3_column_text(st, 0));
		if (!*out)
			step = SQLITE_NOMEM;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return wp_sql_fail(l, "cannot read the ledger", err, errlen);
	return 0;
}

static int sq_pairs(struct wp_ledger *l, const char *sql, wp_pair_fn fn, void *ctx, char *err,
		    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot read the ledger", err, errlen);
	int rc = 0, step = SQLITE_DONE;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		const char *b = (const char *)sqlite3_column_text(st, 1);
		rc = fn(a, (size_t)sqlite3_column_bytes(st, 0), b, (size_t)sqlite3_column_bytes(st, 1),
			ctx);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = wp_sql_fail(l, "cannot read the ledger", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

static int sq_intakes(struct wp_ledger *l, wp_pair_fn fn, void *ctx, char *err, size_t errlen)
{
	return sq_pairs(l, "SELECT asset, body FROM events WHERE kind = 'intake' ORDER BY seq", fn,
			ctx, err, errlen);
}

static int sq_signers(struct wp_ledger *l, wp_pair_fn fn, void *ctx, char *err, size_t errlen)
{
	return sq_pairs(l, "SELECT fingerprint, certificate FROM signers", fn, ctx, err, errlen);
}

/* One statement binding two texts (?1, ?2), run once; WHAT names it in
 * the error. */
static int sq_insert_pair(struct wp_ledger *l, const char *sql, const char *a, const char *b,
			  const char *what, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK)
		return wp_sql_fail(l, what, err, errlen);
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : wp_sql_fail(l, what, err, errlen);
	sqlite3_finalize(st);
	return rc;
}

static int sq_put_meta(struct wp_ledger *l, const char *key, const char *value, char *err,
		       size_t errlen)
{
	return sq_insert_pair(l, "INSERT INTO meta VALUES(?1, ?2)", key, value,
			      "cannot write the meta table", err, errlen);
}

static int sq_put_signer(struct wp_ledger *l, const char *fpr, const char *pem, char *err,
			 size_t errlen)
{
	return sq_insert_pair(l, "INSERT OR IGNORE INTO signers VALUES(?1, ?2)", fpr, pem,
			      "cannot store a certificate", err, errlen);
}

static void bind_actor(sqlite3_stmt *st, int first, const struct wp_actor *a, bool present)
{
	const char *v[] = { a->name, a->title, a->role, a->fingerprint };
	for (int i = 0; i < 4; i++)
		if (present)
			sqlite3_bind_text(st, first + i, v[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, first + i);
}

static int sq_put_event(struct wp_ledger *l, const struct wp_event *ev, const char *body_text,
			const char *sig, const char *wsig, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, "INSERT INTO events(" WP_ROW_COLUMNS ") VALUES(?1, ?2, ?3, "
			       "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
			       -1, &st, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot append", err, errlen);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)ev->seq);
	sqlite3_bind_text(st, 2, ev->time, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ev->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ev->asset, -1, SQLITE_STATIC);
	bind_actor(st, 5, &ev->actor, true);
	bind_actor(st, 9, &ev->witness, ev->witnessed);
	sqlite3_bind_text(st, 13, body_text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, ev->prev_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, ev->hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, sig, -1, SQLITE_STATIC);
	if (wsig)
		sqlite3_bind_text(st, 17, wsig, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 17);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : wp_sql_fail(l, "cannot append", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

/* Damage below the rows (b-tree pages, free lists) that the hash chain
 * cannot see; SQLite's own check finds it. Not an event, so bad_seq stays 0. */
static int sq_check_store(struct wp_ledger *l, char *why, size_t whylen, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, "PRAGMA integrity_check(1)", -1, &st, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot check the database file", err, errlen);
	int step = sqlite3_step(st);
	const char *answer = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	int rc = 0;
	if (answer && strcmp(answer, "ok") != 0) {
		snprintf(why, whylen, _("the database file is damaged (SQLite integrity_check: %.300s); "
			 "restore the ledger from a backup"), answer);
		rc = WP_CUSTODY_BROKEN;
	} else if (!answer) {
		rc = wp_sql_fail(l, "cannot check the database file", err, errlen);
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_chains(struct wp_ledger *l, wp_pair_fn fn, void *ctx, char *err, size_t errlen)
{
	(void)l;
	(void)err;
	(void)errlen;
	return fn("", 0, "", 0, ctx);
}

const struct wp_store_ops wp_sqlite_ops = {
	.name = "sqlite",
	.begin = sq_begin,
	.end = sq_end,
	.commit = sq_commit,
	.rows = sq_rows,
	.head = sq_head,
	.text = sq_text,
	.intakes = sq_intakes,
	.signers = sq_signers,
	.put_meta = sq_put_meta,
	.put_signer = sq_put_signer,
	.put_event = sq_put_event,
	.check_store = sq_check_store,
	.chains = sq_chains,
	.close = NULL,
};

/* ---- reading (through the interface) --------------------------------------- */

int wp_ledger_reopen(const struct wp_ledger *l, struct wp_ledger **out, char *err, size_t errlen)
{
	int rc = l->readonly ? wp_ledger_open_readonly(l->path, out, err, errlen)
			     : wp_ledger_open(l->path, out, err, errlen);
	if (rc == 0) {
		if (l->ca)
			wp_ledger_set_ca(*out, l->ca, err, errlen);
		wp_ledger_set_crl(*out, l->crl);
		snprintf((*out)->chain, sizeof((*out)->chain), "%s", l->chain);
	}
	return rc;
}

int wp_custody_ledger_id(struct wp_ledger *ledger, char id[WP_LEDGER_ID_HEX], char *err,
			 size_t errlen)
{
	char *text = NULL;
	id[0] = '\0';
	if (ledger->ops->text(ledger, WP_Q_FIRST_BODY, NULL, &text, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	json_t *body = text ? json_loads(text, 0, NULL) : NULL;
	const char *v = json_string_value(json_object_get(body, WP_LEDGER_ID_KEY));
	if (wp_ledger_id_valid(v))
		snprintf(id, WP_LEDGER_ID_HEX, "%s", v);
	json_decref(body);
	free(text);
	return 0;
}

int wp_custody_head(struct wp_ledger *ledger, uint64_t *seq, char hash_hex[WP_HASH_HEX],
		    char *err, size_t errlen)
{
	char t[WP_TIME_MAX];
	return ledger->ops->head(ledger, seq, hash_hex, t, err, errlen);
}

static int replay_one(const struct wp_row *row, void *ctx)
{
	wp_state_apply(ctx, &row->ev);
	return 0;
}

int wp_state_load(struct wp_ledger *ledger, const char *asset, struct wp_asset_state *out,
		  char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->asset, sizeof(out->asset), "%s", asset);
	return ledger->ops->rows(ledger, WP_ROWS_ASSET, asset, replay_one, out, err, errlen);
}
