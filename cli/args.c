/*
 * Command-line parsing and usage text. Parsing only records what was asked
 * and rejects what cannot be right (unknown command, option or method,
 * missing operand); whether a device may be wiped is the guard's business.
 */
#include "cli.h"
#include "i18n.h"
#include "custody.h"
#include "wptext.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct command_name {
	const char *name;
	enum wp_command cmd;
};

static const struct command_name commands[] = {
	{ "list", WP_CMD_LIST },     { "wipe", WP_CMD_WIPE },
	{ "verify", WP_CMD_VERIFY }, { "demo", WP_CMD_DEMO },
	{ "help", WP_CMD_HELP },     { "version", WP_CMD_VERSION },
	{ "plan", WP_CMD_PLAN },
};

enum {
	OPT_JSON = 1000, OPT_METHOD, OPT_VERIFY, OPT_CONFIRM, OPT_REPORT,
	OPT_FORCE_HOLDERS, OPT_CHUNK, OPT_SIZE, OPT_HELP, OPT_DEPTH, OPT_REPORT_DIR,
	OPT_ASSET, OPT_AS, OPT_LEDGER, OPT_KEYS, OPT_PASSPHRASE_FILE, OPT_LEVEL,
	OPT_REMOVE_HPA, OPT_NO_REPORT,
	OPT_CONFIDENTIALITY, /* issue 17, model1 */
};

static const struct option long_options[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "method", required_argument, NULL, OPT_METHOD },
	{ "verify", required_argument, NULL, OPT_VERIFY },
	{ "confirm-serial", required_argument, NULL, OPT_CONFIRM },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "force-holders", no_argument, NULL, OPT_FORCE_HOLDERS },
	{ "chunk", required_argument, NULL, OPT_CHUNK },
	{ "size-mib", required_argument, NULL, OPT_SIZE },
	{ "queue-depth", required_argument, NULL, OPT_DEPTH },
	{ "report-dir", required_argument, NULL, OPT_REPORT_DIR },
	{ "asset", required_argument, NULL, OPT_ASSET },
	{ "as", required_argument, NULL, OPT_AS },
	{ "ledger", required_argument, NULL, OPT_LEDGER },
	{ "keys", required_argument, NULL, OPT_KEYS },
	{ "passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE },
	{ "level", required_argument, NULL, OPT_LEVEL },
	{ "remove-hpa", no_argument, NULL, OPT_REMOVE_HPA },
	{ "no-report", no_argument, NULL, OPT_NO_REPORT },
	{ "confidentiality", required_argument, NULL, OPT_CONFIDENTIALITY },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Which options each command takes; anything else is refused by name. */
static bool option_allowed(enum wp_command cmd, int opt)
{
	switch (opt) {
	case OPT_HELP:
		return true;
	case OPT_JSON:
		return cmd == WP_CMD_LIST || cmd == WP_CMD_WIPE || cmd == WP_CMD_VERIFY ||
		       cmd == WP_CMD_PLAN || cmd == WP_CMD_VERSION;
	case OPT_LEVEL:
		return cmd == WP_CMD_WIPE || cmd == WP_CMD_PLAN;
	case OPT_REMOVE_HPA: case OPT_NO_REPORT:
		return cmd == WP_CMD_WIPE;
	case OPT_CONFIDENTIALITY:
		return cmd == WP_CMD_PLAN;
	case OPT_METHOD:
		return cmd == WP_CMD_WIPE || cmd == WP_CMD_PLAN;
	case OPT_CONFIRM: case OPT_FORCE_HOLDERS: case OPT_REPORT_DIR:
	case OPT_ASSET: case OPT_AS: case OPT_LEDGER: case OPT_KEYS: case OPT_PASSPHRASE_FILE:
		return cmd == WP_CMD_WIPE;
	case OPT_VERIFY: case OPT_REPORT: case OPT_CHUNK: case OPT_DEPTH:
		return cmd == WP_CMD_WIPE || cmd == WP_CMD_VERIFY;
	case OPT_SIZE:
		return cmd == WP_CMD_DEMO;
	}
	return false;
}

static int parse_size(const char *text, unsigned long long *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || text[0] == '-')
		return -1;
	unsigned long long mult = 1;
	if (*end == 'K' || *end == 'k')
		mult = 1ull << 10;
	else if (*end == 'M' || *end == 'm')
		mult = 1ull << 20;
	else if (*end != '\0')
		return -1;
	if (*end && end[1] != '\0')
		return -1;
	*out = v * mult;
	return 0;
}

/* Options given once per device, in the order of the devices. */
static int push_per_device(const char **list, size_t *n, const char *arg,
			   const char *name, char *err, size_t errlen)
{
	if (*n >= WP_MAX_DEVICES) {
		snprintf(err, errlen, "--%s given more than %d times", name, WP_MAX_DEVICES);
		return -1;
	}
	list[(*n)++] = arg;
	return 0;
}

static const char *option_name(int opt);

/* What goes into a report, a signed event or a certificate must be text:
 * checked now, so nothing is written or recorded with a field missing. */
static int check_recorded(int opt, const char *arg, char *err, size_t errlen)
{
	char why[256];
	switch (opt) {
	case OPT_ASSET: case OPT_AS: case OPT_REPORT: case OPT_REPORT_DIR: case OPT_LEDGER:
		break;
	default:
		return 0;
	}
	if (opt == OPT_ASSET)
		return wp_text_check_tag("--asset", arg, WP_ASSET_MAX, err, errlen);
	if (wp_text_check(arg, 4096, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--%s %s", option_name(opt), why);
		return -1;
	}
	return 0;
}

static int take_option(struct wp_cmdline *cl, int opt, const char *arg,
		       char *err, size_t errlen)
{
	unsigned long long n = 0;
	char names[128], fw_names[400];
	if (arg && check_recorded(opt, arg, err, errlen) < 0)
		return -1;
	switch (opt) {
	case OPT_HELP:
		cl->help_topic = cl->cmd == WP_CMD_LIST ? "list" : cl->cmd == WP_CMD_WIPE ? "wipe"
			       : cl->cmd == WP_CMD_VERIFY ? "verify" : cl->cmd == WP_CMD_PLAN ? "plan"
			       : "demo";
		cl->cmd = WP_CMD_HELP;
		return 0;
	case OPT_JSON:
		cl->json = true;
		return 0;
	case OPT_METHOD:
		if (!wp_method_find(arg)) {
			wp_method_names(names, sizeof(names));
			wp_fw_method_names(fw_names, sizeof(fw_names));
			snprintf(err, errlen, "unknown method '%s'; choose one of: %s; or a firmware "
				 "method: %s", arg, names, fw_names);
			return -1;
		}
		cl->method = arg;
		return 0;
	case OPT_REMOVE_HPA:
		cl->remove_hpa = true;
		return 0;
	case OPT_NO_REPORT:
		cl->no_report = true;
		return 0;
	case OPT_CONFIDENTIALITY:
		cl->confidentiality = arg;
		return 0;
	case OPT_LEVEL:
		if (wp_level_parse(arg, &cl->level) < 0) {
			snprintf(err, errlen, "unknown level '%s'; choose clear or purge (NIST SP 800-88)",
				 arg);
			return -1;
		}
		return 0;
	case OPT_VERIFY:
		if (wp_verify_mode_parse(arg, &cl->verify_mode) < 0) {
			snprintf(err, errlen, "unknown verification '%s'; choose full, sample or off", arg);
			return -1;
		}
		cl->verify_set = true;
		return 0;
	case OPT_CONFIRM:
		return push_per_device(cl->confirm_serials, &cl->n_confirm, arg,
				       "confirm-serial", err, errlen);
	case OPT_REPORT:
		return push_per_device(cl->report_paths, &cl->n_reports, arg, "report",
				       err, errlen);
	case OPT_ASSET:
		return push_per_device(cl->assets, &cl->n_assets, arg, "asset", err, errlen);
	case OPT_REPORT_DIR:
		cl->report_dir = arg;
		return 0;
	case OPT_AS:
		cl->as_person = arg;
		return 0;
	case OPT_LEDGER:
		cl->ledger_path = arg;
		return 0;
	case OPT_KEYS:
		cl->keys_dir = arg;
		return 0;
	case OPT_PASSPHRASE_FILE:
		cl->passphrase_file = arg;
		return 0;
	case OPT_DEPTH:
		if (parse_size(arg, &n) < 0 || n < 1 || n > 16) {
			snprintf(err, errlen, "--queue-depth '%s' must be a whole number from 1 to 16", arg);
			return -1;
		}
		cl->queue_depth = (size_t)n;
		return 0;
	case OPT_FORCE_HOLDERS:
		cl->force_holders = true;
		return 0;
	case OPT_CHUNK:
		if (parse_size(arg, &n) < 0 || n == 0 || n % 4096 != 0 || n > (256ull << 20)) {
			snprintf(err, errlen, "--chunk '%s' must be a multiple of 4096 bytes up to 256M (e.g. 4M)", arg);
			return -1;
		}
		cl->chunk_bytes = (size_t)n;
		return 0;
	case OPT_SIZE:
		if (parse_size(arg, &n) < 0 || n < 2 || n > 4096) {
			snprintf(err, errlen, "--size-mib '%s' must be a whole number from 2 to 4096", arg);
			return -1;
		}
		cl->demo_size_mib = (unsigned)n;
		return 0;
	}
	return -1;
}

static const char *option_name(int opt)
{
	for (const struct option *o = long_options; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

static int parse_options(int argc, char **argv, struct wp_cmdline *cl,
			 char *err, size_t errlen)
{
	enum wp_command cmd = cl->cmd;
	optind = 0; /* GNU: full reset, so parsing can run more than once */
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		if (opt == 'h')
			opt = OPT_HELP;
		if (opt == '?' || opt == ':') {
			const char *bad = argv[optind - 1];
			if (optopt && optopt >= OPT_JSON)
				snprintf(err, errlen, "option --%s needs a value", option_name(optopt));
			else
				snprintf(err, errlen, "unknown option '%s'; see 'wipeproof help %s'",
					 bad, argv[0]);
			return -1;
		}
		if (!option_allowed(cmd, opt)) {
			snprintf(err, errlen, "option --%s does not apply to '%s'; see 'wipeproof help %s'",
				 option_name(opt), argv[0], argv[0]);
			return -1;
		}
		if (take_option(cl, opt, optarg, err, errlen) < 0)
			return -1;
	}
	return optind;
}

static int check_count(size_t given, size_t devices, const char *name, char *err,
		       size_t errlen)
{
	if (given == 0 || given == devices)
		return 0;
	snprintf(err, errlen, "--%s was given %zu time(s) for %zu device(s); give it once per "
		 "device, in the order of the devices", name, given, devices);
	return -1;
}

static int check_per_device_counts(const struct wp_cmdline *cl, char *err, size_t errlen)
{
	if (cl->cmd != WP_CMD_WIPE)
		return 0;
	if (check_count(cl->n_confirm, cl->n_devices, "confirm-serial", err, errlen) < 0 ||
	    check_count(cl->n_reports, cl->n_devices, "report", err, errlen) < 0 ||
	    check_count(cl->n_assets, cl->n_devices, "asset", err, errlen) < 0)
		return -1;
	if (cl->n_reports && cl->report_dir) {
		snprintf(err, errlen, "give either --report FILE per device or --report-dir DIR, not both");
		return -1;
	}
	if (cl->no_report && (cl->n_reports || cl->report_dir || cl->n_assets)) {
		snprintf(err, errlen, "--no-report keeps no job report; it cannot go with --report, "
			 "--report-dir or --asset (the ledger records the report's digest)");
		return -1;
	}
	if (cl->n_assets && !cl->as_person && !getenv("WIPEPROOF_AS")) {
		snprintf(err, errlen, "--asset records the wipe in the custody ledger: say who you are "
			 "with --as PERSON (or WIPEPROOF_AS)");
		return -1;
	}
	return 0;
}

/* The engine keeps queue-depth buffers of one chunk each per drive; more
 * than WP_MAX_RING_BYTES would fail at run time, after wipe-start was
 * signed, so it is refused here. */
static int check_memory_budget(const struct wp_cmdline *cl, char *err, size_t errlen)
{
	size_t chunk = cl->chunk_bytes ? cl->chunk_bytes : WP_DEFAULT_CHUNK;
	size_t depth = cl->queue_depth ? cl->queue_depth : WP_DEFAULT_DEPTH;
	if (chunk <= WP_MAX_RING_BYTES / depth)
		return 0;
	size_t fit = WP_MAX_RING_BYTES / depth / 4096 * 4096;
	snprintf(err, errlen, "--chunk %zuK x --queue-depth %zu is %zu MiB of buffers per disk, "
		 "over the budget of %u MiB; give a smaller --chunk or --queue-depth (at queue "
		 "depth %zu, --chunk %zuK at most)", chunk >> 10, depth, (chunk * depth) >> 20,
		 WP_MAX_RING_BYTES >> 20, depth, fit >> 10);
	return -1;
}

static int take_operands(int argc, char **argv, int first, struct wp_cmdline *cl,
			 char *err, size_t errlen)
{
	int n = argc - first;
	if (cl->cmd == WP_CMD_HELP) {
		if (n > 0 && !cl->help_topic)
			cl->help_topic = argv[first];
		return 0;
	}
	if (cl->cmd == WP_CMD_LIST || cl->cmd == WP_CMD_DEMO || cl->cmd == WP_CMD_VERSION) {
		if (n > 0) {
			snprintf(err, errlen, "'%s' takes no device; unexpected '%s'", argv[0], argv[first]);
			return -1;
		}
		return 0;
	}
	if (n == 0) {
		snprintf(err, errlen, "'%s' needs a device, e.g. 'wipeproof %s /dev/sdb'; run 'wipeproof list' to see disks",
			 argv[0], argv[0]);
		return -1;
	}
	if (n > 1 && cl->cmd != WP_CMD_WIPE) {
		snprintf(err, errlen, "'%s' takes one device (got '%s' and '%s')", argv[0],
			 argv[first], argv[first + 1]);
		return -1;
	}
	if (n > WP_MAX_DEVICES) {
		snprintf(err, errlen, "'wipe' takes at most %d devices at once (got %d)",
			 WP_MAX_DEVICES, n);
		return -1;
	}
	for (int i = 0; i < n; i++)
		cl->devices[cl->n_devices++] = argv[first + i];
	if (check_memory_budget(cl, err, errlen) < 0)
		return -1;
	if (cl->cmd == WP_CMD_VERIFY && cl->n_reports != 1) {
		snprintf(err, errlen, "'verify' needs the job report of the wipe: --report FILE (once)");
		return -1;
	}
	return check_per_device_counts(cl, err, errlen);
}

int wp_cmdline_parse(int argc, char **argv, struct wp_cmdline *out,
		     char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->verify_mode = WP_VERIFY_FULL;
	out->demo_size_mib = WP_DEFAULT_DEMO_MIB;
	if (argc < 2) {
		out->cmd = WP_CMD_HELP;
		return 0;
	}
	const char *word = argv[1];
	if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0) {
		out->cmd = WP_CMD_HELP;
		return 0;
	}
	if (strcmp(word, "--version") == 0 || strcmp(word, "-V") == 0) {
		out->cmd = WP_CMD_VERSION;
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(word, commands[i].name) == 0)
			out->cmd = commands[i].cmd;
	if (out->cmd == WP_CMD_NONE) {
		snprintf(err, errlen, "unknown command '%s'; commands: list, plan, wipe, verify, demo, watch, freespace, resume, config, keys, custody, cert, help", word);
		return -1;
	}
	int first = parse_options(argc - 1, argv + 1, out, err, errlen);
	if (first < 0)
		return -1;
	return take_operands(argc - 1, argv + 1, first, out, err, errlen);
}

/* ---- usage ------------------------------------------------------------- */

/* marked for xgettext; translated where printed */
static const char *const usage_main = N_(
	"Usage: wipeproof COMMAND [OPTIONS]\n"
	"\n"
	"Erase disks unrecoverably, verify the erasure, and report it.\n"
	"\n"
	"Commands:\n"
	"  list [--json]              show disks, their identity, and why a disk is protected\n"
	"  plan DEV [--level L]       the method wipe would use, and the NIST level it reaches\n"
	"  wipe DEV... [OPTIONS]      erase whole disks and verify them (root)\n"
	"  verify DEV --report FILE   re-check that a wiped disk still holds the wipe pattern\n"
	"  demo                       the whole job on a throw-away file-backed disk (root)\n"
	"  keys init-ca|issue|list    the organisation's CA and people's signing keys\n"
	"  custody SUB-COMMAND        the signed custody ledger: intake, request, approve,\n"
	"                             destroy, transfer, release, note, log, show, export,\n"
	"                             verify, head (see 'wipeproof help custody')\n"
	"  cert SUB-COMMAND           certificates of sanitization: issue, show, render,\n"
	"                             verify (see 'wipeproof help cert')\n"
	"  watch [OPTIONS]            station mode: report hot-plugged disks, take them in,\n"
	"                             wipe them as the station policy allows (root)\n"
	"  freespace MOUNTPOINT       wipe and verify the free space of a mounted\n"
	"                             filesystem (root)\n"
	"  resume [JOB] [--list]      continue a wipe cut off by a crash, power loss or\n"
	"                             signal from its last checkpoint (root)\n"
	"  config show [--json]       the station settings in effect and where each\n"
	"                             comes from (/etc/wipeproof/config)\n"
	"  help [COMMAND]             this text, or a command's options\n"
	"  version [--json]           the version, the git commit it was built from and the\n"
	"                             SHA-256 of this executable\n");

static const char usage_exit[] =
	"\n"
	"Exit status:\n"
	"  0  success (wipe: sanitized, or unverified when --verify off was asked)\n"
	"  1  failed: an I/O error or another run-time failure; the report says where\n"
	"  2  usage: bad option, unknown method, or a path that is not a whole disk\n"
	"  3  refused: protected disk, serial not confirmed, or a method or --level\n"
	"     the disk cannot do\n"
	"  4  verification mismatch: the disk does not hold the wipe pattern\n"
	"  5  interrupted by SIGINT/SIGTERM; the report says where it stopped\n";

static const char usage_list[] =
	"Usage: wipeproof list [--json]\n"
	"\n"
	"Lists whole disks (including attached loop devices) with kind, transport,\n"
	"model, serial, size, partitions and filesystems. Disks wipeproof will not\n"
	"touch are marked PROTECTED with the reason (mounted, swap, holds the\n"
	"running system, holders, read-only, write-once optical).\n"
	"\n"
	"  --json    print {\"devices\":[...]} instead of a table\n";

static const char usage_wipe[] =
	"Usage: wipeproof wipe DEV... [--method M] [--verify full|sample|off]\n"
	"                      [--confirm-serial SERIAL]... [--report FILE]... [--json]\n"
	"\n"
	"Overwrites each whole disk DEV, flushes it, and reads it back. Several\n"
	"disks are wiped at once, each on its own; every disk is checked and\n"
	"confirmed before any is written, and one refusal refuses them all.\n"
	"The operator confirms each disk by typing its serial number at the\n"
	"prompt, or passes them with --confirm-serial (required when not on a\n"
	"terminal).\n"
	"\n"
	"  --method M            zero | ones | random | random-zero | zero-ones | dod3, or a\n"
	"                        firmware method (see 'help plan'); default: what 'plan'\n"
	"                        picks (zero-ones for USB sticks and SD cards)\n"
	"  --level L             clear | purge: refuse (exit 3) when the method cannot\n"
	"                        reach that NIST SP 800-88 level on the disk\n"
	"  --remove-hpa          ATA: restore the native max address (until power-off)\n"
	"                        so the wipe covers a Host Protected Area too\n"
	"  --verify MODE         full (default): read every block back;\n"
	"                        sample: a seeded >=10% sample incl. first/last MiB;\n"
	"                        off: no read-back (result 'unverified')\n"
	"  --confirm-serial S    the disk's serial, as 'wipeproof list' shows it;\n"
	"                        once per DEV, in the same order\n"
	"  --report FILE         write the JSON job report to FILE; once per DEV\n"
	"  --report-dir DIR      write each report to DIR/SERIAL-JOBID.json\n"
	"                        (default: /var/lib/wipeproof/reports, config key\n"
	"                        'reports' or WIPEPROOF_REPORTS; the summary names it)\n"
	"  --no-report           keep no job report (a later 'verify' needs one)\n"
	"  --asset TAG           record the wipe in the custody ledger for asset TAG\n"
	"                        (once per DEV); needs --as PERSON, see 'help custody'\n"
	"  --as PERSON           who records it (name or key fingerprint prefix)\n"
	"  --ledger PATH         custody ledger (default /var/lib/wipeproof/ledger.db)\n"
	"  --keys DIR            key store (default /etc/wipeproof/keys)\n"
	"  --passphrase-file F   passphrase of PERSON's key\n"
	"  --json                progress as JSON lines, then one report per disk, on stdout\n"
	"  --force-holders       allow a disk used by LVM/md/dm-crypt (never the system disk)\n"
	"  --chunk SIZE          I/O size, e.g. 4M (default 4M)\n"
	"  --queue-depth N       buffers per disk, 1-16 (default 4; chunk x N <= 64M)\n"
	"\n"
	"With several disks the exit status is the worst disk's: 4, then 1, then 5.\n";

static const char usage_verify[] =
	"Usage: wipeproof verify DEV --report FILE [--verify full|sample] [--json]\n"
	"\n"
	"Re-reads DEV and checks it still holds exactly the final pass of the wipe\n"
	"described by the job report FILE (random passes are regenerated from the\n"
	"key in the report). The device's serial and size must match the report.\n"
	"\n"
	"  --verify MODE   full (default) or sample (the report's seed, if any)\n"
	"  --chunk SIZE, --queue-depth N   as for wipe\n"
	"  --json          print the result as JSON\n";

static const char usage_plan[] =
	"Usage: wipeproof plan DEV [--level clear|purge] [--method M] [--confidentiality CLASS]\n"
	"                      [--json]\n"
	"\n"
	"Shows the method 'wipe' would use on the whole disk DEV, the NIST SP 800-88\n"
	"category it reaches (Clear, Purge; Destroy is advice) and why, which\n"
	"firmware erase methods the disk supports and why the others are not\n"
	"possible, and hidden areas (ATA HPA/DCO, other NVMe namespaces). Asking\n"
	"the disk sends only read-only identify commands, and none at all to loop,\n"
	"virtual or USB-bridged disks. Without --level the plan is Purge where the\n"
	"disk can do it, else Clear.\n"
	"\n"
	"  --level L   clear: an overwrite (verifiable, Clear); purge: a firmware\n"
	"              Purge method, or exit 3 saying why none is possible\n"
	"  --method M  check M instead of choosing: possible here, and which level\n"
	"  --json      print the plan as JSON\n"
	"  --confidentiality CLASS[,CLASS]   refuse a plan below the class's minimum NIST\n"
	"              level (default classes: 機密性3 and 極秘 need Purge; custody/README.md)\n"
	"\n"
	"Firmware methods: ata-secure-erase, ata-secure-erase-enhanced,\n"
	"ata-sanitize-crypto|block|overwrite, nvme-format-user, nvme-format-crypto,\n"
	"nvme-sanitize-crypto|block|overwrite, scsi-sanitize-crypto|block|overwrite,\n"
	"secure-discard. Every one is checked on the medium afterwards: a success\n"
	"status alone never makes a wipe 'sanitized'.\n";

static const char usage_demo[] =
	"Usage: wipeproof demo [--size-mib N]\n"
	"\n"
	"Runs the whole job on a throw-away virtual disk: creates a file, attaches\n"
	"it to a loop device, fills it with sample confidential data, lists disks,\n"
	"wipes it with 'random' and full verification, shows that no sample data\n"
	"remains, prints the job report, re-verifies, then detaches and removes\n"
	"everything (also on failure). Needs root for the loop device.\n"
	"\n"
	"  --size-mib N   size of the virtual disk in MiB (default 64)\n";

void wp_usage(FILE *out, const char *topic)
{
	const char *text = _(usage_main);
	if (topic && strcmp(topic, "list") == 0)
		text = usage_list;
	else if (topic && strcmp(topic, "wipe") == 0)
		text = usage_wipe;
	else if (topic && strcmp(topic, "verify") == 0)
		text = usage_verify;
	else if (topic && strcmp(topic, "plan") == 0)
		text = usage_plan;
	else if (topic && strcmp(topic, "demo") == 0)
		text = usage_demo;
	fputs(text, out);
	fputs(usage_exit, out);
	fputs(_("\nSee README.md and wipeproof(8) for the whole workflow.\n"), out);
}
