/*
 * wipeproof cert verify / cert validate: the auditor's check is station/'s
 * (station/audit.c); here the options become its request and its verdict
 * is printed: one verdict line, VALID or INVALID: reason, then the details.
 *
 * Exit: 0 VALID, 4 INVALID, 2 usage, 1 when something could not be read.
 */
#include "i18n.h"
#include "cert_cli.h"
#include "wptext.h"

#include <stdlib.h>
#include <string.h>

static int exit_code(enum wp_audit_status st)
{
	switch (st) {
	case WP_AUDIT_VALID:
		return WP_EXIT_OK;
	case WP_AUDIT_INVALID:
		return WP_EXIT_MISMATCH;
	case WP_AUDIT_BAD_REQUEST:
		return WP_EXIT_USAGE;
	case WP_AUDIT_INTERRUPTED:
		return WP_EXIT_INTERRUPTED;
	default:
		return WP_EXIT_FAILED;
	}
}

/* What `verify DEV` would have shown of the re-read; with --json it goes
 * to stderr so stdout holds one JSON document. */
static void print_reread(const struct wp_audit_verdict *v, bool json)
{
	if (v->device_out[0])
		fputs(v->device_out, json ? stderr : stdout);
	if (v->device_err[0])
		fprintf(stderr, _("wipeproof: %s\n"), v->device_err);
}

static void print_verdict(const struct wp_audit_verdict *v, bool json)
{
	bool valid = v->status == WP_AUDIT_VALID;
	if (json) {
		json_t *details = json_array(), *anchor = json_object();
		for (size_t i = 0; i < v->n_checks; i++)
			if (v->checks[i].outcome != WP_AUDIT_FAILED)
				wp_json_append(details, json_string(v->checks[i].message));
		if (v->anchor.known) {
			wp_json_set(anchor, "subject", json_string(v->anchor.subject));
			wp_json_set(anchor, "sha256", json_string(v->anchor.sha256));
			wp_json_set(anchor, "pinned", json_boolean(v->anchor.pinned));
		}
		json_t *out = json_pack("{s:s, s:o, s:o}", "verdict", valid ? "VALID" : "INVALID",
					"details", details, "ca", anchor);
		if (!valid)
			wp_json_set(out, "reason", json_string(v->reason));
		if (v->doc)
			wp_json_set(out, "checked", json_string(v->scope));
		json_dumpf(out, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(out);
		return;
	}
	if (!valid)
		printf("INVALID: %s\n", v->reason);
	else if (v->doc)
		printf("VALID — %s\n", v->scope);
	else
		printf("VALID\n");
	for (size_t i = 0; i < v->n_checks; i++)
		if (v->checks[i].outcome != WP_AUDIT_FAILED)
			printf("  %s\n", v->checks[i].message);
}

int wp_cert_verify_cmd(const struct wp_kopts *o)
{
	char pin[WP_FPR_HEX], ca_path[4200];
	if (o->ca_fingerprint && wp_fpr_parse(o->ca_fingerprint, pin) < 0) {
		fprintf(stderr, _("wipeproof: cert verify: --ca-fingerprint '%s' is not a SHA-256 "
			"fingerprint (64 hex digits, as a verdict prints it)\n"), o->ca_fingerprint);
		return WP_EXIT_USAGE;
	}
	if (o->qr ? !o->trust || o->operand || o->ledger || o->device
		  : !o->operand || o->trust) {
		fprintf(stderr, _("wipeproof: cert verify needs FILE.json [--sig F] [--ca F] [--ledger DB] "
			"[--device DEV], or --qr TEXT --trust BUNDLE; see 'wipeproof help cert'\n"));
		return WP_EXIT_USAGE;
	}
	if (o->ca)
		snprintf(ca_path, sizeof(ca_path), "%s", o->ca);
	else
		snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", wp_keys_dir_resolve(o->keys_dir));
	struct wp_audit_request req = {
		.path = o->qr ? NULL : o->operand, .sig_path = o->sig, .ca_path = o->qr ? NULL : ca_path,
		.crl_path = o->crl, .ledger_path = o->ledger, .device = o->device,
		.report_path = o->report, .qr = o->qr, .trust = o->trust,
		.ca_pin = o->ca_fingerprint,
	};
	return wp_cert_audit_print(&req, o->json);
}

int wp_cert_audit_print(struct wp_audit_request *req, bool json)
{
	struct wp_board board;
	const char *devices[] = { req->device };
	struct wp_run_ctl ctl = { .stop = &wp_stop_flag, .progress = wp_board_progress,
				  .progress_ctx = &board.rows[0] };
	if (req->device) {
		wp_signals_install();
		wp_board_init(&board, devices, 1, false);
		req->device_ctl = &ctl;
	}
	struct wp_audit_verdict *v = malloc(sizeof(*v));
	if (!v)
		return WP_EXIT_FAILED;
	enum wp_audit_status st = wp_audit(req, v);
	if (req->device) {
		wp_board_finish(&board);
		wp_board_destroy(&board);
		req->device_ctl = NULL;
	}
	print_reread(v, json);
	if (st == WP_AUDIT_VALID || st == WP_AUDIT_INVALID)
		print_verdict(v, json);
	else
		fprintf(stderr, _("wipeproof: cert verify: %s\n"), v->error);
	wp_audit_verdict_clear(v);
	free(v);
	return exit_code(st);
}

/* cert validate FILE --as PERSON: the validator (an approver or witness,
 * not the issuer) checks the certificate against the CA and the ledger,
 * then adds their own CMS signature over the same bytes beside it. */
int wp_cert_validate_cmd(const struct wp_kopts *o)
{
	char err[1400], ca_path[4200];
	const char *who = o->as ? o->as : getenv("WIPEPROOF_AS");
	if (!o->operand || !who) {
		fprintf(stderr, _("wipeproof: cert validate needs FILE.json and --as PERSON (an approver "
			"or witness other than the issuer)\n"));
		return WP_EXIT_USAGE;
	}
	struct wp_identity *id = NULL;
	if (wp_identity_load(wp_keys_dir_resolve(o->keys_dir), who, o->passphrase_file, &id, err,
			     sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: cert validate: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	if (o->ca)
		snprintf(ca_path, sizeof(ca_path), "%s", o->ca);
	else
		snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", wp_keys_dir_resolve(o->keys_dir));
	struct wp_validate_request req = {
		.path = o->operand, .validator = id, .ca_path = ca_path, .crl_path = o->crl,
		.ca_pin = o->ca_fingerprint, .ledger_path = wp_ledger_path_resolve(o->ledger),
	};
	int code = wp_cert_validate_print(&req, o->operand);
	wp_identity_free(id);
	return code;
}

int wp_cert_validate_print(const struct wp_validate_request *req, const char *path_shown)
{
	char err[1400], path[4300];
	struct wp_audit_verdict *v = malloc(sizeof(*v));
	if (!v)
		return WP_EXIT_FAILED;
	const struct wp_person *me = wp_identity_person(req->validator);
	int code;
	switch (wp_cert_validate(req, v, path, sizeof(path), err, sizeof(err))) {
	case WP_CERTIFY_OK:
		printf(_("validated %s: second signature by %s (%s, %s) in %s\n"), path_shown,
		       me->name, me->title, wp_role_name(me->role), path);
		code = WP_EXIT_OK;
		break;
	case WP_CERTIFY_REFUSED:
		code = WP_EXIT_REFUSED;
		break;
	case WP_CERTIFY_INVALID:
		code = WP_EXIT_MISMATCH;
		break;
	default:
		code = v->status != WP_AUDIT_VALID ? exit_code(v->status) : WP_EXIT_FAILED;
		break;
	}
	if (code != WP_EXIT_OK)
		fprintf(stderr, _("wipeproof: cert validate: %s\n"), err);
	wp_audit_verdict_clear(v);
	free(v);
	return code;
}
