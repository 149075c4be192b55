/* Command-line parsing: what is accepted, and what each refusal says. */
#include "cli.h"
#include "custody_cli.h"

#include "options.h"
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
	expect_error("wipeproof wipe /dev/sdx --method shred", "zero, ones, random, random-zero, zero-ones, dod3");
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

/* ---- bad input: a table, then random bytes against an outside oracle -- */

static const char *const bad_values[] = {
	"\xff\xfe", "\xc3", "ab\xe2\x82", "a\x01b", "a\x1b[31m", "two\nlines", "tab\there",
	"\xed\xa0\x80" /* surrogate */, "\xc0\xaf" /* overlong '/' */, "\xc2\x85" /* C1 */,
	"\x7f", "\xf4\x90\x80\x80" /* above U+10FFFF */,
};

static int parse_wipe_with(const char *opt, const char *value)
{
	bool asset = strcmp(opt, "--asset") == 0;
	char *argv[] = { "wipeproof", "wipe", "/dev/sdx", "--confirm-serial", "S", "--as", "P",
			 asset ? "--report" : "--asset", asset ? "r.json" : "A", (char *)opt,
			 (char *)value, NULL };
	return wp_cmdline_parse(11, argv, &cl, err, sizeof(err));
}

static int parse_custody_with(const char *sub, const char *opt, const char *value)
{
	struct wp_kopts o;
	char *argv[] = { (char *)sub, "--asset", "A1", (char *)opt, (char *)value, NULL };
	err[0] = '\0';
	return wp_kopts_parse(strcmp(sub, "issue") == 0 ? "keys" : "custody", 5, argv, &o, err,
			      sizeof(err));
}

START_TEST(bad_text_table)
{
	static char longer[5000];
	memset(longer, 'x', sizeof(longer) - 1);
	const char *wipe_opts[] = { "--asset", "--as", "--report", "--report-dir", "--ledger" };
	const struct { const char *sub, *opt; } custody_opts[] = {
		{ "intake", "--owner" }, { "intake", "--lease-contract" }, { "intake", "--location" },
		{ "intake", "--manager" }, { "intake", "--comment" }, { "intake", "--serial" },
		{ "intake", "--model" }, { "intake", "--reason" }, { "note", "--text" },
		{ "transfer", "--vendor" }, { "release", "--to" }, { "intake", "--as" },
		{ "destroy", "--witness" }, { "destroy", "--method" },
	};
	for (size_t v = 0; v <= sizeof(bad_values) / sizeof(bad_values[0]); v++) {
		const char *val = v < sizeof(bad_values) / sizeof(bad_values[0]) ? bad_values[v] : longer;
		for (size_t i = 0; i < sizeof(wipe_opts) / sizeof(wipe_opts[0]); i++) {
			ck_assert_msg(parse_wipe_with(wipe_opts[i], val) == -1, "wipe %s value %zu "
				      "accepted", wipe_opts[i], v);
			ck_assert_msg(strstr(err, wipe_opts[i]), "'%s' does not name %s", err,
				      wipe_opts[i]);
		}
		for (size_t i = 0; i < sizeof(custody_opts) / sizeof(custody_opts[0]); i++) {
			bool long_text = strcmp(custody_opts[i].opt, "--comment") == 0 ||
					 strcmp(custody_opts[i].opt, "--text") == 0;
			if (val == longer && long_text)
				continue; /* up to 64 KiB: below */
			ck_assert_msg(parse_custody_with(custody_opts[i].sub, custody_opts[i].opt, val)
				      == -1, "custody %s %s value %zu accepted", custody_opts[i].sub,
				      custody_opts[i].opt, v);
			ck_assert_msg(strstr(err, custody_opts[i].opt), "'%s' does not name %s", err,
				      custody_opts[i].opt);
		}
	}
	/* --text and --comment take up to 64 KiB: 5000 bytes are fine, 70000 not */
	ck_assert_int_eq(parse_custody_with("note", "--text", longer), 0);
	char *huge = malloc(70000);
	memset(huge, 'y', 69999);
	huge[69999] = '\0';
	ck_assert_int_eq(parse_custody_with("note", "--text", huge), -1);
	ck_assert_int_eq(parse_custody_with("intake", "--comment", huge), -1);
	free(huge);
	/* blank and space-padded tags */
	ck_assert_int_eq(parse_wipe_with("--as", "P"), 0);
	const char *tags[] = { "   ", "", " A", "A ", "\t" };
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		char *argv[] = { "wipeproof", "wipe", "/dev/sdx", "--as", "P", "--asset",
				 (char *)tags[i], NULL };
		ck_assert_msg(wp_cmdline_parse(7, argv, &cl, err, sizeof(err)) == -1,
			      "tag '%s' accepted", tags[i]);
		ck_assert_msg(parse_custody_with("intake", "--asset", tags[i]) == -1,
			      "custody tag '%s' accepted", tags[i]);
	}
	/* Japanese text is text */
	ck_assert_int_eq(parse_custody_with("intake", "--owner", "営業部 第二課"), 0);
	ck_assert_int_eq(parse_wipe_with("--asset", "資産-0001"), 0);
}
END_TEST

/* Valid per jansson (an implementation of its own) and no C0, DEL or C1
 * control character: what the parser must accept, and nothing else. */
static bool oracle_text(const char *s)
{
	json_t *j = json_string(s);
	bool ok = j != NULL;
	json_decref(j);
	for (const unsigned char *p = (const unsigned char *)s; ok && *p; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			ok = false;
	return ok;
}

START_TEST(random_bytes_against_oracle)
{
	unsigned seed = 15;
	char val[24];
	static const unsigned char alphabet[] = { 'a', ' ', 0x01, 0x0a, 0x7f, 0x80, 0x85, 0x9f,
		0xa0, 0xbf, 0xc0, 0xc2, 0xc3, 0xe2, 0xe3, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x82,
		0x90 };
	for (int round = 0; round < 20000; round++) {
		size_t n = 1 + (size_t)(rand_r(&seed) % (sizeof(val) - 2));
		for (size_t i = 0; i < n; i++)
			val[i] = (char)alphabet[rand_r(&seed) % sizeof(alphabet)];
		val[0] = 'v'; /* a value, not an option, and never blank */
		val[n] = '\0';
		bool want = oracle_text(val);
		ck_assert_msg((parse_custody_with("intake", "--owner", val) == 0) == want,
			      "round %d: --owner accepted=%d, oracle %d: %s", round, !want, want, err);
		bool tag_ok = want && val[n - 1] != ' ';
		ck_assert_msg((parse_wipe_with("--asset", val) == 0) == tag_ok,
			      "round %d: --asset accepted=%d, oracle %d: %s", round, !tag_ok, tag_ok, err);
	}
}
END_TEST

/* 64 MiB of buffers per disk (README, Speed): 67108864 written out here,
 * not taken from the header that the parser uses. */
START_TEST(chunk_times_depth_budget)
{
	const struct { const char *chunk, *depth; bool ok; } cases[] = {
		{ "4M", NULL, true }, { "16M", NULL, true }, { "16M", "4", true },
		{ "17M", NULL, false }, { "64M", NULL, false }, { "64M", "1", true },
		{ "65M", "1", false }, { "32M", "2", true }, { "32M", "3", false },
		{ "4M", "16", true }, { "8M", "16", false }, { "256M", "1", false },
		{ NULL, "16", true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[12] = { "wipeproof", "wipe", "/dev/sdx" };
		int argc = 3;
		if (cases[i].chunk) {
			argv[argc++] = "--chunk";
			argv[argc++] = (char *)cases[i].chunk;
		}
		if (cases[i].depth) {
			argv[argc++] = "--queue-depth";
			argv[argc++] = (char *)cases[i].depth;
		}
		int rc = wp_cmdline_parse(argc, argv, &cl, err, sizeof(err));
		ck_assert_msg((rc == 0) == cases[i].ok, "--chunk %s --queue-depth %s: rc %d (%s)",
			      cases[i].chunk, cases[i].depth, rc, err);
		if (!cases[i].ok)
			ck_assert_msg(strstr(err, "--chunk") && strstr(err, "64 MiB"), "%s", err);
		if (cases[i].ok && cases[i].chunk) {
			size_t depth = cases[i].depth ? (size_t)atoi(cases[i].depth) : 4;
			ck_assert_uint_le(cl.chunk_bytes * depth, 67108864u);
		}
	}
	/* verify reads with the same buffers */
	char *argv[] = { "wipeproof", "verify", "/dev/sdx", "--report", "r.json", "--chunk", "64M",
			 NULL };
	ck_assert_int_eq(wp_cmdline_parse(7, argv, &cl, err, sizeof(err)), -1);
}
END_TEST

START_TEST(no_report_option)
{
	ck_assert_int_eq(parse("wipeproof wipe /dev/sdx --no-report"), 0);
	ck_assert(cl.no_report);
	expect_error("wipeproof wipe /dev/sdx --no-report --report r.json", "--no-report");
	expect_error("wipeproof wipe /dev/sdx --no-report --report-dir /tmp", "--no-report");
	expect_error("wipeproof verify /dev/sdx --report r.json --no-report", "--no-report");
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

static int refuse_all(void *ctx, int opt, const char *arg, char *why, size_t len)
{
	(void)ctx, (void)opt, (void)arg;
	snprintf(why, len, "taken");
	return -1;
}

static int count_all(void *ctx, int opt, const char *arg, char *why, size_t len)
{
	(void)ctx, (void)opt, (void)arg, (void)why, (void)len;
	return 0;
}

/* The one option table (cli/options.c): consistent, and the same option
 * means the same in every command that takes it. */
START_TEST(one_option_table)
{
	char e[256];
	ck_assert_msg(wp_options_check(e, sizeof(e)) == 0, "%s", e);
	expect_error("wipeproof list --as X", "--as does not apply to 'list'");
	/* plan takes --ledger (the ledger's classes, issue 17), never --as */
	expect_error("wipeproof plan /dev/sdx --as X", "--as does not apply to 'plan'");
	char *fs[] = { (char *)"freespace", (char *)"--method", (char *)"zero", (char *)"/srv", NULL };
	ck_assert_int_eq(wp_options_parse("freespace", 4, fs, refuse_all, NULL, e, sizeof(e)), -1);
	ck_assert_msg(strstr(e, "--method does not apply to 'freespace'"), "%s", e);
	char *kp[] = { (char *)"list", (char *)"--ledger", (char *)"l", NULL };
	ck_assert_int_eq(wp_options_parse("keys list", 3, kp, refuse_all, NULL, e, sizeof(e)), -1);
	ck_assert_msg(strstr(e, "--ledger does not apply to 'keys list'; see 'wipeproof help keys list'"),
		      "%s", e);
	char *cn[] = { (char *)"note", (char *)"--as", (char *)"x", (char *)"--keys", (char *)"k",
		       (char *)"--ledger", (char *)"l", (char *)"--passphrase-file", (char *)"p", NULL };
	ck_assert_int_eq(wp_options_parse("custody note", 9, cn, count_all, e, e, sizeof(e)), 9);
	char *rs[] = { (char *)"resume", (char *)"--as", NULL };
	ck_assert_int_eq(wp_options_parse("resume", 2, rs, count_all, e, e, sizeof(e)), -1);
	ck_assert_msg(strstr(e, "option --as needs a value"), "%s", e);
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
	tcase_add_test(tc, bad_text_table);
	tcase_add_test(tc, random_bytes_against_oracle);
	tcase_add_test(tc, chunk_times_depth_budget);
	tcase_add_test(tc, no_report_option);
	tcase_add_test(tc, one_option_table);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
