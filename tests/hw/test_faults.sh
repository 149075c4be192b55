#!/bin/bash
# Emulated hardware: medium errors the kernel really returns. dm-error
# makes LBAs 2048-2055 of a mapping unwritable: the wipe writes everything
# else, ends failed with exactly that range and "destroy", issues no
# certificate, and the custody ledger records it and verifies. dm-flakey
# fails all I/O every other second: the retries carry the wipe through to
# sanitized and the report counts them. scsi_debug fails reads of LBAs
# 4660-4667: the read-back records them unreadable and the job fails. A
# test mapping over a partition of a disk with a mounted filesystem is
# refused.
. "$(dirname "$0")/lib.sh"
hw_disk vblk BAD
hw_disk vblk FLAKY $((128 << 20))
command -v mkfs.ext4 >/dev/null || { echo "SKIP: mkfs.ext4 (e2fsprogs) missing"; exit 77; }
# MNT: an MBR with partition 1 (LBA 2048, 8 MiB, ext4) and 2 (LBA 18432, 6 MiB)
hw_disk vblk MNT
printf '\x00\x00\x00\x00\x83\x00\x00\x00\x00\x08\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x83\x00\x00\x00\x00\x48\x00\x00\x00\x30\x00\x00' |
	dd of="$(hw_file MNT)" bs=1 seek=446 conv=notrunc status=none
# entries 3 and 4 empty (the markers there would make the table invalid)
head -c 32 /dev/zero | dd of="$(hw_file MNT)" bs=1 seek=478 conv=notrunc status=none
printf '\x55\xaa' | dd of="$(hw_file MNT)" bs=1 seek=510 conv=notrunc status=none
mkfs.ext4 -q -F -E offset=$((2048 * 512)) "$(hw_file MNT)" 8M || fail "mkfs.ext4 in partition 1"
hw_boot "$HW_SRC/faults.guest.sh" 360

hw_expect people 0
# (a) dm-error
list=$(hw_out list)
[ "$(echo "$list" | jq -r '.devices[] | select(.serial == "WIPEPROOF-TEST-BAD") | .protected')" = false ] ||
	fail "the dm test mapping is not listed as wipeable: $list"
hw_expect bad 1
rep=$(hw_out bad-report)
[ "$(echo "$rep" | jq -r .result)" = failed ] || fail "bad: $(echo "$rep" | jq -c .)"
[ "$(echo "$rep" | jq -c .bad_blocks)" = '[{"count":8,"first_lba":2048}]' ] ||
	fail "bad ranges: $(echo "$rep" | jq -c '{bad_blocks, error}')"
[ "$(echo "$rep" | jq -r .recommendation)" = destroy ] || fail "no destroy recommendation"
[ "$(echo "$rep" | jq '.retries > 0 and .recovered_blocks == 0')" = true ] ||
	fail "counters: $(echo "$rep" | jq -c '{retries, recovered_blocks}')"
[ "$(echo "$rep" | jq -c '.verification | [.unreadable_blocks, .unreadable, .mismatched_blocks]')" = \
	'[8,[{"count":8,"first_lba":2048}],0]' ] || fail "verification: $(echo "$rep" | jq -c .verification)"
[ "$(echo "$rep" | jq '.passes[0].complete')" = true ] || fail "the pass did not go on past the bad blocks"
expect_in "bad blocks LBA 2048, 8 block(s): not written" "$(hw_out bad)"
expect_in "recommend  destroy" "$(hw_out bad)"
! hw_out bad-files | grep -q '^cert-' || fail "a certificate was issued for a failed wipe: $(hw_out bad-files)"
end=$(hw_out bad-custody | jq -c '[.events[] | select(.kind == "wipe-end")][0].body')
[ "$(echo "$end" | jq -r '.result + " " + .recommendation + " " + (.bad_blocks | tostring)')" = "failed destroy 8" ] ||
	fail "wipe-end: $end"
[ "$(hw_out bad-custody | jq '[.events[] | select(.kind == "certificate" or .kind == "verified")] | length')" -eq 0 ] ||
	fail "ledger: $(hw_out bad-custody | jq -c '[.events[].kind]')"
hw_expect bad-verify 0
# the blocks around the bad range took the zeros, the range kept its data
f=$(hw_file BAD)
[ "$(dd if="$f" bs=512 skip=2048 count=8 2>/dev/null | grep -a -c "$MARKER")" -eq 1 ] ||
	fail "the unwritable range does not hold the old marker"
cmp -s -n $((2048 * 512)) "$f" /dev/zero || fail "blocks before the bad range were not zeroed"
[ "$(dd if="$f" bs=512 skip=2056 2>/dev/null | tr -d '\0' | wc -c)" -eq 0 ] ||
	fail "blocks after the bad range were not zeroed"

# (b) dm-flakey
expect_in flakey "$(hw_out flaky-table)"
hw_expect flaky 0
rep=$(hw_out flaky-report)
[ "$(echo "$rep" | jq -r .result)" = sanitized ] || fail "flaky: $(echo "$rep" | jq -c .)"
[ "$(echo "$rep" | jq '.retries > 0 and (.bad_blocks | length) == 0')" = true ] ||
	fail "flaky counters: $(echo "$rep" | jq -c '{retries, recovered_blocks, bad_blocks}')"
expect_in "retries" "$(hw_out flaky)"
[ "$(hw_file_markers FLAKY)" -eq 0 ] || fail "flaky: markers left"

# (c) scsi_debug medium errors on read (and on write, where the kernel's
# scsi_debug has them there too)
rep=$(hw_out medium-report)
[ -n "$rep" ] || fail "scsi_debug: no report; $(hw_err medium)"
hw_expect medium 1
[ "$(echo "$rep" | jq -r '.result + " " + .recommendation')" = "failed destroy" ] ||
	fail "scsi_debug: $(echo "$rep" | jq -c .)"
[ "$(echo "$rep" | jq -c '[.verification.unreadable[0], .bad_blocks[0]] | map(select(. != null)) | .[0]')" = \
	'{"count":8,"first_lba":4660}' ] || fail "scsi_debug range: $(echo "$rep" | jq -c '{bad_blocks, verification}')"
# (d) a test mapping beside a mounted partition: protected, refused, untouched
hw_expect mnt-mount 0
dm=$(hw_out mnt-list | jq -c '.devices[] | select(.serial == "WIPEPROOF-TEST-MNT")')
[ "$(echo "$dm" | jq -r '.protected')" = true ] &&
	echo "$dm" | jq -e '.protect_reasons[] | select(.code == "mounted")' >/dev/null ||
	fail "a test mapping on a disk with a mounted partition is not protected: $dm"
hw_expect mnt-wipe 3
expect_in "/mnt/below" "$(hw_err mnt-wipe)"
expect_in "lost+found" "$(hw_out mnt-ls)"
echo "1 passed, 0 failed"
