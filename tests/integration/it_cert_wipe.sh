#!/bin/bash
# Certificates issued by `wipe --asset` on real loop devices: the files, the
# certificate event, stock `openssl cms -verify` (and its failure after one
# changed byte), the PDF (CJK font embedded, a Japanese name surviving
# JSON → PDF → text, the QR decoded from the rendered page and accepted by
# `cert verify --qr`, refused with one character changed), the auditor's
# `cert verify` with the ledger and the disk (and its failure after one
# changed byte on the disk), and no certificate for a failed or an
# unverified wipe.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_need_tools openssl pdffonts pdftotext pdftoppm zbarimg
wp_custody_people
REPORTS="$WP_TMP/reports"

wp_make_loop d1 $((16 << 20))
wp_fill_marker "$d1"
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-1 --device "$d1" --owner 営業部 \
	--location "本社 3F" --lease-contract L-7 --lease-end 2026-12-31 --reason lease-end
expect_exit 0 custody request --as "$OPERATOR" --asset PC-1
expect_exit 0 custody approve --as "$APPROVER" --asset PC-1
expect_exit 0 wp_wipe "$d1" --asset PC-1 --as "$OPERATOR"
expect_in "certificate  $REPORTS/cert-" "$OUT"

# the four files, next to the job report
json=$(ls "$REPORTS"/cert-*.json)
[ "$(echo "$json" | wc -l)" -eq 1 ] || fail "expected one certificate: $json"
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$APPROVER" # the second signature (two-person)
id=$(basename "$json" .json); id=${id#cert-}
for f in "$json" "$json.p7s" "$json.qr" "$REPORTS/cert-$id.pdf"; do
	[ -s "$f" ] || fail "missing $f"
done
report=$(ls "$REPORTS"/*-*.json | grep -v /cert-)
sha=$(sha256sum "$json" | cut -d' ' -f1)

# the document: canonical (re-serialising changes nothing), the fields
[ "$(jq -cS . "$json" | tr -d '\n')" = "$(cat "$json")" ] || fail "JSON not canonical"
[ "$(jq -r .certificate_id "$json")" = "$id" ] || fail "certificate id"
[ "$(jq -r .result "$json")" = sanitized ] || fail "result"
[ "$(jq -r .sanitization.category "$json")" = Clear ] || fail "category"
[ "$(jq -r .media.serial "$json")" = "$(wp_serial "$d1")" ] || fail "serial"
[ "$(jq -r .media.property_number "$json")" = PC-1 ] || fail "asset tag"
[ "$(jq -r .sanitized_by.name "$json")" = "$OPERATOR" ] || fail "operator"
[ "$(jq -r .sanitized_by.location "$json")" = "本社 3F" ] || fail "location from the intake"
[ "$(jq -r .approver.name "$json")" = "$APPROVER" ] || fail "approver"
[ "$(jq -r .asset.lease_contract "$json")" = L-7 ] || fail "lease contract"
[ "$(jq -r .verification.coverage_permille "$json")" = 1000 ] || fail "coverage"
[ "$(jq -r .sanitization.report_sha256 "$json")" = "$(sha256sum "$report" | cut -d' ' -f1)" ] ||
	fail "report digest"
[ "$(jq '[.. | numbers | select(. != floor)] | length' "$json")" -eq 0 ] || fail "a real number"

# the ledger: the certificate event carries the digest; the head it names
expect_exit 0 custody log --asset PC-1 --json
kinds=$(jq -r '[.events[].kind] | join(" ")' <<<"$OUT")
[ "$kinds" = "intake request approve wipe-start wipe-end verified certificate" ] || fail "events: $kinds"
[ "$(jq -r '.events[-1].body.certificate_sha256' <<<"$OUT")" = "$sha" ] || fail "event digest"
[ "$(jq -r '.events[-2].hash' <<<"$OUT")" = "$(jq -r .ledger.head_hash "$json")" ] ||
	fail "ledger head in the certificate"
expect_exit 0 custody verify

# stock OpenSSL, as README.md documents it
openssl cms -verify -binary -content "$json" -in "$json.p7s" -inform PEM \
	-CAfile "$WIPEPROOF_KEYS/ca.pem" -purpose any >/dev/null 2>&1 || fail "openssl cms -verify"
tampered="$WP_TMP/tampered.json"
cp "$json" "$tampered"
printf 'X' | dd of="$tampered" bs=1 seek=20 conv=notrunc status=none
openssl cms -verify -binary -content "$tampered" -in "$json.p7s" -inform PEM \
	-CAfile "$WIPEPROOF_KEYS/ca.pem" -purpose any >/dev/null 2>&1 &&
	fail "openssl accepted a changed document"

# the PDF: the CJK font embedded, the Japanese name extractable
pdffonts "$REPORTS/cert-$id.pdf" >"$WP_TMP/fonts"
grep -q 'NotoSansCJK.* yes ' "$WP_TMP/fonts" || fail "CJK font not embedded: $(cat "$WP_TMP/fonts")"
grep -v '^name\|^---' "$WP_TMP/fonts" | grep -q ' no ' && fail "a font is not embedded"
pdftotext "$REPORTS/cert-$id.pdf" "$WP_TMP/cert.txt"
for want in "$OPERATOR" "$APPROVER" "データ消去証明書" "Certificate of Sanitization" "$id" "$sha"; do
	grep -qF "$want" "$WP_TMP/cert.txt" || fail "'$want' not in the PDF's text"
done

# the QR code, as a phone or scanner would read it from the page
pdftoppm -r 150 -png -singlefile "$REPORTS/cert-$id.pdf" "$WP_TMP/page"
qr=$(zbarimg --raw -q "$WP_TMP/page.png" 2>/dev/null | head -n1)
[ "$qr" = "$(cat "$json.qr")" ] || fail "QR decoded as '$qr'"
[ "${#qr}" -le 400 ] || fail "QR payload is ${#qr} bytes"
expect_exit 0 "$WIPEPROOF" keys export-trust --output "$WP_TMP/trust.pem"
expect_exit 0 "$WIPEPROOF" cert verify --qr "$qr" --trust "$WP_TMP/trust.pem"
expect_in "VALID" "$OUT"
expect_in "$OPERATOR" "$OUT"
bad=${qr/|Clear|/|Purge|}
expect_exit 4 "$WIPEPROOF" cert verify --qr "$bad" --trust "$WP_TMP/trust.pem"
expect_in "INVALID: the QR signature does not match" "$OUT"
bad="${qr:0:60}x${qr:61}"
expect_exit 4 "$WIPEPROOF" cert verify --qr "$bad" --trust "$WP_TMP/trust.pem"
expect_in "INVALID" "$OUT"

# the auditor's check: signature, document, ledger, and the disk itself
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ledger "$WIPEPROOF_LEDGER" --device "$d1"
expect_in "VALID" "$OUT"
expect_in "still holds the wipe pattern" "$OUT"
expect_exit 0 "$WIPEPROOF" cert verify "$json" --device "$d1" --json
[ "$(jq -r .verdict <<<"$OUT")" = VALID ] || fail "verify --json: $OUT"
# without root: the same check on copies readable by an ordinary user
pub="$WP_TMP/pub"
mkdir -p "$pub"
cp "$json" "$json.p7s" "$json.validator.p7s" "$WIPEPROOF_KEYS/ca.pem" "$WIPEPROOF_LEDGER" "$pub/"
chmod 755 "$WP_TMP" "$pub"
chmod 644 "$pub"/*
expect_exit 0 setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$WIPEPROOF" cert verify \
	"$pub/$(basename "$json")" --ca "$pub/ca.pem" --ledger "$pub/ledger.db"
expect_in "VALID" "$OUT"
# show and render need no key either
expect_exit 0 "$WIPEPROOF" cert show "$json"
expect_in "$(wp_serial "$d1")" "$OUT"
expect_exit 0 "$WIPEPROOF" cert render "$json" --output "$WP_TMP/again.pdf"
[ "$(pdfinfo "$WP_TMP/again.pdf" | sed -n 's/^Pages: *//p')" -ge 1 ] || fail "re-rendered PDF"
# one byte changed on the disk
wp_flip_byte "$d1" $((5 << 20))
expect_exit 4 "$WIPEPROOF" cert verify "$json" --device "$d1"
expect_in "INVALID: the device no longer holds the wipe pattern" "$OUT"

# no certificate for a failed wipe (the disk runs out of room) or an
# unverified one; their wipe-end is the signed record
wp_make_full_loop d2 $((24 << 20)) $((8 << 20))
wp_make_loop d3 $((8 << 20))
expect_exit 0 custody init --as "$APPROVER" --no-approval-required
expect_exit 0 custody intake --as "$OPERATOR" --asset USB-2 --device "$d2" --reason reuse
expect_exit 0 custody intake --as "$OPERATOR" --asset USB-3 --device "$d3" --reason reuse
expect_exit 1 wp_wipe "$d2" --asset USB-2 --as "$OPERATOR" --method zero
expect_exit 0 wp_wipe "$d3" --asset USB-3 --as "$OPERATOR" --verify off
[ "$(ls "$REPORTS"/cert-*.json | wc -l)" -eq 1 ] || fail "a certificate for a failed or unverified wipe"
for a in USB-2 USB-3; do
	expect_exit 0 custody log --asset "$a" --json
	[ "$(jq '[.events[] | select(.kind == "certificate")] | length' <<<"$OUT")" -eq 0 ] ||
		fail "$a: certificate event"
	[ "$(jq -r '.events[-1].kind' <<<"$OUT")" = wipe-end ] || fail "$a: no signed wipe-end"
done
expect_exit 0 custody verify
echo "ok: certificates of wipes"
