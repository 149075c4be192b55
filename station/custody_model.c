/*
 * Issue 17 helpers of the custody model (station.h, "confidentiality classes" section): the
 * policy table, the confidentiality class at intake, the vendor's
 * destruction and an erasure attested by the device or its maker. Evidence
 * files (a vendor's certificate, an erase report) are recorded by SHA-256
 * and kept as a copy next to the ledger, so the ledger names a file the
 * organisation still has after the original paper or mail is gone.
 */
#include "station.h"
#include "custody.h"
#include "wptext.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

json_t *wp_station_policy_body(const char *spec, bool no_approval, char *err, size_t errlen)
{
	json_t *body;
	if (spec && no_approval) {
		snprintf(err, errlen, "give --policy or --no-approval-required, not both: a policy "
			 "table without approvals is a table whose rows say \"required\": false");
		return NULL;
	}
	if (!spec)
		return json_pack("{s:b}", "approval_required", !no_approval);
	if (strcmp(spec, "default") == 0) {
		body = wp_policy_default_table();
	} else {
		json_error_t jerr;
		body = json_load_file(spec, JSON_REJECT_DUPLICATES, &jerr);
		if (!body) {
			snprintf(err, errlen, "policy file %s: %s (line %d); it must be a JSON object "
				 "as custody/README.md (Policy table) shows", spec, jerr.text, jerr.line);
			return NULL;
		}
	}
	/* the rules check it again when it is appended; here to say which
	 * file is wrong before a key is loaded */
	char why[512];
	if (wp_policy_body_check(body, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "policy %s: %s", spec, why);
		json_decref(body);
		return NULL;
	}
	return body;
}

int wp_station_intake_class(const json_t *policy, const char *classes, const char *kind,
			    json_t *body, char *err, size_t errlen)
{
	char highest[64];
	if (kind)
		wp_json_set(body, "kind", json_string(kind));
	if (!classes)
		return 0;
	if (wp_policy_highest_class(policy, classes, highest, sizeof(highest), err, errlen) < 0)
		return -1;
	wp_json_set(body, "confidentiality", json_string(highest));
	if (strchr(classes, ',')) {
		json_t *given = json_array();
		char word[128];
		for (const char *p = classes; *p;) {
			size_t n = strcspn(p, ",");
			snprintf(word, sizeof(word), "%.*s", (int)n, p);
			wp_json_append(given, json_string(word));
			p += n + (p[n] == ',');
		}
		wp_json_set(body, "confidentiality_given", given);
	}
	return 0;
}

/* Copy FILE to DIR/<sha256>-<name> (DIR created 0750): content-addressed,
 * so the same file kept twice is one copy, and a copy is never replaced. */
static int keep_copy(const char *file, const char *dir, const char *sha, char *kept,
		     size_t keptlen, char *err, size_t errlen)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s for the evidence copy: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(kept, keptlen, "%s/%s-%s", dir, sha, base);
	if (access(kept, F_OK) == 0) {
		kept[0] = '\0'; /* kept before: not this call's to remove */
		return 0;
	}
	FILE *in = fopen(file, "rb");
	if (!in) {
		snprintf(err, errlen, "cannot read %s: %s", file, strerror(errno));
		return -1;
	}
	char *data = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;
	for (;;) {
		if (len == cap) {
			char *more = cap < (64u << 20) ? realloc(data, cap = cap ? cap * 2 : 65536) : NULL;
			if (!more) {
				snprintf(err, errlen, "%s is too large to keep a copy (at most 64 MiB)", file);
				rc = -1;
				break;
			}
			data = more;
		}
		size_t n = fread(data + len, 1, cap - len, in);
		len += n;
		if (n == 0)
			break;
	}
	if (rc == 0 && ferror(in)) {
		snprintf(err, errlen, "cannot read %s", file);
		rc = -1;
	}
	fclose(in);
	char got[WP_HASH_HEX];
	if (rc == 0) {
		wp_sha256_hex(data, len, got);
		if (strcmp(got, sha) != 0) {
			snprintf(err, errlen, "%s changed while it was read; try again", file);
			rc = -1;
		}
	}
	if (rc == 0)
		rc = wp_file_write_new(kept, data, len, 0640, err, errlen);
	free(data);
	return rc;
}

int wp_station_evidence(const char *ledger_path, const char *what, const char *file,
			json_t *body, const char *sha_key, const char *name_key, char *kept,
			size_t keptlen, char *err, size_t errlen)
{
	char sha[WP_HASH_HEX], dir[4096], sub[4200];
	kept[0] = '\0';
	if (wp_file_sha256(file, sha, err, errlen) < 0)
		return -1;
	wp_path_dir(ledger_path, dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/%s", dir, what);
	if (keep_copy(file, sub, sha, kept, keptlen, err, errlen) < 0)
		return -1;
	const char *base = strrchr(file, '/');
	wp_json_set(body, sha_key, json_string(sha));
	wp_json_set(body, name_key, json_string(base ? base + 1 : file));
	return 0;
}

int wp_station_class_allows(const json_t *policy, const char *classes, const char *category,
			     char *err, size_t errlen)
{
	struct wp_asset_state *st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = wp_policy_highest_class(policy, classes, st->confidentiality,
					 sizeof(st->confidentiality), err, errlen);
	if (rc == 0)
		rc = wp_policy_level_check(policy, st, category, err, errlen);
	free(st);
	return rc;
}

/* The policy in force in LEDGER, from a verified pass; NULL in *policy when
 * the ledger has none. A status. */
static int ledger_policy(const char *ledger, const char *keys_dir, json_t **policy, char *err,
			 size_t errlen)
{
	char ca_path[4200], why[1024];
	X509 *ca = NULL;
	struct wp_ledger *l = NULL;
	int rc;
	*policy = NULL;
	snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", keys_dir ? keys_dir : ".");
	if (wp_cert_load(ca_path, &ca, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "ledger %s: its classes cannot be checked without the CA "
			 "certificate: %s; give --keys DIR", ledger, why);
		return WP_STATION_USAGE;
	}
	rc = wp_ledger_open_readonly(ledger, &l, why, sizeof(why));
	bool opened = rc == 0;
	if (rc == 0)
		rc = wp_ledger_set_ca(l, ca, why, sizeof(why));
	if (rc == 0)
		rc = wp_custody_policy(l, policy, why, sizeof(why));
	wp_ledger_close(l);
	X509_free(ca);
	if (rc != 0) {
		snprintf(err, errlen, "the classes of ledger %s cannot be read: %s", ledger, why);
		return opened ? WP_STATION_FAILED : WP_STATION_USAGE;
	}
	return WP_STATION_OK;
}

int wp_station_plan_class(const char *ledger, const char *keys_dir, bool explicit,
			  const char *classes, const char *category, bool *ledger_used,
			  char *err, size_t errlen)
{
	json_t *policy = NULL;
	char highest[64];
	int rc = WP_STATION_OK;
	*ledger_used = false;
	/* a station that never recorded anything has no ledger: the default set */
	bool there = ledger && ledger[0] &&
		     (wp_ledger_is_pg(ledger) || access(ledger, F_OK) == 0);
	if (explicit || there) {
		rc = ledger_policy(ledger, keys_dir, &policy, err, errlen);
		*ledger_used = rc == WP_STATION_OK;
	}
	if (rc == WP_STATION_OK &&
	    wp_policy_highest_class(policy, classes, highest, sizeof(highest), err, errlen) < 0)
		rc = WP_STATION_USAGE;
	if (rc == WP_STATION_OK && wp_station_class_allows(policy, highest, category, err,
							   errlen) < 0)
		rc = WP_STATION_REFUSED;
	json_decref(policy);
	return rc;
}
