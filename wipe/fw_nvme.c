/*
 * The NVMe backend: admin commands through NVME_IOCTL_ADMIN_CMD on the
 * namespace's block device.
 *
 * Probing sends Identify Controller (OACS, SANICAP, NN, FNA, CMIC),
 * Identify Namespace (FLBAS, DPS, DLFEAT), the active namespace list and,
 * with Namespace Management, the allocated namespace list (CNS 10h: every
 * namespace of the NVM subsystem, attached to another controller or to
 * none) — all read-only. Format NVM keeps the namespace's current LBA
 * format and protection settings and changes only SES. Sanitize erases the
 * whole NVM subsystem, as does a Format where FNA bit 0 or 1 says so, so
 * these are only offered when this is the subsystem's only namespace, and
 * it asks for no-deallocate where the controller allows it, so that the
 * medium can be read and compared afterwards instead of answering zeros
 * for deallocated blocks.
 *
 * FNA bit 2 is checked before a cryptographic format: a controller may
 * accept SES=2 without having any encryption (QEMU does), and then nothing
 * cryptographic happened at all.
 */
#include "fw_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OP_GET_LOG_PAGE 0x02
#define OP_IDENTIFY 0x06
#define OP_FORMAT_NVM 0x80
#define OP_SANITIZE 0x84
#define CNS_NAMESPACE 0x00
#define CNS_CONTROLLER 0x01
#define CNS_ACTIVE_NS 0x02
#define CNS_ALLOCATED_NS 0x10
#define LOG_SANITIZE 0x81
#define LOG_SANITIZE_BYTES 512u
#define NSID_ALL 0xffffffffu

#define OACS_FORMAT (1u << 1)
#define OACS_NS_MGMT (1u << 3)
#define CMIC_MULTI_CTRL (1u << 1)
#define SANICAP_CRYPTO (1u << 0)
#define SANICAP_BLOCK (1u << 1)
#define SANICAP_OVERWRITE (1u << 2)
#define SANICAP_NDI (1u << 29)    /* no-deallocate inhibited */
#define FNA_FORMAT_ALL (1u << 0)
#define FNA_ERASE_ALL (1u << 1)
#define FNA_CRYPTO (1u << 2)
#define FNA_NO_BROADCAST (1u << 3)  /* NVMe 2.0: Format NVM refuses NSID FFFFFFFFh */

#define SANACT_BLOCK 2u
#define SANACT_OVERWRITE 3u
#define SANACT_CRYPTO 4u
#define SANITIZE_NDAS (1u << 9)
#define SANITIZE_OWPASS_1 (1u << 4)

#define SSTAT_NEVER 0
#define SSTAT_DONE 1
#define SSTAT_IN_PROGRESS 2
#define SSTAT_FAILED 3
#define SSTAT_DONE_DEALLOCATED 4

#define FORMAT_TIMEOUT_MS (4u * 3600u * 1000u)

/* "Invalid Command Opcode (SCT 0h, SC 01h, DNR)" */
static void status_text(int status, char *buf, size_t len)
{
	static const struct { unsigned sct, sc; const char *text; } known[] = {
		{ 0, 0x01, "Invalid Command Opcode" }, { 0, 0x02, "Invalid Field in Command" },
		{ 0, 0x0b, "Invalid Namespace or Format" }, { 0, 0x15, "Operation Denied" },
		{ 0, 0x1d, "Sanitize Failed" }, { 0, 0x1e, "Sanitize In Progress" },
		{ 0, 0x20, "Namespace is Write Protected" }, { 1, 0x0a, "Invalid Format" },
		{ 1, 0x23, "Sanitize Prohibited While Persistent Memory Region is Enabled" },
	};
	unsigned sct = ((unsigned)status >> 8) & 0x7, sc = (unsigned)status & 0xff;
	const char *text = "status";
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].sct == sct && known[i].sc == sc)
			text = known[i].text;
	wp_fw_fmt(buf, len, "%s (status %04Xh: SCT %Xh, SC %02Xh%s)", text,
		  (unsigned)status & 0xffff, sct, sc, status & 0x4000 ? ", DNR" : "");
}

static int admin(const struct wp_fw_dev *dev, struct nvme_admin_cmd *cmd, const char *what,
		 char *err, size_t errlen)
{
	int r = dev->io->nvme_admin(dev->io->ctx, dev->fd, cmd);
	if (r == 0)
		return 0;
	if (r < 0) {
		wp_fw_fmt(err, errlen, "%s: %s could not be sent (NVMe admin ioctl: %s)", dev->path,
			  what, strerror(errno));
		return -1;
	}
	char text[160];
	status_text(r, text, sizeof(text));
	wp_fw_fmt(err, errlen, "%s: the controller refused %s: %s", dev->path, what, text);
	return -1;
}

static int identify(const struct wp_fw_dev *dev, uint32_t cns, uint32_t nsid, uint8_t *buf,
		    const char *what, char *err, size_t errlen)
{
	struct nvme_admin_cmd c;
	memset(&c, 0, sizeof(c));
	memset(buf, 0, 4096);
	c.opcode = OP_IDENTIFY;
	c.nsid = nsid;
	c.addr = (uint64_t)(uintptr_t)buf;
	c.data_len = 4096;
	c.cdw10 = cns;
	return admin(dev, &c, what, err, errlen);
}

/* Add the ids of a namespace list (ascending, 0-terminated) that are not
 * this namespace and not known yet. */
static void add_namespaces(struct wp_nvme_info *n, const uint8_t *buf)
{
	for (size_t i = 0; i < 1024; i++) {
		uint32_t id = wp_le32(buf + 4 * i);
		bool known = id == n->nsid;
		if (id == 0)
			break;
		for (unsigned j = 0; j < n->n_other && j < WP_NVME_MAX_OTHER_NS; j++)
			known |= n->other[j] == id;
		if (known)
			continue;
		if (n->n_other < WP_NVME_MAX_OTHER_NS)
			n->other[n->n_other] = id;
		n->n_other++;
	}
}

static void other_namespaces(const struct wp_fw_dev *dev, struct wp_nvme_info *n,
			     uint8_t *buf)
{
	char err[256];
	if (identify(dev, CNS_ACTIVE_NS, 0, buf, "Identify (active namespace list)", err,
		     sizeof(err)) < 0) {
		/* cannot tell: assume the worst for whole-controller commands */
		n->n_other = n->nn > 1 ? n->nn - 1 : 0;
		n->others_unknown = n->n_other == 0 && (n->cmic & CMIC_MULTI_CTRL);
		return;
	}
	add_namespaces(n, buf);
	/* namespaces attached to other controllers, or to none, are only in the
	 * allocated list, which needs Namespace Management */
	if ((n->oacs & OACS_NS_MGMT) &&
	    identify(dev, CNS_ALLOCATED_NS, 0, buf, "Identify (allocated namespace list)", err,
		     sizeof(err)) == 0) {
		add_namespaces(n, buf);
		return;
	}
	n->others_unknown = (n->cmic & CMIC_MULTI_CTRL) != 0;
}

static int read_identify(const struct wp_fw_dev *dev, struct wp_nvme_info *n, char *err,
			 size_t errlen)
{
	uint8_t *buf = malloc(4096);
	int rc = -1;
	if (!buf) {
		wp_fw_fmt(err, errlen, "out of memory");
		return -1;
	}
	if (identify(dev, CNS_CONTROLLER, 0, buf, "Identify Controller", err, errlen) < 0)
		goto out;
	n->oacs = wp_le16(buf + 256);
	n->sanicap = wp_le32(buf + 328);
	n->cmic = buf[76];
	n->nn = wp_le32(buf + 516);
	n->fna = buf[524];
	if (identify(dev, CNS_NAMESPACE, n->nsid, buf, "Identify Namespace", err, errlen) < 0)
		goto out;
	n->flbas = buf[26];
	n->dps = buf[29];
	n->dlfeat = buf[33];
	other_namespaces(dev, n, buf);
	rc = 0;
out:
	free(buf);
	return rc;
}

static void support(struct wp_fw_caps *caps, enum wp_fw_method m, const char *why)
{
	caps->method[m].ok = why == NULL;
	wp_fw_fmt(caps->method[m].why, sizeof(caps->method[m].why), "%s", why ? why : "");
}

/* Whether a command that acts on the whole NVM subsystem would reach
 * namespaces besides this one, or might (others_unknown). */
static bool subsystem_shared(const struct wp_nvme_info *n)
{
	return n->n_other || n->others_unknown;
}

static void format_support(struct wp_fw_caps *caps, const char *others)
{
	const struct wp_nvme_info *n = &caps->nvme;
	const char *why = !(n->oacs & OACS_FORMAT) ? "the controller does not support Format "
		"NVM (Identify Controller OACS bit 1)"
		: (n->fna & (FNA_FORMAT_ALL | FNA_ERASE_ALL)) && subsystem_shared(n) ? others : NULL;
	support(caps, WP_FW_NVME_FORMAT_USER, why);
	if (!why && !(n->fna & FNA_CRYPTO))
		why = "the controller does not report cryptographic erase (FNA bit 2); it may "
		      "accept SES=2 without encrypting anything, so wipeproof refuses: use "
		      "nvme-format-user (Clear) or a sanitize method";
	support(caps, WP_FW_NVME_FORMAT_CRYPTO, why);
}

static void sanitize_support(struct wp_fw_caps *caps, const char *others)
{
	static const struct { enum wp_fw_method m; uint32_t bit; const char *why; } s[] = {
		{ WP_FW_NVME_SANITIZE_CRYPTO, SANICAP_CRYPTO,
		  "the controller does not support Sanitize crypto erase (SANICAP bit 0)" },
		{ WP_FW_NVME_SANITIZE_BLOCK, SANICAP_BLOCK,
		  "the controller does not support Sanitize block erase (SANICAP bit 1)" },
		{ WP_FW_NVME_SANITIZE_OVERWRITE, SANICAP_OVERWRITE,
		  "the controller does not support Sanitize overwrite (SANICAP bit 2)" },
	};
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		support(caps, s[i].m, !(caps->nvme.sanicap & s[i].bit) ? s[i].why
				      : subsystem_shared(&caps->nvme) ? others : NULL);
}

static int nvme_probe(const struct wp_fw_dev *dev, struct wp_fw_caps *caps)
{
	struct wp_nvme_info *n = &caps->nvme;
	char others[224];
	int nsid = dev->io->nvme_nsid(dev->io->ctx, dev->fd);
	if (nsid <= 0) {
		wp_fw_fmt(caps->note, sizeof(caps->note), "%s: the namespace id is not readable "
			  "(NVME_IOCTL_ID: %s)", dev->path, strerror(errno));
		return -1;
	}
	n->nsid = (uint32_t)nsid;
	if (read_identify(dev, n, caps->note, sizeof(caps->note)) < 0)
		return -1;
	caps->probed = true;
	if (n->others_unknown)
		wp_fw_fmt(others, sizeof(others), "the command erases every namespace of the NVM "
			  "subsystem, which may have other controllers (CMIC bit 1) whose "
			  "namespaces cannot be listed (no allocated list, CNS 10h): wipeproof "
			  "erases only what was confirmed");
	else
		wp_fw_fmt(others, sizeof(others), "the command erases every namespace of the NVM "
			  "subsystem and it has %u more besides namespace %u (active or allocated); "
			  "wipeproof erases only what was confirmed", n->n_other, n->nsid);
	format_support(caps, others);
	sanitize_support(caps, others);
	caps->hidden.checked = !n->others_unknown;
	if (n->n_other)
		wp_fw_fmt(caps->hidden.note, sizeof(caps->hidden.note), "the NVM subsystem has %u "
			  "other namespace(s), not covered by wiping namespace %u", n->n_other,
			  n->nsid);
	else if (n->others_unknown)
		wp_fw_fmt(caps->hidden.note, sizeof(caps->hidden.note), "other controllers of "
			  "the NVM subsystem (CMIC bit 1) may hold namespaces not covered by wiping "
			  "namespace %u", n->nsid);
	return 0;
}

/* ---- Format NVM ---------------------------------------------------------- */

/* CDW10: LBAF (FLBAS bits 3:0, upper bits 6:5 in 13:12), MSET, PI, PIL as
 * they are now; SES in bits 11:9. */
static uint32_t format_cdw10(const struct wp_nvme_info *n, uint32_t ses)
{
	uint32_t c = n->flbas & 0x0fu;
	c |= (n->flbas & 0x10u) ? 1u << 4 : 0;
	c |= (uint32_t)(n->dps & 0x7u) << 5;
	c |= (n->dps & 0x8u) ? 1u << 8 : 0;
	c |= (ses & 0x7u) << 9;
	c |= (uint32_t)((n->flbas >> 5) & 0x3u) << 12;
	return c;
}

/* DLFEAT bits 2:0 = 001b: deallocated blocks read as zeros. */
static bool reads_zero_after_deallocate(const struct wp_nvme_info *n)
{
	return (n->dlfeat & 0x7u) == 1u;
}

static int format_nvm(const struct wp_fw_dev *dev, enum wp_fw_method m,
		      const struct wp_fw_caps *caps, const struct wp_run_ctl *ctl,
		      struct wp_firmware_record *rec, char *err, size_t errlen)
{
	struct wp_progress_clock clock;
	struct nvme_admin_cmd c;
	wp_progress_start(&clock);
	memset(&c, 0, sizeof(c));
	c.opcode = OP_FORMAT_NVM;
	/* FNA bit 0: a format of one namespace formats them all, and nvme-cli
	 * says so with the broadcast NSID; FNA bit 3 forbids it (NVMe 2.0) */
	c.nsid = (caps->nvme.fna & FNA_FORMAT_ALL) && !(caps->nvme.fna & FNA_NO_BROADCAST)
		 ? NSID_ALL : caps->nvme.nsid;
	c.cdw10 = format_cdw10(&caps->nvme, m == WP_FW_NVME_FORMAT_CRYPTO ? 2 : 1);
	c.timeout_ms = FORMAT_TIMEOUT_MS;
	wp_fw_progress(dev, ctl, &clock, 0, false);
	if (admin(dev, &c, "Format NVM", err, errlen) < 0)
		return -1;
	wp_fw_progress(dev, ctl, &clock, 65536, true);
	wp_fw_fmt(rec->expected, sizeof(rec->expected), "%s",
		  reads_zero_after_deallocate(&caps->nvme) ? "zeros" : "unknown");
	return 0;
}

/* ---- Sanitize -------------------------------------------------------------- */

struct san_log {
	uint16_t sprog;
	unsigned status;
};

static int sanitize_log(const struct wp_fw_dev *dev, struct san_log *log, char *err,
			size_t errlen)
{
	uint8_t buf[LOG_SANITIZE_BYTES] = { 0 };
	struct nvme_admin_cmd c;
	memset(&c, 0, sizeof(c));
	c.opcode = OP_GET_LOG_PAGE;
	c.nsid = NSID_ALL;
	c.addr = (uint64_t)(uintptr_t)buf;
	c.data_len = sizeof(buf);
	c.cdw10 = LOG_SANITIZE | (LOG_SANITIZE_BYTES / 4 - 1) << 16; /* NUMDL */
	if (admin(dev, &c, "Get Log Page (sanitize status)", err, errlen) < 0)
		return -1;
	log->sprog = wp_le16(buf);
	log->status = wp_le16(buf + 2) & 0x7u;
	return 0;
}

static uint32_t sanitize_cdw10(enum wp_fw_method m, bool ndas)
{
	uint32_t c = m == WP_FW_NVME_SANITIZE_CRYPTO ? SANACT_CRYPTO
		   : m == WP_FW_NVME_SANITIZE_BLOCK ? SANACT_BLOCK
		   : SANACT_OVERWRITE | SANITIZE_OWPASS_1;
	return ndas ? c | SANITIZE_NDAS : c;
}

static void sanitize_expected(const struct wp_fw_caps *caps, enum wp_fw_method m,
			      bool deallocated, struct wp_firmware_record *rec)
{
	const char *e = "unknown";
	if (deallocated && reads_zero_after_deallocate(&caps->nvme))
		e = "zeros";
	else if (!deallocated && m == WP_FW_NVME_SANITIZE_OVERWRITE)
		e = "zeros"; /* OVRPAT 0, one pass, not inverted */
	wp_fw_fmt(rec->expected, sizeof(rec->expected), "%s", e);
}

static int sanitize_wait(const struct wp_fw_dev *dev, const struct wp_run_ctl *ctl,
			 struct san_log *log, char *err, size_t errlen)
{
	struct wp_progress_clock clock;
	wp_progress_start(&clock);
	for (unsigned polls = 0; polls < WP_FW_MAX_POLLS; polls++) {
		if (sanitize_log(dev, log, err, errlen) < 0)
			return -1;
		if (log->status == SSTAT_DONE || log->status == SSTAT_DONE_DEALLOCATED) {
			wp_fw_progress(dev, ctl, &clock, 65536, true);
			return 0;
		}
		if (log->status != SSTAT_IN_PROGRESS) {
			wp_fw_fmt(err, errlen, "%s: the controller reports the sanitize failed "
				  "(sanitize log SSTAT %u); it stays in the failed state until a "
				  "sanitize completes: run the wipe again", dev->path, log->status);
			return -1;
		}
		wp_fw_progress(dev, ctl, &clock, log->sprog, false);
		if (wp_fw_stop_requested(ctl)) {
			wp_fw_fmt(err, errlen, "%s: stopped waiting; the controller goes on "
				  "sanitizing by itself and cannot be stopped", dev->path);
			return -1;
		}
		dev->io->pause(dev->io->ctx, WP_FW_POLL_MS);
	}
	wp_fw_fmt(err, errlen, "%s: the sanitize did not end within a week", dev->path);
	return -1;
}

static int sanitize(const struct wp_fw_dev *dev, enum wp_fw_method m,
		    const struct wp_fw_caps *caps, const struct wp_run_ctl *ctl,
		    struct wp_firmware_record *rec, char *err, size_t errlen)
{
	struct san_log log;
	if (sanitize_log(dev, &log, err, errlen) < 0)
		return -1;
	if (log.status == SSTAT_IN_PROGRESS) {
		wp_fw_fmt(err, errlen, "%s: a sanitize is already running on the controller; "
			  "wait for it to end, then wipe again", dev->path);
		return -1;
	}
	bool ndas = !(caps->nvme.sanicap & SANICAP_NDI);
	struct nvme_admin_cmd c;
	memset(&c, 0, sizeof(c));
	c.opcode = OP_SANITIZE;
	c.cdw10 = sanitize_cdw10(m, ndas);
	c.cdw11 = 0; /* overwrite pattern */
	if (admin(dev, &c, "Sanitize", err, errlen) < 0)
		return -1;
	if (sanitize_wait(dev, ctl, &log, err, errlen) < 0)
		return -1;
	sanitize_expected(caps, m, !ndas || log.status == SSTAT_DONE_DEALLOCATED, rec);
	return 0;
}

static int nvme_run(const struct wp_fw_dev *dev, enum wp_fw_method m,
		    const struct wp_fw_caps *caps, const struct wp_run_ctl *ctl,
		    struct wp_firmware_record *rec, char *err, size_t errlen)
{
	if (m == WP_FW_NVME_FORMAT_USER || m == WP_FW_NVME_FORMAT_CRYPTO)
		return format_nvm(dev, m, caps, ctl, rec, err, errlen);
	return sanitize(dev, m, caps, ctl, rec, err, errlen);
}

const struct wp_backend wp_backend_nvme = {
	.name = "nvme", .bus = WP_FW_BUS_NVME, .probe = nvme_probe, .run = nvme_run,
};
