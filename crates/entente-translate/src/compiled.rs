//! The compiled translated policy: A's policy rendered in B's terms.
//!
//! Everything that depends only on the translation and the policy is
//! computed once: per target term, the set of source terms it may stand for;
//! per rule, its conditions as source-index bitsets. A decision is then a
//! few bitset operations per rule. It must decide exactly as
//! [`crate::evaluate_by_mapping`] does (tested on every generated case).

use std::collections::HashMap;

use entente_core::{AuthorityId, Validity};
use entente_policy::{Effect, Limits, Match, Policy, Request, Role, Scope, TermKind, Vocabulary};

use crate::apply::{Outcome, TranslatedDeny, Tri, decide, deny, gate};
use crate::error::{Side, TranslationError};
use crate::map::TermMap;

const WORDS: usize = Limits::MAX_CATEGORIES.div_ceil(64);

/// A set of vocabulary indices below 256.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Bits([u64; WORDS]);

impl Bits {
    fn insert(&mut self, index: usize) {
        if let Some(word) = self.0.get_mut(index / 64) {
            *word |= 1 << (index % 64);
        }
    }

    fn from_indices(indices: impl IntoIterator<Item = usize>) -> Self {
        let mut bits = Self::default();
        for i in indices {
            bits.insert(i);
        }
        bits
    }

    fn zip(self, other: Self, f: impl Fn(u64, u64) -> u64) -> Self {
        let mut out = self;
        for (a, b) in out.0.iter_mut().zip(other.0) {
            *a = f(*a, b);
        }
        out
    }

    fn is_empty(self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    fn subset_of(self, other: Self) -> bool {
        self.zip(other, |a, b| a & !b).is_empty()
    }

    fn disjoint(self, other: Self) -> bool {
        self.zip(other, |a, b| a & b).is_empty()
    }

    fn union(self, other: Self) -> Self {
        self.zip(other, |a, b| a | b)
    }
}

/// Truth of "every index of `required` is held" for a set known to contain
/// `yes` and to lie within `maybe`.
fn require(required: Bits, yes: Bits, maybe: Bits) -> Tri {
    if required.subset_of(yes) {
        Tri::Yes
    } else if !required.subset_of(maybe) {
        Tri::No
    } else {
        Tri::Maybe
    }
}

/// Truth of "no index of `excluded` is held".
fn exclude(excluded: Bits, yes: Bits, maybe: Bits) -> Tri {
    if excluded.disjoint(maybe) {
        Tri::Yes
    } else if !excluded.disjoint(yes) {
        Tri::No
    } else {
        Tri::Maybe
    }
}

/// A rule in source indices.
#[derive(Clone, Debug)]
struct Rule {
    id: String,
    effect: Effect,
    authorities: Option<Vec<AuthorityId>>,
    roles: [bool; 3],
    actions: Option<Bits>,
    resource_min: Option<usize>,
    resource_max: Option<usize>,
    resource_require: Bits,
    resource_exclude: Bits,
    clearance_min: Option<usize>,
    clearance_require: Bits,
}

fn role_index(role: Role) -> usize {
    match role {
        Role::Lead => 0,
        Role::Supporting => 1,
        Role::Observing => 2,
    }
}

/// Per target term: what it may stand for in the source.
#[derive(Clone, Debug)]
struct Tables {
    levels: HashMap<String, usize>,
    categories: HashMap<String, usize>,
    actions: HashMap<String, usize>,
    action_preimage: Vec<Bits>,
    resource_levels: Vec<Option<(usize, usize)>>,
    clearance_levels: Vec<Option<(usize, usize)>>,
    category_preimage: Vec<Bits>,
    category_unique: Vec<bool>,
    unmapped: Bits,
}

/// A source policy made ready to decide requests in the target's terms:
/// A's policy rendered in B's terms, for systems that enforce locally.
#[derive(Clone, Debug)]
pub struct TranslatedPolicy {
    authority: AuthorityId,
    validity: Validity,
    scope: Scope,
    /// The translation's own validity and scope.
    translation_validity: Validity,
    translation_scope: Scope,
    rules: Vec<Rule>,
    /// Per target action: the rules whose actions may include one of its
    /// preimages (every other rule is definitely not matching).
    rules_by_action: Vec<Vec<usize>>,
    tables: Tables,
    hops: usize,
}

fn index_names<'a>(names: impl Iterator<Item = &'a String>) -> HashMap<String, usize> {
    names.enumerate().map(|(i, n)| (n.clone(), i)).collect()
}

impl TranslatedPolicy {
    /// Prepares `policy` (in `source`'s terms) for requests in `target`'s
    /// terms through `map`, within the translation's `validity` and `scope`.
    pub fn new(
        policy: &Policy,
        source: &Vocabulary,
        map: &TermMap,
        target: &Vocabulary,
        validity: Validity,
        scope: Scope,
    ) -> Result<Self, TranslationError> {
        if policy.vocabulary != map.source() {
            return Err(TranslationError::PolicyVocabulary);
        }
        // Compiling checks every term the policy names exists in `source`.
        entente_policy::CompiledPolicy::compile(policy, source)
            .map_err(TranslationError::Policy)?;
        if map.target_counts()
            != [
                target.levels.len(),
                target.categories.len(),
                target.actions.len(),
            ]
        {
            return Err(TranslationError::VocabularyMismatch(Side::Target));
        }
        if source.categories.len() > Limits::MAX_CATEGORIES
            || source.actions.len() > Limits::MAX_ACTIONS
        {
            return Err(TranslationError::TooManyCategories { side: Side::Source });
        }
        let level = |name: &Option<String>| name.as_deref().and_then(|n| source.level_index(n));
        let categories = |names: &[String]| {
            Bits::from_indices(names.iter().filter_map(|n| source.category_index(n)))
        };
        let rules: Vec<Rule> = policy
            .rules
            .iter()
            .map(|rule| Rule {
                id: rule.id.clone(),
                effect: rule.effect,
                authorities: match &rule.authorities {
                    Match::Any => None,
                    Match::Only(list) => Some(list.clone()),
                },
                roles: Role::ALL.map(|r| rule.roles.contains(&r)),
                actions: match &rule.actions {
                    Match::Any => None,
                    Match::Only(names) => Some(Bits::from_indices(
                        names.iter().filter_map(|n| source.action_index(n)),
                    )),
                },
                resource_min: level(&rule.resource.min_level),
                resource_max: level(&rule.resource.max_level),
                resource_require: categories(&rule.resource.require_categories),
                resource_exclude: categories(&rule.resource.exclude_categories),
                clearance_min: level(&rule.clearance.min_level),
                clearance_require: categories(&rule.clearance.require_categories),
            })
            .collect();
        let [levels, cats, acts] = map.target_counts();
        let category_preimage: Vec<Bits> = (0..cats)
            .map(|c| Bits::from_indices(map.category_preimage(c)))
            .collect();
        let tables = Tables {
            levels: index_names(target.levels.iter().map(|l| &l.name)),
            categories: index_names(target.categories.iter().map(|c| &c.name)),
            actions: index_names(target.actions.iter().map(|a| &a.name)),
            action_preimage: (0..acts)
                .map(|a| Bits::from_indices(map.action_preimage(a)))
                .collect(),
            resource_levels: (0..levels).map(|l| map.resource_levels(l)).collect(),
            clearance_levels: (0..levels).map(|l| map.clearance_levels(l)).collect(),
            category_unique: (0..cats)
                .map(|c| map.category_preimage(c).count() == 1)
                .collect(),
            category_preimage,
            unmapped: Bits::from_indices(map.unmapped_categories()),
        };
        let rules_by_action = tables
            .action_preimage
            .iter()
            .map(|pre| {
                rules
                    .iter()
                    .enumerate()
                    .filter(|(_, r): &(usize, &Rule)| {
                        r.actions.is_none_or(|listed| !pre.disjoint(listed))
                    })
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        Ok(Self {
            authority: policy.authority,
            rules_by_action,
            validity: policy.validity,
            scope: policy.scope.clone(),
            translation_validity: validity,
            translation_scope: scope,
            rules,
            tables,
            hops: map.hops(),
        })
    }

    /// The number of translation hops behind this policy.
    pub fn hops(&self) -> usize {
        self.hops
    }

    /// Decides `request`, written in the target vocabulary's terms.
    pub fn evaluate(&self, request: &Request) -> Outcome {
        use TranslatedDeny::{UnknownTerm, Untranslatable};
        let t = &self.tables;
        let Some(&action) = t.actions.get(&request.action) else {
            return deny(UnknownTerm(TermKind::Action), Vec::new());
        };
        let Some(&level) = t.levels.get(&request.resource.level) else {
            return deny(UnknownTerm(TermKind::Level), Vec::new());
        };
        let mut label = Vec::with_capacity(request.resource.categories.len());
        for name in &request.resource.categories {
            match t.categories.get(name) {
                Some(&c) => label.push(c),
                None => return deny(UnknownTerm(TermKind::Category), Vec::new()),
            }
        }
        let Some(&clearance) = t.levels.get(&request.subject.clearance.level) else {
            return deny(UnknownTerm(TermKind::Level), Vec::new());
        };
        let actions = t.action_preimage.get(action).copied().unwrap_or_default();
        if actions.is_empty() {
            return deny(Untranslatable(TermKind::Action), Vec::new());
        }
        let Some(resource_levels) = t.resource_levels.get(level).copied().flatten() else {
            return deny(Untranslatable(TermKind::Level), Vec::new());
        };
        let (mut res_yes, mut res_maybe) = (Bits::default(), Bits::default());
        for c in label {
            let pre = t.category_preimage.get(c).copied().unwrap_or_default();
            if pre.is_empty() {
                return deny(Untranslatable(TermKind::Category), Vec::new());
            }
            res_maybe = res_maybe.union(pre);
            if t.category_unique.get(c).copied().unwrap_or(false) {
                res_yes = res_yes.union(pre);
            }
        }
        let Some(clearance_levels) = t.clearance_levels.get(clearance).copied().flatten() else {
            return deny(Untranslatable(TermKind::Level), Vec::new());
        };
        let (mut clr_yes, mut clr_maybe) = (Bits::default(), t.unmapped);
        for name in &request.subject.clearance.categories {
            let Some(&c) = t.categories.get(name) else {
                continue;
            };
            let pre = t.category_preimage.get(c).copied().unwrap_or_default();
            clr_maybe = clr_maybe.union(pre);
            if t.category_unique.get(c).copied().unwrap_or(false) {
                clr_yes = clr_yes.union(pre);
            }
        }
        if let Some(denied) = gate(
            (&self.translation_validity, &self.translation_scope),
            (&self.validity, self.authority, &self.scope),
            request,
        ) {
            return denied;
        }
        let role = role_index(request.subject.role);
        // Conditions in order of cost; the first definitely-false one
        // decides (Kleene conjunction is false as soon as one operand is).
        let truth = |rule: &Rule| -> Tri {
            let subject = rule
                .authorities
                .as_ref()
                .is_none_or(|list| list.contains(&request.subject.authority))
                && rule.roles.get(role).copied().unwrap_or(false);
            if !subject {
                return Tri::No;
            }
            let mut truth = match rule.actions {
                None => Tri::Yes,
                Some(listed) if actions.subset_of(listed) => Tri::Yes,
                Some(listed) if actions.disjoint(listed) => return Tri::No,
                Some(_) => Tri::Maybe,
            };
            let conditions: [&dyn Fn() -> Tri; 6] = [
                &|| {
                    rule.resource_min
                        .map_or(Tri::Yes, |m| Tri::at_least(resource_levels, m))
                },
                &|| {
                    rule.resource_max
                        .map_or(Tri::Yes, |m| Tri::at_most(resource_levels, m))
                },
                &|| require(rule.resource_require, res_yes, res_maybe),
                &|| exclude(rule.resource_exclude, res_yes, res_maybe),
                &|| {
                    rule.clearance_min
                        .map_or(Tri::Yes, |m| Tri::at_least(clearance_levels, m))
                },
                &|| require(rule.clearance_require, clr_yes, clr_maybe),
            ];
            for condition in conditions {
                truth = truth.and(condition());
                if truth == Tri::No {
                    return Tri::No;
                }
            }
            truth
        };
        let candidates = self
            .rules_by_action
            .get(action)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let dominance = || {
            Tri::dominates(clearance_levels, resource_levels).and(if res_maybe.subset_of(clr_yes) {
                Tri::Yes
            } else if !res_yes.subset_of(clr_maybe) {
                Tri::No
            } else {
                Tri::Maybe
            })
        };
        decide(
            candidates
                .iter()
                .filter_map(|i| self.rules.get(*i))
                .map(|rule| (rule.effect, rule.id.as_str(), truth(rule))),
            dominance,
        )
    }
}
