use ciborium::Value;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::*;

fn decode(hex_input: &str) -> Result<Value, CborError> {
    decode_value(&hex::decode(hex_input).unwrap(), Limits::DOCUMENT)
}

fn encode(value: &Value) -> String {
    let mut out = Vec::new();
    encode_value(value, &mut out).unwrap();
    hex::encode(out)
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    name: String,
    level: u8,
    note: Option<String>,
}

// --- RFC 8949 Appendix A vectors (the deterministic subset) ---

#[test]
fn rfc8949_appendix_a_vectors_round_trip() {
    let vectors = [
        "00",
        "17",
        "1818",
        "1864",
        "1903e8",
        "1a000f4240",
        "1b000000e8d4a51000",
        "1bffffffffffffffff",
        "20",
        "29",
        "3863",
        "3903e7",
        "3bffffffffffffffff",
        "40",
        "4401020304",
        "60",
        "6161",
        "6449455446",
        "62c3bc",
        "80",
        "83010203",
        "8301820203820405",
        "a0",
        "a201020304",
        "a26161016162820203",
        "f4",
        "f5",
        "f6",
    ];
    for v in vectors {
        let value = decode(v).unwrap_or_else(|e| panic!("{v}: {e}"));
        assert_eq!(encode(&value), v);
    }
}

#[test]
fn encoder_sorts_keys_by_encoded_bytes() {
    // RFC 8949 §4.2.1: 10, 100, -1 sort as 0x0a < 0x1864 < 0x20.
    let map = Value::Map(vec![
        (Value::Integer((-1).into()), Value::Null),
        (Value::Integer(100.into()), Value::Null),
        (Value::Integer(10.into()), Value::Null),
    ]);
    assert_eq!(encode(&map), "a30af61864f620f6");
    // Shorter text keys sort first: "z" before "aa".
    let map = Value::Map(vec![
        (Value::Text("aa".into()), Value::Null),
        (Value::Text("z".into()), Value::Null),
    ]);
    assert_eq!(encode(&map), "a2617af6626161f6");
}

#[test]
fn encoder_refuses_duplicate_keys_and_floats() {
    let map = Value::Map(vec![
        (Value::Text("a".into()), Value::Null),
        (Value::Text("a".into()), Value::Null),
    ]);
    let mut out = Vec::new();
    assert_eq!(
        encode_value(&map, &mut out),
        Err(CborError::Unencodable(Unencodable::DuplicateKey))
    );
    assert_eq!(
        encode_value(&Value::Float(1.5), &mut out),
        Err(CborError::Unencodable(Unencodable::Float))
    );
    assert!(matches!(
        to_vec(&1.5f64),
        Err(CborError::Unencodable(Unencodable::Float))
    ));
}

// --- one named test per rejected form ---

#[test]
fn duplicate_map_key_rejected() {
    assert_eq!(
        decode("a2616101616102"),
        Err(CborError::DuplicateKey { offset: 4 })
    );
}

#[test]
fn unsorted_map_keys_rejected() {
    assert_eq!(
        decode("a2616201616102"),
        Err(CborError::UnsortedKeys { offset: 4 })
    );
    // "aa" (longer) before "z" is unsorted under bytewise order.
    assert_eq!(
        decode("a262616101617a02"),
        Err(CborError::UnsortedKeys { offset: 5 })
    );
}

#[test]
fn mixed_key_types_rejected() {
    assert_eq!(
        decode("a20102616103"),
        Err(CborError::MixedKeyTypes { offset: 3 })
    );
}

#[test]
fn integer_and_negative_keys_are_one_type_accepted() {
    assert!(decode("a20a012002").is_ok());
}

#[test]
fn trailing_bytes_rejected() {
    assert_eq!(decode("0000"), Err(CborError::TrailingBytes { offset: 1 }));
}

#[test]
fn indefinite_length_array_rejected() {
    assert_eq!(
        decode("9f01ff"),
        Err(CborError::IndefiniteLength { offset: 0 })
    );
}

#[test]
fn indefinite_length_map_rejected() {
    assert_eq!(
        decode("bf616101ff"),
        Err(CborError::IndefiniteLength { offset: 0 })
    );
}

#[test]
fn indefinite_length_byte_string_rejected() {
    assert_eq!(
        decode("5f4101ff"),
        Err(CborError::IndefiniteLength { offset: 0 })
    );
}

#[test]
fn indefinite_length_text_string_rejected() {
    assert_eq!(
        decode("7f6161ff"),
        Err(CborError::IndefiniteLength { offset: 0 })
    );
}

#[test]
fn non_shortest_integer_rejected() {
    assert_eq!(
        decode("1805"),
        Err(CborError::NonShortestInteger { offset: 0 })
    );
    assert_eq!(
        decode("190018"),
        Err(CborError::NonShortestInteger { offset: 0 })
    );
    assert_eq!(
        decode("1a0000ffff"),
        Err(CborError::NonShortestInteger { offset: 0 })
    );
    assert_eq!(
        decode("1b00000000ffffffff"),
        Err(CborError::NonShortestInteger { offset: 0 })
    );
}

#[test]
fn non_shortest_negative_integer_rejected() {
    assert_eq!(
        decode("3800"),
        Err(CborError::NonShortestInteger { offset: 0 })
    );
}

#[test]
fn non_shortest_length_rejected() {
    assert_eq!(
        decode("780161"),
        Err(CborError::NonShortestLength { offset: 0 })
    );
    assert_eq!(
        decode("98020102"),
        Err(CborError::NonShortestLength { offset: 0 })
    );
    assert_eq!(
        decode("b8010102"),
        Err(CborError::NonShortestLength { offset: 0 })
    );
    assert_eq!(
        decode("580101"),
        Err(CborError::NonShortestLength { offset: 0 })
    );
}

#[test]
fn nesting_too_deep_rejected() {
    let limits = Limits::DOCUMENT;
    let mut deep = vec![0x81u8; limits.max_depth];
    deep.push(0x00);
    assert!(decode_value(&deep, limits).is_ok());
    let mut deeper = vec![0x81u8; limits.max_depth + 1];
    deeper.push(0x00);
    assert_eq!(
        decode_value(&deeper, limits),
        Err(CborError::TooDeep {
            limit: limits.max_depth
        })
    );
}

#[test]
fn oversized_input_rejected() {
    let limits = Limits {
        max_size: 8,
        max_depth: 4,
    };
    let big = hex::decode("49000000000000000000").unwrap();
    assert_eq!(
        decode_value(&big, limits),
        Err(CborError::TooLarge { size: 10, limit: 8 })
    );
}

#[test]
fn huge_length_claim_rejected_before_allocation() {
    // An array claiming 2^63 elements in 9 bytes must fail fast.
    assert_eq!(
        decode("9b8000000000000000"),
        Err(CborError::Truncated { offset: 0 })
    );
    assert_eq!(
        decode("5bffffffffffffffff"),
        Err(CborError::Truncated { offset: 0 })
    );
}

#[test]
fn truncated_input_rejected() {
    assert_eq!(decode(""), Err(CborError::Truncated { offset: 0 }));
    assert_eq!(decode("19"), Err(CborError::Truncated { offset: 1 }));
    assert_eq!(decode("826161"), Err(CborError::Truncated { offset: 3 }));
    // Lengths in the initial byte are bounded by the input left, for every
    // major type that has a length, the typed path included.
    for short in ["6361", "4201", "8201", "a201"] {
        assert_eq!(decode(short), Err(CborError::Truncated { offset: 0 }));
        let typed: Result<Value, CborError> = from_slice(&hex::decode(short).unwrap());
        assert_eq!(typed, Err(CborError::Truncated { offset: 0 }));
    }
}

#[test]
fn invalid_utf8_rejected() {
    assert_eq!(decode("62c328"), Err(CborError::InvalidUtf8 { offset: 0 }));
}

#[test]
fn float_rejected() {
    assert_eq!(decode("f93c00"), Err(CborError::Float { offset: 0 }));
    assert_eq!(
        decode("fb3ff199999999999a"),
        Err(CborError::Float { offset: 0 })
    );
}

#[test]
fn tag_rejected() {
    assert_eq!(
        decode("c11a514b67b0"),
        Err(CborError::Tag { tag: 1, offset: 0 })
    );
}

#[test]
fn undefined_and_other_simple_values_rejected() {
    assert_eq!(
        decode("f7"),
        Err(CborError::SimpleValue {
            value: 23,
            offset: 0
        })
    );
    assert_eq!(
        decode("f820"),
        Err(CborError::SimpleValue {
            value: 32,
            offset: 0
        })
    );
}

#[test]
fn reserved_additional_information_rejected() {
    assert_eq!(decode("1c"), Err(CborError::Malformed { offset: 0 }));
    assert_eq!(decode("ff"), Err(CborError::Malformed { offset: 0 }));
}

// --- typed documents ---

#[test]
fn document_round_trip_accepted() {
    let doc = Doc {
        name: "NATO SECRET".into(),
        level: 3,
        note: None,
    };
    let bytes = to_vec(&doc).unwrap();
    assert_eq!(from_slice::<Doc>(&bytes).unwrap(), doc);
}

#[test]
fn unknown_field_rejected() {
    assert_unknown_field("extra");
}

/// A `Doc` with one more field, `extra`, is refused, naming it.
fn assert_unknown_field(extra: &str) {
    let value = Value::Map(vec![
        (Value::Text("name".into()), Value::Text("x".into())),
        (Value::Text("note".into()), Value::Null),
        (Value::Text(extra.into()), Value::Bool(true)),
        (Value::Text("level".into()), Value::Integer(1.into())),
    ]);
    let mut bytes = Vec::new();
    encode_value(&value, &mut bytes).unwrap();
    assert_eq!(
        from_slice::<Doc>(&bytes),
        Err(CborError::Document(DocumentError::UnknownField(
            extra.into()
        )))
    );
}

#[test]
fn field_names_not_ascii_still_checked_rejected() {
    // Field names go to serde as bytes only when they are ASCII; any other
    // name is checked as UTF-8 and, when valid, named in the error.
    let mut bytes = doc_map(Value::Text("x".into()), Value::Integer(1.into()));
    assert_eq!(&bytes[1..6], b"\x64name");
    bytes[2] = 0xff;
    assert_eq!(
        from_slice::<Doc>(&bytes),
        Err(CborError::InvalidUtf8 { offset: 1 })
    );
    assert_unknown_field("levél");
}

#[test]
fn missing_field_rejected() {
    let value = Value::Map(vec![
        (Value::Text("name".into()), Value::Text("x".into())),
        (Value::Text("note".into()), Value::Null),
    ]);
    let mut bytes = Vec::new();
    encode_value(&value, &mut bytes).unwrap();
    assert_eq!(
        from_slice::<Doc>(&bytes),
        Err(CborError::Document(DocumentError::MissingField("level")))
    );
}

#[test]
fn absent_optional_field_is_non_canonical_rejected() {
    // serde fills a missing Option with None, which re-encodes as an explicit
    // null: two byte forms of one document would mean two identities.
    let value = Value::Map(vec![
        (Value::Text("name".into()), Value::Text("x".into())),
        (Value::Text("level".into()), Value::Integer(1.into())),
    ]);
    let mut bytes = Vec::new();
    encode_value(&value, &mut bytes).unwrap();
    assert_eq!(
        from_slice::<Doc>(&bytes),
        Err(CborError::NonCanonicalDocument)
    );
}

/// A `Doc` with the given `name` and `level` and a null `note`, as a map.
fn doc_map(name: Value, level: Value) -> Vec<u8> {
    let value = Value::Map(vec![
        (Value::Text("name".into()), name),
        (Value::Text("note".into()), Value::Null),
        (Value::Text("level".into()), level),
    ]);
    let mut bytes = Vec::new();
    encode_value(&value, &mut bytes).unwrap();
    bytes
}

#[test]
fn wrong_type_rejected() {
    let bytes = doc_map(Value::Integer(5.into()), Value::Integer(1.into()));
    assert!(matches!(
        from_slice::<Doc>(&bytes),
        Err(CborError::Document(DocumentError::InvalidType { .. }))
    ));
}

#[test]
fn out_of_range_integer_rejected() {
    let bytes = doc_map(Value::Text("x".into()), Value::Integer(300.into()));
    assert!(matches!(
        from_slice::<Doc>(&bytes),
        Err(CborError::Document(_))
    ));
}

#[test]
fn broken_rule_after_a_type_mismatch_reported_first_rejected() {
    // The wrong type ("name": 5) comes first in the input; the integer
    // written in two bytes ("level") after it. Whatever the one pass meets
    // first, the broken rule is what the caller hears.
    let mut bytes = doc_map(Value::Integer(5.into()), Value::Integer(1.into()));
    assert_eq!(bytes.pop(), Some(0x01));
    let offset = bytes.len();
    bytes.extend_from_slice(&[0x18, 0x01]);
    assert_eq!(
        from_slice::<Doc>(&bytes),
        Err(CborError::NonShortestInteger { offset })
    );
}

/// The first key of a map, read by a visitor that leaves the other entries.
#[derive(Debug, PartialEq)]
struct FirstKey(String);

impl<'de> Deserialize<'de> for FirstKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = FirstKey;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<FirstKey, A::Error> {
                let key: Option<String> = map.next_key()?;
                key.map(FirstKey)
                    .ok_or_else(|| serde::de::Error::custom("empty map"))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

#[test]
fn entries_a_visitor_leaves_are_checked_rejected() {
    // The visitor reads the first key only; the entries it leaves are still
    // checked by the one pass, so the unsorted second key is refused there.
    let unsorted = [0xa2, 0x61, b'b', 0x01, 0x61, b'a', 0x02];
    assert_eq!(
        super::one_pass::<FirstKey>(&unsorted, Limits::DOCUMENT),
        Err(CborError::UnsortedKeys { offset: 4 })
    );
    let sorted = [0xa2, 0x61, b'a', 0x01, 0x61, b'b', 0x02];
    assert_eq!(
        super::one_pass::<FirstKey>(&sorted, Limits::DOCUMENT),
        Ok(FirstKey("a".into()))
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Effect {
    Permit,
    Forbid,
    Limited { until: u64 },
}

#[test]
fn enums_round_trip_accepted() {
    for e in [Effect::Permit, Effect::Forbid, Effect::Limited { until: 7 }] {
        let bytes = to_vec(&e).unwrap();
        assert_eq!(from_slice::<Effect>(&bytes).unwrap(), e);
    }
    assert_eq!(
        from_slice::<Effect>(&to_vec("Maybe").unwrap()),
        Err(CborError::Document(DocumentError::UnknownVariant(
            "Maybe".into()
        )))
    );
}

#[test]
fn identities_encode_as_byte_strings() {
    let id = crate::AuthorityId::from_spki_der(b"root");
    let bytes = to_vec(&id).unwrap();
    assert_eq!(bytes.len(), 34);
    assert_eq!(&bytes[..2], &[0x58, 0x20]);
    assert_eq!(from_slice::<crate::AuthorityId>(&bytes).unwrap(), id);
    let json = serde_json::to_string(&id).unwrap();
    assert_eq!(json, format!("\"{}\"", id));
}

// --- the direct serializer and deserializer ---

/// Fields declared out of canonical order: "zz" sorts after "id" and "a".
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Unordered {
    zz: Vec<u16>,
    id: String,
    a: Option<Effect>,
}

#[test]
fn struct_fields_written_in_canonical_order_accepted() {
    let value = Unordered {
        zz: vec![1, 500],
        id: "x".into(),
        a: Some(Effect::Limited { until: 3 }),
    };
    let bytes = to_vec(&value).unwrap();
    // {"a": {"Limited": {"until": 3}}, "id": "x", "zz": [1, 500]}
    assert_eq!(
        hex::encode(&bytes),
        "a36161a1674c696d69746564a165756e74696c036269646178627a7a82011901f4"
    );
    assert_eq!(from_slice::<Unordered>(&bytes).unwrap(), value);
    // The same bytes as going through a `Value`.
    let via_value = Value::serialized(&value).unwrap();
    let mut expected = Vec::new();
    encode_value(&via_value, &mut expected).unwrap();
    assert_eq!(bytes, expected);
}

/// A sequence that announces a length it does not deliver, or none.
struct Lying(Option<usize>, usize);

impl Serialize for Lying {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq as _;
        let mut seq = serializer.serialize_seq(self.0)?;
        for i in 0..self.1 {
            seq.serialize_element(&i)?;
        }
        seq.end()
    }
}

#[test]
fn sequence_head_counts_the_elements_written_accepted() {
    for announced in [None, Some(0), Some(2), Some(3), Some(300)] {
        let bytes = to_vec(&Lying(announced, 2)).unwrap();
        assert_eq!(hex::encode(&bytes), "820001", "announced {announced:?}");
    }
    let bytes = to_vec(&Lying(None, 24)).unwrap();
    assert_eq!(&bytes[..2], &[0x98, 24]);
    assert_eq!(from_slice::<Vec<u8>>(&bytes).unwrap().len(), 24);
}

/// A map that announces a length it does not deliver, or none, and writes
/// its keys out of order: "b" then "a".
struct LyingMap(Option<usize>);

impl Serialize for LyingMap {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(self.0)?;
        map.serialize_entry("b", &1u8)?;
        map.serialize_entry("a", &2u8)?;
        map.end()
    }
}

#[test]
fn map_head_counts_the_entries_written_after_sorting_accepted() {
    for announced in [None, Some(0), Some(2), Some(3), Some(300)] {
        let bytes = to_vec(&LyingMap(announced)).unwrap();
        // {"a": 2, "b": 1}
        assert_eq!(
            hex::encode(&bytes),
            "a2616102616201",
            "announced {announced:?}"
        );
    }
}

#[test]
fn integers_beyond_64_bits_refused_as_bignums_rejected() {
    assert_eq!(
        to_vec(&(u128::from(u64::MAX) + 1)),
        Err(CborError::Unencodable(Unencodable::Tag(2)))
    );
    assert_eq!(
        to_vec(&(-2i128 - i128::from(u64::MAX))),
        Err(CborError::Unencodable(Unencodable::Tag(3)))
    );
    // The extremes CBOR can hold are accepted.
    assert_eq!(
        hex::encode(to_vec(&u128::from(u64::MAX)).unwrap()),
        "1bffffffffffffffff"
    );
    let most_negative = -1i128 - i128::from(u64::MAX);
    let bytes = to_vec(&most_negative).unwrap();
    assert_eq!(hex::encode(&bytes), "3bffffffffffffffff");
    assert_eq!(from_slice::<i128>(&bytes).unwrap(), most_negative);
}

#[test]
fn tags_and_excess_depth_refused_by_the_encoder_rejected() {
    let mut out = Vec::new();
    assert_eq!(
        encode_value(&Value::Tag(5, Box::new(Value::Null)), &mut out),
        Err(CborError::Unencodable(Unencodable::Tag(5)))
    );
    let mut deep = Value::Null;
    for _ in 0..Limits::DOCUMENT.max_depth {
        deep = Value::Array(vec![deep]);
    }
    assert!(to_vec(&deep).is_ok());
    let deeper = Value::Array(vec![deep]);
    assert_eq!(
        to_vec(&deeper),
        Err(CborError::TooDeep {
            limit: Limits::DOCUMENT.max_depth
        })
    );
}

#[test]
fn mixed_key_types_refused_by_the_encoder_rejected() {
    let map = Value::Map(vec![
        (Value::Text("a".into()), Value::Null),
        (Value::Integer(1.into()), Value::Null),
    ]);
    assert_eq!(
        to_vec(&map),
        Err(CborError::Unencodable(Unencodable::MixedKeyTypes))
    );
}

#[test]
fn elements_a_type_leaves_unread_make_the_document_non_canonical_rejected() {
    // A pair given three elements: serde reads two; the third is skipped,
    // and the re-encoding (two elements) differs from the input.
    assert_eq!(
        from_slice::<(u8, u8)>(&[0x83, 1, 2, 3]),
        Err(CborError::NonCanonicalDocument)
    );
    assert_eq!(from_slice::<(u8, u8)>(&[0x82, 1, 2]), Ok((1, 2)));
}

#[test]
fn enum_shapes_rejected() {
    // A two-entry map cannot name a variant.
    let two = Value::Map(vec![
        (Value::Text("Forbid".into()), Value::Null),
        (Value::Text("Permit".into()), Value::Null),
    ]);
    // A one-entry map keyed by an integer cannot either.
    let int_key = Value::Map(vec![(Value::Integer(1.into()), Value::Null)]);
    for value in [two, int_key, Value::Integer(3.into())] {
        let mut bytes = Vec::new();
        encode_value(&value, &mut bytes).unwrap();
        assert!(
            matches!(
                from_slice::<Effect>(&bytes),
                Err(CborError::Document(DocumentError::InvalidType { .. }))
            ),
            "{value:?}"
        );
    }
    // A unit variant written as a map must carry null.
    let unit_with_content = Value::Map(vec![(Value::Text("Permit".into()), Value::Bool(true))]);
    let mut bytes = Vec::new();
    encode_value(&unit_with_content, &mut bytes).unwrap();
    assert!(matches!(
        from_slice::<Effect>(&bytes),
        Err(CborError::Document(DocumentError::InvalidType { .. }))
    ));
}

// --- properties ---

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<u64>().prop_map(|n| Value::Integer(n.into())),
        any::<i64>().prop_map(|n| Value::Integer(n.into())),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::Bytes),
        ".{0,20}".prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::btree_map(".{0,8}", inner, 0..8).prop_map(|m| {
                Value::Map(m.into_iter().map(|(k, v)| (Value::Text(k), v)).collect())
            }),
        ]
    })
}

proptest! {
    #[test]
    fn encoded_values_decode_and_re_encode_identically(value in arb_value()) {
        let mut bytes = Vec::new();
        encode_value(&value, &mut bytes).unwrap();
        let decoded = decode_value(&bytes, Limits::DOCUMENT).unwrap();
        let mut again = Vec::new();
        encode_value(&decoded, &mut again).unwrap();
        prop_assert_eq!(again, bytes);
    }

    /// The direct serializer writes what the `Value` encoding writes, and
    /// the direct deserializer reads back the same value.
    #[test]
    fn typed_path_agrees_with_the_value_path(value in arb_value()) {
        let mut via_value = Vec::new();
        encode_value(&value, &mut via_value).unwrap();
        prop_assert_eq!(to_vec(&value).unwrap(), via_value.clone());
        let decoded: Value = from_slice(&via_value).unwrap();
        prop_assert_eq!(decoded, decode_value(&via_value, Limits::DOCUMENT).unwrap());
    }

    /// On any input, typed decoding into `Value` accepts exactly what the
    /// strict reader accepts, with the same error.
    #[test]
    fn typed_decoding_accepts_exactly_what_the_reader_accepts(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let typed: Result<Value, CborError> = from_slice(&bytes);
        prop_assert_eq!(typed, decode_value(&bytes, Limits::DOCUMENT));
    }

    /// The one pass of typed decoding applies every rule itself, with the
    /// strict reader's error, on valid documents with one byte changed.
    #[test]
    fn one_pass_applies_every_rule_of_the_reader(value in arb_value(), at in any::<usize>(), byte in any::<u8>()) {
        let mut bytes = Vec::new();
        encode_value(&value, &mut bytes).unwrap();
        let len = bytes.len();
        if let Some(b) = bytes.get_mut(at % len) {
            *b = byte;
        }
        let one_pass = super::one_pass::<Value>(&bytes, Limits::DOCUMENT);
        prop_assert_eq!(one_pass, decode_value(&bytes, Limits::DOCUMENT));
    }

    /// The key order both the reader and the serializer use is the
    /// bytewise order of the encoded keys.
    #[test]
    fn key_order_is_bytewise_order(a in proptest::collection::vec(any::<u8>(), 0..6), b in proptest::collection::vec(any::<u8>(), 0..6)) {
        prop_assert_eq!(super::decode::compare(&a, &b), a.as_slice().cmp(b.as_slice()));
        prop_assert_eq!(super::decode::compare(&a, &a), core::cmp::Ordering::Equal);
    }

    #[test]
    fn whatever_decodes_re_encodes_to_the_same_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(value) = decode_value(&bytes, Limits::DOCUMENT) {
            let mut again = Vec::new();
            encode_value(&value, &mut again).unwrap();
            prop_assert_eq!(again, bytes);
        }
    }
}

// --- matching the re-encoding against the input ---

/// A struct whose fields are declared out of canonical order, with a field
/// left out when empty: both paths through the matcher.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct Shuffled {
    effect: String,
    actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    id: u64,
}

fn shuffled(note: Option<&str>) -> Shuffled {
    Shuffled {
        effect: "permit".into(),
        actions: vec!["read".into(), "annotate".into()],
        note: note.map(str::to_owned),
        id: 7,
    }
}

#[test]
fn fields_out_of_canonical_order_matched_accepted() {
    for note in [None, Some("n")] {
        let doc = shuffled(note);
        let bytes = to_vec(&doc).unwrap();
        assert!(super::encodes_to(&doc, &bytes));
        assert_eq!(from_slice::<Shuffled>(&bytes).unwrap(), doc);
    }
}

/// A field name of 24 bytes or more has a two-byte head, which the matcher
/// builds apart from the one-byte heads of shorter names.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LongNames {
    a_field_name_of_thirty_bytes_x: u64,
    b: u64,
    a_field_name_of_twenty_four: u64,
}

#[test]
fn long_field_names_matched_accepted() {
    let doc = LongNames {
        a_field_name_of_thirty_bytes_x: 1,
        b: 2,
        a_field_name_of_twenty_four: 3,
    };
    let bytes = to_vec(&doc).unwrap();
    assert!(bytes.windows(2).any(|w| w == [0x78, 30]));
    assert!(bytes.windows(2).any(|w| w == [0x78, 27]));
    assert!(super::encodes_to(&doc, &bytes));
    assert_eq!(from_slice::<LongNames>(&bytes).unwrap(), doc);
    // The same entries under a name one byte shorter do not match.
    let mut renamed = bytes.clone();
    let at = renamed.windows(2).position(|w| w == [0x78, 30]).unwrap();
    renamed[at + 1] = 29;
    renamed.remove(at + 2);
    assert!(!super::encodes_to(&doc, &renamed));
}

#[test]
fn explicit_null_for_a_field_left_out_when_empty_rejected() {
    let value = Value::Map(vec![
        (Value::Text("id".into()), Value::Integer(7.into())),
        (Value::Text("note".into()), Value::Null),
        (Value::Text("effect".into()), Value::Text("permit".into())),
        (
            Value::Text("actions".into()),
            Value::Array(vec![
                Value::Text("read".into()),
                Value::Text("annotate".into()),
            ]),
        ),
    ]);
    let mut bytes = Vec::new();
    encode_value(&value, &mut bytes).unwrap();
    assert!(!super::encodes_to(&shuffled(None), &bytes));
    assert_eq!(
        from_slice::<Shuffled>(&bytes),
        Err(CborError::NonCanonicalDocument)
    );
}

#[test]
fn matcher_refuses_what_differs_from_the_input_rejected() {
    let bytes = to_vec(&shuffled(Some("n"))).unwrap();
    let mut other = shuffled(Some("n"));
    other.actions.pop();
    assert!(!super::encodes_to(&other, &bytes));
    assert!(!super::encodes_to(&shuffled(None), &bytes));
    assert!(!super::encodes_to(&shuffled(Some("m")), &bytes));
    // Trailing input, and input cut short.
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(!super::encodes_to(&shuffled(Some("n")), &longer));
    assert!(!super::encodes_to(
        &shuffled(Some("n")),
        &bytes[..bytes.len() - 1]
    ));
}

/// Values one small change away from `value`, some encoding the same
/// (map entries in another order), most not.
fn near_misses(value: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    match value {
        Value::Integer(n) => {
            let n = i128::from(*n);
            out.push(Value::Integer((n ^ 1).try_into().unwrap_or(0.into())));
        }
        Value::Text(t) => out.push(Value::Text(format!("{t}x"))),
        Value::Bytes(b) => out.push(Value::Text(String::from_utf8_lossy(b).into_owned())),
        Value::Bool(b) => out.push(Value::Bool(!b)),
        Value::Null => out.push(Value::Array(vec![])),
        Value::Array(items) => {
            out.push(Value::Array(items.iter().skip(1).cloned().collect()));
            let mut longer = items.clone();
            longer.push(Value::Null);
            out.push(Value::Array(longer));
            for (i, item) in items.iter().enumerate() {
                for changed in near_misses(item) {
                    let mut items = items.clone();
                    items[i] = changed;
                    out.push(Value::Array(items));
                }
            }
        }
        Value::Map(entries) => {
            out.push(Value::Map(entries.iter().rev().cloned().collect()));
            out.push(Value::Map(entries.iter().skip(1).cloned().collect()));
            if let Some(first) = entries.first() {
                let mut twice = entries.clone();
                twice.push(first.clone());
                out.push(Value::Map(twice));
                let mut renamed = entries.clone();
                renamed[0].0 = Value::Text("\u{10ffff}".into());
                out.push(Value::Map(renamed));
            }
            for (i, (_, item)) in entries.iter().enumerate() {
                for changed in near_misses(item) {
                    let mut entries = entries.clone();
                    entries[i].1 = changed;
                    out.push(Value::Map(entries));
                }
            }
        }
        _ => {}
    }
    out
}

proptest! {
    /// The matcher's verdict is the writer's: a value matches the input
    /// exactly when it encodes to it, for values one change away.
    #[test]
    fn matcher_agrees_with_writing_and_comparing(value in arb_value()) {
        let bytes = to_vec(&value).unwrap();
        prop_assert!(super::encodes_to(&value, &bytes));
        for other in near_misses(&value).iter().take(256) {
            let written = to_vec(other);
            prop_assert_eq!(
                super::encodes_to(other, &bytes),
                written.as_deref() == Ok(bytes.as_slice()),
                "{:?} against {:?}", other, value
            );
        }
    }
}
