"""Transparency-log interoperability between entente and tlog-scales.

Run by `cargo xtask interop` between `tlog_interop emit DIR` and
`tlog_interop check DIR` (crates/entente-audit/examples/tlog_interop.rs):

1. entente's checkpoint (C2SP tlog-checkpoint in a signed-note) verifies under
   entente's log key with tlog-scales, and tlog-scales computes the same key
   hash from the raw key;
2. both witness cosignatures (C2SP tlog-cosignature, Ed25519 cosignature/v1)
   verify with tlog-scales; a cosignature over altered text fails;
3. every inclusion and consistency proof verifies with tlog-scales'
   RFC 9162 verifiers; the forged entry fails inclusion;
4. tlog-scales builds its own tlog-tiles log from the same entries, signs a
   checkpoint and produces proofs, which it writes for entente to check.

Exits non-zero on the first disagreement.
"""

import base64
import dataclasses
import json
import logging
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from tlog_scales import signing, tlog, writer
from tlog_scales.utils import sha256


def fail(message: str) -> None:
    print(f"interop: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def leaf_hash(entry: bytes) -> bytes:
    return sha256(b"\x00" + entry)


def b64d(text: str) -> bytes:
    return base64.b64decode(text)


def main() -> None:
    d = Path(sys.argv[1])
    v = json.loads((d / "rust" / "vectors.json").read_text())

    # 1. The log signature, and the key hash recomputed from the raw key.
    cp = tlog.Checkpoint.from_text(v["checkpoint"])
    log_vkey = signing.Vkey.from_string(v["log_vkey"])
    recomputed = signing.Vkey(v["origin"], None, 1, b64d(v["log_public_key"]))
    if recomputed.key_id != log_vkey.key_id:
        fail("signed-note key hash differs")
    try:
        cp.verify(log_vkey)
    except Exception as e:
        fail(f"checkpoint signature rejected by tlog-scales: {e}")
    old = tlog.Checkpoint.from_text(v["old_checkpoint"])
    old.verify(log_vkey)

    # 2. Cosignatures.
    wkeys = [signing.Vkey.from_string(k) for k in v["witness_vkeys"]]
    valid = signing.VkeySet(*wkeys).verify(cp.signatures, cp)
    if len(valid) != len(wkeys):
        fail(f"only {len(valid)} of {len(wkeys)} cosignatures verified")
    altered = dataclasses.replace(cp, size=cp.size + 1)
    # tlog-scales logs each failed verification with a traceback; these
    # failures are the expected outcome here.
    logging.getLogger("tlog_scales").setLevel(logging.CRITICAL)
    if signing.VkeySet(*wkeys).verify(cp.signatures, altered):
        fail("a cosignature verified over altered checkpoint text")
    try:
        altered.verify(log_vkey)
        fail("log signature verified over altered checkpoint text")
    except Exception:
        pass

    # 3. Proofs.
    for p in v["inclusion"]:
        proof = tlog.InclusionProof(p["index"], p["size"], [b64d(h) for h in p["hashes"]])
        proof.check(leaf_hash(bytes.fromhex(p["entry"])), b64d(p["root"]))
    for p in v["consistency"]:
        proof = tlog.ConsistencyProof(p["old"], p["new"], [b64d(h) for h in p["hashes"]])
        proof.check(b64d(p["old_root"]), b64d(p["new_root"]))
    f = v["forged"]
    forged = tlog.InclusionProof(f["index"], f["size"], [b64d(h) for h in f["hashes"]])
    try:
        forged.check(leaf_hash(bytes.fromhex(f["entry"])), cp.root_hash)
        fail("forged entry passed inclusion")
    except tlog.InclusionProofInvalid:
        pass
    bundle = (d / "rust" / "entry-12.tlog-proof").read_text()
    if not bundle.startswith("c2sp.org/tlog-proof@v1\nindex 12\n"):
        fail("tlog-proof bundle header")

    # 4. tlog-scales' own log of the same entries, for entente to check.
    key = Ed25519PrivateKey.from_private_bytes(sha256(b"tlog-scales interop key"))
    signer = signing.PlainEd25519Signer("python.example/interop-log", key)
    w = writer.TilesWriter.create(d / "python" / "log", "python.example/interop-log")
    for e in v["entries"]:
        w.add_leaf(bytes.fromhex(e))
    w.commit([signer])
    text = (d / "python" / "log" / "checkpoint").read_text()
    size = len(v["entries"])
    inclusion = []
    for p in v["inclusion"]:
        w.reader.set_size(size)
        proof = w.reader.get_inclusion_proof(p["index"], p["size"])
        inclusion.append({"index": p["index"], "size": p["size"],
                          "hashes": [base64.b64encode(h).decode() for h in proof.node_hashes]})
    consistency = []
    for p in v["consistency"]:
        proof = w.reader.get_consistency_proof(p["old"], p["new"])
        consistency.append({"old": p["old"], "new": p["new"],
                            "hashes": [base64.b64encode(h).decode() for h in proof.node_hashes]})
    lines = text.split("\n")
    lines[1] = str(int(lines[1]) + 1)
    (d / "python.json").write_text(json.dumps({
        "vkey": signer.vkey.serialize(),
        "checkpoint": text,
        "tampered_checkpoint": "\n".join(lines),
        "inclusion": inclusion,
        "consistency": consistency,
    }, indent=1))
    print(f"interop: tlog-scales verified entente's checkpoint, {len(valid)} cosignatures, "
          f"{len(v['inclusion'])} inclusion and {len(v['consistency'])} consistency proofs; "
          "forged entry rejected")


if __name__ == "__main__":
    main()
