#!/bin/bash
# The auditor's verification page (`keys export-trust --html`) in a real
# browser: Debian's Chromium, headless, opens the generated file from a
# file:// URL with every network connection refused, is given the inputs in
# the URL fragment, and the test reads the verdict from the DOM. For each
# case `wipeproof cert verify` is run on the same inputs and must agree:
#  - a valid certificate (JSON + .p7s) and its QR code: VALID;
#  - the JSON with one byte changed: INVALID;
#  - the QR text with one character changed: INVALID;
#  - a look-alike CA (same organisation name, other key): its page shows
#    another fingerprint and calls the real certificate INVALID;
#  - a QR code of another organisation on this organisation's page: INVALID.
# The page makes no request at all (Chromium's network log stays empty of
# anything but the file itself), and a screenshot of a VALID check is kept
# for the docs when WP_SCREENSHOT names a file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
. "$(dirname "$0")/verify_page_lib.sh"

expect_both() { # WANT PAGE CA JSON P7S QR
	local want=$1 page=$2 ca=$3 json=$4 p7s=$5 qr=$6 got code
	page_verdict "$page" "$json" "$p7s" "$qr"
	got=$PAGE_VERDICT
	[ "$got" = "$want" ] || fail "page says '$got' ($PAGE_REASON), expected $want for ${json:-QR}"
	code=0
	if [ -n "$json" ]; then
		"$WIPEPROOF" cert verify "$json" --sig "$p7s" --ca "$ca" >/dev/null 2>&1 || code=$?
	fi
	if [ -n "$qr" ] && [ "$code" = 0 ]; then
		"$WIPEPROOF" keys export-trust --keys "$(dirname "$ca")" --output "$WP_TMP/bundle.pem" 2>/dev/null
		"$WIPEPROOF" cert verify --qr "$qr" --trust "$WP_TMP/bundle.pem" >/dev/null 2>&1 || code=$?
	fi
	case "$want:$code" in
		VALID:0 | INVALID:4) ;;
		*) fail "wipeproof cert verify exited $code where the page says $want" ;;
	esac
}

# ---- our organisation, one wiped disk ----------------------------------
wp_custody_people
REPORTS="$WP_TMP/reports"
wp_make_loop d1 $((8 << 20))
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-7 --device "$d1" --owner "営業部 <東>" \
	--lease-contract 'L-7 "&"' --reason lease-end
expect_exit 0 custody request --as "$OPERATOR" --asset PC-7
expect_exit 0 custody approve --as "$APPROVER" --asset PC-7
expect_exit 0 wp_wipe "$d1" --asset PC-7 --as "$OPERATOR"
json=$(ls "$REPORTS"/cert-*.json)
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$APPROVER" # the second signature (two-person)
p7s="$json.p7s"
qr=$(cat "$json.qr")
CA="$WIPEPROOF_KEYS/ca.pem"
expect_exit 0 "$WIPEPROOF" keys export-trust --html "$WP_TMP/verify.html"
page="$WP_TMP/verify.html"

# the page: one file, our CA's fingerprint in it, a policy that forbids
# every connection, no external reference at all
fpr=$(openssl x509 -in "$CA" -outform DER | sha256sum | cut -c1-64)
grep -q "$(sed 's/\(....\)/\1 /g; s/ $//' <<<"$fpr")" "$page" || fail "the page does not show the CA's fingerprint $fpr"
grep -q "connect-src 'none'" "$page" && grep -q "default-src 'none'" "$page" || fail "no CSP forbidding connections"
grep -Eq '(src|href)="(https?:)?//' "$page" && fail "the page refers to something outside itself"

expect_both VALID "$page" "$CA" "$json" "$p7s" "$qr"
expect_in "有効" "$PAGE_REASON"
expect_both VALID "$page" "$CA" "" "" "$qr"
expect_both VALID "$page" "$CA" "$json" "$p7s" ""

# one changed byte of the JSON (inside a value, so it stays JSON)
bad="$WP_TMP/bad.json"
sed 's/"PC-7"/"PC-8"/' "$json" | tr -d '\n' >"$bad"
cmp -s "$bad" "$json" && fail "the test did not change the JSON"
expect_both INVALID "$page" "$CA" "$bad" "$p7s" ""
expect_in "JSON was changed" "$PAGE_REASON"

# the QR signature's high twin (r, n - s): a valid ECDSA signature made
# without the key, refused by the page and by cert verify --qr (one
# spelling, issue 22 item 4); n is P-256's order from SEC 2
high_twin() { # QR TEXT -> the same text with SIG replaced by (r, n - s)
	local sig=${1##*|} der r_len s_len r s s2
	sig=$(tr '_-' '/+' <<<"$sig")
	while [ $(( ${#sig} % 4 )) -ne 0 ]; do sig="$sig="; done
	der=$(base64 -d <<<"$sig" | xxd -p -c 256 | tr a-f A-F)
	r_len=$((16#${der:6:2}))
	r=${der:4:$((4 + 2 * r_len))}
	s_len=$((16#${der:$((8 + 2 * r_len + 2)):2}))
	s=${der:$((8 + 2 * r_len + 4)):$((2 * s_len))}
	s2=$(BC_LINE_LENGTH=0 bc <<<"obase=16; ibase=16; FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551 - $s")
	[ $(( ${#s2} % 2 )) -eq 1 ] && s2="0$s2"
	[ $((16#${s2:0:1})) -ge 8 ] && s2="00$s2"
	s2=$(printf '02%02X%s' $(( ${#s2} / 2 )) "$s2")
	der=$(printf '30%02X%s%s' $(( (${#r} + ${#s2}) / 2 )) "$r" "$s2")
	printf '%s|%s' "${1%|*}" "$(xxd -r -p <<<"$der" | base64 -w0 | tr '+/' '-_' | tr -d '=')"
}
highqr=$(high_twin "$qr")
[ "$highqr" != "$qr" ] || fail "the test did not change the QR signature"
expect_both INVALID "$page" "$CA" "" "" "$highqr"

# one changed character of the QR text (the model field)
badqr=$(sed 's/|Loop device|/|Loop devicf|/' <<<"$qr")
[ "$badqr" != "$qr" ] || fail "the test did not change the QR text"
expect_both INVALID "$page" "$CA" "" "" "$badqr"
expect_in "QR signature does not match" "$PAGE_REASON"

# the QR and the file of two different certificates do not pass together
wp_make_loop d2 $((8 << 20))
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-8 --device "$d2" --reason lease-end
expect_exit 0 custody request --as "$OPERATOR" --asset PC-8
expect_exit 0 custody approve --as "$APPROVER" --asset PC-8
expect_exit 0 wp_wipe "$d2" --asset PC-8 --as "$OPERATOR"
json2=$(ls "$REPORTS"/cert-*.json | grep -v "$json")
expect_exit 0 "$WIPEPROOF" cert validate "$json2" --as "$APPROVER" # the second signature (two-person)
page_verdict "$page" "$json2" "$json2.p7s" "$qr"
[ "$PAGE_VERDICT" = INVALID ] || fail "QR of another certificate accepted"
expect_in "do not describe the same certificate" "$PAGE_REASON"

# two signatures: without the validator's, not validated (page and tool)
wp_make_loop d3 $((8 << 20))
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-9 --device "$d3" --reason lease-end
expect_exit 0 custody request --as "$OPERATOR" --asset PC-9
expect_exit 0 custody approve --as "$APPROVER" --asset PC-9
expect_exit 0 wp_wipe "$d3" --asset PC-9 --as "$OPERATOR"
json3=$(ls "$REPORTS"/cert-*.json | grep -v -e "$json" -e "$json2")
expect_both INVALID "$page" "$CA" "$json3" "$json3.p7s" ""
expect_in "not validated" "$PAGE_REASON"
expect_exit 0 "$WIPEPROOF" cert validate "$json3" --as "$APPROVER"
expect_both VALID "$page" "$CA" "$json3" "$json3.p7s" ""
expect_in "two signatures" "$PAGE_REASON"

# the document names another issuer than the key that signed it: a holder
# of the operator's key signs a copy naming the approver (stock openssl)
forged="$WP_TMP/forged.json"
jq -cS --arg n "$APPROVER" '.issued_by.name = $n' "$json" | tr -d '\n' >"$forged"
opfpr=$("$WIPEPROOF" keys list --json | jq -r --arg n "$OPERATOR" '.people[] | select(.name == $n) | .fingerprint' | head -1)
for _ in $(seq 20); do # until the signature has the one spelling wipeproof accepts (low s)
	openssl cms -sign -binary -in "$forged" -signer "$WIPEPROOF_KEYS/people/$opfpr.pem" \
		-inkey "$WIPEPROOF_KEYS/people/$opfpr.key" -outform PEM -out "$forged.p7s" 2>/dev/null ||
		fail "openssl cms -sign"
	"$WIPEPROOF" cert verify "$forged" --sig "$forged.p7s" --ca "$CA" 2>&1 |
		grep -q "one accepted form" || break
done
expect_both INVALID "$page" "$CA" "$forged" "$forged.p7s" ""
expect_in "issuer name '$APPROVER' is not the signer's certificate's '$OPERATOR'" "$PAGE_REASON"

# a certificate signed by a person revoked before they signed it: the page
# exported after the revocation refuses it, as cert verify does
expect_exit 0 "$WIPEPROOF" keys revoke "$OPERATOR" --reason key-compromise --date "$(date -u -d '2 days ago' +%Y-%m-%d)"
expect_exit 0 "$WIPEPROOF" keys export-trust --html "$WP_TMP/revoked.html"
grep -q "key-compromise" "$WP_TMP/revoked.html" || fail "the page's list of people does not show the revocation"
grep -q "key-compromise" "$page" && fail "the page exported before the revocation shows it"
expect_both INVALID "$WP_TMP/revoked.html" "$CA" "$json" "$p7s" ""
expect_in "revoked" "$PAGE_REASON"
expect_both INVALID "$WP_TMP/revoked.html" "$CA" "" "" "$qr"
expect_in "revoked" "$PAGE_REASON"

# a look-alike CA: same organisation name, another key
other="$WP_TMP/lookalike"
WIPEPROOF_KEYS=$other "$WIPEPROOF" keys init-ca --org "株式会社テスト" --no-passphrase >/dev/null ||
	fail "look-alike CA"
WIPEPROOF_KEYS=$other wp_issue "$OPERATOR" "係員" operator --no-passphrase
WIPEPROOF_KEYS=$other "$WIPEPROOF" keys export-trust --html "$WP_TMP/lookalike.html" 2>/dev/null ||
	fail "look-alike page"
grep -q "$(sed 's/\(....\)/\1 /g; s/ $//' <<<"$fpr")" "$WP_TMP/lookalike.html" &&
	fail "the look-alike page shows our CA's fingerprint"
expect_both INVALID "$WP_TMP/lookalike.html" "$other/ca.pem" "$json" "$p7s" ""
expect_in "not certified by this CA" "$PAGE_REASON"
# ... and our QR code on the other organisation's page
expect_both INVALID "$WP_TMP/lookalike.html" "$other/ca.pem" "" "" "$qr"
expect_in "not in this page's list of people" "$PAGE_REASON"

# no network: Chromium asked for nothing but the page itself
grep -Ei 'http://|https://' "$WP_TMP/chromium.log" | grep -v 127.0.0.1:9 && fail "the page made a request"

if [ -n "${WP_SCREENSHOT:-}" ]; then
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
		--user-data-dir="$WP_TMP/chromium" --virtual-time-budget=20000 --window-size=1000,1400 \
		--screenshot="$WP_SCREENSHOT" \
		"file://$page#json=$(b64url "$json")&p7s=$(b64url "$p7s")&qr=$(uri "$qr")" 2>/dev/null
fi
echo "last reason: $PAGE_REASON"
echo "ok: verification page"
