/* libFuzzer: the job report reader (wp_job_from_json after jansson's
 * parse, as wp_job_load does) on arbitrary bytes: what `wipeproof verify
 * --report FILE` and `cert issue` read. Whatever it accepts must write
 * back out (wp_job_to_json) and read again to the same report. */
#include "wipe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	json_error_t jerr;
	json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return 0;
	struct wp_job *job = calloc(1, sizeof(*job)), *again = calloc(1, sizeof(*again));
	if (job && again && wp_job_from_json(root, job, err, sizeof(err)) == 0) {
		json_t *out = wp_job_to_json(job);
		if (!out || wp_job_from_json(out, again, err, sizeof(err)) != 0)
			abort();
		json_t *out2 = wp_job_to_json(again);
		if (!json_equal(out, out2))
			abort();
		json_decref(out);
		json_decref(out2);
	}
	free(job);
	free(again);
	json_decref(root);
	return 0;
}
