#!/bin/bash
# udev/60-wipeproof.rules run by the real udev rule engine (`udevadm test`)
# on a loop device of this test: whole disks get WIPEPROOF_KIND and
# WIPEPROOF_TRANSPORT; UDISKS_IGNORE only in station mode (the station file
# exists). udevadm runs in a private mount namespace with its own tmpfs on
# /run, so the rules and the udev database it writes vanish with it and
# the machine (normally without udevd) is left as it was.
. "$(dirname "$0")/lib.sh"
command -v udevadm >/dev/null || { echo "SKIP: udevadm (package udev) missing"; exit 77; }
RULES="$(dirname "$0")/../../udev/60-wipeproof.rules"

# props DEV: the properties udev would set on an "add" of DEV, with the
# station file of this test standing in for /etc/wipeproof/station.
props() {
	unshare -m --propagation private sh -c '
		mount -t tmpfs wp-udev-test /run || exit 1
		mkdir -p /run/udev/rules.d
		sed "s|/etc/wipeproof/station|$2|" "$3" >/run/udev/rules.d/60-wipeproof.rules
		udevadm test --action=add "/sys/block/$1" 2>"$4"' sh "${1#/dev/}" \
		"$WP_TMP/station" "$RULES" "$WP_TMP/udev.err"
}

wp_make_loop d $((8 << 20))
out=$(props "$d") || fail "udevadm test: $(tail -5 "$WP_TMP/udev.err")"
expect_in "WIPEPROOF_KIND=loop" "$out"
expect_in "WIPEPROOF_TRANSPORT=loop" "$out"
case "$out" in *UDISKS_IGNORE*) fail "UDISKS_IGNORE without station mode: $out" ;; esac
! grep -i "60-wipeproof.rules.*\(invalid\|error\|unknown\)" "$WP_TMP/udev.err" ||
	fail "udev complains about the rules"

touch "$WP_TMP/station"
out=$(props "$d") || fail "udevadm test: $(tail -5 "$WP_TMP/udev.err")"
expect_in "UDISKS_IGNORE=1" "$out"
expect_in "UDISKS_AUTO=0" "$out"
expect_in "WIPEPROOF_KIND=loop" "$out"
[ ! -e /run/udev/rules.d/60-wipeproof.rules ] || fail "rules left in /run/udev"
echo "ok: udev rules"
