#!/bin/bash
# The auditors' page (keys export-trust --html) and issue 17's certificates:
# an erasure attested by a multifunction printer (result erased-attested)
# and a vendor's destruction (vendor, its certificate's digest, no tool
# version) are VALID on the page as in `wipeproof cert verify`, and the
# page shows the attested result in words.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
. "$(dirname "$0")/verify_page_lib.sh"
page_check() { # JSON: VALID on the page and in cert verify
	local json=$1
	page_verdict "$WP_TMP/verify.html" "$json" "$json.p7s" ""
	[ "$PAGE_VERDICT" = VALID ] || fail "the page says '$PAGE_VERDICT' for $json: $PAGE_REASON"
	expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$WIPEPROOF_KEYS/ca.pem"
}
wp_custody_people
printf 'MFP erase report\n' > "$WP_TMP/report.txt"
expect_exit 0 custody intake --as "$OPERATOR" --asset MFP-1 --serial M1 --model MFP --kind mfp \
	--confidentiality 機密性2
expect_exit 0 custody request --as "$OPERATOR" --asset MFP-1
expect_exit 0 custody approve --as "$APPROVER" --asset MFP-1 --for wipe,release
expect_exit 0 custody attest-erasure --as "$OPERATOR" --asset MFP-1 --evidence "$WP_TMP/report.txt" \
	--method "HDD overwrite" --by self --category clear --witness "$WITNESS"
mkdir "$WP_TMP/a" "$WP_TMP/v"
expect_exit 0 "$WIPEPROOF" cert issue --asset MFP-1 --as "$OPERATOR" --output "$WP_TMP/a"
aj=$(ls "$WP_TMP"/a/cert-*.json)
expect_exit 0 "$WIPEPROOF" cert validate "$aj" --as "$APPROVER"

printf 'vendor certificate\n' > "$WP_TMP/vendor.pdf"
expect_exit 0 custody intake --as "$OPERATOR" --asset HDD-1 --serial H1 --model HDD --reason disposal
expect_exit 0 custody request --as "$OPERATOR" --asset HDD-1
expect_exit 0 custody approve --as "$APPROVER" --asset HDD-1 --for transfer,release
expect_exit 0 custody transfer --as "$OPERATOR" --asset HDD-1 --vendor "リサイクル社"
expect_exit 0 custody vendor-destroyed --as "$OPERATOR" --asset HDD-1 --vendor-cert "$WP_TMP/vendor.pdf" \
	--date "$(date -u +%F)" --method 破砕 --received-by "$APPROVER"
expect_exit 0 "$WIPEPROOF" cert issue --asset HDD-1 --as "$OPERATOR" --output "$WP_TMP/v"
vj=$(ls "$WP_TMP"/v/cert-*.json)
expect_exit 0 "$WIPEPROOF" cert validate "$vj" --as "$APPROVER"

expect_exit 0 "$WIPEPROOF" keys export-trust --html "$WP_TMP/verify.html"
page_check "$aj"
expect_in "erased, attested" "$PAGE_DOM"
page_check "$vj"
echo "ok: the auditors' page checks issue 17's certificates"
