# Second boot of test_resume.sh, on the same raw files: resume the wipe
# the power loss cut off, read it back, check the certificate and the
# ledger.
export WIPEPROOF_KEYS=/state/keys WIPEPROOF_LEDGER=/state/ledger.db
OP="Operator One" BOSS="Approver One"
modprobe ext4
hw_wait_serials WIPE STATE
DEV=$(hw_node WPHW-WIPE)
STATE=$(hw_node WPHW-STATE)
echo "@@NODES WIPE=$DEV STATE=$STATE"
mkdir -p /state
hw_step mount mount -t ext4 "$STATE" /state
hw_step before "$WIPEPROOF" resume --list --json
hw_step resume "$WIPEPROOF" resume --as "$OP" --json
REPORT=$(jq -r 'select(.format == "wipeproof-job-report") | .job_id' /tmp/hw-out)
REPORT=$(ls /state/reports/*"$REPORT"-resume1.json)
CERT=$(jq -r 'select(.event == "certificate") | .certificate' /tmp/hw-out)
hw_step report cat "$REPORT"
hw_step verify "$WIPEPROOF" verify "$DEV" --report "$REPORT"
hw_step validate "$WIPEPROOF" cert validate "$CERT" --as "$BOSS"
hw_step certverify "$WIPEPROOF" cert verify "$CERT" --ledger /state/ledger.db --device "$DEV"
hw_step custodyverify "$WIPEPROOF" custody verify
hw_step custody "$WIPEPROOF" custody log --asset PC-HW --json
hw_step after "$WIPEPROOF" resume --list --json
hw_step again "$WIPEPROOF" resume --as "$OP"
hw_step umount umount /state
