#!/bin/bash
# What `cert verify` refuses, each with its reason: a signer whose key the
# CA never certified, a witness as signer, a signer other than the issuer
# the document names, a non-canonical document (each re-signed with stock
# OpenSSL so that only that one thing is wrong), a ledger without the
# certificate event. And `cert issue` for a witnessed destruction.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
CA="$WIPEPROOF_KEYS/ca.pem"

person_file() { # person_file NAME EXT: the key store file of a person
	local fpr
	fpr=$("$WIPEPROOF" keys list --json | jq -r --arg n "$1" '.people[] | select(.name == $n) | .fingerprint')
	echo "$WIPEPROOF_KEYS/people/$fpr.$2"
}

# Stock OpenSSL writes the high-s form of an ECDSA signature half of the
# time, which wipeproof refuses before anything else it could say about the
# signer or the document (one spelling, issue 22 item 4): sign again until
# OpenSSL happens to write the low form, so each case below meets the check
# it is about.
resign() { # resign DOC CERT KEY OUT: a detached signature by anyone, with OpenSSL
	local i
	for i in $(seq 40); do
		openssl cms -sign -binary -in "$1" -signer "$2" -inkey "$3" -outform PEM -out "$4" ||
			fail "openssl cms -sign"
		"$WIPEPROOF" cert verify "$1" --sig "$4" --ca "$CA" 2>/dev/null |
			grep -q "one accepted form" || return 0
	done
	fail "openssl wrote 40 high-s signatures in a row"
}

wp_make_loop d1 $((8 << 20))
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-1 --device "$d1" --reason disposal
expect_exit 0 custody request --as "$OPERATOR" --asset PC-1
expect_exit 0 custody approve --as "$APPROVER" --asset PC-1
expect_exit 0 wp_wipe "$d1" --asset PC-1 --as "$OPERATOR" --method zero
json=$(ls "$WP_TMP"/reports/cert-*.json)
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$APPROVER" # the second signature (two-person)
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
expect_in "VALID" "$OUT"

# a key the CA never certified, although its certificate claims the role
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj "/O=株式会社テスト/CN=偽 造/role=operator" -utf8 \
	-keyout "$WP_TMP/fake.key" -out "$WP_TMP/fake.pem" 2>/dev/null || fail "openssl req"
resign "$json" "$WP_TMP/fake.pem" "$WP_TMP/fake.key" "$WP_TMP/fake.p7s"
expect_exit 4 "$WIPEPROOF" cert verify "$json" --sig "$WP_TMP/fake.p7s" --ca "$CA"
expect_in "INVALID: signer 偽 造" "$OUT"
expect_in "not certified by this CA" "$OUT"

# a witness co-signs destructions; they do not issue certificates
resign "$json" "$(person_file "$WITNESS" pem)" "$(person_file "$WITNESS" key)" "$WP_TMP/w.p7s"
expect_exit 4 "$WIPEPROOF" cert verify "$json" --sig "$WP_TMP/w.p7s" --ca "$CA"
expect_in "role 'witness'" "$OUT"

# an approver may sign, but this document names the operator as its issuer
resign "$json" "$(person_file "$APPROVER" pem)" "$(person_file "$APPROVER" key)" "$WP_TMP/a.p7s"
expect_exit 4 "$WIPEPROOF" cert verify "$json" --sig "$WP_TMP/a.p7s" --ca "$CA"
expect_in "names $OPERATOR as its issuer" "$OUT"

# the same content, pretty-printed and properly signed: not canonical
jq . "$json" >"$WP_TMP/pretty.json"
resign "$WP_TMP/pretty.json" "$(person_file "$OPERATOR" pem)" "$(person_file "$OPERATOR" key)" \
	"$WP_TMP/pretty.json.p7s"
expect_exit 4 "$WIPEPROOF" cert verify "$WP_TMP/pretty.json" --ca "$CA"
expect_in "not in canonical form" "$OUT"

# canonical but incomplete, signed: refused by name
jq -cS 'del(.media.serial)' "$json" | tr -d '\n' >"$WP_TMP/short.json"
resign "$WP_TMP/short.json" "$(person_file "$OPERATOR" pem)" "$(person_file "$OPERATOR" key)" \
	"$WP_TMP/short.json.p7s"
expect_exit 4 "$WIPEPROOF" cert verify "$WP_TMP/short.json" --ca "$CA"
expect_in "'media.serial' is missing" "$OUT"

# a ledger whose tail (the certificate event) was cut off
cut=$(wp_ledger_copy cut)
wp_ledger_sql "$cut" "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)"
expect_exit 4 "$WIPEPROOF" cert verify "$json" --ca "$CA" --ledger "$cut"
expect_in "no certificate event" "$OUT"
# and one cut before the head the certificate names
wp_ledger_sql "$cut" "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)"
expect_exit 4 "$WIPEPROOF" cert verify "$json" --ca "$CA" --ledger "$cut"
expect_in "the ledger does not agree" "$OUT"

# usage
expect_exit 2 "$WIPEPROOF" cert verify
expect_exit 2 "$WIPEPROOF" cert verify "$json" --trust "$CA"
expect_exit 1 "$WIPEPROOF" cert verify "$json" --sig "$WP_TMP/none.p7s" --ca "$CA"

# a witnessed destruction: cert issue
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-9 --serial SN-9 --model "HDD 9" --owner 総務部
expect_exit 3 "$WIPEPROOF" cert issue --asset PC-9 --as "$OPERATOR"
expect_in "no recorded destruction" "$ERR"
expect_exit 0 custody request --as "$OPERATOR" --asset PC-9
expect_exit 0 custody approve --as "$APPROVER" --asset PC-9 --for destroy,release
expect_exit 0 custody destroy --as "$OPERATOR" --asset PC-9 --method shred --witness "$WITNESS"
expect_exit 3 "$WIPEPROOF" cert issue --asset PC-9 --as "$WITNESS" --output "$WP_TMP"
expect_in "role 'witness'" "$ERR"
[ -z "$(ls "$WP_TMP"/cert-* 2>/dev/null)" ] || fail "files of a refused certificate"
mkdir "$WP_TMP/destroyed"
expect_exit 0 "$WIPEPROOF" cert issue --asset PC-9 --as "$OPERATOR" --output "$WP_TMP/destroyed" \
	--contact "内線 1234"
dj=$(ls "$WP_TMP"/destroyed/cert-*.json)
expect_exit 0 "$WIPEPROOF" cert validate "$dj" --as "$APPROVER" # the second signature (two-person)
[ "$(jq -r .result "$dj")" = destroyed ] || fail "destroyed result"
[ "$(jq -r .sanitization.category "$dj")" = Destroy ] || fail "Destroy category"
[ "$(jq -r .verified_by.name "$dj")" = "$WITNESS" ] || fail "the witness verifies"
[ "$(jq -r .sanitized_by.contact "$dj")" = "内線 1234" ] || fail "contact"
expect_exit 0 "$WIPEPROOF" cert verify "$dj" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
expect_in "VALID" "$OUT"
expect_exit 2 "$WIPEPROOF" cert verify "$dj" --ca "$CA" --device "$d1"
pdftotext "$WP_TMP"/destroyed/cert-*.pdf - | grep -q "DESTROYED" || fail "PDF verdict"
expect_exit 0 custody verify
echo "ok: certificate verification refuses what it must"
