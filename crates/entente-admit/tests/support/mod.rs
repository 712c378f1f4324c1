//! A small coalition for entente-admit's own tests: home B, partner C, and
//! a translator whose key is certified by both B and C.
#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use entente_admit::{AdmissionPolicy, Bundle};
use entente_core::cose::key_id_for_certificate;
use entente_core::{
    ArtifactId, AuthorityId, Digest256, KeyKind, OperationId, Signer as _, SigningKey, UnixTime,
    Validity, Version,
};
use entente_policy::{
    Action, Category, CategoryKind, Clearance, ClearanceCondition, Effect, Label, LabelCondition,
    Level, Match, Policy, Request, Role, Rule, Scope, Subject, Vocabulary,
};
use entente_translate::{Direction, Lossiness, TermPair, Translation, VocabularyRef};
use entente_x509::{Certificate, CertificateAuthority, Crl, EkuOids, dn};

pub const T0: u64 = 1_800_000_000;

pub fn t(offset: i64) -> UnixTime {
    UnixTime::from_secs(T0.checked_add_signed(offset).unwrap())
}

pub fn validity() -> Validity {
    Validity {
        not_before: t(-86_400),
        not_after: t(300 * 86_400),
    }
}

pub fn key(label: &str) -> SigningKey {
    SigningKey::derive_from_seed(KeyKind::P256, b"entente-admit-tests", label).unwrap()
}

pub fn pem(cert: &Certificate) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::new();
    for chunk in cert.der().chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                text.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                text.push('=');
            }
        }
    }
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// One authority: its CA, a policy signer, its vocabulary.
pub struct Party {
    pub name: &'static str,
    pub ca: CertificateAuthority,
    pub signer_key: SigningKey,
    pub signer: Certificate,
    pub vocabulary: Vocabulary,
}

impl Party {
    pub fn new(name: &'static str) -> Self {
        let mut ca = CertificateAuthority::new_root(
            dn(&format!("CN={name} Root,O={name}")).unwrap(),
            key(&format!("{name}-root")),
            validity(),
            None,
        )
        .unwrap();
        let signer_key = key(&format!("{name}-policy-signer"));
        let signer = ca
            .issue_credential(
                dn(&format!("CN={name} policy signer,O={name}")).unwrap(),
                signer_key.public_key(),
                validity(),
                vec![EkuOids::default().policy_signer],
            )
            .unwrap();
        let id = ca.authority_id();
        let vocabulary = Vocabulary {
            id: format!("{name}-vocabulary"),
            version: Version(1),
            authority: id,
            levels: ["L0", "L1", "L2"]
                .iter()
                .map(|n| Level {
                    name: format!("{name}-{n}"),
                    description: String::new(),
                })
                .collect(),
            categories: vec![Category {
                name: format!("{name}-REL"),
                kind: CategoryKind::Releasability,
                description: String::new(),
            }],
            actions: vec![Action {
                name: "read".into(),
                description: String::new(),
            }],
        };
        Self {
            name,
            ca,
            signer_key,
            signer,
            vocabulary,
        }
    }

    pub fn id(&self) -> AuthorityId {
        self.ca.authority_id()
    }

    pub fn kid(&self) -> Digest256 {
        key_id_for_certificate(self.signer.der())
    }

    pub fn level(&self, n: usize) -> String {
        format!("{}-L{n}", self.name)
    }

    pub fn signed_vocabulary(&self) -> Vec<u8> {
        self.vocabulary.sign(&self.signer_key, &self.kid()).unwrap()
    }

    pub fn vocabulary_id(&self) -> ArtifactId {
        entente_core::cose::Envelope::from_slice(&self.signed_vocabulary())
            .unwrap()
            .artifact_id()
    }

    /// A policy permitting `read` up to level `max_level` to everyone.
    pub fn policy(&self, version: u64, max_level: usize) -> Policy {
        Policy {
            id: format!("{}-policy", self.name),
            version: Version(version),
            authority: self.id(),
            vocabulary: self.vocabulary_id(),
            scope: Scope::Any,
            validity: validity(),
            rules: vec![Rule {
                id: "read-up-to".into(),
                effect: Effect::Permit,
                authorities: Match::Any,
                roles: Match::Any,
                actions: Match::Only(vec!["read".into()]),
                resource: LabelCondition {
                    min_level: None,
                    max_level: Some(self.level(max_level)),
                    require_categories: vec![],
                    exclude_categories: vec![],
                },
                clearance: ClearanceCondition::default(),
            }],
        }
    }

    pub fn sign_policy(&self, policy: &Policy) -> Vec<u8> {
        policy.sign(&self.signer_key, &self.kid()).unwrap()
    }

    pub fn crl(&mut self, this_update: UnixTime) -> Crl {
        self.ca
            .crl(this_update, Some(this_update.saturating_add(7 * 86_400)))
            .unwrap()
    }

    pub fn root_pem(&self) -> String {
        pem(self.ca.certificate())
    }
}

/// Home B, partner C, a translator certified by both.
pub struct World {
    pub b: Party,
    pub c: Party,
    pub translator_key: SigningKey,
    pub translator_in_b: Certificate,
    pub translator_in_c: Certificate,
}

impl World {
    pub fn new() -> Self {
        let mut b = Party::new("B");
        let mut c = Party::new("C");
        let translator_key = key("translator");
        let eku = vec![EkuOids::default().translator];
        let translator_in_b =
            b.ca.issue_credential(
                dn("CN=translator,O=B").unwrap(),
                translator_key.public_key(),
                validity(),
                eku.clone(),
            )
            .unwrap();
        let translator_in_c =
            c.ca.issue_credential(
                dn("CN=translator,O=C").unwrap(),
                translator_key.public_key(),
                validity(),
                eku,
            )
            .unwrap();
        Self {
            b,
            c,
            translator_key,
            translator_in_b,
            translator_in_c,
        }
    }

    pub fn policy_json(&self, extra: &str) -> String {
        format!(
            r#"{{
  "home": "B",
  "authorities": [
    {{ "name": "B", "kind": "national", "roots": [{{ "pem": {b} }}],
       "provides": ["vocabularies", "policies", "translations", "declarations", "attestations"] }},
    {{ "name": "C", "kind": "national", "roots": [{{ "pem": {c} }}],
       "provides": ["vocabularies", "policies", "translations", "declarations", "attestations"] }}
  ],
  "max_crl_age_secs": 864000{extra}
}}"#,
            b = serde_json::to_string(&self.b.root_pem()).unwrap(),
            c = serde_json::to_string(&self.c.root_pem()).unwrap(),
        )
    }

    pub fn admission_policy(&self) -> AdmissionPolicy {
        AdmissionPolicy::from_json(&self.policy_json("")).unwrap()
    }

    /// C → B: C-Lk reads as B-Lk; C-REL as B-REL.
    pub fn translation(&self, version: u64) -> Translation {
        let pairs = |list: &[(String, String)]| {
            list.iter()
                .map(|(s, t)| TermPair {
                    source: s.clone(),
                    target: t.clone(),
                })
                .collect()
        };
        Translation {
            id: "c-to-b".into(),
            version: Version(version),
            source: VocabularyRef {
                authority: self.c.id(),
                vocabulary: self.c.vocabulary_id(),
            },
            target: VocabularyRef {
                authority: self.b.id(),
                vocabulary: self.b.vocabulary_id(),
            },
            direction: Direction::SourceToTarget,
            levels: pairs(
                &(0..3)
                    .map(|n| (self.c.level(n), self.b.level(n)))
                    .collect::<Vec<_>>(),
            ),
            categories: pairs(&[("C-REL".into(), "B-REL".into())]),
            actions: pairs(&[("read".into(), "read".into())]),
            lossy: Lossiness::default(),
            scope: Scope::Any,
            validity: validity(),
        }
    }

    pub fn sign_translation(&self, translation: &Translation) -> Vec<u8> {
        translation
            .sign(
                &[(
                    &self.translator_key as &dyn entente_core::Signer,
                    key_id_for_certificate(self.translator_in_c.der()),
                )],
                (&self.c.vocabulary, self.c.vocabulary_id()),
                (&self.b.vocabulary, self.b.vocabulary_id()),
            )
            .unwrap()
    }

    /// B's bundle: vocabulary, policy (read up to `b_max`), CRL at `crl_at`.
    pub fn bundle_b(&mut self, b_max: usize, crl_at: UnixTime) -> Bundle {
        let mut bundle = Bundle::new(self.b.id());
        bundle.certificates = vec![self.b.signer.der().to_vec()];
        bundle.crls = vec![self.b.crl(crl_at).der().to_vec()];
        bundle.vocabularies = vec![self.b.signed_vocabulary()];
        bundle.policies = vec![self.b.sign_policy(&self.b.policy(1, b_max))];
        bundle
    }

    /// C's bundle: vocabulary, policy, translation C → B, CRL at `crl_at`.
    pub fn bundle_c(&mut self, c_max: usize, crl_at: UnixTime) -> Bundle {
        let mut bundle = Bundle::new(self.c.id());
        bundle.certificates = vec![
            self.c.signer.der().to_vec(),
            self.translator_in_c.der().to_vec(),
            self.translator_in_b.der().to_vec(),
        ];
        bundle.crls = vec![self.c.crl(crl_at).der().to_vec()];
        bundle.vocabularies = vec![self.c.signed_vocabulary()];
        bundle.policies = vec![self.c.sign_policy(&self.c.policy(1, c_max))];
        bundle.translations = vec![self.sign_translation(&self.translation(1))];
        bundle
    }
}

/// A request by `subject` to read a resource of `owner` at level `level`
/// (home terms), with clearance `clearance` (home terms).
pub fn request(
    subject: AuthorityId,
    owner: AuthorityId,
    level: &str,
    clearance: &str,
    at: UnixTime,
) -> Request {
    Request {
        subject: Subject {
            authority: subject,
            role: Role::Supporting,
            clearance: Clearance {
                level: clearance.into(),
                categories: vec![],
            },
        },
        action: "read".into(),
        resource: Label {
            owner,
            level: level.into(),
            categories: vec![],
        },
        operation: OperationId::from_digest(Digest256::sha256(b"op")),
        alliances: vec![],
        time: at,
    }
}
