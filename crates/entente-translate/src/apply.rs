//! Conservative application: A's policy decides requests written in B's terms.
//!
//! A request in B's terms stands for every A-request that reads as it
//! (its *preimages*). It is permitted only if A's policy permits all of
//! them. Each condition of each rule is evaluated three-valued over an
//! over-approximation of that set — definitely true, definitely false, or
//! unknown — and:
//!
//! - a permit rule counts only if every condition is definitely true;
//! - a forbid rule denies unless some condition is definitely false;
//! - dominance must be definitely true.
//!
//! So a translated permit implies that every preimage is permitted (the
//! invariant the property tests check by enumerating preimages). Where the
//! preimage of a level is empty, resource labels round up (the least
//! A-level whose image is above) and clearances round down (the greatest
//! A-level whose image is below); a resource category or action with no
//! preimage makes the request untranslatable, and a clearance category with
//! no preimage is dropped.
//!
//! Two implementations: [`evaluate_by_mapping`], the specification, maps the
//! request and scans the policy with string lookups; [`crate::TranslatedPolicy`]
//! precomputes everything per target term. They are tested to agree.

use entente_core::{AuthorityId, Validity};
use entente_policy::{
    ClearanceCondition, DenyReason, Effect, LabelCondition, Match, Policy, Request, Scope,
    TermKind, Vocabulary,
};

use crate::map::TermMap;

/// A decision on a request in the target vocabulary's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every preimage of the request is permitted by the source policy.
    Permit {
        /// The permit rules that matched every preimage, sorted.
        rules: Vec<String>,
    },
    /// Denied.
    Deny {
        /// Why.
        reason: TranslatedDeny,
        /// The rules behind the reason, sorted.
        rules: Vec<String>,
    },
}

impl Outcome {
    /// Whether access is permitted.
    pub fn is_permit(&self) -> bool {
        matches!(self, Self::Permit { .. })
    }

    /// The reason for a deny.
    pub fn deny_reason(&self) -> Option<TranslatedDeny> {
        match self {
            Self::Permit { .. } => None,
            Self::Deny { reason, .. } => Some(*reason),
        }
    }

    /// The rules that decided.
    pub fn rules(&self) -> &[String] {
        match self {
            Self::Permit { rules } | Self::Deny { rules, .. } => rules,
        }
    }
}

/// Why a translated request was denied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TranslatedDeny {
    /// The request names a term the target vocabulary lacks.
    UnknownTerm(TermKind),
    /// A resource level, resource category, action or clearance level of
    /// the request has no counterpart in the source vocabulary.
    Untranslatable(TermKind),
    /// The request's time or operation is outside the translation's.
    OutsideTranslation,
    /// The source policy denies every preimage for this reason.
    Policy(DenyReason),
    /// The source policy denies some preimage for this reason: the
    /// translation loses the information that would decide it.
    Inexact(DenyReason),
}

impl core::fmt::Display for TranslatedDeny {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::UnknownTerm(kind) => write!(f, "request names an unknown {kind}"),
            Self::Untranslatable(kind) => {
                write!(f, "{kind} has no counterpart in the source vocabulary")
            }
            Self::OutsideTranslation => f.write_str("outside the translation's validity or scope"),
            Self::Policy(reason) => write!(f, "{reason}"),
            Self::Inexact(reason) => write!(f, "possibly {reason} (translation is lossy here)"),
        }
    }
}

/// Three-valued truth over a set of preimages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tri {
    No,
    Maybe,
    Yes,
}

impl Tri {
    pub(crate) fn from_bool(value: bool) -> Self {
        if value { Self::Yes } else { Self::No }
    }

    /// Kleene conjunction.
    pub(crate) fn and(self, other: Self) -> Self {
        match (self, other) {
            (Self::No, _) | (_, Self::No) => Self::No,
            (Self::Yes, Self::Yes) => Self::Yes,
            _ => Self::Maybe,
        }
    }

    fn not(self) -> Self {
        match self {
            Self::No => Self::Yes,
            Self::Maybe => Self::Maybe,
            Self::Yes => Self::No,
        }
    }

    /// Truth of "level >= min" for a level in `[lo, hi]`.
    pub(crate) fn at_least(range: (usize, usize), min: usize) -> Self {
        if range.0 >= min {
            Self::Yes
        } else if range.1 < min {
            Self::No
        } else {
            Self::Maybe
        }
    }

    /// Truth of "level <= max" for a level in `[lo, hi]`.
    pub(crate) fn at_most(range: (usize, usize), max: usize) -> Self {
        if range.1 <= max {
            Self::Yes
        } else if range.0 > max {
            Self::No
        } else {
            Self::Maybe
        }
    }

    /// Truth of "clearance >= resource" for levels in two ranges.
    pub(crate) fn dominates(clearance: (usize, usize), resource: (usize, usize)) -> Self {
        if clearance.0 >= resource.1 {
            Self::Yes
        } else if clearance.1 < resource.0 {
            Self::No
        } else {
            Self::Maybe
        }
    }
}

/// What the preimages of a request have in common, in the source's terms.
struct Preimages {
    resource_levels: (usize, usize),
    /// Per source category: definitely carried, possibly carried.
    resource_categories: Vec<(bool, bool)>,
    actions: Vec<usize>,
    clearance_levels: (usize, usize),
    clearance_categories: Vec<(bool, bool)>,
}

impl Preimages {
    fn has(set: &[(bool, bool)], category: usize) -> Tri {
        match set.get(category) {
            Some((true, _)) => Tri::Yes,
            Some((false, true)) => Tri::Maybe,
            _ => Tri::No,
        }
    }
}

/// Maps `request` (in `target`'s terms) to its preimages under `map`.
fn preimages(
    map: &TermMap,
    target: &Vocabulary,
    request: &Request,
) -> Result<Preimages, TranslatedDeny> {
    use TranslatedDeny::{UnknownTerm, Untranslatable};
    let action = target
        .action_index(&request.action)
        .ok_or(UnknownTerm(TermKind::Action))?;
    let level = target
        .level_index(&request.resource.level)
        .ok_or(UnknownTerm(TermKind::Level))?;
    let mut label = Vec::with_capacity(request.resource.categories.len());
    for name in &request.resource.categories {
        label.push(
            target
                .category_index(name)
                .ok_or(UnknownTerm(TermKind::Category))?,
        );
    }
    let clearance = target
        .level_index(&request.subject.clearance.level)
        .ok_or(UnknownTerm(TermKind::Level))?;

    let actions: Vec<usize> = map.action_preimage(action).collect();
    if actions.is_empty() {
        return Err(Untranslatable(TermKind::Action));
    }
    let resource_levels = map
        .resource_levels(level)
        .ok_or(Untranslatable(TermKind::Level))?;
    let mut resource_categories = vec![(false, false); map.source_categories()];
    for target_category in label {
        let pre: Vec<usize> = map.category_preimage(target_category).collect();
        let unique = pre.len() == 1;
        if pre.is_empty() {
            return Err(Untranslatable(TermKind::Category));
        }
        for source_category in pre {
            if let Some(slot) = resource_categories.get_mut(source_category) {
                *slot = (slot.0 || unique, true);
            }
        }
    }
    let clearance_levels = map
        .clearance_levels(clearance)
        .ok_or(Untranslatable(TermKind::Level))?;
    let mut clearance_categories = vec![(false, false); map.source_categories()];
    // A subject may hold source categories that have no image.
    for source_category in map.unmapped_categories() {
        if let Some(slot) = clearance_categories.get_mut(source_category) {
            *slot = (false, true);
        }
    }
    for name in &request.subject.clearance.categories {
        // Unknown or untranslatable clearance categories are dropped: that
        // can only narrow access.
        let Some(target_category) = target.category_index(name) else {
            continue;
        };
        let pre: Vec<usize> = map.category_preimage(target_category).collect();
        let unique = pre.len() == 1;
        for source_category in pre {
            if let Some(slot) = clearance_categories.get_mut(source_category) {
                *slot = (slot.0 || unique, true);
            }
        }
    }
    Ok(Preimages {
        resource_levels,
        resource_categories,
        actions,
        clearance_levels,
        clearance_categories,
    })
}

fn label_condition(cond: &LabelCondition, vocabulary: &Vocabulary, pre: &Preimages) -> Tri {
    let mut truth = Tri::Yes;
    if let Some(min) = &cond.min_level {
        truth = truth.and(
            vocabulary
                .level_index(min)
                .map_or(Tri::No, |m| Tri::at_least(pre.resource_levels, m)),
        );
    }
    if let Some(max) = &cond.max_level {
        truth = truth.and(
            vocabulary
                .level_index(max)
                .map_or(Tri::No, |m| Tri::at_most(pre.resource_levels, m)),
        );
    }
    for name in &cond.require_categories {
        truth = truth.and(
            vocabulary
                .category_index(name)
                .map_or(Tri::No, |c| Preimages::has(&pre.resource_categories, c)),
        );
    }
    for name in &cond.exclude_categories {
        truth = truth.and(vocabulary.category_index(name).map_or(Tri::No, |c| {
            Preimages::has(&pre.resource_categories, c).not()
        }));
    }
    truth
}

fn clearance_condition(cond: &ClearanceCondition, vocabulary: &Vocabulary, pre: &Preimages) -> Tri {
    let mut truth = Tri::Yes;
    if let Some(min) = &cond.min_level {
        truth = truth.and(
            vocabulary
                .level_index(min)
                .map_or(Tri::No, |m| Tri::at_least(pre.clearance_levels, m)),
        );
    }
    for name in &cond.require_categories {
        truth = truth.and(
            vocabulary
                .category_index(name)
                .map_or(Tri::No, |c| Preimages::has(&pre.clearance_categories, c)),
        );
    }
    truth
}

fn action_condition(actions: &Match<String>, vocabulary: &Vocabulary, pre: &Preimages) -> Tri {
    let Match::Only(names) = actions else {
        return Tri::Yes;
    };
    let listed = |a: usize| names.iter().any(|n| vocabulary.action_index(n) == Some(a));
    let hits = pre.actions.iter().filter(|a| listed(**a)).count();
    if hits == pre.actions.len() {
        Tri::Yes
    } else if hits == 0 {
        Tri::No
    } else {
        Tri::Maybe
    }
}

fn dominance(pre: &Preimages) -> Tri {
    let mut truth = Tri::dominates(pre.clearance_levels, pre.resource_levels);
    for (category, (definite, possible)) in pre.resource_categories.iter().enumerate() {
        if !possible {
            continue;
        }
        let held = Preimages::has(&pre.clearance_categories, category);
        truth = truth.and(match (held, definite) {
            (Tri::Yes, _) => Tri::Yes,
            (Tri::No, true) => Tri::No,
            _ => Tri::Maybe,
        });
    }
    truth
}

pub(crate) fn in_scope(scope: &Scope, request: &Request) -> bool {
    match scope {
        Scope::Any => true,
        Scope::Operations(ops) => ops.contains(&request.operation),
        Scope::Alliances(tags) => tags.iter().any(|t| request.alliances.contains(t)),
    }
}

/// The checks before any rule, shared by both evaluators: the translation's
/// validity and scope, then the policy's validity, owner and scope.
pub(crate) fn gate(
    translation: (&Validity, &Scope),
    policy: (&Validity, AuthorityId, &Scope),
    request: &Request,
) -> Option<Outcome> {
    let reason = if !(translation.0.contains(request.time) && in_scope(translation.1, request)) {
        TranslatedDeny::OutsideTranslation
    } else if !policy.0.contains(request.time) {
        TranslatedDeny::Policy(DenyReason::OutsideValidity)
    } else if request.resource.owner != policy.1 {
        TranslatedDeny::Policy(DenyReason::ForeignResource)
    } else if !in_scope(policy.2, request) {
        TranslatedDeny::Policy(DenyReason::OutOfScope)
    } else {
        return None;
    };
    Some(deny(reason, Vec::new()))
}

/// Combines each candidate rule's (effect, id, truth) into a decision,
/// shared by both evaluators: a forbid that may match denies; a permit must
/// match definitely; then dominance (evaluated only if a permit matched)
/// must hold definitely.
pub(crate) fn decide<'r>(
    truths: impl Iterator<Item = (Effect, &'r str, Tri)>,
    dominance: impl FnOnce() -> Tri,
) -> Outcome {
    let mut forbids = Vec::new();
    let mut definite_forbid = false;
    let mut permits = Vec::new();
    let mut possible_permit = false;
    for (effect, id, truth) in truths {
        match (effect, truth) {
            (Effect::Forbid, Tri::No) | (Effect::Permit, Tri::No) => {}
            (Effect::Forbid, t) => {
                definite_forbid |= t == Tri::Yes;
                forbids.push(id.to_owned());
            }
            (Effect::Permit, Tri::Yes) => permits.push(id.to_owned()),
            (Effect::Permit, Tri::Maybe) => possible_permit = true,
        }
    }
    if !forbids.is_empty() {
        let reason = if definite_forbid {
            TranslatedDeny::Policy
        } else {
            TranslatedDeny::Inexact
        };
        return deny(reason(DenyReason::Forbidden), forbids);
    }
    if permits.is_empty() {
        let reason = if possible_permit {
            TranslatedDeny::Inexact
        } else {
            TranslatedDeny::Policy
        };
        return deny(reason(DenyReason::NoPermit), Vec::new());
    }
    permits.sort();
    match dominance() {
        Tri::Yes => Outcome::Permit { rules: permits },
        Tri::Maybe => deny(
            TranslatedDeny::Inexact(DenyReason::ClearanceNotDominant),
            permits,
        ),
        Tri::No => deny(
            TranslatedDeny::Policy(DenyReason::ClearanceNotDominant),
            permits,
        ),
    }
}

pub(crate) fn deny(reason: TranslatedDeny, mut rules: Vec<String>) -> Outcome {
    rules.sort();
    Outcome::Deny { reason, rules }
}

/// Decides `request`, written in `target`'s terms, against `policy`
/// (written in `source`'s terms) through `map` — the straightforward way.
///
/// `bounds` are the translation's validity and scope, as `(validity, scope)`.
/// This is the specification [`crate::TranslatedPolicy`] is tested against.
pub fn evaluate_by_mapping(
    policy: &Policy,
    source: &Vocabulary,
    map: &TermMap,
    target: &Vocabulary,
    bounds: (&Validity, &Scope),
    request: &Request,
) -> Outcome {
    let pre = match preimages(map, target, request) {
        Ok(pre) => pre,
        Err(reason) => return deny(reason, Vec::new()),
    };
    if let Some(denied) = gate(
        bounds,
        (&policy.validity, policy.authority, &policy.scope),
        request,
    ) {
        return denied;
    }
    let truth = |rule: &entente_policy::Rule| {
        Tri::from_bool(rule.authorities.contains(&request.subject.authority))
            .and(Tri::from_bool(rule.roles.contains(&request.subject.role)))
            .and(action_condition(&rule.actions, source, &pre))
            .and(label_condition(&rule.resource, source, &pre))
            .and(clearance_condition(&rule.clearance, source, &pre))
    };
    decide(
        policy
            .rules
            .iter()
            .map(|rule| (rule.effect, rule.id.as_str(), truth(rule))),
        || dominance(&pre),
    )
}
