#!/bin/bash
# Paper (R22; Co-Std Art.23, 26; Co-Reg 3.3.1-3.3.2): not wiped, but its
# shredding under the manager's control is recorded like any destruction.
# A batch of printed matter is one asset (its batch number as the serial),
# the policy's destruction row asks for prior approval and a witness who
# holds the approver (manager) role, and the certificate of destruction
# verifies with the ledger as any other.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_need_tools jq
wp_custody_people
CA="$WIPEPROOF_KEYS/ca.pem"

expect_exit 0 custody init --as "$APPROVER" --policy default
expect_exit 0 custody intake --as "$OPERATOR" --asset PAPER-2026-12 --serial BATCH-2026-12-01 \
	--model "紙: 顧客名簿 3箱 (paper, 3 boxes)" --kind paper --confidentiality 極秘 \
	--owner 営業部 --reason disposal
# a batch number is held by one open tag, as a disk's serial is
expect_exit 3 custody intake --as "$OPERATOR" --asset PAPER-DUP --serial BATCH-2026-12-01 \
	--model paper --kind paper
# shredding needs the approver's prior permission ...
expect_exit 3 custody destroy --as "$OPERATOR" --asset PAPER-2026-12 --method shred \
	--witness "$APPROVER2"
expect_in "approval" "$ERR"
expect_exit 0 custody request --as "$OPERATOR" --asset PAPER-2026-12 --reason 保存期間満了
expect_exit 0 custody approve --as "$APPROVER" --asset PAPER-2026-12 --for destroy,release
# ... and a witness with the manager's role, not any witness
head_before=$(custody head)
expect_exit 3 custody destroy --as "$OPERATOR" --asset PAPER-2026-12 --method shred \
	--witness "$WITNESS"
expect_in "approver" "$ERR"
[ "$(custody head)" = "$head_before" ] || fail "a refused destruction was recorded"
expect_exit 0 custody destroy --as "$OPERATOR" --asset PAPER-2026-12 --method shred \
	--witness "$APPROVER2" --comment "クロスカット裁断 (cross-cut), 情報システム課長立会い"
expect_exit 0 custody show PAPER-2026-12 --json
[ "$(jq -r .status <<<"$OUT")" = destroyed ] || fail "status: $OUT"

mkdir "$WP_TMP/c"
expect_exit 0 "$WIPEPROOF" cert issue --asset PAPER-2026-12 --as "$OPERATOR" --output "$WP_TMP/c"
json=$(ls "$WP_TMP"/c/cert-*.json)
[ "$(jq -r .sanitization.category "$json")" = Destroy ] ||
	fail "category: $(jq -c .sanitization "$json")"
[ "$(jq -r .sanitization.method "$json")" = shred ] || fail "method: $(jq -c .sanitization "$json")"
[ "$(jq -r .media.media_type "$json")" = paper ] || fail "media: $(jq -c .media "$json")"
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$APPROVER"
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
expect_in VALID "$OUT"
expect_exit 0 custody release --as "$OPERATOR" --asset PAPER-2026-12 --to dispose
expect_exit 0 custody verify
echo "ok: a paper batch shredded under the manager's eye, certified"
