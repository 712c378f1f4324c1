#![allow(
    clippy::expect_used,
    reason = "a benchmark aborts when its setup fails"
)]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

//! Verifying a quorum certificate of 13 ES256 endorsements next to the 13
//! raw ES256 verifications it contains, with each crypto backend, so the
//! overhead of parsing, resolving, decoding and counting (goal: at most
//! 1.1×) comes from one run. The `attest summary:` lines measure the two in
//! turn, round by round ([`entente_benches::interleaved_medians`]), so that
//! both sides of the ratio see the same load.

use core::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use entente_attest::{
    Attestation, CredentialPurpose, MemoryResolver, OperationDeclaration, OperationState,
    QuorumCertificate, QuorumRule, Role, RosterChangeRules, RosterEntry, Statement,
    VerifiedDeclaration,
};
use entente_core::crypto::AwsLcProvider;
use entente_core::{
    ArtifactId, AuthorityId, CryptoProvider, Digest256, Envelope, KeyKind, RustCryptoProvider,
    SignatureEncoding, Signer as _, SigningKey, UnixTime, Validity,
};

const PARTNERS: usize = 13;
const AT: UnixTime = UnixTime::from_secs(1_800_000_000);

struct Setup {
    resolver: MemoryResolver,
    state: OperationState,
    certificate: QuorumCertificate,
    keys: Vec<SigningKey>,
    /// One message and signature per endorsement, of the envelope's size.
    raw: Vec<(Vec<u8>, Vec<u8>)>,
}

fn setup() -> Setup {
    let mut resolver = MemoryResolver::new();
    let declarer_key =
        SigningKey::derive_from_seed(KeyKind::P256, b"bench", "declarer").expect("key");
    let declarer = AuthorityId::from_spki_der(b"bench/declarer");
    let declarer_kid = Digest256::sha256(b"bench/declarer/cert");
    resolver.insert(
        declarer_kid,
        CredentialPurpose::OperationDeclarer,
        declarer,
        declarer_key.public_key().clone(),
    );
    let mut partners = Vec::new();
    let mut keys = Vec::new();
    for i in 0..PARTNERS {
        let key = SigningKey::derive_from_seed(KeyKind::P256, b"bench", &format!("partner-{i}"))
            .expect("key");
        let authority = AuthorityId::from_spki_der(format!("bench/partner-{i}").as_bytes());
        let kid = Digest256::sha256(format!("bench/partner-{i}/cert").as_bytes());
        resolver.insert(
            kid,
            CredentialPurpose::Attester,
            authority,
            key.public_key().clone(),
        );
        partners.push((authority, kid));
        keys.push(key);
    }
    let roster = partners
        .iter()
        .enumerate()
        .map(|(i, (authority, _))| RosterEntry {
            authority: *authority,
            role: if i == 0 { Role::Lead } else { Role::Supporting },
        })
        .collect();
    let declaration = OperationDeclaration::new(
        declarer,
        "bench",
        roster,
        // All 13 must endorse, so the certificate verifies every signature.
        QuorumRule::AtLeast(PARTNERS as u32),
        Validity {
            not_before: UnixTime::from_secs(0),
            not_after: UnixTime::from_secs(u64::MAX),
        },
        declarer,
        RosterChangeRules::FROZEN,
    );
    let operation = declaration.operation;
    let bytes = declaration
        .sign(&declarer_key, &declarer_kid)
        .expect("sign");
    let verified =
        VerifiedDeclaration::verify(&bytes, &resolver, &RustCryptoProvider, AT).expect("verify");
    let state = OperationState::new(verified);
    let artifact = ArtifactId::from_digest(Digest256::sha256(b"bench/artifact"));
    let endorsements: Vec<Vec<u8>> = partners
        .iter()
        .zip(&keys)
        .map(|((authority, kid), key)| {
            Attestation {
                operation,
                epoch: 0,
                slot: 0,
                author: *authority,
                statement: Statement::Endorsement { artifact },
            }
            .sign(key, kid)
            .expect("sign")
        })
        .collect();
    let raw = endorsements
        .iter()
        .zip(&keys)
        .map(|(message, key)| {
            let signature = key.sign(message, SignatureEncoding::Fixed).expect("sign");
            (message.clone(), signature)
        })
        .collect();
    Setup {
        resolver,
        state,
        certificate: QuorumCertificate::new(endorsements),
        keys,
        raw,
    }
}

fn quorum_certificate(c: &mut Criterion) {
    let setup = setup();
    let providers: [&dyn CryptoProvider; 2] = [&RustCryptoProvider, &AwsLcProvider];
    let mut group = c.benchmark_group("attest_quorum_certificate_13");
    let mut summaries = Vec::new();
    for provider in providers {
        let verified = setup
            .state
            .verify_certificate(&setup.certificate, &setup.resolver, provider, AT)
            .expect("certificate verifies");
        assert_eq!(verified.tally().counted, PARTNERS);
        let certificate = || {
            setup
                .state
                .verify_certificate(&setup.certificate, &setup.resolver, provider, AT)
                .expect("certificate verifies")
        };
        let raw = || {
            for ((message, signature), key) in setup.raw.iter().zip(&setup.keys) {
                entente_benches::raw_verify(provider, key, message, signature).expect("verifies");
            }
        };
        group.bench_function(format!("{}/certificate", provider.name()), |b| {
            b.iter(certificate)
        });
        group.bench_function(format!("{}/13_raw_es256", provider.name()), |b| b.iter(raw));
        summaries.push((provider.name(), certificate, raw));
    }
    group.finish();

    // The goal again, the certificate and its raw verifications measured in
    // turn round by round, so that both sides of the ratio see the same load.
    let rounds = if entente_benches::test_mode() { 3 } else { 201 };
    for (name, certificate, raw) in summaries {
        let times = entente_benches::interleaved_medians(
            rounds,
            1,
            &mut [&mut || drop(black_box(certificate())), &mut || raw()],
        );
        if let [certificate, raw] = times[..] {
            println!(
                "attest summary: quorum certificate of {PARTNERS} measured in turn ({rounds} \
                 rounds), {name}: certificate {certificate:?}, {PARTNERS} raw ES256 {raw:?}; \
                 certificate / raw = {:.3} (goal <= 1.1)",
                certificate.as_secs_f64() / raw.as_secs_f64()
            );
        }
    }
}

/// A provider that accepts every signature: what verifying a certificate
/// costs besides the signature checks (parsing, resolving, decoding, counting).
#[derive(Debug)]
struct AcceptAll;

impl CryptoProvider for AcceptAll {
    fn name(&self) -> &'static str {
        "accept-all"
    }

    fn verify(
        &self,
        _algorithm: entente_core::SignatureAlgorithm,
        _encoding: SignatureEncoding,
        _key: &entente_core::PublicKey,
        _message: &[u8],
        _signature: &[u8],
    ) -> Result<(), entente_core::CryptoError> {
        Ok(())
    }
}

fn overhead(c: &mut Criterion) {
    let setup = setup();
    let mut group = c.benchmark_group("attest_quorum_certificate_13");
    group.bench_function("overhead_without_signature_checks", |b| {
        b.iter(|| {
            setup
                .state
                .verify_certificate(&setup.certificate, &setup.resolver, &AcceptAll, AT)
                .expect("certificate verifies")
        })
    });
    // The share of that spent in entente-core: parsing each COSE_Sign1 and
    // strictly decoding its payload.
    group.bench_function("overhead_core_parse_and_decode_only", |b| {
        b.iter(|| {
            for (bytes, key) in setup.certificate.endorsements().iter().zip(&setup.keys) {
                Envelope::from_slice(bytes)
                    .expect("parses")
                    .verify::<Attestation>(&AcceptAll, &[key.public_key()])
                    .expect("decodes");
            }
        })
    });
    group.finish();
}

criterion_group!(benches, quorum_certificate, overhead);
criterion_main!(benches);
