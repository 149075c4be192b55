#!/bin/bash
# Optical media (R12, Co-Reg 3.3.2): a CD-R is never wiped or reused, only
# destroyed, and its certificate says "optical (CD-R)"; a CD-RW is blanked
# fully with the drive's tool, recorded, and reused — never certified as
# sanitized nor disposed of on the strength of a blank. (Detection of the
# disc in a drive from udev's properties: unit_test_media.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
wp_make_loop d1 $((1 << 20))
wp_fill_marker "$d1"
blocks1=$(wp_count_marker "$d1")

expect_exit 3 custody intake --as "$OPERATOR" --asset CD-0 --serial DISC-0 --model disc --media LaserDisc
expect_in "not an optical medium" "$ERR"
expect_exit 0 custody intake --as "$OPERATOR" --asset CD-1 --serial DISC-0001 \
	--model "CD-R 700MB" --media CD-R --maker Verbatim --owner 総務部
expect_exit 0 custody request --as "$OPERATOR" --asset CD-1
expect_exit 0 custody approve --as "$APPROVER" --asset CD-1 --for wipe,destroy,release
expect_exit 3 custody blanked --as "$OPERATOR" --asset CD-1
expect_in "only a rewritable disc" "$ERR"
# wipeproof's own blank refuses a write-once disc on the ledger's word,
# before the device is even opened
head_before=$(custody head)
expect_exit 3 custody blanked --as "$OPERATOR" --asset CD-1 --device "$d1"
expect_in "only a rewritable disc" "$ERR"
[ "$(custody head)" = "$head_before" ] || fail "a refused blank was recorded"
expect_exit 3 custody release --as "$OPERATOR" --asset CD-1 --to reuse
expect_in "may not be reused" "$ERR"
expect_exit 0 custody destroy --as "$OPERATOR" --asset CD-1 --method shred --witness "$WITNESS"
mkdir "$WP_TMP/c"
expect_exit 0 "$WIPEPROOF" cert issue --asset CD-1 --as "$OPERATOR" --output "$WP_TMP/c"
json=$(ls "$WP_TMP"/c/cert-*.json)
[ "$(jq -r .media.media_type "$json")" = "optical (CD-R)" ] || fail "media type: $(jq -c .media "$json")"
[ "$(jq -r .media.manufacturer "$json")" = Verbatim ] || fail "maker from the ledger"
pdftotext "${json%.json}.pdf" - | grep -q "optical (CD-R)" || fail "the PDF does not say optical (CD-R)"
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$APPROVER"
expect_exit 0 "$WIPEPROOF" cert verify "$json" --ca "$WIPEPROOF_KEYS/ca.pem" --ledger "$WIPEPROOF_LEDGER"
expect_in VALID "$OUT"
expect_exit 0 custody release --as "$OPERATOR" --asset CD-1 --to dispose

# a rewritable disc: blanked fully, then reused
expect_exit 0 custody intake --as "$OPERATOR" --asset CD-2 --serial DISC-0002 --model "CD-RW" \
	--media CD-RW
expect_exit 0 custody request --as "$OPERATOR" --asset CD-2
expect_exit 3 custody blanked --as "$OPERATOR" --asset CD-2
expect_in "no approval" "$ERR"
expect_exit 0 custody approve --as "$APPROVER" --asset CD-2
expect_exit 3 custody release --as "$OPERATOR" --asset CD-2 --to reuse
expect_in "neither a sanitized wipe" "$ERR"
expect_exit 3 custody blanked --as "$OPERATOR" --asset CD-2 --method fast
expect_in "table of contents" "$ERR"
# custody blanked --device: wipeproof blanks the disc itself (MMC BLANK,
# tests/conformance conf_optical_*), refusing what is not a disc in an
# optical drive before anything is sent, and recording nothing then
head_before=$(custody head)
expect_exit 3 custody blanked --as "$OPERATOR" --asset CD-2 --device "$d1"
expect_in "$d1 is not an optical drive (loop)" "$ERR"
expect_in "nothing was sent" "$ERR"
expect_exit 3 custody blanked --as "$OPERATOR" --asset CD-2 --device "$d1" --method fast
expect_in "table of contents" "$ERR"
expect_exit 3 custody blanked --as "$OPERATOR" --asset CD-2 --device "$d1" --tool xorriso
expect_in "with --device wipeproof blanks the disc" "$ERR"
expect_exit 3 custody blanked --as "$OPERATOR" --asset CD-2 --device "$WP_TMP/no-such-drive"
[ "$(custody head)" = "$head_before" ] || fail "a refused blank was recorded"
[ "$(wp_count_marker "$d1")" -eq "$blocks1" ] || fail "a refused blank wrote to $d1"
expect_exit 0 custody show CD-2 --json
[ "$(jq -r '.blanked // false' <<<"$OUT")" = false ] || fail "a refused blank counts"
# plan on an optical medium names the source and refuses: no category
expect_exit 3 "$WIPEPROOF" plan "$d1" --method optical-blank-full
expect_in "not possible on this device" "$ERR"
expect_exit 0 custody blanked --as "$OPERATOR" --asset CD-2 --tool "xorriso -blank=all"
expect_exit 0 custody show CD-2 --json
[ "$(jq -r .blanked <<<"$OUT")" = true ] || fail "blanked not in the state"
[ "$(jq -r .media <<<"$OUT")" = CD-RW ] || fail "media"
expect_exit 3 "$WIPEPROOF" cert issue --asset CD-2 --as "$OPERATOR" --output "$WP_TMP/c"
expect_exit 3 custody release --as "$OPERATOR" --asset CD-2 --to dispose
expect_in "released for reuse only" "$ERR"
expect_exit 0 custody release --as "$OPERATOR" --asset CD-2 --to reuse
expect_exit 0 custody verify
echo "ok: optical media"
