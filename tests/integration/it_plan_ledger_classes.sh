#!/bin/bash
# `plan --confidentiality` reads the classes of the ledger's policy in force
# (issue 17 item 1: classes are the organisation's, configured in the
# ledger's policy event), not the default set: here the organisation's
# 機密性3 is its LOWEST class (Clear), which the default set would refuse on a
# loop device (default 機密性3 needs Purge), and its own 部外秘 needs Purge,
# which the default set does not know. Without a ledger the default set
# decides. A class the table does not define is a usage error naming the
# table's classes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_need_tools jq
wp_custody_people
wp_make_loop d1 $((4 << 20))

cat > "$WP_TMP/policy.json" <<'JSON'
{"approval_required": true,
 "classes": [{"name": "機密性3", "rank": 1, "min_level": "clear"},
             {"name": "部外秘", "rank": 5, "min_level": "purge"}]}
JSON
expect_exit 0 "$WIPEPROOF" plan "$d1" --json
[ "$(jq -r .nist_category <<<"$OUT")" = Clear ] || fail "a loop device's plan: $OUT"

# no ledger anywhere: the default set (機密性3 needs Purge; 部外秘 unknown)
nowhere="$WP_TMP/none/ledger.db"
WIPEPROOF_LEDGER=$nowhere expect_exit 3 "$WIPEPROOF" plan "$d1" --confidentiality 機密性3
expect_in "at least NIST purge" "$ERR"
WIPEPROOF_LEDGER=$nowhere expect_exit 2 "$WIPEPROOF" plan "$d1" --confidentiality 部外秘
expect_in "機密性3, 機密性2, 機密性1, 極秘, 社外秘, 社内限り" "$ERR"

expect_exit 0 custody init --as "$APPROVER" --policy "$WP_TMP/policy.json"
# the configured ledger (WIPEPROOF_LEDGER) and --ledger: the organisation's classes
expect_exit 0 "$WIPEPROOF" plan "$d1" --confidentiality 機密性3
expect_exit 0 "$WIPEPROOF" plan "$d1" --confidentiality 機密性3 --ledger "$WIPEPROOF_LEDGER"
expect_exit 3 "$WIPEPROOF" plan "$d1" --confidentiality 部外秘 --ledger "$WIPEPROOF_LEDGER"
expect_in "class 部外秘, and the policy requires at least NIST purge" "$ERR"
expect_exit 3 "$WIPEPROOF" plan "$d1" --confidentiality 機密性3,部外秘 --json
[ "$(jq -r .method <<<"$OUT")" = null ] || fail "a refused plan names a method: $OUT"
# a default class this organisation does not use: usage error naming its classes
expect_exit 2 "$WIPEPROOF" plan "$d1" --confidentiality 極秘 --ledger "$WIPEPROOF_LEDGER"
expect_in "'極秘' is not one of the policy's classes (機密性3, 部外秘)" "$ERR"
# a --ledger that is not there is an error, never the default set in silence
expect_exit 2 "$WIPEPROOF" plan "$d1" --confidentiality 機密性3 --ledger "$nowhere"
expect_in "$nowhere" "$ERR"
# a later policy without classes: the default set again
expect_exit 0 custody init --as "$APPROVER" --policy default
expect_exit 3 "$WIPEPROOF" plan "$d1" --confidentiality 機密性3
expect_in "at least NIST purge" "$ERR"
echo "ok: plan --confidentiality reads the ledger's classes"
