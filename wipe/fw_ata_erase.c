/*
 * ATA erase: SECURITY ERASE UNIT with a temporary password and its
 * recovery, and SANITIZE with progress polling (the ATA backend's run;
 * probing and the pass-through encoding are in fw_ata.c).
 *
 * Security erase needs a user password: wipeproof sets its documented
 * temporary one (WP_ATA_TEMP_PASSWORD), erases, and the drive clears it.
 * If anything goes wrong after the password is set, the drive would stay
 * locked at the next power-on; so every failure path unlocks and disables
 * the password again, and a drive found with security enabled is first
 * tried with the temporary password (an erase interrupted by a power cut
 * leaves exactly that state).
 *
 * Sanitize runs in the background on the drive: the command returns at
 * once and SANITIZE STATUS EXT is polled for progress and the outcome.
 */
#include "fw_internal.h"

#include <string.h>

#define ATA_SEC_SET_PASSWORD 0xf1
#define ATA_SEC_UNLOCK 0xf2
#define ATA_SEC_ERASE_PREPARE 0xf3
#define ATA_SEC_ERASE_UNIT 0xf4
#define ATA_SEC_DISABLE_PASSWORD 0xf6
#define ATA_SANITIZE 0xb4

#define SAN_STATUS 0x0000
#define SAN_CRYPTO 0x0011
#define SAN_BLOCK 0x0012
#define SAN_OVERWRITE 0x0014
#define SAN_KEY_CRYPTO 0x43727970ull    /* "Cryp" */
#define SAN_KEY_BLOCK 0x426b4572ull     /* "BkEr" (ACS-3 7.36.3; hdparm, opensea agree) */
#define SAN_KEY_OVERWRITE 0x4f57ull     /* "OW", in LBA(47:32) */
#define SAN_DONE_OK 0x8000               /* status COUNT bit 15 */
#define SAN_IN_PROGRESS 0x4000           /* status COUNT bit 14 */
#define SAN_FROZEN 0x2000                /* status COUNT bit 13 */
#define SAN_REASON_FAILED 0x01           /* LBA(7:0) of an aborted sanitize command */
#define ST_ERR 0x01
#define ER_ABRT 0x04

#define MINUTE_MS 60000u

/* ---- security erase ---------------------------------------------------------- */

/* The 512-byte data of SET PASSWORD, UNLOCK, DISABLE PASSWORD and ERASE
 * UNIT: control word 0 (bit 0, the identifier: 0 = user password, 1 =
 * master password; bit 1 of ERASE UNIT: enhanced erase; ACS-3 7.45-7.48),
 * the password in words 1-16, copied as bytes like hdparm does. Control is
 * always 0 or 2 here: the user password. */
static void password_block(uint8_t buf[WP_ATA_SECTOR], uint16_t control)
{
	memset(buf, 0, WP_ATA_SECTOR);
	buf[0] = (uint8_t)control;
	buf[1] = (uint8_t)(control >> 8);
	memcpy(buf + 2, WP_ATA_TEMP_PASSWORD, strlen(WP_ATA_TEMP_PASSWORD));
}

static int password_cmd(const struct wp_fw_dev *dev, uint8_t command, uint16_t control,
			unsigned timeout_ms, const char *what, char *err, size_t errlen)
{
	uint8_t buf[WP_ATA_SECTOR];
	password_block(buf, control);
	struct wp_ata_cmd c = { .command = command, .count = 1, .proto = WP_ATA_PIO_OUT,
			     .buf = buf, .timeout_ms = timeout_ms };
	int rc = wp_ata_exec(dev, &c, what, err, errlen);
	memset(buf, 0, sizeof(buf));
	return rc;
}

static int nodata_cmd(const struct wp_fw_dev *dev, uint8_t command, const char *what,
		      char *err, size_t errlen)
{
	struct wp_ata_cmd c = { .command = command, .proto = WP_ATA_NODATA };
	return wp_ata_exec(dev, &c, what, err, errlen);
}

int wp_ata_security_recover(const struct wp_fw_dev *dev, char *err, size_t errlen)
{
	struct wp_ata_info a;
	if (wp_ata_identify(dev, &a, err, errlen) < 0)
		return -1;
	if (a.locked && password_cmd(dev, ATA_SEC_UNLOCK, 0, 0, "SECURITY UNLOCK", err,
				     errlen) < 0)
		return -1;
	if ((a.locked || a.security_enabled) &&
	    password_cmd(dev, ATA_SEC_DISABLE_PASSWORD, 0, 0, "SECURITY DISABLE PASSWORD",
			 err, errlen) < 0)
		return -1;
	if (wp_ata_identify(dev, &a, err, errlen) < 0)
		return -1;
	if (a.security_enabled || a.locked) {
		wp_fw_fmt(err, errlen, "%s: security is still enabled after unlocking with the "
			  "temporary password", dev->path);
		return -1;
	}
	return 0;
}

/* After a failure with the temporary password set: leave no lock behind. */
static void recover_after(const struct wp_fw_dev *dev, char *err, size_t errlen)
{
	char why[256];
	size_t used = strlen(err);
	if (wp_ata_security_recover(dev, why, sizeof(why)) == 0)
		wp_fw_fmt(err + used, errlen - used, "; the temporary password was removed again");
	else
		wp_fw_fmt(err + used, errlen - used, "; removing the temporary password failed "
			  "too (%s): unlock by hand with 'hdparm --user-master u "
			  "--security-unlock %s %s', then '--security-disable %s'", why,
			  WP_ATA_TEMP_PASSWORD, dev->path, WP_ATA_TEMP_PASSWORD);
}

/* A drive found with security on: an interrupted erase of ours, or an
 * owner's password, which wipeproof cannot and should not guess. */
static int take_over_security(const struct wp_fw_dev *dev, char *err, size_t errlen)
{
	char why[256];
	if (wp_ata_security_recover(dev, why, sizeof(why)) == 0)
		return 0;
	wp_fw_fmt(err, errlen, "%s: ATA security is enabled with a password that is not "
		  "wipeproof's temporary one (%s): unlock and disable it with the owner's "
		  "password (hdparm --security-unlock / --security-disable), then try again",
		  dev->path, why);
	return -1;
}

/* The larger of the drive's estimate (twice it, plus half an hour; an
 * open-ended "more than" counts as twice its bound) and one from the
 * capacity (1 s per 30 MiB plus half an hour, hdparm's rule: a drive
 * erases at least that fast). SG_IO counts in 32-bit milliseconds, so at
 * most 49.7 days, which is still more than the largest bound (65532 min). */
static unsigned erase_timeout(const struct wp_ata_info *a, bool enhanced)
{
	uint64_t minutes = enhanced ? a->enhanced_minutes : a->erase_minutes;
	uint64_t from_drive = minutes ? (minutes * 2 + 30) * MINUTE_MS : 0;
	uint64_t from_size = (a->user_sectors / 2048 / 30 + 30 * 60) * 1000;
	uint64_t ms = from_drive > from_size ? from_drive : from_size;
	return ms > UINT32_MAX ? UINT32_MAX : (unsigned)ms;
}

static int security_erase(const struct wp_fw_dev *dev, bool enhanced,
			  const struct wp_run_ctl *ctl, struct wp_firmware_record *rec,
			  char *err, size_t errlen)
{
	struct wp_ata_info a;
	struct wp_progress_clock clock;
	wp_progress_start(&clock);
	if (wp_ata_identify(dev, &a, err, errlen) < 0)
		return -1;
	if (a.frozen) {
		wp_fw_fmt(err, errlen, "%s: %s", dev->path, WP_WHY_FROZEN);
		return -1;
	}
	if ((a.security_enabled || a.locked) && take_over_security(dev, err, errlen) < 0)
		return -1;
	if (password_cmd(dev, ATA_SEC_SET_PASSWORD, 0, 0, "SECURITY SET PASSWORD", err,
			 errlen) < 0)
		return -1;
	wp_fw_progress(dev, ctl, &clock, 0, false);
	if (nodata_cmd(dev, ATA_SEC_ERASE_PREPARE, "SECURITY ERASE PREPARE", err, errlen) < 0 ||
	    password_cmd(dev, ATA_SEC_ERASE_UNIT, enhanced ? 0x2 : 0x0,
			 erase_timeout(&a, enhanced), "SECURITY ERASE UNIT", err, errlen) < 0) {
		recover_after(dev, err, errlen);
		return -1;
	}
	/* A completed erase clears the password (ACS-3 7.40.3): still enabled
	 * means the drive did not erase, whatever it answered. */
	if (wp_ata_identify(dev, &a, err, errlen) < 0)
		return -1;
	if (a.security_enabled || a.locked) {
		wp_fw_fmt(err, errlen, "%s: security is still enabled after SECURITY ERASE UNIT "
			  "reported success; a completed erase clears the password, so the drive "
			  "did not erase", dev->path);
		recover_after(dev, err, errlen);
		return -1;
	}
	wp_fw_progress(dev, ctl, &clock, 65536, true);
	/* ACS-3 7.40.3: a normal erase writes binary zeros or ones; an enhanced
	 * one a vendor pattern */
	wp_fw_fmt(rec->expected, sizeof(rec->expected), "%s",
		  enhanced ? "unknown" : "zeros-or-ones");
	return 0;
}

/* ---- sanitize -------------------------------------------------------------- */

struct san_status {
	bool in_progress;
	bool done_ok;
	bool frozen;          /* SANITIZE FREEZE LOCK: refused until power-off */
	bool failed;          /* Sanitize Operation Failed state: only a new sanitize ends it */
	uint16_t progress;    /* of 65536 */
};

/* The reason an aborted sanitize command gives in LBA(7:0) (ACS-4 table
 * "Sanitize Device Error Reason"; hdparm prints the same). */
static const char *san_reason(uint8_t r)
{
	static const char *const text[] = {
		"reason unknown", "the last sanitize command failed",
		"unsupported sanitize device command", "the device is in the frozen state",
		"ANTIFREEZE LOCK is set",
	};
	return r < sizeof(text) / sizeof(text[0]) ? text[r] : "reserved reason";
}

static bool aborted_with_regs(const struct wp_ata_cmd *c)
{
	return c->regs && (c->status & ST_ERR) && (c->error & ER_ABRT);
}

/* SANITIZE STATUS EXT. Fixed-format sense hides COUNT(15:8) behind a
 * "nonzero" flag; then the progress field tells the two bits apart, since
 * ACS-3 sets it to FFFFh once no sanitize is in progress. */
static int sanitize_status(const struct wp_fw_dev *dev, struct san_status *st, char *err,
			   size_t errlen)
{
	struct wp_ata_cmd c = { .command = ATA_SANITIZE, .feature = SAN_STATUS, .device = 0x40,
			     .proto = WP_ATA_NODATA, .extend = true, .ck_cond = true };
	*st = (struct san_status){ 0 };
	if (wp_ata_exec(dev, &c, "SANITIZE STATUS EXT", err, errlen) < 0) {
		if (!aborted_with_regs(&c))
			return -1;
		uint8_t reason = (uint8_t)c.lba_out;
		if (reason != SAN_REASON_FAILED) {
			wp_fw_fmt(err, errlen, "%s: the drive aborted SANITIZE STATUS EXT (reason "
				  "%02Xh: %s)", dev->path, reason, san_reason(reason));
			return -1;
		}
		st->failed = true;
		return 0;
	}
	if (!c.regs) {
		wp_fw_fmt(err, errlen, "%s: SANITIZE STATUS EXT returned no registers", dev->path);
		return -1;
	}
	st->progress = (uint16_t)c.lba_out;
	if (c.count_upper_unknown) {
		/* COUNT(15:8) nonzero: in progress, done or frozen; the progress
		 * (FFFFh when nothing runs) tells the first two apart */
		bool upper = (c.count_out & 0xff00) != 0;
		st->in_progress = upper && st->progress != 0xffff;
		st->done_ok = upper && st->progress == 0xffff;
	} else {
		st->in_progress = c.count_out & SAN_IN_PROGRESS;
		st->done_ok = c.count_out & SAN_DONE_OK;
		st->frozen = c.count_out & SAN_FROZEN;
	}
	return 0;
}

static int sanitize_start(const struct wp_fw_dev *dev, enum wp_fw_method m, char *err,
			  size_t errlen)
{
	struct wp_ata_cmd c = { .command = ATA_SANITIZE, .device = 0x40, .proto = WP_ATA_NODATA,
			     .extend = true };
	if (m == WP_FW_ATA_SANITIZE_CRYPTO) {
		c.feature = SAN_CRYPTO;
		c.lba = SAN_KEY_CRYPTO;
	} else if (m == WP_FW_ATA_SANITIZE_BLOCK) {
		c.feature = SAN_BLOCK;
		c.lba = SAN_KEY_BLOCK;
	} else {
		c.feature = SAN_OVERWRITE;
		c.lba = SAN_KEY_OVERWRITE << 32; /* pattern 00000000h in LBA(31:0) */
		c.count = 1;                      /* one pass, no inversion */
	}
	if (wp_ata_exec(dev, &c, "SANITIZE", err, errlen) == 0)
		return 0;
	if (aborted_with_regs(&c)) {
		size_t used = strlen(err);
		wp_fw_fmt(err + used, errlen - used, " (reason %02Xh: %s)", (uint8_t)c.lba_out,
			  san_reason((uint8_t)c.lba_out));
	}
	return -1;
}

static int sanitize(const struct wp_fw_dev *dev, enum wp_fw_method m,
		    const struct wp_run_ctl *ctl, struct wp_firmware_record *rec, char *err,
		    size_t errlen)
{
	struct san_status st;
	struct wp_progress_clock clock;
	wp_progress_start(&clock);
	if (sanitize_status(dev, &st, err, errlen) < 0)
		return -1;
	if (st.in_progress) {
		wp_fw_fmt(err, errlen, "%s: a sanitize is already running on the drive; wait "
			  "for it to end, then wipe again", dev->path);
		return -1;
	}
	if (st.frozen) {
		wp_fw_fmt(err, errlen, "%s: sanitize is frozen (SANITIZE FREEZE LOCK, usually "
			  "sent by the BIOS): power the drive off and on, then try again", dev->path);
		return -1;
	}
	/* st.failed: the drive is in the Sanitize Operation Failed state from an
	 * earlier run; a new sanitize is the one command that ends it */
	if (sanitize_start(dev, m, err, errlen) < 0)
		return -1;
	wp_fw_fmt(rec->expected, sizeof(rec->expected), "%s",
		  m == WP_FW_ATA_SANITIZE_OVERWRITE ? "zeros" : "unknown");
	for (unsigned polls = 0; polls < WP_FW_MAX_POLLS; polls++) {
		if (sanitize_status(dev, &st, err, errlen) < 0)
			return -1;
		if (st.failed) {
			wp_fw_fmt(err, errlen, "%s: the drive reports the sanitize failed (SANITIZE "
				  "STATUS EXT aborted, reason %02Xh: %s); it stays in the Sanitize "
				  "Operation Failed state until a sanitize completes: run the wipe "
				  "again", dev->path, SAN_REASON_FAILED, san_reason(SAN_REASON_FAILED));
			return -1;
		}
		if (!st.in_progress) {
			if (st.done_ok) {
				wp_fw_progress(dev, ctl, &clock, 65536, true);
				return 0;
			}
			wp_fw_fmt(err, errlen, "%s: the drive reports the sanitize failed; it "
				  "stays in the Sanitize Operation Failed state until a sanitize "
				  "completes: run the wipe again", dev->path);
			return -1;
		}
		wp_fw_progress(dev, ctl, &clock, st.progress, false);
		if (wp_fw_stop_requested(ctl)) {
			wp_fw_fmt(err, errlen, "%s: stopped waiting; the drive goes on sanitizing "
				  "by itself and cannot be stopped", dev->path);
			return -1;
		}
		dev->io->pause(dev->io->ctx, WP_FW_POLL_MS);
	}
	wp_fw_fmt(err, errlen, "%s: the sanitize did not end within a week", dev->path);
	return -1;
}

int wp_ata_run(const struct wp_fw_dev *dev, enum wp_fw_method m, const struct wp_fw_caps *caps,
	       const struct wp_run_ctl *ctl, struct wp_firmware_record *rec, char *err,
	       size_t errlen)
{
	(void)caps; /* the state is read again: it may have changed since the probe */
	if (m == WP_FW_ATA_SECURE_ERASE || m == WP_FW_ATA_SECURE_ERASE_ENH)
		return security_erase(dev, m == WP_FW_ATA_SECURE_ERASE_ENH, ctl, rec, err, errlen);
	return sanitize(dev, m, ctl, rec, err, errlen);
}
