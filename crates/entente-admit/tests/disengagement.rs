//! Disengagement by revocation: C revokes its translator certificate; at
//! the next admission B drops C's translation, decisions on C's resources
//! become deny with the reason, a Disengagement entry is logged — and the
//! decision made before still verifies from B's audit log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use entente_admit::{
    AdmissionRecord, AdmissionStore, Admitter, DenyCause, EventKind, EventLog, RecorderProfile,
    RejectReason, verify_logged_event,
};
use entente_audit::{
    Checkpoint, EntryKind, FileLog, LogEntry, LogIdentity, ProofBundle, WitnessPolicy,
    sign_checkpoint,
};
use entente_core::{KeyKind, Signer as _, SigningKey, default_provider};
use entente_translate::Refusal;
use entente_x509::{
    Budget, CrlCheck, EkuOids, PolicyInputs, RevocationReason, TrustAnchor, ValidationOptions, dn,
    validate,
};
use support::*;

struct Audit {
    log_key: SigningKey,
    identity: LogIdentity,
    recorder_cert: entente_x509::Certificate,
}

fn event_log(world: &mut World, dir: &std::path::Path) -> (EventLog, Audit) {
    let recorder_key = key("B-audit-recorder");
    let recorder_cert = world
        .b
        .ca
        .issue_credential(
            dn("CN=B audit recorder,O=B").unwrap(),
            recorder_key.public_key(),
            validity(),
            vec![EkuOids::default().audit_log],
        )
        .unwrap();
    let log = FileLog::open(dir).unwrap();
    let event_log = EventLog::new(log, recorder_key, recorder_cert.clone(), world.b.id()).unwrap();
    let log_key =
        SigningKey::derive_from_seed(KeyKind::Ed25519, b"entente-admit-tests", "B-log").unwrap();
    let identity = LogIdentity::new(
        "b.example/audit",
        log_key.public_key().clone(),
        world.b.id(),
    )
    .unwrap();
    (
        event_log,
        Audit {
            log_key,
            identity,
            recorder_cert,
        },
    )
}

fn entries(admitter: &Admitter) -> Vec<(u64, LogEntry)> {
    let log = admitter.event_log().unwrap().log();
    (0..log.size())
        .map(|i| (i, LogEntry::from_bytes(&log.entry(i).unwrap()).unwrap()))
        .collect()
}

#[test]
fn translator_revocation_disengages_and_history_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let mut world = World::new();
    let (log, audit) = event_log(&mut world, dir.path());
    let mut admitter = Admitter::new(
        world.admission_policy(),
        AdmissionStore::in_memory().unwrap(),
    )
    .with_event_log(log);
    let (b, c) = (world.b.id(), world.c.id());

    // Before: C's resource at B-L1 is readable (both policies permit).
    let before_bundles = vec![world.bundle_b(1, t(-60)), world.bundle_c(2, t(-60))];
    let before = admitter.admit(&before_bundles, t(0)).unwrap();
    assert!(before.report.rejected.is_empty());
    let asked = request(b, c, "B-L1", "B-L2", t(10));
    let decision_before = admitter.evaluate_and_record(&before.set, &asked).unwrap();
    assert!(decision_before.decision.is_permit());
    let translation = decision_before.provenance.translations[0];

    // C disengages: it revokes its translator certificate and publishes a new CRL.
    let translator = world.translator_in_c.clone();
    world
        .c
        .ca
        .revoke(&translator, t(100), RevocationReason::CessationOfOperation)
        .unwrap();
    let mut after_bundles = before_bundles.clone();
    after_bundles[1].crls = vec![world.c.crl(t(101)).der().to_vec()];
    let after = admitter.admit(&after_bundles, t(200)).unwrap();

    // The translation is dropped, with the revocation as reason.
    assert!(!after.report.is_admitted(&translation));
    let rejection = after.report.rejection(&translation).unwrap();
    assert!(
        matches!(&rejection.reason, RejectReason::Translation(r)
            if matches!(r.as_ref(), Refusal::Revoked { authority, .. } if *authority == c)),
        "{:?}",
        rejection.reason
    );
    // C's policy itself is still admitted (its policy signer is not revoked)...
    assert_eq!(after.report.admitted.len(), 4);
    // ...but there is no path into home terms any more.
    let decision_after = after.set.evaluate(&request(b, c, "B-L1", "B-L2", t(210)));
    assert_eq!(
        decision_after.decision.deny_cause(),
        Some(&DenyCause::NoTranslationPath(c))
    );
    // B's own resources are unaffected.
    assert!(
        after
            .set
            .evaluate(&request(c, b, "B-L1", "B-L2", t(210)))
            .decision
            .is_permit()
    );

    // The log records the disengagement, with C's CRL as evidence.
    let logged = entries(&admitter);
    let disengagements: Vec<_> = logged
        .iter()
        .filter(|(_, e)| e.kind == EntryKind::Disengagement)
        .collect();
    assert_eq!(disengagements.len(), 1);
    let (_, disengagement) = disengagements[0];
    assert_eq!(disengagement.artifacts, vec![translation]);
    assert_eq!(disengagement.authorities, vec![c]);
    assert_eq!(disengagement.reason, "translator_revoked");
    assert!(!disengagement.evidence.is_empty());
    // A disengagement is not an attack: no revoked-credential event.
    assert!(
        !logged
            .iter()
            .any(|(_, e)| e.kind == EntryKind::IntegrityEvent && e.reason == "revoked_credential")
    );

    // The decision made before still verifies from the audit log: the
    // admission entry is included in a signed checkpoint...
    let log = admitter.event_log().unwrap().log();
    let checkpoint = Checkpoint {
        origin: "b.example/audit".into(),
        size: log.size(),
        root: log.root(),
        extensions: vec![],
    };
    let note = sign_checkpoint(&checkpoint, &audit.log_key)
        .unwrap()
        .to_bytes();
    let (index, admitted_entry) = logged
        .iter()
        .find(|(_, e)| e.kind == EntryKind::Admitted && e.time == t(0))
        .unwrap();
    let proof = ProofBundle::from_log(log, *index, log.size(), note).unwrap();
    let no_witnesses = WitnessPolicy {
        witnesses: vec![],
        threshold: 0,
    };
    proof
        .verify(
            default_provider(),
            &log.entry(*index).unwrap(),
            &audit.identity,
            &no_witnesses,
        )
        .unwrap();
    // ...and its logged bundles, replayed at the logged time with the CRLs
    // of that time, admit the same artifacts and give the same decision.
    let record = AdmissionRecord::from_entry(admitted_entry).unwrap();
    assert!(record.admitted.contains(&translation));
    let replayed = Admitter::new(
        world.admission_policy(),
        AdmissionStore::in_memory().unwrap(),
    )
    .admit(&record.bundles().unwrap(), admitted_entry.time)
    .unwrap();
    let replayed_ids: Vec<_> = replayed.report.admitted.iter().map(|a| a.id).collect();
    assert_eq!(replayed_ids, record.admitted);
    assert_eq!(replayed.set.evaluate(&asked), decision_before);
    // Replayed now, with today's CRL, the same translation is refused.
    let mut today = record.bundles().unwrap();
    today[1].crls = after_bundles[1].crls.clone();
    let refused = Admitter::new(
        world.admission_policy(),
        AdmissionStore::in_memory().unwrap(),
    )
    .admit(&today, t(200))
    .unwrap();
    assert!(!refused.report.is_admitted(&translation));

    // The recorder credential validates under B's root with the recorder
    // profile, as a verifier of B's integrity events would check.
    let anchors = [TrustAnchor::new(world.b.ca.certificate().clone())];
    let b_crl = world.b.crl(t(-60));
    validate(
        &audit.recorder_cert,
        &[],
        &anchors,
        &RecorderProfile::new(&EkuOids::default()),
        &ValidationOptions {
            time: t(200),
            policy: &PolicyInputs::default(),
            revocation: Some(CrlCheck {
                crls: std::slice::from_ref(&b_crl),
                max_age: None,
            }),
            budget: Budget::default(),
            provider: default_provider(),
        },
    )
    .unwrap();
}

#[test]
fn forced_disclosure_is_recorded_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let mut world = World::new();
    let (log, audit) = event_log(&mut world, dir.path());
    let mut admitter = Admitter::new(
        world.admission_policy(),
        AdmissionStore::in_memory().unwrap(),
    )
    .with_event_log(log);
    let bundles = vec![world.bundle_b(1, t(-60)), world.bundle_c(2, t(-60))];
    let admission = admitter.admit(&bundles, t(0)).unwrap();
    // C's subject with B-L0 clearance asks for B's B-L1 resource.
    let asked = request(world.c.id(), world.b.id(), "B-L1", "B-L0", t(10));
    let evaluation = admitter
        .evaluate_and_record(&admission.set, &asked)
        .unwrap();
    assert!(!evaluation.decision.is_permit());
    let log = admitter.event_log().unwrap().log();
    let last = log.entry(log.size() - 1).unwrap();
    let logged = verify_logged_event(&last, &audit.recorder_cert, default_provider()).unwrap();
    assert_eq!(logged.event.document().kind, EventKind::ForcedDisclosure);
    assert_eq!(logged.event.document().offender, Some(world.c.id()));
    assert_eq!(logged.entry.reason, "forced_disclosure");
    // Tampering with the logged entry is detected.
    let mut entry = logged.entry.clone();
    entry.reason = "rollback".into();
    assert!(
        verify_logged_event(
            &entry.to_bytes().unwrap(),
            &audit.recorder_cert,
            default_provider()
        )
        .is_err()
    );
    // Another certificate is not the signer.
    assert!(verify_logged_event(&last, &world.b.signer, default_provider()).is_err());
}
