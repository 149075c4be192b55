/*
 * The QR code as text for a terminal: two modules per character cell with
 * Unicode half blocks, so a code of 60 modules takes 30-odd lines and a
 * phone can scan it off the screen of the PC that was just wiped (the boot
 * stick's last screen). Light modules are the drawn ones: a text console
 * draws light characters on black, and a scanner wants dark modules on a
 * light ground. The same encoding as the PDF's code (qrdraw.c).
 */
#include "render.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 2 /* modules of light border: the standard's 4 rarely fits 25 lines, 2 scan */

/* U+2588 full block, U+2580 upper half, U+2584 lower half */
static const char *const cell[4] = { " ", "\xe2\x96\x84", "\xe2\x96\x80", "\xe2\x96\x88" };

static int light(const QRcode *qr, int r, int c)
{
	r -= QUIET;
	c -= QUIET;
	if (r < 0 || c < 0 || r >= qr->width || c >= qr->width)
		return 1;
	return !(qr->data[r * qr->width + c] & 1);
}

char *wp_qr_terminal(const char *text, char *err, size_t errlen)
{
	QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!qr) {
		snprintf(err, errlen, "cannot encode the QR code (%zu bytes of payload)", strlen(text));
		return NULL;
	}
	int side = qr->width + 2 * QUIET, lines = (side + 1) / 2;
	/* 3 bytes per cell, a newline per line */
	size_t cap = (size_t)lines * ((size_t)side * 3 + 1) + 1, used = 0;
	char *out = malloc(cap);
	if (!out) {
		QRcode_free(qr);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (int l = 0; l < lines; l++) {
		for (int c = 0; c < side; c++) {
			/* past the last row of an odd side: light, as the border */
			int top = light(qr, 2 * l, c);
			int bottom = 2 * l + 1 < side ? light(qr, 2 * l + 1, c) : 0;
			const char *s = cell[top << 1 | bottom];
			size_t n = strlen(s);
			memcpy(out + used, s, n);
			used += n;
		}
		out[used++] = '\n';
	}
	out[used] = '\0';
	QRcode_free(qr);
	return out;
}
