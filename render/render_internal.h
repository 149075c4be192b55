/* Shared by the files of render/; not part of the module's API. */
#ifndef WP_RENDER_INTERNAL_H
#define WP_RENDER_INTERNAL_H

#include "render.h"

#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdbool.h>

/* A4 in PostScript points, and the margins. */
#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 34.0 /* 12 mm: inside every office printer's printable area */

/* Rows end above the footer, which every page carries. */
#define WP_FOOTER_H 30.0
#define WP_BOTTOM (PAGE_H - MARGIN - WP_FOOTER_H)

struct wp_page {
	cairo_surface_t *surface;
	cairo_t *cr;
	PangoLayout *layout;
	double y;                  /* where the next row starts */
	int pages;                 /* this page's number, from 1 */
	int total;                 /* pages in all; 0 while counting them */
	const json_t *doc;
	const char *sha256_hex;
};

/* The footer of the current page (pdf.c); then the next page (layout.c). */
void wp_footer(struct wp_page *p);
void wp_new_page(struct wp_page *p);

/* Japanese for the document's English values (words.c); NULL if unknown. */
const char *wp_ja_method(const char *code);
const char *wp_ja_category(const char *category);
const char *wp_ja_sentence(const char *english);
/* "2026年12月3日 15:47 (JST)" for a UTC instant of the document ("" if it
 * is not one), and that followed by the UTC instant itself. */
void wp_jst(const char *utc, char *out, size_t len);
void wp_when(const char *utc, char *out, size_t len);

/* Draw TEXT in FONT ("Noto Sans CJK JP Bold 9") at (x, y), wrapped to
 * width; returns its height. Nothing is drawn when draw is false. */
double wp_text(struct wp_page *p, const char *font, double x, double y, double width,
	       const char *text, bool draw);

/* Cut a trailing, incomplete UTF-8 sequence (left by a truncating
 * snprintf), so Pango never sees invalid text. */
void wp_utf8_trim(char *s);

/* Every section and row of the document, from p->y down, with a new page
 * when one is full. */
void wp_draw_fields(struct wp_page *p, const json_t *doc);

/* TEXT as a QR code (error correction M, 8-bit mode) with its quiet zone,
 * size points square, as filled vector squares. */
int wp_draw_qr(cairo_t *cr, const char *text, double x, double y, double size,
	       char *err, size_t errlen);

#endif
