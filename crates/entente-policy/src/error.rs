//! Typed errors: one enum per concern.

use core::fmt;

use entente_core::cbor::CborError;
use entente_core::cose::CoseError;
use entente_core::{ArtifactId, AuthorityId};

/// Which kind of name an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// A vocabulary's id.
    Vocabulary,
    /// A policy's id.
    Policy,
    /// A rule's id.
    Rule,
    /// An alliance tag.
    AllianceTag,
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Vocabulary => "vocabulary id",
            Self::Policy => "policy id",
            Self::Rule => "rule id",
            Self::AllianceTag => "alliance tag",
        })
    }
}

/// Which kind of vocabulary term an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TermKind {
    /// A classification level.
    Level,
    /// A category.
    Category,
    /// An action.
    Action,
}

impl fmt::Display for TermKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Level => "level",
            Self::Category => "category",
            Self::Action => "action",
        })
    }
}

/// Which list an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListField {
    /// The operations of a scope.
    ScopeOperations,
    /// The alliance tags of a scope.
    ScopeAlliances,
    /// A rule's authorities.
    Authorities,
    /// A rule's roles.
    Roles,
    /// A rule's actions.
    Actions,
}

impl fmt::Display for ListField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ScopeOperations => "scope operations",
            Self::ScopeAlliances => "scope alliances",
            Self::Authorities => "authorities",
            Self::Roles => "roles",
            Self::Actions => "actions",
        })
    }
}

/// A document that is inconsistent in itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// An empty id.
    #[error("empty {0}")]
    EmptyId(DocumentKind),
    /// An id longer than [`crate::Limits::MAX_NAME_BYTES`].
    #[error("{kind} of {length} bytes exceeds the limit of {limit}")]
    IdTooLong {
        /// Which id.
        kind: DocumentKind,
        /// Its length.
        length: usize,
        /// The limit.
        limit: usize,
    },
    /// An id with a control character.
    #[error("{0} contains a control character")]
    ControlCharacter(DocumentKind),
    /// More terms of one kind than the limit.
    #[error("{count} {kind} terms exceed the limit of {limit}")]
    TooManyTerms {
        /// Which kind.
        kind: TermKind,
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A term name that is empty, too long or has a control character.
    #[error("invalid {kind} name `{term}`")]
    InvalidTerm {
        /// Which kind.
        kind: TermKind,
        /// The name (cut at the length limit).
        term: String,
    },
    /// A term defined twice.
    #[error("{kind} `{term}` defined twice")]
    DuplicateTerm {
        /// Which kind.
        kind: TermKind,
        /// The name.
        term: String,
    },
    /// A vocabulary without levels.
    #[error("vocabulary defines no level")]
    NoLevels,
    /// A description longer than the limit.
    #[error("description of {length} bytes exceeds the limit of {limit}")]
    DescriptionTooLong {
        /// Its length.
        length: usize,
        /// The limit.
        limit: usize,
    },
    /// A validity window that contains no instant.
    #[error("validity window is empty (not_before is not before not_after)")]
    EmptyValidity,
    /// An `only` list with no element, which would match nothing.
    #[error("empty {field} list{}", rule_suffix(rule))]
    EmptyList {
        /// The rule (empty for the scope).
        rule: String,
        /// Which list.
        field: ListField,
    },
    /// A list longer than [`crate::Limits::MAX_LIST`].
    #[error(
        "list of {count} entries exceeds the limit of {limit}{}",
        rule_suffix(rule)
    )]
    ListTooLong {
        /// The rule (empty for the scope).
        rule: String,
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// More alliance tags than the limit.
    #[error("{count} alliance tags exceed the limit of {limit}")]
    TooManyAlliances {
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// More rules than the limit.
    #[error("{count} rules exceed the limit of {limit}")]
    TooManyRules {
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Two rules with one id.
    #[error("rule id `{rule}` used twice")]
    DuplicateRule {
        /// The id.
        rule: String,
    },
}

fn rule_suffix(rule: &str) -> String {
    if rule.is_empty() {
        String::new()
    } else {
        format!(" in rule `{rule}`")
    }
}

/// A policy that cannot be compiled against its vocabulary.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// The policy is inconsistent in itself.
    #[error("invalid policy: {0}")]
    Policy(#[source] ValidationError),
    /// The vocabulary is inconsistent in itself.
    #[error("invalid vocabulary: {0}")]
    Vocabulary(#[source] ValidationError),
    /// The vocabulary belongs to another authority.
    #[error("policy of authority {policy} uses a vocabulary of authority {vocabulary}")]
    AuthorityMismatch {
        /// The policy's authority.
        policy: AuthorityId,
        /// The vocabulary's authority.
        vocabulary: AuthorityId,
    },
    /// The signed vocabulary is not the one the policy names.
    #[error("policy names vocabulary {expected}, given {found}")]
    VocabularyMismatch {
        /// What the policy names.
        expected: ArtifactId,
        /// What was given.
        found: ArtifactId,
    },
    /// A rule names a term its vocabulary lacks.
    #[error("rule `{rule}` names {kind} `{term}`, which the vocabulary does not define")]
    UnknownTerm {
        /// The rule.
        rule: String,
        /// Which kind of term.
        kind: TermKind,
        /// The unknown term.
        term: String,
    },
    /// A rule whose level bounds admit no level.
    #[error("rule `{rule}` has a minimum level above its maximum level")]
    EmptyLevelRange {
        /// The rule.
        rule: String,
    },
    /// A rule that requires and excludes the same category.
    #[error("rule `{rule}` both requires and excludes category `{term}`")]
    ContradictoryCategories {
        /// The rule.
        rule: String,
        /// The category.
        term: String,
    },
    /// More distinct authorities than the bitset holds.
    #[error("{count} distinct authorities exceed the limit of {limit}")]
    TooManyAuthorities {
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
    },
}

/// A request that cannot be put in the policy's terms. Evaluation turns
/// it into a deny ([`crate::DenyReason::UnknownTerm`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The request names a level, category or action the vocabulary lacks.
    #[error("request names {kind} `{term}`, which the vocabulary does not define")]
    UnknownTerm {
        /// Which kind of term.
        kind: TermKind,
        /// The term.
        term: String,
    },
}

/// A document that cannot be read or written in one of its formats.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// A JSON document larger than [`crate::Limits::MAX_JSON_BYTES`].
    #[error("json document of {size} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not valid JSON for the format.
    #[error("json: {0}")]
    Json(#[source] serde_json::Error),
    /// Not valid canonical CBOR for the format.
    #[error("cbor: {0}")]
    Cbor(#[source] CborError),
    /// Not a valid signed envelope, or a signature that does not verify.
    #[error("envelope: {0}")]
    Envelope(#[source] CoseError),
    /// Well-formed, but inconsistent in itself.
    #[error("invalid document: {0}")]
    Invalid(#[source] ValidationError),
}
