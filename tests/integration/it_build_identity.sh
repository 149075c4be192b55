#!/bin/bash
# The build is named wherever a record is made: `version --json`, the job
# report, the certificate JSON, `cert verify`, `cert show` and the PDF all
# carry the version, the git commit and the SHA-256 of the executable, and
# that hash is the one `sha256sum` prints for the binary that ran (the
# oracle is coreutils, not wipeproof).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
wp_need_tools sha256sum pdftotext jq
exe_sha=$(sha256sum "$WIPEPROOF" | cut -d' ' -f1)

expect_exit 0 "$WIPEPROOF" version --json
[ "$(jq -r .sha256 <<<"$OUT")" = "$exe_sha" ] || fail "version --json sha256: $OUT"
[ "$(jq -r .name <<<"$OUT")" = wipeproof ] || fail "version --json name"
commit=$(jq -r .commit <<<"$OUT")
src=$(dirname "$(dirname "$(readlink -f "$0")")")
if git -C "$src" rev-parse HEAD >/dev/null 2>&1; then
	head=$(git -C "$src" rev-parse HEAD)
	# a build of edited files says so; the test may run on one
	[ "${commit%-dirty}" = "$head" ] || fail "the binary was built at $commit, but the tree is at $head: rebuild (scripts/build)"
else
	[ "$commit" = unknown ] || fail "no git here, yet commit $commit"
fi
expect_exit 0 "$WIPEPROOF" version
expect_in "executable SHA-256 $exe_sha" "$OUT"

wp_custody_people
REPORTS="$WP_TMP/reports"
wp_make_loop d1 $((8 << 20))
expect_exit 0 custody intake --as "$OPERATOR" --asset PC-9 --device "$d1" --reason lease-end
expect_exit 0 custody request --as "$OPERATOR" --asset PC-9
expect_exit 0 custody approve --as "$APPROVER" --asset PC-9
expect_exit 0 wp_wipe "$d1" --asset PC-9 --as "$OPERATOR"
json=$(ls "$REPORTS"/cert-*.json)
expect_exit 0 "$WIPEPROOF" cert validate "$json" --as "$APPROVER" # the second signature (two-person)
report=$(ls "$REPORTS"/*-*.json | grep -v /cert-)
[ "$(jq -r .tool.sha256 "$report")" = "$exe_sha" ] || fail "job report tool.sha256"
[ "$(jq -r .tool.commit "$report")" = "$commit" ] || fail "job report tool.commit"
[ "$(jq -r .sanitization.tool_sha256 "$json")" = "$exe_sha" ] || fail "certificate tool_sha256"
[ "$(jq -r .sanitization.tool_commit "$json")" = "$commit" ] || fail "certificate tool_commit"

expect_exit 0 "$WIPEPROOF" cert verify "$json"
expect_in "executable SHA-256 $exe_sha" "$OUT"
expect_in "commit $commit" "$OUT"
expect_exit 0 "$WIPEPROOF" cert show "$json"
expect_in "$exe_sha" "$OUT"
pdf=${json%.json}.pdf
pdftotext -layout "$pdf" - | tr -d ' \n' | grep -q "SHA-256$exe_sha" ||
	fail "the PDF does not show the executable's SHA-256"

echo "ok: build identity"
