/*
 * Appending an event. Everything between reading the head and inserting
 * the row runs inside one BEGIN IMMEDIATE transaction: the head, the policy
 * and the asset's state cannot change underneath the rule check, so two
 * appenders can neither fork the chain nor both pass a rule (e.g. two
 * approvals, two wipe-ends).
 */
#include "custody_internal.h"
#include "wptext.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wp_policy_load(struct wp_ledger *ledger, json_t **policy, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	*policy = NULL;
	if (sqlite3_prepare_v2(ledger->db, "SELECT body FROM events WHERE kind = 'policy' "
			       "ORDER BY seq DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return wp_sql_fail(ledger, "cannot read the policy", err, errlen);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*policy = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return wp_sql_fail(ledger, "cannot read the policy", err, errlen);
	return 0;
}

static void fill_actor(struct wp_actor *a, const struct wp_identity *id)
{
	const struct wp_person *p = wp_identity_person(id);
	snprintf(a->name, sizeof(a->name), "%s", p->name);
	snprintf(a->title, sizeof(a->title), "%s", p->title);
	snprintf(a->role, sizeof(a->role), "%s", wp_role_name(p->role));
	snprintf(a->fingerprint, sizeof(a->fingerprint), "%s", p->fingerprint);
	snprintf(a->id, sizeof(a->id), "%s", p->id);
}

/* The person id of a signer already in the ledger (from their stored
 * certificate); "" when there is none. The rules compare people by it. */
static void signer_id(struct wp_ledger *l, struct wp_actor *a)
{
	sqlite3_stmt *st = NULL;
	char why[300];
	a->id[0] = '\0';
	if (!a->fingerprint[0] || sqlite3_prepare_v2(l->db, "SELECT certificate FROM signers WHERE "
						     "fingerprint = ?1", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, a->fingerprint, -1, SQLITE_STATIC);
	X509 *cert = NULL;
	struct wp_person p;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
	    wp_cert_from_pem((const char *)sqlite3_column_text(st, 0), &cert, why, sizeof(why)) == 0 &&
	    wp_cert_person(cert, &p, why, sizeof(why)) == 0)
		snprintf(a->id, sizeof(a->id), "%s", p.id);
	X509_free(cert);
	sqlite3_finalize(st);
}

/* One ledger, one CA: the first appender's CA is remembered, and a person
 * from another key store is refused now rather than found by verify later. */
static int pin_ca(struct wp_ledger *l, const struct wp_identity *id, char *err, size_t errlen)
{
	char fpr[WP_FPR_HEX], pinned[WP_FPR_HEX] = "";
	sqlite3_stmt *st = NULL;
	wp_cert_fingerprint(wp_identity_ca(id), fpr);
	if (sqlite3_prepare_v2(l->db, "SELECT value FROM meta WHERE key = 'ca_fingerprint'", -1,
			       &st, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot read the CA fingerprint", err, errlen);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(pinned, sizeof(pinned), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (pinned[0] && strcmp(pinned, fpr) != 0) {
		snprintf(err, errlen, "ledger %s is kept under CA %.16s, but the certificate of %s "
			 "comes from CA %.16s; use this ledger's key store (--keys DIR)", l->path,
			 pinned, wp_identity_person(id)->name, fpr);
		return WP_CUSTODY_REFUSED;
	}
	if (pinned[0])
		return 0;
	char sql[160];
	snprintf(sql, sizeof(sql), "INSERT INTO meta VALUES('ca_fingerprint', '%s')", fpr);
	if (sqlite3_exec(l->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot record the CA fingerprint", err, errlen);
	return 0;
}

static int store_signer(struct wp_ledger *l, const struct wp_identity *id, char *err, size_t errlen)
{
	char *pem = wp_cert_to_pem(wp_identity_cert(id));
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (!pem)
		snprintf(err, errlen, "cannot encode the certificate of %s", wp_identity_person(id)->name);
	if (!pem || sqlite3_prepare_v2(l->db, "INSERT OR IGNORE INTO signers VALUES(?1, ?2)", -1,
				       &st, NULL) != SQLITE_OK)
		rc = pem ? wp_sql_fail(l, "cannot store a certificate", err, errlen) : WP_CUSTODY_ERROR;
	if (rc == 0) {
		sqlite3_bind_text(st, 1, wp_identity_person(id)->fingerprint, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, pem, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = wp_sql_fail(l, "cannot store a certificate", err, errlen);
	}
	sqlite3_finalize(st);
	free(pem);
	return rc;
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

static int insert_event(struct wp_ledger *l, const struct wp_event *ev, const char *body_text,
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

struct signed_event {
	char *canonical;
	char *sig;
	char *wsig;
};

static void signed_event_free(struct signed_event *s)
{
	free(s->canonical);
	free(s->sig);
	free(s->wsig);
}

/* Hash and sign ev (its seq and prev_hash already set). */
static int seal(struct wp_event *ev, const struct wp_identity *actor,
		const struct wp_identity *witness, struct signed_event *out,
		char *err, size_t errlen)
{
	json_t *obj = wp_event_canonical_object(ev);
	out->canonical = obj ? wp_canonical_json(obj, err, errlen) : NULL;
	json_decref(obj);
	if (!out->canonical)
		return WP_CUSTODY_ERROR;
	wp_event_hash(ev->prev_hash, out->canonical, ev->hash);
	/* both sign the hash as text: the hash covers prev_hash and the event */
	if (wp_identity_sign_hex(actor, ev->hash, 64, &out->sig, err, errlen) < 0 ||
	    (witness && wp_identity_sign_hex(witness, ev->hash, 64, &out->wsig, err, errlen) < 0))
		return WP_CUSTODY_ERROR;
	return 0;
}

/* Events are in time order (verify.c checks it). A station whose clock
 * went backwards — or a ledger last written by a station whose clock ran
 * ahead — would record an event that verification then refuses; say so
 * now, before anything is written. */
static int check_clock(struct wp_ledger *l, const struct wp_event *ev, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char last[WP_TIME_MAX] = "";
	time_t last_at = 0, now_at = 0;
	if (sqlite3_prepare_v2(l->db, "SELECT time FROM events ORDER BY seq DESC LIMIT 1", -1, &st,
			       NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot read the last event's time", err, errlen);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
		snprintf(last, sizeof(last), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!last[0] || wp_utc_parse(last, &last_at) < 0 || wp_utc_parse(ev->time, &now_at) < 0 ||
	    now_at >= last_at)
		return 0;
	snprintf(err, errlen, "this computer's clock says %s, but the ledger's last event (seq "
		 "%llu) is dated %s: the clock went backwards (or the station that recorded that "
		 "event ran ahead); events must be in time order, so nothing was recorded — set "
		 "the clock to the correct UTC time (timedatectl, NTP) and run the command again",
		 ev->time, (unsigned long long)ev->seq - 1, last);
	return WP_CUSTODY_REFUSED;
}

/* The first event gets the ledger's random id (verify.c says why). */
static int genesis_body(struct wp_event *ev, json_t **owned, char *err, size_t errlen)
{
	unsigned char raw[(WP_LEDGER_ID_HEX - 1) / 2];
	char hex[WP_LEDGER_ID_HEX];
	*owned = NULL;
	if (ev->seq != 1)
		return 0;
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		snprintf(err, errlen, "cannot draw random bytes for the ledger id");
		return WP_CUSTODY_ERROR;
	}
	wp_hex_encode(raw, sizeof(raw), hex);
	*owned = json_deep_copy(ev->body);
	if (!*owned || wp_json_set(*owned, WP_LEDGER_ID_KEY, json_string(hex)) < 0) {
		snprintf(err, errlen, "out of memory");
		return WP_CUSTODY_ERROR;
	}
	ev->body = *owned;
	return 0;
}

/* Intake: no other asset that is not released may hold the same serial.
 * Every intake event is read; the holders' states are loaded only for a
 * serial that matches. */
static int check_serial_free(struct wp_ledger *l, const struct wp_event *ev, char *err,
			     size_t errlen)
{
	const char *serial = json_string_value(json_object_get(ev->body, "serial"));
	sqlite3_stmt *q = NULL;
	int rc = 0;
	if (strcmp(ev->kind, WP_EV_INTAKE) != 0 || !serial)
		return 0;
	if (sqlite3_prepare_v2(l->db, "SELECT asset, body FROM events WHERE kind = 'intake' "
			       "ORDER BY seq", -1, &q, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot read the intakes", err, errlen);
	int step;
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *asset = (const char *)sqlite3_column_text(q, 0);
		json_t *body = json_loads((const char *)sqlite3_column_text(q, 1), 0, NULL);
		const char *s = json_string_value(json_object_get(body, "serial"));
		struct wp_asset_state holder;
		if (asset && s && strcmp(s, serial) == 0 && strcmp(asset, ev->asset) != 0) {
			rc = wp_state_load(l, asset, &holder, err, errlen);
			if (rc == 0 && wp_rule_check_serial_free(&holder, ev, err, errlen) < 0)
				rc = WP_CUSTODY_REFUSED;
		}
		json_decref(body);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = wp_sql_fail(l, "cannot read the intakes", err, errlen);
	sqlite3_finalize(q);
	return rc;
}

static int check_and_store(struct wp_ledger *l, struct wp_event *ev,
			   const struct wp_identity *actor, const struct wp_identity *witness,
			   char *err, size_t errlen)
{
	struct wp_asset_state st;
	json_t *policy = NULL, *genesis = NULL;
	/* dated under the write lock: an appender that waited for another
	 * must not record an earlier time after it */
	wp_utc_format(time(NULL), ev->time, sizeof(ev->time));
	int rc = wp_custody_head(l, &ev->seq, ev->prev_hash, err, errlen);
	ev->seq++;
	if (rc == 0)
		rc = check_clock(l, ev, err, errlen);
	if (rc == 0)
		rc = genesis_body(ev, &genesis, err, errlen);
	if (rc == 0)
		rc = wp_policy_load(l, &policy, err, errlen);
	if (rc == 0)
		rc = check_serial_free(l, ev, err, errlen);
	/* the CA before the cross-check: a person of another CA hears "use
	 * this ledger's key store", not that the chain fails under their CA */
	if (rc == 0)
		rc = pin_ca(l, actor, err, errlen);
	if (rc == 0 && witness)
		rc = pin_ca(l, witness, err, errlen);
	if (rc == 0)
		rc = wp_state_load(l, ev->asset, &st, err, errlen);
	if (rc == 0) /* what the rules just read was signed (verify.c) */
		rc = wp_rows_cross_check(l, wp_identity_ca(actor), ev->asset, err, errlen);
	if (rc == 0) {
		signer_id(l, &st.requester);
		signer_id(l, &st.approver);
	}
	if (rc == 0 && wp_rule_check(&st, policy, ev, err, errlen) < 0)
		rc = WP_CUSTODY_REFUSED;
	json_decref(policy);
	if (rc < 0) {
		json_decref(genesis);
		return rc;
	}
	char *body_text = wp_canonical_json(ev->body, err, errlen);
	struct signed_event s = { 0 };
	rc = body_text ? seal(ev, actor, witness, &s, err, errlen) : WP_CUSTODY_ERROR;
	if (rc == 0)
		rc = store_signer(l, actor, err, errlen);
	if (rc == 0 && witness)
		rc = store_signer(l, witness, err, errlen);
	if (rc == 0)
		rc = insert_event(l, ev, body_text, s.sig, s.wsig, err, errlen);
	signed_event_free(&s);
	free(body_text);
	json_decref(genesis);
	return rc;
}

static int prepare_event(struct wp_event *ev, const struct wp_identity *actor,
			 const struct wp_identity *witness, const char *kind, const char *asset,
			 json_t *body, char *err, size_t errlen)
{
	memset(ev, 0, sizeof(*ev));
	if (!kind || strlen(kind) >= sizeof(ev->kind) || !asset || strlen(asset) >= sizeof(ev->asset)) {
		snprintf(err, errlen, "event kind or asset tag missing or too long (asset tags have "
			 "at most %zu bytes)", sizeof(ev->asset) - 1);
		return WP_CUSTODY_ERROR;
	}
	char *probe = wp_canonical_json(body, err, errlen); /* refuse reals etc. early */
	if (!probe)
		return WP_CUSTODY_ERROR;
	if (json_object_get(body, WP_LEDGER_ID_KEY)) {
		free(probe);
		snprintf(err, errlen, "'%s' is set by the ledger in its first event, not by a caller",
			 WP_LEDGER_ID_KEY);
		return WP_CUSTODY_ERROR;
	}
	free(probe);
	snprintf(ev->kind, sizeof(ev->kind), "%s", kind);
	snprintf(ev->asset, sizeof(ev->asset), "%s", asset);
	wp_utc_format(time(NULL), ev->time, sizeof(ev->time));
	fill_actor(&ev->actor, actor);
	ev->witnessed = witness != NULL;
	if (witness)
		fill_actor(&ev->witness, witness);
	ev->body = body;
	return 0;
}

int wp_custody_append_witnessed(struct wp_ledger *ledger, const struct wp_identity *actor,
				const struct wp_identity *witness, const char *kind,
				const char *asset, json_t *body, uint64_t *seq_out,
				char *hash_out, char *err, size_t errlen)
{
	struct wp_event ev;
	if (ledger->readonly) {
		snprintf(err, errlen, "ledger %s is open read-only", ledger->path);
		return WP_CUSTODY_ERROR;
	}
	int rc = prepare_event(&ev, actor, witness, kind, asset, body, err, errlen);
	if (rc < 0 || (rc = wp_ledger_begin(ledger, true, err, errlen)) < 0)
		return rc;
	rc = check_and_store(ledger, &ev, actor, witness, err, errlen);
	if (rc == 0)
		rc = wp_ledger_commit(ledger, err, errlen);
	else
		wp_ledger_end(ledger, false);
	if (rc == 0 && seq_out)
		*seq_out = ev.seq;
	if (rc == 0 && hash_out)
		snprintf(hash_out, WP_HASH_HEX, "%s", ev.hash);
	return rc;
}

int wp_custody_append(struct wp_ledger *ledger, const struct wp_identity *actor,
		      const char *kind, const char *asset, json_t *body,
		      uint64_t *seq_out, char *hash_out, char *err, size_t errlen)
{
	return wp_custody_append_witnessed(ledger, actor, NULL, kind, asset, body, seq_out,
					   hash_out, err, errlen);
}

int wp_custody_check_wipe(struct wp_ledger *ledger, const char *asset,
			  const char *disk_serial, char *err, size_t errlen)
{
	return wp_custody_check_wipe_level(ledger, asset, disk_serial, NULL, err, errlen);
}

int wp_custody_check_wipe_level(struct wp_ledger *ledger, const char *asset,
				const char *disk_serial, const char *category, char *err,
				size_t errlen)
{
	/* the same rule as the wipe-start append, for a stand-in operator */
	struct wp_event ev = { .kind = WP_EV_WIPE_START, .actor = { .role = "operator" } };
	struct wp_asset_state st;
	wp_utc_format(time(NULL), ev.time, sizeof(ev.time));
	json_t *policy = NULL;
	if (!asset || strlen(asset) >= sizeof(ev.asset) || !disk_serial) {
		snprintf(err, errlen, "asset tag missing or longer than %zu bytes", sizeof(ev.asset) - 1);
		return WP_CUSTODY_ERROR;
	}
	snprintf(ev.asset, sizeof(ev.asset), "%s", asset);
	ev.body = json_pack("{s:s, s:s}", "job_id", "check", "serial", disk_serial);
	if (ev.body && category)
		json_object_set_new(ev.body, "category", json_string(category));
	/* from the verified pass: what decides a wipe must be what verifies */
	int rc = wp_verified_state(ledger, asset, &st, &policy, err, errlen);
	if (rc == 0 && wp_rule_check(&st, policy, &ev, err, errlen) < 0)
		rc = WP_CUSTODY_REFUSED;
	json_decref(policy);
	json_decref(ev.body);
	return rc;
}
