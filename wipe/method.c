/*
 * The method registry: overwrite methods, then firmware methods (the
 * device's own erase commands, run by firmware.h). A file-system format is
 * deliberately absent: the guidelines (REQUIREMENTS R1, R4, R11) say a
 * format never counts as erasure. The NVMe Format NVM methods are secure
 * erase commands (SES=1/2), and like every firmware method their result is
 * checked on the medium before a job can be "sanitized".
 */
#include "wipe.h"

#include <stdio.h>
#include <string.h>

static const struct wp_method methods[] = {
	{ "zero", "one pass of zeros (0x00)", 1, { WP_PATTERN_ZERO }, WP_FW_NONE },
	{ "ones", "one pass of ones (0xFF)", 1, { WP_PATTERN_ONES }, WP_FW_NONE },
	{ "random", "one pass of AES-256-CTR random data (verifiable from its key)",
	  1, { WP_PATTERN_RANDOM }, WP_FW_NONE },
	{ "random-zero", "random pass, then a zero pass (disk reads as blank)",
	  2, { WP_PATTERN_RANDOM, WP_PATTERN_ZERO }, WP_FW_NONE },
	/* SP 800-88 Rev.1's Clear for USB removable media and memory cards:
	 * "at least two passes, to include a pattern in the first pass and its
	 * complement in the second pass" */
	{ "zero-ones", "two passes: 0x00, then its complement 0xFF (Clear for USB sticks and "
	  "memory cards)", 2, { WP_PATTERN_ZERO, WP_PATTERN_ONES }, WP_FW_NONE },
	{ "dod3", "DoD 5220.22-M three passes: 0x00, 0xFF, random",
	  3, { WP_PATTERN_ZERO, WP_PATTERN_ONES, WP_PATTERN_RANDOM }, WP_FW_NONE },
};

/* The device erases itself; firmware.h runs these, in this order of ids. */
#define FW(name, text, id) { name, text, 0, { WP_PATTERN_ZERO }, id }
static const struct wp_method fw_methods[] = {
	FW("ata-secure-erase", "ATA SECURITY ERASE UNIT, normal (temporary password)",
	   WP_FW_ATA_SECURE_ERASE),
	FW("ata-secure-erase-enhanced", "ATA SECURITY ERASE UNIT, enhanced (temporary password)",
	   WP_FW_ATA_SECURE_ERASE_ENH),
	FW("ata-sanitize-crypto", "ATA SANITIZE CRYPTO SCRAMBLE EXT", WP_FW_ATA_SANITIZE_CRYPTO),
	FW("ata-sanitize-block", "ATA SANITIZE BLOCK ERASE EXT", WP_FW_ATA_SANITIZE_BLOCK),
	FW("ata-sanitize-overwrite", "ATA SANITIZE OVERWRITE EXT, one pass of zeros",
	   WP_FW_ATA_SANITIZE_OVERWRITE),
	FW("nvme-format-user", "NVMe Format NVM, user data erase (SES=1)", WP_FW_NVME_FORMAT_USER),
	FW("nvme-format-crypto", "NVMe Format NVM, cryptographic erase (SES=2)",
	   WP_FW_NVME_FORMAT_CRYPTO),
	FW("nvme-sanitize-crypto", "NVMe Sanitize, crypto erase", WP_FW_NVME_SANITIZE_CRYPTO),
	FW("nvme-sanitize-block", "NVMe Sanitize, block erase", WP_FW_NVME_SANITIZE_BLOCK),
	FW("nvme-sanitize-overwrite", "NVMe Sanitize, overwrite with zeros",
	   WP_FW_NVME_SANITIZE_OVERWRITE),
	FW("scsi-sanitize-crypto", "SCSI SANITIZE, cryptographic erase", WP_FW_SCSI_SANITIZE_CRYPTO),
	FW("scsi-sanitize-block", "SCSI SANITIZE, block erase", WP_FW_SCSI_SANITIZE_BLOCK),
	FW("scsi-sanitize-overwrite", "SCSI SANITIZE, overwrite with zeros",
	   WP_FW_SCSI_SANITIZE_OVERWRITE),
	FW("secure-discard", "BLKSECDISCARD of the whole device", WP_FW_SECURE_DISCARD),
	FW("optical-blank-full", "MMC BLANK, blanking type 000b: blank the whole disc (CD-RW, "
	   "DVD-RW)", WP_FW_OPTICAL_BLANK_FULL),
	FW("optical-blank-fast", "MMC BLANK, blanking type 001b: minimal blank (table of "
	   "contents only)", WP_FW_OPTICAL_BLANK_FAST),
	FW("optical-overwrite", "WRITE(10) of zeros over every user block, read back (DVD+RW, "
	   "DVD-RAM, BD-RE)", WP_FW_OPTICAL_OVERWRITE),
};
#undef FW

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
_Static_assert(NELEM(fw_methods) == WP_FW_COUNT - 1, "one firmware method per id");

const struct wp_method *wp_method_at(size_t index)
{
	if (index >= NELEM(methods))
		return NULL;
	return &methods[index];
}

const struct wp_method *wp_fw_method_at(size_t index)
{
	if (index >= NELEM(fw_methods))
		return NULL;
	return &fw_methods[index];
}

const struct wp_method *wp_fw_method(enum wp_fw_method id)
{
	if (id <= WP_FW_NONE || id >= WP_FW_COUNT)
		return NULL;
	return &fw_methods[id - 1];
}

const struct wp_method *wp_method_find(const char *name)
{
	const struct wp_method *m;
	for (size_t i = 0; (m = wp_method_at(i)) != NULL; i++)
		if (strcmp(m->name, name) == 0)
			return m;
	for (size_t i = 0; (m = wp_fw_method_at(i)) != NULL; i++)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

static void join_names(const struct wp_method *(*at)(size_t), char *buf, size_t len)
{
	const struct wp_method *m;
	size_t used = 0;
	if (len > 0)
		buf[0] = '\0';
	for (size_t i = 0; (m = at(i)) != NULL && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", m->name);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

void wp_method_names(char *buf, size_t len)
{
	join_names(wp_method_at, buf, len);
}

void wp_fw_method_names(char *buf, size_t len)
{
	join_names(wp_fw_method_at, buf, len);
}
