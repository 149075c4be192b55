#!/bin/bash
# Bringing a boot stick's results home (issue 19): the stick's ledger is an
# offline station's. The stick's data partition is built here the way
# live/README.md prepares it and filled by the commands live/wipeproof-live
# runs at the PC (intake with the lease row and the PC's identity, wipe
# --report-dir on the stick, cert verify, custody verify), on a FAT loop
# device with loop "internal disks" — two runs on two PCs. At the office:
# the stick's files verify with no key; the office's station key for this
# stick (it never travels on the stick) signs its head, and `custody
# import` merges it into the office's PostgreSQL ledger; the second run's
# import adds only the new events; a stick whose ledger was cut back or
# replaced by an older copy is refused with the reason. An office on SQLite
# keeps the stick's head signed and checks the next visit against it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/custody_lib.sh"
. "$(dirname "$0")/pg_lib.sh"

# ---- the office (the CA machine): people and the stick's station key
OFFICE_KEYS="$WP_TMP/office-keys"
export WIPEPROOF_KEYS="$OFFICE_KEYS"
"$WIPEPROOF" keys init-ca --org "株式会社テスト" --no-passphrase >/dev/null || fail "keys init-ca"
wp_issue "$OPERATOR" "係員" operator --no-passphrase
wp_issue "$APPROVER" "情報システム課長" approver --no-passphrase
wp_issue "USB Stick 01" "リース返却用" station --no-passphrase

# ---- the stick's data partition: FAT32 on a loop device of ours
wp_make_loop stickdev $((64 << 20))
wp_ours "$stickdev"
STICK="$WP_TMP/stick"
mkdir -p "$STICK"
# FAT32 as on the stick; a kernel without vfat (some CI containers) gets
# ext4, which changes nothing that is tested here
if grep -qw vfat /proc/filesystems || modprobe vfat 2>/dev/null; then
	mkfs.vfat -F 32 -n WPDATA "$stickdev" >/dev/null || fail "mkfs.vfat"
	mount -t vfat "$stickdev" "$STICK" || fail "mount the stick"
else
	echo "note: no vfat in this kernel; the stick's data partition is ext4 here"
	mkfs.ext4 -q -L WPDATA "$stickdev" || fail "mkfs.ext4"
	mount -t ext4 "$stickdev" "$STICK" || fail "mount the stick"
fi
WP_MOUNTS+=("$STICK")
DIR="$STICK/wipeproof"
mkdir -p "$DIR/keys" "$DIR/reports" "$DIR/runs"
# only the CA certificate, the people's certificates and the operator's key
# travel (live/README.md, Preparing a stick): not the CA's, the approver's
# or the station's key
cp "$OFFICE_KEYS/ca.pem" "$DIR/keys/"
mkdir -p "$DIR/keys/people"
cp "$OFFICE_KEYS"/people/*.pem "$DIR/keys/people/"
op_fpr=$("$WIPEPROOF" keys list --json 2>/dev/null |
	jq -r --arg n "$OPERATOR" '.people[]? // .[]? | select(.name == $n) | .fingerprint' | head -n 1)
[ -n "$op_fpr" ] || op_fpr=$(grep -l "$OPERATOR" "$OFFICE_KEYS"/people/*.pem | head -n 1 | xargs basename | sed 's/\.pem$//')
cp "$OFFICE_KEYS/people/$op_fpr".key "$DIR/keys/people/" || fail "the operator's key"
ls "$DIR"/keys/people/*.key | grep -q . || fail "no key on the stick"
chmod -R go-rwx "$DIR/keys"   # (on FAT, the live init's mount options do this)
WIPEPROOF_KEYS="$OFFICE_KEYS" "$WIPEPROOF" custody init --ledger "$DIR/ledger.db" --as "$APPROVER" \
	--no-approval-required </dev/null >/dev/null || fail "custody init on the stick"

# run_pc SERIAL TAG DISK: what live/wipeproof-live runs at a PC (one
# internal disk), with the stick's key store and ledger
run_pc() {
	local pc=$1 tag=$2 dev=$3 serial
	serial=$(wp_serial "$dev")
	wp_ours "$dev"
	(
		export WIPEPROOF_KEYS="$DIR/keys" WIPEPROOF_LEDGER="$DIR/ledger.db" WIPEPROOF_LEDGER_WAIT=60
		"$WIPEPROOF" custody intake --as "$OPERATOR" --asset "$tag" --device "$dev" --reason lease-end \
			--owner 総務部 --lease-contract L-2020-7 --pc-manufacturer LENOVO --pc-model ThinkPad \
			--pc-serial "$pc" </dev/null >/dev/null || fail "intake $tag"
		"$WIPEPROOF" wipe "$dev" --asset "$tag" --confirm-serial "$serial" --as "$OPERATOR" \
			--report-dir "$DIR/reports" --json </dev/null >"$WP_TMP/wipe-$tag.json" ||
			fail "wipe $tag: $(cat "$WP_TMP/wipe-$tag.json")"
		sync
		for c in "$DIR"/reports/cert-*.json; do
			# as at the PC: signed by the operator, the approver's second
			# signature is added at the office
			"$WIPEPROOF" cert verify "$c" --ca "$DIR/keys/ca.pem" >"$WP_TMP/cv" 2>&1 ||
				{ head -n 1 "$WP_TMP/cv" | grep -q '^INVALID: not validated' &&
					grep -q '^  signature: valid CMS signature' "$WP_TMP/cv"; } ||
				fail "cert verify $c: $(cat "$WP_TMP/cv")"
		done
		"$WIPEPROOF" custody verify >/dev/null || fail "custody verify on the stick"
	) || exit 1
	[ "$(wp_count_marker "$dev")" -eq 0 ] || fail "marker left on $dev"
}

wp_make_loop d1 $((8 << 20))
wp_make_loop d2 $((8 << 20))
wp_fill_marker "$d1"
wp_fill_marker "$d2"
run_pc PF-1A2B3C LA-0001 "$d1"
n1=$(sqlite3 "$DIR/ledger.db" "SELECT max(seq) FROM events")
[ "$n1" -ge 5 ] || fail "the first run recorded $n1 events"

# ---- at the office, any Linux PC, no key: the stick's files verify
export WIPEPROOF_KEYS="$OFFICE_KEYS"
expect_exit 0 custody verify --ledger "$DIR/ledger.db" --ca "$DIR/keys/ca.pem"
expect_in "verifies: $n1 events" "$OUT"
cert1=$(ls "$DIR"/reports/cert-*.json | head -n 1)
# the office's approver adds the second signature (beside it on the stick)
expect_exit 0 "$WIPEPROOF" cert validate "$cert1" --as "$APPROVER" --ledger "$DIR/ledger.db"
expect_exit 0 "$WIPEPROOF" cert verify "$cert1" --ledger "$DIR/ledger.db" --ca "$DIR/keys/ca.pem"

# ---- into the office's PostgreSQL ledger: the office signs the stick's
# head with the stick's station key, then imports
wp_pg_start
OFFICE=$(wp_pg_createdb office)
expect_exit 0 custody init --ledger "$OFFICE" --as "$APPROVER" --no-approval-required
expect_exit 0 custody export --ledger "$DIR/ledger.db" --segment "$WP_TMP/seg1.json" --as "USB Stick 01"
expect_exit 0 custody import "$WP_TMP/seg1.json" --ledger "$OFFICE"
expect_in "$n1 new events imported, head seq $n1" "$OUT"
# the stick's ledger was only read
cp "$DIR/ledger.db" "$WP_TMP/stick-after-run1.db"
expect_exit 0 custody import "$WP_TMP/seg1.json" --ledger "$OFFICE"
expect_in "already up to date at seq $n1" "$OUT"

# ---- the same stick, another PC: only the new events go in
run_pc PF-4D5E6F LA-0002 "$d2"
n2=$(sqlite3 "$DIR/ledger.db" "SELECT max(seq) FROM events")
[ "$n2" -gt "$n1" ] || fail "the second run recorded nothing"
expect_exit 0 custody export --ledger "$DIR/ledger.db" --segment "$WP_TMP/seg2.json" --as "USB Stick 01"
expect_exit 0 custody import "$WP_TMP/seg2.json" --ledger "$OFFICE"
expect_in "$((n2 - n1)) new events imported, head seq $n2" "$OUT"
# custody push from the stick's file: the same, in one step
expect_exit 0 custody push --ledger "$DIR/ledger.db" --to "$OFFICE" --as "USB Stick 01"
expect_in "already up to date at seq $n2" "$OUT"
expect_exit 0 custody verify --ledger "$OFFICE"
expect_exit 0 custody show LA-0002 --ledger "$OFFICE"
expect_in "PF-4D5E6F" "$OUT"
cert2=$(grep -l LA-0002 "$DIR"/reports/cert-*.json | head -n 1)
expect_exit 0 "$WIPEPROOF" cert validate "$cert2" --as "$APPROVER" --ledger "$OFFICE"
expect_exit 0 "$WIPEPROOF" cert verify "$cert2" --ledger "$OFFICE"

# ---- a stick whose ledger was cut back (its last run's events deleted):
# refused, the reason named, nothing imported
sqlite3 "$DIR/ledger.db" "DELETE FROM events WHERE seq > $n1" || fail "cut"
expect_exit 0 custody export --ledger "$DIR/ledger.db" --segment "$WP_TMP/seg-cut.json" --as "USB Stick 01"
expect_exit 4 custody import "$WP_TMP/seg-cut.json" --ledger "$OFFICE"
expect_in "went backwards" "$ERR"
expect_in "truncated or replaced by an older copy" "$ERR"
expect_in "up to seq $n2" "$ERR"
# ---- replaced by an older copy that then went on differently (a fork)
cp "$WP_TMP/stick-after-run1.db" "$DIR/ledger.db"
rm -f "$DIR/ledger.db-wal" "$DIR/ledger.db-shm"
for i in $(seq $((n2 - n1 + 1))); do   # past the office's head, so not "backwards"
	WIPEPROOF_KEYS="$DIR/keys" "$WIPEPROOF" custody note --ledger "$DIR/ledger.db" --as "$OPERATOR" \
		--asset LA-0001 --text "another history $i" </dev/null >/dev/null || fail "note"
done
expect_exit 0 custody export --ledger "$DIR/ledger.db" --segment "$WP_TMP/seg-fork.json" --as "USB Stick 01"
expect_exit 4 custody import "$WP_TMP/seg-fork.json" --ledger "$OFFICE"
expect_in "rewritten after an earlier push (a fork)" "$ERR"
# ---- replaced by a new ledger (the stick prepared again, or another
# stick's ledger copied on it): another ledger id under the same station
# key is refused, named — else the stick's old chain would just stop
rm -f "$DIR/ledger.db" "$DIR/ledger.db-wal" "$DIR/ledger.db-shm"
expect_exit 0 custody init --ledger "$DIR/ledger.db" --as "$APPROVER" --no-approval-required
expect_exit 0 custody export --ledger "$DIR/ledger.db" --segment "$WP_TMP/seg-new.json" --as "USB Stick 01"
expect_exit 4 custody import "$WP_TMP/seg-new.json" --ledger "$OFFICE"
expect_in "replaced by another ledger" "$ERR"
expect_in "up to seq $n2" "$ERR"
expect_in "one station ledger, one station key" "$ERR"
[ "$(wp_psql "$OFFICE" "SELECT count(*) FROM events WHERE chain <> ''")" = "$n2" ] ||
	fail "a refused import left rows"

# ---- an office on SQLite (one station, no server): a SQLite ledger is one
# chain, so the stick's chain is kept as its own file, and the station key
# signs its head at each visit; the next visit is verified against it
OFF="$WP_TMP/office-sticks"
mkdir -p "$OFF"
cp "$WP_TMP/stick-after-run1.db" "$DIR/ledger.db"
rm -f "$DIR/ledger.db-wal" "$DIR/ledger.db-shm"
expect_exit 1 custody import "$WP_TMP/seg1.json" --ledger "$WP_TMP/office.db"
expect_in "segments are imported into the organisation's PostgreSQL ledger" "$ERR"
expect_exit 0 custody head --sign --as "USB Stick 01" --ledger "$DIR/ledger.db" --output "$OFF/stick-01.head"
cp "$DIR/ledger.db" "$OFF/stick-01.db"
# the next visit: the stick's ledger went on; it holds the kept head
run_pc PF-4D5E6F LA-0002 "$d2"
expect_exit 0 custody verify --ledger "$DIR/ledger.db" --anchor "$OFF/stick-01.head"
# cut back before the kept head: found
cp "$DIR/ledger.db" "$WP_TMP/keep.db"
sqlite3 "$DIR/ledger.db" "DELETE FROM events WHERE seq >= $n1" || fail "cut"
expect_exit 4 custody verify --ledger "$DIR/ledger.db" --anchor "$OFF/stick-01.head"
expect_in "missing" "$ERR"
expect_in "$n1" "$ERR"
# replaced by a new, empty ledger: refused as well (it ends before the head)
rm -f "$DIR/ledger.db" "$DIR/ledger.db-wal" "$DIR/ledger.db-shm"
expect_exit 0 custody init --ledger "$DIR/ledger.db" --as "$APPROVER" --no-approval-required
expect_exit 4 custody verify --ledger "$DIR/ledger.db" --anchor "$OFF/stick-01.head"
expect_in "the ledger ends at seq 1 but the anchor names seq $n1" "$ERR"
echo "ok: a stick's ledger brought home: verified from its files, imported, only new events the second time, a cut or forked stick refused"
