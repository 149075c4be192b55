#!/bin/bash
# The planner on a loop device: overwrite (random), NIST Clear, and why;
# --level purge is refused with the reason (exit 3) by plan and by wipe;
# a firmware method on a loop device is refused and nothing is written;
# list --json carries the capability fields; the job report carries the
# NIST category.
. "$(dirname "$0")/lib.sh"

wp_make_loop dev $((16 << 20))

expect_exit 0 "$WIPEPROOF" plan "$dev"
expect_in "random" "$OUT"
expect_in "Clear" "$OUT"
expect_in "loop device is a file" "$OUT"
expect_in "no firmware command is sent" "$OUT"

expect_exit 0 "$WIPEPROOF" plan "$dev" --json
[ "$(echo "$OUT" | jq -r .method)" = random ] || fail "plan --json method: $OUT"
[ "$(echo "$OUT" | jq -r .nist_category)" = Clear ] || fail "plan --json category"
echo "$OUT" | jq -e '.reason | test("loop device")' >/dev/null || fail "plan --json reason"
[ "$(echo "$OUT" | jq -r .capabilities.command_set)" = none ] || fail "loop got a command set"

expect_exit 3 "$WIPEPROOF" plan "$dev" --level purge
expect_in "no method reaches Purge" "$ERR"
expect_in "loop device is a file" "$ERR"
expect_exit 3 "$WIPEPROOF" plan "$dev" --level purge --json
[ "$(echo "$OUT" | jq -r .method)" = null ] || fail "refused plan has a method"
echo "$OUT" | jq -e '.refusal | test("Purge")' >/dev/null || fail "refusal missing"
expect_exit 0 "$WIPEPROOF" plan "$dev" --level clear
expect_in "Clear" "$OUT"
expect_exit 2 "$WIPEPROOF" plan "$dev" --level destroy
expect_in "clear or purge" "$ERR"

# every firmware method is refused on a loop device, before anything is written
wp_fill_marker "$dev"
blocks=$(wp_count_marker "$dev")
for method in nvme-format-user ata-secure-erase scsi-sanitize-crypto secure-discard; do
	expect_exit 3 wp_wipe "$dev" --method "$method" --report "$WP_TMP/fw.json"
	expect_in "refusing to wipe $dev" "$ERR"
	expect_in "$method is not possible" "$ERR"
	expect_in "nothing was written" "$ERR"
	[ ! -e "$WP_TMP/fw.json" ] || fail "$method: a report was written"
	[ "$(wp_count_marker "$dev")" -eq "$blocks" ] || fail "$method: the device was written"
done
expect_exit 3 wp_wipe "$dev" --level purge
expect_in "no method reaches Purge" "$ERR"
[ "$(wp_count_marker "$dev")" -eq "$blocks" ] || fail "--level purge: the device was written"
expect_exit 3 "$WIPEPROOF" plan "$dev" --method nvme-sanitize-crypto
expect_in "not possible on this device" "$ERR"

# list --json: capabilities per device, every method with supported and reason
expect_exit 0 "$WIPEPROOF" list --json
entry=$(echo "$OUT" | jq --arg p "$dev" '.devices[] | select(.path == $p)')
for field in command_set probed methods hidden_areas note; do
	echo "$entry" | jq -e --arg f "$field" '.capabilities | has($f)' >/dev/null ||
		fail "capabilities.$field missing: $entry"
done
# every firmware method: 14 for disks, 3 for optical discs (issue 17 item 9)
[ "$(echo "$entry" | jq '.capabilities.methods | length')" -eq 17 ] || fail "method count"
[ "$(echo "$entry" | jq '[.capabilities.methods[] | select(.supported)] | length')" -eq 0 ] ||
	fail "a firmware method is offered on a loop device"
echo "$entry" | jq -e '.capabilities.methods[] | select(.method == "nvme-format-user") |
	.reason | test("no firmware command")' >/dev/null || fail "reason missing"
expect_exit 0 "$WIPEPROOF" list
expect_in "FIRMWARE ERASE" "$OUT"

# wipe without --method follows the plan: random, Clear, in the report
report="$WP_TMP/job.json"
expect_exit 0 wp_wipe "$dev" --verify sample --report "$report"
[ "$(jq -r .method "$report")" = random ] || fail "default method"
[ "$(jq -r .nist_category "$report")" = Clear ] || fail "nist_category in report"
jq -e '.plan_reason | test("loop device")' "$report" >/dev/null || fail "plan_reason"
[ "$(wp_count_marker "$dev")" -eq 0 ] || fail "marker left after the wipe"

# --remove-hpa on a disk without a Host Protected Area changes nothing
expect_exit 0 wp_wipe "$dev" --remove-hpa --method zero --verify sample --report "$report"
[ "$(jq -r .result "$report")" = sanitized ] || fail "--remove-hpa on a loop device"
echo "1 passed, 0 failed"
