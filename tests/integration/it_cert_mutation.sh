#!/bin/bash
# The real binary refuses changed certificates (exit 4, "INVALID: reason",
# README): a byte changed at spread-out positions of the JSON document and
# of its .p7s signature, each file cut short, bytes appended, lines of the
# signature swapped, and a QR text with one character changed in every
# field. The unit test test_mutation changes every byte through the API;
# this checks the command an auditor runs gives the same answers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
CA="$WIPEPROOF_KEYS/ca.pem"
A=PC-0920
custody intake --as "$OPERATOR" --asset $A --serial SN-920 --model "HDD 920" >/dev/null || fail intake
custody request --as "$OPERATOR" --asset $A >/dev/null || fail request
custody approve --as "$APPROVER" --asset $A >/dev/null || fail approve
custody destroy --as "$OPERATOR" --asset $A --method shred --witness "$WITNESS" >/dev/null || fail destroy
mkdir "$WP_TMP/c"
expect_exit 0 "$WIPEPROOF" cert issue --asset $A --as "$OPERATOR" --output "$WP_TMP/c"
json=$(ls "$WP_TMP"/c/cert-*.json)
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$APPROVER" # the second signature (two-person)
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
expect_in VALID "$OUT"
cp "$json" "$WP_TMP/orig.json"
cp "$json.p7s" "$WP_TMP/orig.p7s"

# flip FILE OFFSET: the lowest bit of one byte
flip() {
	local val
	val=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((val ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
restore() { cp "$WP_TMP/orig.json" "$json"; cp "$WP_TMP/orig.p7s" "$json.p7s"; }
refused() { # refused WHAT: cert verify must say INVALID with exit 4
	"$WIPEPROOF" cert verify "$json" --ca "$CA" >"$WP_TMP/out" 2>"$WP_TMP/err"
	local rc=$?
	[ "$rc" -eq 4 ] || fail "$1: exit $rc, expected 4: $(cat "$WP_TMP/out" "$WP_TMP/err")"
	grep -q "^INVALID: " "$WP_TMP/out" || fail "$1: no INVALID line: $(cat "$WP_TMP/out")"
	n=$((n + 1))
}
n=0
size=$(stat -c %s "$json")
for off in $(seq 0 53 $((size - 1))) $((size - 1)); do
	restore; flip "$json" "$off"; refused "JSON byte $off"
done
psize=$(stat -c %s "$json.p7s")
for off in $(seq 0 41 $((psize - 1))) $((psize - 2)); do
	restore; flip "$json.p7s" "$off"; refused ".p7s byte $off"
done
for cut in 0 1 $((size / 2)) $((size - 1)); do
	restore; truncate -s "$cut" "$json"; refused "JSON cut to $cut bytes"
done
for cut in 1 $((psize / 2)) $((psize - 1)); do
	restore; truncate -s "$cut" "$json.p7s"; refused ".p7s cut to $cut bytes"
done
restore; printf ' ' >>"$json"; refused "JSON with a space appended"
restore; printf 'x\n' >>"$json.p7s"; refused ".p7s with a line appended"
restore; sed -i '2{h;d};3{G}' "$json.p7s"; refused ".p7s lines 2 and 3 swapped"
restore
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$CA"
echo "ok: $n changed files refused"

# QR text: one character changed in each of the eleven fields
expect_exit 0 "$WIPEPROOF" keys export-trust --output "$WP_TMP/trust.pem"
qr=$(cat "$json.qr")
expect_exit 0 "$WIPEPROOF" cert verify --qr "$qr" --trust "$WP_TMP/trust.pem"
m=0
for field in $(seq 1 11); do
	bad=$(awk -F'|' -v OFS='|' -v f="$field" '{
		c = substr($f, 1, 1); r = (c == "A") ? "B" : "A"; $f = r substr($f, 2); print }' <<<"$qr")
	[ "$bad" != "$qr" ] || fail "field $field unchanged"
	expect_exit 4 "$WIPEPROOF" cert verify --qr "$bad" --trust "$WP_TMP/trust.pem"
	expect_in "INVALID" "$OUT"
	m=$((m + 1))
done
expect_exit 4 "$WIPEPROOF" cert verify --qr "${qr%?}" --trust "$WP_TMP/trust.pem"
expect_exit 4 "$WIPEPROOF" cert verify --qr "$qr|" --trust "$WP_TMP/trust.pem"
echo "ok: $m changed QR texts refused, and a cut and an extended one"
