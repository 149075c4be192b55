#!/bin/bash
# Keys: UTF-8 people with their role inside the CA-signed certificate, key
# files 0600 and refused when others can read them, passphrases.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people

expect_exit 0 "$WIPEPROOF" keys list
for want in "$OPERATOR (係員)" "$APPROVER (情報システム課長)" "witness" "auditor"; do
	expect_in "$want" "$OUT"
done
expect_exit 0 "$WIPEPROOF" keys list --json
[ "$(jq '.people | length' <<<"$OUT")" = 6 ] || fail "keys list --json"
fpr=$(jq -r --arg n "$APPROVER" '.people[] | select(.name == $n) | .fingerprint' <<<"$OUT")
[ "$(jq -r --arg n "$APPROVER" '.people[] | select(.name == $n) | .role' <<<"$OUT")" = approver ] ||
	fail "role in list"
[ "$(stat -c %a "$WIPEPROOF_KEYS/people/$fpr.key")" = 600 ] || fail "key mode"
[ "$(stat -c %a "$WIPEPROOF_KEYS/ca.key")" = 600 ] || fail "CA key mode"
[ "$(sha256sum < <(openssl x509 -in "$WIPEPROOF_KEYS/people/$fpr.pem" -outform DER) | cut -d' ' -f1)" = "$fpr" ] ||
	fail "fingerprint is not SHA-256 of the DER certificate"
subject=$(openssl x509 -in "$WIPEPROOF_KEYS/people/$fpr.pem" -noout -subject -nameopt utf8,sep_comma_plus)
expect_in "CN=$APPROVER" "$subject"
expect_in "title=情報システム課長" "$subject"
expect_in "role=approver" "$subject"
openssl verify -CAfile "$WIPEPROOF_KEYS/ca.pem" "$WIPEPROOF_KEYS/people/$fpr.pem" >/dev/null ||
	fail "certificate does not chain to the CA"

# --as by fingerprint prefix
expect_exit 0 custody intake --as "${fpr:0:8}" --asset K-1 --serial S --model M
expect_in "by $APPROVER" "$OUT"

# a key others can read is refused, and the message says how to fix it
chmod 644 "$WIPEPROOF_KEYS/people/$fpr.key"
expect_exit 1 custody note --as "$APPROVER" --asset K-1 --text x
expect_in "readable by group or others (mode 0644)" "$ERR"
expect_in "chmod 600" "$ERR"
chmod 600 "$WIPEPROOF_KEYS/people/$fpr.key"
expect_exit 0 custody note --as "$APPROVER" --asset K-1 --text x

# so is a key folder others can read or write (init-ca makes people/ 0700)
[ "$(stat -c %a "$WIPEPROOF_KEYS/people")" = 700 ] || fail "people/ mode"
chmod 755 "$WIPEPROOF_KEYS/people"
expect_exit 1 custody note --as "$APPROVER" --asset K-1 --text x
expect_in "key folder $WIPEPROOF_KEYS/people is readable or writable by group or others" "$ERR"
chmod 700 "$WIPEPROOF_KEYS/people"
chmod 777 "$WIPEPROOF_KEYS"
expect_exit 1 custody note --as "$APPROVER" --asset K-1 --text x
expect_in "key folder $WIPEPROOF_KEYS is writable by group or others" "$ERR"
chmod 755 "$WIPEPROOF_KEYS"
expect_exit 0 custody note --as "$APPROVER" --asset K-1 --text x

# passphrases
printf 'correct horse\n' > "$WP_TMP/pass"
printf 'wrong horse\n' > "$WP_TMP/wrong"
# a passphrase file others can read or write is refused, with the fix
chmod 644 "$WP_TMP/pass"
expect_exit 1 "$WIPEPROOF" keys issue --name "中村 暗号" --title 係員 --role operator \
	--passphrase-file "$WP_TMP/pass"
expect_in "passphrase file $WP_TMP/pass is readable or writable by group or others (mode 0644)" "$ERR"
expect_in "chmod 600" "$ERR"
chmod 600 "$WP_TMP/pass" "$WP_TMP/wrong"
expect_exit 2 "$WIPEPROOF" keys issue --name "中村 暗号" --title 係員 --role operator </dev/null
expect_in "--passphrase-file FILE, or --no-passphrase" "$ERR"
expect_exit 0 "$WIPEPROOF" keys issue --name "中村 暗号" --title 係員 --role operator \
	--passphrase-file "$WP_TMP/pass"
efpr=$(jq -r '.people[] | select(.name == "中村 暗号") | .fingerprint' <<<"$("$WIPEPROOF" keys list --json)")
grep -q "ENCRYPTED PRIVATE KEY" "$WIPEPROOF_KEYS/people/$efpr.key" || fail "key not encrypted"
expect_exit 1 custody note --as "中村 暗号" --asset K-1 --text x --passphrase-file "$WP_TMP/wrong"
expect_in "wrong passphrase for private key" "$ERR"
expect_exit 1 custody note --as "中村 暗号" --asset K-1 --text x
expect_in "is encrypted and there is no terminal" "$ERR"
expect_exit 0 custody note --as "中村 暗号" --asset K-1 --text x --passphrase-file "$WP_TMP/pass"

# an encrypted CA key
export WIPEPROOF_KEYS="$WP_TMP/keys2"
expect_exit 0 "$WIPEPROOF" keys init-ca --org "別会社" --passphrase-file "$WP_TMP/pass"
expect_exit 1 "$WIPEPROOF" keys issue --name A --title T --role operator --no-passphrase \
	--ca-passphrase-file "$WP_TMP/wrong"
expect_in "wrong passphrase for private key $WP_TMP/keys2/ca.key" "$ERR"
expect_exit 0 "$WIPEPROOF" keys issue --name A --title T --role operator --no-passphrase \
	--ca-passphrase-file "$WP_TMP/pass"
expect_exit 1 "$WIPEPROOF" keys init-ca --org "別会社" --no-passphrase
expect_in "already holds a CA" "$ERR"
# a person of another CA cannot write into this ledger, nor does it verify under that CA
expect_exit 3 custody note --as A --asset K-1 --text x
expect_in "is kept under CA" "$ERR"
expect_exit 4 custody verify --ca "$WP_TMP/keys2/ca.pem"
expect_in "first bad event is seq 1:" "$ERR"
expect_in "does not verify against the CA" "$ERR"
export WIPEPROOF_KEYS="$WP_TMP/keys"

expect_exit 1 "$WIPEPROOF" keys issue --name "$APPROVER" --title x --role approver --no-passphrase
expect_in "already has a certificate" "$ERR"
expect_exit 2 "$WIPEPROOF" keys issue --name X --title x --role boss --no-passphrase
expect_in "unknown role 'boss'" "$ERR"
expect_exit 2 "$WIPEPROOF" keys frobnicate
expect_in "init-ca, issue, list" "$ERR"
expect_exit 2 "$WIPEPROOF" keys list --asset X
expect_in "does not apply to 'keys list'" "$ERR"
expect_exit 0 "$WIPEPROOF" help keys
expect_in "keys init-ca --org NAME" "$OUT"
expect_exit 0 "$WIPEPROOF" help custody
expect_in "custody SUB-COMMAND" "$OUT"
echo "ok: keys"
