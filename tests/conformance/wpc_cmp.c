/*
 * tests/conformance/wpc_cmp.c — compare the commands a reference tool sent
 * with the ones wipeproof sent (records of wpc_fake.c), and prove that the
 * comparison would catch any one-bit change. Tests only.
 *
 *   wpc_cmp REF WIPEPROOF [EDIT...]
 *   wpc_cmp --mutate REF WIPEPROOF [EDIT...]
 *
 * REF and WIPEPROOF hold the selected records, one per line, in order. Every
 * key of a record is compared except sel (derived from the bytes) and tmo
 * (how long the host waits: not sent to the device). An EDIT states a
 * difference that is legitimate, and is applied to every REF record before
 * comparing — so the field stays pinned to wipeproof's exact value:
 *   KEY=VALUE        the whole field (e.g. len=00000040)
 *   KEY[I]=HH        byte I of a hex field (e.g. cdb[13]=00)
 * run.sh gives each edit with the reason and the reference source it
 * comes from.
 *
 * --mutate flips, one at a time, every bit of every byte of every compared
 * field of every WIPEPROOF record (and changes dir), and fails unless each
 * single change makes the comparison fail.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECS 64
#define MAX_KEYS 24
#define LINE_MAX_LEN (2 * 65536 + 1024)

struct rec {
	int n;
	char *key[MAX_KEYS];
	char *val[MAX_KEYS];
};

static bool ignored(const char *key)
{
	return strcmp(key, "sel") == 0 || strcmp(key, "tmo") == 0;
}

static int load(const char *path, struct rec *recs)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(2);
	}
	static char line[LINE_MAX_LEN];
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		if (n == MAX_RECS) {
			fprintf(stderr, "%s: more than %d records\n", path, MAX_RECS);
			exit(2);
		}
		struct rec *r = &recs[n++];
		r->n = 0;
		char *save = NULL;
		char *tok = strtok_r(line, " \n", &save);
		/* the first token is the record kind */
		r->key[r->n] = strdup("kind");
		r->val[r->n++] = strdup(tok ? tok : "");
		while ((tok = strtok_r(NULL, " \n", &save)) && r->n < MAX_KEYS) {
			char *eq = strchr(tok, '=');
			if (!eq)
				continue;
			*eq = '\0';
			r->key[r->n] = strdup(tok);
			r->val[r->n++] = strdup(eq + 1);
		}
	}
	fclose(f);
	return n;
}

static char *field(struct rec *r, const char *key)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->key[i], key) == 0)
			return r->val[i];
	return NULL;
}

static void apply_edit(struct rec *r, const char *edit)
{
	char key[64];
	const char *eq = strchr(edit, '=');
	const char *br = strchr(edit, '[');
	if (!eq) {
		fprintf(stderr, "bad edit %s\n", edit);
		exit(2);
	}
	size_t klen = (size_t)((br && br < eq ? br : eq) - edit);
	snprintf(key, sizeof(key), "%.*s", (int)klen, edit);
	for (int i = 0; i < r->n; i++) {
		if (strcmp(r->key[i], key) != 0)
			continue;
		if (br && br < eq) {
			size_t at = 2 * strtoul(br + 1, NULL, 0);
			if (at + 2 > strlen(r->val[i]) || strlen(eq + 1) != 2) {
				fprintf(stderr, "edit %s out of range of %s\n", edit, r->val[i]);
				exit(2);
			}
			memcpy(r->val[i] + at, eq + 1, 2);
		} else {
			free(r->val[i]);
			r->val[i] = strdup(eq + 1);
		}
		return;
	}
	fprintf(stderr, "edit %s: no field %s\n", edit, key);
	exit(2);
}

/* 0 equal; otherwise 1, with the differences printed when loud */
static int compare(struct rec *ref, int nref, struct rec *wp, int nwp, bool loud)
{
	int bad = 0;
	if (nref != nwp) {
		if (loud)
			printf("  %d reference record(s), %d from wipeproof\n", nref, nwp);
		bad = 1;
	}
	for (int i = 0; i < nref && i < nwp; i++) {
		struct rec *a = &ref[i], *b = &wp[i];
		for (int k = 0; k < a->n; k++) {
			if (ignored(a->key[k]))
				continue;
			const char *v = field(b, a->key[k]);
			if (v && strcmp(v, a->val[k]) == 0)
				continue;
			bad = 1;
			if (!loud)
				return 1;
			printf("  record %d %s: reference %s\n  %*s wipeproof %s\n", i + 1, a->key[k],
			       a->val[k], (int)(strlen(a->key[k]) + 9 + (i >= 9)), "", v ? v : "(none)");
			if (v && strlen(v) == strlen(a->val[k]))
				for (size_t c = 0; c + 1 < strlen(v); c += 2)
					if (strncmp(v + c, a->val[k] + c, 2) != 0)
						printf("    byte %zu: reference %.2s, wipeproof %.2s\n", c / 2,
						       a->val[k] + c, v + c);
		}
		for (int k = 0; k < b->n; k++)
			if (!ignored(b->key[k]) && !field(a, b->key[k])) {
				bad = 1;
				if (loud)
					printf("  record %d: wipeproof has %s, the reference does not\n",
					       i + 1, b->key[k]);
			}
	}
	return bad;
}

static bool is_hex(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n % 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int mutate(struct rec *ref, int nref, struct rec *wp, int nwp)
{
	long tried = 0, survived = 0;
	for (int i = 0; i < nwp; i++)
		for (int k = 0; k < wp[i].n; k++) {
			char *v = wp[i].val[k];
			if (ignored(wp[i].key[k]))
				continue;
			if (!is_hex(v)) { /* dir, kind, an empty out: change the word */
				char *keep = v;
				wp[i].val[k] = "mutated";
				tried++;
				if (compare(ref, nref, wp, nwp, false) == 0) {
					survived++;
					printf("  survived: record %d %s changed\n", i + 1, wp[i].key[k]);
				}
				wp[i].val[k] = keep;
				continue;
			}
			for (size_t c = 0; v[c]; c += 2)
				for (int bit = 0; bit < 8; bit++) {
					char keep[3] = { v[c], v[c + 1], 0 };
					unsigned byte = (unsigned)strtoul(keep, NULL, 16) ^ (1u << bit);
					char flipped[3];
					snprintf(flipped, sizeof(flipped), "%02x", byte);
					v[c] = flipped[0], v[c + 1] = flipped[1];
					tried++;
					if (compare(ref, nref, wp, nwp, false) == 0) {
						survived++;
						printf("  survived: record %d %s byte %zu bit %d\n", i + 1,
						       wp[i].key[k], c / 2, bit);
					}
					v[c] = keep[0], v[c + 1] = keep[1];
				}
		}
	printf("  mutation: %ld one-bit changes of wipeproof's bytes, %ld caught, %ld survived\n",
	       tried, tried - survived, survived);
	return survived || tried == 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct rec ref[MAX_RECS], wp[MAX_RECS];
	bool do_mutate = argc > 1 && strcmp(argv[1], "--mutate") == 0;
	int a = do_mutate ? 2 : 1;
	if (argc < a + 2) {
		fprintf(stderr, "usage: wpc_cmp [--mutate] REF WIPEPROOF [EDIT...]\n");
		return 2;
	}
	int nref = load(argv[a], ref), nwp = load(argv[a + 1], wp);
	if (nref == 0) {
		printf("  the reference tool sent no such command: the test is wrong\n");
		return 2;
	}
	for (int i = 0; i < nref; i++)
		for (int e = a + 2; e < argc; e++)
			apply_edit(&ref[i], argv[e]);
	int bad = compare(ref, nref, wp, nwp, true);
	if (do_mutate) {
		if (bad) {
			printf("  the records differ already; nothing to mutate\n");
			return 1;
		}
		return mutate(ref, nref, wp, nwp);
	}
	return bad;
}
