#!/bin/bash
# Intake from a disk: serial and model come from the device itself (R15),
# and a disk that is not the recorded one is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people

wp_make_loop dev $((8 << 20))
wp_make_loop other $((8 << 20))
serial=$(wp_serial "$dev")
[ -n "$serial" ] || fail "no serial for $dev"

expect_exit 0 custody intake --as "$OPERATOR" --asset USB-0001 --device "$dev" --owner 総務部 \
	--reason reuse
expect_in "recorded seq 1: intake USB-0001" "$OUT"
expect_exit 0 custody log --json
[ "$(jq -r '.events[0].body.serial' <<<"$OUT")" = "$serial" ] || fail "serial not from the disk"
[ "$(jq -r '.events[0].body.device' <<<"$OUT")" = "$dev" ] || fail "device path"
[ "$(jq -r '.events[0].body.size_bytes' <<<"$OUT")" = $((8 << 20)) ] || fail "size"

# --serial that contradicts the disk
expect_exit 3 custody intake --as "$OPERATOR" --asset USB-0002 --device "$dev" --serial WRONG-123
expect_in "has serial '$serial', not 'WRONG-123'" "$ERR"
expect_in "R15" "$ERR"
# the tag is on record with another disk's serial
expect_exit 3 custody intake --as "$OPERATOR" --asset USB-0001 --device "$other"
expect_in "asset USB-0001 is recorded with serial '$serial'" "$ERR"
expect_in "this is not the disk of asset USB-0001 (R15)" "$ERR"
# not a disk at all
expect_exit 1 custody intake --as "$OPERATOR" --asset USB-0003 --device "$WP_TMP"
expect_exit 0 custody verify
expect_in "verifies: 1 events" "$OUT"
echo "ok: custody intake from a device"
