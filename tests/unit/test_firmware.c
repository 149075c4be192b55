/* Firmware backends against simulated devices: exact command bytes, status
 * and sense decoding, progress polling, frozen and locked drives, recovery
 * of an interrupted security erase, and a drive that lies. */
#include "fwsim.h"

#include "check_main.h"

#define MEDIUM (24ull << 20)

static char err[1024];
static struct sim S;
static struct wp_fw_io IO;

static void setup(void)
{
	sim_open(&S, MEDIUM);
	IO = sim_io(&S);
	err[0] = '\0';
}

static void teardown(void)
{
	sim_close(&S);
}

static void assert_cdb(const struct sim_sg *r, const uint8_t *want, size_t n)
{
	ck_assert_uint_eq(r->cdb_len, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(r->cdb[i] == want[i], "CDB byte %zu is %02x, expected %02x", i,
			      r->cdb[i], want[i]);
}

/* How many commands with this ATA opcode were sent. */
static size_t count_ata(uint8_t command)
{
	size_t n = 0;
	for (size_t i = 0; i < S.n_sg && i < SIM_MAX_CMDS; i++)
		n += S.sg[i].cdb[0] == 0x85 && S.sg[i].cdb[14] == command;
	return n;
}

static const struct sim_sg *find_ata(uint8_t command, uint16_t feature)
{
	for (size_t i = 0; i < S.n_sg && i < SIM_MAX_CMDS; i++)
		if (S.sg[i].cdb[0] == 0x85 && S.sg[i].cdb[14] == command && S.sg[i].cdb[4] == feature)
			return &S.sg[i];
	return NULL;
}

static bool medium_is_zero(void)
{
	static uint8_t buf[1 << 20];
	for (uint64_t at = 0; at < S.size; at += sizeof(buf)) {
		if (pread(S.medium_fd, buf, sizeof(buf), (off_t)at) != (ssize_t)sizeof(buf))
			return false;
		if (wp_first_nonzero(buf, sizeof(buf)) != sizeof(buf))
			return false;
	}
	return true;
}

/* progress reports seen */
static unsigned n_progress;
static bool saw_final;
static uint64_t last_done;
static bool progress_monotonic;
static void on_progress(const struct wp_progress *p, void *ctx)
{
	(void)ctx;
	ck_assert_str_eq(p->phase, "firmware");
	if (p->done < last_done)
		progress_monotonic = false;
	last_done = p->done;
	n_progress++;
	saw_final |= p->final;
}

static struct wp_run_ctl ctl_with_progress(void)
{
	n_progress = 0;
	saw_final = false;
	last_done = 0;
	progress_monotonic = true;
	return (struct wp_run_ctl){ .progress = on_progress };
}

/* ---- ATA -------------------------------------------------------------------- */

static void ata_drive(void)
{
	S.sec = S.enhanced = true;
	S.san = S.san_crypto = S.san_block = S.san_ow = true;
	S.user_sectors = MEDIUM / 512;
}

START_TEST(ata_identify_bytes_and_caps)
{
	ata_drive();
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	static const uint8_t identify[16] = { 0x85, 0x08, 0x0e, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
					      0xec, 0 };
	assert_cdb(&S.sg[0], identify, 16);
	ck_assert_int_eq(S.sg[0].dir, SG_DXFER_FROM_DEV);
	ck_assert_uint_eq(S.sg[0].len, 512);
	ck_assert(caps.probed);
	ck_assert(caps.ata.security_supported && caps.ata.enhanced_supported);
	ck_assert_uint_eq(caps.ata.erase_minutes, 60);
	ck_assert_uint_eq(caps.ata.enhanced_minutes, 120);
	for (int m = WP_FW_ATA_SECURE_ERASE; m <= WP_FW_ATA_SANITIZE_OVERWRITE; m++)
		ck_assert_msg(caps.method[m].ok, "%d: %s", m, caps.method[m].why);
	ck_assert(!caps.method[WP_FW_NVME_FORMAT_USER].ok);
	ck_assert_ptr_nonnull(strstr(caps.method[WP_FW_NVME_FORMAT_USER].why, "NVMe"));
	/* read-only probing: identify only, nothing that changes state */
	ck_assert_uint_eq(count_ata(0xf1) + count_ata(0xf4) + count_ata(0xb4), 0);
}
END_TEST

START_TEST(ata_frozen_refused_before_any_password)
{
	ata_drive();
	S.frozen = true;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	ck_assert(!caps.method[WP_FW_ATA_SECURE_ERASE].ok);
	ck_assert_ptr_nonnull(strstr(caps.method[WP_FW_ATA_SECURE_ERASE].why, "frozen"));
	ck_assert_ptr_nonnull(strstr(caps.method[WP_FW_ATA_SECURE_ERASE].why, "suspend"));
	struct wp_firmware_record rec;
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_ATA_SECURE_ERASE, &caps, &ctl, &rec, err,
				   sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "frozen"));
	ck_assert_uint_eq(count_ata(0xf1), 0);
	ck_assert(!medium_is_zero());
}
END_TEST

START_TEST(ata_security_erase_sequence)
{
	ata_drive();
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	S.n_sg = 0;
	struct wp_run_ctl ctl = ctl_with_progress();
	ck_assert_msg(wp_fw_run(&dev, WP_FW_ATA_SECURE_ERASE, &caps, &ctl, &rec, err,
				sizeof(err)) == 0, "%s", err);
	/* IDENTIFY, SET PASSWORD, ERASE PREPARE, ERASE UNIT, IDENTIFY */
	ck_assert_uint_eq(S.n_sg, 5);
	static const uint8_t set_pw[16] = { 0x85, 0x0a, 0x06, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
					    0xf1, 0 };
	static const uint8_t prepare[16] = { 0x85, 0x06, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					     0xf3, 0 };
	static const uint8_t erase[16] = { 0x85, 0x0a, 0x06, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
					   0xf4, 0 };
	assert_cdb(&S.sg[1], set_pw, 16);
	assert_cdb(&S.sg[2], prepare, 16);
	assert_cdb(&S.sg[3], erase, 16);
	ck_assert_int_eq(S.sg[1].dir, SG_DXFER_TO_DEV);
	ck_assert_uint_eq(S.sg[1].data[0], 0x00); /* user password, high security */
	ck_assert_mem_eq(S.sg[1].data + 2, "wipeproof", 9);
	ck_assert_uint_eq(S.sg[1].data[11], 0);
	ck_assert_uint_eq(S.sg[3].data[0], 0x00); /* normal erase */
	ck_assert(!S.enabled && !S.locked);
	ck_assert(medium_is_zero());
	/* ACS-3 7.40.3: a normal erase writes binary zeros or ones */
	ck_assert_str_eq(rec.expected, "zeros-or-ones");
	ck_assert_str_eq(rec.status, "success");
	ck_assert(saw_final);
}
END_TEST

START_TEST(ata_enhanced_erase_sets_mode_bit)
{
	ata_drive();
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_ATA_SECURE_ERASE_ENH, &caps, &ctl, &rec, err,
				   sizeof(err)), 0);
	const struct sim_sg *e = find_ata(0xf4, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->data[0], 0x02);
	ck_assert_str_eq(rec.expected, "unknown");
}
END_TEST

START_TEST(ata_interrupted_erase_is_recovered)
{
	ata_drive();
	S.interrupt_erase = true;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_ATA_SECURE_ERASE, &caps, &ctl, &rec, err,
				   sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "SECURITY ERASE UNIT"));
	ck_assert_ptr_nonnull(strstr(err, "temporary password was removed again"));
	ck_assert_uint_eq(count_ata(0xf2), 1); /* UNLOCK */
	ck_assert_uint_eq(count_ata(0xf6), 1); /* DISABLE PASSWORD */
	ck_assert(!S.locked && !S.enabled);
}
END_TEST

START_TEST(ata_left_locked_by_earlier_run_is_taken_over)
{
	/* a previous run's power cut: enabled and locked with our password */
	ata_drive();
	S.enabled = S.locked = true;
	memcpy(S.pw, "wipeproof", 9);
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	ck_assert_int_eq(wp_ata_security_recover(&dev, err, sizeof(err)), 0);
	ck_assert(!S.locked && !S.enabled);
}
END_TEST

START_TEST(ata_foreign_password_refused)
{
	ata_drive();
	S.enabled = S.locked = true;
	memcpy(S.pw, "owner", 5);
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	ck_assert(!caps.method[WP_FW_ATA_SANITIZE_CRYPTO].ok); /* locked */
	ck_assert_ptr_nonnull(strstr(caps.method[WP_FW_ATA_SANITIZE_CRYPTO].why, "locked"));
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_ATA_SECURE_ERASE, &caps, &ctl, &rec, err,
				   sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not wipeproof's temporary one"));
	ck_assert_uint_eq(count_ata(0xf1), 0);
	ck_assert(S.locked);
}
END_TEST

static void run_ata_sanitize(enum wp_fw_method m)
{
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	struct wp_run_ctl ctl = ctl_with_progress();
	ck_assert_msg(wp_fw_run(&dev, m, &caps, &ctl, &rec, err, sizeof(err)) == 0, "%s", err);
	ck_assert(saw_final);
	ck_assert(progress_monotonic);
	ck_assert_uint_ge(n_progress, 2); /* first poll and the end; the clock throttles the rest */
	ck_assert_uint_ge(S.pauses, 2);
}

START_TEST(ata_sanitize_bytes_keys_and_progress)
{
	ata_drive();
	run_ata_sanitize(WP_FW_ATA_SANITIZE_CRYPTO);
	static const uint8_t status[16] = { 0x85, 0x07, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40,
					    0xb4, 0 };
	static const uint8_t crypto[16] = { 0x85, 0x07, 0x00, 0, 0x11, 0, 0, 0x43, 0x70, 0, 0x79,
					    0, 0x72, 0x40, 0xb4, 0 };
	assert_cdb(find_ata(0xb4, 0x00), status, 16);
	assert_cdb(find_ata(0xb4, 0x11), crypto, 16);
	ck_assert(!medium_is_zero()); /* crypto: new noise */

	S.n_sg = 0;
	run_ata_sanitize(WP_FW_ATA_SANITIZE_BLOCK);
	/* BLOCK ERASE EXT key 426B4572h "BkEr" (ACS-3 7.36.3; hdparm sanitize.h
	 * SANITIZE_BLOCK_ERASE_KEY; opensea-transport the same): LBA(31:24) 42h
	 * in byte 7, LBA(7:0) 72h in byte 8, LBA(15:8) 45h, LBA(23:16) 6Bh */
	static const uint8_t block[16] = { 0x85, 0x07, 0x00, 0, 0x12, 0, 0, 0x42, 0x72, 0, 0x45,
					   0, 0x6b, 0x40, 0xb4, 0 };
	assert_cdb(find_ata(0xb4, 0x12), block, 16);

	S.n_sg = 0;
	run_ata_sanitize(WP_FW_ATA_SANITIZE_OVERWRITE);
	static const uint8_t ow[16] = { 0x85, 0x07, 0x00, 0, 0x14, 0, 0x01, 0, 0, 0x57, 0, 0x4f,
					0, 0x40, 0xb4, 0 };
	assert_cdb(find_ata(0xb4, 0x14), ow, 16);
	ck_assert(medium_is_zero());
}
END_TEST

START_TEST(ata_sanitize_with_fixed_format_sense)
{
	ata_drive();
	S.fixed_sense = true;
	run_ata_sanitize(WP_FW_ATA_SANITIZE_OVERWRITE);
	ck_assert(medium_is_zero());
}
END_TEST

START_TEST(ata_sanitize_failure_reported)
{
	ata_drive();
	S.san_fail = true;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_ATA_SANITIZE_BLOCK, &caps, &ctl, &rec, err,
				   sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "sanitize failed"));
	ck_assert_ptr_nonnull(strstr(rec.status, "sanitize failed"));
}
END_TEST

START_TEST(ata_sanitize_frozen_refused)
{
	ata_drive();
	S.san_frozen = true;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_ATA_SANITIZE_CRYPTO, &caps, &ctl, &rec, err,
				   sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "FREEZE LOCK"));
	ck_assert_ptr_null(find_ata(0xb4, 0x11)); /* never sent */
}
END_TEST

START_TEST(ata_no_feature_sets)
{
	S.user_sectors = MEDIUM / 512; /* QEMU's SATA disk: no Security, no Sanitize */
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	ck_assert(!caps.method[WP_FW_ATA_SECURE_ERASE].ok);
	ck_assert_ptr_nonnull(strstr(caps.method[WP_FW_ATA_SECURE_ERASE].why, "no ATA Security"));
	ck_assert(!caps.method[WP_FW_ATA_SANITIZE_CRYPTO].ok);
	ck_assert_ptr_nonnull(strstr(caps.method[WP_FW_ATA_SANITIZE_CRYPTO].why, "Sanitize"));
}
END_TEST

START_TEST(ata_hpa_and_dco_detected)
{
	ata_drive();
	S.hpa_feature = S.dco_feature = true;
	S.user_sectors = 1000000;
	S.native_sectors = 1200000;
	S.dco_sectors = 1500000;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	static const uint8_t native[16] = { 0x85, 0x07, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40,
					    0x27, 0 };
	assert_cdb(find_ata(0x27, 0), native, 16);
	static const uint8_t dco[16] = { 0x85, 0x08, 0x0e, 0, 0xc2, 0, 1, 0, 0, 0, 0, 0, 0, 0,
					 0xb1, 0 };
	assert_cdb(find_ata(0xb1, 0xc2), dco, 16);
	ck_assert(caps.hidden.checked);
	ck_assert(caps.hidden.hpa);
	ck_assert(caps.hidden.dco);
	ck_assert_uint_eq(caps.hidden.user_sectors, 1000000);
	ck_assert_uint_eq(caps.hidden.native_sectors, 1200000);
	ck_assert_uint_eq(caps.hidden.dco_sectors, 1500000);
	ck_assert_ptr_nonnull(strstr(caps.hidden.note, "Host Protected Area"));
}
END_TEST

START_TEST(ata_hpa_removed_volatile)
{
	ata_drive();
	S.hpa_feature = true;
	S.user_sectors = 1000000;
	S.native_sectors = 0x123456789aull;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	uint64_t native = 0;
	ck_assert_msg(wp_ata_restore_native_max(&dev, &native, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(native, 0x123456789aull);
	static const uint8_t set_max[16] = { 0x85, 0x07, 0x00, 0, 0, 0, 0, 0x34, 0x99, 0x12,
					     0x78, 0x00, 0x56, 0x40, 0x37, 0 };
	assert_cdb(&S.sg[S.n_sg - 1], set_max, 16);
	ck_assert(S.set_max_volatile);
	ck_assert_uint_eq(S.user_sectors, 0x123456789aull);
	/* fixed-format sense cannot carry a 40-bit native max and the SATL does
	 * not let D_SENSE be switched on: refused, not guessed */
	S.fixed_sense = true;
	S.mode_select_refused = true;
	S.user_sectors = 1000000;
	ck_assert_int_eq(wp_ata_restore_native_max(&dev, &native, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not readable"));
	ck_assert_uint_eq(S.user_sectors, 1000000);
}
END_TEST

START_TEST(ata_no_hpa)
{
	ata_drive();
	S.hpa_feature = true;
	S.native_sectors = S.user_sectors;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	ck_assert(caps.hidden.checked);
	ck_assert(!caps.hidden.hpa && !caps.hidden.dco);
}
END_TEST

START_TEST(ata_adapter_refuses_pass_through)
{
	/* a SCSI layer without SAT: ILLEGAL REQUEST, invalid opcode */
	S.ata_pt_refused = true;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), -1);
	ck_assert_ptr_nonnull(strstr(caps.note, "ILLEGAL REQUEST"));
	ck_assert_ptr_nonnull(strstr(caps.note, "does not pass ATA commands"));
	ck_assert(!caps.method[WP_FW_ATA_SECURE_ERASE].ok);
	ck_assert_ptr_nonnull(strstr(caps.method[WP_FW_ATA_SECURE_ERASE].why, "did not answer"));
}
END_TEST

START_TEST(ata_host_adapter_error)
{
	S.host_status = 0x07;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), -1);
	ck_assert_ptr_nonnull(strstr(caps.note, "DID_ERROR"));
	S.host_status = 0;
	S.sg_errno = ENOTTY;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), -1);
	ck_assert_ptr_nonnull(strstr(caps.note, "could not be sent"));
}
END_TEST

/* ---- sense decoding --------------------------------------------------------- */

START_TEST(sense_fixed_ata_abort)
{
	/* what QEMU's SATA disk answers to SECURITY SET PASSWORD */
	static const uint8_t sb[18] = { 0x70, 0, 0x0b, 0x04, 0x51, 0x40, 0, 10, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0 };
	struct wp_sense s;
	wp_sense_decode(sb, sizeof(sb), true, &s);
	ck_assert(s.valid && !s.descriptor);
	ck_assert_uint_eq(s.key, 0x0b);
	ck_assert(s.ata_valid);
	ck_assert_uint_eq(s.ata_error, 0x04);
	ck_assert_uint_eq(s.ata_status, 0x51);
	char text[128];
	wp_sense_describe(&s, text, sizeof(text));
	ck_assert_str_eq(text, "ABORTED COMMAND, ASC/ASCQ 00h/00h");
}
END_TEST

START_TEST(sense_descriptor_ata_return_48bit)
{
	static const uint8_t sb[22] = { 0x72, 0x01, 0x00, 0x1d, 0, 0, 0, 14,
					0x09, 0x0c, 0x01, 0x00, 0x12, 0x34, 0xaa, 0x01, 0xbb, 0x02,
					0xcc, 0x03, 0x40, 0x50 };
	struct wp_sense s;
	wp_sense_decode(sb, sizeof(sb), true, &s);
	ck_assert(s.descriptor && s.ata_valid);
	ck_assert_uint_eq(s.key, 0x01);
	ck_assert_uint_eq(s.ata_count, 0x1234);
	ck_assert_uint_eq(s.ata_lba, 0xccbbaa030201ull);
	ck_assert_uint_eq(s.ata_status, 0x50);
	char text[128];
	wp_sense_describe(&s, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "ATA pass-through information available"));
}
END_TEST

START_TEST(sense_progress_and_invalid_opcode)
{
	uint8_t sb[18] = { 0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x04, 0x1b, 0, 0x80,
			   0x80, 0x00 };
	struct wp_sense s;
	wp_sense_decode(sb, sizeof(sb), false, &s);
	ck_assert(s.progress_valid);
	ck_assert_uint_eq(s.progress, 0x8000);
	ck_assert(!s.ata_valid);
	sb[2] = 0x05;
	sb[12] = 0x20;
	sb[13] = 0x00;
	sb[15] = 0;
	wp_sense_decode(sb, sizeof(sb), false, &s);
	char text[128];
	wp_sense_describe(&s, text, sizeof(text));
	ck_assert_str_eq(text, "ILLEGAL REQUEST, ASC/ASCQ 20h/00h (invalid command operation code)");
}
END_TEST

/* ---- NVMe ------------------------------------------------------------------- */

/* What QEMU 7.2 reports: Format NVM only, no sanitize, FNA 0. */
static void qemu_nvme(void)
{
	S.nsid = 1;
	S.oacs = 0x10a;
	S.sanicap = 0;
	S.fna = 0;
	S.flbas = 0x00;
	S.dlfeat = 0x01;
	S.active[0] = 1;
	S.n_active = 1;
}

START_TEST(nvme_identify_commands_and_caps)
{
	qemu_nvme();
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_NVME);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	/* OACS 10Ah has Namespace Management (bit 3): the allocated list too */
	ck_assert_uint_eq(S.n_nv, 4);
	ck_assert_uint_eq(S.nv[3].cdw10, 0x10);
	ck_assert_uint_eq(S.nv[3].nsid, 0);
	ck_assert_uint_eq(S.nv[0].opcode, 0x06);
	ck_assert_uint_eq(S.nv[0].cdw10, 1);
	ck_assert_uint_eq(S.nv[0].nsid, 0);
	ck_assert_uint_eq(S.nv[0].data_len, 4096);
	ck_assert_uint_eq(S.nv[1].cdw10, 0);
	ck_assert_uint_eq(S.nv[1].nsid, 1);
	ck_assert_uint_eq(S.nv[2].cdw10, 2);
	ck_assert_uint_eq(caps.nvme.oacs, 0x10a);
	ck_assert(caps.method[WP_FW_NVME_FORMAT_USER].ok);
	ck_assert(!caps.method[WP_FW_NVME_FORMAT_CRYPTO].ok);
	ck_assert_ptr_nonnull(strstr(caps.method[WP_FW_NVME_FORMAT_CRYPTO].why, "FNA bit 2"));
	ck_assert(!caps.method[WP_FW_NVME_SANITIZE_CRYPTO].ok);
	ck_assert_ptr_nonnull(strstr(caps.method[WP_FW_NVME_SANITIZE_CRYPTO].why, "SANICAP"));
	ck_assert_uint_eq(caps.nvme.n_other, 0);
}
END_TEST

START_TEST(nvme_format_crypto_refused_without_fna)
{
	/* QEMU would accept SES=2 and zero the disk: wipeproof must not send it */
	qemu_nvme();
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_NVME);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	size_t before = S.n_nv;
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_NVME_FORMAT_CRYPTO, &caps, &ctl, &rec, err,
				   sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "FNA bit 2"));
	ck_assert_uint_eq(S.n_nv, before);
	ck_assert(!medium_is_zero());
}
END_TEST

START_TEST(nvme_format_dwords)
{
	qemu_nvme();
	S.flbas = 0x12;   /* LBA format 2, metadata at the end of the LBA (MSET) */
	S.dps = 0x09;     /* PI type 1, PIL first */
	S.fna = 0x04;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_NVME);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	struct wp_run_ctl ctl = ctl_with_progress();
	ck_assert_msg(wp_fw_run(&dev, WP_FW_NVME_FORMAT_USER, &caps, &ctl, &rec, err,
				sizeof(err)) == 0, "%s", err);
	const struct nvme_admin_cmd *f = &S.nv[S.n_nv - 1];
	ck_assert_uint_eq(f->opcode, 0x80);
	ck_assert_uint_eq(f->nsid, 1);
	/* LBAF 2 | MSET | PI 1 << 5 | PIL << 8 | SES 1 << 9 */
	ck_assert_uint_eq(f->cdw10, 0x2u | 0x10u | 0x20u | 0x100u | 0x200u);
	ck_assert_uint_gt(f->timeout_ms, 3600u * 1000u);
	ck_assert(medium_is_zero());
	ck_assert_str_eq(rec.expected, "zeros");
	ck_assert(saw_final);

	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_NVME_FORMAT_CRYPTO, &caps, &ctl, &rec, err,
				   sizeof(err)), 0);
	ck_assert_uint_eq(S.nv[S.n_nv - 1].cdw10 >> 9 & 0x7, 2);
}
END_TEST

START_TEST(nvme_sanitize_dwords_log_and_progress)
{
	qemu_nvme();
	S.sanicap = 0x7;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_NVME);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	size_t first = S.n_nv;
	struct wp_run_ctl ctl = ctl_with_progress();
	ck_assert_msg(wp_fw_run(&dev, WP_FW_NVME_SANITIZE_CRYPTO, &caps, &ctl, &rec, err,
				sizeof(err)) == 0, "%s", err);
	const struct nvme_admin_cmd *log = &S.nv[first];
	ck_assert_uint_eq(log->opcode, 0x02);
	ck_assert_uint_eq(log->cdw10, 0x007f0081u);
	ck_assert_uint_eq(log->nsid, 0xffffffffu);
	const struct nvme_admin_cmd *san = &S.nv[first + 1];
	ck_assert_uint_eq(san->opcode, 0x84);
	ck_assert_uint_eq(san->cdw10, 0x4u | 1u << 9); /* crypto erase, no-deallocate */
	ck_assert_uint_eq(san->cdw11, 0);
	ck_assert(progress_monotonic && saw_final);
	ck_assert_uint_ge(n_progress, 2); /* first poll and the end; the clock throttles the rest */
	ck_assert_str_eq(rec.expected, "unknown");

	S.sanicap = 0x7 | 1u << 29; /* no-deallocate inhibited */
	wp_fw_probe(&dev, &caps);
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_NVME_SANITIZE_OVERWRITE, &caps, &ctl, &rec, err,
				   sizeof(err)), 0);
	bool found = false;
	for (size_t i = 0; i < S.n_nv; i++)
		if (S.nv[i].opcode == 0x84 && S.nv[i].cdw10 == (0x3u | 1u << 4))
			found = true;
	ck_assert(found);
	ck_assert_str_eq(rec.expected, "zeros"); /* deallocated, DLFEAT says zeros */
}
END_TEST

START_TEST(nvme_status_decoded)
{
	qemu_nvme();
	S.sanicap = 0x1;
	S.sanitize_status = 0x4001; /* what QEMU answers */
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_NVME);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_NVME_SANITIZE_CRYPTO, &caps, &ctl, &rec, err,
				   sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Invalid Command Opcode"));
	ck_assert_ptr_nonnull(strstr(err, "4001h"));
	ck_assert_ptr_nonnull(strstr(err, "DNR"));
}
END_TEST

START_TEST(nvme_sanitize_failure_in_log)
{
	qemu_nvme();
	S.sanicap = 0x2;
	S.san_fail = true;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_NVME);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_NVME_SANITIZE_BLOCK, &caps, &ctl, &rec, err,
				   sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "SSTAT 3"));
}
END_TEST

START_TEST(nvme_other_namespaces_refuse_whole_controller_commands)
{
	qemu_nvme();
	S.sanicap = 0x7;
	S.fna = 0x1; /* format applies to all namespaces */
	S.active[1] = 2;
	S.active[2] = 5;
	S.n_active = 3;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_NVME);
	struct wp_fw_caps caps;
	wp_fw_probe(&dev, &caps);
	ck_assert_uint_eq(caps.nvme.n_other, 2);
	ck_assert_uint_eq(caps.nvme.other[1], 5);
	ck_assert(!caps.method[WP_FW_NVME_SANITIZE_CRYPTO].ok);
	ck_assert_ptr_nonnull(strstr(caps.method[WP_FW_NVME_SANITIZE_CRYPTO].why,
				     "every namespace"));
	ck_assert(!caps.method[WP_FW_NVME_FORMAT_USER].ok);
	ck_assert_ptr_nonnull(strstr(caps.hidden.note, "2 other namespace"));
}
END_TEST

/* ---- SCSI ------------------------------------------------------------------- */

START_TEST(scsi_rsoc_and_sanitize_bytes)
{
	S.scsi_support[1] = 0x03;
	S.scsi_support[2] = 0x01;
	S.scsi_support[3] = 0x03;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_SCSI);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	static const uint8_t rsoc[12] = { 0xa3, 0x0c, 0x02, 0x48, 0, 0x01, 0, 0, 0, 64, 0, 0 };
	assert_cdb(&S.sg[0], rsoc, 12);
	ck_assert(caps.method[WP_FW_SCSI_SANITIZE_OVERWRITE].ok);
	ck_assert(!caps.method[WP_FW_SCSI_SANITIZE_BLOCK].ok);
	ck_assert(caps.method[WP_FW_SCSI_SANITIZE_CRYPTO].ok);

	struct wp_firmware_record rec;
	struct wp_run_ctl ctl = ctl_with_progress();
	size_t first = S.n_sg;
	ck_assert_msg(wp_fw_run(&dev, WP_FW_SCSI_SANITIZE_OVERWRITE, &caps, &ctl, &rec, err,
				sizeof(err)) == 0, "%s", err);
	static const uint8_t ow[10] = { 0x48, 0x81, 0, 0, 0, 0, 0, 0, 8, 0 };
	assert_cdb(&S.sg[first], ow, 10);
	static const uint8_t param[8] = { 0x01, 0, 0, 4, 0, 0, 0, 0 };
	ck_assert_mem_eq(S.sg[first].data, param, 8);
	static const uint8_t rs[6] = { 0x03, 0, 0, 0, 252, 0 };
	assert_cdb(&S.sg[first + 1], rs, 6);
	ck_assert(medium_is_zero());
	ck_assert_str_eq(rec.expected, "zeros");
	ck_assert(saw_final && progress_monotonic);

	first = S.n_sg;
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_SCSI_SANITIZE_CRYPTO, &caps, &ctl, &rec, err,
				   sizeof(err)), 0);
	static const uint8_t crypto[10] = { 0x48, 0x83, 0, 0, 0, 0, 0, 0, 0, 0 };
	assert_cdb(&S.sg[first], crypto, 10);
	ck_assert_int_eq(S.sg[first].dir, SG_DXFER_NONE);
}
END_TEST

START_TEST(scsi_rsoc_unanswered)
{
	S.rsoc_refused = true; /* QEMU's disks */
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_SCSI);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), -1);
	ck_assert_ptr_nonnull(strstr(caps.note, "REPORT SUPPORTED OPERATION CODES"));
	ck_assert(!caps.method[WP_FW_SCSI_SANITIZE_CRYPTO].ok);
}
END_TEST

START_TEST(scsi_host_error_is_a_failure)
{
	/* virtio-scsi fails SANITIZE overwrite with DID_ERROR */
	S.scsi_support[1] = 0x03;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_SCSI);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	S.host_status = 0x07;
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_SCSI_SANITIZE_OVERWRITE, &caps, &ctl, &rec, err,
				   sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "DID_ERROR"));
}
END_TEST

/* ---- secure discard ------------------------------------------------------------ */

START_TEST(secure_discard_unsupported)
{
	S.discard_errno = EOPNOTSUPP;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_MMC);
	struct wp_fw_caps caps;
	struct wp_firmware_record rec;
	wp_fw_probe(&dev, &caps);
	ck_assert(caps.method[WP_FW_SECURE_DISCARD].ok);
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_SECURE_DISCARD, &caps, &ctl, &rec, err,
				   sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "does not support it"));
	ck_assert_uint_eq(S.n_discard, 1);
}
END_TEST

START_TEST(no_bus_sends_nothing)
{
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe_path("/nonexistent/loop", WP_FW_BUS_NONE, &caps), 0);
	ck_assert(!caps.probed);
	for (int m = 1; m < WP_FW_COUNT; m++) {
		ck_assert(!caps.method[m].ok);
		ck_assert_ptr_nonnull(strstr(caps.method[m].why, "no firmware command"));
	}
}
END_TEST

/* ---- verification of a firmware erase ----------------------------------------- */

static void fingerprinted_format(bool fake, struct wp_fingerprint_record *rec)
{
	qemu_nvme();
	S.fake = fake;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_NVME);
	struct wp_io_target t = sim_target(&S);
	struct wp_fw_caps caps;
	struct wp_firmware_record fw;
	struct wp_fingerprint fp;
	wp_fw_probe(&dev, &caps);
	ck_assert_msg(wp_fingerprint_take(&t, 77, &fp, err, sizeof(err)) == 0, "%s", err);
	struct wp_run_ctl ctl = { 0 };
	ck_assert_int_eq(wp_fw_run(&dev, WP_FW_NVME_FORMAT_USER, &caps, &ctl, &fw, err,
				   sizeof(err)), 0);
	ck_assert_str_eq(fw.status, "success"); /* the device always says so */
	ck_assert_int_eq(wp_fingerprint_check(&t, &fp, true, rec, err, sizeof(err)), 0);
	wp_fingerprint_free(&fp);
}

START_TEST(fingerprint_catches_a_lying_drive)
{
	struct wp_fingerprint_record rec;
	fingerprinted_format(true, &rec);
	ck_assert(rec.done);
	ck_assert(!rec.passed);
	ck_assert_uint_eq(rec.unchanged, rec.blocks);
	ck_assert_uint_eq(rec.changed, 0);
	ck_assert_uint_gt(rec.n_bad, 0);
	ck_assert_uint_eq(rec.bad_offsets[0], 0);
}
END_TEST

START_TEST(fingerprint_passes_a_real_erase)
{
	struct wp_fingerprint_record rec;
	fingerprinted_format(false, &rec);
	ck_assert(rec.passed);
	ck_assert_uint_eq(rec.changed, rec.blocks);
	/* 24 MiB: a sample of at least 10 % plus first and last MiB */
	ck_assert_uint_ge(rec.blocks * 512 * 10, S.size);
}
END_TEST

START_TEST(fingerprint_already_blank_blocks)
{
	struct wp_io_target t = sim_target(&S);
	struct wp_fingerprint fp;
	struct wp_fingerprint_record rec;
	sim_fill(&S, 0); /* a blank disk, erased to zeros again */
	ck_assert_int_eq(wp_fingerprint_take(&t, 5, &fp, err, sizeof(err)), 0);
	ck_assert_int_eq(wp_fingerprint_check(&t, &fp, true, &rec, err, sizeof(err)), 0);
	ck_assert(rec.passed);
	ck_assert_uint_eq(rec.already_expected, rec.blocks);
	/* the same blank disk after a crypto erase that "changed nothing" */
	ck_assert_int_eq(wp_fingerprint_check(&t, &fp, false, &rec, err, sizeof(err)), 0);
	ck_assert(!rec.passed);
	wp_fingerprint_free(&fp);
}
END_TEST


/* ---- issue 14: defects a real drive would show --------------------------------- */

static void probe_and_run(enum wp_fw_bus bus, enum wp_fw_method m, int want,
			  struct wp_firmware_record *rec)
{
	struct wp_fw_dev dev = sim_dev(&S, &IO, bus);
	struct wp_fw_caps caps;
	wp_fw_probe(&dev, &caps);
	struct wp_run_ctl ctl = { 0 };
	int rc = wp_fw_run(&dev, m, &caps, &ctl, rec, err, sizeof(err));
	ck_assert_msg(rc == want, "rc %d, expected %d: %s", rc, want, err);
}

/* (2) After a failed sanitize the drive aborts SANITIZE STATUS EXT with the
 * reason in LBA(7:0) (01h: the last sanitize command failed) and accepts
 * only a new sanitize: wipeproof must show the reason and let that run. */
START_TEST(ata_sanitize_failed_state_shown_and_recoverable)
{
	struct wp_firmware_record rec;
	ata_drive();
	S.san_fail = true;
	probe_and_run(WP_FW_BUS_ATA, WP_FW_ATA_SANITIZE_CRYPTO, -1, &rec);
	ck_assert_ptr_nonnull(strstr(err, "sanitize failed"));
	ck_assert_ptr_nonnull(strstr(err, "reason 01h"));
	ck_assert(S.san_failed_state);
	/* the next run starts a new sanitize from the failed state */
	S.san_fail = false;
	S.n_sg = 0;
	probe_and_run(WP_FW_BUS_ATA, WP_FW_ATA_SANITIZE_OVERWRITE, 0, &rec);
	ck_assert_ptr_nonnull(find_ata(0xb4, 0x14));
	ck_assert(!S.san_failed_state);
	ck_assert(medium_is_zero());
	/* also with fixed-format sense, libata's default */
	S.fixed_sense = true;
	S.san_fail = true;
	probe_and_run(WP_FW_BUS_ATA, WP_FW_ATA_SANITIZE_CRYPTO, -1, &rec);
	S.san_fail = false;
	probe_and_run(WP_FW_BUS_ATA, WP_FW_ATA_SANITIZE_CRYPTO, 0, &rec);
}
END_TEST

/* (3) REQUEST SENSE that failed, or came back without sense data, is not
 * "NO SENSE, the sanitize is done". */
START_TEST(scsi_request_sense_failure_is_not_done)
{
	struct wp_firmware_record rec;
	S.scsi_support[3] = 0x03;
	S.rs_check = true;
	probe_and_run(WP_FW_BUS_SCSI, WP_FW_SCSI_SANITIZE_CRYPTO, -1, &rec);
	ck_assert_ptr_nonnull(strstr(err, "REQUEST SENSE"));
	S.rs_check = false;
	S.rs_empty = true;
	S.san_left = 0;
	probe_and_run(WP_FW_BUS_SCSI, WP_FW_SCSI_SANITIZE_CRYPTO, -1, &rec);
	ck_assert_ptr_nonnull(strstr(err, "REQUEST SENSE"));
	ck_assert_ptr_nonnull(strstr(err, "response code"));
}
END_TEST

/* (4) What an ATA PASS-THROUGH answer may look like, and whether it is a
 * success. SAT-3 and libata: success is GOOD, or (with CK_COND) RECOVERED
 * ERROR / NO SENSE with ASC/ASCQ 00h/1Dh "ATA pass-through information
 * available"; ATA status bits BSY 80h, DF 20h, DRQ 08h, ERR 01h (ACS-3
 * 6.2.x) must all be clear. */
START_TEST(ata_pass_through_answers)
{
	static const struct { uint8_t key, asc, ascq, status; bool fixed; int want; } t[] = {
		{ 0x01, 0x00, 0x1d, 0x50, false, 0 },  /* RECOVERED, 00/1D, DRDY */
		{ 0x01, 0x00, 0x1d, 0x50, true, 0 },
		{ 0x00, 0x00, 0x1d, 0x50, false, 0 },  /* NO SENSE, 00/1D */
		{ 0x0b, 0x00, 0x00, 0x50, false, -1 }, /* ABORTED COMMAND, ERR clear */
		{ 0x0b, 0x00, 0x00, 0x50, true, -1 },
		{ 0x02, 0x04, 0x00, 0x50, false, -1 }, /* NOT READY, ERR clear */
		{ 0x02, 0x04, 0x00, 0x50, true, -1 },
		{ 0x01, 0x00, 0x1d, 0xd0, false, -1 }, /* BSY left set */
		{ 0x01, 0x00, 0x1d, 0xd0, true, -1 },
		{ 0x01, 0x00, 0x1d, 0x58, false, -1 }, /* DRQ left set */
		{ 0x01, 0x00, 0x1d, 0x70, false, -1 }, /* DF */
		{ 0x01, 0x00, 0x00, 0x50, false, -1 }, /* RECOVERED, but not 00/1D */
		{ 0x06, 0x29, 0x00, 0x50, false, -1 }, /* UNIT ATTENTION, reset */
	};
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		S.ovr_cmd = 0xf3;
		S.ovr_key = t[i].key;
		S.ovr_asc = t[i].asc;
		S.ovr_ascq = t[i].ascq;
		S.ovr_status = t[i].status;
		S.fixed_sense = t[i].fixed;
		struct wp_ata_cmd c = { .command = 0xf3, .proto = WP_ATA_NODATA };
		err[0] = '\0';
		int rc = wp_ata_exec(&dev, &c, "SECURITY ERASE PREPARE", err, sizeof(err));
		ck_assert_msg(rc == t[i].want, "case %zu: key %02x status %02x: rc %d (%s)", i,
			      t[i].key, t[i].status, rc, err);
		if (rc < 0)
			ck_assert_ptr_nonnull(strstr(err, "SECURITY ERASE PREPARE"));
	}
}
END_TEST

/* (4) An erase whose answer says NOT READY must not count as done. */
START_TEST(ata_erase_answered_not_ready_fails)
{
	struct wp_firmware_record rec;
	ata_drive();
	S.ovr_cmd = 0xf4;
	S.ovr_key = 0x02;
	S.ovr_asc = 0x04;
	S.ovr_status = 0x50;
	probe_and_run(WP_FW_BUS_ATA, WP_FW_ATA_SECURE_ERASE, -1, &rec);
	ck_assert_ptr_nonnull(strstr(err, "SECURITY ERASE UNIT"));
	ck_assert(!S.enabled); /* the temporary password is removed again */
}
END_TEST

/* (5) A completed ERASE UNIT clears the password (ACS-3 7.40.3): security
 * still enabled afterwards means no erase happened. */
START_TEST(ata_security_still_enabled_after_erase_fails)
{
	struct wp_firmware_record rec;
	ata_drive();
	S.erase_keeps_password = true;
	probe_and_run(WP_FW_BUS_ATA, WP_FW_ATA_SECURE_ERASE, -1, &rec);
	ck_assert_ptr_nonnull(strstr(err, "still enabled"));
	ck_assert(!S.enabled && !S.locked); /* the password was removed */
	ck_assert_uint_ge(count_ata(0xf6), 1);
	ck_assert(!medium_is_zero());
}
END_TEST

/* (6) DCO (word 83 bit 11) is asked on its own, without the HPA feature. */
START_TEST(ata_dco_without_hpa)
{
	ata_drive();
	S.dco_feature = true;
	S.user_sectors = 1000000;
	S.dco_sectors = 1500000;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	ck_assert_ptr_nonnull(find_ata(0xb1, 0xc2));
	ck_assert(caps.hidden.checked);
	ck_assert(caps.hidden.dco);
	ck_assert_uint_eq(caps.hidden.dco_sectors, 1500000);
	/* a DCO that does not answer (frozen) is not "checked" */
	S.dco_sectors = 0;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	ck_assert(!caps.hidden.checked);
	ck_assert_ptr_nonnull(strstr(caps.hidden.note, "DEVICE CONFIGURATION IDENTIFY"));
}
END_TEST

/* (6) Accessible Max Address Configuration (word 119 bit 8, ACS-4) replaces
 * the HPA: GET NATIVE MAX ADDRESS EXT is 78h with FEATURE 0000h (hdparm's
 * ATA_OP_GET_NATIVE_MAX_EXT; opensea-transport AMAC_GET_NATIVE_MAX_ADDRESS). */
START_TEST(ata_amac_native_max)
{
	ata_drive();
	S.amac_feature = true;
	S.user_sectors = 1000000;
	S.native_sectors = 1200000;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	static const uint8_t get_native[16] = { 0x85, 0x07, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						0x40, 0x78, 0 };
	const struct sim_sg *g = find_ata(0x78, 0);
	ck_assert_ptr_nonnull(g);
	assert_cdb(g, get_native, 16);
	ck_assert_uint_eq(count_ata(0x27), 0);
	ck_assert(caps.hidden.checked);
	ck_assert(caps.hidden.hpa);
	ck_assert_uint_eq(caps.hidden.native_sectors, 1200000);
}
END_TEST

/* (6) Fixed-format sense hides LBA(47:24): switch the control mode page to
 * descriptor sense (D_SENSE, byte 2 bit 2; MODE SELECT(10) with PF, SPC-4
 * 7.5.8), ask again, and put the old value back. */
START_TEST(ata_fixed_sense_switches_to_descriptor)
{
	ata_drive();
	S.fixed_sense = true;
	S.hpa_feature = true;
	S.user_sectors = 1000000;
	S.native_sectors = 0x123456789aull;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_ATA);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	ck_assert_msg(caps.hidden.checked, "%s", caps.hidden.note);
	ck_assert_uint_eq(caps.hidden.native_sectors, 0x123456789aull);
	ck_assert(caps.hidden.hpa);
	ck_assert_uint_eq(S.mode_selects, 2); /* on, then back */
	ck_assert(S.fixed_sense);             /* restored */
	/* MODE SENSE(10), DBD, current values of page 0Ah */
	bool sensed = false, selected = false;
	for (size_t i = 0; i < S.n_sg; i++) {
		static const uint8_t sense10[10] = { 0x5a, 0x08, 0x0a, 0, 0, 0, 0, 0, 0xfc, 0 };
		if (S.sg[i].cdb[0] == 0x5a) {
			assert_cdb(&S.sg[i], sense10, 10);
			sensed = true;
		}
		if (S.sg[i].cdb[0] == 0x55 && !selected) {
			static const uint8_t select10[10] = { 0x55, 0x10, 0, 0, 0, 0, 0, 0, 20, 0 };
			assert_cdb(&S.sg[i], select10, 10);
			ck_assert_uint_eq(S.sg[i].data[10], 0x04); /* D_SENSE set */
			selected = true;
		}
	}
	ck_assert(sensed && selected);
	/* --remove-hpa works the same way */
	S.n_sg = 0;
	uint64_t native = 0;
	ck_assert_msg(wp_ata_restore_native_max(&dev, &native, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(native, 0x123456789aull);
	ck_assert(S.fixed_sense);
	/* a SATL that refuses the switch: not checked, nothing guessed */
	S.mode_select_refused = true;
	S.user_sectors = 1000000;
	S.mode_selects = 0;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	ck_assert(!caps.hidden.checked);
	ck_assert_ptr_nonnull(strstr(caps.hidden.note, "D_SENSE"));
	ck_assert_int_eq(wp_ata_restore_native_max(&dev, &native, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not readable"));
	ck_assert_uint_eq(S.user_sectors, 1000000);
	ck_assert(S.fixed_sense);
	/* the command failing while D_SENSE is on: switched back all the same */
	S.mode_select_refused = false;
	S.native_fails_descriptor = true;
	S.mode_selects = 0;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	ck_assert(!caps.hidden.checked);
	ck_assert_uint_eq(S.mode_selects, 2);
	ck_assert(S.fixed_sense);
	ck_assert_int_eq(wp_ata_restore_native_max(&dev, &native, err, sizeof(err)), -1);
	ck_assert_uint_eq(S.mode_selects, 4);
	ck_assert(S.fixed_sense);
	ck_assert_uint_eq(S.user_sectors, 1000000);
}
END_TEST

/* SG_IO timeout of SECURITY ERASE UNIT, in milliseconds. */
static unsigned erase_timeout_sent(void)
{
	for (size_t i = 0; i < S.n_sg; i++)
		if (S.sg[i].cdb[0] == 0x85 && S.sg[i].cdb[14] == 0xf4)
			return S.sg[i].timeout_ms;
	ck_abort_msg("no SECURITY ERASE UNIT sent");
	return 0;
}

/* (7) ACS-3 7.12.6.32: word 89 value FFh (normal format) means "more than
 * 508 minutes", 7FFFh (extended) "more than 65532 minutes", 0 no estimate.
 * Expected values are hdparm's (get_erase_timeout_secs): never less than
 * the open-ended bound, never less than 1 s per 30 MB of capacity. */
START_TEST(ata_erase_timeout_from_estimate_and_capacity)
{
	struct wp_firmware_record rec;
	const uint64_t ms_per_minute = 60000;
	ata_drive();
	/* 2 TiB, "more than 508 minutes" */
	S.user_sectors = 1ull << 32;
	S.w89 = 0x00ff;
	probe_and_run(WP_FW_BUS_ATA, WP_FW_ATA_SECURE_ERASE, 0, &rec);
	uint64_t cap_ms = (S.user_sectors / 2048 / 30) * 1000; /* 1 s per 30 MiB */
	ck_assert_uint_gt(erase_timeout_sent(), 508 * ms_per_minute);
	ck_assert_uint_ge(erase_timeout_sent(), cap_ms);
	/* "more than 65532 minutes": at least that, whatever SG_IO can hold */
	S.n_sg = 0;
	S.w89 = 0xffff;
	probe_and_run(WP_FW_BUS_ATA, WP_FW_ATA_SECURE_ERASE, 0, &rec);
	ck_assert_uint_gt(erase_timeout_sent(), 65532 * ms_per_minute);
	/* no estimate: from the capacity, not a flat 12 hours */
	S.n_sg = 0;
	S.w89 = 0x0000;
	S.user_sectors = 1ull << 34; /* 8 TiB */
	probe_and_run(WP_FW_BUS_ATA, WP_FW_ATA_SECURE_ERASE, 0, &rec);
	cap_ms = (S.user_sectors / 2048 / 30) * 1000;
	ck_assert_uint_ge(erase_timeout_sent(), cap_ms);
	ck_assert_uint_gt(erase_timeout_sent(), 12 * 60 * ms_per_minute);
}
END_TEST

/* (9) ACS-3 7.40.3 (and SP 800-88 r1's glossary, "Secure Erase Command"):
 * a normal erase writes binary zeros or ones. */
START_TEST(ata_normal_erase_promises_zeros_or_ones)
{
	struct wp_firmware_record rec;
	ata_drive();
	S.erase_ones = true;
	probe_and_run(WP_FW_BUS_ATA, WP_FW_ATA_SECURE_ERASE, 0, &rec);
	ck_assert_str_eq(rec.expected, "zeros-or-ones");
}
END_TEST

/* (8) CNS 10h lists namespaces allocated in the subsystem but attached to
 * no controller (or to another one); Sanitize erases them too. */
START_TEST(nvme_allocated_namespaces_refuse_subsystem_commands)
{
	qemu_nvme();
	S.oacs |= 0x8;  /* Namespace Management: CNS 10h answered */
	S.sanicap = 0x7;
	S.fna = 0x1;
	S.allocated[0] = 1;
	S.allocated[1] = 3; /* allocated, not attached here */
	S.n_allocated = 2;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_NVME);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	bool asked = false;
	for (size_t i = 0; i < S.n_nv; i++)
		asked |= S.nv[i].opcode == 0x06 && (S.nv[i].cdw10 & 0xff) == 0x10 && S.nv[i].nsid == 0;
	ck_assert(asked);
	ck_assert_uint_eq(caps.nvme.n_other, 1);
	ck_assert(!caps.method[WP_FW_NVME_SANITIZE_CRYPTO].ok);
	ck_assert_ptr_nonnull(strstr(caps.method[WP_FW_NVME_SANITIZE_CRYPTO].why, "subsystem"));
	ck_assert(!caps.method[WP_FW_NVME_FORMAT_USER].ok);
}
END_TEST

/* (8) CMIC bit 1: other controllers may share the subsystem; without the
 * allocated list nobody knows what they hold, so nothing subsystem-wide. */
START_TEST(nvme_multi_controller_without_list_refuses)
{
	qemu_nvme();
	S.oacs &= (uint16_t)~0x8; /* no Namespace Management: no CNS 10h */
	S.cmic = 0x2;
	S.sanicap = 0x7;
	struct wp_fw_dev dev = sim_dev(&S, &IO, WP_FW_BUS_NVME);
	struct wp_fw_caps caps;
	ck_assert_int_eq(wp_fw_probe(&dev, &caps), 0);
	ck_assert(!caps.method[WP_FW_NVME_SANITIZE_BLOCK].ok);
	ck_assert_ptr_nonnull(strstr(caps.method[WP_FW_NVME_SANITIZE_BLOCK].why, "CMIC"));
	ck_assert(caps.method[WP_FW_NVME_FORMAT_USER].ok); /* FNA 0: this namespace only */
}
END_TEST

/* (8) FNA bit 0: nvme-cli formats with NSID FFFFFFFFh (src/nvme-cmds-
 * sanitize.c, NVME_CTRL_FNA_FMT_ALL_NAMESPACES); FNA bit 3 (NVMe 2.0)
 * says the controller does not take FFFFFFFFh for Format NVM. */
START_TEST(nvme_format_nsid_follows_fna)
{
	struct wp_firmware_record rec;
	qemu_nvme();
	S.fna = 0x1;
	probe_and_run(WP_FW_BUS_NVME, WP_FW_NVME_FORMAT_USER, 0, &rec);
	ck_assert_uint_eq(S.nv[S.n_nv - 1].opcode, 0x80);
	ck_assert_uint_eq(S.nv[S.n_nv - 1].nsid, 0xffffffffu);
	S.fna = 0x1 | 0x8;
	probe_and_run(WP_FW_BUS_NVME, WP_FW_NVME_FORMAT_USER, 0, &rec);
	ck_assert_uint_eq(S.nv[S.n_nv - 1].nsid, 1);
	S.fna = 0x0;
	probe_and_run(WP_FW_BUS_NVME, WP_FW_NVME_FORMAT_USER, 0, &rec);
	ck_assert_uint_eq(S.nv[S.n_nv - 1].nsid, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("firmware");
	TCase *ata = tcase_create("ata");
	tcase_add_checked_fixture(ata, setup, teardown);
	tcase_add_test(ata, ata_identify_bytes_and_caps);
	tcase_add_test(ata, ata_frozen_refused_before_any_password);
	tcase_add_test(ata, ata_security_erase_sequence);
	tcase_add_test(ata, ata_enhanced_erase_sets_mode_bit);
	tcase_add_test(ata, ata_interrupted_erase_is_recovered);
	tcase_add_test(ata, ata_left_locked_by_earlier_run_is_taken_over);
	tcase_add_test(ata, ata_foreign_password_refused);
	tcase_add_test(ata, ata_sanitize_bytes_keys_and_progress);
	tcase_add_test(ata, ata_sanitize_with_fixed_format_sense);
	tcase_add_test(ata, ata_sanitize_failure_reported);
	tcase_add_test(ata, ata_sanitize_frozen_refused);
	tcase_add_test(ata, ata_no_feature_sets);
	tcase_add_test(ata, ata_hpa_and_dco_detected);
	tcase_add_test(ata, ata_no_hpa);
	tcase_add_test(ata, ata_hpa_removed_volatile);
	tcase_add_test(ata, ata_adapter_refuses_pass_through);
	tcase_add_test(ata, ata_host_adapter_error);
	tcase_add_test(ata, ata_sanitize_failed_state_shown_and_recoverable);
	tcase_add_test(ata, ata_pass_through_answers);
	tcase_add_test(ata, ata_erase_answered_not_ready_fails);
	tcase_add_test(ata, ata_security_still_enabled_after_erase_fails);
	tcase_add_test(ata, ata_dco_without_hpa);
	tcase_add_test(ata, ata_amac_native_max);
	tcase_add_test(ata, ata_fixed_sense_switches_to_descriptor);
	tcase_add_test(ata, ata_erase_timeout_from_estimate_and_capacity);
	tcase_add_test(ata, ata_normal_erase_promises_zeros_or_ones);
	suite_add_tcase(s, ata);
	TCase *sense = tcase_create("sense");
	tcase_add_test(sense, sense_fixed_ata_abort);
	tcase_add_test(sense, sense_descriptor_ata_return_48bit);
	tcase_add_test(sense, sense_progress_and_invalid_opcode);
	suite_add_tcase(s, sense);
	TCase *nvme = tcase_create("nvme");
	tcase_add_checked_fixture(nvme, setup, teardown);
	tcase_add_test(nvme, nvme_identify_commands_and_caps);
	tcase_add_test(nvme, nvme_format_crypto_refused_without_fna);
	tcase_add_test(nvme, nvme_format_dwords);
	tcase_add_test(nvme, nvme_sanitize_dwords_log_and_progress);
	tcase_add_test(nvme, nvme_status_decoded);
	tcase_add_test(nvme, nvme_sanitize_failure_in_log);
	tcase_add_test(nvme, nvme_other_namespaces_refuse_whole_controller_commands);
	tcase_add_test(nvme, nvme_allocated_namespaces_refuse_subsystem_commands);
	tcase_add_test(nvme, nvme_multi_controller_without_list_refuses);
	tcase_add_test(nvme, nvme_format_nsid_follows_fna);
	suite_add_tcase(s, nvme);
	TCase *scsi = tcase_create("scsi");
	tcase_add_checked_fixture(scsi, setup, teardown);
	tcase_add_test(scsi, scsi_rsoc_and_sanitize_bytes);
	tcase_add_test(scsi, scsi_rsoc_unanswered);
	tcase_add_test(scsi, scsi_host_error_is_a_failure);
	tcase_add_test(scsi, scsi_request_sense_failure_is_not_done);
	tcase_add_test(scsi, secure_discard_unsupported);
	tcase_add_test(scsi, no_bus_sends_nothing);
	suite_add_tcase(s, scsi);
	TCase *fp = tcase_create("fingerprint");
	tcase_add_checked_fixture(fp, setup, teardown);
	tcase_add_test(fp, fingerprint_catches_a_lying_drive);
	tcase_add_test(fp, fingerprint_passes_a_real_erase);
	tcase_add_test(fp, fingerprint_already_blank_blocks);
	suite_add_tcase(s, fp);
	return wp_run_suite(s);
}
