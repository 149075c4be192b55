/*
 * Issuing a certificate of sanitization: only for what the ledger shows —
 * the sanitized wipe of this job, or a witnessed destruction — never for a
 * failed, interrupted or unverified wipe (those have their signed wipe-end
 * event and nothing else). The files come first (JSON, its CMS signature,
 * the QR text), then the certificate event with the JSON's digest, so the
 * ledger never names a file that was not written; the PDF last, since it
 * can be drawn again from the others (`cert render`).
 *
 * Nothing here prints or reads the environment: where the people were and
 * how to reach them come in struct wp_cert_config, and what happened goes
 * back in struct wp_certify_result for the front end to show.
 */
#include "station_internal.h"
#include "wpi18n.h"
#include "wptext.h"
#include "render.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
 * and the wipe certificate before it, which a Destroy certificate links
 * (issue 17). */
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

#define refuse(res, ...) \
	((enum wp_certify_status)wp_st_fail(WP_CERTIFY_REFUSED, (res)->err, sizeof((res)->err), \
					    __VA_ARGS__))

/* The ledger must show exactly what is being certified. */
static enum wp_certify_status check_state(const struct wp_certify_request *req,
					  const struct wp_asset_state *st,
					  struct wp_certify_result *res)
{
	const struct wp_person *p = wp_identity_person(req->issuer);
	if (!wp_cert_role_may_issue(p->role))
		return refuse(res, _("%s has role '%s'; only an operator or an approver may issue a "
			      "certificate of sanitization"), p->name, wp_role_name(p->role));
	if (req->job && req->job->scope.kind[0]) {
		if (strcmp(st->freespace_job, req->job->id) == 0)
			return WP_CERTIFY_OK;
		return refuse(res, _("no certificate for the free space of %s: the ledger does not "
			      "show job %s of asset %s as wiped"), req->job->scope.mountpoint,
			      req->job->id, req->asset);
	}
	if (req->job && (!st->sanitized || strcmp(st->job_id, req->job->id) != 0))
		return refuse(res, _("no certificate for %s: the ledger does not show job %s of asset "
			      "%s as sanitized"), req->job->device.path, req->job->id, req->asset);
	if (!req->job && !st->destroyed && !st->attested)
		return refuse(res, _("cert issue: asset %s has no recorded destruction; a certificate "
			      "for a wipe is issued by 'wipeproof wipe DEV --asset %s'"), req->asset,
			      req->asset);
	return WP_CERTIFY_OK;
}

/* Where the people were and how to reach them: the configuration, else
 * what the ledger knows (intake location) or the host, and the
 * organisation from the issuer's certificate. */
static void defaults(const struct wp_cert_config *cfg, const struct wp_asset_state *st,
		     const struct wp_person *p, char *loc, size_t loclen, char *contact, size_t clen)
{
	const char *l = cfg ? cfg->location : NULL;
	const char *c = cfg ? cfg->contact : NULL;
	char host[128] = "";
	if ((!l || !l[0]) && st->location[0])
		l = st->location;
	if ((!l || !l[0]) && gethostname(host, sizeof(host) - 1) == 0)
		l = host;
	snprintf(loc, loclen, "%s", l && l[0] ? l : "unknown");
	snprintf(contact, clen, "%s", c && c[0] ? c : p->org[0] ? p->org : "unknown");
}

static void make_paths(struct wp_certify_result *r, const char *dir, const char *id)
{
	char d[4096];
	snprintf(d, sizeof(d), "%s", dir && dir[0] ? dir : ".");
	snprintf(r->json, sizeof(r->json), "%s/cert-%s.json", d, id);
	snprintf(r->sig, sizeof(r->sig), "%s.p7s", r->json);
	snprintf(r->qr, sizeof(r->qr), "%s.qr", r->json);
	snprintf(r->pdf, sizeof(r->pdf), "%s/cert-%s.pdf", d, id);
}

/* The output folder with its parents (0700), made only once the ledger
 * allowed the certificate: a refused issue creates nothing. */
static int make_dir(const char *dir, char *err, size_t errlen)
{
	struct stat sb;
	if (!dir || !dir[0])
		return 0;
	if (wp_station_make_dir(dir, err, errlen) < 0)
		return -1;
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, _("--report-dir %.1000s is not a folder; create it first"), dir);
		return -1;
	}
	if (access(dir, W_OK) < 0) {
		snprintf(err, errlen, _("--report-dir %.1000s: cannot write there: %s"), dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* JSON, signature and QR text, all or none (only what this call created
 * is removed again); *qr_text is malloc'd. */
static int write_files(const struct wp_certify_request *req, const struct wp_certify_result *p,
		       const char *text, const json_t *doc, char **qr_text, char *err,
		       size_t errlen)
{
	char *sig = NULL;
	struct wp_qr q;
	*qr_text = NULL;
	int rc = wp_cms_sign(req->issuer, text, strlen(text), &sig, err, errlen);
	if (rc == 0)
		rc = wp_qr_from_doc(doc, p->sha256, &q, err, errlen);
	if (rc == 0)
		rc = wp_qr_sign(req->issuer, &q, qr_text, err, errlen);
	if (rc == 0)
		rc = wp_file_write_new(p->json, text, strlen(text), 0644, err, errlen);
	if (rc == 0 && (rc = wp_file_write_new(p->sig, sig, strlen(sig), 0644, err, errlen)) < 0)
		unlink(p->json);
	if (rc == 0 && (rc = wp_file_write_new(p->qr, *qr_text, strlen(*qr_text), 0644, err,
					       errlen)) < 0) {
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

json_t *wp_cert_event_body(const json_t *doc, const char *sha256, const char *json_path,
			   const struct wp_job *job)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "certificate_id",
				 wp_certdoc_str(doc, "certificate_id"), "certificate_sha256", sha256,
				 "certificate", json_path, "category",
				 wp_certdoc_str(doc, "sanitization.category"));
	int rc = 0;
	if (body && job)
		rc |= wp_json_set(body, "job_id", json_string(job->id));
	if (body && job && job->scope.kind[0])
		rc |= wp_json_set(body, "scope", json_string(WP_CERT_SCOPE_FREE_SPACE));
	if (rc != 0) {
		json_decref(body);
		return NULL;
	}
	return body;
}

static int append_event(const struct wp_certify_request *req, const json_t *doc,
			const struct wp_certify_result *p, char *err, size_t errlen)
{
	json_t *body = wp_cert_event_body(doc, p->sha256, p->json, req->job);
	int rc = body ? wp_custody_append(req->ledger, req->issuer, WP_EV_CERTIFICATE, req->asset,
					  body, NULL, NULL, err, errlen)
		      : WP_CUSTODY_ERROR;
	if (!body)
		snprintf(err, errlen, _("out of memory"));
	json_decref(body);
	return rc;
}

/* From the document on: files, ledger event, PDF. */
static enum wp_certify_status issue_doc(const struct wp_certify_request *req, json_t *doc,
					struct wp_certify_result *res)
{
	char err[1024], *qr_text = NULL;
	char *text = wp_certdoc_canonical(doc, err, sizeof(err));
	if (!text) {
		snprintf(res->err, sizeof(res->err), _("cannot issue a certificate for %s: %s"),
			 req->asset, err);
		return WP_CERTIFY_FAILED;
	}
	wp_sha256_hex(text, strlen(text), res->sha256);
	make_paths(res, req->out_dir, res->id);
	enum wp_certify_status st = WP_CERTIFY_FAILED;
	if (make_dir(req->out_dir, res->err, sizeof(res->err)) < 0) {
		/* the message names the folder */
	} else if (write_files(req, res, text, doc, &qr_text, err, sizeof(err)) < 0) {
		snprintf(res->err, sizeof(res->err), _("certificate for %s: %s"), req->asset, err);
	} else if ((res->custody_rc = append_event(req, doc, res, err, sizeof(err))) != 0) {
		/* a certificate the ledger does not know is not issued */
		unlink(res->json);
		unlink(res->sig);
		unlink(res->qr);
		snprintf(res->err, sizeof(res->err), _("certificate for %s: cannot record it in the "
			 "ledger, so none was issued: %s"), req->asset, err);
		st = WP_CERTIFY_LEDGER;
	} else if (wp_render_pdf(doc, res->sha256, qr_text, res->pdf, err, sizeof(err)) < 0) {
		snprintf(res->err, sizeof(res->err), "%s", err);
		st = WP_CERTIFY_NO_PDF;
	} else {
		res->pdf_written = true;
		st = WP_CERTIFY_OK;
	}
	free(qr_text);
	free(text);
	return st;
}

static enum wp_certify_status build_and_issue(const struct wp_certify_request *req,
					      const struct wp_asset_state *st,
					      const struct wp_event *destroyed,
					      const struct wp_event *wipe_cert,
					      struct wp_certify_result *res)
{
	char err[1024], head[WP_HASH_HEX], digest[WP_HASH_HEX] = "";
	char ledger_id[WP_LEDGER_ID_HEX] = "";
	char loc[WP_NAME_MAX], contact[WP_NAME_MAX];
	uint64_t seq = 0;
	const struct wp_person *p = wp_identity_person(req->issuer);
	if (wp_uuid_new(res->id, sizeof(res->id), err, sizeof(err)) < 0 ||
	    wp_custody_head(req->ledger, &seq, head, err, sizeof(err)) < 0 ||
	    wp_custody_ledger_id(req->ledger, ledger_id, err, sizeof(err)) < 0 ||
	    (req->job && wp_file_sha256(req->report_path, digest, err, sizeof(err)) < 0)) {
		snprintf(res->err, sizeof(res->err), _("cannot issue a certificate for %s: %s"),
			 req->asset, err);
		return WP_CERTIFY_FAILED;
	}
	defaults(req->config, st, p, loc, sizeof(loc), contact, sizeof(contact));
	struct wp_cert_inputs in = {
		.id = res->id, .issuer = p, .state = st, .job = req->job,
		.report_path = req->report_path, .report_sha256 = digest, .destroyed = destroyed,
		.wipe_cert = wipe_cert, .head_seq = seq, .head_hash = head, .ledger_id = ledger_id,
		.location = loc, .contact = contact, .issued = req->issued ? req->issued : time(NULL),
		.single_signature = req->single_signature,
	};
	json_t *doc = wp_cert_build(&in);
	if (!doc) {
		snprintf(res->err, sizeof(res->err), _("cannot build the certificate for %s (out of "
			 "memory)"), req->asset);
		return WP_CERTIFY_FAILED;
	}
	enum wp_certify_status s = issue_doc(req, doc, res);
	json_decref(doc);
	return s;
}

enum wp_certify_status wp_certify(const struct wp_certify_request *req,
				  struct wp_certify_result *res)
{
	char err[1024];
	memset(res, 0, sizeof(*res));
	struct wp_asset_state *st = malloc(sizeof(*st));
	struct found f = { .have = false };
	enum wp_certify_status s = WP_CERTIFY_FAILED;
	if (!st) {
		snprintf(res->err, sizeof(res->err), _("out of memory"));
		return s;
	}
	if (wp_custody_state(req->ledger, req->asset, st, err, sizeof(err)) < 0 ||
	    (!req->job && wp_custody_each(req->ledger, req->asset, keep_destroyed, &f, err,
					  sizeof(err)) < 0)) {
		snprintf(res->err, sizeof(res->err), _("cannot read asset %s from the ledger: %s"),
			 req->asset, err);
		goto out;
	}
	s = check_state(req, st, res);
	if (s == WP_CERTIFY_OK && !req->job && !f.have)
		s = refuse(res, _("cert issue: asset %s has no recorded destruction event"),
			   req->asset);
	if (s == WP_CERTIFY_OK)
		s = build_and_issue(req, st, req->job ? NULL : &f.ev,
				    f.have_wipe_cert ? &f.wipe_cert : NULL, res);
out:
	json_decref(f.ev.body);
	json_decref(f.wipe_cert.body);
	free(st);
	return s;
}

/* The validator (an approver or witness, not the issuer) checks the
 * certificate as an auditor would, always against the ledger, then signs
 * exactly the bytes that were checked. */
enum wp_certify_status wp_cert_validate(const struct wp_validate_request *req,
					struct wp_audit_verdict *v, char *sig_path, size_t pathlen,
					char *err, size_t errlen)
{
	char sha[WP_FPR_HEX], why[1024];
	const struct wp_person *me = wp_identity_person(req->validator);
	memset(v, 0, sizeof(*v));
	snprintf(sig_path, pathlen, "%s%s", req->path, WP_VALIDATOR_SIG_SUFFIX);
	if (!wp_cert_role_may_validate(me->role)) {
		snprintf(err, errlen, _("%s has role '%s'; only an approver or a witness may validate a "
			 "certificate"), me->name, wp_role_name(me->role));
		return WP_CERTIFY_REFUSED;
	}
	if (access(sig_path, F_OK) == 0) {
		snprintf(err, errlen, _("%s is already validated (%s exists)"), req->path, sig_path);
		return WP_CERTIFY_REFUSED;
	}
	struct wp_audit_request a = {
		.path = req->path, .ca_path = req->ca_path, .crl_path = req->crl_path,
		.ca_pin = req->ca_pin, .ledger_path = req->ledger_path, .validating = true,
	};
	enum wp_audit_status st = wp_audit(&a, v);
	if (st == WP_AUDIT_INVALID) {
		snprintf(err, errlen, _("not validated: %s"), v->reason);
		return WP_CERTIFY_INVALID;
	}
	if (st != WP_AUDIT_VALID) {
		snprintf(err, errlen, "%s", v->error);
		return WP_CERTIFY_FAILED;
	}
	if (strcmp(wp_certdoc_str(v->doc, "signing.policy"), WP_SIGNING_TWO_PERSON) != 0) {
		snprintf(err, errlen, _("this is not a two-person certificate; it takes no second "
			 "signature"));
		return WP_CERTIFY_REFUSED;
	}
	if (strcmp(me->fingerprint, wp_certdoc_str(v->doc, "issued_by.fingerprint")) == 0 ||
	    strcmp(me->name, wp_certdoc_str(v->doc, "issued_by.name")) == 0) {
		snprintf(err, errlen, _("%s issued this certificate; another person (an approver or "
			 "witness) must validate it"), me->name);
		return WP_CERTIFY_REFUSED;
	}
	size_t len = 0;
	char *pem = NULL, *text = wp_cert_read_file(req->path, &len, why, sizeof(why));
	enum wp_certify_status s = WP_CERTIFY_FAILED;
	if (text)
		wp_sha256_hex(text, len, sha);
	/* sign exactly the bytes that were checked */
	if (!text)
		snprintf(err, errlen, "%s", why);
	else if (strcmp(sha, v->sha256) != 0)
		snprintf(err, errlen, _("%s changed while it was checked"), req->path);
	else if (wp_cms_sign(req->validator, text, len, &pem, err, errlen) == 0 &&
		 wp_file_write_new(sig_path, pem, strlen(pem), 0644, err, errlen) == 0)
		s = WP_CERTIFY_OK;
	free(pem);
	free(text);
	return s;
}
