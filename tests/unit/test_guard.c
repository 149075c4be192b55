/*
 * The safety guard on synthetic devices: every fact alone, combinations,
 * --force-holders, and the limits of the reason array. No disk needed.
 */
#include "check_main.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udev.h"
#include "udev_internal.h"

enum fact {
	F_SYSTEM = 1 << 0,
	F_MOUNTED = 1 << 1,
	F_SWAP = 1 << 2,
	F_HOLDERS = 1 << 3,
	F_READ_ONLY = 1 << 4,
	F_WRITE_ONCE = 1 << 5,
	F_OPTICAL = 1 << 6,
	F_NO_MEDIUM = 1 << 7,
};

static struct wp_device dev;

/* A clean USB stick, then the requested facts on top. */
static void make_device(struct wp_device *d, unsigned facts)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "/dev/sdx");
	snprintf(d->name, sizeof(d->name), "sdx");
	d->kind = WP_KIND_USB;
	d->transport = WP_TRANSPORT_USB;
	d->size_bytes = 16ULL << 30;
	if (facts & F_SYSTEM) {
		d->holds_system = true;
		snprintf(d->system_mount, sizeof(d->system_mount), "/");
	}
	if (facts & F_MOUNTED) {
		d->mounted = true;
		snprintf(d->mounted_what, sizeof(d->mounted_what),
			 "/dev/sdx1 on /media/x");
	}
	if (facts & F_SWAP) {
		d->swap_active = true;
		snprintf(d->swap_what, sizeof(d->swap_what), "/dev/sdx2");
	}
	if (facts & F_HOLDERS) {
		d->n_holders = 2;
		snprintf(d->holders[0], sizeof(d->holders[0]), "dm-0");
		snprintf(d->holders[1], sizeof(d->holders[1]), "md127");
	}
	if (facts & F_READ_ONLY)
		d->read_only = true;
	if (facts & (F_WRITE_ONCE | F_OPTICAL)) {
		d->kind = WP_KIND_OPTICAL;
		d->transport = WP_TRANSPORT_ATA;
	}
	if (facts & F_WRITE_ONCE)
		d->optical_write_once = true;
	if (facts & F_NO_MEDIUM) {
		d->no_medium = true;
		d->size_bytes = 0;
	}
}

struct guard_case {
	const char *name;
	unsigned facts;
	bool force_holders;
	const char *codes[WP_MAX_REASONS + 1]; /* in order, NULL-terminated */
	bool hard;
};

static const struct guard_case cases[] = {
	{ "clean disk", 0, false, { NULL }, false },
	{ "system disk", F_SYSTEM, false, { WP_REASON_SYSTEM_DISK }, true },
	{ "mounted", F_MOUNTED, false, { WP_REASON_MOUNTED }, true },
	{ "swap", F_SWAP, false, { WP_REASON_SWAP }, true },
	{ "holders", F_HOLDERS, false, { WP_REASON_HOLDERS }, false },
	{ "read-only", F_READ_ONLY, false, { WP_REASON_READ_ONLY }, true },
	{ "write-once", F_WRITE_ONCE, false, { WP_REASON_WRITE_ONCE }, true },
	{ "optical", F_OPTICAL, false, { WP_REASON_OPTICAL }, true },
	{ "no medium", F_NO_MEDIUM, false, { WP_REASON_NO_MEDIUM }, true },
	{ "empty optical drive", F_OPTICAL | F_NO_MEDIUM, false,
	  { WP_REASON_NO_MEDIUM }, true },
	{ "holders forced", F_HOLDERS, true, { NULL }, false },
	{ "system disk despite force", F_SYSTEM | F_HOLDERS, true,
	  { WP_REASON_SYSTEM_DISK }, true },
	{ "mounted despite force", F_MOUNTED | F_HOLDERS, true,
	  { WP_REASON_MOUNTED }, true },
	{ "system and holders", F_SYSTEM | F_HOLDERS, false,
	  { WP_REASON_SYSTEM_DISK, WP_REASON_HOLDERS }, true },
	{ "mounted swap read-only", F_MOUNTED | F_SWAP | F_READ_ONLY, false,
	  { WP_REASON_MOUNTED, WP_REASON_SWAP, WP_REASON_READ_ONLY }, true },
	{ "everything", 0xff, false,
	  { WP_REASON_SYSTEM_DISK, WP_REASON_MOUNTED, WP_REASON_SWAP,
	    WP_REASON_HOLDERS, WP_REASON_READ_ONLY, WP_REASON_WRITE_ONCE,
	    WP_REASON_NO_MEDIUM }, true },
};

#define N_CASES ((int)(sizeof(cases) / sizeof(cases[0])))

static size_t count_codes(const struct guard_case *c)
{
	size_t n = 0;

	while (n < WP_MAX_REASONS && c->codes[n])
		n++;
	return n;
}

START_TEST(test_guard_table)
{
	const struct guard_case *c = &cases[_i];
	struct wp_guard_opts opts = { .force_holders = c->force_holders };
	size_t want = count_codes(c);

	make_device(&dev, c->facts);
	wp_guard_evaluate(&dev, &opts);

	ck_assert_msg(dev.n_reasons == want, "%s: %zu reasons, want %zu",
		      c->name, dev.n_reasons, want);
	for (size_t i = 0; i < want; i++) {
		ck_assert_msg(strcmp(dev.reasons[i].code, c->codes[i]) == 0,
			      "%s: reason %zu is '%s', want '%s'", c->name, i,
			      dev.reasons[i].code, c->codes[i]);
		ck_assert_msg(dev.reasons[i].overridable ==
				      (strcmp(c->codes[i], WP_REASON_HOLDERS) == 0),
			      "%s: '%s' overridable is wrong", c->name,
			      c->codes[i]);
		ck_assert_msg(strstr(dev.reasons[i].text, "/dev/sdx") != NULL,
			      "%s: text does not name the disk: %s", c->name,
			      dev.reasons[i].text);
	}
	ck_assert_msg(dev.protected_ == (want > 0), "%s: protected_ wrong",
		      c->name);
	ck_assert_msg(wp_guard_hard_refusal(&dev) == c->hard,
		      "%s: hard refusal wrong", c->name);
}
END_TEST

/* The reason whose code is code, or NULL. */
static const struct wp_protect_reason *find_reason(const struct wp_device *d,
						   const char *code)
{
	for (size_t i = 0; i < d->n_reasons; i++)
		if (strcmp(d->reasons[i].code, code) == 0)
			return &d->reasons[i];
	return NULL;
}

static void assert_text(const char *code, const char *needle)
{
	const struct wp_protect_reason *r = find_reason(&dev, code);

	ck_assert_msg(r != NULL, "no '%s' reason", code);
	ck_assert_msg(strstr(r->text, needle) != NULL,
		      "'%s' text lacks '%s': %s", code, needle, r->text);
}

START_TEST(test_texts_name_the_cause)
{
	make_device(&dev, 0xff);
	wp_guard_evaluate(&dev, NULL);

	assert_text(WP_REASON_SYSTEM_DISK, "root filesystem");
	assert_text(WP_REASON_SYSTEM_DISK, "never wipes");
	assert_text(WP_REASON_MOUNTED, "/dev/sdx1 on /media/x");
	assert_text(WP_REASON_SWAP, "/dev/sdx2");
	assert_text(WP_REASON_SWAP, "swapoff");
	assert_text(WP_REASON_HOLDERS, "dm-0, md127");
	assert_text(WP_REASON_HOLDERS, "--force-holders");
	assert_text(WP_REASON_READ_ONLY, "read-only");
	assert_text(WP_REASON_WRITE_ONCE, "destroy it physically");
	assert_text(WP_REASON_NO_MEDIUM, "no medium");
}
END_TEST

/* The umount hint is for data disks, never for the disk the system runs on. */
START_TEST(test_umount_hint_only_for_data_disks)
{
	make_device(&dev, F_MOUNTED);
	wp_guard_evaluate(&dev, NULL);
	assert_text(WP_REASON_MOUNTED, "umount /media/x");

	make_device(&dev, F_MOUNTED | F_SYSTEM);
	wp_guard_evaluate(&dev, NULL);
	assert_text(WP_REASON_MOUNTED, "/dev/sdx1 on /media/x");
	ck_assert_ptr_null(strstr(find_reason(&dev, WP_REASON_MOUNTED)->text, "umount"));
}
END_TEST

START_TEST(test_boot_mounts_are_named)
{
	make_device(&dev, F_SYSTEM);
	snprintf(dev.system_mount, sizeof(dev.system_mount), "/boot/efi");
	wp_guard_evaluate(&dev, NULL);
	assert_text(WP_REASON_SYSTEM_DISK, "/boot/efi (EFI system partition)");

	make_device(&dev, F_SYSTEM);
	snprintf(dev.system_mount, sizeof(dev.system_mount), "/boot");
	wp_guard_evaluate(&dev, NULL);
	assert_text(WP_REASON_SYSTEM_DISK, "/boot (boot filesystem)");
}
END_TEST

START_TEST(test_optical_text)
{
	make_device(&dev, F_OPTICAL);
	wp_guard_evaluate(&dev, NULL);
	assert_text(WP_REASON_OPTICAL, "not wiped by overwrite");
}
END_TEST

START_TEST(test_null_opts_refuse_holders)
{
	make_device(&dev, F_HOLDERS);
	wp_guard_evaluate(&dev, NULL);
	ck_assert(dev.protected_);
	ck_assert_uint_eq(dev.n_reasons, 1);
	ck_assert_str_eq(dev.reasons[0].code, WP_REASON_HOLDERS);
	ck_assert(dev.reasons[0].overridable);
	ck_assert(!wp_guard_hard_refusal(&dev));
}
END_TEST

/* A verdict left from an earlier evaluation must not survive. */
START_TEST(test_stale_verdict_is_reset)
{
	make_device(&dev, F_MOUNTED);
	wp_guard_evaluate(&dev, NULL);
	ck_assert(dev.protected_);

	dev.mounted = false;
	wp_guard_evaluate(&dev, NULL);
	ck_assert(!dev.protected_);
	ck_assert_uint_eq(dev.n_reasons, 0);

	dev.n_reasons = 1000;
	dev.protected_ = true;
	wp_guard_evaluate(&dev, NULL);
	ck_assert(!dev.protected_);
	ck_assert_uint_eq(dev.n_reasons, 0);
	ck_assert(!wp_guard_hard_refusal(&dev));
}
END_TEST

START_TEST(test_reasons_capped)
{
	make_device(&dev, 0xff);
	for (int round = 0; round < 3; round++) {
		wp_guard_evaluate(&dev, NULL);
		ck_assert_uint_le(dev.n_reasons, WP_MAX_REASONS);
		ck_assert_uint_eq(dev.n_reasons, 7);
	}
	/* a corrupt count must not make hard_refusal read past the array */
	dev.n_reasons = WP_MAX_REASONS + 5;
	ck_assert(wp_guard_hard_refusal(&dev));
	for (size_t i = 0; i < WP_MAX_REASONS; i++)
		dev.reasons[i].overridable = true;
	ck_assert(!wp_guard_hard_refusal(&dev));
}
END_TEST

/* Longest holders list and longest mount description: texts are cut, never
 * overflowed, and still start with the disk. */
START_TEST(test_long_facts_truncate_safely)
{
	make_device(&dev, F_HOLDERS | F_MOUNTED | F_SWAP);
	dev.n_holders = WP_MAX_HOLDERS;
	for (size_t i = 0; i < WP_MAX_HOLDERS; i++)
		memset(dev.holders[i], 'h', sizeof(dev.holders[i]) - 1);
	memset(dev.mounted_what, 'm', sizeof(dev.mounted_what) - 1);
	memset(dev.swap_what, 's', sizeof(dev.swap_what) - 1);
	wp_guard_evaluate(&dev, NULL);

	ck_assert_uint_eq(dev.n_reasons, 3);
	for (size_t i = 0; i < dev.n_reasons; i++) {
		ck_assert_uint_lt(strlen(dev.reasons[i].text),
				  sizeof(dev.reasons[i].text));
		ck_assert(strncmp(dev.reasons[i].text, "/dev/sdx ", 9) == 0);
	}
}
END_TEST

/* Only a mapping marked by its creator passes; LVM, dm-crypt and multipath
 * UUIDs never do, nor the bare prefix or another case. */
START_TEST(test_dm_test_uuid)
{
	ck_assert(wp_guard_dm_test_uuid("WIPEPROOF-TEST-BAD"));
	ck_assert(wp_guard_dm_test_uuid("WIPEPROOF-TEST-flaky-1"));
	ck_assert(!wp_guard_dm_test_uuid("WIPEPROOF-TEST-"));
	ck_assert(!wp_guard_dm_test_uuid("wipeproof-test-bad"));
	ck_assert(!wp_guard_dm_test_uuid("LVM-k3Jd0aXWIPEPROOF-TEST-"));
	ck_assert(!wp_guard_dm_test_uuid("CRYPT-LUKS2-0123-WIPEPROOF-TEST-x"));
	ck_assert(!wp_guard_dm_test_uuid("mpath-3600508b400105e210000900000490000"));
	ck_assert(!wp_guard_dm_test_uuid(""));
	ck_assert(!wp_guard_dm_test_uuid(NULL));
}
END_TEST

/* The one mountinfo splitter (proc(5) gives the line shape): optional
 * tags before "-", and \040 for a space in a mount point or a source. */
START_TEST(test_mountinfo_split)
{
	char line[] = "36 35 98:17 /data /mnt/my\\040disk rw,noatime master:1 shared:2 - ext4 "
		      "/dev/sd\\134b1 rw,errors=continue\n";
	struct wp_mountinfo m;
	ck_assert_int_eq(wp_mountinfo_split(line, &m), 0);
	ck_assert_uint_eq(m.major, 98);
	ck_assert_uint_eq(m.minor, 17);
	ck_assert_str_eq(m.dir, "/mnt/my disk");
	ck_assert_str_eq(m.fstype, "ext4");
	ck_assert_str_eq(m.source, "/dev/sd\\b1");
	char bad[] = "36 35 98:17 /data /mnt rw\n";
	ck_assert_int_eq(wp_mountinfo_split(bad, &m), -1);
	struct wp_mount mnt;
	char err[600];
	ck_assert_int_eq(wp_mount_lookup("/proc", &mnt, err, sizeof(err)), 0);
	ck_assert_str_eq(mnt.fstype, "proc");
	ck_assert_int_eq(wp_mount_lookup("/proc/self", &mnt, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not a mount point"), "%s", err);
}
END_TEST

/* The one same-disk comparison: every set field counts, an unset one not. */
START_TEST(test_disk_is)
{
	static struct wp_device d;
	memset(&d, 0, sizeof(d));
	snprintf(d.serial, sizeof(d.serial), "S1");
	snprintf(d.model, sizeof(d.model), "M");
	d.size_bytes = 1000;
	d.logical_block_size = 512;
	d.devno = 42;
	struct wp_disk_ident id = { .serial = "S1", .model = "M", .size_bytes = 1000,
				    .logical_block_size = 512, .devno = 42 };
	ck_assert(wp_disk_is(&d, &id));
	id.serial = "S2";
	ck_assert(!wp_disk_is(&d, &id));
	id.serial = "";
	ck_assert(!wp_disk_is(&d, &id)); /* "" is a value: a disk without a serial */
	id.serial = NULL;
	ck_assert(wp_disk_is(&d, &id));
	id.model = "N";
	ck_assert(!wp_disk_is(&d, &id));
	id.model = NULL;
	id.size_bytes = 999;
	ck_assert(!wp_disk_is(&d, &id));
	id.size_bytes = 0;
	id.logical_block_size = 4096;
	ck_assert(!wp_disk_is(&d, &id));
	id.logical_block_size = 0;
	id.devno = 43;
	ck_assert(!wp_disk_is(&d, &id));
	id.devno = 0;
	ck_assert(wp_disk_is(&d, &id));
}
END_TEST

static Suite *guard_suite(void)
{
	Suite *s = suite_create("guard");
	TCase *tc = tcase_create("rules");

	tcase_add_loop_test(tc, test_guard_table, 0, N_CASES);
	tcase_add_test(tc, test_texts_name_the_cause);
	tcase_add_test(tc, test_umount_hint_only_for_data_disks);
	tcase_add_test(tc, test_boot_mounts_are_named);
	tcase_add_test(tc, test_optical_text);
	tcase_add_test(tc, test_null_opts_refuse_holders);
	tcase_add_test(tc, test_stale_verdict_is_reset);
	tcase_add_test(tc, test_reasons_capped);
	tcase_add_test(tc, test_long_facts_truncate_safely);
	tcase_add_test(tc, test_dm_test_uuid);
	tcase_add_test(tc, test_mountinfo_split);
	tcase_add_test(tc, test_disk_is);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return wp_run_suite(guard_suite());
}
