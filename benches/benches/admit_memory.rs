#![allow(
    clippy::expect_used,
    reason = "a benchmark aborts when its setup fails"
)]

//! Peak heap while admitting 10,000 signed policies (500 in `--test`
//! mode), from a counting global allocator. It is a binary of its own
//! because that allocator updates shared counters on every allocation:
//! in the `admit` bench it would slow the timings, the two-thread ones
//! most. Prints one `admit summary:` line; it times nothing.

mod admit_fixture;

use admit_fixture::*;
use entente_core::crypto::AwsLcProvider;
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let setup = setup();
    let n = large();
    // The signing and the bundles are built before the peak is reset, so
    // only the admission counts; aws-lc, on rayon's default pool.
    let bundles = setup.partner.bundles(first(&setup.policies, n));
    let (mut admitter, _dir) = fresh(&setup.policy, &AwsLcProvider);
    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    let admission = admitter.admit(&bundles, AT).expect("admission");
    let peak = ALLOCATOR.peak_usage().saturating_sub(before);
    let retained = ALLOCATOR.current_usage().saturating_sub(before);
    assert!(admission.report.rejected.is_empty(), "nothing refused");
    assert_eq!(admission.report.admitted.len(), n + 1);
    let input: usize = first(&setup.policies, n).iter().map(Vec::len).sum();
    println!(
        "admit summary: peak heap admitting {n} policies: {:.1} MiB above the {:.1} MiB before \
         (input {:.1} MiB of signed policies); retained after admission (set, report, caches): \
         {:.1} MiB",
        mib(peak),
        mib(before),
        mib(input),
        mib(retained),
    );
}
