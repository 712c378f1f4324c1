//! Object identifiers of any size.
//!
//! `const-oid` 0.9 (used by x509-cert 0.2) cannot represent a second arc
//! above 39, so it cannot hold OIDs under the X.660 example arc `2.999`
//! that entente uses as its placeholder. Extended key usages are therefore
//! decoded and encoded with this small type, which keeps the BER content
//! octets and renders dotted form.

use core::fmt;

/// An object identifier, kept as its DER content octets (X.690 §8.19).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oid(Box<[u8]>);

/// A dotted OID string or OID encoding is malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OidError {
    /// Not dotted decimal with at least two arcs, first arc 0-2.
    #[error("malformed dotted object identifier")]
    Dotted,
    /// Not a minimal base-128 encoding.
    #[error("malformed object identifier encoding")]
    Encoding,
}

fn push_base128(out: &mut Vec<u8>, mut value: u128) {
    let mut tmp = [0u8; 19];
    let mut n = 0usize;
    loop {
        if let Some(slot) = tmp.get_mut(n) {
            *slot = (value & 0x7f) as u8;
        }
        n += 1;
        value >>= 7;
        if value == 0 {
            break;
        }
    }
    for i in (0..n).rev() {
        let b = tmp.get(i).copied().unwrap_or(0);
        out.push(if i == 0 { b } else { b | 0x80 });
    }
}

impl Oid {
    /// Parses dotted decimal (`"2.999.1.1.1"`).
    pub fn parse(dotted: &str) -> Result<Self, OidError> {
        let arcs: Vec<u128> = dotted
            .split('.')
            .map(|a| {
                if a.is_empty() || (a.len() > 1 && a.starts_with('0')) {
                    return Err(OidError::Dotted);
                }
                a.parse::<u128>().map_err(|_| OidError::Dotted)
            })
            .collect::<Result<_, _>>()?;
        let (Some(&first), Some(&second)) = (arcs.first(), arcs.get(1)) else {
            return Err(OidError::Dotted);
        };
        if first > 2 || (first < 2 && second > 39) || second > u128::MAX / 2 {
            return Err(OidError::Dotted);
        }
        let mut out = Vec::new();
        push_base128(&mut out, first * 40 + second);
        for arc in arcs.iter().skip(2) {
            push_base128(&mut out, *arc);
        }
        Ok(Self(out.into_boxed_slice()))
    }

    /// Takes DER content octets, checking they are minimal base-128.
    pub fn from_content(bytes: &[u8]) -> Result<Self, OidError> {
        if bytes.is_empty() || bytes.last().is_some_and(|b| b & 0x80 != 0) {
            return Err(OidError::Encoding);
        }
        let mut start = true;
        for b in bytes {
            if start && *b == 0x80 {
                return Err(OidError::Encoding);
            }
            start = b & 0x80 == 0;
        }
        Ok(Self(bytes.into()))
    }

    /// The DER content octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// This OID with one more arc.
    pub fn child(&self, arc: u64) -> Self {
        let mut out = self.0.to_vec();
        push_base128(&mut out, u128::from(arc));
        Self(out.into_boxed_slice())
    }
}

impl From<der::asn1::ObjectIdentifier> for Oid {
    fn from(oid: der::asn1::ObjectIdentifier) -> Self {
        Self(oid.as_bytes().into())
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut value: u128 = 0;
        let mut first = true;
        for b in self.0.iter() {
            value = (value << 7) | u128::from(b & 0x7f);
            if b & 0x80 == 0 {
                if first {
                    let (a, rest) = if value < 40 {
                        (0, value)
                    } else if value < 80 {
                        (1, value - 40)
                    } else {
                        (2, value - 80)
                    };
                    write!(f, "{a}.{rest}")?;
                    first = false;
                } else {
                    write!(f, ".{value}")?;
                }
                value = 0;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// Decodes `SEQUENCE SIZE (1..MAX) OF OBJECT IDENTIFIER` (RFC 5280 §4.2.1.12).
pub(crate) fn decode_oid_sequence(der_bytes: &[u8]) -> Result<Vec<Oid>, der::Error> {
    use der::{Decode as _, Reader as _};
    let mut reader = der::SliceReader::new(der_bytes)?;
    let header = der::Header::decode(&mut reader)?;
    header.tag.assert_eq(der::Tag::Sequence)?;
    let mut out = Vec::new();
    let body = reader.read_slice(header.length)?;
    reader.finish(())?;
    let mut inner = der::SliceReader::new(body)?;
    while !inner.is_finished() {
        let h = der::Header::decode(&mut inner)?;
        h.tag.assert_eq(der::Tag::ObjectIdentifier)?;
        let content = inner.read_slice(h.length)?;
        out.push(Oid::from_content(content).map_err(|_| der::Tag::ObjectIdentifier.value_error())?);
    }
    if out.is_empty() {
        return Err(der::Tag::Sequence.value_error());
    }
    Ok(out)
}

/// Encodes `SEQUENCE OF OBJECT IDENTIFIER`.
pub(crate) fn encode_oid_sequence(oids: &[Oid]) -> Result<Vec<u8>, der::Error> {
    use der::Encode as _;
    let mut body = Vec::new();
    for oid in oids {
        let h = der::Header::new(
            der::Tag::ObjectIdentifier,
            der::Length::try_from(oid.0.len())?,
        )?;
        body.extend(h.to_der()?);
        body.extend_from_slice(&oid.0);
    }
    let h = der::Header::new(der::Tag::Sequence, der::Length::try_from(body.len())?)?;
    let mut out = h.to_der()?;
    out.extend(body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_arc_round_trips_through_dotted_form() {
        let oid = Oid::parse("2.999.1.1.5").unwrap();
        assert_eq!(oid.to_string(), "2.999.1.1.5");
        assert_eq!(oid.as_bytes(), &[0x88, 0x37, 0x01, 0x01, 0x05]);
        assert_eq!(Oid::from_content(oid.as_bytes()).unwrap(), oid);
    }

    #[test]
    fn non_minimal_oid_encoding_rejected() {
        assert_eq!(Oid::from_content(&[0x80, 0x01]), Err(OidError::Encoding));
        assert_eq!(Oid::from_content(&[0x81]), Err(OidError::Encoding));
    }

    #[test]
    fn oid_sequence_round_trips() {
        let oids = vec![
            Oid::parse("2.999.1.1.1").unwrap(),
            Oid::parse("1.3.6.1.5.5.7.3.1").unwrap(),
        ];
        let der = encode_oid_sequence(&oids).unwrap();
        assert_eq!(decode_oid_sequence(&der).unwrap(), oids);
    }
}
