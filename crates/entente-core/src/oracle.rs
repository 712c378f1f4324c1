//! Testing oracles for the fuzz targets: each takes arbitrary bytes, must
//! never panic, and asserts the property the target is named for.

/// `core_cbor_roundtrip`: whatever the strict decoder accepts re-encodes to
/// exactly the same bytes, and typed decoding (into a `Value`), whole or
/// its first pass alone, accepts and refuses exactly what the value decoder
/// does.
pub fn cbor_roundtrip(data: &[u8]) {
    let decoded = crate::cbor::decode_value(data, crate::Limits::DOCUMENT);
    // The typed path (one checking pass through the deserializer, then the
    // re-encoding) agrees with the value tree: same value, or same error.
    let typed: Result<ciborium::Value, _> = crate::cbor::from_slice(data);
    assert_eq!(typed, decoded, "typed and value decoding disagree");
    // So does its first pass without the re-check that orders errors.
    let one_pass: Result<ciborium::Value, _> = crate::cbor::one_pass(data, crate::Limits::DOCUMENT);
    assert_eq!(
        one_pass, decoded,
        "the one pass and value decoding disagree"
    );
    if let Ok(value) = decoded {
        let mut again = Vec::new();
        let encoded = crate::cbor::encode_value(&value, &mut again);
        assert!(encoded.is_ok(), "accepted value failed to encode");
        assert_eq!(again, data, "accepted input did not re-encode identically");
    }
}

/// `core_cose_verify`: parsing and verifying an arbitrary envelope never
/// panics, and nothing verifies under a key that did not sign it.
pub fn cose_verify(data: &[u8]) {
    use crate::crypto::{KeyKind, Signer as _};
    let Ok(envelope) = crate::Envelope::from_slice(data) else {
        return;
    };
    let _ = envelope.artifact_id();
    let _ = envelope.content_type();
    let Ok(key) = crate::SigningKey::derive_from_seed(KeyKind::P256, b"oracle", "cose") else {
        return;
    };
    let keys: Vec<&crate::PublicKey> = envelope
        .signatures()
        .iter()
        .map(|_| key.public_key())
        .collect();
    let verified = envelope.verify::<OracleDocument>(&crate::RustCryptoProvider, &keys);
    // Fuzzed bytes cannot carry a signature by the oracle's key unless the
    // corpus was made with it; either way verification must not panic, and a
    // success must have checked every signature.
    if let Ok(v) = verified {
        assert_eq!(v.signers().len(), envelope.signatures().len());
    }
}

/// A permissive document type for the COSE oracle.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct OracleDocument {
    text: String,
}

impl crate::Document for OracleDocument {
    const CONTENT_TYPE: &'static str = "application/vnd.entente.test+cbor";
}
