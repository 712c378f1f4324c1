//! Crash safety: a child process appends in a loop and prints every
//! acknowledged index; the parent kills it with SIGKILL at random moments and
//! truncates the store at random offsets, then checks that recovery keeps
//! every acknowledged entry (unless the truncation cut it away), that the root
//! matches a recomputation, and that appends continue.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use entente_audit::{FileLog, MemoryTree};

const CHILD_ENV: &str = "ENTENTE_AUDIT_CRASH_CHILD";

/// The entry at `index`: derived from the index so the parent can recompute.
fn payload(index: u64) -> Vec<u8> {
    format!("entry {index} {}", "x".repeat((index % 23) as usize)).into_bytes()
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// Runs only as the child: appends batches forever, printing acknowledgements.
#[test]
fn crash_child_appends_until_killed() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut log = FileLog::open(Path::new(&dir)).unwrap();
    let mut out = std::io::stdout().lock();
    let mut rng = Rng(std::process::id() as u64 | 1);
    loop {
        let start = log.size();
        let n = 1 + rng.below(4);
        let batch: Vec<Vec<u8>> = (start..start + n).map(payload).collect();
        let range = log.append_batch(&batch).unwrap();
        assert_eq!(range.start, start);
        writeln!(out, "ack {}", range.end - 1).unwrap();
        out.flush().unwrap();
    }
}

fn check(dir: &Path, must_keep: u64, torn_tails: &mut u32) -> u64 {
    let mut log = FileLog::open(dir).unwrap();
    if log.recovery().torn_bytes > 0 {
        *torn_tails += 1;
    }
    let size = log.size();
    assert!(
        size >= must_keep,
        "lost acknowledged entries: size {size} < {must_keep}"
    );
    let mut tree = MemoryTree::new();
    for i in 0..size {
        let e = payload(i);
        assert_eq!(log.entry(i).unwrap(), e, "entry {i} differs");
        tree.push(&e).unwrap();
    }
    assert_eq!(log.root(), tree.root(), "root differs from recomputation");
    // Appends continue.
    let i = log.append(&payload(size)).unwrap();
    assert_eq!(i, size);
    size + 1
}

#[test]
fn sigkill_and_truncation_never_lose_acknowledged_entries() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let started = Instant::now();
    let (mut kills, mut truncations, mut torn_tails, mut reindexed) = (0u32, 0u32, 0u32, 0u64);
    let mut acked_total = 0u64;
    let mut must_keep = 0u64;
    while kills < 220 && started.elapsed() < Duration::from_secs(50) {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_child_appends_until_killed",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(2_000 + rng.below(25_000)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        kills += 1;
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let acked = out
            .lines()
            .filter_map(|l| l.strip_prefix("ack "))
            .filter_map(|n| n.parse::<u64>().ok())
            .max();
        if let Some(last) = acked {
            acked_total += last + 1 - must_keep.min(last + 1);
            must_keep = must_keep.max(last + 1);
        }
        let recovered = FileLog::open(dir.path()).unwrap().recovery();
        torn_tails += u32::from(recovered.torn_bytes > 0);
        reindexed += recovered.reindexed;
        must_keep = check(dir.path(), must_keep, &mut torn_tails);

        if kills % 3 == 0 {
            // Truncate one store file at a random offset.
            let name = ["entries", "offsets", "nodes"][rng.below(3) as usize];
            let path = dir.path().join(name);
            let len = std::fs::metadata(&path).unwrap().len();
            let cut = if name == "entries" {
                // Cut within the last few records: the log must shrink to a
                // valid prefix, never fail.
                len.saturating_sub(rng.below(200))
            } else {
                rng.below(len + 1)
            };
            std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .unwrap()
                .set_len(cut)
                .unwrap();
            truncations += 1;
            // Cutting `entries` legitimately loses what was cut; the index
            // files are rebuilt without loss.
            let keep = if name == "entries" { 0 } else { must_keep };
            must_keep = check(dir.path(), keep, &mut torn_tails);
        }
    }
    let final_size = FileLog::open(dir.path()).unwrap().size();
    println!(
        "crash test (seed {seed}): {kills} SIGKILLs, {truncations} truncations, \
         {torn_tails} torn tails discarded, {reindexed} entries re-indexed, \
         {acked_total} acknowledgements observed, final size {final_size}, {:?}",
        started.elapsed()
    );
    assert!(kills >= 200, "only {kills} kills in the time budget");
    assert!(acked_total > 0, "the child never acknowledged an append");
}
