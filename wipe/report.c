/*
 * The job report: what was done to which device, with enough detail (pass
 * keys, sizes) to re-verify the device later. JSON through jansson; loading
 * is strict and names the first field that is missing or malformed, because
 * a report is also read back from files a person may have edited.
 */
#include "wipe.h"
#include "wptext.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define REPORT_FORMAT "wipeproof-job-report"
#define REPORT_VERSION 1

static const char *const result_names[] = {
	[WP_RESULT_SANITIZED] = "sanitized",
	[WP_RESULT_FAILED] = "failed",
	[WP_RESULT_INTERRUPTED] = "interrupted",
	[WP_RESULT_UNVERIFIED] = "unverified",
	[WP_RESULT_PARTIAL] = "partial",
};

static const char *const verify_names[] = {
	[WP_VERIFY_OFF] = "off",
	[WP_VERIFY_SAMPLE] = "sample",
	[WP_VERIFY_FULL] = "full",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int lookup(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *wp_result_name(enum wp_result r)
{
	return (size_t)r < NELEM(result_names) ? result_names[r] : "unknown";
}

const char *wp_verify_mode_name(enum wp_verify_mode m)
{
	return (size_t)m < NELEM(verify_names) ? verify_names[m] : "unknown";
}

int wp_verify_mode_parse(const char *name, enum wp_verify_mode *out)
{
	int i = lookup(verify_names, NELEM(verify_names), name);
	if (i < 0)
		return -1;
	*out = (enum wp_verify_mode)i;
	return 0;
}

int wp_uuid_new(char *out, size_t len, char *err, size_t errlen)
{
	uint8_t b[16];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		snprintf(err, errlen, "getrandom failed: %s", strerror(errno));
		return -1;
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, len,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

int wp_job_init(struct wp_job *job, char *err, size_t errlen)
{
	memset(job, 0, sizeof(*job));
	if (wp_uuid_new(job->id, sizeof(job->id), err, errlen) < 0)
		return -1;
	job->started = time(NULL);
	struct wp_build build;
	if (wp_build_identity(&build, err, errlen) < 0)
		return -1;
	snprintf(job->tool_version, sizeof(job->tool_version), "%s", build.version);
	snprintf(job->tool_commit, sizeof(job->tool_commit), "%s", build.commit);
	memcpy(job->tool_sha256, build.exe_sha256, sizeof(job->tool_sha256));
	if (gethostname(job->host, sizeof(job->host) - 1) < 0)
		snprintf(job->host, sizeof(job->host), "unknown");
	return 0;
}

const struct wp_pass_spec *wp_job_final_pass(const struct wp_job *job)
{
	if (job->npasses == 0 || job->npasses > WP_MAX_PASSES)
		return NULL;
	return &job->passes[job->npasses - 1].spec;
}

/* ---- serialisation ----------------------------------------------------- */

/* 0: the job never started (or ended), "" in the report */
static void format_utc(time_t t, char *buf, size_t len)
{
	if (t == 0 || wp_utc_format(t, buf, len) < 0)
		snprintf(buf, len, "%s", "");
}

static void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static json_t *device_to_json(const struct wp_job_device *d)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}",
			 "path", d->path, "model", d->model, "serial", d->serial,
			 "kind", d->kind, "transport", d->transport,
			 "size_bytes", (json_int_t)d->size_bytes,
			 "logical_block_size", (json_int_t)d->logical_block_size);
}

static json_t *pass_to_json(const struct wp_pass_record *p, size_t number)
{
	json_t *o = json_pack("{s:I, s:s, s:I, s:f, s:b}", "pass", (json_int_t)number,
			      "pattern", wp_pattern_name(p->spec.pattern),
			      "bytes_written", (json_int_t)p->bytes_written,
			      "seconds", p->seconds, "complete", p->complete);
	if (o && p->spec.pattern == WP_PATTERN_RANDOM) {
		char hex[2 * WP_KEY_BYTES + 1];
		hex_encode(p->spec.key, WP_KEY_BYTES, hex);
		wp_json_set(o, "key", json_string(hex));
		wp_json_set(o, "cipher", json_string("aes-256-ctr"));
	}
	return o;
}

static json_t *ranges_to_json(const struct wp_bad_range *r, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		wp_json_append(a, json_pack("{s:I, s:I}", "first_lba", (json_int_t)r[i].first_lba,
						   "count", (json_int_t)r[i].count));
	return a;
}

json_t *wp_verify_record_to_json(const struct wp_verify_record *v)
{
	char seed[17];
	snprintf(seed, sizeof(seed), "%016llx", (unsigned long long)v->seed);
	json_t *bad = json_array();
	for (size_t i = 0; i < v->n_bad && i < WP_MAX_BAD_OFFSETS; i++)
		wp_json_append(bad, json_integer((json_int_t)v->bad_offsets[i]));
	json_t *o = json_pack("{s:s, s:s, s:I, s:f, s:I, s:o, s:f, s:b}",
			      "mode", wp_verify_mode_name(v->mode), "seed", seed,
			      "bytes_checked", (json_int_t)v->bytes_checked,
			      "coverage_percent", v->coverage_percent,
			      "mismatched_blocks", (json_int_t)v->mismatched_blocks,
			      "first_bad_offsets", bad, "seconds", v->seconds,
			      "complete", v->complete);
	/* only after a read error: a clean report keeps its old shape */
	if (o && (v->retries || v->unreadable_blocks)) {
		wp_json_set(o, "unreadable_blocks", json_integer((json_int_t)v->unreadable_blocks));
		wp_json_set(o, "unreadable", ranges_to_json(v->unreadable, v->n_unreadable));
		wp_json_set(o, "retries", json_integer((json_int_t)v->retries));
		wp_json_set(o, "recovered_blocks", json_integer((json_int_t)v->recovered_blocks));
	}
	if (o && v->device_removed)
		wp_json_set(o, "device_removed", json_true());
	return o;
}

static json_t *offsets_to_json(const uint64_t *offsets, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n && i < WP_MAX_BAD_OFFSETS; i++)
		wp_json_append(a, json_integer((json_int_t)offsets[i]));
	return a;
}

/* What a firmware erase did and how the medium was checked; absent from
 * the report of an overwrite. */
static void add_firmware_members(json_t *root, const struct wp_job *job)
{
	const struct wp_firmware_record *f = &job->firmware;
	const struct wp_fingerprint_record *p = &job->fingerprint;
	const struct wp_hidden_record *h = &job->hidden;
	char seed[17];
	if (f->used)
		wp_json_set(root, "firmware", json_pack(
			"{s:s, s:s, s:s, s:f}", "command", f->command, "expected", f->expected,
			"status", f->status, "seconds", f->seconds));
	if (p->done) {
		snprintf(seed, sizeof(seed), "%016llx", (unsigned long long)p->seed);
		wp_json_set(root, "fingerprint", json_pack(
			"{s:s, s:I, s:I, s:I, s:I, s:o, s:b}", "seed", seed,
			"blocks", (json_int_t)p->blocks, "changed", (json_int_t)p->changed,
			"unchanged", (json_int_t)p->unchanged,
			"already_expected", (json_int_t)p->already_expected,
			"first_unchanged_offsets", offsets_to_json(p->bad_offsets, p->n_bad),
			"passed", p->passed));
	}
	if (h->checked)
		wp_json_set(root, "hidden_areas", json_pack(
			"{s:b, s:b, s:b, s:b, s:I, s:I, s:i, s:s}", "hpa", h->hpa, "dco", h->dco,
			"hpa_removed", h->hpa_removed, "native_capacity_covered", h->native_covered,
			"reported_bytes", (json_int_t)h->reported_bytes,
			"native_bytes", (json_int_t)h->native_bytes,
			"other_namespaces", (int)h->other_namespaces, "note", h->note));
}

static json_t *scope_to_json(const struct wp_scope_record *s)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:i}", "kind", s->kind,
			      "filesystem", s->fstype, "mountpoint", s->mountpoint, "device",
			      s->source, "filesystem_bytes", (json_int_t)s->fs_bytes,
			      "free_bytes", (json_int_t)s->free_bytes,
			      "free_left_bytes", (json_int_t)s->free_left_bytes, "files", (int)s->files);
	if (o && s->has_unreached) {
		json_object_set_new(o, "unreached_bytes", json_integer((json_int_t)s->unreached_bytes));
		json_object_set_new(o, "unreached_measured_by", json_string(s->unreached_source));
	}
	if (o && s->reserve[0])
		json_object_set_new(o, "reserve_lowered", json_pack("{s:s, s:I}", "pool", s->reserve,
								     "bytes", (json_int_t)s->reserve_bytes));
	return o;
}

/* Medium errors and removal: present only when something happened, so a
 * clean report keeps its shape. retries and recovered_blocks count the
 * write and the read-back together. */
static void add_fault_members(json_t *root, const struct wp_job *job)
{
	const struct wp_badblock_record *b = &job->bad;
	uint64_t retries = b->retries + job->verify.retries;
	if (retries || b->n_ranges) {
		wp_json_set(root, "bad_blocks", ranges_to_json(b->ranges, b->n_ranges));
		wp_json_set(root, "bad_block_count", json_integer((json_int_t)b->bad_blocks));
		wp_json_set(root, "retries", json_integer((json_int_t)retries));
		wp_json_set(root, "recovered_blocks",
				    json_integer((json_int_t)(b->recovered_blocks +
							      job->verify.recovered_blocks)));
	}
	if (b->gave_up)
		wp_json_set(root, "bad_blocks_gave_up", json_true());
	if (job->recommendation[0])
		wp_json_set(root, "recommendation", json_string(job->recommendation));
	if (job->cause[0])
		wp_json_set(root, "cause", json_string(job->cause));
}

/* Only a resumed job has the member: reports of unbroken jobs stay as
 * they were. */
static void add_interruptions(json_t *root, const struct wp_job *job)
{
	if (job->n_interruptions == 0)
		return;
	json_t *arr = json_array();
	for (size_t i = 0; i < job->n_interruptions && i < WP_MAX_INTERRUPTIONS; i++) {
		const struct wp_interruption *in = &job->interruptions[i];
		wp_json_append(arr, json_pack("{s:s, s:I, s:I, s:s}", "at", in->at,
						     "pass", (json_int_t)in->pass,
						     "offset", (json_int_t)in->offset,
						     "cause", in->cause));
	}
	wp_json_set(root, "interruptions", arr);
}

json_t *wp_job_to_json(const struct wp_job *job)
{
	char started[32], ended[32];
	format_utc(job->started, started, sizeof(started));
	format_utc(job->ended, ended, sizeof(ended));

	json_t *passes = json_array();
	for (size_t i = 0; i < job->npasses && i < WP_MAX_PASSES; i++)
		wp_json_append(passes, pass_to_json(&job->passes[i], i + 1));

	json_t *root = json_pack(
		"{s:s, s:i, s:s, s:{s:s, s:s}, s:s, s:o, s:s, s:o, s:o, s:s, s:s, s:s}",
		"format", REPORT_FORMAT, "format_version", REPORT_VERSION,
		"job_id", job->id,
		"tool", "name", "wipeproof", "version", job->tool_version,
		"host", job->host,
		"device", device_to_json(&job->device),
		"method", job->method,
		"passes", passes,
		"verification", wp_verify_record_to_json(&job->verify),
		"result", wp_result_name(job->result),
		"started_utc", started, "ended_utc", ended);
	if (!root)
		return NULL;
	json_t *tool = json_object_get(root, "tool");
	if (job->tool_commit[0])
		wp_json_set(tool, "commit", json_string(job->tool_commit));
	if (job->tool_sha256[0])
		wp_json_set(tool, "sha256", json_string(job->tool_sha256));
	wp_json_set(root, "nist_category", json_string(job->nist_category));
	wp_json_set(root, "plan_reason", json_string(job->plan_reason));
	if (job->nist_source[0])
		wp_json_set(root, "nist_source", json_string(job->nist_source));
	add_firmware_members(root, job);
	if (job->error[0])
		wp_json_set(root, "error", wp_json_text_lossy(job->error));
	if (job->scope.kind[0])
		wp_json_set(root, "scope", scope_to_json(&job->scope));
	add_fault_members(root, job);
	if (job->stopped_at.set)
		wp_json_set(root, "stopped_at",
				    json_pack("{s:s, s:I, s:I}", "phase", job->stopped_at.phase,
					      "pass", (json_int_t)job->stopped_at.pass,
					      "offset", (json_int_t)job->stopped_at.offset));
	add_interruptions(root, job);
	return root;
}

/* ---- parsing ----------------------------------------------------------- */

static int want_str(const json_t *obj, const char *key, const char *where,
		    char *out, size_t len, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_string(v)) {
		snprintf(err, errlen, "%s.%s is missing or not a string", where, key);
		return -1;
	}
	if (json_string_length(v) >= len) {
		snprintf(err, errlen, "%s.%s is too long (%zu bytes, at most %zu)",
			 where, key, json_string_length(v), len - 1);
		return -1;
	}
	snprintf(out, len, "%s", json_string_value(v));
	return 0;
}

static int want_u64(const json_t *obj, const char *key, const char *where,
		    uint64_t *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(err, errlen, "%s.%s is missing or not a non-negative integer",
			 where, key);
		return -1;
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static double opt_real(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_number(v) ? json_number_value(v) : 0.0;
}

int wp_key_from_hex(const char *hex, size_t len, uint8_t key[WP_KEY_BYTES])
{
	if (len != 2 * WP_KEY_BYTES)
		return -1;
	for (size_t i = 0; i < WP_KEY_BYTES; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		key[i] = (uint8_t)v;
	}
	return 0;
}

static int parse_utc(const char *s, time_t *out)
{
	if (s[0] == '\0') {
		*out = 0;
		return 0;
	}
	return wp_utc_parse(s, out);
}

static int parse_device(const json_t *d, struct wp_job_device *dev, char *err,
			size_t errlen)
{
	uint64_t lbs = 0;
	if (!json_is_object(d)) {
		snprintf(err, errlen, "device is missing or not an object");
		return -1;
	}
	if (want_str(d, "path", "device", dev->path, sizeof(dev->path), err, errlen) < 0 ||
	    want_str(d, "model", "device", dev->model, sizeof(dev->model), err, errlen) < 0 ||
	    want_str(d, "serial", "device", dev->serial, sizeof(dev->serial), err, errlen) < 0 ||
	    want_str(d, "kind", "device", dev->kind, sizeof(dev->kind), err, errlen) < 0 ||
	    want_str(d, "transport", "device", dev->transport, sizeof(dev->transport), err, errlen) < 0 ||
	    want_u64(d, "size_bytes", "device", &dev->size_bytes, err, errlen) < 0 ||
	    want_u64(d, "logical_block_size", "device", &lbs, err, errlen) < 0)
		return -1;
	dev->logical_block_size = (unsigned)lbs;
	return 0;
}

static int parse_pass(const json_t *p, size_t i, struct wp_pass_record *rec,
		      char *err, size_t errlen)
{
	char where[32], name[16], key[2 * WP_KEY_BYTES + 1];
	snprintf(where, sizeof(where), "passes[%zu]", i);
	if (!json_is_object(p)) {
		snprintf(err, errlen, "%s is not an object", where);
		return -1;
	}
	if (want_str(p, "pattern", where, name, sizeof(name), err, errlen) < 0)
		return -1;
	if (wp_pattern_parse(name, &rec->spec.pattern) < 0) {
		snprintf(err, errlen, "%s.pattern \"%s\" is not zero, ones or random", where, name);
		return -1;
	}
	if (want_u64(p, "bytes_written", where, &rec->bytes_written, err, errlen) < 0)
		return -1;
	rec->seconds = opt_real(p, "seconds");
	rec->complete = json_is_true(json_object_get(p, "complete"));
	if (rec->spec.pattern != WP_PATTERN_RANDOM)
		return 0;
	if (want_str(p, "key", where, key, sizeof(key), err, errlen) < 0)
		return -1;
	if (wp_key_from_hex(key, strlen(key), rec->spec.key) < 0) {
		snprintf(err, errlen, "%s.key is not %d hex digits", where, 2 * WP_KEY_BYTES);
		return -1;
	}
	return 0;
}

static int parse_verify(const json_t *v, struct wp_verify_record *rec, char *err,
			size_t errlen)
{
	char mode[16], seed[24];
	if (!json_is_object(v)) {
		snprintf(err, errlen, "verification is missing or not an object");
		return -1;
	}
	if (want_str(v, "mode", "verification", mode, sizeof(mode), err, errlen) < 0)
		return -1;
	if (wp_verify_mode_parse(mode, &rec->mode) < 0) {
		snprintf(err, errlen, "verification.mode \"%s\" is not full, sample or off", mode);
		return -1;
	}
	if (want_str(v, "seed", "verification", seed, sizeof(seed), err, errlen) < 0)
		return -1;
	char *end = NULL;
	rec->seed = strtoull(seed, &end, 16);
	if (!end || *end != '\0' || seed[0] == '\0') {
		snprintf(err, errlen, "verification.seed \"%s\" is not hexadecimal", seed);
		return -1;
	}
	if (want_u64(v, "bytes_checked", "verification", &rec->bytes_checked, err, errlen) < 0 ||
	    want_u64(v, "mismatched_blocks", "verification", &rec->mismatched_blocks, err, errlen) < 0)
		return -1;
	rec->coverage_percent = opt_real(v, "coverage_percent");
	rec->seconds = opt_real(v, "seconds");
	rec->complete = json_is_true(json_object_get(v, "complete"));
	const json_t *bad = json_object_get(v, "first_bad_offsets");
	size_t i;
	json_t *off;
	json_array_foreach(bad, i, off) {
		if (i >= WP_MAX_BAD_OFFSETS || !json_is_integer(off))
			break;
		rec->bad_offsets[rec->n_bad++] = (uint64_t)json_integer_value(off);
	}
	return 0;
}

static int parse_header(const json_t *root, struct wp_job *job, char *err,
			size_t errlen)
{
	char format[64], started[32], ended[32], result[16];
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a JSON object");
		return -1;
	}
	if (want_str(root, "format", "report", format, sizeof(format), err, errlen) < 0)
		return -1;
	if (strcmp(format, REPORT_FORMAT) != 0 ||
	    json_integer_value(json_object_get(root, "format_version")) != REPORT_VERSION) {
		snprintf(err, errlen, "not a wipeproof job report (format \"%s\", version %lld)",
			 format, (long long)json_integer_value(json_object_get(root, "format_version")));
		return -1;
	}
	if (want_str(root, "job_id", "report", job->id, sizeof(job->id), err, errlen) < 0 ||
	    want_str(root, "host", "report", job->host, sizeof(job->host), err, errlen) < 0 ||
	    want_str(root, "method", "report", job->method, sizeof(job->method), err, errlen) < 0 ||
	    want_str(root, "result", "report", result, sizeof(result), err, errlen) < 0 ||
	    want_str(root, "started_utc", "report", started, sizeof(started), err, errlen) < 0 ||
	    want_str(root, "ended_utc", "report", ended, sizeof(ended), err, errlen) < 0)
		return -1;
	int r = lookup(result_names, NELEM(result_names), result);
	if (r < 0) {
		snprintf(err, errlen, "report.result \"%s\" is not a known result", result);
		return -1;
	}
	job->result = (enum wp_result)r;
	if (parse_utc(started, &job->started) < 0 || parse_utc(ended, &job->ended) < 0) {
		snprintf(err, errlen, "report times must look like 2026-01-31T09:00:00Z");
		return -1;
	}
	const json_t *tool = json_object_get(root, "tool");
	if (want_str(tool, "version", "tool", job->tool_version, sizeof(job->tool_version),
		     err, errlen) < 0)
		return -1;
	/* reports from before builds were named have neither */
	if ((json_object_get(tool, "commit") &&
	     want_str(tool, "commit", "tool", job->tool_commit, sizeof(job->tool_commit), err,
		      errlen) < 0) ||
	    (json_object_get(tool, "sha256") &&
	     want_str(tool, "sha256", "tool", job->tool_sha256, sizeof(job->tool_sha256), err,
		      errlen) < 0))
		return -1;
	const json_t *e = json_object_get(root, "error");
	if (json_is_string(e))
		snprintf(job->error, sizeof(job->error), "%s", json_string_value(e));
	/* optional: reports from before the planner have neither */
	const json_t *nist = json_object_get(root, "nist_category");
	if (json_is_string(nist))
		snprintf(job->nist_category, sizeof(job->nist_category), "%s",
			 json_string_value(nist));
	const json_t *why = json_object_get(root, "plan_reason");
	if (json_is_string(why))
		snprintf(job->plan_reason, sizeof(job->plan_reason), "%s", json_string_value(why));
	const json_t *source = json_object_get(root, "nist_source");
	if (json_is_string(source))
		snprintf(job->nist_source, sizeof(job->nist_source), "%s",
			 json_string_value(source));
	return 0;
}

/* The firmware record as far as `verify` and certificates need it. */
static void parse_firmware(const json_t *root, struct wp_job *job)
{
	const json_t *f = json_object_get(root, "firmware");
	if (!json_is_object(f))
		return;
	job->firmware.used = true;
	const char *s = json_string_value(json_object_get(f, "command"));
	snprintf(job->firmware.command, sizeof(job->firmware.command), "%s", s ? s : "");
	s = json_string_value(json_object_get(f, "expected"));
	snprintf(job->firmware.expected, sizeof(job->firmware.expected), "%s", s ? s : "");
	s = json_string_value(json_object_get(f, "status"));
	snprintf(job->firmware.status, sizeof(job->firmware.status), "%s", s ? s : "");
	job->firmware.seconds = opt_real(f, "seconds");
	const json_t *p = json_object_get(root, "fingerprint");
	if (!json_is_object(p))
		return;
	job->fingerprint.done = true;
	job->fingerprint.blocks = (uint64_t)json_integer_value(json_object_get(p, "blocks"));
	job->fingerprint.changed = (uint64_t)json_integer_value(json_object_get(p, "changed"));
	job->fingerprint.unchanged = (uint64_t)json_integer_value(json_object_get(p, "unchanged"));
	job->fingerprint.already_expected =
		(uint64_t)json_integer_value(json_object_get(p, "already_expected"));
	job->fingerprint.passed = json_is_true(json_object_get(p, "passed"));
}

/* A scope other than the whole device; the one kind known is free space. */
static int parse_scope(const json_t *root, struct wp_scope_record *s, char *err, size_t errlen)
{
	const json_t *o = json_object_get(root, "scope");
	if (!o)
		return 0;
	if (!json_is_object(o) ||
	    want_str(o, "kind", "scope", s->kind, sizeof(s->kind), err, errlen) < 0 ||
	    want_str(o, "filesystem", "scope", s->fstype, sizeof(s->fstype), err, errlen) < 0 ||
	    want_str(o, "mountpoint", "scope", s->mountpoint, sizeof(s->mountpoint), err, errlen) < 0 ||
	    want_str(o, "device", "scope", s->source, sizeof(s->source), err, errlen) < 0 ||
	    want_u64(o, "filesystem_bytes", "scope", &s->fs_bytes, err, errlen) < 0 ||
	    want_u64(o, "free_bytes", "scope", &s->free_bytes, err, errlen) < 0 ||
	    want_u64(o, "free_left_bytes", "scope", &s->free_left_bytes, err, errlen) < 0) {
		if (!json_is_object(o))
			snprintf(err, errlen, "scope must be an object");
		return -1;
	}
	if (strcmp(s->kind, WP_SCOPE_FREE_SPACE) != 0) {
		snprintf(err, errlen, "scope kind '%s' is unknown; this version knows \"%s\"",
			 s->kind, WP_SCOPE_FREE_SPACE);
		return -1;
	}
	s->files = (unsigned)json_integer_value(json_object_get(o, "files"));
	/* reports from before issue 15 did not measure it */
	const json_t *u = json_object_get(o, "unreached_bytes");
	if (u) {
		if (want_u64(o, "unreached_bytes", "scope", &s->unreached_bytes, err, errlen) < 0 ||
		    want_str(o, "unreached_measured_by", "scope", s->unreached_source,
			     sizeof(s->unreached_source), err, errlen) < 0)
			return -1;
		s->has_unreached = true;
	}
	const json_t *rl = json_object_get(o, "reserve_lowered");
	if (json_is_object(rl)) {
		const json_t *pool = json_object_get(rl, "pool");
		snprintf(s->reserve, sizeof(s->reserve), "%s",
			 json_is_string(pool) ? json_string_value(pool) : "");
		s->reserve_bytes = (uint64_t)json_integer_value(json_object_get(rl, "bytes"));
	}
	return 0;
}

static void parse_stop(const json_t *root, struct wp_job *job)
{
	const json_t *s = json_object_get(root, "stopped_at");
	if (!json_is_object(s))
		return;
	job->stopped_at.set = true;
	const json_t *phase = json_object_get(s, "phase");
	snprintf(job->stopped_at.phase, sizeof(job->stopped_at.phase), "%s",
		 json_is_string(phase) ? json_string_value(phase) : "");
	job->stopped_at.pass = (size_t)json_integer_value(json_object_get(s, "pass"));
	job->stopped_at.offset = (uint64_t)json_integer_value(json_object_get(s, "offset"));
}

static size_t parse_ranges(const json_t *a, struct wp_bad_range *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; json_is_array(a) && i < json_array_size(a) && n < max; i++) {
		const json_t *r = json_array_get(a, i);
		out[n].first_lba = (uint64_t)json_integer_value(json_object_get(r, "first_lba"));
		out[n++].count = (uint64_t)json_integer_value(json_object_get(r, "count"));
	}
	return n;
}

/* The write side's counters are what is left after the read-back's,
 * since the report shows their sums. */
static void parse_faults(const json_t *root, struct wp_job *job)
{
	struct wp_badblock_record *b = &job->bad;
	const json_t *v = json_object_get(root, "verification");
	struct wp_verify_record *vr = &job->verify;
	vr->unreadable_blocks = (uint64_t)json_integer_value(json_object_get(v, "unreadable_blocks"));
	vr->n_unreadable = parse_ranges(json_object_get(v, "unreadable"), vr->unreadable,
					WP_MAX_BAD_OFFSETS);
	vr->retries = (uint64_t)json_integer_value(json_object_get(v, "retries"));
	vr->recovered_blocks = (uint64_t)json_integer_value(json_object_get(v, "recovered_blocks"));
	vr->device_removed = json_is_true(json_object_get(v, "device_removed"));
	b->n_ranges = parse_ranges(json_object_get(root, "bad_blocks"), b->ranges, WP_MAX_BAD_RANGES);
	b->bad_blocks = (uint64_t)json_integer_value(json_object_get(root, "bad_block_count"));
	uint64_t retries = (uint64_t)json_integer_value(json_object_get(root, "retries"));
	uint64_t recovered = (uint64_t)json_integer_value(json_object_get(root, "recovered_blocks"));
	b->retries = retries >= vr->retries ? retries - vr->retries : 0;
	b->recovered_blocks = recovered >= vr->recovered_blocks ? recovered - vr->recovered_blocks : 0;
	b->gave_up = json_is_true(json_object_get(root, "bad_blocks_gave_up"));
	const json_t *s = json_object_get(root, "recommendation");
	snprintf(job->recommendation, sizeof(job->recommendation), "%s",
		 json_is_string(s) ? json_string_value(s) : "");
	s = json_object_get(root, "cause");
	snprintf(job->cause, sizeof(job->cause), "%s", json_is_string(s) ? json_string_value(s) : "");
}

static int parse_interruptions(const json_t *root, struct wp_job *job, char *err,
			       size_t errlen)
{
	const json_t *arr = json_object_get(root, "interruptions");
	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > WP_MAX_INTERRUPTIONS) {
		snprintf(err, errlen, "interruptions must be an array of at most %d entries",
			 WP_MAX_INTERRUPTIONS);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const json_t *o = json_array_get(arr, i);
		struct wp_interruption *in = &job->interruptions[i];
		uint64_t pass;
		if (want_str(o, "at", "interruptions[]", in->at, sizeof(in->at), err, errlen) < 0 ||
		    want_u64(o, "pass", "interruptions[]", &pass, err, errlen) < 0 ||
		    want_u64(o, "offset", "interruptions[]", &in->offset, err, errlen) < 0 ||
		    want_str(o, "cause", "interruptions[]", in->cause, sizeof(in->cause), err,
			     errlen) < 0)
			return -1;
		in->pass = (size_t)pass;
	}
	job->n_interruptions = json_array_size(arr);
	return 0;
}

int wp_job_from_json(const json_t *root, struct wp_job *job, char *err,
		     size_t errlen)
{
	memset(job, 0, sizeof(*job));
	if (parse_header(root, job, err, errlen) < 0 ||
	    parse_device(json_object_get(root, "device"), &job->device, err, errlen) < 0)
		return -1;
	parse_firmware(root, job);
	/* a firmware erase with no known content wrote no pass of ours */
	size_t min_passes = job->firmware.used ? 0 : 1;
	const json_t *passes = json_object_get(root, "passes");
	if (!json_is_array(passes) || json_array_size(passes) < min_passes ||
	    json_array_size(passes) > WP_MAX_PASSES) {
		snprintf(err, errlen, "passes must be an array of %zu to %d passes", min_passes,
			 WP_MAX_PASSES);
		return -1;
	}
	job->npasses = json_array_size(passes);
	for (size_t i = 0; i < job->npasses; i++)
		if (parse_pass(json_array_get(passes, i), i, &job->passes[i], err, errlen) < 0)
			return -1;
	if (parse_verify(json_object_get(root, "verification"), &job->verify, err, errlen) < 0)
		return -1;
	parse_stop(root, job);
	parse_faults(root, job);
	if (parse_interruptions(root, job, err, errlen) < 0)
		return -1;
	return parse_scope(root, &job->scope, err, errlen);
}

/* ---- files ------------------------------------------------------------- */

int wp_job_save(const struct wp_job *job, const char *path, char *err,
		size_t errlen)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "report path is too long: %s", path);
		return -1;
	}
	json_t *root = wp_job_to_json(job);
	/* a member that could not be encoded must not vanish from the record */
	if (root && wp_json_check(root, "job report", err, errlen) < 0) {
		json_decref(root);
		return -1;
	}
	char *text = root ? json_dumps(root, JSON_INDENT(2) | WP_JSON_DUMP_FLAGS) : NULL;
	json_decref(root);
	if (!text) {
		snprintf(err, errlen, "cannot serialise the job report (out of memory, or a "
			 "device field that is not valid UTF-8)");
		return -1;
	}
	int rc = -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot write report %s: %s", tmp, strerror(errno));
		goto out;
	}
	size_t len = strlen(text);
	bool ok = write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 &&
		  fsync(fd) == 0;
	int saved = errno;
	if (close(fd) < 0 && ok) {
		ok = false;
		saved = errno;
	}
	if (!ok || rename(tmp, path) < 0) {
		if (ok)
			saved = errno;
		snprintf(err, errlen, "cannot write report %s: %s", path, strerror(saved));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

int wp_job_load(const char *path, struct wp_job *job, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errlen, "cannot read report %s: %s (line %d)", path,
			 jerr.text, jerr.line);
		return -1;
	}
	char why[400];
	int rc = wp_job_from_json(root, job, why, sizeof(why));
	json_decref(root);
	if (rc < 0)
		snprintf(err, errlen, "report %s: %s", path, why);
	return rc;
}
