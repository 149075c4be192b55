/*
 * The certificate part of `wipeproof demo`: the wipe (with --asset) has
 * issued it; here it is shown, drawn again, and checked the way an auditor
 * would — signature, ledger, the disk itself, and the QR code read back
 * from the rendered page when poppler-utils and zbar-tools are installed.
 * The PDF is copied out of the demo folder before that folder is removed.
 * Each step shows the command an operator would type and does the same
 * through station/ (validate, audit) and cli's printing, without calling
 * another command.
 */
#include "i18n.h"
#include "cert_cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

/* The command line an operator would type for the next step; the demo
 * then does the same through station/ and cli's printing, not by calling
 * another command. */
static void show_cmd(char **argv)
{
	printf("\n  $ wipeproof");
	for (int i = 0; argv[i]; i++)
		printf(strchr(argv[i], ' ') || strchr(argv[i], '|') ? " '%s'" : " %s", argv[i]);
	printf("\n");
	fflush(stdout);
}

static int done(int code)
{
	fflush(stdout);
	return code;
}

static int export_trust(const char *keys, const char *path)
{
	char err[1024];
	char *pem = wp_trust_export(keys, err, sizeof(err));
	FILE *out = pem ? fopen(path, "w") : NULL;
	int code = WP_EXIT_OK;
	if (!pem)
		fprintf(stderr, _("wipeproof: keys export-trust: %s\n"), err);
	if (pem && (!out || fputs(pem, out) < 0 || fclose(out) != 0)) {
		fprintf(stderr, _("wipeproof: keys export-trust: cannot write %s: %s\n"), path,
			strerror(errno));
		code = WP_EXIT_FAILED;
	} else if (pem) {
		fprintf(stderr, _("trust bundle (CA and people's certificates) written to %s\n"), path);
	}
	free(pem);
	return pem ? code : WP_EXIT_FAILED;
}

/* The one cert-*.json the wipe left in DIR. */
static int find_cert(const char *dir, char *out, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (strncmp(e->d_name, "cert-", 5) == 0 && n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) {
			snprintf(out, len, "%s/%s", dir, e->d_name);
			found++;
		}
	}
	if (d)
		closedir(d);
	if (found != 1)
		fprintf(stderr, _("wipeproof: demo: expected one certificate in %s, found %d\n"), dir, found);
	return found == 1 ? 0 : -1;
}

/* Run an external tool with stdout to OUT (NULL: discarded); -1 when it
 * is not installed or fails. */
static int tool(char **argv, const char *out)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = 0;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out ? out : "/dev/null",
					 O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The QR text read back from the rendered page, as a scanner would. */
static int scan_qr(const char *dir, const char *pdf, char *text, size_t len)
{
	char page[256], png[300], out[300];
	snprintf(page, sizeof(page), "%s/page", dir);
	snprintf(png, sizeof(png), "%s.png", page);
	snprintf(out, sizeof(out), "%s/qr.txt", dir);
	if (tool(ARGV("pdftoppm", "-r", "150", "-png", "-singlefile", (char *)pdf, page), NULL) < 0 ||
	    tool(ARGV("zbarimg", "--raw", "-q", png), out) < 0) {
		printf(_("\n  (pdftoppm or zbarimg is not installed: the QR check from the printed page "
		       "is skipped; apt-get install poppler-utils zbar-tools)\n"));
		return -1;
	}
	FILE *f = fopen(out, "r");
	if (!f || !fgets(text, (int)len, f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	text[strcspn(text, "\r\n")] = '\0';
	return 0;
}

/* Outside the demo folder, which is removed at the end. O_NOFOLLOW: /tmp
 * is shared, and a symlink there must not redirect a write by root. */
static int copy_out(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	char buf[65536];
	ssize_t n = 0;
	int rc = in >= 0 && out >= 0 ? 0 : -1;
	while (rc == 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			rc = -1;
	if (n < 0)
		rc = -1;
	if (rc < 0)
		fprintf(stderr, _("wipeproof: demo: cannot copy the certificate to %s: %s\n"), to,
			strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

int wp_demo_certificate(const struct wp_demo_custody *c, const char *dir, const char *device)
{
	char json[512], pdf[600], ca[512], trust[600], qr[1024], err[1024];
	char *keys = (char *)c->keys_dir, *ledger = (char *)c->ledger, *dev = (char *)device;
	if (find_cert(dir, json, sizeof(json)) < 0)
		return WP_EXIT_FAILED;
	snprintf(pdf, sizeof(pdf), "%s/certificate.pdf", dir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", keys);
	snprintf(trust, sizeof(trust), "%s/trust.pem", dir);
	/* the approver confirms the wipe and adds the second signature */
	printf(_("\n  The approver validates the certificate (a second signature, by another person):\n"));
	show_cmd(ARGV("cert", "validate", json, "--as", WP_DEMO_APPROVER, "--keys", keys,
		      "--ledger", ledger));
	struct wp_identity *approver = NULL;
	int code = WP_EXIT_FAILED;
	if (wp_identity_load(keys, WP_DEMO_APPROVER, NULL, &approver, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: cert validate: %s\n"), err);
	} else {
		struct wp_validate_request vr = { .path = json, .validator = approver, .ca_path = ca,
						  .ledger_path = ledger };
		code = done(wp_cert_validate_print(&vr, json));
	}
	wp_identity_free(approver);
	if (code == WP_EXIT_OK) {
		show_cmd(ARGV("cert", "show", json));
		code = done(wp_cert_show_file(json, false));
	}
	if (code == WP_EXIT_OK) {
		show_cmd(ARGV("cert", "render", json, "--output", pdf));
		code = done(wp_cert_render_file(json, pdf));
	}
	printf(_("\n  The auditor's check (no root and no private key needed):\n"));
	if (code == WP_EXIT_OK) {
		show_cmd(ARGV("cert", "verify", json, "--ca", ca, "--ledger", ledger, "--device", dev));
		struct wp_audit_request req = { .path = json, .ca_path = ca, .ledger_path = ledger,
						.device = dev };
		code = done(wp_cert_audit_print(&req, false));
	}
	if (code == WP_EXIT_OK) {
		show_cmd(ARGV("keys", "export-trust", "--keys", keys, "--output", trust));
		code = done(export_trust(keys, trust));
	}
	if (code == WP_EXIT_OK && scan_qr(dir, pdf, qr, sizeof(qr)) == 0) {
		printf(_("\n  QR code read from the rendered page (pdftoppm | zbarimg): %s\n"), qr);
		show_cmd(ARGV("cert", "verify", "--qr", qr, "--trust", trust));
		struct wp_audit_request req = { .qr = qr, .trust = trust };
		code = done(wp_cert_audit_print(&req, false));
	}
	if (code == WP_EXIT_OK && copy_out(pdf, WP_DEMO_CERT_COPY) == 0)
		printf(_("\n  The certificate (PDF) is kept at %s\n"), WP_DEMO_CERT_COPY);
	return code;
}
