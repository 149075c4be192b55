#!/bin/bash
# Signed heads: `custody head --sign` writes a checkpoint that `custody
# verify --anchor FILE` checks; a ledger whose tail was deleted after the
# checkpoint verifies on its own ("N events") but not against the signed
# head. A changed checkpoint is refused. A certificate carries the head at
# issue, so `cert verify --ledger` finds a tail cut before it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people

expect_exit 0 custody intake --as "$OPERATOR" --asset H-1 --serial S1 --model M
for i in 1 2 3; do
	expect_exit 0 custody note --as "$OPERATOR" --asset H-1 --text "note $i"
done
expect_exit 2 custody head --as "$AUDITOR"
expect_in "--sign" "$ERR"
expect_exit 2 custody head --sign
expect_in "--as" "$ERR"
# an auditor's key (outside the operators' reach) signs the checkpoint
expect_exit 0 custody head --sign --as "$AUDITOR" --output "$WP_TMP/head.json"
[ "$(wc -l <"$WP_TMP/head.json")" = 1 ] || fail "signed head is not one line"
[ "$(jq -r .head "$WP_TMP/head.json")" = "$(custody head)" ] || fail "signed head is not the head"
[ "$(jq -r .seq "$WP_TMP/head.json")" = 4 ] || fail "seq"
[ "$(jq -r .signer.name "$WP_TMP/head.json")" = "$AUDITOR" ] || fail "signer"
# the head names its ledger: the id custody head prints
lid=$(custody head --json | jq -r .ledger_id)
[ "${#lid}" = 32 ] || fail "ledger id '$lid'"
[ "$(jq -r .ledger_id "$WP_TMP/head.json")" = "$lid" ] || fail "signed head lacks the ledger id"
expect_exit 1 custody head --sign --as "$AUDITOR" --output "$WP_TMP/head.json"
expect_in "cannot create" "$ERR"
expect_exit 0 custody verify --anchor "$WP_TMP/head.json"
expect_in "anchor: the head signed by $AUDITOR" "$OUT"
expect_in "seq 4, is in the chain of this ledger (same ledger id)" "$OUT"

# the ledger goes on; the checkpoint still holds
expect_exit 0 custody note --as "$OPERATOR" --asset H-1 --text "note 4"
expect_exit 0 custody verify --anchor "$WP_TMP/head.json"

# ---- a certificate, whose head at issue is in it
expect_exit 0 custody request --as "$OPERATOR" --asset H-1
expect_exit 0 custody approve --as "$APPROVER" --asset H-1 --for destroy,release
expect_exit 0 custody destroy --as "$OPERATOR" --witness "$WITNESS" --asset H-1 --method shred
json=$("$WIPEPROOF" cert issue --as "$OPERATOR" --asset H-1 --json </dev/null | jq -r .certificate)
cseq=$(jq .ledger.seq "$json")
[ "$cseq" -ge 8 ] || fail "certificate head seq $cseq"
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$APPROVER"
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ledger "$WIPEPROOF_LEDGER"
expect_in "checked: signatures and ledger" "$OUT"

# ---- the tail cut (as an insider with the database file could): events from seq 4 on
whole=$(wp_ledger_copy whole)
wp_ledger_sql "$WIPEPROOF_LEDGER" "delete from events where seq >= 4"
# alone, the cut ledger still verifies: nothing inside it shows the loss
expect_exit 0 custody verify
expect_in "verifies: 3 events" "$OUT"
# against the signed head it does not
expect_exit 4 custody verify --anchor "$WP_TMP/head.json"
expect_in "ends at seq 3 but the anchor names seq 4" "$ERR"
# and the certificate's own head finds it too
expect_exit 4 "$WIPEPROOF" cert verify "$json" --ledger "$WIPEPROOF_LEDGER"
expect_in "INVALID: the ledger does not agree with the certificate" "$OUT"
expect_in "ends at seq 3" "$OUT"
wp_ledger_restore "$whole"
expect_exit 0 custody verify --anchor "$WP_TMP/head.json"

# ---- a changed checkpoint is refused
jq -c '.seq = 3 | .head = (.head_hash + "@3")' "$WP_TMP/head.json" | tr -d '\n' >"$WP_TMP/edited.json"
expect_exit 4 custody verify --anchor "$WP_TMP/edited.json"
expect_in "changed after signing" "$ERR"
# one hex digit of the hash changed (to another digit: a hash may begin with 0)
c=$(jq -r '.head_hash[0:1]' "$WP_TMP/head.json")
[ "$c" = 0 ] && d=1 || d=0
sed "s/\"head_hash\":\"$c/\"head_hash\":\"$d/" "$WP_TMP/head.json" >"$WP_TMP/edited2.json"
cmp -s "$WP_TMP/head.json" "$WP_TMP/edited2.json" && fail "edited2 is not edited"
expect_exit 4 custody verify --anchor "$WP_TMP/edited2.json"
# the ledger id is signed too (a head re-signed for another id: tests/unit/test_custody.c)
jq -c '.ledger_id = "0123456789abcdef0123456789abcdef"' "$WP_TMP/head.json" | tr -d '\n' >"$WP_TMP/edited3.json"
expect_exit 4 custody verify --anchor "$WP_TMP/edited3.json"
expect_in "changed after signing" "$ERR"
# a head signed with another CA's key is refused
"$WIPEPROOF" keys init-ca --keys "$WP_TMP/other" --org Other --no-passphrase >/dev/null
expect_exit 4 custody verify --anchor "$WP_TMP/head.json" --ca "$WP_TMP/other/ca.pem"
expect_exit 2 custody verify --anchor "$WP_TMP/no-such-file"
expect_in "signed head" "$ERR"

echo "ok: signed head"
