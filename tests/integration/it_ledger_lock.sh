#!/bin/bash
# Another process holds the ledger's write lock (the sqlite3 CLI inside
# BEGIN EXCLUSIVE): an append waits for it (WIPEPROOF_LEDGER_WAIT, default
# 60 s) and succeeds once it is released; with a wait shorter than the lock
# it fails with "locked by another process", exit 1, and records nothing.
# The ledger verifies afterwards, and a reader is never blocked; a reader
# who cannot apply the write-ahead log refuses rather than verify less.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 CLI missing (scripts/deps installs it)"
wp_custody_people
A=PC-0910
custody intake --as "$OPERATOR" --asset $A --serial SN-910 --model M >/dev/null || fail intake
count() { sqlite3 "$WIPEPROOF_LEDGER" "SELECT count(*) FROM events"; }

# hold SECONDS: take the write lock in the background and return once it
# is held; the holder ends by itself after SECONDS.
hold() {
	rm -f "$WP_TMP/held"
	{ echo "BEGIN EXCLUSIVE;"; echo "INSERT INTO meta VALUES('lock-test', 'x');";
	  echo ".output $WP_TMP/held"; echo "SELECT 'held';"; echo ".output stdout";
	  sleep "$1"; echo "ROLLBACK;"; } | sqlite3 "$WIPEPROOF_LEDGER" &
	HOLDER=$!
	for _ in $(seq 100); do grep -q held "$WP_TMP/held" 2>/dev/null && return 0; sleep 0.05; done
	fail "the sqlite3 holder did not get the lock"
}

# 1. default wait: the append waits for the 3 s lock and then succeeds
hold 3
start=$(date +%s%N)
expect_exit 0 custody note --as "$OPERATOR" --asset $A --text "waited"
waited=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$HOLDER"
[ "$waited" -ge 2000 ] || fail "the append did not wait for the lock (${waited} ms)"
[ "$(count)" -eq 2 ] || fail "the append after waiting is missing"
echo "ok: waited ${waited} ms for the lock, then appended"

# 2. a reader is not blocked by a writer's lock (WAL)
hold 3
expect_exit 0 custody verify
expect_exit 0 custody log --asset $A
# 3. a wait shorter than the lock: a clear failure, nothing recorded
before=$(custody head)
WIPEPROOF_LEDGER_WAIT=1 expect_exit 1 custody note --as "$OPERATOR" --asset $A --text "too soon"
expect_in "locked by another process" "$ERR"
expect_in "nothing was recorded" "$ERR"
expect_in "WIPEPROOF_LEDGER_WAIT" "$ERR"
wait "$HOLDER"
[ "$(custody head)" = "$before" ] || fail "the refused append changed the head"
[ "$(count)" -eq 2 ] || fail "the refused append left an event"
[ -z "$(sqlite3 "$WIPEPROOF_LEDGER" "SELECT value FROM meta WHERE key = 'lock-test'")" ] ||
	fail "the holder's rolled-back row is in the ledger"
expect_exit 0 custody verify --anchor "$before"

# 4. a bad wait is refused before anything is touched
WIPEPROOF_LEDGER_WAIT=soon expect_exit 1 custody note --as "$OPERATOR" --asset $A --text x
expect_in "WIPEPROOF_LEDGER_WAIT='soon'" "$ERR"
[ "$(count)" -eq 2 ] || fail "a refused WIPEPROOF_LEDGER_WAIT recorded something"

# 5. a reader without write access to the ledger's folder reads the main
# file as it is (immutable): with committed events still in the WAL (here
# a reader's open snapshot stops the checkpoint; a crash or a full disk
# does too) it must refuse, not verify a shorter ledger
rm -f "$WP_TMP/held"
{ echo "BEGIN;"; echo "SELECT count(*) FROM events;"; echo ".output $WP_TMP/held";
  echo "SELECT 'held';"; echo ".output stdout"; sleep 3; echo "COMMIT;"; } |
	sqlite3 "$WIPEPROOF_LEDGER" >/dev/null &
HOLDER=$!
for _ in $(seq 100); do grep -q held "$WP_TMP/held" 2>/dev/null && break; sleep 0.05; done
expect_exit 0 custody note --as "$OPERATOR" --asset $A --text "in the WAL 1"
expect_exit 0 custody note --as "$OPERATOR" --asset $A --text "in the WAL 2"
ro="$WP_TMP/ro"
mkdir "$ro"
cp "$WIPEPROOF_LEDGER" "$WIPEPROOF_LEDGER-wal" "$WIPEPROOF_KEYS/ca.pem" "$ro/" || fail "copy with WAL"
wait "$HOLDER"
[ -s "$ro/ledger.db-wal" ] || fail "no WAL to test with"
chmod 711 "$WP_TMP"
chmod 555 "$ro"
chmod 444 "$ro"/*
expect_exit 1 runuser -u nobody -- "$WIPEPROOF" custody verify --ledger "$ro/ledger.db" --ca "$ro/ca.pem"
expect_in "write-ahead log" "$ERR"
chmod 755 "$ro"
cp -r "$ro" "$WP_TMP/rw"
expect_exit 0 "$WIPEPROOF" custody verify --ledger "$WP_TMP/rw/ledger.db" --ca "$ro/ca.pem"
expect_in "verifies: 4 events" "$OUT"
echo "ok: a locked ledger is waited for, or refused clearly with nothing recorded"
