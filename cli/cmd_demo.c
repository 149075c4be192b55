/*
 * wipeproof demo: the whole job on a throw-away, file-backed disk. Everything
 * it creates (a temporary folder, the image file, the loop device) is
 * removed again on every path out, including failure and Ctrl-C. The loop
 * device is attached with LO_FLAGS_AUTOCLEAR, so even if this process dies
 * the kernel detaches it when the last descriptor closes.
 */
#include "cli.h"
#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/loop.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define MARKER "WIPEPROOF-DEMO-CONFIDENTIAL"
#define DEMO_ASSET "PC-DEMO-0042"
#define DEMO_BLOCK 4096

struct demo {
	char dir[64];
	char image[128];
	char report[128];
	char keys[128];
	char ledger[128];
	char loop_path[32];
	int loop_fd;
	uint64_t size;
};

static int create_image(struct demo *d)
{
	int fd = open(d->image, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)d->size) < 0) {
		fprintf(stderr, _("wipeproof: demo: cannot create %s: %s\n"), d->image, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Attach IMAGE_FD to a free loop device; retried because another process may
 * claim the free device between LOOP_CTL_GET_FREE and LOOP_CONFIGURE. */
static int attach_loop(struct demo *d, int image_fd)
{
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		fprintf(stderr, _("wipeproof: demo: cannot open /dev/loop-control: %s%s\n"),
			strerror(errno), errno == EACCES ? "; run the demo as root" :
			errno == ENOENT ? "; load the loop module (modprobe loop)" : "");
		return -1;
	}
	for (int attempt = 0; attempt < 8; attempt++) {
		int nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0)
			break;
		snprintf(d->loop_path, sizeof(d->loop_path), "/dev/loop%d", nr);
		int fd = open(d->loop_path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		struct loop_config cfg;
		memset(&cfg, 0, sizeof(cfg));
		cfg.fd = (unsigned)image_fd;
		cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
		/* Shown by losetup; the kernel field is 64 bytes, our path fits. */
		size_t n = strnlen(d->image, sizeof(cfg.info.lo_file_name) - 1);
		memcpy(cfg.info.lo_file_name, d->image, n);
		if (ioctl(fd, LOOP_CONFIGURE, &cfg) == 0) {
			close(ctl);
			d->loop_fd = fd;
			return 0;
		}
		close(fd);
	}
	fprintf(stderr, _("wipeproof: demo: cannot attach %s to a loop device: %s\n"),
		d->image, strerror(errno));
	d->loop_path[0] = '\0';
	close(ctl);
	return -1;
}

static void fill_sample_block(uint8_t *block, uint64_t n)
{
	static const char *const names[] = { "山田 太郎", "佐藤 花子", "鈴木 一郎", "田中 美咲" };
	int len = snprintf((char *)block, DEMO_BLOCK,
			   "%s block %llu\n社外秘 / confidential: 社員名簿 employee record %llu\n"
			   "氏名 %s, 給与 %llu 円, customer contract K-%05llu\n",
			   MARKER, (unsigned long long)n, (unsigned long long)n, names[n % 4],
			   (unsigned long long)(250000 + n * 37 % 90000), (unsigned long long)(n % 100000));
	for (size_t i = (size_t)len; i < DEMO_BLOCK; i++)
		block[i] = (uint8_t)('a' + (n + i) % 26);
}

static int write_sample_data(struct demo *d)
{
	uint8_t *buf = malloc(1u << 20);
	if (!buf)
		return -1;
	int rc = 0;
	for (uint64_t off = 0; off < d->size && rc == 0; off += 1u << 20) {
		size_t len = d->size - off < (1u << 20) ? (size_t)(d->size - off) : 1u << 20;
		for (size_t b = 0; b < len; b += DEMO_BLOCK)
			fill_sample_block(buf + b, (off + b) / DEMO_BLOCK);
		if (wp_stop_flag || pwrite(d->loop_fd, buf, len, (off_t)off) != (ssize_t)len)
			rc = -1;
	}
	if (rc == 0 && fsync(d->loop_fd) < 0)
		rc = -1;
	if (rc < 0)
		fprintf(stderr, _("wipeproof: demo: writing sample data to %s failed: %s\n"),
			d->loop_path, wp_stop_flag ? "interrupted" : strerror(errno));
	free(buf);
	return rc;
}

/* Blocks holding the marker, read with O_DIRECT so the page cache cannot
 * answer for the disk. */
static long count_marker_blocks(const struct demo *d)
{
	int fd = open(d->loop_path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	uint8_t *buf = NULL;
	long found = -1;
	if (fd < 0 || posix_memalign((void **)&buf, 4096, 1u << 20) != 0)
		goto out;
	found = 0;
	for (uint64_t off = 0; off < d->size; off += 1u << 20) {
		size_t len = d->size - off < (1u << 20) ? (size_t)(d->size - off) : 1u << 20;
		if (pread(fd, buf, len, (off_t)off) != (ssize_t)len) {
			found = -1;
			break;
		}
		for (size_t b = 0; b < len; b += DEMO_BLOCK)
			if (memmem(buf + b, DEMO_BLOCK, MARKER, strlen(MARKER)))
				found++;
	}
out:
	if (found < 0)
		fprintf(stderr, _("wipeproof: demo: cannot read %s back: %s\n"), d->loop_path,
			strerror(errno));
	free(buf);
	if (fd >= 0)
		close(fd);
	return found;
}

static void show_list(void)
{
	char err[512];
	struct wp_device_list list;
	if (wp_media_enumerate(&list, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: demo: list: %s\n"), err);
		return;
	}
	wp_print_device_table(stdout, &list);
	wp_media_list_free(&list);
}

static int show_report(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char line[512];
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void cleanup(struct demo *d)
{
	if (d->loop_fd >= 0) {
		/* With AUTOCLEAR this detaches as soon as our descriptor closes. */
		ioctl(d->loop_fd, LOOP_CLR_FD, 0);
		close(d->loop_fd);
		printf(_("Detached %s.\n"), d->loop_path);
	}
	if (d->image[0] && unlink(d->image) == 0)
		printf(_("Removed %s.\n"), d->image);
	/* the report, the keys and the ledger: everything else in the folder */
	if (d->dir[0] && nftw(d->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0)
		printf(_("Removed %s (keys, ledger, report, certificate).\n"), d->dir);
}

static int wipe_demo_disk(struct demo *d, char *serial, size_t len)
{
	char err[512];
	struct wp_device *dev = malloc(sizeof(*dev));
	if (!dev)
		return WP_EXIT_FAILED;
	if (wp_media_probe(d->loop_path, NULL, dev, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: demo: %s\n"), err);
		free(dev);
		return WP_EXIT_FAILED;
	}
	snprintf(serial, len, "%s", dev->serial);
	free(dev);
	printf(_("\n[5/9] Wiping %s as asset %s: method random, full verification, confirmed "
	       "with serial %s\n  $ wipeproof wipe %s --asset %s --as '%s' --confirm-serial %s\n"),
	       d->loop_path, DEMO_ASSET, serial, d->loop_path, DEMO_ASSET, WP_DEMO_OPERATOR, serial);
	fflush(stdout);
	struct wp_wipe_request req = {
		.device = d->loop_path, .confirm_serial = serial, .report_path = d->report,
		.asset = DEMO_ASSET,
	};
	struct wp_wipe_options opts = {
		.method = "random", .verify_mode = WP_VERIFY_FULL, .as_person = WP_DEMO_OPERATOR,
		.keys_dir = d->keys, .ledger_path = d->ledger,
	};
	struct wp_job job;
	return wp_cli_wipe_batch(&req, 1, &opts, &job);
}

static int run_demo(struct demo *d)
{
	char serial[128];
	struct wp_demo_custody custody = { d->keys, d->ledger, DEMO_ASSET };
	printf(_("[1/9] Virtual disk: %s (%llu MiB) attached as %s\n"), d->image,
	       (unsigned long long)(d->size >> 20), d->loop_path);
	printf(_("\n[2/9] Writing sample confidential data (社外秘 employee records)\n"));
	if (write_sample_data(d) < 0)
		return WP_EXIT_FAILED;
	long before = count_marker_blocks(d);
	if (before <= 0)
		return WP_EXIT_FAILED;
	printf(_("      %ld of %llu blocks hold the marker \"%s\"\n"), before,
	       (unsigned long long)(d->size / DEMO_BLOCK), MARKER);
	printf(_("\n[3/9] Disks on this machine (wipeproof list)\n"));
	show_list();
	printf(_("\n[4/9] Custody: a throw-away CA and two people (%s), then the lease-return PC\n"
	       "      is taken in, its disposal requested and approved by a second person\n"),
	       d->keys);
	int code = wp_demo_custody_before(&custody, d->loop_path);
	if (code != WP_EXIT_OK)
		return code;
	code = wipe_demo_disk(d, serial, sizeof(serial));
	if (code != WP_EXIT_OK)
		return code;
	long after = count_marker_blocks(d);
	printf(_("\n[6/9] Searching %s for the sample data: %ld block(s) remain\n"), d->loop_path, after);
	if (after != 0) {
		fprintf(stderr, _("wipeproof: demo: sample data survived the wipe\n"));
		return WP_EXIT_FAILED;
	}
	printf(_("\n[7/9] Job report (%s)\n"), d->report);
	show_report(d->report);
	printf(_("\nRe-verifying the disk from the report (wipeproof verify %s --report %s)\n"),
	       d->loop_path, d->report);
	fflush(stdout);
	struct wp_cli_reread_request verify = { .device = d->loop_path, .report = d->report,
						 .mode = WP_VERIFY_FULL };
	code = wp_cli_reread(&verify);
	if (code != WP_EXIT_OK)
		return code;
	printf(_("\n[8/9] Certificate of sanitization (データ消去証明書): issued by the wipe, signed\n"
	       "      (CMS), with a PDF and a signed QR code; checked as an auditor would\n"));
	code = wp_demo_certificate(&custody, d->dir, d->loop_path);
	if (code != WP_EXIT_OK)
		return code;
	printf(_("\n[9/9] Custody: the PC goes back to the leasing company; the ledger shows its\n"
	       "      history and verifies (hash chain, signatures, roles)\n"));
	return wp_demo_custody_after(&custody);
}

int wp_cmd_demo(const struct wp_cmdline *cl)
{
	struct demo d = { .loop_fd = -1, .size = (uint64_t)cl->demo_size_mib << 20 };
	if (geteuid() != 0) {
		fprintf(stderr, _("wipeproof: demo: needs root to attach a loop device; run it as root\n"));
		return WP_EXIT_FAILED;
	}
	wp_signals_install();
	snprintf(d.dir, sizeof(d.dir), "/tmp/wipeproof-demo-XXXXXX");
	if (!mkdtemp(d.dir)) {
		fprintf(stderr, _("wipeproof: demo: cannot create a folder in /tmp: %s\n"), strerror(errno));
		return WP_EXIT_FAILED;
	}
	snprintf(d.image, sizeof(d.image), "%s/disk.img", d.dir);
	snprintf(d.report, sizeof(d.report), "%s/job.json", d.dir);
	snprintf(d.keys, sizeof(d.keys), "%s/keys", d.dir);
	snprintf(d.ledger, sizeof(d.ledger), "%s/ledger.db", d.dir);
	printf(_("wipeproof demo: detect, wipe, verify, record and report on a throw-away virtual "
	       "disk\n\n"));
	int code = WP_EXIT_FAILED;
	int image_fd = create_image(&d);
	if (image_fd >= 0 && attach_loop(&d, image_fd) == 0)
		code = run_demo(&d);
	if (image_fd >= 0)
		close(image_fd);
	printf("\n");
	cleanup(&d);
	printf("%s\n", code == WP_EXIT_OK ? "Demo finished: the disk was sanitized, verified, recorded "
					    "in the ledger and certified (PDF: " WP_DEMO_CERT_COPY ")."
					  : "Demo FAILED; see the messages above.");
	return code;
}
