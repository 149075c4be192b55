/*
 * The planner: which method a device gets, and the NIST SP 800-88 r1
 * category that method reaches on that kind of medium (Appendix A tables,
 * each label with the table and row it comes from). The category belongs
 * to the pair (method,
 * medium), never to the method alone: one overwrite pass is Clear on every
 * medium, and a firmware command is Purge only where it reaches every
 * place the medium keeps data (spare and remapped blocks included).
 *
 * Order of preference for Purge: cryptographic erase (fast, and it covers
 * spare blocks through the key), then block erase, then firmware
 * overwrite, then security erase. Without a firmware Purge method the plan
 * is `random` with full read-back, which is Clear and the only thing a
 * loop, virtual or USB-bridged disk can get.
 */
#include "fw_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const nist_names[] = {
	[WP_NIST_NONE] = "", [WP_NIST_CLEAR] = "Clear", [WP_NIST_PURGE] = "Purge",
	[WP_NIST_DESTROY] = "Destroy",
};

static const char *const media_names[] = {
	[WP_MEDIA_OTHER] = "other", [WP_MEDIA_HDD] = "hdd", [WP_MEDIA_SSD] = "ssd",
	[WP_MEDIA_NVME] = "nvme", [WP_MEDIA_USB] = "usb", [WP_MEDIA_MMC] = "mmc",
	[WP_MEDIA_LOOP] = "loop", [WP_MEDIA_VIRTUAL] = "virtual", [WP_MEDIA_OPTICAL] = "optical",
};

const char *wp_nist_name(enum wp_nist nist)
{
	return (size_t)nist < sizeof(nist_names) / sizeof(nist_names[0]) ? nist_names[nist] : "";
}

const char *wp_media_name(enum wp_media media)
{
	return (size_t)media < sizeof(media_names) / sizeof(media_names[0])
		       ? media_names[media] : "other";
}

int wp_level_parse(const char *name, enum wp_level *out)
{
	if (strcmp(name, "clear") == 0)
		*out = WP_LEVEL_CLEAR;
	else if (strcmp(name, "purge") == 0)
		*out = WP_LEVEL_PURGE;
	else
		return -1;
	return 0;
}

/* ---- the category of a method on a medium ------------------------------- */

/*
 * Every label names where it comes from. SP 800-88 Rev.1 (December 2014,
 * withdrawn 2025-09-26) has per-medium tables in Appendix A: Table A-5
 * (magnetic media: ATA and SCSI hard disk drives) and Table A-8 (flash:
 * ATA SSDs, SCSI SSDs, NVM Express SSDs, USB removable media, memory cards).
 * Rev.2 (September 2025) keeps Clear/Purge/Destroy but defers techniques to
 * IEEE 2883-2022 (Sec. 3.1.2), which this project has not read; so a
 * command that Rev.1 does not name gets no Purge here. The quotes behind
 * each row are in wipe/README.md ("NIST categories").
 */
#define R1_A5_ATA "SP 800-88 Rev.1 Table A-5, ATA Hard Disk Drives"
#define R1_A5_SCSI "SP 800-88 Rev.1 Table A-5, SCSI Hard Disk Drives"
#define R1_A8_ATA "SP 800-88 Rev.1 Table A-8, ATA Solid State Drives"
#define R1_A8_SCSI "SP 800-88 Rev.1 Table A-8, SCSI Solid State Drives"
#define R1_A8_NVME "SP 800-88 Rev.1 Table A-8, NVM Express SSDs"
/* Optical media: Rev.1 Table A-7 has rows CD, DVD and BD, each with Clear
 * "N/A" and Purge "N/A"; only Destroy (optical disk shredder or
 * disintegrator, incineration). A rewritable disc has no row of its own:
 * blanking or overwriting it reaches no category; it only lets the disc be
 * reused (R12). */
#define R1_A7 "SP 800-88 Rev.1 Table A-7, Optical Media (CD, DVD, BD): Clear N/A, Purge " \
	"N/A, Destroy only"
/* NVMe Sanitize is described in IEEE 2883, not in Rev.1 (SNIA's summary of
 * IEEE 2883); Rev.2 Sec. 3.1.2 defers purge techniques to it. Its clause was
 * not available to this project: the label rests on Rev.2's wording that
 * purge "can include ... block erase, and cryptographic erase using
 * dedicated, standardized device sanitize commands". */
#define IEEE_2883 "IEEE 2883-2022 via SP 800-88 Rev.2 Sec. 3.1.2"

struct nist_row {
	enum wp_fw_method method;
	enum wp_media media;        /* HDD: Table A-5; SSD, NVME, MMC: Table A-8 */
	enum wp_nist nist;
	const char *source;
	const char *why;
};

static const struct nist_row rows[] = {
	{ WP_FW_ATA_SECURE_ERASE, WP_MEDIA_HDD, WP_NIST_CLEAR,
	  R1_A5_ATA ", Purge 2 names Enhanced Erase "
	  "mode only; a normal erase overwrites the user LBAs: Clear",
	  "a normal ATA security erase overwrites the addressable sectors (0s or 1s) but "
	  "not reallocated ones: Clear; Purge needs the enhanced erase or SANITIZE" },
	{ WP_FW_ATA_SECURE_ERASE, WP_MEDIA_SSD, WP_NIST_CLEAR,
	  R1_A8_ATA ", Clear 2 (SECURITY ERASE "
	  "UNIT)", "a security erase of flash may leave spare blocks untouched: Clear" },
	{ WP_FW_ATA_SECURE_ERASE_ENH, WP_MEDIA_HDD, WP_NIST_PURGE,
	  R1_A5_ATA ", Purge 2 (SECURE ERASE "
	  "UNIT in Enhanced Erase mode)", "an enhanced security erase of a magnetic disk "
	  "overwrites reallocated sectors too: Purge" },
	{ WP_FW_ATA_SECURE_ERASE_ENH, WP_MEDIA_SSD, WP_NIST_CLEAR,
	  R1_A8_ATA ", Clear 2 and Notes "
	  "(\"only a Clear mechanism for flash memory\")", "an enhanced security erase of "
	  "flash is only Clear: its reach into spare cells varies by vendor" },
	{ WP_FW_ATA_SANITIZE_CRYPTO, WP_MEDIA_HDD, WP_NIST_PURGE,
	  R1_A5_ATA ", Purge 1b (CRYPTO "
	  "SCRAMBLE EXT)", "ATA SANITIZE CRYPTO SCRAMBLE changes the media key, reallocated "
	  "sectors included: Purge" },
	{ WP_FW_ATA_SANITIZE_CRYPTO, WP_MEDIA_SSD, WP_NIST_PURGE,
	  R1_A8_ATA ", Purge 1b (sanitize "
	  "crypto scramble)", "ATA SANITIZE CRYPTO SCRAMBLE changes the media key, spare "
	  "blocks included: Purge" },
	{ WP_FW_ATA_SANITIZE_BLOCK, WP_MEDIA_HDD, WP_NIST_CLEAR,
	  R1_A5_ATA ": no block erase in its "
	  "Purge list; it erases the user LBAs: Clear", "a block erase is not a Purge "
	  "technique for magnetic media in the table: Clear" },
	{ WP_FW_ATA_SANITIZE_BLOCK, WP_MEDIA_SSD, WP_NIST_PURGE,
	  R1_A8_ATA ", Purge 1a (block erase)",
	  "ATA SANITIZE BLOCK ERASE erases every block, spare blocks included: Purge" },
	{ WP_FW_ATA_SANITIZE_OVERWRITE, WP_MEDIA_HDD, WP_NIST_PURGE,
	  R1_A5_ATA ", Purge 1a (overwrite "
	  "EXT)", "ATA SANITIZE OVERWRITE of a magnetic disk reaches reallocated sectors: "
	  "Purge" },
	{ WP_FW_ATA_SANITIZE_OVERWRITE, WP_MEDIA_SSD, WP_NIST_CLEAR,
	  R1_A8_ATA ": overwrite is not in "
	  "its Purge list; an overwrite is Clear 1", "overwriting flash is not in the SSD "
	  "Purge list: Clear" },
	{ WP_FW_SCSI_SANITIZE_CRYPTO, WP_MEDIA_HDD, WP_NIST_PURGE,
	  R1_A5_SCSI ", Purge 1 (SANITIZE "
	  "CRYPTOGRAPHIC ERASE)", "SCSI SANITIZE cryptographic erase: Purge" },
	{ WP_FW_SCSI_SANITIZE_CRYPTO, WP_MEDIA_SSD, WP_NIST_PURGE,
	  R1_A8_SCSI ", Purge 1 (SANITIZE "
	  "CRYPTOGRAPHIC ERASE)", "SCSI SANITIZE cryptographic erase: Purge" },
	{ WP_FW_SCSI_SANITIZE_BLOCK, WP_MEDIA_HDD, WP_NIST_CLEAR,
	  R1_A5_SCSI ": no block erase in its "
	  "Purge list: Clear", "a block erase is not a Purge technique for magnetic media "
	  "in the table: Clear" },
	{ WP_FW_SCSI_SANITIZE_BLOCK, WP_MEDIA_SSD, WP_NIST_PURGE,
	  R1_A8_SCSI ", Purge 1 (SANITIZE "
	  "BLOCK ERASE)", "SCSI SANITIZE block erase reaches every block, spare blocks "
	  "included: Purge" },
	{ WP_FW_SCSI_SANITIZE_OVERWRITE, WP_MEDIA_HDD, WP_NIST_PURGE,
	  R1_A5_SCSI ", Purge 1 (SANITIZE "
	  "OVERWRITE)", "SCSI SANITIZE OVERWRITE of a magnetic disk: Purge" },
	{ WP_FW_SCSI_SANITIZE_OVERWRITE, WP_MEDIA_SSD, WP_NIST_CLEAR,
	  R1_A8_SCSI ": overwrite is not in "
	  "its Purge list: Clear", "overwriting flash is not in the SSD Purge list: Clear" },
	{ WP_FW_NVME_FORMAT_USER, WP_MEDIA_NVME, WP_NIST_CLEAR,
	  R1_A8_NVME ", Purge lists Format User "
	  "Data Erase; wipeproof claims only Clear (the erase is vendor-defined and its "
	  "reach cannot be checked)", "Format NVM with user data erase (SES=1) leaves the "
	  "method of erasure to the vendor: Clear" },
	{ WP_FW_NVME_FORMAT_CRYPTO, WP_MEDIA_NVME, WP_NIST_PURGE,
	  R1_A8_NVME ", Purge (Format, "
	  "Cryptographic Erase)", "Format NVM cryptographic erase (SES=2) on a controller "
	  "that reports crypto erase (FNA bit 2) replaces the media key: Purge" },
	{ WP_FW_NVME_SANITIZE_CRYPTO, WP_MEDIA_NVME, WP_NIST_PURGE,
	  IEEE_2883 " (NVMe Sanitize, crypto "
	  "erase); Rev.1 predates it: its NVMe row counts the same key change by Format as "
	  "Purge",
	  "NVMe Sanitize crypto erase replaces the media key of the whole NVM subsystem: "
	  "Purge" },
	{ WP_FW_NVME_SANITIZE_BLOCK, WP_MEDIA_NVME, WP_NIST_PURGE,
	  IEEE_2883 " (NVMe Sanitize, block "
	  "erase); Rev.1 predates it: its ATA and SCSI SSD rows count block erase as Purge",
	  "NVMe Sanitize block erase erases every block of the NVM subsystem, spare blocks "
	  "included: Purge" },
	{ WP_FW_NVME_SANITIZE_OVERWRITE, WP_MEDIA_NVME, WP_NIST_CLEAR,
	  "SP 800-88 Rev.1 Table A-8: no "
	  "overwrite of flash is Purge; Rev.2 Sec. 3.1.2 defers to IEEE 2883-2022 (not "
	  "checked here): Clear", "overwriting flash is not in the SSD Purge list: Clear" },
	{ WP_FW_SECURE_DISCARD, WP_MEDIA_MMC, WP_NIST_CLEAR,
	  "SP 800-88 Rev.1 Table A-8, USB Removable "
	  "Media and memory cards: no purge command (\"should be Destroyed\")", "secure "
	  "discard asks the card to erase the discarded blocks; its reach into spare "
	  "blocks is not specified: Clear" },
	{ WP_FW_OPTICAL_BLANK_FULL, WP_MEDIA_OPTICAL, WP_NIST_NONE, R1_A7,
	  "a full blank erases the whole rewritable disc so it can be reused, but SP 800-88 "
	  "has no Clear or Purge for optical media: no category (destroy it to dispose of it)" },
	{ WP_FW_OPTICAL_BLANK_FAST, WP_MEDIA_OPTICAL, WP_NIST_NONE, R1_A7,
	  "a minimal blank erases only the table of contents: the data stays on the disc; "
	  "no category" },
	{ WP_FW_OPTICAL_OVERWRITE, WP_MEDIA_OPTICAL, WP_NIST_NONE, R1_A7,
	  "every user block of the disc overwritten and read back, so it can be reused; "
	  "SP 800-88 has no Clear or Purge for optical media: no category" },
};

/* A pass followed by its complement (0x00 then 0xFF or the reverse): what
 * SP 800-88 Rev.1 asks of an overwrite of USB removable media and memory
 * cards before it counts as Clear. */
static bool has_complement_pass(const struct wp_method *m)
{
	for (size_t i = 0; i + 1 < m->npasses; i++) {
		enum wp_pattern a = m->passes[i], b = m->passes[i + 1];
		if ((a == WP_PATTERN_ZERO && b == WP_PATTERN_ONES) ||
		    (a == WP_PATTERN_ONES && b == WP_PATTERN_ZERO))
			return true;
	}
	return false;
}

static enum wp_nist overwrite_nist(const struct wp_method *m, enum wp_media media,
				   const char **why, const char **source)
{
	switch (media) {
	case WP_MEDIA_HDD:
		*why = "a verified overwrite of a magnetic disk is Clear; Purge needs the drive's "
		       "sanitize or enhanced security erase";
		*source = "SP 800-88 Rev.1 Table A-5, ATA and SCSI Hard Disk Drives, Clear";
		break;
	case WP_MEDIA_SSD: case WP_MEDIA_NVME:
		*why = "overwriting flash is Clear, never Purge: the controller keeps old copies "
		       "in spare and remapped blocks that no write reaches";
		*source = "SP 800-88 Rev.1 Table A-8, ATA, SCSI and NVM Express SSDs, Clear";
		break;
	case WP_MEDIA_USB: case WP_MEDIA_MMC:
		*source = "SP 800-88 Rev.1 Table A-8, USB Removable Media and Memory Cards, Clear: "
			  "at least two passes, a pattern and then its complement";
		if (!has_complement_pass(m)) {
			*why = "this overwrite of USB flash or an SD card reaches no SP 800-88 "
			       "category: for Clear the table asks for a pattern and then its "
			       "complement (method zero-ones or dod3)";
			return WP_NIST_NONE;
		}
		*why = "overwriting USB flash or an SD card with a pattern and its complement is "
		       "Clear: no purge command reaches the flash through its controller, so "
		       "Purge means destroying it";
		break;
	case WP_MEDIA_LOOP:
		*why = "a loop device is a file: the overwrite replaces the file's content, "
		       "Clear; the file system below may keep old copies (snapshots, "
		       "copy-on-write)";
		*source = "SP 800-88 Rev.1 Sec. 2.5 (Clear: logical techniques on user-addressable "
			  "locations); no Appendix A row for a file";
		break;
	case WP_MEDIA_VIRTUAL:
		*why = "a virtual disk: the overwrite reaches what the guest sees, Clear; the "
		       "host's storage below is out of reach";
		*source = "SP 800-88 Rev.1 Sec. 2.5 (Clear); no Appendix A row for a virtual disk";
		break;
	case WP_MEDIA_OPTICAL:
		*why = "an optical disc is never overwritten as a disk: no category (a rewritable "
		       "disc is blanked, any other destroyed)";
		*source = R1_A7;
		return WP_NIST_NONE;
	default:
		*why = "an overwrite through the interface is Clear";
		*source = "SP 800-88 Rev.1 Sec. 2.5 (Clear)";
		break;
	}
	return WP_NIST_CLEAR;
}

/* A firmware command on a medium the tables have no row for (not known to
 * be a hard disk or an SSD): the flash row's reading, but never Purge. */
#define NO_ROW "SP 800-88 Rev.1 Appendix A: no row for this command on a medium not known " \
	"to be a hard disk or an SSD; Clear at most"

static enum wp_nist classify_row(const struct wp_method *m, enum wp_media media,
				 const char **why, const char **source)
{
	const struct nist_row *other = NULL;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].method != m->firmware)
			continue;
		if (rows[i].media == media) {
			*why = rows[i].why;
			*source = rows[i].source;
			return rows[i].nist;
		}
		other = &rows[i];
	}
	if (other) { /* no row for this medium: another row's reading, never Purge */
		*why = other->why;
		*source = other->nist == WP_NIST_PURGE ? NO_ROW : other->source;
		return other->nist == WP_NIST_PURGE ? WP_NIST_CLEAR : other->nist;
	}
	*why = "unknown method";
	*source = "";
	return WP_NIST_NONE;
}

static enum wp_nist classify(const struct wp_method *m, enum wp_media media, const char **why,
			     const char **source)
{
	if (m->firmware == WP_FW_NONE)
		return overwrite_nist(m, media, why, source);
	return classify_row(m, media, why, source);
}

enum wp_nist wp_method_nist_why(const struct wp_method *m, enum wp_media media,
				const char **why)
{
	const char *source;
	if (!m) {
		*why = "unknown method";
		return WP_NIST_NONE;
	}
	return classify(m, media, why, &source);
}

enum wp_media wp_media_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(media_names) / sizeof(media_names[0]); i++)
		if (media_names[i] && strcmp(media_names[i], name) == 0)
			return (enum wp_media)i;
	return WP_MEDIA_OTHER;
}

enum wp_nist wp_method_nist(const struct wp_method *m, enum wp_media media, char *why,
			    size_t len)
{
	const char *text, *source;
	enum wp_nist nist = classify(m, media, &text, &source);
	wp_fw_fmt(why, len, "%s", text);
	return nist;
}

const char *wp_method_nist_source(const struct wp_method *m, enum wp_media media)
{
	const char *text, *source;
	classify(m, media, &text, &source);
	return source;
}

/* ---- choosing ----------------------------------------------------------------- */

/* Only methods the tables count as Purge on that medium (best_purge checks
 * wp_method_nist again). */
static const enum wp_fw_method purge_hdd[] = {
	WP_FW_ATA_SANITIZE_CRYPTO, WP_FW_SCSI_SANITIZE_CRYPTO, WP_FW_ATA_SANITIZE_OVERWRITE,
	WP_FW_SCSI_SANITIZE_OVERWRITE, WP_FW_ATA_SECURE_ERASE_ENH, WP_FW_NONE,
};
static const enum wp_fw_method purge_ssd[] = {
	WP_FW_ATA_SANITIZE_CRYPTO, WP_FW_ATA_SANITIZE_BLOCK, WP_FW_SCSI_SANITIZE_CRYPTO,
	WP_FW_SCSI_SANITIZE_BLOCK, WP_FW_NONE,
};
static const enum wp_fw_method purge_nvme[] = {
	WP_FW_NVME_SANITIZE_CRYPTO, WP_FW_NVME_SANITIZE_BLOCK, WP_FW_NVME_FORMAT_CRYPTO,
	WP_FW_NONE,
};
static const enum wp_fw_method purge_none[] = { WP_FW_NONE };

static const enum wp_fw_method *purge_candidates(enum wp_media media)
{
	switch (media) {
	case WP_MEDIA_HDD: return purge_hdd;
	case WP_MEDIA_SSD: return purge_ssd;
	case WP_MEDIA_NVME: return purge_nvme;
	default: return purge_none;
	}
}

/* Why no Purge is possible on a medium without any firmware route. */
static const char *no_purge_route(enum wp_media media)
{
	switch (media) {
	case WP_MEDIA_USB: case WP_MEDIA_MMC:
		return "no purge command reaches USB flash or an SD card: for Purge, destroy "
		       "the device (SP 800-88 Destroy: shred, disintegrate, incinerate)";
	case WP_MEDIA_LOOP:
		return "a loop device is a file: Purge applies to the disk that holds the file";
	case WP_MEDIA_VIRTUAL:
		return "a virtual disk: Purge applies to the host's storage, not to the guest";
	case WP_MEDIA_OPTICAL:
		return "optical media have no Purge (" R1_A7 "): destroy the disc";
	default:
		return "wipeproof knows no purge command for this kind of device";
	}
}

static void add_refusal(struct wp_plan *plan, const char *name, const char *why)
{
	size_t used = strlen(plan->refusal);
	if (used + 4 >= sizeof(plan->refusal))
		return;
	wp_fw_fmt(plan->refusal + used, sizeof(plan->refusal) - used, "%s%s: %s",
		 used ? "; " : "", name, why);
}

/* The first supported Purge method for the medium; NULL with the reason
 * for every candidate in plan->refusal. */
static const struct wp_method *best_purge(enum wp_media media, const struct wp_fw_caps *caps,
					  struct wp_plan *plan)
{
	const enum wp_fw_method *c = purge_candidates(media);
	char why[384];
	for (; *c != WP_FW_NONE; c++) {
		const struct wp_method *m = wp_fw_method(*c);
		if (caps && caps->method[*c].ok &&
		    wp_method_nist(m, media, why, sizeof(why)) == WP_NIST_PURGE)
			return m;
		add_refusal(plan, m->name, caps ? caps->method[*c].why : "the device was not asked");
	}
	if (purge_candidates(media) == purge_none)
		add_refusal(plan, wp_media_name(media), no_purge_route(media));
	else if (caps && caps->note[0])
		add_refusal(plan, "device", caps->note);
	return NULL;
}

static void set_method(struct wp_plan *plan, const struct wp_method *m, enum wp_media media)
{
	plan->method = m;
	plan->category = wp_method_nist(m, media, plan->reason, sizeof(plan->reason));
	wp_fw_fmt(plan->source, sizeof(plan->source), "%s", wp_method_nist_source(m, media));
	if (plan->category == WP_NIST_CLEAR && (media == WP_MEDIA_USB || media == WP_MEDIA_MMC))
		wp_fw_fmt(plan->advice, sizeof(plan->advice), "for Purge, destroy the device after "
			 "the wipe (SP 800-88 Destroy)");
}

static int check_forced(enum wp_media media, const struct wp_fw_caps *caps, enum wp_level level,
			const struct wp_method *m, struct wp_plan *plan)
{
	if (m->firmware != WP_FW_NONE && !(caps && caps->method[m->firmware].ok)) {
		wp_fw_fmt(plan->refusal, sizeof(plan->refusal), "%s is not possible on this "
			 "device: %s", m->name, caps ? caps->method[m->firmware].why
			 : "the device was not asked");
		return -1;
	}
	set_method(plan, m, media);
	if (level == WP_LEVEL_PURGE && plan->category != WP_NIST_PURGE) {
		wp_fw_fmt(plan->refusal, sizeof(plan->refusal), "--level purge: %s reaches only "
			 "%s here (%s)", m->name, wp_nist_name(plan->category), plan->reason);
		plan->method = NULL;
		return -1;
	}
	return 0;
}

int wp_plan_make(enum wp_media media, const struct wp_fw_caps *caps, enum wp_level level,
		 const struct wp_method *forced, struct wp_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	if (forced)
		return check_forced(media, caps, level, forced, plan);
	const struct wp_method *m = NULL;
	if (media == WP_MEDIA_OPTICAL) {
		/* nothing reaches a category: a write-once or pressed disc is
		 * destroyed, a rewritable one blanked for reuse on request only */
		wp_fw_fmt(plan->refusal, sizeof(plan->refusal), "an optical disc is not wiped: "
			 "%s; a rewritable disc (CD-RW, DVD±RW, BD-RE) may be blanked for reuse "
			 "('wipeproof custody blanked --device DEV'), any other is destroyed",
			 R1_A7);
		return -1;
	}
	if (level != WP_LEVEL_CLEAR)
		m = best_purge(media, caps, plan);
	if (m) {
		plan->refusal[0] = '\0';
		set_method(plan, m, media);
		return 0;
	}
	if (level == WP_LEVEL_PURGE) {
		char tail[sizeof(plan->refusal)];
		wp_fw_fmt(tail, sizeof(tail), "%s", plan->refusal);
		wp_fw_fmt(plan->refusal, sizeof(plan->refusal), "no method reaches Purge on this "
			 "device: %s", tail);
		return -1;
	}
	plan->refusal[0] = '\0';
	/* USB sticks and memory cards reach Clear only with a pattern and its
	 * complement; every other medium with one verified random pass */
	set_method(plan, wp_method_find(media == WP_MEDIA_USB || media == WP_MEDIA_MMC
						? "zero-ones" : "random"), media);
	return 0;
}
