//! Log and witness keys bound to a partner's X.509 hierarchy: the identity
//! comes from a chain validated under the audit-log or witness profile.
#![allow(clippy::unwrap_used)]

use entente_audit::{LogIdentity, NoteError, WitnessIdentity};
use entente_core::{KeyKind, RustCryptoProvider, Signer as _, SigningKey, UnixTime, Validity};
use entente_x509::{
    Budget, CertificateParams, EkuOids, PolicyInputs, Profile, TrustAnchor, ValidationOptions, dn,
    issue, issue_root, validate,
};

const T0: u64 = 1_800_000_000;

fn chain_for(
    profile: &Profile,
    eku: entente_x509::Oid,
) -> (entente_x509::VerifiedChain, entente_core::AuthorityId) {
    let root_key = SigningKey::derive_from_seed(KeyKind::P256, b"audit-binding", "root").unwrap();
    let log_key = SigningKey::derive_from_seed(KeyKind::Ed25519, b"audit-binding", "log").unwrap();
    let validity = Validity {
        not_before: UnixTime(T0 - 10),
        not_after: UnixTime(T0 + 365 * 86_400),
    };
    let root = issue_root(
        &CertificateParams::ca(dn("CN=GBR Root").unwrap(), 1, validity, None),
        &root_key,
    )
    .unwrap();
    let leaf = issue(
        &CertificateParams::leaf(dn("CN=GBR audit log").unwrap(), 2, validity, vec![eku]),
        log_key.public_key(),
        &root,
        &root_key,
    )
    .unwrap();
    let inputs = PolicyInputs::default();
    let options = ValidationOptions {
        time: UnixTime(T0),
        policy: &inputs,
        revocation: None,
        budget: Budget::default(),
        provider: &RustCryptoProvider,
    };
    let anchor = TrustAnchor::new(root);
    let id = anchor.authority_id();
    (
        validate(&leaf, &[], &[anchor], profile, &options).unwrap(),
        id,
    )
}

#[test]
fn log_key_certified_under_audit_log_profile_accepted() {
    let oids = EkuOids::default();
    let profile = Profile::audit_log(&oids);
    let (chain, authority) = chain_for(&profile, oids.audit_log.clone());
    let identity = LogIdentity::from_chain("gbr.example/audit", &chain, &profile).unwrap();
    assert_eq!(identity.authority, authority);
    assert_eq!(identity.key.kind(), KeyKind::Ed25519);
}

#[test]
fn witness_credential_used_as_log_key_rejected() {
    let oids = EkuOids::default();
    let witness = Profile::witness(&oids);
    let (chain, _) = chain_for(&witness, oids.witness.clone());
    assert!(WitnessIdentity::from_chain("gbr.example/witness", &chain, &witness).is_ok());
    assert_eq!(
        LogIdentity::from_chain("gbr.example/audit", &chain, &Profile::audit_log(&oids))
            .unwrap_err(),
        NoteError::Profile {
            expected: "audit-log".into(),
            found: "witness".into()
        }
    );
}
