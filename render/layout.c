/*
 * The body of the certificate: sections of rows, a bilingual label on the
 * left and the value on the right, in the order a reader who is not an IT
 * specialist asks the questions — which disk, what was done, was it
 * checked, who did it, who allowed it, where is the record. Optional fields
 * that are absent are left out rather than printed empty.
 *
 * The page is filed on paper, so it is built to fit one A4 sheet for every
 * normal wipe and destruction (tests/integration/it_cert_paper.sh measures
 * the longest realistic inputs): short facts of the medium sit two to a
 * line, the people are one table, values are Japanese first with the signed
 * English beside them (words.c), and times are given in Japan time beside
 * the UTC instant the document signs.
 */
#include "render_internal.h"
#include "certs.h"

#include <stdio.h>
#include <string.h>

#define FONT WP_RENDER_FONT " 6.8"
#define FONT_LABEL WP_RENDER_FONT " 6.3"
#define FONT_HEAD WP_RENDER_FONT " Bold 8"
#define FONT_MONO WP_RENDER_MONO " 6.3"
#define LABEL_W 128.0
#define HALF_LABEL_W 100.0
#define COL_GAP 10.0
#define ROW_GAP 0.8

/* How a row's value is made from the document; path is the member, or
 * the object the combined rows read from. */
enum fmt { TEXT, MONO, BYTES, UTC, METHOD, CATEGORY, SENTENCE, TOOL, SPAN, AMOUNT, CHECKED,
	   LEASE, LEDGER, COMPUTER, DESTINATION };

struct row {
	const char *label;         /* NULL: a section heading */
	const char *path;
	enum fmt fmt;
};

/* Facts of the medium, two to a line. */
static const struct row media_rows[] = {
	{ "製造元  Manufacturer", "media.manufacturer", SENTENCE },
	{ "型式  Model", "media.model", TEXT },
	{ "シリアル番号  Serial", "media.serial", MONO },
	{ "資産番号  Property no.", "media.property_number", TEXT },
	{ "媒体種別  Media type", "media.media_type", SENTENCE },
	{ "容量  Capacity", "media.size_bytes", BYTES },
	{ "出所  Media source", "media.media_source", TEXT },
	{ "所有者 (出所)  Owner (source)", "asset.owner", TEXT },
	{ "リース契約  Lease", "asset", LEASE },
};

/* The PC the disk was in, across the page: a maker's name and model are
 * long, and in half a line they would wrap into four. */
static const struct row computer_rows[] = {
	{ "搭載PC  Computer", "asset.computer", COMPUTER },
};

static const struct row sanitization_rows[] = {
	{ "対象範囲  Scope", "scope.description", TEXT },
	{ "消去区分  NIST SP 800-88 Rev.1", "sanitization.category", CATEGORY },
	{ "内容  Description", "sanitization.description", TEXT },
	{ "方式  Method", "sanitization", METHOD },
	{ "方式の詳細  Method details", "sanitization.method_details", TEXT },
	{ "廃棄業者  Destruction vendor", "vendor.description", TEXT },
	{ "消去の証跡  Erasure evidence", "attestation.description", TEXT },
	{ "注記  Note", "sanitization.note", SENTENCE },
	{ "ツール  Tool and build", "sanitization", TOOL },
	{ "開始 – 終了  Started – ended", "sanitization", SPAN },
	{ "書込量  Written", "sanitization", AMOUNT },
	{ "消去後の行き先  Destination", "destination", DESTINATION },
};

static const struct row verification_rows[] = {
	{ "検証方法  Verification method", "verification.method", SENTENCE },
	{ "検証範囲と結果  Coverage, result", "verification", CHECKED },
	{ "指紋照合  Fingerprint check", "verification.fingerprint", TEXT },
};

static const struct row record_rows[] = {
	{ "ジョブID  Job id", "sanitization.job_id", MONO },
	{ "作業報告書  Job report SHA-256", "sanitization.report_sha256", MONO },
	{ "台帳  Ledger at issue", "ledger", LEDGER },
	{ "台帳ID  Ledger id", "ledger.id", MONO },
	{ "消去証明書  Wipe cert.", "wipe_certificate.description", MONO },
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

/* Drive labels print decimal gigabytes, operating systems binary ones:
 * both, so the paper matches whichever the reader holds. */
static void bytes(long long v, char *out, size_t len)
{
	char num[40];
	grouped(v, num, sizeof(num));
	double d = (double)v;
	if (v >= 1000000000LL)
		snprintf(out, len, "%s bytes (%.1f GB / %.1f GiB)", num, d / 1e9, d / 1073741824.0);
	else
		snprintf(out, len, "%s bytes (%.1f MB / %.1f MiB)", num, d / 1e6, d / 1048576.0);
}

/* "JST (UTC)" for one instant of the document. */
void wp_when(const char *utc, char *out, size_t len)
{
	char jst[64];
	wp_jst(utc, jst, sizeof(jst));
	if (jst[0])
		snprintf(out, len, "%s, %s", jst, utc);
	else
		snprintf(out, len, "%s", utc);
}

/* Japanese first, the signed English beside it, or the English alone. */
static void bilingual(const char *ja, const char *en, char *out, size_t len)
{
	if (ja && en[0])
		snprintf(out, len, "%s / %s", ja, en);
	else
		snprintf(out, len, "%s", en);
}

static void combined(const json_t *doc, const struct row *r, char *out, size_t len)
{
	const char *p = r->path;
	char a[96], b[96], c[96];
	switch (r->fmt) {
	case METHOD: {
		const char *m = sub(doc, p, "method"), *ja = wp_ja_method(m);
		const char *desc = sub(doc, p, "method_description");
		snprintf(out, len, "%s%s%s%s%s", ja ? ja : "", ja ? " / " : "", m,
			 desc[0] ? " — " : "", desc);
		return;
	}
	case TOOL:
		/* the executable's hash in full: an auditor compares it with
		 * `sha256sum /usr/sbin/wipeproof`, and a prefix proves nothing */
		if (sub(doc, p, "tool_sha256")[0])
			snprintf(out, len, "%s %s, commit %s\nSHA-256 %s", sub(doc, p, "tool"),
				 sub(doc, p, "tool_version"), sub(doc, p, "tool_commit"),
				 sub(doc, p, "tool_sha256"));
		else
			snprintf(out, len, "%s %s", sub(doc, p, "tool"), sub(doc, p, "tool_version"));
		return;
	case SPAN:
		/* within the same minute of Japan time (most wipes of a stick,
		 * every destruction) the Japanese time is said once */
		wp_jst(sub(doc, p, "started_utc"), a, sizeof(a));
		wp_jst(sub(doc, p, "ended_utc"), b, sizeof(b));
		if (strcmp(a, b) == 0 && a[0])
			snprintf(out, len, "%s, %s – %s", a, sub(doc, p, "started_utc"),
				 sub(doc, p, "ended_utc"));
		else {
			wp_when(sub(doc, p, "started_utc"), a, sizeof(a));
			wp_when(sub(doc, p, "ended_utc"), b, sizeof(b));
			snprintf(out, len, "%s –\n%s", a, b);
		}
		return;
	case AMOUNT:
		if (subint(doc, p, "bytes_written") < 0)
			return;
		bytes(subint(doc, p, "bytes_written"), a, sizeof(a));
		grouped(subint(doc, p, "throughput_bytes_per_s"), b, sizeof(b));
		grouped(subint(doc, p, "duration_s"), c, sizeof(c));
		snprintf(out, len, "%s, %lld回 pass(es), %s 秒 s, %s bytes/s", a,
			 subint(doc, p, "passes"), c, b);
		return;
	case CHECKED:
		if (subint(doc, p, "bytes_checked") < 0)
			return;
		bytes(subint(doc, p, "bytes_checked"), a, sizeof(a));
		snprintf(out, len, "%s%% を読み戻し、不一致 %lld ブロック / %s%% of the device "
			 "(%s) read back, %lld mismatched block(s)", sub(doc, p, "coverage_percent"),
			 subint(doc, p, "mismatched_blocks"), sub(doc, p, "coverage_percent"), a,
			 subint(doc, p, "mismatched_blocks"));
		return;
	case LEASE:
		if (sub(doc, p, "lease_contract")[0])
			snprintf(out, len, "%s%s%s", sub(doc, p, "lease_contract"),
				 sub(doc, p, "lease_end")[0] ? "、満了 until " : "",
				 sub(doc, p, "lease_end"));
		return;
	case COMPUTER:
		if (sub(doc, p, "serial")[0])
			snprintf(out, len, "%s%s%s%sS/N %s", sub(doc, p, "manufacturer"),
				 sub(doc, p, "manufacturer")[0] ? " " : "", sub(doc, p, "model"),
				 sub(doc, p, "model")[0] ? ", " : "", sub(doc, p, "serial"));
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
	const char *s = wp_certdoc_str(doc, r->path);
	out[0] = '\0';
	switch (r->fmt) {
	case BYTES:
		if (v >= 0)
			bytes(v, out, len);
		return;
	case UTC:
		if (s[0])
			wp_when(s, out, len);
		return;
	case CATEGORY:
		bilingual(wp_ja_category(s), s, out, len);
		return;
	case SENTENCE:
		bilingual(wp_ja_sentence(s), s, out, len);
		return;
	case DESTINATION: {
		/* NIST's pre- and post-sanitization confidentiality beside where
		 * the medium goes: one line, where a row of their own would push
		 * the seals off the page (issue 17) */
		char dest[512];
		bilingual(wp_ja_sentence(s), s, dest, sizeof(dest));
		if (wp_certdoc_str(doc, "confidentiality.pre")[0])
			snprintf(out, len, "%s;  機密区分 消去前 Pre: %s → 消去後 Post: %s", dest,
				 wp_certdoc_str(doc, "confidentiality.pre"),
				 wp_certdoc_str(doc, "confidentiality.post"));
		else
			snprintf(out, len, "%s", dest);
		return;
	}
	case TEXT:
	case MONO:
		snprintf(out, len, "%s", s);
		return;
	default:
		combined(doc, r, out, len);
	}
}

static bool is_mono(enum fmt f)
{
	return f == MONO || f == LEDGER;
}

void wp_new_page(struct wp_page *p)
{
	wp_footer(p);
	cairo_show_page(p->cr);
	p->pages++;
	p->y = MARGIN;
}

static void rule(struct wp_page *p, double y, double grey)
{
	cairo_set_source_rgb(p->cr, grey, grey, grey);
	cairo_set_line_width(p->cr, 0.6);
	cairo_move_to(p->cr, MARGIN, y);
	cairo_line_to(p->cr, PAGE_W - MARGIN, y);
	cairo_stroke(p->cr);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

static void heading(struct wp_page *p, const char *text)
{
	double h = wp_text(p, FONT_HEAD, MARGIN, 0, PAGE_W - 2 * MARGIN, text, false);
	if (p->y + h + 20 > WP_BOTTOM)
		wp_new_page(p);
	p->y += 2;
	wp_text(p, FONT_HEAD, MARGIN, p->y, PAGE_W - 2 * MARGIN, text, true);
	p->y += h + 0.5;
	rule(p, p->y, 0.35);
	p->y += 1.5;
}

/* A label and its value at x, in width w; the height it takes. */
static double cell(struct wp_page *p, double x, double w, double label_w, const char *label,
		   const char *value, bool mono, bool draw)
{
	const char *font = mono ? FONT_MONO : FONT;
	double h = wp_text(p, font, x + label_w, p->y, w - label_w, value, draw && value[0]);
	if (draw)
		cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
	double lh = wp_text(p, FONT_LABEL, x, p->y + 0.4, label_w - 4, label, draw);
	if (draw)
		cairo_set_source_rgb(p->cr, 0, 0, 0);
	return lh > h ? lh : h;
}

static void row_in(struct wp_page *p, double w, double label_w, const char *label,
		   const char *value, bool mono)
{
	double h = cell(p, MARGIN, w, label_w, label, value, mono, false);
	if (p->y + h > WP_BOTTOM)
		wp_new_page(p);
	cell(p, MARGIN, w, label_w, label, value, mono, true);
	p->y += h + ROW_GAP;
}

static void row(struct wp_page *p, const char *label, const char *value, bool mono)
{
	row_in(p, PAGE_W - 2 * MARGIN, LABEL_W, label, value, mono);
}

/* Two short facts side by side. */
static void pair(struct wp_page *p, const struct row *a, const char *va, const struct row *b,
		 const char *vb)
{
	double half = (PAGE_W - 2 * MARGIN - COL_GAP) / 2, x2 = MARGIN + half + COL_GAP;
	double ha = cell(p, MARGIN, half, HALF_LABEL_W, a->label, va, is_mono(a->fmt), false);
	double hb = b ? cell(p, x2, half, HALF_LABEL_W, b->label, vb, is_mono(b->fmt), false) : 0;
	double h = ha > hb ? ha : hb;
	if (p->y + h > WP_BOTTOM)
		wp_new_page(p);
	cell(p, MARGIN, half, HALF_LABEL_W, a->label, va, is_mono(a->fmt), true);
	if (b)
		cell(p, x2, half, HALF_LABEL_W, b->label, vb, is_mono(b->fmt), true);
	p->y += h + ROW_GAP;
}

static void draw_rows_in(struct wp_page *p, const json_t *doc, const struct row *rows, size_t n,
			 double w, double label_w)
{
	char value[4096];
	for (size_t i = 0; i < n; i++) {
		format_value(doc, &rows[i], value, sizeof(value));
		wp_utf8_trim(value);
		if (value[0])
			row_in(p, w, label_w, rows[i].label, value, is_mono(rows[i].fmt));
	}
}

static void draw_rows(struct wp_page *p, const json_t *doc, const struct row *rows, size_t n)
{
	draw_rows_in(p, doc, rows, n, PAGE_W - 2 * MARGIN, LABEL_W);
}

/* Seal boxes (押印欄) for the people who did, checked and approved the
 * work: Japanese offices file a certificate with their seals on it. They
 * stand at the right of the records, whose values are short hashes. */
#define SEAL 40.0
#define SEAL_GAP 9.0
#define SEAL_LABEL 13.0
#define SEALS_W (3 * SEAL + 2 * SEAL_GAP)
#define SEALS_H (SEAL_LABEL + SEAL + 10.0)

static void seals(struct wp_page *p, double y)
{
	static const char *const boxes[] = { "実施者\nOperator", "確認者\nVerifier",
					     "承認者\nApprover" };
	double x = PAGE_W - MARGIN - SEALS_W;
	cairo_set_line_width(p->cr, 0.6);
	for (int i = 0; i < 3; i++) {
		double bx = x + i * (SEAL + SEAL_GAP);
		wp_text(p, WP_RENDER_FONT " 5", bx, y, SEAL + SEAL_GAP, boxes[i], true);
		cairo_rectangle(p->cr, bx, y + SEAL_LABEL, SEAL, SEAL);
		cairo_stroke(p->cr);
	}
	cairo_set_source_rgb(p->cr, 0.3, 0.3, 0.3);
	wp_text(p, WP_RENDER_FONT " 5", x, y + SEAL_LABEL + SEAL + 1, SEALS_W,
		"押印欄: 書面で保管するとき押印 / seals, when filed on paper", true);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
}

/* The media source is the owner when there is one (certs/README.md):
 * said once, under Owner. */
static bool said_elsewhere(const json_t *doc, const struct row *r)
{
	return strcmp(r->path, "media.media_source") == 0 &&
	       strcmp(wp_certdoc_str(doc, r->path), wp_certdoc_str(doc, "asset.owner")) == 0;
}

static void draw_pairs(struct wp_page *p, const json_t *doc, const struct row *rows, size_t n)
{
	char va[1024], vb[1024];
	const struct row *held = NULL;
	for (size_t i = 0; i < n; i++) {
		char *v = held ? vb : va;
		format_value(doc, &rows[i], v, sizeof(va));
		wp_utf8_trim(v);
		if (!v[0] || said_elsewhere(doc, &rows[i]))
			continue;
		if (!held) {
			held = &rows[i];
			continue;
		}
		pair(p, held, va, &rows[i], vb);
		held = NULL;
	}
	if (held)
		pair(p, held, va, NULL, "");
}

/* The people, a table: what they did, who, and when the work was done;
 * one person who did several things is one row (the operator who wiped
 * also read the disk back, asked for it and issued the certificate, whose
 * date stands in the header). Where they were is said once under the
 * table when everyone was at the same place, else in each row. */
struct person_row {
	const char *label, *path, *date_path;
};

static const struct person_row people[] = {
	{ "消去実施者  Sanitized by", "sanitized_by", "sanitized_by.date" },
	{ "検証確認者  Verified by", "verified_by", "verified_by.date" },
	{ "申請者  Requester", "requester", NULL },
	{ "承認者  Approver", "approver", "approver.date" },
	{ "発行者  Issued by", "issued_by", NULL },
};

#define NPEOPLE (sizeof(people) / sizeof(people[0]))
#define PEOPLE_DATE_W 112.0

static bool same_person(const json_t *doc, const struct person_row *a, const struct person_row *b)
{
	return strcmp(sub(doc, a->path, "fingerprint"), sub(doc, b->path, "fingerprint")) == 0 &&
	       strcmp(sub(doc, a->path, "name"), sub(doc, b->path, "name")) == 0 &&
	       strcmp(sub(doc, a->path, "title"), sub(doc, b->path, "title")) == 0;
}

static void where_of(const json_t *doc, const char *path, char *out, size_t len)
{
	const char *loc = sub(doc, path, "location"), *contact = sub(doc, path, "contact");
	snprintf(out, len, "%s%s%s", loc, loc[0] && contact[0] ? "; " : "", contact);
}

/* Everyone who has a place was at the same one: its text, else "". */
static void common_place(const json_t *doc, char *out, size_t len)
{
	char where[512];
	out[0] = '\0';
	for (size_t i = 0; i < NPEOPLE; i++) {
		where_of(doc, people[i].path, where, sizeof(where));
		if (!where[0])
			continue;
		if (out[0] && strcmp(out, where) != 0) {
			out[0] = '\0';
			return;
		}
		snprintf(out, len, "%s", where);
	}
}

static void person(struct wp_page *p, const json_t *doc, const char *label, size_t i,
		   const char *date, bool place_in_row)
{
	char who[1024], when[160], where[512];
	double name_w = PAGE_W - 2 * MARGIN - LABEL_W - PEOPLE_DATE_W - 6;
	const char *title = sub(doc, people[i].path, "title");
	where_of(doc, people[i].path, where, sizeof(where));
	snprintf(who, sizeof(who), "%s%s%s%s%s%s", sub(doc, people[i].path, "name"),
		 title[0] ? " (" : "", title, title[0] ? ")" : "",
		 place_in_row && where[0] ? "\n" : "", place_in_row ? where : "");
	wp_utf8_trim(who);
	when[0] = '\0';
	if (date && date[0]) {
		char jst[64];
		wp_jst(date, jst, sizeof(jst));
		snprintf(when, sizeof(when), "%s\n%s", jst, date);
	}
	double h = cell(p, MARGIN, LABEL_W + name_w, LABEL_W, label, who, false, false);
	double hd = wp_text(p, FONT, MARGIN + LABEL_W + name_w + 6, p->y, PEOPLE_DATE_W, when, false);
	if (hd > h)
		h = hd;
	if (p->y + h > WP_BOTTOM)
		wp_new_page(p);
	cell(p, MARGIN, LABEL_W + name_w, LABEL_W, label, who, false, true);
	wp_text(p, FONT, MARGIN + LABEL_W + name_w + 6, p->y, PEOPLE_DATE_W, when, true);
	p->y += h + ROW_GAP;
}

static void draw_people(struct wp_page *p, const json_t *doc)
{
	char place[512], label[512];
	bool done[NPEOPLE] = { false };
	common_place(doc, place, sizeof(place));
	for (size_t i = 0; i < NPEOPLE; i++) {
		if (done[i] || !sub(doc, people[i].path, "name")[0])
			continue;
		const char *date = people[i].date_path ? wp_certdoc_str(doc, people[i].date_path) : "";
		size_t used = (size_t)snprintf(label, sizeof(label), "%s", people[i].label);
		for (size_t k = i + 1; k < NPEOPLE; k++) {
			const char *kdate = people[k].date_path
						    ? wp_certdoc_str(doc, people[k].date_path) : "";
			/* one row only when it says no other date */
			if (done[k] || !sub(doc, people[k].path, "name")[0] ||
			    !same_person(doc, &people[i], &people[k]) ||
			    (kdate[0] && strcmp(kdate, date) != 0))
				continue;
			done[k] = true;
			if (used < sizeof(label))
				used += (size_t)snprintf(label + used, sizeof(label) - used, "\n%s",
							 people[k].label);
		}
		person(p, doc, label, i, date, !place[0]);
	}
	if (place[0])
		row(p, "場所・連絡先  Where, contact", place, false);
}

void wp_draw_fields(struct wp_page *p, const json_t *doc)
{
	heading(p, "媒体  Media");
	draw_pairs(p, doc, media_rows, sizeof(media_rows) / sizeof(media_rows[0]));
	draw_rows(p, doc, computer_rows, 1);
	heading(p, "消去  Sanitization");
	draw_rows(p, doc, sanitization_rows, sizeof(sanitization_rows) / sizeof(sanitization_rows[0]));
	heading(p, "検証  Verification");
	draw_rows(p, doc, verification_rows, sizeof(verification_rows) / sizeof(verification_rows[0]));
	heading(p, "実施者・確認者・承認者  People");
	draw_people(p, doc);
	/* the records and the seal boxes side by side, on one page, with
	 * their heading */
	double w = PAGE_W - 2 * MARGIN - SEALS_W - 8, label_w = 92;
	double h = 0, before;
	char value[4096];
	for (size_t i = 0; i < sizeof(record_rows) / sizeof(record_rows[0]); i++) {
		format_value(doc, &record_rows[i], value, sizeof(value));
		wp_utf8_trim(value);
		if (!value[0])
			continue; /* not drawn (draw_rows_in), so it takes no room */
		h += cell(p, MARGIN, w, label_w, record_rows[i].label, value, true, false) + ROW_GAP;
	}
	if (p->y + 16 + (h > SEALS_H ? h : SEALS_H) > WP_BOTTOM)
		wp_new_page(p);
	heading(p, "記録と押印  Records and seals");
	before = p->y;
	seals(p, before);
	draw_rows_in(p, doc, record_rows, sizeof(record_rows) / sizeof(record_rows[0]), w, label_w);
	if (p->y < before + SEALS_H)
		p->y = before + SEALS_H;
}
