//! Authoring formats: JSON ↔ canonical CBOR, strict decoding, example
//! vocabularies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use entente_core::cbor::{CborError, DocumentError};
use entente_policy::{FormatError, Policy, ValidationError, Vocabulary};

#[test]
fn example_vocabularies_round_trip_byte_for_byte() {
    for text in [
        common::NATO_VOCABULARY,
        common::GBR_VOCABULARY,
        common::DEU_VOCABULARY,
        common::USA_VOCABULARY,
    ] {
        let vocabulary = Vocabulary::from_json(text).unwrap();
        let cbor = vocabulary.to_cbor().unwrap();
        let back = Vocabulary::from_cbor(&cbor).unwrap();
        assert_eq!(back, vocabulary);
        assert_eq!(
            back.to_json().unwrap(),
            text,
            "example is not in canonical JSON form"
        );
    }
}

#[test]
fn example_policy_round_trips_byte_for_byte() {
    let policy = common::gbr_policy();
    let cbor = policy.to_cbor().unwrap();
    assert_eq!(Policy::from_cbor(&cbor).unwrap(), policy);
    assert_eq!(policy.to_json().unwrap(), common::GBR_POLICY);
}

#[test]
fn example_levels_are_ordered_lowest_first() {
    let nato = Vocabulary::from_json(common::NATO_VOCABULARY).unwrap();
    assert!(nato.level_index("NATO RESTRICTED") < nato.level_index("COSMIC TOP SECRET"));
    let deu = Vocabulary::from_json(common::DEU_VOCABULARY).unwrap();
    assert_eq!(deu.level_index("STRENG GEHEIM"), Some(3));
    assert_eq!(deu.level_index("VS-NUR FÜR DEN DIENSTGEBRAUCH"), Some(0));
}

#[test]
fn unknown_json_field_rejected() {
    let text = common::GBR_VOCABULARY.replacen("\"id\"", "\"colour\": \"red\",\n  \"id\"", 1);
    let err = Vocabulary::from_json(&text).unwrap_err();
    assert!(matches!(err, FormatError::Json(_)), "{err}");
    assert!(err.to_string().contains("colour"), "{err}");
}

#[test]
fn authority_that_is_not_hex_rejected() {
    let text = common::GBR_POLICY.replacen("35505a54", "zz505a54", 1);
    assert!(matches!(
        Policy::from_json(&text),
        Err(FormatError::Json(_))
    ));
}

#[test]
fn json_with_duplicate_level_rejected() {
    let text = common::GBR_VOCABULARY.replacen("\"TOP SECRET\"", "\"SECRET\"", 1);
    let err = Vocabulary::from_json(&text).unwrap_err();
    assert!(
        matches!(
            err,
            FormatError::Invalid(ValidationError::DuplicateTerm { .. })
        ),
        "{err}"
    );
}

#[test]
fn cbor_with_unknown_field_rejected() {
    // Re-encode the policy as a generic map with one more key ("extra"
    // sorts before every field whose value would not survive the detour
    // through JSON, such as the byte-string authority).
    let mut value: std::collections::BTreeMap<String, serde_json::Value> =
        serde_json::from_str(common::GBR_POLICY).unwrap();
    value.insert("extra".to_owned(), serde_json::Value::Bool(true));
    let bytes = entente_core::cbor::to_vec(&value).unwrap();
    let err = Policy::from_cbor(&bytes).unwrap_err();
    assert!(
        matches!(err, FormatError::Cbor(CborError::Document(DocumentError::UnknownField(ref f))) if f == "extra"),
        "{err}"
    );
}

#[test]
fn truncated_cbor_rejected() {
    let bytes = common::gbr_policy().to_cbor().unwrap();
    for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
        assert!(matches!(
            Policy::from_cbor(&bytes[..cut]),
            Err(FormatError::Cbor(_))
        ));
    }
}

#[test]
fn cbor_with_trailing_bytes_rejected() {
    let mut bytes = common::gbr_policy().to_cbor().unwrap();
    bytes.push(0);
    assert!(matches!(
        Policy::from_cbor(&bytes),
        Err(FormatError::Cbor(CborError::TrailingBytes { .. }))
    ));
}

#[test]
fn decoded_but_inconsistent_cbor_rejected() {
    let mut policy = common::gbr_policy();
    policy.rules[1].id = policy.rules[0].id.clone();
    let bytes = entente_core::cbor::to_vec(&policy).unwrap();
    assert!(matches!(
        Policy::from_cbor(&bytes),
        Err(FormatError::Invalid(ValidationError::DuplicateRule { .. }))
    ));
}

#[test]
fn oversized_json_rejected_before_parsing() {
    let text = " ".repeat(entente_policy::Limits::MAX_JSON_BYTES + 1);
    let err = Policy::from_json(&text).unwrap_err();
    assert!(matches!(err, FormatError::TooLarge { .. }), "{err}");
}
