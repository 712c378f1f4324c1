#![allow(
    clippy::expect_used,
    reason = "a benchmark aborts when its setup fails"
)]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

//! Validating the same 3-certificate P-256 chain (root anchor, intermediate,
//! leaf) with entente on each crypto backend and with rustls-webpki on
//! aws-lc-rs, in one binary so the ratios come from one run. A provider that
//! accepts every signature measures what entente spends *besides* signature
//! verification (decoding, name chaining, policies, profile).
//!
//! After the criterion group, the `x509 summary:` line times entente on
//! aws-lc, webpki and entente without signatures in turn, round by round
//! ([`entente_benches::interleaved_medians`]), and prints the two goal ratios
//! (entente ÷ webpki ≤ 1.1; non-signature work < 10 % of the chain).

use core::hint::black_box;
use core::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use entente_core::crypto::AwsLcProvider;
use entente_core::{
    CryptoError, CryptoProvider, KeyKind, PublicKey, RustCryptoProvider, SignatureAlgorithm,
    SignatureEncoding, Signer as _, SigningKey, UnixTime, Validity,
};
use entente_x509::{
    Budget, Certificate, CertificateParams, Oid, PolicyInputs, Profile, TrustAnchor,
    ValidationOptions, dn, dns_name, issue, issue_root, validate,
};
use rustls_pki_types::CertificateDer;

const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);

/// Accepts every signature: isolates the non-cryptographic cost.
#[derive(Debug)]
struct AcceptAll;

impl CryptoProvider for AcceptAll {
    fn name(&self) -> &'static str {
        "no-crypto"
    }
    fn verify(
        &self,
        _: SignatureAlgorithm,
        _: SignatureEncoding,
        _: &PublicKey,
        _: &[u8],
        _: &[u8],
    ) -> Result<(), CryptoError> {
        Ok(())
    }
}

struct Chain {
    root: Vec<u8>,
    intermediate: Vec<u8>,
    leaf: Vec<u8>,
}

fn chain() -> Chain {
    let validity = Validity {
        not_before: NOW.saturating_sub(86_400),
        not_after: NOW.saturating_add(365 * 86_400),
    };
    let key =
        |label| SigningKey::derive_from_seed(KeyKind::P256, b"bench-x509", label).expect("key");
    let (root_key, int_key, leaf_key) = (key("root"), key("intermediate"), key("leaf"));
    let root = issue_root(
        &CertificateParams::ca(
            dn("CN=Bench Root,O=Nation A").expect("dn"),
            1,
            validity,
            None,
        ),
        &root_key,
    )
    .expect("root");
    let intermediate = issue(
        &CertificateParams::ca(
            dn("CN=Bench Issuing,O=Nation A").expect("dn"),
            2,
            validity,
            Some(0),
        ),
        int_key.public_key(),
        &root,
        &root_key,
    )
    .expect("intermediate");
    let server_auth = Oid::parse("1.3.6.1.5.5.7.3.1").expect("oid");
    let mut params = CertificateParams::leaf(
        dn("CN=signer,O=Nation A").expect("dn"),
        3,
        validity,
        vec![server_auth],
    );
    params.subject_alt_names = vec![dns_name("signer.nation-a.example").expect("san")];
    let leaf = issue(&params, leaf_key.public_key(), &intermediate, &int_key).expect("leaf");
    Chain {
        root: root.der().to_vec(),
        intermediate: intermediate.der().to_vec(),
        leaf: leaf.der().to_vec(),
    }
}

fn validate_chain(c: &mut Criterion) {
    let chain = chain();
    let anchors = [TrustAnchor::new(
        Certificate::from_der(&chain.root).expect("root"),
    )];
    let inputs = PolicyInputs::default();
    let profile = Profile::rfc5280();
    let options = |provider: &'static dyn CryptoProvider| ValidationOptions {
        time: NOW,
        policy: &inputs,
        revocation: None,
        budget: Budget::default(),
        provider,
    };
    // Decoding is part of the cost, as it is for webpki below.
    let entente = |options: &ValidationOptions<'_>| {
        let leaf = Certificate::from_der(&chain.leaf).expect("leaf");
        let pool = [Certificate::from_der(&chain.intermediate).expect("intermediate")];
        validate(&leaf, &pool, &anchors, &profile, options).expect("valid")
    };

    let root_der = CertificateDer::from(chain.root.as_slice());
    let webpki_anchors = [webpki::anchor_from_trusted_cert(&root_der)
        .expect("anchor")
        .to_owned()];
    let intermediates = [CertificateDer::from(chain.intermediate.as_slice())];
    let leaf_der = CertificateDer::from(chain.leaf.as_slice());
    let time = rustls_pki_types::UnixTime::since_unix_epoch(Duration::from_secs(NOW.as_secs()));
    let webpki = || {
        let ee = webpki::EndEntityCert::try_from(&leaf_der).expect("ee");
        ee.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &webpki_anchors,
            &intermediates,
            time,
            webpki::KeyUsage::server_auth(),
            None,
            None,
        )
        .map(|_| ())
        .expect("valid")
    };

    let providers: [&'static dyn CryptoProvider; 3] =
        [&RustCryptoProvider, &AwsLcProvider, &AcceptAll];
    let mut group = c.benchmark_group("x509_validate_p256_chain");
    for provider in providers {
        let options = options(provider);
        group.bench_function(format!("entente/{}", provider.name()), |b| {
            b.iter(|| entente(&options));
        });
    }
    group.bench_function("webpki/aws-lc-rs", |b| b.iter(webpki));
    group.finish();

    // The two goals again, measured in turn round by round so that both
    // sides of each ratio see the same load.
    let (aws_lc, no_crypto) = (options(&AwsLcProvider), options(&AcceptAll));
    let (rounds, batch) = if entente_benches::test_mode() {
        (3, 1)
    } else {
        (301, 20)
    };
    let times = entente_benches::interleaved_medians(
        rounds,
        batch,
        &mut [
            &mut || drop(black_box(entente(&aws_lc))),
            &mut || webpki(),
            &mut || drop(black_box(entente(&no_crypto))),
        ],
    );
    if let [entente_aws_lc, webpki_aws_lc, entente_no_crypto] = times[..] {
        println!(
            "x509 summary: chain validation measured in turn ({rounds} rounds of {batch}): \
             entente aws-lc {entente_aws_lc:?}, webpki aws-lc-rs {webpki_aws_lc:?}, entente \
             no-crypto {entente_no_crypto:?}; entente / webpki = {:.3} (goal <= 1.1); \
             non-crypto / entente aws-lc = {:.3} (goal < 0.1)",
            entente_aws_lc.as_secs_f64() / webpki_aws_lc.as_secs_f64(),
            entente_no_crypto.as_secs_f64() / entente_aws_lc.as_secs_f64(),
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = validate_chain
}
criterion_main!(benches);
