# The emulated-hardware test bed: the host side (sourced by tests/hw/test_*.sh).
#
# A scenario boots Debian's own kernel (linux-image-amd64) under
# qemu-system-x86_64 (TCG: KVM hangs on these machines, see
# /work/shared/EMULATED-HARDWARE.md) with an initramfs holding busybox,
# systemd-udevd, the wipeproof binary with its libraries, jq, and a guest
# script; the guest's disks are emulated NVMe, AHCI SATA, USB, virtio-scsi,
# virtio-blk and SD devices.
#
#   hw_disk KIND NAME [SIZE]   a raw file in this test's folder, every 4 KiB
#                              block starting with the marker, and the QEMU
#                              device for it (serial WPHW-NAME)
#   hw_add_file SRC DEST       also put SRC at DEST in the guest
#   hw_boot SCRIPT [TIMEOUT]   boot with those disks, run SCRIPT in the guest
#                              (with tests/hw/guest.sh sourced), wait for it
#                              to power off; the results are split per step
#                              (= hw_start, then hw_finish; in between,
#                              hw_wait_for TEXT and hw_kill pull the plug)
#   hw_rc/hw_out/hw_err STEP   a guest step's exit status, stdout, stderr
#   hw_expect STEP CODE        fail unless the step exited CODE
#   hw_file NAME               the raw file behind a disk, for host checks;
#                              the files stay for a second boot in the test
#   hw_monitor CMD             a QEMU monitor command while the guest runs
#                              (e.g. `device_del devUSB`: every disk's QEMU
#                              device has the id devNAME)
#
# Safety: the guest sees only the raw files this test created in its own
# temporary folder (QEMU opens nothing else: no -hda, no host devices), and
# the host's disks are never opened. The EXIT trap kills QEMU (by its pid)
# and deletes the folder, also when a test fails half-way.
#
# Caching: the kernel, modules, busybox and udev come from Debian packages
# fetched with `apt-get download` and unpacked with `dpkg-deb -x` into
# build-hw/ (never installed: installing udev would start a udev daemon on
# the host that opens loop devices under the integration tests' feet). The
# initramfs is three concatenated cpio archives, which the kernel unpacks in
# turn: the base (cached per kernel), wipeproof with its libraries (rebuilt
# when the binary changes) and the scenario (per boot, a few KiB).

set -u
HW_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HW_ROOT=$(cd "$HW_SRC/../.." && pwd)
HW_CACHE=${HW_CACHE:-$HW_ROOT/build-hw}
WIPEPROOF=${WIPEPROOF:?set WIPEPROOF to the wipeproof binary}
MARKER="WIPEPROOF-TEST-MARKER"
# The guest's storage drivers, loaded at boot; and modules a scenario loads
# itself with modprobe (scsi_debug would add a disk to every boot).
HW_MODULES="nvme ahci xhci-pci usb-storage uas virtio_pci virtio_blk virtio_scsi
sd_mod sg sdhci-pci mmc_block"
HW_EXTRA_MODULES="scsi_debug dm-mod dm-flakey vfat exfat nls_cp437 nls_ascii nls_utf8 nls_iso8859-1 ext4 sr_mod"
# The base image's name carries its module list: the cache is shared, and a
# branch that adds a module (exfat) must not pick up an image without it.
HW_BASE_TAG=$(echo "$HW_MODULES $HW_EXTRA_MODULES" | sha256sum | cut -c1-8)

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: the hardware test bed needs root (apt-get download, dpkg-deb)"
	exit 77
fi
if ! command -v qemu-system-x86_64 >/dev/null || ! command -v cpio >/dev/null ||
	! command -v depmod >/dev/null; then
	echo "SKIP: qemu-system-x86_64, cpio or kmod missing (scripts/deps installs them)"
	exit 77
fi

HW_TMP=$(mktemp -d /tmp/wp-hw-XXXXXX)
HW_QEMU_PID=
HW_MON_PID=
HW_ARGS=()
HW_FILES=()
HW_CTRL=" "

hw_cleanup() {
	if [ -n "$HW_QEMU_PID" ]; then
		kill "$HW_QEMU_PID" 2>/dev/null
		wait "$HW_QEMU_PID" 2>/dev/null
	fi
	hw_monitor_stop
	if [ -n "${HW_KEEP:-}" ]; then
		echo "kept $HW_TMP" >&2
	else
		rm -rf "$HW_TMP"
	fi
}
trap hw_cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	if [ -s "$HW_TMP/results.log" ]; then
		echo "--- guest results (last 40 lines)" >&2
		tail -n 40 "$HW_TMP/results.log" >&2
	fi
	if [ -s "$HW_TMP/console.log" ]; then
		echo "--- guest console (last 20 lines)" >&2
		tail -n 20 "$HW_TMP/console.log" >&2
	fi
	exit 1
}

# --- the image -----------------------------------------------------------

# hw_fetch PACKAGE...: the newest .deb of each, downloaded once into the
# cache (apt-get update once when the lists are too old to find them).
hw_fetch() {
	local p
	mkdir -p "$HW_CACHE/debs"
	for p in "$@"; do
		ls "$HW_CACHE/debs/${p}_"*.deb >/dev/null 2>&1 && continue
		(cd "$HW_CACHE/debs" && apt-get download -q "$p" >/dev/null 2>&1) ||
			(apt-get update -qq && cd "$HW_CACHE/debs" && apt-get download -q "$p" >/dev/null 2>&1) ||
			fail "apt-get download $p"
	done
}

# hw_copy_elf STAGE FILE...: FILE and every shared library it needs
# (ldd on the host, where the same Debian libraries are installed), at the
# same paths in STAGE, plus the dynamic loader.
hw_copy_elf() {
	local stage=$1 f lib
	shift
	for f in "$@"; do
		cp -L --parents "$f" "$stage" 2>/dev/null || cp -L "$f" "$stage$f" || return 1
		for lib in $(ldd "$f" | grep -o '/[^ ]*'); do
			[ -e "$stage$lib" ] || cp -L --parents "$lib" "$stage" || return 1
		done
	done
}

# hw_cpio DIR OUT: a gzipped newc archive of DIR.
hw_cpio() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$2"
}

hw_build_base() {
	local kpkg kver x stage ko
	kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	[ -n "$kpkg" ] || fail "apt-cache: no kernel package behind linux-image-amd64"
	kver=${kpkg#linux-image-}
	if [ -s "$HW_CACHE/base-$kver-$HW_BASE_TAG.cpio.gz" ] && [ -s "$HW_CACHE/vmlinuz-$kver" ] &&
		[ "$HW_CACHE/base-$kver-$HW_BASE_TAG.cpio.gz" -nt "$HW_SRC/init" ] &&
		[ "$HW_CACHE/base-$kver-$HW_BASE_TAG.cpio.gz" -nt "$HW_SRC/lib.sh" ]; then
		HW_KVER=$kver
		return 0
	fi
	echo "hw: building the base image for kernel $kver (once)" >&2
	hw_fetch "$kpkg" udev busybox-static
	x="$HW_CACHE/pkg-$kver"
	rm -rf "$x" && mkdir -p "$x"
	for deb in "$HW_CACHE/debs/${kpkg}_"*.deb "$HW_CACHE/debs/udev_"*.deb \
		"$HW_CACHE/debs/busybox-static_"*.deb; do
		dpkg-deb -x "$deb" "$x" || fail "dpkg-deb -x $deb"
	done
	depmod -b "$x" "$kver" || fail "depmod for $kver"

	stage="$HW_CACHE/stage-base"
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,lib/systemd,lib/udev}
	cp "$x/bin/busybox" "$stage/bin/busybox"
	for a in $("$x/bin/busybox" --list); do
		[ -e "$stage/bin/$a" ] || ln -s busybox "$stage/bin/$a"
	done
	# udev's daemon is udevadm under another name
	cp "$x/bin/udevadm" "$stage/bin/udevadm"
	for lib in $(ldd "$x/bin/udevadm" | grep -o '/[^ ]*'); do
		[ -e "$stage$lib" ] || cp -L --parents "$lib" "$stage" || fail "copying $lib"
	done
	ln -s /bin/udevadm "$stage/lib/systemd/systemd-udevd"
	cp -a "$x/lib/udev/." "$stage/lib/udev/"
	rm -rf "$stage/lib/udev/hwdb.d" # the hwdb only names vendors
	printf 'root:x:0:0:root:/:/bin/sh\n' > "$stage/etc/passwd"
	printf '%s\n' root:x:0: disk:x:6: tty:x:5: kmem:x:15: dialout:x:20: cdrom:x:24: \
		tape:x:26: audio:x:29: video:x:44: input:x:105: kvm:x:106: render:x:107: \
		sgx:x:108: > "$stage/etc/group"

	# the modules at their usual place with their modules.dep (for the
	# scenario's modprobe); the boot set in load order for /init's insmod
	for m in $HW_MODULES $HW_EXTRA_MODULES; do
		modprobe -d "$x" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
	done | awk '!seen[$0]++' | while read -r ko; do
		mkdir -p "$stage/$(dirname "${ko#"$x"}")" && cp "$ko" "$stage/${ko#"$x"}" || exit 1
	done || fail "copying modules"
	cp "$x/lib/modules/$kver/"modules.{order,builtin,builtin.modinfo} "$stage/lib/modules/$kver/"
	depmod -b "$stage" "$kver" || fail "depmod of the image"
	for m in $HW_MODULES; do
		modprobe -d "$x" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
	done | awk '!seen[$0]++' | sed "s|^$x||" > "$stage/etc/hw-modules"
	[ -s "$stage/etc/hw-modules" ] || fail "no modules resolved for $kver"
	cp "$HW_SRC/init" "$stage/init"
	chmod 755 "$stage/init"
	hw_cpio "$stage" "$HW_CACHE/base-$kver-$HW_BASE_TAG.cpio.gz.tmp" || fail "cpio of the base image"
	cp "$x/boot/vmlinuz-$kver" "$HW_CACHE/vmlinuz-$kver"
	mv "$HW_CACHE/base-$kver-$HW_BASE_TAG.cpio.gz.tmp" "$HW_CACHE/base-$kver-$HW_BASE_TAG.cpio.gz"
	rm -rf "$stage" "$x"
	HW_KVER=$kver
}

# wipeproof, jq and dmsetup (for the fault scenarios' dm-error and
# dm-flakey mappings) with their libraries, per binary (keyed by its hash).
hw_build_tools() {
	local sum stage dmsetup
	dmsetup=$(PATH=$PATH:/sbin:/usr/sbin command -v dmsetup || true)
	sum=$(cat "$WIPEPROOF" "$(command -v jq)" ${dmsetup:+"$dmsetup"} "$HW_SRC/guest.sh" | sha256sum | cut -c1-16)
	HW_TOOLS="$HW_CACHE/tools-$sum.cpio.gz"
	[ -s "$HW_TOOLS" ] && return 0
	stage="$HW_CACHE/stage-tools-$$"
	rm -rf "$stage" && mkdir -p "$stage/usr/bin" "$stage/etc"
	cp "$WIPEPROOF" "$stage/usr/bin/wipeproof"
	hw_copy_elf "$stage" "$(command -v jq)" || fail "copying jq"
	if [ -n "$dmsetup" ]; then
		hw_copy_elf "$stage" "$dmsetup" || fail "copying dmsetup"
	fi
	for lib in $(ldd "$WIPEPROOF" | grep -o '/[^ ]*'); do
		[ -e "$stage$lib" ] || cp -L --parents "$lib" "$stage" || fail "copying $lib"
	done
	cp "$HW_SRC/guest.sh" "$stage/etc/hw-guest.sh"
	rm -f "$HW_CACHE"/tools-*.cpio.gz
	hw_cpio "$stage" "$HW_TOOLS.tmp" || fail "cpio of the tools"
	mv "$HW_TOOLS.tmp" "$HW_TOOLS"
	rm -rf "$stage"
}

# Build both under a lock: ctest may start two scenarios at once.
hw_image() {
	mkdir -p "$HW_CACHE"
	exec 9> "$HW_CACHE/.lock"
	flock 9
	hw_build_base
	hw_build_tools
	flock -u 9
	exec 9>&-
}

# --- disks ---------------------------------------------------------------

# hw_fill_marker FILE SIZE: every 4 KiB block starts with the marker (SIZE
# a multiple of 1 MiB). The MiB is built once, without a process per block.
hw_fill_marker() {
	local mib="$HW_TMP/marker.mib" blk i
	if [ ! -e "$mib" ]; then
		printf -v blk '%s%*s' "$MARKER" $((4096 - ${#MARKER})) ''
		blk=${blk// /x}
		for i in $(seq 256); do printf '%s' "$blk"; done > "$mib"
	fi
	for i in $(seq $(($2 >> 20))); do cat "$mib"; done > "$1"
}

# hw_disk KIND NAME [SIZE]: KIND is nvme, sata, usb, scsi, vblk or sd.
# The serial is WPHW-NAME (an SD card's serial is QEMU's own CID).
hw_disk() {
	local kind=$1 name=$2 size=${3:-$((16 << 20))} file id
	file="$HW_TMP/disk-$name.img"
	id="d$name"
	hw_fill_marker "$file" "$size"
	HW_ARGS+=(-drive "file=$file,if=none,id=$id,format=raw,discard=unmap")
	case "$kind" in
		nvme) HW_ARGS+=(-device "nvme,serial=WPHW-$name,drive=$id,id=dev$name") ;;
		sata)
			hw_ctrl ahci -device ahci,id=ahci
			HW_SATA_PORT=${HW_SATA_PORT:-0}
			HW_ARGS+=(-device "ide-hd,bus=ahci.$HW_SATA_PORT,drive=$id,serial=WPHW-$name,id=dev$name")
			HW_SATA_PORT=$((HW_SATA_PORT + 1))
			;;
		usb)
			hw_ctrl xhci -device qemu-xhci,id=xhci
			HW_ARGS+=(-device "usb-storage,bus=xhci.0,drive=$id,serial=WPHW-$name,removable=on,id=dev$name")
			;;
		scsi)
			hw_ctrl vscsi -device virtio-scsi-pci,id=vscsi
			HW_ARGS+=(-device "scsi-hd,bus=vscsi.0,drive=$id,serial=WPHW-$name,id=dev$name")
			;;
		vblk) HW_ARGS+=(-device "virtio-blk-pci,drive=$id,serial=WPHW-$name,id=dev$name") ;;
		sd)
			hw_ctrl sdhci -device sdhci-pci
			HW_ARGS+=(-device "sd-card,drive=$id,id=dev$name")
			;;
		*) fail "hw_disk: unknown kind $kind" ;;
	esac
}

# hw_ctrl NAME ARGS...: add a controller once.
hw_ctrl() {
	local name=$1
	shift
	case "$HW_CTRL" in *" $name "*) return 0 ;; esac
	HW_CTRL+="$name "
	HW_ARGS+=("$@")
}

hw_file() { echo "$HW_TMP/disk-$1.img"; }

# hw_file_markers NAME: blocks of the disk's raw file still holding the marker.
hw_file_markers() { grep -a -o "$MARKER" "$(hw_file "$1")" | wc -l; }

# hw_file_zero NAME: is the disk's raw file all zeros?
hw_file_zero() {
	local f
	f=$(hw_file "$1")
	cmp -s -n "$(stat -c %s "$f")" "$f" /dev/zero
}

# --- booting -------------------------------------------------------------

# hw_add_file SRC DEST: put the host file SRC at DEST in the next guest
# (e.g. a udev rules file for `udevadm test`).
hw_add_file() {
	HW_FILES+=("$1:$2")
}

# hw_start SCRIPT [TIMEOUT_S]: boot the guest with the disks added so far
# and run SCRIPT there, in the background; hw_finish waits for it.
hw_start() {
	local script=$1 limit=${2:-240} sc f
	hw_image
	sc="$HW_TMP/scenario"
	rm -rf "$sc" "$HW_TMP/steps" && mkdir -p "$sc" "$HW_TMP/steps"
	{ echo '. /etc/hw-guest.sh'; cat "$script"; } > "$sc/scenario.sh"
	for f in "${HW_FILES[@]}"; do
		mkdir -p "$sc/$(dirname "${f#*:}")" && cp "${f%%:*}" "$sc/${f#*:}" || fail "hw_add_file $f"
	done
	hw_cpio "$sc" "$HW_TMP/scenario.cpio.gz" || fail "cpio of the scenario"
	cat "$HW_CACHE/base-$HW_KVER-$HW_BASE_TAG.cpio.gz" "$HW_TOOLS" "$HW_TMP/scenario.cpio.gz" > "$HW_TMP/initrd"
	: > "$HW_TMP/results.log"
	: > "$HW_TMP/console.log"
	HW_SCRIPT=$script
	hw_monitor_start
	HW_T0=$(date +%s)
	# -no-reboot + panic=-1: a kernel panic ends QEMU instead of looping;
	# timeout(1) ends QEMU even if this shell is killed (ctest's TIMEOUT)
	timeout -k 5 "$limit" qemu-system-x86_64 -accel tcg -cpu max -smp 1 -m 1G -machine pc \
		-display none -monitor pipe:"$HW_TMP/mon" -no-reboot -nodefaults \
		-kernel "$HW_CACHE/vmlinuz-$HW_KVER" -initrd "$HW_TMP/initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4 rdinit=/init" \
		-serial "file:$HW_TMP/console.log" -serial "file:$HW_TMP/results.log" \
		"${HW_ARGS[@]}" &
	HW_QEMU_PID=$!
}

# The monitor is a pair of FIFOs (QEMU's pipe chardev: mon.in is read,
# mon.out written), so bash alone can talk to it; a reader drains mon.out
# into monitor.log, or QEMU would block once the FIFO is full.
hw_monitor_start() {
	hw_monitor_stop
	rm -f "$HW_TMP/mon.in" "$HW_TMP/mon.out"
	mkfifo "$HW_TMP/mon.in" "$HW_TMP/mon.out" || fail "mkfifo for the QEMU monitor"
	: > "$HW_TMP/monitor.log"
	# opened read-write: neither this reader nor QEMU waits for the other
	cat 0<> "$HW_TMP/mon.out" >> "$HW_TMP/monitor.log" &
	HW_MON_PID=$!
}

hw_monitor_stop() {
	if [ -n "$HW_MON_PID" ]; then
		kill "$HW_MON_PID" 2>/dev/null
		wait "$HW_MON_PID" 2>/dev/null
		HW_MON_PID=
	fi
}

# hw_monitor CMD: one monitor command, e.g. `device_del devUSB` to pull a
# USB stick out while the guest writes to it.
hw_monitor() {
	[ -n "$HW_QEMU_PID" ] || fail "hw_monitor $*: no guest is running"
	printf '%s\n' "$*" > "$HW_TMP/mon.in" || fail "hw_monitor $*"
	echo "hw: monitor: $*" >&2
}

# hw_wait_for TEXT [TIMEOUT_S]: wait until the guest has printed TEXT (to
# act at a known point, e.g. kill QEMU mid-wipe with hw_kill).
hw_wait_for() {
	local n=0 limit=$((${2:-120} * 5))
	until grep -q -F -- "$1" "$HW_TMP/results.log"; do
		kill -0 "$HW_QEMU_PID" 2>/dev/null || fail "the guest ended before printing '$1'"
		[ $n -lt $limit ] || fail "the guest did not print '$1'"
		sleep 0.2
		n=$((n + 1))
	done
}

# hw_kill: pull the plug (SIGKILL to QEMU; the raw files keep what the guest
# had written through to them).
hw_kill() {
	pkill -KILL -P "$HW_QEMU_PID" 2>/dev/null
	wait "$HW_QEMU_PID" 2>/dev/null
	HW_QEMU_PID=
}

# hw_finish: wait for the guest to power off, split its results into
# $HW_TMP/steps/NAME.{out,err,rc}.
hw_finish() {
	local rc
	wait "$HW_QEMU_PID"
	rc=$?
	HW_QEMU_PID=
	hw_monitor_stop
	HW_BOOT_SECONDS=$(($(date +%s) - HW_T0))
	[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || fail "the guest did not power off in time"
	[ "$rc" -eq 0 ] || fail "qemu exited $rc"
	tr -d '\r' < "$HW_TMP/results.log" > "$HW_TMP/results.txt"
	grep -q '^@@HW-DONE' "$HW_TMP/results.txt" || fail "the guest did not finish its scenario"
	awk -v d="$HW_TMP/steps" '
		/^@@OUT / { f = d "/" $2 ".out"; printf "" > f; next }
		/^@@ERR / { f = d "/" $2 ".err"; printf "" > f; next }
		/^@@RC /  { print $3 > (d "/" $2 ".rc"); print $4 > (d "/" $2 ".t"); f = ""; next }
		/^@@HW-/  { f = ""; next }
		f != ""   { print >> f }
	' "$HW_TMP/results.txt"
	echo "hw: $(basename "$HW_SCRIPT"): guest ran ${HW_BOOT_SECONDS}s" \
		"(booted at $(awk '/^@@HW-BOOTED/ {print $2}' "$HW_TMP/results.txt")s)"
}

# hw_boot SCRIPT [TIMEOUT_S]: hw_start, then hw_finish.
hw_boot() {
	hw_start "$@"
	hw_finish
}

hw_rc() {
	[ -e "$HW_TMP/steps/$1.rc" ] || fail "the guest did not run step $1"
	cat "$HW_TMP/steps/$1.rc"
}
hw_out() { cat "$HW_TMP/steps/$1.out" 2>/dev/null; }
hw_err() { cat "$HW_TMP/steps/$1.err" 2>/dev/null; }

# hw_expect STEP CODE: the step ran and exited CODE.
hw_expect() {
	local got
	got=$(hw_rc "$1")
	[ "$got" -eq "$2" ] || fail "guest step $1 exited $got, expected $2; stderr: $(hw_err "$1")"
}

expect_in() {
	case "$2" in
		*"$1"*) ;;
		*) fail "expected '$1' in: $2" ;;
	esac
}
