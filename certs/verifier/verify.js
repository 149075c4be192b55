/*
 * The auditor's check in a browser: the same verdicts as
 * `wipeproof cert verify` (certs/README.md), with the browser's WebCrypto
 * (ECDSA P-256, SHA-256) and nothing else — no network, no framework.
 *
 * What it trusts: only the organisation's CA certificate embedded in this
 * page by `wipeproof keys export-trust --html` (its fingerprint is shown so
 * the auditor can compare it with the one on paper). Every other
 * certificate — the people's in the page, the one inside a .p7s — is
 * checked against that CA: signature, validity on the signing date, role.
 *
 * Inputs: the QR text (pasted or scanned), and/or the certificate's .json
 * with its .json.p7s. For automation the same can come in the URL
 * fragment: #qr=TEXT&json=BASE64URL&p7s=BASE64URL&val=BASE64URL (the
 * validator's .validator.p7s), checked on load.
 */
'use strict';

/* ---- bytes ---------------------------------------------------------- */

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function b64decode(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function b64encode(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/* base64url without padding, refusing any other spelling */
function b64urlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error('not base64url');
  const bytes = b64decode(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4));
  if (b64url(bytes) !== text) throw new Error('not base64url');
  return bytes;
}

function b64url(bytes) {
  return b64encode(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function equal(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/* A verdict is thrown as this, with the reason the auditor reads. */
class Invalid extends Error {}
function invalid(reason) { throw new Invalid(reason); }

/* ---- DER (strict: definite, minimal lengths; nothing left over) ------ */

function derAt(buf, pos, end) {
  if (pos + 2 > end) throw new Error('truncated DER');
  const tag = buf[pos];
  let len = buf[pos + 1], hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || pos + 2 + n > end) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + 2 + i];
    if (len < 0x80 || buf[pos + 2] === 0) throw new Error('DER length not minimal');
    hdr += n;
  }
  const start = pos + hdr;
  if (start + len > end) throw new Error('DER element overruns');
  return { tag, start, end: start + len, pos, bytes: buf.subarray(pos, start + len), value: buf.subarray(start, start + len), buf };
}

function derChildren(el) {
  const out = [];
  for (let p = el.start; p < el.end;) {
    const c = derAt(el.buf, p, el.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

function derParse(bytes) {
  const el = derAt(bytes, 0, bytes.length);
  if (el.end !== bytes.length) throw new Error('bytes after the DER');
  return el;
}

function oid(el) {
  if (el.tag !== 0x06) throw new Error('expected an OID');
  const v = el.value, parts = [Math.floor(v[0] / 40), v[0] % 40];
  let n = 0;
  for (let i = 1; i < v.length; i++) {
    n = n * 128 + (v[i] & 0x7f);
    if (!(v[i] & 0x80)) { parts.push(n); n = 0; }
  }
  return parts.join('.');
}

function derTime(el) {
  const s = dec.decode(el.value);
  let m;
  if (el.tag === 0x17 && (m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s))) {
    const y = Number(m[1]);
    return Date.UTC(y < 50 ? 2000 + y : 1900 + y, m[2] - 1, m[3], m[4], m[5], m[6]);
  }
  if (el.tag === 0x18 && (m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s)))
    return Date.UTC(Number(m[1]), m[2] - 1, m[3], m[4], m[5], m[6]);
  throw new Error('bad time ' + s);
}

const OID = {
  ecdsaSha256: '1.2.840.10045.4.3.2', ecPublicKey: '1.2.840.10045.2.1', p256: '1.2.840.10045.3.1.7',
  sha256: '2.16.840.1.101.3.4.2.1', data: '1.2.840.113549.1.7.1', signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3', messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5', cn: '2.5.4.3', o: '2.5.4.10', title: '2.5.4.12',
  role: '2.5.4.72', basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15',
};

/* ---- X.509 ---------------------------------------------------------- */

function parseName(el) {
  const out = {};
  for (const rdn of derChildren(el))
    for (const atv of derChildren(rdn)) {
      const [type, value] = derChildren(atv);
      out[oid(type)] = dec.decode(value.value);
    }
  return out;
}

function parseCert(der) {
  const cert = derParse(der);
  const [tbs, sigAlg, sigVal] = derChildren(cert);
  const f = derChildren(tbs);
  let i = 0;
  if (f[0].tag === 0xa0) i++; /* version */
  const serial = f[i++], alg = f[i++], issuer = f[i++], validity = f[i++], subject = f[i++], spki = f[i++];
  const [nb, na] = derChildren(validity);
  const [spkiAlg] = derChildren(spki);
  const [keyType, curve] = derChildren(spkiAlg);
  let isCA = false, hasBasicConstraints = false, digitalSignature = false;
  for (; i < f.length; i++)
    if (f[i].tag === 0xa3)
      for (const ext of derChildren(derChildren(f[i])[0])) {
        const parts = derChildren(ext);
        const value = derParse(parts[parts.length - 1].value);
        if (oid(parts[0]) === OID.basicConstraints) {
          const inner = derChildren(value);
          hasBasicConstraints = true;
          isCA = inner.length > 0 && inner[0].tag === 0x01 && inner[0].value[0] === 0xff;
        } else if (oid(parts[0]) === OID.keyUsage) {
          /* BIT STRING: unused-bits byte, then bit 0 (digitalSignature) first */
          digitalSignature = value.tag === 0x03 && value.value.length > 1 && (value.value[1] & 0x80) !== 0;
        }
      }
  if (oid(derChildren(sigAlg)[0]) !== OID.ecdsaSha256 || oid(derChildren(alg)[0]) !== OID.ecdsaSha256)
    throw new Error('not signed with ecdsa-with-SHA256');
  if (oid(keyType) !== OID.ecPublicKey || oid(curve) !== OID.p256) throw new Error('not a P-256 key');
  const names = parseName(subject);
  return {
    der, tbs: tbs.bytes, sig: sigVal.value.subarray(1), serial: serial.bytes,
    issuer: issuer.bytes, subject: subject.bytes, spki: spki.bytes,
    notBefore: derTime(nb), notAfter: derTime(na), isCA, hasBasicConstraints, digitalSignature,
    name: names[OID.cn] || '', org: names[OID.o] || '', title: names[OID.title] || '',
    role: names[OID.role] || '',
  };
}

/* ECDSA-Sig-Value (DER) → r‖s, 32 bytes each, as WebCrypto wants. */
function rawSignature(der) {
  const [r, s] = derChildren(derParse(der));
  const out = new Uint8Array(64);
  for (const [i, n] of [[0, r], [1, s]]) {
    let v = n.value;
    while (v.length > 32 && v[0] === 0) v = v.subarray(1);
    if (n.tag !== 0x02 || v.length > 32) throw new Error('bad ECDSA signature');
    out.set(v, i * 32 + 32 - v.length);
  }
  return out;
}

/* wipeproof signs only the low form of an ECDSA signature (s <= n/2;
 * certs/README.md, one spelling per signature), as `wipeproof cert verify`
 * requires; the high twin (r, n - s) verifies too, so it is refused here.
 * Not for the CA's signatures on certificates (OpenSSL's, either form). */
const P256_HALF_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551n >> 1n;
function isLowS(der) {
  let raw;
  try { raw = rawSignature(der); } catch (e) { return false; }
  let s = 0n;
  for (const b of raw.subarray(32)) s = (s << 8n) | BigInt(b);
  return s <= P256_HALF_N;
}

async function verifySig(spki, sigDer, data) {
  let raw;
  try { raw = rawSignature(sigDer); } catch (e) { return false; }
  const key = await crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, raw, data);
}

/* ---- the trust this page carries ------------------------------------ */

const trust = JSON.parse(document.getElementById('trust').textContent);
let ca = null;
const people = [];

async function loadTrust() {
  ca = parseCert(b64decode(trust.ca));
  ca.fingerprint = hex(await sha256(ca.der));
  if (!ca.isCA || !equal(ca.issuer, ca.subject) || !(await verifySig(ca.spki, ca.sig, ca.tbs)))
    throw new Error('the CA certificate in this page is not a self-signed CA');
  for (const p of trust.people) {
    const c = parseCert(b64decode(p));
    c.fingerprint = hex(await sha256(c.der));
    people.push(c);
  }
  if (trust.crl) await loadCRL(b64decode(trust.crl));
}

const MAY_ISSUE = ['operator', 'approver'];
const MAY_VALIDATE = ['approver', 'witness'];

/* The organisation's revocation list, as of the page's export: entries
 * by the certificate's serial (DER INTEGER bytes, as hex). */
const revoked = new Map();
const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded',
  'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];

async function loadCRL(der) {
  const [tbs, sigAlg, sigVal] = derChildren(derParse(der));
  if (oid(derChildren(sigAlg)[0]) !== OID.ecdsaSha256) throw new Error('CRL not signed with ecdsa-with-SHA256');
  const f = derChildren(tbs);
  let i = f[0].tag === 0x02 ? 1 : 0; /* version */
  i++; /* signature algorithm */
  const issuer = f[i++];
  if (!equal(issuer.bytes, ca.subject) || !(await verifySig(ca.spki, sigVal.value.subarray(1), tbs.bytes)))
    throw new Error('the revocation list in this page was not signed by its CA');
  i++; /* thisUpdate */
  if (f[i] && (f[i].tag === 0x17 || f[i].tag === 0x18)) i++; /* nextUpdate */
  if (!f[i] || f[i].tag !== 0x30) return; /* nobody revoked */
  for (const entry of derChildren(f[i])) {
    const [serial, date, exts] = derChildren(entry);
    let reason = 'unspecified';
    if (exts)
      for (const ext of derChildren(exts)) {
        const parts = derChildren(ext);
        if (oid(parts[0]) === '2.5.29.21') reason = REASONS[derParse(parts[parts.length - 1].value).value[0]] || reason;
      }
    revoked.set(hex(serial.bytes), { at: derTime(date), reason });
  }
}

function revocationOf(cert) {
  return revoked.get(hex(cert.serial));
}

/* The checks of wp_cert_check and the role: certified by this page's CA,
 * valid at `at` (ms), not revoked before then, and in one of ROLES. */
async function checkSigner(cert, at, when, roles = MAY_ISSUE, what = 'sign a certificate of sanitization') {
  const who = `${cert.name} (fingerprint ${cert.fingerprint.slice(0, 16)})`;
  if (cert.isCA || !equal(cert.issuer, ca.subject) || !(await verifySig(ca.spki, cert.sig, cert.tbs)))
    invalid(`signer ${who} was not certified by this CA`);
  /* a person's certificate says CA:FALSE and allows digital signatures
   * (wp_cert_check) */
  if (!cert.hasBasicConstraints || !cert.digitalSignature)
    invalid(`signer ${who}: the certificate is not a person's signing certificate (CA:FALSE and digitalSignature required)`);
  if (at < cert.notBefore || at > cert.notAfter || at < ca.notBefore || at > ca.notAfter)
    invalid(`signer ${who} was not certified by this CA on ${when}: certificate not valid then`);
  const r = revocationOf(cert);
  if (r && at >= r.at)
    invalid(`the key of ${who} was revoked on ${new Date(r.at).toISOString().replace('.000', '')} (${r.reason}); this signature is dated ${when}, after the revocation`);
  if (!roles.includes(cert.role))
    invalid(`signer ${cert.name} has role '${cert.role}'; only ${roles.join(' or ')} may ${what}`);
}

/* ---- the QR payload (certs/README.md "QR payload") ------------------ */

function unescapeField(f) {
  if (/%(?![0-9A-F]{2})/.test(f)) throw new Error('bad % escape');
  const bytes = [];
  for (let i = 0; i < f.length;) {
    if (f[i] === '%') {
      const b = parseInt(f.substr(i + 1, 2), 16);
      if (!(b === 0x25 || b === 0x7c || b < 0x20 || b === 0x7f)) throw new Error('needless % escape');
      bytes.push(b);
      i += 3;
    } else {
      const cp = f.codePointAt(i), s = String.fromCodePoint(cp);
      if (cp < 0x20 || cp === 0x7f) throw new Error('unescaped control character');
      bytes.push(...enc.encode(s));
      i += s.length;
    }
  }
  return dec.decode(new Uint8Array(bytes));
}

async function verifyQR(text) {
  text = text.replace(/\r?\n$/, '');
  const f = text.split('|');
  if (f.length !== 11 || f[0] !== 'WPC1') invalid('not a wipeproof certificate QR code (WPC1 with 11 fields)');
  let q;
  try {
    q = { id: f[1], serial: unescapeField(f[2]), model: unescapeField(f[3]), method: unescapeField(f[4]),
      category: unescapeField(f[5]), result: unescapeField(f[6]), date: unescapeField(f[7]),
      sha256: f[8], fpr: hex(b64urlDecode(f[9])), sig: b64urlDecode(f[10]) };
  } catch (e) { invalid('the QR text is damaged (' + e.message + '); scan it again'); }
  if (!/^[0-9a-f-]{36}$/.test(q.id) || !/^\d{4}-\d\d-\d\d$/.test(q.date) || !/^[0-9a-f]{64}$/.test(q.sha256) ||
      q.fpr.length !== 64)
    invalid('the QR text is damaged; scan it again');
  const signer = people.find((p) => p.fingerprint === q.fpr);
  if (!signer)
    invalid(`the signer (fingerprint ${q.fpr.slice(0, 16)}) is not in this page's list of people; get the organisation's current page`);
  /* valid at some time on that day (cert/certqr.c check_on_date) */
  const day = Date.parse(q.date + 'T00:00:00Z');
  const at = day < signer.notBefore && signer.notBefore < day + 86400000 ? signer.notBefore : day;
  /* the QR code carries only the day: a revocation before its end may
   * precede the signature (as cert verify --qr) */
  const r = revocationOf(signer);
  if (r && r.at < day + 86400000)
    invalid(`the key of ${signer.name} (fingerprint ${signer.fingerprint.slice(0, 16)}) was revoked on ${new Date(r.at).toISOString().replace('.000', '')} (${r.reason}); this QR code is dated ${q.date} and may have been signed after that`);
  await checkSigner(signer, at, q.date);
  const signed = enc.encode(text.slice(0, text.lastIndexOf('|')));
  if (!isLowS(q.sig) || !(await verifySig(signer.spki, q.sig, signed)))
    invalid('the QR signature does not match its fields: the text was changed or misread; scan it again');
  q.signer = signer;
  return q;
}

/* ---- the document (certs/certdoc.c) --------------------------------- */

/* jansson's compact, key-sorted output (custody/README.md): JSON.stringify
 * of the same value with sorted keys gives the same bytes. */
function canonical(v) {
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v && typeof v === 'object')
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
  if (typeof v === 'number' && !Number.isInteger(v)) throw new Invalid('certificate has a real number');
  return JSON.stringify(v);
}

const REQUIRED = [
  'format', 'certificate_id', 'issued_utc', 'result', 'destination', 'issued_by.name', 'issued_by.title',
  'issued_by.role', 'issued_by.fingerprint', 'asset.tag', 'media.manufacturer', 'media.model', 'media.serial',
  'media.property_number', 'media.media_type', 'media.media_source', 'sanitization.category',
  'sanitization.description', 'sanitization.method', 'sanitization.method_details', 'sanitization.tool',
  'sanitization.tool_version', 'sanitization.started_utc', 'sanitization.ended_utc', 'verification.method',
  'verification.mode', 'ledger.head_hash', 'sanitized_by.name', 'sanitized_by.title', 'sanitized_by.date',
  'sanitized_by.location', 'sanitized_by.contact', 'sanitized_by.fingerprint', 'verified_by.name',
  'verified_by.title', 'verified_by.date', 'verified_by.location', 'verified_by.contact',
  'verified_by.fingerprint',
];
const REQUIRED_INT = ['format_version', 'ledger.seq'];
const WIPE_STR = ['sanitization.job_id', 'sanitization.report', 'sanitization.report_sha256',
  'verification.coverage_percent'];
const WIPE_INT = ['sanitization.passes', 'sanitization.bytes_written', 'sanitization.duration_s',
  'sanitization.throughput_bytes_per_s', 'media.size_bytes', 'verification.bytes_checked',
  'verification.coverage_permille', 'verification.mismatched_blocks'];

function member(doc, path) {
  return path.split('.').reduce((v, k) => (v && typeof v === 'object' ? v[k] : undefined), doc);
}

function checkDoc(doc) {
  if (member(doc, 'format') !== 'wipeproof-certificate' || member(doc, 'format_version') !== 1)
    invalid('not a wipeproof certificate (format "wipeproof-certificate" version 1 expected)');
  const result = doc.result, wipe = result === 'sanitized' || result === 'free-space-wiped';
  if (!wipe && result !== 'destroyed' && result !== 'erased-attested') invalid(`certificate result '${result}' is not sanitized, destroyed, erased-attested or free-space-wiped`);
  const str = REQUIRED.concat(wipe ? WIPE_STR : []), int = REQUIRED_INT.concat(wipe ? WIPE_INT : []);
  for (const p of str) {
    const v = member(doc, p);
    if (typeof v !== 'string' || v === '') invalid(`certificate is incomplete: '${p}' is missing or not a non-empty string`);
  }
  for (const p of int) {
    const v = member(doc, p);
    if (!Number.isInteger(v) || v < 0) invalid(`certificate is incomplete: '${p}' is missing or not a whole number >= 0`);
  }
  if ((result === 'free-space-wiped') !== (doc.scope !== undefined))
    invalid('certificate scope and result disagree');
}

/* ---- the CMS signature (certs/certcms.c) ----------------------------- */

function parsePem(text) {
  const m = /^-----BEGIN CMS-----\n([A-Za-z0-9+/=\n]+)-----END CMS-----\n$/.exec(text);
  if (!m) invalid('the signature file is not a PEM CMS block exactly as wipeproof writes it');
  const der = b64decode(m[1].replace(/\n/g, ''));
  const again = b64encode(der).replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  if (again !== m[1]) invalid('the signature file is not a PEM CMS block exactly as wipeproof writes it');
  return der;
}

const V1 = [0x02, 0x01, 0x01];

async function verifyCMS(p7sText, json, roles = MAY_ISSUE, what = undefined) {
  let si, certs, signedAttrs, sigValue;
  try {
    const ci = derChildren(derParse(parsePem(p7sText)));
    if (ci.length !== 2 || oid(ci[0]) !== OID.signedData || ci[1].tag !== 0xa0) throw new Error('not SignedData');
    const sd = derChildren(derChildren(ci[1])[0]);
    if (!equal(sd[0].bytes, V1)) throw new Error('SignedData version');
    const algs = derChildren(sd[1]);
    if (algs.length !== 1 || oid(derChildren(algs[0])[0]) !== OID.sha256) throw new Error('digest algorithms');
    const encap = derChildren(sd[2]);
    if (encap.length !== 1 || oid(encap[0]) !== OID.data) throw new Error('detached data expected');
    if (sd.length !== 5 || sd[3].tag !== 0xa0 || sd[4].tag !== 0x31) throw new Error('certificates or CRLs');
    certs = derChildren(sd[3]).map((c) => parseCert(c.bytes));
    const infos = derChildren(sd[4]);
    if (infos.length !== 1 || certs.length !== 1) throw new Error('one signer and one certificate expected');
    si = derChildren(infos[0]);
    if (si.length !== 6 || !equal(si[0].bytes, V1) || si[3].tag !== 0xa0) throw new Error('SignerInfo shape');
    const [sidIssuer, sidSerial] = derChildren(si[1]);
    if (!equal(sidIssuer.bytes, certs[0].issuer) || !equal(sidSerial.bytes, certs[0].serial))
      throw new Error('the signer identifier does not name the embedded certificate');
    if (oid(derChildren(si[2])[0]) !== OID.sha256 || derChildren(si[2]).length !== 1) throw new Error('digest algorithm');
    if (oid(derChildren(si[4])[0]) !== OID.ecdsaSha256 || derChildren(si[4]).length !== 1) throw new Error('signature algorithm');
    signedAttrs = si[3];
    sigValue = si[5].value;
  } catch (e) {
    if (e instanceof Invalid) throw e;
    invalid('the signature file is damaged or not a wipeproof signature (' + e.message + ')');
  }
  const attrs = {};
  for (const a of derChildren(signedAttrs)) {
    const [type, values] = derChildren(a);
    attrs[oid(type)] = derChildren(values)[0];
  }
  if (!attrs[OID.contentType] || oid(attrs[OID.contentType]) !== OID.data || !attrs[OID.messageDigest] || !attrs[OID.signingTime])
    invalid('the signature lacks its content type, digest or signing time');
  if (!equal(attrs[OID.messageDigest].value, await sha256(json)))
    invalid('the certificate does not match its signature: the JSON was changed after signing');
  /* what is signed is the attributes as a SET (tag 31h instead of A0h) */
  const toSign = new Uint8Array(signedAttrs.bytes);
  toSign[0] = 0x31;
  const cert = certs[0];
  if (!isLowS(sigValue) || !(await verifySig(cert.spki, sigValue, toSign)))
    invalid('the signature does not verify: the signature file was changed');
  cert.fingerprint = hex(await sha256(cert.der));
  const at = derTime(attrs[OID.signingTime]);
  await checkSigner(cert, at, new Date(at).toISOString().replace('.000', ''), roles, what);
  return { signer: cert, signedAt: at };
}

/* ---- the verdict ---------------------------------------------------- */

async function verify({ qr, json, p7s, validator }) {
  const details = [];
  const result = { signatures: '' };
  let doc = null, q = null;
  if (json) {
    if (!p7s) invalid('give the signature file (.json.p7s) with the certificate');
    const s = await verifyCMS(p7s, json);
    details.push(`signature: valid CMS signature by ${s.signer.name} (${s.signer.title}, ${s.signer.role}), fingerprint ${s.signer.fingerprint.slice(0, 16)}, signed ${new Date(s.signedAt).toISOString().replace('.000', '')}, certified by the CA`);
    let text;
    try { text = dec.decode(json); doc = JSON.parse(text); } catch (e) { invalid('the certificate is not UTF-8 JSON'); }
    if (canonical(doc) !== text) invalid('certificate is not in canonical form (sorted keys, no spaces)');
    checkDoc(doc);
    details.push(`document: canonical and complete, SHA-256 ${hex(await sha256(json))}`);
    if (s.signer.fingerprint !== doc.issued_by.fingerprint)
      invalid(`signed by ${s.signer.name}, but the document names ${doc.issued_by.name} as its issuer`);
    /* what the document says of its issuer is what the CA certified (the
     * fingerprint alone would leave the rest to the signer's word) */
    for (const [path, what, certified] of [['issued_by.name', 'issuer name', s.signer.name],
      ['issued_by.title', 'issuer title', s.signer.title], ['issued_by.role', 'issuer role', s.signer.role],
      ['organisation', 'organisation', s.signer.org]]) {
      const said = member(doc, path) || '';
      if (said !== certified)
        invalid(`the document's ${what} '${said}' is not the signer's certificate's '${certified}'`);
    }
    /* a two-person certificate needs the validator's second signature
     * (certs/README.md, "Two signatures") */
    const policy = doc.signing && doc.signing.policy;
    if (policy === 'two-person') {
      if (!validator)
        invalid('not validated: this certificate needs a second signature by an approver or witness other than the issuer; give cert-ID.json.validator.p7s');
      const v = await verifyCMS(validator, json, MAY_VALIDATE, 'validate a certificate');
      if (v.signer.fingerprint === s.signer.fingerprint || v.signer.name === s.signer.name)
        invalid(`the validator ${v.signer.name} is the issuer: a two-person certificate needs two different people`);
      details.push(`validation: second CMS signature by ${v.signer.name} (${v.signer.title}, ${v.signer.role} — the validator), fingerprint ${v.signer.fingerprint.slice(0, 16)}, certified by the CA`);
      result.signatures = `two signatures: ${s.signer.name} (${s.signer.role}, the issuer) and ${v.signer.name} (${v.signer.role}, the validator)`;
    } else {
      const why = policy ? (doc.signing.reason || '') : 'issued before two-person certificates';
      details.push(`validation: none — ONE signature; the certificate says why: ${why}`);
      result.signatures = `ONE signature, by ${s.signer.name} (${s.signer.role}, the issuer) — no second person (${why})`;
    }
  }
  if (qr) {
    q = await verifyQR(qr);
    details.push(`QR: signed by ${q.signer.name} (${q.signer.title}, ${q.signer.role}), fingerprint ${q.signer.fingerprint.slice(0, 16)}, certified by this page's CA`);
    if (doc) {
      const sha = hex(await sha256(json));
      const same = q.sha256 === sha && q.id === doc.certificate_id && q.serial === doc.media.serial &&
        q.model === doc.media.model && q.method === doc.sanitization.method &&
        q.category === doc.sanitization.category && q.result === doc.result &&
        q.date === doc.sanitization.ended_utc.slice(0, 10);
      if (!same) invalid('the QR code and the certificate file do not describe the same certificate');
      details.push('QR and certificate file agree');
    }
  }
  if (!doc && !q) invalid('nothing to check: paste the QR text or give the certificate files');
  details.push(trust.crl ? 'revocation: checked against the revocation list in this page (as of its export)'
    : 'revocation: not checked (this page has no revocation list)');
  return Object.assign(result, { doc, q, details });
}

/* ---- the page ------------------------------------------------------- */

const $ = (id) => document.getElementById(id);

const FIELDS = [
  ['証明書ID', 'Certificate id', (d, q) => d ? d.certificate_id : q.id],
  ['結果', 'Result', (d, q) => ({ sanitized: '消去済み・検証済み / sanitized and verified', destroyed: '物理破壊済み / destroyed', 'erased-attested': '機器・製造元による消去（証跡あり） / erased, attested', 'free-space-wiped': '空き領域消去済み / free space wiped' })[d ? d.result : q.result]],
  ['消去区分 (NIST SP 800-88)', 'Category', (d, q) => d ? d.sanitization.category : q.category],
  ['方式', 'Method', (d, q) => d ? d.sanitization.method : q.method],
  ['型式', 'Model', (d, q) => d ? d.media.model : q.model],
  ['シリアル番号', 'Serial number', (d, q) => d ? d.media.serial : q.serial],
  ['資産番号', 'Property number', (d) => d && d.media.property_number],
  ['所有者', 'Owner', (d) => d && d.asset.owner],
  ['リース契約', 'Lease contract', (d) => d && d.asset.lease_contract],
  ['終了日 (UTC)', 'Ended (UTC)', (d, q) => d ? d.sanitization.ended_utc : q.date],
  ['検証', 'Verification', (d) => d && d.verification.method],
  ['消去実施者', 'Sanitized by', (d) => d && `${d.sanitized_by.name} (${d.sanitized_by.title})`],
  ['検証確認者', 'Verified by', (d) => d && `${d.verified_by.name} (${d.verified_by.title})`],
  ['承認者', 'Approver', (d) => d && d.approver && `${d.approver.name} (${d.approver.title})`],
  ['ツールのビルド', 'Tool build', (d) => d && d.sanitization.tool_sha256 && `${d.sanitization.tool} ${d.sanitization.tool_version}, SHA-256 ${d.sanitization.tool_sha256}`],
  ['台帳', 'Ledger at issue', (d) => d && `seq ${d.ledger.seq}, head ${d.ledger.head_hash}`],
];

function show(verdict, reason, result) {
  const v = $('verdict');
  v.dataset.verdict = verdict;
  v.textContent = verdict === 'VALID' ? `VALID — 有効${result && result.signatures ? ' — ' + result.signatures : ''}` : `INVALID — 無効: ${reason}`;
  v.className = verdict === 'VALID' ? 'valid' : 'invalid';
  $('details').replaceChildren(...(result ? result.details : []).map((t) => Object.assign(document.createElement('li'), { textContent: t })));
  const rows = [];
  if (result)
    for (const [ja, en, get] of FIELDS) {
      let value;
      try { value = get(result.doc, result.q); } catch (e) { value = null; }
      if (!value) continue;
      const tr = document.createElement('tr');
      tr.append(Object.assign(document.createElement('th'), { textContent: `${ja} ${en}` }),
        Object.assign(document.createElement('td'), { textContent: value }));
      rows.push(tr);
    }
  $('fields').replaceChildren(...rows);
}

async function run(inputs) {
  try {
    if (!ca) await loadTrust();
    show('VALID', '', await verify(inputs));
  } catch (e) {
    show('INVALID', e instanceof Invalid ? e.message : 'cannot check: ' + e.message, null);
  }
}

async function fromForm() {
  const read = async (input) => (input.files[0] ? new Uint8Array(await input.files[0].arrayBuffer()) : null);
  const json = await read($('json'));
  const p7s = await read($('p7s'));
  const validator = await read($('validator'));
  run({ qr: $('qr').value.trim(), json, p7s: p7s && dec.decode(p7s), validator: validator && dec.decode(validator) });
}

/* A photo or scan of the printout: the browser's own barcode reader, where
 * it has one (no library is shipped for it). */
async function fromImage(file) {
  if (!('BarcodeDetector' in window)) {
    show('INVALID', 'this browser cannot read QR codes from images; paste the QR text instead', null);
    return;
  }
  const codes = await new BarcodeDetector({ formats: ['qr_code'] }).detect(await createImageBitmap(file));
  if (codes.length) { $('qr').value = codes[0].rawValue; fromForm(); }
  else show('INVALID', 'no QR code found in the image', null);
}

function fromFragment() {
  const args = new URLSearchParams(location.hash.slice(1));
  if (![...args.keys()].length) return false;
  const bytes = (k) => (args.get(k) ? b64urlDecode(args.get(k)) : null);
  try {
    const p7s = bytes('p7s'), validator = bytes('val');
    run({ qr: args.get('qr') || '', json: bytes('json'), p7s: p7s && dec.decode(p7s),
      validator: validator && dec.decode(validator) });
  } catch (e) {
    show('INVALID', 'the link is damaged: ' + e.message, null);
  }
  return true;
}

$('check').addEventListener('click', fromForm);
$('image').addEventListener('change', (e) => e.target.files[0] && fromImage(e.target.files[0]));
document.body.addEventListener('dragover', (e) => e.preventDefault());
document.body.addEventListener('drop', (e) => {
  e.preventDefault();
  for (const f of e.dataTransfer.files) {
    if (f.name.endsWith('.validator.p7s')) { const t = new DataTransfer(); t.items.add(f); $('validator').files = t.files; }
    else if (f.name.endsWith('.p7s')) { const t = new DataTransfer(); t.items.add(f); $('p7s').files = t.files; }
    else if (f.name.endsWith('.json')) { const t = new DataTransfer(); t.items.add(f); $('json').files = t.files; }
    else if (f.type.startsWith('image/')) fromImage(f);
  }
});
loadTrust().then(() => { $('ca-fpr').textContent = ca.fingerprint.replace(/(.{4})/g, '$1 ').trim(); fromFragment(); })
  .catch((e) => show('INVALID', 'this page is damaged: ' + e.message, null));
