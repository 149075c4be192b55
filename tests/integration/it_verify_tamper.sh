#!/bin/bash
# After a wipe, `verify` matches; flipping one byte makes it fail (exit 4)
# and name that byte's offset. A report for another disk is refused.
. "$(dirname "$0")/lib.sh"

wp_make_loop dev $((32 << 20))
wp_make_loop other $((32 << 20))
report="$WP_TMP/job.json"
expect_exit 0 wp_wipe "$dev" --method random --report "$report"
expect_exit 0 "$WIPEPROOF" verify "$dev" --report "$report"
expect_in "MATCH" "$OUT"

offset=12345677
wp_flip_byte "$dev" "$offset"
expect_exit 4 "$WIPEPROOF" verify "$dev" --report "$report"
expect_in "MISMATCH" "$OUT"
expect_in "$offset" "$OUT"
expect_exit 4 "$WIPEPROOF" verify "$dev" --report "$report" --json
[ "$(echo "$OUT" | jq -r .outcome)" = mismatch ] || fail "json outcome"
[ "$(echo "$OUT" | jq -r '.verification.first_bad_offsets[0]')" -eq "$offset" ] || fail "json offset"

# the same report against a different disk is refused, not "verified"
expect_exit 3 "$WIPEPROOF" verify "$other" --report "$report"
expect_in "not the disk of this report" "$ERR"

# a damaged report is refused with its path
echo '{"format": "wipeproof-job-report"' > "$WP_TMP/bad.json"
expect_exit 2 "$WIPEPROOF" verify "$dev" --report "$WP_TMP/bad.json"
expect_in "bad.json" "$ERR"
echo "1 passed, 0 failed"
