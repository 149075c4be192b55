/*
 * wipeproof verify DEV --report FILE: does the disk still hold exactly the
 * final pass of that wipe? Read-only; the device must be the one the report
 * names (serial and size), otherwise a match would mean nothing.
 */
#include "cli.h"
#include "wptext.h"
#include "verify.h"
#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int check_identity(const struct wp_device *dev, const struct wp_job *job)
{
	struct wp_disk_ident was = { .serial = job->device.serial,
				     .size_bytes = job->device.size_bytes };
	if (!wp_disk_is(dev, &was)) {
		fprintf(stderr, _("wipeproof: %s is not the disk of this report: it has serial '%s' "
			"and %llu bytes, the report names serial '%s' and %llu bytes (%s)\n"),
			dev->path, dev->serial, (unsigned long long)dev->size_bytes,
			job->device.serial, (unsigned long long)job->device.size_bytes,
			job->device.path);
		return -1;
	}
	return 0;
}

static int check_report_complete(const struct wp_job *job, const char *path)
{
	const struct wp_pass_record *last = job->npasses ? &job->passes[job->npasses - 1] : NULL;
	if (last && last->complete && last->bytes_written == job->device.size_bytes)
		return 0;
	if (job->firmware.used && !last) {
		fprintf(stderr, _("wipeproof: report %s is of a firmware erase (%s) that leaves no "
			"known content, so there is no pattern to re-check; its fingerprint check "
			"at the time %s\n"), path, job->firmware.command,
			job->fingerprint.passed ? "passed" : "did not pass");
		return -1;
	}
	fprintf(stderr, _("wipeproof: report %s records an incomplete wipe (result %s); the disk "
		"was never fully overwritten, so there is nothing to verify: wipe it again\n"),
		path, wp_result_name(job->result));
	return -1;
}

static void print_result(const struct wp_cmdline *cl, const struct wp_job *job,
			 const struct wp_verify_record *rec, enum wp_verify_outcome out,
			 const char *err)
{
	const char *word = out == WP_VERIFY_MATCH ? "match" : out == WP_VERIFY_MISMATCH
			   ? "mismatch" : "error";
	if (cl->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "device", cl->devices[0],
				      "job_id", job->id, "outcome", word,
				      "verification", wp_verify_record_to_json(rec));
		if (out != WP_VERIFY_MATCH)
			wp_json_set(o, "error", json_string(err));
		json_dumpf(o, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(o);
		return;
	}
	char size[32];
	wp_format_size(rec->bytes_checked, size, sizeof(size));
	if (out == WP_VERIFY_MATCH)
		printf(_("%s: MATCH: holds the %s pattern of job %s (%s read, %.1f%% of the device)\n"),
		       cl->devices[0], wp_pattern_name(wp_job_final_pass(job)->pattern), job->id,
		       size, rec->coverage_percent);
	else if (out == WP_VERIFY_MISMATCH) {
		printf(_("%s: MISMATCH: %llu block(s) differ from job %s\n"), cl->devices[0],
		       (unsigned long long)rec->mismatched_blocks, job->id);
		for (size_t i = 0; i < rec->n_bad; i++)
			printf(_("  bad byte   %llu\n"), (unsigned long long)rec->bad_offsets[i]);
	}
	if (out != WP_VERIFY_MATCH)
		fprintf(stderr, _("wipeproof: %s\n"), err);
}

static enum wp_verify_outcome run(const struct wp_cmdline *cl, const struct wp_device *dev,
				  const struct wp_job *job, struct wp_verify_record *rec,
				  char *err, size_t errlen)
{
	enum wp_verify_mode mode = cl->verify_set ? cl->verify_mode : WP_VERIFY_FULL;
	if (mode == WP_VERIFY_OFF) {
		snprintf(err, errlen, _("--verify off makes no sense for 'verify'; use full or sample"));
		return WP_VERIFY_ERROR;
	}
	int fd = open(dev->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, _("cannot open %s: %s%s"), dev->path, strerror(errno),
			 errno == EACCES ? "; run as root or as a member of group disk" : "");
		return WP_VERIFY_ERROR;
	}
	struct wp_board board;
	const char *devices[] = { dev->path };
	wp_board_init(&board, devices, 1, false);
	struct wp_run_ctl ctl = {
		.stop = &wp_stop_flag, .progress = cl->json ? NULL : wp_board_progress,
		.progress_ctx = &board.rows[0], .chunk_bytes = cl->chunk_bytes,
		.queue_depth = cl->queue_depth,
	};
	struct wp_io_target t = {
		.fd = fd, .path = dev->path, .size = dev->size_bytes,
		.block_size = dev->logical_block_size,
	};
	/* The report's seed reproduces its sample; a new one checks elsewhere. */
	rec->seed = job->verify.mode == WP_VERIFY_SAMPLE ? job->verify.seed : wp_sample_new_seed();
	enum wp_verify_outcome out = wp_verify_run(&t, wp_job_final_pass(job), mode, rec,
						   &ctl, err, errlen);
	wp_board_finish(&board);
	wp_board_destroy(&board);
	close(fd);
	return out;
}

int wp_cmd_verify(const struct wp_cmdline *cl)
{
	char err[512];
	struct wp_job job;
	if (wp_job_load(cl->report_paths[0], &job, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		return WP_EXIT_USAGE;
	}
	if (job.scope.kind[0]) {
		fprintf(stderr, _("wipeproof: %s is the report of a free-space wipe of %s; its fill "
			"files were deleted, so there is nothing on the device to read back\n"),
			cl->report_paths[0], job.scope.mountpoint);
		return WP_EXIT_USAGE;
	}
	struct wp_device *dev = malloc(sizeof(*dev));
	if (!dev)
		return WP_EXIT_FAILED;
	int code = WP_EXIT_USAGE;
	if (wp_media_probe(cl->devices[0], NULL, dev, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		goto out;
	}
	code = WP_EXIT_REFUSED;
	if (check_identity(dev, &job) < 0)
		goto out;
	code = WP_EXIT_FAILED;
	if (check_report_complete(&job, cl->report_paths[0]) < 0)
		goto out;
	wp_signals_install();
	struct wp_verify_record rec = { 0 };
	enum wp_verify_outcome out = run(cl, dev, &job, &rec, err, sizeof(err));
	print_result(cl, &job, &rec, out, err);
	code = out == WP_VERIFY_MATCH ? WP_EXIT_OK
	     : out == WP_VERIFY_MISMATCH ? WP_EXIT_MISMATCH
	     : wp_stop_flag ? WP_EXIT_INTERRUPTED : WP_EXIT_FAILED;
out:
	free(dev);
	return code;
}
