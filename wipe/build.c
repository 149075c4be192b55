/*
 * Which build of wipeproof made a record. An auditor asks which tool
 * produced a certificate, and "wipeproof 0.1.0" names no build: the job
 * report and the certificate also carry the git commit the binary was built
 * from (cmake/build_commit.cmake) and the SHA-256 of the executable that is
 * running, which the auditor can compare with the published release or
 * with `sha256sum /usr/sbin/wipeproof` on the station.
 *
 * The hash is of /proc/self/exe, the file the kernel is executing, not of a
 * path from argv that may have been replaced since. It is taken once per
 * process (pthread_once): the binary cannot change under a running process
 * without the kernel refusing the write (ETXTBSY).
 */
#include "wipe.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern const char wp_build_commit[];

static struct {
	pthread_once_t once;
	char sha256[WP_SHA256_HEX];
	char err[160];
} exe = { .once = PTHREAD_ONCE_INIT };

static void hash_exe(void)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(exe.err, sizeof(exe.err), "cannot open /proc/self/exe to name this "
			 "build: %s (is /proc mounted?)", strerror(errno));
		return;
	}
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char buf[65536], digest[32];
	unsigned n = 0;
	ssize_t got = 0;
	bool ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	while (ok && (got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		ok = got > 0 && EVP_DigestUpdate(md, buf, (size_t)got);
	}
	ok = ok && EVP_DigestFinal_ex(md, digest, &n) && n == sizeof(digest);
	EVP_MD_CTX_free(md);
	close(fd);
	if (!ok) {
		snprintf(exe.err, sizeof(exe.err), "cannot read /proc/self/exe to name this build");
		return;
	}
	for (unsigned i = 0; i < n; i++)
		snprintf(exe.sha256 + 2 * i, 3, "%02x", digest[i]);
}

int wp_build_identity(struct wp_build *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->version, sizeof(out->version), "%s", WP_VERSION);
	snprintf(out->commit, sizeof(out->commit), "%s", wp_build_commit);
	pthread_once(&exe.once, hash_exe);
	if (!exe.sha256[0]) {
		snprintf(err, errlen, "%s", exe.err);
		return -1;
	}
	memcpy(out->exe_sha256, exe.sha256, sizeof(out->exe_sha256));
	return 0;
}
