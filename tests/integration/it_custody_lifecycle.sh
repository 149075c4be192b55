#!/bin/bash
# A whole custody lifecycle without a wipe (intake → request → approve →
# destroy with a witness → transfer → release), every refusal on the way,
# reading it back (log, show, export), and verifying it as an ordinary user.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
A=PC-0042

expect_exit 0 custody intake --as "$OPERATOR" --asset $A --serial SN-0042 --model "ThinkPad X1" \
	--owner 営業部 --location 本社3F --manager "$APPROVER" --lease-contract L-2020-7 \
	--lease-end 2026-03-31 --reason lease-end
expect_in "recorded seq 1: intake $A by $OPERATOR (係員, operator)" "$OUT"
expect_exit 3 custody intake --as "$OPERATOR" --asset $A --serial OTHER --model M
expect_in "asset $A is already in the ledger" "$ERR"
expect_exit 3 custody approve --as "$APPROVER" --asset $A
expect_in "has no request to approve" "$ERR"
expect_exit 3 custody release --as "$OPERATOR" --asset $A --to dispose
expect_in "neither a sanitized wipe nor a recorded destruction" "$ERR"
expect_exit 3 custody request --as "$OPERATOR" --asset PC-9999
expect_in "asset PC-9999 is not in the ledger" "$ERR"
expect_exit 2 custody request --asset $A
expect_in "--as PERSON" "$ERR"
expect_exit 2 custody intake --as "$OPERATOR" --asset PC-1 --serial S
expect_in "--serial S and --model M" "$ERR"
expect_exit 3 custody intake --as "$OPERATOR" --asset PC-1 --serial S --model M --lease-end 31.3.2026
expect_in "not a date YYYY-MM-DD" "$ERR"

expect_exit 0 custody request --as "$APPROVER" --asset $A --reason "リース返却"
expect_exit 3 custody approve --as "$APPROVER" --asset $A
expect_in "$APPROVER requested the disposal of $A and cannot also approve it" "$ERR"
expect_exit 3 custody approve --as "$OPERATOR" --asset $A
expect_in "role 'operator', which may not record 'approve' events" "$ERR"
expect_exit 3 custody approve --as "$WITNESS" --asset $A
expect_in "role 'witness'" "$ERR"
expect_exit 0 custody approve --as "$APPROVER2" --asset $A --for destroy,transfer,release --comment "承認します"
expect_in "recorded seq 3: approve" "$OUT"

expect_exit 2 custody destroy --as "$OPERATOR" --asset $A --method shred
expect_in "--witness PERSON" "$ERR"
expect_exit 3 custody destroy --as "$OPERATOR" --asset $A --method shred --witness "$OPERATOR"
expect_in "cannot witness their own destruction" "$ERR"
expect_exit 3 custody destroy --as "$OPERATOR" --asset $A --method shred --witness "$OPERATOR2"
expect_in "may not witness a destruction" "$ERR"
printf 'photo of the shredded disk' > "$WP_TMP/photo.jpg"
printf 'vendor certificate' > "$WP_TMP/vendor.pdf"
expect_exit 0 custody destroy --as "$OPERATOR" --asset $A --method shred --witness "$WITNESS" \
	--photo "$WP_TMP/photo.jpg"
expect_in "recorded seq 4: destroyed $A" "$OUT"
expect_exit 0 custody transfer --as "$OPERATOR" --asset $A --vendor "株式会社リサイクル" \
	--vendor-cert "$WP_TMP/vendor.pdf"
expect_exit 3 custody release --as "$OPERATOR" --asset $A --to reuse
expect_in "can only be released to dispose" "$ERR"
expect_exit 0 custody release --as "$OPERATOR" --asset $A --to dispose --json
[ "$(jq -r .seq <<<"$OUT")" = 6 ] || fail "release --json seq: $OUT"
expect_exit 3 custody transfer --as "$OPERATOR" --asset $A --vendor X
expect_in "was released (to dispose); only notes" "$ERR"
expect_exit 3 custody note --as "$AUDITOR" --asset $A --text "見ました"
expect_in "role 'auditor'" "$ERR"
expect_exit 0 custody note --as "$WITNESS" --asset $A --text "確認済み"
# policy: only an approver sets it, and it is an event like any other
expect_exit 3 custody init --as "$OPERATOR" --no-approval-required
expect_exit 0 custody init --as "$APPROVER" --no-approval-required
expect_in "recorded seq 8: policy" "$OUT"

expect_exit 0 custody verify
expect_in "verifies: 8 events, head " "$OUT"
expect_exit 0 custody head
head=$OUT
[[ $head =~ ^[0-9a-f]{64}@8$ ]] || fail "head format: $head"
expect_exit 0 custody verify --anchor "$head"
expect_exit 0 custody head --json
[ "$(jq -r '"\(.hash)@\(.seq)"' <<<"$OUT")" = "$head" ] || fail "head --json: $OUT"

# what was recorded
expect_exit 0 custody log --json --asset $A
log=$OUT
[ "$(jq '.events | length' <<<"$log")" = 7 ] || fail "log --asset: $(jq -c '.events|length' <<<"$log")"
[ "$(jq -r '.events[3].witness.name' <<<"$log")" = "$WITNESS" ] || fail "witness in log"
[ "$(jq -r '.events[3].body.photo_sha256' <<<"$log")" = \
  "$(sha256sum "$WP_TMP/photo.jpg" | cut -d' ' -f1)" ] || fail "photo digest"
[ "$(jq -r '.events[4].body.vendor_cert_sha256' <<<"$log")" = \
  "$(sha256sum "$WP_TMP/vendor.pdf" | cut -d' ' -f1)" ] || fail "vendor certificate digest"
[ "$(jq -r '.events[0].prev_hash' <<<"$log")" = "$(printf '0%.0s' {1..64})" ] || fail "first prev_hash"
[ "$(jq -r '.events[1].prev_hash' <<<"$log")" = "$(jq -r '.events[0].hash' <<<"$log")" ] || fail "chain"
expect_exit 0 custody show $A --json
[ "$(jq -r .status <<<"$OUT")" = released ] || fail "show status"
[ "$(jq -r .approver.name <<<"$OUT")" = "$APPROVER2" ] || fail "show approver"
[ "$(jq -r .serial <<<"$OUT")" = SN-0042 ] || fail "show serial"
expect_exit 0 custody show $A
expect_in "asset $A: released" "$OUT"
expect_in "destroyed       shred, witnessed by $WITNESS" "$OUT"
expect_exit 1 custody show PC-NONE
expect_in "asset PC-NONE is not in the ledger" "$ERR"

# the 台帳: UTF-8 with BOM, Japanese names, one row per event
expect_exit 0 custody export --format csv --output "$WP_TMP/ledger.csv"
[ "$(head -c 3 "$WP_TMP/ledger.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "no UTF-8 BOM"
csv=$(cat "$WP_TMP/ledger.csv")
for want in "$OPERATOR" "係員" "$APPROVER2" "$WITNESS" "日時(UTC) date" "SN-0042" '"destroyed"' \
	    '"dispose"' "株式会社リサイクル"; do
	expect_in "$want" "$csv"
done
[ "$(wc -l < "$WP_TMP/ledger.csv")" = 9 ] || fail "CSV rows: $(wc -l < "$WP_TMP/ledger.csv")"
grep -q $'\r$' "$WP_TMP/ledger.csv" || fail "CSV lines do not end in CRLF"
expect_exit 0 custody export --format csv --owner 営業部
[ "$(printf '%s\n' "$OUT" | wc -l)" = 8 ] || fail "owner filter (policy event has no owner)"
expect_exit 0 custody export --format csv --owner 経理部
[ "$(printf '%s\n' "$OUT" | wc -l)" = 1 ] || fail "unknown owner: header only"
expect_exit 0 custody export --format json --since 2999-01-01
[ "$(jq '.events | length' <<<"$OUT")" = 0 ] || fail "--since"
expect_exit 0 custody export --format json
[ "$(jq '.events | length' <<<"$OUT")" = 8 ] || fail "json export"
expect_exit 2 custody export --format xls
expect_exit 1 custody export --format csv --output "$WP_TMP/ledger.csv"
expect_in "not overwriting" "$ERR"

# an auditor reads and verifies as an ordinary user: no root, no key
chmod 755 "$WP_TMP"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$WIPEPROOF" "$@" </dev/null; }
expect_exit 0 as_nobody custody verify --ledger "$WIPEPROOF_LEDGER" --ca "$WIPEPROOF_KEYS/ca.pem"
expect_in "verifies: 8 events" "$OUT"
expect_exit 0 as_nobody custody log --ledger "$WIPEPROOF_LEDGER"
expect_in "$WITNESS" "$OUT"
expect_exit 1 as_nobody custody note --as "$WITNESS" --asset $A --text x
expect_in "cannot open" "$ERR"
echo "ok: custody lifecycle"
