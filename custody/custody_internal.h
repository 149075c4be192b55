/* Shared by the files of custody/; not part of the module's API. */
#ifndef WP_CUSTODY_INTERNAL_H
#define WP_CUSTODY_INTERNAL_H

#include "custody.h"

#include <sqlite3.h>
#include <time.h>

#define WP_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct wp_ledger {
	sqlite3 *db;
	bool readonly;
	int wait_ms;                 /* busy timeout: WIPEPROOF_LEDGER_WAIT */
	X509 *ca;                    /* what reads verify against (wp_ledger_set_ca) */
	char path[4096];
	X509_CRL *crl;               /* wp_ledger_set_crl: who was revoked when */
};

/* One stored row: the event and the columns that are not part of it. */
struct wp_row {
	struct wp_event ev;          /* ev.body parsed from body_text, NULL if not JSON */
	const char *body_text;       /* valid until the statement steps again */
	const char *signature;
	const char *witness_signature; /* NULL when the column is NULL */
	const char *bad_column;      /* a column too long or of the wrong type */
};

#define WP_ROW_COLUMNS "seq, time, kind, asset, actor_name, actor_title, actor_role, " \
	"actor_fingerprint, witness_name, witness_title, witness_role, witness_fingerprint, " \
	"body, prev_hash, hash, signature, witness_signature"

/* Fill row from a statement selecting WP_ROW_COLUMNS. Free row->ev.body. */
void wp_row_read(sqlite3_stmt *stmt, struct wp_row *row);

int wp_sql_fail(struct wp_ledger *l, const char *what, char *err, size_t errlen);
/* BEGIN (deferred, for reading) or BEGIN IMMEDIATE (to append). */
int wp_ledger_begin(struct wp_ledger *l, bool immediate, char *err, size_t errlen);
void wp_ledger_end(struct wp_ledger *l, bool commit);
/* COMMIT, or ROLLBACK with the reason in err. */
int wp_ledger_commit(struct wp_ledger *l, char *err, size_t errlen);

/* The jobs table (jobs.c), created by every read-write open: ledgers from
 * before it get it on their next append. */
int wp_jobs_schema(struct wp_ledger *l, char *err, size_t errlen);
extern const char wp_jobs_schema_sql[];

/* Raw reads for the append transaction only (append.c): rows as stored,
 * unverified — everything shown to a person goes through the verified
 * pass (verify.c) instead. */

/* Without a transaction of their own: the caller holds one. */
int wp_rows_each(struct wp_ledger *ledger, const char *asset, wp_event_fn fn, void *ctx,
		 char *err, size_t errlen);
int wp_state_load(struct wp_ledger *ledger, const char *asset, struct wp_asset_state *out,
		  char *err, size_t errlen);
/* The asset's state and the policy from one verified pass against the
 * handle's CA (verify.c). */
int wp_verified_state(struct wp_ledger *ledger, const char *asset, struct wp_asset_state *out,
		      json_t **policy, char *err, size_t errlen);
/* Cross-check the rows of ASSET and the policy rows (as an append reads
 * them) like the verifier: types, link to the row before, hash, signatures
 * against ca. WP_CUSTODY_BROKEN with the bad seq in err. */
int wp_rows_cross_check(struct wp_ledger *l, X509 *ca, const char *asset, char *err,
			size_t errlen);
/* The policy in force now: approval required unless the last policy event
 * says otherwise. */
int wp_policy_load(struct wp_ledger *ledger, json_t **policy, char *err, size_t errlen);

/* Rules: rules.c. st is the asset's state before ev. */
int wp_rule_check(const struct wp_asset_state *st, const json_t *policy,
		  const struct wp_event *ev, char *err, size_t errlen);
void wp_state_apply(struct wp_asset_state *st, const struct wp_event *ev);
/* An intake ev of a serial another asset (holder, its state now) already
 * holds: refused while holder is not released (R15: one disk, one tag). */
int wp_rule_check_serial_free(const struct wp_asset_state *holder, const struct wp_event *ev,
			      char *err, size_t errlen);
/* approval_required from a policy event's body (true when absent). */
bool wp_policy_approval(const struct wp_event *ev);

/* Asset states by tag, for replaying the whole ledger (assets.c). */
struct wp_asset_map {
	struct wp_asset_state **slots;
	size_t cap, used;
};
/* The state for tag, created empty on first use; NULL when out of memory. */
struct wp_asset_state *wp_asset_map_get(struct wp_asset_map *m, const char *tag);
void wp_asset_map_free(struct wp_asset_map *m);

/* The member of the first event's body that holds the ledger id. */
#define WP_LEDGER_ID_KEY "ledger_id"
bool wp_ledger_id_valid(const char *id);

/* Time: "YYYY-MM-DDTHH:MM:SSZ". */
void wp_utc_format(time_t t, char *buf, size_t len);
int wp_utc_parse(const char *text, time_t *out);

#endif
