//! The deterministic encoder: a [`Value`] to its one canonical byte form.

use ciborium::Value;

use super::{CborError, Limits, Unencodable, key_class};

/// Appends the deterministic encoding of `value` to `out`.
///
/// Map entries are written sorted by their encoded keys; a map with two
/// equal keys, keys of different types, a float, a tag, or nesting deeper
/// than [`Limits::DOCUMENT`] allows is refused, since the decoder would
/// refuse the result.
pub fn encode_value(value: &Value, out: &mut Vec<u8>) -> Result<(), CborError> {
    encode(value, out, 0)
}

fn head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let major = major << 5;
    // INVARIANT: each arm writes the shortest form for `arg` (RFC 8949 §4.2.1).
    if arg < 24 {
        out.push(major | arg as u8);
    } else if let Ok(a) = u8::try_from(arg) {
        out.push(major | 24);
        out.push(a);
    } else if let Ok(a) = u16::try_from(arg) {
        out.push(major | 25);
        out.extend_from_slice(&a.to_be_bytes());
    } else if let Ok(a) = u32::try_from(arg) {
        out.push(major | 26);
        out.extend_from_slice(&a.to_be_bytes());
    } else {
        out.push(major | 27);
        out.extend_from_slice(&arg.to_be_bytes());
    }
}

fn len_arg(len: usize) -> u64 {
    // usize is at most 64 bits on every supported target.
    u64::try_from(len).unwrap_or(u64::MAX)
}

fn encode(value: &Value, out: &mut Vec<u8>, depth: usize) -> Result<(), CborError> {
    match value {
        Value::Integer(int) => {
            let n = i128::from(*int);
            if n >= 0 {
                head(out, 0, u64::try_from(n).map_err(|_| overflow())?);
            } else {
                head(out, 1, u64::try_from(-1 - n).map_err(|_| overflow())?);
            }
        }
        Value::Bytes(bytes) => {
            head(out, 2, len_arg(bytes.len()));
            out.extend_from_slice(bytes);
        }
        Value::Text(text) => {
            head(out, 3, len_arg(text.len()));
            out.extend_from_slice(text.as_bytes());
        }
        Value::Array(items) => {
            let depth = descend(depth)?;
            head(out, 4, len_arg(items.len()));
            for item in items {
                encode(item, out, depth)?;
            }
        }
        Value::Map(entries) => {
            let depth = descend(depth)?;
            let mut encoded: Vec<(Vec<u8>, &Value)> = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                let mut key_bytes = Vec::new();
                encode(key, &mut key_bytes, depth)?;
                encoded.push((key_bytes, value));
            }
            encoded.sort_by(|a, b| a.0.cmp(&b.0));
            let mut class = None;
            for pair in encoded.windows(2) {
                if let [a, b] = pair {
                    if a.0 == b.0 {
                        return Err(CborError::Unencodable(Unencodable::DuplicateKey));
                    }
                }
            }
            head(out, 5, len_arg(encoded.len()));
            for (key_bytes, value) in encoded {
                let this_class = key_bytes.first().map(|b| key_class(b >> 5));
                if class.is_some() && class != this_class {
                    return Err(CborError::Unencodable(Unencodable::MixedKeyTypes));
                }
                class = this_class;
                out.extend_from_slice(&key_bytes);
                encode(value, out, depth)?;
            }
        }
        Value::Bool(false) => out.push(0xf4),
        Value::Bool(true) => out.push(0xf5),
        Value::Null => out.push(0xf6),
        Value::Float(_) => return Err(CborError::Unencodable(Unencodable::Float)),
        Value::Tag(tag, _) => return Err(CborError::Unencodable(Unencodable::Tag(*tag))),
        _ => return Err(CborError::Unencodable(Unencodable::Other)),
    }
    Ok(())
}

fn overflow() -> CborError {
    CborError::Unencodable(Unencodable::Integer)
}

fn descend(depth: usize) -> Result<usize, CborError> {
    let next = depth + 1;
    if next > Limits::DOCUMENT.max_depth {
        return Err(CborError::TooDeep {
            limit: Limits::DOCUMENT.max_depth,
        });
    }
    Ok(next)
}
