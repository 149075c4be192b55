# Guest half of test_freespace.sh: `wipeproof freespace` on a vfat
# filesystem (this host's kernel has no FAT driver; Debian's has), with the
# custody ledger and the free-space certificate.
export WIPEPROOF_KEYS=/tmp/keys WIPEPROOF_LEDGER=/tmp/ledger.db
OP="Operator One" WI="Witness Three"
for m in vfat nls_cp437 nls_ascii nls_utf8 nls_iso8859-1; do modprobe "$m"; done
hw_wait_serials FAT
DEV=$(hw_node WPHW-FAT)
echo "@@NODES FAT=$DEV"
mkdir -p /mnt/fat
hw_step mount mount -t vfat "$DEV" /mnt/fat

hw_step people sh -c "$WIPEPROOF keys init-ca --org 'Test KK' --no-passphrase &&
	$WIPEPROOF keys issue --name '$OP' --title Staff --role operator --no-passphrase &&
	$WIPEPROOF keys issue --name '$WI' --title Clerk --role witness --no-passphrase &&
	$WIPEPROOF custody intake --as '$OP' --asset SRV-FAT --serial WPHW-FAT --model 'QEMU disk' \
		--reason repair" </dev/null

# live files with their checksums, and a deleted file whose marker is on
# the medium (many clusters: not kept in a directory entry)
for i in 1 2 3; do dd if=/dev/urandom of=/mnt/fat/live$i.bin bs=1k count=$((i * 300)) 2>/dev/null; done
echo "small live file" > /mnt/fat/small.txt
(cd /mnt/fat && sha256sum live1.bin live2.bin live3.bin small.txt) > /tmp/sums
SECRET="WPFREE-VFAT-$(cut -d' ' -f1 /proc/uptime)-DELETED"
yes "$SECRET" | head -c 524288 > /mnt/fat/secret.txt
sync
rm /mnt/fat/secret.txt
sync
echo 3 > /proc/sys/vm/drop_caches
count() { dd if="$DEV" bs=1M 2>/dev/null | grep -a -c "$SECRET"; }
hw_step before count

hw_step fill "$WIPEPROOF" freespace /mnt/fat --json --asset SRV-FAT --as "$OP"
CERT=$(jq -r 'select(.event == "certificate") | .certificate' /tmp/hw-out)
hw_step sums sh -c "cd /mnt/fat && sha256sum -c /tmp/sums"
hw_step listing ls -A /mnt/fat
hw_step cert cat "$CERT"
# the second signature of a two-person certificate (certs/README.md)
hw_step validate "$WIPEPROOF" cert validate "$CERT" --as "$WI"
hw_step certverify "$WIPEPROOF" cert verify "$CERT" --ca /tmp/keys/ca.pem --ledger /tmp/ledger.db
hw_step custody "$WIPEPROOF" custody log --asset SRV-FAT --json
hw_step umount umount /mnt/fat
# unmounted: the filesystem's buffers no longer pin stale device pages
echo 3 > /proc/sys/vm/drop_caches
hw_step after count
