/*
 * A certificate document from the real builder (station/certbuild.c,
 * wp_cert_build): one pass of random data over a 1 GiB SSD, read back in
 * full, taken in as asset PC-0042 for reuse. Shared by test_cert.c (the
 * document's format, signatures, QR) and test_certify.c (the builder and
 * the auditor's check), so neither builds a document by hand.
 */
#ifndef WP_TEST_CERT_FIXTURE_H
#define WP_TEST_CERT_FIXTURE_H

#include "station.h"

#include <string.h>
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
