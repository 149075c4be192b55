/* Shared by the files of verify/; not part of the module's API. */
#ifndef WP_VERIFY_INTERNAL_H
#define WP_VERIFY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Read len bytes at offset, resuming after short reads and EINTR. Returns
 * 0, or -1 with errno set (EIO when the device ends before len bytes). */
int wp_read_fully(int fd, uint8_t *buf, size_t len, uint64_t offset);

#endif
