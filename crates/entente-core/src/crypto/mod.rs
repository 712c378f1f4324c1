//! The crypto provider: signature algorithms, public keys, verification and signing.
//!
//! All signature verification in entente goes through one [`CryptoProvider`],
//! so the algorithms live in one place and another implementation (an HSM, a
//! FIPS-validated library) can be plugged in. Two providers ship:
//! [`RustCryptoProvider`] (default) and `AwsLcProvider` (cargo feature
//! `aws-lc`). Signing goes through the [`Signer`] trait; [`SigningKey`] is the
//! software implementation, loaded from PKCS#8 PEM.
//!
//! Hashing uses the `sha2` crate directly and is not pluggable.

use core::fmt;

use der::asn1::ObjectIdentifier;
use der::{Decode as _, Encode as _};
use spki::SubjectPublicKeyInfoRef;

mod keys;
mod rustcrypto;

#[cfg(feature = "aws-lc")]
mod awslc;

#[cfg(feature = "aws-lc")]
pub use awslc::AwsLcProvider;
pub use keys::{KeyKind, SigningKey};
pub use rustcrypto::RustCryptoProvider;

/// The smallest RSA modulus accepted, in bits.
pub const RSA_MIN_BITS: usize = 2048;
/// The largest RSA modulus accepted, in bits: verification cost grows with
/// the modulus, so a hostile certificate could otherwise make one check slow.
pub const RSA_MAX_BITS: usize = 8192;

/// A signature algorithm: key type plus hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// ECDSA on P-256 with SHA-256 (COSE `ES256`).
    EcdsaP256Sha256,
    /// ECDSA on P-256 with SHA-384 (allowed by RFC 5758 in certificates).
    EcdsaP256Sha384,
    /// ECDSA on P-384 with SHA-256.
    EcdsaP384Sha256,
    /// ECDSA on P-384 with SHA-384 (COSE `ES384`).
    EcdsaP384Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaPkcs1Sha512,
    /// Ed25519 (RFC 8032, pure).
    Ed25519,
}

impl SignatureAlgorithm {
    /// The key kind this algorithm needs.
    pub const fn key_kind(self) -> KeyKind {
        match self {
            Self::EcdsaP256Sha256 | Self::EcdsaP256Sha384 => KeyKind::P256,
            Self::EcdsaP384Sha256 | Self::EcdsaP384Sha384 => KeyKind::P384,
            Self::RsaPkcs1Sha256 | Self::RsaPkcs1Sha384 | Self::RsaPkcs1Sha512 => KeyKind::Rsa,
            Self::Ed25519 => KeyKind::Ed25519,
        }
    }

    /// Whether this is an ECDSA algorithm (the only ones with two signature encodings).
    pub const fn is_ecdsa(self) -> bool {
        matches!(self.key_kind(), KeyKind::P256 | KeyKind::P384)
    }

    /// The COSE algorithm identifier, for the algorithms COSE envelopes allow.
    pub const fn cose_algorithm(self) -> Option<coset::iana::Algorithm> {
        match self {
            Self::EcdsaP256Sha256 => Some(coset::iana::Algorithm::ES256),
            Self::EcdsaP384Sha384 => Some(coset::iana::Algorithm::ES384),
            Self::Ed25519 => Some(coset::iana::Algorithm::EdDSA),
            _ => None,
        }
    }

    /// The algorithm a COSE algorithm identifier names, if entente supports it.
    pub fn from_cose_algorithm(alg: coset::iana::Algorithm) -> Option<Self> {
        match alg {
            coset::iana::Algorithm::ES256 => Some(Self::EcdsaP256Sha256),
            coset::iana::Algorithm::ES384 => Some(Self::EcdsaP384Sha384),
            coset::iana::Algorithm::EdDSA => Some(Self::Ed25519),
            _ => None,
        }
    }

    /// The algorithm an X.509 `signatureAlgorithm` OID names, if supported.
    pub fn from_x509_oid(oid: &ObjectIdentifier) -> Option<Self> {
        use const_oid::db::rfc5912;
        let alg = if *oid == rfc5912::ECDSA_WITH_SHA_256 {
            // The curve comes from the key; the P-384 variant is chosen by
            // `for_key` when the issuer's key is on P-384.
            Self::EcdsaP256Sha256
        } else if *oid == rfc5912::ECDSA_WITH_SHA_384 {
            Self::EcdsaP384Sha384
        } else if *oid == rfc5912::SHA_256_WITH_RSA_ENCRYPTION {
            Self::RsaPkcs1Sha256
        } else if *oid == rfc5912::SHA_384_WITH_RSA_ENCRYPTION {
            Self::RsaPkcs1Sha384
        } else if *oid == rfc5912::SHA_512_WITH_RSA_ENCRYPTION {
            Self::RsaPkcs1Sha512
        } else if *oid == const_oid::db::rfc8410::ID_ED_25519 {
            Self::Ed25519
        } else {
            return None;
        };
        Some(alg)
    }

    /// Adjusts an ECDSA algorithm to the curve of `key`, keeping the hash:
    /// X.509 names only the hash (`ecdsa-with-SHA256`), the curve is the key's.
    /// Other algorithms are returned unchanged.
    pub const fn for_key(self, key: KeyKind) -> Self {
        match (self, key) {
            (Self::EcdsaP256Sha256 | Self::EcdsaP384Sha256, KeyKind::P256) => Self::EcdsaP256Sha256,
            (Self::EcdsaP256Sha384 | Self::EcdsaP384Sha384, KeyKind::P256) => Self::EcdsaP256Sha384,
            (Self::EcdsaP256Sha256 | Self::EcdsaP384Sha256, KeyKind::P384) => Self::EcdsaP384Sha256,
            (Self::EcdsaP256Sha384 | Self::EcdsaP384Sha384, KeyKind::P384) => Self::EcdsaP384Sha384,
            (other, _) => other,
        }
    }

    /// The X.509 `signatureAlgorithm` OID of this algorithm.
    pub const fn x509_oid(self) -> ObjectIdentifier {
        use const_oid::db::rfc5912;
        match self {
            Self::EcdsaP256Sha256 | Self::EcdsaP384Sha256 => rfc5912::ECDSA_WITH_SHA_256,
            Self::EcdsaP256Sha384 | Self::EcdsaP384Sha384 => rfc5912::ECDSA_WITH_SHA_384,
            Self::RsaPkcs1Sha256 => rfc5912::SHA_256_WITH_RSA_ENCRYPTION,
            Self::RsaPkcs1Sha384 => rfc5912::SHA_384_WITH_RSA_ENCRYPTION,
            Self::RsaPkcs1Sha512 => rfc5912::SHA_512_WITH_RSA_ENCRYPTION,
            Self::Ed25519 => const_oid::db::rfc8410::ID_ED_25519,
        }
    }
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::EcdsaP256Sha256 => "ECDSA P-256 with SHA-256",
            Self::EcdsaP256Sha384 => "ECDSA P-256 with SHA-384",
            Self::EcdsaP384Sha256 => "ECDSA P-384 with SHA-256",
            Self::EcdsaP384Sha384 => "ECDSA P-384 with SHA-384",
            Self::RsaPkcs1Sha256 => "RSA PKCS#1 v1.5 with SHA-256",
            Self::RsaPkcs1Sha384 => "RSA PKCS#1 v1.5 with SHA-384",
            Self::RsaPkcs1Sha512 => "RSA PKCS#1 v1.5 with SHA-512",
            Self::Ed25519 => "Ed25519",
        })
    }
}

/// How an ECDSA signature is encoded. RSA and Ed25519 signatures have one
/// encoding and accept either value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureEncoding {
    /// Fixed-width `r || s`, as COSE requires (RFC 9053 §2.1).
    Fixed,
    /// ASN.1 DER `Ecdsa-Sig-Value`, as X.509 requires (RFC 5758 §3.2).
    Der,
}

/// A public key parsed from a SubjectPublicKeyInfo, in the form the
/// providers consume.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey {
    kind: KeyKind,
    /// SEC1 point (ECDSA), PKCS#1 `RSAPublicKey` DER (RSA), or the 32 raw
    /// bytes (Ed25519).
    material: Box<[u8]>,
    /// RSA modulus size in bits; 0 for other keys.
    rsa_bits: usize,
}

impl PublicKey {
    /// Parses a DER-encoded SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
    ///
    /// Accepts P-256 and P-384 keys (`id-ecPublicKey` with a named curve),
    /// RSA keys (`rsaEncryption`, NULL parameters) of [`RSA_MIN_BITS`] to
    /// [`RSA_MAX_BITS`] bits, and Ed25519 keys (RFC 8410).
    pub fn from_spki_der(spki_der: &[u8]) -> Result<Self, CryptoError> {
        let spki = SubjectPublicKeyInfoRef::from_der(spki_der).map_err(CryptoError::Der)?;
        Self::from_spki(&spki)
    }

    /// Parses an already decoded SubjectPublicKeyInfo.
    pub fn from_spki(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<Self, CryptoError> {
        use const_oid::db::{rfc5912, rfc8410};
        let oid = spki.algorithm.oid;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or(CryptoError::MalformedKey(KeyKind::Rsa))?;
        if oid == rfc5912::ID_EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters_oid()
                .map_err(|_| CryptoError::MissingCurve)?;
            let kind = if curve == rfc5912::SECP_256_R_1 {
                KeyKind::P256
            } else if curve == rfc5912::SECP_384_R_1 {
                KeyKind::P384
            } else {
                return Err(CryptoError::UnsupportedCurve(curve));
            };
            Self::from_sec1(kind, bits)
        } else if oid == rfc5912::RSA_ENCRYPTION {
            Self::from_pkcs1_der(bits)
        } else if oid == rfc8410::ID_ED_25519 {
            if spki.algorithm.parameters.is_some() {
                return Err(CryptoError::MalformedKey(KeyKind::Ed25519));
            }
            Self::ed25519(bits)
        } else {
            Err(CryptoError::UnsupportedKeyAlgorithm(oid))
        }
    }

    /// Builds an ECDSA key from a SEC1-encoded point, checking it lies on the curve.
    pub fn from_sec1(kind: KeyKind, point: &[u8]) -> Result<Self, CryptoError> {
        // INVARIANT: providers receive the uncompressed form, which every
        // backend accepts; decompressing once here keeps verification cheap.
        let uncompressed = match kind {
            KeyKind::P256 => p256::PublicKey::from_sec1_bytes(point)
                .map(|k| p256::EncodedPoint::from(k).as_bytes().to_vec()),
            KeyKind::P384 => p384::PublicKey::from_sec1_bytes(point)
                .map(|k| p384::EncodedPoint::from(k).as_bytes().to_vec()),
            KeyKind::Rsa | KeyKind::Ed25519 => return Err(CryptoError::MalformedKey(kind)),
        }
        .map_err(|_| CryptoError::MalformedKey(kind))?;
        Ok(Self {
            kind,
            material: uncompressed.into_boxed_slice(),
            rsa_bits: 0,
        })
    }

    /// Builds an RSA key from a PKCS#1 `RSAPublicKey` DER encoding.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, CryptoError> {
        use rsa::traits::PublicKeyParts as _;
        let key = parse_rsa(der)?;
        let bits = key.n().bits();
        if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
            return Err(CryptoError::RsaKeySize(bits));
        }
        Ok(Self {
            kind: KeyKind::Rsa,
            material: der.to_vec().into_boxed_slice(),
            rsa_bits: bits,
        })
    }

    /// Builds an Ed25519 key from its 32 bytes, rejecting invalid points.
    pub fn ed25519(bytes: &[u8]) -> Result<Self, CryptoError> {
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|_| CryptoError::MalformedKey(KeyKind::Ed25519))?;
        ed25519_dalek::VerifyingKey::from_bytes(&array)
            .map_err(|_| CryptoError::MalformedKey(KeyKind::Ed25519))?;
        Ok(Self {
            kind: KeyKind::Ed25519,
            material: Box::new(array),
            rsa_bits: 0,
        })
    }

    /// The kind of key.
    pub const fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The key material: SEC1 uncompressed point (ECDSA), PKCS#1
    /// `RSAPublicKey` DER (RSA), or 32 bytes (Ed25519).
    pub fn material(&self) -> &[u8] {
        &self.material
    }

    /// The RSA modulus size in bits, or `None` for other keys.
    pub const fn rsa_bits(&self) -> Option<usize> {
        match self.kind {
            KeyKind::Rsa => Some(self.rsa_bits),
            _ => None,
        }
    }

    /// The DER SubjectPublicKeyInfo of this key.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, CryptoError> {
        use const_oid::db::{rfc5912, rfc8410};
        let (oid, params) = match self.kind {
            KeyKind::P256 => (
                rfc5912::ID_EC_PUBLIC_KEY,
                Some(der::Any::from(rfc5912::SECP_256_R_1)),
            ),
            KeyKind::P384 => (
                rfc5912::ID_EC_PUBLIC_KEY,
                Some(der::Any::from(rfc5912::SECP_384_R_1)),
            ),
            KeyKind::Rsa => (rfc5912::RSA_ENCRYPTION, Some(der::Any::null())),
            KeyKind::Ed25519 => (rfc8410::ID_ED_25519, None),
        };
        let spki = spki::SubjectPublicKeyInfoOwned {
            algorithm: spki::AlgorithmIdentifierOwned {
                oid,
                parameters: params,
            },
            subject_public_key: der::asn1::BitString::from_bytes(&self.material)
                .map_err(CryptoError::Der)?,
        };
        spki.to_der().map_err(CryptoError::Der)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PublicKey({:?}, sha256:{})",
            self.kind,
            crate::Digest256::sha256(&self.material)
        )
    }
}

/// Verifies signatures. Implementations must be constant-time where the
/// underlying primitive requires it and must never panic on hostile input.
pub trait CryptoProvider: Send + Sync + fmt::Debug {
    /// A short name for reports (`"rustcrypto"`, `"aws-lc"`).
    fn name(&self) -> &'static str;

    /// Verifies `signature` over `message` with `key` under `algorithm`.
    ///
    /// `encoding` selects the ECDSA signature encoding and is ignored for
    /// other algorithms. Fails with [`CryptoError::KeyMismatch`] when the key
    /// is not of the kind the algorithm needs.
    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        encoding: SignatureEncoding,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError>;
}

/// Produces signatures with a private key it holds (a software key, an HSM).
pub trait Signer: Send + Sync + fmt::Debug {
    /// The algorithm this signer uses.
    fn algorithm(&self) -> SignatureAlgorithm;

    /// The signer's public key.
    fn public_key(&self) -> &PublicKey;

    /// Signs `message`, encoding an ECDSA signature as `encoding`.
    fn sign(&self, message: &[u8], encoding: SignatureEncoding) -> Result<Vec<u8>, CryptoError>;
}

/// The provider entente uses unless told otherwise: `AwsLcProvider` when the
/// `aws-lc` feature is enabled, [`RustCryptoProvider`] otherwise.
pub fn default_provider() -> &'static dyn CryptoProvider {
    #[cfg(feature = "aws-lc")]
    {
        &AwsLcProvider
    }
    #[cfg(not(feature = "aws-lc"))]
    {
        &RustCryptoProvider
    }
}

/// Parses a PKCS#1 `RSAPublicKey`, allowing moduli up to [`RSA_MAX_BITS`].
pub(crate) fn parse_rsa(der: &[u8]) -> Result<rsa::RsaPublicKey, CryptoError> {
    let parsed = rsa::pkcs1::RsaPublicKey::from_der(der)
        .map_err(|_| CryptoError::MalformedKey(KeyKind::Rsa))?;
    rsa::RsaPublicKey::new_with_max_size(
        rsa::BigUint::from_bytes_be(parsed.modulus.as_bytes()),
        rsa::BigUint::from_bytes_be(parsed.public_exponent.as_bytes()),
        RSA_MAX_BITS,
    )
    .map_err(|_| CryptoError::MalformedKey(KeyKind::Rsa))
}

/// Checks that `key` suits `algorithm`, the check every provider starts with.
pub(crate) fn check_key(algorithm: SignatureAlgorithm, key: &PublicKey) -> Result<(), CryptoError> {
    if algorithm.key_kind() != key.kind() {
        return Err(CryptoError::KeyMismatch {
            algorithm,
            key: key.kind(),
        });
    }
    Ok(())
}

/// Errors from keys, signatures and providers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The signature did not verify.
    #[error("signature does not verify")]
    BadSignature,
    /// The signature bytes are not a well-formed signature for the algorithm.
    #[error("malformed {0} signature")]
    MalformedSignature(SignatureAlgorithm),
    /// The key is not of the kind the algorithm needs.
    #[error("{algorithm} cannot be used with a {key:?} key")]
    KeyMismatch {
        /// The algorithm requested.
        algorithm: SignatureAlgorithm,
        /// The key kind given.
        key: KeyKind,
    },
    /// The key bytes do not encode a valid key.
    #[error("malformed {0:?} public key")]
    MalformedKey(KeyKind),
    /// The SubjectPublicKeyInfo names a key algorithm entente does not support.
    #[error("unsupported key algorithm {0}")]
    UnsupportedKeyAlgorithm(ObjectIdentifier),
    /// The elliptic curve is not P-256 or P-384.
    #[error("unsupported elliptic curve {0}")]
    UnsupportedCurve(ObjectIdentifier),
    /// An EC key without a named curve.
    #[error("elliptic-curve key without a named curve")]
    MissingCurve,
    /// An RSA modulus outside the accepted range.
    #[error("RSA modulus of {0} bits is outside the accepted 2048..=8192")]
    RsaKeySize(usize),
    /// The algorithm is not available from this provider or signer.
    #[error("{0} is not supported here")]
    UnsupportedAlgorithm(SignatureAlgorithm),
    /// DER encoding or decoding failed.
    #[error("DER: {0}")]
    Der(der::Error),
    /// A private key could not be read.
    #[error("private key: {0}")]
    PrivateKey(pkcs8::Error),
    /// Signing failed in the backend.
    #[error("signing failed")]
    Signing,
}

#[cfg(test)]
mod tests;
