/*
 * The station configuration file (config.h): strict `key = value` lines,
 * '#' comments. Strict because a misspelt `ledger` would otherwise send
 * custody events to the built-in default without anyone noticing.
 */
#include "config.h"
#include "wptext.h"
#include "i18n.h"
#include "cli.h"
#include "wptext.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const struct wp_config_entry entries[WP_CONFIG_KEYS] = {
	{ .key = "organisation", .env = "WIPEPROOF_ORG" },
	{ .key = "location", .env = "WIPEPROOF_LOCATION" },
	{ .key = "contact", .env = "WIPEPROOF_CONTACT" },
	{ .key = "ledger", .env = "WIPEPROOF_LEDGER", .builtin = WP_STATION_LEDGER_DEFAULT },
	{ .key = "keys", .env = "WIPEPROOF_KEYS", .builtin = WP_STATION_KEYS_DEFAULT },
	{ .key = "operator", .env = "WIPEPROOF_AS" },
	{ .key = "method", .builtin = "(the plan's: " WP_DEFAULT_METHOD " for an overwrite)" },
	{ .key = "verify", .builtin = "full" },
	{ .key = "reports", .env = "WIPEPROOF_REPORTS", .builtin = WP_DEFAULT_REPORT_DIR },
	/* a PostgreSQL ledger's local queue (issue 18) */
	{ .key = "queue", .env = "WIPEPROOF_QUEUE", .builtin = WP_STATION_QUEUE_DEFAULT },
};

static void init(struct wp_config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < WP_CONFIG_KEYS; i++) {
		c->e[i] = entries[i];
		snprintf(c->e[i].source, sizeof(c->e[i].source), "default");
		if (c->e[i].builtin)
			snprintf(c->e[i].value, sizeof(c->e[i].value), "%s", c->e[i].builtin);
	}
}

static struct wp_config_entry *find(struct wp_config *c, const char *key)
{
	for (size_t i = 0; i < WP_CONFIG_KEYS; i++)
		if (strcmp(c->e[i].key, key) == 0)
			return &c->e[i];
	return NULL;
}

static int check_value(const char *key, const char *v, char *msg, size_t len)
{
	enum wp_verify_mode mode;
	if (!v[0]) {
		snprintf(msg, len, "'%s' has an empty value; remove the line for the default", key);
		return -1;
	}
	char why[256];
	/* every value may end up in a certificate, an event or a path that a
	 * record names: it must be text, checked before anything runs */
	if (wp_text_check(v, 0, why, sizeof(why)) < 0) {
		snprintf(msg, len, "'%s' %s", key, why);
		return -1;
	}
	if (strcmp(key, "method") == 0 && !wp_method_find(v)) {
		snprintf(msg, len, "unknown method '%s'; see 'wipeproof help wipe'", v);
		return -1;
	}
	if (strcmp(key, "verify") == 0 && wp_verify_mode_parse(v, &mode) < 0) {
		snprintf(msg, len, "unknown verification '%s'; choose full, sample or off", v);
		return -1;
	}
	return 0;
}

struct config_parse {
	struct wp_config *c;
	const char *name;
};

static int take_entry(const char *key, const char *v, unsigned no, void *ctx, char *msg,
		      size_t len)
{
	struct config_parse *cp = ctx;
	struct wp_config_entry *e = find(cp->c, key);
	if (!e) {
		snprintf(msg, len, "unknown key '%s'; keys: organisation, location, contact, ledger, "
			 "keys, operator, method, verify, reports, queue", key);
		return -1;
	}
	if (strlen(v) >= sizeof(e->value)) {
		snprintf(msg, len, "the value of '%s' is longer than %zu bytes", key,
			 sizeof(e->value) - 1);
		return -1;
	}
	if (check_value(key, v, msg, len) < 0)
		return -1;
	snprintf(e->value, sizeof(e->value), "%s", v);
	snprintf(e->source, sizeof(e->source), "%s:%u", cp->name, no);
	return 0;
}

int wp_config_parse(const char *text, const char *name, struct wp_config *c,
		    char *err, size_t errlen)
{
	char msg[600] = "";
	struct config_parse cp = { c, name };
	unsigned no = 0;
	init(c);
	int rc = wp_kv_each(text, take_entry, &cp, &no, msg, sizeof(msg));
	if (rc < 0)
		snprintf(err, errlen, "%s:%u: %s", name, no, msg);
	return rc;
}

static int read_text(const char *path, char **text, char *err, size_t errlen)
{
	/* 1: missing, the caller decides whether that matters */
	return wp_read_file(path, 64u << 10, WP_READ_MISSING_OK, text, NULL, err, errlen);
}

/* The environment beats the file; a value that is not text is refused
 * like a bad line in the file, before any command runs. */
static int apply_env(struct wp_config *c, char *err, size_t errlen)
{
	char why[256];
	for (size_t i = 0; i < WP_CONFIG_KEYS; i++) {
		const char *v = c->e[i].env ? getenv(c->e[i].env) : NULL;
		if (!v || !v[0])
			continue;
		if (wp_text_check(v, sizeof(c->e[i].value), why, sizeof(why)) < 0) {
			snprintf(err, errlen, _("the environment variable %s %s; fix or unset it"),
				 c->e[i].env, why);
			return -1;
		}
		snprintf(c->e[i].value, sizeof(c->e[i].value), "%s", v);
		snprintf(c->e[i].source, sizeof(c->e[i].source), "env %s", c->e[i].env);
	}
	return 0;
}

int wp_config_load(struct wp_config *c, char *err, size_t errlen)
{
	const char *named = getenv("WIPEPROOF_CONFIG");
	const char *path = named && named[0] ? named : WP_CONFIG_DEFAULT;
	char *text = NULL;
	init(c);
	int rc = read_text(path, &text, err, errlen);
	if (rc == 1 && path == named) {
		snprintf(err, errlen, _("WIPEPROOF_CONFIG names %s, which does not exist; create it or "
			 "unset WIPEPROOF_CONFIG"), path);
		rc = -1;
	}
	bool found = rc == 0;
	if (rc == 0)
		rc = wp_config_parse(text, path, c, err, errlen);
	free(text);
	if (rc < 0)
		return -1;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->file_found = found;
	return apply_env(c, err, errlen);
}

const char *wp_config_get(const struct wp_config *c, const char *key)
{
	for (size_t i = 0; i < WP_CONFIG_KEYS; i++)
		if (strcmp(c->e[i].key, key) == 0)
			return strcmp(c->e[i].source, "default") != 0 ? c->e[i].value : NULL;
	return NULL;
}

/* The one place the environment reaches the station's settings: the
 * entries above already hold flag-less values (environment over file over
 * default); the variables without a file key are read here too. */
static void resolve(const struct wp_config *c, struct wp_station_config *out)
{
	const char *v;
	wp_station_config_defaults(out);
	if ((v = wp_config_get(c, "ledger")))
		snprintf(out->ledger, sizeof(out->ledger), "%s", v);
	if ((v = wp_config_get(c, "keys")))
		snprintf(out->keys_dir, sizeof(out->keys_dir), "%s", v);
	if ((v = wp_config_get(c, "operator")))
		snprintf(out->operator_name, sizeof(out->operator_name), "%s", v);
	if ((v = wp_config_get(c, "organisation")))
		snprintf(out->organisation, sizeof(out->organisation), "%s", v);
	if ((v = wp_config_get(c, "location")))
		snprintf(out->location, sizeof(out->location), "%s", v);
	if ((v = wp_config_get(c, "contact")))
		snprintf(out->contact, sizeof(out->contact), "%s", v);
	if ((v = wp_config_get(c, "method")))
		snprintf(out->method, sizeof(out->method), "%s", v);
	if ((v = wp_config_get(c, "verify")) && wp_verify_mode_parse(v, &out->verify) == 0)
		out->verify_set = true;
	if ((v = wp_config_get(c, "reports")))
		snprintf(out->reports_dir, sizeof(out->reports_dir), "%s", v);
	if ((v = wp_config_get(c, "queue")))
		snprintf(out->queue, sizeof(out->queue), "%s", v);
	if ((v = getenv("WIPEPROOF_RUN_DIR")) && v[0])
		snprintf(out->run_dir, sizeof(out->run_dir), "%s", v);
	if ((v = getenv("WIPEPROOF_STATION")) && v[0])
		snprintf(out->policy, sizeof(out->policy), "%s", v);
	out->checkpoint_seconds = wp_station_checkpoint_parse(getenv("WIPEPROOF_CHECKPOINT_SECONDS"));
}

static struct wp_station_config resolved;
static bool have_resolved;

void wp_config_set_station(const struct wp_config *c)
{
	resolve(c, &resolved);
	have_resolved = true;
}

/* Commands called without main() (the unit tests) resolve on first use; a
 * configuration that does not load leaves the defaults and the
 * environment, as main() would have refused it before any command. */
const struct wp_station_config *wp_cli_config(void)
{
	if (!have_resolved) {
		static struct wp_config c;
		char err[1200];
		if (wp_config_load(&c, err, sizeof(err)) < 0)
			init(&c);
		wp_config_set_station(&c);
	}
	return &resolved;
}

void wp_cli_config_with(struct wp_station_config *out, const char *ledger, const char *keys,
			const char *as)
{
	*out = *wp_cli_config();
	if (ledger)
		snprintf(out->ledger, sizeof(out->ledger), "%s", ledger);
	if (keys)
		snprintf(out->keys_dir, sizeof(out->keys_dir), "%s", keys);
	if (as)
		snprintf(out->operator_name, sizeof(out->operator_name), "%s", as);
}

const char *wp_cli_ledger(const char *option)
{
	return option && option[0] ? option : wp_cli_config()->ledger;
}

const char *wp_cli_keys(const char *option)
{
	return option && option[0] ? option : wp_cli_config()->keys_dir;
}

const char *wp_cli_operator(const char *option)
{
	const char *as = wp_cli_config()->operator_name;
	return option ? option : as[0] ? as : NULL;
}

/* The modules' old resolvers read the environment; these names stay so a
 * branch written against them merges, now resolving like every command. */
const char *wp_ledger_path_resolve(const char *option)
{
	return wp_cli_ledger(option);
}

const char *wp_keys_dir_resolve(const char *option)
{
	return wp_cli_keys(option);
}

static void show_json(const struct wp_config *c)
{
	json_t *values = json_object();
	for (size_t i = 0; i < WP_CONFIG_KEYS; i++)
		wp_json_set(values, c->e[i].key,
				    json_pack("{s:s?, s:s}", "value",
					      c->e[i].value[0] ? c->e[i].value : NULL,
					      "source", c->e[i].source));
	json_t *root = json_pack("{s:s, s:b, s:o}", "file", c->path, "file_found",
				 c->file_found, "values", values);
	json_dumpf(root, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
	fputc('\n', stdout);
	json_decref(root);
}

static void show_text(const struct wp_config *c)
{
	printf(_("configuration file: %s%s\n"), c->path, c->file_found ? "" : _(" (not present)"));
	for (size_t i = 0; i < WP_CONFIG_KEYS; i++)
		printf("%-13s %-40s %s\n", c->e[i].key, c->e[i].value[0] ? c->e[i].value : "-",
		       c->e[i].source);
	fputs(_("Flags on the command line override all of these.\n"), stdout);
}

static const char usage_config[] =
	"Usage: wipeproof config show [--json]\n"
	"\n"
	"Prints the effective station settings and where each comes from: the\n"
	"environment, the configuration file (" WP_CONFIG_DEFAULT ", or\n"
	"WIPEPROOF_CONFIG) with its line, or the built-in default. A flag given to a\n"
	"command beats all of them.\n"
	"\n"
	"File format, 'key = value' lines, '#' comments:\n"
	"  organisation = 株式会社サンプル      location = 本社 3F 情報システム課\n"
	"  contact = it@example.jp            ledger = /var/lib/wipeproof/ledger.db\n"
	"  keys = /etc/wipeproof/keys         operator = 鈴木 一郎\n"
	"  method = random                    verify = full|sample|off\n"
	"  reports = /var/lib/wipeproof/reports   (job reports of 'wipe' without --report)\n"
	"  queue = /var/lib/wipeproof/queue.db    (a PostgreSQL ledger's events while its\n"
	"                                          server cannot be reached)\n";

int wp_cmd_config_main(int argc, char **argv)
{
	char err[1200];
	struct wp_config c;
	bool json = argc == 3 && strcmp(argv[2], "--json") == 0;
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)) {
		fputs(usage_config, stdout);
		return WP_EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "show") != 0 || (argc == 3 && !json) || argc > 3) {
		fprintf(stderr, _("wipeproof: config: expected 'config show [--json]'; see "
			"'wipeproof help config'\n"));
		return WP_EXIT_USAGE;
	}
	if (wp_config_load(&c, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: %s\n"), err);
		return WP_EXIT_USAGE;
	}
	if (json)
		show_json(&c);
	else
		show_text(&c);
	return WP_EXIT_OK;
}
