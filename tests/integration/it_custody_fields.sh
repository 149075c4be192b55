#!/bin/bash
# The ledger fields of Co-Std Art.5(1) (R21): introduction date, maker,
# seller (販売店), use (用途), warranty (保証書). The maker is what the disk
# names in a standard field or what its label says (maker_source label); it
# is never guessed from the model's first word, so the certificate of a
# disk with no recorded maker says "unknown".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people

wp_make_loop d1 $((8 << 20))
expect_exit 3 custody intake --as "$OPERATOR" --asset PC-F0 --serial F0 --model M --introduced 2099-04-01
expect_in "cannot be in the future" "$ERR"
expect_exit 3 custody intake --as "$OPERATOR" --asset PC-F0 --serial F0 --model M --introduced 2021-02-29
expect_in "not a date" "$ERR"
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-F1 --serial F1 --model "Samsung SSD 870" \
	--introduced 2020-04-01 --maker "Samsung Electronics" --seller 大塚商会 --use 経理サーバ \
	--warranty "保証書 W-123 (2025-03-31まで)" --owner 経理部
expect_exit 0 custody show PC-F1 --json
[ "$(jq -r .introduced <<<"$OUT")" = 2020-04-01 ] || fail introduced
[ "$(jq -r .maker <<<"$OUT")" = "Samsung Electronics" ] || fail maker
[ "$(jq -r .maker_source <<<"$OUT")" = label ] || fail "maker source"
[ "$(jq -r .seller <<<"$OUT")" = 大塚商会 ] || fail seller
[ "$(jq -r .use <<<"$OUT")" = 経理サーバ ] || fail use
[ "$(jq -r .warranty <<<"$OUT")" = "保証書 W-123 (2025-03-31まで)" ] || fail warranty
expect_exit 0 custody show PC-F1
expect_in "introduced      2020-04-01" "$OUT"
expect_in "seller          大塚商会" "$OUT"
# the 台帳 export carries them
expect_exit 0 custody export --format csv
expect_in "大塚商会" "$OUT"
expect_in "経理サーバ" "$OUT"

# a loop file names no maker: none is recorded, unless its label gives one
expect_exit 0 custody intake --as "$OPERATOR" --asset USB-F2 --device "$d1"
expect_exit 0 custody log --asset USB-F2 --json
[ "$(jq -r '.events[0].body.maker // "none"' <<<"$OUT")" = none ] || fail "a maker guessed for a loop"

# the certificate's manufacturer is the recorded maker, never the model's first word
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-F3 --serial F3 --model "Samsung SSD 870"
for a in PC-F1 PC-F3; do
	expect_exit 0 custody request --as "$OPERATOR" --asset $a
	expect_exit 0 custody approve --as "$APPROVER" --asset $a --for destroy,release
	expect_exit 0 custody destroy --as "$OPERATOR" --asset $a --method crush --witness "$WITNESS"
	mkdir "$WP_TMP/$a"
	expect_exit 0 "$WIPEPROOF" cert issue --asset $a --as "$OPERATOR" --output "$WP_TMP/$a"
done
[ "$(jq -r .media.manufacturer "$WP_TMP"/PC-F1/cert-*.json)" = "Samsung Electronics" ] ||
	fail "certificate maker of PC-F1"
[ "$(jq -r .media.manufacturer "$WP_TMP"/PC-F3/cert-*.json)" = "unknown" ] ||
	fail "certificate maker of PC-F3 was guessed: $(jq -r .media.manufacturer "$WP_TMP"/PC-F3/cert-*.json)"
expect_exit 0 custody verify
echo "ok: ledger fields of Co-Std Art.5"
