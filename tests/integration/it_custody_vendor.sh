#!/bin/bash
# Vendor destruction (廃棄業者, issue 17 item 2; R2, R3, R11): a disk wiped
# here, handed to a vendor, and destroyed by it later; the event records the
# vendor's certificate by SHA-256 with a copy next to the ledger, the date,
# the method and who received it. The asset is released and certified
# afterwards: the Destroy certificate names the vendor and its
# certificate's digest, links the earlier wipe certificate and names no
# tool version; stock OpenSSL and cert verify --ledger accept it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_need_tools jq openssl pdftotext pdfinfo sha256sum
wp_custody_people
CA="$WIPEPROOF_KEYS/ca.pem"
VENDOR="株式会社東京リサイクルセンター"
wp_make_loop d1 $((16 << 20))
s1=$(wp_serial "$d1")

expect_exit 0 custody intake --as "$OPERATOR" --asset HDD-7 --device "$d1" --confidentiality 社外秘 \
	--reason disposal --owner 経理部
expect_exit 0 custody request --as "$OPERATOR" --asset HDD-7
expect_exit 0 custody approve --as "$APPROVER" --asset HDD-7 --for wipe,transfer,release
wp_ours "$d1"
expect_exit 0 "$WIPEPROOF" wipe "$d1" --asset HDD-7 --as "$OPERATOR" --confirm-serial "$s1"
wipe_json=$(ls "$(dirname "$WIPEPROOF_LEDGER")"/reports/cert-*.json)
wipe_sha=$(sha256sum "$wipe_json" | cut -d' ' -f1)

printf '%%PDF-1.4 vendor certificate of destruction no. 2026-0042\n' > "$WP_TMP/vendor-cert.pdf"
vsha=$(sha256sum "$WP_TMP/vendor-cert.pdf" | cut -d' ' -f1)
# not handed over yet
expect_exit 3 custody vendor-destroyed --as "$OPERATOR" --asset HDD-7 --vendor-cert "$WP_TMP/vendor-cert.pdf" \
	--date 2026-01-10 --method 破砕 --received-by "$APPROVER"
expect_in "was not handed to a vendor" "$ERR"
[ ! -e "$(dirname "$WIPEPROOF_LEDGER")/vendor-certs/$vsha-vendor-cert.pdf" ] ||
	fail "a refused event left its evidence copy"
expect_exit 0 custody transfer --as "$OPERATOR" --asset HDD-7 --vendor "$VENDOR"
# what the vendor's destruction needs
expect_exit 2 custody vendor-destroyed --as "$OPERATOR" --asset HDD-7 --date 2026-01-10 --method 破砕 \
	--received-by "$APPROVER"
expect_in "--vendor-cert FILE" "$ERR"
expect_exit 3 custody vendor-destroyed --as "$OPERATOR" --asset HDD-7 --vendor-cert "$WP_TMP/vendor-cert.pdf" \
	--date 2099-01-10 --method 破砕 --received-by "$APPROVER"
expect_in "not after today" "$ERR"
expect_exit 3 custody vendor-destroyed --as "$OPERATOR" --asset HDD-7 --vendor-cert "$WP_TMP/vendor-cert.pdf" \
	--date 2026-01-10 --method 破砕 --received-by "$APPROVER" --vendor "別の業者"
expect_in "was handed to '$VENDOR'" "$ERR"
expect_exit 1 custody vendor-destroyed --as "$OPERATOR" --asset HDD-7 --vendor-cert "$WP_TMP/none.pdf" \
	--date 2026-01-10 --method 破砕 --received-by "$APPROVER"
today=$(date -u +%F)
expect_exit 0 custody vendor-destroyed --as "$OPERATOR" --asset HDD-7 --vendor-cert "$WP_TMP/vendor-cert.pdf" \
	--date "$today" --method "破砕 (shredding to 10 mm)" --received-by "$APPROVER"
copy="$(dirname "$WIPEPROOF_LEDGER")/vendor-certs/$vsha-vendor-cert.pdf"
[ -f "$copy" ] || fail "no copy of the vendor's certificate next to the ledger"
cmp -s "$copy" "$WP_TMP/vendor-cert.pdf" || fail "the copy differs"
expect_exit 0 custody log --asset HDD-7 --json
ev=$(jq -c '.events[] | select(.kind == "vendor-destroyed") | .body' <<<"$OUT")
[ "$(jq -r .vendor_cert_sha256 <<<"$ev")" = "$vsha" ] || fail "vendor cert digest: $ev"
[ "$(jq -r .received_by <<<"$ev")" = "$APPROVER" ] || fail "received by: $ev"
[ "$(jq -r .date <<<"$ev")" = "$today" ] || fail "date: $ev"
expect_exit 0 custody show HDD-7
expect_in "destroyed" "$OUT"
expect_exit 3 custody vendor-destroyed --as "$OPERATOR" --asset HDD-7 --vendor-cert "$WP_TMP/vendor-cert.pdf" \
	--date "$today" --method 破砕 --received-by "$APPROVER"
expect_in "already destroyed" "$ERR"

# released first, certified afterwards
expect_exit 0 custody release --as "$OPERATOR" --asset HDD-7 --to dispose
mkdir "$WP_TMP/vcert"
expect_exit 0 "$WIPEPROOF" cert issue --asset HDD-7 --as "$OPERATOR" --output "$WP_TMP/vcert"
dj=$(ls "$WP_TMP"/vcert/cert-*.json)
[ "$(jq -r .result "$dj")" = destroyed ] || fail "result"
[ "$(jq -r .sanitization.category "$dj")" = Destroy ] || fail "category"
[ "$(jq -r .vendor.name "$dj")" = "$VENDOR" ] || fail "vendor name"
[ "$(jq -r .vendor.certificate_sha256 "$dj")" = "$vsha" ] || fail "vendor certificate digest"
[ "$(jq -r .wipe_certificate.certificate_id "$dj")" = "$(jq -r .certificate_id "$wipe_json")" ] ||
	fail "the earlier wipe certificate is not linked"
[ "$(jq -r .wipe_certificate.certificate_sha256 "$dj")" = "$wipe_sha" ] || fail "wipe certificate digest"
jq -r .sanitization.tool_version "$dj" | grep -q '[0-9]\.[0-9]' && fail "a physical destruction names a tool version"
[ "$(jq -r .confidentiality.pre "$dj")" = 社外秘 ] || fail "class"
expect_exit 0 "$WIPEPROOF" cert validate "$dj" --as "$APPROVER"
expect_exit 0 "$WIPEPROOF" cert verify "$dj" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
expect_in "VALID" "$OUT"
openssl cms -verify -binary -content "$dj" -in "$dj.p7s" -inform PEM -CAfile "$CA" -purpose any \
	-out /dev/null 2>/dev/null || fail "stock openssl"
# a certificate whose vendor digest was edited: certdoc refuses the form
jq -c '.vendor.certificate_sha256 = "XYZ"' "$dj" | tr -d '\n' > "$WP_TMP/edited.json"
expect_exit 4 "$WIPEPROOF" cert verify "$WP_TMP/edited.json" --sig "$dj.p7s" --ca "$CA"
pdf=${dj%.json}.pdf
[ "$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')" = 1 ] || fail "more than one page"
text=$(pdftotext -layout "$pdf" - | tr -d ' ')
for want in "廃棄業者" "$VENDOR" "${vsha:0:16}" "消去証明書" "社外秘"; do
	grep -qF -- "$want" <<<"$text" || fail "the page lacks '$want'"
done
# the 台帳: the vendor's destruction with its method in the result column
expect_exit 0 custody export --format csv --output "$WP_TMP/ledger.csv"
grep -q '"vendor-destroyed","破砕 (shredding to 10 mm)"' "$WP_TMP/ledger.csv" ||
	fail "the CSV lacks the vendor's destruction: $(grep vendor-destroyed "$WP_TMP/ledger.csv")"
expect_exit 0 custody verify
echo "ok: vendor destruction"
