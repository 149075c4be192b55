/*
 * The certificate document: its canonical form, what it must contain, and
 * reading it back. The canonical form is the one custody events use
 * (custody/README.md): jansson's compact, key-sorted, UTF-8 output, equal to
 * Python's json.dumps(v, sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False) as long as there are no reals and no control
 * characters other than tab, LF, CR. certs/ cannot call custody/ (custody
 * depends on certs), so the few lines that check this live here as well.
 */
#include "certs_internal.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Members every certificate has ('s' non-empty string, 'i' integer >= 0);
 * wipe_only ones only a certificate for a wipe (result "sanitized" or
 * "free-space-wiped"). */
static const struct {
	const char *path;
	char type;
	bool wipe_only;
} required[] = {
	{ "format", 's', false },
	{ "format_version", 'i', false },
	{ "certificate_id", 's', false },
	{ "issued_utc", 's', false },
	{ "result", 's', false },
	{ "destination", 's', false },
	{ "issued_by.name", 's', false },
	{ "issued_by.title", 's', false },
	{ "issued_by.role", 's', false },
	{ "issued_by.fingerprint", 's', false },
	{ "asset.tag", 's', false },
	{ "media.manufacturer", 's', false },
	{ "media.model", 's', false },
	{ "media.serial", 's', false },
	{ "media.property_number", 's', false },
	{ "media.media_type", 's', false },
	{ "media.media_source", 's', false },
	{ "sanitization.category", 's', false },
	{ "sanitization.description", 's', false },
	{ "sanitization.method", 's', false },
	{ "sanitization.method_details", 's', false },
	{ "sanitization.tool", 's', false },
	{ "sanitization.tool_version", 's', false },
	{ "sanitization.started_utc", 's', false },
	{ "sanitization.ended_utc", 's', false },
	{ "sanitization.job_id", 's', true },
	{ "sanitization.passes", 'i', true },
	{ "sanitization.bytes_written", 'i', true },
	{ "sanitization.duration_s", 'i', true },
	{ "sanitization.throughput_bytes_per_s", 'i', true },
	{ "sanitization.report", 's', true },
	{ "sanitization.report_sha256", 's', true },
	{ "media.size_bytes", 'i', true },
	{ "verification.method", 's', false },
	{ "verification.mode", 's', false },
	{ "verification.bytes_checked", 'i', true },
	{ "verification.coverage_permille", 'i', true },
	{ "verification.coverage_percent", 's', true },
	{ "verification.mismatched_blocks", 'i', true },
	{ "ledger.seq", 'i', false },
	{ "ledger.head_hash", 's', false },
	{ "sanitized_by.name", 's', false },
	{ "sanitized_by.title", 's', false },
	{ "sanitized_by.date", 's', false },
	{ "sanitized_by.location", 's', false },
	{ "sanitized_by.contact", 's', false },
	{ "sanitized_by.fingerprint", 's', false },
	{ "verified_by.name", 's', false },
	{ "verified_by.title", 's', false },
	{ "verified_by.date", 's', false },
	{ "verified_by.location", 's', false },
	{ "verified_by.contact", 's', false },
	{ "verified_by.fingerprint", 's', false },
};

/* What a free-space certificate has besides; the others have no scope. */
static const struct {
	const char *path;
	char type;
} required_free_space[] = {
	{ "scope.kind", 's' },
	{ "scope.description", 's' },
	{ "scope.filesystem", 's' },
	{ "scope.mountpoint", 's' },
	{ "scope.device", 's' },
	{ "scope.free_bytes", 'i' },
};

void wp_sha256_hex(const void *data, size_t len, char out[WP_FPR_HEX])
{
	unsigned char md[32];
	unsigned n = 0;
	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32) {
		/* never equals a real digest: fails safe */
		memset(out, 'x', 64);
		out[64] = '\0';
		return;
	}
	wp_hex_encode(md, n, out);
}

/* The member at a dotted path, or NULL. */
static const json_t *member(const json_t *doc, const char *path)
{
	char key[64];
	const json_t *v = doc;
	while (v && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = json_is_object(v) ? json_object_get(v, key) : NULL;
		path += n + (path[n] == '.');
	}
	return v;
}

const char *wp_certdoc_str(const json_t *doc, const char *path)
{
	const json_t *v = member(doc, path);
	return json_is_string(v) ? json_string_value(v) : "";
}

long long wp_certdoc_int(const json_t *doc, const char *path)
{
	const json_t *v = member(doc, path);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static int check_member(const json_t *doc, const char *path, char type, char *err,
			size_t errlen)
{
	const json_t *v = member(doc, path);
	bool ok = type == 's' ? json_is_string(v) && json_string_length(v) > 0
			      : json_is_integer(v) && json_integer_value(v) >= 0;
	if (!ok)
		snprintf(err, errlen, "certificate is incomplete: '%s' is missing or not %s", path,
			 type == 's' ? "a non-empty string" : "a whole number >= 0");
	return ok ? 0 : -1;
}

bool wp_cert_result_is_free_space(const char *result)
{
	return strcmp(result, WP_CERT_RESULT_FREE_SPACE) == 0 ||
	       strcmp(result, WP_CERT_RESULT_FREE_SPACE_PARTIAL) == 0;
}

/* "wiped" with free space left unreached would claim what was not done;
 * "partial" must say how much. Certificates from before issue 15 have no
 * unreached_bytes: accepted as they are. */
static int check_unreached(const json_t *doc, char *err, size_t errlen)
{
	const json_t *scope = json_object_get(doc, "scope");
	const json_t *u = json_object_get(scope, "unreached_bytes");
	bool partial = strcmp(wp_certdoc_str(doc, "result"), WP_CERT_RESULT_FREE_SPACE_PARTIAL) == 0;
	if (!u && !partial)
		return 0;
	if (!json_is_integer(u) || json_integer_value(u) < 0) {
		snprintf(err, errlen, "certificate is incomplete: 'scope.unreached_bytes' is missing "
			 "or not a whole number >= 0");
		return -1;
	}
	if (partial != (json_integer_value(u) > 0)) {
		snprintf(err, errlen, "certificate result \"%s\" contradicts scope.unreached_bytes "
			 "%lld: \"%s\" only when it is 0, \"%s\" otherwise",
			 wp_certdoc_str(doc, "result"), (long long)json_integer_value(u),
			 WP_CERT_RESULT_FREE_SPACE, WP_CERT_RESULT_FREE_SPACE_PARTIAL);
		return -1;
	}
	return 0;
}

/* A free-space certificate must say so twice (result and scope), and no
 * other certificate may carry a scope that narrows what it covers. */
static int check_scope(const json_t *doc, bool free_space, char *err, size_t errlen)
{
	if (!free_space) {
		if (member(doc, "scope")) {
			snprintf(err, errlen, "certificate has a 'scope' but its result is not \"%s\"",
				 WP_CERT_RESULT_FREE_SPACE "\" or \"" WP_CERT_RESULT_FREE_SPACE_PARTIAL);
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof(required_free_space) / sizeof(required_free_space[0]); i++)
		if (check_member(doc, required_free_space[i].path, required_free_space[i].type, err,
				 errlen) < 0)
			return -1;
	if (strcmp(wp_certdoc_str(doc, "scope.kind"), WP_CERT_SCOPE_FREE_SPACE) != 0) {
		snprintf(err, errlen, "certificate scope.kind must be \"%s\"", WP_CERT_SCOPE_FREE_SPACE);
		return -1;
	}
	return check_unreached(doc, err, errlen);
}

/* The build that made the record is optional (certificates from before
 * builds were named lack it), but when present the executable's hash is
 * exactly what `sha256sum` prints, so an auditor can compare it byte for
 * byte, and the commit is a plain token. */
static int check_build(const json_t *doc, char *err, size_t errlen)
{
	const json_t *sha = member(doc, "sanitization.tool_sha256");
	if (sha) {
		const char *h = json_is_string(sha) ? json_string_value(sha) : "";
		bool ok = strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64;
		if (!ok) {
			snprintf(err, errlen, "certificate's sanitization.tool_sha256 is not 64 "
				 "lower-case hex digits");
			return -1;
		}
	}
	const json_t *commit = member(doc, "sanitization.tool_commit");
	if (commit) {
		const char *c = json_is_string(commit) ? json_string_value(commit) : "";
		size_t hex = strspn(c, "0123456789abcdef");
		bool ok = strcmp(c, "unknown") == 0 ||
			  (hex >= 7 && hex <= 40 && (!c[hex] || strcmp(c + hex, "-dirty") == 0));
		if (!ok) {
			snprintf(err, errlen, "certificate's sanitization.tool_commit is not a git "
				 "commit (hex, optionally -dirty) or \"unknown\"");
			return -1;
		}
	}
	return 0;
}

/* ---- issue 17: optional members, exact when present ---------- */

static bool is_hex64(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) == 64 &&
	       strspn(json_string_value(v), "0123456789abcdef") == 64;
}

static bool is_utc(const json_t *v)
{
	const char *s = json_string_value(v);
	int y, mo, d, h, mi, se;
	char z;
	return s && strlen(s) == 20 &&
	       sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) == 7 && z == 'Z';
}

static int bad(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "certificate's %s", what);
	return -1;
}

static int check_custody_model(const json_t *doc, const char *result, char *err, size_t errlen)
{
	const json_t *c = member(doc, "confidentiality");
	if (c && !(json_is_object(c) && json_object_size(c) == 2 &&
		   json_string_length(json_object_get(c, "pre")) > 0 &&
		   json_string_length(json_object_get(c, "post")) > 0))
		return bad(err, errlen, "confidentiality must be {pre, post}: two non-empty texts");
	const json_t *date = member(doc, "approver.date");
	if (date && !is_utc(date))
		return bad(err, errlen, "approver.date is not a UTC time YYYY-MM-DDTHH:MM:SSZ");
	const json_t *vendor = member(doc, "vendor");
	bool destroyed = strcmp(result, "destroyed") == 0;
	if (vendor && (!destroyed || !is_hex64(member(doc, "vendor.certificate_sha256")) ||
		       !wp_certdoc_str(doc, "vendor.name")[0] ||
		       !wp_certdoc_str(doc, "vendor.date")[0]))
		return bad(err, errlen, "vendor needs a destruction, a name, a date and the vendor "
			   "certificate's SHA-256 (64 lower-case hex digits)");
	const json_t *link = member(doc, "wipe_certificate");
	if (link && (!is_hex64(member(doc, "wipe_certificate.certificate_sha256")) ||
		     !wp_certdoc_str(doc, "wipe_certificate.certificate_id")[0]))
		return bad(err, errlen, "wipe_certificate needs the earlier certificate's id and "
			   "SHA-256 (64 lower-case hex digits)");
	bool attested = strcmp(result, WP_CERT_RESULT_ATTESTED) == 0;
	const char *cat = wp_certdoc_str(doc, "sanitization.category");
	if (attested != (member(doc, "attestation") != NULL) ||
	    (attested && (!is_hex64(member(doc, "attestation.evidence_sha256")) ||
			  (strcmp(cat, "Clear") != 0 && strcmp(cat, "unknown — vendor-attested") != 0))))
		return bad(err, errlen, "attestation and result \"" WP_CERT_RESULT_ATTESTED "\" go "
			   "together, with the evidence's SHA-256 and category Clear or \"unknown — "
			   "vendor-attested\"");
	return 0;
}

/* The PC the disk was in (optional: a disk taken in alone has none): named
 * by its serial, with its maker and model when known, nothing else. */
static int check_computer(const json_t *doc, char *err, size_t errlen)
{
	const json_t *pc = member(doc, "asset.computer");
	if (!pc)
		return 0;
	const char *key;
	const json_t *v;
	bool ok = json_is_object(pc) && wp_certdoc_str(doc, "asset.computer.serial")[0];
	json_object_foreach((json_t *)pc, key, v)
		ok = ok && json_is_string(v) && json_string_length(v) > 0 &&
		     (strcmp(key, "serial") == 0 || strcmp(key, "manufacturer") == 0 ||
		      strcmp(key, "model") == 0);
	if (!ok)
		snprintf(err, errlen, "certificate asset.computer must name the PC's serial, and "
			 "optionally its manufacturer and model, as non-empty strings and nothing else");
	return ok ? 0 : -1;
}

int wp_certdoc_check(const json_t *doc, char *err, size_t errlen)
{
	if (!json_is_object(doc) || strcmp(wp_certdoc_str(doc, "format"), WP_CERT_FORMAT) != 0 ||
	    wp_certdoc_int(doc, "format_version") != 1) {
		snprintf(err, errlen, "not a wipeproof certificate (format \"%s\" version 1 expected)",
			 WP_CERT_FORMAT);
		return -1;
	}
	const char *result = wp_certdoc_str(doc, "result");
	bool free_space = wp_cert_result_is_free_space(result);
	bool wipe = free_space || strcmp(result, "sanitized") == 0;
	if (!wipe && strcmp(result, "destroyed") != 0 && strcmp(result, WP_CERT_RESULT_ATTESTED) != 0) {
		snprintf(err, errlen, "certificate result '%s' is not sanitized, destroyed or %s, "
			 "nor %s; no certificate is issued for any other result", result,
			 WP_CERT_RESULT_FREE_SPACE " (or " WP_CERT_RESULT_FREE_SPACE_PARTIAL ")",
			 WP_CERT_RESULT_ATTESTED);
		return -1;
	}
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (required[i].wipe_only && !wipe)
			continue;
		if (check_member(doc, required[i].path, required[i].type, err, errlen) < 0)
			return -1;
	}
	/* optional (older certificates have none): the ledger's random id */
	const json_t *lid = member(doc, "ledger.id");
	if (lid && !(json_is_string(lid) && json_string_length(lid) == 32 &&
		     strspn(json_string_value(lid), "0123456789abcdef") == 32)) {
		snprintf(err, errlen, "certificate ledger.id must be 32 lowercase hex digits");
		return -1;
	}
	if (check_build(doc, err, errlen) < 0 || check_computer(doc, err, errlen) < 0)
		return -1;
	if (check_scope(doc, free_space, err, errlen) < 0)
		return -1;
	if (check_custody_model(doc, result, err, errlen) < 0)
		return -1;
	/* optional (older certificates have none), exact when present */
	const json_t *signing = member(doc, "signing");
	const char *policy = wp_certdoc_str(doc, "signing.policy");
	if (signing && !(json_is_object(signing) &&
			 ((strcmp(policy, WP_SIGNING_TWO_PERSON) == 0) ||
			  (strcmp(policy, WP_SIGNING_SINGLE) == 0 &&
			   wp_certdoc_str(doc, "signing.reason")[0])))) {
		snprintf(err, errlen, "certificate 'signing' must say policy \"%s\", or \"%s\" with "
			 "a reason", WP_SIGNING_TWO_PERSON, WP_SIGNING_SINGLE);
		return -1;
	}
	return 0;
}

char *wp_certdoc_canonical(const json_t *doc, char *err, size_t errlen)
{
	char *text = wp_json_canonical(doc, "certificate", err, errlen);
	if (text && wp_certdoc_check(doc, err, errlen) < 0) {
		free(text);
		return NULL;
	}
	return text;
}

int wp_certdoc_parse(const char *text, size_t len, json_t **out, char *err, size_t errlen)
{
	json_error_t jerr;
	*out = NULL;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		snprintf(err, errlen, "not valid JSON (line %d: %s)", jerr.line, jerr.text);
		return -1;
	}
	char why[400];
	char *canon = wp_certdoc_canonical(doc, why, sizeof(why));
	int rc = -1;
	if (!canon)
		snprintf(err, errlen, "%s", why);
	else if (strlen(canon) != len || memcmp(canon, text, len) != 0)
		snprintf(err, errlen, "the document is not in canonical form (sorted keys, no "
			 "whitespace, UTF-8 unescaped); it was reformatted or edited after issue");
	else
		rc = 0;
	free(canon);
	if (rc < 0)
		json_decref(doc);
	else
		*out = doc;
	return rc;
}
