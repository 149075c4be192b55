#!/bin/bash
# The witness confirms on their own terminal (issue 22 item 10): with
# `custody destroy --witness W --witness-tty /dev/pts/N` the witness's
# terminal (here a pseudo-terminal this test holds, as the witness's login
# would) shows what they are about to sign and reads their passphrase; the
# operator's session never sees it. A wrong or empty answer records nothing,
# and an unencrypted witness key is refused for it (the terminal would
# prove nothing).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_custody_people
printf 'witness secret\n' >"$WP_TMP/wpass"
chmod 600 "$WP_TMP/wpass"
expect_exit 0 "$WIPEPROOF" keys issue --name "証人 二郎" --title 総務課 --role witness \
	--passphrase-file "$WP_TMP/wpass"
for a in PC-1 PC-2; do
	expect_exit 0 custody intake --as "$OPERATOR" --asset $a --serial "S-$a" --model M
	expect_exit 0 custody request --as "$OPERATOR" --asset $a
	expect_exit 0 custody approve --as "$APPROVER" --asset $a --for destroy,release
done

# on_tty ANSWER ARGS...: run wipeproof ARGS with --witness-tty set to a
# pseudo-terminal where ANSWER is typed at the prompt; prints what that
# terminal showed, then the command's exit status
on_tty() {
	python3 - "$1" "$WIPEPROOF" "${@:2}" <<'PY'
import os, select, subprocess, sys
answer, argv = sys.argv[1], sys.argv[2:]
master, slave = os.openpty()
proc = subprocess.Popen(argv + ["--witness-tty", os.ttyname(slave)], stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
shown = b""
while proc.poll() is None:
    r, _, _ = select.select([master], [], [], 0.2)
    if r:
        shown += os.read(master, 4096)
        if b"(empty: refuse): " in shown and not shown.endswith(b"\n\n"):
            os.write(master, answer.encode() + b"\n")
            shown += b"\n\n"
out, err = proc.communicate()
sys.stdout.write(shown.decode(errors="replace"))
sys.stderr.write(err.decode(errors="replace"))
sys.exit(proc.returncode)
PY
}

expect_exit 1 on_tty "wrong" custody destroy --as "$OPERATOR" --asset PC-1 --method shred --witness "証人 二郎"
expect_in "wrong passphrase" "$ERR"
expect_exit 1 on_tty "" custody destroy --as "$OPERATOR" --asset PC-1 --method shred --witness "証人 二郎"
expect_in "no passphrase was typed" "$ERR"
expect_exit 0 on_tty "witness secret" custody destroy --as "$OPERATOR" --asset PC-1 --method shred \
	--witness "証人 二郎"
expect_in "証人 二郎, you are asked to witness and sign: destruction of asset PC-1 by method 'shred', recorded by $OPERATOR" "$OUT"
expect_exit 0 custody log --asset PC-1 --json
[ "$(jq -r '.events[-1].witness.name' <<<"$OUT")" = "証人 二郎" ] || fail "witness not recorded"
# the witness's key without a passphrase: the terminal would prove nothing
expect_exit 1 on_tty "x" custody destroy --as "$OPERATOR" --asset PC-2 --method shred --witness "$WITNESS"
expect_in "is not encrypted" "$ERR"
expect_exit 2 custody destroy --as "$OPERATOR" --asset PC-2 --method shred --witness "証人 二郎" \
	--witness-tty /dev/null --witness-passphrase-file "$WP_TMP/wpass"
expect_exit 1 custody destroy --as "$OPERATOR" --asset PC-2 --method shred --witness "証人 二郎" \
	--witness-tty /dev/null
expect_in "is not a terminal" "$ERR"
expect_exit 0 custody verify
echo "ok: the witness types their passphrase on their own terminal"
