/*
 * wipeproof resume [JOB]: continue an overwrite that a crash, a power loss
 * or a signal cut off, from the last checkpoint in the ledger's jobs table.
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
#include "wipe_steps.h"

#include <errno.h>
#include <getopt.h>
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
	if (!o->list && !o->as && !getenv("WIPEPROOF_AS")) {
		snprintf(err, errlen, _("resume records in the custody ledger: say who you are with "
			 "--as PERSON (or WIPEPROOF_AS)"));
		return -1;
	}
	return 0;
}

/* ---- which job ---------------------------------------------------------- */

/* Still writing? A pid is reused after a reboot, so it must also be a
 * wipeproof process, and not this one. */
static bool owner_alive(long pid)
{
	char path[64], comm[64] = "";
	if (pid <= 0 || pid == (long)getpid() || (kill((pid_t)pid, 0) < 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool ours = fgets(comm, sizeof(comm), f) && strncmp(comm, "wipeproof", 9) == 0;
	fclose(f);
	return ours;
}

/* running, crashed (running, but its process is gone), interrupted, done,
 * superseded. */
static const char *effective_state(const struct wp_ledger_job *j)
{
	if (strcmp(j->state, WP_JOB_RUNNING) == 0 && !owner_alive(j->owner_pid))
		return "crashed";
	return j->state;
}

static bool resumable(const struct wp_ledger_job *j)
{
	const char *s = effective_state(j);
	return strcmp(s, "crashed") == 0 || strcmp(s, WP_JOB_INTERRUPTED) == 0;
}

struct pick {
	struct wp_ledger_job *found;
	size_t count;
	char names[1024];
};

static int pick_one(const struct wp_ledger_job *j, void *ctx)
{
	struct pick *p = ctx;
	if (!resumable(j))
		return 0;
	if (p->count++ == 0)
		*p->found = *j;
	size_t n = strlen(p->names);
	snprintf(p->names + n, sizeof(p->names) - n, "%s%s (asset %s, %s)", n ? ", " : "",
		 j->job_id, j->asset, j->device);
	return 0;
}

/* The job named, or the only resumable one; a wp_exit code. */
static int find_job(struct wp_ledger *l, const char *id, struct wp_ledger_job *out)
{
	char err[512];
	int rc;
	if (id) {
		rc = wp_ledger_job_get(l, id, out, err, sizeof(err));
		if (rc == 1)
			fprintf(stderr, _("wipeproof: resume: no job %s in the ledger %s; see "
				"'wipeproof resume --list'\n"), id, wp_ledger_path(l));
		else if (rc < 0)
			fprintf(stderr, _("wipeproof: resume: %s\n"), err);
		return rc == 0 ? WP_EXIT_OK : rc == 1 ? WP_EXIT_USAGE : WP_EXIT_FAILED;
	}
	struct pick p = { .found = out };
	if (wp_ledger_job_each(l, pick_one, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: resume: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	if (p.count == 1)
		return WP_EXIT_OK;
	if (p.count == 0)
		fprintf(stderr, _("wipeproof: resume: no interrupted wipe in the ledger %s; nothing "
			"to resume\n"), wp_ledger_path(l));
	else
		fprintf(stderr, _("wipeproof: resume: %zu jobs can be resumed: %s; name one: "
			"'wipeproof resume JOB'\n"), p.count, p.names);
	return WP_EXIT_USAGE;
}

/* Refuse a job that is not waiting to be resumed; a wp_exit code. */
static int check_job_state(const struct wp_ledger_job *j)
{
	const char *s = effective_state(j);
	if (resumable(j))
		return WP_EXIT_OK;
	if (strcmp(s, WP_JOB_RUNNING) == 0)
		fprintf(stderr, _("wipeproof: resume: job %s is being written right now by process "
			"%ld; wait for it to end or stop it first\n"), j->job_id, j->owner_pid);
	else if (strcmp(s, WP_JOB_DONE) == 0)
		fprintf(stderr, _("wipeproof: resume: job %s is already done; see its report and "
			"'wipeproof custody show %s'\n"), j->job_id, j->asset);
	else
		fprintf(stderr, _("wipeproof: resume: job %s was superseded by a newer wipe of asset "
			"%s; it cannot be resumed\n"), j->job_id, j->asset);
	return WP_EXIT_REFUSED;
}

/* The ledger must still show this job as the asset's last wipe, cut off.
 * *crashed: its wipe-end is missing (the process died). A wp_exit code;
 * a newer wipe marks the job superseded. */
static int check_custody(struct wp_ledger *l, const struct wp_ledger_job *j, bool *crashed)
{
	char err[512];
	struct wp_asset_state *st = calloc(1, sizeof(*st));
	int code = WP_EXIT_REFUSED;
	if (!st || wp_custody_state(l, j->asset, st, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: resume: %s\n"), st ? err : "out of memory");
		free(st);
		return WP_EXIT_FAILED;
	}
	*crashed = st->wipe_open;
	if (strcmp(st->job_id, j->job_id) != 0) {
		fprintf(stderr, _("wipeproof: resume: asset %s was wiped again since (job %s); job %s "
			"cannot be resumed\n"), j->asset, st->job_id, j->job_id);
		wp_ledger_job_set_state(l, j->job_id, WP_JOB_SUPERSEDED, 0, j->interruptions, err,
					sizeof(err));
	} else if (!st->wipe_open && strcmp(st->wipe_result, "interrupted") != 0) {
		fprintf(stderr, _("wipeproof: resume: the ledger says job %s ended '%s'; only an "
			"interrupted wipe can be resumed\n"), j->job_id, st->wipe_result);
	} else if (st->released || st->destroyed || st->transferred) {
		fprintf(stderr, _("wipeproof: resume: asset %s is %s; it cannot be wiped\n"), j->asset,
			wp_asset_status(st));
	} else {
		code = WP_EXIT_OK;
	}
	free(st);
	return code;
}

/* ---- the disk ------------------------------------------------------------ */

/* Probe the disk and compare it with what the job recorded; a wp_exit
 * code, and the device open exclusively in *fd. */
static int check_disk(const struct wp_ledger_job *j, const char *path, struct wp_device *dev,
		      int *fd)
{
	char err[512];
	struct wp_guard_opts gopts = { 0 };
	int code = WP_EXIT_REFUSED;
	if (wp_media_probe(path, &gopts, dev, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: resume: the disk of job %s is not at %s: %s; give its "
			"path now with --device DEV\n"), j->job_id, path, err);
		return WP_EXIT_USAGE;
	}
	struct wp_disk_ident was = { .serial = j->serial, .model = j->model,
				     .size_bytes = j->size_bytes,
				     .logical_block_size = j->sector_size };
	if (!wp_disk_is(dev, &was)) {
		fprintf(stderr, _("wipeproof: resume: refusing: %s is not the disk of job %s (now "
			"serial '%s', model '%s', %llu bytes in %u-byte blocks; the job wrote serial "
			"'%s', model '%s', %llu bytes in %u-byte blocks); nothing was written\n"),
			path, j->job_id, dev->serial, dev->model, (unsigned long long)dev->size_bytes,
			dev->logical_block_size, j->serial, j->model,
			(unsigned long long)j->size_bytes, j->sector_size);
		return WP_EXIT_REFUSED;
	}
	if (wp_refuse_if_protected(dev) < 0)
		return WP_EXIT_REFUSED;
	*fd = wp_open_exclusive(dev, &code);
	if (*fd < 0)
		return code;
	if (wp_recheck_identity(*fd, dev, &gopts) < 0)
		return WP_EXIT_REFUSED;
	return WP_EXIT_OK;
}

/* ---- the job as it stood ------------------------------------------------- */

/* passes[0..pass-1] from the method and the recorded keys: the passes
 * before the checkpoint's are complete. */
static int restore_passes(const struct wp_ledger_job *j, const struct wp_method *m,
			  struct wp_job *job)
{
	const char *p = j->keys;
	job->npasses = m->npasses;
	for (size_t i = 0; i < j->pass; i++) {
		struct wp_pass_record *rec = &job->passes[i];
		size_t len = strcspn(p, ",");
		rec->spec.pattern = m->passes[i];
		if (m->passes[i] == WP_PATTERN_RANDOM && wp_key_from_hex(p, len, rec->spec.key) < 0) {
			fprintf(stderr, _("wipeproof: resume: job %s has no usable key for pass %zu in "
				"the jobs table; it cannot be resumed\n"), j->job_id, i + 1);
			return -1;
		}
		rec->bytes_written = j->size_bytes;
		rec->complete = true;
		p += len + (p[len] == ',');
	}
	return 0;
}

static void restore_interruptions(const char *text, struct wp_job *job)
{
	json_t *arr = json_loads(text, 0, NULL);
	job->n_interruptions = 0;
	for (size_t i = 0; i < json_array_size(arr) && i < WP_MAX_INTERRUPTIONS; i++) {
		const json_t *o = json_array_get(arr, i);
		struct wp_interruption *in = &job->interruptions[i];
		const char *at = json_string_value(json_object_get(o, "at"));
		const char *cause = json_string_value(json_object_get(o, "cause"));
		snprintf(in->at, sizeof(in->at), "%s", at ? at : "");
		snprintf(in->cause, sizeof(in->cause), "%s", cause ? cause : "");
		in->pass = (size_t)json_integer_value(json_object_get(o, "pass"));
		in->offset = (uint64_t)json_integer_value(json_object_get(o, "offset"));
		job->n_interruptions = i + 1;
	}
	json_decref(arr);
}

static time_t parse_utc(const char *s)
{
	struct tm tm = { 0 };
	if (sscanf(s, "%d-%d-%dT%d:%d:%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec) != 6)
		return time(NULL);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* The report of the job as one document again: the original id, start
 * time and keys, the plan, every interruption so far. */
static int rebuild_job(const struct wp_ledger_job *j, const struct wp_device *dev,
		       const struct wp_method *m, struct wp_job *job)
{
	char err[512];
	struct wp_drive_plan plan;
	if (wp_job_init(job, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	snprintf(job->id, sizeof(job->id), "%.36s", j->job_id);
	job->started = parse_utc(j->started);
	wp_job_set_device(job, dev);
	snprintf(job->method, sizeof(job->method), "%s", m->name);
	if (wp_verify_mode_parse(j->verify_mode, &job->verify.mode) < 0)
		job->verify.mode = WP_VERIFY_FULL;
	if (restore_passes(j, m, job) < 0)
		return WP_EXIT_FAILED;
	restore_interruptions(j->interruptions, job);
	int code = wp_wipe_plan_drive(dev, m->name, WP_LEVEL_BEST, &plan);
	if (code == WP_EXIT_OK)
		wp_wipe_plan_to_job(&plan, dev, job);
	return code;
}

/* reports/SERIAL-JOB.json becomes reports/SERIAL-JOB-resumeN.json: the
 * first run's report keeps the digest its wipe-end recorded. */
static int report_path_for(const struct wp_ledger_job *j, const struct wp_job *job,
			   struct wp_wipe_ledger *wl, const struct resume_opts *o, char *out,
			   size_t len)
{
	char dir[4096];
	if (j->report[0]) {
		snprintf(dir, sizeof(dir), "%s", j->report);
		char *dot = strrchr(dir, '.');
		if (dot && strcmp(dot, ".json") == 0)
			*dot = '\0';
		snprintf(out, len, "%.4000s-resume%zu.json", dir, job->n_interruptions);
		return WP_EXIT_OK;
	}
	struct wp_wipe_options wo = { .ledger_path = o->ledger };
	(void)wl;
	int code = wp_wipe_ledger_report_dir(&wo, dir, sizeof(dir));
	snprintf(out, len, "%.4000s/%.40s-resume%zu.json", dir, j->job_id, job->n_interruptions);
	return code;
}

/* ---- recording ------------------------------------------------------------ */

/* The missing wipe-end of a crashed run, the interruption in the jobs
 * table, wipe-resume, and the job as ours. */
static int record_resume(struct wp_wipe_ledger *wl, struct wp_ledger_job *j, bool crashed)
{
	char err[512], why[256];
	struct wp_ledger *l = wp_wipe_ledger_handle(wl);
	int code = WP_EXIT_OK;
	if (crashed) {
		snprintf(why, sizeof(why), "the wipe process ended without recording its end (crash "
			 "or power loss); last checkpoint pass %u byte %llu", j->pass,
			 (unsigned long long)j->offset);
		code = wp_wipe_ledger_append(wl, WP_EV_WIPE_END, j->asset,
			      json_pack("{s:s, s:s, s:s, s:s}", "job_id", j->job_id, "result",
					"interrupted", "cause", "crash", "error", why), "resume");
	}
	/* a crash is an interruption the dead process could not record */
	if (code == WP_EXIT_OK && strcmp(j->state, WP_JOB_RUNNING) == 0) {
		if (wp_ledger_job_interrupted(l, j, "crash", WP_JOB_INTERRUPTED, 0, err,
					      sizeof(err)) < 0 ||
		    wp_ledger_job_get(l, j->job_id, j, err, sizeof(err)) != 0) {
			fprintf(stderr, _("wipeproof: resume: %s\n"), err);
			return WP_EXIT_FAILED;
		}
	}
	if (code == WP_EXIT_OK)
		code = wp_wipe_ledger_append(wl, WP_EV_WIPE_RESUME, j->asset,
			      json_pack("{s:s, s:s, s:s, s:I, s:I}", "job_id", j->job_id, "serial",
					j->serial, "device", j->device, "pass", (json_int_t)j->pass,
					"offset", (json_int_t)j->offset), "resume");
	if (code == WP_EXIT_OK &&
	    wp_ledger_job_set_state(l, j->job_id, WP_JOB_RUNNING, (long)getpid(),
				    j->interruptions, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: resume: %s\n"), err);
		code = WP_EXIT_FAILED;
	}
	return code;
}

/* ---- running ----------------------------------------------------------- */

static int exit_for_job(const struct wp_job *job)
{
	if (job->result == WP_RESULT_FAILED && job->verify.mismatched_blocks > 0)
		return WP_EXIT_MISMATCH;
	return wp_exit_for_result(job->result);
}

static void run(const struct wp_ledger_job *j, const struct wp_method *m, int fd,
		struct wp_job *job, bool json, const char *ledger_path)
{
	char err[512];
	struct wp_board *board = calloc(1, sizeof(*board));
	const char *names[1] = { job->device.path };
	struct wp_job_checkpointer cp = { .ledger = NULL };
	snprintf(cp.path, sizeof(cp.path), "%s", ledger_path);
	bool have_board = board && wp_board_init(board, names, 1, json) == 0;
	struct wp_run_ctl ctl = {
		.stop = &wp_stop_flag, .progress = have_board ? wp_board_progress : NULL,
		.progress_ctx = have_board ? &board->rows[0] : NULL,
		.start_pass = j->pass ? j->pass : 1, .start_offset = j->offset,
		.checkpoint = wp_job_checkpoint_write, .checkpoint_ctx = &cp,
		.checkpoint_seconds = wp_checkpoint_seconds(),
	};
	struct wp_io_target t = {
		.fd = fd, .path = job->device.path, .size = job->device.size_bytes,
		.block_size = job->device.logical_block_size,
	};
	if (wp_overwrite_run(&t, m, job, &ctl, err, sizeof(err)) == 0)
		wp_wipe_verify_job(&t, job, job->verify.mode, &ctl);
	wp_job_checkpointer_close(&cp);
	job->ended = time(NULL);
	if (have_board) {
		wp_board_set_state(&board->rows[0], wp_result_name(job->result));
		wp_board_finish(board);
		wp_board_destroy(board);
	}
	free(board);
}

/* Report, wipe-end, verified, the jobs table, the certificate. */
static int finish(struct wp_wipe_ledger *wl, const struct wp_ledger_job *j, struct wp_job *job,
		  const char *report_path, bool json)
{
	char err[512];
	int code = exit_for_job(job);
	bool saved = wp_job_save(job, report_path, err, sizeof(err)) == 0;
	if (!saved) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		code = code == WP_EXIT_OK ? WP_EXIT_FAILED : code;
	}
	if (wp_wipe_ledger_end(wl, j->asset, job, saved ? report_path : NULL) != WP_EXIT_OK &&
	    code == WP_EXIT_OK)
		code = WP_EXIT_FAILED;
	wp_wipe_ledger_job_end(wl, job);
	if (json) {
		json_t *root = wp_job_to_json(job);
		json_dumpf(root, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(root);
	} else {
		wp_wipe_print_summary(job, report_path);
		printf(_("  resumed    %zu interruption(s); the report lists them\n"),
		       job->n_interruptions);
	}
	int certified = wp_wipe_ledger_certify(wl, j->asset, job, saved ? report_path : NULL, json);
	if (code == WP_EXIT_OK)
		code = certified;
	fflush(stdout);
	if (job->result != WP_RESULT_SANITIZED && job->error[0])
		fprintf(stderr, _("wipeproof: %s: %s: %s\n"), job->device.path,
			wp_result_name(job->result), job->error);
	return code;
}

struct resume_run {
	struct wp_ledger_job *j;
	struct wp_device *dev;
	struct wp_job *job;
	int fd;
};

static int resume_checked(struct wp_wipe_ledger *wl, const struct resume_opts *o,
			  struct resume_run *r)
{
	char report_path[4096];
	bool crashed = false;
	struct wp_ledger *l = wp_wipe_ledger_handle(wl);
	int code = find_job(l, o->job, r->j);
	const struct wp_method *m = code == WP_EXIT_OK ? wp_method_find(r->j->method) : NULL;
	if (code == WP_EXIT_OK && (!m || m->firmware != WP_FW_NONE || r->j->pass == 0 ||
				   r->j->pass > m->npasses)) {
		fprintf(stderr, _("wipeproof: resume: job %s (method %s, pass %u) is not an overwrite "
			"this version can continue\n"), r->j->job_id, r->j->method, r->j->pass);
		code = WP_EXIT_REFUSED;
	}
	if (code == WP_EXIT_OK)
		code = check_job_state(r->j);
	if (code == WP_EXIT_OK)
		code = check_custody(l, r->j, &crashed);
	if (code == WP_EXIT_OK)
		code = check_disk(r->j, o->device ? o->device : r->j->device, r->dev, &r->fd);
	if (code == WP_EXIT_OK)
		code = rebuild_job(r->j, r->dev, m, r->job);
	if (code != WP_EXIT_OK)
		return code;
	/* every check passed: from here on the ledger and the disk change */
	code = record_resume(wl, r->j, crashed);
	if (code != WP_EXIT_OK)
		return code;
	restore_interruptions(r->j->interruptions, r->job);
	code = report_path_for(r->j, r->job, wl, o, report_path, sizeof(report_path));
	if (code != WP_EXIT_OK)
		return code;
	if (!o->json)
		printf(_("Resuming job %s on %s (asset %s): pass %u of %u from byte %llu\n"),
		       r->j->job_id, r->dev->path, r->j->asset, r->j->pass, r->j->passes,
		       (unsigned long long)r->j->offset);
	fflush(stdout);
	run(r->j, m, r->fd, r->job, o->json, wp_wipe_ledger_path(wl));
	return finish(wl, r->j, r->job, report_path, o->json);
}

static int resume(const struct resume_opts *o)
{
	struct wp_wipe_options wo = { .as_person = o->as, .ledger_path = o->ledger,
				      .keys_dir = o->keys_dir, .passphrase_file = o->passphrase_file };
	struct wp_wipe_ledger *wl = NULL;
	struct resume_run r = { .j = calloc(1, sizeof(*r.j)), .dev = calloc(1, sizeof(*r.dev)),
				.job = calloc(1, sizeof(*r.job)), .fd = -1 };
	int code = r.j && r.dev && r.job ? wp_wipe_ledger_open(&wo, &wl) : WP_EXIT_FAILED;
	if (code == WP_EXIT_OK) {
		wp_signals_install();
		code = resume_checked(wl, o, &r);
	}
	if (r.fd >= 0)
		close(r.fd);
	wp_wipe_ledger_close(wl);
	free(r.j);
	free(r.dev);
	free(r.job);
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
	const char *state = effective_state(j);
	ls->n++;
	if (ls->arr) {
		json_t *in = json_loads(j->interruptions, 0, NULL);
		wp_json_append(ls->arr, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:i, s:i, s:I, s:s, s:b, s:s, s:s, s:o}",
			"job_id", j->job_id, "asset", j->asset, "device", j->device, "serial", j->serial,
			"model", j->model, "size_bytes", (json_int_t)j->size_bytes, "method", j->method,
			"passes", (int)j->passes, "pass", (int)j->pass, "offset", (json_int_t)j->offset,
			"state", state, "resumable", resumable(j), "started", j->started,
			"updated", j->updated, "interruptions", in ? in : json_array()));
		return 0;
	}
	printf(_("%-36s %-12s %-14s %-12s pass %u/%u at byte %-12llu %s%s\n"), j->job_id, j->asset,
	       j->device, state, j->pass, j->passes, (unsigned long long)j->offset, j->updated,
	       resumable(j) ? _("  (can be resumed)") : "");
	return 0;
}

static int list_jobs(const struct resume_opts *o)
{
	char err[512];
	struct wp_ledger *l = NULL;
	struct listing ls = { .arr = o->json ? json_array() : NULL };
	int rc = wp_ledger_open_readonly(wp_ledger_path_resolve(o->ledger), &l, err, sizeof(err));
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
