//! Hierarchies issued by entente itself: issuing, path building, profiles,
//! cross-certificates with policy mapping, name constraints, CRLs, budgets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use entente_core::{KeyKind, Signer as _, SigningKey, UnixTime, Validity};
use entente_x509::*;

const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);
const DAY: u64 = 86_400;

fn validity() -> Validity {
    Validity {
        not_before: NOW.saturating_sub(10 * DAY),
        not_after: NOW.saturating_add(300 * DAY),
    }
}

fn key(kind: KeyKind, label: &str) -> SigningKey {
    SigningKey::derive_from_seed(kind, b"hierarchy-tests", label).unwrap()
}

fn pol(n: u32) -> ObjectIdentifier {
    ObjectIdentifier::new(&format!("1.3.6.1.4.1.99999.1.{n}")).unwrap()
}

struct Ca {
    cert: Certificate,
    key: SigningKey,
}

fn root(name: &str) -> Ca {
    let key = key(KeyKind::P256, name);
    let mut p = CertificateParams::ca(
        dn(&format!("CN={name} Root,O={name}")).unwrap(),
        1,
        validity(),
        None,
    );
    p.policies = vec![ANY_POLICY];
    Ca {
        cert: issue_root(&p, &key).unwrap(),
        key,
    }
}

fn sub(parent: &Ca, name: &str, kind: KeyKind, f: impl FnOnce(&mut CertificateParams)) -> Ca {
    let key = key(kind, name);
    let mut p = CertificateParams::ca(dn(&format!("CN={name}")).unwrap(), 2, validity(), None);
    p.policies = vec![ANY_POLICY];
    f(&mut p);
    Ca {
        cert: issue(&p, key.public_key(), &parent.cert, &parent.key).unwrap(),
        key,
    }
}

fn leaf(
    parent: &Ca,
    name: &str,
    kind: KeyKind,
    f: impl FnOnce(&mut CertificateParams),
) -> (Certificate, SigningKey) {
    let key = key(kind, name);
    let mut p = CertificateParams::leaf(
        dn(&format!("CN={name}")).unwrap(),
        3,
        validity(),
        vec![EkuOids::default().policy_signer],
    );
    p.policies = vec![pol(1)];
    f(&mut p);
    (
        issue(&p, key.public_key(), &parent.cert, &parent.key).unwrap(),
        key,
    )
}

fn opts<'a>(inputs: &'a PolicyInputs, revocation: Option<CrlCheck<'a>>) -> ValidationOptions<'a> {
    ValidationOptions {
        time: NOW,
        policy: inputs,
        revocation,
        budget: Budget::default(),
        provider: entente_core::default_provider(),
    }
}

fn rule_of(e: ValidationError) -> (usize, Rule) {
    match e {
        ValidationError::Path { position, rule } => (position.index, rule),
        other => panic!("expected a path error, got {other}"),
    }
}

#[test]
fn three_level_hierarchy_validates_into_a_verified_chain() {
    let r = root("Nation A");
    let i = sub(&r, "Nation A Issuing", KeyKind::P384, |_| {});
    let (l, lk) = leaf(&i, "signer", KeyKind::P256, |_| {});
    let inputs = PolicyInputs::default();
    let anchors = [TrustAnchor::new(r.cert.clone())];
    let oids = EkuOids::default();
    let chain = validate(
        &l,
        std::slice::from_ref(&i.cert),
        &anchors,
        &Profile::policy_signer(&oids),
        &opts(&inputs, None),
    )
    .unwrap();
    assert_eq!(
        chain.anchor(),
        entente_core::AuthorityId::from_spki_der(r.cert.spki_der())
    );
    assert_eq!(chain.path().len(), 2);
    assert_eq!(chain.leaf_key(), lk.public_key());
    assert_eq!(chain.profile(), "policy-signer");
    assert_eq!(chain.policies(), &PolicySet::Only(vec![pol(1)]));
    assert_eq!(chain.digests().len(), 3);
}

#[test]
fn intermediate_without_key_cert_sign_rejected() {
    let r = root("A");
    let i = sub(&r, "A CRL only", KeyKind::P256, |p| {
        p.key_usage = Some(KeyUsage::CRL_SIGN)
    });
    let (l, _) = leaf(&i, "l", KeyKind::P256, |_| {});
    let inputs = PolicyInputs::default();
    let e = validate(
        &l,
        &[i.cert],
        &[TrustAnchor::new(r.cert)],
        &Profile::rfc5280(),
        &opts(&inputs, None),
    )
    .unwrap_err();
    assert_eq!(rule_of(e), (1, Rule::KeyCertSignMissing));
}

#[test]
fn path_length_constraint_exceeded_rejected() {
    let r = root("A");
    let i1 = sub(&r, "A one", KeyKind::P256, |p| p.ca = Some(Some(0)));
    let i2 = sub(&i1, "A two", KeyKind::P256, |_| {});
    let (l, _) = leaf(&i2, "l", KeyKind::P256, |_| {});
    let inputs = PolicyInputs::default();
    let e = validate(
        &l,
        &[i2.cert, i1.cert],
        &[TrustAnchor::new(r.cert)],
        &Profile::rfc5280(),
        &opts(&inputs, None),
    )
    .unwrap_err();
    assert_eq!(rule_of(e), (2, Rule::PathLength));
}

#[test]
fn expired_leaf_rejected_naming_the_leaf() {
    let r = root("A");
    let (l, _) = leaf(&r, "old", KeyKind::P256, |p| {
        p.validity = Validity {
            not_before: NOW.saturating_sub(20 * DAY),
            not_after: NOW.saturating_sub(DAY),
        };
    });
    let inputs = PolicyInputs::default();
    let e = validate(
        &l,
        &[],
        &[TrustAnchor::new(r.cert)],
        &Profile::rfc5280(),
        &opts(&inputs, None),
    )
    .unwrap_err();
    let (pos, rule) = rule_of(e.clone());
    assert_eq!(pos, 1);
    assert!(matches!(rule, Rule::Expired { .. }));
    assert!(
        e.to_string()
            .starts_with("leaf (certificate 1 of 1): expired"),
        "{e}"
    );
}

#[test]
fn leaf_without_the_profile_eku_rejected() {
    let r = root("A");
    let (l, _) = leaf(&r, "signer", KeyKind::P256, |_| {});
    let inputs = PolicyInputs::default();
    let oids = EkuOids::default();
    let e = validate(
        &l,
        &[],
        &[TrustAnchor::new(r.cert)],
        &Profile::translator(&oids),
        &opts(&inputs, None),
    )
    .unwrap_err();
    let (_, rule) = rule_of(e);
    assert_eq!(
        rule,
        Rule::Profile {
            profile: "translator".into(),
            violation: ProfileViolation::MissingEku(oids.translator),
        }
    );
}

#[test]
fn audit_log_profile_requires_an_ed25519_leaf_key() {
    let r = root("A");
    let oids = EkuOids::default();
    let (ed, _) = leaf(&r, "log", KeyKind::Ed25519, |p| {
        p.ekus = vec![oids.audit_log.clone()]
    });
    let (ec, _) = leaf(&r, "log-ec", KeyKind::P256, |p| {
        p.ekus = vec![oids.audit_log.clone()]
    });
    let inputs = PolicyInputs::default();
    let anchors = [TrustAnchor::new(r.cert)];
    let chain = validate(
        &ed,
        &[],
        &anchors,
        &Profile::audit_log(&oids),
        &opts(&inputs, None),
    )
    .unwrap();
    assert_eq!(chain.leaf_key().kind(), KeyKind::Ed25519);
    let e = validate(
        &ec,
        &[],
        &anchors,
        &Profile::audit_log(&oids),
        &opts(&inputs, None),
    )
    .unwrap_err();
    assert!(matches!(
        rule_of(e).1,
        Rule::Profile {
            violation: ProfileViolation::KeyKind(KeyKind::P256),
            ..
        }
    ));
}

/// An integrator's own role, plugged in without touching the validator.
struct MissionPlanner {
    eku: Oid,
}

impl CredentialProfile for MissionPlanner {
    fn name(&self) -> &str {
        "mission-planner"
    }
    fn required_ekus(&self) -> &[Oid] {
        core::slice::from_ref(&self.eku)
    }
    fn max_lifetime(&self) -> Option<u64> {
        Some(30 * DAY)
    }
    fn extra_checks(&self, cert: &Certificate, _time: UnixTime) -> Result<(), ProfileViolation> {
        if cert
            .extension(&const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME)
            .is_some()
        {
            Ok(())
        } else {
            Err(ProfileViolation::Requirement(
                "subjectAltName naming the planner",
            ))
        }
    }
}

#[test]
fn integrator_defined_profile_is_enforced_by_the_validator() {
    let arc = Oid::parse("1.3.6.1.4.1.99999.7").unwrap();
    let profile = MissionPlanner { eku: arc.child(1) };
    let r = root("A");
    let short = Validity {
        not_before: NOW.saturating_sub(DAY),
        not_after: NOW.saturating_add(20 * DAY),
    };
    let (good, _) = leaf(&r, "planner", KeyKind::P256, |p| {
        p.ekus = vec![arc.child(1)];
        p.validity = short;
        p.subject_alt_names = vec![dns_name("planner.a.example").unwrap()];
    });
    let (no_san, _) = leaf(&r, "planner2", KeyKind::P256, |p| {
        p.ekus = vec![arc.child(1)];
        p.validity = short;
    });
    let (long, _) = leaf(&r, "planner3", KeyKind::P256, |p| {
        p.ekus = vec![arc.child(1)];
        p.subject_alt_names = vec![dns_name("planner.a.example").unwrap()];
    });
    let inputs = PolicyInputs::default();
    let anchors = [TrustAnchor::new(r.cert)];
    let chain = validate(&good, &[], &anchors, &profile, &opts(&inputs, None)).unwrap();
    assert_eq!(chain.profile(), "mission-planner");
    let e = validate(&no_san, &[], &anchors, &profile, &opts(&inputs, None)).unwrap_err();
    assert!(matches!(
        rule_of(e).1,
        Rule::Profile {
            violation: ProfileViolation::Requirement(_),
            ..
        }
    ));
    let e = validate(&long, &[], &anchors, &profile, &opts(&inputs, None)).unwrap_err();
    assert!(matches!(
        rule_of(e).1,
        Rule::Profile {
            violation: ProfileViolation::Lifetime { .. },
            ..
        }
    ));
}

#[test]
fn eku_oids_follow_the_configured_arc() {
    let oids = EkuOids::under_arc(&Oid::parse("1.3.6.1.4.1.55555").unwrap());
    assert_eq!(oids.translator.to_string(), "1.3.6.1.4.1.55555.1.2");
    assert_eq!(EkuOids::default().witness.to_string(), "2.999.1.1.6");
    assert_eq!(placeholder_arc().to_string(), PLACEHOLDER_ARC);
}

/// Authority B cross-certifies A's root, mapping B's policy 10 to A's policy 1.
#[test]
fn cross_certificate_maps_partner_policy_into_the_anchor_domain() {
    let a = root("A");
    let b = root("B");
    let (l, _) = leaf(&a, "a-signer", KeyKind::P256, |p| p.policies = vec![pol(1)]);
    let mut p = CertificateParams::ca(dn("CN=ignored").unwrap(), 9, validity(), Some(1));
    p.policies = vec![pol(10)];
    p.policy_mappings = vec![(pol(10), pol(1))];
    let cross = cross_certify(&a.cert, &p, &b.cert, &b.key).unwrap();
    let inputs = PolicyInputs {
        initial_policy_set: Some(vec![pol(10)]),
        explicit_policy: true,
        ..PolicyInputs::default()
    };
    let anchors = [TrustAnchor::new(b.cert.clone())];
    let chain = validate(
        &l,
        std::slice::from_ref(&cross),
        &anchors,
        &Profile::rfc5280(),
        &opts(&inputs, None),
    )
    .unwrap();
    assert_eq!(chain.anchor(), anchors[0].authority_id());
    assert_eq!(chain.policies(), &PolicySet::Only(vec![pol(10)]));
    // With mapping inhibited, A's policy 1 means nothing under B.
    let inhibited = PolicyInputs {
        inhibit_policy_mapping: true,
        ..inputs.clone()
    };
    let e = validate(
        &l,
        &[cross],
        &anchors,
        &Profile::rfc5280(),
        &opts(&inhibited, None),
    )
    .unwrap_err();
    assert!(matches!(rule_of(e).1, Rule::NoAcceptablePolicy));
}

#[test]
fn cross_certificate_loop_terminates_without_a_path() {
    let a = root("A");
    let b = root("B");
    let c = root("C");
    let p = CertificateParams::ca(dn("CN=x").unwrap(), 5, validity(), None);
    let a_by_b = cross_certify(&a.cert, &p, &b.cert, &b.key).unwrap();
    let b_by_a = cross_certify(&b.cert, &p, &a.cert, &a.key).unwrap();
    let (l, _) = leaf(&a, "l", KeyKind::P256, |_| {});
    let inputs = PolicyInputs::default();
    let e = validate(
        &l,
        &[a_by_b, b_by_a, a.cert.clone(), b.cert.clone()],
        &[TrustAnchor::new(c.cert)],
        &Profile::rfc5280(),
        &opts(&inputs, None),
    )
    .unwrap_err();
    assert!(matches!(e, ValidationError::NoIssuer { .. }), "{e}");
}

#[test]
fn hostile_pool_of_same_name_issuers_hits_the_signature_budget() {
    let r = root("A");
    let i = sub(&r, "A Issuing", KeyKind::P256, |_| {});
    let (l, _) = leaf(&i, "l", KeyKind::P256, |_| {});
    // Many certificates with the right name and the wrong key.
    let decoys: Vec<Certificate> = (0..120)
        .map(|n| {
            let k = key(KeyKind::P256, &format!("decoy{n}"));
            let p = CertificateParams::ca(dn("CN=A Issuing").unwrap(), 100 + n, validity(), None);
            issue(&p, k.public_key(), &r.cert, &r.key).unwrap()
        })
        .collect();
    let inputs = PolicyInputs::default();
    let e = validate(
        &l,
        &decoys,
        &[TrustAnchor::new(r.cert)],
        &Profile::rfc5280(),
        &opts(&inputs, None),
    )
    .unwrap_err();
    assert_eq!(e, ValidationError::Budget(BudgetExhausted::Signatures));
}

#[test]
fn dns_name_outside_permitted_subtree_rejected() {
    let r = root("A");
    let i = sub(&r, "A Issuing", KeyKind::P256, |p| {
        p.permitted = vec![dns_name("a.example").unwrap()]
    });
    let (inside, _) = leaf(&i, "in", KeyKind::P256, |p| {
        p.subject_alt_names = vec![dns_name("host.a.example").unwrap()]
    });
    let (outside, _) = leaf(&i, "out", KeyKind::P256, |p| {
        p.subject_alt_names = vec![dns_name("host.b.example").unwrap()]
    });
    let inputs = PolicyInputs::default();
    let anchors = [TrustAnchor::new(r.cert)];
    let pool = [i.cert];
    validate(
        &inside,
        &pool,
        &anchors,
        &Profile::rfc5280(),
        &opts(&inputs, None),
    )
    .unwrap();
    let e = validate(
        &outside,
        &pool,
        &anchors,
        &Profile::rfc5280(),
        &opts(&inputs, None),
    )
    .unwrap_err();
    assert_eq!(rule_of(e), (2, Rule::NameConstraint(NameKind::Dns)));
}

#[test]
fn excluded_directory_subtree_rejected() {
    let r = root("A");
    let i = sub(&r, "A Issuing", KeyKind::P256, |p| {
        p.excluded = vec![GeneralName::DirectoryName(dn("O=Rogue").unwrap())]
    });
    let (l, _) = leaf(&i, "x", KeyKind::P256, |p| {
        p.subject = dn("CN=x,O=Rogue").unwrap()
    });
    let inputs = PolicyInputs::default();
    let e = validate(
        &l,
        &[i.cert],
        &[TrustAnchor::new(r.cert)],
        &Profile::rfc5280(),
        &opts(&inputs, None),
    )
    .unwrap_err();
    assert_eq!(rule_of(e), (2, Rule::NameConstraint(NameKind::Directory)));
}

fn crl(ca: &Ca, this: UnixTime, next: UnixTime, revoked: Vec<RevokedEntry>) -> Crl {
    issue_crl(
        &CrlParams {
            this_update: this,
            next_update: Some(next),
            number: 1,
            revoked,
        },
        &ca.cert,
        &ca.key,
    )
    .unwrap()
}

#[test]
fn revoked_leaf_rejected_with_reason_and_date() {
    let r = root("A");
    let (l, _) = leaf(&r, "l", KeyKind::P256, |_| {});
    let date = NOW.saturating_sub(DAY);
    let list = [crl(
        &r,
        NOW.saturating_sub(DAY),
        NOW.saturating_add(DAY),
        vec![RevokedEntry {
            serial: l.serial().to_vec(),
            date,
            reason: RevocationReason::KeyCompromise,
        }],
    )];
    let inputs = PolicyInputs::default();
    let e = validate(
        &l,
        &[],
        &[TrustAnchor::new(r.cert)],
        &Profile::rfc5280(),
        &opts(
            &inputs,
            Some(CrlCheck {
                crls: &list,
                max_age: None,
            }),
        ),
    )
    .unwrap_err();
    assert_eq!(
        rule_of(e),
        (
            1,
            Rule::Revoked {
                reason: RevocationReason::KeyCompromise,
                date
            }
        )
    );
}

#[test]
fn crl_past_next_update_rejected_as_stale() {
    let r = root("A");
    let (l, _) = leaf(&r, "l", KeyKind::P256, |_| {});
    let this = NOW.saturating_sub(10 * DAY);
    let list = [crl(&r, this, NOW.saturating_sub(DAY), vec![])];
    let inputs = PolicyInputs::default();
    let e = validate(
        &l,
        &[],
        &[TrustAnchor::new(r.cert)],
        &Profile::rfc5280(),
        &opts(
            &inputs,
            Some(CrlCheck {
                crls: &list,
                max_age: None,
            }),
        ),
    )
    .unwrap_err();
    assert_eq!(rule_of(e), (1, Rule::StaleRevocation { this_update: this }));
}

#[test]
fn crl_older_than_the_callers_bound_rejected_as_stale() {
    let r = root("A");
    let (l, _) = leaf(&r, "l", KeyKind::P256, |_| {});
    let list = [crl(
        &r,
        NOW.saturating_sub(3 * DAY),
        NOW.saturating_add(30 * DAY),
        vec![],
    )];
    let inputs = PolicyInputs::default();
    let anchors = [TrustAnchor::new(r.cert)];
    validate(
        &l,
        &[],
        &anchors,
        &Profile::rfc5280(),
        &opts(
            &inputs,
            Some(CrlCheck {
                crls: &list,
                max_age: Some(7 * DAY),
            }),
        ),
    )
    .unwrap();
    let e = validate(
        &l,
        &[],
        &anchors,
        &Profile::rfc5280(),
        &opts(
            &inputs,
            Some(CrlCheck {
                crls: &list,
                max_age: Some(DAY),
            }),
        ),
    )
    .unwrap_err();
    assert!(matches!(rule_of(e).1, Rule::StaleRevocation { .. }));
}

#[test]
fn missing_crl_rejected_when_revocation_is_checked() {
    let r = root("A");
    let other = root("B");
    let (l, _) = leaf(&r, "l", KeyKind::P256, |_| {});
    let list = [crl(
        &other,
        NOW.saturating_sub(DAY),
        NOW.saturating_add(DAY),
        vec![],
    )];
    let inputs = PolicyInputs::default();
    let e = validate(
        &l,
        &[],
        &[TrustAnchor::new(r.cert)],
        &Profile::rfc5280(),
        &opts(
            &inputs,
            Some(CrlCheck {
                crls: &list,
                max_age: None,
            }),
        ),
    )
    .unwrap_err();
    assert_eq!(rule_of(e), (1, Rule::RevocationUnavailable));
}

#[test]
fn issued_certificates_round_trip_through_pem() {
    let r = root("A");
    let pem =
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, r.cert.der()).unwrap();
    let again = Certificate::from_pem(&pem).unwrap();
    assert_eq!(again.der(), r.cert.der());
    assert_eq!(
        Certificate::all_from_pem(&format!("{pem}{pem}"))
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn tampered_signature_rejected() {
    let r = root("A");
    let (l, _) = leaf(&r, "l", KeyKind::P256, |_| {});
    let mut der = l.der().to_vec();
    let n = der.len();
    der[n - 5] ^= 0x01;
    let Ok(bad) = Certificate::from_der(&der) else {
        return;
    };
    let inputs = PolicyInputs::default();
    let e = validate(
        &bad,
        &[],
        &[TrustAnchor::new(r.cert)],
        &Profile::rfc5280(),
        &opts(&inputs, None),
    )
    .unwrap_err();
    assert!(matches!(rule_of(e).1, Rule::Signature(_)));
}

#[test]
fn to_pem_round_trips_certificates_and_crls() {
    let r = root("A");
    let pem = r.cert.to_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    assert_eq!(Certificate::from_pem(&pem).unwrap().der(), r.cert.der());
    let list = crl(&r, NOW.saturating_sub(10), NOW.saturating_add(10), vec![]);
    let pem = list.to_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN X509 CRL-----\n"));
    assert_eq!(Crl::from_pem(&pem).unwrap().der(), list.der());
}
