#!/bin/sh
# The message template (wipeproof.pot) from the sources: every string a
# module or cli/ marks with _(), N_(), NC_() (text/wpi18n.h) or ngettext.
# usage: po/xgettext.sh SOURCE_DIR OUT.pot
# 'cmake --build build --target update-po' runs this and merges po/*.po.
set -e
src=${1:?usage: xgettext.sh SOURCE_DIR OUT.pot}
out=${2:?usage: xgettext.sh SOURCE_DIR OUT.pot}
cd "$src"
# the modules whose messages reach people, and the front end
files=$(ls cli/*.[ch] station/*.[ch] custody/*.[ch] certs/*.[ch] udev/*.[ch] \
	wipe/*.[ch] verify/*.[ch] text/*.[ch] render/*.[ch] | LC_ALL=C sort)
# --add-location=file: a reference names the file only, so moving a line
# does not rewrite the catalogue
exec xgettext --from-code=UTF-8 --language=C --add-location=file --sort-by-file --no-wrap \
	--keyword=_ --keyword=N_ --keyword=NC_:1c,2 --keyword=ngettext:1,2 \
	--add-comments=TRANSLATORS: --package-name=wipeproof \
	--msgid-bugs-address=wipeproof-maintainers -o "$out" $files
