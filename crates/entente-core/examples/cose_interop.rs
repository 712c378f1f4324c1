//! The Rust side of `cargo xtask interop` for COSE: `emit DIR` writes keys and
//! envelopes made by entente for Python's pycose and cwt to verify; `check DIR`
//! verifies the envelopes pycose and cwt made (see `interop/cose_interop.py`).

use std::error::Error;
use std::fs;
use std::path::Path;

use entente_core::cose::{self, Envelope};
use entente_core::{
    Digest256, Document, KeyKind, PublicKey, RustCryptoProvider, Signer as _, SigningKey,
};
use serde::{Deserialize, Serialize};

/// The document both sides sign.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InteropNote {
    text: String,
    version: u64,
}

impl Document for InteropNote {
    const CONTENT_TYPE: &'static str = "application/vnd.entente.interop+cbor";
}

fn note() -> InteropNote {
    InteropNote {
        text: "NATO SECRET // REL FVEY".into(),
        version: 3,
    }
}

fn keys() -> Result<[(SigningKey, Digest256); 2], Box<dyn Error>> {
    let a = SigningKey::derive_from_seed(KeyKind::P256, b"entente-interop", "signer-a")?;
    let b = SigningKey::derive_from_seed(KeyKind::P256, b"entente-interop", "signer-b")?;
    // Stand-ins for certificate digests: the kid is opaque to COSE.
    let kid_a = cose::key_id_for_certificate(b"certificate of signer a");
    let kid_b = cose::key_id_for_certificate(b"certificate of signer b");
    Ok([(a, kid_a), (b, kid_b)])
}

fn emit(dir: &Path) -> Result<(), Box<dyn Error>> {
    let [(a, kid_a), (b, kid_b)] = keys()?;
    fs::write(dir.join("key-a.pem"), a.to_pkcs8_pem()?)?;
    fs::write(dir.join("key-b.pem"), b.to_pkcs8_pem()?)?;
    let sign1 = cose::sign1(&note(), &a, &kid_a)?;
    let mut tampered = sign1.clone();
    if let Some(last) = tampered.last_mut() {
        *last ^= 0x01;
    }
    let multi = cose::sign(&note(), &[(&a, kid_a), (&b, kid_b)])?;
    fs::write(dir.join("entente_sign1.cbor"), &sign1)?;
    fs::write(dir.join("entente_sign1_tampered.cbor"), &tampered)?;
    fs::write(dir.join("entente_sign.cbor"), &multi)?;
    let manifest = serde_json::json!({
        "content_type": InteropNote::CONTENT_TYPE,
        "payload_hex": hex::encode(entente_core::cbor::to_vec(&note())?),
        "kid_a": kid_a.to_hex(),
        "kid_b": kid_b.to_hex(),
        "artifact_id": Envelope::from_slice(&sign1)?.artifact_id().to_string(),
    });
    fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    println!("entente: wrote COSE_Sign1, COSE_Sign and a tampered envelope");
    Ok(())
}

fn verify(path: &Path, keys: &[&PublicKey]) -> Result<Envelope, Box<dyn Error>> {
    let bytes = fs::read(path)?;
    let envelope = Envelope::from_slice(&bytes)?;
    let verified = envelope.verify::<InteropNote>(&RustCryptoProvider, keys)?;
    if verified.document() != &note() {
        return Err(format!("{}: unexpected document", path.display()).into());
    }
    Ok(envelope)
}

fn check(dir: &Path) -> Result<(), Box<dyn Error>> {
    let [(a, _), (b, _)] = keys()?;
    let ours = Envelope::from_slice(&fs::read(dir.join("entente_sign1.cbor"))?)?;
    let mut checked = 0;
    for name in ["pycose_sign1.cbor", "cwt_sign1.cbor"] {
        let theirs = verify(&dir.join(name), &[a.public_key()])?;
        if theirs.artifact_id() != ours.artifact_id() {
            return Err(format!("{name}: artifact id differs from entente's").into());
        }
        checked += 1;
    }
    verify(
        &dir.join("pycose_sign.cbor"),
        &[a.public_key(), b.public_key()],
    )?;
    checked += 1;
    if verify(&dir.join("pycose_sign1_tampered.cbor"), &[a.public_key()]).is_ok() {
        return Err("a tampered pycose envelope verified".into());
    }
    println!(
        "entente: verified {checked} envelopes made by pycose and cwt; the tampered one failed"
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args.as_slice() {
        [_, cmd, dir] if cmd == "emit" => emit(Path::new(dir)),
        [_, cmd, dir] if cmd == "check" => check(Path::new(dir)),
        _ => Err("usage: cose_interop emit|check DIR".into()),
    }
}
