/*
 * The verdict: what a wipe's facts amount to. One place decides sanitized,
 * unverified, partial, failed (with "destroy" advice) or interrupted, and
 * whether a job earns a certificate; front ends only show it and map the
 * status to their exit codes.
 *
 * Why the stop flag is the hooks' (ctl->stop) and never a global: a read
 * that ends in an error is an interruption only when someone asked the run
 * to stop; the same error without a stop is a failure of the medium.
 */
#include "station_internal.h"
#include "verify.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void wp_station_verify_job(const struct wp_io_target *t, struct wp_job *job,
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
	bool stopped = out == WP_VERIFY_ERROR &&
		       (wp_st_stopped(ctl ? ctl->stop : NULL) || job->verify.device_removed);
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

int wp_station_result_status(enum wp_result result)
{
	switch (result) {
	case WP_RESULT_SANITIZED:
	case WP_RESULT_UNVERIFIED:
	case WP_RESULT_PARTIAL: /* free space only; says how much it did not reach */
		return WP_STATION_OK;
	case WP_RESULT_INTERRUPTED:
		return WP_STATION_INTERRUPTED;
	case WP_RESULT_FAILED:
		break;
	}
	return WP_STATION_FAILED;
}

int wp_station_job_status(const struct wp_job *job)
{
	if (job->result == WP_RESULT_FAILED && job->verify.mismatched_blocks > 0)
		return WP_STATION_MISMATCH;
	return wp_station_result_status(job->result);
}

int wp_station_worse(int a, int b)
{
	static const int order[] = { WP_STATION_MISMATCH, WP_STATION_FAILED,
				     WP_STATION_INTERRUPTED };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (a == order[i] || b == order[i])
			return order[i];
	return a != WP_STATION_OK ? a : b;
}

bool wp_station_certifiable(const struct wp_job *job, const char *report_path)
{
	/* bad blocks never come with "sanitized"; checked anyway, since a
	 * certificate for a disk that still holds old data is the one thing
	 * this tool must not produce */
	bool done = job->result == WP_RESULT_SANITIZED ||
		    (job->result == WP_RESULT_PARTIAL && job->scope.kind[0]);
	return done && job->bad.n_ranges == 0 && !job->recommendation[0] && report_path &&
	       report_path[0] && access(report_path, F_OK) == 0;
}

/* "wiped" only when nothing free was left unreached (issue 15). */
const char *wp_station_freespace_verdict(int rc, uint64_t unreached_bytes, bool stopped)
{
	return rc == 0 ? (unreached_bytes ? "partial" : "wiped")
	     : rc == 2 ? "mismatch" : stopped ? "interrupted" : "failed";
}

int wp_station_freespace_status(int rc, bool stopped)
{
	return rc == 0 ? WP_STATION_OK : rc == 1 ? WP_STATION_REFUSED : rc == 2 ? WP_STATION_MISMATCH
	     : stopped ? WP_STATION_INTERRUPTED : WP_STATION_FAILED;
}
