#!/bin/bash
# A certificate's claims are bound to its signer and to the ledger (issue 22
# item 6). An operator holds a valid key; with it they sign documents that
# name another issuer, another organisation, or (with a certificate event they
# append to the ledger themselves, signed by their own key) another serial,
# another approver, another job. Each is INVALID; the document wipeproof
# issued stays VALID.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
CA="$WIPEPROOF_KEYS/ca.pem"
APPEND="$(dirname "$0")/append_event.py"

person_file() { # person_file NAME EXT: the key store file of a person
	local fpr
	fpr=$("$WIPEPROOF" keys list --json | jq -r --arg n "$1" '.people[] | select(.name == $n) | .fingerprint')
	echo "$WIPEPROOF_KEYS/people/$fpr.$2"
}
OKEY=$(person_file "$OPERATOR" key)
OPEM=$(person_file "$OPERATOR" pem)

# forge FILTER NAME: the real document changed by the jq FILTER, canonical,
# signed by the operator with stock openssl
forge() {
	local i
	jq -cS "$1" "$json" | tr -d '\n' >"$WP_TMP/$2.json"
	# openssl makes high-s signatures half the time, which wipeproof refuses
	# before the claim is looked at: sign again until both are low
	for i in $(seq 40); do
		openssl cms -sign -binary -in "$WP_TMP/$2.json" -signer "$OPEM" -inkey "$OKEY" \
			-outform PEM -out "$WP_TMP/$2.json.p7s" || fail "openssl cms -sign"
		# and the approver's second signature (two-person), so only the claim is wrong
		openssl cms -sign -binary -in "$WP_TMP/$2.json" -signer "$(person_file "$APPROVER" pem)" \
			-inkey "$(person_file "$APPROVER" key)" -outform PEM \
			-out "$WP_TMP/$2.json.validator.p7s" || fail "openssl cms -sign validator"
		"$WIPEPROOF" cert verify "$WP_TMP/$2.json" --ca "$WIPEPROOF_KEYS/ca.pem" 2>&1 |
			grep -q "one accepted form" || return 0
	done
	fail "openssl wrote high-s signatures 40 times in a row"
}
# record NAME: the operator appends a certificate event for the forged document
record() {
	local body
	body=$(jq -cn --arg id "$(jq -r .certificate_id "$WP_TMP/$1.json")" \
		--arg sha "$(sha256sum <"$WP_TMP/$1.json" | cut -d' ' -f1)" \
		'{certificate_id: $id, certificate_sha256: $sha, category: "Destroy"}')
	python3 "$APPEND" "$WIPEPROOF_LEDGER" certificate PC-9 "$body" "$OKEY" "$OPEM" \
		"$OPERATOR" "係員" operator >/dev/null || fail "append certificate event"
}

custody intake --as "$OPERATOR" --asset PC-9 --serial SN-9 --model "HDD 9" >/dev/null || fail intake
custody request --as "$OPERATOR" --asset PC-9 >/dev/null || fail request
custody approve --as "$APPROVER" --asset PC-9 --for destroy,release >/dev/null || fail approve
custody destroy --as "$OPERATOR" --asset PC-9 --method shred --witness "$WITNESS" >/dev/null ||
	fail destroy
mkdir "$WP_TMP/real"
expect_exit 0 "$WIPEPROOF" cert issue --asset PC-9 --as "$OPERATOR" --output "$WP_TMP/real"
json=$(ls "$WP_TMP"/real/cert-*.json)
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$APPROVER"
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
expect_in "VALID" "$OUT"

# without the ledger: the issuer fields and the organisation are the certificate's
forge ".issued_by.name = \"$APPROVER\"" name
expect_exit 4 "$WIPEPROOF" cert verify "$WP_TMP/name.json" --ca "$CA"
expect_in "INVALID: the document's issuer name '$APPROVER' is not the signer's certificate's '$OPERATOR'" "$OUT"
forge '.issued_by.title = "情報システム課長"' title
expect_exit 4 "$WIPEPROOF" cert verify "$WP_TMP/title.json" --ca "$CA"
expect_in "issuer title" "$OUT"
forge '.issued_by.role = "approver"' role
expect_exit 4 "$WIPEPROOF" cert verify "$WP_TMP/role.json" --ca "$CA"
expect_in "issuer role" "$OUT"
forge '.organisation = "別会社"' org
expect_exit 4 "$WIPEPROOF" cert verify "$WP_TMP/org.json" --ca "$CA"
expect_in "organisation '別会社'" "$OUT"

# with the ledger: a certificate event the operator appended for a document
# that claims another serial / approver / requester / witness / result
n=0
for filter in '.media.serial = "SN-OTHER"' \
	".approver.name = \"$APPROVER2\"" \
	".requester.fingerprint = \"$(sha256sum <<<x | cut -c1-64)\"" \
	".verified_by.name = \"$OPERATOR2\"" \
	".sanitized_by.name = \"$OPERATOR2\""; do
	n=$((n + 1))
	forge "$filter | .certificate_id = \"00000000-0000-4000-8000-00000000000$n\"" "l$n"
	record "l$n"
	# the signature alone is fine: only the ledger knows better
	expect_exit 0 "$WIPEPROOF" cert verify "$WP_TMP/l$n.json" --ca "$CA"
	expect_exit 4 "$WIPEPROOF" cert verify "$WP_TMP/l$n.json" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
	expect_in "INVALID: the ledger does not agree with the certificate" "$OUT"
done
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
expect_in "serial, result, job and people match the ledger" "$OUT"
expect_exit 0 custody verify
echo "ok: a certificate's claims are the signer's certificate's and the ledger's"
