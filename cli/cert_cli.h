/*
 * Certificates of sanitization in the CLI (cert_doc.c, cert_issue.c,
 * cert_verify.c, cmd_cert.c): building the document from a job report and
 * the ledger, issuing it (JSON, CMS signature, QR payload, PDF, ledger
 * event), and checking it as an auditor does.
 */
#ifndef WP_CERT_CLI_H
#define WP_CERT_CLI_H

#include "custody_cli.h"

/* What a certificate is made from. job is NULL for a destruction, whose
 * destroyed event is then in `destroyed`. */
struct wp_cert_inputs {
	const char *id;                      /* UUID */
	const struct wp_person *issuer;      /* who signs */
	const struct wp_asset_state *state;  /* the asset, from the ledger */
	const struct wp_job *job;
	const char *report_path, *report_sha256;
	const struct wp_event *destroyed;    /* or vendor-destroyed, erasure-attested */
	const struct wp_event *wipe_cert;    /* the last certificate event of a wipe, or NULL */
	uint64_t head_seq;                   /* the ledger head before the certificate event */
	const char *head_hash;
	const char *ledger_id;               /* "" for a ledger from before ledger ids */
	const char *location, *contact;      /* of the people who sanitized and verified */
	time_t issued;
	const char *single_signature;        /* NULL: two-person; else why one signature */
};

/* The NIST SP 800-88 category a job reaches, and a note when a stronger
 * one needs another route. The one place this is decided. */
const char *wp_cert_nist_category(const struct wp_job *job, const char **note);

/* The certificate document (certs/README.md). New reference, or NULL. */
json_t *wp_cert_build(const struct wp_cert_inputs *in);

struct wp_cert_issue {
	struct wp_ledger *ledger;
	const struct wp_identity *issuer;
	const char *asset;
	const struct wp_job *job;            /* NULL: certify the asset's destruction */
	const char *report_path;             /* the saved job report (wipes) */
	const char *out_dir;                 /* where cert-<id>.* go */
	const char *location, *contact;      /* NULL: defaults (cert_issue.c) */
	bool json;                           /* print a JSON line instead of text */
	const char *single_signature;        /* NULL: needs a validator (cert validate) */
};

/* Write cert-<id>.json, .json.p7s, .json.qr and .pdf into out_dir and
 * append the certificate event. Prints what it did; returns a wp_exit
 * code (refused when the ledger does not show a sanitized wipe of this job
 * or a destruction). */
int wp_cert_issue_run(const struct wp_cert_issue *req);

/* A whole small file (at most 1 MiB), NUL-terminated, malloc'd. */
char *wp_cert_read_file(const char *path, size_t *len, char *err, size_t errlen);

/* `cert verify` and `cert validate` (cert_verify.c). */
int wp_cert_verify_cmd(const struct wp_kopts *o);
int wp_cert_validate_cmd(const struct wp_kopts *o);
/* FILE.json.validator.p7s: the validator's signature beside the issuer's. */
#define WP_VALIDATOR_SIG_SUFFIX ".validator.p7s"

#endif
