//! Quorum counting and quorum certificates.

use std::collections::BTreeSet;

use entente_core::{ArtifactId, AuthorityId, OperationId};

use crate::declaration::Roster;

/// Most endorsements one certificate may carry: two per roster member is
/// already redundant; the bound caps the signature checks a hostile
/// certificate can cost.
pub const MAX_CERTIFICATE_ENDORSEMENTS: usize = 2 * crate::declaration::MAX_ROSTER;

/// The result of counting endorsers against the roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Distinct counting authorities among the endorsers.
    pub counted: usize,
    /// The threshold they must reach.
    pub threshold: usize,
}

impl Tally {
    /// Whether the threshold is reached.
    pub fn reached(&self) -> bool {
        self.counted >= self.threshold
    }
}

/// Counts `endorsers` against `roster`, leaving out `excluded` authorities.
///
/// INVARIANT: this is the only function in entente-attest that counts
/// toward a quorum (STYLE: "count thresholds in exactly one function over a
/// set of unique authorities"). It takes a set, so an authority cannot be
/// counted twice whatever number of keys, certificates or envelopes it used;
/// it counts only roster members whose role counts (never observers) and
/// never an authority excluded for equivocation.
pub fn tally(
    roster: &Roster,
    excluded: &BTreeSet<AuthorityId>,
    endorsers: &BTreeSet<AuthorityId>,
) -> Tally {
    let counted = endorsers
        .iter()
        .filter(|authority| !excluded.contains(authority))
        .filter(|authority| {
            roster
                .role(authority)
                .is_some_and(|role| role.counts_toward_quorum())
        })
        .count();
    Tally {
        counted,
        threshold: roster.threshold(),
    }
}

/// Endorsement envelopes of one artifact, collected by anyone, to be
/// verified with [`crate::OperationState::verify_certificate`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuorumCertificate {
    endorsements: Vec<Vec<u8>>,
}

impl QuorumCertificate {
    /// A certificate from endorsement envelopes.
    pub fn new(endorsements: Vec<Vec<u8>>) -> Self {
        Self { endorsements }
    }

    /// The endorsement envelopes.
    pub fn endorsements(&self) -> &[Vec<u8>] {
        &self.endorsements
    }
}

/// A quorum certificate whose endorsements all verified and whose distinct
/// counting authorities reach the threshold. Only verification constructs one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedQuorumCertificate {
    pub(crate) operation: OperationId,
    pub(crate) epoch: u64,
    pub(crate) slot: u64,
    pub(crate) artifact: ArtifactId,
    pub(crate) endorsers: BTreeSet<AuthorityId>,
    pub(crate) tally: Tally,
}

impl VerifiedQuorumCertificate {
    /// The operation.
    pub fn operation(&self) -> OperationId {
        self.operation
    }

    /// The epoch.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The slot.
    pub fn slot(&self) -> u64 {
        self.slot
    }

    /// The certified artifact.
    pub fn artifact(&self) -> ArtifactId {
        self.artifact
    }

    /// Every authority whose endorsement verified (counting or not).
    pub fn endorsers(&self) -> &BTreeSet<AuthorityId> {
        &self.endorsers
    }

    /// The count that reached the threshold.
    pub fn tally(&self) -> Tally {
        self.tally
    }
}
