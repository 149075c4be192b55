/*
 * The free-space wipe of a mounted filesystem (R9): one random pass through
 * the filesystem (wipe/freespace.c), read back in full. With an asset: a
 * job report whose scope is the free space, a `freespace` custody event,
 * and when every byte read back a certificate whose result says whether
 * free space was left unreached.
 *
 * Why its own event and result: the asset is not sanitized — its live
 * files are untouched — so nothing here may look like a wipe-end or a
 * certificate of sanitization of the device.
 */
#include "station_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static double percent(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 100.0;
}

/* The disk a filesystem lives on (the whole disk of a partition), for the
 * certificate's media fields; empty when the source is no block device
 * (tmpfs, overlay, a network filesystem). */
static void probe_disk(const struct wp_mount *m, struct wp_job *job)
{
	struct stat sb;
	char link[PATH_MAX], sys[128], disk[96], err[512];
	snprintf(job->device.path, sizeof(job->device.path), "%.63s", m->source);
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
	if (dev && wp_media_probe(disk, NULL, dev, err, sizeof(err)) == 0)
		wp_job_set_device(job, dev);
	free(dev);
}

/* The run as a job report: one random pass over the free space, read back
 * in full; "coverage" is of the free space, and the scope says so. */
static void fill_job(struct wp_station_freespace *fs)
{
	struct wp_job *job = &fs->job;
	const struct wp_freespace_result *r = &fs->r;
	const struct wp_mount *m = &fs->mount;
	struct wp_scope_record *sc = &job->scope;
	int rc = fs->rc;
	probe_disk(m, job);
	snprintf(job->method, sizeof(job->method), "random");
	snprintf(job->nist_category, sizeof(job->nist_category), "Clear");
	snprintf(job->plan_reason, sizeof(job->plan_reason), "the free space of the filesystem "
		 "was overwritten through the filesystem and read back; live files, and blocks "
		 "the filesystem keeps for itself, are outside this wipe");
	job->npasses = 1;
	job->passes[0].spec = fs->spec;
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
		    : wp_st_stopped(fs->h->stop) ? WP_RESULT_INTERRUPTED : WP_RESULT_FAILED;
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

/* Before any byte is written: the person's key opens and the asset is on
 * record, so a long fill is never wasted on a typo. */
static int open_record(struct wp_station_freespace *fs, const char *passphrase_file)
{
	char err[1024];
	struct wp_asset_state *st = malloc(sizeof(*st));
	int code = st ? wp_station_ledger_open(fs->cfg, fs->h, passphrase_file, &fs->ledger)
		      : WP_STATION_FAILED;
	if (code != WP_STATION_OK)
		goto out;
	if (wp_custody_state(fs->ledger->ledger, fs->asset, st, err, sizeof(err)) < 0) {
		wp_st_refuse(fs->h, WP_REFUSAL_OTHER, NULL, "freespace: %s", err);
		code = WP_STATION_FAILED;
	} else if (!st->exists || st->destroyed) {
		wp_st_refuse(fs->h, WP_REFUSAL_OTHER, NULL, _("freespace: asset %s is %s; take it in "
			     "first with 'wipeproof custody intake --asset %s ...'"), fs->asset,
			     st->exists ? _("destroyed") : _("not in the ledger"), fs->asset);
		code = WP_STATION_REFUSED;
	}
	if (code != WP_STATION_OK) {
		wp_station_ledger_close(fs->ledger);
		fs->ledger = NULL;
	}
out:
	free(st);
	return code;
}

int wp_station_freespace_begin(const struct wp_station_config *cfg,
			       const struct wp_station_hooks *h, const char *mountpoint,
			       const char *asset, const char *passphrase_file,
			       struct wp_station_freespace **out)
{
	static const struct wp_station_hooks none = { 0 };
	struct wp_station_freespace *fs = calloc(1, sizeof(*fs));
	*out = NULL;
	if (!fs)
		return WP_STATION_FAILED;
	fs->cfg = cfg;
	fs->h = h ? h : &none;
	fs->asset = asset;
	if (wp_mount_lookup(mountpoint, &fs->mount, fs->err, sizeof(fs->err)) < 0) {
		wp_st_refuse(fs->h, WP_REFUSAL_OTHER, NULL, "freespace: %s", fs->err);
		free(fs);
		return WP_STATION_USAGE;
	}
	int code = asset ? open_record(fs, passphrase_file) : WP_STATION_OK;
	if (code == WP_STATION_OK &&
	    (wp_job_init(&fs->job, fs->err, sizeof(fs->err)) < 0 ||
	     wp_pass_spec_new(&fs->spec, WP_PATTERN_RANDOM, fs->err, sizeof(fs->err)) < 0)) {
		wp_st_refuse(fs->h, WP_REFUSAL_OTHER, NULL, "freespace: %s", fs->err);
		code = WP_STATION_FAILED;
	}
	if (code != WP_STATION_OK) {
		wp_station_freespace_end(fs);
		return code;
	}
	*out = fs;
	return WP_STATION_OK;
}

int wp_station_freespace_run(struct wp_station_freespace *fs)
{
	struct wp_st_progress progress = { .h = fs->h, .i = 0 };
	struct wp_run_ctl ctl = { .stop = fs->h->stop, .progress = wp_st_progress,
				  .progress_ctx = &progress };
	fs->rc = wp_freespace_run(fs->mount.dir, fs->cfg->run_dir, &fs->spec, &ctl, &fs->r,
				  fs->err, sizeof(fs->err));
	bool stopped = wp_st_stopped(fs->h->stop);
	fs->result = wp_station_freespace_verdict(fs->rc, fs->r.unreached_bytes, stopped);
	return wp_station_freespace_status(fs->rc, stopped);
}

int wp_station_freespace_record(struct wp_station_freespace *fs)
{
	char dir[4096], err[1024];
	if (!fs->ledger)
		return WP_STATION_OK;
	fill_job(fs);
	int code = wp_st_reports_dir(fs->ledger, dir, sizeof(dir));
	if (code != WP_STATION_OK)
		return code;
	snprintf(fs->report_path, sizeof(fs->report_path), "%s/freespace-%s.json", dir,
		 fs->job.id);
	bool saved = wp_job_save(&fs->job, fs->report_path, err, sizeof(err)) == 0;
	if (!saved)
		wp_st_refuse(fs->h, WP_REFUSAL_OTHER, NULL, _("freespace: cannot save the report %s: "
			     "%s"), fs->report_path, err);
	code = wp_st_ledger_freespace(fs->ledger, fs->asset, &fs->job, fs->result,
				      saved ? fs->report_path : NULL);
	if (code == WP_STATION_OK && fs->h->finished)
		fs->h->finished(fs->h->ctx, 0, &fs->job, saved ? fs->report_path : "");
	if (code == WP_STATION_OK && saved)
		code = wp_st_ledger_certify(fs->ledger, fs->asset, &fs->job, fs->report_path, NULL);
	return saved ? code : WP_STATION_FAILED;
}

void wp_station_freespace_end(struct wp_station_freespace *fs)
{
	if (!fs)
		return;
	wp_station_ledger_close(fs->ledger);
	explicit_bzero(fs, sizeof(*fs));
	free(fs);
}
