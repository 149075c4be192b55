/*
 * Text that goes into a record: checked before it is used, and JSON built
 * so that a string jansson refuses can never vanish from a record.
 *
 * jansson's json_string() returns NULL for a string that is not valid
 * UTF-8, and json_object_set_new(obj, key, NULL) then fails without a
 * trace: the member is simply missing from a signed event, a report or a
 * certificate. wp_json_set() and wp_json_append() never drop a member
 * silently: a value that could not be built leaves a marker member
 * (WP_JSON_INVALID) naming the field, and every writer of a record
 * (canonical JSON for events and certificates, the job report) refuses an
 * object that holds the marker, naming the field.
 */
#ifndef WP_TEXT_H
#define WP_TEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The member a failed wp_json_set() leaves behind; its value is the key
 * (or "[]" for an array element) that could not be built. */
#define WP_JSON_INVALID "wipeproof:invalid-field"

/* 0 when S is valid UTF-8 (shortest forms, no surrogates), has no control
 * character (C0, DEL, C1) and is shorter than MAX bytes (MAX 0: any
 * length); else -1 with why ("byte 4 is not valid UTF-8", ...). */
int wp_text_check(const char *s, size_t max, char *why, size_t whylen);

/* An asset tag as an option gives it (OPTION, e.g. "--asset"): text as
 * wp_text_check says, not blank, no space at either end; else -1 with
 * the message naming OPTION and the fix. */
int wp_text_check_tag(const char *option, const char *tag, size_t max, char *err,
		      size_t errlen);

/* S with every byte sequence that is not valid UTF-8 replaced by U+FFFD,
 * for text the tool did not get from a person and must still record
 * (system error messages, truncated paths). Never NULL but on ENOMEM. */
json_t *wp_json_text_lossy(const char *s);

/* json_object_set_new that cannot lose a member: VAL NULL (a string that
 * was not UTF-8, out of memory) or a failed set leaves WP_JSON_INVALID =
 * KEY in OBJ. -1 then, 0 when set. OBJ NULL: VAL is freed, -1. */
int wp_json_set(json_t *obj, const char *key, json_t *val);
/* The same for an array element. */
int wp_json_append(json_t *arr, json_t *val);

/* 0 when V (recursively) holds no WP_JSON_INVALID marker; else -1 and
 * "the field 'KEY' of WHAT could not be encoded ...". */
int wp_json_check(const json_t *v, const char *what, char *err, size_t errlen);

/* ---- moments (utc.c) ------------------------------------------------ */

/* "2026-11-22T09:00:00Z": 20 characters, WP_UTC_MAX with the NUL. */
#define WP_UTC_LEN 20
#define WP_UTC_MAX 21

/* T as "YYYY-MM-DDTHH:MM:SSZ" in UTC. 0 when written; -1 when T has no
 * such spelling (a year before 0 or after 9999) or LEN is too short:
 * BUF is then "" (never a made-up date), and the caller decides what an
 * unknown moment looks like in its output. */
int wp_utc_format(time_t t, char *buf, size_t len);
/* The reverse, for exactly that spelling; -1 for anything else. */
int wp_utc_parse(const char *text, time_t *out);

/* ---- small files (file.c) -------------------------------------------- */

#define WP_READ_NOFOLLOW   1u /* refuse a symbolic link (keys, certificates) */
#define WP_READ_PRIVATE    2u /* refuse a file group or others may read (a key) */
#define WP_READ_MISSING_OK 4u /* a missing file is 1, not an error */

/* The whole of the regular file PATH, at most MAX bytes, NUL-terminated in
 * *BUF (malloc'd; the caller frees it, with explicit_bzero first when it
 * may hold a secret); *LEN its length (LEN may be NULL). 0 when read, 1
 * when missing and WP_READ_MISSING_OK, else -1 with a message naming PATH
 * and the fix (not a regular file, too large, the chmod for a key). */
int wp_read_file(const char *path, size_t max, unsigned flags, char **buf, size_t *len,
		 char *err, size_t errlen);

#endif
