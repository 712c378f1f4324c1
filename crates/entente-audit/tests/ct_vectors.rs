//! RFC 6962 / Certificate Transparency reference vectors (see
//! `tests/vectors/third-party/ct-merkle/README.txt`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use entente_audit::{MemoryTree, verify_consistency, verify_inclusion};
use entente_core::Digest256;

fn read(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/third-party/ct-merkle")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn leaves() -> Vec<Vec<u8>> {
    read("leaves.txt")
        .split('\n')
        .take(8)
        .map(|l| hex::decode(l).unwrap())
        .collect()
}

fn tree(n: usize) -> MemoryTree {
    let mut t = MemoryTree::new();
    for leaf in &leaves()[..n] {
        t.push(leaf).unwrap();
    }
    t
}

fn hashes(field: &str) -> Vec<Digest256> {
    field
        .split(',')
        .filter(|h| !h.is_empty())
        .map(|h| Digest256::from_hex(h).unwrap())
        .collect()
}

fn rows(name: &str) -> Vec<(u64, u64, Vec<Digest256>)> {
    read(name)
        .lines()
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            let a = parts.next().unwrap().parse().unwrap();
            let b = parts.next().unwrap().parse().unwrap();
            (a, b, hashes(parts.next().unwrap_or("")))
        })
        .collect()
}

#[test]
fn ct_reference_roots_reproduced_for_every_size() {
    let roots = read("roots.txt");
    let mut checked = 0;
    for line in roots.lines() {
        let (size, root) = line.split_once(' ').unwrap();
        let size: usize = size.parse().unwrap();
        assert_eq!(
            tree(size).root(),
            Digest256::from_hex(root).unwrap(),
            "size {size}"
        );
        assert_eq!(
            tree(8).root_at(size as u64).unwrap(),
            Digest256::from_hex(root).unwrap()
        );
        checked += 1;
    }
    assert_eq!(checked, 9);
}

#[test]
fn ct_reference_inclusion_paths_generated_and_verified() {
    let leaves = leaves();
    for (index, size, path) in rows("inclusion.txt") {
        let t = tree(size as usize);
        assert_eq!(
            t.inclusion_proof(index, size).unwrap(),
            path,
            "{index}/{size}"
        );
        let leaf = entente_audit::leaf_hash(&leaves[index as usize]);
        verify_inclusion(&leaf, index, size, &path, &t.root()).unwrap();
    }
}

#[test]
fn ct_reference_consistency_proofs_generated_and_verified() {
    let t = tree(8);
    for (old, new, proof) in rows("consistency.txt") {
        assert_eq!(t.consistency_proof(old, new).unwrap(), proof, "{old}/{new}");
        verify_consistency(
            old,
            new,
            &t.root_at(old).unwrap(),
            &t.root_at(new).unwrap(),
            &proof,
        )
        .unwrap();
    }
}

#[test]
fn invalid_note_vectors_all_rejected() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/invalid/notes");
    let mut rejected = 0;
    for file in std::fs::read_dir(dir).unwrap() {
        let path = file.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("note") {
            continue;
        }
        assert!(
            path.with_extension("txt").exists(),
            "{path:?} lacks its .txt"
        );
        let bytes = std::fs::read(&path).unwrap();
        let parsed = entente_audit::Note::parse(&bytes)
            .and_then(|n| entente_audit::Checkpoint::parse_text(n.text()));
        assert!(parsed.is_err(), "{path:?} was accepted");
        rejected += 1;
    }
    assert_eq!(rejected, 12);
}
