//! Certificate revocation lists (RFC 5280 §5) and their use in validation (§6.3).

use core::fmt;

use const_oid::db::rfc5280 as ids;
use der::Decode as _;
use der::asn1::ObjectIdentifier;
use entente_core::{Digest256, UnixTime};
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;

use crate::cert::{MAX_DER_LEN, first_inner_tlv, time_to_unix};
use crate::error::DecodeError;
use crate::name::NormalizedName;

/// ReasonFlags bits 1 to 8 (RFC 5280 §4.2.1.13): every revocation reason.
pub(crate) const ALL_REASONS: u16 = 0x1fe;

fn uint_to_u128(bytes: &[u8]) -> Option<u128> {
    let trimmed: &[u8] = {
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        bytes.get(start..).unwrap_or_default()
    };
    if trimmed.len() > 16 {
        return None;
    }
    Some(
        trimmed
            .iter()
            .fold(0u128, |acc, b| (acc << 8) | u128::from(*b)),
    )
}

/// A CRL entry's reason code (RFC 5280 §5.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationReason {
    /// unspecified (0), also used when the entry has no reason code.
    Unspecified,
    /// keyCompromise (1).
    KeyCompromise,
    /// cACompromise (2).
    CaCompromise,
    /// affiliationChanged (3).
    AffiliationChanged,
    /// superseded (4).
    Superseded,
    /// cessationOfOperation (5).
    CessationOfOperation,
    /// certificateHold (6).
    CertificateHold,
    /// removeFromCRL (8), meaningful only in delta CRLs.
    RemoveFromCrl,
    /// privilegeWithdrawn (9).
    PrivilegeWithdrawn,
    /// aACompromise (10).
    AaCompromise,
}

impl RevocationReason {
    /// The reason for an ASN.1 `CRLReason` value.
    pub fn from_code(code: u32) -> Option<Self> {
        Some(match code {
            0 => Self::Unspecified,
            1 => Self::KeyCompromise,
            2 => Self::CaCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            6 => Self::CertificateHold,
            8 => Self::RemoveFromCrl,
            9 => Self::PrivilegeWithdrawn,
            10 => Self::AaCompromise,
            _ => return None,
        })
    }

    /// The ASN.1 `CRLReason` value.
    pub const fn code(self) -> u32 {
        match self {
            Self::Unspecified => 0,
            Self::KeyCompromise => 1,
            Self::CaCompromise => 2,
            Self::AffiliationChanged => 3,
            Self::Superseded => 4,
            Self::CessationOfOperation => 5,
            Self::CertificateHold => 6,
            Self::RemoveFromCrl => 8,
            Self::PrivilegeWithdrawn => 9,
            Self::AaCompromise => 10,
        }
    }
}

impl fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "key compromise",
            Self::CaCompromise => "CA compromise",
            Self::AffiliationChanged => "affiliation changed",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessation of operation",
            Self::CertificateHold => "certificate hold",
            Self::RemoveFromCrl => "remove from CRL",
            Self::PrivilegeWithdrawn => "privilege withdrawn",
            Self::AaCompromise => "AA compromise",
        })
    }
}

/// One revoked certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    /// Serial number content bytes.
    pub serial: Vec<u8>,
    /// revocationDate.
    pub date: UnixTime,
    /// reasonCode, `Unspecified` when absent.
    pub reason: RevocationReason,
}

/// A decoded CRL, with the bytes it was decoded from.
///
/// Supported: complete CRLs for one issuer (RFC 5280 §5), with an optional
/// issuingDistributionPoint (distribution point, user/CA scope, reason
/// partitions), and delta CRLs (§5.2.4) applied over a complete CRL.
/// Indirect CRLs (§5.2.5) with certificateIssuer entries are supported when
/// the certificate's distribution point names the CRL issuer in cRLIssuer.
/// Not supported (such CRLs are *unusable*, never silently trusted):
/// attribute-certificate CRLs, unknown critical CRL or entry extensions.
#[derive(Clone, Debug)]
pub struct Crl {
    der: Vec<u8>,
    tbs: core::ops::Range<usize>,
    pub(crate) inner: x509_cert::crl::CertificateList,
    pub(crate) issuer: NormalizedName,
    pub(crate) this_update: UnixTime,
    pub(crate) next_update: Option<UnixTime>,
    pub(crate) entries: Vec<RevokedEntry>,
    /// The certificate issuer of each entry when it is not the CRL issuer
    /// (indirect CRLs, RFC 5280 §5.3.3).
    pub(crate) entry_issuers: Vec<Option<NormalizedName>>,
    /// issuingDistributionPoint indirectCRL (RFC 5280 §5.2.5).
    pub(crate) indirect: bool,
    pub(crate) idp: Option<IssuingDistributionPoint>,
    pub(crate) authority_key_id: Option<Vec<u8>>,
    /// cRLNumber, when present and at most 128 bits.
    pub(crate) number: Option<u128>,
    /// BaseCRLNumber of a delta CRL (RFC 5280 §5.2.4); `None` for a complete CRL.
    pub(crate) delta_base: Option<u128>,
    /// The reasons this CRL covers (ReasonFlags bits; [`ALL_REASONS`] unless
    /// the issuingDistributionPoint has onlySomeReasons).
    pub(crate) reasons: u16,
    /// Whether this CRL uses a feature entente does not support.
    pub(crate) unusable: bool,
    digest: Digest256,
}

impl Crl {
    /// Decodes a DER CRL.
    pub fn from_der(der: &[u8]) -> Result<Self, DecodeError> {
        if der.len() > MAX_DER_LEN {
            return Err(DecodeError::TooLarge(der.len()));
        }
        let inner = x509_cert::crl::CertificateList::from_der(der).map_err(DecodeError::Der)?;
        let tbs = first_inner_tlv(der).map_err(DecodeError::Der)?;
        let list = &inner.tbs_cert_list;
        if list.signature != inner.signature_algorithm {
            return Err(DecodeError::SignatureAlgorithmMismatch);
        }
        let mut unusable = false;
        let mut idp = None;
        let mut authority_key_id = None;
        let mut number = None;
        let mut delta_base = None;
        let mut reasons = ALL_REASONS;
        let mut indirect = false;
        let mut seen: Vec<ObjectIdentifier> = Vec::new();
        for ext in list.crl_extensions.iter().flatten() {
            let oid = ext.extn_id;
            if seen.contains(&oid) {
                return Err(DecodeError::DuplicateExtension(oid));
            }
            seen.push(oid);
            let v = ext.extn_value.as_bytes();
            if oid == ids::ID_CE_ISSUING_DISTRIBUTION_POINT {
                let p = IssuingDistributionPoint::from_der(v)
                    .map_err(|source| DecodeError::Extension { oid, source })?;
                if p.only_contains_attribute_certs {
                    unusable = true;
                }
                indirect = p.indirect_crl;
                if let Some(r) = p.only_some_reasons {
                    reasons = r.bits() & ALL_REASONS;
                }
                idp = Some(p);
            } else if oid == ids::ID_CE_AUTHORITY_KEY_IDENTIFIER {
                let aki = x509_cert::ext::pkix::AuthorityKeyIdentifier::from_der(v)
                    .map_err(|source| DecodeError::Extension { oid, source })?;
                authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
            } else if oid == ids::ID_CE_DELTA_CRL_INDICATOR {
                let base = x509_cert::ext::pkix::crl::BaseCrlNumber::from_der(v)
                    .map_err(|source| DecodeError::Extension { oid, source })?;
                match uint_to_u128(base.0.as_bytes()) {
                    Some(b) => delta_base = Some(b),
                    None => unusable = true,
                }
            } else if oid == ids::ID_CE_CRL_NUMBER {
                let n = x509_cert::ext::pkix::crl::CrlNumber::from_der(v)
                    .map_err(|source| DecodeError::Extension { oid, source })?;
                number = uint_to_u128(n.0.as_bytes());
            } else if oid == ids::ID_CE_FRESHEST_CRL {
            } else if ext.critical {
                unusable = true;
            }
        }
        let mut entries = Vec::new();
        let mut entry_issuers = Vec::new();
        // RFC 5280 §5.3.3: an entry without certificateIssuer belongs to the
        // issuer of the previous entry, the first ones to the CRL issuer.
        let mut current_issuer: Option<NormalizedName> = None;
        for rc in list.revoked_certificates.iter().flatten() {
            let mut reason = RevocationReason::Unspecified;
            for ext in rc.crl_entry_extensions.iter().flatten() {
                let oid = ext.extn_id;
                if oid == ids::ID_CE_CRL_REASONS {
                    let r = x509_cert::ext::pkix::CrlReason::from_der(ext.extn_value.as_bytes())
                        .map_err(|source| DecodeError::Extension { oid, source })?;
                    reason = RevocationReason::from_code(r as u32)
                        .unwrap_or(RevocationReason::Unspecified);
                } else if oid == ids::ID_CE_INVALIDITY_DATE {
                } else if oid == ids::ID_CE_CERTIFICATE_ISSUER {
                    let names = x509_cert::ext::pkix::name::GeneralNames::from_der(
                        ext.extn_value.as_bytes(),
                    )
                    .map_err(|source| DecodeError::Extension { oid, source })?;
                    let dir = names.iter().find_map(|n| match n {
                        x509_cert::ext::pkix::name::GeneralName::DirectoryName(d) => {
                            Some(NormalizedName::new(d))
                        }
                        _ => None,
                    });
                    // Only indirect CRLs may name another issuer, by directory name.
                    if dir.is_none() || !indirect {
                        unusable = true;
                    }
                    current_issuer = dir;
                } else if ext.critical {
                    unusable = true;
                }
            }
            entry_issuers.push(current_issuer.clone());
            entries.push(RevokedEntry {
                serial: rc.serial_number.as_bytes().to_vec(),
                date: time_to_unix(&rc.revocation_date),
                reason,
            });
        }
        Ok(Self {
            issuer: NormalizedName::new(&list.issuer),
            this_update: time_to_unix(&list.this_update),
            next_update: list.next_update.as_ref().map(time_to_unix),
            digest: Digest256::sha256(der),
            der: der.to_vec(),
            tbs,
            entries,
            entry_issuers,
            indirect,
            idp,
            authority_key_id,
            number,
            delta_base,
            reasons,
            unusable,
            inner,
        })
    }

    /// Decodes a PEM CRL (`-----BEGIN X509 CRL-----`).
    pub fn from_pem(pem: &str) -> Result<Self, DecodeError> {
        let (label, der) =
            der::pem::decode_vec(pem.trim().as_bytes()).map_err(|e| DecodeError::Der(e.into()))?;
        if label != "X509 CRL" {
            return Err(DecodeError::PemLabel);
        }
        Self::from_der(&der)
    }

    /// Encodes the CRL as PEM (`-----BEGIN X509 CRL-----`, RFC 7468), the
    /// form OpenSSL reads.
    pub fn to_pem(&self) -> Result<String, DecodeError> {
        der::pem::encode_string("X509 CRL", der::pem::LineEnding::LF, &self.der)
            .map_err(|e| DecodeError::Der(e.into()))
    }

    /// The DER bytes this CRL was decoded from.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// SHA-256 of the DER encoding.
    pub fn digest(&self) -> Digest256 {
        self.digest
    }

    /// Where the DER bytes live: distinct among CRLs and certificates
    /// alive at once (a cache key within one validation).
    pub(crate) fn address(&self) -> usize {
        self.der.as_ptr().addr()
    }

    /// thisUpdate.
    pub fn this_update(&self) -> UnixTime {
        self.this_update
    }

    /// nextUpdate, if present.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.next_update
    }

    /// The revoked entries.
    pub fn entries(&self) -> &[RevokedEntry] {
        &self.entries
    }

    pub(crate) fn tbs_der(&self) -> &[u8] {
        self.der.get(self.tbs.clone()).unwrap_or_default()
    }

    pub(crate) fn signature_bytes(&self) -> Option<&[u8]> {
        self.inner.signature.as_bytes()
    }

    pub(crate) fn signature_oid(&self) -> ObjectIdentifier {
        self.inner.signature_algorithm.oid
    }

    /// The entry revoking the certificate `serial` issued by `issuer`, if any.
    pub(crate) fn entry_for(
        &self,
        issuer: &NormalizedName,
        serial: &[u8],
    ) -> Option<&RevokedEntry> {
        self.entries
            .iter()
            .zip(&self.entry_issuers)
            .find(|(e, i)| e.serial == serial && i.as_ref().unwrap_or(&self.issuer) == issuer)
            .map(|(e, _)| e)
    }

    /// Whether the CRL's scope (issuingDistributionPoint) covers a
    /// certificate that is (`is_ca`) or is not a CA.
    pub(crate) fn covers(&self, is_ca: bool) -> bool {
        match &self.idp {
            None => true,
            Some(p) => !(p.only_contains_user_certs && is_ca || p.only_contains_ca_certs && !is_ca),
        }
    }
}
