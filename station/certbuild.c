/*
 * The certificate document, built from what the ledger and the job report
 * say (certs/README.md lists the members and where each comes from). Only
 * integers and strings: real numbers (seconds, percentages) become whole
 * units (duration_s, throughput_bytes_per_s, coverage_permille) or a
 * decimal string (coverage_percent), so the canonical form is unique.
 */
#include "station.h"
#include "firmware.h"
#include "wptext.h"

#include <string.h>

static void utc(time_t t, char *buf, size_t len)
{
	if (t == 0 || wp_utc_format(t, buf, len) < 0)
		snprintf(buf, len, "unknown");
}

/*
 * The planner's category when the job report carries one (firmware
 * methods reach Purge). A report from before the category was recorded
 * gets the planner's answer for its method on its medium, so the
 * certificate never says more than the planner would (one pass on a USB
 * stick reaches no category at all: SP 800-88 Rev.1 Table A-8 asks for a
 * pattern and its complement).
 */
const char *wp_cert_nist_category(const struct wp_job *job, const char **note)
{
	if (job->nist_category[0]) {
		*note = job->plan_reason[0] ? job->plan_reason : NULL;
		return job->nist_category;
	}
	enum wp_nist n = wp_method_nist_why(wp_method_find(job->method),
					    wp_media_parse(job->device.kind), note);
	return n == WP_NIST_NONE ? "none" : wp_nist_name(n);
}

static const char *media_type(const char *kind)
{
	static const struct { const char *kind, *text; } types[] = {
		{ "hdd", "magnetic disk (HDD)" }, { "ssd", "flash (SSD)" },
		{ "nvme", "flash (NVMe SSD)" }, { "usb", "flash (USB removable)" },
		{ "mmc", "flash (SD/MMC card)" }, { "loop", "virtual (file-backed loop device)" },
		{ "virtual", "virtual disk" },
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(kind, types[i].kind) == 0)
			return types[i].text;
	return kind[0] ? kind : "unknown";
}

/* The maker the ledger recorded at intake: from a standard field of the
 * disk (SCSI vendor, the WWN's OUI, the PCI vendor id) or from its label
 * (R21). The model's first word is no maker ("SSD 870 EVO", "QEMU
 * HARDDISK", "Loop device"), so without a record it is "unknown" (the
 * model is on the line beside it). */
static void manufacturer(const struct wp_asset_state *st, char *out, size_t len)
{
	if (st->maker[0])
		snprintf(out, len, "%s", st->maker);
	else
		snprintf(out, len, "unknown");
}

/* A disc says what it is: "optical (CD-R)" (R12). */
static const char *media_type_of(const struct wp_asset_state *st, const char *kind, char *buf,
				 size_t len)
{
	if (!st->media[0])
		return media_type(kind[0] ? kind : st->kind);
	snprintf(buf, len, "optical (%s)", st->media);
	return buf;
}

static const char *destination(const char *reason)
{
	if (strcmp(reason, "lease-end") == 0)
		return "lease-return (返却)";
	if (strcmp(reason, "reuse") == 0 || strcmp(reason, "leaver-return") == 0)
		return "reuse (再利用)";
	if (strcmp(reason, "repair") == 0)
		return "repair (修理)";
	if (strcmp(reason, "disposal") == 0)
		return "dispose (廃棄)";
	return "not yet decided (see the ledger's release event)";
}

static json_t *person(const char *name, const char *title, const char *role, const char *fpr)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "name", name, "title", title, "fingerprint", fpr);
	if (o && role)
		wp_json_set(o, "role", json_string(role));
	return o;
}

static json_t *actor(const struct wp_actor *a, const char *date, const struct wp_cert_inputs *in)
{
	json_t *o = person(a->name, a->title, a->role, a->fingerprint);
	if (o) {
		wp_json_set(o, "date", json_string(date));
		wp_json_set(o, "location", json_string(in->location));
		wp_json_set(o, "contact", json_string(in->contact));
	}
	return o;
}

static json_t *media(const struct wp_cert_inputs *in)
{
	const struct wp_asset_state *st = in->state;
	const struct wp_job_device *d = in->job ? &in->job->device : NULL;
	const char *model = d && d->model[0] ? d->model : st->model[0] ? st->model : "unknown";
	char maker[WP_NAME_MAX], source[WP_NAME_MAX + 16], type[64];
	manufacturer(st, maker, sizeof(maker));
	snprintf(source, sizeof(source), "%s", st->owner[0] ? st->owner : st->asset);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "manufacturer", maker, "model", model,
			      "serial", d && d->serial[0] ? d->serial : st->serial,
			      "property_number", st->asset,
			      "media_type", media_type_of(st, d ? d->kind : "", type, sizeof(type)),
			      "media_source", source);
	if (o && d) {
		wp_json_set(o, "size_bytes", json_integer((json_int_t)d->size_bytes));
		wp_json_set(o, "transport", json_string(d->transport));
	}
	return o;
}

static void pass_details(const struct wp_job *job, char *out, size_t len)
{
	int n = snprintf(out, len, "%zu pass%s over %s (", job->npasses,
			 job->npasses == 1 ? "" : "es",
			 job->scope.kind[0] ? "the filesystem's free space, in files" : "the whole device");
	for (size_t i = 0; i < job->npasses && n > 0 && (size_t)n < len; i++)
		n += snprintf(out + n, len - (size_t)n, "%s%s", i ? ", " : "",
			      job->passes[i].spec.pattern == WP_PATTERN_RANDOM
				      ? "AES-256-CTR keystream" : wp_pattern_name(job->passes[i].spec.pattern));
	if (n > 0 && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, "), O_DIRECT writes, flushed after every pass");
}

static json_t *wipe_sanitization(const struct wp_cert_inputs *in)
{
	const struct wp_job *job = in->job;
	const struct wp_method *m = wp_method_find(job->method);
	const char *note = NULL, *cat = wp_cert_nist_category(job, &note);
	char start[WP_TIME_MAX], end[WP_TIME_MAX], details[512], desc[512];
	uint64_t written = 0;
	double secs = 0;
	for (size_t i = 0; i < job->npasses; i++) {
		written += job->passes[i].bytes_written;
		secs += job->passes[i].seconds;
	}
	utc(job->started, start, sizeof(start));
	utc(job->ended, end, sizeof(end));
	if (job->firmware.used)
		snprintf(details, sizeof(details), "%s (the drive's own sanitize command); the "
			 "device answered: %s", job->firmware.command, job->firmware.status);
	else
		pass_details(job, details, sizeof(details));
	snprintf(desc, sizeof(desc), "%s: %s", cat, job->scope.kind[0]
		 ? "the free space of the filesystem only, overwritten and read back; live files "
		   "untouched (空き領域のみ上書き消去・読み戻し検証、既存ファイルは対象外)"
		 : job->firmware.used
		 ? "firmware sanitize of the whole medium, checked afterwards (ファームウェア消去・検証)"
		 : "every block of the device overwritten and read back (上書き消去・読み戻し検証)");
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, "
			      "s:s, s:s}", "category", cat, "description", desc,
			      "method", job->method, "method_details", details,
			      "tool", "wipeproof", "tool_version", job->tool_version,
			      "started_utc", start, "ended_utc", end, "job_id", job->id,
			      "passes", (json_int_t)job->npasses, "bytes_written", (json_int_t)written,
			      "duration_s", (json_int_t)(secs + 0.5),
			      "throughput_bytes_per_s", (json_int_t)(secs > 0 ? (double)written / secs : 0),
			      "report", in->report_path, "report_sha256", in->report_sha256);
	/* the build that wiped: its commit and executable hash (reports from
	 * before builds were named have neither, and the certificate says so by
	 * leaving them out) */
	if (o && job->tool_commit[0])
		wp_json_set(o, "tool_commit", json_string(job->tool_commit));
	if (o && job->tool_sha256[0])
		wp_json_set(o, "tool_sha256", json_string(job->tool_sha256));
	if (o && note)
		wp_json_set(o, "note", json_string(note));
	if (o && m)
		wp_json_set(o, "method_description", json_string(m->description));
	return o;
}

static json_t *wipe_verification(const struct wp_job *job)
{
	const struct wp_verify_record *v = &job->verify;
	char pct[16];
	snprintf(pct, sizeof(pct), "%.1f", v->coverage_percent);
	const char *how = job->scope.kind[0]
				  ? "every fill file read back in full, compared with the pass"
				  : v->mode == WP_VERIFY_FULL
				  ? "full read-back of every block, compared with the final pass"
				  : "sampled read-back (seeded strata incl. first and last MiB), compared "
				    "with the final pass";
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:I}", "method", how,
			      "mode", wp_verify_mode_name(v->mode), "bytes_checked",
			      (json_int_t)v->bytes_checked, "coverage_permille",
			      (json_int_t)(v->coverage_percent * 10 + 0.5), "coverage_percent", pct,
			      "mismatched_blocks", (json_int_t)v->mismatched_blocks);
	const struct wp_fingerprint_record *f = &job->fingerprint;
	char text[256];
	if (o && f->done) {
		snprintf(text, sizeof(text), "%llu sampled blocks fingerprinted before and after the "
			 "firmware erase: %llu changed, %llu already held the expected content, %llu "
			 "unchanged", (unsigned long long)f->blocks, (unsigned long long)f->changed,
			 (unsigned long long)f->already_expected, (unsigned long long)f->unchanged);
		wp_json_set(o, "fingerprint", json_string(text));
	}
	return o;
}

static const char *body_str(const json_t *body, const char *key)
{
	const char *s = json_string_value(json_object_get(body, key));
	return s ? s : "";
}

static json_t *destroy_sanitization(const struct wp_cert_inputs *in)
{
	const struct wp_event *ev = in->destroyed;
	char details[512];
	snprintf(details, sizeof(details), "physical destruction: %s, witnessed by %s%s%s",
		 body_str(ev->body, "method"), ev->witness.name,
		 body_str(ev->body, "photo_sha256")[0] ? "; photo SHA-256 " : "",
		 body_str(ev->body, "photo_sha256"));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "category", "Destroy",
			 "description", "Destroy: the medium was physically destroyed (物理破壊)",
			 "method", body_str(ev->body, "method"), "method_details", details,
			 "tool", "wipeproof", "tool_version", WP_VERSION, "started_utc", ev->time,
			 "ended_utc", ev->time);
}

static int add_people(json_t *doc, const struct wp_cert_inputs *in)
{
	const struct wp_asset_state *st = in->state;
	char date[WP_TIME_MAX];
	int rc = 0;
	if (in->job) {
		const struct wp_person *p = in->issuer;
		struct wp_actor me = { 0 };
		snprintf(me.name, sizeof(me.name), "%s", p->name);
		snprintf(me.title, sizeof(me.title), "%s", p->title);
		snprintf(me.role, sizeof(me.role), "%s", wp_role_name(p->role));
		snprintf(me.fingerprint, sizeof(me.fingerprint), "%s", p->fingerprint);
		utc(in->job->ended, date, sizeof(date));
		/* the tool's read-back was run by the same operator */
		rc |= wp_json_set(doc, "sanitized_by", actor(&me, date, in));
		rc |= wp_json_set(doc, "verified_by", actor(&me, date, in));
	} else {
		rc |= wp_json_set(doc, "sanitized_by", actor(&in->destroyed->actor,
								      in->destroyed->time, in));
		rc |= wp_json_set(doc, "verified_by", actor(&in->destroyed->witness,
								     in->destroyed->time, in));
	}
	if (st->requested)
		rc |= wp_json_set(doc, "requester", person(st->requester.name, st->requester.title,
								    NULL, st->requester.fingerprint));
	if (st->approved)
		rc |= wp_json_set(doc, "approver", person(st->approver.name, st->approver.title,
								   NULL, st->approver.fingerprint));
	return rc;
}

static json_t *asset(const struct wp_asset_state *st)
{
	json_t *o = json_pack("{s:s}", "tag", st->asset);
	if (o && st->owner[0])
		wp_json_set(o, "owner", json_string(st->owner));
	if (o && st->lease_contract[0])
		wp_json_set(o, "lease_contract", json_string(st->lease_contract));
	if (o && st->lease_end[0])
		wp_json_set(o, "lease_end", json_string(st->lease_end));
	/* the PC the disk was in: a lease contract lists PCs by serial */
	if (o && st->pc_serial[0]) {
		json_t *pc = json_pack("{s:s}", "serial", st->pc_serial);
		if (pc && st->pc_manufacturer[0])
			wp_json_set(pc, "manufacturer", json_string(st->pc_manufacturer));
		if (pc && st->pc_model[0])
			wp_json_set(pc, "model", json_string(st->pc_model));
		wp_json_set(o, "computer", pc);
	}
	return o;
}

/* What a free-space certificate covers, in words and figures. */
static json_t *scope(const struct wp_scope_record *sc)
{
	char text[2048];
	snprintf(text, sizeof(text), "free space of %s on %s (mounted at %s); live files and the "
		 "rest of the disk are not covered (%s の空き領域のみ)", sc->fstype, sc->source,
		 sc->mountpoint, sc->source);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "kind",
			      WP_CERT_SCOPE_FREE_SPACE, "description", text, "filesystem", sc->fstype,
			      "mountpoint", sc->mountpoint, "device", sc->source,
			      "free_bytes", (json_int_t)sc->free_bytes,
			      "filesystem_bytes", (json_int_t)sc->fs_bytes);
	/* what the fill did not reach, and how that was measured */
	if (o && sc->has_unreached) {
		json_object_set_new(o, "unreached_bytes", json_integer((json_int_t)sc->unreached_bytes));
		json_object_set_new(o, "unreached_measured_by", json_string(sc->unreached_source));
	}
	if (o && sc->reserve[0])
		json_object_set_new(o, "reserve_lowered", json_pack(
			"{s:s, s:I}", "pool", sc->reserve, "bytes", (json_int_t)sc->reserve_bytes));
	return o;
}

static const char *result_of(const struct wp_cert_inputs *in)
{
	if (!in->job)
		return "destroyed";
	if (!in->job->scope.kind[0])
		return "sanitized";
	return in->job->result == WP_RESULT_PARTIAL ? WP_CERT_RESULT_FREE_SPACE_PARTIAL
						    : WP_CERT_RESULT_FREE_SPACE;
}

json_t *wp_cert_build(const struct wp_cert_inputs *in)
{
	const struct wp_person *p = in->issuer;
	char issued[WP_TIME_MAX];
	utc(in->issued, issued, sizeof(issued));
	json_t *doc = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:{s:I, s:s}}",
				"format", WP_CERT_FORMAT, "format_version", 1,
				"certificate_id", in->id, "issued_utc", issued,
				"result", result_of(in),
				"destination", destination(in->state->reason),
				"organisation", p->org,
				"issued_by", person(p->name, p->title, wp_role_name(p->role), p->fingerprint),
				"asset", asset(in->state), "media", media(in),
				"ledger", "seq", (json_int_t)in->head_seq, "head_hash", in->head_hash);
	if (!doc)
		return NULL;
	/* which ledger: a certificate cannot be matched against another one */
	int rc = 0;
	if (in->ledger_id && in->ledger_id[0])
		rc |= wp_json_set(json_object_get(doc, "ledger"), "id", json_string(in->ledger_id));
	rc |= wp_json_set(doc, "sanitization", in->job ? wipe_sanitization(in)
								    : destroy_sanitization(in));
	rc |= wp_json_set(doc, "verification", in->job ? wipe_verification(in->job)
				  : json_pack("{s:s, s:s}", "method", "destruction witnessed and "
					      "co-signed in the custody ledger by a second person",
					      "mode", "witnessed"));
	rc |= add_people(doc, in);
	/* who must sign: a validator besides the issuer, or why one is enough */
	rc |= wp_json_set(doc, "signing", in->single_signature
		? json_pack("{s:s, s:s}", "policy", WP_SIGNING_SINGLE, "reason", in->single_signature)
		: json_pack("{s:s, s:s}", "policy", WP_SIGNING_TWO_PERSON, "validator",
			    "an approver or witness other than the issuer, in " WP_VALIDATOR_SIG_NAME));
	if (in->job && in->job->scope.kind[0])
		rc |= wp_json_set(doc, "scope", scope(&in->job->scope));
	/* issue 17: classes, approval date, vendor, attested erasure */
	struct wp_cert_model model = { in->state, in->job ? NULL : in->destroyed, in->wipe_cert };
	rc |= wp_station_cert_model(doc, &model);
	if (rc != 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
