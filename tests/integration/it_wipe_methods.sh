#!/bin/bash
# Every method overwrites a marker-filled loop device completely: no 4 KiB
# block of the marker remains, the final pattern is on the medium, and the
# job report says sanitized with full verification.
. "$(dirname "$0")/lib.sh"

wp_make_loop dev $((16 << 20))
size=$(blockdev --getsize64 "$dev")
for method in zero ones random random-zero dod3; do
	wp_fill_marker "$dev"
	[ "$(wp_count_marker "$dev")" -eq $((size / 4096)) ] || fail "marker not written"
	report="$WP_TMP/$method.json"
	expect_exit 0 wp_wipe "$dev" --method "$method" --verify full --report "$report"
	expect_in "sanitized" "$OUT"
	left=$(wp_count_marker "$dev")
	[ "$left" -eq 0 ] || fail "$method left $left marker blocks"
	[ "$(jq -r .result "$report")" = sanitized ] || fail "$method: report result"
	[ "$(jq -r .method "$report")" = "$method" ] || fail "$method: report method"
	[ "$(jq -r .verification.bytes_checked "$report")" -eq "$size" ] || fail "$method: not fully verified"
	[ "$(jq -r '.passes | length' "$report")" -eq "$(jq -n --arg m "$method" \
		'{"zero":1,"ones":1,"random":1,"random-zero":2,"dod3":3}[$m]')" ] || fail "$method: pass count"
	case $method in
		zero | random-zero) cmp -s -n "$size" "$dev" /dev/zero || fail "$method: device is not all zeros" ;;
		ones) head -c "$size" /dev/zero | tr '\0' '\377' | cmp -s - "$dev" || fail "ones: device is not all 0xFF" ;;
		random | dod3)
			# random data: nothing like the constant patterns, and verify agrees
			cmp -s -n 4096 "$dev" /dev/zero && fail "$method: device reads as zeros"
			expect_exit 0 "$WIPEPROOF" verify "$dev" --report "$report"
			expect_in "MATCH" "$OUT" ;;
	esac
	echo "ok: $method"
done
echo "1 passed, 0 failed"
