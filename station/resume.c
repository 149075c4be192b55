/*
 * Resume: continue an overwrite that a crash, a power loss or a signal cut
 * off, from the last checkpoint in the ledger's jobs table.
 *
 * Why it may continue instead of starting over: a pass's content at any
 * byte depends only on the pass key and the offset, and a checkpoint is
 * written only after the bytes below it were flushed, so the device ends
 * up exactly as after an unbroken run. Why it re-checks so much first: the
 * machine was off; the disk at the recorded path may be another one, or in
 * use now. Nothing is recorded or written until every check passed; then
 * the ledger gets the missing wipe-end (cause "crash") when the process
 * died without one, and wipe-resume.
 *
 * The job states (README.md has the diagram): running → done | interrupted
 * (wp_st_job_end), running whose process is gone → crashed
 * (wp_station_job_state), crashed | interrupted → running again
 * (record_resume), any → superseded (a newer wipe of the asset).
 */
#include "station_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Still writing? A pid is reused after a reboot, so it must also be a
 * wipeproof process, and not this one. */
static bool owner_alive(long pid)
{
	char path[64], comm[64] = "";
	if (pid <= 0 || pid == (long)getpid() || (kill((pid_t)pid, 0) < 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool ours = fgets(comm, sizeof(comm), f) && strncmp(comm, "wipeproof", 9) == 0;
	fclose(f);
	return ours;
}

const char *wp_station_job_state(const struct wp_ledger_job *j)
{
	if (strcmp(j->state, WP_JOB_RUNNING) == 0 && !owner_alive(j->owner_pid))
		return WP_JOB_CRASHED;
	return j->state;
}

bool wp_station_job_resumable(const struct wp_ledger_job *j)
{
	const char *s = wp_station_job_state(j);
	return strcmp(s, WP_JOB_CRASHED) == 0 || strcmp(s, WP_JOB_INTERRUPTED) == 0;
}

/* ---- which job ---------------------------------------------------------- */

struct pick {
	struct wp_ledger_job *found;
	size_t count;
	char names[1024];
};

static int pick_one(const struct wp_ledger_job *j, void *ctx)
{
	struct pick *p = ctx;
	if (!wp_station_job_resumable(j))
		return 0;
	if (p->count++ == 0)
		*p->found = *j;
	size_t n = strlen(p->names);
	snprintf(p->names + n, sizeof(p->names) - n, "%s%s (asset %s, %s)", n ? ", " : "",
		 j->job_id, j->asset, j->device);
	return 0;
}

/* The job named, or the only resumable one; a status. */
static int find_job(const struct wp_station_hooks *h, struct wp_ledger *l, const char *id,
		    struct wp_ledger_job *out)
{
	char err[512];
	int rc;
	if (id) {
		rc = wp_ledger_job_get(l, id, out, err, sizeof(err));
		if (rc == 1)
			wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("resume: no job %s in the ledger %s; "
				     "see 'wipeproof resume --list'"), id, wp_ledger_path(l));
		else if (rc < 0)
			wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, "resume: %s", err);
		return rc == 0 ? WP_STATION_OK : rc == 1 ? WP_STATION_USAGE : WP_STATION_FAILED;
	}
	struct pick p = { .found = out };
	if (wp_ledger_job_each(l, pick_one, &p, err, sizeof(err)) < 0) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, "resume: %s", err);
		return WP_STATION_FAILED;
	}
	if (p.count == 1)
		return WP_STATION_OK;
	if (p.count == 0)
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("resume: no interrupted wipe in the ledger "
			     "%s; nothing to resume"), wp_ledger_path(l));
	else
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("resume: %zu jobs can be resumed: %s; name "
			     "one: 'wipeproof resume JOB'"), p.count, p.names);
	return WP_STATION_USAGE;
}

/* Refuse a job that is not waiting to be resumed. */
static int check_job_state(const struct wp_station_hooks *h, const struct wp_ledger_job *j)
{
	const char *s = wp_station_job_state(j);
	if (wp_station_job_resumable(j))
		return WP_STATION_OK;
	if (strcmp(s, WP_JOB_RUNNING) == 0)
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("resume: job %s is being written right now "
			     "by process %ld; wait for it to end or stop it first"), j->job_id,
			     j->owner_pid);
	else if (strcmp(s, WP_JOB_DONE) == 0)
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("resume: job %s is already done; see its "
			     "report and 'wipeproof custody show %s'"), j->job_id, j->asset);
	else
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("resume: job %s was superseded by a newer "
			     "wipe of asset %s; it cannot be resumed"), j->job_id, j->asset);
	return WP_STATION_REFUSED;
}

/* The ledger must still show this job as the asset's last wipe, cut off.
 * *crashed: its wipe-end is missing (the process died). A newer wipe marks
 * the job superseded. */
static int check_custody(const struct wp_station_hooks *h, struct wp_ledger *l,
			 const struct wp_ledger_job *j, bool *crashed)
{
	char err[512];
	struct wp_asset_state *st = calloc(1, sizeof(*st));
	int code = WP_STATION_REFUSED;
	if (!st || wp_custody_state(l, j->asset, st, err, sizeof(err)) < 0) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, "resume: %s", st ? err : "out of memory");
		free(st);
		return WP_STATION_FAILED;
	}
	*crashed = st->wipe_open;
	if (strcmp(st->job_id, j->job_id) != 0) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("resume: asset %s was wiped again since (job "
			     "%s); job %s cannot be resumed"), j->asset, st->job_id, j->job_id);
		wp_ledger_job_set_state(l, j->job_id, WP_JOB_SUPERSEDED, 0, j->interruptions, err,
					sizeof(err));
	} else if (!st->wipe_open && strcmp(st->wipe_result, "interrupted") != 0) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("resume: the ledger says job %s ended '%s'; "
			     "only an interrupted wipe can be resumed"), j->job_id, st->wipe_result);
	} else if (st->released || st->destroyed || st->transferred) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("resume: asset %s is %s; it cannot be wiped"),
			     j->asset, wp_asset_status(st));
	} else {
		code = WP_STATION_OK;
	}
	free(st);
	return code;
}

/* ---- the disk ------------------------------------------------------------ */

/* Probe the disk and compare it with what the job recorded (the same
 * "same disk" check as a wipe's re-check); the device open exclusively in
 * *fd. */
static int check_disk(const struct wp_station_hooks *h, const struct wp_ledger_job *j,
		      const char *path, struct wp_device *dev, int *fd)
{
	char err[512];
	struct wp_guard_opts gopts = { 0 };
	struct wp_device *was = calloc(1, sizeof(*was));
	int code = WP_STATION_REFUSED;
	if (!was)
		return WP_STATION_FAILED;
	snprintf(was->serial, sizeof(was->serial), "%s", j->serial);
	snprintf(was->model, sizeof(was->model), "%s", j->model);
	was->size_bytes = j->size_bytes;
	was->logical_block_size = j->sector_size;
	if (wp_media_probe(path, &gopts, dev, err, sizeof(err)) < 0) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("resume: the disk of job %s is not at %s: %s; "
			     "give its path now with --device DEV"), j->job_id, path, err);
		code = WP_STATION_USAGE;
	} else if (!wp_station_same_disk(was, dev, NULL, 0)) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, dev, _("resume: refusing: %s is not the disk of job "
			     "%s (now serial '%s', model '%s', %llu bytes in %u-byte blocks; the job "
			     "wrote serial '%s', model '%s', %llu bytes in %u-byte blocks); nothing "
			     "was written"), path, j->job_id, dev->serial, dev->model,
			     (unsigned long long)dev->size_bytes, dev->logical_block_size, j->serial,
			     j->model, (unsigned long long)j->size_bytes, j->sector_size);
	} else if (wp_st_refuse_if_protected(h, dev) == WP_STATION_OK) {
		*fd = wp_st_open_exclusive(h, dev, &code);
		if (*fd >= 0)
			code = wp_st_recheck_identity(h, *fd, dev, &gopts);
	}
	free(was);
	return code;
}

/* ---- the job as it stood ------------------------------------------------- */

/* passes[0..pass-1] from the method and the recorded keys: the passes
 * before the checkpoint's are complete. */
static int restore_passes(const struct wp_station_hooks *h, const struct wp_ledger_job *j,
			  const struct wp_method *m, struct wp_job *job)
{
	const char *p = j->keys;
	job->npasses = m->npasses;
	for (size_t i = 0; i < j->pass; i++) {
		struct wp_pass_record *rec = &job->passes[i];
		size_t len = strcspn(p, ",");
		rec->spec.pattern = m->passes[i];
		if (m->passes[i] == WP_PATTERN_RANDOM && wp_key_from_hex(p, len, rec->spec.key) < 0) {
			wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("resume: job %s has no usable key for "
				     "pass %zu in the jobs table; it cannot be resumed"), j->job_id,
				     i + 1);
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
static int rebuild_job(const struct wp_station_hooks *h, const struct wp_ledger_job *j,
		       const struct wp_device *dev, const struct wp_method *m, struct wp_job *job)
{
	char err[512];
	struct wp_drive_plan *plan = calloc(1, sizeof(*plan));
	if (!plan)
		return WP_STATION_FAILED;
	if (wp_job_init(job, err, sizeof(err)) < 0) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, "%s", err);
		free(plan);
		return WP_STATION_FAILED;
	}
	snprintf(job->id, sizeof(job->id), "%.36s", j->job_id);
	job->started = parse_utc(j->started);
	wp_job_set_device(job, dev);
	snprintf(job->method, sizeof(job->method), "%s", m->name);
	if (wp_verify_mode_parse(j->verify_mode, &job->verify.mode) < 0)
		job->verify.mode = WP_VERIFY_FULL;
	int code = restore_passes(h, j, m, job) < 0 ? WP_STATION_FAILED : WP_STATION_OK;
	restore_interruptions(j->interruptions, job);
	if (code == WP_STATION_OK)
		code = wp_station_plan_drive(dev, m->name, WP_LEVEL_BEST, plan, err, sizeof(err));
	if (code == WP_STATION_OK)
		wp_wipe_plan_to_job(plan, dev, job);
	else if (err[0])
		wp_st_refuse(h, WP_REFUSAL_OTHER, dev, "%s", err);
	free(plan);
	return code;
}

/* reports/SERIAL-JOB.json becomes reports/SERIAL-JOB-resumeN.json: the
 * first run's report keeps the digest its wipe-end recorded. */
static int report_path_for(struct wp_station_ledger *wl, const struct wp_ledger_job *j,
			   const struct wp_job *job, char *out, size_t len)
{
	char dir[4096];
	if (j->report[0]) {
		snprintf(dir, sizeof(dir), "%s", j->report);
		char *dot = strrchr(dir, '.');
		if (dot && strcmp(dot, ".json") == 0)
			*dot = '\0';
		snprintf(out, len, "%.4000s-resume%zu.json", dir, job->n_interruptions);
		return WP_STATION_OK;
	}
	int code = wp_st_reports_dir(wl, dir, sizeof(dir));
	snprintf(out, len, "%.4000s/%.40s-resume%zu.json", dir, j->job_id, job->n_interruptions);
	return code;
}

/* ---- recording ------------------------------------------------------------ */

/* The missing wipe-end of a crashed run, the interruption in the jobs
 * table, wipe-resume, and the job as ours (running again). */
static int record_resume(struct wp_station_ledger *wl, struct wp_ledger_job *j, bool crashed)
{
	char err[512];
	struct wp_ledger *l = wl->ledger;
	int code = WP_STATION_OK;
	if (crashed)
		code = wp_st_append(wl, WP_EV_WIPE_END, j->asset, wp_station_body_crash_end(j),
				    "resume");
	/* a crash is an interruption the dead process could not record */
	if (code == WP_STATION_OK && strcmp(j->state, WP_JOB_RUNNING) == 0) {
		if (wp_ledger_job_interrupted(l, j, "crash", WP_JOB_INTERRUPTED, 0, err,
					      sizeof(err)) < 0 ||
		    wp_ledger_job_get(l, j->job_id, j, err, sizeof(err)) != 0) {
			wp_st_refuse(wl->h, WP_REFUSAL_OTHER, NULL, "resume: %s", err);
			return WP_STATION_FAILED;
		}
	}
	if (code == WP_STATION_OK)
		code = wp_st_append(wl, WP_EV_WIPE_RESUME, j->asset, wp_station_body_wipe_resume(j),
				    "resume");
	if (code == WP_STATION_OK &&
	    wp_ledger_job_set_state(l, j->job_id, WP_JOB_RUNNING, (long)getpid(),
				    j->interruptions, err, sizeof(err)) < 0) {
		wp_st_refuse(wl->h, WP_REFUSAL_OTHER, NULL, "resume: %s", err);
		code = WP_STATION_FAILED;
	}
	return code;
}

/* ---- running ----------------------------------------------------------- */

static void run(struct wp_station_ledger *wl, const struct wp_ledger_job *j,
		const struct wp_method *m, int fd, struct wp_job *job)
{
	char err[512];
	const struct wp_station_hooks *h = wl->h;
	struct wp_st_checkpointer cp = { .h = h };
	struct wp_st_progress progress = { .h = h, .i = 0 };
	snprintf(cp.path, sizeof(cp.path), "%s", wp_ledger_path(wl->ledger));
	struct wp_run_ctl ctl = {
		.stop = h->stop, .progress = wp_st_progress, .progress_ctx = &progress,
		.start_pass = j->pass ? j->pass : 1, .start_offset = j->offset,
		.checkpoint = wp_st_checkpoint_write, .checkpoint_ctx = &cp,
		.checkpoint_seconds = wl->cfg->checkpoint_seconds,
	};
	struct wp_io_target t = {
		.fd = fd, .path = job->device.path, .size = job->device.size_bytes,
		.block_size = job->device.logical_block_size,
	};
	if (wp_overwrite_run(&t, m, job, &ctl, err, sizeof(err)) == 0)
		wp_station_verify_job(&t, job, job->verify.mode, &ctl);
	wp_st_checkpointer_close(&cp);
	job->ended = time(NULL);
	if (h->drive_done)
		h->drive_done(h->ctx, 0, job);
}

/* Report, wipe-end, verified, the jobs table, the certificate. */
static int finish(struct wp_station_ledger *wl, const struct wp_ledger_job *j, struct wp_job *job,
		  const char *report_path)
{
	char err[512];
	int code = wp_station_job_status(job);
	bool saved = wp_job_save(job, report_path, err, sizeof(err)) == 0;
	if (!saved) {
		wp_st_refuse(wl->h, WP_REFUSAL_OTHER, NULL, "%s", err);
		code = code == WP_STATION_OK ? WP_STATION_FAILED : code;
	}
	if (wp_st_ledger_end(wl, j->asset, job, saved ? report_path : NULL) != WP_STATION_OK &&
	    code == WP_STATION_OK)
		code = WP_STATION_FAILED;
	wp_st_job_end(wl, job);
	if (wl->h->finished)
		wl->h->finished(wl->h->ctx, 0, job, report_path);
	int certified = wp_st_ledger_certify(wl, j->asset, job, saved ? report_path : NULL, NULL);
	return code == WP_STATION_OK ? certified : code;
}

static int resume_checked(struct wp_station_ledger *wl, const struct wp_station_resume_opts *o,
			  void (*resuming)(void *, const struct wp_ledger_job *, const char *),
			  struct wp_station_resumed *out, struct wp_device *dev, int *fd)
{
	const struct wp_station_hooks *h = wl->h;
	struct wp_ledger_job *j = &out->row;
	bool crashed = false;
	int code = find_job(h, wl->ledger, o->job, j);
	const struct wp_method *m = code == WP_STATION_OK ? wp_method_find(j->method) : NULL;
	if (code == WP_STATION_OK && (!m || m->firmware != WP_FW_NONE || j->pass == 0 ||
				      j->pass > m->npasses)) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("resume: job %s (method %s, pass %u) is not "
			     "an overwrite this version can continue"), j->job_id, j->method, j->pass);
		code = WP_STATION_REFUSED;
	}
	if (code == WP_STATION_OK)
		code = check_job_state(h, j);
	if (code == WP_STATION_OK)
		code = check_custody(h, wl->ledger, j, &crashed);
	if (code == WP_STATION_OK)
		code = check_disk(h, j, o->device ? o->device : j->device, dev, fd);
	if (code == WP_STATION_OK)
		code = rebuild_job(h, j, dev, m, &out->job);
	if (code != WP_STATION_OK)
		return code;
	/* every check passed: from here on the ledger and the disk change */
	code = record_resume(wl, j, crashed);
	if (code != WP_STATION_OK)
		return code;
	restore_interruptions(j->interruptions, &out->job);
	code = report_path_for(wl, j, &out->job, out->report_path, sizeof(out->report_path));
	if (code != WP_STATION_OK)
		return code;
	if (resuming)
		resuming(h->ctx, j, dev->path);
	out->ran = true;
	run(wl, j, m, *fd, &out->job);
	return finish(wl, j, &out->job, out->report_path);
}

int wp_station_resume(const struct wp_station_config *cfg, const struct wp_station_hooks *h,
		      const struct wp_station_resume_opts *o,
		      void (*resuming)(void *ctx, const struct wp_ledger_job *j, const char *dev),
		      struct wp_station_resumed *out)
{
	static const struct wp_station_hooks none = { 0 };
	struct wp_station_ledger *wl = NULL;
	struct wp_device *dev = calloc(1, sizeof(*dev));
	int fd = -1;
	if (!h)
		h = &none;
	memset(out, 0, sizeof(*out));
	int code = dev ? wp_station_ledger_open(cfg, h, o->passphrase_file, &wl)
		       : WP_STATION_FAILED;
	if (code == WP_STATION_OK)
		code = resume_checked(wl, o, resuming, out, dev, &fd);
	if (fd >= 0)
		close(fd);
	wp_station_ledger_close(wl);
	free(dev);
	return code;
}
