/* wipeproof: parse the command line, run one command, exit with its code. */
#include "cli.h"

#include <string.h>

int main(int argc, char **argv)
{
	char err[512];
	struct wp_cmdline cl;
	/* keys, custody and cert parse their own sub-commands (cmd_keys.c,
	 * cmd_custody.c, cmd_cert.c) */
	if (argc >= 2 && strcmp(argv[1], "keys") == 0)
		return wp_cmd_keys_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "custody") == 0)
		return wp_cmd_custody_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "cert") == 0)
		return wp_cmd_cert_main(argc - 1, argv + 1);
	if (wp_custody_help(stdout, argc, argv))
		return WP_EXIT_OK;
	if (wp_cmdline_parse(argc, argv, &cl, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: %s\n", err);
		return WP_EXIT_USAGE;
	}
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
		printf("wipeproof %s\n", WP_VERSION);
		return WP_EXIT_OK;
	case WP_CMD_HELP:
	case WP_CMD_NONE:
		break;
	}
	wp_usage(stdout, cl.help_topic);
	return WP_EXIT_OK;
}
