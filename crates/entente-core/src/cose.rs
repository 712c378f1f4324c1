//! COSE envelopes (RFC 9052) for entente's signed documents.
//!
//! One signer: tagged `COSE_Sign1` (tag 18). Several signers: tagged
//! `COSE_Sign` (tag 98). The profile entente uses:
//!
//! - algorithms `ES256` and `ES384` (RFC 9053 §2.1), signatures as raw
//!   `r || s`; anything else is [`CoseError::UnsupportedAlgorithm`];
//! - the document's content type in the body's protected header (label 3);
//! - each signature's algorithm (label 1) and `kid` (label 4) in its protected
//!   header; `kid` is SHA-256 of the signer's certificate DER;
//! - empty unprotected headers, no `crit` parameters, attached payloads, and
//!   empty external AAD;
//! - signatures are verified over the protected-header and payload bytes as
//!   received (coset keeps them), never over a re-encoding;
//! - the payload is deterministic CBOR, decoded strictly only after every
//!   signature verified.
//!
//! An artifact's identity ([`ArtifactId`]) is SHA-256 over the body's
//! protected header and the payload, with a domain separator — never over the
//! whole envelope, because ECDSA signatures are malleable (`s` and `n - s`
//! both verify) and because co-signing a `COSE_Sign` must not change what the
//! document is.

use core::marker::PhantomData;

use coset::{
    CoseSign, CoseSign1, CoseSign1Builder, CoseSignBuilder, CoseSignatureBuilder, Header,
    HeaderBuilder, ProtectedHeader, TaggedCborSerializable as _, iana,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::cbor::{self, CborError, Limits};
use crate::crypto::{
    CryptoError, CryptoProvider, PublicKey, SignatureAlgorithm, SignatureEncoding, Signer,
};
use crate::id::{ArtifactId, Digest256};

/// A document type that travels in a COSE envelope.
pub trait Document: Serialize + DeserializeOwned {
    /// The content type written to, and required in, the protected header,
    /// e.g. `application/vnd.entente.policy+cbor`.
    const CONTENT_TYPE: &'static str;
}

/// The key identifier of a signer: SHA-256 of its certificate's DER.
pub fn key_id_for_certificate(certificate_der: &[u8]) -> Digest256 {
    Digest256::sha256(certificate_der)
}

/// Computes the artifact identity over a protected header and a payload.
///
/// `SHA-256("entente/artifact/v1\0" || be64(len(protected)) || protected || payload)`;
/// the length prefix keeps the split between the two unambiguous.
pub fn artifact_id(protected: &[u8], payload: &[u8]) -> ArtifactId {
    let len = u64::try_from(protected.len()).unwrap_or(u64::MAX);
    ArtifactId::from_digest(Digest256::sha256_parts(&[
        b"entente/artifact/v1\0",
        &len.to_be_bytes(),
        protected,
        payload,
    ]))
}

/// Which COSE structure an envelope is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvelopeKind {
    /// `COSE_Sign1`, one signer.
    Sign1,
    /// `COSE_Sign`, one or more signers.
    Sign,
}

/// One signature's header data, readable before verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureInfo {
    /// The signer's key identifier (SHA-256 of its certificate DER).
    pub kid: Digest256,
    /// The algorithm the signature claims.
    pub algorithm: SignatureAlgorithm,
}

/// A parsed but not yet verified envelope. Nothing in it is trustworthy
/// until [`Envelope::verify`] returns a [`VerifiedEnvelope`].
#[derive(Clone, Debug)]
pub struct Envelope {
    kind: EnvelopeKind,
    content_type: String,
    artifact_id: ArtifactId,
    signatures: Vec<SignatureInfo>,
    inner: Inner,
}

#[derive(Clone, Debug)]
enum Inner {
    Sign1(CoseSign1),
    Sign(CoseSign),
}

/// Largest envelope accepted by [`Envelope::from_slice`]: a document's
/// limit plus room for headers and signatures.
pub const MAX_ENVELOPE_SIZE: usize = Limits::DOCUMENT.max_size + 64 * 1024;

/// Most signatures on one `COSE_Sign`: a translation is co-signed by a few
/// translators; 64 leaves room while bounding verification work.
pub const MAX_SIGNERS: usize = 64;

impl Envelope {
    /// Parses a tagged `COSE_Sign1` or `COSE_Sign` and checks entente's
    /// profile (see the module documentation). Signatures are not checked.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CoseError> {
        if bytes.len() > MAX_ENVELOPE_SIZE {
            return Err(CoseError::TooLarge {
                size: bytes.len(),
                limit: MAX_ENVELOPE_SIZE,
            });
        }
        match bytes.first() {
            // Tag 18 is 0xd2; tag 98 is 0xd8 0x62.
            Some(0xd2) => Self::from_sign1(CoseSign1::from_tagged_slice(bytes).map_err(malformed)?),
            Some(0xd8) if bytes.get(1) == Some(&0x62) => {
                Self::from_sign(CoseSign::from_tagged_slice(bytes).map_err(malformed)?)
            }
            _ => Err(CoseError::NotTagged),
        }
    }

    fn from_sign1(sign1: CoseSign1) -> Result<Self, CoseError> {
        check_unprotected(&sign1.unprotected)?;
        let protected = protected_bytes(&sign1.protected)?;
        let content_type = content_type(&sign1.protected.header)?;
        let info = signature_info(&sign1.protected.header)?;
        let payload = sign1.payload.as_deref().ok_or(CoseError::DetachedPayload)?;
        Ok(Self {
            kind: EnvelopeKind::Sign1,
            content_type,
            artifact_id: artifact_id(protected, payload),
            signatures: vec![info],
            inner: Inner::Sign1(sign1),
        })
    }

    fn from_sign(sign: CoseSign) -> Result<Self, CoseError> {
        check_unprotected(&sign.unprotected)?;
        let protected = protected_bytes(&sign.protected)?;
        let content_type = content_type(&sign.protected.header)?;
        if sign.protected.header.alg.is_some() || !sign.protected.header.key_id.is_empty() {
            return Err(CoseError::MisplacedHeader);
        }
        if sign.signatures.is_empty() {
            return Err(CoseError::NoSignature);
        }
        if sign.signatures.len() > MAX_SIGNERS {
            return Err(CoseError::TooManySigners {
                count: sign.signatures.len(),
                limit: MAX_SIGNERS,
            });
        }
        let mut signatures = Vec::with_capacity(sign.signatures.len());
        for signature in &sign.signatures {
            check_unprotected(&signature.unprotected)?;
            protected_bytes(&signature.protected)?;
            if signature.protected.header.content_type.is_some() {
                return Err(CoseError::MisplacedHeader);
            }
            let info = signature_info(&signature.protected.header)?;
            if signatures.iter().any(|s: &SignatureInfo| s.kid == info.kid) {
                return Err(CoseError::DuplicateSigner(info.kid));
            }
            signatures.push(info);
        }
        let payload = sign.payload.as_deref().ok_or(CoseError::DetachedPayload)?;
        Ok(Self {
            kind: EnvelopeKind::Sign,
            content_type,
            artifact_id: artifact_id(protected, payload),
            signatures,
            inner: Inner::Sign(sign),
        })
    }

    /// Which COSE structure this is.
    pub fn kind(&self) -> EnvelopeKind {
        self.kind
    }

    /// The content type from the protected header.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The artifact identity (see [`artifact_id`]).
    pub fn artifact_id(&self) -> ArtifactId {
        self.artifact_id
    }

    /// The signatures' key identifiers and algorithms, in envelope order.
    pub fn signatures(&self) -> &[SignatureInfo] {
        &self.signatures
    }

    /// The payload bytes, unverified. Only for diagnostics and for locating
    /// the signer; decide nothing on them before [`Envelope::verify`].
    pub fn unverified_payload(&self) -> &[u8] {
        match &self.inner {
            Inner::Sign1(s) => s.payload.as_deref(),
            Inner::Sign(s) => s.payload.as_deref(),
        }
        .unwrap_or_default()
    }

    /// Verifies every signature, `keys[i]` for the `i`-th signature, then
    /// strictly decodes the payload as `T`.
    ///
    /// The caller resolves each `kid` to a key it trusts (for entente, a
    /// certificate whose chain it validated) before calling. The content
    /// type must be `T`'s.
    pub fn verify<T: Document>(
        &self,
        provider: &dyn CryptoProvider,
        keys: &[&PublicKey],
    ) -> Result<VerifiedEnvelope<T>, CoseError> {
        if self.content_type != T::CONTENT_TYPE {
            return Err(CoseError::ContentType {
                expected: T::CONTENT_TYPE,
                found: self.content_type.clone(),
            });
        }
        if keys.len() != self.signatures.len() {
            return Err(CoseError::KeyCount {
                signatures: self.signatures.len(),
                keys: keys.len(),
            });
        }
        for (index, (info, key)) in self.signatures.iter().zip(keys).enumerate() {
            let check = |signature: &[u8], tbs: &[u8]| {
                provider.verify(
                    info.algorithm,
                    SignatureEncoding::Fixed,
                    key,
                    tbs,
                    signature,
                )
            };
            let result = match &self.inner {
                Inner::Sign1(s) => s.verify_signature(&[], check),
                Inner::Sign(s) => s.verify_signature(index, &[], check),
            };
            result.map_err(|source| CoseError::Signature { index, source })?;
        }
        let document = cbor::from_slice(self.unverified_payload()).map_err(CoseError::Payload)?;
        Ok(VerifiedEnvelope {
            document,
            artifact_id: self.artifact_id,
            signers: self.signatures.clone(),
            _proof: PhantomData,
        })
    }
}

/// A document whose every signature verified. Only [`Envelope::verify`]
/// constructs one.
#[derive(Clone, Debug)]
pub struct VerifiedEnvelope<T> {
    document: T,
    artifact_id: ArtifactId,
    signers: Vec<SignatureInfo>,
    _proof: PhantomData<fn() -> T>,
}

impl<T> VerifiedEnvelope<T> {
    /// The verified document.
    pub fn document(&self) -> &T {
        &self.document
    }

    /// The verified document, consuming the proof.
    pub fn into_document(self) -> T {
        self.document
    }

    /// The artifact identity.
    pub fn artifact_id(&self) -> ArtifactId {
        self.artifact_id
    }

    /// The signers whose signatures verified, in envelope order.
    pub fn signers(&self) -> &[SignatureInfo] {
        &self.signers
    }
}

/// Signs `document` as a tagged `COSE_Sign1`, returning the envelope bytes.
pub fn sign1<T: Document>(
    document: &T,
    signer: &dyn Signer,
    kid: &Digest256,
) -> Result<Vec<u8>, CoseError> {
    let alg = cose_algorithm(signer)?;
    let payload = cbor::to_vec(document).map_err(CoseError::Payload)?;
    let protected = HeaderBuilder::new()
        .algorithm(alg)
        .content_type(T::CONTENT_TYPE.to_owned())
        .key_id(kid.as_bytes().to_vec())
        .build();
    CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .try_create_signature(&[], |tbs| signer.sign(tbs, SignatureEncoding::Fixed))
        .map_err(CoseError::Signing)?
        .build()
        .to_tagged_vec()
        .map_err(malformed)
}

/// Signs `document` as a tagged `COSE_Sign` with every signer in order.
pub fn sign<T: Document>(
    document: &T,
    signers: &[(&dyn Signer, Digest256)],
) -> Result<Vec<u8>, CoseError> {
    if signers.is_empty() {
        return Err(CoseError::NoSignature);
    }
    let payload = cbor::to_vec(document).map_err(CoseError::Payload)?;
    let protected = HeaderBuilder::new()
        .content_type(T::CONTENT_TYPE.to_owned())
        .build();
    let mut sign = CoseSignBuilder::new()
        .protected(protected)
        .payload(payload)
        .build();
    for (signer, kid) in signers {
        sign = add_signature(sign, *signer, kid)?;
    }
    sign.to_tagged_vec().map_err(malformed)
}

/// Adds a signature to an existing tagged `COSE_Sign`, keeping its body (and
/// so its [`ArtifactId`]) unchanged. Existing signatures are not checked here.
pub fn cosign(envelope: &[u8], signer: &dyn Signer, kid: &Digest256) -> Result<Vec<u8>, CoseError> {
    let parsed = Envelope::from_slice(envelope)?;
    let Inner::Sign(sign) = parsed.inner else {
        return Err(CoseError::NotMultiSigner);
    };
    if parsed.signatures.iter().any(|s| s.kid == *kid) {
        return Err(CoseError::DuplicateSigner(*kid));
    }
    add_signature(sign, signer, kid)?
        .to_tagged_vec()
        .map_err(malformed)
}

fn add_signature(
    mut sign: CoseSign,
    signer: &dyn Signer,
    kid: &Digest256,
) -> Result<CoseSign, CoseError> {
    let alg = cose_algorithm(signer)?;
    let protected = HeaderBuilder::new()
        .algorithm(alg)
        .key_id(kid.as_bytes().to_vec())
        .build();
    let signature = CoseSignatureBuilder::new().protected(protected).build();
    // coset's builder needs the whole structure; rebuild from its parts so
    // the body's protected bytes stay exactly as they were.
    let index = sign.signatures.len();
    sign.signatures.push(signature);
    let tbs = sign.tbs_data(
        &[],
        sign.signatures.get(index).ok_or(CoseError::NoSignature)?,
    );
    let bytes = signer
        .sign(&tbs, SignatureEncoding::Fixed)
        .map_err(CoseError::Signing)?;
    if let Some(last) = sign.signatures.get_mut(index) {
        last.signature = bytes;
    }
    Ok(sign)
}

fn cose_algorithm(signer: &dyn Signer) -> Result<iana::Algorithm, CoseError> {
    let alg = signer.algorithm();
    match alg {
        SignatureAlgorithm::EcdsaP256Sha256 => Ok(iana::Algorithm::ES256),
        SignatureAlgorithm::EcdsaP384Sha384 => Ok(iana::Algorithm::ES384),
        other => Err(CoseError::UnsupportedSigner(other)),
    }
}

fn malformed(err: coset::CoseError) -> CoseError {
    CoseError::Malformed(err.to_string())
}

fn protected_bytes(protected: &ProtectedHeader) -> Result<&[u8], CoseError> {
    // coset records the bytes it parsed; an envelope built here is re-parsed
    // before use, so a missing record means a structure we did not parse.
    protected
        .original_data
        .as_deref()
        .ok_or(CoseError::MisplacedHeader)
}

fn check_unprotected(header: &Header) -> Result<(), CoseError> {
    if header.is_empty() {
        Ok(())
    } else {
        Err(CoseError::UnprotectedHeader)
    }
}

fn content_type(header: &Header) -> Result<String, CoseError> {
    if !header.crit.is_empty() {
        return Err(CoseError::CriticalHeader);
    }
    match &header.content_type {
        Some(coset::ContentType::Text(text)) => Ok(text.clone()),
        Some(_) => Err(CoseError::MissingContentType),
        None => Err(CoseError::MissingContentType),
    }
}

fn signature_info(header: &Header) -> Result<SignatureInfo, CoseError> {
    if !header.crit.is_empty() {
        return Err(CoseError::CriticalHeader);
    }
    let algorithm = match &header.alg {
        Some(coset::Algorithm::Assigned(iana::Algorithm::ES256)) => {
            SignatureAlgorithm::EcdsaP256Sha256
        }
        Some(coset::Algorithm::Assigned(iana::Algorithm::ES384)) => {
            SignatureAlgorithm::EcdsaP384Sha384
        }
        Some(coset::Algorithm::Assigned(other)) => {
            return Err(CoseError::UnsupportedAlgorithm(*other as i64));
        }
        Some(coset::Algorithm::PrivateUse(value)) => {
            return Err(CoseError::UnsupportedAlgorithm(*value));
        }
        Some(coset::Algorithm::Text(_)) => return Err(CoseError::UnsupportedAlgorithm(0)),
        None => return Err(CoseError::MissingAlgorithm),
    };
    let kid = Digest256::from_slice(&header.key_id).map_err(|_| CoseError::KeyId {
        length: header.key_id.len(),
    })?;
    Ok(SignatureInfo { kid, algorithm })
}

/// Errors from making, parsing or verifying envelopes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoseError {
    /// The bytes are not a well-formed COSE structure (message from coset).
    #[error("malformed COSE structure: {0}")]
    Malformed(String),
    /// Not a tagged `COSE_Sign1` (18) or `COSE_Sign` (98).
    #[error("not a tagged COSE_Sign1 or COSE_Sign")]
    NotTagged,
    /// Larger than [`MAX_ENVELOPE_SIZE`].
    #[error("envelope of {size} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// Envelope size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// More signatures than [`MAX_SIGNERS`].
    #[error("{count} signatures exceed the limit of {limit}")]
    TooManySigners {
        /// Signatures present.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The algorithm (a COSE algorithm value) is not ES256 or ES384.
    #[error("unsupported COSE algorithm {0}")]
    UnsupportedAlgorithm(i64),
    /// A signer whose key cannot make an entente COSE signature.
    #[error("{0} cannot sign entente envelopes (ES256 or ES384 only)")]
    UnsupportedSigner(SignatureAlgorithm),
    /// No algorithm in a signature's protected header.
    #[error("missing algorithm in the protected header")]
    MissingAlgorithm,
    /// `kid` absent or not 32 bytes.
    #[error("key identifier of {length} bytes, expected a 32-byte certificate digest")]
    KeyId {
        /// Length found.
        length: usize,
    },
    /// No text content type in the protected header.
    #[error("missing content type in the protected header")]
    MissingContentType,
    /// The content type is not the one the caller expects.
    #[error("content type `{found}`, expected `{expected}`")]
    ContentType {
        /// Expected content type.
        expected: &'static str,
        /// Content type found.
        found: String,
    },
    /// A header parameter where entente's profile does not allow it.
    #[error("header parameter in the wrong header")]
    MisplacedHeader,
    /// A non-empty unprotected header.
    #[error("unprotected header parameters are not accepted")]
    UnprotectedHeader,
    /// A `crit` header parameter.
    #[error("critical header parameters are not supported")]
    CriticalHeader,
    /// No payload in the envelope.
    #[error("detached payloads are not accepted")]
    DetachedPayload,
    /// A `COSE_Sign` with no signature, or signing with no signer.
    #[error("no signature")]
    NoSignature,
    /// Two signatures with the same `kid`.
    #[error("signer {0} appears twice")]
    DuplicateSigner(Digest256),
    /// Co-signing something that is not a `COSE_Sign`.
    #[error("only a COSE_Sign can be co-signed")]
    NotMultiSigner,
    /// The caller gave a different number of keys than there are signatures.
    #[error("{signatures} signatures but {keys} keys")]
    KeyCount {
        /// Signatures in the envelope.
        signatures: usize,
        /// Keys given.
        keys: usize,
    },
    /// A signature failed to verify.
    #[error("signature {index}: {source}")]
    Signature {
        /// Index of the signature in the envelope.
        index: usize,
        /// Why it failed.
        #[source]
        source: CryptoError,
    },
    /// Signing failed.
    #[error("signing failed: {0}")]
    Signing(#[source] CryptoError),
    /// The payload is not a valid document.
    #[error("payload: {0}")]
    Payload(#[source] CborError),
}

#[cfg(test)]
mod tests;
