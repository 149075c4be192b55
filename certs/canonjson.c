/*
 * Canonical JSON, shared by the custody ledger's events and the
 * certificates: sorted keys, no whitespace, UTF-8 as is. Only values with
 * one spelling in every JSON library are allowed — strings without NUL and
 * without control characters other than tab, LF and CR; integers;
 * true/false/null; arrays and objects of those — so the text, and thus its
 * hash and signature, is a function of the value alone.
 */
#include "certs.h"
#include "wptext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a member sits ("body.parts[2].serial"), written out only for the
 * message of a refusal: a verify of a million events checks every member
 * of every event, and formatting each path up front was a fifth of the
 * walk's cost (issue 18). */
struct where {
	const struct where *up;        /* NULL: the top, named by what */
	const char *what, *key;        /* the top's name; else a member's key or NULL */
	size_t index;                  /* an array element's index when key is NULL */
};

static void where_format(const struct where *w, char *out, size_t len)
{
	if (!w->up) {
		snprintf(out, len, "%s", w->what);
		return;
	}
	where_format(w->up, out, len);
	size_t n = strlen(out);
	if (w->key)
		snprintf(out + n, len - n, ".%s", w->key);
	else
		snprintf(out + n, len - n, "[%zu]", w->index);
}

static int check_text(const char *s, size_t len, const struct where *w, char *err, size_t errlen)
{
	char where[256];
	const unsigned char *p = (const unsigned char *)s;
	if (strlen(s) != len) {
		where_format(w, where, sizeof(where));
		snprintf(err, errlen, "%s contains a NUL character; remove it", where);
		return -1;
	}
	for (; *p; p++)
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
			where_format(w, where, sizeof(where));
			snprintf(err, errlen, "%s contains control character 0x%02x; remove it",
				 where, *p);
			return -1;
		}
	return 0;
}

static int check_value(const json_t *v, const struct where *w, char *err, size_t errlen)
{
	const char *key;
	const json_t *item;
	size_t i;
	char where[256];
	switch (json_typeof(v)) {
	case JSON_REAL:
		where_format(w, where, sizeof(where));
		snprintf(err, errlen, "%s is a real number; canonical JSON holds integers only "
			 "(write it as a string, e.g. \"99.5\")", where);
		return -1;
	case JSON_STRING:
		return check_text(json_string_value(v), json_string_length(v), w, err, errlen);
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, item) {
			struct where sub = { .up = w, .key = key };
			if (check_text(key, strlen(key), &sub, err, errlen) < 0 ||
			    check_value(item, &sub, err, errlen) < 0)
				return -1;
		}
		return 0;
	case JSON_ARRAY:
		json_array_foreach(v, i, item) {
			struct where sub = { .up = w, .index = i };
			if (check_value(item, &sub, err, errlen) < 0)
				return -1;
		}
		return 0;
	default:
		return 0;
	}
}

char *wp_json_canonical(const json_t *value, const char *what, char *err, size_t errlen)
{
	if (!value) {
		snprintf(err, errlen, "no JSON value to serialise");
		return NULL;
	}
	if (wp_json_check(value, what, err, errlen) < 0 ||
	    check_value(value, &(struct where){ .what = what }, err, errlen) < 0)
		return NULL;
	char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!text)
		snprintf(err, errlen, "cannot serialise the %s as JSON (out of memory)", what);
	return text;
}
