/*
 * The ATA backend: commands as ATA PASS-THROUGH(16) (SAT-3) through SG_IO,
 * their answers, and probing. Erasing is in fw_ata_erase.c.
 *
 * Probing sends IDENTIFY DEVICE, and for hidden areas READ NATIVE MAX
 * ADDRESS EXT and DEVICE CONFIGURATION IDENTIFY — all read-only. Removing
 * an HPA (--remove-hpa) is a volatile SET MAX ADDRESS EXT.
 */
#include "fw_internal.h"

#include <stdio.h>
#include <string.h>

#define ATA_IDENTIFY 0xec
#define ATA_READ_NATIVE_MAX_EXT 0x27
#define ATA_SET_MAX_ADDRESS_EXT 0x37
#define ATA_DCO 0xb1
#define DCO_IDENTIFY 0xc2

#define ST_ERR 0x01
#define ST_DF 0x20
#define ER_ABRT 0x04

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
	if (sg.status == WP_SCSI_GOOD || c->regs)
		return 0;
	char why[128];
	wp_sense_describe(&sg.sense, why, sizeof(why));
	wp_fw_fmt(err, errlen, "%s: %s was refused before reaching the drive: %s%s", dev->path,
		  what, why, sg.sense.key == 0x5 ? "; this adapter does not pass ATA commands "
		  "through" : "");
	return -1;
}

/* ---- IDENTIFY DEVICE ------------------------------------------------------- */

static unsigned erase_minutes(uint16_t w)
{
	/* ACS-3 7.12.6.32: bit 15 selects the extended 15-bit format */
	return (w & 0x8000) ? (w & 0x7fffu) * 2u : (w & 0xffu) * 2u;
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
	if (a->security_supported) {
		a->security_enabled = w[128] & 0x2;
		a->locked = w[128] & 0x4;
		a->frozen = w[128] & 0x8;
		a->count_expired = w[128] & 0x10;
		a->enhanced_supported = w[128] & 0x20;
		a->erase_minutes = erase_minutes(w[89]);
		a->enhanced_minutes = erase_minutes(w[90]);
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

static void probe_native_max(const struct wp_fw_dev *dev, struct wp_fw_caps *caps)
{
	struct wp_hidden_info *h = &caps->hidden;
	char err[256];
	struct wp_ata_cmd c = { .command = ATA_READ_NATIVE_MAX_EXT, .device = 0x40,
			     .proto = WP_ATA_NODATA, .extend = true, .ck_cond = true };
	if (wp_ata_exec(dev, &c, "READ NATIVE MAX ADDRESS EXT", err, sizeof(err)) < 0 || !c.regs) {
		wp_fw_fmt(h->note, sizeof(h->note), "native max not readable: %s",
			  c.regs ? err : "the adapter returned no registers");
		return;
	}
	if (c.lba_upper_unknown) {
		wp_fw_fmt(h->note, sizeof(h->note), "native max not readable: the adapter "
			  "returns fixed-format sense without LBA(47:24)");
		return;
	}
	h->checked = true;
	h->native_sectors = c.lba_out + 1;
	h->hpa = h->native_sectors > h->user_sectors;
}

static void probe_dco(const struct wp_fw_dev *dev, struct wp_fw_caps *caps)
{
	struct wp_hidden_info *h = &caps->hidden;
	uint8_t buf[WP_ATA_SECTOR] = { 0 };
	char err[256];
	struct wp_ata_cmd c = { .command = ATA_DCO, .feature = DCO_IDENTIFY, .count = 1,
			     .proto = WP_ATA_PIO_IN, .buf = buf };
	if (wp_ata_exec(dev, &c, "DEVICE CONFIGURATION IDENTIFY", err, sizeof(err)) < 0 ||
	    !checksum_ok(buf)) {
		/* aborted: no DCO, or DCO frozen; the native max still stands */
		return;
	}
	uint64_t max = wp_le64(buf + 6) & 0xffffffffffffull; /* words 3-6 */
	if (max == 0)
		return;
	h->dco_sectors = max + 1;
	uint64_t shown = h->native_sectors ? h->native_sectors : h->user_sectors;
	h->dco = h->dco_sectors > shown;
}

static void probe_hidden(const struct wp_fw_dev *dev, struct wp_fw_caps *caps)
{
	const struct wp_ata_info *a = &caps->ata;
	caps->hidden.user_sectors = a->user_sectors;
	if (!a->lba48 || !a->hpa_supported) {
		wp_fw_fmt(caps->hidden.note, sizeof(caps->hidden.note), "%s",
			  a->lba48 ? "the drive has no HPA feature set" :
				     "a 28-bit drive: hidden areas are not checked");
		caps->hidden.checked = a->lba48;
		return;
	}
	probe_native_max(dev, caps);
	if (a->dco_supported)
		probe_dco(dev, caps);
	if (caps->hidden.hpa || caps->hidden.dco)
		wp_fw_fmt(caps->hidden.note, sizeof(caps->hidden.note), "%s%s%s",
			  caps->hidden.hpa ? "a Host Protected Area hides sectors (--remove-hpa "
					     "restores them until power-off)" : "",
			  caps->hidden.hpa && caps->hidden.dco ? "; " : "",
			  caps->hidden.dco ? "a Device Configuration Overlay hides sectors "
					     "(only a DCO RESTORE, which wipeproof does not send, "
					     "shows them)" : "");
}

/* SET MAX ADDRESS EXT must come right after READ NATIVE MAX ADDRESS EXT
 * (ACS-3 7.50); COUNT bit 0 (VV) stays clear, so the drive forgets the
 * change at the next power-on and the HPA comes back as it was. */
int wp_ata_restore_native_max(const struct wp_fw_dev *dev, uint64_t *native_sectors,
			      char *err, size_t errlen)
{
	struct wp_ata_cmd rd = { .command = ATA_READ_NATIVE_MAX_EXT, .device = 0x40,
			      .proto = WP_ATA_NODATA, .extend = true, .ck_cond = true };
	if (wp_ata_exec(dev, &rd, "READ NATIVE MAX ADDRESS EXT", err, errlen) < 0)
		return -1;
	if (!rd.regs || rd.lba_upper_unknown) {
		wp_fw_fmt(err, errlen, "%s: the native max address is not readable through this "
			  "adapter, so the HPA cannot be removed", dev->path);
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
