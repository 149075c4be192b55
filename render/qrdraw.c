/*
 * The QR code as vector squares: it stays sharp at any print or scan
 * resolution, and the PDF holds no bitmap.
 */
#include "render_internal.h"

#include <qrencode.h>
#include <stdio.h>
#include <string.h>

#define QUIET 4 /* modules of white border the standard asks for */

int wp_draw_qr(cairo_t *cr, const char *text, double x, double y, double size,
	       char *err, size_t errlen)
{
	/* 8-bit mode: the payload is UTF-8 and must come back byte for byte */
	QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!qr) {
		snprintf(err, errlen, "cannot encode the QR code (%zu bytes of payload)", strlen(text));
		return -1;
	}
	double m = size / (qr->width + 2 * QUIET);
	cairo_save(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_rectangle(cr, x, y, size, size);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int r = 0; r < qr->width; r++)
		for (int c = 0; c < qr->width; c++)
			if (qr->data[r * qr->width + c] & 1)
				cairo_rectangle(cr, x + (c + QUIET) * m, y + (r + QUIET) * m, m, m);
	cairo_fill(cr);
	cairo_restore(cr);
	QRcode_free(qr);
	return 0;
}
