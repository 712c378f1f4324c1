//! Named behaviours of entente-attest, with real ES256 signatures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use common::{AT, Crypto, World, artifact};
use entente_attest::{
    ArtifactStatus, AttestError, CredentialPurpose, DeclarationError, DisputeOutcome,
    EquivocationMismatch, EquivocationProof, HANDOFF_SLOT, Ingested, MemoryResolver,
    OperationDeclaration, QuorumCertificate, QuorumRule, ResolveError, Role, RosterChangeError,
    RosterChangeRules, RosterEntry, Statement, VerifiedDeclaration, cosign_handoff,
};
use entente_core::{CoseError, Document, Envelope, UnixTime, Validity, cose};

fn handoff(world: &World, incoming: usize, cosign: bool) -> Vec<u8> {
    let outgoing = world.sign(
        &world.partners[0],
        0,
        0,
        HANDOFF_SLOT,
        Statement::Handoff {
            incoming: world.partners[incoming].authority,
        },
    );
    if cosign {
        let (key, kid) = &world.partners[incoming].keys[0];
        cosign_handoff(&outgoing, &**key, kid).unwrap()
    } else {
        outgoing
    }
}

fn handoff_id(bytes: &[u8]) -> entente_core::ArtifactId {
    Envelope::from_slice(bytes).unwrap().artifact_id()
}

#[test]
fn duplicate_authority_counts_once() {
    let world = World::new(Crypto::Ecdsa, 4, 0);
    let mut state = world.state();
    assert_eq!(state.threshold(), 3);
    let a = artifact("a");
    let p1 = &world.partners[1];
    let first = world.sign(p1, 0, 0, 0, Statement::Endorsement { artifact: a });
    let second_key = world.sign(p1, 1, 0, 0, Statement::Endorsement { artifact: a });
    let p2 = world.endorse(&world.partners[2], 0, 0, a);
    assert_eq!(
        world.submit(&mut state, &first).unwrap(),
        Ingested::Recorded
    );
    assert_eq!(
        world.submit(&mut state, &second_key).unwrap(),
        Ingested::Duplicate
    );
    assert_eq!(world.submit(&mut state, &p2).unwrap(), Ingested::Recorded);
    assert_eq!(state.tally(0, 0, &a).counted, 2);
    assert!(!state.is_certified(0, 0, &a));

    // The same three envelopes, and the first twice, as a certificate.
    let certificate = QuorumCertificate::new(vec![first.clone(), second_key, p2.clone(), first]);
    let refused = state.verify_certificate(&certificate, &world.resolver, &*world.provider, AT);
    assert!(matches!(
        refused,
        Err(AttestError::QuorumNotReached {
            counted: 2,
            threshold: 3
        })
    ));

    let p3 = world.endorse(&world.partners[3], 0, 0, a);
    world.submit(&mut state, &p3).unwrap();
    assert!(state.is_certified(0, 0, &a));
    let certificate = QuorumCertificate::new(vec![p2, p3, certificate.endorsements()[0].clone()]);
    let verified = state
        .verify_certificate(&certificate, &world.resolver, &*world.provider, AT)
        .unwrap();
    assert_eq!(verified.tally().counted, 3);
    assert_eq!(verified.artifact(), a);
}

#[test]
fn observer_endorsement_not_counted() {
    let world = World::new(Crypto::Ecdsa, 4, 2);
    let mut state = world.state();
    // Observers do not move the threshold either: 2·4/3 + 1.
    assert_eq!(state.threshold(), 3);
    let a = artifact("a");
    let mut envelopes = Vec::new();
    for who in [
        &world.partners[1],
        &world.partners[2],
        &world.observers[0],
        &world.observers[1],
    ] {
        let bytes = world.endorse(who, 0, 0, a);
        assert_eq!(
            world.submit(&mut state, &bytes).unwrap(),
            Ingested::Recorded
        );
        envelopes.push(bytes);
    }
    assert_eq!(state.tally(0, 0, &a).counted, 2);
    assert!(!state.is_certified(0, 0, &a));
    let certificate = QuorumCertificate::new(envelopes);
    assert!(matches!(
        state.verify_certificate(&certificate, &world.resolver, &*world.provider, AT),
        Err(AttestError::QuorumNotReached {
            counted: 2,
            threshold: 3
        })
    ));

    // Observers cannot contribute or dispute.
    let contribution = world.sign(
        &world.observers[0],
        0,
        0,
        1,
        Statement::Contribution {
            policy: artifact("policy"),
            assets: vec![artifact("asset")],
        },
    );
    assert!(matches!(
        world.submit(&mut state, &contribution),
        Err(AttestError::RoleViolation {
            role: Role::Observing,
            ..
        })
    ));
    let dispute = world.sign(
        &world.observers[0],
        0,
        0,
        2,
        Statement::Dispute { artifact: a },
    );
    assert!(matches!(
        world.submit(&mut state, &dispute),
        Err(AttestError::RoleViolation {
            role: Role::Observing,
            ..
        })
    ));
}

#[test]
fn handoff_without_incoming_lead_signature_rejected() {
    let world = World::new(Crypto::Ecdsa, 4, 0);
    let mut state = world.state();
    let unsigned = handoff(&world, 1, false);
    assert!(matches!(
        world.verify(&unsigned),
        Err(AttestError::MissingIncomingLeadSignature)
    ));
    // Co-signed by a partner other than the incoming lead it names.
    let (key, kid) = &world.partners[2].keys[0];
    let wrong = cosign_handoff(&unsigned, &**key, kid).unwrap();
    assert!(matches!(
        world.verify(&wrong),
        Err(AttestError::SignerNotIncomingLead { .. })
    ));
    // A supporting partner cannot start a handoff, even co-signed.
    let usurper = world.sign(
        &world.partners[2],
        0,
        0,
        HANDOFF_SLOT,
        Statement::Handoff {
            incoming: world.partners[1].authority,
        },
    );
    let (key, kid) = &world.partners[1].keys[0];
    let usurper = cosign_handoff(&usurper, &**key, kid).unwrap();
    assert!(matches!(
        world.submit(&mut state, &usurper),
        Err(AttestError::RoleViolation {
            role: Role::Supporting,
            ..
        })
    ));
    assert_eq!(state.epoch(), 0);

    // Properly co-signed: the two leads count, one more endorsement makes
    // the quorum of three and moves the operation to epoch 1.
    let signed = handoff(&world, 1, true);
    assert_eq!(handoff_id(&signed), handoff_id(&unsigned));
    assert_eq!(
        world.submit(&mut state, &signed).unwrap(),
        Ingested::Recorded
    );
    assert_eq!(state.epoch(), 0);
    let endorsement = world.endorse(&world.partners[3], 0, HANDOFF_SLOT, handoff_id(&signed));
    assert_eq!(
        world.submit(&mut state, &endorsement).unwrap(),
        Ingested::HandoffCompleted {
            epoch: 1,
            lead: world.partners[1].authority
        }
    );
    assert_eq!(state.lead(), world.partners[1].authority);
    assert_eq!(
        state.roster().role(&world.partners[0].authority),
        Some(Role::Supporting)
    );
}

#[test]
fn stale_epoch_rejected() {
    let world = World::new(Crypto::Ecdsa, 4, 0);
    let mut state = world.state();
    let old = world.endorse(&world.partners[2], 0, 0, artifact("a"));
    world.submit(&mut state, &old).unwrap();
    let signed = handoff(&world, 1, true);
    world.submit(&mut state, &signed).unwrap();
    let endorsement = world.endorse(&world.partners[3], 0, HANDOFF_SLOT, handoff_id(&signed));
    world.submit(&mut state, &endorsement).unwrap();
    assert_eq!(state.epoch(), 1);
    // A replay of an epoch-0 statement, and a new one for epoch 0.
    assert!(matches!(
        world.submit(&mut state, &old),
        Err(AttestError::StaleEpoch {
            current: 1,
            found: 0
        })
    ));
    let late = world.endorse(&world.partners[3], 0, 5, artifact("b"));
    assert!(matches!(
        world.submit(&mut state, &late),
        Err(AttestError::StaleEpoch {
            current: 1,
            found: 0
        })
    ));
    let early = world.endorse(&world.partners[3], 2, 5, artifact("b"));
    assert!(matches!(
        world.submit(&mut state, &early),
        Err(AttestError::FutureEpoch {
            current: 1,
            found: 2
        })
    ));
    // The certificate of epoch 0 is no longer accepted as current.
    let certificate = QuorumCertificate::new(vec![old]);
    assert!(matches!(
        state.verify_certificate(&certificate, &world.resolver, &*world.provider, AT),
        Err(AttestError::StaleEpoch { .. })
    ));
}

#[test]
fn equivocation_proof_verifies_for_a_third_party() {
    let world = World::new(Crypto::Ecdsa, 4, 0);
    let mut state = world.state();
    let p1 = &world.partners[1];
    let a = world.endorse(p1, 0, 0, artifact("a"));
    let b = world.sign(
        p1,
        1,
        0,
        0,
        Statement::Endorsement {
            artifact: artifact("b"),
        },
    );
    world.submit(&mut state, &a).unwrap();
    let Err(AttestError::Equivocation(found)) = world.submit(&mut state, &b) else {
        panic!("equivocation not detected");
    };
    assert_eq!(found.authority(), p1.authority);
    assert!(state.is_excluded(0, &p1.authority));
    // Its earlier endorsement stops counting, its later statements are refused.
    assert_eq!(state.tally(0, 0, &artifact("a")).counted, 0);
    let later = world.endorse(p1, 0, 1, artifact("c"));
    assert!(matches!(
        world.submit(&mut state, &later),
        Err(AttestError::Excluded { epoch: 0, .. })
    ));

    // A third party who knows only the credentials (no state, no roster).
    let mut third_party = MemoryResolver::new();
    for (key, kid) in &p1.keys {
        third_party.insert(
            *kid,
            CredentialPurpose::Attester,
            p1.authority,
            key.public_key().clone(),
        );
    }
    let proof = EquivocationProof::new(
        found.proof().second().to_vec(),
        found.proof().first().to_vec(),
    );
    assert_eq!(&proof, found.proof());
    // It travels as deterministic CBOR.
    let wire = found.proof().to_bytes().unwrap();
    assert_eq!(EquivocationProof::from_bytes(&wire).unwrap(), proof);
    assert!(EquivocationProof::from_bytes(&wire[..wire.len() - 1]).is_err());
    let verified = proof.verify(&third_party, &*world.provider, AT).unwrap();
    assert_eq!(verified.authority(), p1.authority);
    assert_eq!((verified.epoch(), verified.slot()), (0, 0));
    assert_eq!(verified.operation(), world.operation);

    // Another partner's state accepts the proof and excludes the authority.
    let mut other = world.state();
    other.ingest_equivocation(verified).unwrap();
    assert!(other.is_excluded(0, &p1.authority));

    // Not proofs: the same statement twice, or two different slots.
    let same = world.sign(
        p1,
        1,
        0,
        0,
        Statement::Endorsement {
            artifact: artifact("a"),
        },
    );
    assert!(matches!(
        EquivocationProof::new(a.clone(), same).verify(&third_party, &*world.provider, AT),
        Err(AttestError::NotEquivocation(
            EquivocationMismatch::SameStatement
        ))
    ));
    assert!(matches!(
        EquivocationProof::new(a.clone(), later).verify(&third_party, &*world.provider, AT),
        Err(AttestError::NotEquivocation(EquivocationMismatch::Slot))
    ));
    // A tampered envelope is refused, not believed.
    let mut tampered = b.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(matches!(
        EquivocationProof::new(a, tampered).verify(&third_party, &*world.provider, AT),
        Err(AttestError::Envelope(CoseError::Signature { .. }))
    ));
}

#[test]
fn impersonation_with_own_key_rejected() {
    let world = World::new(Crypto::Ecdsa, 4, 0);
    let (p1, p2) = (&world.partners[1], &world.partners[2]);
    // p1's credential, p2 named as author.
    let claimed = world
        .attestation(
            p2,
            0,
            0,
            Statement::Endorsement {
                artifact: artifact("a"),
            },
        )
        .sign(&*p1.keys[0].0, &p1.kid(0))
        .unwrap();
    assert!(matches!(
        world.verify(&claimed),
        Err(AttestError::SignerNotAuthor { claimed, signer }) if claimed == p2.authority && signer == p1.authority
    ));
    // p1's key, p2's kid and p2 as author: the signature does not verify.
    let kid_claimed = world
        .attestation(
            p2,
            0,
            0,
            Statement::Endorsement {
                artifact: artifact("a"),
            },
        )
        .sign(&*p1.keys[0].0, &p2.kid(0))
        .unwrap();
    assert!(matches!(
        world.verify(&kid_claimed),
        Err(AttestError::Envelope(CoseError::Signature { index: 0, .. }))
    ));
}

#[test]
fn unknown_revoked_and_wrong_profile_credentials_rejected() {
    let mut world = World::new(Crypto::Ecdsa, 4, 0);
    let bytes = world.endorse(&world.partners[1], 0, 0, artifact("a"));
    world
        .resolver
        .revoke(&world.partners[1].kid(0), UnixTime::from_secs(1_000));
    assert!(matches!(
        world.verify(&bytes),
        Err(AttestError::Resolve {
            index: 0,
            source: ResolveError::Revoked(_)
        })
    ));
    let outsider_key = &world.declarer;
    let unknown = world
        .attestation(
            &world.partners[2],
            0,
            0,
            Statement::Endorsement {
                artifact: artifact("a"),
            },
        )
        .sign(
            &*outsider_key.keys[0].0,
            &entente_core::Digest256::sha256(b"nobody"),
        )
        .unwrap();
    assert!(matches!(
        world.verify(&unknown),
        Err(AttestError::Resolve {
            source: ResolveError::Unknown(_),
            ..
        })
    ));
    // The declarer's operation-declarer credential cannot attest.
    let declarer_attests = world
        .attestation(
            &world.declarer,
            0,
            0,
            Statement::Endorsement {
                artifact: artifact("a"),
            },
        )
        .sign(&*world.declarer.keys[0].0, &world.declarer.kid(0))
        .unwrap();
    assert!(matches!(
        world.verify(&declarer_attests),
        Err(AttestError::Resolve {
            source: ResolveError::WrongPurpose { .. },
            ..
        })
    ));
    // And an attester credential cannot declare.
    let declaration = world.declaration.declaration().clone();
    let p1 = &world.partners[2];
    let by_attester = cose::sign1(&declaration, &*p1.keys[0].0, &p1.kid(0)).unwrap();
    assert!(matches!(
        VerifiedDeclaration::verify(&by_attester, &world.resolver, &*world.provider, AT),
        Err(AttestError::Resolve {
            source: ResolveError::WrongPurpose { .. },
            ..
        })
    ));
}

#[test]
fn outsider_and_wrong_operation_rejected() {
    let world = World::new(Crypto::Ecdsa, 4, 0);
    let mut state = world.state();
    let outsider = world.endorse(&world.outsider, 0, 0, artifact("a"));
    assert!(matches!(
        world.submit(&mut state, &outsider),
        Err(AttestError::NotOnRoster(who)) if who == world.outsider.authority
    ));
    let other = World::with_rule(Crypto::Ecdsa, 5, 0, QuorumRule::TwoThirds);
    let foreign = other.endorse(&other.partners[1], 0, 0, artifact("a"));
    // Same partner keys in both worlds: the signature verifies, the
    // operation does not match.
    assert!(matches!(
        world.submit(&mut state, &foreign),
        Err(AttestError::WrongOperation { .. })
    ));
}

#[test]
fn declaration_threshold_below_majority_rejected() {
    let world = World::new(Crypto::Ecdsa, 6, 0);
    let mut declaration = world.declaration.declaration().clone();
    declaration.quorum = QuorumRule::AtLeast(3);
    assert_eq!(
        declaration.check(),
        Err(DeclarationError::ThresholdBelowMajority {
            threshold: 3,
            majority: 4
        })
    );
    declaration.quorum = QuorumRule::AtLeast(7);
    assert_eq!(
        declaration.check(),
        Err(DeclarationError::ThresholdAboveMembers {
            threshold: 7,
            counting: 6
        })
    );
    declaration.quorum = QuorumRule::AtLeast(4);
    assert_eq!(declaration.check().unwrap().threshold(), 4);
    declaration.quorum = QuorumRule::TwoThirds;
    assert_eq!(declaration.check().unwrap().threshold(), 5);
    declaration.roster[1].role = Role::Lead;
    assert_eq!(
        declaration.check(),
        Err(DeclarationError::LeadCount { found: 2 })
    );
    declaration.roster.swap(0, 1);
    assert_eq!(declaration.check(), Err(DeclarationError::RosterOrder));
}

#[test]
fn declaration_by_another_authority_rejected() {
    let world = World::new(Crypto::Ecdsa, 4, 0);
    let mut declaration = world.declaration.declaration().clone();
    declaration.declarer = world.partners[0].authority;
    declaration.operation =
        entente_core::OperationId::derive(&declaration.declarer, &declaration.name);
    let bytes = declaration
        .sign(&*world.declarer.keys[0].0, &world.declarer.kid(0))
        .unwrap();
    assert!(matches!(
        VerifiedDeclaration::verify(&bytes, &world.resolver, &*world.provider, AT),
        Err(AttestError::DeclarerMismatch { .. })
    ));
    let late = UnixTime::from_secs(1_950_000_000);
    let mut resolver = world.resolver.clone();
    resolver.set_validity(
        &world.declarer.kid(0),
        Validity {
            not_before: UnixTime::from_secs(0),
            not_after: UnixTime::from_secs(u64::MAX),
        },
    );
    assert!(matches!(
        VerifiedDeclaration::verify(&world.declaration_bytes, &resolver, &*world.provider, late),
        Err(AttestError::OutsideValidity { .. })
    ));
}

#[test]
fn dispute_suspends_until_resolution() {
    let world = World::new(Crypto::Ecdsa, 4, 1);
    let mut state = world.state();
    let a = artifact("a");
    for p in &world.partners[1..4] {
        world
            .submit(&mut state, &world.endorse(p, 0, 0, a))
            .unwrap();
    }
    assert!(state.is_certified(0, 0, &a));
    let resolution = |outcome, slot| {
        world.sign(
            &world.dispute,
            0,
            0,
            slot,
            Statement::DisputeResolution {
                artifact: a,
                outcome,
            },
        )
    };
    // No dispute yet: nothing to resolve.
    assert!(matches!(
        world.submit(&mut state, &resolution(DisputeOutcome::Dismissed, 1)),
        Err(AttestError::NoOpenDispute(_))
    ));
    let dispute = world.sign(
        &world.partners[2],
        0,
        0,
        1,
        Statement::Dispute { artifact: a },
    );
    world.submit(&mut state, &dispute).unwrap();
    assert_eq!(state.artifact_status(&a), ArtifactStatus::Suspended);
    assert_eq!(state.suspended(), vec![a]);
    // Only the dispute authority resolves.
    let by_partner = world.sign(
        &world.partners[3],
        0,
        0,
        9,
        Statement::DisputeResolution {
            artifact: a,
            outcome: DisputeOutcome::Dismissed,
        },
    );
    assert!(matches!(
        world.submit(&mut state, &by_partner),
        Err(AttestError::NotDisputeAuthority(_))
    ));
    let certificate = QuorumCertificate::new(
        world.partners[1..4]
            .iter()
            .map(|p| world.endorse(p, 0, 0, a))
            .collect(),
    );
    assert!(matches!(
        state.verify_certificate(&certificate, &world.resolver, &*world.provider, AT),
        Err(AttestError::ArtifactSuspended(_))
    ));
    world
        .submit(&mut state, &resolution(DisputeOutcome::Dismissed, 2))
        .unwrap();
    assert_eq!(state.artifact_status(&a), ArtifactStatus::Restored);
    state
        .verify_certificate(&certificate, &world.resolver, &*world.provider, AT)
        .unwrap();
    // Disputed again, then upheld: refused for good.
    let again = world.sign(
        &world.partners[1],
        0,
        0,
        3,
        Statement::Dispute { artifact: a },
    );
    world.submit(&mut state, &again).unwrap();
    world
        .submit(&mut state, &resolution(DisputeOutcome::Upheld, 3))
        .unwrap();
    assert_eq!(state.refused(), vec![a]);
    assert!(matches!(
        state.verify_certificate(&certificate, &world.resolver, &*world.provider, AT),
        Err(AttestError::ArtifactRefused(_))
    ));
}

#[test]
fn roster_change_only_by_lead_within_rules() {
    let world = World::new(Crypto::Ecdsa, 5, 1);
    let mut state = world.state();
    let add_outsider = Statement::RosterChange {
        add: vec![RosterEntry {
            authority: world.outsider.authority,
            role: Role::Supporting,
        }],
        remove: vec![],
    };
    let by_supporting = world.sign(&world.partners[1], 0, 0, 0, add_outsider.clone());
    assert!(matches!(
        world.submit(&mut state, &by_supporting),
        Err(AttestError::RoleViolation {
            statement: entente_attest::StatementKind::RosterChange,
            ..
        })
    ));
    let adds_lead = world.sign(
        &world.partners[0],
        0,
        0,
        0,
        Statement::RosterChange {
            add: vec![RosterEntry {
                authority: world.outsider.authority,
                role: Role::Lead,
            }],
            remove: vec![],
        },
    );
    assert!(matches!(
        world.submit(&mut state, &adds_lead),
        Err(AttestError::RosterChange(RosterChangeError::AddsLead))
    ));
    let removes_lead = world.sign(
        &world.partners[0],
        0,
        0,
        1,
        Statement::RosterChange {
            add: vec![],
            remove: vec![world.partners[0].authority],
        },
    );
    assert!(matches!(
        world.submit(&mut state, &removes_lead),
        Err(AttestError::RosterChange(RosterChangeError::RemovesLead))
    ));
    assert_eq!(state.threshold(), 4);
    let by_lead = world.sign(&world.partners[0], 0, 0, 2, add_outsider);
    world.submit(&mut state, &by_lead).unwrap();
    assert_eq!(
        state.roster().role(&world.outsider.authority),
        Some(Role::Supporting)
    );
    assert_eq!(state.threshold(), 5);
    // The minimum of three counting partners holds.
    let shrink = world.sign(
        &world.partners[0],
        0,
        0,
        3,
        Statement::RosterChange {
            add: vec![],
            remove: world.partners[1..5].iter().map(|p| p.authority).collect(),
        },
    );
    assert!(matches!(
        world.submit(&mut state, &shrink),
        Err(AttestError::RosterChange(
            RosterChangeError::TooFewCounting {
                count: 2,
                minimum: 3
            }
        ))
    ));
}

#[test]
fn frozen_roster_refuses_changes() {
    let world = World::new(Crypto::Ecdsa, 4, 0);
    let mut declaration = world.declaration.declaration().clone();
    declaration.roster_changes = RosterChangeRules::FROZEN;
    let bytes = declaration
        .sign(&*world.declarer.keys[0].0, &world.declarer.kid(0))
        .unwrap();
    let verified =
        VerifiedDeclaration::verify(&bytes, &world.resolver, &*world.provider, AT).unwrap();
    let mut state = entente_attest::OperationState::new(verified);
    let change = world.sign(
        &world.partners[0],
        0,
        0,
        0,
        Statement::RosterChange {
            add: vec![],
            remove: vec![world.partners[3].authority],
        },
    );
    assert!(matches!(
        world.submit(&mut state, &change),
        Err(AttestError::RosterChange(
            RosterChangeError::RemoveNotAllowed
        ))
    ));
}

/// A look-alike of an endorsement with one field too many.
#[derive(serde::Serialize, serde::Deserialize)]
struct Padded {
    operation: entente_core::OperationId,
    epoch: u64,
    slot: u64,
    author: entente_core::AuthorityId,
    statement: std::collections::BTreeMap<String, PaddedEndorsement>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PaddedEndorsement {
    artifact: entente_core::ArtifactId,
    weight: u64,
}

impl Document for Padded {
    const CONTENT_TYPE: &'static str = entente_attest::Attestation::CONTENT_TYPE;
}

#[test]
fn unknown_field_in_statement_rejected() {
    let world = World::new(Crypto::Ecdsa, 4, 0);
    let p1 = &world.partners[1];
    let padded = Padded {
        operation: world.operation,
        epoch: 0,
        slot: 0,
        author: p1.authority,
        statement: [(
            "endorsement".to_owned(),
            PaddedEndorsement {
                artifact: artifact("a"),
                weight: 100,
            },
        )]
        .into(),
    };
    let bytes = cose::sign1(&padded, &*p1.keys[0].0, &p1.kid(0)).unwrap();
    let refused = world.verify(&bytes).unwrap_err();
    assert!(matches!(
        refused,
        AttestError::Envelope(CoseError::Payload(_))
    ));
    assert!(refused.to_string().contains("weight"), "{refused}");
}

#[test]
fn declaration_round_trip_accepted() {
    let world = World::new(Crypto::Ecdsa, 4, 1);
    let declaration: &OperationDeclaration = world.declaration.declaration();
    assert_eq!(declaration.roster.len(), 5);
    assert_eq!(
        world.declaration.roster().lead(),
        world.partners[0].authority
    );
    assert_eq!(world.declaration.roster().counting(), 4);
    assert_eq!(
        world.declaration.artifact_id(),
        Envelope::from_slice(&world.declaration_bytes)
            .unwrap()
            .artifact_id()
    );
}

#[test]
fn second_handoff_in_an_epoch_is_equivocation() {
    let world = World::new(Crypto::Ecdsa, 4, 0);
    let mut state = world.state();
    let to_one = handoff(&world, 1, true);
    let to_two = handoff(&world, 2, true);
    world.submit(&mut state, &to_one).unwrap();
    let Err(AttestError::Equivocation(proof)) = world.submit(&mut state, &to_two) else {
        panic!("two handoffs accepted");
    };
    assert_eq!(proof.authority(), world.partners[0].authority);
    assert_eq!(proof.slot(), HANDOFF_SLOT);
    // The excluded lead's handoff no longer completes, whatever the endorsements.
    for p in &world.partners[2..4] {
        let endorsement = world.endorse(p, 0, HANDOFF_SLOT, handoff_id(&to_one));
        assert_eq!(
            world.submit(&mut state, &endorsement).unwrap(),
            Ingested::Recorded
        );
    }
    assert_eq!(state.epoch(), 0);
    assert_eq!(state.lead(), world.partners[0].authority);
}
