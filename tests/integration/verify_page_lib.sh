# What the tests of the auditors' page share (it_verify_page*.sh): headless
# Chromium with no network, and the page's verdict for a certificate or a
# QR code put in the URL fragment. Sourced after lib.sh.
CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || { echo "SKIP: chromium missing; run scripts/deps"; exit 77; }
wp_need_tools jq base64

browse() { # URL: the DOM after the page's checks ran
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$WP_TMP/chromium" --virtual-time-budget=20000 \
		--proxy-server=http://127.0.0.1:9 --dump-dom "$1" 2>"$WP_TMP/chromium.log"
}
b64url() { base64 -w0 "$1" | tr '+/' '-_' | tr -d '='; }
uri() { jq -rn --arg v "$1" '$v|@uri'; }
page_verdict() { # PAGE JSON P7S QR: sets PAGE_VERDICT (VALID|INVALID), PAGE_REASON, PAGE_DOM
	local frag="" dom
	[ -n "$2" ] && frag="json=$(b64url "$2")&p7s=$(b64url "$3")"
	# the validator's signature beside the issuer's, as cert verify finds it
	[ -n "$2" ] && [ -e "${3%.p7s}.validator.p7s" ] && frag="$frag&val=$(b64url "${3%.p7s}.validator.p7s")"
	[ -n "$4" ] && frag="$frag${frag:+&}qr=$(uri "$4")"
	dom=$(browse "file://$1#$frag")
	PAGE_DOM=$dom
	PAGE_REASON=$(sed -n 's/.*<p id="verdict"[^>]*>\([^<]*\)<.*/\1/p' <<<"$dom")
	PAGE_VERDICT=$(sed -n 's/.*<p id="verdict" data-verdict="\([A-Z]*\)".*/\1/p' <<<"$dom")
}
