#!/bin/bash
# Repair without erasure (R5, R20, MIC 3.4.1(5)②): a disk that cannot be
# erased before repair is released to the repairer with the confidentiality
# agreement (its SHA-256 in the event, a copy beside the ledger) and taken
# in again under the same tag when it comes back — the same disk, a new
# cycle that needs its own approval.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people

wp_make_loop d1 $((8 << 20))
wp_make_loop d2 $((8 << 20))
s1=$(wp_serial "$d1")
printf '守秘義務契約書 / Non-disclosure agreement, repairer: 修理センター\n' >"$WP_TMP/nda.pdf"
sha=$(sha256sum "$WP_TMP/nda.pdf" | cut -d' ' -f1)

expect_exit 0 custody intake --as "$OPERATOR" --asset PC-R1 --device "$d1" --owner 開発部 \
	--location 本社3F
expect_exit 0 custody request --as "$OPERATOR" --asset PC-R1 --reason repair
expect_exit 0 custody approve --as "$APPROVER" --asset PC-R1 --for release

# without erasure and without an agreement: refused
expect_exit 3 custody release --as "$OPERATOR" --asset PC-R1 --to repair
expect_in "neither a sanitized wipe nor a recorded destruction" "$ERR"
expect_exit 3 custody release --as "$OPERATOR" --asset PC-R1 --to repair --agreement "$WP_TMP/nda.pdf"
expect_in "'repairer'" "$ERR"
expect_exit 3 custody release --as "$OPERATOR" --asset PC-R1 --to dispose \
	--agreement "$WP_TMP/nda.pdf" --repairer X
expect_in "only to a release --to repair" "$ERR"
expect_exit 1 custody release --as "$OPERATOR" --asset PC-R1 --to repair \
	--agreement "$WP_TMP/none.pdf" --repairer X
expect_exit 0 custody release --as "$OPERATOR" --asset PC-R1 --to repair \
	--agreement "$WP_TMP/nda.pdf" --repairer 修理センター
expect_exit 0 custody log --asset PC-R1 --json
ev=$(jq -c '.events[-1]' <<<"$OUT")
[ "$(jq -r .body.agreement_sha256 <<<"$ev")" = "$sha" ] || fail "agreement digest"
[ "$(jq -r .body.agreement <<<"$ev")" = nda.pdf ] || fail "agreement name"
[ "$(jq -r .body.repairer <<<"$ev")" = 修理センター ] || fail "repairer"
copy="$WP_TMP/evidence/$sha-nda.pdf"
[ -f "$copy" ] || fail "no copy of the agreement beside the ledger"
[ "$(sha256sum "$copy" | cut -d' ' -f1)" = "$sha" ] || fail "the copy differs"

# released: only notes, until it comes back
expect_exit 3 custody request --as "$OPERATOR" --asset PC-R1
expect_in "was released" "$ERR"
# back with another disk: the repairer replaced it
expect_exit 3 custody intake --as "$OPERATOR" --asset PC-R1 --device "$d2"
expect_in "this is not the disk of asset PC-R1" "$ERR"
expect_exit 3 custody intake --as "$OPERATOR" --asset PC-R1 --serial OTHER-DISK --model M
expect_in "replaced the disk" "$ERR"
# back, the same disk
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-R1 --device "$d1" --reason repair
expect_exit 0 custody show PC-R1 --json
[ "$(jq -r .status <<<"$OUT")" = registered ] || fail "status after the return from repair"
[ "$(jq -r .owner <<<"$OUT")" = 開発部 ] || fail "owner kept from the first intake"
[ "$(jq -r .repairs <<<"$OUT")" = 1 ] || fail "repairs"
# a new cycle: the approval before repair does not carry over
wp_ours "$d1"
expect_exit 3 "$WIPEPROOF" wipe "$d1" --asset PC-R1 --as "$OPERATOR" --confirm-serial "$s1"
expect_in "no approval" "$ERR"
expect_exit 0 custody request --as "$OPERATOR" --asset PC-R1
expect_exit 0 custody approve --as "$APPROVER" --asset PC-R1
expect_exit 0 wp_wipe "$d1" --asset PC-R1 --as "$OPERATOR" --method zero --verify full
expect_exit 0 custody release --as "$OPERATOR" --asset PC-R1 --to dispose
# released to dispose: the tag stays closed
expect_exit 3 custody intake --as "$OPERATOR" --asset PC-R1 --device "$d1"
expect_in "already in the ledger" "$ERR"
expect_exit 0 custody verify
echo "ok: repair without erasure"
