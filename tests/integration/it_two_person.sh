#!/bin/bash
# Two-person certificates: one operator's key alone no longer makes a VALID
# certificate. The document says it needs a validator (an approver or
# witness other than the issuer); `cert validate` adds that second CMS
# signature (FILE.json.validator.p7s) after checking the certificate and
# the ledger; `cert verify` names both signers with their roles and says
# what it did not check. A document an insider re-signed alone is refused;
# one that claims to need a single signature says so on the verdict line.
# Stock openssl checks the validator's signature and role too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
CA="$WIPEPROOF_KEYS/ca.pem"
ARC=2.25.279649325857727472325885345706308071735

person_file() { # person_file NAME EXT
	local fpr
	fpr=$("$WIPEPROOF" keys list --json | jq -r --arg n "$1" '.people[] | select(.name == $n) | .fingerprint')
	echo "$WIPEPROOF_KEYS/people/$fpr.$2"
}

custody intake --as "$OPERATOR" --asset T-1 --serial S-T1 --model M >/dev/null || fail intake
custody request --as "$OPERATOR" --asset T-1 >/dev/null || fail request
custody approve --as "$APPROVER" --asset T-1 --for destroy,release >/dev/null || fail approve
custody destroy --as "$OPERATOR" --witness "$WITNESS" --asset T-1 --method shred >/dev/null || fail destroy
expect_exit 0 "$WIPEPROOF" cert issue --as "$OPERATOR" --asset T-1
expect_in "it needs a second signature" "$OUT"
json=$(ls "$WP_TMP"/reports/cert-*.json)
[ "$(jq -r .signing.policy "$json")" = two-person ] || fail "signing policy: $(jq -c .signing "$json")"

# ---- one signature is not enough
expect_exit 4 "$WIPEPROOF" cert verify "$json"
expect_in "INVALID: not validated" "$OUT"
expect_in "cert validate" "$OUT"
# only an approver or witness, and not the issuer
expect_exit 3 "$WIPEPROOF" cert validate "$json" --as "$OPERATOR"
expect_in "only an approver or a witness" "$ERR"
expect_exit 3 "$WIPEPROOF" cert validate "$json" --as "$AUDITOR"
expect_exit 2 "$WIPEPROOF" cert validate "$json"
[ ! -e "$json.validator.p7s" ] || fail "a refused validation left a signature"

# ---- the validator checks and signs
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$WITNESS"
expect_in "second signature by $WITNESS" "$OUT"
expect_exit 3 "$WIPEPROOF" cert validate "$json" --as "$APPROVER"
expect_in "already validated" "$ERR"
expect_exit 0 "$WIPEPROOF" cert verify "$json"
expect_in "VALID — two signatures: $OPERATOR (operator, the issuer) and $WITNESS (witness, the validator)" "$OUT"
expect_in "not checked against the ledger" "$OUT"
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ledger "$WIPEPROOF_LEDGER" --json
[ "$(jq -r .verdict <<<"$OUT")" = VALID ] || fail "json verdict"
expect_in "checked: signatures and ledger" "$(jq -r .checked <<<"$OUT")"

# ---- stock openssl: the validator's file, with the validator roles' policies
stock() { openssl cms -verify -binary -content "$json" -in "$1" -inform PEM -CAfile "$CA" \
	-purpose any "${@:2}" -out /dev/null 2>"$WP_TMP/openssl.err"; }
stock "$json.validator.p7s" -policy "$ARC.2" -policy "$ARC.3" -explicit_policy ||
	fail "stock validator check: $(cat "$WP_TMP/openssl.err")"
stock "$json.p7s" -policy "$ARC.2" -policy "$ARC.3" -explicit_policy &&
	fail "the operator's signature passed as a validator's"
stock "$json.p7s" -policy "$ARC.1" -policy "$ARC.2" -explicit_policy ||
	fail "stock issuer check: $(cat "$WP_TMP/openssl.err")"

# Stock OpenSSL writes the high-s form of an ECDSA signature half of the
# time, which wipeproof refuses before anything else it could say (one
# spelling, issue 22 item 4): an insider simply signs again until OpenSSL
# writes the low form, so each case below meets the check it is about.
resign() { # resign DOC CERT KEY OUT: a detached signature by anyone, with OpenSSL
	local i
	for i in $(seq 40); do
		openssl cms -sign -binary -in "$1" -signer "$2" -inkey "$3" -outform PEM \
			-out "$4" 2>/dev/null || fail "openssl cms -sign"
		"$WIPEPROOF" cert verify "$1" 2>/dev/null | grep -q "one accepted form" || return 0
	done
	fail "openssl wrote 40 high-s signatures in a row"
}

# ---- an insider with only an operator key: a made-up certificate
op_pem=$(person_file "$OPERATOR" pem) op_key=$(person_file "$OPERATOR" key)
jq -cS '.media.serial = "NEVER-WIPED"' "$json" | tr -d '\n' >"$WP_TMP/forged.json"
resign "$WP_TMP/forged.json" "$op_pem" "$op_key" "$WP_TMP/forged.json.p7s"
# the operator's own signature verifies, but nobody else confirmed it
expect_exit 4 "$WIPEPROOF" cert verify "$WP_TMP/forged.json"
expect_in "INVALID: not validated" "$OUT"
expect_in "signature: valid CMS signature by $OPERATOR" "$OUT"
# with the real validator's signature beside it: it covers other bytes
cp "$json.validator.p7s" "$WP_TMP/forged.json.validator.p7s"
expect_exit 4 "$WIPEPROOF" cert verify "$WP_TMP/forged.json"
expect_in "INVALID: the validator's signature: the signature does not match the document" "$OUT"
# a forger who writes "one signature is enough" is told apart on the verdict line
jq -cS '.media.serial = "NEVER-WIPED" | .signing = {"policy": "single-signature",
	"reason": "station policy"}' "$json" | tr -d '\n' >"$WP_TMP/single.json"
resign "$WP_TMP/single.json" "$op_pem" "$op_key" "$WP_TMP/single.json.p7s"
expect_exit 0 "$WIPEPROOF" cert verify "$WP_TMP/single.json"
expect_in "VALID — ONE signature, by $OPERATOR (operator, the issuer) — no second person (station policy)" "$OUT"

# ---- a validator's signature by the issuer themselves is refused
expect_exit 0 custody intake --as "$APPROVER" --asset T-2 --serial S-T2 --model M
expect_exit 0 custody request --as "$APPROVER" --asset T-2
expect_exit 0 custody approve --as "$APPROVER2" --asset T-2 --for destroy,release
expect_exit 0 custody destroy --as "$APPROVER" --witness "$WITNESS" --asset T-2 --method shred
mkdir "$WP_TMP/t2"
expect_exit 0 "$WIPEPROOF" cert issue --as "$APPROVER" --asset T-2 --output "$WP_TMP/t2"
json2=$(ls "$WP_TMP"/t2/cert-*.json)
expect_exit 3 "$WIPEPROOF" cert validate "$json2" --as "$APPROVER"
expect_in "issued this certificate" "$ERR"
# made anyway with openssl: cert verify refuses one person twice
resign "$json2" "$(person_file "$APPROVER" pem)" "$(person_file "$APPROVER" key)" \
	"$json2.validator.p7s"
expect_exit 4 "$WIPEPROOF" cert verify "$json2"
expect_in "is the issuer: a two-person certificate needs two different people" "$OUT"
echo "ok: two-person certificates"
