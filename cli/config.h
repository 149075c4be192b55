/*
 * /etc/wipeproof/config (config.c): station-wide defaults. Precedence, the
 * strongest first: command-line flag, environment (WIPEPROOF_KEYS,
 * WIPEPROOF_LEDGER, WIPEPROOF_AS, WIPEPROOF_LOCATION, WIPEPROOF_CONTACT,
 * WIPEPROOF_ORG for `keys init-ca --org`),
 * this file, the built-in default. main() resolves them once into the
 * station's configuration (struct wp_station_config, station.h), which
 * the commands read through wp_cli_config() and pass to station/; nothing
 * else reads the environment for a setting.
 * Not a module interface: main.c and config.c only (cli.h has the
 * accessors the commands use).
 */
#ifndef WP_CONFIG_H
#define WP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "station.h"

#define WP_CONFIG_DEFAULT "/etc/wipeproof/config"
#define WP_CONFIG_KEYS 10

struct wp_config_entry {
	const char *key;          /* "ledger" */
	const char *env;          /* "WIPEPROOF_LEDGER", or NULL */
	const char *builtin;      /* the default without any setting, or NULL */
	char value[1024];         /* effective value, "" when none */
	char source[1100];        /* "default", "env WIPEPROOF_LEDGER", "FILE:LINE" */
};

struct wp_config {
	char path[4096];          /* the file read (or that would be read) */
	bool file_found;
	struct wp_config_entry e[WP_CONFIG_KEYS];
};

/* Parse TEXT, named NAME in messages ("NAME:LINE: ..."). Pure. */
int wp_config_parse(const char *text, const char *name, struct wp_config *c,
		    char *err, size_t errlen);
/* Read WIPEPROOF_CONFIG or the default file (a missing default file is no
 * error; a missing WIPEPROOF_CONFIG file is), then resolve against the
 * environment. */
int wp_config_load(struct wp_config *c, char *err, size_t errlen);
/* The effective value of KEY, or NULL when none. */
const char *wp_config_get(const struct wp_config *c, const char *key);
/* Resolve C (and the variables without a file key: WIPEPROOF_RUN_DIR,
 * WIPEPROOF_STATION, WIPEPROOF_CHECKPOINT_SECONDS) into the configuration
 * wp_cli_config() returns. */
void wp_config_set_station(const struct wp_config *c);
/* `wipeproof config show [--json]`; a wp_exit code. */
int wp_cmd_config_main(int argc, char **argv);

#endif
