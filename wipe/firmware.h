/*
 * wipe/firmware.h — firmware erase and the planner.
 *
 * The device's own erase commands (ATA SECURITY ERASE and SANITIZE, NVMe
 * Format NVM and Sanitize, SCSI SANITIZE, BLKSECDISCARD), what a device
 * says it supports, and the planner that picks a method for a device and
 * states the NIST SP 800-88 category it reaches. A second public header of
 * wipe/ because it pulls in the kernel's SG_IO and NVMe ioctl structures,
 * which the overwrite engine and the job report have no business with
 * (wipe/README.md).
 *
 * The I/O boundary is struct wp_fw_io: one function pointer per kernel
 * entry point. Everything above it builds command bytes and decodes the
 * answers, so unit tests put a simulated device behind it that records the
 * exact bytes sent and answers from a script; the real one is
 * wp_fw_io_kernel(). Each command set is one struct wp_backend.
 *
 * Probing only ever sends read-only identify/report commands, and only to
 * the command set the transport suggests (ATA pass-through to ATA disks,
 * NVMe admin to NVMe namespaces, SCSI to SCSI disks); a loop, virtio, USB
 * or MMC disk gets none.
 *
 * Errors: 0 on success, -1 with a one-line message in the caller's buffer
 * naming the device, what the device answered and what to do.
 */
#ifndef WP_FIRMWARE_H
#define WP_FIRMWARE_H

#include "wipe.h"

#include <linux/nvme_ioctl.h>
#include <scsi/sg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the I/O boundary --------------------------------------------------- */

struct wp_fw_io {
	/* ioctl(fd, SG_IO, hdr): 0, or -1 with errno. */
	int (*sg_io)(void *ctx, int fd, struct sg_io_hdr *hdr);
	/* ioctl(fd, NVME_IOCTL_ADMIN_CMD, cmd): 0 on success, > 0 the NVMe
	 * status field (SCT, SC, DNR), -1 with errno. */
	int (*nvme_admin)(void *ctx, int fd, struct nvme_admin_cmd *cmd);
	/* ioctl(fd, NVME_IOCTL_ID): the namespace id, or -1 with errno. */
	int (*nvme_nsid)(void *ctx, int fd);
	/* ioctl(fd, BLKSECDISCARD, range): 0, or -1 with errno. */
	int (*secdiscard)(void *ctx, int fd, const uint64_t range[2]);
	/* Wait between progress polls; a simulated device advances instead. */
	void (*pause)(void *ctx, unsigned ms);
	void *ctx;
};

const struct wp_fw_io *wp_fw_io_kernel(void);

/* Which command set a device's transport suggests. */
enum wp_fw_bus {
	WP_FW_BUS_NONE = 0,   /* loop, virtio, USB bridge: nothing is sent */
	WP_FW_BUS_ATA,        /* SATA disk behind libata: ATA PASS-THROUGH(16) */
	WP_FW_BUS_NVME,       /* NVMe namespace: admin commands */
	WP_FW_BUS_SCSI,       /* SAS / virtio-scsi disk: SCSI CDBs */
	WP_FW_BUS_MMC,        /* SD / eMMC: BLKSECDISCARD only */
	WP_FW_BUS_OPTICAL,    /* CD/DVD/BD drive (sr): MMC commands through SG_IO */
};

const char *wp_fw_bus_name(enum wp_fw_bus bus);

/* An opened device and how to reach it. */
struct wp_fw_dev {
	int fd;
	const char *path;
	const struct wp_fw_io *io;
	enum wp_fw_bus bus;
	uint64_t size_bytes;
	unsigned block_size;
};

/* ---- capabilities -------------------------------------------------------- */

struct wp_fw_support {
	bool ok;
	char why[224];        /* when not ok: the reason and what to do */
};

/* IDENTIFY DEVICE words 59, 82, 83, 85, 86, 89, 90, 119, 128 and the capacity. */
struct wp_ata_info {
	bool security_supported;
	bool security_enabled;
	bool locked;
	bool frozen;
	bool count_expired;
	bool enhanced_supported;
	unsigned erase_minutes;     /* 0: the drive gives no estimate */
	unsigned enhanced_minutes;
	bool erase_more_than;       /* the estimate is open-ended: "more than" (FFh, 7FFFh) */
	bool enhanced_more_than;
	bool sanitize_supported;
	bool sanitize_crypto;
	bool sanitize_block;
	bool sanitize_overwrite;
	bool lba48;
	bool hpa_supported;
	bool dco_supported;
	bool amac_supported;        /* Accessible Max Address Configuration (word 119 bit 8) */
	uint64_t user_sectors;      /* words 100-103 (or 60-61) */
};

#define WP_NVME_MAX_OTHER_NS 8

/* Identify Controller OACS, SANICAP, FNA, NN; Identify Namespace DLFEAT. */
struct wp_nvme_info {
	uint32_t nsid;
	uint16_t oacs;
	uint32_t sanicap;
	uint8_t fna;
	uint32_t nn;
	uint8_t flbas;
	uint8_t dps;
	uint8_t dlfeat;
	uint8_t cmic;               /* bit 1: the subsystem may have other controllers */
	unsigned n_other;           /* other namespaces of the NVM subsystem (active here,
				     * or allocated: CNS 10h) */
	uint32_t other[WP_NVME_MAX_OTHER_NS];
	bool others_unknown;        /* other controllers, and no list of what they hold */
};

/* Host Protected Area and Device Configuration Overlay (ATA). */
struct wp_hidden_info {
	bool checked;
	bool hpa;
	bool dco;
	uint64_t user_sectors;      /* what the drive shows now */
	uint64_t native_sectors;    /* READ / GET NATIVE MAX ADDRESS EXT + 1 */
	uint64_t dco_sectors;       /* DEVICE CONFIGURATION IDENTIFY max + 1 */
	char note[192];
};

/* The disc in an optical drive: GET CONFIGURATION's current profile
 * (MMC-6 Table 89), and what it is. */
struct wp_optical_info {
	unsigned profile;           /* 0: no disc, or the drive did not say */
	char name[16];              /* "CD-RW", "DVD+RW", "CD-R", ... */
	bool write_once;            /* CD-R, DVD-R, DVD+R, BD-R: destroy it */
	bool pressed;               /* CD-ROM, DVD-ROM, BD-ROM: destroy it */
	bool blankable;             /* CD-RW, DVD-RW: BLANK */
	bool overwritable;          /* DVD+RW, DVD-RAM, BD-RE: no BLANK, random writes */
};

/* The name of an MMC profile ("CD-RW"), or NULL for one wipeproof does
 * not know. */
const char *wp_optical_profile_name(unsigned profile);

struct wp_fw_caps {
	enum wp_fw_bus bus;
	bool probed;                /* the device answered its identify command */
	char note[256];             /* why nothing was asked, or what failed */
	struct wp_fw_support method[WP_FW_COUNT];
	struct wp_ata_info ata;
	struct wp_nvme_info nvme;
	struct wp_hidden_info hidden;
	struct wp_optical_info optical;
};

/* Every method unsupported, with the reason that the bus implies. */
void wp_fw_caps_init(struct wp_fw_caps *caps, enum wp_fw_bus bus);

/* Ask the device (read-only commands only) and fill caps. Returns 0, or -1
 * when the device did not answer (caps->note says why; every method is
 * then unavailable). */
int wp_fw_probe(const struct wp_fw_dev *dev, struct wp_fw_caps *caps);

/* Open PATH read-only and probe it through the kernel. A bus of NONE sends
 * nothing and does not even open the device. */
int wp_fw_probe_path(const char *path, enum wp_fw_bus bus, struct wp_fw_caps *caps);

/* ---- running a firmware method ------------------------------------------ */

/*
 * Run METHOD on DEV, whose capabilities CAPS came from wp_fw_probe. Checks
 * support first (refusing with the reason), then sends the command and,
 * for long operations, polls the device's own progress (phase "firmware"
 * through ctl->progress) until it ends. Fills rec: command, the device's
 * answer, what the medium must hold afterwards, seconds. Returns 0 when
 * the device reports success — which is never enough for "sanitized": the
 * caller checks the medium. A stop request while polling returns -1; the
 * device goes on by itself.
 */
int wp_fw_run(const struct wp_fw_dev *dev, enum wp_fw_method method,
	      const struct wp_fw_caps *caps, const struct wp_run_ctl *ctl,
	      struct wp_firmware_record *rec, char *err, size_t errlen);

/* One command set: probe and run. wp_fw_probe and wp_fw_run dispatch to
 * the backend of dev->bus. */
struct wp_backend {
	const char *name;
	enum wp_fw_bus bus;
	int (*probe)(const struct wp_fw_dev *dev, struct wp_fw_caps *caps);
	int (*run)(const struct wp_fw_dev *dev, enum wp_fw_method method,
		   const struct wp_fw_caps *caps, const struct wp_run_ctl *ctl,
		   struct wp_firmware_record *rec, char *err, size_t errlen);
};

/* NULL for WP_FW_BUS_NONE. */
const struct wp_backend *wp_backend_for(enum wp_fw_bus bus);
/* The bus a firmware method needs. */
enum wp_fw_bus wp_fw_method_bus(enum wp_fw_method method);

/* The temporary ATA user password wipeproof sets for a security erase.
 * Fixed and documented, so a drive left locked by an interrupted erase can
 * be unlocked by the next run (or by hand with hdparm). */
#define WP_ATA_TEMP_PASSWORD "wipeproof"

/* A drive left with security enabled by an interrupted erase: unlock it
 * with the temporary password and disable the password. Returns 0 when
 * security is off afterwards. */
int wp_ata_security_recover(const struct wp_fw_dev *dev, char *err, size_t errlen);

/* Remove a Host Protected Area until the next power-on: READ NATIVE MAX
 * ADDRESS EXT, then a volatile SET MAX ADDRESS EXT to it. The kernel learns
 * the new capacity only after a rescan (the caller's business). */
int wp_ata_restore_native_max(const struct wp_fw_dev *dev, uint64_t *native_sectors,
			      char *err, size_t errlen);

/* ---- planner ------------------------------------------------------------- */

/* What the medium is, for the NIST SP 800-88 tables. */
enum wp_media {
	WP_MEDIA_OTHER = 0,
	WP_MEDIA_HDD,         /* magnetic ATA/SCSI disk */
	WP_MEDIA_SSD,         /* ATA/SCSI flash */
	WP_MEDIA_NVME,
	WP_MEDIA_USB,         /* USB flash or a disk behind a USB bridge */
	WP_MEDIA_MMC,         /* SD card, eMMC */
	WP_MEDIA_LOOP,        /* a file behind a loop device */
	WP_MEDIA_VIRTUAL,     /* a virtual machine's disk */
	WP_MEDIA_OPTICAL,     /* a disc in a CD/DVD/BD drive */
};

enum wp_nist {
	WP_NIST_NONE = 0,
	WP_NIST_CLEAR,
	WP_NIST_PURGE,
	WP_NIST_DESTROY,
};

enum wp_level {
	WP_LEVEL_BEST = 0,    /* no --level: Purge where possible, else Clear */
	WP_LEVEL_CLEAR,
	WP_LEVEL_PURGE,
};

const char *wp_nist_name(enum wp_nist nist);      /* "Clear", "Purge", "Destroy" */
const char *wp_media_name(enum wp_media media);
int wp_level_parse(const char *name, enum wp_level *out);

/* The category METHOD reaches on MEDIA, with the reason in why. */
enum wp_nist wp_method_nist(const struct wp_method *method, enum wp_media media,
			    char *why, size_t len);
/* The same with the reason as the planner's own (static) text; METHOD NULL
 * (a name wp_method_find does not know) reaches no category. */
enum wp_nist wp_method_nist_why(const struct wp_method *method, enum wp_media media,
				const char **why);
/* The medium wp_media_name spells NAME ("hdd", "usb", ...); WP_MEDIA_OTHER
 * for any other name. */
enum wp_media wp_media_parse(const char *name);
/* The document, table and row that category comes from, e.g. "SP 800-88
 * Rev.1 Table A-5, ATA Hard Disk Drives, Purge 1a (overwrite EXT)". */
const char *wp_method_nist_source(const struct wp_method *method, enum wp_media media);

struct wp_plan {
	const struct wp_method *method;  /* NULL when refused */
	enum wp_nist category;
	char reason[384];                /* why this method reaches that category */
	char source[224];                /* where the category comes from (wp_method_nist_source) */
	char advice[192];                /* e.g. "destroy it for Purge"; may be "" */
	char refusal[768];               /* when refused: why, per method */
};

/*
 * Pick the method for MEDIA with capabilities CAPS (probed; may be NULL for
 * none) at LEVEL, or check FORCED (an explicit --method; NULL to choose).
 * Returns 0 with plan->method set, or -1 with plan->refusal saying why no
 * method reaches the level or why FORCED is not possible on this device.
 */
int wp_plan_make(enum wp_media media, const struct wp_fw_caps *caps,
		 enum wp_level level, const struct wp_method *forced,
		 struct wp_plan *plan);

#endif
