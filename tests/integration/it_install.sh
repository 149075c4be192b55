#!/bin/bash
# `cmake --install BUILD --prefix DIR` puts the binary, the man page, the
# bash completion, the udev rules and the systemd unit where a distribution
# expects them; the man page renders without warnings and names every
# command the binary's usage lists.
. "$(dirname "$0")/lib.sh"
command -v man >/dev/null || { echo "SKIP: man (man-db) missing"; exit 77; }
build=$(dirname "$(dirname "$WIPEPROOF")")
[ -f "$build/cmake_install.cmake" ] || fail "$build is not the build folder of $WIPEPROOF"
prefix="$WP_TMP/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null || fail "cmake --install"
for f in sbin/wipeproof share/man/man8/wipeproof.8 share/bash-completion/completions/wipeproof \
	lib/udev/rules.d/60-wipeproof.rules lib/systemd/system/wipeproof-watch.service \
	share/locale/ja/LC_MESSAGES/wipeproof.mo; do
	[ -f "$prefix/$f" ] || fail "not installed: $f"
done
[ -x "$prefix/sbin/wipeproof" ] || fail "binary not executable"
grep -qx "ExecStart=$prefix/sbin/wipeproof watch --auto-wipe" \
	"$prefix/lib/systemd/system/wipeproof-watch.service" || fail "unit's ExecStart"
warn=$(MANWIDTH=80 man -l --warnings "$prefix/share/man/man8/wipeproof.8" 2>&1 >/dev/null)
[ -z "$warn" ] || fail "man page warnings: $warn"
page=$(MANWIDTH=80 man -l "$prefix/share/man/man8/wipeproof.8" 2>/dev/null)
# every command of `wipeproof help` has its paragraph
for c in $("$WIPEPROOF" help | sed -n '/^Commands:/,/^$/p' | awk '/^  [a-z]/ {print $1}'); do
	grep -q "^       $c\b" <<<"$page" || fail "man page lacks a paragraph for '$c'"
done
bash -c ". '$prefix/share/bash-completion/completions/wipeproof' && complete -p wipeproof" \
	>/dev/null || fail "bash completion does not load"
echo "ok: install"
