//! A serde deserializer reading CBOR bytes directly (no intermediate value
//! tree), with typed errors, so that an unknown field in a signed document
//! is a [`DocumentError::UnknownField`] a caller can match on, not a
//! message.
//!
//! It applies the strict reader's rules as it goes, item by item, and
//! borrows strings and byte strings from the input, so accepting a document
//! is one pass over it. Its errors are not ordered like the strict reader's
//! (a field of the wrong type can come before malformed bytes); the caller
//! restores that order (see [`super::from_slice_with_limits`]).

use core::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use super::decode::{Head, KeyOrder, Reader};
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

/// Why deserializing failed: the input broke a rule of the encoding, or
/// does not match the document type.
#[derive(Debug)]
pub(super) enum Error {
    /// A rule of the deterministic encoding.
    Cbor(CborError),
    /// The document type.
    Document(DocumentError),
}

impl From<CborError> for Error {
    fn from(error: CborError) -> Self {
        Self::Cbor(error)
    }
}

impl From<Error> for CborError {
    fn from(error: Error) -> Self {
        match error {
            Error::Cbor(error) => error,
            Error::Document(error) => Self::Document(error),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cbor(error) => error.fmt(f),
            Self::Document(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::Document(DocumentError::custom(msg))
    }
    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::Document(DocumentError::invalid_type(unexp, exp))
    }
    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Self::Document(DocumentError::invalid_length(len, exp))
    }
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::Document(DocumentError::unknown_variant(variant, expected))
    }
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self::Document(DocumentError::unknown_field(field, expected))
    }
    fn missing_field(field: &'static str) -> Self {
        Self::Document(DocumentError::missing_field(field))
    }
    fn duplicate_field(field: &'static str) -> Self {
        Self::Document(DocumentError::duplicate_field(field))
    }
}

/// Deserializes `T` from the whole of `bytes` under `limits`, checking the
/// encoding rules as it reads.
pub(super) fn from_slice<T: DeserializeOwned>(bytes: &[u8], limits: Limits) -> Result<T, Error> {
    if bytes.len() > limits.max_size {
        return Err(Error::Cbor(CborError::TooLarge {
            size: bytes.len(),
            limit: limits.max_size,
        }));
    }
    let mut decoder = Decoder {
        reader: Reader::new(bytes, limits.max_depth),
        depth: 0,
    };
    let value = T::deserialize(&mut decoder)?;
    let end = decoder.reader.pos();
    if end != bytes.len() {
        return Err(Error::Cbor(CborError::TrailingBytes { offset: end }));
    }
    Ok(value)
}

/// The reader and the nesting of the item it is at.
struct Decoder<'de> {
    reader: Reader<'de>,
    depth: usize,
}

impl<'de> Decoder<'de> {
    /// The head of the next item, without consuming it.
    fn peek_head(&self) -> Result<Head, Error> {
        Ok(self.reader.clone().head()?)
    }

    fn mismatch(head: &Head, expected: &str) -> Error {
        Error::Document(DocumentError::InvalidType {
            expected: expected.to_owned(),
            found: kind(head),
        })
    }

    /// Runs `inside` one nesting level deeper.
    fn nested<R>(
        &mut self,
        inside: impl FnOnce(&mut Self) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let outer = self.depth;
        self.depth = self.reader.descend(outer)?;
        let result = inside(self);
        self.depth = outer;
        result
    }

    fn skip(&mut self) -> Result<(), Error> {
        Ok(self.reader.skip(self.depth)?)
    }
}

impl<'de> de::Deserializer<'de> for &mut Decoder<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let head = self.reader.head()?;
        match head.major {
            0 => visitor.visit_u64(head.argument),
            1 => {
                let n = -1i128 - i128::from(head.argument);
                match i64::try_from(n) {
                    Ok(i) => visitor.visit_i64(i),
                    Err(_) => visitor.visit_i128(n),
                }
            }
            2 => visitor.visit_borrowed_bytes(self.reader.take(head.len())?),
            3 => visitor.visit_borrowed_str(self.reader.text(&head)?),
            4 => self.nested(|decoder| {
                let mut access = SeqAccess {
                    left: head.len(),
                    decoder,
                };
                let value = visitor.visit_seq(&mut access)?;
                // Elements the visitor left are checked and skipped; the
                // canonical re-encoding then refuses the document.
                for _ in 0..access.left {
                    access.decoder.skip()?;
                }
                Ok(value)
            }),
            5 => self.nested(|decoder| {
                let mut access = MapAccess {
                    left: head.len(),
                    value_pending: false,
                    order: KeyOrder::default(),
                    decoder,
                };
                let value = visitor.visit_map(&mut access)?;
                access.skip_rest()?;
                Ok(value)
            }),
            _ => match head.info {
                20 => visitor.visit_bool(false),
                21 => visitor.visit_bool(true),
                _ => visitor.visit_unit(),
            },
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.reader.peek()? == NULL {
            self.reader.head()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let head = self.peek_head()?;
        match (head.major, head.argument) {
            // A unit variant is its name.
            (3, _) => {
                let head = self.reader.head()?;
                let name = self.reader.text(&head)?;
                let name: de::value::StrDeserializer<'_, Error> = name.into_deserializer();
                visitor.visit_enum(name)
            }
            // Any other variant is a one-entry map from its name to its content.
            (5, 1) => {
                self.reader.head()?;
                self.nested(|decoder| {
                    let key = decoder.peek_head()?;
                    if key.major != 3 {
                        return Err(Decoder::mismatch(
                            &head,
                            "a one-entry map naming an enum variant",
                        ));
                    }
                    let key = decoder.reader.head()?;
                    let name = decoder.reader.text(&key)?;
                    visitor.visit_enum(EnumAccess { name, decoder })
                })
            }
            (5, _) => Err(Decoder::mismatch(
                &head,
                "a one-entry map naming an enum variant",
            )),
            _ => Err(Decoder::mismatch(&head, "an enum variant")),
        }
    }

    /// A field or variant name. An ASCII name goes to the visitor as bytes,
    /// which derived identifiers accept like text: checking for ASCII is
    /// cheaper than a UTF-8 check of a few bytes, and proves the same.
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut reader = self.reader.clone();
        let head = reader.head()?;
        if head.major == 3 {
            let raw = reader.take(head.len())?;
            if raw.is_ascii() {
                self.reader = reader;
                return visitor.visit_borrowed_bytes(raw);
            }
        }
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn is_human_readable(&self) -> bool {
        false
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct ignored_any
    }
}

struct SeqAccess<'a, 'de> {
    decoder: &'a mut Decoder<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
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
    /// The key before, for the order check.
    order: KeyOrder,
}

impl MapAccess<'_, '_> {
    /// Checks and skips the value whose key was read, if any.
    fn skip_pending(&mut self) -> Result<(), Error> {
        if self.value_pending {
            self.decoder.skip()?;
            self.value_pending = false;
        }
        Ok(())
    }

    /// Checks and skips the entries the visitor left.
    fn skip_rest(&mut self) -> Result<(), Error> {
        self.skip_pending()?;
        while self.left > 0 {
            self.left -= 1;
            let start = self.decoder.reader.pos();
            self.decoder.skip()?;
            self.decoder.reader.check_key(&mut self.order, start)?;
            self.decoder.skip()?;
        }
        Ok(())
    }
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        self.skip_pending()?;
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let start = self.decoder.reader.pos();
        let key = seed.deserialize(&mut *self.decoder)?;
        self.decoder.reader.check_key(&mut self.order, start)?;
        self.value_pending = true;
        Ok(Some(key))
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        if !self.value_pending {
            return Err(Error::Document(DocumentError::InvalidValue(
                "map value requested before its key".into(),
            )));
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
    type Error = Error;
    type Variant = &'a mut Decoder<'de>;

    fn variant_seed<V: de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Error> {
        let name: de::value::StrDeserializer<'_, Error> = self.name.into_deserializer();
        let variant = seed.deserialize(name)?;
        Ok((variant, self.decoder))
    }
}

impl<'de> de::VariantAccess<'de> for &mut Decoder<'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        let head = self.reader.head()?;
        if head.major == 7 && head.info == 22 {
            Ok(())
        } else {
            Err(Decoder::mismatch(&head, "null for a unit variant"))
        }
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}
