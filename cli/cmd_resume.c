/*
 * wipeproof resume [JOB]: continue an overwrite that a crash, a power loss
 * or a signal cut off, from the last checkpoint in the ledger's jobs table.
 * station/resume.c checks, records and runs it; this file parses the
 * options, lists the jobs and prints.
 *
 * Why it may continue instead of starting over: a pass's content at any
 * byte depends only on the pass key and the offset, and a checkpoint is
 * written only after the bytes below it were flushed, so the device ends
 * up exactly as after an unbroken run. Why it re-checks so much first: the
 * machine was off; the disk at the recorded path may be another one, or in
 * use now. Nothing is recorded or written until every check passed; then
 * the ledger gets the missing wipe-end (cause "crash") when the process
 * died without one, and wipe-resume.
 */
#include "station_cli.h"
#include "wptext.h"
#include "i18n.h"
#include "options.h"
#include "fw_cli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct resume_opts {
	const char *job, *as, *ledger, *keys_dir, *passphrase_file, *device, *report_dir;
	bool list, json, help;
};

/* marked for xgettext; translated where printed */
static const char *const usage_resume = N_(
	"Usage: wipeproof resume [JOB] --as PERSON [--device DEV] [--json]\n"
	"       wipeproof resume --list [--json]\n"
	"\n"
	"Continues an overwrite started with 'wipe --asset' that was cut off by a\n"
	"crash, a power loss or a signal, from its last checkpoint in the ledger\n"
	"(recorded every 2 seconds after a flush), then verifies and issues the\n"
	"certificate as the wipe would have. Without JOB: the one job that can be\n"
	"resumed. The disk must still be the same one (serial, model, size and\n"
	"block size), unmounted and not protected; a job whose process still runs,\n"
	"a finished job and one replaced by a newer wipe of the asset are refused.\n"
	"The ledger records wipe-end (interrupted) if it is missing, then\n"
	"wipe-resume; the job report lists every interruption.\n"
	"\n"
	"  --list               the jobs of the ledger and whether each can be resumed\n"
	"  --device DEV         the disk's path now, when it changed since the wipe\n"
	"  --json               progress and the report as JSON lines on stdout\n"
	"  --as PERSON          who records it (or WIPEPROOF_AS)\n"
	"  --ledger PATH        custody ledger (default /var/lib/wipeproof/ledger.db)\n"
	"  --keys DIR           key store (default /etc/wipeproof/keys)\n"
	"  --passphrase-file F  passphrase of PERSON's key\n");

void wp_resume_usage(FILE *out)
{
	fputs(_(usage_resume), out);
}

static int take_option(void *ctx, int opt, const char *arg, char *err, size_t errlen)
{
	struct resume_opts *o = ctx;
	(void)err, (void)errlen;
	if (wp_take_who(opt, arg, &o->as, &o->ledger, &o->keys_dir, &o->passphrase_file))
		return 0;
	switch (opt) {
	case WP_O_LIST: o->list = true; break;
	case WP_O_JSON: o->json = true; break;
	case WP_O_DEVICE: o->device = arg; break;
	case WP_O_HELP: o->help = true; break;
	}
	return 0;
}

/* 0, 1 for --help, -1 with a message. */
static int parse(int argc, char **argv, struct resume_opts *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	int first = wp_options_parse("resume", argc, argv, take_option, o, err, errlen);
	if (first < 0)
		return -1;
	if (o->help)
		return 1;
	if (argc - first > 1) {
		snprintf(err, errlen, _("'resume' takes at most one job id; see 'wipeproof resume "
			 "--list'"));
		return -1;
	}
	o->job = argc - first == 1 ? argv[first] : NULL;
	if (!o->list && !wp_cli_operator(o->as)) {
		snprintf(err, errlen, _("resume records in the custody ledger: say who you are with "
			 "--as PERSON (or WIPEPROOF_AS)"));
		return -1;
	}
	return 0;
}

/* ---- resuming: station/resume.c does the work --------------------------- */

static void hook_drive_done(void *ctx, size_t i, const struct wp_job *job)
{
	struct wp_cli_run *run = ctx;
	if (run->board)
		wp_board_set_state(&run->board->rows[i], wp_result_name(job->result));
}

static void hook_finished(void *ctx, size_t i, const struct wp_job *job, const char *report_path)
{
	struct wp_cli_run *run = ctx;
	(void)i;
	if (run->board && !run->board_finished)
		wp_board_finish(run->board);
	run->board_finished = true;
	if (run->json) {
		json_t *root = wp_job_to_json(job);
		json_dumpf(root, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(root);
	} else {
		wp_wipe_print_summary(job, report_path);
		printf(_("  resumed    %zu interruption(s); the report lists them\n"),
		       job->n_interruptions);
	}
}

/* The board's row is named once the disk is known; run comes first, so the
 * shared hooks (wp_cli_hooks) see a struct wp_cli_run. */
struct resume_ctx {
	struct wp_cli_run run;
	struct wp_board *mem;
	char device[64];
};

static void resuming(void *ctx, const struct wp_ledger_job *j, const char *dev)
{
	struct resume_ctx *rc = ctx;
	struct wp_cli_run *run = &rc->run;
	const char *names[1] = { rc->device };
	snprintf(rc->device, sizeof(rc->device), "%s", dev);
	if (rc->mem && wp_board_init(rc->mem, names, 1, run->json) == 0)
		run->board = rc->mem;
	if (!run->json)
		printf(_("Resuming job %s on %s (asset %s): pass %u of %u from byte %llu\n"),
		       j->job_id, dev, j->asset, j->pass, j->passes, (unsigned long long)j->offset);
	fflush(stdout);
}

static int resume(const struct resume_opts *o)
{
	struct wp_station_config *cfg = malloc(sizeof(*cfg));
	struct wp_station_resumed *out = calloc(1, sizeof(*out));
	struct wp_board *board = calloc(1, sizeof(*board));
	int code = WP_EXIT_FAILED;
	if (!cfg || !out)
		goto end;
	wp_cli_config_with(cfg, o->ledger, o->keys_dir, o->as);
	struct resume_ctx rc = { .run = { .json = o->json, .n = 1 }, .mem = board };
	struct wp_cli_run *run = &rc.run;
	struct wp_station_hooks h;
	wp_cli_hooks(&h, run);
	h.ctx = &rc;
	h.drive_done = hook_drive_done;
	h.finished = hook_finished;
	struct wp_station_resume_opts so = { .job = o->job, .device = o->device,
					     .passphrase_file = o->passphrase_file };
	wp_signals_install();
	int status = wp_station_resume(cfg, &h, &so, resuming, out);
	if (out->ran) {
		fflush(stdout);
		if (out->job.result != WP_RESULT_SANITIZED && out->job.error[0])
			fprintf(stderr, "wipeproof: %s: %s: %s\n", out->job.device.path,
				wp_result_name(out->job.result), out->job.error);
	}
	if (run->board)
		wp_board_destroy(board);
	code = wp_exit_for_status(status);
end:
	free(board);
	free(cfg);
	free(out);
	return code;
}

/* ---- --list ------------------------------------------------------------- */

struct listing {
	json_t *arr;
	size_t n;
};

/* Never the keys: a listing is for people and scripts, not for resuming. */
static int list_one(const struct wp_ledger_job *j, void *ctx)
{
	struct listing *ls = ctx;
	const char *state = wp_station_job_state(j);
	ls->n++;
	if (ls->arr) {
		json_t *in = json_loads(j->interruptions, 0, NULL);
		wp_json_append(ls->arr, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:i, s:i, s:I, s:s, s:b, s:s, s:s, s:o}",
			"job_id", j->job_id, "asset", j->asset, "device", j->device, "serial", j->serial,
			"model", j->model, "size_bytes", (json_int_t)j->size_bytes, "method", j->method,
			"passes", (int)j->passes, "pass", (int)j->pass, "offset", (json_int_t)j->offset,
			"state", state, "resumable", wp_station_job_resumable(j), "started", j->started,
			"updated", j->updated, "interruptions", in ? in : json_array()));
		return 0;
	}
	printf("%-36s %-12s %-14s %-12s pass %u/%u at byte %-12llu %s%s\n", j->job_id, j->asset,
	       j->device, state, j->pass, j->passes, (unsigned long long)j->offset, j->updated,
	       wp_station_job_resumable(j) ? _("  (can be resumed)") : "");
	return 0;
}

static int list_jobs(const struct resume_opts *o)
{
	char err[512];
	struct wp_ledger *l = NULL;
	struct listing ls = { .arr = o->json ? json_array() : NULL };
	int rc = wp_ledger_open_readonly(wp_cli_ledger(o->ledger), &l, err, sizeof(err));
	if (rc == 0)
		rc = wp_ledger_job_each(l, list_one, &ls, err, sizeof(err));
	wp_ledger_close(l);
	if (rc < 0) {
		fprintf(stderr, _("wipeproof: resume: %s\n"), err);
		json_decref(ls.arr);
		return WP_EXIT_FAILED;
	}
	if (ls.arr) {
		json_t *root = json_pack("{s:o}", "jobs", ls.arr);
		json_dumpf(root, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(root);
	} else if (ls.n == 0) {
		printf(_("No jobs in the ledger.\n"));
	}
	return WP_EXIT_OK;
}

int wp_cmd_resume_main(int argc, char **argv)
{
	char err[512];
	struct resume_opts o;
	int p = parse(argc, argv, &o, err, sizeof(err));
	if (p == 1) {
		wp_resume_usage(stdout);
		return WP_EXIT_OK;
	}
	if (p < 0) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		return WP_EXIT_USAGE;
	}
	return o.list ? list_jobs(&o) : resume(&o);
}
