/*
 * The auditor's check of a certificate: needs no root and no private key —
 * only the document, its signature, the CA (or, for a QR code, the trust
 * bundle), and optionally the ledger and the disk. Every check is recorded
 * in the verdict with its outcome and the line an auditor reads; the first
 * that fails decides it. A front end prints the verdict (cli/cert_verify.c
 * as one VALID or INVALID line and the details) or acts on it (`cert
 * validate` signs only a certificate that passed).
 *
 * This file links neither render/ nor a private key: it is its own library
 * (wp_station_audit) so that an auditor's build can prove it.
 */
#include "station.h"
#include "wpi18n.h"
#include "verify.h"
#include "wptext.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FILE (1 << 20)

char *wp_cert_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	char *buf = NULL;
	return wp_read_file(path, MAX_FILE, 0, &buf, len, err, errlen) == 0 ? buf : NULL;
}

const char *wp_audit_kind_name(enum wp_audit_kind kind)
{
	static const char *const names[] = {
		[WP_AUDIT_ANCHOR] = "anchor", [WP_AUDIT_SIGNATURE] = "signature",
		[WP_AUDIT_REVOCATION] = "revocation", [WP_AUDIT_DOCUMENT] = "document",
		[WP_AUDIT_ISSUER] = "issuer", [WP_AUDIT_CLAIMS] = "claims",
		[WP_AUDIT_VALIDATOR] = "validator", [WP_AUDIT_LEDGER] = "ledger",
		[WP_AUDIT_REPORT] = "report", [WP_AUDIT_DEVICE] = "device", [WP_AUDIT_QR] = "qr",
	};
	return (size_t)kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "?";
}

const struct wp_audit_check *wp_audit_find(const struct wp_audit_verdict *v,
					   enum wp_audit_kind kind)
{
	const struct wp_audit_check *first = NULL;
	for (size_t i = 0; i < v->n_checks; i++) {
		if (v->checks[i].kind != kind)
			continue;
		if (v->checks[i].outcome == WP_AUDIT_FAILED)
			return &v->checks[i];
		if (!first)
			first = &v->checks[i];
	}
	return first;
}

void wp_audit_verdict_clear(struct wp_audit_verdict *v)
{
	json_decref(v->doc);
	v->doc = NULL;
}

/* One check's line. The last slot is kept for a failure, so a verdict
 * never loses the check that decided it. */
static void add(struct wp_audit_verdict *v, enum wp_audit_kind kind, enum wp_audit_outcome out,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(struct wp_audit_verdict *v, enum wp_audit_kind kind, enum wp_audit_outcome out,
		const char *fmt, ...)
{
	if (v->n_checks >= WP_AUDIT_MAX_CHECKS - (out == WP_AUDIT_FAILED ? 0 : 1))
		return;
	struct wp_audit_check *c = &v->checks[v->n_checks++];
	va_list ap;
	c->kind = kind;
	c->outcome = out;
	va_start(ap, fmt);
	vsnprintf(c->message, sizeof(c->message), fmt, ap);
	va_end(ap);
}

static int invalid(struct wp_audit_verdict *v, enum wp_audit_kind kind, const char *why)
{
	snprintf(v->reason, sizeof(v->reason), "%s", why);
	add(v, kind, WP_AUDIT_FAILED, "%.1000s", why);
	v->status = WP_AUDIT_INVALID;
	return -1;
}

static int trouble(struct wp_audit_verdict *v, enum wp_audit_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int trouble(struct wp_audit_verdict *v, enum wp_audit_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->error, sizeof(v->error), fmt, ap);
	va_end(ap);
	v->status = st;
	return -1;
}

static void utc(time_t t, char *out, size_t len)
{
	if (wp_utc_format(t, out, len) < 0)
		snprintf(out, len, "unknown");
}

/* What a VALID verdict rests on, on the verdict line itself: a signature
 * alone shows who signed, not that the disk was wiped (certs/README.md,
 * threat model). */
static void verdict_scope(struct wp_audit_verdict *v)
{
	snprintf(v->scope, sizeof(v->scope), "%s; checked: %s%s%s",
		 v->signatures[0] ? v->signatures : "signature",
		 v->ledger_checked
		 ? (v->device_checked ? "signatures, ledger and device" : "signatures and ledger")
		 : (v->device_checked ? "signatures and device" : "signatures"),
		 v->ledger_checked ? "" : ", not checked against the ledger",
		 v->revocation_checked ? "" : "; revocation not checked (no CRL)");
}

/* ---- the document and its signature ----------------------------------- */

struct audit {
	const struct wp_audit_request *req;
	struct wp_audit_verdict *v;
	const char *text;            /* the document's bytes */
	size_t len;
	X509_CRL *crl;               /* NULL: revocation not checked */
};

/* What the document says about its issuer is what the CA certified: the
 * fingerprint alone left name, title, role and organisation to the signer's
 * word, and they are printed on the PDF. */
static int bound_to_signer(const json_t *doc, const struct wp_person *p, char *err,
			   size_t errlen)
{
	static const struct { const char *path, *what; } fields[] = {
		{ "issued_by.name", "issuer name" }, { "issued_by.title", "issuer title" },
		{ "issued_by.role", "issuer role" }, { "organisation", "organisation" },
	};
	const char *certified[] = { p->name, p->title, wp_role_name(p->role), p->org };
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *said = wp_certdoc_str(doc, fields[i].path);
		if (strcmp(said, certified[i]) != 0) {
			snprintf(err, errlen, "the document's %s '%s' is not the signer's certificate's "
				 "'%s'", fields[i].what, said, certified[i]);
			return -1;
		}
	}
	return 0;
}

/* The trust anchor of a verdict, shown with it: a look-alike CA with the
 * same names differs only here. */
static int anchor(struct wp_audit_verdict *v, X509 *ca, const char *pin, const char *what)
{
	char err[1024];
	wp_cert_subject_text(ca, v->anchor.subject, sizeof(v->anchor.subject));
	wp_cert_fingerprint(ca, v->anchor.sha256);
	v->anchor.known = true;
	v->anchor.pinned = pin != NULL;
	add(v, WP_AUDIT_ANCHOR, WP_AUDIT_PASSED, "trust anchor: %s %s, SHA-256 %s%s", what,
	    v->anchor.subject, v->anchor.sha256, pin ? " (the pinned CA)" : " (not pinned: "
	    "compare it with the one you trust, or pass --ca-fingerprint)");
	if (wp_ca_pin_check(ca, pin, err, sizeof(err)) < 0) {
		v->anchor.pinned = false;
		return invalid(v, WP_AUDIT_ANCHOR, err);
	}
	return 0;
}

static void claims(struct wp_audit_verdict *v)
{
	const json_t *d = v->doc;
	add(v, WP_AUDIT_CLAIMS, WP_AUDIT_INFO, "certifies: %s (%s), serial %s, asset %s: %s (NIST "
	    "%s), %s", wp_certdoc_str(d, "media.model"), wp_certdoc_str(d, "media.media_type"),
	    wp_certdoc_str(d, "media.serial"), wp_certdoc_str(d, "asset.tag"),
	    wp_certdoc_str(d, "result"), wp_certdoc_str(d, "sanitization.category"),
	    wp_certdoc_str(d, "sanitization.ended_utc"));
	if (wp_certdoc_str(d, "scope.description")[0])
		add(v, WP_AUDIT_CLAIMS, WP_AUDIT_INFO, "scope: %s",
		    wp_certdoc_str(d, "scope.description"));
	/* which build did it: compare with the release's published hash or
	 * `sha256sum /usr/sbin/wipeproof` on the station */
	if (wp_certdoc_str(d, "sanitization.tool_sha256")[0])
		add(v, WP_AUDIT_CLAIMS, WP_AUDIT_INFO, "tool: %s %s, commit %s, executable SHA-256 %s",
		    wp_certdoc_str(d, "sanitization.tool"),
		    wp_certdoc_str(d, "sanitization.tool_version"),
		    wp_certdoc_str(d, "sanitization.tool_commit"),
		    wp_certdoc_str(d, "sanitization.tool_sha256"));
	else
		add(v, WP_AUDIT_CLAIMS, WP_AUDIT_INFO, "tool: %s %s (the certificate names no build)",
		    wp_certdoc_str(d, "sanitization.tool"),
		    wp_certdoc_str(d, "sanitization.tool_version"));
}

static int check_validator(struct audit *a, const char *sig_path, X509 *ca,
			   const struct wp_person *issuer);

static int check_signature(struct audit *a, const char *sig_path, X509 *ca)
{
	struct wp_audit_verdict *v = a->v;
	char err[1024], when[WP_TIME_MAX];
	size_t len = 0;
	struct wp_cms_signer s;
	char *pem = wp_cert_read_file(sig_path, &len, err, sizeof(err));
	if (!pem)
		return trouble(v, WP_AUDIT_ERROR, "%s; give the signature with --sig FILE", err);
	int rc = wp_cms_verify(pem, len, a->text, a->len, ca, &s, err, sizeof(err));
	free(pem);
	if (rc < 0)
		return invalid(v, WP_AUDIT_SIGNATURE, err);
	utc(s.signed_at, when, sizeof(when));
	if (wp_crl_check(a->crl, &s.person, s.signed_at, err, sizeof(err)) < 0)
		return invalid(v, WP_AUDIT_REVOCATION, err);
	add(v, WP_AUDIT_SIGNATURE, WP_AUDIT_PASSED, "signature: valid CMS signature by %s (%s, %s "
	    "— the issuer), fingerprint %.16s, signed %s, certified by the CA above", s.person.name,
	    s.person.title, wp_role_name(s.person.role), s.person.fingerprint, when);
	struct wp_revocation r;
	if (!a->crl)
		add(v, WP_AUDIT_REVOCATION, WP_AUDIT_NOT_CHECKED, "revocation: not checked (no "
		    "crl.pem beside the CA; give --crl FILE)");
	else if (wp_crl_lookup(a->crl, &s.person, &r) == 1)
		add(v, WP_AUDIT_REVOCATION, WP_AUDIT_PASSED, "revocation: the signer's key was "
		    "revoked later (%s); this signature is dated before that", r.reason);
	else
		add(v, WP_AUDIT_REVOCATION, WP_AUDIT_PASSED, "revocation: the signer is not on the "
		    "CA's revocation list");
	if (wp_certdoc_parse(a->text, a->len, &v->doc, err, sizeof(err)) < 0)
		return invalid(v, WP_AUDIT_DOCUMENT, err);
	add(v, WP_AUDIT_DOCUMENT, WP_AUDIT_PASSED, "document: canonical and complete, SHA-256 %s",
	    v->sha256);
	if (strcmp(s.person.fingerprint, wp_certdoc_str(v->doc, "issued_by.fingerprint")) != 0) {
		snprintf(err, sizeof(err), "signed by %s, but the document names %s as its issuer",
			 s.person.name, wp_certdoc_str(v->doc, "issued_by.name"));
		return invalid(v, WP_AUDIT_ISSUER, err);
	}
	if (bound_to_signer(v->doc, &s.person, err, sizeof(err)) < 0)
		return invalid(v, WP_AUDIT_ISSUER, err);
	claims(v);
	snprintf(v->signatures, sizeof(v->signatures), "ONE signature, by %.200s (%s, the issuer)",
		 s.person.name, wp_role_name(s.person.role));
	return check_validator(a, sig_path, ca, &s.person);
}

/* The second signature a two-person certificate needs (certs/README.md,
 * threat model): without it one operator's key could certify a disk nobody
 * else saw wiped. */
static int check_validator(struct audit *a, const char *sig_path, X509 *ca,
			   const struct wp_person *issuer)
{
	struct wp_audit_verdict *v = a->v;
	char err[1400], path[4300], when[WP_TIME_MAX];
	const char *policy = wp_certdoc_str(v->doc, "signing.policy");
	if (strcmp(policy, WP_SIGNING_TWO_PERSON) != 0) {
		const char *why = policy[0] ? wp_certdoc_str(v->doc, "signing.reason")
					    : "issued before two-person certificates";
		add(v, WP_AUDIT_VALIDATOR, WP_AUDIT_NOT_CHECKED, "validation: none — ONE signature; "
		    "the certificate says why: %s", why);
		size_t used = strlen(v->signatures);
		snprintf(v->signatures + used, sizeof(v->signatures) - used,
			 " — no second person (%.200s)", why);
		return 0;
	}
	size_t n = strlen(sig_path), len = 0;
	bool p7s = n > 4 && strcmp(sig_path + n - 4, ".p7s") == 0;
	snprintf(path, sizeof(path), "%.*s%s", (int)(p7s ? n - 4 : n > 4200 ? 4200 : n), sig_path,
		 WP_VALIDATOR_SIG_SUFFIX);
	if (access(path, F_OK) != 0) {
		if (a->req->validating)
			return 0;
		snprintf(err, sizeof(err), "not validated: this certificate needs a second signature by "
			 "an approver or witness other than the issuer, and %.1000s does not exist; the "
			 "validator confirms it with 'wipeproof cert validate FILE --as PERSON'", path);
		return invalid(v, WP_AUDIT_VALIDATOR, err);
	}
	if (a->req->validating) {
		snprintf(err, sizeof(err), "already validated (%.1000s exists)", path);
		return invalid(v, WP_AUDIT_VALIDATOR, err);
	}
	char *pem = wp_cert_read_file(path, &len, err, sizeof(err));
	struct wp_cms_signer s;
	if (!pem)
		return trouble(v, WP_AUDIT_ERROR, "%s", err);
	char why[1024];
	int rc = wp_cms_verify_validator(pem, len, a->text, a->len, ca, &s, why, sizeof(why));
	free(pem);
	if (rc == 0 && wp_crl_check(a->crl, &s.person, s.signed_at, why, sizeof(why)) < 0)
		rc = -1;
	if (rc < 0) {
		snprintf(err, sizeof(err), "the validator's signature: %.1100s", why);
		return invalid(v, WP_AUDIT_VALIDATOR, err);
	}
	if (strcmp(s.person.fingerprint, issuer->fingerprint) == 0 ||
	    strcmp(s.person.name, issuer->name) == 0) {
		snprintf(err, sizeof(err), "the validator %.300s is the issuer: a two-person "
			 "certificate needs two different people", s.person.name);
		return invalid(v, WP_AUDIT_VALIDATOR, err);
	}
	utc(s.signed_at, when, sizeof(when));
	add(v, WP_AUDIT_VALIDATOR, WP_AUDIT_PASSED, "validation: second CMS signature by %s (%s, "
	    "%s — the validator), fingerprint %.16s, signed %s, certified by the CA", s.person.name,
	    s.person.title, wp_role_name(s.person.role), s.person.fingerprint, when);
	snprintf(v->signatures, sizeof(v->signatures), "two signatures: %.200s (%s, the issuer) "
		 "and %.200s (%s, the validator)", issuer->name, wp_role_name(issuer->role),
		 s.person.name, wp_role_name(s.person.role));
	return 0;
}

/* ---- the ledger ------------------------------------------------------- */

/* What the ledger says about the asset up to the certificate event: the
 * document's claims are compared with it, not only its id and digest. */
struct cert_event {
	const char *id, *sha;
	uint64_t seq;
	struct wp_actor issuer;              /* who appended the certificate event */
	char job[64], scope[32];             /* its body */
	char serial[128];                    /* intake */
	struct wp_actor requester, approver; /* the last request and approval */
	bool destroyed;
	bool attested;                       /* erasure-attested (issue 17) */
	struct wp_actor destroyer, witness;
	struct wp_actor wiper;               /* the actor of the last wipe-end */
	char wipe_job[64], wipe_result[16];
	char fs_job[64], fs_serial[128];     /* the last free-space wipe that ended "wiped" */
};

static void body_copy(const struct wp_event *ev, const char *key, char *out, size_t len)
{
	const char *s = json_string_value(json_object_get(ev->body, key));
	snprintf(out, len, "%s", s ? s : "");
}

/* Called by the verified pass for every event of the certificate's asset:
 * the lookup sees exactly the rows verification checked. */
static int find_event(const struct wp_event *ev, const struct wp_asset_state *st, void *ctx)
{
	(void)st;
	struct cert_event *f = ctx;
	const char *id = json_string_value(json_object_get(ev->body, "certificate_id"));
	const char *sha = json_string_value(json_object_get(ev->body, "certificate_sha256"));
	if (f->seq)
		return 0; /* the state at issue is what the document describes */
	if (strcmp(ev->kind, WP_EV_CERTIFICATE) == 0 && id && sha && strcmp(id, f->id) == 0 &&
	    strcmp(sha, f->sha) == 0) {
		f->seq = ev->seq;
		f->issuer = ev->actor;
		body_copy(ev, "job_id", f->job, sizeof(f->job));
		body_copy(ev, "scope", f->scope, sizeof(f->scope));
	} else if (strcmp(ev->kind, WP_EV_INTAKE) == 0) {
		body_copy(ev, "serial", f->serial, sizeof(f->serial));
	} else if (strcmp(ev->kind, WP_EV_REQUEST) == 0) {
		f->requester = ev->actor;
	} else if (strcmp(ev->kind, WP_EV_APPROVE) == 0) {
		f->approver = ev->actor;
	} else if (strcmp(ev->kind, WP_EV_DESTROYED) == 0 ||
		   strcmp(ev->kind, WP_EV_ERASURE_ATTESTED) == 0) {
		f->destroyed = strcmp(ev->kind, WP_EV_DESTROYED) == 0;
		f->attested = !f->destroyed;
		f->destroyer = ev->actor;
		f->witness = ev->witness;
	} else if (strcmp(ev->kind, WP_EV_VENDOR_DESTROYED) == 0) {
		/* the one who received the vendor's certificate checked it */
		f->destroyed = true;
		f->destroyer = f->witness = ev->actor;
	} else if (strcmp(ev->kind, WP_EV_FREESPACE) == 0) {
		/* its certificate describes the disk under the filesystem */
		const char *result = json_string_value(json_object_get(ev->body, "result"));
		body_copy(ev, "job_id", f->fs_job, sizeof(f->fs_job));
		body_copy(ev, "serial", f->fs_serial, sizeof(f->fs_serial));
		if (!result || (strcmp(result, "wiped") != 0 && strcmp(result, "partial") != 0))
			f->fs_job[0] = f->fs_serial[0] = '\0';
	} else if (strcmp(ev->kind, WP_EV_WIPE_END) == 0) {
		f->wiper = ev->actor;
		body_copy(ev, "job_id", f->wipe_job, sizeof(f->wipe_job));
		body_copy(ev, "result", f->wipe_result, sizeof(f->wipe_result));
	}
	return 0;
}

/* A person the document names is the one the ledger recorded (name and
 * fingerprint); absent from both is fine. */
static int same_person_as(const json_t *doc, const char *path, const struct wp_actor *a,
			  char *err, size_t errlen)
{
	char name[64], fpr[64];
	snprintf(name, sizeof(name), "%s.name", path);
	snprintf(fpr, sizeof(fpr), "%s.fingerprint", path);
	const char *dn = wp_certdoc_str(doc, name), *df = wp_certdoc_str(doc, fpr);
	if (strcmp(dn, a->name) == 0 && strcmp(df, a->fingerprint) == 0)
		return 0;
	snprintf(err, errlen, "the document's %s is '%s' (%.16s), but the ledger recorded '%s' "
		 "(%.16s)", path, dn[0] ? dn : "nobody", df, a->name[0] ? a->name : "nobody",
		 a->fingerprint);
	return -1;
}

static int claims_match_ledger(const json_t *doc, const struct cert_event *f, char *err,
			       size_t errlen)
{
	const char *result = wp_certdoc_str(doc, "result");
	const char *job = wp_certdoc_str(doc, "sanitization.job_id");
	bool free_space = strcmp(result, WP_CERT_RESULT_FREE_SPACE) == 0 ||
			  strcmp(result, WP_CERT_RESULT_FREE_SPACE_PARTIAL) == 0;
	const char *serial = free_space && f->fs_serial[0] ? f->fs_serial : f->serial;
	if (strcmp(wp_certdoc_str(doc, "media.serial"), serial) != 0) {
		snprintf(err, errlen, "the document certifies serial '%s', but the ledger recorded "
			 "serial '%s' for asset %s%s", wp_certdoc_str(doc, "media.serial"), serial,
			 wp_certdoc_str(doc, "asset.tag"), free_space ? "'s free-space wipe" : "");
		return -1;
	}
	if (strcmp(f->issuer.fingerprint, wp_certdoc_str(doc, "issued_by.fingerprint")) != 0) {
		snprintf(err, errlen, "the ledger's certificate event was recorded by %s, not by the "
			 "document's issuer", f->issuer.name);
		return -1;
	}
	bool ok;
	bool physical = strcmp(result, "destroyed") == 0 || strcmp(result, WP_CERT_RESULT_ATTESTED) == 0;
	if (strcmp(result, "destroyed") == 0)
		ok = f->destroyed && !f->job[0];
	else if (strcmp(result, WP_CERT_RESULT_ATTESTED) == 0)
		ok = f->attested && !f->job[0];
	else if (free_space)
		ok = strcmp(f->scope, WP_CERT_SCOPE_FREE_SPACE) == 0 && strcmp(job, f->job) == 0 &&
		     strcmp(f->fs_job, f->job) == 0;
	else
		ok = !f->scope[0] && strcmp(job, f->job) == 0 && strcmp(f->wipe_job, f->job) == 0 &&
		     strcmp(f->wipe_result, "sanitized") == 0;
	if (!ok) {
		snprintf(err, errlen, "the document says %s (job '%s'), but the ledger's certificate "
			 "event is for %s", result, job, f->job[0] ? f->job : f->destroyed ?
			 "a destruction" : "something else");
		return -1;
	}
	if (same_person_as(doc, "requester", &f->requester, err, errlen) < 0 ||
	    same_person_as(doc, "approver", &f->approver, err, errlen) < 0)
		return -1;
	if (physical)
		return same_person_as(doc, "sanitized_by", &f->destroyer, err, errlen) < 0 ||
		       same_person_as(doc, "verified_by", &f->witness, err, errlen) < 0 ? -1 : 0;
	if (strcmp(result, "sanitized") == 0)
		return same_person_as(doc, "sanitized_by", &f->wiper, err, errlen);
	return 0;
}

static int check_ledger(struct audit *a, const char *path, X509 *ca)
{
	struct wp_audit_verdict *v = a->v;
	char err[1536], head[128], why[1600];
	struct wp_ledger *l = NULL;
	struct wp_custody_report report;
	long long seq = wp_certdoc_int(v->doc, "ledger.seq");
	const char *doc_id = wp_certdoc_str(v->doc, "ledger.id");
	int opened = wp_ledger_open_readonly(path, &l, err, sizeof(err));
	if (opened == WP_CUSTODY_BROKEN) { /* a view or trigger in it: not a ledger we wrote */
		snprintf(why, sizeof(why), "the ledger cannot be trusted: %s", err);
		return invalid(v, WP_AUDIT_LEDGER, why);
	}
	if (opened < 0)
		return trouble(v, WP_AUDIT_ERROR, "%s", err);
	wp_ledger_set_crl(l, a->crl);
	snprintf(head, sizeof(head), "%s@%lld", wp_certdoc_str(v->doc, "ledger.head_hash"), seq);
	struct cert_event f = { .id = wp_certdoc_str(v->doc, "certificate_id"), .sha = v->sha256 };
	/* one pass: verification and the lookup of the certificate event */
	int rc = wp_custody_replay(l, ca, seq > 0 ? head : NULL, wp_certdoc_str(v->doc, "asset.tag"),
				   find_event, &f, &report, err, sizeof(err));
	wp_ledger_close(l);
	if (rc == WP_CUSTODY_BROKEN) {
		snprintf(why, sizeof(why), "the ledger does not agree with the certificate: %s", err);
		return invalid(v, WP_AUDIT_LEDGER, why);
	}
	if (rc < 0)
		return trouble(v, WP_AUDIT_ERROR, "%s", err);
	if (f.seq == 0)
		return invalid(v, WP_AUDIT_LEDGER, "the ledger holds no certificate event with this "
			       "certificate's id and SHA-256: it was not issued from this ledger, or "
			       "was changed");
	if (doc_id[0] && strcmp(doc_id, report.ledger_id) != 0)
		return invalid(v, WP_AUDIT_LEDGER, "the certificate names another ledger (its ledger "
			       "id differs from this ledger's): it was issued from another ledger");
	if (claims_match_ledger(v->doc, &f, err, sizeof(err)) < 0) {
		snprintf(why, sizeof(why), "the ledger does not agree with the certificate: %s", err);
		return invalid(v, WP_AUDIT_LEDGER, why);
	}
	v->ledger_checked = true;
	add(v, WP_AUDIT_LEDGER, WP_AUDIT_PASSED, "ledger: %llu events verify; the head at issue "
	    "(seq %lld) is in the chain; certificate event at seq %llu; serial, result, job and "
	    "people match the ledger", (unsigned long long)report.events, seq,
	    (unsigned long long)f.seq);
	if (report.ledger_id[0])
		add(v, WP_AUDIT_LEDGER, WP_AUDIT_INFO, "ledger id: %s", report.ledger_id);
	else
		add(v, WP_AUDIT_LEDGER, WP_AUDIT_INFO, "no ledger id (the ledger was created before "
		    "wipeproof put one in its first event)");
	return 0;
}

/* ---- the disk --------------------------------------------------------- */

/* Read the whole disk back against the report's final pass: it must be
 * the disk the report names (serial and size), else a match means
 * nothing. */
enum wp_reread_status wp_disk_reread(const char *device, const char *report_path,
				     enum wp_verify_mode mode, const struct wp_run_ctl *ctl,
				     struct wp_reread *r)
{
	memset(r, 0, sizeof(*r));
	r->status = WP_REREAD_BAD_REQUEST;
	if (mode == WP_VERIFY_OFF) {
		snprintf(r->err, sizeof(r->err), _("--verify off makes no sense for 'verify'; use "
			 "full or sample"));
		return r->status;
	}
	struct wp_job *job = malloc(sizeof(*job));
	struct wp_device *dev = malloc(sizeof(*dev));
	if (!job || !dev) {
		snprintf(r->err, sizeof(r->err), _("out of memory"));
		r->status = WP_REREAD_ERROR;
		goto out;
	}
	if (wp_job_load(report_path, job, r->err, sizeof(r->err)) < 0)
		goto out;
	snprintf(r->job_id, sizeof(r->job_id), "%s", job->id);
	if (job->scope.kind[0]) {
		snprintf(r->err, sizeof(r->err), _("%s is the report of a free-space wipe of %s; its "
			 "fill files were deleted, so there is nothing on the device to read back"),
			 report_path, job->scope.mountpoint);
		goto out;
	}
	if (wp_media_probe(device, NULL, dev, r->err, sizeof(r->err)) < 0)
		goto out;
	struct wp_disk_ident was = { .serial = job->device.serial,
				     .size_bytes = job->device.size_bytes };
	if (!wp_disk_is(dev, &was)) {
		snprintf(r->err, sizeof(r->err), _("%s is not the disk of this report: it has serial "
			 "'%s' and %llu bytes, the report names serial '%s' and %llu bytes (%s)"),
			 dev->path, dev->serial, (unsigned long long)dev->size_bytes,
			 job->device.serial, (unsigned long long)job->device.size_bytes,
			 job->device.path);
		r->status = WP_REREAD_NOT_THE_DISK;
		goto out;
	}
	r->status = WP_REREAD_ERROR;
	const struct wp_pass_record *last = job->npasses ? &job->passes[job->npasses - 1] : NULL;
	if (!last || !last->complete || last->bytes_written != job->device.size_bytes) {
		if (job->firmware.used && !last)
			snprintf(r->err, sizeof(r->err), _("report %s is of a firmware erase (%s) that "
				 "leaves no known content, so there is no pattern to re-check; its "
				 "fingerprint check at the time %s"), report_path, job->firmware.command,
				 job->fingerprint.passed ? _("passed") : _("did not pass"));
		else
			snprintf(r->err, sizeof(r->err), _("report %s records an incomplete wipe (result "
				 "%s); the disk was never fully overwritten, so there is nothing to "
				 "verify: wipe it again"), report_path, wp_result_name(job->result));
		goto out;
	}
	snprintf(r->pattern, sizeof(r->pattern), "%s",
		 wp_pattern_name(wp_job_final_pass(job)->pattern));
	int fd = open(dev->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		snprintf(r->err, sizeof(r->err), _("cannot open %s: %s%s"), dev->path, strerror(errno),
			 errno == EACCES ? _("; run as root or as a member of group disk") : "");
		goto out;
	}
	static volatile sig_atomic_t never;
	struct wp_run_ctl c = { .stop = &never };
	if (ctl)
		c = *ctl;
	if (!c.stop)
		c.stop = &never;
	struct wp_io_target t = {
		.fd = fd, .path = dev->path, .size = dev->size_bytes,
		.block_size = dev->logical_block_size,
	};
	/* the report's seed reproduces its sample; a new one checks elsewhere */
	r->rec.seed = job->verify.mode == WP_VERIFY_SAMPLE ? job->verify.seed : wp_sample_new_seed();
	enum wp_verify_outcome o = wp_verify_run(&t, wp_job_final_pass(job), mode, &r->rec, &c,
						 r->err, sizeof(r->err));
	close(fd);
	r->status = o == WP_VERIFY_MATCH ? WP_REREAD_MATCH
		  : o == WP_VERIFY_MISMATCH ? WP_REREAD_MISMATCH
		  : *c.stop ? WP_REREAD_INTERRUPTED : WP_REREAD_ERROR;
out:
	free(dev);
	free(job);
	return r->status;
}

/* What `wipeproof verify` shows of a re-read, for the verdict. */
static void reread_lines(struct wp_audit_verdict *v, const char *device, const struct wp_reread *r)
{
	char size[32];
	wp_format_size(r->rec.bytes_checked, size, sizeof(size));
	if (r->status == WP_REREAD_MATCH) {
		snprintf(v->device_out, sizeof(v->device_out), "%s: MATCH: holds the %s pattern of "
			 "job %s (%s read, %.1f%% of the device)\n", device, r->pattern, r->job_id,
			 size, r->rec.coverage_percent);
		return;
	}
	if (r->status == WP_REREAD_MISMATCH) {
		int n = snprintf(v->device_out, sizeof(v->device_out), "%s: MISMATCH: %llu block(s) "
				 "differ from job %s\n", device,
				 (unsigned long long)r->rec.mismatched_blocks, r->job_id);
		for (size_t i = 0; i < r->rec.n_bad && n > 0 && (size_t)n < sizeof(v->device_out); i++)
			n += snprintf(v->device_out + n, sizeof(v->device_out) - (size_t)n,
				      "  bad byte   %llu\n", (unsigned long long)r->rec.bad_offsets[i]);
	}
	snprintf(v->device_err, sizeof(v->device_err), "%s", r->err);
}

static int check_device(struct audit *a)
{
	struct wp_audit_verdict *v = a->v;
	char err[1024], digest[WP_HASH_HEX];
	const json_t *doc = v->doc;
	if (strcmp(wp_certdoc_str(doc, "result"), "sanitized") != 0)
		return trouble(v, WP_AUDIT_BAD_REQUEST, "--device applies to a wipe of a whole "
			       "device; this certificate is for %s",
			       wp_certdoc_str(doc, "scope.kind")[0]
			       ? "the free space of a filesystem, whose fill files are gone"
			       : "a destruction");
	const char *report = a->req->report_path ? a->req->report_path
						 : wp_certdoc_str(doc, "sanitization.report");
	if (wp_file_sha256(report, digest, err, sizeof(err)) < 0)
		return trouble(v, WP_AUDIT_ERROR, "job report: %s; give it with --report FILE", err);
	if (strcmp(digest, wp_certdoc_str(doc, "sanitization.report_sha256")) != 0)
		return invalid(v, WP_AUDIT_REPORT, "the job report is not the one this certificate "
			       "names (its SHA-256 differs)");
	add(v, WP_AUDIT_REPORT, WP_AUDIT_PASSED, "job report: %s matches the certified SHA-256",
	    report);
	struct wp_reread *r = malloc(sizeof(*r));
	if (!r)
		return trouble(v, WP_AUDIT_ERROR, "out of memory");
	int rc = -1;
	switch (wp_disk_reread(a->req->device, report, WP_VERIFY_FULL, a->req->device_ctl, r)) {
	case WP_REREAD_MATCH:
		reread_lines(v, a->req->device, r);
		v->device_checked = true;
		add(v, WP_AUDIT_DEVICE, WP_AUDIT_PASSED, "device: %s still holds the wipe pattern of "
		    "job %s", a->req->device, wp_certdoc_str(doc, "sanitization.job_id"));
		rc = 0;
		break;
	case WP_REREAD_MISMATCH:
		reread_lines(v, a->req->device, r);
		invalid(v, WP_AUDIT_DEVICE, "the device no longer holds the wipe pattern of the "
			"certified job");
		break;
	case WP_REREAD_NOT_THE_DISK:
		reread_lines(v, a->req->device, r);
		invalid(v, WP_AUDIT_DEVICE, "the device is not the certified disk (serial or size "
			"differ)");
		break;
	case WP_REREAD_BAD_REQUEST:
		trouble(v, WP_AUDIT_BAD_REQUEST, "%s", r->err);
		break;
	case WP_REREAD_INTERRUPTED:
		trouble(v, WP_AUDIT_INTERRUPTED, "%s", r->err);
		break;
	default:
		trouble(v, WP_AUDIT_ERROR, "%s", r->err);
		break;
	}
	free(r);
	return rc;
}

/* ---- the whole check --------------------------------------------------- */

/* The revocation list: the one given, else crl.pem beside the CA when
 * there is one. */
static int load_crl(struct audit *a, X509 *ca)
{
	char path[4200], err[1024];
	const char *ca_path = a->req->ca_path;
	if (wp_crl_path(a->req->crl_path, ca_path, path, sizeof(path)) == 1)
		return 0;
	if (wp_crl_load(path, ca, &a->crl, err, sizeof(err)) < 0)
		return trouble(a->v, WP_AUDIT_ERROR, "revocation list: %s", err);
	return 0;
}

static int audit_file(struct audit *a)
{
	const struct wp_audit_request *req = a->req;
	struct wp_audit_verdict *v = a->v;
	char err[1024], sig[4200];
	X509 *ca = NULL;
	snprintf(sig, sizeof(sig), "%s%s", req->sig_path ? req->sig_path : req->path,
		 req->sig_path ? "" : ".p7s");
	char *text = wp_cert_read_file(req->path, &a->len, err, sizeof(err));
	if (!text || wp_cert_load(req->ca_path, &ca, err, sizeof(err)) < 0) {
		free(text);
		return trouble(v, WP_AUDIT_ERROR, "%s%s", err, text ? "; give --ca FILE" : "");
	}
	a->text = text;
	wp_sha256_hex(text, a->len, v->sha256);
	int rc = load_crl(a, ca);
	v->revocation_checked = a->crl != NULL;
	if (rc == 0)
		rc = anchor(v, ca, req->ca_pin, "CA");
	if (rc == 0)
		rc = check_signature(a, sig, ca);
	if (rc == 0 && req->ledger_path)
		rc = check_ledger(a, req->ledger_path, ca);
	if (rc == 0 && req->device)
		rc = check_device(a);
	X509_free(ca);
	X509_CRL_free(a->crl);
	a->crl = NULL;
	a->text = NULL;
	free(text);
	return rc;
}

static int audit_qr(struct audit *a)
{
	const struct wp_audit_request *req = a->req;
	struct wp_audit_verdict *v = a->v;
	char err[1024];
	X509 **certs = NULL;
	size_t n = 0;
	struct wp_qr q;
	struct wp_person signer;
	if (wp_trust_load(req->trust, &certs, &n, err, sizeof(err)) < 0)
		return trouble(v, WP_AUDIT_ERROR, "%s", err);
	X509_CRL *crl = NULL;
	if (wp_trust_load_crl(req->trust, certs[0], &crl, err, sizeof(err)) < 0) {
		wp_trust_free(certs, n);
		return trouble(v, WP_AUDIT_ERROR, "%s", err);
	}
	int rc = anchor(v, certs[0], req->ca_pin, "the bundle's CA");
	if (rc == 0)
		rc = wp_qr_verify(req->qr, certs, n, &q, &signer, err, sizeof(err));
	wp_trust_free(certs, n);
	struct wp_revocation r = { 0 };
	bool revoked = rc == 0 && crl && wp_crl_lookup(crl, &signer, &r) == 1;
	bool had_crl = crl != NULL;
	X509_CRL_free(crl);
	if (rc < 0)
		return v->status == WP_AUDIT_INVALID ? -1 : invalid(v, WP_AUDIT_QR, err);
	/* the QR code carries only the day: signed on DATE or later, so a
	 * revocation before the end of that day may precede the signature */
	struct tm tm = { 0 };
	const char *end = strptime(q.date, "%Y-%m-%d", &tm);
	time_t day_end = end && !*end ? timegm(&tm) + 86400 : 0;
	if (revoked && r.at < day_end) {
		char when[WP_TIME_MAX];
		utc(r.at, when, sizeof(when));
		snprintf(err, sizeof(err), "the key of %s (fingerprint %.16s) was revoked on %s (%s); "
			 "this QR code is dated %s and may have been signed after that", signer.name,
			 signer.fingerprint, when, r.reason, q.date);
		return invalid(v, WP_AUDIT_REVOCATION, err);
	}
	add(v, WP_AUDIT_QR, WP_AUDIT_PASSED, "QR: signed by %s (%s, %s), fingerprint %.16s, "
	    "certified by the bundle's CA above", signer.name, signer.title,
	    wp_role_name(signer.role), signer.fingerprint);
	add(v, WP_AUDIT_QR, WP_AUDIT_INFO, "certificate %s: serial %s, model %s, method %s, NIST "
	    "%s, %s on %s", q.id, q.serial, q.model, q.method, q.category, q.result, q.date);
	add(v, WP_AUDIT_QR, WP_AUDIT_INFO, "document SHA-256 %s", q.sha256);
	add(v, WP_AUDIT_VALIDATOR, WP_AUDIT_NOT_CHECKED, "a QR code carries the issuer's signature "
	    "only: the validator's second signature is checked with the files (cert verify "
	    "FILE.json)");
	if (had_crl)
		add(v, WP_AUDIT_REVOCATION, WP_AUDIT_PASSED, "revocation: checked against the "
		    "bundle's revocation list");
	else
		add(v, WP_AUDIT_REVOCATION, WP_AUDIT_NOT_CHECKED, "revocation: not checked (the "
		    "bundle has no revocation list; export a new one with 'wipeproof keys "
		    "export-trust')");
	return 0;
}

enum wp_audit_status wp_audit(const struct wp_audit_request *req, struct wp_audit_verdict *v)
{
	memset(v, 0, sizeof(*v));
	struct audit a = { .req = req, .v = v };
	if (req->qr ? !req->trust || req->path || req->ledger_path || req->device
		    : !req->path || !req->ca_path || req->trust) {
		trouble(v, WP_AUDIT_BAD_REQUEST, "a certificate file and its CA, or a QR code and a "
			"trust bundle");
		return v->status;
	}
	if (req->qr)
		audit_qr(&a);
	else
		audit_file(&a);
	if (v->doc)
		verdict_scope(v);
	return v->status;
}
