/*
 * Certificates of sanitization in the CLI (cert_issue.c, cert_verify.c,
 * cmd_cert.c): the options, and printing what station/ did — it builds and
 * issues the certificate (certify.c) and checks it as an auditor does
 * (audit.c).
 */
#ifndef WP_CERT_CLI_H
#define WP_CERT_CLI_H

#include "custody_cli.h"
#include "station.h"

struct wp_cert_issue {
	struct wp_ledger *ledger;
	const struct wp_identity *issuer;
	const char *asset;
	const struct wp_job *job;            /* NULL: certify the asset's destruction */
	const char *report_path;             /* the saved job report (wipes) */
	const char *out_dir;                 /* where cert-<id>.* go */
	const char *location, *contact;      /* NULL: $WIPEPROOF_LOCATION/_CONTACT, else
						station/'s defaults */
	bool json;                           /* print a JSON line instead of text */
	const char *single_signature;        /* NULL: needs a validator (cert validate) */
};

/* Write cert-<id>.json, .json.p7s, .json.qr and .pdf into out_dir and
 * append the certificate event. Prints what it did; returns a wp_exit
 * code (refused when the ledger does not show a sanitized wipe of this job
 * or a destruction). */
int wp_cert_issue_run(const struct wp_cert_issue *req);

/* `cert verify` and `cert validate` (cert_verify.c). */
int wp_cert_verify_cmd(const struct wp_kopts *o);
int wp_cert_validate_cmd(const struct wp_kopts *o);
/* What they do once the options are resolved, for `demo` too: audit and
 * print the verdict (a device's re-read with progress), or validate and
 * print; a wp_exit code. */
int wp_cert_audit_print(struct wp_audit_request *req, bool json);
int wp_cert_validate_print(const struct wp_validate_request *req, const char *path_shown);
/* `cert show` and `cert render` of a file (cmd_cert.c); a wp_exit code. */
int wp_cert_show_file(const char *path, bool json);
int wp_cert_render_file(const char *path, const char *output);

#endif
