//! A certificate authority that remembers what it issued and revoked.
//!
//! [`issue`](crate::issue), [`cross_certify`](crate::cross_certify) and
//! [`issue_crl`](crate::issue_crl) are stateless; an authority also has to
//! hand out fresh serial numbers, keep its revocation list and number its
//! CRLs. [`CertificateAuthority`] holds that state so that the `entente`
//! command, the demo and the tests of the higher crates do not each keep
//! their own copy. Its state is plain data ([`CertificateAuthority::state`])
//! so a caller can persist it.

use entente_core::{AuthorityId, PublicKey, Signer as _, SigningKey, UnixTime, Validity};
use x509_cert::name::Name;

use crate::cert::Certificate;
use crate::crl::{Crl, RevocationReason, RevokedEntry};
use crate::error::IssueError;
use crate::issue::{CertificateParams, CrlParams, cross_certify, issue, issue_crl, issue_root};
use crate::oid::Oid;

/// The persistent counters of a [`CertificateAuthority`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorityState {
    /// The serial number the next certificate gets.
    pub next_serial: u64,
    /// The cRLNumber of the last CRL issued (0: none yet).
    pub crl_number: u64,
    /// Everything revoked so far, in revocation order.
    pub revoked: Vec<RevokedEntry>,
}

impl Default for AuthorityState {
    fn default() -> Self {
        Self {
            next_serial: 2,
            crl_number: 0,
            revoked: Vec::new(),
        }
    }
}

/// A CA certificate with its signing key and its issuing state.
pub struct CertificateAuthority {
    certificate: Certificate,
    key: SigningKey,
    state: AuthorityState,
}

impl std::fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAuthority")
            .field("authority", &self.authority_id())
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// Why a [`CertificateAuthority`] refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthorityError {
    /// Issuing failed.
    #[error(transparent)]
    Issue(#[from] IssueError),
    /// The key does not belong to the certificate.
    #[error("the signing key does not match the CA certificate's public key")]
    KeyMismatch,
    /// The certificate is not a CA certificate.
    #[error("the certificate is not a CA certificate")]
    NotCa,
    /// Asked to revoke a certificate another CA issued.
    #[error("the certificate was not issued by this authority")]
    NotIssuedHere,
    /// The serial counter ran out.
    #[error("serial numbers exhausted")]
    SerialsExhausted,
}

impl CertificateAuthority {
    /// Creates a self-signed root (serial 1) for `key`.
    pub fn new_root(
        subject: Name,
        key: SigningKey,
        validity: Validity,
        path_len: Option<u8>,
    ) -> Result<Self, AuthorityError> {
        let certificate = issue_root(&CertificateParams::ca(subject, 1, validity, path_len), &key)?;
        Ok(Self {
            certificate,
            key,
            state: AuthorityState::default(),
        })
    }

    /// Reassembles an authority from its certificate, key and saved state.
    pub fn from_parts(
        certificate: Certificate,
        key: SigningKey,
        state: AuthorityState,
    ) -> Result<Self, AuthorityError> {
        if !certificate.is_ca() {
            return Err(AuthorityError::NotCa);
        }
        let spki = key.public_key().to_spki_der().map_err(IssueError::Crypto)?;
        if spki != certificate.spki_der() {
            return Err(AuthorityError::KeyMismatch);
        }
        Ok(Self {
            certificate,
            key,
            state,
        })
    }

    /// The CA certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// The CA's signing key.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The issuing state, to persist.
    pub fn state(&self) -> &AuthorityState {
        &self.state
    }

    /// The identity of the authority this CA is the root of: the SHA-256 of
    /// its certificate's SubjectPublicKeyInfo.
    pub fn authority_id(&self) -> AuthorityId {
        AuthorityId::from_spki_der(self.certificate.spki_der())
    }

    fn take_serial(&mut self) -> Result<u64, AuthorityError> {
        let serial = self.state.next_serial;
        self.state.next_serial = serial
            .checked_add(1)
            .ok_or(AuthorityError::SerialsExhausted)?;
        Ok(serial)
    }

    /// Issues a certificate from `params` (its serial is replaced by the next
    /// one of this authority).
    pub fn issue(
        &mut self,
        mut params: CertificateParams,
        subject_key: &PublicKey,
    ) -> Result<Certificate, AuthorityError> {
        params.serial = self.take_serial()?;
        Ok(issue(&params, subject_key, &self.certificate, &self.key)?)
    }

    /// Issues a subordinate CA certificate.
    pub fn issue_ca(
        &mut self,
        subject: Name,
        subject_key: &PublicKey,
        validity: Validity,
        path_len: Option<u8>,
    ) -> Result<Certificate, AuthorityError> {
        self.issue(
            CertificateParams::ca(subject, 0, validity, path_len),
            subject_key,
        )
    }

    /// Issues an end-entity credential carrying `ekus` (for instance
    /// `EkuOids::default().translator`).
    pub fn issue_credential(
        &mut self,
        subject: Name,
        subject_key: &PublicKey,
        validity: Validity,
        ekus: Vec<Oid>,
    ) -> Result<Certificate, AuthorityError> {
        self.issue(
            CertificateParams::leaf(subject, 0, validity, ekus),
            subject_key,
        )
    }

    /// Cross-certifies another authority's root with `params`' constraints.
    pub fn cross_certify(
        &mut self,
        other_root: &Certificate,
        mut params: CertificateParams,
    ) -> Result<Certificate, AuthorityError> {
        params.serial = self.take_serial()?;
        Ok(cross_certify(
            other_root,
            &params,
            &self.certificate,
            &self.key,
        )?)
    }

    /// Records the revocation of `certificate` (which this CA must have
    /// issued) from `date`; it appears on the next [`CertificateAuthority::crl`].
    /// Revoking a certificate twice keeps the first entry.
    pub fn revoke(
        &mut self,
        certificate: &Certificate,
        date: UnixTime,
        reason: RevocationReason,
    ) -> Result<(), AuthorityError> {
        if !self.certificate.names_issuer_of(certificate) {
            return Err(AuthorityError::NotIssuedHere);
        }
        let serial = certificate.serial();
        if !self.state.revoked.iter().any(|e| e.serial == serial) {
            self.state.revoked.push(RevokedEntry {
                serial: serial.to_vec(),
                date,
                reason,
            });
        }
        Ok(())
    }

    /// Issues the next complete CRL, listing everything revoked so far.
    pub fn crl(
        &mut self,
        this_update: UnixTime,
        next_update: Option<UnixTime>,
    ) -> Result<Crl, AuthorityError> {
        let number = self.state.crl_number.saturating_add(1);
        let crl = issue_crl(
            &CrlParams {
                this_update,
                next_update,
                number,
                revoked: self.state.revoked.clone(),
            },
            &self.certificate,
            &self.key,
        )?;
        self.state.crl_number = number;
        Ok(crl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Budget, CrlCheck, EkuOids, PolicyInputs, Profile, Rule, TrustAnchor, ValidationError,
        ValidationOptions, dn, validate,
    };
    use entente_core::{KeyKind, RustCryptoProvider};

    const T0: u64 = 1_800_000_000;

    fn validity() -> Validity {
        Validity {
            not_before: UnixTime(T0 - 1000),
            not_after: UnixTime(T0 + 1_000_000),
        }
    }

    fn key(label: &str) -> SigningKey {
        SigningKey::derive_from_seed(KeyKind::P256, b"authority-tests", label).unwrap()
    }

    #[test]
    fn issues_fresh_serials_and_revokes_on_the_next_crl() {
        let mut root =
            CertificateAuthority::new_root(dn("CN=Root").unwrap(), key("root"), validity(), None)
                .unwrap();
        let oids = EkuOids::default();
        let a = root
            .issue_credential(
                dn("CN=a").unwrap(),
                key("a").public_key(),
                validity(),
                vec![oids.translator.clone()],
            )
            .unwrap();
        let b = root
            .issue_credential(
                dn("CN=b").unwrap(),
                key("b").public_key(),
                validity(),
                vec![oids.translator.clone()],
            )
            .unwrap();
        assert_ne!(a.serial(), b.serial());

        root.revoke(&a, UnixTime(T0 - 10), RevocationReason::KeyCompromise)
            .unwrap();
        root.revoke(&a, UnixTime(T0 - 5), RevocationReason::KeyCompromise)
            .unwrap();
        assert_eq!(root.state().revoked.len(), 1);
        let crl = root
            .crl(UnixTime(T0 - 1), Some(UnixTime(T0 + 100)))
            .unwrap();
        assert_eq!(root.state().crl_number, 1);

        let anchors = [TrustAnchor::new(root.certificate().clone())];
        let profile = Profile::translator(&oids);
        let check = |leaf: &Certificate| {
            validate(
                leaf,
                &[],
                &anchors,
                &profile,
                &ValidationOptions {
                    time: UnixTime(T0),
                    policy: &PolicyInputs::default(),
                    revocation: Some(CrlCheck {
                        crls: std::slice::from_ref(&crl),
                        max_age: None,
                    }),
                    budget: Budget::default(),
                    provider: &RustCryptoProvider,
                },
            )
        };
        assert!(matches!(
            check(&a),
            Err(ValidationError::Path {
                rule: Rule::Revoked { .. },
                ..
            })
        ));
        assert!(check(&b).is_ok());
    }

    #[test]
    fn mismatched_key_rejected() {
        let root =
            CertificateAuthority::new_root(dn("CN=Root").unwrap(), key("root"), validity(), None)
                .unwrap();
        let cert = root.certificate().clone();
        assert!(matches!(
            CertificateAuthority::from_parts(cert, key("other"), AuthorityState::default()),
            Err(AuthorityError::KeyMismatch)
        ));
    }

    #[test]
    fn foreign_certificate_revocation_rejected() {
        let mut one =
            CertificateAuthority::new_root(dn("CN=One").unwrap(), key("one"), validity(), None)
                .unwrap();
        let mut two =
            CertificateAuthority::new_root(dn("CN=Two").unwrap(), key("two"), validity(), None)
                .unwrap();
        let leaf = two
            .issue_credential(
                dn("CN=x").unwrap(),
                key("x").public_key(),
                validity(),
                vec![],
            )
            .unwrap();
        assert!(matches!(
            one.revoke(&leaf, UnixTime(T0), RevocationReason::Unspecified),
            Err(AuthorityError::NotIssuedHere)
        ));
    }
}
