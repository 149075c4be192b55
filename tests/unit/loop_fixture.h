/*
 * What the unit tests that attach loop devices share (test_media.c,
 * test_station_flow.c): a shell command's first line, and the check that a
 * name is a loop node before anything is detached. Only headers of libc,
 * so a test linking udev/ alone can use it (fixtures.h pulls in certs/).
 */
#ifndef WP_LOOP_FIXTURE_H
#define WP_LOOP_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Run a shell command; its first output line goes to out (if given). */
static inline int wp_fx_run(const char *cmd, char *out, size_t outlen)
{
	char line[256] = "";
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	while (fgetc(p) != EOF)
		;
	line[strcspn(line, "\n")] = '\0';
	if (out)
		snprintf(out, outlen, "%s", line);
	return pclose(p) == 0 ? 0 : -1;
}

/* Only ever detach what losetup told us it attached. */
static inline bool wp_fx_is_loop_node(const char *node)
{
	if (strncmp(node, "/dev/loop", 9) != 0 || !node[9])
		return false;
	for (const char *p = node + 9; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

#endif
