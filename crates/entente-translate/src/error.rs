//! Errors.

use entente_policy::TermKind;

/// Which vocabulary of a translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The source vocabulary (A, whose policies apply).
    Source,
    /// The target vocabulary (B, in whose terms requests arrive).
    Target,
}

impl core::fmt::Display for Side {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Source => "source",
            Self::Target => "target",
        })
    }
}

/// Why a translation is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslationError {
    /// The translation names another vocabulary than the one given.
    #[error("the translation's {0} vocabulary is not the one given")]
    VocabularyMismatch(Side),
    /// A term the vocabulary lacks.
    #[error("{side} vocabulary has no {kind} `{term}`")]
    UnknownTerm {
        /// Which vocabulary.
        side: Side,
        /// Which kind of term.
        kind: TermKind,
        /// The term.
        term: String,
    },
    /// A source term mapped twice.
    #[error("source {kind} `{term}` is mapped more than once")]
    DuplicateSource {
        /// Which kind of term.
        kind: TermKind,
        /// The term.
        term: String,
    },
    /// The level map reverses the order of two levels.
    #[error("level map is not monotone: `{lower}` maps above `{higher}`")]
    NonMonotone {
        /// The lower source level.
        lower: String,
        /// The higher source level, which maps below it.
        higher: String,
    },
    /// A map loses information that the translation does not declare lossy.
    #[error("{0} map is lossy but not declared so")]
    UndeclaredLoss(TermKind),
    /// A two-way translation whose maps are not bijections.
    #[error("a two-way translation must map {0}s one to one")]
    NotInvertible(TermKind),
    /// Inverting a one-way translation.
    #[error("the translation is one-way")]
    OneWay,
    /// Composing translations whose vocabularies do not meet.
    #[error("translations do not compose: hop {hop} starts from another vocabulary")]
    Discontinuous {
        /// The index of the hop that does not continue the previous one.
        hop: usize,
    },
    /// More hops than the admitting partner allows.
    #[error("{hops} translation hops exceed the limit of {limit}")]
    TooManyHops {
        /// Hops requested.
        hops: usize,
        /// The limit.
        limit: usize,
    },
    /// No translation to compose.
    #[error("no translation given")]
    Empty,
    /// A vocabulary too large for the bitset representation.
    #[error("{side} vocabulary has more categories than supported")]
    TooManyCategories {
        /// Which vocabulary.
        side: Side,
    },
    /// The policy does not compile against its vocabulary.
    #[error("policy: {0}")]
    Policy(#[source] entente_policy::CompileError),
    /// The envelope could not be made or did not verify.
    #[error("envelope: {0}")]
    Envelope(#[source] entente_core::CoseError),
    /// The policy is written in another vocabulary than the translation's source.
    #[error("the policy's vocabulary is not the translation's source")]
    PolicyVocabulary,
}
