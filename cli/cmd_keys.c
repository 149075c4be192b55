/*
 * wipeproof keys init-ca | issue | list | export-trust: the organisation's CA and the
 * people who sign. One function per verb; the key store itself is certs/.
 */
#include "custody_cli.h"
#include "wptext.h"
#include "i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CA_DAYS 7300
#define PERSON_DAYS 1825

static json_t *person_json(const struct wp_person *p)
{
	char from[WP_TIME_MAX], until[WP_TIME_MAX];
	wp_utc_format(p->not_before, from, sizeof(from));
	wp_utc_format(p->not_after, until, sizeof(until));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", p->id, "name", p->name,
			 "title", p->title,
			 "org", p->org, "role", wp_role_name(p->role), "fingerprint", p->fingerprint,
			 "not_before", from, "not_after", until);
}

static void print_json(json_t *o)
{
	json_dumpf(o, stdout, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS);
	fputc('\n', stdout);
	json_decref(o);
}

/* The passphrase for a new key: --passphrase-file, --no-passphrase, or
 * asked twice on a terminal. Refuses to guess when none of these applies. */
static int new_passphrase(const struct wp_kopts *o, const char *whose, char *buf, size_t len)
{
	char err[512], prompt[300];
	buf[0] = '\0';
	if (o->no_passphrase && o->passphrase_file) {
		fprintf(stderr, _("wipeproof: keys %s: give --passphrase-file or --no-passphrase, not both\n"), o->sub);
		return WP_EXIT_USAGE;
	}
	if (o->no_passphrase)
		return 0;
	if (!o->passphrase_file && !isatty(STDIN_FILENO)) {
		fprintf(stderr, _("wipeproof: keys %s: no passphrase for the new key of %s: pass "
			"--passphrase-file FILE, or --no-passphrase to store it unencrypted (0600)\n"),
			o->sub, whose);
		return WP_EXIT_USAGE;
	}
	snprintf(prompt, sizeof(prompt), "New passphrase for the key of %s", whose);
	if (wp_passphrase_read(o->passphrase_file, prompt, true, buf, len, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: keys %s: %s\n"), o->sub, err);
		return WP_EXIT_FAILED;
	}
	/* an empty answer used to store the key unencrypted without a word;
	 * that must be a decision (--no-passphrase), never a slip of Enter */
	if (!buf[0]) {
		fprintf(stderr, _("wipeproof: keys %s: empty passphrase refused; type one, or pass "
			"--no-passphrase to store the key unencrypted (0600) on purpose\n"), o->sub);
		return WP_EXIT_USAGE;
	}
	return 0;
}

int wp_keys_cmd_init_ca(const struct wp_kopts *o)
{
	const char *dir = wp_keys_dir_resolve(o->keys_dir);
	char err[1024], pass[WP_PASSPHRASE_MAX];
	struct wp_person ca;
	/* the station's configured organisation (config.h) when --org is absent */
	const char *org = o->org ? o->org : getenv("WIPEPROOF_ORG");
	if (!org || !org[0]) {
		fprintf(stderr, _("wipeproof: keys init-ca needs --org NAME (the organisation), or "
			"'organisation = NAME' in /etc/wipeproof/config\n"));
		return WP_EXIT_USAGE;
	}
	int rc = new_passphrase(o, "the CA", pass, sizeof(pass));
	if (rc != 0)
		return rc;
	rc = wp_keys_init_ca(dir, org, o->days ? o->days : CA_DAYS, pass, &ca, err, sizeof(err));
	explicit_bzero(pass, sizeof(pass));
	if (rc < 0) {
		fprintf(stderr, _("wipeproof: keys init-ca: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	if (o->json)
		print_json(person_json(&ca));
	else
		printf(_("CA for %s created in %s (fingerprint %s)\n"), ca.org, dir, ca.fingerprint);
	return WP_EXIT_OK;
}

int wp_keys_cmd_issue(const struct wp_kopts *o)
{
	const char *dir = wp_keys_dir_resolve(o->keys_dir);
	char err[1024], pass[WP_PASSPHRASE_MAX];
	struct wp_issue_request req = { .id = o->id, .name = o->name, .title = o->title,
		.days = o->days ? o->days : PERSON_DAYS, .ca_passphrase_file = o->ca_passphrase_file };
	if (!o->name || !o->title || !o->role) {
		fprintf(stderr, _("wipeproof: keys issue needs --name, --title and --role\n"));
		return WP_EXIT_USAGE;
	}
	if (wp_role_parse(o->role, &req.role) < 0) {
		fprintf(stderr, _("wipeproof: keys issue: unknown role '%s'; choose operator, approver, "
			"witness, auditor or station\n"), o->role);
		return WP_EXIT_USAGE;
	}
	int rc = new_passphrase(o, o->name, pass, sizeof(pass));
	if (rc != 0)
		return rc;
	req.passphrase = pass;
	struct wp_person p;
	rc = wp_keys_issue(dir, &req, &p, err, sizeof(err));
	explicit_bzero(pass, sizeof(pass));
	if (rc < 0) {
		fprintf(stderr, _("wipeproof: keys issue: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	if (o->json)
		print_json(person_json(&p));
	else
		printf(_("issued %s (%s, %s) person id %s fingerprint %s\n"), p.name, p.title,
		       wp_role_name(p.role), p.id, p.fingerprint);
	return WP_EXIT_OK;
}

int wp_keys_cmd_list(const struct wp_kopts *o)
{
	const char *dir = wp_keys_dir_resolve(o->keys_dir);
	char err[1024];
	struct wp_person *people = NULL;
	size_t n = 0;
	if (wp_keys_list(dir, &people, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: keys list: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	json_t *arr = o->json ? json_array() : NULL;
	if (!o->json && n)
		printf("%-16s  %-8s  %-10s  %-18s  %s\n", _("FINGERPRINT"), _("ROLE"),
		       _("EXPIRES"), _("ID"), _("NAME (TITLE)"));
	for (size_t i = 0; i < n; i++) {
		char until[16];
		struct tm tm;
		strftime(until, sizeof(until), "%Y-%m-%d", gmtime_r(&people[i].not_after, &tm));
		if (arr)
			wp_json_append(arr, person_json(&people[i]));
		else
			printf("%.16s  %-8s  %-10s  %-18s  %s (%s)%s\n", people[i].fingerprint,
			       wp_role_name(people[i].role), until, people[i].id[0] ? people[i].id : "-",
			       people[i].name, people[i].title,
			       people[i].not_after < time(NULL) ? "  EXPIRED" : "");
	}
	if (arr)
		print_json(json_pack("{s:o}", "people", arr));
	else if (n == 0)
		printf(_("no people in %s; add one with 'wipeproof keys issue'\n"), dir);
	free(people);
	return WP_EXIT_OK;
}

/* The page auditors open in a browser; written beside, never instead of,
 * the bundle's other forms. Written whole to a temporary name first. */
static int write_html(const char *path, const char *dir)
{
	char err[1024], tmp[4200];
	char *page = wp_trust_html(dir, err, sizeof(err));
	if (!page) {
		fprintf(stderr, _("wipeproof: keys export-trust: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	bool ok = f && fputs(page, f) >= 0;
	ok = (f && fclose(f) == 0) && ok;
	ok = ok && rename(tmp, path) == 0;
	free(page);
	if (!ok) {
		fprintf(stderr, _("wipeproof: keys export-trust: cannot write %s: %s\n"), path,
			strerror(errno));
		unlink(tmp);
		return WP_EXIT_FAILED;
	}
	fprintf(stderr, _("verification page written to %s (open it in any browser; it works "
		"offline)\n"), path);
	return WP_EXIT_OK;
}

/* What an auditor needs to check QR codes: public certificates only. */
int wp_keys_cmd_export_trust(const struct wp_kopts *o)
{
	const char *dir = wp_keys_dir_resolve(o->keys_dir);
	char err[1024];
	if (o->html) {
		int code = write_html(o->html, dir);
		if (code != WP_EXIT_OK || !o->output)
			return code;
	}
	char *pem = wp_trust_export(dir, err, sizeof(err));
	if (!pem) {
		fprintf(stderr, _("wipeproof: keys export-trust: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	FILE *out = o->output ? fopen(o->output, "w") : stdout;
	int code = WP_EXIT_OK;
	if (!out || fputs(pem, out) < 0 || (o->output && fclose(out) != 0)) {
		fprintf(stderr, _("wipeproof: keys export-trust: cannot write %s: %s\n"),
			o->output ? o->output : "stdout", strerror(errno));
		code = WP_EXIT_FAILED;
	} else if (o->output) {
		fprintf(stderr, _("trust bundle (CA and people's certificates) written to %s\n"), o->output);
	}
	free(pem);
	return code;
}

/* --date: a day (its first second, UTC) or an instant. */
static int parse_when(const char *text, time_t *out)
{
	struct tm tm = { 0 };
	const char *end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(text, "%Y-%m-%d", &tm);
	}
	if (!end || *end)
		return -1;
	struct tm check = tm;
	*out = timegm(&tm);
	/* timegm normalises 2026-02-30 to March: an impossible date is refused */
	return *out == (time_t)-1 || tm.tm_mday != check.tm_mday || tm.tm_mon != check.tm_mon ? -1 : 0;
}

/* Revoke a person's key: the CA re-signs DIR/crl.pem with them on it. */
int wp_keys_cmd_revoke(const struct wp_kopts *o)
{
	const char *dir = wp_keys_dir_resolve(o->keys_dir);
	char err[1024], when_s[WP_TIME_MAX];
	time_t when = time(NULL);
	if (!o->operand || !o->reason) {
		fprintf(stderr, _("wipeproof: keys revoke needs PERSON (name or fingerprint prefix) and "
			"--reason REASON\n"));
		return WP_EXIT_USAGE;
	}
	if (wp_revoke_reason_parse(o->reason) < 0) {
		fprintf(stderr, _("wipeproof: keys revoke: unknown --reason '%s'; give "
			"affiliation-changed (the person left), key-compromise, superseded, "
			"cessation-of-operation or unspecified\n"), o->reason);
		return WP_EXIT_USAGE;
	}
	if (o->date && parse_when(o->date, &when) < 0) {
		fprintf(stderr, _("wipeproof: keys revoke: --date '%s' is not YYYY-MM-DD or "
			"YYYY-MM-DDTHH:MM:SSZ (UTC)\n"), o->date);
		return WP_EXIT_USAGE;
	}
	struct wp_person p;
	if (wp_keys_revoke(dir, o->operand, o->reason, when, o->ca_passphrase_file, &p, err,
			   sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: keys revoke: %s\n"), err);
		return WP_EXIT_FAILED;
	}
	wp_utc_format(when, when_s, sizeof(when_s));
	if (o->json)
		print_json(json_pack("{s:s, s:s, s:s, s:s, s:s}", "revoked", p.name, "fingerprint",
				     p.fingerprint, "from", when_s, "reason", o->reason, "crl",
				     WP_CRL_FILE));
	else
		printf(_("revoked %s (%s, %s) fingerprint %s from %s (%s); %s/%s re-signed — give "
		       "auditors a new 'wipeproof keys export-trust'\n"), p.name, p.title,
		       wp_role_name(p.role), p.fingerprint, when_s, o->reason, dir, WP_CRL_FILE);
	return WP_EXIT_OK;
}
