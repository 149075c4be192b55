#!/bin/bash
# The boot stick (live/): build the image, boot it as a USB stick under
# OVMF with Secure Boot enforced (Debian's ovmf: the secure-boot firmware
# and variables with Microsoft's keys), on a PC with an emulated NVMe and
# a SATA disk full of markers and an SMBIOS serial that is in the stick's
# lease list; unattended mode. After the PC powered itself off, the host
# reads the stick's data partition (mtools): the ledger verifies, each
# certificate verifies with stock `openssl cms -verify` and names the lease
# contract, the run log names the PC, Secure Boot was on and the kernel
# locked down; the disks' files hold no marker; the stick's own files are
# intact. The NVMe disk's plan is the drive's own Format, so the NVMe admin
# passthrough ran under lockdown. Then the same image with an unsigned
# kernel (the ESP's vmlinuz replaced by a copy with its signature cut off)
# is refused by GRUB.
. "$(dirname "$0")/lib.sh"
for f in /usr/share/OVMF/OVMF_CODE_4M.secboot.fd /usr/share/OVMF/OVMF_VARS_4M.ms.fd; do
	[ -e "$f" ] || { echo "SKIP: $f missing (Debian package ovmf; scripts/deps)"; exit 77; }
done
for tool in mcopy sfdisk mkfs.vfat openssl; do
	PATH=$PATH:/sbin:/usr/sbin command -v "$tool" >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
export PATH=$PATH:/sbin:/usr/sbin

# ---- the stick's data: an operator, the ledger, the lease list, fonts
data="$HW_TMP/data"
mkdir -p "$data/fonts"
export WIPEPROOF_KEYS="$data/keys" WIPEPROOF_LEDGER="$data/ledger.db"
OP="鈴木 一郎"
"$WIPEPROOF" keys init-ca --org "株式会社テスト" --no-passphrase >/dev/null || fail "keys init-ca"
"$WIPEPROOF" keys issue --name "$OP" --title 係員 --role operator --no-passphrase >/dev/null ||
	fail "keys issue"
# the office's approver sets the stick's policy (lease-return PCs need no
# approval per PC), then only the operator's private key stays on the stick
"$WIPEPROOF" keys issue --name "山田 太郎" --title 課長 --role approver --no-passphrase >/dev/null ||
	fail "keys issue approver"
"$WIPEPROOF" custody init --as "山田 太郎" --no-approval-required >/dev/null || fail "custody init"
ap=$("$WIPEPROOF" keys list --json | jq -r '.people[] | select(.role == "approver") | .fingerprint')
rm -f "$data/keys/people/$ap.key" "$data/keys/ca.key"
printf 'mode = unattended\noperator = %s\nmethod.nvme = nvme-format-user\n' "$OP" >"$data/live.conf"
printf 'location = 本社 3F\n' >"$data/config"
printf 'pc_serial,asset_tag,lease_contract,owner\nPC-OTHER,PC-0001,L-1,総務部\nPC-LEASE-0042,PC-0042,L-2026-042,営業部\n' \
	>"$data/lease-list.csv"
for f in /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc; do
	[ -e "$f" ] && cp "$f" "$data/fonts/"
done
cat >"$data/fonts/fonts.conf" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/stick/wipeproof/fonts</dir><cachedir>/tmp/fontconfig</cachedir></fontconfig>
EOF
ca_sum=$(sha256sum "$data/keys/ca.pem" | cut -d' ' -f1)

stick="$HW_TMP/stick.img"
WP_LIVE_CACHE=$HW_CACHE/live WIPEPROOF=$WIPEPROOF bash "$HW_SRC/../../live/build-image" "$stick" \
	--data "$data" --size 192 >"$HW_TMP/build.log" 2>&1 || { cat "$HW_TMP/build.log"; fail "live/build-image"; }
echo "hw: stick image $(du -m "$stick" | cut -f1) MiB"

hw_disk nvme NVME
hw_disk sata SATA

boot_stick() { # IMAGE LIMIT: boot the PC from IMAGE with Secure Boot enforced
	cp /usr/share/OVMF/OVMF_VARS_4M.ms.fd "$HW_TMP/vars.fd"
	HW_T0=$(date +%s)
	timeout -k 5 "$2" qemu-system-x86_64 -machine q35,smm=on,accel=tcg -cpu max -smp 1 -m 1G \
		-global driver=cfi.pflash01,property=secure,value=on \
		-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd \
		-drive if=pflash,format=raw,unit=1,file="$HW_TMP/vars.fd" \
		-smbios type=1,manufacturer=TESTPC,product=Retired-X1,serial=PC-LEASE-0042 \
		-display none -no-reboot -serial "file:$HW_TMP/console.log" \
		-drive if=none,id=stick,format=raw,file="$1" \
		-device qemu-xhci,id=stickbus -device usb-storage,bus=stickbus.0,drive=stick,bootindex=0 \
		"${HW_ARGS[@]}"
}

: >"$HW_TMP/console.log"
boot_stick "$stick" 420
rc=$?
boot_s=$(($(date +%s) - HW_T0))
[ "$rc" -eq 0 ] || fail "the PC did not power off by itself (qemu/timeout exit $rc)"
tr -d '\r' <"$HW_TMP/console.log" >"$HW_TMP/console.txt"
grep -q '@@LIVE-DONE rc=0' "$HW_TMP/console.txt" || fail "the stick's flow did not end with 0"
grep -q 'Secure Boot on, kernel lockdown integrity' "$HW_TMP/console.txt" ||
	fail "the stick did not run with Secure Boot on and the kernel locked down"
booted=$(awk '/@@LIVE-BOOTED/ {print $2; exit}' "$HW_TMP/console.txt")
echo "hw: live: booted (udev settled) at ${booted}s of kernel time, powered off after ${boot_s}s"

# ---- the host reads the stick -------------------------------------------
out="$HW_TMP/back"
mkdir -p "$out"
off=$(sfdisk -J "$stick" | jq '.partitiontable.partitions[1].start * 512')
MTOOLS_SKIP_CHECK=1 mcopy -s -n -i "$stick@@$off" ::/wipeproof "$out/" || fail "reading the stick"
back="$out/wipeproof"
[ "$(sha256sum "$back/keys/ca.pem" | cut -d' ' -f1)" = "$ca_sum" ] || fail "the stick's CA changed"
cmp -s "$back/lease-list.csv" "$data/lease-list.csv" || fail "the lease list changed"
log=$(ls "$back"/runs/PC-LEASE-0042-*.log 2>/dev/null | head -1)
[ -n "$log" ] || fail "no run log named after the PC's serial"
grep -q 'PC: TESTPC Retired-X1, serial PC-LEASE-0042' "$log" || fail "the log does not name the PC"
grep -q 'asset PC-0042, lease contract L-2026-042' "$log" || fail "the lease row was not matched"

"$WIPEPROOF" custody verify --ledger "$back/ledger.db" --ca "$back/keys/ca.pem" >"$HW_TMP/verify.txt" 2>&1 ||
	{ cat "$HW_TMP/verify.txt"; fail "the stick's ledger does not verify"; }
certs=$(ls "$back"/reports/cert-*.json 2>/dev/null | wc -l)
[ "$certs" -eq 2 ] || { cat "$log"; fail "$certs certificates on the stick, expected 2"; }
for c in "$back"/reports/cert-*.json; do
	openssl cms -verify -binary -content "$c" -in "$c.p7s" -inform PEM -CAfile "$back/keys/ca.pem" \
		-purpose any -out /dev/null 2>/dev/null || fail "stock openssl refuses $(basename "$c")"
	[ "$(jq -r .asset.lease_contract "$c")" = L-2026-042 ] || fail "$(basename "$c") lacks the lease contract"
	[ "$(jq -r .result "$c")" = sanitized ] || fail "$(basename "$c") is not sanitized"
done
methods=$(jq -r .sanitization.method "$back"/reports/cert-*.json | sort | tr '\n' ' ')
case "$methods" in
	*nvme-format-user*) ;;
	*) fail "the NVMe disk was not erased by its own Format under lockdown: $methods" ;;
esac
for d in NVME SATA; do
	[ "$(hw_file_markers "$d")" -eq 0 ] || fail "$d still holds markers"
done
echo "hw: live: 2 disks wiped ($methods), ledger and certificates verify on the host"

# ---- an unsigned kernel is refused ---------------------------------------
bad="$HW_TMP/unsigned.img"
cp "$stick" "$bad"
esp_off=$(sfdisk -J "$bad" | jq '.partitiontable.partitions[0].start * 512')
MTOOLS_SKIP_CHECK=1 mcopy -n -i "$bad@@$esp_off" ::/live/vmlinuz "$HW_TMP/vmlinuz" || fail "reading vmlinuz"
# a PE file's certificate table is its last bytes; cutting it off unsigns it
pe=$(od -An -t u4 -j 60 -N 4 "$HW_TMP/vmlinuz" | tr -d ' ')
certtab=$(od -An -t u4 -j $((pe + 24 + 112 + 32)) -N 4 "$HW_TMP/vmlinuz" | tr -d ' ')
[ "$certtab" -gt 0 ] || fail "the kernel has no signature to remove"
head -c "$certtab" "$HW_TMP/vmlinuz" >"$HW_TMP/vmlinuz.unsigned"
MTOOLS_SKIP_CHECK=1 mcopy -o -i "$bad@@$esp_off" "$HW_TMP/vmlinuz.unsigned" ::/live/vmlinuz || fail "writing vmlinuz"
: >"$HW_TMP/console.log" # before the guest starts: the loop below reads it
boot_stick "$bad" 120 &
HW_QEMU_PID=$!
# GRUB waits for a key after refusing: read the console, then pull the plug
for _ in $(seq 500); do
	grep -qai 'bad shim signature\|invalid signature\|security violation\|@@LIVE-BOOTED' \
		"$HW_TMP/console.log" && break
	kill -0 "$HW_QEMU_PID" 2>/dev/null || break
	sleep 0.2
done
# SIGTERM to timeout(1), which passes it on to QEMU and waits for it (a
# SIGKILL would leave QEMU running, orphaned, holding ctest's output)
pkill -TERM -P "$HW_QEMU_PID" 2>/dev/null
wait "$HW_QEMU_PID" 2>/dev/null
HW_QEMU_PID=
tr -d '\r' <"$HW_TMP/console.log" >"$HW_TMP/console.txt"
grep -q '@@LIVE-BOOTED' "$HW_TMP/console.txt" && fail "an unsigned kernel booted with Secure Boot on"
grep -qi 'bad shim signature\|invalid signature\|security violation' "$HW_TMP/console.txt" ||
	{ tail -5 "$HW_TMP/console.txt"; fail "no refusal of the unsigned kernel on the console"; }
echo "hw: live: an unsigned kernel is refused"
echo "ok: live"
