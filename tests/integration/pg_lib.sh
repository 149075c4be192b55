# A throw-away PostgreSQL cluster for a test (source after lib.sh): initdb
# into a folder of its own, the server on a unix socket in that folder (no
# TCP port), stopped and removed on exit — also when the test fails.
# PostgreSQL refuses to run as root, so the cluster belongs to the
# `postgres` user (Debian's postgresql package creates it).
#
#   wp_pg_start            start it; sets WP_PG_DIR and WP_PG_SOCK
#   wp_pg_createdb NAME    a new database; prints its connection string
#   wp_pg_stop / wp_pg_restart   stop it (fast shutdown), start it again
#   wp_psql URI SQL        run SQL as the cluster's superuser

WP_PG_BIN=${WP_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$WP_PG_BIN/initdb" ] || fail "PostgreSQL server binaries missing (scripts/deps installs postgresql)"
id postgres >/dev/null 2>&1 || fail "no postgres user (the postgresql package creates it)"
WP_PG_DIR=""
WP_PG_USER=wipeproof_test

wp_pg() {
	runuser -u postgres -- "$@"
}

wp_pg_start() {
	if [ -z "$WP_PG_DIR" ]; then
		WP_PG_DIR=$(mktemp -d /tmp/wp-pg-XXXXXX)
		chown postgres: "$WP_PG_DIR"
		chmod 0755 "$WP_PG_DIR"
		wp_pg "$WP_PG_BIN/initdb" -D "$WP_PG_DIR/data" -U "$WP_PG_USER" -A trust -E UTF8 \
			--locale=C.UTF-8 >"$WP_PG_DIR/initdb.log" 2>&1 ||
			fail "initdb: $(tail -n 5 "$WP_PG_DIR/initdb.log")"
	fi
	WP_PG_SOCK=$WP_PG_DIR
	wp_pg "$WP_PG_BIN/pg_ctl" -D "$WP_PG_DIR/data" -l "$WP_PG_DIR/server.log" -w -t 60 \
		-o "-c listen_addresses='' -c unix_socket_directories='$WP_PG_DIR' -c fsync=off" \
		start >/dev/null || fail "pg_ctl start: $(tail -n 5 "$WP_PG_DIR/server.log")"
}

wp_pg_stop() {
	[ -n "$WP_PG_DIR" ] && [ -f "$WP_PG_DIR/data/postmaster.pid" ] || return 0
	wp_pg "$WP_PG_BIN/pg_ctl" -D "$WP_PG_DIR/data" -m fast -w -t 60 stop >/dev/null
}

wp_pg_restart() {
	wp_pg_stop
	wp_pg_start
}

wp_pg_uri() {
	printf 'postgresql:///%s?host=%s&user=%s\n' "$1" "$WP_PG_SOCK" "$WP_PG_USER"
}

wp_psql() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 "$1" -c "$2"
}

wp_pg_createdb() {
	wp_psql "$(wp_pg_uri postgres)" "CREATE DATABASE $1" >/dev/null || fail "createdb $1"
	wp_pg_uri "$1"
}

wp_pg_cleanup() {
	wp_pg_stop 2>/dev/null
	[ -n "$WP_PG_DIR" ] && rm -rf "$WP_PG_DIR"
	WP_PG_DIR=""
}
trap 'wp_pg_cleanup; wp_cleanup' EXIT
