/*
 * One table for the whole command line: every long option once (getopt's
 * table), every command and sub-command with the options it allows, its
 * entry point and its usage. Five getopt tables had repeated `--as`,
 * `--ledger`, `--keys` and `--passphrase-file`, and main(), keys, custody
 * and cert each dispatched sub-commands their own way; now a command is one
 * row here, and adding an option to a command is one word in its row.
 */
#include "options.h"
#include "cli.h"
#include "config.h"
#include "custody_cli.h"
#include "cert_cli.h"
#include "i18n.h"
#include "station_cli.h"

#include <getopt.h>
#include <string.h>

static const struct option long_options[] = {
	{ "help", no_argument, NULL, WP_O_HELP },
	{ "json", no_argument, NULL, WP_O_JSON },
	{ "as", required_argument, NULL, WP_O_AS },
	{ "ledger", required_argument, NULL, WP_O_LEDGER },
	{ "keys", required_argument, NULL, WP_O_KEYS },
	{ "passphrase-file", required_argument, NULL, WP_O_PASSPHRASE_FILE },
	{ "ca", required_argument, NULL, WP_O_CA },
	{ "crl", required_argument, NULL, WP_O_CRL },
	{ "ca-fingerprint", required_argument, NULL, WP_O_CA_FPR },
	{ "method", required_argument, NULL, WP_O_METHOD },
	{ "verify", required_argument, NULL, WP_O_VERIFY },
	{ "confirm-serial", required_argument, NULL, WP_O_CONFIRM },
	{ "report", required_argument, NULL, WP_O_REPORT },
	{ "force-holders", no_argument, NULL, WP_O_FORCE_HOLDERS },
	{ "chunk", required_argument, NULL, WP_O_CHUNK },
	{ "size-mib", required_argument, NULL, WP_O_SIZE },
	{ "queue-depth", required_argument, NULL, WP_O_DEPTH },
	{ "report-dir", required_argument, NULL, WP_O_REPORT_DIR },
	{ "asset", required_argument, NULL, WP_O_ASSET },
	{ "level", required_argument, NULL, WP_O_LEVEL },
	{ "remove-hpa", no_argument, NULL, WP_O_REMOVE_HPA },
	{ "no-report", no_argument, NULL, WP_O_NO_REPORT },
	{ "intake", no_argument, NULL, WP_O_INTAKE },
	{ "asset-prefix", required_argument, NULL, WP_O_PREFIX },
	{ "reason", required_argument, NULL, WP_O_REASON },
	{ "auto-wipe", no_argument, NULL, WP_O_AUTO },
	{ "policy", required_argument, NULL, WP_O_POLICY },
	{ "list", no_argument, NULL, WP_O_LIST },
	{ "device", required_argument, NULL, WP_O_DEVICE },
	{ "org", required_argument, NULL, WP_O_ORG },
	{ "name", required_argument, NULL, WP_O_NAME },
	{ "title", required_argument, NULL, WP_O_TITLE },
	{ "role", required_argument, NULL, WP_O_ROLE },
	{ "ca-passphrase-file", required_argument, NULL, WP_O_CA_PASSFILE },
	{ "days", required_argument, NULL, WP_O_DAYS },
	{ "no-passphrase", no_argument, NULL, WP_O_NO_PASS },
	{ "id", required_argument, NULL, WP_O_ID },
	{ "date", required_argument, NULL, WP_O_DATE },
	{ "witness", required_argument, NULL, WP_O_WITNESS },
	{ "witness-passphrase-file", required_argument, NULL, WP_O_WITNESS_PASSFILE },
	{ "witness-tty", required_argument, NULL, WP_O_WITNESS_TTY },
	{ "serial", required_argument, NULL, WP_O_SERIAL },
	{ "model", required_argument, NULL, WP_O_MODEL },
	{ "owner", required_argument, NULL, WP_O_OWNER },
	{ "location", required_argument, NULL, WP_O_LOCATION },
	{ "manager", required_argument, NULL, WP_O_MANAGER },
	{ "lease-contract", required_argument, NULL, WP_O_LEASE_CONTRACT },
	{ "lease-end", required_argument, NULL, WP_O_LEASE_END },
	{ "comment", required_argument, NULL, WP_O_COMMENT },
	{ "photo", required_argument, NULL, WP_O_PHOTO },
	{ "vendor", required_argument, NULL, WP_O_VENDOR },
	{ "vendor-cert", required_argument, NULL, WP_O_VENDOR_CERT },
	{ "to", required_argument, NULL, WP_O_TO },
	{ "text", required_argument, NULL, WP_O_TEXT },
	{ "no-approval-required", no_argument, NULL, WP_O_NO_APPROVAL },
	{ "approval-required", no_argument, NULL, WP_O_APPROVAL },
	{ "format", required_argument, NULL, WP_O_FORMAT },
	{ "since", required_argument, NULL, WP_O_SINCE },
	{ "anchor", required_argument, NULL, WP_O_ANCHOR },
	{ "output", required_argument, NULL, WP_O_OUTPUT },
	{ "html", required_argument, NULL, WP_O_HTML },
	{ "sign", no_argument, NULL, WP_O_SIGN },
	{ "for", required_argument, NULL, WP_O_FOR },
	{ "valid-days", required_argument, NULL, WP_O_VALID_DAYS },
	{ "sig", required_argument, NULL, WP_O_SIG },
	{ "qr", required_argument, NULL, WP_O_QR },
	{ "trust", required_argument, NULL, WP_O_TRUST },
	{ "contact", required_argument, NULL, WP_O_CONTACT },
	{ "pc-manufacturer", required_argument, NULL, WP_O_PC_MANUFACTURER },
	{ "pc-model", required_argument, NULL, WP_O_PC_MODEL },
	{ "pc-serial", required_argument, NULL, WP_O_PC_SERIAL },
	{ "segment", required_argument, NULL, WP_O_SEGMENT },
	{ "station", required_argument, NULL, WP_O_STATION },
	{ "until", required_argument, NULL, WP_O_UNTIL },
	{ "destination", required_argument, NULL, WP_O_DESTINATION },
	{ "purpose", required_argument, NULL, WP_O_PURPOSE },
	{ "permitted-by", required_argument, NULL, WP_O_PERMITTED_BY },
	{ "permitted-on", required_argument, NULL, WP_O_PERMITTED_ON },
	{ "due-back", required_argument, NULL, WP_O_DUE_BACK },
	{ "agreement", required_argument, NULL, WP_O_AGREEMENT },
	{ "repairer", required_argument, NULL, WP_O_REPAIRER },
	{ "introduced", required_argument, NULL, WP_O_INTRODUCED },
	{ "maker", required_argument, NULL, WP_O_MAKER },
	{ "seller", required_argument, NULL, WP_O_SELLER },
	{ "use", required_argument, NULL, WP_O_USE },
	{ "warranty", required_argument, NULL, WP_O_WARRANTY },
	{ "media", required_argument, NULL, WP_O_MEDIA },
	{ "tool", required_argument, NULL, WP_O_TOOL },
	{ "open", no_argument, NULL, WP_O_OPEN },
	{ "record", no_argument, NULL, WP_O_RECORD },
	{ "confidentiality", required_argument, NULL, WP_O_CONFIDENTIALITY },
	{ "kind", required_argument, NULL, WP_O_KIND },
	{ "received-by", required_argument, NULL, WP_O_RECEIVED_BY },
	{ "evidence", required_argument, NULL, WP_O_EVIDENCE },
	{ "by", required_argument, NULL, WP_O_BY },
	{ "category", required_argument, NULL, WP_O_CATEGORY },
	{ "erased-by", required_argument, NULL, WP_O_ERASED_BY },
	{ "queue", required_argument, NULL, WP_O_QUEUE },
	{ NULL, 0, NULL, 0 },
};

/* ---- the commands ------------------------------------------------------ */

static void keys_usage(FILE *out, const char *sub) { (void)sub; wp_keys_usage(out); }
static void cert_usage(FILE *out, const char *sub) { (void)sub; wp_cert_usage(out); }
static void watch_usage(FILE *out, const char *sub) { (void)sub; wp_watch_usage(out); }
static void freespace_usage(FILE *out, const char *sub) { (void)sub; wp_freespace_usage(out); }
static void resume_usage(FILE *out, const char *sub) { (void)sub; wp_resume_usage(out); }
static int config_help(int argc, char **argv)
{
	(void)argc;
	return wp_cmd_config_main(2, (char *[]){ argv[0], (char *)"--help", NULL });
}

#define WHO "as ledger keys passphrase-file "

static const struct command {
	const char *name;
	const char *allowed;                       /* its options, by name */
	enum wp_command cmd;                       /* parsed into struct wp_cmdline */
	int (*run)(const struct wp_cmdline *cl);   /* ... and run with it */
	int (*main)(int argc, char **argv);        /* or parsing its own operands */
	void (*usage)(FILE *out, const char *sub); /* 'help NAME' when not wp_usage's */
	int (*help)(int argc, char **argv);        /* 'help NAME' runs the command's --help */
	bool own_config;                           /* reads the configuration itself */
} commands[] = {
	{ "list", "json", WP_CMD_LIST, wp_cmd_list, NULL, NULL, NULL, false },
	{ "plan", "json level method confidentiality ledger keys", WP_CMD_PLAN, wp_cmd_plan, NULL, NULL, NULL, false },
	{ "wipe", "json level remove-hpa no-report method confirm-serial force-holders "
		  "report-dir asset " WHO "verify report chunk queue-depth",
	  WP_CMD_WIPE, wp_cmd_wipe, NULL, NULL, NULL, false },
	{ "verify", "json verify report chunk queue-depth", WP_CMD_VERIFY, wp_cmd_verify, NULL,
	  NULL, NULL, false },
	{ "demo", "size-mib", WP_CMD_DEMO, wp_cmd_demo, NULL, NULL, NULL, false },
	{ "version", "json", WP_CMD_VERSION, wp_cmd_version, NULL, NULL, NULL, false },
	{ "help", "", WP_CMD_HELP, NULL, NULL, NULL, NULL, false },
	{ "watch", "json intake asset-prefix reason auto-wipe policy " WHO, WP_CMD_NONE, NULL,
	  wp_cmd_watch_main, watch_usage, NULL, false },
	{ "freespace", "json asset " WHO, WP_CMD_NONE, NULL, wp_cmd_freespace_main,
	  freespace_usage, NULL, false },
	{ "resume", "list json device " WHO, WP_CMD_NONE, NULL, wp_cmd_resume_main,
	  resume_usage, NULL, false },
	{ "keys", NULL, WP_CMD_NONE, NULL, wp_group_main, keys_usage, NULL, false },
	{ "custody", NULL, WP_CMD_NONE, NULL, wp_group_main, wp_custody_usage, NULL, false },
	{ "cert", NULL, WP_CMD_NONE, NULL, wp_group_main, cert_usage, NULL, false },
	{ "config", NULL, WP_CMD_NONE, NULL, wp_cmd_config_main, NULL, config_help, true },
	/* the boot stick's lease list: one file and --serial, read by its own loop */
	{ "lease", NULL, WP_CMD_NONE, NULL, wp_cmd_lease_main, NULL, NULL, false },
};

#define WRITE WHO "json "

/* show --open lists the assets not yet released instead of one asset */
static int custody_show(const struct wp_kopts *o)
{
	return o->open ? wp_custody_outstanding(o) : wp_custody_show(o);
}

/* export --segment FILE writes a station's chain instead of a table */
static int custody_export(const struct wp_kopts *o)
{
	return o->segment ? wp_custody_segment_cmd(o) : wp_custody_export(o);
}

static const struct sub {
	const char *group, *name;
	const char *allowed;
	int (*run)(const struct wp_kopts *o);
} subs[] = {
	{ "keys", "init-ca", "org days passphrase-file no-passphrase keys json", wp_keys_cmd_init_ca },
	{ "keys", "issue", "id name title role days passphrase-file no-passphrase "
			   "ca-passphrase-file keys json", wp_keys_cmd_issue },
	{ "keys", "list", "keys json", wp_keys_cmd_list },
	{ "keys", "revoke", "reason date ca-passphrase-file keys json", wp_keys_cmd_revoke },
	{ "keys", "export-trust", "keys output html", wp_keys_cmd_export_trust },
	{ "custody", "init", WRITE "no-approval-required approval-required policy", wp_custody_write },
	{ "custody", "intake", WRITE "asset device serial model owner location manager "
				 "lease-contract lease-end reason comment pc-manufacturer pc-model "
				 "pc-serial introduced maker seller use warranty media confidentiality kind",
	  wp_custody_write },
	{ "custody", "request", WRITE "asset reason comment", wp_custody_write },
	{ "custody", "approve", WRITE "asset comment for valid-days", wp_custody_write },
	{ "custody", "destroy", WRITE "asset witness witness-passphrase-file witness-tty method "
				  "photo comment", wp_custody_write },
	{ "custody", "transfer", WRITE "asset vendor vendor-cert comment", wp_custody_write },
	{ "custody", "release", WRITE "asset to comment agreement repairer", wp_custody_write },
	{ "custody", "note", WRITE "asset text", wp_custody_write },
	{ "custody", "take-out", WRITE "asset destination purpose permitted-by permitted-on due-back "
				   "witness-passphrase-file comment", wp_custody_write },
	{ "custody", "return", WRITE "asset device comment", wp_custody_write },
	{ "custody", "blanked", WRITE "asset method tool comment device", wp_custody_write },
	{ "custody", "stocktake", "ledger keys ca crl json record as passphrase-file",
	  wp_custody_stocktake },
	{ "custody", "vendor-destroyed", WRITE "asset vendor vendor-cert date method received-by "
					  "comment", wp_custody_write },
	{ "custody", "attest-erasure", WRITE "asset evidence method by category erased-by date "
					"witness witness-passphrase-file witness-tty comment",
	  wp_custody_write },
	{ "custody", "log", "ledger keys ca crl asset json", wp_custody_log },
	{ "custody", "show", "ledger keys ca crl json open owner", custody_show },
	{ "custody", "export", "ledger keys ca crl format owner since until station output segment "
			       "as passphrase-file", custody_export },
	{ "custody", "import", "ledger keys ca crl json", wp_custody_import_cmd },
	{ "custody", "push", "ledger keys ca crl to as passphrase-file json queue", wp_custody_push_cmd },
	{ "custody", "verify", "ledger keys ca ca-fingerprint crl anchor json",
	  wp_custody_verify_cmd },
	{ "custody", "head", "ledger json sign as passphrase-file keys output", wp_custody_head_cmd },
	{ "cert", "issue", WRITE "asset output location contact", wp_cert_issue_cmd },
	{ "cert", "show", "json", wp_cert_show_cmd },
	{ "cert", "render", "output", wp_cert_render_cmd },
	{ "cert", "qr", "", wp_cert_qr_cmd },
	{ "cert", "verify", "sig ca ca-fingerprint crl keys ledger device report qr trust json",
	  wp_cert_verify_cmd },
	{ "cert", "validate", "as passphrase-file keys ledger ca crl", wp_cert_validate_cmd },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NELEM(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static const struct sub *find_sub(const char *group, const char *name)
{
	for (size_t i = 0; i < NELEM(subs); i++)
		if (strcmp(subs[i].group, group) == 0 && strcmp(subs[i].name, name) == 0)
			return &subs[i];
	return NULL;
}

const char *wp_sub_find(const char *group, const char *name)
{
	const struct sub *s = find_sub(group, name);
	return s ? s->name : NULL;
}

void wp_sub_names(const char *group, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < NELEM(subs); i++)
		if (strcmp(subs[i].group, group) == 0) {
			size_t used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s", used ? ", " : "", subs[i].name);
		}
}

enum wp_command wp_command_of(const char *word)
{
	const struct command *c = find_command(word);
	return c && c->cmd != WP_CMD_NONE ? c->cmd : WP_CMD_NONE;
}

/* "wipe" or "custody intake": the row's list of options. */
static const char *allowed_for(const char *command)
{
	const char *space = strchr(command, ' ');
	if (!space) {
		const struct command *c = find_command(command);
		return c && c->allowed ? c->allowed : "";
	}
	char group[16];
	snprintf(group, sizeof(group), "%.*s", (int)(space - command), command);
	const struct sub *s = find_sub(group, space + 1);
	return s ? s->allowed : "";
}

/* ---- parsing ------------------------------------------------------------ */

const char *wp_option_name(int opt)
{
	for (const struct option *o = long_options; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

int wp_options_parse(const char *command, int argc, char **argv, wp_opt_take take, void *ctx,
		     char *err, size_t errlen)
{
	const char *allowed = allowed_for(command);
	optind = 0; /* GNU: full reset, so parsing can run more than once */
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		if (opt == 'h')
			opt = WP_O_HELP;
		if (opt == '?' || opt == ':') {
			if (optopt >= WP_O_HELP)
				snprintf(err, errlen, _("option --%s needs a value"), wp_option_name(optopt));
			else
				snprintf(err, errlen, _("unknown option '%s'; see 'wipeproof help %s'"),
					 argv[optind - 1], command);
			return -1;
		}
		if (opt != WP_O_HELP && !listed(allowed, wp_option_name(opt))) {
			snprintf(err, errlen, _("option --%s does not apply to '%s'; see 'wipeproof help %s'"),
				 wp_option_name(opt), command, command);
			return -1;
		}
		if (take(ctx, opt, optarg, err, errlen) < 0)
			return -1;
	}
	return optind;
}

static int check_list(const char *row, const char *list, char *err, size_t errlen)
{
	char word[64];
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, " ");
		snprintf(word, sizeof(word), "%.*s", (int)n, p);
		bool known = false;
		for (const struct option *o = long_options; o->name && !known; o++)
			known = strcmp(o->name, word) == 0;
		if (n && !known) {
			snprintf(err, errlen, "%s allows --%s, which is not in the option table", row, word);
			return -1;
		}
		p += n;
		p += strspn(p, " ");
	}
	return 0;
}

int wp_options_check(char *err, size_t errlen)
{
	for (size_t i = 0; i < NELEM(commands); i++)
		if (check_list(commands[i].name, commands[i].allowed, err, errlen) < 0)
			return -1;
	for (size_t i = 0; i < NELEM(subs); i++)
		if (check_list(subs[i].name, subs[i].allowed, err, errlen) < 0)
			return -1;
	for (const struct option *o = long_options; o->name; o++)
		for (const struct option *q = o + 1; q->name; q++)
			if (strcmp(o->name, q->name) == 0 || o->val == q->val) {
				snprintf(err, errlen, "--%s is in the option table twice", o->name);
				return -1;
			}
	return 0;
}

bool wp_take_who(int opt, const char *arg, const char **as, const char **ledger,
		 const char **keys_dir, const char **passphrase_file)
{
	const char **slot = opt == WP_O_AS ? as : opt == WP_O_LEDGER ? ledger
			  : opt == WP_O_KEYS ? keys_dir : opt == WP_O_PASSPHRASE_FILE ? passphrase_file
			  : NULL;
	if (slot)
		*slot = arg;
	return slot != NULL;
}

/* ---- dispatch ------------------------------------------------------------ */

/* keys, custody and cert: the sub-command's row runs with the options
 * parsed into struct wp_kopts. */
int wp_group_main(int argc, char **argv)
{
	const struct command *c = find_command(argv[0]);
	char err[512];
	struct wp_kopts o;
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		c->usage(stdout, NULL);
		return WP_EXIT_OK;
	}
	int rc = wp_kopts_parse(c->name, argc - 1, argv + 1, &o, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		return WP_EXIT_USAGE;
	}
	if (rc > 0) {
		c->usage(stdout, o.sub);
		return WP_EXIT_OK;
	}
	return find_sub(c->name, o.sub)->run(&o);
}

bool wp_help_topic(FILE *out, int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[1], "help") != 0)
		return false;
	const struct command *c = find_command(argv[2]);
	if (!c || !c->usage)
		return false;
	c->usage(out, argc > 3 ? argv[3] : NULL);
	return true;
}

/* Station defaults from /etc/wipeproof/config for what --method and
 * --verify did not say (config.h has the precedence). */
static void apply_wipe_defaults(const struct wp_config *cfg, struct wp_cmdline *cl)
{
	const char *method = wp_config_get(cfg, "method");
	const char *verify = wp_config_get(cfg, "verify");
	if (cl->cmd != WP_CMD_WIPE)
		return;
	if (!cl->method && method)
		cl->method = method;
	if (!cl->verify_set && verify)
		(void)wp_verify_mode_parse(verify, &cl->verify_mode);
}

int wp_dispatch(int argc, char **argv)
{
	char err[1200];
	static struct wp_config cfg;
	const struct command *c = argc >= 2 ? find_command(argv[1]) : NULL;
	const struct command *topic = argc >= 3 && strcmp(argv[1], "help") == 0
					      ? find_command(argv[2]) : NULL;
	if (c && c->own_config)
		return c->main(argc - 1, argv + 1);
	if (topic && topic->help)
		return topic->help(argc - 2, argv + 2);
	if (wp_config_load(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		return WP_EXIT_USAGE;
	}
	wp_config_set_station(&cfg);
	if (c && c->main)
		return c->main(argc - 1, argv + 1);
	if (wp_help_topic(stdout, argc, argv))
		return WP_EXIT_OK;
	struct wp_cmdline cl;
	if (wp_cmdline_parse(argc, argv, &cl, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		return WP_EXIT_USAGE;
	}
	apply_wipe_defaults(&cfg, &cl);
	for (size_t i = 0; i < NELEM(commands); i++)
		if (commands[i].cmd == cl.cmd && commands[i].run)
			return commands[i].run(&cl);
	wp_usage(stdout, cl.help_topic);
	return WP_EXIT_OK;
}
