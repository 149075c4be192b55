/*
 * wipeproof cert issue | show | render | verify: certificates of
 * sanitization. One function per verb; the document, signature and QR
 * formats are certs/, the PDF render/, verification cert_verify.c.
 */
#include "cert_cli.h"
#include "i18n.h"
#include "render.h"
#include "wipe_steps.h"

#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

int wp_cert_issue_cmd(const struct wp_kopts *o)
{
	char err[1024], dir[4096];
	const char *who = o->as ? o->as : getenv("WIPEPROOF_AS");
	if (!o->asset || !who) {
		fprintf(stderr, _("wipeproof: cert issue needs --asset TAG and --as PERSON (or "
			"$WIPEPROOF_AS)\n"));
		return WP_EXIT_USAGE;
	}
	struct wp_identity *id = NULL;
	struct wp_ledger *l = NULL;
	struct wp_wipe_options wo = { .ledger_path = o->ledger };
	int code = WP_EXIT_FAILED;
	const char *path = wp_ledger_path_resolve(o->ledger);
	/* no ledger, nothing to certify: refused without creating one */
	if (wp_ledger_missing(path) != 0) {
		fprintf(stderr, _("wipeproof: cert issue: no custody ledger at %s: %s; give the "
			"ledger with --ledger PATH\n"), path, strerror(wp_ledger_missing(path)));
		return WP_EXIT_REFUSED;
	}
	if (wp_identity_load(wp_keys_dir_resolve(o->keys_dir), who, o->passphrase_file, &id, err,
			     sizeof(err)) < 0 ||
	    wp_ledger_open(path, &l, err, sizeof(err)) < 0 ||
	    wp_ledger_set_ca(l, wp_identity_ca(id), err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: cert issue: %s\n"), err);
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s", o->output ? o->output : "");
	if (!o->output)
		wp_wipe_ledger_report_dir_path(&wo, dir, sizeof(dir));
	struct wp_cert_issue req = { .ledger = l, .issuer = id, .asset = o->asset, .out_dir = dir,
				     .location = o->location, .contact = o->contact, .json = o->json };
	code = wp_cert_issue_run(&req);
out:
	wp_ledger_close(l);
	wp_identity_free(id);
	return code;
}

/* Read and check FILE; *text is the canonical text (malloc'd). */
static int load_doc(const char *cmd, const char *path, json_t **doc, char **text)
{
	char err[1024];
	size_t len = 0;
	*text = wp_cert_read_file(path, &len, err, sizeof(err));
	if (!*text || wp_certdoc_parse(*text, len, doc, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: cert %s: %s: %s\n"), cmd, path, err);
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

static void show_line(const char *label, const json_t *doc, const char *path)
{
	const char *s = wp_certdoc_str(doc, path);
	long long v = wp_certdoc_int(doc, path);
	if (s[0])
		printf("  %-22s %s\n", label, s);
	else if (v >= 0)
		printf("  %-22s %lld\n", label, v);
}

int wp_cert_show_file(const char *path, bool json)
{
	static const char *const fields[][2] = {
		{ "certificate id", "certificate_id" }, { "result", "result" },
		{ "asset", "asset.tag" }, { "manufacturer", "media.manufacturer" },
		{ "model", "media.model" }, { "serial", "media.serial" },
		{ "media type", "media.media_type" }, { "size (bytes)", "media.size_bytes" },
		{ "category (NIST)", "sanitization.category" }, { "method", "sanitization.method" },
		{ "details", "sanitization.method_details" }, { "started", "sanitization.started_utc" },
		{ "ended", "sanitization.ended_utc" }, { "verification", "verification.method" },
		{ "coverage (%)", "verification.coverage_percent" },
		{ "mismatched blocks", "verification.mismatched_blocks" },
		{ "sanitized by", "sanitized_by.name" }, { "verified by", "verified_by.name" },
		{ "requester", "requester.name" }, { "approver", "approver.name" },
		{ "owner", "asset.owner" }, { "lease contract", "asset.lease_contract" },
		{ "tool version", "sanitization.tool_version" },
		{ "tool commit", "sanitization.tool_commit" },
		{ "tool sha256", "sanitization.tool_sha256" },
		{ "destination", "destination" }, { "job report sha256", "sanitization.report_sha256" },
		{ "ledger seq", "ledger.seq" }, { "ledger head", "ledger.head_hash" },
		{ "issued by", "issued_by.name" }, { "issued", "issued_utc" },
	};
	json_t *doc = NULL;
	char *text = NULL, sha[WP_FPR_HEX];
	if (load_doc("show", path, &doc, &text) < 0)
		return WP_EXIT_FAILED;
	wp_sha256_hex(text, strlen(text), sha);
	if (json) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		fprintf(stderr, _("wipeproof: cert show: NOT VERIFIED: run 'wipeproof cert verify %s'\n"),
			path);
	} else {
		/* show reads the document as it is: nothing here checks who signed it */
		printf(_("NOT VERIFIED: this is what the document says; its signature, signer and "
			 "ledger were not checked (run 'wipeproof cert verify %s')\n"), path);
		printf(_("%s (SHA-256 %s)\n"), path, sha);
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			show_line(fields[i][0], doc, fields[i][1]);
	}
	json_decref(doc);
	free(text);
	return WP_EXIT_OK;
}

int wp_cert_show_cmd(const struct wp_kopts *o)
{
	if (!o->operand) {
		fprintf(stderr, _("wipeproof: cert show needs FILE.json\n"));
		return WP_EXIT_USAGE;
	}
	return wp_cert_show_file(o->operand, o->json);
}

/* The QR text stored at issue (FILE.qr): re-rendering needs no key, and
 * the text must belong to this document. */
static char *load_qr(const char *json_path, const char *sha, char *err, size_t errlen)
{
	char path[4200];
	size_t len = 0;
	struct wp_qr q;
	snprintf(path, sizeof(path), "%s.qr", json_path);
	char *text = wp_cert_read_file(path, &len, err, errlen);
	if (!text)
		return NULL;
	text[strcspn(text, "\r\n")] = '\0';
	if (wp_qr_parse(text, &q, err, errlen) < 0) {
		free(text);
		return NULL;
	}
	if (strcmp(q.sha256, sha) != 0) {
		snprintf(err, errlen, _("%.600s belongs to another document (its SHA-256 is %.16s..., the "
			 "document's %.16s...)"), path, q.sha256, sha);
		free(text);
		return NULL;
	}
	return text;
}

int wp_cert_render_file(const char *path, const char *output)
{
	char err[1024], sha[WP_FPR_HEX], out[4200];
	json_t *doc = NULL;
	char *text = NULL, *qr = NULL;
	if (load_doc("render", path, &doc, &text) < 0)
		return WP_EXIT_FAILED;
	wp_sha256_hex(text, strlen(text), sha);
	size_t n = strlen(path);
	if (output)
		snprintf(out, sizeof(out), "%s", output);
	else if (n > 5 && strcmp(path + n - 5, ".json") == 0)
		snprintf(out, sizeof(out), "%.*s.pdf", (int)(n - 5), path);
	else
		snprintf(out, sizeof(out), "%s.pdf", path);
	int code = WP_EXIT_FAILED;
	qr = load_qr(path, sha, err, sizeof(err));
	if (!qr || wp_render_pdf(doc, sha, qr, out, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: cert render: %s\n"), err);
	} else {
		printf("%s\n", out);
		code = WP_EXIT_OK;
	}
	free(qr);
	free(text);
	json_decref(doc);
	return code;
}

/* The signed summary's QR code on the terminal (the boot stick's last
 * screen): the stored FILE.qr, checked against the document as render does. */
int wp_cert_qr_cmd(const struct wp_kopts *o)
{
	char err[1024], sha[WP_FPR_HEX];
	json_t *doc = NULL;
	char *text = NULL, *qr = NULL, *blocks = NULL;
	if (!o->operand) {
		fprintf(stderr, _("wipeproof: cert qr needs FILE.json\n"));
		return WP_EXIT_USAGE;
	}
	if (load_doc("qr", o->operand, &doc, &text) < 0)
		return WP_EXIT_FAILED;
	wp_sha256_hex(text, strlen(text), sha);
	qr = load_qr(o->operand, sha, err, sizeof(err));
	blocks = qr ? wp_qr_terminal(qr, err, sizeof(err)) : NULL;
	if (blocks)
		fputs(blocks, stdout);
	else
		fprintf(stderr, _("wipeproof: cert qr: %s\n"), err);
	free(blocks);
	free(qr);
	free(text);
	json_decref(doc);
	return blocks ? WP_EXIT_OK : WP_EXIT_FAILED;
}

int wp_cert_render_cmd(const struct wp_kopts *o)
{
	if (!o->operand) {
		fprintf(stderr, _("wipeproof: cert render needs FILE.json\n"));
		return WP_EXIT_USAGE;
	}
	return wp_cert_render_file(o->operand, o->output);
}
