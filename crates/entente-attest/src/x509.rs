//! The X.509-backed [`CredentialResolver`]: a `kid` resolves only to a
//! certificate that validates, at the time asked about, up to the root of
//! one admitted authority, with that authority's CRLs, under the attester or
//! operation-declarer profile.

use entente_core::{AuthorityId, CryptoProvider, Digest256, UnixTime};
use entente_x509::{
    Budget, Certificate, CredentialProfile, Crl, CrlCheck, PolicyInputs, Rule, TrustAnchor,
    ValidationError, ValidationOptions, validate,
};

use crate::resolver::{CredentialPurpose, CredentialResolver, ResolveError, ResolvedSigner};

/// One admitted authority's trust material. Authorities are tried one at a
/// time: their roots are never merged into one trust store.
#[derive(Clone, Copy, Debug)]
pub struct AuthorityRoots<'a> {
    /// The authority's root certificates.
    pub anchors: &'a [TrustAnchor],
    /// The CRLs for its hierarchy.
    pub crls: &'a [Crl],
}

/// Resolves `kid`s by validating certificates with entente-x509.
pub struct X509Resolver<'a> {
    /// Leaf and intermediate certificates, in any order.
    pub certificates: &'a [Certificate],
    /// The admitted authorities.
    pub authorities: &'a [AuthorityRoots<'a>],
    /// The attester credential profile.
    pub attester: &'a dyn CredentialProfile,
    /// The operation-declarer credential profile.
    pub declarer: &'a dyn CredentialProfile,
    /// Signature verification for the chains.
    pub provider: &'a dyn CryptoProvider,
    /// Oldest revocation data accepted, in seconds (freeze defence).
    pub max_crl_age: Option<u64>,
    /// Work bounds for each validation.
    pub budget: Budget,
}

impl X509Resolver<'_> {
    fn profile(&self, purpose: CredentialPurpose) -> &dyn CredentialProfile {
        match purpose {
            CredentialPurpose::Attester => self.attester,
            CredentialPurpose::OperationDeclarer => self.declarer,
        }
    }
}

/// Maps a validation failure to the resolver's vocabulary, keeping the
/// detailed failure as the source where there is no closer variant.
fn refusal(kid: Digest256, purpose: CredentialPurpose, error: ValidationError) -> ResolveError {
    match &error {
        ValidationError::Path { rule, .. } => match rule {
            Rule::Revoked { .. } => ResolveError::Revoked(kid),
            Rule::NotYetValid { .. } | Rule::Expired { .. } => ResolveError::OutsideValidity(kid),
            Rule::Profile { .. } => ResolveError::WrongPurpose { kid, purpose },
            _ => ResolveError::Path {
                kid,
                source: Box::new(error),
            },
        },
        _ => ResolveError::Path {
            kid,
            source: Box::new(error),
        },
    }
}

impl CredentialResolver for X509Resolver<'_> {
    fn resolve(
        &self,
        kid: &Digest256,
        purpose: CredentialPurpose,
        at: UnixTime,
    ) -> Result<ResolvedSigner, ResolveError> {
        let leaf = self
            .certificates
            .iter()
            .find(|c| c.digest() == *kid)
            .ok_or(ResolveError::Unknown(*kid))?;
        let inputs = PolicyInputs::default();
        let mut failure = None;
        for authority in self.authorities {
            let options = ValidationOptions {
                time: at,
                policy: &inputs,
                revocation: Some(CrlCheck {
                    crls: authority.crls,
                    max_age: self.max_crl_age,
                }),
                budget: self.budget,
                provider: self.provider,
            };
            match validate(
                leaf,
                self.certificates,
                authority.anchors,
                self.profile(purpose),
                &options,
            ) {
                Ok(chain) => {
                    let key = chain.leaf_key().clone();
                    let authority: AuthorityId = chain.anchor();
                    return Ok(ResolvedSigner { authority, key });
                }
                // A failure under an authority the certificate does not chain
                // to says little; keep the most specific one.
                Err(ValidationError::NoIssuer { .. }) => {}
                Err(error) => failure = Some(error),
            }
        }
        Err(match failure {
            Some(error) => refusal(*kid, purpose, error),
            None => ResolveError::Unknown(*kid),
        })
    }
}
