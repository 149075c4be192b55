#!/bin/bash
# Weak crypto is refused in the chain (issue 22 item 9). The organisation's
# own CA signs, with stock openssl, a person's certificate with
# ecdsa-with-SHA1, one with an RSA-1024 key, one without CA:FALSE (a CA) and
# one without digitalSignature. None may record a custody event, nor sign a
# certificate of sanitization that verifies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
K="$WIPEPROOF_KEYS"
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-1 --serial S1 --model M1
expect_exit 0 custody request --as "$OPERATOR" --asset PC-1
expect_exit 0 custody approve --as "$APPROVER" --asset PC-1 --for destroy,release
expect_exit 0 custody destroy --as "$OPERATOR" --asset PC-1 --method shred --witness "$WITNESS"
mkdir "$WP_TMP/c"
expect_exit 0 "$WIPEPROOF" cert issue --asset PC-1 --as "$OPERATOR" --output "$WP_TMP/c"
json=$(ls "$WP_TMP"/c/cert-*.json)

# person NAME KEYGEN_ARGS DIGEST EXTENSIONS: a CA-signed person in the key store
person() {
	local name=$1 keyargs=$2 digest=$3 ext=$4 fpr
	printf '%b\n' "$ext" >"$WP_TMP/$name.cnf"
	# shellcheck disable=SC2086
	openssl req -new -newkey $keyargs -nodes -utf8 \
		-subj "/O=株式会社テスト/CN=$name/title=係員/role=operator" \
		-keyout "$WP_TMP/$name.key" -out "$WP_TMP/$name.csr" 2>/dev/null || fail "openssl req $name"
	openssl x509 -req -in "$WP_TMP/$name.csr" -CA "$K/ca.pem" -CAkey "$K/ca.key" -CAcreateserial \
		-days 30 "-$digest" -extfile "$WP_TMP/$name.cnf" -out "$WP_TMP/$name.pem" 2>/dev/null ||
		fail "openssl x509 $name"
	fpr=$(openssl x509 -in "$WP_TMP/$name.pem" -outform DER | sha256sum | cut -c1-64)
	cp "$WP_TMP/$name.pem" "$K/people/$fpr.pem"
	install -m 600 "$WP_TMP/$name.key" "$K/people/$fpr.key"
	# the certificate chains to the CA by stock openssl's own check
	openssl verify -CAfile "$K/ca.pem" "$WP_TMP/$name.pem" >/dev/null 2>&1 || [ "$digest" = sha1 ] ||
		fail "$name does not chain"
}
GOOD="basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,nonRepudiation"
EC="ec -pkeyopt ec_paramgen_curve:P-256"
person sha1 "$EC" sha1 "$GOOD"
openssl x509 -in "$WP_TMP/sha1.pem" -noout -text | grep -q "Signature Algorithm: ecdsa-with-SHA1" ||
	fail "not a SHA-1 certificate"
person rsa1024 "rsa:1024" sha256 "$GOOD"
person notca "$EC" sha256 "basicConstraints = critical,CA:TRUE\nkeyUsage = critical,digitalSignature"
person nosig "$EC" sha256 "basicConstraints = critical,CA:FALSE\nkeyUsage = critical,keyEncipherment"
person fine "$EC" sha256 "$GOOD"

for who in sha1 rsa1024 notca nosig; do
	expect_exit 1 custody note --as "$who" --asset PC-1 --text x
	case $who in
		sha1) expect_in "is signed with ecdsa-with-SHA1; wipeproof requires SHA-256" "$ERR" ;;
		rsa1024) expect_in "key is rsaEncryption of 1024 bits" "$ERR" ;;
		notca) expect_in "is a CA" "$ERR" ;;
		nosig) expect_in "does not allow digitalSignature" "$ERR" ;;
	esac
	# nor does a certificate signed with that key verify (the document
	# names the signer as its issuer, so only the key is wrong)
	jq -cS --arg f "$(openssl x509 -in "$WP_TMP/$who.pem" -outform DER | sha256sum | cut -c1-64)" \
		--arg n "$who" '.issued_by.fingerprint = $f | .issued_by.name = $n' "$json" |
		tr -d '\n' >"$WP_TMP/$who.json"
	openssl cms -sign -binary -in "$WP_TMP/$who.json" -signer "$WP_TMP/$who.pem" \
		-inkey "$WP_TMP/$who.key" -outform PEM -out "$WP_TMP/$who.json.p7s" 2>/dev/null ||
		fail "openssl cms -sign $who"
	expect_exit 4 "$WIPEPROOF" cert verify "$WP_TMP/$who.json" --ca "$K/ca.pem"
	# (an RSA signature is already not the CMS form wipeproof writes)
	[ $who = rsa1024 ] || expect_in "INVALID: signer $who" "$OUT"
done
# the same recipe with P-256, SHA-256 and the right extensions is accepted
expect_exit 0 custody note --as fine --asset PC-1 --text x
expect_exit 0 custody verify
echo "ok: SHA-1, RSA-1024, CA and non-signing certificates are refused"
