//! Every refusal this crate makes, as typed errors.
//!
//! The enums are exhaustive on purpose (STYLE: "the decision path is
//! exhaustive"): a new way to refuse must be handled by every caller.

use entente_core::{ArtifactId, AuthorityId, CoseError, OperationId, UnixTime};

use crate::attestation::StatementKind;
use crate::declaration::Role;
use crate::equivocation::VerifiedEquivocation;
use crate::resolver::ResolveError;

/// Why a declaration's content is not a well-formed operation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeclarationError {
    /// The operation has an empty name.
    #[error("the operation name is empty")]
    EmptyName,
    /// The operation's name is longer than [`crate::MAX_NAME_LEN`] bytes.
    #[error("operation name of {length} bytes exceeds the limit of {limit}")]
    NameTooLong {
        /// Length found.
        length: usize,
        /// The limit.
        limit: usize,
    },
    /// The operation id is not `OperationId::derive(declarer, name)`.
    #[error("operation id does not derive from the declarer and the name")]
    OperationId,
    /// Roster entries are not in strictly ascending authority order (which
    /// also rules out an authority listed twice).
    #[error("roster entries are duplicated or not sorted by authority")]
    RosterOrder,
    /// The roster does not have exactly one lead.
    #[error("the roster names {found} leads, expected exactly one")]
    LeadCount {
        /// Leads found.
        found: usize,
    },
    /// The roster is larger than [`crate::MAX_ROSTER`].
    #[error("roster of {count} members exceeds the limit of {limit}")]
    RosterTooLarge {
        /// Members listed.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// An explicit threshold below a majority of the non-observing partners.
    #[error("threshold {threshold} is below a majority ({majority}) of the counting partners")]
    ThresholdBelowMajority {
        /// The declared threshold.
        threshold: u32,
        /// The smallest threshold allowed.
        majority: usize,
    },
    /// An explicit threshold above the number of non-observing partners.
    #[error("threshold {threshold} exceeds the {counting} counting partners")]
    ThresholdAboveMembers {
        /// The declared threshold.
        threshold: u32,
        /// Non-observing partners.
        counting: usize,
    },
    /// The validity window is empty.
    #[error("the validity window is empty")]
    EmptyValidity,
    /// The roster-change rules forbid the declared roster itself.
    #[error("the roster-change rules do not admit the declared roster")]
    RulesExcludeRoster,
}

/// Why a lead's roster change is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RosterChangeError {
    /// The declaration does not allow adding partners.
    #[error("the declaration does not allow adding partners")]
    AddNotAllowed,
    /// The declaration does not allow removing partners.
    #[error("the declaration does not allow removing partners")]
    RemoveNotAllowed,
    /// A roster change cannot name a lead; only a handoff moves the lead role.
    #[error("a roster change cannot add a lead")]
    AddsLead,
    /// The lead cannot remove itself.
    #[error("a roster change cannot remove the lead")]
    RemovesLead,
    /// The authority to add is already on the roster.
    #[error("{0:?} is already on the roster")]
    AlreadyMember(AuthorityId),
    /// The authority to remove is not on the roster.
    #[error("{0:?} is not on the roster")]
    NotMember(AuthorityId),
    /// The change is empty or lists more than [`crate::MAX_ROSTER_CHANGE`] entries.
    #[error("a roster change must list between 1 and {limit} changes, found {count}")]
    Size {
        /// Changes listed.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The roster would exceed the declaration's maximum.
    #[error("the roster would have {count} members, more than the {limit} allowed")]
    TooManyMembers {
        /// Members after the change.
        count: usize,
        /// The declared maximum.
        limit: usize,
    },
    /// The roster would have fewer counting partners than the declaration's minimum.
    #[error("the roster would have {count} counting partners, fewer than the {minimum} required")]
    TooFewCounting {
        /// Counting partners after the change.
        count: usize,
        /// The declared minimum.
        minimum: usize,
    },
    /// An explicit threshold would exceed the counting partners.
    #[error("threshold {threshold} would exceed the {counting} counting partners")]
    ThresholdUnreachable {
        /// The declared threshold.
        threshold: u32,
        /// Counting partners after the change.
        counting: usize,
    },
}

/// Why two statements do not prove equivocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EquivocationMismatch {
    /// The statements are about different operations.
    #[error("different operations")]
    Operation,
    /// The statements are for different epochs.
    #[error("different epochs")]
    Epoch,
    /// The statements are for different slots.
    #[error("different slots")]
    Slot,
    /// The statements have different authors.
    #[error("different authors")]
    Author,
    /// The statements say the same thing.
    #[error("the statements say the same thing")]
    SameStatement,
}

/// A refusal by this crate: of an envelope, a statement, a certificate or a
/// proof.
#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    /// The envelope is malformed, has the wrong content type, a signature
    /// that does not verify, or a payload that is not a valid document.
    #[error("envelope: {0}")]
    Envelope(#[source] CoseError),
    /// A signature's `kid` did not resolve to a credential of the needed profile.
    #[error("signature {index}: {source}")]
    Resolve {
        /// Index of the signature in the envelope.
        index: usize,
        /// Why the resolver refused.
        #[source]
        source: ResolveError,
    },
    /// The envelope has the wrong number of signatures for its statement.
    #[error("{found} signatures, expected {expected}")]
    SignerCount {
        /// Signatures expected.
        expected: usize,
        /// Signatures present.
        found: usize,
    },
    /// A handoff that the incoming lead did not sign.
    #[error("handoff is not signed by the incoming lead")]
    MissingIncomingLeadSignature,
    /// The statement names an author other than the authority whose
    /// credential signed it (impersonation).
    #[error("statement claims author {claimed:?} but was signed for {signer:?}")]
    SignerNotAuthor {
        /// The author the statement names.
        claimed: AuthorityId,
        /// The authority the signing credential belongs to.
        signer: AuthorityId,
    },
    /// A handoff's second signature is not by the incoming lead it names.
    #[error("handoff names incoming lead {claimed:?} but was co-signed for {signer:?}")]
    SignerNotIncomingLead {
        /// The incoming lead the handoff names.
        claimed: AuthorityId,
        /// The authority the co-signing credential belongs to.
        signer: AuthorityId,
    },
    /// The declaration's content is not a well-formed operation.
    #[error("declaration: {0}")]
    Declaration(#[from] DeclarationError),
    /// The declaration names a declarer other than the authority whose
    /// operation-declarer credential signed it.
    #[error("declaration claims declarer {claimed:?} but was signed for {signer:?}")]
    DeclarerMismatch {
        /// The declarer the declaration names.
        claimed: AuthorityId,
        /// The authority the signing credential belongs to.
        signer: AuthorityId,
    },
    /// The verification time is outside the operation's validity window.
    #[error("time {at} is outside the operation's validity")]
    OutsideValidity {
        /// The verification time.
        at: UnixTime,
    },
    /// The statement is about another operation (mix-and-match).
    #[error("statement is for operation {found:?}, expected {expected:?}")]
    WrongOperation {
        /// This operation.
        expected: OperationId,
        /// The operation the statement names.
        found: OperationId,
    },
    /// The statement is for an epoch that has ended.
    #[error("statement for epoch {found} but the operation is in epoch {current}")]
    StaleEpoch {
        /// The current epoch.
        current: u64,
        /// The statement's epoch.
        found: u64,
    },
    /// The statement is for an epoch that has not started.
    #[error("statement for future epoch {found}; the operation is in epoch {current}")]
    FutureEpoch {
        /// The current epoch.
        current: u64,
        /// The statement's epoch.
        found: u64,
    },
    /// The author is not on the operation's roster.
    #[error("{0:?} is not on the roster")]
    NotOnRoster(AuthorityId),
    /// The author's role may not make this statement.
    #[error("{authority:?} as {role} may not make a {statement}")]
    RoleViolation {
        /// The author.
        authority: AuthorityId,
        /// The author's role.
        role: Role,
        /// The kind of statement refused.
        statement: StatementKind,
    },
    /// A dispute resolution by someone other than the declared dispute authority.
    #[error("{0:?} is not the operation's dispute authority")]
    NotDisputeAuthority(AuthorityId),
    /// The author was proven to equivocate in this epoch; its statements no
    /// longer count.
    #[error("{authority:?} is excluded from epoch {epoch} for equivocation")]
    Excluded {
        /// The excluded authority.
        authority: AuthorityId,
        /// The epoch it is excluded from.
        epoch: u64,
    },
    /// The statement conflicts with one the same authority made for the same
    /// (operation, epoch, slot): the proof is attached and the authority is
    /// now excluded from the epoch.
    #[error("equivocation by {:?} in epoch {}", .0.authority(), .0.epoch())]
    Equivocation(Box<VerifiedEquivocation>),
    /// A handoff outside the reserved slot [`crate::HANDOFF_SLOT`].
    #[error("handoff in slot {slot}, handoffs use the reserved slot")]
    HandoffSlot {
        /// The slot used.
        slot: u64,
    },
    /// A handoff whose incoming lead is not a supporting partner of the roster.
    #[error("{0:?} cannot take the lead: not a supporting partner")]
    HandoffTarget(AuthorityId),
    /// The lead's roster change breaks the declaration's rules.
    #[error("roster change: {0}")]
    RosterChange(#[from] RosterChangeError),
    /// A dispute resolution for an artifact that is not under dispute.
    #[error("{0:?} is not under dispute")]
    NoOpenDispute(ArtifactId),
    /// The artifact was refused by an upheld dispute.
    #[error("{0:?} was refused by an upheld dispute")]
    ArtifactRefused(ArtifactId),
    /// The artifact is suspended by an open dispute.
    #[error("{0:?} is suspended by an open dispute")]
    ArtifactSuspended(ArtifactId),
    /// A list in a statement exceeds its bound.
    #[error("statement lists {count} items, more than {limit}")]
    StatementTooLarge {
        /// Items listed.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Two statements offered as an equivocation proof do not prove one.
    #[error("not an equivocation: {0}")]
    NotEquivocation(EquivocationMismatch),
    /// A quorum certificate holds a statement that is not an endorsement.
    #[error("a quorum certificate holds a {0}, not an endorsement")]
    NotAnEndorsement(StatementKind),
    /// A quorum certificate mixes endorsements of different artifacts,
    /// operations, epochs or slots.
    #[error("a quorum certificate mixes endorsements of different decisions")]
    CertificateMixed,
    /// A quorum certificate with no endorsements.
    #[error("a quorum certificate has no endorsements")]
    EmptyCertificate,
    /// A quorum certificate with more endorsements than [`crate::MAX_CERTIFICATE_ENDORSEMENTS`].
    #[error("a quorum certificate of {count} endorsements exceeds the limit of {limit}")]
    CertificateTooLarge {
        /// Endorsements present.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// One endorsement of a quorum certificate was refused.
    #[error("endorsement {index}: {source}")]
    CertificateEndorsement {
        /// Index of the endorsement in the certificate.
        index: usize,
        /// Why it was refused.
        #[source]
        source: Box<AttestError>,
    },
    /// Fewer distinct counting authorities endorsed than the threshold.
    #[error("{counted} distinct counting authorities endorsed, {threshold} needed")]
    QuorumNotReached {
        /// Distinct counting authorities.
        counted: usize,
        /// The threshold.
        threshold: usize,
    },
}
