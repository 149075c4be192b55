/*
 * wipeproof watch: station mode. Follows whole disks arriving and leaving
 * through a libudev monitor, prints each with its identity and whether it
 * is protected, and optionally takes each new disk into the custody ledger
 * (--intake) and wipes it unattended where the station policy allows it
 * (--auto-wipe, through wp_wipe_devices with --asset, so verification,
 * ledger events and the certificate are those of `wipe`).
 *
 * Which monitor source: "udev" when a udev daemon runs (its events come
 * after its rules, with its properties), else "kernel" (stations and the
 * test machine often run without systemd-udevd).
 *
 * What counts as an arrival: an `add` with a size, or a `change` that gives
 * a disk we do not know a size (a loop device being attached, a card put
 * into a reader: the node exists before and after). A `remove`, or a
 * `change` that takes a known disk's size to 0, is a removal.
 */
#include "station_cli.h"
#include "wptext.h"
#include "i18n.h"
#include "custody_cli.h"

#include <errno.h>
#include <getopt.h>
#include <libudev.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define WATCH_MAX_KNOWN 256

struct watch_opts {
	bool json, intake, auto_wipe;
	const char *asset_prefix, *reason, *policy_path;
	const char *as, *ledger, *keys_dir, *passphrase_file;
};

struct known_disk {
	dev_t devno;
	char path[64];
	char serial[128];
};

struct watch {
	struct watch_opts o;
	struct wp_station_policy policy;
	bool have_policy;
	size_t n_known;
	struct known_disk known[WATCH_MAX_KNOWN];
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

enum { O_JSON = 1, O_INTAKE, O_PREFIX, O_REASON, O_AUTO, O_POLICY, O_AS, O_LEDGER, O_KEYS,
       O_PASS, O_HELP };

static const struct option watch_options[] = {
	{ "json", no_argument, NULL, O_JSON },
	{ "intake", no_argument, NULL, O_INTAKE },
	{ "asset-prefix", required_argument, NULL, O_PREFIX },
	{ "reason", required_argument, NULL, O_REASON },
	{ "auto-wipe", no_argument, NULL, O_AUTO },
	{ "policy", required_argument, NULL, O_POLICY },
	{ "as", required_argument, NULL, O_AS },
	{ "ledger", required_argument, NULL, O_LEDGER },
	{ "keys", required_argument, NULL, O_KEYS },
	{ "passphrase-file", required_argument, NULL, O_PASS },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

static int take_option(struct watch_opts *o, int c)
{
	switch (c) {
	case O_JSON: o->json = true; return 0;
	case O_INTAKE: o->intake = true; return 0;
	case O_PREFIX: o->asset_prefix = optarg; return 0;
	case O_REASON: o->reason = optarg; return 0;
	case O_AUTO: o->auto_wipe = true; return 0;
	case O_POLICY: o->policy_path = optarg; return 0;
	case O_AS: o->as = optarg; return 0;
	case O_LEDGER: o->ledger = optarg; return 0;
	case O_KEYS: o->keys_dir = optarg; return 0;
	case O_PASS: o->passphrase_file = optarg; return 0;
	}
	return -1;
}

/* 0, 1 for --help, -1 with a message. */
static int parse(int argc, char **argv, struct watch_opts *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", watch_options, NULL)) != -1) {
		if (c == 'h' || c == O_HELP)
			return 1;
		if (take_option(o, c) < 0) {
			snprintf(err, errlen, "unknown option or missing value in '%s'; see "
				 "'wipeproof help watch'", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "'watch' takes no device; unexpected '%s'", argv[optind]);
		return -1;
	}
	if (!o->policy_path)
		o->policy_path = getenv("WIPEPROOF_STATION");
	if (o->auto_wipe)
		o->intake = true; /* a wipe in the ledger needs the asset taken in */
	if (!o->as)
		o->as = getenv("WIPEPROOF_AS");
	if (o->intake && (!o->as || !o->as[0])) {
		snprintf(err, errlen, "--intake and --auto-wipe record in the custody ledger: say "
			 "who you are with --as PERSON (or WIPEPROOF_AS)");
		return -1;
	}
	return 0;
}

/* The policy is read once at the start: a station whose policy is wrong
 * must not start at all. */
static int load_policy(struct watch *w, char *err, size_t errlen)
{
	const char *path = w->o.policy_path;
	if (!path && !w->o.auto_wipe)
		return 0;
	if (!path)
		path = WP_STATION_POLICY_DEFAULT;
	if (wp_station_policy_load(path, &w->policy, err, errlen) < 0)
		return -1;
	w->have_policy = true;
	if (!w->o.asset_prefix && w->policy.asset_prefix[0])
		w->o.asset_prefix = w->policy.asset_prefix;
	if (!w->o.reason && w->policy.intake_reason[0])
		w->o.reason = w->policy.intake_reason;
	if (w->o.auto_wipe && !w->policy.auto_wipe) {
		snprintf(err, errlen, "--auto-wipe: the station policy %s does not say "
			 "'auto-wipe = yes'; nothing would be wiped", path);
		return -1;
	}
	return 0;
}

/* Every disk taken in needs an asset tag: from the prefix, or asked. */
static int check_asset_source(const struct watch *w, char *err, size_t errlen)
{
	if (w->o.intake && !w->o.asset_prefix && (w->o.auto_wipe || !isatty(STDIN_FILENO))) {
		snprintf(err, errlen, "%s needs an asset tag per disk without a terminal to ask on: "
			 "give --asset-prefix P (or asset-prefix in the policy)",
			 w->o.auto_wipe ? "--auto-wipe" : "--intake");
		return -1;
	}
	return 0;
}

/* ---- known disks ------------------------------------------------------- */

static struct known_disk *find_known(struct watch *w, dev_t devno)
{
	for (size_t i = 0; i < w->n_known; i++)
		if (w->known[i].devno == devno)
			return &w->known[i];
	return NULL;
}

static void remember(struct watch *w, const struct wp_device *dev)
{
	struct known_disk *k = find_known(w, dev->devno);
	if (!k && w->n_known < WATCH_MAX_KNOWN)
		k = &w->known[w->n_known++];
	if (!k)
		return;
	k->devno = dev->devno;
	snprintf(k->path, sizeof(k->path), "%s", dev->path);
	snprintf(k->serial, sizeof(k->serial), "%s", dev->serial);
}

static void forget(struct watch *w, struct known_disk *k)
{
	*k = w->known[--w->n_known];
}

static int baseline(struct watch *w, char *err, size_t errlen)
{
	struct wp_device_list list;
	if (wp_media_enumerate(&list, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < list.n; i++)
		if (list.items[i].size_bytes > 0)
			remember(w, &list.items[i]);
	wp_media_list_free(&list);
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
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
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

static void print_removal(const struct watch *w, const struct known_disk *k)
{
	char t[32];
	stamp(t, sizeof(t));
	if (w->o.json)
		emit_json(json_pack("{s:s, s:s, s:s, s:s}", "event", "removal", "time", t, "path",
				    k->path, "serial", k->serial));
	else
		printf(_("%s  removed  %s  (serial %s)\n"), t, k->path, k->serial[0] ? k->serial : _("none"));
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

/* P + serial, with anything outside [A-Za-z0-9._-] replaced: an asset tag
 * ends up in report and certificate file names. */
static void asset_from_serial(const char *prefix, const char *serial, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "%s", prefix);
	for (size_t i = 0; serial[i] && n + 1 < len; i++) {
		char c = serial[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		out[n++] = ok ? c : '_';
	}
	out[n < len ? n : len - 1] = '\0';
}

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

/* Already taken in with this serial (a disk plugged in again)? */
static bool already_taken_in(const struct watch *w, const char *asset, const char *serial)
{
	char err[512];
	struct wp_ledger *l = NULL;
	struct wp_asset_state st;
	bool same = false;
	char ca_path[4200];
	X509 *ca = NULL;
	/* read from a verified pass, like every other reader of the events */
	snprintf(ca_path, sizeof(ca_path), "%s/ca.pem", wp_keys_dir_resolve(w->o.keys_dir));
	if (wp_cert_load(ca_path, &ca, err, sizeof(err)) == 0 &&
	    wp_ledger_open_readonly(wp_ledger_path_resolve(w->o.ledger), &l, err, sizeof(err)) == 0 &&
	    wp_ledger_set_ca(l, ca, err, sizeof(err)) == 0 &&
	    wp_custody_state(l, asset, &st, err, sizeof(err)) == 0)
		same = st.exists && strcmp(st.serial, serial) == 0;
	wp_ledger_close(l);
	X509_free(ca);
	return same;
}

static int intake(const struct watch *w, const struct wp_device *dev, char *asset, size_t len)
{
	if (!dev->serial[0]) {
		print_skipped(w, dev, "the disk reports no serial number; take it in by hand with "
			      "'wipeproof custody intake --serial S --model M'");
		return -1;
	}
	if (w->o.asset_prefix)
		asset_from_serial(w->o.asset_prefix, dev->serial, asset, len);
	else if (!ask_asset(dev, asset, len))
		return -1;
	if (already_taken_in(w, asset, dev->serial))
		return 0;
	struct wp_kopts k = {
		.group = "custody", .sub = "intake", .asset = asset, .device = dev->path,
		.as = w->o.as, .keys_dir = w->o.keys_dir, .ledger = w->o.ledger,
		.passphrase_file = w->o.passphrase_file, .reason = w->o.reason, .json = w->o.json,
		.confidentiality = w->policy.confidentiality[0] ? w->policy.confidentiality : NULL,
	};
	int code = wp_custody_write(&k);
	fflush(stdout);
	return code == WP_EXIT_OK ? 0 : -1;
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
	int code = wp_wipe_devices(&req, 1, &opts, job);
	if (w->o.json)
		emit_json(json_pack("{s:s, s:s, s:s, s:i}", "event", "auto-wipe", "path", dev->path,
				    "asset", asset, "exit", code));
	else
		printf(_("    auto-wipe of %s as %s: exit %d\n"), dev->path, asset, code);
	fflush(stdout);
	free(job);
}

static void handle_arrival(struct watch *w, const char *node)
{
	char err[512], why[512], asset[WP_ASSET_MAX];
	struct wp_device *dev = calloc(1, sizeof(*dev));
	if (!dev || wp_media_probe(node, NULL, dev, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: watch: %s: %s\n", node, dev ? err : "out of memory");
		free(dev);
		return;
	}
	remember(w, dev);
	print_arrival(w, dev);
	if (!w->o.intake)
		goto out;
	if (dev->protected_)
		print_skipped(w, dev, "protected");
	else if (w->have_policy && !wp_station_policy_allows(&w->policy, dev, why, sizeof(why)))
		print_skipped(w, dev, why);
	else if (intake(w, dev, asset, sizeof(asset)) == 0 && w->o.auto_wipe)
		auto_wipe(w, dev, asset);
out:
	free(dev);
}

/* ---- the monitor --------------------------------------------------------- */

static bool ignored_name(const char *name)
{
	static const char *const prefixes[] = { "ram", "zram", "dm-", "md" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

static void handle_event(struct watch *w, struct udev_device *d)
{
	const char *action = udev_device_get_action(d), *node = udev_device_get_devnode(d);
	const char *name = udev_device_get_sysname(d);
	const char *size = udev_device_get_sysattr_value(d, "size");
	if (!action || !node || !name || ignored_name(name))
		return;
	struct known_disk *k = find_known(w, udev_device_get_devnum(d));
	bool has_size = size && strtoull(size, NULL, 10) > 0;
	if (strcmp(action, "remove") == 0 || (strcmp(action, "change") == 0 && !has_size)) {
		if (k) {
			print_removal(w, k);
			forget(w, k);
		}
		return;
	}
	bool is_add = strcmp(action, "add") == 0;
	if (has_size && (is_add || (strcmp(action, "change") == 0 && !k)))
		handle_arrival(w, node);
}

static void print_ready(const struct watch *w, const char *source)
{
	if (w->o.json) {
		emit_json(json_pack("{s:s, s:s, s:i}", "event", "ready", "source", source,
				    "present", (int)w->n_known));
		return;
	}
	printf(_("watching for disks (%s events, %zu present); stop with Ctrl-C\n"), source,
	       w->n_known);
	fflush(stdout);
}

static int monitor(struct watch *w, char *err, size_t errlen)
{
	const char *source = access("/run/udev/control", F_OK) == 0 ? "udev" : "kernel";
	struct udev *u = udev_new();
	struct udev_monitor *m = u ? udev_monitor_new_from_netlink(u, source) : NULL;
	int rc = -1;
	if (!m || udev_monitor_filter_add_match_subsystem_devtype(m, "block", "disk") < 0 ||
	    udev_monitor_enable_receiving(m) < 0) {
		snprintf(err, errlen, "cannot listen for %s device events (netlink): %s; watch "
			 "needs root", source, strerror(errno));
		goto out;
	}
	/* listening first, then the baseline: no arrival falls in between */
	if (baseline(w, err, errlen) < 0)
		goto out;
	print_ready(w, source);
	struct pollfd p = { .fd = udev_monitor_get_fd(m), .events = POLLIN };
	while (!wp_stop_flag) {
		if (poll(&p, 1, 250) <= 0)
			continue;
		struct udev_device *d = udev_monitor_receive_device(m);
		if (d)
			handle_event(w, d);
		udev_device_unref(d);
	}
	rc = 0;
out:
	udev_monitor_unref(m);
	udev_unref(u);
	return rc;
}

int wp_cmd_watch_main(int argc, char **argv)
{
	char err[1024];
	struct watch *w = calloc(1, sizeof(*w));
	if (!w)
		return WP_EXIT_FAILED;
	int p = parse(argc, argv, &w->o, err, sizeof(err));
	if (p == 0 && (load_policy(w, err, sizeof(err)) < 0 ||
		       check_asset_source(w, err, sizeof(err)) < 0))
		p = -1;
	if (p > 0)
		wp_watch_usage(stdout);
	else if (p < 0)
		fprintf(stderr, "wipeproof: watch: %s\n", err);
	int code = p > 0 ? WP_EXIT_OK : p < 0 ? WP_EXIT_USAGE : WP_EXIT_OK;
	if (p == 0) {
		wp_signals_install();
		code = monitor(w, err, sizeof(err)) == 0 ? WP_EXIT_OK : WP_EXIT_FAILED;
		if (code != WP_EXIT_OK)
			fprintf(stderr, "wipeproof: watch: %s\n", err);
	}
	free(w);
	return code;
}
