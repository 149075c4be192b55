/*
 * Stations and the central ledger: a station's whole chain, with its head
 * signed by the station's own key, carried to a PostgreSQL ledger — by
 * `custody push --to` over the network or as a segment file on a USB
 * stick (`custody export --segment`, `custody import`).
 *
 * The central side trusts nothing in the segment: the head's signature
 * and the station role are checked against the CA, every event is checked
 * by the verifier (chain, signatures, rules) as stored, in the import's
 * own transaction, before it commits; and the station's head may only move
 * forward. A chain the central ledger already holds up to seq N is
 * refused when the pushed head is before N (the station's ledger was
 * truncated or replaced by an older copy) or when its event N differs from
 * the stored one (it was rewritten: a fork). Pushing the same head again
 * changes nothing.
 *
 * Segment (one JSON object): {"format": "wipeproof-segment",
 * "format_version": 1, "head": signed head (head.c, as its text),
 * "signers": [{"fingerprint", "certificate"}], "events": [[seq, time,
 * kind, asset, actor_name, actor_title, actor_role, actor_fingerprint,
 * witness_name, witness_title, witness_role, witness_fingerprint, body,
 * prev_hash, hash, signature, witness_signature], ...]} — the columns as
 * stored, seq 1 to the head.
 */
#include "custody_internal.h"
#include "wptext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEGMENT_FORMAT "wipeproof-segment"

/* ---- export ------------------------------------------------------------ */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int add_row(const struct wp_row *row, void *ctx)
{
	json_t *events = ctx;
	const struct wp_event *ev = &row->ev;
	bool w = ev->witnessed;
	if (row->bad_column)
		return WP_CUSTODY_BROKEN;
	json_t *a = json_pack("[I, s, s, s, s, s, s, s, o, o, o, o, s, s, s, s, o]",
			      (json_int_t)ev->seq, ev->time, ev->kind, ev->asset, ev->actor.name,
			      ev->actor.title, ev->actor.role, ev->actor.fingerprint,
			      w ? json_string(ev->witness.name) : json_null(),
			      w ? json_string(ev->witness.title) : json_null(),
			      w ? json_string(ev->witness.role) : json_null(),
			      w ? json_string(ev->witness.fingerprint) : json_null(),
			      row->body_text, ev->prev_hash, ev->hash, row->signature,
			      str_or_null(row->witness_signature));
	return a && json_array_append_new(events, a) == 0 ? 0 : WP_CUSTODY_ERROR;
}

static int add_signer(const char *fpr, size_t flen, const char *pem, size_t plen, void *ctx)
{
	(void)flen;
	(void)plen;
	json_t *o = json_pack("{s:s, s:s}", "fingerprint", fpr, "certificate", pem);
	return o && json_array_append_new(ctx, o) == 0 ? 0 : WP_CUSTODY_ERROR;
}

int wp_segment_export(struct wp_ledger *ledger, const struct wp_identity *station, char **text,
		      char *err, size_t errlen)
{
	struct wp_custody_report rep;
	json_t *events = json_array(), *signers = json_array();
	char *head = NULL;
	*text = NULL;
	if (wp_identity_person(station)->role != WP_ROLE_STATION) {
		snprintf(err, errlen, "%s has the role '%s': a station's head is signed by the "
			 "station's own key ('wipeproof keys issue --role station --name STATION')",
			 wp_identity_person(station)->name,
			 wp_role_name(wp_identity_person(station)->role));
		json_decref(events);
		json_decref(signers);
		return WP_CUSTODY_REFUSED;
	}
	/* what leaves the station verifies (and the segment is that pass's rows) */
	int rc = wp_custody_verify(ledger, wp_identity_ca(station), NULL, &rep, err, errlen);
	if (rc == 0 && rep.events == 0) {
		snprintf(err, errlen, "ledger %s is empty: nothing to push", ledger->path);
		rc = WP_CUSTODY_ERROR;
	}
	if (rc == 0)
		rc = wp_ledger_begin(ledger, false, err, errlen);
	if (rc == 0) {
		rc = ledger->ops->rows(ledger, WP_ROWS_ALL, NULL, add_row, events, err, errlen);
		if (rc == 0)
			rc = ledger->ops->signers(ledger, add_signer, signers, err, errlen);
		wp_ledger_end(ledger, true);
	}
	/* the head of exactly the rows taken, whatever was appended since */
	size_t n = json_array_size(events);
	json_t *last = n ? json_array_get(events, n - 1) : NULL;
	if (rc == 0 && last)
		rc = wp_head_sign_at(ledger, station, (uint64_t)json_integer_value(json_array_get(last, 0)),
				     json_string_value(json_array_get(last, 14)), &head, err, errlen);
	json_t *doc = rc == 0 ? json_pack("{s:s, s:i, s:s, s:O, s:O}", "format", SEGMENT_FORMAT,
					  "format_version", 1, "head", head, "signers", signers,
					  "events", events)
			      : NULL;
	if (rc == 0 && !doc) {
		snprintf(err, errlen, "out of memory writing the segment");
		rc = WP_CUSTODY_ERROR;
	}
	if (doc)
		*text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	if (rc == 0 && !*text) {
		snprintf(err, errlen, "out of memory writing the segment");
		rc = WP_CUSTODY_ERROR;
	}
	if (rc == WP_CUSTODY_BROKEN && !err[0])
		snprintf(err, errlen, "ledger %s holds a row it cannot export", ledger->path);
	json_decref(doc);
	json_decref(events);
	json_decref(signers);
	free(head);
	return rc;
}

/* ---- import ------------------------------------------------------------ */

#define BAD(...) (snprintf(err, errlen, __VA_ARGS__), WP_CUSTODY_BROKEN)

/* A segment row as the cells a backend would hand over. */
static int row_of(json_t *a, struct wp_row *row, char seq[24])
{
	struct wp_cell cells[WP_ROW_NCOLS];
	if (!json_is_array(a) || json_array_size(a) != WP_ROW_NCOLS ||
	    !json_is_integer(json_array_get(a, 0)))
		return -1;
	snprintf(seq, 24, "%lld", (long long)json_integer_value(json_array_get(a, 0)));
	cells[0] = (struct wp_cell){ seq, (int)strlen(seq), false, true };
	for (int i = 1; i < WP_ROW_NCOLS; i++) {
		json_t *v = json_array_get(a, (size_t)i);
		cells[i].null = json_is_null(v);
		cells[i].typed = json_is_string(v);
		cells[i].v = json_string_value(v);
		cells[i].n = cells[i].v ? (int)json_string_length(v) : 0;
	}
	wp_row_fill(cells, row);
	return 0;
}

static int put_rows(struct wp_ledger *l, json_t *events, uint64_t from, char *err, size_t errlen)
{
	int rc = 0;
	for (size_t i = (size_t)from; rc == 0 && i < json_array_size(events); i++) {
		struct wp_row row;
		char seq[24];
		if (row_of(json_array_get(events, i), &row, seq) < 0 || row.bad_column ||
		    !row.body_text || !row.signature) {
			json_decref(row.ev.body);
			return BAD("the segment's event %zu is not a row of the ledger's form", i + 1);
		}
		rc = l->ops->put_event(l, &row.ev, row.body_text, row.signature,
				       row.witness_signature, err, errlen);
		json_decref(row.ev.body);
	}
	return rc;
}

static int check_events(json_t *events, const struct wp_signed_head *h, char *err, size_t errlen)
{
	size_t n = json_array_size(events);
	if (!json_is_array(events) || n != h->seq)
		return BAD("the segment holds %zu events but its signed head is at seq %llu: a "
			   "segment carries the station's whole chain", n, (unsigned long long)h->seq);
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_array_get(events, i);
		if (!json_is_array(a) || json_integer_value(json_array_get(a, 0)) != (json_int_t)(i + 1))
			return BAD("the segment's events are not seq 1 to %llu in order",
				   (unsigned long long)h->seq);
	}
	const char *last = json_string_value(json_array_get(json_array_get(events, n - 1), 14));
	if (!last || strcmp(last, h->hash) != 0)
		return BAD("the segment's last event is not the one its signed head names");
	return 0;
}

/* Forward only: the chain stored so far must be a prefix of the pushed one. */
static int check_forward(struct wp_ledger *l, json_t *events, const struct wp_signed_head *h,
			 const struct wp_chain_info *prev, uint64_t *stored, char *err,
			 size_t errlen)
{
	char hash[WP_HASH_HEX], t[WP_TIME_MAX];
	uint64_t seq = 0;
	if (l->ops->head(l, &seq, hash, t, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	*stored = seq;
	uint64_t known = prev->known && prev->head_seq > seq ? prev->head_seq : seq;
	if (h->seq < known)
		return BAD("station %s's ledger went backwards: the central ledger holds its chain "
			   "%s up to seq %llu, but the pushed signed head is at seq %llu — the "
			   "station's ledger was truncated or replaced by an older copy; nothing was "
			   "imported", h->signer.name, h->ledger_id, (unsigned long long)known,
			   (unsigned long long)h->seq);
	if (prev->known && prev->head_seq > seq)
		return BAD("the central ledger's rows of chain %s end at seq %llu, before the head "
			   "seq %llu it accepted from station %s: rows were deleted on the server; "
			   "run 'wipeproof custody verify' and restore the database from a backup",
			   h->ledger_id, (unsigned long long)seq, (unsigned long long)prev->head_seq,
			   prev->station);
	if (seq == 0)
		return 0;
	const char *mine = json_string_value(json_array_get(json_array_get(events, seq - 1), 14));
	if (!mine || strcmp(mine, hash) != 0)
		return BAD("station %s's ledger was rewritten after an earlier push (a fork): its "
			   "event seq %llu has hash %.16s…, the central ledger holds %.16s… for it; "
			   "nothing was imported", h->signer.name, (unsigned long long)seq,
			   mine ? mine : "?", hash);
	return 0;
}

/* The central ledger is kept under one CA: the first import or push pins
 * it, later ones must come under the same. */
static int pin_central_ca(struct wp_ledger *l, X509 *ca, char *err, size_t errlen)
{
	char fpr[WP_FPR_HEX], *pinned = NULL;
	wp_cert_fingerprint(ca, fpr);
	int rc = l->ops->text(l, WP_Q_META, "ca_fingerprint", &pinned, err, errlen);
	if (rc == 0 && pinned && strcmp(pinned, fpr) != 0)
		rc = BAD("the central ledger is kept under CA %.16s, not %.16s", pinned, fpr);
	else if (rc == 0 && !pinned)
		rc = l->ops->put_meta(l, "ca_fingerprint", fpr, err, errlen);
	free(pinned);
	return rc;
}

static int import_locked(struct wp_ledger *l, json_t *doc, const char *head_text,
			 const struct wp_signed_head *h, X509 *ca, struct wp_import_result *out,
			 char *err, size_t errlen)
{
	struct wp_chain_info prev;
	json_t *events = json_object_get(doc, "events"), *signers = json_object_get(doc, "signers");
	uint64_t stored = 0;
	int rc = wp_pg_chain_get(l, l->chain, &prev, err, errlen);
	if (rc == 0 && prev.known && strcmp(prev.station_id, h->signer.id) != 0)
		rc = BAD("chain %s was pushed by station %s before; this head is signed by %s: one "
			 "station ledger, one station key", h->ledger_id, prev.station, h->signer.name);
	/* the other direction: a station key that vouched for one ledger does
	 * not start another — a stick or station whose ledger was replaced by
	 * a new one (prepared again, or another's copied on it) would otherwise
	 * just end its old chain unnoticed */
	char other[WP_LEDGER_ID_HEX];
	uint64_t other_seq = 0;
	if (rc == 0 && !prev.known && h->signer.id[0])
		rc = wp_pg_chain_of_station(l, h->signer.id, l->chain, other, sizeof(other),
					    &other_seq, err, errlen);
	if (rc == 0 && !prev.known && h->signer.id[0] && other[0])
		rc = BAD("station %s's ledger was replaced by another ledger: the central ledger "
			 "holds its chain %s up to seq %llu, and this head is of ledger %s; nothing "
			 "was imported (one station ledger, one station key: a stick or station "
			 "prepared again on purpose gets a station key of its own, 'wipeproof keys "
			 "issue --role station')", h->signer.name, other,
			 (unsigned long long)other_seq, h->ledger_id);
	if (rc == 0)
		rc = check_events(events, h, err, errlen);
	if (rc == 0)
		rc = check_forward(l, events, h, &prev, &stored, err, errlen);
	out->before = stored;
	out->head = h->seq;
	if (rc == 0 && stored == h->seq) {
		out->unchanged = true;   /* the same push again */
		return 0;
	}
	for (size_t i = 0; rc == 0 && i < json_array_size(signers); i++) {
		json_t *s = json_array_get(signers, i);
		const char *fpr = json_string_value(json_object_get(s, "fingerprint"));
		const char *pem = json_string_value(json_object_get(s, "certificate"));
		rc = fpr && pem ? l->ops->put_signer(l, fpr, pem, err, errlen)
				: BAD("the segment's signers list is not of the ledger's form");
	}
	if (rc == 0)
		rc = pin_central_ca(l, ca, err, errlen);
	if (rc == 0)
		rc = put_rows(l, events, stored, err, errlen);
	/* the chain as it would be committed, against the station's head */
	struct wp_custody_report rep;
	char anchor[WP_HASH_HEX + 24];
	snprintf(anchor, sizeof(anchor), "%s@%llu", h->hash, (unsigned long long)h->seq);
	if (rc == 0)
		rc = wp_custody_verify(l, ca, anchor, &rep, err, errlen);
	if (rc == 0 && strcmp(rep.ledger_id, h->ledger_id) != 0)
		rc = BAD("the segment's first event carries ledger id %s, its head names %s",
			 rep.ledger_id, h->ledger_id);
	struct wp_chain_info now = { .known = true, .head_seq = h->seq };
	snprintf(now.station, sizeof(now.station), "%s", h->signer.name);
	snprintf(now.station_fingerprint, sizeof(now.station_fingerprint), "%s",
		 h->signer.fingerprint);
	snprintf(now.station_id, sizeof(now.station_id), "%s", h->signer.id);
	snprintf(now.head_hash, sizeof(now.head_hash), "%s", h->hash);
	if (rc == 0)
		rc = wp_pg_chain_put(l, l->chain, &now, head_text, err, errlen);
	return rc;
}

int wp_segment_import(struct wp_ledger *central, const char *text, size_t len, X509 *ca,
		      struct wp_import_result *out, char *err, size_t errlen)
{
	struct wp_signed_head h;
	memset(out, 0, sizeof(*out));
	if (central->ops != &wp_pg_ops) {
		snprintf(err, errlen, "ledger %s is a station's file: segments are imported into the "
			 "organisation's PostgreSQL ledger (--ledger postgresql://...)", central->path);
		return WP_CUSTODY_ERROR;
	}
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	const char *head_text = json_string_value(json_object_get(doc, "head"));
	int rc = 0;
	const char *format = json_string_value(json_object_get(doc, "format"));
	if (!doc || !format || strcmp(format, SEGMENT_FORMAT) != 0 ||
	    json_integer_value(json_object_get(doc, "format_version")) != 1 || !head_text)
		rc = BAD("not a station segment ('wipeproof custody export --segment FILE' writes "
			 "one)");
	if (rc == 0)
		rc = wp_head_verify(head_text, strlen(head_text), ca, central->crl, &h, err, errlen);
	if (rc == 0 && h.signer.role != WP_ROLE_STATION)
		rc = BAD("the segment's head is signed by %s, whose role is '%s', not 'station': "
			 "only a station's own key vouches for its ledger", h.signer.name,
			 wp_role_name(h.signer.role));
	if (rc == 0 && !h.ledger_id[0])
		rc = BAD("the station's ledger has no ledger id (it was created before ledger ids); "
			 "start a new station ledger to push it");
	if (rc == 0) {
		snprintf(out->ledger_id, sizeof(out->ledger_id), "%s", h.ledger_id);
		snprintf(out->station, sizeof(out->station), "%s", h.signer.name);
	}
	char keep[WP_LEDGER_ID_HEX];
	snprintf(keep, sizeof(keep), "%s", central->chain);
	if (rc == 0) {
		snprintf(central->chain, sizeof(central->chain), "%s", h.ledger_id);
		rc = wp_ledger_begin(central, true, err, errlen);   /* the chain's head lock */
		if (rc == 0) {
			rc = import_locked(central, doc, head_text, &h, ca, out, err, errlen);
			if (rc == 0 && !out->unchanged)
				rc = wp_ledger_commit(central, err, errlen);
			else
				wp_ledger_end(central, false);
		}
	}
	snprintf(central->chain, sizeof(central->chain), "%s", keep);
	json_decref(doc);
	return rc;
}

/* ---- a station's queue (issue 18: the server gone mid-wipe) ---------------
 * The queue is an SQLite ledger holding a copy of the online chain's rows
 * as the server has them, and after them any event the station appended
 * while the server could not be reached. Rows are copied, never re-signed:
 * the queued events carry the seq and prev_hash of the online chain, so
 * once pushed they are the online chain's next events, byte for byte. */

#define QUEUE_DIVERGED 1   /* a walk found another event at the seq compared */

/* The hash of the event SEQ of L's chain ("" when it has none). */
struct hash_at {
	uint64_t seq;
	char hash[WP_HASH_HEX];
};

static int hash_at_one(const struct wp_row *row, void *ctx)
{
	struct hash_at *x = ctx;
	if (row->ev.seq != x->seq)
		return 0;
	snprintf(x->hash, sizeof(x->hash), "%s", row->ev.hash);
	return 2;   /* found: stop the walk */
}

/* The rows of L's chain from SEQ on, streamed. */
static int rows_from(struct wp_ledger *l, uint64_t seq, wp_row_fn fn, void *ctx, char *err,
		     size_t errlen)
{
	char from[24];
	snprintf(from, sizeof(from), "%llu", (unsigned long long)seq);
	return l->ops->rows(l, WP_ROWS_FROM, from, fn, ctx, err, errlen);
}

static int hash_at(struct wp_ledger *l, uint64_t seq, char hash[WP_HASH_HEX], char *err,
		   size_t errlen)
{
	struct hash_at x = { .seq = seq };
	int rc = rows_from(l, seq, hash_at_one, &x, err, errlen);
	snprintf(hash, WP_HASH_HEX, "%s", x.hash);
	return rc == 2 ? 0 : rc;
}

struct copy_to {
	struct wp_ledger *to;
	char *err;
	size_t errlen;
};

static int copy_signer(const char *fpr, size_t flen, const char *pem, size_t plen, void *ctx)
{
	(void)flen;
	(void)plen;
	struct copy_to *x = ctx;
	return x->to->ops->put_signer(x->to, fpr, pem, x->err, x->errlen);
}

static int copy_signers(struct wp_ledger *from, struct wp_ledger *to, char *err, size_t errlen)
{
	struct copy_to x = { to, err, errlen };
	return from->ops->signers(from, copy_signer, &x, err, errlen);
}

/* The copy takes the CA the server is kept under, once. */
static int copy_ca_pin(struct wp_ledger *from, struct wp_ledger *to, char *err, size_t errlen)
{
	char *have = NULL, *pin = NULL;
	int rc = to->ops->text(to, WP_Q_META, "ca_fingerprint", &have, err, errlen);
	if (rc == 0 && !have)
		rc = from->ops->text(from, WP_Q_META, "ca_fingerprint", &pin, err, errlen);
	if (rc == 0 && pin)
		rc = to->ops->put_meta(to, "ca_fingerprint", pin, err, errlen);
	free(have);
	free(pin);
	return rc;
}

/* Rows copied from one handle to another as they are (same seq, hashes,
 * signatures): the server's into the station's copy (sync), the queue's
 * into the server (push). The row at SEQ must have HASH; later ones are put. */
struct copy_walk {
	struct wp_ledger *from, *to;
	const char *whose;             /* "the server's", "the station's queue's" */
	uint64_t seq;
	const char *hash;
	char *err;
	size_t errlen;
};

static int copy_one(const struct wp_row *row, void *ctx)
{
	struct copy_walk *x = ctx;
	if (row->ev.seq < x->seq)
		return 0;
	if (row->ev.seq == x->seq)
		return strcmp(row->ev.hash, x->hash) == 0 ? 0 : QUEUE_DIVERGED;
	if (row->bad_column || !row->body_text || !row->signature) {
		snprintf(x->err, x->errlen, "%s event seq %llu is not a row of the ledger's form; "
			 "run 'wipeproof custody verify --ledger %s' on it", x->whose,
			 (unsigned long long)row->ev.seq, x->from->path);
		return WP_CUSTODY_BROKEN;
	}
	return x->to->ops->put_event(x->to, &row->ev, row->body_text, row->signature,
				     row->witness_signature, x->err, x->errlen);
}

/* FROM's rows after SEQ (whose row must have HASH) into TO. */
static int copy_rows(struct wp_ledger *from, struct wp_ledger *to, const char *whose,
		     uint64_t seq, const char *hash, char *err, size_t errlen)
{
	struct copy_walk x = { .from = from, .to = to, .whose = whose, .seq = seq, .hash = hash,
			       .err = err, .errlen = errlen };
	return rows_from(from, seq, copy_one, &x, err, errlen);
}

static int queue_diverged(struct wp_ledger *q, uint64_t seq, char *err, size_t errlen)
{
	snprintf(err, errlen, "the station's queue %s holds events the ledger server does not: "
		 "its event seq %llu differs from the server's (another station appended while "
		 "this one was cut off, or the queue is of another ledger); its events cannot be "
		 "pushed as they are — keep the file, run 'wipeproof custody verify --ledger %s' "
		 "and 'custody show TAG --ledger %s' to see them, and move it aside to go on",
		 q->path, (unsigned long long)seq, q->path, q->path);
	return WP_CUSTODY_REFUSED;
}

/* Inside the queue's write transaction: two commands of one station
 * catching up at once copy each row once. */
static int sync_locked(struct wp_ledger *central, struct wp_ledger *queue, uint64_t *pending,
		       char *err, size_t errlen)
{
	uint64_t qseq = 0, cseq = 0;
	char qhash[WP_HASH_HEX], chash[WP_HASH_HEX], at[WP_HASH_HEX];
	int rc = wp_custody_head(queue, &qseq, qhash, err, errlen);
	if (rc == 0)
		rc = wp_custody_head(central, &cseq, chash, err, errlen);
	if (rc < 0)
		return rc;
	if (qseq > cseq) {
		/* queued events: the server's head must be one of the queue's */
		rc = cseq ? hash_at(queue, cseq, at, err, errlen) : 0;
		if (rc == 0 && cseq && strcmp(at, chash) != 0)
			return queue_diverged(queue, cseq, err, errlen);
		*pending = qseq - cseq;
		return rc;
	}
	if (qseq == cseq && strcmp(qhash, chash) == 0)
		return 0;
	rc = copy_rows(central, queue, "the server's", qseq, qhash, err, errlen);
	if (rc == 0)
		rc = copy_signers(central, queue, err, errlen);
	if (rc == 0)
		rc = copy_ca_pin(central, queue, err, errlen);
	return rc == QUEUE_DIVERGED ? queue_diverged(queue, qseq, err, errlen) : rc;
}

int wp_queue_sync(struct wp_ledger *central, struct wp_ledger *queue, uint64_t *pending,
		  char *err, size_t errlen)
{
	*pending = 0;
	int rc = wp_ledger_begin(queue, true, err, errlen);
	if (rc < 0)
		return rc;
	rc = sync_locked(central, queue, pending, err, errlen);
	if (rc == 0)
		rc = wp_ledger_commit(queue, err, errlen);
	else
		wp_ledger_end(queue, false);
	if (rc == 0)   /* the copy holds what this handle sealed */
		wp_ledger_forget_sealed(central);
	return rc;
}

/* ---- the rows the copy missed, at the loss ---------------------------------
 * Two moments no copy can cover: the COMMIT of an event reached the server
 * but its answer was lost (the event may or may not be there), and an event
 * was committed but the connection went before the copy could follow. The
 * station's next event would then chain on the copy's older head, and the
 * push would be refused as a fork. The rows the central handle sealed
 * since the copy last followed (append.c) are put into the queue exactly
 * as they went to the server — same time, hash and signatures — so the
 * queue continues the chain the server may hold, and the push finds the
 * server's head among its events either way. */
static int take_over_locked(struct wp_ledger *q, struct wp_ledger *c, const char *kind,
			    const char *asset, bool *recorded, char *err, size_t errlen)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < c->n_sealed; i++) {
		const struct wp_sealed_row *r = &c->sealed[i];
		uint64_t qseq = 0;
		char qhash[WP_HASH_HEX], at[WP_HASH_HEX];
		rc = wp_custody_head(q, &qseq, qhash, err, errlen);
		if (rc == 0 && r->ev.seq <= qseq) {
			/* the copy has it already; it must be this very row */
			rc = hash_at(q, r->ev.seq, at, err, errlen);
			if (rc == 0 && strcmp(at, r->ev.hash) != 0)
				break;
			continue;
		}
		/* a gap (events of other stations the copy lacks), or the
		 * unsure row of another append than the one failing now: the
		 * queue cannot continue here, the push will say so */
		if (rc < 0 || r->ev.seq != qseq + 1 || strcmp(r->ev.prev_hash, qhash) != 0 ||
		    (r->unsure && (!kind || i + 1 != c->n_sealed || strcmp(r->ev.kind, kind) != 0 ||
				   strcmp(r->ev.asset, asset) != 0)))
			break;
		rc = q->ops->put_signer(q, r->ev.actor.fingerprint, r->actor_pem, err, errlen);
		if (rc == 0 && r->ev.witnessed)
			rc = q->ops->put_signer(q, r->ev.witness.fingerprint, r->witness_pem, err,
						errlen);
		if (rc == 0)
			rc = q->ops->put_event(q, &r->ev, r->body_text, r->sig, r->wsig, err, errlen);
		if (rc == 0 && r->unsure)
			*recorded = true;
	}
	return rc;
}

int wp_queue_take_over(struct wp_ledger *queue, struct wp_ledger *central, const char *kind,
		       const char *asset, bool *recorded, char *err, size_t errlen)
{
	bool taken = false;
	if (!recorded)
		recorded = &taken;
	*recorded = false;
	if (!central->n_sealed)
		return 0;
	int rc = wp_ledger_begin(queue, true, err, errlen);
	if (rc == 0) {
		rc = take_over_locked(queue, central, kind, asset, recorded, err, errlen);
		if (rc == 0)
			rc = wp_ledger_commit(queue, err, errlen);
		else
			wp_ledger_end(queue, false);
	}
	if (rc < 0)
		*recorded = false;
	wp_ledger_forget_sealed(central);
	return rc;
}

static int push_locked(struct wp_ledger *q, struct wp_ledger *c, X509 *ca,
		       struct wp_import_result *out, char *err, size_t errlen)
{
	uint64_t qseq = 0, cseq = 0;
	char qhash[WP_HASH_HEX], chash[WP_HASH_HEX], at[WP_HASH_HEX] = "";
	int rc = wp_custody_head(q, &qseq, qhash, err, errlen);
	if (rc == 0)
		rc = wp_custody_head(c, &cseq, chash, err, errlen);
	if (rc < 0)
		return rc;
	out->before = cseq;
	out->head = qseq > cseq ? qseq : cseq;
	if (qseq <= cseq) {
		/* pushed before (or nothing queued): the queue's head is the server's */
		rc = qseq ? hash_at(c, qseq, at, err, errlen) : 0;
		if (rc == 0 && qseq && strcmp(at, qhash) != 0)
			return queue_diverged(q, qseq, err, errlen);
		out->unchanged = rc == 0;
		return rc;
	}
	rc = cseq ? hash_at(q, cseq, at, err, errlen) : 0;
	if (rc == 0 && cseq && strcmp(at, chash) != 0)
		return queue_diverged(q, cseq, err, errlen);
	if (rc == 0)
		rc = copy_signers(q, c, err, errlen);
	if (rc == 0)
		rc = pin_central_ca(c, ca, err, errlen);
	if (rc == 0)
		rc = copy_rows(q, c, "the station's queue's", cseq, chash, err, errlen);
	if (rc == QUEUE_DIVERGED)
		rc = queue_diverged(q, cseq, err, errlen);
	/* the online chain as it would be committed, up to the queue's head:
	 * the queued events' rules are checked against the whole history */
	struct wp_custody_report rep;
	char anchor[WP_HASH_HEX + 24];
	snprintf(anchor, sizeof(anchor), "%s@%llu", qhash, (unsigned long long)qseq);
	if (rc == 0)
		rc = wp_custody_verify(c, ca, anchor, &rep, err, errlen);
	return rc;
}

int wp_queue_push(struct wp_ledger *queue, struct wp_ledger *central, X509 *ca,
		  struct wp_import_result *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (central->ops != &wp_pg_ops || queue->ops == &wp_pg_ops) {
		snprintf(err, errlen, "a station's queue (an SQLite file) is pushed to the "
			 "organisation's PostgreSQL ledger (--to postgresql://...)");
		return WP_CUSTODY_ERROR;
	}
	char keep[WP_LEDGER_ID_HEX];
	snprintf(keep, sizeof(keep), "%s", central->chain);
	central->chain[0] = '\0';   /* the online chain */
	int rc = wp_ledger_begin(central, true, err, errlen);   /* its head lock */
	if (rc == 0) {
		rc = push_locked(queue, central, ca, out, err, errlen);
		if (rc == 0 && !out->unchanged)
			rc = wp_ledger_commit(central, err, errlen);
		else
			wp_ledger_end(central, false);
	}
	snprintf(central->chain, sizeof(central->chain), "%s", keep);
	return rc;
}
