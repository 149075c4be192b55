/* Parsing of `plan` and of the firmware options of `wipe`. */
#include "cli.h"

#include "check_main.h"
#include "cmdline_parse.h"
#include <string.h>

START_TEST(plan_forms)
{
	ck_assert_int_eq(parse("wipeproof plan /dev/sdx"), 0);
	ck_assert_int_eq(cl.cmd, WP_CMD_PLAN);
	ck_assert_int_eq(cl.level, WP_LEVEL_BEST);
	ck_assert_ptr_null(cl.method);
	ck_assert_int_eq(parse("wipeproof plan /dev/sdx --level purge --json"), 0);
	ck_assert_int_eq(cl.level, WP_LEVEL_PURGE);
	ck_assert(cl.json);
	ck_assert_int_eq(parse("wipeproof plan /dev/nvme0n1 --method nvme-format-crypto"), 0);
	ck_assert_str_eq(cl.method, "nvme-format-crypto");
	ck_assert_int_eq(parse("wipeproof plan --help"), 0);
	ck_assert_str_eq(cl.help_topic, "plan");
}
END_TEST

START_TEST(plan_refusals)
{
	expect_error("wipeproof plan", "needs a device");
	expect_error("wipeproof plan /dev/sdx /dev/sdy", "takes one device");
	expect_error("wipeproof plan /dev/sdx --level destroy", "clear or purge");
	expect_error("wipeproof plan /dev/sdx --remove-hpa", "does not apply to 'plan'");
	expect_error("wipeproof plan /dev/sdx --confirm-serial X", "does not apply");
	expect_error("wipeproof list --level purge", "does not apply to 'list'");
}
END_TEST

START_TEST(wipe_firmware_options)
{
	ck_assert_int_eq(parse("wipeproof wipe /dev/sdx --method ata-sanitize-crypto "
			       "--level purge --remove-hpa --confirm-serial S"), 0);
	ck_assert_str_eq(cl.method, "ata-sanitize-crypto");
	ck_assert_int_eq(cl.level, WP_LEVEL_PURGE);
	ck_assert(cl.remove_hpa);
	expect_error("wipeproof wipe /dev/sdx --method format", "firmware method: ata-secure-erase");
	ck_assert_ptr_nonnull(strstr(err, "secure-discard")); /* the whole list fits */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plan_args");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, plan_forms);
	tcase_add_test(tc, plan_refusals);
	tcase_add_test(tc, wipe_firmware_options);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
