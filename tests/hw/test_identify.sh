#!/bin/bash
# Emulated hardware: what disks say about themselves (issue 17 items 7, 9).
# A scsi-cd on virtio-scsi and an ide-cd on AHCI, each holding a 16 MiB
# data image (QEMU emulates pressed CD-ROM / DVD-ROM media, no CD-R): udev's
# cdrom_id names the medium, wipeproof lists it as "CD-ROM", protects the
# drive ("optical") and intake records media CD-ROM. The maker comes from
# standard fields only: a virtio-scsi disk's SCSI INQUIRY vendor ("QEMU"),
# a SATA disk's WWN (IEEE OUI 0014EE; the test image has no hwdb, so the
# OUI itself), an NVMe controller's PCI vendor id (1b36, Red Hat's, QEMU's).
# udev's property sets are printed for the record (unit_test_media keeps
# sets recorded from real drives).
. "$(dirname "$0")/lib.sh"
hw_disk scsi SCSI
hw_disk nvme NVME
cd1="$HW_TMP/cd1.img" cd2="$HW_TMP/cd2.img" wwn="$HW_TMP/disk-WWN.img"
hw_fill_marker "$cd1" $((16 << 20))
hw_fill_marker "$cd2" $((16 << 20))
hw_fill_marker "$wwn" $((16 << 20))
hw_ctrl vscsi -device virtio-scsi-pci,id=vscsi
hw_ctrl ahci -device ahci,id=ahci
HW_ARGS+=(-drive "file=$cd1,if=none,id=dCD1,format=raw,readonly=on"
	-device "scsi-cd,bus=vscsi.0,drive=dCD1,serial=WPHW-CD1,id=devCD1"
	-drive "file=$cd2,if=none,id=dCD2,format=raw,readonly=on"
	-device "ide-cd,bus=ahci.1,drive=dCD2,serial=WPHW-CD2,id=devCD2"
	-drive "file=$wwn,if=none,id=dWWN,format=raw"
	-device "ide-hd,bus=ahci.0,drive=dWWN,serial=WPHW-WWN,wwn=0x50014ee2b5c6d7e8,id=devWWN")
hw_boot "$HW_SRC/identify.guest.sh"

for s in udev-sr0 udev-sr1; do
	echo "--- $s (udevadm info --query=property)"
	hw_out $s | grep -E '^ID_(CDROM|SERIAL|MODEL|VENDOR|BUS|TYPE)' || true
done
hw_expect list 0
list=$(hw_out list)
dev() { echo "$list" | jq -r --arg p "$1" ".devices[] | select(.path == \$p) | $2"; }
for d in /dev/sr0 /dev/sr1; do
	[ "$(dev $d .kind)" = optical ] || fail "$d kind: $(dev $d .kind)"
	[ "$(dev $d .media)" = CD-ROM ] || fail "$d medium: $(dev $d .media); udev: $(hw_out udev-${d#/dev/})"
	[ "$(dev $d .protected)" = true ] || fail "$d not protected"
	dev $d '.protect_reasons[].code' | grep -qx optical || fail "$d: $(dev $d .protect_reasons)"
	dev $d '.protect_reasons[].code' | grep -qx write-once && fail "$d, a pressed disc, called write-once"
done
bys() { echo "$list" | jq -r --arg s "$1" ".devices[] | select(.serial == \$s) | $2"; }
[ "$(bys WPHW-SCSI .maker)/$(bys WPHW-SCSI .maker_source)" = "QEMU/scsi-inquiry" ] ||
	fail "SCSI maker: $(bys WPHW-SCSI '[.maker, .maker_source]')"
[ "$(bys WPHW-WWN .maker)/$(bys WPHW-WWN .maker_source)" = "IEEE OUI 0014EE/wwn-oui" ] ||
	fail "SATA maker: $(bys WPHW-WWN '[.maker, .maker_source]')"
[ "$(bys WPHW-NVME .maker)/$(bys WPHW-NVME .maker_source)" = "PCI vendor 1b36/pci-vendor" ] ||
	fail "NVMe maker: $(bys WPHW-NVME '[.maker, .maker_source]')"

hw_expect keys 0
hw_expect intake-cd 0
hw_expect intake-sata 0
hw_expect intake-scsi 0
# QEMU's scsi-cd / ide-cd emulate no rewritable medium: the ISO is a
# pressed CD-ROM, and wipeproof says so from the drive's own profile
hw_expect plan-cd 3
plan=$(hw_out plan-cd)
echo "$plan" | jq -r .refusal | grep -q "Table A-7" || fail "plan of a disc: $(echo "$plan" | jq -c .refusal)"
why=$(echo "$plan" | jq -r '.capabilities.methods[] | select(.method == "optical-blank-full") | .reason')
case "$why" in *"CD-ROM (pressed): it cannot be erased, destroy it"*) ;;
	*) fail "QEMU's disc, GET CONFIGURATION: $why" ;; esac
hw_expect plan-cd-blank 3
echo "$(hw_out plan-cd-blank)" | jq -r .refusal | grep -q "CD-ROM (pressed)" ||
	fail "plan --method optical-blank-full on the ide-cd: $(hw_out plan-cd-blank)"
hw_expect blank-cd 3
hw_expect log 0
log=$(hw_out log)
echo "$log" | jq -e '.events[] | select(.kind == "blanked")' >/dev/null &&
	fail "a refused blank of QEMU's CD-ROM was recorded"
body() { echo "$log" | jq -r --arg a "$1" ".events[] | select(.asset == \$a) | .body.$2"; }
[ "$(body CD-Q media)" = CD-ROM ] || fail "intake media: $(body CD-Q media)"
[ "$(body CD-Q kind)" = optical ] || fail "intake kind"
[ "$(body HDD-Q maker)" = "IEEE OUI 0014EE" ] || fail "intake maker: $(body HDD-Q maker)"
[ "$(body HDD-Q maker_source)" = wwn-oui ] || fail "intake maker source"
[ "$(body HDD-S maker)" = QEMU ] || fail "intake maker of the SCSI disk"
echo "ok: optical media and makers from standard fields on emulated hardware"
