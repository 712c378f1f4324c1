//! A serde deserializer from a decoded [`Value`] with typed errors, so that an
//! unknown field in a signed document is a [`DocumentError::UnknownField`]
//! a caller can match on, not a message.

use core::fmt;

use ciborium::Value;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

/// Why well-formed CBOR does not match a document type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// A map key the document type does not define.
    #[error("unknown field `{0}`")]
    UnknownField(String),
    /// A field the document type requires is absent.
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    /// A field appears twice (after renaming).
    #[error("duplicate field `{0}`")]
    DuplicateField(&'static str),
    /// An enum variant the document type does not define.
    #[error("unknown variant `{0}`")]
    UnknownVariant(String),
    /// A value of the wrong CBOR type.
    #[error("expected {expected}, found {found}")]
    InvalidType {
        /// What the document type expects.
        expected: String,
        /// What the input holds.
        found: &'static str,
    },
    /// An array or map of the wrong length.
    #[error("expected {expected}, found {found} elements")]
    InvalidLength {
        /// What the document type expects.
        expected: String,
        /// How many elements the input holds.
        found: usize,
    },
    /// A value the document type's own validation refused.
    #[error("invalid value: {0}")]
    InvalidValue(String),
}

impl de::Error for DocumentError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::InvalidValue(msg.to_string())
    }
    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::InvalidType {
            expected: exp.to_string(),
            found: unexpected_name(&unexp),
        }
    }
    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Self::InvalidLength {
            expected: exp.to_string(),
            found: len,
        }
    }
    fn unknown_variant(variant: &str, _expected: &'static [&'static str]) -> Self {
        Self::UnknownVariant(variant.to_owned())
    }
    fn unknown_field(field: &str, _expected: &'static [&'static str]) -> Self {
        Self::UnknownField(field.to_owned())
    }
    fn missing_field(field: &'static str) -> Self {
        Self::MissingField(field)
    }
    fn duplicate_field(field: &'static str) -> Self {
        Self::DuplicateField(field)
    }
}

fn unexpected_name(unexp: &de::Unexpected<'_>) -> &'static str {
    use de::Unexpected as U;
    match unexp {
        U::Bool(_) => "a boolean",
        U::Unsigned(_) | U::Signed(_) => "an integer",
        U::Float(_) => "a float",
        U::Char(_) | U::Str(_) => "a text string",
        U::Bytes(_) => "a byte string",
        U::Unit | U::Option => "null",
        U::Seq => "an array",
        U::Map => "a map",
        _ => "another value",
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Integer(_) => "an integer",
        Value::Bytes(_) => "a byte string",
        Value::Text(_) => "a text string",
        Value::Array(_) => "an array",
        Value::Map(_) => "a map",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
        _ => "another value",
    }
}

/// Deserializes `T` from a strictly decoded value.
pub(super) fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, DocumentError> {
    T::deserialize(ValueDeserializer(value))
}

struct ValueDeserializer<'a>(&'a Value);

impl ValueDeserializer<'_> {
    fn mismatch(&self, expected: &str) -> DocumentError {
        DocumentError::InvalidType {
            expected: expected.to_owned(),
            found: kind(self.0),
        }
    }
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'de> {
    type Error = DocumentError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Integer(int) => {
                let n = i128::from(*int);
                if let Ok(u) = u64::try_from(n) {
                    visitor.visit_u64(u)
                } else if let Ok(i) = i64::try_from(n) {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_i128(n)
                }
            }
            Value::Bytes(bytes) => visitor.visit_borrowed_bytes(bytes),
            Value::Text(text) => visitor.visit_borrowed_str(text),
            Value::Array(items) => visitor.visit_seq(SeqAccess(items.iter())),
            Value::Map(entries) => visitor.visit_map(MapAccess {
                entries: entries.iter(),
                value: None,
            }),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Null => visitor.visit_unit(),
            _ => Err(self.mismatch("a value entente encodes")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            // A unit variant is its name.
            Value::Text(name) => visitor.visit_enum(name.as_str().into_deserializer()),
            // Any other variant is a one-entry map from its name to its content.
            Value::Map(entries) => match entries.as_slice() {
                [(Value::Text(name), content)] => visitor.visit_enum(EnumAccess { name, content }),
                _ => Err(self.mismatch("a one-entry map naming an enum variant")),
            },
            _ => Err(self.mismatch("an enum variant")),
        }
    }

    fn is_human_readable(&self) -> bool {
        false
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

struct SeqAccess<'a>(core::slice::Iter<'a, Value>);

impl<'de> de::SeqAccess<'de> for SeqAccess<'de> {
    type Error = DocumentError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.0
            .next()
            .map(|v| seed.deserialize(ValueDeserializer(v)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct MapAccess<'a> {
    entries: core::slice::Iter<'a, (Value, Value)>,
    value: Option<&'a Value>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'de> {
    type Error = DocumentError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        match self.entries.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(ValueDeserializer(key)).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let value = self.value.take().ok_or_else(|| {
            DocumentError::InvalidValue("map value requested before its key".into())
        })?;
        seed.deserialize(ValueDeserializer(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct EnumAccess<'a> {
    name: &'a str,
    content: &'a Value,
}

impl<'de> de::EnumAccess<'de> for EnumAccess<'de> {
    type Error = DocumentError;
    type Variant = ValueDeserializer<'de>;

    fn variant_seed<V: de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Self::Error> {
        let variant = seed.deserialize(self.name.into_deserializer())?;
        Ok((variant, ValueDeserializer(self.content)))
    }
}

impl<'de> de::VariantAccess<'de> for ValueDeserializer<'de> {
    type Error = DocumentError;

    fn unit_variant(self) -> Result<(), Self::Error> {
        match self.0 {
            Value::Null => Ok(()),
            _ => Err(self.mismatch("null for a unit variant")),
        }
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, Self::Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}
