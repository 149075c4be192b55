#!/bin/bash
# Old certificates stay verifiable (issue 22 item 12). Stock openssl's recipe
# (README.md) checks the signer's certificate at the time it runs: after the
# signer's certificate expired it says "certificate has expired", and with
# -attime set to the signing time it verifies. A renewed person keeps their
# old certificate in the key store, so the trust bundle still holds it and a
# QR code they signed before the renewal verifies with the new bundle.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
K="$WIPEPROOF_KEYS"
expect_exit 0 "$WIPEPROOF" keys issue --id E300 --name "短期 係員" --title 係員 --role operator \
	--days 2 --no-passphrase
old=$(jq -r '.people[] | select(.name == "短期 係員") | .fingerprint' <<<"$("$WIPEPROOF" keys list --json)")
expect_exit 0 custody intake --as "短期 係員" --asset PC-1 --serial S1 --model M1
expect_exit 0 custody request --as "短期 係員" --asset PC-1
expect_exit 0 custody approve --as "$APPROVER" --asset PC-1 --for destroy,release
expect_exit 0 custody destroy --as "短期 係員" --asset PC-1 --method shred --witness "$WITNESS"
mkdir "$WP_TMP/c"
expect_exit 0 "$WIPEPROOF" cert issue --asset PC-1 --as "短期 係員" --output "$WP_TMP/c"
json=$(ls "$WP_TMP"/c/cert-*.json)
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$APPROVER" # the second signature (two-person)

# the signing time, from the CMS signed attributes as openssl prints them
signed=$(openssl cms -cmsout -print -in "$json.p7s" -inform PEM | grep -A2 "signingTime" |
	sed -n 's/.*UTCTIME:\(.*\)/\1/p' | head -1)
[ -n "$signed" ] || fail "no signingTime in the signature"
at=$(date -u -d "$signed" +%s)
expires=$(date -u -d "$(openssl x509 -in "$K/people/$old.pem" -noout -enddate | sed 's/.*=//')" +%s)
later=$((expires + 86400))
# the README recipe, run a day after the signer's certificate expired
! openssl cms -verify -binary -content "$json" -in "$json.p7s" -inform PEM -CAfile "$K/ca.pem" \
	-purpose any -attime "$later" -out /dev/null 2>"$WP_TMP/e" || fail "an expired signer verified"
grep -q "certificate has expired" "$WP_TMP/e" || fail "not the expiry: $(cat "$WP_TMP/e")"
# ... and with -attime at the signing time, as README.md now says
openssl cms -verify -binary -content "$json" -in "$json.p7s" -inform PEM -CAfile "$K/ca.pem" \
	-purpose any -attime "$at" -out /dev/null 2>"$WP_TMP/e" || fail "-attime: $(cat "$WP_TMP/e")"
grep -q "Verification successful" "$WP_TMP/e" || fail "-attime: $(cat "$WP_TMP/e")"
grep -q -- "-attime" "$(dirname "$0")/../../README.md" || fail "README.md does not show -attime"

# the renewal: same id, new certificate; the old one stays in the bundle
expect_exit 0 "$WIPEPROOF" keys issue --id E300 --name "短期 係員" --title 係員 --role operator \
	--days 365 --no-passphrase
[ -f "$K/people/$old.pem" ] || fail "the old certificate left the key store"
expect_exit 0 custody note --as "短期 係員" --asset PC-1 --text "更新後"
expect_in "by 短期 係員" "$OUT"
"$WIPEPROOF" keys export-trust --output "$WP_TMP/trust.pem" 2>/dev/null || fail export-trust
grep -c "BEGIN CERTIFICATE" "$WP_TMP/trust.pem" | grep -qx 9 || fail "bundle: CA + 8 certificates"
openssl x509 -in "$K/people/$old.pem" | grep -v -- ----- | head -2 | grep -qFf - "$WP_TMP/trust.pem" ||
	fail "the old certificate is not in the bundle"
expect_exit 0 "$WIPEPROOF" cert verify --qr "$(cat "$json.qr")" --trust "$WP_TMP/trust.pem"
expect_in "VALID" "$OUT"
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$K/ca.pem" --ledger "$WIPEPROOF_LEDGER"
expect_exit 0 custody verify
echo "ok: -attime for expired signers, and renewed people's old certificates kept"
