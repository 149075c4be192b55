#!/bin/bash
# The server is only storage (issue 18): a row a database administrator
# edits, deletes or reorders on the PostgreSQL ledger is found by custody
# verify exactly as in the SQLite file (it_custody_tamper.sh), named by seq;
# and a view, rule or trigger in place of the tables is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
. "$(dirname "$0")/pg_lib.sh"
wp_custody_people
wp_pg_start
L=$(wp_pg_createdb org)
export WIPEPROOF_LEDGER=$L
A=PC-0100
custody intake --as "$OPERATOR" --asset $A --serial SN-100 --model M --owner 開発部 >/dev/null || fail intake
custody request --as "$OPERATOR" --asset $A >/dev/null || fail request
custody approve --as "$APPROVER" --asset $A --for destroy,release >/dev/null || fail approve
custody destroy --as "$OPERATOR" --asset $A --method crush --witness "$WITNESS" >/dev/null || fail destroy
custody release --as "$OPERATOR" --asset $A --to dispose >/dev/null || fail release
n=5
expect_exit 0 custody verify
anchor=$(custody head)
q() { wp_psql "$L" "$1" >/dev/null || fail "psql: $1"; }
q "CREATE SCHEMA bk; CREATE TABLE bk.events AS SELECT * FROM events;
   CREATE TABLE bk.signers AS SELECT * FROM signers"
restore() { q "DELETE FROM events; INSERT INTO events SELECT * FROM bk.events;
	       DELETE FROM signers; INSERT INTO signers SELECT * FROM bk.signers"; }

columns=$(wp_psql "$L" "SELECT column_name FROM information_schema.columns WHERE table_schema =
	'public' AND table_name = 'events' AND column_name <> 'chain' ORDER BY ordinal_position")
[ "$(wc -w <<<"$columns")" = 17 ] || fail "columns: $columns"
checked=0
for seq in $(seq 1 $n); do
	for col in $columns; do
		restore
		if [ "$col" = seq ]; then
			q "UPDATE events SET seq = seq + 1000 WHERE seq = $seq"
		elif [ "$(wp_psql "$L" "SELECT $col IS NULL FROM events WHERE seq = $seq")" = t ]; then
			q "UPDATE events SET $col = 'x' WHERE seq = $seq"
		else
			q "UPDATE events SET $col = substr($col, 1, length($col) - 1) ||
			   CASE WHEN right($col, 1) = '0' THEN '1' ELSE '0' END WHERE seq = $seq"
		fi
		expect_bad_seq "$seq"
		checked=$((checked + 1))
	done
done
echo "ok: $checked single-column changes found"

restore
q "DELETE FROM events WHERE seq = 3"
expect_bad_seq 3
expect_in "missing" "$ERR"
restore
# the tail cut: found only with an anchor, as in SQLite
q "DELETE FROM events WHERE seq >= 4"
expect_exit 0 custody verify
expect_bad_seq 4 --anchor "$anchor"
restore
# a signer's certificate replaced by another person's
q "UPDATE signers SET certificate = (SELECT certificate FROM signers WHERE fingerprint =
   (SELECT actor_fingerprint FROM events WHERE seq = 3)) WHERE fingerprint =
   (SELECT witness_fingerprint FROM events WHERE seq = 4)"
expect_bad_seq 4
expect_in "witness certificate" "$ERR"
restore
expect_exit 0 custody verify --anchor "$anchor"

# a trigger rewriting what is inserted, a rule: the schema is refused
q "CREATE FUNCTION bk.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
   CREATE TRIGGER t BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION bk.f()"
expect_exit 4 custody verify
expect_in "not the one wipeproof writes" "$ERR"
q "DROP TRIGGER t ON events"
expect_exit 0 custody verify
echo "ok: PostgreSQL tampering found"
