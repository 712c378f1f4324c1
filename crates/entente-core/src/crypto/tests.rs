use super::*;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");

fn vector(path: &str) -> Vec<u8> {
    std::fs::read(format!("{VECTORS}/{path}")).unwrap()
}

/// Every provider compiled in, so each test runs against both backends when
/// the `aws-lc` feature is on.
fn providers() -> Vec<&'static dyn CryptoProvider> {
    let all: Vec<&'static dyn CryptoProvider> = vec![&RustCryptoProvider];
    #[cfg(feature = "aws-lc")]
    let all = {
        let mut all = all;
        all.push(&AwsLcProvider);
        all
    };
    all
}

fn key(kind: KeyKind) -> SigningKey {
    SigningKey::derive_from_seed(kind, b"crypto-tests", "key").unwrap()
}

#[test]
fn ecdsa_and_ed25519_signatures_accepted() {
    for provider in providers() {
        for kind in [KeyKind::P256, KeyKind::P384, KeyKind::Ed25519] {
            let k = key(kind);
            for encoding in [SignatureEncoding::Fixed, SignatureEncoding::Der] {
                let sig = k.sign(b"message", encoding).unwrap();
                provider
                    .verify(k.algorithm(), encoding, k.public_key(), b"message", &sig)
                    .unwrap_or_else(|e| panic!("{}: {kind:?} {encoding:?}: {e}", provider.name()));
            }
        }
    }
}

#[test]
fn tampered_message_rejected() {
    for provider in providers() {
        for kind in [KeyKind::P256, KeyKind::P384, KeyKind::Ed25519] {
            let k = key(kind);
            let sig = k.sign(b"message", SignatureEncoding::Fixed).unwrap();
            assert_eq!(
                provider.verify(
                    k.algorithm(),
                    SignatureEncoding::Fixed,
                    k.public_key(),
                    b"messagE",
                    &sig
                ),
                Err(CryptoError::BadSignature),
                "{}",
                provider.name()
            );
        }
    }
}

#[test]
fn signature_by_another_key_rejected() {
    let other = SigningKey::derive_from_seed(KeyKind::P256, b"crypto-tests", "other").unwrap();
    let k = key(KeyKind::P256);
    let sig = other.sign(b"message", SignatureEncoding::Fixed).unwrap();
    for provider in providers() {
        assert_eq!(
            provider.verify(
                k.algorithm(),
                SignatureEncoding::Fixed,
                k.public_key(),
                b"message",
                &sig
            ),
            Err(CryptoError::BadSignature)
        );
    }
}

#[test]
fn algorithm_substitution_rejected() {
    // A P-256 key presented for an ES384 or RSA signature must not be tried.
    let k = key(KeyKind::P256);
    let sig = k.sign(b"m", SignatureEncoding::Fixed).unwrap();
    for provider in providers() {
        for alg in [
            SignatureAlgorithm::EcdsaP384Sha384,
            SignatureAlgorithm::RsaPkcs1Sha256,
            SignatureAlgorithm::Ed25519,
        ] {
            assert_eq!(
                provider.verify(alg, SignatureEncoding::Fixed, k.public_key(), b"m", &sig),
                Err(CryptoError::KeyMismatch {
                    algorithm: alg,
                    key: KeyKind::P256
                })
            );
        }
    }
}

#[test]
fn wrong_signature_encoding_rejected() {
    let k = key(KeyKind::P256);
    let der = k.sign(b"m", SignatureEncoding::Der).unwrap();
    for provider in providers() {
        assert!(
            provider
                .verify(
                    k.algorithm(),
                    SignatureEncoding::Fixed,
                    k.public_key(),
                    b"m",
                    &der
                )
                .is_err()
        );
    }
}

#[test]
fn rsa_pkcs1_known_answers_accepted() {
    let key = PublicKey::from_spki_der(&vector("valid/rsa-pkcs1/spki.der")).unwrap();
    assert_eq!(key.rsa_bits(), Some(2048));
    let message = vector("valid/rsa-pkcs1/message.bin");
    let cases = [
        (SignatureAlgorithm::RsaPkcs1Sha256, "sha256"),
        (SignatureAlgorithm::RsaPkcs1Sha384, "sha384"),
        (SignatureAlgorithm::RsaPkcs1Sha512, "sha512"),
    ];
    for provider in providers() {
        for (alg, name) in cases {
            let sig = vector(&format!("valid/rsa-pkcs1/sig-{name}.bin"));
            provider
                .verify(alg, SignatureEncoding::Der, &key, &message, &sig)
                .unwrap_or_else(|e| panic!("{} {name}: {e}", provider.name()));
            // The same signature under another hash, or over another message, fails.
            let wrong = if alg == SignatureAlgorithm::RsaPkcs1Sha256 {
                SignatureAlgorithm::RsaPkcs1Sha512
            } else {
                SignatureAlgorithm::RsaPkcs1Sha256
            };
            assert_eq!(
                provider.verify(wrong, SignatureEncoding::Der, &key, &message, &sig),
                Err(CryptoError::BadSignature)
            );
            assert_eq!(
                provider.verify(alg, SignatureEncoding::Der, &key, b"other", &sig),
                Err(CryptoError::BadSignature)
            );
        }
    }
}

#[test]
fn rsa_1024_key_rejected() {
    assert_eq!(
        PublicKey::from_spki_der(&vector("invalid/rsa-1024/spki.der")),
        Err(CryptoError::RsaKeySize(1024))
    );
}

#[test]
fn openssl_pkcs8_pem_key_accepted() {
    let pem = String::from_utf8(vector("valid/openssl-p256/key.pem")).unwrap();
    let key = SigningKey::from_pkcs8_pem(&pem).unwrap();
    let spki = vector("valid/openssl-p256/spki.der");
    assert_eq!(key.public_key(), &PublicKey::from_spki_der(&spki).unwrap());
    assert_eq!(key.public_key().to_spki_der().unwrap(), spki);
}

#[test]
fn pkcs8_pem_round_trip_accepted() {
    for kind in [KeyKind::P256, KeyKind::P384, KeyKind::Ed25519] {
        let k = key(kind);
        let again = SigningKey::from_pkcs8_pem(&k.to_pkcs8_pem().unwrap()).unwrap();
        assert_eq!(again.public_key(), k.public_key());
        let spki = k.public_key().to_spki_der().unwrap();
        assert_eq!(&PublicKey::from_spki_der(&spki).unwrap(), k.public_key());
    }
}

#[test]
fn non_key_pem_rejected() {
    assert!(
        SigningKey::from_pkcs8_pem(
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        )
        .is_err()
    );
    assert!(SigningKey::from_pkcs8_pem("not pem").is_err());
}

#[test]
fn derived_keys_are_deterministic_and_distinct() {
    let a = SigningKey::derive_from_seed(KeyKind::P256, b"s", "a").unwrap();
    let a2 = SigningKey::derive_from_seed(KeyKind::P256, b"s", "a").unwrap();
    let b = SigningKey::derive_from_seed(KeyKind::P256, b"s", "b").unwrap();
    assert_eq!(a.public_key(), a2.public_key());
    assert_ne!(a.public_key(), b.public_key());
    // RFC 6979: same key, same message, same signature.
    assert_eq!(
        a.sign(b"m", SignatureEncoding::Fixed).unwrap(),
        a2.sign(b"m", SignatureEncoding::Fixed).unwrap()
    );
}

#[test]
fn invalid_curve_point_rejected() {
    let mut point = vec![0x04];
    point.extend_from_slice(&[0x11; 64]);
    assert_eq!(
        PublicKey::from_sec1(KeyKind::P256, &point),
        Err(CryptoError::MalformedKey(KeyKind::P256))
    );
}

#[test]
fn x509_algorithm_follows_issuer_curve() {
    let alg =
        SignatureAlgorithm::from_x509_oid(&const_oid::db::rfc5912::ECDSA_WITH_SHA_256).unwrap();
    assert_eq!(
        alg.for_key(KeyKind::P384),
        SignatureAlgorithm::EcdsaP384Sha256
    );
    assert_eq!(
        alg.for_key(KeyKind::P256),
        SignatureAlgorithm::EcdsaP256Sha256
    );
    assert_eq!(
        SignatureAlgorithm::EcdsaP384Sha256.x509_oid(),
        const_oid::db::rfc5912::ECDSA_WITH_SHA_256
    );
    assert_eq!(
        SignatureAlgorithm::from_x509_oid(&const_oid::db::rfc5912::SHA_1_WITH_RSA_ENCRYPTION),
        None
    );
}
