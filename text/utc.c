/*
 * The one spelling of a moment in every record, report, certificate and
 * message: "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC, whole seconds). Eight
 * copies had each chosen their own answer to a time gmtime cannot
 * represent (an empty string, "unknown", the epoch, or strftime handed a
 * NULL); here the answer is one: the buffer is emptied and the caller is
 * told, so a record never carries a made-up date.
 */
#include "wptext.h"

#include <stdio.h>
#include <string.h>

int wp_utc_format(time_t t, char *buf, size_t len)
{
	struct tm tm;
	if (len == 0)
		return -1;
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999 ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) != WP_UTC_LEN) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

int wp_utc_parse(const char *text, time_t *out)
{
	struct tm tm = { 0 };
	if (!text || strlen(text) != WP_UTC_LEN)
		return -1;
	const char *end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end != '\0')
		return -1;
	*out = timegm(&tm);
	return 0;
}
