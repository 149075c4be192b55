/* Command-line parsing: what is accepted, and what each refusal says. */
#include "cli.h"

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

static char err[512];
static struct wp_cmdline cl;

static int parse(const char *line)
{
	static char buf[1024];
	char *argv[32];
	int argc = 0;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *tok = strtok(buf, " "); tok && argc < 31; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	err[0] = '\0';
	return wp_cmdline_parse(argc, argv, &cl, err, sizeof(err));
}

static void expect_error(const char *line, const char *needle)
{
	ck_assert_msg(parse(line) == -1, "'%s' was accepted", line);
	ck_assert_msg(strstr(err, needle) != NULL, "'%s': error '%s' lacks '%s'", line, err, needle);
}

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
	ck_assert_str_eq(cl.confirm_serial, "ABC123");
	ck_assert_str_eq(cl.report_path, "/tmp/j.json");
	ck_assert(cl.json);
	ck_assert_uint_eq(cl.chunk_bytes, 8u << 20);
	ck_assert(!cl.force_holders);
}
END_TEST

START_TEST(wipe_defaults)
{
	ck_assert_int_eq(parse("wipeproof wipe /dev/sdx"), 0);
	ck_assert_ptr_null(cl.method);
	ck_assert_int_eq(cl.verify_mode, WP_VERIFY_FULL);
	ck_assert_ptr_null(cl.confirm_serial);
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
	expect_error("wipeproof wipe /dev/a /dev/b", "one device");
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
	ck_assert_str_eq(cl.report_path, "r.json");
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
	tcase_add_test(tc, wipe_defaults);
	tcase_add_test(tc, refusals_name_the_problem);
	tcase_add_test(tc, other_commands);
	tcase_add_test(tc, exit_codes_for_results);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
