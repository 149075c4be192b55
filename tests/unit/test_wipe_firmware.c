/* `wipe` with a firmware method, end to end below the command line: a
 * simulated drive behind the I/O boundary, its medium a temporary file.
 * Only a medium that changed (and holds what the command promised) is
 * "sanitized"; the device's success status never is enough. */
#include "cert_cli.h"
#include "fw_cli.h"
#include "fwsim.h"

#include "check_main.h"

#define MEDIUM (24ull << 20)

static struct sim S;
static struct wp_fw_io IO;
static struct wp_drive_plan P;
static struct wp_job J;
static char err[512];

/* A QEMU-like NVMe namespace: Format NVM, DLFEAT says zeros. */
static void setup(void)
{
	sim_open(&S, MEDIUM);
	IO = sim_io(&S);
	S.nsid = 1;
	S.oacs = 0x10a;
	S.dlfeat = 0x01;
	S.active[0] = 1;
	S.n_active = 1;
	memset(&P, 0, sizeof(P));
	P.io = &IO;
	ck_assert_int_eq(wp_job_init(&J, err, sizeof(err)), 0);
}

static void teardown(void)
{
	sim_close(&S);
}

static void wipe_with(const char *method, enum wp_verify_mode mode)
{
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_NVME);
	wp_fw_probe(&dev, &P.caps);
	const struct wp_method *m = wp_method_find(method);
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_NVME, &P.caps, WP_LEVEL_BEST, m, &P.plan), 0);
	struct wp_io_target t = sim_target(&S);
	struct wp_run_ctl ctl = { .chunk_bytes = 1 << 20 };
	snprintf(J.method, sizeof(J.method), "%s", method);
	wp_wipe_firmware(&P, m, &t, mode, &ctl, &J);
}

START_TEST(lying_drive_fails)
{
	S.fake = true;
	wipe_with("nvme-format-user", WP_VERIFY_FULL);
	ck_assert_str_eq(J.firmware.status, "success");
	ck_assert_int_eq(J.result, WP_RESULT_FAILED);
	ck_assert(J.fingerprint.done && !J.fingerprint.passed);
	ck_assert_ptr_nonnull(strstr(J.error, "did not change"));
	ck_assert_ptr_nonnull(strstr(J.error, "destroy it"));
	/* a verification mismatch like any other: exit 4, MISMATCH */
	ck_assert_uint_eq(J.verify.mismatched_blocks, J.fingerprint.blocks);
	ck_assert_uint_eq(J.verify.bad_offsets[0], 0);
}
END_TEST

START_TEST(format_verified_as_zeros)
{
	wipe_with("nvme-format-user", WP_VERIFY_FULL);
	ck_assert_msg(J.result == WP_RESULT_SANITIZED, "%s", J.error);
	ck_assert(J.fingerprint.passed);
	ck_assert_str_eq(J.firmware.expected, "zeros");
	ck_assert_uint_eq(J.npasses, 1);
	ck_assert_int_eq(J.passes[0].spec.pattern, WP_PATTERN_ZERO);
	ck_assert_uint_eq(J.verify.bytes_checked, MEDIUM);
	ck_assert_uint_eq(J.verify.mismatched_blocks, 0);
}
END_TEST

START_TEST(promised_zeros_but_noise_fails)
{
	S.noise = true;
	wipe_with("nvme-format-user", WP_VERIFY_SAMPLE);
	ck_assert(J.fingerprint.passed); /* it changed ... */
	ck_assert_int_eq(J.result, WP_RESULT_FAILED); /* ... but not to zeros */
	ck_assert_uint_gt(J.verify.mismatched_blocks, 0);
	ck_assert_ptr_nonnull(strstr(J.error, "reads as zeros"));
}
END_TEST

START_TEST(crypto_erase_verified_by_fingerprint)
{
	S.sanicap = 0x1;
	wipe_with("nvme-sanitize-crypto", WP_VERIFY_FULL);
	ck_assert_msg(J.result == WP_RESULT_SANITIZED, "%s", J.error);
	ck_assert_str_eq(J.firmware.expected, "unknown");
	ck_assert_uint_eq(J.npasses, 0);
	ck_assert_int_eq(J.verify.mode, WP_VERIFY_SAMPLE);
	ck_assert_uint_eq(J.verify.bytes_checked, J.fingerprint.blocks * 512);
	/* the report of such a job loads again (no pass of ours in it) */
	json_t *root = wp_job_to_json(&J);
	struct wp_job back;
	ck_assert_msg(wp_job_from_json(root, &back, err, sizeof(err)) == 0, "%s", err);
	ck_assert(back.fingerprint.passed);
	json_decref(root);
}
END_TEST

START_TEST(verify_off_is_unverified)
{
	wipe_with("nvme-format-user", WP_VERIFY_OFF);
	ck_assert_int_eq(J.result, WP_RESULT_UNVERIFIED);
	ck_assert(!J.fingerprint.done);
}
END_TEST

START_TEST(refused_command_fails_and_changes_nothing)
{
	S.sanicap = 0x1;
	S.sanitize_status = 0x4001;
	wipe_with("nvme-sanitize-crypto", WP_VERIFY_FULL);
	ck_assert_int_eq(J.result, WP_RESULT_FAILED);
	ck_assert_ptr_nonnull(strstr(J.error, "Invalid Command Opcode"));
	ck_assert_ptr_nonnull(strstr(J.firmware.status, "Invalid Command Opcode"));
	ck_assert(!J.fingerprint.done);
}
END_TEST

START_TEST(plan_reaches_the_job)
{
	wipe_with("nvme-format-user", WP_VERIFY_FULL);
	struct wp_device dev;
	memset(&dev, 0, sizeof(dev));
	dev.size_bytes = MEDIUM;
	dev.logical_block_size = 512;
	wp_wipe_plan_to_job(&P, &dev, &J);
	ck_assert_str_eq(J.nist_category, "Clear");
	ck_assert_ptr_nonnull(strstr(J.plan_reason, "SES=1"));
	ck_assert(J.hidden.checked && J.hidden.native_covered);
}
END_TEST

/* One pass on a USB stick reaches no SP 800-88 category (Table A-8 asks a
 * pattern and its complement for Clear): the job says "none", so the
 * certificate cannot fall back to "Clear". */
/* A report from before the planner's category was recorded: the
 * certificate falls back to the planner, never to a flash rule of its own
 * (that rule called one random pass on a USB stick Clear; SP 800-88 Rev.1
 * Table A-8 asks for a pattern and then its complement). */
START_TEST(unplanned_report_asks_the_planner)
{
	static const struct { const char *kind, *method, *category; } rows[] = {
		{ "usb", "random", "none" }, { "mmc", "zero", "none" },
		{ "usb", "zero-ones", "Clear" }, { "hdd", "random", "Clear" },
		{ "ssd", "zero", "Clear" }, { "nvme", "random", "Clear" },
		{ "loop", "zero", "Clear" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&J, 0, sizeof(J));
		snprintf(J.device.kind, sizeof(J.device.kind), "%s", rows[i].kind);
		snprintf(J.method, sizeof(J.method), "%s", rows[i].method);
		const char *note = NULL;
		ck_assert_msg(strcmp(wp_cert_nist_category(&J, &note), rows[i].category) == 0,
			      "%s on %s: %s", rows[i].method, rows[i].kind,
			      wp_cert_nist_category(&J, &note));
		ck_assert_ptr_nonnull(note);
	}
}
END_TEST

START_TEST(usb_one_pass_reaches_no_category)
{
	struct wp_drive_plan up;
	memset(&up, 0, sizeof(up));
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_USB, NULL, WP_LEVEL_BEST, wp_method_find("random"),
				      &up.plan), 0);
	struct wp_device dev;
	memset(&dev, 0, sizeof(dev));
	wp_wipe_plan_to_job(&up, &dev, &J);
	ck_assert_str_eq(J.nist_category, "none");
	const char *note = NULL;
	ck_assert_str_eq(wp_cert_nist_category(&J, &note), "none");
	ck_assert_ptr_nonnull(strstr(J.plan_reason, "complement"));
}
END_TEST

/* An ATA drive with the Security feature set, wiped by a normal security
 * erase through the whole firmware path. */
static void ata_erase_with(bool ones, bool noise)
{
	S.sec = true;
	S.user_sectors = MEDIUM / 512;
	S.erase_ones = ones;
	S.noise = noise;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	wp_fw_probe(&dev, &P.caps);
	const struct wp_method *m = wp_method_find("ata-secure-erase");
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_HDD, &P.caps, WP_LEVEL_BEST, m, &P.plan), 0);
	struct wp_io_target t = sim_target(&S);
	struct wp_run_ctl ctl = { .chunk_bytes = 1 << 20 };
	snprintf(J.method, sizeof(J.method), "ata-secure-erase");
	wp_wipe_firmware(&P, m, &t, WP_VERIFY_FULL, &ctl, &J);
}

/* (issue 14, 9) ACS-3: a normal SECURITY ERASE UNIT writes binary zeros or
 * ones; both are what it promised, anything else is not. */
START_TEST(normal_security_erase_may_leave_ones)
{
	ata_erase_with(true, false);
	ck_assert_msg(J.result == WP_RESULT_SANITIZED, "%s", J.error);
	ck_assert_str_eq(J.firmware.expected, "zeros-or-ones");
	ck_assert_int_eq(J.passes[0].spec.pattern, WP_PATTERN_ONES);
	ck_assert_uint_eq(J.verify.bytes_checked, MEDIUM);
}
END_TEST

START_TEST(normal_security_erase_zeros_or_noise)
{
	ata_erase_with(false, false);
	ck_assert_msg(J.result == WP_RESULT_SANITIZED, "%s", J.error);
	ck_assert_int_eq(J.passes[0].spec.pattern, WP_PATTERN_ZERO);
	sim_fill(&S, 999);
	ata_erase_with(false, true);
	ck_assert_int_eq(J.result, WP_RESULT_FAILED);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("wipe_firmware");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, lying_drive_fails);
	tcase_add_test(tc, format_verified_as_zeros);
	tcase_add_test(tc, promised_zeros_but_noise_fails);
	tcase_add_test(tc, crypto_erase_verified_by_fingerprint);
	tcase_add_test(tc, verify_off_is_unverified);
	tcase_add_test(tc, refused_command_fails_and_changes_nothing);
	tcase_add_test(tc, plan_reaches_the_job);
	tcase_add_test(tc, usb_one_pass_reaches_no_category);
	tcase_add_test(tc, normal_security_erase_may_leave_ones);
	tcase_add_test(tc, normal_security_erase_zeros_or_noise);
	tcase_add_test(tc, unplanned_report_asks_the_planner);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
