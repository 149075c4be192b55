/*
 * wipeproof freespace MOUNTPOINT: wipe the reusable area of a mounted
 * filesystem (R9) with one random pass (wipe/freespace.c), verified by
 * reading it back. With --asset: a job report whose scope is the free
 * space, a `freespace` custody event, and when every byte read back a
 * certificate whose result is "free-space-wiped" when no free space was
 * left unreached, "free-space-partial" (with the size left) otherwise.
 *
 * station/freespace.c finds the mount, checks the asset, runs the fill,
 * decides the verdict and records it; this file parses the options,
 * shows progress and prints the result.
 */
#include "station_cli.h"
#include "i18n.h"
#include "options.h"
#include "custody_cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct fs_opts {
	const char *mountpoint;
	const char *asset, *as, *ledger, *keys_dir, *passphrase_file;
	bool json, help;
};

/* marked for xgettext; translated where printed */
static const char *const usage_freespace = N_(
	"Usage: wipeproof freespace MOUNTPOINT [--json] [--asset TAG --as PERSON]\n"
	"\n"
	"Fills the free space of the filesystem mounted at MOUNTPOINT with random\n"
	"data (AES-256-CTR, one pass) in temporary files, flushes them, reads every\n"
	"file back against the pattern, then deletes them. Live files are not\n"
	"touched. As root the blocks reserved for root are filled too, and the\n"
	"pools even root cannot use (ext4 reserved_clusters, xfs resblks) are set\n"
	"to 0 for the fill and back afterwards. The result is \"wiped\" only when\n"
	"no free space was left unreached, else \"partial\" with the size left.\n"
	"Refuses a read-only mount and btrfs (exit 3).\n"
	"\n"
	"  --json               progress and the result as JSON lines on stdout\n"
	"  --asset TAG          record the result in the custody ledger on asset TAG\n"
	"                       (the server or PC the filesystem is on), keep a job\n"
	"                       report and issue a certificate whose scope is \"free\n"
	"                       space of FS on DEVICE\" (next to the ledger, reports/)\n"
	"  --as PERSON          who records it (or WIPEPROOF_AS)\n"
	"  --ledger PATH        custody ledger (default /var/lib/wipeproof/ledger.db)\n"
	"  --keys DIR           key store (default /etc/wipeproof/keys)\n"
	"  --passphrase-file F  passphrase of PERSON's key\n");

void wp_freespace_usage(FILE *out)
{
	fputs(_(usage_freespace), out);
}

static int take_option(void *ctx, int opt, const char *arg, char *err, size_t errlen)
{
	struct fs_opts *o = ctx;
	(void)err, (void)errlen;
	if (wp_take_who(opt, arg, &o->as, &o->ledger, &o->keys_dir, &o->passphrase_file))
		return 0;
	switch (opt) {
	case WP_O_JSON: o->json = true; break;
	case WP_O_ASSET: o->asset = arg; break;
	case WP_O_HELP: o->help = true; break;
	}
	return 0;
}

/* 0, 1 for --help, -1 with a message. */
static int parse(int argc, char **argv, struct fs_opts *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	int first = wp_options_parse("freespace", argc, argv, take_option, o, err, errlen);
	if (first < 0)
		return -1;
	if (o->help)
		return 1;
	if (argc - first != 1) {
		snprintf(err, errlen, _("'freespace' takes one mount point, e.g. 'wipeproof freespace "
			 "/srv'; see 'findmnt' for mounted filesystems"));
		return -1;
	}
	o->mountpoint = argv[first];
	if (o->asset && !wp_cli_operator(o->as)) {
		snprintf(err, errlen, _("--asset records the result in the custody ledger: say who you "
			 "are with --as PERSON (or WIPEPROOF_AS)"));
		return -1;
	}
	return 0;
}

static double percent(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 100.0;
}

static void print_result(const struct fs_opts *o, const struct wp_mount *m,
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
		json_object_set_new(j, "stale_fill_folders_removed", json_integer(r->stale_removed));
		json_object_set_new(j, "inline_data_bytes", json_integer((json_int_t)r->inline_bytes));
		json_object_set_new(j, "unreached_bytes", json_integer((json_int_t)r->unreached_bytes));
		json_object_set_new(j, "unreached_measured_by", json_string(r->unreached_source));
		if (r->reserve[0])
			json_object_set_new(j, "reserve_lowered", json_pack(
				"{s:s, s:I, s:b}", "pool", r->reserve, "bytes",
				(json_int_t)r->reserve_bytes, "restored", r->reserve_restored));
		json_dumpf(j, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(j);
		return;
	}
	char w[32], v[32], f[32], left[32], un[32], pool[32];
	wp_format_size(r->bytes_written, w, sizeof(w));
	wp_format_size(r->bytes_verified, v, sizeof(v));
	wp_format_size(r->free_bytes, f, sizeof(f));
	wp_format_size(r->free_left_bytes, left, sizeof(left));
	wp_format_size(r->unreached_bytes, un, sizeof(un));
	wp_format_size(r->reserve_bytes, pool, sizeof(pool));
	printf(_("%s: free space %s\n"), m->dir, _(result));
	printf(_("  filesystem %s on %s\n"), m->fstype, m->source);
	printf(_("  written    %s in %u file(s), %.1f%% of the %s that were free\n"), w, r->files,
	       percent(r->bytes_written, r->free_bytes), f);
	printf(_("  verified   %s read back (%.1f%% of what was written)\n"), v,
	       percent(r->bytes_verified, r->bytes_written));
	printf(_("  left free  %s the filesystem kept for its own metadata when full\n"), left);
	printf(_("  unreached  %s (%llu bytes) of free space not overwritten (measured by %s)\n"),
	       un, (unsigned long long)r->unreached_bytes, r->unreached_source);
	if (r->reserve[0])
		printf(_("  pool       %s: %s lowered to 0 for the fill, %s\n"), r->reserve, pool,
		       r->reserve_restored ? _("restored") : _("NOT restored (see the error)"));
	if (r->inline_bytes)
		printf(_("  inline     %llu bytes of it are the inodes' inline-data area, where deleted "
			 "small files stay\n"), (unsigned long long)r->inline_bytes);
	if (r->stale_removed)
		printf(_("  removed    %u fill folder(s) a killed run had left\n"), r->stale_removed);
	printf(_("  time       %.1f s\n"), r->seconds);
}

static int usage_or_error(int p, const char *err)
{
	if (p > 0)
		wp_freespace_usage(stdout);
	else
		fprintf(stderr, _("wipeproof: %s\n"), err);
	return p > 0 ? WP_EXIT_OK : WP_EXIT_USAGE;
}

/* The verdicts station/ returns (English, as recorded), for xgettext. */
static const char *const verdicts[] __attribute__((unused)) = {
	N_("wiped"), N_("partial"), N_("mismatch"), N_("interrupted"), N_("failed"),
};

struct fs_ctx {
	struct wp_cli_run run;     /* first: the shared hooks see it */
	const struct fs_opts *o;
};

static void hook_finished(void *ctx, size_t i, const struct wp_job *job, const char *report_path)
{
	const struct fs_ctx *c = ctx;
	(void)i;
	(void)job;
	(void)report_path;
	if (!c->o->json)
		printf(_("  recorded   freespace on asset %s in %s\n"), c->o->asset,
		       wp_cli_ledger(c->o->ledger));
}

int wp_cmd_freespace_main(int argc, char **argv)
{
	char err[1024];
	struct fs_opts o;
	struct wp_station_freespace *fs = NULL;
	struct wp_station_config cfg;
	int p = parse(argc, argv, &o, err, sizeof(err));
	if (p != 0)
		return usage_or_error(p, err);
	wp_cli_config_with(&cfg, o.ledger, o.keys_dir, o.as);
	struct fs_ctx c = { .run = { .json = o.json, .n = 1 }, .o = &o };
	struct wp_station_hooks h;
	wp_cli_hooks(&h, &c.run);
	h.ctx = &c;
	h.finished = hook_finished;
	int status = wp_station_freespace_begin(&cfg, &h, o.mountpoint, o.asset,
						 o.passphrase_file, &fs);
	if (status != WP_STATION_OK)
		return wp_exit_for_status(status);
	struct wp_board *board = malloc(sizeof(*board));
	const char *names[1] = { fs->mount.dir };
	if (!board || wp_board_init(board, names, 1, o.json) < 0) {
		fprintf(stderr, _("wipeproof: freespace: out of memory\n"));
		free(board);
		wp_station_freespace_end(fs);
		return WP_EXIT_FAILED;
	}
	c.run.board = board;
	wp_signals_install();
	status = wp_station_freespace_run(fs);
	wp_board_finish(board);
	wp_board_destroy(board);
	free(board);
	c.run.board = NULL;
	int code = wp_exit_for_status(status);
	if (fs->rc == 1) {
		fprintf(stderr, _("wipeproof: freespace: refusing: %s\n"), fs->err);
		goto out;
	}
	/* English in JSON and the ledger; translated only for people */
	print_result(&o, &fs->mount, &fs->r, fs->result);
	if (fs->rc != 0)
		fprintf(stderr, _("wipeproof: freespace: %s: %s\n"), fs->mount.dir, fs->err);
	if (o.asset) {
		int rec = wp_exit_for_status(wp_station_freespace_record(fs));
		if (code == WP_EXIT_OK)
			code = rec;
	}
out:
	wp_station_freespace_end(fs);
	return code;
}
