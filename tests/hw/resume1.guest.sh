# First boot of test_resume.sh: the ledger and keys on a persistent ext4
# disk, a slow three-pass wipe of an emulated NVMe disk; once a checkpoint
# inside a pass is in the ledger the wipe is frozen (SIGSTOP) and the host
# pulls the plug, so the power fails at a known point of the wipe.
export WIPEPROOF_KEYS=/state/keys WIPEPROOF_LEDGER=/state/ledger.db
export WIPEPROOF_CHECKPOINT_SECONDS=0.2
OP="Operator One"
BOSS="Approver One"
modprobe ext4
hw_wait_serials WIPE STATE
DEV=$(hw_node WPHW-WIPE)
STATE=$(hw_node WPHW-STATE)
echo "@@NODES WIPE=$DEV STATE=$STATE"
mkdir -p /state
hw_step mount mount -t ext4 "$STATE" /state
hw_step people sh -c "$WIPEPROOF keys init-ca --org 'Test KK' --no-passphrase &&
	$WIPEPROOF keys issue --name '$OP' --title Staff --role operator --no-passphrase &&
	$WIPEPROOF keys issue --name '$BOSS' --title Chief --role approver --no-passphrase &&
	$WIPEPROOF custody init --as '$BOSS' --no-approval-required &&
	$WIPEPROOF custody intake --as '$OP' --asset PC-HW --device $DEV --reason disposal" </dev/null
sync

"$WIPEPROOF" wipe "$DEV" --confirm-serial "$(hw_serial "$DEV")" --asset PC-HW --as "$OP" \
	--method dod3 --chunk 64K > /tmp/wipe.out 2> /tmp/wipe.err &
pid=$!
# Freeze first, then look: a checkpoint seen while the wipe still ran may
# already have been replaced by the next pass's start (offset 0).
i=0
while :; do
	kill -STOP $pid 2>/dev/null
	"$WIPEPROOF" resume --list --json | jq -e '.jobs[] | select(.offset > 0)' >/dev/null && break
	kill -CONT $pid 2>/dev/null
	i=$((i + 1))
	if [ $i -gt 600 ] || ! kill -0 $pid 2>/dev/null; then
		echo "@@NO-CHECKPOINT"
		cat /tmp/wipe.err
		break
	fi
	sleep 0.1
done
hw_step checkpoint "$WIPEPROOF" resume --list --json
echo "@@CHECKPOINT"
sleep 600
