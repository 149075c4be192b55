/*
 * The station's configuration as station/ sees it: already resolved by the
 * front end (cli/config.c reads flags, the environment and the file), so
 * nothing here reads the environment; only the built-in defaults live here.
 */
#include "station.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wp_station_config_defaults(struct wp_station_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->ledger, sizeof(c->ledger), "%s", WP_STATION_LEDGER_DEFAULT);
	snprintf(c->keys_dir, sizeof(c->keys_dir), "%s", WP_STATION_KEYS_DEFAULT);
	snprintf(c->reports_dir, sizeof(c->reports_dir), "%s", WP_DEFAULT_REPORT_DIR);
	snprintf(c->run_dir, sizeof(c->run_dir), "%s", WP_STATION_RUN_DIR_DEFAULT);
	snprintf(c->queue, sizeof(c->queue), "%s", WP_STATION_QUEUE_DEFAULT);
	c->verify = WP_VERIFY_FULL;
}

/* The tests and the emulated bed checkpoint often: their disks are written
 * in a second or two. */
double wp_station_checkpoint_parse(const char *text)
{
	char *end = NULL;
	double s = text ? strtod(text, &end) : 0;
	return text && end != text && *end == '\0' && s >= 0.05 && s <= 3600 ? s : 0;
}
