/*
 * tests/conformance/wpc_drive.c — wipeproof's firmware backends, run
 * against a device path through the real kernel I/O boundary
 * (wp_fw_io_kernel()). Under LD_PRELOAD=wpc_fake.so the path is the fake
 * device, so every ioctl lands in the same recorder and model as the
 * reference tools' (run.sh). Tests only.
 *
 *   wpc_drive BUS OP DEVICE
 *   wpc_drive sense HEX...
 *
 * BUS is ata, scsi, nvme or cd (an optical drive); OP is "probe", "recover" (ata: unlock and
 * disable the temporary password), "native-max" (ata: remove an HPA), or
 * a firmware method name (ata-sanitize-block, nvme-format-crypto, ...),
 * which is probed and then run like `wipeproof wipe` runs it. Prints the
 * outcome on one line; exits 0 when wipeproof reported success, 1 when it
 * reported failure, 2 on bad arguments.
 */
#include "firmware.h"
#include "fw_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: wpc_drive ata|scsi|nvme|cd probe|recover|native-max|METHOD DEVICE\n");
	return 2;
}

static void print_caps(const struct wp_fw_caps *caps)
{
	for (int m = WP_FW_NONE + 1; m < WP_FW_COUNT; m++) {
		const struct wp_method *meth = wp_fw_method((enum wp_fw_method)m);
		if (meth && wp_fw_method_bus((enum wp_fw_method)m) == caps->bus)
			printf("method %s: %s\n", meth->name,
			       caps->method[m].ok ? "ok" : caps->method[m].why);
	}
	printf("hidden checked=%d hpa=%d dco=%d native=%llu note=%s\n", caps->hidden.checked,
	       caps->hidden.hpa, caps->hidden.dco, (unsigned long long)caps->hidden.native_sectors,
	       caps->hidden.note);
	const struct wp_ata_info *a = &caps->ata;
	if (caps->bus == WP_FW_BUS_ATA)
		printf("ata security=%d enabled=%d locked=%d frozen=%d expired=%d enhanced=%d "
		       "erase_min=%u enhanced_min=%u sanitize=%d crypto=%d overwrite=%d block=%d "
		       "lba48=%d hpa=%d dco=%d\n", a->security_supported, a->security_enabled,
		       a->locked, a->frozen, a->count_expired, a->enhanced_supported,
		       a->erase_minutes, a->enhanced_minutes, a->sanitize_supported,
		       a->sanitize_crypto, a->sanitize_overwrite, a->sanitize_block, a->lba48,
		       a->hpa_supported, a->dco_supported);
	if (caps->bus == WP_FW_BUS_NVME)
		printf("nvme nsid=%u oacs=%#x sanicap=%#x nn=%u fna=%#x flbas=%#x dps=%#x dlfeat=%u\n",
		       caps->nvme.nsid, caps->nvme.oacs, caps->nvme.sanicap, caps->nvme.nn,
		       caps->nvme.fna, caps->nvme.flbas, caps->nvme.dps, caps->nvme.dlfeat);
	if (caps->bus == WP_FW_BUS_OPTICAL)
		printf("optical profile=%04x name=%s write_once=%d pressed=%d blankable=%d "
		       "overwritable=%d\n", caps->optical.profile, caps->optical.name,
		       caps->optical.write_once, caps->optical.pressed, caps->optical.blankable,
		       caps->optical.overwritable);
	printf("sectors user=%llu native=%llu dco=%llu\n",
	       (unsigned long long)caps->hidden.user_sectors,
	       (unsigned long long)caps->hidden.native_sectors,
	       (unsigned long long)caps->hidden.dco_sectors);
}

/* wpc_drive sense HEX...: wipeproof's decoding of one sense buffer, for
 * comparison with sg_decode_sense (run.sh sense_decode) */
static int decode_sense(int argc, char **argv)
{
	uint8_t sb[252];
	size_t n = 0;
	for (int i = 2; i < argc && n < sizeof(sb); i++)
		sb[n++] = (uint8_t)strtoul(argv[i], NULL, 16);
	struct wp_sense s;
	char text[160];
	wp_sense_decode(sb, n, true, &s);
	wp_sense_describe(&s, text, sizeof(text));
	printf("key=%x asc=%02x ascq=%02x", s.key, s.asc, s.ascq);
	if (s.progress_valid) { /* hundredths of a percent, cut like sg_decode_sense */
		unsigned p = (unsigned)s.progress * 10000u / 65536u;
		printf(" progress=%u.%02u%%", p / 100, p % 100);
	}
	if (s.ata_valid)
		printf(" error=0x%x count=0x%x lba=0x%llx device=0x%x status=0x%x", s.ata_error,
		       s.ata_count, (unsigned long long)s.ata_lba, s.ata_device, s.ata_status);
	printf("\ntext=%s\n", text);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "sense") == 0)
		return decode_sense(argc, argv);
	if (argc != 4)
		return usage();
	enum wp_fw_bus bus = strcmp(argv[1], "ata") == 0 ? WP_FW_BUS_ATA
			   : strcmp(argv[1], "scsi") == 0 ? WP_FW_BUS_SCSI
			   : strcmp(argv[1], "nvme") == 0 ? WP_FW_BUS_NVME
			   : strcmp(argv[1], "cd") == 0 ? WP_FW_BUS_OPTICAL : WP_FW_BUS_NONE;
	const char *op = argv[2], *path = argv[3];
	if (bus == WP_FW_BUS_NONE)
		return usage();
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		return 2;
	}
	struct wp_fw_dev dev = { .fd = fd, .path = path, .io = wp_fw_io_kernel(), .bus = bus,
				 .size_bytes = 512ull << 20, .block_size = 512 };
	char err[1024] = "";
	int rc;
	if (strcmp(op, "recover") == 0) {
		rc = wp_ata_security_recover(&dev, err, sizeof(err));
	} else if (strcmp(op, "native-max") == 0) {
		uint64_t native = 0;
		rc = wp_ata_restore_native_max(&dev, &native, err, sizeof(err));
		if (rc == 0)
			printf("native %llu\n", (unsigned long long)native);
	} else {
		struct wp_fw_caps caps;
		rc = wp_fw_probe(&dev, &caps);
		if (rc < 0)
			snprintf(err, sizeof(err), "%s", caps.note);
		print_caps(&caps);
		if (rc == 0 && strcmp(op, "probe") != 0) {
			const struct wp_method *m = wp_method_find(op);
			if (!m || m->firmware == WP_FW_NONE) {
				close(fd);
				return usage();
			}
			struct wp_firmware_record rec;
			rc = wp_fw_run(&dev, m->firmware, &caps, NULL, &rec, err, sizeof(err));
			printf("expected %s\n", rec.expected);
		}
	}
	close(fd);
	printf("%s%s\n", rc == 0 ? "success" : "failed: ", rc == 0 ? "" : err);
	return rc == 0 ? 0 : 1;
}
