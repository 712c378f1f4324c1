//! Typed errors: decoding, issuing, and validation (naming the certificate
//! position and the rule broken).

use core::fmt;

use der::asn1::ObjectIdentifier;
use entente_core::{CryptoError, UnixTime};

use crate::crl::RevocationReason;
use crate::name::NameKind;

/// A certificate or CRL could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The DER structure is malformed.
    #[error("malformed DER: {0}")]
    Der(#[source] der::Error),
    /// The input exceeds [`crate::MAX_DER_LEN`].
    #[error("input of {0} bytes exceeds the size bound")]
    TooLarge(usize),
    /// The PEM block is not of the expected kind.
    #[error("unexpected PEM label")]
    PemLabel,
    /// The inner and outer signature algorithms differ (RFC 5280 §4.1.1.2).
    #[error("signature algorithm differs between the signed and unsigned parts")]
    SignatureAlgorithmMismatch,
    /// Extensions in a certificate older than v3 (RFC 5280 §4.1.2.9).
    #[error("extensions in a certificate that is not version 3")]
    ExtensionsBeforeV3,
    /// The same extension appears twice (RFC 5280 §4.2).
    #[error("extension {0} appears more than once")]
    DuplicateExtension(ObjectIdentifier),
    /// The same policy appears twice in certificatePolicies (RFC 5280 §4.2.1.4).
    #[error("policy {0} appears more than once")]
    DuplicatePolicy(ObjectIdentifier),
    /// An extension's value does not decode.
    #[error("malformed extension {oid}: {source}")]
    Extension {
        /// The extension.
        oid: ObjectIdentifier,
        /// The decoding failure.
        #[source]
        source: der::Error,
    },
}

/// Issuing a certificate or CRL failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    /// Encoding failed.
    #[error("encoding failed: {0}")]
    Der(#[source] der::Error),
    /// The signer failed or its key cannot be encoded.
    #[error("signing failed: {0}")]
    Crypto(#[source] CryptoError),
    /// A time cannot be represented in a certificate.
    #[error("time {0:?} cannot be encoded")]
    Time(UnixTime),
    /// A distinguished name string does not parse (RFC 4514).
    #[error("malformed distinguished name")]
    Name(#[source] der::Error),
    /// A DNS name, email or URI is not IA5.
    #[error("name is not an IA5 string")]
    Ia5(#[source] der::Error),
}

/// Names the certificate an issuer was looked for (0 is the leaf).
struct NoIssuerAt(usize);

impl fmt::Display for NoIssuerAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            0 => f.write_str("the leaf: it does not chain to the trust anchors given"),
            n => write!(f, "the certificate {n} above the leaf"),
        }
    }
}

/// Where in the path a rule was broken.
///
/// Numbered as RFC 5280 §6.1: certificate 1 was issued by the trust anchor,
/// certificate `n` (= `len`) is the leaf. Position 0 is the trust anchor itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based index from the trust anchor; 0 is the anchor.
    pub index: usize,
    /// Number of certificates in the path (without the anchor).
    pub len: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.index == 0 {
            f.write_str("trust anchor")
        } else if self.index == self.len {
            write!(f, "leaf (certificate {} of {})", self.index, self.len)
        } else {
            write!(f, "certificate {} of {}", self.index, self.len)
        }
    }
}

/// The rule a certificate broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rule {
    /// The signature algorithm is not one entente accepts (RFC 5280 §6.1.3 (a)(1)).
    #[error("unsupported signature algorithm {0}")]
    UnsupportedSignatureAlgorithm(ObjectIdentifier),
    /// The issuer's key is of an unsupported kind or malformed.
    #[error("issuer key unusable: {0}")]
    IssuerKey(#[source] CryptoError),
    /// The signature does not verify under the issuer's key (§6.1.3 (a)(1)).
    #[error("signature does not verify: {0}")]
    Signature(#[source] CryptoError),
    /// The validation time is before notBefore (§6.1.3 (a)(2)).
    #[error("not valid before {not_before}")]
    NotYetValid {
        /// The certificate's notBefore.
        not_before: UnixTime,
    },
    /// The validation time is after notAfter (§6.1.3 (a)(2)).
    #[error("expired at {not_after}")]
    Expired {
        /// The certificate's notAfter.
        not_after: UnixTime,
    },
    /// The issuer name does not match the previous subject (§6.1.3 (a)(4), §7.1).
    #[error("issuer name does not match the issuing certificate's subject")]
    NameChaining,
    /// An issuing certificate is not a CA (§6.1.4 (k)).
    #[error("issuing certificate is not a CA (basicConstraints cA absent)")]
    NotCa,
    /// An issuing certificate lacks keyCertSign (§6.1.4 (n)).
    #[error("issuing certificate lacks keyCertSign")]
    KeyCertSignMissing,
    /// More non-self-issued intermediates than a pathLenConstraint allows (§6.1.4 (l)-(m)).
    #[error("path length constraint exceeded")]
    PathLength,
    /// A name is outside the permitted subtrees or inside an excluded one (§6.1.3 (b)-(c)).
    #[error("{0} violates name constraints")]
    NameConstraint(NameKind),
    /// No acceptable policy remains (§6.1.3 (f), §6.1.5 (g)).
    #[error("no acceptable certificate policy")]
    NoAcceptablePolicy,
    /// A policy mapping names anyPolicy (§6.1.4 (a)).
    #[error("policy mapping to or from anyPolicy")]
    MappingAnyPolicy,
    /// The policy graph outgrew its bound.
    #[error("policy graph exceeds its size bound")]
    PolicyGraphTooLarge,
    /// A critical extension entente does not process (§6.1.4 (o), §4.2).
    #[error("unknown critical extension {0}")]
    UnknownCriticalExtension(ObjectIdentifier),
    /// The certificate is revoked (§6.1.3 (a)(3)).
    #[error("revoked ({reason}) at {date}")]
    Revoked {
        /// The reason code of the CRL entry.
        reason: RevocationReason,
        /// The revocation date of the CRL entry.
        date: UnixTime,
    },
    /// The only CRLs for this certificate are too old: nextUpdate passed or
    /// older than the caller's bound (freeze-attack defence).
    #[error("revocation data is stale (issued {this_update})")]
    StaleRevocation {
        /// thisUpdate of the freshest CRL found.
        this_update: UnixTime,
    },
    /// No usable CRL covers this certificate.
    #[error("no usable CRL covers this certificate")]
    RevocationUnavailable,
    /// The leaf does not satisfy the credential profile.
    #[error("credential profile {profile}: {violation}")]
    Profile {
        /// The profile's name.
        profile: String,
        /// What is missing.
        #[source]
        violation: crate::profile::ProfileViolation,
    },
}

/// Path validation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// A certificate of the best candidate path broke a rule.
    #[error("{position}: {rule}")]
    Path {
        /// Where.
        position: Position,
        /// What.
        rule: Rule,
    },
    /// No issuer (intermediate or trust anchor) was found for a certificate.
    #[error("no issuer found for {}", NoIssuerAt(*depth))]
    NoIssuer {
        /// 0 is the leaf.
        depth: usize,
    },
    /// Path building hit its budget (see [`crate::Budget`]).
    #[error("path building budget exhausted: {0}")]
    Budget(BudgetExhausted),
    /// No trust anchors were given.
    #[error("no trust anchors")]
    NoAnchors,
}

/// Which bound of the [`crate::Budget`] was hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BudgetExhausted {
    /// Too many signature verifications.
    #[error("signature checks")]
    Signatures,
    /// Too many candidate issuers tried.
    #[error("candidate issuers")]
    Candidates,
    /// The path would be longer than allowed.
    #[error("path depth")]
    Depth,
}
