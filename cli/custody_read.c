/*
 * wipeproof custody log | show | export | verify | head: reading the
 * ledger. Everything here opens it read-only and needs no private key, so
 * an auditor can run it as an ordinary user.
 */
#include "cert_cli.h"
#include "wptext.h"

#include "i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int load_ca(const struct wp_kopts *o, X509 **ca, char *path, size_t pathlen)
{
	char err[1536];
	if (o->ca)
		snprintf(path, pathlen, "%s", o->ca);
	else
		snprintf(path, pathlen, "%s/ca.pem", wp_cli_keys(o->keys_dir));
	if (wp_cert_load(path, ca, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: custody %s: CA certificate: %s; give --ca FILE\n"), o->sub,
			err);
		return -1;
	}
	return 0;
}

/* *code: the exit status when it fails (4 for a file that is not what
 * wipeproof writes, e.g. a view or trigger in it). */
static struct wp_ledger *open_for_reading_code(const struct wp_kopts *o, int *code)
{
	char err[1024];
	struct wp_ledger *l = NULL;
	int rc = wp_ledger_open_readonly(wp_cli_ledger(o->ledger), &l, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, _("wipeproof: custody %s: %s\n"), o->sub, err);
		*code = wp_custody_exit(rc);
		return NULL;
	}
	return l;
}

static struct wp_ledger *open_for_reading(const struct wp_kopts *o)
{
	int code;
	return open_for_reading_code(o, &code);
}

/* log, show and export print only what one verified pass over the whole
 * chain checked (custody.h, wp_custody_replay): the handle verifies every
 * read against the CA. */
static struct wp_ledger *open_verified(const struct wp_kopts *o, int *code)
{
	char err[1024] = "", path[4200], crl_path[4200];
	X509 *ca = NULL;
	X509_CRL *crl = NULL;
	*code = WP_EXIT_FAILED;
	if (load_ca(o, &ca, path, sizeof(path)) < 0)
		return NULL;
	/* the same revocation check as custody verify: nothing shown that it refuses */
	if (wp_cli_crl_load(o, path, ca, &crl, crl_path, sizeof(crl_path)) < 0) {
		X509_free(ca);
		return NULL;
	}
	struct wp_ledger *l = open_for_reading_code(o, code);
	if (l && (wp_ledger_set_ca(l, ca, err, sizeof(err)) < 0 ||
		  wp_ledger_set_crl(l, crl) < 0)) {
		if (!err[0])
			snprintf(err, sizeof(err), _("out of memory"));
		fprintf(stderr, _("wipeproof: custody %s: %s\n"), o->sub, err);
		wp_ledger_close(l);
		l = NULL;
	}
	X509_CRL_free(crl);
	X509_free(ca);
	return l;
}

struct wp_ledger *wp_custody_open_verified(const struct wp_kopts *o, int *code)
{
	return open_verified(o, code);
}

/* A reader's failure: a ledger that does not verify is exit 4, like verify. */
static int read_failed(const struct wp_kopts *o, int rc, const char *err)
{
	fprintf(stderr, _("wipeproof: custody %s: %s%s\n"), o->sub, err, rc == WP_CUSTODY_BROKEN
		? "; nothing is shown from a ledger that does not verify" : "");
	return wp_custody_exit(rc);
}

static void print_json(json_t *o)
{
	json_dumpf(o, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
	fputc('\n', stdout);
	json_decref(o);
}

/* One event on one line, from wp_event_to_json's object (the verified pass). */
static void wp_event_json_print(FILE *out, const json_t *e)
{
	const json_t *a = json_object_get(e, "actor"), *w = json_object_get(e, "witness");
	const char *asset = json_string_value(json_object_get(e, "asset"));
	char *body = json_dumps(json_object_get(e, "body"), JSON_COMPACT | JSON_SORT_KEYS);
	fprintf(out, "%5lld  %s  %-11s %-14s %s (%s, %s)",
		(long long)json_integer_value(json_object_get(e, "seq")),
		json_string_value(json_object_get(e, "time")),
		json_string_value(json_object_get(e, "kind")), asset && asset[0] ? asset : "-",
		json_string_value(json_object_get(a, "name")),
		json_string_value(json_object_get(a, "title")),
		json_string_value(json_object_get(a, "role")));
	if (w)
		fprintf(out, _(" witness %s (%s, %s)"), json_string_value(json_object_get(w, "name")),
			json_string_value(json_object_get(w, "title")),
			json_string_value(json_object_get(w, "role")));
	fprintf(out, "  %s\n", body ? body : "{}");
	free(body);
}

/* ---- log ----------------------------------------------------------------- */

/* An event of a pushed station's chain says which (a PostgreSQL ledger
 * holds several, each with its own seq 1..n). */
static json_t *event_json(const struct wp_event *ev, const struct wp_ledger *l)
{
	json_t *e = wp_event_to_json(ev);
	if (e && wp_ledger_chain(l)[0])
		wp_json_set(e, "chain", json_string(wp_ledger_chain(l)));
	return e;
}

/* A line before the first event of each pushed station's chain. */
static void chain_header(const json_t *e, const char **last)
{
	const char *chain = json_string_value(json_object_get(e, "chain"));
	if (chain && (!*last || strcmp(chain, *last) != 0))
		printf(_("station chain %s (a pushed station ledger):\n"), chain);
	*last = chain;
}

struct log_ctx {
	json_t *arr;
	const struct wp_ledger *l;
};

static int log_json(const struct wp_event *ev, void *ctx)
{
	struct log_ctx *c = ctx;
	wp_json_append(c->arr, event_json(ev, c->l));
	return 0;
}

int wp_custody_log(const struct wp_kopts *o)
{
	char err[1024];
	int code;
	struct wp_ledger *l = open_verified(o, &code);
	if (!l)
		return code;
	/* collected first: nothing is printed unless the whole chain verifies */
	json_t *arr = json_array();
	struct log_ctx lc = { arr, l };
	int rc = wp_custody_each(l, o->asset, log_json, &lc, err, sizeof(err));
	wp_ledger_close(l);
	if (rc != 0) {
		json_decref(arr);
		return read_failed(o, rc, err);
	}
	if (o->json) {
		print_json(json_pack("{s:o}", "events", arr));
		return WP_EXIT_OK;
	}
	size_t i;
	json_t *e;
	const char *last = NULL;
	json_array_foreach(arr, i, e) {
		chain_header(e, &last);
		wp_event_json_print(stdout, e);
	}
	json_decref(arr);
	return WP_EXIT_OK;
}

/* ---- show ---------------------------------------------------------------- */

static json_t *actor_json(const struct wp_actor *a)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "name", a->name, "title", a->title, "role",
			 a->role, "fingerprint", a->fingerprint);
}

/* What the last approval allows (custody.h WP_APPROVE_*), as its words. */
static json_t *approval_actions(unsigned flags)
{
	static const char *const words[] = { "wipe", "destroy", "transfer", "release" };
	json_t *list = json_array();
	for (unsigned i = 0; i < 4; i++)
		if (flags & (1u << i))
			wp_json_append(list, json_string(words[i]));
	return list;
}

/* issue 17 items 5-9 — Art.5 fields, where it is, take-out, repair */
static void life_json(json_t *o, const struct wp_asset_state *st)
{
	const struct { const char *key, *value; } text[] = {
		{ "introduced", st->introduced }, { "maker", st->maker },
		{ "maker_source", st->maker_source }, { "seller", st->seller }, { "use", st->use },
		{ "warranty", st->warranty }, { "kind", st->kind }, { "media", st->media },
		{ "repairer", st->repairer }, { "agreement_sha256", st->agreement_sha256 },
	};
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (text[i].value[0])
			wp_json_set(o, text[i].key, json_string(text[i].value));
	wp_json_set(o, "whereabouts", json_string(wp_asset_whereabouts(st)));
	wp_json_set(o, "repairs", json_integer(st->repairs));
	if (st->blanked)
		wp_json_set(o, "blanked", json_true());
	if (st->taken_out)
		wp_json_set(o, "taken_out", json_pack("{s:o, s:o, s:s, s:s, s:s}", "by",
				actor_json(&st->taken_by), "permitted_by", actor_json(&st->permitted_by),
				"since", st->out_time, "to", st->destination, "due_back", st->due_back));
}

static void life_fields(const struct wp_asset_state *st);

static json_t *state_json(const struct wp_asset_state *st)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:b}",
			      "asset", st->asset, "status", wp_asset_status(st), "serial", st->serial,
			      "model", st->model, "owner", st->owner, "location", st->location,
			      "manager", st->manager, "lease_contract", st->lease_contract,
			      "lease_end", st->lease_end, "reason", st->reason,
			      "intake_time", st->intake_time, "last_seq", (json_int_t)st->last_seq,
			      "sanitized", st->sanitized, "verified", st->verified);
	if (o && st->pc_serial[0])
		wp_json_set(o, "pc", json_pack("{s:s, s:s, s:s}", "manufacturer", st->pc_manufacturer,
					       "model", st->pc_model, "serial", st->pc_serial));
	if (st->requested)
		wp_json_set(o, "requester", actor_json(&st->requester));
	if (st->approved) {
		wp_json_set(o, "approver", actor_json(&st->approver));
		wp_json_set(o, "approval", json_pack("{s:o, s:s}", "for",
						     approval_actions(st->approved_for),
						     "expires", st->approved_until));
	}
	if (st->wipe_result[0])
		wp_json_set(o, "wipe_result", json_string(st->wipe_result));
	if (st->destroyed)
		wp_json_set(o, "destroyed", json_pack("{s:s, s:o}", "method", st->destroy_method,
							       "witness", actor_json(&st->witness)));
	if (st->transferred)
		wp_json_set(o, "vendor", json_string(st->vendor));
	if (st->released)
		wp_json_set(o, "released_to", json_string(st->released_to));
	life_json(o, st);
	/* issue 17 */
	if (st->confidentiality[0])
		wp_json_set(o, "confidentiality", json_string(st->confidentiality));
	if (st->asset_kind[0])
		wp_json_set(o, "kind", json_string(st->asset_kind));
	if (st->attested)
		wp_json_set(o, "attested_category", json_string(st->attested_category));
	return o;
}

static void field(const char *label, const char *value)
{
	if (value && value[0])
		printf("  %-15s %s\n", label, value);
}

static const char *line_pc(const struct wp_asset_state *st, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", st->pc_manufacturer, st->pc_manufacturer[0] ? " " : "",
		 st->pc_model);
	return buf[0] ? buf : NULL;
}

static void print_state(const struct wp_asset_state *st)
{
	char line[600];
	printf(_("asset %s: %s\n"), st->asset, wp_asset_status(st));
	field("serial", st->serial);
	field("model", st->model);
	field("owner", st->owner);
	field("location", st->location);
	field("manager", st->manager);
	field("lease contract", st->lease_contract);
	field("lease end", st->lease_end);
	field("PC serial", st->pc_serial);
	field("PC", st->pc_serial[0] ? line_pc(st, line, sizeof(line)) : NULL);
	field("intake reason", st->reason);
	field("kind", st->asset_kind);
	field("class", st->confidentiality);
	field("erased (attested)", st->attested ? st->attested_category : NULL);
	field("requested by", st->requested ? st->requester.name : NULL);
	if (st->approved) {
		json_t *list = approval_actions(st->approved_for);
		char what[64] = "";
		size_t i;
		json_t *w;
		json_array_foreach(list, i, w) {
			size_t used = strlen(what);
			snprintf(what + used, sizeof(what) - used, "%s%s", i ? "," : "",
				 json_string_value(w));
		}
		json_decref(list);
		snprintf(line, sizeof(line), "%s (for %s, until %s)", st->approver.name, what,
			 st->approved_until);
		field("approved by", line);
	}
	snprintf(line, sizeof(line), "%s%s", st->wipe_result, st->verified ? ", verified" : "");
	field("last wipe", st->wipe_result[0] ? line : NULL);
	snprintf(line, sizeof(line), "%s, witnessed by %s", st->destroy_method, st->witness.name);
	field("destroyed", st->destroyed ? line : NULL);
	field("handed to", st->transferred ? st->vendor : NULL);
	field("released to", st->released ? st->released_to : NULL);
	life_fields(st);
	printf(_("history:\n"));
}

static void life_fields(const struct wp_asset_state *st)
{
	char line[900];
	field("introduced", st->introduced);
	snprintf(line, sizeof(line), "%s (%s)", st->maker, st->maker_source);
	field("maker", st->maker[0] ? line : NULL);
	field("seller", st->seller);
	field("use", st->use);
	field("warranty", st->warranty);
	field("media", st->media);
	snprintf(line, sizeof(line), "by %s, permitted by %s, since %s, to %s, due %s",
		 st->taken_by.name, st->permitted_by.name, st->out_time, st->destination,
		 st->due_back[0] ? st->due_back : "-");
	field("taken out", st->taken_out ? line : NULL);
	snprintf(line, sizeof(line), "%s, agreement %.16s…", st->repairer, st->agreement_sha256);
	field("at repair", st->agreement_sha256[0] && st->released ? line : NULL);
}

struct show_ctx {
	struct wp_asset_state st;
	json_t *events;
	const struct wp_ledger *l;
};

static int show_one(const struct wp_event *ev, const struct wp_asset_state *st, void *ctx)
{
	struct show_ctx *sc = ctx;
	sc->st = *st;
	json_array_append_new(sc->events, event_json(ev, sc->l));
	return 0;
}

int wp_custody_show(const struct wp_kopts *o)
{
	char err[1024];
	if (!o->operand) {
		fprintf(stderr, _("wipeproof: custody show needs an asset tag: 'wipeproof custody show TAG'\n"));
		return WP_EXIT_USAGE;
	}
	int code;
	struct wp_ledger *l = open_verified(o, &code);
	if (!l)
		return code;
	/* the state and the history from the same verified pass */
	struct show_ctx sc = { .events = json_array(), .l = l };
	snprintf(sc.st.asset, sizeof(sc.st.asset), "%s", o->operand);
	struct wp_custody_report *rep = malloc(sizeof(*rep));
	X509 *ca = wp_ledger_ca(l);
	int rc = rep ? wp_custody_replay(l, ca, NULL, o->operand, show_one, &sc, rep, err,
					 sizeof(err))
		     : WP_CUSTODY_ERROR;
	if (!rep)
		snprintf(err, sizeof(err), _("out of memory"));
	free(rep);
	if (rc == 0 && !sc.st.exists) {
		snprintf(err, sizeof(err), _("asset %s is not in the ledger %s; 'wipeproof custody log' "
			 "lists what is"), o->operand, wp_ledger_path(l));
		rc = WP_CUSTODY_ERROR;
	}
	wp_ledger_close(l);
	json_t *events = sc.events;
	struct wp_asset_state st = sc.st;
	if (rc != 0) {
		json_decref(events);
		return read_failed(o, rc, err);
	}
	if (o->json) {
		json_t *j = state_json(&st);
		wp_json_set(j, "events", events);
		print_json(j);
		return WP_EXIT_OK;
	}
	print_state(&st);
	size_t i;
	json_t *ev;
	const char *last = NULL;
	json_array_foreach(events, i, ev) {
		chain_header(ev, &last);
		char *text = json_dumps(json_object_get(ev, "body"), JSON_COMPACT | JSON_SORT_KEYS);
		printf("%5lld  %s  %-11s %s  %s\n", (long long)json_integer_value(json_object_get(ev, "seq")),
		       json_string_value(json_object_get(ev, "time")),
		       json_string_value(json_object_get(ev, "kind")),
		       json_string_value(json_object_get(json_object_get(ev, "actor"), "name")),
		       text ? text : "{}");
		free(text);
	}
	json_decref(events);
	return WP_EXIT_OK;
}

/* ---- export -------------------------------------------------------------- */

int wp_custody_export(const struct wp_kopts *o)
{
	char err[1024];
	bool csv = o->format && strcmp(o->format, "csv") == 0;
	if (!o->format || (!csv && strcmp(o->format, "json") != 0)) {
		fprintf(stderr, _("wipeproof: custody export needs --format csv or --format json\n"));
		return WP_EXIT_USAGE;
	}
	FILE *out = o->output ? fopen(o->output, "wx") : stdout;
	if (!out) {
		fprintf(stderr, _("wipeproof: custody export: cannot create %s: %s%s\n"), o->output,
			strerror(errno), errno == EEXIST ? " (not overwriting it; remove it first)" : "");
		return WP_EXIT_FAILED;
	}
	int code = WP_EXIT_FAILED;
	struct wp_ledger *l = open_verified(o, &code);
	struct wp_export_filter filter = { .owner = o->owner, .since = o->since, .until = o->until,
					   .station = o->station };
	json_t *j = NULL;
	int rc = l ? 0 : WP_CUSTODY_ERROR;
	if (l && csv)
		rc = wp_custody_export_csv(l, &filter, out, err, sizeof(err));
	else if (l)
		rc = wp_custody_export_json(l, &filter, &j, err, sizeof(err));
	if (l && rc == 0 && j) {
		json_dumpf(j, out, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
		fputc('\n', out);
	}
	json_decref(j);
	wp_ledger_close(l);
	if (l && rc != 0)
		read_failed(o, rc, err);
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		fprintf(stderr, _("wipeproof: custody export: cannot write %s: %s\n"), o->output, strerror(errno));
		rc = WP_CUSTODY_ERROR;
	}
	if (rc != 0 && out != stdout)
		unlink(o->output); /* no half export, and none of a ledger that does not verify */
	return rc == 0 ? WP_EXIT_OK : l ? wp_custody_exit(rc) : code;
}

/* ---- verify and head ----------------------------------------------------- */

int wp_cli_crl_load(const struct wp_kopts *o, const char *ca_path, X509 *ca, X509_CRL **crl,
		    char *used, size_t usedlen)
{
	char path[4200], err[1024];
	*crl = NULL;
	used[0] = '\0';
	if (wp_crl_path(o->crl, ca_path, path, sizeof(path)) == 1)
		return 0;
	if (wp_crl_load(path, ca, crl, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: %s %s: revocation list: %s\n"), o->group, o->sub, err);
		return -1;
	}
	snprintf(used, usedlen, "%s", path);
	return 0;
}

static void print_report(const struct wp_kopts *o, const struct wp_custody_report *r, int rc,
			 const char *path, const char *err, X509 *ca)
{
	char subject[512], fpr[WP_FPR_HEX] = "";
	wp_cert_subject_text(ca, subject, sizeof(subject));
	wp_cert_fingerprint(ca, fpr);
	if (o->json) {
		char head[WP_HASH_HEX + 24];
		snprintf(head, sizeof(head), "%s@%llu", r->head_hash, (unsigned long long)r->head_seq);
		json_t *j = json_pack("{s:s, s:b, s:I, s:s, s:{s:s, s:s, s:b}, s:o?}", "ledger",
				      path, "ok", rc == 0, "events", (json_int_t)r->events, "head", head,
				      "ca", "subject", subject, "sha256", fpr, "pinned",
				      o->ca_fingerprint != NULL, "ledger_id",
				      r->ledger_id[0] ? json_string(r->ledger_id) : NULL);
		wp_json_set(j, "chains", json_integer(r->chains));
		if (rc != 0) {
			wp_json_set(j, "bad_seq", json_integer((json_int_t)r->bad_seq));
			wp_json_set(j, "error", json_string(rc == WP_CUSTODY_BROKEN ? r->why : err));
		}
		print_json(j);
	} else {
		/* the verdict rests on this CA: a look-alike with the same names
		 * differs only in its fingerprint (first, so the verdict stays
		 * the last line) */
		printf(_("trust anchor: CA %s, SHA-256 %s%s\n"), subject, fpr, o->ca_fingerprint
		       ? " (the pinned CA)" : " (not pinned: compare it with the one you trust, or "
		       "pass --ca-fingerprint)");
		if (rc == 0 && r->ledger_id[0])
			printf(_("ledger id %s\n"), r->ledger_id);
		else if (rc == 0 && r->events)
			printf(_("no ledger id (the ledger was created before wipeproof put one in its first "
				  "event)\n"));
		if (rc == 0)
			printf(_("ledger %s verifies: %llu events, head %s@%llu\n"), path,
			       (unsigned long long)r->events, r->head_hash,
			       (unsigned long long)r->head_seq);
		if (rc == 0 && r->chains > 1)  /* stations' pushed chains, each checked whole */
			printf(_("%u chains (pushed stations' and the online one), each verified "
				 "in full; head and ledger id above are of the %s chain\n"), r->chains,
			       o->anchor ? "anchored" : "online (else the first)");
	}
	if (rc != 0)
		fprintf(stderr, _("wipeproof: custody verify: %s\n"), err);
}

int wp_custody_verify_cmd(const struct wp_kopts *o)
{
	char err[1536], path[4200];
	X509 *ca = NULL;
	uint64_t anchor_seq;
	char anchor_hash[WP_HASH_HEX], anchor[WP_HASH_HEX + 24];
	/* --anchor HASH@SEQ, or a signed head file (custody head --sign) */
	bool signed_head = o->anchor && wp_anchor_parse(o->anchor, &anchor_seq, anchor_hash) < 0;
	if (signed_head && access(o->anchor, F_OK) != 0) {
		fprintf(stderr, _("wipeproof: custody verify: --anchor '%s' is neither HASH@SEQ as "
			"'wipeproof custody head' prints it nor a signed head file ('custody head "
			"--sign')\n"), o->anchor);
		return WP_EXIT_USAGE;
	}
	if (o->ca)
		snprintf(path, sizeof(path), "%s", o->ca);
	else
		snprintf(path, sizeof(path), "%s/ca.pem", wp_cli_keys(o->keys_dir));
	char pin[WP_FPR_HEX];
	if (o->ca_fingerprint && wp_fpr_parse(o->ca_fingerprint, pin) < 0) {
		fprintf(stderr, _("wipeproof: custody verify: --ca-fingerprint '%s' is not a SHA-256 "
			"fingerprint (64 hex digits)\n"), o->ca_fingerprint);
		return WP_EXIT_USAGE;
	}
	if (wp_cert_load(path, &ca, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: custody verify: CA certificate: %s; give --ca FILE\n"), err);
		return WP_EXIT_FAILED;
	}
	if (wp_ca_pin_check(ca, o->ca_fingerprint, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: custody verify: %s\n"), err);
		X509_free(ca);
		return WP_EXIT_MISMATCH;
	}
	int code = WP_EXIT_FAILED;
	X509_CRL *crl = NULL;
	char crl_path[4200];
	struct wp_ledger *l = NULL;
	if (wp_cli_crl_load(o, path, ca, &crl, crl_path, sizeof(crl_path)) < 0 ||
	    !(l = open_for_reading_code(o, &code))) {
		X509_CRL_free(crl);
		X509_free(ca);
		return code;
	}
	wp_ledger_set_crl(l, crl);
	struct wp_custody_report report;
	struct wp_signed_head h;
	int rc = 0;
	snprintf(anchor, sizeof(anchor), "%s", o->anchor ? o->anchor : "");
	if (signed_head) {
		size_t len = 0;
		char *text = wp_cert_read_file(o->anchor, &len, err, sizeof(err));
		rc = text ? wp_head_verify(text, len, ca, crl, &h, err, sizeof(err)) : WP_CUSTODY_ERROR;
		free(text);
		if (rc == 0) {
			snprintf(anchor, sizeof(anchor), "%s@%llu", h.hash, (unsigned long long)h.seq);
		} else {
			memset(&report, 0, sizeof(report));
			snprintf(report.why, sizeof(report.why), "%.700s", err);
		}
	}
	if (rc == 0 && signed_head)
		rc = wp_custody_verify_head(l, ca, &h, &report, err, sizeof(err));
	else if (rc == 0)
		rc = wp_custody_verify(l, ca, o->anchor ? anchor : NULL, &report, err, sizeof(err));
	print_report(o, &report, rc, wp_ledger_path(l), err, ca);
	if (rc == 0 && signed_head && !o->json) {
		char when[WP_TIME_MAX];
		wp_utc_format(h.signed_at, when, sizeof(when));
		printf(_("anchor: the head signed by %s (%s, %s) on %s, seq %llu, is in the chain%s\n"),
		       h.signer.name, h.signer.title, wp_role_name(h.signer.role), when,
		       (unsigned long long)h.seq, h.ledger_id[0] ? " of this ledger (same ledger id)" : "");
	}
	if (rc == 0 && !o->json)
		printf(crl ? "revocation: checked against %s\n"
			   : "revocation: not checked (no crl.pem beside the CA; give --crl FILE)\n",
		       crl_path);
	wp_ledger_close(l);
	X509_CRL_free(crl);
	X509_free(ca);
	return wp_custody_exit(rc);
}

/* custody head --sign: the head, signed, to keep away from the station. */
static int head_sign(const struct wp_kopts *o)
{
	char err[1024];
	const char *as = wp_cli_operator(o->as);
	if (!as || !as[0]) {
		fprintf(stderr, _("wipeproof: custody head --sign needs --as PERSON (or $WIPEPROOF_AS)\n"));
		return WP_EXIT_USAGE;
	}
	struct wp_identity *id = NULL;
	struct wp_ledger *l = NULL;
	char *text = NULL;
	int code = WP_EXIT_FAILED;
	if (wp_identity_load(wp_cli_keys(o->keys_dir), as, o->passphrase_file, &id, err,
			     sizeof(err)) < 0 || !(l = open_for_reading(o)) ||
	    wp_head_sign(l, id, &text, err, sizeof(err)) < 0) {
		if (!id || l)
			fprintf(stderr, _("wipeproof: custody head: %s\n"), err);
	} else if (o->output) {
		char *line = malloc(strlen(text) + 2);
		if (line) {
			sprintf(line, "%s\n", text);
			if (wp_file_write_new(o->output, line, strlen(line), 0644, err, sizeof(err)) == 0) {
				printf(_("signed head written to %s; keep a copy away from this station\n"),
				       o->output);
				code = WP_EXIT_OK;
			} else {
				fprintf(stderr, _("wipeproof: custody head: %s\n"), err);
			}
		}
		free(line);
	} else {
		printf("%s\n", text);
		code = WP_EXIT_OK;
	}
	free(text);
	wp_ledger_close(l);
	wp_identity_free(id);
	return code;
}

int wp_custody_head_cmd(const struct wp_kopts *o)
{
	char err[1024], hash[WP_HASH_HEX], id[WP_LEDGER_ID_HEX] = "";
	uint64_t seq = 0;
	if (o->sign)
		return head_sign(o);
	if (o->as || o->output || o->passphrase_file) {
		fprintf(stderr, _("wipeproof: custody head: --as, --passphrase-file and --output go with "
			"--sign\n"));
		return WP_EXIT_USAGE;
	}
	struct wp_ledger *l = open_for_reading(o);
	if (!l)
		return WP_EXIT_FAILED;
	int rc = wp_custody_head(l, &seq, hash, err, sizeof(err));
	if (rc == 0)
		rc = wp_custody_ledger_id(l, id, err, sizeof(err));
	wp_ledger_close(l);
	if (rc != 0) {
		fprintf(stderr, _("wipeproof: custody head: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	/* stdout stays the one line HASH@SEQ that scripts take as an anchor */
	if (o->json) {
		print_json(json_pack("{s:I, s:s, s:o?}", "seq", (json_int_t)seq, "hash", hash,
				     "ledger_id", id[0] ? json_string(id) : NULL));
	} else {
		printf("%s@%llu\n", hash, (unsigned long long)seq);
		if (id[0])
			fprintf(stderr, _("ledger id %s\n"), id);
		else if (seq)
			fprintf(stderr, _("no ledger id (the ledger was created before wipeproof put one in its first "
				  "event)\n"));
	}
	return WP_EXIT_OK;
}
