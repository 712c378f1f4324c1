//! The deterministic encoder: a serde [`Serializer`](ser::Serializer) that
//! writes the one canonical byte form directly, with no intermediate value
//! tree, or checks that given bytes are that form.
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
//!
//! One serializer serves two sinks. A [`Writer`] appends the encoding to a
//! buffer. A [`Matcher`] compares it, as it is produced, with the bytes it
//! must reproduce: it finds each map entry the serializer produces among
//! the entries of the input's map instead of sorting, and writes nothing
//! but the keys it looks up. Strict typed decoding uses it to confirm that
//! a decoded document re-encodes to its input at a fraction of the cost of
//! writing the encoding out.

use core::fmt;

use serde::Serialize;
use serde::ser;

use super::decode::{Reader, compare, item_end};
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
    let mut writer = Writer {
        out: core::mem::take(out),
        ..Writer::default()
    };
    let result = value.serialize(Encoder {
        sink: &mut writer,
        depth: 0,
    });
    *out = writer.out;
    result.map_err(|Error(e)| e)
}

/// Whether the deterministic encoding of `value` is exactly `input`: the
/// verdict of [`encode_into`] and a comparison, without writing the
/// encoding. `false` also when `value` cannot be encoded; the caller encodes
/// it to learn why. `input` must be one well-formed item of deterministic
/// CBOR (as typed decoding's one pass has established).
pub(super) fn encodes_to<T: Serialize + ?Sized>(value: &T, input: &[u8]) -> bool {
    let mut matcher = Matcher {
        input,
        pos: 0,
        waiting: Vec::new(),
        keys: Writer::default(),
    };
    let result = value.serialize(Encoder {
        sink: &mut matcher,
        depth: 0,
    });
    result.is_ok() && matcher.pos == input.len()
}

/// Where the serializer's output goes: what differs between writing the
/// encoding and matching it against input.
trait Sink {
    /// The state of an open array or map.
    type Open;
    /// Puts `bytes`.
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error>;
    /// Puts the head of an item of major type `major` with argument `arg`.
    fn put_head(&mut self, major: u8, arg: u64) -> Result<(), Error>;
    /// Opens an array or map (major type `major`) for `len` items when the
    /// length is announced.
    fn open(&mut self, major: u8, len: Option<usize>) -> Result<Self::Open, Error>;
    /// Closes an array that got `count` elements.
    fn close_array(&mut self, open: Self::Open, count: usize) -> Result<(), Error>;
    /// Where the next key of map `open` is to be written.
    fn key_writer(&mut self, open: &mut Self::Open) -> &mut Writer;
    /// The key is written; its value comes next.
    fn key_done(&mut self, open: &mut Self::Open) -> Result<(), Error>;
    /// Writes the key of a struct field, `name`, at nesting `depth`.
    fn field_key(&mut self, open: &mut Self::Open, name: &str, depth: usize) -> Result<(), Error> {
        Encoder {
            sink: self.key_writer(open),
            depth,
        }
        .text(name)?;
        self.key_done(open)
    }
    /// The value of the last key is written.
    fn value_done(&mut self, open: &mut Self::Open) -> Result<(), Error>;
    /// Closes a map.
    fn close_map(&mut self, open: Self::Open) -> Result<(), Error>;
}

/// Writes the encoding, and keeps the working space of the maps being
/// written, shared by every nested value so that a map costs no allocation
/// of its own.
#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    /// The entries of the maps being written, innermost last, each as (key
    /// start, key end, value end), offsets in `out`.
    entries: Vec<(usize, usize, usize)>,
    /// Where a map's entries wait while they are put in order.
    scratch: Vec<u8>,
}

/// An array or map a [`Writer`] has open: the head written at `start`
/// (empty when the length was not announced), and for a map where its
/// entries start in the entry list and the span of the key being written.
struct Written {
    /// The length its head was written for, if any.
    announced: Option<usize>,
    start: usize,
    head_len: usize,
    first_entry: usize,
    key: (usize, usize),
}

impl Writer {
    /// Puts the head for `count` items (major type `major`) in place of
    /// the one written for `open`, unless it is the same.
    fn set_head(&mut self, open: &Written, major: u8, count: usize) {
        if open.announced == Some(count) {
            return;
        }
        let (bytes, len) = head_bytes(major, len_arg(count));
        let correct = bytes.get(..len).unwrap_or_default();
        let written = open.start..open.start + open.head_len;
        if self.out.get(written.clone()) != Some(correct) {
            self.out.splice(written, correct.iter().copied());
        }
    }
}

impl Sink for Writer {
    type Open = Written;

    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out.extend_from_slice(bytes);
        Ok(())
    }

    fn put_head(&mut self, major: u8, arg: u64) -> Result<(), Error> {
        head(&mut self.out, major, arg);
        Ok(())
    }

    fn open(&mut self, major: u8, len: Option<usize>) -> Result<Written, Error> {
        let start = self.out.len();
        if let Some(len) = len {
            head(&mut self.out, major, len_arg(len));
        }
        Ok(Written {
            announced: len,
            start,
            head_len: self.out.len() - start,
            first_entry: self.entries.len(),
            key: (start, start),
        })
    }

    fn close_array(&mut self, open: Written, count: usize) -> Result<(), Error> {
        self.set_head(&open, 4, count);
        Ok(())
    }

    fn key_writer(&mut self, open: &mut Written) -> &mut Writer {
        open.key.0 = self.out.len();
        self
    }

    fn key_done(&mut self, open: &mut Written) -> Result<(), Error> {
        open.key.1 = self.out.len();
        Ok(())
    }

    fn value_done(&mut self, open: &mut Written) -> Result<(), Error> {
        self.entries.push((open.key.0, open.key.1, self.out.len()));
        Ok(())
    }

    /// Sorts the map's entries by their encoded keys, and corrects the head
    /// if they were not in order or fewer than announced (skipped fields).
    fn close_map(&mut self, open: Written) -> Result<(), Error> {
        let body_start = open.start + open.head_len;
        let Self {
            out,
            entries,
            scratch,
        } = self;
        let mine = entries.get_mut(open.first_entry..).unwrap_or_default();
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
        entries.truncate(open.first_entry);
        self.set_head(&open, 5, count);
        Ok(())
    }
}

/// Checks the encoding against `input` as it is produced.
///
/// `input` has passed every rule of the strict reader (typed decoding's one
/// pass applies them all), so its map keys ascend strictly. A map's entries
/// are taken in the input's order while the serializer produces them in
/// that order; a key that is not the next one is looked for further on,
/// and the entries passed over wait to be produced later. Each entry must
/// be produced exactly once, and every byte is compared, so the written
/// encoding, which sorts the same entries by the same keys, is the input.
/// Passing over an entry reads only its heads and lengths: where it ends
/// only locates the next entry, and every byte is compared when it is
/// produced.
struct Matcher<'i> {
    input: &'i [u8],
    /// Where the next item must be.
    pos: usize,
    /// Entries of the open maps passed over, innermost map last.
    waiting: Vec<Waiting>,
    /// Where a map key other than a field name is encoded to be compared.
    keys: Writer,
}

/// A map entry of the input passed over, until it is produced.
struct Waiting {
    key_start: usize,
    value_start: usize,
    matched: bool,
}

/// A map or array of the input the [`Matcher`] is inside.
struct Matching {
    /// The items the input's head announces.
    count: usize,
    /// Where the map's waiting entries start in the matcher's list.
    first: usize,
    /// Where the first entry not yet reached starts in the input.
    next: usize,
    /// How many entries have been reached; how many produced; how many
    /// of those passed over still wait.
    reached: usize,
    matched: usize,
    waiting: usize,
    /// The value being matched is the next entry's, so the entry after it
    /// starts where it ends.
    in_order: bool,
}

/// Whether two byte strings are equal, by a byte loop rather than a library
/// call, for what are nearly always a few bytes.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// The matcher's one verdict for anything but a match; the writer, run
/// afterwards, tells what the difference is.
fn mismatch() -> Error {
    Error(CborError::NonCanonicalDocument)
}

/// A map key the serializer produced, to be found in the input.
#[derive(Clone, Copy)]
enum Key<'k> {
    /// A struct field's name: a text string.
    Field(&'k str),
    /// Any other key, encoded.
    Encoded(&'k [u8]),
}

impl Key<'_> {
    /// The length of this key if `input` starts with it. A well-formed
    /// item is no prefix of another, so then the input's key is this one.
    fn starts(self, input: &[u8]) -> Option<usize> {
        match self {
            Self::Field(name) if name.len() < 24 => {
                // INVARIANT: the length fits the initial byte (the common case).
                let head = 0x60 | name.len() as u8;
                let (first, after) = input.split_first()?;
                let found = after.get(..name.len())?;
                (*first == head && same(found, name.as_bytes())).then_some(1 + name.len())
            }
            Self::Field(name) => {
                let (head, head_len) = head_bytes(3, len_arg(name.len()));
                let (found_head, after) = input.split_at_checked(head_len)?;
                let found = after.get(..name.len())?;
                (same(found_head, head.get(..head_len)?) && same(found, name.as_bytes()))
                    .then_some(head_len + name.len())
            }
            Self::Encoded(key) => {
                let prefix = input.get(..key.len())?;
                same(prefix, key).then_some(key.len())
            }
        }
    }
}

impl Matcher<'_> {
    /// The entry whose key starts at `start`, passed over, and where it
    /// ends.
    fn pass_over(&self, start: usize) -> Result<(Waiting, usize), Error> {
        let value_start = item_end(self.input, start).ok_or_else(mismatch)?;
        let value_end = item_end(self.input, value_start).ok_or_else(mismatch)?;
        let entry = Waiting {
            key_start: start,
            value_start,
            matched: false,
        };
        Ok((entry, value_end))
    }

    /// Finds `key` in map `open` and moves to its value: the next entry of
    /// the input, or an entry passed over, or one further on. (Keys ascend
    /// strictly, so no two entries can have the key.)
    fn find(&mut self, open: &mut Matching, key: Key<'_>) -> Result<(), Error> {
        let input = self.input;
        let rest = |at: usize| input.get(at..).unwrap_or_default();
        let next = |open: &Matching| {
            (open.reached < open.count)
                .then(|| key.starts(rest(open.next)))
                .flatten()
        };
        if let Some(len) = next(open) {
            self.take_next(open, len);
            return Ok(());
        }
        if open.waiting > 0 {
            let waiting = self.waiting.get_mut(open.first..).unwrap_or_default();
            if let Some(entry) = waiting.iter_mut().find(|entry| {
                !entry.matched
                    && key.starts(rest(entry.key_start))
                        == Some(entry.value_start - entry.key_start)
            }) {
                entry.matched = true;
                open.matched += 1;
                open.waiting -= 1;
                self.pos = entry.value_start;
                open.in_order = false;
                return Ok(());
            }
        }
        while open.reached < open.count {
            let (entry, end) = self.pass_over(open.next)?;
            open.reached += 1;
            open.waiting += 1;
            open.next = end;
            self.waiting.push(entry);
            if let Some(len) = next(open) {
                self.take_next(open, len);
                return Ok(());
            }
        }
        Err(mismatch())
    }

    /// Takes the next entry of map `open`, whose key is `key_len` bytes,
    /// as the one produced, and moves to its value.
    fn take_next(&mut self, open: &mut Matching, key_len: usize) {
        open.reached += 1;
        open.matched += 1;
        self.pos = open.next + key_len;
        open.in_order = true;
    }
}

impl Sink for Matcher<'_> {
    type Open = Matching;

    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self.pos + bytes.len();
        if !self
            .input
            .get(self.pos..end)
            .is_some_and(|input| same(input, bytes))
        {
            return Err(mismatch());
        }
        self.pos = end;
        Ok(())
    }

    fn put_head(&mut self, major: u8, arg: u64) -> Result<(), Error> {
        if arg < 24 {
            // INVARIANT: the argument fits the initial byte (the common case).
            return self.put(&[(major << 5) | arg as u8]);
        }
        let (bytes, len) = head_bytes(major, arg);
        self.put(bytes.get(..len).unwrap_or_default())
    }

    fn open(&mut self, major: u8, _len: Option<usize>) -> Result<Matching, Error> {
        let initial = self.input.get(self.pos).copied().unwrap_or_default();
        let count = if initial >> 5 == major && initial & 0x1f < 24 {
            // The common case: the count is in the initial byte.
            self.pos += 1;
            usize::from(initial & 0x1f)
        } else {
            let mut reader = Reader::at(self.input, self.pos, 0);
            let head = reader.head().map_err(|_| mismatch())?;
            if head.major != major {
                return Err(mismatch());
            }
            self.pos = reader.pos();
            head.len()
        };
        Ok(Matching {
            count,
            first: self.waiting.len(),
            next: self.pos,
            reached: 0,
            matched: 0,
            waiting: 0,
            in_order: false,
        })
    }

    fn close_array(&mut self, open: Matching, count: usize) -> Result<(), Error> {
        if count != open.count {
            return Err(mismatch());
        }
        Ok(())
    }

    fn key_writer(&mut self, _open: &mut Matching) -> &mut Writer {
        self.keys.out.clear();
        &mut self.keys
    }

    fn key_done(&mut self, open: &mut Matching) -> Result<(), Error> {
        let keys = core::mem::take(&mut self.keys.out);
        let found = self.find(open, Key::Encoded(&keys));
        self.keys.out = keys;
        found
    }

    fn field_key(&mut self, open: &mut Matching, name: &str, _depth: usize) -> Result<(), Error> {
        self.find(open, Key::Field(name))
    }

    fn value_done(&mut self, open: &mut Matching) -> Result<(), Error> {
        // A value matched where an entry passed over has it ends where that
        // entry does: two well-formed items, one the other's prefix, are
        // the same item.
        if open.in_order {
            open.next = self.pos;
        }
        Ok(())
    }

    fn close_map(&mut self, open: Matching) -> Result<(), Error> {
        if open.matched != open.count {
            return Err(mismatch());
        }
        self.waiting.truncate(open.first);
        self.pos = open.next;
        Ok(())
    }
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
struct Encoder<'a, S> {
    sink: &'a mut S,
    depth: usize,
}

impl<'a, S: Sink> Encoder<'a, S> {
    fn text(&mut self, text: &str) -> Result<(), Error> {
        self.sink.put_head(3, len_arg(text.len()))?;
        self.sink.put(text.as_bytes())
    }

    fn integer(&mut self, n: i128) -> Result<(), Error> {
        if let Ok(n) = u64::try_from(n) {
            self.sink.put_head(0, n)
        } else if let Ok(n) = u64::try_from(-1 - n) {
            self.sink.put_head(1, n)
        } else {
            let tag = if n < 0 {
                BIGNUM_NEGATIVE
            } else {
                BIGNUM_POSITIVE
            };
            Err(refuse(Unencodable::Tag(tag)))
        }
    }

    /// Opens the one-entry map `{variant: …}` of a non-unit enum variant
    /// and returns the encoder of its content, one level deeper.
    fn variant(mut self, variant: &str) -> Result<Self, Error> {
        let depth = descend(self.depth).map_err(Error)?;
        self.sink.put_head(5, 1)?;
        self.text(variant)?;
        Ok(Encoder {
            sink: self.sink,
            depth,
        })
    }

    fn array(self, len: Option<usize>) -> Result<Array<'a, S>, Error> {
        let depth = descend(self.depth).map_err(Error)?;
        let open = self.sink.open(4, len)?;
        Ok(Array {
            sink: self.sink,
            open,
            depth,
            count: 0,
        })
    }

    fn map(self, len: Option<usize>) -> Result<Map<'a, S>, Error> {
        let depth = descend(self.depth).map_err(Error)?;
        let open = self.sink.open(5, len)?;
        Ok(Map {
            sink: self.sink,
            open,
            depth,
            key_pending: false,
        })
    }
}

impl<'a, S: Sink> ser::Serializer for Encoder<'a, S> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Array<'a, S>;
    type SerializeTuple = Array<'a, S>;
    type SerializeTupleStruct = Array<'a, S>;
    type SerializeTupleVariant = TupleVariant<'a, S>;
    type SerializeMap = Map<'a, S>;
    type SerializeStruct = Map<'a, S>;
    type SerializeStructVariant = Map<'a, S>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.sink.put(&[if v { 0xf5 } else { 0xf4 }])
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
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(mut self, v: &str) -> Result<(), Error> {
        self.text(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.sink.put_head(2, len_arg(v.len()))?;
        self.sink.put(v)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.sink.put(&[0xf6])
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
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if (name, variant) == (TAG_NAME, UNTAGGED_VARIANT) {
            return value.serialize(self);
        }
        value.serialize(self.variant(variant)?)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Array<'a, S>, Error> {
        self.array(len)
    }
    fn serialize_tuple(self, len: usize) -> Result<Array<'a, S>, Error> {
        self.array(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Array<'a, S>, Error> {
        self.array(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<TupleVariant<'a, S>, Error> {
        if (name, variant) == (TAG_NAME, TAGGED_VARIANT) {
            return Ok(TupleVariant::Tagged);
        }
        self.variant(variant)?
            .array(Some(len))
            .map(TupleVariant::Array)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Map<'a, S>, Error> {
        self.map(len)
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Map<'a, S>, Error> {
        self.map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Map<'a, S>, Error> {
        self.variant(variant)?.map(Some(len))
    }

    fn is_human_readable(&self) -> bool {
        false
    }
}

/// An array being written. Its head is written first when the length is
/// announced, and put in place at the end when it was not (or was wrong).
struct Array<'a, S: Sink> {
    sink: &'a mut S,
    open: S::Open,
    /// The nesting inside.
    depth: usize,
    count: usize,
}

impl<S: Sink> Array<'_, S> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.count += 1;
        value.serialize(Encoder {
            sink: &mut *self.sink,
            depth: self.depth,
        })
    }

    fn finish(self) -> Result<(), Error> {
        self.sink.close_array(self.open, self.count)
    }
}

/// The serde traits an [`Array`] implements differ only in names.
macro_rules! array_impl {
    ($trait:ident, $method:ident) => {
        impl<S: Sink> ser::$trait for Array<'_, S> {
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
enum TupleVariant<'a, S: Sink> {
    /// `{variant: [...]}`.
    Array(Array<'a, S>),
    /// A ciborium tag: refused at its first field, the tag number.
    Tagged,
}

impl<S: Sink> ser::SerializeTupleVariant for TupleVariant<'_, S> {
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

/// A map being written: each key, then its value, handed to the sink,
/// which puts them in order when the map ends.
struct Map<'a, S: Sink> {
    sink: &'a mut S,
    open: S::Open,
    /// The nesting inside.
    depth: usize,
    /// A key was written and its value has not come yet.
    key_pending: bool,
}

impl<S: Sink> Map<'_, S> {
    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        key.serialize(Encoder {
            sink: self.sink.key_writer(&mut self.open),
            depth: self.depth,
        })?;
        self.sink.key_done(&mut self.open)?;
        self.key_pending = true;
        Ok(())
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !core::mem::take(&mut self.key_pending) {
            return Err(Error(CborError::Serialize(
                "map value serialized before its key".into(),
            )));
        }
        value.serialize(Encoder {
            sink: &mut *self.sink,
            depth: self.depth,
        })?;
        self.sink.value_done(&mut self.open)
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        self.sink.field_key(&mut self.open, name, self.depth)?;
        self.key_pending = true;
        self.value(value)
    }

    fn finish(self) -> Result<(), Error> {
        if self.key_pending {
            return Err(Error(CborError::Serialize(
                "map key serialized without its value".into(),
            )));
        }
        self.sink.close_map(self.open)
    }
}

impl<S: Sink> ser::SerializeMap for Map<'_, S> {
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
        impl<S: Sink> ser::$trait for Map<'_, S> {
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
