#!/bin/sh
# Fails when a message the sources mark has no Japanese in po/ja.po, or
# only a fuzzy one, or when a translation's printf directives do not match
# its msgid (msgfmt --check on the merged catalogue, where every entry
# carries xgettext's c-format flag). ctest: lint_po_ja.
# usage: po/check.sh SOURCE_DIR [LANG]
src=${1:?usage: check.sh SOURCE_DIR [LANG]}
lang=${2:-ja}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
sh "$src/po/xgettext.sh" "$src" "$tmp/wipeproof.pot" || exit 1
msgmerge --quiet --no-fuzzy-matching -o "$tmp/$lang.po" "$src/po/$lang.po" \
	"$tmp/wipeproof.pot" || exit 1
bad=0
missing=$(msgattrib --untranslated --no-obsolete "$tmp/$lang.po" | grep -c '^msgid ')
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$tmp/$lang.po" | grep -c '^msgid ')
# each count includes the header entry when there is any output
[ "$missing" -gt 0 ] && missing=$((missing - 1))
[ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
if [ "$missing" -gt 0 ]; then
	echo "po/$lang.po: $missing marked message(s) without a translation:" >&2
	msgattrib --untranslated --no-obsolete --no-wrap "$tmp/$lang.po" |
		grep -E '^(#: |msgid )' | grep -v '^msgid ""$' >&2
	bad=1
fi
if [ "$fuzzy" -gt 0 ]; then
	echo "po/$lang.po: $fuzzy fuzzy translation(s) (changed msgid, or a format that does not match):" >&2
	msgattrib --only-fuzzy --no-obsolete --no-wrap "$tmp/$lang.po" |
		grep -E '^(#: |msgid )' | grep -v '^msgid ""$' >&2
	bad=1
fi
msgfmt --check --statistics -o /dev/null "$tmp/$lang.po" || bad=1
if [ $bad -eq 0 ]; then
	echo "ok: po/$lang.po translates every marked message (update: cmake --build build --target update-po)"
fi
exit $bad
