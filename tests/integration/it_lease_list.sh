#!/bin/bash
# The boot stick's lease list (wipeproof lease): a real Shift_JIS (CP932)
# file, made on the host with iconv(1) from a UTF-8 one, gives the same row
# as the UTF-8 file (JSON compared with jq); a PC not in the list exits 3; a
# file in neither encoding is refused by name. No disk is touched.
. "$(dirname "$0")/lib.sh"
command -v iconv >/dev/null || fail "iconv is missing"
cat >"$WP_TMP/utf8.csv" <<'CSV'
pc_serial,asset_tag,lease_contract,owner,confidentiality
PC-OTHER,PC-0001,L-1,総務部,社外秘
PC-LEASE-0042,PC-0042,"L-2026-042 (東京センチュリー 第三契約)",営業部 第二課 ①,極秘
CSV
iconv -f UTF-8 -t CP932 "$WP_TMP/utf8.csv" >"$WP_TMP/sjis.csv" || fail "iconv to CP932"
cmp -s "$WP_TMP/utf8.csv" "$WP_TMP/sjis.csv" && fail "the Shift_JIS file is the UTF-8 one"
expect_exit 0 "$WIPEPROOF" lease "$WP_TMP/sjis.csv" --serial PC-LEASE-0042
sj=$OUT
expect_exit 0 "$WIPEPROOF" lease "$WP_TMP/utf8.csv" --serial PC-LEASE-0042
u8=$OUT
[ "$(jq -r .encoding <<<"$sj")" = "Shift_JIS (CP932)" ] || fail "not read as Shift_JIS: $sj"
[ "$(jq -r .encoding <<<"$u8")" = "UTF-8" ] || fail "not read as UTF-8: $u8"
[ "$(jq -c 'del(.encoding)' <<<"$sj")" = "$(jq -c 'del(.encoding)' <<<"$u8")" ] ||
	fail "the Shift_JIS row differs: $sj vs $u8"
[ "$(jq -r .owner <<<"$sj")" = "営業部 第二課 ①" ] || fail "owner: $sj"
[ "$(jq -r .lease_contract <<<"$sj")" = "L-2026-042 (東京センチュリー 第三契約)" ] || fail "contract: $sj"
[ "$(jq -r .asset_tag <<<"$sj")" = PC-0042 ] || fail "asset tag: $sj"
expect_exit 3 "$WIPEPROOF" lease "$WP_TMP/sjis.csv" --serial PC-NOT-LEASED
expect_in "PC-NOT-LEASED is not in the lease list" "$ERR"
printf 'pc_serial\n\xff\xfe\n' >"$WP_TMP/bad.csv"
expect_exit 1 "$WIPEPROOF" lease "$WP_TMP/bad.csv" --serial x
expect_in "neither UTF-8 nor Shift_JIS" "$ERR"
echo "ok: lease list"
