//! Credential profiles: what a leaf certificate must contain to act in a role.

use entente_core::{KeyKind, UnixTime};

use crate::cert::{ANY_EKU, Certificate};
use crate::issue::KeyUsage;
use crate::oid::Oid;

/// entente's OID arc: `2.999` is the X.660 example arc, a **placeholder**
/// until a Private Enterprise Number is registered. Deployments pass their
/// own arc to [`EkuOids::under_arc`]; nothing in validation hard-codes it.
pub const PLACEHOLDER_ARC: &str = "2.999.1";

/// [`PLACEHOLDER_ARC`] as an [`Oid`].
pub fn placeholder_arc() -> Oid {
    // INVARIANT: the constant is well-formed dotted decimal (tested).
    Oid::parse(PLACEHOLDER_ARC).unwrap_or_else(|_| Oid::from(crate::cert::ANY_POLICY))
}

/// The extended key usage OIDs of entente's roles, taken from configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EkuOids {
    /// Signs policies and vocabularies.
    pub policy_signer: Oid,
    /// Signs translations.
    pub translator: Oid,
    /// Signs attestations.
    pub attester: Oid,
    /// Signs operation declarations.
    pub operation_declarer: Oid,
    /// Signs audit-log checkpoints.
    pub audit_log: Oid,
    /// Cosigns other partners' checkpoints.
    pub witness: Oid,
}

impl EkuOids {
    /// The EKUs `arc.1.1` to `arc.1.6`.
    pub fn under_arc(arc: &Oid) -> Self {
        let eku = arc.child(1);
        Self {
            policy_signer: eku.child(1),
            translator: eku.child(2),
            attester: eku.child(3),
            operation_declarer: eku.child(4),
            audit_log: eku.child(5),
            witness: eku.child(6),
        }
    }
}

impl Default for EkuOids {
    /// Under [`PLACEHOLDER_ARC`].
    fn default() -> Self {
        Self::under_arc(&placeholder_arc())
    }
}

/// What a certificate lacks for a profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileViolation {
    /// A required extended key usage is absent (anyExtendedKeyUsage does not count).
    #[error("extended key usage {0} missing")]
    MissingEku(Oid),
    /// A required key usage bit is absent.
    #[error("key usage {0:?} missing")]
    MissingKeyUsage(KeyUsage),
    /// The key is not of an allowed kind.
    #[error("{0:?} keys are not allowed")]
    KeyKind(KeyKind),
    /// The key could not be parsed.
    #[error("unsupported or malformed subject key")]
    Key,
    /// The certificate lives longer than allowed.
    #[error("lifetime of {lifetime} s exceeds {max} s")]
    Lifetime {
        /// notAfter − notBefore.
        lifetime: u64,
        /// The profile's bound.
        max: u64,
    },
    /// The profile needs a CA certificate.
    #[error("not a CA certificate")]
    NotCa,
    /// The profile needs an end-entity certificate.
    #[error("a CA certificate cannot hold this role")]
    UnexpectedCa,
    /// A requirement of an integrator-defined check, by name.
    #[error("requirement {0} not met")]
    Requirement(&'static str),
}

/// What a certificate must contain to act in a role. Implement it to add a
/// profile; the validator calls [`CredentialProfile::check`] on the leaf.
pub trait CredentialProfile: Send + Sync {
    /// A short name for errors and [`crate::VerifiedChain::profile`].
    fn name(&self) -> &str;
    /// Extended key usages that must all be present.
    fn required_ekus(&self) -> &[Oid] {
        &[]
    }
    /// Key usage bits that must all be set.
    fn required_key_usage(&self) -> KeyUsage {
        KeyUsage::NONE
    }
    /// Allowed key kinds; empty allows any.
    fn key_kinds(&self) -> &[KeyKind] {
        &[]
    }
    /// Maximum notAfter − notBefore, in seconds.
    fn max_lifetime(&self) -> Option<u64> {
        None
    }
    /// `Some(true)`: must be a CA; `Some(false)`: must not be; `None`: either.
    fn ca(&self) -> Option<bool> {
        None
    }
    /// Further checks of the profile.
    fn extra_checks(&self, _cert: &Certificate, _time: UnixTime) -> Result<(), ProfileViolation> {
        Ok(())
    }
    /// Runs every check; the validator calls this.
    fn check(&self, cert: &Certificate, time: UnixTime) -> Result<(), ProfileViolation> {
        let ekus = cert.ext.eku.as_deref().unwrap_or_default();
        for eku in self.required_ekus() {
            if !ekus.contains(eku) || *eku == Oid::from(ANY_EKU) {
                return Err(ProfileViolation::MissingEku(eku.clone()));
            }
        }
        let need = self.required_key_usage();
        if !need.is_empty() {
            let have = cert.ext.key_usage.unwrap_or(0);
            if have & need.bits() != need.bits() {
                return Err(ProfileViolation::MissingKeyUsage(need));
            }
        }
        let kinds = self.key_kinds();
        let key = cert.public_key().map_err(|_| ProfileViolation::Key)?;
        if !kinds.is_empty() && !kinds.contains(&key.kind()) {
            return Err(ProfileViolation::KeyKind(key.kind()));
        }
        if let Some(max) = self.max_lifetime() {
            let lifetime = cert
                .not_after
                .as_secs()
                .saturating_sub(cert.not_before.as_secs());
            if lifetime > max {
                return Err(ProfileViolation::Lifetime { lifetime, max });
            }
        }
        match self.ca() {
            Some(true) if !cert.is_ca() => return Err(ProfileViolation::NotCa),
            Some(false) if cert.is_ca() => return Err(ProfileViolation::UnexpectedCa),
            _ => {}
        }
        self.extra_checks(cert, time)
    }
}

const DAY: u64 = 86_400;
const ECDSA: &[KeyKind] = &[KeyKind::P256, KeyKind::P384];
const ED25519: &[KeyKind] = &[KeyKind::Ed25519];
const CA_KEYS: &[KeyKind] = &[KeyKind::P256, KeyKind::P384, KeyKind::Rsa];

/// A built-in profile: a table of requirements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    name: &'static str,
    ekus: Vec<Oid>,
    key_usage: KeyUsage,
    key_kinds: &'static [KeyKind],
    max_lifetime: Option<u64>,
    ca: Option<bool>,
}

impl Profile {
    fn leaf(name: &'static str, eku: &Oid, kinds: &'static [KeyKind], days: u64) -> Self {
        Self {
            name,
            ekus: vec![eku.clone()],
            key_usage: KeyUsage::DIGITAL_SIGNATURE,
            key_kinds: kinds,
            max_lifetime: Some(days * DAY),
            ca: Some(false),
        }
    }

    /// RFC 5280 only: no role requirements (conformance suites, generic use).
    pub fn rfc5280() -> Self {
        Self {
            name: "rfc5280",
            ekus: Vec::new(),
            key_usage: KeyUsage::NONE,
            key_kinds: &[],
            max_lifetime: None,
            ca: None,
        }
    }

    /// An authority's CA certificate (root, intermediate or cross-certificate
    /// subject): CA, keyCertSign and cRLSign, ECDSA or RSA, at most 25 years.
    pub fn authority_ca() -> Self {
        Self {
            name: "authority-ca",
            ekus: Vec::new(),
            key_usage: KeyUsage::KEY_CERT_SIGN.union(KeyUsage::CRL_SIGN),
            key_kinds: CA_KEYS,
            max_lifetime: Some(25 * 366 * DAY),
            ca: Some(true),
        }
    }

    /// Signs policies and vocabularies: ECDSA, at most 2 years.
    pub fn policy_signer(oids: &EkuOids) -> Self {
        Self::leaf("policy-signer", &oids.policy_signer, ECDSA, 2 * 366)
    }

    /// Signs translations: ECDSA, at most 1 year.
    pub fn translator(oids: &EkuOids) -> Self {
        Self::leaf("translator", &oids.translator, ECDSA, 366)
    }

    /// Signs attestations: ECDSA, at most 1 year.
    pub fn attester(oids: &EkuOids) -> Self {
        Self::leaf("attester", &oids.attester, ECDSA, 366)
    }

    /// Signs operation declarations: ECDSA, at most 1 year.
    pub fn operation_declarer(oids: &EkuOids) -> Self {
        Self::leaf("operation-declarer", &oids.operation_declarer, ECDSA, 366)
    }

    /// Signs audit-log checkpoints: Ed25519 (C2SP signed-note), at most 5 years.
    pub fn audit_log(oids: &EkuOids) -> Self {
        Self::leaf("audit-log", &oids.audit_log, ED25519, 5 * 366)
    }

    /// Cosigns checkpoints of other partners: Ed25519, at most 5 years.
    pub fn witness(oids: &EkuOids) -> Self {
        Self::leaf("witness", &oids.witness, ED25519, 5 * 366)
    }
}

impl CredentialProfile for Profile {
    fn name(&self) -> &str {
        self.name
    }
    fn required_ekus(&self) -> &[Oid] {
        &self.ekus
    }
    fn required_key_usage(&self) -> KeyUsage {
        self.key_usage
    }
    fn key_kinds(&self) -> &[KeyKind] {
        self.key_kinds
    }
    fn max_lifetime(&self) -> Option<u64> {
        self.max_lifetime
    }
    fn ca(&self) -> Option<bool> {
        self.ca
    }
}
