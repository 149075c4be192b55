/*
 * The real I/O boundary: the kernel's ioctls, one line each. Everything
 * that decides what to send lives above this, in the backends, so that a
 * simulated device can stand in for this file in tests.
 */
#include "firmware.h"

#include <errno.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <time.h>

static int kernel_sg_io(void *ctx, int fd, struct sg_io_hdr *hdr)
{
	(void)ctx;
	return ioctl(fd, SG_IO, hdr);
}

static int kernel_nvme_admin(void *ctx, int fd, struct nvme_admin_cmd *cmd)
{
	(void)ctx;
	return ioctl(fd, NVME_IOCTL_ADMIN_CMD, cmd);
}

static int kernel_nvme_nsid(void *ctx, int fd)
{
	(void)ctx;
	return ioctl(fd, NVME_IOCTL_ID);
}

static int kernel_secdiscard(void *ctx, int fd, const uint64_t range[2])
{
	(void)ctx;
	uint64_t r[2] = { range[0], range[1] };
	return ioctl(fd, BLKSECDISCARD, r);
}

static void kernel_pause(void *ctx, unsigned ms)
{
	(void)ctx;
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const struct wp_fw_io kernel_io = {
	.sg_io = kernel_sg_io,
	.nvme_admin = kernel_nvme_admin,
	.nvme_nsid = kernel_nvme_nsid,
	.secdiscard = kernel_secdiscard,
	.pause = kernel_pause,
	.ctx = NULL,
};

const struct wp_fw_io *wp_fw_io_kernel(void)
{
	return &kernel_io;
}
