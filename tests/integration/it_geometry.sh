#!/bin/bash
# Devices whose size is not a multiple of the 4 MiB chunk, and 4096-byte
# logical sectors, wipe and verify completely; sample verification covers
# at least 10 % including the first and last MiB.
. "$(dirname "$0")/lib.sh"

check() {
	local dev=$1 lbs=$2 size report="$WP_TMP/geo-$2.json"
	size=$(blockdev --getsize64 "$dev")
	[ "$(blockdev --getss "$dev")" -eq "$lbs" ] || fail "sector size of $dev"
	wp_fill_marker "$dev"
	expect_exit 0 wp_wipe "$dev" --method random --verify full --report "$report"
	[ "$(wp_count_marker "$dev")" -eq 0 ] || fail "marker left on $lbs-byte device"
	[ "$(jq -r .device.logical_block_size "$report")" -eq "$lbs" ] || fail "lbs in report"
	[ "$(jq -r .device.size_bytes "$report")" -eq "$size" ] || fail "size in report"
	[ "$(jq -r '.passes[0].bytes_written' "$report")" -eq "$size" ] || fail "bytes written"
	[ "$(jq -r .verification.bytes_checked "$report")" -eq "$size" ] || fail "bytes verified"
	# the last block of the device: flip it and verify must name it
	wp_flip_byte "$dev" $((size - 1))
	expect_exit 4 "$WIPEPROOF" verify "$dev" --report "$report"
	expect_in "$((size - 1))" "$OUT"
	echo "ok: $lbs-byte sectors, $size bytes"
}

wp_make_loop odd $(((64 << 20) + 4096))
check "$odd" 512
wp_make_loop big_sectors $(((64 << 20) + 8192)) 4096
check "$big_sectors" 4096

# sample verification: >= 10 %, first and last MiB, reproducible from report
wp_make_loop dev $((256 << 20))
expect_exit 0 wp_wipe "$dev" --method zero --verify sample --report "$WP_TMP/s.json"
pct=$(jq -r .verification.coverage_percent "$WP_TMP/s.json")
awk -v p="$pct" 'BEGIN { exit !(p >= 10 && p < 100) }' || fail "sample coverage $pct"
[ "$(jq -r .verification.mode "$WP_TMP/s.json")" = sample ] || fail "sample mode"
expect_exit 0 "$WIPEPROOF" verify "$dev" --report "$WP_TMP/s.json" --verify sample
wp_flip_byte "$dev" 100
expect_exit 4 "$WIPEPROOF" verify "$dev" --report "$WP_TMP/s.json" --verify sample
echo "1 passed, 0 failed"
