//! Attestation credentials resolved through entente-x509: a `kid` stands for
//! an authority only if its certificate validates to that authority's root
//! under the right profile, unrevoked, at the time asked about.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use entente_attest::{
    AttestError, Attestation, AuthorityRoots, CredentialPurpose, CredentialResolver, ResolveError,
    Statement, X509Resolver, verify_attestation,
};
use entente_core::{
    ArtifactId, AuthorityId, Digest256, KeyKind, OperationId, RustCryptoProvider, Signer as _,
    SigningKey, UnixTime, Validity,
};
use entente_x509::{
    Budget, Certificate, CertificateAuthority, Crl, EkuOids, Profile, RevocationReason,
    TrustAnchor, dn,
};

const T0: u64 = 1_800_000_000;
const DAY: u64 = 86_400;

struct Authority {
    ca: CertificateAuthority,
    anchors: Vec<TrustAnchor>,
    crls: Vec<Crl>,
}

impl Authority {
    fn new(name: &str) -> Self {
        let key = SigningKey::derive_from_seed(KeyKind::P256, b"attest-x509", name).unwrap();
        let validity = Validity {
            not_before: UnixTime(T0 - 1000),
            not_after: UnixTime(T0 + 3650 * DAY),
        };
        let mut ca = CertificateAuthority::new_root(
            dn(&format!("CN={name} Root")).unwrap(),
            key,
            validity,
            None,
        )
        .unwrap();
        let crl = ca
            .crl(UnixTime(T0 - 50), Some(UnixTime(T0 + 30 * DAY)))
            .unwrap();
        Self {
            anchors: vec![TrustAnchor::new(ca.certificate().clone())],
            ca,
            crls: vec![crl],
        }
    }

    fn id(&self) -> AuthorityId {
        self.ca.authority_id()
    }

    /// A credential with `eku` for `subject`.
    fn credential(&mut self, subject: &SigningKey, eku: entente_x509::Oid) -> Certificate {
        let validity = Validity {
            not_before: UnixTime(T0 - 100),
            not_after: UnixTime(T0 + 300 * DAY),
        };
        self.ca
            .issue_credential(
                dn("CN=credential").unwrap(),
                subject.public_key(),
                validity,
                vec![eku],
            )
            .unwrap()
    }

    fn revoke(&mut self, cert: &Certificate, when: u64) {
        self.ca
            .revoke(cert, UnixTime(when), RevocationReason::KeyCompromise)
            .unwrap();
        let crl = self
            .ca
            .crl(UnixTime(when), Some(UnixTime(when + 30 * DAY)))
            .unwrap();
        self.crls.push(crl);
    }

    fn roots(&self) -> AuthorityRoots<'_> {
        AuthorityRoots {
            anchors: &self.anchors,
            crls: &self.crls,
        }
    }
}

fn resolve(
    certificates: &[Certificate],
    admitted: &[AuthorityRoots<'_>],
    kid: &Digest256,
    purpose: CredentialPurpose,
    at: u64,
) -> Result<AuthorityId, ResolveError> {
    let oids = EkuOids::default();
    let (attester, declarer) = (Profile::attester(&oids), Profile::operation_declarer(&oids));
    let resolver = X509Resolver {
        certificates,
        authorities: admitted,
        attester: &attester,
        declarer: &declarer,
        provider: &RustCryptoProvider,
        max_crl_age: Some(60 * DAY),
        budget: Budget::default(),
    };
    resolver
        .resolve(kid, purpose, UnixTime(at))
        .map(|s| s.authority)
}

fn key(label: &str) -> SigningKey {
    SigningKey::derive_from_seed(KeyKind::P256, b"attest-x509", label).unwrap()
}

#[test]
fn attester_credential_resolves_to_its_authority_accepted() {
    let (mut gbr, deu) = (Authority::new("GBR"), Authority::new("DEU"));
    let cert = gbr.credential(&key("gbr-attester"), EkuOids::default().attester);
    let admitted = [deu.roots(), gbr.roots()];
    assert_eq!(
        resolve(
            std::slice::from_ref(&cert),
            &admitted,
            &cert.digest(),
            CredentialPurpose::Attester,
            T0
        )
        .ok(),
        Some(gbr.id())
    );
}

#[test]
fn attester_credential_used_to_declare_rejected() {
    let mut gbr = Authority::new("GBR");
    let cert = gbr.credential(&key("gbr-attester"), EkuOids::default().attester);
    assert!(matches!(
        resolve(
            std::slice::from_ref(&cert),
            &[gbr.roots()],
            &cert.digest(),
            CredentialPurpose::OperationDeclarer,
            T0
        ),
        Err(ResolveError::WrongPurpose {
            purpose: CredentialPurpose::OperationDeclarer,
            ..
        })
    ));
}

#[test]
fn revoked_attester_rejected_after_revocation() {
    let mut gbr = Authority::new("GBR");
    let cert = gbr.credential(&key("gbr-attester"), EkuOids::default().attester);
    gbr.revoke(&cert, T0 + 1000);
    let certs = [cert.clone()];
    assert!(
        resolve(
            &certs,
            &[gbr.roots()],
            &cert.digest(),
            CredentialPurpose::Attester,
            T0 + 500
        )
        .is_ok()
    );
    assert!(matches!(
        resolve(
            &certs,
            &[gbr.roots()],
            &cert.digest(),
            CredentialPurpose::Attester,
            T0 + 2000
        ),
        Err(ResolveError::Revoked(_))
    ));
}

#[test]
fn expired_attester_rejected() {
    let mut gbr = Authority::new("GBR");
    let cert = gbr.credential(&key("gbr-attester"), EkuOids::default().attester);
    assert!(matches!(
        resolve(
            std::slice::from_ref(&cert),
            &[gbr.roots()],
            &cert.digest(),
            CredentialPurpose::Attester,
            T0 + 400 * DAY
        ),
        Err(ResolveError::OutsideValidity(_) | ResolveError::Path { .. })
    ));
}

#[test]
fn credential_of_an_unadmitted_authority_rejected() {
    let (gbr, mut rogue) = (Authority::new("GBR"), Authority::new("ROGUE"));
    let cert = rogue.credential(&key("rogue-attester"), EkuOids::default().attester);
    assert!(
        resolve(
            std::slice::from_ref(&cert),
            &[gbr.roots()],
            &cert.digest(),
            CredentialPurpose::Attester,
            T0
        )
        .is_err()
    );
    assert!(matches!(
        resolve(
            &[],
            &[gbr.roots()],
            &cert.digest(),
            CredentialPurpose::Attester,
            T0
        ),
        Err(ResolveError::Unknown(_))
    ));
}

#[test]
fn impersonation_through_x509_credentials_rejected() {
    // DEU's attester signs a statement claiming to be GBR: the resolver
    // answers DEU, so the statement is refused.
    let (gbr, mut deu) = (Authority::new("GBR"), Authority::new("DEU"));
    let signer = key("deu-attester");
    let cert = deu.credential(&signer, EkuOids::default().attester);
    let statement = |author| Attestation {
        operation: OperationId::derive(&gbr.id(), "exercise"),
        epoch: 0,
        slot: 1,
        author,
        statement: Statement::Endorsement {
            artifact: ArtifactId::from_digest(Digest256::sha256(b"plan")),
        },
    };
    let oids = EkuOids::default();
    let (attester, declarer) = (Profile::attester(&oids), Profile::operation_declarer(&oids));
    let admitted = [gbr.roots(), deu.roots()];
    let certificates = [cert.clone()];
    let resolver = X509Resolver {
        certificates: &certificates,
        authorities: &admitted,
        attester: &attester,
        declarer: &declarer,
        provider: &RustCryptoProvider,
        max_crl_age: Some(60 * DAY),
        budget: Budget::default(),
    };
    let honest = statement(deu.id()).sign(&signer, &cert.digest()).unwrap();
    let verified =
        verify_attestation(&honest, &resolver, &RustCryptoProvider, UnixTime(T0)).unwrap();
    assert_eq!(verified.attestation().author, deu.id());
    let forged = statement(gbr.id()).sign(&signer, &cert.digest()).unwrap();
    let refused =
        verify_attestation(&forged, &resolver, &RustCryptoProvider, UnixTime(T0)).unwrap_err();
    assert!(
        !matches!(refused, AttestError::Envelope(_)),
        "refused for the claim, not the envelope: {refused:?}"
    );
}
