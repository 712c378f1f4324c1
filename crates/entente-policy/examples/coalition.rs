//! Signs the example GBR vocabulary and policy, verifies them, compiles the
//! policy and evaluates a few partner requests, printing each decision and
//! the rules behind it.
//!
//! The signing key is derived from a fixed seed: an example, not a key.

use entente_core::{
    AuthorityId, Digest256, KeyKind, OperationId, RustCryptoProvider, Signer as _, SigningKey,
    UnixTime,
};
use entente_policy::{
    Clearance, CompiledPolicy, Label, Policy, Request, Role, Subject, Vocabulary,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = SigningKey::derive_from_seed(KeyKind::P256, b"entente example", "gbr policy signer")?;
    let kid = Digest256::sha256(b"entente example certificate: gbr policy signer");

    let vocabulary = Vocabulary::from_json(include_str!("vocabularies/gbr.json"))?;
    let policy = Policy::from_json(include_str!("policies/gbr-coalition.json"))?;
    let vocabulary_envelope = vocabulary.sign(&key, &kid)?;
    let policy_envelope = policy.sign(&key, &kid)?;

    let vocabulary =
        Vocabulary::verify(&vocabulary_envelope, &RustCryptoProvider, key.public_key())?;
    let policy = Policy::verify(&policy_envelope, &RustCryptoProvider, key.public_key())?;
    println!(
        "vocabulary {} ({} bytes signed)",
        vocabulary.artifact_id(),
        vocabulary_envelope.len()
    );
    println!(
        "policy     {} ({} bytes signed)",
        policy.artifact_id(),
        policy_envelope.len()
    );
    let compiled = CompiledPolicy::from_verified(&policy, &vocabulary)?;

    let usa = AuthorityId::from_digest(Digest256::from_hex(
        "eb7fc22943edc08fefd2f9a5cdffd0d78a0790551518b1c52e1b52fbdcfae2a0",
    )?);
    let gbr = policy.document().authority;
    let request = |role: Role, action: &str, level: &str, categories: &[&str]| Request {
        subject: Subject {
            authority: usa,
            role,
            clearance: Clearance {
                level: "SECRET".into(),
                categories: vec!["REL FVEY".into()],
            },
        },
        action: action.into(),
        resource: Label {
            owner: gbr,
            level: level.into(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        },
        operation: OperationId::derive(&gbr, "example"),
        alliances: vec!["FVEY".into()],
        time: UnixTime(1_780_000_000),
    };
    for (what, req) in [
        (
            "supporting partner reads SECRET REL FVEY",
            request(Role::Supporting, "read", "SECRET", &["REL FVEY"]),
        ),
        (
            "observer reads SECRET",
            request(Role::Observing, "read", "SECRET", &[]),
        ),
        (
            "supporting partner writes OFFICIAL",
            request(Role::Supporting, "write", "OFFICIAL", &[]),
        ),
        (
            "lead disseminates TOP SECRET REL FVEY",
            request(Role::Lead, "disseminate", "TOP SECRET", &["REL FVEY"]),
        ),
        (
            "lead reads OFFICIAL UK EYES ONLY",
            request(Role::Lead, "read", "OFFICIAL", &["UK EYES ONLY"]),
        ),
    ] {
        let verdict = compiled.evaluate_request(&req);
        let rules: Vec<&str> = verdict.rules().collect();
        match verdict.deny_reason() {
            None => println!("{what}: permit by {rules:?}"),
            Some(reason) => println!("{what}: deny, {reason} {rules:?}"),
        }
    }
    Ok(())
}
