/* Station policy and configuration files: what they accept, and that every
 * refusal names the file, the line and what is wrong. */
#include "cli.h"
#include "config.h"
#include "station.h"

#include "check_main.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct wp_station_policy pol;
static struct wp_config cfg;
static char err[1024];

static struct wp_device loop_dev(const char *backing)
{
	struct wp_device d;
	memset(&d, 0, sizeof(d));
	d.kind = WP_KIND_LOOP;
	d.transport = WP_TRANSPORT_LOOP;
	snprintf(d.backing_file, sizeof(d.backing_file), "%s", backing);
	return d;
}

START_TEST(policy_full_form)
{
	ck_assert_int_eq(wp_station_policy_parse("# usb station\n auto-wipe = yes \n"
						 "transports = usb, loop\nkinds = usb loop\n"
						 "method = zero # quick\nverify = sample\n"
						 "asset-prefix = USB-\nintake-reason = reuse\n"
						 "loop-backing-dir = /srv/img/\n", "p", &pol, err,
						 sizeof(err)), 0);
	ck_assert(pol.auto_wipe);
	ck_assert_uint_eq(pol.n_transports, 2);
	ck_assert_str_eq(pol.transports[1], "loop");
	ck_assert_str_eq(pol.method, "zero");
	ck_assert_int_eq(pol.verify, WP_VERIFY_SAMPLE);
	ck_assert_str_eq(pol.asset_prefix, "USB-");
	ck_assert(!pol.single_signature);
	struct wp_device ours = loop_dev("/srv/img/a.img"), other = loop_dev("/srv/imgs/a.img");
	ck_assert(wp_station_policy_allows(&pol, &ours, err, sizeof(err)));
	ck_assert(!wp_station_policy_allows(&pol, &other, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "loop-backing-dir"));
	/* an unattended station may allow certificates with one signature */
	ck_assert_int_eq(wp_station_policy_parse("transports = usb\nsingle-signature = yes\n", "p",
						 &pol, err, sizeof(err)), 0);
	ck_assert(pol.single_signature);
	ck_assert_str_eq(pol.confidentiality, "");
	/* the class a quick-wipe station's intakes record (issue 17) */
	ck_assert_int_eq(wp_station_policy_parse("transports = usb\nconfidentiality = 機密性1\n",
						 "p", &pol, err, sizeof(err)), 0);
	ck_assert_str_eq(pol.confidentiality, "機密性1");
}
END_TEST

START_TEST(policy_lists_must_all_match)
{
	ck_assert_int_eq(wp_station_policy_parse("transports = usb\n", "p", &pol, err,
						 sizeof(err)), 0);
	ck_assert(!pol.auto_wipe);
	ck_assert(!pol.single_signature); /* certificates need a validator by default */
	ck_assert_str_eq(pol.method, WP_DEFAULT_METHOD);
	struct wp_device d = loop_dev("/x");
	ck_assert(!wp_station_policy_allows(&pol, &d, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "transport loop"));
	d.transport = WP_TRANSPORT_USB;
	ck_assert(wp_station_policy_allows(&pol, &d, err, sizeof(err)));
}
END_TEST

static void policy_refused(const char *text, const char *want)
{
	ck_assert_int_eq(wp_station_policy_parse(text, "/etc/wipeproof/station", &pol, err,
						 sizeof(err)), -1);
	ck_assert_msg(strstr(err, want), "'%s' not in '%s'", want, err);
}

START_TEST(policy_refusals)
{
	policy_refused("transports = usb\nauto-wpe = yes\n", "station:2: unknown key 'auto-wpe'");
	policy_refused("transports = usb\nauto-wipe = sure\n", ":2: 'sure' is not yes or no");
	policy_refused("transports = firewire\n", ":1: unknown transport 'firewire'");
	policy_refused("kinds = floppy\n", ":1: unknown kind 'floppy'");
	policy_refused("transports =\n", "empty list");
	policy_refused("transports = usb\nmethod = ata-secure-erase\n", "not an overwrite method");
	policy_refused("transports = usb\nverify = off\n", "always verified");
	policy_refused("transports = usb\nloop-backing-dir = tmp\n", "not an absolute folder");
	policy_refused("transports = usb\nsingle-signature = maybe\n", ":2: 'maybe' is not yes or no");
	policy_refused("transports usb\n", ":1: expected 'key = value'");
	policy_refused("auto-wipe = yes\n", "names no 'transports' or 'kinds'");
}
END_TEST

START_TEST(config_parses_and_refuses)
{
	ck_assert_int_eq(wp_config_parse("\n# c\nledger = /l.db\nmethod = dod3\n", "cfg", &cfg,
					 err, sizeof(err)), 0);
	ck_assert_str_eq(wp_config_get(&cfg, "ledger"), "/l.db");
	ck_assert_str_eq(wp_config_get(&cfg, "method"), "dod3");
	ck_assert_ptr_null(wp_config_get(&cfg, "verify"));
	ck_assert_str_eq(cfg.e[3].source, "cfg:3");
	ck_assert_int_eq(wp_config_parse("ledger = /l\nledgr = /m\n", "cfg", &cfg, err,
					 sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "cfg:2: unknown key 'ledgr'"));
	ck_assert_int_eq(wp_config_parse("method = shred\n", "cfg", &cfg, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "cfg:1: unknown method 'shred'"));
	ck_assert_int_eq(wp_config_parse("keys =\n", "cfg", &cfg, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "empty value"));
}
END_TEST

/* cli/config.c resolves flag > environment > file > default into the
 * station's configuration; nothing else reads the environment. */
START_TEST(config_resolves_into_the_station_struct)
{
	char path[] = "/tmp/wp-test-config-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char text[] = "ledger = /file.db\nkeys = /file-keys\noperator = 鈴木 一郎\n"
			    "location = 本社\nverify = sample\nreports = /file-reports\n";
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	setenv("WIPEPROOF_CONFIG", path, 1);
	setenv("WIPEPROOF_LEDGER", "/env.db", 1);
	setenv("WIPEPROOF_RUN_DIR", "/env-run", 1);
	setenv("WIPEPROOF_CHECKPOINT_SECONDS", "0.5", 1);
	unsetenv("WIPEPROOF_KEYS");
	unsetenv("WIPEPROOF_AS");
	unsetenv("WIPEPROOF_CONTACT");
	unsetenv("WIPEPROOF_STATION");
	ck_assert_int_eq(wp_config_load(&cfg, err, sizeof(err)), 0);
	wp_config_set_station(&cfg);
	const struct wp_station_config *c = wp_cli_config();
	ck_assert_str_eq(c->ledger, "/env.db");          /* the environment beats the file */
	ck_assert_str_eq(c->keys_dir, "/file-keys");     /* the file beats the default */
	ck_assert_str_eq(c->operator_name, "鈴木 一郎");
	ck_assert_str_eq(c->location, "本社");
	ck_assert_str_eq(c->contact, "");                /* none */
	ck_assert_str_eq(c->method, "");                 /* the plan's */
	ck_assert_int_eq(c->verify, WP_VERIFY_SAMPLE);
	ck_assert(c->verify_set);
	ck_assert_str_eq(c->reports_dir, "/file-reports");
	ck_assert_str_eq(c->run_dir, "/env-run");
	ck_assert_str_eq(c->policy, "");
	ck_assert(c->checkpoint_seconds == 0.5);
	/* a flag beats them all */
	struct wp_station_config with;
	wp_cli_config_with(&with, "/flag.db", NULL, "山田 太郎");
	ck_assert_str_eq(with.ledger, "/flag.db");
	ck_assert_str_eq(with.keys_dir, "/file-keys");
	ck_assert_str_eq(with.operator_name, "山田 太郎");
	ck_assert_str_eq(wp_cli_ledger(NULL), "/env.db");
	ck_assert_str_eq(wp_cli_operator(NULL), "鈴木 一郎");
	/* nothing set: the built-in defaults */
	unlink(path);
	unsetenv("WIPEPROOF_CONFIG");
	unsetenv("WIPEPROOF_LEDGER");
	unsetenv("WIPEPROOF_RUN_DIR");
	setenv("WIPEPROOF_CHECKPOINT_SECONDS", "soon", 1);
	ck_assert_int_eq(wp_config_parse("", "empty", &cfg, err, sizeof(err)), 0);
	wp_config_set_station(&cfg);
	ck_assert_str_eq(c->ledger, "/var/lib/wipeproof/ledger.db");
	ck_assert_str_eq(c->keys_dir, "/etc/wipeproof/keys");
	ck_assert_str_eq(c->reports_dir, "/var/lib/wipeproof/reports");
	ck_assert_str_eq(c->run_dir, "/run/wipeproof");
	ck_assert_int_eq(c->verify, WP_VERIFY_FULL);
	ck_assert(!c->verify_set);
	ck_assert(c->checkpoint_seconds == 0);
	ck_assert_ptr_null(wp_cli_operator(NULL));
	unsetenv("WIPEPROOF_CHECKPOINT_SECONDS");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("station");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, policy_full_form);
	tcase_add_test(tc, policy_lists_must_all_match);
	tcase_add_test(tc, policy_refusals);
	tcase_add_test(tc, config_parses_and_refuses);
	tcase_add_test(tc, config_resolves_into_the_station_struct);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
