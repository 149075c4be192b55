/*
 * The plan of one drive and its firmware side: plan each drive before anything is written
 * (refusing what the drive cannot do, or what does not reach --level), and
 * run a firmware method between two looks at the medium.
 *
 * Why the fingerprint: a command's success status proves nothing (drives
 * and bridges answer "success" to erases that changed nothing, see
 * EMULATED-HARDWARE.md). So a seeded sample of blocks is hashed before the
 * command and every one of them must differ afterwards; where the command
 * promises content (zeros after a format on a DLFEAT=1 controller, after a
 * sanitize overwrite; zeros or ones after a normal security erase) the
 * medium is also read back against it like an overwrite.
 */
#include "station_internal.h"
#include "verify.h"

#include <stdio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void wp_job_set_device(struct wp_job *job, const struct wp_device *dev)
{
	struct wp_job_device *d = &job->device;
	snprintf(d->path, sizeof(d->path), "%s", dev->path);
	snprintf(d->model, sizeof(d->model), "%s", dev->model);
	snprintf(d->serial, sizeof(d->serial), "%s", dev->serial);
	snprintf(d->kind, sizeof(d->kind), "%s", wp_kind_name(dev->kind));
	snprintf(d->transport, sizeof(d->transport), "%s", wp_transport_name(dev->transport));
	d->size_bytes = dev->size_bytes;
	d->logical_block_size = dev->logical_block_size;
}

int wp_station_plan_drive(const struct wp_device *dev, const char *method, enum wp_level level,
			  struct wp_drive_plan *out, char *why, size_t len)
{
	const struct wp_method *forced = method ? wp_method_find(method) : NULL;
	if (len)
		why[0] = '\0';
	if (method && !forced)
		return WP_STATION_USAGE; /* the front end already named it */
	out->io = NULL; /* the kernel */
	/* read-only identify commands in the command set the transport
	 * suggests (also for an overwrite: hidden areas); none at all for loop,
	 * virtual and USB disks */
	wp_device_caps(dev, &out->caps);
	if (wp_plan_make(wp_media_of(dev), &out->caps, level, forced, &out->plan) == 0)
		return WP_STATION_OK;
	snprintf(why, len, _("refusing to wipe %s: %s; nothing was written"), dev->path,
		 out->plan.refusal);
	return WP_STATION_REFUSED;
}

void wp_wipe_plan_to_job(const struct wp_drive_plan *p, const struct wp_device *dev,
			 struct wp_job *job)
{
	/* a planned method that reaches no category says so ("none"): an empty
	 * category means "not planned", which the certificate reads as Clear */
	snprintf(job->nist_category, sizeof(job->nist_category), "%s",
		 p->plan.method && p->plan.category == WP_NIST_NONE ? "none"
								  : wp_nist_name(p->plan.category));
	snprintf(job->plan_reason, sizeof(job->plan_reason), "%s", p->plan.reason);
	snprintf(job->nist_source, sizeof(job->nist_source), "%s", p->plan.source);
	wp_hidden_from_caps(&p->caps, dev, &job->hidden);
}

/* A stop while the drive works is an interruption, anything else a failure. */
static void fail(struct wp_job *job, const struct wp_run_ctl *ctl, const char *why)
{
	job->result = ctl && wp_st_stopped(ctl->stop) ? WP_RESULT_INTERRUPTED : WP_RESULT_FAILED;
	snprintf(job->error, sizeof(job->error), "%s", why);
}

/* After SET MAX ADDRESS the kernel still has the old capacity: a SCSI
 * rescan re-reads it (sd revalidates the disk). */
static int rescan(const char *name, char *err, size_t errlen)
{
	char path[128];
	snprintf(path, sizeof(path), "/sys/block/%s/device/rescan", name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok = fd >= 0 && write(fd, "1", 1) == 1;
	int saved = errno;
	if (fd >= 0)
		close(fd);
	if (!ok)
		snprintf(err, errlen, "cannot rescan %s: %s", path, strerror(saved));
	return ok ? 0 : -1;
}

int wp_wipe_remove_hpa(const struct wp_drive_plan *p, const struct wp_device *dev,
		       struct wp_io_target *t, const struct wp_run_ctl *ctl, struct wp_job *job)
{
	char err[256] = "", why[512];
	uint64_t native = 0, size = 0;
	if (p->caps.bus != WP_FW_BUS_ATA || !p->caps.hidden.hpa)
		return 0;
	struct wp_fw_dev fdev = { .fd = t->fd, .path = t->path, .io = p->io ? p->io : wp_fw_io_kernel(),
				  .bus = WP_FW_BUS_ATA, .size_bytes = t->size,
				  .block_size = t->block_size };
	if (wp_ata_restore_native_max(&fdev, &native, err, sizeof(err)) < 0) {
		snprintf(why, sizeof(why), "--remove-hpa: %s; nothing was written", err);
		fail(job, ctl, why);
		return -1;
	}
	job->hidden.hpa_removed = true;
	if (rescan(dev->name, err, sizeof(err)) < 0 || ioctl(t->fd, BLKGETSIZE64, &size) < 0 ||
	    size <= t->size) {
		snprintf(why, sizeof(why), "--remove-hpa: the drive shows its native capacity "
			 "until power-off, but the kernel still sees %llu bytes (%s): run 'echo 1 "
			 "> /sys/block/%s/device/rescan' and wipe again; nothing was written",
			 (unsigned long long)t->size, err[0] ? err : "no rescan", dev->name);
		fail(job, ctl, why);
		return -1;
	}
	t->size = size;
	job->device.size_bytes = size;
	job->hidden.reported_bytes = size;
	job->hidden.native_covered = !job->hidden.dco && size >= native * t->block_size;
	return 0;
}

/* Unknown content (crypto erase, block erase, enhanced erase): the
 * fingerprint is the whole read-back, and the verification record says so;
 * unchanged blocks are its mismatches (exit 4, like any mismatch). */
static void verify_from_fingerprint(const struct wp_io_target *t, struct wp_job *job)
{
	const struct wp_fingerprint_record *f = &job->fingerprint;
	struct wp_verify_record *v = &job->verify;
	memset(v, 0, sizeof(*v));
	v->mode = WP_VERIFY_SAMPLE;
	v->seed = f->seed;
	v->bytes_checked = f->blocks * t->block_size;
	v->coverage_percent = 100.0 * (double)v->bytes_checked / (double)t->size;
	v->mismatched_blocks = f->unchanged;
	v->n_bad = f->n_bad;
	memcpy(v->bad_offsets, f->bad_offsets, sizeof(v->bad_offsets));
	v->complete = true;
}

/* "zeros-or-ones" (a normal ATA security erase, ACS-3 7.40.3): the first
 * logical block tells which of the two the drive wrote; the read-back then
 * holds the whole medium to it. */
static enum wp_pattern promised_pattern(const struct wp_io_target *t, const char *expected)
{
	if (strcmp(expected, "zeros-or-ones") != 0)
		return WP_PATTERN_ZERO;
	size_t bs = t->block_size > 4096 ? t->block_size : 4096;
	uint8_t *buf = NULL;
	bool ones = false;
	if (posix_memalign((void **)&buf, bs, bs) == 0 &&
	    pread(t->fd, buf, t->block_size, 0) == (ssize_t)t->block_size) {
		ones = true;
		for (size_t i = 0; i < t->block_size && ones; i++)
			ones = buf[i] == 0xff;
	}
	free(buf);
	return ones ? WP_PATTERN_ONES : WP_PATTERN_ZERO;
}

/* Known content: what the device wrote is checked like a pass of it. */
static void verified_as_promised(const struct wp_io_target *t, enum wp_pattern pattern,
				 enum wp_verify_mode mode, const struct wp_run_ctl *ctl,
				 struct wp_job *job)
{
	char err[384];
	struct wp_pass_record *pass = &job->passes[0];
	memset(pass, 0, sizeof(*pass));
	pass->spec.pattern = pattern;
	pass->bytes_written = t->size; /* by the device itself */
	pass->seconds = job->firmware.seconds;
	pass->complete = true;
	job->npasses = 1;
	job->verify.seed = wp_sample_new_seed();
	enum wp_verify_outcome out = wp_verify_run(t, &pass->spec, mode, &job->verify, ctl, err,
						   sizeof(err));
	if (out == WP_VERIFY_MATCH) {
		job->result = WP_RESULT_SANITIZED;
		return;
	}
	if (out == WP_VERIFY_MISMATCH)
		snprintf(job->error, sizeof(job->error), "the drive reported success, but not all "
			 "of it reads as %s as the command promises: %s",
			 pattern == WP_PATTERN_ONES ? "ones" : "zeros", err);
	else
		snprintf(job->error, sizeof(job->error), "%s", err);
	job->result = out == WP_VERIFY_ERROR && wp_st_stopped(ctl->stop) ? WP_RESULT_INTERRUPTED
							      : WP_RESULT_FAILED;
}

static void check_fingerprint(const struct wp_io_target *t, const struct wp_fingerprint *fp,
			      enum wp_verify_mode mode, const struct wp_run_ctl *ctl,
			      struct wp_job *job)
{
	char err[384], why[512];
	const char *e = job->firmware.expected;
	bool promised = strcmp(e, "zeros") == 0 || strcmp(e, "zeros-or-ones") == 0;
	enum wp_pattern pattern = promised ? promised_pattern(t, e) : WP_PATTERN_ZERO;
	bool zeros = promised && pattern == WP_PATTERN_ZERO;
	if (wp_fingerprint_check(t, fp, zeros, &job->fingerprint, err, sizeof(err)) < 0) {
		snprintf(why, sizeof(why), "reading the sample after the erase: %s", err);
		fail(job, ctl, why);
		return;
	}
	const struct wp_fingerprint_record *r = &job->fingerprint;
	if (!r->passed) {
		verify_from_fingerprint(t, job);
		snprintf(why, sizeof(why), "the drive reported success, but %llu of %llu sampled "
			 "blocks did not change (first at byte %llu): the erase did not happen; "
			 "overwrite the disk (--method random) or destroy it",
			 (unsigned long long)r->unchanged, (unsigned long long)r->blocks,
			 (unsigned long long)(r->n_bad ? r->bad_offsets[0] : 0));
		fail(job, ctl, why);
		return;
	}
	if (promised) {
		verified_as_promised(t, pattern, mode, ctl, job);
		return;
	}
	verify_from_fingerprint(t, job);
	job->result = WP_RESULT_SANITIZED;
}

void wp_wipe_firmware(const struct wp_drive_plan *p, const struct wp_method *method,
		      const struct wp_io_target *t, enum wp_verify_mode mode,
		      const struct wp_run_ctl *ctl, struct wp_job *job)
{
	char err[384], why[512];
	struct wp_fingerprint fp;
	memset(&fp, 0, sizeof(fp));
	struct wp_fw_dev dev = { .fd = t->fd, .path = t->path, .io = p->io ? p->io : wp_fw_io_kernel(),
				 .bus = p->caps.bus, .size_bytes = t->size,
				 .block_size = t->block_size };
	job->npasses = 0;
	job->verify.mode = mode;
	if (mode != WP_VERIFY_OFF &&
	    wp_fingerprint_take(t, wp_sample_new_seed(), &fp, err, sizeof(err)) < 0) {
		snprintf(why, sizeof(why), "reading the sample before the erase: %s; nothing was "
			 "sent to the drive", err);
		fail(job, ctl, why);
		return;
	}
	if (wp_fw_run(&dev, method->firmware, &p->caps, ctl, &job->firmware, err,
		      sizeof(err)) < 0)
		fail(job, ctl, err);
	else if (mode == WP_VERIFY_OFF)
		job->result = WP_RESULT_UNVERIFIED;
	else
		check_fingerprint(t, &fp, mode, ctl, job);
	wp_fingerprint_free(&fp);
}
