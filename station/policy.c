/*
 * The station policy file (station.h): strict `key = value` lines. Strict
 * because the file decides which disks are wiped without anyone typing a
 * serial: a misspelt key must stop the station, not be ignored.
 */
#include "station.h"
#include "wpi18n.h"
#include "wptext.h"


#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool known_name(const char *w, const char *(*name)(int), int last)
{
	for (int i = 1; i <= last; i++)
		if (strcmp(w, name(i)) == 0)
			return true;
	return false;
}

static const char *kind_name(int k) { return wp_kind_name((enum wp_kind)k); }
static const char *transport_name(int t) { return wp_transport_name((enum wp_transport)t); }

/* A list of names separated by spaces or commas, each one known. */
static int parse_list(char *value, bool transports, struct wp_station_policy *p,
		      char *msg, size_t len)
{
	size_t *n = transports ? &p->n_transports : &p->n_kinds;
	char(*out)[16] = transports ? p->transports : p->kinds;
	*n = 0;
	for (char *save = NULL, *w = strtok_r(value, " ,\t", &save); w;
	     w = strtok_r(NULL, " ,\t", &save)) {
		bool ok = transports ? known_name(w, transport_name, WP_TRANSPORT_LOOP)
				     : known_name(w, kind_name, WP_KIND_VIRTUAL);
		if (!ok) {
			snprintf(msg, len, _("unknown %s '%s'; use the names 'wipeproof list' shows"),
				 transports ? "transport" : "kind", w);
			return -1;
		}
		if (*n == WP_STATION_MAX_NAMES) {
			snprintf(msg, len, _("too many names (at most %d)"), WP_STATION_MAX_NAMES);
			return -1;
		}
		snprintf(out[(*n)++], 16, "%s", w);
	}
	if (*n == 0)
		snprintf(msg, len, _("an empty list; name at least one, e.g. usb"));
	return *n ? 0 : -1;
}

static int parse_bool(const char *v, bool *out, char *msg, size_t len)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
		*out = strcmp(v, "yes") == 0;
		return 0;
	}
	snprintf(msg, len, _("'%s' is not yes or no"), v);
	return -1;
}

static int copy_value(char *dst, size_t size, const char *v, char *msg, size_t len)
{
	if (strlen(v) >= size || !v[0]) {
		snprintf(msg, len, v[0] ? "value too long (at most %zu bytes)" : "empty value", size - 1);
		return -1;
	}
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int parse_method(const char *v, struct wp_station_policy *p, char *msg, size_t len)
{
	const struct wp_method *m = wp_method_find(v);
	if (!m || m->firmware != WP_FW_NONE) {
		snprintf(msg, len, _("'%s' is not an overwrite method; use zero, ones, random, "
			 "random-zero, zero-ones or dod3"), v);
		return -1;
	}
	return copy_value(p->method, sizeof(p->method), v, msg, len);
}

static int parse_verify(const char *v, struct wp_station_policy *p, char *msg, size_t len)
{
	if (wp_verify_mode_parse(v, &p->verify) < 0 || p->verify == WP_VERIFY_OFF) {
		snprintf(msg, len, _("verify '%s' must be full or sample: unattended wipes are "
			 "always verified"), v);
		return -1;
	}
	return 0;
}

static int take(const char *key, char *v, struct wp_station_policy *p, char *msg, size_t len)
{
	if (strcmp(key, "auto-wipe") == 0)
		return parse_bool(v, &p->auto_wipe, msg, len);
	if (strcmp(key, "transports") == 0 || strcmp(key, "kinds") == 0)
		return parse_list(v, key[0] == 't', p, msg, len);
	if (strcmp(key, "method") == 0)
		return parse_method(v, p, msg, len);
	if (strcmp(key, "verify") == 0)
		return parse_verify(v, p, msg, len);
	if (strcmp(key, "asset-prefix") == 0)
		return copy_value(p->asset_prefix, sizeof(p->asset_prefix), v, msg, len);
	if (strcmp(key, "intake-reason") == 0)
		return copy_value(p->intake_reason, sizeof(p->intake_reason), v, msg, len);
	if (strcmp(key, "single-signature") == 0)
		return parse_bool(v, &p->single_signature, msg, len);
	/* checked against the ledger's classes when an intake records it */
	if (strcmp(key, "confidentiality") == 0)
		return copy_value(p->confidentiality, sizeof(p->confidentiality), v, msg, len);
	if (strcmp(key, "loop-backing-dir") == 0) {
		if (v[0] != '/') {
			snprintf(msg, len, _("'%s' is not an absolute folder"), v);
			return -1;
		}
		return copy_value(p->loop_backing_dir, sizeof(p->loop_backing_dir), v, msg, len);
	}
	snprintf(msg, len, _("unknown key '%s'; keys: auto-wipe, transports, kinds, method, verify, "
		 "asset-prefix, intake-reason, single-signature, loop-backing-dir, confidentiality"),
		 key);
	return -1;
}

static int take_pair(const char *key, const char *value, unsigned lineno, void *ctx,
		     char *msg, size_t len)
{
	(void)lineno;
	char v[1024];
	if (strlen(value) >= sizeof(v)) {
		snprintf(msg, len, _("the value of '%s' is longer than %zu bytes"), key, sizeof(v) - 1);
		return -1;
	}
	snprintf(v, sizeof(v), "%s", value);
	return take(key, v, ctx, msg, len);
}

int wp_station_policy_parse(const char *text, const char *name,
			    struct wp_station_policy *p, char *err, size_t errlen)
{
	char msg[512] = "";
	memset(p, 0, sizeof(*p));
	snprintf(p->method, sizeof(p->method), "%s", WP_DEFAULT_METHOD);
	p->verify = WP_VERIFY_FULL;
	unsigned lineno = 0;
	int rc = wp_kv_each(text, take_pair, p, &lineno, msg, sizeof(msg));
	if (rc == 0 && p->n_transports == 0 && p->n_kinds == 0) {
		snprintf(msg, sizeof(msg), _("names no 'transports' or 'kinds'; say which disks this "
			 "station handles, e.g. 'transports = usb'"));
		lineno = 0;
		rc = -1;
	}
	if (rc < 0 && lineno)
		snprintf(err, errlen, "%s:%u: %s", name, lineno, msg);
	else if (rc < 0)
		snprintf(err, errlen, "%s: %s", name, msg);
	return rc;
}

int wp_station_policy_load(const char *path, struct wp_station_policy *p,
			   char *err, size_t errlen)
{
	char *text = NULL, why[512];
	int got = wp_read_file(path, 64u << 10, WP_READ_MISSING_OK, &text, NULL, why, sizeof(why));
	if (got == 1)
		snprintf(err, errlen, _("cannot read the station policy %s: %s; create it (see "
			 "'wipeproof help watch') or give --policy FILE"), path, strerror(ENOENT));
	else if (got < 0)
		snprintf(err, errlen, _("the station policy: %s"), why);
	if (got != 0)
		return -1;
	int rc = wp_station_policy_parse(text, path, p, err, errlen);
	free(text);
	return rc;
}

static bool listed(const char (*names)[16], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static bool under_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

bool wp_station_policy_allows(const struct wp_station_policy *p,
			      const struct wp_device *dev, char *why, size_t len)
{
	const char *t = wp_transport_name(dev->transport), *k = wp_kind_name(dev->kind);
	if (p->n_transports && !listed(p->transports, p->n_transports, t)) {
		snprintf(why, len, _("transport %s is not in the station policy's transports"), t);
		return false;
	}
	if (p->n_kinds && !listed(p->kinds, p->n_kinds, k)) {
		snprintf(why, len, _("kind %s is not in the station policy's kinds"), k);
		return false;
	}
	if (dev->kind == WP_KIND_LOOP && p->loop_backing_dir[0] &&
	    !under_dir(dev->backing_file, p->loop_backing_dir)) {
		snprintf(why, len, _("its backing file %s is not under the policy's loop-backing-dir %s"),
			 dev->backing_file, p->loop_backing_dir);
		return false;
	}
	return true;
}
