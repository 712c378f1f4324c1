//! The admitted set and its evaluation: the home policy plus admitted
//! partner policies rendered in home terms.

use std::collections::BTreeMap;

use entente_core::{ArtifactId, AuthorityId, OperationId, UnixTime, Version};
use entente_policy::{CompiledPolicy, DenyReason, Request, Scope};
use entente_translate::{CoordinatorGrant, Outcome, TranslatedDeny, TranslatedPolicy};

use crate::config::scope_admits;
use crate::report::AdmittedArtifact;

/// A policy named by its authority, id, version and artifact.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PolicyRef {
    /// The authority whose policy it is.
    pub authority: AuthorityId,
    /// The policy's id.
    pub policy_id: String,
    /// Its version.
    pub version: Version,
    /// The signed policy's artifact id.
    pub artifact: ArtifactId,
}

/// A policy's part in a decision: which policy, which rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decided {
    /// The policy.
    pub policy: PolicyRef,
    /// The rules that decided (see `entente_policy::Decision`), sorted.
    pub rules: Vec<String>,
}

/// Where a decision came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    /// The home policy's part (for every decision a home policy took part in).
    pub home: Option<Decided>,
    /// The owning partner's policy's part (for partner-owned resources).
    pub partner: Option<Decided>,
    /// The translations the partner's policy went through, in order
    /// (partner vocabulary first).
    pub translations: Vec<ArtifactId>,
}

/// Why a request was denied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DenyCause {
    /// The home authority has no admitted policy.
    NoHomePolicy,
    /// The home policy denies.
    Home(DenyReason),
    /// The resource's owner is not an admitted authority.
    UnadmittedOwner(AuthorityId),
    /// The request's operation is outside the scope the owner is admitted for.
    OutsideAdmittedScope(AuthorityId),
    /// The owner has no admitted policy.
    NoPartnerPolicy(AuthorityId),
    /// The owner has admitted policies but no admitted translation path
    /// into home terms (e.g. its translator was revoked: disengagement).
    NoTranslationPath(AuthorityId),
    /// The owner's policy, through translation, denies.
    Partner {
        /// The owner.
        authority: AuthorityId,
        /// Why.
        reason: TranslatedDeny,
    },
}

impl DenyCause {
    /// Whether the deny is for lack of clearance or releasability
    /// (the clearance does not dominate the label).
    pub fn is_clearance(&self) -> bool {
        matches!(
            self,
            Self::Home(DenyReason::ClearanceNotDominant)
                | Self::Partner {
                    reason: TranslatedDeny::Policy(DenyReason::ClearanceNotDominant)
                        | TranslatedDeny::Inexact(DenyReason::ClearanceNotDominant),
                    ..
                }
        )
    }
}

impl core::fmt::Display for DenyCause {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NoHomePolicy => f.write_str("no home policy is admitted"),
            Self::Home(reason) => write!(f, "home policy: {reason}"),
            Self::UnadmittedOwner(a) => write!(f, "owner {a} is not an admitted authority"),
            Self::OutsideAdmittedScope(a) => {
                write!(f, "operation outside the scope {a} is admitted for")
            }
            Self::NoPartnerPolicy(a) => write!(f, "no admitted policy of {a}"),
            Self::NoTranslationPath(a) => {
                write!(f, "no admitted translation path from {a} into home terms")
            }
            Self::Partner { authority, reason } => write!(f, "policy of {authority}: {reason}"),
        }
    }
}

/// A decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Every policy that must permit does.
    Permit,
    /// Denied.
    Deny(DenyCause),
}

impl Decision {
    /// Whether access is permitted.
    pub fn is_permit(&self) -> bool {
        matches!(self, Self::Permit)
    }

    /// The cause of a deny.
    pub fn deny_cause(&self) -> Option<&DenyCause> {
        match self {
            Self::Permit => None,
            Self::Deny(cause) => Some(cause),
        }
    }
}

/// A decision with its provenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// The decision.
    pub decision: Decision,
    /// Whose policies and which translations and rules decided.
    pub provenance: Provenance,
}

#[derive(Clone, Debug)]
pub(crate) struct HomePolicy {
    pub(crate) reference: PolicyRef,
    pub(crate) compiled: CompiledPolicy,
}

#[derive(Clone, Debug)]
pub(crate) struct PartnerPolicy {
    pub(crate) reference: PolicyRef,
    pub(crate) translated: TranslatedPolicy,
    pub(crate) translations: Vec<ArtifactId>,
    /// (coordinator, source, target) grants the path relies on; each must
    /// cover the request's operation.
    pub(crate) coordinated: Vec<(AuthorityId, AuthorityId, AuthorityId)>,
}

#[derive(Clone, Debug)]
pub(crate) struct Partner {
    pub(crate) scope: Scope,
    pub(crate) policies: Vec<PartnerPolicy>,
    /// Admitted policies with no admitted translation path.
    pub(crate) untranslated: Vec<PolicyRef>,
}

/// What one admission admitted, ready for evaluation. Only
/// `Admitter::admit` constructs one.
#[derive(Clone, Debug)]
pub struct AdmittedSet {
    pub(crate) home: AuthorityId,
    pub(crate) time: UnixTime,
    pub(crate) artifacts: Vec<AdmittedArtifact>,
    pub(crate) home_policies: Vec<HomePolicy>,
    pub(crate) partners: BTreeMap<AuthorityId, Partner>,
    pub(crate) grants: Vec<CoordinatorGrant>,
    pub(crate) operations: BTreeMap<OperationId, entente_attest::OperationState>,
}

impl AdmittedSet {
    /// The home authority.
    pub fn home(&self) -> AuthorityId {
        self.home
    }

    /// The admission time.
    pub fn time(&self) -> UnixTime {
        self.time
    }

    /// Every admitted artifact.
    pub fn artifacts(&self) -> &[AdmittedArtifact] {
        &self.artifacts
    }

    /// The home policies in force.
    pub fn home_policies(&self) -> impl Iterator<Item = &PolicyRef> {
        self.home_policies.iter().map(|p| &p.reference)
    }

    /// The partner policies usable in home terms, with their translations.
    pub fn partner_policies(&self) -> impl Iterator<Item = (&PolicyRef, &[ArtifactId])> {
        self.partners
            .values()
            .flat_map(|p| p.policies.iter())
            .map(|p| (&p.reference, p.translations.as_slice()))
    }

    /// The admitted operations' states (declarations and attestations).
    pub fn operation(&self, id: &OperationId) -> Option<&entente_attest::OperationState> {
        self.operations.get(id)
    }

    /// Decides `request`, written in home terms.
    ///
    /// The home policy always applies. For a resource the home authority
    /// owns, the home policies decide. For a resource owned by partner P,
    /// the home policies must permit the same request on a home-owned
    /// resource with the same label, **and** P's admitted policies,
    /// translated into home terms through admitted translations, must permit
    /// it: no partner's policy can widen another's decision. An authority
    /// with several policies permits when one permits and none forbids.
    pub fn evaluate(&self, request: &Request) -> Evaluation {
        let owner = request.resource.owner;
        if owner == self.home {
            let (decision, home) = self.home_decision(request);
            return Evaluation {
                decision,
                provenance: Provenance {
                    home,
                    ..Provenance::default()
                },
            };
        }
        let deny = |cause, home| Evaluation {
            decision: Decision::Deny(cause),
            provenance: Provenance {
                home,
                ..Provenance::default()
            },
        };
        let Some(partner) = self.partners.get(&owner) else {
            return deny(DenyCause::UnadmittedOwner(owner), None);
        };
        if !scope_admits(&partner.scope, &request.operation, &request.alliances) {
            return deny(DenyCause::OutsideAdmittedScope(owner), None);
        }
        // The home policy restricts: it must permit the same request on a
        // resource of its own with this label.
        let mut as_home = request.clone();
        as_home.resource.owner = self.home;
        let (home_decision, home) = self.home_decision(&as_home);
        if !home_decision.is_permit() {
            return Evaluation {
                decision: home_decision,
                provenance: Provenance {
                    home,
                    ..Provenance::default()
                },
            };
        }
        if partner.policies.is_empty() {
            let cause = if partner.untranslated.is_empty() {
                DenyCause::NoPartnerPolicy(owner)
            } else {
                DenyCause::NoTranslationPath(owner)
            };
            return deny(cause, home);
        }
        let mut permit: Option<(&PartnerPolicy, Outcome)> = None;
        let mut first_deny: Option<(&PartnerPolicy, Outcome)> = None;
        let mut usable = false;
        for policy in &partner.policies {
            if !self.grants_cover(&policy.coordinated, &request.operation) {
                continue;
            }
            usable = true;
            let outcome = policy.translated.evaluate(request);
            match outcome.deny_reason() {
                None => {
                    if permit.is_none() {
                        permit = Some((policy, outcome));
                    }
                }
                Some(
                    TranslatedDeny::Policy(DenyReason::Forbidden)
                    | TranslatedDeny::Inexact(DenyReason::Forbidden),
                ) => {
                    // Forbid overrides permit, across the owner's policies.
                    return partner_evaluation(owner, home, policy, outcome);
                }
                Some(_) => {
                    if first_deny.is_none() {
                        first_deny = Some((policy, outcome));
                    }
                }
            }
        }
        if !usable {
            return deny(DenyCause::NoTranslationPath(owner), home);
        }
        match permit.or(first_deny) {
            Some((policy, outcome)) => partner_evaluation(owner, home, policy, outcome),
            None => deny(DenyCause::NoTranslationPath(owner), home),
        }
    }

    fn grants_cover(
        &self,
        needs: &[(AuthorityId, AuthorityId, AuthorityId)],
        operation: &OperationId,
    ) -> bool {
        needs.iter().all(|(coordinator, source, target)| {
            self.grants.iter().any(|g| {
                g.coordinator == *coordinator
                    && g.source == *source
                    && g.target == *target
                    && match &g.operations {
                        Scope::Any => true,
                        Scope::Operations(ops) => ops.contains(operation),
                        Scope::Alliances(_) => false,
                    }
            })
        })
    }

    /// The home policies' combined decision on `request`.
    fn home_decision(&self, request: &Request) -> (Decision, Option<Decided>) {
        let mut permit = None;
        let mut first_deny = None;
        for policy in &self.home_policies {
            let verdict = policy.compiled.evaluate_request(request);
            match verdict.deny_reason() {
                None => {
                    if permit.is_none() {
                        permit = Some((policy, verdict));
                    }
                }
                Some(DenyReason::Forbidden) => {
                    return (
                        Decision::Deny(DenyCause::Home(DenyReason::Forbidden)),
                        Some(decided(policy, verdict.to_decision().rules())),
                    );
                }
                Some(reason) => {
                    // Prefer a deny from a policy that applies (in scope,
                    // in validity) over one that does not.
                    let applies = !matches!(
                        reason,
                        DenyReason::OutOfScope
                            | DenyReason::OutsideValidity
                            | DenyReason::ForeignResource
                    );
                    let better = match &first_deny {
                        None => true,
                        Some((_, _, had_applying)) => applies && !had_applying,
                    };
                    if better {
                        first_deny = Some((policy, verdict, applies));
                    }
                }
            }
        }
        if let Some((policy, verdict)) = permit {
            return (
                Decision::Permit,
                Some(decided(policy, verdict.to_decision().rules())),
            );
        }
        match first_deny {
            Some((policy, verdict, _)) => (
                Decision::Deny(DenyCause::Home(
                    verdict.deny_reason().unwrap_or(DenyReason::NoPermit),
                )),
                Some(decided(policy, verdict.to_decision().rules())),
            ),
            None => (Decision::Deny(DenyCause::NoHomePolicy), None),
        }
    }
}

fn decided(policy: &HomePolicy, rules: &[String]) -> Decided {
    Decided {
        policy: policy.reference.clone(),
        rules: rules.to_vec(),
    }
}

fn partner_evaluation(
    owner: AuthorityId,
    home: Option<Decided>,
    policy: &PartnerPolicy,
    outcome: Outcome,
) -> Evaluation {
    let decision = match outcome.deny_reason() {
        None => Decision::Permit,
        Some(reason) => Decision::Deny(DenyCause::Partner {
            authority: owner,
            reason,
        }),
    };
    let rules = match outcome {
        Outcome::Permit { rules } | Outcome::Deny { rules, .. } => rules,
    };
    Evaluation {
        decision,
        provenance: Provenance {
            home,
            partner: Some(Decided {
                policy: policy.reference.clone(),
                rules,
            }),
            translations: policy.translations.clone(),
        },
    }
}
