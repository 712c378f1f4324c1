//! The bundle: the unit one authority publishes, as canonical CBOR.
//!
//! ```text
//! Bundle = {
//!   "publisher": bstr .size 32,        ; AuthorityId
//!   "certificates": [* bstr],          ; DER
//!   "crls": [* bstr],                  ; DER
//!   "vocabularies": [* bstr],          ; COSE
//!   "policies": [* bstr],              ; COSE
//!   "translations": [* bstr],          ; COSE
//!   "declarations": [* bstr],          ; COSE
//!   "attestations": [* bstr],          ; COSE
//! }
//! ```
//!
//! Decoding first walks the CBOR heads without allocating
//! ([`BundleLimits`]: total bytes, nesting, items, bytes per item), so a
//! hostile bundle is refused before any per-item allocation; then the strict
//! `entente_core::cbor` decoder checks the canonical form.

use entente_core::AuthorityId;
use entente_core::cbor::{self, CborError, Limits};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bounds on a bundle, checked before decoding allocates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BundleLimits {
    /// Largest encoded bundle, in bytes. Default 32 MiB: a partner's full
    /// publication (hundreds of certificates and documents) is far below.
    pub max_total_bytes: usize,
    /// Most items (certificates, CRLs and envelopes together). Default 4096.
    pub max_items: usize,
    /// Largest single item, in bytes. Default: a COSE envelope's bound
    /// (`entente_core::cose::MAX_ENVELOPE_SIZE`), which also covers DER.
    pub max_item_bytes: usize,
    /// Deepest CBOR nesting. A bundle nests 2 levels (map, arrays of byte
    /// strings); default 4 leaves room and refuses deep hostile structures
    /// cheaply.
    pub max_depth: usize,
}

impl Default for BundleLimits {
    fn default() -> Self {
        Self {
            max_total_bytes: 32 << 20,
            max_items: 4096,
            max_item_bytes: entente_core::cose::MAX_ENVELOPE_SIZE,
            max_depth: 4,
        }
    }
}

/// What one authority publishes. Artifacts are kept as received bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The authority that publishes the bundle: its artifacts are
    /// validated against this authority's roots only.
    pub publisher: AuthorityId,
    /// Certificates (DER): signers' leaves and intermediates.
    pub certificates: Vec<Vec<u8>>,
    /// CRLs (DER) for the publisher's hierarchy.
    pub crls: Vec<Vec<u8>>,
    /// Signed vocabularies (COSE).
    pub vocabularies: Vec<Vec<u8>>,
    /// Signed policies (COSE).
    pub policies: Vec<Vec<u8>>,
    /// Signed translations (COSE).
    pub translations: Vec<Vec<u8>>,
    /// Signed operation declarations (COSE).
    pub declarations: Vec<Vec<u8>>,
    /// Signed attestations (COSE).
    pub attestations: Vec<Vec<u8>>,
}

/// Why a bundle does not decode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Larger than [`BundleLimits::max_total_bytes`].
    #[error("bundle of {size} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// Bundle size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// More items than [`BundleLimits::max_items`].
    #[error("more than {limit} items")]
    TooManyItems {
        /// The limit.
        limit: usize,
    },
    /// An item larger than [`BundleLimits::max_item_bytes`].
    #[error("item of {size} bytes exceeds the limit of {limit}")]
    ItemTooLarge {
        /// Item size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Nesting deeper than [`BundleLimits::max_depth`].
    #[error("nesting deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// The CBOR is malformed, non-canonical or not a bundle.
    #[error("bundle CBOR: {0}")]
    Cbor(#[source] CborError),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    publisher: AuthorityId,
    certificates: Vec<Bytes>,
    crls: Vec<Bytes>,
    vocabularies: Vec<Bytes>,
    policies: Vec<Bytes>,
    translations: Vec<Bytes>,
    declarations: Vec<Bytes>,
    attestations: Vec<Bytes>,
}

/// A byte string in CBOR (serde's default for `Vec<u8>` is an array).
pub(crate) struct Bytes(pub(crate) Vec<u8>);

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
                Ok(Bytes(v))
            }
        }
        d.deserialize_bytes(V)
    }
}

fn wrap(items: &[Vec<u8>]) -> Vec<Bytes> {
    items.iter().map(|i| Bytes(i.clone())).collect()
}

fn unwrap(items: Vec<Bytes>) -> Vec<Vec<u8>> {
    items.into_iter().map(|b| b.0).collect()
}

impl Bundle {
    /// An empty bundle from `publisher`.
    pub fn new(publisher: AuthorityId) -> Self {
        Self {
            publisher,
            certificates: Vec::new(),
            crls: Vec::new(),
            vocabularies: Vec::new(),
            policies: Vec::new(),
            translations: Vec::new(),
            declarations: Vec::new(),
            attestations: Vec::new(),
        }
    }

    /// How many items the bundle carries.
    pub fn item_count(&self) -> usize {
        self.certificates.len()
            + self.crls.len()
            + self.vocabularies.len()
            + self.policies.len()
            + self.translations.len()
            + self.declarations.len()
            + self.attestations.len()
    }

    /// Encodes the bundle as canonical CBOR.
    pub fn to_cbor(&self) -> Result<Vec<u8>, BundleError> {
        cbor::to_vec(&Wire {
            publisher: self.publisher,
            certificates: wrap(&self.certificates),
            crls: wrap(&self.crls),
            vocabularies: wrap(&self.vocabularies),
            policies: wrap(&self.policies),
            translations: wrap(&self.translations),
            declarations: wrap(&self.declarations),
            attestations: wrap(&self.attestations),
        })
        .map_err(BundleError::Cbor)
    }

    /// Decodes a bundle under the default [`BundleLimits`].
    pub fn from_cbor(bytes: &[u8]) -> Result<Self, BundleError> {
        Self::from_cbor_with_limits(bytes, BundleLimits::default())
    }

    /// Decodes a bundle under `limits`: a non-allocating pre-scan enforces
    /// every limit, then the strict canonical decoder runs.
    pub fn from_cbor_with_limits(bytes: &[u8], limits: BundleLimits) -> Result<Self, BundleError> {
        prescan(bytes, &limits)?;
        let wire: Wire = cbor::from_slice_with_limits(
            bytes,
            Limits {
                max_size: limits.max_total_bytes,
                max_depth: limits.max_depth,
            },
        )
        .map_err(BundleError::Cbor)?;
        Ok(Self {
            publisher: wire.publisher,
            certificates: unwrap(wire.certificates),
            crls: unwrap(wire.crls),
            vocabularies: unwrap(wire.vocabularies),
            policies: unwrap(wire.policies),
            translations: unwrap(wire.translations),
            declarations: unwrap(wire.declarations),
            attestations: unwrap(wire.attestations),
        })
    }
}

/// Walks the CBOR heads of `bytes` without allocating, enforcing `limits`.
///
/// This is a budget check, not a decoder: anything it cannot account for
/// (a reserved head, an indefinite length, truncation) is left to the strict
/// decoder, which refuses it; the walk only stops early.
fn prescan(bytes: &[u8], limits: &BundleLimits) -> Result<(), BundleError> {
    if bytes.len() > limits.max_total_bytes {
        return Err(BundleError::TooLarge {
            size: bytes.len(),
            limit: limits.max_total_bytes,
        });
    }
    // Each stack slot: items still to read at that nesting level.
    let mut stack: [u64; 16] = [0; 16];
    let max_depth = limits.max_depth.min(stack.len());
    let mut depth = 0usize;
    let mut pos = 0usize;
    let mut items = 0usize;
    let mut pending: u64 = 1; // the top-level item
    loop {
        // Pop finished levels.
        while pending == 0 {
            if depth == 0 {
                return Ok(());
            }
            depth -= 1;
            pending = stack.get(depth).copied().unwrap_or(0);
        }
        let Some(&initial) = bytes.get(pos) else {
            return Ok(()); // truncated: the decoder reports it
        };
        pending -= 1;
        let major = initial >> 5;
        let info = initial & 0x1f;
        let (argument, head) = match info {
            0..=23 => (u64::from(info), 1usize),
            24..=27 => {
                let n = 1usize << (info - 24);
                let Some(raw) = bytes.get(pos + 1..pos + 1 + n) else {
                    return Ok(());
                };
                (
                    raw.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
                    1 + n,
                )
            }
            _ => return Ok(()), // reserved or indefinite: refused by the decoder
        };
        pos = pos.saturating_add(head);
        match major {
            2 | 3 => {
                let len = usize::try_from(argument).unwrap_or(usize::MAX);
                // Artifacts are byte strings inside the lists: count them.
                if major == 2 && depth >= 2 {
                    items += 1;
                    if items > limits.max_items {
                        return Err(BundleError::TooManyItems {
                            limit: limits.max_items,
                        });
                    }
                }
                if len > limits.max_item_bytes {
                    return Err(BundleError::ItemTooLarge {
                        size: len,
                        limit: limits.max_item_bytes,
                    });
                }
                if len > bytes.len().saturating_sub(pos) {
                    return Ok(()); // truncated
                }
                pos += len;
            }
            4 | 5 => {
                let per = if major == 5 { 2 } else { 1 };
                let children = argument.saturating_mul(per);
                if major == 4 && argument > limits.max_items as u64 {
                    return Err(BundleError::TooManyItems {
                        limit: limits.max_items,
                    });
                }
                if children > (bytes.len().saturating_sub(pos)) as u64 {
                    return Ok(()); // more children than bytes: truncated
                }
                if depth + 1 > max_depth {
                    return Err(BundleError::TooDeep {
                        limit: limits.max_depth,
                    });
                }
                if let Some(slot) = stack.get_mut(depth) {
                    *slot = pending;
                }
                depth += 1;
                pending = children;
            }
            6 => {
                // A tag wraps one item; the strict decoder refuses tags.
                pending += 1;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entente_core::Digest256;

    fn publisher() -> AuthorityId {
        AuthorityId::from_digest(Digest256::sha256(b"p"))
    }

    #[test]
    fn round_trip_accepted() {
        let mut b = Bundle::new(publisher());
        b.certificates.push(vec![1, 2, 3]);
        b.policies.push(vec![9; 300]);
        let bytes = b.to_cbor().unwrap();
        assert_eq!(Bundle::from_cbor(&bytes).unwrap(), b);
    }
}
