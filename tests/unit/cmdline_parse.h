/* Parse a command line given as one string, for the argument tests
 * (test_args.c, test_plan_args.c): the parsed result in `cl`, a refusal's
 * message in `err`. */
#ifndef WP_CMDLINE_PARSE_H
#define WP_CMDLINE_PARSE_H

#include "cli.h"

#include <check.h>
#include <string.h>

static char err[1024];
static struct wp_cmdline cl;

static int parse(const char *line)
{
	static char buf[1024];
	char *argv[32];
	int argc = 0;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *tok = strtok(buf, " "); tok && argc < 31; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	err[0] = '\0';
	return wp_cmdline_parse(argc, argv, &cl, err, sizeof(err));
}

static void expect_error(const char *line, const char *needle)
{
	ck_assert_msg(parse(line) == -1, "'%s' was accepted", line);
	ck_assert_msg(strstr(err, needle) != NULL, "'%s': error '%s' lacks '%s'", line, err, needle);
}

#endif
