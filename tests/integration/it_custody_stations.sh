#!/bin/bash
# Many stations, one ledger (issue 18): offline stations push their own
# SQLite ledgers to the organisation's PostgreSQL ledger (custody push --to,
# or export --segment / import on a USB stick). The central side checks the
# station's signed head, every event, and that a station's head only moves
# forward: a truncated or rewritten station ledger is refused by name, the
# same push twice changes nothing. Then the organisation-wide audit: verify
# of every chain, show across stations, export by station and date.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
. "$(dirname "$0")/pg_lib.sh"
wp_custody_people
wp_issue "Station Osaka" "大阪センター" station --no-passphrase
wp_issue "Station Kobe" "神戸センター" station --no-passphrase
wp_pg_start
CENTRAL=$(wp_pg_createdb central)
A="$WP_TMP/osaka.db" B="$WP_TMP/kobe.db"

# station Osaka records an asset's life on its own ledger, offline
expect_exit 0 custody intake --ledger "$A" --as "$OPERATOR" --asset PC-1 --serial SN-1 --model M --owner 総務部
expect_exit 0 custody request --ledger "$A" --as "$OPERATOR" --asset PC-1
expect_exit 0 custody approve --ledger "$A" --as "$APPROVER" --asset PC-1 --for wipe,release,transfer
# and pushes it
expect_exit 0 custody push --ledger "$A" --to "$CENTRAL" --as "Station Osaka"
expect_in "3 new events imported, head seq 3" "$OUT"
# the same push again: nothing new, nothing written (idempotent)
expect_exit 0 custody push --ledger "$A" --to "$CENTRAL" --as "Station Osaka"
expect_in "already up to date at seq 3" "$OUT"
[ "$(wp_psql "$CENTRAL" "SELECT count(*) FROM events")" = 3 ] || fail "duplicate push added rows"

# a station key is what vouches for a station ledger: a person's key is refused
expect_exit 3 custody push --ledger "$A" --to "$CENTRAL" --as "$OPERATOR"
expect_in "a station's head is signed by the station's own key" "$ERR"
# a password in the connection string is refused before connecting
expect_exit 1 custody push --ledger "$A" --to "postgresql://u:secret@localhost/x" --as "Station Osaka"
expect_in "carries a password" "$ERR"
expect_exit 1 custody verify --ledger "postgresql://u:secret@localhost/x"
expect_in "~/.pgpass" "$ERR"

# more events; carried on a USB stick this time
expect_exit 0 custody note --ledger "$A" --as "$OPERATOR" --asset PC-1 --text "moved to Kobe for wiping"
cp "$A" "$WP_TMP/osaka-at4.db"
expect_exit 0 custody transfer --ledger "$A" --as "$OPERATOR" --asset PC-1 --vendor "Station Kobe"
expect_exit 0 custody export --ledger "$A" --segment "$WP_TMP/seg.json" --as "Station Osaka"
[ "$(jq -r .format "$WP_TMP/seg.json")" = wipeproof-segment ] || fail "segment format"
# a segment edited on the way is refused, and leaves nothing
jq -c '.events[4][12] = "{\"vendor\":\"Somewhere\"}"' "$WP_TMP/seg.json" >"$WP_TMP/seg-edited.json"
expect_exit 4 custody import "$WP_TMP/seg-edited.json" --ledger "$CENTRAL"
expect_in "first bad event is seq 5" "$ERR"
[ "$(wp_psql "$CENTRAL" "SELECT count(*) FROM events")" = 3 ] || fail "a refused import left rows"
expect_exit 0 custody import "$WP_TMP/seg.json" --ledger "$CENTRAL"
expect_in "2 new events imported, head seq 5" "$OUT"
expect_exit 0 custody import "$WP_TMP/seg.json" --ledger "$CENTRAL"
expect_in "already up to date" "$OUT"

# ---- a truncated station ledger: refused, the reason named
cp "$A" "$WP_TMP/osaka-cut.db"
sqlite3 "$WP_TMP/osaka-cut.db" "DELETE FROM events WHERE seq >= 4" || fail "cut"
expect_exit 4 custody push --ledger "$WP_TMP/osaka-cut.db" --to "$CENTRAL" --as "Station Osaka"
expect_in "went backwards" "$ERR"
expect_in "truncated" "$ERR"
expect_in "up to seq 5" "$ERR"
# ---- a forked one (an old copy that went on differently): refused, named
A2="$WP_TMP/osaka-at4.db"
expect_exit 0 custody note --ledger "$A2" --as "$OPERATOR" --asset PC-1 --text "another history"
expect_exit 0 custody note --ledger "$A2" --as "$OPERATOR" --asset PC-1 --text "and more"
expect_exit 4 custody push --ledger "$A2" --to "$CENTRAL" --as "Station Osaka"
expect_in "rewritten after an earlier push (a fork)" "$ERR"
expect_in "seq 5" "$ERR"
# ---- another station's key may not push Osaka's chain
expect_exit 4 custody push --ledger "$A" --to "$CENTRAL" --as "Station Kobe"
expect_in "one station ledger, one station key" "$ERR"
[ "$(wp_psql "$CENTRAL" "SELECT count(*) FROM events")" = 5 ] || fail "a refused push left rows"

# ---- station Kobe takes the asset in (it moved) and wipes/releases it
expect_exit 0 custody init --ledger "$B" --as "$APPROVER" --no-approval-required
expect_exit 0 custody intake --ledger "$B" --as "$OPERATOR2" --asset PC-1 --serial SN-1 --model M \
	--owner 総務部 --comment "from Station Osaka (transfer, Osaka seq 5)"
expect_exit 0 custody intake --ledger "$B" --as "$OPERATOR2" --asset PC-2 --serial SN-2 --model M --owner 経理部
expect_exit 0 custody push --ledger "$B" --to "$CENTRAL" --as "Station Kobe"
expect_in "3 new events imported" "$OUT"

# ---- the organisation-wide audit
expect_exit 0 custody verify --ledger "$CENTRAL"
expect_in "verifies: 8 events" "$OUT"
expect_in "2 chains" "$OUT"
expect_exit 0 custody show PC-1 --ledger "$CENTRAL"
expect_in "moved to Kobe for wiping" "$OUT"
expect_in "from Station Osaka" "$OUT"
# each station's part under its chain (each chain has its own seq 1..n)
[ "$(grep -c '^station chain ' <<<"$OUT")" = 2 ] || fail "show: chains not named: $OUT"
expect_exit 0 custody log --ledger "$CENTRAL" --json
[ "$(jq '[.events[].chain] | unique | length' <<<"$OUT")" = 2 ] || fail "log --json chain: $OUT"
expect_exit 0 custody export --format csv --ledger "$CENTRAL" --station "Station Kobe"
[ "$(grep -c 'PC-' <<<"$OUT")" = 2 ] || fail "export --station Kobe: $OUT"
expect_exit 0 custody export --format csv --ledger "$CENTRAL" --owner 経理部
[ "$(grep -c 'PC-2' <<<"$OUT")" = 1 ] && ! grep -q 'PC-1' <<<"$OUT" || fail "export --owner: $OUT"
expect_exit 0 custody export --format json --ledger "$CENTRAL" --since 2000-01-01 --until 2000-12-31
[ "$(jq '.events | length' <<<"$OUT")" = 0 ] || fail "export --until"
today=$(date -u +%F)
expect_exit 0 custody export --format json --ledger "$CENTRAL" --since "$today" --until "$today"
n=$(jq '.events | length' <<<"$OUT")
# events dated just before midnight may fall on yesterday
[ "$n" = 8 ] || [ "$(date -u +%H%M)" -lt 0005 ] || fail "export today: $n"

# ---- the configuration file names the database (ledger = postgresql://...)
printf 'ledger = %s\n' "$CENTRAL" >"$WP_TMP/config"
expect_exit 0 env -u WIPEPROOF_LEDGER WIPEPROOF_CONFIG="$WP_TMP/config" "$WIPEPROOF" custody verify
expect_in "verifies: 8 events" "$OUT"

# ---- a libpq service name (PGSERVICEFILE, or ~/.pg_service.conf)
printf '[wp_central]\nhost=%s\ndbname=central\nuser=%s\n' "$WP_PG_SOCK" "$WP_PG_USER" >"$WP_TMP/services"
expect_exit 0 env PGSERVICEFILE="$WP_TMP/services" "$WIPEPROOF" custody verify --ledger service=wp_central
expect_in "verifies: 8 events" "$OUT"
# the password only from ~/.pgpass or PGPASSFILE: PGPASSWORD is refused too
expect_exit 1 env PGPASSWORD=secret "$WIPEPROOF" custody verify --ledger "$CENTRAL"
expect_in "unset PGPASSWORD" "$ERR"

# ---- a database administrator cuts a pushed chain's tail: the station's
# signed head kept from its last push finds it (no anchor needed)
wp_psql "$CENTRAL" "CREATE TABLE cut AS SELECT * FROM events WHERE kind = 'intake' AND asset = 'PC-2';
	DELETE FROM events WHERE kind = 'intake' AND asset = 'PC-2'" >/dev/null
expect_exit 4 custody verify --ledger "$CENTRAL"
expect_in "station's signed head, accepted at its last push, names seq 3" "$ERR"
wp_psql "$CENTRAL" "INSERT INTO events SELECT * FROM cut; DROP TABLE cut" >/dev/null
expect_exit 0 custody verify --ledger "$CENTRAL"

# ---- a database administrator edits a pushed row: found, chain and seq named
wp_psql "$CENTRAL" "UPDATE events SET body = replace(body, 'Somewhere', 'x'), asset = 'PC-9'
	WHERE kind = 'intake' AND asset = 'PC-2'" >/dev/null
expect_exit 4 custody verify --ledger "$CENTRAL"
expect_in "station chain" "$ERR"
expect_in "first bad event is seq 3" "$ERR"
echo "ok: stations push, refused truncation and fork, idempotent, organisation-wide audit"
