#!/bin/bash
# wipeproof watch: attaching a loop device while `watch --json` runs is an
# arrival within 2 s, detaching it a removal; with --auto-wipe and a station
# policy allowing loop devices (backed by files of this test only), an
# arrived disk is taken in, wiped, verified and certified, while a mounted
# one is reported PROTECTED and never written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"

WATCH_PID=
stop_watch() {
	[ -n "$WATCH_PID" ] || return 0
	kill -TERM "$WATCH_PID" 2>/dev/null
	wait "$WATCH_PID"
	WATCH_RC=$?
	WATCH_PID=
}
trap 'stop_watch; wp_cleanup' EXIT

# start_watch ARGS...: watch --json in the background until it is ready.
start_watch() {
	: >"$WP_TMP/watch.out"
	"$WIPEPROOF" watch --json "$@" >"$WP_TMP/watch.out" 2>"$WP_TMP/watch.err" &
	WATCH_PID=$!
	wait_event '.event == "ready"' 50 || fail "watch not ready: $(cat "$WP_TMP/watch.err")"
}

# has_event JQ_FILTER: a line of the watch output matches (jq 1.6's -e
# looks only at the last line).
has_event() {
	jq -c "select($1)" "$WP_TMP/watch.out" 2>/dev/null | grep -q .
}

# wait_event JQ_FILTER TENTHS: a line of the watch output matching the
# filter within TENTHS tenths of a second.
wait_event() {
	local i
	for ((i = 0; i < $2; i++)); do
		has_event "$1" && return 0
		sleep 0.1
	done
	return 1
}

# an arrival within 2 s of attaching, a removal within 2 s of detaching
start_watch
wp_make_loop d $((8 << 20))
wait_event ".event == \"arrival\" and .path == \"$d\"" 20 ||
	fail "no arrival for $d within 2 s: $(cat "$WP_TMP/watch.out")"
has_event ".event == \"arrival\" and .path == \"$d\" and .device.kind == \"loop\" and
	.device.protected == false and .device.size_bytes == 8388608" || fail "arrival lacks identity: $(cat "$WP_TMP/watch.out")"
wp_detach_loop "$d"
wait_event ".event == \"removal\" and .path == \"$d\"" 20 ||
	fail "no removal for $d within 2 s: $(cat "$WP_TMP/watch.out")"
stop_watch
[ "$WATCH_RC" -eq 0 ] || fail "watch exited $WATCH_RC on SIGTERM"

# refusals at the start
expect_exit 2 "$WIPEPROOF" watch --auto-wipe --as nobody --policy "$WP_TMP/none"
expect_in "$WP_TMP/none" "$ERR"
printf 'auto-wipe = yes\ntransprots = loop\n' >"$WP_TMP/bad.policy"
expect_exit 2 "$WIPEPROOF" watch --auto-wipe --as nobody --policy "$WP_TMP/bad.policy"
expect_in "bad.policy:2: unknown key 'transprots'" "$ERR"
printf 'auto-wipe = no\ntransports = loop\n' >"$WP_TMP/off.policy"
expect_exit 2 "$WIPEPROOF" watch --auto-wipe --as nobody --policy "$WP_TMP/off.policy"
expect_in "auto-wipe = yes" "$ERR"
# --intake without a terminal to ask on needs a prefix
expect_exit 2 "$WIPEPROOF" watch --intake --as nobody </dev/null
expect_in "--asset-prefix" "$ERR"

# a disk the policy does not name is reported, not taken in
printf 'transports = usb\nasset-prefix = T-\n' >"$WP_TMP/usb.policy"
start_watch --intake --policy "$WP_TMP/usb.policy" --as nobody
wp_make_loop u $((8 << 20))
wait_event ".event == \"skipped\" and .path == \"$u\" and (.reason | test(\"transport loop\"))" 20 ||
	fail "loop disk not skipped by a usb-only policy: $(cat "$WP_TMP/watch.out")"
! has_event ".event == \"intake\" or .kind == \"intake\"" || fail "taken in against the policy"
stop_watch

# auto-wipe: a USB-style quick-wipe ledger, loop devices of this test only
wp_custody_people
expect_exit 0 custody init --as "$APPROVER" --no-approval-required
cat >"$WP_TMP/station" <<POLICY
# test station: our own loop devices only
auto-wipe = yes
transports = loop
loop-backing-dir = $WP_TMP
asset-prefix = T-
intake-reason = reuse
verify = full
POLICY

# a mounted disk, present before watch starts and announced again with a
# synthetic "add" uevent: it arrives PROTECTED and is never written
wp_make_loop m $((32 << 20))
wp_ours "$m"
mkfs.ext4 -q -F "$m" || fail "mkfs.ext4 $m"
mnt=$(mktemp -d "$WP_TMP/mnt-XXXXXX")
mount "$m" "$mnt" || fail "mount $m"
WP_MOUNTS+=("$mnt")
head -c 200000 /dev/urandom >"$mnt/keep.bin"
sum=$(sha256sum <"$mnt/keep.bin")
sync

start_watch --auto-wipe --policy "$WP_TMP/station" --as "$OPERATOR"
echo add >"/sys/block/${m#/dev/}/uevent"
wait_event ".event == \"arrival\" and .path == \"$m\" and .device.protected" 20 ||
	fail "mounted $m did not arrive as protected: $(cat "$WP_TMP/watch.out")"
wait_event ".event == \"skipped\" and .path == \"$m\"" 20 || fail "mounted $m not skipped"

# a disk full of marker blocks arrives and is wiped unattended
img="$WP_TMP/station-disk.img"
{ printf '%s' "$MARKER"; head -c $((4096 - ${#MARKER})) /dev/zero; } >"$WP_TMP/blk"
for _ in $(seq 4096); do cat "$WP_TMP/blk"; done >"$img"
a=$(losetup -f --show "$img") || fail "losetup $img"
WP_LOOPS+=("$a")
wait_event ".event == \"auto-wipe\" and .path == \"$a\"" 600 ||
	fail "no auto-wipe of $a: $(cat "$WP_TMP/watch.out") $(cat "$WP_TMP/watch.err")"
grep -v "^{" "$WP_TMP/watch.out" && fail "watch --json printed lines that are not JSON objects"
stop_watch
[ "$WATCH_RC" -eq 0 ] || fail "watch exited $WATCH_RC"
res=$(jq -c "select(.event == \"auto-wipe\" and .path == \"$a\")" "$WP_TMP/watch.out")
[ "$(jq -r .exit <<<"$res")" = 0 ] || fail "auto-wipe failed: $res; $(cat "$WP_TMP/watch.err")"
asset=$(jq -r .asset <<<"$res")
[ "$asset" = "T-$(wp_serial "$a")" ] || fail "asset tag $asset"
has_event ".event == \"progress\" and .device == \"$a\" and .phase == \"verify\"" || fail "no verify progress for $a: $(grep -m3 progress "$WP_TMP/watch.out")"
[ "$(wp_count_marker "$a")" -eq 0 ] || fail "marker left on the auto-wiped $a"
expect_exit 0 custody log --asset "$asset" --json
kinds=$(jq -r '[.events[].kind] | join(" ")' <<<"$OUT")
[ "$kinds" = "intake wipe-start wipe-end verified certificate" ] || fail "events: $kinds"
ls "$WP_TMP"/reports/cert-*.pdf >/dev/null 2>&1 || fail "no certificate next to the report"
expect_exit 0 custody verify

# the mounted disk: untouched, never wiped, never taken in
[ "$(sha256sum <"$mnt/keep.bin")" = "$sum" ] || fail "file on the mounted disk changed"
! has_event ".event == \"auto-wipe\" and .path == \"$m\"" || fail "the mounted disk was wiped"
echo "ok: watch arrivals, removals and auto-wipe"
