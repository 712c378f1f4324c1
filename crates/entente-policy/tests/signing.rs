//! Signed vocabularies and policies: COSE round trips, tampering, binding
//! of a policy to its vocabulary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use entente_core::cose::CoseError;
use entente_core::{Envelope, KeyKind, RustCryptoProvider, Signer as _, SigningKey};
use entente_policy::{CompileError, CompiledPolicy, FormatError, Policy, Vocabulary};

#[test]
fn example_policy_names_the_signed_example_vocabulary() {
    let (key, kid) = common::signer();
    let envelope = common::gbr_vocabulary().sign(&key, &kid).unwrap();
    let id = Envelope::from_slice(&envelope).unwrap().artifact_id();
    assert_eq!(common::gbr_policy().vocabulary, id);
}

#[test]
fn signed_policy_verifies_and_compiles_against_its_vocabulary() {
    let (key, kid) = common::signer();
    let vocabulary = common::gbr_vocabulary().sign(&key, &kid).unwrap();
    let policy = common::gbr_policy().sign(&key, &kid).unwrap();
    let vocabulary =
        Vocabulary::verify(&vocabulary, &RustCryptoProvider, key.public_key()).unwrap();
    let policy = Policy::verify(&policy, &RustCryptoProvider, key.public_key()).unwrap();
    assert_eq!(policy.document(), &common::gbr_policy());
    let compiled = CompiledPolicy::from_verified(&policy, &vocabulary).unwrap();
    assert_eq!(compiled.artifact_id(), Some(policy.artifact_id()));
    assert_eq!(compiled.rule_count(), 4);
}

#[test]
fn policy_with_another_vocabulary_rejected() {
    let (key, kid) = common::signer();
    let mut other = common::gbr_vocabulary();
    other.version = entente_core::Version(2);
    let other = other.sign(&key, &kid).unwrap();
    let policy = common::gbr_policy().sign(&key, &kid).unwrap();
    let other = Vocabulary::verify(&other, &RustCryptoProvider, key.public_key()).unwrap();
    let policy = Policy::verify(&policy, &RustCryptoProvider, key.public_key()).unwrap();
    let err = CompiledPolicy::from_verified(&policy, &other).unwrap_err();
    assert!(
        matches!(err, CompileError::VocabularyMismatch { .. }),
        "{err}"
    );
}

#[test]
fn policy_verified_under_wrong_key_rejected() {
    let (key, kid) = common::signer();
    let stranger = SigningKey::derive_from_seed(KeyKind::P256, b"stranger", "key").unwrap();
    let policy = common::gbr_policy().sign(&key, &kid).unwrap();
    let err = Policy::verify(&policy, &RustCryptoProvider, stranger.public_key()).unwrap_err();
    assert!(
        matches!(err, FormatError::Envelope(CoseError::Signature { .. })),
        "{err}"
    );
}

#[test]
fn tampered_policy_payload_rejected() {
    let (key, kid) = common::signer();
    let mut policy = common::gbr_policy().sign(&key, &kid).unwrap();
    // Flip a byte inside the rule ids, which lie in the payload.
    let needle = b"lead-writes";
    let at = policy
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    policy[at] ^= 0x01;
    let err = Policy::verify(&policy, &RustCryptoProvider, key.public_key()).unwrap_err();
    assert!(matches!(err, FormatError::Envelope(_)), "{err}");
}

#[test]
fn vocabulary_envelope_read_as_policy_rejected() {
    let (key, kid) = common::signer();
    let vocabulary = common::gbr_vocabulary().sign(&key, &kid).unwrap();
    let err = Policy::verify(&vocabulary, &RustCryptoProvider, key.public_key()).unwrap_err();
    assert!(
        matches!(err, FormatError::Envelope(CoseError::ContentType { .. })),
        "{err}"
    );
}

#[test]
fn invalid_policy_refused_for_signing() {
    let (key, kid) = common::signer();
    let mut policy = common::gbr_policy();
    policy.validity.not_after = policy.validity.not_before;
    let err = policy.sign(&key, &kid).unwrap_err();
    assert!(matches!(err, FormatError::Invalid(_)), "{err}");
}
