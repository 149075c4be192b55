/*
 * wipeproof freespace MOUNTPOINT: wipe the reusable area of a mounted
 * filesystem (R9) with one random pass (wipe/freespace.c), verified by
 * reading it back. With --asset: a job report whose scope is the free
 * space, a `freespace` custody event, and when every byte read back a
 * certificate whose result is "free-space-wiped" when no free space was
 * left unreached, "free-space-partial" (with the size left) otherwise.
 *
 * Why its own event and result: the asset is not sanitized — its live
 * files are untouched — so nothing here may look like a wipe-end or a
 * certificate of sanitization of the device.
 */
#include "station_cli.h"
#include "i18n.h"
#include "options.h"
#include "custody_cli.h"
#include "wipe_steps.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct fs_opts {
	const char *mountpoint;
	const char *asset, *as, *ledger, *keys_dir, *passphrase_file;
	bool json;
	bool help;
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
	if (o->asset && !o->as && !getenv("WIPEPROOF_AS")) {
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

/* The disk a filesystem lives on (the whole disk of a partition), for the
 * certificate's media fields; empty when the source is no block device
 * (tmpfs, overlay, a network filesystem). */
static void probe_disk(const struct wp_mount *m, struct wp_job_device *d)
{
	struct stat sb;
	char link[PATH_MAX], sys[128], disk[96], err[512];
	snprintf(d->path, sizeof(d->path), "%.63s", m->source);
	if (stat(m->source, &sb) < 0 || !S_ISBLK(sb.st_mode))
		return;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/partition", major(sb.st_rdev),
		 minor(sb.st_rdev));
	bool partition = access(sys, F_OK) == 0;
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u%s", major(sb.st_rdev),
		 minor(sb.st_rdev), partition ? "/.." : "");
	if (!realpath(sys, link))
		return;
	snprintf(disk, sizeof(disk), "/dev/%.80s", strrchr(link, '/') + 1);
	struct wp_device *dev = calloc(1, sizeof(*dev));
	if (dev && wp_media_probe(disk, NULL, dev, err, sizeof(err)) == 0) {
		snprintf(d->path, sizeof(d->path), "%s", dev->path);
		snprintf(d->model, sizeof(d->model), "%s", dev->model);
		snprintf(d->serial, sizeof(d->serial), "%s", dev->serial);
		snprintf(d->kind, sizeof(d->kind), "%s", wp_kind_name(dev->kind));
		snprintf(d->transport, sizeof(d->transport), "%s", wp_transport_name(dev->transport));
		d->size_bytes = dev->size_bytes;
		d->logical_block_size = dev->logical_block_size;
	}
	free(dev);
}

/* The run as a job report: one random pass over the free space, read back
 * in full; "coverage" is of the free space, and the scope says so. */
static void fill_job(struct wp_job *job, const struct wp_mount *m,
		     const struct wp_pass_spec *spec, const struct wp_freespace_result *r, int rc)
{
	struct wp_scope_record *sc = &job->scope;
	probe_disk(m, &job->device);
	snprintf(job->method, sizeof(job->method), "random");
	snprintf(job->nist_category, sizeof(job->nist_category), "Clear");
	snprintf(job->plan_reason, sizeof(job->plan_reason), "the free space of the filesystem "
		 "was overwritten through the filesystem and read back; live files, and blocks "
		 "the filesystem keeps for itself, are outside this wipe");
	job->npasses = 1;
	job->passes[0].spec = *spec;
	job->passes[0].bytes_written = r->bytes_written;
	job->passes[0].seconds = r->seconds;
	job->passes[0].complete = rc == 0;
	job->verify.mode = WP_VERIFY_FULL;
	job->verify.bytes_checked = r->bytes_verified;
	/* of the free space: what was not reached is not covered */
	uint64_t reached = r->free_bytes > r->unreached_bytes ? r->free_bytes - r->unreached_bytes : 0;
	job->verify.coverage_percent = r->unreached_bytes ? percent(reached, r->free_bytes)
				     : r->free_bytes && r->bytes_verified < r->free_bytes
					       ? percent(r->bytes_verified, r->free_bytes) : 100.0;
	job->verify.mismatched_blocks = rc == 2;
	job->verify.complete = rc == 0;
	job->result = rc == 0 ? (r->unreached_bytes ? WP_RESULT_PARTIAL : WP_RESULT_SANITIZED)
		    : wp_stop_flag ? WP_RESULT_INTERRUPTED : WP_RESULT_FAILED;
	job->ended = time(NULL);
	snprintf(sc->kind, sizeof(sc->kind), "%s", WP_SCOPE_FREE_SPACE);
	snprintf(sc->fstype, sizeof(sc->fstype), "%s", m->fstype);
	snprintf(sc->mountpoint, sizeof(sc->mountpoint), "%.511s", m->dir);
	snprintf(sc->source, sizeof(sc->source), "%.511s", m->source);
	sc->fs_bytes = r->total_bytes;
	sc->free_bytes = r->free_bytes;
	sc->free_left_bytes = r->free_left_bytes;
	sc->unreached_bytes = r->unreached_bytes;
	snprintf(sc->unreached_source, sizeof(sc->unreached_source), "%s", r->unreached_source);
	sc->has_unreached = true;
	snprintf(sc->reserve, sizeof(sc->reserve), "%s", r->reserve);
	sc->reserve_bytes = r->reserve_bytes;
	sc->files = r->files;
}

static struct wp_wipe_options ledger_opts(const struct fs_opts *o)
{
	struct wp_wipe_options w = { .as_person = o->as, .ledger_path = o->ledger,
				     .keys_dir = o->keys_dir, .passphrase_file = o->passphrase_file };
	return w;
}

/* Before any byte is written: the person's key opens and the asset is on
 * record, so a long fill is never wasted on a typo. */
static int open_record(const struct fs_opts *o, struct wp_wipe_ledger **wl)
{
	char err[1024];
	struct wp_wipe_options w = ledger_opts(o);
	struct wp_asset_state *st = malloc(sizeof(*st));
	int code = st ? wp_wipe_ledger_open(&w, wl) : WP_EXIT_FAILED;
	if (code != WP_EXIT_OK)
		goto out;
	if (wp_custody_state(wp_wipe_ledger_handle(*wl), o->asset, st, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: freespace: %s\n"), err);
		code = WP_EXIT_FAILED;
	} else if (!st->exists || st->destroyed) {
		fprintf(stderr, _("wipeproof: freespace: asset %s is %s; take it in first with "
				  "'wipeproof custody intake --asset %s ...'\n"), o->asset,
			st->exists ? _("destroyed") : _("not in the ledger"), o->asset);
		code = WP_EXIT_REFUSED;
	}
	if (code != WP_EXIT_OK) {
		wp_wipe_ledger_close(*wl);
		*wl = NULL;
	}
out:
	free(st);
	return code;
}

/* Report, freespace event and, when every byte read back, the certificate
 * whose scope is this filesystem's free space. */
static int record(const struct fs_opts *o, struct wp_wipe_ledger *wl, const struct wp_job *job,
		  const char *result)
{
	char dir[4096], path[4200], err[1024];
	struct wp_wipe_options w = ledger_opts(o);
	int code = wp_wipe_ledger_report_dir(&w, dir, sizeof(dir));
	if (code != WP_EXIT_OK)
		return code;
	snprintf(path, sizeof(path), "%s/freespace-%s.json", dir, job->id);
	bool saved = wp_job_save(job, path, err, sizeof(err)) == 0;
	if (!saved)
		fprintf(stderr, _("wipeproof: freespace: cannot save the report %s: %s\n"), path, err);
	code = wp_wipe_ledger_freespace(wl, o->asset, job, result, saved ? path : NULL);
	if (code == WP_EXIT_OK && !o->json)
		printf(_("  recorded   freespace on asset %s in %s\n"), o->asset,
		       wp_ledger_path(wp_wipe_ledger_handle(wl)));
	if (code == WP_EXIT_OK && saved)
		code = wp_wipe_ledger_certify(wl, o->asset, job, path, o->json);
	return saved ? code : WP_EXIT_FAILED;
}

static int run_fill(const struct fs_opts *o, const struct wp_mount *m,
		    const struct wp_pass_spec *spec, struct wp_freespace_result *r, char *err,
		    size_t errlen)
{
	struct wp_board *board = malloc(sizeof(*board));
	const char *names[1] = { m->dir };
	if (!board || wp_board_init(board, names, 1, o->json) < 0) {
		snprintf(err, errlen, "out of memory");
		free(board);
		return -1;
	}
	struct wp_run_ctl ctl = { .stop = &wp_stop_flag, .progress = wp_board_progress,
				  .progress_ctx = &board->rows[0] };
	int rc = wp_freespace_run(m->dir, spec, &ctl, r, err, errlen);
	wp_board_finish(board);
	wp_board_destroy(board);
	free(board);
	return rc;
}

static int usage_or_error(int p, const char *err)
{
	if (p > 0)
		wp_freespace_usage(stdout);
	else
		fprintf(stderr, _("wipeproof: %s\n"), err);
	return p > 0 ? WP_EXIT_OK : WP_EXIT_USAGE;
}

int wp_cmd_freespace_main(int argc, char **argv)
{
	char err[1024];
	struct fs_opts o;
	struct wp_mount m;
	struct wp_freespace_result r;
	struct wp_wipe_ledger *wl = NULL;
	int p = parse(argc, argv, &o, err, sizeof(err));
	if (p != 0)
		return usage_or_error(p, err);
	if (wp_mount_lookup(o.mountpoint, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: freespace: %s\n"), err);
		return WP_EXIT_USAGE;
	}
	int code = o.asset ? open_record(&o, &wl) : WP_EXIT_OK;
	struct wp_job *job = calloc(1, sizeof(*job));
	struct wp_pass_spec spec;
	if (code == WP_EXIT_OK && (!job || wp_job_init(job, err, sizeof(err)) < 0 ||
				   wp_pass_spec_new(&spec, WP_PATTERN_RANDOM, err, sizeof(err)) < 0)) {
		fprintf(stderr, _("wipeproof: freespace: %s\n"), job ? err : "out of memory");
		code = WP_EXIT_FAILED;
	}
	if (code != WP_EXIT_OK)
		goto out;
	wp_signals_install();
	int rc = run_fill(&o, &m, &spec, &r, err, sizeof(err));
	if (rc == 1) {
		fprintf(stderr, _("wipeproof: freespace: refusing: %s\n"), err);
		code = WP_EXIT_REFUSED;
		goto out;
	}
	/* English in JSON and the ledger; translated only for people. "wiped"
	 * only when nothing free was left unreached (issue 15). */
	const char *result = rc == 0 ? (r.unreached_bytes ? N_("partial") : N_("wiped"))
			   : rc == 2 ? N_("mismatch") : wp_stop_flag ? N_("interrupted") : N_("failed");
	print_result(&o, &m, &r, result);
	code = rc == 0 ? WP_EXIT_OK : rc == 2 ? WP_EXIT_MISMATCH
	     : wp_stop_flag ? WP_EXIT_INTERRUPTED : WP_EXIT_FAILED;
	if (rc != 0)
		fprintf(stderr, _("wipeproof: freespace: %s: %s\n"), m.dir, err);
	if (wl) {
		fill_job(job, &m, &spec, &r, rc);
		int rec = record(&o, wl, job, result);
		if (code == WP_EXIT_OK)
			code = rec;
	}
out:
	explicit_bzero(&spec, sizeof(spec));
	if (job)
		explicit_bzero(job, sizeof(*job));
	free(job);
	wp_wipe_ledger_close(wl);
	return code;
}
