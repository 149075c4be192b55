#!/bin/bash
# Devices erased by themselves or by their maker (issue 17 item 4; R1, R6):
# a multifunction printer's own erase and a lease company's erasure of a
# phone, recorded with the evidence file (SHA-256, a copy next to the
# ledger), the method claimed and a witness; the asset is released and
# certified with the honest category — Clear, or "unknown —
# vendor-attested" — never Purge, and a class that needs Purge is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_need_tools jq openssl pdftotext pdfinfo sha256sum
wp_custody_people
CA="$WIPEPROOF_KEYS/ca.pem"
LEDGER_DIR=$(dirname "$WIPEPROOF_LEDGER")
printf 'MFP erase report: HDD overwritten 3 times, completed 2026-12-01\n' > "$WP_TMP/mfp-report.txt"
rsha=$(sha256sum "$WP_TMP/mfp-report.txt" | cut -d' ' -f1)

expect_exit 0 custody intake --as "$OPERATOR" --asset MFP-1 --serial MFP-SN-1 --model "imageRUNNER C3226" \
	--kind mfp --confidentiality 機密性2 --reason lease-end
attest() { # asset, then extra options
	local asset=$1
	shift
	custody attest-erasure --as "$OPERATOR" --asset "$asset" "$@"
}
expect_exit 3 attest MFP-1 --evidence "$WP_TMP/mfp-report.txt" --method "HDD データ完全消去 (3回上書き)" \
	--by self --category clear --witness "$WITNESS"
expect_in "no approval" "$ERR"
[ -z "$(ls "$LEDGER_DIR/evidence" 2>/dev/null)" ] || fail "a refused event left its evidence copy"
expect_exit 0 custody request --as "$OPERATOR" --asset MFP-1
expect_exit 0 custody approve --as "$APPROVER" --asset MFP-1 --for wipe,release
expect_exit 2 attest MFP-1 --evidence "$WP_TMP/mfp-report.txt" --method M --by self --category clear
expect_in "--witness PERSON" "$ERR"
expect_exit 2 attest MFP-1 --method M --by self --category clear --witness "$WITNESS"
expect_in "--evidence FILE" "$ERR"
expect_exit 3 attest MFP-1 --evidence "$WP_TMP/mfp-report.txt" --method M --by self --category purge \
	--witness "$WITNESS"
expect_in "clear (the claimed method is a NIST Clear) or unknown" "$ERR"
expect_exit 3 attest MFP-1 --evidence "$WP_TMP/mfp-report.txt" --method M --by self --category clear \
	--witness "$OPERATOR"
expect_in "cannot witness their own" "$ERR"
expect_exit 3 custody release --as "$OPERATOR" --asset MFP-1 --to lease-return
expect_in "neither a sanitized wipe" "$ERR"
expect_exit 0 attest MFP-1 --evidence "$WP_TMP/mfp-report.txt" --method "HDD データ完全消去 (3回上書き)" \
	--by self --category clear --witness "$WITNESS" --erased-by "複合機の消去機能"
[ -f "$LEDGER_DIR/evidence/$rsha-mfp-report.txt" ] || fail "no evidence copy next to the ledger"
expect_exit 0 custody show MFP-1 --json
[ "$(jq -r .attested_category <<<"$OUT")" = clear ] || fail "show: attested category"
[ "$(jq -r .confidentiality <<<"$OUT")" = 機密性2 ] || fail "show: class"
[ "$(jq -r .kind <<<"$OUT")" = mfp ] || fail "show: kind"
expect_exit 0 custody release --as "$OPERATOR" --asset MFP-1 --to lease-return
mkdir "$WP_TMP/mfp"
expect_exit 0 "$WIPEPROOF" cert issue --asset MFP-1 --as "$OPERATOR" --output "$WP_TMP/mfp"
mj=$(ls "$WP_TMP"/mfp/cert-*.json)
[ "$(jq -r .result "$mj")" = erased-attested ] || fail "result"
[ "$(jq -r .sanitization.category "$mj")" = Clear ] || fail "category"
[ "$(jq -r .attestation.evidence_sha256 "$mj")" = "$rsha" ] || fail "evidence digest"
[ "$(jq -r .verified_by.name "$mj")" = "$WITNESS" ] || fail "the witness verifies"
expect_exit 0 "$WIPEPROOF" cert validate "$mj" --as "$APPROVER"
expect_exit 0 "$WIPEPROOF" cert verify "$mj" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
openssl cms -verify -binary -content "$mj" -in "$mj.p7s" -inform PEM -CAfile "$CA" -purpose any \
	-out /dev/null 2>/dev/null || fail "stock openssl"
[ "$(pdfinfo "${mj%.json}.pdf" | awk '/^Pages:/ {print $2}')" = 1 ] || fail "more than one page"
pdftotext -layout "${mj%.json}.pdf" - | tr -d ' ' | grep -qF "消去の証跡" || fail "the page lacks the evidence"

# a phone erased by the lease company after the hand-over: level unknown
printf 'lease company certificate of erasure, device IMEI 35-000000-000000-0\n' > "$WP_TMP/lease.txt"
expect_exit 0 custody intake --as "$OPERATOR" --asset PHONE-1 --serial IMEI-1 --model "iPhone 15" --kind phone \
	--confidentiality 社内限り --reason lease-end
expect_exit 0 custody request --as "$OPERATOR" --asset PHONE-1
expect_exit 0 custody approve --as "$APPROVER" --asset PHONE-1 --for wipe,transfer,release
expect_exit 0 custody transfer --as "$OPERATOR" --asset PHONE-1 --vendor "東京センチュリーリース"
expect_exit 0 attest PHONE-1 --evidence "$WP_TMP/lease.txt" --method "factory reset by the lease company" \
	--by lease-company --category unknown --witness "$APPROVER2" --erased-by "東京センチュリーリース"
expect_exit 0 custody release --as "$OPERATOR" --asset PHONE-1 --to lease-return
mkdir "$WP_TMP/phone"
expect_exit 0 "$WIPEPROOF" cert issue --asset PHONE-1 --as "$OPERATOR" --output "$WP_TMP/phone"
fj=$(ls "$WP_TMP"/phone/cert-*.json)
[ "$(jq -r .sanitization.category "$fj")" = "unknown — vendor-attested" ] || fail "unknown category"
expect_in "unknown" "$(jq -r .confidentiality.post "$fj")"
expect_exit 0 "$WIPEPROOF" cert validate "$fj" --as "$APPROVER"
expect_exit 0 "$WIPEPROOF" cert verify "$fj" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
pdftotext -layout "${fj%.json}.pdf" - | tr -d ' ' | grep -qF "区分不明" || fail "the page lacks the category"
# the QR code's signed summary carries the honest category too
"$WIPEPROOF" keys export-trust --output "$WP_TMP/trust.pem" >/dev/null || fail "export-trust"
expect_exit 0 "$WIPEPROOF" cert verify --qr "$(cat "$fj.qr")" --trust "$WP_TMP/trust.pem"
expect_in "VALID" "$OUT"

# a class whose minimum is Purge: the maker's word is not enough
expect_exit 0 custody intake --as "$OPERATOR" --asset PHONE-2 --serial IMEI-2 --model "iPhone 15" --kind phone \
	--confidentiality 極秘
expect_exit 0 custody request --as "$OPERATOR" --asset PHONE-2
expect_exit 0 custody approve --as "$APPROVER" --asset PHONE-2 --for wipe,release
expect_exit 3 attest PHONE-2 --evidence "$WP_TMP/lease.txt" --method "factory reset" --by maker \
	--category clear --witness "$WITNESS"
expect_in "class 極秘, and the policy requires at least NIST purge" "$ERR"
expect_exit 0 custody verify
echo "ok: erasures attested by the device or its maker"
