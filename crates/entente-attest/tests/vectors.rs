//! Committed envelopes under `tests/vectors/{valid,invalid}/<scenario>/`,
//! each with a `README.txt` saying what it is and why it must pass or fail.
//!
//! The envelopes are made with deterministic ES256 (RFC 6979) from the test
//! world's derived keys, so this test also regenerates each one and checks
//! the committed bytes still match: a format change shows up as a diff.
//! Set `ENTENTE_REGENERATE_VECTORS=1` to rewrite them after an intended change.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::path::PathBuf;

use common::{Crypto, World, artifact};
use entente_attest::{
    AttestError, HANDOFF_SLOT, Ingested, Role, Statement, VerifiedDeclaration, cosign_handoff,
};
use entente_core::CoseError;

/// A scenario: its directory, its envelope, and the verdict it must get.
struct Vector {
    dir: &'static str,
    about: &'static str,
    bytes: Vec<u8>,
    check: fn(&World, Result<Ingested, AttestError>),
}

fn vectors(world: &World) -> Vec<Vector> {
    let (lead, p1, p2) = (&world.partners[0], &world.partners[1], &world.partners[2]);
    let endorse_a = Statement::Endorsement {
        artifact: artifact("a"),
    };
    let handoff = world.sign(
        lead,
        0,
        0,
        HANDOFF_SLOT,
        Statement::Handoff {
            incoming: p1.authority,
        },
    );
    let (key, kid) = &p1.keys[0];
    vec![
        Vector {
            dir: "valid/endorsement",
            about: "A supporting partner endorses artifact SHA-256(\"a\") in epoch 0, slot 0, \
                    with its first attester credential. Must verify and be recorded.",
            bytes: world.sign(p1, 0, 0, 0, endorse_a.clone()),
            check: |_, r| assert_eq!(r.unwrap(), Ingested::Recorded),
        },
        Vector {
            dir: "valid/handoff",
            about: "A COSE_Sign handoff of the lead role from the lead to partner 1, signed by \
                    the lead and co-signed by partner 1. Must verify and be recorded (it \
                    completes only with a quorum of endorsements).",
            bytes: cosign_handoff(&handoff, &**key, kid).unwrap(),
            check: |_, r| assert_eq!(r.unwrap(), Ingested::Recorded),
        },
        Vector {
            dir: "invalid/handoff-without-incoming-signature",
            about: "The same handoff without partner 1's co-signature. Must be refused: the \
                    incoming lead did not consent.",
            bytes: handoff.clone(),
            check: |_, r| assert!(matches!(r, Err(AttestError::MissingIncomingLeadSignature))),
        },
        Vector {
            dir: "invalid/impersonated-author",
            about: "Partner 1's credential signs an endorsement that names partner 2 as its \
                    author. Must be refused: the author is not the signer's authority.",
            bytes: world
                .attestation(p2, 0, 0, endorse_a.clone())
                .sign(&*p1.keys[0].0, &p1.kid(0))
                .unwrap(),
            check: |_, r| assert!(matches!(r, Err(AttestError::SignerNotAuthor { .. }))),
        },
        Vector {
            dir: "invalid/impersonated-kid",
            about: "Partner 1's key signs an endorsement by partner 2 under partner 2's kid. \
                    Must be refused: the signature does not verify under partner 2's key.",
            bytes: world
                .attestation(p2, 0, 0, endorse_a.clone())
                .sign(&*p1.keys[0].0, &p2.kid(0))
                .unwrap(),
            check: |_, r| {
                assert!(matches!(
                    r,
                    Err(AttestError::Envelope(CoseError::Signature { .. }))
                ))
            },
        },
        Vector {
            dir: "invalid/observer-contribution",
            about: "An observer contributes an asset. Must be refused: observers observe and \
                    endorse only.",
            bytes: world.sign(
                &world.observers[0],
                0,
                0,
                1,
                Statement::Contribution {
                    policy: artifact("policy"),
                    assets: vec![artifact("asset")],
                },
            ),
            check: |_, r| {
                assert!(matches!(
                    r,
                    Err(AttestError::RoleViolation {
                        role: Role::Observing,
                        ..
                    })
                ))
            },
        },
        Vector {
            dir: "invalid/future-epoch",
            about: "An endorsement for epoch 1 while the operation is in epoch 0. Must be \
                    refused until a handoff moves the operation on.",
            bytes: world.sign(p1, 0, 1, 0, endorse_a),
            check: |_, r| {
                assert!(matches!(
                    r,
                    Err(AttestError::FutureEpoch {
                        current: 0,
                        found: 1
                    })
                ))
            },
        },
    ]
}

const PROVENANCE: &str = "Made by tests/vectors.rs with deterministic ES256 (RFC 6979) from \
                          the test world's derived keys; regenerate with \
                          ENTENTE_REGENERATE_VECTORS=1.";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

#[test]
fn committed_vectors_get_their_verdicts() {
    let world = World::new(Crypto::Ecdsa, 4, 1);
    let regenerate = std::env::var_os("ENTENTE_REGENERATE_VECTORS").is_some();
    let declaration = root().join("valid/declaration");
    if regenerate {
        std::fs::create_dir_all(&declaration).unwrap();
        std::fs::write(declaration.join("envelope.cbor"), &world.declaration_bytes).unwrap();
        std::fs::write(
            declaration.join("README.txt"),
            "The operation declaration of the test world: four partners (the first leads), \
             one observer, the two-thirds rule, signed by the declarer's operation-declarer \
             credential. Must verify.\n\n"
                .to_owned()
                + PROVENANCE
                + "\n",
        )
        .unwrap();
    }
    let committed = std::fs::read(declaration.join("envelope.cbor")).unwrap();
    assert_eq!(
        committed, world.declaration_bytes,
        "valid/declaration drifted"
    );
    VerifiedDeclaration::verify(&committed, &world.resolver, &*world.provider, common::AT).unwrap();

    for vector in vectors(&world) {
        let dir = root().join(vector.dir);
        if regenerate {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("envelope.cbor"), &vector.bytes).unwrap();
            std::fs::write(
                dir.join("README.txt"),
                format!("{}\n\n{PROVENANCE}\n", vector.about),
            )
            .unwrap();
        }
        let committed = std::fs::read(dir.join("envelope.cbor")).unwrap();
        assert_eq!(committed, vector.bytes, "{} drifted", vector.dir);
        assert!(
            dir.join("README.txt").is_file(),
            "{} has no README.txt",
            vector.dir
        );
        let mut state = world.state();
        (vector.check)(&world, world.submit(&mut state, &committed));
    }
}
