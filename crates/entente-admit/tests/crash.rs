//! Crash safety of the admission store: a child process records versions
//! in a loop and prints every acknowledged one; the parent kills it with
//! SIGKILL at random moments, reopens the store and checks that every
//! acknowledged version is there, that nothing is torn (each stored record
//! is exactly one the child wrote), and that recording continues. Kills
//! while the store file is being created never leave a file that cannot be
//! opened, and a damaged file is a typed error, not a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use entente_admit::{AdmissionStore, ArtifactKind, DocumentKey, StoreError, StoredVersion};
use entente_core::{ArtifactId, AuthorityId, Digest256, Version};

const CHILD_ENV: &str = "ENTENTE_ADMIT_CRASH_CHILD";
const DOCUMENTS: u64 = 5;

fn key(doc: u64) -> DocumentKey {
    DocumentKey {
        authority: AuthorityId::from_digest(Digest256::sha256(b"crash")),
        kind: ArtifactKind::Policy,
        id: format!("doc-{doc}"),
    }
}

/// The artifact recorded for (doc, version): derived, so the parent can
/// tell a torn or foreign record from a real one.
fn artifact(doc: u64, version: u64) -> ArtifactId {
    ArtifactId::from_digest(Digest256::sha256(format!("{doc}/{version}").as_bytes()))
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// Runs only as the child: records ever higher versions, acknowledging each.
#[test]
fn crash_child_records_until_killed() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut store = AdmissionStore::open(Path::new(&path)).unwrap();
    let mut out = std::io::stdout().lock();
    let mut rng = Rng(u64::from(std::process::id()) | 1);
    loop {
        // A batch of 1–3 documents, each one version up from what is stored.
        let n = 1 + rng.below(3);
        let mut batch = Vec::new();
        for _ in 0..n {
            let doc = rng.below(DOCUMENTS);
            if batch
                .iter()
                .any(|(k, _): &(DocumentKey, StoredVersion)| *k == key(doc))
            {
                continue;
            }
            let current = store.get(&key(doc)).unwrap().map_or(0, |s| s.version.0);
            let version = current + 1;
            batch.push((
                key(doc),
                StoredVersion {
                    version: Version(version),
                    artifact: artifact(doc, version),
                },
            ));
        }
        store.record(&batch).unwrap();
        for (k, v) in &batch {
            writeln!(out, "ack {} {}", k.id, v.version.0).unwrap();
        }
        out.flush().unwrap();
    }
}

/// A fresh directory and the store path inside it; the directory is
/// deleted when the returned handle drops.
fn store_in_temporary_directory() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("admission.redb");
    (dir, path)
}

/// Starts the recording child on the store at `path` and SIGKILLs it after
/// `delay`; returns what it printed.
fn run_child_until_killed(path: &Path, delay: Duration) -> String {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child_records_until_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    out
}

/// Kills aimed at the first milliseconds of a child, while it creates the
/// store: each time, what is left either is no store or opens.
#[test]
fn sigkill_while_creating_never_leaves_an_unopenable_store() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let (dir, path) = store_in_temporary_directory();
    let mut rng = Rng(u64::from(std::process::id()) | 1);
    let started = Instant::now();
    let (mut rounds, mut absent) = (0u32, 0u32);
    while rounds < 150 && started.elapsed() < Duration::from_secs(8) {
        let delay = Duration::from_micros(500 + rng.below(60_000));
        run_child_until_killed(&path, delay);
        rounds += 1;
        if !path.exists() {
            absent += 1;
        }
        let opened = AdmissionStore::open(&path);
        assert!(
            opened.is_ok(),
            "round {rounds}: the store left by a kill after {delay:?} does not open: {:?}",
            opened.err()
        );
        drop(opened);
        std::fs::remove_file(&path).unwrap();
    }
    let strays = std::fs::read_dir(dir.path()).unwrap().count();
    println!(
        "store creation crash test: {rounds} SIGKILLs, {absent} before the store existed, {strays} stray temporary files"
    );
    assert!(rounds >= 10, "only {rounds} kills in the time budget");
}

/// A store file cut short anywhere is refused with a typed error (redb
/// itself asserts on some of these lengths).
#[test]
fn truncated_store_file_rejected() {
    let (_dir, path) = store_in_temporary_directory();
    let mut store = AdmissionStore::open(&path).unwrap();
    let version = StoredVersion {
        version: Version(1),
        artifact: artifact(0, 1),
    };
    store.record(&[(key(0), version)]).unwrap();
    drop(store);
    let whole = std::fs::read(&path).unwrap();
    for cut in [1, 100, 512, 4096, whole.len() / 2, whole.len() - 1] {
        std::fs::write(&path, &whole[..cut]).unwrap();
        let opened = AdmissionStore::open(&path);
        assert!(
            matches!(opened, Err(StoreError::Damaged | StoreError::Database(_))),
            "a store cut to {cut} of {} bytes: {opened:?}",
            whole.len()
        );
    }
    std::fs::write(&path, &whole).unwrap();
    let store = AdmissionStore::open(&path).unwrap();
    assert_eq!(store.get(&key(0)).unwrap(), Some(version));
}

/// Creating a store leaves exactly the store file, and opening an existing
/// store keeps what it holds.
#[test]
fn created_store_leaves_no_temporary_file_accepted() {
    let (dir, path) = store_in_temporary_directory();
    let mut store = AdmissionStore::open(&path).unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["admission.redb"]);
    let version = StoredVersion {
        version: Version(3),
        artifact: artifact(1, 3),
    };
    store.record(&[(key(1), version)]).unwrap();
    drop(store);
    let store = AdmissionStore::open(&path).unwrap();
    assert_eq!(store.get(&key(1)).unwrap(), Some(version));
}

#[test]
fn sigkill_never_loses_or_tears_acknowledged_versions() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let (_dir, path) = store_in_temporary_directory();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let started = Instant::now();
    let mut acked: BTreeMap<String, u64> = BTreeMap::new();
    let mut last_seen: BTreeMap<String, u64> = BTreeMap::new();
    let (mut kills, mut acks) = (0u32, 0u64);
    while kills < 120 && started.elapsed() < Duration::from_secs(15) {
        let out = run_child_until_killed(&path, Duration::from_micros(3_000 + rng.below(40_000)));
        kills += 1;
        for line in out.lines() {
            let mut parts = line.split(' ');
            if let (Some("ack"), Some(id), Some(v)) = (parts.next(), parts.next(), parts.next()) {
                if let Ok(v) = v.parse::<u64>() {
                    acks += 1;
                    let e = acked.entry(id.to_owned()).or_default();
                    *e = (*e).max(v);
                }
            }
        }
        // Reopen: every acknowledged version is present, every record is
        // one the child wrote (not torn), and nothing went down.
        let store = AdmissionStore::open(&path).unwrap();
        for doc in 0..DOCUMENTS {
            let k = key(doc);
            let stored = store.get(&k).unwrap();
            let must = acked.get(&k.id).copied().unwrap_or(0);
            let have = stored.map_or(0, |s| s.version.0);
            assert!(
                have >= must,
                "lost an acknowledged version of {}: {have} < {must}",
                k.id
            );
            if let Some(s) = stored {
                assert_eq!(s.artifact, artifact(doc, have), "torn record for {}", k.id);
                // What a reopening saw never goes down.
                let seen = last_seen.entry(k.id.clone()).or_default();
                assert!(have >= *seen, "{}: went down from {seen} to {have}", k.id);
                *seen = have;
            }
        }
        assert!(store.len().unwrap() as u64 <= DOCUMENTS);
    }
    println!(
        "admission store crash test (seed {seed}): {kills} SIGKILLs, {acks} acknowledgements, {:?}",
        started.elapsed()
    );
    assert!(kills >= 20, "only {kills} kills in the time budget");
    assert!(acks > 0, "the child never acknowledged a version");
}
