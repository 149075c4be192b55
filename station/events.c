/*
 * The custody side of a wipe: the ledger a wipe records in, the bodies of
 * its events (wipe-start, wipe-end, verified, freespace, wipe-resume), the
 * jobs table that resume reads, and the checkpoints the drive threads
 * write. Before anything is written the asset must allow the wipe; after
 * it, wipe-end carries the result and the SHA-256 of the saved report.
 *
 * The bodies are built by pure functions (wp_station_body_*) so a unit test
 * can hold each against custody's rules; custody appends only what its
 * rules accept. All appends happen on the caller's thread, one after
 * another; the ledger's own BEGIN IMMEDIATE transactions order them against
 * other processes appending at the same time.
 */
#include "station_internal.h"
#include "certs.h"
#include "wptext.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int status_for(int rc)
{
	return rc == WP_CUSTODY_REFUSED ? WP_STATION_REFUSED : WP_STATION_FAILED;
}

/* ---- the queue: the server gone mid-wipe (issue 18) ------------------------
 * With a PostgreSQL ledger the station keeps a local SQLite copy of the
 * online chain (custody/README.md, When the server is gone), brought up to
 * the server's head when the ledger is opened and after every append. An
 * append that fails because the connection was lost goes to the copy
 * instead, chained on it, and every later append of the command too; the
 * wipe is never interrupted for it. The queued events are pushed when the
 * command ends and the server answers again, else by the next command
 * that opens the ledger, or by `custody push --queue`. */

/* Queued events of an earlier command go first: an append to the server
 * now would chain past them, and they could never be pushed. */
static int queue_open(struct wp_station_ledger *wl, char *err, size_t errlen)
{
	char why[1200];
	uint64_t pending = 0;
	const char *path = wl->cfg->queue;
	/* the default's folder, as the default ledger's (custody/ledger.c) */
	if (strcmp(path, WP_STATION_QUEUE_DEFAULT) == 0)
		(void)mkdir("/var/lib/wipeproof", 0755);
	int rc = wp_ledger_open(path, &wl->queue, why, sizeof(why));
	if (rc == 0)
		rc = wp_ledger_set_ca(wl->queue, wp_identity_ca(wl->actor), why, sizeof(why));
	if (rc == 0)
		rc = wp_queue_sync(wl->ledger, wl->queue, &pending, why, sizeof(why));
	struct wp_import_result r;
	if (rc == 0 && pending)
		rc = wp_queue_push(wl->queue, wl->ledger, wp_identity_ca(wl->actor), &r, why,
				   sizeof(why));
	if (rc == 0 && pending)
		wp_st_warn(wl->h, _("%llu events queued in %s while the ledger server could not be "
			   "reached were pushed to it (head seq %llu)"), (unsigned long long)pending,
			   path, (unsigned long long)r.head);
	if (rc < 0)
		snprintf(err, errlen, _("the station's queue %.300s (where events wait while the ledger "
			 "server cannot be reached; 'queue = PATH' in the configuration, "
			 "WIPEPROOF_QUEUE): %.700s; nothing was recorded"), path, why);
	return rc;
}

/* After an append on the server: the copy follows, so that an event
 * queued later is chained on it. A copy that cannot follow is said once
 * the queue is needed. */
static void queue_follow(struct wp_station_ledger *wl)
{
	char err[1024];
	uint64_t pending = 0;
	if (wl->queue && wp_queue_sync(wl->ledger, wl->queue, &pending, err, sizeof(err)) < 0)
		wp_st_warn(wl->h, _("the station's queue %s does not follow the ledger server: %s"),
			   wl->cfg->queue, err);
}

/* The ledger appends and certificates go to now. */
static struct wp_ledger *ledger_now(struct wp_station_ledger *wl)
{
	return wl->offline ? wl->queue : wl->ledger;
}

/* The connection was lost while recording WHAT: from now on this
 * command's events are queued. The queue first takes what the server may
 * hold that it lacks, as sealed (wp_queue_take_over): the events this
 * command committed since the copy last followed and, when RECORDED is
 * given, the event of WHAT for ASSET whose COMMIT the loss cut off —
 * *recorded then says it is in the queue already, with the time and
 * signature it may have on the server, and is not to be appended again.
 * (err, custody's "nothing was recorded ... run the command again", is
 * not what the operator should do now: not repeated.) */
static bool go_offline(struct wp_station_ledger *wl, const char *what, const char *asset,
		       bool *recorded)
{
	char why[1024];
	if (wl->offline || !wl->queue || !wp_ledger_offline(wl->ledger))
		return false;
	wl->offline = true;
	wp_st_warn(wl->h, _("the connection to the ledger server %s was lost while recording %s; "
		   "the wipe goes on, and its events are kept in the station's queue %s until the "
		   "server is back"), wl->cfg->ledger, what, wl->cfg->queue);
	if (wp_queue_take_over(wl->queue, wl->ledger, recorded ? what : NULL, asset, recorded, why,
			       sizeof(why)) < 0)
		wp_st_warn(wl->h, _("the station's queue %s could not take the events the ledger "
			   "server may hold: %s"), wl->cfg->queue, why);
	return true;
}

/* At the end of the command: the queued events to the server, if it is
 * back; else where they wait and how they get there. */
static void queue_flush(struct wp_station_ledger *wl)
{
	char err[1200] = "";
	struct wp_import_result r;
	if (!wl->offline || !wl->queued)
		return;
	int rc = wp_ledger_reconnect(wl->ledger, err, sizeof(err));
	if (rc == 0)
		rc = wp_queue_push(wl->queue, wl->ledger, wp_identity_ca(wl->actor), &r, err,
				   sizeof(err));
	if (rc == 0) {
		wp_st_warn(wl->h, _("the ledger server is back: the %u events queued in %s were pushed "
			   "to it (head seq %llu)"), wl->queued, wl->cfg->queue,
			   (unsigned long long)r.head);
		return;
	}
	wp_st_warn(wl->h, _("%u events of this command are NOT yet in the ledger server's chain: "
		   "they wait in the station's queue %s (%s); the next command that reaches the "
		   "server pushes them, or run 'wipeproof custody push --queue %s'"), wl->queued,
		   wl->cfg->queue, err, wl->cfg->queue);
}

int wp_station_ledger_open(const struct wp_station_config *cfg, const struct wp_station_hooks *h,
			   const char *passphrase_file, struct wp_station_ledger **out)
{
	char err[1400];
	struct wp_station_ledger *wl = calloc(1, sizeof(*wl));
	*out = NULL;
	if (!wl)
		return WP_STATION_FAILED;
	wl->h = h;
	wl->cfg = cfg;
	const char *path = cfg->ledger;
	int missing = wp_ledger_missing(path);
	int rc = wp_identity_load(cfg->keys_dir, cfg->operator_name[0] ? cfg->operator_name : NULL,
				  passphrase_file, &wl->actor, err, sizeof(err));
	/* an asset is taken in before it is wiped: no ledger, no asset, and a
	 * refusal must not leave an empty ledger behind */
	if (rc == 0 && missing) {
		snprintf(err, sizeof(err), _("no custody ledger at %s: %s; take the asset in first "
			 "('wipeproof custody intake --asset TAG --device DEV ...') or give the "
			 "ledger with --ledger PATH"), path, strerror(missing));
		rc = WP_CUSTODY_REFUSED;
	}
	if (rc == 0)
		rc = wp_ledger_open(path, &wl->ledger, err, sizeof(err));
	/* a server already gone: refused, not queued (custody/README.md, When
	 * the server is gone): the asset's checks cannot be read */
	if (rc < 0 && wp_ledger_is_pg(path) && strlen(err) + 200 < sizeof(err))
		snprintf(err + strlen(err), sizeof(err) - strlen(err), " — nothing was started or "
			 "written: a wipe starts only when the ledger server can check the asset and "
			 "record its start; start it again when the server answers");
	/* the asset checks before a wipe read from a verified pass */
	if (rc == 0)
		rc = wp_ledger_set_ca(wl->ledger, wp_identity_ca(wl->actor), err, sizeof(err));
	if (rc == 0 && wp_ledger_is_pg(path) && cfg->queue[0])
		rc = queue_open(wl, err, sizeof(err));
	if (rc < 0) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, "%s", err);
		wp_station_ledger_close(wl);
		return status_for(rc);
	}
	*out = wl;
	return WP_STATION_OK;
}

struct wp_ledger *wp_station_ledger_handle(struct wp_station_ledger *wl)
{
	return wl ? wl->ledger : NULL;
}

void wp_station_ledger_close(struct wp_station_ledger *wl)
{
	if (!wl)
		return;
	queue_flush(wl);
	wp_ledger_close(wl->queue);
	wp_ledger_close(wl->ledger);
	wp_identity_free(wl->actor);
	free(wl);
}

/* With an asset and no report destination, reports go next to the ledger:
 * the ledger records their digests, so they must be kept somewhere. */
void wp_station_reports_beside(const char *ledger, const char *reports_dir, char *dir,
			       size_t len)
{
	if (wp_ledger_is_pg(ledger)) { /* a database server has no folder to put them beside */
		snprintf(dir, len, "%s", reports_dir && reports_dir[0] ? reports_dir
								       : WP_DEFAULT_REPORT_DIR);
		return;
	}
	snprintf(dir, len, "%s", ledger);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, len, "reports");
	else
		snprintf(slash + 1, len - (size_t)(slash + 1 - dir), "reports");
}

int wp_st_reports_dir(struct wp_station_ledger *wl, char *dir, size_t len)
{
	wp_station_reports_beside(wl->cfg->ledger, wl->cfg->reports_dir, dir, len);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		wp_st_refuse(wl->h, WP_REFUSAL_OTHER, NULL, _("cannot create the report folder %s: "
			     "%s; give --report-dir"), dir, strerror(errno));
		return WP_STATION_FAILED;
	}
	return WP_STATION_OK;
}

int wp_st_ledger_check(struct wp_station_ledger *wl, const char *asset,
		       const struct wp_device *dev, const char *category)
{
	char err[1024];
	int rc = wp_custody_check_wipe_level(wl->ledger, asset, dev->serial, category, err,
					     sizeof(err));
	if (rc == 0)
		return WP_STATION_OK;
	wp_st_refuse(wl->h, WP_REFUSAL_OTHER, dev, _("refusing to wipe %s as asset %s: %s"),
		     dev->path, asset, err);
	return status_for(rc);
}

int wp_st_append(struct wp_station_ledger *wl, const char *kind, const char *asset,
		 json_t *body, const char *what)
{
	char err[1024];
	int rc = body ? wp_custody_append(ledger_now(wl), wl->actor, kind, asset, body, NULL, NULL,
					  err, sizeof(err))
		      : WP_CUSTODY_ERROR;
	bool recorded = false;
	if (rc < 0 && body && go_offline(wl, kind, asset, &recorded))
		rc = recorded ? 0 : wp_custody_append(wl->queue, wl->actor, kind, asset, body, NULL,
						      NULL, err, sizeof(err));
	else if (rc == 0 && !wl->offline)
		queue_follow(wl);
	if (rc == 0 && wl->offline)
		wl->queued++;
	if (!body)
		snprintf(err, sizeof(err), _("the event could not be built (a field that is not "
			 "valid UTF-8, or out of memory); nothing was recorded"));
	json_decref(body);
	if (rc == 0)
		return WP_STATION_OK;
	wp_st_refuse(wl->h, WP_REFUSAL_OTHER, NULL, _("%s: cannot record %s for asset %s in the "
		     "ledger: %s"), what, kind, asset, err);
	return status_for(rc);
}

/* ---- the bodies ----------------------------------------------------------- */

json_t *wp_station_body_wipe_start(const struct wp_job *job)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "job_id", job->id, "serial",
				 job->device.serial, "method", job->method, "device",
				 job->device.path);
	/* the level the plan reaches: the rules refuse one below the asset's
	 * class minimum before anything is written (issue 17) */
	if (body && job->nist_category[0])
		wp_json_set(body, "category", json_string(job->nist_category));
	return body;
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

json_t *wp_station_body_wipe_end(const struct wp_job *job, const char *report_path,
				 const char *report_sha256)
{
	json_t *body = json_pack("{s:s, s:s}", "job_id", job->id, "result",
				 wp_result_name(job->result));
	if (body && job->error[0])
		wp_json_set(body, "error", wp_json_text_lossy(job->error));
	add_fault_members(body, job);
	if (body && report_sha256 && report_path && report_path[0]) {
		wp_json_set(body, "report_sha256", json_string(report_sha256));
		wp_json_set(body, "report", json_string(report_path));
	}
	return body;
}

json_t *wp_station_body_verified(const struct wp_job *job)
{
	if (job->result != WP_RESULT_SANITIZED)
		return NULL;
	char coverage[32];
	const struct wp_verify_record *v = &job->verify;
	snprintf(coverage, sizeof(coverage), "%.1f", v->coverage_percent);
	return json_pack("{s:s, s:s, s:I, s:s, s:I}", "job_id", job->id, "mode",
			 wp_verify_mode_name(v->mode), "bytes_checked", (json_int_t)v->bytes_checked,
			 "coverage_percent", coverage, "mismatched_blocks",
			 (json_int_t)v->mismatched_blocks);
}

/* The free space of a filesystem: never a wipe-end, so it cannot make the
 * asset look sanitized; its own event kind carries what was covered. */
json_t *wp_station_body_freespace(const struct wp_job *job, const char *result,
				  const char *report_path, const char *report_sha256)
{
	const struct wp_scope_record *sc = &job->scope;
	char text[2048];
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
		wp_json_set(body, "unreached_bytes", json_integer((json_int_t)sc->unreached_bytes));
	if (body && report_path && report_sha256) {
		wp_json_set(body, "report_sha256", json_string(report_sha256));
		wp_json_set(body, "report", json_string(report_path));
	}
	return body;
}

json_t *wp_station_body_crash_end(const struct wp_ledger_job *j)
{
	char why[256];
	snprintf(why, sizeof(why), "the wipe process ended without recording its end (crash "
		 "or power loss); last checkpoint pass %u byte %llu", j->pass,
		 (unsigned long long)j->offset);
	return json_pack("{s:s, s:s, s:s, s:s}", "job_id", j->job_id, "result", "interrupted",
			 "cause", "crash", "error", why);
}

json_t *wp_station_body_wipe_resume(const struct wp_ledger_job *j)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I}", "job_id", j->job_id, "serial", j->serial,
			 "device", j->device, "pass", (json_int_t)j->pass, "offset",
			 (json_int_t)j->offset);
}

/* ---- appending them ---------------------------------------------------------- */

int wp_st_ledger_start(struct wp_station_ledger *wl, const char *asset, const struct wp_job *job)
{
	return wp_st_append(wl, WP_EV_WIPE_START, asset, wp_station_body_wipe_start(job),
			    job->device.path);
}

/* The report's digest, or NULL (said why) when it cannot be read. */
static const char *digest_of(struct wp_station_ledger *wl, const char *report_path,
			     const char *what, char out[WP_HASH_HEX])
{
	char err[512];
	if (!report_path || !report_path[0])
		return NULL;
	if (wp_file_sha256(report_path, out, err, sizeof(err)) == 0)
		return out;
	wp_st_warn(wl->h, _("%s: the report's digest is not recorded: %s"), what, err);
	return NULL;
}

/* A job that never started writing (another disk of the batch was
 * refused after this one's wipe-start) still closes its wipe-start. */
int wp_st_ledger_end(struct wp_station_ledger *wl, const char *asset, const struct wp_job *job,
		     const char *report_path)
{
	char digest[WP_HASH_HEX];
	const char *sha = digest_of(wl, report_path, job->device.path, digest);
	int code = wp_st_append(wl, WP_EV_WIPE_END, asset,
				wp_station_body_wipe_end(job, report_path, sha), job->device.path);
	if (code != WP_STATION_OK || job->result != WP_RESULT_SANITIZED)
		return code;
	return wp_st_append(wl, WP_EV_VERIFIED, asset, wp_station_body_verified(job),
			    job->device.path);
}

int wp_st_ledger_freespace(struct wp_station_ledger *wl, const char *asset,
			   const struct wp_job *job, const char *result, const char *report_path)
{
	char digest[WP_HASH_HEX];
	const char *sha = digest_of(wl, report_path, job->scope.mountpoint, digest);
	return wp_st_append(wl, WP_EV_FREESPACE, asset,
			    wp_station_body_freespace(job, result, report_path, sha),
			    job->scope.mountpoint);
}

/* The certificate goes next to the report it names: an auditor who is
 * given one finds the other. Only a job the verdict certifies gets one. */
int wp_st_ledger_certify(struct wp_station_ledger *wl, const char *asset,
			 const struct wp_job *job, const char *report_path,
			 const char *single_signature)
{
	char dir[4096];
	if (!wp_station_certifiable(job, report_path))
		return WP_STATION_OK;
	snprintf(dir, sizeof(dir), "%s", report_path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	struct wp_cert_config cc = {
		.location = wl->cfg->location[0] ? wl->cfg->location : NULL,
		.contact = wl->cfg->contact[0] ? wl->cfg->contact : NULL,
	};
	struct wp_certify_request req = {
		.ledger = ledger_now(wl), .issuer = wl->actor, .asset = asset, .job = job,
		.report_path = report_path, .out_dir = slash ? (dir[0] ? dir : "/") : ".",
		.config = &cc, .single_signature = single_signature,
	};
	struct wp_certify_result *res = calloc(1, sizeof(*res));
	if (!res)
		return WP_STATION_FAILED;
	enum wp_certify_status st = wp_certify(&req, res);
	/* the connection lost at the certificate's event: issued from the queue */
	/* the connection lost while the certificate was checked (FAILED:
	 * the asset could not be read) or recorded (LEDGER): issued from the
	 * queue. A certificate event whose COMMIT was cut off is not taken
	 * over: its document was removed, so it is issued anew. */
	if ((st == WP_CERTIFY_LEDGER || st == WP_CERTIFY_FAILED) &&
	    go_offline(wl, WP_EV_CERTIFICATE, asset, NULL)) {
		req.ledger = wl->queue;
		memset(res, 0, sizeof(*res));
		st = wp_certify(&req, res);
	}
	bool recorded = st == WP_CERTIFY_OK || st == WP_CERTIFY_NO_PDF;
	if (recorded && wl->offline)
		wl->queued++;
	else if (recorded && wl->queue)
		queue_follow(wl);
	if (wl->h && wl->h->certified)
		wl->h->certified(wl->h->ctx, &req, (int)st, res);
	int status = st == WP_CERTIFY_OK ? WP_STATION_OK
		   : st == WP_CERTIFY_REFUSED ? WP_STATION_REFUSED
		   : st == WP_CERTIFY_LEDGER && res->custody_rc == WP_CUSTODY_REFUSED
			   ? WP_STATION_REFUSED
		   : st == WP_CERTIFY_LEDGER && res->custody_rc == WP_CUSTODY_BROKEN
			   ? WP_STATION_MISMATCH : WP_STATION_FAILED;
	free(res);
	return status;
}

/* ---- the jobs table: what resume needs ---------------------------------- */

static void utc(time_t t, char *out, size_t len)
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "1970-01-01T00:00:00Z");
}

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

void wp_station_job_row(const struct wp_job *job, const char *asset, const char *report_path,
			long pid, struct wp_ledger_job *j)
{
	memset(j, 0, sizeof(*j));
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
	j->owner_pid = pid;
	utc(job->started, j->started, sizeof(j->started));
	snprintf(j->report, sizeof(j->report), "%s", report_path ? report_path : "");
}

int wp_st_job_begin(struct wp_station_ledger *wl, const char *asset, const struct wp_job *job,
		    const char *report_path)
{
	char err[512];
	struct wp_ledger_job *j = malloc(sizeof(*j));
	if (!j)
		return WP_STATION_FAILED;
	wp_station_job_row(job, asset, report_path, (long)getpid(), j);
	int rc = wp_ledger_job_begin(wl->ledger, j, err, sizeof(err));
	free(j);
	if (rc == 0)
		return WP_STATION_OK;
	wp_st_refuse(wl->h, WP_REFUSAL_OTHER, NULL, _("%s: cannot record the job for resuming: %s"),
		     job->device.path, err);
	return WP_STATION_FAILED;
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
		snprintf(err, errlen, _("out of memory"));
		return WP_CUSTODY_ERROR;
	}
	int rc = wp_ledger_job_set_state(ledger, j->job_id, state, owner_pid, text, err, errlen);
	free(text);
	return rc;
}

/* After the run: an interrupted overwrite can be resumed, anything else
 * is over. */
void wp_st_job_end(struct wp_station_ledger *wl, const struct wp_job *job)
{
	char err[1024];
	struct wp_ledger_job *j = calloc(1, sizeof(*j));
	/* the jobs table is on the server: the connection may be back */
	if (wl->offline && wp_ledger_offline(wl->ledger) &&
	    wp_ledger_reconnect(wl->ledger, err, sizeof(err)) < 0) {
		wp_st_warn(wl->h, _("%s: job %s stays 'running' in the ledger server's jobs table "
			   "(the server cannot be reached); the ledger's events say how it ended"),
			   job->device.path, job->id);
		free(j);
		return;
	}
	int rc = j ? wp_ledger_job_get(wl->ledger, job->id, j, err, sizeof(err)) : -1;
	if (rc == 0 && job->result == WP_RESULT_INTERRUPTED)
		rc = wp_ledger_job_interrupted(wl->ledger, j, job->cause[0] ? job->cause : "signal",
					       WP_JOB_INTERRUPTED, 0, err, sizeof(err));
	else if (rc == 0)
		rc = wp_ledger_job_set_state(wl->ledger, job->id, WP_JOB_DONE, 0, j->interruptions,
					     err, sizeof(err));
	if (rc < 0)
		wp_st_refuse(wl->h, WP_REFUSAL_OTHER, NULL, _("%s: cannot record the end of job %s in "
			     "the jobs table: %s"), job->device.path, job->id,
			     j ? err : "out of memory");
	free(j);
}

/* Runs on a drive's thread with a ledger handle of its own (a handle is
 * for one thread). A checkpoint that cannot be written is reported once;
 * the wipe goes on, only a resume would start further back. */
void wp_st_checkpoint_write(const struct wp_job *job, size_t pass, uint64_t offset, void *ctx)
{
	struct wp_st_checkpointer *cp = ctx;
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
		wp_st_warn(cp->h, _("%s: cannot record a checkpoint: %s"), job->device.path, err);
	}
}

void wp_st_checkpointer_close(struct wp_st_checkpointer *cp)
{
	wp_ledger_close(cp->ledger);
	cp->ledger = NULL;
}

void wp_st_progress(const struct wp_progress *p, void *ctx)
{
	const struct wp_st_progress *sp = ctx;
	if (sp->h && sp->h->progress)
		sp->h->progress(sp->h->ctx, sp->i, p);
}
