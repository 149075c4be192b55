#!/bin/bash
# SIGINT or SIGTERM in the middle of a wipe stops it cleanly: exit 5, and the report
# says "interrupted" with the pass and offset reached, never "sanitized".
. "$(dirname "$0")/lib.sh"

wp_make_loop dev $((1 << 30))
size=$(blockdev --getsize64 "$dev")

interrupt_with() { # SIGNAL
	local sig=$1 report="$WP_TMP/job-$1.json" fifo="$WP_TMP/progress-$1" pid rc first
	mkfifo "$fifo"
	wp_ours "$dev"
	"$WIPEPROOF" wipe "$dev" --confirm-serial "$(wp_serial "$dev")" --method dod3 \
		--chunk 64K --json --report "$report" >"$fifo" 2>"$WP_TMP/err" &
	pid=$!
	# the first progress line is printed after the first chunk: stop right then
	exec 3<"$fifo"
	read -r first <&3 || fail "no progress line"
	kill -"$sig" "$pid"
	cat <&3 >"$WP_TMP/rest"
	exec 3<&-
	wait "$pid"
	rc=$?
	[ "$rc" -eq 5 ] || fail "exit $rc after SIG$sig, expected 5: $(cat "$WP_TMP/err")"
	echo "$first" | jq -e '.event == "progress" and .phase == "write"' >/dev/null ||
		fail "progress line: $first"
	[ "$(jq -r .result "$report")" = interrupted ] || fail "SIG$sig: result $(jq -r .result "$report")"
	local offset pass
	offset=$(jq -r .stopped_at.offset "$report")
	pass=$(jq -r .stopped_at.pass "$report")
	[ "$offset" -gt 0 ] && [ "$offset" -lt "$size" ] || fail "stopped_at.offset $offset"
	[ "$pass" -ge 1 ] || fail "stopped_at.pass $pass"
	jq -e '.error | test("signal")' "$report" >/dev/null || fail "error does not say signal"
	# the last JSON line on stdout is the same report
	tail -n 1 "$WP_TMP/rest" | jq -e '.result == "interrupted"' >/dev/null || fail "stdout report"
	# an interrupted wipe cannot be "verified" later
	expect_exit 1 "$WIPEPROOF" verify "$dev" --report "$report"
	expect_in "incomplete" "$ERR"
	echo "ok: SIG$sig -> interrupted at pass $pass, byte $offset"
}

interrupt_with INT
interrupt_with TERM

# several disks: one signal stops every one of them, each with its report
wp_make_loop dev2 $((1 << 30))
for d in "$dev" "$dev2"; do wp_ours "$d"; done
mkdir "$WP_TMP/many" && mkfifo "$WP_TMP/progress-many"
"$WIPEPROOF" wipe "$dev" "$dev2" --method dod3 --chunk 64K --json --report-dir "$WP_TMP/many" \
	--confirm-serial "$(wp_serial "$dev")" --confirm-serial "$(wp_serial "$dev2")" \
	>"$WP_TMP/progress-many" 2>"$WP_TMP/err" &
pid=$!
exec 3<"$WP_TMP/progress-many"
read -r first <&3 || fail "no progress line from the two-disk wipe"
kill -TERM "$pid"
cat <&3 >/dev/null
exec 3<&-
wait "$pid"
rc=$?
[ "$rc" -eq 5 ] || fail "two-disk wipe: exit $rc after SIGTERM, expected 5: $(cat "$WP_TMP/err")"
[ "$(ls "$WP_TMP/many" | wc -l)" -eq 2 ] || fail "expected two reports: $(ls "$WP_TMP/many")"
for r in "$WP_TMP"/many/*.json; do
	[ "$(jq -r .result "$r")" = interrupted ] || fail "$r: $(jq -r .result "$r")"
done
echo "ok: SIGTERM stops both disks of a two-disk wipe"
echo "1 passed, 0 failed"
