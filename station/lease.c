/*
 * The lease list on the boot stick: a CSV exported from the lease
 * company's sheet (pc_serial, asset_tag, lease_contract, owner,
 * confidentiality; a header line), looked up by the booted PC's serial so
 * the operator types nothing. Japanese offices export CSV from Excel in
 * Shift_JIS (Windows code page 932) as often as in UTF-8: a file that is
 * not valid UTF-8 is read as CP932 with glibc's iconv (the boot stick's
 * initramfs carries that gconv module), and one that is neither is refused
 * by name rather than matched with garbled owners.
 */
#include "station.h"
#include "wpi18n.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIST (4 << 20)

/* Valid UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF). */
static bool is_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t k = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2
			 : (c & 0xf8) == 0xf0 ? 3 : 9;
		if (k == 9 || i + k >= n + (k == 0) || (k == 1 && c < 0xc2) || (k == 3 && c > 0xf4))
			return false;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		if ((k == 2 && c == 0xe0 && s[i + 1] < 0xa0) || (k == 2 && c == 0xed && s[i + 1] >= 0xa0) ||
		    (k == 3 && c == 0xf0 && s[i + 1] < 0x90) || (k == 3 && c == 0xf4 && s[i + 1] >= 0x90))
			return false;
		i += k + 1;
	}
	return true;
}

char *wp_text_to_utf8(const char *in, size_t n, const char **encoding, char *err, size_t errlen)
{
	const unsigned char *u = (const unsigned char *)in;
	if (n >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) { /* Excel's BOM */
		in += 3;
		n -= 3;
	}
	if (memchr(in, '\0', n)) {
		snprintf(err, errlen, _("it holds NUL bytes (UTF-16? save the sheet as CSV in UTF-8 or "
			 "Shift_JIS)"));
		return NULL;
	}
	if (is_utf8((const unsigned char *)in, n)) {
		char *out = malloc(n + 1);
		if (!out) {
			snprintf(err, errlen, _("out of memory"));
			return NULL;
		}
		memcpy(out, in, n);
		out[n] = '\0';
		*encoding = "UTF-8";
		return out;
	}
	iconv_t cd = iconv_open("UTF-8", "CP932");
	if (cd == (iconv_t)-1) {
		snprintf(err, errlen, _("it is not UTF-8, and Shift_JIS (CP932) cannot be read here: "
			 "iconv_open: %s (glibc's gconv module CP932 is missing)"), strerror(errno));
		return NULL;
	}
	/* CP932 takes at most 2 bytes for a character UTF-8 writes in 3 */
	size_t cap = n * 2 + 1, left_in = n, left_out = cap - 1;
	char *out = malloc(cap), *src = (char *)in, *dst = out;
	size_t rc = out ? iconv(cd, &src, &left_in, &dst, &left_out) : (size_t)-1;
	iconv_close(cd);
	if (!out || rc == (size_t)-1 || left_in) {
		snprintf(err, errlen, _("it is neither UTF-8 nor Shift_JIS (CP932): byte 0x%02x at "
			 "offset %zu; save the sheet as CSV in UTF-8 or Shift_JIS"),
			 left_in ? (unsigned char)*src : 0, (size_t)(src - in));
		free(out);
		return NULL;
	}
	*dst = '\0';
	*encoding = "Shift_JIS (CP932)";
	return out;
}

/* One field of a CSV record (RFC 4180: quotes, doubled quotes, commas and
 * line breaks inside quotes) into buf; *p moves past it and its comma.
 * Returns 1 when the record goes on, 0 at its end. */
static int field(const char **p, char *buf, size_t len)
{
	const char *s = *p;
	size_t o = 0;
	bool quoted = *s == '"';
	if (quoted)
		s++;
	for (;; s++) {
		if (!*s)
			break;
		if (quoted && *s == '"') {
			if (s[1] == '"') {
				s++;
			} else {
				quoted = false;
				continue;
			}
		} else if (!quoted && (*s == ',' || *s == '\n' || *s == '\r')) {
			break;
		}
		if (o + 1 < len)
			buf[o++] = *s;
	}
	buf[o] = '\0';
	/* trailing blanks of a sheet's cells are not part of a serial */
	while (o && (buf[o - 1] == ' ' || buf[o - 1] == '\t'))
		buf[--o] = '\0';
	int more = *s == ',';
	if (*s == ',')
		s++;
	else {
		if (*s == '\r')
			s++;
		if (*s == '\n')
			s++;
	}
	*p = s;
	return more;
}

int wp_lease_find(const char *text, const char *pc_serial, struct wp_lease_row *row)
{
	const char *p = text;
	bool header = true;
	memset(row, 0, sizeof(*row));
	while (*p) {
		char cells[5][WP_LEASE_FIELD];
		size_t n = 0;
		int more = 1;
		row->line++;
		while (more) {
			char scratch[WP_LEASE_FIELD];
			more = field(&p, n < 5 ? cells[n] : scratch, WP_LEASE_FIELD);
			n++;
		}
		for (size_t i = n; i < 5; i++)
			cells[i][0] = '\0';
		if (header) {
			header = false;
			continue;
		}
		if (n < 2 || !cells[0][0] || strcmp(cells[0], pc_serial) != 0)
			continue;
		memcpy(row->pc_serial, cells[0], sizeof(row->pc_serial));
		memcpy(row->asset_tag, cells[1], sizeof(row->asset_tag));
		memcpy(row->lease_contract, cells[2], sizeof(row->lease_contract));
		memcpy(row->owner, cells[3], sizeof(row->owner));
		memcpy(row->confidentiality, cells[4], sizeof(row->confidentiality));
		return 1;
	}
	return 0;
}

int wp_lease_load(const char *path, char **text, const char **encoding, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *raw = f ? malloc(MAX_LIST + 1) : NULL;
	size_t n = raw ? fread(raw, 1, MAX_LIST + 1, f) : 0;
	if (!f || !raw || ferror(f) || n > MAX_LIST) {
		snprintf(err, errlen, _("cannot read the lease list %s: %s"), path,
			 !f || ferror(f) ? strerror(errno) : n > MAX_LIST ? _("larger than 4 MiB")
								       : _("out of memory"));
		free(raw);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	char why[512];
	*text = wp_text_to_utf8(raw, n, encoding, why, sizeof(why));
	free(raw);
	if (!*text) {
		snprintf(err, errlen, _("lease list %s: %s"), path, why);
		return -1;
	}
	return 0;
}
