//! Invalid policy vectors: `tests/vectors/invalid/<scenario>/policy.json`,
//! each with a README.txt saying why it must fail. Every scenario on disk
//! must be listed here with the error it must produce.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use entente_policy::{
    CompileError, CompiledPolicy, FormatError, ListField, Policy, TermKind, ValidationError,
};

/// The outcome of reading and compiling a vector's policy.
fn outcome(scenario: &str) -> Result<(), Outcome> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/invalid")
        .join(scenario);
    assert!(
        dir.join("README.txt").is_file(),
        "{scenario} has no README.txt"
    );
    let text = std::fs::read_to_string(dir.join("policy.json")).unwrap();
    let policy = Policy::from_json(&text).map_err(Outcome::Format)?;
    CompiledPolicy::compile(&policy, &common::gbr_vocabulary()).map_err(Outcome::Compile)?;
    Ok(())
}

/// Whether a rejection is the expected one.
type Check = fn(&Outcome) -> bool;

#[derive(Debug)]
enum Outcome {
    Format(FormatError),
    Compile(CompileError),
}

fn unknown_category(o: &Outcome) -> bool {
    is_unknown(
        o,
        "partners-read-up-to-secret",
        TermKind::Category,
        "NOFORN",
    )
}

fn unknown_level(o: &Outcome) -> bool {
    is_unknown(o, "lead-writes", TermKind::Level, "OFFICIAL-SENSITIVE")
}

fn unknown_action(o: &Outcome) -> bool {
    is_unknown(o, "lead-writes", TermKind::Action, "delete")
}

fn is_unknown(o: &Outcome, rule: &str, kind: TermKind, term: &str) -> bool {
    matches!(o, Outcome::Compile(e) if *e == unknown(rule, kind, term))
}

fn unknown(rule: &str, kind: TermKind, term: &str) -> CompileError {
    CompileError::UnknownTerm {
        rule: rule.into(),
        kind,
        term: term.into(),
    }
}

#[test]
fn every_invalid_vector_rejected_for_its_reason() {
    let expectations: Vec<(&str, Check)> = vec![
        ("unknown_category_in_rule", unknown_category),
        ("unknown_level_in_rule", unknown_level),
        ("unknown_action_in_rule", unknown_action),
        ("empty_level_range", |o| {
            matches!(o, Outcome::Compile(CompileError::EmptyLevelRange { .. }))
        }),
        (
            "contradictory_categories",
            |o| matches!(o, Outcome::Compile(CompileError::ContradictoryCategories { term, .. }) if term == "REL FVEY"),
        ),
        ("duplicate_rule_id", |o| {
            matches!(
                o,
                Outcome::Format(FormatError::Invalid(ValidationError::DuplicateRule { .. }))
            )
        }),
        ("empty_only_list", |o| {
            matches!(
                o,
                Outcome::Format(FormatError::Invalid(ValidationError::EmptyList {
                    field: ListField::Roles,
                    ..
                }))
            )
        }),
        ("empty_validity", |o| {
            matches!(
                o,
                Outcome::Format(FormatError::Invalid(ValidationError::EmptyValidity))
            )
        }),
        ("foreign_vocabulary_authority", |o| {
            matches!(o, Outcome::Compile(CompileError::AuthorityMismatch { .. }))
        }),
        (
            "unknown_field_in_rule",
            |o| matches!(o, Outcome::Format(FormatError::Json(e)) if e.to_string().contains("priority")),
        ),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/invalid");
    let mut on_disk: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = expectations.iter().map(|(s, _)| (*s).to_owned()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "vectors on disk and expectations differ");
    for (scenario, expected) in &expectations {
        match outcome(scenario) {
            Ok(()) => panic!("{scenario}: accepted"),
            Err(o) => assert!(expected(&o), "{scenario}: wrong rejection {o:?}"),
        }
    }
}

#[test]
fn valid_example_policy_accepted() {
    let policy = common::gbr_policy();
    assert!(CompiledPolicy::compile(&policy, &common::gbr_vocabulary()).is_ok());
}
