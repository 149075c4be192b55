/*
 * wipeproof custody show --open | stocktake: the outstanding assets by
 * owner (R14, R16) and the stocktake of the disks attached now against the
 * ledger (R15). station/custody_life.c computes both; this file prints.
 */
#include "custody_cli.h"
#include "i18n.h"
#include "station.h"
#include "wptext.h"

#include <stdlib.h>
#include <string.h>

static void print_json(json_t *o)
{
	json_dumpf(o, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
	fputc('\n', stdout);
}

static const char *s(const json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v ? v : "";
}

int wp_custody_outstanding(const struct wp_kopts *o)
{
	char err[1024];
	int code;
	if (o->operand) {
		fprintf(stderr, "wipeproof: custody show --open lists every open asset; give no tag "
			"(or 'custody show %s' for one)\n", o->operand);
		return WP_EXIT_USAGE;
	}
	struct wp_ledger *l = wp_custody_open_verified(o, &code);
	if (!l)
		return code;
	json_t *out = NULL;
	int rc = wp_life_outstanding(l, o->owner, &out, err, sizeof(err));
	wp_ledger_close(l);
	if (rc != 0) {
		fprintf(stderr, "wipeproof: custody show --open: %s\n", err);
		return wp_custody_exit(rc);
	}
	if (o->json) {
		print_json(out);
		json_decref(out);
		return WP_EXIT_OK;
	}
	size_t i, j;
	json_t *g, *a;
	printf(_("%lld assets not yet released (未返却・未処分)\n"),
	       (long long)json_integer_value(json_object_get(out, "count")));
	json_array_foreach(json_object_get(out, "owners"), i, g) {
		printf("%s %s\n", _("owner"), s(g, "owner")[0] ? s(g, "owner") : _("(none)"));
		json_array_foreach(json_object_get(g, "assets"), j, a) {
			const json_t *t = json_object_get(a, "taken_out");
			printf("  %-16s %-12s %-12s %s %s", s(a, "asset"), s(a, "whereabouts"),
			       s(a, "status"), s(a, "serial"), s(a, "model"));
			if (t)
				printf(_("  (taken out by %s since %s to %s, due %s)"), s(t, "by"),
				       s(t, "since"), s(t, "to"), s(t, "due_back")[0] ? s(t, "due_back") : "-");
			putchar('\n');
		}
	}
	json_decref(out);
	return WP_EXIT_OK;
}

static void print_list(const json_t *report, const char *key, const char *title)
{
	size_t i;
	json_t *a;
	const json_t *list = json_object_get(report, key);
	printf("%s: %zu\n", title, json_array_size(list));
	json_array_foreach(list, i, a) {
		if (json_object_get(a, "asset"))
			printf("  %-16s %-12s %s %s\n", s(a, "asset"), s(a, "whereabouts"), s(a, "serial"),
			       s(a, "device"));
		else
			printf("  %-16s %s %s\n", s(a, "device"), s(a, "serial")[0] ? s(a, "serial")
			       : _("(no serial)"), s(a, "model"));
	}
}

/* --record: the stocktake as a signed ledger event of the whole ledger */
static int record(const struct wp_kopts *o, const json_t *report, char *err, size_t errlen)
{
	struct wp_identity *actor = NULL;
	const char *as = wp_cli_operator(o->as);
	struct wp_custody_ask a = { .action = "stocktake" };
	char hash[WP_HASH_HEX];
	uint64_t seq = 0;
	if (wp_identity_load(wp_keys_dir_resolve(o->keys_dir), as, o->passphrase_file, &actor, err,
			     errlen) < 0)
		return WP_CUSTODY_ERROR;
	json_t *body = wp_life_stocktake_event(report);
	int rc = wp_custody_record(wp_ledger_path_resolve(o->ledger), actor, NULL, &a, body, &seq,
				   hash, err, errlen);
	if (rc == 0)
		wp_custody_print_recorded(false, WP_EV_STOCKTAKE, "(the whole ledger)", actor, seq, hash);
	json_decref(body);
	wp_identity_free(actor);
	return rc;
}

int wp_custody_stocktake(const struct wp_kopts *o)
{
	char err[1024];
	int code;
	struct wp_device_list list = { 0 };
	if (o->record && o->json) {
		fprintf(stderr, "wipeproof: custody stocktake: give --record or --json, not both "
			"(the record prints its own line)\n");
		return WP_EXIT_USAGE;
	}
	if (o->record && !wp_cli_operator(o->as)) {
		fprintf(stderr, "wipeproof: custody stocktake --record needs --as PERSON, who signs "
			"the stocktake\n");
		return WP_EXIT_USAGE;
	}
	struct wp_ledger *l = wp_custody_open_verified(o, &code);
	if (!l)
		return code;
	json_t *report = NULL;
	int rc = wp_media_enumerate(&list, err, sizeof(err)) < 0
		 ? WP_CUSTODY_ERROR : wp_life_stocktake(l, &list, &report, err, sizeof(err));
	wp_ledger_close(l);
	wp_media_list_free(&list);
	if (rc != 0) {
		fprintf(stderr, "wipeproof: custody stocktake: %s\n", err);
		return wp_custody_exit(rc);
	}
	if (o->record) {
		rc = record(o, report, err, sizeof(err));
		if (rc != 0) {
			fprintf(stderr, "wipeproof: custody stocktake: %s\n", err);
			json_decref(report);
			return wp_custody_exit(rc);
		}
	}
	if (o->json) {
		print_json(report);
	} else {
		print_list(report, "present", _("present (on record, attached)"));
		print_list(report, "missing", _("MISSING (on record here, not attached)"));
		print_list(report, "unexpected", _("UNEXPECTED (taken out, at a vendor or destroyed by the ledger, but attached)"));
		print_list(report, "away", _("away (taken out, at a vendor or destroyed)"));
		print_list(report, "unrecorded", _("NOT ON RECORD (attached, no open asset has its serial)"));
	}
	bool clean = json_array_size(json_object_get(report, "missing")) == 0 &&
		     json_array_size(json_object_get(report, "unexpected")) == 0;
	json_decref(report);
	/* 0 when every asset here is where the ledger says; 1 when not */
	return clean ? WP_EXIT_OK : WP_EXIT_FAILED;
}
