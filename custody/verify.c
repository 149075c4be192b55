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

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct signer {
	char fingerprint[WP_FPR_HEX];
	X509 *cert;                /* NULL when the stored PEM is unusable */
	struct wp_person person;
	char problem[200];
	/* wp_cert_check passed once at a time within [ok_from, ok_until]:
	 * the intersection of this certificate's and the CA's validity. With
	 * the store holding only the CA, X509_verify_cert depends on the time
	 * only through those two windows, so any time in it gets the same
	 * verdict; a time outside is checked again (tests/unit/test_custody.c,
	 * verify_cert_cache_honours_time). Failures are never cached. */
	bool ok_cached;
	time_t ok_from, ok_until;
};

struct verifier {
	X509 *ca;
	X509_CRL *crl;             /* NULL: no revocation list */
	struct signer *signers;
	size_t n_signers, cap_signers;
	struct wp_asset_map assets;
	struct wp_asset_state *st; /* the event's asset, unpacked from assets */
	struct wp_sig_checker *checker; /* NULL: wp_sig_verify (the append's cross-check) */
	struct sig_pool *pool;     /* NULL: signatures checked here, in turn */
	bool approval_required;
	json_t *policy;            /* the last policy event's body (issue 17 table); NULL: none */
	uint64_t expect;
	char prev[WP_HASH_HEX];
	uint64_t anchor_seq;       /* 0: no anchor */
	char anchor_hash[WP_HASH_HEX];
	bool anchor_soft;          /* several chains: the anchor is of one of them */
	bool anchor_hit;           /* this chain holds the anchor's event */
	uint64_t station_seq;      /* a pushed chain: the head its station signed, 0: none */
	char station_hash[WP_HASH_HEX];
	struct wp_custody_report *rep;
	time_t prev_at, now;       /* the previous event's time; the verifier's clock */
	time_t at;                 /* this event's time (check_time) */
	EVP_MD_CTX *md;            /* the chain's hashing, reused */
	struct wp_text_buf text;   /* the event's canonical text, reused */
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

static int signer_one(const char *fpr, size_t fprlen, const char *pem, size_t pemlen, void *ctx)
{
	struct verifier *v = ctx;
	if (v->n_signers == v->cap_signers) {
		size_t cap = v->cap_signers ? 2 * v->cap_signers : 16;
		struct signer *grown = realloc(v->signers, cap * sizeof(*grown));
		if (!grown)
			return WP_CUSTODY_ERROR;
		v->signers = grown;
		v->cap_signers = cap;
	}
	struct signer *s = &v->signers[v->n_signers++];
	memset(s, 0, sizeof(*s));
	signer_load(s, fpr && strlen(fpr) == fprlen ? fpr : "", pem, pemlen);
	return 0;
}

static int signers_load(struct wp_ledger *l, struct verifier *v, char *err, size_t errlen)
{
	int rc = l->ops->signers(l, signer_one, v, err, errlen);
	if (rc == WP_CUSTODY_ERROR && !err[0])
		snprintf(err, errlen, "out of memory reading the signers");
	return rc;
}

static struct signer *signer_find(const struct verifier *v, const char *fpr)
{
	for (size_t i = 0; i < v->n_signers; i++)
		if (strcmp(v->signers[i].fingerprint, fpr) == 0)
			return &v->signers[i];
	return NULL;
}

/* An ASN1_TIME as time_t; false when it cannot be read. */
static bool asn1_to_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return false;
	*out = timegm(&tm);
	return *out != (time_t)-1;
}

/* The certificate chain check at time at, remembered per signer for the
 * window in which its verdict cannot change (struct signer). It was one
 * X509_verify_cert per event, several times the cost of the signature. */
static int cert_check_cached(struct signer *s, X509 *ca, time_t at, char *msg, size_t msglen)
{
	if (s->ok_cached && at >= s->ok_from && at <= s->ok_until)
		return 0;
	if (wp_cert_check(s->cert, ca, at, msg, msglen) < 0)
		return -1;
	time_t cb, ce, ab, ae;
	if (asn1_to_time(X509_get0_notBefore(s->cert), &cb) &&
	    asn1_to_time(X509_get0_notAfter(s->cert), &ce) &&
	    asn1_to_time(X509_get0_notBefore(ca), &ab) && asn1_to_time(X509_get0_notAfter(ca), &ae) &&
	    at >= cb && at >= ab && at <= ce && at <= ae) {
		s->ok_cached = true;
		s->ok_from = cb > ab ? cb : ab;
		s->ok_until = ce < ae ? ce : ae;
	}
	return 0;
}

/* ---- signatures on worker threads ------------------------------------------ */

/* A verification hands each ECDSA check to worker threads and walks on: the chain, times, certificates
 * and rules stay in seq order on this thread, and only the signature
 * itself, about 100 µs against the rest's few, runs in parallel (issue
 * 18). The verdict stays exactly the sequential one: jobs are numbered in
 * the order the sequential pass would have checked them, every job comes
 * before whatever this thread checks after queueing it, so the first bad
 * thing is the failed job with the lowest number if there is one, else
 * what this thread found. A failed job carries the report as it stood
 * before its event (what the sequential pass would have returned), and
 * this thread stops at the next row once one failed. The queue is
 * bounded: memory stays the same whatever the ledger's size. */
#define SIG_QUEUE 512
#define SIG_BATCH 16               /* jobs handed over per lock */
#define SIG_HEX_MAX 288            /* a P-384 signature in hex fits; longer: checked in turn */
#define NO_JOB UINT64_MAX

struct before {                    /* the report before an event */
	uint64_t events, head_seq;
	char head_hash[WP_HASH_HEX];
	char ledger_id[WP_LEDGER_ID_HEX];
	bool approval_required, anchor_hit;
};

struct sig_job {
	uint64_t seq;
	EVP_PKEY *key;
	char hash[WP_HASH_HEX];
	char sig[SIG_HEX_MAX];
	const char *what;
	char name[WP_NAME_MAX];
	struct before before;
	bool done;
};

struct sig_pool {
	pthread_mutex_t lock;
	pthread_cond_t work, room;
	struct sig_job jobs[SIG_QUEUE];
	uint64_t submitted, taken, finished;
	/* the walk's own: jobs [submitted, filled) are written but not yet
	 * handed over, in slots [submitted, reserved) it found done, which no
	 * worker touches until they are handed over */
	uint64_t filled, reserved;
	unsigned idle;                 /* workers waiting for a job */
	bool waiting;                  /* this thread waits for room or the drain */
	bool stop;
	atomic_bool failed;
	uint64_t bad_job;              /* lowest failed job, NO_JOB: none */
	uint64_t bad_seq;
	char bad_why[768];
	struct before bad_before;
	pthread_t *threads;
	size_t n_threads;
};

static int verify_threads = -1;

void wp_custody_verify_threads(int n)
{
	verify_threads = n;
}

static void job_finish(struct sig_pool *p, struct sig_job *j, uint64_t id, bool bad,
		       const char *msg)
{
	pthread_mutex_lock(&p->lock);
	if (bad && id < p->bad_job) {
		p->bad_job = id;
		p->bad_seq = j->seq;
		snprintf(p->bad_why, sizeof(p->bad_why), "%s (%s): %s", j->what, j->name, msg);
		p->bad_before = j->before;
		atomic_store(&p->failed, true);
	}
	j->done = true;
	p->finished++;
	/* the walk waits for half the queue, not for one slot: one wake-up
	 * per SIG_QUEUE / 2 checks instead of one per check */
	if (p->waiting && p->submitted - p->finished <= SIG_QUEUE / 2)
		pthread_cond_broadcast(&p->room);
	pthread_mutex_unlock(&p->lock);
}

static void *sig_worker(void *arg)
{
	struct sig_pool *p = arg;
	struct wp_sig_checker *c = wp_sig_checker_new();
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->taken == p->submitted) {
			p->idle++;
			pthread_cond_wait(&p->work, &p->lock);
			p->idle--;
		}
		if (p->taken == p->submitted)
			break;
		uint64_t id = p->taken++;
		struct sig_job *j = &p->jobs[id % SIG_QUEUE];
		bool skip = id > p->bad_job;   /* after a known failure: never reported */
		pthread_mutex_unlock(&p->lock);
		char msg[300] = "out of memory";
		bool bad = !skip && (!c || wp_sig_checker_verify(c, j->key, j->hash, strlen(j->hash),
								  j->sig, msg, sizeof(msg)) < 0);
		job_finish(p, j, id, bad, msg);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	wp_sig_checker_free(c);
	return NULL;
}

/* Hand the written jobs over to the workers. With the lock held. */
static void pool_publish(struct sig_pool *p)
{
	if (p->filled == p->submitted)
		return;
	p->submitted = p->filled;
	if (p->idle)
		pthread_cond_broadcast(&p->work);
}

static void pool_drain(struct sig_pool *p)
{
	pthread_mutex_lock(&p->lock);
	pool_publish(p);
	while (p->finished < p->submitted) {
		p->waiting = true;
		pthread_cond_wait(&p->room, &p->lock);
	}
	p->waiting = false;
	pthread_mutex_unlock(&p->lock);
}

static void pool_free(struct sig_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->room);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}

/* NULL (check in turn) when no thread could be started. */
static struct sig_pool *pool_new(size_t threads)
{
	struct sig_pool *p = threads ? calloc(1, sizeof(*p)) : NULL;
	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->room, NULL);
	atomic_init(&p->failed, false);
	p->bad_job = NO_JOB;
	for (size_t i = 0; i < SIG_QUEUE; i++)
		p->jobs[i].done = true;
	p->threads = calloc(threads, sizeof(*p->threads));
	for (size_t i = 0; p->threads && i < threads; i++)
		if (pthread_create(&p->threads[p->n_threads], NULL, sig_worker, p) == 0)
			p->n_threads++;
	if (!p->n_threads) {
		pool_free(p);
		return NULL;
	}
	return p;
}

static bool batch_free(const struct sig_pool *p)
{
	for (uint64_t id = p->filled; id < p->filled + SIG_BATCH; id++)
		if (!p->jobs[id % SIG_QUEUE].done)
			return false;
	return true;
}

/* Hand over what is written, and reserve the next SIG_BATCH slots: one
 * lock per batch instead of one per check. A full queue: wait until the
 * workers have emptied half of it. */
static void pool_next_batch(struct sig_pool *p)
{
	pthread_mutex_lock(&p->lock);
	pool_publish(p);
	while (!batch_free(p)) {
		p->waiting = true;
		pthread_cond_wait(&p->room, &p->lock);
	}
	p->waiting = false;
	p->reserved = p->filled + SIG_BATCH;
	pthread_mutex_unlock(&p->lock);
}

/* Queue one signature check; -1 when it cannot be queued (a signature
 * longer than any this program writes): then checked here, in turn. */
static int pool_submit(struct verifier *v, const struct wp_event *ev, EVP_PKEY *key,
		       const char *sig, const char *what, const char *name)
{
	struct sig_pool *p = v->pool;
	size_t siglen = strlen(sig), namelen = strlen(name);
	if (siglen >= SIG_HEX_MAX || namelen >= WP_NAME_MAX)
		return -1;
	if (p->filled == p->reserved)
		pool_next_batch(p);
	struct sig_job *j = &p->jobs[p->filled % SIG_QUEUE];
	j->done = false;
	j->seq = ev->seq;
	j->key = key;
	memcpy(j->hash, ev->hash, sizeof(j->hash));
	memcpy(j->sig, sig, siglen + 1);
	j->what = what;
	memcpy(j->name, name, namelen + 1);
	j->before.events = v->rep->events;
	j->before.head_seq = v->rep->head_seq;
	memcpy(j->before.head_hash, v->rep->head_hash, sizeof(j->before.head_hash));
	memcpy(j->before.ledger_id, v->rep->ledger_id, sizeof(j->before.ledger_id));
	j->before.approval_required = v->approval_required;
	j->before.anchor_hit = v->anchor_hit;
	p->filled++;
	return 0;
}

/* After the walk: wait for every queued check; a failed one is the
 * verdict (it comes before anything this thread found). */
static int pool_verdict(struct verifier *v, int rc)
{
	struct sig_pool *p = v->pool;
	if (!p)
		return rc;
	pool_drain(p);
	if (p->bad_job == NO_JOB)
		return rc;
	struct wp_custody_report *rep = v->rep;
	rep->bad_seq = p->bad_seq;
	snprintf(rep->why, sizeof(rep->why), "%s", p->bad_why);
	rep->events = p->bad_before.events;
	rep->head_seq = p->bad_before.head_seq;
	memcpy(rep->head_hash, p->bad_before.head_hash, sizeof(rep->head_hash));
	memcpy(rep->ledger_id, p->bad_before.ledger_id, sizeof(rep->ledger_id));
	v->approval_required = p->bad_before.approval_required;
	v->anchor_hit = p->bad_before.anchor_hit;
	return WP_CUSTODY_BROKEN;
}

/* ---- one event ------------------------------------------------------------ */

#define BAD(...) (snprintf(why, whylen, __VA_ARGS__), -1)

static int check_signature(struct verifier *v, const struct wp_event *ev,
			   const struct wp_actor *who, const char *sig, const char *what,
			   char *why, size_t whylen)
{
	char msg[300];
	struct signer *s = signer_find(v, who->fingerprint);
	time_t at = v->at;
	if (!s)
		return BAD("%s certificate %.16s is not in the ledger's signers table", what,
			   who->fingerprint);
	if (s->problem[0])
		return BAD("%s certificate %.16s: %s", what, who->fingerprint, s->problem);
	if (strcmp(s->person.name, who->name) != 0 || strcmp(s->person.title, who->title) != 0 ||
	    strcmp(wp_role_name(s->person.role), who->role) != 0)
		return BAD("%s name, title or role differ from the certificate (%s, %s, %s)", what,
			   s->person.name, s->person.title, wp_role_name(s->person.role));
	if (cert_check_cached(s, v->ca, at, msg, sizeof(msg)) < 0)
		return BAD("%s (%s) at the event's time: %s", what, who->name, msg);
	if (wp_crl_check(v->crl, &s->person, at, msg, sizeof(msg)) < 0)
		return BAD("%s: %s", what, msg);
	if (!sig)
		return BAD("%s signature is missing", what);
	EVP_PKEY *key = X509_get0_pubkey(s->cert);
	if (v->pool && pool_submit(v, ev, key, sig, what, who->name) == 0)
		return 0;
	if (v->checker ? wp_sig_checker_verify(v->checker, key, ev->hash, strlen(ev->hash), sig,
					       msg, sizeof(msg)) < 0
		       : wp_sig_verify(s->cert, ev->hash, strlen(ev->hash), sig, msg, sizeof(msg)) < 0)
		return BAD("%s (%s): %s", what, who->name, msg);
	return 0;
}

static int check_chain(struct verifier *v, const struct wp_row *row, char *why, size_t whylen)
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
	char hash[WP_HASH_HEX];
	if (wp_event_text(ev, row->body_text, &v->text) == 0) {
		wp_event_hash_in(v->md, ev->prev_hash, v->text.text, v->text.len, hash);
	} else {
		json_t *obj = wp_event_canonical_object(ev);
		char *text = obj ? wp_canonical_json(obj, msg, sizeof(msg)) : NULL;
		json_decref(obj);
		if (!text)
			return BAD("event cannot be serialised: %s", msg);
		wp_event_hash(ev->prev_hash, text, hash);
		free(text);
	}
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
	v->prev_at = v->at = at;
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

/* The person id of the signer's certificate ("" without one): a copy per
 * event, not a formatting. */
static void copy_id(char out[WP_ID_MAX], const struct signer *s)
{
	size_t n = s ? strnlen(s->person.id, WP_ID_MAX - 1) : 0;
	if (n)
		memcpy(out, s->person.id, n);
	out[n] = '\0';
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
	struct wp_asset_state *st = v->st;
	char msg[600];
	if (wp_asset_map_load(&v->assets, ev->asset, st) < 0)
		return BAD("out of memory");
	/* the rules compare people by the id in their certificates */
	struct wp_event who = *ev;
	const struct signer *s = signer_find(v, ev->actor.fingerprint);
	copy_id(who.actor.id, s);
	s = ev->witnessed ? signer_find(v, ev->witness.fingerprint) : NULL;
	copy_id(who.witness.id, s);
	if (wp_rule_check(st, v->policy, &who, msg, sizeof(msg)) < 0)
		return BAD("breaks a rule: %s", msg);
	wp_state_apply(st, &who);
	if (wp_asset_map_store(&v->assets, ev->asset, st) < 0)
		return BAD("out of memory");
	if (strcmp(ev->kind, WP_EV_POLICY) == 0) {
		v->approval_required = wp_policy_approval(ev);
		json_decref(v->policy);
		v->policy = json_incref(ev->body);
	}
	if (v->station_seq == ev->seq && strcmp(v->station_hash, ev->hash) != 0)
		return BAD("its hash %.16s… differs from the one in the signed head its station "
			   "pushed (%.16s…): the row was replaced on the server", ev->hash,
			   v->station_hash);
	if (v->anchor_seq == ev->seq && strcmp(v->anchor_hash, ev->hash) == 0)
		v->anchor_hit = true;
	else if (v->anchor_seq == ev->seq && !v->anchor_soft)
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
	/* the same arrays (WP_HASH_HEX): a copy, not a formatting per event */
	memcpy(rep->head_hash, row->ev.hash, sizeof(rep->head_hash));
	memcpy(v->prev, row->ev.hash, sizeof(v->prev));
	v->expect++;
	if (v->fn && (!v->asset || strcmp(v->asset, row->ev.asset) == 0))
		return v->fn(&row->ev, v->st, v->ctx);
	return 0;
}

static int walk_one(const struct wp_row *row, void *ctx)
{
	struct verifier *v = ctx;
	if (v->pool && atomic_load_explicit(&v->pool->failed, memory_order_relaxed))
		return WP_CUSTODY_BROKEN;   /* pool_verdict tells which */
	return on_row(v, row);
}

static int walk(struct wp_ledger *l, struct verifier *v, char *err, size_t errlen)
{
	return pool_verdict(v, l->ops->rows(l, WP_ROWS_ALL, NULL, walk_one, v, err, errlen));
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

/* A pushed station's chain holds at least what its station signed when it
 * last pushed (chains.signed_head, checked like any signed head): the
 * server's rows cannot lose that chain's tail unnoticed. */
static int station_head(struct wp_ledger *l, struct verifier *v, char *err, size_t errlen)
{
	char *text = NULL;
	struct wp_signed_head h;
	struct wp_custody_report *rep = v->rep;
	if (!l->chain[0])
		return 0;
	int rc = l->ops->text(l, WP_Q_STATION_HEAD, l->chain, &text, err, errlen);
	if (rc < 0 || !text)
		return rc;
	char why[600];
	if (wp_head_verify(text, strlen(text), v->ca, v->crl, &h, why, sizeof(why)) < 0 ||
	    strcmp(h.ledger_id, l->chain) != 0) {
		snprintf(rep->why, sizeof(rep->why), "the station's signed head kept for this chain "
			 "does not hold: %s", strcmp(h.ledger_id, l->chain) ? "it is of another ledger"
			 : why);
		rc = WP_CUSTODY_BROKEN;
	} else {
		v->station_seq = h.seq;
		snprintf(v->station_hash, sizeof(v->station_hash), "%s", h.hash);
	}
	free(text);
	return rc;
}

static void check_station_reached(struct verifier *v)
{
	struct wp_custody_report *rep = v->rep;
	if (v->station_seq && !rep->bad_seq && rep->head_seq < v->station_seq) {
		rep->bad_seq = rep->head_seq + 1;
		snprintf(rep->why, sizeof(rep->why), "missing: the chain ends at seq %llu but its "
			 "station's signed head, accepted at its last push, names seq %llu (events "
			 "were deleted on the server)", (unsigned long long)rep->head_seq,
			 (unsigned long long)v->station_seq);
	}
}

/* One chain (l->chain), as README.md "Verification" says. */
static int replay_chain(struct wp_ledger *ledger, X509 *ca, uint64_t anchor_seq,
			const char *anchor_hash, bool soft, const char *asset, wp_verified_fn fn,
			void *ctx, size_t workers, struct wp_custody_report *report, bool *hit,
			char *err, size_t errlen)
{
	struct verifier v = { .ca = ca, .crl = ledger->crl, .approval_required = true, .expect = 1,
			      .rep = report, .now = time(NULL), .asset = asset, .fn = fn, .ctx = ctx,
			      .anchor_seq = anchor_seq, .anchor_soft = soft };
	memset(report, 0, sizeof(*report));
	snprintf(v.prev, sizeof(v.prev), "%s", WP_ZERO_HASH);
	snprintf(v.anchor_hash, sizeof(v.anchor_hash), "%s", anchor_hash);
	snprintf(report->head_hash, sizeof(report->head_hash), "%s", WP_ZERO_HASH);
	snprintf(report->bad_chain, sizeof(report->bad_chain), "%s", ledger->chain);
	report->chains = 1;
	/* inside the caller's transaction (an import checks what it is about
	 * to commit), else in a read snapshot of its own */
	bool own = !ledger->in_tx;
	int rc = 0;
	v.st = malloc(sizeof(*v.st));
	v.checker = wp_sig_checker_new();
	v.md = EVP_MD_CTX_new();
	if (!v.st || !v.checker || !v.md) {
		snprintf(err, errlen, "out of memory");
		rc = WP_CUSTODY_ERROR;
	}
	/* a reader's fn, too, sees each event before its signature's check
	 * may have finished: every reader collects, and acts only when the
	 * pass returns 0 — after pool_verdict, so every signature held
	 * (custody.h, wp_custody_replay) */
	if (rc == 0)
		v.pool = pool_new(workers);
	if (rc == 0 && own)
		rc = wp_ledger_begin(ledger, false, err, errlen);
	if (rc == 0) {
		rc = ledger->ops->check_store(ledger, report->why, sizeof(report->why), err, errlen);
		if (rc == 0)
			rc = signers_load(ledger, &v, err, errlen);
		if (rc == 0)
			rc = station_head(ledger, &v, err, errlen);
		if (rc == 0)
			rc = walk(ledger, &v, err, errlen);
		if (rc == 0)
			check_station_reached(&v);
		if (own)
			wp_ledger_end(ledger, true);
	}
	if (rc == 0 && !soft)
		check_anchor_reached(&v);
	report->approval_required = v.approval_required;
	if (rc == 0 && report->bad_seq)
		rc = WP_CUSTODY_BROKEN;
	*hit = v.anchor_hit;
	pool_free(v.pool);             /* before the keys its jobs use */
	for (size_t i = 0; i < v.n_signers; i++)
		X509_free(v.signers[i].cert);
	free(v.signers);
	wp_sig_checker_free(v.checker);
	EVP_MD_CTX_free(v.md);
	free(v.text.text);
	free(v.st);
	wp_asset_map_free(&v.assets);
	json_decref(v.policy);
	return rc;
}

/* ---- several chains (PostgreSQL) ------------------------------------------- */

struct chain_list {
	char (*keys)[WP_LEDGER_ID_HEX];
	size_t n, cap;
};

static int chain_one(const char *key, size_t klen, const char *b, size_t blen, void *ctx)
{
	(void)b;
	(void)blen;
	struct chain_list *c = ctx;
	if (klen >= WP_LEDGER_ID_HEX)
		return 0;           /* not a key this program writes: its rows are no chain */
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 8;
		void *grown = realloc(c->keys, cap * sizeof(*c->keys));
		if (!grown)
			return WP_CUSTODY_ERROR;
		c->keys = grown;
		c->cap = cap;
	}
	snprintf(c->keys[c->n++], WP_LEDGER_ID_HEX, "%s", key);
	return 0;
}

struct chain_job {
	struct wp_ledger *base;
	X509 *ca;
	uint64_t anchor_seq;
	const char *anchor_hash;
	bool soft;
	const char *asset;
	wp_verified_fn fn;
	void *ctx;
	struct chain_list *list;
	size_t workers;            /* signature threads per chain */
	struct wp_custody_report *reps;
	int *rcs;
	bool *hits;
	char (*errs)[512];
	size_t next;
	pthread_mutex_t lock;
};

static void run_chain(struct chain_job *j, struct wp_ledger *l, size_t i)
{
	snprintf(l->chain, sizeof(l->chain), "%s", j->list->keys[i]);
	j->rcs[i] = replay_chain(l, j->ca, j->anchor_seq, j->anchor_hash, j->soft, j->asset, j->fn,
				 j->ctx, j->workers, &j->reps[i], &j->hits[i], j->errs[i], sizeof(j->errs[i]));
}

/* A verifier thread: its own connection, chains taken one at a time. */
static void *chain_worker(void *arg)
{
	struct chain_job *j = arg;
	struct wp_ledger *l = NULL;
	char err[512];
	int opened = wp_ledger_reopen(j->base, &l, err, sizeof(err));
	for (;;) {
		pthread_mutex_lock(&j->lock);
		size_t i = j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->list->n)
			break;
		if (opened < 0) {
			j->rcs[i] = WP_CUSTODY_ERROR;
			snprintf(j->errs[i], sizeof(j->errs[i]), "%s", err);
			continue;
		}
		run_chain(j, l, i);
	}
	wp_ledger_close(l);
	return NULL;
}

/* Chains are independent (each has its own seq 1, hashes and state), so
 * a pure verification checks them in parallel, one thread and one
 * connection per core; readers that print (fn) go one chain after the
 * other so their output keeps its order. */
static void run_chains(struct chain_job *j)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = j->fn || j->list->n < 2 || cores < 2 ? 0
		   : (size_t)cores < j->list->n ? (size_t)cores : j->list->n;
	/* and each chain's signatures on the cores the chains leave: one
	 * chain gets them all; several in parallel get one worker each, the
	 * worker's ECDSA overlapping its chain thread's hashing and rules */
	j->workers = cores < 2 ? 0 : n ? ((size_t)cores / n > 1 ? (size_t)cores / n : 1)
					: (size_t)cores;
	if (verify_threads >= 0)
		j->workers = (size_t)verify_threads;
	pthread_t *t = n ? calloc(n, sizeof(*t)) : NULL;
	size_t started = 0;
	pthread_mutex_init(&j->lock, NULL);
	for (size_t k = 0; t && k < n; k++)
		if (pthread_create(&t[k], NULL, chain_worker, j) == 0)
			started++;
	for (size_t k = 0; k < started; k++)
		pthread_join(t[k], NULL);
	free(t);
	/* no threads (or none started): here, through the caller's handle */
	for (size_t i = j->next; i < j->list->n; i = ++j->next)
		run_chain(j, j->base, i);
	pthread_mutex_destroy(&j->lock);
}

int wp_custody_replay(struct wp_ledger *ledger, X509 *ca, const char *anchor, const char *asset,
		      wp_verified_fn fn, void *ctx, struct wp_custody_report *report,
		      char *err, size_t errlen)
{
	uint64_t anchor_seq = 0;
	char anchor_hash[WP_HASH_HEX] = "";
	memset(report, 0, sizeof(*report));
	snprintf(report->head_hash, sizeof(report->head_hash), "%s", WP_ZERO_HASH);
	if (anchor && wp_anchor_parse(anchor, &anchor_seq, anchor_hash) < 0) {
		snprintf(err, errlen, "anchor '%s' is not HASH@SEQ as 'wipeproof custody head' prints it",
			 anchor);
		return WP_CUSTODY_ERROR;
	}
	/* an appender's handle reads its own chain; a reader reads them all */
	struct chain_list list = { 0 };
	int rc = 0;
	char keep[WP_LEDGER_ID_HEX];
	snprintf(keep, sizeof(keep), "%s", ledger->chain);
	if (ledger->readonly)
		rc = ledger->ops->chains(ledger, chain_one, &list, err, errlen);
	else
		rc = chain_one(ledger->chain, strlen(ledger->chain), "", 0, &list);
	if (rc == 0 && list.n == 0)
		rc = chain_one("", 0, "", 0, &list);   /* an empty ledger: one empty chain */
	struct chain_job j = { .base = ledger, .ca = ca, .anchor_seq = anchor_seq,
			       .anchor_hash = anchor_hash, .soft = list.n > 1, .asset = asset,
			       .fn = fn, .ctx = ctx, .list = &list };
	j.reps = rc == 0 ? calloc(list.n, sizeof(*j.reps)) : NULL;
	j.rcs = rc == 0 ? calloc(list.n, sizeof(*j.rcs)) : NULL;
	j.hits = rc == 0 ? calloc(list.n, sizeof(*j.hits)) : NULL;
	j.errs = rc == 0 ? calloc(list.n, sizeof(*j.errs)) : NULL;
	if (rc == 0 && (!j.reps || !j.rcs || !j.hits || !j.errs)) {
		snprintf(err, errlen, "out of memory");
		rc = WP_CUSTODY_ERROR;
	}
	if (rc == 0)
		run_chains(&j);
	snprintf(ledger->chain, sizeof(ledger->chain), "%s", keep);
	/* the chain whose head, id and policy the report shows */
	size_t main = 0, bad = list.n;
	for (size_t i = 0; rc == 0 && i < list.n; i++) {
		if (!list.keys[i][0] && !anchor_seq)
			main = i;
		if (anchor_seq && j.hits[i])
			main = i;
		if (j.rcs[i] != 0 && bad == list.n)
			bad = i;
	}
	if (rc == 0) {
		const struct wp_custody_report *m = bad < list.n ? &j.reps[bad] : &j.reps[main];
		*report = *m;
		report->events = 0;
		for (size_t i = 0; i < list.n; i++)
			report->events += j.reps[i].events;
		report->chains = (unsigned)list.n;
		if (bad < list.n && j.rcs[bad] != WP_CUSTODY_BROKEN) {
			snprintf(err, errlen, "%s", j.errs[bad]);
			rc = j.rcs[bad];
		} else if (bad < list.n) {
			rc = WP_CUSTODY_BROKEN;
		} else if (anchor_seq && list.n > 1 && !j.hits[main]) {
			/* no chain holds the anchor's event: cut, or another history */
			snprintf(report->why, sizeof(report->why), "missing: no chain of this ledger "
				 "holds the anchor's event %.16s…@%llu (events were removed from the "
				 "end, or it is of another ledger)", anchor_hash,
				 (unsigned long long)anchor_seq);
			report->bad_seq = anchor_seq;
			rc = WP_CUSTODY_BROKEN;
		}
	}
	const char *in = report->bad_chain[0] && report->chains > 1 ? report->bad_chain : NULL;
	char where[96] = "";
	if (in)
		snprintf(where, sizeof(where), " (station chain %s)", in);
	if (rc == WP_CUSTODY_BROKEN && report->bad_seq == 0)
		snprintf(err, errlen, "ledger %s does not verify%s: %s", ledger->path, where,
			 report->why);
	else if (rc == WP_CUSTODY_BROKEN)
		snprintf(err, errlen, "ledger %s does not verify%s: first bad event is seq %llu: %s",
			 ledger->path, where, (unsigned long long)report->bad_seq, report->why);
	free(j.reps);
	free(j.rcs);
	free(j.hits);
	free(j.errs);
	free(list.keys);
	return rc;
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
struct cross {
	struct verifier v;
	struct wp_ledger *l;
	char *err;
	size_t errlen;
};

static int cross_one(const struct wp_row *row, void *ctx)
{
	struct cross *x = ctx;
	struct verifier *v = &x->v;
	char why[768] = "";
	snprintf(v->prev, sizeof(v->prev), "%s", row->prev_row_hash ? row->prev_row_hash : "");
	if (row->bad_column)
		snprintf(why, sizeof(why), "column %s is not of its declared type", row->bad_column);
	else if (check_chain(v, row, why, sizeof(why)) < 0)
		;
	else if (wp_utc_parse(row->ev.time, &v->at) < 0)  /* check_signature's time */
		snprintf(why, sizeof(why), "time '%s' is not YYYY-MM-DDTHH:MM:SSZ", row->ev.time);
	else if (check_signature(v, &row->ev, &row->ev.actor, row->signature, "signer", why,
				 sizeof(why)) == 0 && row->ev.witnessed)
		check_signature(v, &row->ev, &row->ev.witness, row->witness_signature, "witness",
				why, sizeof(why));
	if (!why[0])
		return 0;
	snprintf(x->err, x->errlen, "ledger %s does not verify: first bad event is seq %llu: "
		 "%s; nothing was recorded — run 'wipeproof custody verify'", x->l->path,
		 (unsigned long long)row->ev.seq, why);
	return WP_CUSTODY_BROKEN;
}

int wp_rows_cross_check(struct wp_ledger *l, X509 *ca, const char *asset, char *err,
			size_t errlen)
{
	struct wp_custody_report rep = { 0 };
	struct cross x = { .v = { .ca = ca, .rep = &rep, .md = EVP_MD_CTX_new() }, .l = l,
			   .err = err, .errlen = errlen };
	int rc = x.v.md ? signers_load(l, &x.v, err, errlen) : WP_CUSTODY_ERROR;
	if (!x.v.md)
		snprintf(err, errlen, "out of memory");
	if (rc == 0)
		rc = l->ops->rows(l, WP_ROWS_ASSET_POLICY, asset, cross_one, &x, err, errlen);
	for (size_t i = 0; i < x.v.n_signers; i++)
		X509_free(x.v.signers[i].cert);
	free(x.v.signers);
	EVP_MD_CTX_free(x.v.md);
	free(x.v.text.text);
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

/* The asset's state, and the policy in force (issue 17: the rules read
 * its body), from the events of one verified pass. */
struct kept {
	const char *asset;
	struct wp_asset_state *st;
	json_t *policy;
};

static int keep_state(const struct wp_event *ev, const struct wp_asset_state *st, void *ctx)
{
	struct kept *k = ctx;
	if (strcmp(ev->kind, WP_EV_POLICY) == 0) {
		json_decref(k->policy);
		k->policy = json_incref(ev->body);
	}
	if (strcmp(ev->asset, k->asset) == 0)
		*k->st = *st;
	return 0;
}

int wp_verified_state(struct wp_ledger *ledger, const char *asset, struct wp_asset_state *out,
		      json_t **policy, char *err, size_t errlen)
{
	struct kept k = { asset, out, NULL };
	struct wp_custody_report *rep = malloc(sizeof(*rep));
	memset(out, 0, sizeof(*out));
	snprintf(out->asset, sizeof(out->asset), "%s", asset);
	int rc = need_ca(ledger, err, errlen);
	if (rc == 0 && !rep) {
		snprintf(err, errlen, "out of memory");
		rc = WP_CUSTODY_ERROR;
	}
	if (rc == 0)
		rc = wp_custody_replay(ledger, ledger->ca, NULL, NULL, keep_state, &k, rep, err,
				       errlen);
	if (rc == 0 && policy)
		*policy = k.policy;
	else
		json_decref(k.policy);
	free(rep);
	return rc;
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

int wp_custody_state(struct wp_ledger *ledger, const char *asset,
		     struct wp_asset_state *out, char *err, size_t errlen)
{
	return wp_verified_state(ledger, asset, out, NULL, err, errlen);
}
