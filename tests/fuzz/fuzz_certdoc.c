/* libFuzzer: the certificate document parser (wp_certdoc_parse) on
 * arbitrary bytes, which is what `cert verify FILE.json` reads. Whatever it
 * accepts is canonical: serialising it again gives the same bytes. */
#include "certs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	json_t *doc = NULL;
	if (wp_certdoc_parse((const char *)data, size, &doc, err, sizeof(err)) == 0) {
		char *again = wp_certdoc_canonical(doc, err, sizeof(err));
		if (!again || strlen(again) != size || memcmp(again, data, size) != 0)
			abort();
		free(again);
		json_decref(doc);
	}
	return 0;
}
