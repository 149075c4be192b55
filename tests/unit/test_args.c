/* Command-line parsing: what is accepted, and what each refusal says. */
#include "cli.h"

#include "check_main.h"
#include "cmdline_parse.h"
#include <stdlib.h>
#include <string.h>

START_TEST(wipe_full_form)
{
	ck_assert_int_eq(parse("wipeproof wipe /dev/sdx --method dod3 --verify sample "
			       "--confirm-serial ABC123 --report /tmp/j.json --json --chunk 8M"), 0);
	ck_assert_int_eq(cl.cmd, WP_CMD_WIPE);
	ck_assert_uint_eq(cl.n_devices, 1);
	ck_assert_str_eq(cl.devices[0], "/dev/sdx");
	ck_assert_str_eq(cl.method, "dod3");
	ck_assert_int_eq(cl.verify_mode, WP_VERIFY_SAMPLE);
	ck_assert(cl.verify_set);
	ck_assert_uint_eq(cl.n_confirm, 1);
	ck_assert_str_eq(cl.confirm_serials[0], "ABC123");
	ck_assert_uint_eq(cl.n_reports, 1);
	ck_assert_str_eq(cl.report_paths[0], "/tmp/j.json");
	ck_assert(cl.json);
	ck_assert_uint_eq(cl.chunk_bytes, 8u << 20);
	ck_assert(!cl.force_holders);
}
END_TEST

START_TEST(wipe_several_devices)
{
	ck_assert_int_eq(parse("wipeproof wipe /dev/a /dev/b /dev/c --confirm-serial A "
			       "--confirm-serial B --confirm-serial C --queue-depth 8 "
			       "--report-dir /tmp"), 0);
	ck_assert_uint_eq(cl.n_devices, 3);
	ck_assert_str_eq(cl.devices[2], "/dev/c");
	ck_assert_uint_eq(cl.n_confirm, 3);
	ck_assert_str_eq(cl.confirm_serials[0], "A");
	ck_assert_str_eq(cl.confirm_serials[2], "C");
	ck_assert_uint_eq(cl.queue_depth, 8);
	ck_assert_str_eq(cl.report_dir, "/tmp");
	ck_assert_int_eq(parse("wipeproof wipe /dev/a /dev/b --asset PC-1 --asset PC-2 "
			       "--as Yamada --ledger l.db --keys k"), 0);
	ck_assert_uint_eq(cl.n_assets, 2);
	ck_assert_str_eq(cl.assets[1], "PC-2");
	ck_assert_str_eq(cl.as_person, "Yamada");
	ck_assert_str_eq(cl.ledger_path, "l.db");
	ck_assert_str_eq(cl.keys_dir, "k");
}
END_TEST

START_TEST(wipe_defaults)
{
	ck_assert_int_eq(parse("wipeproof wipe /dev/sdx"), 0);
	ck_assert_ptr_null(cl.method);
	ck_assert_int_eq(cl.verify_mode, WP_VERIFY_FULL);
	ck_assert_uint_eq(cl.n_confirm, 0);
	ck_assert_uint_eq(cl.queue_depth, 0);
	ck_assert_uint_eq(cl.chunk_bytes, 0);
	/* options may come before the device too */
	ck_assert_int_eq(parse("wipeproof wipe --verify=off --force-holders /dev/sdy"), 0);
	ck_assert_str_eq(cl.devices[0], "/dev/sdy");
	ck_assert_int_eq(cl.verify_mode, WP_VERIFY_OFF);
	ck_assert(cl.force_holders);
}
END_TEST

START_TEST(refusals_name_the_problem)
{
	expect_error("wipeproof wipe /dev/sdx --method format", "unknown method 'format'");
	expect_error("wipeproof wipe /dev/sdx --method shred", "zero, ones, random, random-zero, dod3");
	expect_error("wipeproof wipe /dev/sdx --verify quick", "full, sample or off");
	expect_error("wipeproof wipe", "needs a device");
	expect_error("wipeproof verify /dev/a /dev/b --report r", "one device");
	expect_error("wipeproof wipe /dev/a /dev/b --confirm-serial A",
		     "--confirm-serial was given 1 time(s) for 2 device(s)");
	expect_error("wipeproof wipe /dev/a /dev/b --report x --report y --report z",
		     "--report was given 3 time(s) for 2 device(s)");
	expect_error("wipeproof wipe /dev/a --report x --report-dir d", "not both");
	expect_error("wipeproof wipe /dev/a --queue-depth 0", "--queue-depth '0'");
	expect_error("wipeproof wipe /dev/a --queue-depth 17", "from 1 to 16");
	expect_error("wipeproof verify /dev/a --report r --asset X", "--asset does not apply");
	expect_error("wipeproof wipe /dev/sdx --bogus", "unknown option '--bogus'");
	expect_error("wipeproof wipe /dev/sdx --method", "--method needs a value");
	expect_error("wipeproof wipe /dev/sdx --chunk 1000", "--chunk '1000'");
	expect_error("wipeproof frobnicate", "unknown command 'frobnicate'");
	expect_error("wipeproof verify /dev/sdx", "--report FILE");
	expect_error("wipeproof list /dev/sdx", "takes no device");
	expect_error("wipeproof list --method zero", "--method does not apply to 'list'");
	expect_error("wipeproof demo --size-mib 1", "--size-mib '1'");
}
END_TEST

START_TEST(other_commands)
{
	ck_assert_int_eq(parse("wipeproof list --json"), 0);
	ck_assert_int_eq(cl.cmd, WP_CMD_LIST);
	ck_assert(cl.json);
	ck_assert_int_eq(parse("wipeproof verify /dev/sdx --report r.json"), 0);
	ck_assert_int_eq(cl.cmd, WP_CMD_VERIFY);
	ck_assert_str_eq(cl.report_paths[0], "r.json");
	ck_assert(!cl.verify_set);
	ck_assert_int_eq(parse("wipeproof demo --size-mib 8"), 0);
	ck_assert_uint_eq(cl.demo_size_mib, 8);
	ck_assert_int_eq(parse("wipeproof demo"), 0);
	ck_assert_uint_eq(cl.demo_size_mib, WP_DEFAULT_DEMO_MIB);
	ck_assert_int_eq(parse("wipeproof --version"), 0);
	ck_assert_int_eq(cl.cmd, WP_CMD_VERSION);
	ck_assert_int_eq(parse("wipeproof"), 0);
	ck_assert_int_eq(cl.cmd, WP_CMD_HELP);
	ck_assert_int_eq(parse("wipeproof help wipe"), 0);
	ck_assert_str_eq(cl.help_topic, "wipe");
	ck_assert_int_eq(parse("wipeproof wipe --help"), 0);
	ck_assert_int_eq(cl.cmd, WP_CMD_HELP);
	ck_assert_str_eq(cl.help_topic, "wipe");
}
END_TEST

START_TEST(exit_codes_for_results)
{
	ck_assert_int_eq(wp_exit_for_result(WP_RESULT_SANITIZED), WP_EXIT_OK);
	ck_assert_int_eq(wp_exit_for_result(WP_RESULT_UNVERIFIED), WP_EXIT_OK);
	ck_assert_int_eq(wp_exit_for_result(WP_RESULT_FAILED), WP_EXIT_FAILED);
	ck_assert_int_eq(wp_exit_for_result(WP_RESULT_INTERRUPTED), WP_EXIT_INTERRUPTED);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("args");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, wipe_full_form);
	tcase_add_test(tc, wipe_several_devices);
	tcase_add_test(tc, wipe_defaults);
	tcase_add_test(tc, refusals_name_the_problem);
	tcase_add_test(tc, other_commands);
	tcase_add_test(tc, exit_codes_for_results);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
