/*
 * People's names and ids. Separation of duties compares people, and two
 * spellings of one name ("Taro Yamada" and "Taro Yamada ") must not be two
 * people. glibc offers no Unicode normalisation (NFC), so names are kept to
 * one spelling at the door instead: white space is collapsed for every
 * comparison, and a certificate is never issued for a name that carries a
 * combining mark (the decomposed spelling of a precomposed letter) or
 * white space that normalising would change.
 */
#include "certs_internal.h"

#include <stdio.h>
#include <string.h>

/* The code point at *p (UTF-8), advancing *p; -1 for a malformed sequence. */
static long next_cp(const unsigned char **p)
{
	const unsigned char *s = *p;
	long cp;
	int more;
	if (s[0] < 0x80) {
		*p = s + 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		cp = s[0] & 0x1f;
		more = 1;
	} else if ((s[0] & 0xf0) == 0xe0) {
		cp = s[0] & 0x0f;
		more = 2;
	} else if ((s[0] & 0xf8) == 0xf0) {
		cp = s[0] & 0x07;
		more = 3;
	} else {
		return -1;
	}
	for (int i = 1; i <= more; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	static const long min[] = { 0, 0x80, 0x800, 0x10000 };
	if (cp < min[more] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*p = s + more + 1;
	return cp;
}

static bool is_space(long cp)
{
	return cp == ' ' || cp == '\t' || cp == 0xa0 || cp == 0x3000;
}

static bool is_combining(long cp)
{
	return (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
	       (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x20d0 && cp <= 0x20ff) ||
	       (cp >= 0xfe20 && cp <= 0xfe2f) || cp == 0x3099 || cp == 0x309a;
}

void wp_name_normalise(const char *name, char *out, size_t len)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t n = 0;
	bool pending = false;
	if (!len)
		return;
	while (*p) {
		const unsigned char *start = p;
		long cp = next_cp(&p);
		if (cp < 0) { /* keep bytes as they are: wp_name_check refuses them */
			p = start + 1;
			cp = 0x110000;
		}
		if (is_space(cp)) {
			pending = n > 0;
			continue;
		}
		size_t add = (size_t)(p - start) + (pending ? 1 : 0);
		if (n + add >= len)
			break;
		if (pending)
			out[n++] = ' ';
		pending = false;
		memcpy(out + n, start, (size_t)(p - start));
		n += (size_t)(p - start);
	}
	out[n] = '\0';
}

bool wp_name_same(const char *a, const char *b)
{
	char x[WP_NAME_MAX], y[WP_NAME_MAX];
	wp_name_normalise(a, x, sizeof(x));
	wp_name_normalise(b, y, sizeof(y));
	return x[0] && strcmp(x, y) == 0;
}

int wp_name_check(const char *what, const char *name, char *err, size_t errlen)
{
	const unsigned char *p = (const unsigned char *)name;
	while (*p) {
		long cp = next_cp(&p);
		if (cp < 0) {
			snprintf(err, errlen, "%s is not valid UTF-8", what);
			return -1;
		}
		if (is_combining(cp)) {
			snprintf(err, errlen, "%s '%s' contains the combining mark U+%04lX: type the "
				 "letter in its precomposed form (NFC), so the name has one spelling",
				 what, name, cp);
			return -1;
		}
	}
	char norm[WP_NAME_MAX];
	wp_name_normalise(name, norm, sizeof(norm));
	if (strcmp(norm, name) != 0) {
		snprintf(err, errlen, "%s '%s' has white space at its start or end, doubled, or "
			 "other than one ASCII space between words; write it as '%s'", what, name, norm);
		return -1;
	}
	return 0;
}

int wp_id_check(const char *id, char *err, size_t errlen)
{
	size_t n = strlen(id);
	if (n == 0 || n >= WP_ID_MAX || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					       "0123456789._-") != n) {
		snprintf(err, errlen, "person id '%s' must be 1 to %d characters of A-Z, a-z, 0-9, "
			 "'.', '_' and '-' (an employee number, e.g. E01234)", id, WP_ID_MAX - 1);
		return -1;
	}
	return 0;
}
