/*
 * Asset states by tag: verification and export replay the whole ledger in
 * seq order and need every asset's state at each event. Open addressing,
 * FNV-1a, grown at 70 % load.
 *
 * A struct wp_asset_state is 4.4 KiB of fixed-size strings, nearly all
 * zero bytes: kept as it is, 100,000 assets took 440 MB (issue 18). The map
 * keeps each state packed instead — its exact bytes with every run of zero
 * bytes written as a 0 and the run's length — and the verifier unpacks the
 * one asset an event touches into a full struct, checks and applies the
 * rules on it as before, and packs it back. The round trip is byte for
 * byte, so the rules (rules.c) see exactly the struct they always saw, and
 * fields added to the struct later are packed without anything to update
 * here. A typical state packs to a few hundred bytes.
 */
#include "custody_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One asset: its tag (NUL-terminated), then n packed bytes. */
struct packed {
	uint32_t n;
	char data[];
};

static size_t tag_hash(const char *s)
{
	size_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int map_grow(struct wp_asset_map *m)
{
	size_t cap = m->cap ? 2 * m->cap : 64;
	struct packed **slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i])
			continue;
		size_t j = tag_hash(m->slots[i]->data) & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

/* The slot of tag: the entry, or the empty slot it goes into. */
static struct packed **slot_of(struct wp_asset_map *m, const char *tag)
{
	if ((m->used + 1) * 10 > m->cap * 7 && map_grow(m) < 0)
		return NULL;
	size_t j = tag_hash(tag) & (m->cap - 1);
	for (; m->slots[j]; j = (j + 1) & (m->cap - 1))
		if (strcmp(m->slots[j]->data, tag) == 0)
			break;
	return &m->slots[j];
}

/* Bytes as they are, a run of zero bytes as 0 and its length (7 bits a
 * byte, low first). At most 3 bytes out per 2 in (a lone zero: 0, 1). */
static size_t pack(const unsigned char *in, size_t len, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		if (in[i]) {
			out[o++] = in[i++];
			continue;
		}
		size_t start = i;
		/* most of a state is zero: skip it a word at a time */
		while (i + 8 <= len) {
			uint64_t w;
			memcpy(&w, in + i, 8);
			if (w)
				break;
			i += 8;
		}
		while (i < len && !in[i])
			i++;
		size_t run = i - start;
		out[o++] = 0;
		for (; run >= 0x80; run >>= 7)
			out[o++] = (unsigned char)(run | 0x80);
		out[o++] = (unsigned char)run;
	}
	return o;
}

/* -1 when the bytes do not fill exactly len (a bug, never data). */
static int unpack(const unsigned char *in, size_t n, unsigned char *out, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		if (in[i]) {
			if (o >= len)
				return -1;
			out[o++] = in[i++];
			continue;
		}
		size_t run = 0;
		unsigned shift = 0;
		for (i++; i < n && (in[i] & 0x80); i++, shift += 7)
			run |= (size_t)(in[i] & 0x7f) << shift;
		if (i >= n)
			return -1;
		run |= (size_t)in[i++] << shift;
		if (run > len - o)
			return -1;
		memset(out + o, 0, run);
		o += run;
	}
	return o == len ? 0 : -1;
}

int wp_asset_map_load(struct wp_asset_map *m, const char *tag, struct wp_asset_state *out)
{
	struct packed **s = slot_of(m, tag);
	if (!s)
		return -1;
	if (!*s) {
		/* an asset not seen yet: the state a new one starts from */
		memset(out, 0, sizeof(*out));
		snprintf(out->asset, sizeof(out->asset), "%s", tag);
		return 0;
	}
	size_t taglen = strlen((*s)->data) + 1;
	return unpack((const unsigned char *)(*s)->data + taglen, (*s)->n, (unsigned char *)out,
		      sizeof(*out));
}

int wp_asset_map_store(struct wp_asset_map *m, const char *tag, const struct wp_asset_state *st)
{
	unsigned char buf[sizeof(*st) / 2 * 3 + 8];
	size_t n = pack((const unsigned char *)st, sizeof(*st), buf), taglen = strlen(tag) + 1;
	struct packed **s = slot_of(m, tag);
	if (!s)
		return -1;
	struct packed *p = *s;
	if (!p || p->n != n) {
		p = realloc(p, sizeof(*p) + taglen + n);
		if (!p)
			return -1;
		if (!*s) {
			memcpy(p->data, tag, taglen);
			m->used++;
		}
		p->n = (uint32_t)n;
		*s = p;
	}
	memcpy(p->data + taglen, buf, n);
	return 0;
}

size_t wp_asset_map_bytes(const struct wp_asset_map *m)
{
	size_t bytes = m->cap * sizeof(*m->slots);
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i])
			bytes += sizeof(*m->slots[i]) + strlen(m->slots[i]->data) + 1 +
				 m->slots[i]->n;
	return bytes;
}

void wp_asset_map_free(struct wp_asset_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i]);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->used = 0;
}
