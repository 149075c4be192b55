/*
 * The QR payload: a short, signed summary of a certificate that can be
 * checked from paper (certs/README.md defines it byte by byte):
 *
 *   WPC1|ID|SERIAL|MODEL|METHOD|CATEGORY|RESULT|DATE|SHA256|FPR|SIG
 *
 * SIG is the ECDSA-SHA256 signature (DER, base64url) over every byte before
 * the last '|'; FPR is the signer's certificate fingerprint (base64url of the
 * 32 bytes). Text fields escape '%', '|' and control characters as %XX, so
 * '|' only ever separates. Parsing is strict: anything else is refused.
 */
#include "certs_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELDS 11
#define MAX_TEXT 4096
#define MAX_SIG 80          /* DER ECDSA P-256 signatures are at most 72 bytes */

static const char b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Unpadded base64url; out holds 4 * ceil(n / 3) + 1 bytes. */
static void b64url_encode(const unsigned char *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);
		size_t chars = n - i >= 3 ? 4 : n - i + 1;
		for (size_t c = 0; c < chars; c++)
			out[o++] = b64url[(v >> (18 - 6 * c)) & 63];
	}
	out[o] = '\0';
}

/* Strict: only the alphabet, no padding, no bits left over. -1 on error. */
static int b64url_decode(const char *in, size_t n, unsigned char *out, size_t max, size_t *len)
{
	unsigned acc = 0;
	int bits = 0;
	*len = 0;
	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *p = in[i] ? strchr(b64url, in[i]) : NULL;
		if (!p)
			return -1;
		acc = (acc << 6 | (unsigned)(p - b64url)) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (*len == max)
				return -1;
			out[(*len)++] = (unsigned char)(acc >> bits);
		}
	}
	return bits && (acc & ((1u << bits) - 1)) ? -1 : 0;
}

static bool escaped(unsigned char c)
{
	return c == '%' || c == '|' || c < 0x20 || c == 0x7f;
}

/* Append s escaped and a '|' to buf. */
static int put(char *buf, size_t cap, size_t *used, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		int n = escaped(*p) ? snprintf(buf + *used, cap - *used, "%%%02X", *p)
				    : snprintf(buf + *used, cap - *used, "%c", *p);
		if (n < 0 || (size_t)n >= cap - *used)
			return -1;
		*used += (size_t)n;
	}
	if (*used + 2 > cap)
		return -1;
	buf[(*used)++] = '|';
	buf[*used] = '\0';
	return 0;
}

static int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Undo put() for one field of n bytes; refuses what put() never writes. */
static int take(const char *in, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '%') {
			if (i + 2 >= n)
				return -1;
			int hi = hexdigit(in[i + 1]), lo = hexdigit(in[i + 2]);
			if (hi < 0 || lo < 0 || !escaped((unsigned char)(hi << 4 | lo)))
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (escaped(c)) {
			return -1;
		}
		if (o + 1 >= cap)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* The QR holds a summary; the document (whose SHA-256 it carries) holds
 * the whole text. A field longer than its slot is cut on a UTF-8 character
 * boundary and ends in "…", so a reader sees it was shortened and never a
 * broken character (a Japanese destruction method was cut mid-character). */
#define ELLIPSIS "\xe2\x80\xa6"

static void fit_utf8(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n < cap) {
		memcpy(dst, src, n + 1);
		return;
	}
	n = cap - 1 - (sizeof(ELLIPSIS) - 1);
	while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80) /* not inside a character */
		n--;
	memcpy(dst, src, n);
	memcpy(dst + n, ELLIPSIS, sizeof(ELLIPSIS));
}

int wp_qr_from_doc(const json_t *doc, const char *sha256_hex, struct wp_qr *out,
		   char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	const char *ended = wp_certdoc_str(doc, "sanitization.ended_utc");
	const char *id = wp_certdoc_str(doc, "certificate_id");
	const char *serial = wp_certdoc_str(doc, "media.serial");
	const char *model = wp_certdoc_str(doc, "media.model");
	if (strlen(id) != 36 || strlen(serial) >= sizeof(out->serial) ||
	    strlen(model) >= sizeof(out->model) || strlen(ended) < 10) {
		snprintf(err, errlen, "certificate id, serial, model or end date does not fit the QR "
			 "summary (serial and model at most 127 bytes)");
		return -1;
	}
	snprintf(out->id, sizeof(out->id), "%s", id);
	snprintf(out->serial, sizeof(out->serial), "%s", serial);
	snprintf(out->model, sizeof(out->model), "%s", model);
	fit_utf8(out->method, sizeof(out->method), wp_certdoc_str(doc, "sanitization.method"));
	snprintf(out->category, sizeof(out->category), "%s",
		 wp_certdoc_str(doc, "sanitization.category"));
	snprintf(out->result, sizeof(out->result), "%s", wp_certdoc_str(doc, "result"));
	snprintf(out->date, sizeof(out->date), "%.10s", ended);
	snprintf(out->sha256, sizeof(out->sha256), "%s", sha256_hex);
	snprintf(out->fingerprint, sizeof(out->fingerprint), "%s",
		 wp_certdoc_str(doc, "issued_by.fingerprint"));
	return 0;
}

/* The text before the signature: tag and ten fields, each followed by '|'. */
static int signed_part(const struct wp_qr *q, char *buf, size_t cap)
{
	unsigned char fpr[32];
	unsigned char *raw = NULL;
	size_t rawlen = 0, used = 0;
	char fpr64[48];
	if (wp_hex_decode(q->fingerprint, &raw, &rawlen) < 0 || rawlen != 32) {
		free(raw);
		return -1;
	}
	memcpy(fpr, raw, 32);
	free(raw);
	b64url_encode(fpr, 32, fpr64);
	const char *fields[] = { WP_QR_TAG, q->id, q->serial, q->model, q->method, q->category,
				 q->result, q->date, q->sha256, fpr64 };
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (put(buf, cap, &used, fields[i]) < 0)
			return -1;
	return 0;
}

int wp_qr_sign(const struct wp_identity *id, struct wp_qr *q, char **text,
	       char *err, size_t errlen)
{
	char buf[MAX_TEXT], *sig_hex = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	*text = NULL;
	snprintf(q->fingerprint, sizeof(q->fingerprint), "%s", wp_identity_person(id)->fingerprint);
	if (signed_part(q, buf, sizeof(buf)) < 0) {
		snprintf(err, errlen, "the QR summary is too long");
		return -1;
	}
	size_t used = strlen(buf);
	/* the signature covers everything before the '|' that precedes it */
	if (wp_identity_sign_hex(id, buf, used - 1, &sig_hex, err, errlen) < 0)
		return -1;
	if (wp_hex_decode(sig_hex, &sig, &siglen) == 0 && siglen <= MAX_SIG &&
	    used + (siglen + 2) / 3 * 4 + 1 < sizeof(buf)) {
		b64url_encode(sig, siglen, buf + used);
		*text = strdup(buf);
	}
	free(sig_hex);
	free(sig);
	if (!*text)
		snprintf(err, errlen, "cannot encode the QR signature");
	return *text ? 0 : -1;
}

static bool all_of(const char *s, const char *set)
{
	return s[strspn(s, set)] == '\0';
}

static int check_fields(const struct wp_qr *q)
{
	int y, m, d;
	char extra;
	bool date = strlen(q->date) == 10 && q->date[4] == '-' && q->date[7] == '-' &&
		    sscanf(q->date, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 && m >= 1 && m <= 12 &&
		    d >= 1 && d <= 31;
	if (strlen(q->id) != 36 || !all_of(q->id, "0123456789abcdef-") || !date ||
	    strlen(q->sha256) != 64 || !all_of(q->sha256, "0123456789abcdef") ||
	    !q->serial[0] || !q->method[0] || !q->category[0] || !q->result[0])
		return -1;
	return 0;
}

/* Split into the fields; *signed_len is the length covered by the signature. */
static int split(const char *text, struct wp_qr *q, size_t *signed_len, unsigned char *sig,
		 size_t *siglen)
{
	const char *start[FIELDS];
	size_t len[FIELDS], n = 0;
	const char *p = text;
	if (strlen(text) > MAX_TEXT)
		return -1;
	for (;;) {
		const char *bar = strchr(p, '|');
		if (n == FIELDS)
			return -1;
		start[n] = p;
		len[n++] = bar ? (size_t)(bar - p) : strlen(p);
		if (!bar)
			break;
		p = bar + 1;
	}
	if (n != FIELDS || len[0] != 4 || memcmp(start[0], WP_QR_TAG, 4) != 0)
		return -1;
	char *out[] = { q->id, q->serial, q->model, q->method, q->category, q->result, q->date,
			q->sha256 };
	size_t caps[] = { sizeof(q->id), sizeof(q->serial), sizeof(q->model), sizeof(q->method),
			  sizeof(q->category), sizeof(q->result), sizeof(q->date), sizeof(q->sha256) };
	for (size_t i = 0; i < 8; i++)
		if (take(start[i + 1], len[i + 1], out[i], caps[i]) < 0)
			return -1;
	unsigned char fpr[32];
	size_t fprlen = 0;
	if (b64url_decode(start[9], len[9], fpr, sizeof(fpr), &fprlen) < 0 || fprlen != 32 ||
	    b64url_decode(start[10], len[10], sig, MAX_SIG, siglen) < 0 || *siglen == 0)
		return -1;
	wp_hex_encode(fpr, 32, q->fingerprint);
	*signed_len = (size_t)(start[10] - text);
	return check_fields(q);
}

static int parse(const char *text, struct wp_qr *out, size_t *signed_len, unsigned char *sig,
		 size_t *siglen, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (split(text, out, signed_len, sig, siglen) < 0) {
		snprintf(err, errlen, "not a wipeproof QR payload (expected %s| and 10 fields, see "
			 "certs/README.md); was it scanned completely?", WP_QR_TAG);
		return -1;
	}
	return 0;
}

int wp_qr_parse(const char *text, struct wp_qr *out, char *err, size_t errlen)
{
	unsigned char sig[MAX_SIG];
	size_t siglen = 0, signed_len = 0;
	return parse(text, out, &signed_len, sig, &siglen, err, errlen);
}

static X509 *find_signer(X509 *const *certs, size_t n, const char *fpr)
{
	char have[WP_FPR_HEX];
	for (size_t i = 1; i < n; i++)
		if (wp_cert_fingerprint(certs[i], have) == 0 && strcmp(have, fpr) == 0)
			return certs[i];
	return NULL;
}

/* The signer must have been valid at some time on the payload's date. */
static int check_on_date(X509 *cert, X509 *ca, const struct wp_person *p, const char *date,
			 char *err, size_t errlen)
{
	struct tm tm = { 0 };
	char why[400];
	if (!strptime(date, "%Y-%m-%d", &tm)) {
		snprintf(err, errlen, "bad date %s", date);
		return -1;
	}
	time_t day = timegm(&tm), at = day;
	if (at < p->not_before && p->not_before < day + 86400)
		at = p->not_before;
	if (wp_cert_check(cert, ca, at, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "signer %s (fingerprint %.16s) was not certified by the bundle's "
			 "CA on %s: %s", p->name, p->fingerprint, date, why);
		return -1;
	}
	return 0;
}

int wp_qr_verify(const char *text, X509 *const *certs, size_t n, struct wp_qr *out,
		 struct wp_person *signer, char *err, size_t errlen)
{
	unsigned char sig[MAX_SIG];
	size_t siglen = 0, signed_len = 0;
	char sig_hex[2 * MAX_SIG + 1], why[400];
	if (parse(text, out, &signed_len, sig, &siglen, err, errlen) < 0)
		return -1;
	X509 *cert = n > 1 ? find_signer(certs, n, out->fingerprint) : NULL;
	if (!cert) {
		snprintf(err, errlen, "the signer (fingerprint %.16s) is not in the trust bundle; get "
			 "the current bundle ('wipeproof keys export-trust')", out->fingerprint);
		return -1;
	}
	if (wp_cert_person(cert, signer, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "signer's certificate: %s", why);
		return -1;
	}
	if (check_on_date(cert, certs[0], signer, out->date, err, errlen) < 0)
		return -1;
	if (!wp_cert_role_may_issue(signer->role)) {
		snprintf(err, errlen, "signer %s has role '%s'; only an operator or an approver may "
			 "sign a certificate of sanitization", signer->name, wp_role_name(signer->role));
		return -1;
	}
	wp_hex_encode(sig, siglen, sig_hex);
	if (wp_sig_verify(cert, text, signed_len - 1, sig_hex, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "the QR signature does not match its fields: the text was "
			 "changed or misread; scan it again");
		return -1;
	}
	return 0;
}
