//! Shared fixtures for the integration tests.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used)]

use entente_core::{Digest256, KeyKind, SigningKey};
use entente_policy::{Policy, Vocabulary};

pub const GBR_VOCABULARY: &str = include_str!("../../examples/vocabularies/gbr.json");
pub const NATO_VOCABULARY: &str = include_str!("../../examples/vocabularies/nato.json");
pub const DEU_VOCABULARY: &str = include_str!("../../examples/vocabularies/deu.json");
pub const USA_VOCABULARY: &str = include_str!("../../examples/vocabularies/usa.json");
pub const GBR_POLICY: &str = include_str!("../../examples/policies/gbr-coalition.json");

/// The example policy signer's key and `kid` (as in examples/coalition.rs).
pub fn signer() -> (SigningKey, Digest256) {
    let key = SigningKey::derive_from_seed(KeyKind::P256, b"entente example", "gbr policy signer")
        .unwrap();
    (
        key,
        Digest256::sha256(b"entente example certificate: gbr policy signer"),
    )
}

pub fn gbr_vocabulary() -> Vocabulary {
    Vocabulary::from_json(GBR_VOCABULARY).unwrap()
}

pub fn gbr_policy() -> Policy {
    Policy::from_json(GBR_POLICY).unwrap()
}
