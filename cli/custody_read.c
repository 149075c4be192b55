/*
 * wipeproof custody log | show | export | verify | head: reading the
 * ledger. Everything here opens it read-only and needs no private key, so
 * an auditor can run it as an ordinary user.
 */
#include "cert_cli.h"
#include "wptext.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct wp_ledger *open_for_reading(const struct wp_kopts *o)
{
	char err[1024];
	struct wp_ledger *l = NULL;
	if (wp_ledger_open_readonly(wp_ledger_path_resolve(o->ledger), &l, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: custody %s: %s\n", o->sub, err);
		return NULL;
	}
	return l;
}

static void print_json(json_t *o)
{
	json_dumpf(o, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
	fputc('\n', stdout);
	json_decref(o);
}

void wp_event_print(FILE *out, const struct wp_event *ev)
{
	char *body = ev->body ? json_dumps(ev->body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	fprintf(out, "%5llu  %s  %-11s %-14s %s (%s, %s)", (unsigned long long)ev->seq, ev->time,
		ev->kind, ev->asset[0] ? ev->asset : "-", ev->actor.name, ev->actor.title,
		ev->actor.role);
	if (ev->witnessed)
		fprintf(out, " witness %s (%s, %s)", ev->witness.name, ev->witness.title,
			ev->witness.role);
	fprintf(out, "  %s\n", body ? body : "{}");
	free(body);
}

/* ---- log ----------------------------------------------------------------- */

static int log_line(const struct wp_event *ev, void *ctx)
{
	(void)ctx;
	wp_event_print(stdout, ev);
	return 0;
}

static int log_json(const struct wp_event *ev, void *ctx)
{
	wp_json_append(ctx, wp_event_to_json(ev));
	return 0;
}

int wp_custody_log(const struct wp_kopts *o)
{
	char err[1024];
	struct wp_ledger *l = open_for_reading(o);
	if (!l)
		return WP_EXIT_FAILED;
	json_t *arr = o->json ? json_array() : NULL;
	int rc = wp_custody_each(l, o->asset, arr ? log_json : log_line, arr, err, sizeof(err));
	wp_ledger_close(l);
	if (rc != 0) {
		json_decref(arr);
		fprintf(stderr, "wipeproof: custody log: %s\n", err);
		return WP_EXIT_FAILED;
	}
	if (arr)
		print_json(json_pack("{s:o}", "events", arr));
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

static json_t *state_json(const struct wp_asset_state *st)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:b}",
			      "asset", st->asset, "status", wp_asset_status(st), "serial", st->serial,
			      "model", st->model, "owner", st->owner, "location", st->location,
			      "manager", st->manager, "lease_contract", st->lease_contract,
			      "lease_end", st->lease_end, "reason", st->reason,
			      "intake_time", st->intake_time, "last_seq", (json_int_t)st->last_seq,
			      "sanitized", st->sanitized, "verified", st->verified);
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
	return o;
}

static void field(const char *label, const char *value)
{
	if (value && value[0])
		printf("  %-15s %s\n", label, value);
}

static void print_state(const struct wp_asset_state *st)
{
	char line[600];
	printf("asset %s: %s\n", st->asset, wp_asset_status(st));
	field("serial", st->serial);
	field("model", st->model);
	field("owner", st->owner);
	field("location", st->location);
	field("manager", st->manager);
	field("lease contract", st->lease_contract);
	field("lease end", st->lease_end);
	field("intake reason", st->reason);
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
	printf("history:\n");
}

int wp_custody_show(const struct wp_kopts *o)
{
	char err[1024];
	if (!o->operand) {
		fprintf(stderr, "wipeproof: custody show needs an asset tag: 'wipeproof custody show TAG'\n");
		return WP_EXIT_USAGE;
	}
	struct wp_ledger *l = open_for_reading(o);
	if (!l)
		return WP_EXIT_FAILED;
	struct wp_asset_state st;
	json_t *events = json_array();
	int rc = wp_custody_state(l, o->operand, &st, err, sizeof(err));
	if (rc == 0 && !st.exists) {
		snprintf(err, sizeof(err), "asset %s is not in the ledger %s; 'wipeproof custody log' "
			 "lists what is", o->operand, wp_ledger_path(l));
		rc = -1;
	}
	if (rc == 0)
		rc = wp_custody_each(l, o->operand, log_json, events, err, sizeof(err));
	wp_ledger_close(l);
	if (rc != 0) {
		json_decref(events);
		fprintf(stderr, "wipeproof: custody show: %s\n", err);
		return WP_EXIT_FAILED;
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
	json_array_foreach(events, i, ev) {
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
		fprintf(stderr, "wipeproof: custody export needs --format csv or --format json\n");
		return WP_EXIT_USAGE;
	}
	FILE *out = o->output ? fopen(o->output, "wx") : stdout;
	if (!out) {
		fprintf(stderr, "wipeproof: custody export: cannot create %s: %s%s\n", o->output,
			strerror(errno), errno == EEXIST ? " (not overwriting it; remove it first)" : "");
		return WP_EXIT_FAILED;
	}
	struct wp_ledger *l = open_for_reading(o);
	struct wp_export_filter filter = { .owner = o->owner, .since = o->since };
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
		fprintf(stderr, "wipeproof: custody export: %s\n", err);
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		fprintf(stderr, "wipeproof: custody export: cannot write %s: %s\n", o->output, strerror(errno));
		rc = WP_CUSTODY_ERROR;
	}
	return rc == 0 ? WP_EXIT_OK : WP_EXIT_FAILED;
}

/* ---- verify and head ----------------------------------------------------- */

int wp_cli_crl_load(const struct wp_kopts *o, const char *ca_path, X509 *ca, X509_CRL **crl,
		    char *used, size_t usedlen)
{
	char path[4200], err[1024];
	*crl = NULL;
	used[0] = '\0';
	if (o->crl) {
		snprintf(path, sizeof(path), "%s", o->crl);
	} else {
		const char *slash = strrchr(ca_path, '/');
		snprintf(path, sizeof(path), "%.*s" WP_CRL_FILE, slash ? (int)(slash - ca_path + 1) : 0,
			 ca_path);
		if (access(path, F_OK) != 0)
			return 0;
	}
	if (wp_crl_load(path, ca, crl, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: %s %s: revocation list: %s\n", o->group, o->sub, err);
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
		json_t *j = json_pack("{s:s, s:b, s:I, s:s, s:{s:s, s:s, s:b}}", "ledger", path,
				      "ok", rc == 0, "events", (json_int_t)r->events, "head", head,
				      "ca", "subject", subject, "sha256", fpr, "pinned",
				      o->ca_fingerprint != NULL);
		if (rc != 0) {
			wp_json_set(j, "bad_seq", json_integer((json_int_t)r->bad_seq));
			wp_json_set(j, "error", json_string(rc == WP_CUSTODY_BROKEN ? r->why : err));
		}
		print_json(j);
	} else {
		/* the verdict rests on this CA: a look-alike with the same names
		 * differs only in its fingerprint (first, so the verdict stays
		 * the last line) */
		printf("trust anchor: CA %s, SHA-256 %s%s\n", subject, fpr, o->ca_fingerprint
		       ? " (the pinned CA)" : " (not pinned: compare it with the one you trust, or "
		       "pass --ca-fingerprint)");
		if (rc == 0)
			printf("ledger %s verifies: %llu events, head %s@%llu\n", path,
			       (unsigned long long)r->events, r->head_hash,
			       (unsigned long long)r->head_seq);
	}
	if (rc != 0)
		fprintf(stderr, "wipeproof: custody verify: %s\n", err);
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
		fprintf(stderr, "wipeproof: custody verify: --anchor '%s' is neither HASH@SEQ as "
			"'wipeproof custody head' prints it nor a signed head file ('custody head "
			"--sign')\n", o->anchor);
		return WP_EXIT_USAGE;
	}
	if (o->ca)
		snprintf(path, sizeof(path), "%s", o->ca);
	else
		snprintf(path, sizeof(path), "%s/ca.pem", wp_keys_dir_resolve(o->keys_dir));
	char pin[WP_FPR_HEX];
	if (o->ca_fingerprint && wp_fpr_parse(o->ca_fingerprint, pin) < 0) {
		fprintf(stderr, "wipeproof: custody verify: --ca-fingerprint '%s' is not a SHA-256 "
			"fingerprint (64 hex digits)\n", o->ca_fingerprint);
		return WP_EXIT_USAGE;
	}
	if (wp_cert_load(path, &ca, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: custody verify: CA certificate: %s; give --ca FILE\n", err);
		return WP_EXIT_FAILED;
	}
	if (wp_ca_pin_check(ca, o->ca_fingerprint, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: custody verify: %s\n", err);
		X509_free(ca);
		return WP_EXIT_MISMATCH;
	}
	X509_CRL *crl = NULL;
	char crl_path[4200];
	struct wp_ledger *l = NULL;
	if (wp_cli_crl_load(o, path, ca, &crl, crl_path, sizeof(crl_path)) < 0 ||
	    !(l = open_for_reading(o))) {
		X509_CRL_free(crl);
		X509_free(ca);
		return WP_EXIT_FAILED;
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
	if (rc == 0)
		rc = wp_custody_verify(l, ca, o->anchor ? anchor : NULL, &report, err, sizeof(err));
	print_report(o, &report, rc, wp_ledger_path(l), err, ca);
	if (rc == 0 && signed_head && !o->json) {
		char when[WP_TIME_MAX];
		struct tm tm;
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&h.signed_at, &tm));
		printf("anchor: the head signed by %s (%s, %s) on %s, seq %llu, is in the chain\n",
		       h.signer.name, h.signer.title, wp_role_name(h.signer.role), when,
		       (unsigned long long)h.seq);
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
	const char *as = o->as ? o->as : getenv("WIPEPROOF_AS");
	if (!as || !as[0]) {
		fprintf(stderr, "wipeproof: custody head --sign needs --as PERSON (or $WIPEPROOF_AS)\n");
		return WP_EXIT_USAGE;
	}
	struct wp_identity *id = NULL;
	struct wp_ledger *l = NULL;
	char *text = NULL;
	int code = WP_EXIT_FAILED;
	if (wp_identity_load(wp_keys_dir_resolve(o->keys_dir), as, o->passphrase_file, &id, err,
			     sizeof(err)) < 0 || !(l = open_for_reading(o)) ||
	    wp_head_sign(l, id, &text, err, sizeof(err)) < 0) {
		if (!id || l)
			fprintf(stderr, "wipeproof: custody head: %s\n", err);
	} else if (o->output) {
		char *line = malloc(strlen(text) + 2);
		if (line) {
			sprintf(line, "%s\n", text);
			if (wp_file_write_new(o->output, line, strlen(line), 0644, err, sizeof(err)) == 0) {
				printf("signed head written to %s; keep a copy away from this station\n",
				       o->output);
				code = WP_EXIT_OK;
			} else {
				fprintf(stderr, "wipeproof: custody head: %s\n", err);
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
	char err[1024], hash[WP_HASH_HEX];
	uint64_t seq = 0;
	if (o->sign)
		return head_sign(o);
	if (o->as || o->output || o->passphrase_file) {
		fprintf(stderr, "wipeproof: custody head: --as, --passphrase-file and --output go with "
			"--sign\n");
		return WP_EXIT_USAGE;
	}
	struct wp_ledger *l = open_for_reading(o);
	if (!l)
		return WP_EXIT_FAILED;
	int rc = wp_custody_head(l, &seq, hash, err, sizeof(err));
	wp_ledger_close(l);
	if (rc != 0) {
		fprintf(stderr, "wipeproof: custody head: %s\n", err);
		return WP_EXIT_FAILED;
	}
	if (o->json)
		print_json(json_pack("{s:I, s:s}", "seq", (json_int_t)seq, "hash", hash));
	else
		printf("%s@%llu\n", hash, (unsigned long long)seq);
	return WP_EXIT_OK;
}
