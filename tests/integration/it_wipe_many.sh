#!/bin/bash
# Several disks in one command: all checked and confirmed before any is
# written; they run at once; one failing mid-wipe (ENOSPC from a full
# tmpfs under its loop device) ends 'failed' with the offset while the
# others still end sanitized and verified, each with its own report.
. "$(dirname "$0")/lib.sh"

wp_make_loop a $((24 << 20))
wp_make_loop b $((40 << 20)) 4096
wp_make_full_loop bad $((32 << 20)) $((8 << 20))
for d in "$a" "$b"; do wp_fill_marker "$d"; done
sa=$(wp_serial "$a"); sb=$(wp_serial "$b"); sbad=$(wp_serial "$bad")
blocks_a=$(wp_count_marker "$a")
mkdir "$WP_TMP/reports"

# one wrong serial refuses every disk, and nothing is written
expect_exit 3 "$WIPEPROOF" wipe "$a" "$b" --confirm-serial "$sa" --confirm-serial WRONG
expect_in "does not match" "$ERR"
expect_in "no disk was written" "$ERR"
[ "$(wp_count_marker "$a")" -eq "$blocks_a" ] || fail "first disk written despite refusal"

# the same disk twice is refused
expect_exit 2 "$WIPEPROOF" wipe "$a" "$a" --confirm-serial "$sa" --confirm-serial "$sa"
expect_in "same disk" "$ERR"
[ "$(wp_count_marker "$a")" -eq "$blocks_a" ] || fail "disk written despite duplicate"

# serial count must match the device count
expect_exit 2 "$WIPEPROOF" wipe "$a" "$b" --confirm-serial "$sa"
expect_in "once per device" "$ERR"

for d in "$a" "$b" "$bad"; do wp_ours "$d"; done
expect_exit 1 "$WIPEPROOF" wipe "$a" "$bad" "$b" --chunk 1M \
	--confirm-serial "$sa" --confirm-serial "$sbad" --confirm-serial "$sb" \
	--report-dir "$WP_TMP/reports"
# summary table: one row per disk
expect_in "DEVICE" "$OUT"
row_a=$(grep "^$a " <<<"$OUT") || fail "no summary row for $a: $OUT"
row_b=$(grep "^$b " <<<"$OUT") || fail "no summary row for $b: $OUT"
row_bad=$(grep "^$bad " <<<"$OUT") || fail "no summary row for $bad: $OUT"
expect_in sanitized "$row_a"
expect_in sanitized "$row_b"
expect_in FAILED "$row_bad"
expect_in "No space left on device" "$ERR"

# each disk has its own report, named by serial
[ "$(ls "$WP_TMP/reports" | wc -l)" -eq 3 ] || fail "expected 3 reports: $(ls "$WP_TMP/reports")"
ra=$(ls "$WP_TMP/reports/$sa"-*.json) || fail "no report for $sa"
rb=$(ls "$WP_TMP/reports/$sb"-*.json) || fail "no report for $sb"
rbad=$(ls "$WP_TMP/reports/$sbad"-*.json) || fail "no report for $sbad"
for r in "$ra" "$rb"; do
	[ "$(jq -r .result "$r")" = sanitized ] || fail "$r: not sanitized"
	[ "$(jq -r .verification.mode "$r")" = full ] || fail "$r: not fully verified"
	[ "$(jq -r .verification.coverage_percent "$r")" = 100 ] || fail "$r: coverage"
done
[ "$(jq -r .result "$rbad")" = failed ] || fail "failing disk not 'failed'"
off=$(jq -r .stopped_at.offset "$rbad")
written=$(jq -r '.passes[0].bytes_written' "$rbad")
# the tmpfs holds 8 MiB: the failure is at or a little before that point
[ "$off" -gt $((4 << 20)) ] && [ "$off" -le $((8 << 20)) ] || fail "failure offset $off not near 8 MiB"
[ "$written" -eq "$off" ] || fail "bytes_written $written differs from stop offset $off"
[ "$(jq -r .stopped_at.phase "$rbad")" = write ] || fail "failing disk: wrong phase"

# nothing of the old data remains on the good disks, and they verify again
[ "$(wp_count_marker "$a")" -eq 0 ] || fail "marker left on $a"
[ "$(wp_count_marker "$b")" -eq 0 ] || fail "marker left on $b"
expect_exit 0 "$WIPEPROOF" verify "$a" --report "$ra"
expect_exit 0 "$WIPEPROOF" verify "$b" --report "$rb"

# --json: progress lines name their device, then one report line per disk
expect_exit 0 "$WIPEPROOF" wipe "$a" "$b" --method zero --verify sample --json \
	--confirm-serial "$sa" --confirm-serial "$sb"
[ "$(grep -c '"event":"progress"' <<<"$OUT")" -ge 2 ] || fail "no progress lines"
grep '"event":"progress"' <<<"$OUT" | jq -e --arg a "$a" --arg b "$b" \
	'select(.device != $a and .device != $b)' >/dev/null && fail "progress for an unknown device"
[ "$(grep -v '"event"' <<<"$OUT" | jq -r .result | sort | uniq -c | awk '{print $1, $2}')" = "2 sanitized" ] ||
	fail "expected two sanitized reports: $OUT"
echo "1 passed, 0 failed"
