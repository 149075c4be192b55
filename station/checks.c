/*
 * The checks before anything is written: refuse protected disks and disks
 * whose identity is not text, have the operator confirm the serial, open
 * exclusively and identify the disk again so one swapped between the
 * question and the answer is not wiped, and make sure the report can be
 * written. One "same disk" comparison serves the re-check after the open
 * and resume's check of the disk against the job it continues.
 */
#include "station_internal.h"
#include "certs.h"
#include "wptext.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static void vrefuse(const struct wp_station_hooks *h, struct wp_station_refusal *r,
		    const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static void vrefuse(const struct wp_station_hooks *h, struct wp_station_refusal *r,
		    const char *fmt, va_list ap)
{
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	if (h && h->refused)
		h->refused(h->ctx, r);
}

void wp_st_refuse(const struct wp_station_hooks *h, enum wp_station_refusal_kind kind,
		  const struct wp_device *dev, const char *fmt, ...)
{
	struct wp_station_refusal r = { .kind = kind, .dev = dev };
	va_list ap;
	va_start(ap, fmt);
	vrefuse(h, &r, fmt, ap);
	va_end(ap);
}

void wp_st_warn(const struct wp_station_hooks *h, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	if (!h || !h->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	h->warn(h->ctx, msg);
}

int wp_st_fail(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

bool wp_st_stopped(const volatile sig_atomic_t *stop)
{
	return stop && *stop;
}

int wp_st_refuse_if_protected(const struct wp_station_hooks *h, const struct wp_device *dev)
{
	if (!dev->protected_)
		return WP_STATION_OK;
	struct wp_station_refusal r = { .kind = WP_REFUSAL_PROTECTED, .dev = dev };
	size_t n = (size_t)snprintf(r.msg, sizeof(r.msg), "refusing to wipe %s:", dev->path);
	for (size_t i = 0; i < dev->n_reasons && n < sizeof(r.msg); i++)
		n += (size_t)snprintf(r.msg + n, sizeof(r.msg) - n, "\n  %s: %s",
				      dev->reasons[i].code, dev->reasons[i].text);
	if (h && h->refused)
		h->refused(h->ctx, &r);
	return WP_STATION_REFUSED;
}

/* The disk's own identity goes into the report, the ledger and the
 * certificate: one that is not text would be lost after the wipe. */
int wp_st_check_identity_text(const struct wp_station_hooks *h, const struct wp_device *dev)
{
	char why[256];
	const char *bad = wp_text_check(dev->serial, 0, why, sizeof(why)) < 0 ? "serial"
			: wp_text_check(dev->model, 0, why, sizeof(why)) < 0 ? "model" : NULL;
	if (!bad)
		return WP_STATION_OK;
	wp_st_refuse(h, WP_REFUSAL_OTHER, dev, _("refusing to wipe %s: its %s %s; it could not be "
		     "recorded in the report; nothing was written"), dev->path, bad, why);
	return WP_STATION_REFUSED;
}

const char *wp_station_confirm_token(const struct wp_device *dev)
{
	return dev->serial[0] ? dev->serial : dev->name;
}

int wp_st_confirm(const struct wp_station_hooks *h, const struct wp_device *dev,
		  const char *given, const struct wp_method *m, enum wp_verify_mode mode)
{
	char typed[256];
	const char *answer = given;
	if (!answer) {
		if (!h || !h->confirm) {
			wp_st_refuse(h, WP_REFUSAL_OTHER, dev, _("refusing to wipe %s: no "
				     "confirmation of its serial %s"), dev->path,
				     wp_station_confirm_token(dev));
			return WP_STATION_REFUSED;
		}
		if (h->confirm(h->ctx, dev, m, mode, typed, sizeof(typed)) < 0)
			return WP_STATION_REFUSED;
		answer = typed;
	}
	if (strcmp(answer, wp_station_confirm_token(dev)) == 0)
		return WP_STATION_OK;
	struct wp_station_refusal r = { .kind = WP_REFUSAL_CONFIRM, .dev = dev, .answer = answer,
					.token = wp_station_confirm_token(dev) };
	snprintf(r.msg, sizeof(r.msg), "refusing to wipe %s: confirmation '%s' does not match "
		 "its serial '%s'; nothing was written", dev->path, answer, r.token);
	if (h && h->refused)
		h->refused(h->ctx, &r);
	return WP_STATION_REFUSED;
}

int wp_st_open_exclusive(const struct wp_station_hooks *h, const struct wp_device *dev,
			 int *status)
{
	int fd = open(dev->path, O_RDWR | O_DIRECT | O_EXCL | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	int e = errno;
	if (e == EBUSY) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, dev, _("refusing to wipe %s: it is busy (mounted, "
			     "in use by LVM/RAID/encryption, or opened by another wipe)"), dev->path);
		*status = WP_STATION_REFUSED;
	} else {
		wp_st_refuse(h, WP_REFUSAL_OTHER, dev, _("cannot open %s for writing: %s%s"),
			     dev->path, strerror(e), e == EACCES || e == EPERM ? _("; run as root") : "");
		*status = WP_STATION_FAILED;
	}
	return -1;
}

bool wp_station_same_disk(const struct wp_device *before, const struct wp_device *now,
			  char *why, size_t len)
{
	/* a device number known on both sides must match too (udev's wp_disk_is
	 * is the one comparison; a job read back from the ledger has none) */
	struct wp_disk_ident was = { .serial = before->serial, .model = before->model,
				     .size_bytes = before->size_bytes,
				     .logical_block_size = before->logical_block_size,
				     .devno = now->devno ? before->devno : 0 };
	bool same = wp_disk_is(now, &was) && (before->size_bytes || !now->size_bytes) &&
		    (before->logical_block_size || !now->logical_block_size);
	if (!same && why)
		snprintf(why, len, _("now serial '%s', model '%s', %llu bytes in %u-byte blocks; "
			 "it was serial '%s', model '%s', %llu bytes in %u-byte blocks"),
			 now->serial, now->model, (unsigned long long)now->size_bytes,
			 now->logical_block_size, before->serial, before->model,
			 (unsigned long long)before->size_bytes, before->logical_block_size);
	return same;
}

/* After the exclusive open: is it still the disk the operator confirmed? */
int wp_st_recheck_identity(const struct wp_station_hooks *h, int fd,
			   const struct wp_device *before, const struct wp_guard_opts *opts)
{
	struct wp_device *now = malloc(sizeof(*now));
	char err[512];
	uint64_t size = 0;
	int lbs = 0;
	int rc = WP_STATION_REFUSED;
	if (!now)
		return WP_STATION_FAILED;
	if (wp_media_probe(before->path, opts, now, err, sizeof(err)) < 0) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, before, _("%s vanished before the wipe started: %s"),
			     before->path, err);
	} else if (!wp_station_same_disk(before, now, NULL, 0)) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, before, _("refusing to wipe %s: the disk changed "
			     "since it was confirmed (serial '%s' -> '%s', size %llu -> %llu)"),
			     before->path, before->serial, now->serial,
			     (unsigned long long)before->size_bytes,
			     (unsigned long long)now->size_bytes);
	} else if (ioctl(fd, BLKGETSIZE64, &size) < 0 || ioctl(fd, BLKSSZGET, &lbs) < 0 ||
		   size != before->size_bytes || (unsigned)lbs != before->logical_block_size) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, before, _("refusing to wipe %s: the kernel reports "
			     "size %llu and block size %d, sysfs said %llu and %u"), before->path,
			     (unsigned long long)size, lbs, (unsigned long long)before->size_bytes,
			     before->logical_block_size);
	} else {
		rc = wp_st_refuse_if_protected(h, now);
	}
	free(now);
	return rc;
}

/* A report that cannot be written would be discovered only after the wipe:
 * check its folder first. */
int wp_st_check_report_path(const struct wp_station_hooks *h, const char *path)
{
	if (!path)
		return WP_STATION_OK;
	char dir[4096];
	wp_path_dir(path, dir, sizeof(dir));
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("--report %s is a directory; give a file "
			     "name, or use --report-dir"), path);
		return WP_STATION_USAGE;
	}
	if (access(dir, W_OK) < 0) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("--report %s: cannot write in %s: %s"), path,
			     dir, strerror(errno));
		return WP_STATION_USAGE;
	}
	return wp_st_probe_report_file(h, path, "--report");
}

/* Create NAME and remove it again, unless it already exists (a report
 * being replaced: its folder was found writable). */
static int probe_create(const struct wp_station_hooks *h, const char *name, const char *what,
			const char *path)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0) {
		int e = errno;
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("%s %s: cannot create %s: %s%s; nothing was "
			     "written"), what, path, name, strerror(e), e == ENAMETOOLONG
			     ? _(" (give a shorter file name)") : e == ENOENT
			     ? _(" (create the folder first)") : e == EACCES || e == EPERM
			     ? _(" (choose a folder you may write to)") : "");
		return -1;
	}
	close(fd);
	unlink(name);
	return 0;
}

/* The report is written after the wipe through PATH.tmp (wp_job_save):
 * both names are tried now, so a report is never lost after a wipe. */
int wp_st_probe_report_file(const struct wp_station_hooks *h, const char *path,
			    const char *what)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("%s %s: the path is too long"), what, path);
		return WP_STATION_USAGE;
	}
	if (probe_create(h, path, what, path) < 0 || probe_create(h, tmp, what, path) < 0)
		return WP_STATION_USAGE;
	return WP_STATION_OK;
}

int wp_st_check_report_dir(const struct wp_station_hooks *h, const char *dir)
{
	struct stat st;
	if (!dir)
		return WP_STATION_OK;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("--report-dir %s is not a folder; create it "
			     "first"), dir);
		return WP_STATION_USAGE;
	}
	if (access(dir, W_OK) < 0) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, _("--report-dir %s: cannot write there: %s"),
			     dir, strerror(errno));
		return WP_STATION_USAGE;
	}
	return WP_STATION_OK;
}

int wp_station_make_dir(const char *dir, char *err, size_t errlen)
{
	char part[4096];
	if (snprintf(part, sizeof(part), "%s", dir) >= (int)sizeof(part)) {
		snprintf(err, errlen, _("the report folder %s: path too long"), dir);
		return -1;
	}
	for (char *p = part + 1;; p++) {
		bool end = *p == '\0';
		if (*p != '/' && !end)
			continue;
		*p = '\0';
		if (mkdir(part, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, _("cannot create the report folder %s: %s; give "
				 "--report-dir DIR or --no-report"), part, strerror(errno));
			return -1;
		}
		if (end)
			break;
		*p = '/';
	}
	return 0;
}

int wp_st_make_report_dir(const struct wp_station_hooks *h, const char *dir)
{
	char err[4400];
	if (wp_station_make_dir(dir, err, sizeof(err)) < 0) {
		wp_st_refuse(h, WP_REFUSAL_OTHER, NULL, "%s", err);
		return WP_STATION_FAILED;
	}
	return wp_st_check_report_dir(h, dir) == WP_STATION_OK ? WP_STATION_OK
								: WP_STATION_FAILED;
}
