/*
 * The custody part of `wipeproof demo`: a throw-away organisation CA and
 * two people in the demo folder, a ledger next to them, and the events
 * around the wipe (intake → request → approve before it, release after it),
 * each run through the real `keys` and `custody` commands and shown as the
 * command line an operator would type.
 */
#include "cli.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

#define DEMO_ORG "デモ株式会社 (Demo Corp.)"

static int run(int (*cmd)(int, char **), char **argv)
{
	int argc = 0;
	printf("\n  $ wipeproof");
	for (; argv[argc]; argc++)
		printf(strchr(argv[argc], ' ') ? " '%s'" : " %s", argv[argc]);
	printf("\n");
	fflush(stdout);
	int code = cmd(argc, argv);
	fflush(stdout);
	return code;
}

/* argv entries are never written through; the casts only satisfy main()'s
 * prototype, which the commands share. */
#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

int wp_demo_custody_before(const struct wp_demo_custody *c, const char *device)
{
	char *keys = (char *)c->keys_dir, *ledger = (char *)c->ledger, *asset = (char *)c->asset;
	char *dev = (char *)device;
	int code = run(wp_group_main, ARGV("keys", "init-ca", "--org", DEMO_ORG, "--keys", keys,
					     "--no-passphrase"));
	if (code == WP_EXIT_OK)
		code = run(wp_group_main,
			   ARGV("keys", "issue", "--name", WP_DEMO_OPERATOR, "--title", "情報システム課 係員",
				"--role", "operator", "--keys", keys, "--no-passphrase"));
	if (code == WP_EXIT_OK)
		code = run(wp_group_main,
			   ARGV("keys", "issue", "--name", WP_DEMO_APPROVER, "--title", "情報システム課長",
				"--role", "approver", "--keys", keys, "--no-passphrase"));
	if (code == WP_EXIT_OK)
		code = run(wp_group_main,
			   ARGV("custody", "intake", "--asset", asset, "--device", dev, "--owner",
				"営業部", "--location", "本社 3F", "--lease-contract", "L-2021-0042",
				"--lease-end", "2026-12-31", "--reason", "lease-end", "--as",
				WP_DEMO_OPERATOR, "--keys", keys, "--ledger", ledger));
	if (code == WP_EXIT_OK)
		code = run(wp_group_main,
			   ARGV("custody", "request", "--asset", asset, "--reason", "リース返却",
				"--as", WP_DEMO_OPERATOR, "--keys", keys, "--ledger", ledger));
	if (code == WP_EXIT_OK)
		code = run(wp_group_main,
			   ARGV("custody", "approve", "--asset", asset, "--as", WP_DEMO_APPROVER,
				"--keys", keys, "--ledger", ledger));
	return code;
}

int wp_demo_custody_after(const struct wp_demo_custody *c)
{
	char *keys = (char *)c->keys_dir, *ledger = (char *)c->ledger, *asset = (char *)c->asset;
	int code = run(wp_group_main,
		       ARGV("custody", "release", "--asset", asset, "--to", "lease-return", "--as",
			    WP_DEMO_OPERATOR, "--keys", keys, "--ledger", ledger));
	if (code == WP_EXIT_OK)
		code = run(wp_group_main, ARGV("custody", "show", asset, "--keys", keys, "--ledger",
							     ledger));
	if (code == WP_EXIT_OK)
		code = run(wp_group_main,
			   ARGV("custody", "verify", "--keys", keys, "--ledger", ledger));
	return code;
}
