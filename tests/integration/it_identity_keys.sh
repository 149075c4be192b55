#!/bin/bash
# Key custody (issue 22 item 10): an encrypted key uses scrypt (stock
# openssl's asn1parse names the KDF, and stock openssl opens the key), and an
# empty answer at the passphrase prompt is refused instead of storing the key
# unencrypted; --no-passphrase is the explicit way to do that.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
"$WIPEPROOF" keys init-ca --org "株式会社テスト" --no-passphrase >/dev/null || fail "keys init-ca"
K="$WIPEPROOF_KEYS"
fpr_of() { "$WIPEPROOF" keys list --json | jq -r --arg n "$1" '.people[] | select(.name == $n) | .fingerprint'; }

printf 'correct horse battery\n' >"$WP_TMP/pass"
chmod 600 "$WP_TMP/pass"
expect_exit 0 "$WIPEPROOF" keys issue --name "中村 暗号" --title 係員 --role operator \
	--passphrase-file "$WP_TMP/pass"
key="$K/people/$(fpr_of "中村 暗号").key"
openssl asn1parse -in "$key" >"$WP_TMP/asn1" || fail "asn1parse"
grep -q "OBJECT *:scrypt$" "$WP_TMP/asn1" || fail "the key is not scrypt-encrypted: $(grep OBJECT "$WP_TMP/asn1")"
grep -q "OBJECT *:aes-256-cbc$" "$WP_TMP/asn1" || fail "the key is not AES-256-CBC"
grep -q "PBKDF2" "$WP_TMP/asn1" && fail "PBKDF2 still used"
openssl pkey -in "$key" -passin "file:$WP_TMP/pass" -noout || fail "stock openssl cannot open the key"
expect_exit 0 custody intake --as "中村 暗号" --asset K-1 --serial S --model M --passphrase-file "$WP_TMP/pass"

# at a terminal: an empty passphrase, twice, is refused and leaves no key
tty_issue() { # tty_issue NAME ANSWER: keys issue on a pseudo-terminal, ANSWER typed at each prompt
	python3 - "$WIPEPROOF" "$K" "$1" "$2" <<'PY'
import os, pty, select, sys
exe, keys, name, answer = sys.argv[1:5]
pid, fd = pty.fork()
if pid == 0:
    os.execv(exe, [exe, "keys", "issue", "--keys", keys, "--name", name, "--title", "t",
                   "--role", "operator"])
out, asked = b"", 0
while True:
    r, _, _ = select.select([fd], [], [], 20)
    if not r:
        break
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    while out.count(b"assphrase") > asked:
        asked += 1
        os.write(fd, answer.encode() + b"\n")
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
}
expect_exit 2 tty_issue "空 欄" ""
expect_in "empty passphrase refused" "$OUT"
[ -z "$(fpr_of "空 欄")" ] || fail "a key was stored for an empty passphrase"
expect_exit 0 tty_issue "入 力" "typed at the terminal"
key="$K/people/$(fpr_of "入 力").key"
grep -q "ENCRYPTED PRIVATE KEY" "$key" || fail "the typed passphrase did not encrypt the key"
expect_exit 0 "$WIPEPROOF" keys issue --name "平 文" --title 係員 --role operator --no-passphrase
grep -q "ENCRYPTED" "$K/people/$(fpr_of "平 文").key" && fail "--no-passphrase encrypted"
echo "ok: scrypt keys, and no silent unencrypted key"
