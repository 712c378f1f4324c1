//! Decoding certificates (RFC 5280 §4.1) and the extensions path validation reads (§4.2).

use core::ops::Range;
use std::sync::{Arc, OnceLock};

use der::asn1::{BitStringRef, ObjectIdentifier};
use der::{Decode as _, Reader as _};
use entente_core::{CryptoError, Digest256, PublicKey, UnixTime};
use x509_cert::ext::pkix::name::GeneralName;

use crate::error::DecodeError;
use crate::name::{NameKey, NormalizedName};
use crate::structure::{CertificateView, ExtensionView};

/// The largest certificate or CRL accepted, in bytes: real certificates are a
/// few kilobytes; the bound keeps hostile inputs from costing memory and time.
pub const MAX_DER_LEN: usize = 64 * 1024;

/// Key usage bits (RFC 5280 §4.2.1.3), numbered as in the ASN.1.
pub(crate) mod ku {
    pub(crate) const KEY_CERT_SIGN: u16 = 1 << 5;
    pub(crate) const CRL_SIGN: u16 = 1 << 6;
}

/// `anyPolicy` (RFC 5280 §4.2.1.4).
pub const ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32.0");
/// `anyExtendedKeyUsage` (RFC 5280 §4.2.1.12).
pub(crate) const ANY_EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");

/// A decoded X.509 v3 certificate, with the bytes it was decoded from.
///
/// Decoding is strict DER: the structure of RFC 5280 §4.1 is read in place
/// with `der` and accepts exactly what x509-cert accepts (the fuzz oracle
/// checks that on every input), then every extension that path validation
/// reads is decoded with x509-cert's types; a malformed or duplicated
/// extension is a decode error. The signature is later verified over the
/// `tbsCertificate` bytes as received, never over a re-encoding.
///
/// Cloning is cheap (reference counts): validated paths hold clones.
#[derive(Clone, Debug)]
pub struct Certificate {
    der: Arc<[u8]>,
    tbs: Range<usize>,
    serial: Range<usize>,
    issuer_der: Range<usize>,
    subject_der: Range<usize>,
    spki_der: Range<usize>,
    /// `None` when the BIT STRING has unused bits (no signature algorithm
    /// entente supports produces one).
    signature: Option<Range<usize>>,
    pub(crate) signature_algorithm: ObjectIdentifier,
    /// The names normalized for comparison (RFC 5280 §7.1), made when a
    /// comparison first needs them: names equal byte for byte (the common
    /// case along a chain) never are.
    subject: OnceLock<NormalizedName>,
    issuer: OnceLock<NormalizedName>,
    pub(crate) subject_key: NameKey,
    pub(crate) issuer_key: NameKey,
    pub(crate) key: Result<PublicKey, CryptoError>,
    pub(crate) not_before: UnixTime,
    pub(crate) not_after: UnixTime,
    pub(crate) ext: Arc<Extensions>,
    /// SHA-256 of the DER, made when first asked for.
    digest: OnceLock<Digest256>,
}

/// The extensions path validation reads, decoded once.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extensions {
    /// `(cA, pathLenConstraint)`.
    pub(crate) basic_constraints: Option<(bool, Option<u8>)>,
    pub(crate) key_usage: Option<u16>,
    pub(crate) eku: Option<Vec<crate::oid::Oid>>,
    pub(crate) name_constraints: Option<x509_cert::ext::pkix::NameConstraints>,
    pub(crate) policies: Option<Vec<ObjectIdentifier>>,
    pub(crate) policy_mappings: Option<Vec<(ObjectIdentifier, ObjectIdentifier)>>,
    /// `(requireExplicitPolicy, inhibitPolicyMapping)`.
    pub(crate) policy_constraints: Option<(Option<u32>, Option<u32>)>,
    pub(crate) inhibit_any_policy: Option<u32>,
    pub(crate) subject_alt_names: Option<Vec<GeneralName>>,
    pub(crate) subject_key_id: Option<Vec<u8>>,
    pub(crate) authority_key_id: Option<Vec<u8>>,
    pub(crate) crl_distribution_points: Option<x509_cert::ext::pkix::CrlDistributionPoints>,
    /// Critical extensions this crate does not process (RFC 5280 §4.2: a
    /// certificate with one MUST be rejected).
    pub(crate) unknown_critical: Vec<ObjectIdentifier>,
    /// Every extension in order: its id, criticality and where its value
    /// lies in the certificate's DER.
    pub(crate) all: Vec<(ObjectIdentifier, bool, Range<usize>)>,
}

/// Splits `SEQUENCE { first TLV, ... }` and returns the range of the first TLV.
pub(crate) fn first_inner_tlv(bytes: &[u8]) -> Result<core::ops::Range<usize>, der::Error> {
    let mut outer = der::SliceReader::new(bytes)?;
    let header = der::Header::decode(&mut outer)?;
    header.tag.assert_eq(der::Tag::Sequence)?;
    let start = usize::try_from(outer.position())?;
    let inner = outer.tlv_bytes()?;
    Ok(start..start.saturating_add(inner.len()))
}

pub(crate) fn time_to_unix(time: &x509_cert::time::Time) -> UnixTime {
    UnixTime::from_secs(time.to_unix_duration().as_secs())
}

impl Certificate {
    /// Decodes a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, DecodeError> {
        if der.len() > MAX_DER_LEN {
            return Err(DecodeError::TooLarge(der.len()));
        }
        let view = CertificateView::decode(der).map_err(DecodeError::Der)?;
        if view.tbs_signature != view.signature_algorithm {
            return Err(DecodeError::SignatureAlgorithmMismatch);
        }
        let ext = decode_extensions(der, &view.extensions)?;
        if view.has_extensions && view.version != x509_cert::Version::V3 {
            return Err(DecodeError::ExtensionsBeforeV3);
        }
        let at = |part: &[u8]| range_in(der, part);
        Ok(Self {
            tbs: at(view.tbs),
            serial: at(view.serial.as_bytes()),
            issuer_der: at(view.issuer),
            subject_der: at(view.subject),
            spki_der: at(view.spki_der),
            signature: view.signature.as_bytes().map(at),
            signature_algorithm: view.signature_algorithm.oid,
            key: PublicKey::from_spki(&view.spki),
            subject: OnceLock::new(),
            issuer: OnceLock::new(),
            subject_key: view.subject_key,
            issuer_key: view.issuer_key,
            not_before: time_to_unix(&view.validity.not_before),
            not_after: time_to_unix(&view.validity.not_after),
            digest: OnceLock::new(),
            ext: Arc::new(ext),
            der: der.into(),
        })
    }

    /// Decodes a PEM certificate (`-----BEGIN CERTIFICATE-----`).
    pub fn from_pem(pem: &str) -> Result<Self, DecodeError> {
        let (label, der) =
            der::pem::decode_vec(pem.trim().as_bytes()).map_err(|e| DecodeError::Der(e.into()))?;
        if label != "CERTIFICATE" {
            return Err(DecodeError::PemLabel);
        }
        Self::from_der(&der)
    }

    /// Encodes the certificate as PEM (`-----BEGIN CERTIFICATE-----`, RFC
    /// 7468), the form OpenSSL reads.
    pub fn to_pem(&self) -> Result<String, DecodeError> {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der)
            .map_err(|e| DecodeError::Der(e.into()))
    }

    /// Decodes every certificate of a PEM bundle, in order.
    pub fn all_from_pem(pem: &str) -> Result<Vec<Self>, DecodeError> {
        const END: &str = "-----END CERTIFICATE-----";
        let mut out = Vec::new();
        let mut rest = pem;
        while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
            let tail = rest.get(start..).unwrap_or_default();
            let Some(end) = tail.find(END) else {
                return Err(DecodeError::PemLabel);
            };
            let stop = end.saturating_add(END.len());
            out.push(Self::from_pem(tail.get(..stop).unwrap_or_default())?);
            rest = tail.get(stop..).unwrap_or_default();
        }
        Ok(out)
    }

    /// The DER bytes this certificate was decoded from.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The `tbsCertificate` bytes as received: what the issuer signed.
    pub(crate) fn tbs_der(&self) -> &[u8] {
        self.part(&self.tbs)
    }

    pub(crate) fn signature_bytes(&self) -> Option<&[u8]> {
        self.signature.clone().and_then(|r| self.der.get(r))
    }

    /// SHA-256 of the DER encoding.
    pub fn digest(&self) -> Digest256 {
        *self.digest.get_or_init(|| Digest256::sha256(&self.der))
    }

    /// Where the DER bytes live: the same for clones, distinct among
    /// certificates alive at once (a cache key within one validation).
    pub(crate) fn address(&self) -> usize {
        self.der.as_ptr().addr()
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn spki_der(&self) -> &[u8] {
        self.part(&self.spki_der)
    }

    /// The DER issuer `Name`.
    pub fn issuer_der(&self) -> &[u8] {
        self.part(&self.issuer_der)
    }

    /// The DER subject `Name`.
    pub fn subject_der(&self) -> &[u8] {
        self.part(&self.subject_der)
    }

    /// The issuer name (x509-cert's `Name`, decoded on each call).
    pub fn issuer_name(&self) -> Result<x509_cert::name::Name, DecodeError> {
        x509_cert::name::Name::from_der(self.issuer_der()).map_err(DecodeError::Der)
    }

    /// The subject name (x509-cert's `Name`, decoded on each call).
    pub fn subject_name(&self) -> Result<x509_cert::name::Name, DecodeError> {
        x509_cert::name::Name::from_der(self.subject_der()).map_err(DecodeError::Der)
    }

    /// The bytes of the certificate at `range`.
    pub(crate) fn part(&self, range: &Range<usize>) -> &[u8] {
        self.der.get(range.clone()).unwrap_or_default()
    }

    /// The subject public key, if entente supports its algorithm.
    pub fn public_key(&self) -> Result<&PublicKey, CryptoError> {
        self.key.as_ref().map_err(Clone::clone)
    }

    /// The whole certificate in x509-cert's types, decoded on each call
    /// (the decoder this type keeps reads in place and holds no such tree).
    pub fn to_x509(&self) -> Result<x509_cert::Certificate, DecodeError> {
        x509_cert::Certificate::from_der(&self.der).map_err(DecodeError::Der)
    }

    /// The serial number's content bytes (two's complement, big-endian).
    pub fn serial(&self) -> &[u8] {
        self.part(&self.serial)
    }

    /// The validity period (RFC 5280 §4.1.2.5).
    pub fn validity(&self) -> entente_core::Validity {
        entente_core::Validity {
            not_before: self.not_before,
            not_after: self.not_after,
        }
    }

    /// The extension `id`, if present: whether it is marked critical, and
    /// the DER of its value (the content of `extnValue`). For checks of
    /// extensions this crate does not read, e.g. in
    /// [`crate::CredentialProfile::extra_checks`].
    pub fn extension(&self, id: &ObjectIdentifier) -> Option<(bool, &[u8])> {
        self.ext
            .all
            .iter()
            .find(|(oid, _, _)| oid == id)
            .map(|(_, critical, value)| (*critical, self.part(value)))
    }

    /// The extended key usages, if the certificate has the extension.
    pub fn extended_key_usage(&self) -> Option<&[crate::oid::Oid]> {
        self.ext.eku.as_deref()
    }

    /// Whether the subject and issuer names match (RFC 5280 §6.1: "self-issued").
    pub fn is_self_issued(&self) -> bool {
        self.subject_ref() == self.issuer_ref()
    }

    /// The subject, normalized for comparison.
    pub(crate) fn subject_normalized(&self) -> &NormalizedName {
        self.subject_ref().normalized()
    }

    /// The issuer, normalized for comparison.
    pub(crate) fn issuer_normalized(&self) -> &NormalizedName {
        self.issuer_ref().normalized()
    }

    /// Whether this certificate's subject names `child`'s issuer (RFC 5280
    /// §7.1 name matching).
    pub(crate) fn names_issuer_of(&self, child: &Self) -> bool {
        self.subject_ref() == child.issuer_ref()
    }

    /// Whether the two certificates have the same subject.
    pub(crate) fn same_subject(&self, other: &Self) -> bool {
        self.subject_ref() == other.subject_ref()
    }

    fn subject_ref(&self) -> CertName<'_> {
        CertName {
            der: self.subject_der(),
            key: self.subject_key,
            normalized: &self.subject,
        }
    }

    fn issuer_ref(&self) -> CertName<'_> {
        CertName {
            der: self.issuer_der(),
            key: self.issuer_key,
            normalized: &self.issuer,
        }
    }

    /// Whether basicConstraints says `cA`.
    pub fn is_ca(&self) -> bool {
        matches!(self.ext.basic_constraints, Some((true, _)))
    }

    pub(crate) fn key_usage_allows(&self, bit: u16) -> bool {
        self.ext.key_usage.is_none_or(|bits| bits & bit != 0)
    }
}

fn decode_ext<'a, T: der::Decode<'a>>(
    oid: ObjectIdentifier,
    bytes: &'a [u8],
) -> Result<T, DecodeError> {
    T::from_der(bytes).map_err(|source| DecodeError::Extension { oid, source })
}

/// One of a certificate's names, checked by its decoding: the DER, its
/// key, and the normalized form, made when a comparison first needs it and
/// kept on the certificate.
struct CertName<'a> {
    der: &'a [u8],
    key: NameKey,
    normalized: &'a OnceLock<NormalizedName>,
}

impl<'a> CertName<'a> {
    fn normalized(&self) -> &'a NormalizedName {
        let der = self.der;
        self.normalized
            .get_or_init(|| NormalizedName::of_checked(der))
    }
}

/// RFC 5280 §7.1 equality: the same bytes are the same name, differing
/// keys different names; else the normalized forms decide.
impl PartialEq for CertName<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
            || (!self.key.differs(other.key) && self.normalized() == other.normalized())
    }
}

/// Where `part`, a slice of `whole`, lies in it.
fn range_in(whole: &[u8], part: &[u8]) -> Range<usize> {
    let start = part.as_ptr().addr().saturating_sub(whole.as_ptr().addr());
    start..start.saturating_add(part.len())
}

fn decode_extensions(der: &[u8], list: &[ExtensionView<'_>]) -> Result<Extensions, DecodeError> {
    use x509_cert::ext::pkix as px;
    let mut out = Extensions {
        all: Vec::with_capacity(list.len()),
        ..Extensions::default()
    };
    for ext in list {
        let oid = ext.id;
        if out
            .all
            .iter()
            .any(|(seen, _, _)| seen.as_bytes() == oid.as_bytes())
        {
            return Err(DecodeError::DuplicateExtension(oid));
        }
        out.all.push((oid, ext.critical, range_in(der, ext.value)));
        let v = ext.value;
        match id_ce_arc(&oid) {
            Some(ce::BASIC_CONSTRAINTS) => {
                let bc: px::BasicConstraints = decode_ext(oid, v)?;
                out.basic_constraints = Some((bc.ca, bc.path_len_constraint));
            }
            Some(ce::KEY_USAGE) => {
                let bits: BitStringRef<'_> = decode_ext(oid, v)?;
                let mut value = 0u16;
                for (i, byte) in bits.raw_bytes().iter().take(2).enumerate() {
                    for b in 0..8u16 {
                        if byte & (0x80 >> b) != 0 {
                            value |= 1 << (b + 8 * u16::try_from(i).unwrap_or(0));
                        }
                    }
                }
                out.key_usage = Some(value);
            }
            Some(ce::EXT_KEY_USAGE) => {
                out.eku = Some(
                    crate::oid::decode_oid_sequence(v)
                        .map_err(|source| DecodeError::Extension { oid, source })?,
                );
            }
            Some(ce::NAME_CONSTRAINTS) => {
                out.name_constraints = Some(decode_ext(oid, v)?);
            }
            Some(ce::CERTIFICATE_POLICIES) => {
                let p: px::CertificatePolicies = decode_ext(oid, v)?;
                let mut oids = Vec::with_capacity(p.0.len());
                for info in p.0 {
                    if oids.contains(&info.policy_identifier) {
                        return Err(DecodeError::DuplicatePolicy(info.policy_identifier));
                    }
                    oids.push(info.policy_identifier);
                }
                out.policies = Some(oids);
            }
            Some(ce::POLICY_MAPPINGS) => {
                let m: px::PolicyMappings = decode_ext(oid, v)?;
                out.policy_mappings = Some(
                    m.0.into_iter()
                        .map(|m| (m.issuer_domain_policy, m.subject_domain_policy))
                        .collect(),
                );
            }
            Some(ce::POLICY_CONSTRAINTS) => {
                let c: px::PolicyConstraints = decode_ext(oid, v)?;
                if c.require_explicit_policy.is_none() && c.inhibit_policy_mapping.is_none() {
                    // RFC 5280 §4.2.1.11: "MUST NOT issue ... where policyConstraints
                    // is an empty sequence".
                    return Err(DecodeError::Extension {
                        oid,
                        source: der::ErrorKind::Value {
                            tag: der::Tag::Sequence,
                        }
                        .into(),
                    });
                }
                out.policy_constraints =
                    Some((c.require_explicit_policy, c.inhibit_policy_mapping));
            }
            Some(ce::INHIBIT_ANY_POLICY) => {
                let c: px::InhibitAnyPolicy = decode_ext(oid, v)?;
                out.inhibit_any_policy = Some(c.0);
            }
            Some(ce::SUBJECT_ALT_NAME) => {
                let san: px::SubjectAltName = decode_ext(oid, v)?;
                out.subject_alt_names = Some(san.0);
            }
            Some(ce::SUBJECT_KEY_IDENTIFIER) => {
                let ski: px::SubjectKeyIdentifier = decode_ext(oid, v)?;
                out.subject_key_id = Some(ski.0.as_bytes().to_vec());
            }
            Some(ce::AUTHORITY_KEY_IDENTIFIER) => {
                let aki: px::AuthorityKeyIdentifier = decode_ext(oid, v)?;
                out.authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
            }
            Some(ce::CRL_DISTRIBUTION_POINTS) => {
                out.crl_distribution_points = Some(decode_ext(oid, v)?);
            }
            _ if ext.critical => out.unknown_critical.push(oid),
            _ => {}
        }
    }
    Ok(out)
}

/// The last arc of an `id-ce` (2.5.29) extension identifier. Every
/// extension entente reads is one of these, encoded as `55 1d` and one
/// byte, so the byte picks the decoder without comparing whole identifiers.
fn id_ce_arc(oid: &ObjectIdentifier) -> Option<u8> {
    match oid.as_bytes() {
        [0x55, 0x1d, arc] => Some(*arc),
        _ => None,
    }
}

/// The `id-ce` arcs of the extensions entente reads (RFC 5280 §4.2.1).
mod ce {
    pub(super) const SUBJECT_KEY_IDENTIFIER: u8 = 14;
    pub(super) const KEY_USAGE: u8 = 15;
    pub(super) const SUBJECT_ALT_NAME: u8 = 17;
    pub(super) const BASIC_CONSTRAINTS: u8 = 19;
    pub(super) const NAME_CONSTRAINTS: u8 = 30;
    pub(super) const CRL_DISTRIBUTION_POINTS: u8 = 31;
    pub(super) const CERTIFICATE_POLICIES: u8 = 32;
    pub(super) const POLICY_MAPPINGS: u8 = 33;
    pub(super) const AUTHORITY_KEY_IDENTIFIER: u8 = 35;
    pub(super) const POLICY_CONSTRAINTS: u8 = 36;
    pub(super) const EXT_KEY_USAGE: u8 = 37;
    pub(super) const INHIBIT_ANY_POLICY: u8 = 54;
}

#[cfg(test)]
mod tests {
    use super::*;
    use const_oid::db::rfc5280 as ids;

    #[test]
    fn id_ce_arcs_are_the_registered_identifiers() {
        let registered = [
            (
                ids::ID_CE_SUBJECT_KEY_IDENTIFIER,
                ce::SUBJECT_KEY_IDENTIFIER,
            ),
            (ids::ID_CE_KEY_USAGE, ce::KEY_USAGE),
            (ids::ID_CE_SUBJECT_ALT_NAME, ce::SUBJECT_ALT_NAME),
            (ids::ID_CE_BASIC_CONSTRAINTS, ce::BASIC_CONSTRAINTS),
            (ids::ID_CE_NAME_CONSTRAINTS, ce::NAME_CONSTRAINTS),
            (
                ids::ID_CE_CRL_DISTRIBUTION_POINTS,
                ce::CRL_DISTRIBUTION_POINTS,
            ),
            (ids::ID_CE_CERTIFICATE_POLICIES, ce::CERTIFICATE_POLICIES),
            (ids::ID_CE_POLICY_MAPPINGS, ce::POLICY_MAPPINGS),
            (
                ids::ID_CE_AUTHORITY_KEY_IDENTIFIER,
                ce::AUTHORITY_KEY_IDENTIFIER,
            ),
            (ids::ID_CE_POLICY_CONSTRAINTS, ce::POLICY_CONSTRAINTS),
            (ids::ID_CE_EXT_KEY_USAGE, ce::EXT_KEY_USAGE),
            (ids::ID_CE_INHIBIT_ANY_POLICY, ce::INHIBIT_ANY_POLICY),
        ];
        for (oid, arc) in registered {
            assert_eq!(id_ce_arc(&oid), Some(arc), "{oid}");
        }
        // Longer identifiers under id-ce, and other arcs, are not these.
        assert_eq!(id_ce_arc(&ids::ANY_POLICY), None);
        assert_eq!(id_ce_arc(&ids::ID_PE_AUTHORITY_INFO_ACCESS), None);
    }
}
