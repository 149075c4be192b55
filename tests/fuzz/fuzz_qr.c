/* libFuzzer: the QR payload parser (wp_qr_parse) on arbitrary text, which
 * is what a scanner hands to `cert verify --qr`. Parsing must never crash,
 * and whatever it accepts must survive the round trip through its own
 * fields. */
#include "certs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct wp_qr q;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (wp_qr_parse(text, &q, err, sizeof(err)) == 0) {
		/* accepted: every field is NUL-terminated within its buffer */
		if (strlen(q.id) != 36 || strlen(q.sha256) != 64 || strlen(q.fingerprint) != 64 ||
		    strlen(q.date) != 10)
			abort();
	}
	free(text);
	return 0;
}
