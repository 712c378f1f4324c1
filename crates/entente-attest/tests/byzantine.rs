//! A seeded byzantine simulation.
//!
//! Each run draws n counting partners (4 to 13), up to two observers, and
//! f = ⌊(n−1)/3⌋ byzantine supporting partners. The honest partners endorse
//! one artifact per (epoch, slot), hand the lead to a random honest partner,
//! do the same in the next epoch, and one of them disputes an earlier
//! decision that the dispute authority then resolves. The byzantine partners
//! pick, per decision, to behave, withhold, equivocate, endorse a
//! conflicting artifact, sign garbage, impersonate another partner (their
//! key with the other's authority, or the other's kid with their key),
//! endorse with two keys, attempt lead-only statements, and replay the
//! previous epoch. Every phase is delivered in a random order.
//!
//! Asserted in every run: no two artifacts are certified for one (epoch,
//! slot); the honest artifact is certified for every decision and the
//! handoff completes; every misbehaviour ends in a typed refusal or in an
//! equivocation proof that a third party verifies; conflicting certificates
//! never verify.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::collections::BTreeMap;

use common::{AT, Crypto, Party, World, artifact};
use entente_attest::{
    ArtifactStatus, AttestError, DisputeOutcome, HANDOFF_SLOT, QuorumCertificate, Role,
    RosterEntry, Statement, cosign_handoff,
};
use entente_core::{ArtifactId, CoseError, Envelope};

/// SplitMix64 (Steele, Lea, Flood 2014): small, seedable, good enough for schedules.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// What a message's delivery must end in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// An honest statement: accepted.
    Accepted,
    /// Misbehaviour that no single partner can detect (a conflicting
    /// endorsement, a second key): accepted or refused, never counted.
    Undetectable,
    /// Half of the equivocating pair with this number: accepted first,
    /// then proven (or refused as stale when a handoff came between).
    Equivocation(u32),
    /// Garbage: the envelope does not verify.
    Garbage,
    /// The statement names another author than its signer.
    ImpersonatedAuthor,
    /// The statement claims another partner's kid.
    ImpersonatedKid,
    /// A statement the author's role may not make.
    RoleViolation,
    /// A statement for an epoch that ended.
    Stale,
}

struct Message {
    bytes: Vec<u8>,
    expect: Expect,
}

const SLOTS: u64 = 3;

fn honest_artifact(epoch: u64, slot: u64) -> ArtifactId {
    artifact(&format!("honest/{epoch}/{slot}"))
}

fn conflicting_artifact(epoch: u64, slot: u64) -> ArtifactId {
    artifact(&format!("conflict/{epoch}/{slot}"))
}

struct Run<'w> {
    world: &'w World,
    rng: SplitMix64,
    byzantine: Vec<usize>,
    counts: BTreeMap<&'static str, usize>,
    pairs: u32,
}

impl Run<'_> {
    fn is_byzantine(&self, index: usize) -> bool {
        self.byzantine.contains(&index)
    }

    fn honest_partners(&self) -> Vec<usize> {
        (0..self.world.partners.len())
            .filter(|i| !self.is_byzantine(*i))
            .collect()
    }

    fn garbage(&mut self, epoch: u64, slot: u64, who: &Party) -> Vec<u8> {
        match self.rng.below(3) {
            0 => (0..self.rng.below(200))
                .map(|_| self.rng.next() as u8)
                .collect(),
            1 => {
                // A valid envelope with one byte flipped.
                let mut bytes =
                    self.world
                        .endorse(who, epoch, slot, conflicting_artifact(epoch, slot));
                let at = self.rng.below(bytes.len());
                bytes[at] ^= 1 << self.rng.below(8);
                bytes
            }
            _ => {
                // A valid envelope, truncated.
                let bytes = self
                    .world
                    .endorse(who, epoch, slot, honest_artifact(epoch, slot));
                bytes[..self.rng.below(bytes.len())].to_vec()
            }
        }
    }

    /// One byzantine partner's messages for one decision.
    fn misbehave(
        &mut self,
        index: usize,
        epoch: u64,
        slot: u64,
        target: ArtifactId,
        out: &mut Vec<Message>,
    ) {
        let world = self.world;
        let who = &world.partners[index];
        let conflict = conflicting_artifact(epoch, slot);
        let choice = self.rng.below(9);
        let name = [
            "behave",
            "withhold",
            "equivocate",
            "conflict",
            "garbage",
            "impersonate-author",
            "impersonate-kid",
            "two-keys",
            "role-violation",
        ][choice];
        *self.counts.entry(name).or_default() += 1;
        let key = self.rng.below(2);
        match choice {
            0 => out.push(Message {
                bytes: world.sign(
                    who,
                    key,
                    epoch,
                    slot,
                    Statement::Endorsement { artifact: target },
                ),
                expect: Expect::Undetectable,
            }),
            1 => {}
            2 => {
                self.pairs += 1;
                for artifact in [target, conflict] {
                    let key = self.rng.below(2);
                    out.push(Message {
                        bytes: world.sign(
                            who,
                            key,
                            epoch,
                            slot,
                            Statement::Endorsement { artifact },
                        ),
                        expect: Expect::Equivocation(self.pairs),
                    });
                }
            }
            3 => out.push(Message {
                bytes: world.sign(
                    who,
                    key,
                    epoch,
                    slot,
                    Statement::Endorsement { artifact: conflict },
                ),
                expect: Expect::Undetectable,
            }),
            4 => out.push(Message {
                bytes: self.garbage(epoch, slot, who),
                expect: Expect::Garbage,
            }),
            5 => {
                let honest = self.honest_partners();
                let victim = &world.partners[honest[self.rng.below(honest.len())]];
                let (signer, kid) = &who.keys[key];
                let bytes = world
                    .attestation(
                        victim,
                        epoch,
                        slot,
                        Statement::Endorsement { artifact: conflict },
                    )
                    .sign(&**signer, kid)
                    .unwrap();
                out.push(Message {
                    bytes,
                    expect: Expect::ImpersonatedAuthor,
                });
            }
            6 => {
                let honest = self.honest_partners();
                let victim = &world.partners[honest[self.rng.below(honest.len())]];
                let (signer, _) = &who.keys[key];
                let bytes = world
                    .attestation(
                        victim,
                        epoch,
                        slot,
                        Statement::Endorsement { artifact: conflict },
                    )
                    .sign(&**signer, &victim.kid(0))
                    .unwrap();
                out.push(Message {
                    bytes,
                    expect: Expect::ImpersonatedKid,
                });
            }
            7 => {
                for key in 0..2 {
                    out.push(Message {
                        bytes: world.sign(
                            who,
                            key,
                            epoch,
                            slot,
                            Statement::Endorsement { artifact: conflict },
                        ),
                        expect: Expect::Undetectable,
                    });
                }
            }
            _ => {
                // Lead-only and dispute-authority-only statements, in a slot
                // of their own so they cannot be mistaken for equivocation.
                let slot = 1000 + slot % 1000;
                let statement = match self.rng.below(3) {
                    0 => Statement::RosterChange {
                        add: vec![RosterEntry {
                            authority: world.outsider.authority,
                            role: Role::Supporting,
                        }],
                        remove: vec![],
                    },
                    1 => Statement::DisputeResolution {
                        artifact: honest_artifact(epoch, 0),
                        outcome: DisputeOutcome::Upheld,
                    },
                    _ => Statement::Handoff {
                        incoming: who.authority,
                    },
                };
                let slot = if matches!(statement, Statement::Handoff { .. }) {
                    HANDOFF_SLOT
                } else {
                    slot
                };
                out.push(Message {
                    bytes: world.sign(who, key, epoch, slot, statement),
                    expect: Expect::RoleViolation,
                });
            }
        }
    }

    /// The messages of one decision: honest endorsements, observers, byzantine noise.
    fn decision(
        &mut self,
        epoch: u64,
        slot: u64,
        target: ArtifactId,
        skip: Option<usize>,
        out: &mut Vec<Message>,
    ) {
        let world = self.world;
        for index in 0..world.partners.len() {
            if Some(index) == skip {
                continue;
            }
            if self.is_byzantine(index) {
                self.misbehave(index, epoch, slot, target, out);
            } else {
                let key = self.rng.below(2);
                out.push(Message {
                    bytes: world.sign(
                        &world.partners[index],
                        key,
                        epoch,
                        slot,
                        Statement::Endorsement { artifact: target },
                    ),
                    expect: Expect::Accepted,
                });
            }
        }
        for observer in &world.observers {
            // Observers endorse; half the time the conflicting artifact.
            let artifact = if self.rng.below(2) == 0 {
                target
            } else {
                conflicting_artifact(epoch, slot)
            };
            let statement = Statement::Endorsement { artifact };
            out.push(Message {
                bytes: world.sign(observer, 0, epoch, slot, statement),
                expect: Expect::Undetectable,
            });
        }
    }
}

struct Outcome {
    /// Detectable misbehaviours delivered (each must be refused or proven).
    misbehaviours: usize,
    /// Equivocation proofs produced and verified by a third party.
    proofs: usize,
    /// Equivocating pairs of which one half was refused.
    caught: std::collections::BTreeSet<u32>,
}

/// Delivers `messages` and checks each outcome against its expectation.
fn deliver(
    world: &World,
    state: &mut entente_attest::OperationState,
    messages: &[Message],
    outcome: &mut Outcome,
    log: &mut Vec<(Vec<u8>, bool)>,
) {
    for message in messages {
        let result = world.submit(state, &message.bytes);
        if !matches!(message.expect, Expect::Accepted | Expect::Undetectable) {
            outcome.misbehaviours += 1;
        }
        if let (Expect::Equivocation(pair), Err(_)) = (message.expect, &result) {
            outcome.caught.insert(pair);
        }
        let ok = match (message.expect, &result) {
            (Expect::Accepted, Ok(_)) => true,
            (Expect::Undetectable, Ok(_) | Err(AttestError::Excluded { .. })) => true,
            (Expect::Equivocation(_), Ok(_) | Err(AttestError::Excluded { .. })) => true,
            (Expect::Equivocation(_), Err(AttestError::Equivocation(proof))) => {
                // A third party (the resolver alone) verifies the proof.
                let verified = proof
                    .proof()
                    .verify(&world.resolver, &*world.provider, AT)
                    .unwrap();
                assert_eq!(verified.authority(), proof.authority());
                outcome.proofs += 1;
                true
            }
            (Expect::Garbage, Err(AttestError::Envelope(_) | AttestError::Resolve { .. })) => true,
            (Expect::ImpersonatedAuthor, Err(AttestError::SignerNotAuthor { .. })) => true,
            (Expect::ImpersonatedKid, Err(AttestError::Envelope(CoseError::Signature { .. }))) => {
                true
            }
            (
                Expect::RoleViolation,
                Err(
                    AttestError::RoleViolation { .. }
                    | AttestError::NotDisputeAuthority(_)
                    | AttestError::MissingIncomingLeadSignature
                    | AttestError::Excluded { .. },
                ),
            ) => true,
            (Expect::Stale, Err(AttestError::StaleEpoch { .. })) => true,
            _ => false,
        };
        assert!(ok, "{:?} ended in {result:?}", message.expect);
        log.push((message.bytes.clone(), result.is_ok()));
    }
}

fn run(
    seed: u64,
    crypto: Crypto,
    n_override: Option<usize>,
    worlds: &mut BTreeMap<(usize, usize), World>,
) -> (usize, usize, BTreeMap<&'static str, usize>) {
    let mut rng = SplitMix64(seed);
    let n = n_override.unwrap_or(4 + rng.below(10));
    let observers = rng.below(3);
    let f = (n - 1) / 3;
    let world = worlds.entry((n, observers)).or_insert_with(|| {
        let mut world = World::new(crypto, n, observers);
        world.caching = true;
        world
    });
    let world = &*world;
    // Byzantine partners among the supporting ones (the lead and the
    // incoming lead stay honest, so the handoff is live).
    let mut supporting: Vec<usize> = (1..n).collect();
    rng.shuffle(&mut supporting);
    let byzantine: Vec<usize> = supporting[..f].to_vec();
    let incoming = supporting[f..][rng.below(n - 1 - f)];
    let mut run = Run {
        world,
        rng,
        byzantine,
        counts: BTreeMap::new(),
        pairs: 0,
    };
    let mut state = world.state();
    let mut outcome = Outcome {
        misbehaviours: 0,
        proofs: 0,
        caught: std::collections::BTreeSet::new(),
    };
    let mut log = Vec::new();
    let threshold = state.threshold();
    assert_eq!(threshold, 2 * n / 3 + 1);

    // Epoch 0: decisions, then the handoff.
    let mut phase = Vec::new();
    for slot in 0..SLOTS {
        run.decision(0, slot, honest_artifact(0, slot), None, &mut phase);
    }
    phase.push(Message {
        bytes: world.sign(
            &world.partners[0],
            0,
            0,
            SLOTS,
            Statement::Contribution {
                policy: artifact("policy"),
                assets: vec![artifact("asset")],
            },
        ),
        expect: Expect::Accepted,
    });
    run.rng.shuffle(&mut phase);
    deliver(world, &mut state, &phase, &mut outcome, &mut log);
    let epoch0: Vec<Vec<u8>> = phase.iter().map(|m| m.bytes.clone()).collect();

    let handoff = world.sign(
        &world.partners[0],
        0,
        0,
        HANDOFF_SLOT,
        Statement::Handoff {
            incoming: world.partners[incoming].authority,
        },
    );
    let (key, kid) = &world.partners[incoming].keys[0];
    let handoff = cosign_handoff(&handoff, &**key, kid).unwrap();
    let handoff_id = Envelope::from_slice(&handoff).unwrap().artifact_id();
    let mut phase = vec![Message {
        bytes: handoff,
        expect: Expect::Accepted,
    }];
    run.decision(0, HANDOFF_SLOT, handoff_id, Some(0), &mut phase);
    run.rng.shuffle(&mut phase);
    // The handoff completes part-way through this phase, at the first
    // delivery that makes the quorum; whatever arrives after it is for an
    // ended epoch and must be refused as stale (or earlier, as garbage or
    // impersonation).
    let mut completed = false;
    for message in &phase {
        if completed {
            // After the handoff the epoch-0 messages are refused as stale.
            let result = world.submit(&mut state, &message.bytes);
            assert!(
                matches!(
                    result,
                    Err(AttestError::StaleEpoch { .. }
                        | AttestError::Envelope(_)
                        | AttestError::Resolve { .. }
                        | AttestError::SignerNotAuthor { .. }
                        | AttestError::MissingIncomingLeadSignature)
                ),
                "{:?} after handoff ended in {result:?}",
                message.expect
            );
            if !matches!(message.expect, Expect::Accepted | Expect::Undetectable) {
                outcome.misbehaviours += 1;
            }
            if let Expect::Equivocation(pair) = message.expect {
                outcome.caught.insert(pair);
            }
            continue;
        }
        let before = state.epoch();
        deliver(
            world,
            &mut state,
            std::slice::from_ref(message),
            &mut outcome,
            &mut log,
        );
        completed = state.epoch() != before;
    }
    assert!(completed, "seed {seed}: the handoff did not complete");
    assert_eq!(state.epoch(), 1);
    assert_eq!(state.lead(), world.partners[incoming].authority);

    // Epoch 1: decisions, a dispute, and replays of epoch 0.
    let mut phase = Vec::new();
    for slot in 0..SLOTS {
        run.decision(1, slot, honest_artifact(1, slot), None, &mut phase);
    }
    let disputer = run.honest_partners()[run.rng.below(n - f)];
    let disputed = honest_artifact(0, 0);
    phase.push(Message {
        bytes: world.sign(
            &world.partners[disputer],
            0,
            1,
            10,
            Statement::Dispute { artifact: disputed },
        ),
        expect: Expect::Accepted,
    });
    for _ in 0..1 + f {
        let replay = epoch0[run.rng.below(epoch0.len())].clone();
        if Envelope::from_slice(&replay).is_ok() && world.verify(&replay).is_ok() {
            phase.push(Message {
                bytes: replay,
                expect: Expect::Stale,
            });
        }
    }
    run.rng.shuffle(&mut phase);
    deliver(world, &mut state, &phase, &mut outcome, &mut log);
    assert_eq!(state.artifact_status(&disputed), ArtifactStatus::Suspended);
    let upheld = run.rng.below(2) == 0;
    let ruling = world.sign(
        &world.dispute,
        0,
        1,
        11,
        Statement::DisputeResolution {
            artifact: disputed,
            outcome: if upheld {
                DisputeOutcome::Upheld
            } else {
                DisputeOutcome::Dismissed
            },
        },
    );
    assert!(world.submit(&mut state, &ruling).is_ok());
    assert_eq!(
        state.artifact_status(&disputed),
        if upheld {
            ArtifactStatus::Refused
        } else {
            ArtifactStatus::Restored
        }
    );

    // Safety: at most one certified artifact per (epoch, slot), never a
    // conflicting one.
    let certified = state.certified();
    for pair in certified.windows(2) {
        assert!(
            (pair[0].epoch, pair[0].slot) != (pair[1].epoch, pair[1].slot),
            "seed {seed}: conflict certified"
        );
    }
    for decision in &certified {
        assert_ne!(
            decision.artifact,
            conflicting_artifact(decision.epoch, decision.slot)
        );
    }
    // Liveness: every honest decision is certified.
    for epoch in 0..2 {
        for slot in 0..SLOTS {
            assert!(
                state.is_certified(epoch, slot, &honest_artifact(epoch, slot)),
                "seed {seed}: ({epoch}, {slot})"
            );
        }
    }
    // Every equivocating pair had one half refused (proven, excluded, or
    // stale after a handoff).
    assert_eq!(
        outcome.caught.len(),
        run.pairs as usize,
        "seed {seed}: equivocation slipped through"
    );
    // Only byzantine partners are excluded (each proof was verified by a
    // third party when it was produced, in `deliver`), and every proof
    // produced is on record.
    let mut excluded = 0;
    for proof in state.exclusions() {
        assert!(
            run.byzantine
                .iter()
                .any(|i| world.partners[*i].authority == proof.authority())
        );
        excluded += 1;
    }
    assert!(excluded <= outcome.proofs && (outcome.proofs == 0 || excluded > 0));
    // Certificates: the honest one verifies; one assembled from every
    // accepted envelope for the conflicting artifact never does.
    let honest: Vec<Vec<u8>> = run
        .honest_partners()
        .iter()
        .map(|i| world.endorse(&world.partners[*i], 1, 0, honest_artifact(1, 0)))
        .collect();
    state
        .verify_certificate(
            &QuorumCertificate::new(honest),
            &world.resolver,
            &*world.provider,
            AT,
        )
        .unwrap();
    let conflict = conflicting_artifact(1, 0);
    let hostile: Vec<Vec<u8>> = log
        .iter()
        .filter(|(bytes, _)| {
            world.verify(bytes).is_ok_and(|v| {
                v.attestation().epoch == 1
                    && v.attestation().slot == 0
                    && v.attestation().statement == Statement::Endorsement { artifact: conflict }
            })
        })
        .map(|(bytes, _)| bytes.clone())
        .collect();
    if !hostile.is_empty() {
        let refused = state.verify_certificate(
            &QuorumCertificate::new(hostile),
            &world.resolver,
            &*world.provider,
            AT,
        );
        assert!(
            matches!(
                refused,
                Err(AttestError::QuorumNotReached { .. }
                    | AttestError::CertificateEndorsement { .. })
            ),
            "seed {seed}: {refused:?}"
        );
    }
    (outcome.misbehaviours, outcome.proofs, run.counts)
}

#[test]
fn byzantine_simulation_holds() {
    const RUNS: u64 = 500;
    let mut worlds = BTreeMap::new();
    let (mut misbehaviours, mut proofs) = (0, 0);
    let mut behaviours: BTreeMap<&str, usize> = BTreeMap::new();
    for seed in 0..RUNS {
        let (m, p, counts) = run(seed, Crypto::Mac, None, &mut worlds);
        misbehaviours += m;
        proofs += p;
        for (name, count) in counts {
            *behaviours.entry(name).or_default() += count;
        }
    }
    // Every byzantine behaviour was exercised.
    assert_eq!(behaviours.len(), 9, "{behaviours:?}");
    assert!(proofs > 0 && misbehaviours > proofs);
    println!(
        "byzantine simulation: {RUNS} runs (n = 4..=13, keyed-hash signatures), \
         {misbehaviours} detectable misbehaviours each refused or proven, {proofs} equivocation proofs verified; \
         byzantine choices per decision: {behaviours:?}"
    );
}

#[test]
fn byzantine_simulation_holds_with_es256() {
    let mut runs = 0;
    let mut worlds = BTreeMap::new();
    let (mut misbehaviours, mut proofs) = (0, 0);
    // Two runs for every n from 4 to 13, with other seeds than the
    // keyed-hash runs.
    for (seed, n) in (1_000u64..).zip((4..=13).flat_map(|n| [n, n])) {
        let (m, p, _) = run(seed, Crypto::Ecdsa, Some(n), &mut worlds);
        misbehaviours += m;
        proofs += p;
        runs += 1;
    }
    println!(
        "byzantine simulation: {runs} runs (n = 4..=13, ES256 signatures), \
         {misbehaviours} detectable misbehaviours each refused or proven, {proofs} equivocation proofs verified"
    );
}
