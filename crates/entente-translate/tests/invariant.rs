//! The translation invariant, checked against an independent oracle:
//! a translated permit implies that the source policy (evaluated by
//! `entente_policy::evaluate_naive`) permits every source request that reads
//! as the translated request — found by enumerating them, hop by hop. Also
//! the differential property: the compiled translated policy decides exactly
//! as request mapping does.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::cell::Cell;

use entente_core::{ArtifactId, AuthorityId, Digest256, OperationId, UnixTime, Validity, Version};
use entente_policy::{
    Action, Category, CategoryKind, Clearance, ClearanceCondition, Effect, Label, LabelCondition,
    Level, Match, Policy, Request, Role, Rule, Scope, Subject, Vocabulary, evaluate_naive,
};
use entente_translate::{
    Direction, Lossiness, TermMap, TermPair, TranslatedPolicy, Translation, VocabularyRef,
    evaluate_by_mapping,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const VALIDITY: Validity = Validity {
    not_before: UnixTime(0),
    not_after: UnixTime(1_000_000),
};

fn authority(name: &str) -> AuthorityId {
    AuthorityId::from_spki_der(name.as_bytes())
}

fn vocab_id(v: &Vocabulary) -> ArtifactId {
    ArtifactId::from_digest(Digest256::sha256(v.id.as_bytes()))
}

fn vocabulary(name: &str, levels: usize, categories: usize, actions: usize) -> Vocabulary {
    Vocabulary {
        id: name.to_owned(),
        version: Version(1),
        authority: authority(name),
        levels: (0..levels)
            .map(|i| Level {
                name: format!("{name}-L{i}"),
                description: String::new(),
            })
            .collect(),
        categories: (0..categories)
            .map(|i| Category {
                name: format!("{name}-C{i}"),
                kind: CategoryKind::Caveat,
                description: String::new(),
            })
            .collect(),
        actions: (0..actions)
            .map(|i| Action {
                name: format!("{name}-a{i}"),
                description: String::new(),
            })
            .collect(),
    }
}

/// Shape of one vocabulary: (levels, categories, actions).
fn shape() -> impl Strategy<Value = (usize, usize, usize)> {
    (1usize..=4, 0usize..=3, 1usize..=2)
}

/// A monotone partial level map and partial category and action maps
/// between two shapes, as index choices.
#[derive(Clone, Debug)]
struct MapChoice {
    levels: Vec<Option<usize>>,
    categories: Vec<Option<usize>>,
    actions: Vec<Option<usize>>,
}

fn map_choice(
    from: (usize, usize, usize),
    to: (usize, usize, usize),
) -> impl Strategy<Value = MapChoice> {
    let levels = proptest::collection::vec((0..to.0, any::<u8>()), from.0).prop_map(|mut picks| {
        // Sorting the targets makes the map monotone; some entries are dropped.
        let mut targets: Vec<usize> = picks.iter().map(|(t, _)| *t).collect();
        targets.sort_unstable();
        picks
            .iter_mut()
            .zip(targets)
            .map(|((_, coin), t)| if *coin % 10 == 0 { None } else { Some(t) })
            .collect()
    });
    let partial = |n: usize, m: usize| {
        proptest::collection::vec(proptest::option::weighted(0.9, 0..m.max(1)), n)
            .prop_map(move |v| if m == 0 { vec![None; v.len()] } else { v })
    };
    (levels, partial(from.1, to.1), partial(from.2, to.2)).prop_map(
        |(levels, categories, actions)| MapChoice {
            levels,
            categories,
            actions,
        },
    )
}

fn translation(source: &Vocabulary, target: &Vocabulary, choice: &MapChoice) -> Translation {
    let pairs =
        |map: &[Option<usize>], s: &dyn Fn(usize) -> String, t: &dyn Fn(usize) -> String| {
            map.iter()
                .enumerate()
                .filter_map(|(i, to)| {
                    to.map(|j| TermPair {
                        source: s(i),
                        target: t(j),
                    })
                })
                .collect()
        };
    Translation {
        id: format!("{}-to-{}", source.id, target.id),
        version: Version(1),
        source: VocabularyRef {
            authority: source.authority,
            vocabulary: vocab_id(source),
        },
        target: VocabularyRef {
            authority: target.authority,
            vocabulary: vocab_id(target),
        },
        direction: Direction::SourceToTarget,
        levels: pairs(&choice.levels, &|i| source.levels[i].name.clone(), &|j| {
            target.levels[j].name.clone()
        }),
        categories: pairs(
            &choice.categories,
            &|i| source.categories[i].name.clone(),
            &|j| target.categories[j].name.clone(),
        ),
        actions: pairs(&choice.actions, &|i| source.actions[i].name.clone(), &|j| {
            target.actions[j].name.clone()
        }),
        lossy: Lossiness {
            levels: true,
            categories: true,
            actions: true,
        },
        scope: Scope::Any,
        validity: VALIDITY,
    }
}

/// Subset of `0..n` from a bitmask.
fn subset(mask: u8, n: usize) -> Vec<usize> {
    (0..n).filter(|i| mask & (1 << i) != 0).collect()
}

#[derive(Clone, Debug)]
struct RuleChoice {
    forbid: bool,
    authorities: Option<u8>,
    roles: Option<u8>,
    actions: Option<u8>,
    min: Option<usize>,
    max: Option<usize>,
    require: u8,
    exclude: u8,
    clearance_min: Option<usize>,
    clearance_require: u8,
}

fn rule_choice(levels: usize) -> impl Strategy<Value = RuleChoice> {
    (
        proptest::bool::weighted(0.2),
        proptest::option::of(1u8..4),
        proptest::option::of(1u8..8),
        proptest::option::of(1u8..4),
        proptest::option::weighted(0.3, 0..levels),
        proptest::option::weighted(0.3, 0..levels),
        (any::<u8>(), any::<u8>()),
        proptest::option::weighted(0.3, 0..levels),
        any::<u8>(),
    )
        .prop_map(
            |(
                forbid,
                authorities,
                roles,
                actions,
                min,
                max,
                (require, exclude),
                clearance_min,
                cr,
            )| RuleChoice {
                forbid,
                authorities,
                roles,
                actions,
                min: match (min, max) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    _ => min,
                },
                max: match (min, max) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => max,
                },
                // Sparse category conditions keep permits reachable; a category
                // both required and excluded is refused by the policy compiler.
                require: require & exclude.rotate_left(3) & 0x7,
                exclude: exclude
                    & require.rotate_left(5)
                    & 0x7
                    & !(require & exclude.rotate_left(3)),
                clearance_min,
                clearance_require: cr & cr.rotate_left(2) & 0x7,
            },
        )
}

const PARTNERS: [&str; 2] = ["partner-x", "partner-y"];

fn policy(source: &Vocabulary, rules: &[RuleChoice]) -> Policy {
    let level = |i: Option<usize>| i.map(|i| source.levels[i].name.clone());
    let cats = |mask: u8| {
        subset(mask, source.categories.len())
            .into_iter()
            .map(|i| source.categories[i].name.clone())
            .collect()
    };
    Policy {
        id: "generated".into(),
        version: Version(1),
        authority: source.authority,
        vocabulary: vocab_id(source),
        scope: Scope::Any,
        validity: VALIDITY,
        rules: rules
            .iter()
            .enumerate()
            .map(|(n, r)| Rule {
                id: format!("r{n}"),
                effect: if r.forbid {
                    Effect::Forbid
                } else {
                    Effect::Permit
                },
                authorities: r.authorities.map_or(Match::Any, |m| {
                    Match::Only(
                        subset(m, 2)
                            .into_iter()
                            .map(|i| authority(PARTNERS[i]))
                            .collect(),
                    )
                }),
                roles: r.roles.map_or(Match::Any, |m| {
                    Match::Only(subset(m, 3).into_iter().map(|i| Role::ALL[i]).collect())
                }),
                actions: match r.actions.map(|m| subset(m, source.actions.len())) {
                    Some(list) if !list.is_empty() => Match::Only(
                        list.into_iter()
                            .map(|i| source.actions[i].name.clone())
                            .collect(),
                    ),
                    _ => Match::Any,
                },
                resource: LabelCondition {
                    min_level: level(r.min),
                    max_level: level(r.max),
                    require_categories: cats(r.require),
                    exclude_categories: cats(r.exclude),
                },
                clearance: ClearanceCondition {
                    min_level: level(r.clearance_min),
                    require_categories: cats(r.clearance_require),
                },
            })
            .collect(),
    }
}

#[derive(Clone, Debug)]
struct RequestChoice {
    partner: usize,
    role: usize,
    action: usize,
    level: usize,
    categories: u8,
    clearance: usize,
    clearance_categories: u8,
}

fn request_choice(target: (usize, usize, usize)) -> impl Strategy<Value = RequestChoice> {
    (
        0..2usize,
        0..3usize,
        0..target.2,
        0..target.0,
        any::<u8>(),
        0..target.0,
        any::<u8>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                partner,
                role,
                action,
                level,
                categories,
                clearance,
                clearance_categories,
                senior,
            )| RequestChoice {
                partner,
                role,
                action,
                level,
                categories: categories & categories.rotate_left(4),
                // Half the subjects are cleared at least to the resource's level,
                // so that permits are common enough to test.
                clearance: if senior {
                    clearance.max(level)
                } else {
                    clearance
                },
                clearance_categories,
            },
        )
}

/// A request's terms as vocabulary indices.
struct Terms<'a> {
    action: usize,
    level: usize,
    categories: &'a [usize],
    clearance: usize,
    clearance_categories: &'a [usize],
}

fn request(v: &Vocabulary, owner: AuthorityId, c: &RequestChoice, t: &Terms<'_>) -> Request {
    Request {
        subject: Subject {
            authority: authority(PARTNERS[c.partner]),
            role: Role::ALL[c.role],
            clearance: Clearance {
                level: v.levels[t.clearance].name.clone(),
                categories: t
                    .clearance_categories
                    .iter()
                    .map(|i| v.categories[*i].name.clone())
                    .collect(),
            },
        },
        action: v.actions[t.action].name.clone(),
        resource: Label {
            owner,
            level: v.levels[t.level].name.clone(),
            categories: t
                .categories
                .iter()
                .map(|i| v.categories[*i].name.clone())
                .collect(),
        },
        operation: OperationId::derive(&owner, "op"),
        alliances: Vec::new(),
        time: UnixTime(500),
    }
}

/// Applies the hop maps one after the other (not their composition).
fn forward(
    maps: &[TermMap],
    start: usize,
    step: impl Fn(&TermMap, usize) -> Option<usize>,
) -> Option<usize> {
    maps.iter().try_fold(start, |i, m| step(m, i))
}

/// Every source request that reads as the target request `c`, by enumeration.
fn preimages(
    maps: &[TermMap],
    source: &Vocabulary,
    target: &Vocabulary,
    owner: AuthorityId,
    c: &RequestChoice,
) -> Vec<Request> {
    let level = |i| forward(maps, i, TermMap::level);
    let category = |i| forward(maps, i, TermMap::category);
    let action = |i| forward(maps, i, TermMap::action);
    let label: Vec<usize> = subset(c.categories, target.categories.len());
    let clr_b: Vec<usize> = subset(c.clearance_categories, target.categories.len());
    // Clearance categories with no preimage are dropped before comparing.
    let clr_b: Vec<usize> = clr_b
        .into_iter()
        .filter(|b| (0..source.categories.len()).any(|a| category(a) == Some(*b)))
        .collect();
    let image = |set: &[usize]| {
        let mut out: Vec<usize> = set.iter().filter_map(|a| category(*a)).collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    let n = source.categories.len();
    let mut out = Vec::new();
    for a in (0..source.actions.len()).filter(|a| action(*a) == Some(c.action)) {
        for l in (0..source.levels.len()).filter(|l| level(*l) == Some(c.level)) {
            for mask in 0u8..(1 << n) {
                let cats = subset(mask, n);
                if cats.iter().any(|x| category(*x).is_none()) || image(&cats) != label {
                    continue;
                }
                for cl in (0..source.levels.len()).filter(|l| level(*l) == Some(c.clearance)) {
                    for cmask in 0u8..(1 << n) {
                        let clr = subset(cmask, n);
                        if image(&clr) != clr_b {
                            continue;
                        }
                        out.push(request(
                            source,
                            owner,
                            c,
                            &Terms {
                                action: a,
                                level: l,
                                categories: &cats,
                                clearance: cl,
                                clearance_categories: &clr,
                            },
                        ));
                    }
                }
            }
        }
    }
    out
}

struct Counts {
    cases: Cell<usize>,
    permits: Cell<usize>,
    preimages_checked: Cell<usize>,
}

fn check(hops: usize, cases: u32) -> Counts {
    let counts = Counts {
        cases: Cell::new(0),
        permits: Cell::new(0),
        preimages_checked: Cell::new(0),
    };
    let strategy = proptest::collection::vec(shape(), hops + 1).prop_flat_map(|shapes| {
        let maps: Vec<_> = shapes.windows(2).map(|w| map_choice(w[0], w[1])).collect();
        let first = shapes[0];
        let last = *shapes.last().unwrap();
        (
            Just(shapes),
            maps,
            proptest::collection::vec(rule_choice(first.0), 1..6),
            request_choice(last),
        )
    });
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |(shapes, choices, rules, req)| {
            let vocabs: Vec<Vocabulary> = shapes
                .iter()
                .enumerate()
                .map(|(i, s)| vocabulary(&format!("V{i}"), s.0, s.1, s.2))
                .collect();
            let hop_maps: Vec<TermMap> = choices
                .iter()
                .enumerate()
                .map(|(i, choice)| {
                    let (s, t) = (&vocabs[i], &vocabs[i + 1]);
                    translation(s, t, choice)
                        .resolve(s, vocab_id(s), t, vocab_id(t))
                        .unwrap()
                })
                .collect();
            let map = TermMap::compose_all(&hop_maps, hops).unwrap();
            let (source, target) = (&vocabs[0], vocabs.last().unwrap());
            let policy = policy(source, &rules);
            let owner = source.authority;
            let l = subset(req.categories, target.categories.len());
            let cl = subset(req.clearance_categories, target.categories.len());
            let b_request = request(
                target,
                owner,
                &req,
                &Terms {
                    action: req.action,
                    level: req.level,
                    categories: &l,
                    clearance: req.clearance,
                    clearance_categories: &cl,
                },
            );
            let by_mapping = evaluate_by_mapping(
                &policy,
                source,
                &map,
                target,
                (&VALIDITY, &Scope::Any),
                &b_request,
            );
            let compiled =
                TranslatedPolicy::new(&policy, source, &map, target, VALIDITY, Scope::Any).unwrap();
            prop_assert_eq!(
                &compiled.evaluate(&b_request),
                &by_mapping,
                "compiled differs from request mapping"
            );
            counts.cases.set(counts.cases.get() + 1);
            if by_mapping.is_permit() {
                counts.permits.set(counts.permits.get() + 1);
                for a_request in preimages(&hop_maps, source, target, owner, &req) {
                    counts
                        .preimages_checked
                        .set(counts.preimages_checked.get() + 1);
                    let decision = evaluate_naive(&policy, source, &a_request);
                    prop_assert!(
                        decision.is_permit(),
                        "translated permit, but the source denies {:?}: {:?}",
                        a_request,
                        decision
                    );
                }
            }
            Ok(())
        })
        .unwrap();
    counts
}

fn report(hops: usize, counts: &Counts) {
    println!(
        "translation invariant, {hops} hop(s): {} cases, {} translated permits, {} preimages checked",
        counts.cases.get(),
        counts.permits.get(),
        counts.preimages_checked.get()
    );
    // The property must be able to fire: enough permits with preimages
    // (compositions lose terms at every hop, so permits thin out with hops).
    assert!(
        counts.permits.get() * 50 >= counts.cases.get(),
        "too few permits to test the invariant"
    );
    assert!(
        counts.permits.get() >= 30,
        "too few permits to test the invariant"
    );
    assert!(counts.preimages_checked.get() > 0);
}

#[test]
fn translated_permit_implies_source_permits_every_preimage_one_hop() {
    let counts = check(1, 5_000);
    report(1, &counts);
}

#[test]
fn translated_permit_implies_source_permits_every_preimage_two_hops() {
    let counts = check(2, 3_000);
    report(2, &counts);
}

#[test]
fn translated_permit_implies_source_permits_every_preimage_three_hops() {
    let counts = check(3, 2_000);
    report(3, &counts);
}
