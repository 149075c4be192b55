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
#
# Then the same image, as built, under legacy BIOS (SeaBIOS: the MBR's
# boot code, GRUB's core image in the BIOS boot partition) on a second PC
# of the lease list, with the stick set to attended mode: the lease list in
# Shift_JIS (made by iconv), another operator whose key is encrypted. The
# test types at the serial console what an operator types: WIPE, a wrong
# passphrase (asked again), the right one. The passphrase is never echoed
# or written; the certificates name the second PC and its lease contract in
# Japanese, verify with stock openssl, and the QR code drawn on the console
# decodes (zbarimg) to the certificate's signed QR text.
. "$(dirname "$0")/lib.sh"
for f in /usr/share/OVMF/OVMF_CODE_4M.secboot.fd /usr/share/OVMF/OVMF_VARS_4M.ms.fd; do
	[ -e "$f" ] || { echo "SKIP: $f missing (Debian package ovmf; scripts/deps)"; exit 77; }
done
for tool in mcopy sfdisk mkfs.vfat openssl iconv zbarimg python3; do
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
# the attended mode's operator: an encrypted key, its passphrase typed at the PC
OP2="佐藤 花子" PASS2="kagi-$RANDOM-$RANDOM"
printf '%s\n' "$PASS2" >"$HW_TMP/pass2" && chmod 600 "$HW_TMP/pass2"
"$WIPEPROOF" keys issue --name "$OP2" --title 係員 --role operator --passphrase-file "$HW_TMP/pass2" \
	</dev/null >/dev/null || fail "keys issue $OP2"
ap=$("$WIPEPROOF" keys list --json | jq -r '.people[] | select(.role == "approver") | .fingerprint')
rm -f "$data/keys/people/$ap.key" "$data/keys/ca.key"
printf 'mode = unattended\noperator = %s\nmethod.nvme = nvme-format-user\n' "$OP" >"$data/live.conf"
printf 'location = 本社 3F\n' >"$data/config"
printf 'pc_serial,asset_tag,lease_contract,owner\nPC-OTHER,PC-0001,L-1,総務部\nPC-LEASE-0042,PC-0042,L-2026-042,営業部\n' \
	>"$data/lease-list.csv"
# the second PC's stick: the lease company's sheet saved as Shift_JIS
printf 'pc_serial,asset_tag,lease_contract,owner,confidentiality\nPC-LEASE-0042,PC-0042,L-2026-042,営業部,社外秘\nPC-LEASE-0043,PC-0043,リース第43号,経理部 ①,極秘\n' |
	iconv -f UTF-8 -t CP932 >"$HW_TMP/lease-sjis.csv" || fail "iconv to CP932"
printf 'mode = confirm\noperator = %s\nconsole = ttyS0\n' "$OP2" >"$HW_TMP/live-attended.conf"
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
echo "hw: stick image $(du -m "$stick" | cut -f1) MiB ($(du -m --apparent-size "$stick" | cut -f1) MiB apparent)"
# the second stick: the same image as built, with the attended config
bios_stick="$HW_TMP/bios.img"
cp "$stick" "$bios_stick"
data_off=$(sfdisk -J "$bios_stick" | jq '.partitiontable.partitions[1].start * 512')
MTOOLS_SKIP_CHECK=1 mcopy -o -i "$bios_stick@@$data_off" "$HW_TMP/live-attended.conf" ::/wipeproof/live.conf &&
	MTOOLS_SKIP_CHECK=1 mcopy -o -i "$bios_stick@@$data_off" "$HW_TMP/lease-sjis.csv" ::/wipeproof/lease-list.csv ||
	fail "writing the attended config to the second stick"

hw_disk nvme NVME
hw_disk sata SATA

boot_stick() { # IMAGE LIMIT [bios PC-SERIAL]: boot the PC from IMAGE, Secure Boot enforced or BIOS
	local fw=(-global driver=cfi.pflash01,property=secure,value=on
		-drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
		-drive if=pflash,format=raw,unit=1,file="$HW_TMP/vars.fd")
	local serial=(-serial "file:$HW_TMP/console.log") smm=on pc=PC-LEASE-0042
	cp /usr/share/OVMF/OVMF_VARS_4M.ms.fd "$HW_TMP/vars.fd"
	if [ "${3:-}" = bios ]; then
		# SeaBIOS; the console on a pipe the test types into
		fw=() smm=off pc=$4
		serial=(-chardev "pipe,id=con,path=$HW_TMP/con" -serial chardev:con)
	fi
	HW_T0=$(date +%s)
	timeout -k 5 "$2" qemu-system-x86_64 -machine q35,smm=$smm,accel=tcg -cpu max -smp 1 -m 1G \
		"${fw[@]}" -smbios type=1,manufacturer=TESTPC,product=Retired-X1,serial=$pc \
		-display none -no-reboot "${serial[@]}" \
		-drive if=none,id=stick,format=raw,file="$1" \
		-device qemu-xhci,id=stickbus -device usb-storage,bus=stickbus.0,drive=stick,bootindex=0 \
		"${HW_ARGS[@]}"
}
ready_s() { # the seconds from QEMU's start to the stick's flow, polled from the console
	local t
	for _ in $(seq 3000); do
		grep -qa '@@LIVE-BOOTED' "$HW_TMP/console.log" 2>/dev/null && { echo $(($(date +%s) - t0)); return; }
		kill -0 "$HW_QEMU_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "?"
}

: >"$HW_TMP/console.log"
t0=$(date +%s)
boot_stick "$stick" 420 &
HW_QEMU_PID=$!
ready=$(ready_s)
wait "$HW_QEMU_PID"
rc=$?
HW_QEMU_PID=
boot_s=$(($(date +%s) - t0))
[ "$rc" -eq 0 ] || fail "the PC did not power off by itself (qemu/timeout exit $rc)"
tr -d '\r' <"$HW_TMP/console.log" >"$HW_TMP/console.txt"
grep -q '@@LIVE-DONE rc=0' "$HW_TMP/console.txt" || fail "the stick's flow did not end with 0"
grep -q 'Secure Boot on, kernel lockdown integrity' "$HW_TMP/console.txt" ||
	fail "the stick did not run with Secure Boot on and the kernel locked down"
booted=$(awk '/@@LIVE-BOOTED/ {print $2; exit}' "$HW_TMP/console.txt")
screen_fits() { # WHAT: the PC's screen has the lines the QR code needs (37)
	local l
	l=$(sed -n 's/^screen: \([0-9]*\) lines.*/\1/p' "$HW_TMP/console.txt" | head -1)
	[ "${l:-0}" -ge 37 ] || fail "$1: the PC's screen has ${l:-?} lines, the QR code needs 37"
	echo "hw: live: $1: $(grep -m1 '^screen:' "$HW_TMP/console.txt")"
}
screen_fits "Secure Boot (UEFI framebuffer)"
# at the PC a certificate awaits its second signature (the office's); it
# says so, and nothing on the screen is INVALID
[ "$(grep -c 'the second signature is added at the office' "$HW_TMP/console.txt")" -eq 2 ] ||
	fail "the screen does not say both certificates await the office's second signature"
grep -q '^INVALID' "$HW_TMP/console.txt" && fail "the screen shows an INVALID certificate"
echo "hw: live: Secure Boot: flow started ${ready}s after QEMU started (udev settled at ${booted}s of kernel time), powered off after ${boot_s}s"

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
	[ "$(jq -r .asset.computer.serial "$c")" = PC-LEASE-0042 ] || fail "$(basename "$c") does not name the PC's serial"
	[ "$(jq -r '.asset.computer | "\(.manufacturer) \(.model)"' "$c")" = "TESTPC Retired-X1" ] ||
		fail "$(basename "$c") does not name the PC's maker and model"
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

# ---- legacy BIOS, attended: typed confirmation and passphrase ---------------
for d in NVME SATA; do hw_fill_marker "$(hw_file "$d")" $((16 << 20)); done
rm -f "$HW_TMP/con.in" "$HW_TMP/con.out"
mkfifo "$HW_TMP/con.in" "$HW_TMP/con.out"
: >"$HW_TMP/console.log"
cat "$HW_TMP/con.out" >"$HW_TMP/console.log" &
reader=$!
t0=$(date +%s)
boot_stick "$bios_stick" 420 bios PC-LEASE-0043 &
HW_QEMU_PID=$!
# exec keeps the input open between answers (a closed FIFO would be EOF)
exec 7<>"$HW_TMP/con.in"
type_at() { # PATTERN COUNT TEXT: once the console showed the prompt PATTERN COUNT times, type TEXT
	# (the prompt itself, not the run log's copy of it, which says "(answered)")
	for _ in $(seq 2000); do
		[ "$(grep -a -- "$1" "$HW_TMP/console.log" | grep -vc '(answered)')" -ge "$2" ] &&
			{ printf '%s\r' "$3" >&7; return 0; }
		kill -0 "$HW_QEMU_PID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}
ready=$(ready_s)
type_at 'Type WIPE' 1 WIPE || fail "no confirmation asked under BIOS"
type_at 'Passphrase of' 1 "wrong-$PASS2" || fail "no passphrase asked"
type_at 'Passphrase of' 2 "$PASS2" || fail "a wrong passphrase was not asked again"
wait "$HW_QEMU_PID"
rc=$?
HW_QEMU_PID=
boot_s=$(($(date +%s) - t0))
exec 7>&-
kill "$reader" 2>/dev/null
wait "$reader" 2>/dev/null
tr -d '\r' <"$HW_TMP/console.log" >"$HW_TMP/console.txt"
[ "$rc" -eq 0 ] || { tail -20 "$HW_TMP/console.txt"; fail "the BIOS PC did not power off by itself (exit $rc)"; }
grep -q '@@LIVE-DONE rc=0' "$HW_TMP/console.txt" || { tail -30 "$HW_TMP/console.txt"; fail "the BIOS flow did not end with 0"; }
grep -q 'Secure Boot off' "$HW_TMP/console.txt" || fail "the BIOS boot claims Secure Boot"
screen_fits "BIOS (VESA mode set by GRUB)"
# the screen before the question: each disk with its plan (method, NIST
# level, why), all of it shown before WIPE is asked
sed -n '1,/^Type WIPE/p' "$HW_TMP/console.txt" >"$HW_TMP/before-wipe.txt"
for want in 'PC: TESTPC Retired-X1, serial PC-LEASE-0043' 'disk 1: /dev/nvme0n1 serial WPHW-NVME -> asset PC-0043-D1' \
	'disk 2: /dev/sda serial WPHW-SATA -> asset PC-0043-D2'; do
	grep -qF -- "$want" "$HW_TMP/before-wipe.txt" || fail "the screen before WIPE lacks '$want'"
done
[ "$(grep -cE '^ +(method|NIST|why) ' "$HW_TMP/before-wipe.txt")" -eq 6 ] ||
	{ cat "$HW_TMP/before-wipe.txt"; fail "the screen before WIPE lacks a disk's method, NIST level or why"; }
grep -q 'Shift_JIS (CP932)): asset PC-0043, lease contract リース第43号, owner 経理部 ①, confidentiality 極秘' \
	"$HW_TMP/console.txt" || fail "the Shift_JIS lease row was not shown"
grep -qa -- "$PASS2" "$HW_TMP/console.log" && fail "the passphrase was echoed on the console"
echo "hw: live: BIOS: flow started ${ready}s after QEMU started, powered off after ${boot_s}s"
out2="$HW_TMP/back2"
mkdir -p "$out2"
MTOOLS_SKIP_CHECK=1 mcopy -s -n -i "$bios_stick@@$data_off" ::/wipeproof "$out2/" || fail "reading the second stick"
back2="$out2/wipeproof"
grep -rqa -- "$PASS2" "$back2" && fail "the passphrase was written to the stick"
"$WIPEPROOF" custody verify --ledger "$back2/ledger.db" --ca "$back2/keys/ca.pem" >"$HW_TMP/verify2.txt" 2>&1 ||
	{ cat "$HW_TMP/verify2.txt"; fail "the second stick's ledger does not verify"; }
certs=$(ls "$back2"/reports/cert-*.json 2>/dev/null | wc -l)
[ "$certs" -eq 2 ] || { tail -30 "$HW_TMP/console.txt"; fail "$certs certificates on the second stick, expected 2"; }
for c in "$back2"/reports/cert-*.json; do
	openssl cms -verify -binary -content "$c" -in "$c.p7s" -inform PEM -CAfile "$back2/keys/ca.pem" \
		-purpose any -out /dev/null 2>/dev/null || fail "stock openssl refuses $(basename "$c")"
	[ "$(jq -r .asset.lease_contract "$c")" = リース第43号 ] || fail "$(basename "$c") lacks the Shift_JIS lease contract"
	[ "$(jq -r .asset.owner "$c")" = "経理部 ①" ] || fail "$(basename "$c") lacks the owner"
	[ "$(jq -r .asset.computer.serial "$c")" = PC-LEASE-0043 ] || fail "$(basename "$c") does not name PC-LEASE-0043"
	[ "$(jq -r .sanitized_by.name "$c")" = "$OP2" ] || fail "$(basename "$c") not signed by $OP2"
done
for d in NVME SATA; do
	[ "$(hw_file_markers "$d")" -eq 0 ] || fail "$d still holds markers after the BIOS boot"
done
# the QR code the screen showed, read as a console shows it
c=$(ls "$back2"/reports/cert-*.json | head -1)
LC_ALL=C awk -v f="QR code of $(basename "$c")" 'index($0, f) { on = 1; next }
	on && /^[ \342\226\200\204\210]+$/ { print; next } on { exit }' "$HW_TMP/console.txt" >"$HW_TMP/qr-screen.txt"
[ -s "$HW_TMP/qr-screen.txt" ] || fail "no QR code on the screen for $(basename "$c")"
python3 "$HW_SRC/../integration/qr_from_terminal.py" "$HW_TMP/qr-screen.txt" "$HW_TMP/qr-screen.pbm" ||
	fail "the screen's QR code is not half blocks"
qr=$(zbarimg --quiet --raw "$HW_TMP/qr-screen.pbm" 2>/dev/null) || fail "zbarimg reads no QR code off the screen"
[ "$qr" = "$(cat "$c.qr")" ] || fail "the screen's QR code is not the certificate's"
echo "hw: live: BIOS boot, attended: Shift_JIS lease row, passphrase typed (not echoed), 2 disks wiped, QR code on the screen decodes"
echo "ok: live"
