/*
 * wipeproof cert verify: the auditor's check. Needs no root and no private
 * key — only the document, its signature, the CA (or, for a QR code, the
 * trust bundle), and optionally the ledger and the disk. Every check adds a
 * line of detail; the first that fails decides the verdict. Prints one
 * verdict line, VALID or INVALID: reason, then the details.
 *
 * Exit: 0 VALID, 4 INVALID, 2 usage, 1 when something could not be read.
 */
#include "cert_cli.h"
#include "wptext.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct check {
	json_t *details;             /* strings, in order */
	char reason[2048];           /* "" while valid */
	int code;                    /* WP_EXIT_MISMATCH once invalid */
	const char *path;            /* the document */
	const char *text;            /* its bytes */
	size_t len;
	json_t *doc;                 /* once parsed */
	json_t *anchor;              /* {subject, sha256, pinned} of the CA */
	char sha[WP_FPR_HEX];
	X509_CRL *crl;               /* NULL: revocation not checked */
	bool ledger_checked, device_checked, revocation_checked;
	bool validating;             /* cert validate: the second signature is about to be made */
	char signatures[600];        /* who signed, for the verdict line */
};

/* What a VALID verdict rests on, on the verdict line itself: a signature
 * alone shows who signed, not that the disk was wiped (certs/README.md,
 * threat model). */
static void verdict_scope(const struct check *c, char *out, size_t len)
{
	snprintf(out, len, "%s; checked: %s%s%s", c->signatures[0] ? c->signatures : "signature",
		 c->ledger_checked
		 ? (c->device_checked ? "signatures, ledger and device" : "signatures and ledger")
		 : (c->device_checked ? "signatures and device" : "signatures"),
		 c->ledger_checked ? "" : ", not checked against the ledger",
		 c->revocation_checked ? "" : "; revocation not checked (no CRL)");
}

static void detail(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void detail(struct check *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	wp_json_append(c->details, json_string(line));
}

static int invalid(struct check *c, const char *why)
{
	snprintf(c->reason, sizeof(c->reason), "%s", why);
	c->code = WP_EXIT_MISMATCH;
	return -1;
}

static int finish(const struct wp_kopts *o, struct check *c)
{
	if (o->json) {
		json_t *out = json_pack("{s:s, s:O, s:O}", "verdict", c->reason[0] ? "INVALID" : "VALID",
					"details", c->details, "ca", c->anchor);
		if (c->reason[0])
			wp_json_set(out, "reason", json_string(c->reason));
		if (c->doc) {
			char scope[1024];
			verdict_scope(c, scope, sizeof(scope));
			wp_json_set(out, "checked", json_string(scope));
		}
		json_dumpf(out, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(out);
	} else {
		size_t i;
		json_t *line;
		char scope[1024];
		verdict_scope(c, scope, sizeof(scope));
		if (c->reason[0])
			printf("INVALID: %s\n", c->reason);
		else if (c->doc)
			printf("VALID — %s\n", scope);
		else
			printf("VALID\n");
		json_array_foreach(c->details, i, line)
			printf("  %s\n", json_string_value(line));
	}
	json_decref(c->details);
	json_decref(c->doc);
	json_decref(c->anchor);
	return c->reason[0] ? WP_EXIT_MISMATCH : c->code;
}

/* ---- the document and its signature ----------------------------------- */

/* What the document says about its issuer is what the CA certified: the
 * fingerprint alone left name, title, role and organisation to the signer's
 * word, and they are printed on the PDF. */
static int bound_to_signer(struct check *c, const struct wp_person *p, char *err, size_t errlen)
{
	static const struct { const char *path, *what; } fields[] = {
		{ "issued_by.name", "issuer name" }, { "issued_by.title", "issuer title" },
		{ "issued_by.role", "issuer role" }, { "organisation", "organisation" },
	};
	const char *certified[] = { p->name, p->title, wp_role_name(p->role), p->org };
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *doc = wp_certdoc_str(c->doc, fields[i].path);
		if (strcmp(doc, certified[i]) != 0) {
			snprintf(err, errlen, "the document's %s '%s' is not the signer's certificate's "
				 "'%s'", fields[i].what, doc, certified[i]);
			return -1;
		}
	}
	return 0;
}

/* The trust anchor of a verdict, printed with it: a look-alike CA with the
 * same names differs only here. */
static int anchor_line(struct check *c, X509 *ca, const char *pin, const char *what)
{
	char subject[512], fpr[WP_FPR_HEX] = "", err[1024];
	wp_cert_subject_text(ca, subject, sizeof(subject));
	wp_cert_fingerprint(ca, fpr);
	detail(c, "trust anchor: %s %s, SHA-256 %s%s", what, subject, fpr,
	       pin ? " (the pinned CA)" : " (not pinned: compare it with the one you trust, or "
	       "pass --ca-fingerprint)");
	wp_json_set(c->anchor, "subject", json_string(subject));
	wp_json_set(c->anchor, "sha256", json_string(fpr));
	wp_json_set(c->anchor, "pinned", json_boolean(pin != NULL));
	if (wp_ca_pin_check(ca, pin, err, sizeof(err)) < 0) {
		wp_json_set(c->anchor, "pinned", json_false());
		return invalid(c, err);
	}
	return 0;
}
static int check_validator(struct check *c, const char *sig_path, X509 *ca,
			   const struct wp_person *issuer);

static int check_signature(struct check *c, const char *sig_path, X509 *ca)
{
	char err[1024], when[WP_TIME_MAX];
	size_t len = 0;
	struct wp_cms_signer s;
	char *pem = wp_cert_read_file(sig_path, &len, err, sizeof(err));
	if (!pem) {
		fprintf(stderr, "wipeproof: cert verify: %s; give the signature with --sig FILE\n", err);
		c->code = WP_EXIT_FAILED;
		return -1;
	}
	int rc = wp_cms_verify(pem, len, c->text, c->len, ca, &s, err, sizeof(err));
	free(pem);
	if (rc < 0)
		return invalid(c, err);
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&s.signed_at, &tm));
	if (wp_crl_check(c->crl, &s.person, s.signed_at, err, sizeof(err)) < 0)
		return invalid(c, err);
	detail(c, "signature: valid CMS signature by %s (%s, %s — the issuer), fingerprint %.16s, "
	       "signed %s, certified by the CA above", s.person.name, s.person.title,
	       wp_role_name(s.person.role), s.person.fingerprint, when);
	struct wp_revocation r;
	if (!c->crl)
		detail(c, "revocation: not checked (no crl.pem beside the CA; give --crl FILE)");
	else if (wp_crl_lookup(c->crl, &s.person, &r) == 1)
		detail(c, "revocation: the signer's key was revoked later (%s); this signature is "
		       "dated before that", r.reason);
	else
		detail(c, "revocation: the signer is not on the CA's revocation list");
	if (wp_certdoc_parse(c->text, c->len, &c->doc, err, sizeof(err)) < 0)
		return invalid(c, err);
	detail(c, "document: canonical and complete, SHA-256 %s", c->sha);
	if (strcmp(s.person.fingerprint, wp_certdoc_str(c->doc, "issued_by.fingerprint")) != 0) {
		snprintf(err, sizeof(err), "signed by %s, but the document names %s as its issuer",
			 s.person.name, wp_certdoc_str(c->doc, "issued_by.name"));
		return invalid(c, err);
	}
	if (bound_to_signer(c, &s.person, err, sizeof(err)) < 0)
		return invalid(c, err);
	detail(c, "certifies: %s (%s), serial %s, asset %s: %s (NIST %s), %s",
	       wp_certdoc_str(c->doc, "media.model"), wp_certdoc_str(c->doc, "media.media_type"),
	       wp_certdoc_str(c->doc, "media.serial"), wp_certdoc_str(c->doc, "asset.tag"),
	       wp_certdoc_str(c->doc, "result"), wp_certdoc_str(c->doc, "sanitization.category"),
	       wp_certdoc_str(c->doc, "sanitization.ended_utc"));
	if (wp_certdoc_str(c->doc, "scope.description")[0])
		detail(c, "scope: %s", wp_certdoc_str(c->doc, "scope.description"));
	/* which build did it: compare with the release's published hash or
	 * `sha256sum /usr/sbin/wipeproof` on the station */
	if (wp_certdoc_str(c->doc, "sanitization.tool_sha256")[0])
		detail(c, "tool: %s %s, commit %s, executable SHA-256 %s",
		       wp_certdoc_str(c->doc, "sanitization.tool"),
		       wp_certdoc_str(c->doc, "sanitization.tool_version"),
		       wp_certdoc_str(c->doc, "sanitization.tool_commit"),
		       wp_certdoc_str(c->doc, "sanitization.tool_sha256"));
	else
		detail(c, "tool: %s %s (the certificate names no build)",
		       wp_certdoc_str(c->doc, "sanitization.tool"),
		       wp_certdoc_str(c->doc, "sanitization.tool_version"));
	snprintf(c->signatures, sizeof(c->signatures), "ONE signature, by %.200s (%s, the issuer)",
		 s.person.name, wp_role_name(s.person.role));
	return check_validator(c, sig_path, ca, &s.person);
}

/* The second signature a two-person certificate needs (certs/README.md,
 * threat model): without it one operator's key could certify a disk nobody
 * else saw wiped. */
static int check_validator(struct check *c, const char *sig_path, X509 *ca,
			   const struct wp_person *issuer)
{
	char err[1400], path[4300], when[WP_TIME_MAX];
	const char *policy = wp_certdoc_str(c->doc, "signing.policy");
	if (strcmp(policy, WP_SIGNING_TWO_PERSON) != 0) {
		const char *why = policy[0] ? wp_certdoc_str(c->doc, "signing.reason")
					    : "issued before two-person certificates";
		detail(c, "validation: none — ONE signature; the certificate says why: %s", why);
		size_t used = strlen(c->signatures);
		snprintf(c->signatures + used, sizeof(c->signatures) - used,
			 " — no second person (%.200s)", why);
		return 0;
	}
	size_t n = strlen(sig_path), len = 0;
	bool p7s = n > 4 && strcmp(sig_path + n - 4, ".p7s") == 0;
	snprintf(path, sizeof(path), "%.*s%s", (int)(p7s ? n - 4 : n > 4200 ? 4200 : n), sig_path,
		 WP_VALIDATOR_SIG_SUFFIX);
	if (access(path, F_OK) != 0) {
		if (c->validating)
			return 0;
		snprintf(err, sizeof(err), "not validated: this certificate needs a second signature by "
			 "an approver or witness other than the issuer, and %.1000s does not exist; the "
			 "validator confirms it with 'wipeproof cert validate FILE --as PERSON'", path);
		return invalid(c, err);
	}
	if (c->validating) {
		snprintf(err, sizeof(err), "already validated (%.1000s exists)", path);
		return invalid(c, err);
	}
	char *pem = wp_cert_read_file(path, &len, err, sizeof(err));
	struct wp_cms_signer v;
	if (!pem) {
		fprintf(stderr, "wipeproof: cert verify: %s\n", err);
		c->code = WP_EXIT_FAILED;
		return -1;
	}
	char why[1024];
	int rc = wp_cms_verify_validator(pem, len, c->text, c->len, ca, &v, why, sizeof(why));
	free(pem);
	if (rc == 0 && wp_crl_check(c->crl, &v.person, v.signed_at, why, sizeof(why)) < 0)
		rc = -1;
	if (rc < 0) {
		snprintf(err, sizeof(err), "the validator's signature: %.1100s", why);
		return invalid(c, err);
	}
	if (strcmp(v.person.fingerprint, issuer->fingerprint) == 0 ||
	    strcmp(v.person.name, issuer->name) == 0) {
		snprintf(err, sizeof(err), "the validator %.300s is the issuer: a two-person "
			 "certificate needs two different people", v.person.name);
		return invalid(c, err);
	}
	struct tm tm;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&v.signed_at, &tm));
	detail(c, "validation: second CMS signature by %s (%s, %s — the validator), fingerprint "
	       "%.16s, signed %s, certified by the CA", v.person.name, v.person.title,
	       wp_role_name(v.person.role), v.person.fingerprint, when);
	snprintf(c->signatures, sizeof(c->signatures), "two signatures: %.200s (%s, the issuer) "
		 "and %.200s (%s, the validator)", issuer->name, wp_role_name(issuer->role),
		 v.person.name, wp_role_name(v.person.role));
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
	const char *v = json_string_value(json_object_get(ev->body, key));
	snprintf(out, len, "%s", v ? v : "");
}

/* Called by the verified pass for every event of the certificate's asset:
 * the lookup sees exactly the rows verification checked. */
static int find_event(const struct wp_event *ev, const struct wp_asset_state *st, void *ctx)
{
	(void)st;
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
static int same_person_as(struct check *c, const char *path, const struct wp_actor *a,
			  char *err, size_t errlen)
{
	char name[64], fpr[64];
	snprintf(name, sizeof(name), "%s.name", path);
	snprintf(fpr, sizeof(fpr), "%s.fingerprint", path);
	const char *dn = wp_certdoc_str(c->doc, name), *df = wp_certdoc_str(c->doc, fpr);
	if (strcmp(dn, a->name) == 0 && strcmp(df, a->fingerprint) == 0)
		return 0;
	snprintf(err, errlen, "the document's %s is '%s' (%.16s), but the ledger recorded '%s' "
		 "(%.16s)", path, dn[0] ? dn : "nobody", df, a->name[0] ? a->name : "nobody",
		 a->fingerprint);
	return -1;
}

static int claims_match_ledger(struct check *c, const struct cert_event *f, char *err,
			       size_t errlen)
{
	const char *result = wp_certdoc_str(c->doc, "result");
	const char *job = wp_certdoc_str(c->doc, "sanitization.job_id");
	bool free_space = strcmp(result, WP_CERT_RESULT_FREE_SPACE) == 0 ||
			  strcmp(result, WP_CERT_RESULT_FREE_SPACE_PARTIAL) == 0;
	const char *serial = free_space && f->fs_serial[0] ? f->fs_serial : f->serial;
	if (strcmp(wp_certdoc_str(c->doc, "media.serial"), serial) != 0) {
		snprintf(err, errlen, "the document certifies serial '%s', but the ledger recorded "
			 "serial '%s' for asset %s%s", wp_certdoc_str(c->doc, "media.serial"), serial,
			 wp_certdoc_str(c->doc, "asset.tag"), free_space ? "'s free-space wipe" : "");
		return -1;
	}
	if (strcmp(f->issuer.fingerprint, wp_certdoc_str(c->doc, "issued_by.fingerprint")) != 0) {
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
	if (same_person_as(c, "requester", &f->requester, err, errlen) < 0 ||
	    same_person_as(c, "approver", &f->approver, err, errlen) < 0)
		return -1;
	if (physical)
		return same_person_as(c, "sanitized_by", &f->destroyer, err, errlen) < 0 ||
		       same_person_as(c, "verified_by", &f->witness, err, errlen) < 0 ? -1 : 0;
	if (strcmp(result, "sanitized") == 0)
		return same_person_as(c, "sanitized_by", &f->wiper, err, errlen);
	return 0;
}

static int check_ledger(struct check *c, const char *path, X509 *ca)
{
	char err[1536], anchor[128];
	struct wp_ledger *l = NULL;
	struct wp_custody_report report;
	long long seq = wp_certdoc_int(c->doc, "ledger.seq");
	const char *doc_id = wp_certdoc_str(c->doc, "ledger.id");
	int opened = wp_ledger_open_readonly(path, &l, err, sizeof(err));
	if (opened == WP_CUSTODY_BROKEN) { /* a view or trigger in it: not a ledger we wrote */
		char why[1600];
		snprintf(why, sizeof(why), "the ledger cannot be trusted: %s", err);
		return invalid(c, why);
	}
	if (opened < 0) {
		fprintf(stderr, "wipeproof: cert verify: %s\n", err);
		c->code = WP_EXIT_FAILED;
		return -1;
	}
	wp_ledger_set_crl(l, c->crl);
	snprintf(anchor, sizeof(anchor), "%s@%lld", wp_certdoc_str(c->doc, "ledger.head_hash"), seq);
	struct cert_event f = { .id = wp_certdoc_str(c->doc, "certificate_id"), .sha = c->sha };
	/* one pass: verification and the lookup of the certificate event */
	int rc = wp_custody_replay(l, ca, seq > 0 ? anchor : NULL, wp_certdoc_str(c->doc, "asset.tag"),
				   find_event, &f, &report, err, sizeof(err));
	wp_ledger_close(l);
	if (rc == WP_CUSTODY_BROKEN) {
		char why[1600];
		snprintf(why, sizeof(why), "the ledger does not agree with the certificate: %s", err);
		return invalid(c, why);
	}
	if (rc < 0) {
		fprintf(stderr, "wipeproof: cert verify: %s\n", err);
		c->code = WP_EXIT_FAILED;
		return -1;
	}
	if (f.seq == 0)
		return invalid(c, "the ledger holds no certificate event with this certificate's id and "
			       "SHA-256: it was not issued from this ledger, or was changed");
	if (doc_id[0] && strcmp(doc_id, report.ledger_id) != 0)
		return invalid(c, "the certificate names another ledger (its ledger id differs from "
			       "this ledger's): it was issued from another ledger");
	if (claims_match_ledger(c, &f, err, sizeof(err)) < 0) {
		char why[1600];
		snprintf(why, sizeof(why), "the ledger does not agree with the certificate: %s", err);
		return invalid(c, why);
	}
	c->ledger_checked = true;
	detail(c, "ledger: %llu events verify; the head at issue (seq %lld) is in the chain; "
	       "certificate event at seq %llu; serial, result, job and people match the ledger",
	       (unsigned long long)report.events, seq, (unsigned long long)f.seq);
	if (report.ledger_id[0])
		detail(c, "ledger id: %s", report.ledger_id);
	else
		detail(c, "no ledger id (the ledger was created before wipeproof put one in its "
		       "first event)");
	return 0;
}

/* ---- the disk --------------------------------------------------------- */

static int check_device(struct check *c, const struct wp_kopts *o)
{
	char err[1024], digest[WP_HASH_HEX];
	if (strcmp(wp_certdoc_str(c->doc, "result"), "sanitized") != 0) {
		fprintf(stderr, "wipeproof: cert verify: --device applies to a wipe of a whole device; "
			"this certificate is for %s\n",
			wp_certdoc_str(c->doc, "scope.kind")[0]
				? "the free space of a filesystem, whose fill files are gone"
				: "a destruction");
		c->code = WP_EXIT_USAGE;
		return -1;
	}
	const char *report = o->report ? o->report : wp_certdoc_str(c->doc, "sanitization.report");
	if (wp_file_sha256(report, digest, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: cert verify: job report: %s; give it with --report FILE\n",
			err);
		c->code = WP_EXIT_FAILED;
		return -1;
	}
	if (strcmp(digest, wp_certdoc_str(c->doc, "sanitization.report_sha256")) != 0)
		return invalid(c, "the job report is not the one this certificate names (its SHA-256 "
			       "differs)");
	detail(c, "job report: %s matches the certified SHA-256", report);
	struct wp_cmdline v = { .cmd = WP_CMD_VERIFY, .n_devices = 1, .devices = { o->device },
				.n_reports = 1, .report_paths = { report } };
	/* `verify` prints its own result; with --json it goes to stderr so
	 * stdout holds one JSON document */
	fflush(stdout);
	int saved = o->json ? dup(STDOUT_FILENO) : -1;
	if (saved >= 0)
		dup2(STDERR_FILENO, STDOUT_FILENO);
	int code = wp_cmd_verify(&v);
	fflush(stdout);
	if (saved >= 0) {
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	if (code == WP_EXIT_MISMATCH)
		return invalid(c, "the device no longer holds the wipe pattern of the certified job");
	if (code == WP_EXIT_REFUSED)
		return invalid(c, "the device is not the certified disk (serial or size differ)");
	if (code != WP_EXIT_OK) {
		c->code = code;
		return -1;
	}
	c->device_checked = true;
	detail(c, "device: %s still holds the wipe pattern of job %s", o->device,
	       wp_certdoc_str(c->doc, "sanitization.job_id"));
	return 0;
}

/* ---- the whole check --------------------------------------------------- */

static int verify_file(const struct wp_kopts *o, struct check *c)
{
	char err[1024], sig[4200], ca_path[4200];
	X509 *ca = NULL;
	snprintf(sig, sizeof(sig), "%s%s", o->sig ? o->sig : o->operand, o->sig ? "" : ".p7s");
	if (o->ca)
		snprintf(ca_path, sizeof(ca_path), "%s", o->ca);
	else
		snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", wp_keys_dir_resolve(o->keys_dir));
	char *text = wp_cert_read_file(o->operand, &c->len, err, sizeof(err));
	if (!text || wp_cert_load(ca_path, &ca, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: cert verify: %s%s\n", err, text ? "; give --ca FILE" : "");
		free(text);
		c->code = WP_EXIT_FAILED;
		return -1;
	}
	c->text = text;
	wp_sha256_hex(text, c->len, c->sha);
	char crl_path[4200];
	if (wp_cli_crl_load(o, ca_path, ca, &c->crl, crl_path, sizeof(crl_path)) < 0) {
		X509_free(ca);
		free(text);
		c->code = WP_EXIT_FAILED;
		return -1;
	}
	c->revocation_checked = c->crl != NULL;
	int rc = anchor_line(c, ca, o->ca_fingerprint, "CA");
	if (rc == 0)
		rc = check_signature(c, sig, ca);
	if (rc == 0 && o->ledger)
		rc = check_ledger(c, o->ledger, ca);
	if (rc == 0 && o->device)
		rc = check_device(c, o);
	X509_free(ca);
	X509_CRL_free(c->crl);
	c->crl = NULL;
	free(text);
	return rc;
}

static int verify_qr(const struct wp_kopts *o, struct check *c)
{
	char err[1024];
	X509 **certs = NULL;
	size_t n = 0;
	struct wp_qr q;
	struct wp_person signer;
	if (wp_trust_load(o->trust, &certs, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: cert verify: %s\n", err);
		c->code = WP_EXIT_FAILED;
		return -1;
	}
	X509_CRL *crl = NULL;
	if (wp_trust_load_crl(o->trust, certs[0], &crl, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: cert verify: %s\n", err);
		wp_trust_free(certs, n);
		c->code = WP_EXIT_FAILED;
		return -1;
	}
	int rc = anchor_line(c, certs[0], o->ca_fingerprint, "the bundle's CA");
	if (rc == 0)
		rc = wp_qr_verify(o->qr, certs, n, &q, &signer, err, sizeof(err));
	wp_trust_free(certs, n);
	struct wp_revocation r = { 0 };
	bool revoked = rc == 0 && crl && wp_crl_lookup(crl, &signer, &r) == 1;
	bool had_crl = crl != NULL;
	X509_CRL_free(crl);
	if (rc < 0)
		return c->reason[0] ? -1 : invalid(c, err);
	/* the QR code carries only the day: signed on DATE or later, so a
	 * revocation before the end of that day may precede the signature */
	struct tm tm = { 0 };
	const char *end = strptime(q.date, "%Y-%m-%d", &tm);
	time_t day_end = end && !*end ? timegm(&tm) + 86400 : 0;
	if (revoked && r.at < day_end) {
		char when[WP_TIME_MAX];
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&r.at, &tm));
		snprintf(err, sizeof(err), "the key of %s (fingerprint %.16s) was revoked on %s (%s); "
			 "this QR code is dated %s and may have been signed after that", signer.name,
			 signer.fingerprint, when, r.reason, q.date);
		return invalid(c, err);
	}
	detail(c, "QR: signed by %s (%s, %s), fingerprint %.16s, certified by the bundle's CA above",
	       signer.name, signer.title, wp_role_name(signer.role), signer.fingerprint);
	detail(c, "certificate %s: serial %s, model %s, method %s, NIST %s, %s on %s", q.id,
	       q.serial, q.model, q.method, q.category, q.result, q.date);
	detail(c, "document SHA-256 %s", q.sha256);
	detail(c, "a QR code carries the issuer's signature only: the validator's second "
	       "signature is checked with the files (cert verify FILE.json)");
	detail(c, had_crl ? "revocation: checked against the bundle's revocation list"
		      : "revocation: not checked (the bundle has no revocation list; export a new "
			"one with 'wipeproof keys export-trust')");
	return 0;
}

int wp_cert_verify_cmd(const struct wp_kopts *o)
{
	struct check c = { .details = json_array(), .anchor = json_object(), .code = WP_EXIT_OK };
	char pin[WP_FPR_HEX];
	if (o->ca_fingerprint && wp_fpr_parse(o->ca_fingerprint, pin) < 0) {
		fprintf(stderr, "wipeproof: cert verify: --ca-fingerprint '%s' is not a SHA-256 "
			"fingerprint (64 hex digits, as a verdict prints it)\n", o->ca_fingerprint);
		json_decref(c.details);
		json_decref(c.anchor);
		return WP_EXIT_USAGE;
	}
	if (o->qr ? !o->trust || o->operand || o->ledger || o->device
		  : !o->operand || o->trust) {
		fprintf(stderr, "wipeproof: cert verify needs FILE.json [--sig F] [--ca F] [--ledger DB] "
			"[--device DEV], or --qr TEXT --trust BUNDLE; see 'wipeproof help cert'\n");
		json_decref(c.details);
		json_decref(c.anchor);
		return WP_EXIT_USAGE;
	}
	int rc = o->qr ? verify_qr(o, &c) : verify_file(o, &c);
	if (rc < 0 && !c.reason[0]) {
		json_decref(c.details);
		json_decref(c.doc);
		json_decref(c.anchor);
		return c.code;
	}
	return finish(o, &c);
}

/* cert validate FILE --as PERSON: the validator (an approver or witness,
 * not the issuer) checks the certificate against the CA and the ledger,
 * then adds their own CMS signature over the same bytes beside it. */
int wp_cert_validate_cmd(const struct wp_kopts *o)
{
	char err[1024], path[4300], sha[WP_FPR_HEX];
	const char *who = o->as ? o->as : getenv("WIPEPROOF_AS");
	if (!o->operand || !who) {
		fprintf(stderr, "wipeproof: cert validate needs FILE.json and --as PERSON (an approver "
			"or witness other than the issuer)\n");
		return WP_EXIT_USAGE;
	}
	struct wp_identity *id = NULL;
	if (wp_identity_load(wp_keys_dir_resolve(o->keys_dir), who, o->passphrase_file, &id, err,
			     sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: cert validate: %s\n", err);
		return WP_EXIT_FAILED;
	}
	const struct wp_person *me = wp_identity_person(id);
	if (!wp_cert_role_may_validate(me->role)) {
		fprintf(stderr, "wipeproof: cert validate: %s has role '%s'; only an approver or a "
			"witness may validate a certificate\n", me->name, wp_role_name(me->role));
		wp_identity_free(id);
		return WP_EXIT_REFUSED;
	}
	snprintf(path, sizeof(path), "%s%s", o->operand, WP_VALIDATOR_SIG_SUFFIX);
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "wipeproof: cert validate: %s is already validated (%s exists)\n",
			o->operand, path);
		wp_identity_free(id);
		return WP_EXIT_REFUSED;
	}
	/* the same checks as cert verify, always with the ledger */
	struct wp_kopts v = *o;
	v.ledger = wp_ledger_path_resolve(o->ledger);
	v.json = false;
	v.sig = NULL;
	struct check c = { .details = json_array(), .code = WP_EXIT_OK, .validating = true,
			   .path = o->operand };
	int rc = verify_file(&v, &c);
	int code = WP_EXIT_OK;
	if (rc < 0) {
		if (c.reason[0])
			fprintf(stderr, "wipeproof: cert validate: not validated: %s\n", c.reason);
		code = c.reason[0] ? WP_EXIT_MISMATCH : c.code;
	} else if (strcmp(wp_certdoc_str(c.doc, "signing.policy"), WP_SIGNING_TWO_PERSON) != 0) {
		fprintf(stderr, "wipeproof: cert validate: this is not a two-person certificate; it "
			"takes no second signature\n");
		code = WP_EXIT_REFUSED;
	} else if (strcmp(me->fingerprint, wp_certdoc_str(c.doc, "issued_by.fingerprint")) == 0 ||
		   strcmp(me->name, wp_certdoc_str(c.doc, "issued_by.name")) == 0) {
		fprintf(stderr, "wipeproof: cert validate: %s issued this certificate; another person "
			"(an approver or witness) must validate it\n", me->name);
		code = WP_EXIT_REFUSED;
	}
	size_t len = 0;
	char *text = code == WP_EXIT_OK ? wp_cert_read_file(o->operand, &len, err, sizeof(err)) : NULL;
	char *pem = NULL;
	if (code == WP_EXIT_OK) {
		if (text)
			wp_sha256_hex(text, len, sha);
		snprintf(path, sizeof(path), "%s%s", o->operand, WP_VALIDATOR_SIG_SUFFIX);
		/* sign exactly the bytes that were checked */
		if (text && strcmp(sha, c.sha) != 0)
			snprintf(err, sizeof(err), "%s changed while it was checked", o->operand);
		if (!text || strcmp(sha, c.sha) != 0 ||
		    wp_cms_sign(id, text, len, &pem, err, sizeof(err)) < 0 ||
		    wp_file_write_new(path, pem, strlen(pem), 0644, err, sizeof(err)) < 0) {
			fprintf(stderr, "wipeproof: cert validate: %s\n", err);
			code = WP_EXIT_FAILED;
		} else {
			printf("validated %s: second signature by %s (%s, %s) in %s\n", o->operand,
			       me->name, me->title, wp_role_name(me->role), path);
		}
	}
	free(pem);
	free(text);
	json_decref(c.details);
	json_decref(c.doc);
	wp_identity_free(id);
	return code;
}
