//! Evaluation semantics (ARCHITECTURE §4 "Evaluation"), each case checked on
//! both the compiled and the naive evaluator.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use entente_core::{ArtifactId, AuthorityId, Digest256, OperationId, UnixTime, Validity, Version};
use entente_policy::{
    Action, Category, CategoryKind, Clearance, ClearanceCondition, CompileError, CompiledPolicy,
    Decision, DenyReason, Effect, Label, LabelCondition, Level, ListField, Match, Policy, Request,
    Role, Rule, Scope, Subject, TermKind, ValidationError, Vocabulary, evaluate_naive,
};

fn owner() -> AuthorityId {
    AuthorityId::from_spki_der(b"owner")
}

fn partner() -> AuthorityId {
    AuthorityId::from_spki_der(b"partner")
}

fn operation(name: &str) -> OperationId {
    OperationId::derive(&owner(), name)
}

fn vocabulary() -> Vocabulary {
    let level = |n: &str| Level {
        name: n.into(),
        description: String::new(),
    };
    let category = |n: &str| Category {
        name: n.into(),
        kind: CategoryKind::Caveat,
        description: String::new(),
    };
    let action = |n: &str| Action {
        name: n.into(),
        description: String::new(),
    };
    Vocabulary {
        id: "test".into(),
        version: Version(1),
        authority: owner(),
        levels: ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"]
            .map(level)
            .to_vec(),
        categories: ["NOFORN", "REL FVEY", "ATOMAL"].map(category).to_vec(),
        actions: ["read", "write"].map(action).to_vec(),
    }
}

fn rule(id: &str, effect: Effect) -> Rule {
    Rule {
        id: id.into(),
        effect,
        authorities: Match::Any,
        roles: Match::Any,
        actions: Match::Any,
        resource: LabelCondition::default(),
        clearance: ClearanceCondition::default(),
    }
}

fn policy(rules: Vec<Rule>) -> Policy {
    Policy {
        id: "test-policy".into(),
        version: Version(1),
        authority: owner(),
        vocabulary: ArtifactId::from_digest(Digest256::sha256(b"vocabulary")),
        scope: Scope::Any,
        validity: Validity {
            not_before: UnixTime(1000),
            not_after: UnixTime(2000),
        },
        rules,
    }
}

fn request(clearance: &str, level: &str, categories: &[&str]) -> Request {
    Request {
        subject: Subject {
            authority: partner(),
            role: Role::Supporting,
            clearance: Clearance {
                level: clearance.into(),
                categories: vec!["NOFORN".into(), "REL FVEY".into()],
            },
        },
        action: "read".into(),
        resource: Label {
            owner: owner(),
            level: level.into(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        },
        operation: operation("alpha"),
        alliances: vec!["NATO".into()],
        time: UnixTime(1500),
    }
}

/// Decides with both evaluators and checks that they agree.
fn decide(policy: &Policy, request: &Request) -> Decision {
    let vocabulary = vocabulary();
    let compiled = CompiledPolicy::compile(policy, &vocabulary).unwrap();
    let fast = compiled.evaluate_request(request).to_decision();
    let naive = evaluate_naive(policy, &vocabulary, request);
    assert_eq!(fast, naive, "evaluators disagree");
    fast
}

fn compile_error(policy: &Policy) -> CompileError {
    CompiledPolicy::compile(policy, &vocabulary()).unwrap_err()
}

fn denied(reason: DenyReason, rules: &[&str]) -> Decision {
    Decision::Deny {
        reason,
        rules: rules.iter().map(|r| (*r).to_owned()).collect(),
    }
}

fn permitted(rules: &[&str]) -> Decision {
    Decision::Permit {
        rules: rules.iter().map(|r| (*r).to_owned()).collect(),
    }
}

#[test]
fn matching_permit_with_dominating_clearance_permits() {
    let p = policy(vec![rule("allow", Effect::Permit)]);
    assert_eq!(
        decide(&p, &request("SECRET", "SECRET", &["NOFORN"])),
        permitted(&["allow"])
    );
}

#[test]
fn default_deny_without_rules() {
    let p = policy(vec![]);
    assert_eq!(
        decide(&p, &request("TOP SECRET", "UNCLASSIFIED", &[])),
        denied(DenyReason::NoPermit, &[])
    );
}

#[test]
fn forbid_overrides_permit() {
    let p = policy(vec![
        rule("allow", Effect::Permit),
        rule("block", Effect::Forbid),
    ]);
    assert_eq!(
        decide(&p, &request("SECRET", "SECRET", &[])),
        denied(DenyReason::Forbidden, &["block"])
    );
}

#[test]
fn forbid_cites_every_matching_forbid_rule() {
    let p = policy(vec![
        rule("b2", Effect::Forbid),
        rule("allow", Effect::Permit),
        rule("b1", Effect::Forbid),
    ]);
    assert_eq!(
        decide(&p, &request("SECRET", "SECRET", &[])),
        denied(DenyReason::Forbidden, &["b1", "b2"])
    );
}

#[test]
fn permit_cites_every_matching_permit_rule() {
    let mut write_only = rule("write-only", Effect::Permit);
    write_only.actions = Match::Only(vec!["write".into()]);
    let p = policy(vec![
        rule("p2", Effect::Permit),
        write_only,
        rule("p1", Effect::Permit),
    ]);
    assert_eq!(
        decide(&p, &request("SECRET", "SECRET", &[])),
        permitted(&["p1", "p2"])
    );
}

#[test]
fn clearance_below_label_level_denied() {
    let p = policy(vec![rule("allow", Effect::Permit)]);
    assert_eq!(
        decide(&p, &request("CONFIDENTIAL", "SECRET", &[])),
        denied(DenyReason::ClearanceNotDominant, &["allow"])
    );
}

#[test]
fn clearance_missing_label_category_denied() {
    let p = policy(vec![rule("allow", Effect::Permit)]);
    assert_eq!(
        decide(&p, &request("TOP SECRET", "SECRET", &["ATOMAL"])),
        denied(DenyReason::ClearanceNotDominant, &["allow"])
    );
}

#[test]
fn forbid_applies_whatever_the_clearance() {
    let p = policy(vec![rule("block", Effect::Forbid)]);
    assert_eq!(
        decide(&p, &request("UNCLASSIFIED", "TOP SECRET", &["ATOMAL"])),
        denied(DenyReason::Forbidden, &["block"])
    );
}

#[test]
fn level_bounds_limit_permit() {
    let mut r = rule("up-to-confidential", Effect::Permit);
    r.resource.max_level = Some("CONFIDENTIAL".into());
    r.resource.min_level = Some("CONFIDENTIAL".into());
    let p = policy(vec![r]);
    assert!(decide(&p, &request("TOP SECRET", "CONFIDENTIAL", &[])).is_permit());
    assert_eq!(
        decide(&p, &request("TOP SECRET", "SECRET", &[])),
        denied(DenyReason::NoPermit, &[])
    );
    assert_eq!(
        decide(&p, &request("TOP SECRET", "UNCLASSIFIED", &[])),
        denied(DenyReason::NoPermit, &[])
    );
}

#[test]
fn required_and_excluded_categories_apply() {
    let mut r = rule("fvey-not-noforn", Effect::Permit);
    r.resource.require_categories = vec!["REL FVEY".into()];
    r.resource.exclude_categories = vec!["NOFORN".into()];
    let p = policy(vec![r]);
    assert!(decide(&p, &request("SECRET", "SECRET", &["REL FVEY"])).is_permit());
    assert!(!decide(&p, &request("SECRET", "SECRET", &[])).is_permit());
    assert!(!decide(&p, &request("SECRET", "SECRET", &["REL FVEY", "NOFORN"])).is_permit());
}

#[test]
fn clearance_condition_applies_beyond_dominance() {
    let mut r = rule("secret-cleared-only", Effect::Permit);
    r.clearance.min_level = Some("SECRET".into());
    r.clearance.require_categories = vec!["REL FVEY".into()];
    let p = policy(vec![r]);
    assert!(decide(&p, &request("SECRET", "UNCLASSIFIED", &[])).is_permit());
    assert_eq!(
        decide(&p, &request("CONFIDENTIAL", "UNCLASSIFIED", &[])),
        denied(DenyReason::NoPermit, &[])
    );
}

#[test]
fn subject_authority_and_role_restrict_rules() {
    let mut by_owner = rule("owner-only", Effect::Permit);
    by_owner.authorities = Match::Only(vec![owner()]);
    let mut lead = rule("lead-only", Effect::Permit);
    lead.roles = Match::Only(vec![Role::Lead]);
    let p = policy(vec![by_owner, lead]);
    let mut req = request("SECRET", "SECRET", &[]);
    assert_eq!(decide(&p, &req), denied(DenyReason::NoPermit, &[]));
    req.subject.role = Role::Lead;
    assert_eq!(decide(&p, &req), permitted(&["lead-only"]));
    req.subject.authority = owner();
    assert_eq!(decide(&p, &req), permitted(&["lead-only", "owner-only"]));
}

#[test]
fn action_not_listed_denied() {
    let mut r = rule("write", Effect::Permit);
    r.actions = Match::Only(vec!["write".into()]);
    let p = policy(vec![r]);
    assert_eq!(
        decide(&p, &request("SECRET", "SECRET", &[])),
        denied(DenyReason::NoPermit, &[])
    );
}

#[test]
fn foreign_resource_denied() {
    let p = policy(vec![rule("allow", Effect::Permit)]);
    let mut req = request("SECRET", "SECRET", &[]);
    req.resource.owner = partner();
    assert_eq!(decide(&p, &req), denied(DenyReason::ForeignResource, &[]));
}

#[test]
fn request_outside_validity_denied() {
    let p = policy(vec![rule("allow", Effect::Permit)]);
    let mut req = request("SECRET", "SECRET", &[]);
    req.time = UnixTime(2000);
    assert_eq!(decide(&p, &req), denied(DenyReason::OutsideValidity, &[]));
    req.time = UnixTime(999);
    assert_eq!(decide(&p, &req), denied(DenyReason::OutsideValidity, &[]));
    req.time = UnixTime(1000);
    assert!(decide(&p, &req).is_permit());
}

#[test]
fn operation_outside_scope_denied() {
    let mut p = policy(vec![rule("allow", Effect::Permit)]);
    p.scope = Scope::Operations(vec![operation("bravo")]);
    let mut req = request("SECRET", "SECRET", &[]);
    assert_eq!(decide(&p, &req), denied(DenyReason::OutOfScope, &[]));
    req.operation = operation("bravo");
    assert!(decide(&p, &req).is_permit());
}

#[test]
fn alliance_scope_needs_a_shared_tag() {
    let mut p = policy(vec![rule("allow", Effect::Permit)]);
    p.scope = Scope::Alliances(vec!["FVEY".into(), "AUKUS".into()]);
    let mut req = request("SECRET", "SECRET", &[]);
    assert_eq!(decide(&p, &req), denied(DenyReason::OutOfScope, &[]));
    req.alliances.push("AUKUS".into());
    assert!(decide(&p, &req).is_permit());
}

#[test]
fn unknown_resource_category_in_request_denied() {
    let p = policy(vec![rule("allow", Effect::Permit)]);
    let req = request("SECRET", "SECRET", &["COSMIC"]);
    assert_eq!(
        decide(&p, &req),
        denied(DenyReason::UnknownTerm(TermKind::Category), &[])
    );
}

#[test]
fn unknown_action_or_level_in_request_denied() {
    let p = policy(vec![rule("allow", Effect::Permit)]);
    let mut req = request("SECRET", "ULTRA", &[]);
    assert_eq!(
        decide(&p, &req),
        denied(DenyReason::UnknownTerm(TermKind::Level), &[])
    );
    req.action = "delete".into();
    assert_eq!(
        decide(&p, &req),
        denied(DenyReason::UnknownTerm(TermKind::Action), &[])
    );
}

#[test]
fn unknown_clearance_category_dropped_not_granted() {
    let p = policy(vec![rule("allow", Effect::Permit)]);
    let mut req = request("SECRET", "SECRET", &["ATOMAL"]);
    req.subject.clearance.categories.push("atomal".into());
    assert_eq!(
        decide(&p, &req).deny_reason(),
        Some(DenyReason::ClearanceNotDominant)
    );
}

#[test]
fn compiled_verdict_cites_rules_without_allocating_a_list() {
    let p = policy(vec![rule("a", Effect::Permit), rule("b", Effect::Permit)]);
    let compiled = CompiledPolicy::compile(&p, &vocabulary()).unwrap();
    let req = compiled
        .compile_request(&request("SECRET", "SECRET", &[]))
        .unwrap();
    let verdict = compiled.evaluate(&req);
    assert!(verdict.is_permit());
    assert_eq!(verdict.rules().collect::<Vec<_>>(), ["a", "b"]);
}

#[test]
fn unknown_category_in_policy_rejected() {
    let mut r = rule("r", Effect::Permit);
    r.resource.require_categories = vec!["COSMIC".into()];
    assert_eq!(
        compile_error(&policy(vec![r])),
        CompileError::UnknownTerm {
            rule: "r".into(),
            kind: TermKind::Category,
            term: "COSMIC".into()
        }
    );
}

#[test]
fn unknown_level_in_policy_rejected() {
    let mut r = rule("r", Effect::Forbid);
    r.clearance.min_level = Some("ULTRA".into());
    let err = compile_error(&policy(vec![r]));
    assert_eq!(
        err,
        CompileError::UnknownTerm {
            rule: "r".into(),
            kind: TermKind::Level,
            term: "ULTRA".into()
        }
    );
    assert!(err.to_string().contains("`ULTRA`"), "{err}");
}

#[test]
fn unknown_action_in_policy_rejected() {
    let mut r = rule("r", Effect::Permit);
    r.actions = Match::Only(vec!["delete".into()]);
    assert_eq!(
        compile_error(&policy(vec![r])),
        CompileError::UnknownTerm {
            rule: "r".into(),
            kind: TermKind::Action,
            term: "delete".into()
        }
    );
}

#[test]
fn empty_level_range_rejected() {
    let mut r = rule("r", Effect::Permit);
    r.resource.min_level = Some("SECRET".into());
    r.resource.max_level = Some("CONFIDENTIAL".into());
    assert_eq!(
        compile_error(&policy(vec![r])),
        CompileError::EmptyLevelRange { rule: "r".into() }
    );
}

#[test]
fn contradictory_categories_rejected() {
    let mut r = rule("r", Effect::Permit);
    r.resource.require_categories = vec!["NOFORN".into()];
    r.resource.exclude_categories = vec!["NOFORN".into()];
    assert_eq!(
        compile_error(&policy(vec![r])),
        CompileError::ContradictoryCategories {
            rule: "r".into(),
            term: "NOFORN".into()
        }
    );
}

#[test]
fn vocabulary_of_another_authority_rejected() {
    let mut p = policy(vec![]);
    p.authority = partner();
    assert!(matches!(
        compile_error(&p),
        CompileError::AuthorityMismatch { .. }
    ));
}

#[test]
fn duplicate_rule_id_rejected() {
    let p = policy(vec![rule("r", Effect::Permit), rule("r", Effect::Forbid)]);
    assert_eq!(
        compile_error(&p),
        CompileError::Policy(ValidationError::DuplicateRule { rule: "r".into() })
    );
}

#[test]
fn empty_only_list_rejected() {
    let mut r = rule("r", Effect::Permit);
    r.roles = Match::Only(vec![]);
    assert_eq!(
        compile_error(&policy(vec![r])),
        CompileError::Policy(ValidationError::EmptyList {
            rule: "r".into(),
            field: ListField::Roles
        })
    );
    let mut p = policy(vec![]);
    p.scope = Scope::Operations(vec![]);
    assert_eq!(
        compile_error(&p),
        CompileError::Policy(ValidationError::EmptyList {
            rule: String::new(),
            field: ListField::ScopeOperations
        })
    );
}

#[test]
fn empty_validity_window_rejected() {
    let mut p = policy(vec![]);
    p.validity.not_after = p.validity.not_before;
    assert_eq!(
        compile_error(&p),
        CompileError::Policy(ValidationError::EmptyValidity)
    );
}

#[test]
fn duplicate_vocabulary_term_rejected() {
    let mut v = vocabulary();
    v.categories.push(v.categories[0].clone());
    let err = CompiledPolicy::compile(&policy(vec![]), &v).unwrap_err();
    assert_eq!(
        err,
        CompileError::Vocabulary(ValidationError::DuplicateTerm {
            kind: TermKind::Category,
            term: "NOFORN".into()
        })
    );
}

#[test]
fn vocabulary_with_too_many_categories_rejected() {
    let mut v = vocabulary();
    v.categories = (0..300)
        .map(|i| Category {
            name: format!("C{i}"),
            kind: CategoryKind::Compartment,
            description: String::new(),
        })
        .collect();
    assert!(matches!(
        v.validate(),
        Err(ValidationError::TooManyTerms {
            kind: TermKind::Category,
            ..
        })
    ));
}

#[test]
fn too_many_authorities_rejected() {
    let rules = (0..300u32)
        .map(|i| {
            let mut r = rule(&format!("r{i}"), Effect::Permit);
            r.authorities = Match::Only(vec![AuthorityId::from_spki_der(&i.to_be_bytes())]);
            r
        })
        .collect();
    assert!(matches!(
        compile_error(&policy(rules)),
        CompileError::TooManyAuthorities { .. }
    ));
}

#[test]
fn request_compiled_for_another_policy_denied() {
    let p = policy(vec![rule("allow", Effect::Permit)]);
    let first = CompiledPolicy::compile(&p, &vocabulary()).unwrap();
    let second = CompiledPolicy::compile(&p, &vocabulary()).unwrap();
    let req = first
        .compile_request(&request("SECRET", "SECRET", &[]))
        .unwrap();
    assert!(first.evaluate(&req).is_permit());
    assert_eq!(
        second.evaluate(&req).deny_reason(),
        Some(DenyReason::ForeignRequest)
    );
    assert_eq!(second.evaluate(&req).rules().count(), 0);
}
