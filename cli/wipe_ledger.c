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
#include "wipe_steps.h"
#include "cert_cli.h"
#include "custody.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct wp_wipe_ledger {
	struct wp_ledger *ledger;
	struct wp_identity *actor;
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
	int rc = wp_identity_load(wp_keys_dir_resolve(opts->keys_dir), who,
				  opts->passphrase_file, &wl->actor, err, sizeof(err));
	if (rc == 0)
		rc = wp_ledger_open(wp_ledger_path_resolve(opts->ledger_path), &wl->ledger, err,
				    sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "wipeproof: %s\n", err);
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
int wp_wipe_ledger_report_dir(const struct wp_wipe_options *opts, char *dir, size_t len)
{
	snprintf(dir, len, "%s", wp_ledger_path_resolve(opts->ledger_path));
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, len, "reports");
	else
		snprintf(slash + 1, len - (size_t)(slash + 1 - dir), "reports");
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "wipeproof: cannot create the report folder %s: %s; give "
			"--report-dir\n", dir, strerror(errno));
		return WP_EXIT_FAILED;
	}
	return WP_EXIT_OK;
}

int wp_wipe_ledger_check(struct wp_wipe_ledger *wl, const char *asset,
			 const struct wp_device *dev)
{
	char err[512];
	int rc = wp_custody_check_wipe(wl->ledger, asset, dev->serial, err, sizeof(err));
	if (rc == 0)
		return WP_EXIT_OK;
	fprintf(stderr, "wipeproof: refusing to wipe %s as asset %s: %s\n", dev->path, asset, err);
	return exit_for(rc);
}

static int append(struct wp_wipe_ledger *wl, const char *kind, const char *asset,
		  json_t *body, const char *device)
{
	char err[512];
	int rc = body ? wp_custody_append(wl->ledger, wl->actor, kind, asset, body, NULL, NULL,
					  err, sizeof(err))
		      : WP_CUSTODY_ERROR;
	if (!body)
		snprintf(err, sizeof(err), "out of memory");
	json_decref(body);
	if (rc == 0)
		return WP_EXIT_OK;
	fprintf(stderr, "wipeproof: %s: cannot record %s for asset %s in the ledger: %s\n",
		device, kind, asset, err);
	return exit_for(rc);
}

int wp_wipe_ledger_start(struct wp_wipe_ledger *wl, const char *asset,
			 const struct wp_job *job)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "job_id", job->id, "serial",
				 job->device.serial, "method", job->method, "device",
				 job->device.path);
	return append(wl, WP_EV_WIPE_START, asset, body, job->device.path);
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
		json_object_set_new(body, "bad_blocks", json_integer((json_int_t)job->bad.bad_blocks));
		json_object_set_new(body, "unreadable_blocks", json_integer((json_int_t)unreadable));
	}
	if (job->bad.retries || job->verify.retries)
		json_object_set_new(body, "retries",
				    json_integer((json_int_t)(job->bad.retries + job->verify.retries)));
	if (job->recommendation[0])
		json_object_set_new(body, "recommendation", json_string(job->recommendation));
	if (job->cause[0])
		json_object_set_new(body, "cause", json_string(job->cause));
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
		json_object_set_new(body, "error", json_string(job->error));
	add_fault_members(body, job);
	if (body && report_path && report_path[0]) {
		if (wp_file_sha256(report_path, digest, err, sizeof(err)) == 0) {
			json_object_set_new(body, "report_sha256", json_string(digest));
			json_object_set_new(body, "report", json_string(report_path));
		} else {
			fprintf(stderr, "wipeproof: %s: the report's digest is not recorded: %s\n",
				job->device.path, err);
		}
	}
	int code = append(wl, WP_EV_WIPE_END, asset, body, job->device.path);
	if (code != WP_EXIT_OK || job->result != WP_RESULT_SANITIZED)
		return code;
	char coverage[32];
	const struct wp_verify_record *v = &job->verify;
	snprintf(coverage, sizeof(coverage), "%.1f", v->coverage_percent);
	body = json_pack("{s:s, s:s, s:I, s:s, s:I}", "job_id", job->id, "mode",
			 wp_verify_mode_name(v->mode), "bytes_checked", (json_int_t)v->bytes_checked,
			 "coverage_percent", coverage, "mismatched_blocks",
			 (json_int_t)v->mismatched_blocks);
	return append(wl, WP_EV_VERIFIED, asset, body, job->device.path);
}

/* The free space of a filesystem: never a wipe-end, so it cannot make the
 * asset look sanitized; its own event kind carries what was covered. */
int wp_wipe_ledger_freespace(struct wp_wipe_ledger *wl, const char *asset,
			     const struct wp_job *job, const char *result, const char *report_path)
{
	const struct wp_scope_record *sc = &job->scope;
	char text[2048], digest[WP_HASH_HEX], err[512];
	snprintf(text, sizeof(text), "free space of %.64s on %.512s (mounted at %.512s): %s, %llu "
		 "bytes written and %llu read back of %llu free", sc->fstype, sc->source,
		 sc->mountpoint, result, (unsigned long long)job->passes[0].bytes_written,
		 (unsigned long long)job->verify.bytes_checked, (unsigned long long)sc->free_bytes);
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "text", text,
				 "job_id", job->id, "result", result, "mountpoint", sc->mountpoint,
				 "device", sc->source, "fstype", sc->fstype, "serial", job->device.serial,
				 "free_bytes", (json_int_t)sc->free_bytes, "bytes_written",
				 (json_int_t)job->passes[0].bytes_written, "bytes_verified",
				 (json_int_t)job->verify.bytes_checked);
	if (body && report_path) {
		if (wp_file_sha256(report_path, digest, err, sizeof(err)) == 0) {
			json_object_set_new(body, "report_sha256", json_string(digest));
			json_object_set_new(body, "report", json_string(report_path));
		} else {
			fprintf(stderr, "wipeproof: %s: the report's digest is not recorded: %s\n",
				sc->mountpoint, err);
		}
	}
	return append(wl, WP_EV_FREESPACE, asset, body, sc->mountpoint);
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
	if (job->result != WP_RESULT_SANITIZED || job->bad.n_ranges > 0 ||
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
		.json = json,
	};
	return wp_cert_issue_run(&req);
}
