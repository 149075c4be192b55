/*
 * Issuing a certificate from the command line: resolve where the people
 * were and how to reach them (option, else $WIPEPROOF_LOCATION and
 * $WIPEPROOF_CONTACT), let station/ issue it (station/certify.c), and print
 * what it did or why not.
 */
#include "i18n.h"
#include "cert_cli.h"
#include "wptext.h"

#include <stdlib.h>

static void announce(const struct wp_cert_issue *req, const struct wp_certify_result *r)
{
	if (req->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "event", "certificate",
				      "asset", req->asset, "certificate_id", r->id, "certificate",
				      r->json, "signature", r->sig, "sha256", r->sha256, "pdf",
				      r->pdf_written ? r->pdf : "");
		json_dumpf(o, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(o);
		return;
	}
	printf(_("certificate  %s (asset %s)\n"), r->json, req->asset);
	printf(_("  signature  %s\n"), r->sig);
	if (r->pdf_written)
		printf(_("  pdf        %s\n"), r->pdf);
	printf(_("  sha256     %s\n"), r->sha256);
	if (!req->single_signature)
		printf(_("  validate   it needs a second signature: an approver or witness runs\n"
		       "             wipeproof cert validate %s --as PERSON\n"), r->json);
}

int wp_cert_issue_run(const struct wp_cert_issue *req)
{
	struct wp_cert_config cfg = {
		.location = req->location ? req->location : getenv("WIPEPROOF_LOCATION"),
		.contact = req->contact ? req->contact : getenv("WIPEPROOF_CONTACT"),
	};
	struct wp_certify_request r = {
		.ledger = req->ledger, .issuer = req->issuer, .asset = req->asset, .job = req->job,
		.report_path = req->report_path, .out_dir = req->out_dir, .config = &cfg,
		.single_signature = req->single_signature,
	};
	struct wp_certify_result *res = malloc(sizeof(*res));
	if (!res)
		return WP_EXIT_FAILED;
	int code = WP_EXIT_FAILED;
	switch (wp_certify(&r, res)) {
	case WP_CERTIFY_OK:
		announce(req, res);
		code = WP_EXIT_OK;
		break;
	case WP_CERTIFY_NO_PDF:
		fprintf(stderr, _("wipeproof: certificate for %s issued, but the PDF failed: %s; draw it "
			"later with 'wipeproof cert render %s'\n"), req->asset, res->err, res->json);
		announce(req, res);
		break;
	case WP_CERTIFY_REFUSED:
		fprintf(stderr, _("wipeproof: %s\n"), res->err);
		code = WP_EXIT_REFUSED;
		break;
	case WP_CERTIFY_LEDGER:
		fprintf(stderr, _("wipeproof: %s\n"), res->err);
		code = wp_custody_exit(res->custody_rc);
		break;
	default:
		fprintf(stderr, _("wipeproof: %s\n"), res->err);
		break;
	}
	free(res);
	return code;
}
