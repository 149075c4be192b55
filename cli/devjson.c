/* How a device looks to people (table) and to programs (JSON). */
#include "cli.h"
#include "wptext.h"
#include "i18n.h"

#include <string.h>

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? json_string(s) : json_null();
}

static json_t *fs_to_json(const struct wp_fsinfo *fs)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "fstype", str_or_null(fs->fstype),
			 "label", str_or_null(fs->label), "uuid", str_or_null(fs->uuid),
			 "mountpoint", str_or_null(fs->mountpoint));
}

static json_t *partitions_to_json(const struct wp_device *dev)
{
	json_t *parts = json_array();
	for (size_t i = 0; i < dev->n_partitions; i++) {
		const struct wp_partition *p = &dev->partitions[i];
		json_t *o = fs_to_json(&p->fs);
		wp_json_set(o, "path", json_string(p->path));
		wp_json_set(o, "number", json_integer(p->number));
		wp_json_set(o, "size_bytes", json_integer((json_int_t)p->size_bytes));
		wp_json_append(parts, o);
	}
	return parts;
}

static json_t *reasons_to_json(const struct wp_device *dev)
{
	json_t *reasons = json_array();
	for (size_t i = 0; i < dev->n_reasons; i++)
		wp_json_append(reasons, json_pack("{s:s, s:s, s:b}",
			"code", dev->reasons[i].code, "text", dev->reasons[i].text,
			"overridable", dev->reasons[i].overridable));
	return reasons;
}

json_t *wp_device_to_json(const struct wp_device *dev)
{
	json_t *holders = json_array();
	for (size_t i = 0; i < dev->n_holders; i++)
		wp_json_append(holders, json_string(dev->holders[i]));
	json_t *o = json_pack(
		"{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:b, s:b, s:b,"
		" s:o, s:o, s:o, s:o, s:b, s:o}",
		"path", dev->path, "name", dev->name,
		"kind", wp_kind_name(dev->kind), "transport", wp_transport_name(dev->transport),
		"model", str_or_null(dev->model), "serial", str_or_null(dev->serial),
		"serial_source", str_or_null(dev->serial_source),
		"size_bytes", (json_int_t)dev->size_bytes,
		"logical_block_size", (json_int_t)dev->logical_block_size,
		"physical_block_size", (json_int_t)dev->physical_block_size,
		"rotational", dev->rotational, "removable", dev->removable,
		"read_only", dev->read_only,
		"partition_table", str_or_null(dev->pttype),
		"filesystem", fs_to_json(&dev->whole_fs),
		"partitions", partitions_to_json(dev),
		"holders", holders,
		"protected", dev->protected_,
		"protect_reasons", reasons_to_json(dev));
	if (o && dev->kind == WP_KIND_LOOP)
		wp_json_set(o, "backing_file", str_or_null(dev->backing_file));
	return o;
}

static const char *or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

static void print_contents(FILE *out, const struct wp_device *dev)
{
	if (dev->whole_fs.fstype[0])
		fprintf(out, "    filesystem %s%s%s%s%s\n", dev->whole_fs.fstype,
			dev->whole_fs.label[0] ? " label=" : "", dev->whole_fs.label,
			dev->whole_fs.mountpoint[0] ? " mounted on " : "",
			dev->whole_fs.mountpoint);
	for (size_t i = 0; i < dev->n_partitions; i++) {
		const struct wp_partition *p = &dev->partitions[i];
		char size[32];
		wp_format_size(p->size_bytes, size, sizeof(size));
		fprintf(out, "    %-14s %10s  %s%s%s%s%s\n", p->path, size, or_dash(p->fs.fstype),
			p->fs.label[0] ? " label=" : "", p->fs.label,
			p->fs.mountpoint[0] ? " mounted on " : "", p->fs.mountpoint);
	}
}

void wp_print_device_table(FILE *out, const struct wp_device_list *list)
{
	fprintf(out, "%-14s %-7s %-6s %10s  %-24s %-24s %s\n", _("DEVICE"), _("KIND"),
		_("TRAN"), _("SIZE"), _("MODEL"), _("SERIAL"), _("STATUS"));
	for (size_t i = 0; i < list->n; i++) {
		const struct wp_device *d = &list->items[i];
		char size[32];
		wp_format_size(d->size_bytes, size, sizeof(size));
		fprintf(out, "%-14s %-7s %-6s %10s  %-24.24s %-24s %s\n", d->path,
			wp_kind_name(d->kind), wp_transport_name(d->transport), size,
			or_dash(d->model), or_dash(d->serial),
			d->protected_ ? _("PROTECTED") : _("wipeable"));
		if (d->kind == WP_KIND_LOOP && d->backing_file[0])
			fprintf(out, _("    backing file %s\n"), d->backing_file);
		print_contents(out, d);
		for (size_t r = 0; r < d->n_reasons; r++)
			fprintf(out, _("    protected: %s: %s\n"), wp_reason_label(d->reasons[r].code),
				d->reasons[r].text);
	}
	if (list->n == 0)
		fputs(_("(no disks found)\n"), out);
}
