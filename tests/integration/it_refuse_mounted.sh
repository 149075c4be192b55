#!/bin/bash
# A loop device with a mounted filesystem is protected: listed with the
# reason, and `wipe` refuses it (exit 3) without writing anything.
. "$(dirname "$0")/lib.sh"

wp_make_loop dev $((32 << 20))
wp_ours "$dev"
mkfs.ext4 -q -L wpmounted "$dev" || fail "mkfs.ext4"
mnt="$WP_TMP/mnt"
mkdir "$mnt"
mount "$dev" "$mnt" || fail "mount"
WP_MOUNTS+=("$mnt")
echo "still here" > "$mnt/keep.txt"
sync

expect_exit 0 "$WIPEPROOF" list --json
entry=$(echo "$OUT" | jq --arg p "$dev" '.devices[] | select(.path == $p)')
[ "$(echo "$entry" | jq -r .protected)" = true ] || fail "mounted disk not protected"
echo "$entry" | jq -e '.protect_reasons[] | select(.code == "mounted")' >/dev/null || fail "no 'mounted' reason"
[ "$(echo "$entry" | jq -r .filesystem.mountpoint)" = "$mnt" ] || fail "mountpoint not shown"
[ "$(echo "$entry" | jq -r .filesystem.label)" = wpmounted ] || fail "label not shown"

serial=$(wp_serial "$dev")
expect_exit 3 "$WIPEPROOF" wipe "$dev" --confirm-serial "$serial" --report "$WP_TMP/r.json"
expect_in "mounted" "$ERR"
expect_in "$mnt" "$ERR"
[ ! -e "$WP_TMP/r.json" ] || fail "a report was written for a refused wipe"
[ "$(cat "$mnt/keep.txt")" = "still here" ] || fail "mounted data changed"
umount "$mnt"
WP_MOUNTS=()
dumpe2fs -h "$dev" >/dev/null 2>&1 || fail "filesystem damaged by a refused wipe"
echo "1 passed, 0 failed"
