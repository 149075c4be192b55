#!/bin/bash
# Revocation and roles, checked by wipeproof and by stock openssl: `keys
# revoke` re-signs the CA's CRL; a signature dated before the revocation
# still verifies, one dated after it is refused by cert verify, custody
# verify and QR verification, and the revoked person cannot sign again.
# The role is a certificate policy per role, so stock `openssl cms -verify
# -policy ... -explicit_policy` refuses a witness or auditor as signer.
# `cert show` says that it verified nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
CA="$WIPEPROOF_KEYS/ca.pem"
ARC=2.25.279649325857727472325885345706308071735
ISSUERS="-policy $ARC.1 -policy $ARC.2 -explicit_policy" # operator or approver

person_file() { # person_file NAME EXT
	local fpr
	fpr=$("$WIPEPROOF" keys list --json | jq -r --arg n "$1" '.people[] | select(.name == $n) | .fingerprint')
	echo "$WIPEPROOF_KEYS/people/$fpr.$2"
}

destroyed_cert() { # destroyed_cert TAG OPERATOR: a certified destruction; prints the JSON path
	custody intake --as "$2" --asset "$1" --serial "S-$1" --model M >/dev/null || fail "intake $1"
	custody request --as "$2" --asset "$1" >/dev/null || fail "request $1"
	custody approve --as "$APPROVER" --asset "$1" --for destroy,release >/dev/null || fail "approve $1"
	custody destroy --as "$2" --witness "$WITNESS" --asset "$1" --method shred >/dev/null ||
		fail "destroy $1"
	"$WIPEPROOF" cert issue --as "$2" --asset "$1" --json </dev/null | jq -r .certificate
}

stock_verify() { # stock_verify DOC SIG ARGS...: stock openssl's check, as certs/README.md gives it
	local doc=$1 sig=$2
	shift 2
	# shellcheck disable=SC2086
	openssl cms -verify -binary -content "$doc" -in "$sig" -inform PEM -purpose any "$@" \
		-out /dev/null 2>"$WP_TMP/openssl.err"
}

json1=$(destroyed_cert PC-1 "$OPERATOR")
json2=$(destroyed_cert PC-2 "$OPERATOR2")
[ -f "$json1" ] && [ -f "$json2" ] || fail "certificates not issued"
expect_exit 0 "$WIPEPROOF" cert validate "$json1" --as "$APPROVER"
expect_exit 0 "$WIPEPROOF" cert validate "$json2" --as "$WITNESS"

# ---- cert show verifies nothing and says so
expect_exit 0 "$WIPEPROOF" cert show "$json1"
expect_in "NOT VERIFIED" "$OUT"
expect_in "wipeproof cert verify" "$OUT"

# ---- the role with stock openssl: one policy OID per role
openssl x509 -in "$(person_file "$OPERATOR" pem)" -noout -ext certificatePolicies | grep -q "$ARC.1" ||
	fail "operator certificate has no role policy"
openssl x509 -in "$(person_file "$WITNESS" pem)" -noout -ext certificatePolicies | grep -q "$ARC.3" ||
	fail "witness certificate has no role policy"
# shellcheck disable=SC2086
stock_verify "$json1" "$json1.p7s" -CAfile "$CA" $ISSUERS || fail "stock role check: $(cat "$WP_TMP/openssl.err")"
for who in "$WITNESS" "$AUDITOR"; do
	openssl cms -sign -binary -in "$json1" -signer "$(person_file "$who" pem)" \
		-inkey "$(person_file "$who" key)" -outform PEM -out "$WP_TMP/other.p7s" || fail "resign"
	# the plain check of the README accepts any person of the CA ...
	stock_verify "$json1" "$WP_TMP/other.p7s" -CAfile "$CA" || fail "plain stock check"
	# ... the role check does not
	# shellcheck disable=SC2086
	stock_verify "$json1" "$WP_TMP/other.p7s" -CAfile "$CA" $ISSUERS &&
		fail "stock role check accepted $who as signer"
	grep -q "no explicit policy" "$WP_TMP/openssl.err" || fail "$(cat "$WP_TMP/openssl.err")"
done

# ---- before any revocation: an empty CRL, in the bundle, good for -crl_check
grep -q "BEGIN X509 CRL" "$WIPEPROOF_KEYS/crl.pem" || fail "init-ca wrote no CRL"
expect_exit 0 "$WIPEPROOF" keys export-trust --output "$WP_TMP/trust-before.pem"
grep -q "BEGIN X509 CRL" "$WP_TMP/trust-before.pem" || fail "no CRL in the trust bundle"
stock_verify "$json1" "$json1.p7s" -CAfile "$WP_TMP/trust-before.pem" -crl_check ||
	fail "stock -crl_check before revocation: $(cat "$WP_TMP/openssl.err")"
expect_exit 0 "$WIPEPROOF" cert verify "$json2"
expect_in "revocation: the signer is not on the CA's revocation list" "$OUT"

# ---- usage errors
expect_exit 2 "$WIPEPROOF" keys revoke "$OPERATOR"
expect_in "--reason" "$ERR"
expect_exit 2 "$WIPEPROOF" keys revoke "$OPERATOR" --reason fired
expect_in "affiliation-changed" "$ERR"
expect_exit 2 "$WIPEPROOF" keys revoke "$OPERATOR" --reason superseded --date 2026-02-30
expect_in "--date" "$ERR"
expect_exit 1 "$WIPEPROOF" keys revoke "誰 でもない" --reason superseded
expect_in "no person" "$ERR"

# ---- revoked now: what OPERATOR signed before still stands
expect_exit 0 "$WIPEPROOF" keys revoke "$OPERATOR" --reason affiliation-changed
expect_in "revoked $OPERATOR" "$OUT"
openssl crl -in "$WIPEPROOF_KEYS/crl.pem" -noout -text | grep -q "Affiliation Changed" ||
	fail "CRL entry has no reason"
openssl crl -in "$WIPEPROOF_KEYS/crl.pem" -noout -CAfile "$CA" 2>&1 | grep -q "verify OK" ||
	fail "stock openssl does not verify the CRL against the CA"
expect_exit 0 "$WIPEPROOF" cert verify "$json1"
expect_in "VALID" "$OUT"
expect_in "revoked later" "$OUT"
expect_exit 1 custody note --as "$OPERATOR" --asset PC-1 --text "after leaving"
expect_in "revoked" "$ERR"
expect_exit 1 "$WIPEPROOF" keys revoke "$OPERATOR" --reason superseded
expect_in "already revoked" "$ERR"
# stock openssl's -crl_check refuses every signature of a revoked key,
# whatever its date (certs/README.md says so)
expect_exit 0 "$WIPEPROOF" keys export-trust --output "$WP_TMP/trust.pem"
stock_verify "$json1" "$json1.p7s" -CAfile "$WP_TMP/trust.pem" -crl_check &&
	fail "stock -crl_check accepted a revoked signer"
grep -q "certificate revoked" "$WP_TMP/openssl.err" || fail "$(cat "$WP_TMP/openssl.err")"
stock_verify "$json1" "$json1.p7s" -CAfile "$WP_TMP/trust.pem" || fail "without -crl_check"

# ---- revoked from yesterday (key compromise): what OPERATOR2 signed today is refused
qr2=$(cat "$json2.qr")
expect_exit 0 "$WIPEPROOF" cert verify --qr "$qr2" --trust "$WP_TMP/trust.pem"
yesterday=$(date -u -d '1 day ago' +%Y-%m-%d)
expect_exit 0 "$WIPEPROOF" keys revoke "$OPERATOR2" --reason key-compromise --date "$yesterday"
expect_exit 4 "$WIPEPROOF" cert verify "$json2"
expect_in "INVALID: the key of $OPERATOR2" "$OUT"
expect_in "after the revocation" "$OUT"
# the same without the CRL beside the CA: not refused, and the verdict says what was not checked
mkdir -p "$WP_TMP/caonly" && cp "$CA" "$WP_TMP/caonly/"
expect_exit 0 "$WIPEPROOF" cert verify "$json2" --ca "$WP_TMP/caonly/ca.pem"
expect_in "revocation not checked" "$OUT"
expect_exit 4 "$WIPEPROOF" cert verify "$json2" --ca "$WP_TMP/caonly/ca.pem" --crl "$WIPEPROOF_KEYS/crl.pem"
# a CRL of another CA is refused, not ignored
"$WIPEPROOF" keys init-ca --keys "$WP_TMP/other" --org Other --no-passphrase >/dev/null
expect_exit 1 "$WIPEPROOF" cert verify "$json2" --crl "$WP_TMP/other/crl.pem"
expect_in "not signed by this CA" "$ERR"
# the ledger: the first event OPERATOR2 signed is refused (found through the
# CA without its CRL: with it, the readers refuse the ledger as verify does)
first2=$(custody log --json --ca "$WP_TMP/caonly/ca.pem" |
	jq --arg n "$OPERATOR2" '[.events[] | select(.actor.name == $n)][0].seq')
[ "$first2" -gt 0 ] || fail "no event of $OPERATOR2 in the log"
expect_bad_seq "$first2"
expect_in "revoked" "$ERR"
# log, show and export read through the same verified pass, CRL included
expect_exit 4 custody log --json
expect_in "first bad event is seq $first2: signer: the key of $OPERATOR2" "$ERR"
expect_in "nothing is shown" "$ERR"
[ -z "$OUT" ] || fail "custody log printed a ledger that does not verify"
expect_exit 4 custody export --format json
expect_in "revoked" "$ERR"
expect_exit 1 custody verify --crl "$WP_TMP/other/crl.pem"
expect_in "not signed by this CA" "$ERR"
expect_exit 4 "$WIPEPROOF" cert verify "$json2" --ledger "$WIPEPROOF_LEDGER"
# the QR code, against a bundle exported after the revocation
expect_exit 0 "$WIPEPROOF" keys export-trust --output "$WP_TMP/trust-after.pem"
expect_exit 4 "$WIPEPROOF" cert verify --qr "$qr2" --trust "$WP_TMP/trust-after.pem"
expect_in "was revoked on $yesterday" "$OUT"
# a bundle exported before the revocation does not know of it: auditors need a current one
expect_exit 0 "$WIPEPROOF" cert verify --qr "$qr2" --trust "$WP_TMP/trust-before.pem"

echo "ok: revoke"
