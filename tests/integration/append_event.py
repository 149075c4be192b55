#!/usr/bin/env python3
"""Append one signed event to a wipeproof ledger without wipeproof, the way
someone holding a person's private key could: the canonical form and hash of
custody/README.md, the signature by stock openssl. Lets a test record what the
wipeproof CLI would refuse (an approval with chosen terms, a certificate event
for a forged document), so verification is tested against it.

usage: append_event.py LEDGER KIND ASSET BODY_JSON KEY CERT NAME TITLE ROLE
"""
import hashlib, json, sqlite3, subprocess, sys, time

ledger, kind, asset, body, key, cert, name, title, role = sys.argv[1:10]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], check=True,
                     capture_output=True).stdout
fpr = hashlib.sha256(der).hexdigest()
db = sqlite3.connect(ledger)
row = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
seq, prev = (row[0] + 1, row[1]) if row else (1, "0" * 64)
body = json.loads(body)
ev = {"v": 1, "seq": seq, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
      "kind": kind, "asset": asset, "body": body,
      "actor": {"name": name, "title": title, "role": role, "fingerprint": fpr}}
canon = json.dumps(ev, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
h = hashlib.sha256((prev + canon).encode()).hexdigest()
# wipeproof accepts one spelling of a signature, low s (s <= n/2, P-256's n
# from SEC 2); openssl makes either, so sign again until it is low
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
for _ in range(64):
    der_sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=h.encode(),
                             check=True, capture_output=True).stdout
    rlen = der_sig[3]
    slen = der_sig[5 + rlen]
    if int.from_bytes(der_sig[6 + rlen:6 + rlen + slen], "big") <= N // 2:
        break
sig = der_sig.hex()
with open(cert) as f:
    pem = f.read()
db.execute("INSERT OR IGNORE INTO signers VALUES(?, ?)", (fpr, pem))
db.execute("INSERT INTO events (seq, time, kind, asset, actor_name, actor_title, actor_role,"
           " actor_fingerprint, body, prev_hash, hash, signature) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
           (seq, ev["time"], kind, asset, name, title, role, fpr,
            json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False), prev, h, sig))
db.commit()
print(f"{h}@{seq}")
