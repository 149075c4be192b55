/*
 * wipeproof verify DEV --report FILE: does the disk still hold exactly the
 * final pass of that wipe? Read-only; the device must be the one the report
 * names (serial and size), otherwise a match would mean nothing. The
 * re-read is station/'s (wp_disk_reread, shared with the auditor's
 * --device check); here are progress and output.
 */
#include "i18n.h"
#include "cli.h"
#include "station.h"
#include "wptext.h"
#include "verify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void print_result(const char *device, bool json, const struct wp_reread *r)
{
	const struct wp_verify_record *rec = &r->rec;
	bool match = r->status == WP_REREAD_MATCH, mismatch = r->status == WP_REREAD_MISMATCH;
	const char *word = match ? "match" : mismatch ? "mismatch" : "error";
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "device", device,
				      "job_id", r->job_id, "outcome", word,
				      "verification", wp_verify_record_to_json(rec));
		if (!match)
			wp_json_set(o, "error", json_string(r->err));
		json_dumpf(o, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(o);
		return;
	}
	char size[32];
	wp_format_size(rec->bytes_checked, size, sizeof(size));
	if (match)
		printf(_("%s: MATCH: holds the %s pattern of job %s (%s read, %.1f%% of the device)\n"),
		       device, r->pattern, r->job_id, size, rec->coverage_percent);
	else if (mismatch) {
		printf(_("%s: MISMATCH: %llu block(s) differ from job %s\n"), device,
		       (unsigned long long)rec->mismatched_blocks, r->job_id);
		for (size_t i = 0; i < rec->n_bad; i++)
			printf(_("  bad byte   %llu\n"), (unsigned long long)rec->bad_offsets[i]);
	}
	if (!match)
		fprintf(stderr, _("wipeproof: %s\n"), r->err);
}

int wp_cli_reread(const struct wp_cli_reread_request *rq)
{
	struct wp_reread *r = malloc(sizeof(*r));
	if (!r)
		return WP_EXIT_FAILED;
	struct wp_board board;
	const char *devices[] = { rq->device };
	wp_board_init(&board, devices, 1, false);
	struct wp_run_ctl ctl = {
		.stop = &wp_stop_flag, .progress = rq->json ? NULL : wp_board_progress,
		.progress_ctx = &board.rows[0], .chunk_bytes = rq->chunk_bytes,
		.queue_depth = rq->queue_depth,
	};
	wp_signals_install();
	enum wp_reread_status st = wp_disk_reread(rq->device, rq->report, rq->mode, &ctl, r);
	wp_board_finish(&board);
	wp_board_destroy(&board);
	int code;
	switch (st) {
	case WP_REREAD_MATCH:
	case WP_REREAD_MISMATCH:
		print_result(rq->device, rq->json, r);
		code = st == WP_REREAD_MATCH ? WP_EXIT_OK : WP_EXIT_MISMATCH;
		break;
	case WP_REREAD_NOT_THE_DISK:
		fprintf(stderr, _("wipeproof: %s\n"), r->err);
		code = WP_EXIT_REFUSED;
		break;
	case WP_REREAD_BAD_REQUEST:
		fprintf(stderr, _("wipeproof: %s\n"), r->err);
		code = WP_EXIT_USAGE;
		break;
	default:
		/* a read that started shows what it read; one that could not
		 * start (an incomplete report) only why */
		if (r->pattern[0])
			print_result(rq->device, rq->json, r);
		else
			fprintf(stderr, _("wipeproof: %s\n"), r->err);
		code = st == WP_REREAD_INTERRUPTED ? WP_EXIT_INTERRUPTED : WP_EXIT_FAILED;
		break;
	}
	free(r);
	return code;
}

int wp_cmd_verify(const struct wp_cmdline *cl)
{
	struct wp_cli_reread_request rq = {
		.device = cl->devices[0], .report = cl->report_paths[0],
		.mode = cl->verify_set ? cl->verify_mode : WP_VERIFY_FULL, .json = cl->json,
		.chunk_bytes = cl->chunk_bytes, .queue_depth = cl->queue_depth,
	};
	return wp_cli_reread(&rq);
}
