#!/bin/bash
# Every input is checked before the first byte (issue 15, section 2): a
# table of bad values (invalid UTF-8, control characters, over-long values,
# blank tags, impossible dates, an over-budget chunk, unwritable report
# names, a serial already held by another tag, bad station settings) drives
# the argument parsers and the event builders. Each must end with exit 2 or
# 3 and leave the disk (SHA-256 of the loop device), the ledger (its head
# and event count) and the file system (no new ledger, no reports folder)
# exactly as they were. Then: a plain wipe keeps its job report by
# default, --no-report keeps none.
#
# Cases are checked one after another and every failure is listed before
# the test fails, so a run against an older binary shows each one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people

FAILED=0
soft_fail() {
	echo "FAIL: $*" >&2
	FAILED=$((FAILED + 1))
}

wp_make_loop d1 $((8 << 20))
wp_make_loop d2 $((8 << 20))
wp_fill_marker "$d1"
wp_fill_marker "$d2"
s1=$(wp_serial "$d1")
s2=$(wp_serial "$d2")
custody intake --as "$OPERATOR" --asset PC-1 --device "$d1" --reason disposal >/dev/null ||
	fail "intake PC-1"
custody request --as "$OPERATOR" --asset PC-1 >/dev/null || fail "request"
custody approve --as "$APPROVER" --asset PC-1 >/dev/null || fail "approve"

disk_sum() {
	wp_ours "$1"
	dd if="$1" bs=1M iflag=direct status=none | sha256sum | cut -d' ' -f1
}
ledger_state() {
	echo "$(custody head) $(custody log --json | jq '.events | length')"
}
files_state() {
	(cd "$WP_TMP" && find . -path ./keys -prune -o -print | grep -av '^\./\(out\|err\)$' | sort)
}

sum1=$(disk_sum "$d1")
sum2=$(disk_sum "$d2")
ledger0=$(ledger_state)
files0=$(files_state)

# case WANT NEEDLE CMD...: exit WANT (2 or 3), NEEDLE in stderr, and
# nothing changed anywhere.
case_n=0
check() {
	local want=$1 needle=$2 got
	shift 2
	case_n=$((case_n + 1))
	"$@" >"$WP_TMP/out" 2>"$WP_TMP/err" </dev/null
	got=$?
	local err
	err=$(cat "$WP_TMP/err")
	if [ "$got" -ne "$want" ]; then
		soft_fail "case $case_n: '$*' exited $got, expected $want; stderr: $err"
	elif [ -n "$needle" ] && [[ "$err" != *"$needle"* ]]; then
		soft_fail "case $case_n: '$*': expected '$needle' in: $err"
	fi
	[ "$(disk_sum "$d1")" = "$sum1" ] || { soft_fail "case $case_n: $d1 was written"; sum1=$(disk_sum "$d1"); }
	[ "$(disk_sum "$d2")" = "$sum2" ] || { soft_fail "case $case_n: $d2 was written"; sum2=$(disk_sum "$d2"); }
	local now
	now=$(ledger_state)
	[ "$now" = "$ledger0" ] || { soft_fail "case $case_n: '$*' changed the ledger ($ledger0 -> $now)"; ledger0=$now; }
	now=$(files_state)
	[ "$now" = "$files0" ] || { soft_fail "case $case_n: '$*' created files: $(diff <(echo "$files0") <(echo "$now") | grep '^>')"; files0=$now; }
}

FF=$'\xff\xfe'          # never UTF-8
CUT=$'\xe2\x82'         # a sequence cut short
CTL=$'a\x1b[31mred'     # an escape sequence
NL=$'two\nlines'
LONG=$(head -c 5000 /dev/zero | tr '\0' 'x')
HUGE=$(head -c 70000 /dev/zero | tr '\0' 'y')

# ---- custody: every recorded option, invalid UTF-8 and control characters
for opt in owner lease-contract location manager comment; do
	check 2 "--$opt" custody intake --as "$OPERATOR" --asset PC-$((case_n + 100)) --serial X9 --model M --"$opt" "$FF"
	check 2 "--$opt" custody intake --as "$OPERATOR" --asset PC-$((case_n + 100)) --serial X9 --model M --"$opt" "$CTL"
done
check 2 "--owner" custody intake --as "$OPERATOR" --asset PC-$((case_n + 100)) --serial X9 --model M --owner "$LONG"
check 2 "--asset" custody intake --as "$OPERATOR" --asset "$FF" --serial X9 --model M
check 2 "--asset" custody intake --as "$OPERATOR" --asset "$LONG" --serial X9 --model M
check 2 "--serial" custody intake --as "$OPERATOR" --asset PC-$((case_n + 100)) --serial "$CUT" --model M
check 2 "--model" custody intake --as "$OPERATOR" --asset PC-$((case_n + 100)) --serial X9 --model "$FF"
check 2 "--text" custody note --as "$OPERATOR" --asset PC-1 --text "$FF"
check 2 "--text" custody note --as "$OPERATOR" --asset PC-1 --text "$NL"
check 2 "--text" custody note --as "$OPERATOR" --asset PC-1 --text "$HUGE"
check 2 "--comment" custody request --as "$OPERATOR" --asset PC-1 --comment "$CUT"
check 2 "--location" "$WIPEPROOF" cert issue --as "$OPERATOR" --asset PC-1 --location "$FF"
check 2 "--contact" "$WIPEPROOF" cert issue --as "$OPERATOR" --asset PC-1 --contact "$CTL"
# keys: the subject of a certificate
check 2 "--name" "$WIPEPROOF" keys issue --name "$FF" --title t --role operator --no-passphrase
check 2 "--title" "$WIPEPROOF" keys issue --name "新 人" --title "$CTL" --role operator --no-passphrase
# blank tags and days not in the calendar
check 2 "blank" custody intake --as "$OPERATOR" --asset "   " --serial X9 --model M
check 2 "--asset" custody intake --as "$OPERATOR" --asset " PC-9" --serial X9 --model M
check 3 "not a date YYYY-MM-DD" custody intake --as "$OPERATOR" --asset PC-$((case_n + 100)) --serial X9 --model M --lease-end 2026-02-30
check 3 "not a date YYYY-MM-DD" custody intake --as "$OPERATOR" --asset PC-$((case_n + 100)) --serial X9 --model M --lease-end 2025-02-29
# one disk, one active tag (R15): the tag that holds it is named
check 3 "PC-1" custody intake --as "$OPERATOR" --asset PC-2 --device "$d1"
check 3 "PC-1" custody intake --as "$OPERATOR" --asset PC-3 --serial "$s1" --model M

# ---- wipe: the parser, before any disk is looked at
check 2 "--asset" "$WIPEPROOF" wipe "$d1" --asset "$FF" --as "$OPERATOR" --confirm-serial "$s1"
check 2 "blank" "$WIPEPROOF" wipe "$d1" --asset "   " --as "$OPERATOR" --confirm-serial "$s1"
check 2 "--as" "$WIPEPROOF" wipe "$d1" --asset PC-1 --as "$CUT" --confirm-serial "$s1"
check 2 "--report" "$WIPEPROOF" wipe "$d2" --report "$WP_TMP/$FF.json" --confirm-serial "$s2"
check 2 "--chunk" "$WIPEPROOF" wipe "$d2" --chunk 64M --confirm-serial "$s2"
check 2 "--chunk" "$WIPEPROOF" wipe "$d2" --chunk 32M --queue-depth 3 --confirm-serial "$s2"
check 2 "--chunk" "$WIPEPROOF" verify "$d2" --chunk 64M --report /dev/null
# the report and its temporary sibling are tried before the wipe
name255=$(head -c 250 /dev/zero | tr '\0' 'r').json   # 255 bytes: fits; its .tmp does not
check 2 "--report" "$WIPEPROOF" wipe "$d2" --report "$WP_TMP/$name255" --confirm-serial "$s2"
check 2 "--report" "$WIPEPROOF" wipe "$d2" --report "$WP_TMP/no/such/dir/r.json" --confirm-serial "$s2"
check 2 "--report" "$WIPEPROOF" wipe "$d2" --report "$WP_TMP/$(head -c 300 /dev/zero | tr '\0' 'q').json" \
	--confirm-serial "$s2"
# a plain wipe refused at the confirmation makes no report folder
check 3 "does not match" "$WIPEPROOF" wipe "$d2" --confirm-serial WRONG
# a serial too long for the ledger is refused by the custody rules
check 3 "longer than" custody intake --as "$OPERATOR" --asset PC-$((case_n + 100)) --serial "${LONG:0:200}" --model M
# a refused wipe --asset with a new ledger path creates neither a ledger
# nor a reports folder
check 3 "no custody ledger" "$WIPEPROOF" wipe "$d1" --asset PC-1 --as "$OPERATOR" \
	--ledger "$WP_TMP/new/ledger.db" --confirm-serial "$s1"
mkdir "$WP_TMP/new2"
files0=$(files_state)
check 3 "no custody ledger" "$WIPEPROOF" wipe "$d1" --asset PC-1 --as "$OPERATOR" \
	--ledger "$WP_TMP/new2/ledger.db" --confirm-serial "$s1"
check 3 "no custody ledger" custody note --as "$OPERATOR" --asset PC-1 --text hello \
	--ledger "$WP_TMP/new2/ledger.db"
check 3 "no custody ledger" "$WIPEPROOF" cert issue --as "$OPERATOR" --asset PC-1 \
	--ledger "$WP_TMP/new2/ledger.db"
# nothing to certify: no reports folder next to the ledger either
check 3 "no recorded destruction" "$WIPEPROOF" cert issue --as "$OPERATOR" --asset PC-1
check 3 "intake reason" custody intake --as "$OPERATOR" --asset PC-$((case_n + 100)) --serial X9 --model M \
	--reason bogus --ledger "$WP_TMP/new2/ledger.db"

# ---- station settings: refused before the wipe, and by config show
check 2 "WIPEPROOF_LOCATION" env WIPEPROOF_LOCATION="$FF" "$WIPEPROOF" wipe "$d1" --asset PC-1 \
	--as "$OPERATOR" --confirm-serial "$s1"
check 2 "WIPEPROOF_CONTACT" env WIPEPROOF_CONTACT="$CTL" "$WIPEPROOF" wipe "$d1" --asset PC-1 \
	--as "$OPERATOR" --confirm-serial "$s1"
check 2 "WIPEPROOF_LOCATION" env WIPEPROOF_LOCATION="$NL" "$WIPEPROOF" config show
printf 'location = %s\n' "$FF" > "$WP_TMP/bad.conf"
files0=$(files_state)
check 2 "location" env WIPEPROOF_CONFIG="$WP_TMP/bad.conf" "$WIPEPROOF" config show
check 2 "location" env WIPEPROOF_CONFIG="$WP_TMP/bad.conf" "$WIPEPROOF" wipe "$d1" --asset PC-1 \
	--as "$OPERATOR" --confirm-serial "$s1"
echo "$case_n refusal cases checked"

# ---- a plain wipe keeps its report by default
export WIPEPROOF_REPORTS="$WP_TMP/kept/reports"
wp_ours "$d2"
"$WIPEPROOF" wipe "$d2" --method zero --confirm-serial "$s2" >"$WP_TMP/out" 2>"$WP_TMP/err" ||
	soft_fail "plain wipe: $(cat "$WP_TMP/err")"
kept=$(ls "$WIPEPROOF_REPORTS"/*.json 2>/dev/null | head -1)
if [ -z "$kept" ]; then
	soft_fail "a plain wipe kept no job report in $WIPEPROOF_REPORTS"
else
	grep -q "report     $kept" "$WP_TMP/out" || soft_fail "the summary does not name $kept"
	[ "$(jq -r .device.serial "$kept")" = "$s2" ] || soft_fail "kept report is not of $d2"
	[ "$(stat -c %a "$WIPEPROOF_REPORTS")" = 700 ] || soft_fail "report folder not 0700"
	"$WIPEPROOF" verify "$d2" --report "$kept" >/dev/null 2>&1 ||
		soft_fail "verify with the kept report"
fi
rm -rf "$WP_TMP/kept"
# the folder from the configuration file (key `reports`)
printf 'reports = %s\n' "$WP_TMP/cfg-reports" > "$WP_TMP/reports.conf"
env -u WIPEPROOF_REPORTS WIPEPROOF_CONFIG="$WP_TMP/reports.conf" "$WIPEPROOF" wipe "$d2" \
	--method zero --confirm-serial "$s2" >"$WP_TMP/out" 2>&1 || soft_fail "wipe, reports from the config: $(cat "$WP_TMP/out")"
ls "$WP_TMP/cfg-reports/"*.json >/dev/null 2>&1 || soft_fail "no report in the configured folder"
env -u WIPEPROOF_REPORTS WIPEPROOF_CONFIG="$WP_TMP/reports.conf" "$WIPEPROOF" config show |
	grep -q "^reports .*$WP_TMP/cfg-reports" || soft_fail "config show does not list reports"
rm -rf "$WP_TMP/cfg-reports" "$WP_TMP/reports.conf"
"$WIPEPROOF" wipe "$d2" --method zero --no-report --confirm-serial "$s2" >"$WP_TMP/out" 2>&1 ||
	soft_fail "wipe --no-report: $(cat "$WP_TMP/out")"
[ ! -e "$WP_TMP/kept" ] || soft_fail "--no-report created $WP_TMP/kept"
sum2=$(disk_sum "$d2")
files0=$(files_state)
check 2 "--no-report" "$WIPEPROOF" wipe "$d2" --no-report --report "$WP_TMP/x.json" --confirm-serial "$s2"

[ "$FAILED" -eq 0 ] || fail "$FAILED case(s) failed"
echo "PASS: it_inputs"
