/* text/: the one spelling of a moment (utc.c). The expected strings come
 * from GNU date, not from this code:
 *   date -u -d @T +%Y-%m-%dT%H:%M:%SZ
 * run once for each T below and pasted here. */
#include "wptext.h"

#include "check_main.h"
#include "fixtures.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	long long t;
	const char *text;
} oracle[] = {
	{ 0, "1970-01-01T00:00:00Z" },
	{ -1, "1969-12-31T23:59:59Z" },
	{ 951782400, "2000-02-29T00:00:00Z" },
	{ 1234567890, "2009-02-13T23:31:30Z" },
	{ 1795338000, "2026-11-22T09:00:00Z" },
	{ 2147483647, "2038-01-19T03:14:07Z" },
	{ 2147483648LL, "2038-01-19T03:14:08Z" },
	{ 4107542399LL, "2100-02-28T23:59:59Z" },
	{ 253402300799LL, "9999-12-31T23:59:59Z" },
};

START_TEST(format_matches_date)
{
	for (size_t i = 0; i < sizeof(oracle) / sizeof(oracle[0]); i++) {
		char buf[WP_UTC_MAX];
		ck_assert_int_eq(wp_utc_format((time_t)oracle[i].t, buf, sizeof(buf)), 0);
		ck_assert_str_eq(buf, oracle[i].text);
		time_t back = 1;
		ck_assert_int_eq(wp_utc_parse(oracle[i].text, &back), 0);
		ck_assert_int_eq((long long)back, oracle[i].t);
	}
}
END_TEST

/* One answer to a moment with no such spelling, and to a short buffer:
 * "" and -1, never the epoch or a truncated date. */
START_TEST(unrepresentable_is_empty)
{
	char buf[WP_UTC_MAX] = "x";
	ck_assert_int_eq(wp_utc_format((time_t)253402300800LL, buf, sizeof(buf)), -1);
	ck_assert_str_eq(buf, "");
	strcpy(buf, "x");
	ck_assert_int_eq(wp_utc_format((time_t)-62167219201LL, buf, sizeof(buf)), -1);
	ck_assert_str_eq(buf, "");
	char small[WP_UTC_LEN];
	ck_assert_int_eq(wp_utc_format(0, small, sizeof(small)), -1);
	ck_assert_str_eq(small, "");
}
END_TEST

START_TEST(parse_refuses_other_spellings)
{
	time_t t;
	ck_assert_int_eq(wp_utc_parse("2026-11-22 09:00:00Z", &t), -1);
	ck_assert_int_eq(wp_utc_parse("2026-11-22T09:00:00", &t), -1);
	ck_assert_int_eq(wp_utc_parse("2026-11-22T09:00:00Z ", &t), -1);
	ck_assert_int_eq(wp_utc_parse("2026-11-22", &t), -1);
	ck_assert_int_eq(wp_utc_parse("", &t), -1);
}
END_TEST

/* the one small-file reader: limits, kinds of file, a key's mode */
START_TEST(read_file_limits)
{
	char dir[64], path[80], link[96], err[512], *buf = NULL;
	size_t len = 0;
	wp_fx_tmpdir(dir, sizeof(dir), "text");
	snprintf(path, sizeof(path), "%s/f", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 1024; i++)
		fputc('a', f);
	fclose(f);
	ck_assert_int_eq(wp_read_file(path, 1024, 0, &buf, &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, 1024);
	ck_assert_uint_eq(strlen(buf), 1024);
	free(buf);
	ck_assert_int_eq(wp_read_file(path, 1023, 0, &buf, &len, err, sizeof(err)), -1);
	ck_assert_ptr_null(buf);
	ck_assert_msg(strstr(err, "too large") && strstr(err, path), "%s", err);
	ck_assert_int_eq(wp_read_file(dir, 1024, 0, &buf, &len, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
	snprintf(link, sizeof(link), "%s/l", dir);
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(wp_read_file(link, 4096, 0, &buf, &len, err, sizeof(err)), 0);
	free(buf);
	ck_assert_int_eq(wp_read_file(link, 4096, WP_READ_NOFOLLOW, &buf, &len, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "symbolic link"), "%s", err);
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(wp_read_file(path, 4096, WP_READ_PRIVATE, &buf, &len, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "chmod 600"), "%s", err);
	unlink(path);
	ck_assert_int_eq(wp_read_file(path, 4096, WP_READ_MISSING_OK, &buf, &len, err, sizeof(err)), 1);
	ck_assert_int_eq(wp_read_file(path, 4096, 0, &buf, &len, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "cannot read"), "%s", err);
	ck_assert_int_eq(wp_fx_rmtree(dir), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("utc");
	tcase_add_test(tc, format_matches_date);
	tcase_add_test(tc, unrepresentable_is_empty);
	tcase_add_test(tc, parse_refuses_other_spellings);
	tcase_add_test(tc, read_file_limits);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
