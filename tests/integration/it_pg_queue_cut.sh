#!/bin/bash
# The two narrow races of a station losing its PostgreSQL server (issue 18),
# which stopping the server cannot hit, made with a relay that cuts the
# station's connection exactly there (pg_cut.py):
#   1. the COMMIT of wipe-end reaches the server, which commits it, and the
#      answer is lost: the station cannot know, queues the event, and must
#      not end up with a second, differently signed wipe-end at that seq;
#   2. wipe-end is committed and answered, and the connection is cut before
#      the station's copy of the chain could follow: the next events are
#      queued, and must chain on wipe-end, not on the event before it;
#   3. the same after `verified`: the certificate is issued from the queue,
#      which must hold that `verified`.
# Either way the queued events are pushed when the server answers again, the
# central chain verifies and holds each event once, and nothing is refused
# as a fork.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
. "$(dirname "$0")/pg_lib.sh"
wp_need_tools jq sqlite3 python3
wp_custody_people
wp_pg_start
L=$(wp_pg_createdb org)                 # straight to the server: the test's own checks
RELAY="$WP_TMP/relay"
mkdir -p "$RELAY"
chmod 0755 "$RELAY"
ARM="$WP_TMP/arm"
RELAY_PID=""
relay_start() {
	if [ -n "$RELAY_PID" ]; then kill "$RELAY_PID"; wait "$RELAY_PID" 2>/dev/null; fi
	rm -f "$RELAY/.s.PGSQL.5432"
	python3 "$(dirname "$0")/pg_cut.py" "$RELAY" "$WP_PG_SOCK" "$1" "$ARM" &
	RELAY_PID=$!
	for _ in $(seq 50); do [ -S "$RELAY/.s.PGSQL.5432" ] && return; sleep 0.1; done
	fail "the relay did not start"
}
trap '[ -z "$RELAY_PID" ] || kill "$RELAY_PID" 2>/dev/null; wp_pg_cleanup; wp_cleanup' EXIT
relay_start commit
Q="$WP_TMP/queue.db"
export WIPEPROOF_LEDGER="postgresql:///org?host=$RELAY&user=$WP_PG_USER" WIPEPROOF_QUEUE=$Q \
	WIPEPROOF_REPORTS="$WP_TMP/reports"
expect_exit 0 custody init --as "$APPROVER" --no-approval-required

wp_make_loop d1 $((16 << 20))
wp_make_loop d2 $((16 << 20))
wp_make_loop d3 $((16 << 20))
for d in "$d1" "$d2" "$d3"; do wp_fill_marker "$d"; done
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-1 --device "$d1"
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-2 --device "$d2"
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-3 --device "$d3"

arm() { echo "$1" >"$ARM"; }
events() { wp_psql "$L" "SELECT count(*) FROM events"; }
central_ok() { # ASSET: the central chain verifies and holds the wipe's events once each
	expect_exit 0 custody verify --ledger "$L"
	expect_exit 0 custody show "$1" --ledger "$L" --json
	local kinds
	kinds=$(jq -r '[.events[].kind] | join(" ")' <<<"$OUT")
	[ "$kinds" = "intake wipe-start wipe-end verified certificate" ] || fail "central $1: $kinds"
	[ "$(wp_psql "$L" "SELECT count(*) FROM events WHERE asset = '$1' AND kind = 'wipe-end'")" = 1 ] ||
		fail "$1: wipe-end not recorded exactly once"
}

# cut_wipe ASSET DEV TAG LOST [SKIP]: a wipe whose connection the relay
# cuts once wipe-start is recorded, SKIP events later (default 0); LOST is
# the event the station says it was recording. The wipe completes and pushes its queued events itself when
# the server answers again: four events on the server, the wipe's once each.
cut_wipe() {
	local before
	before=$(events)
	wp_wipe_held "$1" "$2" "$3" arm "${5:-0}"
	[ ! -e "$ARM" ] || fail "$3: the relay never cut the connection"
	[ "$WIPE_RC" = 0 ] || fail "$3: the wipe exited $WIPE_RC: $ERR"
	expect_in "was lost while recording $4" "$ERR"
	expect_in "the ledger server is back" "$ERR"
	[ "$(wp_count_marker "$2")" -eq 0 ] || fail "marker left on $2"
	[ "$(events)" = "$((before + 4))" ] || fail "central events: $(events), expected $before + 4"
	central_ok "$1"
}

# ---- 1. wipe-end committed, its answer lost
cut_wipe PC-1 "$d1" w1 wipe-end
expect_exit 0 custody push --queue "$Q"
expect_in "already up to date" "$OUT"
echo "ok: wipe-end's COMMIT answer lost: the same signed event queued, pushed without a fork, recorded once"

# ---- 2. wipe-end committed and answered, the copy cut off before it could follow
relay_start after
cut_wipe PC-2 "$d2" w2 verified
expect_exit 0 custody verify --ledger "$Q"
echo "ok: copy cut off after wipe-end: the queue took the committed event first, pushed without a fork"

# ---- 3. verified committed and answered, the copy cut off: the certificate
# is issued from the queue, which took that verified first
cut_wipe PC-3 "$d3" w3 certificate 1
jq -e -s '[.[] | select(.event == "certificate")] | length == 1' "$WP_TMP/w3.out" >/dev/null ||
	fail "no certificate issued: $ERR"
echo "ok: copy cut off after verified: the certificate issued from the queue, pushed without a fork"
