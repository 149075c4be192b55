# Guest half of test_faults.sh: real medium errors from the kernel's own
# fault targets. (a) dm-error maps LBAs 2048-2055 of a linear mapping over
# disk BAD to I/O errors; (b) dm-flakey over disk FLAKY fails all I/O
# every other second; (c) scsi_debug reports a medium error when LBAs
# 4660-4667 are read; (d) a test mapping over the free partition of a
# disk whose other partition is mounted is as protected as that disk. The mappings carry the dm UUID WIPEPROOF-TEST-*,
# the only device-mapper nodes wipeproof accepts (udev/guard.c).
export WIPEPROOF_KEYS=/tmp/keys WIPEPROOF_LEDGER=/tmp/ledger.db
OP="Operator One"
modprobe dm-mod && modprobe dm-flakey || echo "@@NODES modprobe dm failed"
hw_wait_serials BAD FLAKY MNT
BAD=$(hw_node WPHW-BAD) FLAKY=$(hw_node WPHW-FLAKY) MNT=$(hw_node WPHW-MNT)
echo "@@NODES BAD=$BAD FLAKY=$FLAKY MNT=$MNT"

# dm_node NAME: /dev/dm-N of the mapping NAME (no dm udev rules here:
# dmsetup runs without udev sync and devtmpfs makes the node)
dm_node() {
	for d in /sys/block/dm-*; do
		[ "$(cat "$d/dm/name" 2>/dev/null)" = "$1" ] && echo "/dev/${d##*/}" && return 0
	done
	return 1
}
# a size in sectors (kept in sz: hw_wait_dev counts with n)
sectors() { cat "/sys/class/block/${1##*/}/size"; }

AP="Approver Two"
hw_step people sh -c "$WIPEPROOF keys init-ca --org 'Test KK' --no-passphrase &&
	$WIPEPROOF keys issue --name '$OP' --title Staff --role operator --no-passphrase &&
	$WIPEPROOF keys issue --name '$AP' --title Head --role approver --no-passphrase &&
	$WIPEPROOF custody intake --as '$OP' --asset DM-BAD --serial WIPEPROOF-TEST-BAD \
		--model 'dm test mapping' --reason disposal &&
	$WIPEPROOF custody request --as '$OP' --asset DM-BAD &&
	$WIPEPROOF custody approve --as '$AP' --asset DM-BAD" </dev/null

# (a) unwritable blocks 2048-2055
sz=$(sectors "$BAD")
printf '0 2048 linear %s 0\n2048 8 error\n2056 %s linear %s 2056\n' "$BAD" $((sz - 2056)) "$BAD" |
	dmsetup create wpbad --uuid WIPEPROOF-TEST-BAD --noudevsync
hw_wait_dev "$(dm_node wpbad)"
DMBAD=$(dm_node wpbad)
echo "@@NODES DMBAD=$DMBAD"
hw_step list "$WIPEPROOF" list --json
mkdir -p /tmp/reports
hw_step bad "$WIPEPROOF" wipe "$DMBAD" --method zero --verify full \
	--confirm-serial WIPEPROOF-TEST-BAD --asset DM-BAD --as "$OP" --report-dir /tmp/reports
hw_step bad-report sh -c 'cat /tmp/reports/*.json'
hw_step bad-files ls /tmp/reports
hw_step bad-custody "$WIPEPROOF" custody log --asset DM-BAD --json
hw_step bad-verify "$WIPEPROOF" custody verify
dmsetup remove --noudevsync wpbad

# (b) a flaky device: linear while wipeproof probes and opens it, then
# dm-flakey, up 1 s and down 1 s in turn (the table is swapped under the
# running wipe; dm holds I/O while it suspends), so the write and the
# read-back both meet down periods
sz=$(sectors "$FLAKY")
echo "0 $sz linear $FLAKY 0" | dmsetup create wpflaky --uuid WIPEPROOF-TEST-FLAKY --noudevsync
hw_wait_dev "$(dm_node wpflaky)"
DMFLAKY=$(dm_node wpflaky)
hw_step flaky sh -c "$WIPEPROOF wipe $DMFLAKY --method random --verify full \
	--confirm-serial WIPEPROOF-TEST-FLAKY --report /tmp/flaky.json & pid=\$!
	sleep 0.3
	echo '0 $sz flakey $FLAKY 0 1 1' | dmsetup reload wpflaky && dmsetup resume --noudevsync wpflaky ||
		echo 'dmsetup reload failed' >&2
	wait \$pid"
hw_step flaky-report cat /tmp/flaky.json
hw_step flaky-table dmsetup table wpflaky
dmsetup remove --noudevsync wpflaky

# (c) scsi_debug: a medium error on reading LBAs 4660-4667 (opts=2)
modprobe scsi_debug dev_size_mb=16 opts=2 medium_error_start=4660 medium_error_count=8
udevadm settle --timeout=30
SD=
for d in /sys/block/sd*; do
	[ "$(cat "$d/device/model" 2>/dev/null | tr -d ' ')" = scsi_debug ] && SD=/dev/${d##*/}
done
echo "@@NODES SCSIDEBUG=$SD"
hw_wait_dev "$SD"
hw_step sdlist "$WIPEPROOF" list --json
SDSERIAL=$(hw_serial "$SD")
hw_step medium "$WIPEPROOF" wipe "$SD" --method zero --verify full --confirm-serial "$SDSERIAL" \
	--report /tmp/medium.json
hw_step medium-report cat /tmp/medium.json

# (d) the exception for test mappings does not reach past the disk below:
# a mapping over partition 2 while partition 1 is mounted is refused like
# the disk (the kernel itself refuses a mapping over the mounted node)
modprobe ext4
mkdir -p /mnt/below
hw_step mnt-mount mount -t ext4 "${MNT}1" /mnt/below
echo "0 $(sectors "${MNT}2") linear ${MNT}2 0" |
	dmsetup create wpmnt --uuid WIPEPROOF-TEST-MNT --noudevsync
hw_wait_dev "$(dm_node wpmnt)"
DMMNT=$(dm_node wpmnt)
echo "@@NODES DMMNT=$DMMNT"
hw_step mnt-list "$WIPEPROOF" list --json
hw_step mnt-wipe "$WIPEPROOF" wipe "$DMMNT" --method zero --confirm-serial WIPEPROOF-TEST-MNT \
	--report /tmp/mnt.json
hw_step mnt-ls ls /mnt/below
dmsetup remove --noudevsync wpmnt
umount /mnt/below
