#!/bin/sh
# station/ never prints, exits, reads the environment or a global stop flag
# (station/README.md), and in cli/ only config.c reads the environment for a
# setting (issue 16); only cli/ sets the locale that translated messages
# use. ROOT is the source tree.
root=${1:?usage: station_pure.sh SOURCE_DIR}
bad=0
hits=$(grep -nE '\b(getenv|secure_getenv|printf|fprintf|vfprintf|puts|fputs|putchar|exit|_exit|abort)\(|\b(stdout|stderr|wp_stop_flag)\b' \
	"$root"/station/*.c "$root"/station/*.h | grep -vE '\b(snprintf|vsnprintf)\(' )
if [ -n "$hits" ]; then
	echo "station/ must not print, exit or read the environment or globals:" >&2
	echo "$hits" >&2
	bad=1
fi
# Messages are translated where they are built (text/wpi18n.h: dgettext in
# the domain wipeproof), in the locale the front end chose: no module sets a
# locale or a text domain, and none calls gettext outside the domain.
hits=$(grep -nE '\b(setlocale|uselocale|textdomain|bindtextdomain|bind_textdomain_codeset|gettext)\(' \
	"$root"/station/*.[ch] "$root"/custody/*.[ch] "$root"/certs/*.[ch] "$root"/udev/*.[ch] \
	"$root"/wipe/*.[ch] "$root"/verify/*.[ch] "$root"/text/*.[ch] "$root"/render/*.[ch])
if [ -n "$hits" ]; then
	echo "only cli/ chooses the locale and the text domain; modules mark messages with _() (text/wpi18n.h):" >&2
	echo "$hits" >&2
	bad=1
fi
hits=$(grep -nE '\bgetenv\(' "$root"/cli/*.c | grep -v '^'"$root"'/cli/config.c:')
if [ -n "$hits" ]; then
	echo "cli/ reads the environment only in config.c (wp_cli_config):" >&2
	echo "$hits" >&2
	bad=1
fi
[ $bad -eq 0 ] && echo "ok: station/ is pure; cli/ reads the environment in config.c only; only cli/ sets the locale"
exit $bad
