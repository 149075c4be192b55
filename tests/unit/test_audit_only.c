/*
 * The auditor's check links without render/ and without cli/: this test
 * links wp_station_audit alone (tests/CMakeLists.txt), so a renderer or a
 * signing call creeping into station/audit.c fails the build here. The
 * verdicts themselves are test_certify's.
 */
#include "station.h"

#include "check_main.h"
#include <string.h>

START_TEST(audit_without_renderer_or_keys)
{
	static struct wp_audit_verdict v;
	struct wp_audit_request bad = { .path = "/nonexistent/cert.json" };
	ck_assert_int_eq(wp_audit(&bad, &v), WP_AUDIT_BAD_REQUEST); /* no CA given */
	struct wp_audit_request missing = { .path = "/nonexistent/cert.json",
					    .ca_path = "/nonexistent/ca.pem" };
	ck_assert_int_eq(wp_audit(&missing, &v), WP_AUDIT_ERROR);
	ck_assert_ptr_nonnull(strstr(v.error, "cannot read /nonexistent/cert.json"));
	ck_assert_ptr_null(v.doc);
	ck_assert_str_eq(wp_audit_kind_name(WP_AUDIT_LEDGER), "ledger");
	wp_audit_verdict_clear(&v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit-only");
	TCase *tc = tcase_create("link");
	tcase_add_test(tc, audit_without_renderer_or_keys);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
