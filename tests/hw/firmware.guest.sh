# Guest half of test_firmware.sh: detection, plans, the firmware methods the
# emulated devices do and do not have. The host asserts on every step.
hw_wait_serials NVME SATA USB SCSI VBLK
hw_wait_dev /dev/mmcblk0
NVME=$(hw_node WPHW-NVME) SATA=$(hw_node WPHW-SATA) USB=$(hw_node WPHW-USB)
SCSI=$(hw_node WPHW-SCSI) VBLK=$(hw_node WPHW-VBLK) SD=/dev/mmcblk0
echo "@@NODES NVME=$NVME SATA=$SATA USB=$USB SCSI=$SCSI VBLK=$VBLK SD=$SD"

hw_step list "$WIPEPROOF" list --json
hw_step list-text "$WIPEPROOF" list
for n in NVME SATA USB SCSI VBLK SD; do
	eval dev=\$$n
	hw_step "plan-$n" "$WIPEPROOF" plan "$dev" --json
	hw_step "plan-text-$n" "$WIPEPROOF" plan "$dev"
	hw_step "purge-$n" "$WIPEPROOF" plan "$dev" --level purge --json
done

# wipe_method NAME DEV METHOD: a firmware wipe, and its report if any.
wipe_method() {
	rm -f "/tmp/$1.json"
	hw_step "$1" "$WIPEPROOF" wipe "$2" --method "$3" --confirm-serial "$(hw_serial "$2")" \
		--report "/tmp/$1.json"
	hw_step "$1-report" cat "/tmp/$1.json"
}

# Methods the devices do not have: refused before anything is sent, or
# failing cleanly. The host checks the markers are all still on the other
# disks' files; the NVMe namespace is counted here before it is formatted.
# (Counting takes ~5 s per 16 MiB under TCG, so only where the host cannot.)
wipe_method nvme-crypto "$NVME" nvme-format-crypto
for m in crypto block overwrite; do
	wipe_method "nvme-sanitize-$m" "$NVME" "nvme-sanitize-$m"
	wipe_method "ata-sanitize-$m" "$SATA" "ata-sanitize-$m"
	wipe_method "scsi-sanitize-$m" "$SCSI" "scsi-sanitize-$m"
done
wipe_method ata-secure-erase "$SATA" ata-secure-erase
wipe_method ata-secure-erase-enhanced "$SATA" ata-secure-erase-enhanced
wipe_method usb-sanitize "$USB" scsi-sanitize-crypto
wipe_method usb-secure-erase "$USB" ata-secure-erase
wipe_method vblk-discard "$VBLK" secure-discard
wipe_method sd-discard "$SD" secure-discard

hw_step nvme-markers hw_markers "$NVME"

# The one the NVMe controller has: Format NVM, SES=1, checked on the medium.
wipe_method nvme-user "$NVME" nvme-format-user
hw_step nvme-user-markers hw_markers "$NVME"
