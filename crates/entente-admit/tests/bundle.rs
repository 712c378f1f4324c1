//! Bundle encoding and its limits: hostile sizes are refused before heavy work.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use entente_admit::{Bundle, BundleError, BundleLimits};
use entente_core::{AuthorityId, Digest256};

fn publisher() -> AuthorityId {
    AuthorityId::from_digest(Digest256::sha256(b"publisher"))
}

#[test]
fn canonical_round_trip_accepted() {
    let mut bundle = Bundle::new(publisher());
    bundle.certificates = vec![vec![0x30, 0x00]];
    bundle.attestations = vec![vec![1; 1000], vec![2; 5]];
    let bytes = bundle.to_cbor().unwrap();
    assert_eq!(Bundle::from_cbor(&bytes).unwrap(), bundle);
    assert_eq!(bundle.item_count(), 3);
}

#[test]
fn oversized_bundle_rejected() {
    let mut bundle = Bundle::new(publisher());
    bundle.policies = vec![vec![0; 4096]];
    let bytes = bundle.to_cbor().unwrap();
    let limits = BundleLimits {
        max_total_bytes: 1024,
        ..BundleLimits::default()
    };
    assert!(matches!(
        Bundle::from_cbor_with_limits(&bytes, limits),
        Err(BundleError::TooLarge { .. })
    ));
}

#[test]
fn oversized_item_rejected() {
    let mut bundle = Bundle::new(publisher());
    bundle.policies = vec![vec![0; 4096]];
    let bytes = bundle.to_cbor().unwrap();
    let limits = BundleLimits {
        max_item_bytes: 1000,
        ..BundleLimits::default()
    };
    assert!(matches!(
        Bundle::from_cbor_with_limits(&bytes, limits),
        Err(BundleError::ItemTooLarge {
            size: 4096,
            limit: 1000
        })
    ));
}

#[test]
fn too_many_items_rejected() {
    let mut bundle = Bundle::new(publisher());
    bundle.certificates = vec![vec![1]; 40];
    bundle.crls = vec![vec![2]; 40];
    let bytes = bundle.to_cbor().unwrap();
    let limits = BundleLimits {
        max_items: 64,
        ..BundleLimits::default()
    };
    assert!(matches!(
        Bundle::from_cbor_with_limits(&bytes, limits),
        Err(BundleError::TooManyItems { limit: 64 })
    ));
}

#[test]
fn huge_declared_array_rejected_before_allocation() {
    // A map with key "certificates" whose array claims 2^32 entries in a
    // few bytes: refused by the pre-scan, nothing allocated for it.
    let mut bytes = vec![0xa1, 0x6c];
    bytes.extend_from_slice(b"certificates");
    bytes.extend_from_slice(&[0x9b, 0, 0, 0, 1, 0, 0, 0, 0]);
    assert!(matches!(
        Bundle::from_cbor(&bytes),
        Err(BundleError::TooManyItems { .. })
    ));
}

#[test]
fn deeply_nested_rejected() {
    // 10,000 nested arrays.
    let mut bytes = vec![0xa1, 0x6c];
    bytes.extend_from_slice(b"certificates");
    bytes.extend(std::iter::repeat_n(0x81u8, 10_000));
    bytes.push(0x40);
    assert!(matches!(
        Bundle::from_cbor(&bytes),
        Err(BundleError::TooDeep { .. })
    ));
}

#[test]
fn non_canonical_and_unknown_fields_rejected() {
    let bundle = Bundle::new(publisher());
    let mut bytes = bundle.to_cbor().unwrap();
    bytes.push(0x00);
    assert!(matches!(
        Bundle::from_cbor(&bytes),
        Err(BundleError::Cbor(_))
    ));
    assert!(matches!(Bundle::from_cbor(&[]), Err(BundleError::Cbor(_))));
    assert!(matches!(
        Bundle::from_cbor(&[0xa0]),
        Err(BundleError::Cbor(_))
    ));
}
