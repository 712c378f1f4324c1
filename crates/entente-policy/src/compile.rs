//! The compiled form: interned terms, category bitsets, rules indexed by
//! action. Evaluation of a compiled request allocates nothing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use entente_core::{ArtifactId, AuthorityId, OperationId, Validity, VerifiedEnvelope};

use crate::error::{CompileError, RequestError, TermKind};
use crate::limits::Limits;
use crate::policy::{Effect, Match, Policy, Rule, Scope};
use crate::request::{Decision, DenyReason, Request};
use crate::vocabulary::Vocabulary;

/// A fixed set of up to 256 small integers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
struct Bits256([u64; 4]);

impl Bits256 {
    const ALL: Self = Self([u64::MAX; 4]);

    fn insert(&mut self, index: usize) {
        if let Some(word) = self.0.get_mut(index / 64) {
            *word |= 1u64 << (index % 64);
        }
    }

    #[inline]
    fn contains(&self, index: usize) -> bool {
        self.0
            .get(index / 64)
            .is_some_and(|word| word & (1u64 << (index % 64)) != 0)
    }

    #[inline]
    fn is_subset_of(&self, other: &Self) -> bool {
        self.0.iter().zip(other.0.iter()).all(|(a, b)| a & !b == 0)
    }

    #[inline]
    fn intersects(&self, other: &Self) -> bool {
        self.0.iter().zip(other.0.iter()).any(|(a, b)| a & b != 0)
    }
}

/// One rule in compiled form. Every condition is a comparison or a bitset
/// operation; `Match::Any` is the full set.
#[derive(Clone, Debug)]
struct CompiledRule {
    /// Interned authorities; [`Bits256::ALL`] for any. Index 255 of the
    /// table is never assigned, so an unknown subject matches only "any".
    authorities: Bits256,
    roles: u8,
    label_min: u8,
    label_max: u8,
    label_require: Bits256,
    label_exclude: Bits256,
    clearance_min: u8,
    clearance_require: Bits256,
}

/// Source of [`CompiledPolicy::instance`] values.
static INSTANCES: AtomicU64 = AtomicU64::new(1);

/// Interned index for an authority no rule names.
const UNNAMED_AUTHORITY: u8 = u8::MAX;

impl CompiledRule {
    #[inline]
    fn matches(&self, request: &CompiledRequest) -> bool {
        self.roles & request.role != 0
            && self.authorities.contains(usize::from(request.authority))
            && request.label_level >= self.label_min
            && request.label_level <= self.label_max
            && self.label_require.is_subset_of(&request.label_categories)
            && !self.label_exclude.intersects(&request.label_categories)
            && request.clearance_level >= self.clearance_min
            && self
                .clearance_require
                .is_subset_of(&request.clearance_categories)
    }
}

/// The rules that apply to one action, as indices into the rule table.
#[derive(Clone, Debug, Default)]
struct ActionRules {
    forbid: Vec<u32>,
    permit: Vec<u32>,
}

#[derive(Clone, Debug)]
enum CompiledScope {
    Any,
    /// Sorted, for binary search.
    Operations(Vec<OperationId>),
    /// In scope when the request carries one of the policy's tags.
    Alliances,
}

/// A policy compiled against its vocabulary, ready for evaluation.
///
/// Build one with [`CompiledPolicy::compile`] (unsigned documents) or
/// [`CompiledPolicy::from_verified`] (signed ones, which also checks that the
/// vocabulary is the one the policy names); put requests in its terms with
/// [`CompiledPolicy::compile_request`]; evaluate with
/// [`CompiledPolicy::evaluate`], which allocates nothing.
#[derive(Clone, Debug)]
pub struct CompiledPolicy {
    /// Distinguishes compiled policies, so that a request compiled for one
    /// is never evaluated in another's terms (its indices would mean other
    /// terms there).
    instance: u64,
    id: String,
    authority: AuthorityId,
    validity: Validity,
    scope: CompiledScope,
    rule_ids: Vec<String>,
    rules: Vec<CompiledRule>,
    by_action: Vec<ActionRules>,
    levels: HashMap<Box<str>, u8>,
    categories: HashMap<Box<str>, u8>,
    actions: HashMap<Box<str>, u16>,
    authorities: HashMap<AuthorityId, u8>,
    alliances: HashMap<Box<str>, u8>,
    policy_artifact: Option<ArtifactId>,
}

/// A request in a compiled policy's terms: a few integers and bitsets,
/// `Copy`, no heap data. Only meaningful for the policy that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompiledRequest {
    instance: u64,
    authority: u8,
    role: u8,
    clearance_level: u8,
    clearance_categories: Bits256,
    action: u16,
    label_level: u8,
    label_categories: Bits256,
    owner: AuthorityId,
    operation: OperationId,
    alliances: u64,
    time: entente_core::UnixTime,
}

fn intern<'a>(names: impl Iterator<Item = &'a str>) -> HashMap<Box<str>, usize> {
    names.enumerate().map(|(i, n)| (Box::from(n), i)).collect()
}

fn narrow<T: TryFrom<usize>>(map: HashMap<Box<str>, usize>) -> HashMap<Box<str>, T> {
    // INVARIANT: the counts are bounded by `Limits` (checked by
    // `Vocabulary::validate`) so every index fits; one that did not would
    // be dropped, making its term unknown (deny), never another term.
    map.into_iter()
        .filter_map(|(k, v)| T::try_from(v).ok().map(|v| (k, v)))
        .collect()
}

impl CompiledPolicy {
    /// Compiles `policy` against `vocabulary`.
    ///
    /// Both are validated; every term a rule names must be in the
    /// vocabulary ([`CompileError::UnknownTerm`] names it); the vocabulary
    /// must be the policy authority's. That the vocabulary is the signed
    /// artifact the policy names can only be checked by
    /// [`CompiledPolicy::from_verified`].
    pub fn compile(policy: &Policy, vocabulary: &Vocabulary) -> Result<Self, CompileError> {
        vocabulary.validate().map_err(CompileError::Vocabulary)?;
        policy.validate().map_err(CompileError::Policy)?;
        if policy.authority != vocabulary.authority {
            return Err(CompileError::AuthorityMismatch {
                policy: policy.authority,
                vocabulary: vocabulary.authority,
            });
        }
        let levels: HashMap<Box<str>, u8> =
            narrow(intern(vocabulary.levels.iter().map(|l| l.name.as_str())));
        let categories: HashMap<Box<str>, u8> = narrow(intern(
            vocabulary.categories.iter().map(|c| c.name.as_str()),
        ));
        let actions: HashMap<Box<str>, u16> =
            narrow(intern(vocabulary.actions.iter().map(|a| a.name.as_str())));
        let top_level = u8::try_from(vocabulary.levels.len().saturating_sub(1)).unwrap_or(u8::MAX);

        let mut authorities: HashMap<AuthorityId, u8> = HashMap::new();
        for rule in &policy.rules {
            if let Match::Only(list) = &rule.authorities {
                for authority in list {
                    let next = authorities.len();
                    if !authorities.contains_key(authority) {
                        // Index 255 is reserved for "named by no rule".
                        let index = u8::try_from(next)
                            .ok()
                            .filter(|&i| i != UNNAMED_AUTHORITY)
                            .ok_or(CompileError::TooManyAuthorities {
                                count: next.saturating_add(1),
                                limit: Limits::MAX_AUTHORITIES,
                            })?;
                        authorities.insert(*authority, index);
                    }
                }
            }
        }
        let (scope, alliances) = match &policy.scope {
            Scope::Any => (CompiledScope::Any, HashMap::new()),
            Scope::Operations(ops) => {
                let mut ops = ops.clone();
                ops.sort_unstable();
                ops.dedup();
                (CompiledScope::Operations(ops), HashMap::new())
            }
            Scope::Alliances(tags) => (
                CompiledScope::Alliances,
                narrow(intern(tags.iter().map(String::as_str))),
            ),
        };

        let ctx = Context {
            levels: &levels,
            categories: &categories,
            top_level,
        };
        let mut by_action = vec![ActionRules::default(); vocabulary.actions.len()];
        let mut rules = Vec::with_capacity(policy.rules.len());
        let mut rule_ids = Vec::with_capacity(policy.rules.len());
        for (index, rule) in policy.rules.iter().enumerate() {
            let compiled = ctx.rule(rule, &authorities)?;
            let index = u32::try_from(index).map_err(|_| {
                CompileError::Policy(crate::error::ValidationError::TooManyRules {
                    count: policy.rules.len(),
                    limit: Limits::MAX_RULES,
                })
            })?;
            let targets: Vec<u16> = match &rule.actions {
                Match::Any => (0..vocabulary.actions.len())
                    .filter_map(|i| u16::try_from(i).ok())
                    .collect(),
                Match::Only(names) => names
                    .iter()
                    .map(|name| {
                        actions.get(name.as_str()).copied().ok_or_else(|| {
                            CompileError::UnknownTerm {
                                rule: rule.id.clone(),
                                kind: TermKind::Action,
                                term: name.clone(),
                            }
                        })
                    })
                    .collect::<Result<_, _>>()?,
            };
            for action in targets {
                if let Some(slot) = by_action.get_mut(usize::from(action)) {
                    let list = match rule.effect {
                        Effect::Forbid => &mut slot.forbid,
                        Effect::Permit => &mut slot.permit,
                    };
                    // An action listed twice in one rule indexes it once.
                    if list.last() != Some(&index) {
                        list.push(index);
                    }
                }
            }
            rules.push(compiled);
            rule_ids.push(rule.id.clone());
        }
        Ok(Self {
            instance: INSTANCES.fetch_add(1, Ordering::Relaxed),
            id: policy.id.clone(),
            authority: policy.authority,
            validity: policy.validity,
            scope,
            rule_ids,
            rules,
            by_action,
            levels,
            categories,
            actions,
            authorities,
            alliances,
            policy_artifact: None,
        })
    }

    /// Compiles a verified policy against a verified vocabulary, checking
    /// that the vocabulary is the artifact the policy names.
    pub fn from_verified(
        policy: &VerifiedEnvelope<Policy>,
        vocabulary: &VerifiedEnvelope<Vocabulary>,
    ) -> Result<Self, CompileError> {
        let expected = policy.document().vocabulary;
        let found = vocabulary.artifact_id();
        if expected != found {
            return Err(CompileError::VocabularyMismatch { expected, found });
        }
        let mut compiled = Self::compile(policy.document(), vocabulary.document())?;
        compiled.policy_artifact = Some(policy.artifact_id());
        Ok(compiled)
    }

    /// The policy's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The policy's authority.
    pub fn authority(&self) -> AuthorityId {
        self.authority
    }

    /// The signed policy's artifact id, when compiled from a verified one.
    pub fn artifact_id(&self) -> Option<ArtifactId> {
        self.policy_artifact
    }

    /// The number of rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// Puts `request` in this policy's terms. Does not allocate.
    ///
    /// Fails on an action, resource level, resource category or clearance
    /// level the vocabulary lacks (checked in that order); clearance
    /// categories the vocabulary lacks are dropped.
    pub fn compile_request(&self, request: &Request) -> Result<CompiledRequest, RequestError> {
        let unknown = |kind: TermKind, term: &str| RequestError::UnknownTerm {
            kind,
            term: term.to_owned(),
        };
        let action = *self
            .actions
            .get(request.action.as_str())
            .ok_or_else(|| unknown(TermKind::Action, &request.action))?;
        let label_level = *self
            .levels
            .get(request.resource.level.as_str())
            .ok_or_else(|| unknown(TermKind::Level, &request.resource.level))?;
        let mut label_categories = Bits256::default();
        for name in &request.resource.categories {
            let index = self
                .categories
                .get(name.as_str())
                .ok_or_else(|| unknown(TermKind::Category, name))?;
            label_categories.insert(usize::from(*index));
        }
        let clearance = &request.subject.clearance;
        let clearance_level = *self
            .levels
            .get(clearance.level.as_str())
            .ok_or_else(|| unknown(TermKind::Level, &clearance.level))?;
        let mut clearance_categories = Bits256::default();
        for index in clearance
            .categories
            .iter()
            .filter_map(|name| self.categories.get(name.as_str()))
        {
            clearance_categories.insert(usize::from(*index));
        }
        let mut alliances = 0u64;
        for index in request
            .alliances
            .iter()
            .filter_map(|tag| self.alliances.get(tag.as_str()))
        {
            alliances |= 1u64.checked_shl(u32::from(*index)).unwrap_or(0);
        }
        Ok(CompiledRequest {
            instance: self.instance,
            authority: self
                .authorities
                .get(&request.subject.authority)
                .copied()
                .unwrap_or(UNNAMED_AUTHORITY),
            role: request.subject.role.bit(),
            clearance_level,
            clearance_categories,
            action,
            label_level,
            label_categories,
            owner: request.resource.owner,
            operation: request.operation,
            alliances,
            time: request.time,
        })
    }

    /// Evaluates a compiled request. Allocates nothing. A request compiled
    /// by another compiled policy is denied ([`DenyReason::ForeignRequest`]).
    pub fn evaluate(&self, request: &CompiledRequest) -> Verdict<'_> {
        Verdict {
            policy: self,
            request: Some(*request),
            outcome: self.outcome(request),
        }
    }

    /// Compiles and evaluates `request`; an unknown term is a deny.
    /// Allocates only to report an unknown term's name, which it then drops.
    pub fn evaluate_request(&self, request: &Request) -> Verdict<'_> {
        match self.compile_request(request) {
            Ok(compiled) => self.evaluate(&compiled),
            Err(RequestError::UnknownTerm { kind, .. }) => Verdict {
                policy: self,
                request: None,
                outcome: Outcome::Deny(DenyReason::UnknownTerm(kind)),
            },
        }
    }

    #[inline]
    fn outcome(&self, request: &CompiledRequest) -> Outcome {
        if request.instance != self.instance {
            return Outcome::Deny(DenyReason::ForeignRequest);
        }
        if !self.validity.contains(request.time) {
            return Outcome::Deny(DenyReason::OutsideValidity);
        }
        if request.owner != self.authority {
            return Outcome::Deny(DenyReason::ForeignResource);
        }
        let in_scope = match &self.scope {
            CompiledScope::Any => true,
            CompiledScope::Operations(ops) => ops.binary_search(&request.operation).is_ok(),
            CompiledScope::Alliances => request.alliances != 0,
        };
        if !in_scope {
            return Outcome::Deny(DenyReason::OutOfScope);
        }
        let Some(index) = self.by_action.get(usize::from(request.action)) else {
            return Outcome::Deny(DenyReason::UnknownTerm(TermKind::Action));
        };
        if self.any_match(&index.forbid, request) {
            return Outcome::Deny(DenyReason::Forbidden);
        }
        if !self.any_match(&index.permit, request) {
            return Outcome::Deny(DenyReason::NoPermit);
        }
        let dominates = request.clearance_level >= request.label_level
            && request
                .label_categories
                .is_subset_of(&request.clearance_categories);
        if dominates {
            Outcome::Permit
        } else {
            Outcome::Deny(DenyReason::ClearanceNotDominant)
        }
    }

    #[inline]
    fn any_match(&self, indices: &[u32], request: &CompiledRequest) -> bool {
        indices.iter().any(|&i| {
            self.rules
                .get(i as usize)
                .is_some_and(|rule| rule.matches(request))
        })
    }
}

/// Term tables used while compiling rules.
struct Context<'a> {
    levels: &'a HashMap<Box<str>, u8>,
    categories: &'a HashMap<Box<str>, u8>,
    top_level: u8,
}

impl Context<'_> {
    fn rule(
        &self,
        rule: &Rule,
        authorities: &HashMap<AuthorityId, u8>,
    ) -> Result<CompiledRule, CompileError> {
        let unknown = |kind: TermKind, term: &str| CompileError::UnknownTerm {
            rule: rule.id.clone(),
            kind,
            term: term.to_owned(),
        };
        let level = |name: &Option<String>, default: u8| -> Result<u8, CompileError> {
            match name {
                None => Ok(default),
                Some(name) => self
                    .levels
                    .get(name.as_str())
                    .copied()
                    .ok_or_else(|| unknown(TermKind::Level, name)),
            }
        };
        let set = |names: &[String]| -> Result<Bits256, CompileError> {
            let mut bits = Bits256::default();
            for name in names {
                let index = self
                    .categories
                    .get(name.as_str())
                    .ok_or_else(|| unknown(TermKind::Category, name))?;
                bits.insert(usize::from(*index));
            }
            Ok(bits)
        };
        let label_min = level(&rule.resource.min_level, 0)?;
        let label_max = level(&rule.resource.max_level, self.top_level)?;
        if label_min > label_max {
            return Err(CompileError::EmptyLevelRange {
                rule: rule.id.clone(),
            });
        }
        let label_require = set(&rule.resource.require_categories)?;
        let label_exclude = set(&rule.resource.exclude_categories)?;
        if let Some(term) = rule
            .resource
            .require_categories
            .iter()
            .find(|c| rule.resource.exclude_categories.contains(c))
        {
            return Err(CompileError::ContradictoryCategories {
                rule: rule.id.clone(),
                term: term.clone(),
            });
        }
        let clearance_min = level(&rule.clearance.min_level, 0)?;
        let clearance_require = set(&rule.clearance.require_categories)?;
        let authorities = match &rule.authorities {
            Match::Any => Bits256::ALL,
            Match::Only(list) => {
                let mut bits = Bits256::default();
                for index in list.iter().filter_map(|a| authorities.get(a)) {
                    bits.insert(usize::from(*index));
                }
                bits
            }
        };
        let roles = match &rule.roles {
            Match::Any => 0b111,
            Match::Only(list) => list.iter().fold(0, |acc, role| acc | role.bit()),
        };
        Ok(CompiledRule {
            authorities,
            roles,
            label_min,
            label_max,
            label_require,
            label_exclude,
            clearance_min,
            clearance_require,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Permit,
    Deny(DenyReason),
}

/// The result of evaluating a compiled request: the decision, and the
/// rules behind it, found again on demand so that evaluation allocates
/// nothing.
#[derive(Clone, Copy, Debug)]
pub struct Verdict<'p> {
    policy: &'p CompiledPolicy,
    request: Option<CompiledRequest>,
    outcome: Outcome,
}

impl<'p> Verdict<'p> {
    /// Whether access is permitted.
    pub fn is_permit(&self) -> bool {
        self.outcome == Outcome::Permit
    }

    /// The reason for a deny.
    pub fn deny_reason(&self) -> Option<DenyReason> {
        match self.outcome {
            Outcome::Permit => None,
            Outcome::Deny(reason) => Some(reason),
        }
    }

    /// The ids of the rules that decided, in rule order (see [`Decision`]
    /// for which rules those are). Allocates nothing.
    pub fn rules(&self) -> impl Iterator<Item = &'p str> + use<'p> {
        let policy = self.policy;
        let request = self.request;
        let effect = match self.outcome {
            Outcome::Permit | Outcome::Deny(DenyReason::ClearanceNotDominant) => {
                Some(Effect::Permit)
            }
            Outcome::Deny(DenyReason::Forbidden) => Some(Effect::Forbid),
            Outcome::Deny(_) => None,
        };
        let indices: &'p [u32] = match (effect, request) {
            (Some(effect), Some(request)) => policy
                .by_action
                .get(usize::from(request.action))
                .map(|index| match effect {
                    Effect::Forbid => index.forbid.as_slice(),
                    Effect::Permit => index.permit.as_slice(),
                })
                .unwrap_or_default(),
            _ => &[],
        };
        indices.iter().filter_map(move |&i| {
            let rule = policy.rules.get(i as usize)?;
            let request = request.as_ref()?;
            if rule.matches(request) {
                policy.rule_ids.get(i as usize).map(String::as_str)
            } else {
                None
            }
        })
    }

    /// The decision as an owned value with sorted rule ids, as
    /// [`crate::evaluate_naive`] gives it. Allocates.
    pub fn to_decision(&self) -> Decision {
        let mut rules: Vec<String> = self.rules().map(str::to_owned).collect();
        rules.sort();
        match self.outcome {
            Outcome::Permit => Decision::Permit { rules },
            Outcome::Deny(reason) => Decision::Deny { reason, rules },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Bits256;

    #[test]
    fn bitset_operations_match_set_semantics() {
        let mut a = Bits256::default();
        let mut b = Bits256::default();
        for i in [0, 63, 64, 200, 255] {
            a.insert(i);
            b.insert(i);
        }
        b.insert(128);
        assert!(a.contains(255) && a.contains(64) && !a.contains(128));
        assert!(a.is_subset_of(&b));
        assert!(!b.is_subset_of(&a));
        assert!(a.intersects(&b));
        assert!(!Bits256::default().intersects(&Bits256::ALL));
        assert!(Bits256::default().is_subset_of(&a));
    }

    #[test]
    fn bitset_ignores_out_of_range_indices() {
        let mut a = Bits256::default();
        a.insert(256);
        a.insert(usize::MAX);
        assert_eq!(a, Bits256::default());
        assert!(!Bits256::ALL.contains(256));
    }
}
