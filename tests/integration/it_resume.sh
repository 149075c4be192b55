#!/bin/bash
# wipeproof resume: a wipe killed outright (SIGKILL, as a crash or power
# loss would stop it) or stopped by SIGTERM continues from its last
# checkpoint, verifies, gets its certificate, and the ledger shows
# wipe-start, wipe-end (interrupted), wipe-resume, wipe-end (sanitized),
# verified, certificate. Refused: nothing to resume, a finished job, the
# disk replaced by another, a second resume while the first still runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
export WIPEPROOF_AS="$OPERATOR"
# a loop device is written in about a second a pass: checkpoint often
export WIPEPROOF_CHECKPOINT_SECONDS=0.2
custody init --as "$APPROVER" --no-approval-required >/dev/null || fail "custody init"

size=$((1 << 30))
wp_make_loop d1 $size
wp_make_loop d2 $size
wp_make_loop d3 $size
wp_make_loop other $((512 << 20))
for d in "$d1" "$d2" "$d3"; do wp_fill_marker "$d"; done
expect_exit 0 custody intake --asset PC-1 --device "$d1" --reason disposal
expect_exit 0 custody intake --asset PC-2 --device "$d2" --reason disposal
expect_exit 0 custody intake --asset PC-3 --device "$d3" --reason disposal

expect_exit 2 "$WIPEPROOF" resume
expect_in "no interrupted wipe" "$ERR"

# jobs_json: the jobs table as `resume --list --json` shows it
jobs_json() { "$WIPEPROOF" resume --list --json; }

# start_wipe DEV ASSET: a slow three-pass wipe in the background ($pid)
start_wipe() {
	wp_ours "$1"
	"$WIPEPROOF" wipe "$1" --confirm-serial "$(wp_serial "$1")" --asset "$2" --method dod3 \
		--chunk 64K >"$WP_TMP/wipe-$2.out" 2>"$WP_TMP/wipe-$2.err" &
	pid=$!
}

# wait_checkpoint ASSET: until the job has a checkpoint inside a pass
wait_checkpoint() {
	local i
	for i in $(seq 300); do
		jobs_json | jq -e --arg a "$1" '.jobs[] | select(.asset == $a and .offset > 0)' \
			>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || fail "$1: the wipe ended before a checkpoint: $(cat "$WP_TMP/wipe-$1.err")"
		sleep 0.1
	done
	fail "$1: no checkpoint within 30 s"
}

job_of() { jobs_json | jq -r --arg a "$1" '[.jobs[] | select(.asset == $a)][-1].job_id'; }
kinds_of() {
	custody log --asset "$1" --json | jq -r '[.events[] | .kind + (if .kind == "wipe-end"
		then "(" + .body.result + ")" else "" end)] | join(" ")'
}
want_kinds="intake wipe-start wipe-end(interrupted) wipe-resume wipe-end(sanitized) verified certificate"

# ---- SIGKILL mid-pass: the process dies without a word -------------------
start_wipe "$d1" PC-1
wait_checkpoint PC-1
kill -KILL "$pid"
wait "$pid" 2>/dev/null
job1=$(job_of PC-1)
ck=$(jobs_json | jq -c --arg j "$job1" '.jobs[] | select(.job_id == $j)')
[ "$(jq -r .state <<<"$ck")" = crashed ] || fail "after SIGKILL: $ck"
[ "$(jq -r .resumable <<<"$ck")" = true ] || fail "not resumable: $ck"
jq -e 'has("keys") | not' <<<"$ck" >/dev/null || fail "--list shows the keys"
expect_exit 0 custody show PC-1
expect_in "wiping" "$OUT"

expect_exit 0 "$WIPEPROOF" resume
expect_in "Resuming job $job1" "$OUT"
expect_in "sanitized" "$OUT"
[ "$(wp_count_marker "$d1")" -eq 0 ] || fail "marker left on $d1 after resume"
[ "$(kinds_of PC-1)" = "$want_kinds" ] || fail "PC-1 events: $(kinds_of PC-1)"
end1=$(custody log --asset PC-1 --json | jq -c '[.events[] | select(.kind == "wipe-end")][0].body')
[ "$(jq -r .cause <<<"$end1")" = crash ] || fail "first wipe-end: $end1"
report=$(custody log --asset PC-1 --json | jq -r '[.events[] | select(.kind == "wipe-end")][1].body.report')
[ "$(jq -r .job_id "$report")" = "$job1" ] || fail "resumed report names another job"
[ "$(jq -r '.interruptions | length' "$report")" -eq 1 ] || fail "interruptions: $(jq -c .interruptions "$report")"
[ "$(jq -r '.interruptions[0].cause' "$report")" = crash ] || fail "cause: $(jq -c .interruptions "$report")"
[ "$(jq -r '.interruptions[0].offset' "$report")" -gt 0 ] || fail "interruption offset"
[ "$(jq -r .result "$report")" = sanitized ] || fail "report result"
[ "$(jq -r '.passes | length' "$report")" -eq 3 ] || fail "passes in the report"
# the report's keys regenerate what is on the disk: verify reads it back
expect_exit 0 "$WIPEPROOF" verify "$d1" --report "$report"
cert=$(ls "$(dirname "$report")"/cert-*.json | head -n1)
[ -f "$cert" ] || fail "no certificate after the resume"
expect_exit 0 "$WIPEPROOF" cert validate "$cert" --as "$APPROVER" # the second signature (two-person)
expect_exit 0 "$WIPEPROOF" cert verify "$cert" --ledger "$WIPEPROOF_LEDGER" --device "$d1"
expect_in "VALID" "$OUT"
expect_exit 0 custody verify
[ "$(jobs_json | jq -r --arg j "$job1" '.jobs[] | select(.job_id == $j) | .state')" = done ] ||
	fail "job not done"
expect_exit 3 "$WIPEPROOF" resume "$job1"
expect_in "already done" "$ERR"
echo "ok: SIGKILL mid-pass, resumed, verified, certified"

# ---- SIGTERM: the wipe records its own interruption -----------------------
start_wipe "$d2" PC-2
wait_checkpoint PC-2
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 5 ] || fail "SIGTERM: exit $rc"
expect_exit 0 custody show PC-2
expect_in "wipe-interrupted" "$OUT"
[ "$(jobs_json | jq -r '.jobs[] | select(.asset == "PC-2") | .state')" = interrupted ] ||
	fail "PC-2 job state"
expect_exit 0 "$WIPEPROOF" resume "$(job_of PC-2)" --json
rep2=$(jq -c 'select(.format == "wipeproof-job-report")' <<<"$OUT")
[ "$(jq -r .result <<<"$rep2")" = sanitized ] || fail "PC-2 resume: $OUT"
[ "$(jq -r '.interruptions[0].cause' <<<"$rep2")" = signal ] || fail "PC-2 cause: $rep2"
jq -e 'select(.event == "certificate")' <<<"$OUT" >/dev/null || fail "PC-2: no certificate"
[ "$(wp_count_marker "$d2")" -eq 0 ] || fail "marker left on $d2"
[ "$(kinds_of PC-2)" = "$want_kinds" ] || fail "PC-2 events: $(kinds_of PC-2)"
echo "ok: SIGTERM, resumed"

# ---- refusals ---------------------------------------------------------------
start_wipe "$d3" PC-3
wait_checkpoint PC-3
kill -KILL "$pid"
wait "$pid" 2>/dev/null
job3=$(job_of PC-3)
head_before=$(custody head)
# another disk at the job's path, or named with --device: refused, nothing recorded
wp_ours "$other"
expect_exit 3 "$WIPEPROOF" resume "$job3" --device "$other"
expect_in "is not the disk of job $job3" "$ERR"
[ "$(custody head)" = "$head_before" ] || fail "a refused resume recorded something"
[ "$(jobs_json | jq -r --arg j "$job3" '.jobs[] | select(.job_id == $j) | .state')" = crashed ] ||
	fail "a refused resume changed the job"
# the first resume runs; a second one meanwhile is refused
"$WIPEPROOF" resume "$job3" >"$WP_TMP/r1.out" 2>"$WP_TMP/r1.err" &
r1=$!
for _ in $(seq 300); do
	[ "$(jobs_json | jq -r --arg j "$job3" '.jobs[] | select(.job_id == $j) | .state')" = running ] &&
		break
	sleep 0.1
done
expect_exit 3 "$WIPEPROOF" resume "$job3"
expect_in "being written right now" "$ERR"
wait "$r1" || fail "first resume: $(cat "$WP_TMP/r1.err")"
[ "$(kinds_of PC-3)" = "$want_kinds" ] || fail "PC-3 events: $(kinds_of PC-3)"
[ "$(wp_count_marker "$d3")" -eq 0 ] || fail "marker left on $d3"
expect_exit 0 custody verify
echo "ok: refusals (replaced disk, second resume, finished job)"
echo "1 passed, 0 failed"
