//! Testing oracles for the fuzz targets and property tests: each takes
//! arbitrary bytes, must never panic, and asserts the property its target
//! is named for.

use entente_core::{ArtifactId, AuthorityId, Digest256, OperationId, UnixTime, Validity, Version};

use crate::compile::CompiledPolicy;
use crate::policy::{ClearanceCondition, Effect, LabelCondition, Match, Policy, Role, Rule, Scope};
use crate::request::{Clearance, Label, Request, Subject, evaluate_naive};
use crate::vocabulary::{Action, Category, CategoryKind, Level, Vocabulary};

/// `policy_cbor_decode`: whatever the strict decoder accepts as a policy or
/// a vocabulary re-encodes to the same bytes and survives a JSON round trip
/// unchanged.
pub fn cbor_decode(data: &[u8]) {
    if let Ok(policy) = Policy::from_cbor(data) {
        assert_eq!(
            policy.to_cbor().ok().as_deref(),
            Some(data),
            "policy re-encoding differs"
        );
        let json = policy.to_json().ok();
        let back = json.as_deref().and_then(|j| Policy::from_json(j).ok());
        assert_eq!(
            back.as_ref(),
            Some(&policy),
            "policy json round trip differs"
        );
    }
    if let Ok(vocabulary) = Vocabulary::from_cbor(data) {
        assert_eq!(
            vocabulary.to_cbor().ok().as_deref(),
            Some(data),
            "vocabulary re-encoding differs"
        );
        let json = vocabulary.to_json().ok();
        let back = json.as_deref().and_then(|j| Vocabulary::from_json(j).ok());
        assert_eq!(
            back.as_ref(),
            Some(&vocabulary),
            "vocabulary json round trip differs"
        );
    }
}

/// `policy_evaluate`: builds a vocabulary, a policy and requests from the
/// bytes; whenever the policy compiles, the compiled evaluator agrees with
/// [`evaluate_naive`] on every request, including the rules cited.
pub fn evaluate(data: &[u8]) {
    let case = Case::from_bytes(data);
    let Ok(compiled) = CompiledPolicy::compile(&case.policy, &case.vocabulary) else {
        return;
    };
    for request in &case.requests {
        let naive = evaluate_naive(&case.policy, &case.vocabulary, request);
        let fast = compiled.evaluate_request(request).to_decision();
        assert_eq!(
            naive, fast,
            "compiled and naive evaluation disagree on {request:?}"
        );
        if naive.is_permit() {
            assert!(!naive.rules().is_empty(), "a permit must cite its rules");
        }
    }
}

/// A vocabulary, a policy over it and requests, built from arbitrary bytes.
#[derive(Clone, Debug)]
pub struct Case {
    /// The vocabulary.
    pub vocabulary: Vocabulary,
    /// The policy; it usually, but not always, compiles.
    pub policy: Policy,
    /// Requests, mostly in the vocabulary's terms.
    pub requests: Vec<Request>,
}

/// Reads bytes, giving zeros once they run out.
struct Bytes<'a>(core::slice::Iter<'a, u8>);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        self.0.next().copied().unwrap_or(0)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::from(self.byte()) % n
        }
    }

    fn pick<'t, T>(&mut self, items: &'t [T]) -> Option<&'t T> {
        let index = self.below(items.len());
        items.get(index)
    }

    /// A non-empty subset of `items` (or the first item).
    fn subset<T: Clone>(&mut self, items: &[T]) -> Vec<T> {
        let mask = self.byte();
        let mut out: Vec<T> = items
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1u8 << (i % 8)) != 0)
            .map(|(_, t)| t.clone())
            .collect();
        if out.is_empty() {
            out.extend(items.first().cloned());
        }
        out
    }

    /// A possibly empty subset of `items`.
    fn any_subset<T: Clone>(&mut self, items: &[T]) -> Vec<T> {
        let mask = self.byte();
        items
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1u8 << (i % 8)) != 0)
            .map(|(_, t)| t.clone())
            .collect()
    }
}

/// The authorities cases draw from; the first owns the policy.
pub fn authorities() -> [AuthorityId; 3] {
    [0u8, 1, 2].map(|i| AuthorityId::from_spki_der(&[b'a', i]))
}

/// The operations cases draw from.
pub fn operations() -> [OperationId; 3] {
    let declarer = AuthorityId::from_spki_der(b"declarer");
    ["alpha", "bravo", "charlie"].map(|name| OperationId::derive(&declarer, name))
}

const ALLIANCES: [&str; 3] = ["NATO", "FVEY", "AUKUS"];

impl Case {
    /// Builds a case from `data`. Never panics; short input gives small
    /// cases.
    pub fn from_bytes(data: &[u8]) -> Self {
        let mut b = Bytes(data.iter());
        let authorities = authorities();
        let owner = authorities[0];
        let level_names: Vec<String> = (0..1 + b.below(5)).map(|i| format!("L{i}")).collect();
        let category_names: Vec<String> = (0..b.below(9)).map(|i| format!("C{i}")).collect();
        let action_names: Vec<String> = (0..1 + b.below(4)).map(|i| format!("A{i}")).collect();
        let vocabulary = Vocabulary {
            id: "oracle".to_owned(),
            version: Version(1),
            authority: owner,
            levels: level_names
                .iter()
                .map(|n| Level {
                    name: n.clone(),
                    description: String::new(),
                })
                .collect(),
            categories: category_names
                .iter()
                .map(|n| Category {
                    name: n.clone(),
                    kind: CategoryKind::Caveat,
                    description: String::new(),
                })
                .collect(),
            actions: action_names
                .iter()
                .map(|n| Action {
                    name: n.clone(),
                    description: String::new(),
                })
                .collect(),
        };
        let ops = operations();
        let alliances: Vec<String> = ALLIANCES.iter().map(|s| (*s).to_owned()).collect();
        let scope = match b.below(4) {
            0 => Scope::Operations(b.subset(&ops)),
            1 => Scope::Alliances(b.subset(&alliances)),
            _ => Scope::Any,
        };
        let rule_count = b.below(12);
        let mut rules = Vec::with_capacity(rule_count);
        for index in 0..rule_count {
            let level = |b: &mut Bytes<'_>| -> Option<String> {
                if b.below(3) == 0 {
                    b.pick(&level_names).cloned()
                } else {
                    None
                }
            };
            let min_level = level(&mut b);
            let max_level = level(&mut b);
            let clearance_min = level(&mut b);
            let categories = |b: &mut Bytes<'_>| {
                if b.below(2) == 0 {
                    b.any_subset(&category_names)
                } else {
                    Vec::new()
                }
            };
            let require = categories(&mut b);
            let exclude = categories(&mut b);
            let clearance_require = categories(&mut b);
            let mut actions = if b.below(3) == 0 {
                Match::Any
            } else {
                Match::Only(b.subset(&action_names))
            };
            // Rarely name a term the vocabulary lacks, so the compile error
            // path is exercised too.
            if b.byte() == 0xff {
                actions = Match::Only(vec!["undefined".to_owned()]);
            }
            rules.push(Rule {
                id: format!("r{index}"),
                effect: if b.below(3) == 0 {
                    Effect::Forbid
                } else {
                    Effect::Permit
                },
                authorities: if b.below(2) == 0 {
                    Match::Any
                } else {
                    Match::Only(b.subset(&authorities))
                },
                roles: if b.below(2) == 0 {
                    Match::Any
                } else {
                    Match::Only(b.subset(&Role::ALL))
                },
                actions,
                resource: LabelCondition {
                    min_level,
                    max_level,
                    require_categories: require,
                    exclude_categories: exclude,
                },
                clearance: ClearanceCondition {
                    min_level: clearance_min,
                    require_categories: clearance_require,
                },
            });
        }
        let policy = Policy {
            id: "oracle-policy".to_owned(),
            version: Version(1),
            authority: owner,
            vocabulary: ArtifactId::from_digest(Digest256::sha256(b"oracle vocabulary")),
            scope,
            validity: Validity {
                not_before: UnixTime(100),
                not_after: UnixTime(200),
            },
            rules,
        };
        let request_count = 1 + b.below(8);
        let times = [50, 100, 150, 199, 200].map(UnixTime);
        let mut requests = Vec::with_capacity(request_count);
        for _ in 0..request_count {
            let term = |b: &mut Bytes<'_>, names: &[String]| -> String {
                if b.byte() == 0xfe {
                    "undefined".to_owned()
                } else {
                    b.pick(names).cloned().unwrap_or_default()
                }
            };
            let action = term(&mut b, &action_names);
            let label_level = term(&mut b, &level_names);
            let clearance_level = term(&mut b, &level_names);
            let mut label_categories = b.any_subset(&category_names);
            if b.byte() == 0xfd {
                label_categories.push("undefined".to_owned());
            }
            let mut clearance_categories = b.any_subset(&category_names);
            if b.byte() == 0xfc {
                clearance_categories.push("undefined".to_owned());
            }
            let subject_authority = b.pick(&authorities).copied().unwrap_or(owner);
            let resource_owner = if b.below(8) == 0 {
                authorities[1]
            } else {
                owner
            };
            requests.push(Request {
                subject: Subject {
                    authority: subject_authority,
                    role: b.pick(&Role::ALL).copied().unwrap_or(Role::Lead),
                    clearance: Clearance {
                        level: clearance_level,
                        categories: clearance_categories,
                    },
                },
                action,
                resource: Label {
                    owner: resource_owner,
                    level: label_level,
                    categories: label_categories,
                },
                operation: b.pick(&ops).copied().unwrap_or(ops[0]),
                alliances: b.any_subset(&alliances),
                time: b.pick(&times).copied().unwrap_or(UnixTime(150)),
            });
        }
        Self {
            vocabulary,
            policy,
            requests,
        }
    }
}
