#!/bin/bash
# Readers show only what verification checked (issue 22, item 1): a view
# in place of the events table, a trigger, and a row whose asset column is
# re-typed as a BLOB (verifies byte for byte, but "WHERE asset = ?" misses
# it) are refused by custody verify, show, log, export and cert verify
# --ledger, instead of being shown. Also: the ledger id in head, verify,
# exports and certificates.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 CLI missing (scripts/deps installs it)"
wp_custody_people
CA="$WIPEPROOF_KEYS/ca.pem"
A=PC-0200
custody intake --as "$OPERATOR" --asset $A --serial SN-200 --model M --owner 開発部 >/dev/null || fail intake
custody request --as "$OPERATOR" --asset $A >/dev/null || fail request
custody approve --as "$APPROVER" --asset $A --for wipe,destroy,release >/dev/null || fail approve
custody intake --as "$OPERATOR" --asset PC-0201 --serial SN-201 --model M >/dev/null || fail intake2
orig="$WP_TMP/orig.db"
sqlite3 "$WIPEPROOF_LEDGER" ".backup '$orig'" || fail "backup"
restore() { cp "$orig" "$WIPEPROOF_LEDGER"; rm -f "$WIPEPROOF_LEDGER-wal" "$WIPEPROOF_LEDGER-shm"; }
q() { sqlite3 "$WIPEPROOF_LEDGER" "$1" || fail "sqlite3: $1"; }

# the ledger id: 32 hex digits in the first event, shown by head, verify, exports
expect_exit 0 custody verify
[[ $OUT =~ ledger\ id\ ([0-9a-f]{32}) ]] || fail "verify shows no ledger id: $OUT"
id=${BASH_REMATCH[1]}
[ "$(sqlite3 "$orig" "SELECT json_extract(body, '$.ledger_id') FROM events WHERE seq = 1")" = "$id" ] ||
	fail "ledger id is not in the first event's body"
expect_exit 0 custody head
expect_in "ledger id $id" "$ERR"
[[ $OUT =~ ^[0-9a-f]{64}@4$ ]] || fail "head stdout is not only HASH@SEQ: $OUT"
expect_exit 0 custody head --json
[ "$(jq -r .ledger_id <<<"$OUT")" = "$id" ] || fail "head --json ledger_id: $OUT"
expect_exit 0 custody export --format json
[ "$(jq -r .ledger_id <<<"$OUT")" = "$id" ] || fail "export ledger_id"
expect_exit 0 custody export --format csv
expect_in "台帳ID ledger id" "$OUT"
expect_in "\"$id\"" "$OUT"

# 1. a view named events adding an unsigned destruction of $A
restore
q "ALTER TABLE events RENAME TO events_real;
   CREATE VIEW events AS SELECT * FROM events_real UNION ALL
   SELECT 99, '2026-01-01T00:00:00Z', 'destroyed', '$A', actor_name, actor_title, actor_role,
	  actor_fingerprint, '$WITNESS', 'x', 'witness', 'ab', '{\"method\":\"shred\"}',
	  hash, hash, signature, signature FROM events_real WHERE seq = 3;"
expect_exit 4 custody show $A
expect_in "schema is not the one wipeproof writes" "$ERR"
expect_in "view 'events'" "$ERR"
case "$OUT" in *destroyed*|*shred*) fail "show printed the forged destruction: $OUT" ;; esac
expect_exit 4 custody log --asset $A
case "$OUT" in *shred*) fail "log printed the forged row" ;; esac
expect_exit 4 custody export --format json
expect_exit 4 custody verify
expect_in "schema is not the one wipeproof writes" "$ERR"
expect_exit 4 custody note --as "$OPERATOR" --asset $A --text x
expect_in "schema is not the one wipeproof writes" "$ERR"

# 2. a trigger (runs SQL of the file's author when wipeproof writes)
restore
q "CREATE TRIGGER t AFTER INSERT ON events BEGIN DELETE FROM signers; END;"
expect_exit 4 custody note --as "$OPERATOR" --asset $A --text x
expect_in "trigger 't'" "$ERR"
expect_exit 4 custody show $A

# 3. one row's asset re-typed as a BLOB: the same bytes (the hash still
# matches), but invisible to "WHERE asset = ?"; the approval disappears
# from the asset's history and its state goes back to "requested"
restore
q "UPDATE events SET asset = CAST(asset AS BLOB) WHERE seq = 3"
[ "$(sqlite3 "$WIPEPROOF_LEDGER" "SELECT count(*) FROM events WHERE asset = '$A'")" = 2 ] ||
	fail "the BLOB trick does not hide the row from a query"
expect_bad_seq 3
expect_in "column asset" "$ERR"
expect_exit 4 custody show $A
case "$OUT" in *requested*) fail "show printed a state without the hidden row: $OUT" ;; esac
expect_exit 4 custody log --asset $A
expect_exit 4 custody export --format csv --output "$WP_TMP/x.csv"
[ ! -e "$WP_TMP/x.csv" ] || fail "an export of a ledger that does not verify was left behind"
expect_exit 4 custody note --as "$OPERATOR" --asset $A --text x
expect_in "another type than its column declares" "$ERR"

# 4. a certificate never recorded stays INVALID with the view trick adding
# its certificate event for the asset's query
restore
custody destroy --as "$OPERATOR" --asset $A --method crush --witness "$WITNESS" >/dev/null || fail destroy
sqlite3 "$WIPEPROOF_LEDGER" ".backup '$WP_TMP/before-cert.db'" || fail backup2
mkdir "$WP_TMP/c"
expect_exit 0 "$WIPEPROOF" cert issue --asset $A --as "$OPERATOR" --output "$WP_TMP/c"
json=$(ls "$WP_TMP"/c/cert-*.json)
[ "$(jq -r .ledger.id "$json")" = "$id" ] || fail "certificate carries no ledger id"
pdftotext "$WP_TMP"/c/cert-*.pdf - | grep -q "$id" || fail "PDF shows no ledger id"
# two-person certificates: VALID needs the validator's signature, made
# after the same verified-pass checks (cert validate)
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$APPROVER"
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
expect_in "ledger id: $id" "$OUT"
cp "$WP_TMP/before-cert.db" "$WIPEPROOF_LEDGER"; rm -f "$WIPEPROOF_LEDGER-wal" "$WIPEPROOF_LEDGER-shm"
expect_exit 4 "$WIPEPROOF" cert verify "$json" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
expect_in "no certificate event" "$OUT"
cid=$(jq -r .certificate_id "$json")
sha=$(sha256sum "$json" | cut -d' ' -f1)
q "ALTER TABLE events RENAME TO events_real;
   CREATE VIEW events AS SELECT * FROM events_real UNION ALL
   SELECT 99, time, 'certificate', asset, actor_name, actor_title, actor_role, actor_fingerprint,
	  NULL, NULL, NULL, NULL,
	  '{\"certificate_id\":\"$cid\",\"certificate_sha256\":\"$sha\"}', hash, hash, signature,
	  NULL FROM events_real WHERE seq = (SELECT max(seq) FROM events_real);"
expect_exit 4 "$WIPEPROOF" cert verify "$json" --ca "$CA" --ledger "$WIPEPROOF_LEDGER"
expect_in "INVALID" "$OUT"
# 5. an unsigned approval inserted into the real table (right types, no
# view): the wipe's asset check reads a verified pass, so the disk is not
# touched, and show prints nothing from the ledger
restore
wp_make_loop d1 $((8 << 20))
custody intake --as "$OPERATOR" --asset PC-0300 --device "$d1" >/dev/null || fail intake3
custody request --as "$OPERATOR" --asset PC-0300 >/dev/null || fail request3
q "INSERT INTO events SELECT seq + 1, time, 'approve', asset, actor_name, actor_title,
   actor_role, actor_fingerprint, NULL, NULL, NULL, NULL, '{}', hash, hash, signature, NULL
   FROM events WHERE seq = (SELECT max(seq) FROM events)"
wp_fill_marker "$d1"
before=$(wp_count_marker "$d1")
expect_exit 1 wp_wipe "$d1" --asset PC-0300 --as "$OPERATOR" --method zero
expect_in "does not verify" "$ERR"
[ "$(wp_count_marker "$d1")" = "$before" ] || fail "the disk was written on a forged approval"
expect_exit 4 custody show PC-0300
case "$OUT" in *approved*) fail "show printed the forged approval" ;; esac
# and no event is chained onto it: an append cross-checks the rows it reads
head=$(sqlite3 "$WIPEPROOF_LEDGER" "SELECT max(seq) FROM events")
expect_exit 4 custody note --as "$OPERATOR" --asset PC-0300 --text "after the forgery"
expect_in "first bad event is seq $head" "$ERR"
expect_in "nothing was recorded" "$ERR"
[ "$(sqlite3 "$WIPEPROOF_LEDGER" "SELECT max(seq) FROM events")" = "$head" ] ||
	fail "an event was chained onto the forged row"
echo "ok: ledger trust"
