/*
 * Signed heads: a checkpoint of the ledger (HASH@SEQ, when, who) signed by
 * a person, small enough to print, mail or keep on another machine. A
 * ledger cut after the checkpoint no longer reaches it, which nothing
 * inside the ledger alone can show (README.md, "What a ledger can prove").
 *
 * The file is one line of canonical JSON (sorted keys, no whitespace):
 *   {"format":"wipeproof-head","format_version":1,"head":"HASH@SEQ",
 *    "seq":N,"head_hash":HASH,"signed_utc":T,"ledger":PATH,"ledger_id":ID,
 *    "signer":{"fingerprint","name","role","title"},
 *    "signer_certificate":PEM,"signature":HEX}
 * signature = ECDSA-SHA256 (DER, hex) by the signer over the canonical
 * JSON of the same object without "signature". "ledger_id" is the id in
 * the ledger's first event (absent for a ledger from before ledger ids):
 * the head of one ledger is no anchor for another that happens to reach
 * the same HASH@SEQ (custody verify --anchor compares it).
 */
#include "custody_internal.h"
#include "wpi18n.h"
#include "wptext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_FORMAT "wipeproof-head"

int wp_head_sign(struct wp_ledger *ledger, const struct wp_identity *id, char **text,
		 char *err, size_t errlen)
{
	uint64_t seq = 0;
	char hash[WP_HASH_HEX];
	*text = NULL;
	if (wp_custody_head(ledger, &seq, hash, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	return wp_head_sign_at(ledger, id, seq, hash, text, err, errlen);
}

int wp_head_sign_at(struct wp_ledger *ledger, const struct wp_identity *id, uint64_t seq,
		    const char *hash, char **text, char *err, size_t errlen)
{
	char when[WP_TIME_MAX], head[WP_HASH_HEX + 24], *sig = NULL;
	char lid[WP_LEDGER_ID_HEX];
	*text = NULL;
	if (wp_custody_ledger_id(ledger, lid, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	if (seq == 0) {
		snprintf(err, errlen, _("ledger %s is empty: there is no head to sign"), ledger->path);
		return WP_CUSTODY_ERROR;
	}
	const struct wp_person *p = wp_identity_person(id);
	char *pem = wp_cert_to_pem(wp_identity_cert(id));
	wp_utc_format(time(NULL), when, sizeof(when));
	snprintf(head, sizeof(head), "%s@%llu", hash, (unsigned long long)seq);
	json_t *o = pem ? json_pack("{s:s, s:i, s:s, s:I, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:s}",
				    "format", HEAD_FORMAT, "format_version", 1, "head", head,
				    "seq", (json_int_t)seq, "head_hash", hash, "signed_utc", when,
				    "ledger", ledger->path, "signer", "fingerprint", p->fingerprint,
				    "name", p->name, "role", wp_role_name(p->role), "title", p->title,
				    "signer_certificate", pem)
			: NULL;
	free(pem);
	if (o && lid[0] && wp_json_set(o, "ledger_id", json_string(lid)) < 0) {
		json_decref(o);
		o = NULL;
	}
	char *body = o ? wp_canonical_json(o, err, errlen) : NULL;
	int rc = body ? wp_identity_sign_hex(id, body, strlen(body), &sig, err, errlen) : -1;
	if (rc == 0) {
		if (wp_json_set(o, "signature", json_string(sig)) == 0)
			*text = wp_canonical_json(o, err, errlen);
		else
			snprintf(err, errlen, _("out of memory"));
	}
	if (!o)
		snprintf(err, errlen, _("out of memory"));
	free(sig);
	free(body);
	json_decref(o);
	return *text ? 0 : WP_CUSTODY_ERROR;
}

static const char *str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

#define BAD(...) (snprintf(err, errlen, __VA_ARGS__), WP_CUSTODY_BROKEN)

static int check_signer(json_t *o, X509 *ca, X509_CRL *crl, struct wp_signed_head *out,
			X509 **cert, char *err, size_t errlen)
{
	char why[400];
	const char *pem = json_string_value(json_object_get(o, "signer_certificate"));
	const char *fpr = json_string_value(json_object_get(json_object_get(o, "signer"),
							    "fingerprint"));
	if (!pem || !fpr || wp_cert_from_pem(pem, cert, why, sizeof(why)) < 0)
		return BAD(_("the signed head carries no readable signer certificate"));
	if (wp_cert_person(*cert, &out->signer, why, sizeof(why)) < 0)
		return BAD(_("the signed head's signer certificate: %s"), why);
	if (strcmp(out->signer.fingerprint, fpr) != 0)
		return BAD(_("the signed head names signer %.16s but carries certificate %.16s"), fpr,
			   out->signer.fingerprint);
	if (wp_cert_check(*cert, ca, out->signed_at, why, sizeof(why)) < 0)
		return BAD(_("the head's signer %s was not certified by this CA when it was signed: %s"),
			   out->signer.name, why);
	if (wp_crl_check(crl, &out->signer, out->signed_at, why, sizeof(why)) < 0)
		return BAD(_("the signed head: %s"), why);
	return 0;
}

int wp_head_verify(const char *text, size_t len, X509 *ca, X509_CRL *crl,
		   struct wp_signed_head *out, char *err, size_t errlen)
{
	json_error_t jerr;
	memset(out, 0, sizeof(*out));
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	char *canon = o ? wp_canonical_json(o, err, errlen) : NULL;
	X509 *cert = NULL;
	int rc = 0;
	/* one line, the canonical form, optionally ending in a newline */
	size_t n = len && text[len - 1] == '\n' ? len - 1 : len;
	if (!o || !canon || strlen(canon) != n || memcmp(canon, text, n) != 0 ||
	    strcmp(str_of(o, "format"), HEAD_FORMAT) != 0 ||
	    json_integer_value(json_object_get(o, "format_version")) != 1) {
		rc = BAD(_("not a signed ledger head ('wipeproof custody head --sign' writes one), or "
			 "it was edited"));
		goto out;
	}
	const char *head = json_string_value(json_object_get(o, "head"));
	const char *when = json_string_value(json_object_get(o, "signed_utc"));
	char *sig = json_string_value(json_object_get(o, "signature"))
			    ? strdup(json_string_value(json_object_get(o, "signature"))) : NULL;
	if (!head || wp_anchor_parse(head, &out->seq, out->hash) < 0 || !when ||
	    wp_utc_parse(when, &out->signed_at) < 0 || !sig ||
	    (uint64_t)json_integer_value(json_object_get(o, "seq")) != out->seq ||
	    strcmp(str_of(o, "head_hash"), out->hash) != 0) {
		free(sig);
		rc = BAD(_("the signed head lacks its head (HASH@SEQ), time or signature"));
		goto out;
	}
	const json_t *lid = json_object_get(o, "ledger_id");
	if (lid && !wp_ledger_id_valid(json_string_value(lid))) {
		free(sig);
		rc = BAD(_("the signed head's ledger_id is not a ledger id (32 lowercase hex digits)"));
		goto out;
	}
	if (lid)
		snprintf(out->ledger_id, sizeof(out->ledger_id), "%s", json_string_value(lid));
	rc = check_signer(o, ca, crl, out, &cert, err, errlen);
	json_object_del(o, "signature");
	free(canon);
	canon = rc == 0 ? wp_canonical_json(o, err, errlen) : NULL;
	char why[300];
	if (rc == 0 && (!canon || wp_sig_verify(cert, canon, strlen(canon), sig, why, sizeof(why)) < 0))
		rc = BAD(_("the signed head's signature does not verify: it was changed after signing"));
	free(sig);
out:
	X509_free(cert);
	free(canon);
	json_decref(o);
	return rc;
}

int wp_custody_verify_head(struct wp_ledger *ledger, X509 *ca, const struct wp_signed_head *h,
			   struct wp_custody_report *report, char *err, size_t errlen)
{
	char anchor[WP_HASH_HEX + 24];
	snprintf(anchor, sizeof(anchor), "%s@%llu", h->hash, (unsigned long long)h->seq);
	int rc = wp_custody_verify(ledger, ca, anchor, report, err, errlen);
	if (rc == 0 && strcmp(h->ledger_id, report->ledger_id) != 0) {
		snprintf(report->why, sizeof(report->why), "the signed head is of another ledger "
			 "(ledger id %s; this ledger's is %s)", h->ledger_id[0] ? h->ledger_id : "none",
			 report->ledger_id[0] ? report->ledger_id : "none");
		snprintf(err, errlen, "%s", report->why);
		rc = WP_CUSTODY_BROKEN;
	}
	return rc;
}
