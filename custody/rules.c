/*
 * What may happen to an asset, and who may record it. One function decides
 * (wp_rule_check) and one records the consequence (wp_state_apply); both
 * appending and verifying use them, so the rules cannot drift apart.
 * custody/README.md has the same rules as tables.
 */
#include "custody_internal.h"

#include <stdio.h>
#include <string.h>

#define ROLE(r) (1u << (r))
#define DOERS (ROLE(WP_ROLE_OPERATOR) | ROLE(WP_ROLE_APPROVER))

static const struct {
	const char *kind;
	unsigned roles;
} kinds[] = {
	{ WP_EV_POLICY, ROLE(WP_ROLE_APPROVER) },
	{ WP_EV_INTAKE, DOERS },
	{ WP_EV_REQUEST, DOERS },
	{ WP_EV_APPROVE, ROLE(WP_ROLE_APPROVER) },
	{ WP_EV_WIPE_START, DOERS },
	{ WP_EV_WIPE_END, DOERS },
	{ WP_EV_WIPE_RESUME, DOERS },
	{ WP_EV_VERIFIED, DOERS },
	{ WP_EV_CERTIFICATE, DOERS },
	{ WP_EV_DESTROYED, DOERS },
	{ WP_EV_TRANSFER, DOERS },
	{ WP_EV_RELEASE, DOERS },
	{ WP_EV_NOTE, DOERS | ROLE(WP_ROLE_WITNESS) },
	{ WP_EV_FREESPACE, DOERS },
	/* issue 17 items 5-9: the asset's life */
	{ WP_EV_TAKE_OUT, DOERS },
	{ WP_EV_RETURN, DOERS },
	{ WP_EV_BLANKED, DOERS },
	{ WP_EV_STOCKTAKE, DOERS },
	{ WP_EV_VENDOR_DESTROYED, DOERS },
	{ WP_EV_ERASURE_ATTESTED, DOERS },
};

static const char *const approve_actions[] = { "wipe", "destroy", "transfer", "release", NULL };

static const char *const intake_reasons[] = { "lease-end", "leaver-return", "reuse", "repair",
					      "disposal", NULL };
static const char *const release_targets[] = { "dispose", "lease-return", "reuse", "repair", NULL };
static const char *const wipe_results[] = { "sanitized", "failed", "interrupted", "unverified", NULL };
/* partial: read back in full, but free space the filesystem kept was not
 * reached (unreached_bytes says how much) */
static const char *const freespace_results[] = { "wiped", "partial", "mismatch", "failed",
						 "interrupted", NULL };

static int kind_index(const char *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return (int)i;
	return -1;
}

bool wp_custody_role_may(enum wp_role role, const char *kind)
{
	int i = kind_index(kind);
	return i >= 0 && role > WP_ROLE_NONE && role <= WP_ROLE_AUDITOR &&
	       (kinds[i].roles & ROLE(role));
}

bool wp_custody_role_may_witness(enum wp_role role)
{
	return role == WP_ROLE_WITNESS || role == WP_ROLE_APPROVER;
}

static bool one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (strcmp(s, *set) == 0)
			return true;
	return false;
}

static const char *body_str(const struct wp_event *ev, const char *key)
{
	const json_t *v = json_object_get(ev->body, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A string member: required (non-empty) or optional, and short enough for
 * the state it is kept in. */
static int want(const struct wp_event *ev, const char *key, bool required, size_t max,
		char *err, size_t errlen)
{
	const json_t *v = json_object_get(ev->body, key);
	if (!v && !required)
		return 0;
	if (!json_is_string(v) || (required && json_string_length(v) == 0)) {
		snprintf(err, errlen, "%s event for '%s' needs a non-empty string '%s'", ev->kind,
			 ev->asset, key);
		return -1;
	}
	if (json_string_length(v) >= max) {
		snprintf(err, errlen, "%s event: '%s' is longer than %zu bytes", ev->kind, key, max - 1);
		return -1;
	}
	return 0;
}

static bool is_sha256_hex(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return false;
	return true;
}

/* A day of the calendar: 2026-02-30 is not one. */
static bool is_date(const char *s)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;
	char extra;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 ||
	    s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= days[m - 1] + (m == 2 && leap);
}

/* One person: the same certificate, the same person id (across renewals
 * and promotions), or the same name however it is spaced. */
static bool same_person(const struct wp_actor *a, const struct wp_actor *b)
{
	return strcmp(a->fingerprint, b->fingerprint) == 0 ||
	       (a->id[0] && strcmp(a->id, b->id) == 0) || wp_name_same(a->name, b->name);
}

/* issue 17 items 5-9 (the asset's life), defined in the "asset life" block below */
static int life_check_permit(const struct wp_event *ev, char *err, size_t errlen);
static int life_check_kind(const struct wp_asset_state *st, bool approval,
			   const struct wp_event *ev, char *err, size_t errlen);
static int life_check_intake(const struct wp_asset_state *st, const struct wp_event *ev,
			     char *err, size_t errlen);
static bool life_back_from_repair(const struct wp_asset_state *st);
static int life_release_route(const struct wp_asset_state *st, const struct wp_event *ev,
			      char *err, size_t errlen);
static int life_check_stocktake(const struct wp_event *ev, char *err, size_t errlen);
static bool life_apply(struct wp_asset_state *st, const struct wp_event *ev);

/* ---- who, and where ---------------------------------------------------- */

static int check_actor(const struct wp_event *ev, char *err, size_t errlen)
{
	enum wp_role role = WP_ROLE_NONE;
	wp_role_parse(ev->actor.role, &role);
	if (kind_index(ev->kind) < 0) {
		snprintf(err, errlen, "unknown event kind '%s'", ev->kind);
		return -1;
	}
	if (!wp_custody_role_may(role, ev->kind)) {
		snprintf(err, errlen, "%s has role '%s', which may not record '%s' events "
			 "(see custody/README.md, Roles); ask a person with the right role",
			 ev->actor.name, ev->actor.role, ev->kind);
		return -1;
	}
	return 0;
}

static int check_witness(const struct wp_event *ev, char *err, size_t errlen)
{
	bool needs = strcmp(ev->kind, WP_EV_DESTROYED) == 0 ||
		     strcmp(ev->kind, WP_EV_ERASURE_ATTESTED) == 0;
	enum wp_role role = WP_ROLE_NONE;
	if (strcmp(ev->kind, WP_EV_TAKE_OUT) == 0)
		return life_check_permit(ev, err, errlen);
	if (!needs && ev->witnessed) {
		snprintf(err, errlen, "only a destruction, an attested erasure or a take-out (its "
			 "permitting head) carries a second signer, "
			 "not a '%s' event", ev->kind);
		return -1;
	}
	if (!needs)
		return 0;
	if (!ev->witnessed) {
		snprintf(err, errlen, "%s '%s' needs a witness who signs too: --witness PERSON (R8)",
			 strcmp(ev->kind, WP_EV_DESTROYED) == 0 ? "destroying" : "recording the erasure of",
			 ev->asset);
		return -1;
	}
	if (same_person(&ev->actor, &ev->witness)) {
		snprintf(err, errlen, "%s cannot witness their own destruction of '%s'; a second "
			 "person must witness it (R8)", ev->actor.name, ev->asset);
		return -1;
	}
	wp_role_parse(ev->witness.role, &role);
	if (!wp_custody_role_may_witness(role)) {
		snprintf(err, errlen, "%s has role '%s' and may not witness a destruction; the "
			 "witness must have role witness or approver", ev->witness.name, ev->witness.role);
		return -1;
	}
	return 0;
}

static int check_asset_name(const struct wp_event *ev, char *err, size_t errlen)
{
	bool policy = strcmp(ev->kind, WP_EV_POLICY) == 0 || strcmp(ev->kind, WP_EV_STOCKTAKE) == 0;
	if (policy && ev->asset[0]) {
		snprintf(err, errlen, "a %s event applies to the whole ledger and names no asset",
			 ev->kind);
		return -1;
	}
	if (!policy && !ev->asset[strspn(ev->asset, " \t")]) {
		snprintf(err, errlen, "a '%s' event needs an asset tag (--asset TAG), not a blank "
			 "one", ev->kind);
		return -1;
	}
	for (const unsigned char *p = (const unsigned char *)ev->asset; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(err, errlen, "asset tag contains a control character");
			return -1;
		}
	return 0;
}

/* ---- what, when -------------------------------------------------------- */

static unsigned action_flag(const char *word)
{
	for (size_t i = 0; approve_actions[i]; i++)
		if (strcmp(word, approve_actions[i]) == 0)
			return 1u << i;
	return 0;
}

static void actions_text(unsigned flags, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; approve_actions[i]; i++)
		if (flags & (1u << i)) {
			size_t used = strlen(out);
			snprintf(out + used, len - used, "%s%s", used ? "," : "", approve_actions[i]);
		}
}

int wp_approve_actions_parse(const char *list, unsigned *out, char *err, size_t errlen)
{
	char word[32];
	*out = 0;
	for (const char *p = list; *p; ) {
		size_t n = strcspn(p, ",");
		snprintf(word, sizeof(word), "%.*s", (int)(n < sizeof(word) ? n : sizeof(word) - 1), p);
		unsigned f = action_flag(word);
		if (!f || n >= sizeof(word)) {
			snprintf(err, errlen, "'%s' is not an action an approval can name; use wipe, "
				 "destroy, transfer or release (comma-separated)", word);
			return -1;
		}
		*out |= f;
		p += n + (p[n] == ',');
	}
	if (!*out) {
		snprintf(err, errlen, "an approval must name at least one action (wipe, destroy, "
			 "transfer, release)");
		return -1;
	}
	return 0;
}

/* The "for" list and "expires" time of an approve event. */
static int approval_terms(const struct wp_event *ev, unsigned *flags, const char **until,
			  char *err, size_t errlen)
{
	const json_t *list = json_object_get(ev->body, "for"), *v;
	size_t i;
	*flags = 0;
	*until = body_str(ev, "expires");
	if (!json_is_array(list) || json_array_size(list) == 0) {
		snprintf(err, errlen, "an approval must name what it approves: 'for' is a list of "
			 "wipe, destroy, transfer, release (custody approve --for wipe,release)");
		return -1;
	}
	json_array_foreach(list, i, v) {
		unsigned f = json_is_string(v) ? action_flag(json_string_value(v)) : 0;
		if (!f || (*flags & f)) {
			snprintf(err, errlen, "approval 'for' entry %zu is not one of wipe, destroy, "
				 "transfer, release, or is repeated", i + 1);
			return -1;
		}
		*flags |= f;
	}
	time_t t;
	if (!*until || wp_utc_parse(*until, &t) < 0 || strcmp(*until, ev->time) <= 0) {
		snprintf(err, errlen, "an approval needs an 'expires' time (YYYY-MM-DDTHH:MM:SSZ, "
			 "UTC) after its own time %s (custody approve --valid-days N)", ev->time);
		return -1;
	}
	return 0;
}

/* An action needs an approval that names it and has not expired at the
 * event's time (unless the policy requires none). */
static int need_approval(const struct wp_asset_state *st, bool required, unsigned action,
			 const struct wp_event *ev, char *err, size_t errlen)
{
	char want[64], have[64];
	actions_text(action, want, sizeof(want));
	if (!required)
		return 0;
	if (st->approved && !(st->approved_for & action)) {
		actions_text(st->approved_for, have, sizeof(have));
		snprintf(err, errlen, "the approval of %s (by %s) is for %s, not for %s; record an "
			 "approval for it: 'wipeproof custody approve --asset %s --for %s --as "
			 "<approver>' (R10)", st->asset, st->approver.name, have, want, st->asset, want);
		return -1;
	}
	if (st->approved && strcmp(ev->time, st->approved_until) > 0) {
		snprintf(err, errlen, "the approval of %s (by %s) expired at %s; record a new one: "
			 "'wipeproof custody approve --asset %s --for %s --as <approver>' (R10)",
			 st->asset, st->approver.name, st->approved_until, st->asset, want);
		return -1;
	}
	if (st->approved)
		return 0;
	if (!st->requested)
		snprintf(err, errlen, "asset %s has no approval to %s: record a request "
			 "('wipeproof custody request --asset %s --as <requester>') and an approval "
			 "('wipeproof custody approve --asset %s --as <approver>') first (R10)",
			 st->asset, want, st->asset, st->asset);
	else
		snprintf(err, errlen, "asset %s has no approval to %s; record one with "
			 "'wipeproof custody approve --asset %s --for %s --as <approver>' (R10)",
			 st->asset, want, st->asset, want);
	return -1;
}

static int check_intake(const struct wp_asset_state *st, const struct wp_event *ev,
			char *err, size_t errlen)
{
	if (st->exists && !life_back_from_repair(st)) {
		snprintf(err, errlen, "asset %s is already in the ledger (intake at seq %llu, serial "
			 "'%s'); an asset tag names one device — use another tag", st->asset,
			 (unsigned long long)st->intake_seq, st->serial);
		return -1;
	}
	const char *reason = body_str(ev, "reason"), *end = body_str(ev, "lease_end");
	if (want(ev, "serial", true, sizeof(st->serial), err, errlen) < 0 ||
	    want(ev, "model", true, sizeof(st->model), err, errlen) < 0 ||
	    want(ev, "owner", false, sizeof(st->owner), err, errlen) < 0 ||
	    want(ev, "location", false, sizeof(st->location), err, errlen) < 0 ||
	    want(ev, "manager", false, sizeof(st->manager), err, errlen) < 0 ||
	    want(ev, "lease_contract", false, sizeof(st->lease_contract), err, errlen) < 0 ||
	    want(ev, "lease_end", false, sizeof(st->lease_end), err, errlen) < 0 ||
	    want(ev, "reason", false, sizeof(st->reason), err, errlen) < 0 ||
	    want(ev, "pc_manufacturer", false, sizeof(st->pc_manufacturer), err, errlen) < 0 ||
	    want(ev, "pc_model", false, sizeof(st->pc_model), err, errlen) < 0 ||
	    want(ev, "pc_serial", false, sizeof(st->pc_serial), err, errlen) < 0)
		return -1;
	/* a certificate names a PC by its serial: the maker and model alone
	 * would name every PC of the lease */
	if ((body_str(ev, "pc_manufacturer") || body_str(ev, "pc_model")) &&
	    !(body_str(ev, "pc_serial") && body_str(ev, "pc_serial")[0])) {
		snprintf(err, errlen, "intake of %s names the PC's maker or model but not its serial; "
			 "give --pc-serial (the serial on the PC's label, or DMI's product_serial)",
			 ev->asset);
		return -1;
	}
	if (reason && !one_of(reason, intake_reasons)) {
		snprintf(err, errlen, "intake reason '%s' is not one of lease-end, leaver-return, "
			 "reuse, repair, disposal", reason);
		return -1;
	}
	if (end && !is_date(end)) {
		snprintf(err, errlen, "lease end '%s' is not a date YYYY-MM-DD of the calendar "
			 "(e.g. 2026-02-28); give --lease-end as such a day", end);
		return -1;
	}
	return life_check_intake(st, ev, err, errlen);
}

static int check_request(const struct wp_asset_state *st, const struct wp_event *ev,
			 char *err, size_t errlen)
{
	(void)ev;
	if (st->destroyed) {
		snprintf(err, errlen, "asset %s is already destroyed; there is nothing to request", st->asset);
		return -1;
	}
	if (st->requested) {
		snprintf(err, errlen, "asset %s already has a request (by %s)%s", st->asset,
			 st->requester.name, st->approved ? " and it is approved" : "; it waits for approval");
		return -1;
	}
	return 0;
}

static int check_approve(const struct wp_asset_state *st, const struct wp_event *ev,
			 char *err, size_t errlen)
{
	unsigned flags;
	const char *until;
	if (!st->requested) {
		snprintf(err, errlen, "asset %s has no request to approve; record one first with "
			 "'wipeproof custody request --asset %s --as <requester>'", st->asset, st->asset);
		return -1;
	}
	if (approval_terms(ev, &flags, &until, err, errlen) < 0)
		return -1;
	/* a new approval may add actions or renew an expired one; the same
	 * again is a mistake */
	if (st->approved && strcmp(ev->time, st->approved_until) <= 0 &&
	    (flags & ~st->approved_for) == 0) {
		snprintf(err, errlen, "asset %s is already approved (by %s, until %s)", st->asset,
			 st->approver.name, st->approved_until);
		return -1;
	}
	if (same_person(&st->requester, &ev->actor)) {
		snprintf(err, errlen, "%s requested the disposal of %s and cannot also approve it; "
			 "an approver other than the requester must approve (R10, R11)",
			 ev->actor.name, st->asset);
		return -1;
	}
	return 0;
}

/* The asset is still on our premises and in one piece. */
static int check_wipeable(const struct wp_asset_state *st, char *err, size_t errlen)
{
	if (st->destroyed) {
		snprintf(err, errlen, "asset %s was destroyed; it cannot be wiped", st->asset);
		return -1;
	}
	if (st->transferred) {
		snprintf(err, errlen, "asset %s was handed to %s; it cannot be wiped here",
			 st->asset, st->vendor);
		return -1;
	}
	return 0;
}

static int check_wipe_start(const struct wp_asset_state *st, bool approval,
			    const struct wp_event *ev, char *err, size_t errlen)
{
	/* the wrong disk first: that is the mistake that matters most */
	if (check_wipeable(st, err, errlen) < 0 ||
	    want(ev, "job_id", true, sizeof(st->job_id), err, errlen) < 0 ||
	    want(ev, "serial", true, sizeof(st->serial), err, errlen) < 0)
		return -1;
	if (strcmp(body_str(ev, "serial"), st->serial) != 0) {
		snprintf(err, errlen, "the disk has serial '%s' but asset %s was taken in with serial "
			 "'%s'; this is not that asset's disk — check the tag and the disk (R15)",
			 body_str(ev, "serial"), st->asset, st->serial);
		return -1;
	}
	return need_approval(st, approval, WP_APPROVE_WIPE, ev, err, errlen);
}

static int check_job(const struct wp_asset_state *st, const struct wp_event *ev,
		     char *err, size_t errlen)
{
	const char *job = body_str(ev, "job_id");
	if (!job || strcmp(job, st->job_id) != 0) {
		snprintf(err, errlen, "%s event for %s names job '%s', but the last wipe-start was "
			 "job '%s'", ev->kind, st->asset, job ? job : "", st->job_id);
		return -1;
	}
	return 0;
}

static int check_wipe_end(const struct wp_asset_state *st, const struct wp_event *ev,
			  char *err, size_t errlen)
{
	if (!st->wipe_open) {
		snprintf(err, errlen, "asset %s has no wipe in progress (no wipe-start since the last "
			 "wipe-end); record wipe-start first", st->asset);
		return -1;
	}
	if (check_job(st, ev, err, errlen) < 0)
		return -1;
	const char *digest = body_str(ev, "report_sha256");
	if (!one_of(body_str(ev, "result"), wipe_results)) {
		snprintf(err, errlen, "wipe-end for %s needs result sanitized, failed, interrupted "
			 "or unverified", st->asset);
		return -1;
	}
	if (json_object_get(ev->body, "report_sha256") && !is_sha256_hex(digest)) {
		snprintf(err, errlen, "wipe-end report_sha256 must be 64 lowercase hex digits");
		return -1;
	}
	return 0;
}

/* A resume continues the very job that was cut off, on the same disk: the
 * last wipe-start's job, whose wipe-end said "interrupted", and nothing
 * else since. */
static int check_wipe_resume(const struct wp_asset_state *st, const struct wp_event *ev,
			     char *err, size_t errlen)
{
	if (check_wipeable(st, err, errlen) < 0 ||
	    want(ev, "job_id", true, sizeof(st->job_id), err, errlen) < 0 ||
	    want(ev, "serial", true, sizeof(st->serial), err, errlen) < 0)
		return -1;
	if (st->wipe_open) {
		snprintf(err, errlen, "asset %s has a wipe in progress (job '%s'); record its wipe-end "
			 "before resuming", st->asset, st->job_id);
		return -1;
	}
	if (strcmp(st->wipe_result, "interrupted") != 0) {
		snprintf(err, errlen, "asset %s has no interrupted wipe to resume (the last wipe %s%s)",
			 st->asset, st->wipe_result[0] ? "ended " : "", st->wipe_result[0]
			 ? st->wipe_result : "never started");
		return -1;
	}
	if (strcmp(body_str(ev, "serial"), st->serial) != 0) {
		snprintf(err, errlen, "the disk has serial '%s' but asset %s was taken in with serial "
			 "'%s'; this is not that asset's disk (R15)", body_str(ev, "serial"),
			 st->asset, st->serial);
		return -1;
	}
	return check_job(st, ev, err, errlen);
}

static int check_sanitized(const struct wp_asset_state *st, const struct wp_event *ev,
			   char *err, size_t errlen)
{
	if (!st->sanitized) {
		snprintf(err, errlen, "asset %s has no sanitized wipe%s; a '%s' event needs one",
			 st->asset, st->wipe_open ? " (a wipe is in progress)" : "", ev->kind);
		return -1;
	}
	return strcmp(ev->kind, WP_EV_VERIFIED) == 0 ? check_job(st, ev, err, errlen) : 0;
}

/* A certificate of a free-space wipe certifies the last one that ended
 * "wiped" or "partial" (the certificate's result then says partial), and
 * nothing about the rest of the disk. */
static int check_freespace_certificate(const struct wp_asset_state *st,
				       const struct wp_event *ev, char *err, size_t errlen)
{
	const char *job = body_str(ev, "job_id"), *scope = body_str(ev, "scope");
	/* a member of another JSON type reads as NULL: a bad event, not a crash */
	if (!scope || strcmp(scope, WP_CERT_SCOPE_FREE_SPACE) != 0) {
		snprintf(err, errlen, "bad event: certificate scope must be the string \"%s\" or "
			 "absent (the whole device), not %s", WP_CERT_SCOPE_FREE_SPACE,
			 scope ? "another string" : "a JSON value of another type");
		return -1;
	}
	if (!st->freespace_job[0] || !job || strcmp(job, st->freespace_job) != 0) {
		snprintf(err, errlen, "certificate for the free space of %s names job '%s', but the "
			 "last free-space wipe that ended 'wiped' or 'partial' is '%s'", st->asset,
			 job ? job : "",
			 st->freespace_job[0] ? st->freespace_job : "none");
		return -1;
	}
	return 0;
}

static int check_freespace(const struct wp_asset_state *st, const struct wp_event *ev,
			   char *err, size_t errlen)
{
	const char *digest = body_str(ev, "report_sha256");
	if (st->destroyed) {
		snprintf(err, errlen, "asset %s is destroyed; it has no filesystem left to wipe",
			 st->asset);
		return -1;
	}
	if (want(ev, "job_id", true, sizeof(st->freespace_job), err, errlen) < 0 ||
	    want(ev, "mountpoint", true, 4096, err, errlen) < 0 ||
	    want(ev, "device", true, 4096, err, errlen) < 0)
		return -1;
	if (!one_of(body_str(ev, "result"), freespace_results)) {
		snprintf(err, errlen, "freespace for %s needs result wiped, partial, mismatch, "
			 "failed or interrupted", st->asset);
		return -1;
	}
	if (json_object_get(ev->body, "report_sha256") && !is_sha256_hex(digest)) {
		snprintf(err, errlen, "freespace report_sha256 must be 64 lowercase hex digits");
		return -1;
	}
	return 0;
}

/* A certificate names the document by id and digest; it certifies either
 * the last wipe (sanitized, the same job) or a recorded destruction. */
static int check_certificate(const struct wp_asset_state *st, const struct wp_event *ev,
			     char *err, size_t errlen)
{
	if (want(ev, "certificate_id", true, 64, err, errlen) < 0)
		return -1;
	if (!is_sha256_hex(body_str(ev, "certificate_sha256"))) {
		snprintf(err, errlen, "certificate event needs certificate_sha256: the document's "
			 "SHA-256 as 64 lowercase hex digits");
		return -1;
	}
	if (json_object_get(ev->body, "scope"))
		return check_freespace_certificate(st, ev, err, errlen);
	if (st->destroyed || (st->attested && !json_object_get(ev->body, "job_id")))
		return 0;
	if (!st->sanitized) {
		snprintf(err, errlen, "asset %s has neither a sanitized wipe nor a recorded destruction%s; "
			 "no certificate can be issued", st->asset,
			 st->wipe_open ? " (a wipe is in progress)" : "");
		return -1;
	}
	return check_job(st, ev, err, errlen);
}

static int check_destroyed(const struct wp_asset_state *st, bool approval,
			   const struct wp_event *ev, char *err, size_t errlen)
{
	if (st->destroyed) {
		snprintf(err, errlen, "asset %s is already destroyed (method %s)", st->asset,
			 st->destroy_method);
		return -1;
	}
	const char *photo = body_str(ev, "photo_sha256");
	if (need_approval(st, approval, WP_APPROVE_DESTROY, ev, err, errlen) < 0 ||
	    want(ev, "method", true, sizeof(st->destroy_method), err, errlen) < 0)
		return -1;
	if (json_object_get(ev->body, "photo_sha256") && !is_sha256_hex(photo)) {
		snprintf(err, errlen, "destroyed photo_sha256 must be 64 lowercase hex digits");
		return -1;
	}
	return 0;
}

static int check_transfer(const struct wp_asset_state *st, bool approval,
			  const struct wp_event *ev, char *err, size_t errlen)
{
	const char *digest = body_str(ev, "vendor_cert_sha256");
	if (need_approval(st, approval, WP_APPROVE_TRANSFER, ev, err, errlen) < 0 ||
	    want(ev, "vendor", true, sizeof(st->vendor), err, errlen) < 0)
		return -1;
	if (json_object_get(ev->body, "vendor_cert_sha256") && !is_sha256_hex(digest)) {
		snprintf(err, errlen, "transfer vendor_cert_sha256 must be 64 lowercase hex digits");
		return -1;
	}
	if (st->wipe_open) {
		snprintf(err, errlen, "asset %s is being wiped; end the wipe before handing it over", st->asset);
		return -1;
	}
	return 0;
}

static int check_release(const struct wp_asset_state *st, bool approval,
			 const struct wp_event *ev, char *err, size_t errlen)
{
	const char *to = body_str(ev, "to");
	if (!one_of(to, release_targets)) {
		snprintf(err, errlen, "release needs --to dispose, lease-return, reuse or repair");
		return -1;
	}
	int route = life_release_route(st, ev, err, errlen);
	if (route < 0)
		return -1;
	if (!route && !st->sanitized && !st->destroyed && !st->attested) {
		snprintf(err, errlen, "asset %s has neither a sanitized wipe nor a recorded destruction; "
			 "wipe it ('wipeproof wipe DEV --asset %s') or destroy it ('wipeproof custody "
			 "destroy --asset %s ...') before releasing it (R1, R4, R5)",
			 st->asset, st->asset, st->asset);
		return -1;
	}
	if (st->destroyed && strcmp(to, "dispose") != 0) {
		snprintf(err, errlen, "asset %s was destroyed; it can only be released to dispose", st->asset);
		return -1;
	}
	return need_approval(st, approval, WP_APPROVE_RELEASE, ev, err, errlen);
}

static int check_policy(const struct wp_event *ev, char *err, size_t errlen)
{
	return wp_policy_body_check(ev->body, err, errlen);
}

/* ---- issue 17: classes, the approval table, vendor destruction,
 * attested erasure. Kept in one block so parallel additions merge. ------- */

static void copy(char *dst, size_t len, const struct wp_event *ev, const char *key);

/* The action an event needs an approval for; NULL: none. */
static const char *approval_action(const char *kind)
{
	if (strcmp(kind, WP_EV_WIPE_START) == 0 || strcmp(kind, WP_EV_ERASURE_ATTESTED) == 0)
		return "wipe";
	if (strcmp(kind, WP_EV_DESTROYED) == 0)
		return "destroy";
	if (strcmp(kind, WP_EV_TRANSFER) == 0)
		return "transfer";
	if (strcmp(kind, WP_EV_RELEASE) == 0)
		return "release";
	return NULL;
}

static int check_intake_class(const json_t *policy, const struct wp_event *ev, char *err,
			      size_t errlen)
{
	const json_t *given = json_object_get(ev->body, "confidentiality_given"), *c;
	const char *cls = body_str(ev, "confidentiality"), *kind = body_str(ev, "kind");
	char highest[64], list[1024] = "";
	size_t i;
	if (json_object_get(ev->body, "kind") &&
	    (!kind || !kind[0] || strlen(kind) >= 32 || strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(kind))) {
		snprintf(err, errlen, "intake kind must be a short lowercase word (usb, sd, hdd, ssd, "
			 "nvme, pc, server, mfp, phone, optical, ...)");
		return -1;
	}
	if (!json_object_get(ev->body, "confidentiality"))
		return given ? (snprintf(err, errlen, "intake confidentiality_given without "
					 "confidentiality"), -1) : 0;
	if (!cls || !cls[0] || strlen(cls) >= 64) {
		snprintf(err, errlen, "intake confidentiality must be a class name");
		return -1;
	}
	if (!given)
		snprintf(list, sizeof(list), "%s", cls);
	else if (!json_is_array(given) || json_array_size(given) < 2) {
		snprintf(err, errlen, "intake confidentiality_given must list the two or more "
			 "classes of mixed media");
		return -1;
	}
	json_array_foreach(given, i, c) {
		size_t used = strlen(list);
		if (!json_is_string(c) || strchr(json_string_value(c), ',')) {
			snprintf(err, errlen, "intake confidentiality_given entry %zu is not a class "
				 "name", i + 1);
			return -1;
		}
		snprintf(list + used, sizeof(list) - used, "%s%s", used ? "," : "",
			 json_string_value(c));
	}
	if (wp_policy_highest_class(policy, list, highest, sizeof(highest), err, errlen) < 0)
		return -1;
	if (strcmp(highest, cls) != 0) {
		snprintf(err, errlen, "mixed media take the highest class: of %s that is %s, not %s "
			 "(MIC 3.3(1))", list, highest, cls);
		return -1;
	}
	return 0;
}

/* Where the policy's row says so, a manager (approver) must witness. */
static int check_witness_role(const json_t *policy, const struct wp_asset_state *st,
			      const struct wp_event *ev, char *err, size_t errlen)
{
	size_t n = 0;
	const char *action = approval_action(ev->kind);
	const json_t *row = ev->witnessed && action ? wp_policy_row(policy, st, action, &n) : NULL;
	const char *role = json_string_value(json_object_get(row, "witness_role"));
	if (!role || strcmp(ev->witness.role, role) == 0)
		return 0;
	snprintf(err, errlen, "%s has role '%s', but the policy (approval row %zu) says the "
		 "witness of a %s of %s must have role %s (R8: under the manager's supervision)",
		 ev->witness.name, ev->witness.role, n, action, st->asset, role);
	return -1;
}

static bool vendor_date_ok(const char *date, const char *time)
{
	/* a calendar day, and not after the day it is recorded */
	return date && is_date(date) && strncmp(date, time, 10) <= 0;
}

static int check_vendor_destroyed(const struct wp_asset_state *st, const struct wp_event *ev,
				  char *err, size_t errlen)
{
	const char *vendor = body_str(ev, "vendor");
	if (!st->transferred) {
		snprintf(err, errlen, "asset %s was not handed to a vendor; record the hand-over "
			 "first ('wipeproof custody transfer --asset %s --vendor NAME'), or record our "
			 "own destruction with 'custody destroy' (R3)", st->asset, st->asset);
		return -1;
	}
	if (st->destroyed) {
		snprintf(err, errlen, "asset %s is already destroyed (method %s)", st->asset,
			 st->destroy_method);
		return -1;
	}
	if (want(ev, "method", true, sizeof(st->destroy_method), err, errlen) < 0 ||
	    want(ev, "received_by", true, WP_NAME_MAX, err, errlen) < 0 ||
	    want(ev, "vendor_cert", false, 4096, err, errlen) < 0)
		return -1;
	if (!is_sha256_hex(body_str(ev, "vendor_cert_sha256"))) {
		snprintf(err, errlen, "the vendor's destruction needs the vendor's certificate: "
			 "vendor_cert_sha256 as 64 lowercase hex digits (--vendor-cert FILE; R2, R11)");
		return -1;
	}
	if (!vendor_date_ok(body_str(ev, "date"), ev->time)) {
		snprintf(err, errlen, "the vendor's destruction needs its date: a day YYYY-MM-DD of "
			 "the calendar, not after today (%.10s)", ev->time);
		return -1;
	}
	if (vendor && strcmp(vendor, st->vendor) != 0) {
		snprintf(err, errlen, "asset %s was handed to '%s', not to '%s'", st->asset,
			 st->vendor, vendor);
		return -1;
	}
	return 0;
}

static int check_erasure_attested(const struct wp_asset_state *st, bool approval,
				  const struct wp_event *ev, char *err, size_t errlen)
{
	static const char *const by[] = { "self", "maker", "lease-company", "vendor", NULL };
	static const char *const categories[] = { "clear", "unknown", NULL };
	if (st->destroyed) {
		snprintf(err, errlen, "asset %s was destroyed; there is nothing to erase", st->asset);
		return -1;
	}
	if (st->wipe_open) {
		snprintf(err, errlen, "asset %s has a wipe in progress; end it first", st->asset);
		return -1;
	}
	if (want(ev, "method", true, 256, err, errlen) < 0 ||
	    want(ev, "erased_by", false, WP_NAME_MAX, err, errlen) < 0 ||
	    want(ev, "evidence", false, 4096, err, errlen) < 0)
		return -1;
	if (!one_of(body_str(ev, "by"), by)) {
		snprintf(err, errlen, "an attested erasure says who erased: by self (the device's own "
			 "erase), maker, lease-company or vendor");
		return -1;
	}
	if (!one_of(body_str(ev, "category"), categories)) {
		snprintf(err, errlen, "an attested erasure's category is clear (the claimed method is "
			 "a NIST Clear) or unknown (vendor-attested, level not known)");
		return -1;
	}
	if (json_object_get(ev->body, "date") && !vendor_date_ok(body_str(ev, "date"), ev->time)) {
		snprintf(err, errlen, "the erasure's date must be a day YYYY-MM-DD of the calendar, "
			 "not after today (%.10s)", ev->time);
		return -1;
	}
	if (!is_sha256_hex(body_str(ev, "evidence_sha256"))) {
		snprintf(err, errlen, "an attested erasure needs its evidence: evidence_sha256 as 64 "
			 "lowercase hex digits (--evidence FILE: the erase report, the maker's or "
			 "lease company's certificate; R6)");
		return -1;
	}
	return need_approval(st, approval, WP_APPROVE_WIPE, ev, err, errlen);
}

/* An erasure attested by the device's maker or a lease company, of a level
 * nobody here can name, counts as Clear for a class's minimum: that is what
 * the MIC guideline accepts for a returned multifunction printer, and no
 * more — a class that needs Purge needs our own wipe or a destruction. */
static const char *attested_level(const char *category)
{
	return category && strcmp(category, "unknown") == 0 ? "clear" : category;
}

/* Rules of the block above that come on top of check_kind's. */
static int check_class_vendor_attested(const struct wp_asset_state *st, const json_t *policy, bool approval,
			const struct wp_event *ev, char *err, size_t errlen)
{
	const char *k = ev->kind;
	if (strcmp(k, WP_EV_VENDOR_DESTROYED) == 0)
		return check_vendor_destroyed(st, ev, err, errlen);
	if (strcmp(k, WP_EV_ERASURE_ATTESTED) == 0)
		return check_erasure_attested(st, approval, ev, err, errlen) < 0 ||
		       check_witness_role(policy, st, ev, err, errlen) < 0 ||
		       wp_policy_level_check(policy, st, attested_level(body_str(ev, "category")),
					     err, errlen) < 0 ? -1 : 0;
	if (strcmp(k, WP_EV_DESTROYED) == 0)
		return check_witness_role(policy, st, ev, err, errlen);
	/* the method must reach the class's minimum: refused before it writes */
	if (strcmp(k, WP_EV_WIPE_START) == 0 && json_object_get(ev->body, "category"))
		return wp_policy_level_check(policy, st, body_str(ev, "category"), err, errlen);
	if (strcmp(k, WP_EV_CERTIFICATE) == 0 && json_object_get(ev->body, "category") &&
	    !st->destroyed && !json_object_get(ev->body, "scope"))
		return wp_policy_level_check(policy, st, st->attested
					     ? attested_level(st->attested_category)
					     : body_str(ev, "category"), err, errlen);
	return 0;
}

static void apply_class_vendor_attested(struct wp_asset_state *st, const struct wp_event *ev)
{
	const char *k = ev->kind;
	if (strcmp(k, WP_EV_INTAKE) == 0) {
		copy(st->confidentiality, sizeof(st->confidentiality), ev, "confidentiality");
		copy(st->asset_kind, sizeof(st->asset_kind), ev, "kind");
	} else if (strcmp(k, WP_EV_APPROVE) == 0) {
		snprintf(st->approved_time, sizeof(st->approved_time), "%s", ev->time);
	} else if (strcmp(k, WP_EV_VENDOR_DESTROYED) == 0) {
		st->destroyed = st->vendor_destroyed = true;
		copy(st->destroy_method, sizeof(st->destroy_method), ev, "method");
		copy(st->vendor_cert_sha256, sizeof(st->vendor_cert_sha256), ev, "vendor_cert_sha256");
	} else if (strcmp(k, WP_EV_ERASURE_ATTESTED) == 0) {
		st->attested = true;
		st->witness = ev->witness;
		copy(st->attested_category, sizeof(st->attested_category), ev, "category");
	} else if (strcmp(k, WP_EV_WIPE_START) == 0) {
		st->attested = false; /* a new wipe: what it ends with counts */
	}
}

static int check_kind(const struct wp_asset_state *st, bool approval, const struct wp_event *ev,
		      char *err, size_t errlen)
{
	const char *k = ev->kind;
	int life = life_check_kind(st, approval, ev, err, errlen);
	if (life <= 0)
		return life; /* refused, or an event of the asset-life block that passed */
	if (strcmp(k, WP_EV_REQUEST) == 0)
		return check_request(st, ev, err, errlen);
	if (strcmp(k, WP_EV_APPROVE) == 0)
		return check_approve(st, ev, err, errlen);
	if (strcmp(k, WP_EV_WIPE_START) == 0)
		return check_wipe_start(st, approval, ev, err, errlen);
	if (strcmp(k, WP_EV_WIPE_END) == 0)
		return check_wipe_end(st, ev, err, errlen);
	if (strcmp(k, WP_EV_WIPE_RESUME) == 0)
		return check_wipe_resume(st, ev, err, errlen);
	if (strcmp(k, WP_EV_VERIFIED) == 0)
		return check_sanitized(st, ev, err, errlen);
	if (strcmp(k, WP_EV_CERTIFICATE) == 0)
		return check_certificate(st, ev, err, errlen);
	if (strcmp(k, WP_EV_DESTROYED) == 0)
		return check_destroyed(st, approval, ev, err, errlen);
	if (strcmp(k, WP_EV_TRANSFER) == 0)
		return check_transfer(st, approval, ev, err, errlen);
	if (strcmp(k, WP_EV_RELEASE) == 0)
		return check_release(st, approval, ev, err, errlen);
	if (strcmp(k, WP_EV_FREESPACE) == 0)
		return check_freespace(st, ev, err, errlen);
	return want(ev, "text", true, 65536, err, errlen); /* note */
}

int wp_rule_check(const struct wp_asset_state *st, const json_t *policy,
		  const struct wp_event *ev, char *err, size_t errlen)
{
	bool approval_required = wp_policy_needs_approval(policy, st, approval_action(ev->kind));
	if (check_actor(ev, err, errlen) < 0 || check_witness(ev, err, errlen) < 0 ||
	    check_asset_name(ev, err, errlen) < 0)
		return -1;
	if (!json_is_object(ev->body)) {
		snprintf(err, errlen, "the body of a '%s' event must be a JSON object", ev->kind);
		return -1;
	}
	const json_t *id = json_object_get(ev->body, WP_LEDGER_ID_KEY);
	if (id && (ev->seq != 1 || !wp_ledger_id_valid(json_string_value(id)))) {
		snprintf(err, errlen, "bad event: '%s' belongs only in the first event, as %d "
			 "lowercase hex digits", WP_LEDGER_ID_KEY, WP_LEDGER_ID_HEX - 1);
		return -1;
	}
	if (strcmp(ev->kind, WP_EV_POLICY) == 0)
		return check_policy(ev, err, errlen);
	if (strcmp(ev->kind, WP_EV_STOCKTAKE) == 0)
		return life_check_stocktake(ev, err, errlen);
	if (strcmp(ev->kind, WP_EV_INTAKE) == 0)
		return check_intake(st, ev, err, errlen) < 0 ||
		       check_intake_class(policy, ev, err, errlen) < 0 ? -1 : 0;
	if (!st->exists) {
		snprintf(err, errlen, "asset %s is not in the ledger; record it first with "
			 "'wipeproof custody intake --asset %s ...'", ev->asset, ev->asset);
		return -1;
	}
	/* a destroyed (or attested) and released asset can still be certified */
	bool late_cert = strcmp(ev->kind, WP_EV_CERTIFICATE) == 0 && (st->destroyed || st->attested);
	if (st->released && strcmp(ev->kind, WP_EV_NOTE) != 0 && !late_cert) {
		snprintf(err, errlen, "asset %s was released (to %s); only notes can be added now",
			 st->asset, st->released_to);
		return -1;
	}
	if (strcmp(ev->kind, WP_EV_VENDOR_DESTROYED) == 0 ||
	    strcmp(ev->kind, WP_EV_ERASURE_ATTESTED) == 0)
		return check_class_vendor_attested(st, policy, approval_required, ev, err, errlen);
	if (check_kind(st, approval_required, ev, err, errlen) < 0)
		return -1;
	return check_class_vendor_attested(st, policy, approval_required, ev, err, errlen);
}

int wp_rule_check_serial_free(const struct wp_asset_state *holder, const struct wp_event *ev,
			      char *err, size_t errlen)
{
	const char *serial = body_str(ev, "serial");
	if (strcmp(ev->kind, WP_EV_INTAKE) != 0 || !serial || !holder->exists ||
	    holder->released || strcmp(holder->asset, ev->asset) == 0 ||
	    strcmp(holder->serial, serial) != 0)
		return 0;
	snprintf(err, errlen, "serial '%s' is already on record as asset %s (%s, taken in at seq "
		 "%llu and not released); one disk has one asset tag: use %s, or release it first "
		 "(R15)", serial, holder->asset, wp_asset_status(holder),
		 (unsigned long long)holder->intake_seq, holder->asset);
	return -1;
}

/* ---- consequences ------------------------------------------------------ */

static void copy(char *dst, size_t len, const struct wp_event *ev, const char *key)
{
	const char *s = body_str(ev, key);
	snprintf(dst, len, "%s", s ? s : "");
}

static void apply_intake(struct wp_asset_state *st, const struct wp_event *ev)
{
	st->exists = true;
	st->intake_seq = ev->seq;
	snprintf(st->intake_time, sizeof(st->intake_time), "%s", ev->time);
	copy(st->serial, sizeof(st->serial), ev, "serial");
	copy(st->model, sizeof(st->model), ev, "model");
	copy(st->owner, sizeof(st->owner), ev, "owner");
	copy(st->location, sizeof(st->location), ev, "location");
	copy(st->manager, sizeof(st->manager), ev, "manager");
	copy(st->lease_contract, sizeof(st->lease_contract), ev, "lease_contract");
	copy(st->lease_end, sizeof(st->lease_end), ev, "lease_end");
	copy(st->reason, sizeof(st->reason), ev, "reason");
	copy(st->pc_manufacturer, sizeof(st->pc_manufacturer), ev, "pc_manufacturer");
	copy(st->pc_model, sizeof(st->pc_model), ev, "pc_model");
	copy(st->pc_serial, sizeof(st->pc_serial), ev, "pc_serial");
}

static void apply_wipe(struct wp_asset_state *st, const struct wp_event *ev)
{
	if (strcmp(ev->kind, WP_EV_WIPE_START) == 0) {
		st->wipe_open = true;
		st->sanitized = st->verified = false;
		st->wipe_result[0] = '\0';
		copy(st->job_id, sizeof(st->job_id), ev, "job_id");
	} else if (strcmp(ev->kind, WP_EV_WIPE_END) == 0) {
		st->wipe_open = false;
		copy(st->wipe_result, sizeof(st->wipe_result), ev, "result");
		st->sanitized = strcmp(st->wipe_result, "sanitized") == 0;
	} else if (strcmp(ev->kind, WP_EV_WIPE_RESUME) == 0) {
		st->wipe_open = true; /* the same job_id: check_wipe_resume saw to it */
		st->wipe_result[0] = '\0';
	} else if (strcmp(ev->kind, WP_EV_VERIFIED) == 0) {
		st->verified = true;
	}
}

void wp_state_apply(struct wp_asset_state *st, const struct wp_event *ev)
{
	const char *k = ev->kind;
	st->events++;
	st->last_seq = ev->seq;
	snprintf(st->last_time, sizeof(st->last_time), "%s", ev->time);
	if (life_apply(st, ev)) {
		/* intake again after repair, take-out, return, blanked, stocktake */
	} else if (strcmp(k, WP_EV_INTAKE) == 0) {
		apply_intake(st, ev);
	} else if (strcmp(k, WP_EV_REQUEST) == 0) {
		st->requested = true;
		st->requester = ev->actor;
	} else if (strcmp(k, WP_EV_APPROVE) == 0) {
		st->approved = true;
		st->approver = ev->actor;
		const char *until = "";
		unsigned flags = 0;
		char ignored[8];
		approval_terms(ev, &flags, &until, ignored, sizeof(ignored));
		st->approved_for = flags;
		snprintf(st->approved_until, sizeof(st->approved_until), "%s", until ? until : "");
	} else if (strcmp(k, WP_EV_DESTROYED) == 0) {
		st->destroyed = true;
		st->witness = ev->witness;
		copy(st->destroy_method, sizeof(st->destroy_method), ev, "method");
	} else if (strcmp(k, WP_EV_TRANSFER) == 0) {
		st->transferred = true;
		copy(st->vendor, sizeof(st->vendor), ev, "vendor");
	} else if (strcmp(k, WP_EV_RELEASE) == 0) {
		st->released = true;
		copy(st->released_to, sizeof(st->released_to), ev, "to");
	} else if (strcmp(k, WP_EV_FREESPACE) == 0) {
		if (one_of(body_str(ev, "result"), (const char *const[]){ "wiped", "partial", NULL }))
			copy(st->freespace_job, sizeof(st->freespace_job), ev, "job_id");
		else
			st->freespace_job[0] = '\0';
	} else {
		apply_wipe(st, ev);
	}
	apply_class_vendor_attested(st, ev);
}

bool wp_policy_approval(const struct wp_event *ev)
{
	const json_t *v = json_object_get(ev->body, "approval_required");
	return !json_is_false(v);
}

const char *wp_asset_status(const struct wp_asset_state *st)
{
	if (!st->exists)
		return "unknown";
	if (st->released)
		return "released";
	if (st->taken_out)
		return "taken-out";
	if (st->vendor_destroyed)
		return "destroyed";
	if (st->transferred)
		return "transferred";
	if (st->destroyed)
		return "destroyed";
	if (st->wipe_open)
		return "wiping";
	if (st->verified)
		return "verified";
	if (st->sanitized)
		return "sanitized";
	if (strcmp(st->wipe_result, "interrupted") == 0)
		return "wipe-interrupted";
	if (st->wipe_result[0])
		return "wipe-failed";
	if (st->approved)
		return "approved";
	return st->requested ? "requested" : "registered";
}

/* ---- the asset's life (issue 17 items 5-9) -------------------------------
 * Take-out and return (R19), repair without erasure (R20), the ledger fields
 * of Co-Std Art.5 (R21), optical media (R12) and the stocktake (R15). Kept in
 * one block so the rules of other items merge beside it. */

static const char *const optical_once[] = { "CD-R", "DVD-R", "DVD+R", "DVD+R DL", "BD-R", NULL };
static const char *const optical_rw[] = { "CD-RW", "DVD-RW", "DVD+RW", "DVD-RAM", "BD-RE", NULL };
static const char *const optical_pressed[] = { "CD-ROM", "DVD-ROM", "BD-ROM", NULL };
static const char *const maker_sources[] = { "scsi-inquiry", "wwn-oui", "pci-vendor", "label",
					     NULL };

bool wp_optical_write_once(const char *media)
{
	return one_of(media, optical_once);
}

bool wp_optical_rewritable(const char *media)
{
	return one_of(media, optical_rw);
}

bool wp_optical_media_known(const char *media)
{
	return one_of(media, optical_once) || one_of(media, optical_rw) ||
	       one_of(media, optical_pressed);
}

bool wp_asset_outstanding(const struct wp_asset_state *st)
{
	return st->exists && !st->released;
}

/* Where the asset is, from its status (one ladder, so the two never
 * disagree): what it became decides before where it went, so an asset a
 * vendor destroyed is "destroyed", not still "at-vendor". */
const char *wp_asset_whereabouts(const struct wp_asset_state *st)
{
	static const char *const as_status[] = { "unknown", "released", "taken-out", "destroyed",
						 NULL };
	const char *status = wp_asset_status(st);
	if (one_of(status, as_status))
		return status;
	return strcmp(status, "transferred") == 0 ? "at-vendor" : "on-premises";
}

/* A date member: optional, a day of the calendar, and (for a date that
 * has happened, e.g. an introduction or a permission) not after the event. */
static int want_date(const struct wp_event *ev, const char *key, bool past, char *err,
		     size_t errlen)
{
	const json_t *v = json_object_get(ev->body, key);
	if (!v)
		return 0;
	const char *d = json_string_value(v);
	if (!d || !is_date(d)) {
		snprintf(err, errlen, "%s event: '%s' is not a date YYYY-MM-DD of the calendar "
			 "(e.g. 2026-02-28)", ev->kind, key);
		return -1;
	}
	if (past && strncmp(d, ev->time, 10) > 0) {
		snprintf(err, errlen, "%s event: '%s' %s is after the event's own date %.10s; a "
			 "date that is recorded as past cannot be in the future", ev->kind, key, d,
			 ev->time);
		return -1;
	}
	return 0;
}

/* Taking out needs the department head's permission, and the head signs
 * the event as its second signer (the witness columns): a name typed by
 * the taker would prove nothing (R19, Co-Std Art.21(1)(4), Co-Reg 3.2). */
static int life_check_permit(const struct wp_event *ev, char *err, size_t errlen)
{
	enum wp_role role = WP_ROLE_NONE;
	if (!ev->witnessed) {
		snprintf(err, errlen, "taking out '%s' needs the permission of the department head, "
			 "who signs it too: --permitted-by PERSON (R19)", ev->asset);
		return -1;
	}
	if (same_person(&ev->actor, &ev->witness)) {
		snprintf(err, errlen, "%s cannot permit their own take-out of '%s'; the department "
			 "head permits it (R19)", ev->actor.name, ev->asset);
		return -1;
	}
	wp_role_parse(ev->witness.role, &role);
	if (role != WP_ROLE_APPROVER) {
		snprintf(err, errlen, "%s has role '%s' and may not permit a take-out; the permitting "
			 "person (部門長) must have role approver (R19)", ev->witness.name,
			 ev->witness.role);
		return -1;
	}
	return 0;
}

/* Where the medium must be on our premises: a medium that is out is not
 * wiped, destroyed, handed over or released until its return is recorded,
 * because the ledger would otherwise certify something done to a disk that
 * was not here (and a disk with that serial on the station is then another
 * disk or an unrecorded return). */
static int check_here(const struct wp_asset_state *st, const struct wp_event *ev, char *err,
		      size_t errlen)
{
	if (!st->taken_out)
		return 0;
	snprintf(err, errlen, "asset %s is taken out (by %s since %s, to %s); a '%s' event needs "
		 "it back: record its return first ('wipeproof custody return --asset %s') (R19)",
		 st->asset, st->taken_by.name, st->out_time, st->destination, ev->kind, st->asset);
	return -1;
}

/* Discs are not overwritten: a write-once or pressed disc cannot be erased
 * (R12: destroy it), a rewritable one is blanked by the drive. */
static int check_not_disc(const struct wp_asset_state *st, const struct wp_event *ev, char *err,
			  size_t errlen)
{
	if (!st->media[0])
		return 0;
	if (wp_optical_rewritable(st->media))
		snprintf(err, errlen, "asset %s is a %s disc: discs are not overwritten; blank it "
			 "fully with the drive's tool and record 'wipeproof custody blanked --asset %s', "
			 "or destroy it (R12)", st->asset, st->media, st->asset);
	else
		snprintf(err, errlen, "asset %s is a %s disc, which cannot be erased (write-once or "
			 "pressed); the only route is destruction: 'wipeproof custody destroy --asset "
			 "%s' (R12)", st->asset, st->media, st->asset);
	(void)ev;
	return -1;
}

static int check_take_out(const struct wp_asset_state *st, const struct wp_event *ev,
			  char *err, size_t errlen)
{
	if (st->destroyed || st->transferred || st->wipe_open) {
		snprintf(err, errlen, "asset %s is %s; it cannot be taken out", st->asset,
			 st->destroyed ? "destroyed" : st->transferred ? "handed to a vendor"
			 : "being wiped");
		return -1;
	}
	if (want(ev, "destination", true, sizeof(st->destination), err, errlen) < 0 ||
	    want(ev, "purpose", true, 1024, err, errlen) < 0 ||
	    want_date(ev, "due_back", false, err, errlen) < 0 ||
	    want_date(ev, "permitted_on", true, err, errlen) < 0)
		return -1;
	const char *due = body_str(ev, "due_back");
	if (due && strncmp(due, ev->time, 10) < 0) {
		snprintf(err, errlen, "take-out of %s: due back %s is before today %.10s", st->asset,
			 due, ev->time);
		return -1;
	}
	return 0;
}

static int check_return(const struct wp_asset_state *st, const struct wp_event *ev,
			char *err, size_t errlen)
{
	const char *serial = body_str(ev, "serial");
	if (!st->taken_out) {
		snprintf(err, errlen, "asset %s is not taken out; there is nothing to return",
			 st->asset);
		return -1;
	}
	if (json_object_get(ev->body, "serial") && (!serial || strcmp(serial, st->serial) != 0)) {
		snprintf(err, errlen, "the returned disk has serial '%s' but asset %s was taken in with "
			 "serial '%s'; this is not the medium that was taken out (R15, R19)",
			 serial ? serial : "", st->asset, st->serial);
		return -1;
	}
	return 0;
}

/* A full blank rewrites the whole recordable area; a fast blank erases
 * only the table of contents and leaves the data readable. */
static int check_blanked(const struct wp_asset_state *st, bool approval,
			 const struct wp_event *ev, char *err, size_t errlen)
{
	const char *method = body_str(ev, "method");
	if (!wp_optical_rewritable(st->media)) {
		snprintf(err, errlen, "asset %s is %s%s; only a rewritable disc (CD-RW, DVD-RW, "
			 "DVD+RW, DVD-RAM, BD-RE) can be blanked (R12)", st->asset,
			 st->media[0] ? "a " : "not an optical disc", st->media);
		return -1;
	}
	if (!method || strcmp(method, "full") != 0) {
		snprintf(err, errlen, "blanking %s must be 'full' (the whole disc rewritten, e.g. "
			 "xorriso -blank=all); a fast blank erases only the table of contents and "
			 "leaves the data readable", st->asset);
		return -1;
	}
	return need_approval(st, approval, WP_APPROVE_WIPE, ev, err, errlen);
}

/* 1 for the events of this block (checked, passed), 0 to go on to the
 * other rules, -1 refused. */
static int life_check_kind(const struct wp_asset_state *st, bool approval,
			   const struct wp_event *ev, char *err, size_t errlen)
{
	const char *k = ev->kind;
	static const char *const here[] = { WP_EV_WIPE_START, WP_EV_WIPE_RESUME, WP_EV_DESTROYED,
					    WP_EV_TRANSFER, WP_EV_RELEASE, WP_EV_TAKE_OUT,
					    WP_EV_FREESPACE, WP_EV_BLANKED, NULL };
	static const char *const overwrite[] = { WP_EV_WIPE_START, WP_EV_WIPE_RESUME,
						 WP_EV_FREESPACE, NULL };
	if (one_of(k, here) && check_here(st, ev, err, errlen) < 0)
		return -1;
	if (one_of(k, overwrite) && check_not_disc(st, ev, err, errlen) < 0)
		return -1;
	if (strcmp(k, WP_EV_TAKE_OUT) == 0)
		return check_take_out(st, ev, err, errlen) < 0 ? -1 : 0;
	if (strcmp(k, WP_EV_RETURN) == 0)
		return check_return(st, ev, err, errlen) < 0 ? -1 : 0;
	if (strcmp(k, WP_EV_BLANKED) == 0)
		return check_blanked(st, approval, ev, err, errlen) < 0 ? -1 : 0;
	return 1;
}

/* Released to repair is the one release an asset comes back from: it is
 * taken in again under the same tag (R20, MIC 3.4.1(5)②). */
static bool life_back_from_repair(const struct wp_asset_state *st)
{
	return st->exists && st->released && strcmp(st->released_to, "repair") == 0;
}

static int life_check_intake(const struct wp_asset_state *st, const struct wp_event *ev,
			     char *err, size_t errlen)
{
	const char *media = body_str(ev, "media"), *src = body_str(ev, "maker_source");
	if (want_date(ev, "introduced", true, err, errlen) < 0 ||
	    want(ev, "maker", false, sizeof(st->maker), err, errlen) < 0 ||
	    want(ev, "maker_source", false, sizeof(st->maker_source), err, errlen) < 0 ||
	    want(ev, "seller", false, sizeof(st->seller), err, errlen) < 0 ||
	    want(ev, "use", false, sizeof(st->use), err, errlen) < 0 ||
	    want(ev, "warranty", false, sizeof(st->warranty), err, errlen) < 0 ||
	    want(ev, "kind", false, sizeof(st->kind), err, errlen) < 0 ||
	    want(ev, "media", false, sizeof(st->media), err, errlen) < 0)
		return -1;
	if (json_object_get(ev->body, "maker_source") &&
	    (!one_of(src, maker_sources) || !json_object_get(ev->body, "maker"))) {
		snprintf(err, errlen, "intake maker_source must be scsi-inquiry, wwn-oui, pci-vendor "
			 "or label, and comes with a maker");
		return -1;
	}
	if (media && !wp_optical_media_known(media)) {
		snprintf(err, errlen, "'%s' is not an optical medium wipeproof knows; use CD-R, CD-RW, "
			 "DVD-R, DVD+R, DVD+R DL, DVD-RW, DVD+RW, DVD-RAM, BD-R, BD-RE, CD-ROM, "
			 "DVD-ROM or BD-ROM", media);
		return -1;
	}
	if (life_back_from_repair(st) && strcmp(body_str(ev, "serial"), st->serial) != 0) {
		snprintf(err, errlen, "asset %s went to repair with serial '%s' and comes back with "
			 "serial '%s': the repairer replaced the disk. Take the new disk in under a new "
			 "tag, and get the old disk's destruction certificate from %s (R20)", st->asset,
			 st->serial, body_str(ev, "serial"), st->repairer[0] ? st->repairer : "the repairer");
		return -1;
	}
	return 0;
}

/* 1: released on a route of this block (repair with an agreement, reuse
 * of a blanked rewritable disc); 0: the other rules decide; -1 refused. */
static int life_release_route(const struct wp_asset_state *st, const struct wp_event *ev,
			      char *err, size_t errlen)
{
	const char *to = body_str(ev, "to");
	bool agreement = json_object_get(ev->body, "agreement_sha256") != NULL;
	if (agreement && (strcmp(to, "repair") != 0 ||
			  !is_sha256_hex(body_str(ev, "agreement_sha256")))) {
		snprintf(err, errlen, "a confidentiality agreement (agreement_sha256, 64 lowercase hex "
			 "digits) belongs only to a release --to repair (R20)");
		return -1;
	}
	if (strcmp(to, "repair") == 0 &&
	    want(ev, "repairer", agreement, sizeof(st->repairer), err, errlen) < 0)
		return -1;
	if (st->media[0] && strcmp(to, "reuse") == 0 && !wp_optical_rewritable(st->media)) {
		snprintf(err, errlen, "asset %s is a %s disc: it may not be reused (R12, Co-Reg 3.3.2); "
			 "destroy it", st->asset, st->media);
		return -1;
	}
	if (st->destroyed || st->sanitized)
		return 0;
	if (strcmp(to, "repair") == 0 && agreement)
		return 1; /* R20: erasure before repair impossible, the repairer is bound instead */
	if (st->blanked && strcmp(to, "reuse") == 0)
		return 1; /* R12: a fully blanked rewritable disc, for our own reuse only */
	if (st->blanked) {
		snprintf(err, errlen, "asset %s was blanked, which is no NIST sanitization: it may be "
			 "released for reuse only; destroy it to dispose of it (R12)", st->asset);
		return -1;
	}
	return 0;
}

static int string_list(const struct wp_event *ev, const char *key, char *err, size_t errlen)
{
	const json_t *list = json_object_get(ev->body, key), *v;
	size_t i;
	bool ok = json_is_array(list);
	json_array_foreach(list, i, v)
		ok = ok && json_is_string(v);
	if (!ok)
		snprintf(err, errlen, "a stocktake needs '%s': a list of strings", key);
	return ok ? 0 : -1;
}

/* present: tags found attached; missing: tags on record and on premises
 * but not attached; unrecorded: serials attached and on no tag. */
static int life_check_stocktake(const struct wp_event *ev, char *err, size_t errlen)
{
	if (!json_is_object(ev->body)) {
		snprintf(err, errlen, "the body of a 'stocktake' event must be a JSON object");
		return -1;
	}
	return string_list(ev, "present", err, errlen) < 0 ||
	       string_list(ev, "missing", err, errlen) < 0 ||
	       string_list(ev, "unrecorded", err, errlen) < 0 ? -1 : 0;
}

static void copy_given(char *dst, size_t len, const struct wp_event *ev, const char *key)
{
	if (body_str(ev, key))
		copy(dst, len, ev, key);
}

static void life_intake_fields(struct wp_asset_state *st, const struct wp_event *ev)
{
	copy_given(st->introduced, sizeof(st->introduced), ev, "introduced");
	copy_given(st->maker, sizeof(st->maker), ev, "maker");
	copy_given(st->maker_source, sizeof(st->maker_source), ev, "maker_source");
	copy_given(st->seller, sizeof(st->seller), ev, "seller");
	copy_given(st->use, sizeof(st->use), ev, "use");
	copy_given(st->warranty, sizeof(st->warranty), ev, "warranty");
	copy_given(st->kind, sizeof(st->kind), ev, "kind");
	copy_given(st->media, sizeof(st->media), ev, "media");
}

/* Back from repair: the same disk (the rule saw to it) starts a new cycle.
 * What it held before repair is unknown now, so no earlier wipe, approval
 * or blanking counts; fields not given again keep their values. */
static void life_reintake(struct wp_asset_state *st, const struct wp_event *ev)
{
	st->repairs++;
	st->intake_seq = ev->seq;
	snprintf(st->intake_time, sizeof(st->intake_time), "%s", ev->time);
	st->released = false;
	st->released_to[0] = '\0';
	st->sanitized = st->verified = st->blanked = false;
	st->wipe_result[0] = '\0';
	st->requested = st->approved = false;
	st->approved_for = 0;
	st->approved_until[0] = '\0';
	st->repairer[0] = st->agreement_sha256[0] = '\0';
	copy_given(st->model, sizeof(st->model), ev, "model");
	copy_given(st->owner, sizeof(st->owner), ev, "owner");
	copy_given(st->location, sizeof(st->location), ev, "location");
	copy_given(st->manager, sizeof(st->manager), ev, "manager");
	copy_given(st->lease_contract, sizeof(st->lease_contract), ev, "lease_contract");
	copy_given(st->lease_end, sizeof(st->lease_end), ev, "lease_end");
	snprintf(st->reason, sizeof(st->reason), "%s", body_str(ev, "reason") ? body_str(ev, "reason")
										: "repair");
	life_intake_fields(st, ev);
}

/* true when ev was an event this block records the consequence of. */
static bool life_apply(struct wp_asset_state *st, const struct wp_event *ev)
{
	const char *k = ev->kind;
	if (strcmp(k, WP_EV_INTAKE) == 0) {
		if (life_back_from_repair(st)) {
			life_reintake(st, ev);
		} else {
			apply_intake(st, ev);
			life_intake_fields(st, ev);
		}
	} else if (strcmp(k, WP_EV_TAKE_OUT) == 0) {
		st->taken_out = true;
		st->taken_by = ev->actor;
		st->permitted_by = ev->witness;
		snprintf(st->out_time, sizeof(st->out_time), "%s", ev->time);
		copy(st->destination, sizeof(st->destination), ev, "destination");
		copy(st->due_back, sizeof(st->due_back), ev, "due_back");
	} else if (strcmp(k, WP_EV_RETURN) == 0) {
		st->taken_out = false;
		snprintf(st->returned_time, sizeof(st->returned_time), "%s", ev->time);
	} else if (strcmp(k, WP_EV_BLANKED) == 0) {
		st->blanked = true;
	} else if (strcmp(k, WP_EV_RELEASE) == 0) {
		copy(st->repairer, sizeof(st->repairer), ev, "repairer");
		copy(st->agreement_sha256, sizeof(st->agreement_sha256), ev, "agreement_sha256");
		return false; /* the release itself: wp_state_apply */
	} else {
		return strcmp(k, WP_EV_STOCKTAKE) == 0;
	}
	return true;
}
