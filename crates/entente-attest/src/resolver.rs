//! The seam to credential validation: from a signature's `kid` to the
//! authority and key that stand behind it.
//!
//! entente's design has `entente-attest` depend on `entente-x509` for path
//! validation and credential profiles. This crate instead asks a
//! [`CredentialResolver`], which an X.509-backed implementation (validate the
//! certificate whose SHA-256 is `kid` up to an admitted root, check it is not
//! revoked at `at`, check the attester or operation-declarer profile, return
//! the root's [`AuthorityId`] and the leaf's key) implements. Everything in
//! this crate trusts the resolver's answer and nothing else.

use std::collections::BTreeMap;

use entente_core::{AuthorityId, Digest256, PublicKey, UnixTime, Validity};

/// The credential profile a signature must have been made under
/// (ARCHITECTURE §1, "credential profile").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CredentialPurpose {
    /// The attester profile: partners' statements about an operation.
    Attester,
    /// The operation-declarer profile: operation declarations.
    OperationDeclarer,
}

impl core::fmt::Display for CredentialPurpose {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Attester => "attester",
            Self::OperationDeclarer => "operation declarer",
        })
    }
}

/// What a resolver vouches for: the key behind a `kid` and the authority it
/// belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedSigner {
    /// The authority whose root the credential chains to.
    pub authority: AuthorityId,
    /// The credential's public key.
    pub key: PublicKey,
}

/// Resolves a signature's key identifier to a validated credential.
///
/// An implementation must answer only for credentials that validate at `at`
/// (chain, revocation, validity window) and carry the profile `purpose`
/// names; anything else is a [`ResolveError`].
pub trait CredentialResolver {
    /// Resolves `kid` for `purpose` at time `at`.
    fn resolve(
        &self,
        kid: &Digest256,
        purpose: CredentialPurpose,
        at: UnixTime,
    ) -> Result<ResolvedSigner, ResolveError>;
}

/// Why a resolver would not vouch for a `kid`.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// No credential with this key identifier is known.
    #[error("no credential is known for key identifier {0}")]
    Unknown(Digest256),
    /// The credential is revoked at the time asked about.
    #[error("credential {0} is revoked")]
    Revoked(Digest256),
    /// The credential is outside its validity window at the time asked about.
    #[error("credential {0} is not valid at the time of verification")]
    OutsideValidity(Digest256),
    /// The credential does not carry the profile asked for.
    #[error("credential {kid} does not have the {purpose} profile")]
    WrongPurpose {
        /// The credential.
        kid: Digest256,
        /// The profile asked for.
        purpose: CredentialPurpose,
    },
    /// The credential's certification path did not validate (for resolvers
    /// backed by path validation; the source says which rule failed).
    #[error("credential {kid} did not validate")]
    Path {
        /// The credential.
        kid: Digest256,
        /// Why path validation failed.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// An in-memory resolver: a table from `kid` to (authority, key, profile,
/// validity, revocation time). For tests, simulations, benchmarks and demos;
/// it performs no path validation and believes what it was told.
#[derive(Clone, Debug, Default)]
pub struct MemoryResolver {
    entries: BTreeMap<Digest256, MemoryEntry>,
}

#[derive(Clone, Debug)]
struct MemoryEntry {
    signer: ResolvedSigner,
    purpose: CredentialPurpose,
    validity: Option<Validity>,
    revoked_from: Option<UnixTime>,
}

impl MemoryResolver {
    /// An empty resolver.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a credential valid at all times, replacing any earlier entry
    /// for `kid`.
    pub fn insert(
        &mut self,
        kid: Digest256,
        purpose: CredentialPurpose,
        authority: AuthorityId,
        key: PublicKey,
    ) {
        self.entries.insert(
            kid,
            MemoryEntry {
                signer: ResolvedSigner { authority, key },
                purpose,
                validity: None,
                revoked_from: None,
            },
        );
    }

    /// Restricts a registered credential to a validity window.
    pub fn set_validity(&mut self, kid: &Digest256, validity: Validity) {
        if let Some(entry) = self.entries.get_mut(kid) {
            entry.validity = Some(validity);
        }
    }

    /// Revokes a registered credential from time `from` on.
    pub fn revoke(&mut self, kid: &Digest256, from: UnixTime) {
        if let Some(entry) = self.entries.get_mut(kid) {
            entry.revoked_from = Some(from);
        }
    }
}

impl CredentialResolver for MemoryResolver {
    fn resolve(
        &self,
        kid: &Digest256,
        purpose: CredentialPurpose,
        at: UnixTime,
    ) -> Result<ResolvedSigner, ResolveError> {
        let entry = self.entries.get(kid).ok_or(ResolveError::Unknown(*kid))?;
        if entry.purpose != purpose {
            return Err(ResolveError::WrongPurpose { kid: *kid, purpose });
        }
        if entry.revoked_from.is_some_and(|from| from <= at) {
            return Err(ResolveError::Revoked(*kid));
        }
        if entry.validity.is_some_and(|v| !v.contains(at)) {
            return Err(ResolveError::OutsideValidity(*kid));
        }
        Ok(entry.signer.clone())
    }
}
