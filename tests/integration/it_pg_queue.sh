#!/bin/bash
# A station whose PostgreSQL ledger server goes away mid-wipe (issue 18):
# the wipe is not interrupted, its report and certificate are written, its
# events wait in the station's local queue (an SQLite copy of the online
# chain that verifies on its own), the operator is told, and `custody push
# --queue` sends them when the server is back — to a central chain that
# verifies and shows the asset's whole history; pushing again adds
# nothing. A server that comes back before the wipe ends gets the events
# from the wipe itself. A wipe that would start while the server is down
# is refused before anything is written.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
. "$(dirname "$0")/pg_lib.sh"
wp_need_tools jq sqlite3
wp_custody_people
wp_pg_start
L=$(wp_pg_createdb org)
Q="$WP_TMP/queue.db"
export WIPEPROOF_LEDGER=$L WIPEPROOF_QUEUE=$Q WIPEPROOF_REPORTS="$WP_TMP/reports"
CA="$WIPEPROOF_KEYS/ca.pem"
expect_exit 0 custody init --as "$APPROVER" --no-approval-required

wp_make_loop d1 $((32 << 20))
wp_make_loop d2 $((32 << 20))
wp_make_loop d3 $((16 << 20))
for d in "$d1" "$d2" "$d3"; do wp_fill_marker "$d"; done
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-1 --device "$d1" --owner 総務部
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-2 --device "$d2"
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-3 --device "$d3"

events() { wp_psql "$L" "SELECT count(*) FROM events"; }
qevents() { if [ -f "$Q" ]; then sqlite3 "$Q" "SELECT count(*) FROM events"; else echo 0; fi; }

# ---- 1. the server stops mid-wipe and stays down until the wipe is over
before=$(events)
wp_wipe_held PC-1 "$d1" w1 wp_pg_stop
[ "$WIPE_RC" = 0 ] || fail "wipe with the server gone exited $WIPE_RC: $ERR"
expect_in "was lost while recording wipe-end" "$ERR"
expect_in "kept in the station's queue $Q" "$ERR"
expect_in "NOT yet in the ledger server's chain" "$ERR"
expect_in "custody push --queue $Q" "$ERR"
[ "$(wp_count_marker "$d1")" -eq 0 ] || fail "marker left on $d1"
jq -e -s '[.[] | select(.result)] | last | .result == "sanitized"' "$WP_TMP/w1.out" >/dev/null ||
	fail "no sanitized job report on stdout: $(cat "$WP_TMP/w1.out")"
certjson=$(jq -r -s '[.[] | select(.event == "certificate")] | last | .certificate' "$WP_TMP/w1.out")
for f in "$certjson" "$certjson.p7s" "${certjson%.json}.pdf"; do
	[ -s "$f" ] || fail "certificate file $f not written: $(ls "$WP_TMP/reports")"
done
[ "$(ls "$WP_TMP"/reports/*.json | grep -vc /cert-)" = 1 ] || fail "job report not written: $(ls "$WP_TMP/reports")"
# the queue verifies on its own and holds the wipe's end, its check and its certificate
expect_exit 0 custody verify --ledger "$Q"
expect_exit 0 custody log --ledger "$Q" --asset PC-1 --json
kinds=$(jq -r '[.events[].kind] | join(" ")' <<<"$OUT")
[ "$kinds" = "intake wipe-start wipe-end verified certificate" ] || fail "queue's PC-1: $kinds"
echo "ok: server gone mid-wipe: wipe completed, report and certificate written, 3 events queued, queue verifies"

# ---- the server is back: not yet pushed, then pushed, then pushed again
wp_pg_start
[ "$(wp_psql "$L" "SELECT count(*) FROM events WHERE kind = 'wipe-end'")" = 0 ] ||
	fail "wipe-end on the server before the push"
# only the wipe-start, recorded before the server went
[ "$(events)" = "$((before + 1))" ] || fail "server events: $(events), expected $before + wipe-start"
expect_exit 0 custody push --queue "$Q"
expect_in "3 queued events pushed" "$OUT"
expect_exit 0 custody verify
expect_in "verifies: $((before + 4)) events" "$OUT"
expect_exit 0 custody show PC-1 --json
kinds=$(jq -r '[.events[].kind] | join(" ")' <<<"$OUT")
[ "$kinds" = "intake wipe-start wipe-end verified certificate" ] || fail "central PC-1: $kinds"
jq -e '.status == "verified"' <<<"$OUT" >/dev/null || fail "status: $(jq .status <<<"$OUT")"
expect_exit 0 "$WIPEPROOF" cert validate "$certjson" --as "$APPROVER" # the second signature (two-person)
expect_exit 0 "$WIPEPROOF" cert verify "$certjson" --ca "$CA" --ledger "$L"
expect_exit 0 custody push --queue "$Q"
expect_in "already up to date" "$OUT"
[ "$(events)" = "$((before + 4))" ] || fail "a second push added events"
echo "ok: pushed when the server was back: central verifies, full history, certificate checks, push again adds nothing"

# ---- 2. the server stops and is back before the wipe ends: the wipe pushes itself
bounce() { wp_pg_stop; wp_pg_start; }
before=$(events)
wp_wipe_held PC-2 "$d2" w2 bounce
[ "$WIPE_RC" = 0 ] || fail "wipe across a server restart exited $WIPE_RC: $ERR"
expect_in "was lost while recording wipe-end" "$ERR"
expect_in "the ledger server is back" "$ERR"
[ "$(events)" = "$((before + 4))" ] || fail "events after the automatic push: $(events), before $before"
expect_exit 0 custody verify
expect_exit 0 custody push --queue "$Q"
expect_in "already up to date" "$OUT"
echo "ok: server back before the wipe ended: queued events pushed by the wipe itself"

# ---- 3. the server already down when a wipe would start: refused, nothing written
blocks3=$(wp_count_marker "$d3")
qn=$(qevents)
wp_pg_stop
wp_ours "$d3"
expect_exit 1 "$WIPEPROOF" wipe "$d3" --asset PC-3 --as "$OPERATOR" --confirm-serial "$(wp_serial "$d3")"
expect_in "cannot connect to the ledger database" "$ERR"
expect_in "nothing was started or written" "$ERR"
[ "$(wp_count_marker "$d3")" -eq "$blocks3" ] || fail "disk written while the server was down"
[ "$(qevents)" = "$qn" ] || fail "events queued for a wipe that never started"
wp_pg_start
expect_exit 0 custody verify
echo "ok: server down at the start: refused before anything was written, nothing queued"

# ---- 4. queued events left by one wipe are pushed by the next command first
wp_make_loop d4 $((16 << 20))
wp_make_loop d5 $((16 << 20))
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-4 --device "$d4"
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-5 --device "$d5"
wp_wipe_held PC-3 "$d3" w3 wp_pg_stop
[ "$WIPE_RC" = 0 ] || fail "wipe of PC-3 exited $WIPE_RC: $ERR"
wp_pg_start
before=$(events)
wp_ours "$d4"
expect_exit 0 "$WIPEPROOF" wipe "$d4" --asset PC-4 --as "$OPERATOR" --confirm-serial "$(wp_serial "$d4")" --method zero
expect_in "3 events queued in $Q while the ledger server could not be reached were pushed" "$ERR"
[ "$(events)" = "$((before + 7))" ] || fail "events: $(events), expected $before + 3 queued + 4 of PC-4"
expect_exit 0 custody verify
expect_exit 0 custody show PC-3 --json
kinds=$(jq -r '[.events[].kind] | join(" ")' <<<"$OUT")
[ "$kinds" = "intake wipe-start wipe-end verified certificate" ] || fail "central PC-3: $kinds"
echo "ok: events queued by one wipe pushed by the next before its own"

# ---- 5. another station appended while this one was cut off: the queued
# events are not a continuation of the server's chain any more; refused by
# name, nothing written on the server, the queue kept (and verifying)
wp_wipe_held PC-5 "$d5" w5 wp_pg_stop
[ "$WIPE_RC" = 0 ] || fail "wipe of PC-5 exited $WIPE_RC: $ERR"
wp_pg_start
expect_exit 0 custody note --as "$OPERATOR2" --asset PC-2 --text "another station"
before=$(events)
expect_exit 3 custody push --queue "$Q"
expect_in "another station appended while this one was cut off" "$ERR"
[ "$(events)" = "$before" ] || fail "a refused push wrote events"
expect_exit 0 custody verify
expect_exit 0 custody verify --ledger "$Q"
# and a wipe is not started on top of it
wp_fill_marker "$d2"
wp_ours "$d2"
expect_exit 3 "$WIPEPROOF" wipe "$d2" --asset PC-2 --as "$OPERATOR" --confirm-serial "$(wp_serial "$d2")"
expect_in "station's queue $Q" "$ERR"
[ "$(wp_count_marker "$d2")" -gt 0 ] || fail "disk written over a queue that cannot be pushed"
echo "ok: a queue the server's chain moved past is refused by name, nothing written"
