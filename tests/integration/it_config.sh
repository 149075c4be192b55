#!/bin/bash
# /etc/wipeproof/config (here WIPEPROOF_CONFIG): `config show` names each
# value's source; the file beats the built-in default, the environment
# beats the file, a flag beats both; strict parsing with line numbers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
unset WIPEPROOF_KEYS WIPEPROOF_LEDGER WIPEPROOF_LOCATION WIPEPROOF_CONTACT
export WIPEPROOF_CONFIG="$WP_TMP/config"
cat >"$WIPEPROOF_CONFIG" <<CONF
# test station
organisation = 株式会社テスト
location = 本社 3F
ledger = $WP_TMP/ledger.db
keys = $WP_TMP/keys
operator = $OPERATOR
method = zero   # quick
verify = sample
CONF

expect_exit 0 "$WIPEPROOF" config show --json
[ "$(jq -r .values.ledger.value <<<"$OUT")" = "$WP_TMP/ledger.db" ] || fail "ledger: $OUT"
[ "$(jq -r .values.ledger.source <<<"$OUT")" = "$WIPEPROOF_CONFIG:4" ] || fail "source: $OUT"
[ "$(jq -r .values.method.value <<<"$OUT")" = zero ] || fail "method: $OUT"
[ "$(jq -r .values.contact.source <<<"$OUT")" = default ] || fail "contact: $OUT"
WIPEPROOF_LEDGER=/elsewhere.db expect_exit 0 "$WIPEPROOF" config show --json
[ "$(jq -r .values.ledger.source <<<"$OUT")" = "env WIPEPROOF_LEDGER" ] || fail "env: $OUT"
[ "$(jq -r .values.ledger.value <<<"$OUT")" = /elsewhere.db ] || fail "env value: $OUT"
expect_exit 0 "$WIPEPROOF" config show
expect_in "$WIPEPROOF_CONFIG:3" "$OUT"

# the file feeds the commands: keys and ledger without flags, the operator
# as --as, the wipe method and verification
wp_custody_people
[ -f "$WP_TMP/keys/ca.pem" ] || fail "keys did not go to the configured key store"
wp_make_loop d $((8 << 20))
wp_ours "$d"
expect_exit 0 custody intake --asset C-1 --device "$d" --reason reuse
[ -f "$WP_TMP/ledger.db" ] || fail "ledger not at the configured path"
expect_exit 0 custody log --asset C-1 --json
[ "$(jq -r '.events[0].actor.name' <<<"$OUT")" = "$OPERATOR" ] || fail "operator: $OUT"
wp_wipe "$d" --report "$WP_TMP/r1.json" >/dev/null || fail "wipe with config defaults"
[ "$(jq -r .method "$WP_TMP/r1.json")" = zero ] || fail "config method not used"
[ "$(jq -r .verification.mode "$WP_TMP/r1.json")" = sample ] || fail "config verify not used"
wp_wipe "$d" --report "$WP_TMP/r2.json" --method ones --verify full >/dev/null || fail "wipe"
[ "$(jq -r .method "$WP_TMP/r2.json")" = ones ] || fail "--method did not beat the file"
[ "$(jq -r .verification.mode "$WP_TMP/r2.json")" = full ] || fail "--verify did not beat the file"

# the organisation names a new CA when --org is not given
WIPEPROOF_KEYS="$WP_TMP/keys2" expect_exit 0 "$WIPEPROOF" keys init-ca --no-passphrase
openssl x509 -in "$WP_TMP/keys2/ca.pem" -noout -subject -nameopt utf8 | grep -q "O=株式会社テスト" ||
	fail "init-ca did not take the configured organisation"
sed -i '/^organisation/d' "$WIPEPROOF_CONFIG"
WIPEPROOF_KEYS="$WP_TMP/keys3" expect_exit 2 "$WIPEPROOF" keys init-ca --no-passphrase
expect_in "needs --org NAME" "$ERR"

# strict: a misspelt key stops every command, naming file and line
printf 'ledger = /x.db\nmethd = zero\n' >"$WIPEPROOF_CONFIG"
expect_exit 2 "$WIPEPROOF" list
expect_in "$WIPEPROOF_CONFIG:2: unknown key 'methd'" "$ERR"
printf 'verify = maybe\n' >"$WIPEPROOF_CONFIG"
expect_exit 2 "$WIPEPROOF" config show
expect_in ":1: unknown verification 'maybe'" "$ERR"
printf 'just words\n' >"$WIPEPROOF_CONFIG"
expect_exit 2 "$WIPEPROOF" config show
expect_in "expected 'key = value'" "$ERR"
rm "$WIPEPROOF_CONFIG"
expect_exit 2 "$WIPEPROOF" list
expect_in "WIPEPROOF_CONFIG" "$ERR"
expect_exit 2 "$WIPEPROOF" config frobnicate
echo "ok: configuration file"
