//! The fuzz oracle runs on a valid translation and writes the seed corpus's
//! first entry when asked.
#![allow(clippy::unwrap_used)]

use entente_core::{UnixTime, Validity, Version};
use entente_policy::Scope;
use entente_translate::oracle::{apply, vocabularies, vocabulary_id};
use entente_translate::{Direction, Lossiness, TermPair, Translation, VocabularyRef};

#[test]
fn oracle_accepts_a_valid_translation() {
    let (a, b) = vocabularies();
    let pair = |s: &str, t: &str| TermPair {
        source: s.into(),
        target: t.into(),
    };
    let translation = Translation {
        id: "seed".into(),
        version: Version(1),
        source: VocabularyRef {
            authority: a.authority,
            vocabulary: vocabulary_id("A"),
        },
        target: VocabularyRef {
            authority: b.authority,
            vocabulary: vocabulary_id("B"),
        },
        direction: Direction::SourceToTarget,
        levels: vec![
            pair("A-L0", "B-L0"),
            pair("A-L1", "B-L1"),
            pair("A-L2", "B-L1"),
        ],
        categories: vec![pair("A-C0", "B-C0"), pair("A-C1", "B-C0")],
        actions: vec![pair("A-a0", "B-a0"), pair("A-a1", "B-a1")],
        lossy: Lossiness {
            levels: true,
            categories: true,
            actions: false,
        },
        scope: Scope::Any,
        validity: Validity {
            not_before: UnixTime(0),
            not_after: UnixTime(10),
        },
    };
    assert!(
        translation
            .resolve(&a, vocabulary_id("A"), &b, vocabulary_id("B"))
            .is_ok()
    );
    let bytes = entente_core::cbor::to_vec(&translation).unwrap();
    apply(&bytes);
    if let Ok(dir) = std::env::var("ENTENTE_WRITE_SEEDS") {
        std::fs::write(std::path::Path::new(&dir).join("valid-translation"), &bytes).unwrap();
    }
}
