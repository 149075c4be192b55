/*
 * What a disk can do, asked read-only: which command set its transport
 * suggests, its media class for the planner, and the hidden-area part of
 * a job report. The plan of every wipe starts here; cli/ shows the same
 * answers in `list` and `plan`.
 */
#include "station.h"

#include <stdio.h>
#include <string.h>

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum wp_fw_bus wp_fw_bus_of(const struct wp_device *dev)
{
	/* a disc in a drive: GET CONFIGURATION names it (read-only) */
	if (dev->kind == WP_KIND_OPTICAL)
		return starts_with(dev->name, "sr") ? WP_FW_BUS_OPTICAL : WP_FW_BUS_NONE;
	if (dev->kind == WP_KIND_LOOP)
		return WP_FW_BUS_NONE;
	if (dev->transport == WP_TRANSPORT_ATA && starts_with(dev->name, "sd"))
		return WP_FW_BUS_ATA;
	if (dev->transport == WP_TRANSPORT_NVME && starts_with(dev->name, "nvme"))
		return WP_FW_BUS_NVME;
	if (dev->transport == WP_TRANSPORT_SCSI && starts_with(dev->name, "sd"))
		return WP_FW_BUS_SCSI;
	if (dev->transport == WP_TRANSPORT_MMC && starts_with(dev->name, "mmcblk"))
		return WP_FW_BUS_MMC;
	/* USB bridges garble or hang on pass-through; virtio has no erase */
	return WP_FW_BUS_NONE;
}

enum wp_media wp_media_of(const struct wp_device *dev)
{
	switch (dev->kind) {
	case WP_KIND_HDD: return WP_MEDIA_HDD;
	case WP_KIND_SSD: return WP_MEDIA_SSD;
	case WP_KIND_NVME: return WP_MEDIA_NVME;
	case WP_KIND_USB: return WP_MEDIA_USB;
	case WP_KIND_MMC: return WP_MEDIA_MMC;
	case WP_KIND_LOOP: return WP_MEDIA_LOOP;
	case WP_KIND_VIRTUAL: return WP_MEDIA_VIRTUAL;
	case WP_KIND_OPTICAL: return WP_MEDIA_OPTICAL;
	case WP_KIND_UNKNOWN: break;
	}
	return WP_MEDIA_OTHER;
}

void wp_device_caps(const struct wp_device *dev, struct wp_fw_caps *caps)
{
	(void)wp_fw_probe_path(dev->path, wp_fw_bus_of(dev), caps);
	if (dev->kind == WP_KIND_LOOP)
		snprintf(caps->note, sizeof(caps->note), "a loop device: no firmware command is "
			 "sent to it; overwrite methods only");
}

void wp_hidden_from_caps(const struct wp_fw_caps *caps, const struct wp_device *dev,
			 struct wp_hidden_record *rec)
{
	const struct wp_hidden_info *h = &caps->hidden;
	memset(rec, 0, sizeof(*rec));
	rec->checked = h->checked;
	rec->reported_bytes = dev->size_bytes;
	if (!h->checked)
		return;
	unsigned bs = dev->logical_block_size ? dev->logical_block_size : 512;
	uint64_t native = h->native_sectors > h->dco_sectors ? h->native_sectors : h->dco_sectors;
	rec->hpa = h->hpa;
	rec->dco = h->dco;
	rec->native_bytes = native ? native * bs : dev->size_bytes;
	rec->other_namespaces = caps->nvme.n_other;
	rec->native_covered = !h->hpa && !h->dco;
	snprintf(rec->note, sizeof(rec->note), "%s", h->note);
}
