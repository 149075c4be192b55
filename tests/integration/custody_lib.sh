# Shared by it_custody_*.sh and it_keys.sh (source after lib.sh): a key store
# with one person per role and a ledger, both inside $WP_TMP.

export WIPEPROOF_KEYS="$WP_TMP/keys" WIPEPROOF_LEDGER="$WP_TMP/ledger.db"
unset WIPEPROOF_AS
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
