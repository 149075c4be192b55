#!/bin/bash
# Emulated hardware: power loss in the middle of a wipe. The ledger and the
# keys live on a second disk (ext4, made on the host), so they survive the
# plug being pulled. First boot: a three-pass wipe of an NVMe disk, frozen
# once a checkpoint inside a pass is in the ledger, then QEMU is killed.
# Second boot on the same raw files: `resume` re-checks the disk, records
# wipe-end (interrupted, crash) and wipe-resume, continues from the
# checkpoint, verifies and issues the certificate; the ledger verifies and
# shows the whole sequence; the raw file holds no marker.
. "$(dirname "$0")/lib.sh"
command -v mkfs.ext4 >/dev/null || { echo "SKIP: mkfs.ext4 (e2fsprogs) missing"; exit 77; }
hw_disk nvme WIPE $((64 << 20))
hw_disk vblk STATE $((64 << 20))
mkfs.ext4 -q -F "$(hw_file STATE)" || fail "mkfs.ext4 on the raw file"

hw_start "$HW_SRC/resume1.guest.sh" 300
hw_wait_for "@@CHECKPOINT" 240
grep -q "@@NO-CHECKPOINT" "$HW_TMP/results.log" && fail "no checkpoint before the wipe ended"
hw_kill
tr -d '\r' < "$HW_TMP/results.log" > "$HW_TMP/boot1.txt"
ck=$(awk '/^@@OUT checkpoint/ {f=1; next} /^@@/ {f=0} f' "$HW_TMP/boot1.txt" | grep '^{')
[ "$(jq -r '.jobs[0].state' <<<"$ck")" = running ] || fail "boot 1 checkpoint: $ck"
pass=$(jq -r '.jobs[0].pass' <<<"$ck")
offset=$(jq -r '.jobs[0].offset' <<<"$ck")
[ "$offset" -gt 0 ] || fail "no checkpoint inside a pass: $ck"
echo "hw: power lost in pass $pass after byte $offset"

hw_boot "$HW_SRC/resume2.guest.sh" 300
for step in mount before verify validate certverify custodyverify custody after umount; do
	hw_expect "$step" 0
done
[ "$(hw_out before | jq -r '.jobs[0].state')" = crashed ] || fail "before: $(hw_out before)"
# the guest has no fonts: the certificate is issued and recorded, only
# its PDF cannot be drawn there (exit 1, as in test_freespace.sh)
rc=$(hw_rc resume)
[ "$rc" -eq 0 ] || { [ "$rc" -eq 1 ] && expect_in "the PDF failed" "$(hw_err resume)"; } ||
	fail "resume exited $rc: $(hw_err resume)"
rep=$(hw_out report)
[ "$(jq -r .result <<<"$rep")" = sanitized ] || fail "report: $rep"
[ "$(jq -c '[.interruptions[] | .cause, .pass, .offset]' <<<"$rep")" = "[\"crash\",$pass,$offset]" ] ||
	fail "interruptions: $(jq -c .interruptions <<<"$rep")"
expect_in "VALID" "$(hw_out certverify)"
kinds=$(hw_out custody | jq -r '[.events[] | .kind + (if .kind == "wipe-end" then "(" + .body.result +
	(if .body.cause then "," + .body.cause else "" end) + ")" else "" end)] | join(" ")')
[ "$kinds" = "intake wipe-start wipe-end(interrupted,crash) wipe-resume wipe-end(sanitized) verified certificate" ] ||
	fail "ledger: $kinds"
[ "$(hw_out after | jq -r '.jobs[0].state')" = done ] || fail "after: $(hw_out after)"
hw_expect again 2
expect_in "nothing to resume" "$(hw_err again)"
[ "$(hw_file_markers WIPE)" -eq 0 ] || fail "$(hw_file_markers WIPE) marker blocks left in the raw file"
echo "1 passed, 0 failed"
