//! Integrity events: signed records of adversarial or faulty actions that
//! verification detected, with their evidence, appended to the partner's
//! own audit log.

use entente_audit::{EntryKind, FileLog, LogEntry, LogError};
use entente_core::cose::{self, Envelope, VerifiedEnvelope};
use entente_core::{
    ArtifactId, AuthorityId, CoseError, CryptoProvider, Digest256, Document, KeyKind, OperationId,
    Signer as _, SigningKey, UnixTime,
};
use entente_x509::{Certificate, CredentialProfile, EkuOids, KeyUsage, Oid};
use serde::{Deserialize, Serialize};

/// What kind of misbehaviour an event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An artifact claims an authority it does not chain to.
    Impersonation,
    /// A signature that does not verify.
    ForgedSignature,
    /// Use of a revoked credential.
    RevokedCredential,
    /// A lower version than admitted, or the same version with other content.
    Rollback,
    /// Revocation data older than the admission policy allows (freeze).
    StaleRevocation,
    /// An artifact outside its operation scope.
    MixAndMatch,
    /// Two statements by one authority for one (operation, epoch, slot).
    Equivocation,
    /// A credential used outside its role (e.g. a translator key signing a
    /// policy), or an authority providing what it may not.
    RoleViolation,
    /// A translation refused as non-conservative (non-monotone, undeclared
    /// loss).
    TranslationWidening,
    /// An artifact from an authority the partner does not admit.
    UnadmittedAuthority,
    /// A cross-partner request denied for lack of clearance or releasability.
    ForcedDisclosure,
}

impl EventKind {
    /// The stable code written as the audit-log entry's reason.
    pub fn code(self) -> &'static str {
        match self {
            Self::Impersonation => "impersonation",
            Self::ForgedSignature => "forged_signature",
            Self::RevokedCredential => "revoked_credential",
            Self::Rollback => "rollback",
            Self::StaleRevocation => "stale_revocation",
            Self::MixAndMatch => "mix_and_match",
            Self::Equivocation => "equivocation",
            Self::RoleViolation => "role_violation",
            Self::TranslationWidening => "translation_widening",
            Self::UnadmittedAuthority => "unadmitted_authority",
            Self::ForcedDisclosure => "forced_disclosure",
        }
    }
}

/// A signed record of an integrity violation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrityEvent {
    /// What happened.
    pub kind: EventKind,
    /// When the recorder detected it.
    pub time: UnixTime,
    /// The partner that detected and records it.
    pub recorder: AuthorityId,
    /// The authority held responsible, when one can be named.
    pub offender: Option<AuthorityId>,
    /// The operation concerned, if any.
    pub operation: Option<OperationId>,
    /// The artifacts concerned.
    pub artifacts: Vec<ArtifactId>,
    /// A human-readable explanation.
    pub reason: String,
    /// The evidence: the offending bytes, or a proof.
    #[serde(with = "evidence")]
    pub evidence: Vec<u8>,
}

mod evidence {
    use serde::{Deserialize as _, Deserializer, Serialize as _, Serializer};

    use crate::bundle::Bytes;

    pub(super) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        Bytes(v.to_vec()).serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Bytes::deserialize(d).map(|b| b.0)
    }
}

impl Document for IntegrityEvent {
    const CONTENT_TYPE: &'static str = "application/vnd.entente.integrity-event+cbor";
}

/// Why recording or verifying an event failed.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The audit log failed.
    #[error("audit log: {0}")]
    Log(#[source] LogError),
    /// Signing or verifying the event envelope failed.
    #[error("event envelope: {0}")]
    Envelope(#[source] CoseError),
    /// The audit credential's key does not match its certificate.
    #[error("the audit signing key does not match its certificate")]
    KeyMismatch,
    /// The logged entry is not an integrity event.
    #[error("the log entry is a {0:?} entry, not an integrity event")]
    NotAnEvent(EntryKind),
    /// The envelope's signer is not the certificate given.
    #[error("the event was signed by {found}, not by the certificate given")]
    WrongSigner {
        /// The `kid` found.
        found: Digest256,
    },
    /// The entry's fields disagree with the signed event.
    #[error("the log entry does not match the signed event")]
    EntryMismatch,
}

/// The credential profile of an integrity-event recorder: the audit-log EKU
/// on an ECDSA key (COSE signatures are ES256/ES384; the audit-log profile of
/// entente-x509 is for Ed25519 checkpoint keys).
#[derive(Clone, Debug)]
pub struct RecorderProfile {
    ekus: Vec<Oid>,
}

impl RecorderProfile {
    /// The profile under `oids`.
    pub fn new(oids: &EkuOids) -> Self {
        Self {
            ekus: vec![oids.audit_log.clone()],
        }
    }
}

impl CredentialProfile for RecorderProfile {
    fn name(&self) -> &str {
        "integrity-recorder"
    }
    fn required_ekus(&self) -> &[Oid] {
        &self.ekus
    }
    fn required_key_usage(&self) -> KeyUsage {
        KeyUsage::DIGITAL_SIGNATURE
    }
    fn key_kinds(&self) -> &[KeyKind] {
        &[KeyKind::P256, KeyKind::P384]
    }
    fn max_lifetime(&self) -> Option<u64> {
        Some(2 * 366 * 86_400)
    }
    fn ca(&self) -> Option<bool> {
        Some(false)
    }
}

/// The partner's audit log with its signing credential.
pub struct EventLog {
    log: FileLog,
    signer: SigningKey,
    certificate: Certificate,
    kid: Digest256,
    recorder: AuthorityId,
}

impl core::fmt::Debug for EventLog {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EventLog")
            .field("recorder", &self.recorder)
            .field("kid", &self.kid)
            .field("size", &self.log.size())
            .finish_non_exhaustive()
    }
}

impl EventLog {
    /// Binds `log` to the audit credential (`signer`, `certificate`) of
    /// `recorder`. The key must be the certificate's.
    pub fn new(
        log: FileLog,
        signer: SigningKey,
        certificate: Certificate,
        recorder: AuthorityId,
    ) -> Result<Self, EventError> {
        let spki = signer
            .public_key()
            .to_spki_der()
            .map_err(|_| EventError::KeyMismatch)?;
        if spki != certificate.spki_der() {
            return Err(EventError::KeyMismatch);
        }
        let kid = cose::key_id_for_certificate(certificate.der());
        Ok(Self {
            log,
            signer,
            certificate,
            kid,
            recorder,
        })
    }

    /// The recording partner.
    pub fn recorder(&self) -> AuthorityId {
        self.recorder
    }

    /// The audit credential's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The underlying log (for proofs and checkpoints).
    pub fn log(&self) -> &FileLog {
        &self.log
    }

    /// The underlying log, mutably (for storing checkpoints).
    pub fn log_mut(&mut self) -> &mut FileLog {
        &mut self.log
    }

    /// Signs `event` (COSE_Sign1, kid = certificate digest).
    pub fn sign(&self, event: &IntegrityEvent) -> Result<Vec<u8>, EventError> {
        cose::sign1(event, &self.signer, &self.kid).map_err(EventError::Envelope)
    }

    /// The log entry recording `event` signed as `signed`.
    pub(crate) fn event_entry(event: &IntegrityEvent, signed: Vec<u8>) -> LogEntry {
        LogEntry {
            kind: EntryKind::IntegrityEvent,
            time: event.time,
            recorder: event.recorder,
            operation: event.operation,
            artifacts: event.artifacts.clone(),
            authorities: event.offender.into_iter().collect(),
            reason: event.kind.code().to_owned(),
            evidence: signed,
        }
    }

    /// Signs `event` and appends it; returns the entry's index.
    pub fn record_event(&mut self, event: &IntegrityEvent) -> Result<u64, EventError> {
        let signed = self.sign(event)?;
        self.append(&[Self::event_entry(event, signed)])
            .map(|range| range.start)
    }

    /// Appends entries in one durable batch; returns their indices.
    pub fn append(&mut self, entries: &[LogEntry]) -> Result<core::ops::Range<u64>, EventError> {
        let bytes = entries
            .iter()
            .map(LogEntry::to_bytes)
            .collect::<Result<Vec<_>, _>>()
            .map_err(EventError::Log)?;
        self.log.append_batch(&bytes).map_err(EventError::Log)
    }
}

/// A logged integrity event whose signature verified.
#[derive(Clone, Debug)]
pub struct LoggedEvent {
    /// The log entry.
    pub entry: LogEntry,
    /// The verified event.
    pub event: VerifiedEnvelope<IntegrityEvent>,
}

/// Verifies a logged integrity event: the entry decodes, is an integrity
/// event, its evidence is a COSE_Sign1 by `certificate` (kid = its digest)
/// whose signature verifies, and the entry's fields match the signed event.
///
/// Whether `certificate` is the recorder's audit credential (its chain to
/// the recorder's root, [`RecorderProfile`], revocation at the event's
/// time) is checked by the caller with `entente_x509::validate`.
pub fn verify_logged_event(
    entry_bytes: &[u8],
    certificate: &Certificate,
    provider: &dyn CryptoProvider,
) -> Result<LoggedEvent, EventError> {
    let entry = LogEntry::from_bytes(entry_bytes).map_err(EventError::Log)?;
    if entry.kind != EntryKind::IntegrityEvent {
        return Err(EventError::NotAnEvent(entry.kind));
    }
    let envelope = Envelope::from_slice(&entry.evidence).map_err(EventError::Envelope)?;
    let kid = cose::key_id_for_certificate(certificate.der());
    if let [info] = envelope.signatures() {
        if info.kid != kid {
            return Err(EventError::WrongSigner { found: info.kid });
        }
    }
    let key = certificate
        .public_key()
        .map_err(|_| EventError::KeyMismatch)?;
    let event = envelope
        .verify::<IntegrityEvent>(provider, &[key])
        .map_err(EventError::Envelope)?;
    let document = event.document();
    let offender: Vec<AuthorityId> = document.offender.into_iter().collect();
    if entry.reason != document.kind.code()
        || entry.time != document.time
        || entry.recorder != document.recorder
        || entry.operation != document.operation
        || entry.artifacts != document.artifacts
        || entry.authorities != offender
    {
        return Err(EventError::EntryMismatch);
    }
    Ok(LoggedEvent { entry, event })
}
