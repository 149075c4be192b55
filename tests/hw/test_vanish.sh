#!/bin/bash
# Emulated hardware: a USB stick pulled out mid-wipe. One `wipe` command
# writes a USB stick and an NVMe drive at once with custody; when a good
# part of the stick is written the host removes it with the QEMU monitor
# (device_del). The stick's job ends interrupted with cause
# device-removed, quickly (no retries against a missing disk) and without
# a certificate; the NVMe job carries on to sanitized with its
# certificate; the ledger's chain verifies. The stick is then plugged in
# again (device_add) and `resume` finishes its job from the checkpoint
# before the pull: sanitized, certified, the chain still verifies.
. "$(dirname "$0")/lib.sh"
hw_disk usb USB $((256 << 20))
hw_disk nvme NVME $((192 << 20))
hw_start "$HW_SRC/vanish.guest.sh" 360
hw_wait_for "@@HW-MIDWIPE" 240
hw_monitor "device_del devUSB"
hw_wait_for "@@HW-REPLUG" 240
# device_del took the -drive backend with it: a new one on the same file
hw_monitor "drive_add 0 if=none,id=dUSB2,file=$(hw_file USB),format=raw"
hw_monitor "device_add usb-storage,bus=xhci.0,drive=dUSB2,serial=WPHW-USB,removable=on,id=devUSB2"
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

# the stick back: resumed from a checkpoint inside the pass, to the end
rc=$(hw_rc resume)
[ "$rc" -eq 0 ] || { [ "$rc" -eq 1 ] && expect_in "the PDF failed" "$(hw_err resume)"; } ||
	fail "resume exited $rc: $(hw_err resume)"
rep=$(hw_out resumed)
[ "$(jq -r .result <<<"$rep")" = sanitized ] || fail "resumed report: $rep"
[ "$(jq -r '.interruptions | length' <<<"$rep")" = 1 ] &&
	[ "$(jq -r '.interruptions[0].cause' <<<"$rep")" = device-removed ] &&
	[ "$(jq -r '.interruptions[0].offset' <<<"$rep")" -gt 0 ] ||
	fail "interruptions: $(jq -c .interruptions <<<"$rep")"
kinds=$(hw_out custody2 | jq -r '[.events[] | .kind + (if .kind == "wipe-end" then "(" + .body.result +
	(if .body.cause then "," + .body.cause else "" end) + ")" else "" end)] | join(" ")')
[ "$kinds" = "intake request approve wipe-start wipe-end(interrupted,device-removed) wipe-resume wipe-end(sanitized) verified certificate" ] ||
	fail "ledger of the stick: $kinds"
hw_expect verify2 0
hw_expect certs2 0
[ "$(hw_out ncerts)" = 2 ] || fail "certificates after the resume: $(hw_out ncerts)"
[ "$(hw_file_markers USB)" -eq 0 ] || fail "$(hw_file_markers USB) marker blocks left on the stick after the resume"
echo "1 passed, 0 failed"
