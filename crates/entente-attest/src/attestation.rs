//! Attestations: role-differentiated statements bound to (operation, epoch, slot).

use entente_core::{
    ArtifactId, AuthorityId, CryptoProvider, Digest256, Document, Envelope, OperationId, Signer,
    UnixTime, cose,
};
use serde::{Deserialize, Serialize};

use crate::declaration::RosterEntry;
use crate::error::AttestError;
use crate::resolver::{CredentialPurpose, CredentialResolver};

/// The slot reserved for handoffs and for endorsements of a handoff, so
/// that a lead announcing two handoffs in one epoch, or a partner endorsing
/// two, equivocates.
pub const HANDOFF_SLOT: u64 = u64::MAX;

/// Most assets one contribution lists.
pub const MAX_ASSETS: usize = 256;

/// A partner's signed statement about an operation.
///
/// INVARIANT: (operation, epoch, slot, author) identifies at most one
/// statement; a second, different statement for the same four is
/// equivocation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// The operation.
    pub operation: OperationId,
    /// The epoch (advanced by each handoff).
    pub epoch: u64,
    /// The decision point within the epoch the statement is about.
    pub slot: u64,
    /// The authority making the statement; must be the signer's authority.
    pub author: AuthorityId,
    /// What is stated.
    pub statement: Statement,
}

impl Document for Attestation {
    const CONTENT_TYPE: &'static str = "application/vnd.entente.attestation+cbor";
}

/// What an attestation states. What a role may state is fixed by the role
/// (enforced by [`crate::OperationState::ingest`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Statement {
    /// Assets contributed under a policy (lead and supporting partners).
    Contribution {
        /// The policy the assets are released under.
        policy: ArtifactId,
        /// The assets.
        assets: Vec<ArtifactId>,
    },
    /// Support for an artifact (anyone on the roster; observers do not count).
    Endorsement {
        /// The endorsed artifact.
        artifact: ArtifactId,
    },
    /// A record that something was seen (anyone on the roster).
    Observation {
        /// What was observed.
        subject: ArtifactId,
    },
    /// The lead hands the lead role to `incoming` (the lead only, in
    /// [`HANDOFF_SLOT`], co-signed by `incoming`).
    Handoff {
        /// The incoming lead.
        incoming: AuthorityId,
    },
    /// A challenge that suspends an artifact (lead and supporting partners).
    Dispute {
        /// The disputed artifact.
        artifact: ArtifactId,
    },
    /// The dispute authority's ruling on a disputed artifact.
    DisputeResolution {
        /// The disputed artifact.
        artifact: ArtifactId,
        /// The ruling.
        outcome: DisputeOutcome,
    },
    /// A roster change (the lead only, within the declaration's rules).
    RosterChange {
        /// Partners to add (supporting or observing).
        add: Vec<RosterEntry>,
        /// Partners to remove.
        remove: Vec<AuthorityId>,
    },
}

impl Statement {
    /// The statement's kind.
    pub fn kind(&self) -> StatementKind {
        match self {
            Self::Contribution { .. } => StatementKind::Contribution,
            Self::Endorsement { .. } => StatementKind::Endorsement,
            Self::Observation { .. } => StatementKind::Observation,
            Self::Handoff { .. } => StatementKind::Handoff,
            Self::Dispute { .. } => StatementKind::Dispute,
            Self::DisputeResolution { .. } => StatementKind::DisputeResolution,
            Self::RosterChange { .. } => StatementKind::RosterChange,
        }
    }
}

/// The ruling on a dispute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeOutcome {
    /// The dispute stands: the artifact is refused in the operation.
    Upheld,
    /// The dispute fails: the artifact is restored.
    Dismissed,
}

/// The kind of a [`Statement`], for errors and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatementKind {
    /// [`Statement::Contribution`].
    Contribution,
    /// [`Statement::Endorsement`].
    Endorsement,
    /// [`Statement::Observation`].
    Observation,
    /// [`Statement::Handoff`].
    Handoff,
    /// [`Statement::Dispute`].
    Dispute,
    /// [`Statement::DisputeResolution`].
    DisputeResolution,
    /// [`Statement::RosterChange`].
    RosterChange,
}

impl core::fmt::Display for StatementKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Contribution => "contribution",
            Self::Endorsement => "endorsement",
            Self::Observation => "observation",
            Self::Handoff => "handoff",
            Self::Dispute => "dispute",
            Self::DisputeResolution => "dispute resolution",
            Self::RosterChange => "roster change",
        })
    }
}

impl Attestation {
    /// Signs the attestation with the author's attester credential.
    ///
    /// A handoff becomes a `COSE_Sign` that the incoming lead then co-signs
    /// with [`cosign_handoff`]; every other statement a `COSE_Sign1`.
    pub fn sign(&self, signer: &dyn Signer, kid: &Digest256) -> Result<Vec<u8>, AttestError> {
        match self.statement {
            Statement::Handoff { .. } => cose::sign(self, &[(signer, *kid)]),
            _ => cose::sign1(self, signer, kid),
        }
        .map_err(AttestError::Envelope)
    }
}

/// Adds the incoming lead's signature to a handoff envelope made by
/// [`Attestation::sign`]. The artifact identity does not change, so
/// endorsements of the handoff can be collected before or after.
pub fn cosign_handoff(
    envelope: &[u8],
    signer: &dyn Signer,
    kid: &Digest256,
) -> Result<Vec<u8>, AttestError> {
    cose::cosign(envelope, signer, kid).map_err(AttestError::Envelope)
}

/// An attestation whose signatures verified under attester credentials and
/// whose author (and, for a handoff, incoming lead) is the authority of the
/// credential that signed it. Only [`verify_attestation`] constructs one.
///
/// It proves who said what; whether the role may say it in this epoch is
/// decided by [`crate::OperationState::ingest`].
#[derive(Clone, Debug)]
pub struct VerifiedAttestation {
    attestation: Attestation,
    artifact_id: ArtifactId,
    kids: Vec<Digest256>,
    bytes: Vec<u8>,
    verified_at: UnixTime,
}

impl VerifiedAttestation {
    /// The verified attestation.
    pub fn attestation(&self) -> &Attestation {
        &self.attestation
    }

    /// The artifact identity of the envelope (not of the signatures).
    pub fn artifact_id(&self) -> ArtifactId {
        self.artifact_id
    }

    /// The key identifiers that signed, in envelope order.
    pub fn kids(&self) -> &[Digest256] {
        &self.kids
    }

    /// The envelope bytes as received.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The time the credentials were checked at.
    pub fn verified_at(&self) -> UnixTime {
        self.verified_at
    }
}

/// Verifies an attestation envelope at time `at`.
///
/// Checks, in order: the envelope parses under entente's COSE profile; it
/// has one signature (two for a handoff: outgoing then incoming lead); every
/// `kid` resolves to an attester credential; every signature verifies and
/// the payload decodes strictly; the author is the first signer's authority
/// and a handoff's incoming lead the second's.
pub fn verify_attestation(
    bytes: &[u8],
    resolver: &dyn CredentialResolver,
    provider: &dyn CryptoProvider,
    at: UnixTime,
) -> Result<VerifiedAttestation, AttestError> {
    let envelope = Envelope::from_slice(bytes).map_err(AttestError::Envelope)?;
    let infos = envelope.signatures();
    if infos.len() > 2 {
        return Err(AttestError::SignerCount {
            expected: 1,
            found: infos.len(),
        });
    }
    let mut signers = Vec::with_capacity(infos.len());
    for (index, info) in infos.iter().enumerate() {
        let signer = resolver
            .resolve(&info.kid, CredentialPurpose::Attester, at)
            .map_err(|source| AttestError::Resolve { index, source })?;
        signers.push(signer);
    }
    let keys: Vec<_> = signers.iter().map(|s| &s.key).collect();
    let verified = envelope
        .verify::<Attestation>(provider, &keys)
        .map_err(AttestError::Envelope)?;
    let artifact_id = verified.artifact_id();
    let attestation = verified.into_document();
    let (author, incoming) = match (&attestation.statement, signers.as_slice()) {
        (Statement::Handoff { .. }, [_]) => return Err(AttestError::MissingIncomingLeadSignature),
        (Statement::Handoff { incoming }, [author, cosigner]) => {
            if cosigner.authority != *incoming {
                return Err(AttestError::SignerNotIncomingLead {
                    claimed: *incoming,
                    signer: cosigner.authority,
                });
            }
            (author, Some(*incoming))
        }
        (_, [author]) => (author, None),
        (_, _) => {
            return Err(AttestError::SignerCount {
                expected: 1,
                found: signers.len(),
            });
        }
    };
    // INVARIANT: a statement's author is the authority of the credential
    // that signed it; impersonation with one's own key stops here.
    if author.authority != attestation.author {
        return Err(AttestError::SignerNotAuthor {
            claimed: attestation.author,
            signer: author.authority,
        });
    }
    if incoming == Some(attestation.author) {
        // One authority cannot hand the lead to itself, nor sign twice as
        // two parties with two credentials.
        return Err(AttestError::SignerNotIncomingLead {
            claimed: attestation.author,
            signer: attestation.author,
        });
    }
    if let Statement::Contribution { assets, .. } = &attestation.statement {
        if assets.len() > MAX_ASSETS {
            return Err(AttestError::StatementTooLarge {
                count: assets.len(),
                limit: MAX_ASSETS,
            });
        }
    }
    Ok(VerifiedAttestation {
        attestation,
        artifact_id,
        kids: infos.iter().map(|info| info.kid).collect(),
        bytes: bytes.to_vec(),
        verified_at: at,
    })
}
