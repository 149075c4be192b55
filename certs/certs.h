/*
 * certs/ — the organisation's keys and the people who sign, and the
 * certificates of sanitization they issue (document, CMS signature, QR
 * payload) with everything an auditor needs to check them.
 *
 * A key store is a directory:
 *
 *   DIR/ca.pem                     the organisation's CA certificate (public)
 *   DIR/ca.key                     its ECDSA P-256 private key (0600)
 *   DIR/people/FPR.pem             a person's X.509 certificate (public)
 *   DIR/people/FPR.key             that person's private key (0600)
 *
 * FPR is the certificate's fingerprint: SHA-256 of its DER encoding, 64
 * lowercase hex digits. A person's certificate is signed by the CA and its
 * subject carries everything the ledger needs to know about them — CN (name,
 * UTF-8), title (2.5.4.12) and role (2.5.4.72: operator, approver, witness or
 * auditor) — so a verifier checks a signer's role from the certificate and
 * the CA alone.
 *
 * Private keys are written 0600 (optionally encrypted with a passphrase,
 * PKCS#8 PEM, AES-256-CBC) and refused at load time when group or others can
 * read them. Nothing here needs a private key to verify: verification uses
 * only certificates (wp_cert_*, wp_sig_verify).
 *
 * Errors: functions return 0 on success and -1 on failure with a one-line
 * message in the caller's buffer naming the file or person and what to do.
 */
#ifndef WP_CERTS_H
#define WP_CERTS_H

#include <jansson.h>
#include <sys/types.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define WP_KEYS_DEFAULT_DIR "/etc/wipeproof/keys"
#define WP_FPR_HEX 65          /* 64 hex digits and NUL */
#define WP_NAME_MAX 256        /* UTF-8 bytes incl. NUL, for name, title, org */
#define WP_PASSPHRASE_MAX 1024
#define WP_ID_MAX 65           /* a person id: 1-64 of [A-Za-z0-9._-] and NUL */

enum wp_role {
	WP_ROLE_NONE = 0,
	WP_ROLE_OPERATOR,      /* records intake, requests, wipes, releases */
	WP_ROLE_APPROVER,      /* also approves, sets policy, witnesses */
	WP_ROLE_WITNESS,       /* co-signs destructions, writes notes */
	WP_ROLE_AUDITOR,       /* reads and verifies; records nothing */
	WP_ROLE_STATION,       /* a wipe station's own key: signs the station's head
				* when it pushes its ledger (custody/README.md) */
};

const char *wp_role_name(enum wp_role role);
/* The certificate policy OID a person's certificate carries for its role,
 * so stock `openssl cms -verify -policy OID -explicit_policy` checks the
 * role too: an arc under 2.25 (ITU-T X.667, UUID
 * d2628045-72fc-407f-8bbb-2c06bfdcf137), .1 operator, .2 approver,
 * .3 witness, .4 auditor, .5 station. NULL for WP_ROLE_NONE. */
#define WP_ROLE_POLICY_ARC "2.25.279649325857727472325885345706308071735"
const char *wp_role_policy(enum wp_role role);
int wp_role_parse(const char *name, enum wp_role *out);

/* What a certificate says about its holder. */
struct wp_person {
	char id[WP_ID_MAX];    /* stable person id (subject serialNumber, 2.5.4.5);
				* "" in certificates issued before ids existed */
	char name[WP_NAME_MAX];
	char title[WP_NAME_MAX];
	char org[WP_NAME_MAX];
	enum wp_role role;
	char fingerprint[WP_FPR_HEX];
	char serial[80];       /* the certificate's serial number, uppercase hex */
	time_t not_before;
	time_t not_after;
};

/* The key store a command uses is the front end's to resolve (--keys,
 * WIPEPROOF_KEYS, the config file, WP_KEYS_DEFAULT_DIR: cli/config.c). */

/* ---- passphrases --------------------------------------------------------- */

/* Read a passphrase: the first line of FILE (without its newline) when FILE
 * is given, else from the terminal with echo off (twice when confirm, which
 * must then match). Fails clearly without FILE and without a terminal.
 * The caller wipes buf (explicit_bzero) when done. */
int wp_passphrase_read(const char *file, const char *prompt, bool confirm,
		       char *buf, size_t len, char *err, size_t errlen);

/* ---- names and ids ------------------------------------------------------ */

/* NAME compared as people read it: leading and trailing white space dropped
 * and every run of white space (ASCII space and tab, U+00A0, U+3000
 * IDEOGRAPHIC SPACE) made one ASCII space. "Taro Yamada " and
 * "Taro  Yamada" are "Taro Yamada". glibc has no Unicode normalisation, so
 * this is not NFC: input that is not already in composed form is refused
 * at issue time instead (wp_name_check). */
void wp_name_normalise(const char *name, char *out, size_t len);
/* Two names of the same person (equal once normalised). */
bool wp_name_same(const char *a, const char *b);
/* A name a certificate may carry: valid UTF-8, already normalised, and no
 * combining mark (U+0300-036F, U+1AB0-1AFF, U+1DC0-1DFF, U+20D0-20FF,
 * U+FE20-FE2F, U+3099-309A): those are how decomposed (non-NFC) text
 * spells a letter that also exists precomposed, so refusing them keeps one
 * spelling per name. */
int wp_name_check(const char *what, const char *name, char *err, size_t errlen);
/* A person id: 1-64 characters of A-Z a-z 0-9 . _ - */
int wp_id_check(const char *id, char *err, size_t errlen);

/* ---- the key store (needs the CA key; run by whoever administers it) ---- */

/* Create DIR (0755) if missing, a CA key and a self-signed certificate for
 * ORG valid for DAYS. passphrase NULL or "" leaves the key unencrypted.
 * Refuses when DIR already holds a CA. */
int wp_keys_init_ca(const char *dir, const char *org, int days,
		    const char *passphrase, struct wp_person *out,
		    char *err, size_t errlen);

struct wp_issue_request {
	const char *id;                /* stable person id (employee number); NULL:
					* a new random one. The same id renews or
					* promotes the same person. */
	const char *name;              /* UTF-8, e.g. "山田 太郎" */
	const char *title;             /* UTF-8, e.g. "情報システム課長" */
	enum wp_role role;
	int days;                      /* validity */
	const char *passphrase;        /* for the new key; NULL/"" unencrypted */
	const char *ca_passphrase_file;/* NULL: prompt on a terminal if needed */
};

/* Issue a person's key and CA-signed certificate into DIR/people/.
 * Refuses a name that is not normalised (wp_name_check), and a name that
 * (normalised) already belongs to a person with another id; the same id
 * with a new title, role or name is a renewal or promotion of that person. */
int wp_keys_issue(const char *dir, const struct wp_issue_request *req,
		  struct wp_person *out, char *err, size_t errlen);

/* Every person in DIR/people/, sorted by name. Free with free(). */
int wp_keys_list(const char *dir, struct wp_person **out, size_t *n,
		 char *err, size_t errlen);

/* ---- revocation ---------------------------------------------------------
 *
 * DIR/crl.pem is the CA's certificate revocation list (X.509 v2 CRL): each
 * entry a person's certificate serial, the date from which their
 * signatures are refused, and an RFC 5280 reason. init-ca writes an empty
 * one; `keys revoke` re-signs it with the new entry; export-trust appends
 * it to the bundle. A signature dated before the revocation date still
 * verifies (the person was entitled then); one dated at or after it does
 * not. */
#define WP_CRL_FILE "crl.pem"

struct wp_revocation {
	bool revoked;
	time_t at;                     /* signatures from this instant on are refused */
	char reason[32];               /* unspecified, key-compromise, affiliation-changed, ... */
};

/* Revoke WHO (name or fingerprint prefix) from WHEN for REASON (one of the
 * names above); needs the CA key. Refuses a person already revoked. */
int wp_keys_revoke(const char *dir, const char *who, const char *reason, time_t when,
		   const char *ca_passphrase_file, struct wp_person *out, char *err, size_t errlen);
/* -1 for a reason name that is not one of the above, else its code. */
int wp_revoke_reason_parse(const char *name);
/* Read a PEM CRL (the first one in the text) and check it is signed by ca. */
int wp_crl_load(const char *path, X509 *ca, X509_CRL **out, char *err, size_t errlen);
/* Which revocation list a check against the CA at CA_PATH uses: GIVEN (an
 * option) when set, else WP_CRL_FILE beside the CA when it exists. 0 with
 * the path in PATH, 1 when there is none to use. */
int wp_crl_path(const char *given, const char *ca_path, char *path, size_t len);
int wp_crl_from_pem(const char *pem, size_t len, X509 *ca, X509_CRL **out, char *err,
		    size_t errlen);
/* 1 and *out when the person's certificate is on the list, else 0. */
int wp_crl_lookup(X509_CRL *crl, const struct wp_person *p, struct wp_revocation *out);
/* -1 with the reason when P's key was revoked at or before AT (a NULL crl
 * revokes nobody). */
int wp_crl_check(X509_CRL *crl, const struct wp_person *p, time_t at, char *err, size_t errlen);

/* ---- identities: a person who signs ------------------------------------ */

struct wp_identity;

/* Load the person WHO (exact name, or a prefix of at least 4 hex digits of
 * the fingerprint) from DIR: certificate, CA certificate and private key.
 * The key file must be 0600 (no group/other access) and not a symlink; an
 * encrypted key is opened with the first line of passphrase_file, or a
 * prompt when stdin is a terminal, else refused with what to pass.
 * The certificate must chain to DIR/ca.pem and be valid now.
 * An identity is read-only after loading: several threads may sign with the
 * same one at once. */
int wp_identity_load(const char *dir, const char *who, const char *passphrase_file,
		     struct wp_identity **out, char *err, size_t errlen);
/* The same, asking for the passphrase on another terminal: TTY (e.g. the
 * witness's own login, /dev/pts/3) shows CONTEXT — what they are about to
 * sign — and reads the passphrase there, so the person at this keyboard
 * never types it. The key must be encrypted: without a passphrase the
 * other terminal would prove nothing. */
int wp_identity_load_on_tty(const char *dir, const char *who, const char *tty,
			    const char *context, struct wp_identity **out, char *err,
			    size_t errlen);
void wp_identity_free(struct wp_identity *id);

const struct wp_person *wp_identity_person(const struct wp_identity *id);
/* Borrowed pointers, valid until wp_identity_free (for CMS signing). */
EVP_PKEY *wp_identity_key(const struct wp_identity *id);
X509 *wp_identity_cert(const struct wp_identity *id);
X509 *wp_identity_ca(const struct wp_identity *id);

/* ECDSA-SHA256 signature (DER) of data, as lowercase hex in a malloc'd
 * string. */
int wp_identity_sign_hex(const struct wp_identity *id, const void *data, size_t len,
			 char **sig_hex, char *err, size_t errlen);

/* ---- certificates (verification side: no private key) ------------------ */

/* Load a PEM certificate file (the CA: DIR/ca.pem or --ca FILE). */
int wp_cert_load(const char *path, X509 **out, char *err, size_t errlen);
int wp_cert_from_pem(const char *pem, X509 **out, char *err, size_t errlen);
/* PEM text of a certificate, malloc'd. */
char *wp_cert_to_pem(X509 *cert);
/* SHA-256 of the DER certificate, lowercase hex. */
int wp_cert_fingerprint(X509 *cert, char out[WP_FPR_HEX]);
/* The subject as one UTF-8 line ("O=株式会社テスト, CN=… wipeproof CA"), for
 * saying which trust anchor a verdict rests on. */
void wp_cert_subject_text(X509 *cert, char *out, size_t len);
/* A fingerprint as people copy it: 64 hex digits, either case, with or
 * without ':' between bytes (openssl x509 -fingerprint -sha256). Lowercase
 * hex in out; -1 when it is not one. */
int wp_fpr_parse(const char *text, char out[WP_FPR_HEX]);
/* The CA is the one pinned (pin: wp_fpr_parse'd or raw text, NULL: no pin).
 * A look-alike CA with the same names has another fingerprint. */
int wp_ca_pin_check(X509 *ca, const char *pin, char *err, size_t errlen);
/* Name, title, org, role, validity and fingerprint from the certificate. */
int wp_cert_person(X509 *cert, struct wp_person *out, char *err, size_t errlen);
/* cert is signed by ca (itself a self-signed CA certificate) and both are
 * valid at time `at`. */
int wp_cert_check(X509 *cert, X509 *ca, time_t at, char *err, size_t errlen);
/* sig_hex is an ECDSA-SHA256 DER signature, hex, of data by cert's key,
 * in its one accepted form: strict DER, low s (wp_ecdsa_is_low_s). */
int wp_sig_verify(X509 *cert, const void *data, size_t len, const char *sig_hex,
		  char *err, size_t errlen);

/* ECDSA signatures have two valid forms, (r, s) and (r, n - s); wipeproof
 * writes and accepts only the low one, s <= n/2, in strict DER (lows.c).
 * wp_ecdsa_low_s rewrites a signature in place (cap: room in der). */
bool wp_ecdsa_is_low_s(EVP_PKEY *key, const unsigned char *der, size_t len);
int wp_ecdsa_low_s(EVP_PKEY *key, unsigned char *der, size_t *len, size_t cap);
/* The same check with n/2 of the key's curve worked out once
 * (wp_ecdsa_half_order: NULL when the key is not EC; BN_free it). */
BIGNUM *wp_ecdsa_half_order(EVP_PKEY *key);
bool wp_ecdsa_is_low_s_under(const BIGNUM *half, const unsigned char *der, size_t len);

/* wp_sig_verify for many signatures on one thread (issue 18: a ledger's
 * million events): the same verdicts and messages, with the per-call
 * set-up done once per key — the verify context, the curve's order for
 * the low-s check, the SHA-256 implementation. One checker per thread;
 * the keys must outlive it (the verifier's signers own them). */
struct wp_sig_checker;
struct wp_sig_checker *wp_sig_checker_new(void);
void wp_sig_checker_free(struct wp_sig_checker *c);
int wp_sig_checker_verify(struct wp_sig_checker *c, EVP_PKEY *key, const void *data, size_t len,
			  const char *sig_hex, char *err, size_t errlen);

/* ---- certificates of sanitization ---------------------------------------
 *
 * A certificate of sanitization is a canonical JSON document (certs/README.md
 * lists every member): sorted keys, no whitespace, UTF-8 as is, integers
 * only — the same form as a custody event, so its SHA-256 is well defined.
 * It is signed as a detached CMS SignedData (PEM) by the issuer's key, and
 * summarised in a QR payload signed by the same key. Only wp_cms_sign and
 * wp_qr_sign take an identity; everything else here works on public data. */

#define WP_CERT_FORMAT "wipeproof-certificate"
/* A certificate of a free-space wipe (wipeproof freespace): its result and
 * the scope member that says what it covers; the job report's scope kind
 * (wipe.h WP_SCOPE_FREE_SPACE) is the same word. */
#define WP_CERT_RESULT_FREE_SPACE "free-space-wiped"
/* The same when the filesystem kept back free space no file could reach:
 * scope.unreached_bytes (> 0) says how much was not overwritten. Never
 * "wiped" then (issue 15). */
#define WP_CERT_RESULT_FREE_SPACE_PARTIAL "free-space-partial"
bool wp_cert_result_is_free_space(const char *result);
/* An erasure done by the device itself or its maker, with its evidence in
 * the ledger (issue 17): category Clear or "unknown — vendor-attested". */
#define WP_CERT_RESULT_ATTESTED "erased-attested"
#define WP_CERT_SCOPE_FREE_SPACE "free-space"
#define WP_CERT_ID_LEN 37       /* a UUID (wp_uuid_new in wipe.h) and NUL */

/* N bytes as 2N lowercase hex digits and a NUL. */
void wp_hex_encode(const unsigned char *in, size_t n, char *out);
/* SHA-256 of data, lowercase hex. */
void wp_sha256_hex(const void *data, size_t len, char out[WP_FPR_HEX]);

/* Create PATH (must not exist, never through a symlink) with exactly MODE,
 * write DATA, fsync; on failure nothing is left behind. Keys and issued
 * certificates are never overwritten. */
int wp_file_write_new(const char *path, const char *data, size_t len, mode_t mode,
		      char *err, size_t errlen);

/* Canonical JSON text (malloc'd): sorted keys, compact, UTF-8 unescaped;
 * refuses reals, NUL and control characters other than tab, LF and CR,
 * naming WHAT and the member's path. Used for ledger events and
 * certificates alike. */
char *wp_json_canonical(const json_t *value, const char *what, char *err, size_t errlen);

/* The document's canonical text (malloc'd): refuses reals and control
 * characters other than tab, LF, CR, and a document missing a required
 * member (wp_certdoc_check). */
char *wp_certdoc_canonical(const json_t *doc, char *err, size_t errlen);
/* Every required member present with its type (certs/README.md). */
int wp_certdoc_check(const json_t *doc, char *err, size_t errlen);
/* Parse TEXT and refuse it unless it is exactly its own canonical form and
 * complete. *out is a new reference. */
int wp_certdoc_parse(const char *text, size_t len, json_t **out, char *err, size_t errlen);
/* A member by dotted path ("media.serial"): the string, or "" when absent
 * or not a string; the integer, or -1. */
const char *wp_certdoc_str(const json_t *doc, const char *path);
long long wp_certdoc_int(const json_t *doc, const char *path);

/* Who may sign a certificate: an operator or an approver. */
bool wp_cert_role_may_issue(enum wp_role role);
/* Who may validate it (the second signature): an approver or a witness. */
bool wp_cert_role_may_validate(enum wp_role role);

/* The document's "signing" member: "two-person" certificates are valid only
 * with a second CMS signature by a validator (FILE.json.validator.p7s);
 * "single-signature" ones say why one is enough (station policy). A
 * document without it is from before two-person certificates. */
#define WP_SIGNING_TWO_PERSON "two-person"
#define WP_SIGNING_SINGLE "single-signature"
#define WP_VALIDATOR_SIG_NAME "cert-ID.json.validator.p7s"

/* Detached CMS SignedData over data, by the identity's key, its certificate
 * embedded, as PEM (malloc'd). Verifiable with `openssl cms -verify
 * -binary -content FILE -in FILE.p7s -inform PEM -CAfile ca.pem -purpose any`. */
int wp_cms_sign(const struct wp_identity *id, const void *data, size_t len,
		char **pem, char *err, size_t errlen);

struct wp_cms_signer {
	struct wp_person person;       /* from the embedded certificate */
	time_t signed_at;              /* the signed signingTime attribute */
};

/* The CMS signature PEM is over exactly data; the signer's certificate
 * chains to ca and was valid at the signing time; the signer may issue
 * certificates (wp_cert_role_may_issue). The reason in err otherwise. */
int wp_cms_verify(const char *pem, size_t pemlen, const void *data, size_t len, X509 *ca,
		  struct wp_cms_signer *out, char *err, size_t errlen);
/* The same for the validator's signature: the signer may validate
 * (wp_cert_role_may_validate) instead of issue. */
int wp_cms_verify_validator(const char *pem, size_t pemlen, const void *data, size_t len,
			    X509 *ca, struct wp_cms_signer *out, char *err, size_t errlen);

/* ---- QR payload (certs/README.md, "QR payload") ------------------------- */

#define WP_QR_TAG "WPC1"

struct wp_qr {
	char id[WP_CERT_ID_LEN];
	char serial[128];
	char model[128];
	char method[32];
	char category[16];             /* Clear, Purge, Destroy */
	char result[24];               /* sanitized, destroyed, free-space-wiped */
	char date[11];                 /* YYYY-MM-DD (UTC) */
	char sha256[WP_FPR_HEX];       /* of the JSON document, hex */
	char fingerprint[WP_FPR_HEX];  /* the signer's certificate, hex */
};

/* The summary of a document whose canonical text has SHA-256 sha256_hex. */
int wp_qr_from_doc(const json_t *doc, const char *sha256_hex, struct wp_qr *out,
		   char *err, size_t errlen);
/* The signed payload text (malloc'd); q->fingerprint is set from id. */
int wp_qr_sign(const struct wp_identity *id, struct wp_qr *q, char **text,
	       char *err, size_t errlen);
/* Parse a payload without checking its signature. */
int wp_qr_parse(const char *text, struct wp_qr *out, char *err, size_t errlen);

/* A trust bundle: PEM certificates, the CA first, then people. */
int wp_trust_load(const char *path, X509 ***certs, size_t *n, char *err, size_t errlen);
void wp_trust_free(X509 **certs, size_t n);
/* The bundle's revocation list (signed by ca), *out NULL when it has none
 * (a bundle exported before revocation existed). */
int wp_trust_load_crl(const char *path, X509 *ca, X509_CRL **out, char *err, size_t errlen);
/* DIR/ca.pem followed by every DIR/people/ certificate and DIR/crl.pem
 * when present, as one PEM text. */
/* The folder PATH is in ("." for a bare name, "/" for a file in the root). */
void wp_path_dir(const char *path, char *dir, size_t len);

char *wp_trust_export(const char *dir, char *err, size_t errlen);

/* The auditor's verification page for the same trust (trustpage.c): one
 * self-contained HTML file, no network; malloc'd text or NULL. */
char *wp_trust_html(const char *dir, char *err, size_t errlen);

/* Parse TEXT, find its signer in the bundle by fingerprint, check the
 * signer chains to the bundle's CA and was valid on the payload's date, may
 * issue certificates, and that the signature covers the fields. */
int wp_qr_verify(const char *text, X509 *const *certs, size_t n, struct wp_qr *out,
		 struct wp_person *signer, char *err, size_t errlen);

#endif
