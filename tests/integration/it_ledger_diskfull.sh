#!/bin/bash
# The ledger's filesystem fills up while events are appended (a small
# tmpfs, made and unmounted by this test): the append that does not fit
# fails with a "disk full" message that says what to do, exits non-zero,
# and records nothing; every event acknowledged before it is still there,
# unchanged (anchor), no half event exists, the ledger verifies; after
# space is freed, appending works again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 CLI missing (scripts/deps installs it)"
small="$WP_TMP/small"
mkdir "$small"
mount -t tmpfs -o size=2m wp-test-ledger-full "$small" || fail "mount tmpfs $small"
WP_MOUNTS+=("$small")
export WIPEPROOF_LEDGER="$small/ledger.db"
wp_custody_people
A=PC-0900
custody intake --as "$OPERATOR" --asset $A --serial SN-900 --model M >/dev/null || fail intake

# Fill the filesystem, then give back a little, so that a handful of
# appends fit and the next one does not.
dd if=/dev/zero of="$small/filler" bs=4k status=none 2>/dev/null
[ "$(df --output=avail -k "$small" | tail -1)" -le 4 ] || fail "tmpfs not full"
truncate -s $(( $(stat -c %s "$small/filler") - 96 * 1024 )) "$small/filler"

ok=1 last=$(custody head) failed=no
for i in $(seq 1 200); do
	if custody note --as "$OPERATOR" --asset $A --text "note $i $(head -c 600 /dev/zero | tr '\0' x)" \
		>"$WP_TMP/out" 2>"$WP_TMP/err"; then
		ok=$((ok + 1))
		last=$(custody head) || fail "custody head after note $i"
	else
		rc=$?
		failed=yes
		break
	fi
done
[ "$failed" = yes ] || fail "200 notes fitted into 96 KiB: the disk never filled"
[ "$ok" -ge 2 ] || fail "not even one note fitted (ok=$ok)"
ERR=$(cat "$WP_TMP/err")
[ "${rc:-1}" -ne 0 ] || fail "the failed append exited 0"
expect_in "disk full" "$ERR"
expect_in "nothing was recorded" "$ERR"
expect_in "free space" "$ERR"
echo "ok: $ok events fitted, then: $ERR"

# Every acknowledged event is there, no more, none half-written.
count=$(sqlite3 "$WIPEPROOF_LEDGER" "SELECT count(*) FROM events") ||
	fail "sqlite3 cannot read the ledger"
[ "$count" -eq "$ok" ] || fail "ledger holds $count events, $ok were acknowledged"
expect_exit 0 custody verify --anchor "$last"
[ "$(custody head)" = "$last" ] || fail "head moved by the failed append"
[ "$(sqlite3 "$WIPEPROOF_LEDGER" "PRAGMA integrity_check")" = ok ] ||
	fail "integrity_check after disk full"
# and it keeps failing cleanly while the disk stays full
expect_exit 1 custody note --as "$OPERATOR" --asset $A --text "still full $(head -c 600 /dev/zero | tr '\0' y)"
expect_in "disk full" "$ERR"
expect_exit 0 custody verify --anchor "$last"

rm -f "$small/filler"
expect_exit 0 custody note --as "$OPERATOR" --asset $A --text "after freeing space"
expect_exit 0 custody verify --anchor "$last"
[ "$(sqlite3 "$WIPEPROOF_LEDGER" "SELECT count(*) FROM events")" -eq $((ok + 1)) ] ||
	fail "the append after freeing space is missing"
echo "ok: disk full loses nothing and records nothing; appends resume after freeing space"
