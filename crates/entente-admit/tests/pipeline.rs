//! The verification pipeline end to end: admission, caches, parallelism,
//! rollback across restarts, evaluation with provenance.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use entente_admit::{AdmissionStore, Admitter, ArtifactKind, DenyCause, Parallelism, RejectReason};
use entente_core::cose::Envelope;
use entente_x509::RevocationReason;
use support::*;

fn admitter(world: &World) -> Admitter {
    Admitter::new(
        world.admission_policy(),
        AdmissionStore::in_memory().unwrap(),
    )
}

fn id_of(bytes: &[u8]) -> entente_core::ArtifactId {
    Envelope::from_slice(bytes).unwrap().artifact_id()
}

#[test]
fn honest_bundles_accepted() {
    let mut world = World::new();
    let bundles = vec![world.bundle_b(1, t(-60)), world.bundle_c(2, t(-60))];
    let admission = admitter(&world).admit(&bundles, t(0)).unwrap();
    let report = &admission.report;
    assert!(report.rejected.is_empty(), "{:#?}", report.summary());
    // 2 vocabularies, 2 policies, 1 translation.
    assert_eq!(report.admitted.len(), 5);
    assert_eq!(
        report
            .admitted
            .iter()
            .filter(|a| a.kind == ArtifactKind::Translation)
            .count(),
        1
    );
    assert!(report.stats.signature_verifications > 0);
    assert!(report.stats.chain_validations > 0);
    assert_eq!(admission.set.partner_policies().count(), 1);
}

#[test]
fn evaluation_needs_both_policies_and_cites_provenance_accepted() {
    let mut world = World::new();
    // B permits up to B-L1, C up to C-L2 (= B-L2 in home terms).
    let bundles = vec![world.bundle_b(1, t(-60)), world.bundle_c(2, t(-60))];
    let admission = admitter(&world).admit(&bundles, t(0)).unwrap();
    let set = &admission.set;
    let (b, c) = (world.b.id(), world.c.id());

    // C's resource at B-L1: both permit.
    let eval = set.evaluate(&request(b, c, "B-L1", "B-L2", t(10)));
    assert!(eval.decision.is_permit(), "{eval:?}");
    let partner = eval.provenance.partner.as_ref().unwrap();
    assert_eq!(partner.policy.authority, c);
    assert_eq!(partner.policy.policy_id, "C-policy");
    assert_eq!(partner.rules, vec!["read-up-to".to_owned()]);
    let home = eval.provenance.home.as_ref().unwrap();
    assert_eq!(home.policy.authority, b);
    let translation_id = id_of(&world.sign_translation(&world.translation(1)));
    assert_eq!(eval.provenance.translations, vec![translation_id]);

    // C's resource at B-L2: C permits, B does not: deny by home.
    let eval = set.evaluate(&request(b, c, "B-L2", "B-L2", t(10)));
    assert!(matches!(
        eval.decision.deny_cause(),
        Some(DenyCause::Home(_))
    ));

    // B's own resource: B alone decides.
    let eval = set.evaluate(&request(c, b, "B-L1", "B-L2", t(10)));
    assert!(eval.decision.is_permit());
    assert!(eval.provenance.partner.is_none());
}

#[test]
fn partner_cannot_widen_home_deny_rejected() {
    let mut world = World::new();
    // C permits everything up to L2; B only L0.
    let bundles = vec![world.bundle_b(0, t(-60)), world.bundle_c(2, t(-60))];
    let admission = admitter(&world).admit(&bundles, t(0)).unwrap();
    let eval = admission
        .set
        .evaluate(&request(world.b.id(), world.c.id(), "B-L1", "B-L2", t(10)));
    assert!(!eval.decision.is_permit());
    // And C's narrower policy narrows: B permits L1 but C only L0.
    let mut world = World::new();
    let bundles = vec![world.bundle_b(2, t(-60)), world.bundle_c(0, t(-60))];
    let admission = admitter(&world).admit(&bundles, t(0)).unwrap();
    let eval = admission
        .set
        .evaluate(&request(world.b.id(), world.c.id(), "B-L1", "B-L2", t(10)));
    assert!(matches!(
        eval.decision.deny_cause(),
        Some(DenyCause::Partner { .. })
    ));
}

#[test]
fn unadmitted_owner_rejected() {
    let mut world = World::new();
    let bundles = vec![world.bundle_b(1, t(-60))];
    let admission = admitter(&world).admit(&bundles, t(0)).unwrap();
    let stranger = entente_core::AuthorityId::from_spki_der(b"stranger");
    let eval = admission
        .set
        .evaluate(&request(world.b.id(), stranger, "B-L0", "B-L2", t(10)));
    assert_eq!(
        eval.decision.deny_cause(),
        Some(&DenyCause::UnadmittedOwner(stranger))
    );
    // C admitted by policy but published nothing: no partner policy.
    let eval = admission
        .set
        .evaluate(&request(world.b.id(), world.c.id(), "B-L0", "B-L2", t(10)));
    assert_eq!(
        eval.decision.deny_cause(),
        Some(&DenyCause::NoPartnerPolicy(world.c.id()))
    );
}

#[test]
fn readmission_hits_caches_accepted() {
    let mut world = World::new();
    let bundles = vec![world.bundle_b(1, t(-60)), world.bundle_c(2, t(-60))];
    let mut admitter = admitter(&world);
    let first = admitter.admit(&bundles, t(0)).unwrap().report;
    assert_eq!(first.stats.cache_hits(), 0);
    let second = admitter.admit(&bundles, t(5)).unwrap().report;
    assert_eq!(second.summary(), first.summary());
    assert!(second.stats.chain_cache_hits >= 2, "{:?}", second.stats);
    assert!(second.stats.envelope_cache_hits >= 5, "{:?}", second.stats);
    assert!(
        second.stats.signature_verifications < first.stats.signature_verifications,
        "{:?} vs {:?}",
        second.stats,
        first.stats
    );
    assert_eq!(second.stats.signature_verifications, 0);
}

#[test]
fn crl_change_invalidates_caches_accepted() {
    let mut world = World::new();
    let b = world.bundle_b(1, t(-60));
    let c = world.bundle_c(2, t(-60));
    let mut admitter = admitter(&world);
    admitter.admit(&[b.clone(), c.clone()], t(0)).unwrap();
    // C issues a new CRL (nothing revoked): C's cached chains, envelopes and
    // every translation must be verified again; B's stay cached.
    let mut c2 = c.clone();
    c2.crls = vec![world.c.crl(t(-30)).der().to_vec()];
    let report = admitter.admit(&[b, c2], t(5)).unwrap().report;
    assert!(report.rejected.is_empty(), "{:#?}", report.summary());
    // B: its signer's chain (looked up for the vocabulary and the policy)
    // and its 2 envelopes cached; C's re-verified.
    assert_eq!(report.stats.chain_cache_hits, 2, "{:?}", report.stats);
    assert_eq!(report.stats.envelope_cache_hits, 2, "{:?}", report.stats);
    assert!(report.stats.signature_verifications > 0);
}

#[test]
fn cached_chain_still_sees_revocation_rejected() {
    let mut world = World::new();
    let b = world.bundle_b(1, t(-60));
    let c = world.bundle_c(2, t(-60));
    let mut admitter = admitter(&world);
    admitter.admit(&[b.clone(), c.clone()], t(0)).unwrap();
    let signer = world.c.signer.clone();
    world
        .c
        .ca
        .revoke(&signer, t(1), RevocationReason::KeyCompromise)
        .unwrap();
    let mut c2 = c.clone();
    c2.crls = vec![world.c.crl(t(2)).der().to_vec()];
    let report = admitter.admit(&[b, c2], t(5)).unwrap().report;
    let revoked: Vec<_> = report
        .rejected
        .iter()
        .filter(|r| matches!(r.reason, RejectReason::Revoked { .. }))
        .collect();
    assert_eq!(revoked.len(), 2, "{:#?}", report.summary());
}

#[test]
fn parallel_and_sequential_reports_agree() {
    let mut world = World::new();
    let mut c = world.bundle_c(2, t(-60));
    // Add noise: a garbage envelope and a foreign policy.
    c.policies.push(vec![0xd2, 0x84, 0x00]);
    c.policies.push(world.b.sign_policy(&world.b.policy(7, 1)));
    let bundles = vec![world.bundle_b(1, t(-60)), c];
    let parallel = admitter(&world)
        .with_parallelism(Parallelism::Parallel)
        .admit(&bundles, t(0))
        .unwrap()
        .report;
    let sequential = admitter(&world)
        .with_parallelism(Parallelism::Sequential)
        .admit(&bundles, t(0))
        .unwrap()
        .report;
    assert_eq!(parallel.summary(), sequential.summary());
    assert_eq!(
        parallel.stats.signature_verifications,
        sequential.stats.signature_verifications
    );
    assert_eq!(parallel.rejected.len(), 2);
}

#[test]
fn policy_in_wrong_bundle_rejected() {
    let mut world = World::new();
    let mut c = world.bundle_c(2, t(-60));
    // B's genuine policy carried in C's bundle: validated against C's roots
    // only, B's signer does not chain there.
    let foreign = world.b.sign_policy(&world.b.policy(1, 1));
    c.policies = vec![foreign.clone()];
    c.certificates.push(world.b.signer.der().to_vec());
    let report = admitter(&world).admit(&[c], t(0)).unwrap().report;
    let rejection = report.rejection(&id_of(&foreign)).unwrap();
    assert!(
        matches!(rejection.reason, RejectReason::Impersonation { .. }),
        "{:?}",
        rejection.reason
    );
}

#[test]
fn rollback_across_restart_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("admission.redb");
    let mut world = World::new();
    let mut b = world.bundle_b(1, t(-60));
    let v1 = b.policies[0].clone();
    let v2 = world.b.sign_policy(&world.b.policy(2, 1));
    b.policies = vec![v2];
    {
        let mut admitter = Admitter::new(
            world.admission_policy(),
            AdmissionStore::open(&path).unwrap(),
        );
        let report = admitter.admit(&[b.clone()], t(0)).unwrap().report;
        assert!(report.rejected.is_empty(), "{:#?}", report.summary());
    }
    // Restart, then offer version 1 again.
    let mut admitter = Admitter::new(
        world.admission_policy(),
        AdmissionStore::open(&path).unwrap(),
    );
    b.policies = vec![v1.clone()];
    let report = admitter.admit(&[b.clone()], t(10)).unwrap().report;
    let rejection = report.rejection(&id_of(&v1)).unwrap();
    assert!(matches!(
        rejection.reason,
        RejectReason::Rollback { admitted, offered }
            if admitted.0 == 2 && offered.0 == 1
    ));
    // Same version, other content: substitution.
    let mut other = world.b.policy(2, 0);
    other.rules[0].id = "other".into();
    let substitute = world.b.sign_policy(&other);
    b.policies = vec![substitute.clone()];
    let report = admitter.admit(&[b], t(20)).unwrap().report;
    assert!(matches!(
        report.rejection(&id_of(&substitute)).unwrap().reason,
        RejectReason::Substitution { .. }
    ));
}

#[test]
fn lower_version_in_same_admission_superseded() {
    let mut world = World::new();
    let mut b = world.bundle_b(1, t(-60));
    let v1 = b.policies[0].clone();
    b.policies.push(world.b.sign_policy(&world.b.policy(3, 1)));
    let report = admitter(&world).admit(&[b], t(0)).unwrap().report;
    assert!(matches!(
        report.rejection(&id_of(&v1)).unwrap().reason,
        RejectReason::Superseded(v) if v.0 == 3
    ));
}

#[test]
fn unadmitted_publisher_rejected() {
    let mut world = World::new();
    let mut stranger = support::Party::new("S");
    let mut bundle = entente_admit::Bundle::new(stranger.id());
    bundle.certificates = vec![stranger.signer.der().to_vec()];
    bundle.crls = vec![stranger.crl(t(-60)).der().to_vec()];
    bundle.vocabularies = vec![stranger.signed_vocabulary()];
    let report = admitter(&world)
        .admit(&[bundle, world.bundle_b(1, t(-60))], t(0))
        .unwrap()
        .report;
    assert_eq!(report.rejected.len(), 3);
    assert!(
        report
            .rejected
            .iter()
            .all(|r| matches!(r.reason, RejectReason::UnadmittedAuthority(_)))
    );
}

#[test]
fn stale_crl_freezes_rejected() {
    let mut world = World::new();
    // The policy accepts revocation data up to 10 days old; this CRL is 12.
    let b = world.bundle_b(1, t(-12 * 86_400));
    let report = admitter(&world).admit(&[b], t(0)).unwrap().report;
    assert_eq!(report.admitted.len(), 0);
    assert!(
        report
            .rejected
            .iter()
            .all(|r| matches!(r.reason, RejectReason::StaleRevocation { .. })),
        "{:#?}",
        report.summary()
    );
}

#[test]
fn translator_key_signing_policy_rejected() {
    let mut world = World::new();
    let mut c = world.bundle_c(2, t(-60));
    let policy = world.c.policy(1, 2);
    let kid = entente_core::cose::key_id_for_certificate(world.translator_in_c.der());
    let forged = policy.sign(&world.translator_key, &kid).unwrap();
    c.policies = vec![forged.clone()];
    let report = admitter(&world).admit(&[c], t(0)).unwrap().report;
    assert!(matches!(
        report.rejection(&id_of(&forged)).unwrap().reason,
        RejectReason::RoleViolation { .. }
    ));
}
