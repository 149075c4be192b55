/*
 * Export for the 台帳 (ledger book) and for other tools. The whole ledger is
 * replayed in seq order so that every row carries the asset's serial, owner
 * and approver as they stood at that event, and the owner filter applies to
 * whom the asset belonged to.
 *
 * CSV is what Japanese Excel opens without a wizard: UTF-8 with a BOM, CRLF,
 * RFC 4180 quoting. A text field starting with = + - @ gets a leading ' so a
 * spreadsheet shows it instead of evaluating it as a formula.
 */
#include "custody_internal.h"
#include "wpi18n.h"
#include "wptext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*export_row_fn)(const struct wp_event *ev, const struct wp_asset_state *st,
			      const char *ledger_id, void *ctx);

struct exporter {
	const struct wp_export_filter *filter;
	export_row_fn row;
	void *ctx;
	char ledger_id[WP_LEDGER_ID_HEX];
	struct wp_ledger *l;         /* l->chain: the chain being replayed */
	json_t *stations;            /* chain -> station name (PostgreSQL) */
};

static const char *station_of(const struct exporter *x)
{
	const char *s = json_string_value(json_object_get(x->stations, x->l->chain));
	return x->l->chain[0] ? s ? s : "" : "online";
}

static bool wanted(const struct exporter *x, const struct wp_event *ev,
		   const struct wp_asset_state *st)
{
	const struct wp_export_filter *f = x->filter;
	if (f && f->owner && strcmp(st->owner, f->owner) != 0)
		return false;
	if (f && f->since && strncmp(ev->time, f->since, strlen(f->since)) < 0)
		return false;
	if (f && f->until && strncmp(ev->time, f->until, strlen(f->until)) > 0)
		return false;
	if (f && f->station && strcmp(station_of(x), f->station) != 0)
		return false;
	return true;
}

static int station_name(const char *chain, size_t clen, const char *name, size_t nlen, void *ctx)
{
	(void)clen;
	(void)nlen;
	return json_object_set_new(ctx, chain, json_string(name)) == 0 ? 0 : WP_CUSTODY_ERROR;
}

static bool is_date(const char *d)
{
	return strlen(d) == 10 && d[4] == '-' && d[7] == '-';
}

/* st: the asset as it stood after ev, from the verified pass */
static int export_one(const struct wp_event *ev, const struct wp_asset_state *st, void *ctx)
{
	struct exporter *x = ctx;
	if (!st)
		return WP_CUSTODY_ERROR;
	if (ev->seq == 1) {
		const char *id = json_string_value(json_object_get(ev->body, WP_LEDGER_ID_KEY));
		snprintf(x->ledger_id, sizeof(x->ledger_id), "%s", wp_ledger_id_valid(id) ? id : "");
	}
	if (wanted(x, ev, st))
		x->row(ev, st, x->ledger_id, x->ctx);
	return 0;
}

/* One verified pass (verify.c): an export holds only what verifies. */
static int run(struct wp_ledger *l, const struct wp_export_filter *filter, export_row_fn row,
	       void *ctx, char *ledger_id, char *err, size_t errlen)
{
	if (filter && filter->since && !is_date(filter->since)) {
		snprintf(err, errlen, _("--since '%s' is not a date YYYY-MM-DD"), filter->since);
		return WP_CUSTODY_ERROR;
	}
	if (filter && filter->until && !is_date(filter->until)) {
		snprintf(err, errlen, _("--until '%s' is not a date YYYY-MM-DD"), filter->until);
		return WP_CUSTODY_ERROR;
	}
	if (!l->ca) {
		snprintf(err, errlen, _("ledger %s: no CA certificate to verify it against"), l->path);
		return WP_CUSTODY_ERROR;
	}
	struct exporter x = { .filter = filter, .row = row, .ctx = ctx, .l = l,
			      .stations = json_object() };
	struct wp_custody_report *rep = malloc(sizeof(*rep));
	int rc = rep && x.stations ? 0 : WP_CUSTODY_ERROR;
	if (rc == 0 && l->ops->chain_names)
		rc = l->ops->chain_names(l, station_name, x.stations, err, errlen);
	if (rc == 0)
		rc = wp_custody_replay(l, l->ca, NULL, NULL, export_one, &x, rep, err, errlen);
	json_decref(x.stations);
	if (!rep)
		snprintf(err, errlen, _("out of memory exporting the ledger"));
	if (ledger_id)
		snprintf(ledger_id, WP_LEDGER_ID_HEX, "%s", rep ? rep->ledger_id : "");
	free(rep);
	return rc;
}

/* ---- CSV ----------------------------------------------------------------- */

static void csv_field(FILE *out, const char *s, bool text, bool last)
{
	bool formula = text && s[0] && strchr("=+-@", s[0]);
	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputs(last ? "\"\r\n" : "\",", out);
}

static const char *body_text(const struct wp_event *ev, const char *key)
{
	const json_t *v = json_object_get(ev->body, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* The one word a reader of the 台帳 wants in the result column. */
static const char *result_of(const struct wp_event *ev)
{
	const char *k = ev->kind;
	if (strcmp(k, WP_EV_WIPE_END) == 0)
		return body_text(ev, "result");
	if (strcmp(k, WP_EV_VERIFIED) == 0)
		return body_text(ev, "mode");
	if (strcmp(k, WP_EV_WIPE_RESUME) == 0)
		return "resumed";
	if (strcmp(k, WP_EV_RELEASE) == 0)
		return body_text(ev, "to");
	if (strcmp(k, WP_EV_DESTROYED) == 0 || strcmp(k, WP_EV_VENDOR_DESTROYED) == 0)
		return body_text(ev, "method");
	if (strcmp(k, WP_EV_ERASURE_ATTESTED) == 0)
		return body_text(ev, "category");
	if (strcmp(k, WP_EV_TRANSFER) == 0)
		return body_text(ev, "vendor");
	if (strcmp(k, WP_EV_INTAKE) == 0 || strcmp(k, WP_EV_REQUEST) == 0)
		return body_text(ev, "reason");
	if (strcmp(k, WP_EV_POLICY) == 0)
		return wp_policy_approval(ev) ? "approval required" : "approval not required";
	/* issue 17 items 5-9: the asset's life */
	if (strcmp(k, WP_EV_TAKE_OUT) == 0)
		return body_text(ev, "destination");
	if (strcmp(k, WP_EV_BLANKED) == 0)
		return body_text(ev, "method");
	return "";
}

static void csv_row(const struct wp_event *ev, const struct wp_asset_state *st,
		    const char *ledger_id, void *ctx)
{
	FILE *out = ctx;
	char date[WP_TIME_MAX], seq[24];
	snprintf(date, sizeof(date), "%.10s %.8s", ev->time, ev->time + 11);
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)ev->seq);
	char *details = ev->body ? json_dumps(ev->body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	csv_field(out, date, false, false);
	csv_field(out, ev->actor.name, true, false);
	csv_field(out, ev->actor.title, true, false);
	csv_field(out, ev->asset, true, false);
	csv_field(out, st->serial, true, false);
	csv_field(out, st->model, true, false);
	csv_field(out, st->owner, true, false);
	csv_field(out, ev->kind, true, false);
	csv_field(out, result_of(ev), true, false);
	csv_field(out, st->approved ? st->approver.name : "", true, false);
	csv_field(out, ev->witnessed ? ev->witness.name : "", true, false);
	csv_field(out, details ? details : "", true, false);
	csv_field(out, seq, false, false);
	csv_field(out, ev->hash, false, false);
	csv_field(out, ledger_id, false, true);
	free(details);
}

static const char csv_header[] =
	"\xEF\xBB\xBF" /* UTF-8 BOM: Excel then reads the file as UTF-8 */
	"日時(UTC) date,実施者 operator,役職 title,資産番号 asset,シリアル番号 serial,"
	"機種 model,所有者 owner,事象 event,結果 result,承認者 approver,立会人 witness,"
	"詳細 details,seq,hash,台帳ID ledger id\r\n";

int wp_custody_export_csv(struct wp_ledger *ledger, const struct wp_export_filter *filter,
			  FILE *out, char *err, size_t errlen)
{
	/* into memory first: a ledger that stops verifying half-way must not
	 * leave half an export behind */
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem) {
		snprintf(err, errlen, _("out of memory exporting the ledger"));
		return WP_CUSTODY_ERROR;
	}
	fputs(csv_header, mem);
	int rc = run(ledger, filter, csv_row, mem, NULL, err, errlen);
	if (fclose(mem) != 0 && rc == 0) {
		snprintf(err, errlen, _("out of memory exporting the ledger"));
		rc = WP_CUSTODY_ERROR;
	}
	if (rc == 0 && (fwrite(buf, 1, len, out) != len || fflush(out) != 0 || ferror(out))) {
		snprintf(err, errlen, _("cannot write the CSV export"));
		rc = WP_CUSTODY_ERROR;
	}
	free(buf);
	return rc;
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_row(const struct wp_event *ev, const struct wp_asset_state *st,
		     const char *ledger_id, void *ctx)
{
	(void)ledger_id;
	json_t *o = wp_event_to_json(ev);
	if (!o)
		return;
	wp_json_set(o, "serial", json_string(st->serial));
	wp_json_set(o, "owner", json_string(st->owner));
	wp_json_append(ctx, o);
}

int wp_custody_export_json(struct wp_ledger *ledger, const struct wp_export_filter *filter,
			   json_t **out, char *err, size_t errlen)
{
	json_t *events = json_array();
	char id[WP_LEDGER_ID_HEX];
	int rc = run(ledger, filter, json_row, events, id, err, errlen);
	if (rc != 0) {
		json_decref(events);
		return rc;
	}
	/* null: a ledger from before ledger ids */
	*out = json_pack("{s:o?, s:o}", "ledger_id", id[0] ? json_string(id) : NULL, "events",
			 events);
	return 0;
}
