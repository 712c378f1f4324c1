//! Requests, decisions, and the naive evaluator used as the oracle for the
//! compiled one.

use entente_core::{AuthorityId, OperationId, UnixTime};
use serde::{Deserialize, Serialize};

use crate::error::TermKind;
use crate::policy::{Effect, Match, Policy, Role, Rule, Scope};
use crate::vocabulary::Vocabulary;

/// An access request, in the policy authority's terms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Who asks.
    pub subject: Subject,
    /// What they want to do, by vocabulary name.
    pub action: String,
    /// The label of the resource.
    pub resource: Label,
    /// The operation the request is made in.
    pub operation: OperationId,
    /// The alliance tags of that operation, as its declaration states them.
    pub alliances: Vec<String>,
    /// When the request is made.
    pub time: UnixTime,
}

/// The subject of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// The subject's authority.
    pub authority: AuthorityId,
    /// The subject's authority's role in the operation.
    pub role: Role,
    /// The subject's clearance.
    pub clearance: Clearance,
}

/// A subject's clearance: a level and the categories it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clearance {
    /// The level, by vocabulary name.
    pub level: String,
    /// The categories held, by vocabulary name. Names the vocabulary lacks
    /// are dropped, which can only narrow what the subject may do.
    pub categories: Vec<String>,
}

/// A resource's label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    /// The authority that owns the resource.
    pub owner: AuthorityId,
    /// The level, by vocabulary name.
    pub level: String,
    /// The categories the resource carries, by vocabulary name. A name the
    /// vocabulary lacks makes the request undecidable, hence denied.
    pub categories: Vec<String>,
}

/// Why a request was denied, in the order evaluation checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DenyReason {
    /// The request names a term the vocabulary lacks (checked in this
    /// order: action, resource level, resource categories, clearance level).
    UnknownTerm(TermKind),
    /// The request's time is outside the policy's validity window.
    OutsideValidity,
    /// The resource is owned by another authority than the policy's.
    ForeignResource,
    /// The request's operation is outside the policy's scope.
    OutOfScope,
    /// A forbid rule matched; it overrides every permit.
    Forbidden,
    /// A permit rule matched, but the subject's clearance does not dominate
    /// the resource label.
    ClearanceNotDominant,
    /// No rule permits (default deny).
    NoPermit,
    /// A compiled request made by another compiled policy was evaluated
    /// (an integration error; the naive evaluator never gives it).
    ForeignRequest,
}

impl core::fmt::Display for DenyReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::UnknownTerm(kind) => write!(f, "request names an unknown {kind}"),
            Self::OutsideValidity => f.write_str("outside the policy's validity window"),
            Self::ForeignResource => f.write_str("resource owned by another authority"),
            Self::OutOfScope => f.write_str("operation outside the policy's scope"),
            Self::Forbidden => f.write_str("forbidden by a rule"),
            Self::ClearanceNotDominant => f.write_str("clearance does not dominate the label"),
            Self::NoPermit => f.write_str("no rule permits"),
            Self::ForeignRequest => f.write_str("request compiled for another policy"),
        }
    }
}

/// A decision with its provenance.
///
/// `rules` are the ids of the rules that decided, sorted: the permitting
/// rules for a permit, the forbidding rules for
/// [`DenyReason::Forbidden`], the permits that would have applied for
/// [`DenyReason::ClearanceNotDominant`], and none otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Access permitted.
    Permit {
        /// The permitting rules.
        rules: Vec<String>,
    },
    /// Access denied.
    Deny {
        /// Why.
        reason: DenyReason,
        /// The rules behind the reason, if any.
        rules: Vec<String>,
    },
}

impl Decision {
    /// Whether access is permitted.
    pub fn is_permit(&self) -> bool {
        matches!(self, Self::Permit { .. })
    }

    /// The rules that decided.
    pub fn rules(&self) -> &[String] {
        match self {
            Self::Permit { rules } | Self::Deny { rules, .. } => rules,
        }
    }

    /// The reason for a deny.
    pub fn deny_reason(&self) -> Option<DenyReason> {
        match self {
            Self::Permit { .. } => None,
            Self::Deny { reason, .. } => Some(*reason),
        }
    }
}

/// Request terms resolved to vocabulary indices.
struct Resolved {
    label_level: usize,
    label_categories: Vec<usize>,
    clearance_level: usize,
    clearance_categories: Vec<usize>,
}

/// Evaluates `request` against `policy` the straightforward way: string
/// lookups, linear scans, no precomputation.
///
/// This is the specification the compiled evaluator is tested against. It
/// assumes `policy` compiles against `vocabulary`
/// ([`crate::CompiledPolicy::compile`]); a rule naming an unknown term
/// simply never matches here.
pub fn evaluate_naive(policy: &Policy, vocabulary: &Vocabulary, request: &Request) -> Decision {
    let resolved = match resolve(vocabulary, request) {
        Ok(resolved) => resolved,
        Err(kind) => return deny(DenyReason::UnknownTerm(kind), Vec::new()),
    };
    if !policy.validity.contains(request.time) {
        return deny(DenyReason::OutsideValidity, Vec::new());
    }
    if request.resource.owner != policy.authority {
        return deny(DenyReason::ForeignResource, Vec::new());
    }
    let in_scope = match &policy.scope {
        Scope::Any => true,
        Scope::Operations(ops) => ops.contains(&request.operation),
        Scope::Alliances(tags) => tags.iter().any(|t| request.alliances.contains(t)),
    };
    if !in_scope {
        return deny(DenyReason::OutOfScope, Vec::new());
    }
    let matching = |effect: Effect| -> Vec<String> {
        let mut ids: Vec<String> = policy
            .rules
            .iter()
            .filter(|rule| {
                rule.effect == effect && rule_matches(rule, vocabulary, request, &resolved)
            })
            .map(|rule| rule.id.clone())
            .collect();
        ids.sort();
        ids
    };
    let forbids = matching(Effect::Forbid);
    if !forbids.is_empty() {
        return deny(DenyReason::Forbidden, forbids);
    }
    let permits = matching(Effect::Permit);
    if permits.is_empty() {
        return deny(DenyReason::NoPermit, Vec::new());
    }
    let dominates = resolved.clearance_level >= resolved.label_level
        && resolved
            .label_categories
            .iter()
            .all(|c| resolved.clearance_categories.contains(c));
    if dominates {
        Decision::Permit { rules: permits }
    } else {
        deny(DenyReason::ClearanceNotDominant, permits)
    }
}

fn deny(reason: DenyReason, rules: Vec<String>) -> Decision {
    Decision::Deny { reason, rules }
}

fn resolve(vocabulary: &Vocabulary, request: &Request) -> Result<Resolved, TermKind> {
    vocabulary
        .action_index(&request.action)
        .ok_or(TermKind::Action)?;
    let label_level = vocabulary
        .level_index(&request.resource.level)
        .ok_or(TermKind::Level)?;
    let label_categories = request
        .resource
        .categories
        .iter()
        .map(|c| vocabulary.category_index(c).ok_or(TermKind::Category))
        .collect::<Result<Vec<_>, _>>()?;
    let clearance_level = vocabulary
        .level_index(&request.subject.clearance.level)
        .ok_or(TermKind::Level)?;
    let clearance_categories = request
        .subject
        .clearance
        .categories
        .iter()
        .filter_map(|c| vocabulary.category_index(c))
        .collect();
    Ok(Resolved {
        label_level,
        label_categories,
        clearance_level,
        clearance_categories,
    })
}

fn rule_matches(
    rule: &Rule,
    vocabulary: &Vocabulary,
    request: &Request,
    resolved: &Resolved,
) -> bool {
    let level = |name: &Option<String>| name.as_deref().map(|n| vocabulary.level_index(n));
    let has_all = |required: &[String], held: &[usize]| {
        required.iter().all(|name| {
            vocabulary
                .category_index(name)
                .is_some_and(|index| held.contains(&index))
        })
    };
    let min_ok = match level(&rule.resource.min_level) {
        None => true,
        Some(Some(min)) => resolved.label_level >= min,
        Some(None) => false,
    };
    let max_ok = match level(&rule.resource.max_level) {
        None => true,
        Some(Some(max)) => resolved.label_level <= max,
        Some(None) => false,
    };
    let clearance_ok = match level(&rule.clearance.min_level) {
        None => true,
        Some(Some(min)) => resolved.clearance_level >= min,
        Some(None) => false,
    };
    let excluded = rule.resource.exclude_categories.iter().any(|name| {
        vocabulary
            .category_index(name)
            .is_some_and(|index| resolved.label_categories.contains(&index))
    });
    rule.authorities.contains(&request.subject.authority)
        && rule.roles.contains(&request.subject.role)
        && matches_name(&rule.actions, &request.action)
        && min_ok
        && max_ok
        && has_all(
            &rule.resource.require_categories,
            &resolved.label_categories,
        )
        && !excluded
        && clearance_ok
        && has_all(
            &rule.clearance.require_categories,
            &resolved.clearance_categories,
        )
}

fn matches_name(set: &Match<String>, name: &str) -> bool {
    match set {
        Match::Any => true,
        Match::Only(names) => names.iter().any(|n| n == name),
    }
}
