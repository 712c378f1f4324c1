//! Testing oracle for the fuzz target `attest_decode_and_quorum`: it takes
//! arbitrary bytes, must never panic, and asserts the quorum invariants.

use std::sync::OnceLock;

use entente_core::{
    ArtifactId, AuthorityId, Digest256, KeyKind, RustCryptoProvider, Signer as _, SigningKey,
    UnixTime, Validity,
};

use crate::{
    Attestation, CredentialPurpose, HANDOFF_SLOT, MemoryResolver, OperationDeclaration,
    OperationState, QuorumCertificate, QuorumRule, Role, RosterChangeRules, RosterEntry, Statement,
    VerifiedDeclaration, cosign_handoff, verify_attestation,
};

/// The time every oracle verification happens at.
const AT: UnixTime = UnixTime::from_secs(1_800_000_000);

/// Most envelopes one input is split into, so one input stays cheap.
const MAX_ENVELOPES: usize = 32;

/// `attest_decode_and_quorum`: the input is a sequence of envelopes, each
/// prefixed by its length as a big-endian `u16`. Each is verified and
/// ingested into a fresh state of a fixed four-partner operation, then all of
/// them are verified as one quorum certificate. Asserts: no two artifacts
/// are certified for one (epoch, slot); a certified decision counts no more
/// than the roster's counting partners; a certificate that verifies reached
/// its threshold with distinct counting authorities.
pub fn decode_and_quorum(data: &[u8]) {
    let Some(fixture) = fixture() else {
        return;
    };
    let provider = RustCryptoProvider;
    let envelopes = split(data);
    if let Some(first) = envelopes.first() {
        let _ = VerifiedDeclaration::verify(first, &fixture.resolver, &provider, AT);
    }
    if let Ok(proof) = crate::EquivocationProof::from_bytes(data) {
        if let Ok(verified) = proof.verify(&fixture.resolver, &provider, AT) {
            assert_ne!(
                proof.first(),
                proof.second(),
                "one envelope cannot prove equivocation"
            );
            let _ = verified.authority();
        }
    }
    let mut state = OperationState::new(fixture.declaration.clone());
    for envelope in &envelopes {
        if let Ok(verified) = verify_attestation(envelope, &fixture.resolver, &provider, AT) {
            let _ = state.ingest(&verified);
        }
    }
    let certified = state.certified();
    for pair in certified.windows(2) {
        if let [a, b] = pair {
            assert!(
                (a.epoch, a.slot) != (b.epoch, b.slot),
                "two artifacts certified for one decision"
            );
        }
    }
    for decision in &certified {
        let tally = state.tally(decision.epoch, decision.slot, &decision.artifact);
        assert!(tally.reached() && tally.counted <= state.roster().counting());
    }
    let certificate = QuorumCertificate::new(envelopes.iter().map(|e| e.to_vec()).collect());
    if let Ok(verified) = state.verify_certificate(&certificate, &fixture.resolver, &provider, AT) {
        let tally = verified.tally();
        assert!(tally.reached());
        assert!(tally.counted <= verified.endorsers().len());
        assert!(tally.counted <= state.roster().counting());
    }
}

fn split(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let [hi, lo, rest @ ..] = data {
        if out.len() == MAX_ENVELOPES {
            break;
        }
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(rest.len());
        let (envelope, tail) = rest.split_at(len);
        out.push(envelope);
        data = tail;
    }
    out
}

struct Fixture {
    resolver: MemoryResolver,
    declaration: VerifiedDeclaration,
    declaration_bytes: Vec<u8>,
    operation: entente_core::OperationId,
    partners: Vec<(AuthorityId, SigningKey, Digest256)>,
}

fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(build_fixture).as_ref()
}

fn build_fixture() -> Option<Fixture> {
    let mut resolver = MemoryResolver::new();
    let declarer_key = SigningKey::derive_from_seed(KeyKind::P256, b"oracle", "declarer").ok()?;
    let declarer = AuthorityId::from_spki_der(b"oracle/declarer");
    let declarer_kid = Digest256::sha256(b"oracle/declarer/kid");
    resolver.insert(
        declarer_kid,
        CredentialPurpose::OperationDeclarer,
        declarer,
        declarer_key.public_key().clone(),
    );
    let mut partners = Vec::new();
    let mut roster = Vec::new();
    for index in 0..5u8 {
        let label = format!("partner-{index}");
        let key = SigningKey::derive_from_seed(KeyKind::P256, b"oracle", &label).ok()?;
        let authority = AuthorityId::from_spki_der(label.as_bytes());
        let kid = Digest256::sha256_parts(&[label.as_bytes(), b"/kid"]);
        resolver.insert(
            kid,
            CredentialPurpose::Attester,
            authority,
            key.public_key().clone(),
        );
        let role = match index {
            0 => Role::Lead,
            4 => Role::Observing,
            _ => Role::Supporting,
        };
        roster.push(RosterEntry { authority, role });
        partners.push((authority, key, kid));
    }
    let declaration = OperationDeclaration::new(
        declarer,
        "oracle",
        roster,
        QuorumRule::TwoThirds,
        Validity {
            not_before: UnixTime::from_secs(0),
            not_after: UnixTime::from_secs(u64::MAX),
        },
        declarer,
        RosterChangeRules::FROZEN,
    );
    let operation = declaration.operation;
    let declaration_bytes = declaration.sign(&declarer_key, &declarer_kid).ok()?;
    let declaration =
        VerifiedDeclaration::verify(&declaration_bytes, &resolver, &RustCryptoProvider, AT).ok()?;
    Some(Fixture {
        resolver,
        declaration,
        declaration_bytes,
        operation,
        partners,
    })
}

/// Seed inputs for the fuzz target, in its framing: an equivocation proof in
/// transport form, endorsements reaching a quorum, an equivocation, observer
/// endorsements, a handoff with its quorum, and the declaration itself.
/// Empty if the fixture cannot be built.
pub fn seed_corpus() -> Vec<Vec<u8>> {
    let Some(fixture) = fixture() else {
        return Vec::new();
    };
    let sign = |index: usize, slot: u64, statement: Statement| -> Option<Vec<u8>> {
        let (author, key, kid) = fixture.partners.get(index)?;
        Attestation {
            operation: fixture.operation,
            epoch: 0,
            slot,
            author: *author,
            statement,
        }
        .sign(key, kid)
        .ok()
    };
    let artifact = |label: &[u8]| ArtifactId::from_digest(Digest256::sha256(label));
    let endorse = |index, slot, label: &[u8]| {
        sign(
            index,
            slot,
            Statement::Endorsement {
                artifact: artifact(label),
            },
        )
    };
    let frame = |envelopes: Vec<Option<Vec<u8>>>| -> Vec<u8> {
        let mut out = Vec::new();
        for envelope in envelopes.into_iter().flatten() {
            let len = u16::try_from(envelope.len()).unwrap_or(u16::MAX);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&envelope);
        }
        out
    };
    let handoff = fixture.partners.get(1).and_then(|(incoming, key, kid)| {
        let outgoing = sign(
            0,
            HANDOFF_SLOT,
            Statement::Handoff {
                incoming: *incoming,
            },
        )?;
        cosign_handoff(&outgoing, key, kid).ok()
    });
    let handoff_id = handoff
        .as_deref()
        .and_then(|bytes| entente_core::Envelope::from_slice(bytes).ok())
        .map(|envelope| envelope.artifact_id());
    let handoff_endorsement =
        handoff_id.and_then(|artifact| sign(2, HANDOFF_SLOT, Statement::Endorsement { artifact }));
    let proof = match (endorse(1, 0, b"a"), endorse(1, 0, b"b")) {
        (Some(one), Some(other)) => crate::EquivocationProof::new(one, other)
            .to_bytes()
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    vec![
        Vec::new(),
        proof,
        frame(vec![
            endorse(0, 0, b"a"),
            endorse(1, 0, b"a"),
            endorse(2, 0, b"a"),
        ]),
        frame(vec![
            endorse(1, 0, b"a"),
            endorse(1, 0, b"b"),
            endorse(2, 0, b"b"),
        ]),
        frame(vec![
            endorse(4, 0, b"a"),
            endorse(3, 0, b"a"),
            endorse(2, 0, b"a"),
        ]),
        frame(vec![handoff, handoff_endorsement, endorse(2, 1, b"c")]),
        frame(vec![
            Some(fixture.declaration_bytes.clone()),
            sign(
                3,
                2,
                Statement::Contribution {
                    policy: artifact(b"policy"),
                    assets: vec![artifact(b"asset")],
                },
            ),
            sign(
                3,
                3,
                Statement::Dispute {
                    artifact: artifact(b"a"),
                },
            ),
        ]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_corpus_runs_clean_and_certifies() {
        let seeds = seed_corpus();
        assert_eq!(seeds.len(), 7);
        for seed in &seeds {
            decode_and_quorum(seed);
        }
        // The third seed is three endorsements of one artifact.
        let fixture = fixture().unwrap();
        let mut state = OperationState::new(fixture.declaration.clone());
        for envelope in split(&seeds[2]) {
            let verified =
                verify_attestation(envelope, &fixture.resolver, &RustCryptoProvider, AT).unwrap();
            state.ingest(&verified).unwrap();
        }
        assert_eq!(state.certified().len(), 1);
    }

    #[test]
    fn mangled_inputs_do_not_panic() {
        let seeds = seed_corpus();
        for seed in &seeds {
            for cut in [0, 1, 2, 3, seed.len() / 2, seed.len().saturating_sub(1)] {
                decode_and_quorum(seed.get(..cut).unwrap_or_default());
            }
            let mut flipped = seed.clone();
            if let Some(byte) = flipped.get_mut(40) {
                *byte ^= 0x20;
            }
            decode_and_quorum(&flipped);
        }
        decode_and_quorum(&[0xff; 64]);
        decode_and_quorum(&[0x00, 0x05, 0xd2, 0x84, 0x40, 0xa0, 0xf6]);
    }

    #[test]
    fn split_bounds_lengths_to_the_input() {
        assert_eq!(split(&[0, 3, 1, 2]), vec![&[1u8, 2][..]]);
        assert_eq!(split(&[0, 1, 9, 0, 0]), vec![&[9u8][..], &[][..]]);
        assert!(split(&[7]).is_empty());
    }
}
