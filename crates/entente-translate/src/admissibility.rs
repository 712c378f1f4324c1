//! Who may translate: a translation A → B is admissible to a partner only if
//! every signer's certificate validates (at the given time, with CRLs), is
//! not revoked, has the translator profile, and either
//!
//! - (a) the signer **stands in both domains**: the same key has a valid
//!   chain to A's root and one to B's root; or
//! - (b) the signer chains to a **coordination authority** the admitting
//!   partner names for the pair (A, B) and the operation.
//!
//! Revoking any certificate a translation needs makes it inadmissible from
//! the time the revoking CRL applies.

use entente_core::cose::{Envelope, VerifiedEnvelope};
use entente_core::{ArtifactId, AuthorityId, CryptoProvider, Digest256, OperationId, UnixTime};
use entente_policy::{Scope, Vocabulary};
use entente_x509::{
    Budget, Certificate, CredentialProfile, Crl, CrlCheck, PolicyInputs, Rule, TrustAnchor,
    ValidationError, ValidationOptions, validate,
};

use crate::document::Translation;
use crate::error::TranslationError;
use crate::map::TermMap;

/// What the admitting partner knows of one authority: its roots and the
/// revocation data it holds for that authority's hierarchy.
#[derive(Clone, Copy, Debug)]
pub struct AuthorityTrust<'a> {
    /// The authority's root certificates (its `AuthorityId` is their key's).
    pub anchors: &'a [TrustAnchor],
    /// CRLs for the authority's hierarchy.
    pub crls: &'a [Crl],
}

/// A coordination authority the admitting partner accepts for translations
/// from `source` to `target` within `operations`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoordinatorGrant {
    /// The coordination authority.
    pub coordinator: AuthorityId,
    /// The authority whose policies are translated.
    pub source: AuthorityId,
    /// The authority into whose terms they are translated.
    pub target: AuthorityId,
    /// The operations the grant covers.
    pub operations: Scope,
}

/// The admitting partner's side of an admissibility decision.
pub struct AdmissionContext<'a> {
    /// The decision time; nothing reads the clock.
    pub time: UnixTime,
    /// The operation the translation is to be used in.
    pub operation: OperationId,
    /// Signature verification.
    pub provider: &'a dyn CryptoProvider,
    /// The translator credential profile.
    pub profile: &'a dyn CredentialProfile,
    /// Oldest revocation data accepted, in seconds (freeze defence).
    pub max_crl_age: Option<u64>,
    /// Work bounds for each path validation.
    pub budget: Budget,
    /// The partner's trust in each authority it admits; `None` for one it
    /// does not.
    pub trust: &'a dyn Fn(&AuthorityId) -> Option<AuthorityTrust<'a>>,
    /// The coordination authorities the partner names.
    pub coordinators: &'a [CoordinatorGrant],
}

/// Why a signer may translate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The signer's key is certified under both authorities' roots.
    DualDomain,
    /// The signer chains to this coordination authority, which the admitting
    /// partner names for the pair and operation.
    Coordinator(AuthorityId),
}

/// A translation the partner may use: verified, resolved and with the basis
/// of every signer. Only [`admit_translation`] constructs one.
#[derive(Clone, Debug)]
pub struct AdmittedTranslation {
    envelope: VerifiedEnvelope<Translation>,
    map: TermMap,
    bases: Vec<Basis>,
}

impl AdmittedTranslation {
    /// The verified translation.
    pub fn translation(&self) -> &Translation {
        self.envelope.document()
    }

    /// Its artifact identity.
    pub fn artifact_id(&self) -> ArtifactId {
        self.envelope.artifact_id()
    }

    /// The resolved term map.
    pub fn map(&self) -> &TermMap {
        &self.map
    }

    /// Each signer's basis, in envelope order.
    pub fn bases(&self) -> &[Basis] {
        &self.bases
    }
}

/// Why a translation is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No certificate was supplied for a signature's `kid`.
    #[error("no certificate for signer {0}")]
    UnknownSigner(Digest256),
    /// The partner does not admit one of the translation's authorities.
    #[error("authority {0} is not admitted")]
    UnadmittedAuthority(AuthorityId),
    /// A signer's certificate is revoked in a domain it needs.
    #[error("signer {kid} is revoked in the domain of {authority}: {source}")]
    Revoked {
        /// The signer.
        kid: Digest256,
        /// The domain whose CRL revokes it.
        authority: AuthorityId,
        /// The validation failure.
        #[source]
        source: Box<ValidationError>,
    },
    /// The signer stands in one domain only and no named coordinator
    /// certifies it.
    #[error(
        "signer {kid} is certified by {certified} only, not in both domains nor by a named coordinator"
    )]
    SingleDomain {
        /// The signer.
        kid: Digest256,
        /// The one domain it validates in.
        certified: AuthorityId,
    },
    /// The signer validates in neither domain nor under a named coordinator.
    #[error("signer {kid} is not certified as a translator: {source}")]
    NotCertified {
        /// The signer.
        kid: Digest256,
        /// The failure against the source domain.
        #[source]
        source: Box<ValidationError>,
    },
    /// The translation's time window or scope excludes the use.
    #[error("translation not valid at this time or in this operation")]
    OutOfScope,
    /// The document, its signatures or its maps are refused.
    #[error("translation: {0}")]
    Translation(#[source] TranslationError),
}

/// Decides whether the signed translation `envelope` is admissible, given
/// the signers' certificates (`certificates`: leaves and intermediates, in
/// any order) and vocabularies for its source and target.
pub fn admit_translation(
    envelope: &Envelope,
    certificates: &[Certificate],
    context: &AdmissionContext<'_>,
    source: (&Vocabulary, ArtifactId),
    target: (&Vocabulary, ArtifactId),
) -> Result<AdmittedTranslation, Refusal> {
    let mut keys = Vec::with_capacity(envelope.signatures().len());
    let mut leaves = Vec::with_capacity(envelope.signatures().len());
    for info in envelope.signatures() {
        let leaf = certificates
            .iter()
            .find(|c| c.digest() == info.kid)
            .ok_or(Refusal::UnknownSigner(info.kid))?;
        let key = leaf
            .public_key()
            .map_err(|_| Refusal::UnknownSigner(info.kid))?;
        keys.push(key);
        leaves.push((info.kid, leaf));
    }
    // Signatures and maps first: a forged or malformed translation is refused
    // for what it is before any certificate work.
    let (verified, map) = Translation::verify(envelope, context.provider, &keys, source, target)
        .map_err(Refusal::Translation)?;
    let document = verified.document();
    let in_scope = match &document.scope {
        Scope::Any => true,
        Scope::Operations(ops) => ops.contains(&context.operation),
        Scope::Alliances(_) => false,
    };
    if !document.validity.contains(context.time) || !in_scope {
        return Err(Refusal::OutOfScope);
    }
    let (a, b) = (document.source.authority, document.target.authority);
    let trust_a = (context.trust)(&a).ok_or(Refusal::UnadmittedAuthority(a))?;
    let trust_b = (context.trust)(&b).ok_or(Refusal::UnadmittedAuthority(b))?;
    let mut bases = Vec::with_capacity(leaves.len());
    for (kid, leaf) in leaves {
        bases.push(signer_basis(
            kid,
            leaf,
            certificates,
            context,
            (a, trust_a),
            (b, trust_b),
        )?);
    }
    Ok(AdmittedTranslation {
        envelope: verified,
        map,
        bases,
    })
}

/// Validates `leaf` (or another certificate for the same key) in `trust`'s domain.
fn chain_in(
    leaf: &Certificate,
    pool: &[Certificate],
    context: &AdmissionContext<'_>,
    trust: AuthorityTrust<'_>,
) -> Result<(), ValidationError> {
    let inputs = PolicyInputs::default();
    let options = ValidationOptions {
        time: context.time,
        policy: &inputs,
        revocation: Some(CrlCheck {
            crls: trust.crls,
            max_age: context.max_crl_age,
        }),
        budget: context.budget,
        provider: context.provider,
    };
    // The same key may be certified by each domain in its own leaf. The
    // failure reported is the most telling one: a revocation (the domain did
    // certify this key, then withdrew it) over, say, the other domain's leaf
    // not chaining here.
    let mut reported: Option<ValidationError> = None;
    for candidate in pool.iter().filter(|c| c.spki_der() == leaf.spki_der()) {
        match validate(candidate, pool, trust.anchors, context.profile, &options) {
            Ok(_) => return Ok(()),
            Err(e) => {
                if reported
                    .as_ref()
                    .is_none_or(|r| !is_revocation(r) && is_revocation(&e))
                {
                    reported = Some(e);
                }
            }
        }
    }
    Err(reported.unwrap_or(ValidationError::NoAnchors))
}

fn is_revocation(error: &ValidationError) -> bool {
    matches!(
        error,
        ValidationError::Path {
            rule: Rule::Revoked { .. },
            ..
        }
    )
}

fn signer_basis(
    kid: Digest256,
    leaf: &Certificate,
    pool: &[Certificate],
    context: &AdmissionContext<'_>,
    (a, trust_a): (AuthorityId, AuthorityTrust<'_>),
    (b, trust_b): (AuthorityId, AuthorityTrust<'_>),
) -> Result<Basis, Refusal> {
    let in_a = chain_in(leaf, pool, context, trust_a);
    let in_b = chain_in(leaf, pool, context, trust_b);
    if in_a.is_ok() && in_b.is_ok() {
        return Ok(Basis::DualDomain);
    }
    for grant in context.coordinators {
        let covers = grant.source == a
            && grant.target == b
            && match &grant.operations {
                Scope::Any => true,
                Scope::Operations(ops) => ops.contains(&context.operation),
                Scope::Alliances(_) => false,
            };
        if !covers {
            continue;
        }
        if let Some(trust) = (context.trust)(&grant.coordinator) {
            if chain_in(leaf, pool, context, trust).is_ok() {
                return Ok(Basis::Coordinator(grant.coordinator));
            }
        }
    }
    // Report the most telling failure: a revocation first.
    for (authority, result) in [(a, &in_a), (b, &in_b)] {
        if let Err(error) = result {
            if is_revocation(error) {
                return Err(Refusal::Revoked {
                    kid,
                    authority,
                    source: Box::new(error.clone()),
                });
            }
        }
    }
    match (in_a, in_b) {
        // Both Ok returned above.
        (Ok(()), _) => Err(Refusal::SingleDomain { kid, certified: a }),
        (Err(_), Ok(())) => Err(Refusal::SingleDomain { kid, certified: b }),
        (Err(source), Err(_)) => Err(Refusal::NotCertified {
            kid,
            source: Box::new(source),
        }),
    }
}
