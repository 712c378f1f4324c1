//! The translation document: a signed mapping from one vocabulary to another.

use entente_core::cose::{self, Envelope, VerifiedEnvelope};
use entente_core::{
    ArtifactId, AuthorityId, CryptoProvider, Digest256, Document, PublicKey, Signer, Validity,
    Version,
};
use entente_policy::{Scope, Vocabulary};
use serde::{Deserialize, Serialize};

use crate::error::TranslationError;
use crate::map::TermMap;

/// A mapping from the source authority's vocabulary (`A`, whose policies are
/// applied) to the target authority's vocabulary (`B`, in whose terms
/// requests arrive): how each of A's terms reads in B.
///
/// A translation is only ever applied conservatively ([`crate::TranslatedPolicy`]):
/// a request in B's terms is permitted only if A's policy permits every
/// A-request that reads as it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Translation {
    /// The translation's name within its signers' practice.
    pub id: String,
    /// Version; versions of one translation increase strictly.
    pub version: Version,
    /// The vocabulary mapped from (A).
    pub source: VocabularyRef,
    /// The vocabulary mapped to (B).
    pub target: VocabularyRef,
    /// Which way the translation may be used.
    pub direction: Direction,
    /// Level pairs: A-level → B-level. Must be monotone in both vocabularies'
    /// orders.
    pub levels: Vec<TermPair>,
    /// Category pairs: A-category → B-category.
    pub categories: Vec<TermPair>,
    /// Action pairs: A-action → B-action.
    pub actions: Vec<TermPair>,
    /// What the signers declare to be lossy; a map that loses information
    /// where none is declared is refused.
    pub lossy: Lossiness,
    /// The operations in which the translation may be used.
    pub scope: Scope,
    /// When the translation may be used.
    pub validity: Validity,
}

impl Document for Translation {
    const CONTENT_TYPE: &'static str = "application/vnd.entente.translation+cbor";
}

/// A signed vocabulary, named by its authority and artifact identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabularyRef {
    /// The vocabulary's authority.
    pub authority: AuthorityId,
    /// The signed vocabulary's artifact identity.
    pub vocabulary: ArtifactId,
}

/// One mapped term: `source` in A reads as `target` in B.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermPair {
    /// The term in the source vocabulary.
    pub source: String,
    /// The term in the target vocabulary.
    pub target: String,
}

/// Which way a translation may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Only to apply A's policies to requests in B's terms.
    SourceToTarget,
    /// Both ways; every map must then be a bijection, so that the inverse
    /// is itself a lossless translation.
    Both,
}

/// Which maps the signers declare lossy (not a bijection between the two
/// vocabularies' terms of that kind).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lossiness {
    /// Several A-levels share a B-level, or some level has no counterpart.
    pub levels: bool,
    /// Categories merge or have no counterpart.
    pub categories: bool,
    /// Actions merge or have no counterpart.
    pub actions: bool,
}

impl Translation {
    /// Checks the translation against the two vocabularies it names and
    /// resolves it to indices: every term exists, each source term is mapped
    /// at most once, the level map is monotone, undeclared loss is absent,
    /// and a two-way translation is a bijection.
    ///
    /// Signing and verifying both call this, so a non-monotone map can
    /// neither be signed nor admitted.
    pub fn resolve(
        &self,
        source: &Vocabulary,
        source_id: ArtifactId,
        target: &Vocabulary,
        target_id: ArtifactId,
    ) -> Result<TermMap, TranslationError> {
        if self.source.vocabulary != source_id || self.source.authority != source.authority {
            return Err(TranslationError::VocabularyMismatch(crate::Side::Source));
        }
        if self.target.vocabulary != target_id || self.target.authority != target.authority {
            return Err(TranslationError::VocabularyMismatch(crate::Side::Target));
        }
        TermMap::build(self, source, target)
    }

    /// The inverse of a two-way translation (B → A).
    pub fn inverse(&self) -> Result<Self, TranslationError> {
        if self.direction != Direction::Both {
            return Err(TranslationError::OneWay);
        }
        let flip = |pairs: &[TermPair]| {
            pairs
                .iter()
                .map(|p| TermPair {
                    source: p.target.clone(),
                    target: p.source.clone(),
                })
                .collect()
        };
        Ok(Self {
            id: self.id.clone(),
            version: self.version,
            source: self.target,
            target: self.source,
            direction: Direction::Both,
            levels: flip(&self.levels),
            categories: flip(&self.categories),
            actions: flip(&self.actions),
            lossy: self.lossy,
            scope: self.scope.clone(),
            validity: self.validity,
        })
    }

    /// Checks the translation against its vocabularies ([`Translation::resolve`])
    /// and signs it: a tagged `COSE_Sign1` for one signer, a `COSE_Sign` for
    /// several. A translation that does not resolve is never signed.
    pub fn sign(
        &self,
        signers: &[(&dyn Signer, Digest256)],
        source: (&Vocabulary, ArtifactId),
        target: (&Vocabulary, ArtifactId),
    ) -> Result<Vec<u8>, TranslationError> {
        self.resolve(source.0, source.1, target.0, target.1)?;
        match signers {
            [] => Err(TranslationError::Envelope(
                entente_core::CoseError::NoSignature,
            )),
            [(signer, kid)] => cose::sign1(self, *signer, kid).map_err(TranslationError::Envelope),
            several => cose::sign(self, several).map_err(TranslationError::Envelope),
        }
    }

    /// Verifies a signed translation with the signers' keys (in envelope
    /// order, already resolved from their validated certificates) and
    /// resolves it against its vocabularies.
    ///
    /// Whether the signers may translate between these two authorities
    /// (admissibility) is decided by the caller from their certificates.
    pub fn verify(
        envelope: &Envelope,
        provider: &dyn CryptoProvider,
        keys: &[&PublicKey],
        source: (&Vocabulary, ArtifactId),
        target: (&Vocabulary, ArtifactId),
    ) -> Result<(VerifiedEnvelope<Self>, TermMap), TranslationError> {
        let verified = envelope
            .verify::<Self>(provider, keys)
            .map_err(TranslationError::Envelope)?;
        let map = verified
            .document()
            .resolve(source.0, source.1, target.0, target.1)?;
        Ok((verified, map))
    }
}
