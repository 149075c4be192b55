/*
 * Checked text and checked JSON building (wptext.h).
 */
#include "wptext.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one;
 * *cp gets the code point. */
static size_t utf8_seq(const unsigned char *p, uint32_t *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	size_t n;
	uint32_t c, min;
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2, c = p[0] & 0x1f, min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3, c = p[0] & 0x0f, min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4, c = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int wp_text_check(const char *s, size_t max, char *why, size_t whylen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	if (max && len >= max) {
		snprintf(why, whylen, "is %zu bytes long; at most %zu are allowed", len, max - 1);
		return -1;
	}
	for (size_t i = 0; i < len;) {
		uint32_t cp = 0;
		size_t n = utf8_seq(p + i, &cp);
		if (n == 0) {
			snprintf(why, whylen, "is not valid UTF-8 (byte %zu, 0x%02x); give it as "
				 "UTF-8 text (check the terminal's or the file's encoding)", i + 1, p[i]);
			return -1;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			snprintf(why, whylen, "contains a control character (U+%04X at byte %zu); "
				 "remove it and give the text on one line", (unsigned)cp, i + 1);
			return -1;
		}
		i += n;
	}
	return 0;
}

json_t *wp_json_text_lossy(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(3 * len + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_seq((const unsigned char *)s + i, &cp);
		if (n == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
	}
	out[o] = '\0';
	json_t *v = json_string(out);
	free(out);
	return v;
}

int wp_json_set(json_t *obj, const char *key, json_t *val)
{
	if (!obj) {
		json_decref(val);
		return -1;
	}
	if (val && json_object_set_new(obj, key, val) == 0)
		return 0;
	/* the marker goes in even when the value could not: set_new frees
	 * val on failure, and the marker is plain ASCII */
	json_object_set_new(obj, WP_JSON_INVALID, json_string(key));
	return -1;
}

int wp_json_append(json_t *arr, json_t *val)
{
	if (!arr) {
		json_decref(val);
		return -1;
	}
	if (val && json_array_append_new(arr, val) == 0)
		return 0;
	json_array_append_new(arr, json_pack("{s:s}", WP_JSON_INVALID, "[]"));
	return -1;
}

int wp_json_check(const json_t *v, const char *what, char *err, size_t errlen)
{
	const char *key;
	json_t *item;
	size_t i;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		item = json_object_get(v, WP_JSON_INVALID);
		if (item) {
			snprintf(err, errlen, "the field '%s' of the %s could not be encoded (not "
				 "valid UTF-8, or out of memory); nothing was recorded",
				 json_is_string(item) ? json_string_value(item) : "?", what);
			return -1;
		}
		json_object_foreach((json_t *)v, key, item)
			if (wp_json_check(item, what, err, errlen) < 0)
				return -1;
		return 0;
	case JSON_ARRAY:
		json_array_foreach(v, i, item)
			if (wp_json_check(item, what, err, errlen) < 0)
				return -1;
		return 0;
	default:
		return 0;
	}
}

int wp_text_check_tag(const char *option, const char *tag, size_t max, char *err,
		      size_t errlen)
{
	char why[256];
	if (wp_text_check(tag, max, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s %s", option, why);
		return -1;
	}
	if (!tag[strspn(tag, " \t")]) {
		snprintf(err, errlen, "%s is blank; give the asset tag printed on the label "
			 "(e.g. %s PC-2024-0153)", option, option);
		return -1;
	}
	if (tag[0] == ' ' || tag[strlen(tag) - 1] == ' ') {
		snprintf(err, errlen, "%s '%s' begins or ends with a space; give the tag "
			 "without them", option, tag);
		return -1;
	}
	return 0;
}
