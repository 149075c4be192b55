/*
 * Disks arriving and leaving, as a libudev monitor sees them. The monitor
 * keeps the set of disks it knows (those present when it started, and each
 * arrival since), because the kernel reports some arrivals and removals
 * only as a `change`.
 *
 * Which source: "udev" when a udev daemon runs (its events come after its
 * rules, with its properties), else "kernel" (stations and the test machine
 * often run without systemd-udevd).
 *
 * What counts as an arrival: an `add` with a size, or a `change` that gives
 * a disk we do not know a size (a loop device being attached, a card put
 * into a reader: the node exists before and after). A `remove`, or a
 * `change` that takes a known disk's size to 0, is a removal.
 */
#include "udev.h"
#include "wpi18n.h"

#include <errno.h>
#include <libudev.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_KNOWN 256

struct known_disk {
	dev_t devno;
	char path[64];
	char serial[128];
};

struct wp_media_monitor {
	struct udev *udev;
	struct udev_monitor *mon;
	const char *source;
	size_t n_known;
	struct known_disk known[MAX_KNOWN];
	struct wp_device dev;         /* the last arrival, handed out by _next */
};

static struct known_disk *find_known(struct wp_media_monitor *m, dev_t devno)
{
	for (size_t i = 0; i < m->n_known; i++)
		if (m->known[i].devno == devno)
			return &m->known[i];
	return NULL;
}

static void remember(struct wp_media_monitor *m, const struct wp_device *dev)
{
	struct known_disk *k = find_known(m, dev->devno);
	if (!k && m->n_known < MAX_KNOWN)
		k = &m->known[m->n_known++];
	if (!k)
		return;
	k->devno = dev->devno;
	snprintf(k->path, sizeof(k->path), "%s", dev->path);
	snprintf(k->serial, sizeof(k->serial), "%s", dev->serial);
}

static int baseline(struct wp_media_monitor *m, char *err, size_t errlen)
{
	struct wp_device_list list;
	if (wp_media_enumerate(&list, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < list.n; i++)
		if (list.items[i].size_bytes > 0)
			remember(m, &list.items[i]);
	wp_media_list_free(&list);
	return 0;
}

int wp_media_monitor_open(struct wp_media_monitor **out, char *err, size_t errlen)
{
	struct wp_media_monitor *m = calloc(1, sizeof(*m));
	*out = NULL;
	if (!m) {
		snprintf(err, errlen, _("out of memory"));
		return -1;
	}
	m->source = access("/run/udev/control", F_OK) == 0 ? "udev" : "kernel";
	m->udev = udev_new();
	m->mon = m->udev ? udev_monitor_new_from_netlink(m->udev, m->source) : NULL;
	if (!m->mon || udev_monitor_filter_add_match_subsystem_devtype(m->mon, "block", "disk") < 0 ||
	    udev_monitor_enable_receiving(m->mon) < 0) {
		snprintf(err, errlen, _("cannot listen for %s device events (netlink): %s; watch "
			 "needs root"), m->source, strerror(errno));
		wp_media_monitor_close(m);
		return -1;
	}
	/* listening first, then the baseline: no arrival falls in between */
	if (baseline(m, err, errlen) < 0) {
		wp_media_monitor_close(m);
		return -1;
	}
	*out = m;
	return 0;
}

void wp_media_monitor_close(struct wp_media_monitor *m)
{
	if (!m)
		return;
	udev_monitor_unref(m->mon);
	udev_unref(m->udev);
	free(m);
}

const char *wp_media_monitor_source(const struct wp_media_monitor *m)
{
	return m->source;
}

size_t wp_media_monitor_known(const struct wp_media_monitor *m)
{
	return m->n_known;
}

static bool ignored_name(const char *name)
{
	static const char *const prefixes[] = { "ram", "zram", "dm-", "md" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* One udev event into EV; false when it is none of ours. */
static bool classify(struct wp_media_monitor *m, struct udev_device *d, struct wp_media_event *ev)
{
	const char *action = udev_device_get_action(d), *node = udev_device_get_devnode(d);
	const char *name = udev_device_get_sysname(d);
	const char *size = udev_device_get_sysattr_value(d, "size");
	if (!action || !node || !name || ignored_name(name))
		return false;
	struct known_disk *k = find_known(m, udev_device_get_devnum(d));
	bool has_size = size && strtoull(size, NULL, 10) > 0;
	if (strcmp(action, "remove") == 0 || (strcmp(action, "change") == 0 && !has_size)) {
		if (!k)
			return false;
		ev->kind = WP_MEDIA_REMOVED;
		snprintf(ev->path, sizeof(ev->path), "%s", k->path);
		snprintf(ev->serial, sizeof(ev->serial), "%s", k->serial);
		*k = m->known[--m->n_known];
		return true;
	}
	bool is_add = strcmp(action, "add") == 0;
	if (!has_size || !(is_add || (strcmp(action, "change") == 0 && !k)))
		return false;
	snprintf(ev->path, sizeof(ev->path), "%s", node);
	memset(&m->dev, 0, sizeof(m->dev));
	if (wp_media_probe(node, NULL, &m->dev, ev->err, sizeof(ev->err)) < 0) {
		ev->kind = WP_MEDIA_UNREADABLE;
		return true;
	}
	remember(m, &m->dev);
	ev->kind = WP_MEDIA_ARRIVED;
	ev->dev = &m->dev;
	snprintf(ev->serial, sizeof(ev->serial), "%s", m->dev.serial);
	return true;
}

int wp_media_monitor_next(struct wp_media_monitor *m, int timeout_ms, struct wp_media_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	struct pollfd p = { .fd = udev_monitor_get_fd(m->mon), .events = POLLIN };
	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	struct udev_device *d = udev_monitor_receive_device(m->mon);
	bool ours = d && classify(m, d, ev);
	udev_device_unref(d);
	return ours ? 1 : 0;
}
