//! Deterministic CBOR (RFC 8949 §4.2.1) with a strict decoder.
//!
//! entente's signed documents are CBOR in exactly one byte form, so that a
//! document has exactly one identity and a verifier never has to guess what
//! was signed. The encoder writes that form; the decoder accepts nothing else:
//!
//! | rule (RFC 8949) | rejected with |
//! |---|---|
//! | integers in shortest form (§4.2.1) | [`CborError::NonShortestInteger`] |
//! | lengths in shortest form (§4.2.1) | [`CborError::NonShortestLength`] |
//! | definite lengths only (§4.2.1) | [`CborError::IndefiniteLength`] |
//! | map keys sorted by their encoded bytes (§4.2.1) | [`CborError::UnsortedKeys`] |
//! | no duplicate map keys (§5.6) | [`CborError::DuplicateKey`] |
//! | all keys of a map of one type (entente) | [`CborError::MixedKeyTypes`] |
//! | one data item, nothing after it (§5.1) | [`CborError::TrailingBytes`] |
//! | nesting at most [`Limits::max_depth`] (entente) | [`CborError::TooDeep`] |
//! | input at most [`Limits::max_size`] bytes (entente) | [`CborError::TooLarge`] |
//! | text strings are UTF-8 (§3.1) | [`CborError::InvalidUtf8`] |
//! | no floats, tags or simple values other than booleans and null (entente) | [`CborError::Float`], [`CborError::Tag`], [`CborError::SimpleValue`] |
//! | fields a document type does not define | [`DocumentError::UnknownField`] |
//!
//! Typed decoding ([`from_slice`]) also checks that the decoded value
//! re-encodes to the input and refuses input that differs
//! ([`CborError::NonCanonicalDocument`]), so a missing optional field and an
//! explicit `null` cannot both be accepted.

use serde::Serialize;
use serde::de::DeserializeOwned;

mod de;
mod decode;
mod encode;
mod ser;

pub use de::DocumentError;
pub use decode::decode_value;
pub use encode::encode_value;

/// Bounds on hostile input, applied before anything is allocated for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes. Default 1 MiB: the largest entente
    /// document (a policy of some thousands of rules) is well below it;
    /// bundles, which carry many documents, set their own larger bound.
    pub max_size: usize,
    /// Deepest nesting of arrays and maps accepted. Default 32: entente's
    /// formats nest at most 8 levels; the bound keeps recursion far from the
    /// stack limit on hostile input.
    pub max_depth: usize,
}

impl Limits {
    /// The default limits for a single signed document.
    pub const DOCUMENT: Self = Self {
        max_size: 1 << 20,
        max_depth: 32,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DOCUMENT
    }
}

/// Major types 0 and 1 count as one type ("integer") for the
/// one-key-type-per-map rule.
const fn key_class(major: u8) -> u8 {
    if major == 1 { 0 } else { major }
}

/// Encodes `value` as deterministic CBOR.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CborError> {
    let mut out = Vec::new();
    ser::encode_into(value, &mut out)?;
    Ok(out)
}

/// Strictly decodes a document of type `T` under [`Limits::DOCUMENT`].
pub fn from_slice<T: DeserializeOwned + Serialize>(bytes: &[u8]) -> Result<T, CborError> {
    from_slice_with_limits(bytes, Limits::DOCUMENT)
}

/// Strictly decodes a document of type `T` under `limits`.
///
/// Fails unless `bytes` is well-formed deterministic CBOR, matches `T`
/// exactly (no unknown or missing fields) and re-encodes to the same bytes.
/// A rule of the encoding broken anywhere in the input is reported before
/// a mismatch with `T`, and both before a non-canonical document.
pub fn from_slice_with_limits<T: DeserializeOwned + Serialize>(
    bytes: &[u8],
    limits: Limits,
) -> Result<T, CborError> {
    // One pass checks the encoding and builds `T`. It stops at the first
    // problem it meets; when that is a mismatch with `T`, a rule broken
    // further on still takes precedence, so the whole input is checked.
    let decoded: T = match one_pass(bytes, limits) {
        Ok(decoded) => decoded,
        Err(error) => {
            decode::validate(bytes, limits)?;
            return Err(error);
        }
    };
    // The re-encoding must be the input. Matching it against the input
    // gives that verdict without writing it out; only when it does not
    // match is it written, to tell why.
    if encodes_to(&decoded, bytes) {
        return Ok(decoded);
    }
    let mut again = Vec::with_capacity(bytes.len());
    ser::encode_into(&decoded, &mut again)?;
    if again != bytes {
        return Err(CborError::NonCanonicalDocument);
    }
    Ok(decoded)
}

/// The first pass of typed decoding: `T` read under `limits` with every
/// encoding rule applied as it goes. Without the re-check on failure and
/// the re-encoding of [`from_slice_with_limits`], it also serves oracles
/// and tests, which hold it to the strict reader's verdicts.
pub(crate) fn one_pass<T: DeserializeOwned>(bytes: &[u8], limits: Limits) -> Result<T, CborError> {
    de::from_slice(bytes, limits).map_err(CborError::from)
}

/// Whether `value` encodes to exactly `input`, which must be one item of
/// deterministic CBOR: the check typed decoding makes, for oracles and
/// tests to hold against encoding and comparing.
pub(crate) fn encodes_to<T: Serialize + ?Sized>(value: &T, input: &[u8]) -> bool {
    ser::encodes_to(value, input)
}

/// Errors from encoding or strictly decoding CBOR. Offsets are byte positions
/// in the input where the offending item starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CborError {
    /// The input ended inside a data item.
    #[error("input truncated at byte {offset}")]
    Truncated {
        /// Where more input was needed.
        offset: usize,
    },
    /// Bytes follow the single top-level data item.
    #[error("trailing bytes after the data item at byte {offset}")]
    TrailingBytes {
        /// First trailing byte.
        offset: usize,
    },
    /// An indefinite-length string, array or map.
    #[error("indefinite length at byte {offset}")]
    IndefiniteLength {
        /// Offending item.
        offset: usize,
    },
    /// An integer not in its shortest encoding.
    #[error("integer not in shortest form at byte {offset}")]
    NonShortestInteger {
        /// Offending item.
        offset: usize,
    },
    /// A string, array or map length not in its shortest encoding.
    #[error("length not in shortest form at byte {offset}")]
    NonShortestLength {
        /// Offending item.
        offset: usize,
    },
    /// A map key equal to the previous one.
    #[error("duplicate map key at byte {offset}")]
    DuplicateKey {
        /// The repeated key.
        offset: usize,
    },
    /// A map key that sorts before the previous one.
    #[error("map keys not in canonical order at byte {offset}")]
    UnsortedKeys {
        /// The out-of-order key.
        offset: usize,
    },
    /// A map whose keys are of different CBOR types.
    #[error("map keys of different types at byte {offset}")]
    MixedKeyTypes {
        /// The first key of another type.
        offset: usize,
    },
    /// Nesting deeper than the limit.
    #[error("nesting deeper than {limit} levels")]
    TooDeep {
        /// The limit in force.
        limit: usize,
    },
    /// Input larger than the limit.
    #[error("input of {size} bytes exceeds the limit of {limit}")]
    TooLarge {
        /// Input size.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// A text string that is not UTF-8.
    #[error("text string is not valid UTF-8 at byte {offset}")]
    InvalidUtf8 {
        /// Offending item.
        offset: usize,
    },
    /// A floating-point number; entente's formats have none.
    #[error("floating-point value at byte {offset}")]
    Float {
        /// Offending item.
        offset: usize,
    },
    /// A tagged item; entente's payloads use no tags.
    #[error("tag {tag} at byte {offset}")]
    Tag {
        /// The tag number.
        tag: u64,
        /// Offending item.
        offset: usize,
    },
    /// A simple value other than `false`, `true` and `null`.
    #[error("simple value {value} at byte {offset}")]
    SimpleValue {
        /// The simple value.
        value: u64,
        /// Offending item.
        offset: usize,
    },
    /// Additional information 28–30, reserved by RFC 8949, or a lone break.
    #[error("reserved or malformed initial byte at byte {offset}")]
    Malformed {
        /// Offending item.
        offset: usize,
    },
    /// Well-formed CBOR that does not match the expected document type.
    #[error("document does not match its format: {0}")]
    Document(#[source] DocumentError),
    /// The decoded document re-encodes to different bytes.
    #[error("document is not in its canonical encoding")]
    NonCanonicalDocument,
    /// A value the deterministic encoding cannot represent.
    #[error("cannot encode: {0}")]
    Unencodable(Unencodable),
    /// The serde serializer refused the value (message from serde).
    #[error("cannot serialize: {0}")]
    Serialize(String),
}

/// What the encoder refused to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Unencodable {
    /// Two map keys with the same encoding.
    #[error("duplicate map key")]
    DuplicateKey,
    /// Map keys of different CBOR types.
    #[error("map keys of different types")]
    MixedKeyTypes,
    /// A floating-point number.
    #[error("floating-point value")]
    Float,
    /// A tagged value.
    #[error("tag {0}")]
    Tag(u64),
    /// An integer outside the CBOR range.
    #[error("integer outside the CBOR range")]
    Integer,
    /// Another value kind entente does not encode.
    #[error("unsupported value")]
    Other,
}

#[cfg(test)]
mod tests;
