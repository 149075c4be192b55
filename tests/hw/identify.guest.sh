# Guest side of test_identify.sh: the optical drives appear once sr_mod is
# loaded (cdrom_id runs from udev's rules); then list, udev's own view of
# each drive, and intake from the devices into a ledger on /tmp.
modprobe sr_mod
udevadm trigger --subsystem-match=block --action=add
udevadm settle --timeout=60
hw_wait_dev /dev/sr0
hw_wait_dev /dev/sr1
hw_step list $WIPEPROOF list --json
hw_step udev-sr0 udevadm info --query=property --name=/dev/sr0
hw_step udev-sr1 udevadm info --query=property --name=/dev/sr1
export WIPEPROOF_KEYS=/tmp/keys WIPEPROOF_LEDGER=/tmp/ledger.db
hw_step keys $WIPEPROOF keys init-ca --org HW --no-passphrase
hw_step person $WIPEPROOF keys issue --name Op --title T --role operator --no-passphrase
hw_step intake-cd $WIPEPROOF custody intake --as Op --asset CD-Q --device /dev/sr0
hw_step intake-sata $WIPEPROOF custody intake --as Op --asset HDD-Q --device "$(hw_node WPHW-WWN)"
hw_step intake-scsi $WIPEPROOF custody intake --as Op --asset HDD-S --device "$(hw_node WPHW-SCSI)"
# issue 17 item 9: QEMU's drive holds a pressed disc (the ISO): plan asks it
# GET CONFIGURATION and refuses every optical method; custody blanked
# --device refuses the CD-ROM on the ledger's word and records nothing
hw_step plan-cd $WIPEPROOF plan /dev/sr0 --json
hw_step plan-cd-blank $WIPEPROOF plan /dev/sr1 --method optical-blank-full --json
hw_step blank-cd $WIPEPROOF custody blanked --as Op --asset CD-Q --device /dev/sr0
hw_step log $WIPEPROOF custody log --json
