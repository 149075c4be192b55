/*
 * The auditor's page (certs/verifier/): one self-contained HTML file that
 * checks certificates in any browser, offline. It carries the same public
 * certificates as the trust bundle (wp_trust_export: the CA first, then
 * every person), the CA's fingerprint in large print so the auditor can
 * compare it with the one on paper, a table of the people, and the page's
 * own script and style — whose SHA-256 hashes are the only ones the page's
 * Content-Security-Policy allows, with every connection forbidden, so the
 * page can neither load nor send anything.
 */
#include "certs_internal.h"
#include "wptext.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const char wp_page_html[], wp_page_css[], wp_page_js[];

/* A growing string. */
struct buf {
	char *s;
	size_t len, cap;
	bool failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *grown = realloc(b->s, cap);
		if (!grown) {
			b->failed = true;
			return;
		}
		b->s = grown;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void puts_html(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': put(b, "&amp;", 5); break;
		case '<': put(b, "&lt;", 4); break;
		case '>': put(b, "&gt;", 4); break;
		case '"': put(b, "&quot;", 6); break;
		case '\'': put(b, "&#39;", 5); break;
		default: put(b, s, 1);
		}
	}
}

/* 'sha256-BASE64' of the exact text between the tags, as CSP wants it. */
static void csp_hash(const char *text, char out[64])
{
	unsigned char md[32];
	unsigned n = 0;
	EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL);
	memcpy(out, "sha256-", 7);
	EVP_EncodeBlock((unsigned char *)out + 7, md, 32);
}

static char *der_base64(X509 *cert)
{
	unsigned char *der = NULL;
	int n = i2d_X509(cert, &der);
	char *out = n > 0 ? malloc((size_t)(4 * ((n + 2) / 3) + 1)) : NULL;
	if (out)
		EVP_EncodeBlock((unsigned char *)out, der, n);
	OPENSSL_free(der);
	return out;
}

static void day(time_t t, char *out, size_t len)
{
	struct tm tm;
	strftime(out, len, "%Y-%m-%d", gmtime_r(&t, &tm));
}

/* The people's table: whom the page knows, with their roles and dates. */
static int people_rows(struct buf *b, X509 **certs, size_t n, X509_CRL *crl, char *err,
		       size_t errlen)
{
	static const char head[] = "<tr><th>氏名 Name</th><th>役職 Title</th><th>役割 Role</th>"
				   "<th>有効期間 Valid</th><th>取消 Revoked</th>"
				   "<th>指紋 Fingerprint</th></tr>";
	put(b, head, strlen(head));
	for (size_t i = 1; i < n; i++) {
		struct wp_person p;
		char from[16], to[16], fpr16[17];
		if (wp_cert_person(certs[i], &p, err, errlen) < 0)
			return -1;
		day(p.not_before, from, sizeof(from));
		day(p.not_after, to, sizeof(to));
		snprintf(fpr16, sizeof(fpr16), "%.16s", p.fingerprint);
		put(b, "<tr><td>", 8);
		puts_html(b, p.name);
		put(b, "</td><td>", 9);
		puts_html(b, p.title);
		put(b, "</td><td>", 9);
		puts_html(b, wp_role_name(p.role));
		put(b, "</td><td>", 9);
		puts_html(b, from);
		put(b, " – ", strlen(" – "));
		puts_html(b, to);
		put(b, "</td><td>", 9);
		/* the revocations as of export, as the page's script applies them */
		struct wp_revocation r = { 0 };
		if (crl && wp_crl_lookup(crl, &p, &r) == 1) {
			char when[32];
			struct tm tm;
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime_r(&r.at, &tm));
			puts_html(b, when);
			put(b, " (", 2);
			puts_html(b, r.reason);
			put(b, ")", 1);
		} else {
			put(b, "—", strlen("—"));
		}
		put(b, "</td><td>", 9);
		puts_html(b, fpr16);
		put(b, "</td></tr>", 10);
	}
	return 0;
}

/* The template with each @KEY@ replaced by its value. */
static void fill(struct buf *b, const char *tpl, const char *const *keys, const char *const *values,
		 const bool *html, size_t n)
{
	const char *p = tpl, *at;
	while ((at = strchr(p, '@'))) {
		put(b, p, (size_t)(at - p));
		size_t k = 0;
		for (; k < n; k++) {
			size_t kl = strlen(keys[k]);
			if (strncmp(at + 1, keys[k], kl) == 0 && at[1 + kl] == '@')
				break;
		}
		if (k == n) {
			put(b, "@", 1);
			p = at + 1;
			continue;
		}
		if (html[k])
			puts_html(b, values[k]);
		else
			put(b, values[k], strlen(values[k]));
		p = at + 2 + strlen(keys[k]);
	}
	put(b, p, strlen(p));
}

char *wp_trust_html(const char *dir, char *err, size_t errlen)
{
	char *pem = wp_trust_export(dir, err, errlen);
	if (!pem)
		return NULL;
	X509 **certs = NULL;
	size_t n = 0;
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *cert;
	while (bio && (cert = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		X509 **grown = realloc(certs, (n + 1) * sizeof(*certs));
		if (!grown) {
			X509_free(cert);
			break;
		}
		certs = grown;
		certs[n++] = cert;
	}
	BIO_free(bio);
	/* the revocation list travels with the certificates (wp_trust_export
	 * appends it last); the page checks its signature by the CA itself */
	char *crl_b64 = NULL;
	X509_CRL *crl = NULL;
	const char *crl_pem = strstr(pem, "-----BEGIN X509 CRL-----");
	if (crl_pem) {
		BIO *cb = BIO_new_mem_buf(crl_pem, -1);
		crl = cb ? PEM_read_bio_X509_CRL(cb, NULL, NULL, NULL) : NULL;
		unsigned char *der = NULL;
		int dn = crl ? i2d_X509_CRL(crl, &der) : 0;
		crl_b64 = dn > 0 ? malloc((size_t)(4 * ((dn + 2) / 3) + 1)) : NULL;
		if (crl_b64)
			EVP_EncodeBlock((unsigned char *)crl_b64, der, dn);
		OPENSSL_free(der);
		BIO_free(cb);
	}
	free(pem);
	struct buf page = { 0 }, rows = { 0 };
	json_t *trust = json_object(), *people = json_array();
	char fpr[WP_FPR_HEX], spaced[96], exported[32], js_hash[64], css_hash[64];
	struct wp_person ca;
	char *result = NULL, *trust_text = NULL;
	if (n == 0 || wp_cert_person(certs[0], &ca, err, errlen) < 0 ||
	    wp_cert_fingerprint(certs[0], fpr) < 0 || people_rows(&rows, certs, n, crl, err, errlen) < 0)
		goto out;
	for (size_t i = 0; i < 64; i += 4)
		snprintf(spaced + i / 4 * 5, sizeof(spaced) - i / 4 * 5, "%.4s%s", fpr + i,
			 i + 4 < 64 ? " " : "");
	time_t now = time(NULL);
	wp_utc_format(now, exported, sizeof(exported));
	char *ca_b64 = der_base64(certs[0]);
	wp_json_set(trust, "ca", ca_b64 ? json_string(ca_b64) : NULL);
	free(ca_b64);
	for (size_t i = 1; i < n; i++) {
		char *b64 = der_base64(certs[i]);
		wp_json_append(people, b64 ? json_string(b64) : json_null());
		free(b64);
	}
	wp_json_set(trust, "people", json_incref(people));
	wp_json_set(trust, "exported_utc", json_string(exported));
	if (crl_b64)
		wp_json_set(trust, "crl", json_string(crl_b64));
	if (wp_json_check(trust, "verification page", err, errlen) < 0)
		goto out;
	/* "\/" for every "/": the data can never close its <script> element */
	trust_text = json_dumps(trust, JSON_COMPACT | JSON_SORT_KEYS | JSON_ESCAPE_SLASH);
	if (!trust_text || rows.failed) {
		snprintf(err, errlen, "out of memory building the verification page");
		goto out;
	}
	csp_hash(wp_page_js, js_hash);
	csp_hash(wp_page_css, css_hash);
	const char *keys[] = { "SCRIPT_HASH", "STYLE_HASH", "STYLE", "SCRIPT", "TRUST", "ORG",
			       "CA_FPR", "EXPORTED", "PEOPLE" };
	const char *values[] = { js_hash, css_hash, wp_page_css, wp_page_js, trust_text,
				 ca.org[0] ? ca.org : ca.name, spaced, exported, rows.s };
	const bool html[] = { false, false, false, false, false, true, true, true, false };
	fill(&page, wp_page_html, keys, values, html, sizeof(keys) / sizeof(keys[0]));
	if (page.failed) {
		snprintf(err, errlen, "out of memory building the verification page");
		goto out;
	}
	result = page.s;
	page.s = NULL;
out:
	X509_CRL_free(crl);
	free(crl_b64);
	free(page.s);
	free(rows.s);
	free(trust_text);
	json_decref(people);
	json_decref(trust);
	for (size_t i = 0; i < n; i++)
		X509_free(certs[i]);
	free(certs);
	return result;
}
