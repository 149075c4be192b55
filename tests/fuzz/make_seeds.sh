#!/bin/bash
# Regenerate the seed corpus of tests/fuzz/seeds/ from real artefacts: a
# job report of a wipe of a small loop device, the certificate issued for
# it (document, signature, QR text), a config file, and the ledger's events
# in fuzz_ledger's input form. Needs root (a loop device, made and removed
# by tests/integration/lib.sh) and a built binary:
#   WIPEPROOF=build/cli/wipeproof bash tests/fuzz/make_seeds.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seeds="$here/seeds"
. "$here/../integration/lib.sh"
. "$here/../integration/custody_lib.sh"
set -e
wp_custody_people
wp_make_loop d $((8 << 20))
custody intake --as "$OPERATOR" --asset PC-SEED --device "$d" --reason disposal --owner 開発部 >/dev/null
custody request --as "$OPERATOR" --asset PC-SEED >/dev/null
custody approve --as "$APPROVER" --asset PC-SEED >/dev/null
wp_wipe "$d" --asset PC-SEED --as "$OPERATOR" --method zero >/dev/null
custody intake --as "$OPERATOR" --asset PC-GONE --serial SN-1 --model "HDD 1" >/dev/null
custody request --as "$OPERATOR" --asset PC-GONE >/dev/null
custody approve --as "$APPROVER" --asset PC-GONE >/dev/null
custody destroy --as "$OPERATOR" --asset PC-GONE --method shred --witness "$WITNESS" >/dev/null
custody release --as "$OPERATOR" --asset PC-GONE --to dispose >/dev/null

json=$(ls "$WP_TMP"/reports/cert-*.json | head -1)
cp "$(ls "$WP_TMP"/reports/job-*.json "$WP_TMP"/reports/*.json 2>/dev/null | grep -v cert- | head -1)" \
	"$seeds/report-1"
cp "$json" "$seeds/certdoc-2"
cp "$json.p7s" "$seeds/p7s-1"
cp "$json.qr" "$seeds/qr-3"
printf '# station defaults\norganisation = 株式会社テスト\nlocation = 本社 3F\ncontact = 内線 1234\nledger = /var/lib/wipeproof/ledger.db\nkeys = /etc/wipeproof/keys\noperator = 鈴木 一郎\nmethod = random\nverify = sample\n' \
	>"$seeds/config-1"
printf 'verify = full\nmethod = zero\n\n  # comment\nlocation=x\n' >"$seeds/config-2"

# fuzz_ledger: per event a byte for the kind (its index in fuzz_ledger.c's
# list), a byte for the actor's role (bit 7: witnessed), the body, a NUL
kinds=(policy intake request approve wipe-start wipe-end verified certificate destroyed transfer
       release note freespace)
roles=(operator approver witness auditor)
out="$seeds/ledger-1"
: >"$out"
while IFS=$'\x1f' read -r kind role wrole body; do
	k=0 r=0 w=0
	for i in "${!kinds[@]}"; do [ "${kinds[$i]}" = "$kind" ] && k=$i; done
	for i in "${!roles[@]}"; do [ "${roles[$i]}" = "$role" ] && r=$i; done
	for i in "${!roles[@]}"; do [ "${roles[$i]}" = "$wrole" ] && w=$((128 | i << 4)); done
	printf "\\$(printf '%03o' "$k")\\$(printf '%03o' $((r | w)))%s\\0" "$body" >>"$out"
done < <(sqlite3 -separator $'\x1f' "$WIPEPROOF_LEDGER" \
	"SELECT kind, actor_role, ifnull(witness_role, ''), body FROM events WHERE asset != '' ORDER BY seq")
# Regression seed: the SignedData's digest algorithm changed to an unknown
# OID (2.16.840.1.101.3.4.2.0). OpenSSL 3.0's CMS_verify leaked its content
# BIO on it; wp_cms_verify now refuses the shape before calling it.
sed -n '2,$p' "$seeds/p7s-1" | grep -v -- '-----END' | base64 -d >"$WP_TMP/p7s.der"
printf '\000' | dd of="$WP_TMP/p7s.der" bs=1 seek=40 conv=notrunc status=none
{ echo "-----BEGIN CMS-----"; base64 -w 64 "$WP_TMP/p7s.der"; echo "-----END CMS-----"; } \
	>"$seeds/p7s-2-unknown-digest"
# Regression seed (issue 22, item 11): a certificate event whose scope is a
# number, then null — rules.c passed the missing string to strcmp (SIGSEGV).
zeros=$(printf '0%.0s' $(seq 64))
printf '\001\000{"model":"M","serial":"S"}\000\007\000{"certificate_id":"c-1","certificate_sha256":"%s","scope":5}\000\007\000{"certificate_id":"c-2","certificate_sha256":"%s","scope":null}' \
	"$zeros" "$zeros" >"$seeds/ledger-2-scope-not-string"
echo "seeds written to $seeds"
