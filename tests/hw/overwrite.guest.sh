# Guest half of test_overwrite.sh: an overwrite of every kind of disk, three
# at a time (the engine's several-drives path on real drivers), each read
# back in full.
hw_wait_serials NVME SATA USB SCSI VBLK
hw_wait_dev /dev/mmcblk0
NVME=$(hw_node WPHW-NVME) SATA=$(hw_node WPHW-SATA) USB=$(hw_node WPHW-USB)
SCSI=$(hw_node WPHW-SCSI) VBLK=$(hw_node WPHW-VBLK) SD=/dev/mmcblk0
echo "@@NODES NVME=$NVME SATA=$SATA USB=$USB SCSI=$SCSI VBLK=$VBLK SD=$SD"

# wipe_three STEP METHOD N1 N2 N3: one wipe of three disks, a report each
wipe_three() {
	step=$1 method=$2
	shift 2
	eval d1=\$$1 d2=\$$2 d3=\$$3
	hw_step "$step" "$WIPEPROOF" wipe "$d1" "$d2" "$d3" --method "$method" --verify full \
		--confirm-serial "$(hw_serial "$d1")" --confirm-serial "$(hw_serial "$d2")" \
		--confirm-serial "$(hw_serial "$d3")" \
		--report "/tmp/$1.json" --report "/tmp/$2.json" --report "/tmp/$3.json"
	for n in "$@"; do
		hw_step "report-$n" cat "/tmp/$n.json"
	done
}
wipe_three zero zero NVME USB VBLK
wipe_three random random SATA SCSI SD
