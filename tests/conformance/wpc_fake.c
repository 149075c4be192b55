/*
 * tests/conformance/wpc_fake.c — an LD_PRELOAD library that makes a path
 * that does not exist look like a disk, records every command sent to it,
 * and answers from a scripted device model. Tests only: it is never
 * installed and never linked into wipeproof.
 *
 * The same library is preloaded into the reference tools (hdparm,
 * sg3_utils, nvme-cli from Debian) and into wpc_drive (wipeproof's own
 * backends through the real wp_fw_io_kernel()), so both send their bytes
 * through the same ioctl() to the same model, and the records can be
 * diffed byte for byte (run.sh, wpc_cmp.c).
 *
 * Environment:
 *   WPC_DEV     the fake device path; it must NOT exist on this machine (the
 *               library aborts otherwise), so nothing real is ever opened
 *   WPC_LOG     record file, one line per command, appended
 *   WPC_MODEL   ata | scsi | nvme | cd (an MMC drive)
 *   WPC_SCRIPT  comma-separated model flags (README.md lists them)
 *
 * What the tools check before they talk to a device, and how it is met:
 *   hdparm    open() only (sgio.c issues SG_IO on whatever fd it gets);
 *   sg3_utils fstat(): S_ISBLK, major 8 (sd) => SG_IO v3; major 259
 *             (BLOCK_EXT_MAJOR) would mean NVMe (lib/sg_pt_linux.c,
 *             check_file_type());
 *   nvme-cli  fstat(): S_ISCHR or S_ISBLK (nvme.c, open_dev_direct()).
 * So open/openat return an fd of /dev/null, and the stat family reports
 * a block device (major 8 for ata/scsi, 259 for nvme) for that fd or path.
 * sleep()/nanosleep() return at once, so sg_sanitize's and wipeproof's
 * progress polls run at full speed.
 *
 * Record format (all values hex; wpc_cmp compares every key but sel/tmo):
 *   sg sel=ata:CC:FFFF|scsi:OO cdb=.. dir=none|to|from len=XXXXXXXX out=..|- tmo=ms
 *   nvme sel=nvme:OO[:CNS/LID] opc= flags= nsid= cdw2= cdw3= cdw10=..cdw15= mlen= len= out=..|- tmo=
 *   ioctl req=XXXXXXXX          (any other ioctl on the fake fd, answered ENOTTY
 *                                unless listed below)
 * The model's constants come from the standards (ACS-3, SAT-4, SBC-4, SPC-5,
 * NVMe 2.0), written here independently of wipe/ and of the tools.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/nvme_ioctl.h>
#include <scsi/sg.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS 64

static const char *dev_path;
static bool fake_fd[MAX_FDS];
static int model;            /* 'a'ta, 's'csi, 'n'vme, 'c'd (MMC) */

/* ---- the script ------------------------------------------------------------- */

static const char *script;

/* "flag" or "flag=value" in WPC_SCRIPT */
static bool flag(const char *name, unsigned long *value)
{
	size_t n = strlen(name);
	for (const char *p = script; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len >= n && strncmp(p, name, n) == 0 && (len == n || p[n] == '=')) {
			if (value && len > n)
				*value = strtoul(p + n + 1, NULL, 0);
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

static unsigned long num(const char *name, unsigned long def)
{
	unsigned long v = def;
	flag(name, &v);
	return v;
}

/* ---- the record --------------------------------------------------------------- */

static void wlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void wlog(const char *fmt, ...)
{
	const char *path = getenv("WPC_LOG");
	if (!path)
		return;
	FILE *f = fopen(path, "ae");
	if (!f)
		abort();
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
	if (n == 0)
		strcpy(out, "-");
}

static void record_sg(const struct sg_io_hdr *h)
{
	static char cdb[64], out[2 * 65536 + 2];
	const uint8_t *c = h->cmdp;
	char sel[32];
	hex(cdb, c, h->cmd_len);
	if (h->dxfer_direction == SG_DXFER_TO_DEV && h->dxfer_len <= 65536)
		hex(out, h->dxferp, h->dxfer_len);
	else
		strcpy(out, "-");
	if (model == 'c')
		snprintf(sel, sizeof(sel), "mmc:%02x", c[0]);
	else if (c[0] == 0x85 && h->cmd_len >= 16)
		snprintf(sel, sizeof(sel), "ata:%02x:%02x%02x", c[14], (c[1] & 1) ? c[3] : 0, c[4]);
	else if (c[0] == 0xa1 && h->cmd_len >= 12)
		snprintf(sel, sizeof(sel), "ata:%02x:00%02x", c[9], c[3]);
	else
		snprintf(sel, sizeof(sel), "scsi:%02x", c[0]);
	const char *dir = h->dxfer_direction == SG_DXFER_NONE ? "none"
			: h->dxfer_direction == SG_DXFER_TO_DEV ? "to"
			: h->dxfer_direction == SG_DXFER_FROM_DEV ? "from" : "other";
	wlog("sg sel=%s cdb=%s dir=%s len=%08x out=%s tmo=%u\n", sel, cdb, dir, h->dxfer_len, out,
	     h->timeout);
}

/* struct nvme_passthru_cmd and _cmd64 agree up to timeout_ms */
static void record_nvme(const struct nvme_passthru_cmd *c, const char *kind)
{
	static char out[2 * 8192 + 2];
	char sel[32];
	if ((c->opcode & 1) && c->data_len <= 8192)
		hex(out, (const uint8_t *)(uintptr_t)c->addr, c->data_len);
	else
		strcpy(out, "-");
	if (c->opcode == 0x06 || c->opcode == 0x02)
		snprintf(sel, sizeof(sel), "nvme:%02x:%02x", c->opcode, c->cdw10 & 0xff);
	else
		snprintf(sel, sizeof(sel), "nvme:%02x", c->opcode);
	wlog("%s sel=%s opc=%02x flags=%02x nsid=%08x cdw2=%08x cdw3=%08x cdw10=%08x cdw11=%08x "
	     "cdw12=%08x cdw13=%08x cdw14=%08x cdw15=%08x mlen=%08x len=%08x out=%s tmo=%u\n", kind,
	     sel, c->opcode, c->flags, c->nsid, c->cdw2, c->cdw3, c->cdw10, c->cdw11, c->cdw12,
	     c->cdw13, c->cdw14, c->cdw15, c->metadata_len, c->data_len, out, c->timeout_ms);
}

/* ---- SCSI answers ---------------------------------------------------------------- */

static void sense_fixed(struct sg_io_hdr *h, uint8_t key, uint8_t asc, uint8_t ascq)
{
	uint8_t *sb = h->sbp;
	if (!sb || h->mx_sb_len < 18)
		return;
	memset(sb, 0, h->mx_sb_len);
	sb[0] = 0x70;
	sb[2] = key;
	sb[7] = 10;
	sb[12] = asc;
	sb[13] = ascq;
	h->sb_len_wr = 18;
	h->status = 0x02;
	h->masked_status = 0x01;
	h->driver_status = 0x08; /* DRIVER_SENSE */
}

static void put_be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static void reply(struct sg_io_hdr *h, const void *data, size_t n)
{
	if (!h->dxferp || h->dxfer_direction != SG_DXFER_FROM_DEV)
		return;
	memset(h->dxferp, 0, h->dxfer_len);
	if (n > h->dxfer_len)
		n = h->dxfer_len;
	memcpy(h->dxferp, data, n);
	h->resid = (int)(h->dxfer_len - n);
}

static void scsi_inquiry(struct sg_io_hdr *h, const uint8_t *c)
{
	uint8_t b[96] = { 0 };
	if (c[1] & 1) {          /* VPD */
		b[1] = c[2];
		if (c[2] == 0x00) {
			b[3] = 3;
			b[4] = 0x00, b[5] = 0x80, b[6] = 0x83;
		} else if (c[2] == 0x80) {
			b[3] = 8;
			memcpy(b + 4, "WPC00001", 8);
		} else if (c[2] == 0x83) {
			b[3] = 12;        /* one NAA designator */
			b[4] = 0x01, b[5] = 0x03, b[7] = 8, b[8] = 0x50, b[15] = 0x01;
		} else {
			sense_fixed(h, 0x05, 0x24, 0x00);
			return;
		}
		reply(h, b, 4u + b[3]);
		return;
	}
	b[2] = 0x06;             /* SPC-4 */
	b[3] = 0x02;
	b[4] = 91;
	memcpy(b + 8, "WPCFAKE ", 8);
	memcpy(b + 16, model == 'a' ? "ATA MODEL DISK  " : model == 'c' ? "MMC MODEL DRIVE " :
	       "SCSI MODEL DISK ", 16);
	if (model == 'c')
		b[0] = 0x05, b[1] = 0x80; /* CD/DVD device, removable medium */
	memcpy(b + 32, "0001", 4);
	reply(h, b, 96);
}

/* ---- the SCSI disk (SBC-4 SANITIZE, SPC-5 REQUEST SENSE / RSOC) ----------- */

static struct {
	unsigned polls_left;      /* REQUEST SENSE answers "in progress" this often */
	unsigned polls_total;
	bool failed;
} scsi;

static void scsi_request_sense(struct sg_io_hdr *h, const uint8_t *c)
{
	uint8_t b[32] = { 0 };
	bool desc = c[1] & 1;
	if (flag("rs_check", NULL)) {  /* REQUEST SENSE itself fails */
		sense_fixed(h, 0x04, 0x44, 0x00);
		return;
	}
	uint8_t key = 0, asc = 0, ascq = 0;
	unsigned progress = 0;
	bool prog = false;
	if (scsi.polls_left) {
		key = 0x02, asc = 0x04, ascq = 0x1b; /* NOT READY, SANITIZE IN PROGRESS */
		progress = (scsi.polls_total - scsi.polls_left) * 65536u / scsi.polls_total;
		prog = true;
		scsi.polls_left--;
	} else if (scsi.failed) {
		key = 0x03, asc = 0x31, ascq = 0x03; /* MEDIUM ERROR, SANITIZE COMMAND FAILED */
	}
	if (desc) {
		b[0] = 0x72, b[1] = key, b[2] = asc, b[3] = ascq;
		if (prog) {
			b[7] = 8;
			b[8] = 0x02, b[9] = 0x06, b[12] = 0x80;
			put_be16(b + 13, progress);
		}
		reply(h, b, 8u + b[7]);
	} else {
		b[0] = 0x70, b[2] = key, b[7] = 10, b[12] = asc, b[13] = ascq;
		if (prog) {
			b[15] = 0x80;
			put_be16(b + 16, progress);
		}
		reply(h, b, 18);
	}
}

static bool scsi_sa_supported(unsigned sa)
{
	char name[8];
	snprintf(name, sizeof(name), "sa%u", sa);
	return !flag("sa_only", NULL) || flag(name, NULL);
}

static void scsi_rsoc(struct sg_io_hdr *h, const uint8_t *c)
{
	uint8_t b[64] = { 0 };
	unsigned opts = c[2] & 7, op = c[3], sa = (unsigned)c[4] << 8 | c[5];
	if (flag("rsoc_refused", NULL) || (c[1] & 0x1f) != 0x0c) {
		sense_fixed(h, 0x05, 0x20, 0x00);
		return;
	}
	if (opts == 0) {         /* all commands: only SANITIZE's three actions */
		static const uint8_t sas[] = { 1, 2, 3 };
		size_t n = 0;
		for (size_t i = 0; i < 3; i++)
			if (scsi_sa_supported(sas[i])) {
				uint8_t *d = b + 4 + 8 * n++;
				d[0] = 0x48;
				d[3] = sas[i];
				d[5] = 0x01;    /* SERVACTV */
				put_be16(d + 6, 10);
			}
		put_be16(b + 2, (unsigned)(8 * n));
		reply(h, b, 4 + 8 * n);
		return;
	}
	if (op != 0x48 || (opts == 2 && (sa == 0 || sa > 0x1f))) {
		b[1] = 0x01;         /* not supported */
		reply(h, b, 4);
		return;
	}
	bool ok = opts == 2 ? (sa == 0x1f || scsi_sa_supported(sa)) : true;
	b[1] = ok ? 0x03 : 0x01; /* SUPPORT 011b: as the standard says */
	put_be16(b + 2, 10);
	b[4] = 0x48;
	b[5] = (uint8_t)(0xe0 | (opts == 2 ? sa : 0)); /* usage map: IMMED, ZNR, AUSE */
	b[11] = 0xff, b[12] = 0xff;
	reply(h, b, 14);
}

static void scsi_sanitize(struct sg_io_hdr *h, const uint8_t *c)
{
	unsigned sa = c[1] & 0x1f, plen = (unsigned)c[7] << 8 | c[8];
	const uint8_t *p = h->dxferp;
	bool ok = (sa == 1 || sa == 2 || sa == 3 || sa == 0x1f) &&
		  (sa == 0x1f || scsi_sa_supported(sa));
	if (ok && sa == 1) {     /* SBC-4 5.30.2.2: parameter list, IPL >= 1 */
		unsigned ipl = plen >= 4 && p ? (unsigned)p[2] << 8 | p[3] : 0;
		ok = plen >= 5 && ipl >= 1 && ipl + 4 == plen && (p[0] & 0x1f) != 0;
	} else if (ok) {
		ok = plen == 0;
	}
	if (!ok) {
		sense_fixed(h, 0x05, 0x24, 0x00);
		return;
	}
	scsi.polls_total = scsi.polls_left = (unsigned)num("polls", 2);
	scsi.failed = flag("san_fail", NULL);
}

static void scsi_cmd(struct sg_io_hdr *h)
{
	const uint8_t *c = h->cmdp;
	switch (c[0]) {
	case 0x00:               /* TEST UNIT READY */
		if (scsi.polls_left)
			sense_fixed(h, 0x02, 0x04, 0x1b);
		return;
	case 0x12:
		scsi_inquiry(h, c);
		return;
	case 0x03:
		scsi_request_sense(h, c);
		return;
	case 0xa3:
		scsi_rsoc(h, c);
		return;
	case 0x48:
		scsi_sanitize(h, c);
		return;
	}
	sense_fixed(h, 0x05, 0x20, 0x00);
}

/* ---- the MMC drive (MMC-6: GET CONFIGURATION, BLANK, READ CAPACITY, WRITE/READ(10)) --
 *
 * A CD/DVD/BD drive (INQUIRY peripheral type 05h) holding a disc whose
 * profile the script names (profile=0x0A CD-RW by default; MMC-6 Table 89:
 * 09h CD-R, 0Ah CD-RW, 11h DVD-R, 13h/14h DVD-RW, 1Ah DVD+RW, 1Bh DVD+R,
 * 41h BD-R, 43h BD-RE, 08h CD-ROM). BLANK (A1h) with IMMED answers at once;
 * then TEST UNIT READY says NOT READY, 04h/07h (operation in progress) and
 * REQUEST SENSE gives the progress indication, polls= times, then GOOD
 * (or MEDIUM ERROR 51h/00h, erase failure, with blank_fail). The user area
 * is blocks= 2048-byte blocks (64), read back as written by WRITE(10). */
static struct {
	bool init;
	unsigned profile;
	uint32_t blocks;
	uint8_t *data;
	unsigned polls_left, polls_total;
	bool failed;
	bool blanked;
} mmc;

static void mmc_init(void)
{
	if (mmc.init)
		return;
	mmc.init = true;
	mmc.profile = (unsigned)num("profile", 0x0a);
	mmc.blocks = (uint32_t)num("blocks", 64);
	mmc.data = malloc((size_t)mmc.blocks * 2048);
	if (!mmc.data)
		abort();
	memset(mmc.data, 0x5a, (size_t)mmc.blocks * 2048); /* recorded data */
}

static bool mmc_erasable(void)
{
	return mmc.profile == 0x0a || mmc.profile == 0x13 || mmc.profile == 0x14;
}

static bool mmc_overwritable(void)
{
	return mmc.profile == 0x1a || mmc.profile == 0x43 || mmc.profile == 0x12 ||
	       mmc.profile == 0x13;
}

static void mmc_not_ready(struct sg_io_hdr *h)
{
	sense_fixed(h, 0x02, 0x04, 0x07); /* LOGICAL UNIT NOT READY, OPERATION IN PROGRESS */
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}

static void mmc_request_sense(struct sg_io_hdr *h, const uint8_t *c)
{
	uint8_t b[18] = { 0 };
	(void)c;
	b[0] = 0x70, b[7] = 10;
	if (mmc.polls_left) {
		b[2] = 0x02, b[12] = 0x04, b[13] = 0x07;
		b[15] = 0x80;
		put_be16(b + 16, (mmc.polls_total - mmc.polls_left) * 65536u / mmc.polls_total);
		mmc.polls_left--;
	} else if (mmc.failed) {
		b[2] = 0x03, b[12] = 0x51, b[13] = 0x00; /* MEDIUM ERROR, ERASE FAILURE */
		mmc.failed = false;
	}
	reply(h, b, 18);
}

static void mmc_get_configuration(struct sg_io_hdr *h, const uint8_t *c)
{
	uint8_t b[64] = { 0 };
	unsigned rt = c[1] & 3, start = (unsigned)c[2] << 8 | c[3];
	size_t n = 8;
	put_be16(b + 6, mmc.profile);
	if (start == 0 && rt != 3) { /* feature 0000h, the Profile List: the current one */
		b[9] = 0x03;             /* persistent, current */
		b[11] = 4;
		put_be16(b + 12, mmc.profile);
		b[14] = 0x01;            /* CurrentP */
		n = 16;
	}
	put_be32(b, (uint32_t)(n - 4));
	reply(h, b, n);
}

static void mmc_blank(struct sg_io_hdr *h, const uint8_t *c)
{
	unsigned type = c[1] & 7;
	if (!mmc_erasable()) {  /* no BLANK on this medium */
		sense_fixed(h, 0x05, 0x30, 0x05);
		return;
	}
	if (type > 1 || c[2] || c[3] || c[4] || c[5]) {
		sense_fixed(h, 0x05, 0x24, 0x00);
		return;
	}
	/* blank_noop: the drive says done and erases nothing; a minimal blank
	 * erases the lead-in structures only (here: the first 16 blocks) */
	mmc.blanked = !flag("blank_noop", NULL);
	if (mmc.blanked)
		memset(mmc.data, 0, (size_t)(type == 0 || mmc.blocks < 16 ? mmc.blocks : 16) * 2048);
	mmc.failed = flag("blank_fail", NULL);
	mmc.polls_total = mmc.polls_left = (unsigned)num("polls", 2);
	if (!(c[1] & 0x10)) /* without IMMED the command returns when done */
		mmc.polls_left = 0;
}

static void mmc_read_capacity(struct sg_io_hdr *h)
{
	uint8_t b[8];
	put_be32(b, mmc.blocks - 1);
	put_be32(b + 4, 2048);
	reply(h, b, 8);
}

static void mmc_rw10(struct sg_io_hdr *h, const uint8_t *c, bool write)
{
	uint32_t lba = (uint32_t)c[2] << 24 | (uint32_t)c[3] << 16 | (uint32_t)c[4] << 8 | c[5];
	unsigned n = (unsigned)c[7] << 8 | c[8];
	if ((uint64_t)lba + n > mmc.blocks) {
		sense_fixed(h, 0x05, 0x21, 0x00); /* LOGICAL BLOCK ADDRESS OUT OF RANGE */
		return;
	}
	if (h->dxfer_len != n * 2048u) {
		sense_fixed(h, 0x05, 0x24, 0x00);
		return;
	}
	if (write && !mmc_overwritable()) {
		sense_fixed(h, 0x05, 0x30, 0x05);
		return;
	}
	if (write) {
		memcpy(mmc.data + (size_t)lba * 2048, h->dxferp, (size_t)n * 2048);
		unsigned long lost; /* write_lost=N: block N keeps its old data */
		if (flag("write_lost", &lost) && lost >= lba && lost < lba + n)
			memset(mmc.data + lost * 2048, 0x5a, 2048);
	}
	else
		reply(h, mmc.data + (size_t)lba * 2048, (size_t)n * 2048);
}

/* READ DISC INFORMATION (MMC-6 6.22): a recorded, closed disc, erasable
 * when the medium is (CD-RW, DVD-RW); empty after a blank. */
static void mmc_disc_information(struct sg_io_hdr *h)
{
	uint8_t b[34] = { 0 };
	put_be16(b, 32);
	b[2] = (uint8_t)((mmc_erasable() ? 0x10 : 0) | (mmc.blanked ? 0x00 : 0x0e));
	b[3] = 1, b[4] = 1, b[5] = 1, b[6] = 1;
	b[7] = 0x20;             /* URU: unrestricted use */
	put_be32(b + 16, 0x00ff0000);  /* lead-in of the last session: none known */
	put_be32(b + 20, 0x004f3b47);  /* last possible lead-out: 79:59:71 */
	reply(h, b, sizeof(b));
}

/* MODE SENSE(10), the MM capabilities page 2Ah (MMC-3 6.3.11): reads and
 * writes CD-R, CD-RW, DVD-R, DVD-RAM; speeds in kB/s. */
static void mmc_capabilities(struct sg_io_hdr *h)
{
	uint8_t b[8 + 30] = { 0 };
	uint8_t *p = b + 8;
	put_be16(b, sizeof(b) - 2);
	p[0] = 0x2a, p[1] = 28;
	p[2] = 0x3b;             /* reads CD-R, CD-RW, DVD-ROM, DVD-R, DVD-RAM */
	p[3] = 0x33;             /* writes CD-R, CD-RW, DVD-R, DVD-RAM */
	p[4] = 0x40;             /* multi-session */
	p[6] = 0x29;             /* tray, eject, lock */
	put_be16(p + 8, 7056);   /* max read speed 40x */
	put_be16(p + 18, 1764);  /* max write speed 10x */
	put_be16(p + 20, 1764);
	put_be16(p + 28, 1764);
	reply(h, b, sizeof(b));
}

/* READ TOC/PMA/ATIP (MMC-6 6.26): one session holding one data track
 * from 00:02:00, the lead-out at 10:00:00; format 0 (TOC) or 2 (full TOC,
 * entries A0h, A1h, A2h and track 1). A blanked disc has no TOC. */
static void mmc_read_toc(struct sg_io_hdr *h, const uint8_t *c)
{
	uint8_t b[4 + 4 * 11] = { 0 };
	unsigned fmt = c[2] & 0x0f;
	if (mmc.blanked) {
		sense_fixed(h, 0x05, 0x24, 0x00);
		return;
	}
	b[2] = 1, b[3] = 1;
	if (fmt == 0) {
		uint8_t *d = b + 4;
		d[1] = 0x14, d[2] = 1;   /* track 1, data, LBA 0 */
		d[8 + 1] = 0x14, d[8 + 2] = 0xaa;
		put_be32(d + 8 + 4, 10 * 60 * 75 - 150);
		put_be16(b, 2 + 16);
		reply(h, b, 4 + 16);
		return;
	}
	if (fmt != 2) {
		sense_fixed(h, 0x05, 0x24, 0x00);
		return;
	}
	static const uint8_t points[4][4] = {
		{ 0xa0, 1, 0, 0 }, { 0xa1, 1, 0, 0 }, { 0xa2, 10, 0, 0 }, { 0x01, 0, 2, 0 },
	};
	for (int i = 0; i < 4; i++) {
		uint8_t *d = b + 4 + 11 * i;
		d[0] = 1, d[1] = 0x14, d[3] = points[i][0];
		d[8] = points[i][1], d[9] = points[i][2], d[10] = points[i][3];
	}
	put_be16(b, sizeof(b) - 2);
	reply(h, b, sizeof(b));
}

static void mmc_cmd(struct sg_io_hdr *h)
{
	const uint8_t *c = h->cmdp;
	mmc_init();
	switch (c[0]) {
	case 0x00:               /* TEST UNIT READY */
		if (mmc.polls_left)
			mmc_not_ready(h);
		else if (mmc.failed) {
			sense_fixed(h, 0x03, 0x51, 0x00);
			mmc.failed = false;
		}
		return;
	case 0x12:
		scsi_inquiry(h, c);
		return;
	case 0x03:
		mmc_request_sense(h, c);
		return;
	case 0x46:
		mmc_get_configuration(h, c);
		return;
	case 0xa1:
		mmc_blank(h, c);
		return;
	case 0x25:
		mmc_read_capacity(h);
		return;
	case 0x2a:
		mmc_rw10(h, c, true);
		return;
	case 0x28:
		mmc_rw10(h, c, false);
		return;
	case 0x35:               /* SYNCHRONIZE CACHE */
	case 0x1b:               /* START STOP UNIT */
	case 0x1e:               /* PREVENT ALLOW MEDIUM REMOVAL */
		return;
	case 0x51:
		mmc_disc_information(h);
		return;
	case 0x43:
		mmc_read_toc(h, c);
		return;
	case 0x5a:
		if ((c[2] & 0x3f) == 0x2a) {
			mmc_capabilities(h);
			return;
		}
		break;
	}
	sense_fixed(h, 0x05, 0x20, 0x00);
}

/* ---- the ATA disk behind a SATL (ACS-3, SAT-4) ---------------------------- */

static struct {
	bool init;
	bool sec, enh, enabled, locked, frozen, prepared, master;
	uint8_t pw[32];
	unsigned san_state;   /* 0 idle, 2 in progress, 3 failed, 4 succeeded */
	bool san_frozen;
	unsigned polls_left, polls_total;
	uint64_t user, native, dco;
	bool native_read;
	bool dsense;          /* control mode page D_SENSE: descriptor sense */
} ata;

static void ata_init(void)
{
	if (ata.init)
		return;
	ata.init = true;
	ata.sec = !flag("nosec", NULL);
	ata.enh = !flag("noenh", NULL);
	ata.enabled = flag("enabled", NULL) || flag("locked", NULL);
	ata.locked = flag("locked", NULL);
	ata.frozen = flag("frozen", NULL);
	memset(ata.pw, 0, sizeof(ata.pw));
	if (ata.enabled)
		memcpy(ata.pw, flag("owner", NULL) ? "owner-secret" : "wipeproof",
		       flag("owner", NULL) ? 12 : 9);
	ata.san_state = flag("san_failed", NULL) ? 3 : 0;
	ata.san_frozen = flag("san_frozen", NULL);
	ata.user = num("user", 0x100000);
	ata.native = num("native", ata.user);
	ata.dco = num("dco", ata.native);
	ata.dsense = !flag("fixed", NULL) && !flag("fixed_old", NULL);
}

/* The control mode page (0Ah) as libata has it: only D_SENSE changeable
 * (SPC-5 7.5.10; drivers/ata/libata-scsi.c). MODE SENSE/SELECT (6) and (10). */
static void ata_mode(struct sg_io_hdr *h, const uint8_t *c)
{
	bool ten = c[0] == 0x5a || c[0] == 0x55;
	size_t hdr = ten ? 8 : 4;
	if (c[0] == 0x1a || c[0] == 0x5a) {           /* MODE SENSE */
		unsigned pc = c[2] >> 6, page = c[2] & 0x3f;
		uint8_t b[32] = { 0 };
		if ((page != 0x0a && page != 0x3f) || c[3] != 0 || pc == 3) {
			sense_fixed(h, 0x05, 0x24, 0x00);
			return;
		}
		uint8_t *p = b + hdr;
		p[0] = 0x0a, p[1] = 0x0a;
		if (pc == 1)
			p[2] = 0x04;                     /* changeable: D_SENSE */
		else
			p[2] = ata.dsense ? 0x04 : 0x00;
		if (pc != 1)
			p[8] = 0xff, p[9] = 0xff, p[11] = 30; /* busy timeout, self-test time */
		size_t n = hdr + 12;
		if (ten)
			put_be16(b, (unsigned)(n - 2));
		else
			b[0] = (uint8_t)(n - 1);
		reply(h, b, n);
		return;
	}
	/* MODE SELECT: PF set, SP clear, one control mode page */
	unsigned len = ten ? ((unsigned)c[7] << 8 | c[8]) : c[4];
	const uint8_t *d = h->dxferp;
	if (!(c[1] & 0x10) || (c[1] & 0x01) || !d || h->dxfer_direction != SG_DXFER_TO_DEV ||
	    len != h->dxfer_len || len < hdr + 12) {
		sense_fixed(h, 0x05, 0x24, 0x00);
		return;
	}
	size_t bdl = ten ? ((size_t)d[6] << 8 | d[7]) : d[3];
	const uint8_t *p = d + hdr + bdl;
	if (hdr + bdl + 12 > len || (p[0] & 0x3f) != 0x0a || p[1] != 0x0a ||
	    (p[2] & ~0x04) != 0) {                    /* anything but D_SENSE changed */
		sense_fixed(h, 0x05, 0x26, 0x00);
		return;
	}
	ata.dsense = p[2] & 0x04;
}

static void identify(uint8_t *out)
{
	uint16_t w[256] = { 0 };
	bool san = !flag("nosan", NULL);
	w[0] = 0x0040;
	w[49] = 0x0200;                         /* LBA */
	w[59] = (uint16_t)(san ? 0xf000 : 0);   /* sanitize, crypto, overwrite, block */
	w[60] = 0xffff, w[61] = 0x0fff;
	w[80] = 0x07f0;                         /* ATA-4 .. ACS-3 */
	w[82] = (uint16_t)(0x4000 | (ata.sec ? 0x0002 : 0) | (flag("nohpa", NULL) ? 0 : 0x0400));
	w[83] = (uint16_t)(0x4000 | 0x0400 | (flag("nodco", NULL) ? 0 : 0x0800));
	w[84] = 0x4000;
	w[85] = (uint16_t)(ata.enabled ? 0x0002 : 0);
	w[86] = 0x8400;                         /* 48-bit; words 119-120 valid */
	w[87] = 0x4000;
	w[89] = (uint16_t)num("w89", 0x8000 | 30); /* 60 minutes */
	w[90] = (uint16_t)num("w90", 0x8000 | 60);
	w[119] = (uint16_t)(0x4000 | (flag("amax", NULL) ? 0x0100 : 0));
	w[120] = 0x4000;
	if (ata.sec)
		w[128] = (uint16_t)(0x0001 | (ata.enabled ? 0x0002 : 0) | (ata.locked ? 0x0004 : 0) |
				    (ata.frozen ? 0x0008 : 0) | (flag("expired", NULL) ? 0x0010 : 0) |
				    (ata.enh ? 0x0020 : 0));
	for (int i = 0; i < 4; i++)
		w[100 + i] = (uint16_t)(ata.user >> (16 * i));
	memcpy(&w[27], "PWCMO EDILKS", 12);     /* "WPC MODEL DISK" as ATA strings go */
	for (int i = 0; i < 256; i++)
		put16(out + 2 * i, w[i]);
	out[510] = 0xa5;
	uint8_t sum = 0;
	for (int i = 0; i < 511; i++)
		sum = (uint8_t)(sum + out[i]);
	out[511] = (uint8_t)-sum;
}

/* ATA Status Return: descriptor format (SAT-4 12.2.2.6), fixed format
 * (12.2.2.7, kernels with 38dab832c3f4), or the offsets libata used for
 * fixed format before that fix (registers from byte 8: "fixed_old"). */
static void ata_answer(struct sg_io_hdr *h, bool ck, bool ok, bool ext, uint8_t error,
		       uint16_t count, uint64_t lba)
{
	uint8_t status = ok ? 0x50 : 0x51;
	if (ok && flag("bsy", NULL))
		status = 0xd0;                  /* BSY left set */
	if (ok && flag("drq", NULL))
		status = 0x58;
	/* a SATL that says ABORTED COMMAND or NOT READY while the registers
	 * show no error: what did the drive do? */
	bool odd_key = ok && (flag("key_aborted", NULL) || flag("key_not_ready", NULL));
	if (ok && !ck && status == 0x50 && !odd_key)
		return;
	uint8_t *sb = h->sbp;
	if (!sb || h->mx_sb_len < 8)
		return;
	memset(sb, 0, h->mx_sb_len);
	h->status = 0x02;
	h->masked_status = 0x01;
	h->driver_status = 0x08;
	uint8_t key = ok ? 0x01 : 0x0b, ascq = ok ? 0x1d : 0x00;
	if (!ok && flag("abort_not_ready", NULL))
		key = 0x02;
	if (odd_key) {
		key = flag("key_aborted", NULL) ? 0x0b : 0x02;
		ascq = 0x00;
	}
	unsigned len;
	if (!ata.dsense && flag("fixed_old", NULL)) {
		uint8_t *d = sb + 8;
		sb[0] = 0x70, sb[2] = key, sb[7] = 0x0a + 2, sb[12] = 0, sb[13] = ascq;
		d[0] = error, d[1] = status, d[2] = 0x40, d[3] = (uint8_t)count;
		/* the old code wrote the flags and LBA into what are the ASC,
		 * ASCQ and FRU fields of fixed sense */
		d[8] = (uint8_t)((ext ? 0x80 : 0) | ((count >> 8) ? 0x40 : 0) | ((lba >> 24) ? 0x20 : 0));
		d[9] = (uint8_t)lba, d[10] = (uint8_t)(lba >> 8), d[11] = (uint8_t)(lba >> 16);
		len = 20;
	} else if (!ata.dsense) {
		sb[0] = 0xf0, sb[2] = key, sb[7] = 10, sb[12] = 0, sb[13] = ascq;
		sb[3] = error, sb[4] = status, sb[5] = 0x40, sb[6] = (uint8_t)count;
		sb[8] = (uint8_t)((ext ? 0x80 : 0) | ((count >> 8) ? 0x40 : 0) | ((lba >> 24) ? 0x20 : 0));
		sb[9] = (uint8_t)lba, sb[10] = (uint8_t)(lba >> 8), sb[11] = (uint8_t)(lba >> 16);
		len = 18;
	} else {
		uint8_t *d = sb + 8;
		sb[0] = 0x72, sb[1] = key, sb[2] = 0, sb[3] = ascq, sb[7] = 14;
		d[0] = 0x09, d[1] = 0x0c, d[2] = ext ? 1 : 0, d[3] = error;
		d[4] = (uint8_t)(count >> 8), d[5] = (uint8_t)count;
		d[6] = (uint8_t)(lba >> 24), d[7] = (uint8_t)lba;
		d[8] = (uint8_t)(lba >> 32), d[9] = (uint8_t)(lba >> 8);
		d[10] = (uint8_t)(lba >> 40), d[11] = (uint8_t)(lba >> 16);
		d[12] = 0x40, d[13] = status;
		len = 22;
	}
	h->sb_len_wr = (unsigned char)(len < h->mx_sb_len ? len : h->mx_sb_len);
}

static bool pw_match(const uint8_t *data)
{
	return data && memcmp(ata.pw, data + 2, 32) == 0;
}

/* ACS-3 7.43 SANITIZE: keys per subcommand. Returns abort reason, 0 ok. */
static unsigned ata_sanitize(uint16_t feature, uint16_t count, uint64_t lba, uint16_t *rc,
			     uint64_t *rl)
{
	if (flag("nosan", NULL))
		return 2;
	if (feature == 0x0000) {         /* STATUS EXT */
		if (ata.san_state == 3 && !(count & 1))
			return (unsigned)num("reason", 1); /* SD3: abort, reason 01h */
		if (ata.san_state == 3)
			ata.san_state = 0;   /* CLEAR SANITIZE OPERATION FAILED */
		*rc = (uint16_t)((ata.san_state == 4 ? 0x8000 : 0) | (ata.san_state == 2 ? 0x4000 : 0) |
				 (ata.san_frozen ? 0x2000 : 0));
		*rl = ata.san_state == 2 ? (ata.polls_total - ata.polls_left) * 65535u / ata.polls_total
					 : 0xffff;
		if (ata.san_state == 2 && --ata.polls_left == 0)
			ata.san_state = flag("san_fail", NULL) ? 3 : 4;
		unsigned long forced;
		if (flag("status_count", &forced))   /* probing how a tool reads it */
			*rc = (uint16_t)forced;
		return 0;
	}
	bool key_ok = (feature == 0x0011 && lba == 0x43727970ull) ||    /* "Cryp" */
		      (feature == 0x0012 && lba == 0x426b4572ull) ||    /* "BkEr" */
		      (feature == 0x0014 && (lba >> 32) == 0x4f57) ||   /* "OW" */
		      (feature == 0x0020 && lba == 0x46724c6bull) ||    /* "FrLk" */
		      (feature == 0x0040 && lba == 0x416e7469ull);      /* "Anti" */
	if (!key_ok)
		return 2;
	if (ata.san_frozen)
		return 3;
	if (ata.locked)
		return 2;
	if (feature == 0x0020) {
		ata.san_frozen = true;
		return 0;
	}
	if (feature == 0x0040)
		return 0;
	ata.san_state = 2;
	ata.polls_total = ata.polls_left = (unsigned)num("polls", 2);
	return 0;
}

static void ata_cmd(struct sg_io_hdr *h)
{
	const uint8_t *c = h->cmdp;
	bool ata12 = c[0] == 0xa1;
	bool ext = !ata12 && (c[1] & 1), ck = c[2] & 0x20;
	uint8_t cmd = ata12 ? c[9] : c[14];
	uint16_t feature = ata12 ? c[3] : (uint16_t)(c[4] | (ext ? c[3] << 8 : 0));
	uint16_t count = ata12 ? c[4] : (uint16_t)(c[6] | (ext ? c[5] << 8 : 0));
	uint64_t lba = ata12 ? ((uint64_t)c[5] | (uint64_t)c[6] << 8 | (uint64_t)c[7] << 16)
			     : ((uint64_t)c[8] | (uint64_t)c[10] << 8 | (uint64_t)c[12] << 16);
	if (ext)
		lba |= (uint64_t)c[7] << 24 | (uint64_t)c[9] << 32 | (uint64_t)c[11] << 40;
	uint8_t *data = h->dxferp;
	bool pio_in = h->dxfer_direction == SG_DXFER_FROM_DEV && h->dxfer_len >= 512;
	bool pio_out = h->dxfer_direction == SG_DXFER_TO_DEV && h->dxfer_len >= 512;
	bool ok = true;
	uint8_t error = 0;
	uint16_t rc = count;
	uint64_t rl = lba;
	unsigned reason;
	ata_init();
	if (cmd != 0x37)
		ata.native_read = cmd == 0x27 || cmd == 0x78;
	switch (cmd) {
	case 0xec:
		ok = pio_in;
		if (ok)
			identify(data);
		rc = 0, rl = 0;
		break;
	case 0xf1: /* SECURITY SET PASSWORD */
		ok = pio_out && ata.sec && !ata.frozen && !ata.locked;
		if (ok && !(data[0] & 1)) {
			memcpy(ata.pw, data + 2, 32);
			ata.enabled = true;
		}
		break;
	case 0xf2: /* SECURITY UNLOCK */
		ok = pio_out && ata.enabled && !ata.frozen && pw_match(data);
		if (ok)
			ata.locked = false;
		break;
	case 0xf3: /* SECURITY ERASE PREPARE */
		ok = ata.sec && !ata.frozen;
		ata.prepared = ok;
		break;
	case 0xf4: /* SECURITY ERASE UNIT */
		ok = pio_out && ata.prepared && (!ata.enabled || pw_match(data)) &&
		     (!(data[0] & 2) || ata.enh);
		ata.prepared = false;
		if (ok && !flag("keep_enabled", NULL)) {
			ata.enabled = ata.locked = false;
			memset(ata.pw, 0, sizeof(ata.pw));
		}
		break;
	case 0xf6: /* SECURITY DISABLE PASSWORD */
		ok = pio_out && ata.enabled && !ata.locked && !ata.frozen && pw_match(data);
		if (ok) {
			ata.enabled = false;
			memset(ata.pw, 0, sizeof(ata.pw));
		}
		break;
	case 0xb4:
		rc = 0, rl = 0;
		reason = ata_sanitize(feature, count, lba, &rc, &rl);
		if (reason) {
			ok = false;
			rc = 0;
			rl = reason;         /* ACS-3 7.43.3.4: LBA(7:0) = reason */
		}
		break;
	case 0x27: /* READ NATIVE MAX ADDRESS EXT */
		ok = ext && !flag("nohpa", NULL) && !flag("amax", NULL);
		rl = ata.native - 1, rc = 0;
		break;
	case 0x78: /* ACCESSIBLE MAX ADDRESS CONFIGURATION: GET NATIVE MAX (0000h) */
		ok = ext && flag("amax", NULL) && feature == 0x0000;
		rl = ata.native - 1, rc = 0;
		break;
	case 0x37: /* SET MAX ADDRESS EXT */
		ok = ext && ata.native_read && lba < ata.native;
		if (ok)
			ata.user = lba + 1;
		ata.native_read = false;
		break;
	case 0xb1: /* DEVICE CONFIGURATION OVERLAY */
		ok = feature == 0xc2 && pio_in && !flag("nodco", NULL);
		if (ok) {
			memset(data, 0, 512);
			put16(data, 0x0002);
			for (int i = 0; i < 3; i++)
				put16(data + 6 + 2 * i, (uint16_t)((ata.dco - 1) >> (16 * i)));
			data[510] = 0xa5;
			uint8_t sum = 0;
			for (int i = 0; i < 511; i++)
				sum = (uint8_t)(sum + data[i]);
			data[511] = (uint8_t)-sum;
		}
		rc = 0, rl = 0;
		break;
	default:
		ok = false;
	}
	if (!ok) {
		error = 0x04;               /* ABRT */
		if (cmd != 0xb4)
			rc = 0, rl = 0;
	}
	ata_answer(h, ck, ok, ext, error, rc, rl);
}

/* ---- the NVMe controller (NVMe 2.0 base spec) ---------------------------- */

static struct {
	bool init;
	unsigned sstat;          /* sanitize log SSTAT bits 2:0 */
	unsigned polls_left, polls_total;
	uint32_t sanact_last;
} nv;

static void nvme_list(uint8_t *buf, const char *name, uint32_t from)
{
	/* "active=1+2+5": the namespace ids; without the flag, only ours */
	const char *p = NULL;
	size_t n = strlen(name);
	for (const char *q = script; q && *q;) {
		if (strncmp(q, name, n) == 0 && q[n] == '=') {
			p = q + n + 1;
			break;
		}
		q = strchr(q, ',');
		q = q ? q + 1 : NULL;
	}
	size_t at = 0;
	if (!p) {
		uint32_t mine = (uint32_t)num("nsid", 1);
		if (mine > from)
			put32(buf, mine);
		return;
	}
	while (*p && *p != ',' && at < 1024) {
		char *end;
		uint32_t id = (uint32_t)strtoul(p, &end, 0);
		if (end == p)
			break;
		if (id > from)
			put32(buf + 4 * at++, id);
		p = *end == '+' ? end + 1 : end;
	}
}

static int nvme_admin(struct nvme_passthru_cmd *c)
{
	uint8_t *buf = (uint8_t *)(uintptr_t)c->addr;
	uint32_t my_nsid = (uint32_t)num("nsid", 1);
	if (!nv.init) {
		nv.init = true;
		nv.sstat = flag("sstat_failed", NULL) ? 3 : 0;
	}
	switch (c->opcode) {
	case 0x06: {                 /* Identify */
		if (!buf || c->data_len < 4096)
			return 0x4002;
		memset(buf, 0, c->data_len);
		switch (c->cdw10 & 0xff) {
		case 0x01:
			put16(buf, 0x1b36);
			memcpy(buf + 4, "WPC00001            ", 20);
			memcpy(buf + 24, "WPC MODEL NVME                          ", 40);
			memcpy(buf + 64, "1.0     ", 8);
			buf[76] = (uint8_t)num("cmic", 0);
			put32(buf + 80, 0x00020000);    /* VER 2.0 */
			put16(buf + 256, (uint16_t)num("oacs", 0x000a)); /* Format, NS mgmt */
			put32(buf + 328, (uint32_t)num("sanicap", 0x00000007));
			buf[512] = 0x66, buf[513] = 0x44;
			put32(buf + 516, (uint32_t)num("nn", 1));
			buf[524] = (uint8_t)num("fna", 0x04);
			return 0;
		case 0x00:
			if (c->nsid != my_nsid && c->nsid != 0xffffffffu)
				return 0x400b;
			put32(buf, 0x200000), put32(buf + 8, 0x200000), put32(buf + 16, 0x200000);
			buf[25] = 0;                     /* NLBAF: one format */
			buf[26] = (uint8_t)num("flbas", 0);
			buf[29] = (uint8_t)num("dps", 0);
			buf[33] = (uint8_t)num("dlfeat", 0x09);
			buf[128 + 2] = 9;                /* LBAF0: 512-byte blocks */
			return 0;
		case 0x02:
			nvme_list(buf, "active", c->nsid);
			return 0;
		case 0x10:              /* needs Namespace Management (OACS bit 3) */
			if (!(num("oacs", 0x000a) & 0x8))
				return 0x4002;
			nvme_list(buf, "allocated", c->nsid);
			return 0;
		}
		return 0x4002;
	}
	case 0x02: {                 /* Get Log Page */
		unsigned lid = c->cdw10 & 0xff;
		if (!buf)
			return 0x4002;
		memset(buf, 0, c->data_len);
		if (lid != 0x81)
			return 0;
		if (c->data_len < 20)
			return 0x4002;
		if (nv.sstat == 2 && nv.polls_left) {
			put16(buf, (nv.polls_total - nv.polls_left) * 65535u / nv.polls_total);
			if (--nv.polls_left == 0)
				nv.sstat = flag("san_fail", NULL) ? 3 : flag("dealloc_status", NULL) ? 4 : 1;
		} else {
			put16(buf, 0xffff);
		}
		put16(buf + 2, (unsigned)num("sstat", nv.sstat));
		put32(buf + 4, nv.sanact_last);
		return 0;
	}
	case 0x80:                   /* Format NVM */
		if (!(num("oacs", 0x000a) & 0x2))
			return 0x4001;
		if ((c->cdw10 >> 9 & 7) == 2 && !(num("fna", 0x04) & 4))
			return 0x410a;
		if (c->nsid != my_nsid && c->nsid != 0xffffffffu)
			return 0x400b;
		return flag("format_fail", NULL) ? 0x410a : 0; /* Invalid Format */
	case 0x84: {                 /* Sanitize */
		unsigned sanact = c->cdw10 & 7;
		uint32_t cap = (uint32_t)num("sanicap", 7);
		bool ok = (sanact == 1) || (sanact == 2 && (cap & 2)) || (sanact == 3 && (cap & 4)) ||
			  (sanact == 4 && (cap & 1));
		if (!ok)
			return 0x4002;
		if (nv.sstat == 2)
			return 0x401e;  /* sanitize in progress */
		if (sanact == 1) {
			nv.sstat = 0;
			return 0;
		}
		nv.sstat = 2;
		nv.sanact_last = c->cdw10;
		nv.polls_total = nv.polls_left = (unsigned)num("polls", 2);
		return 0;
	}
	}
	return 0x4001;
}

/* ---- interposition ------------------------------------------------------------ */

#define REAL(type, name, args) \
	static type(*real_##name) args; \
	if (!real_##name) \
		*(void **)&real_##name = dlsym(RTLD_NEXT, #name)

static void init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	dev_path = getenv("WPC_DEV");
	const char *m = getenv("WPC_MODEL");
	model = m ? m[0] : 'a';
	script = getenv("WPC_SCRIPT");
	if (!script)
		script = "";
	struct stat st;
	int (*real_stat)(const char *, struct stat *) =
		(int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "stat");
	if (dev_path && real_stat && real_stat(dev_path, &st) == 0) {
		fprintf(stderr, "wpc_fake: WPC_DEV=%s exists on this machine; refusing to "
			"stand in for a real path\n", dev_path);
		abort();
	}
}

static bool is_dev(const char *path)
{
	init();
	return path && dev_path && strcmp(path, dev_path) == 0;
}

static bool is_fake(int fd)
{
	return fd >= 0 && fd < MAX_FDS && fake_fd[fd];
}

static int open_fake(void)
{
	REAL(int, open, (const char *, int, ...));
	int fd = real_open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0 && fd < MAX_FDS)
		fake_fd[fd] = true;
	return fd;
}

int open(const char *path, int flags, ...)
{
	REAL(int, open, (const char *, int, ...));
	if (is_dev(path))
		return open_fake();
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	REAL(int, open64, (const char *, int, ...));
	if (is_dev(path))
		return open_fake();
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	return real_open64(path, flags, mode);
}

int __open_2(const char *path, int flags)
{
	REAL(int, __open_2, (const char *, int));
	return is_dev(path) ? open_fake() : real___open_2(path, flags);
}

int __open64_2(const char *path, int flags)
{
	REAL(int, __open64_2, (const char *, int));
	return is_dev(path) ? open_fake() : real___open64_2(path, flags);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	REAL(int, openat, (int, const char *, int, ...));
	if (is_dev(path))
		return open_fake();
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	return real_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	REAL(int, openat64, (int, const char *, int, ...));
	if (is_dev(path))
		return open_fake();
	va_list ap;
	va_start(ap, flags);
	mode_t mode = (mode_t)va_arg(ap, int);
	va_end(ap);
	return real_openat64(dirfd, path, flags, mode);
}

int close(int fd)
{
	REAL(int, close, (int));
	if (is_fake(fd))
		fake_fd[fd] = false;
	return real_close(fd);
}

static void fake_stat(struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFBLK | 0660;
	/* 11: SCSI_CDROM_MAJOR (sr) */
	st->st_rdev = model == 'n' ? makedev(259, 0) : model == 'c' ? makedev(11, 0) : makedev(8, 0);
	st->st_blksize = 4096;
	st->st_nlink = 1;
}

int fstat(int fd, struct stat *st)
{
	REAL(int, fstat, (int, struct stat *));
	init();
	if (is_fake(fd)) {
		fake_stat(st);
		return 0;
	}
	return real_fstat(fd, st);
}

int fstat64(int fd, struct stat64 *st)
{
	REAL(int, fstat64, (int, struct stat64 *));
	init();
	if (is_fake(fd)) {
		fake_stat((struct stat *)st);
		return 0;
	}
	return real_fstat64(fd, st);
}

int stat(const char *path, struct stat *st)
{
	REAL(int, stat, (const char *, struct stat *));
	if (is_dev(path)) {
		fake_stat(st);
		return 0;
	}
	return real_stat(path, st);
}

int stat64(const char *path, struct stat64 *st)
{
	REAL(int, stat64, (const char *, struct stat64 *));
	if (is_dev(path)) {
		fake_stat((struct stat *)st);
		return 0;
	}
	return real_stat64(path, st);
}

int lstat(const char *path, struct stat *st)
{
	REAL(int, lstat, (const char *, struct stat *));
	if (is_dev(path)) {
		fake_stat(st);
		return 0;
	}
	return real_lstat(path, st);
}

int lstat64(const char *path, struct stat64 *st)
{
	REAL(int, lstat64, (const char *, struct stat64 *));
	if (is_dev(path)) {
		fake_stat((struct stat *)st);
		return 0;
	}
	return real_lstat64(path, st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	REAL(int, fstatat, (int, const char *, struct stat *, int));
	init();
	if (is_dev(path) || ((flags & AT_EMPTY_PATH) && !*path && is_fake(dirfd))) {
		fake_stat(st);
		return 0;
	}
	return real_fstatat(dirfd, path, st, flags);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	REAL(int, fstatat64, (int, const char *, struct stat64 *, int));
	init();
	if (is_dev(path) || ((flags & AT_EMPTY_PATH) && !*path && is_fake(dirfd))) {
		fake_stat((struct stat *)st);
		return 0;
	}
	return real_fstatat64(dirfd, path, st, flags);
}

/* The old versioned entry points (glibc < 2.33 built), which libburn
 * (xorriso) still calls: __xstat, __lxstat, __fxstat. */
int __xstat(int ver, const char *path, struct stat *st)
{
	REAL(int, __xstat, (int, const char *, struct stat *));
	if (is_dev(path)) {
		fake_stat(st);
		return 0;
	}
	return real___xstat(ver, path, st);
}

int __lxstat(int ver, const char *path, struct stat *st)
{
	REAL(int, __lxstat, (int, const char *, struct stat *));
	if (is_dev(path)) {
		fake_stat(st);
		return 0;
	}
	return real___lxstat(ver, path, st);
}

int __fxstat(int ver, int fd, struct stat *st)
{
	REAL(int, __fxstat, (int, int, struct stat *));
	init();
	if (is_fake(fd)) {
		fake_stat(st);
		return 0;
	}
	return real___fxstat(ver, fd, st);
}

/* No waiting: the model advances one step per poll instead. */
unsigned int sleep(unsigned int s)
{
	(void)s;
	return 0;
}

int usleep(useconds_t us)
{
	(void)us;
	return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	(void)req;
	if (rem)
		rem->tv_sec = 0, rem->tv_nsec = 0;
	return 0;
}

int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
	(void)clk, (void)flags, (void)req, (void)rem;
	return 0;
}

int ioctl(int fd, unsigned long req, ...)
{
	REAL(int, ioctl, (int, unsigned long, ...));
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	init();
	if (!is_fake(fd))
		return real_ioctl(fd, req, arg);
	if (req == SG_IO) {
		struct sg_io_hdr *h = arg;
		if (h->interface_id != 'S') {
			wlog("ioctl req=%08lx sgv4\n", req);
			errno = EINVAL;
			return -1;
		}
		record_sg(h);
		h->status = 0, h->masked_status = 0, h->host_status = 0, h->driver_status = 0;
		h->sb_len_wr = 0, h->resid = 0, h->duration = 1, h->info = 0;
		if (flag("sg_errno", NULL)) {
			errno = (int)num("sg_errno", EIO);
			return -1;
		}
		/* A1h is ATA PASS-THROUGH(12) to a disk, BLANK to an MMC drive */
		bool ata_pt = model != 'c' && (h->cmdp[0] == 0x85 || h->cmdp[0] == 0xa1);
		if (ata_pt && model == 'a')
			ata_cmd(h);
		else if (model == 'a' && h->cmdp[0] == 0x12)
			scsi_inquiry(h, h->cmdp);
		else if (model == 'a' && (h->cmdp[0] == 0x1a || h->cmdp[0] == 0x5a ||
					  h->cmdp[0] == 0x15 || h->cmdp[0] == 0x55)) {
			ata_init();
			ata_mode(h, h->cmdp);
		}
		else if (model == 's' && !ata_pt)
			scsi_cmd(h);
		else if (model == 'c')
			mmc_cmd(h);
		else
			sense_fixed(h, 0x05, 0x20, 0x00);
		if (h->status)
			h->info |= SG_INFO_CHECK;
		return 0;
	}
	if (req == NVME_IOCTL_ADMIN_CMD || req == NVME_IOCTL_ADMIN64_CMD) {
		struct nvme_passthru_cmd *c = arg;
		record_nvme(c, "nvme");
		if (model != 'n') {
			errno = ENOTTY;
			return -1;
		}
		int st = nvme_admin(c);
		if (req == NVME_IOCTL_ADMIN_CMD)
			c->result = 0;
		else
			((struct nvme_passthru_cmd64 *)arg)->result = 0;
		return st;
	}
	if (req == NVME_IOCTL_ID) {
		wlog("ioctl req=%08lx nvme-id\n", req);
		if (model != 'n') {
			errno = ENOTTY;
			return -1;
		}
		return (int)num("nsid", 1);
	}
	/* libburn (xorriso) asks an sr device where it sits before it talks
	 * to it: SG_GET_SCSI_ID, SCSI_IOCTL_GET_IDLUN / _GET_BUS_NUMBER, and
	 * CDROM_DRIVE_STATUS; host 0, channel 0, id 0, lun 0, type 05h */
	if (model == 'c' && req == SG_GET_SCSI_ID) {
		struct sg_scsi_id *id = arg;
		memset(id, 0, sizeof(*id));
		id->scsi_type = 5;
		id->h_cmd_per_lun = 1;
		id->d_queue_depth = 1;
		wlog("ioctl req=%08lx sg-scsi-id\n", req);
		return 0;
	}
	if (model == 'c' && (req == 0x5382 || req == 0x5386)) { /* GET_IDLUN, GET_BUS_NUMBER */
		if (req == 0x5382)
			((int *)arg)[0] = 0, ((int *)arg)[1] = 0;
		else
			*(int *)arg = 0;
		wlog("ioctl req=%08lx scsi-adr\n", req);
		return 0;
	}
	if (model == 'c' && req == 0x5326) { /* CDROM_DRIVE_STATUS: CDS_DISC_OK */
		wlog("ioctl req=%08lx drive-status\n", req);
		return 4;
	}
	if (req == BLKGETSIZE64) {
		*(uint64_t *)arg = 512ull * 0x100000;
		return 0;
	}
	if (req == BLKSSZGET || req == BLKPBSZGET) {
		*(int *)arg = 512;
		return 0;
	}
	if (req == BLKGETSIZE) {
		*(unsigned long *)arg = 0x100000;
		return 0;
	}
	wlog("ioctl req=%08lx\n", req);
	errno = ENOTTY;
	return -1;
}
