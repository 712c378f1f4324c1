//! The strict decoder: bytes to a [`Value`], accepting only deterministic CBOR.

use ciborium::Value;
use ciborium::value::Integer;

use super::{CborError, Limits, key_class};

/// Strictly decodes one deterministic CBOR data item under `limits`.
pub fn decode_value(bytes: &[u8], limits: Limits) -> Result<Value, CborError> {
    if bytes.len() > limits.max_size {
        return Err(CborError::TooLarge {
            size: bytes.len(),
            limit: limits.max_size,
        });
    }
    let mut reader = Reader {
        bytes,
        pos: 0,
        max_depth: limits.max_depth,
    };
    let value = reader.item(0)?;
    if reader.pos != bytes.len() {
        return Err(CborError::TrailingBytes { offset: reader.pos });
    }
    Ok(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], CborError> {
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

    fn length(&mut self, info: u8, start: usize) -> Result<usize, CborError> {
        match self.argument(info, start)? {
            None => Err(CborError::IndefiniteLength { offset: start }),
            Some((_, false)) => Err(CborError::NonShortestLength { offset: start }),
            // A length beyond the remaining input can never be satisfied;
            // refusing it here also bounds every allocation below by the
            // input size.
            Some((len, true)) => usize::try_from(len)
                .ok()
                .filter(|len| *len <= self.bytes.len().saturating_sub(self.pos))
                .ok_or(CborError::Truncated { offset: start }),
        }
    }

    fn item(&mut self, depth: usize) -> Result<Value, CborError> {
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
                let int = if major == 0 {
                    Integer::from(n)
                } else {
                    // -1 - n; fits in i128, which ciborium's Integer covers.
                    Integer::try_from(-1i128 - i128::from(n))
                        .map_err(|_| CborError::Malformed { offset: start })?
                };
                Ok(Value::Integer(int))
            }
            2 => {
                let len = self.length(info, start)?;
                Ok(Value::Bytes(self.take(len)?.to_vec()))
            }
            3 => {
                let len = self.length(info, start)?;
                let raw = self.take(len)?;
                let text = core::str::from_utf8(raw)
                    .map_err(|_| CborError::InvalidUtf8 { offset: start })?;
                Ok(Value::Text(text.to_owned()))
            }
            4 => {
                let len = self.length(info, start)?;
                let depth = self.descend(depth)?;
                let mut items = Vec::with_capacity(len);
                for _ in 0..len {
                    items.push(self.item(depth)?);
                }
                Ok(Value::Array(items))
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
                    let key = self.item(depth)?;
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
                    let value = self.item(depth)?;
                    entries.push((key, value));
                }
                Ok(Value::Map(entries))
            }
            6 => {
                let tag = match self.argument(info, start)? {
                    Some((tag, _)) => tag,
                    None => return Err(CborError::Malformed { offset: start }),
                };
                Err(CborError::Tag { tag, offset: start })
            }
            _ => match info {
                20 => Ok(Value::Bool(false)),
                21 => Ok(Value::Bool(true)),
                22 => Ok(Value::Null),
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
