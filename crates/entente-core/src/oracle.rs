//! Testing oracles for the fuzz targets: each takes arbitrary bytes, must
//! never panic, and asserts the property the target is named for.

/// `core_cbor_roundtrip`: whatever the strict decoder accepts re-encodes to
/// exactly the same bytes, typed decoding (into a `Value`), whole or its
/// first pass alone, accepts and refuses exactly what the value decoder
/// does, and matching a value against accepted input agrees with writing
/// it out and comparing.
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
        assert!(
            crate::cbor::encodes_to(&value, data),
            "accepted input not matched by its own value"
        );
    }
    // Matching a value against accepted input gives the verdict of writing
    // it and comparing. The first byte splits the rest into the input
    // (read strictly) and the value (read leniently: any map order,
    // repeated keys).
    if let Some((&split, rest)) = data.split_first() {
        let (input, other) = rest.split_at(usize::from(split) % (rest.len() + 1));
        if crate::cbor::decode_value(input, crate::Limits::DOCUMENT).is_ok() {
            if let Ok(value) = ciborium::from_reader::<ciborium::Value, _>(other) {
                let written = crate::cbor::to_vec(&value);
                assert_eq!(
                    crate::cbor::encodes_to(&value, input),
                    written.as_deref() == Ok(input),
                    "matching and writing disagree"
                );
            }
        }
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

#[cfg(test)]
mod tests {
    /// The committed corpus of `core_cbor_roundtrip`, replayed through its
    /// oracle, so the tests hold every input the fuzzer kept to it.
    #[test]
    fn cbor_roundtrip_corpus_passes_its_oracle() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/corpus/core_cbor_roundtrip");
        let mut inputs = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            super::cbor_roundtrip(&std::fs::read(entry.unwrap().path()).unwrap());
            inputs += 1;
        }
        assert!(inputs > 100, "corpus has {inputs} inputs");
    }
}
