#!/bin/bash
# wipeproof freespace on ext4 and vfat filesystems on loop devices: a
# deleted file's unique marker is on the raw device before and gone after,
# every live file keeps its checksum, the fill files are removed, the result
# lands in the custody ledger as a note; a read-only mount is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
command -v mkfs.vfat >/dev/null || { echo "SKIP: mkfs.vfat (dosfstools) missing"; exit 77; }
wp_custody_people

# wp_marker_count DEV TEXT: occurrences of TEXT on the raw device (O_DIRECT).
wp_marker_count() {
	dd if="$1" bs=1M iflag=direct status=none | grep -a -o "$2" | wc -l
}

# check_fs FSTYPE MKFS...: one filesystem, start to end.
check_fs() {
	local fstype=$1 dev mnt marker before after
	shift
	wp_make_loop dev $((48 << 20))
	wp_ours "$dev"
	"$@" "$dev" >/dev/null 2>&1 || fail "$* $dev"
	mnt=$(mktemp -d "$WP_TMP/mnt-XXXXXX")
	mount "$dev" "$mnt" || fail "mount $dev"
	WP_MOUNTS+=("$mnt")
	# live files, with checksums
	for i in 1 2 3; do head -c $((i * 300000)) /dev/urandom >"$mnt/live$i.bin"; done
	echo "small live file" >"$mnt/small.txt"
	(cd "$mnt" && sha256sum live1.bin live2.bin live3.bin small.txt) >"$WP_TMP/sums"
	# the deleted file: 512 KiB of a marker unique to this run
	marker="WPFREE-$fstype-$RANDOM$RANDOM-DELETED"
	yes "$marker" | head -c $((512 << 10)) >"$mnt/secret.txt"
	sync
	before=$(wp_marker_count "$dev" "$marker")
	[ "$before" -gt 1000 ] || fail "$fstype: marker not on the device before ($before)"
	rm "$mnt/secret.txt"
	sync
	[ "$(wp_marker_count "$dev" "$marker")" -gt 1000 ] ||
		fail "$fstype: deleting already removed the marker; the test would prove nothing"

	expect_exit 0 "$WIPEPROOF" freespace "$mnt" --json --asset SRV-1 --as "$OPERATOR"
	local res
	res=$(tail -n1 <<<"$OUT")
	[ "$(jq -r .result <<<"$res")" = wiped ] || fail "$fstype: result: $res"
	[ "$(jq -r .fstype <<<"$res")" = "$fstype" ] || fail "$fstype: fstype: $res"
	[ "$(jq -r .device <<<"$res")" = "$dev" ] || fail "$fstype: device: $res"
	[ "$(jq '.bytes_verified == .bytes_written and .bytes_written > 0' <<<"$res")" = true ] ||
		fail "$fstype: not everything read back: $res"
	[ "$(jq '.bytes_written * 100 / .free_bytes >= 90' <<<"$res")" = true ] ||
		fail "$fstype: less than 90% of the free space covered: $res"
	after=$(wp_marker_count "$dev" "$marker")
	[ "$after" -eq 0 ] || fail "$fstype: $after copies of the deleted file's marker left"
	(cd "$mnt" && sha256sum -c --quiet "$WP_TMP/sums") || fail "$fstype: a live file changed"
	[ -z "$(find "$mnt" -name '.wipeproof-freespace-*')" ] || fail "$fstype: fill files left"
	[ "$(ls -A "$mnt" | grep -vc lost+found)" -eq 4 ] || fail "$fstype: other files: $(ls -A "$mnt")"

	# read-only: refused, nothing written
	mount -o remount,ro "$mnt" || fail "remount ro"
	expect_exit 3 "$WIPEPROOF" freespace "$mnt"
	expect_in "read-only" "$ERR"
	umount "$mnt" || fail "umount $mnt"
}

expect_exit 0 custody intake --as "$OPERATOR" --serial SRV-SERIAL-1 --model "File server" \
	--asset SRV-1 --reason repair
check_fs ext4 mkfs.ext4 -q -F
tested=1
# vfat needs the kernel's FAT driver, which some kernels (this CI's VM) lack
if grep -qw vfat /proc/filesystems || modprobe vfat 2>/dev/null; then
	check_fs vfat mkfs.vfat
	tested=2
else
	echo "note: this kernel has no vfat driver; only ext4 was tested"
fi
expect_exit 0 custody log --asset SRV-1 --json
notes=$(jq '[.events[] | select(.kind == "note" and .body.scope == "freespace"
	and .body.result == "wiped")] | length' <<<"$OUT")
[ "$notes" -eq "$tested" ] || fail "expected $tested freespace note(s), got $notes"
jq -e '.events[] | select(.kind == "note") | .body.text | test("free space of (ext4|vfat) on /dev/loop")' \
	<<<"$OUT" >/dev/null || fail "note text does not name the filesystem and device"
expect_exit 0 custody verify

# not a mount point, and a bad option
expect_exit 2 "$WIPEPROOF" freespace "$WP_TMP"
expect_in "not a mount point" "$ERR"
expect_exit 2 "$WIPEPROOF" freespace / --bogus
echo "ok: freespace on ext4 and vfat"
