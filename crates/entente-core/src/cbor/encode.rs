//! The deterministic encoding of a [`Value`], and the pieces of the
//! encoding every writer shares: heads in shortest form and the depth bound.

use ciborium::Value;

use super::{CborError, Limits};

/// Appends the deterministic encoding of `value` to `out`.
///
/// Map entries are written sorted by their encoded keys; a map with two
/// equal keys, keys of different types, a float, a tag, or nesting deeper
/// than [`Limits::DOCUMENT`] allows is refused, since the decoder would
/// refuse the result.
pub fn encode_value(value: &Value, out: &mut Vec<u8>) -> Result<(), CborError> {
    super::ser::encode_into(value, out)
}

/// Appends the head of an item of major type `major` with argument `arg`.
pub(super) fn head(out: &mut Vec<u8>, major: u8, arg: u64) {
    if arg < 24 {
        // INVARIANT: the argument fits the initial byte (the common case).
        out.push((major << 5) | arg as u8);
        return;
    }
    let (bytes, len) = head_bytes(major, arg);
    out.extend_from_slice(bytes.get(..len).unwrap_or_default());
}

/// The head of an item of major type `major` with argument `arg`, in
/// shortest form (RFC 8949 §4.2.1): the bytes and how many of them count.
pub(super) fn head_bytes(major: u8, arg: u64) -> ([u8; 9], usize) {
    let major = major << 5;
    let be = arg.to_be_bytes();
    // INVARIANT: each arm picks the shortest form for `arg`.
    let (info, size) = if arg < 24 {
        (arg as u8, 0)
    } else if arg <= u64::from(u8::MAX) {
        (24, 1)
    } else if arg <= u64::from(u16::MAX) {
        (25, 2)
    } else if arg <= u64::from(u32::MAX) {
        (26, 4)
    } else {
        (27, 8)
    };
    let mut bytes = [major | info, 0, 0, 0, 0, 0, 0, 0, 0];
    if let (Some(dst), Some(src)) = (bytes.get_mut(1..=size), be.get(8 - size..)) {
        dst.copy_from_slice(src);
    }
    (bytes, size + 1)
}

/// A length as a CBOR argument.
pub(super) fn len_arg(len: usize) -> u64 {
    // usize is at most 64 bits on every supported target.
    u64::try_from(len).unwrap_or(u64::MAX)
}

/// The depth inside one more array or map, refused beyond
/// [`Limits::DOCUMENT`].
pub(super) fn descend(depth: usize) -> Result<usize, CborError> {
    let next = depth + 1;
    if next > Limits::DOCUMENT.max_depth {
        return Err(CborError::TooDeep {
            limit: Limits::DOCUMENT.max_depth,
        });
    }
    Ok(next)
}
