/* Keys: the CA, issuing, roles in certificates, and what loading refuses. */
#include "certs.h"

#include "check_main.h"
#include "fixtures.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char err[1024];
static char dir[64];
static struct wp_person ca, yamada, sato;

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void key_path(char *out, size_t len, const struct wp_person *p)
{
	snprintf(out, len, "%s/people/%s.key", dir, p->fingerprint);
}

START_TEST(ca_and_people)
{
	ck_assert_str_eq(ca.org, "株式会社テスト");
	ck_assert_uint_eq(strlen(ca.fingerprint), 64);
	ck_assert_str_eq(yamada.name, "山田 太郎");
	ck_assert_str_eq(yamada.title, "情報システム課長");
	ck_assert_str_eq(yamada.org, "株式会社テスト");
	ck_assert_int_eq(yamada.role, WP_ROLE_APPROVER);
	ck_assert(yamada.not_after > yamada.not_before);

	struct wp_person *people = NULL;
	size_t n = 0;
	ck_assert_int_eq(wp_keys_list(dir, &people, &n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(people[0].name, "佐藤 花子"); /* sorted by UTF-8 bytes */
	ck_assert_int_eq(people[0].role, WP_ROLE_WITNESS);
	free(people);

	char path[256];
	struct stat st;
	key_path(path, sizeof(path), &yamada);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
}
END_TEST

START_TEST(identity_by_name_and_prefix)
{
	struct wp_identity *id = NULL;
	ck_assert_int_eq(wp_identity_load(dir, "山田 太郎", NULL, &id, err, sizeof(err)), 0);
	ck_assert_str_eq(wp_identity_person(id)->fingerprint, yamada.fingerprint);
	ck_assert_ptr_nonnull(wp_identity_key(id));
	ck_assert_ptr_nonnull(wp_identity_ca(id));
	wp_identity_free(id);

	char prefix[9];
	snprintf(prefix, sizeof(prefix), "%.8s", sato.fingerprint);
	ck_assert_int_eq(wp_identity_load(dir, prefix, NULL, &id, err, sizeof(err)), 0);
	ck_assert_str_eq(wp_identity_person(id)->name, "佐藤 花子");
	wp_identity_free(id);

	ck_assert_int_eq(wp_identity_load(dir, "nobody", NULL, &id, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "no person 'nobody'") != NULL, "%s", err);
	ck_assert_int_eq(wp_identity_load(dir, "abc", NULL, &id, err, sizeof(err)), -1);
}
END_TEST

START_TEST(duplicate_name_refused)
{
	struct wp_issue_request req = { .name = "山田 太郎", .title = "x", .role = WP_ROLE_OPERATOR,
					.days = 10 };
	struct wp_person p;
	ck_assert_int_eq(wp_keys_issue(dir, &req, &p, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "already has a certificate") != NULL, "%s", err);
	ck_assert_int_eq(wp_keys_init_ca(dir, "again", 10, NULL, &p, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "already holds a CA") != NULL, "%s", err);
}
END_TEST

START_TEST(sign_and_verify)
{
	struct wp_identity *id = NULL;
	char *sig = NULL;
	ck_assert_int_eq(wp_identity_load(dir, "山田 太郎", NULL, &id, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_identity_sign_hex(id, "hello", 5, &sig, err, sizeof(err)), 0);
	X509 *cert = wp_identity_cert(id);
	ck_assert_int_eq(wp_sig_verify(cert, "hello", 5, sig, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_sig_verify(cert, "hellO", 5, sig, err, sizeof(err)), -1);
	sig[10] = sig[10] == '0' ? '1' : '0';
	ck_assert_int_eq(wp_sig_verify(cert, "hello", 5, sig, err, sizeof(err)), -1);
	ck_assert_int_eq(wp_cert_check(cert, wp_identity_ca(id), time(NULL), err, sizeof(err)), 0);
	/* not yet valid / long expired at that time */
	ck_assert_int_eq(wp_cert_check(cert, wp_identity_ca(id), 1000000000, err, sizeof(err)), -1);
	ck_assert_int_eq(wp_cert_check(cert, cert, time(NULL), err, sizeof(err)), -1);
	free(sig);
	wp_identity_free(id);
}
END_TEST

START_TEST(key_readable_by_others_refused)
{
	char path[256];
	struct wp_identity *id = NULL;
	key_path(path, sizeof(path), &sato);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(wp_identity_load(dir, "佐藤 花子", NULL, &id, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "readable by group or others (mode 0644)") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "chmod 600") != NULL, "%s", err);
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(wp_identity_load(dir, "佐藤 花子", NULL, &id, err, sizeof(err)), -1);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(wp_identity_load(dir, "佐藤 花子", NULL, &id, err, sizeof(err)), 0);
	wp_identity_free(id);
}
END_TEST

START_TEST(symlinked_key_refused)
{
	char path[256], moved[300];
	struct wp_identity *id = NULL;
	key_path(path, sizeof(path), &sato);
	snprintf(moved, sizeof(moved), "%s.real", path);
	ck_assert_int_eq(rename(path, moved), 0);
	ck_assert_int_eq(symlink(moved, path), 0);
	ck_assert_int_eq(wp_identity_load(dir, "佐藤 花子", NULL, &id, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "symbolic link") != NULL, "%s", err);
	unlink(path);
	ck_assert_int_eq(rename(moved, path), 0);
}
END_TEST

START_TEST(encrypted_key)
{
	char pass[128], wrong[128];
	struct wp_issue_request req = { .name = "Encrypted Person", .title = "係員",
					.role = WP_ROLE_OPERATOR, .days = 30, .passphrase = "s3cret pass" };
	struct wp_person p;
	struct wp_identity *id = NULL;
	snprintf(pass, sizeof(pass), "%s/pass", dir);
	snprintf(wrong, sizeof(wrong), "%s/wrong", dir);
	write_text(pass, "s3cret pass\n");
	write_text(wrong, "not it\n");
	/* passphrase files others can read are refused (passphrase_file_open) */
	ck_assert_int_eq(chmod(pass, 0600), 0);
	ck_assert_int_eq(chmod(wrong, 0600), 0);
	ck_assert_int_eq(wp_keys_issue(dir, &req, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_identity_load(dir, "Encrypted Person", wrong, &id, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "wrong passphrase") != NULL, "%s", err);
	/* stdin is /dev/null (main): no terminal to ask on */
	ck_assert_int_eq(wp_identity_load(dir, "Encrypted Person", NULL, &id, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "is encrypted") && strstr(err, "--passphrase-file"), "%s", err);
	ck_assert_int_eq(wp_identity_load(dir, "Encrypted Person", pass, &id, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_identity_person(id)->role, WP_ROLE_OPERATOR);
	wp_identity_free(id);
}
END_TEST

START_TEST(passphrase_file_open_refused)
{
	char pass[128];
	struct wp_issue_request req = { .name = "Pass Mode", .title = "係員",
					.role = WP_ROLE_OPERATOR, .days = 30, .passphrase = "pw" };
	struct wp_person p;
	struct wp_identity *id = NULL;
	snprintf(pass, sizeof(pass), "%s/pass-mode", dir);
	write_text(pass, "pw\n");
	ck_assert_int_eq(wp_keys_issue(dir, &req, &p, err, sizeof(err)), 0);
	for (mode_t m = 0604; m; m = m == 0604 ? 0620 : m == 0620 ? 0640 : 0) {
		ck_assert_int_eq(chmod(pass, m), 0);
		ck_assert_int_eq(wp_identity_load(dir, "Pass Mode", pass, &id, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "passphrase file") && strstr(err, "chmod 600"), "%s", err);
	}
	ck_assert_int_eq(chmod(pass, 0600), 0);
	ck_assert_int_eq(wp_identity_load(dir, "Pass Mode", pass, &id, err, sizeof(err)), 0);
	wp_identity_free(id);
}
END_TEST

START_TEST(key_folder_open_refused)
{
	char people[128];
	struct wp_identity *id = NULL;
	snprintf(people, sizeof(people), "%s/people", dir);
	struct stat st;
	ck_assert_int_eq(stat(people, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700); /* as init-ca makes it */
	for (mode_t m = 0750; m; m = m == 0750 ? 0705 : m == 0705 ? 0720 : 0) {
		ck_assert_int_eq(chmod(people, m), 0);
		ck_assert_int_eq(wp_identity_load(dir, "山田 太郎", NULL, &id, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "key folder") && strstr(err, "chmod 700"), "%s", err);
	}
	ck_assert_int_eq(chmod(people, 0700), 0);
	/* the store itself (it holds ca.key and people/) only must not be writable */
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_eq(wp_identity_load(dir, "山田 太郎", NULL, &id, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "key folder") && strstr(err, "writable"), "%s", err);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(wp_identity_load(dir, "山田 太郎", NULL, &id, err, sizeof(err)), 0);
	wp_identity_free(id);
}
END_TEST

START_TEST(revoked_key)
{
	struct wp_issue_request req = { .name = "Leaving Person", .title = "係員",
					.role = WP_ROLE_OPERATOR, .days = 30 };
	struct wp_person p, r;
	struct wp_identity *id = NULL;
	char path[256];
	X509 *cacert = NULL;
	X509_CRL *crl = NULL;
	time_t now = time(NULL);
	ck_assert_int_eq(wp_keys_issue(dir, &req, &p, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_identity_load(dir, "Leaving Person", NULL, &id, err, sizeof(err)), 0);
	wp_identity_free(id);
	ck_assert_int_eq(wp_keys_revoke(dir, "Leaving Person", "left", now, NULL, &r, err,
					sizeof(err)), -1);
	ck_assert_msg(strstr(err, "affiliation-changed") != NULL, "%s", err);
	ck_assert_int_eq(wp_keys_revoke(dir, "Leaving Person", "affiliation-changed", now - 3600,
					NULL, &r, err, sizeof(err)), 0);
	ck_assert_str_eq(r.fingerprint, p.fingerprint);
	ck_assert_int_eq(wp_keys_revoke(dir, "Leaving Person", "superseded", now, NULL, &r, err,
					sizeof(err)), -1);
	ck_assert_msg(strstr(err, "already revoked") != NULL, "%s", err);
	/* a revoked person signs nothing more from this store */
	ck_assert_int_eq(wp_identity_load(dir, "Leaving Person", NULL, &id, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "revoked") != NULL, "%s", err);
	/* others still sign */
	ck_assert_int_eq(wp_identity_load(dir, "山田 太郎", NULL, &id, err, sizeof(err)), 0);
	wp_identity_free(id);
	/* signatures before the date stand, at or after it they do not */
	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	ck_assert_int_eq(wp_cert_load(path, &cacert, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/crl.pem", dir);
	ck_assert_int_eq(wp_crl_load(path, cacert, &crl, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_crl_check(crl, &p, now - 3601, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_crl_check(crl, &p, now - 3600, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "affiliation-changed") && strstr(err, "after the revocation"),
		      "%s", err);
	ck_assert_int_eq(wp_crl_check(crl, &yamada, now, err, sizeof(err)), 0);
	X509_CRL_free(crl);
	/* a list signed by another CA is refused */
	X509_free(cacert);
	cacert = NULL;
	snprintf(path, sizeof(path), "%s/other", dir);
	struct wp_person other;
	ck_assert_int_eq(wp_keys_init_ca(path, "Other", 30, NULL, &other, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/other/ca.pem", dir);
	ck_assert_int_eq(wp_cert_load(path, &cacert, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/crl.pem", dir);
	ck_assert_int_eq(wp_crl_load(path, cacert, &crl, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "not signed by this CA") != NULL, "%s", err);
	X509_free(cacert);
}
END_TEST

/* A process that holds a private key writes no core dump (issue 22 item
 * 10): the kernel's own flag, read back with prctl. */
START_TEST(no_core_dump_with_a_key)
{
	struct wp_identity *id = NULL;
	ck_assert_int_eq(wp_identity_load(dir, "山田 太郎", NULL, &id, err, sizeof(err)), 0);
	ck_assert_int_eq(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	wp_identity_free(id);
}
END_TEST

/* One spelling per person (issue 22 item 7). */
START_TEST(names_normalised)
{
	char out[WP_NAME_MAX];
	wp_name_normalise("  Taro \t Yamada ", out, sizeof(out));
	ck_assert_str_eq(out, "Taro Yamada");
	wp_name_normalise("山田\u3000太郎\u3000", out, sizeof(out));
	ck_assert_str_eq(out, "山田 太郎");
	ck_assert(wp_name_same("Taro Yamada", "Taro Yamada "));
	ck_assert(wp_name_same("Taro\u00a0Yamada", "Taro Yamada"));
	ck_assert(!wp_name_same("Taro Yamada", "Taro Yamad"));
	ck_assert(!wp_name_same("", " "));
	ck_assert_int_eq(wp_name_check("--name", "Taro Yamada", err, sizeof(err)), 0);
	ck_assert_int_eq(wp_name_check("--name", "Taro Yamada ", err, sizeof(err)), -1);
	ck_assert_int_eq(wp_name_check("--name", "Jose\xcc\x81", err, sizeof(err)), -1); /* U+0301 */
	ck_assert_msg(strstr(err, "U+0301"), "%s", err);
	ck_assert_int_eq(wp_name_check("--name", "Jos\xc3\xa9", err, sizeof(err)), 0); /* é, NFC */
	ck_assert_int_eq(wp_name_check("--name", "\xff", err, sizeof(err)), -1);
	ck_assert_int_eq(wp_id_check("E01234", err, sizeof(err)), 0);
	ck_assert_int_eq(wp_id_check("E 1", err, sizeof(err)), -1);
	ck_assert_int_eq(wp_id_check("", err, sizeof(err)), -1);
}
END_TEST

START_TEST(roles)
{
	enum wp_role r;
	ck_assert_int_eq(wp_role_parse("witness", &r), 0);
	ck_assert_int_eq(r, WP_ROLE_WITNESS);
	ck_assert_int_eq(wp_role_parse("boss", &r), -1);
	ck_assert_str_eq(wp_role_name(WP_ROLE_AUDITOR), "auditor");
}
END_TEST

static void make_store(void)
{
	wp_fx_tmpdir(dir, sizeof(dir), "keys");
	struct wp_issue_request a = { .name = "山田 太郎", .title = "情報システム課長",
				      .role = WP_ROLE_APPROVER, .days = 365 };
	struct wp_issue_request w = { .name = "佐藤 花子", .title = "総務課",
				      .role = WP_ROLE_WITNESS, .days = 365 };
	if (wp_keys_init_ca(dir, "株式会社テスト", 3650, NULL, &ca, err, sizeof(err)) < 0 ||
	    wp_keys_issue(dir, &a, &yamada, err, sizeof(err)) < 0 ||
	    wp_keys_issue(dir, &w, &sato, err, sizeof(err)) < 0) {
		fprintf(stderr, "setting up the key store: %s\n", err);
		exit(EXIT_FAILURE);
	}
}

int main(void)
{
	if (!freopen("/dev/null", "r", stdin))
		return EXIT_FAILURE;
	make_store();
	Suite *s = suite_create("keys");
	TCase *tc = tcase_create("keys");
	tcase_add_test(tc, ca_and_people);
	tcase_add_test(tc, identity_by_name_and_prefix);
	tcase_add_test(tc, duplicate_name_refused);
	tcase_add_test(tc, sign_and_verify);
	tcase_add_test(tc, key_readable_by_others_refused);
	tcase_add_test(tc, symlinked_key_refused);
	tcase_add_test(tc, encrypted_key);
	tcase_add_test(tc, roles);
	tcase_add_test(tc, passphrase_file_open_refused);
	tcase_add_test(tc, key_folder_open_refused);
	tcase_add_test(tc, revoked_key);
	tcase_add_test(tc, no_core_dump_with_a_key);
	tcase_add_test(tc, names_normalised);
	suite_add_tcase(s, tc);
	int rc = wp_run_suite(s);
	if (wp_fx_rmtree(dir) < 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
