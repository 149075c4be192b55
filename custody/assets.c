/*
 * Asset states by tag: verification and export replay the whole ledger in
 * seq order and need every asset's state at each event. Open addressing,
 * FNV-1a, grown at 70 % load.
 */
#include "custody_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	struct wp_asset_state **slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i])
			continue;
		size_t j = tag_hash(m->slots[i]->asset) & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

struct wp_asset_state *wp_asset_map_get(struct wp_asset_map *m, const char *tag)
{
	if ((m->used + 1) * 10 > m->cap * 7 && map_grow(m) < 0)
		return NULL;
	size_t j = tag_hash(tag) & (m->cap - 1);
	for (; m->slots[j]; j = (j + 1) & (m->cap - 1))
		if (strcmp(m->slots[j]->asset, tag) == 0)
			return m->slots[j];
	struct wp_asset_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	snprintf(st->asset, sizeof(st->asset), "%s", tag);
	m->slots[j] = st;
	m->used++;
	return st;
}

void wp_asset_map_free(struct wp_asset_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i]);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->used = 0;
}
