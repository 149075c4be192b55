/*
 * The terminal's front end of a station batch (station/run.c probes,
 * guards, confirms and opens every drive before any is written, runs each
 * on its own thread and records them): this file asks for the serial on
 * the terminal, shows one progress line per drive, prints refusals, the
 * summary or JSON and the table, and maps the station's status to the
 * exit code. `wipe`, `watch --auto-wipe` and `demo` all run their wipes
 * through wp_cli_wipe_batch, so a drive looks the same on the terminal
 * whichever command started it; it is printing, not a command.
 */
#include "fw_cli.h"
#include "cert_cli.h"
#include "i18n.h"
#include "verify.h"
#include "wptext.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int wp_exit_for_status(int status)
{
	switch (status) {
	case WP_STATION_OK: return WP_EXIT_OK;
	case WP_STATION_USAGE: return WP_EXIT_USAGE;
	case WP_STATION_REFUSED: return WP_EXIT_REFUSED;
	case WP_STATION_MISMATCH: return WP_EXIT_MISMATCH;
	case WP_STATION_INTERRUPTED: return WP_EXIT_INTERRUPTED;
	default: return WP_EXIT_FAILED;
	}
}

/* ---- the hooks: what the station asks and shows ------------------------- */

static void trim_line(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
}

static int ask_operator(const struct wp_device *dev, const struct wp_method *m,
			enum wp_verify_mode mode, char *answer, size_t len)
{
	char what[512];
	wp_device_describe(dev, what, sizeof(what));
	fprintf(stderr, _("About to ERASE ALL DATA on %s:\n  %s\n"), dev->path, what);
	for (size_t i = 0; i < dev->n_partitions; i++)
		fprintf(stderr, _("  partition %s %s %s\n"), dev->partitions[i].path,
			dev->partitions[i].fs.fstype, dev->partitions[i].fs.label);
	if (m->firmware != WP_FW_NONE) /* the disk erases itself: no passes of ours */
		fprintf(stderr, _("Method: %s (firmware: %s), verification: %s\n"), m->name,
			m->description, wp_verify_mode_name(mode));
	else
		fprintf(stderr, _("Method: %s (%zu pass%s), verification: %s\n"), m->name,
			m->npasses, m->npasses > 1 ? "es" : "", wp_verify_mode_name(mode));
	if (dev->serial[0])
		fputs(_("Type the disk's serial number to confirm: "), stderr);
	else
		fprintf(stderr, _("This disk reports no serial number; type its name '%s' to confirm: "),
			dev->name);
	fflush(stderr);
	if (!fgets(answer, (int)len, stdin))
		return -1;
	trim_line(answer);
	return 0;
}

static int hook_confirm(void *ctx, const struct wp_device *dev, const struct wp_method *m,
			enum wp_verify_mode mode, char *answer, size_t len)
{
	(void)ctx;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, _("wipeproof: refusing to wipe %s: no confirmation; pass "
			"--confirm-serial %s (check it with 'wipeproof list')\n"),
			dev->path, wp_station_confirm_token(dev));
		return -1;
	}
	if (ask_operator(dev, m, mode, answer, len) < 0) {
		fputs(_("\nwipeproof: no answer; nothing was written\n"), stderr);
		return -1;
	}
	return 0;
}

/* A station message in the operator's language when the catalogue has it
 * under the msgid cli/ always used ("wipeproof: " + format + newline). */
static bool print_translated(const struct wp_station_refusal *r)
{
	char id[1024];
	if (!r->fmt || !r->args ||
	    snprintf(id, sizeof(id), "wipeproof: %s\n", r->fmt) >= (int)sizeof(id))
		return false;
	const char *tr = _(id);
	if (tr == id)
		return false;
	va_list ap;
	va_copy(ap, *r->args);
	/* the format is the catalogue's translation of the station's own
	 * format, whose specifiers msgfmt --check holds to the original */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vfprintf(stderr, tr, ap);
#pragma GCC diagnostic pop
	va_end(ap);
	return true;
}

/* The common refusals in the operator's language; the rest as the station
 * worded them. */
static void hook_refused(void *ctx, const struct wp_station_refusal *r)
{
	(void)ctx;
	if (r->kind == WP_REFUSAL_PROTECTED) {
		fprintf(stderr, _("wipeproof: refusing to wipe %s:\n"), r->dev->path);
		for (size_t i = 0; i < r->dev->n_reasons; i++)
			fprintf(stderr, "  %s: %s\n", wp_reason_label(r->dev->reasons[i].code),
				r->dev->reasons[i].text);
	} else if (r->kind == WP_REFUSAL_CONFIRM) {
		fprintf(stderr, _("wipeproof: refusing to wipe %s: confirmation '%s' does not match "
			"its serial '%s'; nothing was written\n"), r->dev->path, r->answer, r->token);
	} else if (!print_translated(r)) {
		fprintf(stderr, "wipeproof: %s\n", r->msg);
	}
}

static void hook_warn(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "wipeproof: %s\n", msg);
}

static void hook_progress(void *ctx, size_t i, const struct wp_progress *p)
{
	struct wp_cli_run *run = ctx;
	if (run->board)
		wp_board_progress(p, &run->board->rows[i]);
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

static void hook_drive_done(void *ctx, size_t i, const struct wp_job *job)
{
	struct wp_cli_run *run = ctx;
	if (run->board)
		wp_board_set_state(&run->board->rows[i], state_label(job));
}

static void finish_board(struct wp_cli_run *run)
{
	if (run->board && !run->board_finished)
		wp_board_finish(run->board);
	run->board_finished = true;
}

static void print_job_json(const struct wp_job *job)
{
	json_t *root = wp_job_to_json(job);
	json_dumpf(root, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
	fputc('\n', stdout);
	json_decref(root);
}

static void hook_finished(void *ctx, size_t i, const struct wp_job *job, const char *report_path)
{
	struct wp_cli_run *run = ctx;
	(void)i;
	run->finished_any = true;
	finish_board(run);
	if (run->json)
		print_job_json(job);
	else if (run->summary)
		wp_wipe_print_summary(job, report_path);
}

/* station/ issued the certificate; printed as `cert issue` prints it. */
static void hook_certified(void *ctx, const struct wp_certify_request *req, int status,
			   const struct wp_certify_result *res)
{
	struct wp_cli_run *run = ctx;
	(void)wp_cert_issue_print(req->asset, run->json, req->single_signature, status, res);
}

void wp_cli_hooks(struct wp_station_hooks *h, struct wp_cli_run *run)
{
	*h = (struct wp_station_hooks){
		.ctx = run, .stop = &wp_stop_flag, .confirm = hook_confirm, .refused = hook_refused,
		.warn = hook_warn, .progress = hook_progress, .drive_done = hook_drive_done,
		.finished = hook_finished, .certified = hook_certified,
	};
}

/* ---- after: reports and summary ---------------------------------------- */

int wp_exit_for_result(enum wp_result result)
{
	return wp_exit_for_status(wp_station_result_status(result));
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

static void print_table(const struct wp_job *jobs, char (*report_paths)[4096], size_t n)
{
	printf("\n%-14s %-24s %-11s %10s %8s  %-14s %s\n", "DEVICE", "SERIAL", "RESULT",
	       "WRITTEN", "MB/s", "VERIFIED", "REPORT");
	for (size_t i = 0; i < n; i++) {
		const struct wp_job *job = &jobs[i];
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
		       report_paths[i][0] ? report_paths[i] : "-");
	}
}

/* After the station's run: the table of a batch, its faults, and the
 * error of every drive that was not sanitized. */
static void print_after(const struct wp_job *jobs, char (*report_paths)[4096], size_t n,
			bool json)
{
	if (!json && n > 1)
		print_table(jobs, report_paths, n);
	for (size_t i = 0; !json && n > 1 && i < n; i++)
		if (jobs[i].bad.retries || jobs[i].verify.retries || jobs[i].cause[0] ||
		    jobs[i].recommendation[0]) {
			printf("%s:\n", jobs[i].device.path);
			print_faults(&jobs[i]);
		}
	fflush(stdout);
	for (size_t i = 0; i < n; i++) {
		const struct wp_job *job = &jobs[i];
		if (job->result != WP_RESULT_SANITIZED && job->error[0])
			fprintf(stderr, "wipeproof: %s: %s: %s\n", job->device.path,
				wp_result_name(job->result), job->error);
	}
}

int wp_cli_wipe_batch(const struct wp_wipe_request *reqs, size_t n,
		      const struct wp_wipe_options *o, struct wp_job *jobs)
{
	if (n == 0 || n > WP_MAX_DEVICES)
		return WP_EXIT_USAGE;
	struct wp_station_config *cfg = malloc(sizeof(*cfg));
	struct wp_board *board = malloc(sizeof(*board));
	char (*report_paths)[4096] = calloc(n, sizeof(*report_paths));
	const char *names[WP_MAX_DEVICES];
	int code = WP_EXIT_FAILED;
	for (size_t i = 0; i < n; i++)
		names[i] = reqs[i].device;
	if (!cfg || !board || !report_paths || wp_board_init(board, names, n, o->json) < 0) {
		free(board);
		board = NULL;
		goto out;
	}
	wp_cli_config_with(cfg, o->ledger_path, o->keys_dir, o->as_person);
	struct wp_station_wipe_opts so = {
		.method = o->method, .level = o->level, .remove_hpa = o->remove_hpa,
		.verify_mode = o->verify_mode, .force_holders = o->force_holders,
		.chunk_bytes = o->chunk_bytes, .queue_depth = o->queue_depth,
		.report_dir = o->report_dir, .make_report_dir = o->make_report_dir,
		.passphrase_file = o->passphrase_file, .single_signature = o->single_signature,
	};
	struct wp_cli_run run = { .board = board, .json = o->json, .summary = n == 1, .n = n };
	struct wp_station_hooks h;
	wp_cli_hooks(&h, &run);
	int status = wp_station_wipe(cfg, &h, reqs, n, &so, jobs, report_paths);
	finish_board(&run);
	wp_board_destroy(board);
	/* the drives ran (and finished) only when every check passed */
	if (run.finished_any)
		print_after(jobs, report_paths, n, o->json);
	code = wp_exit_for_status(status);
out:
	free(cfg);
	free(board);
	free(report_paths);
	return code;
}
