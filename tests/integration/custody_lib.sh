# Shared by it_custody_*.sh and it_keys.sh (source after lib.sh): a key store
# with one person per role and a ledger, both inside $WP_TMP.

export WIPEPROOF_KEYS="$WP_TMP/keys" WIPEPROOF_LEDGER="$WP_TMP/ledger.db"
unset WIPEPROOF_AS

# WP_TEST_LEDGER_BACKEND=pg: the same tests against a PostgreSQL ledger in
# a throw-away cluster (pg_lib.sh; tests/integration/pg_suite.sh runs the
# custody suite so). Parts that edit the SQLite file itself call
# wp_sqlite_only, which skips them there.
WP_LEDGER_BACKEND=${WP_TEST_LEDGER_BACKEND:-sqlite}
if [ "$WP_LEDGER_BACKEND" = pg ]; then
	. "$(dirname "${BASH_SOURCE[0]}")/pg_lib.sh"
	wp_pg_start
	WIPEPROOF_LEDGER=$(wp_pg_createdb wp_custody)
	# reports of wipes with --asset: beside a file ledger, else here; and
	# the station's queue (issue 18) here, never in /var/lib/wipeproof
	export WIPEPROOF_LEDGER WIPEPROOF_REPORTS="$WP_TMP/reports" WIPEPROOF_QUEUE="$WP_TMP/queue.db"
fi

# wp_sqlite_only WHY: the rest of this test reads or edits the SQLite file
# directly; on another backend it ends here (passed so far).
wp_sqlite_only() {
	if [ "$WP_LEDGER_BACKEND" != sqlite ]; then
		echo "rest of $(basename "$0") is SQLite-only ($*): not run on $WP_LEDGER_BACKEND"
		exit 0
	fi
}
OPERATOR="鈴木 一郎"
OPERATOR2="田中 次郎"
APPROVER="山田 太郎"
APPROVER2="高橋 恵子"
WITNESS="佐藤 花子"
AUDITOR="伊藤 監査"

# wp_issue NAME TITLE ROLE [ARGS...]: a person with an unencrypted key.
wp_issue() {
	local name=$1 title=$2 role=$3
	shift 3
	"$WIPEPROOF" keys issue --name "$name" --title "$title" --role "$role" "$@" </dev/null \
		>/dev/null || fail "keys issue $name"
}

wp_custody_people() {
	"$WIPEPROOF" keys init-ca --org "株式会社テスト" --no-passphrase >/dev/null || fail "keys init-ca"
	wp_issue "$OPERATOR" "係員" operator --no-passphrase
	wp_issue "$OPERATOR2" "係員" operator --no-passphrase
	wp_issue "$APPROVER" "情報システム課長" approver --no-passphrase
	wp_issue "$APPROVER2" "総務部長" approver --no-passphrase
	wp_issue "$WITNESS" "総務課" witness --no-passphrase
	wp_issue "$AUDITOR" "内部監査室" auditor --no-passphrase
}

custody() {
	"$WIPEPROOF" custody "$@" </dev/null
}

# One bad event: exit 4 and the message names it.
expect_bad_seq() {
	local seq=$1
	shift
	expect_exit 4 custody verify "$@"
	expect_in "first bad event is seq $seq:" "$ERR"
}

# wp_ledger_sql LEDGER SQL: what an insider with write access to the
# storage could do (sqlite3 on the file, psql on the database).
wp_ledger_sql() {
	if [ "$WP_LEDGER_BACKEND" = pg ]; then
		wp_psql "$1" "$2" || fail "psql: $2"
	else
		sqlite3 "$1" "$2" || fail "sqlite3: $2"
	fi
}

# wp_ledger_copy NAME: a copy of $WIPEPROOF_LEDGER; prints the copy's --ledger.
wp_ledger_copy() {
	if [ "$WP_LEDGER_BACKEND" = pg ]; then
		wp_psql "$(wp_pg_uri postgres)" "CREATE DATABASE $1 TEMPLATE wp_custody" >/dev/null ||
			fail "copy the database"
		wp_pg_uri "$1"
	else
		sqlite3 "$WIPEPROOF_LEDGER" ".backup '$WP_TMP/$1.db'" || fail "copy the ledger"
		echo "$WP_TMP/$1.db"
	fi
}

# wp_ledger_restore COPY: $WIPEPROOF_LEDGER as it was when COPY was taken.
wp_ledger_restore() {
	if [ "$WP_LEDGER_BACKEND" = pg ]; then
		local name=${1#postgresql:///}
		name=${name%%\?*}
		wp_psql "$(wp_pg_uri postgres)" "DROP DATABASE wp_custody" >/dev/null &&
			wp_psql "$(wp_pg_uri postgres)" "CREATE DATABASE wp_custody TEMPLATE $name" >/dev/null ||
			fail "restore the database"
	else
		cp "$1" "$WIPEPROOF_LEDGER" || fail "restore the ledger"
		rm -f "$WIPEPROOF_LEDGER-wal" "$WIPEPROOF_LEDGER-shm"
	fi
}

# wp_wipe_held ASSET DEV TAG ACTION...: a wipe that, once its first progress
# line is out (wipe-start is recorded by then), is held (SIGSTOP) while
# ACTION runs, then let go; its stdout/stderr in $WP_TMP/TAG.{out,err},
# its exit code in WIPE_RC and its stderr in ERR (it_pg_queue.sh,
# it_pg_queue_cut.sh).
wp_wipe_held() {
	local asset=$1 dev=$2 tag=$3 pid first
	shift 3
	local fifo="$WP_TMP/$tag.fifo"
	mkfifo "$fifo"
	wp_ours "$dev"
	"$WIPEPROOF" wipe "$dev" --asset "$asset" --as "$OPERATOR" --confirm-serial "$(wp_serial "$dev")" \
		--method zero --chunk 64K --json >"$fifo" 2>"$WP_TMP/$tag.err" &
	pid=$!
	exec 3<"$fifo"
	read -r first <&3 || fail "$tag: no progress line: $(cat "$WP_TMP/$tag.err")"
	kill -STOP "$pid"
	"$@"
	kill -CONT "$pid"
	cat <&3 >"$WP_TMP/$tag.out"
	exec 3<&-
	wait "$pid"
	WIPE_RC=$?
	ERR=$(cat "$WP_TMP/$tag.err")
}
