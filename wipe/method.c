/*
 * The overwrite methods. Formatting is deliberately absent: the guidelines
 * (REQUIREMENTS R1, R4, R11) say a format never counts as erasure.
 */
#include "wipe.h"

#include <stdio.h>
#include <string.h>

static const struct wp_method methods[] = {
	{ "zero", "one pass of zeros (0x00)", 1, { WP_PATTERN_ZERO } },
	{ "ones", "one pass of ones (0xFF)", 1, { WP_PATTERN_ONES } },
	{ "random", "one pass of AES-256-CTR random data (verifiable from its key)",
	  1, { WP_PATTERN_RANDOM } },
	{ "random-zero", "random pass, then a zero pass (disk reads as blank)",
	  2, { WP_PATTERN_RANDOM, WP_PATTERN_ZERO } },
	{ "dod3", "DoD 5220.22-M three passes: 0x00, 0xFF, random",
	  3, { WP_PATTERN_ZERO, WP_PATTERN_ONES, WP_PATTERN_RANDOM } },
};

const struct wp_method *wp_method_at(size_t index)
{
	if (index >= sizeof(methods) / sizeof(methods[0]))
		return NULL;
	return &methods[index];
}

const struct wp_method *wp_method_find(const char *name)
{
	const struct wp_method *m;
	for (size_t i = 0; (m = wp_method_at(i)) != NULL; i++)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

void wp_method_names(char *buf, size_t len)
{
	const struct wp_method *m;
	size_t used = 0;
	if (len > 0)
		buf[0] = '\0';
	for (size_t i = 0; (m = wp_method_at(i)) != NULL && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", m->name);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}
