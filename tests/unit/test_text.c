/* text/: the one spelling of a moment (utc.c). The expected strings come
 * from GNU date, not from this code:
 *   date -u -d @T +%Y-%m-%dT%H:%M:%SZ
 * run once for each T below and pasted here. */
#include "wptext.h"

#include "check_main.h"
#include <string.h>

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

int main(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("utc");
	tcase_add_test(tc, format_matches_date);
	tcase_add_test(tc, unrepresentable_is_empty);
	tcase_add_test(tc, parse_refuses_other_spellings);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
