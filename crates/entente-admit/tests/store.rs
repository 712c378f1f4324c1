//! The admission store against a model: whatever the order and grouping of
//! the entries recorded, a document's stored version never goes down, and
//! of two artifacts offered at the same version the first one recorded
//! stays.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::HashMap;

use entente_admit::{AdmissionStore, ArtifactKind, DocumentKey, StoredVersion};
use entente_core::{ArtifactId, AuthorityId, Digest256, Version};
use proptest::prelude::*;

fn key(authority: u8, kind: bool, id: u8) -> DocumentKey {
    DocumentKey {
        authority: AuthorityId::from_digest(Digest256::sha256(&[authority])),
        kind: if kind {
            ArtifactKind::Policy
        } else {
            ArtifactKind::Vocabulary
        },
        id: format!("doc-{id}"),
    }
}

fn version(version: u64, artifact: u8) -> StoredVersion {
    StoredVersion {
        version: Version(version),
        artifact: ArtifactId::from_digest(Digest256::sha256(&[artifact])),
    }
}

/// What the store must hold after `calls`, entry by entry in order.
fn model(calls: &[Vec<(DocumentKey, StoredVersion)>]) -> HashMap<DocumentKey, StoredVersion> {
    let mut held: HashMap<DocumentKey, StoredVersion> = HashMap::new();
    for (key, offered) in calls.iter().flatten() {
        match held.get(key) {
            Some(current) if current.version >= offered.version => {}
            _ => {
                held.insert(key.clone(), *offered);
            }
        }
    }
    held
}

#[test]
fn lower_and_substituted_versions_in_one_call_rejected() {
    let mut store = AdmissionStore::in_memory().unwrap();
    let doc = key(1, true, 1);
    store.record(&[(doc.clone(), version(5, 1))]).unwrap();
    // Lower, then same version with another artifact, then a tie between
    // two new artifacts at a higher version: the first of the tie stays.
    store
        .record(&[
            (doc.clone(), version(4, 2)),
            (doc.clone(), version(5, 3)),
            (doc.clone(), version(7, 4)),
            (doc.clone(), version(7, 5)),
        ])
        .unwrap();
    assert_eq!(store.get(&doc).unwrap(), Some(version(7, 4)));
    store.record(&[(doc.clone(), version(6, 6))]).unwrap();
    assert_eq!(store.get(&doc).unwrap(), Some(version(7, 4)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn stored_versions_follow_the_model_accepted(
        calls in prop::collection::vec(
            prop::collection::vec((0u8..2, any::<bool>(), 0u8..6, 0u64..5, 0u8..3), 0..12),
            1..5,
        )
    ) {
        let calls: Vec<Vec<(DocumentKey, StoredVersion)>> = calls
            .into_iter()
            .map(|call| {
                call.into_iter()
                    .map(|(a, k, id, v, art)| (key(a, k, id), version(v, art)))
                    .collect()
            })
            .collect();
        let mut store = AdmissionStore::in_memory().unwrap();
        for call in &calls {
            store.record(call).unwrap();
        }
        let expected = model(&calls);
        prop_assert_eq!(store.len().unwrap(), expected.len());
        for (key, held) in &expected {
            prop_assert_eq!(store.get(key).unwrap(), Some(*held));
        }
    }
}
