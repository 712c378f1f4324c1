//! The strict reader: bytes to a [`Value`] (or to nothing, when only
//! checking), accepting only deterministic CBOR. One walk enforces every
//! rule of the module table; what it builds from each item is the [`Build`]
//! parameter, so the checking pass and the [`Value`] decoder share it. The
//! typed deserializer reads through the same [`Reader::head`],
//! [`Reader::text`] and [`Reader::check_key`], so all three apply one set
//! of rules.

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

/// The head of a data item that the strict rules accept: its major type,
/// additional information and argument, and where it starts.
#[derive(Clone, Copy, Debug)]
pub(super) struct Head {
    /// Major type: 0–5, or 7 for `false`, `true` and `null`.
    pub(super) major: u8,
    /// Additional information, 0–31.
    pub(super) info: u8,
    /// The integer (major types 0 and 1) or the length (2–5, at most the
    /// input left after the head); 0 for major type 7.
    pub(super) argument: u64,
    /// Offset of the initial byte.
    pub(super) start: usize,
}

impl Head {
    /// The length of a string, array or map.
    pub(super) fn len(&self) -> usize {
        // Lengths were checked against the input size, so they fit.
        usize::try_from(self.argument).unwrap_or(usize::MAX)
    }
}

/// Where the previous key of a map lies, so the next one can be checked
/// against it: sorted, not equal, of the same type.
#[derive(Clone, Copy, Default)]
pub(super) struct KeyOrder {
    previous: Option<(usize, usize)>,
}

/// A position in CBOR input.
#[derive(Clone)]
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub(super) fn new(bytes: &'a [u8], max_depth: usize) -> Self {
        Self::at(bytes, 0, max_depth)
    }

    /// A reader at offset `pos` of `bytes`.
    pub(super) fn at(bytes: &'a [u8], pos: usize, max_depth: usize) -> Self {
        Self {
            bytes,
            pos,
            max_depth,
        }
    }

    /// The current offset.
    pub(super) fn pos(&self) -> usize {
        self.pos
    }

    /// The initial byte at the current offset, without consuming it.
    pub(super) fn peek(&self) -> Result<u8, CborError> {
        match self.bytes.get(self.pos) {
            Some(b) => Ok(*b),
            None => Err(CborError::Truncated { offset: self.pos }),
        }
    }

    /// Skips one whole item at nesting `depth`, checking it.
    pub(super) fn skip(&mut self, depth: usize) -> Result<(), CborError> {
        self.item::<Check>(depth)
    }

    /// The next `n` bytes.
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
        let slice = self
            .pos
            .checked_add(n)
            .and_then(|end| self.bytes.get(self.pos..end));
        match slice {
            Some(slice) => {
                self.pos += n;
                Ok(slice)
            }
            None => Err(CborError::Truncated { offset: self.pos }),
        }
    }

    /// The text string of `head`, checked to be UTF-8.
    pub(super) fn text(&mut self, head: &Head) -> Result<&'a str, CborError> {
        let raw = self.take(head.len())?;
        core::str::from_utf8(raw).map_err(|_| CborError::InvalidUtf8 { offset: head.start })
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], CborError> {
        let offset = self.pos;
        self.take(N)?
            .try_into()
            .map_err(|_| CborError::Truncated { offset })
    }

    fn byte(&mut self) -> Result<u8, CborError> {
        let b = self.peek()?;
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

    fn length(&mut self, info: u8, start: usize) -> Result<u64, CborError> {
        match self.argument(info, start)? {
            None => Err(CborError::IndefiniteLength { offset: start }),
            Some((_, false)) => Err(CborError::NonShortestLength { offset: start }),
            Some((len, true)) => self.within_input(len, start),
        }
    }

    /// `len`, the length of the item at `start`, if the input left can
    /// hold it. A length beyond the remaining input can never be satisfied;
    /// refusing it at the head also bounds every allocation by the input
    /// size.
    fn within_input(&self, len: u64, start: usize) -> Result<u64, CborError> {
        usize::try_from(len)
            .ok()
            .filter(|len| *len <= self.remaining())
            .map(|_| len)
            .ok_or(CborError::Truncated { offset: start })
    }

    /// Reads the head of the next item and applies every rule that concerns
    /// the head alone: shortest and definite arguments, lengths within the
    /// input, no tags, floats or simple values but booleans and null.
    pub(super) fn head(&mut self) -> Result<Head, CborError> {
        let start = self.pos;
        let initial = self.byte()?;
        let major = initial >> 5;
        let info = initial & 0x1f;
        // The common case, an argument in the initial byte: shortest and
        // definite by construction, so a length only needs its bound.
        if info < 24 && major <= 5 {
            let argument = u64::from(info);
            if major >= 2 {
                self.within_input(argument, start)?;
            }
            return Ok(Head {
                major,
                info,
                argument,
                start,
            });
        }
        let argument = match major {
            0 | 1 => match self.argument(info, start)? {
                None => return Err(CborError::Malformed { offset: start }),
                Some((_, false)) => {
                    return Err(CborError::NonShortestInteger { offset: start });
                }
                Some((n, true)) => n,
            },
            2..=5 => self.length(info, start)?,
            6 => {
                return Err(match self.argument(info, start)? {
                    Some((tag, _)) => CborError::Tag { tag, offset: start },
                    None => CborError::Malformed { offset: start },
                });
            }
            _ => match info {
                20..=22 => 0,
                25..=27 => return Err(CborError::Float { offset: start }),
                28..=31 => return Err(CborError::Malformed { offset: start }),
                24 => {
                    return Err(CborError::SimpleValue {
                        value: u64::from(self.byte()?),
                        offset: start,
                    });
                }
                other => {
                    return Err(CborError::SimpleValue {
                        value: u64::from(other),
                        offset: start,
                    });
                }
            },
        };
        Ok(Head {
            major,
            info,
            argument,
            start,
        })
    }

    /// Checks the map key just read, from `start` to the current offset,
    /// against the previous key of its map, and remembers it.
    pub(super) fn check_key(&self, order: &mut KeyOrder, start: usize) -> Result<(), CborError> {
        let span = (start, self.pos);
        if let Some((prev_start, prev_end)) = order.previous {
            let class = |at: usize| self.bytes.get(at).map(|b| key_class(b >> 5));
            if class(prev_start) != class(start) {
                return Err(CborError::MixedKeyTypes { offset: start });
            }
            match compare(
                self.bytes.get(prev_start..prev_end).unwrap_or_default(),
                self.bytes.get(start..self.pos).unwrap_or_default(),
            ) {
                core::cmp::Ordering::Less => {}
                core::cmp::Ordering::Equal => {
                    return Err(CborError::DuplicateKey { offset: start });
                }
                core::cmp::Ordering::Greater => {
                    return Err(CborError::UnsortedKeys { offset: start });
                }
            }
        }
        order.previous = Some(span);
        Ok(())
    }

    fn item<B: Build>(&mut self, depth: usize) -> Result<B::Out, CborError> {
        let head = self.head()?;
        match head.major {
            0 => Ok(B::unsigned(head.argument)),
            1 => B::negative(head.argument, head.start),
            2 => Ok(B::bytes(self.take(head.len())?)),
            3 => Ok(B::text(self.text(&head)?)),
            4 => {
                let depth = self.descend(depth)?;
                let mut items = Vec::with_capacity(head.len());
                for _ in 0..head.len() {
                    items.push(self.item::<B>(depth)?);
                }
                Ok(B::array(items))
            }
            5 => {
                let depth = self.descend(depth)?;
                let mut entries = Vec::with_capacity(head.len() / 2);
                let mut order = KeyOrder::default();
                for _ in 0..head.len() {
                    let key_start = self.pos;
                    let key = self.item::<B>(depth)?;
                    self.check_key(&mut order, key_start)?;
                    let value = self.item::<B>(depth)?;
                    entries.push((key, value));
                }
                Ok(B::map(entries))
            }
            _ => Ok(match head.info {
                20 => B::bool(false),
                21 => B::bool(true),
                _ => B::null(),
            }),
        }
    }

    /// The nesting inside an array or map opened at `depth`, refused
    /// beyond the limit.
    pub(super) fn descend(&self, depth: usize) -> Result<usize, CborError> {
        let next = depth + 1;
        if next > self.max_depth {
            return Err(CborError::TooDeep {
                limit: self.max_depth,
            });
        }
        Ok(next)
    }
}

/// Bytewise order of two encoded keys, as `<[u8]>::cmp` gives it, without
/// a library call for what are nearly always a few bytes that differ early.
pub(super) fn compare(a: &[u8], b: &[u8]) -> core::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// Where the item at `pos` of well-formed `bytes` ends, read from its heads
/// and lengths alone: for input the strict rules have already accepted.
/// Iterative, so its nesting needs no bound; `None` if the input ends first
/// or holds a reserved head.
pub(super) fn item_end(bytes: &[u8], mut pos: usize) -> Option<usize> {
    let mut items: usize = 1;
    while items > 0 {
        items -= 1;
        let initial = *bytes.get(pos)?;
        pos += 1;
        let arg = match initial & 0x1f {
            info @ 0..=23 => u64::from(info),
            info @ 24..=27 => {
                let size = 1usize << (info - 24);
                let mut arg: u64 = 0;
                for byte in bytes.get(pos..pos.checked_add(size)?)? {
                    arg = (arg << 8) | u64::from(*byte);
                }
                pos += size;
                arg
            }
            _ => return None,
        };
        // The argument counts bytes, items or pairs only for these types.
        let count = || usize::try_from(arg).ok();
        match initial >> 5 {
            2 | 3 => pos = pos.checked_add(count()?)?,
            4 => items = items.checked_add(count()?)?,
            5 => items = items.checked_add(count()?.checked_mul(2)?)?,
            6 => items = items.checked_add(1)?,
            _ => {}
        }
    }
    (pos <= bytes.len()).then_some(pos)
}
