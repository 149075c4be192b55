#!/bin/bash
# Stations appending at once to one PostgreSQL ledger (issue 18): each
# append is one transaction holding the chain's head lock, so several
# processes never fork the chain or lose an event, and when only one of
# them may pass a rule (one approval per request) exactly one does and the
# refused ones leave nothing. Then the server is stopped and restarted in
# the middle of a run: appends fail cleanly while it is down, and every
# acknowledged event is there afterwards, the chain whole.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
. "$(dirname "$0")/pg_lib.sh"
wp_custody_people
wp_pg_start
L=$(wp_pg_createdb org)
export WIPEPROOF_LEDGER=$L
expect_exit 0 custody init --as "$APPROVER"

# ---- 6 writers × 8 intakes at once
W=6 N=8
for w in $(seq 1 $W); do
	(
		for i in $(seq 1 $N); do
			custody intake --as "$OPERATOR" --asset "W$w-$i" --serial "S$w-$i" --model M \
				>/dev/null 2>>"$WP_TMP/w$w.err" || echo "fail $w $i" >>"$WP_TMP/fails"
		done
	) &
done
wait
[ ! -s "$WP_TMP/fails" ] || fail "concurrent intakes failed: $(cat "$WP_TMP/fails") $(cat "$WP_TMP"/w*.err)"
total=$((1 + W * N))
expect_exit 0 custody verify
expect_in "verifies: $total events" "$OUT"
[ "$(wp_psql "$L" "SELECT count(DISTINCT seq) = count(*) AND min(seq) = 1 AND max(seq) = count(*)
	FROM events")" = t ] || fail "seq not 1..n without gaps"
[ "$(wp_psql "$L" "SELECT count(DISTINCT prev_hash) FROM events")" = "$total" ] || fail "a fork: two events on one prev_hash"
echo "ok: $W writers, $((W * N)) intakes, one chain"

# ---- a rule only one may pass: 6 approvers of one request at once
expect_exit 0 custody request --as "$OPERATOR" --asset W1-1
for w in $(seq 1 6); do
	who=$APPROVER
	[ $((w % 2)) = 0 ] && who=$APPROVER2
	custody approve --as "$who" --asset W1-1 --for wipe,release >"$WP_TMP/a$w.out" 2>"$WP_TMP/a$w.err" &
	pids[$w]=$!
done
ok=0 refused=0
for w in $(seq 1 6); do
	if wait "${pids[$w]}"; then ok=$((ok + 1)); else
		rc=$?
		[ $rc = 3 ] || fail "approve $w exited $rc: $(cat "$WP_TMP/a$w.err")"
		expect_in "already approved" "$(cat "$WP_TMP/a$w.err")"
		refused=$((refused + 1))
	fi
done
[ $ok = 1 ] && [ $refused = 5 ] || fail "approvals: $ok passed, $refused refused"
[ "$(wp_psql "$L" "SELECT count(*) FROM events WHERE kind = 'approve'")" = 1 ] || fail "refused approvals left rows"
expect_exit 0 custody verify
expect_in "verifies: $((total + 2)) events" "$OUT"
echo "ok: one approval passed, five refused and recorded nothing"

# ---- the server stopped and restarted mid-run
before=$(wp_psql "$L" "SELECT count(*) FROM events")
(
	for i in $(seq 1 40); do
		if custody note --as "$OPERATOR" --asset W2-1 --text "n$i" >/dev/null 2>"$WP_TMP/r.err"; then
			echo "$i" >>"$WP_TMP/acked"
		else
			grep -q "connect\|connection" "$WP_TMP/r.err" || cat "$WP_TMP/r.err" >>"$WP_TMP/odd"
			echo "$i" >>"$WP_TMP/refused"
		fi
		sleep 0.05
	done
) &
writer=$!
sleep 1
wp_pg_stop
sleep 2
wp_pg_start
wait $writer
[ ! -s "$WP_TMP/odd" ] || fail "unexpected errors while the server was down: $(cat "$WP_TMP/odd")"
acked=$(wc -l <"$WP_TMP/acked")
down=$(wc -l <"$WP_TMP/refused" 2>/dev/null || echo 0)
[ "$down" -gt 0 ] || fail "no append ran while the server was down (test too fast?)"
after=$(wp_psql "$L" "SELECT count(*) FROM events")
[ "$after" = $((before + acked)) ] || fail "events: $before + $acked acknowledged != $after"
for i in $(cat "$WP_TMP/acked"); do
	[ "$(wp_psql "$L" "SELECT count(*) FROM events WHERE body = '{\"text\":\"n$i\"}'")" = 1 ] ||
		fail "acknowledged note n$i missing"
done
expect_exit 0 custody verify
expect_in "verifies: $after events" "$OUT"
echo "ok: $acked appends acknowledged and kept, $down failed cleanly while the server was down"
