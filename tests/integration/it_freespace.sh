#!/bin/bash
# wipeproof freespace on ext4 and vfat filesystems on loop devices: a
# deleted file's unique marker is on the raw device before and gone after,
# every live file keeps its checksum, the fill files are removed, the result
# lands in the custody ledger as a freespace event with a job report and a
# certificate whose scope is the free space (and which cannot pass for a
# whole-device certificate); a read-only mount is refused. tests/hw/
# test_freespace.sh runs vfat where this host's kernel has no FAT driver.
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
	local res cert
	res=$(jq -c 'select(.event == "freespace")' <<<"$OUT")
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

	# the certificate: its scope is this filesystem's free space, nothing more
	cert=$(jq -r 'select(.event == "certificate") | .certificate' <<<"$OUT")
	[ -s "$cert" ] || fail "$fstype: no certificate: $OUT"
	jq -e --arg d "$dev" --arg f "$fstype" '.result == "free-space-wiped" and
		.scope.kind == "free-space" and .scope.device == $d and .scope.filesystem == $f and
		(.scope.description | startswith("free space of " + $f + " on " + $d)) and
		.verification.mismatched_blocks == 0 and .media.serial != ""' "$cert" >/dev/null ||
		fail "$fstype: certificate content: $(jq -c '{result, scope, media}' "$cert")"
	expect_exit 0 "$WIPEPROOF" cert validate "$cert" --as "$APPROVER" # the second signature
	expect_exit 0 "$WIPEPROOF" cert verify "$cert" --ca "$WIPEPROOF_KEYS/ca.pem" --ledger "$WIPEPROOF_LEDGER"
	expect_in "VALID" "$OUT"
	expect_in "scope: free space of $fstype on $dev" "$OUT"
	pdftotext "${cert%.json}.pdf" - | tr -d '\n' | grep -q "Certificate of Free-Space Wipe" ||
		fail "$fstype: the PDF does not say it is a free-space certificate"
	# it is no whole-device certificate: --device refuses, verify refuses its report
	expect_exit 2 "$WIPEPROOF" cert verify "$cert" --ca "$WIPEPROOF_KEYS/ca.pem" --device "$dev"
	expect_in "free space" "$ERR"
	expect_exit 2 "$WIPEPROOF" verify "$dev" --report "$(jq -r .sanitization.report "$cert")"
	expect_in "free-space wipe" "$ERR"

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
events=$(jq '[.events[] | select(.kind == "freespace" and .body.result == "wiped"
	and (.body.report_sha256 | length) == 64)] | length' <<<"$OUT")
[ "$events" -eq "$tested" ] || fail "expected $tested freespace event(s), got $events"
certs=$(jq '[.events[] | select(.kind == "certificate" and .body.scope == "free-space")] | length' <<<"$OUT")
[ "$certs" -eq "$tested" ] || fail "expected $tested free-space certificate event(s), got $certs"
jq -e '.events[] | select(.kind == "freespace") | .body.text | test("free space of (ext4|vfat) on /dev/loop")' \
	<<<"$OUT" >/dev/null || fail "freespace text does not name the filesystem and device"
# the asset is not sanitized by any of this
expect_exit 0 custody show SRV-1 --json
[ "$(jq -r .status <<<"$OUT")" != sanitized ] || fail "a free-space wipe made the asset 'sanitized'"
expect_exit 0 custody verify

# an asset that is not on record: refused before a byte is written
wp_make_loop dev2 $((16 << 20))
wp_ours "$dev2"
mkfs.ext4 -q -F "$dev2" >/dev/null 2>&1 || fail "mkfs.ext4 $dev2"
mnt2=$(mktemp -d "$WP_TMP/mnt-XXXXXX")
mount "$dev2" "$mnt2" || fail "mount $dev2"
WP_MOUNTS+=("$mnt2")
expect_exit 3 "$WIPEPROOF" freespace "$mnt2" --asset NO-SUCH --as "$OPERATOR"
expect_in "not in the ledger" "$ERR"
[ -z "$(find "$mnt2" -name '.wipeproof-freespace-*')" ] || fail "fill files for a refused run"
umount "$mnt2" || fail "umount $mnt2"

# not a mount point, and a bad option
expect_exit 2 "$WIPEPROOF" freespace "$WP_TMP"
expect_in "not a mount point" "$ERR"
expect_exit 2 "$WIPEPROOF" freespace / --bogus
echo "ok: freespace on ext4 and vfat"
