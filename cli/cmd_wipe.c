/*
 * wipeproof wipe DEV...: for every device probe → guard → confirm → open
 * exclusively → re-probe, all before the first byte is written; then every
 * device overwrites and verifies on its own thread while the board shows
 * one line per drive; then each gets its report, and a summary follows.
 *
 * Why all checks first: an operator confirming a cart of disks answers
 * every question up front and walks away; a refusal found later would stop
 * a wipe half-way through a batch. One failing drive never touches another:
 * each has its own fd, buffers, job and thread; the only shared things are
 * the stop flag (a signal stops all) and the progress board.
 */
#include "fw_cli.h"
#include "i18n.h"
#include "wipe_steps.h"
#include "verify.h"
#include "wptext.h"

#include <errno.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

struct drive {
	struct wp_wipe_request req;
	const struct wp_wipe_options *opts;
	struct wp_wipe_ledger *ledger; /* NULL unless req.asset */
	bool ledger_started;           /* wipe-start is recorded */
	const struct wp_method *method;  /* the plan's, or --method */
	struct wp_drive_plan plan;       /* capabilities and NIST category */
	struct wp_device *dev;
	int fd;
	struct wp_job *job;
	struct wp_board_row *row;
	char report_path[4096];   /* "" when no report is written */
	pthread_t thread;
	bool running;
	bool job_recorded;             /* in the jobs table: checkpoints, resume */
	struct wp_job_checkpointer cp;
};

void wp_job_set_device(struct wp_job *job, const struct wp_device *dev)
{
	struct wp_job_device *d = &job->device;
	snprintf(d->path, sizeof(d->path), "%s", dev->path);
	snprintf(d->model, sizeof(d->model), "%s", dev->model);
	snprintf(d->serial, sizeof(d->serial), "%s", dev->serial);
	snprintf(d->kind, sizeof(d->kind), "%s", wp_kind_name(dev->kind));
	snprintf(d->transport, sizeof(d->transport), "%s", wp_transport_name(dev->transport));
	d->size_bytes = dev->size_bytes;
	d->logical_block_size = dev->logical_block_size;
}

/* ---- before anything is written ----------------------------------------- */

/* The disk's own identity goes into the report, the ledger and the
 * certificate: one that is not text would be lost after the wipe. */
static int check_identity_text(const struct drive *d)
{
	char why[256];
	const char *bad = wp_text_check(d->dev->serial, 0, why, sizeof(why)) < 0 ? "serial"
			: wp_text_check(d->dev->model, 0, why, sizeof(why)) < 0 ? "model" : NULL;
	if (!bad)
		return WP_EXIT_OK;
	fprintf(stderr, _("wipeproof: refusing to wipe %s: its %s %s; it could not be recorded "
		"in the report; nothing was written\n"), d->dev->path, bad, why);
	return WP_EXIT_REFUSED;
}

static int prepare_drive(struct drive *d)
{
	char err[512];
	struct wp_guard_opts gopts = { .force_holders = d->opts->force_holders };
	if (wp_check_report_path(d->req.report_path) < 0)
		return WP_EXIT_USAGE;
	d->dev = malloc(sizeof(*d->dev));
	if (!d->dev)
		return WP_EXIT_FAILED;
	if (wp_media_probe(d->req.device, &gopts, d->dev, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		return WP_EXIT_USAGE;
	}
	if (wp_refuse_if_protected(d->dev) < 0)
		return WP_EXIT_REFUSED;
	if (check_identity_text(d) != WP_EXIT_OK)
		return WP_EXIT_REFUSED;
	/* the method before the question: the operator confirms what will run */
	int planned = wp_wipe_plan_drive(d->dev, d->opts->method, d->opts->level, &d->plan);
	if (planned != WP_EXIT_OK)
		return planned;
	d->method = d->plan.plan.method;
	/* the ledger first: nobody should confirm a disk the ledger refuses */
	if (d->req.asset) {
		/* with the level the plan reaches: the class's minimum (issue 17) */
		enum wp_nist cat = d->plan.plan.category;
		int code = wp_wipe_ledger_check(d->ledger, d->req.asset, d->dev,
						cat == WP_NIST_NONE ? "none" : wp_nist_name(cat));
		if (code != WP_EXIT_OK)
			return code;
	}
	if (wp_confirm_wipe(d->dev, &d->req, d->method, d->opts->verify_mode) < 0)
		return WP_EXIT_REFUSED;
	return WP_EXIT_OK;
}

/* The same disk twice (two names, or a typo repeating one) would be
 * written by two threads at once. */
static int refuse_duplicates(const struct drive *drives, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (drives[i].dev->devno == drives[j].dev->devno) {
				fprintf(stderr, _("wipeproof: %s and %s are the same disk; give each "
					"disk once\n"), drives[i].req.device, drives[j].req.device);
				return WP_EXIT_USAGE;
			}
	return WP_EXIT_OK;
}

static int open_drive(struct drive *d)
{
	int code = WP_EXIT_REFUSED;
	struct wp_guard_opts gopts = { .force_holders = d->opts->force_holders };
	d->fd = wp_open_exclusive(d->dev, &code);
	if (d->fd < 0)
		return code;
	if (wp_recheck_identity(d->fd, d->dev, &gopts) < 0)
		return WP_EXIT_REFUSED;
	return WP_EXIT_OK;
}

/* Report file name in --report-dir: serial (or kernel name) and job id,
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
	snprintf(d->report_path, sizeof(d->report_path), "%s/%s-%s.json",
		 d->opts->report_dir, name, d->job->id);
}

static int init_job(struct drive *d)
{
	char err[512];
	if (wp_job_init(d->job, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	wp_job_set_device(d->job, d->dev);
	snprintf(d->job->method, sizeof(d->job->method), "%s", d->method->name);
	d->job->verify.mode = d->opts->verify_mode;
	if (d->req.report_path)
		snprintf(d->report_path, sizeof(d->report_path), "%s", d->req.report_path);
	else if (d->opts->report_dir)
		report_in_dir(d);
	/* the name in the folder is known only now: try it before writing */
	if (!d->req.report_path && d->report_path[0] &&
	    wp_probe_report_file(d->report_path, "the report") < 0)
		return WP_EXIT_USAGE;
	return WP_EXIT_OK;
}


static int record_start(struct drive *d)
{
	if (!d->req.asset)
		return WP_EXIT_OK;
	/* wipe-start names the level the plan reaches (issue 17: the class's
	 * minimum is checked by the rules before anything is written) */
	wp_wipe_plan_to_job(&d->plan, d->dev, d->job);
	int code = wp_wipe_ledger_start(d->ledger, d->req.asset, d->job);
	d->ledger_started = code == WP_EXIT_OK;
	/* only an overwrite can continue where it stopped; a firmware command
	 * is one step the drive runs on its own */
	if (code != WP_EXIT_OK || d->method->firmware != WP_FW_NONE)
		return code;
	code = wp_wipe_ledger_job_begin(d->ledger, d->req.asset, d->job, d->report_path);
	d->job_recorded = code == WP_EXIT_OK;
	snprintf(d->cp.path, sizeof(d->cp.path), "%s", wp_wipe_ledger_path(d->ledger));
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
		wp_wipe_ledger_end(d->ledger, d->req.asset, d->job, NULL);
		if (d->job_recorded)
			wp_wipe_ledger_job_end(d->ledger, d->job);
	}
}

/* Every step that can refuse, for every drive, in order; the first
 * refusal ends the command with nothing written. */
static int prepare_all(struct drive *drives, size_t n)
{
	const struct wp_wipe_options *opts = drives[0].opts;
	int code = !opts->make_report_dir && wp_check_report_dir(opts->report_dir) < 0
		 ? WP_EXIT_USAGE : WP_EXIT_OK;
	for (size_t i = 0; i < n && code == WP_EXIT_OK; i++)
		code = prepare_drive(&drives[i]);
	if (code == WP_EXIT_OK)
		code = refuse_duplicates(drives, n);
	for (size_t i = 0; i < n && code == WP_EXIT_OK; i++)
		code = open_drive(&drives[i]);
	/* a folder of our choosing is made only when nothing refused */
	if (code == WP_EXIT_OK && opts->make_report_dir && wp_make_report_dir(opts->report_dir) < 0)
		code = WP_EXIT_FAILED;
	for (size_t i = 0; i < n && code == WP_EXIT_OK; i++)
		code = init_job(&drives[i]);
	for (size_t i = 0; i < n && code == WP_EXIT_OK; i++)
		code = record_start(&drives[i]);
	if (code != WP_EXIT_OK)
		cancel_started(drives, n);
	if (code != WP_EXIT_OK && n > 1)
		fprintf(stderr, _("wipeproof: no disk was written\n"));
	return code;
}

/* ---- the wipe itself, one thread per drive ------------------------------ */

void wp_wipe_verify_job(const struct wp_io_target *t, struct wp_job *job,
			enum wp_verify_mode mode, const struct wp_run_ctl *ctl)
{
	char err[512];
	if (mode == WP_VERIFY_OFF) {
		job->verify.mode = WP_VERIFY_OFF;
		if (job->bad.n_ranges == 0)
			job->result = WP_RESULT_UNVERIFIED;
		return;
	}
	job->verify.seed = wp_sample_new_seed();
	enum wp_verify_outcome out = wp_verify_run(t, wp_job_final_pass(job), mode,
						   &job->verify, ctl, err, sizeof(err));
	if (job->bad.n_ranges > 0) /* the write already failed; the read-back adds facts */
		return;
	if (out == WP_VERIFY_MATCH) {
		job->result = WP_RESULT_SANITIZED;
		return;
	}
	bool stopped = out == WP_VERIFY_ERROR && (wp_stop_flag || job->verify.device_removed);
	job->result = stopped ? WP_RESULT_INTERRUPTED : WP_RESULT_FAILED;
	snprintf(job->error, sizeof(job->error), "%s", err);
	if (job->verify.device_removed)
		snprintf(job->cause, sizeof(job->cause), "%s", WP_CAUSE_DEVICE_REMOVED);
	if (job->verify.unreadable_blocks > 0) {
		/* read to the end: not a stop, a verdict on the medium */
		snprintf(job->recommendation, sizeof(job->recommendation), "destroy");
		return;
	}
	job->stopped_at.set = out == WP_VERIFY_ERROR;
	snprintf(job->stopped_at.phase, sizeof(job->stopped_at.phase), "verify");
	job->stopped_at.pass = job->npasses;
	job->stopped_at.offset = job->verify.bytes_checked;
}

static const char *state_label(const struct wp_job *job)
{
	if (job->result == WP_RESULT_INTERRUPTED && job->cause[0])
		return "REMOVED";
	if (job->result == WP_RESULT_FAILED && job->verify.mismatched_blocks > 0)
		return "MISMATCH";
	if (job->result == WP_RESULT_FAILED)
		return "FAILED";
	return wp_result_name(job->result);
}

/* The method itself, after --remove-hpa: a firmware erase between two
 * looks at the medium, or an overwrite and its read-back. */
static void run_method(struct drive *d, struct wp_io_target *t, const struct wp_run_ctl *ctl)
{
	char err[512];
	wp_wipe_plan_to_job(&d->plan, d->dev, d->job);
	if (d->opts->remove_hpa && wp_wipe_remove_hpa(&d->plan, d->dev, t, d->job) < 0)
		return; /* the job says why; nothing was written */
	if (d->method->firmware != WP_FW_NONE)
		wp_wipe_firmware(&d->plan, d->method, t, d->opts->verify_mode, ctl, d->job);
	else if (wp_overwrite_run(t, d->method, d->job, ctl, err, sizeof(err)) == 0 ||
		 (d->job->bad.n_ranges > 0 && !d->job->stopped_at.set))
		wp_wipe_verify_job(t, d->job, d->opts->verify_mode, ctl); /* bad blocks: for the record */
}

static void *drive_main(void *arg)
{
	struct drive *d = arg;
	struct wp_run_ctl ctl = {
		.stop = &wp_stop_flag, .progress = wp_board_progress, .progress_ctx = d->row,
		.chunk_bytes = d->opts->chunk_bytes, .queue_depth = d->opts->queue_depth,
		.checkpoint = d->job_recorded ? wp_job_checkpoint_write : NULL,
		.checkpoint_ctx = &d->cp, .checkpoint_seconds = wp_checkpoint_seconds(),
	};
	struct wp_io_target t = {
		.fd = d->fd, .path = d->dev->path, .size = d->dev->size_bytes,
		.block_size = d->dev->logical_block_size,
	};
	run_method(d, &t, &ctl);
	wp_job_checkpointer_close(&d->cp);
	d->job->ended = time(NULL);
	/* The old partition table is gone from the medium: let the kernel drop
	 * its stale partitions too. Fails harmlessly where there are none. */
	(void)ioctl(d->fd, BLKRRPART);
	wp_board_set_state(d->row, state_label(d->job));
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

/* ---- after: reports and summary ---------------------------------------- */

int wp_exit_for_result(enum wp_result result)
{
	switch (result) {
	case WP_RESULT_SANITIZED:
	case WP_RESULT_UNVERIFIED:
	case WP_RESULT_PARTIAL: /* free space only; says how much it did not reach */
		return WP_EXIT_OK;
	case WP_RESULT_INTERRUPTED:
		return WP_EXIT_INTERRUPTED;
	case WP_RESULT_FAILED:
		break;
	}
	return WP_EXIT_FAILED;
}

static int exit_for_job(const struct wp_job *job)
{
	if (job->result == WP_RESULT_FAILED && job->verify.mismatched_blocks > 0)
		return WP_EXIT_MISMATCH;
	return wp_exit_for_result(job->result);
}

/* The command's code is the worst drive's: mismatch, then failure, then
 * interruption. */
static int worse(int a, int b)
{
	static const int order[] = { WP_EXIT_MISMATCH, WP_EXIT_FAILED, WP_EXIT_INTERRUPTED };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (a == order[i] || b == order[i])
			return order[i];
	return a != WP_EXIT_OK ? a : b;
}

static void job_totals(const struct wp_job *job, uint64_t *written, double *secs)
{
	*written = 0;
	*secs = 0;
	for (size_t i = 0; i < job->npasses; i++) {
		*written += job->passes[i].bytes_written;
		*secs += job->passes[i].seconds;
	}
}

/* A firmware erase is judged by the medium: how many sampled blocks
 * changed. */
static void print_fingerprint(const struct wp_fingerprint_record *f)
{
	if (!f->done)
		return;
	printf(_("  medium     %llu of %llu sampled blocks changed, %llu already erased, "
	       "%llu unchanged: %s\n"), (unsigned long long)f->changed,
	       (unsigned long long)f->blocks, (unsigned long long)f->already_expected,
	       (unsigned long long)f->unchanged, f->passed ? _("erased") : _("NOT ERASED"));
	for (size_t i = 0; i < f->n_bad; i++)
		printf(_("  unchanged  byte %llu\n"), (unsigned long long)f->bad_offsets[i]);
}

/* Medium errors: what was retried, what stayed bad, and what to do. */
static void print_faults(const struct wp_job *job)
{
	const struct wp_badblock_record *b = &job->bad;
	const struct wp_verify_record *v = &job->verify;
	if (b->retries || v->retries)
		printf(_("  retries    %llu (write) + %llu (read), %llu block(s) recovered\n"),
		       (unsigned long long)b->retries, (unsigned long long)v->retries,
		       (unsigned long long)(b->recovered_blocks + v->recovered_blocks));
	for (size_t i = 0; i < b->n_ranges; i++)
		printf(_("  bad blocks LBA %llu, %llu block(s): not written\n"),
		       (unsigned long long)b->ranges[i].first_lba,
		       (unsigned long long)b->ranges[i].count);
	for (size_t i = 0; i < v->n_unreadable; i++)
		printf(_("  unreadable LBA %llu, %llu block(s)\n"),
		       (unsigned long long)v->unreadable[i].first_lba,
		       (unsigned long long)v->unreadable[i].count);
	if (job->recommendation[0])
		printf(_("  recommend  %s the device (NIST SP 800-88 Destroy): no certificate\n"),
		       job->recommendation);
	if (job->cause[0])
		printf(_("  cause      %s\n"), job->cause);
}

void wp_wipe_print_summary(const struct wp_job *job, const char *report_path)
{
	char size[32];
	uint64_t written;
	double secs;
	job_totals(job, &written, &secs);
	wp_format_size(written, size, sizeof(size));
	printf("%s: %s\n", job->device.path, wp_result_name(job->result));
	printf(_("  device     %s, serial %s\n"), job->device.model, job->device.serial);
	if (job->firmware.used) {
		printf(_("  method     %s: %s\n"), job->method, job->firmware.command);
		printf(_("  device     answered: %s (%.1f s)\n"), job->firmware.status,
		       job->firmware.seconds);
		print_fingerprint(&job->fingerprint);
	} else {
		printf(ngettext("  method     %s (%zu pass)\n", "  method     %s (%zu passes)\n",
				job->npasses), job->method, job->npasses);
		printf(_("  written    %s in %.1f s (%.0f MB/s)\n"), size, secs,
		       secs > 0 ? (double)written / secs / 1e6 : 0.0);
	}
	if (job->nist_category[0])
		printf(_("  level      NIST SP 800-88 %s\n"), job->nist_category);
	const struct wp_verify_record *v = &job->verify;
	if (job->firmware.used && v->bytes_checked == 0 && v->mode != WP_VERIFY_OFF) {
		printf(_("  verified   by the sampled fingerprint above (the erase leaves no known "
		       "pattern to read back)\n"));
	} else if (v->mode != WP_VERIFY_OFF) {
		wp_format_size(v->bytes_checked, size, sizeof(size));
		printf(_("  verified   %s: %s read in %.1f s (%.0f MB/s, %.1f%% of the device), "
		       "%llu mismatched block(s)\n"), wp_verify_mode_name(v->mode), size, v->seconds,
		       v->seconds > 0 ? (double)v->bytes_checked / v->seconds / 1e6 : 0.0,
		       v->coverage_percent, (unsigned long long)v->mismatched_blocks);
		for (size_t i = 0; i < v->n_bad; i++)
			printf(_("  bad byte   %llu\n"), (unsigned long long)v->bad_offsets[i]);
	} else {
		printf(_("  verified   NO (--verify off): the result is 'unverified'\n"));
	}
	print_faults(job);
	if (job->error[0])
		printf(_("  error      %s\n"), job->error);
	printf(_("  job        %s\n"), job->id);
	if (report_path && report_path[0])
		printf(_("  report     %s\n"), report_path);
}

static void print_table(const struct drive *drives, size_t n)
{
	printf("\n%-14s %-24s %-11s %10s %8s  %-14s %s\n", "DEVICE", "SERIAL", "RESULT",
	       "WRITTEN", "MB/s", "VERIFIED", "REPORT");
	for (size_t i = 0; i < n; i++) {
		const struct wp_job *job = drives[i].job;
		char size[32], verified[32];
		uint64_t written;
		double secs;
		job_totals(job, &written, &secs);
		wp_format_size(written, size, sizeof(size));
		if (job->verify.mode == WP_VERIFY_OFF)
			snprintf(verified, sizeof(verified), "no");
		else if (job->stopped_at.set && strcmp(job->stopped_at.phase, "write") == 0)
			snprintf(verified, sizeof(verified), "not reached");
		else
			snprintf(verified, sizeof(verified), "%s %.1f%%",
				 wp_verify_mode_name(job->verify.mode), job->verify.coverage_percent);
		printf("%-14s %-24s %-11s %10s %8.0f  %-14s %s\n", job->device.path,
		       job->device.serial, state_label(job), size,
		       secs > 0 ? (double)written / secs / 1e6 : 0.0, verified,
		       drives[i].report_path[0] ? drives[i].report_path : "-");
	}
}

static int save_report(const struct drive *d)
{
	char err[512];
	if (!d->report_path[0])
		return 0;
	if (wp_job_save(d->job, d->report_path, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, _("wipeproof: %s\n"), err);
	return -1;
}

/* The report first, so the ledger can record its digest. */
static int record_end(struct drive *d)
{
	int c = exit_for_job(d->job);
	bool saved = save_report(d) == 0;
	if (!saved && c == WP_EXIT_OK)
		c = WP_EXIT_FAILED;
	if (d->ledger_started &&
	    wp_wipe_ledger_end(d->ledger, d->req.asset, d->job,
			       saved ? d->report_path : NULL) != WP_EXIT_OK && c == WP_EXIT_OK)
		c = WP_EXIT_FAILED;
	if (d->job_recorded)
		wp_wipe_ledger_job_end(d->ledger, d->job);
	return c;
}

static int finish_all(struct drive *drives, size_t n, bool json)
{
	int code = WP_EXIT_OK;
	for (size_t i = 0; i < n; i++) {
		struct drive *d = &drives[i];
		code = worse(code, record_end(d));
		if (json) {
			json_t *root = wp_job_to_json(d->job);
			json_dumpf(root, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
			fputc('\n', stdout);
			json_decref(root);
		} else if (n == 1) {
			wp_wipe_print_summary(d->job, d->report_path);
		}
		/* after the report and wipe-end it names; only a sanitized job
		 * gets one */
		if (d->ledger_started)
			code = worse(code, wp_wipe_ledger_certify(d->ledger, d->req.asset, d->job,
								  d->report_path, json));
	}
	if (!json && n > 1)
		print_table(drives, n);
	for (size_t i = 0; !json && n > 1 && i < n; i++)
		if (drives[i].job->bad.retries || drives[i].job->verify.retries ||
		    drives[i].job->cause[0] || drives[i].job->recommendation[0]) {
			printf("%s:\n", drives[i].job->device.path);
			print_faults(drives[i].job);
		}
	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		const struct wp_job *job = drives[i].job;
		if (job->result != WP_RESULT_SANITIZED && job->error[0])
			fprintf(stderr, _("wipeproof: %s: %s: %s\n"), job->device.path,
				wp_result_name(job->result), job->error);
	}
	return code;
}

static void release_all(struct drive *drives, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (drives[i].fd >= 0)
			close(drives[i].fd);
		free(drives[i].dev);
	}
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

/* With --asset: the identity and the ledger, and a home for the reports
 * whose digests the ledger will hold. */
static int open_ledger(const struct wp_wipe_request *reqs, size_t n,
		       struct wp_wipe_options *opts, char *report_dir, size_t len,
		       struct wp_wipe_ledger **ledger)
{
	*ledger = NULL;
	if (!any_asset(reqs, n))
		return WP_EXIT_OK;
	int code = wp_wipe_ledger_open(opts, ledger);
	if (code == WP_EXIT_OK && !opts->report_dir && !any_report_path(reqs, n)) {
		wp_wipe_ledger_report_dir_path(opts, report_dir, len);
		opts->report_dir = report_dir;
		opts->make_report_dir = true;
	}
	return code;
}

int wp_wipe_devices(const struct wp_wipe_request *reqs, size_t n,
		    const struct wp_wipe_options *options, struct wp_job *jobs)
{
	struct wp_wipe_options opts = *options;
	const struct wp_method *m = wp_method_find(opts.method ? opts.method
							       : WP_DEFAULT_METHOD);
	if (!m || n == 0 || n > WP_MAX_DEVICES)
		return WP_EXIT_USAGE;
	struct drive *drives = calloc(n, sizeof(*drives));
	struct wp_board *board = malloc(sizeof(*board));
	struct wp_wipe_ledger *ledger = NULL;
	const char *names[WP_MAX_DEVICES];
	char report_dir[4096];
	int code = WP_EXIT_FAILED;
	if (!drives || !board)
		goto out;
	code = open_ledger(reqs, n, &opts, report_dir, sizeof(report_dir), &ledger);
	if (code != WP_EXIT_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		drives[i] = (struct drive){ .req = reqs[i], .opts = &opts, .method = m, .fd = -1,
					    .job = &jobs[i], .row = &board->rows[i],
					    .ledger = reqs[i].asset ? ledger : NULL };
		names[i] = reqs[i].device;
	}
	code = WP_EXIT_FAILED;
	if (wp_board_init(board, names, n, opts.json) < 0)
		goto out;
	code = prepare_all(drives, n);
	if (code == WP_EXIT_OK) {
		run_all(drives, n);
		wp_board_finish(board);
		code = finish_all(drives, n, opts.json);
	}
	wp_board_destroy(board);
out:
	if (drives)
		release_all(drives, n);
	wp_wipe_ledger_close(ledger);
	free(drives);
	free(board);
	return code;
}

int wp_cmd_wipe(const struct wp_cmdline *cl)
{
	struct wp_wipe_request reqs[WP_MAX_DEVICES];
	for (size_t i = 0; i < cl->n_devices; i++)
		reqs[i] = (struct wp_wipe_request){
			.device = cl->devices[i],
			.confirm_serial = i < cl->n_confirm ? cl->confirm_serials[i] : NULL,
			.report_path = i < cl->n_reports ? cl->report_paths[i] : NULL,
			.asset = i < cl->n_assets ? cl->assets[i] : NULL,
		};
	struct wp_wipe_options opts = {
		.method = cl->method, .level = cl->level, .remove_hpa = cl->remove_hpa,
		.verify_mode = cl->verify_mode,
		.force_holders = cl->force_holders, .json = cl->json,
		.chunk_bytes = cl->chunk_bytes, .queue_depth = cl->queue_depth,
		.report_dir = cl->report_dir, .as_person = cl->as_person,
		.ledger_path = cl->ledger_path, .keys_dir = cl->keys_dir,
		.passphrase_file = cl->passphrase_file,
	};
	/* A wipe keeps its report unless told not to: the pass keys in it are
	 * what a later `verify` needs. */
	if (!cl->no_report && !cl->n_reports && !cl->report_dir && !cl->n_assets) {
		const char *dir = getenv("WIPEPROOF_REPORTS");
		opts.report_dir = dir && dir[0] ? dir : WP_DEFAULT_REPORT_DIR;
		opts.make_report_dir = true;
	}
	struct wp_job *jobs = calloc(cl->n_devices, sizeof(*jobs));
	if (!jobs)
		return WP_EXIT_FAILED;
	wp_signals_install();
	int code = wp_wipe_devices(reqs, cl->n_devices, &opts, jobs);
	free(jobs);
	return code;
}
