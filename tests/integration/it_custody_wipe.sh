#!/bin/bash
# Wipes recorded in the custody ledger (`wipe --asset`): the full lifecycle
# intake → request → approve → wipe → verified → release lease-return on a
# real loop device; refusals before anything is written (no approval, the
# wrong disk for the asset, a released asset); two wipeproof processes and
# one two-disk command appending at the same time, all landing on a chain
# that verifies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people

wp_make_loop d1 $((24 << 20))
wp_make_loop d2 $((24 << 20))
wp_make_loop d3 $((16 << 20))
wp_make_loop d4 $((16 << 20))
for d in "$d1" "$d2" "$d3" "$d4"; do wp_fill_marker "$d"; done
s1=$(wp_serial "$d1"); s2=$(wp_serial "$d2"); s3=$(wp_serial "$d3"); s4=$(wp_serial "$d4")
blocks1=$(wp_count_marker "$d1")

expect_exit 0 custody intake --as "$OPERATOR" --asset PC-1 --device "$d1" --owner 営業部 \
	--lease-contract L-7 --lease-end 2026-12-31 --reason lease-end
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-2 --device "$d2" --reason lease-end
expect_exit 0 custody request --as "$OPERATOR" --asset PC-1

# no approval yet: refused before the serial is even asked, nothing written
wp_ours "$d1"
expect_exit 3 "$WIPEPROOF" wipe "$d1" --asset PC-1 --as "$OPERATOR" --confirm-serial "$s1"
expect_in "no approval" "$ERR"
[ "$(wp_count_marker "$d1")" -eq "$blocks1" ] || fail "wiped without approval"
# the wrong disk is named as such even before the approval
wp_ours "$d2"
expect_exit 3 "$WIPEPROOF" wipe "$d2" --asset PC-1 --as "$OPERATOR" --confirm-serial "$s2"
expect_in "not that asset's disk" "$ERR"
# --asset needs a person
expect_exit 2 "$WIPEPROOF" wipe "$d1" --asset PC-1 --confirm-serial "$s1"
expect_in "--as PERSON" "$ERR"

expect_exit 0 custody approve --as "$APPROVER" --asset PC-1
# the disk of PC-2 is not the disk of PC-1 (R15)
wp_ours "$d2"
expect_exit 3 "$WIPEPROOF" wipe "$d2" --asset PC-1 --as "$OPERATOR" --confirm-serial "$s2"
expect_in "PC-1" "$ERR"
expect_in "$s1" "$ERR"
# an auditor may not record a wipe
expect_exit 3 "$WIPEPROOF" wipe "$d1" --asset PC-1 --as "$AUDITOR" --confirm-serial "$s1"
[ "$(wp_count_marker "$d1")" -eq "$blocks1" ] || fail "disk written after refusals"
head_before=$(custody head)

# the wipe itself: report next to the ledger, its digest in wipe-end
wp_ours "$d1"
expect_exit 0 "$WIPEPROOF" wipe "$d1" --asset PC-1 --as "$OPERATOR" --confirm-serial "$s1"
expect_in sanitized "$OUT"
[ "$(wp_count_marker "$d1")" -eq 0 ] || fail "marker left on $d1"
expect_exit 0 custody log --asset PC-1 --json
kinds=$(jq -r '[.events[].kind] | join(" ")' <<<"$OUT")
[ "$kinds" = "intake request approve wipe-start wipe-end verified certificate" ] ||
	fail "events: $kinds"
end=$(jq -c '.events[] | select(.kind == "wipe-end") | .body' <<<"$OUT")
verified=$(jq -c '.events[] | select(.kind == "verified") | .body' <<<"$OUT")
report=$(jq -r .report <<<"$end")
[ -f "$report" ] || fail "report $report not kept"
case "$report" in "$WP_TMP/reports/$s1"-*.json) ;; *) fail "report not next to the ledger: $report" ;; esac
[ "$(jq -r .result <<<"$end")" = sanitized ] || fail "wipe-end result: $end"
[ "$(jq -r .report_sha256 <<<"$end")" = "$(sha256sum "$report" | cut -d' ' -f1)" ] ||
	fail "report digest in the ledger differs from the file"
[ "$(jq -r .job_id <<<"$end")" = "$(jq -r .job_id "$report")" ] || fail "job id"
[ "$(jq -r .mode <<<"$verified")" = full ] || fail "verified mode: $verified"
[ "$(jq -r .coverage_percent <<<"$verified")" = "100.0" ] || fail "coverage: $verified"
[ "$(jq -r .actor.name <<<"$(jq -c '.events[3]' <<<"$OUT")")" = "$OPERATOR" ] || fail "actor"

expect_exit 0 custody release --as "$OPERATOR" --asset PC-1 --to lease-return
expect_exit 0 custody show PC-1
expect_in "released" "$OUT"
expect_exit 0 custody verify
# a released asset is not wiped again
wp_fill_marker "$d1"
expect_exit 3 "$WIPEPROOF" wipe "$d1" --asset PC-1 --as "$OPERATOR" --confirm-serial "$s1"
expect_in "released" "$ERR"
[ "$(wp_count_marker "$d1")" -gt 0 ] || fail "released asset wiped"

# USB quick wipes: a ledger whose policy needs no approval
expect_exit 0 custody init --as "$APPROVER" --no-approval-required
expect_exit 0 custody intake --as "$OPERATOR" --asset USB-3 --device "$d3" --reason reuse
expect_exit 0 custody intake --as "$OPERATOR" --asset USB-4 --device "$d4" --reason reuse

# two processes at once (PC-2 and USB-3), then one command with two disks
expect_exit 0 custody request --as "$OPERATOR" --asset PC-2
expect_exit 0 custody approve --as "$APPROVER2" --asset PC-2
for d in "$d2" "$d3"; do wp_ours "$d"; done
"$WIPEPROOF" wipe "$d2" --asset PC-2 --as "$OPERATOR" --confirm-serial "$s2" --method zero \
	>"$WP_TMP/p2.out" 2>&1 &
p2=$!
"$WIPEPROOF" wipe "$d3" --asset USB-3 --as "$OPERATOR2" --confirm-serial "$s3" --method zero \
	>"$WP_TMP/p3.out" 2>&1 &
p3=$!
wait "$p2" || fail "wipe of PC-2 failed: $(cat "$WP_TMP/p2.out")"
wait "$p3" || fail "wipe of USB-3 failed: $(cat "$WP_TMP/p3.out")"
expect_exit 0 custody show USB-4
wp_fill_marker "$d3"
for d in "$d3" "$d4"; do wp_ours "$d"; done
expect_exit 3 "$WIPEPROOF" wipe "$d3" "$d4" --asset USB-3 --asset USB-4 --as "$OPERATOR" \
	--confirm-serial "$s3" --confirm-serial WRONG
expect_in "no disk was written" "$ERR"
[ "$(wp_count_marker "$d3")" -gt 0 ] || fail "first disk written although the batch was refused"
expect_exit 0 "$WIPEPROOF" wipe "$d3" "$d4" --asset USB-3 --asset USB-4 --as "$OPERATOR" \
	--confirm-serial "$s3" --confirm-serial "$s4" --verify sample
for a in PC-2 USB-3 USB-4; do
	expect_exit 0 custody log --asset "$a" --json
	[ "$(jq '[.events[] | select(.kind == "verified")] | length' <<<"$OUT")" -ge 1 ] ||
		fail "$a: no verified event"
done
expect_exit 0 custody log --asset USB-3 --json
[ "$(jq '[.events[] | select(.kind == "wipe-end")] | length' <<<"$OUT")" -eq 2 ] ||
	fail "USB-3: expected two wipes"
expect_exit 0 custody verify
expect_in "verifies" "$OUT"
expect_exit 0 custody log --json
[ "$(jq '[.events[].seq] == [range(1; (.events | length) + 1)]' <<<"$OUT")" = true ] ||
	fail "seq not contiguous"
# the head moved on from before the wipes, and an anchor from then still holds
expect_exit 0 custody verify --anchor "$head_before"
echo "ok: wipes in the custody ledger"
