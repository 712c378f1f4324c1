//! Evaluating a request against a policy: entente's compiled evaluator next
//! to Cedar on the same rules and the same requests, for 10, 100, 1,000 and
//! 10,000 rules (how evaluation grows with the rules). One iteration is one
//! decision; the requests cycle through a fixed set of 64 with a mix of
//! permits and denies.
//!
//! The Cedar side is the same policy written as Cedar: each rule becomes a
//! `permit` or `forbid` whose `when` clause carries the rule's conditions;
//! the policy's owner, validity and scope and clearance dominance become one
//! `forbid ... unless` (see `cedar_policies`); subjects and resources are
//! entities with their clearance and label as attributes, built before
//! timing, as entente's requests are compiled before timing. Before timing, both engines decide every request and
//! the bench refuses to run if they disagree once.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::str::FromStr as _;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use entente_core::{ArtifactId, AuthorityId, Digest256, OperationId, UnixTime, Validity, Version};
use entente_policy::{
    Action, Category, CategoryKind, Clearance, ClearanceCondition, CompiledPolicy, Effect, Label,
    LabelCondition, Level, Match, Policy, Request, Role, Rule, Scope, Subject, Vocabulary,
};

const LEVELS: usize = 4;
const CATEGORIES: usize = 16;
const ACTIONS: usize = 8;
const PARTNERS: usize = 8;
const REQUESTS: usize = 64;
const TIME: u64 = 1_500;

/// A small deterministic generator (xorshift64*), so every run benchmarks
/// the same rules and requests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    /// One to `most` distinct indices below `n`, sorted.
    fn some(&mut self, most: usize, n: usize) -> Vec<usize> {
        let count = 1 + self.below(most);
        self.distinct(count, n)
    }

    /// Zero to `most` distinct indices below `n`, sorted.
    fn up_to(&mut self, most: usize, n: usize) -> Vec<usize> {
        let count = self.below(most + 1);
        self.distinct(count, n)
    }

    /// `count` distinct indices below `n`, sorted.
    fn distinct(&mut self, count: usize, n: usize) -> Vec<usize> {
        let mut out = Vec::new();
        while out.len() < count.min(n) {
            let i = self.below(n);
            if !out.contains(&i) {
                out.push(i);
            }
        }
        out.sort_unstable();
        out
    }
}

fn owner() -> AuthorityId {
    AuthorityId::from_spki_der(b"bench owner")
}

fn partner(i: usize) -> AuthorityId {
    AuthorityId::from_spki_der(format!("bench partner {i}").as_bytes())
}

fn operation() -> OperationId {
    OperationId::derive(&owner(), "bench operation")
}

fn level_name(i: usize) -> String {
    ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"][i].to_owned()
}

fn vocabulary() -> Vocabulary {
    Vocabulary {
        id: "bench".into(),
        version: Version(1),
        authority: owner(),
        levels: (0..LEVELS)
            .map(|i| Level {
                name: level_name(i),
                description: String::new(),
            })
            .collect(),
        categories: (0..CATEGORIES)
            .map(|i| Category {
                name: format!("C{i}"),
                kind: CategoryKind::Caveat,
                description: String::new(),
            })
            .collect(),
        actions: (0..ACTIONS)
            .map(|i| Action {
                name: format!("A{i}"),
                description: String::new(),
            })
            .collect(),
    }
}

fn policy(rules: usize, rng: &mut Rng) -> Policy {
    let mut out = Vec::with_capacity(rules);
    for index in 0..rules {
        let level = |rng: &mut Rng| rng.chance(3).then(|| level_name(rng.below(LEVELS)));
        let (mut min_level, mut max_level) = (level(rng), level(rng));
        if let (Some(a), Some(b)) = (&min_level, &max_level) {
            // Keep the range non-empty in the vocabulary's order.
            if level_index(a) > level_index(b) {
                std::mem::swap(&mut min_level, &mut max_level);
            }
        }
        let require: Vec<String> = if rng.chance(3) {
            vec![format!("C{}", rng.below(CATEGORIES))]
        } else {
            vec![]
        };
        let exclude: Vec<String> = if rng.chance(3) {
            vec![format!("C{}", rng.below(CATEGORIES))]
        } else {
            vec![]
        };
        // Forbids are rarer and narrower than permits, as in real policies:
        // one partner, one role, resources of one category.
        let effect = if rng.chance(20) {
            Effect::Forbid
        } else {
            Effect::Permit
        };
        let narrow = effect == Effect::Forbid;
        let require = if narrow && require.is_empty() {
            vec![format!("C{}", rng.below(CATEGORIES))]
        } else {
            require
        };
        // A rule never requires and excludes one category.
        let exclude: Vec<String> = exclude
            .into_iter()
            .filter(|c| !require.contains(c))
            .collect();
        out.push(Rule {
            id: format!("rule-{index}"),
            effect,
            authorities: if !narrow && rng.chance(2) {
                Match::Any
            } else {
                Match::Only(
                    rng.some(if narrow { 1 } else { 2 }, PARTNERS)
                        .into_iter()
                        .map(partner)
                        .collect(),
                )
            },
            roles: if !narrow && rng.chance(2) {
                Match::Any
            } else {
                Match::Only(
                    rng.some(if narrow { 1 } else { 2 }, 3)
                        .into_iter()
                        .map(|i| Role::ALL[i])
                        .collect(),
                )
            },
            actions: if rng.chance(10) {
                Match::Any
            } else {
                Match::Only(
                    rng.some(2, ACTIONS)
                        .into_iter()
                        .map(|i| format!("A{i}"))
                        .collect(),
                )
            },
            resource: LabelCondition {
                min_level,
                max_level,
                require_categories: require,
                exclude_categories: exclude,
            },
            clearance: ClearanceCondition {
                min_level: rng.chance(4).then(|| level_name(rng.below(LEVELS))),
                require_categories: vec![],
            },
        });
    }
    Policy {
        id: format!("bench-{rules}"),
        version: Version(1),
        authority: owner(),
        vocabulary: ArtifactId::from_digest(Digest256::sha256(b"bench vocabulary")),
        scope: Scope::Operations(vec![operation()]),
        validity: Validity {
            not_before: UnixTime(1_000),
            not_after: UnixTime(2_000),
        },
        rules: out,
    }
}

fn level_index(name: &str) -> usize {
    (0..LEVELS).position(|i| level_name(i) == name).unwrap()
}

fn requests(rng: &mut Rng) -> Vec<Request> {
    (0..REQUESTS)
        .map(|_| {
            // Most subjects are cleared for what they ask for, so that both
            // permits and every kind of deny occur.
            let label_level = rng.below(LEVELS);
            let label_categories = rng.up_to(2, CATEGORIES);
            let (clearance_level, mut clearance_categories) = if rng.chance(4) {
                (rng.below(LEVELS), rng.up_to(4, CATEGORIES))
            } else {
                let level = label_level + rng.below(LEVELS - label_level);
                let extra = rng.up_to(3, CATEGORIES);
                (
                    level,
                    label_categories
                        .iter()
                        .copied()
                        .chain(extra)
                        .collect::<Vec<_>>(),
                )
            };
            clearance_categories.sort_unstable();
            clearance_categories.dedup();
            let names = |v: &[usize]| v.iter().map(|i| format!("C{i}")).collect::<Vec<_>>();
            Request {
                subject: Subject {
                    authority: partner(rng.below(PARTNERS)),
                    role: Role::ALL[rng.below(3)],
                    clearance: Clearance {
                        level: level_name(clearance_level),
                        categories: names(&clearance_categories),
                    },
                },
                action: format!("A{}", rng.below(ACTIONS)),
                resource: Label {
                    owner: owner(),
                    level: level_name(label_level),
                    categories: names(&label_categories),
                },
                operation: operation(),
                alliances: vec![],
                time: UnixTime(TIME),
            }
        })
        .collect()
}

// ---- the same policy and requests in Cedar ----

fn cedar_string_set<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    let inner: Vec<String> = items.iter().map(|i| format!("\"{}\"", show(i))).collect();
    format!("[{}]", inner.join(", "))
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Lead => "lead",
        Role::Supporting => "supporting",
        Role::Observing => "observing",
    }
}

/// `x == "a"` for one value, `["a", "b"].contains(x)` for several.
fn cedar_in<T>(items: &[T], show: impl Fn(&T) -> String, expr: &str) -> String {
    match items {
        [one] => format!("{expr} == \"{}\"", show(one)),
        _ => format!("{}.contains({expr})", cedar_string_set(items, show)),
    }
}

/// The policy in Cedar, written to be as cheap for Cedar as we could make
/// it: the policy-wide conditions (owner, validity, scope) and clearance
/// dominance are one `forbid ... unless` instead of being repeated in every
/// rule. That is equivalent: when any of them fails, entente denies whatever
/// the rules say, and so does a matching forbid in Cedar.
fn cedar_policies(policy: &Policy) -> String {
    let mut src = String::new();
    let _ = writeln!(
        src,
        "@id(\"policy-wide\")\nforbid(principal, action, resource) unless {{\n  resource.owner == \"{}\" &&\n  context.time >= {} &&\n  context.time < {} &&\n  {} &&\n  principal.level >= resource.level &&\n  principal.categories.containsAll(resource.categories)\n}};",
        policy.authority,
        policy.validity.not_before.as_secs(),
        policy.validity.not_after.as_secs(),
        policy_scope_ops(policy),
    );
    for rule in &policy.rules {
        let effect = match rule.effect {
            Effect::Permit => "permit",
            Effect::Forbid => "forbid",
        };
        let action = match &rule.actions {
            Match::Any => "action".to_owned(),
            Match::Only(names) => match names.as_slice() {
                [one] => format!("action == Action::\"{one}\""),
                _ => {
                    let list: Vec<String> =
                        names.iter().map(|n| format!("Action::\"{n}\"")).collect();
                    format!("action in [{}]", list.join(", "))
                }
            },
        };
        let mut when = Vec::new();
        if let Match::Only(list) = &rule.authorities {
            when.push(cedar_in(list, |a| a.to_string(), "principal.authority"));
        }
        if let Match::Only(list) = &rule.roles {
            when.push(cedar_in(
                list,
                |r| role_name(*r).to_owned(),
                "principal.role",
            ));
        }
        if let Some(min) = &rule.resource.min_level {
            when.push(format!("resource.level >= {}", level_index(min)));
        }
        if let Some(max) = &rule.resource.max_level {
            when.push(format!("resource.level <= {}", level_index(max)));
        }
        for category in &rule.resource.require_categories {
            when.push(format!("resource.categories.contains(\"{category}\")"));
        }
        for category in &rule.resource.exclude_categories {
            when.push(format!("!resource.categories.contains(\"{category}\")"));
        }
        if let Some(min) = &rule.clearance.min_level {
            when.push(format!("principal.level >= {}", level_index(min)));
        }
        for category in &rule.clearance.require_categories {
            when.push(format!("principal.categories.contains(\"{category}\")"));
        }
        let when = if when.is_empty() {
            String::new()
        } else {
            format!(" when {{\n  {}\n}}", when.join(" &&\n  "))
        };
        let _ = writeln!(
            src,
            "@id(\"{}\")\n{effect}(principal, {action}, resource){when};",
            rule.id
        );
    }
    src
}

fn policy_scope_ops(policy: &Policy) -> String {
    match &policy.scope {
        Scope::Operations(ops) => cedar_in(ops, |o| o.to_string(), "context.operation"),
        _ => panic!("the bench policy is scoped to operations"),
    }
}

fn cedar_request(request: &Request) -> (cedar_policy::Request, cedar_policy::Entities) {
    let entities = serde_json::json!([
        {
            "uid": {"type": "Subject", "id": "subject"},
            "attrs": {
                "authority": request.subject.authority.to_string(),
                "role": role_name(request.subject.role),
                "level": level_index(&request.subject.clearance.level),
                "categories": request.subject.clearance.categories,
            },
            "parents": []
        },
        {
            "uid": {"type": "Resource", "id": "resource"},
            "attrs": {
                "owner": request.resource.owner.to_string(),
                "level": level_index(&request.resource.level),
                "categories": request.resource.categories,
            },
            "parents": []
        }
    ]);
    let entities = cedar_policy::Entities::from_json_value(entities, None).unwrap();
    let context = cedar_policy::Context::from_json_value(
        serde_json::json!({"operation": request.operation.to_string(), "time": request.time.as_secs()}),
        None,
    )
    .unwrap();
    let uid = |s: &str| cedar_policy::EntityUid::from_str(s).unwrap();
    let request = cedar_policy::Request::new(
        uid(r#"Subject::"subject""#),
        uid(&format!("Action::\"{}\"", request.action)),
        uid(r#"Resource::"resource""#),
        context,
        None,
    )
    .unwrap();
    (request, entities)
}

fn bench_policy(c: &mut Criterion) {
    let mut group = c.benchmark_group("policy/evaluate");
    group.measurement_time(Duration::from_secs(3));
    group.warm_up_time(Duration::from_secs(1));
    group.sample_size(50);
    let vocabulary = vocabulary();
    // Calibration, to read Cedar's figures against: one unconditional
    // permit, on the same request and entities as below.
    {
        let trivial =
            cedar_policy::PolicySet::from_str("permit(principal, action, resource);").unwrap();
        let (request, entities) = cedar_request(&requests(&mut Rng(1))[0]);
        let authorizer = cedar_policy::Authorizer::new();
        group.bench_function("cedar-one-unconditional-permit", |b| {
            b.iter(|| {
                black_box(
                    authorizer
                        .is_authorized(black_box(&request), &trivial, &entities)
                        .decision(),
                )
            });
        });
    }
    for rules in [10usize, 100, 1_000, 10_000] {
        let mut rng = Rng(0x5eed_0000 + rules as u64);
        let policy = policy(rules, &mut rng);
        let requests = requests(&mut rng);
        let compiled = CompiledPolicy::compile(&policy, &vocabulary).unwrap();
        let compiled_requests: Vec<_> = requests
            .iter()
            .map(|r| compiled.compile_request(r).unwrap())
            .collect();

        let cedar_set = cedar_policy::PolicySet::from_str(&cedar_policies(&policy)).unwrap();
        let cedar_requests: Vec<_> = requests.iter().map(cedar_request).collect();
        let authorizer = cedar_policy::Authorizer::new();

        // Both engines must decide every request the same way.
        let mut permits = 0;
        for (i, (request, entities)) in cedar_requests.iter().enumerate() {
            let ours = compiled.evaluate(&compiled_requests[i]).is_permit();
            let response = authorizer.is_authorized(request, &cedar_set, entities);
            let errors = response.diagnostics().errors().count();
            assert_eq!(errors, 0, "cedar reported evaluation errors on request {i}");
            let theirs = response.decision() == cedar_policy::Decision::Allow;
            assert_eq!(
                ours, theirs,
                "entente and cedar disagree on request {i} at {rules} rules"
            );
            permits += usize::from(ours);
        }
        eprintln!("{rules} rules: {permits} of {REQUESTS} requests permitted by both engines");

        group.bench_with_input(BenchmarkId::new("entente", rules), &rules, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % REQUESTS;
                black_box(
                    compiled
                        .evaluate(black_box(&compiled_requests[i]))
                        .is_permit(),
                )
            });
        });
        group.bench_with_input(
            BenchmarkId::new("entente-from-names", rules),
            &rules,
            |b, _| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) % REQUESTS;
                    black_box(
                        compiled
                            .evaluate_request(black_box(&requests[i]))
                            .is_permit(),
                    )
                });
            },
        );
        group.bench_with_input(BenchmarkId::new("cedar", rules), &rules, |b, _| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % REQUESTS;
                let (request, entities) = &cedar_requests[i];
                black_box(
                    authorizer
                        .is_authorized(black_box(request), &cedar_set, entities)
                        .decision(),
                )
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_policy);
criterion_main!(benches);
