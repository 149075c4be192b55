#!/bin/bash
# Every change to the ledger file is found, and the message names the first
# bad seq: each column of each row changed in turn with the sqlite3 CLI, a
# row deleted, two rows swapped, a signer's certificate swapped, and the tail
# cut off (found only with --anchor).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 CLI missing (scripts/deps installs it)"
wp_custody_people
A=PC-0100
custody intake --as "$OPERATOR" --asset $A --serial SN-100 --model M --owner 開発部 >/dev/null || fail intake
custody request --as "$OPERATOR" --asset $A >/dev/null || fail request
custody approve --as "$APPROVER" --asset $A --for destroy,release >/dev/null || fail approve
custody destroy --as "$OPERATOR" --asset $A --method crush --witness "$WITNESS" >/dev/null || fail destroy
custody note --as "$WITNESS" --asset $A --text "立会い完了" >/dev/null || fail note
custody release --as "$OPERATOR" --asset $A --to dispose >/dev/null || fail release
custody intake --as "$OPERATOR" --asset PC-0101 --serial SN-101 --model M >/dev/null || fail intake2
n=7
expect_exit 0 custody verify
anchor=$(custody head)
wp_sqlite_only "edits the file with sqlite3; it_pg_tamper does the same on PostgreSQL"
orig="$WP_TMP/orig.db"
sqlite3 "$WIPEPROOF_LEDGER" ".backup '$orig'" || fail "backup"
restore() { cp "$orig" "$WIPEPROOF_LEDGER"; rm -f "$WIPEPROOF_LEDGER-wal" "$WIPEPROOF_LEDGER-shm"; }
q() { sqlite3 "$WIPEPROOF_LEDGER" "$1" || fail "sqlite3: $1"; }

columns=$(sqlite3 "$orig" "SELECT name FROM pragma_table_info('events') ORDER BY cid")
[ "$(wc -w <<<"$columns")" -ge 17 ] || fail "columns: $columns"
checked=0
for seq in $(seq 1 $n); do
	for col in $columns; do
		restore
		if [ "$col" = seq ]; then
			q "UPDATE events SET seq = seq + 1000 WHERE seq = $seq"
		elif [ "$(sqlite3 "$orig" "SELECT $col IS NULL FROM events WHERE seq = $seq")" = 1 ]; then
			q "UPDATE events SET $col = 'x' WHERE seq = $seq"
		else
			# the smallest change: the last character replaced
			q "UPDATE events SET $col = substr($col, 1, length($col) - 1) ||
			   CASE WHEN substr($col, -1) = '0' THEN '1' ELSE '0' END WHERE seq = $seq"
		fi
		expect_bad_seq "$seq"
		checked=$((checked + 1))
	done
	# a change that keeps the body valid JSON
	restore
	q "UPDATE events SET body = json_set(body, '$.tampered', 1) WHERE seq = $seq"
	expect_bad_seq "$seq"
	restore
	q "UPDATE events SET body = replace(replace(body, '\"M\"', '\"N\"'), 'crush', 'shred') WHERE seq = $seq"
	[ "$(sqlite3 "$WIPEPROOF_LEDGER" "SELECT body FROM events WHERE seq = $seq")" = \
	  "$(sqlite3 "$orig" "SELECT body FROM events WHERE seq = $seq")" ] || expect_bad_seq "$seq"
done
echo "ok: $checked single-column changes found"

restore
q "UPDATE events SET time = '2020-01-01T00:00:00Z' WHERE seq = 4"
expect_bad_seq 4
expect_in "hash does not match" "$ERR"

restore
q "DELETE FROM events WHERE seq = 3"
expect_bad_seq 3
expect_in "missing" "$ERR"

restore
q "UPDATE events SET seq = -4 WHERE seq = 4; UPDATE events SET seq = 4 WHERE seq = 5;
   UPDATE events SET seq = 5 WHERE seq = -4"
expect_bad_seq 4

restore
# a signer's certificate replaced by another person's
q "UPDATE signers SET certificate = (SELECT certificate FROM signers WHERE fingerprint =
   (SELECT actor_fingerprint FROM events WHERE seq = 3)) WHERE fingerprint =
   (SELECT witness_fingerprint FROM events WHERE seq = 4)"
expect_bad_seq 4
expect_in "witness certificate" "$ERR"

restore
q "DELETE FROM events WHERE seq >= 6"
expect_exit 0 custody verify
expect_bad_seq 6 --anchor "$anchor"
expect_in "the ledger ends at seq 5 but the anchor names seq 7" "$ERR"

restore
expect_exit 0 custody verify --anchor "$anchor"
expect_bad_seq 7 --anchor "$(printf '1%.0s' {1..64})@7"
expect_in "differs from the anchor" "$ERR"
expect_exit 2 custody verify --anchor "nonsense"
expect_exit 0 custody verify --json
[ "$(jq -r .ok <<<"$OUT")" = true ] || fail "verify --json ok"
restore
q "UPDATE events SET kind = 'note' WHERE seq = 2"
expect_exit 4 custody verify --json
[ "$(jq -r .bad_seq <<<"$OUT")" = 2 ] || fail "verify --json bad_seq: $OUT"
echo "ok: custody tampering found"
