/*
 * Command-line parsing and usage text. Parsing only records what was asked
 * and rejects what cannot be right (unknown command, option or method,
 * missing operand); whether a device may be wiped is the guard's business.
 */
#include "cli.h"
#include "options.h"
#include "i18n.h"
#include "custody.h"
#include "wptext.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

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
		snprintf(err, errlen, _("--%s given more than %d times"), name, WP_MAX_DEVICES);
		return -1;
	}
	list[(*n)++] = arg;
	return 0;
}

/* What goes into a report, a signed event or a certificate must be text:
 * checked now, so nothing is written or recorded with a field missing. */
static int check_recorded(int opt, const char *arg, char *err, size_t errlen)
{
	char why[256];
	switch (opt) {
	case WP_O_ASSET: case WP_O_AS: case WP_O_REPORT: case WP_O_REPORT_DIR: case WP_O_LEDGER:
		break;
	default:
		return 0;
	}
	if (opt == WP_O_ASSET)
		return wp_text_check_tag("--asset", arg, WP_ASSET_MAX, err, errlen);
	if (wp_text_check(arg, 4096, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--%s %s", wp_option_name(opt), why);
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
	if (wp_take_who(opt, arg, &cl->as_person, &cl->ledger_path, &cl->keys_dir,
			&cl->passphrase_file))
		return 0;
	switch (opt) {
	case WP_O_HELP:
		cl->help_topic = cl->cmd == WP_CMD_LIST ? "list" : cl->cmd == WP_CMD_WIPE ? "wipe"
			       : cl->cmd == WP_CMD_VERIFY ? "verify" : cl->cmd == WP_CMD_PLAN ? "plan"
			       : "demo";
		cl->cmd = WP_CMD_HELP;
		return 0;
	case WP_O_JSON:
		cl->json = true;
		return 0;
	case WP_O_METHOD:
		if (!wp_method_find(arg)) {
			wp_method_names(names, sizeof(names));
			wp_fw_method_names(fw_names, sizeof(fw_names));
			snprintf(err, errlen, _("unknown method '%s'; choose one of: %s; or a firmware "
				 "method: %s"), arg, names, fw_names);
			return -1;
		}
		cl->method = arg;
		return 0;
	case WP_O_REMOVE_HPA:
		cl->remove_hpa = true;
		return 0;
	case WP_O_NO_REPORT:
		cl->no_report = true;
		return 0;
	case WP_O_CONFIDENTIALITY: /* plan: the class's minimum level (issue 17) */
		cl->confidentiality = arg;
		return 0;
	case WP_O_LEVEL:
		if (wp_level_parse(arg, &cl->level) < 0) {
			snprintf(err, errlen, _("unknown level '%s'; choose clear or purge (NIST SP 800-88)"),
				 arg);
			return -1;
		}
		return 0;
	case WP_O_VERIFY:
		if (wp_verify_mode_parse(arg, &cl->verify_mode) < 0) {
			snprintf(err, errlen, _("unknown verification '%s'; choose full, sample or off"), arg);
			return -1;
		}
		cl->verify_set = true;
		return 0;
	case WP_O_CONFIRM:
		return push_per_device(cl->confirm_serials, &cl->n_confirm, arg,
				       "confirm-serial", err, errlen);
	case WP_O_REPORT:
		return push_per_device(cl->report_paths, &cl->n_reports, arg, "report",
				       err, errlen);
	case WP_O_ASSET:
		return push_per_device(cl->assets, &cl->n_assets, arg, "asset", err, errlen);
	case WP_O_REPORT_DIR:
		cl->report_dir = arg;
		return 0;
	case WP_O_DEPTH:
		if (parse_size(arg, &n) < 0 || n < 1 || n > 16) {
			snprintf(err, errlen, _("--queue-depth '%s' must be a whole number from 1 to 16"), arg);
			return -1;
		}
		cl->queue_depth = (size_t)n;
		return 0;
	case WP_O_FORCE_HOLDERS:
		cl->force_holders = true;
		return 0;
	case WP_O_CHUNK:
		if (parse_size(arg, &n) < 0 || n == 0 || n % 4096 != 0 || n > (256ull << 20)) {
			snprintf(err, errlen, _("--chunk '%s' must be a multiple of 4096 bytes up to 256M (e.g. 4M)"), arg);
			return -1;
		}
		cl->chunk_bytes = (size_t)n;
		return 0;
	case WP_O_SIZE:
		if (parse_size(arg, &n) < 0 || n < 2 || n > 4096) {
			snprintf(err, errlen, _("--size-mib '%s' must be a whole number from 2 to 4096"), arg);
			return -1;
		}
		cl->demo_size_mib = (unsigned)n;
		return 0;
	}
	return -1;
}

static int take(void *cl, int opt, const char *arg, char *err, size_t errlen)
{
	return take_option(cl, opt, arg, err, errlen);
}

static int parse_options(int argc, char **argv, struct wp_cmdline *cl,
			 char *err, size_t errlen)
{
	return wp_options_parse(argv[0], argc, argv, take, cl, err, errlen);
}

static int check_count(size_t given, size_t devices, const char *name, char *err,
		       size_t errlen)
{
	if (given == 0 || given == devices)
		return 0;
	snprintf(err, errlen, _("--%s was given %zu time(s) for %zu device(s); give it once per "
		 "device, in the order of the devices"), name, given, devices);
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
		snprintf(err, errlen, _("give either --report FILE per device or --report-dir DIR, not both"));
		return -1;
	}
	if (cl->no_report && (cl->n_reports || cl->report_dir || cl->n_assets)) {
		snprintf(err, errlen, _("--no-report keeps no job report; it cannot go with --report, "
			 "--report-dir or --asset (the ledger records the report's digest)"));
		return -1;
	}
	if (cl->n_assets && !wp_cli_operator(cl->as_person)) {
		snprintf(err, errlen, _("--asset records the wipe in the custody ledger: say who you are "
			 "with --as PERSON (or WIPEPROOF_AS)"));
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
	snprintf(err, errlen, _("--chunk %zuK x --queue-depth %zu is %zu MiB of buffers per disk, "
		 "over the budget of %u MiB; give a smaller --chunk or --queue-depth (at queue "
		 "depth %zu, --chunk %zuK at most)"), chunk >> 10, depth, (chunk * depth) >> 20,
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
			snprintf(err, errlen, _("'%s' takes no device; unexpected '%s'"), argv[0], argv[first]);
			return -1;
		}
		return 0;
	}
	if (n == 0) {
		snprintf(err, errlen, _("'%s' needs a device, e.g. 'wipeproof %s /dev/sdb'; run 'wipeproof list' to see disks"),
			 argv[0], argv[0]);
		return -1;
	}
	if (n > 1 && cl->cmd != WP_CMD_WIPE) {
		snprintf(err, errlen, _("'%s' takes one device (got '%s' and '%s')"), argv[0],
			 argv[first], argv[first + 1]);
		return -1;
	}
	if (n > WP_MAX_DEVICES) {
		snprintf(err, errlen, _("'wipe' takes at most %d devices at once (got %d)"),
			 WP_MAX_DEVICES, n);
		return -1;
	}
	for (int i = 0; i < n; i++)
		cl->devices[cl->n_devices++] = argv[first + i];
	if (check_memory_budget(cl, err, errlen) < 0)
		return -1;
	if (cl->cmd == WP_CMD_VERIFY && cl->n_reports != 1) {
		snprintf(err, errlen, _("'verify' needs the job report of the wipe: --report FILE (once)"));
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
	out->cmd = wp_command_of(word);
	if (out->cmd == WP_CMD_NONE) {
		snprintf(err, errlen, _("unknown command '%s'; commands: list, plan, wipe, verify, demo, watch, freespace, resume, config, keys, custody, cert, help"), word);
		return -1;
	}
	int first = parse_options(argc - 1, argv + 1, out, err, errlen);
	if (first < 0)
		return -1;
	return take_operands(argc - 1, argv + 1, first, out, err, errlen);
}
