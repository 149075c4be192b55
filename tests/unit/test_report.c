/* The job report: round trip, strict loading, atomic saving. */
#include "wipe.h"

#include "check_main.h"
#include "fixtures.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char err[512];

static struct wp_job sample_job(void)
{
	struct wp_job job;
	ck_assert_int_eq(wp_job_init(&job, err, sizeof(err)), 0);
	strcpy(job.device.path, "/dev/loop7");
	strcpy(job.device.model, "Loop device");
	strcpy(job.device.serial, "LOOP-fe00-1234");
	strcpy(job.device.kind, "loop");
	strcpy(job.device.transport, "loop");
	job.device.size_bytes = 67112960;
	job.device.logical_block_size = 4096;
	strcpy(job.method, "random-zero");
	job.npasses = 2;
	wp_pass_spec_new(&job.passes[0].spec, WP_PATTERN_RANDOM, err, sizeof(err));
	wp_pass_spec_new(&job.passes[1].spec, WP_PATTERN_ZERO, err, sizeof(err));
	for (int i = 0; i < 2; i++) {
		job.passes[i].bytes_written = 67112960;
		job.passes[i].seconds = 1.5;
		job.passes[i].complete = true;
	}
	job.verify = (struct wp_verify_record){ .mode = WP_VERIFY_SAMPLE,
		.seed = 0xfedcba9876543210ull, .bytes_checked = 7340032,
		.coverage_percent = 10.93, .mismatched_blocks = 2, .n_bad = 2,
		.bad_offsets = { 4097, 1u << 20 }, .complete = true };
	job.result = WP_RESULT_FAILED;
	strcpy(job.error, "2 block(s) differ");
	job.stopped_at = (struct wp_stop_point){ .set = true, .phase = "verify", .pass = 2,
						 .offset = 12345 };
	job.ended = job.started + 3;
	return job;
}

START_TEST(round_trip)
{
	struct wp_job a = sample_job(), b;
	json_t *j = wp_job_to_json(&a);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(wp_job_from_json(j, &b, err, sizeof(err)), 0);
	json_decref(j);
	ck_assert_str_eq(b.id, a.id);
	ck_assert_str_eq(b.device.serial, a.device.serial);
	ck_assert_uint_eq(b.device.size_bytes, a.device.size_bytes);
	ck_assert_uint_eq(b.device.logical_block_size, 4096);
	ck_assert_str_eq(b.method, "random-zero");
	ck_assert_uint_eq(b.npasses, 2);
	ck_assert_mem_eq(b.passes[0].spec.key, a.passes[0].spec.key, WP_KEY_BYTES);
	ck_assert_int_eq(b.passes[1].spec.pattern, WP_PATTERN_ZERO);
	ck_assert_int_eq(b.verify.mode, WP_VERIFY_SAMPLE);
	ck_assert_uint_eq(b.verify.seed, a.verify.seed);
	ck_assert_uint_eq(b.verify.n_bad, 2);
	ck_assert_uint_eq(b.verify.bad_offsets[1], 1u << 20);
	ck_assert_int_eq(b.result, WP_RESULT_FAILED);
	ck_assert_str_eq(b.error, a.error);
	ck_assert(b.stopped_at.set);
	ck_assert_uint_eq(b.stopped_at.offset, 12345);
	ck_assert_int_eq(b.started, a.started);
	ck_assert_int_eq(b.ended, a.ended);
	ck_assert_ptr_eq(wp_job_final_pass(&b), &b.passes[1].spec);
}
END_TEST

/* A resumed job lists where each earlier run stopped; an unbroken one has
 * no member at all, so its report is as before. */
START_TEST(interruptions_member)
{
	struct wp_job a = sample_job(), b;
	json_t *j = wp_job_to_json(&a);
	ck_assert_ptr_null(json_object_get(j, "interruptions"));
	json_decref(j);
	a.n_interruptions = 2;
	a.interruptions[0] = (struct wp_interruption){ .at = "2026-01-31T09:00:02Z", .pass = 1,
						       .offset = 4 << 20, .cause = "crash" };
	a.interruptions[1] = (struct wp_interruption){ .at = "2026-01-31T09:05:00Z", .pass = 2,
						       .offset = 0, .cause = "signal" };
	j = wp_job_to_json(&a);
	const json_t *arr = json_object_get(j, "interruptions");
	ck_assert_uint_eq(json_array_size(arr), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr, 0), "cause")), "crash");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(arr, 0), "offset")), 4 << 20);
	ck_assert_int_eq(wp_job_from_json(j, &b, err, sizeof(err)), 0);
	ck_assert_uint_eq(b.n_interruptions, 2);
	ck_assert_str_eq(b.interruptions[1].cause, "signal");
	ck_assert_str_eq(b.interruptions[1].at, "2026-01-31T09:05:00Z");
	ck_assert_uint_eq(b.interruptions[1].pass, 2);
	ck_assert_uint_eq(b.interruptions[0].offset, 4u << 20);
	/* a malformed entry is refused like any other bad member */
	json_object_del(json_array_get(json_object_get(j, "interruptions"), 0), "cause");
	ck_assert_int_eq(wp_job_from_json(j, &b, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "interruptions[].cause"));
	json_decref(j);
}
END_TEST

static void expect_rejected(void (*mutate)(json_t *), const char *needle)
{
	struct wp_job a = sample_job(), b;
	json_t *j = wp_job_to_json(&a);
	mutate(j);
	err[0] = '\0';
	ck_assert_int_eq(wp_job_from_json(j, &b, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, needle) != NULL, "error '%s' lacks '%s'", err, needle);
	json_decref(j);
}

static void drop_serial(json_t *j) { json_object_del(json_object_get(j, "device"), "serial"); }
static void bad_key(json_t *j)
{
	json_object_set_new(json_array_get(json_object_get(j, "passes"), 0), "key",
			    json_string("abcd"));
}
static void bad_format(json_t *j) { json_object_set_new(j, "format", json_string("other")); }
static void bad_result(json_t *j) { json_object_set_new(j, "result", json_string("wiped")); }
static void neg_size(json_t *j)
{
	json_object_set_new(json_object_get(j, "device"), "size_bytes", json_integer(-1));
}
static void no_passes(json_t *j) { json_object_set_new(j, "passes", json_array()); }
static void bad_time(json_t *j) { json_object_set_new(j, "started_utc", json_string("yesterday")); }
static void bad_mode(json_t *j)
{
	json_object_set_new(json_object_get(j, "verification"), "mode", json_string("most"));
}

START_TEST(strict_loading)
{
	expect_rejected(drop_serial, "device.serial");
	expect_rejected(bad_key, "passes[0].key");
	expect_rejected(bad_format, "not a wipeproof job report");
	expect_rejected(bad_result, "wiped");
	expect_rejected(neg_size, "device.size_bytes");
	expect_rejected(no_passes, "passes");
	expect_rejected(bad_time, "2026-01-31T09:00:00Z");
	expect_rejected(bad_mode, "most");
}
END_TEST

START_TEST(save_and_load)
{
	char dir[64];
	wp_fx_tmpdir(dir, sizeof(dir), "report");
	char path[256], tmp[300];
	snprintf(path, sizeof(path), "%s/job.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	struct wp_job a = sample_job(), b;
	ck_assert_int_eq(wp_job_save(&a, path, err, sizeof(err)), 0);
	struct stat st;
	ck_assert_int_eq(stat(tmp, &st), -1); /* no temporary left behind */
	ck_assert_int_eq(wp_job_load(path, &b, err, sizeof(err)), 0);
	ck_assert_str_eq(b.id, a.id);
	/* a damaged file names itself */
	FILE *f = fopen(path, "w");
	fputs("{\"format\": ", f);
	fclose(f);
	ck_assert_int_eq(wp_job_load(path, &b, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, path));
	unlink(path);
	/* an unwritable place fails with the path, leaves nothing */
	char bad[300];
	snprintf(bad, sizeof(bad), "%s/missing/job.json", dir);
	ck_assert_int_eq(wp_job_save(&a, bad, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "missing"));
	rmdir(dir);
}
END_TEST

START_TEST(uuids)
{
	char id[WP_UUID_LEN], other[WP_UUID_LEN];
	ck_assert_int_eq(wp_uuid_new(id, sizeof(id), err, sizeof(err)), 0);
	ck_assert_int_eq(wp_uuid_new(other, sizeof(other), err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(id), 36);
	ck_assert_int_eq(id[14], '4');
	ck_assert_str_ne(id, other);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(wp_result_name(WP_RESULT_SANITIZED), "sanitized");
	ck_assert_str_eq(wp_result_name(WP_RESULT_UNVERIFIED), "unverified");
	enum wp_verify_mode m;
	ck_assert_int_eq(wp_verify_mode_parse("sample", &m), 0);
	ck_assert_int_eq(m, WP_VERIFY_SAMPLE);
	ck_assert_int_eq(wp_verify_mode_parse("quick", &m), -1);
	struct wp_job j;
	wp_job_init(&j, err, sizeof(err));
	ck_assert_uint_eq(strlen(j.id), 36);
	ck_assert_int_eq(j.id[14], '4');
	ck_assert_ptr_null(wp_job_final_pass(&j));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, interruptions_member);
	tcase_add_test(tc, uuids);
	tcase_add_test(tc, strict_loading);
	tcase_add_test(tc, save_and_load);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
