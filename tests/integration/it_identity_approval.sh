#!/bin/bash
# An approval names what it approves and until when (issue 22 item 8): the
# approval for a wipe does not allow a destruction or a hand-over, and an
# expired one allows nothing. Approvals with chosen terms (a past expiry, no
# terms at all) are appended with the approver's key by
# tests/integration/append_event.py, as a key holder could; the rules refuse
# what follows them, at append and again in custody verify.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
APPEND="$(dirname "$0")/append_event.py"
person_file() {
	local fpr
	fpr=$("$WIPEPROOF" keys list --json | jq -r --arg n "$1" '.people[] | select(.name == $n) | .fingerprint')
	echo "$WIPEPROOF_KEYS/people/$fpr.$2"
}
as_approver() { # as_approver ASSET BODY: an approve event by $APPROVER with this body
	python3 "$APPEND" "$WIPEPROOF_LEDGER" approve "$1" "$2" "$(person_file "$APPROVER" key)" \
		"$(person_file "$APPROVER" pem)" "$APPROVER" "情報システム課長" approver >/dev/null ||
		fail "append approve"
}

for a in PC-1 PC-2 PC-3; do
	expect_exit 0 custody intake --as "$OPERATOR" --asset $a --serial "S-$a" --model M
	expect_exit 0 custody request --as "$OPERATOR" --asset $a
done

# the default: wipe and release, for 30 days
expect_exit 0 custody approve --as "$APPROVER" --asset PC-1
expect_exit 0 custody log --asset PC-1 --json
body=$(jq -c '.events[2].body' <<<"$OUT")
[ "$(jq -c .for <<<"$body")" = '["wipe","release"]' ] || fail "default --for: $body"
want=$(date -u -d "+30 days" +%Y-%m-%d)
case "$(jq -r .expires <<<"$body")" in "$want"T*Z) ;; *) fail "default expiry: $body (want $want)" ;; esac
expect_exit 0 custody show PC-1
expect_in "approved by     $APPROVER (for wipe,release, until $want" "$OUT"
expect_exit 0 custody show PC-1 --json
[ "$(jq -c .approval.for <<<"$OUT")" = '["wipe","release"]' ] || fail "show --json approval: $OUT"
# ... so not a destruction, nor a hand-over
expect_exit 3 custody destroy --as "$OPERATOR" --asset PC-1 --method shred --witness "$WITNESS"
expect_in "is for wipe,release, not for destroy" "$ERR"
expect_exit 3 custody transfer --as "$OPERATOR" --asset PC-1 --vendor V
expect_in "not for transfer" "$ERR"
# an approval that adds the action; the same terms again are a mistake
expect_exit 3 custody approve --as "$APPROVER2" --asset PC-1 --for wipe
expect_in "already approved" "$ERR"
expect_exit 0 custody approve --as "$APPROVER2" --asset PC-1 --for destroy,release --valid-days 2
expect_exit 0 custody destroy --as "$OPERATOR" --asset PC-1 --method shred --witness "$WITNESS"
expect_exit 0 custody release --as "$OPERATOR" --asset PC-1 --to dispose

# bad terms at the command line
expect_exit 2 custody approve --as "$APPROVER" --asset PC-2 --for format
expect_in "'format' is not an action" "$ERR"
expect_exit 2 custody approve --as "$APPROVER" --asset PC-2 --valid-days 0

# expired: an approval valid for a few seconds
until=$(date -u -d '+10 seconds' +%s)
as_approver PC-2 "{\"for\":[\"destroy\",\"release\"],\"expires\":\"$(date -u -d "@$until" +%Y-%m-%dT%H:%M:%SZ)\"}"
while [ "$(date +%s)" -le "$until" ]; do sleep 1; done
expect_exit 3 custody destroy --as "$OPERATOR" --asset PC-2 --method shred --witness "$WITNESS"
expect_in "expired at" "$ERR"
expect_exit 0 custody verify

# an approval without terms is refused by verify (it could not be appended)
as_approver PC-3 '{"comment":"ok"}'
expect_exit 4 custody verify
expect_in "an approval must name what it approves" "$ERR"
echo "ok: an approval says what and until when"
