#!/bin/bash
# The README's demo: runs end to end and leaves nothing behind.
. "$(dirname "$0")/lib.sh"

before=$(losetup -a | grep -c wipeproof-demo)
rm -f /tmp/wipeproof-demo-certificate.pdf
expect_exit 0 "$WIPEPROOF" demo --size-mib 16
expect_in "0 block(s) remain" "$OUT"
expect_in "MATCH" "$OUT"
expect_in '"result": "sanitized"' "$OUT"
expect_in "Demo finished" "$OUT"
# the custody part: approved by a second person, wiped, released, verifying
expect_in "approved by     山田 太郎" "$OUT"
expect_in "last wipe       sanitized, verified" "$OUT"
expect_in "released to     lease-return" "$OUT"
expect_in "verifies: 8 events" "$OUT"
# the certificate: issued by the wipe, checked as an auditor would, kept
expect_in "certificate  /tmp/wipeproof-demo-" "$OUT"
expect_in "certified by the CA" "$OUT"
expect_in "still holds the wipe pattern" "$OUT"
expect_in "QR code read from the rendered page" "$OUT"
expect_in "QR: signed by 鈴木 一郎" "$OUT"
# the document's verdict line says what was checked and by whom it is signed
[ "$(grep -c '^VALID' <<<"$OUT")" -eq 2 ] || fail "expected two VALID verdicts (document, QR)"
expect_in "VALID — two signatures:" "$OUT"
expect_in "(approver, the validator); checked: signatures, ledger and device" "$OUT"
expect_in "kept at /tmp/wipeproof-demo-certificate.pdf" "$OUT"
pdftotext /tmp/wipeproof-demo-certificate.pdf - | grep -q "データ消去証明書" ||
	fail "the kept PDF is not the certificate"
rm -f /tmp/wipeproof-demo-certificate.pdf
[ "$(losetup -a | grep -c wipeproof-demo)" -eq "$before" ] || fail "demo left a loop device attached"
dir=$(echo "$OUT" | sed -n 's/.*Virtual disk: \(\/tmp\/wipeproof-demo-[^/]*\)\/.*/\1/p')
[ -n "$dir" ] || fail "demo did not name its folder"
[ ! -e "$dir" ] || fail "demo left $dir behind"
echo "1 passed, 0 failed"
