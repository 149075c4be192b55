/*
 * A second, tiny front end: intake → approve → wipe → certify → validate
 * → audit of a loop device this test creates (and always detaches),
 * through station/ alone — wp_station is linked, cli/ is not. It proves
 * the layer needs nothing of cli/: the configuration is a struct filled
 * here, the hooks are this file's, the stop flag is this file's.
 *
 * Oracles outside station/'s wipe: the raw device read back byte by byte
 * (zeros after the "zero" method), custody's replay of the ledger
 * (wp_custody_state), the jobs table row, and the auditor's check, which
 * re-reads the disk itself and fails once one byte of it changed.
 *
 * Intake and approval are appended with custody's own API (the intake of
 * station/intake.c decides for hot-plugged disks; a person's intake is
 * wp_custody_record's, which takes the same path).
 *
 * Root only (loop devices): without root it exits 77, which CTest reports
 * as skipped, like the integration tests.
 */
#include "station.h"
#include "fixtures.h"
#include "loop_fixture.h"
#include "certs_internal.h"

#include "check_main.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (1024ULL * 1024ULL)
#define OPERATOR "鈴木 一郎"
#define APPROVER "山田 太郎"

static char err[1024];
static char dir[64], img[PATH_MAX], dev[64];
static bool ready;
static char why[1100];

/* ---- the loop device: attached in the runner, detached also on failure -- */

static struct wp_identity *op, *boss;

static void setup(void)
{
	struct wp_person p;
	char cmd[PATH_MAX + 64];
	snprintf(dir, sizeof(dir), "/tmp/wp-test-flow-XXXXXX");
	if (!mkdtemp(dir)) {
		dir[0] = '\0';
		snprintf(why, sizeof(why), "mkdtemp: %s", strerror(errno));
		return;
	}
	if (wp_keys_init_ca(dir, "テスト", 365, NULL, &p, err, sizeof(err)) < 0 ||
	    !(op = wp_fx_person(dir, OPERATOR, "係員", WP_ROLE_OPERATOR)) ||
	    !(boss = wp_fx_person(dir, APPROVER, "係員", WP_ROLE_APPROVER))) {
		snprintf(why, sizeof(why), "keys: %s", err);
		return;
	}
	snprintf(img, sizeof(img), "%s/disk.img", dir);
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	bool made = fd >= 0 && ftruncate(fd, (off_t)(16 * MIB)) == 0;
	if (fd >= 0)
		close(fd);
	snprintf(cmd, sizeof(cmd), "losetup -f --show '%s' 2>&1", img);
	if (!made || wp_fx_run(cmd, dev, sizeof(dev)) < 0 || !wp_fx_is_loop_node(dev)) {
		snprintf(why, sizeof(why), "losetup: %s", dev);
		dev[0] = '\0';
		return;
	}
	ready = true;
}

static void teardown(void)
{
	char cmd[128];
	if (dev[0] && wp_fx_is_loop_node(dev)) {
		snprintf(cmd, sizeof(cmd), "losetup -d %s 2>&1", dev);
		(void)wp_fx_run(cmd, NULL, 0);
	}
	wp_identity_free(op);
	wp_identity_free(boss);
	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		(void)wp_fx_run(cmd, NULL, 0);
	}
}

/* ---- this front end's hooks ------------------------------------------------ */

struct front {
	volatile sig_atomic_t stop;
	char refusals[4096];
	enum wp_station_refusal_kind last_kind;
	size_t finished, certified_calls, progress_calls;
	int certified_status;
	char cert_json[4160];
};

static void refused(void *ctx, const struct wp_station_refusal *r)
{
	struct front *f = ctx;
	size_t n = strlen(f->refusals);
	snprintf(f->refusals + n, sizeof(f->refusals) - n, "%s\n", r->msg);
	f->last_kind = r->kind;
}

static void progress(void *ctx, size_t i, const struct wp_progress *p)
{
	struct front *f = ctx;
	ck_assert_uint_eq(i, 0);
	ck_assert_uint_le(p->done, p->total);
	f->progress_calls++;
}

static void finished(void *ctx, size_t i, const struct wp_job *job, const char *report_path)
{
	struct front *f = ctx;
	(void)i;
	(void)job;
	ck_assert_str_ne(report_path, "");
	f->finished++;
}

/* The station issued the certificate of the sanitized job. */
static void certified(void *ctx, const struct wp_certify_request *req, int status,
		      const struct wp_certify_result *res)
{
	struct front *f = ctx;
	ck_assert_int_eq(req->job->result, WP_RESULT_SANITIZED);
	ck_assert_str_eq(req->asset, "PC-FLOW");
	f->certified_status = status;
	snprintf(f->cert_json, sizeof(f->cert_json), "%s", res->json);
	f->certified_calls++;
}

static void config(struct wp_station_config *cfg)
{
	wp_station_config_defaults(cfg);
	snprintf(cfg->ledger, sizeof(cfg->ledger), "%s/ledger.db", dir);
	snprintf(cfg->keys_dir, sizeof(cfg->keys_dir), "%s", dir);
	snprintf(cfg->operator_name, sizeof(cfg->operator_name), "%s", OPERATOR);
	snprintf(cfg->run_dir, sizeof(cfg->run_dir), "%s/run", dir);
}

static void fill(const char *path, int byte)
{
	static uint8_t buf[1 << 20];
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	memset(buf, byte, sizeof(buf));
	for (uint64_t off = 0; off < 16 * MIB; off += sizeof(buf))
		ck_assert_int_eq(pwrite(fd, buf, sizeof(buf), (off_t)off), (ssize_t)sizeof(buf));
	ck_assert_int_eq(fsync(fd), 0);
	close(fd);
}

/* Every byte of the device (not the image file: the kernel's view). */
static bool all_bytes(const char *path, int byte)
{
	static uint8_t buf[1 << 20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok = fd >= 0;
	uint64_t total = 0;
	ssize_t n;
	while (ok && (n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n && ok; i++)
			ok = buf[i] == (uint8_t)byte;
		total += (uint64_t)n;
	}
	if (fd >= 0)
		close(fd);
	return ok && total == 16 * MIB;
}

static void append(struct wp_ledger *l, struct wp_identity *who, const char *kind, json_t *body)
{
	ck_assert_ptr_nonnull(body);
	int rc = wp_custody_append(l, who, kind, "PC-FLOW", body, NULL, NULL, err, sizeof(err));
	json_decref(body);
	ck_assert_msg(rc == 0, "%s: %s", kind, err);
}

START_TEST(intake_approve_wipe)
{
	ck_assert_msg(ready, "set-up: %s", why);
	struct wp_station_config cfg;
	struct wp_device *d = calloc(1, sizeof(*d));
	struct wp_job *job = calloc(1, sizeof(*job));
	struct wp_ledger *l = NULL;
	char reports[1][4096], report[4200];
	config(&cfg);
	ck_assert_int_eq(wp_media_probe(dev, NULL, d, err, sizeof(err)), 0);
	ck_assert_msg(d->serial[0], "a loop device has a serial (LOOP-...)");

	/* intake and approval (custody's API; see the TODO above) */
	ck_assert_int_eq(wp_ledger_open(cfg.ledger, &l, err, sizeof(err)), 0);
	append(l, op, WP_EV_INTAKE, json_pack("{s:s, s:s, s:s}", "serial", d->serial, "model",
					      d->model, "owner", "営業部"));
	append(l, op, WP_EV_REQUEST, json_object());
	append(l, boss, WP_EV_APPROVE, json_pack("{s:[s], s:s}", "for", "wipe", "expires",
						 "2099-01-01T00:00:00Z"));
	wp_ledger_close(l);
	l = NULL;

	struct front f = { .stop = 0 };
	struct wp_station_hooks h = { .ctx = &f, .stop = &f.stop, .refused = refused,
				      .progress = progress, .finished = finished,
				      .certified = certified };
	struct wp_station_wipe_opts opts = { .method = "zero", .level = WP_LEVEL_BEST,
					     .verify_mode = WP_VERIFY_FULL };
	snprintf(report, sizeof(report), "%s/report.json", dir);

	/* a wrong serial: refused, nothing written, nothing recorded */
	fill(dev, 0x5a);
	struct wp_wipe_request req = { .device = dev, .confirm_serial = "WRONG",
				       .asset = "PC-FLOW", .report_path = report };
	ck_assert_int_eq(wp_station_wipe(&cfg, &h, &req, 1, &opts, job, reports),
			 WP_STATION_REFUSED);
	ck_assert_int_eq(f.last_kind, WP_REFUSAL_CONFIRM);
	ck_assert_ptr_nonnull(strstr(f.refusals, "does not match"));
	ck_assert(all_bytes(dev, 0x5a));
	ck_assert_uint_eq(f.finished, 0);

	/* the asset tag of another disk: refused by the ledger before asking */
	f.refusals[0] = '\0';
	req = (struct wp_wipe_request){ .device = dev, .confirm_serial = d->serial,
					.asset = "PC-OTHER", .report_path = report };
	ck_assert_int_eq(wp_station_wipe(&cfg, &h, &req, 1, &opts, job, reports),
			 WP_STATION_REFUSED);
	ck_assert_msg(strstr(f.refusals, "PC-OTHER"), "%s", f.refusals);
	ck_assert(all_bytes(dev, 0x5a));

	/* the wipe */
	f.refusals[0] = '\0';
	req.asset = "PC-FLOW";
	int status = wp_station_wipe(&cfg, &h, &req, 1, &opts, job, reports);
	ck_assert_msg(status == WP_STATION_OK, "status %d: %s", status, f.refusals);
	ck_assert_int_eq(job->result, WP_RESULT_SANITIZED);
	ck_assert_str_eq(reports[0], report);
	ck_assert_int_eq(access(report, F_OK), 0);
	ck_assert(all_bytes(dev, 0x00));
	ck_assert_uint_eq(f.finished, 1);
	ck_assert_uint_gt(f.progress_calls, 0);
	ck_assert_uint_eq(f.certified_calls, 1);
	ck_assert_msg(f.certified_status == WP_CERTIFY_OK, "certify: %d", f.certified_status);
	ck_assert_int_eq(access(f.cert_json, F_OK), 0);
	ck_assert_ptr_nonnull(strstr(f.cert_json, dir));

	/* what custody replays from the ledger, and the jobs table */
	struct wp_asset_state *st = calloc(1, sizeof(*st));
	struct wp_ledger_job *row = calloc(1, sizeof(*row));
	ck_assert_int_eq(wp_ledger_open(cfg.ledger, &l, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_ledger_set_ca(l, wp_identity_ca(op), err, sizeof(err)), 0);
	ck_assert_msg(wp_custody_state(l, "PC-FLOW", st, err, sizeof(err)) == 0, "%s", err);
	ck_assert(!st->wipe_open);
	ck_assert(st->sanitized);
	ck_assert(st->verified);
	ck_assert_str_eq(st->job_id, job->id);
	ck_assert_int_eq(wp_ledger_job_get(l, job->id, row, err, sizeof(err)), 0);
	ck_assert_str_eq(row->state, WP_JOB_DONE);
	ck_assert_str_eq(wp_station_job_state(row), WP_JOB_DONE);
	ck_assert(!wp_station_job_resumable(row));
	wp_ledger_close(l);

	/* the second person validates; the auditor checks, re-reading the disk */
	char ca[200], vsig[4300];
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	struct wp_audit_verdict *v = calloc(1, sizeof(*v));
	struct wp_validate_request vr = { .path = f.cert_json, .validator = boss, .ca_path = ca,
					  .ledger_path = cfg.ledger };
	ck_assert_msg(wp_cert_validate(&vr, v, vsig, sizeof(vsig), err, sizeof(err)) ==
		      WP_CERTIFY_OK, "validate: %s", err);
	wp_audit_verdict_clear(v);
	struct wp_audit_request ar = { .path = f.cert_json, .ca_path = ca,
				       .ledger_path = cfg.ledger, .device = dev };
	ck_assert_msg(wp_audit(&ar, v) == WP_AUDIT_VALID, "audit: %s%s", v->reason, v->error);
	ck_assert(v->ledger_checked);
	ck_assert(v->device_checked);
	wp_audit_verdict_clear(v);
	/* one byte of the disk changed: the auditor's re-read says INVALID */
	int fd = open(dev, O_WRONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, "x", 1, 8 * MIB + 5), 1);
	ck_assert_int_eq(fsync(fd), 0);
	close(fd);
	ck_assert_int_eq(wp_audit(&ar, v), WP_AUDIT_INVALID);
	const struct wp_audit_check *dc = wp_audit_find(v, WP_AUDIT_DEVICE);
	ck_assert_ptr_nonnull(dc);
	ck_assert_int_eq(dc->outcome, WP_AUDIT_FAILED);
	wp_audit_verdict_clear(v);
	free(v);
	free(row);
	free(st);
	free(job);
	free(d);
}
END_TEST

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "SKIP: test_station_flow needs root (loop devices)\n");
		return 77;
	}
	Suite *s = suite_create("station_flow");
	TCase *tc = tcase_create("station_flow");
	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, intake_approve_wipe);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
