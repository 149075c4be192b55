/* wipeproof: parse the command line, run one command, exit with its code. */
#include "config.h"
#include "i18n.h"
#include "station_cli.h"

#include <string.h>

/* Station defaults from /etc/wipeproof/config for what --method and
 * --verify did not say (config.h has the precedence). */
static void apply_wipe_defaults(const struct wp_config *cfg, struct wp_cmdline *cl)
{
	const char *method = wp_config_get(cfg, "method");
	const char *verify = wp_config_get(cfg, "verify");
	if (cl->cmd != WP_CMD_WIPE)
		return;
	if (!cl->method && method)
		cl->method = method;
	if (!cl->verify_set && verify)
		(void)wp_verify_mode_parse(verify, &cl->verify_mode);
}

/* The build an auditor compares a certificate with: the same three facts
 * that go into every job report and certificate (wipe/build.c). */
static int version(const struct wp_cmdline *cl)
{
	struct wp_build b;
	char err[256];
	if (wp_build_identity(&b, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: version: %s\n", err);
		return WP_EXIT_FAILED;
	}
	if (cl->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", "wipeproof", "version",
				      b.version, "commit", b.commit, "sha256", b.exe_sha256);
		if (!o)
			return WP_EXIT_FAILED;
		json_dumpf(o, stdout, WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		printf("wipeproof %s\n", b.version);
		printf(_("commit %s\nexecutable SHA-256 %s\n"), b.commit, b.exe_sha256);
	}
	return WP_EXIT_OK;
}

int main(int argc, char **argv)
{
	char err[1200];
	struct wp_cmdline cl;
	static struct wp_config cfg;
	wp_i18n_init();
	if (argc >= 2 && strcmp(argv[1], "config") == 0)
		return wp_cmd_config_main(argc - 1, argv + 1);
	if (argc >= 3 && strcmp(argv[1], "help") == 0 && strcmp(argv[2], "config") == 0)
		return wp_cmd_config_main(2, (char *[]){ argv[2], (char *)"--help", NULL });
	if (wp_config_load(&cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: %s\n", err);
		return WP_EXIT_USAGE;
	}
	wp_config_export(&cfg);
	/* keys, custody and cert parse their own sub-commands (cmd_keys.c,
	 * cmd_custody.c, cmd_cert.c) */
	if (argc >= 2 && strcmp(argv[1], "keys") == 0)
		return wp_cmd_keys_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "custody") == 0)
		return wp_cmd_custody_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "cert") == 0)
		return wp_cmd_cert_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "lease") == 0) /* the boot stick's lease list */
		return wp_cmd_lease_main(argc - 1, argv + 1);
	/* station mode: watch and freespace parse their own options too
	 * (cmd_watch.c, cmd_freespace.c) */
	if (argc >= 2 && strcmp(argv[1], "watch") == 0)
		return wp_cmd_watch_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "freespace") == 0)
		return wp_cmd_freespace_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "resume") == 0)
		return wp_cmd_resume_main(argc - 1, argv + 1);
	if (argc >= 3 && strcmp(argv[1], "help") == 0 && strcmp(argv[2], "resume") == 0) {
		wp_resume_usage(stdout);
		return WP_EXIT_OK;
	}
	if (argc >= 3 && strcmp(argv[1], "help") == 0 && strcmp(argv[2], "watch") == 0) {
		wp_watch_usage(stdout);
		return WP_EXIT_OK;
	}
	if (argc >= 3 && strcmp(argv[1], "help") == 0 && strcmp(argv[2], "freespace") == 0) {
		wp_freespace_usage(stdout);
		return WP_EXIT_OK;
	}
	if (wp_custody_help(stdout, argc, argv))
		return WP_EXIT_OK;
	if (wp_cmdline_parse(argc, argv, &cl, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: %s\n", err);
		return WP_EXIT_USAGE;
	}
	apply_wipe_defaults(&cfg, &cl);
	switch (cl.cmd) {
	case WP_CMD_LIST:
		return wp_cmd_list(&cl);
	case WP_CMD_WIPE:
		return wp_cmd_wipe(&cl);
	case WP_CMD_VERIFY:
		return wp_cmd_verify(&cl);
	case WP_CMD_DEMO:
		return wp_cmd_demo(&cl);
	case WP_CMD_PLAN:
		return wp_cmd_plan(&cl);
	case WP_CMD_VERSION:
		return version(&cl);
	case WP_CMD_HELP:
	case WP_CMD_NONE:
		break;
	}
	wp_usage(stdout, cl.help_topic);
	return WP_EXIT_OK;
}
