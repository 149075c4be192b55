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

# on a terminal the operator is asked; a wrong answer refuses
serial=$(wp_serial "$dev")
wp_ours "$dev"
on_tty() { # ANSWER CMD: run CMD on a pseudo-terminal, typing ANSWER
	local answer=$1
	shift
	(sleep 0.3; printf '%s\n' "$answer") | script -qec "$*" /dev/null | tr '\r' '\n'
	return "${PIPESTATUS[1]}"
}
expect_exit 3 on_tty WRONG "$WIPEPROOF" wipe "$dev" --method zero
expect_in "Type the disk's serial number" "$OUT"
expect_in "$serial" "$OUT"
expect_in "does not match" "$OUT"
[ "$(wp_count_marker "$dev")" -eq "$blocks" ] || fail "data changed after a wrong typed serial"

# typed correctly on the terminal: wiped, with a progress bar
expect_exit 0 on_tty "$serial" "$WIPEPROOF" wipe "$dev" --method zero
expect_in "MB/s" "$OUT"
expect_in "ETA" "$OUT"
expect_in "100.0%" "$OUT"
expect_in "sanitized" "$OUT"
[ "$(wp_count_marker "$dev")" -eq 0 ] || fail "typed serial did not wipe"

# --confirm-serial wipes too
wp_fill_marker "$dev"
expect_exit 0 wp_wipe "$dev"
[ "$(wp_count_marker "$dev")" -eq 0 ] || fail "right serial did not wipe"
echo "1 passed, 0 failed"
