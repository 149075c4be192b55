/*
 * Fixtures the unit tests share, instead of each file carrying its own copy:
 * temporary folders and files (removed without a shell), a key store with
 * a CA and people, the hand-built sample certificate document (the oracle
 * test_mutation flips bytes in), and the real builder's document
 * (cert_fixture_*: test_cert and test_certify).
 *
 * The key and certificate fixtures exist only where certs.h (and for the
 * builder's document station.h) was included before this header, so a test
 * of a module below certs/ does not need their include paths. Every fixture fails loudly: a test that cannot set up must
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

#ifdef WP_STATION_H
/*
 * A certificate document from the real builder (station/certbuild.c,
 * wp_cert_build): one pass of random data over a 1 GiB SSD, read back in
 * full, taken in as asset PC-0042 for reuse (was tests/unit/cert_fixture.h).
 */
#include <time.h>

struct cert_fixture {
	struct wp_job job;
	struct wp_asset_state st;
	struct wp_cert_inputs in;
};

/* Today at 00:00:00 UTC: a signer must have been valid on the document's
 * dates, and the keys are made when the test runs. */
static inline time_t cert_fixture_midnight(void)
{
	time_t now = time(NULL);
	return now - now % 86400;
}

/* Fill F for ISSUER; the document's times are midnight (start), +240 s
 * (end) and +300 s (issued). */
static inline void cert_fixture_init(struct cert_fixture *f, const struct wp_person *issuer)
{
	time_t t0 = cert_fixture_midnight();
	memset(f, 0, sizeof(*f));
	struct wp_job *j = &f->job;
	snprintf(j->id, sizeof(j->id), "j-1");
	snprintf(j->method, sizeof(j->method), "random");
	snprintf(j->tool_version, sizeof(j->tool_version), "0.1.0");
	snprintf(j->device.path, sizeof(j->device.path), "/dev/sdb");
	snprintf(j->device.model, sizeof(j->device.model), "Samsung SSD 870");
	snprintf(j->device.serial, sizeof(j->device.serial), "S5Y1NX0R");
	snprintf(j->device.kind, sizeof(j->device.kind), "ssd");
	snprintf(j->device.transport, sizeof(j->device.transport), "sata");
	j->device.size_bytes = (uint64_t)1 << 30;
	j->device.logical_block_size = 512;
	j->npasses = 1;
	j->passes[0].spec.pattern = WP_PATTERN_RANDOM;
	j->passes[0].bytes_written = (uint64_t)1 << 30;
	j->passes[0].seconds = 240;
	j->passes[0].complete = true;
	j->verify.mode = WP_VERIFY_FULL;
	j->verify.bytes_checked = (uint64_t)1 << 30;
	j->verify.coverage_percent = 100.0;
	j->verify.complete = true;
	j->result = WP_RESULT_SANITIZED;
	j->started = t0;
	j->ended = t0 + 240;
	struct wp_asset_state *s = &f->st;
	snprintf(s->asset, sizeof(s->asset), "PC-0042");
	s->exists = true;
	snprintf(s->serial, sizeof(s->serial), "S5Y1NX0R");
	snprintf(s->model, sizeof(s->model), "Samsung SSD 870");
	snprintf(s->reason, sizeof(s->reason), "reuse");
	f->in = (struct wp_cert_inputs){
		.id = "0b8e5f0e-3a43-4c1b-9d2e-3c0f4a1b2c3d", .issuer = issuer, .state = s,
		.job = j, .report_path = "/r.json",
		.report_sha256 = "3a129cc42709c4a2d98fd20ca4cb0d239129abf09831d1e6749fddbe2f74ee4f",
		.head_seq = 6,
		.head_hash = "0000000000000000000000000000000000000000000000000000000000000000",
		.ledger_id = "", .location = "本社", .contact = "営業部", .issued = t0 + 300,
	};
}

static inline json_t *cert_fixture_doc(const struct wp_person *issuer)
{
	static struct cert_fixture f;
	cert_fixture_init(&f, issuer);
	return wp_cert_build(&f.in);
}
#endif

#endif
