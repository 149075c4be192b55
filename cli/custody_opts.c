/*
 * Options of `keys`, `custody` and `cert` into struct wp_kopts. Which
 * sub-command takes which option is its row in options.c, the one table
 * of the whole command line.
 */
#include "custody_cli.h"
#include "i18n.h"
#include "options.h"
#include "wptext.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char **string_slot(struct wp_kopts *o, int opt)
{
	switch (opt) {
	case WP_O_KEYS: return &o->keys_dir;
	case WP_O_LEDGER: return &o->ledger;
	case WP_O_CA: return &o->ca;
	case WP_O_AS: return &o->as;
	case WP_O_PASSPHRASE_FILE: return &o->passphrase_file;
	case WP_O_WITNESS: return &o->witness;
	case WP_O_WITNESS_PASSFILE: return &o->witness_passphrase_file;
	case WP_O_ORG: return &o->org;
	case WP_O_NAME: return &o->name;
	case WP_O_TITLE: return &o->title;
	case WP_O_ROLE: return &o->role;
	case WP_O_CA_PASSFILE: return &o->ca_passphrase_file;
	case WP_O_ASSET: return &o->asset;
	case WP_O_DEVICE: return &o->device;
	case WP_O_SERIAL: return &o->serial;
	case WP_O_MODEL: return &o->model;
	case WP_O_OWNER: return &o->owner;
	case WP_O_LOCATION: return &o->location;
	case WP_O_MANAGER: return &o->manager;
	case WP_O_LEASE_CONTRACT: return &o->lease_contract;
	case WP_O_LEASE_END: return &o->lease_end;
	case WP_O_REASON: return &o->reason;
	case WP_O_COMMENT: return &o->comment;
	case WP_O_METHOD: return &o->method;
	case WP_O_PHOTO: return &o->photo;
	case WP_O_VENDOR: return &o->vendor;
	case WP_O_VENDOR_CERT: return &o->vendor_cert;
	case WP_O_TO: return &o->to;
	case WP_O_TEXT: return &o->text;
	case WP_O_FORMAT: return &o->format;
	case WP_O_SINCE: return &o->since;
	case WP_O_ANCHOR: return &o->anchor;
	case WP_O_OUTPUT: return &o->output;
	case WP_O_HTML: return &o->html;
	case WP_O_DATE: return &o->date;
	case WP_O_CRL: return &o->crl;
	case WP_O_SIG: return &o->sig;
	case WP_O_REPORT: return &o->report;
	case WP_O_QR: return &o->qr;
	case WP_O_TRUST: return &o->trust;
	case WP_O_CONTACT: return &o->contact;
	case WP_O_ID: return &o->id;
	case WP_O_CA_FPR: return &o->ca_fingerprint;
	case WP_O_FOR: return &o->approve_for;
	case WP_O_WITNESS_TTY: return &o->witness_tty;
	}
	return NULL;
}

/* Options that only name files to read or write; everything else ends up
 * in a signed event, a certificate or a key's subject, so it must be text. */
static bool names_a_local_file(int opt)
{
	switch (opt) {
	case WP_O_KEYS: case WP_O_LEDGER: case WP_O_CA: case WP_O_PASSPHRASE_FILE: case WP_O_WITNESS_PASSFILE:
	case WP_O_CA_PASSFILE: case WP_O_OUTPUT: case WP_O_SIG: case WP_O_REPORT: case WP_O_QR: case WP_O_TRUST:
	case WP_O_ANCHOR:
		return true;
	}
	return false;
}

/* Everything that will be recorded is checked here, before a key is
 * loaded or a ledger opened: a usage error names the option and the fix. */
static int check_text_option(int opt, const char *arg, char *err, size_t errlen)
{
	char why[256];
	if (names_a_local_file(opt))
		return 0;
	if (opt == WP_O_ASSET)
		return wp_text_check_tag("--asset", arg, WP_ASSET_MAX, err, errlen);
	size_t max = opt == WP_O_TEXT || opt == WP_O_COMMENT ? 65536
		   : opt == WP_O_NAME || opt == WP_O_TITLE || opt == WP_O_ORG ? 128 : 4096;
	if (wp_text_check(arg, max, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--%s %s", wp_option_name(opt), why);
		return -1;
	}
	return 0;
}

static int take(struct wp_kopts *o, int opt, const char *arg, char *err, size_t errlen)
{
	const char **slot = string_slot(o, opt);
	if (slot) {
		if (check_text_option(opt, arg, err, errlen) < 0)
			return -1;
		*slot = arg;
		return 0;
	}
	char *end = NULL;
	switch (opt) {
	case WP_O_DAYS:
		errno = 0;
		long days = strtol(arg, &end, 10);
		if (errno || *end || days < 1 || days > 36500) {
			snprintf(err, errlen, _("--days '%s' must be a whole number from 1 to 36500"), arg);
			return -1;
		}
		o->days = (int)days;
		return 0;
	case WP_O_VALID_DAYS:
		errno = 0;
		long valid = strtol(arg, &end, 10);
		if (errno || *end || valid < 1 || valid > 3650) {
			snprintf(err, errlen, _("--valid-days '%s' must be a whole number from 1 to 3650"), arg);
			return -1;
		}
		o->valid_days = (int)valid;
		return 0;
	case WP_O_NO_PASS: o->no_passphrase = true; return 0;
	case WP_O_NO_APPROVAL: o->no_approval_required = true; return 0;
	case WP_O_APPROVAL: o->approval_required = true; return 0;
	case WP_O_JSON: o->json = true; return 0;
	case WP_O_SIGN: o->sign = true; return 0;
	}
	return -1;
}

struct kopts_parse {
	struct wp_kopts *o;
	bool help;
};

static int take_kopt(void *ctx, int opt, const char *arg, char *err, size_t errlen)
{
	struct kopts_parse *p = ctx;
	if (opt == WP_O_HELP) {
		p->help = true;
		return 0;
	}
	return take(p->o, opt, arg, err, errlen);
}

int wp_kopts_parse(const char *group, int argc, char **argv, struct wp_kopts *o,
		   char *err, size_t errlen)
{
	char names[256];
	memset(o, 0, sizeof(*o));
	o->group = group;
	wp_sub_names(group, names, sizeof(names));
	if (argc < 1) {
		snprintf(err, errlen, _("'%s' needs a sub-command: %s"), group, names);
		return -1;
	}
	o->sub = wp_sub_find(group, argv[0]);
	if (!o->sub) {
		snprintf(err, errlen, _("unknown '%s' sub-command '%s'; choose one of: %s"), group,
			 argv[0], names);
		return -1;
	}
	char command[64];
	snprintf(command, sizeof(command), "%s %s", group, o->sub);
	struct kopts_parse p = { .o = o };
	int first = wp_options_parse(command, argc, argv, take_kopt, &p, err, errlen);
	if (first < 0)
		return -1;
	if (p.help)
		return 1;
	/* custody show TAG, cert show|render|verify FILE */
	bool file = strcmp(group, "cert") == 0 && strcmp(o->sub, "issue") != 0;
	if ((strcmp(o->sub, "show") == 0 || strcmp(o->sub, "revoke") == 0 || file) && first < argc)
		o->operand = argv[first++];
	if (first < argc) {
		snprintf(err, errlen, _("'%s %s' takes no operand; unexpected '%s'"), group, o->sub,
			 argv[first]);
		return -1;
	}
	return 0;
}

/* ---- usage ------------------------------------------------------------- */

/* marked for xgettext; translated where printed */
static const char *const usage_keys = N_(
	"Usage: wipeproof keys init-ca --org NAME [--days N] [--passphrase-file F | --no-passphrase]\n"
	"       wipeproof keys issue --name NAME --title TITLE --role ROLE [--id ID] [--days N]\n"
	"                            [--passphrase-file F | --no-passphrase] [--ca-passphrase-file F]\n"
	"       wipeproof keys list [--json]\n"
	"       wipeproof keys export-trust [--output FILE] [--html FILE]\n"
	"       wipeproof keys revoke PERSON --reason REASON [--date DATE] [--ca-passphrase-file F]\n"
	"\n"
	"The organisation's CA and the people who sign custody events. ECDSA P-256\n"
	"keys; X.509 certificates whose subject holds the person's name, title and\n"
	"role. Private keys are written 0600 and refused when others can read them.\n"
	"\n"
	"  --keys DIR               key store (default $WIPEPROOF_KEYS, else /etc/wipeproof/keys)\n"
	"  --org NAME               organisation (init-ca)\n"
	"  --name, --title          the person, UTF-8 (e.g. \"山田 太郎\", \"情報システム課長\")\n"
	"  --role ROLE              operator | approver | witness | auditor\n"
	"  --id ID                  the person's stable id (employee number), kept in the\n"
	"                           certificate (serialNumber); the same id renews or promotes\n"
	"                           the same person (default: a new random id)\n"
	"  --days N                 validity (CA: 7300, person: 1825)\n"
	"  --passphrase-file F      encrypt the new key with the first line of F;\n"
	"                           without it a terminal asks (an empty answer is refused)\n"
	"  --no-passphrase          store the new key unencrypted (0600) without asking\n"
	"  --ca-passphrase-file F   passphrase of an encrypted CA key (issue, revoke)\n"
	"  --reason REASON          revoke: affiliation-changed (left), key-compromise,\n"
	"                           superseded, cessation-of-operation or unspecified\n"
	"  --date DATE              revoke: signatures from DATE on are refused\n"
	"                           (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC; default now)\n"
	"  --json                   print the result as JSON\n"
	"  --output FILE            export-trust: write the bundle (CA, then every person's\n"
	"                           certificate, PEM) to FILE instead of stdout\n"
	"  --html FILE              export-trust: also write the auditor's verification page,\n"
	"                           one HTML file that checks QR codes and certificate files\n"
	"                           in any browser, offline, against this CA\n");

/* marked for xgettext; translated where printed */
static const char *const usage_cert = N_(
	"Usage: wipeproof cert issue --asset TAG --as PERSON [--output DIR] [--location L] [--contact C]\n"
	"       wipeproof cert show FILE.json [--json]\n"
	"       wipeproof cert render FILE.json [--output FILE.pdf]\n"
	"       wipeproof cert verify FILE.json [--sig FILE.p7s] [--ca ca.pem] [--ca-fingerprint HEX]\n"
	"                             [--ledger DB]\n"
	"                             [--device DEV [--report FILE]] [--json]\n"
	"       wipeproof cert verify --qr \"TEXT\" --trust BUNDLE.pem [--ca-fingerprint HEX] [--json]\n"
	"       wipeproof cert validate FILE.json --as PERSON [--ledger DB]\n"
	"\n"
	"Certificates of sanitization (データ消去証明書). 'wipe DEV --asset TAG' issues one\n"
	"for every sanitized disk, next to its job report: cert-ID.json (canonical JSON),\n"
	"cert-ID.json.p7s (detached CMS signature, PEM), cert-ID.json.qr (the signed QR\n"
	"text) and cert-ID.pdf. 'cert issue' certifies a destruction recorded in the ledger.\n"
	"\n"
	"  issue     certify the asset's recorded destruction (custody destroy); signed by\n"
	"            --as PERSON (operator or approver); files go to --output DIR\n"
	"            (default: the reports folder next to the ledger)\n"
	"  show      print the certificate's fields\n"
	"  render    draw the PDF again (needs FILE.json.qr next to FILE.json)\n"
	"  verify    as an auditor: no root, no private key. Checks the signature chains to\n"
	"            the CA, the signer was an operator or approver and valid on the signing\n"
	"            date, the document is canonical and complete; with --ledger that the\n"
	"            ledger verifies, holds its certificate event and the head it names;\n"
	"            with --device that the disk still holds the wipe pattern (the job\n"
	"            report from the certificate, or --report FILE). --qr checks a scanned\n"
	"            QR code against a trust bundle ('keys export-trust'). A two-person\n"
	"            certificate is VALID only with its validator's second signature.\n"
	"  validate  as the validator (an approver or witness, not the issuer): check the\n"
	"            certificate and the ledger as verify does, then add the second\n"
	"            signature, FILE.json.validator.p7s\n"
	"\n"
	"  --sig FILE      signature (default FILE.json.p7s)\n"
	"  --ca FILE       CA certificate (default ca.pem of --keys / $WIPEPROOF_KEYS)\n"
	"  --ca-fingerprint HEX   the SHA-256 of the CA certificate you trust (64 hex\n"
	"                  digits, as every verdict prints it): any other CA is INVALID,\n"
	"                  even one with the same names\n"
	"  --crl FILE      the CA's revocation list (default crl.pem beside the CA)\n"
	"  --location L, --contact C   where the people were and how to reach them\n"
	"                  (default $WIPEPROOF_LOCATION / $WIPEPROOF_CONTACT, else the\n"
	"                  intake location or host, and the organisation)\n"
	"\n"
	"Exit status: 0 done (verify: VALID); 1 failed; 2 usage; 3 refused (nothing to\n"
	"certify); 4 INVALID (verify prints the reason).\n"
	"See certs/README.md for the document, signature and QR formats.\n");

/* marked for xgettext; translated where printed */
static const char *const usage_custody = N_(
	"Usage: wipeproof custody SUB-COMMAND [OPTIONS]\n"
	"\n"
	"Recording (signed with --as PERSON's key; name or fingerprint prefix, or $WIPEPROOF_AS):\n"
	"  init [--no-approval-required|--approval-required]   ledger policy (approver)\n"
	"  intake --asset TAG (--device DEV | --serial S --model M) [--owner O] [--location L]\n"
	"         [--manager M] [--lease-contract C] [--lease-end YYYY-MM-DD]\n"
	"         [--reason lease-end|leaver-return|reuse|repair|disposal] [--comment C]\n"
	"  request --asset TAG [--reason R] [--comment C]\n"
	"  approve --asset TAG [--for wipe,destroy,transfer,release] [--valid-days N]\n"
	"          [--comment C]     (approver, not the requester; default --for wipe,release\n"
	"                            --valid-days 30: what it allows, and until when)\n"
	"  destroy --asset TAG --method shred|crush|degauss|drill|... --witness PERSON\n"
	"          [--witness-passphrase-file F | --witness-tty /dev/pts/N] [--photo FILE]\n"
	"          [--comment C]   --witness-tty: the witness reads what they sign and types\n"
	"                          their passphrase on their own terminal ('tty' there)\n"
	"  transfer --asset TAG --vendor NAME [--vendor-cert FILE] [--comment C]\n"
	"  release --asset TAG --to dispose|lease-return|reuse|repair [--comment C]\n"
	"  note --asset TAG --text TEXT\n"
	"\n"
	"Reading (no private key, no root; log, show and export print only what\n"
	"verifies against the CA, and refuse a ledger that does not):\n"
	"  log [--asset TAG] [--json]            every event, in order\n"
	"  show TAG [--json]                     an asset's state and history\n"
	"  export --format csv|json [--owner X] [--since YYYY-MM-DD] [--output FILE]\n"
	"                                        CSV: UTF-8 with BOM, for Excel\n"
	"  verify [--anchor HASH@SEQ|FILE] [--ca FILE] [--crl FILE] [--ca-fingerprint HEX]\n"
	"         [--json]\n"
	"                                        check every hash, signature, role and rule;\n"
	"                                        FILE: a signed head (a cut tail is found)\n"
	"  head [--json]                         HASH@SEQ of the last event (and the ledger id)\n"
	"  head --sign --as PERSON [--output FILE]\n"
	"                                        the head signed by PERSON: keep it elsewhere\n"
	"\n"
	"  --ledger PATH            ledger (default $WIPEPROOF_LEDGER, else /var/lib/wipeproof/ledger.db)\n"
	"  --keys DIR               key store (default $WIPEPROOF_KEYS, else /etc/wipeproof/keys)\n"
	"  --passphrase-file F      passphrase of --as PERSON's key, if encrypted\n"
	"  --ca FILE                CA certificate for verify, log, show, export\n"
	"                           (default DIR/ca.pem of --keys)\n"
	"  --crl FILE               the CA's revocation list (default crl.pem beside the CA)\n"
	"\n"
	"Exit status: 0 done (verify: the ledger verifies); 1 failed; 2 usage;\n"
	"3 refused by a custody rule or role; 4 the ledger does not verify.\n"
	"See custody/README.md for the rules, roles and the hash definition.\n");

void wp_keys_usage(FILE *out)
{
	fputs(_(usage_keys), out);
	fputs(_("\nExit status: 0 done; 1 failed; 2 usage.\n"), out);
}

void wp_cert_usage(FILE *out)
{
	fputs(_(usage_cert), out);
}

void wp_custody_usage(FILE *out, const char *sub)
{
	(void)sub; /* one page: the sub-commands share most options */
	fputs(_(usage_custody), out);
}

int wp_custody_exit(int rc)
{
	switch (rc) {
	case 0: return WP_EXIT_OK;
	case WP_CUSTODY_REFUSED: return WP_EXIT_REFUSED;
	case WP_CUSTODY_BROKEN: return WP_EXIT_MISMATCH;
	default: return WP_EXIT_FAILED;
	}
}
