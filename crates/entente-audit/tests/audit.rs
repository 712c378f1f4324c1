//! End-to-end behaviour: checkpoints, witnesses, split views, bundles,
//! reconstruction.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use entente_audit::{
    BundleError, Checkpoint, EntryKind, FileLog, Fork, LogEntry, LogIdentity, MemoryTree, Note,
    ProofBundle, Reconstruction, SplitViewError, Witness, WitnessError, WitnessIdentity,
    WitnessPolicy, sign_checkpoint,
};
use entente_core::{
    AuthorityId, Digest256, KeyKind, OperationId, Signer as _, SigningKey, UnixTime,
    default_provider,
};

const ORIGIN: &str = "fr.example/audit";

fn authority(name: &str) -> AuthorityId {
    AuthorityId::from_digest(Digest256::sha256(name.as_bytes()))
}

fn key(label: &str) -> SigningKey {
    SigningKey::derive_from_seed(KeyKind::Ed25519, b"audit-tests", label).unwrap()
}

fn log_identity(k: &SigningKey) -> LogIdentity {
    LogIdentity::new(ORIGIN, k.public_key().clone(), authority("fr")).unwrap()
}

fn entry(i: u64, op: Option<OperationId>) -> Vec<u8> {
    LogEntry {
        kind: if i % 5 == 4 {
            EntryKind::IntegrityEvent
        } else {
            EntryKind::Admitted
        },
        time: UnixTime::from_secs(1_000 + i),
        recorder: authority("fr"),
        operation: op,
        artifacts: vec![entente_core::ArtifactId::from_digest(Digest256::sha256(
            &i.to_be_bytes(),
        ))],
        authorities: vec![authority("de")],
        reason: if i % 5 == 4 {
            "rollback".into()
        } else {
            "admitted".into()
        },
        evidence: vec![],
    }
    .to_bytes()
    .unwrap()
}

fn tree_of(n: u64) -> MemoryTree {
    let mut t = MemoryTree::new();
    for i in 0..n {
        t.push(&entry(i, None)).unwrap();
    }
    t
}

fn checkpoint(k: &SigningKey, size: u64, root: Digest256) -> Vec<u8> {
    let cp = Checkpoint {
        origin: ORIGIN.into(),
        size,
        root,
        extensions: vec![],
    };
    sign_checkpoint(&cp, k).unwrap().to_bytes()
}

fn witnesses() -> Vec<(SigningKey, WitnessIdentity)> {
    [
        ("w1.de", "de"),
        ("w2.de", "de"),
        ("w3.uk", "uk"),
        ("w4.nl", "nl"),
    ]
    .iter()
    .map(|(name, auth)| {
        let k = key(name);
        let id = WitnessIdentity::new(name, k.public_key().clone(), authority(auth)).unwrap();
        (k, id)
    })
    .collect()
}

#[test]
fn witness_cosigns_consistent_growth_and_cosignature_verifies() {
    let lk = key("log");
    let (wk, wid) = &witnesses()[0];
    let mut w = Witness::new(&wid.name, wk, default_provider()).unwrap();
    w.add_log(log_identity(&lk));
    let t = tree_of(20);
    let first = checkpoint(&lk, 7, t.root_at(7).unwrap());
    let line = w.cosign(&first, &[], UnixTime::from_secs(5)).unwrap();
    let mut note = Note::parse(&first).unwrap();
    note.push_signature(line).unwrap();
    assert_eq!(
        wid.verify(default_provider(), &note).unwrap(),
        UnixTime::from_secs(5)
    );
    let second = checkpoint(&lk, 20, t.root());
    let proof = t.consistency_proof(7, 20).unwrap();
    w.cosign(&second, &proof, UnixTime::from_secs(6)).unwrap();
    assert_eq!(w.state(ORIGIN).unwrap().size, 20);
}

#[test]
fn witness_refuses_inconsistent_checkpoint() {
    let lk = key("log");
    let (wk, wid) = &witnesses()[0];
    let mut w = Witness::new(&wid.name, wk, default_provider()).unwrap();
    w.add_log(log_identity(&lk));
    let honest = tree_of(10);
    w.cosign(
        &checkpoint(&lk, 10, honest.root()),
        &[],
        UnixTime::from_secs(1),
    )
    .unwrap();

    // The log rewrites entry 3 and grows to 16: no valid consistency proof exists.
    let mut forked = MemoryTree::new();
    for i in 0..16 {
        let e = if i == 3 {
            b"rewritten".to_vec()
        } else {
            entry(i, None)
        };
        forked.push(&e).unwrap();
    }
    let bad = checkpoint(&lk, 16, forked.root());
    let proof = forked.consistency_proof(10, 16).unwrap();
    let err = w.cosign(&bad, &proof, UnixTime::from_secs(2)).unwrap_err();
    // The log's own proof is authentic for the new root and implies another
    // root for size 10: the witness turns it into a split-view proof.
    let WitnessError::SplitView(proof) = err else {
        panic!("expected split view, got {err:?}")
    };
    let view = proof
        .verify(default_provider(), &log_identity(&lk))
        .unwrap();
    assert_eq!((view.old_size, view.new_size), (10, 16));
    assert_eq!(w.state(ORIGIN).unwrap().size, 10, "state must not advance");

    // A garbage proof is refused without a (false) split-view claim.
    let err = w
        .cosign(&bad, &[Digest256::sha256(b"junk")], UnixTime::from_secs(3))
        .unwrap_err();
    assert!(
        matches!(err, WitnessError::BadConsistencyProof(_)),
        "{err:?}"
    );

    // Rollback is refused.
    let old = checkpoint(&lk, 4, honest.root_at(4).unwrap());
    let err = w.cosign(&old, &[], UnixTime::from_secs(4)).unwrap_err();
    assert_eq!(err, WitnessError::Rollback { last: 10, new: 4 });
}

#[test]
fn witness_refuses_checkpoint_of_unknown_log_or_forged_signature() {
    let lk = key("log");
    let (wk, wid) = &witnesses()[0];
    let mut w = Witness::new(&wid.name, wk, default_provider()).unwrap();
    let cp = checkpoint(&lk, 1, tree_of(1).root());
    assert_eq!(
        w.cosign(&cp, &[], UnixTime::from_secs(1)).unwrap_err(),
        WitnessError::UnknownLog
    );
    w.add_log(log_identity(&lk));
    let forged = checkpoint(&key("mallory"), 1, tree_of(1).root());
    assert!(matches!(
        w.cosign(&forged, &[], UnixTime::from_secs(1)).unwrap_err(),
        WitnessError::Checkpoint(_)
    ));
}

#[test]
fn split_view_detected_and_provable() {
    let lk = key("log");
    let log = log_identity(&lk);
    let (wk, wid) = &witnesses()[0];
    let mut w = Witness::new(&wid.name, wk, default_provider()).unwrap();
    w.add_log(log.clone());
    let a = tree_of(8);
    let mut b = tree_of(7);
    b.push(b"the other view").unwrap();
    w.cosign(&checkpoint(&lk, 8, a.root()), &[], UnixTime::from_secs(1))
        .unwrap();
    let err = w
        .cosign(&checkpoint(&lk, 8, b.root()), &[], UnixTime::from_secs(2))
        .unwrap_err();
    let WitnessError::SplitView(proof) = err else {
        panic!("expected split view")
    };
    // A third party with only the log's identity checks it.
    let view = proof.verify(default_provider(), &log).unwrap();
    assert_eq!(view.old_size, 8);
    // It becomes an integrity event whose evidence still verifies.
    let event = proof
        .to_entry(authority("de"), authority("fr"), UnixTime::from_secs(3))
        .unwrap();
    assert_eq!(event.kind, EntryKind::IntegrityEvent);
    let event = LogEntry::from_bytes(&event.to_bytes().unwrap()).unwrap();
    let again = entente_audit::SplitViewProof::from_entry(&event).unwrap();
    assert_eq!(again.verify(default_provider(), &log).unwrap(), view);
    assert_ne!(view.signed_root, view.conflicting_root);
    // It cannot be forged: under another log key the notes do not verify ...
    let other =
        LogIdentity::new(ORIGIN, key("other").public_key().clone(), authority("fr")).unwrap();
    assert!(matches!(
        proof.verify(default_provider(), &other),
        Err(SplitViewError::Checkpoint(_))
    ));
    // ... and two consistent checkpoints are no split view.
    let t = tree_of(12);
    let honest = entente_audit::SplitViewProof {
        first: checkpoint(&lk, 5, t.root_at(5).unwrap()),
        second: checkpoint(&lk, 12, t.root()),
        prefix_proof: t.prefix_proof(5, 12).unwrap(),
    };
    assert_eq!(
        honest.verify(default_provider(), &log).unwrap_err(),
        SplitViewError::Consistent
    );
    // Prefix-form proofs also cover power-of-two sizes.
    let forked = {
        let mut f = MemoryTree::new();
        for i in 0..12 {
            f.push(&if i == 1 {
                b"x".to_vec()
            } else {
                entry(i, None)
            })
            .unwrap();
        }
        f
    };
    let pow2 = entente_audit::SplitViewProof {
        first: checkpoint(&lk, 4, t.root_at(4).unwrap()),
        second: checkpoint(&lk, 12, forked.root()),
        prefix_proof: forked.prefix_proof(4, 12).unwrap(),
    };
    assert_eq!(pow2.verify(default_provider(), &log).unwrap().old_size, 4);
}

fn cosigned(lk: &SigningKey, size: u64, root: Digest256, signers: &[usize]) -> Vec<u8> {
    let ws = witnesses();
    let bytes = checkpoint(lk, size, root);
    let mut note = Note::parse(&bytes).unwrap();
    for &i in signers {
        let (k, id) = &ws[i];
        note.push_signature(
            entente_audit::cosign(&id.name, k, UnixTime::from_secs(9), note.text()).unwrap(),
        )
        .unwrap();
    }
    note.to_bytes()
}

fn policy(threshold: usize) -> WitnessPolicy {
    WitnessPolicy {
        witnesses: witnesses().into_iter().map(|(_, id)| id).collect(),
        threshold,
    }
}

#[test]
fn witness_policy_counts_distinct_authorities_not_keys() {
    let lk = key("log");
    let t = tree_of(3);
    let log = log_identity(&lk);
    // w1 and w2 are both "de": two keys, one authority.
    let note = cosigned(&lk, 3, t.root(), &[0, 1]);
    let verified = log.verify(default_provider(), &note).unwrap();
    assert_eq!(
        policy(2).check(default_provider(), &verified).unwrap_err(),
        BundleError::TooFewWitnesses {
            found: 1,
            needed: 2
        }
    );
    let note = cosigned(&lk, 3, t.root(), &[0, 2]);
    let verified = log.verify(default_provider(), &note).unwrap();
    assert_eq!(
        policy(2)
            .check(default_provider(), &verified)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn proof_bundle_round_trips_and_verifies_offline() {
    let dir = tempfile::tempdir().unwrap();
    let lk = key("log");
    let mut log = FileLog::open(dir.path()).unwrap();
    let entries: Vec<Vec<u8>> = (0..13).map(|i| entry(i, None)).collect();
    log.append_batch(&entries).unwrap();
    let note = cosigned(&lk, 13, log.root(), &[0, 2, 3]);
    let bundle = ProofBundle::from_log(&log, 6, 13, note).unwrap();
    let text = bundle.to_bytes();
    assert!(text.starts_with(b"c2sp.org/tlog-proof@v1\nindex 6\n"));
    let parsed = ProofBundle::parse(&text).unwrap();
    assert_eq!(parsed, bundle);
    let v = parsed
        .verify(
            default_provider(),
            &entries[6],
            &log_identity(&lk),
            &policy(3),
        )
        .unwrap();
    assert_eq!(v.index, 6);
    assert_eq!(v.witnesses.len(), 3);
}

#[test]
fn tampered_entry_fails_inclusion() {
    let lk = key("log");
    let t = tree_of(9);
    let note = cosigned(&lk, 9, t.root(), &[2]);
    let bundle = ProofBundle {
        extra: Some(b"ctx".to_vec()),
        index: 4,
        proof: t.inclusion_proof(4, 9).unwrap(),
        checkpoint: note,
    };
    let mut tampered = entry(4, None);
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let err = bundle
        .verify(
            default_provider(),
            &tampered,
            &log_identity(&lk),
            &policy(1),
        )
        .unwrap_err();
    assert!(matches!(err, BundleError::Inclusion(_)), "{err:?}");
    // The untampered entry passes, and at another index it fails.
    bundle
        .verify(
            default_provider(),
            &entry(4, None),
            &log_identity(&lk),
            &policy(1),
        )
        .unwrap();
    let moved = ProofBundle { index: 5, ..bundle };
    assert!(
        moved
            .verify(
                default_provider(),
                &entry(4, None),
                &log_identity(&lk),
                &policy(1)
            )
            .is_err()
    );
}

fn good_bundle_text() -> String {
    let lk = key("log");
    let t = tree_of(5);
    let bundle = ProofBundle {
        extra: None,
        index: 2,
        proof: t.inclusion_proof(2, 5).unwrap(),
        checkpoint: cosigned(&lk, 5, t.root(), &[]),
    };
    String::from_utf8(bundle.to_bytes()).unwrap()
}

#[test]
fn bundle_without_header_rejected() {
    let text = good_bundle_text().replacen("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2", 1);
    assert_eq!(
        ProofBundle::parse(text.as_bytes()).unwrap_err(),
        BundleError::MissingHeader
    );
}

#[test]
fn bundle_with_non_canonical_index_rejected() {
    let text = good_bundle_text().replacen("index 2", "index 02", 1);
    assert_eq!(
        ProofBundle::parse(text.as_bytes()).unwrap_err(),
        BundleError::MalformedIndex
    );
}

#[test]
fn bundle_with_malformed_hash_rejected() {
    let text = good_bundle_text().replacen("index 2\n", "index 2\nAAAA\n", 1);
    assert_eq!(
        ProofBundle::parse(text.as_bytes()).unwrap_err(),
        BundleError::MalformedHash
    );
}

#[test]
fn bundle_with_too_many_hashes_rejected() {
    let h = format!("{}\n", "A".repeat(43) + "=");
    let text = good_bundle_text().replacen("index 2\n", &format!("index 2\n{}", h.repeat(66)), 1);
    assert_eq!(
        ProofBundle::parse(text.as_bytes()).unwrap_err(),
        BundleError::TooManyHashes
    );
}

#[test]
fn bundle_without_separator_rejected() {
    assert_eq!(
        ProofBundle::parse(b"c2sp.org/tlog-proof@v1\nindex 1\n").unwrap_err(),
        BundleError::MissingSeparator
    );
}

#[test]
fn bundle_with_malformed_extra_rejected() {
    let text = good_bundle_text().replacen("index 2\n", "extra !!\nindex 2\n", 1);
    assert_eq!(
        ProofBundle::parse(text.as_bytes()).unwrap_err(),
        BundleError::MalformedExtra
    );
}

#[test]
fn reconstruction_builds_timeline_and_reports_gaps_and_forks() {
    let op = OperationId::derive(&authority("nato"), "op");
    let provider = default_provider();
    let pol = policy(1);
    // Partner A: a whole log on disk.
    let dir = tempfile::tempdir().unwrap();
    let ak = key("log");
    let mut alog = FileLog::open(dir.path()).unwrap();
    let a_entries: Vec<Vec<u8>> = (0..6).map(|i| entry(i, Some(op))).collect();
    alog.append_batch(&a_entries).unwrap();
    let a_cp = cosigned(&ak, 6, alog.root(), &[0]);

    // Partner B: only bundles for entries 0, 1 and 4 of 6: gaps 2..4 and 5..6.
    let bk = key("log-b");
    let b_origin = "de.example/audit";
    let b_id = LogIdentity::new(b_origin, bk.public_key().clone(), authority("de")).unwrap();
    let mut bt = MemoryTree::new();
    let b_entries: Vec<Vec<u8>> = (0..6)
        .map(|i| {
            let mut e = LogEntry::from_bytes(&entry(100 + i, Some(op))).unwrap();
            e.recorder = authority("de");
            e.to_bytes().unwrap()
        })
        .collect();
    for e in &b_entries {
        bt.push(e).unwrap();
    }
    let b_note = |size: u64, root: Digest256| {
        let cp = Checkpoint {
            origin: b_origin.into(),
            size,
            root,
            extensions: vec![],
        };
        let mut n = sign_checkpoint(&cp, &bk).unwrap();
        let (wk, wid) = &witnesses()[2];
        n.push_signature(
            entente_audit::cosign(&wid.name, wk, UnixTime::from_secs(1), n.text()).unwrap(),
        )
        .unwrap();
        n.to_bytes()
    };
    let b_cp = b_note(6, bt.root());

    let mut r = Reconstruction::new(provider, &pol);
    r.add_identity(log_identity(&ak));
    r.add_identity(b_id);
    r.add_log(&alog, &a_cp).unwrap();
    for i in [0u64, 1, 4] {
        let bundle = ProofBundle {
            extra: None,
            index: i,
            proof: bt.inclusion_proof(i, 6).unwrap(),
            checkpoint: b_cp.clone(),
        };
        r.add_bundle(&bundle, &b_entries[i as usize]).unwrap();
    }
    // A forged bundle is refused, not added.
    let forged = ProofBundle {
        extra: None,
        index: 2,
        proof: bt.inclusion_proof(2, 6).unwrap(),
        checkpoint: b_cp.clone(),
    };
    assert!(r.add_bundle(&forged, b"forged").is_err());
    // B also signed another size-6 checkpoint: a fork.
    let mut other = MemoryTree::new();
    for i in 0..6u64 {
        other
            .push(&if i == 5 {
                b"alt".to_vec()
            } else {
                b_entries[i as usize].clone()
            })
            .unwrap();
    }
    let other_cp = b_note(6, other.root());
    let alt_bundle = ProofBundle {
        extra: None,
        index: 0,
        proof: other.inclusion_proof(0, 6).unwrap(),
        checkpoint: other_cp,
    };
    r.add_bundle(&alt_bundle, &b_entries[0]).unwrap();

    let t = r.finish(Some(op));
    assert_eq!(t.events.len(), 6 + 3);
    assert!(
        t.events
            .windows(2)
            .all(|w| w[0].entry.time <= w[1].entry.time)
    );
    assert!(t.anomalies.is_empty(), "{:?}", t.anomalies);
    let gaps: Vec<_> = t
        .gaps
        .iter()
        .map(|g| (g.log.as_str(), g.missing.clone()))
        .collect();
    assert_eq!(gaps, vec![(b_origin, 2..4), (b_origin, 5..6)]);
    assert_eq!(t.forks.len(), 1);
    let Fork::SplitView(proof) = &t.forks[0] else {
        panic!()
    };
    let b_id = LogIdentity::new(b_origin, bk.public_key().clone(), authority("de")).unwrap();
    proof.verify(provider, &b_id).unwrap();
}

#[test]
fn reconstruction_proves_fork_between_whole_log_and_older_bundle() {
    let provider = default_provider();
    let pol = policy(0);
    let lk = key("log");
    let dir = tempfile::tempdir().unwrap();
    let mut log = FileLog::open(dir.path()).unwrap();
    let honest: Vec<Vec<u8>> = (0..10).map(|i| entry(i, None)).collect();
    log.append_batch(&honest).unwrap();
    let full_cp = checkpoint(&lk, 10, log.root());
    // Earlier, the same log showed someone a size-5 tree with entry 2 rewritten.
    let mut shown = MemoryTree::new();
    let mut rewritten = honest[..5].to_vec();
    rewritten[2] = b"what the auditor was shown".to_vec();
    for e in &rewritten {
        shown.push(e).unwrap();
    }
    let old_cp = checkpoint(&lk, 5, shown.root());
    let bundle = ProofBundle {
        extra: None,
        index: 2,
        proof: shown.inclusion_proof(2, 5).unwrap(),
        checkpoint: old_cp,
    };

    let mut r = Reconstruction::new(provider, &pol);
    r.add_identity(log_identity(&lk));
    r.add_bundle(&bundle, &rewritten[2]).unwrap();
    r.add_log(&log, &full_cp).unwrap();
    let t = r.finish(None);
    assert!(t.gaps.is_empty());
    assert_eq!(t.forks.len(), 2, "{:?}", t.forks);
    let mut kinds = (0, 0);
    for fork in &t.forks {
        match fork {
            Fork::SplitView(p) => {
                let view = p.verify(provider, &log_identity(&lk)).unwrap();
                assert_eq!((view.old_size, view.new_size), (5, 10));
                kinds.0 += 1;
            }
            Fork::ConflictingEntry {
                index,
                first,
                second,
                ..
            } => {
                assert_eq!(*index, 2);
                for (b, e) in [first, second] {
                    b.verify(provider, e, &log_identity(&lk), &pol).unwrap();
                }
                assert_ne!(first.1, second.1);
                kinds.1 += 1;
            }
        }
    }
    assert_eq!(kinds, (1, 1));
}

#[test]
fn restarted_witness_keeps_refusing_inconsistent_checkpoint() {
    let lk = key("log");
    let (wk, wid) = &witnesses()[0];
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("witness-state");
    let t = tree_of(9);
    {
        let mut w = Witness::new(&wid.name, wk, default_provider()).unwrap();
        w.add_log(log_identity(&lk));
        w.load_state(&state).unwrap();
        w.cosign_durably(
            &checkpoint(&lk, 9, t.root()),
            &[],
            UnixTime::from_secs(1),
            &state,
        )
        .unwrap();
    }
    // After a restart, a same-size fork is still detected.
    let mut w = Witness::new(&wid.name, wk, default_provider()).unwrap();
    w.add_log(log_identity(&lk));
    w.load_state(&state).unwrap();
    assert_eq!(w.state(ORIGIN).unwrap().size, 9);
    let mut fork = tree_of(8);
    fork.push(b"fork").unwrap();
    let err = w
        .cosign_durably(
            &checkpoint(&lk, 9, fork.root()),
            &[],
            UnixTime::from_secs(2),
            &state,
        )
        .unwrap_err();
    assert!(matches!(
        err,
        entente_audit::DurableCosignError::Refused(WitnessError::SplitView(_))
    ));
}
