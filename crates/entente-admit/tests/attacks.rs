//! The attack catalogue: one named test per attack on admission.
//!
//! Each `…_rejected` test mounts one attack on GBR's admission (the world
//! of `common`), matches the **typed** rejection (the `RejectReason`
//! variant and its fields, never a message) and checks the integrity event
//! the admitter logged: its kind, its offender, its evidence, its
//! signature by GBR's recorder credential and its inclusion in the audit
//! log. Where an attack is a fault rather than proof of misbehaviour (an
//! expired credential, an unknown critical extension, an unsupported
//! algorithm), the test checks that the rejection is logged and that no
//! integrity event is. The `…_accepted` controls admit the honest version
//! of the same artifacts, so every rejection test can fail.
//!
//! docs/SECURITY.md, "Attack catalogue (entente-admit)", lists them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, Instant};

use ciborium::Value;
use common::{
    AT, Authority, DAY, MAX_CRL_AGE, Site, T0, World, artifact_id, assert_event, assert_no_event,
    credential_validity, deu_to_gbr, key, logged_rejections,
};
use entente_admit::{
    Admission, AdmissionPolicy, Admitter, Bundle, BundleError, BundleLimits, Decision, DenyCause,
    EventKind, RejectReason, Rejection,
};
use entente_attest::{
    AttestError, AuthorityRoots, CredentialResolver as _, EquivocationProof, Statement,
    X509Resolver,
};
use entente_core::cose::{self, CoseError};
use entente_core::{
    ArtifactId, CryptoError, Digest256, OperationId, RustCryptoProvider, SignatureEncoding,
    Signer as _, UnixTime, Validity, Version,
};
use entente_policy::{Clearance, DenyReason, Label, Policy, Request, Role, Scope, Subject};
use entente_translate::{TermPair, TranslationError};
use entente_x509::{
    Budget, BudgetExhausted, Certificate, CertificateAuthority, EkuOids, Profile, Rule,
    TrustAnchor, ValidationError, dn,
};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn admit(admitter: &mut Admitter, bundles: &[Bundle]) -> Admission {
    admitter.admit(bundles, AT).expect("admission runs")
}

/// The rejection of `id`, which must exist.
fn rejection(admission: &Admission, id: ArtifactId) -> &Rejection {
    admission.report.rejection(&id).unwrap_or_else(|| {
        panic!(
            "{id} was not rejected; report:\n{}",
            admission.report.summary().join("\n")
        )
    })
}

/// The `Rejected` entry for `id` is in the log with `code`.
fn assert_logged_rejection(admitter: &Admitter, code: &str, id: ArtifactId) {
    assert!(
        logged_rejections(admitter)
            .iter()
            .any(|(c, ids)| c == code && ids.contains(&id)),
        "no `{code}` rejection of {id} in the log: {:?}",
        logged_rejections(admitter)
    );
}

/// DEU's policy at `version`, scoped to the operation DEU is admitted for.
fn deu_policy(world: &World, version: u64) -> Policy {
    world
        .deu
        .policy_version(version, Scope::Operations(vec![world.operation]))
}

/// GBR's and DEU's bundles with `extra` policies added to DEU's.
fn with_deu_policies(world: &World, extra: Vec<Vec<u8>>) -> Vec<Bundle> {
    let mut deu = world.deu_bundle();
    deu.policies.extend(extra);
    vec![world.gbr_bundle(), deu]
}

/// Encodes a CBOR value (ciborium writes definite, shortest forms).
fn cbor(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).unwrap();
    out
}

/// A COSE_Sign1 built by hand with `alg` in the protected header, signed
/// with `key` (ES256 signature bytes whatever `alg` says).
fn sign1_with_alg(
    alg: i64,
    content_type: &str,
    kid: &Digest256,
    payload: &[u8],
    key: &entente_core::SigningKey,
) -> Vec<u8> {
    let protected = cbor(&Value::Map(vec![
        (Value::Integer(1.into()), Value::Integer(alg.into())),
        (Value::Integer(3.into()), Value::Text(content_type.into())),
        (
            Value::Integer(4.into()),
            Value::Bytes(kid.as_bytes().to_vec()),
        ),
    ]));
    let to_be_signed = cbor(&Value::Array(vec![
        Value::Text("Signature1".into()),
        Value::Bytes(protected.clone()),
        Value::Bytes(Vec::new()),
        Value::Bytes(payload.to_vec()),
    ]));
    let signature = key.sign(&to_be_signed, SignatureEncoding::Fixed).unwrap();
    cbor(&Value::Tag(
        18,
        Box::new(Value::Array(vec![
            Value::Bytes(protected),
            Value::Map(Vec::new()),
            Value::Bytes(payload.to_vec()),
            Value::Bytes(signature),
        ])),
    ))
}

/// DER: (header length, content length) of the TLV at the start of `der`.
fn der_header(der: &[u8]) -> (usize, usize) {
    let first = der[1];
    if first < 0x80 {
        return (2, usize::from(first));
    }
    let n = usize::from(first & 0x7f);
    let len = der[2..2 + n]
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    (2 + n, len)
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// Extension `1.3.6.1.4.1.99999.1` (an OID no one processes), critical or
/// not, with a NULL value.
fn unknown_extension(critical: bool) -> Vec<u8> {
    let mut content = vec![
        0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x01,
    ];
    if critical {
        content.extend([0x01, 0x01, 0xff]);
    }
    content.extend([0x04, 0x02, 0x05, 0x00]);
    der_tlv(0x30, &content)
}

/// Re-issues `cert` with `extension` appended to its extensions, signed by
/// `issuer` (its real CA), so only the extension differs.
fn with_extension(
    cert: &Certificate,
    issuer: &CertificateAuthority,
    extension: &[u8],
) -> Certificate {
    let der = cert.der();
    let (h, _) = der_header(der);
    let body = &der[h..];
    let (th, tl) = der_header(body);
    let (tbs_content, rest) = (&body[th..th + tl], &body[th + tl..]);
    let (ah, al) = der_header(rest);
    let algorithm = &rest[..ah + al];
    let mut fields = Vec::new();
    let mut pos = 0;
    let mut found = false;
    while pos < tbs_content.len() {
        let (eh, el) = der_header(&tbs_content[pos..]);
        let element = &tbs_content[pos..pos + eh + el];
        if element[0] == 0xa3 {
            let sequence = &element[eh..];
            let (sh, _) = der_header(sequence);
            let mut extensions = sequence[sh..].to_vec();
            extensions.extend_from_slice(extension);
            fields.extend(der_tlv(0xa3, &der_tlv(0x30, &extensions)));
            found = true;
        } else {
            fields.extend_from_slice(element);
        }
        pos += eh + el;
    }
    assert!(found, "the certificate has an extensions field");
    let tbs = der_tlv(0x30, &fields);
    let signature = issuer.key().sign(&tbs, SignatureEncoding::Der).unwrap();
    let mut bits = vec![0u8];
    bits.extend(signature);
    let mut out = tbs;
    out.extend_from_slice(algorithm);
    out.extend(der_tlv(0x03, &bits));
    Certificate::from_der(&der_tlv(0x30, &out)).unwrap()
}

fn request(
    world: &World,
    subject: &Authority,
    clearance: (&str, &[&str]),
    owner: &Authority,
    label: (&str, &[&str]),
) -> Request {
    let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
    Request {
        subject: Subject {
            authority: subject.id(),
            role: Role::Supporting,
            clearance: Clearance {
                level: clearance.0.into(),
                categories: strings(clearance.1),
            },
        },
        action: "read".into(),
        resource: Label {
            owner: owner.id(),
            level: label.0.into(),
            categories: strings(label.1),
        },
        operation: world.operation,
        alliances: Vec::new(),
        time: AT,
    }
}

// ---------------------------------------------------------------------------
// Controls
// ---------------------------------------------------------------------------

#[test]
fn honest_coalition_accepted() {
    let world = World::new();
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &world.bundles());
    assert!(
        admission.report.rejected.is_empty(),
        "{}",
        admission.report.summary().join("\n")
    );
    for id in [
        artifact_id(&world.deu.policy_bytes),
        artifact_id(&world.usa.policy_bytes),
        artifact_id(&world.dual_translation),
        artifact_id(&world.coordinated_translation),
        artifact_id(&world.declaration),
    ] {
        assert!(admission.report.is_admitted(&id), "{id} admitted");
    }
    // Both partner policies are usable in GBR's terms, each through its
    // translation (dual-domain for DEU, coordinated for USA).
    let partners: Vec<_> = admission.set.partner_policies().collect();
    for (authority, translation) in [
        (world.deu.id(), artifact_id(&world.dual_translation)),
        (world.usa.id(), artifact_id(&world.coordinated_translation)),
    ] {
        assert!(
            partners
                .iter()
                .any(|(p, path)| p.authority == authority && path == &[translation]),
            "{authority} usable through {translation}"
        );
    }
    assert_no_event(&admitter, &world);
}

#[test]
fn honest_policy_update_accepted() {
    let world = World::new();
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    admit(&mut admitter, &with_deu_policies(&world, vec![]));
    let v2 = world.deu.sign_policy(&deu_policy(&world, 2));
    let admission = admit(&mut admitter, &with_deu_policies(&world, vec![v2.clone()]));
    assert!(admission.report.is_admitted(&artifact_id(&v2)));
    // Version 1 in the same admission is superseded, not an attack.
    assert!(matches!(
        rejection(&admission, artifact_id(&world.deu.policy_bytes)).reason,
        RejectReason::Superseded(Version(2))
    ));
    assert_no_event(&admitter, &world);
}

#[test]
fn hand_built_es256_envelope_accepted() {
    // The control for the algorithm tests: the hand-built envelope with
    // the honest algorithm (ES256, -7) is admitted, so a rejection of the
    // swapped one is due to the algorithm alone.
    let world = World::new();
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let payload = entente_core::cbor::to_vec(&deu_policy(&world, 2)).unwrap();
    let envelope = sign1_with_alg(
        -7,
        <Policy as entente_core::Document>::CONTENT_TYPE,
        &world.deu.policy_signer.kid(),
        &payload,
        &world.deu.policy_signer.key,
    );
    let admission = admit(
        &mut admitter,
        &with_deu_policies(&world, vec![envelope.clone()]),
    );
    assert!(admission.report.is_admitted(&artifact_id(&envelope)));
}

#[test]
fn attestation_in_admitted_operation_accepted() {
    let world = World::new();
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let contribution = world.attest(
        &world.deu,
        1,
        Statement::Contribution {
            policy: artifact_id(&world.deu.policy_bytes),
            assets: vec![ArtifactId::from_digest(Digest256::sha256(b"asset"))],
        },
    );
    let mut bundles = world.bundles();
    bundles[1].attestations.push(contribution.clone());
    let admission = admit(&mut admitter, &bundles);
    assert!(admission.report.is_admitted(&artifact_id(&contribution)));
    assert_no_event(&admitter, &world);
}

#[test]
fn credential_within_clock_skew_accepted() {
    // notBefore 100 s in the future is inside the 300 s skew: accepted.
    let mut world = World::new();
    let oids = EkuOids::default();
    let early = world.deu.credential(
        "early signer",
        &oids.policy_signer,
        Validity {
            not_before: UnixTime(T0 + 100),
            not_after: UnixTime(T0 + 100 * DAY),
        },
    );
    let v2 = deu_policy(&world, 2)
        .sign(&early.key, &early.kid())
        .unwrap();
    let mut bundles = with_deu_policies(&world, vec![v2.clone()]);
    bundles[1].certificates.push(early.cert.der().to_vec());
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    assert!(admission.report.is_admitted(&artifact_id(&v2)));
}

#[test]
fn cleared_partner_request_permitted_without_event() {
    let world = World::new();
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &world.bundles());
    let cleared = request(
        &world,
        &world.usa,
        ("SECRET", &[]),
        &world.gbr,
        ("SECRET", &[]),
    );
    let evaluation = admitter
        .evaluate_and_record(&admission.set, &cleared)
        .unwrap();
    assert_eq!(evaluation.decision, Decision::Permit);
    assert_no_event(&admitter, &world);
}

// ---------------------------------------------------------------------------
// The catalogue
// ---------------------------------------------------------------------------

/// Mallory makes a root with DEU's root name, certifies a policy signer
/// under it and publishes a "DEU" policy in a bundle that claims DEU.
#[test]
fn impersonation_rejected() {
    let world = World::new();
    let mallory_root = CertificateAuthority::new_root(
        dn("CN=DEU Root CA,O=DEU").unwrap(),
        key("mallory/root"),
        Validity {
            not_before: UnixTime(T0 - 365 * DAY),
            not_after: UnixTime(T0 + 10 * 365 * DAY),
        },
        None,
    );
    let mut mallory_root = mallory_root.unwrap();
    let mallory_key = key("mallory/signer");
    let mallory_cert = mallory_root
        .issue_credential(
            dn("CN=DEU policy signer,O=DEU").unwrap(),
            mallory_key.public_key(),
            credential_validity(),
            vec![EkuOids::default().policy_signer],
        )
        .unwrap();
    let forged = deu_policy(&world, 2)
        .sign(&mallory_key, &mallory_cert.digest())
        .unwrap();
    let mut bundles = with_deu_policies(&world, vec![forged.clone()]);
    bundles[1].certificates.extend([
        mallory_cert.der().to_vec(),
        mallory_root.certificate().der().to_vec(),
    ]);
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&forged);
    match &rejection(&admission, id).reason {
        RejectReason::Impersonation { kid, claimed, .. } => {
            assert_eq!(*kid, mallory_cert.digest());
            assert_eq!(*claimed, world.deu.id());
        }
        other => panic!("expected Impersonation, got {other:?}"),
    }
    // DEU's genuine policy in the same bundle is still admitted.
    assert!(
        admission
            .report
            .is_admitted(&artifact_id(&world.deu.policy_bytes))
    );
    let event = assert_event(
        &admitter,
        &world,
        EventKind::Impersonation,
        world.deu.id(),
        Some(id),
    );
    assert_eq!(
        event.event.document().evidence,
        forged,
        "evidence: the forged envelope"
    );
}

/// A valid DEU policy whose signature bytes were altered.
#[test]
fn forged_signature_rejected() {
    let world = World::new();
    let mut forged = world.deu.sign_policy(&deu_policy(&world, 2));
    let last = forged.len() - 1;
    forged[last] ^= 0x01; // the signature is the envelope's last field
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(
        &mut admitter,
        &with_deu_policies(&world, vec![forged.clone()]),
    );
    let id = artifact_id(&forged);
    assert!(matches!(
        rejection(&admission, id).reason,
        RejectReason::ForgedSignature(CoseError::Signature { index: 0, .. })
    ));
    let event = assert_event(
        &admitter,
        &world,
        EventKind::ForgedSignature,
        world.deu.id(),
        Some(id),
    );
    assert_eq!(event.event.document().evidence, forged);
}

/// DEU's policy signer is revoked (key compromise); its documents are
/// refused from the revocation on.
#[test]
fn revoked_credential_rejected() {
    let mut world = World::new();
    let v2 = world.deu.sign_policy(&deu_policy(&world, 2));
    let signer = world.deu.policy_signer.cert.clone();
    world.deu.revoke(&signer, T0 - 2 * 3600);
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &with_deu_policies(&world, vec![v2.clone()]));
    let id = artifact_id(&v2);
    match &rejection(&admission, id).reason {
        RejectReason::Revoked { kid, source } => {
            assert_eq!(*kid, signer.digest());
            assert!(matches!(
                source.as_ref(),
                ValidationError::Path {
                    rule: Rule::Revoked { .. },
                    ..
                }
            ));
        }
        other => panic!("expected Revoked, got {other:?}"),
    }
    assert_event(
        &admitter,
        &world,
        EventKind::RevokedCredential,
        world.deu.id(),
        Some(id),
    );
}

/// After version 2 was admitted, version 1 is offered again.
#[test]
fn rollback_rejected() {
    let world = World::new();
    let v2 = world.deu.sign_policy(&deu_policy(&world, 2));
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let first = admit(&mut admitter, &with_deu_policies(&world, vec![v2.clone()]));
    assert!(first.report.is_admitted(&artifact_id(&v2)));
    let admission = admit(&mut admitter, &with_deu_policies(&world, vec![]));
    let id = artifact_id(&world.deu.policy_bytes);
    assert!(matches!(
        rejection(&admission, id).reason,
        RejectReason::Rollback {
            admitted: Version(2),
            offered: Version(1)
        }
    ));
    let event = assert_event(
        &admitter,
        &world,
        EventKind::Rollback,
        world.deu.id(),
        Some(id),
    );
    assert_eq!(event.event.document().evidence, world.deu.policy_bytes);
}

/// The same rollback after the admitting partner restarted: the admitted
/// version is durable, and so is the log the event goes to.
#[test]
fn rollback_across_restart_rejected() {
    let world = World::new();
    let v2 = world.deu.sign_policy(&deu_policy(&world, 2));
    let site = Site::new();
    {
        let mut admitter = site.admitter(&world);
        let first = admit(&mut admitter, &with_deu_policies(&world, vec![v2.clone()]));
        assert!(first.report.is_admitted(&artifact_id(&v2)));
    } // the process stops: store and log closed
    let mut admitter = site.admitter(&world);
    let before = admitter.event_log().unwrap().log().size();
    assert!(before > 0, "the log survived the restart");
    let admission = admit(&mut admitter, &with_deu_policies(&world, vec![]));
    let id = artifact_id(&world.deu.policy_bytes);
    assert!(matches!(
        rejection(&admission, id).reason,
        RejectReason::Rollback {
            admitted: Version(2),
            offered: Version(1)
        }
    ));
    assert_event(
        &admitter,
        &world,
        EventKind::Rollback,
        world.deu.id(),
        Some(id),
    );
    // A fresh site (no durable state) would have admitted version 1: the
    // refusal comes from the stored version, not from the bundle.
    let fresh = Site::new();
    let mut fresh_admitter = fresh.admitter(&world);
    assert!(
        admit(&mut fresh_admitter, &with_deu_policies(&world, vec![]))
            .report
            .is_admitted(&id)
    );
}

/// Version 2 was admitted; another document is offered as version 2.
#[test]
fn rollback_by_substitution_rejected() {
    let world = World::new();
    let v2 = world.deu.sign_policy(&deu_policy(&world, 2));
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    admit(&mut admitter, &with_deu_policies(&world, vec![v2.clone()]));
    let mut other = deu_policy(&world, 2);
    other.rules.pop();
    let other = world.deu.sign_policy(&other);
    let admission = admit(
        &mut admitter,
        &with_deu_policies(&world, vec![other.clone()]),
    );
    let id = artifact_id(&other);
    match &rejection(&admission, id).reason {
        RejectReason::Substitution { version, admitted } => {
            assert_eq!(*version, Version(2));
            assert_eq!(*admitted, artifact_id(&v2));
        }
        other => panic!("expected Substitution, got {other:?}"),
    }
    assert_event(
        &admitter,
        &world,
        EventKind::Rollback,
        world.deu.id(),
        Some(id),
    );
}

/// DEU keeps serving a CRL older than GBR's freshness bound (freeze): its
/// documents are refused, whatever was revoked since.
#[test]
fn stale_revocation_rejected() {
    let mut world = World::new();
    world.deu.refresh_crl(T0 - MAX_CRL_AGE - 3 * DAY);
    let v2 = world.deu.sign_policy(&deu_policy(&world, 2));
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &with_deu_policies(&world, vec![v2.clone()]));
    let id = artifact_id(&v2);
    match &rejection(&admission, id).reason {
        RejectReason::StaleRevocation { kid, source } => {
            assert_eq!(*kid, world.deu.policy_signer.kid());
            assert!(matches!(
                source.as_ref(),
                ValidationError::Path {
                    rule: Rule::StaleRevocation { .. },
                    ..
                }
            ));
        }
        other => panic!("expected StaleRevocation, got {other:?}"),
    }
    assert_event(
        &admitter,
        &world,
        EventKind::StaleRevocation,
        world.deu.id(),
        Some(id),
    );
}

/// DEU withholds its CRL altogether: no revocation data, no admission.
#[test]
fn withheld_revocation_rejected() {
    let world = World::new();
    let v2 = world.deu.sign_policy(&deu_policy(&world, 2));
    let mut bundles = with_deu_policies(&world, vec![v2.clone()]);
    bundles[1].crls.clear();
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&v2);
    assert!(matches!(
        rejection(&admission, id).reason,
        RejectReason::StaleRevocation { .. }
    ));
    assert_event(
        &admitter,
        &world,
        EventKind::StaleRevocation,
        world.deu.id(),
        Some(id),
    );
}

/// DEU is admitted for one operation; it publishes a policy scoped to
/// another (mix-and-match).
#[test]
fn mix_and_match_rejected() {
    let world = World::new();
    let elsewhere = world.deu.sign_policy(
        &world
            .deu
            .policy_version(2, Scope::Operations(vec![world.other_operation])),
    );
    let everywhere = world
        .deu
        .sign_policy(&world.deu.policy_version(3, Scope::Any));
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(
        &mut admitter,
        &with_deu_policies(&world, vec![elsewhere.clone(), everywhere.clone()]),
    );
    for envelope in [&elsewhere, &everywhere] {
        let id = artifact_id(envelope);
        assert!(
            matches!(rejection(&admission, id).reason, RejectReason::MixAndMatch),
            "{:?}",
            rejection(&admission, id).reason
        );
        assert_event(
            &admitter,
            &world,
            EventKind::MixAndMatch,
            world.deu.id(),
            Some(id),
        );
    }
    assert!(
        admission
            .report
            .is_admitted(&artifact_id(&world.deu.policy_bytes))
    );
}

/// DEU attests in an operation it is not admitted for, and in one that
/// was never declared.
#[test]
fn wrong_operation_rejected() {
    let world = World::new();
    let contribution = Statement::Contribution {
        policy: artifact_id(&world.deu.policy_bytes),
        assets: vec![ArtifactId::from_digest(Digest256::sha256(b"asset"))],
    };
    let other = world
        .deu
        .attest(world.other_operation, 0, 1, contribution.clone());
    let undeclared_operation = OperationId::derive(&world.coal.id(), "never declared");
    let undeclared = world.deu.attest(undeclared_operation, 0, 1, contribution);
    let mut bundles = world.bundles();
    bundles[1]
        .attestations
        .extend([other.clone(), undeclared.clone()]);
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&other);
    assert!(matches!(
        rejection(&admission, id).reason,
        RejectReason::MixAndMatch
    ));
    assert_event(
        &admitter,
        &world,
        EventKind::MixAndMatch,
        world.deu.id(),
        Some(id),
    );
    // The undeclared operation is out of DEU's admitted scope as well.
    assert!(matches!(
        rejection(&admission, artifact_id(&undeclared)).reason,
        RejectReason::MixAndMatch
    ));
}

/// An attestation about an operation no admitted declaration declares,
/// from an authority admitted everywhere.
#[test]
fn undeclared_operation_rejected() {
    let world = World::new();
    let undeclared_operation = OperationId::derive(&world.coal.id(), "never declared");
    let attestation = world.usa.attest(
        undeclared_operation,
        0,
        1,
        Statement::Contribution {
            policy: artifact_id(&world.usa.policy_bytes),
            assets: vec![ArtifactId::from_digest(Digest256::sha256(b"asset"))],
        },
    );
    let mut bundles = world.bundles();
    bundles[2].attestations.push(attestation.clone());
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&attestation);
    assert!(matches!(
        rejection(&admission, id).reason,
        RejectReason::UnknownOperation
    ));
    assert_logged_rejection(&admitter, "unknown_operation", id);
    assert_no_event(&admitter, &world);
}

/// DEU endorses two different artifacts for one (operation, epoch, slot).
#[test]
fn equivocation_rejected() {
    let world = World::new();
    let endorse = |label: &[u8]| {
        world.attest(
            &world.deu,
            7,
            Statement::Endorsement {
                artifact: ArtifactId::from_digest(Digest256::sha256(label)),
            },
        )
    };
    let (first, second) = (endorse(b"plan A"), endorse(b"plan B"));
    let mut bundles = world.bundles();
    bundles[1]
        .attestations
        .extend([first.clone(), second.clone()]);
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&second);
    assert!(admission.report.is_admitted(&artifact_id(&first)));
    match &rejection(&admission, id).reason {
        RejectReason::Equivocation(error) => {
            assert!(matches!(error.as_ref(), AttestError::Equivocation(_)));
        }
        other => panic!("expected Equivocation, got {other:?}"),
    }
    let event = assert_event(
        &admitter,
        &world,
        EventKind::Equivocation,
        world.deu.id(),
        Some(id),
    );
    assert_eq!(event.event.document().operation, Some(world.operation));
    // The evidence is a proof anyone holding DEU's root can check.
    let proof = EquivocationProof::from_bytes(&event.event.document().evidence).unwrap();
    let mut pair = [proof.first().to_vec(), proof.second().to_vec()];
    pair.sort();
    let mut expected = [first, second];
    expected.sort();
    assert_eq!(pair, expected);
    let oids = EkuOids::default();
    let (attester, declarer) = (Profile::attester(&oids), Profile::operation_declarer(&oids));
    let anchors = [TrustAnchor::new(world.deu.root().clone())];
    let crls = [world.deu.crl.clone()];
    let roots = [AuthorityRoots {
        anchors: &anchors,
        crls: &crls,
    }];
    let certificates = [world.deu.attester.cert.clone()];
    let resolver = X509Resolver {
        certificates: &certificates,
        authorities: &roots,
        attester: &attester,
        declarer: &declarer,
        provider: &RustCryptoProvider,
        max_crl_age: Some(MAX_CRL_AGE),
        budget: Budget::default(),
    };
    assert!(
        resolver
            .resolve(
                &world.deu.attester.kid(),
                entente_attest::CredentialPurpose::Attester,
                AT
            )
            .is_ok()
    );
    let verified = proof.verify(&resolver, &RustCryptoProvider, AT).unwrap();
    assert_eq!(verified.authority(), world.deu.id());
}

/// NATO observes the operation but attests a contribution, which only the
/// lead and supporting partners may make.
#[test]
fn role_violation_rejected() {
    let world = World::new();
    let contribution = world.attest(
        &world.nato,
        1,
        Statement::Contribution {
            policy: artifact_id(&world.nato.policy_bytes),
            assets: vec![ArtifactId::from_digest(Digest256::sha256(b"asset"))],
        },
    );
    let observation = world.attest(
        &world.nato,
        2,
        Statement::Observation {
            subject: ArtifactId::from_digest(Digest256::sha256(b"asset")),
        },
    );
    let mut bundles = world.bundles();
    bundles[3]
        .attestations
        .extend([contribution.clone(), observation.clone()]);
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&contribution);
    match &rejection(&admission, id).reason {
        RejectReason::Attest(error) => assert!(
            matches!(
                error.as_ref(),
                AttestError::RoleViolation { authority, role: entente_attest::Role::Observing, .. }
                    if *authority == world.nato.id()
            ),
            "{error:?}"
        ),
        other => panic!("expected Attest(RoleViolation), got {other:?}"),
    }
    // What an observer may state is admitted.
    assert!(admission.report.is_admitted(&artifact_id(&observation)));
    assert_event(
        &admitter,
        &world,
        EventKind::RoleViolation,
        world.nato.id(),
        Some(id),
    );
}

/// DEU's translator key signs a DEU policy (role confusion).
#[test]
fn translator_key_signing_policy_rejected() {
    let world = World::new();
    let confused = deu_policy(&world, 2)
        .sign(&world.deu.translator.key, &world.deu.translator.kid())
        .unwrap();
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(
        &mut admitter,
        &with_deu_policies(&world, vec![confused.clone()]),
    );
    let id = artifact_id(&confused);
    match &rejection(&admission, id).reason {
        RejectReason::RoleViolation {
            kid,
            profile,
            source,
        } => {
            assert_eq!(*kid, world.deu.translator.kid());
            assert_eq!(*profile, "policy-signer");
            assert!(matches!(
                source.as_ref(),
                ValidationError::Path {
                    rule: Rule::Profile { .. },
                    ..
                }
            ));
        }
        other => panic!("expected RoleViolation, got {other:?}"),
    }
    assert_event(
        &admitter,
        &world,
        EventKind::RoleViolation,
        world.deu.id(),
        Some(id),
    );
}

/// An authority provides a kind of artifact GBR does not take from it: the
/// coalition (declarations and attestations only) publishes a policy.
#[test]
fn unprovided_artifact_kind_rejected() {
    let world = World::new();
    let mut bundles = world.bundles();
    bundles[4].policies.push(world.coal.policy_bytes.clone());
    bundles[4]
        .vocabularies
        .push(world.coal.vocabulary_bytes.clone());
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&world.coal.policy_bytes);
    assert!(matches!(
        rejection(&admission, id).reason,
        RejectReason::NotProvided(entente_admit::Provision::Policies)
    ));
    assert_event(
        &admitter,
        &world,
        EventKind::RoleViolation,
        world.coal.id(),
        Some(id),
    );
}

/// The dual-domain translator signs a DEU → GBR translation whose level
/// map is not monotone: GEHEIM would read as OFFICIAL although the lower
/// VS-VERTRAULICH reads as SECRET, widening access to GEHEIM material.
#[test]
fn translation_widening_rejected() {
    let world = World::new();
    let mut widening = deu_to_gbr(&world.deu, &world.gbr);
    widening.version = Version(2);
    widening.levels = vec![
        TermPair {
            source: "VS-NUR FÜR DEN DIENSTGEBRAUCH".into(),
            target: "OFFICIAL".into(),
        },
        TermPair {
            source: "VS-VERTRAULICH".into(),
            target: "SECRET".into(),
        },
        TermPair {
            source: "GEHEIM".into(),
            target: "OFFICIAL".into(),
        },
        TermPair {
            source: "STRENG GEHEIM".into(),
            target: "TOP SECRET".into(),
        },
    ];
    // Translation::sign refuses to sign it; a hostile translator signs the
    // bytes directly.
    let signed = cose::sign1(&widening, &world.dual.key, &world.dual.in_deu.digest()).unwrap();
    let mut bundles = world.bundles();
    bundles[1].translations.push(signed.clone());
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&signed);
    match &rejection(&admission, id).reason {
        RejectReason::TranslationWidening(error) => assert!(
            matches!(error.as_ref(), TranslationError::NonMonotone { .. }),
            "{error:?}"
        ),
        other => panic!("expected TranslationWidening, got {other:?}"),
    }
    // The honest version 1 stays admitted.
    assert!(
        admission
            .report
            .is_admitted(&artifact_id(&world.dual_translation))
    );
    assert_event(
        &admitter,
        &world,
        EventKind::TranslationWidening,
        world.deu.id(),
        Some(id),
    );
}

/// A lossy translation that declares itself lossless.
#[test]
fn translation_with_undeclared_loss_rejected() {
    let world = World::new();
    let mut lossy = deu_to_gbr(&world.deu, &world.gbr);
    lossy.version = Version(2);
    lossy.lossy.levels = false;
    let signed = cose::sign1(&lossy, &world.dual.key, &world.dual.in_deu.digest()).unwrap();
    let mut bundles = world.bundles();
    bundles[1].translations.push(signed.clone());
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&signed);
    match &rejection(&admission, id).reason {
        RejectReason::TranslationWidening(error) => assert!(
            matches!(error.as_ref(), TranslationError::UndeclaredLoss(_)),
            "{error:?}"
        ),
        other => panic!("expected TranslationWidening, got {other:?}"),
    }
    assert_event(
        &admitter,
        &world,
        EventKind::TranslationWidening,
        world.deu.id(),
        Some(id),
    );
}

/// GBR does not admit USA; USA publishes anyway.
#[test]
fn unadmitted_authority_rejected() {
    let world = World::new();
    let mut document = world.policy_document(common::Code::Gbr);
    document.authorities.retain(|a| a.name != "USA");
    document.coordinators.clear();
    let policy = AdmissionPolicy::from_document(document, None).unwrap();
    let site = Site::new();
    let mut admitter = site.admitter_for(&world, policy);
    let admission = admit(&mut admitter, &[world.gbr_bundle(), world.usa_bundle()]);
    let id = artifact_id(&world.usa.policy_bytes);
    let refused = rejection(&admission, id);
    assert!(matches!(
        refused.reason,
        RejectReason::UnadmittedAuthority(a) if a == world.usa.id()
    ));
    assert!(
        !admission
            .report
            .admitted
            .iter()
            .any(|a| a.authority == world.usa.id()),
        "nothing of USA is admitted"
    );
    assert_event(
        &admitter,
        &world,
        EventKind::UnadmittedAuthority,
        world.usa.id(),
        Some(id),
    );
}

/// USA, cleared OFFICIAL, asks to read a GBR SECRET resource.
#[test]
fn forced_disclosure_clearance_rejected() {
    let world = World::new();
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &world.bundles());
    let probe = request(
        &world,
        &world.usa,
        ("OFFICIAL", &[]),
        &world.gbr,
        ("SECRET", &[]),
    );
    let evaluation = admitter
        .evaluate_and_record(&admission.set, &probe)
        .unwrap();
    assert_eq!(
        evaluation.decision,
        Decision::Deny(DenyCause::Home(DenyReason::ClearanceNotDominant))
    );
    let event = assert_event(
        &admitter,
        &world,
        EventKind::ForcedDisclosure,
        world.usa.id(),
        Some(artifact_id(&world.gbr.policy_bytes)),
    );
    let evidence: Request =
        entente_core::cbor::from_slice(&event.event.document().evidence).unwrap();
    assert_eq!(evidence, probe, "the evidence is the request");
}

/// DEU, cleared SECRET but without the REL FVEY releasability, asks to
/// read a GBR resource releasable to the Five Eyes only.
#[test]
fn forced_disclosure_releasability_rejected() {
    let world = World::new();
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &world.bundles());
    let probe = request(
        &world,
        &world.deu,
        ("SECRET", &[]),
        &world.gbr,
        ("OFFICIAL", &["REL FVEY"]),
    );
    let evaluation = admitter
        .evaluate_and_record(&admission.set, &probe)
        .unwrap();
    assert!(
        evaluation
            .decision
            .deny_cause()
            .is_some_and(DenyCause::is_clearance),
        "{:?}",
        evaluation.decision
    );
    assert_event(
        &admitter,
        &world,
        EventKind::ForcedDisclosure,
        world.deu.id(),
        None,
    );
    // With the releasability the same request is permitted.
    let released = request(
        &world,
        &world.deu,
        ("SECRET", &["REL FVEY"]),
        &world.gbr,
        ("OFFICIAL", &["REL FVEY"]),
    );
    assert!(
        admitter
            .evaluate_and_record(&admission.set, &released)
            .unwrap()
            .decision
            .is_permit()
    );
}

/// The protected header says ES384 but the signature is ES256 under a
/// P-256 key: the algorithm must match the key.
#[test]
fn algorithm_substitution_rejected() {
    let world = World::new();
    let payload = entente_core::cbor::to_vec(&deu_policy(&world, 2)).unwrap();
    let swapped = sign1_with_alg(
        -35,
        <Policy as entente_core::Document>::CONTENT_TYPE,
        &world.deu.policy_signer.kid(),
        &payload,
        &world.deu.policy_signer.key,
    );
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(
        &mut admitter,
        &with_deu_policies(&world, vec![swapped.clone()]),
    );
    let id = artifact_id(&swapped);
    match &rejection(&admission, id).reason {
        RejectReason::ForgedSignature(CoseError::Signature { source, .. }) => assert!(
            matches!(
                source,
                CryptoError::KeyMismatch { .. }
                    | CryptoError::BadSignature
                    | CryptoError::UnsupportedAlgorithm(_)
            ),
            "{source:?}"
        ),
        other => panic!("expected ForgedSignature, got {other:?}"),
    }
    assert_event(
        &admitter,
        &world,
        EventKind::ForgedSignature,
        world.deu.id(),
        Some(id),
    );
}

/// The protected header names an algorithm outside entente's COSE profile
/// (EdDSA, -8): refused when the envelope is parsed.
#[test]
fn unsupported_algorithm_rejected() {
    let world = World::new();
    let payload = entente_core::cbor::to_vec(&deu_policy(&world, 2)).unwrap();
    let envelope = sign1_with_alg(
        -8,
        <Policy as entente_core::Document>::CONTENT_TYPE,
        &world.deu.policy_signer.kid(),
        &payload,
        &world.deu.policy_signer.key,
    );
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(
        &mut admitter,
        &with_deu_policies(&world, vec![envelope.clone()]),
    );
    let refused = admission
        .report
        .rejected
        .iter()
        .find(|r| r.item.kind == entente_admit::ArtifactKind::Policy && r.item.index == 1)
        .expect("the envelope is refused");
    assert!(matches!(
        refused.reason,
        RejectReason::Envelope(CoseError::UnsupportedAlgorithm(-8))
    ));
    assert!(
        refused.artifact.is_none(),
        "no identity for an unparsed envelope"
    );
    assert!(
        logged_rejections(&admitter)
            .iter()
            .any(|(code, _)| code == "malformed_envelope")
    );
    assert_no_event(&admitter, &world);
}

/// A DEU policy signed with a credential that expired yesterday.
#[test]
fn expired_credential_rejected() {
    let mut world = World::new();
    let expired = world.deu.credential(
        "expired signer",
        &EkuOids::default().policy_signer,
        Validity {
            not_before: UnixTime(T0 - 200 * DAY),
            not_after: UnixTime(T0 - DAY),
        },
    );
    let v2 = deu_policy(&world, 2)
        .sign(&expired.key, &expired.kid())
        .unwrap();
    let mut bundles = with_deu_policies(&world, vec![v2.clone()]);
    bundles[1].certificates.push(expired.cert.der().to_vec());
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&v2);
    match &rejection(&admission, id).reason {
        RejectReason::Chain { kid, source } => {
            assert_eq!(*kid, expired.kid());
            assert!(
                matches!(
                    source.as_ref(),
                    ValidationError::Path {
                        rule: Rule::Expired { not_after },
                        ..
                    } if *not_after == UnixTime(T0 - DAY)
                ),
                "{source:?}"
            );
        }
        other => panic!("expected Chain(Expired), got {other:?}"),
    }
    assert_logged_rejection(&admitter, "chain", id);
    assert_no_event(&admitter, &world);
}

/// A DEU policy signed with a credential valid only from the day after
/// tomorrow (beyond the 300 s clock skew).
#[test]
fn not_yet_valid_credential_rejected() {
    let mut world = World::new();
    let early = world.deu.credential(
        "future signer",
        &EkuOids::default().policy_signer,
        Validity {
            not_before: UnixTime(T0 + 2 * DAY),
            not_after: UnixTime(T0 + 100 * DAY),
        },
    );
    let v2 = deu_policy(&world, 2)
        .sign(&early.key, &early.kid())
        .unwrap();
    let mut bundles = with_deu_policies(&world, vec![v2.clone()]);
    bundles[1].certificates.push(early.cert.der().to_vec());
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&v2);
    match &rejection(&admission, id).reason {
        RejectReason::Chain { source, .. } => assert!(
            matches!(
                source.as_ref(),
                ValidationError::Path {
                    rule: Rule::NotYetValid { .. },
                    ..
                }
            ),
            "{source:?}"
        ),
        other => panic!("expected Chain(NotYetValid), got {other:?}"),
    }
    assert_logged_rejection(&admitter, "chain", id);
    assert_no_event(&admitter, &world);
}

/// USA's genuine policy, with its signer's certificate, is slipped into
/// DEU's bundle: it must chain to DEU's root to be admitted there.
#[test]
fn merged_bundle_artifact_of_other_authority_rejected() {
    let world = World::new();
    let mut bundles = with_deu_policies(&world, vec![world.usa.policy_bytes.clone()]);
    bundles[1]
        .certificates
        .push(world.usa.policy_signer.cert.der().to_vec());
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&world.usa.policy_bytes);
    match &rejection(&admission, id).reason {
        RejectReason::Impersonation { claimed, kid, .. } => {
            assert_eq!(*claimed, world.deu.id());
            assert_eq!(*kid, world.usa.policy_signer.kid());
        }
        other => panic!("expected Impersonation, got {other:?}"),
    }
    assert!(!admission.report.is_admitted(&id));
    assert_event(
        &admitter,
        &world,
        EventKind::Impersonation,
        world.deu.id(),
        Some(id),
    );
}

/// DEU's own policy signer signs a policy that claims to be USA's.
#[test]
fn artifact_claiming_other_authority_rejected() {
    let world = World::new();
    let mut claim = world.usa.policy_version(5, Scope::Any);
    claim.vocabulary = world.deu.vocabulary_id();
    let signed = world.deu.sign_policy(&claim);
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(
        &mut admitter,
        &with_deu_policies(&world, vec![signed.clone()]),
    );
    let id = artifact_id(&signed);
    match &rejection(&admission, id).reason {
        RejectReason::ForeignArtifact { publisher, claimed } => {
            assert_eq!(*publisher, world.deu.id());
            assert_eq!(*claimed, world.usa.id());
        }
        other => panic!("expected ForeignArtifact, got {other:?}"),
    }
    assert_event(
        &admitter,
        &world,
        EventKind::Impersonation,
        world.deu.id(),
        Some(id),
    );
}

/// USA's bundle carries a "USA" policy signed by DEU's policy signer,
/// with DEU's certificates added to smuggle in a chain; and, in the same
/// admission, a second such policy whose certificate sits only in DEU's
/// own bundle. Trust stores are never merged: neither is admitted.
#[test]
fn smuggled_certificate_chain_rejected() {
    let world = World::new();
    let mut smuggled = world.usa.policy_version(2, Scope::Any);
    smuggled.rules.pop();
    let smuggled = world.deu.sign_policy(&smuggled);
    let cross_bundle = world
        .deu
        .sign_policy(&world.usa.policy_version(3, Scope::Any));
    let mut usa = world.usa_bundle();
    usa.certificates.extend([
        world.deu.policy_signer.cert.der().to_vec(),
        world.deu.root().der().to_vec(),
    ]);
    usa.crls.push(world.deu.crl.der().to_vec());
    usa.policies.push(smuggled.clone());
    let mut plain_usa = world.usa_bundle();
    plain_usa.policies = vec![cross_bundle.clone()];
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(
        &mut admitter,
        &[world.gbr_bundle(), world.deu_bundle(), usa],
    );
    let id = artifact_id(&smuggled);
    match &rejection(&admission, id).reason {
        RejectReason::Impersonation { claimed, kid, .. } => {
            assert_eq!(*claimed, world.usa.id());
            assert_eq!(*kid, world.deu.policy_signer.kid());
        }
        other => panic!("expected Impersonation, got {other:?}"),
    }
    assert_event(
        &admitter,
        &world,
        EventKind::Impersonation,
        world.usa.id(),
        Some(id),
    );

    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(
        &mut admitter,
        &[world.gbr_bundle(), world.deu_bundle(), plain_usa],
    );
    let id = artifact_id(&cross_bundle);
    assert!(matches!(
        rejection(&admission, id).reason,
        RejectReason::UnknownSigner(kid) if kid == world.deu.policy_signer.kid()
    ));
}

/// DEU's policy signer certificate carries a critical extension no one
/// processes: RFC 5280 §4.2 requires refusing it.
#[test]
fn unknown_critical_extension_rejected() {
    let world = World::new();
    let critical = with_extension(
        &world.deu.policy_signer.cert,
        &world.deu.ca,
        &unknown_extension(true),
    );
    let v2 = deu_policy(&world, 2)
        .sign(&world.deu.policy_signer.key, &critical.digest())
        .unwrap();
    let mut bundles = with_deu_policies(&world, vec![v2.clone()]);
    bundles[1].certificates.push(critical.der().to_vec());
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&v2);
    match &rejection(&admission, id).reason {
        RejectReason::Chain { source, .. } => assert!(
            matches!(
                source.as_ref(),
                ValidationError::Path {
                    rule: Rule::UnknownCriticalExtension(oid),
                    ..
                } if oid.to_string() == "1.3.6.1.4.1.99999.1"
            ),
            "{source:?}"
        ),
        other => panic!("expected Chain(UnknownCriticalExtension), got {other:?}"),
    }
    assert_logged_rejection(&admitter, "chain", id);
    assert_no_event(&admitter, &world);

    // Control: the same re-issued certificate with the extension
    // non-critical is admitted.
    let plain = with_extension(
        &world.deu.policy_signer.cert,
        &world.deu.ca,
        &unknown_extension(false),
    );
    let v3 = deu_policy(&world, 3)
        .sign(&world.deu.policy_signer.key, &plain.digest())
        .unwrap();
    let mut bundles = with_deu_policies(&world, vec![v3.clone()]);
    bundles[1].certificates.push(plain.der().to_vec());
    let site = Site::new();
    let mut admitter = site.admitter(&world);
    assert!(
        admit(&mut admitter, &bundles)
            .report
            .is_admitted(&artifact_id(&v3))
    );
}

/// Oversized bundles are refused by the pre-scan, before the decoder
/// allocates per item: too many bytes, too many items, an item too large,
/// a list whose declared length dwarfs the input.
#[test]
fn oversized_bundle_rejected() {
    let world = World::new();
    let honest = world.deu_bundle().to_cbor().unwrap();
    // The honest bundle decodes under the default limits.
    assert_eq!(Bundle::from_cbor(&honest).unwrap(), world.deu_bundle());

    let limits = BundleLimits {
        max_total_bytes: honest.len() - 1,
        ..BundleLimits::default()
    };
    assert!(matches!(
        Bundle::from_cbor_with_limits(&honest, limits),
        Err(BundleError::TooLarge { size, limit }) if size == honest.len() && limit == honest.len() - 1
    ));

    let mut many = world.deu_bundle();
    many.attestations = vec![vec![0u8; 4]; BundleLimits::default().max_items + 1];
    let bytes = many.to_cbor().unwrap();
    assert!(matches!(
        Bundle::from_cbor(&bytes),
        Err(BundleError::TooManyItems { limit }) if limit == BundleLimits::default().max_items
    ));

    let mut big = world.deu_bundle();
    big.policies
        .push(vec![0u8; BundleLimits::default().max_item_bytes + 1]);
    let bytes = big.to_cbor().unwrap();
    assert!(matches!(
        Bundle::from_cbor(&bytes),
        Err(BundleError::ItemTooLarge { size, limit })
            if size == BundleLimits::default().max_item_bytes + 1
                && limit == BundleLimits::default().max_item_bytes
    ));

    // An allocation bomb: a map whose "attestations" list declares 2^32
    // entries in a few bytes. Refused at once, without allocating them.
    let mut bomb = cbor(&Value::Map(vec![(
        Value::Text("attestations".into()),
        Value::Array(Vec::new()),
    )]));
    bomb.pop(); // the empty array head 0x80
    bomb.extend([0x9a, 0xff, 0xff, 0xff, 0xff]);
    let started = Instant::now();
    let refused = Bundle::from_cbor(&bomb);
    assert!(
        matches!(refused, Err(BundleError::TooManyItems { limit }) if limit == BundleLimits::default().max_items),
        "{refused:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

/// A bundle whose lists nest arrays 64 deep is refused for depth before
/// anything is decoded.
#[test]
fn deeply_nested_bundle_rejected() {
    let mut nested = Value::Bytes(vec![1, 2, 3]);
    for _ in 0..64 {
        nested = Value::Array(vec![nested]);
    }
    let bytes = cbor(&Value::Map(vec![(
        Value::Text("certificates".into()),
        nested,
    )]));
    let refused = Bundle::from_cbor(&bytes);
    assert!(
        matches!(refused, Err(BundleError::TooDeep { limit }) if limit == BundleLimits::default().max_depth),
        "{refused:?}"
    );
    // Within the limit the same shape is refused for what it is (not a
    // bundle), not for depth.
    let shallow = cbor(&Value::Map(vec![(
        Value::Text("certificates".into()),
        Value::Array(vec![Value::Bytes(vec![1])]),
    )]));
    assert!(matches!(
        Bundle::from_cbor(&shallow),
        Err(BundleError::Cbor(_))
    ));
}

/// DEU floods its bundle with 150 CA certificates bearing its root's name
/// and a policy signed by a key none of them certified: path building
/// stops at the signature budget instead of trying every candidate.
#[test]
fn certificate_pool_flood_rejected_within_budget() {
    let world = World::new();
    let validity = Validity {
        not_before: UnixTime(T0 - DAY),
        not_after: UnixTime(T0 + 100 * DAY),
    };
    let mut flood = Vec::new();
    for i in 0..150 {
        let decoy = CertificateAuthority::new_root(
            dn("CN=DEU Root CA,O=DEU").unwrap(),
            key(&format!("flood/{i}")),
            validity,
            None,
        )
        .unwrap();
        flood.push(decoy.certificate().der().to_vec());
    }
    let mut mallory = CertificateAuthority::new_root(
        dn("CN=DEU Root CA,O=DEU").unwrap(),
        key("flood/mallory"),
        validity,
        None,
    )
    .unwrap();
    let signer = key("flood/signer");
    let cert = mallory
        .issue_credential(
            dn("CN=DEU policy signer,O=DEU").unwrap(),
            signer.public_key(),
            credential_validity(),
            vec![EkuOids::default().policy_signer],
        )
        .unwrap();
    let v2 = deu_policy(&world, 2).sign(&signer, &cert.digest()).unwrap();
    // Without the DEU → GBR translation, whose dual-domain check would also
    // walk the flood (within its own budget), so that the cost below is
    // the forged chain's alone.
    let without_translation = || {
        let mut bundles = with_deu_policies(&world, vec![]);
        bundles[1].translations.clear();
        bundles
    };
    let mut bundles = without_translation();
    bundles[1].policies.push(v2.clone());
    bundles[1].certificates.push(cert.der().to_vec());
    bundles[1].certificates.extend(flood);
    let budget = Budget {
        signatures: 20,
        ..Budget::default()
    };
    let site = Site::new();
    let mut admitter = site.admitter(&world).with_budget(budget);
    let admission = admit(&mut admitter, &bundles);
    let id = artifact_id(&v2);
    assert!(
        matches!(
            &rejection(&admission, id).reason,
            RejectReason::Chain { source, .. }
                if matches!(source.as_ref(), ValidationError::Budget(BudgetExhausted::Signatures))
        ),
        "{:?}",
        rejection(&admission, id).reason
    );
    // The flood cost at most the budget: compare with the same honest
    // bundles admitted without it.
    let baseline_site = Site::new();
    let mut baseline = baseline_site.admitter(&world);
    let honest = admit(&mut baseline, &without_translation());
    assert_eq!(honest.report.admitted, admission.report.admitted);
    let extra = admission.report.stats.signature_verifications
        - honest.report.stats.signature_verifications;
    assert!(
        extra <= budget.signatures as u64 + 2,
        "the flood cost {extra} verifications, budget {}",
        budget.signatures
    );
    assert_logged_rejection(&admitter, "chain", id);
}

/// The tests above never read a message: this one checks that every
/// integrity event kind the catalogue relies on has a stable code, so an
/// auditor can grep the log for them.
#[test]
fn event_codes_are_stable() {
    let kinds = [
        (EventKind::Impersonation, "impersonation"),
        (EventKind::ForgedSignature, "forged_signature"),
        (EventKind::RevokedCredential, "revoked_credential"),
        (EventKind::Rollback, "rollback"),
        (EventKind::StaleRevocation, "stale_revocation"),
        (EventKind::MixAndMatch, "mix_and_match"),
        (EventKind::Equivocation, "equivocation"),
        (EventKind::RoleViolation, "role_violation"),
        (EventKind::TranslationWidening, "translation_widening"),
        (EventKind::UnadmittedAuthority, "unadmitted_authority"),
        (EventKind::ForcedDisclosure, "forced_disclosure"),
    ];
    for (kind, code) in kinds {
        assert_eq!(kind.code(), code);
    }
}
