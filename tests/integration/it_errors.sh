#!/bin/bash
# Bad input gets one clear line and the documented exit code; nothing is
# written anywhere.
. "$(dirname "$0")/lib.sh"

expect_exit 2 "$WIPEPROOF" wipe /dev/does-not-exist --confirm-serial X
expect_in "does not exist" "$ERR"
expect_in "wipeproof list" "$ERR"

touch "$WP_TMP/image.img"
expect_exit 2 "$WIPEPROOF" wipe "$WP_TMP/image.img" --confirm-serial X
expect_in "regular file" "$ERR"
expect_in "losetup" "$ERR"

expect_exit 2 "$WIPEPROOF" wipe /dev/null --confirm-serial X
expect_in "/dev/null" "$ERR"

expect_exit 2 "$WIPEPROOF" wipe /dev/loop0 --method format
expect_in "unknown method 'format'" "$ERR"
expect_exit 2 "$WIPEPROOF" verify /dev/loop0
expect_in "--report" "$ERR"
expect_exit 2 "$WIPEPROOF" frobnicate
expect_exit 0 "$WIPEPROOF" --help
expect_in "Exit status" "$OUT"
expect_exit 0 "$WIPEPROOF" help wipe
expect_in "--confirm-serial" "$OUT"

# a partition is refused, naming the whole disk: MBR with one Linux partition
wp_make_loop dev $((16 << 20))
img=$(losetup -n -O BACK-FILE "$dev" | sed 's/[[:space:]]*$//')
wp_detach_loop "$dev"
printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x08\x00\x00\x00\x40\x00\x00' |
	dd of="$img" bs=1 seek=446 conv=notrunc status=none
printf '\x55\xaa' | dd of="$img" bs=1 seek=510 conv=notrunc status=none
dev=$(losetup -f --show -P "$img")
WP_LOOPS+=("$dev")
[ -e "${dev}p1" ] || partx -a "$dev" 2>/dev/null
for _ in 1 2 3 4 5; do [ -e "${dev}p1" ] && break; sleep 0.2; done
[ -e "${dev}p1" ] || fail "kernel did not create ${dev}p1"
expect_exit 2 "$WIPEPROOF" wipe "${dev}p1" --confirm-serial X
expect_in "partition" "$ERR"
expect_in "use $dev" "$ERR"

# the report cannot be written: refused before anything is touched
serial=$(wp_serial "$dev")
expect_exit 2 "$WIPEPROOF" wipe "$dev" --confirm-serial "$serial" --report /nonexistent/dir/job.json
expect_in "/nonexistent/dir" "$ERR"

# wiping the whole disk removes the partition table, and the kernel's stale
# partition node goes with it
expect_exit 0 "$WIPEPROOF" wipe "$dev" --confirm-serial "$serial" --method zero
for _ in 1 2 3 4 5; do [ -e "${dev}p1" ] || break; sleep 0.2; done
[ ! -e "${dev}p1" ] || fail "stale ${dev}p1 still present after the wipe"
echo "1 passed, 0 failed"
