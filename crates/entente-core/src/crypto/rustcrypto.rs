//! The default provider, built on the RustCrypto crates.

use ecdsa::signature::hazmat::PrehashVerifier as _;
use sha2::Digest as _;
use signature::Verifier as _;

use super::{
    CryptoError, CryptoProvider, PublicKey, SignatureAlgorithm, SignatureEncoding, check_key,
};

/// Verification with RustCrypto: `p256`, `p384`, `rsa` and `ed25519-dalek`.
///
/// ECDSA verification accepts both `s` and `n - s` (as the algorithm does);
/// entente never derives identity from signature bytes, so the malleability
/// is harmless.
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCryptoProvider;

impl CryptoProvider for RustCryptoProvider {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        encoding: SignatureEncoding,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        check_key(algorithm, key)?;
        let malformed = || CryptoError::MalformedSignature(algorithm);
        let bad = |_| CryptoError::BadSignature;
        match algorithm {
            SignatureAlgorithm::EcdsaP256Sha256 | SignatureAlgorithm::EcdsaP256Sha384 => {
                let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(key.material())
                    .map_err(|_| CryptoError::MalformedKey(key.kind()))?;
                let sig = match encoding {
                    SignatureEncoding::Fixed => p256::ecdsa::Signature::from_slice(signature),
                    SignatureEncoding::Der => p256::ecdsa::Signature::from_der(signature),
                }
                .map_err(|_| malformed())?;
                if algorithm == SignatureAlgorithm::EcdsaP256Sha256 {
                    vk.verify(message, &sig).map_err(bad)
                } else {
                    vk.verify_prehash(&sha2::Sha384::digest(message), &sig)
                        .map_err(bad)
                }
            }
            SignatureAlgorithm::EcdsaP384Sha256 | SignatureAlgorithm::EcdsaP384Sha384 => {
                let vk = p384::ecdsa::VerifyingKey::from_sec1_bytes(key.material())
                    .map_err(|_| CryptoError::MalformedKey(key.kind()))?;
                let sig = match encoding {
                    SignatureEncoding::Fixed => p384::ecdsa::Signature::from_slice(signature),
                    SignatureEncoding::Der => p384::ecdsa::Signature::from_der(signature),
                }
                .map_err(|_| malformed())?;
                if algorithm == SignatureAlgorithm::EcdsaP384Sha384 {
                    vk.verify(message, &sig).map_err(bad)
                } else {
                    vk.verify_prehash(&sha2::Sha256::digest(message), &sig)
                        .map_err(bad)
                }
            }
            SignatureAlgorithm::RsaPkcs1Sha256
            | SignatureAlgorithm::RsaPkcs1Sha384
            | SignatureAlgorithm::RsaPkcs1Sha512 => verify_rsa(algorithm, key, message, signature),
            SignatureAlgorithm::Ed25519 => {
                let bytes: [u8; 32] = key
                    .material()
                    .try_into()
                    .map_err(|_| CryptoError::MalformedKey(key.kind()))?;
                let vk = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                    .map_err(|_| CryptoError::MalformedKey(key.kind()))?;
                let sig =
                    ed25519_dalek::Signature::from_slice(signature).map_err(|_| malformed())?;
                // Strict verification rejects small-order keys and
                // non-canonical encodings (RFC 8032 §5.1.7 plus cofactor checks).
                vk.verify_strict(message, &sig).map_err(bad)
            }
        }
    }
}

fn verify_rsa(
    algorithm: SignatureAlgorithm,
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let rsa_key = super::parse_rsa(key.material())?;
    let (scheme, hashed) = match algorithm {
        SignatureAlgorithm::RsaPkcs1Sha256 => (
            rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            sha2::Sha256::digest(message).to_vec(),
        ),
        SignatureAlgorithm::RsaPkcs1Sha384 => (
            rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            sha2::Sha384::digest(message).to_vec(),
        ),
        _ => (
            rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            sha2::Sha512::digest(message).to_vec(),
        ),
    };
    rsa_key
        .verify(scheme, &hashed, signature)
        .map_err(|_| CryptoError::BadSignature)
}
