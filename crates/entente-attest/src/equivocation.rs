//! Equivocation proofs: two valid, different statements by one authority
//! for the same (operation, epoch, slot).

use entente_core::{AuthorityId, CborError, CryptoProvider, OperationId, UnixTime, cbor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::attestation::{VerifiedAttestation, verify_attestation};
use crate::error::{AttestError, EquivocationMismatch};
use crate::resolver::CredentialResolver;

/// The evidence of an equivocation: both envelopes, as received, in a
/// canonical order (so one pair makes one proof). Anyone holding a
/// [`CredentialResolver`] for the authority's attester credentials can check
/// it with [`EquivocationProof::verify`]; nothing about it is trusted before.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EquivocationProof {
    first: Vec<u8>,
    second: Vec<u8>,
}

impl EquivocationProof {
    /// Pairs two envelopes as a (not yet verified) proof.
    pub fn new(one: Vec<u8>, other: Vec<u8>) -> Self {
        if one <= other {
            Self {
                first: one,
                second: other,
            }
        } else {
            Self {
                first: other,
                second: one,
            }
        }
    }

    /// The first envelope.
    pub fn first(&self) -> &[u8] {
        &self.first
    }

    /// The second envelope.
    pub fn second(&self) -> &[u8] {
        &self.second
    }

    /// Encodes the proof for transport: deterministic CBOR
    /// `{"first": bstr, "second": bstr}` holding the two envelopes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CborError> {
        cbor::to_vec(&ProofWire {
            first: EnvelopeBytes(self.first.clone()),
            second: EnvelopeBytes(self.second.clone()),
        })
    }

    /// Decodes a proof made by [`EquivocationProof::to_bytes`] (strictly;
    /// nothing in it is trusted until [`EquivocationProof::verify`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CborError> {
        let wire: ProofWire = cbor::from_slice(bytes)?;
        Ok(Self::new(wire.first.0, wire.second.0))
    }

    /// Verifies both envelopes at `at` and checks they prove equivocation.
    pub fn verify(
        &self,
        resolver: &dyn CredentialResolver,
        provider: &dyn CryptoProvider,
        at: UnixTime,
    ) -> Result<VerifiedEquivocation, AttestError> {
        let first = verify_attestation(&self.first, resolver, provider, at)?;
        let second = verify_attestation(&self.second, resolver, provider, at)?;
        VerifiedEquivocation::from_pair(&first, &second)
    }
}

/// An equivocation proof whose envelopes verified and which proves that
/// `authority` made two different statements for one (operation, epoch,
/// slot). Only verification constructs one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedEquivocation {
    proof: EquivocationProof,
    operation: OperationId,
    epoch: u64,
    slot: u64,
    authority: AuthorityId,
}

impl VerifiedEquivocation {
    /// Checks that two verified attestations form an equivocation.
    pub(crate) fn from_pair(
        one: &VerifiedAttestation,
        other: &VerifiedAttestation,
    ) -> Result<Self, AttestError> {
        let (a, b) = (one.attestation(), other.attestation());
        let mismatch = if a.operation != b.operation {
            Some(EquivocationMismatch::Operation)
        } else if a.epoch != b.epoch {
            Some(EquivocationMismatch::Epoch)
        } else if a.slot != b.slot {
            Some(EquivocationMismatch::Slot)
        } else if a.author != b.author {
            Some(EquivocationMismatch::Author)
        } else if a.statement == b.statement {
            Some(EquivocationMismatch::SameStatement)
        } else {
            None
        };
        if let Some(mismatch) = mismatch {
            return Err(AttestError::NotEquivocation(mismatch));
        }
        Ok(Self {
            proof: EquivocationProof::new(one.bytes().to_vec(), other.bytes().to_vec()),
            operation: a.operation,
            epoch: a.epoch,
            slot: a.slot,
            authority: a.author,
        })
    }

    /// The evidence, to hand to third parties.
    pub fn proof(&self) -> &EquivocationProof {
        &self.proof
    }

    /// The operation.
    pub fn operation(&self) -> OperationId {
        self.operation
    }

    /// The epoch the authority is excluded from.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The slot both statements claim.
    pub fn slot(&self) -> u64 {
        self.slot
    }

    /// The authority that equivocated.
    pub fn authority(&self) -> AuthorityId {
        self.authority
    }
}

/// The transport form of an [`EquivocationProof`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProofWire {
    first: EnvelopeBytes,
    second: EnvelopeBytes,
}

/// Envelope bytes as a CBOR byte string (serde's default for `Vec<u8>` is
/// an array of integers).
struct EnvelopeBytes(Vec<u8>);

impl Serialize for EnvelopeBytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for EnvelopeBytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = EnvelopeBytes;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("envelope bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<EnvelopeBytes, E> {
                Ok(EnvelopeBytes(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<EnvelopeBytes, E> {
                Ok(EnvelopeBytes(v))
            }
        }
        deserializer.deserialize_bytes(Visitor)
    }
}
