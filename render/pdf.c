/*
 * The PDF: title and QR code at the top, the verdict in a coloured box
 * under the title, the fields (layout.c), and a footer with the
 * certificate id, the document's SHA-256 and how to check it. Written to
 * PATH.tmp and renamed, so a reader never finds half a PDF.
 */
#include "render_internal.h"
#include "certs.h"

#include <cairo-pdf.h>
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define QR_SIZE 128.0

void wp_utf8_trim(char *s)
{
	size_t n = strlen(s), i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80 && n - i < 3)
		i--;
	if (i == 0)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t want = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
	if (n - (i - 1) < want)
		s[i - 1] = '\0';
}

double wp_text(struct wp_page *p, const char *font, double x, double y, double width,
	       const char *text, bool draw)
{
	PangoFontDescription *fd = pango_font_description_from_string(font);
	pango_layout_set_font_description(p->layout, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(p->layout, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(p->layout, PANGO_WRAP_WORD_CHAR);
	/* at most 20 lines, so one row always fits a page; the JSON keeps
	 * the whole text */
	pango_layout_set_height(p->layout, -20);
	pango_layout_set_ellipsize(p->layout, PANGO_ELLIPSIZE_END);
	pango_layout_set_text(p->layout, text, -1);
	/* CJK fonts have tall natural lines (1.45 em); 0.85 of it keeps a whole
	 * certificate on one A4 page and stays readable */
	PangoAttrList *attrs = pango_attr_list_new();
	pango_attr_list_insert(attrs, pango_attr_line_height_new(0.85));
	pango_layout_set_attributes(p->layout, attrs);
	pango_attr_list_unref(attrs);
	if (draw) {
		cairo_move_to(p->cr, x, y);
		pango_cairo_show_layout(p->cr, p->layout);
	}
	int w = 0, h = 0;
	pango_layout_get_size(p->layout, &w, &h);
	return (double)h / PANGO_SCALE;
}

/* Fontconfig substitutes silently; a certificate in a fallback font may
 * print Japanese as boxes, so the font must be the one asked for. */
static int check_font(struct wp_page *p, char *err, size_t errlen)
{
	PangoFontDescription *fd = pango_font_description_from_string(WP_RENDER_FONT " 10");
	PangoFont *font = pango_context_load_font(pango_layout_get_context(p->layout), fd);
	PangoFontDescription *got = font ? pango_font_describe(font) : NULL;
	const char *family = got ? pango_font_description_get_family(got) : NULL;
	int rc = family && strncmp(family, "Noto Sans CJK", 13) == 0 ? 0 : -1;
	if (rc < 0)
		snprintf(err, errlen, "the font '%s' is not installed (got '%s'); install the Debian "
			 "package fonts-noto-cjk", WP_RENDER_FONT, family ? family : "none");
	pango_font_description_free(got);
	pango_font_description_free(fd);
	if (font)
		g_object_unref(font);
	return rc;
}

static void verdict(struct wp_page *p, const json_t *doc, double width)
{
	char line1[256], line2[512];
	bool wipe = strcmp(wp_certdoc_str(doc, "result"), "sanitized") == 0;
	bool free_space = strcmp(wp_certdoc_str(doc, "result"), WP_CERT_RESULT_FREE_SPACE) == 0;
	if (free_space) {
		snprintf(line1, sizeof(line1), "空き領域 消去済み・検証済み  FREE SPACE WIPED AND VERIFIED");
		snprintf(line2, sizeof(line2), "対象範囲 Scope: %s — 読み戻し %s%%、不一致 %lld / read "
			 "back %s%% of the free space, %lld mismatches",
			 wp_certdoc_str(doc, "scope.description"),
			 wp_certdoc_str(doc, "verification.coverage_percent"),
			 wp_certdoc_int(doc, "verification.mismatched_blocks"),
			 wp_certdoc_str(doc, "verification.coverage_percent"),
			 wp_certdoc_int(doc, "verification.mismatched_blocks"));
	} else if (wipe) {
		snprintf(line1, sizeof(line1), "消去済み・検証済み  SANITIZED AND VERIFIED");
		snprintf(line2, sizeof(line2), "NIST SP 800-88: %s — 読み戻し検証 %s%%、不一致 %lld "
			 "ブロック / read back %s%% of the device, %lld mismatched blocks",
			 wp_certdoc_str(doc, "sanitization.category"),
			 wp_certdoc_str(doc, "verification.coverage_percent"),
			 wp_certdoc_int(doc, "verification.mismatched_blocks"),
			 wp_certdoc_str(doc, "verification.coverage_percent"),
			 wp_certdoc_int(doc, "verification.mismatched_blocks"));
	} else {
		snprintf(line1, sizeof(line1), "物理破壊済み  DESTROYED");
		snprintf(line2, sizeof(line2), "NIST SP 800-88: %s — %s",
			 wp_certdoc_str(doc, "sanitization.category"),
			 wp_certdoc_str(doc, "sanitization.method_details"));
	}
	wp_utf8_trim(line2);
	double h1 = wp_text(p, WP_RENDER_FONT " Bold 12", 0, 0, width - 16, line1, false);
	double h2 = wp_text(p, WP_RENDER_FONT " 8", 0, 0, width - 16, line2, false);
	cairo_set_source_rgb(p->cr, 0.88, 0.96, 0.88);
	cairo_rectangle(p->cr, MARGIN, p->y, width, h1 + h2 + 14);
	cairo_fill_preserve(p->cr);
	cairo_set_source_rgb(p->cr, 0.1, 0.5, 0.2);
	cairo_set_line_width(p->cr, 1.5);
	cairo_stroke(p->cr);
	wp_text(p, WP_RENDER_FONT " Bold 12", MARGIN + 8, p->y + 5, width - 16, line1, true);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	wp_text(p, WP_RENDER_FONT " 8", MARGIN + 8, p->y + 8 + h1, width - 16, line2, true);
	p->y += h1 + h2 + 14;
}

static int header(struct wp_page *p, const json_t *doc, const char *qr_text, char *err,
		  size_t errlen)
{
	double left_w = PAGE_W - 2 * MARGIN - QR_SIZE - 12;
	char line[512];
	if (wp_draw_qr(p->cr, qr_text, PAGE_W - MARGIN - QR_SIZE, MARGIN - 8, QR_SIZE, err,
		       errlen) < 0)
		return -1;
	p->y = MARGIN;
	bool free_space = strcmp(wp_certdoc_str(doc, "result"), WP_CERT_RESULT_FREE_SPACE) == 0;
	p->y += wp_text(p, WP_RENDER_FONT " Bold 18", MARGIN, p->y, left_w,
			free_space ? "空き領域消去証明書" : "データ消去証明書", true);
	p->y += wp_text(p, WP_RENDER_FONT " 11", MARGIN, p->y, left_w,
			free_space ? "Certificate of Free-Space Wipe" : "Certificate of Sanitization",
			true) + 4;
	char issued[128];
	wp_when(wp_certdoc_str(doc, "issued_utc"), issued, sizeof(issued));
	snprintf(line, sizeof(line), "%s%s資産番号 Property number: %s\n発行 Issued: %s",
		 wp_certdoc_str(doc, "organisation"), wp_certdoc_str(doc, "organisation")[0] ? "\n" : "",
		 wp_certdoc_str(doc, "media.property_number"), issued);
	p->y += wp_text(p, WP_RENDER_FONT " 9", MARGIN, p->y, left_w, line, true) + 8;
	verdict(p, doc, left_w);
	/* what the code is, under it: an auditor with only the paper must know
	 * that it can be checked and how */
	double qr_bottom = MARGIN - 8 + QR_SIZE;
	cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
	qr_bottom += wp_text(p, WP_RENDER_FONT " 5.5", PAGE_W - MARGIN - QR_SIZE, qr_bottom, QR_SIZE,
			     "QRコード: 署名付きの要約。検証ページか wipeproof cert verify --qr "
			     "で確認 / signed summary: check on the verification page or with "
			     "wipeproof cert verify --qr",
			     true);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	if (p->y < qr_bottom + 2)
		p->y = qr_bottom + 2;
	return 0;
}

/* On every page: which certificate, which page of how many, how to check
 * it — a sheet that got separated from the first still says all three. */
void wp_footer(struct wp_page *p)
{
	char text[512], page[64];
	double y = PAGE_H - MARGIN - WP_FOOTER_H + 4, w = PAGE_W - 2 * MARGIN;
	cairo_set_source_rgb(p->cr, 0.5, 0.5, 0.5);
	cairo_set_line_width(p->cr, 0.4);
	cairo_move_to(p->cr, MARGIN, y - 2);
	cairo_line_to(p->cr, PAGE_W - MARGIN, y - 2);
	cairo_stroke(p->cr);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	snprintf(text, sizeof(text), "証明書ID Certificate id: %s\nSHA-256 (JSON): %s",
		 wp_certdoc_str(p->doc, "certificate_id"), p->sha256_hex);
	if (p->total > 0)
		snprintf(page, sizeof(page), "%d / %d ページ  page %d of %d", p->pages, p->total,
			 p->pages, p->total);
	else
		snprintf(page, sizeof(page), "%d ページ  page %d", p->pages, p->pages);
	double h = wp_text(p, WP_RENDER_MONO " 6.5", MARGIN, y, w - 110, text, true);
	wp_text(p, WP_RENDER_FONT " 6.5", PAGE_W - MARGIN - 105, y, 105, page, true);
	wp_text(p, WP_RENDER_FONT " 5.5", MARGIN, y + h + 1, w,
		"真正性の確認 / To check: 検証ページ verify.html, wipeproof cert verify cert.json "
		"--ca ca.pem, wipeproof cert verify --qr \"<QR text>\" --trust bundle.pem, or "
		"openssl cms -verify (see README)", true);
}

/* Pango, Cairo and fontconfig keep their fonts for the life of the
 * process. A process draws a certificate once or a few times, so the
 * caches go again right after; leak checkers then see only real leaks.
 * Called on the thread that drew, with nothing of Pango or Cairo alive. */
static void drop_font_caches(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}

static int draw(struct wp_page *p, const json_t *doc, const char *qr_text, char *err,
		size_t errlen)
{
	if (check_font(p, err, errlen) < 0 || header(p, doc, qr_text, err, errlen) < 0)
		return -1;
	wp_draw_fields(p, doc);
	wp_footer(p);
	cairo_show_page(p->cr);
	return 0;
}

/* One pass over a surface: path NULL draws to nowhere, to count pages. */
static int pass(const json_t *doc, const char *sha256_hex, const char *qr_text, const char *path,
		int total, int *pages, char *err, size_t errlen)
{
	struct wp_page p = { .pages = 1, .total = total, .doc = doc, .sha256_hex = sha256_hex };
	p.surface = cairo_pdf_surface_create(path, PAGE_W, PAGE_H);
	p.cr = cairo_create(p.surface);
	p.layout = pango_cairo_create_layout(p.cr);
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_TITLE,
				       "データ消去証明書 Certificate of Sanitization");
	cairo_pdf_surface_set_metadata(p.surface, CAIRO_PDF_METADATA_CREATOR, "wipeproof");
	int rc = cairo_surface_status(p.surface) == CAIRO_STATUS_SUCCESS ? 0 : -1;
	if (rc < 0)
		snprintf(err, errlen, "cannot create %s: %s", path ? path : "a PDF surface",
			 cairo_status_to_string(cairo_surface_status(p.surface)));
	else
		rc = draw(&p, doc, qr_text, err, errlen);
	*pages = p.pages;
	g_object_unref(p.layout);
	cairo_destroy(p.cr);
	cairo_surface_finish(p.surface);
	cairo_status_t st = cairo_surface_status(p.surface);
	cairo_surface_destroy(p.surface);
	if (rc == 0 && st != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cannot write %s: %s", path ? path : "a PDF surface",
			 cairo_status_to_string(st));
		rc = -1;
	}
	return rc;
}

int wp_render_pdf(const json_t *doc, const char *sha256_hex, const char *qr_text,
		  const char *path, char *err, size_t errlen)
{
	char tmp[4200];
	int total = 0, pages = 0;
	if (wp_certdoc_check(doc, err, errlen) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* "page x of y" needs y first: lay out once into nowhere, then for real */
	int rc = pass(doc, sha256_hex, qr_text, NULL, 0, &total, err, errlen);
	if (rc == 0)
		rc = pass(doc, sha256_hex, qr_text, tmp, total, &pages, err, errlen);
	drop_font_caches();
	if (rc == 0 && pages != total) {
		snprintf(err, errlen, "the certificate laid out on %d pages, then on %d", total, pages);
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(tmp);
	return rc;
}
