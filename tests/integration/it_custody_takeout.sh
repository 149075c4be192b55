#!/bin/bash
# Take-out and return (持出/返却, R19: Co-Std Art.21(1)(4), Co-Reg 3.2): the
# department head permits and signs the take-out, which records who, to
# where, why, when out and when due back; while the medium is out nothing
# is done to it (no wipe, release, hand-over) until its return, and the
# return must be the same disk.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people

wp_make_loop d1 $((8 << 20))
wp_make_loop d2 $((8 << 20))
wp_fill_marker "$d1"
s1=$(wp_serial "$d1")
blocks1=$(wp_count_marker "$d1")
today=$(date -u +%F)

expect_exit 0 custody intake --as "$OPERATOR" --asset USB-T1 --device "$d1" --owner 営業部
expect_exit 0 custody request --as "$OPERATOR" --asset USB-T1
expect_exit 0 custody approve --as "$APPROVER" --asset USB-T1

# the permission is a signature, not a typed name
expect_exit 2 custody take-out --as "$OPERATOR" --asset USB-T1 --destination 顧客先 --purpose 展示会
expect_in "--permitted-by PERSON" "$ERR"
expect_exit 3 custody take-out --as "$OPERATOR" --asset USB-T1 --destination 顧客先 \
	--purpose 展示会 --permitted-by "$WITNESS"
expect_in "must have role approver" "$ERR"
expect_exit 3 custody take-out --as "$APPROVER" --asset USB-T1 --destination 顧客先 \
	--purpose 展示会 --permitted-by "$APPROVER"
expect_in "cannot permit their own take-out" "$ERR"
expect_exit 2 custody take-out --as "$OPERATOR" --asset USB-T1 --permitted-by "$APPROVER2" \
	--purpose 展示会
expect_in "--destination" "$ERR"
expect_exit 3 custody take-out --as "$OPERATOR" --asset USB-T1 --destination 顧客先 \
	--purpose 展示会 --permitted-by "$APPROVER2" --permitted-on 2099-01-01
expect_in "cannot be in the future" "$ERR"
expect_exit 0 custody take-out --as "$OPERATOR" --asset USB-T1 --destination "顧客先 株式会社A" \
	--purpose 展示会 --permitted-by "$APPROVER2" --permitted-on "$today" --due-back 2099-01-31
expect_in "take-out USB-T1" "$OUT"

expect_exit 0 custody show USB-T1 --json
[ "$(jq -r .status <<<"$OUT")" = taken-out ] || fail "status is not taken-out"
ev=$(jq -c '.events[-1]' <<<"$OUT")
[ "$(jq -r .kind <<<"$ev")" = take-out ] || fail "last event"
[ "$(jq -r .witness.name <<<"$ev")" = "$APPROVER2" ] || fail "the permitting head did not sign"
[ "$(jq -r .witness.title <<<"$ev")" = 総務部長 ] || fail "permitter's title"
[ "$(jq -r .actor.name <<<"$ev")" = "$OPERATOR" ] || fail "taker's name"
[ "$(jq -r .actor.title <<<"$ev")" = 係員 ] || fail "taker's title"
[ "$(jq -r .body.destination <<<"$ev")" = "顧客先 株式会社A" ] || fail "destination"
[ "$(jq -r .body.due_back <<<"$ev")" = 2099-01-31 ] || fail "due back"
[ "$(jq -r .body.permitted_on <<<"$ev")" = "$today" ] || fail "permission date"
[ -n "$(jq -r .time <<<"$ev")" ] || fail "time out"

# the 台帳 row: destination in the result column, the permitting head beside it
expect_exit 0 custody export --format csv
row=$(grep 'take-out' <<<"$OUT")
expect_in "顧客先 株式会社A" "$row"
expect_in "$APPROVER2" "$row"

# out: nothing is done to it, and nothing is written to a disk with its serial
wp_ours "$d1"
expect_exit 3 "$WIPEPROOF" wipe "$d1" --asset USB-T1 --as "$OPERATOR" --confirm-serial "$s1"
expect_in "is taken out" "$ERR"
expect_in "record its return first" "$ERR"
[ "$(wp_count_marker "$d1")" -eq "$blocks1" ] || fail "a taken-out asset's disk was written"
expect_exit 3 custody release --as "$OPERATOR" --asset USB-T1 --to reuse
expect_in "is taken out" "$ERR"
expect_exit 3 custody transfer --as "$OPERATOR" --asset USB-T1 --vendor 回収業者
expect_in "is taken out" "$ERR"
expect_exit 0 custody note --as "$OPERATOR" --asset USB-T1 --text "展示会で使用中"

# the return is the same medium
expect_exit 3 custody return --as "$OPERATOR2" --asset USB-T1 --device "$d2"
expect_in "not the medium that was taken out" "$ERR"
expect_exit 0 custody return --as "$OPERATOR2" --asset USB-T1 --device "$d1"
expect_exit 3 custody return --as "$OPERATOR2" --asset USB-T1
expect_in "is not taken out" "$ERR"
expect_exit 0 custody show USB-T1 --json
[ "$(jq -r .status <<<"$OUT")" = approved ] || fail "status after return"
[ "$(jq -r '.events[-1].body.serial' <<<"$OUT")" = "$s1" ] || fail "return records the serial"

# back: the wipe runs
expect_exit 0 wp_wipe "$d1" --asset USB-T1 --as "$OPERATOR" --method zero --verify full
expect_exit 0 custody verify
echo "ok: take-out and return"
