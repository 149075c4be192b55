/*
 * wipeproof freespace MOUNTPOINT: wipe the reusable area of a mounted
 * filesystem (R9) with one random pass (wipe/freespace.c), verified by
 * reading it back, and with --asset record it in the custody ledger as a
 * note whose members say what was covered.
 *
 * Why a note and not a wipe event: the asset is not sanitized — its live
 * files are untouched — so nothing here may look like a wipe-end or make
 * a certificate of sanitization possible.
 */
#include "station.h"
#include "i18n.h"
#include "custody_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct fs_opts {
	const char *mountpoint;
	const char *asset, *as, *ledger, *keys_dir, *passphrase_file;
	bool json;
};

struct mount_info {
	char dir[4096];
	char source[4096];
	char fstype[64];
};

/* marked for xgettext; translated where printed */
static const char *const usage_freespace = N_(
	"Usage: wipeproof freespace MOUNTPOINT [--json] [--asset TAG --as PERSON]\n"
	"\n"
	"Fills the free space of the filesystem mounted at MOUNTPOINT with random\n"
	"data (AES-256-CTR, one pass) in temporary files, flushes them, reads every\n"
	"file back against the pattern, then deletes them. Live files are not\n"
	"touched. As root the blocks reserved for root are filled too. Reports the\n"
	"bytes covered against the free space. Refuses a read-only mount (exit 3).\n"
	"\n"
	"  --json               progress and the result as JSON lines on stdout\n"
	"  --asset TAG          record the result in the custody ledger as a note\n"
	"                       on asset TAG (the server or PC the filesystem is on)\n"
	"  --as PERSON          who records it (or WIPEPROOF_AS)\n"
	"  --ledger PATH        custody ledger (default /var/lib/wipeproof/ledger.db)\n"
	"  --keys DIR           key store (default /etc/wipeproof/keys)\n"
	"  --passphrase-file F  passphrase of PERSON's key\n");

void wp_freespace_usage(FILE *out)
{
	fputs(_(usage_freespace), out);
}

enum { O_JSON = 1, O_ASSET, O_AS, O_LEDGER, O_KEYS, O_PASS, O_HELP };

static const struct option fs_options[] = {
	{ "json", no_argument, NULL, O_JSON },
	{ "asset", required_argument, NULL, O_ASSET },
	{ "as", required_argument, NULL, O_AS },
	{ "ledger", required_argument, NULL, O_LEDGER },
	{ "keys", required_argument, NULL, O_KEYS },
	{ "passphrase-file", required_argument, NULL, O_PASS },
	{ "help", no_argument, NULL, O_HELP },
	{ NULL, 0, NULL, 0 },
};

/* 0, 1 for --help, -1 with a message. */
static int parse(int argc, char **argv, struct fs_opts *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	optind = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "h", fs_options, NULL)) != -1) {
		switch (c) {
		case O_JSON: o->json = true; break;
		case O_ASSET: o->asset = optarg; break;
		case O_AS: o->as = optarg; break;
		case O_LEDGER: o->ledger = optarg; break;
		case O_KEYS: o->keys_dir = optarg; break;
		case O_PASS: o->passphrase_file = optarg; break;
		case 'h': case O_HELP: return 1;
		default:
			snprintf(err, errlen, "unknown option or missing value in '%s'; see "
				 "'wipeproof help freespace'", argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != 1) {
		snprintf(err, errlen, "'freespace' takes one mount point, e.g. 'wipeproof freespace "
			 "/srv'; see 'findmnt' for mounted filesystems");
		return -1;
	}
	o->mountpoint = argv[optind];
	if (o->asset && !o->as && !getenv("WIPEPROOF_AS")) {
		snprintf(err, errlen, "--asset records the result in the custody ledger: say who you "
			 "are with --as PERSON (or WIPEPROOF_AS)");
		return -1;
	}
	return 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++, w++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] && r[3]) {
			*w = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 3;
		} else {
			*w = *r;
		}
	}
	*w = '\0';
}

/* The mount whose mount point is exactly DIR (the last one: mounts stack). */
static int find_mount(const char *dir, struct mount_info *m, char *err, size_t errlen)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[8192];
	bool found = false;
	if (!f) {
		snprintf(err, errlen, "cannot read /proc/self/mountinfo: %s", strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char mnt[4096], fstype[64], source[4096];
		char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %4095s", fstype, source) != 2)
			continue;
		unescape(mnt);
		unescape(source);
		if (strcmp(mnt, dir) != 0)
			continue;
		found = true;
		snprintf(m->dir, sizeof(m->dir), "%s", mnt);
		snprintf(m->fstype, sizeof(m->fstype), "%s", fstype);
		snprintf(m->source, sizeof(m->source), "%s", source);
	}
	fclose(f);
	if (!found)
		snprintf(err, errlen, "%.512s is not a mount point; give the folder the filesystem "
			 "is mounted on (see 'findmnt')", dir);
	return found ? 0 : -1;
}

static int resolve_mount(const char *arg, struct mount_info *m, char *err, size_t errlen)
{
	char real[4096];
	if (!realpath(arg, real)) {
		snprintf(err, errlen, "cannot find %s: %s; give a mount point such as /srv", arg,
			 strerror(errno));
		return -1;
	}
	return find_mount(real, m, err, errlen);
}

static double percent(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 100.0;
}

static void print_result(const struct fs_opts *o, const struct mount_info *m,
			 const struct wp_freespace_result *r, const char *result)
{
	if (o->json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:i, s:f}",
				      "event", "freespace", "result", result, "mountpoint", m->dir,
				      "device", m->source, "fstype", m->fstype,
				      "total_bytes", (json_int_t)r->total_bytes,
				      "free_bytes", (json_int_t)r->free_bytes,
				      "free_left_bytes", (json_int_t)r->free_left_bytes,
				      "bytes_written", (json_int_t)r->bytes_written,
				      "bytes_verified", (json_int_t)r->bytes_verified,
				      "files", (int)r->files, "seconds", r->seconds);
		json_dumpf(j, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(j);
		return;
	}
	char w[32], v[32], f[32], left[32];
	wp_format_size(r->bytes_written, w, sizeof(w));
	wp_format_size(r->bytes_verified, v, sizeof(v));
	wp_format_size(r->free_bytes, f, sizeof(f));
	wp_format_size(r->free_left_bytes, left, sizeof(left));
	printf(_("%s: free space %s\n"), m->dir, _(result));
	printf(_("  filesystem %s on %s\n"), m->fstype, m->source);
	printf(_("  written    %s in %u file(s), %.1f%% of the %s that were free\n"), w, r->files,
	       percent(r->bytes_written, r->free_bytes), f);
	printf(_("  verified   %s read back (%.1f%% of what was written)\n"), v,
	       percent(r->bytes_verified, r->bytes_written));
	printf(_("  left free  %s the filesystem kept for its own metadata when full\n"), left);
	printf(_("  time       %.1f s\n"), r->seconds);
}

/* The custody note: the scope in words, the figures as integers. */
static int record(const struct fs_opts *o, const struct mount_info *m,
		  const struct wp_freespace_result *r, const char *result)
{
	char err[1024], text[9000];
	struct wp_identity *actor = NULL;
	struct wp_ledger *l = NULL;
	const char *who = o->as ? o->as : getenv("WIPEPROOF_AS");
	snprintf(text, sizeof(text), "free space of %s on %s (mounted at %s): %s, %llu bytes "
		 "written and %llu read back of %llu free", m->fstype, m->source, m->dir, result,
		 (unsigned long long)r->bytes_written, (unsigned long long)r->bytes_verified,
		 (unsigned long long)r->free_bytes);
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "text", text,
				 "scope", "freespace", "result", result, "mountpoint", m->dir,
				 "device", m->source, "fstype", m->fstype, "free_bytes",
				 (json_int_t)r->free_bytes, "bytes_written",
				 (json_int_t)r->bytes_written, "bytes_verified",
				 (json_int_t)r->bytes_verified);
	int rc = wp_identity_load(wp_keys_dir_resolve(o->keys_dir), who, o->passphrase_file,
				  &actor, err, sizeof(err));
	if (rc == 0)
		rc = wp_ledger_open(wp_ledger_path_resolve(o->ledger), &l, err, sizeof(err));
	if (rc == 0)
		rc = wp_custody_append(l, actor, WP_EV_NOTE, o->asset, body, NULL, NULL, err,
				       sizeof(err));
	if (rc != 0)
		fprintf(stderr, "wipeproof: freespace: cannot record the result for asset %s: %s\n",
			o->asset, err);
	else if (!o->json)
		printf(_("  recorded   note on asset %s in %s\n"), o->asset, wp_ledger_path(l));
	json_decref(body);
	wp_ledger_close(l);
	wp_identity_free(actor);
	return rc == 0 ? WP_EXIT_OK : wp_custody_exit(rc);
}

static int run_fill(const struct fs_opts *o, const struct mount_info *m,
		    struct wp_freespace_result *r, char *err, size_t errlen)
{
	struct wp_pass_spec spec;
	struct wp_board *board = malloc(sizeof(*board));
	const char *names[1] = { m->dir };
	int rc = -1;
	if (!board || wp_board_init(board, names, 1, o->json) < 0) {
		snprintf(err, errlen, "out of memory");
		free(board);
		return -1;
	}
	struct wp_run_ctl ctl = { .stop = &wp_stop_flag, .progress = wp_board_progress,
				  .progress_ctx = &board->rows[0] };
	if (wp_pass_spec_new(&spec, WP_PATTERN_RANDOM, err, errlen) == 0)
		rc = wp_freespace_run(m->dir, &spec, &ctl, r, err, errlen);
	explicit_bzero(&spec, sizeof(spec));
	wp_board_finish(board);
	wp_board_destroy(board);
	free(board);
	return rc;
}

int wp_cmd_freespace_main(int argc, char **argv)
{
	char err[1024];
	struct fs_opts o;
	struct mount_info m;
	struct wp_freespace_result r;
	int p = parse(argc, argv, &o, err, sizeof(err));
	if (p != 0) {
		if (p > 0)
			wp_freespace_usage(stdout);
		else
			fprintf(stderr, "wipeproof: %s\n", err);
		return p > 0 ? WP_EXIT_OK : WP_EXIT_USAGE;
	}
	if (resolve_mount(o.mountpoint, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: freespace: %s\n", err);
		return WP_EXIT_USAGE;
	}
	wp_signals_install();
	int rc = run_fill(&o, &m, &r, err, sizeof(err));
	if (rc == 1) {
		fprintf(stderr, _("wipeproof: freespace: refusing: %s\n"), err);
		return WP_EXIT_REFUSED;
	}
	/* English in JSON and the ledger; translated only for people */
	const char *result = rc == 0 ? N_("wiped") : rc == 2 ? N_("mismatch")
			   : wp_stop_flag ? N_("interrupted") : N_("failed");
	print_result(&o, &m, &r, result);
	int code = rc == 0 ? WP_EXIT_OK : rc == 2 ? WP_EXIT_MISMATCH
		 : wp_stop_flag ? WP_EXIT_INTERRUPTED : WP_EXIT_FAILED;
	if (rc != 0)
		fprintf(stderr, "wipeproof: freespace: %s: %s\n", m.dir, err);
	if (o.asset) {
		int rec = record(&o, &m, &r, result);
		if (code == WP_EXIT_OK)
			code = rec;
	}
	return code;
}
