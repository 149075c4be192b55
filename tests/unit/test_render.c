/* The PDF renderer: a PDF comes out, a long document continues on a second
 * page instead of running off the first, and an incomplete document or an
 * unwritable path is refused with a message. */
#include "certs.h"
#include "render.h"

#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHA "3a129cc42709c4a2d98fd20ca4cb0d239129abf09831d1e6749fddbe2f74ee4f"
#define QR "WPC1|0b8e5f0e-3a43-4c1b-9d2e-3c0f4a1b2c3d|S|M|random|Clear|destroyed|2026-11-01|" \
	SHA "|IwLbTqhzSZEVkNvltPvzu3uIoZATMt2_V4iCDZjdBkM|MEYC"

static char err[1024];

/* The smallest complete certificate: a destruction. */
static json_t *destroyed_doc(void)
{
	json_t *who = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", "佐藤 花子", "title",
				"総務課", "role", "witness", "date", "2026-11-01T09:00:00Z",
				"location", "本社", "contact", "内線 1234", "fingerprint", "ab");
	return json_pack(
		"{s:s, s:i, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s}, "
		"s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}, "
		"s:{s:s, s:s}, s:{s:I, s:s}, s:O, s:o}",
		"format", WP_CERT_FORMAT, "format_version", 1,
		"certificate_id", "0b8e5f0e-3a43-4c1b-9d2e-3c0f4a1b2c3d",
		"issued_utc", "2026-11-01T09:05:00Z", "result", "destroyed", "destination", "dispose",
		"issued_by", "name", "鈴木 一郎", "title", "係員", "role", "operator", "fingerprint", "ab",
		"asset", "tag", "PC-9",
		"media", "manufacturer", "unknown", "model", "HDD 9", "serial", "SN-9",
		"property_number", "PC-9", "media_type", "unknown", "media_source", "総務部",
		"sanitization", "category", "Destroy", "description", "Destroy", "method", "shred",
		"method_details", "shredded", "tool", "wipeproof", "tool_version", "0.1.0",
		"started_utc", "2026-11-01T09:00:00Z", "ended_utc", "2026-11-01T09:00:00Z",
		"verification", "method", "witnessed", "mode", "witnessed",
		"ledger", "seq", (json_int_t)5, "head_hash", "00",
		"sanitized_by", who, "verified_by", who);
}

static int pages(const char *path)
{
	/* Cairo writes one "/Type /Page" object per page (and "/Type /Pages" once) */
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	static char buf[1 << 22];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	int count = 0;
	for (char *p = buf; (p = memmem(p, n - (size_t)(p - buf), "/Type /Page", 11)); p += 11)
		count += p[11] != 's';
	ck_assert(n > 4 && memcmp(buf, "%PDF", 4) == 0);
	return count;
}

START_TEST(renders_and_overflows)
{
	char path[] = "/tmp/wp-test-render-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	json_t *doc = destroyed_doc();
	ck_assert_msg(wp_render_pdf(doc, SHA, QR, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(pages(path), 1);

	/* three values of far more than a page each: cut to 20 lines each,
	 * they still need a second page */
	char *lots = calloc(1, 40000);
	while (strlen(lots) < 39000)
		strcat(lots, "消去の記録 record of erasure ");
	json_t *san = json_object_get(doc, "sanitization");
	json_object_set_new(san, "note", json_string(lots));
	json_object_set_new(san, "method_details", json_string(lots));
	json_object_set_new(san, "description", json_string(lots));
	free(lots);
	ck_assert_msg(wp_render_pdf(doc, SHA, QR, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_ge(pages(path), 2);
	unlink(path);
	json_decref(doc);
}
END_TEST

START_TEST(refuses)
{
	json_t *doc = destroyed_doc();
	ck_assert_int_eq(wp_render_pdf(doc, SHA, QR, "/nonexistent-dir/x.pdf", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/x.pdf.tmp"));
	json_object_del(doc, "media");
	ck_assert_int_eq(wp_render_pdf(doc, SHA, QR, "/tmp/never.pdf", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "incomplete"));
	ck_assert_int_ne(access("/tmp/never.pdf", F_OK), 0);
	json_decref(doc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("render");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, renders_and_overflows);
	tcase_add_test(tc, refuses);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
