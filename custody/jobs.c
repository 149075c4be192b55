/*
 * The jobs table: where each overwrite stands, for `wipeproof resume`.
 * Mutable state beside the chain, never part of it (custody.h says why).
 * Each statement runs in its own transaction; with synchronous=FULL a
 * returned checkpoint is on stable storage.
 */
#include "custody_internal.h"
#include "wpi18n.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

const char wp_jobs_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS jobs("
	" job_id TEXT PRIMARY KEY, asset TEXT NOT NULL, device TEXT NOT NULL,"
	" serial TEXT NOT NULL, model TEXT NOT NULL, size_bytes INTEGER NOT NULL,"
	" sector_size INTEGER NOT NULL, method TEXT NOT NULL, verify_mode TEXT NOT NULL,"
	" passes INTEGER NOT NULL, pass INTEGER NOT NULL, offset INTEGER NOT NULL,"
	" keys TEXT NOT NULL, state TEXT NOT NULL, owner_pid INTEGER NOT NULL,"
	" started TEXT NOT NULL, updated TEXT NOT NULL, report TEXT NOT NULL,"
	" interruptions TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS jobs_asset ON jobs(asset, state);";

#define JOB_COLUMNS "job_id, asset, device, serial, model, size_bytes, sector_size, method," \
	" verify_mode, passes, pass, offset, keys, state, owner_pid, started, updated, report," \
	" interruptions"

int wp_jobs_schema(struct wp_ledger *l, char *err, size_t errlen)
{
	if (sqlite3_exec(l->db, wp_jobs_schema_sql, NULL, NULL, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot create the jobs table", err, errlen);
	return 0;
}

static void now_utc(char out[WP_TIME_MAX])
{
	wp_utc_format(time(NULL), out, WP_TIME_MAX);
}

static int prepare(struct wp_ledger *l, const char *sql, sqlite3_stmt **st, const char *what,
		   char *err, size_t errlen)
{
	if (sqlite3_prepare_v2(l->db, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	return wp_sql_fail(l, what, err, errlen);
}

/* Step a statement that returns no rows, finalize it. */
static int run(struct wp_ledger *l, sqlite3_stmt *st, const char *what, char *err, size_t errlen)
{
	int step = sqlite3_step(st);
	int rc = step == SQLITE_DONE ? 0 : wp_sql_fail(l, what, err, errlen);
	sqlite3_finalize(st);
	return rc;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static int insert(struct wp_ledger *l, const struct wp_ledger_job *j, const char *now,
		  char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (prepare(l, "INSERT INTO jobs(" JOB_COLUMNS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
		    " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)", &st,
		    "cannot record the job", err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	bind_text(st, 1, j->job_id);
	bind_text(st, 2, j->asset);
	bind_text(st, 3, j->device);
	bind_text(st, 4, j->serial);
	bind_text(st, 5, j->model);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)j->size_bytes);
	sqlite3_bind_int(st, 7, (int)j->sector_size);
	bind_text(st, 8, j->method);
	bind_text(st, 9, j->verify_mode);
	sqlite3_bind_int(st, 10, (int)j->passes);
	sqlite3_bind_int(st, 11, (int)j->pass);
	sqlite3_bind_int64(st, 12, (sqlite3_int64)j->offset);
	bind_text(st, 13, j->keys);
	bind_text(st, 14, WP_JOB_RUNNING);
	sqlite3_bind_int64(st, 15, j->owner_pid);
	bind_text(st, 16, j->started[0] ? j->started : now);
	bind_text(st, 17, now);
	bind_text(st, 18, j->report);
	bind_text(st, 19, j->interruptions[0] ? j->interruptions : "[]");
	return run(l, st, "cannot record the job", err, errlen);
}

static int supersede(struct wp_ledger *l, const struct wp_ledger_job *j, const char *now,
		     char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (prepare(l, "UPDATE jobs SET state = '" WP_JOB_SUPERSEDED "', updated = ?3"
		    " WHERE asset = ?1 AND job_id != ?2 AND state IN ('" WP_JOB_RUNNING "', '"
		    WP_JOB_INTERRUPTED "')", &st, "cannot supersede older jobs", err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	bind_text(st, 1, j->asset);
	bind_text(st, 2, j->job_id);
	bind_text(st, 3, now);
	return run(l, st, "cannot supersede older jobs", err, errlen);
}

int wp_ledger_job_begin(struct wp_ledger *ledger, const struct wp_ledger_job *job,
			char *err, size_t errlen)
{
	if (ledger->ops != &wp_sqlite_ops)
		return wp_pg_job_begin(ledger, job, err, errlen);
	char now[WP_TIME_MAX];
	now_utc(now);
	if (wp_ledger_begin(ledger, true, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	int rc = supersede(ledger, job, now, err, errlen);
	if (rc == 0)
		rc = insert(ledger, job, now, err, errlen);
	if (rc < 0) {
		wp_ledger_end(ledger, false);
		return rc;
	}
	return wp_ledger_commit(ledger, err, errlen);
}

/* An UPDATE that must hit exactly the one job. */
static int update_one(struct wp_ledger *l, sqlite3_stmt *st, const char *job_id,
		      const char *what, char *err, size_t errlen)
{
	int rc = run(l, st, what, err, errlen);
	if (rc == 0 && sqlite3_changes(l->db) != 1) {
		snprintf(err, errlen, _("ledger %s: %s: no job %s in the jobs table"), l->path, what,
			 job_id);
		return WP_CUSTODY_ERROR;
	}
	return rc;
}

int wp_ledger_job_checkpoint(struct wp_ledger *ledger, const char *job_id, unsigned pass,
			     uint64_t offset, const char *keys, char *err, size_t errlen)
{
	if (ledger->ops != &wp_sqlite_ops)
		return wp_pg_job_checkpoint(ledger, job_id, pass, offset, keys, err, errlen);
	char now[WP_TIME_MAX];
	sqlite3_stmt *st = NULL;
	now_utc(now);
	if (prepare(ledger, "UPDATE jobs SET pass = ?2, offset = ?3, keys = ?4, updated = ?5"
		    " WHERE job_id = ?1", &st, "cannot record a checkpoint", err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	bind_text(st, 1, job_id);
	sqlite3_bind_int(st, 2, (int)pass);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)offset);
	bind_text(st, 4, keys);
	bind_text(st, 5, now);
	return update_one(ledger, st, job_id, "cannot record a checkpoint", err, errlen);
}

int wp_ledger_job_set_state(struct wp_ledger *ledger, const char *job_id, const char *state,
			    long owner_pid, const char *interruptions, char *err, size_t errlen)
{
	if (ledger->ops != &wp_sqlite_ops)
		return wp_pg_job_set_state(ledger, job_id, state, owner_pid, interruptions, err,
					   errlen);
	char now[WP_TIME_MAX];
	sqlite3_stmt *st = NULL;
	now_utc(now);
	if (prepare(ledger, "UPDATE jobs SET state = ?2, owner_pid = ?3, interruptions = ?4,"
		    " updated = ?5 WHERE job_id = ?1", &st, "cannot update the job", err,
		    errlen) < 0)
		return WP_CUSTODY_ERROR;
	bind_text(st, 1, job_id);
	bind_text(st, 2, state);
	sqlite3_bind_int64(st, 3, owner_pid);
	bind_text(st, 4, interruptions && interruptions[0] ? interruptions : "[]");
	bind_text(st, 5, now);
	return update_one(ledger, st, job_id, "cannot update the job", err, errlen);
}

static void text(sqlite3_stmt *st, int i, char *out, size_t len)
{
	const unsigned char *v = sqlite3_column_text(st, i);
	snprintf(out, len, "%s", v ? (const char *)v : "");
}

static void read_job(sqlite3_stmt *st, struct wp_ledger_job *j)
{
	memset(j, 0, sizeof(*j));
	text(st, 0, j->job_id, sizeof(j->job_id));
	text(st, 1, j->asset, sizeof(j->asset));
	text(st, 2, j->device, sizeof(j->device));
	text(st, 3, j->serial, sizeof(j->serial));
	text(st, 4, j->model, sizeof(j->model));
	j->size_bytes = (uint64_t)sqlite3_column_int64(st, 5);
	j->sector_size = (unsigned)sqlite3_column_int(st, 6);
	text(st, 7, j->method, sizeof(j->method));
	text(st, 8, j->verify_mode, sizeof(j->verify_mode));
	j->passes = (unsigned)sqlite3_column_int(st, 9);
	j->pass = (unsigned)sqlite3_column_int(st, 10);
	j->offset = (uint64_t)sqlite3_column_int64(st, 11);
	text(st, 12, j->keys, sizeof(j->keys));
	text(st, 13, j->state, sizeof(j->state));
	j->owner_pid = (long)sqlite3_column_int64(st, 14);
	text(st, 15, j->started, sizeof(j->started));
	text(st, 16, j->updated, sizeof(j->updated));
	text(st, 17, j->report, sizeof(j->report));
	text(st, 18, j->interruptions, sizeof(j->interruptions));
}

/* A ledger written before the jobs table existed, opened read-only. */
static bool no_jobs_table(struct wp_ledger *l)
{
	return strstr(sqlite3_errmsg(l->db), "no such table") != NULL;
}

int wp_ledger_job_get(struct wp_ledger *ledger, const char *job_id, struct wp_ledger_job *out,
		      char *err, size_t errlen)
{
	if (ledger->ops != &wp_sqlite_ops)
		return wp_pg_job_get(ledger, job_id, out, err, errlen);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ledger->db, "SELECT " JOB_COLUMNS " FROM jobs WHERE job_id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return no_jobs_table(ledger) ? 1 : wp_sql_fail(ledger, "cannot read jobs", err, errlen);
	bind_text(st, 1, job_id);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		read_job(st, out);
	int rc = step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? 1
			: wp_sql_fail(ledger, "cannot read jobs", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

int wp_ledger_job_each(struct wp_ledger *ledger, wp_ledger_job_fn fn, void *ctx,
		       char *err, size_t errlen)
{
	if (ledger->ops != &wp_sqlite_ops)
		return wp_pg_job_each(ledger, fn, ctx, err, errlen);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(ledger->db, "SELECT " JOB_COLUMNS " FROM jobs ORDER BY started,"
			       " rowid", -1, &st, NULL) != SQLITE_OK)
		return no_jobs_table(ledger) ? 0 : wp_sql_fail(ledger, "cannot read jobs", err, errlen);
	int rc = 0, step;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct wp_ledger_job j;
		read_job(st, &j);
		rc = fn(&j, ctx);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = wp_sql_fail(ledger, "cannot read jobs", err, errlen);
	sqlite3_finalize(st);
	return rc;
}
