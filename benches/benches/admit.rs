#![allow(
    clippy::expect_used,
    reason = "a benchmark aborts when its setup fails"
)]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

//! Admitting bundles with entente-admit, with each crypto backend passed
//! explicitly, next to the raw ES256 verification it is measured against
//! (the baseline, in this binary):
//!
//! - `admit_raw_es256`: one ES256 verification per backend;
//! - `admit_cold`: a fresh `Admitter` and a fresh temporary store per
//!   iteration, bundles of 1, 10, 100, 1,000 and 10,000 signed policies
//!   (how admission grows with the bundle); the summary
//!   divides the time by (the signature verifications the report counted ×
//!   one raw verification); up to 100 also with the store on tmpfs
//!   (labelled, not durable) to show what the disk's fsync adds;
//! - `admit_warm_new_version`: after 100 policies were admitted, a new
//!   version of one of them (goal: one verification + at most 10 %); the
//!   store on disk (the durable configuration) and, labelled `tmpfs`, the
//!   same store in /dev/shm, where the commit's fsync costs next to
//!   nothing — the difference is the price of durability;
//! - `admit summary: durable commit`: one bare `AdmissionStore::record` of
//!   one version, on disk and on tmpfs (no verification at all);
//! - `admit_partners`: a coalition of 2, 5, 10, 20 and 50 partners (the
//!   home authority and the others), each other partner publishing its own
//!   bundle of 10 policies under its own root, credential, CRL and
//!   vocabulary (how admission grows with the partners);
//! - `admit_parallel_10000`: the cold 10,000 admission on a rayon pool of
//!   1 thread and of 2 threads (goal: speedup ≥ 1.8×), next to 2,000 raw
//!   verifications spread over the same pools (the speedup the machine
//!   gives verification alone);
//!
//! Peak heap is measured by its own binary, `admit_memory`: the counting
//! allocator it needs updates shared counters on every allocation, which
//! would slow the timings here, the two-thread ones most.
//!
//! Each ratio is printed on a line starting `admit summary:`. In
//! `-- --test` mode the 10,000 cases shrink to 500 so the run stays short.

use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use entente_admit::{
    AdmissionPolicy, AdmissionStore, AdmitStats, Admitter, ArtifactKind, Bundle, DocumentKey,
    Provision, StoredVersion,
};
use entente_core::crypto::AwsLcProvider;
use entente_core::{
    ArtifactId, CryptoProvider, Digest256, RustCryptoProvider, SignatureEncoding, Signer as _,
    SigningKey, Version,
};

mod admit_fixture;

use entente_benches::median;

use admit_fixture::*;

/// Policies already admitted before the warm case.
const WARM_KNOWN: usize = 100;
/// Coalition sizes of the partner scaling (the home authority included).
const PARTNERS: [usize; 5] = [2, 5, 10, 20, 50];
/// Policies each partner publishes in the partner scaling.
const PER_PARTNER: usize = 10;

fn providers() -> [&'static dyn CryptoProvider; 2] {
    [&RustCryptoProvider, &AwsLcProvider]
}

/// One cold admission, timed, with its counters; exactly `admitted`
/// artifacts admitted and nothing refused.
fn cold_once(
    policy: &AdmissionPolicy,
    provider: &'static dyn CryptoProvider,
    bundles: &[Bundle],
    admitted: usize,
) -> (Duration, AdmitStats) {
    cold_once_on(policy, provider, bundles, admitted, Storage::Disk)
}

/// [`cold_once`] with the store in `storage`.
fn cold_once_on(
    policy: &AdmissionPolicy,
    provider: &'static dyn CryptoProvider,
    bundles: &[Bundle],
    admitted: usize,
    storage: Storage,
) -> (Duration, AdmitStats) {
    let (mut admitter, _dir) = fresh_on(policy, provider, storage);
    let start = Instant::now();
    let admission = admitter.admit(bundles, AT).expect("admission");
    let elapsed = start.elapsed();
    assert!(admission.report.rejected.is_empty(), "nothing refused");
    assert_eq!(admission.report.admitted.len(), admitted);
    (elapsed, admission.report.stats)
}

/// One raw ES256 verification, median of 5 batches.
fn raw_verify(
    provider: &dyn CryptoProvider,
    key: &SigningKey,
    message: &[u8],
    sig: &[u8],
) -> Duration {
    let batch = if test_mode() { 20 } else { 400 };
    let samples = (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                entente_benches::raw_verify(provider, key, message, sig).expect("verifies");
            }
            start.elapsed() / batch
        })
        .collect();
    median(samples)
}

/// Raw ES256 verifications spread over `pool` (median of 3 runs): what the
/// machine's cores give verification alone, the ceiling of any parallel
/// speedup of admission.
fn raw_verify_on(
    pool: &rayon::ThreadPool,
    provider: &dyn CryptoProvider,
    key: &SigningKey,
    message: &[u8],
    sig: &[u8],
) -> Duration {
    use rayon::prelude::*;
    let count = if test_mode() { 20 } else { 2_000 };
    let runs = (0..3)
        .map(|_| {
            pool.install(|| {
                let start = Instant::now();
                (0..count).into_par_iter().for_each(|_| {
                    entente_benches::raw_verify(provider, key, message, sig).expect("verifies");
                });
                start.elapsed()
            })
        })
        .collect();
    median(runs)
}

/// The raw baseline for each backend: a message the size of a signed
/// policy.
fn baseline(setup: &Setup) -> (Vec<u8>, Vec<u8>) {
    let message = setup.policies.first().cloned().unwrap_or_default();
    let signature = setup
        .partner
        .signer
        .sign(&message, SignatureEncoding::Fixed)
        .expect("sign");
    (message, signature)
}

fn admit_benches(c: &mut Criterion) {
    let setup = setup();
    let (message, signature) = baseline(&setup);
    let key = &setup.partner.signer;

    // Raw ES256, the baseline.
    let mut group = c.benchmark_group("admit_raw_es256");
    for provider in providers() {
        group.bench_function(provider.name(), |b| {
            b.iter(|| {
                entente_benches::raw_verify(provider, key, &message, &signature).expect("verifies")
            })
        });
    }
    group.finish();
    let raw: Vec<(&'static dyn CryptoProvider, Duration)> = providers()
        .into_iter()
        .map(|p| (p, raw_verify(p, key, &message, &signature)))
        .collect();
    for (provider, time) in &raw {
        println!(
            "admit summary: raw ES256 verify, {}: {time:?}",
            provider.name()
        );
    }

    // Cold admission.
    // 1 to 10,000 by factors of ten (to the large size in `--test` mode).
    let sizes: Vec<usize> = [1, 10, 100, 1_000]
        .into_iter()
        .filter(|&n| n < large())
        .chain([large()])
        .collect();
    let mut group = c.benchmark_group("admit_cold");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for &n in &sizes {
        let bundles = setup.partner.bundles(first(&setup.policies, n));
        for (provider, raw_time) in &raw {
            let provider = *provider;
            group.bench_function(format!("{}/{n}", provider.name()), |b| {
                b.iter_batched(
                    || fresh(&setup.policy, provider),
                    |(mut admitter, dir)| {
                        let admission = admitter.admit(&bundles, AT).expect("admission");
                        (admission, admitter, dir)
                    },
                    BatchSize::PerIteration,
                )
            });
            // The small sizes also with the store on tmpfs (labelled): what
            // is left when the disk's fsync is taken out.
            let storages = if n > WARM_KNOWN {
                vec![Storage::Disk]
            } else {
                Storage::available()
            };
            for storage in storages {
                let runs = if n > WARM_KNOWN || test_mode() { 1 } else { 5 };
                let mut times = Vec::new();
                let mut stats = AdmitStats::default();
                for _ in 0..runs {
                    // The n policies and the vocabulary.
                    let (time, s) = cold_once_on(&setup.policy, provider, &bundles, n + 1, storage);
                    times.push(time);
                    stats = s;
                }
                let time = median(times);
                let verifications = stats.signature_verifications;
                let ratio = time.as_secs_f64() / (verifications as f64 * raw_time.as_secs_f64());
                println!(
                    "admit summary: cold admission, {}, {n} policies, {}: {time:?}; \
                     {verifications} signature verifications ({:.2} per policy), {} chain \
                     validations; time / (verifications x raw ES256) = {ratio:.2}",
                    provider.name(),
                    storage.label(),
                    verifications as f64 / n as f64,
                    stats.chain_validations,
                );
            }
        }
    }
    group.finish();

    partner_scaling(c, &raw);

    // A new version of a known policy, caches warm.
    let known = setup.partner.bundles(first(&setup.policies, WARM_KNOWN));
    let mut group = c.benchmark_group("admit_warm_new_version");
    for (storage, (provider, raw_time)) in Storage::available()
        .into_iter()
        .flat_map(|s| raw.iter().map(move |r| (s, r)))
    {
        let provider = *provider;
        let (mut admitter, _dir) = fresh_on(&setup.policy, provider, storage);
        admitter.admit(&known, AT).expect("admission");
        let mut version = 1;
        let mut next = |admitter: &mut Admitter| {
            version += 1;
            // The vocabulary comes along (a cache hit) so the policy
            // compiles; the other policies are already known.
            let bundles = setup.partner.bundles(&[setup.partner.policy(0, version)]);
            let start = Instant::now();
            let admission = admitter.admit(&bundles, AT).expect("admission");
            let elapsed = start.elapsed();
            assert!(admission.report.rejected.is_empty());
            (elapsed, admission.report.stats)
        };
        group.bench_function(format!("{}{}", provider.name(), storage.suffix()), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| next(&mut admitter).0).sum())
        });
        let runs = if test_mode() { 3 } else { 21 };
        let mut times = Vec::new();
        let mut stats = AdmitStats::default();
        for _ in 0..runs {
            let (time, s) = next(&mut admitter);
            times.push(time);
            stats = s;
        }
        let time = median(times);
        println!(
            "admit summary: warm new version, {}, {}: {time:?}; {} signature verifications, {} \
             cache hits; time / raw ES256 = {:.2} (goal: 1 verification and <= 1.10)",
            provider.name(),
            storage.label(),
            stats.signature_verifications,
            stats.cache_hits(),
            time.as_secs_f64() / raw_time.as_secs_f64(),
        );
    }
    group.finish();

    // The durable commit alone: one version recorded, no verification.
    for storage in Storage::available() {
        let dir = storage.tempdir();
        let mut store = AdmissionStore::open(&dir.path().join("admission.redb")).expect("store");
        let runs: u64 = if test_mode() { 5 } else { 51 };
        let times = (1..=runs)
            .map(|version| {
                let entry = (
                    DocumentKey {
                        authority: setup.partner.id(),
                        kind: ArtifactKind::Policy,
                        id: "policy-0".into(),
                    },
                    StoredVersion {
                        version: Version(version),
                        artifact: ArtifactId::from_digest(Digest256::sha256(
                            &version.to_be_bytes(),
                        )),
                    },
                );
                let start = Instant::now();
                store.record(&[entry]).expect("record");
                start.elapsed()
            })
            .collect();
        println!(
            "admit summary: durable commit (one AdmissionStore::record of one version), {}: {:?}",
            storage.label(),
            median(times),
        );
    }

    // Parallel speedup at the large size.
    let n = large();
    let bundles = setup.partner.bundles(first(&setup.policies, n));
    let mut group = c.benchmark_group(format!("admit_parallel_{n}"));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for (provider, raw_time) in &raw {
        let provider = *provider;
        let mut medians = Vec::new();
        let mut raw_medians = Vec::new();
        let mut verifications = 0;
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            if provider.name() == AwsLcProvider.name() {
                group.bench_function(format!("{}/{threads}_threads", provider.name()), |b| {
                    b.iter_batched(
                        || fresh(&setup.policy, provider),
                        |(mut admitter, dir)| {
                            let admission = pool
                                .install(|| admitter.admit(&bundles, AT))
                                .expect("admission");
                            (admission, admitter, dir)
                        },
                        BatchSize::PerIteration,
                    )
                });
            }
            let runs = if test_mode() { 1 } else { 3 };
            let times = (0..runs)
                .map(|_| {
                    let (time, stats) =
                        pool.install(|| cold_once(&setup.policy, provider, &bundles, n + 1));
                    verifications = stats.signature_verifications;
                    time
                })
                .collect();
            medians.push(median(times));
            raw_medians.push(raw_verify_on(&pool, provider, key, &message, &signature));
        }
        if let ([one, two], [raw_one, raw_two]) = (&medians[..], &raw_medians[..]) {
            let speedup = one.as_secs_f64() / two.as_secs_f64();
            let raw_speedup = raw_one.as_secs_f64() / raw_two.as_secs_f64();
            println!(
                "admit summary: parallel speedup, {}, {n} policies: 1 thread {one:?}, 2 threads \
                 {two:?}, speedup {speedup:.2}x (goal >= 1.8x); on 1 thread, time / \
                 (verifications x raw ES256) = {:.2}; raw ES256 verification alone on the same \
                 pools: speedup {raw_speedup:.2}x, so admission reaches {:.0}% of it",
                provider.name(),
                one.as_secs_f64() / (verifications as f64 * raw_time.as_secs_f64()),
                100.0 * speedup / raw_speedup,
            );
        }
    }
    group.finish();
}

/// A coalition of `partners` authorities: the admission policy and the
/// bundles of every partner but the home one, `PER_PARTNER` policies each.
fn coalition(partners: usize) -> (AdmissionPolicy, Vec<Bundle>, usize) {
    let vocabulary = include_str!("../../crates/entente-policy/examples/vocabularies/deu.json");
    let authorities: Vec<(String, Authority)> = (0..partners)
        .map(|i| {
            let name = format!("P{i:02}");
            let authority = Authority::new(&name, vocabulary);
            (name, authority)
        })
        .collect();
    let configs = authorities
        .iter()
        .enumerate()
        .map(|(i, (name, authority))| {
            let provides = if i == 0 {
                Provision::ALL.to_vec()
            } else {
                vec![Provision::Vocabularies, Provision::Policies]
            };
            authority.config(name, provides)
        })
        .collect();
    let policy = admission_policy("P00", configs);
    let bundles: Vec<Bundle> = authorities
        .iter()
        .skip(1)
        .flat_map(|(_, authority)| {
            let policies: Vec<Vec<u8>> = (0..PER_PARTNER).map(|i| authority.policy(i, 1)).collect();
            authority.bundles(&policies)
        })
        .collect();
    // Every policy and every vocabulary of the publishing partners.
    let admitted = (partners - 1) * (PER_PARTNER + 1);
    (policy, bundles, admitted)
}

/// Cold admission against the number of partners.
fn partner_scaling(c: &mut Criterion, raw: &[(&'static dyn CryptoProvider, Duration)]) {
    let mut group = c.benchmark_group("admit_partners");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for partners in PARTNERS {
        let (policy, bundles, admitted) = coalition(partners);
        for (provider, raw_time) in raw {
            let provider = *provider;
            group.bench_function(format!("{}/{partners}", provider.name()), |b| {
                b.iter_batched(
                    || fresh(&policy, provider),
                    |(mut admitter, dir)| {
                        let admission = admitter.admit(&bundles, AT).expect("admission");
                        (admission, admitter, dir)
                    },
                    BatchSize::PerIteration,
                )
            });
            let runs = if test_mode() { 1 } else { 5 };
            let mut times = Vec::new();
            let mut stats = AdmitStats::default();
            for _ in 0..runs {
                let (time, s) = cold_once(&policy, provider, &bundles, admitted);
                times.push(time);
                stats = s;
            }
            let time = median(times);
            let verifications = stats.signature_verifications;
            println!(
                "admit summary: {partners} partners ({} publishing {PER_PARTNER} policies \
                 each), {}: {time:?}; {verifications} signature verifications, {} chain \
                 validations; time / (verifications x raw ES256) = {:.2}",
                partners - 1,
                provider.name(),
                stats.chain_validations,
                time.as_secs_f64() / (verifications as f64 * raw_time.as_secs_f64()),
            );
        }
    }
    group.finish();
}

criterion_group!(benches, admit_benches);
criterion_main!(benches);
