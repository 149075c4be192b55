/*
 * Appending an event. Everything between reading the head and inserting
 * the row runs inside one BEGIN IMMEDIATE transaction: the head, the policy
 * and the asset's state cannot change underneath the rule check, so two
 * appenders can neither fork the chain nor both pass a rule (e.g. two
 * approvals, two wipe-ends).
 */
#include "custody_internal.h"
#include "wpi18n.h"
#include "wptext.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wp_policy_load(struct wp_ledger *ledger, json_t **policy, char *err, size_t errlen)
{
	char *text = NULL;
	*policy = NULL;
	if (ledger->ops->text(ledger, WP_Q_POLICY_BODY, NULL, &text, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	if (text) {
		*policy = json_loads(text, 0, NULL);
		free(text);
	}
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
	char why[300], *pem = NULL;
	a->id[0] = '\0';
	if (!a->fingerprint[0] || l->ops->text(l, WP_Q_SIGNER, a->fingerprint, &pem, why,
					       sizeof(why)) < 0 || !pem)
		return;
	X509 *cert = NULL;
	struct wp_person p;
	if (wp_cert_from_pem(pem, &cert, why, sizeof(why)) == 0 &&
	    wp_cert_person(cert, &p, why, sizeof(why)) == 0)
		snprintf(a->id, sizeof(a->id), "%s", p.id);
	X509_free(cert);
	free(pem);
}

/* One ledger, one CA: the first appender's CA is remembered, and a person
 * from another key store is refused now rather than found by verify later. */
static int pin_ca(struct wp_ledger *l, const struct wp_identity *id, char *err, size_t errlen)
{
	char fpr[WP_FPR_HEX], pinned[WP_FPR_HEX] = "", *value = NULL;
	wp_cert_fingerprint(wp_identity_ca(id), fpr);
	if (l->ops->text(l, WP_Q_META, "ca_fingerprint", &value, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	if (value)
		snprintf(pinned, sizeof(pinned), "%s", value);
	free(value);
	if (pinned[0] && strcmp(pinned, fpr) != 0) {
		snprintf(err, errlen, _("ledger %s is kept under CA %.16s, but the certificate of %s "
			 "comes from CA %.16s; use this ledger's key store (--keys DIR)"), l->path,
			 pinned, wp_identity_person(id)->name, fpr);
		return WP_CUSTODY_REFUSED;
	}
	if (pinned[0])
		return 0;
	return l->ops->put_meta(l, "ca_fingerprint", fpr, err, errlen);
}

static int store_signer(struct wp_ledger *l, const struct wp_identity *id, char *err, size_t errlen)
{
	char *pem = wp_cert_to_pem(wp_identity_cert(id));
	if (!pem) {
		snprintf(err, errlen, _("cannot encode the certificate of %s"), wp_identity_person(id)->name);
		return WP_CUSTODY_ERROR;
	}
	int rc = l->ops->put_signer(l, wp_identity_person(id)->fingerprint, pem, err, errlen);
	free(pem);
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
	char last[WP_TIME_MAX] = "", hash[WP_HASH_HEX];
	time_t last_at = 0, now_at = 0;
	uint64_t seq = 0;
	if (l->ops->head(l, &seq, hash, last, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	if (!last[0] || wp_utc_parse(last, &last_at) < 0 || wp_utc_parse(ev->time, &now_at) < 0 ||
	    now_at >= last_at)
		return 0;
	snprintf(err, errlen, _("this computer's clock says %s, but the ledger's last event (seq "
		 "%llu) is dated %s: the clock went backwards (or the station that recorded that "
		 "event ran ahead); events must be in time order, so nothing was recorded — set "
		 "the clock to the correct UTC time (timedatectl, NTP) and run the command again"),
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
		snprintf(err, errlen, _("cannot draw random bytes for the ledger id"));
		return WP_CUSTODY_ERROR;
	}
	wp_hex_encode(raw, sizeof(raw), hex);
	*owned = json_deep_copy(ev->body);
	if (!*owned || wp_json_set(*owned, WP_LEDGER_ID_KEY, json_string(hex)) < 0) {
		snprintf(err, errlen, _("out of memory"));
		return WP_CUSTODY_ERROR;
	}
	ev->body = *owned;
	return 0;
}

/* Intake: no other asset that is not released may hold the same serial.
 * Every intake event is read; the holders' states are loaded only for a
 * serial that matches. */
struct serial_scan {
	struct wp_ledger *l;
	const struct wp_event *ev;
	const char *serial;
	char *err;
	size_t errlen;
};

static int serial_one(const char *asset, size_t alen, const char *body_text, size_t blen,
		      void *ctx)
{
	(void)alen;
	(void)blen;
	struct serial_scan *x = ctx;
	json_t *body = body_text ? json_loads(body_text, 0, NULL) : NULL;
	const char *s = json_string_value(json_object_get(body, "serial"));
	int rc = 0;
	if (asset && s && strcmp(s, x->serial) == 0 && strcmp(asset, x->ev->asset) != 0) {
		/* a copy: the backend's row is gone once the holder's rows are read */
		char tag[WP_ASSET_MAX];
		snprintf(tag, sizeof(tag), "%s", asset);
		struct wp_asset_state holder;
		rc = wp_state_load(x->l, tag, &holder, x->err, x->errlen);
		if (rc == 0 && wp_rule_check_serial_free(&holder, x->ev, x->err, x->errlen) < 0)
			rc = WP_CUSTODY_REFUSED;
	}
	json_decref(body);
	return rc;
}

/* Intake: no other asset that is not released may hold the same serial.
 * Every intake event is read; the holders' states are loaded only for a
 * serial that matches. */
static int check_serial_free(struct wp_ledger *l, const struct wp_event *ev, char *err,
			     size_t errlen)
{
	const char *serial = json_string_value(json_object_get(ev->body, "serial"));
	if (strcmp(ev->kind, WP_EV_INTAKE) != 0 || !serial)
		return 0;
	struct serial_scan x = { l, ev, serial, err, errlen };
	return l->ops->intakes(l, serial_one, &x, err, errlen);
}

static int check_and_store(struct wp_ledger *l, struct wp_event *ev,
			   const struct wp_identity *actor, const struct wp_identity *witness,
			   struct wp_sealed_row *keep, char *err, size_t errlen)
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
		rc = l->ops->put_event(l, ev, body_text, s.sig, s.wsig, err, errlen);
	if (keep && s.sig) {
		/* sealed: the row as it went to the server (or would have) */
		keep->ev = *ev;
		keep->ev.body = NULL;
		keep->body_text = body_text;
		keep->sig = s.sig;
		keep->wsig = s.wsig;
		keep->actor_pem = wp_cert_to_pem(wp_identity_cert(actor));
		keep->witness_pem = witness ? wp_cert_to_pem(wp_identity_cert(witness)) : NULL;
		body_text = s.sig = s.wsig = NULL;
	}
	signed_event_free(&s);
	free(body_text);
	json_decref(genesis);
	return rc;
}

/* A PostgreSQL handle keeps the rows it sealed for its station's queue
 * (custody/README.md, "When the server is gone"): committed ones until
 * the queue follows, and one whose COMMIT the loss cut off. A row that is
 * surely not on the server (refused, or an error with the connection
 * still up) is not kept. */
static void keep_sealed(struct wp_ledger *l, struct wp_sealed_row *row, bool committed)
{
	bool usable = row->sig && row->actor_pem && (!row->ev.witnessed || row->witness_pem);
	if (!usable || (!committed && !l->offline)) {
		wp_sealed_row_free(row);
		return;
	}
	if (l->n_sealed == WP_SEALED_KEEP) {   /* the oldest goes: the queue would have a gap */
		wp_sealed_row_free(&l->sealed[0]);
		memmove(l->sealed, l->sealed + 1, (l->n_sealed - 1) * sizeof(*l->sealed));
		l->n_sealed--;
	}
	struct wp_sealed_row *grown = realloc(l->sealed, (l->n_sealed + 1) * sizeof(*grown));
	if (!grown) {
		wp_sealed_row_free(row);
		return;
	}
	l->sealed = grown;
	row->unsure = !committed;
	l->sealed[l->n_sealed++] = *row;
}

static int prepare_event(struct wp_event *ev, const struct wp_identity *actor,
			 const struct wp_identity *witness, const char *kind, const char *asset,
			 json_t *body, char *err, size_t errlen)
{
	memset(ev, 0, sizeof(*ev));
	if (!kind || strlen(kind) >= sizeof(ev->kind) || !asset || strlen(asset) >= sizeof(ev->asset)) {
		snprintf(err, errlen, _("event kind or asset tag missing or too long (asset tags have "
			 "at most %zu bytes)"), sizeof(ev->asset) - 1);
		return WP_CUSTODY_ERROR;
	}
	char *probe = wp_canonical_json(body, err, errlen); /* refuse reals etc. early */
	if (!probe)
		return WP_CUSTODY_ERROR;
	if (json_object_get(body, WP_LEDGER_ID_KEY)) {
		free(probe);
		snprintf(err, errlen, _("'%s' is set by the ledger in its first event, not by a caller"),
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
		snprintf(err, errlen, _("ledger %s is open read-only"), ledger->path);
		return WP_CUSTODY_ERROR;
	}
	int rc = prepare_event(&ev, actor, witness, kind, asset, body, err, errlen);
	if (rc < 0 || (rc = wp_ledger_begin(ledger, true, err, errlen)) < 0)
		return rc;
	struct wp_sealed_row sealed = { 0 };
	bool keep = ledger->ops == &wp_pg_ops;
	rc = check_and_store(ledger, &ev, actor, witness, keep ? &sealed : NULL, err, errlen);
	if (rc == 0)
		rc = wp_ledger_commit(ledger, err, errlen);
	else
		wp_ledger_end(ledger, false);
	if (keep)
		keep_sealed(ledger, &sealed, rc == 0);
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

int wp_custody_check_event(struct wp_ledger *ledger, const struct wp_identity *actor,
			   const char *kind, const char *asset, json_t *body, char *err,
			   size_t errlen)
{
	struct wp_event ev;
	struct wp_asset_state *st = malloc(sizeof(*st));
	json_t *policy = NULL;
	if (!st) {
		snprintf(err, errlen, _("out of memory"));
		return WP_CUSTODY_ERROR;
	}
	int rc = prepare_event(&ev, actor, NULL, kind, asset, body, err, errlen);
	/* from the verified pass, as the append will decide */
	if (rc == 0)
		rc = wp_verified_state(ledger, asset, st, &policy, err, errlen);
	if (rc == 0 && wp_rule_check(st, policy, &ev, err, errlen) < 0)
		rc = WP_CUSTODY_REFUSED;
	json_decref(policy);
	free(st);
	return rc;
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
		snprintf(err, errlen, _("asset tag missing or longer than %zu bytes"), sizeof(ev.asset) - 1);
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
