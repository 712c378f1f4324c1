//! Criterion benchmarks of entente's verification path live in `benches/`;
//! this library holds what they share. Run them with `cargo xtask bench`.
#![forbid(unsafe_code)]

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
