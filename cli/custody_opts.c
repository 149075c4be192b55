/*
 * Options of `keys` and `custody`: one table of long options, and per
 * sub-command the names it accepts; anything else is refused by name, the
 * same way args.c does for the other commands.
 */
#include "custody_cli.h"
#include "wptext.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum {
	O_KEYS = 1000, O_LEDGER, O_CA, O_AS, O_PASSFILE, O_WITNESS, O_WITNESS_PASSFILE,
	O_ORG, O_NAME, O_TITLE, O_ROLE, O_CA_PASSFILE, O_DAYS, O_NO_PASS,
	O_ASSET, O_DEVICE, O_SERIAL, O_MODEL, O_OWNER, O_LOCATION, O_MANAGER,
	O_LEASE_CONTRACT, O_LEASE_END, O_REASON, O_COMMENT, O_METHOD, O_PHOTO,
	O_VENDOR, O_VENDOR_CERT, O_TO, O_TEXT, O_NO_APPROVAL, O_APPROVAL,
	O_FORMAT, O_SINCE, O_ANCHOR, O_OUTPUT, O_JSON, O_HELP,
	O_SIG, O_REPORT, O_QR, O_TRUST, O_CONTACT, O_HTML, O_DATE, O_CRL, O_SIGN,
	O_ID, O_CA_FPR, O_FOR, O_VALID_DAYS, O_WITNESS_TTY,
	/* issue 17, model1 */
	O_POLICY, O_CONFIDENTIALITY, O_KIND, O_RECEIVED_BY, O_EVIDENCE, O_BY, O_CATEGORY,
	O_ERASED_BY,
	O_PC_MANUFACTURER, O_PC_MODEL, O_PC_SERIAL,
	O_SEGMENT, O_STATION, O_UNTIL,
};

static const struct option options[] = {
	{ "keys", required_argument, NULL, O_KEYS },
	{ "ledger", required_argument, NULL, O_LEDGER },
	{ "ca", required_argument, NULL, O_CA },
	{ "as", required_argument, NULL, O_AS },
	{ "passphrase-file", required_argument, NULL, O_PASSFILE },
	{ "witness", required_argument, NULL, O_WITNESS },
	{ "witness-passphrase-file", required_argument, NULL, O_WITNESS_PASSFILE },
	{ "org", required_argument, NULL, O_ORG },
	{ "name", required_argument, NULL, O_NAME },
	{ "title", required_argument, NULL, O_TITLE },
	{ "role", required_argument, NULL, O_ROLE },
	{ "ca-passphrase-file", required_argument, NULL, O_CA_PASSFILE },
	{ "days", required_argument, NULL, O_DAYS },
	{ "no-passphrase", no_argument, NULL, O_NO_PASS },
	{ "asset", required_argument, NULL, O_ASSET },
	{ "device", required_argument, NULL, O_DEVICE },
	{ "serial", required_argument, NULL, O_SERIAL },
	{ "model", required_argument, NULL, O_MODEL },
	{ "owner", required_argument, NULL, O_OWNER },
	{ "location", required_argument, NULL, O_LOCATION },
	{ "manager", required_argument, NULL, O_MANAGER },
	{ "lease-contract", required_argument, NULL, O_LEASE_CONTRACT },
	{ "lease-end", required_argument, NULL, O_LEASE_END },
	{ "pc-manufacturer", required_argument, NULL, O_PC_MANUFACTURER },
	{ "pc-model", required_argument, NULL, O_PC_MODEL },
	{ "pc-serial", required_argument, NULL, O_PC_SERIAL },
	{ "reason", required_argument, NULL, O_REASON },
	{ "comment", required_argument, NULL, O_COMMENT },
	{ "method", required_argument, NULL, O_METHOD },
	{ "photo", required_argument, NULL, O_PHOTO },
	{ "vendor", required_argument, NULL, O_VENDOR },
	{ "vendor-cert", required_argument, NULL, O_VENDOR_CERT },
	{ "to", required_argument, NULL, O_TO },
	{ "text", required_argument, NULL, O_TEXT },
	{ "no-approval-required", no_argument, NULL, O_NO_APPROVAL },
	{ "approval-required", no_argument, NULL, O_APPROVAL },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "since", required_argument, NULL, O_SINCE },
	{ "anchor", required_argument, NULL, O_ANCHOR },
	{ "output", required_argument, NULL, O_OUTPUT },
	{ "json", no_argument, NULL, O_JSON },
	{ "help", no_argument, NULL, O_HELP },
	{ "sig", required_argument, NULL, O_SIG },
	{ "report", required_argument, NULL, O_REPORT },
	{ "qr", required_argument, NULL, O_QR },
	{ "trust", required_argument, NULL, O_TRUST },
	{ "contact", required_argument, NULL, O_CONTACT },
	{ "html", required_argument, NULL, O_HTML },
	{ "date", required_argument, NULL, O_DATE },
	{ "crl", required_argument, NULL, O_CRL },
	{ "sign", no_argument, NULL, O_SIGN },
	{ "id", required_argument, NULL, O_ID },
	{ "ca-fingerprint", required_argument, NULL, O_CA_FPR },
	{ "for", required_argument, NULL, O_FOR },
	{ "valid-days", required_argument, NULL, O_VALID_DAYS },
	{ "witness-tty", required_argument, NULL, O_WITNESS_TTY },
	{ "policy", required_argument, NULL, O_POLICY },
	{ "confidentiality", required_argument, NULL, O_CONFIDENTIALITY },
	{ "kind", required_argument, NULL, O_KIND },
	{ "received-by", required_argument, NULL, O_RECEIVED_BY },
	{ "evidence", required_argument, NULL, O_EVIDENCE },
	{ "by", required_argument, NULL, O_BY },
	{ "category", required_argument, NULL, O_CATEGORY },
	{ "erased-by", required_argument, NULL, O_ERASED_BY },
	{ "segment", required_argument, NULL, O_SEGMENT },
	{ "station", required_argument, NULL, O_STATION },
	{ "until", required_argument, NULL, O_UNTIL },
	{ NULL, 0, NULL, 0 },
};

#define WRITE "keys ledger as passphrase-file json "

static const struct {
	const char *group, *name, *allowed;
} subs[] = {
	{ "keys", "init-ca", "org days passphrase-file no-passphrase keys json" },
	{ "keys", "issue", "id name title role days passphrase-file no-passphrase ca-passphrase-file keys json" },
	{ "keys", "list", "keys json" },
	{ "keys", "revoke", "reason date ca-passphrase-file keys json" },
	{ "keys", "export-trust", "keys output html" },
	{ "custody", "init", WRITE "no-approval-required approval-required policy" },
	{ "custody", "intake", WRITE "asset device serial model owner location manager "
			       "lease-contract lease-end reason comment pc-manufacturer pc-model "
			       "pc-serial confidentiality kind" },
	{ "custody", "request", WRITE "asset reason comment" },
	{ "custody", "approve", WRITE "asset comment for valid-days" },
	{ "custody", "destroy", WRITE "asset witness witness-passphrase-file witness-tty method photo "
				 "comment" },
	{ "custody", "transfer", WRITE "asset vendor vendor-cert comment" },
	{ "custody", "release", WRITE "asset to comment" },
	{ "custody", "note", WRITE "asset text" },
	{ "custody", "vendor-destroyed", WRITE "asset vendor vendor-cert date method received-by "
					  "comment" },
	{ "custody", "attest-erasure", WRITE "asset evidence method by category erased-by date "
					"witness witness-passphrase-file witness-tty comment" },
	{ "custody", "log", "ledger keys ca crl asset json" },
	{ "custody", "show", "ledger keys ca crl json" },
	{ "custody", "export", "ledger keys ca crl format owner since until station output segment "
			       "as passphrase-file" },
	{ "custody", "import", "ledger keys ca crl json" },
	{ "custody", "push", "ledger keys ca crl to as passphrase-file json" },
	{ "custody", "verify", "ledger keys ca ca-fingerprint crl anchor json" },
	{ "custody", "head", "ledger json sign as passphrase-file keys output" },
	{ "cert", "issue", WRITE "asset output location contact" },
	{ "cert", "show", "json" },
	{ "cert", "render", "output" },
	{ "cert", "qr", "" },
	{ "cert", "verify", "sig ca ca-fingerprint crl keys ledger device report qr trust json" },
	{ "cert", "validate", "as passphrase-file keys ledger ca crl" },
};

static const char *option_name(int val)
{
	for (const struct option *o = options; o->name; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

static bool allowed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

static const char **string_slot(struct wp_kopts *o, int opt)
{
	switch (opt) {
	case O_KEYS: return &o->keys_dir;
	case O_LEDGER: return &o->ledger;
	case O_CA: return &o->ca;
	case O_AS: return &o->as;
	case O_PASSFILE: return &o->passphrase_file;
	case O_WITNESS: return &o->witness;
	case O_WITNESS_PASSFILE: return &o->witness_passphrase_file;
	case O_ORG: return &o->org;
	case O_NAME: return &o->name;
	case O_TITLE: return &o->title;
	case O_ROLE: return &o->role;
	case O_CA_PASSFILE: return &o->ca_passphrase_file;
	case O_ASSET: return &o->asset;
	case O_DEVICE: return &o->device;
	case O_SERIAL: return &o->serial;
	case O_MODEL: return &o->model;
	case O_OWNER: return &o->owner;
	case O_LOCATION: return &o->location;
	case O_MANAGER: return &o->manager;
	case O_LEASE_CONTRACT: return &o->lease_contract;
	case O_LEASE_END: return &o->lease_end;
	case O_PC_MANUFACTURER: return &o->pc_manufacturer;
	case O_PC_MODEL: return &o->pc_model;
	case O_PC_SERIAL: return &o->pc_serial;
	case O_REASON: return &o->reason;
	case O_COMMENT: return &o->comment;
	case O_METHOD: return &o->method;
	case O_PHOTO: return &o->photo;
	case O_VENDOR: return &o->vendor;
	case O_VENDOR_CERT: return &o->vendor_cert;
	case O_TO: return &o->to;
	case O_TEXT: return &o->text;
	case O_FORMAT: return &o->format;
	case O_SINCE: return &o->since;
	case O_ANCHOR: return &o->anchor;
	case O_OUTPUT: return &o->output;
	case O_HTML: return &o->html;
	case O_DATE: return &o->date;
	case O_CRL: return &o->crl;
	case O_SIG: return &o->sig;
	case O_REPORT: return &o->report;
	case O_QR: return &o->qr;
	case O_TRUST: return &o->trust;
	case O_CONTACT: return &o->contact;
	case O_ID: return &o->id;
	case O_CA_FPR: return &o->ca_fingerprint;
	case O_FOR: return &o->approve_for;
	case O_WITNESS_TTY: return &o->witness_tty;
	case O_POLICY: return &o->policy;
	case O_CONFIDENTIALITY: return &o->confidentiality;
	case O_KIND: return &o->kind;
	case O_RECEIVED_BY: return &o->received_by;
	case O_EVIDENCE: return &o->evidence;
	case O_BY: return &o->by;
	case O_CATEGORY: return &o->category;
	case O_ERASED_BY: return &o->erased_by;
	case O_SEGMENT: return &o->segment;
	case O_STATION: return &o->station;
	case O_UNTIL: return &o->until;
	}
	return NULL;
}

/* Options that only name files to read or write; everything else ends up
 * in a signed event, a certificate or a key's subject, so it must be text. */
static bool names_a_local_file(int opt)
{
	switch (opt) {
	case O_KEYS: case O_LEDGER: case O_CA: case O_PASSFILE: case O_WITNESS_PASSFILE:
	case O_CA_PASSFILE: case O_OUTPUT: case O_SIG: case O_REPORT: case O_QR: case O_TRUST:
	case O_ANCHOR: case O_SEGMENT: case O_POLICY: case O_EVIDENCE:
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
	if (opt == O_ASSET)
		return wp_text_check_tag("--asset", arg, WP_ASSET_MAX, err, errlen);
	size_t max = opt == O_TEXT || opt == O_COMMENT ? 65536
		   : opt == O_NAME || opt == O_TITLE || opt == O_ORG ? 128 : 4096;
	if (wp_text_check(arg, max, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--%s %s", option_name(opt), why);
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
	case O_DAYS:
		errno = 0;
		long days = strtol(arg, &end, 10);
		if (errno || *end || days < 1 || days > 36500) {
			snprintf(err, errlen, "--days '%s' must be a whole number from 1 to 36500", arg);
			return -1;
		}
		o->days = (int)days;
		return 0;
	case O_VALID_DAYS:
		errno = 0;
		long valid = strtol(arg, &end, 10);
		if (errno || *end || valid < 1 || valid > 3650) {
			snprintf(err, errlen, "--valid-days '%s' must be a whole number from 1 to 3650", arg);
			return -1;
		}
		o->valid_days = (int)valid;
		return 0;
	case O_NO_PASS: o->no_passphrase = true; return 0;
	case O_NO_APPROVAL: o->no_approval_required = true; return 0;
	case O_APPROVAL: o->approval_required = true; return 0;
	case O_JSON: o->json = true; return 0;
	case O_SIGN: o->sign = true; return 0;
	}
	return -1;
}

static int find_sub(const char *group, const char *name)
{
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(subs[i].group, group) == 0 && strcmp(subs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void sub_names(const char *group, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(subs[i].group, group) == 0) {
			size_t used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s", used ? ", " : "", subs[i].name);
		}
}

static int parse_loop(const char *allowed_list, int argc, char **argv, struct wp_kopts *o,
		      bool *help, char *err, size_t errlen)
{
	optind = 0; /* GNU: full reset */
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (opt == 'h' || opt == O_HELP) {
			*help = true;
			continue;
		}
		if (opt == '?' || opt == ':') {
			if (optopt >= O_KEYS)
				snprintf(err, errlen, "option --%s needs a value", option_name(optopt));
			else
				snprintf(err, errlen, "unknown option '%s'; see 'wipeproof help %s %s'",
					 argv[optind - 1], o->group, o->sub);
			return -1;
		}
		if (!allowed(allowed_list, option_name(opt))) {
			snprintf(err, errlen, "option --%s does not apply to '%s %s'; see 'wipeproof "
				 "help %s %s'", option_name(opt), o->group, o->sub, o->group, o->sub);
			return -1;
		}
		if (take(o, opt, optarg, err, errlen) < 0)
			return -1;
	}
	return optind;
}

int wp_kopts_parse(const char *group, int argc, char **argv, struct wp_kopts *o,
		   char *err, size_t errlen)
{
	char names[256];
	memset(o, 0, sizeof(*o));
	o->group = group;
	sub_names(group, names, sizeof(names));
	if (argc < 1) {
		snprintf(err, errlen, "'%s' needs a sub-command: %s", group, names);
		return -1;
	}
	int i = find_sub(group, argv[0]);
	if (i < 0) {
		snprintf(err, errlen, "unknown '%s' sub-command '%s'; choose one of: %s", group,
			 argv[0], names);
		return -1;
	}
	o->sub = subs[i].name;
	bool help = false;
	int first = parse_loop(subs[i].allowed, argc, argv, o, &help, err, errlen);
	if (first < 0)
		return -1;
	if (help)
		return 1;
	/* custody show TAG, cert show|render|verify FILE */
	bool file = strcmp(group, "cert") == 0 && strcmp(o->sub, "issue") != 0;
	if ((strcmp(o->sub, "show") == 0 || strcmp(o->sub, "revoke") == 0 ||
	     strcmp(o->sub, "import") == 0 || file) && first < argc)
		o->operand = argv[first++];
	if (first < argc) {
		snprintf(err, errlen, "'%s %s' takes no operand; unexpected '%s'", group, o->sub,
			 argv[first]);
		return -1;
	}
	return 0;
}

/* ---- usage ------------------------------------------------------------- */

static const char usage_keys[] =
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
	"  --role ROLE              operator | approver | witness | auditor | station\n"
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
	"                           in any browser, offline, against this CA\n";

static const char usage_cert[] =
	"Usage: wipeproof cert issue --asset TAG --as PERSON [--output DIR] [--location L] [--contact C]\n"
	"       wipeproof cert show FILE.json [--json]\n"
	"       wipeproof cert render FILE.json [--output FILE.pdf]\n"
	"       wipeproof cert qr FILE.json\n"
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
	"  render    draw the PDF again (needs FILE.json.qr next to FILE.json)\n"	"  qr        draw the QR code of FILE.json.qr in the terminal (Unicode half\n"
	"            blocks, light on dark: the boot stick's last screen)\n"
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
	"See certs/README.md for the document, signature and QR formats.\n";

static const char usage_custody[] =
	"Usage: wipeproof custody SUB-COMMAND [OPTIONS]\n"
	"\n"
	"Recording (signed with --as PERSON's key; name or fingerprint prefix, or $WIPEPROOF_AS):\n"
	"  init [--no-approval-required|--approval-required|--policy FILE|default]\n"
	"                           ledger policy (approver); --policy: the table of classes,\n"
	"                           minimum NIST levels and approvals (custody/README.md)\n"
	"  intake --asset TAG (--device DEV | --serial S --model M) [--owner O] [--location L]\n"
	"         [--manager M] [--lease-contract C] [--lease-end YYYY-MM-DD]\n"
	"         [--pc-manufacturer M --pc-model M --pc-serial S]  (the PC the disk was in)\n"
	"         [--reason lease-end|leaver-return|reuse|repair|disposal] [--comment C]\n"
	"         [--confidentiality CLASS[,CLASS...]] [--kind usb|sd|hdd|ssd|nvme|pc|mfp|phone|...]\n"
	"                           mixed media: the highest class given is recorded\n"
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
	"  vendor-destroyed --asset TAG --vendor-cert FILE --date YYYY-MM-DD --method M\n"
	"          --received-by NAME [--vendor NAME] [--comment C]\n"
	"                           the vendor it was handed to destroyed it; FILE is kept\n"
	"                           next to the ledger (vendor-certs/)\n"
	"  attest-erasure --asset TAG --evidence FILE --method M --by self|maker|lease-company|vendor\n"
	"          --category clear|unknown --witness PERSON [--erased-by NAME] [--date D]\n"
	"                           the device or its maker erased it (MFP, phone, lease)\n"
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
	"See custody/README.md for the rules, roles and the hash definition.\n";

void wp_keys_usage(FILE *out)
{
	fputs(usage_keys, out);
	fputs("\nExit status: 0 done; 1 failed; 2 usage.\n", out);
}

void wp_cert_usage(FILE *out)
{
	fputs(usage_cert, out);
}

void wp_custody_usage(FILE *out, const char *sub)
{
	(void)sub; /* one page: the sub-commands share most options */
	fputs(usage_custody, out);
}

bool wp_custody_help(FILE *out, int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "help") != 0)
		return false;
	if (strcmp(argv[2], "keys") == 0)
		wp_keys_usage(out);
	else if (strcmp(argv[2], "custody") == 0)
		wp_custody_usage(out, argc > 3 ? argv[3] : NULL);
	else if (strcmp(argv[2], "cert") == 0)
		wp_cert_usage(out);
	else
		return false;
	return true;
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
