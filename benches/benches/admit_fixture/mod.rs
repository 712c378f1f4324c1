//! What the admit benches share: signed fixtures (a home and a partner
//! authority, their policies and bundles), the admission policy, and fresh
//! admitters over temporary stores. Each bench binary uses part of it.
#![allow(dead_code, reason = "shared by two bench binaries, each using part")]

use entente_admit::{
    AdmissionPolicy, AdmissionStore, Admitter, AuthorityConfig, AuthorityKind, Bundle,
    PolicyDocument, Provision, RootSource,
};
use entente_core::{
    AuthorityId, CryptoProvider, Envelope, KeyKind, Signer as _, SigningKey, UnixTime, Validity,
    Version,
};
use entente_policy::{
    ClearanceCondition, Effect, LabelCondition, Match, Policy, Rule, Scope, Vocabulary,
};
use entente_x509::{Certificate, CertificateAuthority, Crl, EkuOids, dn};

pub(crate) const T0: u64 = 1_800_000_000;
pub(crate) const AT: UnixTime = UnixTime::from_secs(T0);
pub(crate) const DAY: u64 = 86_400;
/// Items per bundle: under `BundleLimits::default().max_items` (4096), so
/// 10,000 policies travel in three bundles of one publisher.
pub(crate) const PER_BUNDLE: usize = 4000;

pub(crate) use entente_benches::test_mode;

/// The large case: 10,000, or 500 in `--test` mode.
pub(crate) fn large() -> usize {
    if test_mode() { 500 } else { 10_000 }
}

pub(crate) fn key(label: &str) -> SigningKey {
    SigningKey::derive_from_seed(KeyKind::P256, b"bench-admit", label).expect("key")
}

/// An authority: root CA, one policy signer, a CRL and a vocabulary.
pub(crate) struct Authority {
    pub(crate) ca: CertificateAuthority,
    pub(crate) signer: SigningKey,
    pub(crate) signer_cert: Certificate,
    pub(crate) crl: Crl,
    pub(crate) vocabulary: Vocabulary,
    pub(crate) vocabulary_bytes: Vec<u8>,
}

impl Authority {
    pub(crate) fn new(name: &str, vocabulary: &str) -> Self {
        let mut ca = CertificateAuthority::new_root(
            dn(&format!("CN={name} Root")).expect("dn"),
            key(&format!("{name}/root")),
            Validity {
                not_before: UnixTime(T0 - 365 * DAY),
                not_after: UnixTime(T0 + 3650 * DAY),
            },
            None,
        )
        .expect("root");
        let signer = key(&format!("{name}/signer"));
        let signer_cert = ca
            .issue_credential(
                dn(&format!("CN={name} policy signer")).expect("dn"),
                signer.public_key(),
                Validity {
                    not_before: UnixTime(T0 - DAY),
                    not_after: UnixTime(T0 + 300 * DAY),
                },
                vec![EkuOids::default().policy_signer],
            )
            .expect("credential");
        let crl = ca
            .crl(UnixTime(T0 - 3600), Some(UnixTime(T0 + 30 * DAY)))
            .expect("crl");
        let mut vocabulary = Vocabulary::from_json(vocabulary).expect("vocabulary");
        vocabulary.authority = AuthorityId::from_spki_der(ca.certificate().spki_der());
        let vocabulary_bytes = vocabulary
            .sign(&signer, &signer_cert.digest())
            .expect("sign");
        Self {
            ca,
            signer,
            signer_cert,
            crl,
            vocabulary,
            vocabulary_bytes,
        }
    }

    pub(crate) fn id(&self) -> AuthorityId {
        AuthorityId::from_spki_der(self.ca.certificate().spki_der())
    }

    pub(crate) fn config(&self, name: &str, provides: Vec<Provision>) -> AuthorityConfig {
        AuthorityConfig {
            name: name.into(),
            kind: AuthorityKind::National,
            id: Some(self.id()),
            roots: vec![RootSource::Pem(
                self.ca.certificate().to_pem().expect("pem"),
            )],
            scope: Scope::Any,
            provides,
        }
    }

    /// Policy `index` at `version`: two rules over the vocabulary.
    pub(crate) fn policy(&self, index: usize, version: u64) -> Vec<u8> {
        let vocabulary_id = Envelope::from_slice(&self.vocabulary_bytes)
            .expect("envelope")
            .artifact_id();
        let rule = |id: &str, effect, action: &str| Rule {
            id: id.into(),
            effect,
            authorities: Match::Any,
            roles: Match::Any,
            actions: Match::Only(vec![action.into()]),
            resource: LabelCondition {
                max_level: self.vocabulary.levels.get(1).map(|l| l.name.clone()),
                ..LabelCondition::default()
            },
            clearance: ClearanceCondition::default(),
        };
        Policy {
            id: format!("policy-{index}"),
            version: Version(version),
            authority: self.id(),
            vocabulary: vocabulary_id,
            scope: Scope::Any,
            validity: Validity {
                not_before: UnixTime(T0 - DAY),
                not_after: UnixTime(T0 + 365 * DAY),
            },
            rules: vec![
                rule("read", Effect::Permit, "read"),
                rule("no-dissemination", Effect::Forbid, "disseminate"),
            ],
        }
        .sign(&self.signer, &self.signer_cert.digest())
        .expect("sign")
    }

    /// The partner's bundles carrying `policies`: credentials, CRL and
    /// vocabulary in the first, at most `PER_BUNDLE` items in each.
    pub(crate) fn bundles(&self, policies: &[Vec<u8>]) -> Vec<Bundle> {
        let mut bundles = Vec::new();
        for (i, chunk) in policies.chunks(PER_BUNDLE).enumerate() {
            let mut bundle = Bundle::new(self.id());
            if i == 0 {
                bundle.certificates = vec![self.signer_cert.der().to_vec()];
                bundle.crls = vec![self.crl.der().to_vec()];
                bundle.vocabularies = vec![self.vocabulary_bytes.clone()];
            }
            bundle.policies = chunk.to_vec();
            bundles.push(bundle);
        }
        bundles
    }
}

/// The admission policy of `home` over `authorities`: no coordinators, one
/// translation hop, CRLs at most a week old.
pub(crate) fn admission_policy(home: &str, authorities: Vec<AuthorityConfig>) -> AdmissionPolicy {
    AdmissionPolicy::from_document(
        PolicyDocument {
            home: home.into(),
            authorities,
            coordinators: Vec::new(),
            max_translation_hops: 1,
            max_crl_age_secs: 7 * DAY,
            clock_skew_secs: 300,
            disputes: entente_admit::DisputeHandling::Suspend,
            eku_arc: None,
        },
        None,
    )
    .expect("admission policy")
}

pub(crate) struct Setup {
    pub(crate) policy: AdmissionPolicy,
    pub(crate) partner: Authority,
    /// `large()` policies at version 1.
    pub(crate) policies: Vec<Vec<u8>>,
}

pub(crate) fn setup() -> Setup {
    let home = Authority::new(
        "GBR",
        include_str!("../../../crates/entente-policy/examples/vocabularies/gbr.json"),
    );
    let partner = Authority::new(
        "DEU",
        include_str!("../../../crates/entente-policy/examples/vocabularies/deu.json"),
    );
    let policy = admission_policy(
        "GBR",
        vec![
            home.config("GBR", Provision::ALL.to_vec()),
            partner.config("DEU", vec![Provision::Vocabularies, Provision::Policies]),
        ],
    );
    let policies = (0..large()).map(|i| partner.policy(i, 1)).collect();
    Setup {
        policy,
        partner,
        policies,
    }
}

/// Where a bench's store lives.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Storage {
    /// A temporary directory on disk: the durable configuration.
    Disk,
    /// /dev/shm (tmpfs): the fsync of a commit costs next to nothing. Not
    /// durable; it only measures what the disk's fsync adds.
    Tmpfs,
}

impl Storage {
    const TMPFS: &'static str = "/dev/shm";

    /// The storages available here (tmpfs only where /dev/shm exists).
    pub(crate) fn available() -> Vec<Self> {
        let mut out = vec![Self::Disk];
        if std::path::Path::new(Self::TMPFS).is_dir() {
            out.push(Self::Tmpfs);
        }
        out
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Disk => "store on disk",
            Self::Tmpfs => "store on tmpfs (/dev/shm, not durable)",
        }
    }

    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Self::Disk => "",
            Self::Tmpfs => "/tmpfs",
        }
    }

    pub(crate) fn tempdir(self) -> tempfile::TempDir {
        match self {
            Self::Disk => tempfile::tempdir().expect("tempdir"),
            Self::Tmpfs => tempfile::tempdir_in(Self::TMPFS).expect("tempdir on tmpfs"),
        }
    }
}

/// A fresh admitter over a fresh temporary store.
pub(crate) fn fresh(
    policy: &AdmissionPolicy,
    provider: &'static dyn CryptoProvider,
) -> (Admitter, tempfile::TempDir) {
    fresh_on(policy, provider, Storage::Disk)
}

/// A fresh admitter over a fresh temporary store in `storage`.
pub(crate) fn fresh_on(
    policy: &AdmissionPolicy,
    provider: &'static dyn CryptoProvider,
    storage: Storage,
) -> (Admitter, tempfile::TempDir) {
    let dir = storage.tempdir();
    let store = AdmissionStore::open(&dir.path().join("admission.redb")).expect("store");
    (
        Admitter::new(policy.clone(), store).with_provider(provider),
        dir,
    )
}

/// The first `n` policies.
pub(crate) fn first(policies: &[Vec<u8>], n: usize) -> &[Vec<u8>] {
    policies.get(..n).expect("enough policies signed")
}
