/*
 * The planner: which method a device gets, and the NIST SP 800-88 r1
 * category that method reaches on that kind of medium (appendix A tables;
 * IEEE 2883 agrees on these). The category belongs to the pair (method,
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
	[WP_MEDIA_LOOP] = "loop", [WP_MEDIA_VIRTUAL] = "virtual",
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

static enum wp_nist overwrite_nist(enum wp_media media, char *why, size_t len)
{
	const char *text;
	switch (media) {
	case WP_MEDIA_HDD:
		text = "a verified overwrite of a magnetic disk is Clear (SP 800-88 r1 A-8); "
		       "Purge needs the drive's sanitize or security erase";
		break;
	case WP_MEDIA_SSD: case WP_MEDIA_NVME:
		text = "overwriting flash is Clear, never Purge: the controller keeps old "
		       "copies in spare and remapped blocks that no write reaches";
		break;
	case WP_MEDIA_USB: case WP_MEDIA_MMC:
		text = "overwriting USB flash or an SD card is Clear: no purge command reaches "
		       "the flash through its controller, so Purge means destroying it";
		break;
	case WP_MEDIA_LOOP:
		text = "a loop device is a file: the overwrite replaces the file's content, "
		       "Clear; the file system below may keep old copies (snapshots, "
		       "copy-on-write)";
		break;
	case WP_MEDIA_VIRTUAL:
		text = "a virtual disk: the overwrite reaches what the guest sees, Clear; the "
		       "host's storage below is out of reach";
		break;
	default:
		text = "an overwrite through the interface is Clear";
		break;
	}
	wp_fw_fmt(why, len, "%s", text);
	return WP_NIST_CLEAR;
}

static bool flash(enum wp_media media)
{
	return media != WP_MEDIA_HDD;
}

enum wp_nist wp_method_nist(const struct wp_method *m, enum wp_media media, char *why,
			    size_t len)
{
	const char *text = NULL;
	enum wp_nist nist = WP_NIST_PURGE;
	switch (m->firmware) {
	case WP_FW_NONE:
		return overwrite_nist(media, why, len);
	case WP_FW_ATA_SECURE_ERASE:
		nist = flash(media) ? WP_NIST_CLEAR : WP_NIST_PURGE;
		text = flash(media) ? "a normal security erase of flash may leave spare blocks "
				      "untouched: Clear"
				    : "ATA security erase of a magnetic disk is Purge (SP 800-88 "
				      "r1 A-8)";
		break;
	case WP_FW_ATA_SECURE_ERASE_ENH:
		text = "an enhanced security erase erases all user data areas, spare blocks "
		       "included: Purge (SP 800-88 r1 A-8)";
		break;
	case WP_FW_ATA_SANITIZE_CRYPTO: case WP_FW_ATA_SANITIZE_BLOCK:
	case WP_FW_ATA_SANITIZE_OVERWRITE:
		text = "ATA SANITIZE reaches every user data area, spare blocks and caches "
		       "included: Purge (SP 800-88 r1 A-8, IEEE 2883)";
		break;
	case WP_FW_NVME_FORMAT_USER:
		nist = WP_NIST_CLEAR;
		text = "Format NVM with user data erase (SES=1) leaves the method of erasure to "
		       "the vendor: Clear";
		break;
	case WP_FW_NVME_FORMAT_CRYPTO:
		text = "Format NVM cryptographic erase (SES=2) on a controller that reports "
		       "crypto erase (FNA bit 2) replaces the media key: Purge";
		break;
	case WP_FW_NVME_SANITIZE_CRYPTO: case WP_FW_NVME_SANITIZE_BLOCK:
	case WP_FW_NVME_SANITIZE_OVERWRITE:
		text = "NVMe Sanitize erases all user data in the NVM subsystem, caches and "
		       "spare blocks included: Purge (SP 800-88 r1 A-8, IEEE 2883)";
		break;
	case WP_FW_SCSI_SANITIZE_CRYPTO: case WP_FW_SCSI_SANITIZE_BLOCK:
	case WP_FW_SCSI_SANITIZE_OVERWRITE:
		text = "SCSI SANITIZE reaches every user data area: Purge (SP 800-88 r1 A-8)";
		break;
	case WP_FW_SECURE_DISCARD:
		nist = WP_NIST_CLEAR;
		text = "secure discard asks the card to erase the discarded blocks; its "
		       "reach into spare blocks is not specified: Clear";
		break;
	case WP_FW_COUNT:
		nist = WP_NIST_NONE;
		text = "unknown method";
		break;
	}
	wp_fw_fmt(why, len, "%s", text);
	return nist;
}

/* ---- choosing ----------------------------------------------------------------- */

static const enum wp_fw_method purge_hdd[] = {
	WP_FW_ATA_SANITIZE_CRYPTO, WP_FW_SCSI_SANITIZE_CRYPTO, WP_FW_ATA_SANITIZE_OVERWRITE,
	WP_FW_SCSI_SANITIZE_OVERWRITE, WP_FW_ATA_SECURE_ERASE_ENH, WP_FW_ATA_SECURE_ERASE,
	WP_FW_NONE,
};
static const enum wp_fw_method purge_ssd[] = {
	WP_FW_ATA_SANITIZE_CRYPTO, WP_FW_ATA_SANITIZE_BLOCK, WP_FW_SCSI_SANITIZE_CRYPTO,
	WP_FW_SCSI_SANITIZE_BLOCK, WP_FW_ATA_SANITIZE_OVERWRITE, WP_FW_SCSI_SANITIZE_OVERWRITE,
	WP_FW_ATA_SECURE_ERASE_ENH, WP_FW_NONE,
};
static const enum wp_fw_method purge_nvme[] = {
	WP_FW_NVME_SANITIZE_CRYPTO, WP_FW_NVME_SANITIZE_BLOCK, WP_FW_NVME_FORMAT_CRYPTO,
	WP_FW_NVME_SANITIZE_OVERWRITE, WP_FW_NONE,
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
	set_method(plan, wp_method_find("random"), media);
	return 0;
}
