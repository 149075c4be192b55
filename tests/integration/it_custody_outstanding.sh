#!/bin/bash
# Outstanding items and the stocktake (R14 leaver return, R15 yearly
# inventory by serial, R16 per owner): `custody show --open` lists what is
# not released, by owner; `custody stocktake` compares the assets on record
# with the disks attached now (loop devices this test creates; other
# disks on the machine are only ever listed, never written).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people

wp_make_loop d1 $((8 << 20))
wp_make_loop d2 $((8 << 20))
wp_make_loop d3 $((8 << 20))
wp_make_loop d4 $((8 << 20))
s4=$(wp_serial "$d4")
[ -n "$s4" ] || fail "no serial for $d4"

expect_exit 0 custody intake --as "$OPERATOR" --asset A1 --device "$d1" --owner 営業部 --reason leaver-return
expect_exit 0 custody intake --as "$OPERATOR" --asset A2 --device "$d2" --owner 開発部
expect_exit 0 custody intake --as "$OPERATOR" --asset A3 --serial GONE-1 --model M --owner 営業部
expect_exit 0 custody intake --as "$OPERATOR" --asset A4 --device "$d3" --owner 開発部
expect_exit 0 custody take-out --as "$OPERATOR" --asset A4 --destination 出張 --purpose 顧客説明 \
	--permitted-by "$APPROVER"
expect_exit 0 custody intake --as "$OPERATOR" --asset A5 --serial DONE-1 --model M --owner 営業部
expect_exit 0 custody request --as "$OPERATOR" --asset A5
expect_exit 0 custody approve --as "$APPROVER" --asset A5 --for destroy,release
expect_exit 0 custody destroy --as "$OPERATOR" --asset A5 --method shred --witness "$WITNESS"
expect_exit 0 custody release --as "$OPERATOR" --asset A5 --to dispose

expect_exit 0 custody show --open --json
[ "$(jq -r .count <<<"$OUT")" = 4 ] || fail "open count: $OUT"
[ "$(jq -r '[.owners[].owner] | join(",")' <<<"$OUT")" = "営業部,開発部" ] || fail "owners"
[ "$(jq -r '.owners[0].assets | map(.asset) | join(",")' <<<"$OUT")" = "A1,A3" ] || fail "営業部's"
[ "$(jq -r '.owners[1].assets[] | select(.asset == "A4") | .whereabouts' <<<"$OUT")" = taken-out ] ||
	fail "A4 whereabouts"
expect_exit 0 custody show --open --owner 営業部
expect_in "2 assets not yet released" "$OUT"
expect_in "A1" "$OUT"
case "$OUT" in *A5*) fail "a released asset is listed as open" ;; esac
expect_exit 2 custody show A1 --open

# the stocktake: A1, A2 here; A3 missing; A4 out but attached; d4 on no tag
expect_exit 1 custody stocktake --json
st=$OUT
has() { jq -e --arg k "$1" --arg a "$2" '.[$k] | map(.asset) | index($a)' <<<"$st" >/dev/null; }
has present A1 || fail "A1 not present"
has present A2 || fail "A2 not present"
has missing A3 || fail "A3 not missing"
has unexpected A4 || fail "A4 (taken out, attached) not flagged"
jq -e --arg s "$s4" '.unrecorded | map(.serial) | index($s)' <<<"$st" >/dev/null ||
	fail "$d4 not reported as not on record"
! has present A5 && ! has missing A5 || fail "a released asset in the stocktake"
expect_exit 1 custody stocktake
expect_in "MISSING (on record here, not attached): 1" "$OUT"
expect_exit 2 custody stocktake --record --json
expect_exit 1 custody stocktake --record --as "$OPERATOR"
expect_in "recorded seq" "$OUT"
expect_exit 0 custody log --json
ev=$(jq -c '.events[-1]' <<<"$OUT")
[ "$(jq -r .kind <<<"$ev")" = stocktake ] || fail "no stocktake event"
[ "$(jq -r '.body.missing | join(",")' <<<"$ev")" = A3 ] || fail "recorded missing"
jq -e --arg s "$s4" '.body.unrecorded | index($s)' <<<"$ev" >/dev/null || fail "recorded unrecorded"
expect_exit 0 custody verify
echo "ok: outstanding items and stocktake"
