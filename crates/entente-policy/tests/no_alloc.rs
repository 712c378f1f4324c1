//! Evaluation of a compiled policy allocates nothing (ARCHITECTURE §5).
//!
//! The counting allocator is global to the process, so this test runs
//! without libtest's harness (`harness = false` in Cargo.toml): `main` is
//! the only thread, and nothing else (a second test, the harness's own
//! bookkeeping) can allocate inside the measured region.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::alloc::System;

use entente_core::UnixTime;
use entente_policy::{Clearance, CompiledPolicy, DenyReason, Label, Request, Role, Subject};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn request(role: Role, action: &str, level: &str, categories: &[&str]) -> Request {
    let policy = common::gbr_policy();
    Request {
        subject: Subject {
            authority: entente_core::AuthorityId::from_digest(
                entente_core::Digest256::from_hex(
                    "eb7fc22943edc08fefd2f9a5cdffd0d78a0790551518b1c52e1b52fbdcfae2a0",
                )
                .unwrap(),
            ),
            role,
            clearance: Clearance {
                level: "SECRET".into(),
                categories: vec!["REL FVEY".into()],
            },
        },
        action: action.into(),
        resource: Label {
            owner: policy.authority,
            level: level.into(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        },
        operation: entente_core::OperationId::derive(&policy.authority, "example"),
        alliances: vec!["FVEY".into()],
        time: UnixTime(1_780_000_000),
    }
}

fn main() {
    compiled_evaluation_allocates_nothing();
    println!("no_alloc: compiled_evaluation_allocates_nothing ... ok");
}

fn compiled_evaluation_allocates_nothing() {
    let compiled =
        CompiledPolicy::compile(&common::gbr_policy(), &common::gbr_vocabulary()).unwrap();
    let requests = [
        request(Role::Supporting, "read", "SECRET", &["REL FVEY"]),
        request(Role::Observing, "read", "SECRET", &[]),
        request(Role::Supporting, "write", "OFFICIAL", &[]),
        request(Role::Lead, "disseminate", "TOP SECRET", &["REL FVEY"]),
        request(Role::Lead, "read", "OFFICIAL", &["UK EYES ONLY"]),
    ];
    let compiled_requests: Vec<_> = requests
        .iter()
        .map(|r| compiled.compile_request(r).unwrap())
        .collect();
    let expected: Vec<_> = compiled_requests
        .iter()
        .map(|r| compiled.evaluate(r).to_decision())
        .collect();
    // The requests cover permits and several kinds of deny.
    assert!(expected[0].is_permit());
    assert_eq!(expected[1].deny_reason(), Some(DenyReason::Forbidden));
    assert_eq!(expected[2].deny_reason(), Some(DenyReason::NoPermit));
    assert_eq!(
        expected[3].deny_reason(),
        Some(DenyReason::ClearanceNotDominant)
    );

    let mut permits = 0usize;
    let mut cited = 0usize;
    let region = Region::new(GLOBAL);
    for _ in 0..1000 {
        for r in &compiled_requests {
            let verdict = compiled.evaluate(r);
            permits += usize::from(verdict.is_permit());
            cited += verdict.rules().count();
        }
        // Putting a request in the policy's terms allocates nothing either.
        for r in &requests {
            let compiled_request = compiled.compile_request(r).unwrap();
            permits += usize::from(compiled.evaluate(&compiled_request).is_permit());
        }
    }
    let stats = region.change();
    assert_eq!(stats.allocations, 0, "evaluation allocated: {stats:?}");
    assert_eq!(stats.reallocations, 0, "evaluation reallocated: {stats:?}");
    assert_eq!(permits, 2000);
    assert!(cited >= 1000);
}
