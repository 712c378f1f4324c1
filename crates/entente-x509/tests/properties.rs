//! Property tests: OID encoding round trips, and hostile mutations of a
//! valid chain never panic the decoder or the validator and never validate
//! with a changed signed part.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use entente_core::{KeyKind, Signer as _, SigningKey, UnixTime, Validity};
use entente_x509::*;
use proptest::prelude::*;

const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

proptest! {
    #[test]
    fn dotted_oids_round_trip(first in 0u64..3, second in 0u64..2000, rest in proptest::collection::vec(any::<u64>(), 0..6)) {
        let second = if first < 2 { second % 40 } else { second };
        let mut dotted = format!("{first}.{second}");
        for arc in &rest {
            dotted.push_str(&format!(".{arc}"));
        }
        let oid = Oid::parse(&dotted).unwrap();
        prop_assert_eq!(oid.to_string(), dotted);
        prop_assert_eq!(Oid::from_content(oid.as_bytes()).unwrap(), oid);
    }
}

struct Fixture {
    root: Certificate,
    leaf: Vec<u8>,
}

fn fixture() -> Fixture {
    let validity = Validity {
        not_before: NOW.saturating_sub(86_400),
        not_after: NOW.saturating_add(86_400),
    };
    let rk = SigningKey::derive_from_seed(KeyKind::P256, b"props", "root").unwrap();
    let lk = SigningKey::derive_from_seed(KeyKind::P256, b"props", "leaf").unwrap();
    let root = issue_root(
        &CertificateParams::ca(dn("CN=Root").unwrap(), 1, validity, None),
        &rk,
    )
    .unwrap();
    let leaf = issue(
        &CertificateParams::leaf(dn("CN=Leaf").unwrap(), 2, validity, vec![]),
        lk.public_key(),
        &root,
        &rk,
    )
    .unwrap();
    Fixture {
        root,
        leaf: leaf.der().to_vec(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn mutated_leaf_never_panics_and_never_validates_changed_bytes(pos in 0usize..2000, xor in 1u8..=255) {
        let f = fixture();
        let mut bytes = f.leaf.clone();
        let pos = pos % bytes.len();
        bytes[pos] ^= xor;
        if let Ok(cert) = Certificate::from_der(&bytes) {
            let inputs = PolicyInputs::default();
            let options = ValidationOptions {
                time: NOW,
                policy: &inputs,
                revocation: None,
                budget: Budget::default(),
                provider: entente_core::default_provider(),
            };
            let result = validate(&cert, &[], &[TrustAnchor::new(f.root.clone())], &Profile::rfc5280(), &options);
            // Only a change outside the signed part and the signature value's
            // meaning (e.g. the outer signature algorithm parameters) could
            // still validate; the TBS bytes must be the original ones then.
            if result.is_ok() {
                let original = Certificate::from_der(&f.leaf).unwrap();
                prop_assert_eq!(cert.to_x509().unwrap().tbs_certificate, original.to_x509().unwrap().tbs_certificate);
            }
        }
    }
}
