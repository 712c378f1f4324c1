#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod authority;
mod cert;
mod crl;
mod error;
mod issue;
mod name;
mod oid;
pub mod oracle;
mod policy;
mod profile;
mod structure;
mod validate;

// The public interface is:
pub use authority::{AuthorityError, AuthorityState, CertificateAuthority};
pub use cert::{ANY_POLICY, Certificate, MAX_DER_LEN};
pub use crl::{Crl, RevocationReason, RevokedEntry};
pub use error::{BudgetExhausted, DecodeError, IssueError, Position, Rule, ValidationError};
pub use issue::{
    CertificateParams, CrlParams, Issuer, KeyUsage, cross_certify, dn, dns_name, email_name, issue,
    issue_certificate, issue_crl, issue_root, uri_name,
};
pub use name::NameKind;
pub use oid::{Oid, OidError};
pub use policy::{PolicyInputs, PolicySet};
pub use profile::{
    CredentialProfile, EkuOids, PLACEHOLDER_ARC, Profile, ProfileViolation, placeholder_arc,
};
pub use validate::{Budget, CrlCheck, TrustAnchor, ValidationOptions, VerifiedChain, validate};

/// Re-exported so callers can name OIDs and names without extra dependencies.
pub use der::asn1::ObjectIdentifier;
pub use x509_cert::ext::pkix::name::GeneralName;
pub use x509_cert::name::Name;
