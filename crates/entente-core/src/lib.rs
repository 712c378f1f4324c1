#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod cbor;
pub mod cose;
pub mod crypto;
mod id;
pub mod oracle;

// The public interface is:
pub use cbor::{CborError, Limits};
pub use cose::{CoseError, Document, Envelope, VerifiedEnvelope};
pub use crypto::{
    CryptoError, CryptoProvider, KeyKind, PublicKey, RustCryptoProvider, SignatureAlgorithm,
    SignatureEncoding, Signer, SigningKey, default_provider,
};
pub use id::{
    ArtifactId, AuthorityId, Digest256, IdError, OperationId, UnixTime, Validity, Version,
};
