/*
 * The asset's life between intake and release (issue 17 items 5-9): event
 * bodies for take-out, return, blanking, release to repair and the Co-Std
 * Art.5 intake fields; evidence files kept beside the ledger; the
 * outstanding assets by owner; the stocktake of disks attached now against
 * the assets on record. The rules themselves are custody/rules.c's.
 */
#include "station.h"
#include "wpi18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void set_opt(json_t *body, const char *key, const char *value)
{
	if (value)
		json_object_set_new(body, key, json_string(value));
}

/* ---- evidence beside the ledger ------------------------------------------ */

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	char tmp[4200], buf[65536];
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", to, (long)getpid());
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = in < 0 ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	int rc = in < 0 || out < 0 ? -1 : 0;
	ssize_t n;
	while (rc == 0 && (n = read(in, buf, sizeof(buf))) != 0)
		if (n < 0 || write(out, buf, (size_t)n) != n)
			rc = -1;
	if (rc == 0 && fsync(out) < 0)
		rc = -1;
	if (rc < 0)
		snprintf(err, errlen, _("cannot copy %s to %s: %s"), from, to, strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0 && rc == 0) {
		snprintf(err, errlen, _("cannot write %s: %s"), tmp, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, to) < 0) {
		snprintf(err, errlen, _("cannot write %s: %s"), to, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int wp_evidence_keep(const char *ledger_path, const char *file, char sha[WP_HASH_HEX],
		     char *stored, size_t len, char *err, size_t errlen)
{
	char dir[4096];
	if (wp_file_sha256(file, sha, err, errlen) < 0)
		return -1;
	wp_path_dir(ledger_path, dir, sizeof(dir));
	size_t used = strlen(dir);
	snprintf(dir + used, sizeof(dir) - used, "/evidence");
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, _("cannot create %s beside the ledger: %s"), dir, strerror(errno));
		return -1;
	}
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	/* the digest in the name: two agreements both called nda.pdf stay apart */
	if ((size_t)snprintf(stored, len, "%s/%s-%s", dir, sha, base) >= len) {
		snprintf(err, errlen, _("the evidence path for %s is too long"), file);
		return -1;
	}
	return copy_file(file, stored, err, errlen);
}

/* ---- bodies ------------------------------------------------------------------ */

static int keep_agreement(const struct wp_life_opts *o, json_t *body, char *err, size_t errlen)
{
	char sha[WP_HASH_HEX], stored[4200];
	if (!o->agreement)
		return 0;
	if (wp_evidence_keep(o->ledger_path, o->agreement, sha, stored, sizeof(stored), err,
			     errlen) < 0)
		return WP_CUSTODY_ERROR;
	const char *base = strrchr(o->agreement, '/');
	set_opt(body, "agreement_sha256", sha);
	set_opt(body, "agreement", base ? base + 1 : o->agreement);
	return 0;
}

int wp_life_intake_device(const struct wp_life_opts *o, const struct wp_device *dev,
			  json_t *body, char *err, size_t errlen)
{
	if (o->maker && dev->maker[0] && strcmp(o->maker, dev->maker) != 0) {
		snprintf(err, errlen, _("%s names its maker '%s' (%s), not '%s' as given with --maker; "
			 "leave --maker out for a disk that names its maker"), dev->path, dev->maker,
			 dev->maker_source, o->maker);
		return -1;
	}
	if (o->media && dev->media[0] && strcmp(o->media, dev->media) != 0) {
		snprintf(err, errlen, _("the disc in %s is a %s, not a %s as given with --media"), dev->path,
			 dev->media, o->media);
		return -1;
	}
	if (dev->maker[0]) {
		set_opt(body, "maker", dev->maker);
		set_opt(body, "maker_source", dev->maker_source);
	}
	if (dev->media[0])
		set_opt(body, "media", dev->media);
	return 0;
}

int wp_life_body(const struct wp_life_opts *o, json_t *body, char *err, size_t errlen)
{
	const char *s = o->sub;
	if (strcmp(s, "intake") == 0) {
		set_opt(body, "introduced", o->introduced);
		set_opt(body, "seller", o->seller);
		set_opt(body, "use", o->use);
		set_opt(body, "warranty", o->warranty);
		if (o->maker && !json_object_get(body, "maker")) {
			set_opt(body, "maker", o->maker);
			set_opt(body, "maker_source", "label");
		}
		if (o->media && !json_object_get(body, "media"))
			set_opt(body, "media", o->media);
		return 0;
	}
	if (strcmp(s, "take-out") == 0) {
		if (!o->permitted_by || !o->destination || !o->purpose) {
			snprintf(err, errlen, _("needs %s (R19)"), !o->permitted_by
				 ? _("--permitted-by PERSON: the department head who permits it and "
				   "signs too") : !o->destination ? "--destination WHERE" : "--purpose WHY");
			return WP_STATION_BAD_REQUEST;
		}
		set_opt(body, "destination", o->destination);
		set_opt(body, "purpose", o->purpose);
		set_opt(body, "due_back", o->due_back);
		set_opt(body, "permitted_on", o->permitted_on);
		return 0;
	}
	if (strcmp(s, "return") == 0 && o->device) {
		/* the returned disk says who it is (R15) */
		struct wp_device *dev = calloc(1, sizeof(*dev));
		int rc = dev ? wp_media_probe(o->device, NULL, dev, err, errlen) : -1;
		if (!dev)
			snprintf(err, errlen, _("out of memory"));
		if (rc == 0)
			set_opt(body, "serial", dev->serial);
		free(dev);
		return rc == 0 ? 0 : WP_CUSTODY_ERROR;
	}
	if (strcmp(s, "blanked") == 0) {
		set_opt(body, "method", o->method ? o->method : "full");
		set_opt(body, "tool", o->tool);
		return 0;
	}
	if (strcmp(s, "release") == 0) {
		set_opt(body, "repairer", o->repairer);
		return keep_agreement(o, body, err, errlen);
	}
	return 0;
}

/* ---- the assets on record, from one verified pass ---------------------------- */

struct collect {
	json_t *index;                   /* tag -> position in states */
	struct wp_asset_state *states;
	size_t n, cap;
	int failed;
};

static int collect_one(const struct wp_event *ev, const struct wp_asset_state *st, void *ctx)
{
	struct collect *c = ctx;
	if (!ev->asset[0])
		return 0; /* policy, stocktake */
	json_t *at = json_object_get(c->index, ev->asset);
	if (!at) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 64;
			struct wp_asset_state *more = realloc(c->states, cap * sizeof(*more));
			if (!more)
				return c->failed = -1;
			c->states = more;
			c->cap = cap;
		}
		at = json_integer((json_int_t)c->n++);
		json_object_set_new(c->index, ev->asset, at);
	}
	c->states[json_integer_value(at)] = *st;
	return 0;
}

static int collect_all(struct wp_ledger *l, struct collect *c, char *err, size_t errlen)
{
	struct wp_custody_report *rep = malloc(sizeof(*rep));
	c->index = json_object();
	int rc = rep && c->index ? wp_custody_replay(l, wp_ledger_ca(l), NULL, NULL, collect_one, c,
						     rep, err, errlen) : WP_CUSTODY_ERROR;
	if (!rep || c->failed)
		snprintf(err, errlen, _("out of memory"));
	free(rep);
	return rc;
}

static void collect_free(struct collect *c)
{
	json_decref(c->index);
	free(c->states);
}

static json_t *asset_summary(const struct wp_asset_state *st)
{
	json_t *a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "asset", st->asset,
			      "status", wp_asset_status(st), "whereabouts", wp_asset_whereabouts(st),
			      "serial", st->serial, "model", st->model, "location", st->location,
			      "manager", st->manager, "intake_time", st->intake_time);
	if (st->taken_out)
		json_object_set_new(a, "taken_out", json_pack("{s:s, s:s, s:s, s:s}", "by",
					st->taken_by.name, "since", st->out_time, "to", st->destination,
					"due_back", st->due_back));
	if (st->transferred)
		json_object_set_new(a, "vendor", json_string(st->vendor));
	return a;
}

static int by_tag(const void *a, const void *b)
{
	const struct wp_asset_state *x = a, *y = b;
	int o = strcmp(x->owner, y->owner);
	return o ? o : strcmp(x->asset, y->asset);
}

int wp_life_outstanding(struct wp_ledger *l, const char *owner, json_t **out, char *err,
			size_t errlen)
{
	struct collect c = { 0 };
	int rc = collect_all(l, &c, err, errlen);
	*out = NULL;
	if (rc == 0) {
		qsort(c.states, c.n, sizeof(*c.states), by_tag);
		json_t *owners = json_array(), *group = NULL;
		const char *current = NULL;
		size_t count = 0;
		for (size_t i = 0; i < c.n; i++) {
			const struct wp_asset_state *st = &c.states[i];
			if (!wp_asset_outstanding(st) || (owner && strcmp(owner, st->owner) != 0))
				continue;
			if (!current || strcmp(current, st->owner) != 0) {
				group = json_pack("{s:s, s:[]}", "owner", st->owner, "assets");
				json_array_append_new(owners, group);
				current = st->owner;
			}
			json_array_append_new(json_object_get(group, "assets"), asset_summary(st));
			count++;
		}
		*out = json_pack("{s:o, s:I}", "owners", owners, "count", (json_int_t)count);
	}
	collect_free(&c);
	return rc;
}

static const struct wp_device *attached_by_serial(const struct wp_device_list *list,
						  const char *serial)
{
	for (size_t i = 0; serial[0] && i < list->n; i++)
		if (strcmp(list->items[i].serial, serial) == 0)
			return &list->items[i];
	return NULL;
}

int wp_life_stocktake(struct wp_ledger *l, const struct wp_device_list *attached, json_t **out,
		      char *err, size_t errlen)
{
	struct collect c = { 0 };
	int rc = collect_all(l, &c, err, errlen);
	*out = NULL;
	if (rc != 0) {
		collect_free(&c);
		return rc;
	}
	json_t *present = json_array(), *missing = json_array(), *away = json_array();
	json_t *unexpected = json_array(), *unrecorded = json_array();
	json_t *known = json_object(); /* serials of outstanding assets */
	size_t skipped = 0;
	qsort(c.states, c.n, sizeof(*c.states), by_tag);
	for (size_t i = 0; i < c.n; i++) {
		const struct wp_asset_state *st = &c.states[i];
		if (!wp_asset_outstanding(st))
			continue;
		json_object_set_new(known, st->serial, json_true());
		const struct wp_device *d = attached_by_serial(attached, st->serial);
		bool here = strcmp(wp_asset_whereabouts(st), "on-premises") == 0;
		json_t *a = asset_summary(st);
		if (d)
			json_object_set_new(a, "device", json_string(d->path));
		json_array_append_new(d ? (here ? present : unexpected) : (here ? missing : away), a);
	}
	for (size_t i = 0; i < attached->n; i++) {
		const struct wp_device *d = &attached->items[i];
		if (d->holds_system) {
			skipped++; /* the station's own disk is no asset */
			continue;
		}
		if (d->serial[0] && json_object_get(known, d->serial))
			continue;
		json_array_append_new(unrecorded, json_pack("{s:s, s:s, s:s}", "device", d->path,
							    "serial", d->serial, "model", d->model));
	}
	json_decref(known);
	*out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:I}", "present", present, "missing", missing,
			 "away", away, "unexpected", unexpected, "unrecorded", unrecorded,
			 "skipped_system_disks", (json_int_t)skipped);
	collect_free(&c);
	return 0;
}

json_t *wp_life_stocktake_event(const json_t *report)
{
	json_t *body = json_pack("{s:[], s:[], s:[]}", "present", "missing", "unrecorded");
	const json_t *v;
	size_t i;
	json_array_foreach(json_object_get(report, "present"), i, v)
		json_array_append(json_object_get(body, "present"), json_object_get(v, "asset"));
	json_array_foreach(json_object_get(report, "missing"), i, v)
		json_array_append(json_object_get(body, "missing"), json_object_get(v, "asset"));
	json_array_foreach(json_object_get(report, "unrecorded"), i, v) {
		const char *serial = json_string_value(json_object_get(v, "serial"));
		json_array_append_new(json_object_get(body, "unrecorded"),
				      json_string(serial && serial[0] ? serial
						  : json_string_value(json_object_get(v, "device"))));
	}
	json_t *unexpected = json_array();
	json_array_foreach(json_object_get(report, "unexpected"), i, v)
		json_array_append(unexpected, json_object_get(v, "asset"));
	json_object_set_new(body, "unexpected", unexpected);
	return body;
}
