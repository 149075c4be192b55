#!/bin/bash
# Emulated hardware: a USB stick pulled out mid-wipe. One `wipe` command
# writes a USB stick and an NVMe drive at once with custody; when a good
# part of the stick is written the host removes it with the QEMU monitor
# (device_del). The stick's job ends interrupted with cause
# device-removed, quickly (no retries against a missing disk) and without
# a certificate; the NVMe job carries on to sanitized with its
# certificate; the ledger's chain verifies.
. "$(dirname "$0")/lib.sh"
hw_disk usb USB $((256 << 20))
hw_disk nvme NVME $((192 << 20))
hw_start "$HW_SRC/vanish.guest.sh" 360
hw_wait_for "@@HW-MIDWIPE" 240
hw_monitor "device_del devUSB"
hw_finish

hw_expect people 0
expect_in "@@HW-MIDWIPE written=" "$(grep -a MIDWIPE "$HW_TMP/results.txt")"
[ "$(hw_rc wipe)" -ne 0 ] || fail "the wipe with a vanished disk exited 0"
hw_expect gone 0
usb=$(hw_out reports | jq -c 'select(.device.serial == "WPHW-USB")')
nvme=$(hw_out reports | jq -c 'select(.device.serial == "WPHW-NVME")')
[ "$(echo "$usb" | jq -r '.result + " " + .cause')" = "interrupted device-removed" ] ||
	fail "USB job: $usb; stderr: $(hw_err wipe)"
[ "$(echo "$usb" | jq '(.retries // 0) == 0 and .stopped_at.offset > 0')" = true ] ||
	fail "USB job retried or did not say where it stopped: $usb"
[ "$(echo "$nvme" | jq -r '.result + " " + .verification.mode')" = "sanitized full" ] ||
	fail "NVMe job: $nvme"
# certificates: the NVMe job's, never the stick's
certs=$(hw_out wipe | jq -c 'select(.event == "certificate")')
[ "$(echo "$certs" | grep -c .)" -eq 1 ] || fail "certificates: $certs"
[ "$(echo "$certs" | jq -r .asset)" = PC-NVME ] ||
	fail "the certificate is not the NVMe job's: $certs"
hw_expect certs 0
expect_in VALID "$(hw_out certs)"
ends=$(hw_out custody | jq -c '[.events[] | select(.kind == "wipe-end") | {asset, result: .body.result, cause: .body.cause}] | sort_by(.asset)')
[ "$ends" = '[{"asset":"PC-NVME","result":"sanitized","cause":null},{"asset":"PC-USB","result":"interrupted","cause":"device-removed"}]' ] ||
	fail "wipe-ends: $ends"
hw_expect verify 0
expect_in "verifies" "$(hw_out verify)"
hw_file_zero NVME || fail "the NVMe file is not all zeros"
[ "$(hw_file_markers USB)" -gt 0 ] || fail "the stick was written to the end: it was not pulled mid-wipe"
echo "1 passed, 0 failed"
