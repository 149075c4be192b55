/*
 * wipe/ internals shared by the firmware backends (fw_*.c). Not part of the
 * module's contract (that is firmware.h); the unit tests include it only to
 * check sense decoding on its own.
 */
#ifndef WP_FW_INTERNAL_H
#define WP_FW_INTERNAL_H

#include "firmware.h"

#include <stdarg.h>

/* Progress polls: once a second, for at most a week (a sanitize of a large
 * disk by overwrite takes hours, never days). */
#define WP_FW_POLL_MS 1000u
#define WP_FW_MAX_POLLS (7u * 24 * 3600)

/* snprintf that truncates on purpose (messages are cut, never refused). */
void wp_fw_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Little-endian fields of identify data and log pages. */
uint16_t wp_le16(const uint8_t *p);
uint32_t wp_le32(const uint8_t *p);
uint64_t wp_le64(const uint8_t *p);

/* ---- SCSI sense data (fw_scsi.c) ---------------------------------------- */

struct wp_sense {
	bool valid;               /* fixed (70h/71h) or descriptor (72h/73h) */
	bool descriptor;
	uint8_t key, asc, ascq;
	bool progress_valid;      /* sense-key specific progress indication */
	uint16_t progress;        /* 0..65535, of 65536 */
	bool ata_valid;           /* ATA status return (descriptor 09h or fixed) */
	uint8_t ata_error, ata_status, ata_device;
	uint16_t ata_count;
	uint64_t ata_lba;
	bool ata_count_upper_nonzero; /* fixed format: count(15:8) not returned */
	bool ata_lba_upper_nonzero;   /* fixed format: LBA(47:24) not returned */
};

/* ATA_PT: the command was an ATA PASS-THROUGH, so a fixed-format sense
 * carries the ATA registers in its information fields (SAT-3 12.2.2.6). */
void wp_sense_decode(const uint8_t *sb, size_t len, bool ata_pt, struct wp_sense *out);
/* "ILLEGAL REQUEST, ASC/ASCQ 20h/00h (invalid command operation code)" */
void wp_sense_describe(const struct wp_sense *s, char *buf, size_t len);

#define WP_SCSI_GOOD 0x00
#define WP_SCSI_CHECK_CONDITION 0x02

/* One SCSI command through SG_IO. */
struct wp_sg_cmd {
	const uint8_t *cdb;
	uint8_t cdb_len;
	int dir;                  /* SG_DXFER_NONE, _FROM_DEV, _TO_DEV */
	void *buf;
	unsigned len;
	unsigned timeout_ms;
	bool ata_pt;
	/* answers */
	uint8_t status;           /* SCSI status */
	struct wp_sense sense;
};

/* Returns 0 when the command reached the device and it answered (GOOD or
 * CHECK CONDITION: look at cmd->status and cmd->sense), -1 when it did not
 * (ioctl error, host or driver error), with WHAT named in err. */
int wp_sg_exec(const struct wp_fw_dev *dev, struct wp_sg_cmd *cmd, const char *what,
	       char *err, size_t errlen);

/* ---- ATA PASS-THROUGH (fw_ata.c) --------------------------------------- */

#define WP_ATA_SECTOR 512

enum wp_ata_proto { WP_ATA_NODATA = 3, WP_ATA_PIO_IN = 4, WP_ATA_PIO_OUT = 5 };

struct wp_ata_cmd {
	uint8_t command;
	uint16_t feature;
	uint16_t count;
	uint64_t lba;
	uint8_t device;
	enum wp_ata_proto proto;
	bool extend;          /* 48-bit command */
	bool ck_cond;         /* return the registers even on success */
	uint8_t *buf;         /* WP_ATA_SECTOR bytes for PIO */
	unsigned timeout_ms;
	/* answers */
	bool regs;            /* the registers below came back */
	uint8_t status, error;
	uint16_t count_out;
	uint64_t lba_out;
	bool count_upper_unknown; /* fixed-format sense: only "nonzero" is known */
	bool lba_upper_unknown;
};

/* 0 done; -1 with err naming WHAT and what the drive or adapter said. */
int wp_ata_exec(const struct wp_fw_dev *dev, struct wp_ata_cmd *c, const char *what,
		char *err, size_t errlen);
/* IDENTIFY DEVICE, checksum checked, parsed. */
int wp_ata_identify(const struct wp_fw_dev *dev, struct wp_ata_info *a, char *err,
		    size_t errlen);
/* Security erase or sanitize (fw_ata_erase.c). */
int wp_ata_run(const struct wp_fw_dev *dev, enum wp_fw_method m, const struct wp_fw_caps *caps,
	       const struct wp_run_ctl *ctl, struct wp_firmware_record *rec, char *err,
	       size_t errlen);

/* ---- shared by the run functions (fw_method.c) --------------------------- */

/* Progress in the device's own units (0..65536), phase "firmware". */
void wp_fw_progress(const struct wp_fw_dev *dev, const struct wp_run_ctl *ctl,
		    struct wp_progress_clock *clock, uint32_t done_of_65536, bool final);
bool wp_fw_stop_requested(const struct wp_run_ctl *ctl);

/* Reason texts used by more than one backend. */
#define WP_WHY_FROZEN "security frozen (the BIOS froze it at boot): suspend and resume " \
	"the machine, or re-plug the drive, then try again"

extern const struct wp_backend wp_backend_ata;
extern const struct wp_backend wp_backend_nvme;
extern const struct wp_backend wp_backend_scsi;
extern const struct wp_backend wp_backend_mmc;
extern const struct wp_backend wp_backend_optical;

#endif
