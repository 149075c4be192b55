/*
 * SCSI through SG_IO: running a CDB, decoding sense data (also the ATA
 * registers an ATA PASS-THROUGH returns in it), and the SCSI backend:
 * REPORT SUPPORTED OPERATION CODES to learn which SANITIZE service actions
 * a device has, and SANITIZE itself, polled with REQUEST SENSE.
 *
 * Sense data comes in two formats and both occur: libata answers in fixed
 * format unless the control mode page asks for descriptors, so the ATA
 * registers are read from either (SAT-3 12.2.2.6 and 12.2.2.7).
 */
#include "fw_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SCSI_SANITIZE 0x48
#define SCSI_RSOC 0xA3
#define SCSI_RSOC_SA 0x0C
#define SCSI_REQUEST_SENSE 0x03
#define SAN_OVERWRITE 0x01
#define SAN_BLOCK 0x02
#define SAN_CRYPTO 0x03
#define SAN_IMMED 0x80
#define KEY_NO_SENSE 0x0
#define KEY_RECOVERED 0x1
#define KEY_NOT_READY 0x2

/* ---- sense data ----------------------------------------------------------- */

/* Descriptor 09h, ATA Status Return: the registers in CDB order. */
static void ata_descriptor(const uint8_t *d, struct wp_sense *s)
{
	s->ata_valid = true;
	s->ata_error = d[3];
	s->ata_count = (uint16_t)((d[2] & 1 ? d[4] << 8 : 0) | d[5]);
	s->ata_lba = (uint64_t)d[7] | (uint64_t)d[9] << 8 | (uint64_t)d[11] << 16;
	if (d[2] & 1) /* EXTEND: the upper bytes are valid */
		s->ata_lba |= (uint64_t)d[6] << 24 | (uint64_t)d[8] << 32 |
			      (uint64_t)d[10] << 40;
	s->ata_device = d[12];
	s->ata_status = d[13];
}

static void decode_descriptors(const uint8_t *sb, size_t len, struct wp_sense *s)
{
	size_t end = 8 + (size_t)sb[7];
	if (end > len)
		end = len;
	for (size_t at = 8; at + 2 <= end; at += 2 + (size_t)sb[at + 1]) {
		const uint8_t *d = sb + at;
		size_t dlen = 2 + (size_t)d[1];
		if (at + dlen > end)
			break;
		if (d[0] == 0x09 && dlen >= 14)
			ata_descriptor(d, s);
		else if (d[0] == 0x02 && dlen >= 8 && (d[4] & 0x80)) {
			s->progress_valid = true;
			s->progress = (uint16_t)(d[5] << 8 | d[6]);
		}
	}
}

static void decode_fixed(const uint8_t *sb, size_t len, bool ata_pt, struct wp_sense *s)
{
	s->key = sb[2] & 0x0f;
	s->asc = len > 12 ? sb[12] : 0;
	s->ascq = len > 13 ? sb[13] : 0;
	if (len > 17 && (sb[15] & 0x80)) {
		s->progress_valid = true;
		s->progress = (uint16_t)(sb[16] << 8 | sb[17]);
	}
	/* A status of 0 is no ATA status (DRDY is set whenever a drive answers):
	 * the SCSI layer refused the CDB itself, e.g. ILLEGAL REQUEST 20h/00h. */
	if (!ata_pt || len < 12 || sb[4] == 0)
		return;
	/* INFORMATION: error, status, device, count(7:0); COMMAND-SPECIFIC:
	 * flags, LBA(7:0), LBA(15:8), LBA(23:16). */
	s->ata_valid = true;
	s->ata_error = sb[3];
	s->ata_status = sb[4];
	s->ata_device = sb[5];
	s->ata_count = sb[6];
	s->ata_count_upper_nonzero = sb[8] & 0x40;
	s->ata_lba_upper_nonzero = sb[8] & 0x20;
	s->ata_lba = (uint64_t)sb[9] | (uint64_t)sb[10] << 8 | (uint64_t)sb[11] << 16;
}

void wp_sense_decode(const uint8_t *sb, size_t len, bool ata_pt, struct wp_sense *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 8)
		return;
	uint8_t code = sb[0] & 0x7f;
	if (code == 0x72 || code == 0x73) {
		out->valid = true;
		out->descriptor = true;
		out->key = sb[1] & 0x0f;
		out->asc = sb[2];
		out->ascq = sb[3];
		decode_descriptors(sb, len, out);
	} else if (code == 0x70 || code == 0x71) {
		out->valid = true;
		decode_fixed(sb, len, ata_pt, out);
	}
}

static const char *const key_names[16] = {
	"NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR", "HARDWARE ERROR",
	"ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT", "BLANK CHECK",
	"VENDOR SPECIFIC", "COPY ABORTED", "ABORTED COMMAND", "RESERVED", "VOLUME OVERFLOW",
	"MISCOMPARE", "COMPLETED",
};

static const char *asc_text(uint8_t asc, uint8_t ascq)
{
	static const struct { uint8_t asc, ascq; const char *text; } known[] = {
		{ 0x20, 0x00, "invalid command operation code" },
		{ 0x24, 0x00, "invalid field in CDB" },
		{ 0x26, 0x00, "invalid field in parameter list" },
		{ 0x04, 0x1b, "sanitize in progress" },
		{ 0x31, 0x03, "sanitize command failed" },
		{ 0x00, 0x1d, "ATA pass-through information available" },
		{ 0x27, 0x00, "write protected" },
		{ 0x3a, 0x00, "medium not present" },
		{ 0x04, 0x07, "operation in progress" },
		{ 0x51, 0x00, "erase failure" },
		{ 0x30, 0x05, "cannot write medium, incompatible format" },
		{ 0x21, 0x00, "logical block address out of range" },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].asc == asc && known[i].ascq == ascq)
			return known[i].text;
	return NULL;
}

void wp_sense_describe(const struct wp_sense *s, char *buf, size_t len)
{
	if (!s->valid) {
		wp_fw_fmt(buf, len, "no sense data");
		return;
	}
	const char *text = asc_text(s->asc, s->ascq);
	wp_fw_fmt(buf, len, "%s, ASC/ASCQ %02Xh/%02Xh%s%s%s", key_names[s->key & 15], s->asc,
		  s->ascq, text ? " (" : "", text ? text : "", text ? ")" : "");
}

/* ---- running a CDB ---------------------------------------------------------- */

int wp_sg_exec(const struct wp_fw_dev *dev, struct wp_sg_cmd *cmd, const char *what,
	       char *err, size_t errlen)
{
	uint8_t sense[64];
	struct sg_io_hdr hdr;
	memset(&hdr, 0, sizeof(hdr));
	memset(sense, 0, sizeof(sense));
	hdr.interface_id = 'S';
	hdr.cmdp = (unsigned char *)cmd->cdb;
	hdr.cmd_len = cmd->cdb_len;
	hdr.dxfer_direction = cmd->dir;
	hdr.dxferp = cmd->buf;
	hdr.dxfer_len = cmd->len;
	hdr.sbp = sense;
	hdr.mx_sb_len = sizeof(sense);
	hdr.timeout = cmd->timeout_ms ? cmd->timeout_ms : 60000;
	if (dev->io->sg_io(dev->io->ctx, dev->fd, &hdr) < 0) {
		wp_fw_fmt(err, errlen, "%s: %s could not be sent (SG_IO: %s)", dev->path, what,
			  strerror(errno));
		return -1;
	}
	if (hdr.host_status != 0) {
		/* e.g. DID_ERROR (07h): the adapter failed it; nothing the device said */
		wp_fw_fmt(err, errlen, "%s: %s failed in the host adapter (host status %02Xh%s)",
			  dev->path, what, hdr.host_status,
			  hdr.host_status == 0x07 ? ", DID_ERROR" : "");
		return -1;
	}
	cmd->status = hdr.status;
	wp_sense_decode(sense, hdr.sb_len_wr, cmd->ata_pt, &cmd->sense);
	if (cmd->status != WP_SCSI_GOOD && cmd->status != WP_SCSI_CHECK_CONDITION) {
		wp_fw_fmt(err, errlen, "%s: %s ended with SCSI status %02Xh", dev->path, what,
			  cmd->status);
		return -1;
	}
	return 0;
}

/* ---- the SCSI backend ------------------------------------------------------- */

static uint8_t sanitize_action(enum wp_fw_method m)
{
	switch (m) {
	case WP_FW_SCSI_SANITIZE_OVERWRITE:
		return SAN_OVERWRITE;
	case WP_FW_SCSI_SANITIZE_BLOCK:
		return SAN_BLOCK;
	case WP_FW_SCSI_SANITIZE_CRYPTO:
		return SAN_CRYPTO;
	default:
		return 0;
	}
}

/* REPORT SUPPORTED OPERATION CODES for SANITIZE with one service action:
 * 1 supported, 0 not, -1 the device does not answer RSOC at all. */
static int rsoc_sanitize(const struct wp_fw_dev *dev, uint8_t sa, char *err, size_t errlen)
{
	uint8_t data[64] = { 0 };
	uint8_t cdb[12] = { SCSI_RSOC, SCSI_RSOC_SA, 0x02, SCSI_SANITIZE, 0, sa,
			    0, 0, 0, sizeof(data), 0, 0 };
	struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb), .dir = SG_DXFER_FROM_DEV,
			       .buf = data, .len = sizeof(data) };
	if (wp_sg_exec(dev, &c, "REPORT SUPPORTED OPERATION CODES", err, errlen) < 0)
		return -1;
	if (c.status != WP_SCSI_GOOD) {
		char why[128];
		wp_sense_describe(&c.sense, why, sizeof(why));
		wp_fw_fmt(err, errlen, "the device does not answer REPORT SUPPORTED OPERATION "
			  "CODES (%s), so whether it has SANITIZE is unknown", why);
		return -1;
	}
	uint8_t support = data[1] & 0x07;
	return support == 0x03 || support == 0x05;
}

static int scsi_probe(const struct wp_fw_dev *dev, struct wp_fw_caps *caps)
{
	static const enum wp_fw_method ms[] = { WP_FW_SCSI_SANITIZE_OVERWRITE,
		WP_FW_SCSI_SANITIZE_BLOCK, WP_FW_SCSI_SANITIZE_CRYPTO };
	char err[256];
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		struct wp_fw_support *s = &caps->method[ms[i]];
		int r = rsoc_sanitize(dev, sanitize_action(ms[i]), err, sizeof(err));
		if (r < 0) {
			wp_fw_fmt(caps->note, sizeof(caps->note), "%s", err);
			for (size_t j = 0; j < sizeof(ms) / sizeof(ms[0]); j++)
				wp_fw_fmt(caps->method[ms[j]].why, sizeof(s->why), "%s", err);
			return -1;
		}
		s->ok = r == 1;
		if (!s->ok)
			wp_fw_fmt(s->why, sizeof(s->why), "the device reports SANITIZE service "
				  "action %u as not supported (REPORT SUPPORTED OPERATION CODES)",
				  sanitize_action(ms[i]));
	}
	caps->probed = true;
	return 0;
}

/* REQUEST SENSE while sanitizing: NOT READY 04h/1Bh with progress, until
 * the device answers anything else. Returns 1 still running, 0 done, -1
 * failed (err says how). */
static int sanitize_poll(const struct wp_fw_dev *dev, uint16_t *progress, char *err,
			 size_t errlen)
{
	uint8_t data[252] = { 0 };
	uint8_t cdb[6] = { SCSI_REQUEST_SENSE, 0, 0, 0, sizeof(data), 0 };
	struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb), .dir = SG_DXFER_FROM_DEV,
			       .buf = data, .len = sizeof(data) };
	if (wp_sg_exec(dev, &c, "REQUEST SENSE", err, errlen) < 0)
		return -1;
	/* REQUEST SENSE itself must have worked (GOOD, SPC-4 6.39) and returned
	 * sense data (response code 70h-73h): a zeroed buffer is no answer, not
	 * NO SENSE */
	if (c.status != WP_SCSI_GOOD) {
		char why[128];
		wp_sense_describe(&c.sense, why, sizeof(why));
		wp_fw_fmt(err, errlen, "%s: REQUEST SENSE failed while polling the sanitize "
			  "(%s); its outcome is unknown: wipe again to see the device's state",
			  dev->path, why);
		return -1;
	}
	struct wp_sense s;
	wp_sense_decode(data, sizeof(data), false, &s);
	if (!s.valid) {
		wp_fw_fmt(err, errlen, "%s: REQUEST SENSE returned no sense data (response code "
			  "%02Xh) while polling the sanitize; its outcome is unknown", dev->path,
			  data[0] & 0x7f);
		return -1;
	}
	if (s.key == KEY_NOT_READY && s.asc == 0x04 && s.ascq == 0x1b) {
		*progress = s.progress_valid ? s.progress : 0;
		return 1;
	}
	if (s.key == KEY_NO_SENSE || s.key == KEY_RECOVERED)
		return 0;
	char why[128];
	wp_sense_describe(&s, why, sizeof(why));
	wp_fw_fmt(err, errlen, "%s: the device reports the sanitize failed: %s", dev->path, why);
	return -1;
}

static int sanitize_start(const struct wp_fw_dev *dev, enum wp_fw_method m, char *err,
			  size_t errlen)
{
	/* overwrite: one pass, no inversion, a 4-byte pattern of zeros */
	uint8_t param[8] = { 0x01, 0, 0x00, 0x04, 0, 0, 0, 0 };
	bool ow = m == WP_FW_SCSI_SANITIZE_OVERWRITE;
	uint8_t cdb[10] = { SCSI_SANITIZE, (uint8_t)(SAN_IMMED | sanitize_action(m)), 0, 0, 0,
			    0, 0, 0, ow ? sizeof(param) : 0, 0 };
	struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb),
			       .dir = ow ? SG_DXFER_TO_DEV : SG_DXFER_NONE,
			       .buf = ow ? param : NULL, .len = ow ? sizeof(param) : 0 };
	if (wp_sg_exec(dev, &c, "SANITIZE", err, errlen) < 0)
		return -1;
	if (c.status == WP_SCSI_GOOD)
		return 0;
	char why[128];
	wp_sense_describe(&c.sense, why, sizeof(why));
	wp_fw_fmt(err, errlen, "%s: the device refused SANITIZE: %s", dev->path, why);
	return -1;
}

static int scsi_run(const struct wp_fw_dev *dev, enum wp_fw_method m,
		    const struct wp_fw_caps *caps, const struct wp_run_ctl *ctl,
		    struct wp_firmware_record *rec, char *err, size_t errlen)
{
	(void)caps;
	struct wp_progress_clock clock;
	wp_progress_start(&clock);
	wp_fw_fmt(rec->expected, sizeof(rec->expected), "%s",
		  m == WP_FW_SCSI_SANITIZE_OVERWRITE ? "zeros" : "unknown");
	if (sanitize_start(dev, m, err, errlen) < 0)
		return -1;
	uint16_t progress = 0;
	for (unsigned polls = 0; polls < WP_FW_MAX_POLLS; polls++) {
		int r = sanitize_poll(dev, &progress, err, errlen);
		if (r <= 0) {
			if (r == 0)
				wp_fw_progress(dev, ctl, &clock, 65536, true);
			return r;
		}
		wp_fw_progress(dev, ctl, &clock, progress, false);
		if (wp_fw_stop_requested(ctl)) {
			wp_fw_fmt(err, errlen, "%s: stopped waiting at %u%%; the device goes on "
				  "sanitizing by itself and cannot be stopped", dev->path,
				  progress * 100u / 65536u);
			return -1;
		}
		dev->io->pause(dev->io->ctx, WP_FW_POLL_MS);
	}
	wp_fw_fmt(err, errlen, "%s: the sanitize did not end within a week", dev->path);
	return -1;
}

const struct wp_backend wp_backend_scsi = {
	.name = "scsi", .bus = WP_FW_BUS_SCSI, .probe = scsi_probe, .run = scsi_run,
};
