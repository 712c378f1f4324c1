#![allow(
    clippy::expect_used,
    reason = "a benchmark aborts when its setup fails"
)]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

//! The audit log: appends per second with group commit (one fsync round per
//! batch) against one commit per entry, and inclusion/consistency proof
//! generation and verification on a log of 1,000,000 entries, built once in a
//! temporary directory. Peak memory (VmHWM) is printed after the build and
//! after the proof benches.

use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use entente_audit::{FileLog, leaf_hash, verify_consistency, verify_inclusion};

const BIG: u64 = 1_000_000;

fn payload(i: u64) -> Vec<u8> {
    // About the size of a small admission entry.
    format!("admitted artifact {i:016x} by authority 0123456789abcdef under policy v7 ....")
        .into_bytes()
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "VmHWM unavailable".into())
}

fn appends(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut log = FileLog::open(dir.path()).expect("open");
    let mut group = c.benchmark_group("audit_append");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4));
    for batch in [1u64, 100, 1000] {
        group.throughput(Throughput::Elements(batch));
        group.bench_function(format!("group_commit_{batch}"), |b| {
            b.iter_batched(
                || (0..batch).map(payload).collect::<Vec<_>>(),
                |entries| log.append_batch(&entries).expect("append"),
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

fn proofs(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let built = std::time::Instant::now();
    {
        let mut log = FileLog::open(dir.path()).expect("open");
        let mut next = 0u64;
        while next < BIG {
            let end = (next + 10_000).min(BIG);
            let batch: Vec<Vec<u8>> = (next..end).map(payload).collect();
            log.append_batch(&batch).expect("append");
            next = end;
        }
    }
    eprintln!(
        "audit: built {BIG} entries in {:?}; {}",
        built.elapsed(),
        peak_memory()
    );
    let reopened = std::time::Instant::now();
    let log = FileLog::open(dir.path()).expect("reopen");
    eprintln!(
        "audit: reopened (recovery check) in {:?}",
        reopened.elapsed()
    );
    let root = log.root();
    let mut group = c.benchmark_group("audit_proofs_1M");
    let mut i = 0u64;
    group.bench_function("inclusion_generate", |b| {
        b.iter(|| {
            i = (i + 7_919) % BIG;
            log.inclusion_proof(i, BIG).expect("proof")
        });
    });
    let index = 654_321;
    let proof = log.inclusion_proof(index, BIG).expect("proof");
    let leaf = leaf_hash(&payload(index));
    group.bench_function("inclusion_verify", |b| {
        b.iter(|| verify_inclusion(&leaf, index, BIG, &proof, &root).expect("verify"));
    });
    let mut old = 1u64;
    group.bench_function("consistency_generate", |b| {
        b.iter(|| {
            old = (old + 104_729) % (BIG - 1) + 1;
            log.consistency_proof(old, BIG).expect("proof")
        });
    });
    let old = 777_777;
    let old_root = log.root_at(old).expect("root");
    let proof = log.consistency_proof(old, BIG).expect("proof");
    group.bench_function("consistency_verify", |b| {
        b.iter(|| verify_consistency(old, BIG, &old_root, &root, &proof).expect("verify"));
    });
    group.finish();
    eprintln!("audit: after proof benches {}", peak_memory());
}

criterion_group!(benches, appends, proofs);
criterion_main!(benches);
