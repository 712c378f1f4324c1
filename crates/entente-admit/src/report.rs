//! The admission report: every admitted artifact, a typed rejection for
//! every refused one, and the work counters.

use std::sync::Arc;

use entente_attest::AttestError;
use entente_core::{ArtifactId, AuthorityId, CoseError, Digest256, Version};
use entente_policy::CompileError;
use entente_translate::{Refusal, TranslationError};
use entente_x509::{DecodeError, ValidationError};
use serde::{Deserialize, Serialize};

use crate::config::Provision;
use crate::event::EventKind;

/// The kind of an item in a bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactKind {
    /// A certificate (DER).
    Certificate,
    /// A CRL (DER).
    Crl,
    /// A signed vocabulary.
    Vocabulary,
    /// A signed policy.
    Policy,
    /// A signed translation.
    Translation,
    /// A signed operation declaration.
    Declaration,
    /// A signed attestation.
    Attestation,
}

impl ArtifactKind {
    /// The provision an authority needs to publish this kind; `None` for
    /// certificates and CRLs, which every authority publishes.
    pub fn provision(self) -> Option<Provision> {
        match self {
            Self::Certificate | Self::Crl => None,
            Self::Vocabulary => Some(Provision::Vocabularies),
            Self::Policy => Some(Provision::Policies),
            Self::Translation => Some(Provision::Translations),
            Self::Declaration => Some(Provision::Declarations),
            Self::Attestation => Some(Provision::Attestations),
        }
    }

    pub(crate) fn code_byte(self) -> u8 {
        match self {
            Self::Certificate => 1,
            Self::Crl => 2,
            Self::Vocabulary => 3,
            Self::Policy => 4,
            Self::Translation => 5,
            Self::Declaration => 6,
            Self::Attestation => 7,
        }
    }
}

impl core::fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Certificate => "certificate",
            Self::Crl => "CRL",
            Self::Vocabulary => "vocabulary",
            Self::Policy => "policy",
            Self::Translation => "translation",
            Self::Declaration => "declaration",
            Self::Attestation => "attestation",
        })
    }
}

/// An admitted signed artifact.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AdmittedArtifact {
    /// Its identity.
    pub id: ArtifactId,
    /// What it is.
    pub kind: ArtifactKind,
    /// The authority it speaks for (its publisher).
    pub authority: AuthorityId,
    /// The document id (operation id in hex for declarations and
    /// attestations).
    pub doc_id: String,
    /// The document version (the epoch for declarations and attestations).
    pub version: Version,
}

/// Where a refused item sat.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemRef {
    /// Index of the bundle in the slice given to `admit`.
    pub bundle: usize,
    /// The item's kind (its list in the bundle).
    pub kind: ArtifactKind,
    /// Index in that list.
    pub index: usize,
}

/// A refused item.
#[derive(Clone, Debug)]
pub struct Rejection {
    /// The artifact id, when the envelope parsed far enough to have one;
    /// for certificates and CRLs, the SHA-256 of the DER.
    pub artifact: Option<ArtifactId>,
    /// Where it was.
    pub item: ItemRef,
    /// The bundle's publisher.
    pub publisher: AuthorityId,
    /// Why it was refused.
    pub reason: RejectReason,
}

impl Rejection {
    /// The item's kind.
    pub fn kind(&self) -> ArtifactKind {
        self.item.kind
    }
}

/// Why an item was refused. Exhaustive on purpose: a new failure mode must
/// be handled everywhere.
#[derive(Clone, Debug, thiserror::Error)]
pub enum RejectReason {
    /// The bundle's publisher is not an admitted authority.
    #[error("publisher {0} is not an admitted authority")]
    UnadmittedAuthority(AuthorityId),
    /// The publisher may not provide this kind of artifact.
    #[error("the publisher may not provide {0}")]
    NotProvided(Provision),
    /// A certificate or CRL does not decode.
    #[error("does not decode: {0}")]
    Der(#[source] DecodeError),
    /// The COSE envelope is malformed or outside entente's profile.
    #[error("malformed envelope: {0}")]
    Envelope(#[source] CoseError),
    /// No certificate in the publisher's bundle has the signer's `kid`.
    #[error("no certificate in the publisher's bundle for signer {0}")]
    UnknownSigner(Digest256),
    /// The signer does not chain to the publisher's roots (it claims an
    /// authority it does not belong to).
    #[error("signer {kid} does not chain to {claimed}: {source}")]
    Impersonation {
        /// The signer.
        kid: Digest256,
        /// The authority the artifact claims.
        claimed: AuthorityId,
        /// The path validation failure.
        #[source]
        source: Arc<ValidationError>,
    },
    /// A certificate on the signer's path is revoked.
    #[error("signer {kid} is revoked: {source}")]
    Revoked {
        /// The signer.
        kid: Digest256,
        /// The path validation failure.
        #[source]
        source: Arc<ValidationError>,
    },
    /// The revocation data is older than the admission policy allows, or
    /// missing (freeze defence): the artifact is frozen out.
    #[error("revocation data for signer {kid} is stale or missing: {source}")]
    StaleRevocation {
        /// The signer.
        kid: Digest256,
        /// The path validation failure.
        #[source]
        source: Arc<ValidationError>,
    },
    /// The signer's credential lacks the profile for this kind of artifact
    /// (e.g. a translator key signing a policy).
    #[error("signer {kid} lacks the {profile} profile: {source}")]
    RoleViolation {
        /// The signer.
        kid: Digest256,
        /// The profile required.
        profile: &'static str,
        /// The path validation failure.
        #[source]
        source: Arc<ValidationError>,
    },
    /// Another path validation failure (expiry, constraints, budget, ...).
    #[error("signer {kid}: {source}")]
    Chain {
        /// The signer.
        kid: Digest256,
        /// The failure.
        #[source]
        source: Arc<ValidationError>,
    },
    /// A signature does not verify (forged or corrupted).
    #[error("signature does not verify: {0}")]
    ForgedSignature(#[source] CoseError),
    /// The signatures verified but the document is invalid.
    #[error("invalid document: {0}")]
    Document(#[source] CoseError),
    /// The document fails its own validation rules.
    #[error("invalid document: {0}")]
    Invalid(#[source] Arc<entente_policy::ValidationError>),
    /// The artifact in this publisher's bundle speaks for another
    /// authority: trust stores are never merged.
    #[error("artifact for {claimed} in the bundle of {publisher} (merged or foreign artifact)")]
    ForeignArtifact {
        /// The bundle's publisher.
        publisher: AuthorityId,
        /// The authority the artifact claims.
        claimed: AuthorityId,
    },
    /// The artifact's scope is outside what the partner admits its
    /// authority for (mix-and-match).
    #[error("scope outside the operations the authority is admitted for")]
    MixAndMatch,
    /// A lower version than one admitted before (rollback).
    #[error("version {offered} is below the admitted {admitted}")]
    Rollback {
        /// The version admitted before.
        admitted: Version,
        /// The version offered.
        offered: Version,
    },
    /// The admitted version again with different content (rollback by
    /// substitution), or two contents for one version in one admission.
    #[error("version {version} with content other than {admitted}")]
    Substitution {
        /// The version.
        version: Version,
        /// The artifact admitted (or competing) at that version.
        admitted: ArtifactId,
    },
    /// A newer version of the same document is in the same admission.
    #[error("superseded by version {0} in the same admission")]
    Superseded(Version),
    /// The same artifact appears earlier in the admission.
    #[error("duplicate of an artifact already considered")]
    Duplicate,
    /// A vocabulary the document needs is not admitted.
    #[error("vocabulary {0} is not admitted")]
    MissingVocabulary(ArtifactId),
    /// The policy does not compile against its vocabulary.
    #[error("policy does not compile: {0}")]
    Compile(#[source] Arc<CompileError>),
    /// The translation is refused by entente-translate's admissibility.
    #[error("translation refused: {0}")]
    Translation(#[source] Arc<Refusal>),
    /// The translation would widen (non-monotone levels, undeclared loss,
    /// a two-way map that is not a bijection).
    #[error("translation is not conservative: {0}")]
    TranslationWidening(#[source] Arc<TranslationError>),
    /// A translation between authorities neither of which is the publisher,
    /// by a publisher not named as their coordinator.
    #[error("the publisher is neither a domain of this translation nor a named coordinator")]
    NotTranslationParty,
    /// The declaration or attestation is refused by entente-attest.
    #[error("operation statement refused: {0}")]
    Attest(#[source] Arc<AttestError>),
    /// An attestation for an operation whose declaration is not admitted.
    #[error("no admitted declaration for the operation")]
    UnknownOperation,
    /// The author equivocated (two statements for one slot).
    #[error("equivocation: {0}")]
    Equivocation(#[source] Arc<AttestError>),
    /// The artifact is disputed and suspended (or the dispute was upheld).
    #[error("disputed in an operation")]
    Disputed,
}

impl RejectReason {
    /// A stable machine-readable code (used as the audit-log reason).
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnadmittedAuthority(_) => "unadmitted_authority",
            Self::NotProvided(_) => "not_provided",
            Self::Der(_) => "malformed_der",
            Self::Envelope(_) => "malformed_envelope",
            Self::UnknownSigner(_) => "unknown_signer",
            Self::Impersonation { .. } => "impersonation",
            Self::Revoked { .. } => "revoked_credential",
            Self::StaleRevocation { .. } => "stale_revocation",
            Self::RoleViolation { .. } => "role_violation",
            Self::Chain { .. } => "chain",
            Self::ForgedSignature(_) => "forged_signature",
            Self::Document(_) => "invalid_document",
            Self::Invalid(_) => "invalid_document",
            Self::ForeignArtifact { .. } => "foreign_artifact",
            Self::MixAndMatch => "mix_and_match",
            Self::Rollback { .. } => "rollback",
            Self::Substitution { .. } => "rollback_substitution",
            Self::Superseded(_) => "superseded",
            Self::Duplicate => "duplicate",
            Self::MissingVocabulary(_) => "missing_vocabulary",
            Self::Compile(_) => "policy_compile",
            Self::Translation(_) => "translation_refused",
            Self::TranslationWidening(_) => "translation_widening",
            Self::NotTranslationParty => "not_translation_party",
            Self::Attest(_) => "attest",
            Self::UnknownOperation => "unknown_operation",
            Self::Equivocation(_) => "equivocation",
            Self::Disputed => "disputed",
        }
    }

    /// The integrity event this rejection is evidence of, if it is one.
    pub fn integrity_event(&self) -> Option<EventKind> {
        Some(match self {
            Self::UnadmittedAuthority(_) => EventKind::UnadmittedAuthority,
            Self::Impersonation { .. } | Self::ForeignArtifact { .. } => EventKind::Impersonation,
            Self::Revoked { .. } => EventKind::RevokedCredential,
            Self::StaleRevocation { .. } => EventKind::StaleRevocation,
            Self::RoleViolation { .. } | Self::NotProvided(_) | Self::NotTranslationParty => {
                EventKind::RoleViolation
            }
            Self::ForgedSignature(_) => EventKind::ForgedSignature,
            Self::MixAndMatch => EventKind::MixAndMatch,
            Self::Rollback { .. } | Self::Substitution { .. } => EventKind::Rollback,
            Self::TranslationWidening(_) => EventKind::TranslationWidening,
            Self::Equivocation(_) => EventKind::Equivocation,
            Self::Translation(refusal) => match refusal.as_ref() {
                Refusal::Revoked { .. } => EventKind::RevokedCredential,
                Refusal::SingleDomain { .. } => EventKind::RoleViolation,
                Refusal::NotCertified { .. } => EventKind::Impersonation,
                Refusal::UnadmittedAuthority(_) => EventKind::UnadmittedAuthority,
                _ => return None,
            },
            Self::Attest(error) => match error.as_ref() {
                AttestError::SignerNotAuthor { .. }
                | AttestError::DeclarerMismatch { .. }
                | AttestError::SignerNotIncomingLead { .. } => EventKind::Impersonation,
                AttestError::RoleViolation { .. } | AttestError::NotDisputeAuthority(_) => {
                    EventKind::RoleViolation
                }
                AttestError::WrongOperation { .. } => EventKind::MixAndMatch,
                _ => return None,
            },
            Self::Der(_)
            | Self::Envelope(_)
            | Self::UnknownSigner(_)
            | Self::Chain { .. }
            | Self::Document(_)
            | Self::Invalid(_)
            | Self::Superseded(_)
            | Self::Duplicate
            | Self::MissingVocabulary(_)
            | Self::Compile(_)
            | Self::UnknownOperation
            | Self::Disputed => return None,
        })
    }
}

/// Work counters of one admission: the benchmarks compare against them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AdmitStats {
    /// Certificate path validations performed (cache misses), including
    /// those entente-translate's admissibility and entente-attest's resolver
    /// ran.
    pub chain_validations: u64,
    /// Signature verifications performed by the crypto provider
    /// (certificates, CRLs and COSE envelopes).
    pub signature_verifications: u64,
    /// Validated chains served from the cache.
    pub chain_cache_hits: u64,
    /// Verified envelopes served from the cache.
    pub envelope_cache_hits: u64,
    /// Items considered.
    pub items: u64,
}

impl AdmitStats {
    /// Every cache hit.
    pub fn cache_hits(&self) -> u64 {
        self.chain_cache_hits + self.envelope_cache_hits
    }
}

/// What one admission decided.
#[derive(Clone, Debug, Default)]
pub struct AdmissionReport {
    /// Every admitted signed artifact, sorted by (authority, kind, doc id,
    /// version, id).
    pub admitted: Vec<AdmittedArtifact>,
    /// Every refused item, sorted by its place in the input.
    pub rejected: Vec<Rejection>,
    /// Work counters.
    pub stats: AdmitStats,
}

impl AdmissionReport {
    /// Whether `id` was admitted.
    pub fn is_admitted(&self, id: &ArtifactId) -> bool {
        self.admitted.iter().any(|a| a.id == *id)
    }

    /// The rejection of `id`, if it was refused.
    pub fn rejection(&self, id: &ArtifactId) -> Option<&Rejection> {
        self.rejected.iter().find(|r| r.artifact == Some(*id))
    }

    /// A deterministic textual summary (admitted ids and kinds, rejections
    /// with their codes), for comparing admissions.
    pub fn summary(&self) -> Vec<String> {
        let admitted = self.admitted.iter().map(|a| {
            format!(
                "+ {} {} {} {} {}",
                a.kind, a.authority, a.doc_id, a.version, a.id
            )
        });
        let rejected = self.rejected.iter().map(|r| {
            format!(
                "- {:?} {:?} {} {}",
                r.item,
                r.artifact,
                r.reason.code(),
                r.reason
            )
        });
        admitted.chain(rejected).collect()
    }
}
