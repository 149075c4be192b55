/*
 * The checks of `wipe` that come before anything is written: refuse
 * protected disks, make the operator confirm the serial, open exclusively
 * and re-identify the disk so one swapped between the question and the
 * answer is not wiped, and make sure the report can be written.
 */
#include "wipe_steps.h"
#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

int wp_refuse_if_protected(const struct wp_device *dev)
{
	if (!dev->protected_)
		return 0;
	fprintf(stderr, _("wipeproof: refusing to wipe %s:\n"), dev->path);
	for (size_t i = 0; i < dev->n_reasons; i++)
		fprintf(stderr, "  %s: %s\n", wp_reason_label(dev->reasons[i].code),
			dev->reasons[i].text);
	return -1;
}

/* What the operator must type: the serial, or the kernel name when the
 * disk reports no serial at all. */
static const char *confirmation_token(const struct wp_device *dev)
{
	return dev->serial[0] ? dev->serial : dev->name;
}

static void trim_line(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
}

static int ask_operator(const struct wp_device *dev, const struct wp_method *m,
			enum wp_verify_mode mode, char *answer, size_t len)
{
	char what[512];
	wp_device_describe(dev, what, sizeof(what));
	fprintf(stderr, _("About to ERASE ALL DATA on %s:\n  %s\n"), dev->path, what);
	for (size_t i = 0; i < dev->n_partitions; i++)
		fprintf(stderr, _("  partition %s %s %s\n"), dev->partitions[i].path,
			dev->partitions[i].fs.fstype, dev->partitions[i].fs.label);
	if (m->firmware != WP_FW_NONE) /* the disk erases itself: no passes of ours */
		fprintf(stderr, _("Method: %s (firmware: %s), verification: %s\n"), m->name,
			m->description, wp_verify_mode_name(mode));
	else
		fprintf(stderr, _("Method: %s (%zu pass%s), verification: %s\n"), m->name,
			m->npasses, m->npasses > 1 ? "es" : "", wp_verify_mode_name(mode));
	if (dev->serial[0])
		fputs(_("Type the disk's serial number to confirm: "), stderr);
	else
		fprintf(stderr, _("This disk reports no serial number; type its name '%s' to confirm: "),
			dev->name);
	fflush(stderr);
	if (!fgets(answer, (int)len, stdin))
		return -1;
	trim_line(answer);
	return 0;
}

int wp_confirm_wipe(const struct wp_device *dev, const struct wp_wipe_request *req,
		    const struct wp_method *m, enum wp_verify_mode mode)
{
	char typed[256];
	const char *answer = req->confirm_serial;
	if (!answer) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, _("wipeproof: refusing to wipe %s: no confirmation; pass "
				"--confirm-serial %s (check it with 'wipeproof list')\n"),
				dev->path, confirmation_token(dev));
			return -1;
		}
		if (ask_operator(dev, m, mode, typed, sizeof(typed)) < 0) {
			fputs(_("\nwipeproof: no answer; nothing was written\n"), stderr);
			return -1;
		}
		answer = typed;
	}
	if (strcmp(answer, confirmation_token(dev)) != 0) {
		fprintf(stderr, _("wipeproof: refusing to wipe %s: confirmation '%s' does not match "
			"its serial '%s'; nothing was written\n"), dev->path, answer,
			confirmation_token(dev));
		return -1;
	}
	return 0;
}

int wp_open_exclusive(const struct wp_device *dev, int *exit_code)
{
	int fd = open(dev->path, O_RDWR | O_DIRECT | O_EXCL | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == EBUSY) {
		fprintf(stderr, _("wipeproof: refusing to wipe %s: it is busy (mounted, in use by "
			"LVM/RAID/encryption, or opened by another wipe)\n"), dev->path);
		*exit_code = WP_EXIT_REFUSED;
	} else {
		fprintf(stderr, _("wipeproof: cannot open %s for writing: %s%s\n"), dev->path,
			strerror(errno), errno == EACCES || errno == EPERM ? "; run as root" : "");
		*exit_code = WP_EXIT_FAILED;
	}
	return -1;
}

/* After the exclusive open: is it still the disk the operator confirmed? */
int wp_recheck_identity(int fd, const struct wp_device *before,
			const struct wp_guard_opts *opts)
{
	struct wp_device *now = malloc(sizeof(*now));
	char err[512];
	uint64_t size = 0;
	int lbs = 0;
	int rc = -1;
	if (!now)
		return -1;
	if (wp_media_probe(before->path, opts, now, err, sizeof(err)) < 0) {
		fprintf(stderr, _("wipeproof: %s vanished before the wipe started: %s\n"),
			before->path, err);
	} else if (!wp_disk_is(now, &(struct wp_disk_ident){ .serial = before->serial,
							      .size_bytes = before->size_bytes,
							      .devno = before->devno })) {
		fprintf(stderr, _("wipeproof: refusing to wipe %s: the disk changed since it was "
			"confirmed (serial '%s' -> '%s', size %llu -> %llu)\n"), before->path,
			before->serial, now->serial, (unsigned long long)before->size_bytes,
			(unsigned long long)now->size_bytes);
	} else if (ioctl(fd, BLKGETSIZE64, &size) < 0 || ioctl(fd, BLKSSZGET, &lbs) < 0 ||
		   size != before->size_bytes || (unsigned)lbs != before->logical_block_size) {
		fprintf(stderr, _("wipeproof: refusing to wipe %s: the kernel reports size %llu and "
			"block size %d, sysfs said %llu and %u\n"), before->path,
			(unsigned long long)size, lbs, (unsigned long long)before->size_bytes,
			before->logical_block_size);
	} else if (wp_refuse_if_protected(now) == 0) {
		rc = 0;
	}
	free(now);
	return rc;
}

/* A report that cannot be written would be discovered only after the wipe:
 * check its folder first. */
int wp_check_report_path(const char *path)
{
	if (!path)
		return 0;
	char dir[4096];
	wp_path_dir(path, dir, sizeof(dir));
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, _("wipeproof: --report %s is a directory; give a file name, or use "
			"--report-dir\n"), path);
		return -1;
	}
	if (access(dir, W_OK) < 0) {
		fprintf(stderr, _("wipeproof: --report %s: cannot write in %s: %s\n"), path, dir,
			strerror(errno));
		return -1;
	}
	return wp_probe_report_file(path, "--report");
}

/* Create NAME and remove it again, unless it already exists (a report
 * being replaced: its folder was found writable). */
static int probe_create(const char *name, const char *what, const char *path)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0) {
		int e = errno;
		fprintf(stderr, _("wipeproof: %s %s: cannot create %s: %s%s; nothing was written\n"),
			what, path, name, strerror(e), e == ENAMETOOLONG ? _(" (give a shorter file "
			"name)") : e == ENOENT ? _(" (create the folder first)") : e == EACCES ||
			e == EPERM ? _(" (choose a folder you may write to)") : "");
		return -1;
	}
	close(fd);
	unlink(name);
	return 0;
}

/* The report is written after the wipe through PATH.tmp (wp_job_save):
 * both names are tried now, so a report is never lost after a wipe. */
int wp_probe_report_file(const char *path, const char *what)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, _("wipeproof: %s %s: the path is too long\n"), what, path);
		return -1;
	}
	if (probe_create(path, what, path) < 0 || probe_create(tmp, what, path) < 0)
		return -1;
	return 0;
}

int wp_make_report_dir(const char *dir)
{
	char part[4096];
	if (snprintf(part, sizeof(part), "%s", dir) >= (int)sizeof(part)) {
		fprintf(stderr, _("wipeproof: the report folder %s: path too long\n"), dir);
		return -1;
	}
	for (char *p = part + 1;; p++) {
		bool end = *p == '\0';
		if (*p != '/' && !end)
			continue;
		*p = '\0';
		if (mkdir(part, 0700) < 0 && errno != EEXIST) {
			fprintf(stderr, _("wipeproof: cannot create the report folder %s: %s; give "
				"--report-dir DIR or --no-report\n"), part, strerror(errno));
			return -1;
		}
		if (end)
			break;
		*p = '/';
	}
	return wp_check_report_dir(dir);
}

int wp_check_report_dir(const char *dir)
{
	struct stat st;
	if (!dir)
		return 0;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, _("wipeproof: --report-dir %s is not a folder; create it first\n"), dir);
		return -1;
	}
	if (access(dir, W_OK) < 0) {
		fprintf(stderr, _("wipeproof: --report-dir %s: cannot write there: %s\n"), dir,
			strerror(errno));
		return -1;
	}
	return 0;
}
