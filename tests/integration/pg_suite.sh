#!/bin/bash
# The custody integration tests once more, against a PostgreSQL ledger
# (WP_TEST_LEDGER_BACKEND=pg: each test starts its own throw-away cluster,
# tests/integration/pg_lib.sh). ctest runs it as it_custody_pg.
set -u
here=$(dirname "$0")
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
tests=(${WP_PG_SUITE:-it_custody_lifecycle it_custody_device it_custody_tamper it_signed_head
       it_cert_verify it_two_person it_identity_witness it_identity_people
       it_identity_attime it_revoke})
status=0
for t in "${tests[@]}"; do
	start=$SECONDS
	if WP_TEST_LEDGER_BACKEND=pg bash "$here/$t.sh" >"/tmp/wp-pg-suite-$$.log" 2>&1; then
		echo "pg: $t passed ($((SECONDS - start)) s)"
	else
		rc=$?
		echo "pg: $t FAILED (exit $rc)"
		tail -n 30 "/tmp/wp-pg-suite-$$.log"
		status=1
	fi
done
rm -f "/tmp/wp-pg-suite-$$.log"
exit $status
