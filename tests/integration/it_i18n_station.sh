#!/bin/bash
# Messages station/ and the custody rules build reach the operator in
# Japanese under LANG=ja_JP.UTF-8 (issue 16: translated where they are built,
# text/wpi18n.h), while what programs and auditors read stays English: the
# job report, the ledger's event bodies, and every message of a command run
# with --json. A class below its minimum NIST level (classes.c), a missing
# approval and a destruction without a witness (rules.c), a refused wipe
# (station/events.c), a protected disk's reason (udev/guard.c).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_ja_locale
wp_need_tools jq
# kana: a Japanese sentence, not a Japanese name or class someone typed
no_kana() {
	if grep -qP '[\x{3041}-\x{3096}\x{30A1}-\x{30FA}]' <<<"$2"; then
		fail "$1 holds Japanese text: $2"
	fi
}

wp_custody_people
wp_make_loop d1 $((16 << 20))
wp_make_loop d2 $((16 << 20))
for d in "$d1" "$d2"; do wp_fill_marker "$d"; done
s1=$(wp_serial "$d1"); s2=$(wp_serial "$d2")
blocks1=$(wp_count_marker "$d1")
expect_exit 0 "$WIPEPROOF" plan "$d1" --json
[ "$(jq -r .nist_category <<<"$OUT")" = Clear ] || fail "the test expects a loop device to reach Clear"

# ---- the class rule (custody/classes.c) through plan, in both languages
expect_exit 3 en "$WIPEPROOF" plan "$d1" --confidentiality 機密性3
expect_in "holds information of class 機密性3, and the policy requires at least NIST purge" "$ERR"
expect_exit 3 ja "$WIPEPROOF" plan "$d1" --confidentiality 機密性3
expect_in "この媒体 には機密区分 機密性3 の情報が記録されています" "$ERR"
expect_in "方針では機密区分 機密性3 に NIST purge 以上を求めています" "$ERR"
expect_in "この方式で達成できるのは Clear です" "$ERR"
no_kana "plan --json's refusal under ja_JP" "$(ja "$WIPEPROOF" plan "$d1" --json \
	--confidentiality 機密性3 2>&1 >/dev/null)"
expect_exit 3 ja "$WIPEPROOF" plan "$d1" --json --confidentiality 機密性3
expect_in "holds information of class 機密性3" "$ERR"

# udev/discover.c: a path that is no disk
expect_exit 2 ja "$WIPEPROOF" plan /dev/wp-no-such-disk
expect_in "/dev/wp-no-such-disk は存在しません。\`wipeproof list\` でディスクを確認してください" "$ERR"
expect_exit 2 en "$WIPEPROOF" plan /dev/wp-no-such-disk
expect_in "/dev/wp-no-such-disk does not exist" "$ERR"

# ---- the ledger: a class-3 disk approved for wiping; a class-2 one without approval
expect_exit 0 custody init --as "$APPROVER" --policy default
expect_exit 0 custody intake --as "$OPERATOR" --asset HDD-1 --device "$d1" --kind hdd \
	--confidentiality 機密性3 --reason disposal
expect_exit 0 custody request --as "$OPERATOR" --asset HDD-1
expect_exit 0 custody approve --as "$APPROVER" --asset HDD-1 --for wipe,destroy,release
expect_exit 0 custody intake --as "$OPERATOR" --asset USB-1 --device "$d2" --kind usb \
	--confidentiality 機密性1 --reason reuse
head_before=$(custody head)

# a wipe below the class's minimum: refused by station/ with the rule's text
wp_ours "$d1"
expect_exit 3 ja "$WIPEPROOF" wipe "$d1" --asset HDD-1 --as "$OPERATOR" --confirm-serial "$s1"
expect_in "$d1 を資産 HDD-1 として消去することを拒否しました" "$ERR"
expect_in "資産 HDD-1 には機密区分 機密性3 の情報が記録されています" "$ERR"
case "$ERR" in *"holds information"*) fail "English rule text under ja_JP: $ERR" ;; esac
[ "$(wp_count_marker "$d1")" -eq "$blocks1" ] || fail "a refused wipe wrote to the disk"
[ "$(custody head)" = "$head_before" ] || fail "a refused wipe was recorded"
expect_exit 3 en "$WIPEPROOF" wipe "$d1" --asset HDD-1 --as "$OPERATOR" --confirm-serial "$s1"
expect_in "refusing to wipe $d1 as asset HDD-1: asset HDD-1 holds information of class 機密性3" "$ERR"

# station/custody.c: a destruction without a witness (before the rules)
expect_exit 2 ja custody destroy --as "$OPERATOR" --asset HDD-1 --method shred
expect_in "--witness PERSON が必要です: 立ち会い、ともに署名する 2 人目 (R8)" "$ERR"
expect_exit 2 en custody destroy --as "$OPERATOR" --asset HDD-1 --method shred
expect_in "needs --witness PERSON: a second person who witnesses and signs (R8)" "$ERR"
# custody/rules.c: a destruction without approval, and one the requester approves
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-1 --serial PC1-SERIAL --model "PC 1" \
	--kind pc --confidentiality 機密性2 --reason disposal
expect_exit 3 ja custody destroy --as "$OPERATOR" --asset PC-1 --method shred --witness "$APPROVER"
expect_in "資産 PC-1 には" "$ERR"
expect_in "承認がありません" "$ERR"
expect_exit 0 custody request --as "$APPROVER" --asset PC-1
expect_exit 3 ja custody approve --as "$APPROVER" --asset PC-1
expect_in "$APPROVER は PC-1 の廃棄を申請したため、承認はできません" "$ERR"
head_before=$(custody head)

# ---- a wipe under ja_JP: the operator's summary in Japanese, its records in English
wp_ours "$d2"
expect_exit 0 ja "$WIPEPROOF" wipe "$d2" --asset USB-1 --as "$OPERATOR" --confirm-serial "$s2" \
	--method zero --report "$WP_TMP/usb-1.json"
expect_in "  方式       zero (1 パス)" "$OUT"
[ "$(wp_count_marker "$d2")" -eq 0 ] || fail "marker left on the USB stick"
[ "$(jq -r .result "$WP_TMP/usb-1.json")" = sanitized ] || fail "the report's result"
no_kana "the job report written under ja_JP" "$(jq -c 'del(.device.model)' "$WP_TMP/usb-1.json")"
expect_exit 0 custody log --asset USB-1 --json
no_kana "the ledger bodies recorded under ja_JP" "$(jq -c '[.events[] | select(.kind != "intake") | .body]' <<<"$OUT")"
[ "$(jq -r '[.events[] | select(.kind == "wipe-end")][0].body.result' <<<"$OUT")" = sanitized ] ||
	fail "wipe-end result: $OUT"

# ---- a protected disk: the guard's reason under the Japanese headline; English in JSON
mkfs.ext4 -q -F "$d2" || fail "mkfs.ext4"
mnt=$(mktemp -d "$WP_TMP/mnt-XXXXXX")
mount "$d2" "$mnt" || fail "mount"
WP_MOUNTS+=("$mnt")
expect_exit 3 ja "$WIPEPROOF" wipe "$d2" --confirm-serial "$s2"
expect_in "マウント中のファイルシステムあり (mounted): $d2 にマウント中のファイルシステムがあります" "$ERR"
expect_in "先にアンマウントしてください (umount $mnt)" "$ERR"
expect_exit 0 ja "$WIPEPROOF" list --json
[ "$(jq -r --arg d "$d2" '.devices[] | select(.path == $d) | .protect_reasons[0].text' <<<"$OUT")" = \
	"$d2 has a mounted filesystem: $d2 on $mnt; unmount it first (umount $mnt)" ] ||
	fail "list --json's reason under ja_JP: $(jq -c --arg d "$d2" '.devices[] | select(.path == $d)' <<<"$OUT")"
echo "ok: station/ and custody rule messages in Japanese; reports, ledger and JSON in English"
