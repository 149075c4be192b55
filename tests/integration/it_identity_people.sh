#!/bin/bash
# People, not spellings (issue 22 item 7). "Taro Yamada" (operator) and
# "Taro Yamada " (approver, trailing space, a certificate the CA signed with
# stock openssl) are one person: he cannot approve his own request. A person
# id in the certificate (subject serialNumber, `keys issue --id`) stays with a
# person across a renewal or promotion, and separation of duties compares it.
# `keys issue` refuses names that are not in one spelling.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
K="$WIPEPROOF_KEYS"

# the CA signs "Taro Yamada " as an approver, with stock openssl
cat >"$WP_TMP/ext.cnf" <<'CNF'
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
CNF
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 \
	-subj "/O=株式会社テスト/CN=Taro Yamada /title=課長/role=approver" \
	-keyout "$WP_TMP/ty.key" -out "$WP_TMP/ty.csr" 2>/dev/null || fail "openssl req"
openssl x509 -req -in "$WP_TMP/ty.csr" -CA "$K/ca.pem" -CAkey "$K/ca.key" -CAcreateserial \
	-days 30 -sha256 -extfile "$WP_TMP/ext.cnf" -out "$WP_TMP/ty.pem" 2>/dev/null || fail "openssl x509"
openssl x509 -in "$WP_TMP/ty.pem" -noout -subject -nameopt utf8,sep_comma_plus | grep -q "CN=Taro Yamada ," ||
	fail "the trailing space did not survive"
tyfpr=$(openssl x509 -in "$WP_TMP/ty.pem" -outform DER | sha256sum | cut -c1-64)
cp "$WP_TMP/ty.pem" "$K/people/$tyfpr.pem"
install -m 600 "$WP_TMP/ty.key" "$K/people/$tyfpr.key"

# wipeproof itself will not issue that spelling, nor a decomposed one
expect_exit 1 "$WIPEPROOF" keys issue --name "Taro Yamada" --title 係員 --role operator \
	--no-passphrase --id E100
expect_in "already has a certificate" "$ERR" # the store holds "Taro Yamada " under another id
expect_exit 1 "$WIPEPROOF" keys issue --name "Hanako  Sato" --title 係員 --role operator --no-passphrase
expect_in "write it as 'Hanako Sato'" "$ERR"
expect_exit 1 "$WIPEPROOF" keys issue --name "$(printf 'Jose\xcc\x81')" --title 係員 --role operator \
	--no-passphrase
expect_in "combining mark U+0301" "$ERR"
expect_exit 1 "$WIPEPROOF" keys issue --name "山田　太郎" --title 係員 --role operator --no-passphrase
expect_in "write it as '山田 太郎'" "$ERR"

# "Taro Yamada" the operator, from stock openssl too (the store refuses him now)
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -utf8 \
	-subj "/O=株式会社テスト/CN=Taro Yamada/title=係員/role=operator" \
	-keyout "$WP_TMP/to.key" -out "$WP_TMP/to.csr" 2>/dev/null || fail "openssl req"
openssl x509 -req -in "$WP_TMP/to.csr" -CA "$K/ca.pem" -CAkey "$K/ca.key" -CAcreateserial \
	-days 30 -sha256 -extfile "$WP_TMP/ext.cnf" -out "$WP_TMP/to.pem" 2>/dev/null || fail "openssl x509"
tofpr=$(openssl x509 -in "$WP_TMP/to.pem" -outform DER | sha256sum | cut -c1-64)
cp "$WP_TMP/to.pem" "$K/people/$tofpr.pem"
install -m 600 "$WP_TMP/to.key" "$K/people/$tofpr.key"

expect_exit 0 custody intake --as "${tofpr:0:12}" --asset PC-1 --serial S1 --model M1
expect_exit 0 custody request --as "${tofpr:0:12}" --asset PC-1
expect_exit 3 custody approve --as "${tyfpr:0:12}" --asset PC-1
expect_in "requested the disposal of PC-1 and cannot also approve it" "$ERR"

# ids: a promotion keeps the id, and the id is the person even under a new name
expect_exit 0 "$WIPEPROOF" keys issue --id E200 --name "Ken Ito" --title 係員 --role operator --no-passphrase
expect_in "person id E200" "$OUT"
kenop=$(jq -r '.people[] | select(.name == "Ken Ito") | .fingerprint' <<<"$("$WIPEPROOF" keys list --json)")
openssl x509 -in "$K/people/$kenop.pem" -noout -subject -nameopt utf8,sep_comma_plus | grep -q "serialNumber=E200" ||
	fail "the id is not the subject serialNumber"
expect_exit 1 "$WIPEPROOF" keys issue --id E201 --name "Ken Ito" --title 課長 --role approver --no-passphrase
expect_in "person id 'E200'" "$ERR"
expect_exit 0 "$WIPEPROOF" keys issue --id E200 --name "Ken Ito-Kato" --title 課長 --role approver --no-passphrase
expect_exit 1 "$WIPEPROOF" keys issue --id "E/1" --name X --title x --role operator --no-passphrase
expect_in "person id 'E/1' must be" "$ERR"
expect_exit 0 "$WIPEPROOF" keys list --json
[ "$(jq -r '[.people[] | select(.id == "E200")] | length' <<<"$OUT")" = 2 ] || fail "two certificates, one id"
expect_exit 0 custody intake --as "${kenop:0:12}" --asset PC-2 --serial S2 --model M2
expect_exit 0 custody request --as "${kenop:0:12}" --asset PC-2
expect_exit 3 custody approve --as "Ken Ito-Kato" --asset PC-2
expect_in "cannot also approve it" "$ERR"
# another person may
expect_exit 0 custody approve --as "$APPROVER" --asset PC-2
expect_exit 0 custody verify
echo "ok: one person, one id, one spelling"
