//! Issuing certificates and CRLs: the TBS structures are built with
//! x509-cert's types, encoded with `der`, and signed through the core
//! [`Signer`] trait (so an HSM can sign).

use core::str::FromStr as _;

use const_oid::AssociatedOid as _;
use der::asn1::{BitString, GeneralizedTime, Ia5String, ObjectIdentifier, OctetString, UtcTime};
use der::{Decode as _, Encode};
use entente_core::{Digest256, PublicKey, SignatureEncoding, Signer, UnixTime, Validity};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{self as px, name::GeneralName};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;

use crate::cert::Certificate;
use crate::crl::{Crl, RevokedEntry};
use crate::error::IssueError;

/// Key usage bits (RFC 5280 §4.2.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyUsage(u16);

impl KeyUsage {
    /// No bits.
    pub const NONE: Self = Self(0);
    /// digitalSignature (0).
    pub const DIGITAL_SIGNATURE: Self = Self(1 << 0);
    /// nonRepudiation / contentCommitment (1).
    pub const NON_REPUDIATION: Self = Self(1 << 1);
    /// keyEncipherment (2).
    pub const KEY_ENCIPHERMENT: Self = Self(1 << 2);
    /// keyAgreement (4).
    pub const KEY_AGREEMENT: Self = Self(1 << 4);
    /// keyCertSign (5).
    pub const KEY_CERT_SIGN: Self = Self(1 << 5);
    /// cRLSign (6).
    pub const CRL_SIGN: Self = Self(1 << 6);

    /// Both sets of bits.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
    /// The bits, bit 0 = digitalSignature.
    pub const fn bits(self) -> u16 {
        self.0
    }
    /// Whether no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn to_bit_string(self) -> Result<BitString, der::Error> {
        let mut highest = None;
        for b in 0..16u16 {
            if self.0 & (1 << b) != 0 {
                highest = Some(b);
            }
        }
        let Some(h) = highest else {
            return BitString::new(0, Vec::new());
        };
        let len = usize::from(h / 8) + 1;
        let mut bytes = vec![0u8; len];
        for b in 0..=h {
            if self.0 & (1 << b) != 0
                && let Some(byte) = bytes.get_mut(usize::from(b / 8))
            {
                *byte |= 0x80 >> (b % 8);
            }
        }
        BitString::new(u8::try_from(7 - h % 8).unwrap_or(0), bytes)
    }
}

/// Parses an RFC 4514 string such as `"CN=Root,O=Nation A,C=AA"`.
pub fn dn(text: &str) -> Result<Name, IssueError> {
    Name::from_str(text).map_err(IssueError::Name)
}

/// A DNS name for subjectAltName or name constraints.
pub fn dns_name(name: &str) -> Result<GeneralName, IssueError> {
    Ok(GeneralName::DnsName(
        Ia5String::new(name).map_err(IssueError::Ia5)?,
    ))
}

/// An email address (rfc822Name) for subjectAltName or name constraints.
pub fn email_name(name: &str) -> Result<GeneralName, IssueError> {
    Ok(GeneralName::Rfc822Name(
        Ia5String::new(name).map_err(IssueError::Ia5)?,
    ))
}

/// A URI for subjectAltName or name constraints (a host or `.domain` in constraints).
pub fn uri_name(name: &str) -> Result<GeneralName, IssueError> {
    Ok(GeneralName::UniformResourceIdentifier(
        Ia5String::new(name).map_err(IssueError::Ia5)?,
    ))
}

/// What goes into a certificate.
#[derive(Clone, Debug)]
pub struct CertificateParams {
    /// Subject distinguished name.
    pub subject: Name,
    /// Serial number (positive, at most 20 bytes).
    pub serial: u64,
    /// Validity period.
    pub validity: Validity,
    /// `Some(path_len)` for a CA (basicConstraints cA, optional pathLenConstraint).
    pub ca: Option<Option<u8>>,
    /// Key usage; `None` leaves the extension out.
    pub key_usage: Option<KeyUsage>,
    /// Extended key usages; empty leaves the extension out.
    pub ekus: Vec<crate::oid::Oid>,
    /// certificatePolicies; empty leaves the extension out.
    pub policies: Vec<ObjectIdentifier>,
    /// policyMappings `(issuerDomainPolicy, subjectDomainPolicy)`.
    pub policy_mappings: Vec<(ObjectIdentifier, ObjectIdentifier)>,
    /// policyConstraints requireExplicitPolicy.
    pub require_explicit_policy: Option<u32>,
    /// policyConstraints inhibitPolicyMapping.
    pub inhibit_policy_mapping: Option<u32>,
    /// inhibitAnyPolicy skipCerts.
    pub inhibit_any_policy: Option<u32>,
    /// Name constraints: permitted subtrees.
    pub permitted: Vec<GeneralName>,
    /// Name constraints: excluded subtrees.
    pub excluded: Vec<GeneralName>,
    /// subjectAltName entries.
    pub subject_alt_names: Vec<GeneralName>,
}

impl CertificateParams {
    /// A CA certificate: keyCertSign and cRLSign, optional pathLenConstraint.
    pub fn ca(subject: Name, serial: u64, validity: Validity, path_len: Option<u8>) -> Self {
        Self {
            ca: Some(path_len),
            key_usage: Some(KeyUsage::KEY_CERT_SIGN.union(KeyUsage::CRL_SIGN)),
            ..Self::leaf(subject, serial, validity, Vec::new())
        }
    }

    /// An end-entity certificate with digitalSignature and `ekus`.
    pub fn leaf(
        subject: Name,
        serial: u64,
        validity: Validity,
        ekus: Vec<crate::oid::Oid>,
    ) -> Self {
        Self {
            subject,
            serial,
            validity,
            ca: None,
            key_usage: Some(KeyUsage::DIGITAL_SIGNATURE),
            ekus,
            policies: Vec::new(),
            policy_mappings: Vec::new(),
            require_explicit_policy: None,
            inhibit_policy_mapping: None,
            inhibit_any_policy: None,
            permitted: Vec::new(),
            excluded: Vec::new(),
            subject_alt_names: Vec::new(),
        }
    }
}

/// Who signs.
#[derive(Clone, Copy, Debug)]
pub enum Issuer<'a> {
    /// The subject's own key (a root).
    SelfSigned(&'a dyn Signer),
    /// A CA certificate and the signer holding its key.
    Ca {
        /// The CA's certificate (its subject becomes the issuer name).
        cert: &'a Certificate,
        /// The CA's key.
        signer: &'a dyn Signer,
    },
}

fn to_time(t: UnixTime) -> Result<Time, IssueError> {
    let d = core::time::Duration::from_secs(t.as_secs());
    // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
    if t.as_secs() < 2_524_608_000 {
        UtcTime::from_unix_duration(d).map(Time::UtcTime)
    } else {
        GeneralizedTime::from_unix_duration(d).map(Time::GeneralTime)
    }
    .map_err(|_| IssueError::Time(t))
}

fn ext<T: Encode>(
    oid: ObjectIdentifier,
    critical: bool,
    value: &T,
) -> Result<Extension, IssueError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(IssueError::Der)?)
            .map_err(IssueError::Der)?,
    })
}

/// A key identifier of the subjectPublicKey bits (RFC 7093 §2 method 1:
/// the leftmost 160 bits of their SHA-256).
fn key_id(public_key_bits: &[u8]) -> Vec<u8> {
    let digest = Digest256::sha256(public_key_bits);
    digest.as_bytes().iter().take(20).copied().collect()
}

/// The identifier of `cert`'s key: its subjectKeyIdentifier, else derived.
fn cert_key_id(cert: &Certificate) -> Result<Vec<u8>, IssueError> {
    if let Some(id) = &cert.ext.subject_key_id {
        return Ok(id.clone());
    }
    let spki = spki::SubjectPublicKeyInfoRef::from_der(cert.spki_der()).map_err(IssueError::Der)?;
    Ok(key_id(spki.subject_public_key.raw_bytes()))
}

/// `cert`'s subject, as the issuer name of what it signs.
fn subject_of(cert: &Certificate) -> Result<Name, IssueError> {
    Name::from_der(cert.subject_der()).map_err(IssueError::Der)
}

fn signature_algorithm(signer: &dyn Signer) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: signer.algorithm().x509_oid(),
        parameters: None,
    }
}

fn serial(n: u64) -> Result<SerialNumber, IssueError> {
    let mut bytes = n.to_be_bytes().to_vec();
    while bytes.len() > 1
        && bytes.first() == Some(&0)
        && bytes.get(1).is_some_and(|b| b & 0x80 == 0)
    {
        bytes.remove(0);
    }
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    SerialNumber::new(&bytes).map_err(IssueError::Der)
}

fn sign_and_assemble(tbs_der: &[u8], signer: &dyn Signer) -> Result<Vec<u8>, IssueError> {
    let signature = signer
        .sign(tbs_der, SignatureEncoding::Der)
        .map_err(IssueError::Crypto)?;
    let alg = signature_algorithm(signer)
        .to_der()
        .map_err(IssueError::Der)?;
    let sig = BitString::from_bytes(&signature)
        .and_then(|b| b.to_der())
        .map_err(IssueError::Der)?;
    let body_len = tbs_der.len() + alg.len() + sig.len();
    let header = der::Header::new(
        der::Tag::Sequence,
        der::Length::try_from(body_len).map_err(IssueError::Der)?,
    )
    .map_err(IssueError::Der)?;
    let mut out = header.to_der().map_err(IssueError::Der)?;
    out.extend_from_slice(tbs_der);
    out.extend_from_slice(&alg);
    out.extend_from_slice(&sig);
    Ok(out)
}

/// Issues a certificate for the key in `subject_spki_der` (any supported
/// key, RSA included, so another authority's root can be cross-certified).
pub fn issue_certificate(
    params: &CertificateParams,
    subject_spki_der: &[u8],
    issuer: Issuer<'_>,
) -> Result<Certificate, IssueError> {
    let spki = SubjectPublicKeyInfoOwned::from_der(subject_spki_der).map_err(IssueError::Der)?;
    let subject_key_id = key_id(spki.subject_public_key.raw_bytes());
    let (issuer_name, signer, issuer_key_id) = match issuer {
        Issuer::SelfSigned(s) => (params.subject.clone(), s, subject_key_id.clone()),
        Issuer::Ca { cert, signer } => (subject_of(cert)?, signer, cert_key_id(cert)?),
    };
    let mut exts = Vec::new();
    if let Some(path_len) = params.ca {
        exts.push(ext(
            px::BasicConstraints::OID,
            true,
            &px::BasicConstraints {
                ca: true,
                path_len_constraint: path_len,
            },
        )?);
    }
    if let Some(ku) = params.key_usage {
        exts.push(ext(
            px::KeyUsage::OID,
            true,
            &ku.to_bit_string().map_err(IssueError::Der)?,
        )?);
    }
    if !params.ekus.is_empty() {
        let value = crate::oid::encode_oid_sequence(&params.ekus).map_err(IssueError::Der)?;
        exts.push(Extension {
            extn_id: px::ExtendedKeyUsage::OID,
            critical: false,
            extn_value: OctetString::new(value).map_err(IssueError::Der)?,
        });
    }
    exts.push(ext(
        px::SubjectKeyIdentifier::OID,
        false,
        &px::SubjectKeyIdentifier(OctetString::new(subject_key_id).map_err(IssueError::Der)?),
    )?);
    exts.push(ext(
        px::AuthorityKeyIdentifier::OID,
        false,
        &px::AuthorityKeyIdentifier {
            key_identifier: Some(OctetString::new(issuer_key_id).map_err(IssueError::Der)?),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        },
    )?);
    if !params.policies.is_empty() {
        let list = params
            .policies
            .iter()
            .map(|p| px::certpolicy::PolicyInformation {
                policy_identifier: *p,
                policy_qualifiers: None,
            })
            .collect();
        exts.push(ext(
            px::CertificatePolicies::OID,
            false,
            &px::CertificatePolicies(list),
        )?);
    }
    if !params.policy_mappings.is_empty() {
        let list = params
            .policy_mappings
            .iter()
            .map(|(i, s)| px::PolicyMapping {
                issuer_domain_policy: *i,
                subject_domain_policy: *s,
            })
            .collect();
        exts.push(ext(
            px::PolicyMappings::OID,
            true,
            &px::PolicyMappings(list),
        )?);
    }
    if params.require_explicit_policy.is_some() || params.inhibit_policy_mapping.is_some() {
        exts.push(ext(
            px::PolicyConstraints::OID,
            true,
            &px::PolicyConstraints {
                require_explicit_policy: params.require_explicit_policy,
                inhibit_policy_mapping: params.inhibit_policy_mapping,
            },
        )?);
    }
    if let Some(skip) = params.inhibit_any_policy {
        exts.push(ext(
            px::InhibitAnyPolicy::OID,
            true,
            &px::InhibitAnyPolicy(skip),
        )?);
    }
    if !params.permitted.is_empty() || !params.excluded.is_empty() {
        let subtrees = |list: &[GeneralName]| {
            (!list.is_empty()).then(|| {
                list.iter()
                    .map(|base| px::constraints::name::GeneralSubtree {
                        base: base.clone(),
                        minimum: 0,
                        maximum: None,
                    })
                    .collect()
            })
        };
        exts.push(ext(
            px::NameConstraints::OID,
            true,
            &px::NameConstraints {
                permitted_subtrees: subtrees(&params.permitted),
                excluded_subtrees: subtrees(&params.excluded),
            },
        )?);
    }
    if !params.subject_alt_names.is_empty() {
        exts.push(ext(
            px::SubjectAltName::OID,
            false,
            &px::SubjectAltName(params.subject_alt_names.clone()),
        )?);
    }
    let tbs = x509_cert::TbsCertificate {
        version: x509_cert::Version::V3,
        serial_number: serial(params.serial)?,
        signature: signature_algorithm(signer),
        issuer: issuer_name,
        validity: x509_cert::time::Validity {
            not_before: to_time(params.validity.not_before)?,
            not_after: to_time(params.validity.not_after)?,
        },
        subject: params.subject.clone(),
        subject_public_key_info: spki,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(exts),
    };
    let tbs_der = tbs.to_der().map_err(IssueError::Der)?;
    let der = sign_and_assemble(&tbs_der, signer)?;
    Certificate::from_der(&der).map_err(|_| IssueError::Der(der::ErrorKind::Failed.into()))
}

/// Issues a self-signed root CA certificate for `signer`'s key.
pub fn issue_root(
    params: &CertificateParams,
    signer: &dyn Signer,
) -> Result<Certificate, IssueError> {
    let spki = signer
        .public_key()
        .to_spki_der()
        .map_err(IssueError::Crypto)?;
    issue_certificate(params, &spki, Issuer::SelfSigned(signer))
}

/// Issues a certificate for `subject_key` signed by the CA `issuer_cert`.
pub fn issue(
    params: &CertificateParams,
    subject_key: &PublicKey,
    issuer_cert: &Certificate,
    issuer_signer: &dyn Signer,
) -> Result<Certificate, IssueError> {
    let spki = subject_key.to_spki_der().map_err(IssueError::Crypto)?;
    issue_certificate(
        params,
        &spki,
        Issuer::Ca {
            cert: issuer_cert,
            signer: issuer_signer,
        },
    )
}

/// Cross-certifies another authority's root: a CA certificate with that
/// root's subject and key, signed by `issuer_cert`, carrying `params`'
/// constraints (policy mappings, name constraints, pathLen). The subject in
/// `params` is replaced by the root's.
pub fn cross_certify(
    other_root: &Certificate,
    params: &CertificateParams,
    issuer_cert: &Certificate,
    issuer_signer: &dyn Signer,
) -> Result<Certificate, IssueError> {
    let mut p = params.clone();
    p.subject = subject_of(other_root)?;
    issue_certificate(
        &p,
        other_root.spki_der(),
        Issuer::Ca {
            cert: issuer_cert,
            signer: issuer_signer,
        },
    )
}

/// What goes into a CRL.
#[derive(Clone, Debug)]
pub struct CrlParams {
    /// thisUpdate.
    pub this_update: UnixTime,
    /// nextUpdate (RFC 5280 §5.1.2.5: conforming CAs include it).
    pub next_update: Option<UnixTime>,
    /// cRLNumber.
    pub number: u64,
    /// The revoked certificates.
    pub revoked: Vec<RevokedEntry>,
}

/// Issues a complete CRL (v2, cRLNumber and authorityKeyIdentifier) signed by the CA.
pub fn issue_crl(
    params: &CrlParams,
    issuer_cert: &Certificate,
    signer: &dyn Signer,
) -> Result<Crl, IssueError> {
    let ikid = cert_key_id(issuer_cert)?;
    let mut revoked = Vec::with_capacity(params.revoked.len());
    for entry in &params.revoked {
        revoked.push(x509_cert::crl::RevokedCert {
            serial_number: SerialNumber::new(&entry.serial).map_err(IssueError::Der)?,
            revocation_date: to_time(entry.date)?,
            crl_entry_extensions: Some(vec![ext(
                px::crl::CrlReason::OID,
                false,
                &EnumeratedReason(entry.reason.code()),
            )?]),
        });
    }
    let number = der::asn1::Uint::new(&params.number.to_be_bytes()).map_err(IssueError::Der)?;
    let tbs = x509_cert::crl::TbsCertList {
        version: x509_cert::Version::V2,
        signature: signature_algorithm(signer),
        issuer: subject_of(issuer_cert)?,
        this_update: to_time(params.this_update)?,
        next_update: params.next_update.map(to_time).transpose()?,
        revoked_certificates: (!revoked.is_empty()).then_some(revoked),
        crl_extensions: Some(vec![
            ext(
                px::AuthorityKeyIdentifier::OID,
                false,
                &px::AuthorityKeyIdentifier {
                    key_identifier: Some(OctetString::new(ikid).map_err(IssueError::Der)?),
                    authority_cert_issuer: None,
                    authority_cert_serial_number: None,
                },
            )?,
            ext(px::crl::CrlNumber::OID, false, &px::crl::CrlNumber(number))?,
        ]),
    };
    let tbs_der = tbs.to_der().map_err(IssueError::Der)?;
    let der = sign_and_assemble(&tbs_der, signer)?;
    Crl::from_der(&der).map_err(|_| IssueError::Der(der::ErrorKind::Failed.into()))
}

/// A `CRLReason` ENUMERATED value.
struct EnumeratedReason(u32);

impl Encode for EnumeratedReason {
    fn encoded_len(&self) -> der::Result<der::Length> {
        Ok(der::Length::new(3))
    }
    fn encode(&self, writer: &mut impl der::Writer) -> der::Result<()> {
        writer.write(&[0x0a, 0x01, u8::try_from(self.0).unwrap_or(0)])
    }
}
