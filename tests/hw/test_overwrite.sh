#!/bin/bash
# Emulated hardware (QEMU 7.2, see tests/hw/lib.sh): an overwrite of each
# kind of disk (NVMe, AHCI SATA, USB, virtio-scsi, virtio-blk, SD card),
# three at once, verified in full by wipeproof in the guest, then checked
# on the host's backing files: zeros where `zero` was written, no marker
# left and not zeros where `random` was.
. "$(dirname "$0")/lib.sh"
for k in nvme:NVME sata:SATA usb:USB scsi:SCSI vblk:VBLK sd:SD; do
	hw_disk "${k%%:*}" "${k#*:}"
done
hw_boot "$HW_SRC/overwrite.guest.sh"

for step in zero random; do
	hw_expect "$step" 0
done
for want in NVME:zero USB:zero VBLK:zero SATA:random SCSI:random SD:random; do
	n=${want%%:*} method=${want#*:} serial=WPHW-${want%%:*}
	[ "$n" = SD ] && serial=0xdeadbeef # QEMU's fixed CID
	report=$(hw_out "report-$n")
	[ "$(echo "$report" | jq -r .device.serial)" = "$serial" ] || fail "$n: report of another disk"
	[ "$(echo "$report" | jq -r .result)" = sanitized ] || fail "$n: $report"
	[ "$(echo "$report" | jq -r .method)" = "$method" ] || fail "$n method: $report"
	[ "$(echo "$report" | jq -r .verification.mode)" = full ] ||
		fail "$n verification: $(echo "$report" | jq -c .verification)"
	# one pass on a USB stick or an SD card reaches no SP 800-88 category
	# (Table A-8 asks a pattern and its complement there)
	want_cat=Clear
	case $n in USB | SD) want_cat=none ;; esac
	[ "$(echo "$report" | jq -r .nist_category)" = "$want_cat" ] || fail "$n category"
	[ "$(hw_file_markers "$n")" -eq 0 ] || fail "$n: markers left in the backing file"
	if [ "$method" = zero ]; then
		hw_file_zero "$n" || fail "$n: the backing file is not all zeros"
	else
		! hw_file_zero "$n" || fail "$n: random left zeros"
	fi
done
echo "1 passed, 0 failed"
