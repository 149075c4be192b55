/*
 * wipeproof wipe DEV...: the command line becomes one request per drive
 * and the options every drive shares; the terminal's front end
 * (wipe_front.c) runs them as a station batch and prints.
 */
#include "cli.h"

#include <stdlib.h>

int wp_cmd_wipe(const struct wp_cmdline *cl)
{
	struct wp_wipe_request reqs[WP_MAX_DEVICES];
	for (size_t i = 0; i < cl->n_devices; i++)
		reqs[i] = (struct wp_wipe_request){
			.device = cl->devices[i],
			.confirm_serial = i < cl->n_confirm ? cl->confirm_serials[i] : NULL,
			.report_path = i < cl->n_reports ? cl->report_paths[i] : NULL,
			.asset = i < cl->n_assets ? cl->assets[i] : NULL,
		};
	struct wp_wipe_options opts = {
		.method = cl->method, .level = cl->level, .remove_hpa = cl->remove_hpa,
		.verify_mode = cl->verify_mode,
		.force_holders = cl->force_holders, .json = cl->json,
		.chunk_bytes = cl->chunk_bytes, .queue_depth = cl->queue_depth,
		.report_dir = cl->report_dir, .as_person = cl->as_person,
		.ledger_path = cl->ledger_path, .keys_dir = cl->keys_dir,
		.passphrase_file = cl->passphrase_file,
	};
	/* A wipe keeps its report unless told not to: the pass keys in it are
	 * what a later `verify` needs. */
	if (!cl->no_report && !cl->n_reports && !cl->report_dir && !cl->n_assets) {
		opts.report_dir = wp_cli_config()->reports_dir;
		opts.make_report_dir = true;
	}
	struct wp_job *jobs = calloc(cl->n_devices, sizeof(*jobs));
	if (!jobs)
		return WP_EXIT_FAILED;
	wp_signals_install();
	int code = wp_cli_wipe_batch(reqs, cl->n_devices, &opts, jobs);
	free(jobs);
	return code;
}
