//! Formats: JSON for authoring, canonical CBOR for signing, COSE envelopes.

use entente_core::cose;
use entente_core::{CryptoProvider, Digest256, Document, PublicKey, Signer, VerifiedEnvelope};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{FormatError, ValidationError};
use crate::limits::Limits;
use crate::policy::Policy;
use crate::vocabulary::Vocabulary;

/// A document that checks its own consistency.
trait Validated: Document + Serialize + DeserializeOwned {
    fn check(&self) -> Result<(), ValidationError>;
}

impl Validated for Vocabulary {
    fn check(&self) -> Result<(), ValidationError> {
        self.validate()
    }
}

impl Validated for Policy {
    fn check(&self) -> Result<(), ValidationError> {
        self.validate()
    }
}

fn from_json<T: Validated>(text: &str) -> Result<T, FormatError> {
    if text.len() > Limits::MAX_JSON_BYTES {
        return Err(FormatError::TooLarge {
            size: text.len(),
            limit: Limits::MAX_JSON_BYTES,
        });
    }
    let document: T = serde_json::from_str(text).map_err(FormatError::Json)?;
    document.check().map_err(FormatError::Invalid)?;
    Ok(document)
}

fn to_json<T: Validated>(document: &T) -> Result<String, FormatError> {
    let mut text = serde_json::to_string_pretty(document).map_err(FormatError::Json)?;
    text.push('\n');
    Ok(text)
}

fn from_cbor<T: Validated>(bytes: &[u8]) -> Result<T, FormatError> {
    let document: T = entente_core::cbor::from_slice(bytes).map_err(FormatError::Cbor)?;
    document.check().map_err(FormatError::Invalid)?;
    Ok(document)
}

fn to_cbor<T: Validated>(document: &T) -> Result<Vec<u8>, FormatError> {
    entente_core::cbor::to_vec(document).map_err(FormatError::Cbor)
}

fn sign<T: Validated>(
    document: &T,
    signer: &dyn Signer,
    kid: &Digest256,
) -> Result<Vec<u8>, FormatError> {
    document.check().map_err(FormatError::Invalid)?;
    cose::sign1(document, signer, kid).map_err(FormatError::Envelope)
}

fn verify<T: Validated>(
    envelope: &[u8],
    provider: &dyn CryptoProvider,
    key: &PublicKey,
) -> Result<VerifiedEnvelope<T>, FormatError> {
    let verified = cose::Envelope::from_slice(envelope)
        .and_then(|e| e.verify::<T>(provider, &[key]))
        .map_err(FormatError::Envelope)?;
    verified.document().check().map_err(FormatError::Invalid)?;
    Ok(verified)
}

macro_rules! formats {
    ($ty:ty, $what:literal) => {
        impl $ty {
            #[doc = concat!("Reads a ", $what, " from its JSON authoring form and validates it.")]
            pub fn from_json(text: &str) -> Result<Self, FormatError> {
                from_json(text)
            }

            #[doc = concat!("Writes the ", $what, " as pretty JSON (ids as hex).")]
            pub fn to_json(&self) -> Result<String, FormatError> {
                to_json(self)
            }

            #[doc = concat!("Strictly decodes a ", $what, " from canonical CBOR and validates it.")]
            pub fn from_cbor(bytes: &[u8]) -> Result<Self, FormatError> {
                from_cbor(bytes)
            }

            #[doc = concat!("Encodes the ", $what, " as canonical CBOR.")]
            pub fn to_cbor(&self) -> Result<Vec<u8>, FormatError> {
                to_cbor(self)
            }

            #[doc = concat!("Validates the ", $what, " and signs it as a tagged `COSE_Sign1`; `kid` is SHA-256 of the signer's certificate.")]
            pub fn sign(&self, signer: &dyn Signer, kid: &Digest256) -> Result<Vec<u8>, FormatError> {
                sign(self, signer, kid)
            }

            #[doc = concat!("Verifies a single-signer envelope holding a ", $what, " under `key` (which the caller resolved from the `kid` and trusts), then validates the document.")]
            pub fn verify(
                envelope: &[u8],
                provider: &dyn CryptoProvider,
                key: &PublicKey,
            ) -> Result<VerifiedEnvelope<Self>, FormatError> {
                verify(envelope, provider, key)
            }
        }
    };
}

formats!(Vocabulary, "vocabulary");
formats!(Policy, "policy");
