/*
 * `wipe --asset TAG`: the custody side of a wipe. Before anything is
 * written the asset must allow the wipe (recorded serial equals the disk's,
 * approved unless the ledger's policy says otherwise, not released); then
 * wipe-start is appended; after the wipe, wipe-end with the result and the
 * SHA-256 of the saved job report, and `verified` for a verified wipe.
 *
 * All appends happen on the command's main thread, one after another; the
 * ledger's own BEGIN IMMEDIATE transactions order them against other
 * wipeproof processes appending at the same time.
 */
#include "i18n.h"
#include "wipe_steps.h"
#include "wptext.h"
#include "cert_cli.h"
#include "custody.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct wp_wipe_ledger {
	struct wp_ledger *ledger;
	struct wp_identity *actor;
	const char *single_signature;  /* wp_wipe_options */
};

static int exit_for(int rc)
{
	return rc == WP_CUSTODY_REFUSED ? WP_EXIT_REFUSED : WP_EXIT_FAILED;
}

int wp_wipe_ledger_open(const struct wp_wipe_options *opts, struct wp_wipe_ledger **out)
{
	char err[512];
	const char *who = opts->as_person ? opts->as_person : getenv("WIPEPROOF_AS");
	struct wp_wipe_ledger *wl = calloc(1, sizeof(*wl));
	*out = NULL;
	if (!wl)
		return WP_EXIT_FAILED;
	wl->single_signature = opts->single_signature;
	const char *path = wp_ledger_path_resolve(opts->ledger_path);
	int missing = wp_ledger_missing(path);
	int rc = wp_identity_load(wp_keys_dir_resolve(opts->keys_dir), who,
				  opts->passphrase_file, &wl->actor, err, sizeof(err));
	/* an asset is taken in before it is wiped: no ledger, no asset, and a
	 * refusal must not leave an empty ledger behind */
	if (rc == 0 && missing) {
		snprintf(err, sizeof(err), "no custody ledger at %s: %s; take the asset in first "
			 "('wipeproof custody intake --asset TAG --device DEV ...') or give the "
			 "ledger with --ledger PATH", path, strerror(missing));
		rc = WP_CUSTODY_REFUSED;
	}
	if (rc == 0)
		rc = wp_ledger_open(wp_ledger_path_resolve(opts->ledger_path), &wl->ledger, err,
				    sizeof(err));
	/* the asset checks before a wipe read from a verified pass */
	if (rc == 0)
		rc = wp_ledger_set_ca(wl->ledger, wp_identity_ca(wl->actor), err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		wp_wipe_ledger_close(wl);
		return exit_for(rc);
	}
	*out = wl;
	return WP_EXIT_OK;
}

struct wp_ledger *wp_wipe_ledger_handle(struct wp_wipe_ledger *wl)
{
	return wl->ledger;
}

void wp_wipe_ledger_close(struct wp_wipe_ledger *wl)
{
	if (!wl)
		return;
	wp_ledger_close(wl->ledger);
	wp_identity_free(wl->actor);
	free(wl);
}

/* With --asset and no report destination, reports go next to the ledger:
 * the ledger records their digests, so they must be kept somewhere. */
void wp_wipe_ledger_report_dir_path(const struct wp_wipe_options *opts, char *dir, size_t len)
{
	snprintf(dir, len, "%s", wp_ledger_path_resolve(opts->ledger_path));
	if (wp_ledger_is_pg(dir)) { /* a database server has no folder to put them beside */
		const char *env = getenv("WIPEPROOF_REPORTS");
		snprintf(dir, len, "%s", env && env[0] ? env : WP_DEFAULT_REPORT_DIR);
		return;
	}
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, len, "reports");
	else
		snprintf(slash + 1, len - (size_t)(slash + 1 - dir), "reports");
}

int wp_wipe_ledger_report_dir(const struct wp_wipe_options *opts, char *dir, size_t len)
{
	wp_wipe_ledger_report_dir_path(opts, dir, len);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, _("wipeproof: cannot create the report folder %s: %s; give "
			"--report-dir\n"), dir, strerror(errno));
		return WP_EXIT_FAILED;
	}
	return WP_EXIT_OK;
}

int wp_wipe_ledger_check(struct wp_wipe_ledger *wl, const char *asset,
			 const struct wp_device *dev, const char *category)
{
	char err[1024];
	int rc = wp_custody_check_wipe_level(wl->ledger, asset, dev->serial, category, err,
					     sizeof(err));
	if (rc == 0)
		return WP_EXIT_OK;
	fprintf(stderr, _("wipeproof: refusing to wipe %s as asset %s: %s\n"), dev->path, asset, err);
	return exit_for(rc);
}

int wp_wipe_ledger_append(struct wp_wipe_ledger *wl, const char *kind, const char *asset,
			  json_t *body, const char *what)
{
	char err[512];
	int rc = body ? wp_custody_append(wl->ledger, wl->actor, kind, asset, body, NULL, NULL,
					  err, sizeof(err))
		      : WP_CUSTODY_ERROR;
	if (!body)
		snprintf(err, sizeof(err), "the event could not be built (a field that is not "
			 "valid UTF-8, or out of memory); nothing was recorded");
	json_decref(body);
	if (rc == 0)
		return WP_EXIT_OK;
	fprintf(stderr, _("wipeproof: %s: cannot record %s for asset %s in the ledger: %s\n"),
		what, kind, asset, err);
	return exit_for(rc);
}

int wp_wipe_ledger_start(struct wp_wipe_ledger *wl, const char *asset,
			 const struct wp_job *job)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "job_id", job->id, "serial",
				 job->device.serial, "method", job->method, "device",
				 job->device.path);
	/* the level the plan reaches: the rules refuse one below the asset's
	 * class minimum before anything is written (issue 17) */
	if (body && job->nist_category[0])
		wp_json_set(body, "category", json_string(job->nist_category));
	return wp_wipe_ledger_append(wl, WP_EV_WIPE_START, asset, body, job->device.path);
}

/* What the custody trail must show without opening the report: blocks
 * that kept their old data and what to do with the disk, or that it was
 * unplugged rather than failed. */
static void add_fault_members(json_t *body, const struct wp_job *job)
{
	if (!body)
		return;
	uint64_t unreadable = job->verify.unreadable_blocks;
	if (job->bad.bad_blocks || unreadable) {
		wp_json_set(body, "bad_blocks", json_integer((json_int_t)job->bad.bad_blocks));
		wp_json_set(body, "unreadable_blocks", json_integer((json_int_t)unreadable));
	}
	if (job->bad.retries || job->verify.retries)
		wp_json_set(body, "retries",
				    json_integer((json_int_t)(job->bad.retries + job->verify.retries)));
	if (job->recommendation[0])
		wp_json_set(body, "recommendation", json_string(job->recommendation));
	if (job->cause[0])
		wp_json_set(body, "cause", json_string(job->cause));
}

/* A job that never started writing (another disk of the batch was
 * refused after this one's wipe-start) still closes its wipe-start. */
int wp_wipe_ledger_end(struct wp_wipe_ledger *wl, const char *asset,
		       const struct wp_job *job, const char *report_path)
{
	char digest[WP_HASH_HEX], err[512];
	json_t *body = json_pack("{s:s, s:s}", "job_id", job->id, "result",
				 wp_result_name(job->result));
	if (body && job->error[0])
		wp_json_set(body, "error", wp_json_text_lossy(job->error));
	add_fault_members(body, job);
	if (body && report_path && report_path[0]) {
		if (wp_file_sha256(report_path, digest, err, sizeof(err)) == 0) {
			wp_json_set(body, "report_sha256", json_string(digest));
			wp_json_set(body, "report", json_string(report_path));
		} else {
			fprintf(stderr, _("wipeproof: %s: the report's digest is not recorded: %s\n"),
				job->device.path, err);
		}
	}
	int code = wp_wipe_ledger_append(wl, WP_EV_WIPE_END, asset, body, job->device.path);
	if (code != WP_EXIT_OK || job->result != WP_RESULT_SANITIZED)
		return code;
	char coverage[32];
	const struct wp_verify_record *v = &job->verify;
	snprintf(coverage, sizeof(coverage), "%.1f", v->coverage_percent);
	body = json_pack("{s:s, s:s, s:I, s:s, s:I}", "job_id", job->id, "mode",
			 wp_verify_mode_name(v->mode), "bytes_checked", (json_int_t)v->bytes_checked,
			 "coverage_percent", coverage, "mismatched_blocks",
			 (json_int_t)v->mismatched_blocks);
	return wp_wipe_ledger_append(wl, WP_EV_VERIFIED, asset, body, job->device.path);
}

/* The free space of a filesystem: never a wipe-end, so it cannot make the
 * asset look sanitized; its own event kind carries what was covered. */
int wp_wipe_ledger_freespace(struct wp_wipe_ledger *wl, const char *asset,
			     const struct wp_job *job, const char *result, const char *report_path)
{
	const struct wp_scope_record *sc = &job->scope;
	char text[2048], digest[WP_HASH_HEX], err[512];
	snprintf(text, sizeof(text), "free space of %.64s on %.512s (mounted at %.512s): %s, %llu "
		 "bytes written and %llu read back of %llu free, %llu not reached", sc->fstype,
		 sc->source, sc->mountpoint, result, (unsigned long long)job->passes[0].bytes_written,
		 (unsigned long long)job->verify.bytes_checked, (unsigned long long)sc->free_bytes,
		 (unsigned long long)sc->unreached_bytes);
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "text", text,
				 "job_id", job->id, "result", result, "mountpoint", sc->mountpoint,
				 "device", sc->source, "fstype", sc->fstype, "serial", job->device.serial,
				 "free_bytes", (json_int_t)sc->free_bytes, "bytes_written",
				 (json_int_t)job->passes[0].bytes_written, "bytes_verified",
				 (json_int_t)job->verify.bytes_checked);
	if (body && sc->has_unreached)
		json_object_set_new(body, "unreached_bytes", json_integer((json_int_t)sc->unreached_bytes));
	if (body && report_path) {
		if (wp_file_sha256(report_path, digest, err, sizeof(err)) == 0) {
			wp_json_set(body, "report_sha256", json_string(digest));
			wp_json_set(body, "report", json_string(report_path));
		} else {
			fprintf(stderr, _("wipeproof: %s: the report's digest is not recorded: %s\n"),
				sc->mountpoint, err);
		}
	}
	return wp_wipe_ledger_append(wl, WP_EV_FREESPACE, asset, body, sc->mountpoint);
}

/* The certificate goes next to the report it names: an auditor who is
 * given one finds the other. */
int wp_wipe_ledger_certify(struct wp_wipe_ledger *wl, const char *asset,
			   const struct wp_job *job, const char *report_path, bool json)
{
	char dir[4096];
	/* bad blocks never come with "sanitized"; checked anyway, since a
	 * certificate for a disk that still holds old data is the one thing
	 * this tool must not produce */
	bool done = job->result == WP_RESULT_SANITIZED ||
		    (job->result == WP_RESULT_PARTIAL && job->scope.kind[0]);
	if (!done || job->bad.n_ranges > 0 ||
	    job->recommendation[0] || !report_path || !report_path[0] ||
	    access(report_path, F_OK) != 0)
		return WP_EXIT_OK;
	snprintf(dir, sizeof(dir), "%s", report_path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	struct wp_cert_issue req = {
		.ledger = wl->ledger, .issuer = wl->actor, .asset = asset, .job = job,
		.report_path = report_path, .out_dir = slash ? (dir[0] ? dir : "/") : ".",
		.json = json, .single_signature = wl->single_signature,
	};
	return wp_cert_issue_run(&req);
}

/* ---- the jobs table: what `wipeproof resume` needs ---------------------- */

void wp_job_keys_hex(const struct wp_job *job, size_t upto, char *out, size_t len)
{
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < upto && i < job->npasses && i < WP_MAX_PASSES; i++) {
		const struct wp_pass_spec *s = &job->passes[i].spec;
		if (i > 0 && n + 1 < len)
			out[n++] = ',';
		for (size_t k = 0; s->pattern == WP_PATTERN_RANDOM && k < WP_KEY_BYTES &&
				   n + 2 < len; k++)
			n += (size_t)snprintf(out + n, len - n, "%02x", s->key[k]);
		out[n] = '\0';
	}
}

int wp_wipe_ledger_job_begin(struct wp_wipe_ledger *wl, const char *asset,
			     const struct wp_job *job, const char *report_path)
{
	char err[512];
	struct wp_ledger_job *j = calloc(1, sizeof(*j));
	if (!j)
		return WP_EXIT_FAILED;
	snprintf(j->job_id, sizeof(j->job_id), "%s", job->id);
	snprintf(j->asset, sizeof(j->asset), "%s", asset);
	snprintf(j->device, sizeof(j->device), "%s", job->device.path);
	snprintf(j->serial, sizeof(j->serial), "%s", job->device.serial);
	snprintf(j->model, sizeof(j->model), "%s", job->device.model);
	j->size_bytes = job->device.size_bytes;
	j->sector_size = job->device.logical_block_size;
	snprintf(j->method, sizeof(j->method), "%s", job->method);
	snprintf(j->verify_mode, sizeof(j->verify_mode), "%s", wp_verify_mode_name(job->verify.mode));
	const struct wp_method *m = wp_method_find(job->method);
	j->passes = m ? (unsigned)m->npasses : 0;
	j->pass = 1;
	j->owner_pid = (long)getpid();
	wp_utc_format(job->started, j->started, sizeof(j->started));
	snprintf(j->report, sizeof(j->report), "%s", report_path ? report_path : "");
	int rc = wp_ledger_job_begin(wl->ledger, j, err, sizeof(err));
	free(j);
	if (rc == 0)
		return WP_EXIT_OK;
	fprintf(stderr, _("wipeproof: %s: cannot record the job for resuming: %s\n"),
		job->device.path, err);
	return WP_EXIT_FAILED;
}

/* interruptions (a JSON array) with one more entry. */
static char *with_interruption(const char *interruptions, const char *at, unsigned pass,
			       uint64_t offset, const char *cause)
{
	json_t *arr = json_loads(interruptions[0] ? interruptions : "[]", 0, NULL);
	if (!json_is_array(arr)) {
		json_decref(arr);
		arr = json_array();
	}
	wp_json_append(arr, json_pack("{s:s, s:I, s:I, s:s}", "at", at, "pass",
					     (json_int_t)pass, "offset", (json_int_t)offset,
					     "cause", cause));
	char *text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return text;
}

int wp_ledger_job_interrupted(struct wp_ledger *ledger, const struct wp_ledger_job *j,
			      const char *cause, const char *state, long owner_pid,
			      char *err, size_t errlen)
{
	char *text = with_interruption(j->interruptions, j->updated, j->pass, j->offset, cause);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return WP_CUSTODY_ERROR;
	}
	int rc = wp_ledger_job_set_state(ledger, j->job_id, state, owner_pid, text, err, errlen);
	free(text);
	return rc;
}

/* After the run: an interrupted overwrite can be resumed, anything else
 * is over. */
void wp_wipe_ledger_job_end(struct wp_wipe_ledger *wl, const struct wp_job *job)
{
	char err[512];
	struct wp_ledger_job *j = calloc(1, sizeof(*j));
	int rc = j ? wp_ledger_job_get(wl->ledger, job->id, j, err, sizeof(err)) : -1;
	if (rc == 0 && job->result == WP_RESULT_INTERRUPTED)
		rc = wp_ledger_job_interrupted(wl->ledger, j, job->cause[0] ? job->cause : "signal",
					       WP_JOB_INTERRUPTED, 0, err, sizeof(err));
	else if (rc == 0)
		rc = wp_ledger_job_set_state(wl->ledger, job->id, WP_JOB_DONE, 0, j->interruptions,
					     err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, _("wipeproof: %s: cannot record the end of job %s in the jobs table: "
			"%s\n"), job->device.path, job->id, j ? err : "out of memory");
	free(j);
}

/* Runs on a drive's thread with a ledger handle of its own (a handle is
 * for one thread). A checkpoint that cannot be written is reported once;
 * the wipe goes on, only a resume would start further back. */
void wp_job_checkpoint_write(const struct wp_job *job, size_t pass, uint64_t offset, void *ctx)
{
	struct wp_job_checkpointer *cp = ctx;
	char err[512], keys[400];
	int rc = 0;
	if (!cp->ledger)
		rc = wp_ledger_open(cp->path, &cp->ledger, err, sizeof(err));
	wp_job_keys_hex(job, pass, keys, sizeof(keys));
	if (rc == 0)
		rc = wp_ledger_job_checkpoint(cp->ledger, job->id, (unsigned)pass, offset, keys, err,
					      sizeof(err));
	if (rc < 0 && !cp->warned) {
		cp->warned = true;
		fprintf(stderr, _("wipeproof: %s: cannot record a checkpoint: %s\n"), job->device.path,
			err);
	}
}

void wp_job_checkpointer_close(struct wp_job_checkpointer *cp)
{
	wp_ledger_close(cp->ledger);
	cp->ledger = NULL;
}

const char *wp_wipe_ledger_path(struct wp_wipe_ledger *wl)
{
	return wp_ledger_path(wl->ledger);
}

/* WIPEPROOF_CHECKPOINT_SECONDS: how often to checkpoint, for the tests
 * and the emulated bed, whose disks are written in a second or two; 0
 * (the engine's WP_CHECKPOINT_SECONDS) when unset or not a sane number. */
double wp_checkpoint_seconds(void)
{
	const char *env = getenv("WIPEPROOF_CHECKPOINT_SECONDS");
	char *end = NULL;
	double s = env ? strtod(env, &end) : 0;
	return env && end != env && *end == '\0' && s >= 0.05 && s <= 3600 ? s : 0;
}
