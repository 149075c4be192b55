#!/bin/bash
# The README's demo: runs end to end and leaves nothing behind.
. "$(dirname "$0")/lib.sh"

before=$(losetup -a | grep -c wipeproof-demo)
expect_exit 0 "$WIPEPROOF" demo --size-mib 16
expect_in "0 block(s) remain" "$OUT"
expect_in "MATCH" "$OUT"
expect_in '"result": "sanitized"' "$OUT"
expect_in "Demo finished" "$OUT"
[ "$(losetup -a | grep -c wipeproof-demo)" -eq "$before" ] || fail "demo left a loop device attached"
dir=$(echo "$OUT" | sed -n 's/.*Virtual disk: \(\/tmp\/wipeproof-demo-[^/]*\)\/.*/\1/p')
[ -n "$dir" ] || fail "demo did not name its folder"
[ ! -e "$dir" ] || fail "demo left $dir behind"
echo "1 passed, 0 failed"
