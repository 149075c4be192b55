/*
 * The optical backend: a disc in a CD/DVD/BD drive, through SG_IO with the
 * MMC command set (MMC-6). What the disc is comes from GET CONFIGURATION's
 * current profile, asked before anything that writes:
 *
 * - CD-RW and DVD-RW have BLANK (A1h): type 000b "blank the disc" erases
 *   the whole disc, type 001b "minimally blank the disc" only the PMA, the
 *   first session's TOC and the first track's pre-gap (the data stays on
 *   the disc, unreadable to a drive but not erased). Sent with IMMED and
 *   polled with TEST UNIT READY and REQUEST SENSE (NOT READY, 04h/07h
 *   "operation in progress", with the progress indication), as xorriso
 *   does; afterwards READ DISC INFORMATION must call the disc empty.
 * - DVD+RW, DVD-RAM and BD-RE have no BLANK in MMC-6: they are formatted
 *   once and then written at random like a disk. A re-format (FORMAT UNIT)
 *   is not an erase: MMC does not require a quick re-format to touch the
 *   user data area. The honest erase is what wipeproof does to a disk: a
 *   WRITE(10) of zeros over every block READ CAPACITY reports, then every
 *   block read back. Spare areas of the drive's defect management (DVD-RAM,
 *   BD-RE) are out of its reach, like a flash disk's spare blocks.
 * - Write-once (CD-R, DVD±R, BD-R) and pressed discs (CD/DVD/BD-ROM) are
 *   refused from the probe's answer, before anything is sent: destroy them.
 *
 * None of this is a NIST sanitization: SP 800-88 Rev.1 Table A-7 (optical
 * media) has no Clear and no Purge for CDs, DVDs or BDs, only Destroy
 * (wipe/planner.c). A blank makes a rewritable disc reusable (R12).
 */
#include "fw_internal.h"

#include <stdio.h>
#include <string.h>

#define MMC_TEST_UNIT_READY 0x00
#define MMC_REQUEST_SENSE 0x03
#define MMC_READ_CAPACITY 0x25
#define MMC_READ10 0x28
#define MMC_WRITE10 0x2a
#define MMC_SYNC_CACHE 0x35
#define MMC_GET_CONFIGURATION 0x46
#define MMC_READ_DISC_INFO 0x51
#define MMC_BLANK 0xa1
#define BLANK_IMMED 0x10
#define BLANK_DISC 0x0        /* MMC-6 Table 46: blank the disc */
#define BLANK_MINIMAL 0x1     /* minimally blank the disc */
#define DISC_BLOCK 2048u
/* per WRITE(10): 16 blocks, a DVD ECC block (32 KiB), as libburn writes
 * DVD+RW and BD-RE; per READ(10): 32 blocks (64 KiB), as libburn reads */
#define WRITE_BLOCKS 16u
#define READ_BLOCKS 32u
#define KEY_NO_SENSE 0x0
#define KEY_RECOVERED 0x1
#define KEY_NOT_READY 0x2
#define ASC_NOT_READY 0x04
#define ASCQ_IN_PROGRESS 0x07
#define ASC_NO_MEDIUM 0x3a
/* IMMED: the drive answers once the CDB is checked; libburn waits 200 s */
#define BLANK_TIMEOUT_MS 200000u

/* MMC-6 Table 89 (profile list). */
enum disc_class { D_PRESSED, D_WRITE_ONCE, D_BLANK, D_OVERWRITE };
static const struct {
	unsigned profile;
	const char *name;
	enum disc_class cls;
} profiles[] = {
	{ 0x08, "CD-ROM", D_PRESSED },     { 0x09, "CD-R", D_WRITE_ONCE },
	{ 0x0a, "CD-RW", D_BLANK },        { 0x10, "DVD-ROM", D_PRESSED },
	{ 0x11, "DVD-R", D_WRITE_ONCE },   { 0x12, "DVD-RAM", D_OVERWRITE },
	{ 0x13, "DVD-RW", D_BLANK },       /* restricted overwrite */
	{ 0x14, "DVD-RW", D_BLANK },       /* sequential recording */
	{ 0x15, "DVD-R", D_WRITE_ONCE },   /* dual layer, sequential */
	{ 0x16, "DVD-R", D_WRITE_ONCE },   /* dual layer, jump */
	{ 0x17, "DVD-RW", D_BLANK },       /* dual layer */
	{ 0x1a, "DVD+RW", D_OVERWRITE },   { 0x1b, "DVD+R", D_WRITE_ONCE },
	{ 0x2a, "DVD+RW", D_OVERWRITE },   /* dual layer */
	{ 0x2b, "DVD+R DL", D_WRITE_ONCE }, { 0x40, "BD-ROM", D_PRESSED },
	{ 0x41, "BD-R", D_WRITE_ONCE },    /* sequential recording */
	{ 0x42, "BD-R", D_WRITE_ONCE },    /* random recording */
	{ 0x43, "BD-RE", D_OVERWRITE },
};

const char *wp_optical_profile_name(unsigned profile)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (profiles[i].profile == profile)
			return profiles[i].name;
	return NULL;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int refused(const struct wp_fw_dev *dev, const struct wp_sg_cmd *c, const char *what,
		   const char *then, char *err, size_t errlen)
{
	char why[128];
	wp_sense_describe(&c->sense, why, sizeof(why));
	wp_fw_fmt(err, errlen, "%s: the drive refused %s: %s%s", dev->path, what, why, then);
	return -1;
}

/* ---- probe ------------------------------------------------------------------ */

static void set_support(struct wp_fw_caps *caps, enum wp_fw_method m, bool ok, const char *why)
{
	caps->method[m].ok = ok;
	wp_fw_fmt(caps->method[m].why, sizeof(caps->method[m].why), "%s", ok ? "" : why);
}

static void classify(struct wp_fw_caps *caps, unsigned profile)
{
	struct wp_optical_info *o = &caps->optical;
	char why[224];
	o->profile = profile;
	int at = -1;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (profiles[i].profile == profile)
			at = (int)i;
	if (at < 0) {
		wp_fw_fmt(why, sizeof(why), profile ? "the drive reports disc profile %04Xh, which "
			  "wipeproof does not know: nothing is sent to it" : "no disc in the drive "
			  "(current profile 0000h)", profile);
		for (int m = WP_FW_OPTICAL_BLANK_FULL; m <= WP_FW_OPTICAL_OVERWRITE; m++)
			set_support(caps, (enum wp_fw_method)m, false, why);
		return;
	}
	wp_fw_fmt(o->name, sizeof(o->name), "%s", profiles[at].name);
	o->write_once = profiles[at].cls == D_WRITE_ONCE;
	o->pressed = profiles[at].cls == D_PRESSED;
	o->blankable = profiles[at].cls == D_BLANK;
	o->overwritable = profiles[at].cls == D_OVERWRITE;
	if (o->write_once || o->pressed) {
		wp_fw_fmt(why, sizeof(why), "the disc is a %s (%s): it cannot be erased, destroy it "
			  "(SP 800-88 Rev.1 Table A-7: Destroy only)", o->name,
			  o->write_once ? "write-once" : "pressed");
		for (int m = WP_FW_OPTICAL_BLANK_FULL; m <= WP_FW_OPTICAL_OVERWRITE; m++)
			set_support(caps, (enum wp_fw_method)m, false, why);
		return;
	}
	wp_fw_fmt(why, sizeof(why), "MMC has no BLANK for a %s (random-writable): use "
		  "optical-overwrite, every user block overwritten and read back", o->name);
	set_support(caps, WP_FW_OPTICAL_BLANK_FULL, o->blankable, why);
	set_support(caps, WP_FW_OPTICAL_BLANK_FAST, o->blankable, why);
	wp_fw_fmt(why, sizeof(why), "a %s is written sequentially and erased by BLANK: use "
		  "optical-blank-full", o->name);
	set_support(caps, WP_FW_OPTICAL_OVERWRITE, o->overwritable, why);
}

static int optical_probe(const struct wp_fw_dev *dev, struct wp_fw_caps *caps)
{
	/* the feature header alone: its bytes 6-7 are the current profile */
	uint8_t data[8] = { 0 };
	uint8_t cdb[10] = { MMC_GET_CONFIGURATION, 0, 0, 0, 0, 0, 0, 0, sizeof(data), 0 };
	struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb), .dir = SG_DXFER_FROM_DEV,
			       .buf = data, .len = sizeof(data) };
	char err[256];
	if (wp_sg_exec(dev, &c, "GET CONFIGURATION", err, sizeof(err)) < 0) {
		wp_fw_fmt(caps->note, sizeof(caps->note), "%s", err);
		return -1;
	}
	if (c.status != WP_SCSI_GOOD && c.sense.key == KEY_NOT_READY &&
	    c.sense.asc == ASC_NO_MEDIUM) {
		caps->probed = true;
		classify(caps, 0);
		return 0;
	}
	if (c.status != WP_SCSI_GOOD) {
		char why[128];
		wp_sense_describe(&c.sense, why, sizeof(why));
		wp_fw_fmt(caps->note, sizeof(caps->note), "the drive does not answer GET "
			  "CONFIGURATION (%s), so what disc it holds is unknown", why);
		return -1;
	}
	caps->probed = true;
	classify(caps, (unsigned)data[6] << 8 | data[7]);
	return 0;
}

/* ---- BLANK --------------------------------------------------------------------- */

/* REQUEST SENSE after TEST UNIT READY said NOT READY: the progress.
 * 1 still running, 0 the drive has nothing to report (the next TEST UNIT
 * READY decides), -1 failed. */
static int blank_progress(const struct wp_fw_dev *dev, uint16_t *progress, char *err,
			  size_t errlen)
{
	uint8_t data[18] = { 0 };
	uint8_t cdb[6] = { MMC_REQUEST_SENSE, 0, 0, 0, sizeof(data), 0 };
	struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb), .dir = SG_DXFER_FROM_DEV,
			       .buf = data, .len = sizeof(data) };
	if (wp_sg_exec(dev, &c, "REQUEST SENSE", err, errlen) < 0)
		return -1;
	if (c.status != WP_SCSI_GOOD)
		return refused(dev, &c, "REQUEST SENSE while blanking", "; the blank's outcome "
			       "is unknown: blank again", err, errlen);
	struct wp_sense s;
	wp_sense_decode(data, sizeof(data), false, &s);
	if (!s.valid) {
		wp_fw_fmt(err, errlen, "%s: REQUEST SENSE returned no sense data (response code "
			  "%02Xh) while blanking; the blank's outcome is unknown", dev->path,
			  data[0] & 0x7f);
		return -1;
	}
	if (s.key == KEY_NOT_READY && s.asc == ASC_NOT_READY && s.ascq == ASCQ_IN_PROGRESS) {
		if (s.progress_valid)
			*progress = s.progress;
		return 1;
	}
	if (s.key == KEY_NO_SENSE || s.key == KEY_RECOVERED)
		return 0;
	char why[128];
	wp_sense_describe(&s, why, sizeof(why));
	wp_fw_fmt(err, errlen, "%s: the drive reports the blank failed: %s", dev->path, why);
	return -1;
}

/* TEST UNIT READY: 0 ready (the blank ended), 1 still blanking, -1 failed. */
static int blank_ready(const struct wp_fw_dev *dev, char *err, size_t errlen)
{
	uint8_t cdb[6] = { MMC_TEST_UNIT_READY, 0, 0, 0, 0, 0 };
	struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb), .dir = SG_DXFER_NONE };
	if (wp_sg_exec(dev, &c, "TEST UNIT READY", err, errlen) < 0)
		return -1;
	if (c.status == WP_SCSI_GOOD)
		return 0;
	if (c.sense.key == KEY_NOT_READY && c.sense.asc == ASC_NOT_READY &&
	    c.sense.ascq == ASCQ_IN_PROGRESS)
		return 1;
	char why[128];
	wp_sense_describe(&c.sense, why, sizeof(why));
	wp_fw_fmt(err, errlen, "%s: the drive reports the blank failed: %s", dev->path, why);
	return -1;
}

/* READ DISC INFORMATION: a blanked disc's status is "empty" (00b). */
static int check_empty(const struct wp_fw_dev *dev, char *err, size_t errlen)
{
	uint8_t data[34] = { 0 };
	uint8_t cdb[10] = { MMC_READ_DISC_INFO, 0, 0, 0, 0, 0, 0, 0, sizeof(data), 0 };
	struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb), .dir = SG_DXFER_FROM_DEV,
			       .buf = data, .len = sizeof(data) };
	if (wp_sg_exec(dev, &c, "READ DISC INFORMATION", err, errlen) < 0)
		return -1;
	if (c.status != WP_SCSI_GOOD)
		return refused(dev, &c, "READ DISC INFORMATION after the blank", "", err, errlen);
	if ((data[2] & 3) != 0) {
		wp_fw_fmt(err, errlen, "%s: the drive reported the blank done, but the disc is not "
			  "empty afterwards (disc status %ub): not blanked", dev->path,
			  (unsigned)(data[2] & 3));
		return -1;
	}
	return 0;
}

static int run_blank(const struct wp_fw_dev *dev, enum wp_fw_method m,
		     const struct wp_run_ctl *ctl, char *err, size_t errlen)
{
	struct wp_progress_clock clock;
	uint8_t type = m == WP_FW_OPTICAL_BLANK_FAST ? BLANK_MINIMAL : BLANK_DISC;
	uint8_t cdb[12] = { MMC_BLANK, (uint8_t)(BLANK_IMMED | type), 0, 0, 0, 0,
			    0, 0, 0, 0, 0, 0 };
	struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb), .dir = SG_DXFER_NONE,
			       .timeout_ms = BLANK_TIMEOUT_MS };
	wp_progress_start(&clock);
	if (wp_sg_exec(dev, &c, "BLANK", err, errlen) < 0)
		return -1;
	if (c.status != WP_SCSI_GOOD)
		return refused(dev, &c, "BLANK", "", err, errlen);
	uint16_t progress = 0;
	for (unsigned polls = 0; polls < WP_FW_MAX_POLLS; polls++) {
		int r = blank_ready(dev, err, errlen);
		if (r < 0)
			return -1;
		if (r == 0) {
			wp_fw_progress(dev, ctl, &clock, 65536, true);
			return check_empty(dev, err, errlen);
		}
		if (blank_progress(dev, &progress, err, errlen) < 0)
			return -1;
		wp_fw_progress(dev, ctl, &clock, progress, false);
		if (wp_fw_stop_requested(ctl)) {
			wp_fw_fmt(err, errlen, "%s: stopped waiting at %u%%; the drive goes on "
				  "blanking by itself: wait for it before taking the disc out",
				  dev->path, progress * 100u / 65536u);
			return -1;
		}
		dev->io->pause(dev->io->ctx, WP_FW_POLL_MS);
	}
	wp_fw_fmt(err, errlen, "%s: the blank did not end within a week", dev->path);
	return -1;
}

/* ---- overwrite (DVD+RW, DVD-RAM, BD-RE) ------------------------------------------ */

static int read_capacity(const struct wp_fw_dev *dev, uint32_t *blocks, char *err,
			 size_t errlen)
{
	uint8_t data[8] = { 0 };
	uint8_t cdb[10] = { MMC_READ_CAPACITY, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb), .dir = SG_DXFER_FROM_DEV,
			       .buf = data, .len = sizeof(data) };
	if (wp_sg_exec(dev, &c, "READ CAPACITY", err, errlen) < 0)
		return -1;
	if (c.status != WP_SCSI_GOOD)
		return refused(dev, &c, "READ CAPACITY", "", err, errlen);
	uint32_t last = be32(data), len = be32(data + 4);
	if (len != DISC_BLOCK || last == 0xffffffffu) {
		wp_fw_fmt(err, errlen, "%s: READ CAPACITY reports %u blocks of %u bytes; a "
			  "formatted disc has blocks of %u: nothing was written", dev->path,
			  last + 1, len, DISC_BLOCK);
		return -1;
	}
	*blocks = last + 1;
	return 0;
}

static int rw_chunk(const struct wp_fw_dev *dev, bool write, uint32_t lba, unsigned n,
		    uint8_t *buf, char *err, size_t errlen)
{
	uint8_t cdb[10] = { write ? MMC_WRITE10 : MMC_READ10, 0, 0, 0, 0, 0, 0,
			    (uint8_t)(n >> 8), (uint8_t)n, 0 };
	put_be32(cdb + 2, lba);
	struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb),
			       .dir = write ? SG_DXFER_TO_DEV : SG_DXFER_FROM_DEV, .buf = buf,
			       .len = n * DISC_BLOCK };
	const char *what = write ? "WRITE(10)" : "READ(10)";
	if (wp_sg_exec(dev, &c, what, err, errlen) < 0)
		return -1;
	if (c.status != WP_SCSI_GOOD) {
		char at[64];
		wp_fw_fmt(at, sizeof(at), " (block %u)", lba);
		return refused(dev, &c, what, at, err, errlen);
	}
	return 0;
}

static int run_overwrite(const struct wp_fw_dev *dev, const struct wp_run_ctl *ctl, char *err,
			 size_t errlen)
{
	static uint8_t buf[READ_BLOCKS * DISC_BLOCK];
	struct wp_progress_clock clock;
	uint32_t blocks;
	wp_progress_start(&clock);
	if (read_capacity(dev, &blocks, err, errlen) < 0)
		return -1;
	/* two halves of the progress: writing, then reading back */
	for (int pass = 0; pass < 2; pass++) {
		unsigned chunk = pass == 0 ? WRITE_BLOCKS : READ_BLOCKS;
		for (uint32_t lba = 0; lba < blocks; lba += chunk) {
			unsigned n = blocks - lba < chunk ? blocks - lba : chunk;
			memset(buf, 0, sizeof(buf));
			if (rw_chunk(dev, pass == 0, lba, n, buf, err, errlen) < 0)
				return -1;
			size_t bad = pass ? wp_first_nonzero(buf, (size_t)n * DISC_BLOCK)
					  : (size_t)n * DISC_BLOCK;
			if (bad < (size_t)n * DISC_BLOCK) {
				wp_fw_fmt(err, errlen, "%s: block %u reads back data that is not "
					  "the zeros written: not erased", dev->path,
					  lba + (uint32_t)(bad / DISC_BLOCK));
				return -1;
			}
			uint64_t done = (uint64_t)pass * blocks + lba + n;
			wp_fw_progress(dev, ctl, &clock, (uint32_t)(done * 65536 / (2ull * blocks)),
				       false);
			if (wp_fw_stop_requested(ctl)) {
				wp_fw_fmt(err, errlen, "%s: stopped at block %u of %u: the disc is "
					  "not erased", dev->path, lba + n, blocks);
				return -1;
			}
		}
		if (pass == 0) { /* what the drive buffered is on the disc before it is read */
			uint8_t cdb[10] = { MMC_SYNC_CACHE, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
			struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb),
					       .dir = SG_DXFER_NONE, .timeout_ms = 600000 };
			if (wp_sg_exec(dev, &c, "SYNCHRONIZE CACHE", err, errlen) < 0)
				return -1;
			if (c.status != WP_SCSI_GOOD)
				return refused(dev, &c, "SYNCHRONIZE CACHE", "", err, errlen);
		}
	}
	wp_fw_progress(dev, ctl, &clock, 65536, true);
	return 0;
}

static int optical_run(const struct wp_fw_dev *dev, enum wp_fw_method m,
		       const struct wp_fw_caps *caps, const struct wp_run_ctl *ctl,
		       struct wp_firmware_record *rec, char *err, size_t errlen)
{
	/* wp_fw_run checked support; a write-once disc never gets here */
	if (caps->optical.write_once || caps->optical.pressed) {
		wp_fw_fmt(err, errlen, "%s: %s", dev->path, caps->method[m].why);
		return -1;
	}
	if (m == WP_FW_OPTICAL_OVERWRITE) {
		wp_fw_fmt(rec->expected, sizeof(rec->expected), "zeros");
		return run_overwrite(dev, ctl, err, errlen);
	}
	wp_fw_fmt(rec->expected, sizeof(rec->expected), "blank");
	return run_blank(dev, m, ctl, err, errlen);
}

const struct wp_backend wp_backend_optical = {
	.name = "optical", .bus = WP_FW_BUS_OPTICAL, .probe = optical_probe, .run = optical_run,
};
