#!/bin/bash
# `list --json` shows a loop device with its backing file and stable serial,
# and marks the disk holding / as protected.
. "$(dirname "$0")/lib.sh"

wp_make_loop dev $((8 << 20))
back=$(losetup -n -O BACK-FILE "$dev" | sed 's/[[:space:]]*$//')
expect_exit 0 "$WIPEPROOF" list --json
json=$OUT
entry=$(echo "$json" | jq --arg p "$dev" '.devices[] | select(.path == $p)')
[ -n "$entry" ] || fail "$dev not listed"
for field in path kind transport model serial size_bytes logical_block_size physical_block_size \
	rotational removable read_only partitions holders protected protect_reasons; do
	echo "$entry" | jq -e --arg f "$field" 'has($f)' >/dev/null || fail "field $field missing"
done
[ "$(echo "$entry" | jq -r .kind)" = loop ] || fail "kind"
[ "$(echo "$entry" | jq -r .transport)" = loop ] || fail "transport"
[ "$(echo "$entry" | jq -r .backing_file)" = "$back" ] || fail "backing_file"
[ "$(echo "$entry" | jq -r .size_bytes)" -eq $((8 << 20)) ] || fail "size"
[ "$(echo "$entry" | jq -r .protected)" = false ] || fail "fresh loop protected: $entry"
serial=$(echo "$entry" | jq -r .serial)
expect_in "LOOP-" "$serial"
# stable: the same backing file gives the same serial after re-attaching
wp_detach_loop "$dev"
dev2=$(losetup -f --show "$back")
WP_LOOPS+=("$dev2")
[ "$(wp_serial "$dev2")" = "$serial" ] || fail "serial changed after re-attach"

# the disk holding / is protected as system-disk (when / is on a disk)
rootsrc=$(findmnt -n -o SOURCE /)
majmin=$(findmnt -n -o MAJ:MIN /)
if [ -e "/sys/dev/block/$majmin" ]; then
	echo "$json" | jq -e '[.devices[] | select(.protect_reasons[]?.code == "system-disk")] | length >= 1' \
		>/dev/null || fail "no disk marked system-disk (root on $rootsrc)"
	echo "ok: disk holding / ($rootsrc) is protected"
else
	echo "note: / is on $rootsrc, not a block device; system-disk check skipped"
fi
# the table form names the reason too
expect_exit 0 "$WIPEPROOF" list
expect_in "$dev2" "$OUT"
echo "1 passed, 0 failed"
