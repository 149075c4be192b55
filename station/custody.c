/*
 * The custody events a person records by hand or a station records for a
 * hot-plugged disk (init, intake, request, approve, destroy, transfer,
 * release, note): their bodies are built here from a request, and
 * recorded; whether an event is allowed is custody/rules.c's decision
 * alone, made again inside wp_custody_append. A front end loads the people
 * (it may have to ask for a passphrase) and prints what was recorded.
 */
#include "station_internal.h"
#include "wpi18n.h"
#include "wptext.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define APPROVE_FOR "wipe,release"
#define APPROVE_DAYS 30

#define bad(err, errlen, ...) wp_st_fail(WP_STATION_BAD_REQUEST, (err), (errlen), __VA_ARGS__)

static int set_opt(json_t *body, const char *key, const char *value)
{
	return value ? wp_json_set(body, key, json_string(value)) : 0;
}

static int add_digest(json_t *body, const char *key, const char *name_key, const char *path,
		      char *err, size_t errlen)
{
	char hex[WP_HASH_HEX];
	if (!path)
		return 0;
	if (wp_file_sha256(path, hex, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	const char *base = strrchr(path, '/');
	wp_json_set(body, key, json_string(hex));
	wp_json_set(body, name_key, json_string(base ? base + 1 : path));
	return 0;
}

static int life_body(const struct wp_custody_ask *a, json_t *body, char *err, size_t errlen)
{
	return a->life ? wp_life_body(a->life, body, err, errlen) : 0;
}

static int intake_from_device(const struct wp_custody_ask *a, json_t *body, char *err,
			      size_t errlen)
{
	struct wp_device *dev = calloc(1, sizeof(*dev));
	int rc = dev ? wp_media_probe(a->device, NULL, dev, err, errlen) : -1;
	if (!dev)
		snprintf(err, errlen, _("out of memory"));
	if (rc == 0 && !dev->serial[0]) {
		snprintf(err, errlen, _("%s reports no serial number; take it in with --serial S "
			 "--model M from its label instead"), a->device);
		rc = -1;
	}
	if (rc == 0 && a->serial && strcmp(a->serial, dev->serial) != 0) {
		snprintf(err, errlen, _("%s has serial '%s', not '%s' as given with --serial; check "
			 "you have the right disk (R15)"), a->device, dev->serial, a->serial);
		rc = WP_CUSTODY_REFUSED;
	}
	if (rc == 0) {
		wp_json_set(body, "serial", json_string(dev->serial));
		wp_json_set(body, "model", json_string(a->model ? a->model
						: dev->model[0] ? dev->model : "unknown"));
		wp_json_set(body, "device", json_string(dev->path));
		wp_json_set(body, "kind", json_string(wp_kind_name(dev->kind)));
		wp_json_set(body, "size_bytes", json_integer((json_int_t)dev->size_bytes));
		/* the maker and the disc as the disk names them (issue 17) */
		if (a->life && wp_life_intake_device(a->life, dev, body, err, errlen) < 0)
			rc = WP_CUSTODY_REFUSED;
	}
	free(dev);
	return rc;
}

static int intake_body(const struct wp_custody_ask *a, json_t *body, char *err, size_t errlen)
{
	if (!a->device && (!a->serial || !a->model))
		return bad(err, errlen, _("needs --device DEV, or --serial S and --model M"));
	set_opt(body, "owner", a->owner);
	set_opt(body, "location", a->location);
	set_opt(body, "manager", a->manager);
	set_opt(body, "lease_contract", a->lease_contract);
	set_opt(body, "lease_end", a->lease_end);
	set_opt(body, "pc_manufacturer", a->pc_manufacturer);
	set_opt(body, "pc_model", a->pc_model);
	set_opt(body, "pc_serial", a->pc_serial);
	set_opt(body, "reason", a->reason);
	set_opt(body, "comment", a->comment);
	if (a->device) {
		int rc = intake_from_device(a, body, err, errlen);
		return rc ? rc : life_body(a, body, err, errlen);
	}
	set_opt(body, "serial", a->serial);
	set_opt(body, "model", a->model);
	return life_body(a, body, err, errlen);
}

/* An approval names what it allows and until when (custody/README.md): the
 * rules refuse another action, or the same one after it expired. */
static int approve_body(const struct wp_custody_ask *a, json_t *body, char *err, size_t errlen)
{
	static const char *const words[] = { "wipe", "destroy", "transfer", "release" };
	unsigned flags;
	char until[WP_TIME_MAX];
	if (wp_approve_actions_parse(a->approve_for ? a->approve_for : APPROVE_FOR, &flags, err,
				     errlen) < 0)
		return WP_STATION_BAD_REQUEST;
	json_t *list = json_array();
	for (unsigned i = 0; i < 4; i++)
		if (flags & (1u << i))
			wp_json_append(list, json_string(words[i]));
	wp_json_set(body, "for", list);
	time_t t = (a->now ? a->now : time(NULL)) +
		   (time_t)(a->valid_days ? a->valid_days : APPROVE_DAYS) * 86400;
	wp_utc_format(t, until, sizeof(until));
	wp_json_set(body, "expires", json_string(until));
	return 0;
}

/* issue 17: the vendor's destruction and an attested erasure;
 * the evidence's digest here, its copy beside the ledger when recorded. */
static int vendor_or_attested_body(const struct wp_custody_ask *a, json_t *body, char *err, size_t errlen)
{
	set_opt(body, "comment", a->comment);
	set_opt(body, "method", a->method);
	set_opt(body, "date", a->date);
	if (strcmp(a->action, "vendor-destroyed") == 0) {
		if (!a->vendor_cert || !a->date || !a->method || !a->received_by)
			return bad(err, errlen, _("the vendor's destruction needs --vendor-cert FILE (the "
				   "vendor's certificate), --date YYYY-MM-DD (when they destroyed "
				   "it), --method (shred, crush, melt, ...) and --received-by NAME "
				   "(who received the certificate)"));
		set_opt(body, "vendor", a->vendor);
		set_opt(body, "received_by", a->received_by);
		return add_digest(body, "vendor_cert_sha256", "vendor_cert", a->vendor_cert, err,
				  errlen);
	}
	if (!a->witness)
		return bad(err, errlen, _("attest-erasure needs --witness PERSON: a second person who "
			   "saw the erasure or its evidence and signs too (R8)"));
	if (!a->evidence || !a->method || !a->by || !a->category)
		return bad(err, errlen, _("an erasure done by the device or its maker needs --evidence "
			   "FILE (its erase report or certificate), --method (what was claimed), "
			   "--by self|maker|lease-company|vendor and --category clear|unknown"));
	set_opt(body, "by", a->by);
	set_opt(body, "category", a->category);
	set_opt(body, "erased_by", a->erased_by);
	return add_digest(body, "evidence_sha256", "evidence", a->evidence, err, errlen);
}

/* The class under the policy in force (issue 17): the highest of those
 * given, named in the policy's classes or the default set. */
static int intake_class(struct wp_ledger *l, const struct wp_custody_ask *a, json_t *body,
			char *err, size_t errlen)
{
	json_t *policy = NULL;
	if (strcmp(a->action, "intake") != 0 || !a->confidentiality)
		return 0;
	int rc = wp_custody_policy(l, &policy, err, errlen);
	if (rc == 0 && wp_station_intake_class(policy, a->confidentiality, NULL, body, err,
						errlen) < 0)
		rc = WP_CUSTODY_REFUSED;
	json_decref(policy);
	return rc;
}

/* The evidence file beside the ledger (vendor-certs/, evidence/); KEPT
 * the copy this call made, for removal when the event is refused. */
static int keep_evidence(const char *ledger_path, const struct wp_custody_ask *a, json_t *body,
			 char *kept, size_t keptlen, char *err, size_t errlen)
{
	kept[0] = '\0';
	if (strcmp(a->action, "vendor-destroyed") == 0)
		return wp_station_evidence(ledger_path, "vendor-certs", a->vendor_cert, body,
					   "vendor_cert_sha256", "vendor_cert", kept, keptlen, err,
					   errlen) < 0 ? WP_CUSTODY_ERROR : 0;
	if (strcmp(a->action, "attest-erasure") == 0)
		return wp_station_evidence(ledger_path, "evidence", a->evidence, body,
					   "evidence_sha256", "evidence", kept, keptlen, err,
					   errlen) < 0 ? WP_CUSTODY_ERROR : 0;
	return 0;
}

static int build(const struct wp_custody_ask *a, json_t *body, char *err, size_t errlen)
{
	const char *s = a->action;
	if (strcmp(s, "init") == 0) {
		if (a->no_approval_required && a->approval_required)
			return bad(err, errlen, _("give one of --no-approval-required and "
				   "--approval-required"));
		/* issue 17: the policy table, or the one bool as before */
		json_t *p = wp_station_policy_body(a->policy, a->no_approval_required, err, errlen);
		if (!p)
			return WP_STATION_BAD_REQUEST;
		json_object_update(body, p);
		json_decref(p);
		return 0;
	}
	if (!a->asset)
		return bad(err, errlen, _("needs --asset TAG"));
	if (strcmp(s, "intake") == 0) {
		int rc = intake_body(a, body, err, errlen);
		if (rc == 0 && a->kind) /* the asset's kind wins over the disk's (a PC's disk) */
			wp_json_set(body, "kind", json_string(a->kind));
		return rc;
	}
	if (strcmp(s, "vendor-destroyed") == 0 || strcmp(s, "attest-erasure") == 0)
		return vendor_or_attested_body(a, body, err, errlen);
	set_opt(body, "comment", a->comment);
	if (strcmp(s, "request") == 0)
		return set_opt(body, "reason", a->reason);
	if (strcmp(s, "approve") == 0)
		return approve_body(a, body, err, errlen);
	if (strcmp(s, "destroy") == 0) {
		if (!a->method)
			return bad(err, errlen, _("needs --method (shred, crush, degauss, drill, ...)"));
		if (!a->witness)
			return bad(err, errlen, _("needs --witness PERSON: a second person who "
				   "witnesses and signs (R8)"));
		set_opt(body, "method", a->method);
		return add_digest(body, "photo_sha256", "photo", a->photo, err, errlen);
	}
	if (strcmp(s, "transfer") == 0) {
		if (!a->vendor)
			return bad(err, errlen, _("needs --vendor NAME"));
		set_opt(body, "vendor", a->vendor);
		return add_digest(body, "vendor_cert_sha256", "vendor_cert", a->vendor_cert, err,
				  errlen);
	}
	if (strcmp(s, "release") == 0) {
		if (!a->to)
			return bad(err, errlen, _("needs --to dispose|lease-return|reuse|repair"));
		set_opt(body, "to", a->to);
		return life_body(a, body, err, errlen);
	}
	/* issue 17 items 5-9: custody_life.c */
	if (strcmp(s, "take-out") == 0 || strcmp(s, "return") == 0 || strcmp(s, "blanked") == 0)
		return a->life ? life_body(a, body, err, errlen)
			       : bad(err, errlen, "'%s' needs its options (struct wp_life_opts)", s);
	if (strcmp(s, "note") == 0) {
		if (!a->text)
			return bad(err, errlen, _("needs --text TEXT"));
		return set_opt(body, "text", a->text);
	}
	return bad(err, errlen, "'%s' is not a custody event a person records", s);
}

const char *wp_custody_ask_kind(const char *action)
{
	if (strcmp(action, "init") == 0)
		return WP_EV_POLICY;
	if (strcmp(action, "destroy") == 0)
		return WP_EV_DESTROYED;
	if (strcmp(action, "attest-erasure") == 0)
		return WP_EV_ERASURE_ATTESTED;
	return action; /* intake, request, approve, transfer, release, note */
}

int wp_custody_ask_body(const struct wp_custody_ask *a, json_t **body, char *err, size_t errlen)
{
	*body = json_object();
	if (!*body) {
		snprintf(err, errlen, _("out of memory"));
		return WP_CUSTODY_ERROR;
	}
	int rc = build(a, *body, err, errlen);
	if (rc != 0) {
		json_decref(*body);
		*body = NULL;
	}
	return rc;
}

/* With a device, an asset tag already on record must be this disk (R15):
 * say so plainly instead of only "already in the ledger". */
static int check_recorded_serial(struct wp_ledger *l, const struct wp_custody_ask *a,
				 const json_t *body, char *err, size_t errlen)
{
	struct wp_asset_state *st;
	if (!a->device || strcmp(a->action, "intake") != 0)
		return 0;
	if (!(st = malloc(sizeof(*st)))) {
		snprintf(err, errlen, _("out of memory"));
		return WP_CUSTODY_ERROR;
	}
	int rc = wp_custody_state(l, a->asset, st, err, errlen);
	const char *disk = json_string_value(json_object_get(body, "serial"));
	if (rc == 0 && st->exists && disk && strcmp(st->serial, disk) != 0) {
		snprintf(err, errlen, _("asset %s is recorded with serial '%s', but %s has serial '%s': "
			 "this is not the disk of asset %s (R15)"), a->asset, st->serial, a->device,
			 disk, a->asset);
		rc = WP_CUSTODY_REFUSED;
	}
	free(st);
	return rc;
}

/* A refused command creates nothing: a ledger this call created is
 * removed again when nothing was recorded in it. */
static void remove_new_ledger(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char name[4200];
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", path, suffix[i]);
		unlink(name);
	}
}

int wp_custody_record(const char *ledger_path, const struct wp_identity *actor,
		      const struct wp_identity *witness, const struct wp_custody_ask *a,
		      json_t *body, uint64_t *seq, char hash[WP_HASH_HEX], char *err,
		      size_t errlen)
{
	struct wp_ledger *l = NULL;
	int missing = wp_ledger_missing(ledger_path); /* a database: the server decides */
	bool is_new = missing != 0;
	int rc = 0;
	/* only init and intake may start a ledger; any other event needs an
	 * asset that is already in one */
	if (rc == 0 && is_new && strcmp(a->action, "init") != 0 &&
	    strcmp(a->action, "intake") != 0) {
		snprintf(err, errlen, _("no custody ledger at %s: %s; take the asset in first "
			 "('wipeproof custody intake') or give the ledger with --ledger PATH"),
			 ledger_path, strerror(missing));
		rc = WP_CUSTODY_REFUSED;
	}
	if (rc == 0)
		rc = wp_ledger_open(ledger_path, &l, err, errlen);
	if (rc == 0)
		rc = wp_ledger_set_ca(l, wp_identity_ca(actor), err, errlen);
	if (rc == 0)
		rc = check_recorded_serial(l, a, body, err, errlen);
	if (rc == 0)
		rc = intake_class(l, a, body, err, errlen);
	char kept[4400] = "";
	if (rc == 0)
		rc = keep_evidence(ledger_path, a, body, kept, sizeof(kept), err, errlen);
	if (rc == 0)
		rc = wp_custody_append_witnessed(l, actor, witness, wp_custody_ask_kind(a->action),
						 a->asset ? a->asset : "", body, seq, hash, err,
						 errlen);
	if (rc != 0 && kept[0])
		unlink(kept); /* nothing recorded: no evidence copy either */
	wp_ledger_close(l);
	if (rc != 0 && is_new && l)
		remove_new_ledger(ledger_path);
	return rc;
}
