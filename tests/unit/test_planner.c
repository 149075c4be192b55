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
	/* Clear on USB needs a pattern and its complement (see nist_text) */
	ck_assert_str_eq(plan.method->name, "zero-ones");
	ck_assert_int_eq(plan.category, WP_NIST_CLEAR);
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_MMC, &none, WP_LEVEL_BEST, NULL, &plan), 0);
	ck_assert_str_eq(plan.method->name, "zero-ones");
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
	/* SP 800-88 Rev.1 Table A-5 counts only the Enhanced Erase mode as Purge
	 * (issue 14, 10): a drive with only the normal erase gets no Purge plan */
	expect_plan(WP_MEDIA_HDD, &c1, WP_LEVEL_BEST, "random", WP_NIST_CLEAR);
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

/*
 * Issue 14 (10): the category of every (method, medium) as NIST SP 800-88
 * Rev.1 Appendix A states it, written from the publication's text (printed
 * page numbers of NIST.SP.800-88r1.pdf), not from planner.c:
 *
 * Table A-5, "ATA Hard Disk Drives", Purge (pp. 32-33): "1. Use one of the
 *   ATA Sanitize Device feature set commands ... a. The overwrite EXT
 *   command ... b. ... the Cryptographic Erase (also known as CRYPTO
 *   SCRAMBLE EXT) command ... 2. Use the ATA Security feature set's SECURE
 *   ERASE UNIT command, if support, in Enhanced Erase mode."
 * Table A-5, "SCSI Hard Disk Drives", Purge (p. 33): "Apply the SCSI
 *   SANITIZE command ... OVERWRITE or CRYPTOGRAPHIC ERASE service action".
 * Table A-8, "ATA Solid State Drives", Clear (p. 36): "2. Use the ATA
 *   Security feature set's SECURITY ERASE UNIT command"; Purge: "a. The
 *   block erase command. b. ... the Cryptographic Erase (also known as
 *   sanitize crypto scramble) command"; Notes (p. 37): "Whereas ATA Secure
 *   Erase was a Purge mechanism for magnetic media, it is only a Clear
 *   mechanism for flash memory".
 * Table A-8, "SCSI Solid State Drives", Purge: SANITIZE BLOCK ERASE or
 *   CRYPTOGRAPHIC ERASE (no OVERWRITE).
 * Table A-8, "NVM Express SSDs", Purge: the Format command's User Data
 *   Erase or Cryptographic Erase (wipeproof claims only Clear for the first:
 *   less than the table, never more).
 * Table A-8, "USB Removable Media": "For most cases where Purging is
 *   desired, USB removable media should be Destroyed."
 * NVMe Sanitize is not in Rev.1; Rev.2 Sec. 3.1.2 defers to IEEE 2883.
 *
 * DOC is what the label must cite.
 */
static const struct {
	const char *method;
	enum wp_media media;
	enum wp_nist want;
	const char *doc;
} nist_text[] = {
	{ "ata-secure-erase", WP_MEDIA_HDD, WP_NIST_CLEAR, "Table A-5" },
	{ "ata-secure-erase-enhanced", WP_MEDIA_HDD, WP_NIST_PURGE, "Table A-5" },
	{ "ata-sanitize-crypto", WP_MEDIA_HDD, WP_NIST_PURGE, "Table A-5" },
	{ "ata-sanitize-overwrite", WP_MEDIA_HDD, WP_NIST_PURGE, "Table A-5" },
	{ "ata-sanitize-block", WP_MEDIA_HDD, WP_NIST_CLEAR, "Table A-5" },
	{ "scsi-sanitize-crypto", WP_MEDIA_HDD, WP_NIST_PURGE, "Table A-5" },
	{ "scsi-sanitize-overwrite", WP_MEDIA_HDD, WP_NIST_PURGE, "Table A-5" },
	{ "scsi-sanitize-block", WP_MEDIA_HDD, WP_NIST_CLEAR, "Table A-5" },
	{ "random", WP_MEDIA_HDD, WP_NIST_CLEAR, "Table A-5" },
	{ "ata-secure-erase", WP_MEDIA_SSD, WP_NIST_CLEAR, "Table A-8" },
	{ "ata-secure-erase-enhanced", WP_MEDIA_SSD, WP_NIST_CLEAR, "Table A-8" },
	{ "ata-sanitize-crypto", WP_MEDIA_SSD, WP_NIST_PURGE, "Table A-8" },
	{ "ata-sanitize-block", WP_MEDIA_SSD, WP_NIST_PURGE, "Table A-8" },
	{ "ata-sanitize-overwrite", WP_MEDIA_SSD, WP_NIST_CLEAR, "Table A-8" },
	{ "scsi-sanitize-crypto", WP_MEDIA_SSD, WP_NIST_PURGE, "Table A-8" },
	{ "scsi-sanitize-block", WP_MEDIA_SSD, WP_NIST_PURGE, "Table A-8" },
	{ "scsi-sanitize-overwrite", WP_MEDIA_SSD, WP_NIST_CLEAR, "Table A-8" },
	{ "random", WP_MEDIA_SSD, WP_NIST_CLEAR, "Table A-8" },
	{ "nvme-format-crypto", WP_MEDIA_NVME, WP_NIST_PURGE, "Table A-8" },
	{ "nvme-format-user", WP_MEDIA_NVME, WP_NIST_CLEAR, "Table A-8" },
	{ "nvme-sanitize-crypto", WP_MEDIA_NVME, WP_NIST_PURGE, "IEEE 2883" },
	{ "nvme-sanitize-block", WP_MEDIA_NVME, WP_NIST_PURGE, "IEEE 2883" },
	{ "nvme-sanitize-overwrite", WP_MEDIA_NVME, WP_NIST_CLEAR, "Table A-8" },
	{ "random", WP_MEDIA_NVME, WP_NIST_CLEAR, "Table A-8" },
	/* Table A-8, USB Removable Media and Memory Cards, Clear: "Overwrite
	 * media ... The Clear pattern should be at least two passes, to include a
	 * pattern in the first pass and its complement in the second pass." One
	 * pass reaches no category there (found by the issue 14 review). */
	{ "random", WP_MEDIA_USB, WP_NIST_NONE, "Table A-8" },
	{ "zero", WP_MEDIA_MMC, WP_NIST_NONE, "Table A-8" },
	{ "random-zero", WP_MEDIA_USB, WP_NIST_NONE, "Table A-8" },
	{ "zero-ones", WP_MEDIA_USB, WP_NIST_CLEAR, "Table A-8" },
	{ "zero-ones", WP_MEDIA_MMC, WP_NIST_CLEAR, "Table A-8" },
	{ "dod3", WP_MEDIA_USB, WP_NIST_CLEAR, "Table A-8" },
	{ "secure-discard", WP_MEDIA_MMC, WP_NIST_CLEAR, "Table A-8" },
};

START_TEST(nist_labels_follow_the_tables)
{
	for (size_t i = 0; i < sizeof(nist_text) / sizeof(nist_text[0]); i++) {
		const struct wp_method *m = wp_method_find(nist_text[i].method);
		char why[384];
		ck_assert_ptr_nonnull(m);
		enum wp_nist got = wp_method_nist(m, nist_text[i].media, why, sizeof(why));
		ck_assert_msg(got == nist_text[i].want, "%s on %s: %s, the text says %s (%s)",
			      nist_text[i].method, wp_media_name(nist_text[i].media),
			      wp_nist_name(got), wp_nist_name(nist_text[i].want), why);
		const char *source = wp_method_nist_source(m, nist_text[i].media);
		ck_assert_msg(strstr(source, nist_text[i].doc) != NULL, "%s on %s cites \"%s\"",
			      nist_text[i].method, wp_media_name(nist_text[i].media), source);
	}
}
END_TEST

/* Whatever the medium and method: Purge only where a row above says so. */
START_TEST(plan_never_says_purge_beyond_the_tables)
{
	static const enum wp_media media[] = { WP_MEDIA_OTHER, WP_MEDIA_HDD, WP_MEDIA_SSD,
		WP_MEDIA_NVME, WP_MEDIA_USB, WP_MEDIA_MMC, WP_MEDIA_LOOP, WP_MEDIA_VIRTUAL,
		WP_MEDIA_OPTICAL };
	for (size_t k = 0; k < sizeof(media) / sizeof(media[0]); k++) {
		for (int f = 0; f < WP_FW_COUNT; f++) {
			const struct wp_method *m = f ? wp_fw_method((enum wp_fw_method)f)
						      : wp_method_find("random");
			enum wp_fw_bus bus = f ? wp_fw_method_bus((enum wp_fw_method)f)
					       : WP_FW_BUS_NONE;
			enum wp_fw_method id = (enum wp_fw_method)f;
			struct wp_fw_caps caps = caps_with(bus, &id, f ? 1 : 0);
			struct wp_plan plan;
			int rc = wp_plan_make(media[k], &caps, WP_LEVEL_PURGE, m, &plan);
			bool listed = false;
			for (size_t i = 0; i < sizeof(nist_text) / sizeof(nist_text[0]); i++)
				listed |= nist_text[i].want == WP_NIST_PURGE &&
					  nist_text[i].media == media[k] &&
					  strcmp(nist_text[i].method, m->name) == 0;
			ck_assert_msg((rc == 0) == listed, "%s on %s: plan %s Purge", m->name,
				      wp_media_name(media[k]), rc == 0 ? "says" : "refuses");
			if (rc == 0) {
				ck_assert_int_eq(plan.category, WP_NIST_PURGE);
				ck_assert(plan.source[0] != '\0');
			}
			/* and the best plan for a drive with only this method */
			rc = wp_plan_make(media[k], &caps, WP_LEVEL_BEST, NULL, &plan);
			/* an optical disc gets no plan at all (optical_reaches_no_category) */
			ck_assert_int_eq(rc, media[k] == WP_MEDIA_OPTICAL ? -1 : 0);
			if (rc < 0)
				continue;
			ck_assert_msg(plan.category != WP_NIST_PURGE || listed,
				      "%s on %s: best plan %s says Purge", m->name,
				      wp_media_name(media[k]), plan.method->name);
		}
	}
}
END_TEST

/* SP 800-88 Rev.1 Table A-7 (optical media: CD, DVD, BD rows): Clear and
 * Purge "N/A", Destroy only. Nothing done to a disc reaches a category, and
 * plan refuses a disc, naming the table; a forced blank is possible where
 * the drive allows it, with no category. */
START_TEST(optical_reaches_no_category)
{
	static const enum wp_fw_method ok[] = { WP_FW_OPTICAL_BLANK_FULL, WP_FW_OPTICAL_BLANK_FAST };
	struct wp_fw_caps caps = caps_with(WP_FW_BUS_OPTICAL, ok, 2);
	struct wp_plan plan;
	const char *names[] = { "optical-blank-full", "optical-blank-fast", "optical-overwrite",
				"random", "zero-ones", "dod3" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct wp_method *m = wp_method_find(names[i]);
		char why[384];
		ck_assert_int_eq(wp_method_nist(m, WP_MEDIA_OPTICAL, why, sizeof(why)), WP_NIST_NONE);
		ck_assert_msg(strstr(wp_method_nist_source(m, WP_MEDIA_OPTICAL), "Table A-7") != NULL,
			      "%s", names[i]);
	}
	for (int level = WP_LEVEL_BEST; level <= WP_LEVEL_PURGE; level++) {
		ck_assert_int_eq(wp_plan_make(WP_MEDIA_OPTICAL, &caps, (enum wp_level)level, NULL,
					      &plan), -1);
		ck_assert_ptr_nonnull(strstr(plan.refusal, "Table A-7"));
	}
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_OPTICAL, &caps, WP_LEVEL_BEST,
				      wp_method_find("optical-blank-full"), &plan), 0);
	ck_assert_int_eq(plan.category, WP_NIST_NONE);
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_OPTICAL, &caps, WP_LEVEL_BEST,
				      wp_method_find("optical-overwrite"), &plan), -1);
	ck_assert_ptr_nonnull(strstr(plan.refusal, "not supported by this test drive"));
	ck_assert_str_eq(wp_media_name(WP_MEDIA_OPTICAL), "optical");
	ck_assert_int_eq(wp_media_parse("optical"), WP_MEDIA_OPTICAL);
}
END_TEST

START_TEST(plan_source_reaches_report)
{
	static const enum wp_fw_method ok[] = { WP_FW_ATA_SANITIZE_OVERWRITE };
	struct wp_fw_caps caps = caps_with(WP_FW_BUS_ATA, ok, 1);
	struct wp_plan plan;
	ck_assert_int_eq(wp_plan_make(WP_MEDIA_HDD, &caps, WP_LEVEL_PURGE, NULL, &plan), 0);
	ck_assert_str_eq(plan.method->name, "ata-sanitize-overwrite");
	ck_assert_ptr_nonnull(strstr(plan.source, "Table A-5, ATA Hard Disk Drives, Purge 1a"));
	char err[256];
	struct wp_job job, back;
	ck_assert_int_eq(wp_job_init(&job, err, sizeof(err)), 0);
	snprintf(job.method, sizeof(job.method), "%s", plan.method->name);
	snprintf(job.nist_category, sizeof(job.nist_category), "Purge");
	snprintf(job.nist_source, sizeof(job.nist_source), "%s", plan.source);
	job.firmware.used = true;
	json_t *root = wp_job_to_json(&job);
	ck_assert_str_eq(json_string_value(json_object_get(root, "nist_source")), plan.source);
	ck_assert_int_eq(wp_job_from_json(root, &back, err, sizeof(err)), 0);
	ck_assert_str_eq(back.nist_source, plan.source);
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
	tcase_add_test(tc, nist_labels_follow_the_tables);
	tcase_add_test(tc, plan_never_says_purge_beyond_the_tables);
	tcase_add_test(tc, plan_source_reaches_report);
	tcase_add_test(tc, optical_reaches_no_category);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
