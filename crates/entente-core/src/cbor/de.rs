//! A serde deserializer reading strictly checked CBOR bytes directly (no
//! intermediate value tree), with typed errors, so that an unknown field in
//! a signed document is a [`DocumentError::UnknownField`] a caller can match
//! on, not a message.
//!
//! It runs only on input the strict reader has already accepted whole (see
//! [`from_validated`]), so it never meets malformed or non-canonical CBOR;
//! it borrows strings and byte strings from the input.

use core::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use super::decode::{Head, Reader};
use super::{CborError, Limits};

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

/// What a data item is, for error messages.
fn kind(head: &Head) -> &'static str {
    match (head.major, head.info) {
        (0 | 1, _) => "an integer",
        (2, _) => "a byte string",
        (3, _) => "a text string",
        (4, _) => "an array",
        (5, _) => "a map",
        (7, 20 | 21) => "a boolean",
        (7, 22) => "null",
        _ => "another value",
    }
}

/// The initial byte of `null`.
const NULL: u8 = 0xf6;

/// Deserializes `T` from `bytes`, which [`super::decode::validate`] accepted
/// under `limits`.
pub(super) fn from_validated<T: DeserializeOwned>(
    bytes: &[u8],
    limits: Limits,
) -> Result<T, DocumentError> {
    let mut decoder = Decoder(Reader::new(bytes, limits.max_depth));
    T::deserialize(&mut decoder)
}

/// Reading errors cannot occur on validated input; should one, it is
/// reported rather than trusted.
fn unreadable(error: CborError) -> DocumentError {
    DocumentError::InvalidValue(format!("unreadable input: {error}"))
}

struct Decoder<'de>(Reader<'de>);

impl<'de> Decoder<'de> {
    fn head(&mut self) -> Result<Head, DocumentError> {
        self.0.head().map_err(unreadable)
    }

    /// The head of the next item, without consuming it.
    fn peek_head(&mut self) -> Result<Head, DocumentError> {
        let mut ahead = Reader::new(self.0.rest(), 0);
        ahead.head().map_err(unreadable)
    }

    fn mismatch(head: &Head, expected: &str) -> DocumentError {
        DocumentError::InvalidType {
            expected: expected.to_owned(),
            found: kind(head),
        }
    }

    fn length(head: &Head) -> Result<usize, DocumentError> {
        head.argument
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| Self::mismatch(head, "a definite length"))
    }

    fn slice(&mut self, head: &Head) -> Result<&'de [u8], DocumentError> {
        let len = Self::length(head)?;
        self.0.take(len).map_err(unreadable)
    }

    fn text(&mut self, head: &Head) -> Result<&'de str, DocumentError> {
        let raw = self.slice(head)?;
        core::str::from_utf8(raw)
            .map_err(|_| unreadable(CborError::InvalidUtf8 { offset: head.start }))
    }

    fn skip(&mut self, items: usize) -> Result<(), DocumentError> {
        for _ in 0..items {
            self.0.skip().map_err(unreadable)?;
        }
        Ok(())
    }
}

impl<'de> de::Deserializer<'de> for &mut Decoder<'de> {
    type Error = DocumentError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        let head = self.head()?;
        match (head.major, head.argument) {
            (0, Some(n)) => visitor.visit_u64(n),
            (1, Some(n)) => {
                let n = -1i128 - i128::from(n);
                match i64::try_from(n) {
                    Ok(i) => visitor.visit_i64(i),
                    Err(_) => visitor.visit_i128(n),
                }
            }
            (2, _) => visitor.visit_borrowed_bytes(self.slice(&head)?),
            (3, _) => visitor.visit_borrowed_str(self.text(&head)?),
            (4, _) => {
                let mut access = SeqAccess {
                    left: Decoder::length(&head)?,
                    decoder: &mut *self,
                };
                let value = visitor.visit_seq(&mut access)?;
                // Elements the visitor left are skipped; the canonical
                // re-encoding then refuses the document.
                let left = access.left;
                self.skip(left)?;
                Ok(value)
            }
            (5, _) => {
                let mut access = MapAccess {
                    left: Decoder::length(&head)?,
                    value_pending: false,
                    decoder: &mut *self,
                };
                let value = visitor.visit_map(&mut access)?;
                let left = access.left * 2 + usize::from(access.value_pending);
                self.skip(left)?;
                Ok(value)
            }
            (7, _) if head.info == 20 => visitor.visit_bool(false),
            (7, _) if head.info == 21 => visitor.visit_bool(true),
            (7, _) if head.info == 22 => visitor.visit_unit(),
            _ => Err(Decoder::mismatch(&head, "a value entente encodes")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.0.peek().map_err(unreadable)? == NULL {
            self.head()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
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
        let head = self.peek_head()?;
        match (head.major, head.argument) {
            // A unit variant is its name.
            (3, _) => {
                let head = self.head()?;
                let name = self.text(&head)?;
                visitor.visit_enum(name.into_deserializer())
            }
            // Any other variant is a one-entry map from its name to its content.
            (5, Some(1)) => {
                self.head()?;
                let key = self.peek_head()?;
                if key.major != 3 {
                    return Err(Decoder::mismatch(
                        &head,
                        "a one-entry map naming an enum variant",
                    ));
                }
                let key = self.head()?;
                let name = self.text(&key)?;
                visitor.visit_enum(EnumAccess {
                    name,
                    decoder: self,
                })
            }
            (5, _) => Err(Decoder::mismatch(
                &head,
                "a one-entry map naming an enum variant",
            )),
            _ => Err(Decoder::mismatch(&head, "an enum variant")),
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

struct SeqAccess<'a, 'de> {
    decoder: &'a mut Decoder<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, 'de> {
    type Error = DocumentError;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.decoder).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

struct MapAccess<'a, 'de> {
    decoder: &'a mut Decoder<'de>,
    /// Entries whose key has not been read.
    left: usize,
    /// A key was read and its value not yet.
    value_pending: bool,
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, 'de> {
    type Error = DocumentError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        if self.value_pending {
            self.decoder.skip(1)?;
            self.value_pending = false;
        }
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        self.value_pending = true;
        seed.deserialize(&mut *self.decoder).map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        if !self.value_pending {
            return Err(DocumentError::InvalidValue(
                "map value requested before its key".into(),
            ));
        }
        self.value_pending = false;
        seed.deserialize(&mut *self.decoder)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

struct EnumAccess<'a, 'de> {
    name: &'de str,
    decoder: &'a mut Decoder<'de>,
}

impl<'a, 'de> de::EnumAccess<'de> for EnumAccess<'a, 'de> {
    type Error = DocumentError;
    type Variant = &'a mut Decoder<'de>;

    fn variant_seed<V: de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Self::Error> {
        let variant = seed.deserialize(self.name.into_deserializer())?;
        Ok((variant, self.decoder))
    }
}

impl<'de> de::VariantAccess<'de> for &mut Decoder<'de> {
    type Error = DocumentError;

    fn unit_variant(self) -> Result<(), Self::Error> {
        let head = self.head()?;
        if head.major == 7 && head.info == 22 {
            Ok(())
        } else {
            Err(Decoder::mismatch(&head, "null for a unit variant"))
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
