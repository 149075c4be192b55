/*
 * render/ — the printable certificate of sanitization: one A4 PDF drawn with
 * Cairo and Pango in Noto Sans CJK JP (embedded), labels in Japanese and
 * English, the verdict at the top, every field of the document, and a QR
 * code of the signed summary drawn as vector squares.
 *
 * A module of its own so that certs/ — keys, documents, signatures, and
 * the auditor's verification — stays free of the graphics stack: the
 * verify path and the fuzz targets link certs/ alone.
 *
 * Errors: 0 on success, -1 with a one-line message in the caller's buffer.
 */
#ifndef WP_RENDER_H
#define WP_RENDER_H

#include <jansson.h>
#include <stddef.h>

#define WP_RENDER_FONT "Noto Sans CJK JP"
#define WP_RENDER_MONO "Noto Sans Mono CJK JP"

/* Draw the certificate DOC (checked with wp_certdoc_check) whose canonical
 * text has SHA-256 sha256_hex, with the QR payload qr_text, into PATH
 * (written to PATH.tmp and renamed). Refuses when the Japanese font is not
 * installed rather than printing boxes. */
int wp_render_pdf(const json_t *doc, const char *sha256_hex, const char *qr_text,
		  const char *path, char *err, size_t errlen);

/* The QR payload qr_text as lines of Unicode half blocks (UTF-8, each line
 * ending in '\n'), light modules drawn, with a light border: the code a
 * phone scans off a text console. malloc'd, or NULL with err. */
char *wp_qr_terminal(const char *qr_text, char *err, size_t errlen);

#endif
