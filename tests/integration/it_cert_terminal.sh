#!/bin/bash
# What the boot stick's last screen shows of a certificate: `wipeproof cert
# qr FILE.json` draws the signed summary's QR code in Unicode half blocks;
# read back as a console shows it (qr_from_terminal.py, light on black),
# zbarimg decodes exactly the FILE.json.qr text, which verifies. The PC's
# identity given at intake (--pc-manufacturer, --pc-model, --pc-serial) is
# in the certificate (asset.computer), which stock openssl verifies, on the
# PDF, and in `custody show`; a QR text of another document is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_need_tools zbarimg jq openssl pdftotext python3
here=$(cd "$(dirname "$0")" && pwd)
"$WIPEPROOF" keys init-ca --org "株式会社テスト" --no-passphrase >/dev/null || fail "keys init-ca"
wp_issue "$OPERATOR" "係員" operator --no-passphrase
wp_issue "$APPROVER" "課長" approver --no-passphrase
expect_exit 0 custody init --as "$APPROVER" --no-approval-required
REPORTS="$WP_TMP/reports"

wp_make_loop d1 $((8 << 20))
# a maker and model without the serial name no PC: refused before anything is recorded
expect_exit 3 custody intake --as "$OPERATOR" --asset PC-0042 --device "$d1" --pc-model "ThinkPad X1"
expect_in "give --pc-serial" "$ERR"
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-0042 --device "$d1" --reason lease-end \
	--lease-contract L-2026-042 --pc-manufacturer "LENOVO" --pc-model "ThinkPad X1 Carbon Gen 9" \
	--pc-serial "PF-2X7Q9K"
expect_exit 0 wp_wipe "$d1" --asset PC-0042 --as "$OPERATOR"
json=$(ls "$REPORTS"/cert-*.json)

# ---- the PC in the certificate, signed ------------------------------------
[ "$(jq -r .asset.computer.serial "$json")" = PF-2X7Q9K ] || fail "no asset.computer.serial: $(jq -c .asset "$json")"
[ "$(jq -r .asset.computer.manufacturer "$json")" = LENOVO ] || fail "no asset.computer.manufacturer"
[ "$(jq -r .asset.computer.model "$json")" = "ThinkPad X1 Carbon Gen 9" ] || fail "no asset.computer.model"
openssl cms -verify -binary -content "$json" -in "$json.p7s" -inform PEM -CAfile "$WIPEPROOF_KEYS/ca.pem" \
	-purpose any -out /dev/null 2>/dev/null || fail "stock openssl refuses the certificate"
pdftotext "${json%.json}.pdf" - | tr -s " \n" "  " | grep -qF "LENOVO ThinkPad X1 Carbon Gen 9, S/N PF-2X7Q9K" ||
	fail "the PDF does not name the PC"
expect_exit 0 custody show PC-0042
expect_in "PF-2X7Q9K" "$OUT"

# ---- the QR code on the terminal --------------------------------------------
expect_exit 0 "$WIPEPROOF" cert qr "$json"
printf '%s\n' "$OUT" >"$WP_TMP/screen.txt"
lines=$(wc -l <"$WP_TMP/screen.txt")
echo "it: the QR code takes $lines lines of $(head -1 "$WP_TMP/screen.txt" | python3 -c 'import sys; print(len(sys.stdin.readline().rstrip()))') cells"
python3 "$here/qr_from_terminal.py" "$WP_TMP/screen.txt" "$WP_TMP/screen.pbm" || fail "not a screen of half blocks"
qr=$(zbarimg --quiet --raw "$WP_TMP/screen.pbm" 2>/dev/null) || fail "zbarimg reads no QR code off the screen"
[ "$qr" = "$(cat "$json.qr")" ] || fail "the screen's QR code is not the certificate's: $qr"
"$WIPEPROOF" keys export-trust --output "$WP_TMP/trust.pem" >/dev/null || fail "export-trust"
expect_exit 0 "$WIPEPROOF" cert verify --qr "$qr" --trust "$WP_TMP/trust.pem"

# a QR text that belongs to another document is refused, nothing drawn
cp "$json" "$WP_TMP/other.json"
sed 's/|[^|]*|/|OTHER|/' "$json.qr" >"$WP_TMP/other.json.qr"
expect_exit 1 "$WIPEPROOF" cert qr "$WP_TMP/other.json"
[ -z "$OUT" ] || fail "a refused QR text was drawn"
echo "ok: certificate on the terminal"
