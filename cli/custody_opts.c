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
	case WP_O_PC_MANUFACTURER: return &o->pc_manufacturer;
	case WP_O_PC_MODEL: return &o->pc_model;
	case WP_O_PC_SERIAL: return &o->pc_serial;
	case WP_O_SEGMENT: return &o->segment;
	case WP_O_STATION: return &o->station;
	case WP_O_UNTIL: return &o->until;
	case WP_O_QUEUE: return &o->queue;
	case WP_O_DESTINATION: return &o->destination;
	case WP_O_PURPOSE: return &o->purpose;
	case WP_O_PERMITTED_BY: return &o->permitted_by;
	case WP_O_PERMITTED_ON: return &o->permitted_on;
	case WP_O_DUE_BACK: return &o->due_back;
	case WP_O_AGREEMENT: return &o->agreement;
	case WP_O_REPAIRER: return &o->repairer;
	case WP_O_INTRODUCED: return &o->introduced;
	case WP_O_MAKER: return &o->maker;
	case WP_O_SELLER: return &o->seller;
	case WP_O_USE: return &o->use;
	case WP_O_WARRANTY: return &o->warranty;
	case WP_O_MEDIA: return &o->media;
	case WP_O_TOOL: return &o->tool;
	case WP_O_POLICY: return &o->policy;
	case WP_O_CONFIDENTIALITY: return &o->confidentiality;
	case WP_O_KIND: return &o->kind;
	case WP_O_RECEIVED_BY: return &o->received_by;
	case WP_O_EVIDENCE: return &o->evidence;
	case WP_O_BY: return &o->by;
	case WP_O_CATEGORY: return &o->category;
	case WP_O_ERASED_BY: return &o->erased_by;
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
	case WP_O_ANCHOR: case WP_O_SEGMENT: case WP_O_AGREEMENT: case WP_O_POLICY: case WP_O_EVIDENCE:
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
	case WP_O_OPEN: o->open = true; return 0;
	case WP_O_RECORD: o->record = true; return 0;
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
	if ((strcmp(o->sub, "show") == 0 || strcmp(o->sub, "revoke") == 0 ||
	     strcmp(o->sub, "import") == 0 || file) && first < argc)
		o->operand = argv[first++];
	if (first < argc) {
		snprintf(err, errlen, _("'%s %s' takes no operand; unexpected '%s'"), group, o->sub,
			 argv[first]);
		return -1;
	}
	return 0;
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
