use serde::{Deserialize, Serialize};

use super::*;
use crate::crypto::{KeyKind, RustCryptoProvider, SigningKey};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Note {
    text: String,
}

impl Document for Note {
    const CONTENT_TYPE: &'static str = "application/vnd.entente.test+cbor";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Other {
    text: String,
}

impl Document for Other {
    const CONTENT_TYPE: &'static str = "application/vnd.entente.other+cbor";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct NoteWithExtra {
    extra: bool,
    text: String,
}

impl Document for NoteWithExtra {
    const CONTENT_TYPE: &'static str = "application/vnd.entente.test+cbor";
}

fn signer(label: &str) -> (SigningKey, Digest256) {
    let key = SigningKey::derive_from_seed(KeyKind::P256, b"cose-tests", label).unwrap();
    let kid = key_id_for_certificate(label.as_bytes());
    (key, kid)
}

fn note() -> Note {
    Note {
        text: "REL FVEY".into(),
    }
}

#[test]
fn sign1_round_trip_accepted() {
    let (key, kid) = signer("a");
    let bytes = sign1(&note(), &key, &kid).unwrap();
    assert_eq!(bytes[0], 0xd2, "tagged COSE_Sign1");
    let env = Envelope::from_slice(&bytes).unwrap();
    assert_eq!(env.kind(), EnvelopeKind::Sign1);
    assert_eq!(
        env.signatures(),
        &[SignatureInfo {
            kid,
            algorithm: SignatureAlgorithm::EcdsaP256Sha256
        }]
    );
    let verified = env
        .verify::<Note>(&RustCryptoProvider, &[key.public_key()])
        .unwrap();
    assert_eq!(verified.document(), &note());
    assert_eq!(verified.artifact_id(), env.artifact_id());
}

#[test]
fn es384_sign1_accepted() {
    let key = SigningKey::derive_from_seed(KeyKind::P384, b"cose-tests", "p384").unwrap();
    let kid = key_id_for_certificate(b"p384");
    let env = Envelope::from_slice(&sign1(&note(), &key, &kid).unwrap()).unwrap();
    assert_eq!(
        env.signatures()[0].algorithm,
        SignatureAlgorithm::EcdsaP384Sha384
    );
    env.verify::<Note>(crate::default_provider(), &[key.public_key()])
        .unwrap();
}

#[test]
fn tampered_payload_rejected() {
    let (key, kid) = signer("a");
    let mut bytes = sign1(&note(), &key, &kid).unwrap();
    let pos = bytes.windows(8).position(|w| w == b"REL FVEY").unwrap();
    bytes[pos] = b'X';
    let env = Envelope::from_slice(&bytes).unwrap();
    assert!(matches!(
        env.verify::<Note>(&RustCryptoProvider, &[key.public_key()]),
        Err(CoseError::Signature {
            index: 0,
            source: CryptoError::BadSignature
        })
    ));
}

#[test]
fn wrong_key_rejected() {
    let (key, kid) = signer("a");
    let (other, _) = signer("b");
    let env = Envelope::from_slice(&sign1(&note(), &key, &kid).unwrap()).unwrap();
    assert!(matches!(
        env.verify::<Note>(&RustCryptoProvider, &[other.public_key()]),
        Err(CoseError::Signature { .. })
    ));
}

#[test]
fn content_type_confusion_rejected() {
    let (key, kid) = signer("a");
    let env = Envelope::from_slice(&sign1(&note(), &key, &kid).unwrap()).unwrap();
    assert!(matches!(
        env.verify::<Other>(&RustCryptoProvider, &[key.public_key()]),
        Err(CoseError::ContentType { .. })
    ));
}

#[test]
fn signed_payload_with_unknown_field_rejected() {
    let (key, kid) = signer("a");
    let doc = NoteWithExtra {
        extra: true,
        text: "x".into(),
    };
    let env = Envelope::from_slice(&sign1(&doc, &key, &kid).unwrap()).unwrap();
    assert_eq!(
        env.verify::<Note>(&RustCryptoProvider, &[key.public_key()])
            .unwrap_err(),
        CoseError::Payload(CborError::Document(
            crate::cbor::DocumentError::UnknownField("extra".into())
        ))
    );
}

/// Replaces `s` by `n - s` in a P-256 `r || s` signature.
fn malleate(signature: &[u8]) -> Vec<u8> {
    use p256::elliptic_curve::PrimeField as _;
    let s_bytes: [u8; 32] = signature[32..].try_into().unwrap();
    let s = p256::Scalar::from_repr(s_bytes.into()).unwrap();
    let neg = -s;
    let mut out = signature[..32].to_vec();
    out.extend_from_slice(&neg.to_repr());
    out
}

#[test]
fn malleated_signature_keeps_artifact_id() {
    let (key, kid) = signer("a");
    let bytes = sign1(&note(), &key, &kid).unwrap();
    let mut sign1 = CoseSign1::from_tagged_slice(&bytes).unwrap();
    let original = sign1.signature.clone();
    sign1.signature = malleate(&original);
    assert_ne!(sign1.signature, original);
    let malleated = sign1.to_tagged_vec().unwrap();
    assert_ne!(malleated, bytes, "the envelopes differ");
    let a = Envelope::from_slice(&bytes).unwrap();
    let b = Envelope::from_slice(&malleated).unwrap();
    // Both forms verify, and both name the same artifact.
    a.verify::<Note>(&RustCryptoProvider, &[key.public_key()])
        .unwrap();
    b.verify::<Note>(&RustCryptoProvider, &[key.public_key()])
        .unwrap();
    assert_eq!(a.artifact_id(), b.artifact_id());
}

#[test]
fn multi_signer_sign_accepted_and_cosign_keeps_identity() {
    let (a, kid_a) = signer("a");
    let (b, kid_b) = signer("b");
    let (c, kid_c) = signer("c");
    let two = sign(&note(), &[(&a, kid_a), (&b, kid_b)]).unwrap();
    assert_eq!(&two[..2], &[0xd8, 0x62], "tagged COSE_Sign");
    let env2 = Envelope::from_slice(&two).unwrap();
    env2.verify::<Note>(&RustCryptoProvider, &[a.public_key(), b.public_key()])
        .unwrap();
    let three = cosign(&two, &c, &kid_c).unwrap();
    let env3 = Envelope::from_slice(&three).unwrap();
    assert_eq!(env3.artifact_id(), env2.artifact_id());
    let verified = env3
        .verify::<Note>(
            &RustCryptoProvider,
            &[a.public_key(), b.public_key(), c.public_key()],
        )
        .unwrap();
    assert_eq!(verified.signers().len(), 3);
    // Keys in the wrong order fail at the first mismatch.
    assert!(matches!(
        env3.verify::<Note>(
            &RustCryptoProvider,
            &[b.public_key(), a.public_key(), c.public_key()]
        ),
        Err(CoseError::Signature { index: 0, .. })
    ));
}

#[test]
fn duplicate_cosigner_rejected() {
    let (a, kid_a) = signer("a");
    let one = sign(&note(), &[(&a, kid_a)]).unwrap();
    assert_eq!(
        cosign(&one, &a, &kid_a),
        Err(CoseError::DuplicateSigner(kid_a))
    );
}

#[test]
fn key_count_mismatch_rejected() {
    let (a, kid_a) = signer("a");
    let (b, kid_b) = signer("b");
    let env = Envelope::from_slice(&sign(&note(), &[(&a, kid_a), (&b, kid_b)]).unwrap()).unwrap();
    assert_eq!(
        env.verify::<Note>(&RustCryptoProvider, &[a.public_key()])
            .unwrap_err(),
        CoseError::KeyCount {
            signatures: 2,
            keys: 1
        }
    );
}

#[test]
fn untagged_envelope_rejected() {
    let (key, kid) = signer("a");
    let bytes = sign1(&note(), &key, &kid).unwrap();
    assert_eq!(
        Envelope::from_slice(&bytes[1..]).unwrap_err(),
        CoseError::NotTagged
    );
}

#[test]
fn unprotected_header_rejected() {
    let (key, kid) = signer("a");
    let bytes = sign1(&note(), &key, &kid).unwrap();
    let mut s = CoseSign1::from_tagged_slice(&bytes).unwrap();
    s.unprotected = HeaderBuilder::new().key_id(vec![1, 2, 3]).build();
    let bytes = s.to_tagged_vec().unwrap();
    assert_eq!(
        Envelope::from_slice(&bytes).unwrap_err(),
        CoseError::UnprotectedHeader
    );
}

#[test]
fn unsupported_algorithm_rejected() {
    let (key, kid) = signer("a");
    let payload = crate::cbor::to_vec(&note()).unwrap();
    let bytes = CoseSign1Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::PS256)
                .content_type(Note::CONTENT_TYPE.into())
                .key_id(kid.as_bytes().to_vec())
                .build(),
        )
        .payload(payload)
        .create_signature(&[], |tbs| key.sign(tbs, SignatureEncoding::Fixed).unwrap())
        .build()
        .to_tagged_vec()
        .unwrap();
    assert_eq!(
        Envelope::from_slice(&bytes).unwrap_err(),
        CoseError::UnsupportedAlgorithm(iana::Algorithm::PS256 as i64)
    );
}

#[test]
fn ed25519_signer_refused_for_envelopes() {
    let key = SigningKey::derive_from_seed(KeyKind::Ed25519, b"cose-tests", "ed").unwrap();
    assert_eq!(
        sign1(&note(), &key, &Digest256::sha256(b"x")).unwrap_err(),
        CoseError::UnsupportedSigner(SignatureAlgorithm::Ed25519)
    );
}

#[test]
fn short_kid_rejected() {
    let (key, _) = signer("a");
    let payload = crate::cbor::to_vec(&note()).unwrap();
    let bytes = CoseSign1Builder::new()
        .protected(
            HeaderBuilder::new()
                .algorithm(iana::Algorithm::ES256)
                .content_type(Note::CONTENT_TYPE.into())
                .key_id(vec![7; 8])
                .build(),
        )
        .payload(payload)
        .create_signature(&[], |tbs| key.sign(tbs, SignatureEncoding::Fixed).unwrap())
        .build()
        .to_tagged_vec()
        .unwrap();
    assert_eq!(
        Envelope::from_slice(&bytes).unwrap_err(),
        CoseError::KeyId { length: 8 }
    );
}

#[test]
fn oversized_envelope_rejected() {
    let big = vec![0xd2; MAX_ENVELOPE_SIZE + 1];
    assert!(matches!(
        Envelope::from_slice(&big),
        Err(CoseError::TooLarge { .. })
    ));
}

#[test]
fn artifact_id_separates_header_and_payload() {
    assert_ne!(artifact_id(b"ab", b"c"), artifact_id(b"a", b"bc"));
}
