//! Property tests of the evaluation invariants and the format round trips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use entente_core::{UnixTime, Validity, Version};
use entente_policy::oracle::{self, Case};
use entente_policy::{
    ClearanceCondition, CompiledPolicy, Decision, DenyReason, Effect, LabelCondition, Match,
    Policy, Rule, Vocabulary, evaluate_naive,
};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        ..ProptestConfig::default()
    }
}

/// A case whose policy compiles.
fn compiling_case(bytes: &[u8]) -> Option<(Case, CompiledPolicy)> {
    let case = Case::from_bytes(bytes);
    let compiled = CompiledPolicy::compile(&case.policy, &case.vocabulary).ok()?;
    Some((case, compiled))
}

fn decisions(policy: &Policy, vocabulary: &Vocabulary, case: &Case) -> Vec<Decision> {
    let compiled = CompiledPolicy::compile(policy, vocabulary).unwrap();
    case.requests
        .iter()
        .map(|r| compiled.evaluate_request(r).to_decision())
        .collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn compiled_and_naive_evaluation_agree(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        // The oracle asserts agreement on every request, rules included.
        oracle::evaluate(&bytes);
        let case = Case::from_bytes(&bytes);
        if let Ok(compiled) = CompiledPolicy::compile(&case.policy, &case.vocabulary) {
            for request in &case.requests {
                let naive = evaluate_naive(&case.policy, &case.vocabulary, request);
                let verdict = compiled.evaluate_request(request);
                prop_assert_eq!(verdict.is_permit(), naive.is_permit());
                prop_assert_eq!(verdict.deny_reason(), naive.deny_reason());
            }
        }
    }

    #[test]
    fn forbid_overrides_permit(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let Some((case, compiled)) = compiling_case(&bytes) else { return Ok(()) };
        for request in &case.requests {
            if !compiled.evaluate_request(request).is_permit() {
                continue;
            }
            // A forbid rule aimed at exactly this request.
            let mut policy = case.policy.clone();
            policy.rules.push(Rule {
                id: "forbid-this".into(),
                effect: Effect::Forbid,
                authorities: Match::Only(vec![request.subject.authority]),
                roles: Match::Only(vec![request.subject.role]),
                actions: Match::Only(vec![request.action.clone()]),
                resource: LabelCondition::default(),
                clearance: ClearanceCondition::default(),
            });
            let decision = CompiledPolicy::compile(&policy, &case.vocabulary)
                .unwrap()
                .evaluate_request(request)
                .to_decision();
            prop_assert_eq!(decision.deny_reason(), Some(DenyReason::Forbidden));
            prop_assert!(decision.rules().iter().any(|r| r == "forbid-this"));
        }
    }

    #[test]
    fn default_deny(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let Some((case, compiled)) = compiling_case(&bytes) else { return Ok(()) };
        // Every permit is backed by a permit rule that the naive evaluator
        // finds matching.
        for request in &case.requests {
            let decision = compiled.evaluate_request(request).to_decision();
            if let Decision::Permit { rules } = &decision {
                prop_assert!(!rules.is_empty());
                for id in rules {
                    let rule = case.policy.rules.iter().find(|r| &r.id == id).unwrap();
                    prop_assert_eq!(rule.effect, Effect::Permit);
                }
            }
        }
        // Without permit rules nothing is permitted.
        let mut policy = case.policy.clone();
        policy.rules.retain(|r| r.effect == Effect::Forbid);
        for decision in decisions(&policy, &case.vocabulary, &case) {
            prop_assert!(!decision.is_permit());
        }
    }

    #[test]
    fn permit_implies_clearance_dominates_label(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let Some((case, compiled)) = compiling_case(&bytes) else { return Ok(()) };
        for request in &case.requests {
            if compiled.evaluate_request(request).is_permit() {
                let level = |name: &str| case.vocabulary.level_index(name).unwrap();
                prop_assert!(level(&request.subject.clearance.level) >= level(&request.resource.level));
                for category in &request.resource.categories {
                    prop_assert!(request.subject.clearance.categories.contains(category));
                }
                prop_assert_eq!(request.resource.owner, case.policy.authority);
                prop_assert!(case.policy.validity.contains(request.time));
            }
        }
    }

    #[test]
    fn rule_order_does_not_change_a_decision(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        rotate in 0usize..16,
        reverse in any::<bool>(),
    ) {
        let Some((case, _)) = compiling_case(&bytes) else { return Ok(()) };
        let before = decisions(&case.policy, &case.vocabulary, &case);
        let mut policy = case.policy.clone();
        if !policy.rules.is_empty() {
            let by = rotate % policy.rules.len();
            policy.rules.rotate_left(by);
        }
        if reverse {
            policy.rules.reverse();
        }
        prop_assert_eq!(before, decisions(&policy, &case.vocabulary, &case));
    }

    #[test]
    fn json_cbor_json_round_trip(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        id in "[^\\p{Cc}]{1,40}",
        version in any::<u64>(),
        start in any::<u64>(),
        length in 1u64..=u64::MAX,
    ) {
        let case = Case::from_bytes(&bytes);
        let mut policy = case.policy.clone();
        policy.id = id.clone();
        policy.version = Version(version);
        policy.validity = Validity {
            not_before: UnixTime(start.saturating_sub(length)),
            not_after: UnixTime(start.max(1)),
        };
        prop_assume!(policy.validate().is_ok());
        let json = policy.to_json().unwrap();
        let cbor = Policy::from_json(&json).unwrap().to_cbor().unwrap();
        let again = Policy::from_cbor(&cbor).unwrap();
        prop_assert_eq!(&again, &policy);
        prop_assert_eq!(again.to_json().unwrap(), json);

        let mut vocabulary = case.vocabulary.clone();
        vocabulary.id = id;
        vocabulary.version = Version(version);
        let json = vocabulary.to_json().unwrap();
        let cbor = Vocabulary::from_json(&json).unwrap().to_cbor().unwrap();
        let again = Vocabulary::from_cbor(&cbor).unwrap();
        prop_assert_eq!(&again, &vocabulary);
        prop_assert_eq!(again.to_json().unwrap(), json);
    }

    #[test]
    fn hostile_cbor_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        oracle::cbor_decode(&bytes);
        prop_assert!(Policy::from_cbor(&bytes).is_err() || Policy::from_cbor(&bytes).is_ok());
    }

    #[test]
    fn mutated_policy_cbor_never_panics(at in any::<prop::sample::Index>(), xor in 1u8..=255) {
        let mut bytes = common::gbr_policy().to_cbor().unwrap();
        let i = at.index(bytes.len());
        bytes[i] ^= xor;
        oracle::cbor_decode(&bytes);
        // Any accepted mutation is a different, still valid policy.
        if let Ok(policy) = Policy::from_cbor(&bytes) {
            prop_assert_ne!(policy, common::gbr_policy());
        }
    }
}

#[test]
fn oracle_cases_exercise_every_outcome() {
    use std::collections::HashSet;
    let mut compiled_count = 0;
    let mut seen: HashSet<Option<DenyReason>> = HashSet::new();
    for seed in 0u32..2000 {
        // Deterministic pseudo-random bytes.
        let bytes: Vec<u8> = (0..160u32)
            .map(|i| {
                (seed
                    .wrapping_mul(2_654_435_761)
                    .wrapping_add(i.wrapping_mul(40_503))
                    >> 7) as u8
            })
            .collect();
        let Some((case, compiled)) = compiling_case(&bytes) else {
            continue;
        };
        compiled_count += 1;
        for request in &case.requests {
            seen.insert(compiled.evaluate_request(request).deny_reason());
        }
    }
    assert!(
        compiled_count > 1000,
        "only {compiled_count} of 2000 cases compiled"
    );
    for outcome in [
        None,
        Some(DenyReason::Forbidden),
        Some(DenyReason::NoPermit),
        Some(DenyReason::ClearanceNotDominant),
        Some(DenyReason::OutOfScope),
        Some(DenyReason::OutsideValidity),
        Some(DenyReason::ForeignResource),
    ] {
        assert!(
            seen.contains(&outcome),
            "no case gave {outcome:?}; seen {seen:?}"
        );
    }
}
