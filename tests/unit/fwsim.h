/*
 * A simulated device at the firmware I/O boundary (struct wp_fw_io) for
 * the firmware unit tests: it records the exact bytes of every command,
 * answers like an ATA drive behind libata, an NVMe controller, a SCSI disk
 * or an SD card from its state, and keeps its "medium" in a temporary file
 * so that what an erase did can be read back like from a disk. `fake`
 * makes it answer success while changing nothing, the drive that
 * verification must catch.
 *
 * The decoding here is written from the standards, independently of the
 * backends, so an encoding mistake in a backend shows up as a refusal. Its
 * opcodes, features, keys and fields come from ../conformance/reference.h,
 * generated from what hdparm, sg3_utils and nvme-cli send (tests/conformance/
 * README.md), never from wipe/: a wrong constant shared by a backend and
 * this simulator cannot pass again (issue 14 defect 1 did).
 */
#ifndef WP_FWSIM_H
#define WP_FWSIM_H

#include "firmware.h"
#include "fw_internal.h"
#include "verify.h"
#include "../conformance/reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIM_MAX_CMDS 512
#define SIM_SECTOR 512

struct sim_sg {
	uint8_t cdb[16];
	uint8_t cdb_len;
	int dir;
	unsigned len;
	unsigned timeout_ms;      /* sg_io_hdr.timeout */
	uint8_t data[SIM_SECTOR]; /* what the host sent (TO_DEV) */
};

struct sim {
	/* what was sent */
	size_t n_sg;
	struct sim_sg sg[SIM_MAX_CMDS];
	size_t n_nv;
	struct nvme_admin_cmd nv[SIM_MAX_CMDS];
	size_t n_discard;
	unsigned pauses;
	/* the medium */
	int medium_fd;
	uint64_t size;
	bool fake;                /* success, but the medium stays as it was */
	bool noise;               /* every erase leaves noise, whatever it promised */
	/* transport */
	bool fixed_sense;         /* libata's default: fixed-format sense; D_SENSE in the
				   * control mode page (MODE SELECT) turns it off */
	bool mode_select_refused; /* a SATL that does not let D_SENSE be changed */
	unsigned mode_selects;    /* MODE SELECT(10) commands accepted */
	int sg_errno;             /* every SG_IO fails with this */
	bool ata_pt_refused;      /* a SCSI layer without SAT: ILLEGAL REQUEST */
	uint8_t host_status;
	/* ATA */
	bool sec, enhanced, enabled, locked, frozen, prepared, interrupt_erase;
	bool erase_keeps_password; /* ERASE UNIT "succeeds", erases nothing, password stays */
	bool erase_ones;          /* a normal erase writes ones (ACS allows 0s or 1s) */
	uint16_t w89, w90;        /* IDENTIFY erase time words; 0: 60 and 120 minutes */
	/* one ATA opcode answered with this sense key and ATA status instead of
	 * being run (0: none) */
	uint8_t ovr_cmd, ovr_key, ovr_asc, ovr_ascq, ovr_status;
	uint8_t pw[32];
	bool san, san_crypto, san_block, san_ow, san_fail, san_done_ok, san_frozen;
	bool san_failed_state;    /* SD3: STATUS is aborted with reason 01h until a
				   * sanitize completes */
	unsigned san_left, san_total;
	uint16_t san_feature;
	bool hpa_feature, dco_feature, amac_feature;
	uint64_t user_sectors, native_sectors, dco_sectors;
	bool native_read, set_max_volatile;
	bool native_fails_descriptor; /* READ NATIVE MAX aborted once D_SENSE is on */
	/* NVMe */
	uint32_t nsid;
	uint16_t oacs;
	uint32_t sanicap;
	uint8_t fna, flbas, dps, dlfeat;
	uint32_t active[8];
	size_t n_active;
	uint8_t cmic;             /* Identify Controller byte 76 */
	uint32_t allocated[8];    /* CNS 10h: every namespace of the subsystem */
	size_t n_allocated;
	int format_status, sanitize_status;
	unsigned nv_sanact;
	bool nv_dealloc_status;   /* the log says 4: completed with deallocation */
	/* SCSI */
	bool rs_check;            /* REQUEST SENSE itself ends in CHECK CONDITION */
	bool rs_empty;            /* REQUEST SENSE GOOD with no sense data at all */
	bool rsoc_refused;
	uint8_t scsi_support[4];  /* RSOC SUPPORT per service action 1..3 */
	unsigned scsi_sa;
	/* MMC */
	int discard_errno;
};

/* ---- the medium ------------------------------------------------------------- */

static inline uint64_t sim_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fill the medium with zeros, or with seeded noise when seed != 0. */
static inline void sim_fill(struct sim *s, uint64_t seed)
{
	static uint8_t buf[1 << 20];
	uint64_t state = seed;
	for (uint64_t at = 0; at < s->size; at += sizeof(buf)) {
		size_t n = s->size - at < sizeof(buf) ? (size_t)(s->size - at) : sizeof(buf);
		for (size_t i = 0; i < n; i += 8) {
			uint64_t v = seed ? sim_rand(&state) : 0;
			memcpy(buf + i, &v, 8);
		}
		if (pwrite(s->medium_fd, buf, n, (off_t)at) != (ssize_t)n)
			abort();
	}
}

/* What an erase does to the medium, unless the device is a fake. */
static inline void sim_erase(struct sim *s, bool zeros)
{
	if (!s->fake)
		sim_fill(s, zeros && !s->noise ? 0 : 0xc0ffee + s->n_sg + s->n_nv);
}

static inline void sim_open(struct sim *s, uint64_t size)
{
	char path[] = "/tmp/wp-fwsim-XXXXXX";
	memset(s, 0, sizeof(*s));
	s->medium_fd = mkstemp(path);
	if (s->medium_fd < 0 || ftruncate(s->medium_fd, (off_t)size) < 0)
		abort();
	unlink(path);
	s->size = size;
	s->san_total = 3;
	sim_fill(s, 12345);
}

static inline void sim_close(struct sim *s)
{
	close(s->medium_fd);
}

static inline struct wp_io_target sim_target(struct sim *s)
{
	return (struct wp_io_target){ .fd = s->medium_fd, .path = "/dev/sim", .size = s->size,
				      .block_size = SIM_SECTOR };
}

/* ---- SG_IO: ATA pass-through ------------------------------------------------- */

static inline void sim_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void sim_checksum(uint8_t *b)
{
	uint8_t sum = 0;
	b[510] = 0xa5;
	for (size_t i = 0; i < 511; i++)
		sum = (uint8_t)(sum + b[i]);
	b[511] = (uint8_t)(0 - sum);
}

static inline void sim_identify(const struct sim *s, uint8_t *out)
{
	uint16_t w[256] = { 0 };
	w[59] = (uint16_t)((s->san ? 1u << 12 : 0) | (s->san_crypto ? 1u << 13 : 0) |
			   (s->san_ow ? 1u << 14 : 0) | (s->san_block ? 1u << 15 : 0));
	w[82] = (uint16_t)(0x4000 | (s->sec ? 0x2 : 0) | (s->hpa_feature ? 1u << 10 : 0));
	w[83] = (uint16_t)(0x4000 | 1u << 10 | (s->dco_feature ? 1u << 11 : 0));
	w[85] = s->enabled ? 0x2 : 0;
	/* ACS-3 7.12.6.32/33: bit 15 selects the extended format (bits 14:0) */
	w[89] = s->w89 ? s->w89 : 0x8000 | 30;  /* 60 minutes */
	w[90] = s->w90 ? s->w90 : 0x8000 | 60;  /* 120 minutes */
	/* word 86 bit 15: words 119-120 valid; word 119 bits 15:14 = 01b, bit 8
	 * Accessible Max Address Configuration (ACS-4; opensea-transport checks
	 * the same bits before GET NATIVE MAX ADDRESS EXT) */
	w[86] = 0x8000;
	w[119] = (uint16_t)(0x4000 | (s->amac_feature ? 1u << 8 : 0));
	if (s->sec)
		w[128] = (uint16_t)(0x1 | (s->enabled ? 0x2 : 0) | (s->locked ? 0x4 : 0) |
				    (s->frozen ? 0x8 : 0) | (s->enhanced ? 0x20 : 0));
	for (int i = 0; i < 4; i++)
		w[100 + i] = (uint16_t)(s->user_sectors >> (16 * i));
	for (size_t i = 0; i < 256; i++)
		sim_put16(out + 2 * i, w[i]);
	sim_checksum(out);
}

/* CHECK CONDITION with the ATA registers in sense data, fixed (SAT-3
 * 12.2.2.6) or descriptor format (ATA Status Return descriptor 09h). */
static inline void sim_ata_regs(const struct sim *s, struct sg_io_hdr *h, uint8_t key,
				uint8_t asc, uint8_t ascq, uint8_t status, uint8_t error,
				uint16_t count, uint64_t lba)
{
	uint8_t *sb = h->sbp;
	memset(sb, 0, h->mx_sb_len);
	h->status = WP_SCSI_CHECK_CONDITION;
	if (s->fixed_sense) {
		sb[0] = 0x70;
		sb[2] = key;
		sb[7] = 10;
		sb[3] = error;
		sb[4] = status;
		sb[5] = 0x40;
		sb[6] = (uint8_t)count;
		sb[8] = (uint8_t)(0x80 | ((count >> 8) ? 0x40 : 0) | ((lba >> 24) ? 0x20 : 0));
		sb[9] = (uint8_t)lba;
		sb[10] = (uint8_t)(lba >> 8);
		sb[11] = (uint8_t)(lba >> 16);
		sb[12] = asc;
		sb[13] = ascq;
		h->sb_len_wr = 18;
		return;
	}
	uint8_t *d = sb + 8;
	sb[0] = 0x72;
	sb[1] = key;
	sb[2] = asc;
	sb[3] = ascq;
	sb[7] = 14;
	d[0] = 0x09;
	d[1] = 0x0c;
	d[2] = 0x01;
	d[3] = error;
	d[4] = (uint8_t)(count >> 8);
	d[5] = (uint8_t)count;
	d[6] = (uint8_t)(lba >> 24);
	d[7] = (uint8_t)lba;
	d[8] = (uint8_t)(lba >> 32);
	d[9] = (uint8_t)(lba >> 8);
	d[10] = (uint8_t)(lba >> 40);
	d[11] = (uint8_t)(lba >> 16);
	d[12] = 0x40;
	d[13] = status;
	h->sb_len_wr = 22;
}

/* Answer an ATA command: GOOD, or the registers in sense data (always with
 * CK_COND, and on every error): RECOVERED ERROR 00h/1Dh (ATA pass-through
 * information available) on success, ABORTED COMMAND with ERR and ABRT on
 * an error, as libata does. */
static inline void sim_ata_answer(const struct sim *s, struct sg_io_hdr *h, bool ck, bool ok,
				  uint16_t count, uint64_t lba)
{
	if (ok && !ck)
		return;
	if (ok)
		sim_ata_regs(s, h, 0x01, 0x00, 0x1d, 0x50, 0x00, count, lba);
	else
		sim_ata_regs(s, h, 0x0b, 0x00, 0x00, 0x51, 0x04, count, lba);
}

static inline void sim_sanitize_step(struct sim *s)
{
	if (s->san_left == 0 || --s->san_left > 0)
		return;
	s->san_done_ok = !s->san_fail;
	s->san_failed_state = s->san_fail;
	if (s->san_fail)
		return;
	sim_erase(s, s->san_feature != REF_ATA_SANITIZE_CRYPTO);
}

static inline bool sim_ata_sanitize(struct sim *s, uint16_t feature, uint16_t count,
				    uint64_t lba, uint16_t *rc, uint64_t *rl)
{
	if (feature == REF_ATA_SANITIZE_STATUS) {
		if (s->san_failed_state && !s->san_left) {
			/* Sanitize Operation Failed: aborted, reason in LBA(7:0),
			 * 01h = the last sanitize command failed (ACS-3; hdparm's
			 * sanitize_error_output reads it there) */
			*rc = 0;
			*rl = REF_ATA_SAN_REASON_FAILED;
			return false;
		}
		*rc = (uint16_t)((s->san_left ? REF_ATA_SAN_COUNT_IN_PROGRESS : 0) |
				 (s->san_done_ok ? REF_ATA_SAN_COUNT_DONE_OK : 0) |
				 (s->san_frozen ? REF_ATA_SAN_COUNT_FROZEN : 0));
		*rl = s->san_left ? (s->san_total - s->san_left) * 65535u / s->san_total : 0xffff;
		sim_sanitize_step(s);
		return true;
	}
	/* keys as hdparm sends them (ACS-3 7.36): "Cryp", "BkEr", "OW" in
	 * LBA(47:32) */
	bool ok = s->san &&
		  ((feature == REF_ATA_SANITIZE_CRYPTO && s->san_crypto &&
		    lba == REF_ATA_SANITIZE_CRYPTO_KEY) ||
		   (feature == REF_ATA_SANITIZE_BLOCK && s->san_block &&
		    lba == REF_ATA_SANITIZE_BLOCK_KEY) ||
		   (feature == REF_ATA_SANITIZE_OVERWRITE && s->san_ow &&
		    (lba >> 32) == (REF_ATA_SANITIZE_OVERWRITE_KEY >> 32) &&
		    (count & 0xf) == REF_ATA_SANITIZE_OVERWRITE_COUNT));
	ok = ok && !s->san_frozen;
	if (ok && !s->locked) {
		s->san_feature = feature;
		s->san_left = s->san_total;
		s->san_done_ok = false;
		s->san_failed_state = false;
	}
	return ok && !s->locked;
}

static inline bool sim_pw_match(const struct sim *s, const uint8_t *data)
{
	return memcmp(s->pw, data + REF_ATA_PASSWORD_OFFSET, sizeof(s->pw)) == 0;
}

static inline int sim_ata(struct sim *s, struct sg_io_hdr *h)
{
	const uint8_t *c = h->cmdp;
	bool ext = c[1] & 1, ck = c[2] & 0x20;
	uint16_t feature = (uint16_t)(c[4] | (ext ? c[3] << 8 : 0));
	uint16_t count = (uint16_t)(c[6] | (ext ? c[5] << 8 : 0));
	uint64_t lba = (uint64_t)c[8] | (uint64_t)c[10] << 8 | (uint64_t)c[12] << 16;
	if (ext)
		lba |= (uint64_t)c[7] << 24 | (uint64_t)c[9] << 32 | (uint64_t)c[11] << 40;
	uint8_t *data = h->dxferp;
	bool ok = true;
	uint16_t rc = 0;
	uint64_t rl = 0;
	if (c[14] != REF_ATA_SET_MAX_ADDRESS_EXT && c[14] != REF_ATA_READ_NATIVE_MAX_EXT)
		s->native_read = false;
	if (s->ovr_cmd && c[14] == s->ovr_cmd) {
		sim_ata_regs(s, h, s->ovr_key, s->ovr_asc, s->ovr_ascq, s->ovr_status, 0, 0, 0);
		return 0;
	}
	switch (c[14]) {
	case REF_ATA_IDENTIFY_DEVICE:
		sim_identify(s, data);
		break;
	case REF_ATA_SECURITY_SET_PASSWORD:
		ok = s->sec && !s->frozen && !s->locked;
		if (ok) {
			memcpy(s->pw, data + REF_ATA_PASSWORD_OFFSET, sizeof(s->pw));
			s->enabled = true;
		}
		break;
	case REF_ATA_SECURITY_ERASE_PREPARE:
		ok = s->prepared = s->enabled && !s->frozen;
		break;
	case REF_ATA_SECURITY_ERASE_UNIT:
		ok = s->prepared && sim_pw_match(s, data);
		s->prepared = false;
		if (ok && s->interrupt_erase) {
			s->locked = true; /* the power cut: locked at the next power-on */
			errno = EIO;
			return -1;
		}
		if (ok && s->erase_keeps_password)
			break;
		if (ok && s->erase_ones && !(data[0] & REF_ATA_SECURITY_ENHANCED) && !s->fake) {
			static uint8_t ones[1 << 16];
			memset(ones, 0xff, sizeof(ones));
			for (uint64_t at = 0; at < s->size; at += sizeof(ones))
				if (pwrite(s->medium_fd, ones, sizeof(ones), (off_t)at) < 0)
					abort();
		} else if (ok) {
			sim_erase(s, !(data[0] & REF_ATA_SECURITY_ENHANCED));
		}
		if (ok) {
			s->enabled = false;
			memset(s->pw, 0, sizeof(s->pw));
		}
		break;
	case REF_ATA_SECURITY_UNLOCK:
		ok = s->enabled && sim_pw_match(s, data);
		if (ok)
			s->locked = false;
		break;
	case REF_ATA_SECURITY_DISABLE_PASSWORD:
		ok = s->enabled && !s->locked && sim_pw_match(s, data);
		if (ok) {
			s->enabled = false;
			memset(s->pw, 0, sizeof(s->pw));
		}
		break;
	case REF_ATA_SANITIZE:
		ok = sim_ata_sanitize(s, feature, count, lba, &rc, &rl);
		break;
	case REF_ATA_GET_NATIVE_MAX: /* GET NATIVE MAX ADDRESS EXT: 78h, FEATURE 0000h */
		ok = s->amac_feature && feature == REF_ATA_GET_NATIVE_MAX_FEATURE && ext;
		rl = s->native_sectors - 1;
		break;
	case REF_ATA_READ_NATIVE_MAX_EXT:
		ok = s->hpa_feature && !(s->native_fails_descriptor && !s->fixed_sense);
		rl = s->native_sectors - 1;
		s->native_read = true;
		break;
	case REF_ATA_SET_MAX_ADDRESS_EXT: /* only right after READ NATIVE MAX, and never above it */
		ok = s->hpa_feature && s->native_read && lba < s->native_sectors;
		if (ok) {
			s->user_sectors = lba + 1;
			s->set_max_volatile = !(count & 1);
		}
		break;
	case REF_ATA_DCO:
		ok = feature == REF_ATA_DCO_IDENTIFY && s->dco_sectors;
		if (ok) {
			memset(data, 0, SIM_SECTOR);
			for (int i = 0; i < 3; i++)
				sim_put16(data + 6 + 2 * i, (uint16_t)((s->dco_sectors - 1) >> (16 * i)));
			sim_checksum(data);
		}
		break;
	default:
		ok = false;
	}
	sim_ata_answer(s, h, ck, ok, rc, rl);
	return 0;
}

/* ---- SG_IO: SCSI ----------------------------------------------------------- */

static inline void sim_scsi_check(struct sg_io_hdr *h, uint8_t key, uint8_t asc, uint8_t ascq)
{
	uint8_t *sb = h->sbp;
	memset(sb, 0, h->mx_sb_len);
	sb[0] = 0x70;
	sb[2] = key;
	sb[7] = 10;
	sb[12] = asc;
	sb[13] = ascq;
	h->sb_len_wr = 18;
	h->status = WP_SCSI_CHECK_CONDITION;
}

/* The control mode page (0Ah) as libata reports it: D_SENSE (byte 2 bit 2)
 * is the only changeable bit; busy timeout FFFFh, self-test time 30 s. */
static inline void sim_control_page(const struct sim *s, uint8_t page[12])
{
	memset(page, 0, 12);
	page[0] = REF_SCSI_CONTROL_MODE_PAGE;
	page[1] = 0x0a;
	page[2] = s->fixed_sense ? 0 : REF_SCSI_CONTROL_D_SENSE;
	page[8] = 0xff;
	page[9] = 0xff;
	page[11] = 30;
}

/* MODE SENSE(10) / MODE SELECT(10) of the control page, checked the way
 * libata's ata_mselect_control does: page length 0Ah, every byte but
 * D_SENSE as reported. */
static inline int sim_mode(struct sim *s, struct sg_io_hdr *h)
{
	const uint8_t *c = h->cmdp;
	uint8_t *data = h->dxferp, page[12];
	sim_control_page(s, page);
	if (c[0] == REF_SCSI_MODE_SENSE_10) {
		if ((c[2] & 0x3f) != REF_SCSI_CONTROL_MODE_PAGE || c[3] != 0 || h->dxfer_direction != SG_DXFER_FROM_DEV) {
			sim_scsi_check(h, 0x05, 0x24, 0x00);
			return 0;
		}
		uint8_t out[20] = { 0, 18, 0, 0, 0, 0, 0, 0 };
		memcpy(out + 8, page, 12);
		memset(data, 0, h->dxfer_len);
		memcpy(data, out, h->dxfer_len < 20 ? h->dxfer_len : 20);
		return 0;
	}
	unsigned len = (unsigned)(c[7] << 8 | c[8]);
	bool ok = !s->mode_select_refused && (c[1] & REF_SCSI_MODE_SELECT_PF) && len == 20 && h->dxfer_len == 20 &&
		  h->dxfer_direction == SG_DXFER_TO_DEV && data[6] == 0 && data[7] == 0 &&
		  data[8] == REF_SCSI_CONTROL_MODE_PAGE && data[9] == 0x0a &&
		  (data[10] & ~REF_SCSI_CONTROL_D_SENSE) == (page[2] & ~REF_SCSI_CONTROL_D_SENSE);
	for (int i = 3; ok && i < 12; i++)
		ok = data[8 + i] == page[i];
	if (!ok) {
		sim_scsi_check(h, 0x05, 0x26, 0x00);
		return 0;
	}
	s->fixed_sense = !(data[10] & REF_SCSI_CONTROL_D_SENSE);
	s->mode_selects++;
	return 0;
}

static inline int sim_scsi(struct sim *s, struct sg_io_hdr *h)
{
	const uint8_t *c = h->cmdp;
	uint8_t *data = h->dxferp;
	switch (c[0]) {
	case REF_SCSI_MODE_SENSE_10:
	case REF_SCSI_MODE_SELECT_10:
		return sim_mode(s, h);
	case REF_SCSI_RSOC:
		if (s->rsoc_refused || c[1] != REF_SCSI_RSOC_SA || c[2] != REF_SCSI_RSOC_ONE_SA ||
		    c[3] != REF_SCSI_SANITIZE || c[5] > 3) {
			sim_scsi_check(h, 0x05, 0x20, 0x00);
			return 0;
		}
		memset(data, 0, h->dxfer_len);
		data[1] = s->scsi_support[c[5]];
		return 0;
	case REF_SCSI_SANITIZE:
		if ((c[1] & 0x1f) > 3 || !(s->scsi_support[c[1] & 0x1f] & 0x2)) {
			sim_scsi_check(h, 0x05, 0x20, 0x00);
			return 0;
		}
		s->scsi_sa = c[1] & 0x1f;
		s->san_feature = s->scsi_sa == REF_SCSI_SANITIZE_CRYPTO ? REF_ATA_SANITIZE_CRYPTO
								 : REF_ATA_SANITIZE_OVERWRITE; /* crypto: noise, else zeros */
		s->san_left = s->san_total;
		return 0;
	case REF_SCSI_REQUEST_SENSE:
		memset(data, 0, h->dxfer_len);
		if (s->rs_check) {
			sim_scsi_check(h, 0x04, 0x44, 0x00); /* HARDWARE ERROR, internal target failure */
			return 0;
		}
		if (s->rs_empty)
			return 0; /* GOOD, and not one byte of sense data */
		data[0] = 0x70;
		data[7] = 10;
		if (s->san_left) {
			uint16_t p = (uint16_t)((s->san_total - s->san_left) * 65535u / s->san_total);
			data[2] = 0x02;
			data[12] = 0x04;
			data[13] = 0x1b;
			data[15] = 0x80;
			data[16] = (uint8_t)(p >> 8);
			data[17] = (uint8_t)p;
			sim_sanitize_step(s);
		} else if (s->san_fail) {
			data[2] = 0x03;
			data[12] = 0x31;
			data[13] = 0x03;
		}
		return 0;
	}
	sim_scsi_check(h, 0x05, 0x20, 0x00);
	return 0;
}

static inline int sim_sg_io(void *ctx, int fd, struct sg_io_hdr *h)
{
	struct sim *s = ctx;
	(void)fd;
	if (s->n_sg < SIM_MAX_CMDS) {
		struct sim_sg *r = &s->sg[s->n_sg];
		memcpy(r->cdb, h->cmdp, h->cmd_len);
		r->cdb_len = h->cmd_len;
		r->dir = h->dxfer_direction;
		r->len = h->dxfer_len;
		r->timeout_ms = h->timeout;
		if (h->dxfer_direction == SG_DXFER_TO_DEV && h->dxfer_len <= SIM_SECTOR)
			memcpy(r->data, h->dxferp, h->dxfer_len);
	}
	s->n_sg++;
	h->status = WP_SCSI_GOOD;
	h->host_status = s->host_status;
	h->sb_len_wr = 0;
	if (s->sg_errno) {
		errno = s->sg_errno;
		return -1;
	}
	if (s->host_status)
		return 0;
	if (h->cmdp[0] == REF_ATA_PASS_THROUGH_16 && s->ata_pt_refused) {
		sim_scsi_check(h, 0x05, 0x20, 0x00);
		return 0;
	}
	return h->cmdp[0] == REF_ATA_PASS_THROUGH_16 ? sim_ata(s, h) : sim_scsi(s, h);
}

/* ---- NVMe ----------------------------------------------------------------- */

static inline void sim_put32(uint8_t *p, uint32_t v)
{
	sim_put16(p, (uint16_t)v);
	sim_put16(p + 2, (uint16_t)(v >> 16));
}

static inline int sim_nvme_identify(struct sim *s, struct nvme_admin_cmd *c, uint8_t *buf)
{
	memset(buf, 0, c->data_len);
	switch (c->cdw10 & 0xff) {
	case REF_NVME_CNS_CONTROLLER:
		sim_put16(buf + 256, s->oacs);
		sim_put32(buf + 328, s->sanicap);
		buf[76] = s->cmic;
		sim_put32(buf + 516, (uint32_t)(s->n_active ? s->n_active : 1));
		buf[524] = s->fna;
		return 0;
	case REF_NVME_CNS_NAMESPACE:
		if (c->nsid != s->nsid)
			return 0x400b; /* invalid namespace */
		buf[26] = s->flbas;
		buf[29] = s->dps;
		buf[33] = s->dlfeat;
		return 0;
	case REF_NVME_CNS_ACTIVE_NS:
		for (size_t i = 0; i < s->n_active; i++)
			sim_put32(buf + 4 * i, s->active[i]);
		return 0;
	case REF_NVME_CNS_ALLOCATED_NS: /* allocated namespace list: needs Namespace Management (OACS bit 3) */
		if (!(s->oacs & 0x8))
			return 0x4002;
		for (size_t i = 0; i < s->n_allocated; i++)
			sim_put32(buf + 4 * i, s->allocated[i]);
		return 0;
	}
	return 0x4002;
}

static inline int sim_nvme_log(struct sim *s, struct nvme_admin_cmd *c, uint8_t *buf)
{
	if (c->cdw10 != REF_NVME_LOG_SANITIZE_CDW10 || c->nsid != REF_NVME_NSID_ALL ||
	    c->data_len != REF_NVME_LOG_SANITIZE_LEN)
		return 0x4002;
	memset(buf, 0, 512);
	uint16_t status = 0;
	if (s->san_left) {
		sim_put16(buf, (uint16_t)((s->san_total - s->san_left) * 65535u / s->san_total));
		status = REF_NVME_SSTAT_IN_PROGRESS;
		sim_sanitize_step(s);
	} else if (s->san_feature) {
		sim_put16(buf, 0xffff);
		status = s->san_fail ? REF_NVME_SSTAT_FAILED
			 : s->nv_dealloc_status ? REF_NVME_SSTAT_DONE_ND : REF_NVME_SSTAT_DONE;
	}
	sim_put16(buf + 2, status);
	return 0;
}

static inline int sim_nvme_admin(void *ctx, int fd, struct nvme_admin_cmd *c)
{
	struct sim *s = ctx;
	(void)fd;
	if (s->n_nv < SIM_MAX_CMDS)
		s->nv[s->n_nv] = *c;
	s->n_nv++;
	uint8_t *buf = (uint8_t *)(uintptr_t)c->addr;
	switch (c->opcode) {
	case REF_NVME_IDENTIFY:
		return sim_nvme_identify(s, c, buf);
	case REF_NVME_GET_LOG_PAGE:
		return sim_nvme_log(s, c, buf);
	case REF_NVME_FORMAT:
		if (s->format_status)
			return s->format_status;
		/* NSID FFFFFFFFh only when FNA bit 3 does not forbid it */
		if (c->nsid == REF_NVME_NSID_ALL ? (s->fna & 0x8) != 0 : c->nsid != s->nsid)
			return 0x400b;
		sim_erase(s, true);
		return 0;
	case REF_NVME_SANITIZE:
		if (s->sanitize_status)
			return s->sanitize_status;
		s->nv_sanact = c->cdw10 & 0x7;
		s->san_feature = s->nv_sanact == (REF_NVME_SANACT_CRYPTO & 7) ? REF_ATA_SANITIZE_CRYPTO
								       : REF_ATA_SANITIZE_OVERWRITE;
		s->san_left = s->san_total;
		return 0;
	}
	return 0x4001;
}

static inline int sim_nvme_nsid(void *ctx, int fd)
{
	(void)fd;
	return (int)((struct sim *)ctx)->nsid;
}

/* ---- discard, pause ------------------------------------------------------- */

static inline int sim_secdiscard(void *ctx, int fd, const uint64_t range[2])
{
	struct sim *s = ctx;
	(void)fd;
	s->n_discard++;
	if (s->discard_errno) {
		errno = s->discard_errno;
		return -1;
	}
	if (range[0] != 0 || range[1] != s->size)
		abort();
	sim_erase(s, true);
	return 0;
}

static inline void sim_pause(void *ctx, unsigned ms)
{
	(void)ms;
	((struct sim *)ctx)->pauses++;
}

static inline struct wp_fw_io sim_io(struct sim *s)
{
	return (struct wp_fw_io){ .sg_io = sim_sg_io, .nvme_admin = sim_nvme_admin,
				  .nvme_nsid = sim_nvme_nsid, .secdiscard = sim_secdiscard,
				  .pause = sim_pause, .ctx = s };
}

static inline struct wp_fw_dev sim_dev(struct sim *s, const struct wp_fw_io *io,
				       enum wp_fw_bus bus)
{
	return (struct wp_fw_dev){ .fd = 99, .path = "/dev/sim", .io = io, .bus = bus,
				   .size_bytes = s->size, .block_size = SIM_SECTOR };
}

#endif
