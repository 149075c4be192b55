/*
 * Verifying the ledger: one pass in seq order, stopping at the first event
 * that is wrong, so the message can name it. Needs only the ledger and the
 * CA certificate — no private key, no root.
 *
 * Per event, in this order (README.md, Verification): seq is the next
 * number; prev_hash is the previous event's hash; the body is canonical; the
 * hash recomputes; the signer's certificate (from the signers table, found
 * by the fingerprint inside the hashed event) has that fingerprint, names
 * the same person, title and role, chains to the CA at the event's time and
 * verifies the signature; the same for a witness; the rules held.
 *
 * The same pass feeds every reader (wp_custody_replay): what `custody
 * show`, `log`, `export` and `cert verify --ledger` print is what this pass
 * checked, never the answer of a second query that could see other rows.
 */
#include "custody_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct signer {
	char fingerprint[WP_FPR_HEX];
	X509 *cert;                /* NULL when the stored PEM is unusable */
	struct wp_person person;
	char problem[200];
};

struct verifier {
	X509 *ca;
	X509_CRL *crl;             /* NULL: no revocation list */
	struct signer *signers;
	size_t n_signers;
	struct wp_asset_map assets;
	bool approval_required;
	json_t *policy;            /* the last policy event's body (issue 17 table); NULL: none */
	uint64_t expect;
	char prev[WP_HASH_HEX];
	uint64_t anchor_seq;       /* 0: no anchor */
	char anchor_hash[WP_HASH_HEX];
	struct wp_custody_report *rep;
	time_t prev_at, now;       /* the previous event's time; the verifier's clock */
	const char *asset;         /* the events fn is called for; NULL: all */
	wp_verified_fn fn;
	void *ctx;
};

/* ---- signers ------------------------------------------------------------ */

/* The stored PEM must be exactly what append.c wrote (wp_cert_to_pem of
 * the certificate): a PEM reader skips text around the block and tolerates
 * other line breaks, so without this a changed signers row could still
 * verify. */
static bool pem_is_exact(X509 *cert, const char *pem, size_t len)
{
	char *again = wp_cert_to_pem(cert);
	bool same = again && strlen(again) == len && memcmp(again, pem, len) == 0;
	free(again);
	return same;
}

static void signer_load(struct signer *s, const char *fpr, const char *pem, size_t pemlen)
{
	char why[300];
	snprintf(s->fingerprint, sizeof(s->fingerprint), "%s", fpr ? fpr : "");
	if (!pem || strlen(pem) != pemlen || wp_cert_from_pem(pem, &s->cert, why, sizeof(why)) < 0) {
		snprintf(s->problem, sizeof(s->problem), "its stored certificate is unreadable");
		return;
	}
	if (!pem_is_exact(s->cert, pem, pemlen)) {
		snprintf(s->problem, sizeof(s->problem), "its stored certificate is not in the form "
			 "the ledger writes (the signers table was changed)");
		return;
	}
	if (wp_cert_person(s->cert, &s->person, why, sizeof(why)) < 0)
		snprintf(s->problem, sizeof(s->problem), "its stored certificate: %.150s", why);
	else if (strcmp(s->person.fingerprint, s->fingerprint) != 0)
		snprintf(s->problem, sizeof(s->problem), "the certificate stored under it has "
			 "fingerprint %.16s (the signers table was changed)", s->person.fingerprint);
}

static int signers_load(struct wp_ledger *l, struct verifier *v, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, "SELECT fingerprint, certificate FROM signers", -1, &st,
			       NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot read the signers", err, errlen);
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (v->n_signers == cap) {
			cap = cap ? 2 * cap : 16;
			struct signer *grown = realloc(v->signers, cap * sizeof(*grown));
			if (!grown)
				break;
			v->signers = grown;
		}
		struct signer *s = &v->signers[v->n_signers++];
		memset(s, 0, sizeof(*s));
		const char *fpr = (const char *)sqlite3_column_text(st, 0);
		const char *pem = (const char *)sqlite3_column_text(st, 1);
		signer_load(s, fpr && strlen(fpr) == (size_t)sqlite3_column_bytes(st, 0) ? fpr : "",
			    pem, (size_t)sqlite3_column_bytes(st, 1));
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return wp_sql_fail(l, "cannot read the signers", err, errlen);
	return 0;
}

static const struct signer *signer_find(const struct verifier *v, const char *fpr)
{
	for (size_t i = 0; i < v->n_signers; i++)
		if (strcmp(v->signers[i].fingerprint, fpr) == 0)
			return &v->signers[i];
	return NULL;
}

/* ---- one event ------------------------------------------------------------ */

#define BAD(...) (snprintf(why, whylen, __VA_ARGS__), -1)

static int check_signature(const struct verifier *v, const struct wp_event *ev,
			   const struct wp_actor *who, const char *sig, const char *what,
			   char *why, size_t whylen)
{
	char msg[300];
	const struct signer *s = signer_find(v, who->fingerprint);
	time_t at = 0;
	if (!s)
		return BAD("%s certificate %.16s is not in the ledger's signers table", what,
			   who->fingerprint);
	if (s->problem[0])
		return BAD("%s certificate %.16s: %s", what, who->fingerprint, s->problem);
	if (strcmp(s->person.name, who->name) != 0 || strcmp(s->person.title, who->title) != 0 ||
	    strcmp(wp_role_name(s->person.role), who->role) != 0)
		return BAD("%s name, title or role differ from the certificate (%s, %s, %s)", what,
			   s->person.name, s->person.title, wp_role_name(s->person.role));
	if (wp_utc_parse(ev->time, &at) < 0)
		return BAD("time '%s' is not YYYY-MM-DDTHH:MM:SSZ", ev->time);
	if (wp_cert_check(s->cert, v->ca, at, msg, sizeof(msg)) < 0)
		return BAD("%s (%s) at the event's time: %s", what, who->name, msg);
	if (wp_crl_check(v->crl, &s->person, at, msg, sizeof(msg)) < 0)
		return BAD("%s: %s", what, msg);
	if (!sig)
		return BAD("%s signature is missing", what);
	if (wp_sig_verify(s->cert, ev->hash, strlen(ev->hash), sig, msg, sizeof(msg)) < 0)
		return BAD("%s (%s): %s", what, who->name, msg);
	return 0;
}

static int check_chain(const struct verifier *v, const struct wp_row *row, char *why, size_t whylen)
{
	const struct wp_event *ev = &row->ev;
	if (strcmp(ev->prev_hash, v->prev) != 0)
		return BAD("prev_hash does not equal the hash of the event before it");
	if (!ev->body)
		return BAD("body is not valid JSON");
	char msg[300];
	char *canon = wp_canonical_json(ev->body, msg, sizeof(msg));
	bool had = canon != NULL, same = had && strcmp(canon, row->body_text) == 0;
	free(canon);
	if (!same)
		return BAD("body is not in canonical form (%s)", had ? "re-serialised differently" : msg);
	json_t *obj = wp_event_canonical_object(ev);
	char *text = obj ? wp_canonical_json(obj, msg, sizeof(msg)) : NULL;
	char hash[WP_HASH_HEX];
	json_decref(obj);
	if (!text)
		return BAD("event cannot be serialised: %s", msg);
	wp_event_hash(ev->prev_hash, text, hash);
	free(text);
	if (strcmp(hash, ev->hash) != 0)
		return BAD("hash does not match the event's content: a column of this row was changed");
	return 0;
}

/* Events are appended in time order (append.c refuses a clock that went
 * backwards), so an event older than the one before it was back-dated —
 * e.g. an approval made to look as if it came before its request — and
 * one far ahead of this computer's clock was dated by a wrong clock. */
static int check_time(struct verifier *v, const struct wp_event *ev, char *why, size_t whylen)
{
	time_t at = 0;
	char now[WP_TIME_MAX];
	if (wp_utc_parse(ev->time, &at) < 0)
		return BAD("time '%s' is not YYYY-MM-DDTHH:MM:SSZ", ev->time);
	if (ev->seq > 1 && at < v->prev_at)
		return BAD("its time %s is before the time of the event before it (seq %llu): "
			   "events are recorded in time order, so this one was back-dated or its "
			   "station's clock went backwards", ev->time, (unsigned long long)ev->seq - 1);
	if (at > v->now + WP_CLOCK_AHEAD_MAX) {
		wp_utc_format(v->now, now, sizeof(now));
		return BAD("its time %s is more than %d hours ahead of this computer's clock (%s): "
			   "it was dated by a wrong clock, or this computer's clock is wrong",
			   ev->time, WP_CLOCK_AHEAD_MAX / 3600, now);
	}
	v->prev_at = at;
	return 0;
}

/* The first event carries the ledger's random id, so two ledgers never
 * share a first hash and no event can be moved from one to the other. A
 * ledger from before ids has none: it stays readable (its events are
 * still signed and chained; only a transplant between two such ledgers
 * begun in the same second by the same person would pass). */
static void note_ledger_id(struct verifier *v, const struct wp_event *ev)
{
	const char *id = json_string_value(json_object_get(ev->body, WP_LEDGER_ID_KEY));
	if (ev->seq == 1 && wp_ledger_id_valid(id))
		snprintf(v->rep->ledger_id, sizeof(v->rep->ledger_id), "%s", id);
}

static int check_event(struct verifier *v, const struct wp_row *row, char *why, size_t whylen)
{
	const struct wp_event *ev = &row->ev;
	if (row->bad_column)
		return BAD("column %s is too long, not of its declared type (text), or holds a NUL "
			   "byte", row->bad_column);
	if (check_chain(v, row, why, whylen) < 0 || check_time(v, ev, why, whylen) < 0 ||
	    check_signature(v, ev, &ev->actor, row->signature, "signer", why, whylen) < 0)
		return -1;
	if (ev->witnessed &&
	    check_signature(v, ev, &ev->witness, row->witness_signature, "witness", why, whylen) < 0)
		return -1;
	if (!ev->witnessed && row->witness_signature)
		return BAD("a witness signature without a witness");
	struct wp_asset_state *st = wp_asset_map_get(&v->assets, ev->asset);
	char msg[600];
	if (!st)
		return BAD("out of memory");
	/* the rules compare people by the id in their certificates */
	struct wp_event who = *ev;
	const struct signer *s = signer_find(v, ev->actor.fingerprint);
	snprintf(who.actor.id, sizeof(who.actor.id), "%s", s ? s->person.id : "");
	s = ev->witnessed ? signer_find(v, ev->witness.fingerprint) : NULL;
	snprintf(who.witness.id, sizeof(who.witness.id), "%s", s ? s->person.id : "");
	if (wp_rule_check(st, v->policy, &who, msg, sizeof(msg)) < 0)
		return BAD("breaks a rule: %s", msg);
	wp_state_apply(st, &who);
	if (strcmp(ev->kind, WP_EV_POLICY) == 0) {
		v->approval_required = wp_policy_approval(ev);
		json_decref(v->policy);
		v->policy = json_incref(ev->body);
	}
	if (v->anchor_seq == ev->seq && strcmp(v->anchor_hash, ev->hash) != 0)
		return BAD("its hash %.16s… differs from the anchor's %.16s…", ev->hash, v->anchor_hash);
	note_ledger_id(v, ev);
	return 0;
}

static int on_row(struct verifier *v, const struct wp_row *row)
{
	struct wp_custody_report *rep = v->rep;
	if (row->ev.seq != v->expect) {
		rep->bad_seq = v->expect;
		snprintf(rep->why, sizeof(rep->why), "missing: the next stored event is seq %lld "
			 "(events were deleted or renumbered)", (long long)row->ev.seq);
		return WP_CUSTODY_BROKEN;
	}
	if (check_event(v, row, rep->why, sizeof(rep->why)) < 0) {
		rep->bad_seq = row->ev.seq;
		return WP_CUSTODY_BROKEN;
	}
	rep->events++;
	rep->head_seq = row->ev.seq;
	snprintf(rep->head_hash, sizeof(rep->head_hash), "%s", row->ev.hash);
	snprintf(v->prev, sizeof(v->prev), "%s", row->ev.hash);
	v->expect++;
	if (v->fn && (!v->asset || strcmp(v->asset, row->ev.asset) == 0))
		return v->fn(&row->ev, wp_asset_map_get(&v->assets, row->ev.asset), v->ctx);
	return 0;
}

/* wp_rows_each hands out events; verification needs the whole row. */
static int walk(struct wp_ledger *l, struct verifier *v, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, "SELECT " WP_ROW_COLUMNS " FROM events ORDER BY seq", -1,
			       &st, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot read events", err, errlen);
	int rc = 0, step = SQLITE_DONE;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct wp_row row;
		wp_row_read(st, &row);
		rc = on_row(v, &row);
		json_decref(row.ev.body);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = wp_sql_fail(l, "cannot read events", err, errlen);
	sqlite3_finalize(st);
	return rc;
}

/* Damage below the rows (b-tree pages, free lists) that the hash chain
 * cannot see; SQLite's own check finds it. Not an event, so bad_seq stays 0. */
static int check_file(struct wp_ledger *l, struct wp_custody_report *rep, char *err,
		      size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(l->db, "PRAGMA integrity_check(1)", -1, &st, NULL) != SQLITE_OK)
		return wp_sql_fail(l, "cannot check the database file", err, errlen);
	int step = sqlite3_step(st);
	const char *answer = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	int rc = 0;
	if (answer && strcmp(answer, "ok") != 0) {
		snprintf(rep->why, sizeof(rep->why), "the database file is damaged (SQLite "
			 "integrity_check: %.300s); restore the ledger from a backup", answer);
		rc = WP_CUSTODY_BROKEN;
	} else if (!answer) {
		rc = wp_sql_fail(l, "cannot check the database file", err, errlen);
	}
	sqlite3_finalize(st);
	return rc;
}

static void check_anchor_reached(struct verifier *v)
{
	struct wp_custody_report *rep = v->rep;
	if (v->anchor_seq && rep->head_seq < v->anchor_seq) {
		rep->bad_seq = rep->head_seq + 1;
		snprintf(rep->why, sizeof(rep->why), "missing: the ledger ends at seq %llu but the "
			 "anchor names seq %llu (events were removed from the end)",
			 (unsigned long long)rep->head_seq, (unsigned long long)v->anchor_seq);
	}
}

/* wp_custody_replay, also handing out the policy in force (a new
 * reference, or NULL) when policy_out is given. */
static int replay(struct wp_ledger *ledger, X509 *ca, const char *anchor, const char *asset,
		  wp_verified_fn fn, void *ctx, struct wp_custody_report *report,
		  json_t **policy_out, char *err, size_t errlen)
{
	struct verifier v = { .ca = ca, .crl = ledger->crl, .approval_required = true, .expect = 1,
			      .rep = report, .now = time(NULL), .asset = asset, .fn = fn, .ctx = ctx };
	memset(report, 0, sizeof(*report));
	snprintf(v.prev, sizeof(v.prev), "%s", WP_ZERO_HASH);
	snprintf(report->head_hash, sizeof(report->head_hash), "%s", WP_ZERO_HASH);
	if (anchor && wp_anchor_parse(anchor, &v.anchor_seq, v.anchor_hash) < 0) {
		snprintf(err, errlen, "anchor '%s' is not HASH@SEQ as 'wipeproof custody head' prints it",
			 anchor);
		return WP_CUSTODY_ERROR;
	}
	int rc = wp_ledger_begin(ledger, false, err, errlen);
	if (rc == 0) {
		rc = check_file(ledger, report, err, errlen);
		if (rc == 0)
			rc = signers_load(ledger, &v, err, errlen);
		if (rc == 0)
			rc = walk(ledger, &v, err, errlen);
		wp_ledger_end(ledger, true);
	}
	if (rc == 0)
		check_anchor_reached(&v);
	report->approval_required = v.approval_required;
	if (rc == 0 && report->bad_seq)
		rc = WP_CUSTODY_BROKEN;
	if (rc == WP_CUSTODY_BROKEN && report->bad_seq == 0)
		snprintf(err, errlen, "ledger %s does not verify: %s", ledger->path, report->why);
	else if (rc == WP_CUSTODY_BROKEN)
		snprintf(err, errlen, "ledger %s does not verify: first bad event is seq %llu: %s",
			 ledger->path, (unsigned long long)report->bad_seq, report->why);
	for (size_t i = 0; i < v.n_signers; i++)
		X509_free(v.signers[i].cert);
	free(v.signers);
	wp_asset_map_free(&v.assets);
	if (policy_out && rc == 0)
		*policy_out = v.policy;
	else
		json_decref(v.policy);
	return rc;
}

int wp_custody_replay(struct wp_ledger *ledger, X509 *ca, const char *anchor, const char *asset,
		      wp_verified_fn fn, void *ctx, struct wp_custody_report *report,
		      char *err, size_t errlen)
{
	return replay(ledger, ca, anchor, asset, fn, ctx, report, NULL, err, errlen);
}

int wp_custody_verify(struct wp_ledger *ledger, X509 *ca, const char *anchor,
		      struct wp_custody_report *report, char *err, size_t errlen)
{
	return wp_custody_replay(ledger, ca, anchor, NULL, NULL, NULL, report, err, errlen);
}

/* ---- the rows an append reads -------------------------------------------- */

/* An append's rule check reads the asset's rows and the policy rows under
 * the write lock; verifying the whole chain there would cost a second per
 * thousand events on every append. Instead each row it reads is
 * cross-checked like the verifier does: its type, its link to the row
 * before it in the table, its hash and its signatures against the CA. A
 * row nobody signed (inserted into the file) is refused before anything
 * is chained onto it. */
int wp_rows_cross_check(struct wp_ledger *l, X509 *ca, const char *asset, char *err,
			size_t errlen)
{
	struct wp_custody_report rep = { 0 };
	struct verifier v = { .ca = ca, .rep = &rep };
	sqlite3_stmt *st = NULL;
	int rc = signers_load(l, &v, err, errlen);
	if (rc == 0 && sqlite3_prepare_v2(l->db, "SELECT " WP_ROW_COLUMNS ", ifnull((SELECT p.hash "
					  "FROM events AS p WHERE p.seq = events.seq - 1), '"
					  WP_ZERO_HASH "') FROM events NOT INDEXED WHERE asset = ?1 "
					  "OR kind = 'policy' ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
		rc = wp_sql_fail(l, "cannot read events", err, errlen);
	if (rc == 0)
		sqlite3_bind_text(st, 1, asset, -1, SQLITE_STATIC);
	int step = SQLITE_DONE;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct wp_row row;
		char why[768] = "";
		wp_row_read(st, &row);
		const char *prev = (const char *)sqlite3_column_text(st, 17);
		snprintf(v.prev, sizeof(v.prev), "%s", prev ? prev : "");
		if (row.bad_column)
			snprintf(why, sizeof(why), "column %s is not of its declared type", row.bad_column);
		else if (check_chain(&v, &row, why, sizeof(why)) == 0 &&
			 check_signature(&v, &row.ev, &row.ev.actor, row.signature, "signer", why,
					 sizeof(why)) == 0 && row.ev.witnessed)
			check_signature(&v, &row.ev, &row.ev.witness, row.witness_signature, "witness",
					why, sizeof(why));
		if (why[0]) {
			snprintf(err, errlen, "ledger %s does not verify: first bad event is seq %llu: "
				 "%s; nothing was recorded — run 'wipeproof custody verify'", l->path,
				 (unsigned long long)row.ev.seq, why);
			rc = WP_CUSTODY_BROKEN;
		}
		json_decref(row.ev.body);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = wp_sql_fail(l, "cannot read events", err, errlen);
	sqlite3_finalize(st);
	for (size_t i = 0; i < v.n_signers; i++)
		X509_free(v.signers[i].cert);
	free(v.signers);
	return rc;
}

/* ---- readers through the handle's CA ------------------------------------ */

static int need_ca(struct wp_ledger *l, char *err, size_t errlen)
{
	if (l->ca)
		return 0;
	snprintf(err, errlen, "ledger %s: no CA certificate to verify it against (give --ca FILE "
		 "or --keys DIR)", l->path);
	return WP_CUSTODY_ERROR;
}

struct each_ctx {
	wp_event_fn fn;
	void *ctx;
};

static int each_one(const struct wp_event *ev, const struct wp_asset_state *st, void *ctx)
{
	(void)st;
	struct each_ctx *e = ctx;
	return e->fn(ev, e->ctx);
}

int wp_custody_each(struct wp_ledger *ledger, const char *asset, wp_event_fn fn,
		    void *ctx, char *err, size_t errlen)
{
	struct wp_custody_report *rep = malloc(sizeof(*rep));
	struct each_ctx e = { fn, ctx };
	int rc = need_ca(ledger, err, errlen);
	if (rc == 0 && !rep) {
		snprintf(err, errlen, "out of memory");
		rc = WP_CUSTODY_ERROR;
	}
	if (rc == 0)
		rc = wp_custody_replay(ledger, ledger->ca, NULL, asset, each_one, &e, rep, err, errlen);
	free(rep);
	return rc;
}

static int keep_state(const struct wp_event *ev, const struct wp_asset_state *st, void *ctx)
{
	(void)ev;
	*(struct wp_asset_state *)ctx = *st;
	return 0;
}

int wp_verified_state(struct wp_ledger *ledger, const char *asset, struct wp_asset_state *out,
		      json_t **policy, char *err, size_t errlen)
{
	struct wp_custody_report *rep = malloc(sizeof(*rep));
	memset(out, 0, sizeof(*out));
	snprintf(out->asset, sizeof(out->asset), "%s", asset);
	int rc = need_ca(ledger, err, errlen);
	if (rc == 0 && !rep) {
		snprintf(err, errlen, "out of memory");
		rc = WP_CUSTODY_ERROR;
	}
	if (rc == 0)
		rc = replay(ledger, ledger->ca, NULL, asset, keep_state, out, rep, policy, err,
			    errlen);
	free(rep);
	return rc;
}

int wp_custody_state(struct wp_ledger *ledger, const char *asset,
		     struct wp_asset_state *out, char *err, size_t errlen)
{
	return wp_verified_state(ledger, asset, out, NULL, err, errlen);
}

int wp_custody_policy(struct wp_ledger *ledger, json_t **out, char *err, size_t errlen)
{
	struct wp_asset_state *st = malloc(sizeof(*st));
	*out = NULL;
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return WP_CUSTODY_ERROR;
	}
	int rc = wp_verified_state(ledger, "", st, out, err, errlen);
	free(st);
	return rc;
}
