/*
 * station/ without cli/ (this test links wp_station only): the event
 * bodies of a wipe held against custody's own rules, the verdict, the job
 * states resume reads, and the overwrite engine's invariants that
 * wipe/engine.c states in prose.
 *
 * Oracles that are not station/ itself: custody's wp_rule_check (the
 * function appends and verification use) for the bodies; README.md's exit
 * code table (0 done, 1 failed, 3 refused, 4 mismatch, 5 interrupted),
 * written here as numbers, for the statuses; the bytes on the file for the
 * engine.
 */
#include "station_internal.h"
#include "custody_internal.h"
#include "verify.h"

#include "check_main.h"
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static char err[1024];

/* ---- the bodies against the rules ---------------------------------------- */

static struct wp_job *sample_job(const char *serial)
{
	struct wp_job *job = calloc(1, sizeof(*job));
	ck_assert_int_eq(wp_job_init(job, err, sizeof(err)), 0);
	snprintf(job->device.path, sizeof(job->device.path), "/dev/sdz");
	snprintf(job->device.serial, sizeof(job->device.serial), "%s", serial);
	snprintf(job->device.model, sizeof(job->device.model), "TestDisk");
	snprintf(job->method, sizeof(job->method), "random");
	job->verify.mode = WP_VERIFY_FULL;
	job->verify.bytes_checked = 1 << 20;
	job->verify.coverage_percent = 100.0;
	job->result = WP_RESULT_SANITIZED;
	return job;
}

static struct wp_asset_state taken_in(const char *serial)
{
	struct wp_asset_state st;
	memset(&st, 0, sizeof(st));
	snprintf(st.asset, sizeof(st.asset), "PC-1");
	snprintf(st.serial, sizeof(st.serial), "%s", serial);
	st.exists = true;
	return st;
}

/* Check BODY (borrowed) as KIND by an operator against ST; 0 or -1. */
static int check(const struct wp_asset_state *st, const char *kind, json_t *body)
{
	struct wp_event ev;
	memset(&ev, 0, sizeof(ev));
	snprintf(ev.kind, sizeof(ev.kind), "%s", kind);
	snprintf(ev.asset, sizeof(ev.asset), "PC-1");
	snprintf(ev.actor.name, sizeof(ev.actor.name), "鈴木 一郎");
	snprintf(ev.actor.role, sizeof(ev.actor.role), "operator");
	ev.body = body;
	err[0] = '\0';
	/* a ledger initialised with --no-approval-required: the bodies, not
	 * the approval, are under test */
	json_t *policy = json_pack("{s:b}", "approval_required", 0);
	int rc = wp_rule_check(st, policy, &ev, err, sizeof(err));
	json_decref(policy);
	return rc;
}

/* Accepted, and the state moves on as custody would record it. */
static void accept(struct wp_asset_state *st, const char *kind, json_t *body)
{
	ck_assert_ptr_nonnull(body);
	ck_assert_msg(check(st, kind, body) == 0, "%s refused: %s", kind, err);
	struct wp_event ev;
	memset(&ev, 0, sizeof(ev));
	snprintf(ev.kind, sizeof(ev.kind), "%s", kind);
	snprintf(ev.asset, sizeof(ev.asset), "PC-1");
	ev.body = body;
	wp_state_apply(st, &ev);
	json_decref(body);
}

/* BODY with KEY set to VALUE (taken) is refused in ST. */
static void refused_with(const struct wp_asset_state *st, const char *kind, json_t *body,
			 const char *key, json_t *value)
{
	ck_assert_ptr_nonnull(body);
	json_object_set_new(body, key, value);
	ck_assert_msg(check(st, kind, body) < 0, "%s with a changed '%s' was accepted", kind, key);
	json_decref(body);
}

static const char sha[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

START_TEST(wipe_bodies_pass_the_rules)
{
	struct wp_job *job = sample_job("SER-1");
	struct wp_asset_state st = taken_in("SER-1");
	refused_with(&st, WP_EV_WIPE_START, wp_station_body_wipe_start(job), "serial",
		     json_string("SER-2"));
	refused_with(&st, WP_EV_WIPE_START, wp_station_body_wipe_start(job), "job_id",
		     json_integer(7));
	accept(&st, WP_EV_WIPE_START, wp_station_body_wipe_start(job));
	ck_assert(st.wipe_open);
	refused_with(&st, WP_EV_WIPE_END, wp_station_body_wipe_end(job, "/r.json", sha), "result",
		     json_string("done"));
	refused_with(&st, WP_EV_WIPE_END, wp_station_body_wipe_end(job, "/r.json", sha),
		     "report_sha256", json_string("ABC"));
	refused_with(&st, WP_EV_WIPE_END, wp_station_body_wipe_end(job, "/r.json", sha), "job_id",
		     json_string("another-job"));
	accept(&st, WP_EV_WIPE_END, wp_station_body_wipe_end(job, "/r.json", sha));
	ck_assert(st.sanitized);
	refused_with(&st, WP_EV_VERIFIED, wp_station_body_verified(job), "job_id",
		     json_string("another-job"));
	accept(&st, WP_EV_VERIFIED, wp_station_body_verified(job));
	free(job);
}
END_TEST

START_TEST(failed_wipe_bodies)
{
	struct wp_job *job = sample_job("SER-1");
	struct wp_asset_state st = taken_in("SER-1");
	job->result = WP_RESULT_FAILED;
	snprintf(job->error, sizeof(job->error), "write error at byte 4096");
	snprintf(job->recommendation, sizeof(job->recommendation), "destroy");
	job->bad.bad_blocks = 3;
	accept(&st, WP_EV_WIPE_START, wp_station_body_wipe_start(job));
	json_t *end = wp_station_body_wipe_end(job, NULL, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(end, "result")), "failed");
	ck_assert_str_eq(json_string_value(json_object_get(end, "recommendation")), "destroy");
	ck_assert_int_eq(json_integer_value(json_object_get(end, "bad_blocks")), 3);
	ck_assert_ptr_null(json_object_get(end, "report_sha256"));
	accept(&st, WP_EV_WIPE_END, end);
	/* no verified event for anything but a sanitized job */
	ck_assert_ptr_null(wp_station_body_verified(job));
	free(job);
}
END_TEST

START_TEST(resume_bodies_pass_the_rules)
{
	struct wp_job *job = sample_job("SER-1");
	struct wp_asset_state st = taken_in("SER-1");
	struct wp_ledger_job row;
	accept(&st, WP_EV_WIPE_START, wp_station_body_wipe_start(job));
	wp_station_job_row(job, "PC-1", "/r.json", 4242, &row);
	ck_assert_str_eq(row.state, "");
	ck_assert_uint_eq(row.pass, 1);
	ck_assert_int_eq(row.owner_pid, 4242);
	row.pass = 2;
	row.offset = 1 << 20;
	/* the process died: resume records the missing wipe-end, then resumes */
	refused_with(&st, WP_EV_WIPE_RESUME, wp_station_body_wipe_resume(&row), "serial",
		     json_string("SER-1"));
	json_t *crash = wp_station_body_crash_end(&row);
	ck_assert_str_eq(json_string_value(json_object_get(crash, "cause")), "crash");
	accept(&st, WP_EV_WIPE_END, crash);
	refused_with(&st, WP_EV_WIPE_RESUME, wp_station_body_wipe_resume(&row), "serial",
		     json_string("SER-2"));
	refused_with(&st, WP_EV_WIPE_RESUME, wp_station_body_wipe_resume(&row), "job_id",
		     json_string("another-job"));
	accept(&st, WP_EV_WIPE_RESUME, wp_station_body_wipe_resume(&row));
	free(job);
}
END_TEST

START_TEST(freespace_body_passes_the_rules)
{
	struct wp_job *job = sample_job("SER-1");
	struct wp_asset_state st = taken_in("SER-1");
	struct wp_scope_record *sc = &job->scope;
	snprintf(sc->kind, sizeof(sc->kind), "%s", WP_SCOPE_FREE_SPACE);
	snprintf(sc->mountpoint, sizeof(sc->mountpoint), "/srv");
	snprintf(sc->source, sizeof(sc->source), "/dev/sdz1");
	snprintf(sc->fstype, sizeof(sc->fstype), "ext4");
	sc->has_unreached = true;
	sc->unreached_bytes = 4096;
	refused_with(&st, WP_EV_FREESPACE, wp_station_body_freespace(job, "partial", NULL, NULL),
		     "result", json_string("sanitized"));
	refused_with(&st, WP_EV_FREESPACE, wp_station_body_freespace(job, "partial", NULL, NULL),
		     "mountpoint", json_string(""));
	refused_with(&st, WP_EV_FREESPACE, wp_station_body_freespace(job, "wiped", "/r", sha),
		     "report_sha256", json_string("0"));
	json_t *b = wp_station_body_freespace(job, "partial", "/r", sha);
	ck_assert_int_eq(json_integer_value(json_object_get(b, "unreached_bytes")), 4096);
	accept(&st, WP_EV_FREESPACE, b);
	ck_assert_str_eq(st.freespace_job, job->id);
	/* the free space is not the disk: the asset is not sanitized */
	ck_assert(!st.sanitized);
	free(job);
}
END_TEST

/* ---- the verdict ------------------------------------------------------------ */

START_TEST(statuses_are_the_documented_exit_codes)
{
	ck_assert_int_eq(wp_station_result_status(WP_RESULT_SANITIZED), 0);
	ck_assert_int_eq(wp_station_result_status(WP_RESULT_UNVERIFIED), 0);
	ck_assert_int_eq(wp_station_result_status(WP_RESULT_PARTIAL), 0);
	ck_assert_int_eq(wp_station_result_status(WP_RESULT_FAILED), 1);
	ck_assert_int_eq(wp_station_result_status(WP_RESULT_INTERRUPTED), 5);
	struct wp_job *job = sample_job("S");
	job->result = WP_RESULT_FAILED;
	job->verify.mismatched_blocks = 1;
	ck_assert_int_eq(wp_station_job_status(job), 4);
	job->verify.mismatched_blocks = 0;
	ck_assert_int_eq(wp_station_job_status(job), 1);
	free(job);
	/* a batch is as bad as its worst drive: mismatch, failure, interruption */
	ck_assert_int_eq(wp_station_worse(0, 5), 5);
	ck_assert_int_eq(wp_station_worse(5, 1), 1);
	ck_assert_int_eq(wp_station_worse(1, 4), 4);
	ck_assert_int_eq(wp_station_worse(4, 0), 4);
	ck_assert_int_eq(wp_station_worse(0, 3), 3);
	ck_assert_int_eq(wp_station_worse(0, 0), 0);
	/* the free space (wipe.h: 0 done, 1 refused, 2 mismatch, -1 error) */
	ck_assert_str_eq(wp_station_freespace_verdict(0, 0, false), "wiped");
	ck_assert_str_eq(wp_station_freespace_verdict(0, 1, false), "partial");
	ck_assert_str_eq(wp_station_freespace_verdict(2, 0, false), "mismatch");
	ck_assert_str_eq(wp_station_freespace_verdict(-1, 0, true), "interrupted");
	ck_assert_str_eq(wp_station_freespace_verdict(-1, 0, false), "failed");
	ck_assert_int_eq(wp_station_freespace_status(0, false), 0);
	ck_assert_int_eq(wp_station_freespace_status(1, false), 3);
	ck_assert_int_eq(wp_station_freespace_status(2, false), 4);
	ck_assert_int_eq(wp_station_freespace_status(-1, true), 5);
	ck_assert_int_eq(wp_station_freespace_status(-1, false), 1);
}
END_TEST

START_TEST(only_a_clean_sanitized_job_is_certified)
{
	char path[] = "/tmp/wp-station-report-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct wp_job *job = sample_job("S");
	ck_assert(wp_station_certifiable(job, path));
	ck_assert(!wp_station_certifiable(job, NULL));
	ck_assert(!wp_station_certifiable(job, ""));
	ck_assert(!wp_station_certifiable(job, "/nonexistent/report.json"));
	job->bad.n_ranges = 1;
	ck_assert(!wp_station_certifiable(job, path));
	job->bad.n_ranges = 0;
	snprintf(job->recommendation, sizeof(job->recommendation), "destroy");
	ck_assert(!wp_station_certifiable(job, path));
	job->recommendation[0] = '\0';
	const enum wp_result no[] = { WP_RESULT_FAILED, WP_RESULT_INTERRUPTED,
				      WP_RESULT_UNVERIFIED, WP_RESULT_PARTIAL };
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		job->result = no[i];
		ck_assert_msg(!wp_station_certifiable(job, path), "%s certified",
			      wp_result_name(no[i]));
	}
	/* partial only as a free-space job, whose certificate says partial */
	snprintf(job->scope.kind, sizeof(job->scope.kind), "%s", WP_SCOPE_FREE_SPACE);
	ck_assert(wp_station_certifiable(job, path));
	unlink(path);
	free(job);
}
END_TEST

/* A file-backed target, as test_engine.c does: the engine takes any fd. */
struct target {
	char path[64];
	int fd;
	struct wp_io_target t;
};

static void target_open(struct target *tg, uint64_t size)
{
	snprintf(tg->path, sizeof(tg->path), "/tmp/wp-station-run-XXXXXX");
	tg->fd = mkstemp(tg->path);
	ck_assert_int_ge(tg->fd, 0);
	ck_assert_int_eq(ftruncate(tg->fd, (off_t)size), 0);
	tg->t = (struct wp_io_target){ .fd = tg->fd, .path = tg->path, .size = size,
				       .block_size = 512 };
}

static void target_close(struct target *tg)
{
	close(tg->fd);
	unlink(tg->path);
}

static struct wp_job *overwritten(struct target *tg, const char *method)
{
	struct wp_job *job = calloc(1, sizeof(*job));
	struct wp_run_ctl ctl = { .chunk_bytes = 65536 };
	ck_assert_int_eq(wp_job_init(job, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_overwrite_run(&tg->t, wp_method_find(method), job, &ctl, err,
					  sizeof(err)), 0);
	return job;
}

START_TEST(verify_decides_the_result)
{
	struct target tg;
	target_open(&tg, 4 * 65536);
	struct wp_job *job = overwritten(&tg, "random");
	struct wp_run_ctl ctl = { .chunk_bytes = 65536 };
	wp_station_verify_job(&tg.t, job, WP_VERIFY_FULL, &ctl);
	ck_assert_int_eq(job->result, WP_RESULT_SANITIZED);
	ck_assert_int_eq(wp_station_job_status(job), 0);
	wp_station_verify_job(&tg.t, job, WP_VERIFY_OFF, &ctl);
	ck_assert_int_eq(job->result, WP_RESULT_UNVERIFIED);
	ck_assert_int_eq(wp_station_job_status(job), 0);
	/* one byte that is not the pattern: a mismatch, exit 4 */
	ck_assert_int_eq(pwrite(tg.fd, "x", 1, 3 * 65536 + 7), 1);
	memset(&job->verify, 0, sizeof(job->verify));
	wp_station_verify_job(&tg.t, job, WP_VERIFY_FULL, &ctl);
	ck_assert_int_eq(job->result, WP_RESULT_FAILED);
	ck_assert_uint_gt(job->verify.mismatched_blocks, 0);
	ck_assert_int_eq(wp_station_job_status(job), 4);
	free(job);
	target_close(&tg);
}
END_TEST

/* The read-back stopped: interrupted only when the run's own stop flag
 * asked for it (hooks->stop, ctl->stop); there is no global flag. */
static volatile sig_atomic_t stop_flag;
static void stop_on_verify(const struct wp_progress *p, void *ctx)
{
	(void)ctx;
	if (strcmp(p->phase, "verify") == 0)
		stop_flag = 1;
}

START_TEST(a_stop_is_an_interruption)
{
	struct target tg;
	target_open(&tg, 16 * 65536);
	struct wp_job *job = overwritten(&tg, "zero");
	stop_flag = 0;
	struct wp_run_ctl ctl = { .chunk_bytes = 65536, .stop = &stop_flag,
				  .progress = stop_on_verify };
	wp_station_verify_job(&tg.t, job, WP_VERIFY_FULL, &ctl);
	ck_assert_int_eq(job->result, WP_RESULT_INTERRUPTED);
	ck_assert_int_eq(wp_station_job_status(job), 5);
	ck_assert(job->stopped_at.set);
	ck_assert_str_eq(job->stopped_at.phase, "verify");
	ck_assert_uint_lt(job->stopped_at.offset, tg.t.size);
	free(job);
	target_close(&tg);
}
END_TEST

/* ---- the job states resume reads ------------------------------------------ */

static struct wp_ledger_job row_in(const char *state, long pid)
{
	struct wp_ledger_job j;
	memset(&j, 0, sizeof(j));
	snprintf(j.job_id, sizeof(j.job_id), "job-1");
	snprintf(j.state, sizeof(j.state), "%s", state);
	j.owner_pid = pid;
	return j;
}

START_TEST(job_states)
{
	/* running, but its process is gone (or it is this one): crashed */
	struct wp_ledger_job j = row_in(WP_JOB_RUNNING, (long)getpid());
	ck_assert_str_eq(wp_station_job_state(&j), WP_JOB_CRASHED);
	ck_assert(wp_station_job_resumable(&j));
	j = row_in(WP_JOB_RUNNING, 0);
	ck_assert_str_eq(wp_station_job_state(&j), WP_JOB_CRASHED);
	/* running in a live process that is not wipeproof (a reused pid) */
	j = row_in(WP_JOB_RUNNING, (long)getppid());
	ck_assert_str_eq(wp_station_job_state(&j), WP_JOB_CRASHED);
	/* running in a live wipeproof process: not resumable */
	int ready[2];
	ck_assert_int_eq(pipe(ready), 0);
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		prctl(PR_SET_NAME, "wipeproof", 0, 0, 0);
		(void)!write(ready[1], "1", 1);
		pause();
		_exit(0);
	}
	char c;
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	j = row_in(WP_JOB_RUNNING, (long)child);
	ck_assert_str_eq(wp_station_job_state(&j), WP_JOB_RUNNING);
	ck_assert(!wp_station_job_resumable(&j));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	/* now its process is gone */
	ck_assert_str_eq(wp_station_job_state(&j), WP_JOB_CRASHED);
	j = row_in(WP_JOB_INTERRUPTED, 0);
	ck_assert(wp_station_job_resumable(&j));
	j = row_in(WP_JOB_DONE, 0);
	ck_assert(!wp_station_job_resumable(&j));
	j = row_in(WP_JOB_SUPERSEDED, 0);
	ck_assert(!wp_station_job_resumable(&j));
}
END_TEST

START_TEST(the_same_disk)
{
	struct wp_device *a = calloc(2, sizeof(*a)), *b = a + 1;
	snprintf(a->serial, sizeof(a->serial), "S1");
	snprintf(a->model, sizeof(a->model), "M");
	a->size_bytes = 1 << 30;
	a->logical_block_size = 512;
	a->devno = 0x800;
	*b = *a;
	ck_assert(wp_station_same_disk(a, b, NULL, 0));
	b->devno = 0; /* a job row knows no devno */
	ck_assert(wp_station_same_disk(a, b, NULL, 0));
	b->devno = 0x810;
	ck_assert(!wp_station_same_disk(a, b, NULL, 0));
	*b = *a;
	snprintf(b->serial, sizeof(b->serial), "S2");
	char why[512];
	ck_assert(!wp_station_same_disk(a, b, why, sizeof(why)));
	ck_assert_ptr_nonnull(strstr(why, "S2"));
	*b = *a;
	b->size_bytes -= 512;
	ck_assert(!wp_station_same_disk(a, b, NULL, 0));
	*b = *a;
	b->logical_block_size = 4096;
	ck_assert(!wp_station_same_disk(a, b, NULL, 0));
	*b = *a;
	snprintf(b->model, sizeof(b->model), "N");
	ck_assert(!wp_station_same_disk(a, b, NULL, 0));
	free(a);
}
END_TEST

/* ---- the engine's invariants (wipe/engine.c, opening comment) ------------- */

struct watch {
	uint64_t last_done;
	size_t last_pass;
	uint64_t stop_after;
};

/* Progress never goes back within a pass; stop once STOP_AFTER bytes of
 * pass 2 were reported (reports are throttled; the first one of a pass,
 * after its first chunk, always comes). */
static void watch_progress(const struct wp_progress *p, void *ctx)
{
	struct watch *w = ctx;
	if (strcmp(p->phase, "write") != 0)
		return;
	if (p->pass != w->last_pass)
		w->last_done = 0;
	ck_assert_uint_ge(p->done, w->last_done);
	ck_assert_uint_le(p->done, p->total);
	w->last_pass = p->pass;
	w->last_done = p->done;
	if (w->stop_after && p->pass == 2 && p->done >= w->stop_after)
		stop_flag = 1;
}

START_TEST(engine_invariants)
{
	struct target tg;
	target_open(&tg, 32 * 65536 + 4096);
	/* "every byte in [0, size) of a completed pass was written with the
	 * pass content exactly once": a complete run reads back in full */
	struct wp_job *job = calloc(1, sizeof(*job));
	struct watch w = { 0 };
	stop_flag = 0;
	struct wp_run_ctl ctl = { .chunk_bytes = 65536, .progress = watch_progress,
				  .progress_ctx = &w, .stop = &stop_flag };
	const struct wp_method *m = wp_method_find("dod3");
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(wp_job_init(job, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_overwrite_run(&tg.t, m, job, &ctl, err, sizeof(err)), 0);
	for (size_t p = 0; p < job->npasses; p++) {
		ck_assert(job->passes[p].complete);
		ck_assert_uint_eq(job->passes[p].bytes_written, tg.t.size);
	}
	struct wp_verify_record rec = { 0 };
	ck_assert_int_eq(wp_verify_run(&tg.t, wp_job_final_pass(job), WP_VERIFY_FULL, &rec, &ctl,
				       err, sizeof(err)), WP_VERIFY_MATCH);
	ck_assert_uint_eq(rec.bytes_checked, tg.t.size);
	free(job);
	/* "a pass is marked complete only after its fdatasync succeeded; the
	 * stop flag is honoured between chunks so a signal never leaves the
	 * report claiming more than reached the device" */
	job = calloc(1, sizeof(*job));
	w = (struct watch){ .stop_after = 1 };
	stop_flag = 0;
	ck_assert_int_eq(wp_job_init(job, err, sizeof(err)), 0);
	ck_assert_int_ne(wp_overwrite_run(&tg.t, m, job, &ctl, err, sizeof(err)), 0);
	ck_assert(job->passes[0].complete);
	ck_assert(!job->passes[1].complete);
	ck_assert(job->stopped_at.set);
	ck_assert_uint_eq(job->stopped_at.pass, 2);
	uint64_t claimed = job->passes[1].bytes_written;
	ck_assert_uint_lt(claimed, tg.t.size);
	/* what the report claims for pass 2 is on the file as pass 2 */
	struct wp_io_target part = tg.t;
	part.size = claimed - claimed % tg.t.block_size;
	memset(&rec, 0, sizeof(rec));
	struct wp_run_ctl plain = { .chunk_bytes = 65536 };
	ck_assert_int_eq(wp_verify_run(&part, &job->passes[1].spec, WP_VERIFY_FULL, &rec, &plain,
				       err, sizeof(err)), WP_VERIFY_MATCH);
	free(job);
	target_close(&tg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("station_run");
	TCase *tc = tcase_create("station_run");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, wipe_bodies_pass_the_rules);
	tcase_add_test(tc, failed_wipe_bodies);
	tcase_add_test(tc, resume_bodies_pass_the_rules);
	tcase_add_test(tc, freespace_body_passes_the_rules);
	tcase_add_test(tc, statuses_are_the_documented_exit_codes);
	tcase_add_test(tc, only_a_clean_sanitized_job_is_certified);
	tcase_add_test(tc, verify_decides_the_result);
	tcase_add_test(tc, a_stop_is_an_interruption);
	tcase_add_test(tc, job_states);
	tcase_add_test(tc, the_same_disk);
	tcase_add_test(tc, engine_invariants);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
