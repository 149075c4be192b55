/*
 * The one reader of a small whole file (a key, a certificate, a signature,
 * the configuration, the station policy, an anchor): there were four, each
 * with its own limit and its own answer to a file that is too large, a
 * directory or a FIFO. One size check before reading, and a file that
 * grows while it is read is caught by reading one byte past the limit.
 */
#include "wptext.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void wipe_free(char *b, size_t n)
{
	if (!b)
		return;
	explicit_bzero(b, n);
	free(b);
}

static void say_size(char *buf, size_t len, size_t n)
{
	if (n % (1 << 20) == 0)
		snprintf(buf, len, "%zu MiB", n >> 20);
	else
		snprintf(buf, len, "%zu KiB", n >> 10);
}

static int check_stat(const char *path, const struct stat *st, unsigned flags, size_t max,
		      char *err, size_t errlen)
{
	char limit[32];
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, errlen, "%s is not a regular file; give the path of the file itself", path);
		return -1;
	}
	if ((flags & WP_READ_PRIVATE) && (st->st_mode & 077)) {
		snprintf(err, errlen, "private key %s is readable by group or others (mode %04o); "
			 "it may have been copied: run 'chmod 600 %s' if you are sure it was not, "
			 "else issue a new key", path, (unsigned)(st->st_mode & 07777), path);
		return -1;
	}
	if ((uintmax_t)st->st_size > max) {
		say_size(limit, sizeof(limit), max);
		snprintf(err, errlen, "%s is too large (%lld bytes, at most %s); is it the right file?",
			 path, (long long)st->st_size, limit);
		return -1;
	}
	return 0;
}

static int read_upto(int fd, const char *path, size_t max, char **buf, size_t *len, char *err,
		     size_t errlen)
{
	char limit[32];
	char *b = malloc(max + 2);
	size_t got = 0;
	if (!b) {
		snprintf(err, errlen, "out of memory reading %s", path);
		return -1;
	}
	while (got <= max) {
		ssize_t n = read(fd, b + got, max + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			wipe_free(b, max + 2);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > max) {
		say_size(limit, sizeof(limit), max);
		snprintf(err, errlen, "%s is larger than %s; is it the right file?", path, limit);
		wipe_free(b, max + 2);
		return -1;
	}
	b[got] = '\0';
	*buf = b;
	if (len)
		*len = got;
	return 0;
}

int wp_read_file(const char *path, size_t max, unsigned flags, char **buf, size_t *len,
		 char *err, size_t errlen)
{
	*buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
			   ((flags & WP_READ_NOFOLLOW) ? O_NOFOLLOW : 0));
	if (fd < 0) {
		if (errno == ENOENT && (flags & WP_READ_MISSING_OK))
			return 1;
		if (errno == ELOOP && (flags & WP_READ_NOFOLLOW))
			snprintf(err, errlen, "%s is a symbolic link; refusing it, give the real file", path);
		else
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	int rc = -1;
	if (fstat(fd, &st) < 0)
		snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
	else if (check_stat(path, &st, flags, max, err, errlen) == 0)
		rc = read_upto(fd, path, max, buf, len, err, errlen);
	close(fd);
	return rc;
}
