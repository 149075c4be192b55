/*
 * wipeproof custody init | intake | request | approve | destroy | transfer |
 * release | note: build the event body from the options, load the signer
 * (and witness), append. The rules themselves live in custody/; this file
 * only turns options into a body and results into output.
 */
#include "custody_cli.h"
#include "station.h"
#include "wptext.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void set_opt(json_t *body, const char *key, const char *value)
{
	if (value)
		wp_json_set(body, key, json_string(value));
}

static int add_digest(json_t *body, const char *key, const char *name_key, const char *path,
		      char *err, size_t errlen)
{
	char hex[WP_HASH_HEX];
	if (!path)
		return 0;
	if (wp_file_sha256(path, hex, err, errlen) < 0)
		return -1;
	const char *base = strrchr(path, '/');
	wp_json_set(body, key, json_string(hex));
	wp_json_set(body, name_key, json_string(base ? base + 1 : path));
	return 0;
}

/* ---- bodies -------------------------------------------------------------- */

/* Returned by the steps below for a usage error (exit 2); a message is
 * printed already or in err. */
#define USAGE (WP_CUSTODY_ERROR - 100)

static int need(const struct wp_kopts *o, const char *value, const char *option)
{
	if (value)
		return 0;
	fprintf(stderr, "wipeproof: custody %s needs %s\n", o->sub, option);
	return -1;
}

static int intake_from_device(const struct wp_kopts *o, json_t *body, char *err, size_t errlen)
{
	struct wp_device *dev = calloc(1, sizeof(*dev));
	int rc = dev ? wp_media_probe(o->device, NULL, dev, err, errlen) : -1;
	if (!dev)
		snprintf(err, errlen, "out of memory");
	if (rc == 0 && !dev->serial[0]) {
		snprintf(err, errlen, "%s reports no serial number; take it in with --serial S "
			 "--model M from its label instead", o->device);
		rc = -1;
	}
	if (rc == 0 && o->serial && strcmp(o->serial, dev->serial) != 0) {
		snprintf(err, errlen, "%s has serial '%s', not '%s' as given with --serial; check "
			 "you have the right disk (R15)", o->device, dev->serial, o->serial);
		rc = WP_CUSTODY_REFUSED;
	}
	if (rc == 0) {
		wp_json_set(body, "serial", json_string(dev->serial));
		wp_json_set(body, "model", json_string(o->model ? o->model
						: dev->model[0] ? dev->model : "unknown"));
		wp_json_set(body, "device", json_string(dev->path));
		wp_json_set(body, "kind", json_string(wp_kind_name(dev->kind)));
		wp_json_set(body, "size_bytes", json_integer((json_int_t)dev->size_bytes));
	}
	free(dev);
	return rc;
}

static int intake_body(const struct wp_kopts *o, json_t *body, char *err, size_t errlen)
{
	if (need(o, o->asset, "--asset TAG") < 0)
		return USAGE;
	if (!o->device && (!o->serial || !o->model)) {
		fprintf(stderr, "wipeproof: custody intake needs --device DEV, or --serial S and --model M\n");
		return USAGE;
	}
	set_opt(body, "owner", o->owner);
	set_opt(body, "location", o->location);
	set_opt(body, "manager", o->manager);
	set_opt(body, "lease_contract", o->lease_contract);
	set_opt(body, "lease_end", o->lease_end);
	set_opt(body, "reason", o->reason);
	set_opt(body, "comment", o->comment);
	if (o->device)
		return intake_from_device(o, body, err, errlen);
	set_opt(body, "serial", o->serial);
	set_opt(body, "model", o->model);
	return 0;
}

#define APPROVE_FOR "wipe,release"
#define APPROVE_DAYS 30

/* An approval names what it allows and until when (custody/README.md): the
 * rules refuse another action, or the same one after it expired. */
static int approve_body(const struct wp_kopts *o, json_t *body, char *err, size_t errlen)
{
	unsigned flags;
	char until[WP_TIME_MAX];
	if (wp_approve_actions_parse(o->approve_for ? o->approve_for : APPROVE_FOR, &flags, err,
				     errlen) < 0)
		return USAGE;
	static const char *const words[] = { "wipe", "destroy", "transfer", "release" };
	json_t *list = json_array();
	for (unsigned i = 0; i < 4; i++)
		if (flags & (1u << i))
			wp_json_append(list, json_string(words[i]));
	wp_json_set(body, "for", list);
	time_t t = time(NULL) + (time_t)(o->valid_days ? o->valid_days : APPROVE_DAYS) * 86400;
	struct tm tm;
	strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	wp_json_set(body, "expires", json_string(until));
	return 0;
}

/* issue 17 (model1): the bodies station/ builds; KEPT is an evidence copy
 * this command made, removed again when the event is refused. */
static int model1_body(const struct wp_kopts *o, json_t *body, char *kept, size_t keptlen,
		       char *err, size_t errlen)
{
	const char *ledger = wp_ledger_path_resolve(o->ledger);
	if (need(o, o->asset, "--asset TAG") < 0)
		return USAGE;
	if (strcmp(o->sub, "vendor-destroyed") == 0) {
		struct wp_vendor_destruction v = { ledger, o->vendor, o->vendor_cert, o->date,
						   o->method, o->received_by, o->comment };
		if (!v.cert_file || !v.date || !v.method || !v.received_by) {
			wp_station_vendor_destroyed_body(&v, body, kept, keptlen, err, errlen);
			return USAGE;
		}
		return wp_station_vendor_destroyed_body(&v, body, kept, keptlen, err, errlen);
	}
	struct wp_attested_erasure a = { ledger, o->evidence, o->method, o->by, o->category,
					 o->erased_by, o->date, o->comment };
	if (!a.evidence_file || !a.method || !a.by || !a.category || !o->witness) {
		if (!o->witness)
			snprintf(err, errlen, "attest-erasure needs --witness PERSON: a second person "
				 "who saw the erasure or its evidence and signs too (R8)");
		else
			wp_station_attested_body(&a, body, kept, keptlen, err, errlen);
		return USAGE;
	}
	return wp_station_attested_body(&a, body, kept, keptlen, err, errlen);
}

static int build_body(const struct wp_kopts *o, json_t *body, char *kept, size_t keptlen,
		      char *err, size_t errlen)
{
	const char *s = o->sub;
	if (strcmp(s, "init") == 0) {
		if (o->no_approval_required && o->approval_required) {
			fprintf(stderr, "wipeproof: custody init: give one of --no-approval-required and --approval-required\n");
			return USAGE;
		}
		json_t *p = wp_station_policy_body(o->policy, o->no_approval_required, err, errlen);
		if (!p)
			return USAGE;
		json_object_update(body, p);
		json_decref(p);
		return 0;
	}
	if (strcmp(s, "vendor-destroyed") == 0 || strcmp(s, "attest-erasure") == 0)
		return model1_body(o, body, kept, keptlen, err, errlen);
	if (strcmp(s, "intake") == 0)
		return intake_body(o, body, err, errlen);
	if (need(o, o->asset, "--asset TAG") < 0)
		return USAGE;
	set_opt(body, "comment", o->comment);
	if (strcmp(s, "request") == 0)
		set_opt(body, "reason", o->reason);
	if (strcmp(s, "approve") == 0)
		return approve_body(o, body, err, errlen);
	if (strcmp(s, "destroy") == 0) {
		if (need(o, o->method, "--method (shred, crush, degauss, drill, ...)") < 0 ||
		    need(o, o->witness, "--witness PERSON: a second person who witnesses and signs (R8)") < 0)
			return USAGE;
		set_opt(body, "method", o->method);
		return add_digest(body, "photo_sha256", "photo", o->photo, err, errlen);
	}
	if (strcmp(s, "transfer") == 0) {
		if (need(o, o->vendor, "--vendor NAME") < 0)
			return USAGE;
		set_opt(body, "vendor", o->vendor);
		return add_digest(body, "vendor_cert_sha256", "vendor_cert", o->vendor_cert, err, errlen);
	}
	if (strcmp(s, "release") == 0) {
		if (need(o, o->to, "--to dispose|lease-return|reuse|repair") < 0)
			return USAGE;
		set_opt(body, "to", o->to);
	}
	if (strcmp(s, "note") == 0) {
		if (need(o, o->text, "--text TEXT") < 0)
			return USAGE;
		set_opt(body, "text", o->text);
	}
	return 0;
}

static const char *kind_of(const char *sub)
{
	if (strcmp(sub, "init") == 0)
		return WP_EV_POLICY;
	if (strcmp(sub, "destroy") == 0)
		return WP_EV_DESTROYED;
	if (strcmp(sub, "attest-erasure") == 0)
		return WP_EV_ERASURE_ATTESTED;
	return sub; /* intake, request, approve, transfer, release, note */
}

/* ---- signing and appending ---------------------------------------------- */

static int load_people(const struct wp_kopts *o, struct wp_identity **actor,
		       struct wp_identity **witness, char *err, size_t errlen)
{
	const char *dir = wp_keys_dir_resolve(o->keys_dir);
	const char *as = o->as ? o->as : getenv("WIPEPROOF_AS");
	if (!as || !as[0]) {
		snprintf(err, errlen, "who records this? give --as PERSON (a name or fingerprint "
			 "prefix from 'wipeproof keys list') or set WIPEPROOF_AS");
		return USAGE;
	}
	if (wp_identity_load(dir, as, o->passphrase_file, actor, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	if (o->witness_tty && o->witness_passphrase_file) {
		snprintf(err, errlen, "give --witness-tty or --witness-passphrase-file, not both: the "
			 "point of --witness-tty is that the witness types the passphrase");
		return USAGE;
	}
	char context[1024];
	/* what the witness sees on their own terminal before they sign */
	snprintf(context, sizeof(context), "wipeproof: %s, you are asked to witness and sign: "
		 "%s of asset %s by method '%s', recorded by %s (%s).",
		 o->witness ? o->witness : "",
		 strcmp(o->sub, "attest-erasure") == 0 ? "the erasure" : "destruction",
		 o->asset ? o->asset : "", o->method ? o->method : "",
		 wp_identity_person(*actor)->name, wp_identity_person(*actor)->title);
	if (o->witness &&
	    (o->witness_tty ? wp_identity_load_on_tty(dir, o->witness, o->witness_tty, context,
						      witness, err, errlen)
			    : wp_identity_load(dir, o->witness, o->witness_passphrase_file, witness,
					       err, errlen)) < 0) {
		char msg[600];
		snprintf(msg, sizeof(msg), "witness: %s", err);
		snprintf(err, errlen, "%s", msg);
		return WP_CUSTODY_ERROR;
	}
	return 0;
}

/* With --device, an asset tag already on record must be this disk (R15):
 * say so plainly instead of only "already in the ledger". */
static int check_recorded_serial(struct wp_ledger *l, const struct wp_kopts *o, json_t *body,
				 char *err, size_t errlen)
{
	struct wp_asset_state st;
	if (!o->device || strcmp(o->sub, "intake") != 0)
		return 0;
	int rc = wp_custody_state(l, o->asset, &st, err, errlen);
	const char *disk = json_string_value(json_object_get(body, "serial"));
	if (rc == 0 && st.exists && disk && strcmp(st.serial, disk) != 0) {
		snprintf(err, errlen, "asset %s is recorded with serial '%s', but %s has serial '%s': "
			 "this is not the disk of asset %s (R15)", o->asset, st.serial, o->device,
			 disk, o->asset);
		return WP_CUSTODY_REFUSED;
	}
	return rc;
}

static void print_recorded(const struct wp_kopts *o, const struct wp_identity *actor,
			   uint64_t seq, const char *hash)
{
	const struct wp_person *p = wp_identity_person(actor);
	const char *kind = kind_of(o->sub);
	if (o->json) {
		json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s}", "seq", (json_int_t)seq, "hash", hash,
				      "kind", kind, "asset", o->asset ? o->asset : "", "actor", p->name);
		json_dumpf(j, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(j);
		return;
	}
	printf("recorded seq %llu: %s %s by %s (%s, %s)\n", (unsigned long long)seq, kind,
	       o->asset ? o->asset : "(ledger policy)", p->name, p->title, wp_role_name(p->role));
	printf("head %s@%llu\n", hash, (unsigned long long)seq);
}

/* The class under the policy in force (issue 17): the highest of those
 * given, named in the policy's classes or the default set. */
static int intake_class(struct wp_ledger *l, const struct wp_kopts *o, json_t *body, char *err,
			size_t errlen)
{
	json_t *policy = NULL;
	int rc = wp_custody_policy(l, &policy, err, errlen);
	if (rc == 0 && wp_station_intake_class(policy, o->confidentiality, o->kind, body, err,
						errlen) < 0)
		rc = WP_CUSTODY_REFUSED;
	json_decref(policy);
	return rc;
}

/* A refused command creates nothing: a ledger this command created is
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

static int append(const struct wp_kopts *o, json_t *body, char *err, size_t errlen)
{
	struct wp_identity *actor = NULL, *witness = NULL;
	struct wp_ledger *l = NULL;
	uint64_t seq = 0;
	char hash[WP_HASH_HEX];
	const char *path = wp_ledger_path_resolve(o->ledger);
	bool is_new = access(path, F_OK) != 0;
	int missing = errno;
	int rc = load_people(o, &actor, &witness, err, errlen);
	/* only init and intake may start a ledger; any other event needs an
	 * asset that is already in one */
	if (rc == 0 && is_new && strcmp(o->sub, "init") != 0 && strcmp(o->sub, "intake") != 0) {
		snprintf(err, errlen, "no custody ledger at %s: %s; take the asset in first "
			 "('wipeproof custody intake') or give the ledger with --ledger PATH", path,
			 strerror(missing));
		rc = WP_CUSTODY_REFUSED;
	}
	if (rc == 0)
		rc = wp_ledger_open(path, &l, err, errlen);
	if (rc == 0)
		rc = wp_ledger_set_ca(l, wp_identity_ca(actor), err, errlen);
	if (rc == 0)
		rc = check_recorded_serial(l, o, body, err, errlen);
	if (rc == 0 && strcmp(o->sub, "intake") == 0 && (o->confidentiality || o->kind))
		rc = intake_class(l, o, body, err, errlen);
	if (rc == 0)
		rc = wp_custody_append_witnessed(l, actor, witness, kind_of(o->sub),
						 o->asset ? o->asset : "", body, &seq, hash, err, errlen);
	if (rc == 0)
		print_recorded(o, actor, seq, hash);
	wp_ledger_close(l);
	if (rc != 0 && is_new && l)
		remove_new_ledger(path);
	wp_identity_free(witness);
	wp_identity_free(actor);
	return rc;
}

int wp_custody_write(const struct wp_kopts *o)
{
	char err[1024] = "", kept[4400] = "";
	json_t *body = json_object();
	int rc = build_body(o, body, kept, sizeof(kept), err, sizeof(err));
	if (rc == 0)
		rc = append(o, body, err, sizeof(err));
	if (rc != 0 && kept[0])
		unlink(kept); /* nothing recorded: no evidence copy either */
	json_decref(body);
	if (rc == USAGE) {
		if (err[0])
			fprintf(stderr, "wipeproof: custody %s: %s\n", o->sub, err);
		return WP_EXIT_USAGE;
	}
	if (rc != 0)
		fprintf(stderr, "wipeproof: custody %s: %s\n", o->sub, err);
	return wp_custody_exit(rc);
}

int wp_cmd_custody_main(int argc, char **argv)
{
	char err[512];
	struct wp_kopts o;
	int rc = wp_kopts_parse("custody", argc - 1, argv + 1, &o, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "wipeproof: %s\n", err);
		return WP_EXIT_USAGE;
	}
	if (rc > 0) {
		wp_custody_usage(stdout, o.sub);
		return WP_EXIT_OK;
	}
	if (strcmp(o.sub, "log") == 0)
		return wp_custody_log(&o);
	if (strcmp(o.sub, "show") == 0)
		return wp_custody_show(&o);
	if (strcmp(o.sub, "export") == 0)
		return wp_custody_export(&o);
	if (strcmp(o.sub, "verify") == 0)
		return wp_custody_verify_cmd(&o);
	if (strcmp(o.sub, "head") == 0)
		return wp_custody_head_cmd(&o);
	return wp_custody_write(&o);
}
