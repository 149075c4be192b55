/*
 * The `key = value` format shared by the station configuration file and
 * the station policy (station.h). One parser so that both files treat
 * comments, blanks and spaces alike.
 */
#include "station.h"
#include "wpi18n.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int wp_kv_each(const char *text, wp_kv_fn fn, void *ctx, unsigned *lineno, char *msg,
	       size_t len)
{
	char *copy = strdup(text);
	int rc = 0;
	*lineno = 0;
	if (!copy) {
		snprintf(msg, len, _("out of memory"));
		return -1;
	}
	for (char *line = copy, *next; line && rc == 0; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		++*lineno;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line), *eq = strchr(s, '=');
		if (!s[0])
			continue;
		if (!eq) {
			snprintf(msg, len, _("expected 'key = value', got '%s'"), s);
			rc = -1;
			break;
		}
		*eq = '\0';
		rc = fn(trim(s), trim(eq + 1), *lineno, ctx, msg, len);
	}
	free(copy);
	return rc;
}

