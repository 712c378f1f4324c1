#![allow(
    clippy::indexing_slicing,
    reason = "indices are taken modulo the array length"
)]
#![allow(
    clippy::expect_used,
    reason = "a benchmark aborts when its setup fails"
)]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

//! Evaluation through a translation against direct evaluation of the same
//! policy, on the same requests, in one binary.

use criterion::{Criterion, criterion_group, criterion_main};
use entente_core::{ArtifactId, AuthorityId, Digest256, OperationId, UnixTime, Validity, Version};
use entente_policy::{
    Action, Category, CategoryKind, Clearance, ClearanceCondition, CompiledPolicy, Effect, Label,
    LabelCondition, Level, Match, Policy, Request, Role, Rule, Scope, Subject, Vocabulary,
};
use entente_translate::{
    Direction, Lossiness, TermPair, TranslatedPolicy, Translation, VocabularyRef,
};

/// Requests evaluated per iteration; `cargo xtask bench --report` divides by
/// it (`TRANSLATE_REQUESTS` in `xtask/src/report.rs`).
const REQUESTS: usize = 64;

fn vocabulary(name: &str) -> Vocabulary {
    Vocabulary {
        id: name.into(),
        version: Version(1),
        authority: AuthorityId::from_spki_der(name.as_bytes()),
        levels: (0..4)
            .map(|i| Level {
                name: format!("L{i}"),
                description: String::new(),
            })
            .collect(),
        categories: (0..8)
            .map(|i| Category {
                name: format!("C{i}"),
                kind: CategoryKind::Caveat,
                description: String::new(),
            })
            .collect(),
        actions: (0..4)
            .map(|i| Action {
                name: format!("a{i}"),
                description: String::new(),
            })
            .collect(),
    }
}

fn id(name: &str) -> ArtifactId {
    ArtifactId::from_digest(Digest256::sha256(name.as_bytes()))
}

fn setup(rules: usize) -> (CompiledPolicy, TranslatedPolicy, Vec<Request>) {
    let (a, b) = (vocabulary("A"), vocabulary("B"));
    let validity = Validity {
        not_before: UnixTime(0),
        not_after: UnixTime(u64::MAX),
    };
    let policy = Policy {
        id: "bench".into(),
        version: Version(1),
        authority: a.authority,
        vocabulary: id("A"),
        scope: Scope::Any,
        validity,
        rules: (0..rules)
            .map(|i| Rule {
                id: format!("r{i}"),
                effect: if i % 7 == 6 {
                    Effect::Forbid
                } else {
                    Effect::Permit
                },
                authorities: Match::Any,
                roles: Match::Only(vec![Role::ALL[i % 3]]),
                actions: Match::Only(vec![format!("a{}", i % 4)]),
                resource: LabelCondition {
                    min_level: None,
                    max_level: Some(format!("L{}", i % 4)),
                    require_categories: vec![format!("C{}", i % 8)],
                    exclude_categories: vec![],
                },
                clearance: ClearanceCondition {
                    min_level: None,
                    require_categories: vec![],
                },
            })
            .collect(),
    };
    // A lossless translation: the same names on both sides.
    let pairs = |prefix: &str, n: usize| {
        (0..n)
            .map(|i| TermPair {
                source: format!("{prefix}{i}"),
                target: format!("{prefix}{i}"),
            })
            .collect()
    };
    let translation = Translation {
        id: "a-b".into(),
        version: Version(1),
        source: VocabularyRef {
            authority: a.authority,
            vocabulary: id("A"),
        },
        target: VocabularyRef {
            authority: b.authority,
            vocabulary: id("B"),
        },
        direction: Direction::Both,
        levels: pairs("L", 4),
        categories: pairs("C", 8),
        actions: pairs("a", 4),
        lossy: Lossiness::default(),
        scope: Scope::Any,
        validity,
    };
    let map = translation
        .resolve(&a, id("A"), &b, id("B"))
        .expect("resolves");
    let direct = CompiledPolicy::compile(&policy, &a).expect("compiles");
    let translated =
        TranslatedPolicy::new(&policy, &a, &map, &b, validity, Scope::Any).expect("renders");
    let requests = (0..REQUESTS)
        .map(|i| Request {
            subject: Subject {
                authority: AuthorityId::from_spki_der(b"partner"),
                role: Role::ALL[i % 3],
                clearance: Clearance {
                    level: "L3".into(),
                    categories: (0..8).map(|c| format!("C{c}")).collect(),
                },
            },
            action: format!("a{}", i % 4),
            resource: Label {
                owner: a.authority,
                level: format!("L{}", i % 4),
                categories: vec![format!("C{}", i % 8)],
            },
            operation: OperationId::derive(&a.authority, "op"),
            alliances: vec![],
            time: UnixTime(1),
        })
        .collect();
    (direct, translated, requests)
}

fn translated_vs_direct(c: &mut Criterion) {
    for rules in [10, 100] {
        let (direct, translated, requests) = setup(rules);
        // Same decisions both ways (the translation is lossless).
        for r in &requests {
            assert_eq!(
                direct.evaluate_request(r).is_permit(),
                translated.evaluate(r).is_permit()
            );
        }
        let mut group = c.benchmark_group(format!("translate/{rules}_rules"));
        group.bench_function("direct", |b| {
            b.iter(|| {
                requests
                    .iter()
                    .filter(|r| direct.evaluate_request(r).to_decision().is_permit())
                    .count()
            })
        });
        group.bench_function("translated", |b| {
            b.iter(|| {
                requests
                    .iter()
                    .filter(|r| translated.evaluate(r).is_permit())
                    .count()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, translated_vs_direct);
criterion_main!(benches);
