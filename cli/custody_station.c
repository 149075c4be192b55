/*
 * wipeproof custody export --segment FILE, custody import FILE, custody
 * push --to DATABASE: a station's ledger carried to the organisation's
 * PostgreSQL ledger (custody/segment.c does the work; this file parses,
 * loads keys and prints).
 */
#include "custody_cli.h"
#include "i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(const struct wp_kopts *o, int rc, const char *err)
{
	fprintf(stderr, _("wipeproof: custody %s: %s\n"), o->sub, err);
	return wp_custody_exit(rc);
}

/* The station's own key: --as, else WIPEPROOF_AS. */
static int load_station(const struct wp_kopts *o, struct wp_identity **id, char *err,
			size_t errlen)
{
	const char *as = wp_cli_operator(o->as);
	if (!as || !as[0]) {
		snprintf(err, errlen, _("whose station is this? give --as STATION (the station's key, "
			 "'wipeproof keys issue --role station')"));
		return WP_CUSTODY_ERROR;
	}
	return wp_identity_load(wp_cli_keys(o->keys_dir), as, o->passphrase_file, id, err,
				errlen) < 0 ? WP_CUSTODY_ERROR : 0;
}

/* The station ledger as a segment (malloc'd). */
static int make_segment(const struct wp_kopts *o, char **text, char *err, size_t errlen)
{
	struct wp_identity *id = NULL;
	struct wp_ledger *l = NULL;
	int rc = load_station(o, &id, err, errlen);
	if (rc == 0 && wp_ledger_is_pg(wp_cli_ledger(o->ledger))) {
		snprintf(err, errlen, _("--ledger names a database: a segment is made from a station's "
			 "own ledger file"));
		rc = WP_CUSTODY_ERROR;
	}
	if (rc == 0)
		rc = wp_ledger_open_readonly(wp_cli_ledger(o->ledger), &l, err, errlen);
	if (rc == 0)
		rc = wp_segment_export(l, id, text, err, errlen);
	wp_ledger_close(l);
	wp_identity_free(id);
	return rc;
}

int wp_custody_segment_cmd(const struct wp_kopts *o)
{
	char err[1024] = "";
	char *text = NULL;
	if (o->format || o->owner || o->since || o->until || o->station || o->output) {
		fprintf(stderr, _("wipeproof: custody export --segment FILE takes no --format, "
				  "filters or --output: a segment is the station's whole chain\n"));
		return WP_EXIT_USAGE;
	}
	int rc = make_segment(o, &text, err, sizeof(err));
	if (rc < 0)
		return fail(o, rc, err);
	FILE *f = fopen(o->segment, "wx");
	if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0) {
		fprintf(stderr, _("wipeproof: custody export: cannot write %s: %s%s\n"), o->segment,
			strerror(errno), errno == EEXIST ? _(" (not overwriting it; remove it first)")
							 : "");
		free(text);
		return WP_EXIT_FAILED;
	}
	free(text);
	printf(_("segment written to %s: carry it to the central ledger and run 'wipeproof "
		 "custody import %s --ledger postgresql://...'\n"), o->segment, o->segment);
	return WP_EXIT_OK;
}

static void central_ca_path(const struct wp_kopts *o, char *path, size_t len)
{
	if (o->ca)
		snprintf(path, len, "%s", o->ca);
	else
		snprintf(path, len, "%s/ca.pem", wp_cli_keys(o->keys_dir));
}

static int import_text(const struct wp_kopts *o, const char *central, const char *text,
		       size_t len, X509 *ca)
{
	char err[1024] = "";
	struct wp_ledger *l = NULL;
	struct wp_import_result r;
	X509_CRL *crl = NULL;
	char used[4200];
	char ca_path[4200];
	central_ca_path(o, ca_path, sizeof(ca_path));
	/* the same revocation check as custody verify (message printed there) */
	if (wp_cli_crl_load(o, ca_path, ca, &crl, used, sizeof(used)) < 0)
		return WP_EXIT_FAILED;
	int rc = wp_ledger_open(central, &l, err, sizeof(err));
	if (rc == 0 && wp_ledger_set_crl(l, crl) < 0) {
		snprintf(err, sizeof(err), _("out of memory"));
		rc = WP_CUSTODY_ERROR;
	}
	if (rc == 0)
		rc = wp_segment_import(l, text, len, ca, &r, err, sizeof(err));
	X509_CRL_free(crl);
	wp_ledger_close(l);
	if (rc < 0)
		return fail(o, rc, err);
	if (o->json) {
		json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:b}", "ledger_id", r.ledger_id, "station",
				      r.station, "before", (json_int_t)r.before, "head",
				      (json_int_t)r.head, "unchanged", r.unchanged);
		json_dumpf(j, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(j);
	} else if (r.unchanged) {
		printf(_("station %s (ledger %s): already up to date at seq %llu; nothing imported\n"),
		       r.station, r.ledger_id, (unsigned long long)r.head);
	} else {
		printf(_("station %s (ledger %s): %llu new events imported, head seq %llu\n"),
		       r.station, r.ledger_id, (unsigned long long)(r.head - r.before),
		       (unsigned long long)r.head);
	}
	return WP_EXIT_OK;
}

static X509 *central_ca(const struct wp_kopts *o)
{
	char path[4200], err[1024];
	X509 *ca = NULL;
	central_ca_path(o, path, sizeof(path));
	if (wp_cert_load(path, &ca, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: custody %s: CA certificate: %s; give --ca FILE\n"), o->sub,
			err);
		return NULL;
	}
	return ca;
}

int wp_custody_import_cmd(const struct wp_kopts *o)
{
	if (!o->operand) {
		fprintf(stderr, _("wipeproof: custody import needs the segment FILE ('custody export "
				  "--segment FILE' on the station writes it)\n"));
		return WP_EXIT_USAGE;
	}
	FILE *f = fopen(o->operand, "r");
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	char buf[65536];
	if (!f) {
		fprintf(stderr, _("wipeproof: custody import: cannot read %s: %s\n"), o->operand,
			strerror(errno));
		return WP_EXIT_FAILED;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (len + n + 1 > cap) {
			cap = 2 * (len + n + 1);
			char *grown = realloc(text, cap);
			if (!grown)
				break;
			text = grown;
		}
		memcpy(text + len, buf, n);
		len += n;
	}
	fclose(f);
	X509 *ca = text ? central_ca(o) : NULL;
	int code = ca ? import_text(o, wp_cli_ledger(o->ledger), text, len, ca)
		      : WP_EXIT_FAILED;
	X509_free(ca);
	free(text);
	return code;
}

/* custody push --queue FILE [--to DATABASE]: the events a station queued
 * while the ledger server could not be reached (custody/segment.c). */
static int push_queue(const struct wp_kopts *o)
{
	char err[1400] = "";
	const char *central = o->to ? o->to : wp_cli_ledger(o->ledger);
	struct wp_ledger *q = NULL, *l = NULL;
	struct wp_import_result r;
	if (!wp_ledger_is_pg(central)) {
		fprintf(stderr, _("wipeproof: custody push --queue sends a station's queued events to "
				  "the organisation's PostgreSQL ledger: give --to postgresql://... (or "
				  "the ledger in the configuration)\n"));
		return WP_EXIT_USAGE;
	}
	if (wp_ledger_missing(o->queue)) {
		fprintf(stderr, _("wipeproof: custody push: no queue at %s: %s\n"), o->queue,
			strerror(wp_ledger_missing(o->queue)));
		return WP_EXIT_FAILED;
	}
	X509 *ca = central_ca(o);
	if (!ca)
		return WP_EXIT_FAILED;
	int rc = wp_ledger_open(o->queue, &q, err, sizeof(err));
	if (rc == 0)
		rc = wp_ledger_open(central, &l, err, sizeof(err));
	if (rc == 0)
		rc = wp_queue_push(q, l, ca, &r, err, sizeof(err));
	wp_ledger_close(l);
	wp_ledger_close(q);
	X509_free(ca);
	if (rc < 0)
		return fail(o, rc, err);
	if (o->json) {
		json_t *j = json_pack("{s:s, s:I, s:I, s:b}", "queue", o->queue, "before",
				      (json_int_t)r.before, "head", (json_int_t)r.head, "unchanged",
				      r.unchanged);
		json_dumpf(j, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(j);
	} else if (r.unchanged) {
		printf(_("queue %s: already up to date at seq %llu; nothing pushed\n"), o->queue,
		       (unsigned long long)r.head);
	} else {
		printf(_("queue %s: %llu queued events pushed to the online chain, head seq %llu\n"),
		       o->queue, (unsigned long long)(r.head - r.before), (unsigned long long)r.head);
	}
	return WP_EXIT_OK;
}

int wp_custody_push_cmd(const struct wp_kopts *o)
{
	char err[1024] = "";
	char *text = NULL;
	if (o->queue)
		return push_queue(o);
	if (!o->to || !wp_ledger_is_pg(o->to)) {
		fprintf(stderr, _("wipeproof: custody push needs --to postgresql://... (or "
				  "service=NAME): the organisation's ledger\n"));
		return WP_EXIT_USAGE;
	}
	int rc = make_segment(o, &text, err, sizeof(err));
	if (rc < 0)
		return fail(o, rc, err);
	X509 *ca = central_ca(o);
	int code = ca ? import_text(o, o->to, text, strlen(text), ca) : WP_EXIT_FAILED;
	X509_free(ca);
	free(text);
	return code;
}
