/*
 * The body of the certificate: sections of rows, a bilingual label on the
 * left and the value on the right, in the order a reader who is not an IT
 * specialist asks the questions — which disk, what was done, was it
 * checked, who did it, who allowed it, where is the record. Optional fields
 * that are absent are left out rather than printed empty.
 */
#include "render_internal.h"
#include "certs.h"

#include <stdio.h>
#include <string.h>

#define FONT WP_RENDER_FONT " 7.5"
#define FONT_LABEL WP_RENDER_FONT " 7"
#define FONT_HEAD WP_RENDER_FONT " Bold 8.5"
#define FONT_MONO WP_RENDER_MONO " 7"
#define LABEL_W 150.0
#define ROW_GAP 1.0
#define BOTTOM (PAGE_H - MARGIN - 40.0) /* room for the footer */

/* How a row's value is made from the document; path is the member, or
 * the object the combined rows read from. */
enum fmt { TEXT, MONO, BYTES, UTC, PERSON, METHOD, TOOL, SPAN, AMOUNT, CHECKED, WHERE, LEASE,
	   LEDGER, ISSUED };

static const struct row {
	const char *label;         /* NULL: a section heading */
	const char *path;
	enum fmt fmt;
} rows[] = {
	{ NULL, "媒体  Media", TEXT },
	{ "製造元  Manufacturer", "media.manufacturer", TEXT },
	{ "型式  Model", "media.model", TEXT },
	{ "シリアル番号  Serial number", "media.serial", MONO },
	{ "資産番号  Property number", "media.property_number", TEXT },
	{ "媒体種別  Media type", "media.media_type", TEXT },
	{ "容量  Capacity", "media.size_bytes", BYTES },
	{ "媒体の出所  Media source", "media.media_source", TEXT },
	{ "消去前の機密区分  Pre-sanit. category", "confidentiality.pre", TEXT },
	{ NULL, "消去  Sanitization", TEXT },
	{ "対象範囲  Scope", "scope.description", TEXT },
	{ "消去区分  NIST SP 800-88", "sanitization.category", TEXT },
	{ "内容  Description", "sanitization.description", TEXT },
	{ "方式  Method", "sanitization", METHOD },
	{ "方式の詳細  Method details", "sanitization.method_details", TEXT },
	{ "注記  Note", "sanitization.note", TEXT },
	{ "ツールと版  Tool and version", "sanitization", TOOL },
	{ "開始 – 終了  Started – ended", "sanitization", SPAN },
	{ "書込量  Written", "sanitization", AMOUNT },
	{ "消去後の行き先  Destination", "destination", TEXT },
	{ "消去後の機密区分  Post-sanit. category", "confidentiality.post", TEXT },
	{ NULL, "検証  Verification", TEXT },
	{ "検証方法  Verification method", "verification.method", TEXT },
	{ "検証範囲と結果  Coverage and result", "verification", CHECKED },
	{ "指紋照合  Fingerprint check", "verification.fingerprint", TEXT },
	{ NULL, "実施者と確認者  People", TEXT },
	{ "消去実施者  Sanitized by", "sanitized_by", PERSON },
	{ "日時/場所/連絡先  When/where/contact", "sanitized_by", WHERE },
	{ "検証確認者  Verified by", "verified_by", PERSON },
	{ "日時/場所/連絡先  When/where/contact", "verified_by", WHERE },
	{ "申請者  Requester", "requester", PERSON },
	{ "承認者  Approver", "approver", PERSON },
	{ NULL, "契約と記録  Contract and records", TEXT },
	{ "所有者  Owner", "asset.owner", TEXT },
	{ "リース契約  Lease contract", "asset", LEASE },
	{ "ジョブID  Job id", "sanitization.job_id", MONO },
	{ "作業報告書  Job report SHA-256", "sanitization.report_sha256", MONO },
	{ "台帳  Ledger at issue", "ledger", LEDGER },
	{ "台帳ID  Ledger id", "ledger.id", MONO },
	{ "発行  Issued by", "issued_by", ISSUED },
};

/* Thousands separators, for numbers people read. */
static void grouped(long long v, char *out, size_t len)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%lld", v);
	size_t o = 0;
	for (int i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* doc[prefix.key] */
static const char *sub(const json_t *doc, const char *prefix, const char *key)
{
	char path[96];
	snprintf(path, sizeof(path), "%s.%s", prefix, key);
	return wp_certdoc_str(doc, path);
}

static long long subint(const json_t *doc, const char *prefix, const char *key)
{
	char path[96];
	snprintf(path, sizeof(path), "%s.%s", prefix, key);
	return wp_certdoc_int(doc, path);
}

static void bytes(long long v, char *out, size_t len)
{
	char num[40];
	grouped(v, num, sizeof(num));
	snprintf(out, len, "%s bytes (%.1f MiB)", num, (double)v / 1048576.0);
}

/* Rows that combine members; "" when the first is absent. */
static void combined(const json_t *doc, const struct row *r, char *out, size_t len)
{
	const char *p = r->path;
	char a[64], b[64], c[64];
	switch (r->fmt) {
	case METHOD:
		snprintf(out, len, "%s%s%s", sub(doc, p, "method"),
			 sub(doc, p, "method_description")[0] ? " — " : "", sub(doc, p, "method_description"));
		return;
	case ISSUED:
		snprintf(out, len, "%s (%s), %s (UTC)", sub(doc, p, "name"), sub(doc, p, "title"),
			 wp_certdoc_str(doc, "issued_utc"));
		return;
	case TOOL:
		snprintf(out, len, "%s %s", sub(doc, p, "tool"), sub(doc, p, "tool_version"));
		return;
	case SPAN:
		snprintf(out, len, "%s – %s (UTC)", sub(doc, p, "started_utc"), sub(doc, p, "ended_utc"));
		return;
	case AMOUNT:
		if (subint(doc, p, "bytes_written") < 0)
			return;
		bytes(subint(doc, p, "bytes_written"), a, sizeof(a));
		grouped(subint(doc, p, "throughput_bytes_per_s"), b, sizeof(b));
		grouped(subint(doc, p, "duration_s"), c, sizeof(c));
		snprintf(out, len, "%s, %lld pass(es), %s s, %s bytes/s", a, subint(doc, p, "passes"), c, b);
		return;
	case CHECKED:
		if (subint(doc, p, "bytes_checked") < 0)
			return;
		bytes(subint(doc, p, "bytes_checked"), a, sizeof(a));
		snprintf(out, len, "%s%% of the device (%s read back), %lld mismatched block(s)",
			 sub(doc, p, "coverage_percent"), a, subint(doc, p, "mismatched_blocks"));
		return;
	case WHERE:
		snprintf(out, len, "%s (UTC); %s; %s", sub(doc, p, "date"), sub(doc, p, "location"),
			 sub(doc, p, "contact"));
		return;
	case LEASE:
		if (sub(doc, p, "lease_contract")[0])
			snprintf(out, len, "%s%s%s", sub(doc, p, "lease_contract"),
				 sub(doc, p, "lease_end")[0] ? ", until " : "", sub(doc, p, "lease_end"));
		return;
	case LEDGER:
		snprintf(out, len, "seq %lld, head %s", subint(doc, p, "seq"), sub(doc, p, "head_hash"));
		return;
	default:
		return;
	}
}

static void format_value(const json_t *doc, const struct row *r, char *out, size_t len)
{
	long long v = wp_certdoc_int(doc, r->path);
	out[0] = '\0';
	switch (r->fmt) {
	case BYTES:
		if (v >= 0)
			bytes(v, out, len);
		return;
	case UTC:
		if (wp_certdoc_str(doc, r->path)[0])
			snprintf(out, len, "%s (UTC)", wp_certdoc_str(doc, r->path));
		return;
	case PERSON:
		if (!sub(doc, r->path, "name")[0])
			return;
		snprintf(out, len, "%s", sub(doc, r->path, "name"));
		if (sub(doc, r->path, "title")[0])
			snprintf(out + strlen(out), len - strlen(out), " (%s)", sub(doc, r->path, "title"));
		return;
	case TEXT:
	case MONO:
		snprintf(out, len, "%s", wp_certdoc_str(doc, r->path));
		return;
	default:
		combined(doc, r, out, len);
	}
}

static void new_page(struct wp_page *p)
{
	cairo_show_page(p->cr);
	p->pages++;
	p->y = MARGIN;
}

static void heading(struct wp_page *p, const char *text)
{
	double h = wp_text(p, FONT_HEAD, MARGIN, 0, PAGE_W - 2 * MARGIN, text, false);
	if (p->y + h + 20 > BOTTOM)
		new_page(p);
	p->y += 3;
	wp_text(p, FONT_HEAD, MARGIN, p->y, PAGE_W - 2 * MARGIN, text, true);
	p->y += h + 1;
	cairo_set_source_rgb(p->cr, 0.35, 0.35, 0.35);
	cairo_set_line_width(p->cr, 0.6);
	cairo_move_to(p->cr, MARGIN, p->y);
	cairo_line_to(p->cr, PAGE_W - MARGIN, p->y);
	cairo_stroke(p->cr);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	p->y += 2;
}

static void row(struct wp_page *p, const char *label, const char *value, bool mono)
{
	double vw = PAGE_W - 2 * MARGIN - LABEL_W;
	const char *font = mono ? FONT_MONO : FONT;
	double h = wp_text(p, font, MARGIN + LABEL_W, 0, vw, value, false);
	double lh = wp_text(p, FONT_LABEL, MARGIN, 0, LABEL_W - 6, label, false);
	if (lh > h)
		h = lh;
	if (p->y + h > BOTTOM)
		new_page(p);
	cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
	wp_text(p, FONT_LABEL, MARGIN, p->y, LABEL_W - 6, label, true);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	wp_text(p, font, MARGIN + LABEL_W, p->y, vw, value, true);
	p->y += h + ROW_GAP;
}

void wp_draw_fields(struct wp_page *p, const json_t *doc)
{
	char value[4096];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		if (!r->label) {
			heading(p, r->path);
			continue;
		}
		format_value(doc, r, value, sizeof(value));
		wp_utf8_trim(value);
		if (value[0])
			row(p, r->label, value, r->fmt == MONO || r->fmt == LEDGER);
	}
}
