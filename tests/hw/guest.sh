# Sourced by a scenario inside the guest (busybox sh). Everything a scenario
# prints goes to the host's results file; hw_step frames one command's
# stdout, stderr and exit status so the host can assert on each
# (tests/hw/lib.sh: hw_out, hw_err, hw_rc).
MARKER="WIPEPROOF-TEST-MARKER"
WIPEPROOF=/usr/bin/wipeproof

# hw_step NAME CMD...: run CMD, then print it framed by @@OUT/@@ERR/@@RC.
hw_step() {
	name=$1
	shift
	"$@" > /tmp/hw-out 2> /tmp/hw-err
	rc=$?
	echo "@@OUT $name"
	cat /tmp/hw-out
	echo
	echo "@@ERR $name"
	cat /tmp/hw-err
	echo
	echo "@@RC $name $rc $(cut -d' ' -f1 /proc/uptime)"
}

# hw_wait_dev DEV: the disks appear within seconds of boot; wait for a
# late one instead of failing on it.
hw_wait_dev() {
	n=0
	while [ ! -b "$1" ] && [ $n -lt 100 ]; do
		sleep 0.2
		n=$((n + 1))
	done
	[ -b "$1" ]
}

# hw_node SERIAL: the kernel node of the disk with that serial, as udev's
# by-id links name it (the host chose the serials).
hw_node() {
	for l in /dev/disk/by-id/*"$1"*; do
		[ -e "$l" ] && readlink -f "$l" && return 0
	done
	return 1
}

# hw_markers DEV: how many 4 KiB blocks still start with the marker (busybox
# dd has no iflag=direct; drop the page cache so the medium is read).
hw_markers() {
	echo 3 > /proc/sys/vm/drop_caches
	dd if="$1" bs=1M 2>/dev/null | grep -a -o "$MARKER" | wc -l
}

# hw_serial DEV: the serial wipeproof shows for DEV (to confirm a wipe).
hw_serial() {
	"$WIPEPROOF" list --json | jq -r --arg p "$1" '.devices[] | select(.path == $p) | .serial'
}

# hw_wait_serials NAME...: wait until udev has linked every WPHW-NAME disk.
hw_wait_serials() {
	for s in "$@"; do
		n=0
		until hw_node "WPHW-$s" >/dev/null || [ $n -ge 100 ]; do
			sleep 0.2
			n=$((n + 1))
		done
	done
}
