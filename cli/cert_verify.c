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
	char sha[WP_FPR_HEX];
};

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
		json_t *out = json_pack("{s:s, s:O}", "verdict", c->reason[0] ? "INVALID" : "VALID",
					"details", c->details);
		if (c->reason[0])
			wp_json_set(out, "reason", json_string(c->reason));
		json_dumpf(out, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(out);
	} else {
		size_t i;
		json_t *line;
		if (c->reason[0])
			printf("INVALID: %s\n", c->reason);
		else
			printf("VALID\n");
		json_array_foreach(c->details, i, line)
			printf("  %s\n", json_string_value(line));
	}
	json_decref(c->details);
	json_decref(c->doc);
	return c->reason[0] ? WP_EXIT_MISMATCH : c->code;
}

/* ---- the document and its signature ----------------------------------- */

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
	detail(c, "signature: valid CMS signature by %s (%s, %s), fingerprint %.16s, signed %s, "
	       "certified by the CA", s.person.name, s.person.title, wp_role_name(s.person.role),
	       s.person.fingerprint, when);
	if (wp_certdoc_parse(c->text, c->len, &c->doc, err, sizeof(err)) < 0)
		return invalid(c, err);
	detail(c, "document: canonical and complete, SHA-256 %s", c->sha);
	if (strcmp(s.person.fingerprint, wp_certdoc_str(c->doc, "issued_by.fingerprint")) != 0) {
		snprintf(err, sizeof(err), "signed by %s, but the document names %s as its issuer",
			 s.person.name, wp_certdoc_str(c->doc, "issued_by.name"));
		return invalid(c, err);
	}
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
	return 0;
}

/* ---- the ledger ------------------------------------------------------- */

struct cert_event {
	const char *id, *sha;
	uint64_t seq;
};

/* Called by the verified pass for every event of the certificate's asset:
 * the lookup sees exactly the rows verification checked. */
static int find_event(const struct wp_event *ev, const struct wp_asset_state *st, void *ctx)
{
	(void)st;
	struct cert_event *f = ctx;
	const char *id = json_string_value(json_object_get(ev->body, "certificate_id"));
	const char *sha = json_string_value(json_object_get(ev->body, "certificate_sha256"));
	if (strcmp(ev->kind, WP_EV_CERTIFICATE) == 0 && id && sha && strcmp(id, f->id) == 0 &&
	    strcmp(sha, f->sha) == 0)
		f->seq = ev->seq;
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
	snprintf(anchor, sizeof(anchor), "%s@%lld", wp_certdoc_str(c->doc, "ledger.head_hash"), seq);
	struct cert_event f = { wp_certdoc_str(c->doc, "certificate_id"), c->sha, 0 };
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
	detail(c, "ledger: %llu events verify; the head at issue (seq %lld) is in the chain; "
	       "certificate event at seq %llu", (unsigned long long)report.events, seq,
	       (unsigned long long)f.seq);
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
	int rc = check_signature(c, sig, ca);
	if (rc == 0 && o->ledger)
		rc = check_ledger(c, o->ledger, ca);
	if (rc == 0 && o->device)
		rc = check_device(c, o);
	X509_free(ca);
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
	int rc = wp_qr_verify(o->qr, certs, n, &q, &signer, err, sizeof(err));
	wp_trust_free(certs, n);
	if (rc < 0)
		return invalid(c, err);
	detail(c, "QR: signed by %s (%s, %s), fingerprint %.16s, certified by the bundle's CA",
	       signer.name, signer.title, wp_role_name(signer.role), signer.fingerprint);
	detail(c, "certificate %s: serial %s, model %s, method %s, NIST %s, %s on %s", q.id,
	       q.serial, q.model, q.method, q.category, q.result, q.date);
	detail(c, "document SHA-256 %s", q.sha256);
	return 0;
}

int wp_cert_verify_cmd(const struct wp_kopts *o)
{
	struct check c = { .details = json_array(), .code = WP_EXIT_OK };
	if (o->qr ? !o->trust || o->operand || o->ledger || o->device
		  : !o->operand || o->trust) {
		fprintf(stderr, "wipeproof: cert verify needs FILE.json [--sig F] [--ca F] [--ledger DB] "
			"[--device DEV], or --qr TEXT --trust BUNDLE; see 'wipeproof help cert'\n");
		json_decref(c.details);
		return WP_EXIT_USAGE;
	}
	int rc = o->qr ? verify_qr(o, &c) : verify_file(o, &c);
	if (rc < 0 && !c.reason[0]) {
		json_decref(c.details);
		json_decref(c.doc);
		return c.code;
	}
	return finish(o, &c);
}
