//! The RFC 5280 §4.1 certificate structure, read in place with `der`.
//!
//! x509-cert decodes a certificate into an owned tree through readers nested
//! as deep as the ASN.1 (six levels for an attribute value), and every byte
//! read passes through each level's bookkeeping; for a small certificate that
//! was most of what entente spent besides signatures. This module reads the
//! same structure with the same `der` primitives and x509-cert's own
//! `Version` and `Validity`, one flat reader per level, borrowing from the
//! input. It must accept exactly what `x509_cert::Certificate::from_der`
//! accepts: [`crate::oracle::cert_decode`] checks that on every fuzz input and
//! on PKITS and its mutations, field by field.
//!
//! What x509-cert's derived decoders do, and this repeats: a `SEQUENCE`
//! holds exactly its fields (trailing bytes are an error); the optional
//! context-specific fields of `TBSCertificate` are read with
//! `ContextSpecific::decode_explicit`/`decode_implicit`, as derived; the
//! serial number is a DER INTEGER of at most 21 content octets; a
//! `RelativeDistinguishedName` is a `SET OF` with no two equal attributes
//! (x509-cert sorts the set, so order is not checked); an extension's
//! `critical` may be absent or a BOOLEAN.

use der::asn1::{AnyRef, BitStringRef, ContextSpecific, IntRef, ObjectIdentifier, OctetStringRef};
use der::{Decode as _, Header, Reader as _, SliceReader, Tag, TagNumber};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use x509_cert::Version;
use x509_cert::time::Validity;

use crate::name::{NameKey, check_name};

/// x509-cert's bound on a decoded serial number: 20 octets, or 21 when a
/// leading zero keeps a 20-octet value positive.
const MAX_SERIAL_LEN: usize = 21;

/// A certificate's fields, borrowed from its DER encoding.
#[derive(Debug)]
pub(crate) struct CertificateView<'a> {
    /// The `tbsCertificate` TLV: what the issuer signed.
    pub(crate) tbs: &'a [u8],
    pub(crate) version: Version,
    pub(crate) serial: IntRef<'a>,
    /// The signature algorithm inside `tbsCertificate`.
    pub(crate) tbs_signature: AlgorithmIdentifierRef<'a>,
    /// The issuer `Name` TLV, and its key.
    pub(crate) issuer: &'a [u8],
    pub(crate) issuer_key: NameKey,
    pub(crate) validity: Validity,
    /// The subject `Name` TLV, and its key.
    pub(crate) subject: &'a [u8],
    pub(crate) subject_key: NameKey,
    /// The `SubjectPublicKeyInfo` TLV, and the same decoded.
    pub(crate) spki_der: &'a [u8],
    pub(crate) spki: SubjectPublicKeyInfoRef<'a>,
    pub(crate) extensions: Vec<ExtensionView<'a>>,
    /// Whether the `[3]` extensions field is present (even if empty).
    pub(crate) has_extensions: bool,
    /// The outer `signatureAlgorithm`.
    pub(crate) signature_algorithm: AlgorithmIdentifierRef<'a>,
    pub(crate) signature: BitStringRef<'a>,
}

/// One `Extension`, borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExtensionView<'a> {
    pub(crate) id: ObjectIdentifier,
    pub(crate) critical: bool,
    /// The content of `extnValue`: the DER of the extension's own type.
    pub(crate) value: &'a [u8],
}

/// Reads one TLV of tag `tag` and returns its content.
fn content<'a>(reader: &mut SliceReader<'a>, tag: Tag) -> der::Result<&'a [u8]> {
    let header = Header::decode(reader)?;
    header.tag.assert_eq(tag)?;
    reader.read_slice(header.length)
}

/// A reader over the content of the `SEQUENCE` that is all of `bytes`.
fn sequence(bytes: &[u8]) -> der::Result<SliceReader<'_>> {
    let mut outer = SliceReader::new(bytes)?;
    let inner = content(&mut outer, Tag::Sequence)?;
    outer.finish(())?;
    SliceReader::new(inner)
}

impl<'a> CertificateView<'a> {
    /// Reads a DER certificate; the input must be exactly one certificate.
    pub(crate) fn decode(der: &'a [u8]) -> der::Result<Self> {
        let mut cert = sequence(der)?;
        let tbs = cert.tlv_bytes()?;
        let signature_algorithm = AlgorithmIdentifierRef::decode(&mut cert)?;
        let signature = BitStringRef::decode(&mut cert)?;
        cert.finish(())?;

        let mut t = sequence(tbs)?;
        let version = ContextSpecific::<Version>::decode_explicit(&mut t, TagNumber::N0)?
            .map(|cs| cs.value)
            .unwrap_or_default();
        let serial = IntRef::decode(&mut t)?;
        if serial.as_bytes().len() > MAX_SERIAL_LEN {
            return Err(Tag::Integer.value_error());
        }
        let tbs_signature = AlgorithmIdentifierRef::decode(&mut t)?;
        let issuer = t.tlv_bytes()?;
        let issuer_key = check_name(issuer)?;
        let validity = Validity::decode(&mut t)?;
        let subject = t.tlv_bytes()?;
        let subject_key = check_name(subject)?;
        let spki_der = t.tlv_bytes()?;
        let mut key = sequence(spki_der)?;
        let spki = SubjectPublicKeyInfoRef {
            algorithm: AlgorithmIdentifierRef::decode(&mut key)?,
            subject_public_key: BitStringRef::decode(&mut key)?,
        };
        key.finish(())?;
        ContextSpecific::<BitStringRef<'_>>::decode_implicit(&mut t, TagNumber::N1)?;
        ContextSpecific::<BitStringRef<'_>>::decode_implicit(&mut t, TagNumber::N2)?;
        let list = ContextSpecific::<AnyRef<'_>>::decode_explicit(&mut t, TagNumber::N3)?;
        t.finish(())?;
        let extensions = match list {
            Some(cs) => {
                der::Tagged::tag(&cs.value).assert_eq(Tag::Sequence)?;
                extensions(cs.value.value())?
            }
            None => Vec::new(),
        };
        Ok(Self {
            tbs,
            version,
            serial,
            tbs_signature,
            issuer,
            issuer_key,
            validity,
            subject,
            subject_key,
            spki_der,
            spki,
            extensions,
            has_extensions: list.is_some(),
            signature_algorithm,
            signature,
        })
    }
}

/// Reads the content of `Extensions ::= SEQUENCE OF Extension`.
fn extensions(list_content: &[u8]) -> der::Result<Vec<ExtensionView<'_>>> {
    let mut list = SliceReader::new(list_content)?;
    let mut out = Vec::new();
    while !list.is_finished() {
        let mut e = SliceReader::new(content(&mut list, Tag::Sequence)?)?;
        let id = ObjectIdentifier::decode(&mut e)?;
        let critical = Option::<bool>::decode(&mut e)?.unwrap_or_default();
        let value = OctetStringRef::decode(&mut e)?.as_bytes();
        e.finish(())?;
        out.push(ExtensionView {
            id,
            critical,
            value,
        });
    }
    Ok(out)
}

/// Walks the `Name` TLV `name` (`RDNSequence ::= SEQUENCE OF SET OF
/// AttributeTypeAndValue`) in order, calling `each` with `None` as each RDN
/// starts and with `Some((type, value))` for each of its attributes; refuses
/// what x509-cert refuses: a wrong tag, trailing bytes, and an RDN that holds
/// the same attribute twice. Allocates nothing.
pub(crate) fn for_each_rdn<'a>(
    name: &'a [u8],
    mut each: impl FnMut(Option<(ObjectIdentifier, AnyRef<'a>)>),
) -> der::Result<()> {
    let mut rdns = sequence(name)?;
    while !rdns.is_finished() {
        let rdn = content(&mut rdns, Tag::Set)?;
        each(None);
        let mut atvs = SliceReader::new(rdn)?;
        let mut seen = 0usize;
        while !atvs.is_finished() {
            let body = content(&mut atvs, Tag::Sequence)?;
            let mut atv = SliceReader::new(body)?;
            let oid = ObjectIdentifier::decode(&mut atv)?;
            let value = AnyRef::decode(&mut atv)?;
            atv.finish(())?;
            if occurs_in(rdn, seen, body) {
                return Err(der::ErrorKind::SetDuplicate.into());
            }
            seen = seen.saturating_add(1);
            each(Some((oid, value)));
        }
    }
    Ok(())
}

/// Whether `body` is the content of one of the first `count` attributes
/// of `set`, which were read before. Two attributes compare equal in DER
/// order exactly when their encodings are the same bytes, that is (both
/// being SEQUENCEs) their contents. Quadratic in the attributes of one
/// RDN, as x509-cert's insertion sort of the set is.
fn occurs_in(set: &[u8], count: usize, body: &[u8]) -> bool {
    let Ok(mut earlier) = SliceReader::new(set) else {
        return false;
    };
    (0..count).any(|_| content(&mut earlier, Tag::Sequence).is_ok_and(|e| e == body))
}
