//! The Rust side of `cargo xtask interop` for transparency logs: `emit DIR`
//! writes a signed, cosigned checkpoint, inclusion and consistency proofs, a
//! `tlog-proof` bundle and a forged entry for `interop/tlog_interop.py` to
//! check with tlog-scales; `check DIR` verifies what tlog-scales wrote back (a
//! tlog-tiles log of the same entries, its signed checkpoint and its proofs).

use std::error::Error;
use std::fs;
use std::path::Path;

use entente_audit::{
    Checkpoint, EntryKind, FileLog, LogEntry, LogIdentity, Note, ProofBundle, WitnessIdentity,
    WitnessPolicy, cosign, leaf_hash, sign_checkpoint, verify_consistency, verify_inclusion, vkey,
};
use entente_core::{
    AuthorityId, Digest256, KeyKind, PublicKey, Signer as _, SigningKey, UnixTime, default_provider,
};

const ORIGIN: &str = "entente.example/interop-log";
const SIZE: u64 = 40;
const OLD_SIZE: u64 = 13;
const INCLUDED: &[(u64, u64)] = &[
    (0, 40),
    (1, 40),
    (12, 40),
    (13, 40),
    (39, 40),
    (5, 13),
    (0, 1),
];
const CONSISTENT: &[(u64, u64)] = &[(13, 40), (1, 40), (32, 40), (39, 40), (1, 2), (40, 40)];

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(text: &str) -> Result<Vec<u8>, Box<dyn Error>> {
    use base64::Engine as _;
    Ok(base64::engine::general_purpose::STANDARD.decode(text)?)
}

fn key(label: &str) -> Result<SigningKey, Box<dyn Error>> {
    Ok(SigningKey::derive_from_seed(
        KeyKind::Ed25519,
        b"entente-interop",
        label,
    )?)
}

fn authority(name: &str) -> AuthorityId {
    AuthorityId::from_digest(Digest256::sha256(name.as_bytes()))
}

fn entries() -> Result<Vec<Vec<u8>>, Box<dyn Error>> {
    (0..SIZE)
        .map(|i| {
            Ok(LogEntry {
                kind: if i % 7 == 6 {
                    EntryKind::IntegrityEvent
                } else {
                    EntryKind::Admitted
                },
                time: UnixTime::from_secs(1_800_000_000 + i),
                recorder: authority("fr"),
                operation: None,
                artifacts: vec![entente_core::ArtifactId::from_digest(Digest256::sha256(
                    &i.to_be_bytes(),
                ))],
                authorities: vec![authority("de")],
                reason: "interop".into(),
                evidence: vec![],
            }
            .to_bytes()?)
        })
        .collect()
}

fn hashes(h: &[Digest256]) -> Vec<String> {
    h.iter().map(|d| b64(d.as_bytes())).collect()
}

fn emit(dir: &Path) -> Result<(), Box<dyn Error>> {
    let out = dir.join("rust");
    fs::create_dir_all(&out)?;
    let log_key = key("log")?;
    let witnesses = [key("witness-1")?, key("witness-2")?];
    let names = ["w1.example", "w2.example"];
    let entries = entries()?;
    let mut log = FileLog::open(&out.join("store"))?;
    if log.size() == 0 {
        log.append_batch(&entries)?;
    }
    let mut note = sign_checkpoint(
        &Checkpoint {
            origin: ORIGIN.into(),
            size: SIZE,
            root: log.root(),
            extensions: vec![],
        },
        &log_key,
    )?;
    for (k, name) in witnesses.iter().zip(names) {
        let line = cosign(name, k, UnixTime::from_secs(1_800_000_100), note.text())?;
        note.push_signature(line)?;
    }
    let old = sign_checkpoint(
        &Checkpoint {
            origin: ORIGIN.into(),
            size: OLD_SIZE,
            root: log.root_at(OLD_SIZE)?,
            extensions: vec![],
        },
        &log_key,
    )?;
    log.store_checkpoint(&note.to_bytes())?;

    let mut inclusion = Vec::new();
    for &(index, size) in INCLUDED {
        let proof = log.inclusion_proof(index, size)?;
        inclusion.push(serde_json::json!({
            "index": index, "size": size, "root": b64(log.root_at(size)?.as_bytes()),
            "entry": hex::encode(log.entry(index)?), "hashes": hashes(&proof),
        }));
    }
    let mut consistency = Vec::new();
    for &(old_size, new_size) in CONSISTENT {
        let proof = log.consistency_proof(old_size, new_size)?;
        consistency.push(serde_json::json!({
            "old": old_size, "new": new_size,
            "old_root": b64(log.root_at(old_size)?.as_bytes()),
            "new_root": b64(log.root_at(new_size)?.as_bytes()),
            "hashes": hashes(&proof),
        }));
    }
    // A forged entry: entry 12 with one byte changed, presented with the
    // genuine proof of entry 12.
    let mut forged = log.entry(12)?;
    if let Some(last) = forged.last_mut() {
        *last ^= 0x01;
    }
    let bundle = ProofBundle::from_log(&log, 12, SIZE, note.to_bytes())?;
    fs::write(out.join("entry-12.tlog-proof"), bundle.to_bytes())?;
    let manifest = serde_json::json!({
        "origin": ORIGIN,
        "log_vkey": vkey(ORIGIN, entente_audit::ALG_ED25519, log_key.public_key()),
        "log_public_key": b64(log_key.public_key().material()),
        "witness_vkeys": witnesses.iter().zip(names)
            .map(|(k, n)| vkey(n, entente_audit::ALG_COSIGNATURE_V1, k.public_key()))
            .collect::<Vec<_>>(),
        "checkpoint": String::from_utf8(note.to_bytes())?,
        "old_checkpoint": String::from_utf8(old.to_bytes())?,
        "entries": entries.iter().map(hex::encode).collect::<Vec<_>>(),
        "inclusion": inclusion,
        "consistency": consistency,
        "forged": { "index": 12, "size": SIZE, "entry": hex::encode(&forged),
                    "hashes": hashes(&log.inclusion_proof(12, SIZE)?) },
    });
    fs::write(
        out.join("vectors.json"),
        serde_json::to_string_pretty(&manifest)?,
    )?;

    // Self-check before handing over.
    let id = LogIdentity::new(ORIGIN, log_key.public_key().clone(), authority("fr"))?;
    let policy = WitnessPolicy {
        witnesses: witnesses
            .iter()
            .zip(names)
            .map(|(k, n)| WitnessIdentity::new(n, k.public_key().clone(), authority(n)))
            .collect::<Result<_, _>>()?,
        threshold: 2,
    };
    bundle.verify(default_provider(), &log.entry(12)?, &id, &policy)?;
    if bundle
        .verify(default_provider(), &forged, &id, &policy)
        .is_ok()
    {
        return Err("forged entry verified".into());
    }
    println!(
        "tlog interop: emitted checkpoint of {SIZE} entries, {} inclusion and {} consistency proofs",
        INCLUDED.len(),
        CONSISTENT.len()
    );
    Ok(())
}

fn check(dir: &Path) -> Result<(), Box<dyn Error>> {
    let path = dir.join("python.json");
    if !path.exists() {
        println!("tlog interop: nothing from Python to check");
        return Ok(());
    }
    let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(path)?)?;
    let field = |name: &str| {
        v.get(name)
            .and_then(|x| x.as_str())
            .ok_or(format!("missing {name}"))
    };
    // tlog-scales' vkey: name+hash+base64(0x01 || key).
    let vk = field("vkey")?;
    let mut parts = vk.splitn(3, '+');
    let (name, id_hex, blob) = (parts.next(), parts.next(), parts.next());
    let (Some(name), Some(id_hex), Some(blob)) = (name, id_hex, blob) else {
        return Err("malformed vkey".into());
    };
    let blob = unb64(blob)?;
    let (alg, raw) = blob.split_first().ok_or("empty vkey")?;
    if *alg != entente_audit::ALG_ED25519 {
        return Err("python vkey is not plain Ed25519".into());
    }
    let key = PublicKey::ed25519(raw)?;
    let id = LogIdentity::new(name, key, authority("python"))?;
    if hex::encode(id.key_id()) != id_hex {
        return Err("tlog-scales key hash differs from entente's".into());
    }
    let verified = id.verify(default_provider(), field("checkpoint")?.as_bytes())?;
    let cp = verified.checkpoint();
    // Same entries, same root: the tree hashing agrees.
    let mut log = entente_audit::MemoryTree::new();
    for e in entries()? {
        log.push(&e)?;
    }
    if cp.size != SIZE || cp.root != log.root() {
        return Err("tlog-scales root differs from entente's for the same entries".into());
    }
    let proofs = |name: &str| -> Result<Vec<serde_json::Value>, Box<dyn Error>> {
        Ok(v.get(name)
            .and_then(|x| x.as_array())
            .ok_or(format!("missing {name}"))?
            .clone())
    };
    let decode = |p: &serde_json::Value| -> Result<Vec<Digest256>, Box<dyn Error>> {
        p.get("hashes")
            .and_then(|h| h.as_array())
            .ok_or("missing hashes")?
            .iter()
            .map(|h| Ok(Digest256::from_slice(&unb64(h.as_str().ok_or("hash")?)?)?))
            .collect()
    };
    let num = |p: &serde_json::Value, k: &str| {
        p.get(k)
            .and_then(|x| x.as_u64())
            .ok_or(format!("missing {k}"))
    };
    let entries = entries()?;
    let mut n = 0;
    for p in proofs("inclusion")? {
        let (index, size) = (num(&p, "index")?, num(&p, "size")?);
        let hs = decode(&p)?;
        let entry = entries.get(usize::try_from(index)?).ok_or("index")?;
        verify_inclusion(&leaf_hash(entry), index, size, &hs, &log.root_at(size)?)?;
        if hs != log.inclusion_proof(index, size)? {
            return Err(format!("inclusion proof {index}/{size} differs").into());
        }
        n += 1;
    }
    for p in proofs("consistency")? {
        let (old, new) = (num(&p, "old")?, num(&p, "new")?);
        let hs = decode(&p)?;
        verify_consistency(old, new, &log.root_at(old)?, &log.root_at(new)?, &hs)?;
        if hs != log.consistency_proof(old, new)? {
            return Err(format!("consistency proof {old}/{new} differs").into());
        }
        n += 1;
    }
    // A checkpoint whose text Python altered must not verify.
    let tampered = field("tampered_checkpoint")?;
    if id.verify(default_provider(), tampered.as_bytes()).is_ok() {
        return Err("tampered tlog-scales checkpoint verified".into());
    }
    let _ = Note::parse(tampered.as_bytes());
    println!(
        "tlog interop: verified tlog-scales' checkpoint, root and {n} proofs; tampered checkpoint rejected"
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("emit"), Some(dir)) => emit(Path::new(dir)),
        (Some("check"), Some(dir)) => check(Path::new(dir)),
        _ => Err("usage: tlog_interop emit|check DIR".into()),
    }
}
