//! Who may translate: dual-domain signers, named coordinators, revocation
//! and scope, on hierarchies issued with entente-x509.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{deu_to_gbr, example, id};
use entente_core::cose::Envelope;
use entente_core::{
    AuthorityId, KeyKind, OperationId, RustCryptoProvider, Signer as _, SigningKey, UnixTime,
    Validity,
};
use entente_policy::{Scope, Vocabulary};
use entente_translate::{
    AdmissionContext, AuthorityTrust, Basis, CoordinatorGrant, Refusal, Translation,
    admit_translation,
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
        let key = SigningKey::derive_from_seed(KeyKind::P256, b"admissibility", name).unwrap();
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

    /// Certifies `subject` as a translator.
    fn translator(&mut self, subject: &SigningKey) -> Certificate {
        let validity = Validity {
            not_before: UnixTime(T0 - 100),
            not_after: UnixTime(T0 + 300 * DAY),
        };
        self.ca
            .issue_credential(
                dn("CN=translator").unwrap(),
                subject.public_key(),
                validity,
                vec![EkuOids::default().translator],
            )
            .unwrap()
    }

    fn revoke(&mut self, cert: &Certificate, when: u64) {
        self.ca
            .revoke(cert, UnixTime(when), RevocationReason::KeyCompromise)
            .unwrap();
        let crl = self
            .ca
            .crl(UnixTime(when + 100), Some(UnixTime(when + 30 * DAY)))
            .unwrap();
        self.crls.push(crl);
    }

    fn trust(&self) -> AuthorityTrust<'_> {
        AuthorityTrust {
            anchors: &self.anchors,
            crls: &self.crls,
        }
    }
}

/// DEU and GBR vocabularies re-homed under the test authorities.
fn vocabularies(deu: &Authority, gbr: &Authority) -> (Vocabulary, Vocabulary) {
    let (mut d, mut g) = (example("deu"), example("gbr"));
    d.authority = deu.id();
    g.authority = gbr.id();
    (d, g)
}

struct Case {
    deu: Authority,
    gbr: Authority,
    nato: Authority,
    translator: SigningKey,
    coordinated: SigningKey,
}

fn case() -> Case {
    Case {
        deu: Authority::new("DEU"),
        gbr: Authority::new("GBR"),
        nato: Authority::new("NATO"),
        translator: SigningKey::derive_from_seed(KeyKind::P256, b"admissibility", "translator")
            .unwrap(),
        coordinated: SigningKey::derive_from_seed(KeyKind::P256, b"admissibility", "coordinated")
            .unwrap(),
    }
}

fn sign(
    t: &Translation,
    signer: &SigningKey,
    cert: &Certificate,
    d: &Vocabulary,
    g: &Vocabulary,
) -> Envelope {
    let bytes = t
        .sign(&[(signer, cert.digest())], (d, id(d)), (g, id(g)))
        .unwrap();
    Envelope::from_slice(&bytes).unwrap()
}

fn admit(
    c: &Case,
    envelope: &Envelope,
    certificates: &[Certificate],
    time: u64,
    operation: OperationId,
    grants: &[CoordinatorGrant],
    vocabs: (&Vocabulary, &Vocabulary),
) -> Result<Basis, Refusal> {
    let profile = Profile::translator(&EkuOids::default());
    let trust = |a: &AuthorityId| -> Option<AuthorityTrust<'_>> {
        [&c.deu, &c.gbr, &c.nato]
            .into_iter()
            .find(|x| x.id() == *a)
            .map(Authority::trust)
    };
    let context = AdmissionContext {
        time: UnixTime(time),
        operation,
        provider: &RustCryptoProvider,
        profile: &profile,
        max_crl_age: Some(60 * DAY),
        budget: Budget::default(),
        trust: &trust,
        coordinators: grants,
    };
    admit_translation(
        envelope,
        certificates,
        &context,
        (vocabs.0, id(vocabs.0)),
        (vocabs.1, id(vocabs.1)),
    )
    .map(|admitted| admitted.bases()[0])
}

fn operation(c: &Case) -> OperationId {
    OperationId::derive(&c.nato.id(), "exercise")
}

#[test]
fn dual_domain_translator_accepted() {
    let mut c = case();
    let (d, g) = vocabularies(&c.deu, &c.gbr);
    let (in_deu, in_gbr) = (
        c.deu.translator(&c.translator),
        c.gbr.translator(&c.translator),
    );
    let envelope = sign(&deu_to_gbr(&d, &g), &c.translator, &in_deu, &d, &g);
    assert_eq!(
        admit(
            &c,
            &envelope,
            &[in_deu, in_gbr],
            T0,
            operation(&c),
            &[],
            (&d, &g)
        ),
        Ok(Basis::DualDomain)
    );
}

#[test]
fn signer_certified_only_in_one_domain_rejected() {
    let mut c = case();
    let (d, g) = vocabularies(&c.deu, &c.gbr);
    let in_deu = c.deu.translator(&c.translator);
    let envelope = sign(&deu_to_gbr(&d, &g), &c.translator, &in_deu, &d, &g);
    assert!(matches!(
        admit(&c, &envelope, &[in_deu], T0, operation(&c), &[], (&d, &g)),
        Err(Refusal::SingleDomain { certified, .. }) if certified == c.deu.id()
    ));
}

#[test]
fn coordinator_named_by_admitting_partner_accepted() {
    let mut c = case();
    let (d, g) = vocabularies(&c.deu, &c.gbr);
    let by_nato = c.nato.translator(&c.coordinated);
    let envelope = sign(&deu_to_gbr(&d, &g), &c.coordinated, &by_nato, &d, &g);
    let grant = CoordinatorGrant {
        coordinator: c.nato.id(),
        source: c.deu.id(),
        target: c.gbr.id(),
        operations: Scope::Any,
    };
    assert_eq!(
        admit(
            &c,
            &envelope,
            &[by_nato],
            T0,
            operation(&c),
            &[grant],
            (&d, &g)
        ),
        Ok(Basis::Coordinator(c.nato.id()))
    );
}

#[test]
fn coordinator_not_named_by_admitting_partner_rejected() {
    let mut c = case();
    let (d, g) = vocabularies(&c.deu, &c.gbr);
    let by_nato = c.nato.translator(&c.coordinated);
    let envelope = sign(&deu_to_gbr(&d, &g), &c.coordinated, &by_nato, &d, &g);
    // Named for the opposite direction and for another operation: neither counts.
    let grants = [
        CoordinatorGrant {
            coordinator: c.nato.id(),
            source: c.gbr.id(),
            target: c.deu.id(),
            operations: Scope::Any,
        },
        CoordinatorGrant {
            coordinator: c.nato.id(),
            source: c.deu.id(),
            target: c.gbr.id(),
            operations: Scope::Operations(vec![OperationId::derive(&c.nato.id(), "another")]),
        },
    ];
    assert!(matches!(
        admit(
            &c,
            &envelope,
            std::slice::from_ref(&by_nato),
            T0,
            operation(&c),
            &grants,
            (&d, &g)
        ),
        Err(Refusal::NotCertified { .. })
    ));
    assert!(matches!(
        admit(&c, &envelope, &[by_nato], T0, operation(&c), &[], (&d, &g)),
        Err(Refusal::NotCertified { .. })
    ));
}

#[test]
fn revoked_source_side_translator_inadmissible_after_revocation_and_admissible_before() {
    let mut c = case();
    let (d, g) = vocabularies(&c.deu, &c.gbr);
    let (in_deu, in_gbr) = (
        c.deu.translator(&c.translator),
        c.gbr.translator(&c.translator),
    );
    let revoked_at = T0 + 1000;
    c.deu.revoke(&in_deu, revoked_at);
    let envelope = sign(&deu_to_gbr(&d, &g), &c.translator, &in_deu, &d, &g);
    let certs = [in_deu, in_gbr];
    // Before the revocation the partner's data shows a good certificate.
    assert_eq!(
        admit(
            &c,
            &envelope,
            &certs,
            revoked_at - 10,
            operation(&c),
            &[],
            (&d, &g)
        ),
        Ok(Basis::DualDomain)
    );
    // Once the revoking CRL applies, the translation is inadmissible.
    match admit(
        &c,
        &envelope,
        &certs,
        revoked_at + 200,
        operation(&c),
        &[],
        (&d, &g),
    ) {
        Err(Refusal::Revoked { authority, .. }) => assert_eq!(authority, c.deu.id()),
        other => panic!("expected a revocation refusal, got {other:?}"),
    }
}

#[test]
fn revocation_reported_whatever_the_certificate_order_rejected() {
    // The other domain's leaf for the same key comes first in the pool: the
    // refusal must still name the revocation (disengagement), not a
    // single-domain signer.
    let mut c = case();
    let (d, g) = vocabularies(&c.deu, &c.gbr);
    let (in_deu, in_gbr) = (
        c.deu.translator(&c.translator),
        c.gbr.translator(&c.translator),
    );
    let revoked_at = T0 + 1000;
    c.deu.revoke(&in_deu, revoked_at);
    let envelope = sign(&deu_to_gbr(&d, &g), &c.translator, &in_deu, &d, &g);
    let certs = [in_gbr, in_deu];
    match admit(
        &c,
        &envelope,
        &certs,
        revoked_at + 200,
        operation(&c),
        &[],
        (&d, &g),
    ) {
        Err(Refusal::Revoked { authority, .. }) => assert_eq!(authority, c.deu.id()),
        other => panic!("expected a revocation refusal, got {other:?}"),
    }
}

#[test]
fn translation_outside_its_operation_scope_rejected() {
    let mut c = case();
    let (d, g) = vocabularies(&c.deu, &c.gbr);
    let (in_deu, in_gbr) = (
        c.deu.translator(&c.translator),
        c.gbr.translator(&c.translator),
    );
    let mut t = deu_to_gbr(&d, &g);
    t.scope = Scope::Operations(vec![operation(&c)]);
    let envelope = sign(&t, &c.translator, &in_deu, &d, &g);
    let elsewhere = OperationId::derive(&c.nato.id(), "another");
    assert_eq!(
        admit(
            &c,
            &envelope,
            &[in_deu.clone(), in_gbr.clone()],
            T0,
            elsewhere,
            &[],
            (&d, &g)
        ),
        Err(Refusal::OutOfScope)
    );
    assert_eq!(
        admit(
            &c,
            &envelope,
            &[in_deu, in_gbr],
            T0,
            operation(&c),
            &[],
            (&d, &g)
        ),
        Ok(Basis::DualDomain)
    );
}

#[test]
fn signer_without_certificate_rejected() {
    let mut c = case();
    let (d, g) = vocabularies(&c.deu, &c.gbr);
    let in_deu = c.deu.translator(&c.translator);
    let envelope = sign(&deu_to_gbr(&d, &g), &c.translator, &in_deu, &d, &g);
    assert_eq!(
        admit(&c, &envelope, &[], T0, operation(&c), &[], (&d, &g)),
        Err(Refusal::UnknownSigner(in_deu.digest()))
    );
}

#[test]
fn translator_key_signing_as_someone_else_rejected() {
    // The kid names the DEU certificate, but another key signed.
    let mut c = case();
    let (d, g) = vocabularies(&c.deu, &c.gbr);
    let (in_deu, in_gbr) = (
        c.deu.translator(&c.translator),
        c.gbr.translator(&c.translator),
    );
    let envelope = sign(&deu_to_gbr(&d, &g), &c.coordinated, &in_deu, &d, &g);
    assert!(matches!(
        admit(
            &c,
            &envelope,
            &[in_deu, in_gbr],
            T0,
            operation(&c),
            &[],
            (&d, &g)
        ),
        Err(Refusal::Translation(
            entente_translate::TranslationError::Envelope(_)
        ))
    ));
}
