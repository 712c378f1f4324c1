//! Operation declarations, roles, the roster and the quorum threshold.

use std::collections::BTreeMap;

use entente_core::{
    AuthorityId, CryptoProvider, Digest256, Document, Envelope, OperationId, Signer, UnixTime,
    Validity, cose,
};
use serde::{Deserialize, Serialize};

use crate::error::{AttestError, DeclarationError, RosterChangeError};
use crate::resolver::{CredentialPurpose, CredentialResolver};

/// Most members a roster may have. Coalitions are tens of partners; the
/// bound keeps every per-roster loop and every certificate small.
pub const MAX_ROSTER: usize = 256;

/// Longest operation name, in bytes.
pub const MAX_NAME_LEN: usize = 256;

/// Most additions plus removals in one roster change.
pub const MAX_ROSTER_CHANGE: usize = 64;

/// A partner's role in an operation (ARCHITECTURE §4, "Roles").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Declares roster changes, initiates handoff, contributes, endorses.
    Lead,
    /// Contributes and endorses.
    Supporting,
    /// Observes and endorses; its endorsements never count toward a quorum.
    Observing,
}

impl Role {
    /// Whether this role's endorsements count toward a quorum.
    pub const fn counts_toward_quorum(self) -> bool {
        !matches!(self, Self::Observing)
    }
}

impl core::fmt::Display for Role {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Lead => "lead",
            Self::Supporting => "supporting partner",
            Self::Observing => "observer",
        })
    }
}

/// One roster line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterEntry {
    /// The partner.
    pub authority: AuthorityId,
    /// Its role.
    pub role: Role,
}

/// How many distinct counting authorities a quorum needs.
///
/// Counting authorities are the roster's non-observing partners; `m` is
/// their number. The rule is evaluated against the roster as it is when
/// counting, so a roster change moves the threshold with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuorumRule {
    /// `⌊2m/3⌋ + 1`: up to `⌊(m−1)/3⌋` byzantine partners can neither
    /// block nor forge a decision.
    TwoThirds,
    /// An explicit threshold `t`, declared with `⌊m/2⌋ + 1 ≤ t ≤ m` and
    /// never counted below `⌊m/2⌋ + 1` afterwards. Below two thirds, fewer
    /// byzantine partners suffice to certify two conflicting artifacts
    /// (`2t − m` of them); the declarer accepts that trade-off.
    AtLeast(u32),
}

/// What the lead may change on the roster (ARCHITECTURE §4: "changes the
/// roster within the declaration's rules").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterChangeRules {
    /// Whether the lead may add supporting or observing partners.
    pub may_add: bool,
    /// Whether the lead may remove partners (never itself).
    pub may_remove: bool,
    /// Most members the roster may reach.
    pub max_members: u32,
    /// Fewest counting (non-observing) partners the roster may fall to.
    pub min_counting: u32,
}

impl RosterChangeRules {
    /// No roster changes at all.
    pub const FROZEN: Self = Self {
        may_add: false,
        may_remove: false,
        max_members: MAX_ROSTER as u32,
        min_counting: 1,
    };
}

/// An operation declaration (ARCHITECTURE §1, "operation"), signed by an
/// operation-declarer credential of `declarer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationDeclaration {
    /// `OperationId::derive(declarer, name)`.
    pub operation: OperationId,
    /// The operation's name, unique per declarer.
    pub name: String,
    /// The declaring authority (a coalition authority, an alliance or the lead).
    pub declarer: AuthorityId,
    /// The roster, strictly ascending by authority, exactly one lead.
    pub roster: Vec<RosterEntry>,
    /// The quorum rule.
    pub quorum: QuorumRule,
    /// The epoch the operation starts in.
    pub epoch: u64,
    /// When the operation's statements may be verified.
    pub validity: Validity,
    /// The authority whose resolution settles disputes.
    pub dispute_authority: AuthorityId,
    /// What the lead may change on the roster.
    pub roster_changes: RosterChangeRules,
}

impl Document for OperationDeclaration {
    const CONTENT_TYPE: &'static str = "application/vnd.entente.operation+cbor";
}

impl OperationDeclaration {
    /// A declaration starting in epoch 0, its id derived from `declarer`
    /// and `name` and its roster sorted.
    pub fn new(
        declarer: AuthorityId,
        name: &str,
        mut roster: Vec<RosterEntry>,
        quorum: QuorumRule,
        validity: Validity,
        dispute_authority: AuthorityId,
        roster_changes: RosterChangeRules,
    ) -> Self {
        roster.sort_by_key(|entry| entry.authority);
        Self {
            operation: OperationId::derive(&declarer, name),
            name: name.to_owned(),
            declarer,
            roster,
            quorum,
            epoch: 0,
            validity,
            dispute_authority,
            roster_changes,
        }
    }

    /// Checks the declaration is well formed and returns its roster.
    pub fn check(&self) -> Result<Roster, DeclarationError> {
        if self.name.is_empty() {
            return Err(DeclarationError::EmptyName);
        }
        if self.name.len() > MAX_NAME_LEN {
            return Err(DeclarationError::NameTooLong {
                length: self.name.len(),
                limit: MAX_NAME_LEN,
            });
        }
        if self.operation != OperationId::derive(&self.declarer, &self.name) {
            return Err(DeclarationError::OperationId);
        }
        if self.validity.not_before >= self.validity.not_after {
            return Err(DeclarationError::EmptyValidity);
        }
        let roster = Roster::from_entries(&self.roster, self.quorum)?;
        let rules = &self.roster_changes;
        if roster.len() > rules.max_members as usize
            || roster.counting() < rules.min_counting as usize
        {
            return Err(DeclarationError::RulesExcludeRoster);
        }
        Ok(roster)
    }

    /// Checks the declaration and signs it as a `COSE_Sign1`.
    pub fn sign(&self, signer: &dyn Signer, kid: &Digest256) -> Result<Vec<u8>, AttestError> {
        self.check()?;
        cose::sign1(self, signer, kid).map_err(AttestError::Envelope)
    }
}

/// A declaration whose signature verified under an operation-declarer
/// credential of its declarer and whose content is well formed. Only
/// [`VerifiedDeclaration::verify`] constructs one.
#[derive(Clone, Debug)]
pub struct VerifiedDeclaration {
    declaration: OperationDeclaration,
    roster: Roster,
    artifact_id: entente_core::ArtifactId,
}

impl VerifiedDeclaration {
    /// Verifies a declaration envelope at time `at`.
    pub fn verify(
        bytes: &[u8],
        resolver: &dyn CredentialResolver,
        provider: &dyn CryptoProvider,
        at: UnixTime,
    ) -> Result<Self, AttestError> {
        let envelope = Envelope::from_slice(bytes).map_err(AttestError::Envelope)?;
        let [info] = envelope.signatures() else {
            return Err(AttestError::SignerCount {
                expected: 1,
                found: envelope.signatures().len(),
            });
        };
        let signer = resolver
            .resolve(&info.kid, CredentialPurpose::OperationDeclarer, at)
            .map_err(|source| AttestError::Resolve { index: 0, source })?;
        let verified = envelope
            .verify::<OperationDeclaration>(provider, &[&signer.key])
            .map_err(AttestError::Envelope)?;
        let artifact_id = verified.artifact_id();
        let declaration = verified.into_document();
        if declaration.declarer != signer.authority {
            return Err(AttestError::DeclarerMismatch {
                claimed: declaration.declarer,
                signer: signer.authority,
            });
        }
        let roster = declaration.check()?;
        if !declaration.validity.contains(at) {
            return Err(AttestError::OutsideValidity { at });
        }
        Ok(Self {
            declaration,
            roster,
            artifact_id,
        })
    }

    /// The verified declaration.
    pub fn declaration(&self) -> &OperationDeclaration {
        &self.declaration
    }

    /// The declared roster.
    pub fn roster(&self) -> &Roster {
        &self.roster
    }

    /// The declaration's artifact identity.
    pub fn artifact_id(&self) -> entente_core::ArtifactId {
        self.artifact_id
    }
}

/// A checked roster: unique members, exactly one lead, a quorum rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roster {
    members: BTreeMap<AuthorityId, Role>,
    lead: AuthorityId,
    rule: QuorumRule,
}

impl Roster {
    fn from_entries(entries: &[RosterEntry], rule: QuorumRule) -> Result<Self, DeclarationError> {
        if entries.len() > MAX_ROSTER {
            return Err(DeclarationError::RosterTooLarge {
                count: entries.len(),
                limit: MAX_ROSTER,
            });
        }
        if entries
            .windows(2)
            .any(|pair| matches!(pair, [a, b] if a.authority >= b.authority))
        {
            return Err(DeclarationError::RosterOrder);
        }
        let leads: Vec<AuthorityId> = entries
            .iter()
            .filter(|entry| entry.role == Role::Lead)
            .map(|entry| entry.authority)
            .collect();
        let [lead] = leads.as_slice() else {
            return Err(DeclarationError::LeadCount { found: leads.len() });
        };
        let roster = Self {
            members: entries.iter().map(|e| (e.authority, e.role)).collect(),
            lead: *lead,
            rule,
        };
        if let QuorumRule::AtLeast(threshold) = rule {
            let counting = roster.counting();
            let majority = counting / 2 + 1;
            if (threshold as usize) < majority {
                return Err(DeclarationError::ThresholdBelowMajority {
                    threshold,
                    majority,
                });
            }
            if threshold as usize > counting {
                return Err(DeclarationError::ThresholdAboveMembers {
                    threshold,
                    counting,
                });
            }
        }
        Ok(roster)
    }

    /// The role of `authority`, if it is on the roster.
    pub fn role(&self, authority: &AuthorityId) -> Option<Role> {
        self.members.get(authority).copied()
    }

    /// The lead.
    pub fn lead(&self) -> AuthorityId {
        self.lead
    }

    /// The members and their roles, in authority order.
    pub fn members(&self) -> impl Iterator<Item = (&AuthorityId, &Role)> {
        self.members.iter()
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the roster is empty (never, for a checked roster).
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Number of counting (non-observing) members.
    pub fn counting(&self) -> usize {
        self.members
            .values()
            .filter(|role| role.counts_toward_quorum())
            .count()
    }

    /// The number of distinct counting authorities a quorum needs now.
    ///
    /// INVARIANT: this is the only place a threshold is computed, and it is
    /// never below a majority of the counting members.
    pub fn threshold(&self) -> usize {
        let counting = self.counting();
        let majority = counting / 2 + 1;
        match self.rule {
            QuorumRule::TwoThirds => 2 * counting / 3 + 1,
            QuorumRule::AtLeast(threshold) => (threshold as usize).max(majority),
        }
    }

    /// Applies a lead's roster change within `rules`, all or nothing.
    pub(crate) fn apply_change(
        &mut self,
        add: &[RosterEntry],
        remove: &[AuthorityId],
        rules: &RosterChangeRules,
    ) -> Result<(), RosterChangeError> {
        let count = add.len().saturating_add(remove.len());
        if count == 0 || count > MAX_ROSTER_CHANGE {
            return Err(RosterChangeError::Size {
                count,
                limit: MAX_ROSTER_CHANGE,
            });
        }
        if !add.is_empty() && !rules.may_add {
            return Err(RosterChangeError::AddNotAllowed);
        }
        if !remove.is_empty() && !rules.may_remove {
            return Err(RosterChangeError::RemoveNotAllowed);
        }
        let mut next = self.members.clone();
        for authority in remove {
            if *authority == self.lead {
                return Err(RosterChangeError::RemovesLead);
            }
            if next.remove(authority).is_none() {
                return Err(RosterChangeError::NotMember(*authority));
            }
        }
        for entry in add {
            if entry.role == Role::Lead {
                return Err(RosterChangeError::AddsLead);
            }
            if next.insert(entry.authority, entry.role).is_some() {
                return Err(RosterChangeError::AlreadyMember(entry.authority));
            }
        }
        let limit = (rules.max_members as usize).min(MAX_ROSTER);
        if next.len() > limit {
            return Err(RosterChangeError::TooManyMembers {
                count: next.len(),
                limit,
            });
        }
        let counting = next.values().filter(|r| r.counts_toward_quorum()).count();
        let minimum = (rules.min_counting as usize).max(1);
        if counting < minimum {
            return Err(RosterChangeError::TooFewCounting {
                count: counting,
                minimum,
            });
        }
        if let QuorumRule::AtLeast(threshold) = self.rule {
            if threshold as usize > counting {
                return Err(RosterChangeError::ThresholdUnreachable {
                    threshold,
                    counting,
                });
            }
        }
        self.members = next;
        Ok(())
    }

    /// Moves the lead role to `incoming`; the outgoing lead becomes a
    /// supporting partner.
    pub(crate) fn transfer_lead(&mut self, incoming: AuthorityId) {
        let outgoing = self.lead;
        self.members.insert(outgoing, Role::Supporting);
        self.members.insert(incoming, Role::Lead);
        self.lead = incoming;
    }
}
