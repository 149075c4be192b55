/*
 * `wipeproof version`: the build an auditor compares a certificate with,
 * the same three facts that go into every job report and certificate
 * (wipe/build.c).
 */
#include "cli.h"
#include "i18n.h"

int wp_cmd_version(const struct wp_cmdline *cl)
{
	struct wp_build b;
	char err[256];
	if (wp_build_identity(&b, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: version: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	if (cl->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", "wipeproof", "version",
				      b.version, "commit", b.commit, "sha256", b.exe_sha256);
		if (!o)
			return WP_EXIT_FAILED;
		json_dumpf(o, stdout, WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		printf("wipeproof %s\n", b.version);
		printf(_("commit %s\nexecutable SHA-256 %s\n"), b.commit, b.exe_sha256);
	}
	return WP_EXIT_OK;
}
