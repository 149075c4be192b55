#!/bin/bash
# Messages for people in Japanese under LANG=ja_JP.UTF-8 (po/ja.po,
# compiled into the build tree), English otherwise: `list`, the main usage,
# wipe's refusals and its summary. The ja_JP.UTF-8 locale is generated into this test's
# folder (LOCPATH), so the machine's locales are left alone.
. "$(dirname "$0")/lib.sh"
wp_ja_locale

wp_make_loop d $((8 << 20))
wp_ours "$d"

expect_exit 0 en "$WIPEPROOF" list
expect_in "FIRMWARE ERASE" "$OUT"
expect_in "wipeable" "$OUT"
expect_exit 0 ja "$WIPEPROOF" list
expect_in "ファームウェア消去" "$OUT"
expect_in "消去可能" "$OUT"
case "$OUT" in *"FIRMWARE ERASE"*) fail "English heading under ja_JP: $OUT" ;; esac
# JSON stays English for programs
expect_exit 0 ja "$WIPEPROOF" list --json
jq -e '.devices | length > 0' <<<"$OUT" >/dev/null || fail "list --json under ja_JP"

expect_exit 0 en "$WIPEPROOF" help
expect_in "Usage: wipeproof COMMAND" "$OUT"
expect_exit 0 ja "$WIPEPROOF" help
expect_in "使い方: wipeproof コマンド" "$OUT"

# refusals: a wrong serial, and a mounted disk
expect_exit 3 en "$WIPEPROOF" wipe "$d" --confirm-serial WRONG
expect_in "does not match its serial" "$ERR"
expect_exit 3 ja "$WIPEPROOF" wipe "$d" --confirm-serial WRONG
expect_in "がシリアル番号" "$ERR"
expect_in "一致しません" "$ERR"
# a wipe's own refusal (wipe_front.c), in both languages
expect_exit 2 en "$WIPEPROOF" wipe "$d" "$d" --confirm-serial "$(wp_serial "$d")" --confirm-serial "$(wp_serial "$d")"
expect_in "are the same disk; give each disk once" "$ERR"
expect_exit 2 ja "$WIPEPROOF" wipe "$d" "$d" --confirm-serial "$(wp_serial "$d")" --confirm-serial "$(wp_serial "$d")"
expect_in "は同じディスクです。各ディスクは 1 回だけ指定してください" "$ERR"
# the summary after a wipe, for the operator at the station
expect_exit 0 ja "$WIPEPROOF" wipe "$d" --confirm-serial "$(wp_serial "$d")" --method zero \
	--report "$WP_TMP/ja.json"
expect_in "  方式       zero (1 パス)" "$OUT"
expect_in "  検証       full:" "$OUT"
expect_in "不一致 0 ブロック" "$OUT"
expect_in "  報告書     $WP_TMP/ja.json" "$OUT"
expect_exit 0 en "$WIPEPROOF" wipe "$d" --confirm-serial "$(wp_serial "$d")" --method zero \
	--report "$WP_TMP/en.json"
expect_in "  method     zero (1 pass)" "$OUT"
expect_in "0 mismatched block(s)" "$OUT"
mkfs.ext4 -q -F "$d" || fail "mkfs.ext4"
mnt=$(mktemp -d "$WP_TMP/mnt-XXXXXX")
mount "$d" "$mnt" || fail "mount"
WP_MOUNTS+=("$mnt")
expect_exit 3 en "$WIPEPROOF" wipe "$d" --confirm-serial WRONG
expect_in "refusing to wipe $d:" "$ERR"
expect_exit 3 ja "$WIPEPROOF" wipe "$d" --confirm-serial WRONG
expect_in "$d の消去を拒否しました" "$ERR"
expect_in "マウント中のファイルシステムあり (mounted):" "$ERR"
expect_exit 3 en "$WIPEPROOF" wipe "$d" --confirm-serial WRONG
expect_in "  mounted: $d has a mounted filesystem" "$ERR"
expect_exit 0 ja "$WIPEPROOF" list
expect_in "保護: マウント中のファイルシステムあり (mounted):" "$OUT"

# gettext everywhere in cli/ (issue 16): errors, usage texts, table headers
# and prompts of the other commands, under LANG and under LANGUAGE alone
expect_exit 2 en "$WIPEPROOF" bogus
expect_in "unknown command 'bogus'" "$ERR"
expect_exit 2 ja "$WIPEPROOF" bogus
expect_in "不明なコマンド 'bogus' です" "$ERR"
expect_exit 2 env LANGUAGE=ja LANG=C.UTF-8 "$WIPEPROOF" bogus
expect_in "不明なコマンド 'bogus' です" "$ERR"
expect_exit 2 ja "$WIPEPROOF" plan
expect_in "'plan' にはデバイスが必要です" "$ERR"
expect_exit 2 ja "$WIPEPROOF" wipe "$d" --queue-depth 99
expect_in "--queue-depth '99' は 1 から 16 までの整数で指定してください" "$ERR"
expect_exit 0 ja "$WIPEPROOF" help wipe
expect_in "使い方: wipeproof wipe DEV..." "$OUT"
expect_in "終了ステータス:" "$OUT"
expect_exit 0 en "$WIPEPROOF" help wipe
expect_in "Exit status:" "$OUT"
expect_exit 0 ja "$WIPEPROOF" list
expect_in "デバイス" "$OUT"
expect_in "シリアル" "$OUT"
# the loop note: Japanese on the screen, English in JSON
expect_in "ループデバイス: ファームウェアコマンドは送らず" "$OUT"
expect_exit 0 ja "$WIPEPROOF" list --json
expect_in "a loop device: no firmware command" "$OUT"
expect_exit 0 ja "$WIPEPROOF" plan "$d"
expect_in "  方式       " "$OUT"
expect_in "  理由       " "$OUT"
expect_exit 2 ja "$WIPEPROOF" custody bogus
expect_in "'custody' の不明なサブコマンド 'bogus' です" "$ERR"
expect_exit 0 ja "$WIPEPROOF" help keys
expect_in "組織の CA と、管理台帳のイベントに署名する人々" "$OUT"
echo "ok: Japanese and English messages"
