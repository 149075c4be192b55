/*
 * A batch of wipes: for every device probe → guard → plan → ledger check →
 * confirm → open exclusively → identify again, all before the first byte
 * is written; then every device overwrites (or erases itself) and verifies
 * on its own thread; then each gets its report, its wipe-end and, when it
 * earned one, its certificate.
 *
 * Why all checks first: an operator confirming a cart of disks answers
 * every question up front and walks away; a refusal found later would stop
 * a wipe half-way through a batch. One failing drive never touches another:
 * each has its own fd, buffers, job and thread; the only shared things are
 * the stop flag (hooks->stop: a signal stops all) and the hooks.
 */
#include "station_internal.h"

#include <linux/fs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct drive {
	struct wp_wipe_request req;
	const struct wp_station_wipe_opts *opts;
	const struct wp_station_config *cfg;
	const struct wp_station_hooks *h;
	struct wp_station_ledger *ledger; /* NULL unless req.asset */
	bool ledger_started;             /* wipe-start is recorded */
	const struct wp_method *method;  /* the plan's, or --method */
	struct wp_drive_plan plan;       /* capabilities and NIST category */
	struct wp_device *dev;
	int fd;
	struct wp_job *job;
	char *report_path;               /* "" when no report is written */
	pthread_t thread;
	bool running;
	bool job_recorded;               /* in the jobs table: checkpoints, resume */
	struct wp_st_checkpointer cp;
	struct wp_st_progress progress;
};

/* ---- before anything is written ----------------------------------------- */

static int prepare_drive(struct drive *d)
{
	char err[1024];
	struct wp_guard_opts gopts = { .force_holders = d->opts->force_holders };
	int code = wp_st_check_report_path(d->h, d->req.report_path);
	if (code != WP_STATION_OK)
		return code;
	d->dev = malloc(sizeof(*d->dev));
	if (!d->dev)
		return WP_STATION_FAILED;
	if (wp_media_probe(d->req.device, &gopts, d->dev, err, sizeof(err)) < 0) {
		wp_st_refuse(d->h, WP_REFUSAL_OTHER, NULL, "%s", err);
		return WP_STATION_USAGE;
	}
	if (wp_st_refuse_if_protected(d->h, d->dev) != WP_STATION_OK ||
	    wp_st_check_identity_text(d->h, d->dev) != WP_STATION_OK)
		return WP_STATION_REFUSED;
	/* the method before the question: the operator confirms what will run */
	code = wp_station_plan_drive(d->dev, d->opts->method, d->opts->level, &d->plan, err,
				     sizeof(err));
	if (code != WP_STATION_OK) {
		if (err[0])
			wp_st_refuse(d->h, WP_REFUSAL_OTHER, d->dev, "%s", err);
		return code;
	}
	d->method = d->plan.plan.method;
	/* the ledger first: nobody should confirm a disk the ledger refuses */
	if (d->req.asset) {
		/* with the level the plan reaches: the class's minimum (issue 17) */
		enum wp_nist cat = d->plan.plan.category;
		code = wp_st_ledger_check(d->ledger, d->req.asset, d->dev,
					  cat == WP_NIST_NONE ? "none" : wp_nist_name(cat));
		if (code != WP_STATION_OK)
			return code;
	}
	return wp_st_confirm(d->h, d->dev, d->req.confirm_serial, d->method,
			     d->opts->verify_mode);
}

/* The same disk twice (two names, or a typo repeating one) would be
 * written by two threads at once. */
static int refuse_duplicates(const struct drive *drives, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (drives[i].dev->devno == drives[j].dev->devno) {
				wp_st_refuse(drives[i].h, WP_REFUSAL_OTHER, drives[i].dev,
					     _("%s and %s are the same disk; give each disk once"),
					     drives[i].req.device, drives[j].req.device);
				return WP_STATION_USAGE;
			}
	return WP_STATION_OK;
}

static int open_drive(struct drive *d)
{
	int code = WP_STATION_REFUSED;
	struct wp_guard_opts gopts = { .force_holders = d->opts->force_holders };
	d->fd = wp_st_open_exclusive(d->h, d->dev, &code);
	if (d->fd < 0)
		return code;
	return wp_st_recheck_identity(d->h, d->fd, d->dev, &gopts);
}

/* Report file name in report_dir: serial (or kernel name) and job id,
 * with anything but [A-Za-z0-9._-] replaced, so a serial never escapes the
 * folder. */
static void report_in_dir(struct drive *d)
{
	char name[160];
	const char *id = d->dev->serial[0] ? d->dev->serial : d->dev->name;
	size_t i = 0;
	for (; id[i] && i < sizeof(name) - 1; i++) {
		char c = id[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		name[i] = ok && !(i == 0 && c == '.') ? c : '_';
	}
	name[i] = '\0';
	snprintf(d->report_path, 4096, "%s/%s-%s.json", d->opts->report_dir, name, d->job->id);
}

static int init_job(struct drive *d)
{
	char err[512];
	if (wp_job_init(d->job, err, sizeof(err)) < 0) {
		wp_st_refuse(d->h, WP_REFUSAL_OTHER, NULL, "%s", err);
		return WP_STATION_FAILED;
	}
	wp_job_set_device(d->job, d->dev);
	snprintf(d->job->method, sizeof(d->job->method), "%s", d->method->name);
	d->job->verify.mode = d->opts->verify_mode;
	if (d->req.report_path)
		snprintf(d->report_path, 4096, "%s", d->req.report_path);
	else if (d->opts->report_dir)
		report_in_dir(d);
	/* the name in the folder is known only now: try it before writing */
	if (!d->req.report_path && d->report_path[0])
		return wp_st_probe_report_file(d->h, d->report_path, _("the report"));
	return WP_STATION_OK;
}

static int record_start(struct drive *d)
{
	if (!d->req.asset)
		return WP_STATION_OK;
	/* wipe-start names the level the plan reaches (issue 17: the class's
	 * minimum is checked by the rules before anything is written) */
	wp_wipe_plan_to_job(&d->plan, d->dev, d->job);
	int code = wp_st_ledger_start(d->ledger, d->req.asset, d->job);
	d->ledger_started = code == WP_STATION_OK;
	/* only an overwrite can continue where it stopped; a firmware command
	 * is one step the drive runs on its own */
	if (code != WP_STATION_OK || d->method->firmware != WP_FW_NONE)
		return code;
	code = wp_st_job_begin(d->ledger, d->req.asset, d->job, d->report_path);
	d->job_recorded = code == WP_STATION_OK;
	snprintf(d->cp.path, sizeof(d->cp.path), "%s", wp_ledger_path(d->ledger->ledger));
	return code;
}

/* A batch refused after some wipe-starts were recorded: close them, so the
 * ledger does not show wipes in progress that never wrote a byte. */
static void cancel_started(struct drive *drives, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct drive *d = &drives[i];
		if (!d->ledger_started)
			continue;
		d->job->result = WP_RESULT_FAILED;
		snprintf(d->job->error, sizeof(d->job->error), "cancelled before writing: "
			 "another disk of the same command was refused; nothing was written");
		d->job->ended = time(NULL);
		wp_st_ledger_end(d->ledger, d->req.asset, d->job, NULL);
		if (d->job_recorded)
			wp_st_job_end(d->ledger, d->job);
	}
}

/* Every step that can refuse, for every drive, in order; the first
 * refusal ends the batch with nothing written. */
static int prepare_all(struct drive *drives, size_t n)
{
	const struct wp_station_wipe_opts *opts = drives[0].opts;
	int code = opts->make_report_dir ? WP_STATION_OK
					 : wp_st_check_report_dir(drives[0].h, opts->report_dir);
	for (size_t i = 0; i < n && code == WP_STATION_OK; i++)
		code = prepare_drive(&drives[i]);
	if (code == WP_STATION_OK)
		code = refuse_duplicates(drives, n);
	for (size_t i = 0; i < n && code == WP_STATION_OK; i++)
		code = open_drive(&drives[i]);
	/* a folder of our choosing is made only when nothing refused */
	if (code == WP_STATION_OK && opts->make_report_dir)
		code = wp_st_make_report_dir(drives[0].h, opts->report_dir);
	for (size_t i = 0; i < n && code == WP_STATION_OK; i++)
		code = init_job(&drives[i]);
	for (size_t i = 0; i < n && code == WP_STATION_OK; i++)
		code = record_start(&drives[i]);
	if (code != WP_STATION_OK)
		cancel_started(drives, n);
	if (code != WP_STATION_OK && n > 1)
		wp_st_refuse(drives[0].h, WP_REFUSAL_OTHER, NULL, _("no disk was written"));
	return code;
}

/* ---- the wipe itself, one thread per drive ------------------------------ */

/* The method itself, after --remove-hpa: a firmware erase between two
 * looks at the medium, or an overwrite and its read-back. */
static void run_method(struct drive *d, struct wp_io_target *t, const struct wp_run_ctl *ctl)
{
	char err[512];
	wp_wipe_plan_to_job(&d->plan, d->dev, d->job);
	if (d->opts->remove_hpa && wp_wipe_remove_hpa(&d->plan, d->dev, t, ctl, d->job) < 0)
		return; /* the job says why; nothing was written */
	if (d->method->firmware != WP_FW_NONE)
		wp_wipe_firmware(&d->plan, d->method, t, d->opts->verify_mode, ctl, d->job);
	else if (wp_overwrite_run(t, d->method, d->job, ctl, err, sizeof(err)) == 0 ||
		 (d->job->bad.n_ranges > 0 && !d->job->stopped_at.set))
		wp_station_verify_job(t, d->job, d->opts->verify_mode, ctl); /* bad blocks: for the record */
}

static void *drive_main(void *arg)
{
	struct drive *d = arg;
	struct wp_run_ctl ctl = {
		.stop = d->h->stop, .progress = wp_st_progress, .progress_ctx = &d->progress,
		.chunk_bytes = d->opts->chunk_bytes, .queue_depth = d->opts->queue_depth,
		.checkpoint = d->job_recorded ? wp_st_checkpoint_write : NULL,
		.checkpoint_ctx = &d->cp, .checkpoint_seconds = d->cfg->checkpoint_seconds,
	};
	struct wp_io_target t = {
		.fd = d->fd, .path = d->dev->path, .size = d->dev->size_bytes,
		.block_size = d->dev->logical_block_size,
	};
	run_method(d, &t, &ctl);
	wp_st_checkpointer_close(&d->cp);
	d->job->ended = time(NULL);
	/* The old partition table is gone from the medium: let the kernel drop
	 * its stale partitions too. Fails harmlessly where there are none. */
	(void)ioctl(d->fd, BLKRRPART);
	if (d->h->drive_done)
		d->h->drive_done(d->h->ctx, d->progress.i, d->job);
	return NULL;
}

/* Start every drive; a drive whose thread cannot start fails alone. */
static void run_all(struct drive *drives, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct drive *d = &drives[i];
		d->running = pthread_create(&d->thread, NULL, drive_main, d) == 0;
		if (!d->running) {
			d->job->result = WP_RESULT_FAILED;
			snprintf(d->job->error, sizeof(d->job->error),
				 "cannot start a thread for %s; nothing was written", d->dev->path);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (drives[i].running)
			pthread_join(drives[i].thread, NULL);
}

/* ---- after: reports, wipe-end, certificates ---------------------------- */

static bool save_report(const struct drive *d)
{
	char err[512];
	if (!d->report_path[0])
		return true;
	if (wp_job_save(d->job, d->report_path, err, sizeof(err)) == 0)
		return true;
	wp_st_refuse(d->h, WP_REFUSAL_OTHER, NULL, "%s", err);
	return false;
}

/* The report first, so the ledger can record its digest. */
static int record_end(struct drive *d)
{
	int c = wp_station_job_status(d->job);
	bool saved = save_report(d);
	if (!saved && c == WP_STATION_OK)
		c = WP_STATION_FAILED;
	if (d->ledger_started &&
	    wp_st_ledger_end(d->ledger, d->req.asset, d->job, saved ? d->report_path : NULL) !=
		    WP_STATION_OK && c == WP_STATION_OK)
		c = WP_STATION_FAILED;
	if (d->job_recorded)
		wp_st_job_end(d->ledger, d->job);
	return c;
}

static int finish_all(struct drive *drives, size_t n)
{
	int code = WP_STATION_OK;
	for (size_t i = 0; i < n; i++) {
		struct drive *d = &drives[i];
		code = wp_station_worse(code, record_end(d));
		if (d->h->finished)
			d->h->finished(d->h->ctx, i, d->job, d->report_path);
		/* after the report and the wipe-end it names; only a sanitized
		 * job gets one */
		if (d->ledger_started)
			code = wp_station_worse(code, wp_st_ledger_certify(d->ledger, d->req.asset,
									 d->job, d->report_path,
									 d->opts->single_signature));
	}
	return code;
}

static bool any_asset(const struct wp_wipe_request *reqs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (reqs[i].asset)
			return true;
	return false;
}

static bool any_report_path(const struct wp_wipe_request *reqs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (reqs[i].report_path)
			return true;
	return false;
}

int wp_station_wipe(const struct wp_station_config *cfg, const struct wp_station_hooks *h,
		    const struct wp_wipe_request *reqs, size_t n,
		    const struct wp_station_wipe_opts *options, struct wp_job *jobs,
		    char (*report_paths)[4096])
{
	static const struct wp_station_hooks none = { 0 };
	struct wp_station_wipe_opts opts = *options;
	struct wp_station_ledger *ledger = NULL;
	char report_dir[4096];
	const struct wp_method *m = wp_method_find(opts.method ? opts.method : WP_DEFAULT_METHOD);
	if (!h)
		h = &none;
	if (!m || n == 0 || n > WP_STATION_MAX_DRIVES)
		return WP_STATION_USAGE;
	struct drive *drives = calloc(n, sizeof(*drives));
	if (!drives)
		return WP_STATION_FAILED;
	int code = WP_STATION_OK;
	/* With an asset: the identity and the ledger, and a home for the
	 * reports whose digests the ledger will hold. */
	if (any_asset(reqs, n)) {
		code = wp_station_ledger_open(cfg, h, opts.passphrase_file, &ledger);
		if (code == WP_STATION_OK && !opts.report_dir && !any_report_path(reqs, n)) {
			wp_station_reports_beside(cfg->ledger, cfg->reports_dir, report_dir,
						  sizeof(report_dir));
			opts.report_dir = report_dir;
			opts.make_report_dir = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		report_paths[i][0] = '\0';
		drives[i] = (struct drive){ .req = reqs[i], .opts = &opts, .cfg = cfg, .h = h,
					    .method = m, .fd = -1, .job = &jobs[i],
					    .report_path = report_paths[i],
					    .ledger = reqs[i].asset ? ledger : NULL,
					    .cp = { .h = h }, .progress = { .h = h, .i = i } };
	}
	if (code == WP_STATION_OK)
		code = prepare_all(drives, n);
	if (code == WP_STATION_OK) {
		run_all(drives, n);
		code = finish_all(drives, n);
	}
	for (size_t i = 0; i < n; i++) {
		if (drives[i].fd >= 0)
			close(drives[i].fd);
		free(drives[i].dev);
	}
	wp_station_ledger_close(ledger);
	free(drives);
	return code;
}
