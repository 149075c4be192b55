#!/bin/sh
# No command's entry point is called by another command (issue 16): the
# entry points are the functions cli/options.c's tables name (commands[]
# and subs[]); outside options.c, which dispatches, each may appear only
# where it is defined. What two commands share lives in station/ or in a
# printing front end of cli/ (wipe_front.c, wp_cli_reread). ROOT is the
# source tree.
root=${1:?usage: commands_apart.sh SOURCE_DIR}
opts="$root/cli/options.c"
# every function the two tables point at: wp_ names inside their rows
names=$(awk '/^} commands\[\] = \{/,/^};/ { print } /^} subs\[\] = \{/,/^};/ { print }' "$opts" |
	grep -oE '\bwp_[a-z0-9_]+\b' | grep -vE '^wp_(cmdline|kopts)$|_usage$' | sort -u)
[ -n "$names" ] || { echo "commands_apart: found no entry points in $opts" >&2; exit 1; }
bad=0
for n in $names; do
	hits=$(grep -nE "\\b$n\\(" "$root"/cli/*.c "$root"/station/*.c "$root"/live/*.c 2>/dev/null |
		grep -v "^$opts:" | grep -vE ":(int|static int) $n\\(")
	if [ -n "$hits" ]; then
		echo "$n is a command's entry point (cli/options.c) and is called here:" >&2
		echo "$hits" >&2
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "ok: $(echo "$names" | wc -l) entry points, each called only by the dispatcher"
exit $bad
