/*
 * custody blanked --device through station/ alone (station/blank.c): a
 * simulated MMC drive behind wipe/'s I/O boundary, a real ledger and real
 * keys in a temporary folder. The `blanked` event is recorded from what the
 * drive did; every refusal comes before a command that writes (BLANK,
 * WRITE(10)) reaches the drive, and records nothing.
 *
 * The simulator decodes the commands with the constants read out of
 * xorriso's records (tests/conformance/reference.h), not with wipe/'s own;
 * the bytes themselves are pinned by conf_optical_* against xorriso and
 * sg_raw.
 */
#include "station.h"
#include "fixtures.h"
#include "firmware.h"
#include "../conformance/reference.h"

#include "check_main.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OPERATOR "鈴木 一郎"
#define APPROVER "山田 太郎"
#define AUDITOR "伊藤 監査"

static char dir[64], ledger[128], err[1024];
static struct wp_identity *op, *boss, *auditor;

/* ---- the drive ------------------------------------------------------------ */

struct drive {
	unsigned profile;
	unsigned polls_left;
	bool fail_blank;          /* MEDIUM ERROR 51h/00h after the blank */
	bool blanked;
	uint32_t blocks;
	uint8_t *data;
	unsigned sent, blanks, writes, reads;
};
static struct drive D;

static void check_condition(struct sg_io_hdr *h, uint8_t key, uint8_t asc, uint8_t ascq)
{
	uint8_t *sb = h->sbp;
	memset(sb, 0, h->mx_sb_len);
	sb[0] = 0x70, sb[2] = key, sb[7] = 10, sb[12] = asc, sb[13] = ascq;
	h->sb_len_wr = 18;
	h->status = 0x02;
}

static void answer(struct sg_io_hdr *h, const void *p, size_t n)
{
	memset(h->dxferp, 0, h->dxfer_len);
	memcpy(h->dxferp, p, n < h->dxfer_len ? n : h->dxfer_len);
}

static int drive_sg_io(void *ctx, int fd, struct sg_io_hdr *h)
{
	(void)ctx, (void)fd;
	const uint8_t *c = h->cmdp;
	uint8_t b[34] = { 0 };
	D.sent++;
	h->status = 0, h->host_status = 0, h->sb_len_wr = 0;
	if (c[0] == REF_MMC_GET_CONFIGURATION) {
		b[6] = (uint8_t)(D.profile >> 8), b[7] = (uint8_t)D.profile;
		answer(h, b, 8);
	} else if (c[0] == REF_MMC_BLANK) {
		ck_assert_uint_eq(c[1], REF_MMC_BLANK_IMMED | REF_MMC_BLANK_TYPE_FULL);
		D.blanks++;
		D.polls_left = 3;
		D.blanked = !D.fail_blank;
	} else if (c[0] == REF_MMC_TEST_UNIT_READY) {
		if (D.polls_left)
			check_condition(h, 0x02, 0x04, 0x07);
		else if (D.fail_blank)
			check_condition(h, 0x03, 0x51, 0x00);
	} else if (c[0] == REF_MMC_REQUEST_SENSE) {
		uint8_t s[18] = { 0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x04, 0x07, 0, 0x80 };
		s[16] = (uint8_t)(0x40 * (4 - D.polls_left));
		D.polls_left--;
		answer(h, s, sizeof(s));
	} else if (c[0] == REF_MMC_READ_DISC_INFO) {
		b[1] = 32, b[2] = D.blanked ? 0x10 : 0x1e;
		answer(h, b, sizeof(b));
	} else if (c[0] == REF_MMC_READ_CAPACITY) {
		uint32_t last = D.blocks - 1;
		uint8_t cap[8] = { (uint8_t)(last >> 24), (uint8_t)(last >> 16), (uint8_t)(last >> 8),
				   (uint8_t)last, 0, 0, 0x08, 0 };
		answer(h, cap, 8);
	} else if (c[0] == REF_MMC_WRITE10 || c[0] == REF_MMC_READ10) {
		uint32_t lba = (uint32_t)c[2] << 24 | (uint32_t)c[3] << 16 | (uint32_t)c[4] << 8 | c[5];
		size_t n = ((size_t)c[7] << 8 | c[8]) * 2048;
		ck_assert_uint_le(lba * 2048ull + n, D.blocks * 2048ull);
		if (c[0] == REF_MMC_WRITE10) {
			ck_assert_uint_le(c[8], REF_MMC_WRITE10_BLOCKS);
			memcpy(D.data + lba * 2048ull, h->dxferp, n);
			D.writes++;
		} else {
			memcpy(h->dxferp, D.data + lba * 2048ull, n);
			D.reads++;
		}
	} else if (c[0] != 0x35) { /* SYNCHRONIZE CACHE: nothing buffered here */
		check_condition(h, 0x05, 0x20, 0x00);
	}
	return 0;
}

static void drive_pause(void *ctx, unsigned ms)
{
	(void)ctx, (void)ms;
}

static const struct wp_fw_io drive_io = { .sg_io = drive_sg_io, .pause = drive_pause };

static void insert(unsigned profile)
{
	free(D.data);
	memset(&D, 0, sizeof(D));
	D.profile = profile;
	D.blocks = 40;
	D.data = malloc(D.blocks * 2048u);
	memset(D.data, 0x5a, D.blocks * 2048u); /* recorded data */
}

/* ---- the ledger ------------------------------------------------------------ */

static int record(struct wp_identity *who, struct wp_custody_ask a, const char *media)
{
	struct wp_life_opts life = { .sub = a.action, .ledger_path = ledger, .media = media };
	json_t *body = NULL;
	uint64_t seq;
	char hash[WP_HASH_HEX];
	a.life = &life;
	int rc = wp_custody_ask_body(&a, &body, err, sizeof(err));
	if (rc == 0)
		rc = wp_custody_record(ledger, who, NULL, &a, body, &seq, hash, err, sizeof(err));
	json_decref(body);
	return rc;
}

static void disc(const char *asset, const char *media, bool approve)
{
	ck_assert_msg(record(op, (struct wp_custody_ask){ .action = "intake", .asset = asset,
			     .serial = asset, .model = "disc" }, media) == 0, "%s", err);
	if (!approve)
		return;
	ck_assert_msg(record(op, (struct wp_custody_ask){ .action = "request", .asset = asset },
			     NULL) == 0, "%s", err);
	ck_assert_msg(record(boss, (struct wp_custody_ask){ .action = "approve", .asset = asset,
			     .approve_for = "wipe,release" }, NULL) == 0, "%s", err);
}

static void setup(void)
{
	struct wp_person p;
	snprintf(dir, sizeof(dir), "/tmp/wp-test-blank-XXXXXX");
	ck_assert(mkdtemp(dir));
	snprintf(ledger, sizeof(ledger), "%s/ledger.db", dir);
	ck_assert_msg(wp_keys_init_ca(dir, "テスト", 365, NULL, &p, err, sizeof(err)) == 0, "%s", err);
	ck_assert(op = wp_fx_person(dir, OPERATOR, "係員", WP_ROLE_OPERATOR));
	ck_assert(boss = wp_fx_person(dir, APPROVER, "係員", WP_ROLE_APPROVER));
	ck_assert(auditor = wp_fx_person(dir, AUDITOR, "係員", WP_ROLE_AUDITOR));
	ck_assert_msg(record(boss, (struct wp_custody_ask){ .action = "init" }, NULL) == 0, "%s",
		      err);
	disc("CD-RW-1", "CD-RW", true);
	disc("CD-RW-2", "CD-RW", true);
	disc("CD-RW-3", "CD-RW", false);
	disc("CD-R-1", "CD-R", true);
	disc("DVD+RW-1", "DVD+RW", true);
	disc("CD-RW-4", "CD-RW", true);
}

static void teardown(void)
{
	char cmd[128];
	wp_identity_free(op);
	wp_identity_free(boss);
	wp_identity_free(auditor);
	free(D.data);
	D.data = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (dir[0] && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* ---- the blank -------------------------------------------------------------- */

static struct wp_device drive_dev(enum wp_kind kind, const char *media)
{
	struct wp_device d;
	memset(&d, 0, sizeof(d));
	snprintf(d.path, sizeof(d.path), "/dev/sr0");
	d.kind = kind;
	snprintf(d.media, sizeof(d.media), "%s", media);
	d.size_bytes = 40 * 2048;
	return d;
}

/* blank ASSET as WHO with METHOD; the custody code */
static int blank(struct wp_identity *who, const char *asset, const struct wp_device *dev,
		 const char *method)
{
	struct wp_life_opts life = { .sub = "blanked", .ledger_path = ledger, .method = method,
				     .device = "/dev/sr0" };
	struct wp_custody_ask a = { .action = "blanked", .asset = asset, .life = &life };
	json_t *body = NULL;
	uint64_t seq;
	char hash[WP_HASH_HEX];
	int rc = wp_custody_ask_body(&a, &body, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	struct wp_station_blank b = { .ledger_path = ledger, .actor = who, .ask = &a,
				      .asset = asset, .device = "/dev/sr0", .body = body,
				      .io = &drive_io, .dev = dev };
	rc = wp_station_blank(&b, &seq, hash, err, sizeof(err));
	json_decref(body);
	return rc;
}

/* The asset's state and its last event of KIND, from a verified pass. */
static json_t *last_body;
static int keep_last(const struct wp_event *ev, void *ctx)
{
	if (strcmp(ev->kind, (const char *)ctx) == 0) {
		json_decref(last_body);
		last_body = json_incref(ev->body);
	}
	return 0;
}

static bool blanked(const char *asset, bool want_body)
{
	struct wp_ledger *l = NULL;
	struct wp_asset_state st;
	X509 *ca = NULL;
	char path[200];
	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	ck_assert_msg(wp_cert_load(path, &ca, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(wp_ledger_open_readonly(ledger, &l, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(wp_ledger_set_ca(l, ca, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(wp_custody_state(l, asset, &st, err, sizeof(err)) == 0, "%s", err);
	json_decref(last_body);
	last_body = NULL;
	if (want_body)
		ck_assert_msg(wp_custody_each(l, asset, keep_last, (void *)WP_EV_BLANKED, err,
					      sizeof(err)) == 0, "%s", err);
	wp_ledger_close(l);
	X509_free(ca);
	return st.blanked;
}

START_TEST(cd_rw_blanked_and_recorded)
{
	struct wp_device d = drive_dev(WP_KIND_OPTICAL, "CD-RW");
	insert(0x0a);
	ck_assert_msg(blank(op, "CD-RW-1", &d, NULL) == 0, "%s", err);
	ck_assert_uint_eq(D.blanks, 1);
	ck_assert(D.blanked);
	ck_assert(blanked("CD-RW-1", true));
	ck_assert_ptr_nonnull(last_body);
	ck_assert_str_eq(json_string_value(json_object_get(last_body, "method")), "full");
	ck_assert_str_eq(json_string_value(json_object_get(last_body, "disc")), "CD-RW");
	ck_assert_str_eq(json_string_value(json_object_get(last_body, "result")), "success");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(last_body, "command")),
				     "MMC BLANK, blanking type 000b"));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(last_body, "tool")),
				     "wipeproof "));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(last_body, "checked")),
				     "disc status empty"));
}
END_TEST

START_TEST(dvd_plus_rw_overwritten_and_read_back)
{
	struct wp_device d = drive_dev(WP_KIND_OPTICAL, "DVD+RW");
	insert(0x1a);
	ck_assert_msg(blank(op, "DVD+RW-1", &d, NULL) == 0, "%s", err);
	ck_assert_uint_eq(D.blanks, 0);
	ck_assert_uint_eq(D.writes, 40 / REF_MMC_WRITE10_BLOCKS + 1);
	ck_assert_uint_gt(D.reads, 0);
	for (size_t i = 0; i < D.blocks * 2048u; i++)
		ck_assert_uint_eq(D.data[i], 0);
	ck_assert(blanked("DVD+RW-1", true));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(last_body, "command")),
				     "WRITE(10)"));
	ck_assert_str_eq(json_string_value(json_object_get(last_body, "method")), "full");
}
END_TEST

/* A failed blank is no blank: nothing recorded. */
START_TEST(failed_blank_records_nothing)
{
	struct wp_device d = drive_dev(WP_KIND_OPTICAL, "CD-RW");
	insert(0x0a);
	D.fail_blank = true;
	ck_assert_int_eq(blank(op, "CD-RW-2", &d, NULL), WP_CUSTODY_ERROR);
	ck_assert_ptr_nonnull(strstr(err, "erase failure"));
	ck_assert(!blanked("CD-RW-2", false));
}
END_TEST

/* Refusals: before BLANK or WRITE(10), and nothing recorded. */
START_TEST(refused_before_anything_is_written)
{
	struct wp_device cd = drive_dev(WP_KIND_OPTICAL, "CD-RW");
	struct wp_device loop = drive_dev(WP_KIND_LOOP, "");
	struct wp_device unknown = drive_dev(WP_KIND_OPTICAL, "");
	unknown.optical_write_once = true; /* udev's reading of a disc cdrom_id did not name */
	struct wp_device cdr = drive_dev(WP_KIND_OPTICAL, "CD-R");
	cdr.optical_write_once = true;

	/* the ledger's rules: no command at all */
	insert(0x0a);
	ck_assert_int_eq(blank(op, "CD-RW-3", &cd, NULL), WP_CUSTODY_REFUSED); /* no approval */
	ck_assert_ptr_nonnull(strstr(err, "no approval"));
	ck_assert_int_eq(blank(op, "CD-R-1", &cdr, NULL), WP_CUSTODY_REFUSED);
	ck_assert_ptr_nonnull(strstr(err, "only a rewritable disc"));
	ck_assert_int_eq(blank(op, "CD-RW-4", &cd, "fast"), WP_CUSTODY_REFUSED);
	ck_assert_ptr_nonnull(strstr(err, "table of contents"));
	ck_assert_int_eq(blank(auditor, "CD-RW-4", &cd, NULL), WP_CUSTODY_REFUSED);
	ck_assert_int_eq(blank(op, "NO-SUCH", &cd, NULL), WP_CUSTODY_REFUSED);
	ck_assert_uint_eq(D.sent, 0);

	/* the device: not an optical drive; a write-once disc by udev's word */
	ck_assert_int_eq(blank(op, "CD-RW-4", &loop, NULL), WP_CUSTODY_REFUSED);
	ck_assert_ptr_nonnull(strstr(err, "is not an optical drive"));
	ck_assert_int_eq(blank(op, "CD-RW-4", &cdr, NULL), WP_CUSTODY_REFUSED);
	ck_assert_ptr_nonnull(strstr(err, "write-once"));
	ck_assert_uint_eq(D.sent, 0);

	/* the disc's own profile (udev said nothing): GET CONFIGURATION only */
	insert(0x09); /* a CD-R in the drive of a CD-RW asset */
	ck_assert_int_eq(blank(op, "CD-RW-4", &unknown, NULL), WP_CUSTODY_REFUSED);
	ck_assert_ptr_nonnull(strstr(err, "CD-R (write-once): it cannot be erased, destroy it"));
	ck_assert_uint_eq(D.sent, 1);
	insert(0x08); /* a pressed CD-ROM: QEMU's scsi-cd with an ISO */
	ck_assert_int_eq(blank(op, "CD-RW-4", &unknown, NULL), WP_CUSTODY_REFUSED);
	ck_assert_ptr_nonnull(strstr(err, "CD-ROM (pressed)"));
	insert(0x14); /* a DVD-RW, blankable, but not the CD-RW on record */
	ck_assert_int_eq(blank(op, "CD-RW-4", &unknown, NULL), WP_CUSTODY_REFUSED);
	ck_assert_ptr_nonnull(strstr(err, "is a DVD-RW (the drive's profile 0014h), but asset "
				     "CD-RW-4 is recorded as a CD-RW"));
	ck_assert_uint_eq(D.sent, 1);
	ck_assert_uint_eq(D.blanks + D.writes, 0);
	ck_assert(!blanked("CD-RW-4", false));
	ck_assert(!blanked("CD-R-1", false));
}
END_TEST

/* A disc cdrom_id did not name counts as write-once to udev's guard; the
 * drive's own profile decides the blank (after the failed one above). */
START_TEST(unnamed_disc_the_drive_decides)
{
	struct wp_device unknown = drive_dev(WP_KIND_OPTICAL, "");
	unknown.optical_write_once = true;
	insert(0x0a);
	ck_assert_msg(blank(op, "CD-RW-2", &unknown, NULL) == 0, "%s", err);
	ck_assert_uint_eq(D.blanks, 1);
	ck_assert(blanked("CD-RW-2", false));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("station_blank");
	TCase *tc = tcase_create("core");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cd_rw_blanked_and_recorded);
	tcase_add_test(tc, dvd_plus_rw_overwritten_and_read_back);
	tcase_add_test(tc, failed_blank_records_nothing);
	tcase_add_test(tc, refused_before_anything_is_written);
	tcase_add_test(tc, unnamed_disc_the_drive_decides);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
