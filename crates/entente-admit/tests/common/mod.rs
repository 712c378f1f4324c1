//! A coalition test world: three national authorities (GBR, DEU, USA), an
//! alliance (NATO) and an ad-hoc coalition (COAL), each with its own root
//! `CertificateAuthority`, credentials per profile, a CRL, a vocabulary and
//! a policy; a dual-domain translator (DEU → GBR, certified by both), a
//! coordinator translator (USA → GBR, by NATO), an operation declared by
//! the coalition with its roster, and attestations. GBR is the admitting
//! partner unless a test says otherwise.
//!
//! Every key is derived from a fixed seed, so every artifact is the same
//! from run to run (ECDSA signatures are deterministic, RFC 6979).

#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    reason = "each test binary uses part of the world"
)]

use entente_admit::{
    AdmissionPolicy, AdmissionStore, Admitter, AuthorityConfig, AuthorityKind, Bundle,
    CoordinatorConfig, DisputeHandling, EventKind, EventLog, LoggedEvent, PolicyDocument,
    Provision, RootSource, verify_logged_event,
};
use entente_attest::{
    Attestation, OperationDeclaration, QuorumRule, Role as RosterRole, RosterChangeRules,
    RosterEntry, Statement,
};
use entente_audit::{EntryKind, FileLog, LogEntry};
use entente_core::cose::Envelope;
use entente_core::{
    ArtifactId, AuthorityId, Digest256, KeyKind, OperationId, RustCryptoProvider, Signer as _,
    SigningKey, UnixTime, Validity, Version,
};
use entente_policy::{
    ClearanceCondition, Effect, LabelCondition, Match, Policy, Role, Rule, Scope, Vocabulary,
};
use entente_translate::{Direction, Lossiness, TermPair, Translation, VocabularyRef};
use entente_x509::{Certificate, CertificateAuthority, Crl, EkuOids, Oid, RevocationReason, dn};

/// The verification time of every test.
pub const T0: u64 = 1_800_000_000;
pub const AT: UnixTime = UnixTime(T0);
pub const DAY: u64 = 86_400;
/// The admission policy's freshness bound for revocation data.
pub const MAX_CRL_AGE: u64 = 7 * DAY;
const SEED: &[u8] = b"entente-admit-tests";

/// A deterministic P-256 key.
pub fn key(label: &str) -> SigningKey {
    SigningKey::derive_from_seed(KeyKind::P256, SEED, label).expect("derive key")
}

/// Validity of credentials: a day before `T0` to 300 days after (inside
/// every role profile's lifetime bound).
pub fn credential_validity() -> Validity {
    Validity {
        not_before: UnixTime(T0 - DAY),
        not_after: UnixTime(T0 + 300 * DAY),
    }
}

/// A signing key with its certificate.
pub struct Credential {
    pub key: SigningKey,
    pub cert: Certificate,
}

impl Credential {
    /// The COSE `kid`: SHA-256 of the certificate's DER.
    pub fn kid(&self) -> Digest256 {
        self.cert.digest()
    }
}

/// Which example vocabulary an authority uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Gbr,
    Deu,
    Usa,
    Nato,
    Coal,
}

impl Code {
    pub const ALL: [Self; 5] = [Self::Gbr, Self::Deu, Self::Usa, Self::Nato, Self::Coal];

    pub fn name(self) -> &'static str {
        match self {
            Self::Gbr => "GBR",
            Self::Deu => "DEU",
            Self::Usa => "USA",
            Self::Nato => "NATO",
            Self::Coal => "COAL",
        }
    }

    pub fn kind(self) -> AuthorityKind {
        match self {
            Self::Gbr | Self::Deu | Self::Usa => AuthorityKind::National,
            Self::Nato => AuthorityKind::Alliance,
            Self::Coal => AuthorityKind::AdHocCoalition,
        }
    }

    /// The example vocabulary file (the coalition borrows NATO's).
    fn vocabulary_file(self) -> &'static str {
        match self {
            Self::Gbr => "gbr",
            Self::Deu => "deu",
            Self::Usa => "usa",
            Self::Nato | Self::Coal => "nato",
        }
    }
}

/// An authority: its root CA, its credentials, its revocation list and
/// its own documents.
pub struct Authority {
    pub code: Code,
    pub ca: CertificateAuthority,
    pub policy_signer: Credential,
    pub translator: Credential,
    pub declarer: Credential,
    pub attester: Credential,
    /// The integrity-event recorder (audit-log EKU on a P-256 key).
    pub audit: Credential,
    pub crl: Crl,
    pub vocabulary: Vocabulary,
    pub vocabulary_bytes: Vec<u8>,
    pub policy: Policy,
    pub policy_bytes: Vec<u8>,
}

impl Authority {
    pub fn new(code: Code) -> Self {
        let name = code.name();
        let validity = Validity {
            not_before: UnixTime(T0 - 365 * DAY),
            not_after: UnixTime(T0 + 10 * 365 * DAY),
        };
        let mut ca = CertificateAuthority::new_root(
            dn(&format!("CN={name} Root CA,O={name}")).expect("dn"),
            key(&format!("{name}/root")),
            validity,
            None,
        )
        .expect("root");
        let oids = EkuOids::default();
        let mut issue = |role: &str, eku: &Oid| {
            let key = key(&format!("{name}/{role}"));
            let cert = ca
                .issue_credential(
                    dn(&format!("CN={name} {role},O={name}")).expect("dn"),
                    key.public_key(),
                    credential_validity(),
                    vec![eku.clone()],
                )
                .expect("credential");
            Credential { key, cert }
        };
        let policy_signer = issue("policy signer", &oids.policy_signer);
        let translator = issue("translator", &oids.translator);
        let declarer = issue("declarer", &oids.operation_declarer);
        let attester = issue("attester", &oids.attester);
        let audit = issue("audit", &oids.audit_log);
        let crl = ca
            .crl(UnixTime(T0 - 3600), Some(UnixTime(T0 + 30 * DAY)))
            .expect("crl");
        let id = AuthorityId::from_spki_der(ca.certificate().spki_der());
        let mut vocabulary = example_vocabulary(code.vocabulary_file());
        vocabulary.authority = id;
        vocabulary.id = format!("{}-vocabulary", name.to_lowercase());
        let vocabulary_bytes = vocabulary
            .sign(&policy_signer.key, &policy_signer.kid())
            .expect("sign vocabulary");
        let vocabulary_id = artifact_id(&vocabulary_bytes);
        let policy = base_policy(&vocabulary, vocabulary_id, Version(1), Scope::Any);
        let policy_bytes = policy
            .sign(&policy_signer.key, &policy_signer.kid())
            .expect("sign policy");
        Self {
            code,
            ca,
            policy_signer,
            translator,
            declarer,
            attester,
            audit,
            crl,
            vocabulary,
            vocabulary_bytes,
            policy,
            policy_bytes,
        }
    }

    pub fn id(&self) -> AuthorityId {
        AuthorityId::from_spki_der(self.ca.certificate().spki_der())
    }

    pub fn root(&self) -> &Certificate {
        self.ca.certificate()
    }

    pub fn vocabulary_id(&self) -> ArtifactId {
        artifact_id(&self.vocabulary_bytes)
    }

    pub fn vocabulary_ref(&self) -> VocabularyRef {
        VocabularyRef {
            authority: self.id(),
            vocabulary: self.vocabulary_id(),
        }
    }

    /// A fresh credential with `eku`, from this authority's root.
    pub fn credential(&mut self, label: &str, eku: &Oid, validity: Validity) -> Credential {
        let name = self.code.name();
        let key = key(&format!("{name}/{label}"));
        let cert = self
            .ca
            .issue_credential(
                dn(&format!("CN={name} {label},O={name}")).expect("dn"),
                key.public_key(),
                validity,
                vec![eku.clone()],
            )
            .expect("credential");
        Credential { key, cert }
    }

    /// Certifies `key` (held elsewhere) with `eku`.
    pub fn certify(&mut self, label: &str, key: &SigningKey, eku: &Oid) -> Certificate {
        let name = self.code.name();
        self.ca
            .issue_credential(
                dn(&format!("CN={label},O={name}")).expect("dn"),
                key.public_key(),
                credential_validity(),
                vec![eku.clone()],
            )
            .expect("credential")
    }

    /// Issues a new CRL with `this_update` and a 30-day `nextUpdate`.
    pub fn refresh_crl(&mut self, this_update: u64) {
        self.crl = self
            .ca
            .crl(
                UnixTime(this_update),
                Some(UnixTime(this_update + 30 * DAY)),
            )
            .expect("crl");
    }

    /// Revokes `cert` from `date` and publishes a CRL an hour later.
    pub fn revoke(&mut self, cert: &Certificate, date: u64) {
        self.ca
            .revoke(cert, UnixTime(date), RevocationReason::KeyCompromise)
            .expect("revoke");
        self.refresh_crl(date + 3600);
    }

    /// Signs a policy with the policy signer.
    pub fn sign_policy(&self, policy: &Policy) -> Vec<u8> {
        policy
            .sign(&self.policy_signer.key, &self.policy_signer.kid())
            .expect("sign policy")
    }

    /// A policy of this authority over its vocabulary.
    pub fn policy_version(&self, version: u64, scope: Scope) -> Policy {
        base_policy(
            &self.vocabulary,
            self.vocabulary_id(),
            Version(version),
            scope,
        )
    }

    /// This authority's usual bundle: its credentials (not the recorder's),
    /// its CRL, its vocabulary and its policy.
    pub fn bundle(&self) -> Bundle {
        let mut bundle = Bundle::new(self.id());
        bundle.certificates = vec![
            self.policy_signer.cert.der().to_vec(),
            self.translator.cert.der().to_vec(),
            self.declarer.cert.der().to_vec(),
            self.attester.cert.der().to_vec(),
        ];
        bundle.crls = vec![self.crl.der().to_vec()];
        bundle.vocabularies = vec![self.vocabulary_bytes.clone()];
        bundle.policies = vec![self.policy_bytes.clone()];
        bundle
    }

    /// A bundle with credentials and CRL only.
    pub fn empty_bundle(&self) -> Bundle {
        let mut bundle = self.bundle();
        bundle.vocabularies.clear();
        bundle.policies.clear();
        bundle
    }

    /// An attestation by this authority, signed by its attester.
    pub fn attest(
        &self,
        operation: OperationId,
        epoch: u64,
        slot: u64,
        statement: Statement,
    ) -> Vec<u8> {
        Attestation {
            operation,
            epoch,
            slot,
            author: self.id(),
            statement,
        }
        .sign(&self.attester.key, &self.attester.kid())
        .expect("sign attestation")
    }
}

/// The artifact id of a COSE envelope.
pub fn artifact_id(envelope: &[u8]) -> ArtifactId {
    Envelope::from_slice(envelope)
        .expect("envelope")
        .artifact_id()
}

/// An example vocabulary from entente-policy.
pub fn example_vocabulary(file: &str) -> Vocabulary {
    let path = format!(
        "{}/../entente-policy/examples/vocabularies/{file}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    Vocabulary::from_json(&std::fs::read_to_string(path).expect("vocabulary")).expect("parse")
}

fn rule(id: &str, effect: Effect, actions: &[&str], max_level: Option<&str>) -> Rule {
    Rule {
        id: id.into(),
        effect,
        authorities: Match::Any,
        roles: Match::Any,
        actions: Match::Only(actions.iter().map(|a| (*a).to_owned()).collect()),
        resource: LabelCondition {
            min_level: None,
            max_level: max_level.map(str::to_owned),
            require_categories: Vec::new(),
            exclude_categories: Vec::new(),
        },
        clearance: ClearanceCondition::default(),
    }
}

/// A policy over `vocabulary`: partners read up to its second level;
/// observers may not disseminate.
pub fn base_policy(
    vocabulary: &Vocabulary,
    vocabulary_id: ArtifactId,
    version: Version,
    scope: Scope,
) -> Policy {
    let second = vocabulary.levels.get(1).map(|l| l.name.as_str());
    let mut observers = rule(
        "observers-never-disseminate",
        Effect::Forbid,
        &["disseminate"],
        None,
    );
    observers.roles = Match::Only(vec![Role::Observing]);
    Policy {
        id: format!("{}-sharing", vocabulary.id),
        version,
        authority: vocabulary.authority,
        vocabulary: vocabulary_id,
        scope,
        validity: Validity {
            not_before: UnixTime(T0 - 30 * DAY),
            not_after: UnixTime(T0 + 365 * DAY),
        },
        rules: vec![
            rule("partners-read", Effect::Permit, &["read"], second),
            observers,
        ],
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<TermPair> {
    list.iter()
        .map(|(s, t)| TermPair {
            source: (*s).into(),
            target: (*t).into(),
        })
        .collect()
}

/// DEU's four levels read conservatively in GBR's three.
pub fn deu_to_gbr(deu: &Authority, gbr: &Authority) -> Translation {
    Translation {
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
        validity: Validity {
            not_before: UnixTime(T0 - 30 * DAY),
            not_after: UnixTime(T0 + 365 * DAY),
        },
    }
}

/// USA's levels read in GBR's (UNCLASSIFIED has no GBR image).
pub fn usa_to_gbr(usa: &Authority, gbr: &Authority) -> Translation {
    Translation {
        id: "usa-gbr".into(),
        version: Version(1),
        source: usa.vocabulary_ref(),
        target: gbr.vocabulary_ref(),
        direction: Direction::SourceToTarget,
        levels: pairs(&[
            ("CONFIDENTIAL", "OFFICIAL"),
            ("SECRET", "SECRET"),
            ("TOP SECRET", "TOP SECRET"),
        ]),
        categories: pairs(&[("REL FVEY", "REL FVEY")]),
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
        validity: Validity {
            not_before: UnixTime(T0 - 30 * DAY),
            not_after: UnixTime(T0 + 365 * DAY),
        },
    }
}

/// A translator key that stands in two domains: certified as translator by
/// DEU and by GBR.
pub struct DualTranslator {
    pub key: SigningKey,
    pub in_deu: Certificate,
    pub in_gbr: Certificate,
}

/// The coalition.
pub struct World {
    pub gbr: Authority,
    pub deu: Authority,
    pub usa: Authority,
    pub nato: Authority,
    pub coal: Authority,
    pub dual: DualTranslator,
    /// DEU → GBR, signed by the dual-domain translator (published by DEU).
    pub dual_translation: Vec<u8>,
    /// USA → GBR, signed by NATO's translator as coordinator (published by NATO).
    pub coordinated_translation: Vec<u8>,
    /// The coalition's operation: GBR lead, DEU and USA supporting, NATO observing.
    pub operation: OperationId,
    pub declaration: Vec<u8>,
    /// A second operation of the coalition, which DEU is not admitted for.
    pub other_operation: OperationId,
    pub other_declaration: Vec<u8>,
}

impl World {
    pub fn new() -> Self {
        let mut gbr = Authority::new(Code::Gbr);
        let mut deu = Authority::new(Code::Deu);
        let usa = Authority::new(Code::Usa);
        let nato = Authority::new(Code::Nato);
        let coal = Authority::new(Code::Coal);
        let oids = EkuOids::default();
        let dual_key = key("dual-domain translator");
        let in_deu = deu.certify("DEU-GBR translator", &dual_key, &oids.translator);
        let in_gbr = gbr.certify("DEU-GBR translator", &dual_key, &oids.translator);
        let dual = DualTranslator {
            key: dual_key,
            in_deu,
            in_gbr,
        };
        let dual_translation = sign_translation(
            &deu_to_gbr(&deu, &gbr),
            &dual.key,
            &dual.in_deu,
            (&deu, &gbr),
        );
        let coordinated_translation = sign_translation(
            &usa_to_gbr(&usa, &gbr),
            &nato.translator.key,
            &nato.translator.cert,
            (&usa, &gbr),
        );
        let roster = vec![
            RosterEntry {
                authority: gbr.id(),
                role: RosterRole::Lead,
            },
            RosterEntry {
                authority: deu.id(),
                role: RosterRole::Supporting,
            },
            RosterEntry {
                authority: usa.id(),
                role: RosterRole::Supporting,
            },
            RosterEntry {
                authority: nato.id(),
                role: RosterRole::Observing,
            },
        ];
        let declare = |name: &str| {
            let declaration = OperationDeclaration::new(
                coal.id(),
                name,
                roster.clone(),
                QuorumRule::TwoThirds,
                Validity {
                    not_before: UnixTime(T0 - 30 * DAY),
                    not_after: UnixTime(T0 + 180 * DAY),
                },
                coal.id(),
                RosterChangeRules::FROZEN,
            );
            let bytes = declaration
                .sign(&coal.declarer.key, &coal.declarer.kid())
                .expect("sign declaration");
            (declaration.operation, bytes)
        };
        let (operation, declaration) = declare("operation harbour shield");
        let (other_operation, other_declaration) = declare("operation northern watch");
        // DEU is admitted for the first operation only, so its policy is
        // scoped to it.
        deu.policy = deu.policy_version(1, Scope::Operations(vec![operation]));
        deu.policy_bytes = deu.sign_policy(&deu.policy);
        Self {
            gbr,
            deu,
            usa,
            nato,
            coal,
            dual,
            dual_translation,
            coordinated_translation,
            operation,
            declaration,
            other_operation,
            other_declaration,
        }
    }

    pub fn authorities(&self) -> [&Authority; 5] {
        [&self.gbr, &self.deu, &self.usa, &self.nato, &self.coal]
    }

    pub fn gbr_bundle(&self) -> Bundle {
        self.gbr.bundle()
    }

    /// DEU's bundle: its documents, the dual translator's two certificates
    /// and the DEU → GBR translation.
    pub fn deu_bundle(&self) -> Bundle {
        let mut bundle = self.deu.bundle();
        bundle.certificates.extend([
            self.dual.in_deu.der().to_vec(),
            self.dual.in_gbr.der().to_vec(),
        ]);
        bundle.translations.push(self.dual_translation.clone());
        bundle
    }

    pub fn usa_bundle(&self) -> Bundle {
        self.usa.bundle()
    }

    /// NATO's bundle: its documents and the coordinated USA → GBR translation.
    pub fn nato_bundle(&self) -> Bundle {
        let mut bundle = self.nato.bundle();
        bundle
            .translations
            .push(self.coordinated_translation.clone());
        bundle
    }

    /// The coalition's bundle: credentials, CRL and the declarations.
    pub fn coal_bundle(&self) -> Bundle {
        let mut bundle = self.coal.empty_bundle();
        bundle.declarations = vec![self.declaration.clone(), self.other_declaration.clone()];
        bundle
    }

    /// Every authority's honest bundle.
    pub fn bundles(&self) -> Vec<Bundle> {
        vec![
            self.gbr_bundle(),
            self.deu_bundle(),
            self.usa_bundle(),
            self.nato_bundle(),
            self.coal_bundle(),
        ]
    }

    /// The admission policy document of `home`.
    pub fn policy_document(&self, home: Code) -> PolicyDocument {
        let every = Provision::ALL.to_vec();
        let config = |a: &Authority, scope: Scope, provides: Vec<Provision>| AuthorityConfig {
            name: a.code.name().to_owned(),
            kind: a.code.kind(),
            id: Some(a.id()),
            roots: vec![RootSource::Pem(a.root().to_pem().expect("pem"))],
            scope,
            provides,
        };
        let partner = vec![
            Provision::Vocabularies,
            Provision::Policies,
            Provision::Translations,
            Provision::Attestations,
        ];
        PolicyDocument {
            home: home.name().to_owned(),
            authorities: vec![
                config(&self.gbr, Scope::Any, every.clone()),
                config(
                    &self.deu,
                    Scope::Operations(vec![self.operation]),
                    partner.clone(),
                ),
                config(&self.usa, Scope::Any, partner.clone()),
                config(&self.nato, Scope::Any, partner),
                config(
                    &self.coal,
                    Scope::Any,
                    vec![Provision::Declarations, Provision::Attestations],
                ),
            ],
            coordinators: vec![CoordinatorConfig {
                coordinator: self.nato.code.name().to_owned(),
                source: self.usa.code.name().to_owned(),
                target: self.gbr.code.name().to_owned(),
                operations: Scope::Any,
            }],
            max_translation_hops: 1,
            max_crl_age_secs: MAX_CRL_AGE,
            clock_skew_secs: 300,
            disputes: DisputeHandling::Suspend,
            eku_arc: None,
        }
    }

    /// GBR's admission policy.
    pub fn admission_policy(&self) -> AdmissionPolicy {
        AdmissionPolicy::from_document(self.policy_document(Code::Gbr), None)
            .expect("admission policy")
    }

    /// An attestation by `author` about the operation, epoch 0.
    pub fn attest(&self, author: &Authority, slot: u64, statement: Statement) -> Vec<u8> {
        author.attest(self.operation, 0, slot, statement)
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

/// Signs `translation` with one signer whose certificate is `cert`.
pub fn sign_translation(
    translation: &Translation,
    key: &SigningKey,
    cert: &Certificate,
    (source, target): (&Authority, &Authority),
) -> Vec<u8> {
    translation
        .sign(
            &[(key, cert.digest())],
            (&source.vocabulary, source.vocabulary_id()),
            (&target.vocabulary, target.vocabulary_id()),
        )
        .expect("sign translation")
}

/// The admitting partner's durable state and audit log in a temporary
/// directory: reopening the same directory is a restart.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn store_path(&self) -> std::path::PathBuf {
        self.dir.path().join("admission.redb")
    }

    pub fn log_dir(&self) -> std::path::PathBuf {
        self.dir.path().join("audit")
    }

    /// GBR's admitter over this site's store and log (RustCrypto backend,
    /// passed explicitly).
    pub fn admitter(&self, world: &World) -> Admitter {
        self.admitter_for(world, world.admission_policy())
    }

    pub fn admitter_for(&self, world: &World, policy: AdmissionPolicy) -> Admitter {
        let store = AdmissionStore::open(&self.store_path()).expect("store");
        std::fs::create_dir_all(self.log_dir()).expect("log dir");
        let log = FileLog::open(&self.log_dir()).expect("audit log");
        let log = EventLog::new(
            log,
            // SigningKey is not Clone: derive the recorder's key again.
            key(&format!("{}/audit", world.gbr.code.name())),
            world.gbr.audit.cert.clone(),
            world.gbr.id(),
        )
        .expect("event log");
        Admitter::new(policy, store)
            .with_provider(&RustCryptoProvider)
            .with_event_log(log)
    }
}

impl Default for Site {
    fn default() -> Self {
        Self::new()
    }
}

/// Every integrity event in `admitter`'s log, each verified against the
/// recorder's audit certificate, with its index in the log.
pub fn logged_events(admitter: &Admitter, audit: &Certificate) -> Vec<(u64, LoggedEvent)> {
    let log = admitter.event_log().expect("event log").log();
    let mut events = Vec::new();
    for index in 0..log.size() {
        let bytes = log.entry(index).expect("entry");
        let entry = LogEntry::from_bytes(&bytes).expect("entry decodes");
        if entry.kind != EntryKind::IntegrityEvent {
            continue;
        }
        let logged = verify_logged_event(&bytes, audit, &RustCryptoProvider)
            .expect("the integrity event's signature verifies");
        events.push((index, logged));
    }
    events
}

/// The reason codes of the `Rejected` entries in `admitter`'s log.
pub fn logged_rejections(admitter: &Admitter) -> Vec<(String, Vec<ArtifactId>)> {
    let log = admitter.event_log().expect("event log").log();
    (0..log.size())
        .filter_map(|index| {
            let entry = LogEntry::from_bytes(&log.entry(index).expect("entry")).expect("decodes");
            (entry.kind == EntryKind::Rejected).then_some((entry.reason, entry.artifacts))
        })
        .collect()
}

/// Checks that the log holds exactly one integrity event of `kind` about
/// `artifact`, signed by the recorder, naming `offender`, carrying
/// evidence, and included in the log's Merkle tree; returns it.
pub fn assert_event(
    admitter: &Admitter,
    world: &World,
    kind: EventKind,
    offender: AuthorityId,
    artifact: Option<ArtifactId>,
) -> LoggedEvent {
    let events = logged_events(admitter, &world.gbr.audit.cert);
    let matching: Vec<&(u64, LoggedEvent)> = events
        .iter()
        .filter(|(_, e)| e.event.document().kind == kind)
        .filter(|(_, e)| artifact.is_none_or(|a| e.event.document().artifacts.contains(&a)))
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "expected one {kind:?} event, found {:?}",
        events
            .iter()
            .map(|(_, e)| (
                e.event.document().kind,
                e.event.document().artifacts.clone()
            ))
            .collect::<Vec<_>>()
    );
    let (index, logged) = matching[0];
    let event = logged.event.document();
    assert_eq!(
        event.recorder,
        world.gbr.id(),
        "recorded by the admitting partner"
    );
    assert_eq!(
        event.offender,
        Some(offender),
        "offender of the {kind:?} event"
    );
    assert!(
        !event.evidence.is_empty(),
        "the {kind:?} event carries evidence"
    );
    assert_eq!(logged.entry.reason, kind.code());
    // Appended to the log: its leaf is in the tree the log's root commits to.
    let log = admitter.event_log().expect("event log").log();
    let size = log.size();
    let proof = log.inclusion_proof(*index, size).expect("inclusion proof");
    let leaf = log.leaf_hash(*index).expect("leaf hash");
    entente_audit::verify_inclusion(&leaf, *index, size, &proof, &log.root())
        .expect("the event is included in the log");
    logged.clone()
}

/// Asserts that no integrity event was logged (for rejections that are
/// faults, not attacks).
pub fn assert_no_event(admitter: &Admitter, world: &World) {
    let events = logged_events(admitter, &world.gbr.audit.cert);
    assert!(
        events.is_empty(),
        "unexpected integrity events: {:?}",
        events
            .iter()
            .map(|(_, e)| e.event.document().kind)
            .collect::<Vec<_>>()
    );
}
