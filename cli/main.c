/* wipeproof: parse the command line, run one command, exit with its code. */
#include "cli.h"

int main(int argc, char **argv)
{
	char err[512];
	struct wp_cmdline cl;
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
