#!/bin/bash
# Emulated hardware: `wipeproof freespace` on vfat (the integration test
# it_freespace.sh covers ext4 on this host, whose kernel has no FAT
# driver). The host makes the filesystem on the raw file (mkfs.vfat works
# on a file); in the guest a deleted file's marker is on the medium before
# and gone after, live files keep their checksums, the fill files are
# removed, and a free-space certificate is issued and verifies; the host
# then finds no copy of the marker in the raw file.
. "$(dirname "$0")/lib.sh"
command -v mkfs.vfat >/dev/null || { echo "SKIP: mkfs.vfat (dosfstools) missing"; exit 77; }
hw_disk vblk FAT $((32 << 20))
mkfs.vfat "$(hw_file FAT)" >/dev/null || fail "mkfs.vfat on the raw file"
hw_boot "$HW_SRC/freespace.guest.sh"

for step in mount people sums validate certverify umount; do
	hw_expect "$step" 0
done
# the guest image carries no fonts: the certificate is issued and recorded,
# only its PDF cannot be drawn there, which wipeproof says (exit 1)
hw_expect fill 1
expect_in "issued, but the PDF failed: the font" "$(hw_err fill)"
[ "$(hw_out before | tr -d '[:space:]')" -gt 1000 ] ||
	fail "the deleted file's marker was not on the medium before ($(hw_out before)); the test would prove nothing"
[ "$(hw_out after | tr -d '[:space:]')" -eq 0 ] || fail "$(hw_out after) marker lines left after freespace"
res=$(hw_out fill | jq -c 'select(.event == "freespace")')
[ "$(echo "$res" | jq -r '.result + " " + .fstype')" = "wiped vfat" ] || fail "fill: $res"
[ "$(echo "$res" | jq '.bytes_verified == .bytes_written and .bytes_written * 100 / .free_bytes >= 90')" = true ] ||
	fail "coverage: $res"
[ "$(hw_out listing | grep -c .)" -eq 4 ] || fail "files left besides the live ones: $(hw_out listing)"
cert=$(hw_out cert)
[ "$(echo "$cert" | jq -r '.result + " " + .scope.kind + " " + .scope.filesystem + " " + .media.serial')" = \
	"free-space-wiped free-space vfat WPHW-FAT" ] || fail "certificate: $(echo "$cert" | jq -c '{result, scope, media}')"
expect_in "VALID" "$(hw_out certverify)"
[ "$(hw_out custody | jq '[.events[] | select(.kind == "freespace" or (.kind == "certificate" and .body.scope == "free-space"))] | length')" -eq 2 ] ||
	fail "ledger: $(hw_out custody | jq -c '[.events[].kind]')"
! grep -a -q "WPFREE-VFAT-" "$(hw_file FAT)" || fail "the raw file still holds the deleted file's marker"
echo "1 passed, 0 failed"
