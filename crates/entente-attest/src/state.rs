//! One partner's view of an operation, built only from verified statements.

use std::collections::{BTreeMap, BTreeSet};

use entente_core::{ArtifactId, AuthorityId, CryptoProvider, UnixTime};

use crate::attestation::{
    Attestation, DisputeOutcome, HANDOFF_SLOT, Statement, VerifiedAttestation, verify_attestation,
};
use crate::declaration::{Role, Roster, VerifiedDeclaration};
use crate::equivocation::VerifiedEquivocation;
use crate::error::AttestError;
use crate::quorum::{
    MAX_CERTIFICATE_ENDORSEMENTS, QuorumCertificate, Tally, VerifiedQuorumCertificate, tally,
};
use crate::resolver::CredentialResolver;

/// What ingesting an accepted statement did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ingested {
    /// The statement was recorded.
    Recorded,
    /// The same statement (possibly under another key or envelope) was
    /// already recorded; nothing changed.
    Duplicate,
    /// The statement completed a handoff: the operation moved to `epoch`
    /// with `lead` as its lead.
    HandoffCompleted {
        /// The new epoch.
        epoch: u64,
        /// The new lead.
        lead: AuthorityId,
    },
}

/// Where an artifact stands with respect to disputes in this operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArtifactStatus {
    /// Never disputed.
    Undisputed,
    /// Disputed and awaiting the dispute authority's resolution.
    Suspended,
    /// A dispute was upheld: the artifact is refused in this operation.
    Refused,
    /// A dispute was dismissed: the artifact is usable again.
    Restored,
}

/// A decision with a quorum: distinct counting authorities endorsed
/// `artifact` for (`epoch`, `slot`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CertifiedDecision {
    /// The epoch.
    pub epoch: u64,
    /// The slot.
    pub slot: u64,
    /// The certified artifact.
    pub artifact: ArtifactId,
}

#[derive(Clone, Debug)]
struct PendingHandoff {
    artifact: ArtifactId,
    outgoing: AuthorityId,
    incoming: AuthorityId,
}

/// A partner's state of one operation: epoch, lead, roster, endorsements,
/// exclusions and disputes, changed only by [`OperationState::ingest`] of
/// verified statements and [`OperationState::ingest_equivocation`] of
/// verified proofs.
#[derive(Clone, Debug)]
pub struct OperationState {
    declaration: VerifiedDeclaration,
    roster: Roster,
    epoch: u64,
    /// The roster as it stood when each past epoch ended.
    past_rosters: BTreeMap<u64, Roster>,
    /// INVARIANT: at most one statement per (epoch, slot, author).
    statements: BTreeMap<(u64, u64, AuthorityId), VerifiedAttestation>,
    excluded: BTreeMap<u64, BTreeMap<AuthorityId, VerifiedEquivocation>>,
    endorsements: BTreeMap<(u64, u64, ArtifactId), BTreeSet<AuthorityId>>,
    handoffs: BTreeMap<u64, PendingHandoff>,
    artifacts: BTreeMap<ArtifactId, ArtifactStatus>,
    leads: Vec<(u64, AuthorityId)>,
}

impl OperationState {
    /// The state at the start of a verified operation.
    pub fn new(declaration: VerifiedDeclaration) -> Self {
        let roster = declaration.roster().clone();
        let epoch = declaration.declaration().epoch;
        Self {
            leads: vec![(epoch, roster.lead())],
            roster,
            epoch,
            declaration,
            past_rosters: BTreeMap::new(),
            statements: BTreeMap::new(),
            excluded: BTreeMap::new(),
            endorsements: BTreeMap::new(),
            handoffs: BTreeMap::new(),
            artifacts: BTreeMap::new(),
        }
    }

    /// The verified declaration.
    pub fn declaration(&self) -> &VerifiedDeclaration {
        &self.declaration
    }

    /// The current epoch.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The current lead.
    pub fn lead(&self) -> AuthorityId {
        self.roster.lead()
    }

    /// Each epoch's lead, oldest first.
    pub fn lead_history(&self) -> &[(u64, AuthorityId)] {
        &self.leads
    }

    /// The current roster.
    pub fn roster(&self) -> &Roster {
        &self.roster
    }

    /// The number of distinct counting authorities a quorum needs now.
    pub fn threshold(&self) -> usize {
        self.roster.threshold()
    }

    /// Ingests a verified statement, enforcing roles, epochs and
    /// equivocation rules.
    ///
    /// A second, different statement by one authority for one (epoch, slot)
    /// is refused with [`AttestError::Equivocation`] carrying the proof; the
    /// authority is excluded from the epoch from then on (and its earlier
    /// statements in the epoch stop counting).
    pub fn ingest(&mut self, verified: &VerifiedAttestation) -> Result<Ingested, AttestError> {
        let attestation = verified.attestation();
        self.authorize(attestation, verified.verified_at())?;
        let key = (attestation.epoch, attestation.slot, attestation.author);
        if let Some(previous) = self.statements.get(&key) {
            if previous.attestation().statement == attestation.statement {
                return Ok(Ingested::Duplicate);
            }
            let proof = VerifiedEquivocation::from_pair(previous, verified)?;
            self.exclude(proof.clone());
            return Err(AttestError::Equivocation(Box::new(proof)));
        }
        self.statements.insert(key, verified.clone());
        Ok(self.apply(attestation, verified.artifact_id()))
    }

    /// Records a verified equivocation proof (from a third party or another
    /// partner): the authority's statements in that epoch stop counting.
    pub fn ingest_equivocation(&mut self, proof: VerifiedEquivocation) -> Result<(), AttestError> {
        let expected = self.declaration.declaration().operation;
        if proof.operation() != expected {
            return Err(AttestError::WrongOperation {
                expected,
                found: proof.operation(),
            });
        }
        self.exclude(proof);
        Ok(())
    }

    /// Verifies a quorum certificate for the current epoch against the
    /// current roster and exclusions.
    ///
    /// Refused if any endorsement is refused, if they are not all
    /// endorsements of one artifact for one (operation, epoch, slot), if the
    /// artifact is suspended or refused by a dispute, or if the distinct
    /// counting authorities do not reach the threshold.
    pub fn verify_certificate(
        &self,
        certificate: &QuorumCertificate,
        resolver: &dyn CredentialResolver,
        provider: &dyn CryptoProvider,
        at: UnixTime,
    ) -> Result<VerifiedQuorumCertificate, AttestError> {
        self.check_time(at)?;
        let endorsements = certificate.endorsements();
        if endorsements.len() > MAX_CERTIFICATE_ENDORSEMENTS {
            return Err(AttestError::CertificateTooLarge {
                count: endorsements.len(),
                limit: MAX_CERTIFICATE_ENDORSEMENTS,
            });
        }
        let mut decision = None;
        let mut endorsers = BTreeSet::new();
        for (index, bytes) in endorsements.iter().enumerate() {
            let wrap = |source| AttestError::CertificateEndorsement {
                index,
                source: Box::new(source),
            };
            let verified = verify_attestation(bytes, resolver, provider, at).map_err(wrap)?;
            let a = verified.attestation();
            let Statement::Endorsement { artifact } = a.statement else {
                return Err(wrap(AttestError::NotAnEndorsement(a.statement.kind())));
            };
            let this = (a.operation, a.epoch, a.slot, artifact);
            if *decision.get_or_insert(this) != this {
                return Err(AttestError::CertificateMixed);
            }
            endorsers.insert(a.author);
        }
        let Some((operation, epoch, slot, artifact)) = decision else {
            return Err(AttestError::EmptyCertificate);
        };
        self.check_operation_and_epoch(operation, epoch)?;
        match self.artifact_status(&artifact) {
            ArtifactStatus::Refused => return Err(AttestError::ArtifactRefused(artifact)),
            ArtifactStatus::Suspended => return Err(AttestError::ArtifactSuspended(artifact)),
            ArtifactStatus::Undisputed | ArtifactStatus::Restored => {}
        }
        let count = tally(&self.roster, &self.excluded_set(epoch), &endorsers);
        if !count.reached() {
            return Err(AttestError::QuorumNotReached {
                counted: count.counted,
                threshold: count.threshold,
            });
        }
        Ok(VerifiedQuorumCertificate {
            operation,
            epoch,
            slot,
            artifact,
            endorsers,
            tally: count,
        })
    }

    /// The count of endorsements of `artifact` for (`epoch`, `slot`), against
    /// the roster of that epoch and without authorities excluded from it.
    pub fn tally(&self, epoch: u64, slot: u64, artifact: &ArtifactId) -> Tally {
        let empty = BTreeSet::new();
        let endorsers = self
            .endorsements
            .get(&(epoch, slot, *artifact))
            .unwrap_or(&empty);
        tally(self.roster_of(epoch), &self.excluded_set(epoch), endorsers)
    }

    /// Whether `artifact` has a quorum for (`epoch`, `slot`).
    pub fn is_certified(&self, epoch: u64, slot: u64, artifact: &ArtifactId) -> bool {
        self.tally(epoch, slot, artifact).reached()
    }

    /// Every decision that has a quorum, in (epoch, slot, artifact) order.
    /// Disputes do not remove a decision from this list; ask
    /// [`OperationState::artifact_status`].
    pub fn certified(&self) -> Vec<CertifiedDecision> {
        self.endorsements
            .keys()
            .filter(|(epoch, slot, artifact)| self.is_certified(*epoch, *slot, artifact))
            .map(|(epoch, slot, artifact)| CertifiedDecision {
                epoch: *epoch,
                slot: *slot,
                artifact: *artifact,
            })
            .collect()
    }

    /// Where `artifact` stands with respect to disputes.
    pub fn artifact_status(&self, artifact: &ArtifactId) -> ArtifactStatus {
        self.artifacts
            .get(artifact)
            .copied()
            .unwrap_or(ArtifactStatus::Undisputed)
    }

    /// Artifacts suspended by an open dispute.
    pub fn suspended(&self) -> Vec<ArtifactId> {
        self.with_status(ArtifactStatus::Suspended)
    }

    /// Artifacts refused by an upheld dispute.
    pub fn refused(&self) -> Vec<ArtifactId> {
        self.with_status(ArtifactStatus::Refused)
    }

    /// Whether `authority` is excluded from `epoch` for equivocation.
    pub fn is_excluded(&self, epoch: u64, authority: &AuthorityId) -> bool {
        self.excluded
            .get(&epoch)
            .is_some_and(|proofs| proofs.contains_key(authority))
    }

    /// Every exclusion and the proof behind it, in (epoch, authority) order.
    pub fn exclusions(&self) -> impl Iterator<Item = &VerifiedEquivocation> {
        self.excluded.values().flat_map(|proofs| proofs.values())
    }

    fn with_status(&self, wanted: ArtifactStatus) -> Vec<ArtifactId> {
        self.artifacts
            .iter()
            .filter(|(_, status)| **status == wanted)
            .map(|(artifact, _)| *artifact)
            .collect()
    }

    fn roster_of(&self, epoch: u64) -> &Roster {
        self.past_rosters.get(&epoch).unwrap_or(&self.roster)
    }

    fn excluded_set(&self, epoch: u64) -> BTreeSet<AuthorityId> {
        self.excluded
            .get(&epoch)
            .map(|proofs| proofs.keys().copied().collect())
            .unwrap_or_default()
    }

    fn exclude(&mut self, proof: VerifiedEquivocation) {
        self.excluded
            .entry(proof.epoch())
            .or_default()
            .entry(proof.authority())
            .or_insert(proof);
    }

    fn check_time(&self, at: UnixTime) -> Result<(), AttestError> {
        if self.declaration.declaration().validity.contains(at) {
            Ok(())
        } else {
            Err(AttestError::OutsideValidity { at })
        }
    }

    fn check_operation_and_epoch(
        &self,
        operation: entente_core::OperationId,
        epoch: u64,
    ) -> Result<(), AttestError> {
        let expected = self.declaration.declaration().operation;
        if operation != expected {
            return Err(AttestError::WrongOperation {
                expected,
                found: operation,
            });
        }
        if epoch < self.epoch {
            return Err(AttestError::StaleEpoch {
                current: self.epoch,
                found: epoch,
            });
        }
        if epoch > self.epoch {
            return Err(AttestError::FutureEpoch {
                current: self.epoch,
                found: epoch,
            });
        }
        Ok(())
    }

    /// Every check that does not depend on earlier statements by the same
    /// author: time, operation, epoch, exclusion, roster and role.
    fn authorize(&self, a: &Attestation, at: UnixTime) -> Result<(), AttestError> {
        self.check_time(at)?;
        self.check_operation_and_epoch(a.operation, a.epoch)?;
        if self.is_excluded(a.epoch, &a.author) {
            return Err(AttestError::Excluded {
                authority: a.author,
                epoch: a.epoch,
            });
        }
        if let Statement::DisputeResolution { artifact, .. } = &a.statement {
            if a.author != self.declaration.declaration().dispute_authority {
                return Err(AttestError::NotDisputeAuthority(a.author));
            }
            return match self.artifact_status(artifact) {
                ArtifactStatus::Suspended => Ok(()),
                _ => Err(AttestError::NoOpenDispute(*artifact)),
            };
        }
        let role = self
            .roster
            .role(&a.author)
            .ok_or(AttestError::NotOnRoster(a.author))?;
        let violation = || AttestError::RoleViolation {
            authority: a.author,
            role,
            statement: a.statement.kind(),
        };
        match &a.statement {
            Statement::Endorsement { .. } | Statement::Observation { .. } => Ok(()),
            Statement::Contribution { .. } | Statement::Dispute { .. } => match role {
                Role::Lead | Role::Supporting => Ok(()),
                Role::Observing => Err(violation()),
            },
            Statement::Handoff { incoming } => {
                if role != Role::Lead {
                    return Err(violation());
                }
                if a.slot != HANDOFF_SLOT {
                    return Err(AttestError::HandoffSlot { slot: a.slot });
                }
                if self.roster.role(incoming) != Some(Role::Supporting) {
                    return Err(AttestError::HandoffTarget(*incoming));
                }
                Ok(())
            }
            Statement::RosterChange { add, remove } => {
                if role != Role::Lead {
                    return Err(violation());
                }
                // A dry run, so that a refused change is never recorded.
                let mut next = self.roster.clone();
                next.apply_change(add, remove, &self.declaration.declaration().roster_changes)?;
                Ok(())
            }
            Statement::DisputeResolution { .. } => Err(violation()),
        }
    }

    /// Applies an authorized, newly recorded statement.
    fn apply(&mut self, a: &Attestation, artifact_id: ArtifactId) -> Ingested {
        match &a.statement {
            Statement::Endorsement { artifact } => {
                self.endorsements
                    .entry((a.epoch, a.slot, *artifact))
                    .or_default()
                    .insert(a.author);
                if a.slot == HANDOFF_SLOT {
                    return self.try_complete_handoff();
                }
            }
            Statement::Handoff { incoming } => {
                self.handoffs.insert(
                    a.epoch,
                    PendingHandoff {
                        artifact: artifact_id,
                        outgoing: a.author,
                        incoming: *incoming,
                    },
                );
                return self.try_complete_handoff();
            }
            Statement::Dispute { artifact } => {
                let status = self
                    .artifacts
                    .entry(*artifact)
                    .or_insert(ArtifactStatus::Undisputed);
                if *status != ArtifactStatus::Refused {
                    *status = ArtifactStatus::Suspended;
                }
            }
            Statement::DisputeResolution { artifact, outcome } => {
                self.artifacts.insert(
                    *artifact,
                    match outcome {
                        DisputeOutcome::Upheld => ArtifactStatus::Refused,
                        DisputeOutcome::Dismissed => ArtifactStatus::Restored,
                    },
                );
            }
            Statement::RosterChange { add, remove } => {
                let rules = self.declaration.declaration().roster_changes;
                // Authorized by the dry run in `authorize`; a failure here
                // would leave the roster unchanged, never half-changed.
                let _ = self.roster.apply_change(add, remove, &rules);
                // A smaller roster has a lower threshold: a pending handoff
                // may now have its quorum.
                return self.try_complete_handoff();
            }
            Statement::Contribution { .. } | Statement::Observation { .. } => {}
        }
        Ingested::Recorded
    }

    /// Completes the current epoch's handoff if its quorum is reached: the
    /// outgoing and incoming leads (both signed it) and the partners that
    /// endorsed its artifact in [`HANDOFF_SLOT`], counted by [`tally`].
    fn try_complete_handoff(&mut self) -> Ingested {
        let Some(handoff) = self.handoffs.get(&self.epoch) else {
            return Ingested::Recorded;
        };
        let excluded = self.excluded_set(self.epoch);
        if excluded.contains(&handoff.outgoing)
            || handoff.outgoing != self.roster.lead()
            || self.roster.role(&handoff.incoming) != Some(Role::Supporting)
        {
            return Ingested::Recorded;
        }
        let mut endorsers = self
            .endorsements
            .get(&(self.epoch, HANDOFF_SLOT, handoff.artifact))
            .cloned()
            .unwrap_or_default();
        endorsers.insert(handoff.outgoing);
        endorsers.insert(handoff.incoming);
        if !tally(&self.roster, &excluded, &endorsers).reached() {
            return Ingested::Recorded;
        }
        let incoming = handoff.incoming;
        self.past_rosters.insert(self.epoch, self.roster.clone());
        self.roster.transfer_lead(incoming);
        // An epoch is a u64 counted from the declaration's start: it cannot
        // overflow in practice, and saturating keeps the state consistent.
        self.epoch = self.epoch.saturating_add(1);
        self.leads.push((self.epoch, incoming));
        Ingested::HandoffCompleted {
            epoch: self.epoch,
            lead: incoming,
        }
    }
}
