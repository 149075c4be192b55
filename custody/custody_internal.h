/* Shared by the files of custody/; not part of the module's API. */
#ifndef WP_CUSTODY_INTERNAL_H
#define WP_CUSTODY_INTERNAL_H

#include "custody.h"
#include "wptext.h"

#include <sqlite3.h>
#include <time.h>

#define WP_ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct wp_store_ops;

struct wp_ledger {
	const struct wp_store_ops *ops; /* the backend: SQLite (ledger.c) or PostgreSQL (pg.c) */
	sqlite3 *db;                 /* SQLite: the file */
	void *pg;                    /* PostgreSQL: struct wp_pg (pg.c) */
	/* the chain this handle reads and appends: "" is the ledger's own
	 * chain (SQLite's only one, PostgreSQL's online chain); a pushed
	 * station's chain is its ledger id (pg.c) */
	char chain[WP_LEDGER_ID_HEX];
	bool readonly;
	bool in_tx;                  /* inside wp_ledger_begin .. end/commit */
	int wait_ms;                 /* busy timeout: WIPEPROOF_LEDGER_WAIT */
	X509 *ca;                    /* what reads verify against (wp_ledger_set_ca) */
	char path[4096];             /* the file, or the connection string (no password) */
	X509_CRL *crl;               /* wp_ledger_set_crl: who was revoked when */
	bool offline;                /* PostgreSQL: the connection to the server was lost */
	/* PostgreSQL: the rows this handle sealed since a station's queue last
	 * followed the server (at most WP_SEALED_KEEP; wp_queue_sync clears
	 * them), the last one possibly with its COMMIT cut off — what
	 * wp_queue_take_over puts into the queue as they are */
	struct wp_sealed_row *sealed;
	size_t n_sealed;
};

/* A row as append.c sealed it: the event (body NULL: body_text holds it),
 * its signatures and its signers' certificates. */
struct wp_sealed_row {
	struct wp_event ev;
	char *body_text, *sig, *wsig;
	char *actor_pem, *witness_pem; /* witness_pem NULL: no witness */
	bool unsure;                 /* its COMMIT was cut off: on the server or not */
};
#define WP_SEALED_KEEP 64
void wp_sealed_row_free(struct wp_sealed_row *r);
/* Forget the handle's sealed rows (the queue holds them now, or they are
 * of no use). */
void wp_ledger_forget_sealed(struct wp_ledger *l);

/* A growable text, reused from event to event. */
struct wp_text_buf {
	char *text;
	size_t len, cap;
};
/* The event's canonical text (what wp_event_canonical_object and
 * wp_canonical_json make) around BODY_CANONICAL, the body's text already
 * known to be canonical, written into b without building the object; -1
 * when a member needs the reference path (a control character, ill-formed
 * UTF-8) or out of memory: then that path decides. canon.c. */
int wp_event_text(const struct wp_event *ev, const char *body_canonical, struct wp_text_buf *b);
/* N in decimal, as "%lld" writes it, at the end of BUF (returned): a row's
 * seq on every read and in every event's text, without a formatting. */
#define WP_DECIMAL_MAX 24
const char *wp_decimal(long long n, char buf[WP_DECIMAL_MAX]);
/* wp_event_hash with the caller's context, for LEN bytes of CANONICAL. */
void wp_event_hash_in(EVP_MD_CTX *ctx, const char *prev_hash_hex, const char *canonical,
		      size_t len, char out[WP_HASH_HEX]);

/* One stored row: the event and the columns that are not part of it. */
struct wp_row {
	struct wp_event ev;          /* ev.body parsed from body_text, NULL if not JSON */
	const char *body_text;       /* valid until the backend reads the next row */
	const char *signature;
	const char *witness_signature; /* NULL when the column is NULL */
	const char *bad_column;      /* a column too long or of the wrong type */
	const char *prev_row_hash;   /* WP_ROWS_ASSET_POLICY: hash of the row seq - 1 */
};

#define WP_ROW_COLUMNS "seq, time, kind, asset, actor_name, actor_title, actor_role, " \
	"actor_fingerprint, witness_name, witness_title, witness_role, witness_fingerprint, " \
	"body, prev_hash, hash, signature, witness_signature"
#define WP_ROW_NCOLS 17

/* One stored value as a backend hands it over: bytes, length, NULL, and
 * whether it has the storage type its column declares. */
struct wp_cell {
	const char *v;
	int n;
	bool null;
	bool typed;                  /* TEXT (INTEGER for seq) */
};
/* Fill row from the WP_ROW_COLUMNS cells (the checks of README step 0 are
 * here, so both backends read rows alike). Free row->ev.body. */
void wp_row_fill(const struct wp_cell cells[WP_ROW_NCOLS], struct wp_row *row);

/* ---- the storage interface ------------------------------------------------
 * Everything custody/ asks of its store. The chain, the canonical form, the
 * signatures and the rules are above it and the same for every backend;
 * a backend only keeps rows. Reads and writes run inside the caller's
 * transaction (begin/end), and read the handle's chain (l->chain). */
enum wp_rows_sel {
	WP_ROWS_ALL,                 /* every event of the chain */
	WP_ROWS_ASSET,               /* the asset's */
	WP_ROWS_ASSET_POLICY,        /* the asset's and the policy events, with prev_row_hash */
	WP_ROWS_FROM,                /* from the seq the asset argument holds as decimal text on
				      * (a station's queue catching up: segment.c) */
};
enum wp_text_q {
	WP_Q_FIRST_BODY,             /* body of seq 1 */
	WP_Q_POLICY_BODY,            /* body of the last policy event */
	WP_Q_META,                   /* meta value of key */
	WP_Q_SIGNER,                 /* certificate PEM of fingerprint key */
	WP_Q_STATION_HEAD,           /* the signed head last pushed for chain key (none in SQLite) */
};
typedef int (*wp_row_fn)(const struct wp_row *row, void *ctx);
typedef int (*wp_pair_fn)(const char *a, size_t alen, const char *b, size_t blen, void *ctx);

struct wp_store_ops {
	const char *name;
	/* write: the append lock (SQLite BEGIN IMMEDIATE; PostgreSQL an
	 * advisory transaction lock on the chain's head) */
	int (*begin)(struct wp_ledger *l, bool write, char *err, size_t errlen);
	void (*end)(struct wp_ledger *l, bool commit);
	int (*commit)(struct wp_ledger *l, char *err, size_t errlen);
	/* rows of the chain in seq order, streamed */
	int (*rows)(struct wp_ledger *l, enum wp_rows_sel sel, const char *asset, wp_row_fn fn,
		    void *ctx, char *err, size_t errlen);
	/* the last event: seq (0 when empty), hash, time ("" when empty) */
	int (*head)(struct wp_ledger *l, uint64_t *seq, char hash[WP_HASH_HEX],
		    char time[WP_TIME_MAX], char *err, size_t errlen);
	/* one text value (malloc'd, NULL when there is none) */
	int (*text)(struct wp_ledger *l, enum wp_text_q q, const char *key, char **out,
		    char *err, size_t errlen);
	/* (asset, body) of every intake of the chain */
	int (*intakes)(struct wp_ledger *l, wp_pair_fn fn, void *ctx, char *err, size_t errlen);
	/* (fingerprint, certificate) of every signer */
	int (*signers)(struct wp_ledger *l, wp_pair_fn fn, void *ctx, char *err, size_t errlen);
	int (*put_meta)(struct wp_ledger *l, const char *key, const char *value, char *err,
			size_t errlen);
	int (*put_signer)(struct wp_ledger *l, const char *fpr, const char *pem, char *err,
			  size_t errlen);
	int (*put_event)(struct wp_ledger *l, const struct wp_event *ev, const char *body_text,
			 const char *sig, const char *wsig, char *err, size_t errlen);
	/* damage below the rows (SQLite integrity_check); 0 or WP_CUSTODY_BROKEN with why */
	int (*check_store)(struct wp_ledger *l, char *why, size_t whylen, char *err, size_t errlen);
	/* every chain's key ("" first when there is one) */
	int (*chains)(struct wp_ledger *l, wp_pair_fn fn, void *ctx, char *err, size_t errlen);
	/* (chain, station name) of every pushed chain; NULL: none */
	int (*chain_names)(struct wp_ledger *l, wp_pair_fn fn, void *ctx, char *err, size_t errlen);
	void (*close)(struct wp_ledger *l);
};

extern const struct wp_store_ops wp_sqlite_ops;
/* pg.c */
extern const struct wp_store_ops wp_pg_ops;
int wp_pg_open(struct wp_ledger *l, bool readonly, char *err, size_t errlen);
/* A signed head (head.c) of the event SEQ with HASH, not the head now. */
int wp_head_sign_at(struct wp_ledger *ledger, const struct wp_identity *id, uint64_t seq,
		    const char *hash, char **text, char *err, size_t errlen);
/* A pushed station chain as the central ledger last accepted it (pg.c). */
struct wp_chain_info {
	bool known;
	char station[WP_NAME_MAX], station_fingerprint[WP_FPR_HEX], station_id[WP_ID_MAX];
	uint64_t head_seq;
	char head_hash[WP_HASH_HEX];
};
int wp_pg_chain_get(struct wp_ledger *l, const char *chain, struct wp_chain_info *out,
		    char *err, size_t errlen);
int wp_pg_chain_put(struct wp_ledger *l, const char *chain, const struct wp_chain_info *in,
		    const char *signed_head, char *err, size_t errlen);
/* Another chain the same station (by its key's person id) pushed before,
 * other than EXCEPT: "" in CHAIN when there is none. */
int wp_pg_chain_of_station(struct wp_ledger *l, const char *station_id, const char *except,
			   char *chain, size_t chainlen, uint64_t *head_seq, char *err,
			   size_t errlen);
/* The jobs table on PostgreSQL (pg.c), as jobs.c's functions. */
int wp_pg_job_begin(struct wp_ledger *l, const struct wp_ledger_job *j, char *err, size_t errlen);
int wp_pg_job_checkpoint(struct wp_ledger *l, const char *job_id, unsigned pass, uint64_t offset,
			 const char *keys, char *err, size_t errlen);
int wp_pg_job_set_state(struct wp_ledger *l, const char *job_id, const char *state,
			long owner_pid, const char *interruptions, char *err, size_t errlen);
int wp_pg_job_get(struct wp_ledger *l, const char *job_id, struct wp_ledger_job *out, char *err,
		  size_t errlen);
int wp_pg_job_each(struct wp_ledger *l, wp_ledger_job_fn fn, void *ctx, char *err, size_t errlen);
/* The same database again (a second connection, for a verifier thread). */
int wp_ledger_reopen(const struct wp_ledger *l, struct wp_ledger **out, char *err,
		     size_t errlen);

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

/* Asset states by tag, for replaying the whole ledger (assets.c), each
 * kept packed: load unpacks one into a full struct, store packs it back. */
struct packed;
struct wp_asset_map {
	struct packed **slots;
	size_t cap, used;
};
/* The state of tag into *out (an asset not stored yet: the empty state
 * with its tag); -1 when out of memory. */
int wp_asset_map_load(struct wp_asset_map *m, const char *tag, struct wp_asset_state *out);
/* Keep *st as tag's state; -1 when out of memory. */
int wp_asset_map_store(struct wp_asset_map *m, const char *tag, const struct wp_asset_state *st);
/* What the map holds in memory (its table and packed states), for bench/. */
size_t wp_asset_map_bytes(const struct wp_asset_map *m);
void wp_asset_map_free(struct wp_asset_map *m);

/* Signature threads per chain for the verifications that follow (verify.c):
 * -1 (the default) sized to the cores, 0 none (each signature checked in
 * turn on the chain's thread, the pre-issue-18 way), n that many. For the
 * tests that compare both, and bench/. */
void wp_custody_verify_threads(int n);

/* The member of the first event's body that holds the ledger id. */
#define WP_LEDGER_ID_KEY "ledger_id"
bool wp_ledger_id_valid(const char *id);

#endif
