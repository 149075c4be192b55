#!/bin/bash
# tests/conformance/run.sh — the conformance oracle (README.md here).
#
#   run.sh OP             run one operation (ctest: conf_OP)
#   run.sh --list         the operation names
#   run.sh --gen-header F write the reference constants header from fresh
#                         captures of the reference tools (reference.h)
#
# Each operation runs a reference tool (hdparm, sg3_utils, nvme-cli from
# Debian) and wipeproof's backend (wpc_drive) against the same scripted
# device (wpc_fake.so, preloaded), and diffs the recorded commands with
# wpc_cmp: every byte of the CDB / NVMe command dwords, the direction, the
# transfer length and the data-out bytes. Then it flips every bit of
# wipeproof's recorded bytes, one at a time, and requires the diff to
# catch each (wpc_cmp --mutate).
#
# A legitimate difference is an edit of the reference record (wpc_cmp.c),
# given below with the reason and the reference source it comes from; the
# field stays pinned to wipeproof's exact value.
#
# Needs: WPC_FAKE, WPC_DRIVE, WPC_CMP (ctest sets them), hdparm, sg3-utils,
# nvme-cli. Exit 0 pass, 1 fail, 77 skip (a reference tool is missing).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)

# The fake device paths: wpc_fake refuses a path that exists here.
ATA_DEV=/dev/wpc-conformance-sda
NVME_DEV=/dev/wpc-conformance-nvme0n1
# libburn (xorriso) takes only /dev/srN (N < 32) as an MMC drive; a machine
# with 32 optical drives would make wpc_fake refuse, never touch one
CD_DEV=/dev/sr31

OPS=(
	ata_identify ata_identify_decode ata_security_set_pass ata_security_erase
	ata_security_erase_enhanced
	ata_security_erase_timeout ata_security_unlock ata_security_disable ata_sanitize_crypto ata_sanitize_block
	ata_sanitize_overwrite ata_sanitize_status ata_read_native_max ata_get_native_max_amax
	ata_set_max_volatile ata_dco_identify ata_dsense_mode_select ata_hidden_decode
	scsi_sanitize_crypto scsi_sanitize_block scsi_sanitize_overwrite scsi_opcodes_sanitize
	scsi_request_sense
	nvme_id_ctrl nvme_id_ns nvme_identify_decode nvme_list_ns_active nvme_list_ns_allocated nvme_format_user
	nvme_format_crypto nvme_format_pi_lbaf nvme_format_fna_all nvme_sanitize_crypto
	nvme_sanitize_crypto_ndi nvme_sanitize_block nvme_sanitize_overwrite nvme_sanitize_log nvme_nsid
	fail_ata_sanitize_failed_state fail_ata_sanitize_fails fail_ata_security_frozen
	fail_ata_sanitize_frozen fail_ata_locked_owner fail_ata_keep_enabled fail_ata_bsy
	fail_ata_sense_key_aborted fail_ata_sense_key_not_ready fail_ata_drq fail_ata_sense_fixed
	fail_ata_sense_fixed_old fail_ata_hidden_fixed
	fail_scsi_request_sense_check fail_scsi_sanitize_fails fail_nvme_sanitize_failed_state
	fail_nvme_format_status fail_nvme_other_active_ns fail_nvme_other_allocated_ns
	fail_nvme_other_controller
	optical_blank_full optical_blank_fast optical_blank_sg_raw optical_overwrite
	fail_optical_write_once fail_optical_pressed fail_optical_blank_fails
	fail_optical_blank_not_empty
	sense_decode mutation_selftest reference_header
)

if [ "${1:-}" = --list ]; then
	printf '%s\n' "${OPS[@]}"
	exit 0
fi

for t in hdparm sg_sanitize sg_opcodes sg_requests nvme sdparm; do
	if ! command -v "$t" >/dev/null; then
		echo "SKIP: $t is not installed (scripts/deps installs hdparm, sg3-utils, nvme-cli, sdparm)"
		exit 77
	fi
done
: "${WPC_FAKE:?set WPC_FAKE to wpc_fake.so}" "${WPC_DRIVE:?}" "${WPC_CMP:?}"

W=$(mktemp -d /tmp/wpc-conf.XXXXXX)
trap 'rm -rf "$W"' EXIT
status=0
checks=0

fail() {
	echo "FAIL: $*"
	status=1
}

# Run under the fake device. MODEL is ata|scsi|nvme, SCRIPT the model flags.
under() {
	local log=$1 model=$2 script=$3 dev=$ATA_DEV
	shift 3
	[ "$model" = nvme ] && dev=$NVME_DEV
	[ "$model" = cd ] && dev=$CD_DEV
	env LD_PRELOAD="$WPC_FAKE" WPC_DEV="$dev" WPC_LOG="$log" WPC_MODEL="$model" \
		WPC_SCRIPT="$script" "$@"
}

# ref MODEL SCRIPT TOOL ARGS... (the device path is appended): the reference
# tool's records go to $W/ref.log, its output to $W/ref.out, its exit code
# to REF_RC.
ref() {
	local model=$1 script=$2 dev=$ATA_DEV
	shift 2
	[ "$model" = nvme ] && dev=$NVME_DEV
	[ "$model" = cd ] && dev=$CD_DEV
	echo "+ reference [$model${script:+ $script}]: $* $dev" >>"$W/trace"
	under "$W/ref.log" "$model" "$script" "$@" "$dev" >>"$W/ref.out" 2>&1 </dev/null
	REF_RC=$?
	[ $REF_RC = 0 ] || REF_FAILED="$REF_FAILED $1 (exit $REF_RC)"
}
REF_FAILED=

# wp MODEL SCRIPT OP: wipeproof's backend, records to $W/wp.log.
wp() {
	local model=$1 script=$2 op=$3 dev=$ATA_DEV bus=$1
	[ "$model" = nvme ] && dev=$NVME_DEV
	[ "$model" = cd ] && dev=$CD_DEV
	echo "+ wipeproof [$model${script:+ $script}]: $op" >>"$W/trace"
	under "$W/wp.log" "$model" "$script" "$WPC_DRIVE" "$bus" "$op" "$dev" >"$W/wp.out" 2>&1 </dev/null
	WP_RC=$?
	# a crash or a sanitizer report must not pass for "wipeproof refused"
	if grep -q 'Sanitizer\|runtime error' "$W/wp.out" ||
		! tail -n 1 "$W/wp.out" | grep -q '^success$\|^failed: '; then
		cat "$W/wp.out"
		fail "wpc_drive $op did not finish normally (exit $WP_RC)"
		WP_RC=99
	fi
}

pick() { # pick FILE SEL [all]: the records with that selector
	touch "$1"
	grep -F " sel=$2 " "$1" || true
}

# same [-all] SEL [EDIT...]: the first reference record with selector SEL
# against every wipeproof record with it (-all: the whole sequences), then
# the mutation check. KNOWN (set by expect_defect) turns a failure into an
# expected one.
same() {
	local all=
	if [ "$1" = -all ]; then
		all=1
		shift
	fi
	local sel=$1
	shift
	checks=$((checks + 1))
	if [ -n "$all" ]; then
		pick "$W/ref.log" "$sel" >"$W/r.sel"
	else
		pick "$W/ref.log" "$sel" | head -n 1 >"$W/r.sel"
		local n
		n=$(pick "$W/wp.log" "$sel" | wc -l)
		for ((i = 1; i < n; i++)); do head -n 1 "$W/r.sel"; done >>"$W/r.sel"
	fi
	pick "$W/wp.log" "$sel" >"$W/w.sel"
	echo "== $sel (${#}${*:+: $*} edits)"
	# the reference tool must have been content with the model's answers,
	# or its record may be a retry or a fallback rather than the operation
	if [ -n "$REF_FAILED" ]; then
		cat "$W/ref.out"
		fail "the reference tool failed on the model:$REF_FAILED"
	fi
	"$WPC_CMP" "$W/r.sel" "$W/w.sel" "$@" >"$W/cmp.out" 2>&1
	local rc=$?
	if [ $rc = 2 ]; then # no reference record, a bad edit: the test is wrong
		cat "$W/cmp.out"
		fail "$sel: the comparison could not be made"
		KNOWN=
		return
	fi
	if [ $rc = 0 ]; then
		cat "$W/cmp.out"
		if "$WPC_CMP" --mutate "$W/r.sel" "$W/w.sel" "$@" >"$W/mut.out" 2>&1; then
			cat "$W/mut.out"
		else
			cat "$W/mut.out"
			fail "$sel: a one-bit change of wipeproof's bytes would not be caught"
		fi
		[ -n "${KNOWN:-}" ] && xpass
	else
		cat "$W/cmp.out"
		echo "  reference: $(head -n 1 "$W/r.sel")"
		echo "  wipeproof: $(head -n 1 "$W/w.sel")"
		if [ -n "${KNOWN:-}" ]; then
			echo "XFAIL: $KNOWN"
		else
			fail "$sel: wipeproof's command differs from the reference tool's"
		fi
	fi
	KNOWN=
}

# XPASS: the defect is fixed. A note by default (the fix may land in
# another branch first); WPC_STRICT=1 makes it a failure, so the mark is
# dropped and the check guards the fix.
xpass() {
	echo "XPASS: $KNOWN is fixed: drop the expect_defect mark in run.sh"
	[ "${WPC_STRICT:-0}" = 1 ] && fail "XPASS under WPC_STRICT=1: $KNOWN"
}

# expect_defect TEXT: the next check fails today for a known defect of
# issue 14 that another change fixes; it passes as XFAIL and reports XPASS
# once fixed.
expect_defect() {
	KNOWN=$1
}

# outcome CONDITION TEXT: a behaviour check (shell condition), with KNOWN.
outcome() {
	checks=$((checks + 1))
	if eval "$1"; then
		echo "ok: $2"
		[ -n "${KNOWN:-}" ] && xpass
	elif [ -n "${KNOWN:-}" ]; then
		echo "XFAIL: $2 ($KNOWN)"
	else
		fail "$2"
	fi
	KNOWN=
}

sent() { # sent LOG SEL: wipeproof or the tool sent such a command
	grep -qF " sel=$2 " "$W/$1.log" 2>/dev/null
}

# ---- edits: the legitimate differences, each with its source ---------------
#
# DEV: hdparm puts 40h in DEVICE for every command (sgio.c tf_init():
# tf->dev = ATA_USING_LBA). For IDENTIFY DEVICE, the SECURITY commands and
# DEVICE CONFIGURATION IDENTIFY, ACS-3 marks DEVICE bit 6 "N/A" (7.12.3,
# 7.45-7.50 inputs, 7.10.6), so wipeproof's 00h asks the same.
DEV='cdb[13]=00'
# CK_COND: hdparm asks for the registers back on every non-data command
# (sgio.c sg16(): cdb[2] = SG_CDB2_CHECK_COND when there is no data); it
# changes only what the SATL returns (SAT-4 12.2.2.2), not the command.
# wipeproof asks where it reads them (status, native max).
NOCK='cdb[2]=00'

# ---- ATA (hdparm 9.65) -----------------------------------------------------------

op_ata_identify() {
	ref ata "" hdparm -I
	wp ata "" probe
	same ata:ec:0000 "$DEV"
}

# hdparm -I's reading of IDENTIFY DEVICE (identify.c), as key=0/1 and
# minutes, in the names wpc_drive prints wipeproof's with
hdparm_identify_fields() {
	awk '
	/^Security:/ { sec = 1; next }
	/^[A-Z]/ { sec = 0 }
	sec && /supported: enhanced erase/ { v["enhanced"] = ($1 != "not"); next }
	sec && /expired: security count/ { v["expired"] = ($1 != "not"); next }
	sec && $NF ~ /^(supported|enabled|locked|frozen)$/ {
		v[$NF == "supported" ? "security" : $NF] = ($1 != "not"); next }
	sec && /min for SECURITY ERASE UNIT/ {
		match($0, /[0-9]+min for SECURITY/); v["erase_min"] = substr($0, RSTART) + 0
		if (match($0, /[0-9]+min for ENHANCED/)) v["enhanced_min"] = substr($0, RSTART) + 0 }
	/SANITIZE feature set/ { v["sanitize"] = ($1 == "*") }
	/CRYPTO_SCRAMBLE_EXT command/ { v["crypto"] = ($1 == "*") }
	/OVERWRITE_EXT command/ { v["overwrite"] = ($1 == "*") }
	/BLOCK_ERASE_EXT command/ { v["block"] = ($1 == "*") }
	/48-bit Address feature set/ { v["lba48"] = 1 }
	/Host Protected Area feature set/ { v["hpa"] = 1 }
	/Device Configuration Overlay feature set/ { v["dco"] = 1 }
	END {
		# a feature hdparm does not list is one the drive does not have
		n = split("security enabled locked frozen expired enhanced sanitize crypto " \
			  "overwrite block lba48 hpa dco", k, " ")
		for (i = 1; i <= n; i++)
			printf "%s=%d ", k[i], v[k[i]] + 0
		if ("erase_min" in v)
			printf "erase_min=%d enhanced_min=%d", v["erase_min"], v["enhanced_min"]
		printf "\n"
	}
	' "$1"
}

op_ata_identify_decode() {
	# How the answer reads: wipeproof's parse of IDENTIFY DEVICE words 59,
	# 82, 83, 89, 90 and 128 against hdparm -I's printout of the same data,
	# for a few drive states
	local s f
	for s in "" enabled,frozen,expired locked,noenh,nosan,w89=0x8007,w90=0x8009 nosec,nohpa,nodco; do
		rm -f "$W/ref.out"
		ref ata "$s" hdparm -I
		wp ata "$s" probe
		local h
		h=$(hdparm_identify_fields "$W/ref.out")
		echo "[$s] hdparm: $h"
		echo "[$s] wipeproof: $(grep '^ata ' "$W/wp.out")"
		for f in $h; do
			outcome 'grep -q "^ata .*\<$f\>" "$W/wp.out"' "[$s] wipeproof reads ${f%=*} as hdparm does (${f#*=})"
		done
	done
}

op_ata_security_set_pass() {
	# the user password "wipeproof" (WP_ATA_TEMP_PASSWORD), high security:
	# hdparm.c do_set_security() data[0] = master bit, data[1] = mode
	ref ata "" hdparm --user-master u --security-mode h --security-set-pass wipeproof
	wp ata "" ata-secure-erase
	same ata:f1:0000 "$DEV"
}

op_ata_security_erase() {
	ref ata enabled hdparm --user-master u --security-erase wipeproof
	wp ata "" ata-secure-erase
	same ata:f3:0000 "$NOCK" "$DEV"
	same ata:f4:0000 "$DEV"
	outcome '[ $WP_RC = 0 ]' "wipeproof's secure erase succeeds on the model"
}

op_ata_security_erase_enhanced() {
	ref ata enabled hdparm --user-master u --security-erase-enhanced wipeproof
	wp ata "" ata-secure-erase-enhanced
	same ata:f3:0000 "$NOCK" "$DEV"
	same ata:f4:0000 "$DEV"
	outcome '[ $WP_RC = 0 ]' "wipeproof's enhanced secure erase succeeds on the model"
}

tmo_of() { # tmo_of LOG SEL: the timeout of the last such record, in ms
	grep -F " sel=$2 " "$W/$1.log" | tail -n 1 | sed -n 's/.* tmo=\([0-9]*\).*/\1/p'
}

op_ata_security_erase_timeout() {
	# How long to wait for ERASE UNIT: never shorter than hdparm's
	# get_erase_timeout_secs() (hdparm.c): the larger of IDENTIFY word 89/90
	# (x 2 min + 60 min; 255 and 32767 mean "more than", taken as 508 + 90
	# and 65532 + 90 min) and 1 s per 30 MB + 30 min of capacity.
	local w user
	for w in 0x801e:0x100000 0x00ff:0x100000 0xffff:0x100000 0x0000:0x800000000; do
		user=${w#*:}
		w=${w%:*}
		rm -f "$W/ref.log" "$W/wp.log"
		ref ata enabled,w89=$w,user=$user hdparm --user-master u --security-erase wipeproof
		wp ata w89=$w,user=$user ata-secure-erase
		local r p
		r=$(tmo_of ref ata:f4:0000)
		p=$(tmo_of wp ata:f4:0000)
		echo "word 89 = $w, $user sectors: hdparm waits ${r} ms, wipeproof ${p} ms"
		outcome "[ -n \"$p\" ] && [ -n \"$r\" ] && [ $p -ge $r ]" \
			"wipeproof waits at least as long as hdparm for ERASE UNIT (word 89 = $w)"
	done
}

op_ata_security_unlock() {
	ref ata locked hdparm --user-master u --security-unlock wipeproof
	wp ata locked recover
	same ata:f2:0000 "$DEV"
}

op_ata_security_disable() {
	# hdparm.c do_set_security(): --security-disable sends UNLOCK, then
	# DISABLE PASSWORD; wipeproof unlocks only a locked drive, so only the
	# DISABLE PASSWORD is compared.
	ref ata enabled hdparm --user-master u --security-disable wipeproof
	wp ata enabled recover
	same ata:f6:0000 "$DEV"
	outcome '[ $WP_RC = 0 ]' "wipeproof removes its temporary password"
}

op_ata_sanitize_crypto() {
	ref ata "" hdparm --yes-i-know-what-i-am-doing --sanitize-crypto-scramble
	wp ata "" ata-sanitize-crypto
	same ata:b4:0011 "$NOCK"
}

op_ata_sanitize_block() {
	# issue 14 defect 1: wipeproof had "BkEx" (426B4578h) for 426B4572h
	ref ata "" hdparm --yes-i-know-what-i-am-doing --sanitize-block-erase
	wp ata "" ata-sanitize-block
	same ata:b4:0012 "$NOCK"
	outcome '[ $WP_RC = 0 ]' "the model (ACS-3 keys) accepts wipeproof's block erase"
}

op_ata_sanitize_overwrite() {
	# pattern 00000000h, one pass, no invert (what wipeproof then verifies)
	ref ata "" hdparm --yes-i-know-what-i-am-doing --sanitize-overwrite-passes 1 \
		--sanitize-overwrite hex:00000000
	wp ata "" ata-sanitize-overwrite
	same ata:b4:0014 "$NOCK"
}

op_ata_sanitize_status() {
	ref ata "" hdparm --sanitize-status
	wp ata "" ata-sanitize-crypto
	same ata:b4:0000
}

op_ata_read_native_max() {
	ref ata native=0x200000 hdparm -N
	wp ata native=0x200000 probe
	same ata:27:0000
	outcome 'grep -q "hpa=1" "$W/wp.out"' "wipeproof sees the HPA"
}

op_ata_get_native_max_amax() {
	# A drive with Accessible Max Address Configuration (IDENTIFY word 119
	# bit 8) has no READ NATIVE MAX ADDRESS EXT; hdparm.c
	# do_get_native_max_sectors() sends GET NATIVE MAX ADDRESS EXT (78h/0000h).
	ref ata amax,native=0x200000 hdparm -N
	wp ata amax,native=0x200000 probe
	same ata:78:0000
	outcome 'grep -q "hidden checked=1 hpa=1" "$W/wp.out"' "wipeproof sees the AMAX-hidden sectors"
}

op_ata_set_max_volatile() {
	# hdparm -N NNN (no "p"): a volatile SET MAX ADDRESS EXT, after READ
	# NATIVE MAX ADDRESS EXT (hdparm.c do_set_max_sectors())
	ref ata native=0x200000 hdparm --yes-i-know-what-i-am-doing -N 2097152
	wp ata native=0x200000 native-max
	same ata:27:0000
	same ata:37:0000 "$NOCK"
}

op_ata_dco_identify() {
	ref ata dco=0x300000 hdparm --dco-identify
	wp ata dco=0x300000 probe
	same ata:b1:00c2 "$DEV"
	outcome 'grep -q "dco=1" "$W/wp.out"' "wipeproof sees the DCO-hidden sectors"
}

op_ata_hidden_decode() {
	# How the answers read: hdparm -N prints the native max from READ NATIVE
	# MAX ADDRESS EXT's LBA(47:0) + 1 (descriptor sense), --dco-identify the
	# DCO's "Real max sectors" (words 3-5 + 1); wipeproof must read the same
	# numbers out of the same answers. Values with every byte different, so
	# a swapped or dropped byte shows.
	local script=user=0x100000000,native=0x123456789a,dco=0x2233445566
	ref ata $script hdparm -N
	ref ata $script hdparm --dco-identify
	wp ata $script probe
	local n d
	n=$(sed -n 's/.*max sectors *= *[0-9]*\/\([0-9]*\).*/\1/p' "$W/ref.out")
	d=$(sed -n 's/.*Real max sectors: *\([0-9]*\).*/\1/p' "$W/ref.out")
	echo "hdparm: native $n, DCO $d; wipeproof: $(grep '^sectors' "$W/wp.out")"
	outcome '[ -n "$n" ] && grep -q "^sectors .* native=$n " "$W/wp.out"' \
		"wipeproof reads the native max as hdparm does"
	outcome '[ -n "$d" ] && grep -q "^sectors .* dco=$d\$" "$W/wp.out"' \
		"wipeproof reads the DCO's real max as hdparm does"
}

# ---- SCSI (sg3_utils 1.46) --------------------------------------------------------

op_scsi_sanitize_crypto() {
	ref scsi "" sg_sanitize --quick --crypto
	wp scsi "" scsi-sanitize-crypto
	same scsi:48
	# sg_sanitize polls like wipeproof: REQUEST SENSE, 252 bytes, fixed
	# format, until no progress indication; the whole sequence must agree
	same -all scsi:03
}

op_scsi_sanitize_block() {
	ref scsi "" sg_sanitize --quick --block
	wp scsi "" scsi-sanitize-block
	same scsi:48
	same -all scsi:03
}

op_scsi_sanitize_overwrite() {
	# one pass (sg_sanitize's --count default, 1), a 4-byte pattern of zeros
	head -c 4 /dev/zero >"$W/pattern"
	ref scsi "" sg_sanitize --quick --overwrite --pattern="$W/pattern"
	wp scsi "" scsi-sanitize-overwrite
	same scsi:48
	same -all scsi:03
}

op_scsi_opcodes_sanitize() {
	# REPORT SUPPORTED OPERATION CODES, one command with service action.
	# Allocation length: sg_opcodes.c MX_ALLOC_LEN 8192, wipeproof 64 (the
	# one-command answer is 14 bytes, SPC-5 6.35.3): CDB bytes 6-9 and the
	# transfer length say how much the host accepts, not what it asks.
	local sa
	for sa in 1 2 3; do
		ref scsi "" sg_opcodes --opcode=0x48,$sa
	done
	wp scsi "" probe
	same -all scsi:a3 'cdb[8]=00' 'cdb[9]=40' 'len=00000040'
}

op_scsi_request_sense() {
	# sg_requests.c: allocation length DEF_REQS_RESP_LEN 252 in the CDB, fixed
	# format; its buffer is rsBuff[MAX_REQS_RESP_LEN + 1], 256 bytes, and that
	# is the transfer length it gives SG_IO. The device sends at most what the
	# CDB allows, so the transfer length is a host buffer size.
	ref scsi "" sg_requests
	wp scsi polls=3 scsi-sanitize-crypto
	same scsi:03 len=000000fc
}

# ---- NVMe (nvme-cli 2.3, libnvme 1.3) -----------------------------------------------

op_nvme_id_ctrl() {
	ref nvme "" nvme id-ctrl
	wp nvme "" probe
	same nvme:06:01
}

op_nvme_id_ns() {
	ref nvme "" nvme id-ns
	wp nvme "" probe
	same nvme:06:00
}

op_nvme_list_ns_active() {
	# nvme.c list_ns(): NSID = --namespace-id (default 1) - 1 = 0
	ref nvme "" nvme list-ns
	wp nvme "" probe
	same nvme:06:02
}

op_nvme_list_ns_allocated() {
	# CNS 10h: every namespace of the subsystem, attached or not
	ref nvme "" nvme list-ns --all
	wp nvme "" probe
	same nvme:06:10
}

op_nvme_identify_decode() {
	# How the answers read: the fields wipeproof takes from Identify
	# Controller (OACS, SANICAP, NN, FNA) and Identify Namespace (FLBAS, DPS,
	# DLFEAT) against nvme-cli's printout of the same data (nvme-print.c)
	local s=oacs=0x015e,sanicap=0x60000007,fna=0x05,nn=0x21,flbas=0x13,dps=0x0b,dlfeat=0x19 f
	ref nvme $s nvme id-ctrl
	ref nvme $s nvme id-ns
	wp nvme $s probe
	grep '^nvme ' "$W/wp.out"
	for f in oacs sanicap nn fna flbas dps dlfeat; do
		local v
		v=$(sed -n "s/^$f *: *\([0-9a-fx]*\)\$/\1/p" "$W/ref.out" | head -n 1)
		outcome '[ -n "$v" ] && [ $((v)) = $(($(sed -n "s/.* $f=\([0-9a-fx]*\).*/\1/p" "$W/wp.out"))) ]' \
			"wipeproof reads $f as nvme-cli does ($v)"
	done
}

op_nvme_format_user() {
	# nvme.c format(): --timeout default 600000 ms vs wipeproof's 4 h: a
	# host wait (ignored, tmo)
	ref nvme "" nvme format --ses=1 --force
	wp nvme "" nvme-format-user
	same nvme:80
}

op_nvme_format_crypto() {
	ref nvme "" nvme format --ses=2 --force
	wp nvme "" nvme-format-crypto
	same nvme:80
}

op_nvme_format_pi_lbaf() {
	# A namespace formatted with metadata and protection: FLBAS 31h (LBA
	# format 17 = 11h, extended LBA, MSET 1), DPS 09h (PI type 1, first 8
	# bytes). wipeproof keeps them; nvme-cli is told them. Same CDW10 bits:
	# LBAF 3:0, MSET 4, PI 7:5, PIL 8, SES 11:9, LBAF upper 13:12 (libnvme
	# ioctl.c nvme_format_nvm(), nvme.c format() lbafu).
	# nvme-cli 2.3 drops LBAFU: nvme.c format() takes
	# .lbafu = (cfg.lbaf & NVME_NS_FLBAS_HIGHER_MASK) >> 4, a mask (60h) meant
	# for FLBAS, not for the index 11h, so CDW10 bit 12 stays clear and it
	# would format to LBA format 1. Fixed in nvme-cli v2.10 (commit ede9a5f87,
	# "nvme: use proper mask to get correct lbafu value"): the edit puts the
	# fixed tool's bit 12 in.
	ref nvme flbas=0x31,dps=0x09 nvme format --ses=1 --ms=1 --pi=1 --pil=1 --force
	wp nvme flbas=0x31,dps=0x09 nvme-format-user
	same nvme:80 'cdw10[2]=13'
}

op_nvme_format_fna_all() {
	# FNA bit 0: a format acts on every namespace; nvme.c format() then sends
	# NSID FFFFFFFFh (NVME_NSID_ALL)
	ref nvme fna=0x05 nvme format --ses=1 --force
	wp nvme fna=0x05 nvme-format-user
	same nvme:80
}

op_nvme_sanitize_crypto() {
	# nvme-cli 2.3 as Debian ships it refuses a numeric --sanact ("Expected
	# byte argument"); the names give the same SANACT (nvme.c parse_sanact()).
	# wipeproof asks for no-deallocate when SANICAP.NDI is clear, so the
	# medium can be read back: nvme-cli --no-dealloc (NDAS, CDW10 bit 9)
	ref nvme "" nvme sanitize --sanact=start-crypto-erase --no-dealloc
	wp nvme "" nvme-sanitize-crypto
	same nvme:84
}

op_nvme_sanitize_crypto_ndi() {
	# SANICAP bit 29 (NDI): no-deallocate inhibited, so NDAS stays clear
	ref nvme sanicap=0x20000007 nvme sanitize --sanact=start-crypto-erase
	wp nvme sanicap=0x20000007 nvme-sanitize-crypto
	same nvme:84
}

op_nvme_sanitize_block() {
	ref nvme "" nvme sanitize --sanact=start-block-erase --no-dealloc
	wp nvme "" nvme-sanitize-block
	same nvme:84
}

op_nvme_sanitize_overwrite() {
	ref nvme "" nvme sanitize --sanact=start-overwrite --owpass=1 --ovrpat=0 --no-dealloc
	wp nvme "" nvme-sanitize-overwrite
	same nvme:84
}

op_nvme_sanitize_log() {
	ref nvme "" nvme sanitize-log
	wp nvme "" nvme-sanitize-crypto
	same nvme:02:81
}

op_nvme_nsid() {
	# NVME_IOCTL_ID is not a command to the device; both ask it the same way
	ref nvme "" nvme id-ns
	wp nvme "" probe
	outcome 'grep -q "^ioctl req=00004e40 nvme-id" "$W/ref.log" && grep -q "^ioctl req=00004e40 nvme-id" "$W/wp.log"' \
		"both read the namespace id with NVME_IOCTL_ID"
}

op_sense_decode() {
	# wipeproof's sense decoder (fw_scsi.c wp_sense_decode) against
	# sg3_utils' sg_decode_sense on the same bytes: the sense key, the
	# progress indication (fixed format SKS, descriptor 02h) and the ATA
	# Status Return descriptor (09h, with and without EXTEND).
	local cases=(
		"72 01 00 1d 00 00 00 0e 09 0c 01 04 12 34 56 78 9a bc de f0 40 51"
		"72 0b 00 00 00 00 00 0e 09 0c 00 04 12 34 56 78 9a bc de f0 40 51"
		"72 01 00 1d 00 00 00 0e 09 0c 01 00 80 00 00 ff 00 ff 00 ff 40 50"
		"70 00 02 00 00 00 00 0a 00 00 00 00 04 1b 00 80 40 00"
		"70 00 02 00 00 00 00 0a 00 00 00 00 04 1b 00 80 ff ff"
		"72 02 04 1b 00 00 00 08 02 06 00 00 80 00 01 00"
		"70 00 03 00 00 00 00 0a 00 00 00 00 31 03 00 00 00 00"
	)
	local k c sg ours want got f
	for k in 0 1 2 3 4 5 6 7 8 a b d e f; do
		cases+=("70 00 0$k 00 00 00 00 0a 00 00 00 00 00 00 00 00 00 00")
	done
	for c in "${cases[@]}"; do
		sg=$(sg_decode_sense $c 2>&1)
		ours=$("$WPC_DRIVE" sense $c 2>&1)
		echo "[$c] sg: $(tr '\n' ' ' <<<"$sg")"
		echo "[$c] wp: $(tr '\n' ' ' <<<"$ours")"
		# sense key: the same name (SPC-5 table 48; keys 9 and C are named
		# differently by the two and left out above)
		want=$(sed -n 's/.*Sense key: //p' <<<"$sg" | tr a-z A-Z)
		got=$(sed -n 's/^text=\([A-Z ]*\),.*/\1/p' <<<"$ours")
		outcome '[ -n "$want" ] && [ "$want" = "$got" ]' "[$c] sense key $want"
		want=$(grep -o 'Progress indication: [0-9.]*%' <<<"$sg" | head -n 1 | sed 's/.*: //')
		got=$(grep -o 'progress=[0-9.]*%' <<<"$ours" | sed 's/.*=//')
		outcome '[ "$want" = "$got" ]' "[$c] progress ${want:-none}"
		for f in error count lba device status; do
			want=$(grep -o "$f=0x[0-9a-f]*" <<<"$sg" | head -n 1 | sed 's/.*=//')
			got=$(grep -o "$f=0x[0-9a-f]*" <<<"$ours" | head -n 1 | sed 's/.*=//')
			outcome '[ "${want:+$((want))}" = "${got:+$((got))}" ]' "[$c] ATA $f ${want:-none}"
		done
	done
}

# ---- failure paths --------------------------------------------------------------------
#
# Where the reference tool shows how the device's answer reads, its verdict
# is checked first; then wipeproof's on the same script.

op_fail_ata_sanitize_failed_state() {
	# ACS-3 SD3: SANITIZE STATUS EXT aborts with LBA(7:0) = 01h until a
	# sanitize completes; hdparm.c sanitize_error_output() names the reason.
	ref ata san_failed hdparm --sanitize-status
	outcome '[ $REF_RC != 0 ] && grep -q "SD3 Sanitize Operation Failed" "$W/ref.out"' \
		"hdparm reads the failed state from LBA(7:0) = 01h"
	wp ata san_failed ata-sanitize-crypto
	outcome 'sent wp ata:b4:0011 && [ $WP_RC = 0 ]' \
		"wipeproof starts a new sanitize from the failed state (the only way out of it)"
}

op_fail_ata_sanitize_fails() {
	# the sanitize fails on the drive: SANITIZE STATUS EXT then aborts with
	# reason 01h (ACS-3 7.43.3.4, hdparm.c sanitize_error_output())
	wp ata san_fail ata-sanitize-crypto
	outcome '[ $WP_RC = 1 ]' "a sanitize that fails on the drive fails the wipe"
	outcome 'grep -qiE "reason[^.;]*01h" "$W/wp.out"' \
		"wipeproof's message shows the drive's reason code (01h)"
}

op_fail_ata_security_frozen() {
	ref ata frozen hdparm --user-master u --security-erase wipeproof
	outcome '[ $REF_RC != 0 ]' "hdparm's erase fails on a frozen drive"
	wp ata frozen ata-secure-erase
	outcome '[ $WP_RC = 1 ] && grep -q frozen "$W/wp.out" && ! sent wp ata:f1:0000' \
		"wipeproof refuses a frozen drive before setting a password"
}

op_fail_ata_sanitize_frozen() {
	ref ata san_frozen hdparm --sanitize-status
	outcome 'grep -q "SD1 Sanitize Frozen" "$W/ref.out"' "hdparm reads SANITIZE FROZEN (COUNT bit 13)"
	wp ata san_frozen ata-sanitize-crypto
	outcome '[ $WP_RC = 1 ] && grep -qi frozen "$W/wp.out" && ! sent wp ata:b4:0011' \
		"wipeproof refuses a sanitize-frozen drive before sending the sanitize"
}

op_fail_ata_locked_owner() {
	# locked with a password that is not wipeproof's
	ref ata locked,owner hdparm --user-master u --security-unlock wipeproof
	outcome '[ $REF_RC != 0 ]' "hdparm's unlock with the wrong password fails"
	wp ata locked,owner ata-secure-erase
	outcome '[ $WP_RC = 1 ] && grep -q "owner" "$W/wp.out" && ! sent wp ata:f1:0000 && ! sent wp ata:f4:0000' \
		"wipeproof leaves an owner's password alone and erases nothing"
}

op_fail_ata_keep_enabled() {
	# ERASE UNIT answers success but security stays enabled: the erase did
	# not happen (ACS-3 7.47.4: a completed erase disables the password)
	wp ata keep_enabled ata-secure-erase
	outcome '[ $WP_RC = 1 ]' "wipeproof fails when security is still enabled after the erase"
}

op_fail_ata_bsy() {
	# the status register comes back with BSY set: nothing is known yet
	wp ata bsy ata-sanitize-crypto
	outcome '[ $WP_RC = 1 ]' "wipeproof does not take BSY for success"
}

op_fail_ata_sense_key_aborted() {
	# SAT-4 12.2.2: success is GOOD, or RECOVERED ERROR / NO SENSE with
	# ATA PASS-THROUGH INFORMATION AVAILABLE (00h/1Dh); ABORTED COMMAND
	# with ERR clear is not a completed command
	wp ata key_aborted ata-sanitize-crypto
	outcome '[ $WP_RC = 1 ]' "wipeproof does not take ABORTED COMMAND for success"
}

op_fail_ata_sense_key_not_ready() {
	wp ata key_not_ready ata-sanitize-crypto
	outcome '[ $WP_RC = 1 ]' "wipeproof does not take NOT READY for success"
}

op_fail_ata_drq() {
	# sgio.c sg16(): hdparm fails a command that ends with ERR or DRQ set
	ref ata drq hdparm --sanitize-status
	outcome '[ $REF_RC != 0 ]' "hdparm fails a command that ends with DRQ set"
	wp ata drq ata-sanitize-crypto
	outcome '[ $WP_RC = 1 ]' "wipeproof does not take DRQ for success"
}

op_fail_ata_sense_fixed() {
	# fixed-format sense, the layout of kernels with 38dab832c3f4 (SAT-4
	# 12.2.2.7): the sanitize is followed to its end through COUNT's
	# "upper nonzero" flag and the progress field
	wp ata fixed ata-sanitize-crypto
	outcome '[ $WP_RC = 0 ]' "wipeproof follows a sanitize through fixed-format sense"
	# hdparm 9.65 reads the registers only from descriptor sense (sgio.c
	# sg16(): "bad/missing sense data"), so on fixed format it reports a
	# drive in the failed state as idle, and succeeds
	ref ata fixed,san_failed hdparm --sanitize-status
	outcome 'grep -q "bad/missing sense data" "$W/ref.out" && grep -q "SD0 Sanitize Idle" "$W/ref.out"' \
		"hdparm misreads fixed-format sense (the failed state shows as idle)"
	wp ata fixed,san_failed ata-sanitize-crypto
	outcome '[ $WP_RC = 1 ] || sent wp ata:b4:0011' \
		"wipeproof reads the abort from fixed-format sense: it never reports an idle drive"
}

op_fail_ata_sense_fixed_old() {
	# the fixed-format offsets of kernels before 38dab832c3f4: registers
	# from byte 8. wipeproof must not read a success out of it.
	wp ata fixed_old ata-sanitize-crypto
	outcome '[ $WP_RC = 1 ]' "wipeproof reports no registers rather than a made-up status"
	wp ata fixed_old,san_failed ata-sanitize-crypto
	outcome '[ $WP_RC = 1 ]' "... also from the failed state"
}

op_fail_ata_hidden_fixed() {
	# fixed-format sense hides LBA(47:24) of READ NATIVE MAX: the hidden
	# area must not be reported as checked
	wp ata fixed,user=0x1000000,native=0x2000000 probe
	outcome 'grep -q "hidden checked=0" "$W/wp.out" || grep -q "hidden checked=1 hpa=1" "$W/wp.out"' \
		"wipeproof never says checked without the native max"
}

op_ata_dsense_mode_select() {
	# Fixed-format sense hides LBA(47:24): issue 14 defect 6 asks for
	# descriptor sense through the control mode page's D_SENSE, the old value
	# read and restored. The reference: sdparm --set=D_SENSE=1 and =0 (MODE
	# SELECT(10), PF, the page as MODE SENSE returned it with only D_SENSE
	# changed; sdparm.c / sdparm_access.c).
	ref ata fixed sdparm --set=D_SENSE=1
	ref ata "" sdparm --set=D_SENSE=0
	wp ata fixed,user=0x1000000,native=0x2000000 probe
	same -all scsi:55
	outcome 'grep -q "hidden checked=1 hpa=1" "$W/wp.out"' "wipeproof reads the HPA after switching to descriptor sense"
	outcome 'sent wp scsi:55 && pick "$W/wp.log" scsi:55 | tail -n 1 | grep -q "out=0000000000000000"' \
		"wipeproof puts D_SENSE back as it found it (clear)"
}

op_fail_scsi_request_sense_check() {
	# REQUEST SENSE itself ends in CHECK CONDITION
	ref scsi rs_check sg_requests
	outcome '[ $REF_RC != 0 ]' "sg_requests fails when REQUEST SENSE fails"
	wp scsi rs_check scsi-sanitize-crypto
	outcome '[ $WP_RC = 1 ]' "wipeproof does not take a failed REQUEST SENSE for the end of the sanitize"
}

op_fail_scsi_sanitize_fails() {
	wp scsi san_fail scsi-sanitize-crypto
	outcome '[ $WP_RC = 1 ] && grep -qi "sanitize command failed" "$W/wp.out"' \
		"MEDIUM ERROR 31h/03h after the sanitize fails the wipe"
}

op_fail_nvme_sanitize_failed_state() {
	ref nvme sstat_failed nvme sanitize-log
	outcome 'grep -qi "0x3" "$W/ref.out"' "nvme-cli shows SSTAT 3 (failed)"
	wp nvme sstat_failed nvme-sanitize-crypto
	outcome '[ $WP_RC = 0 ] && sent wp nvme:84' "wipeproof starts a new sanitize from the failed state"
}

op_fail_nvme_format_status() {
	ref nvme format_fail nvme format --ses=1 --force
	outcome '[ $REF_RC != 0 ]' "nvme-cli fails on status 410Ah (Invalid Format)"
	wp nvme format_fail nvme-format-user
	outcome '[ $WP_RC = 1 ] && grep -q "Invalid Format" "$W/wp.out"' "wipeproof names the status"
}

op_fail_nvme_other_active_ns() {
	ref nvme active=1+2,nn=2 nvme list-ns
	outcome 'grep -q "0x2" "$W/ref.out"' "nvme-cli lists namespace 2"
	wp nvme active=1+2,nn=2 nvme-sanitize-crypto
	outcome '[ $WP_RC = 1 ] && ! sent wp nvme:84' "wipeproof refuses a sanitize that would erase namespace 2"
}

op_fail_nvme_other_allocated_ns() {
	ref nvme active=1,allocated=1+2,nn=2 nvme list-ns --all
	outcome 'grep -q "0x2" "$W/ref.out"' "nvme-cli lists allocated namespace 2"
	wp nvme active=1,allocated=1+2,nn=2 nvme-sanitize-crypto
	outcome '[ $WP_RC = 1 ] && ! sent wp nvme:84' "wipeproof refuses a sanitize that would erase an unattached namespace"
}

op_fail_nvme_other_controller() {
	# CMIC bit 1: the subsystem may have more controllers, whose namespaces
	# a sanitize erases too; this controller's active list does not show
	# them, the allocated list (CNS 10h, Namespace Management) does.
	# (a) no Namespace Management (OACS bit 3 clear): they cannot be seen
	wp nvme cmic=0x02,oacs=0x02 nvme-sanitize-crypto
	outcome '[ $WP_RC = 1 ] && ! sent wp nvme:84' \
		"wipeproof refuses a sanitize on a multi-controller subsystem it cannot see whole"
	# (b) the allocated list names namespace 3, attached elsewhere
	wp nvme cmic=0x02,allocated=1+3,nn=3 nvme-sanitize-crypto
	outcome '[ $WP_RC = 1 ] && ! sent wp nvme:84' \
		"wipeproof refuses a sanitize that would erase another controller's namespace"
	# (c) the allocated list shows namespace 1 alone: nothing else to erase
	wp nvme cmic=0x02 nvme-sanitize-crypto
	outcome '[ $WP_RC = 0 ] && sent wp nvme:84' \
		"wipeproof sanitizes when the whole subsystem is this one namespace"
}

# ---- the oracle checks itself ---------------------------------------------------------

# ---- optical discs (MMC-6; xorriso 1.5.4 / libburn 1.5.4, sg3_utils' sg_raw) ----------
#
# The model is an MMC drive (wpc_fake.c, WPC_MODEL=cd) that xorriso drives
# like a real one. xorriso puts the device in the middle of its arguments,
# so it runs through bash -c with the device as $0.

need_xorriso() {
	if ! command -v xorriso >/dev/null; then
		echo "SKIP: xorriso is not installed (scripts/deps installs it)"
		exit 77
	fi
}

xorriso_blank() { # xorriso_blank SCRIPT MODE: xorriso -outdev DEV -blank MODE
	ref cd "$1" bash -c 'exec xorriso -outdev "$0" -blank '"$2"
}

op_optical_blank_full() {
	need_xorriso
	# libburn mmc_erase(): opcode[1] = 16 (IMMED) | !!fast
	xorriso_blank "" all
	wp cd "" optical-blank-full
	outcome '[ $REF_RC = 0 ] && [ $WP_RC = 0 ]' "xorriso and wipeproof blank the CD-RW"
	same mmc:a1
	# what the disc is: the feature header's current profile, as libburn asks first
	same mmc:46
	# the polls: TEST UNIT READY, and REQUEST SENSE (18 bytes) while NOT READY
	same mmc:00
	same mmc:03
	# afterwards: READ DISC INFORMATION (34 bytes) must call the disc empty
	same mmc:51
	outcome 'grep -q "is blank" "$W/ref.out"' "xorriso reads the model disc as blank after it"
}

op_optical_blank_fast() {
	need_xorriso
	xorriso_blank "" fast
	wp cd "" optical-blank-fast
	same mmc:a1
	same mmc:03
}

op_optical_blank_sg_raw() {
	# the bytes typed from MMC-6 6.2 (BLANK): A1h; byte 1 bit 4 IMMED, bits
	# 2-0 blanking type 000b (blank the disc); start address 0; 12 bytes
	ref cd "" bash -c 'exec sg_raw "$0" a1 10 00 00 00 00 00 00 00 00 00 00'
	wp cd "" optical-blank-full
	same mmc:a1
	: >"$W/ref.log"
	# type 001b: minimally blank the disc
	ref cd "" bash -c 'exec sg_raw "$0" a1 11 00 00 00 00 00 00 00 00 00 00'
	: >"$W/wp.log"
	wp cd "" optical-blank-fast
	same mmc:a1
}

op_optical_overwrite() {
	need_xorriso
	# DVD+RW (profile 1Ah): xorriso -blank invalidates an overwritable
	# medium by writing 64 KiB of zeros from LBA 0, as two WRITE(10) of 16
	# blocks (a DVD ECC block); wipeproof writes every block of the
	# 32-block model disc with the same two commands, reads it back with
	# the READ(10) libburn uses (LBA 0, 32 blocks) and asks the size with
	# READ CAPACITY
	xorriso_blank profile=0x1a,blocks=32 all
	wp cd profile=0x1a,blocks=32 optical-overwrite
	outcome '[ $WP_RC = 0 ]' "wipeproof overwrites the DVD+RW and reads it back"
	outcome 'sent ref mmc:2a' "xorriso writes to the DVD+RW"
	outcome '! sent wp mmc:a1' "no BLANK is sent to a DVD+RW"
	same -all mmc:2a
	same mmc:28
	same mmc:25
	# libburn sets IMMED on SYNCHRONIZE CACHE and polls TEST UNIT READY
	# (mmc.c mmc_sync_cache()); wipeproof waits for the command itself
	same mmc:35 'cdb[1]=00'
	# BD-RE (profile 43h): the same commands
	: >"$W/ref.log"
	: >"$W/wp.log"
	xorriso_blank profile=0x43,blocks=32 all
	wp cd profile=0x43,blocks=32 optical-overwrite
	same -all mmc:2a
	# a disc whose blocks do not read back as written is not erased
	: >"$W/wp.log"
	wp cd profile=0x1a,blocks=40,write_lost=20 optical-overwrite
	outcome '[ $WP_RC = 1 ] && grep -q "block 20 reads back data that is not the zeros" "$W/wp.out"' \
		"a write the disc lost is found by the read-back"
}

op_fail_optical_write_once() {
	need_xorriso
	xorriso_blank profile=0x09 all
	outcome '[ $REF_RC != 0 ] && ! sent ref mmc:a1' "xorriso refuses to blank a CD-R"
	wp cd profile=0x09 optical-blank-full
	outcome '[ $WP_RC = 1 ] && grep -q "CD-R (write-once): it cannot be erased, destroy it" "$W/wp.out"' \
		"wipeproof refuses the CD-R, naming it and what to do"
	outcome '! sent wp mmc:a1 && ! sent wp mmc:2a && [ "$(grep -c " sel=" "$W/wp.log")" = 1 ]' \
		"nothing but GET CONFIGURATION is sent to a write-once disc"
	for p in 0x11 0x1b 0x2b 0x41; do
		: >"$W/wp.log"
		wp cd profile=$p optical-overwrite
		outcome '[ $WP_RC = 1 ] && grep -q "write-once" "$W/wp.out" && ! sent wp mmc:2a' \
			"profile $p: write-once, refused before anything is written"
	done
}

op_fail_optical_pressed() {
	wp cd profile=0x08 optical-blank-full
	outcome '[ $WP_RC = 1 ] && grep -q "CD-ROM (pressed)" "$W/wp.out" && ! sent wp mmc:a1' \
		"a pressed CD-ROM (QEMU's scsi-cd with an ISO) is refused"
	: >"$W/wp.log"
	wp cd profile=0x0a optical-overwrite
	outcome '[ $WP_RC = 1 ] && grep -q "erased by BLANK" "$W/wp.out" && ! sent wp mmc:2a' \
		"a CD-RW is not overwritten: BLANK is its erase"
	: >"$W/wp.log"
	wp cd profile=0x43 optical-blank-full
	outcome '[ $WP_RC = 1 ] && grep -q "no BLANK for a BD-RE" "$W/wp.out" && ! sent wp mmc:a1' \
		"a BD-RE gets no BLANK"
}

op_fail_optical_blank_fails() {
	need_xorriso
	xorriso_blank blank_fail,polls=2 all
	outcome '[ $REF_RC != 0 ]' "xorriso fails when the drive reports MEDIUM ERROR 51h/00h"
	wp cd blank_fail,polls=2 optical-blank-full
	outcome '[ $WP_RC = 1 ] && grep -q "erase failure" "$W/wp.out"' \
		"wipeproof fails the blank, naming ERASE FAILURE"
}

op_fail_optical_blank_not_empty() {
	# a drive that says the blank ended but still reports a recorded disc
	wp cd blank_noop optical-blank-full
	outcome '[ $WP_RC = 1 ] && grep -q "not empty afterwards" "$W/wp.out"' \
		"a blank that leaves the disc recorded is a failure"
}

op_mutation_selftest() {
	# A wrong byte must fail the diff: wipeproof's block erase with the key
	# of issue 14 defect 1 ("BkEx") planted into the record.
	ref ata "" hdparm --yes-i-know-what-i-am-doing --sanitize-block-erase
	pick "$W/ref.log" ata:b4:0012 | head -n 1 >"$W/r.sel"
	sed 's/cdb=\(.\{16\}\)72/cdb=\178/' "$W/r.sel" >"$W/w.sel"
	checks=$((checks + 1))
	if "$WPC_CMP" "$W/r.sel" "$W/w.sel" >"$W/cmp.out"; then
		fail "the diff does not see the BkEx key"
	else
		cat "$W/cmp.out"
		echo "ok: the diff catches the BkEx key"
	fi
	outcome '"$WPC_CMP" --mutate "$W/r.sel" "$W/r.sel" >"$W/mut.out" && grep -q " 0 survived" "$W/mut.out"' \
		"every one-bit change of hdparm's own record is caught"
	cat "$W/mut.out"
}

# ---- the reference constants header -------------------------------------------------------
#
# tests/conformance/reference.h: the opcodes, features, keys and fields the
# reference tools sent, read out of their records here, so that
# tests/unit/fwsim.h can decode wipeproof's commands with values that did
# not come from wipe/. Regenerate with
#   WPC_FAKE=build/tests/conformance/wpc_fake.so WPC_DRIVE=build/tests/conformance/wpc_drive \
#   WPC_CMP=build/tests/conformance/wpc_cmp bash tests/conformance/run.sh --gen-header \
#   tests/conformance/reference.h
# conf_reference_header fails when the checked-in file and a fresh capture differ.

cap() { # cap NAME MODEL SCRIPT TOOL ARGS...: one tool run, its own log
	local name=$1
	shift
	rm -f "$W/ref.log"
	ref "$@"
	touch "$W/ref.log"
	# INQUIRY (sg3_utils asks it first) is none of the constants
	grep -v -e '^ioctl' -e ' sel=scsi:12 ' "$W/ref.log" >"$W/cap-$name.log"
}
rec() { # rec NAME N: record N of a capture (1-based; -1 the last)
	if [ "$2" = -1 ]; then tail -n 1 "$W/cap-$1.log"; else sed -n "$2p" "$W/cap-$1.log"; fi
}
val() { # val RECORD KEY
	tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}
byte() { # byte RECORD KEY I: byte I of a hex field, as 0xHH
	local v
	v=$(val "$1" "$2")
	echo "0x${v:$((2 * $3)):2}"
}
ata_lba() { # the 48-bit LBA of an ATA PASS-THROUGH(16) record
	local c
	c=$(val "$1" cdb)
	printf '0x%s%s%s%s%s%s' "${c:22:2}" "${c:18:2}" "${c:14:2}" "${c:24:2}" "${c:20:2}" "${c:16:2}"
}
ata_feature() {
	local c
	c=$(val "$1" cdb)
	printf '0x%s%s' "${c:6:2}" "${c:8:2}"
}
pkgver() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown
}
def() { # def NAME VALUE COMMENT
	printf '#define %-34s %s /* %s */\n' "$1" "$2" "$3"
}

# How the tools READ the device's answers, probed: the model answers each
# bit or value in turn and the tool's printout names it. (The answers'
# layout is the other half of a shared mistake: a simulator that encodes the
# in-progress bit where wipe/ decodes it would agree with a wrong decoder.)
ata_status_bit() { # ata_status_bit TEXT: the SANITIZE STATUS COUNT bit hdparm prints as TEXT
	local b
	for b in $(seq 0 15); do
		rm -f "$W/ref.out"
		ref ata "status_count=$((1 << b))" hdparm --sanitize-status
		if grep -qF "$1" "$W/ref.out"; then
			printf '0x%04x' $((1 << b))
			return
		fi
	done
	echo "NOT-FOUND"
}
ata_reason() { # ata_reason TEXT: the LBA(7:0) reason hdparm prints as TEXT
	local n
	for n in $(seq 0 15); do
		rm -f "$W/ref.out"
		ref ata "san_failed,reason=$n" hdparm --sanitize-status
		if grep -qF "$1" "$W/ref.out"; then
			printf '0x%02x' "$n"
			return
		fi
	done
	echo "NOT-FOUND"
}
nvme_sstat() { # nvme_sstat TEXT: the SSTAT value nvme-cli prints as TEXT
	local n
	for n in $(seq 0 7); do
		rm -f "$W/ref.out"
		ref nvme "sstat=$n" nvme sanitize-log -H
		if grep -qF "$1" "$W/ref.out"; then
			echo "$n"
			return
		fi
	done
	echo "NOT-FOUND"
}

gen_header() {
	head -c 4 /dev/zero >"$W/pattern"
	cap identify ata "" hdparm -I
	cap setpass ata "" hdparm --user-master u --security-set-pass wipeproof
	cap erase ata enabled hdparm --user-master u --security-erase-enhanced wipeproof
	cap disable ata enabled hdparm --user-master u --security-disable wipeproof
	cap crypto ata "" hdparm --yes-i-know-what-i-am-doing --sanitize-crypto-scramble
	cap block ata "" hdparm --yes-i-know-what-i-am-doing --sanitize-block-erase
	cap ow ata "" hdparm --yes-i-know-what-i-am-doing --sanitize-overwrite-passes 1 \
		--sanitize-overwrite hex:00000000
	cap status ata "" hdparm --sanitize-status
	cap setmax ata native=0x200000 hdparm --yes-i-know-what-i-am-doing -N 2097152
	cap amax ata amax,native=0x200000 hdparm -N
	cap dco ata dco=0x300000 hdparm --dco-identify
	cap dsense ata fixed sdparm --set=D_SENSE=1
	cap s_ow scsi "" sg_sanitize --quick --early --overwrite --pattern="$W/pattern"
	cap s_block scsi "" sg_sanitize --quick --early --block
	cap s_crypto scsi "" sg_sanitize --quick --crypto
	cap s_rsoc scsi "" sg_opcodes --opcode=0x48,1
	cap n_ctrl nvme "" nvme id-ctrl
	cap n_ns nvme "" nvme id-ns
	cap n_active nvme "" nvme list-ns
	cap n_alloc nvme "" nvme list-ns --all
	cap n_fmt1 nvme "" nvme format --ses=1 --force
	cap n_fmt2 nvme "" nvme format --ses=2 --force
	cap n_block nvme "" nvme sanitize --sanact=start-block-erase
	cap n_ow nvme "" nvme sanitize --sanact=start-overwrite --owpass=1
	cap n_crypto nvme "" nvme sanitize --sanact=start-crypto-erase
	cap n_crypto_nd nvme "" nvme sanitize --sanact=start-crypto-erase --no-dealloc
	cap n_log nvme "" nvme sanitize-log
	cap x_all cd "" bash -c 'exec xorriso -outdev "$0" -blank all'
	cap x_fast cd "" bash -c 'exec xorriso -outdev "$0" -blank fast'
	cap x_plus cd profile=0x1a,blocks=32 bash -c 'exec xorriso -outdev "$0" -blank all'

	local setpass identify erase prep unlock disable out pw blank fast
	# xorriso's records found by what they are, not by their opcode: BLANK is
	# the command with libburn's 200 s timeout, then TEST UNIT READY and
	# REQUEST SENSE poll; GET CONFIGURATION is the first after INQUIRY, READ
	# DISC INFORMATION the first of 34 bytes; on the DVD+RW the first data-out
	# command writes, the first 64 KiB data-in one reads, and READ CAPACITY
	# is the 8-byte data-in one with a zero byte 8 (GET CONFIGURATION's is 8)
	blank=$(grep -m1 ' tmo=200000$' "$W/cap-x_all.log")
	fast=$(grep -m1 ' tmo=200000$' "$W/cap-x_fast.log")
	local after_blank
	after_blank=$(grep -A2 ' tmo=200000$' "$W/cap-x_all.log" | tail -n 2)
	local getconf rdi write10 read10 readcap
	getconf=$(grep -v ' sel=mmc:12 ' "$W/cap-x_all.log" | head -n 1)
	rdi=$(grep -m1 ' len=00000022 ' "$W/cap-x_all.log")
	write10=$(grep -m1 ' dir=to ' "$W/cap-x_plus.log")
	read10=$(grep -m1 ' dir=from len=00010000 ' "$W/cap-x_plus.log")
	readcap=$(grep ' dir=from len=00000008 ' "$W/cap-x_plus.log" | grep -m1 'cdb=[0-9a-f]\{16\}00')
	setpass=$(rec setpass -1)
	identify=$(rec identify 1)
	erase=$(rec erase -1)
	prep=$(tail -n 2 "$W/cap-erase.log" | head -n 1)
	unlock=$(tail -n 2 "$W/cap-disable.log" | head -n 1)
	disable=$(rec disable -1)
	out=$(val "$setpass" out)
	pw=$(printf wipeproof | od -An -tx1 | tr -d ' \n')
	pw=${out%%"$pw"*}
	cat <<HDR
/*
 * tests/conformance/reference.h — GENERATED by tests/conformance/run.sh
 * --gen-header from what the Debian packages hdparm $(pkgver hdparm), sg3-utils $(pkgver sg3-utils),
 * sdparm $(pkgver sdparm), nvme-cli $(pkgver nvme-cli) and xorriso $(pkgver xorriso)
 * sent to the scripted device of wpc_fake.c (see the comment there and
 * README.md). Do not edit: regenerate. conf_reference_header checks that
 * this file and a fresh capture agree.
 *
 * tests/unit/fwsim.h decodes wipeproof's commands with these values, so a
 * wrong constant in wipe/ cannot agree with a simulator written from the
 * same header: the values below are what the reference tools put on the
 * wire.
 */
#ifndef WPC_REFERENCE_H
#define WPC_REFERENCE_H

/* ATA, through ATA PASS-THROUGH(16) (hdparm) */
$(def REF_ATA_PASS_THROUGH_16 "$(byte "$setpass" cdb 0)" "SCSI opcode of ATA PASS-THROUGH(16)")
$(def REF_ATA_IDENTIFY_DEVICE "$(byte "$identify" cdb 14)" "hdparm: first command of every run")
$(def REF_ATA_SECURITY_SET_PASSWORD "$(byte "$setpass" cdb 14)" "--security-set-pass")
$(def REF_ATA_SECURITY_UNLOCK "$(byte "$unlock" cdb 14)" "--security-disable, first command")
$(def REF_ATA_SECURITY_ERASE_PREPARE "$(byte "$prep" cdb 14)" "--security-erase, first command")
$(def REF_ATA_SECURITY_ERASE_UNIT "$(byte "$erase" cdb 14)" "--security-erase")
$(def REF_ATA_SECURITY_DISABLE_PASSWORD "$(byte "$disable" cdb 14)" "--security-disable, second command")
$(def REF_ATA_SECURITY_ENHANCED "$(byte "$erase" out 0)" "--security-erase-enhanced: control word bit")
$(def REF_ATA_PASSWORD_OFFSET "$((${#pw} / 2))" "where the password starts in the data")
$(def REF_ATA_SANITIZE "$(byte "$(rec crypto -1)" cdb 14)" "SANITIZE DEVICE")
$(def REF_ATA_SANITIZE_STATUS "$(ata_feature "$(rec status -1)")" "--sanitize-status: FEATURE")
$(def REF_ATA_SANITIZE_CRYPTO "$(ata_feature "$(rec crypto -1)")" "--sanitize-crypto-scramble: FEATURE")
$(def REF_ATA_SANITIZE_CRYPTO_KEY "$(ata_lba "$(rec crypto -1)")ull" "... its LBA")
$(def REF_ATA_SANITIZE_BLOCK "$(ata_feature "$(rec block -1)")" "--sanitize-block-erase: FEATURE")
$(def REF_ATA_SANITIZE_BLOCK_KEY "$(ata_lba "$(rec block -1)")ull" "... its LBA")
$(def REF_ATA_SANITIZE_OVERWRITE "$(ata_feature "$(rec ow -1)")" "--sanitize-overwrite: FEATURE")
$(def REF_ATA_SANITIZE_OVERWRITE_KEY "$(ata_lba "$(rec ow -1)")ull" "... its LBA with pattern 0")
$(def REF_ATA_SANITIZE_OVERWRITE_COUNT "$(byte "$(rec ow -1)" cdb 6)" "... COUNT for one pass")
$(def REF_ATA_READ_NATIVE_MAX_EXT "$(byte "$(rec setmax 2)" cdb 14)" "-N on a drive without AMAX")
$(def REF_ATA_SET_MAX_ADDRESS_EXT "$(byte "$(rec setmax 3)" cdb 14)" "-N NNN (volatile), after READ NATIVE MAX")
$(def REF_ATA_GET_NATIVE_MAX "$(byte "$(rec amax -1)" cdb 14)" "-N on an AMAX drive: ACCESSIBLE MAX ADDRESS CONFIGURATION")
$(def REF_ATA_GET_NATIVE_MAX_FEATURE "$(ata_feature "$(rec amax -1)")" "... GET NATIVE MAX ADDRESS EXT")
$(def REF_ATA_DCO "$(byte "$(rec dco -1)" cdb 14)" "--dco-identify")
$(def REF_ATA_DCO_IDENTIFY "$(byte "$(rec dco -1)" cdb 4)" "... its FEATURE")
$(def REF_ATA_DEVICE_LBA "$(byte "$(rec crypto -1)" cdb 13)" "DEVICE of the 48-bit commands")
/* ... and how hdparm reads SANITIZE STATUS EXT (probed) */
$(def REF_ATA_SAN_COUNT_DONE_OK "$(ata_status_bit "Last Sanitize Operation Completed Without Error")" "COUNT bit: completed without error")
$(def REF_ATA_SAN_COUNT_IN_PROGRESS "$(ata_status_bit "SD2 Sanitize operation In Process")" "COUNT bit: in progress")
$(def REF_ATA_SAN_COUNT_FROZEN "$(ata_status_bit "SD1 Sanitize Frozen")" "COUNT bit: frozen")
$(def REF_ATA_SAN_REASON_FAILED "$(ata_reason "Last Sanitize Command completed unsuccessfully")" "abort reason in LBA(7:0): SD3")

/* SCSI (sg3_utils, sdparm) */
$(def REF_SCSI_SANITIZE "$(byte "$(rec s_crypto 1)" cdb 0)" "sg_sanitize")
$(def REF_SCSI_SANITIZE_IMMED "$(printf 0x%02x $(( $(byte "$(rec s_block 1)" cdb 1) & 0x80 )))" "IMMED, in byte 1")
$(def REF_SCSI_SANITIZE_OVERWRITE "$(printf 0x%02x $(( $(byte "$(rec s_ow 1)" cdb 1) & 0x1f )))" "--overwrite: service action")
$(def REF_SCSI_SANITIZE_BLOCK "$(printf 0x%02x $(( $(byte "$(rec s_block 1)" cdb 1) & 0x1f )))" "--block")
$(def REF_SCSI_SANITIZE_CRYPTO "$(printf 0x%02x $(( $(byte "$(rec s_crypto 1)" cdb 1) & 0x1f )))" "--crypto")
$(def REF_SCSI_SANITIZE_OW_PARAM_LEN "$(printf 0x%02x $(( $(byte "$(rec s_ow 1)" cdb 8) )))" "--overwrite, 4-byte pattern: parameter list length")
$(def REF_SCSI_SANITIZE_OW_COUNT "$(byte "$(rec s_ow 1)" out 0)" "... parameter byte 0: one pass")
$(def REF_SCSI_SANITIZE_OW_IPL "$(printf 0x%02x $(( $(byte "$(rec s_ow 1)" out 3) )))" "... pattern length, bytes 2-3")
$(def REF_SCSI_REQUEST_SENSE "$(byte "$(rec s_crypto 2)" cdb 0)" "sg_sanitize's progress poll")
$(def REF_SCSI_MODE_SENSE_10 "$(byte "$(rec dsense 1)" cdb 0)" "sdparm --set=D_SENSE=1: reads the page")
$(def REF_SCSI_MODE_SELECT_10 "$(byte "$(rec dsense -1)" cdb 0)" "... writes it back")
$(def REF_SCSI_MODE_SELECT_PF "$(byte "$(rec dsense -1)" cdb 1)" "... byte 1: PF, SP clear")
$(def REF_SCSI_CONTROL_MODE_PAGE "$(printf 0x%02x $(( $(byte "$(rec dsense 1)" cdb 2) & 0x3f )))" "control mode page")
$(def REF_SCSI_CONTROL_D_SENSE "$(byte "$(rec dsense -1)" out 10)" "D_SENSE in page byte 2 (after the 8-byte header)")
$(def REF_SCSI_RSOC "$(byte "$(rec s_rsoc -1)" cdb 0)" "sg_opcodes --opcode=0x48,1")
$(def REF_SCSI_RSOC_SA "$(byte "$(rec s_rsoc -1)" cdb 1)" "... service action")
$(def REF_SCSI_RSOC_ONE_SA "$(byte "$(rec s_rsoc -1)" cdb 2)" "... REPORTING OPTIONS: one command with SA")

/* MMC, an optical drive (xorriso $(pkgver xorriso), libburn) */
$(def REF_MMC_BLANK "$(byte "$blank" cdb 0)" "xorriso -blank all: the 200 s command")
$(def REF_MMC_BLANK_IMMED "$(printf 0x%02x $(( $(byte "$blank" cdb 1) & 0x10 )))" "... IMMED in byte 1")
$(def REF_MMC_BLANK_TYPE_FULL "$(printf 0x%02x $(( $(byte "$blank" cdb 1) & 0x07 )))" "... blanking type: blank the disc")
$(def REF_MMC_BLANK_TYPE_MINIMAL "$(printf 0x%02x $(( $(byte "$fast" cdb 1) & 0x07 )))" "-blank fast: minimally blank")
$(def REF_MMC_TEST_UNIT_READY "$(byte "$(head -n 1 <<<"$after_blank")" cdb 0)" "the poll after BLANK")
$(def REF_MMC_REQUEST_SENSE "$(byte "$(tail -n 1 <<<"$after_blank")" cdb 0)" "... and its progress")
$(def REF_MMC_REQUEST_SENSE_LEN "$(printf %u "$(byte "$(tail -n 1 <<<"$after_blank")" cdb 4)")" "... allocation length")
$(def REF_MMC_GET_CONFIGURATION "$(byte "$getconf" cdb 0)" "first after INQUIRY")
$(def REF_MMC_READ_DISC_INFO "$(byte "$rdi" cdb 0)" "the 34-byte answer")
$(def REF_MMC_WRITE10 "$(byte "$write10" cdb 0)" "DVD+RW -blank all: zeros from LBA 0")
$(def REF_MMC_WRITE10_BLOCKS "$(printf %u "$(byte "$write10" cdb 8)")" "... blocks per command")
$(def REF_MMC_READ10 "$(byte "$read10" cdb 0)" "DVD+RW: libburn's 64 KiB read")
$(def REF_MMC_READ_CAPACITY "$(byte "$readcap" cdb 0)" "DVD+RW: the 8-byte answer")

/* NVMe admin commands (nvme-cli, libnvme) */
$(def REF_NVME_IDENTIFY "0x$(val "$(rec n_ctrl 1)" opc)" "nvme id-ctrl")
$(def REF_NVME_CNS_CONTROLLER "0x$(val "$(rec n_ctrl 1)" cdw10 | cut -c7-8)" "... CNS")
$(def REF_NVME_CNS_NAMESPACE "0x$(val "$(rec n_ns 1)" cdw10 | cut -c7-8)" "nvme id-ns: CNS")
$(def REF_NVME_CNS_ACTIVE_NS "0x$(val "$(rec n_active 1)" cdw10 | cut -c7-8)" "nvme list-ns: CNS")
$(def REF_NVME_CNS_ALLOCATED_NS "0x$(val "$(rec n_alloc 1)" cdw10 | cut -c7-8)" "nvme list-ns --all: CNS")
$(def REF_NVME_FORMAT "0x$(val "$(rec n_fmt1 -1)" opc)" "nvme format")
$(def REF_NVME_FORMAT_SES_USER "0x$(val "$(rec n_fmt1 -1)" cdw10)u" "--ses=1: CDW10 (LBAF 0)")
$(def REF_NVME_FORMAT_SES_CRYPTO "0x$(val "$(rec n_fmt2 -1)" cdw10)u" "--ses=2: CDW10 (LBAF 0)")
$(def REF_NVME_SANITIZE "0x$(val "$(rec n_block 1)" opc)" "nvme sanitize")
$(def REF_NVME_SANACT_BLOCK "0x$(val "$(rec n_block 1)" cdw10)u" "--sanact=start-block-erase: CDW10")
$(def REF_NVME_SANACT_OVERWRITE_1PASS "0x$(val "$(rec n_ow 1)" cdw10)u" "--sanact=start-overwrite --owpass=1")
$(def REF_NVME_SANACT_CRYPTO "0x$(val "$(rec n_crypto 1)" cdw10)u" "--sanact=start-crypto-erase")
$(def REF_NVME_SANACT_CRYPTO_NDAS "0x$(val "$(rec n_crypto_nd 1)" cdw10)u" "... --no-dealloc")
$(def REF_NVME_GET_LOG_PAGE "0x$(val "$(rec n_log 1)" opc)" "nvme sanitize-log")
$(def REF_NVME_LOG_SANITIZE_CDW10 "0x$(val "$(rec n_log 1)" cdw10)u" "... LID and NUMDL")
$(def REF_NVME_LOG_SANITIZE_LEN "$((0x$(val "$(rec n_log 1)" len)))" "... bytes")
$(def REF_NVME_NSID_ALL "0x$(val "$(rec n_log 1)" nsid)u" "... NSID")
/* ... and how nvme-cli reads the sanitize log's SSTAT (probed) */
$(def REF_NVME_SSTAT_DONE "$(nvme_sstat "Most Recent Sanitize Command Completed Successfully.")" "completed")
$(def REF_NVME_SSTAT_IN_PROGRESS "$(nvme_sstat "Sanitize in Progress.")" "in progress")
$(def REF_NVME_SSTAT_FAILED "$(nvme_sstat "Most Recent Sanitize Command Failed.")" "failed")
$(def REF_NVME_SSTAT_DONE_ND "$(nvme_sstat "(No-Deallocate After Sanitize) Completed Successfully.")" "completed, no-deallocate requested")

#endif
HDR
}

op_reference_header() {
	checks=$((checks + 1))
	gen_header >"$W/reference.h"
	# the values, not the package versions named in the comment: a Debian
	# point release that sends the same bytes changes nothing
	if diff -u <(grep '^#define' "$here/reference.h") <(grep '^#define' "$W/reference.h"); then
		echo "ok: reference.h matches a fresh capture"
	else
		fail "reference.h differs from what the tools send now: regenerate it (run.sh --gen-header)"
	fi
}

if [ "${1:-}" = --gen-header ]; then
	gen_header >"${2:?output file}"
	exit 0
fi

op=${1:?usage: run.sh OP | --list | --gen-header FILE}
if ! declare -F "op_$op" >/dev/null; then
	echo "unknown operation $op" >&2
	exit 2
fi
"op_$op"
echo "-- trace"
cat "$W/trace" 2>/dev/null
echo "-- wipeproof said"
cat "$W/wp.out" 2>/dev/null
if [ "$checks" = 0 ]; then
	fail "no check ran"
fi
[ $status = 0 ] && echo "PASS: $op ($checks checks)"
exit $status
