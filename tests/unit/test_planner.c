/* The planner's table: method and NIST SP 800-88 category per medium and
 * capabilities; refusals that say why; the job report's new fields. */
#include "firmware.h"

#include "check_main.h"
#include <string.h>

static struct wp_fw_caps caps_with(enum wp_fw_bus bus, const enum wp_fw_method *ok, size_t n)
{
	struct wp_fw_caps caps;
	wp_fw_caps_init(&caps, bus);
	caps.probed = true;
	for (int m = 1; m < WP_FW_COUNT; m++)
		if (wp_fw_method_bus((enum wp_fw_method)m) == bus)
			snprintf(caps.method[m].why, sizeof(caps.method[m].why),
				 "not supported by this test drive");
	for (size_t i = 0; i < n; i++) {
		caps.method[ok[i]].ok = true;
		caps.method[ok[i]].why[0] = '\0';
	}
	return caps;
}

static void expect_plan(enum wp_media media, const struct wp_fw_caps *caps, enum wp_level level,
			const char *method, enum wp_nist nist)
{
	struct wp_plan plan;
	ck_assert_msg(wp_plan_make(media, caps, level, NULL, &plan) == 0, "%s: %s",
		      wp_media_name(media), plan.refusal);
	ck_assert_str_eq(plan.method->name, method);
	ck_assert_int_eq(plan.category, nist);
	ck_assert(plan.reason[0] != '\0');
}

START_TEST(loop_gets_random_clear)
{
	struct wp_fw_caps none;
	wp_fw_caps_init(&none, WP_FW_BUS_NONE);
	struct wp_plan plan;
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_LOOP, &none, WP_LEVEL_BEST, NULL, &plan), 0);
	ck_assert_str_eq(plan.method->name, "random");
	ck_assert_str_eq(wp_nist_name(plan.category), "Clear");
	ck_assert_ptr_nonnull(strstr(plan.reason, "loop device is a file"));
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_LOOP, &none, WP_LEVEL_PURGE, NULL, &plan), -1);
	ck_assert_ptr_null(plan.method);
	ck_assert_ptr_nonnull(strstr(plan.refusal, "no method reaches Purge"));
	ck_assert_ptr_nonnull(strstr(plan.refusal, "loop device is a file"));
}
END_TEST

START_TEST(usb_and_sd_say_destroy_for_purge)
{
	struct wp_fw_caps none;
	wp_fw_caps_init(&none, WP_FW_BUS_NONE);
	struct wp_plan plan;
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_USB, &none, WP_LEVEL_BEST, NULL, &plan), 0);
	ck_assert_str_eq(plan.method->name, "random");
	ck_assert_int_eq(plan.category, WP_NIST_CLEAR);
	ck_assert_ptr_nonnull(strstr(plan.advice, "destroy"));
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_MMC, &none, WP_LEVEL_PURGE, NULL, &plan), -1);
	ck_assert_ptr_nonnull(strstr(plan.refusal, "destroy the device"));
}
END_TEST

START_TEST(hdd_table)
{
	static const enum wp_fw_method se[] = { WP_FW_ATA_SECURE_ERASE };
	static const enum wp_fw_method san[] = { WP_FW_ATA_SECURE_ERASE,
		WP_FW_ATA_SANITIZE_OVERWRITE };
	struct wp_fw_caps c0 = caps_with(WP_FW_BUS_ATA, NULL, 0);
	struct wp_fw_caps c1 = caps_with(WP_FW_BUS_ATA, se, 1);
	struct wp_fw_caps c2 = caps_with(WP_FW_BUS_ATA, san, 2);
	expect_plan(WP_MEDIA_HDD, &c0, WP_LEVEL_BEST, "random", WP_NIST_CLEAR);
	expect_plan(WP_MEDIA_HDD, &c1, WP_LEVEL_BEST, "ata-secure-erase", WP_NIST_PURGE);
	expect_plan(WP_MEDIA_HDD, &c2, WP_LEVEL_PURGE, "ata-sanitize-overwrite", WP_NIST_PURGE);
	expect_plan(WP_MEDIA_HDD, &c2, WP_LEVEL_CLEAR, "random", WP_NIST_CLEAR);
}
END_TEST

START_TEST(sata_ssd_table)
{
	static const enum wp_fw_method se[] = { WP_FW_ATA_SECURE_ERASE };
	static const enum wp_fw_method san[] = { WP_FW_ATA_SANITIZE_BLOCK,
		WP_FW_ATA_SANITIZE_CRYPTO, WP_FW_ATA_SECURE_ERASE_ENH };
	struct wp_fw_caps c1 = caps_with(WP_FW_BUS_ATA, se, 1);
	struct wp_fw_caps c2 = caps_with(WP_FW_BUS_ATA, san, 3);
	/* a normal security erase of flash is only Clear: not a Purge plan */
	expect_plan(WP_MEDIA_SSD, &c1, WP_LEVEL_BEST, "random", WP_NIST_CLEAR);
	expect_plan(WP_MEDIA_SSD, &c2, WP_LEVEL_BEST, "ata-sanitize-crypto", WP_NIST_PURGE);
	struct wp_plan plan;
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_SSD, &c1, WP_LEVEL_PURGE, NULL, &plan), -1);
	ck_assert_ptr_nonnull(strstr(plan.refusal, "ata-sanitize-crypto: not supported"));
	const struct wp_method *se_m = wp_method_find("ata-secure-erase");
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_SSD, &c1, WP_LEVEL_BEST, se_m, &plan), 0);
	ck_assert_int_eq(plan.category, WP_NIST_CLEAR);
}
END_TEST

START_TEST(nvme_table)
{
	static const enum wp_fw_method qemu[] = { WP_FW_NVME_FORMAT_USER };
	static const enum wp_fw_method fna[] = { WP_FW_NVME_FORMAT_USER, WP_FW_NVME_FORMAT_CRYPTO };
	static const enum wp_fw_method san[] = { WP_FW_NVME_FORMAT_USER,
		WP_FW_NVME_SANITIZE_BLOCK, WP_FW_NVME_SANITIZE_CRYPTO };
	struct wp_fw_caps cq = caps_with(WP_FW_BUS_NVME, qemu, 1);
	struct wp_fw_caps cf = caps_with(WP_FW_BUS_NVME, fna, 2);
	struct wp_fw_caps cs = caps_with(WP_FW_BUS_NVME, san, 3);
	expect_plan(WP_MEDIA_NVME, &cq, WP_LEVEL_BEST, "random", WP_NIST_CLEAR);
	expect_plan(WP_MEDIA_NVME, &cf, WP_LEVEL_BEST, "nvme-format-crypto", WP_NIST_PURGE);
	expect_plan(WP_MEDIA_NVME, &cs, WP_LEVEL_PURGE, "nvme-sanitize-crypto", WP_NIST_PURGE);

	struct wp_plan plan;
	const struct wp_method *user = wp_method_find("nvme-format-user");
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_NVME, &cq, WP_LEVEL_BEST, user, &plan), 0);
	ck_assert_str_eq(wp_nist_name(plan.category), "Clear");
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_NVME, &cq, WP_LEVEL_PURGE, user, &plan), -1);
	ck_assert_ptr_nonnull(strstr(plan.refusal, "reaches only Clear"));
	const struct wp_method *crypto = wp_method_find("nvme-format-crypto");
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_NVME, &cq, WP_LEVEL_BEST, crypto, &plan), -1);
	ck_assert_ptr_nonnull(strstr(plan.refusal, "not possible on this device"));
}
END_TEST

START_TEST(firmware_method_on_loop_refused)
{
	struct wp_fw_caps none;
	wp_fw_caps_init(&none, WP_FW_BUS_NONE);
	struct wp_plan plan;
	const struct wp_method *m = wp_method_find("nvme-format-user");
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->firmware, WP_FW_NVME_FORMAT_USER);
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_LOOP, &none, WP_LEVEL_BEST, m, &plan), -1);
	ck_assert_ptr_nonnull(strstr(plan.refusal, "no firmware command is sent"));
}
END_TEST

START_TEST(method_registry)
{
	char names[512];
	wp_fw_method_names(names, sizeof(names));
	ck_assert_ptr_nonnull(strstr(names, "ata-secure-erase-enhanced"));
	ck_assert_ptr_nonnull(strstr(names, "secure-discard"));
	for (int m = 1; m < WP_FW_COUNT; m++) {
		const struct wp_method *meth = wp_fw_method((enum wp_fw_method)m);
		ck_assert_int_eq(meth->firmware, m);
		ck_assert_ptr_eq(wp_method_find(meth->name), meth);
		ck_assert_uint_eq(meth->npasses, 0);
		ck_assert_int_ne(wp_fw_method_bus((enum wp_fw_method)m), WP_FW_BUS_NONE);
	}
	ck_assert_ptr_null(wp_method_find("format"));
	enum wp_level level;
	ck_assert_int_eq(wp_level_parse("purge", &level), 0);
	ck_assert_int_eq(level, WP_LEVEL_PURGE);
	ck_assert_int_eq(wp_level_parse("destroy", &level), -1);
}
END_TEST

START_TEST(report_carries_category_and_firmware)
{
	char err[256];
	struct wp_job job, back;
	ck_assert_int_eq(wp_job_init(&job, err, sizeof(err)), 0);
	snprintf(job.method, sizeof(job.method), "nvme-sanitize-crypto");
	snprintf(job.nist_category, sizeof(job.nist_category), "Purge");
	snprintf(job.plan_reason, sizeof(job.plan_reason), "NVMe Sanitize ...");
	job.firmware.used = true;
	snprintf(job.firmware.command, sizeof(job.firmware.command), "NVMe Sanitize, crypto erase");
	snprintf(job.firmware.expected, sizeof(job.firmware.expected), "unknown");
	snprintf(job.firmware.status, sizeof(job.firmware.status), "success");
	job.fingerprint = (struct wp_fingerprint_record){ .done = true, .blocks = 100,
							  .changed = 100, .passed = true };
	job.hidden.checked = true;
	job.hidden.other_namespaces = 1;
	json_t *root = wp_job_to_json(&job);
	ck_assert_str_eq(json_string_value(json_object_get(root, "nist_category")), "Purge");
	ck_assert(json_is_true(json_object_get(json_object_get(root, "fingerprint"), "passed")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(root, "hidden_areas"),
							    "other_namespaces")), 1);
	/* a crypto erase wrote no pass of ours; the report still loads */
	ck_assert_int_eq(wp_job_from_json(root, &back, err, sizeof(err)), 0);
	ck_assert_str_eq(back.nist_category, "Purge");
	ck_assert(back.firmware.used && back.fingerprint.passed);
	ck_assert_uint_eq(back.npasses, 0);
	json_decref(root);
	/* an overwrite report without firmware still needs a pass */
	job.firmware.used = false;
	root = wp_job_to_json(&job);
	ck_assert_int_eq(wp_job_from_json(root, &back, err, sizeof(err)), -1);
	json_decref(root);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("planner");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, loop_gets_random_clear);
	tcase_add_test(tc, usb_and_sd_say_destroy_for_purge);
	tcase_add_test(tc, hdd_table);
	tcase_add_test(tc, sata_ssd_table);
	tcase_add_test(tc, nvme_table);
	tcase_add_test(tc, firmware_method_on_loop_refused);
	tcase_add_test(tc, method_registry);
	tcase_add_test(tc, report_carries_category_and_firmware);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
