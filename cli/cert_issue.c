/*
 * Issuing a certificate of sanitization: only for what the ledger shows —
 * the sanitized wipe of this job, or a witnessed destruction — never for a
 * failed, interrupted or unverified wipe (those have their signed wipe-end
 * event and nothing else). The files come first (JSON, its CMS signature,
 * the QR text), then the certificate event with the JSON's digest, so the
 * ledger never names a file that was not written; the PDF last, since it
 * can be drawn again from the others (`cert render`).
 */
#include "cert_cli.h"
#include "wipe_steps.h"
#include "wptext.h"
#include "render.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct found {
	struct wp_event ev;
	bool have;
	struct wp_event wipe_cert;   /* the last certificate of a wipe (issue 17) */
	bool have_wipe_cert;
};

static void keep(struct wp_event *slot, const struct wp_event *ev)
{
	json_decref(slot->body);
	*slot = *ev;
	slot->body = json_incref(ev->body);
}

/* The destruction (ours or the vendor's) or attested erasure to certify,
 * and the wipe certificate before it, which a Destroy certificate links. */
static int keep_destroyed(const struct wp_event *ev, void *ctx)
{
	struct found *f = ctx;
	if (strcmp(ev->kind, WP_EV_CERTIFICATE) == 0 && json_object_get(ev->body, "job_id") &&
	    !json_object_get(ev->body, "scope")) {
		keep(&f->wipe_cert, ev);
		f->have_wipe_cert = true;
	}
	if (strcmp(ev->kind, WP_EV_DESTROYED) != 0 && strcmp(ev->kind, WP_EV_VENDOR_DESTROYED) != 0 &&
	    strcmp(ev->kind, WP_EV_ERASURE_ATTESTED) != 0)
		return 0;
	keep(&f->ev, ev);
	f->have = true;
	return 0;
}

/* The ledger must show exactly what is being certified. */
static int check_state(const struct wp_cert_issue *req, const struct wp_asset_state *st)
{
	const struct wp_person *p = wp_identity_person(req->issuer);
	if (!wp_cert_role_may_issue(p->role)) {
		fprintf(stderr, "wipeproof: %s has role '%s'; only an operator or an approver may "
			"issue a certificate of sanitization\n", p->name, wp_role_name(p->role));
		return WP_EXIT_REFUSED;
	}
	if (req->job && req->job->scope.kind[0]) {
		if (strcmp(st->freespace_job, req->job->id) == 0)
			return WP_EXIT_OK;
		fprintf(stderr, "wipeproof: no certificate for the free space of %s: the ledger does "
			"not show job %s of asset %s as wiped\n", req->job->scope.mountpoint,
			req->job->id, req->asset);
		return WP_EXIT_REFUSED;
	}
	if (req->job && (!st->sanitized || strcmp(st->job_id, req->job->id) != 0)) {
		fprintf(stderr, "wipeproof: no certificate for %s: the ledger does not show job %s "
			"of asset %s as sanitized\n", req->job->device.path, req->job->id, req->asset);
		return WP_EXIT_REFUSED;
	}
	if (!req->job && !st->destroyed && !st->attested) {
		fprintf(stderr, "wipeproof: cert issue: asset %s has no recorded destruction; a "
			"certificate for a wipe is issued by 'wipeproof wipe DEV --asset %s'\n",
			req->asset, req->asset);
		return WP_EXIT_REFUSED;
	}
	return WP_EXIT_OK;
}

/* Where the people were and how to reach them: the option, else the
 * environment, else what the ledger knows (intake location) or the host,
 * and the organisation from the issuer's certificate. */
static void defaults(const struct wp_cert_issue *req, const struct wp_asset_state *st,
		     const struct wp_person *p, char *loc, size_t loclen, char *contact, size_t clen)
{
	const char *l = req->location ? req->location : getenv("WIPEPROOF_LOCATION");
	const char *c = req->contact ? req->contact : getenv("WIPEPROOF_CONTACT");
	char host[128] = "";
	if ((!l || !l[0]) && st->location[0])
		l = st->location;
	if ((!l || !l[0]) && gethostname(host, sizeof(host) - 1) == 0)
		l = host;
	snprintf(loc, loclen, "%s", l && l[0] ? l : "unknown");
	snprintf(contact, clen, "%s", c && c[0] ? c : p->org[0] ? p->org : "unknown");
}

struct paths {
	char dir[4096];
	char json[4160], sig[4200], qr[4200], pdf[4200];
};

static void make_paths(struct paths *p, const char *dir, const char *id)
{
	snprintf(p->dir, sizeof(p->dir), "%s", dir && dir[0] ? dir : ".");
	snprintf(p->json, sizeof(p->json), "%s/cert-%s.json", p->dir, id);
	snprintf(p->sig, sizeof(p->sig), "%s.p7s", p->json);
	snprintf(p->qr, sizeof(p->qr), "%s.qr", p->json);
	snprintf(p->pdf, sizeof(p->pdf), "%s/cert-%s.pdf", p->dir, id);
}

/* JSON, signature and QR text, all or none (only what this call created
 * is removed again); *qr_text is malloc'd. */
static int write_files(const struct wp_cert_issue *req, const struct paths *p, const char *text,
		       const json_t *doc, const char *sha, char **qr_text, char *err, size_t errlen)
{
	char *sig = NULL;
	struct wp_qr q;
	*qr_text = NULL;
	int rc = wp_cms_sign(req->issuer, text, strlen(text), &sig, err, errlen);
	if (rc == 0)
		rc = wp_qr_from_doc(doc, sha, &q, err, errlen);
	if (rc == 0)
		rc = wp_qr_sign(req->issuer, &q, qr_text, err, errlen);
	if (rc == 0)
		rc = wp_file_write_new(p->json, text, strlen(text), 0644, err, errlen);
	if (rc == 0 && (rc = wp_file_write_new(p->sig, sig, strlen(sig), 0644, err, errlen)) < 0)
		unlink(p->json);
	if (rc == 0 && (rc = wp_file_write_new(p->qr, *qr_text, strlen(*qr_text), 0644, err, errlen)) < 0) {
		unlink(p->json);
		unlink(p->sig);
	}
	free(sig);
	if (rc < 0) {
		free(*qr_text);
		*qr_text = NULL;
	}
	return rc;
}

static int append_event(const struct wp_cert_issue *req, const json_t *doc, const char *sha,
			const struct paths *p, char *err, size_t errlen)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "certificate_id",
				 wp_certdoc_str(doc, "certificate_id"), "certificate_sha256", sha,
				 "certificate", p->json, "category",
				 wp_certdoc_str(doc, "sanitization.category"));
	if (body && req->job)
		wp_json_set(body, "job_id", json_string(req->job->id));
	if (body && req->job && req->job->scope.kind[0])
		wp_json_set(body, "scope", json_string(WP_CERT_SCOPE_FREE_SPACE));
	int rc = body ? wp_custody_append(req->ledger, req->issuer, WP_EV_CERTIFICATE, req->asset,
					  body, NULL, NULL, err, errlen)
		      : WP_CUSTODY_ERROR;
	if (!body)
		snprintf(err, errlen, "out of memory");
	json_decref(body);
	return rc;
}

static void announce(const struct wp_cert_issue *req, const struct paths *p, const char *sha,
		     const char *id, bool pdf)
{
	if (req->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "event", "certificate",
				      "asset", req->asset, "certificate_id", id, "certificate", p->json,
				      "signature", p->sig, "sha256", sha, "pdf", pdf ? p->pdf : "");
		json_dumpf(o, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(o);
		return;
	}
	printf("certificate  %s (asset %s)\n", p->json, req->asset);
	printf("  signature  %s\n", p->sig);
	if (pdf)
		printf("  pdf        %s\n", p->pdf);
	printf("  sha256     %s\n", sha);
	if (!req->single_signature)
		printf("  validate   it needs a second signature: an approver or witness runs\n"
		       "             wipeproof cert validate %s --as PERSON\n", p->json);
}

/* From the document on: files, ledger event, PDF. */
static int issue_doc(const struct wp_cert_issue *req, json_t *doc, const char *id)
{
	char err[1024], sha[WP_FPR_HEX], *qr_text = NULL;
	struct paths p;
	char *text = wp_certdoc_canonical(doc, err, sizeof(err));
	if (!text) {
		fprintf(stderr, "wipeproof: cannot issue a certificate for %s: %s\n", req->asset, err);
		return WP_EXIT_FAILED;
	}
	wp_sha256_hex(text, strlen(text), sha);
	make_paths(&p, req->out_dir, id);
	int code = WP_EXIT_FAILED;
	/* the folder is made only now: a refused issue creates nothing */
	if (wp_make_report_dir(req->out_dir) < 0)
		return WP_EXIT_FAILED;
	if (write_files(req, &p, text, doc, sha, &qr_text, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: certificate for %s: %s\n", req->asset, err);
	} else if ((code = append_event(req, doc, sha, &p, err, sizeof(err))) != 0) {
		/* a certificate the ledger does not know is not issued */
		unlink(p.json);
		unlink(p.sig);
		unlink(p.qr);
		fprintf(stderr, "wipeproof: certificate for %s: cannot record it in the ledger, so "
			"none was issued: %s\n", req->asset, err);
		code = wp_custody_exit(code);
	} else {
		bool pdf = wp_render_pdf(doc, sha, qr_text, p.pdf, err, sizeof(err)) == 0;
		if (!pdf)
			fprintf(stderr, "wipeproof: certificate for %s issued, but the PDF failed: %s; "
				"draw it later with 'wipeproof cert render %s'\n", req->asset, err, p.json);
		announce(req, &p, sha, id, pdf);
		code = pdf ? WP_EXIT_OK : WP_EXIT_FAILED;
	}
	free(qr_text);
	free(text);
	return code;
}

static int build_and_issue(const struct wp_cert_issue *req, const struct wp_asset_state *st,
			   const struct wp_event *destroyed, const struct wp_event *wipe_cert)
{
	char err[1024], id[WP_UUID_LEN], head[WP_HASH_HEX], digest[WP_HASH_HEX] = "";
	char ledger_id[WP_LEDGER_ID_HEX] = "";
	char loc[WP_NAME_MAX], contact[WP_NAME_MAX];
	uint64_t seq = 0;
	const struct wp_person *p = wp_identity_person(req->issuer);
	if (wp_uuid_new(id, sizeof(id), err, sizeof(err)) < 0 ||
	    wp_custody_head(req->ledger, &seq, head, err, sizeof(err)) < 0 ||
	    wp_custody_ledger_id(req->ledger, ledger_id, err, sizeof(err)) < 0 ||
	    (req->job && wp_file_sha256(req->report_path, digest, err, sizeof(err)) < 0)) {
		fprintf(stderr, "wipeproof: cannot issue a certificate for %s: %s\n", req->asset, err);
		return WP_EXIT_FAILED;
	}
	defaults(req, st, p, loc, sizeof(loc), contact, sizeof(contact));
	struct wp_cert_inputs in = {
		.id = id, .issuer = p, .state = st, .job = req->job, .report_path = req->report_path,
		.report_sha256 = digest, .destroyed = destroyed, .wipe_cert = wipe_cert,
		.head_seq = seq, .head_hash = head,
		.ledger_id = ledger_id,
		.location = loc, .contact = contact, .issued = time(NULL),
		.single_signature = req->single_signature,
	};
	json_t *doc = wp_cert_build(&in);
	if (!doc) {
		fprintf(stderr, "wipeproof: cannot build the certificate for %s (out of memory)\n",
			req->asset);
		return WP_EXIT_FAILED;
	}
	int code = issue_doc(req, doc, id);
	json_decref(doc);
	return code;
}

int wp_cert_issue_run(const struct wp_cert_issue *req)
{
	char err[1024];
	struct wp_asset_state *st = malloc(sizeof(*st));
	struct found f = { .have = false };
	int code = WP_EXIT_FAILED;
	if (!st)
		return code;
	if (wp_custody_state(req->ledger, req->asset, st, err, sizeof(err)) < 0 ||
	    (!req->job && wp_custody_each(req->ledger, req->asset, keep_destroyed, &f, err,
					  sizeof(err)) < 0)) {
		fprintf(stderr, "wipeproof: cannot read asset %s from the ledger: %s\n", req->asset, err);
		goto out;
	}
	code = check_state(req, st);
	if (code == WP_EXIT_OK && !req->job && !f.have)
		code = WP_EXIT_REFUSED;
	if (code == WP_EXIT_OK)
		code = build_and_issue(req, st, req->job ? NULL : &f.ev,
				       f.have_wipe_cert ? &f.wipe_cert : NULL);
out:
	json_decref(f.ev.body);
	json_decref(f.wipe_cert.body);
	free(st);
	return code;
}
