/*
 * wipeproof lease FILE --serial PC-SERIAL: the PC's row of a lease list
 * (UTF-8 or Shift_JIS CSV, station/lease.c) as JSON, for the boot stick's
 * flow. Exit 0 with the row, 3 when the PC is not in the list.
 */
#include "cli.h"
#include "i18n.h"
#include "station.h"
#include "wptext.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wp_cmd_lease_main(int argc, char **argv)
{
	const char *file = NULL, *serial = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--serial") == 0 && i + 1 < argc)
			serial = argv[++i];
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			fprintf(stderr, _("wipeproof: lease: unexpected '%s'; usage: wipeproof lease "
					  "LIST.csv --serial PC-SERIAL\n"), argv[i]);
			return WP_EXIT_USAGE;
		}
	}
	if (!file || !serial || !serial[0]) {
		fprintf(stderr, _("usage: wipeproof lease LIST.csv --serial PC-SERIAL\n"));
		return WP_EXIT_USAGE;
	}
	char err[1024], *text = NULL;
	const char *enc = "";
	struct wp_lease_row r;
	if (wp_lease_load(file, &text, &enc, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: %s\n", err);
		return WP_EXIT_FAILED;
	}
	int found = wp_lease_find(text, serial, &r);
	free(text);
	if (!found) {
		fprintf(stderr, _("wipeproof: the PC's serial %s is not in the lease list %s\n"), serial,
			file);
		return WP_EXIT_REFUSED;
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "pc_serial", r.pc_serial,
			      "asset_tag", r.asset_tag, "lease_contract", r.lease_contract,
			      "owner", r.owner, "confidentiality", r.confidentiality,
			      "encoding", enc, "line", (int)r.line);
	if (!o)
		return WP_EXIT_FAILED;
	json_dumpf(o, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
	fputc('\n', stdout);
	json_decref(o);
	return WP_EXIT_OK;
}
