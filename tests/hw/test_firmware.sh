#!/bin/bash
# Emulated hardware (QEMU 7.2, see tests/hw/lib.sh): on an NVMe drive, an
# AHCI SATA disk, a USB stick, a virtio-scsi disk, a virtio-blk disk and an
# SD card, each a 16 MiB raw file full of markers:
# - detection: kind, transport, serial, USB from the parent chain;
# - plan per device: random / Clear with the medium's reason, and
#   --level purge refused (exit 3) with every firmware method's reason;
# - nvme-format-crypto refused with the FNA reason although QEMU would
#   accept SES=2; every sanitize / security erase method the devices lack
#   refused or failing cleanly, never 'sanitized', nothing erased;
# - nvme-format-user erases and verifies, in the guest and in the file.
. "$(dirname "$0")/lib.sh"
for k in nvme:NVME sata:SATA usb:USB scsi:SCSI vblk:VBLK sd:SD; do
	hw_disk "${k%%:*}" "${k#*:}"
done
hw_boot "$HW_SRC/firmware.guest.sh"
BLOCKS=$(((16 << 20) / 4096))

# --- detection
hw_expect list 0
list=$(hw_out list)
# dev SERIAL FIELD: a field of the listed device with that serial
dev() { echo "$list" | jq -r --arg s "$1" ".devices[] | select(.serial == \$s) | $2"; }
[ "$(echo "$list" | jq '.devices | length')" -eq 6 ] || fail "the guest should see 6 disks: $list"
for want in "WPHW-NVME nvme nvme" "WPHW-SATA hdd ata" "WPHW-USB usb usb" \
	"WPHW-SCSI hdd scsi" "WPHW-VBLK virtual virtio" "0xdeadbeef mmc mmc"; do
	set -- $want
	got="$(dev "$1" .kind) $(dev "$1" .transport)"
	[ "$got" = "$2 $3" ] || fail "$1 detected as '$got', expected '$2 $3'"
	[ "$(dev "$1" .protected)" = false ] || fail "$1 is protected: $(dev "$1" .protect_reasons)"
	[ "$(dev "$1" .size_bytes)" -eq $((16 << 20)) ] || fail "$1 size"
done
# udev's properties, not sysfs, where udev has them
for s in WPHW-NVME WPHW-SATA WPHW-USB WPHW-SCSI; do
	[ "$(dev "$s" .serial_source)" = udev ] || fail "$s serial from $(dev "$s" .serial_source)"
done
[ "$(dev WPHW-NVME .capabilities.command_set)" = nvme ] || fail "NVMe command set"
[ "$(dev WPHW-SATA .capabilities.command_set)" = ata ] || fail "SATA command set"
[ "$(dev WPHW-SCSI .capabilities.command_set)" = scsi ] || fail "SCSI command set"
[ "$(dev WPHW-USB .capabilities.command_set)" = none ] || fail "a USB disk gets no firmware commands"
[ "$(dev WPHW-VBLK .capabilities.command_set)" = none ] || fail "a virtio disk gets no firmware commands"
[ "$(dev WPHW-USB .removable)" = true ] || fail "USB removable"
for s in WPHW-NVME WPHW-SATA 0xdeadbeef; do
	[ "$(dev "$s" .capabilities.probed)" = true ] || fail "$s was not probed"
done
# what each device really has: only Format NVM (SES=1) on the NVMe drive
supported=$(echo "$list" | jq -r '[.devices[] | .serial as $s | .capabilities.methods[] |
	select(.supported) | "\($s):\(.method)"] | join(" ")')
[ "$supported" = "WPHW-NVME:nvme-format-user" ] || fail "supported firmware methods: '$supported'"
expect_in "no ATA Security feature set" "$(dev WPHW-SATA '.capabilities.methods[] | select(.method == "ata-secure-erase") | .reason')"
expect_in "an SD card has no secure erase" "$(dev 0xdeadbeef '.capabilities.methods[] | select(.method == "secure-discard") | .reason')"
hw_expect list-text 0
expect_in "WPHW-USB" "$(hw_out list-text)"
expect_in "FIRMWARE ERASE" "$(hw_out list-text)"

# --- plan per device
# USB sticks and SD cards: a pattern and its complement (SP 800-88 Rev.1
# Table A-8 asks two passes for Clear there); every other medium: random
for want in "NVME nvme overwriting flash is Clear" "SATA hdd magnetic disk is Clear" \
	"USB usb overwriting USB flash" "SCSI hdd magnetic disk is Clear" \
	"VBLK virtual a virtual disk" "SD mmc overwriting USB flash or an SD card"; do
	set -- $want
	n=$1 kind=$2
	shift 2
	hw_expect "plan-$n" 0
	plan=$(hw_out "plan-$n")
	want_method=random
	case $n in USB | SD) want_method=zero-ones ;; esac
	[ "$(echo "$plan" | jq -r .method)" = "$want_method" ] || fail "plan $n method: $plan"
	[ "$(echo "$plan" | jq -r .nist_category)" = Clear ] || fail "plan $n category: $plan"
	[ "$(echo "$plan" | jq -r .kind)" = "$kind" ] || fail "plan $n kind: $plan"
	expect_in "$*" "$(echo "$plan" | jq -r .reason)"
	hw_expect "plan-text-$n" 0
	expect_in "Clear" "$(hw_out "plan-text-$n")"
	hw_expect "purge-$n" 3
	expect_in "no method reaches Purge" "$(hw_out "purge-$n")"
done
expect_in "FNA bit 2" "$(hw_out purge-NVME)"
expect_in "SANICAP bit 0" "$(hw_out purge-NVME)"
expect_in "no ATA Sanitize feature set" "$(hw_out purge-SATA)"
expect_in "REPORT SUPPORTED OPERATION CODES" "$(hw_out purge-SCSI)"
expect_in "destroy the device" "$(hw_out purge-USB)"
expect_in "destroy the device" "$(hw_out purge-SD)"
expect_in "not nvme-format-crypto: the controller does not report cryptographic erase" \
	"$(hw_out plan-text-NVME)"

# --- methods the devices lack: refused (exit 3) before anything is sent
refused() { # STEP REASON
	hw_expect "$1" 3
	expect_in "nothing was written" "$(hw_err "$1")"
	expect_in "$2" "$(hw_err "$1")"
	[ "$(hw_rc "$1-report")" -ne 0 ] || fail "$1 wrote a report: $(hw_out "$1-report")"
}
refused nvme-crypto "FNA bit 2"
expect_in "nvme-format-crypto is not possible" "$(hw_err nvme-crypto)"
for m in crypto block overwrite; do
	refused "nvme-sanitize-$m" "SANICAP"
	refused "ata-sanitize-$m" "no ATA Sanitize feature set"
	refused "scsi-sanitize-$m" "REPORT SUPPORTED OPERATION CODES"
done
refused ata-secure-erase "no ATA Security feature set"
refused ata-secure-erase-enhanced "no ATA Security feature set"
refused usb-sanitize "no firmware command is sent"
refused usb-secure-erase "no firmware command is sent"
refused vblk-discard "no firmware command is sent"
refused sd-discard "an SD card has no secure erase"
hw_expect nvme-markers 0
[ "$(hw_out nvme-markers | head -n1)" -eq "$BLOCKS" ] ||
	fail "the refused methods changed the NVMe namespace: $(hw_out nvme-markers) markers left"

# --- nvme-format-user: erased, verified in the guest and on the host
hw_expect nvme-user 0
report=$(hw_out nvme-user-report)
[ "$(echo "$report" | jq -r .result)" = sanitized ] || fail "nvme-format-user: $report"
[ "$(echo "$report" | jq -r .method)" = nvme-format-user ] || fail "report method"
[ "$(echo "$report" | jq -r .nist_category)" = Clear ] || fail "SES=1 on flash is Clear"
[ "$(echo "$report" | jq -r .firmware.expected)" = zeros ] || fail "report firmware.expected"
expect_in "SES=1" "$(echo "$report" | jq -r .firmware.command)"
[ "$(hw_out nvme-user-markers | head -n1)" -eq 0 ] || fail "markers left in the guest"

# --- on the host: the NVMe file is zeros, every other disk untouched
hw_file_zero NVME || fail "the NVMe backing file is not all zeros"
for n in SATA USB SCSI VBLK SD; do
	[ "$(hw_file_markers "$n")" -eq "$BLOCKS" ] || fail "$n backing file was changed"
done
echo "1 passed, 0 failed"
