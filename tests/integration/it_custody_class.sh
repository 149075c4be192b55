#!/bin/bash
# Confidentiality classes and the approval policy table (issue 17, items 1,
# 3 and 5): `custody init --policy`, `intake --confidentiality` (mixed media
# take the highest class), `plan --confidentiality` and `wipe --asset`
# refusing a method below the class's minimum NIST level before anything is
# written or recorded; a USB stick of the lowest class wiped and released
# without approval, a PC and every destruction needing one, with an
# approver as the destruction's witness; the certificate's NIST pre/post
# confidentiality and the approval date beside the approver, checked by
# stock OpenSSL.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_need_tools jq openssl pdftotext pdfinfo
wp_custody_people
CA="$WIPEPROOF_KEYS/ca.pem"
wp_make_loop d1 $((16 << 20))
wp_make_loop d2 $((16 << 20))
for d in "$d1" "$d2"; do wp_fill_marker "$d"; done
s1=$(wp_serial "$d1"); s2=$(wp_serial "$d2")
blocks1=$(wp_count_marker "$d1")

# ---- plan: what the loop device's plan reaches, against a class's minimum
expect_exit 0 "$WIPEPROOF" plan "$d1" --json
reached=$(jq -r .nist_category <<<"$OUT")
[ "$reached" = Clear ] || fail "a loop device's plan reaches $reached, the test expects Clear"
expect_exit 3 "$WIPEPROOF" plan "$d1" --confidentiality 機密性3
expect_in "class 機密性3" "$ERR"
expect_in "at least NIST purge" "$ERR"
expect_in "class -> minimum NIST SP 800-88 level" "$ERR"
# mixed media: the highest class decides
expect_exit 3 "$WIPEPROOF" plan "$d1" --confidentiality 社内限り,極秘
expect_in "class 極秘" "$ERR"
expect_exit 0 "$WIPEPROOF" plan "$d1" --confidentiality 機密性2,社内限り
expect_exit 2 "$WIPEPROOF" plan "$d1" --confidentiality 秘密
expect_in "'秘密' is not one of the policy's classes" "$ERR"
expect_exit 2 "$WIPEPROOF" wipe "$d1" --confidentiality 機密性3 --confirm-serial "$s1"

# ---- the policy table
printf '{"approval_required": true, "approval": [{"classes": ["秘"], "required": false}]}' \
	> "$WP_TMP/bad-policy.json"
expect_exit 2 custody init --as "$APPROVER" --policy "$WP_TMP/bad-policy.json"
expect_in "names class '秘', which the policy's classes do not define" "$ERR"
[ ! -e "$WIPEPROOF_LEDGER" ] || fail "a refused policy created the ledger"
expect_exit 2 custody init --as "$APPROVER" --policy default --no-approval-required
expect_exit 0 custody init --as "$APPROVER" --policy default
expect_exit 0 custody log --json
[ "$(jq -r '.events[0].body.approval[0].witness_role' <<<"$OUT")" = approver ] ||
	fail "the default table's destruction row"

# ---- intake: the class is one the policy knows; mixed media take the highest
expect_exit 3 custody intake --as "$OPERATOR" --asset HDD-1 --device "$d1" --confidentiality 秘密
expect_in "機密性3, 機密性2, 機密性1, 極秘, 社外秘, 社内限り" "$ERR"
expect_exit 0 custody intake --as "$OPERATOR" --asset HDD-1 --device "$d1" --kind hdd \
	--confidentiality 機密性2,機密性3 --reason disposal
expect_exit 0 custody log --asset HDD-1 --json
[ "$(jq -r '.events[0].body.confidentiality' <<<"$OUT")" = 機密性3 ] || fail "highest class: $OUT"
[ "$(jq -c '.events[0].body.confidentiality_given' <<<"$OUT")" = '["機密性2","機密性3"]' ] ||
	fail "classes given"
expect_exit 0 custody request --as "$OPERATOR" --asset HDD-1
expect_exit 0 custody approve --as "$APPROVER" --asset HDD-1 --for wipe,destroy,release
head_before=$(custody head)
# the plan reaches Clear; 機密性3 needs Purge: refused, nothing written or recorded
wp_ours "$d1"
expect_exit 3 "$WIPEPROOF" wipe "$d1" --asset HDD-1 --as "$OPERATOR" --confirm-serial "$s1"
expect_in "class 機密性3, and the policy requires at least NIST purge" "$ERR"
# refused by the ledger check before the operator is asked to confirm
expect_in "refusing to wipe $d1 as asset HDD-1" "$ERR"
[ "$(wp_count_marker "$d1")" -eq "$blocks1" ] || fail "a refused wipe wrote to the disk"
[ "$(custody head)" = "$head_before" ] || fail "a refused wipe was recorded"

# ---- a USB stick of the lowest class: wiped and released without approval
expect_exit 0 custody intake --as "$OPERATOR" --asset USB-1 --device "$d2" --kind usb \
	--confidentiality 機密性1 --reason reuse
wp_ours "$d2"
expect_exit 0 "$WIPEPROOF" wipe "$d2" --asset USB-1 --as "$OPERATOR" --confirm-serial "$s2"
[ "$(wp_count_marker "$d2")" -eq 0 ] || fail "marker left on the USB stick"
expect_exit 0 custody release --as "$OPERATOR" --asset USB-1 --to reuse
json=$(ls "$(dirname "$WIPEPROOF_LEDGER")"/reports/cert-*.json | head -1)
[ "$(jq -r .confidentiality.pre "$json")" = 機密性1 ] || fail "pre-sanitization class"
expect_in "none: sanitized" "$(jq -r .confidentiality.post "$json")"
[ "$(jq -r .approver "$json")" = null ] || fail "an approver on an unapproved wipe"
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$APPROVER"
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
openssl cms -verify -binary -content "$json" -in "$json.p7s" -inform PEM -CAfile "$CA" \
	-purpose any -out /dev/null 2>/dev/null || fail "stock openssl: the wipe certificate"
pdftotext -layout "${json%.json}.pdf" - | grep -q "機密性1" || fail "the PDF lacks the class"

# ---- a PC: approval needed even for the lowest class; a destruction's
# witness must be an approver
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-1 --serial PC-SN-1 --model "ThinkPad" \
	--kind pc --confidentiality 社内限り --reason disposal
expect_exit 3 custody destroy --as "$OPERATOR" --asset PC-1 --method crush --witness "$WITNESS"
expect_in "no approval to destroy" "$ERR"
expect_exit 0 custody request --as "$OPERATOR" --asset PC-1
expect_exit 0 custody approve --as "$APPROVER" --asset PC-1 --for destroy,release
expect_exit 3 custody destroy --as "$OPERATOR" --asset PC-1 --method crush --witness "$WITNESS"
expect_in "must have role approver" "$ERR"
expect_exit 0 custody destroy --as "$OPERATOR" --asset PC-1 --method crush --witness "$APPROVER2"
expect_exit 0 custody release --as "$OPERATOR" --asset PC-1 --to dispose
# certified after its release
mkdir "$WP_TMP/pc"
expect_exit 0 "$WIPEPROOF" cert issue --asset PC-1 --as "$OPERATOR" --output "$WP_TMP/pc"
pj=$(ls "$WP_TMP"/pc/cert-*.json)
approved=$(custody log --asset PC-1 --json | jq -r '.events[] | select(.kind == "approve") | .time')
[ "$(jq -r .approver.date "$pj")" = "$approved" ] || fail "approval date: $(jq -c .approver "$pj")"
[ "$(jq -r .confidentiality.pre "$pj")" = 社内限り ] || fail "destroyed: pre class"
expect_in "destroyed" "$(jq -r .confidentiality.post "$pj")"
[ "$(jq -r .sanitization.tool_version "$pj")" = "n/a" ] || fail "a destruction names a tool version"
expect_exit 0 "$WIPEPROOF" cert validate "$pj" --as "$APPROVER2"
expect_exit 0 "$WIPEPROOF" cert verify "$pj" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
openssl cms -verify -binary -content "$pj" -in "$pj.p7s" -inform PEM -CAfile "$CA" \
	-purpose any -out /dev/null 2>/dev/null || fail "stock openssl: the destruction certificate"
# the approval's date in Japan time beside the approver on the page
jst=$(TZ=Asia/Tokyo date -d "$approved" '+%Y年%-m月%-d日')
pdftotext -layout "${pj%.json}.pdf" - | tr -d ' ' | grep -A2 "承認者" | grep -qF "$jst" ||
	fail "the PDF shows no approval date beside the approver"
[ "$(pdfinfo "${pj%.json}.pdf" | awk '/^Pages:/ {print $2}')" = 1 ] || fail "more than one page"

# ---- the old switch still works: --no-approval-required
expect_exit 0 custody init --as "$APPROVER" --no-approval-required
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-2 --serial PC-SN-2 --model M
expect_exit 0 custody destroy --as "$OPERATOR" --asset PC-2 --method crush --witness "$WITNESS"
expect_exit 0 custody verify
echo "ok: confidentiality classes and the approval table"
