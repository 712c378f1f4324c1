//! The deterministic encoder: a serde [`Serializer`](ser::Serializer) that
//! writes the one canonical byte form directly, with no intermediate value
//! tree.
//!
//! Its data model is ciborium's `Value` serializer, so a type encodes the
//! same way whether it is serialized directly or through a `Value`: structs
//! and maps are maps, sequences and tuples arrays, `None` and `()` null, a
//! unit variant its name, any other variant a one-entry map from its name to
//! its content. Map entries are written in the serializer's order and
//! sorted by their encoded keys when the map ends; a map with two equal
//! keys or keys of different types, a float, a tag, an integer outside the
//! CBOR range, or nesting deeper than [`Limits::DOCUMENT`](super::Limits)
//! allows is refused, since the strict decoder would refuse the result.

use core::fmt;

use serde::Serialize;
use serde::ser;

use super::decode::compare;
use super::encode::{descend, head, head_bytes, len_arg};
use super::{CborError, Unencodable, key_class};

/// Tag of a positive bignum, which ciborium produces for a `u128` or `i128`
/// beyond 64 bits (RFC 8949 §3.4.3).
const BIGNUM_POSITIVE: u64 = 2;
/// Tag of a negative bignum.
const BIGNUM_NEGATIVE: u64 = 3;
/// The names by which ciborium serializes a tagged value.
const TAG_NAME: &str = "@@TAG@@";
const TAGGED_VARIANT: &str = "@@TAGGED@@";
const UNTAGGED_VARIANT: &str = "@@UNTAGGED@@";

/// Appends the deterministic encoding of `value` to `out`. On error `out`
/// may hold part of the encoding; callers discard it.
pub(super) fn encode_into<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), CborError> {
    let mut sink = Sink {
        out: core::mem::take(out),
        entries: Vec::new(),
        scratch: Vec::new(),
    };
    let result = value.serialize(Encoder {
        sink: &mut sink,
        depth: 0,
    });
    *out = sink.out;
    result.map_err(|Error(e)| e)
}

/// What one encoding writes to, shared by every nested value: the output,
/// and the working space of the maps being written, so that a map costs no
/// allocation of its own.
struct Sink {
    out: Vec<u8>,
    /// The entries of the maps being written, innermost last, each as (key
    /// start, key end, value end), offsets in `out`.
    entries: Vec<(usize, usize, usize)>,
    /// Where a map's entries wait while they are put in order.
    scratch: Vec<u8>,
}

/// The serializer's error: a [`CborError`], with the `serde` trait.
#[derive(Debug)]
pub(super) struct Error(CborError);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(CborError::Serialize(msg.to_string()))
    }
}

fn refuse(what: Unencodable) -> Error {
    Error(CborError::Unencodable(what))
}

/// Writes one value at nesting `depth` (the arrays and maps around it).
struct Encoder<'a> {
    sink: &'a mut Sink,
    depth: usize,
}

impl<'a> Encoder<'a> {
    fn text(&mut self, text: &str) {
        head(&mut self.sink.out, 3, len_arg(text.len()));
        self.sink.out.extend_from_slice(text.as_bytes());
    }

    fn integer(&mut self, n: i128) -> Result<(), Error> {
        if let Ok(n) = u64::try_from(n) {
            head(&mut self.sink.out, 0, n);
        } else if let Ok(n) = u64::try_from(-1 - n) {
            head(&mut self.sink.out, 1, n);
        } else {
            let tag = if n < 0 {
                BIGNUM_NEGATIVE
            } else {
                BIGNUM_POSITIVE
            };
            return Err(refuse(Unencodable::Tag(tag)));
        }
        Ok(())
    }

    /// Opens the one-entry map `{variant: …}` of a non-unit enum variant
    /// and returns the depth inside it.
    fn variant(&mut self, variant: &str) -> Result<usize, Error> {
        let depth = descend(self.depth).map_err(Error)?;
        head(&mut self.sink.out, 5, 1);
        self.text(variant);
        Ok(depth)
    }

    /// Opens an array or map (major type `major`) one level deeper, with
    /// its head written for `len` items when the length is announced.
    fn open(self, major: u8, len: Option<usize>) -> Result<Container<'a>, Error> {
        let depth = descend(self.depth).map_err(Error)?;
        let start = self.sink.out.len();
        if let Some(len) = len {
            head(&mut self.sink.out, major, len_arg(len));
        }
        Ok(Container {
            announced: len,
            head_len: self.sink.out.len() - start,
            sink: self.sink,
            depth,
            start,
        })
    }

    fn array(self, len: Option<usize>) -> Result<Array<'a>, Error> {
        Ok(Array {
            container: self.open(4, len)?,
            count: 0,
        })
    }

    fn map(self, len: Option<usize>) -> Result<Map<'a>, Error> {
        let container = self.open(5, len)?;
        Ok(Map {
            first_entry: container.sink.entries.len(),
            container,
            key: None,
        })
    }
}

/// An array or map being written: the output, the depth inside it, and
/// the head written at `start` (empty when the length was not announced).
struct Container<'a> {
    sink: &'a mut Sink,
    /// The length its head was written for, if any.
    announced: Option<usize>,
    depth: usize,
    start: usize,
    head_len: usize,
}

impl Container<'_> {
    /// The encoder of one item inside.
    fn encoder(&mut self) -> Encoder<'_> {
        Encoder {
            sink: self.sink,
            depth: self.depth,
        }
    }

    /// Where the items start in the output.
    fn body_start(&self) -> usize {
        self.start + self.head_len
    }

    /// Puts the head for `count` items (major type `major`) in place of
    /// the one written, unless it is the same.
    fn set_head(&mut self, major: u8, count: usize) {
        if self.announced == Some(count) {
            return;
        }
        let (bytes, len) = head_bytes(major, len_arg(count));
        let correct = bytes.get(..len).unwrap_or_default();
        let written = self.start..self.body_start();
        if self.sink.out.get(written.clone()) != Some(correct) {
            self.sink.out.splice(written, correct.iter().copied());
            self.head_len = len;
        }
    }
}

impl<'a> ser::Serializer for Encoder<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Array<'a>;
    type SerializeTuple = Array<'a>;
    type SerializeTupleStruct = Array<'a>;
    type SerializeTupleVariant = TupleVariant<'a>;
    type SerializeMap = Map<'a>;
    type SerializeStruct = Map<'a>;
    type SerializeStructVariant = Map<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.sink.out.push(if v { 0xf5 } else { 0xf4 });
        Ok(())
    }
    fn serialize_i8(mut self, v: i8) -> Result<(), Error> {
        self.integer(v.into())
    }
    fn serialize_i16(mut self, v: i16) -> Result<(), Error> {
        self.integer(v.into())
    }
    fn serialize_i32(mut self, v: i32) -> Result<(), Error> {
        self.integer(v.into())
    }
    fn serialize_i64(mut self, v: i64) -> Result<(), Error> {
        self.integer(v.into())
    }
    fn serialize_i128(mut self, v: i128) -> Result<(), Error> {
        self.integer(v)
    }
    fn serialize_u8(mut self, v: u8) -> Result<(), Error> {
        self.integer(v.into())
    }
    fn serialize_u16(mut self, v: u16) -> Result<(), Error> {
        self.integer(v.into())
    }
    fn serialize_u32(mut self, v: u32) -> Result<(), Error> {
        self.integer(v.into())
    }
    fn serialize_u64(mut self, v: u64) -> Result<(), Error> {
        self.integer(v.into())
    }
    fn serialize_u128(mut self, v: u128) -> Result<(), Error> {
        match i128::try_from(v) {
            Ok(v) => self.integer(v),
            Err(_) => Err(refuse(Unencodable::Tag(BIGNUM_POSITIVE))),
        }
    }
    fn serialize_f32(self, _: f32) -> Result<(), Error> {
        Err(refuse(Unencodable::Float))
    }
    fn serialize_f64(self, _: f64) -> Result<(), Error> {
        Err(refuse(Unencodable::Float))
    }
    fn serialize_char(mut self, v: char) -> Result<(), Error> {
        self.text(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(mut self, v: &str) -> Result<(), Error> {
        self.text(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        head(&mut self.sink.out, 2, len_arg(v.len()));
        self.sink.out.extend_from_slice(v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.sink.out.push(0xf6);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if (name, variant) == (TAG_NAME, UNTAGGED_VARIANT) {
            return value.serialize(self);
        }
        let depth = self.variant(variant)?;
        value.serialize(Encoder {
            sink: self.sink,
            depth,
        })
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Array<'a>, Error> {
        self.array(len)
    }
    fn serialize_tuple(self, len: usize) -> Result<Array<'a>, Error> {
        self.array(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Array<'a>, Error> {
        self.array(Some(len))
    }
    fn serialize_tuple_variant(
        mut self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<TupleVariant<'a>, Error> {
        if (name, variant) == (TAG_NAME, TAGGED_VARIANT) {
            return Ok(TupleVariant::Tagged);
        }
        let depth = self.variant(variant)?;
        Encoder {
            sink: self.sink,
            depth,
        }
        .array(Some(len))
        .map(TupleVariant::Array)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map<'a>, Error> {
        self.map(len)
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Map<'a>, Error> {
        self.map(Some(len))
    }
    fn serialize_struct_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Map<'a>, Error> {
        let depth = self.variant(variant)?;
        Encoder {
            sink: self.sink,
            depth,
        }
        .map(Some(len))
    }

    fn is_human_readable(&self) -> bool {
        false
    }
}

/// An array being written. Its head is written first when the length is
/// announced, and put in place at the end when it was not (or was wrong).
pub(super) struct Array<'a> {
    container: Container<'a>,
    count: usize,
}

impl Array<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.count += 1;
        value.serialize(self.container.encoder())
    }

    fn finish(mut self) -> Result<(), Error> {
        self.container.set_head(4, self.count);
        Ok(())
    }
}

/// The serde traits an [`Array`] implements differ only in names.
macro_rules! array_impl {
    ($trait:ident, $method:ident) => {
        impl ser::$trait for Array<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    };
}

array_impl!(SerializeSeq, serialize_element);
array_impl!(SerializeTuple, serialize_element);
array_impl!(SerializeTupleStruct, serialize_field);

/// A tuple variant: an array inside its one-entry map, or ciborium's
/// encoding of a tagged value, which entente refuses.
pub(super) enum TupleVariant<'a> {
    /// `{variant: [...]}`.
    Array(Array<'a>),
    /// A ciborium tag: refused at its first field, the tag number.
    Tagged,
}

impl ser::SerializeTupleVariant for TupleVariant<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        match self {
            Self::Array(array) => array.element(value),
            Self::Tagged => {
                let mut scratch = Vec::new();
                encode_into(value, &mut scratch).map_err(Error)?;
                let tag = match super::decode_value(&scratch, super::Limits::DOCUMENT) {
                    Ok(ciborium::Value::Integer(tag)) => u64::try_from(tag).ok(),
                    _ => None,
                };
                Err(tag.map_or_else(
                    || Error(CborError::Serialize("malformed tagged value".into())),
                    |tag| refuse(Unencodable::Tag(tag)),
                ))
            }
        }
    }
    fn end(self) -> Result<(), Error> {
        match self {
            Self::Array(array) => array.finish(),
            Self::Tagged => Err(Error(CborError::Serialize("malformed tagged value".into()))),
        }
    }
}

/// A map being written: the head for the announced length, then the
/// entries in the serializer's order; when the map ends they are sorted by
/// their encoded keys and the head corrected if they were not in order or
/// fewer than announced (skipped fields).
pub(super) struct Map<'a> {
    container: Container<'a>,
    /// Where this map's entries start in the sink's entry list.
    first_entry: usize,
    /// The span of a key whose value has not come yet.
    key: Option<(usize, usize)>,
}

impl Map<'_> {
    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let key_start = self.container.sink.out.len();
        key.serialize(self.container.encoder())?;
        self.key = Some((key_start, self.container.sink.out.len()));
        Ok(())
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let (key_start, key_end) = self.key.take().ok_or_else(|| {
            Error(CborError::Serialize(
                "map value serialized before its key".into(),
            ))
        })?;
        value.serialize(self.container.encoder())?;
        let sink = &mut *self.container.sink;
        sink.entries.push((key_start, key_end, sink.out.len()));
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        let key_start = self.container.sink.out.len();
        self.container.encoder().text(name);
        self.key = Some((key_start, self.container.sink.out.len()));
        self.value(value)
    }

    fn finish(self) -> Result<(), Error> {
        let Self {
            mut container,
            first_entry,
            key,
        } = self;
        if key.is_some() {
            return Err(Error(CborError::Serialize(
                "map key serialized without its value".into(),
            )));
        }
        let body_start = container.body_start();
        let Sink {
            out,
            entries,
            scratch,
        } = &mut *container.sink;
        let mine = entries.get_mut(first_entry..).unwrap_or_default();
        let count = mine.len();
        let key = |&(start, end, _): &(usize, usize, usize)| -> &[u8] {
            out.get(start..end).unwrap_or_default()
        };
        let order = |a: &(usize, usize, usize), b: &(usize, usize, usize)| compare(key(a), key(b));
        let sorted = mine
            .windows(2)
            .all(|pair| matches!(pair, [a, b] if order(a, b).is_lt()));
        // As the decoder checks them: no two equal keys (strictly sorted
        // keys have none), then one key type.
        if !sorted {
            mine.sort_unstable_by(order);
            if mine
                .windows(2)
                .any(|pair| matches!(pair, [a, b] if order(a, b).is_eq()))
            {
                return Err(refuse(Unencodable::DuplicateKey));
            }
        }
        let mut classes = mine
            .iter()
            .map(|entry| key(entry).first().map(|b| key_class(b >> 5)));
        if let Some(first) = classes.next() {
            if classes.any(|class| class != first) {
                return Err(refuse(Unencodable::MixedKeyTypes));
            }
        }
        if !sorted {
            // The entries, in order, in place of the body.
            scratch.clear();
            scratch.extend_from_slice(out.get(body_start..).unwrap_or_default());
            out.truncate(body_start);
            for &(key_start, _, value_end) in &*mine {
                let entry = scratch
                    .get(key_start - body_start..value_end - body_start)
                    .unwrap_or_default();
                out.extend_from_slice(entry);
            }
        }
        entries.truncate(first_entry);
        container.set_head(5, count);
        Ok(())
    }
}

impl ser::SerializeMap for Map<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key(key)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.value(value)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

/// A struct and a struct variant's content are both maps with text keys.
macro_rules! struct_impl {
    ($trait:ident) => {
        impl ser::$trait for Map<'_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    };
}

struct_impl!(SerializeStruct);
struct_impl!(SerializeStructVariant);
