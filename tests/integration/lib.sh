# Shared helpers for integration tests: real binary, real loop devices.
#
# Safety: a test only ever writes to loop devices it created itself, backed
# by files in its own temporary folder. wp_ours refuses anything else, and
# every helper that writes calls it first. The EXIT trap unmounts, detaches
# and deletes everything, also when a test fails half-way.

set -u
WIPEPROOF=${WIPEPROOF:?set WIPEPROOF to the wipeproof binary}
MARKER="WIPEPROOF-TEST-MARKER"

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: integration tests need root for loop devices"
	exit 77
fi

WP_TMP=$(mktemp -d /tmp/wp-it-XXXXXX)
# job reports of a plain `wipe` go here, never to the real /var/lib
export WIPEPROOF_REPORTS=${WIPEPROOF_REPORTS:-$WP_TMP/job-reports}
WP_LOOPS=()
WP_MOUNTS=()

# A loop device number is reused as soon as it is free: detach only while
# it is still backed by a file of ours, never a device another test (or
# anyone) attached after ours went away.
wp_still_ours() {
	local back
	back=$(losetup -n -O BACK-FILE "$1" 2>/dev/null | sed 's/[[:space:]]*$//')
	case "$back" in "$WP_TMP"/*) return 0 ;; esac
	return 1
}

# wp_detach_loop DEV: detach one of ours before the end of the test.
wp_detach_loop() {
	local l keep=()
	wp_ours "$1"
	losetup -d "$1" || fail "losetup -d $1"
	for l in "${WP_LOOPS[@]}"; do [ "$l" = "$1" ] || keep+=("$l"); done
	WP_LOOPS=("${keep[@]}")
}

wp_cleanup() {
	local m l
	# Filesystems on our loop devices go first, then the loop devices, then
	# the small tmpfs folders that back some of them.
	for m in "${WP_MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
	for l in "${WP_LOOPS[@]}"; do wp_still_ours "$l" && losetup -d "$l" 2>/dev/null; done
	for m in "${WP_MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
	rm -rf "$WP_TMP"
}
trap wp_cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# wp_make_loop VAR SIZE_BYTES [SECTOR_SIZE]: attach a new loop device and
# store its path in VAR. (Not printed: a $(...) subshell would lose the
# record the cleanup needs.)
# The reference tools a test checks with; a missing one fails the test
# (scripts/deps installs them) rather than letting it pass unchecked.
wp_need_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || fail "$tool is missing; run scripts/deps"
	done
}

# wp_ja_locale: ja() runs a command in Japanese (ja_JP.UTF-8 compiled into
# $WP_TMP/loc, LOCPATH, so the machine's locales are left alone), en() in
# English; the test is skipped (77) where the locale sources are missing.
wp_ja_locale() {
	[ -f /usr/share/i18n/locales/ja_JP ] && command -v localedef >/dev/null ||
		{ echo "SKIP: package locales missing (no ja_JP source for localedef)"; exit 77; }
	mkdir -p "$WP_TMP/loc"
	localedef -i ja_JP -f UTF-8 "$WP_TMP/loc/ja_JP.UTF-8" 2>/dev/null ||
		[ -d "$WP_TMP/loc/ja_JP.UTF-8" ] || fail "localedef ja_JP.UTF-8"
	unset LANGUAGE LC_ALL LC_MESSAGES
}
ja() { LOCPATH="$WP_TMP/loc" LANG=ja_JP.UTF-8 "$@"; }
en() { LANG=C.UTF-8 "$@"; }

wp_make_loop() {
	# locals are prefixed so they never shadow the caller's VAR
	local _wp_var=$1 _wp_size=$2 _wp_sector=${3:-512} _wp_img _wp_dev
	_wp_img=$(mktemp "$WP_TMP/disk-XXXXXX.img")
	truncate -s "$_wp_size" "$_wp_img" || fail "truncate $_wp_img"
	_wp_dev=$(losetup -f --show --sector-size "$_wp_sector" "$_wp_img") || fail "losetup $_wp_img"
	WP_LOOPS+=("$_wp_dev")
	printf -v "$_wp_var" '%s' "$_wp_dev"
}

# wp_make_full_loop VAR SIZE_BYTES ROOM_BYTES: a loop device whose backing
# file is sparse on a tmpfs of only ROOM_BYTES, so writes past that fail
# with ENOSPC, the way a drive with a dying medium fails mid-wipe.
wp_make_full_loop() {
	local _wp_var=$1 _wp_size=$2 _wp_room=$3 _wp_dir _wp_dev
	_wp_dir=$(mktemp -d "$WP_TMP/small-XXXXXX")
	mount -t tmpfs -o size="$_wp_room" wp-test-small "$_wp_dir" || fail "mount tmpfs $_wp_dir"
	WP_MOUNTS+=("$_wp_dir")
	truncate -s "$_wp_size" "$_wp_dir/disk.img" || fail "truncate $_wp_dir/disk.img"
	_wp_dev=$(losetup -f --show "$_wp_dir/disk.img") || fail "losetup $_wp_dir/disk.img"
	WP_LOOPS+=("$_wp_dev")
	printf -v "$_wp_var" '%s' "$_wp_dev"
}

# Refuse to touch anything but a loop device this test made.
wp_ours() {
	local dev=$1 back known=no l
	for l in "${WP_LOOPS[@]}"; do [ "$l" = "$dev" ] && known=yes; done
	[ "$known" = yes ] || fail "refusing to touch $dev: not created by this test"
	back=$(losetup -n -O BACK-FILE "$dev" | sed 's/[[:space:]]*$//')
	case "$back" in
		"$WP_TMP"/*) ;;
		*) fail "refusing to touch $dev: backing file '$back' is not ours" ;;
	esac
}

# wp_fill_marker DEV: every 4 KiB block starts with the marker.
wp_fill_marker() {
	local dev=$1 size mib="$WP_TMP/marker.mib"
	wp_ours "$dev"
	size=$(blockdev --getsize64 "$dev")
	if [ ! -e "$mib" ]; then
		{ printf '%s' "$MARKER"; head -c $((4096 - ${#MARKER})) /dev/zero | tr '\0' 'x'; } > "$mib.blk"
		for _ in $(seq 256); do cat "$mib.blk"; done > "$mib"
	fi
	while cat "$mib" 2>/dev/null; do :; done | head -c "$size" |
		dd of="$dev" bs=1M iflag=fullblock oflag=direct status=none ||
		fail "writing the marker to $dev"
}

# Count 4 KiB blocks of DEV that still hold the marker (read with O_DIRECT).
wp_count_marker() {
	dd if="$1" bs=1M iflag=direct status=none | grep -a -o "$MARKER" | wc -l
}

wp_serial() {
	"$WIPEPROOF" list --json | jq -r --arg p "$1" '.devices[] | select(.path == $p) | .serial'
}

# wp_wipe DEV [ARGS...]: wipe one of our devices, confirming its serial.
wp_wipe() {
	local dev=$1
	shift
	wp_ours "$dev"
	"$WIPEPROOF" wipe "$dev" --confirm-serial "$(wp_serial "$dev")" "$@"
}

# wp_flip_byte DEV OFFSET: invert the lowest bit of one byte on the device.
wp_flip_byte() {
	local dev=$1 off=$2 val
	wp_ours "$dev"
	val=$(dd if="$dev" bs=1 skip="$off" count=1 iflag=skip_bytes status=none | od -An -tu1 | tr -d ' ')
	printf "\\$(printf '%03o' $((val ^ 1)))" |
		dd of="$dev" bs=1 seek="$off" oflag=seek_bytes conv=notrunc,fsync status=none
}

# expect_exit CODE CMD...: run CMD, capture output in $OUT/$ERR, check status.
expect_exit() {
	local want=$1 got
	shift
	"$@" >"$WP_TMP/out" 2>"$WP_TMP/err"
	got=$?
	OUT=$(cat "$WP_TMP/out")
	ERR=$(cat "$WP_TMP/err")
	[ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want; stderr: $ERR"
}

expect_in() {
	case "$2" in
		*"$1"*) ;;
		*) fail "expected '$1' in: $2" ;;
	esac
}
