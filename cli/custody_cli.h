/*
 * Shared by `keys`, `custody` and `cert` (cmd_keys.c, cmd_custody.c,
 * custody_read.c, custody_opts.c, cmd_cert.c): one option table, parsed per sub-command
 * with its own allowed set, so the shared wp_cmdline stays untouched.
 */
#ifndef WP_CUSTODY_CLI_H
#define WP_CUSTODY_CLI_H

#include "certs.h"
#include "cli.h"
#include "custody.h"
#include "station.h"

struct wp_kopts {
	const char *group;             /* "keys" or "custody" */
	const char *sub;               /* "issue", "intake", ... */
	const char *operand;           /* custody show TAG */
	/* where */
	const char *keys_dir, *ledger, *ca;
	/* who */
	const char *as, *passphrase_file, *witness, *witness_passphrase_file;
	const char *witness_tty;       /* destroy: the witness's own terminal */
	/* keys */
	const char *org, *name, *title, *role, *ca_passphrase_file, *id;
	int days;
	bool no_passphrase;
	/* asset and events */
	const char *asset, *device, *serial, *model, *owner, *location, *manager;
	const char *lease_contract, *lease_end, *reason, *comment, *method, *photo;
	const char *pc_manufacturer, *pc_model, *pc_serial; /* intake: the PC (DMI) */
	const char *vendor, *vendor_cert, *to, *text;
	const char *approve_for;       /* approve --for wipe,release */
	int valid_days;                /* approve --valid-days N */
	bool no_approval_required, approval_required;
	/* reading */
	const char *format, *since, *anchor, *output, *html;
	bool json;
	/* certificates */
	const char *sig, *report, *qr, *trust, *contact;
	const char *ca_fingerprint;    /* verify: the pinned CA, 64 hex digits */
	/* issue 17: policy table, classes, vendor, attested erasure */
	const char *policy, *confidentiality, *kind, *received_by, *evidence, *by, *category;
	const char *erased_by;
	/* revocation and signed heads */
	const char *date, *crl;
	bool sign;
	/* issue 17 items 5-9 (station/custody_life.c builds the bodies) */
	const char *destination, *purpose, *permitted_by, *permitted_on, *due_back;
	const char *agreement, *repairer, *introduced, *maker, *seller, *use, *warranty;
	const char *media, *tool;
	bool open, record;
	/* stations (custody_station.c): export --segment FILE, export filters */
	const char *segment, *station, *until;
	const char *queue;          /* push --queue FILE (issue 18) */
};

/* Parse argv (argv[0] is the sub-command) against the sub-command's allowed
 * options. Returns 0, 1 for --help (usage printed), or -1 with a message. */
int wp_kopts_parse(const char *group, int argc, char **argv, struct wp_kopts *o,
		   char *err, size_t errlen);
void wp_keys_usage(FILE *out);
void wp_custody_usage(FILE *out, const char *sub);
void wp_cert_usage(FILE *out);

/* Exit code for a custody library return value. */
int wp_custody_exit(int rc);

/* Sub-commands. */
int wp_custody_write(const struct wp_kopts *o);   /* init, intake, ..., note */
/* "recorded seq N: KIND ASSET by ..." and the head, or one JSON line. */
void wp_custody_print_recorded(bool json, const char *kind, const char *asset,
			       const struct wp_identity *actor, uint64_t seq, const char *hash);
int wp_custody_log(const struct wp_kopts *o);
int wp_custody_show(const struct wp_kopts *o);
int wp_custody_export(const struct wp_kopts *o);
int wp_custody_verify_cmd(const struct wp_kopts *o);
int wp_custody_head_cmd(const struct wp_kopts *o);
int wp_keys_cmd_init_ca(const struct wp_kopts *o);
int wp_keys_cmd_issue(const struct wp_kopts *o);
int wp_keys_cmd_list(const struct wp_kopts *o);
int wp_keys_cmd_revoke(const struct wp_kopts *o);
int wp_keys_cmd_export_trust(const struct wp_kopts *o);
int wp_cert_issue_cmd(const struct wp_kopts *o);
int wp_cert_show_cmd(const struct wp_kopts *o);
int wp_cert_render_cmd(const struct wp_kopts *o);
int wp_cert_qr_cmd(const struct wp_kopts *o);
/* cmd_custody_life.c: show --open, stocktake */
int wp_custody_outstanding(const struct wp_kopts *o);
int wp_custody_stocktake(const struct wp_kopts *o);
/* The verified read-only handle log/show/export use (custody_read.c);
 * NULL with the exit status in *code, message printed. */
struct wp_ledger *wp_custody_open_verified(const struct wp_kopts *o, int *code);

/* custody_station.c: export --segment, import FILE, push --to */
int wp_custody_segment_cmd(const struct wp_kopts *o);
int wp_custody_import_cmd(const struct wp_kopts *o);
int wp_custody_push_cmd(const struct wp_kopts *o);

/* The revocation list for a verification against the CA in ca_path:
 * --crl FILE, else crl.pem beside ca_path when it exists. *crl stays NULL
 * when there is none; *used names the file ("" for none). -1 (message
 * printed) when a given or found list is unreadable or not the CA's. */
int wp_cli_crl_load(const struct wp_kopts *o, const char *ca_path, X509 *ca, X509_CRL **crl,
		    char *used, size_t usedlen);

#endif
