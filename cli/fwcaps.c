/*
 * Firmware capabilities for people and programs: which command set a disk
 * gets asked in, what it answered, and per method whether it is possible
 * and why not.
 */
#include "fw_cli.h"
#include "wptext.h"
#include "i18n.h"

#include <string.h>

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum wp_fw_bus wp_fw_bus_of(const struct wp_device *dev)
{
	if (dev->kind == WP_KIND_OPTICAL || dev->kind == WP_KIND_LOOP)
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
	case WP_KIND_OPTICAL: case WP_KIND_UNKNOWN: break;
	}
	return WP_MEDIA_OTHER;
}

void wp_device_caps(const struct wp_device *dev, struct wp_fw_caps *caps)
{
	(void)wp_fw_probe_path(dev->path, wp_fw_bus_of(dev), caps);
	if (dev->kind == WP_KIND_LOOP)
		snprintf(caps->note, sizeof(caps->note), "%s", N_("a loop device: no firmware command is "
			 "sent to it; overwrite methods only")); /* English in JSON */
}

static json_t *methods_to_json(const struct wp_fw_caps *caps)
{
	json_t *arr = json_array();
	const struct wp_method *m;
	for (size_t i = 0; (m = wp_fw_method_at(i)) != NULL; i++) {
		const struct wp_fw_support *s = &caps->method[m->firmware];
		json_t *o = json_pack("{s:s, s:b}", "method", m->name, "supported", s->ok);
		if (!s->ok)
			wp_json_set(o, "reason", json_string(s->why));
		wp_json_append(arr, o);
	}
	return arr;
}

static json_t *hidden_to_json(const struct wp_fw_caps *caps)
{
	const struct wp_hidden_info *h = &caps->hidden;
	json_t *o = json_pack("{s:b, s:b, s:b}", "checked", h->checked, "hpa", h->hpa,
			      "dco", h->dco);
	if (caps->bus == WP_FW_BUS_ATA && h->checked) {
		wp_json_set(o, "user_sectors", json_integer((json_int_t)h->user_sectors));
		wp_json_set(o, "native_sectors", json_integer((json_int_t)h->native_sectors));
		wp_json_set(o, "dco_sectors", json_integer((json_int_t)h->dco_sectors));
	}
	if (caps->bus == WP_FW_BUS_NVME) {
		json_t *ns = json_array();
		for (unsigned i = 0; i < caps->nvme.n_other && i < WP_NVME_MAX_OTHER_NS; i++)
			wp_json_append(ns, json_integer(caps->nvme.other[i]));
		wp_json_set(o, "other_namespaces", ns);
	}
	if (h->note[0])
		wp_json_set(o, "note", json_string(h->note));
	return o;
}

static json_t *ata_to_json(const struct wp_ata_info *a)
{
	json_t *o = json_pack("{s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:b, s:b, s:b, s:b}",
			 "security_supported", a->security_supported,
			 "security_enabled", a->security_enabled, "locked", a->locked,
			 "frozen", a->frozen, "enhanced_erase", a->enhanced_supported,
			 "erase_minutes", (int)a->erase_minutes,
			 "enhanced_erase_minutes", (int)a->enhanced_minutes,
			 "sanitize", a->sanitize_supported, "sanitize_crypto", a->sanitize_crypto,
			 "sanitize_block", a->sanitize_block,
			 "sanitize_overwrite", a->sanitize_overwrite);
	/* "more than" the minutes given (IDENTIFY FFh / 7FFFh) */
	wp_json_set(o, "erase_minutes_open_ended", json_boolean(a->erase_more_than));
	wp_json_set(o, "enhanced_erase_minutes_open_ended",
			    json_boolean(a->enhanced_more_than));
	wp_json_set(o, "hpa_feature", json_boolean(a->hpa_supported));
	wp_json_set(o, "amac_feature", json_boolean(a->amac_supported));
	wp_json_set(o, "dco_feature", json_boolean(a->dco_supported));
	return o;
}

static json_t *nvme_to_json(const struct wp_nvme_info *n)
{
	return json_pack("{s:i, s:i, s:I, s:i, s:i, s:i, s:i, s:b}", "nsid", (int)n->nsid,
			 "oacs", (int)n->oacs, "sanicap", (json_int_t)n->sanicap, "fna", (int)n->fna,
			 "dlfeat", (int)n->dlfeat, "namespaces", (int)n->nn, "cmic", (int)n->cmic,
			 "other_namespaces_unknown", n->others_unknown);
}

json_t *wp_caps_to_json(const struct wp_fw_caps *caps)
{
	json_t *o = json_pack("{s:s, s:b, s:o, s:o}", "command_set", wp_fw_bus_name(caps->bus),
			      "probed", caps->probed, "methods", methods_to_json(caps),
			      "hidden_areas", hidden_to_json(caps));
	if (caps->note[0])
		wp_json_set(o, "note", json_string(caps->note));
	if (caps->probed && caps->bus == WP_FW_BUS_ATA)
		wp_json_set(o, "ata", ata_to_json(&caps->ata));
	if (caps->probed && caps->bus == WP_FW_BUS_NVME)
		wp_json_set(o, "nvme", nvme_to_json(&caps->nvme));
	return o;
}

void wp_print_caps(FILE *out, const struct wp_fw_caps *caps)
{
	const struct wp_method *m;
	if (caps->bus == WP_FW_BUS_NONE || !caps->probed) {
		fprintf(out, _("    firmware erase: none (%s)\n"), caps->note[0] ? _(caps->note) : "");
		return;
	}
	fprintf(out, _("    firmware erase (%s):"), wp_fw_bus_name(caps->bus));
	size_t shown = 0;
	for (size_t i = 0; (m = wp_fw_method_at(i)) != NULL; i++)
		if (caps->method[m->firmware].ok)
			fprintf(out, "%s %s", shown++ ? "," : "", m->name);
	fprintf(out, "%s\n", shown ? "" : " none");
	for (size_t i = 0; (m = wp_fw_method_at(i)) != NULL; i++)
		if (wp_fw_method_bus(m->firmware) == caps->bus && !caps->method[m->firmware].ok)
			fprintf(out, _("      not %s: %s\n"), m->name, caps->method[m->firmware].why);
	if (caps->hidden.note[0])
		fprintf(out, _("    hidden areas: %s\n"), caps->hidden.note);
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
