/*
 * Fixtures the unit tests share, instead of each file carrying its own copy:
 * temporary folders and files (removed without a shell), a key store with
 * a CA and people, and the sample certificate document.
 *
 * The key and certificate fixtures exist only where certs.h was included
 * before this header, so a test of a module below certs/ does not need its
 * include path. Every fixture fails loudly: a test that cannot set up must
 * not run, and must not pass.
 */
#ifndef WP_TEST_FIXTURES_H
#define WP_TEST_FIXTURES_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void wp_fx_die(const char *what, const char *why)
{
	fprintf(stderr, "set-up: %s: %s\n", what, why);
	exit(EXIT_FAILURE);
}

/* A new folder /tmp/wp-test-NAME-XXXXXX, its path in DIR. */
static inline void wp_fx_tmpdir(char *dir, size_t len, const char *name)
{
	snprintf(dir, len, "/tmp/wp-test-%s-XXXXXX", name);
	if (!mkdtemp(dir))
		wp_fx_die(dir, "mkdtemp failed");
}

/* A new empty file /tmp/wp-test-NAME-XXXXXX, open read-write; its fd. */
static inline int wp_fx_tmpfile(char *path, size_t len, const char *name)
{
	snprintf(path, len, "/tmp/wp-test-%s-XXXXXX", name);
	int fd = mkstemp(path);
	if (fd < 0)
		wp_fx_die(path, "mkstemp failed");
	return fd;
}

static inline int wp_fx_rm_one(const char *path, const struct stat *st, int type,
			       struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* DIR and all below it, without following links and without a shell
 * (no quoting of the path to get wrong); 0, or -1 when something stayed. */
static inline int wp_fx_rmtree(const char *dir)
{
	return nftw(dir, wp_fx_rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

#ifdef WP_CERTS_H
/* A key store in DIR: a CA for ORG valid DAYS days; its person in *CA_P
 * (may be NULL). */
static inline void wp_fx_ca(const char *dir, const char *org, int days, struct wp_person *ca_p)
{
	struct wp_person p;
	char err[1024];
	if (wp_keys_init_ca(dir, org, days, NULL, ca_p ? ca_p : &p, err, sizeof(err)) < 0)
		wp_fx_die("the CA", err);
}

/* A person issued in the key store DIR for 30 days; *OUT (may be NULL). */
static inline void wp_fx_issue(const char *dir, const char *name, const char *title,
			       enum wp_role role, struct wp_person *out)
{
	struct wp_issue_request req = { .name = name, .title = title, .role = role, .days = 30 };
	struct wp_person p;
	char err[1024];
	if (wp_keys_issue(dir, &req, out ? out : &p, err, sizeof(err)) < 0)
		wp_fx_die(name, err);
}

/* The same, loaded as a signing identity (free it with wp_identity_free). */
static inline struct wp_identity *wp_fx_person(const char *dir, const char *name,
					       const char *title, enum wp_role role)
{
	struct wp_identity *id = NULL;
	char err[1024];
	wp_fx_issue(dir, name, title, role, NULL);
	if (wp_identity_load(dir, name, NULL, &id, err, sizeof(err)) < 0)
		wp_fx_die(name, err);
	return id;
}

/* The times and the signer of the sample certificate document. */
struct wp_fx_doc {
	const struct wp_person *by; /* issued, sanitized and verified by */
	const char *title;          /* the signers' title in sanitized_by/verified_by */
	const char *issued, *started, *ended, *signed_on;
};

/* A complete, valid certificate document as certs/README.md defines it, for
 * tests of the checks, the signature and the QR code (built by hand on
 * purpose: it is the oracle the builder is compared against). */
static inline json_t *wp_fx_sample_doc(const struct wp_fx_doc *d)
{
	const struct wp_person *p = d->by;
	return json_pack(
		"{s:s, s:i, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s}, "
		"s:{s:s, s:s, s:s, s:s, s:s, s:s, s:I}, "
		"s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s, s:s}, "
		"s:{s:s, s:s, s:I, s:I, s:s, s:I}, s:{s:I, s:s}, "
		"s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s, s:s}}",
		"format", WP_CERT_FORMAT, "format_version", 1,
		"certificate_id", "0b8e5f0e-3a43-4c1b-9d2e-3c0f4a1b2c3d",
		"issued_utc", d->issued, "result", "sanitized", "destination", "reuse",
		"issued_by", "name", p->name, "title", p->title, "role", "operator",
		"fingerprint", p->fingerprint,
		"asset", "tag", "PC-0042",
		"media", "manufacturer", "Samsung", "model", "Samsung SSD 870", "serial", "S5Y1NX0R",
		"property_number", "PC-0042", "media_type", "flash (SSD)", "media_source", "営業部",
		"size_bytes", (json_int_t)1 << 30,
		"sanitization", "category", "Clear", "description", "Clear: overwritten",
		"method", "random", "method_details", "1 pass", "tool", "wipeproof",
		"tool_version", "0.1.0", "started_utc", d->started,
		"ended_utc", d->ended, "job_id", "j-1", "passes", (json_int_t)1,
		"bytes_written", (json_int_t)1 << 30, "duration_s", (json_int_t)240,
		"throughput_bytes_per_s", (json_int_t)4473924, "report", "/r.json",
		"report_sha256", "ab",
		"verification", "method", "full read-back", "mode", "full",
		"bytes_checked", (json_int_t)1 << 30, "coverage_permille", (json_int_t)1000,
		"coverage_percent", "100.0", "mismatched_blocks", (json_int_t)0,
		"ledger", "seq", (json_int_t)6, "head_hash", "00",
		"sanitized_by", "name", p->name, "title", d->title, "date", d->signed_on,
		"location", "本社", "contact", "x", "fingerprint", p->fingerprint,
		"verified_by", "name", p->name, "title", d->title, "date", d->signed_on,
		"location", "本社", "contact", "x", "fingerprint", p->fingerprint);
}
#endif

#endif
