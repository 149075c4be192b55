/* libFuzzer: what `custody verify` does with the stored columns of events
 * it cannot trust. The input is a sequence of events separated by a NUL
 * byte; each starts with one byte choosing the kind and one choosing the
 * actor's role, then the body text. Each body is parsed (duplicates
 * refused), must be canonical as stored, is hashed into the chain, checked
 * against the rules for the asset's state so far and, when accepted,
 * applied to it — the verifier's replay (custody/verify.c) without the
 * signatures, which the fuzzer could never forge. The verifier's direct
 * writer of an event's text (wp_event_text) is held to the reference
 * path's bytes, with the input's bytes as the asset tag. */
#include "custody_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = {
	WP_EV_POLICY, WP_EV_INTAKE, WP_EV_REQUEST, WP_EV_APPROVE, WP_EV_WIPE_START,
	WP_EV_WIPE_END, WP_EV_VERIFIED, WP_EV_CERTIFICATE, WP_EV_DESTROYED, WP_EV_TRANSFER,
	WP_EV_RELEASE, WP_EV_NOTE, WP_EV_FREESPACE, WP_EV_VENDOR_DESTROYED,
	WP_EV_ERASURE_ATTESTED, "unknown",
};
static const char *const roles[] = { "operator", "approver", "witness", "auditor", "" };

/* The event with TEXT as its asset tag: what the direct writer takes must
 * be written as the reference writes it, or the reference must refuse it. */
static void writer_agrees(const struct wp_event *ev, const char *body, const char *text,
			  size_t len)
{
	static struct wp_event probe;
	char err[700];
	struct wp_text_buf b = { 0 };
	probe = *ev;
	if (!body) {                   /* a body that is not canonical: an empty one */
		probe.body = NULL;
		body = "{}";
	}
	if (len >= sizeof(probe.asset))
		len = sizeof(probe.asset) - 1;
	memcpy(probe.asset, text, len);
	probe.asset[len] = '\0';
	json_t *obj = wp_event_canonical_object(&probe);
	char *ref = obj ? wp_canonical_json(obj, err, sizeof(err)) : NULL;
	if (wp_event_text(&probe, body, &b) == 0 && (!ref || strcmp(ref, b.text) != 0))
		abort();
	free(b.text);
	free(ref);
	json_decref(obj);
}

static void one_event(struct wp_asset_state *st, json_t **policy, struct wp_event *ev,
		      const char *text, size_t len)
{
	char err[700], hash[WP_HASH_HEX];
	ev->body = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
	char *canon = ev->body ? wp_canonical_json(ev->body, err, sizeof(err)) : NULL;
	bool same = canon && strlen(canon) == len && memcmp(canon, text, len) == 0;
	writer_agrees(ev, canon, text, len);
	free(canon);
	json_t *obj = same ? wp_event_canonical_object(ev) : NULL;
	char *whole = obj ? wp_canonical_json(obj, err, sizeof(err)) : NULL;
	if (whole) {
		wp_event_hash(ev->prev_hash, whole, hash);
		snprintf(ev->prev_hash, sizeof(ev->prev_hash), "%s", hash);
		/* the rules read the policy body in force (issue 17's table) */
		if (wp_rule_check(st, *policy, ev, err, sizeof(err)) == 0) {
			wp_state_apply(st, ev);
			if (strcmp(ev->kind, WP_EV_POLICY) == 0) {
				json_decref(*policy);
				*policy = json_incref(ev->body);
			}
		}
		(void)wp_asset_status(st);
	}
	free(whole);
	json_decref(obj);
	json_decref(ev->body);
	ev->body = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wp_asset_state *st = calloc(1, sizeof(*st));
	struct wp_event ev = { .time = "2026-11-22T09:00:00Z", .asset = "PC-1" };
	json_t *policy = NULL;
	if (!st)
		return 0;
	snprintf(st->asset, sizeof(st->asset), "PC-1");
	snprintf(ev.prev_hash, sizeof(ev.prev_hash), "%s", WP_ZERO_HASH);
	snprintf(ev.actor.name, sizeof(ev.actor.name), "鈴木 一郎");
	const uint8_t *p = data, *end = data + size;
	for (uint64_t seq = 1; end - p >= 2 && seq <= 64; seq++) {
		const uint8_t *stop = memchr(p + 2, 0, (size_t)(end - p - 2));
		if (!stop)
			stop = end;
		ev.seq = seq;
		snprintf(ev.kind, sizeof(ev.kind), "%s", kinds[p[0] % (sizeof(kinds) / sizeof(kinds[0]))]);
		snprintf(ev.actor.role, sizeof(ev.actor.role), "%s", roles[p[1] % 5]);
		ev.witnessed = p[1] & 0x80;
		snprintf(ev.witness.name, sizeof(ev.witness.name), "%s", ev.witnessed ? "佐藤 花子" : "");
		snprintf(ev.witness.role, sizeof(ev.witness.role), "%s", roles[(p[1] >> 4) % 5]);
		one_event(st, &policy, &ev, (const char *)p + 2, (size_t)(stop - p - 2));
		p = stop < end ? stop + 1 : end;
	}
	free(st);
	json_decref(policy);
	return 0;
}
