# Guest half of test_vanish.sh: a USB stick and an NVMe drive wiped by one
# `wipe` command with custody; once a good part of the stick is written the
# guest says so and the host pulls the stick (QEMU monitor device_del).
# Then the host plugs the stick in again and its job is resumed.
export WIPEPROOF_KEYS=/tmp/keys WIPEPROOF_LEDGER=/tmp/ledger.db
# checkpoints often enough that the pull falls after one inside the pass
export WIPEPROOF_CHECKPOINT_SECONDS=0.2
OP="Operator One" AP="Approver Two"
hw_wait_serials USB NVME
USB=$(hw_node WPHW-USB) NVME=$(hw_node WPHW-NVME)
echo "@@NODES USB=$USB NVME=$NVME"

hw_step people sh -c "$WIPEPROOF keys init-ca --org 'Test KK' --no-passphrase &&
	$WIPEPROOF keys issue --name '$OP' --title Staff --role operator --no-passphrase &&
	$WIPEPROOF keys issue --name '$AP' --title Head --role approver --no-passphrase &&
	for a in USB NVME; do
		$WIPEPROOF custody intake --as '$OP' --asset PC-\$a --serial WPHW-\$a --model 'QEMU' \\
			--reason disposal &&
		$WIPEPROOF custody request --as '$OP' --asset PC-\$a &&
		$WIPEPROOF custody approve --as '$AP' --asset PC-\$a || exit 1
	done" </dev/null

# The wipe in the background; the host is told when 32 MiB reached the
# stick (field 7 of the disk's stat: sectors written), then waits for it.
cat > /tmp/vanish.sh <<X
$WIPEPROOF wipe $USB $NVME --method zero --verify full --json \\
	--confirm-serial WPHW-USB --confirm-serial WPHW-NVME \\
	--asset PC-USB --asset PC-NVME --as '$OP' --report-dir /tmp/reports &
pid=\$!
while kill -0 \$pid 2>/dev/null; do
	w=\$(awk '{print \$7}' /sys/block/${USB##*/}/stat)
	[ "\$w" -ge 65536 ] && break
	sleep 0.1
done
echo "@@HW-MIDWIPE written=\$w" > /dev/ttyS1
wait \$pid
X
mkdir -p /tmp/reports
hw_step wipe sh /tmp/vanish.sh
hw_step gone sh -c "[ ! -e $USB ] && echo removed"
hw_step reports sh -c 'for f in /tmp/reports/WPHW-*.json; do jq -c . "$f"; done'
CERT=$(jq -r 'select(.event == "certificate") | .certificate' /tmp/hw-out 2>/dev/null | head -n 1)
hw_step files ls /tmp/reports
hw_step custody "$WIPEPROOF" custody log --json
hw_step verify "$WIPEPROOF" custody verify
hw_step certs sh -c 'for c in /tmp/reports/cert-*.json; do
	[ -e "$c.validator.p7s" ] || '"$WIPEPROOF"' cert validate "$c" --as "'"$AP"'" || exit 1
	'"$WIPEPROOF"' cert verify "$c" --ca /tmp/keys/ca.pem --ledger /tmp/ledger.db || exit 1
done'

# The stick is plugged in again (the host's device_add): its job resumes
# from the last checkpoint before the pull, on the stick's new node.
echo "@@HW-REPLUG" > /dev/ttyS1
hw_wait_serials USB
USB2=$(hw_node WPHW-USB)
echo "@@NODES USB2=$USB2"
hw_step resume "$WIPEPROOF" resume --device "$USB2" --as "$OP" --json
hw_step resumed sh -c 'jq -c . /tmp/reports/WPHW-USB-*-resume1.json'
hw_step custody2 "$WIPEPROOF" custody log --asset PC-USB --json
hw_step verify2 "$WIPEPROOF" custody verify
hw_step certs2 sh -c 'for c in /tmp/reports/cert-*.json; do
	[ -e "$c.validator.p7s" ] || '"$WIPEPROOF"' cert validate "$c" --as "'"$AP"'" || exit 1
	'"$WIPEPROOF"' cert verify "$c" --ca /tmp/keys/ca.pem --ledger /tmp/ledger.db || exit 1
done'
hw_step ncerts sh -c 'ls /tmp/reports/cert-*.json | wc -l'
