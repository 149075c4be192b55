/*
 * wipeproof wipe: probe → guard → confirm → open exclusively → re-probe →
 * overwrite → verify → report. Every refusal happens before the device is
 * opened for writing, and the device is re-identified after the exclusive
 * open so a disk swapped between the question and the answer is not wiped.
 */
#include "cli.h"
#include "verify.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int refuse_if_protected(const struct wp_device *dev)
{
	if (!dev->protected_)
		return 0;
	fprintf(stderr, "wipeproof: refusing to wipe %s:\n", dev->path);
	for (size_t i = 0; i < dev->n_reasons; i++)
		fprintf(stderr, "  %s: %s\n", dev->reasons[i].code, dev->reasons[i].text);
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
	fprintf(stderr, "About to ERASE ALL DATA on %s:\n  %s\n", dev->path, what);
	for (size_t i = 0; i < dev->n_partitions; i++)
		fprintf(stderr, "  partition %s %s %s\n", dev->partitions[i].path,
			dev->partitions[i].fs.fstype, dev->partitions[i].fs.label);
	fprintf(stderr, "Method: %s (%zu pass%s), verification: %s\n", m->name, m->npasses,
		m->npasses > 1 ? "es" : "", wp_verify_mode_name(mode));
	if (dev->serial[0])
		fprintf(stderr, "Type the disk's serial number to confirm: ");
	else
		fprintf(stderr, "This disk reports no serial number; type its name '%s' to confirm: ",
			dev->name);
	fflush(stderr);
	if (!fgets(answer, (int)len, stdin))
		return -1;
	trim_line(answer);
	return 0;
}

static int confirm(const struct wp_device *dev, const struct wp_wipe_request *req,
		   const struct wp_method *m)
{
	char typed[256];
	const char *answer = req->confirm_serial;
	if (!answer) {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "wipeproof: refusing to wipe %s: no confirmation; pass "
				"--confirm-serial %s (check it with 'wipeproof list')\n",
				dev->path, confirmation_token(dev));
			return -1;
		}
		if (ask_operator(dev, m, req->verify_mode, typed, sizeof(typed)) < 0) {
			fprintf(stderr, "\nwipeproof: no answer; nothing was written\n");
			return -1;
		}
		answer = typed;
	}
	if (strcmp(answer, confirmation_token(dev)) != 0) {
		fprintf(stderr, "wipeproof: refusing to wipe %s: confirmation '%s' does not match "
			"its serial '%s'; nothing was written\n", dev->path, answer,
			confirmation_token(dev));
		return -1;
	}
	return 0;
}

static int open_exclusive(const struct wp_device *dev, int *exit_code)
{
	int fd = open(dev->path, O_RDWR | O_DIRECT | O_EXCL | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == EBUSY) {
		fprintf(stderr, "wipeproof: refusing to wipe %s: it is busy (mounted, in use by "
			"LVM/RAID/encryption, or opened by another wipe)\n", dev->path);
		*exit_code = WP_EXIT_REFUSED;
	} else {
		fprintf(stderr, "wipeproof: cannot open %s for writing: %s%s\n", dev->path,
			strerror(errno), errno == EACCES || errno == EPERM ? "; run as root" : "");
		*exit_code = WP_EXIT_FAILED;
	}
	return -1;
}

/* After the exclusive open: is it still the disk the operator confirmed? */
static int recheck_identity(int fd, const struct wp_device *before,
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
		fprintf(stderr, "wipeproof: %s vanished before the wipe started: %s\n",
			before->path, err);
	} else if (now->devno != before->devno || strcmp(now->serial, before->serial) != 0 ||
		   now->size_bytes != before->size_bytes) {
		fprintf(stderr, "wipeproof: refusing to wipe %s: the disk changed since it was "
			"confirmed (serial '%s' -> '%s', size %llu -> %llu)\n", before->path,
			before->serial, now->serial, (unsigned long long)before->size_bytes,
			(unsigned long long)now->size_bytes);
	} else if (ioctl(fd, BLKGETSIZE64, &size) < 0 || ioctl(fd, BLKSSZGET, &lbs) < 0 ||
		   size != before->size_bytes || (unsigned)lbs != before->logical_block_size) {
		fprintf(stderr, "wipeproof: refusing to wipe %s: the kernel reports size %llu and "
			"block size %d, sysfs said %llu and %u\n", before->path,
			(unsigned long long)size, lbs, (unsigned long long)before->size_bytes,
			before->logical_block_size);
	} else if (refuse_if_protected(now) == 0) {
		rc = 0;
	}
	free(now);
	return rc;
}

static void job_set_device(struct wp_job *job, const struct wp_device *dev)
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

static void verify_job(const struct wp_io_target *t, struct wp_job *job,
		       enum wp_verify_mode mode, const struct wp_run_ctl *ctl)
{
	char err[512];
	if (mode == WP_VERIFY_OFF) {
		job->verify.mode = WP_VERIFY_OFF;
		job->result = WP_RESULT_UNVERIFIED;
		return;
	}
	job->verify.seed = wp_sample_new_seed();
	enum wp_verify_outcome out = wp_verify_run(t, wp_job_final_pass(job), mode,
						   &job->verify, ctl, err, sizeof(err));
	if (out == WP_VERIFY_MATCH) {
		job->result = WP_RESULT_SANITIZED;
		return;
	}
	bool stopped = out == WP_VERIFY_ERROR && wp_stop_flag;
	job->result = stopped ? WP_RESULT_INTERRUPTED : WP_RESULT_FAILED;
	snprintf(job->error, sizeof(job->error), "%s", err);
	job->stopped_at.set = out == WP_VERIFY_ERROR;
	snprintf(job->stopped_at.phase, sizeof(job->stopped_at.phase), "verify");
	job->stopped_at.pass = job->npasses;
	job->stopped_at.offset = job->verify.bytes_checked;
}

static void print_summary(const struct wp_job *job, const char *report_path)
{
	char size[32];
	uint64_t written = 0;
	double secs = 0;
	for (size_t i = 0; i < job->npasses; i++) {
		written += job->passes[i].bytes_written;
		secs += job->passes[i].seconds;
	}
	wp_format_size(written, size, sizeof(size));
	printf("%s: %s\n", job->device.path, wp_result_name(job->result));
	printf("  device     %s, serial %s\n", job->device.model, job->device.serial);
	printf("  method     %s (%zu pass%s)\n", job->method, job->npasses,
	       job->npasses == 1 ? "" : "es");
	printf("  written    %s in %.1f s (%.0f MB/s)\n", size, secs,
	       secs > 0 ? (double)written / secs / 1e6 : 0.0);
	if (job->verify.mode != WP_VERIFY_OFF) {
		wp_format_size(job->verify.bytes_checked, size, sizeof(size));
		printf("  verified   %s: %s read (%.1f%% of the device), %llu mismatched block(s)\n",
		       wp_verify_mode_name(job->verify.mode), size, job->verify.coverage_percent,
		       (unsigned long long)job->verify.mismatched_blocks);
		for (size_t i = 0; i < job->verify.n_bad; i++)
			printf("  bad byte   %llu\n", (unsigned long long)job->verify.bad_offsets[i]);
	} else {
		printf("  verified   NO (--verify off): the result is 'unverified'\n");
	}
	if (job->error[0])
		printf("  error      %s\n", job->error);
	printf("  job        %s\n", job->id);
	if (report_path)
		printf("  report     %s\n", report_path);
}

int wp_exit_for_result(enum wp_result result)
{
	switch (result) {
	case WP_RESULT_SANITIZED:
	case WP_RESULT_UNVERIFIED:
		return WP_EXIT_OK;
	case WP_RESULT_INTERRUPTED:
		return WP_EXIT_INTERRUPTED;
	case WP_RESULT_FAILED:
		break;
	}
	return WP_EXIT_FAILED;
}

static void run_job(int fd, const struct wp_device *dev, const struct wp_method *m,
		    const struct wp_wipe_request *req, struct wp_job *job)
{
	char err[512];
	struct wp_progress_view view;
	wp_progress_view_init(&view, dev->path, req->json);
	struct wp_run_ctl ctl = {
		.stop = &wp_stop_flag, .progress = wp_progress_print,
		.progress_ctx = &view, .chunk_bytes = req->chunk_bytes,
	};
	struct wp_io_target t = {
		.fd = fd, .path = dev->path, .size = dev->size_bytes,
		.block_size = dev->logical_block_size,
	};
	job->verify.mode = req->verify_mode;
	if (wp_overwrite_run(&t, m, job, &ctl, err, sizeof(err)) == 0)
		verify_job(&t, job, req->verify_mode, &ctl);
	wp_progress_view_end(&view);
	job->ended = time(NULL);
}

static int finish(const struct wp_wipe_request *req, const struct wp_job *job)
{
	char err[512];
	int code = wp_exit_for_result(job->result);
	if (job->result == WP_RESULT_FAILED && job->verify.mismatched_blocks > 0)
		code = WP_EXIT_MISMATCH;
	if (req->report_path && wp_job_save(job, req->report_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: %s\n", err);
		if (code == WP_EXIT_OK)
			code = WP_EXIT_FAILED;
	}
	if (req->json) {
		json_t *root = wp_job_to_json(job);
		json_dumpf(root, stdout, JSON_COMPACT | WP_JSON_DUMP_FLAGS);
		fputc('\n', stdout);
		json_decref(root);
	} else {
		print_summary(job, req->report_path);
	}
	if (job->result != WP_RESULT_SANITIZED && job->error[0])
		fprintf(stderr, "wipeproof: %s: %s: %s\n", job->device.path,
			wp_result_name(job->result), job->error);
	return code;
}

/* A report that cannot be written would be discovered only after the wipe:
 * check its folder first. */
static int check_report_path(const char *path)
{
	if (!path)
		return 0;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "wipeproof: --report %s is a directory; give a file name\n", path);
		return -1;
	}
	if (access(dir, W_OK) < 0) {
		fprintf(stderr, "wipeproof: --report %s: cannot write in %s: %s\n", path, dir,
			strerror(errno));
		return -1;
	}
	return 0;
}

int wp_wipe_one(const struct wp_wipe_request *req, struct wp_job *job)
{
	char err[512];
	struct wp_guard_opts opts = { .force_holders = req->force_holders };
	const struct wp_method *m = wp_method_find(req->method ? req->method : WP_DEFAULT_METHOD);
	struct wp_device *dev = malloc(sizeof(*dev));
	int code = WP_EXIT_REFUSED, fd = -1;
	if (!dev || !m) {
		free(dev);
		return WP_EXIT_FAILED;
	}
	if (check_report_path(req->report_path) < 0) {
		code = WP_EXIT_USAGE;
		goto out;
	}
	if (wp_media_probe(req->device, &opts, dev, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: %s\n", err);
		code = WP_EXIT_USAGE;
		goto out;
	}
	if (refuse_if_protected(dev) < 0 || confirm(dev, req, m) < 0)
		goto out;
	fd = open_exclusive(dev, &code);
	if (fd < 0 || recheck_identity(fd, dev, &opts) < 0)
		goto out;
	if (wp_job_init(job, err, sizeof(err)) < 0) {
		fprintf(stderr, "wipeproof: %s\n", err);
		code = WP_EXIT_FAILED;
		goto out;
	}
	job_set_device(job, dev);
	run_job(fd, dev, m, req, job);
	/* The old partition table is gone from the medium: let the kernel drop
	 * its stale partitions too. Fails harmlessly where there are none. */
	(void)ioctl(fd, BLKRRPART);
	close(fd);
	fd = -1;
	code = finish(req, job);
out:
	if (fd >= 0)
		close(fd);
	free(dev);
	return code;
}

int wp_cmd_wipe(const struct wp_cmdline *cl)
{
	struct wp_wipe_request req = {
		.device = cl->devices[0], .method = cl->method,
		.verify_mode = cl->verify_mode, .confirm_serial = cl->confirm_serial,
		.force_holders = cl->force_holders, .json = cl->json,
		.chunk_bytes = cl->chunk_bytes, .report_path = cl->report_path,
	};
	struct wp_job job;
	wp_signals_install();
	return wp_wipe_one(&req, &job);
}
