/*
 * wipeproof watch: station mode. Follows whole disks arriving and leaving
 * (udev/'s monitor, wp_media_monitor_*), prints each with its identity and
 * whether it is protected, and optionally takes each new disk into the
 * custody ledger (--intake) and wipes it unattended where the station
 * policy allows it (--auto-wipe, through wp_cli_wipe_batch with --asset, so
 * verification, ledger events and the certificate are those of `wipe`).
 * What to do with a disk and the intake event are station/'s (intake.c);
 * here are the options, the asset tag asked on the terminal, and output.
 */
#include "station_cli.h"
#include "wptext.h"
#include "i18n.h"
#include "options.h"
#include "custody_cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct watch_opts {
	bool json, intake, auto_wipe, help;
	const char *asset_prefix, *reason, *policy_path;
	const char *as, *ledger, *keys_dir, *passphrase_file;
};

struct watch {
	struct watch_opts o;
	struct wp_station_policy policy;
	struct wp_intake_setup setup;
};

/* marked for xgettext; translated where printed */
static const char *const usage_watch = N_(
	"Usage: wipeproof watch [--json] [--intake [--asset-prefix P]] [--auto-wipe]\n"
	"                       [--policy FILE] [--as PERSON]\n"
	"\n"
	"Station mode: prints every whole disk that arrives or leaves, with its\n"
	"identity and whether it is PROTECTED, until SIGINT/SIGTERM. Disks present\n"
	"at the start are not reported.\n"
	"\n"
	"  --json               one JSON object per line: ready, arrival, removal,\n"
	"                       intake, skipped, then wipe progress and reports\n"
	"  --intake             record an intake in the custody ledger for each new\n"
	"                       disk that is not protected; the asset tag is asked\n"
	"                       for on the terminal, or is P + serial\n"
	"  --asset-prefix P     asset tag P + serial, without asking\n"
	"  --reason R           intake reason (lease-end, leaver-return, reuse, repair,\n"
	"                       disposal)\n"
	"  --auto-wipe          also wipe each new disk the station policy allows,\n"
	"                       verified, with its certificate; never a protected disk\n"
	"  --policy FILE        station policy (default /etc/wipeproof/station, or\n"
	"                       WIPEPROOF_STATION); with it, only disks the policy\n"
	"                       allows are taken in\n"
	"  --as PERSON, --ledger PATH, --keys DIR, --passphrase-file F   as for wipe\n"
	"\n"
	"Station policy, 'key = value' lines:\n"
	"  auto-wipe = yes            transports = usb        kinds = usb\n"
	"  method = random            verify = full|sample    asset-prefix = USB-\n"
	"  intake-reason = reuse      loop-backing-dir = /path (test stations)\n"
	"  confidentiality = 機密性1   the class its intakes record (custody/README.md)\n"
	"The ledger decides whether a wipe needs an approval first ('custody init\n"
	"--no-approval-required' for a USB quick-wipe station).\n");

void wp_watch_usage(FILE *out)
{
	fputs(_(usage_watch), out);
}

static int take_option(void *ctx, int c, const char *arg, char *err, size_t errlen)
{
	struct watch_opts *o = ctx;
	(void)err, (void)errlen;
	if (wp_take_who(c, arg, &o->as, &o->ledger, &o->keys_dir, &o->passphrase_file))
		return 0;
	switch (c) {
	case WP_O_JSON: o->json = true; break;
	case WP_O_INTAKE: o->intake = true; break;
	case WP_O_PREFIX: o->asset_prefix = arg; break;
	case WP_O_REASON: o->reason = arg; break;
	case WP_O_AUTO: o->auto_wipe = true; break;
	case WP_O_POLICY: o->policy_path = arg; break;
	case WP_O_HELP: o->help = true; break;
	}
	return 0;
}

/* 0, 1 for --help, -1 with a message. */
static int parse(int argc, char **argv, struct watch_opts *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	int first = wp_options_parse("watch", argc, argv, take_option, o, err, errlen);
	if (first < 0)
		return -1;
	if (o->help)
		return 1;
	if (first < argc) {
		snprintf(err, errlen, _("'watch' takes no device; unexpected '%s'"), argv[first]);
		return -1;
	}
	if (!o->policy_path && wp_cli_config()->policy[0])
		o->policy_path = wp_cli_config()->policy;
	if (o->auto_wipe)
		o->intake = true; /* a wipe in the ledger needs the asset taken in */
	if (!o->as)
		o->as = wp_cli_operator(NULL);
	if (o->intake && (!o->as || !o->as[0])) {
		snprintf(err, errlen, _("--intake and --auto-wipe record in the custody ledger: say "
			 "who you are with --as PERSON (or WIPEPROOF_AS)"));
		return -1;
	}
	return 0;
}

/* ---- output ------------------------------------------------------------ */

static void emit_json(json_t *o)
{
	if (!o)
		return;
	json_dumpf(o, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(o);
}

static void stamp(char *buf, size_t len)
{
	wp_utc_format(time(NULL), buf, len);
}

static void print_arrival(const struct watch *w, const struct wp_device *dev)
{
	char t[32], desc[512];
	stamp(t, sizeof(t));
	if (w->o.json) {
		emit_json(json_pack("{s:s, s:s, s:s, s:o}", "event", "arrival", "time", t, "path",
				    dev->path, "device", wp_device_to_json(dev)));
		return;
	}
	wp_device_describe(dev, desc, sizeof(desc));
	printf(_("%s  arrived  %s  %s%s\n"), t, dev->path, desc, dev->protected_ ? _("  PROTECTED") : "");
	for (size_t i = 0; i < dev->n_reasons; i++)
		printf(_("    protected: %s\n"), dev->reasons[i].text);
	fflush(stdout);
}

static void print_removal(const struct watch *w, const struct wp_media_event *ev)
{
	char t[32];
	stamp(t, sizeof(t));
	if (w->o.json)
		emit_json(json_pack("{s:s, s:s, s:s, s:s}", "event", "removal", "time", t, "path",
				    ev->path, "serial", ev->serial));
	else
		printf(_("%s  removed  %s  (serial %s)\n"), t, ev->path,
		       ev->serial[0] ? ev->serial : _("none"));
	fflush(stdout);
}

/* A disk the station leaves alone, and why. */
static void print_skipped(const struct watch *w, const struct wp_device *dev, const char *why)
{
	if (w->o.json)
		emit_json(json_pack("{s:s, s:s, s:s}", "event", "skipped", "path", dev->path,
				    "reason", why));
	else
		printf(_("    not handled: %s\n"), why);
	fflush(stdout);
}

/* ---- intake and wipe ----------------------------------------------------- */

static bool ask_asset(const struct wp_device *dev, char *out, size_t len)
{
	fprintf(stderr, _("Asset tag for %s (serial %s), empty to skip: "), dev->path, dev->serial);
	if (!fgets(out, (int)len, stdin))
		return false;
	out[strcspn(out, "\r\n")] = '\0';
	char why[256] = "";
	/* the same checks as --asset: text, not blank, no outer spaces */
	if (out[0] && (wp_text_check(out, WP_ASSET_MAX, why, sizeof(why)) < 0 ||
		       !out[strspn(out, " ")] || out[0] == ' ' || out[strlen(out) - 1] == ' ')) {
		fprintf(stderr, _("wipeproof: asset tag refused: %s; the disk is skipped\n"),
			why[0] ? why : _("blank, or begins or ends with a space"));
		return false;
	}
	return out[0] != '\0';
}

static int intake(const struct watch *w, const struct wp_device *dev, char *asset, size_t len)
{
	char err[1024], hash[WP_HASH_HEX], ca_path[4200];
	const char *ledger = wp_cli_ledger(w->o.ledger);
	const char *keys = wp_cli_keys(w->o.keys_dir);
	if (w->setup.asset_prefix)
		wp_intake_asset_tag(w->setup.asset_prefix, dev->serial, asset, len);
	else if (!ask_asset(dev, asset, len))
		return -1;
	snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", keys);
	if (wp_intake_already(ledger, ca_path, asset, dev->serial))
		return 0;
	struct wp_identity *actor = NULL;
	uint64_t seq = 0;
	int rc = wp_identity_load(keys, w->o.as, w->o.passphrase_file, &actor, err, sizeof(err)) < 0
		 ? WP_CUSTODY_ERROR
		 : wp_intake_record(ledger, actor, dev, asset, w->setup.reason,
				    w->setup.policy && w->setup.policy->confidentiality[0]
				    ? w->setup.policy->confidentiality : NULL, &seq, hash, err,
				    sizeof(err));
	if (rc == 0)
		wp_custody_print_recorded(w->o.json, WP_EV_INTAKE, asset, actor, seq, hash);
	else
		fprintf(stderr, _("wipeproof: custody intake: %s\n"), err);
	wp_identity_free(actor);
	fflush(stdout);
	return rc == 0 ? 0 : -1;
}

static void auto_wipe(const struct watch *w, const struct wp_device *dev, const char *asset)
{
	struct wp_wipe_request req = {
		.device = dev->path, .asset = asset,
		.confirm_serial = dev->serial[0] ? dev->serial : dev->name,
	};
	struct wp_wipe_options opts = {
		.method = w->policy.method, .verify_mode = w->policy.verify, .json = w->o.json,
		.as_person = w->o.as, .ledger_path = w->o.ledger, .keys_dir = w->o.keys_dir,
		.passphrase_file = w->o.passphrase_file,
		/* nobody stands at an unattended station to validate */
		.single_signature = w->policy.single_signature
					    ? "station policy (single-signature = yes): unattended wipe at a "
					      "station whose policy allows one signature"
					    : NULL,
	};
	struct wp_job *job = calloc(1, sizeof(*job));
	if (!job)
		return;
	int code = wp_cli_wipe_batch(&req, 1, &opts, job);
	if (w->o.json)
		emit_json(json_pack("{s:s, s:s, s:s, s:i}", "event", "auto-wipe", "path", dev->path,
				    "asset", asset, "exit", code));
	else
		printf(_("    auto-wipe of %s as %s: exit %d\n"), dev->path, asset, code);
	fflush(stdout);
	free(job);
}

static void handle_arrival(struct watch *w, const struct wp_device *dev)
{
	char why[512], asset[WP_ASSET_MAX];
	print_arrival(w, dev);
	switch (wp_intake_decide(&w->setup, dev, why, sizeof(why))) {
	case WP_INTAKE_IGNORE:
		break;
	case WP_INTAKE_SKIP:
		print_skipped(w, dev, why);
		break;
	case WP_INTAKE_TAKE_IN:
		intake(w, dev, asset, sizeof(asset));
		break;
	case WP_INTAKE_WIPE:
		if (intake(w, dev, asset, sizeof(asset)) == 0)
			auto_wipe(w, dev, asset);
		break;
	}
}

static void print_ready(const struct watch *w, const struct wp_media_monitor *m)
{
	const char *source = wp_media_monitor_source(m);
	size_t present = wp_media_monitor_known(m);
	if (w->o.json) {
		emit_json(json_pack("{s:s, s:s, s:i}", "event", "ready", "source", source,
				    "present", (int)present));
		return;
	}
	printf(_("watching for disks (%s events, %zu present); stop with Ctrl-C\n"), source,
	       present);
	fflush(stdout);
}

static int monitor(struct watch *w, char *err, size_t errlen)
{
	struct wp_media_monitor *m = NULL;
	struct wp_media_event ev;
	if (wp_media_monitor_open(&m, err, errlen) < 0)
		return -1;
	print_ready(w, m);
	while (!wp_stop_flag) {
		if (wp_media_monitor_next(m, 250, &ev) <= 0)
			continue;
		if (ev.kind == WP_MEDIA_REMOVED)
			print_removal(w, &ev);
		else if (ev.kind == WP_MEDIA_UNREADABLE)
			fprintf(stderr, _("wipeproof: watch: %s: %s\n"), ev.path, ev.err);
		else
			handle_arrival(w, ev.dev);
	}
	wp_media_monitor_close(m);
	return 0;
}

int wp_cmd_watch_main(int argc, char **argv)
{
	char err[1024];
	struct watch *w = calloc(1, sizeof(*w));
	if (!w)
		return WP_EXIT_FAILED;
	int p = parse(argc, argv, &w->o, err, sizeof(err));
	w->setup = (struct wp_intake_setup){ .intake = w->o.intake, .auto_wipe = w->o.auto_wipe,
					     .asset_prefix = w->o.asset_prefix, .reason = w->o.reason };
	if (p == 0 && wp_intake_setup_resolve(&w->setup, w->o.policy_path, &w->policy,
					      isatty(STDIN_FILENO), err, sizeof(err)) < 0)
		p = -1;
	if (p > 0)
		wp_watch_usage(stdout);
	else if (p < 0)
		fprintf(stderr, _("wipeproof: watch: %s\n"), err);
	int code = p > 0 ? WP_EXIT_OK : p < 0 ? WP_EXIT_USAGE : WP_EXIT_OK;
	if (p == 0) {
		wp_signals_install();
		code = monitor(w, err, sizeof(err)) == 0 ? WP_EXIT_OK : WP_EXIT_FAILED;
		if (code != WP_EXIT_OK)
			fprintf(stderr, _("wipeproof: watch: %s\n"), err);
	}
	free(w);
	return code;
}
