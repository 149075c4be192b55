/*
 * The ATA backend: commands as ATA PASS-THROUGH(16) (SAT-3) through SG_IO,
 * their answers, and probing. Erasing is in fw_ata_erase.c.
 *
 * Probing sends IDENTIFY DEVICE, and for hidden areas READ NATIVE MAX
 * ADDRESS EXT (HPA) or GET NATIVE MAX ADDRESS EXT (Accessible Max Address
 * Configuration) and DEVICE CONFIGURATION IDENTIFY — all read-only. Removing
 * an HPA (--remove-hpa) is a volatile SET MAX ADDRESS EXT.
 *
 * Fixed-format sense (libata's default) carries only "nonzero" for
 * LBA(47:24), so a native max above 2^24 sectors cannot be read from it.
 * Then the control mode page is switched to descriptor sense (D_SENSE)
 * for that one command and switched back afterwards, on every path — a
 * setting of the kernel's SAT layer, nothing on the drive.
 */
#include "fw_internal.h"

#include <stdio.h>
#include <string.h>

#define ATA_IDENTIFY 0xec
#define ATA_AMAC 0x78                 /* ACS-4: FEATURE 0000h GET NATIVE MAX ADDRESS EXT */
#define AMAC_GET_NATIVE_MAX 0x0000
#define ATA_READ_NATIVE_MAX_EXT 0x27
#define ATA_SET_MAX_ADDRESS_EXT 0x37
#define ATA_DCO 0xb1
#define DCO_IDENTIFY 0xc2

#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_DF 0x20
#define ST_BSY 0x80
#define ER_ABRT 0x04

#define SCSI_MODE_SENSE10 0x5a
#define SCSI_MODE_SELECT10 0x55
#define CONTROL_PAGE 0x0a
#define CONTROL_PAGE_LEN 12
#define D_SENSE 0x04                  /* control mode page byte 2 bit 2 (SPC-4 7.5.8) */

/* SAT-3 table 170: registers in CDB bytes 3-14. */
static void ata_cdb(const struct wp_ata_cmd *c, uint8_t cdb[16])
{
	static const uint8_t byte2[] = {
		[WP_ATA_NODATA] = 0x00,
		[WP_ATA_PIO_IN] = 0x0e,  /* T_DIR in, BYTE_BLOCK, T_LENGTH in COUNT */
		[WP_ATA_PIO_OUT] = 0x06, /* T_DIR out, BYTE_BLOCK, T_LENGTH in COUNT */
	};
	memset(cdb, 0, 16);
	cdb[0] = 0x85;
	cdb[1] = (uint8_t)(c->proto << 1 | (c->extend ? 1 : 0));
	cdb[2] = (uint8_t)(byte2[c->proto] | (c->ck_cond ? 0x20 : 0));
	cdb[4] = (uint8_t)c->feature;
	cdb[6] = (uint8_t)c->count;
	cdb[8] = (uint8_t)c->lba;
	cdb[10] = (uint8_t)(c->lba >> 8);
	cdb[12] = (uint8_t)(c->lba >> 16);
	if (c->extend) {
		cdb[3] = (uint8_t)(c->feature >> 8);
		cdb[5] = (uint8_t)(c->count >> 8);
		cdb[7] = (uint8_t)(c->lba >> 24);
		cdb[9] = (uint8_t)(c->lba >> 32);
		cdb[11] = (uint8_t)(c->lba >> 40);
	}
	cdb[13] = c->device;
	cdb[14] = c->command;
}

static void take_registers(struct wp_ata_cmd *c, const struct wp_sense *s)
{
	c->regs = true;
	c->status = s->ata_status;
	c->error = s->ata_error;
	c->count_out = s->ata_count;
	c->lba_out = s->ata_lba;
	c->count_upper_unknown = !s->descriptor;
	c->lba_upper_unknown = !s->descriptor && s->ata_lba_upper_nonzero;
	if (!s->descriptor && s->ata_count_upper_nonzero)
		c->count_out |= 0xff00; /* "nonzero": callers must not read more */
}

/* SAT-3 12.2.2: with CK_COND (or after an error) the answer is CHECK
 * CONDITION; the command completed only when the sense says "ATA
 * pass-through information available" (00h/1Dh) under NO SENSE or
 * RECOVERED ERROR. Anything else — ABORTED COMMAND, NOT READY, a reset —
 * is a failure even when the ATA status shows no error. */
static bool pt_info_available(const struct wp_sense *s)
{
	return s->valid && (s->key == 0x0 || s->key == 0x1) && s->asc == 0x00 && s->ascq == 0x1d;
}

int wp_ata_exec(const struct wp_fw_dev *dev, struct wp_ata_cmd *c, const char *what,
		char *err, size_t errlen)
{
	uint8_t cdb[16];
	ata_cdb(c, cdb);
	bool data = c->proto != WP_ATA_NODATA;
	struct wp_sg_cmd sg = {
		.cdb = cdb, .cdb_len = sizeof(cdb), .ata_pt = true,
		.dir = !data ? SG_DXFER_NONE : c->proto == WP_ATA_PIO_IN ? SG_DXFER_FROM_DEV
									: SG_DXFER_TO_DEV,
		.buf = data ? c->buf : NULL, .len = data ? WP_ATA_SECTOR : 0,
		.timeout_ms = c->timeout_ms,
	};
	c->regs = false;
	if (wp_sg_exec(dev, &sg, what, err, errlen) < 0)
		return -1;
	if (sg.sense.ata_valid)
		take_registers(c, &sg.sense);
	if (c->regs && (c->status & (ST_ERR | ST_DF))) {
		wp_fw_fmt(err, errlen, "%s: the drive aborted %s (ATA status %02Xh, error %02Xh%s)",
			  dev->path, what, c->status, c->error,
			  c->error & ER_ABRT ? ": ABRT, command not allowed now or not supported" : "");
		return -1;
	}
	if (c->regs && (c->status & (ST_BSY | ST_DRQ))) {
		wp_fw_fmt(err, errlen, "%s: %s did not complete: the drive is still busy (ATA "
			  "status %02Xh, BSY or DRQ set)", dev->path, what, c->status);
		return -1;
	}
	if (sg.status == WP_SCSI_GOOD || (c->regs && pt_info_available(&sg.sense)))
		return 0;
	char why[128];
	wp_sense_describe(&sg.sense, why, sizeof(why));
	if (c->regs) {
		wp_fw_fmt(err, errlen, "%s: %s failed: the adapter answered %s (ATA status %02Xh)",
			  dev->path, what, why, c->status);
		return -1;
	}
	wp_fw_fmt(err, errlen, "%s: %s was refused before reaching the drive: %s%s", dev->path,
		  what, why, sg.sense.key == 0x5 ? "; this adapter does not pass ATA commands "
		  "through" : "");
	return -1;
}

/* ---- descriptor sense for 48-bit answers ---------------------------------- */

/* MODE SENSE(10), current values of the control mode page, without block
 * descriptors. */
static int control_page_read(const struct wp_fw_dev *dev, uint8_t page[CONTROL_PAGE_LEN],
			     char *err, size_t errlen)
{
	uint8_t data[252] = { 0 };
	uint8_t cdb[10] = { SCSI_MODE_SENSE10, 0x08 /* DBD */, CONTROL_PAGE, 0, 0, 0, 0, 0,
			    sizeof(data), 0 };
	struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb), .dir = SG_DXFER_FROM_DEV,
			       .buf = data, .len = sizeof(data) };
	if (wp_sg_exec(dev, &c, "MODE SENSE (control mode page)", err, errlen) < 0)
		return -1;
	size_t at = 8 + (size_t)(data[6] << 8 | data[7]);
	if (c.status != WP_SCSI_GOOD || at + CONTROL_PAGE_LEN > sizeof(data) ||
	    (data[at] & 0x3f) != CONTROL_PAGE || data[at + 1] != CONTROL_PAGE_LEN - 2) {
		wp_fw_fmt(err, errlen, "D_SENSE (descriptor sense) not switchable: no control "
			  "mode page");
		return -1;
	}
	memcpy(page, data + at, CONTROL_PAGE_LEN);
	return 0;
}

/* MODE SELECT(10) of the page as read, D_SENSE set or cleared (libata
 * accepts a change of that bit only: ata_mselect_control). */
static int control_page_write(const struct wp_fw_dev *dev, const uint8_t page[CONTROL_PAGE_LEN],
			      bool d_sense, char *err, size_t errlen)
{
	uint8_t param[8 + CONTROL_PAGE_LEN] = { 0 };
	memcpy(param + 8, page, CONTROL_PAGE_LEN);
	param[8] &= 0x3f; /* PS is reserved in MODE SELECT */
	param[10] = (uint8_t)(d_sense ? page[2] | D_SENSE : page[2] & ~D_SENSE);
	uint8_t cdb[10] = { SCSI_MODE_SELECT10, 0x10 /* PF */, 0, 0, 0, 0, 0, 0, sizeof(param),
			    0 };
	struct wp_sg_cmd c = { .cdb = cdb, .cdb_len = sizeof(cdb), .dir = SG_DXFER_TO_DEV,
			       .buf = param, .len = sizeof(param) };
	if (wp_sg_exec(dev, &c, "MODE SELECT (control mode page)", err, errlen) < 0)
		return -1;
	if (c.status == WP_SCSI_GOOD)
		return 0;
	char why[128];
	wp_sense_describe(&c.sense, why, sizeof(why));
	wp_fw_fmt(err, errlen, "D_SENSE (descriptor sense) %s refused: %s",
		  d_sense ? "on" : "off", why);
	return -1;
}

/* Run C; when fixed-format sense hid LBA(47:24), run it again with
 * descriptor sense switched on, then switch back. 0 with the whole LBA in
 * c->lba_out, -1 with err. */
static int exec_lba48(const struct wp_fw_dev *dev, struct wp_ata_cmd *c, const char *what,
		      char *err, size_t errlen)
{
	if (wp_ata_exec(dev, c, what, err, errlen) < 0)
		return -1;
	if (!c->regs) {
		wp_fw_fmt(err, errlen, "%s: %s: the adapter returned no registers", dev->path, what);
		return -1;
	}
	if (!c->lba_upper_unknown)
		return 0;
	uint8_t page[CONTROL_PAGE_LEN] = { 0 };
	char why[192];
	if (control_page_read(dev, page, why, sizeof(why)) < 0 || (page[2] & D_SENSE) ||
	    control_page_write(dev, page, true, why, sizeof(why)) < 0) {
		wp_fw_fmt(err, errlen, "%s: %s: fixed-format sense hides LBA(47:24); %s", dev->path,
			  what, (page[2] & D_SENSE) ? "D_SENSE is on already" : why);
		return -1;
	}
	int rc = wp_ata_exec(dev, c, what, err, errlen);
	if (rc == 0 && (!c->regs || c->lba_upper_unknown)) {
		wp_fw_fmt(err, errlen, "%s: %s: no descriptor sense even with D_SENSE on",
			  dev->path, what);
		rc = -1;
	}
	if (control_page_write(dev, page, false, why, sizeof(why)) < 0) {
		size_t used = rc < 0 ? strlen(err) : 0;
		wp_fw_fmt(err + used, errlen - used, "%s%s: %s", used ? "; " : "", dev->path, why);
		rc = -1;
	}
	return rc;
}

/* ---- IDENTIFY DEVICE ------------------------------------------------------- */

/* ACS-3 7.12.6.32/33: bit 15 selects the extended 15-bit format; a value
 * is two minutes, except the largest, which means "more than" (FFh: more
 * than 508 minutes; 7FFFh: more than 65532 minutes). */
static unsigned erase_minutes(uint16_t w, bool *more_than)
{
	unsigned v = (w & 0x8000) ? w & 0x7fffu : w & 0xffu;
	unsigned top = (w & 0x8000) ? 0x7fffu : 0xffu;
	*more_than = v == top;
	return v == top ? (v - 1) * 2u : v * 2u;
}

static bool word_valid(uint16_t w)
{
	return w != 0x0000 && w != 0xffff;
}

static void parse_identify(const uint16_t *w, struct wp_ata_info *a)
{
	memset(a, 0, sizeof(*a));
	bool w82 = word_valid(w[82]), w83 = word_valid(w[83]);
	a->sanitize_supported = w[59] & (1u << 12);
	a->sanitize_crypto = a->sanitize_supported && (w[59] & (1u << 13));
	a->sanitize_overwrite = a->sanitize_supported && (w[59] & (1u << 14));
	a->sanitize_block = a->sanitize_supported && (w[59] & (1u << 15));
	a->security_supported = w82 && (w[82] & 0x2) && (w[128] & 0x1);
	a->hpa_supported = w82 && (w[82] & (1u << 10));
	a->lba48 = w83 && (w[83] & (1u << 10));
	a->dco_supported = w83 && (w[83] & (1u << 11));
	/* word 86 bit 15: words 119-120 valid; then bits 15:14 of word 119 are
	 * 01b and bit 8 is Accessible Max Address Configuration (ACS-4) */
	a->amac_supported = (w[86] & 0x8000) && (w[119] & 0xc000) == 0x4000 &&
			    (w[119] & (1u << 8));
	if (a->security_supported) {
		a->security_enabled = w[128] & 0x2;
		a->locked = w[128] & 0x4;
		a->frozen = w[128] & 0x8;
		a->count_expired = w[128] & 0x10;
		a->enhanced_supported = w[128] & 0x20;
		a->erase_minutes = erase_minutes(w[89], &a->erase_more_than);
		a->enhanced_minutes = erase_minutes(w[90], &a->enhanced_more_than);
	}
	if (a->lba48)
		a->user_sectors = (uint64_t)w[100] | (uint64_t)w[101] << 16 |
				  (uint64_t)w[102] << 32 | (uint64_t)w[103] << 48;
	else
		a->user_sectors = (uint64_t)w[60] | (uint64_t)w[61] << 16;
}

/* IDENTIFY-style data ends with a checksum when word 255 says A5h. */
static bool checksum_ok(const uint8_t *b)
{
	if (b[510] != 0xa5)
		return true;
	uint8_t sum = 0;
	for (size_t i = 0; i < WP_ATA_SECTOR; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum == 0;
}

int wp_ata_identify(const struct wp_fw_dev *dev, struct wp_ata_info *a, char *err,
		    size_t errlen)
{
	uint8_t buf[WP_ATA_SECTOR] = { 0 };
	uint16_t w[256];
	struct wp_ata_cmd c = { .command = ATA_IDENTIFY, .count = 1, .proto = WP_ATA_PIO_IN,
			     .buf = buf };
	if (wp_ata_exec(dev, &c, "IDENTIFY DEVICE", err, errlen) < 0)
		return -1;
	if (!checksum_ok(buf)) {
		wp_fw_fmt(err, errlen, "%s: IDENTIFY DEVICE data fails its checksum; the "
			  "adapter garbles ATA data, so no ATA erase is offered", dev->path);
		return -1;
	}
	for (size_t i = 0; i < 256; i++)
		w[i] = wp_le16(buf + 2 * i);
	parse_identify(w, a);
	return 0;
}

/* ---- hidden areas ---------------------------------------------------------- */

/* The native max: GET NATIVE MAX ADDRESS EXT where the drive has
 * Accessible Max Address Configuration (which replaces the HPA feature
 * set), else READ NATIVE MAX ADDRESS EXT. 0, or -1 with the note set. */
static int probe_native_max(const struct wp_fw_dev *dev, struct wp_fw_caps *caps)
{
	struct wp_hidden_info *h = &caps->hidden;
	bool amac = caps->ata.amac_supported;
	const char *what = amac ? "GET NATIVE MAX ADDRESS EXT" : "READ NATIVE MAX ADDRESS EXT";
	char err[256];
	struct wp_ata_cmd c = { .command = amac ? ATA_AMAC : ATA_READ_NATIVE_MAX_EXT,
			     .feature = amac ? AMAC_GET_NATIVE_MAX : 0, .device = 0x40,
			     .proto = WP_ATA_NODATA, .extend = true, .ck_cond = true };
	if (exec_lba48(dev, &c, what, err, sizeof(err)) < 0) {
		wp_fw_fmt(h->note, sizeof(h->note), "native max not readable: %s", err);
		return -1;
	}
	h->native_sectors = c.lba_out + 1;
	h->hpa = h->native_sectors > h->user_sectors;
	return 0;
}

/* DEVICE CONFIGURATION IDENTIFY. 0, or -1 with the note set: an aborted
 * command means a frozen DCO as much as none, so nothing is known. */
static int probe_dco(const struct wp_fw_dev *dev, struct wp_fw_caps *caps)
{
	struct wp_hidden_info *h = &caps->hidden;
	uint8_t buf[WP_ATA_SECTOR] = { 0 };
	char err[256];
	struct wp_ata_cmd c = { .command = ATA_DCO, .feature = DCO_IDENTIFY, .count = 1,
			     .proto = WP_ATA_PIO_IN, .buf = buf };
	if (wp_ata_exec(dev, &c, "DEVICE CONFIGURATION IDENTIFY", err, sizeof(err)) < 0 ||
	    !checksum_ok(buf)) {
		wp_fw_fmt(h->note, sizeof(h->note), "DEVICE CONFIGURATION IDENTIFY not answered "
			  "(DCO frozen?): a Device Configuration Overlay cannot be ruled out");
		return -1;
	}
	uint64_t max = wp_le64(buf + 6) & 0xffffffffffffull; /* words 3-6 */
	if (max == 0)
		return 0;
	h->dco_sectors = max + 1;
	uint64_t shown = h->native_sectors ? h->native_sectors : h->user_sectors;
	h->dco = h->dco_sectors > shown;
	return 0;
}

/* Checked only when every mechanism IDENTIFY names was asked and answered:
 * HPA (word 82 bit 10) or AMAC (word 119 bit 8) by the native max, DCO
 * (word 83 bit 11) by its own command. */
static void probe_hidden(const struct wp_fw_dev *dev, struct wp_fw_caps *caps)
{
	const struct wp_ata_info *a = &caps->ata;
	struct wp_hidden_info *h = &caps->hidden;
	h->user_sectors = a->user_sectors;
	h->checked = false;
	if (!a->lba48) {
		wp_fw_fmt(h->note, sizeof(h->note), "a 28-bit drive: hidden areas are not checked");
		return;
	}
	if (!a->hpa_supported && !a->amac_supported && !a->dco_supported) {
		h->checked = true;
		wp_fw_fmt(h->note, sizeof(h->note), "IDENTIFY shows no HPA, Accessible Max Address "
			  "or DCO feature set (words 82, 119, 83)");
		return;
	}
	bool ok = true;
	if (a->hpa_supported || a->amac_supported)
		ok = probe_native_max(dev, caps) == 0;
	if (ok && a->dco_supported)
		ok = probe_dco(dev, caps) == 0;
	h->checked = ok;
	if (ok && (h->hpa || h->dco))
		wp_fw_fmt(h->note, sizeof(h->note), "%s%s%s",
			  !h->hpa ? "" : a->amac_supported ? "an accessible max address below the "
			  "native max hides sectors (SET ACCESSIBLE MAX ADDRESS EXT, which "
			  "wipeproof does not send, shows them)" : "a Host Protected Area hides "
			  "sectors (--remove-hpa restores them until power-off)",
			  h->hpa && h->dco ? "; " : "",
			  h->dco ? "a Device Configuration Overlay hides sectors (only a DCO "
				   "RESTORE, which wipeproof does not send, shows them)" : "");
}

/* SET MAX ADDRESS EXT must come right after READ NATIVE MAX ADDRESS EXT
 * (ACS-3 7.50); COUNT bit 0 (VV) stays clear, so the drive forgets the
 * change at the next power-on and the HPA comes back as it was. */
int wp_ata_restore_native_max(const struct wp_fw_dev *dev, uint64_t *native_sectors,
			      char *err, size_t errlen)
{
	struct wp_ata_info a;
	if (wp_ata_identify(dev, &a, err, errlen) < 0)
		return -1;
	if (a.amac_supported && !a.hpa_supported) {
		wp_fw_fmt(err, errlen, "%s: the drive limits its capacity with Accessible Max "
			  "Address Configuration, whose SET ACCESSIBLE MAX ADDRESS EXT is not "
			  "volatile: wipeproof does not send it", dev->path);
		return -1;
	}
	struct wp_ata_cmd rd = { .command = ATA_READ_NATIVE_MAX_EXT, .device = 0x40,
			      .proto = WP_ATA_NODATA, .extend = true, .ck_cond = true };
	char why[256];
	if (exec_lba48(dev, &rd, "READ NATIVE MAX ADDRESS EXT", why, sizeof(why)) < 0) {
		wp_fw_fmt(err, errlen, "%s: the native max address is not readable through this "
			  "adapter, so the HPA cannot be removed (%s)", dev->path, why);
		return -1;
	}
	struct wp_ata_cmd set = { .command = ATA_SET_MAX_ADDRESS_EXT, .device = 0x40,
			       .proto = WP_ATA_NODATA, .extend = true, .lba = rd.lba_out };
	if (wp_ata_exec(dev, &set, "SET MAX ADDRESS EXT", err, errlen) < 0)
		return -1;
	*native_sectors = rd.lba_out + 1;
	return 0;
}

/* ---- capabilities ---------------------------------------------------------- */

static void support(struct wp_fw_caps *caps, enum wp_fw_method m, bool ok, const char *why)
{
	caps->method[m].ok = ok;
	wp_fw_fmt(caps->method[m].why, sizeof(caps->method[m].why), "%s", ok ? "" : why);
}

static void security_support(struct wp_fw_caps *caps)
{
	const struct wp_ata_info *a = &caps->ata;
	const char *why = !a->security_supported ? "the drive has no ATA Security feature set "
		"(IDENTIFY words 82 and 128)"
		: a->frozen ? WP_WHY_FROZEN
		: a->count_expired ? "the drive's password attempt counter expired: power-cycle it"
		: NULL;
	support(caps, WP_FW_ATA_SECURE_ERASE, !why, why);
	if (!why && !a->enhanced_supported)
		why = "the drive does not support enhanced security erase (IDENTIFY word 128 "
		      "bit 5); use ata-secure-erase";
	support(caps, WP_FW_ATA_SECURE_ERASE_ENH, !why, why);
}

static void sanitize_support(struct wp_fw_caps *caps)
{
	const struct wp_ata_info *a = &caps->ata;
	const char *none = "the drive has no ATA Sanitize feature set (IDENTIFY word 59 bit 12)";
	const char *locked = "the drive is locked by an ATA password; unlock it first "
			     "(hdparm --security-unlock)";
	const char *base = !a->sanitize_supported ? none : a->locked ? locked : NULL;
	support(caps, WP_FW_ATA_SANITIZE_CRYPTO, !base && a->sanitize_crypto,
		base ? base : "the drive does not support CRYPTO SCRAMBLE (word 59 bit 13)");
	support(caps, WP_FW_ATA_SANITIZE_OVERWRITE, !base && a->sanitize_overwrite,
		base ? base : "the drive does not support OVERWRITE (word 59 bit 14)");
	support(caps, WP_FW_ATA_SANITIZE_BLOCK, !base && a->sanitize_block,
		base ? base : "the drive does not support BLOCK ERASE (word 59 bit 15)");
}

static int ata_probe(const struct wp_fw_dev *dev, struct wp_fw_caps *caps)
{
	char err[256];
	if (wp_ata_identify(dev, &caps->ata, err, sizeof(err)) < 0) {
		wp_fw_fmt(caps->note, sizeof(caps->note), "%s", err);
		return -1;
	}
	caps->probed = true;
	security_support(caps);
	sanitize_support(caps);
	probe_hidden(dev, caps);
	return 0;
}

const struct wp_backend wp_backend_ata = {
	.name = "ata", .bus = WP_FW_BUS_ATA, .probe = ata_probe, .run = wp_ata_run,
};
