//! `admit_bundle`: decode a fuzzed bundle under fixed limits, then admit it
//! beside a fixed home bundle under a fixed admission policy (GBR home, DEU
//! partner with a dual-domain translator), with a fresh in-memory store.
//!
//! Properties: nothing panics; what decodes respects every limit it was
//! decoded under and re-encodes to the same bytes; admission never fails
//! for input reasons (only the store or log may fail, and neither can
//! here); every signed item is either admitted or rejected, never both and
//! never lost; nothing is admitted for an authority other than its
//! publisher; the crypto work stays within the path-validation budget.
//!
//! entente-admit has no `oracle` module yet, so the oracle lives here.
//! Regenerate the seed corpus (real bundles of the fixture) with
//! `ENTENTE_WRITE_SEEDS=corpus/admit_bundle cargo +nightly fuzz run admit_bundle -- -runs=1`.
#![no_main]

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use entente_admit::{
    AdmissionPolicy, AdmissionStore, Admitter, ArtifactKind, AuthorityConfig, AuthorityKind,
    Bundle, BundleLimits, DisputeHandling, Parallelism, PolicyDocument, Provision, RootSource,
};
use entente_core::cose::Envelope;
use entente_core::{
    AuthorityId, CryptoError, CryptoProvider, Digest256, KeyKind, PublicKey, RustCryptoProvider,
    SignatureAlgorithm, SignatureEncoding, Signer as _, SigningKey, UnixTime, Validity, Version,
};
use entente_policy::{
    ClearanceCondition, Effect, LabelCondition, Match, Policy, Rule, Scope, Vocabulary,
};
use entente_translate::{Direction, Lossiness, TermPair, Translation, VocabularyRef};
use entente_x509::{Budget, Certificate, CertificateAuthority, Crl, EkuOids, dn};

const T0: u64 = 1_800_000_000;
const DAY: u64 = 86_400;

/// Limits for fuzzed bundles: small, so that the fuzzer reaches them.
const LIMITS: BundleLimits = BundleLimits {
    max_total_bytes: 64 * 1024,
    max_items: 32,
    max_item_bytes: 16 * 1024,
    max_depth: 4,
};

/// Path-validation budget of the fuzzed admission.
const BUDGET: Budget = Budget {
    signatures: 16,
    candidates: 256,
    max_depth: 6,
    policy_edges: 256,
    crl_signer_nesting: 1,
};

/// RustCrypto with its verdicts remembered: verification is a pure
/// function of its inputs, so remembering it changes no outcome, and the
/// fixed home bundle (verified on every input) costs nothing after the
/// first run. Bounded, so the fuzzer's own inputs cannot grow it forever.
#[derive(Debug, Default)]
struct Memo {
    verdicts: Mutex<HashMap<Digest256, Result<(), CryptoError>>>,
}

const MEMO_ENTRIES: usize = 4096;

impl CryptoProvider for Memo {
    fn name(&self) -> &'static str {
        "rustcrypto-memo"
    }

    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        encoding: SignatureEncoding,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        let digest = Digest256::sha256_parts(&[
            format!("{algorithm:?}/{encoding:?}/{:?}/", key.kind()).as_bytes(),
            &(key.material().len() as u64).to_be_bytes(),
            key.material(),
            &(message.len() as u64).to_be_bytes(),
            message,
            signature,
        ]);
        let mut verdicts = self.verdicts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(verdict) = verdicts.get(&digest) {
            return verdict.clone();
        }
        let verdict = RustCryptoProvider.verify(algorithm, encoding, key, message, signature);
        if verdicts.len() < MEMO_ENTRIES {
            verdicts.insert(digest, verdict.clone());
        }
        verdict
    }
}

fn provider() -> &'static Memo {
    static PROVIDER: OnceLock<Memo> = OnceLock::new();
    PROVIDER.get_or_init(Memo::default)
}

struct Authority {
    ca: CertificateAuthority,
    signer: SigningKey,
    signer_cert: Certificate,
    crl: Crl,
    vocabulary: Vocabulary,
    vocabulary_bytes: Vec<u8>,
}

fn key(label: &str) -> SigningKey {
    SigningKey::derive_from_seed(KeyKind::P256, b"fuzz-admit-bundle", label).expect("key")
}

fn validity(before: u64, after: u64) -> Validity {
    Validity {
        not_before: UnixTime(T0 - before),
        not_after: UnixTime(T0 + after),
    }
}

impl Authority {
    fn new(name: &str, vocabulary: &str) -> Self {
        let mut ca = CertificateAuthority::new_root(
            dn(&format!("CN={name} Root")).expect("dn"),
            key(&format!("{name}/root")),
            validity(365 * DAY, 3650 * DAY),
            None,
        )
        .expect("root");
        let signer = key(&format!("{name}/signer"));
        let signer_cert = ca
            .issue_credential(
                dn(&format!("CN={name} policy signer")).expect("dn"),
                signer.public_key(),
                validity(DAY, 300 * DAY),
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

    fn id(&self) -> AuthorityId {
        AuthorityId::from_spki_der(self.ca.certificate().spki_der())
    }

    fn vocabulary_ref(&self) -> VocabularyRef {
        VocabularyRef {
            authority: self.id(),
            vocabulary: Envelope::from_slice(&self.vocabulary_bytes)
                .expect("envelope")
                .artifact_id(),
        }
    }

    fn policy(&self, version: u64) -> Vec<u8> {
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
            id: "sharing".into(),
            version: Version(version),
            authority: self.id(),
            vocabulary: self.vocabulary_ref().vocabulary,
            scope: Scope::Any,
            validity: validity(DAY, 365 * DAY),
            rules: vec![
                rule("read", Effect::Permit, "read"),
                rule("no-dissemination", Effect::Forbid, "disseminate"),
            ],
        }
        .sign(&self.signer, &self.signer_cert.digest())
        .expect("sign")
    }

    fn bundle(&self) -> Bundle {
        let mut bundle = Bundle::new(self.id());
        bundle.certificates = vec![self.signer_cert.der().to_vec()];
        bundle.crls = vec![self.crl.der().to_vec()];
        bundle.vocabularies = vec![self.vocabulary_bytes.clone()];
        bundle.policies = vec![self.policy(1)];
        bundle
    }

    fn config(&self, name: &str) -> AuthorityConfig {
        AuthorityConfig {
            name: name.into(),
            kind: AuthorityKind::National,
            id: Some(self.id()),
            roots: vec![RootSource::Pem(
                self.ca.certificate().to_pem().expect("pem"),
            )],
            scope: Scope::Any,
            provides: Provision::ALL.to_vec(),
        }
    }
}

struct Fixture {
    policy: AdmissionPolicy,
    home: Bundle,
}

fn pairs(list: &[(&str, &str)]) -> Vec<TermPair> {
    list.iter()
        .map(|(s, t)| TermPair {
            source: (*s).into(),
            target: (*t).into(),
        })
        .collect()
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mut gbr = Authority::new(
            "GBR",
            include_str!("../../crates/entente-policy/examples/vocabularies/gbr.json"),
        );
        let mut deu = Authority::new(
            "DEU",
            include_str!("../../crates/entente-policy/examples/vocabularies/deu.json"),
        );
        let policy = AdmissionPolicy::from_document(
            PolicyDocument {
                home: "GBR".into(),
                authorities: vec![gbr.config("GBR"), deu.config("DEU")],
                coordinators: Vec::new(),
                max_translation_hops: 1,
                max_crl_age_secs: 7 * DAY,
                clock_skew_secs: 300,
                disputes: DisputeHandling::Suspend,
                eku_arc: None,
            },
            None,
        )
        .expect("admission policy");
        let home = gbr.bundle();
        if let Some(dir) = std::env::var_os("ENTENTE_WRITE_SEEDS") {
            write_seeds(std::path::Path::new(&dir), &mut gbr, &mut deu);
        }
        Fixture { policy, home }
    })
}

/// Writes real bundles of the fixture as seeds.
fn write_seeds(dir: &std::path::Path, gbr: &mut Authority, deu: &mut Authority) {
    let translator = key("DEU-GBR translator");
    let eku = EkuOids::default().translator;
    let in_deu = deu
        .ca
        .issue_credential(
            dn("CN=DEU-GBR translator").expect("dn"),
            translator.public_key(),
            validity(DAY, 300 * DAY),
            vec![eku.clone()],
        )
        .expect("credential");
    let in_gbr = gbr
        .ca
        .issue_credential(
            dn("CN=DEU-GBR translator").expect("dn"),
            translator.public_key(),
            validity(DAY, 300 * DAY),
            vec![eku],
        )
        .expect("credential");
    let translation = Translation {
        id: "deu-gbr".into(),
        version: Version(1),
        source: deu.vocabulary_ref(),
        target: gbr.vocabulary_ref(),
        direction: Direction::SourceToTarget,
        levels: pairs(&[
            ("VS-NUR FÜR DEN DIENSTGEBRAUCH", "OFFICIAL"),
            ("VS-VERTRAULICH", "SECRET"),
            ("GEHEIM", "SECRET"),
            ("STRENG GEHEIM", "TOP SECRET"),
        ]),
        categories: pairs(&[("REL NATO", "REL FVEY")]),
        actions: pairs(&[
            ("read", "read"),
            ("write", "write"),
            ("disseminate", "disseminate"),
        ]),
        lossy: Lossiness {
            levels: true,
            categories: true,
            actions: false,
        },
        scope: Scope::Any,
        validity: validity(DAY, 365 * DAY),
    }
    .sign(
        &[(&translator, in_deu.digest())],
        (&deu.vocabulary, deu.vocabulary_ref().vocabulary),
        (&gbr.vocabulary, gbr.vocabulary_ref().vocabulary),
    )
    .expect("sign translation");
    let honest = deu.bundle();
    let mut with_translation = deu.bundle();
    with_translation
        .certificates
        .extend([in_deu.der().to_vec(), in_gbr.der().to_vec()]);
    with_translation.translations = vec![translation];
    let mut updated = deu.bundle();
    updated.policies.push(deu.policy(2));
    let mut stale = deu.bundle();
    deu.crl = deu
        .ca
        .crl(UnixTime(T0 - 30 * DAY), Some(UnixTime(T0 + DAY)))
        .expect("crl");
    stale.crls = vec![deu.crl.der().to_vec()];
    let seeds = [
        ("deu-policy", honest),
        ("deu-translation", with_translation),
        ("deu-two-versions", updated),
        ("deu-stale-crl", stale),
        ("gbr-home", gbr.bundle()),
    ];
    std::fs::create_dir_all(dir).expect("seed dir");
    for (name, bundle) in seeds {
        let bytes = bundle.to_cbor().expect("encode");
        assert!(
            Bundle::from_cbor_with_limits(&bytes, LIMITS).is_ok(),
            "{name} within limits"
        );
        std::fs::write(dir.join(name), bytes).expect("write seed");
    }
}

fn store_path() -> std::path::PathBuf {
    let dir = std::path::Path::new("/dev/shm");
    let dir = if dir.is_dir() {
        dir.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    dir.join(format!(
        "entente-fuzz-admit-bundle-{}.redb",
        std::process::id()
    ))
}

fn signed_items(bundle: &Bundle) -> usize {
    bundle.vocabularies.len()
        + bundle.policies.len()
        + bundle.translations.len()
        + bundle.declarations.len()
        + bundle.attestations.len()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let Ok(bundle) = Bundle::from_cbor_with_limits(data, LIMITS) else {
        return;
    };
    // What decoded respects the limits it was decoded under.
    assert!(data.len() <= LIMITS.max_total_bytes);
    assert!(bundle.item_count() <= LIMITS.max_items);
    for item in bundle
        .certificates
        .iter()
        .chain(&bundle.crls)
        .chain(&bundle.vocabularies)
        .chain(&bundle.policies)
        .chain(&bundle.translations)
        .chain(&bundle.declarations)
        .chain(&bundle.attestations)
    {
        assert!(
            item.len() <= LIMITS.max_item_bytes,
            "item over the limit decoded"
        );
    }
    // Canonical: what decodes re-encodes to the input.
    assert_eq!(
        bundle.to_cbor().expect("re-encode"),
        data,
        "non-canonical bundle accepted"
    );

    // A fresh store per input, so no input depends on an earlier one. A
    // file in tmpfs: redb's in-memory backend zero-fills its regions, which
    // under coverage instrumentation costs more than the whole admission.
    let path = store_path();
    let _ = std::fs::remove_file(&path);
    let store = AdmissionStore::open(&path).expect("store");
    let mut admitter = Admitter::new(fixture.policy.clone(), store)
        .with_provider(provider())
        .with_parallelism(Parallelism::Sequential)
        .with_budget(BUDGET);
    let bundles = [fixture.home.clone(), bundle];
    let admission = admitter
        .admit(&bundles, UnixTime(T0))
        .expect("admission fails only on store or log errors");
    drop(admitter);
    let _ = std::fs::remove_file(&path);
    let report = &admission.report;

    // Every signed item is admitted or rejected, exactly once.
    let signed: usize = bundles.iter().map(signed_items).sum();
    let signed_rejections = report
        .rejected
        .iter()
        .filter(|r| !matches!(r.item.kind, ArtifactKind::Certificate | ArtifactKind::Crl))
        .count();
    assert_eq!(
        report.admitted.len() + signed_rejections,
        signed,
        "a signed item was lost or counted twice"
    );
    for rejected in &report.rejected {
        // A duplicate repeats an artifact that may be admitted; anything
        // else refused is not admitted.
        if matches!(rejected.reason, entente_admit::RejectReason::Duplicate) {
            continue;
        }
        if let Some(id) = rejected.artifact {
            assert!(
                !report.is_admitted(&id),
                "an artifact both admitted and rejected"
            );
        }
    }
    // Trust stores are never merged: an admitted artifact speaks for its
    // bundle's publisher.
    for admitted in &report.admitted {
        assert!(
            bundles.iter().any(|b| b.publisher == admitted.authority),
            "admitted for an authority that published nothing"
        );
    }
    // The crypto work is bounded: per signed item, a chain validation per
    // signer within the budget, the envelope's signatures, and (for a
    // translation) one validation per certificate and domain.
    let certificates: u64 = bundles.iter().map(|b| b.certificates.len() as u64).sum();
    let per_item = (BUDGET.signatures as u64 + 2) * (certificates + 2) * 64;
    assert!(
        report.stats.signature_verifications <= (signed as u64 + 1) * per_item,
        "{} signature verifications for {signed} items",
        report.stats.signature_verifications
    );
});
