/*
 * The canonical form of an event and its hash. The bytes hashed are the
 * same in every implementation that follows custody/README.md: jansson's
 * compact, key-sorted, UTF-8 output, which equals Python's
 * json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
 * as long as there are no reals and no control characters other than
 * \t \n \r — so those are refused rather than left to chance.
 */
#include "custody_internal.h"
#include "wptext.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *wp_canonical_json(const json_t *value, char *err, size_t errlen)
{
	return wp_json_canonical(value, "body", err, errlen);
}

static json_t *actor_json(const struct wp_actor *a)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "fingerprint", a->fingerprint, "name", a->name,
			 "role", a->role, "title", a->title);
}

json_t *wp_event_canonical_object(const struct wp_event *ev)
{
	json_t *body = ev->body ? json_incref(ev->body) : json_object();
	json_t *o = json_pack("{s:o, s:s, s:o, s:s, s:I, s:s, s:i}", "actor", actor_json(&ev->actor),
			      "asset", ev->asset, "body", body, "kind", ev->kind,
			      "seq", (json_int_t)ev->seq, "time", ev->time, "v", 1);
	if (o && ev->witnessed)
		wp_json_set(o, "witness", actor_json(&ev->witness));
	return o;
}

/* SHA-256 fetched once for the process: EVP_sha256() in EVP_DigestInit_ex
 * looks the implementation up again on every call, which a verify of a
 * million events paid a million times (issue 18). Kept until exit. */
static EVP_MD *sha256;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void wp_event_hash_in(EVP_MD_CTX *ctx, const char *prev_hash_hex, const char *canonical,
		      size_t len, char out[WP_HASH_HEX])
{
	unsigned char md[32];
	unsigned n = 0;
	pthread_once(&sha256_once, sha256_fetch);
	int ok = ctx && EVP_DigestInit_ex(ctx, sha256 ? sha256 : EVP_sha256(), NULL) &&
		 EVP_DigestUpdate(ctx, prev_hash_hex, strlen(prev_hash_hex)) &&
		 EVP_DigestUpdate(ctx, canonical, len) && EVP_DigestFinal_ex(ctx, md, &n);
	if (!ok || n != 32) {
		/* an all-'x' hash never equals a stored one: fails safe */
		memset(out, 'x', 64);
		out[64] = '\0';
		return;
	}
	wp_hex_encode(md, sizeof(md), out);
}

void wp_event_hash(const char *prev_hash_hex, const char *canonical, char out[WP_HASH_HEX])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	wp_event_hash_in(ctx, prev_hash_hex, canonical, strlen(canonical), out);
	EVP_MD_CTX_free(ctx);
}

/* ---- the envelope written directly --------------------------------------
 * A verify of a million events built each event's object with jansson and
 * serialised it, body and all, only to hash it: a third of the walk's cost
 * (issue 18). The envelope's members are a fixed set of strings and one
 * integer, so it is written here, around the body's text, in exactly
 * jansson's compact sorted spelling — but only for strings that spelling
 * writes as they are, apart from escaping " and \ : printable ASCII and
 * well-formed UTF-8. A string with a control character or ill-formed
 * UTF-8 is left to the reference path (wp_event_canonical_object and
 * wp_canonical_json), which refuses or escapes it; tests/unit/test_custody.c
 * and the ledger fuzz target hold the two to the same bytes. */

static bool buf_room(struct wp_text_buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < b->len + more + 1)
		cap *= 2;
	char *grown = realloc(b->text, cap);
	if (!grown)
		return false;
	b->text = grown;
	b->cap = cap;
	return true;
}

static bool put(struct wp_text_buf *b, const char *s, size_t n)
{
	if (!buf_room(b, n))
		return false;
	memcpy(b->text + b->len, s, n);
	b->len += n;
	b->text[b->len] = '\0';
	return true;
}

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), 0 if there is none. */
static size_t utf8_sequence(const unsigned char *p)
{
	unsigned char c = p[0];
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 &&
		       (p[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

/* s as a JSON string; false when s holds what only the reference path may
 * judge (above), or out of memory. */
static bool put_string(struct wp_text_buf *b, const char *s)
{
	if (!put(b, "\"", 1))
		return false;
	const unsigned char *p = (const unsigned char *)s, *run = p;
	for (;;) {
		unsigned char c = *p;
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			p++;
			continue;
		}
		if (!put(b, (const char *)run, (size_t)(p - run)))
			return false;
		if (c == '\0')
			return put(b, "\"", 1);
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			if (!put(b, esc, 2))
				return false;
			run = ++p;
			continue;
		}
		size_t n = c >= 0x80 ? utf8_sequence(p) : 0;
		if (!n)
			return false;
		run = p;
		p += n;
	}
}

static bool put_actor(struct wp_text_buf *b, const char *key, const struct wp_actor *a)
{
	return put(b, key, strlen(key)) && put(b, "{\"fingerprint\":", 15) &&
	       put_string(b, a->fingerprint) && put(b, ",\"name\":", 8) && put_string(b, a->name) &&
	       put(b, ",\"role\":", 8) && put_string(b, a->role) && put(b, ",\"title\":", 9) &&
	       put_string(b, a->title) && put(b, "}", 1);
}

const char *wp_decimal(long long n, char buf[WP_DECIMAL_MAX])
{
	char *p = buf + WP_DECIMAL_MAX;
	unsigned long long u = n < 0 ? 0 - (unsigned long long)n : (unsigned long long)n;
	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (n < 0)
		*--p = '-';
	return p;
}

int wp_event_text(const struct wp_event *ev, const char *body_canonical, struct wp_text_buf *b)
{
	char digits[WP_DECIMAL_MAX];
	if (ev->seq > INT64_MAX)   /* the reference writes a json_int_t */
		return -1;
	const char *d = wp_decimal((long long)ev->seq, digits);
	b->len = 0;
	bool ok = put_actor(b, "{\"actor\":", &ev->actor) && put(b, ",\"asset\":", 9) &&
		  put_string(b, ev->asset) && put(b, ",\"body\":", 8) &&
		  put(b, body_canonical, strlen(body_canonical)) && put(b, ",\"kind\":", 8) &&
		  put_string(b, ev->kind) && put(b, ",\"seq\":", 7) &&
		  put(b, d, strlen(d)) && put(b, ",\"time\":", 8) &&
		  put_string(b, ev->time) &&
		  put(b, ",\"v\":1", 6) &&
		  (!ev->witnessed || put_actor(b, ",\"witness\":", &ev->witness)) && put(b, "}", 1);
	return ok ? 0 : -1;
}

json_t *wp_event_to_json(const struct wp_event *ev)
{
	json_t *o = wp_event_canonical_object(ev);
	if (o) {
		wp_json_set(o, "prev_hash", json_string(ev->prev_hash));
		wp_json_set(o, "hash", json_string(ev->hash));
		json_object_del(o, "v");
	}
	return o;
}

int wp_anchor_parse(const char *text, uint64_t *seq, char hash[WP_HASH_HEX])
{
	const char *at = strchr(text, '@');
	if (!at || at - text != 64 || at[1] == '\0')
		return -1;
	for (int i = 0; i < 64; i++)
		if (!strchr("0123456789abcdef", text[i]) || text[i] == '\0')
			return -1;
	char *end = NULL;
	unsigned long long v = strtoull(at + 1, &end, 10);
	if (*end != '\0' || v == 0 || at[1] == '-' || at[1] == '+')
		return -1;
	memcpy(hash, text, 64);
	hash[64] = '\0';
	*seq = v;
	return 0;
}

/* 32 lowercase hex digits: the one spelling of a ledger id. */
bool wp_ledger_id_valid(const char *id)
{
	if (!id || strlen(id) != WP_LEDGER_ID_HEX - 1)
		return false;
	for (; *id; id++)
		if (!strchr("0123456789abcdef", *id))
			return false;
	return true;
}
