#!/bin/bash
# The certificate as paper, for the longest realistic inputs (long Japanese
# names and titles, a long owner, location, contact and lease contract, a
# long model and serial, and the PC's DMI maker, model and serial as long as real ones): a wipe's and a destruction's certificate each fit
# one A4 page (pdfinfo), and what poppler reads off the page has the
# certificate id, the date in Japan time, the seal boxes, the QR code's
# caption, the page number and the size in decimal units; the QR code read
# off the rendered page (zbarimg) still verifies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_need_tools pdfinfo pdftotext pdftoppm zbarimg jq
LONG_OP="長谷川 久美子 (ハセガワ クミコ)"
LONG_AP="小比類巻 健一郎 (コヒルイマキ ケンイチロウ)"
LONG_WI="勅使河原 三郎 (テシガワラ サブロウ)"
TITLE="情報システム本部 IT資産管理部 端末管理課 主任"
"$WIPEPROOF" keys init-ca --org "株式会社サンプルホールディングス 東日本事業本部 (Sample Holdings East)" \
	--no-passphrase >/dev/null || fail "keys init-ca"
wp_issue "$LONG_OP" "$TITLE" operator --no-passphrase
wp_issue "$LONG_AP" "情報システム本部 IT資産管理部 部長 (情報セキュリティ管理者)" approver --no-passphrase
wp_issue "$LONG_WI" "総務本部 総務部 施設管理課 課長代理" witness --no-passphrase
export WIPEPROOF_LOCATION="東京都千代田区丸の内 1-2-3 サンプルビル 12F 情報システム部 データ消去作業室"
export WIPEPROOF_CONTACT="内線 1234-5678 / it-asset-management@sample-holdings.example.co.jp"
REPORTS="$WP_TMP/reports"

check_page() { # PDF WHAT
	local pdf=$1 what=$2 text
	[ "$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')" = 1 ] ||
		fail "$what: the certificate takes $(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}') pages, not one"
	text=$(pdftotext -layout "$pdf" - | tr -d ' ')
	for want in "$(jq -r .certificate_id "${pdf%.pdf}.json")" "(JST)" "年" "押印" "実施者" "確認者" \
		"承認者" "QRコード" "page1of1" "1/1ページ"; do
		grep -qF -- "$want" <<<"$text" || fail "$what: the page lacks '$want'"
	done
	# the JST date of the certificate's own end time, as a person writes it
	local ended jst
	ended=$(jq -r .sanitization.ended_utc "${pdf%.pdf}.json")
	jst=$(TZ=Asia/Tokyo date -d "$ended" '+%Y年%-m月%-d日%H:%M(JST)')
	grep -qF -- "$jst" <<<"$text" || fail "$what: no '$jst' for $ended"
}

# ---- a wipe --------------------------------------------------------------
wp_make_loop d1 $((16 << 20))
expect_exit 0 custody intake --as "$LONG_OP" --asset "PC-2026-TOKYO-000123" --device "$d1" \
	--owner "営業本部 東日本営業統括部 第二営業部 法人営業課 (Corporate Sales East)" \
	--lease-contract "LC-2026-000123-0042 (東京センチュリーリース 第三契約)" --lease-end 2026-12-31 \
	--reason lease-end --location "$WIPEPROOF_LOCATION" \
	--pc-manufacturer "FUJITSU CLIENT COMPUTING LIMITED" --pc-model "LIFEBOOK U9311X/F (FMVU3100AB)" \
	--pc-serial "R1X12345-0042-TOKYO" --kind pc --confidentiality 社外秘,機密性2
expect_exit 0 custody request --as "$LONG_OP" --asset "PC-2026-TOKYO-000123"
expect_exit 0 custody approve --as "$LONG_AP" --asset "PC-2026-TOKYO-000123"
expect_exit 0 wp_wipe "$d1" --asset "PC-2026-TOKYO-000123" --as "$LONG_OP"
json=$(ls "$REPORTS"/cert-*.json)
pdf=${json%.json}.pdf
check_page "$pdf" "wipe"
# decimal size as a drive label prints it
pdftotext -layout "$pdf" - | grep -q "16,777,216 bytes (16.8 MB / 16.0 MiB)" ||
	fail "the capacity is not in decimal and binary units"
pdftoppm -r 150 -png "$pdf" "$WP_TMP/page"
qr=$(zbarimg --quiet --raw "$WP_TMP"/page-1.png 2>/dev/null) || fail "zbarimg found no QR code on the page"
"$WIPEPROOF" keys export-trust --output "$WP_TMP/trust.pem" >/dev/null || fail "export-trust"
expect_exit 0 "$WIPEPROOF" cert verify --qr "$qr" --trust "$WP_TMP/trust.pem"

# ---- a destruction ---------------------------------------------------------
expect_exit 0 custody intake --as "$LONG_OP" --asset "HDD-2026-TOKYO-000124" \
	--serial "WD-WCC4N7XXXXXX-0123456789" --model "WDC WD40EFRX-68N32N0 Red Plus 4TB NAS Hard Drive" \
	--owner "経理本部 財務部 (Finance)" --reason disposal
expect_exit 0 custody request --as "$LONG_OP" --asset "HDD-2026-TOKYO-000124"
expect_exit 0 custody approve --as "$LONG_AP" --asset "HDD-2026-TOKYO-000124" --for destroy,release
expect_exit 0 custody destroy --as "$LONG_OP" --asset "HDD-2026-TOKYO-000124" --method shred \
	--witness "$LONG_WI"
mkdir -p "$WP_TMP/destroyed"
expect_exit 0 "$WIPEPROOF" cert issue --asset "HDD-2026-TOKYO-000124" --as "$LONG_OP" \
	--output "$WP_TMP/destroyed"
check_page "$(ls "$WP_TMP"/destroyed/cert-*.pdf)" "destruction"

# ---- the wiped PC, handed to a vendor who destroys it (issue 17): the
# vendor, its certificate's digest and the earlier wipe certificate too
V="株式会社東日本リサイクルテクノロジーセンター 首都圏第二処理工場 (East Japan Recycling Technology)"
expect_exit 0 custody approve --as "$LONG_AP" --asset "PC-2026-TOKYO-000123" --for transfer,release
expect_exit 0 custody transfer --as "$LONG_OP" --asset "PC-2026-TOKYO-000123" --vendor "$V"
printf 'certificate of destruction\n' > "$WP_TMP/産業廃棄物処理証明書_マニフェスト_2026-000123-0042_東日本リサイクル.pdf"
expect_exit 0 custody vendor-destroyed --as "$LONG_OP" --asset "PC-2026-TOKYO-000123" \
	--vendor-cert "$WP_TMP/産業廃棄物処理証明書_マニフェスト_2026-000123-0042_東日本リサイクル.pdf" \
	--date "$(date -u +%F)" --method "破砕 10 mm 以下 / shredded" \
	--received-by "$LONG_AP"
expect_exit 0 custody release --as "$LONG_OP" --asset "PC-2026-TOKYO-000123" --to dispose
mkdir -p "$WP_TMP/vendor"
expect_exit 0 "$WIPEPROOF" cert issue --asset "PC-2026-TOKYO-000123" --as "$LONG_OP" --output "$WP_TMP/vendor"
check_page "$(ls "$WP_TMP"/vendor/cert-*.pdf)" "vendor destruction"
echo "ok: certificate on paper"
