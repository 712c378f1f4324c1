//! Named verdicts on translation documents and their application, including
//! a worked example with publicly documented classification levels.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use entente_core::cose::{Envelope, key_id_for_certificate};
use entente_core::{
    AuthorityId, KeyKind, OperationId, RustCryptoProvider, Signer as _, SigningKey, UnixTime,
    Validity, Version,
};
use entente_policy::{
    Clearance, ClearanceCondition, DenyReason, Effect, Label, LabelCondition, Match, Policy,
    Request, Role, Rule, Scope, Subject, TermKind, Vocabulary,
};
use entente_translate::{
    Direction, Lossiness, Side, TermMap, TermPair, TranslatedDeny, TranslatedPolicy, Translation,
    TranslationError, VocabularyRef, evaluate_by_mapping,
};

mod common;

use common::{VALIDITY, deu_to_gbr, example, id, pairs};

const NOW: UnixTime = UnixTime(1_800_000_000);

fn resolve(t: &Translation, s: &Vocabulary, d: &Vocabulary) -> Result<TermMap, TranslationError> {
    t.resolve(s, id(s), d, id(d))
}

fn permit_rule(id: &str, max_level: Option<&str>) -> Rule {
    Rule {
        id: id.into(),
        effect: Effect::Permit,
        authorities: Match::Any,
        roles: Match::Any,
        actions: Match::Only(vec!["read".into()]),
        resource: LabelCondition {
            min_level: None,
            max_level: max_level.map(Into::into),
            require_categories: vec![],
            exclude_categories: vec![],
        },
        clearance: ClearanceCondition {
            min_level: None,
            require_categories: vec![],
        },
    }
}

fn deu_policy(deu: &Vocabulary, rules: Vec<Rule>) -> Policy {
    Policy {
        id: "deu-sharing".into(),
        version: Version(1),
        authority: deu.authority,
        vocabulary: id(deu),
        scope: Scope::Any,
        validity: VALIDITY,
        rules,
    }
}

fn gbr_request(
    deu: &Vocabulary,
    level: &str,
    categories: &[&str],
    clearance: &str,
    held: &[&str],
) -> Request {
    Request {
        subject: Subject {
            authority: AuthorityId::from_spki_der(b"gbr analyst's authority"),
            role: Role::Supporting,
            clearance: Clearance {
                level: clearance.into(),
                categories: held.iter().map(|c| (*c).into()).collect(),
            },
        },
        action: "read".into(),
        resource: Label {
            owner: deu.authority,
            level: level.into(),
            categories: categories.iter().map(|c| (*c).into()).collect(),
        },
        operation: OperationId::derive(&deu.authority, "exercise"),
        alliances: vec![],
        time: NOW,
    }
}

fn both(
    policy: &Policy,
    deu: &Vocabulary,
    map: &TermMap,
    gbr: &Vocabulary,
    t: &Translation,
    r: &Request,
) -> entente_translate::Outcome {
    let mapped = evaluate_by_mapping(policy, deu, map, gbr, (&t.validity, &t.scope), r);
    let compiled =
        TranslatedPolicy::new(policy, deu, map, gbr, t.validity, t.scope.clone()).unwrap();
    assert_eq!(compiled.evaluate(r), mapped);
    mapped
}

#[test]
fn worked_example_deu_policy_decides_gbr_requests() {
    let (deu, gbr) = (example("deu"), example("gbr"));
    let t = deu_to_gbr(&deu, &gbr);
    let map = resolve(&t, &deu, &gbr).unwrap();
    let policy = deu_policy(&deu, vec![permit_rule("read-up-to-geheim", Some("GEHEIM"))]);
    // OFFICIAL reads only as VS-NfD: exact, permitted.
    let r = gbr_request(&deu, "OFFICIAL", &[], "SECRET", &[]);
    assert!(both(&policy, &deu, &map, &gbr, &t, &r).is_permit());
    // TOP SECRET reads only as STRENG GEHEIM, which the rule excludes.
    let r = gbr_request(&deu, "TOP SECRET", &[], "TOP SECRET", &[]);
    assert_eq!(
        both(&policy, &deu, &map, &gbr, &t, &r).deny_reason(),
        Some(TranslatedDeny::Policy(DenyReason::NoPermit))
    );
}

#[test]
fn lossy_shared_level_denied_where_literal_rounding_would_permit() {
    // SECRET stands for VS-VERTRAULICH or GEHEIM. DEU permits reading up to
    // VS-VERTRAULICH only. Taking "the least DEU level whose image is at or
    // above SECRET" (VS-VERTRAULICH) would permit, yet the resource may be
    // GEHEIM: the request must be denied as inexact.
    let (deu, gbr) = (example("deu"), example("gbr"));
    let t = deu_to_gbr(&deu, &gbr);
    let map = resolve(&t, &deu, &gbr).unwrap();
    let policy = deu_policy(
        &deu,
        vec![permit_rule("read-up-to-vs-v", Some("VS-VERTRAULICH"))],
    );
    let r = gbr_request(&deu, "SECRET", &[], "TOP SECRET", &[]);
    assert_eq!(
        both(&policy, &deu, &map, &gbr, &t, &r).deny_reason(),
        Some(TranslatedDeny::Inexact(DenyReason::NoPermit))
    );
    // With the rule reaching GEHEIM every preimage is permitted.
    let policy = deu_policy(&deu, vec![permit_rule("read-up-to-geheim", Some("GEHEIM"))]);
    assert!(both(&policy, &deu, &map, &gbr, &t, &r).is_permit());
}

#[test]
fn clearance_rounds_down_over_shared_level() {
    // A SECRET-cleared subject may hold VS-VERTRAULICH or GEHEIM; a GEHEIM
    // resource is dominated only by the second, so access is denied.
    let (deu, gbr) = (example("deu"), example("gbr"));
    let t = deu_to_gbr(&deu, &gbr);
    let map = resolve(&t, &deu, &gbr).unwrap();
    let policy = deu_policy(&deu, vec![permit_rule("read-all", None)]);
    let r = gbr_request(&deu, "SECRET", &[], "SECRET", &[]);
    assert_eq!(
        both(&policy, &deu, &map, &gbr, &t, &r).deny_reason(),
        Some(TranslatedDeny::Inexact(DenyReason::ClearanceNotDominant))
    );
    let r = gbr_request(&deu, "OFFICIAL", &[], "SECRET", &[]);
    assert!(both(&policy, &deu, &map, &gbr, &t, &r).is_permit());
}

#[test]
fn unmapped_resource_category_untranslatable_denied() {
    let (deu, gbr) = (example("deu"), example("gbr"));
    let t = deu_to_gbr(&deu, &gbr);
    let map = resolve(&t, &deu, &gbr).unwrap();
    let policy = deu_policy(&deu, vec![permit_rule("read-all", None)]);
    let r = gbr_request(
        &deu,
        "OFFICIAL",
        &["UK EYES ONLY"],
        "SECRET",
        &["UK EYES ONLY"],
    );
    assert_eq!(
        both(&policy, &deu, &map, &gbr, &t, &r).deny_reason(),
        Some(TranslatedDeny::Untranslatable(TermKind::Category))
    );
}

#[test]
fn unmapped_subject_category_dropped_accepted() {
    let (deu, gbr) = (example("deu"), example("gbr"));
    let t = deu_to_gbr(&deu, &gbr);
    let map = resolve(&t, &deu, &gbr).unwrap();
    let policy = deu_policy(&deu, vec![permit_rule("read-all", None)]);
    let r = gbr_request(
        &deu,
        "OFFICIAL",
        &["REL FVEY"],
        "SECRET",
        &["REL FVEY", "UK EYES ONLY"],
    );
    assert!(both(&policy, &deu, &map, &gbr, &t, &r).is_permit());
    // Without the mapped category the label is not dominated.
    let r = gbr_request(&deu, "OFFICIAL", &["REL FVEY"], "SECRET", &["UK EYES ONLY"]);
    assert_eq!(
        both(&policy, &deu, &map, &gbr, &t, &r).deny_reason(),
        Some(TranslatedDeny::Policy(DenyReason::ClearanceNotDominant))
    );
}

#[test]
fn non_monotone_level_map_rejected() {
    let (deu, gbr) = (example("deu"), example("gbr"));
    let mut t = deu_to_gbr(&deu, &gbr);
    t.levels = pairs(&[("VS-VERTRAULICH", "TOP SECRET"), ("GEHEIM", "SECRET")]);
    assert_eq!(
        resolve(&t, &deu, &gbr),
        Err(TranslationError::NonMonotone {
            lower: "VS-VERTRAULICH".into(),
            higher: "GEHEIM".into()
        })
    );
    // Signing refuses it too.
    let key = SigningKey::derive_from_seed(KeyKind::P256, b"translate", "signer").unwrap();
    let kid = key_id_for_certificate(b"translator certificate");
    assert!(matches!(
        t.sign(&[(&key, kid)], (&deu, id(&deu)), (&gbr, id(&gbr))),
        Err(TranslationError::NonMonotone { .. })
    ));
}

#[test]
fn undeclared_loss_rejected() {
    let (deu, gbr) = (example("deu"), example("gbr"));
    let mut t = deu_to_gbr(&deu, &gbr);
    t.lossy.levels = false;
    assert_eq!(
        resolve(&t, &deu, &gbr),
        Err(TranslationError::UndeclaredLoss(TermKind::Level))
    );
}

#[test]
fn two_way_translation_that_is_not_one_to_one_rejected() {
    let (deu, gbr) = (example("deu"), example("gbr"));
    let mut t = deu_to_gbr(&deu, &gbr);
    t.direction = Direction::Both;
    assert_eq!(
        resolve(&t, &deu, &gbr),
        Err(TranslationError::NotInvertible(TermKind::Level))
    );
}

#[test]
fn unknown_term_in_translation_rejected() {
    let (deu, gbr) = (example("deu"), example("gbr"));
    let mut t = deu_to_gbr(&deu, &gbr);
    t.levels.push(TermPair {
        source: "STRENG GEHEIM".into(),
        target: "ULTRA".into(),
    });
    t.levels.remove(3);
    assert_eq!(
        resolve(&t, &deu, &gbr),
        Err(TranslationError::UnknownTerm {
            side: Side::Target,
            kind: TermKind::Level,
            term: "ULTRA".into()
        })
    );
}

#[test]
fn duplicate_source_term_rejected() {
    let (deu, gbr) = (example("deu"), example("gbr"));
    let mut t = deu_to_gbr(&deu, &gbr);
    t.levels.push(TermPair {
        source: "GEHEIM".into(),
        target: "TOP SECRET".into(),
    });
    assert!(matches!(
        resolve(&t, &deu, &gbr),
        Err(TranslationError::DuplicateSource { .. })
    ));
}

#[test]
fn translation_for_another_vocabulary_rejected() {
    let (deu, gbr, usa) = (example("deu"), example("gbr"), example("usa"));
    let t = deu_to_gbr(&deu, &gbr);
    assert_eq!(
        t.resolve(&deu, id(&deu), &usa, id(&usa)),
        Err(TranslationError::VocabularyMismatch(Side::Target))
    );
}

#[test]
fn translation_outside_operation_scope_rejected() {
    let (deu, gbr) = (example("deu"), example("gbr"));
    let mut t = deu_to_gbr(&deu, &gbr);
    t.scope = Scope::Operations(vec![OperationId::derive(
        &deu.authority,
        "another operation",
    )]);
    let map = resolve(&t, &deu, &gbr).unwrap();
    let policy = deu_policy(&deu, vec![permit_rule("read-all", None)]);
    let r = gbr_request(&deu, "OFFICIAL", &[], "SECRET", &[]);
    assert_eq!(
        both(&policy, &deu, &map, &gbr, &t, &r).deny_reason(),
        Some(TranslatedDeny::OutsideTranslation)
    );
}

#[test]
fn expired_translation_rejected() {
    let (deu, gbr) = (example("deu"), example("gbr"));
    let mut t = deu_to_gbr(&deu, &gbr);
    t.validity = Validity {
        not_before: UnixTime(0),
        not_after: UnixTime(NOW.0),
    };
    let map = resolve(&t, &deu, &gbr).unwrap();
    let policy = deu_policy(&deu, vec![permit_rule("read-all", None)]);
    let r = gbr_request(&deu, "OFFICIAL", &[], "SECRET", &[]);
    assert_eq!(
        both(&policy, &deu, &map, &gbr, &t, &r).deny_reason(),
        Some(TranslatedDeny::OutsideTranslation)
    );
}

#[test]
fn three_hop_composition_over_nato_accepted_and_bounded() {
    // DEU → NATO → GBR → USA, each hop lossless where the levels line up.
    let (deu, nato, gbr, usa) = (
        example("deu"),
        example("nato"),
        example("gbr"),
        example("usa"),
    );
    let hop = |s: &Vocabulary, d: &Vocabulary, levels: &[(&str, &str)], cats: &[(&str, &str)]| {
        Translation {
            id: format!("{}-{}", s.id, d.id),
            version: Version(1),
            source: VocabularyRef {
                authority: s.authority,
                vocabulary: id(s),
            },
            target: VocabularyRef {
                authority: d.authority,
                vocabulary: id(d),
            },
            direction: Direction::SourceToTarget,
            levels: pairs(levels),
            categories: pairs(cats),
            actions: pairs(&[
                ("read", "read"),
                ("write", "write"),
                ("disseminate", "disseminate"),
            ]),
            lossy: Lossiness {
                levels: true,
                categories: true,
                actions: true,
            },
            scope: Scope::Any,
            validity: VALIDITY,
        }
    };
    let names = |v: &Vocabulary| v.levels.iter().map(|l| l.name.clone()).collect::<Vec<_>>();
    let (nl, gl, ul) = (names(&nato), names(&gbr), names(&usa));
    let deu_nato = hop(
        &deu,
        &nato,
        &[
            ("VS-NUR FÜR DEN DIENSTGEBRAUCH", &nl[1]),
            ("VS-VERTRAULICH", &nl[2]),
            ("GEHEIM", &nl[3]),
            ("STRENG GEHEIM", &nl[4]),
        ],
        &[],
    );
    let nato_gbr = hop(
        &nato,
        &gbr,
        &[
            (&nl[1], &gl[0]),
            (&nl[2], &gl[0]),
            (&nl[3], &gl[1]),
            (&nl[4], &gl[2]),
        ],
        &[],
    );
    let gbr_usa = hop(
        &gbr,
        &usa,
        &[(&gl[0], &ul[1]), (&gl[1], &ul[2]), (&gl[2], &ul[3])],
        &[],
    );
    let maps = [
        resolve(&deu_nato, &deu, &nato).unwrap(),
        resolve(&nato_gbr, &nato, &gbr).unwrap(),
        resolve(&gbr_usa, &gbr, &usa).unwrap(),
    ];
    assert_eq!(
        TermMap::compose_all(&maps, 2),
        Err(TranslationError::TooManyHops { hops: 3, limit: 2 })
    );
    let map = TermMap::compose_all(&maps, 3).unwrap();
    assert_eq!(map.hops(), 3);
    let policy = deu_policy(&deu, vec![permit_rule("read-up-to-geheim", Some("GEHEIM"))]);
    let mut r = gbr_request(&deu, &ul[2], &[], &ul[3], &[]);
    r.action = "read".into();
    let t = deu_nato;
    let outcome = both(&policy, &deu, &map, &usa, &t, &r);
    assert!(outcome.is_permit(), "{outcome:?}");
    // Hops that do not meet are refused.
    assert_eq!(
        maps[0].compose(&maps[2]),
        Err(TranslationError::Discontinuous { hop: 1 })
    );
}

#[test]
fn signed_translation_verifies_and_tampered_signature_rejected() {
    let (deu, gbr) = (example("deu"), example("gbr"));
    let t = deu_to_gbr(&deu, &gbr);
    let a = SigningKey::derive_from_seed(KeyKind::P256, b"translate", "a").unwrap();
    let b = SigningKey::derive_from_seed(KeyKind::P256, b"translate", "b").unwrap();
    let (ka, kb) = (key_id_for_certificate(b"a"), key_id_for_certificate(b"b"));
    let bytes = t
        .sign(&[(&a, ka), (&b, kb)], (&deu, id(&deu)), (&gbr, id(&gbr)))
        .unwrap();
    let envelope = Envelope::from_slice(&bytes).unwrap();
    let (verified, map) = Translation::verify(
        &envelope,
        &RustCryptoProvider,
        &[a.public_key(), b.public_key()],
        (&deu, id(&deu)),
        (&gbr, id(&gbr)),
    )
    .unwrap();
    assert_eq!(verified.document(), &t);
    assert_eq!(map.source(), id(&deu));
    assert!(matches!(
        Translation::verify(
            &envelope,
            &RustCryptoProvider,
            &[b.public_key(), a.public_key()],
            (&deu, id(&deu)),
            (&gbr, id(&gbr))
        ),
        Err(TranslationError::Envelope(_))
    ));
}
