//! Criterion benchmarks of entente's verification path live in `benches/`;
//! this library holds what they share. Run them with `cargo xtask bench`.
#![forbid(unsafe_code)]

pub mod document;

use std::time::{Duration, Instant};

use entente_core::{CryptoError, CryptoProvider, SignatureEncoding, Signer as _, SigningKey};

/// One raw ES256 verification of `signature` (fixed encoding) over
/// `message` by `key`'s public key with `provider`: the baseline the
/// benches divide by.
pub fn raw_verify(
    provider: &dyn CryptoProvider,
    key: &SigningKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    provider.verify(
        key.algorithm(),
        SignatureEncoding::Fixed,
        key.public_key(),
        message,
        signature,
    )
}

/// Whether the bench binary runs in criterion's `--test` mode (each bench
/// once, as `cargo xtask ci` does): the benches then shrink their own loops.
pub fn test_mode() -> bool {
    std::env::args().any(|a| a == "--test")
}

/// The median of `samples` (the upper middle one of an even count); zero
/// when there are none.
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

/// Times each of `runs` in turn, a batch of `batch` calls per round, for
/// `rounds` rounds, and returns each one's median time per call.
///
/// Criterion measures one bench after another, so a burst of load from
/// another tenant of a shared machine can fall on one side of a ratio only.
/// Taken in turn, round by round, every run sees the same load, and the
/// ratio of their medians holds much better.
pub fn interleaved_medians(
    rounds: usize,
    batch: u32,
    runs: &mut [&mut dyn FnMut()],
) -> Vec<Duration> {
    let mut samples = vec![Vec::with_capacity(rounds); runs.len()];
    for _ in 0..rounds {
        for (run, times) in runs.iter_mut().zip(&mut samples) {
            let start = Instant::now();
            for _ in 0..batch {
                run();
            }
            times.push(start.elapsed() / batch.max(1));
        }
    }
    samples.into_iter().map(median).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_is_the_middle_sample() {
        let ms = Duration::from_millis;
        assert_eq!(median(vec![ms(9), ms(1), ms(5)]), ms(5));
        assert_eq!(median(vec![ms(4), ms(1), ms(3), ms(2)]), ms(3));
        assert_eq!(median(Vec::new()), Duration::ZERO);
    }

    #[test]
    fn interleaved_medians_time_each_run_separately() {
        let (mut fast, mut slow) = (0u32, 0u32);
        let times = interleaved_medians(
            5,
            2,
            &mut [&mut || fast += 1, &mut || {
                slow += 1;
                std::thread::sleep(Duration::from_millis(2));
            }],
        );
        assert_eq!(
            (fast, slow),
            (10, 10),
            "every run called rounds x batch times"
        );
        assert_eq!(times.len(), 2);
        assert!(times[1] >= Duration::from_millis(2), "{times:?}");
        assert!(times[0] < times[1], "{times:?}");
    }
}
