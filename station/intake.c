/*
 * Hot-plug intake: what a station does with a disk that arrives. The
 * decision (leave it, take it in, or take it in and wipe it) follows the
 * station policy (policy.c) and the guard; the intake itself is the same
 * custody event a person records with `custody intake --device`
 * (custody.c), so the rules that check it are the same.
 */
#include "station.h"
#include "wpi18n.h"

#include <stdlib.h>
#include <string.h>

int wp_intake_setup_resolve(struct wp_intake_setup *s, const char *policy_path,
			    struct wp_station_policy *storage, bool can_ask, char *err,
			    size_t errlen)
{
	s->policy = NULL;
	if (s->auto_wipe)
		s->intake = true; /* a wipe in the ledger needs the asset taken in */
	/* the policy is read once at the start: a station whose policy is
	 * wrong must not start at all */
	if (policy_path || s->auto_wipe) {
		const char *path = policy_path ? policy_path : WP_STATION_POLICY_DEFAULT;
		if (wp_station_policy_load(path, storage, err, errlen) < 0)
			return -1;
		s->policy = storage;
		if (!s->asset_prefix && storage->asset_prefix[0])
			s->asset_prefix = storage->asset_prefix;
		if (!s->reason && storage->intake_reason[0])
			s->reason = storage->intake_reason;
		if (s->auto_wipe && !storage->auto_wipe) {
			snprintf(err, errlen, _("--auto-wipe: the station policy %s does not say "
				 "'auto-wipe = yes'; nothing would be wiped"), path);
			return -1;
		}
	}
	/* every disk taken in needs an asset tag: from the prefix, or asked */
	if (s->intake && !s->asset_prefix && (s->auto_wipe || !can_ask)) {
		snprintf(err, errlen, _("%s needs an asset tag per disk without a terminal to ask on: "
			 "give --asset-prefix P (or asset-prefix in the policy)"),
			 s->auto_wipe ? "--auto-wipe" : "--intake");
		return -1;
	}
	return 0;
}

enum wp_intake_action wp_intake_decide(const struct wp_intake_setup *s,
				       const struct wp_device *dev, char *why, size_t len)
{
	why[0] = '\0';
	if (!s->intake)
		return WP_INTAKE_IGNORE;
	if (dev->protected_) {
		snprintf(why, len, "protected");
		return WP_INTAKE_SKIP;
	}
	if (s->policy && !wp_station_policy_allows(s->policy, dev, why, len))
		return WP_INTAKE_SKIP;
	if (!dev->serial[0]) {
		snprintf(why, len, _("the disk reports no serial number; take it in by hand with "
			 "'wipeproof custody intake --serial S --model M'"));
		return WP_INTAKE_SKIP;
	}
	return s->auto_wipe ? WP_INTAKE_WIPE : WP_INTAKE_TAKE_IN;
}

/* P + serial, with anything outside [A-Za-z0-9._-] replaced: an asset tag
 * ends up in report and certificate file names. */
void wp_intake_asset_tag(const char *prefix, const char *serial, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "%s", prefix);
	for (size_t i = 0; serial[i] && n + 1 < len; i++) {
		char c = serial[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		out[n++] = ok ? c : '_';
	}
	out[n < len ? n : len - 1] = '\0';
}

bool wp_intake_already(const char *ledger_path, const char *ca_path, const char *asset,
		       const char *serial)
{
	char err[512];
	struct wp_ledger *l = NULL;
	struct wp_asset_state *st = malloc(sizeof(*st));
	bool same = false;
	X509 *ca = NULL;
	/* read from a verified pass, like every other reader of the events */
	if (st && wp_cert_load(ca_path, &ca, err, sizeof(err)) == 0 &&
	    wp_ledger_open_readonly(ledger_path, &l, err, sizeof(err)) == 0 &&
	    wp_ledger_set_ca(l, ca, err, sizeof(err)) == 0 &&
	    wp_custody_state(l, asset, st, err, sizeof(err)) == 0)
		same = st->exists && strcmp(st->serial, serial) == 0;
	wp_ledger_close(l);
	X509_free(ca);
	free(st);
	return same;
}

int wp_intake_record(const char *ledger_path, const struct wp_identity *actor,
		     const struct wp_device *dev, const char *asset, const char *reason,
		     const char *confidentiality, uint64_t *seq, char hash[WP_HASH_HEX],
		     char *err, size_t errlen)
{
	struct wp_custody_ask a = {
		.action = "intake", .asset = asset, .device = dev->path, .reason = reason,
		.confidentiality = confidentiality,
	};
	json_t *body = NULL;
	int rc = wp_custody_ask_body(&a, &body, err, errlen);
	if (rc == 0)
		rc = wp_custody_record(ledger_path, actor, NULL, &a, body, seq, hash, err, errlen);
	json_decref(body);
	return rc;
}
