/*
 * What a disk says about itself beyond model and serial, from udev
 * properties and sysfs values handed in (pure, so the unit tests feed it
 * property sets recorded from real drives): the optical medium in a drive,
 * and the maker where a standard field names it — never guessed from the
 * first word of the model (R21, Co-Std Art.5).
 */
#include "udev.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* cdrom_id's ID_CDROM_MEDIA_<X> suffixes and the names people write on
 * certificates and the ledger (custody's `media`). */
static const struct {
	const char *suffix, *name;
	bool write_once;
} media[] = {
	{ "CD_R", "CD-R", true }, { "DVD_R", "DVD-R", true }, { "DVD_PLUS_R", "DVD+R", true },
	{ "DVD_PLUS_R_DL", "DVD+R DL", true }, { "BD_R", "BD-R", true },
	{ "BD_R_SRM", "BD-R", true }, { "BD_R_RRM", "BD-R", true }, { "HDDVD_R", "HD DVD-R", true },
	{ "CD_RW", "CD-RW", false }, { "DVD_RW", "DVD-RW", false }, { "DVD_RW_RO", "DVD-RW", false },
	{ "DVD_RW_SEQ", "DVD-RW", false }, { "DVD_RAM", "DVD-RAM", false },
	{ "DVD_PLUS_RW", "DVD+RW", false }, { "DVD_PLUS_RW_DL", "DVD+RW", false },
	{ "BD_RE", "BD-RE", false }, { "HDDVD_RW", "HD DVD-RW", false },
	{ "HDDVD_RAM", "HD DVD-RAM", false }, { "MO", "MO", false },
	/* pressed: nothing to erase, nothing to reuse; not write-once for the
	 * guard (an overwrite is refused for every disc anyway) */
	{ "CD", "CD-ROM", false }, { "DVD", "DVD-ROM", false }, { "BD", "BD-ROM", false },
	{ "HDDVD", "HD DVD-ROM", false },
};

const char *wp_optical_medium(wp_prop_fn get, void *ctx, bool *write_once)
{
	char key[64];
	*write_once = true; /* a disc nobody named counts as write-once: see discover.c */
	for (size_t i = 0; i < sizeof(media) / sizeof(media[0]); i++) {
		snprintf(key, sizeof(key), "ID_CDROM_MEDIA_%s", media[i].suffix);
		const char *v = get(key, ctx);
		if (v && strcmp(v, "1") == 0) {
			*write_once = media[i].write_once;
			return media[i].name;
		}
	}
	return "";
}

bool wp_wwn_oui(const char *wwn, char oui[7])
{
	/* udev's ID_WWN: "0x" and 16 hex digits; NAA 5 (IEEE registered) and
	 * 6 (registered extended) carry the company's 24-bit OUI right after
	 * the NAA nibble (ATA IDENTIFY words 108-111, SPC-4 7.8.6.6). */
	if (!wwn || strncmp(wwn, "0x", 2) != 0 || strlen(wwn) < 2 + 16)
		return false;
	const char *h = wwn + 2;
	if (h[0] != '5' && h[0] != '6')
		return false;
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)h[1 + i]))
			return false;
		oui[i] = (char)toupper((unsigned char)h[1 + i]);
	}
	oui[6] = '\0';
	return true;
}

static void trimmed(char *out, size_t len, const char *in)
{
	while (*in == ' ')
		in++;
	snprintf(out, len, "%s", in);
	for (size_t n = strlen(out); n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\n'); n--)
		out[n - 1] = '\0';
}

void wp_maker_pick(const struct wp_maker_ids *ids, wp_prop_fn hwdb, void *ctx, char *maker,
		   size_t len, char *source, size_t srclen)
{
	char key[64], oui[7];
	const char *v;
	maker[0] = source[0] = '\0';
	/* SCSI INQUIRY's T10 vendor identification; libata answers "ATA" for
	 * every SATA disk, which names no maker */
	if (ids->scsi_vendor && ids->scsi_vendor[strspn(ids->scsi_vendor, " ")]) {
		char vendor[64];
		trimmed(vendor, sizeof(vendor), ids->scsi_vendor);
		if (strcmp(vendor, "ATA") != 0) {
			snprintf(maker, len, "%s", vendor);
			snprintf(source, srclen, "scsi-inquiry");
			return;
		}
	}
	/* the WWN's OUI, named by the IEEE registry in the udev hwdb */
	if (wp_wwn_oui(ids->wwn, oui)) {
		snprintf(key, sizeof(key), "OUI:%s", oui);
		v = hwdb ? hwdb(key, ctx) : NULL;
		if (v)
			snprintf(maker, len, "%s", v);
		else
			snprintf(maker, len, "IEEE OUI %s", oui);
		snprintf(source, srclen, "wwn-oui");
		return;
	}
	/* an NVMe controller's PCI vendor id, named by the PCI id registry */
	unsigned id;
	if (ids->pci_vendor && sscanf(ids->pci_vendor, "0x%4x", &id) == 1) {
		snprintf(key, sizeof(key), "pci:v%08X", id);
		v = hwdb ? hwdb(key, ctx) : NULL;
		if (v)
			snprintf(maker, len, "%s", v);
		else
			snprintf(maker, len, "PCI vendor %04x", id);
		snprintf(source, srclen, "pci-vendor");
	}
}
