//! Helpers shared by the integration tests: the example vocabularies of
//! entente-policy and the DEU → GBR worked translation.
#![allow(dead_code, clippy::unwrap_used)]

use entente_core::{ArtifactId, Digest256, UnixTime, Validity, Version};
use entente_policy::{Scope, Vocabulary};
use entente_translate::{Direction, Lossiness, TermPair, Translation, VocabularyRef};

pub(crate) const VALIDITY: Validity = Validity {
    not_before: UnixTime(0),
    not_after: UnixTime(2_000_000_000),
};

/// An example vocabulary from `entente-policy/examples/vocabularies`.
pub(crate) fn example(name: &str) -> Vocabulary {
    let path = format!(
        "{}/../entente-policy/examples/vocabularies/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    Vocabulary::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A stand-in artifact id for a vocabulary (the digest of its CBOR).
pub(crate) fn id(v: &Vocabulary) -> ArtifactId {
    ArtifactId::from_digest(Digest256::sha256(&v.to_cbor().unwrap()))
}

pub(crate) fn pairs(list: &[(&str, &str)]) -> Vec<TermPair> {
    list.iter()
        .map(|(s, t)| TermPair {
            source: (*s).into(),
            target: (*t).into(),
        })
        .collect()
}

/// DEU's four levels read in GBR's three: lossy and not one to one — both
/// VS-VERTRAULICH and GEHEIM read as SECRET (an illustrative equivalence
/// table in the spirit of bilateral security agreements, not an official one).
pub(crate) fn deu_to_gbr(deu: &Vocabulary, gbr: &Vocabulary) -> Translation {
    Translation {
        id: "deu-gbr".into(),
        version: Version(1),
        source: VocabularyRef {
            authority: deu.authority,
            vocabulary: id(deu),
        },
        target: VocabularyRef {
            authority: gbr.authority,
            vocabulary: id(gbr),
        },
        direction: Direction::SourceToTarget,
        levels: pairs(&[
            ("VS-NUR FÜR DEN DIENSTGEBRAUCH", "OFFICIAL"),
            ("VS-VERTRAULICH", "SECRET"),
            ("GEHEIM", "SECRET"),
            ("STRENG GEHEIM", "TOP SECRET"),
        ]),
        categories: pairs(&[("REL NATO", "REL FVEY")]),
        actions: pairs(&[
            ("read", "read"),
            ("write", "write"),
            ("disseminate", "disseminate"),
        ]),
        lossy: Lossiness {
            levels: true,
            categories: true,
            actions: false,
        },
        scope: Scope::Any,
        validity: VALIDITY,
    }
}
