/*
 * The custody part of `wipeproof demo`: a throw-away organisation CA and
 * two people in the demo folder, a ledger next to them, and the events
 * around the wipe (intake → request → approve before it, release after it).
 * Each step is shown as the command line an operator would type and run
 * as exactly that: this program again, in a child process, with that
 * argv. The demo is a guided tour of the commands, so it runs them as
 * commands rather than calling their functions (a command never calls
 * another command's function; what commands share is in station/).
 */
#include "cli.h"
#include "i18n.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

#define DEMO_ORG "デモ株式会社 (Demo Corp.)"

/* ARGV as `wipeproof ARGV...`, run by /proc/self/exe (the binary that is
 * running, wherever it was installed); its exit code, or FAILED when it
 * could not run or was killed. */
static int run(char **argv)
{
	char *full[32] = { "wipeproof" };
	int argc = 0;
	printf("\n  $ wipeproof");
	for (; argv[argc] && argc < 30; argc++) {
		printf(strchr(argv[argc], ' ') ? " '%s'" : " %s", argv[argc]);
		full[argc + 1] = argv[argc];
	}
	printf("\n");
	fflush(stdout);
	fflush(stderr);
	pid_t pid;
	int status = 0, rc = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, full, environ);
	if (rc != 0) {
		fprintf(stderr, _("wipeproof: demo: cannot run wipeproof %s: %s\n"), argv[0],
			strerror(rc));
		return WP_EXIT_FAILED;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return WP_EXIT_FAILED;
	return WIFEXITED(status) ? WEXITSTATUS(status) : WP_EXIT_FAILED;
}

/* argv entries are never written through; the casts only satisfy
 * posix_spawn's prototype. */
#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

int wp_demo_custody_before(const struct wp_demo_custody *c, const char *device)
{
	char *keys = (char *)c->keys_dir, *ledger = (char *)c->ledger, *asset = (char *)c->asset;
	char *dev = (char *)device;
	int code = run(ARGV("keys", "init-ca", "--org", DEMO_ORG, "--keys", keys, "--no-passphrase"));
	if (code == WP_EXIT_OK)
		code = run(ARGV("keys", "issue", "--name", WP_DEMO_OPERATOR, "--title", "情報システム課 係員",
				"--role", "operator", "--keys", keys, "--no-passphrase"));
	if (code == WP_EXIT_OK)
		code = run(ARGV("keys", "issue", "--name", WP_DEMO_APPROVER, "--title", "情報システム課長",
				"--role", "approver", "--keys", keys, "--no-passphrase"));
	if (code == WP_EXIT_OK)
		code = run(ARGV("custody", "intake", "--asset", asset, "--device", dev, "--owner",
				"営業部", "--location", "本社 3F", "--lease-contract", "L-2021-0042",
				"--lease-end", "2026-12-31", "--reason", "lease-end", "--as",
				WP_DEMO_OPERATOR, "--keys", keys, "--ledger", ledger));
	if (code == WP_EXIT_OK)
		code = run(ARGV("custody", "request", "--asset", asset, "--reason", "リース返却",
				"--as", WP_DEMO_OPERATOR, "--keys", keys, "--ledger", ledger));
	if (code == WP_EXIT_OK)
		code = run(ARGV("custody", "approve", "--asset", asset, "--as", WP_DEMO_APPROVER,
				"--keys", keys, "--ledger", ledger));
	return code;
}

int wp_demo_custody_after(const struct wp_demo_custody *c)
{
	char *keys = (char *)c->keys_dir, *ledger = (char *)c->ledger, *asset = (char *)c->asset;
	int code = run(ARGV("custody", "release", "--asset", asset, "--to", "lease-return", "--as",
			    WP_DEMO_OPERATOR, "--keys", keys, "--ledger", ledger));
	if (code == WP_EXIT_OK)
		code = run(ARGV("custody", "show", asset, "--keys", keys, "--ledger", ledger));
	if (code == WP_EXIT_OK)
		code = run(ARGV("custody", "verify", "--keys", keys, "--ledger", ledger));
	return code;
}
