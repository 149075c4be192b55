/*
 * What issue 17's custody model adds to a certificate (station.h, "confidentiality classes"
 * block): the NIST pre- and post-sanitization confidentiality, the date of
 * the approval beside the approver, a destruction that names no tool
 * version, the vendor that destroyed the medium with its certificate's
 * digest and the earlier wipe certificate, and an erasure the device or its
 * maker did, certified with the category it honestly has. Applied to the
 * document wp_cert_build made, before it is signed.
 */
#include "station.h"
#include "custody.h"
#include "certs.h"
#include "wptext.h"

#include <stdio.h>
#include <string.h>

static const char *body_str(const struct wp_event *ev, const char *key)
{
	const char *s = ev ? json_string_value(json_object_get(ev->body, key)) : NULL;
	return s ? s : "";
}

static json_t *obj(json_t *doc, const char *key)
{
	json_t *o = json_object_get(doc, key);
	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(doc, key, o);
	}
	return o;
}

/* NIST SP 800-88's sample certificate has both: the class of the
 * information before, and what the medium holds after. */
static void confidentiality(json_t *doc, const struct wp_asset_state *st, const char *result)
{
	const char *post;
	if (!st->confidentiality[0])
		return;
	if (strcmp(result, "destroyed") == 0)
		post = "なし (破壊) / none: destroyed";
	else if (wp_cert_result_is_free_space(result))
		post = st->confidentiality; /* the live files are still there */
	else if (strcmp(result, WP_CERT_RESULT_ATTESTED) == 0 &&
		 strcmp(st->attested_category, "unknown") == 0)
		post = "不明 (業者証明) / unknown: vendor-attested";
	else
		post = "なし (消去済み) / none: sanitized";
	json_object_set_new(doc, "confidentiality",
			    json_pack("{s:s, s:s}", "pre", st->confidentiality, "post", post));
}

static void vendor(json_t *doc, const struct wp_cert_model *m)
{
	const struct wp_event *ev = m->evidence;
	const struct wp_asset_state *st = m->st;
	char text[1024];
	snprintf(text, sizeof(text), "%s; 破壊日 destroyed on %s; 廃棄証明書 certificate %s "
		 "SHA-256 %s; 受領 received by %s", st->vendor, body_str(ev, "date"),
		 body_str(ev, "vendor_cert"), body_str(ev, "vendor_cert_sha256"),
		 body_str(ev, "received_by"));
	json_object_set_new(doc, "vendor", json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", st->vendor, "certificate_sha256",
		body_str(ev, "vendor_cert_sha256"), "certificate", body_str(ev, "vendor_cert"),
		"date", body_str(ev, "date"), "method", body_str(ev, "method"), "received_by",
		body_str(ev, "received_by"), "description", text));
	json_t *s = obj(doc, "sanitization");
	snprintf(text, sizeof(text), "physical destruction by the vendor named below, per its "
		 "certificate of destruction (廃棄業者による物理破壊、廃棄証明書あり): %s",
		 body_str(ev, "method"));
	wp_json_set(s, "method_details", json_string(text));
	wp_json_set(doc, "verification", json_pack(
		"{s:s, s:s}", "method", "the vendor's certificate of destruction, its SHA-256 "
		"recorded in the custody ledger and a copy kept beside it",
		"mode", "vendor-certificate"));
	/* no witness of ours saw it: the one who received the vendor's
	 * certificate checked it */
	json_t *by = json_object_get(doc, "sanitized_by");
	if (by)
		wp_json_set(doc, "verified_by", json_deep_copy(by));
}

static void attested(json_t *doc, const struct wp_cert_model *m)
{
	const struct wp_event *ev = m->evidence;
	bool clear = strcmp(body_str(ev, "category"), "clear") == 0;
	const char *by = body_str(ev, "by");
	const char *who = strcmp(by, "self") == 0 ? "the device itself (機器自身の消去機能)"
			  : strcmp(by, "maker") == 0 ? "its maker (製造元)"
			  : strcmp(by, "lease-company") == 0 ? "the lease company (リース会社)"
			  : "the vendor (業者)";
	char details[1024], desc[512];
	snprintf(details, sizeof(details), "erased by %s%s%s: %s; evidence %s SHA-256 %s, "
		 "witnessed by %s", who, body_str(ev, "erased_by")[0] ? ", " : "",
		 body_str(ev, "erased_by"), body_str(ev, "method"), body_str(ev, "evidence"),
		 body_str(ev, "evidence_sha256"), ev->witness.name);
	snprintf(desc, sizeof(desc), "%s", clear
		 ? "Clear: the erasure the evidence names is a NIST Clear; not done or read back by "
		   "wipeproof (機器・製造元による消去、証跡あり)"
		 : "unknown — vendor-attested: erased by the device or its maker, level not known "
		   "(業者の証明による消去、消去区分は不明)");
	wp_json_set(doc, "result", json_string(WP_CERT_RESULT_ATTESTED));
	wp_json_set(doc, "sanitization", json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "category",
		clear ? "Clear" : "unknown — vendor-attested", "description", desc, "method",
		body_str(ev, "method"), "method_details", details, "tool",
		"none: the device's or maker's own erasure (機器・製造元の消去)", "tool_version",
		"n/a", "started_utc", ev->time, "ended_utc", ev->time));
	wp_json_set(doc, "verification", json_pack(
		"{s:s, s:s}", "method", "erasure evidence recorded by SHA-256 in the custody "
		"ledger, witnessed and co-signed by a second person", "mode", "attested"));
	json_object_set_new(doc, "attestation", json_pack(
		"{s:s, s:s, s:s, s:s}", "by", by, "evidence", body_str(ev, "evidence"),
		"evidence_sha256", body_str(ev, "evidence_sha256"), "description", details));
	if (body_str(ev, "erased_by")[0])
		wp_json_set(json_object_get(doc, "attestation"), "erased_by",
			    json_string(body_str(ev, "erased_by")));
}

int wp_station_cert_model(json_t *doc, const struct wp_cert_model *m)
{
	const struct wp_event *ev = m->evidence;
	if (ev && strcmp(ev->kind, WP_EV_ERASURE_ATTESTED) == 0) {
		attested(doc, m);
	} else if (ev) {
		/* a physical destruction: no tool did it, so no version is named */
		json_t *s = obj(doc, "sanitization");
		wp_json_set(s, "tool", json_string("none: physical destruction (物理破壊)"));
		wp_json_set(s, "tool_version", json_string("n/a"));
		if (strcmp(ev->kind, WP_EV_VENDOR_DESTROYED) == 0)
			vendor(doc, m);
	}
	if (ev && m->wipe_cert) {
		char text[256];
		snprintf(text, sizeof(text), "%s (SHA-256 %.16s…)",
			 body_str(m->wipe_cert, "certificate_id"),
			 body_str(m->wipe_cert, "certificate_sha256"));
		json_object_set_new(doc, "wipe_certificate", json_pack(
			"{s:s, s:s, s:s}", "certificate_id", body_str(m->wipe_cert, "certificate_id"),
			"certificate_sha256", body_str(m->wipe_cert, "certificate_sha256"),
			"description", text));
	}
	json_t *approver = json_object_get(doc, "approver");
	if (approver && m->st->approved_time[0])
		wp_json_set(approver, "date", json_string(m->st->approved_time));
	confidentiality(doc, m->st, wp_certdoc_str(doc, "result"));
	return 0;
}
