//! The entries of an audit log: admission decisions and integrity events as
//! canonical CBOR (RFC 8949 §4.2.1, via `entente_core::cbor`).
//!
//! The types are deliberately generic: `entente-admit` fills them with its
//! decisions and events; this crate only needs them to be canonical, so that
//! one entry has one leaf hash.

use entente_core::{ArtifactId, AuthorityId, OperationId, UnixTime};
use serde::{Deserialize, Serialize};

use crate::error::LogError;

/// What an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Artifacts were admitted.
    Admitted,
    /// Artifacts were rejected.
    Rejected,
    /// An integrity event (impersonation, rollback, freeze, equivocation,
    /// split view, ...) was detected; `reason` names it, `evidence` carries it.
    IntegrityEvent,
    /// Revocation data was taken into account (revocation state changes).
    Revocation,
    /// A translation was applied or withdrawn.
    Translation,
    /// A partner disengaged (revoked its translator credentials).
    Disengagement,
}

/// One audit-log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogEntry {
    /// What is recorded.
    pub kind: EntryKind,
    /// When the recording partner made the decision or saw the event.
    pub time: UnixTime,
    /// The partner keeping the log.
    pub recorder: AuthorityId,
    /// The operation the entry belongs to, if any.
    pub operation: Option<OperationId>,
    /// The artifacts concerned (admitted, rejected, evidence).
    pub artifacts: Vec<ArtifactId>,
    /// The authorities concerned (issuers, translators, the offender).
    pub authorities: Vec<AuthorityId>,
    /// A stable machine-readable reason code (e.g. `rollback`, `split_view`).
    pub reason: String,
    /// Opaque evidence or detail bytes (canonical CBOR of the caller's type).
    #[serde(with = "bytes")]
    pub evidence: Vec<u8>,
}

/// Serde helper: `Vec<u8>` as a CBOR byte string.
pub(crate) mod bytes {
    use serde::{Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_bytes(V)
    }
}

impl LogEntry {
    /// The entry's canonical CBOR bytes, which the log stores and hashes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, LogError> {
        entente_core::cbor::to_vec(self).map_err(LogError::Cbor)
    }

    /// Strictly decodes an entry (non-canonical bytes are rejected).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LogError> {
        entente_core::cbor::from_slice(bytes).map_err(LogError::Cbor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use entente_core::Digest256;

    #[test]
    fn entry_round_trips_canonically() {
        let e = LogEntry {
            kind: EntryKind::IntegrityEvent,
            time: UnixTime::from_secs(1_700_000_000),
            recorder: AuthorityId::from_digest(Digest256::sha256(b"fr")),
            operation: None,
            artifacts: vec![ArtifactId::from_digest(Digest256::sha256(b"x"))],
            authorities: vec![],
            reason: "rollback".into(),
            evidence: vec![1, 2, 3],
        };
        let b = e.to_bytes().unwrap();
        assert_eq!(LogEntry::from_bytes(&b).unwrap(), e);
        let mut trailing = b.clone();
        trailing.push(0);
        assert!(LogEntry::from_bytes(&trailing).is_err());
    }
}
