#![allow(
    clippy::expect_used,
    reason = "a benchmark aborts when its setup fails"
)]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

//! Core costs side by side, so ratios come from one run: ES256 verification
//! with each crypto backend, strict decoding of a ~1 KiB document, and
//! SHA-256 of 1 KiB.

use criterion::{Criterion, criterion_group, criterion_main};
use entente_benches::document::{Doc, document};
use entente_core::crypto::AwsLcProvider;
use entente_core::{
    CryptoProvider, KeyKind, RustCryptoProvider, SignatureEncoding, Signer as _, SigningKey,
};

fn es256_verify(c: &mut Criterion) {
    let key = SigningKey::derive_from_seed(KeyKind::P256, b"bench", "es256").expect("key");
    let message = vec![0x5a; 256];
    let signature = key.sign(&message, SignatureEncoding::Fixed).expect("sign");
    let providers: [&dyn CryptoProvider; 2] = [&RustCryptoProvider, &AwsLcProvider];
    let mut group = c.benchmark_group("es256_verify");
    for provider in providers {
        group.bench_function(provider.name(), |b| {
            b.iter(|| {
                entente_benches::raw_verify(provider, &key, &message, &signature).expect("verifies")
            })
        });
    }
    group.finish();
}

fn decode(c: &mut Criterion) {
    let bytes = entente_core::cbor::to_vec(&document()).expect("encode");
    assert!(
        (900..1300).contains(&bytes.len()),
        "document is {} bytes",
        bytes.len()
    );
    let mut group = c.benchmark_group("cbor");
    group.bench_function("strict_decode_1KiB", |b| {
        b.iter(|| entente_core::cbor::from_slice::<Doc>(&bytes).expect("decodes"))
    });
    group.finish();
}

fn sha256(c: &mut Criterion) {
    let data = vec![0xa5u8; 1024];
    c.bench_function("sha256_1KiB", |b| {
        b.iter(|| entente_core::Digest256::sha256(std::hint::black_box(&data)))
    });
}

criterion_group!(benches, es256_verify, decode, sha256);
criterion_main!(benches);
