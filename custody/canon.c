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

void wp_event_hash(const char *prev_hash_hex, const char *canonical, char out[WP_HASH_HEX])
{
	unsigned char md[32];
	unsigned n = 0;
	pthread_once(&sha256_once, sha256_fetch);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, sha256 ? sha256 : EVP_sha256(), NULL) &&
		 EVP_DigestUpdate(ctx, prev_hash_hex, strlen(prev_hash_hex)) &&
		 EVP_DigestUpdate(ctx, canonical, strlen(canonical)) &&
		 EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	if (!ok || n != 32) {
		/* an all-'x' hash never equals a stored one: fails safe */
		memset(out, 'x', 64);
		out[64] = '\0';
		return;
	}
	wp_hex_encode(md, sizeof(md), out);
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
