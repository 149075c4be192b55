/*
 * Files that hold keys, and passphrases. Every file goes through one reader
 * that refuses symlinks and non-regular files and, for private keys, any
 * group/other access — a key another user could have read is not evidence
 * of who signed.
 */
#include "certs_internal.h"
#include "wpi18n.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

void wp_secure_free(char *buf, size_t len)
{
	if (!buf)
		return;
	explicit_bzero(buf, len);
	free(buf);
}

void wp_ssl_error(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();
	if (e == 0)
		snprintf(buf, len, "%s", "");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
}

/* Keys and certificates: never through a symbolic link, 16 MiB at most. */
int wp_file_read(const char *path, bool private_key, char **buf, size_t *len,
		 char *err, size_t errlen)
{
	return wp_read_file(path, 16u << 20, WP_READ_NOFOLLOW | (private_key ? WP_READ_PRIVATE : 0),
			    buf, len, err, errlen) == 0 ? 0 : -1;
}

int wp_file_write_new(const char *path, const char *data, size_t len, mode_t mode,
		      char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		snprintf(err, errlen, _("cannot create %s: %s"), path, strerror(errno));
		return -1;
	}
	/* the umask may have taken bits away; a key must be exactly 0600 */
	int rc = fchmod(fd, mode);
	size_t done = 0;
	while (rc == 0 && done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = -1;
		else
			done += (size_t)n;
	}
	if (rc == 0)
		rc = fsync(fd);
	if (rc != 0) {
		snprintf(err, errlen, _("cannot write %s: %s"), path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* ---- passphrases ------------------------------------------------------- */

/* A passphrase file others can read is the key itself, readable; one others
 * can write lets them choose it. Refused like a readable key file. */
static int passphrase_file_private(const char *file, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(file, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077)) {
		snprintf(err, errlen, _("passphrase file %s is readable or writable by group or others "
			 "(mode %04o); run 'chmod 600 %s' (and change the passphrase if others may "
			 "have read it)"), file, (unsigned)(st.st_mode & 07777), file);
		return -1;
	}
	return 0;
}

static int passphrase_from_file(const char *file, char *buf, size_t len,
				char *err, size_t errlen)
{
	char *text = NULL;
	size_t n = 0;
	if (passphrase_file_private(file, err, errlen) < 0 ||
	    wp_file_read(file, false, &text, &n, err, errlen) < 0)
		return -1;
	size_t line = strcspn(text, "\r\n");
	int rc = 0;
	if (line == 0) {
		snprintf(err, errlen, _("passphrase file %s is empty; put the passphrase on its first line"), file);
		rc = -1;
	} else if (line >= len) {
		snprintf(err, errlen, _("passphrase in %s is longer than %zu bytes"), file, len - 1);
		rc = -1;
	} else {
		memcpy(buf, text, line);
		buf[line] = '\0';
	}
	wp_secure_free(text, n);
	return rc;
}

static int tty_line(int fd, const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	if (tcgetattr(fd, &old) < 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	if (tcsetattr(fd, TCSAFLUSH, &quiet) < 0)
		return -1;
	if (write(fd, prompt, strlen(prompt)) < 0) { /* best effort */ }
	size_t n = 0;
	char c;
	ssize_t r;
	while ((r = read(fd, &c, 1)) == 1 && c != '\n')
		if (n + 1 < len)
			buf[n++] = c;
	buf[n] = '\0';
	tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) { /* best effort */ }
	return r < 0 ? -1 : 0;
}

static int passphrase_from_tty(const char *prompt, bool confirm, char *buf, size_t len,
			       char *err, size_t errlen)
{
	int fd = isatty(STDIN_FILENO) ? open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY) : -1;
	if (fd < 0) {
		snprintf(err, errlen, _("%s: no terminal to ask on; pass --passphrase-file FILE"), prompt);
		return -1;
	}
	char again[WP_PASSPHRASE_MAX];
	char text[512];
	int rc = 0;
	snprintf(text, sizeof(text), "%s: ", prompt);
	if (tty_line(fd, text, buf, len) < 0)
		rc = -1;
	if (rc == 0 && confirm) {
		snprintf(text, sizeof(text), "%s (again): ", prompt);
		if (tty_line(fd, text, again, sizeof(again)) < 0)
			rc = -1;
		else if (strcmp(again, buf) != 0) {
			snprintf(err, errlen, _("the two passphrases differ; nothing was written, try again"));
			rc = -2;
		}
		explicit_bzero(again, sizeof(again));
	}
	if (rc == -1)
		snprintf(err, errlen, _("cannot read the passphrase from the terminal: %s"), strerror(errno));
	close(fd);
	return rc < 0 ? -1 : 0;
}

int wp_passphrase_read(const char *file, const char *prompt, bool confirm,
		       char *buf, size_t len, char *err, size_t errlen)
{
	if (file)
		return passphrase_from_file(file, buf, len, err, errlen);
	return passphrase_from_tty(prompt, confirm, buf, len, err, errlen);
}

/* ---- private keys ------------------------------------------------------ */

/* A memory BIO's contents as a NUL-terminated malloc'd string; the BIO's
 * own copy is wiped, since it may hold a key. */
char *wp_bio_take_string(BIO *bio, size_t *len)
{
	char *data, *out;
	long n = BIO_get_mem_data(bio, &data);
	if (n < 0)
		return NULL;
	out = malloc((size_t)n + 1);
	if (out) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
		if (len)
			*len = (size_t)n;
	}
	explicit_bzero(data, (size_t)n);
	return out;
}

/* scrypt with N = 2^14, r = 8, p = 1 (RFC 7914; Percival's parameters for
 * an interactive unlock, and `openssl pkcs8 -scrypt`'s): every guess costs
 * 16 MiB of memory, where the PEM default (PBKDF2-SHA256, 2048 rounds) cost
 * a GPU almost nothing. OpenSSL caps decryption at 32 MiB, so N = 2^15 would
 * make keys that stock openssl cannot open. */
#define SCRYPT_N 16384
#define SCRYPT_R 8
#define SCRYPT_P 1

char *wp_key_to_pem(EVP_PKEY *key, const char *passphrase, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	bool enc = passphrase && passphrase[0];
	char *out = NULL;
	int ok = 0;
	if (bio && !enc) {
		ok = PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
	} else if (bio) {
		PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
		X509_ALGOR *alg = PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), NULL, 0, NULL, SCRYPT_N,
							SCRYPT_R, SCRYPT_P);
		X509_SIG *sealed = p8 && alg ? PKCS8_set0_pbe(passphrase, (int)strlen(passphrase), p8,
							      alg) : NULL;
		if (!sealed)
			X509_ALGOR_free(alg); /* PKCS8_set0_pbe owns it only on success */
		ok = sealed && PEM_write_bio_PKCS8(bio, sealed);
		X509_SIG_free(sealed);
		PKCS8_PRIV_KEY_INFO_free(p8);
	}
	if (ok)
		out = wp_bio_take_string(bio, len);
	BIO_free(bio);
	return out;
}

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	(void)rwflag;
	size_t n = strlen(u);
	if (n >= (size_t)size)
		return -1;
	memcpy(buf, u, n);
	return (int)n;
}

static int decode_key(const char *pem, size_t len, const char *pass, EVP_PKEY **out)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	/* an empty passphrase for an unencrypted key: the callback is never
	 * asked; for an encrypted one it fails instead of prompting on stdin */
	*out = bio ? PEM_read_bio_PrivateKey(bio, NULL, pass_cb, (void *)pass) : NULL;
	BIO_free(bio);
	return *out ? 0 : -1;
}

/* The passphrase on another terminal: its own device, echo off, CONTEXT
 * first so the person there sees what they sign. */
static int passphrase_on(const char *tty, const char *context, const char *path, char *buf,
			 size_t len, char *err, size_t errlen)
{
	int fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || !isatty(fd)) {
		snprintf(err, errlen, _("%s is not a terminal wipeproof can open (%s); give the "
			 "device that 'tty' prints in the other person's session"), tty,
			 fd < 0 ? strerror(errno) : "not a tty");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char prompt[700];
	snprintf(prompt, sizeof(prompt), "\r\n%s\r\nPassphrase for %s (empty: refuse): ", context,
		 path);
	int rc = tty_line(fd, prompt, buf, len);
	close(fd);
	if (rc < 0) {
		snprintf(err, errlen, _("cannot read the passphrase on %s: %s"), tty, strerror(errno));
		return -1;
	}
	if (!buf[0]) {
		snprintf(err, errlen, _("refused on %s: no passphrase was typed"), tty);
		return -1;
	}
	return 0;
}

/* The folder a private key lives in: whoever may write to it may replace
 * the key or the certificate beside it (and so sign as that person), and
 * people/ lists who holds keys. Writable by group or others is refused
 * for every key folder, any group/other access for people/. */
void wp_path_dir(const char *path, char *dir, size_t len)
{
	snprintf(dir, len, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
}

static int key_folder_private(const char *key_path, char *err, size_t errlen)
{
	char dir[4096];
	wp_path_dir(key_path, dir, sizeof(dir));
	struct stat st;
	if (stat(dir, &st) < 0)
		return 0; /* opening the key says what is wrong */
	size_t n = strlen(dir);
	bool people = n >= 6 && strcmp(dir + n - 6, WP_PEOPLE) == 0 &&
		      (n == 6 || dir[n - 7] == '/');
	mode_t bad = people ? 077 : 022;
	if (people && !(st.st_mode & bad)) {
		/* the store above people/ must not be writable either: whoever
		 * may rename people/ may put another in its place */
		struct stat up;
		char parent[4096];
		size_t plen = n > 7 ? n - 7 : 0;
		memcpy(parent, dir, plen);
		parent[plen] = '\0';
		if (!parent[0])
			snprintf(parent, sizeof(parent), "%s", n > 6 ? "/" : ".");
		if (stat(parent, &up) == 0 && (up.st_mode & 022)) {
			memcpy(dir, parent, strlen(parent) + 1);
			st = up;
			people = false;
			bad = 022;
		}
	}
	if (st.st_mode & bad) {
		snprintf(err, errlen, _("key folder %s is %s by group or others (mode %04o); another "
			 "user could have replaced a key or certificate in it: run 'chmod %s %s' if "
			 "you are sure nobody did"), dir, people ? _("readable or writable") : _("writable"),
			 (unsigned)(st.st_mode & 07777), people ? "700" : "go-w", dir);
		return -1;
	}
	return 0;
}

static int key_load(const char *path, const char *passphrase_file, const char *tty,
		    const char *context, EVP_PKEY **out, char *err, size_t errlen)
{
	char *pem = NULL;
	size_t len = 0;
	/* From the first private key on, this process writes no core dump (a
	 * crash would otherwise leave the key, and the passphrase, in a file
	 * anyone debugging could read) and cannot be ptrace'd by other
	 * processes of the same user. For the process's life, not only while
	 * the key is loaded: freed memory is not guaranteed to be wiped. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		snprintf(err, errlen, _("cannot keep private keys out of core dumps: %s"), strerror(errno));
		return -1;
	}
	if (key_folder_private(path, err, errlen) < 0 ||
	    wp_file_read(path, true, &pem, &len, err, errlen) < 0)
		return -1;
	char pass[WP_PASSPHRASE_MAX] = "";
	bool encrypted = strstr(pem, "ENCRYPTED") != NULL;
	int rc = 0;
	if (tty && !encrypted) {
		snprintf(err, errlen, _("private key %s is not encrypted: a passphrase typed on %s "
			 "would prove nothing; issue the person a key with a passphrase"), path, tty);
		rc = -1;
	} else if (tty) {
		rc = passphrase_on(tty, context, path, pass, sizeof(pass), err, errlen);
	} else if (encrypted) {
		char prompt[600];
		snprintf(prompt, sizeof(prompt), "Passphrase for %s", path);
		rc = wp_passphrase_read(passphrase_file, prompt, false, pass, sizeof(pass),
					err, errlen);
		if (rc < 0 && !passphrase_file)
			snprintf(err, errlen, _("private key %s is encrypted and there is no terminal to "
				 "ask for its passphrase; pass --passphrase-file FILE"), path);
	}
	if (rc == 0 && decode_key(pem, len, pass, out) < 0) {
		char ssl[256];
		wp_ssl_error(ssl, sizeof(ssl));
		if (encrypted)
			snprintf(err, errlen, _("wrong passphrase for private key %s; check the passphrase "
				 "(file) and try again"), path);
		else
			snprintf(err, errlen, _("%s is not a PEM private key (%s)"), path, ssl);
		rc = -1;
	}
	explicit_bzero(pass, sizeof(pass));
	wp_secure_free(pem, len);
	return rc;
}

int wp_key_load(const char *path, const char *passphrase_file, EVP_PKEY **out,
		char *err, size_t errlen)
{
	return key_load(path, passphrase_file, NULL, NULL, out, err, errlen);
}

int wp_key_load_on_tty(const char *path, const char *tty, const char *context,
		       EVP_PKEY **out, char *err, size_t errlen)
{
	return key_load(path, NULL, tty, context, out, err, errlen);
}

/* ---- small things ------------------------------------------------------ */

void wp_hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Lowercase hex only: the ledger stores one spelling of every value. */
int wp_hex_decode_into(const char *hex, unsigned char *out, size_t cap, size_t *len)
{
	size_t n = strlen(hex);
	if (n == 0 || n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

int wp_hex_decode(const char *hex, unsigned char **out, size_t *len)
{
	size_t n = strlen(hex);
	unsigned char *b = n ? malloc(n / 2 + 1) : NULL;
	if (!b || wp_hex_decode_into(hex, b, n / 2, len) < 0) {
		free(b);
		return -1;
	}
	*out = b;
	return 0;
}

