"""COSE interoperability between entente and two independent Python libraries.

Run by `cargo xtask interop` between `cose_interop emit DIR` and
`cose_interop check DIR` (crates/entente-core/examples/cose_interop.rs):

1. envelopes made by entente (COSE_Sign1, COSE_Sign) verify in pycose and cwt;
   a tampered one fails in both;
2. known answer: for the same key and content, pycose's COSE_Sign1 is
   byte-identical to entente's (both use RFC 6979 deterministic ECDSA);
3. writes envelopes made by pycose and cwt (and a tampered one) for entente
   to verify.

Exits non-zero on the first disagreement.
"""

import json
import sys
from pathlib import Path

import cbor2
from cwt import COSE, COSEKey
from pycose.headers import KID, Algorithm, ContentType
from pycose.keys import CoseKey
from pycose.algorithms import Es256
from pycose.messages import CoseMessage, Sign1Message, SignMessage
from pycose.messages.signer import CoseSignature


def fail(message: str) -> None:
    print(f"interop: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def pycose_verify_sign1(data: bytes, key) -> bool:
    try:
        msg = CoseMessage.decode(data)
        if not isinstance(msg, Sign1Message):
            return False
        msg.key = key
        return bool(msg.verify_signature())
    except Exception:  # pycose raises on malformed input; that is a failure too
        return False


def pycose_verify_sign(data: bytes, keys) -> bool:
    try:
        msg = CoseMessage.decode(data)
        if not isinstance(msg, SignMessage) or len(msg.signers) != len(keys):
            return False
        for signer, key in zip(msg.signers, keys):
            signer.key = key
            if not signer.verify_signature():
                return False
        return True
    except Exception:
        return False


def cwt_verify(data: bytes, key) -> bytes | None:
    try:
        return COSE.new().decode(data, keys=[key])
    except Exception:
        return None


def main() -> None:
    out = Path(sys.argv[1])
    manifest = json.loads((out / "manifest.json").read_text())
    payload = bytes.fromhex(manifest["payload_hex"])
    content_type = manifest["content_type"]
    kid_a = bytes.fromhex(manifest["kid_a"])
    kid_b = bytes.fromhex(manifest["kid_b"])
    pem_a = (out / "key-a.pem").read_text()
    pem_b = (out / "key-b.pem").read_text()

    pycose_a = CoseKey.from_pem_private_key(pem_a)
    pycose_b = CoseKey.from_pem_private_key(pem_b)
    cwt_a = COSEKey.from_pem(pem_a, kid=kid_a, alg="ES256")
    cwt_b = COSEKey.from_pem(pem_b, kid=kid_b, alg="ES256")

    ours_sign1 = (out / "entente_sign1.cbor").read_bytes()
    ours_sign = (out / "entente_sign.cbor").read_bytes()
    ours_tampered = (out / "entente_sign1_tampered.cbor").read_bytes()
    checks = 0

    # 1. entente -> pycose, cwt
    if not pycose_verify_sign1(ours_sign1, pycose_a):
        fail("pycose rejected entente's COSE_Sign1")
    checks += 1
    if not pycose_verify_sign(ours_sign, [pycose_a, pycose_b]):
        fail("pycose rejected entente's COSE_Sign")
    checks += 1
    if pycose_verify_sign1(ours_tampered, pycose_a):
        fail("pycose accepted a tampered COSE_Sign1")
    checks += 1
    if cwt_verify(ours_sign1, cwt_a) != payload:
        fail("cwt rejected entente's COSE_Sign1")
    checks += 1
    if cwt_verify(ours_sign, cwt_a) != payload or cwt_verify(ours_sign, cwt_b) != payload:
        fail("cwt rejected entente's COSE_Sign")
    checks += 1
    if cwt_verify(ours_tampered, cwt_a) is not None:
        fail("cwt accepted a tampered COSE_Sign1")
    checks += 1

    # 2. known answer: same key, same content, same bytes
    phdr = {Algorithm: Es256, ContentType: content_type, KID: kid_a}
    theirs = Sign1Message(phdr=phdr, uhdr={}, payload=payload, key=pycose_a).encode(tag=True)
    if theirs != ours_sign1:
        fail(f"pycose COSE_Sign1 differs from entente's:\n  pycose  {theirs.hex()}\n  entente {ours_sign1.hex()}")
    checks += 1

    # 3. pycose, cwt -> entente
    (out / "pycose_sign1.cbor").write_bytes(theirs)
    tampered = bytearray(theirs)
    tampered[-1] ^= 0x01
    (out / "pycose_sign1_tampered.cbor").write_bytes(bytes(tampered))
    signers = [
        CoseSignature(phdr={Algorithm: Es256, KID: kid_a}, uhdr={}, key=pycose_a),
        CoseSignature(phdr={Algorithm: Es256, KID: kid_b}, uhdr={}, key=pycose_b),
    ]
    multi = SignMessage(phdr={ContentType: content_type}, uhdr={}, payload=payload, signers=signers)
    (out / "pycose_sign.cbor").write_bytes(multi.encode(tag=True))
    cwt_sign1 = COSE.new(alg_auto_inclusion=False, kid_auto_inclusion=False).encode_and_sign(
        payload, cwt_a, protected={1: -7, 3: content_type, 4: kid_a}, unprotected={}
    )
    # cwt must write a tagged COSE_Sign1 (tag 18).
    decoded = cbor2.loads(cwt_sign1)
    if not (isinstance(decoded, cbor2.CBORTag) and decoded.tag == 18):
        fail("cwt did not write a tagged COSE_Sign1")
    (out / "cwt_sign1.cbor").write_bytes(cwt_sign1)
    print(f"interop: pycose and cwt agree with entente on {checks} checks; wrote their envelopes")


if __name__ == "__main__":
    main()
