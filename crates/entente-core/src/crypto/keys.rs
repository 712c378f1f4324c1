//! Software signing keys loaded from PKCS#8 PEM.

use core::fmt;

use pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, LineEnding};
use signature::Signer as _;

use super::{CryptoError, PublicKey, SignatureAlgorithm, SignatureEncoding, Signer};
use crate::Digest256;

/// The kind of a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// ECDSA on NIST P-256.
    P256,
    /// ECDSA on NIST P-384.
    P384,
    /// RSA (verification only).
    Rsa,
    /// Ed25519.
    Ed25519,
}

/// A private key held in memory: ECDSA P-256 or P-384, or Ed25519.
///
/// ECDSA signatures are deterministic (RFC 6979), so the same key and
/// message always give the same signature. RSA private keys are not
/// supported: entente verifies RSA chains from existing national PKIs but
/// issues with elliptic-curve or Ed25519 keys.
pub struct SigningKey {
    inner: Inner,
    public: PublicKey,
}

enum Inner {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

impl SigningKey {
    /// Loads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`), as
    /// written by `openssl genpkey` or [`SigningKey::to_pkcs8_pem`].
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, CryptoError> {
        let (label, der) = pem_rfc7468_decode(pem)?;
        if label != "PRIVATE KEY" {
            return Err(CryptoError::PrivateKey(pkcs8::Error::KeyMalformed));
        }
        Self::from_pkcs8_der(&der)
    }

    /// Loads a PKCS#8 DER private key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        let info = pkcs8::PrivateKeyInfo::try_from(der).map_err(CryptoError::PrivateKey)?;
        let oid = info.algorithm.oid;
        let inner = if oid == const_oid::db::rfc8410::ID_ED_25519 {
            Inner::Ed25519(
                ed25519_dalek::SigningKey::from_pkcs8_der(der)
                    .map_err(|_| CryptoError::PrivateKey(pkcs8::Error::KeyMalformed))?,
            )
        } else if oid == const_oid::db::rfc5912::ID_EC_PUBLIC_KEY {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|_| CryptoError::MissingCurve)?;
            if curve == const_oid::db::rfc5912::SECP_256_R_1 {
                Inner::P256(
                    p256::ecdsa::SigningKey::from_pkcs8_der(der)
                        .map_err(CryptoError::PrivateKey)?,
                )
            } else if curve == const_oid::db::rfc5912::SECP_384_R_1 {
                Inner::P384(
                    p384::ecdsa::SigningKey::from_pkcs8_der(der)
                        .map_err(CryptoError::PrivateKey)?,
                )
            } else {
                return Err(CryptoError::UnsupportedCurve(curve));
            }
        } else {
            return Err(CryptoError::UnsupportedKeyAlgorithm(oid));
        };
        Self::from_inner(inner)
    }

    /// Generates a fresh key from the operating system's random source.
    pub fn generate(kind: KeyKind) -> Result<Self, CryptoError> {
        let mut rng = rand_core::OsRng;
        let inner = match kind {
            KeyKind::P256 => Inner::P256(p256::ecdsa::SigningKey::random(&mut rng)),
            KeyKind::P384 => Inner::P384(p384::ecdsa::SigningKey::random(&mut rng)),
            KeyKind::Ed25519 => Inner::Ed25519(ed25519_dalek::SigningKey::generate(&mut rng)),
            KeyKind::Rsa => {
                return Err(CryptoError::UnsupportedAlgorithm(
                    SignatureAlgorithm::RsaPkcs1Sha256,
                ));
            }
        };
        Self::from_inner(inner)
    }

    /// Derives a key deterministically from `seed` and a `label`.
    ///
    /// For reproducible test fixtures and the deterministic demo only: the
    /// key is exactly as secret as the seed.
    pub fn derive_from_seed(kind: KeyKind, seed: &[u8], label: &str) -> Result<Self, CryptoError> {
        for counter in 0u32..=255 {
            let bytes = Digest256::sha256_parts(&[
                b"entente/derived-key/v1\0",
                seed,
                b"\0",
                label.as_bytes(),
                &counter.to_be_bytes(),
            ]);
            let candidate = match kind {
                KeyKind::P256 => p256::ecdsa::SigningKey::from_slice(bytes.as_bytes())
                    .ok()
                    .map(Inner::P256),
                KeyKind::P384 => {
                    let more = Digest256::sha256_parts(&[bytes.as_bytes(), b"p384"]);
                    let mut wide = [0u8; 48];
                    for (dst, src) in wide
                        .iter_mut()
                        .zip(bytes.as_bytes().iter().chain(more.as_bytes().iter()))
                    {
                        *dst = *src;
                    }
                    p384::ecdsa::SigningKey::from_slice(&wide)
                        .ok()
                        .map(Inner::P384)
                }
                KeyKind::Ed25519 => Some(Inner::Ed25519(ed25519_dalek::SigningKey::from_bytes(
                    bytes.as_bytes(),
                ))),
                KeyKind::Rsa => {
                    return Err(CryptoError::UnsupportedAlgorithm(
                        SignatureAlgorithm::RsaPkcs1Sha256,
                    ));
                }
            };
            if let Some(inner) = candidate {
                return Self::from_inner(inner);
            }
        }
        // A SHA-256 output is a valid scalar with overwhelming probability;
        // 256 consecutive failures cannot happen in practice.
        Err(CryptoError::Signing)
    }

    fn from_inner(inner: Inner) -> Result<Self, CryptoError> {
        let public = match &inner {
            Inner::P256(k) => PublicKey::from_sec1(
                KeyKind::P256,
                k.verifying_key().to_encoded_point(false).as_bytes(),
            )?,
            Inner::P384(k) => PublicKey::from_sec1(
                KeyKind::P384,
                k.verifying_key().to_encoded_point(false).as_bytes(),
            )?,
            Inner::Ed25519(k) => PublicKey::ed25519(k.verifying_key().as_bytes())?,
        };
        Ok(Self { inner, public })
    }

    /// The kind of this key.
    pub fn kind(&self) -> KeyKind {
        self.public.kind()
    }

    /// The private key as PKCS#8 PEM.
    pub fn to_pkcs8_pem(&self) -> Result<String, CryptoError> {
        let doc = match &self.inner {
            Inner::P256(k) => k.to_pkcs8_pem(LineEnding::LF),
            Inner::P384(k) => k.to_pkcs8_pem(LineEnding::LF),
            Inner::Ed25519(k) => k.to_pkcs8_pem(LineEnding::LF),
        }
        .map_err(CryptoError::PrivateKey)?;
        Ok(doc.to_string())
    }
}

/// Decodes one PEM block, returning its label and contents.
fn pem_rfc7468_decode(pem: &str) -> Result<(String, Vec<u8>), CryptoError> {
    let (label, der) = der::pem::decode_vec(pem.trim().as_bytes())
        .map_err(|e| CryptoError::Der(der::Error::from(e)))?;
    Ok((label.to_owned(), der))
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print private material.
        write!(f, "SigningKey({:?})", self.public)
    }
}

impl Signer for SigningKey {
    fn algorithm(&self) -> SignatureAlgorithm {
        match self.inner {
            Inner::P256(_) => SignatureAlgorithm::EcdsaP256Sha256,
            Inner::P384(_) => SignatureAlgorithm::EcdsaP384Sha384,
            Inner::Ed25519(_) => SignatureAlgorithm::Ed25519,
        }
    }

    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, message: &[u8], encoding: SignatureEncoding) -> Result<Vec<u8>, CryptoError> {
        Ok(match (&self.inner, encoding) {
            (Inner::P256(k), SignatureEncoding::Fixed) => {
                let sig: p256::ecdsa::Signature =
                    k.try_sign(message).map_err(|_| CryptoError::Signing)?;
                sig.to_bytes().to_vec()
            }
            (Inner::P256(k), SignatureEncoding::Der) => {
                let sig: p256::ecdsa::Signature =
                    k.try_sign(message).map_err(|_| CryptoError::Signing)?;
                sig.to_der().as_bytes().to_vec()
            }
            (Inner::P384(k), SignatureEncoding::Fixed) => {
                let sig: p384::ecdsa::Signature =
                    k.try_sign(message).map_err(|_| CryptoError::Signing)?;
                sig.to_bytes().to_vec()
            }
            (Inner::P384(k), SignatureEncoding::Der) => {
                let sig: p384::ecdsa::Signature =
                    k.try_sign(message).map_err(|_| CryptoError::Signing)?;
                sig.to_der().as_bytes().to_vec()
            }
            (Inner::Ed25519(k), _) => k.sign(message).to_bytes().to_vec(),
        })
    }
}
