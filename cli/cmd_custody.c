/*
 * wipeproof custody init | intake | request | approve | destroy | transfer |
 * release | note: the options become a request, station/ builds the event
 * body and records it (station/custody.c), the rules live in custody/;
 * this file loads the signer (and witness), who may have to type a
 * passphrase, and prints the result.
 */
#include "i18n.h"
#include "custody_cli.h"
#include "wptext.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The request station/ builds the body from (station/custody.c). */
static struct wp_custody_ask ask_of(const struct wp_kopts *o)
{
	return (struct wp_custody_ask){
		.action = o->sub, .asset = o->asset,
		.no_approval_required = o->no_approval_required,
		.approval_required = o->approval_required,
		.device = o->device, .serial = o->serial, .model = o->model, .owner = o->owner,
		.location = o->location, .manager = o->manager, .lease_contract = o->lease_contract,
		.lease_end = o->lease_end, .reason = o->reason, .comment = o->comment,
		.pc_manufacturer = o->pc_manufacturer, .pc_model = o->pc_model,
		.pc_serial = o->pc_serial,
		.method = o->method, .photo = o->photo, .witness = o->witness, .vendor = o->vendor,
		.vendor_cert = o->vendor_cert, .to = o->to, .text = o->text,
		.approve_for = o->approve_for, .valid_days = o->valid_days,
		/* issue 17 */
		.policy = o->policy, .confidentiality = o->confidentiality, .kind = o->kind,
		.received_by = o->received_by, .date = o->date, .evidence = o->evidence, .by = o->by,
		.category = o->category, .erased_by = o->erased_by,
	};
}

/* issue 17 items 5-9: what station/custody_life.c adds to the bodies */
static struct wp_life_opts life_of(const struct wp_kopts *o)
{
	return (struct wp_life_opts){
		.sub = o->sub, .ledger_path = wp_ledger_path_resolve(o->ledger),
		.destination = o->destination, .purpose = o->purpose,
		.permitted_by = o->permitted_by, .permitted_on = o->permitted_on,
		.due_back = o->due_back, .device = o->device, .agreement = o->agreement,
		.repairer = o->repairer, .introduced = o->introduced, .maker = o->maker,
		.seller = o->seller, .use = o->use, .warranty = o->warranty, .media = o->media,
		.method = o->method, .tool = o->tool,
	};
}

/* ---- signing and appending ---------------------------------------------- */

static int load_people(const struct wp_kopts *o, struct wp_identity **actor,
		       struct wp_identity **witness, char *err, size_t errlen)
{
	const char *dir = wp_cli_keys(o->keys_dir);
	const char *as = wp_cli_operator(o->as);
	if (!as || !as[0]) {
		snprintf(err, errlen, _("who records this? give --as PERSON (a name or fingerprint "
			 "prefix from 'wipeproof keys list') or set WIPEPROOF_AS"));
		return WP_STATION_BAD_REQUEST;
	}
	if (wp_identity_load(dir, as, o->passphrase_file, actor, err, errlen) < 0)
		return WP_CUSTODY_ERROR;
	if (o->witness_tty && o->witness_passphrase_file) {
		snprintf(err, errlen, _("give --witness-tty or --witness-passphrase-file, not both: the "
			 "point of --witness-tty is that the witness types the passphrase"));
		return WP_STATION_BAD_REQUEST;
	}
	char context[1024];
	/* what the witness sees on their own terminal before they sign */
	snprintf(context, sizeof(context), "wipeproof: %s, you are asked to witness and sign: "
		 "%s of asset %s by method '%s', recorded by %s (%s).",
		 o->witness ? o->witness : "",
		 strcmp(o->sub, "attest-erasure") == 0 ? "the erasure" : "destruction",
		 o->asset ? o->asset : "", o->method ? o->method : "",
		 wp_identity_person(*actor)->name, wp_identity_person(*actor)->title);
	/* a take-out's second signer is the head who permits it (R19) */
	const char *second = o->witness ? o->witness : o->permitted_by;
	if (second &&
	    (o->witness_tty ? wp_identity_load_on_tty(dir, second, o->witness_tty, context,
						      witness, err, errlen)
			    : wp_identity_load(dir, second, o->witness_passphrase_file, witness,
					       err, errlen)) < 0) {
		char msg[600];
		snprintf(msg, sizeof(msg), "witness: %s", err);
		snprintf(err, errlen, "%s", msg);
		return WP_CUSTODY_ERROR;
	}
	return 0;
}

void wp_custody_print_recorded(bool json, const char *kind, const char *asset,
			       const struct wp_identity *actor, uint64_t seq, const char *hash)
{
	const struct wp_person *p = wp_identity_person(actor);
	if (json) {
		json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s}", "seq", (json_int_t)seq, "hash", hash,
				      "kind", kind, "asset", asset ? asset : "", "actor", p->name);
		json_dumpf(j, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(j);
		return;
	}
	printf(_("recorded seq %llu: %s %s by %s (%s, %s)\n"), (unsigned long long)seq, kind,
	       asset ? asset : "(ledger policy)", p->name, p->title, wp_role_name(p->role));
	printf(_("head %s@%llu\n"), hash, (unsigned long long)seq);
}

int wp_custody_write(const struct wp_kopts *o)
{
	char err[1024] = "", hash[WP_HASH_HEX];
	struct wp_identity *actor = NULL, *witness = NULL;
	struct wp_custody_ask a = ask_of(o);
	struct wp_life_opts life = life_of(o);
	a.life = &life;
	json_t *body = NULL;
	uint64_t seq = 0;
	/* what is asked is checked before anyone types a passphrase */
	int rc = wp_custody_ask_body(&a, &body, err, sizeof(err));
	if (rc == 0)
		rc = load_people(o, &actor, &witness, err, sizeof(err));
	if (rc == 0 && strcmp(o->sub, "blanked") == 0 && o->device) {
		/* issue 17 item 9: wipeproof blanks the disc, then records it */
		struct wp_station_blank b = {
			.ledger_path = wp_cli_ledger(o->ledger), .actor = actor, .ask = &a,
			.asset = o->asset, .device = o->device, .body = body,
			.tool_given = o->tool != NULL,
		};
		rc = wp_station_blank(&b, &seq, hash, err, sizeof(err));
	} else if (rc == 0) {
		rc = wp_custody_record(wp_cli_ledger(o->ledger), actor, witness, &a, body,
				       &seq, hash, err, sizeof(err));
	}
	if (rc == 0)
		wp_custody_print_recorded(o->json, wp_custody_ask_kind(o->sub), o->asset, actor, seq,
					  hash);
	json_decref(body);
	wp_identity_free(witness);
	wp_identity_free(actor);
	if (rc != 0)
		fprintf(stderr, _("wipeproof: custody %s: %s\n"), o->sub, err);
	return rc == WP_STATION_BAD_REQUEST ? WP_EXIT_USAGE : wp_custody_exit(rc);
}
