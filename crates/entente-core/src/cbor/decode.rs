//! The strict reader: bytes to a [`Value`] (or to nothing, when only
//! checking), accepting only deterministic CBOR. One walk enforces every
//! rule of the module table; what it builds from each item is the [`Build`]
//! parameter, so the checking pass and the [`Value`] decoder share it.

use ciborium::Value;
use ciborium::value::Integer;

use super::{CborError, Limits, key_class};

/// Strictly decodes one deterministic CBOR data item under `limits`.
pub fn decode_value(bytes: &[u8], limits: Limits) -> Result<Value, CborError> {
    read_all::<BuildValue>(bytes, limits)
}

/// Checks that `bytes` is one deterministic CBOR data item under `limits`,
/// building nothing: the first pass of typed decoding.
pub(super) fn validate(bytes: &[u8], limits: Limits) -> Result<(), CborError> {
    read_all::<Check>(bytes, limits)
}

fn read_all<B: Build>(bytes: &[u8], limits: Limits) -> Result<B::Out, CborError> {
    if bytes.len() > limits.max_size {
        return Err(CborError::TooLarge {
            size: bytes.len(),
            limit: limits.max_size,
        });
    }
    let mut reader = Reader::new(bytes, limits.max_depth);
    let out = reader.item::<B>(0)?;
    if reader.pos != bytes.len() {
        return Err(CborError::TrailingBytes { offset: reader.pos });
    }
    Ok(out)
}

/// What the reader makes of each well-formed item.
trait Build {
    /// One item's result.
    type Out;
    fn unsigned(n: u64) -> Self::Out;
    /// `-1 - n`, the item at `start`.
    fn negative(n: u64, start: usize) -> Result<Self::Out, CborError>;
    fn bytes(bytes: &[u8]) -> Self::Out;
    fn text(text: &str) -> Self::Out;
    fn array(items: Vec<Self::Out>) -> Self::Out;
    fn map(entries: Vec<(Self::Out, Self::Out)>) -> Self::Out;
    fn bool(b: bool) -> Self::Out;
    fn null() -> Self::Out;
}

/// Builds a [`Value`] tree.
struct BuildValue;

impl Build for BuildValue {
    type Out = Value;
    fn unsigned(n: u64) -> Value {
        Value::Integer(Integer::from(n))
    }
    fn negative(n: u64, start: usize) -> Result<Value, CborError> {
        // -1 - n; fits in i128, which ciborium's Integer covers.
        Integer::try_from(-1i128 - i128::from(n))
            .map(Value::Integer)
            .map_err(|_| CborError::Malformed { offset: start })
    }
    fn bytes(bytes: &[u8]) -> Value {
        Value::Bytes(bytes.to_vec())
    }
    fn text(text: &str) -> Value {
        Value::Text(text.to_owned())
    }
    fn array(items: Vec<Value>) -> Value {
        Value::Array(items)
    }
    fn map(entries: Vec<(Value, Value)>) -> Value {
        Value::Map(entries)
    }
    fn bool(b: bool) -> Value {
        Value::Bool(b)
    }
    fn null() -> Value {
        Value::Null
    }
}

/// Builds nothing (a `Vec<()>` does not allocate): checking only.
struct Check;

impl Build for Check {
    type Out = ();
    fn unsigned(_: u64) {}
    fn negative(_: u64, _: usize) -> Result<(), CborError> {
        Ok(())
    }
    fn bytes(_: &[u8]) {}
    fn text(_: &str) {}
    fn array(_: Vec<()>) {}
    fn map(_: Vec<((), ())>) {}
    fn bool(_: bool) {}
    fn null() {}
}

/// The head of a data item: its major type, additional information and
/// argument (`None` for indefinite length), and where it starts.
#[derive(Clone, Copy, Debug)]
pub(super) struct Head {
    /// Major type, 0–7.
    pub(super) major: u8,
    /// Additional information, 0–31.
    pub(super) info: u8,
    /// The argument, when there is one.
    pub(super) argument: Option<u64>,
    /// Offset of the initial byte.
    pub(super) start: usize,
}

/// A position in CBOR input.
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub(super) fn new(bytes: &'a [u8], max_depth: usize) -> Self {
        Self {
            bytes,
            pos: 0,
            max_depth,
        }
    }

    /// The input after the current offset.
    pub(super) fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    /// The initial byte at the current offset, without consuming it.
    pub(super) fn peek(&self) -> Result<u8, CborError> {
        self.bytes
            .get(self.pos)
            .copied()
            .ok_or(CborError::Truncated { offset: self.pos })
    }

    /// Reads the head of the next item (no shortest-form checks: for input
    /// [`validate`] accepted).
    pub(super) fn head(&mut self) -> Result<Head, CborError> {
        let start = self.pos;
        let initial = self.byte()?;
        let info = initial & 0x1f;
        let argument = self.argument(info, start)?.map(|(value, _)| value);
        Ok(Head {
            major: initial >> 5,
            info,
            argument,
            start,
        })
    }

    /// Skips one whole item.
    pub(super) fn skip(&mut self) -> Result<(), CborError> {
        self.item::<Check>(0)
    }

    /// The next `n` bytes.
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or(CborError::Truncated { offset: self.pos })?;
        let slice = self
            .bytes
            .get(self.pos..end)
            .ok_or(CborError::Truncated { offset: self.pos })?;
        self.pos = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CborError> {
        let offset = self.pos;
        self.take(N)?
            .try_into()
            .map_err(|_| CborError::Truncated { offset })
    }

    fn byte(&mut self) -> Result<u8, CborError> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or(CborError::Truncated { offset: self.pos })?;
        self.pos += 1;
        Ok(b)
    }

    /// Reads the argument of an initial byte. Returns `None` for
    /// indefinite length (additional information 31).
    fn argument(&mut self, info: u8, start: usize) -> Result<Option<(u64, bool)>, CborError> {
        let (value, minimum) = match info {
            0..=23 => return Ok(Some((u64::from(info), true))),
            24 => (u64::from(self.byte()?), 24),
            25 => (u64::from(u16::from_be_bytes(self.array()?)), 0x100),
            26 => (u64::from(u32::from_be_bytes(self.array()?)), 0x1_0000),
            27 => (u64::from_be_bytes(self.array()?), 0x1_0000_0000),
            31 => return Ok(None),
            _ => return Err(CborError::Malformed { offset: start }),
        };
        Ok(Some((value, value >= minimum)))
    }

    /// The remaining input.
    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    fn length(&mut self, info: u8, start: usize) -> Result<usize, CborError> {
        match self.argument(info, start)? {
            None => Err(CborError::IndefiniteLength { offset: start }),
            Some((_, false)) => Err(CborError::NonShortestLength { offset: start }),
            // A length beyond the remaining input can never be satisfied;
            // refusing it here also bounds every allocation below by the
            // input size.
            Some((len, true)) => usize::try_from(len)
                .ok()
                .filter(|len| *len <= self.remaining())
                .ok_or(CborError::Truncated { offset: start }),
        }
    }

    fn item<B: Build>(&mut self, depth: usize) -> Result<B::Out, CborError> {
        let start = self.pos;
        let initial = self.byte()?;
        let major = initial >> 5;
        let info = initial & 0x1f;
        match major {
            0 | 1 => {
                let n = match self.argument(info, start)? {
                    None => return Err(CborError::Malformed { offset: start }),
                    Some((_, false)) => {
                        return Err(CborError::NonShortestInteger { offset: start });
                    }
                    Some((n, true)) => n,
                };
                if major == 0 {
                    Ok(B::unsigned(n))
                } else {
                    B::negative(n, start)
                }
            }
            2 => {
                let len = self.length(info, start)?;
                Ok(B::bytes(self.take(len)?))
            }
            3 => {
                let len = self.length(info, start)?;
                let raw = self.take(len)?;
                let text = core::str::from_utf8(raw)
                    .map_err(|_| CborError::InvalidUtf8 { offset: start })?;
                Ok(B::text(text))
            }
            4 => {
                let len = self.length(info, start)?;
                let depth = self.descend(depth)?;
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(self.item::<B>(depth)?);
                }
                Ok(B::array(items))
            }
            5 => {
                let len = self.length(info, start)?;
                let depth = self.descend(depth)?;
                let mut entries = Vec::with_capacity(len / 2);
                let mut previous: Option<(usize, usize)> = None;
                for _ in 0..len {
                    let key_start = self.pos;
                    let key_major = self
                        .bytes
                        .get(key_start)
                        .map(|b| b >> 5)
                        .ok_or(CborError::Truncated { offset: key_start })?;
                    let key = self.item::<B>(depth)?;
                    let key_span = (key_start, self.pos);
                    if let Some((prev_start, prev_end)) = previous {
                        let prev_bytes = self.bytes.get(prev_start..prev_end);
                        let key_bytes = self.bytes.get(key_span.0..key_span.1);
                        let prev_major = self.bytes.get(prev_start).map(|b| b >> 5);
                        if prev_major.map(key_class) != Some(key_class(key_major)) {
                            return Err(CborError::MixedKeyTypes { offset: key_start });
                        }
                        match prev_bytes.cmp(&key_bytes) {
                            core::cmp::Ordering::Less => {}
                            core::cmp::Ordering::Equal => {
                                return Err(CborError::DuplicateKey { offset: key_start });
                            }
                            core::cmp::Ordering::Greater => {
                                return Err(CborError::UnsortedKeys { offset: key_start });
                            }
                        }
                    }
                    previous = Some(key_span);
                    let value = self.item::<B>(depth)?;
                    entries.push((key, value));
                }
                Ok(B::map(entries))
            }
            6 => {
                let tag = match self.argument(info, start)? {
                    Some((tag, _)) => tag,
                    None => return Err(CborError::Malformed { offset: start }),
                };
                Err(CborError::Tag { tag, offset: start })
            }
            _ => match info {
                20 => Ok(B::bool(false)),
                21 => Ok(B::bool(true)),
                22 => Ok(B::null()),
                25..=27 => Err(CborError::Float { offset: start }),
                31 => Err(CborError::Malformed { offset: start }),
                28..=30 => Err(CborError::Malformed { offset: start }),
                24 => Err(CborError::SimpleValue {
                    value: u64::from(self.byte()?),
                    offset: start,
                }),
                other => Err(CborError::SimpleValue {
                    value: u64::from(other),
                    offset: start,
                }),
            },
        }
    }

    fn descend(&self, depth: usize) -> Result<usize, CborError> {
        let next = depth + 1;
        if next > self.max_depth {
            return Err(CborError::TooDeep {
                limit: self.max_depth,
            });
        }
        Ok(next)
    }
}
