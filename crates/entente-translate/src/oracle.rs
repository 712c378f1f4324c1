//! Testing oracle for the `translate_apply` fuzz target.

use entente_core::{ArtifactId, AuthorityId, Digest256, OperationId, UnixTime, Validity, Version};
use entente_policy::{
    Action, Category, CategoryKind, Clearance, ClearanceCondition, Effect, Label, LabelCondition,
    Level, Match, Policy, Request, Role, Rule, Scope, Subject, Vocabulary,
};

use crate::{TranslatedPolicy, Translation, evaluate_by_mapping};

/// A small vocabulary named `name` for the oracle.
fn terms(name: &str, kind: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{name}-{kind}{i}")).collect()
}

fn vocabulary(name: &str) -> Vocabulary {
    Vocabulary {
        id: name.to_owned(),
        version: Version(1),
        authority: AuthorityId::from_spki_der(name.as_bytes()),
        levels: terms(name, "L", 3)
            .into_iter()
            .map(|name| Level {
                name,
                description: String::new(),
            })
            .collect(),
        categories: terms(name, "C", 2)
            .into_iter()
            .map(|name| Category {
                name,
                kind: CategoryKind::Caveat,
                description: String::new(),
            })
            .collect(),
        actions: terms(name, "a", 2)
            .into_iter()
            .map(|name| Action {
                name,
                description: String::new(),
            })
            .collect(),
    }
}

/// The artifact id the oracle gives a vocabulary.
pub fn vocabulary_id(name: &str) -> ArtifactId {
    ArtifactId::from_digest(Digest256::sha256(name.as_bytes()))
}

/// The oracle's two vocabularies, `A` (source) and `B` (target).
pub fn vocabularies() -> (Vocabulary, Vocabulary) {
    (vocabulary("A"), vocabulary("B"))
}

/// `translate_apply`: decodes a translation from arbitrary bytes, resolves
/// it against the oracle's vocabularies and, where it resolves, decides
/// every request over a small grid both ways; nothing may panic and both
/// implementations must agree.
pub fn apply(data: &[u8]) {
    let Ok(translation) = entente_core::cbor::from_slice::<Translation>(data) else {
        return;
    };
    let (a, b) = vocabularies();
    let Ok(map) = translation.resolve(&a, vocabulary_id("A"), &b, vocabulary_id("B")) else {
        return;
    };
    let validity = Validity {
        not_before: UnixTime(0),
        not_after: UnixTime(u64::MAX),
    };
    let rule = |id: &str, effect, max: Option<&str>, require: &[&str]| Rule {
        id: id.into(),
        effect,
        authorities: Match::Any,
        roles: Match::Any,
        actions: Match::Only(vec!["A-a0".into()]),
        resource: LabelCondition {
            min_level: None,
            max_level: max.map(Into::into),
            require_categories: require.iter().map(|c| (*c).into()).collect(),
            exclude_categories: Vec::new(),
        },
        clearance: ClearanceCondition {
            min_level: None,
            require_categories: Vec::new(),
        },
    };
    let policy = Policy {
        id: "oracle".into(),
        version: Version(1),
        authority: a.authority,
        vocabulary: vocabulary_id("A"),
        scope: Scope::Any,
        validity,
        rules: vec![
            rule("p", Effect::Permit, Some("A-L1"), &[]),
            rule("f", Effect::Forbid, None, &["A-C1"]),
        ],
    };
    let Ok(compiled) = TranslatedPolicy::new(
        &policy,
        &a,
        &map,
        &b,
        translation.validity,
        translation.scope.clone(),
    ) else {
        return;
    };
    for level in 0..3 {
        for clearance in 0..3 {
            for categories in [vec![], vec!["B-C0".to_owned()], vec!["B-C1".to_owned()]] {
                let request = Request {
                    subject: Subject {
                        authority: AuthorityId::from_spki_der(b"subject"),
                        role: Role::Supporting,
                        clearance: Clearance {
                            level: format!("B-L{clearance}"),
                            categories: vec!["B-C0".into(), "B-C1".into()],
                        },
                    },
                    action: "B-a0".into(),
                    resource: Label {
                        owner: a.authority,
                        level: format!("B-L{level}"),
                        categories,
                    },
                    operation: OperationId::derive(&a.authority, "oracle"),
                    alliances: Vec::new(),
                    time: UnixTime(1),
                };
                let by_mapping = evaluate_by_mapping(
                    &policy,
                    &a,
                    &map,
                    &b,
                    (&translation.validity, &translation.scope),
                    &request,
                );
                assert_eq!(
                    compiled.evaluate(&request),
                    by_mapping,
                    "implementations disagree"
                );
            }
        }
    }
}
