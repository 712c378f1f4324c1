//! The demo's coalition: five authorities, their hierarchies and credentials,
//! their vocabularies and policies, the translators and the operation.
//!
//! Every key is derived from the demo seed, and every time is fixed, so a run
//! with the same seed produces the same artifacts byte for byte.

use entente_attest::{
    Attestation, OperationDeclaration, QuorumRule, Role as AttestRole, RosterChangeRules,
    RosterEntry, Statement,
};
use entente_core::cose::Envelope;
use entente_core::{
    ArtifactId, AuthorityId, Digest256, KeyKind, OperationId, Signer as _, SigningKey, UnixTime,
    Validity, Version,
};
use entente_policy::{
    ClearanceCondition, Effect, LabelCondition, Match, Policy, Role, Rule, Scope, Vocabulary,
};
use entente_translate::{Direction, Lossiness, TermPair, Translation, VocabularyRef};
use entente_x509::{Certificate, CertificateAuthority, Crl, EkuOids, Oid, dn};

use super::{DemoError, scenario};

/// The start of the scenario (2027-01-15T08:00:00Z); nothing reads the clock.
pub(crate) const T0: u64 = 1_800_000_000;
/// One day in seconds.
pub(crate) const DAY: u64 = 86_400;

/// What an authority is, in the eyes of the partners that admit it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A nation.
    National,
    /// A standing alliance.
    Alliance,
    /// An ad-hoc coalition formed for the mission.
    Coalition,
}

/// A key with the certificate that binds it to an authority.
pub(crate) struct Credential {
    /// The private key.
    pub(crate) key: SigningKey,
    /// Its certificate.
    pub(crate) certificate: Certificate,
}

impl Credential {
    /// The COSE key id of the credential (its certificate's digest).
    pub(crate) fn kid(&self) -> Digest256 {
        entente_core::cose::key_id_for_certificate(self.certificate.der())
    }
}

/// One authority of the coalition with everything it holds.
pub(crate) struct Authority {
    /// Short name (`GBR`).
    pub(crate) name: &'static str,
    /// Kind.
    pub(crate) kind: Kind,
    /// Its root CA.
    pub(crate) ca: CertificateAuthority,
    /// Signs vocabularies and policies.
    pub(crate) policy_signer: Credential,
    /// Signs attestations.
    pub(crate) attester: Credential,
    /// Signs audit-log checkpoints (Ed25519).
    pub(crate) log: Credential,
    /// Signs the integrity events it records (ECDSA, audit-log EKU).
    pub(crate) recorder: Credential,
    /// Cosigns other partners' checkpoints (Ed25519).
    pub(crate) witness: Credential,
    /// The vocabulary (`None`: the authority uses none of its own).
    pub(crate) vocabulary: Option<Signed<Vocabulary>>,
    /// Its policy over the resources it owns.
    pub(crate) policy: Option<Signed<Policy>>,
    /// The CRLs it has published, oldest first.
    pub(crate) crls: Vec<Crl>,
}

impl Authority {
    /// The authority's identity.
    pub(crate) fn id(&self) -> AuthorityId {
        self.ca.authority_id()
    }
}

/// A document with its signed envelope and artifact id.
pub(crate) struct Signed<T> {
    /// The document.
    pub(crate) document: T,
    /// The COSE envelope.
    pub(crate) bytes: Vec<u8>,
    /// Its artifact id.
    pub(crate) id: ArtifactId,
}

impl<T> Signed<T> {
    fn new(document: T, bytes: Vec<u8>) -> Result<Self, DemoError> {
        let id = Envelope::from_slice(&bytes)
            .map_err(scenario("signed envelope does not parse"))?
            .artifact_id();
        Ok(Self {
            document,
            bytes,
            id,
        })
    }
}

/// Deterministic keys from the demo seed.
pub(crate) struct Keys {
    seed: [u8; 8],
}

impl Keys {
    /// Keys for `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            seed: seed.to_be_bytes(),
        }
    }

    /// The key named `label`.
    pub(crate) fn key(&self, kind: KeyKind, label: &str) -> Result<SigningKey, DemoError> {
        SigningKey::derive_from_seed(kind, &self.seed, label).map_err(DemoError::crypto)
    }
}

/// Validity of roots: ten years around the scenario.
pub(crate) fn root_validity() -> Validity {
    Validity {
        not_before: UnixTime(T0 - 30 * DAY),
        not_after: UnixTime(T0 + 3650 * DAY),
    }
}

/// Validity of credentials: one year.
pub(crate) fn credential_validity() -> Validity {
    Validity {
        not_before: UnixTime(T0 - DAY),
        not_after: UnixTime(T0 + 365 * DAY),
    }
}

/// Issues a credential under `ca` for a new key named `label`.
pub(crate) fn credential(
    ca: &mut CertificateAuthority,
    keys: &Keys,
    kind: KeyKind,
    label: &str,
    subject: &str,
    eku: Oid,
) -> Result<Credential, DemoError> {
    let key = keys.key(kind, label)?;
    let certificate = ca
        .issue_credential(
            dn(subject).map_err(scenario("subject name"))?,
            key.public_key(),
            credential_validity(),
            vec![eku],
        )
        .map_err(scenario("issuing a credential"))?;
    Ok(Credential { key, certificate })
}

impl Authority {
    /// Creates the authority's root and its standing credentials.
    pub(crate) fn new(
        keys: &Keys,
        name: &'static str,
        kind: Kind,
        organisation: &str,
    ) -> Result<Self, DemoError> {
        let oids = EkuOids::default();
        let root_key = keys.key(KeyKind::P256, &format!("{name}/root"))?;
        let mut ca = CertificateAuthority::new_root(
            dn(&format!("CN={name} Root CA,O={organisation}")).map_err(scenario("root name"))?,
            root_key,
            root_validity(),
            None,
        )
        .map_err(scenario("issuing a root"))?;
        let mut issue = |label: &str, role: &str, kind: KeyKind, eku: &Oid| {
            credential(
                &mut ca,
                keys,
                kind,
                &format!("{name}/{label}"),
                &format!("CN={name} {role},O={organisation}"),
                eku.clone(),
            )
        };
        let policy_signer = issue(
            "policy",
            "Policy Signer",
            KeyKind::P256,
            &oids.policy_signer,
        )?;
        let attester = issue("attester", "Attester", KeyKind::P256, &oids.attester)?;
        let log = issue("log", "Audit Log", KeyKind::Ed25519, &oids.audit_log)?;
        let recorder = issue(
            "recorder",
            "Integrity Recorder",
            KeyKind::P256,
            &oids.audit_log,
        )?;
        let witness = issue("witness", "Witness", KeyKind::Ed25519, &oids.witness)?;
        Ok(Self {
            name,
            kind,
            ca,
            policy_signer,
            attester,
            log,
            recorder,
            witness,
            vocabulary: None,
            policy: None,
            crls: Vec::new(),
        })
    }

    /// Adopts the example vocabulary `json` as this authority's and signs it.
    pub(crate) fn sign_vocabulary(&mut self, json: &str) -> Result<(), DemoError> {
        let mut vocabulary = Vocabulary::from_json(json).map_err(scenario("vocabulary"))?;
        vocabulary.authority = self.id();
        let bytes = vocabulary
            .sign(&self.policy_signer.key, &self.policy_signer.kid())
            .map_err(scenario("signing a vocabulary"))?;
        self.vocabulary = Some(Signed::new(vocabulary, bytes)?);
        Ok(())
    }

    /// Signs `policy` (its authority and vocabulary are filled in).
    pub(crate) fn sign_policy(&mut self, mut policy: Policy) -> Result<(), DemoError> {
        let vocabulary = self
            .vocabulary
            .as_ref()
            .ok_or_else(|| DemoError::Scenario(format!("{} has no vocabulary", self.name)))?;
        policy.authority = self.id();
        policy.vocabulary = vocabulary.id;
        let bytes = policy
            .sign(&self.policy_signer.key, &self.policy_signer.kid())
            .map_err(scenario("signing a policy"))?;
        self.policy = Some(Signed::new(policy, bytes)?);
        Ok(())
    }

    /// Publishes a new CRL at `at`, valid for a week.
    pub(crate) fn publish_crl(&mut self, at: UnixTime) -> Result<(), DemoError> {
        let crl = self
            .ca
            .crl(at, Some(at.saturating_add(7 * DAY)))
            .map_err(scenario("issuing a CRL"))?;
        self.crls.push(crl);
        Ok(())
    }

    /// The newest CRL.
    pub(crate) fn latest_crl(&self) -> Result<&Crl, DemoError> {
        self.crls
            .last()
            .ok_or_else(|| DemoError::Scenario(format!("{} has published no CRL", self.name)))
    }

    /// The signed vocabulary, or a scenario error.
    pub(crate) fn vocabulary(&self) -> Result<&Signed<Vocabulary>, DemoError> {
        self.vocabulary
            .as_ref()
            .ok_or_else(|| DemoError::Scenario(format!("{} has no vocabulary", self.name)))
    }
}

/// One permit or forbid rule, in the vocabulary of the policy it goes in.
pub(crate) struct RuleSpec<'a> {
    pub(crate) id: &'a str,
    pub(crate) effect: Effect,
    pub(crate) roles: &'a [Role],
    pub(crate) actions: &'a [&'a str],
    pub(crate) max_level: Option<&'a str>,
    pub(crate) require: &'a [&'a str],
    pub(crate) exclude: &'a [&'a str],
}

impl RuleSpec<'_> {
    fn build(&self) -> Rule {
        let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Rule {
            id: self.id.to_owned(),
            effect: self.effect,
            authorities: Match::Any,
            roles: if self.roles.is_empty() {
                Match::Any
            } else {
                Match::Only(self.roles.to_vec())
            },
            actions: Match::Only(strings(self.actions)),
            resource: LabelCondition {
                min_level: None,
                max_level: self.max_level.map(str::to_owned),
                require_categories: strings(self.require),
                exclude_categories: strings(self.exclude),
            },
            clearance: ClearanceCondition {
                min_level: None,
                require_categories: Vec::new(),
            },
        }
    }
}

/// A policy scoped to `operation`, valid for ninety days from the start.
pub(crate) fn policy(id: &str, operation: OperationId, rules: &[RuleSpec<'_>]) -> Policy {
    Policy {
        id: id.to_owned(),
        version: Version(1),
        authority: AuthorityId::from_digest(Digest256::from_bytes([0; 32])),
        vocabulary: ArtifactId::from_digest(Digest256::from_bytes([0; 32])),
        scope: Scope::Operations(vec![operation]),
        validity: Validity {
            not_before: UnixTime(T0 - DAY),
            not_after: UnixTime(T0 + 90 * DAY),
        },
        rules: rules.iter().map(RuleSpec::build).collect(),
    }
}

/// (publisher, signer, id, source, target, level pairs, category pairs,
/// levels lossy) of one translation of the demo.
type TranslationSpec<'a> = (
    usize,
    &'a Credential,
    &'a str,
    &'a Authority,
    &'a Authority,
    &'a [(&'a str, &'a str)],
    &'a [(&'a str, &'a str)],
    bool,
);

/// Pairs of terms.
pub(crate) fn pairs(list: &[(&str, &str)]) -> Vec<TermPair> {
    list.iter()
        .map(|(source, target)| TermPair {
            source: (*source).to_owned(),
            target: (*target).to_owned(),
        })
        .collect()
}

/// An unsigned translation between two authorities' signed vocabularies.
pub(crate) fn translation(
    id: &str,
    source: &Authority,
    target: &Authority,
    levels: &[(&str, &str)],
    categories: &[(&str, &str)],
    lossy_levels: bool,
    operation: OperationId,
) -> Result<Translation, DemoError> {
    let actions = [
        ("read", "read"),
        ("write", "write"),
        ("disseminate", "disseminate"),
    ];
    Ok(Translation {
        id: id.to_owned(),
        version: Version(1),
        source: VocabularyRef {
            authority: source.id(),
            vocabulary: source.vocabulary()?.id,
        },
        target: VocabularyRef {
            authority: target.id(),
            vocabulary: target.vocabulary()?.id,
        },
        direction: Direction::SourceToTarget,
        levels: pairs(levels),
        categories: pairs(categories),
        actions: pairs(&actions),
        lossy: Lossiness {
            levels: lossy_levels,
            categories: true,
            actions: false,
        },
        scope: Scope::Operations(vec![operation]),
        validity: Validity {
            not_before: UnixTime(T0 - DAY),
            not_after: UnixTime(T0 + 90 * DAY),
        },
    })
}

/// Signs `translation` with `signer` after resolving it against both
/// vocabularies.
pub(crate) fn sign_translation(
    translation: Translation,
    signer: &Credential,
    source: &Authority,
    target: &Authority,
) -> Result<Signed<Translation>, DemoError> {
    let (src, tgt) = (source.vocabulary()?, target.vocabulary()?);
    let bytes = translation
        .sign(
            &[(&signer.key, signer.kid())],
            (&src.document, src.id),
            (&tgt.document, tgt.id),
        )
        .map_err(scenario("signing a translation"))?;
    Signed::new(translation, bytes)
}

/// A translator key with the certificates that let it translate: one
/// credential per certifying authority, all for the same key.
pub(crate) struct Translator {
    /// The credentials.
    pub(crate) credentials: Vec<Credential>,
}

impl Translator {
    /// The credential under the `index`-th certifying authority.
    pub(crate) fn credential(&self, index: usize) -> Result<&Credential, DemoError> {
        self.credentials
            .get(index)
            .ok_or_else(|| DemoError::Scenario("translator certificate missing".into()))
    }
}

/// Indices of the coalition's authorities.
pub(crate) const GBR: usize = 0;
/// Germany.
pub(crate) const DEU: usize = 1;
/// The United States.
pub(crate) const USA: usize = 2;
/// The alliance.
pub(crate) const NATO: usize = 3;
/// The ad-hoc coalition.
pub(crate) const CJTF: usize = 4;

/// The name of the operation.
pub(crate) const OPERATION: &str = "NORTHERN SHIELD";

/// Everything the partners publish before admission.
pub(crate) struct Coalition {
    /// The keys of the scenario (to re-derive a key a component takes by value).
    pub(crate) keys: Keys,
    /// GBR, DEU, USA, NATO, CJTF (see the index constants).
    pub(crate) authorities: Vec<Authority>,
    /// GBR's operation declarer.
    pub(crate) declarer: Credential,
    /// The operation.
    pub(crate) operation: OperationId,
    /// The dual-domain translator (certified by GBR and by DEU).
    pub(crate) bilateral: Translator,
    /// The translator certified by NATO, coordinator for GBR–USA.
    pub(crate) nato_translator: Translator,
    /// The translator certified by CJTF, coordinator for DEU–USA.
    pub(crate) cjtf_translator: Translator,
    /// Signed translations, with the index of the publishing authority.
    pub(crate) translations: Vec<(usize, Signed<Translation>)>,
    /// The operation declaration, signed by GBR's declarer.
    pub(crate) declaration: Signed<OperationDeclaration>,
    /// Endorsements of GBR's policy (slot 1), with the index of the author.
    pub(crate) endorsements: Vec<(usize, Signed<Attestation>)>,
}

const GBR_VOCABULARY: &str = include_str!("../../../entente-policy/examples/vocabularies/gbr.json");
const DEU_VOCABULARY: &str = include_str!("../../../entente-policy/examples/vocabularies/deu.json");
const USA_VOCABULARY: &str = include_str!("../../../entente-policy/examples/vocabularies/usa.json");
const NATO_VOCABULARY: &str =
    include_str!("../../../entente-policy/examples/vocabularies/nato.json");

impl Coalition {
    /// Builds the coalition from `seed`.
    pub(crate) fn build(seed: u64) -> Result<Self, DemoError> {
        let keys = Keys::new(seed);
        let mut authorities = vec![
            Authority::new(&keys, "GBR", Kind::National, "United Kingdom")?,
            Authority::new(&keys, "DEU", Kind::National, "Bundesrepublik Deutschland")?,
            Authority::new(&keys, "USA", Kind::National, "United States")?,
            Authority::new(
                &keys,
                "NATO",
                Kind::Alliance,
                "North Atlantic Treaty Organization",
            )?,
            Authority::new(
                &keys,
                "CJTF",
                Kind::Coalition,
                "Combined Joint Task Force NORTHERN SHIELD",
            )?,
        ];
        for (index, json) in [
            (GBR, GBR_VOCABULARY),
            (DEU, DEU_VOCABULARY),
            (USA, USA_VOCABULARY),
            (NATO, NATO_VOCABULARY),
        ] {
            authority_mut(&mut authorities, index)?.sign_vocabulary(json)?;
        }
        let oids = EkuOids::default();
        let gbr = authority_mut(&mut authorities, GBR)?;
        let declarer = credential(
            &mut gbr.ca,
            &keys,
            KeyKind::P256,
            "GBR/declarer",
            "CN=GBR Operations Declarer,O=United Kingdom",
            oids.operation_declarer.clone(),
        )?;
        let operation = OperationId::derive(&gbr.id(), OPERATION);
        sign_policies(&mut authorities, operation)?;

        let bilateral = translator(&keys, "translator/GBR-DEU", &mut authorities, &[GBR, DEU])?;
        let nato_translator = translator(&keys, "translator/NATO", &mut authorities, &[NATO])?;
        let cjtf_translator = translator(&keys, "translator/CJTF", &mut authorities, &[CJTF])?;
        for authority in &mut authorities {
            authority.publish_crl(UnixTime(T0 - 3600))?;
        }
        let declaration = declare(&authorities, &declarer)?;
        if declaration.document.operation != operation {
            return Err(DemoError::Scenario("operation id mismatch".into()));
        }
        let mut coalition = Self {
            keys,
            authorities,
            declarer,
            operation,
            bilateral,
            nato_translator,
            cjtf_translator,
            translations: Vec::new(),
            declaration,
            endorsements: Vec::new(),
        };
        coalition.sign_translations()?;
        let endorsed = coalition
            .authority(GBR)?
            .policy
            .as_ref()
            .map(|p| p.id)
            .ok_or_else(|| DemoError::Scenario("GBR has no policy".into()))?;
        for author in [GBR, DEU, USA, CJTF, NATO] {
            let endorsement =
                coalition.attest(author, 1, Statement::Endorsement { artifact: endorsed })?;
            coalition.endorsements.push((author, endorsement));
        }
        Ok(coalition)
    }

    /// The authority at `index`.
    pub(crate) fn authority(&self, index: usize) -> Result<&Authority, DemoError> {
        self.authorities
            .get(index)
            .ok_or_else(|| DemoError::Scenario(format!("no authority {index}")))
    }

    /// `author`'s signed statement in epoch 0, `slot`.
    pub(crate) fn attest(
        &self,
        author: usize,
        slot: u64,
        statement: Statement,
    ) -> Result<Signed<Attestation>, DemoError> {
        let authority = self.authority(author)?;
        let attestation = Attestation {
            operation: self.operation,
            epoch: 0,
            slot,
            author: authority.id(),
            statement,
        };
        let bytes = attestation
            .sign(&authority.attester.key, &authority.attester.kid())
            .map_err(scenario("signing an attestation"))?;
        Signed::new(attestation, bytes)
    }

    fn sign_translations(&mut self) -> Result<(), DemoError> {
        let op = self.operation;
        let bilateral = self.bilateral.credential(0)?;
        let nato = self.nato_translator.credential(0)?;
        let cjtf = self.cjtf_translator.credential(0)?;
        let (gbr, deu, usa) = (
            self.authority(GBR)?,
            self.authority(DEU)?,
            self.authority(USA)?,
        );
        // Level equivalences after the published national tables (UK
        // Government Security Classifications, international annex; German
        // VSA; US NISPOM foreign-equivalents table). Where one side has no
        // equal, the mapping rounds to the more protective level.
        let specs: [TranslationSpec<'_>; 6] = [
            (
                DEU,
                bilateral,
                "deu-gbr",
                deu,
                gbr,
                &[
                    ("VS-NUR FÜR DEN DIENSTGEBRAUCH", "OFFICIAL"),
                    ("VS-VERTRAULICH", "SECRET"),
                    ("GEHEIM", "SECRET"),
                    ("STRENG GEHEIM", "TOP SECRET"),
                ],
                &[],
                true,
            ),
            (
                DEU,
                bilateral,
                "gbr-deu",
                gbr,
                deu,
                &[
                    ("OFFICIAL", "VS-NUR FÜR DEN DIENSTGEBRAUCH"),
                    ("SECRET", "GEHEIM"),
                    ("TOP SECRET", "STRENG GEHEIM"),
                ],
                &[],
                true,
            ),
            (
                NATO,
                nato,
                "usa-gbr",
                usa,
                gbr,
                &[
                    ("UNCLASSIFIED", "OFFICIAL"),
                    ("CONFIDENTIAL", "SECRET"),
                    ("SECRET", "SECRET"),
                    ("TOP SECRET", "TOP SECRET"),
                ],
                &[("REL FVEY", "REL FVEY")],
                true,
            ),
            (
                NATO,
                nato,
                "gbr-usa",
                gbr,
                usa,
                &[
                    ("OFFICIAL", "CONFIDENTIAL"),
                    ("SECRET", "SECRET"),
                    ("TOP SECRET", "TOP SECRET"),
                ],
                &[("REL FVEY", "REL FVEY"), ("UK EYES ONLY", "NOFORN")],
                true,
            ),
            (
                CJTF,
                cjtf,
                "deu-usa",
                deu,
                usa,
                &[
                    ("VS-NUR FÜR DEN DIENSTGEBRAUCH", "CONFIDENTIAL"),
                    ("VS-VERTRAULICH", "CONFIDENTIAL"),
                    ("GEHEIM", "SECRET"),
                    ("STRENG GEHEIM", "TOP SECRET"),
                ],
                &[],
                true,
            ),
            (
                CJTF,
                cjtf,
                "usa-deu",
                usa,
                deu,
                &[
                    ("UNCLASSIFIED", "VS-NUR FÜR DEN DIENSTGEBRAUCH"),
                    ("CONFIDENTIAL", "VS-VERTRAULICH"),
                    ("SECRET", "GEHEIM"),
                    ("TOP SECRET", "STRENG GEHEIM"),
                ],
                &[],
                false,
            ),
        ];
        let mut signed = Vec::with_capacity(specs.len());
        for (publisher, signer, id, source, target, levels, categories, lossy) in specs {
            let document = translation(id, source, target, levels, categories, lossy, op)?;
            signed.push((
                publisher,
                sign_translation(document, signer, source, target)?,
            ));
        }
        self.translations = signed;
        Ok(())
    }
}

fn authority_mut(authorities: &mut [Authority], index: usize) -> Result<&mut Authority, DemoError> {
    authorities
        .get_mut(index)
        .ok_or_else(|| DemoError::Scenario(format!("no authority {index}")))
}

/// A translator key certified by each authority in `certifiers`.
fn translator(
    keys: &Keys,
    label: &str,
    authorities: &mut [Authority],
    certifiers: &[usize],
) -> Result<Translator, DemoError> {
    let mut credentials = Vec::with_capacity(certifiers.len());
    for &index in certifiers {
        let authority = authority_mut(authorities, index)?;
        let subject = format!("CN=Translator {label},O={}", authority.name);
        credentials.push(credential(
            &mut authority.ca,
            keys,
            KeyKind::P256,
            label,
            &subject,
            EkuOids::default().translator,
        )?);
    }
    Ok(Translator { credentials })
}

/// GBR declares the operation: GBR leads, DEU, USA and CJTF support, NATO
/// observes and rules on disputes; two thirds of the four counting partners
/// (three) certify a decision.
fn declare(
    authorities: &[Authority],
    declarer: &Credential,
) -> Result<Signed<OperationDeclaration>, DemoError> {
    let id = |index: usize| {
        authorities
            .get(index)
            .map(Authority::id)
            .ok_or_else(|| DemoError::Scenario(format!("no authority {index}")))
    };
    let entry = |index: usize, role: AttestRole| -> Result<RosterEntry, DemoError> {
        Ok(RosterEntry {
            authority: id(index)?,
            role,
        })
    };
    let declaration = OperationDeclaration::new(
        id(GBR)?,
        OPERATION,
        vec![
            entry(GBR, AttestRole::Lead)?,
            entry(DEU, AttestRole::Supporting)?,
            entry(USA, AttestRole::Supporting)?,
            entry(CJTF, AttestRole::Supporting)?,
            entry(NATO, AttestRole::Observing)?,
        ],
        QuorumRule::TwoThirds,
        Validity {
            not_before: UnixTime(T0 - DAY),
            not_after: UnixTime(T0 + 90 * DAY),
        },
        id(NATO)?,
        RosterChangeRules::FROZEN,
    );
    let bytes = declaration
        .sign(&declarer.key, &declarer.kid())
        .map_err(scenario("signing the declaration"))?;
    Signed::new(declaration, bytes)
}

/// Each nation's and the alliance's policy for the operation.
fn sign_policies(authorities: &mut [Authority], operation: OperationId) -> Result<(), DemoError> {
    use Effect::{Forbid, Permit};
    let gbr = policy(
        "gbr-northern-shield",
        operation,
        &[
            RuleSpec {
                id: "partners-read-to-secret",
                effect: Permit,
                roles: &[],
                actions: &["read"],
                max_level: Some("SECRET"),
                require: &[],
                exclude: &["UK EYES ONLY"],
            },
            RuleSpec {
                id: "lead-writes",
                effect: Permit,
                roles: &[Role::Lead],
                actions: &["write"],
                max_level: Some("SECRET"),
                require: &[],
                exclude: &["UK EYES ONLY"],
            },
            RuleSpec {
                id: "no-dissemination-of-eyes-only",
                effect: Forbid,
                roles: &[],
                actions: &["disseminate"],
                max_level: None,
                require: &["UK EYES ONLY"],
                exclude: &[],
            },
        ],
    );
    let deu = policy(
        "deu-northern-shield",
        operation,
        &[
            RuleSpec {
                id: "partner-liest-bis-geheim",
                effect: Permit,
                roles: &[],
                actions: &["read"],
                max_level: Some("GEHEIM"),
                require: &[],
                exclude: &[],
            },
            RuleSpec {
                id: "unterstuetzung-schreibt",
                effect: Permit,
                roles: &[Role::Lead, Role::Supporting],
                actions: &["write"],
                max_level: Some("VS-VERTRAULICH"),
                require: &[],
                exclude: &[],
            },
        ],
    );
    let usa = policy(
        "usa-northern-shield",
        operation,
        &[
            RuleSpec {
                id: "partners-read-to-secret",
                effect: Permit,
                roles: &[],
                actions: &["read"],
                max_level: Some("SECRET"),
                require: &[],
                exclude: &["NOFORN"],
            },
            RuleSpec {
                id: "noforn-never-leaves",
                effect: Forbid,
                roles: &[],
                actions: &["read", "write", "disseminate"],
                max_level: None,
                require: &["NOFORN"],
                exclude: &[],
            },
        ],
    );
    let nato = policy(
        "nato-northern-shield",
        operation,
        &[RuleSpec {
            id: "members-read-to-nato-secret",
            effect: Permit,
            roles: &[],
            actions: &["read"],
            max_level: Some("NATO SECRET"),
            require: &[],
            exclude: &["ATOMAL"],
        }],
    );
    for (index, policy) in [(GBR, gbr), (DEU, deu), (USA, usa), (NATO, nato)] {
        authority_mut(authorities, index)?.sign_policy(policy)?;
    }
    Ok(())
}
