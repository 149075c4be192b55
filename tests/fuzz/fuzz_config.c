/* libFuzzer: the `key = value` parser of /etc/wipeproof/config (and of the
 * station policy, which shares wp_kv_each) on arbitrary text. It must
 * never crash, and whatever it accepts names only known keys. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int count(const char *key, const char *value, unsigned lineno, void *ctx, char *msg,
		 size_t len)
{
	(void)key, (void)value, (void)lineno, (void)msg, (void)len;
	++*(unsigned *)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1200], msg[512];
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct wp_config *c = calloc(1, sizeof(*c));
	unsigned n = 0, line = 0;
	wp_kv_each(text, count, &n, &line, msg, sizeof(msg));
	if (c && wp_config_parse(text, "fuzz", c, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < WP_CONFIG_KEYS; i++)
			if (!c->e[i].key || strlen(c->e[i].value) >= sizeof(c->e[i].value))
				abort();
	}
	free(c);
	free(text);
	return 0;
}
