#!/bin/bash
# The trust anchor in every verdict (issue 22 item 5): a look-alike CA made
# with the same organisation name and the same people names gives VALID
# certificates, QR codes and ledgers of its own; only its SHA-256 differs.
# cert verify (file and QR) and custody verify print the CA's subject and
# fingerprint, and --ca-fingerprint refuses every other CA. The expected
# fingerprints come from stock openssl, not from wipeproof.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"

fpr_of() { # the SHA-256 of a PEM certificate, by openssl: 64 lowercase hex digits
	openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f
}

destroyed_cert() { # destroyed_cert OUTDIR: a certified destruction in the current store and ledger
	custody intake --as "$OPERATOR" --asset PC-9 --serial SN-9 --model "HDD 9" >/dev/null || fail intake
	custody request --as "$OPERATOR" --asset PC-9 >/dev/null || fail request
	custody approve --as "$APPROVER" --asset PC-9 --for destroy,release >/dev/null || fail approve
	custody destroy --as "$OPERATOR" --asset PC-9 --method shred --witness "$WITNESS" >/dev/null ||
		fail destroy
	mkdir -p "$1"
	"$WIPEPROOF" cert issue --asset PC-9 --as "$OPERATOR" --output "$1" </dev/null >/dev/null ||
		fail "cert issue"
	"$WIPEPROOF" cert validate "$1"/cert-*.json --as "$APPROVER" </dev/null >/dev/null ||
		fail "cert validate" # the second signature (two-person)
}

wp_custody_people
REAL="$WIPEPROOF_KEYS/ca.pem"
real_fpr=$(fpr_of "$REAL")
destroyed_cert "$WP_TMP/real"
json=$(ls "$WP_TMP"/real/cert-*.json)
"$WIPEPROOF" keys export-trust --output "$WP_TMP/real.pem" 2>/dev/null || fail export-trust

# the look-alike: same organisation, same people, another key
export WIPEPROOF_KEYS="$WP_TMP/fake-keys" WIPEPROOF_LEDGER="$WP_TMP/fake.db"
wp_custody_people
FAKE="$WIPEPROOF_KEYS/ca.pem"
fake_fpr=$(fpr_of "$FAKE")
[ "$real_fpr" != "$fake_fpr" ] || fail "two CAs with one fingerprint"
[ "$(openssl x509 -in "$REAL" -noout -subject)" = "$(openssl x509 -in "$FAKE" -noout -subject)" ] ||
	fail "the look-alike should have the same subject"
destroyed_cert "$WP_TMP/fake"
fjson=$(ls "$WP_TMP"/fake/cert-*.json)
"$WIPEPROOF" keys export-trust --output "$WP_TMP/fake.pem" 2>/dev/null || fail export-trust

# cert verify: every verdict names the CA by subject and fingerprint
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$REAL"
expect_in "VALID" "$OUT"
expect_in "trust anchor: CA " "$OUT"
expect_in "株式会社テスト wipeproof CA" "$OUT"
expect_in "SHA-256 $real_fpr" "$OUT"
expect_exit 0 "$WIPEPROOF" cert verify "$fjson" --ca "$FAKE" --json
[ "$(jq -r .ca.sha256 <<<"$OUT")" = "$fake_fpr" ] || fail "cert verify --json ca.sha256: $OUT"
# pinned: the look-alike is refused, the real CA passes (colons and capitals as openssl prints them)
expect_exit 4 "$WIPEPROOF" cert verify "$fjson" --ca "$FAKE" --ca-fingerprint "$real_fpr"
expect_in "INVALID: the CA" "$OUT"
expect_in "is not the pinned CA $real_fpr" "$OUT"
expect_in "SHA-256 $fake_fpr" "$OUT"
colons=$(openssl x509 -in "$REAL" -noout -fingerprint -sha256 | sed 's/.*=//')
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$REAL" --ca-fingerprint "$colons"
expect_in "(the pinned CA)" "$OUT"
expect_exit 2 "$WIPEPROOF" cert verify "$json" --ca "$REAL" --ca-fingerprint abc
expect_in "is not a SHA-256 fingerprint" "$ERR"

# the QR code: the bundle's CA, by fingerprint
fqr=$(cat "$WP_TMP"/fake/cert-*.json.qr)
expect_exit 0 "$WIPEPROOF" cert verify --qr "$fqr" --trust "$WP_TMP/fake.pem"
expect_in "SHA-256 $fake_fpr" "$OUT"
expect_exit 4 "$WIPEPROOF" cert verify --qr "$fqr" --trust "$WP_TMP/fake.pem" --ca-fingerprint "$real_fpr"
expect_in "is not the pinned CA" "$OUT"
qr=$(cat "$WP_TMP"/real/cert-*.json.qr)
expect_exit 0 "$WIPEPROOF" cert verify --qr "$qr" --trust "$WP_TMP/real.pem" --ca-fingerprint "$real_fpr"

# custody verify
expect_exit 0 custody verify --ca "$FAKE"
expect_in "trust anchor: CA " "$OUT"
expect_in "SHA-256 $fake_fpr" "$OUT"
expect_exit 4 custody verify --ca "$FAKE" --ca-fingerprint "$real_fpr"
expect_in "is not the pinned CA" "$ERR"
expect_exit 0 custody verify --ledger "$WP_TMP/ledger.db" --ca "$REAL" --ca-fingerprint "$real_fpr" --json
[ "$(jq -r .ca.sha256 <<<"$OUT")" = "$real_fpr" ] || fail "custody verify --json ca: $OUT"
echo "ok: verdicts name their CA, and a pin refuses a look-alike"
