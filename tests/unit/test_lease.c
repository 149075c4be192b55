/* The boot stick's lease list (station/lease.c): UTF-8 as it is, Shift_JIS
 * (CP932) converted, anything else refused; CSV quoting; the row by the
 * PC's serial. The CP932 bytes are the code table's (JIS X 0208 in
 * Shift_JIS, NEC's row 13 and Microsoft's mapping of 0x8160), not iconv's
 * output: 営 89 63, 業 8B C6, 部 95 94, ① 87 40, ～ 81 60 (U+FF5E). */
#include "station.h"

#include "check_main.h"
#include <stdlib.h>
#include <string.h>

static char err[512];

START_TEST(cp932_is_converted)
{
	const char sjis[] = "\x89\x63\x8b\xc6\x95\x94\x87\x40\x81\x60";
	const char *enc = NULL;
	char *u = wp_text_to_utf8(sjis, sizeof(sjis) - 1, &enc, err, sizeof(err));
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u, "営業部①\xef\xbd\x9e");
	ck_assert_str_eq(enc, "Shift_JIS (CP932)");
	free(u);
}
END_TEST

START_TEST(utf8_is_kept_and_bom_dropped)
{
	const char *enc = NULL;
	const char in[] = "\xef\xbb\xbfpc_serial\n営業部\n";
	char *u = wp_text_to_utf8(in, sizeof(in) - 1, &enc, err, sizeof(err));
	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u, "pc_serial\n営業部\n");
	ck_assert_str_eq(enc, "UTF-8");
	free(u);
}
END_TEST

START_TEST(neither_is_refused)
{
	const char *enc = NULL;
	/* 0xFF is a lead byte in neither; a UTF-16 file has NULs */
	ck_assert_ptr_null(wp_text_to_utf8("ab\xff", 3, &enc, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "neither UTF-8 nor Shift_JIS"));
	ck_assert_ptr_null(wp_text_to_utf8("a\0b\0", 4, &enc, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "NUL"));
	/* a lead byte cut off at the end is neither */
	ck_assert_ptr_null(wp_text_to_utf8("ab\xe5", 3, &enc, err, sizeof(err)));
}
END_TEST

START_TEST(row_by_serial_with_quotes)
{
	struct wp_lease_row r;
	const char *csv = "pc_serial,asset_tag,lease_contract,owner,confidentiality\r\n"
			  "PC-1,A-1,L-1,総務部,社外秘\r\n"
			  "\"PC-2\",A-2,\"L-2, \"\"第三\"\"\",\"営業部\n第二課\",極秘\r\n"
			  "PC-3,A-3\r\n";
	ck_assert_int_eq(wp_lease_find(csv, "PC-2", &r), 1);
	ck_assert_str_eq(r.asset_tag, "A-2");
	ck_assert_str_eq(r.lease_contract, "L-2, \"第三\"");
	ck_assert_str_eq(r.owner, "営業部\n第二課");
	ck_assert_str_eq(r.confidentiality, "極秘");
	ck_assert_uint_eq(r.line, 3);
	ck_assert_int_eq(wp_lease_find(csv, "PC-3", &r), 1);
	ck_assert_str_eq(r.lease_contract, "");
	/* the header is not a row; a prefix is not the serial */
	ck_assert_int_eq(wp_lease_find(csv, "pc_serial", &r), 0);
	ck_assert_int_eq(wp_lease_find(csv, "PC-", &r), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("lease");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, cp932_is_converted);
	tcase_add_test(tc, utf8_is_kept_and_bom_dropped);
	tcase_add_test(tc, neither_is_refused);
	tcase_add_test(tc, row_by_serial_with_quotes);
	suite_add_tcase(s, tc);
	return wp_run_suite(s);
}
