#!/bin/bash
# A wrong or missing serial confirmation refuses (exit 3); nothing written.
. "$(dirname "$0")/lib.sh"

wp_make_loop dev $((8 << 20))
wp_fill_marker "$dev"
blocks=$(wp_count_marker "$dev")

expect_exit 3 "$WIPEPROOF" wipe "$dev" --confirm-serial NOT-THE-SERIAL
expect_in "does not match" "$ERR"
expect_in "nothing was written" "$ERR"
[ "$(wp_count_marker "$dev")" -eq "$blocks" ] || fail "data changed after wrong serial"

# no terminal and no --confirm-serial: refused, with the serial to pass
expect_exit 3 "$WIPEPROOF" wipe "$dev" </dev/null
expect_in "--confirm-serial $(wp_serial "$dev")" "$ERR"
[ "$(wp_count_marker "$dev")" -eq "$blocks" ] || fail "data changed without confirmation"

# the right serial wipes
expect_exit 0 wp_wipe "$dev"
[ "$(wp_count_marker "$dev")" -eq 0 ] || fail "right serial did not wipe"
echo "1 passed, 0 failed"
