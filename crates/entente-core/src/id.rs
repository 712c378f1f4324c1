//! Identities: digests, authorities, artifacts, operations, versions and time.
//!
//! Identities are newtypes over fixed-size digests. They are deliberately not
//! strings and have no `From<&str>`, so an operation id can never be passed
//! where an authority id is expected. They encode in CBOR as byte strings.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Digest256([u8; 32]);

impl Digest256 {
    /// Length of a digest in bytes.
    pub const LEN: usize = 32;

    /// Hashes `data` with SHA-256.
    pub fn sha256(data: &[u8]) -> Self {
        Self(Sha256::digest(data).into())
    }

    /// Hashes the concatenation of `parts` with SHA-256, without copying them.
    pub fn sha256_parts(parts: &[&[u8]]) -> Self {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part);
        }
        Self(hasher.finalize().into())
    }

    /// Wraps raw digest bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses a digest from a byte slice, which must be exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, IdError> {
        let array: [u8; 32] = bytes.try_into().map_err(|_| IdError::Length {
            expected: Self::LEN,
            found: bytes.len(),
        })?;
        Ok(Self(array))
    }

    /// Parses a digest from 64 lowercase or uppercase hexadecimal digits.
    pub fn from_hex(text: &str) -> Result<Self, IdError> {
        let raw = text.as_bytes();
        if raw.len() != 2 * Self::LEN {
            return Err(IdError::Length {
                expected: 2 * Self::LEN,
                found: raw.len(),
            });
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(raw.chunks_exact(2)) {
            let (hi, lo) = match pair {
                [hi, lo] => (hex_value(*hi)?, hex_value(*lo)?),
                _ => return Err(IdError::Hex),
            };
            *byte = (hi << 4) | lo;
        }
        Ok(Self(out))
    }

    /// The digest bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The digest as 64 lowercase hexadecimal digits.
    pub fn to_hex(&self) -> String {
        use fmt::Write as _;
        let mut out = String::with_capacity(2 * Self::LEN);
        for byte in self.0 {
            // Writing to a String cannot fail.
            let _ = write!(out, "{byte:02x}");
        }
        out
    }
}

fn hex_value(digit: u8) -> Result<u8, IdError> {
    match digit {
        b'0'..=b'9' => Ok(digit - b'0'),
        b'a'..=b'f' => Ok(digit - b'a' + 10),
        b'A'..=b'F' => Ok(digit - b'A' + 10),
        _ => Err(IdError::Hex),
    }
}

impl fmt::Debug for Digest256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_hex())
    }
}

impl fmt::Display for Digest256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for Digest256 {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&self.to_hex())
        } else {
            serializer.serialize_bytes(&self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Digest256 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Digest256;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a 32-byte SHA-256 digest")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Digest256, E> {
                Digest256::from_slice(v).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Digest256, E> {
                Digest256::from_hex(v).map_err(E::custom)
            }
        }
        if deserializer.is_human_readable() {
            deserializer.deserialize_str(Visitor)
        } else {
            deserializer.deserialize_bytes(Visitor)
        }
    }
}

/// Defines a newtype identity over [`Digest256`].
macro_rules! digest_id {
    ($(#[$doc:meta])* $name:ident, $label:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Digest256);

        impl $name {
            /// Wraps a digest as this identity.
            pub const fn from_digest(digest: Digest256) -> Self {
                Self(digest)
            }

            /// The underlying digest.
            pub const fn digest(&self) -> &Digest256 {
                &self.0
            }

            /// The identity's bytes.
            pub const fn as_bytes(&self) -> &[u8; 32] {
                self.0.as_bytes()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($label, ":{}"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

digest_id!(
    /// An authority's identity: SHA-256 of its root certificate's
    /// SubjectPublicKeyInfo DER (so a re-issued root with the same key keeps
    /// its identity, and a new key is a new authority).
    AuthorityId,
    "authority"
);

digest_id!(
    /// A signed artifact's identity: SHA-256 over its protected header and
    /// payload bytes (see [`crate::cose`]), never over the whole envelope, since
    /// ECDSA signatures are malleable.
    ArtifactId,
    "artifact"
);

digest_id!(
    /// A coalition operation's identity, derived from the declaring authority
    /// and the operation's name with [`OperationId::derive`].
    OperationId,
    "operation"
);

impl AuthorityId {
    /// The identity of the authority whose root key has this
    /// SubjectPublicKeyInfo DER encoding.
    pub fn from_spki_der(spki_der: &[u8]) -> Self {
        Self(Digest256::sha256(spki_der))
    }
}

impl OperationId {
    /// Domain separator so that operation ids never collide with other digests.
    const DOMAIN: &'static [u8] = b"entente/operation-id/v1\0";

    /// Derives the operation id for `name` declared by `declarer`.
    pub fn derive(declarer: &AuthorityId, name: &str) -> Self {
        Self(Digest256::sha256_parts(&[
            Self::DOMAIN,
            declarer.as_bytes(),
            name.as_bytes(),
        ]))
    }
}

/// A document version. Versions of one document increase strictly; admission
/// refuses a version lower than the highest one it has admitted (rollback).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Version(pub u64);

impl Version {
    /// The next version, or `None` at `u64::MAX`.
    pub fn next(self) -> Option<Self> {
        self.0.checked_add(1).map(Self)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// Seconds since the Unix epoch (UTC, leap seconds ignored as in POSIX time).
///
/// Every verification in entente takes its time as an explicit `UnixTime`;
/// nothing below the command-line tool reads the system clock.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UnixTime(pub u64);

impl UnixTime {
    /// The time `seconds` seconds after the epoch.
    pub const fn from_secs(seconds: u64) -> Self {
        Self(seconds)
    }

    /// Seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// This time plus `seconds`, saturating at the end of time.
    pub const fn saturating_add(self, seconds: u64) -> Self {
        Self(self.0.saturating_add(seconds))
    }

    /// This time minus `seconds`, saturating at the epoch.
    pub const fn saturating_sub(self, seconds: u64) -> Self {
        Self(self.0.saturating_sub(seconds))
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.0)
    }
}

/// A half-open validity window `[not_before, not_after)` in Unix time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validity {
    /// First second at which the object is valid.
    pub not_before: UnixTime,
    /// First second at which the object is no longer valid.
    pub not_after: UnixTime,
}

impl Validity {
    /// Whether `time` lies inside the window.
    pub fn contains(&self, time: UnixTime) -> bool {
        self.not_before <= time && time < self.not_after
    }
}

/// Errors from parsing identities.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The input had the wrong length.
    #[error("expected {expected} bytes or digits, found {found}")]
    Length {
        /// Expected length.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// The input contained a character that is not a hexadecimal digit.
    #[error("not a hexadecimal digit")]
    Hex,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_accepted() {
        let d = Digest256::sha256(b"abc");
        assert_eq!(
            d.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Digest256::from_hex(&d.to_hex()).unwrap(), d);
        assert_eq!(Digest256::from_hex(&d.to_hex().to_uppercase()).unwrap(), d);
    }

    #[test]
    fn bad_hex_rejected() {
        assert_eq!(
            Digest256::from_hex("zz"),
            Err(IdError::Length {
                expected: 64,
                found: 2
            })
        );
        let mut s = "0".repeat(63);
        s.push('g');
        assert_eq!(Digest256::from_hex(&s), Err(IdError::Hex));
        assert!(Digest256::from_slice(&[0; 31]).is_err());
    }

    #[test]
    fn sha256_parts_equals_concatenation() {
        assert_eq!(
            Digest256::sha256_parts(&[b"ab", b"", b"c"]),
            Digest256::sha256(b"abc")
        );
    }

    #[test]
    fn operation_ids_differ_by_declarer_and_name() {
        let a = AuthorityId::from_spki_der(b"a");
        let b = AuthorityId::from_spki_der(b"b");
        assert_ne!(OperationId::derive(&a, "x"), OperationId::derive(&b, "x"));
        assert_ne!(OperationId::derive(&a, "x"), OperationId::derive(&a, "y"));
        assert_eq!(OperationId::derive(&a, "x"), OperationId::derive(&a, "x"));
    }

    #[test]
    fn validity_is_half_open() {
        let v = Validity {
            not_before: UnixTime(10),
            not_after: UnixTime(20),
        };
        assert!(!v.contains(UnixTime(9)));
        assert!(v.contains(UnixTime(10)));
        assert!(v.contains(UnixTime(19)));
        assert!(!v.contains(UnixTime(20)));
    }
}
