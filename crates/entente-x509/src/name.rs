//! Name comparison (RFC 5280 §7.1) and name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)-(c)).

use der::Encode as _;
use der::asn1::{AnyRef, ObjectIdentifier};
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
    /// A whole name kept as bytes ([`NormalizedName::of_checked`]); no
    /// attribute value normalizes to it.
    Opaque(Vec<u8>),
}

/// The type paired with [`Value::Opaque`] (the `2.5.4` attribute-type arc).
const OPAQUE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4");

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

fn value_of(any: der::asn1::AnyRef<'_>) -> Value {
    let tag = any.tag();
    let text = if is_text(tag) {
        core::str::from_utf8(any.value()).ok().map(prepare)
    } else if tag == Tag::BmpString {
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
    } else {
        None
    };
    match text {
        Some(t) => Value::Text(t),
        None => Value::Raw(any.to_der().unwrap_or_default()),
    }
}

/// A digest of a checked name's normalized form, made while its decoding
/// reads it, so that names which differ need not be normalized to tell:
/// different keys mean different names. `None` when the name holds a value
/// whose normalization the key does not follow (non-ASCII or BMP text);
/// equal keys prove nothing (a digest can collide).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NameKey(Option<u64>);

impl NameKey {
    /// Whether the keys show that the names differ.
    pub(crate) fn differs(self, other: Self) -> bool {
        matches!((self.0, other.0), (Some(a), Some(b)) if a != b)
    }
}

/// The string types whose value is UTF-8 (or a subset) and compared as text.
fn is_text(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::PrintableString | Tag::Utf8String | Tag::Ia5String | Tag::TeletexString
    )
}

/// 64-bit FNV-1a. A [`NameKey`] only has to be equal for equal names: a
/// collision between unequal names costs one comparison of their normalized
/// forms and nothing else, so the hash needs to be fast, not keyed; and it
/// never leaves the process.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl core::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The digest of one attribute's `(type, Value)`, for the values whose
/// [`value_of`] it can follow without building it: ASCII text (its words,
/// lowercased, one space apart: what `prepare` makes) and non-text values
/// (`Value::Raw`, the encoding).
fn attribute_key(oid: ObjectIdentifier, value: AnyRef<'_>) -> Option<u64> {
    use core::hash::Hasher as _;
    let mut h = Fnv::default();
    h.write(oid.as_bytes());
    let tag = value.tag();
    if is_text(tag) {
        let text = core::str::from_utf8(value.value()).ok()?;
        if !text.is_ascii() {
            return None;
        }
        h.write_u8(b'T');
        for (i, word) in text.split_whitespace().enumerate() {
            if i > 0 {
                h.write_u8(b' ');
            }
            for b in word.bytes() {
                h.write_u8(b.to_ascii_lowercase());
            }
        }
    } else if tag == Tag::BmpString {
        return None;
    } else {
        h.write_u8(b'R');
        h.write_u8(u8::from(tag));
        h.write(value.value());
    }
    Some(h.finish())
}

/// Checks the DER `Name` `name` as x509-cert would
/// ([`crate::structure::for_each_rdn`]) and makes its [`NameKey`].
pub(crate) fn check_name(name: &[u8]) -> der::Result<NameKey> {
    use core::hash::Hasher as _;
    let mut outer = Fnv::default();
    // An RDN's key is the wrapping sum of its attributes' keys: its
    // normalized form is a sorted set, so the order must not count.
    let mut rdn: Option<u64> = None;
    let mut followed = true;
    crate::structure::for_each_rdn(name, |atv| match atv {
        None => {
            if let Some(sum) = rdn.replace(0) {
                outer.write_u64(sum);
            }
        }
        Some((oid, value)) => match attribute_key(oid, value) {
            Some(k) => rdn = rdn.map(|sum| sum.wrapping_add(k)),
            None => followed = false,
        },
    })?;
    if let Some(sum) = rdn {
        outer.write_u64(sum);
    }
    Ok(NameKey(followed.then(|| outer.finish())))
}

/// One RDN normalized: its `(type, prepared value)` pairs, sorted.
fn rdn_of<'a>(
    atvs: impl Iterator<Item = (ObjectIdentifier, AnyRef<'a>)>,
) -> Vec<(ObjectIdentifier, Value)> {
    let mut set: Vec<_> = atvs.map(|(oid, value)| (oid, value_of(value))).collect();
    set.sort();
    set
}

impl NormalizedName {
    pub(crate) fn new(name: &Name) -> Self {
        Self(
            name.0
                .iter()
                .map(|rdn| rdn_of(rdn.0.iter().map(|atv| (atv.oid, AnyRef::from(&atv.value)))))
                .collect(),
        )
    }

    /// Reads and normalizes a DER `Name`, refusing what x509-cert's `Name`
    /// refuses (see [`crate::structure::for_each_rdn`]).
    pub(crate) fn from_der(name: &[u8]) -> der::Result<Self> {
        let mut rdns: Vec<Vec<(ObjectIdentifier, Value)>> = Vec::new();
        crate::structure::for_each_rdn(name, |atv| match atv {
            None => rdns.push(Vec::new()),
            Some((oid, value)) => {
                if let Some(rdn) = rdns.last_mut() {
                    rdn.push((oid, value_of(value)));
                }
            }
        })?;
        for rdn in &mut rdns {
            rdn.sort();
        }
        Ok(Self(rdns))
    }

    /// The normalized form of a certificate's DER `Name`, which its decoding
    /// already checked. Were it to fail to read all the same, the name is
    /// kept as its bytes: equal then only to the same bytes, never to a
    /// different name.
    pub(crate) fn of_checked(name: &[u8]) -> Self {
        Self::from_der(name)
            .unwrap_or_else(|_| Self(vec![vec![(OPAQUE, Value::Opaque(name.to_vec()))]]))
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

    /// One attribute for the in-place comparison's model test: a type, a
    /// string tag and a value drawn so that case, spacing, tag and
    /// non-ASCII differences all occur.
    fn attribute(oid: u8, tag: u8, text: u8) -> AttributeTypeAndValue {
        use const_oid::db::rfc4519::{CN, O, OU};
        const TEXTS: [&str; 6] = ["a b", "A  B", " a b ", "ab", "\u{e9}", "\u{c9}"];
        let text = TEXTS[usize::from(text) % TEXTS.len()];
        let (tag, bytes) = match tag % 5 {
            0 => (Tag::PrintableString, text.as_bytes().to_vec()),
            1 => (Tag::Utf8String, text.as_bytes().to_vec()),
            2 => (
                Tag::BmpString,
                text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
            ),
            3 => (Tag::OctetString, text.as_bytes().to_vec()),
            _ => (Tag::Integer, text.as_bytes().to_vec()),
        };
        AttributeTypeAndValue {
            oid: [CN, O, OU][usize::from(oid) % 3],
            value: der::Any::new(tag, bytes).unwrap(),
        }
    }

    fn encoded(rdns: &[Vec<(u8, u8, u8)>]) -> Option<Vec<u8>> {
        let mut seq = Vec::new();
        for rdn in rdns {
            let atvs: Vec<_> = rdn.iter().map(|(o, t, v)| attribute(*o, *t, *v)).collect();
            seq.push(RelativeDistinguishedName::try_from(atvs).ok()?);
        }
        RdnSequence(seq).to_der().ok()
    }

    /// `b` made from `a`: per attribute, `change` may swap the value for
    /// an equivalent text (bit 0), swap PrintableString and UTF8String
    /// (bit 1), change the text to a different one (bit 2), swap the two
    /// non-text tags (bit 3) or change the type (bit 4).
    fn variant(a: &[Vec<(u8, u8, u8)>], change: &[u8]) -> Vec<Vec<(u8, u8, u8)>> {
        const EQUIVALENT: [u8; 6] = [1, 2, 0, 3, 5, 4];
        let mut changes = change.iter().copied().cycle();
        a.iter()
            .map(|rdn| {
                rdn.iter()
                    .map(|&(oid, tag, text)| {
                        let c = changes.next().unwrap_or(0);
                        let mut text = if c & 1 != 0 {
                            EQUIVALENT[usize::from(text)]
                        } else {
                            text
                        };
                        if c & 4 != 0 {
                            text = (text + 3) % 6;
                        }
                        let tag = match (c & 2 != 0, c & 8 != 0, tag) {
                            (true, _, 0) => 1,
                            (true, _, 1) => 0,
                            (_, true, 3) => 4,
                            (_, true, 4) => 3,
                            (_, _, t) => t,
                        };
                        let oid = if c & 16 != 0 { (oid + 1) % 3 } else { oid };
                        (oid, tag, text)
                    })
                    .collect()
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]
        /// Names whose normalized forms are equal never have keys that
        /// differ (the keys may only tell different names apart).
        #[test]
        fn equal_names_never_have_differing_keys(
            a in proptest::collection::vec(
                proptest::prop_oneof![
                    3 => proptest::collection::vec((0u8..3, 0u8..5, 0u8..6), 1..2),
                    1 => proptest::collection::vec((0u8..3, 0u8..5, 0u8..6), 0..3),
                ],
                0..4,
            ),
            change in proptest::collection::vec(0u8..32, 1..6),
            other in proptest::option::weighted(
                0.25,
                proptest::collection::vec(proptest::collection::vec((0u8..3, 0u8..5, 0u8..6), 0..3), 0..4),
            ),
        ) {
            // Mostly a variant of `a`; sometimes an unrelated name.
            let b = other.unwrap_or_else(|| variant(&a, &change));
            let (Some(a), Some(b)) = (encoded(&a), encoded(&b)) else { return Ok(()) };
            let normalized = NormalizedName::from_der(&a).unwrap() == NormalizedName::from_der(&b).unwrap();
            let (ka, kb) = (check_name(&a).unwrap(), check_name(&b).unwrap());
            if normalized {
                proptest::prop_assert!(!ka.differs(kb), "equal names, different keys");
            }
        }
    }

    #[test]
    fn name_keys_tell_the_common_cases_apart() {
        let key = |text: &str, utf8| check_name(&name(&[(text, utf8)]).to_der().unwrap()).unwrap();
        // Case and spacing, across PrintableString and UTF8String: the same.
        assert!(!key("Nation  A Root ", false).differs(key(" nation a ROOT", true)));
        assert!(key("Nation A Root", false).differs(key("Nation B Root", false)));
        // Non-ASCII text is left to the normalized forms.
        assert_eq!(key("\u{e9}", true), NameKey(None));
        // The same attributes in other RDNs: [{}, {CN, O}] against [{CN}, {O}].
        let a = encoded(&[vec![], vec![(0, 0, 3), (1, 0, 3)]]).unwrap();
        let b = encoded(&[vec![(0, 0, 3)], vec![(1, 0, 3)]]).unwrap();
        assert_ne!(NormalizedName::from_der(&a), NormalizedName::from_der(&b));
        assert!(check_name(&a).unwrap().differs(check_name(&b).unwrap()));
        // The order of a multi-valued RDN does not count: the lengths put
        // O first in `c` and CN first in `d`.
        let c = encoded(&[vec![(0, 0, 1), (1, 0, 0)]]).unwrap();
        let d = encoded(&[vec![(0, 0, 0), (1, 0, 2)]]).unwrap();
        assert_ne!(c, d);
        assert_eq!(NormalizedName::from_der(&c), NormalizedName::from_der(&d));
        assert!(!check_name(&c).unwrap().differs(check_name(&d).unwrap()));
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
