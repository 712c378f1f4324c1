//! Name comparison (RFC 5280 §7.1) and name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c)).

use der::Encode as _;
use der::asn1::ObjectIdentifier;
use der::{Tag, Tagged as _};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;

/// `emailAddress` (PKCS #9), the attribute RFC 5280 §4.2.1.10 subjects to
/// rfc822Name constraints when the certificate has no subjectAltName.
const EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

/// One attribute value, prepared for comparison.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Value {
    /// A directory string after RFC 4518-style preparation: case folded,
    /// leading and trailing spaces removed, inner runs of spaces collapsed.
    /// PrintableString and UTF8String values of the same text compare equal
    /// (RFC 5280 §7.1).
    Text(String),
    /// Any other value: compared by its DER encoding.
    Raw(Vec<u8>),
}

/// A distinguished name normalized for comparison per RFC 5280 §7.1: each
/// RDN a sorted set of `(type, prepared value)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct NormalizedName(Vec<Vec<(ObjectIdentifier, Value)>>);

fn prepare(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let ascii = text.is_ascii();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if ascii {
            // Fast path for the PrintableString names most PKIs use.
            out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            for c in word.chars() {
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

fn value_of(any: &der::Any) -> Value {
    let text = match any.tag() {
        Tag::PrintableString | Tag::Utf8String | Tag::Ia5String | Tag::TeletexString => {
            core::str::from_utf8(any.value()).ok().map(prepare)
        }
        Tag::BmpString => {
            let units: Vec<u16> = any
                .value()
                .chunks_exact(2)
                .map(|c| {
                    u16::from_be_bytes([
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                    ])
                })
                .collect();
            String::from_utf16(&units).ok().map(|s| prepare(&s))
        }
        _ => None,
    };
    match text {
        Some(t) => Value::Text(t),
        None => Value::Raw(any.to_der().unwrap_or_default()),
    }
}

impl NormalizedName {
    pub(crate) fn new(name: &Name) -> Self {
        Self(
            name.0
                .iter()
                .map(|rdn| {
                    let mut set: Vec<_> = rdn
                        .0
                        .iter()
                        .map(|atv| (atv.oid, value_of(&atv.value)))
                        .collect();
                    set.sort();
                    set
                })
                .collect(),
        )
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `base` is a prefix of this name (directoryName subtrees).
    fn within(&self, base: &Self) -> bool {
        base.0.len() <= self.0.len() && self.0.iter().zip(base.0.iter()).all(|(a, b)| a == b)
    }

    fn email_addresses(&self) -> impl Iterator<Item = &str> {
        self.0.iter().flatten().filter_map(|(oid, v)| match v {
            Value::Text(t) if *oid == EMAIL_ADDRESS => Some(t.as_str()),
            _ => None,
        })
    }
}

/// The kinds of names constraints apply to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    /// X.500 distinguished name (`directoryName`).
    Directory,
    /// DNS name (`dNSName`).
    Dns,
    /// Email address (`rfc822Name`, or `emailAddress` in the subject).
    Email,
    /// URI (`uniformResourceIdentifier`).
    Uri,
    /// IP address (`iPAddress`).
    Ip,
    /// A name form entente does not evaluate (otherName, x400Address,
    /// ediPartyName, registeredID): constrained names of these forms are refused.
    Other,
}

impl core::fmt::Display for NameKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Directory => "directory name",
            Self::Dns => "DNS name",
            Self::Email => "email address",
            Self::Uri => "URI",
            Self::Ip => "IP address",
            Self::Other => "unsupported name form",
        })
    }
}

/// A name of the certificate, ready to test against subtrees.
enum Subject<'a> {
    Dir(NormalizedName),
    Dns(String),
    Email(String),
    Uri(Option<String>),
    Ip(&'a [u8]),
    Other,
}

impl Subject<'_> {
    fn kind(&self) -> NameKind {
        match self {
            Self::Dir(_) => NameKind::Directory,
            Self::Dns(_) => NameKind::Dns,
            Self::Email(_) => NameKind::Email,
            Self::Uri(_) => NameKind::Uri,
            Self::Ip(_) => NameKind::Ip,
            Self::Other => NameKind::Other,
        }
    }
}

fn general_kind(name: &GeneralName) -> NameKind {
    match name {
        GeneralName::DirectoryName(_) => NameKind::Directory,
        GeneralName::DnsName(_) => NameKind::Dns,
        GeneralName::Rfc822Name(_) => NameKind::Email,
        GeneralName::UniformResourceIdentifier(_) => NameKind::Uri,
        GeneralName::IpAddress(_) => NameKind::Ip,
        _ => NameKind::Other,
    }
}

fn subject_of(name: &GeneralName) -> Subject<'_> {
    match name {
        GeneralName::DirectoryName(n) => Subject::Dir(NormalizedName::new(n)),
        GeneralName::DnsName(s) => Subject::Dns(s.as_str().to_ascii_lowercase()),
        GeneralName::Rfc822Name(s) => Subject::Email(s.as_str().to_owned()),
        GeneralName::UniformResourceIdentifier(s) => Subject::Uri(uri_host(s.as_str())),
        GeneralName::IpAddress(o) => Subject::Ip(o.as_bytes()),
        _ => Subject::Other,
    }
}

/// The host of a URI with an authority component (`scheme://[user@]host[:port]/...`).
fn uri_host(uri: &str) -> Option<String> {
    let (_, rest) = uri.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port
            .split_once(']')
            .map(|(h, _)| h.trim_start_matches('['))?
    } else {
        host_port.split(':').next()?
    };
    if host.is_empty() {
        return None;
    }
    Some(host.to_ascii_lowercase())
}

/// `host` equals `base` or is a subdomain of it; a base starting with `.`
/// matches subdomains only (the URI and rfc822 conventions of RFC 5280).
fn dns_within(host: &str, base: &str) -> bool {
    let base = base.to_ascii_lowercase();
    if base.is_empty() {
        return true;
    }
    if let Some(stripped) = base.strip_prefix('.') {
        return host.len() > stripped.len() && host.ends_with(&base);
    }
    host == base
        || (host.ends_with(&base)
            && host.as_bytes().get(host.len() - base.len() - 1) == Some(&b'.'))
}

fn email_within(addr: &str, base: &str) -> bool {
    let Some((local, host)) = addr.rsplit_once('@') else {
        return false;
    };
    if let Some((blocal, bhost)) = base.rsplit_once('@') {
        // A mailbox: local part exact, host case-insensitive.
        return local == blocal && host.eq_ignore_ascii_case(bhost);
    }
    let host = host.to_ascii_lowercase();
    if base.starts_with('.') {
        dns_within(&host, base)
    } else {
        host == base.to_ascii_lowercase()
    }
}

fn uri_within(host: &str, base: &str) -> bool {
    if base.starts_with('.') {
        dns_within(host, base)
    } else {
        host == base.to_ascii_lowercase()
    }
}

fn ip_within(addr: &[u8], base: &[u8]) -> bool {
    let n = addr.len();
    if base.len() != 2 * n {
        return false;
    }
    let (net, mask) = base.split_at(n);
    addr.iter()
        .zip(net)
        .zip(mask)
        .all(|((a, n), m)| a & m == n & m)
}

/// Whether `name` lies in the subtree `base`; `None` when the forms differ.
fn within(name: &Subject<'_>, base: &GeneralName) -> Option<bool> {
    Some(match (name, base) {
        (Subject::Dir(n), GeneralName::DirectoryName(b)) => n.within(&NormalizedName::new(b)),
        (Subject::Dns(n), GeneralName::DnsName(b)) => dns_within(n, b.as_str()),
        (Subject::Email(n), GeneralName::Rfc822Name(b)) => email_within(n, b.as_str()),
        (Subject::Uri(host), GeneralName::UniformResourceIdentifier(b)) => {
            host.as_deref().is_some_and(|h| uri_within(h, b.as_str()))
        }
        (Subject::Ip(a), GeneralName::IpAddress(b)) => ip_within(a, b.as_bytes()),
        _ => return None,
    })
}

/// The name constraints state of RFC 5280 §6.1.2 (b)-(c): the permitted
/// subtrees of every CA so far (a name must fall in each set that constrains
/// its form: the intersection, without computing it) and the union of the
/// excluded subtrees.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConstraintState {
    permitted: Vec<Vec<GeneralName>>,
    excluded: Vec<GeneralName>,
}

impl ConstraintState {
    /// RFC 5280 §6.1.4 (g): add a CA's constraints.
    pub(crate) fn add(
        &mut self,
        nc: &x509_cert::ext::pkix::NameConstraints,
    ) -> Result<(), NameKind> {
        for sub in nc
            .permitted_subtrees
            .iter()
            .flatten()
            .chain(nc.excluded_subtrees.iter().flatten())
        {
            // RFC 5280 §4.2.1.10: minimum MUST be zero and maximum absent.
            if sub.minimum != 0 || sub.maximum.is_some() {
                return Err(general_kind(&sub.base));
            }
        }
        if let Some(p) = &nc.permitted_subtrees {
            self.permitted
                .push(p.iter().map(|s| s.base.clone()).collect());
        }
        if let Some(e) = &nc.excluded_subtrees {
            self.excluded.extend(e.iter().map(|s| s.base.clone()));
        }
        Ok(())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.permitted.is_empty() && self.excluded.is_empty()
    }

    /// RFC 5280 §6.1.3 (b)-(c) for one certificate: the subject name (unless
    /// empty) and every subjectAltName must be permitted and not excluded.
    pub(crate) fn check(
        &self,
        subject: &NormalizedName,
        sans: Option<&[GeneralName]>,
    ) -> Result<(), NameKind> {
        if self.is_empty() {
            return Ok(());
        }
        let mut names: Vec<Subject<'_>> = Vec::new();
        if !subject.is_empty() {
            names.push(Subject::Dir(subject.clone()));
        }
        match sans {
            Some(list) => names.extend(list.iter().map(subject_of)),
            None => names.extend(
                subject
                    .email_addresses()
                    .map(|e| Subject::Email(e.to_owned())),
            ),
        }
        for name in &names {
            for set in &self.permitted {
                let mut constrains = false;
                let mut ok = false;
                for base in set {
                    if let Some(hit) = within(name, base) {
                        constrains = true;
                        ok |= hit;
                    } else if matches!(name, Subject::Other)
                        && general_kind(base) == NameKind::Other
                    {
                        // A form entente cannot evaluate, under a constraint of such a form.
                        constrains = true;
                    }
                }
                if constrains && !ok {
                    return Err(name.kind());
                }
            }
            for base in &self.excluded {
                if within(name, base) == Some(true)
                    || (matches!(name, Subject::Other) && general_kind(base) == NameKind::Other)
                {
                    return Err(name.kind());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::{PrintableStringRef, Utf8StringRef};
    use x509_cert::attr::AttributeTypeAndValue;
    use x509_cert::name::{RdnSequence, RelativeDistinguishedName};

    fn name(parts: &[(&str, bool)]) -> Name {
        let cn = const_oid::db::rfc4519::CN;
        RdnSequence(
            parts
                .iter()
                .map(|(text, utf8)| {
                    let value = if *utf8 {
                        der::Any::from(Utf8StringRef::new(text).unwrap())
                    } else {
                        der::Any::from(PrintableStringRef::new(text).unwrap())
                    };
                    RelativeDistinguishedName::try_from(vec![AttributeTypeAndValue {
                        oid: cn,
                        value,
                    }])
                    .unwrap()
                })
                .collect(),
        )
    }

    #[test]
    fn printable_and_utf8_names_match_ignoring_case_and_extra_spaces() {
        let a = NormalizedName::new(&name(&[("Nation  A Root ", false)]));
        let b = NormalizedName::new(&name(&[(" nation a ROOT", true)]));
        assert_eq!(a, b);
    }

    #[test]
    fn names_with_rdns_in_another_order_differ() {
        let a = NormalizedName::new(&name(&[("a", false), ("b", false)]));
        let b = NormalizedName::new(&name(&[("b", false), ("a", false)]));
        assert_ne!(a, b);
    }

    #[test]
    fn dns_constraint_matches_the_domain_and_its_subdomains_only() {
        assert!(dns_within("a.example", "a.example"));
        assert!(dns_within("host.a.example", "A.example"));
        assert!(!dns_within("evila.example", "a.example"));
        assert!(!dns_within("a.example", ".a.example"));
        assert!(dns_within("x.a.example", ".a.example"));
    }

    #[test]
    fn email_constraints_follow_rfc_5280_forms() {
        assert!(email_within("me@a.example", "me@A.example"));
        assert!(!email_within("you@a.example", "me@a.example"));
        assert!(email_within("me@a.example", "a.example"));
        assert!(!email_within("me@x.a.example", "a.example"));
        assert!(email_within("me@x.a.example", ".a.example"));
    }

    #[test]
    fn uri_host_is_extracted_from_the_authority() {
        assert_eq!(
            uri_host("https://user@Host.A.example:8443/p?q").as_deref(),
            Some("host.a.example")
        );
        assert_eq!(uri_host("urn:isbn:123"), None);
        assert!(ip_within(&[10, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]));
        assert!(!ip_within(&[11, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]));
    }
}
