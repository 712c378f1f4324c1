//! The partners at work: admission at every partner, evaluations with
//! provenance, DEU's disengagement, two attacks, witnessing and the
//! reconstruction of the operation.

use std::path::Path;

use entente_admit::{
    Admission, AdmissionPolicy, AdmissionRecord, AdmissionStore, Admitter, Bundle, DenyCause,
    Evaluation, EventKind, EventLog, RejectReason,
};
use entente_attest::Statement;
use entente_audit::{
    Checkpoint, EntryKind, FileLog, LogEntry, LogIdentity, Note, ProofBundle, Reconstruction,
    Witness, WitnessIdentity, WitnessPolicy, sign_checkpoint,
};
use entente_core::{AuthorityId, KeyKind, UnixTime, default_provider};
use entente_policy::{Clearance, Label, Request, Role, Subject};
use entente_x509::{EkuOids, Profile, RevocationReason, dn};

use super::publish::{admission_policy, bundle, inline_root};
use super::report::Report;
use super::world::{Coalition, DEU, GBR, T0, USA};
use super::{DemoError, scenario, short, validate_under};

/// One partner's admission machinery.
pub(crate) struct Partner {
    /// Index of the partner's authority.
    pub(crate) index: usize,
    /// Its admitter (policy, durable store, audit log).
    pub(crate) admitter: Admitter,
    /// Its latest admission.
    pub(crate) admission: Option<Admission>,
}

/// The audit log's origin line for a partner.
pub(crate) fn origin(name: &str) -> String {
    format!("{}.entente.example/audit", name.to_lowercase())
}

/// Sets up every partner: its admission policy, a durable admission store
/// and an audit log under `dir/<name>/`.
pub(crate) fn partners(coalition: &Coalition, dir: &Path) -> Result<Vec<Partner>, DemoError> {
    let mut partners = Vec::with_capacity(coalition.authorities.len());
    for (index, authority) in coalition.authorities.iter().enumerate() {
        let home = dir.join(authority.name.to_lowercase());
        std::fs::create_dir_all(&home).map_err(|source| DemoError::Io {
            path: home.clone(),
            source,
        })?;
        let policy =
            AdmissionPolicy::from_document(admission_policy(coalition, index, inline_root)?, None)
                .map_err(scenario("admission policy"))?;
        let store = AdmissionStore::open(&home.join("admission.redb"))
            .map_err(scenario("admission store"))?;
        let log = FileLog::open(&home.join("log")).map_err(scenario("audit log"))?;
        let recorder = coalition
            .keys
            .key(KeyKind::P256, &format!("{}/recorder", authority.name))?;
        let events = EventLog::new(
            log,
            recorder,
            authority.recorder.certificate.clone(),
            authority.id(),
        )
        .map_err(scenario("event log"))?;
        partners.push(Partner {
            index,
            admitter: Admitter::new(policy, store).with_event_log(events),
            admission: None,
        });
    }
    Ok(partners)
}

/// Every authority's current bundle.
pub(crate) fn bundles(coalition: &Coalition) -> Result<Vec<Bundle>, DemoError> {
    (0..coalition.authorities.len())
        .map(|index| bundle(coalition, index))
        .collect()
}

/// The name of the authority `id`, or its short id.
pub(crate) fn name_of(coalition: &Coalition, id: &AuthorityId) -> String {
    coalition
        .authorities
        .iter()
        .find(|a| a.id() == *id)
        .map_or_else(|| short(&id.to_string()).to_owned(), |a| a.name.to_owned())
}

/// Step: every partner admits every bundle, alone.
pub(crate) fn admit_everywhere(
    coalition: &Coalition,
    partners: &mut [Partner],
    report: &mut Report,
) -> Result<(), DemoError> {
    report.step("Admission at every partner");
    let bundles = bundles(coalition)?;
    let artifacts: usize = bundles
        .iter()
        .map(|b| {
            b.vocabularies.len()
                + b.policies.len()
                + b.translations.len()
                + b.declarations.len()
                + b.attestations.len()
        })
        .sum();
    report.say(format!(
        "{} bundles published ({artifacts} signed artifacts); each partner verifies them against its own admission policy",
        bundles.len()
    ));
    for partner in partners.iter_mut() {
        let name = coalition.authority(partner.index)?.name;
        let admission = partner
            .admitter
            .admit(&bundles, UnixTime(T0))
            .map_err(scenario("admission"))?;
        let stats = admission.report.stats;
        report.say(format!(
            "{name}: {} admitted, {} refused; {} chain validations, {} signature verifications",
            admission.report.admitted.len(),
            admission.report.rejected.len(),
            stats.chain_validations,
            stats.signature_verifications,
        ));
        report.check(
            &format!("admission.{}", name.to_lowercase()),
            format!("{name} admits all {artifacts} artifacts and refuses none"),
            format!(
                "{} admitted, {} refused{}",
                admission.report.admitted.len(),
                admission.report.rejected.len(),
                admission
                    .report
                    .rejected
                    .first()
                    .map(|r| format!(" (first: {})", r.reason))
                    .unwrap_or_default()
            ),
            admission.report.admitted.len() == artifacts && admission.report.rejected.is_empty(),
        );
        partner.admission = Some(admission);
    }
    Ok(())
}

/// A request at GBR, in GBR's terms.
/// `who` is (authority index, role, clearance), `what` the owner's index and
/// the label, each level with its categories.
fn request(
    coalition: &Coalition,
    (subject, role, clearance): (usize, Role, (&str, &[&str])),
    action: &str,
    (owner, label): (usize, (&str, &[&str])),
    at: u64,
) -> Result<Request, DemoError> {
    let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
    Ok(Request {
        subject: Subject {
            authority: coalition.authority(subject)?.id(),
            role,
            clearance: Clearance {
                level: clearance.0.to_owned(),
                categories: strings(clearance.1),
            },
        },
        action: action.to_owned(),
        resource: Label {
            owner: coalition.authority(owner)?.id(),
            level: label.0.to_owned(),
            categories: strings(label.1),
        },
        operation: coalition.operation,
        alliances: Vec::new(),
        time: UnixTime(at),
    })
}

/// Describes an evaluation for people.
fn describe(coalition: &Coalition, evaluation: &Evaluation) -> String {
    let mut parts = Vec::new();
    match evaluation.decision.deny_cause() {
        None => parts.push("PERMIT".to_owned()),
        Some(cause) => parts.push(format!("DENY ({})", cause_text(coalition, cause))),
    }
    let provenance = &evaluation.provenance;
    if let Some(home) = &provenance.home {
        parts.push(format!(
            "home {} {} rules [{}]",
            home.policy.policy_id,
            home.policy.version,
            home.rules.join(", ")
        ));
    }
    if let Some(partner) = &provenance.partner {
        parts.push(format!(
            "{} {} {} rules [{}]",
            name_of(coalition, &partner.policy.authority),
            partner.policy.policy_id,
            partner.policy.version,
            partner.rules.join(", ")
        ));
    }
    if !provenance.translations.is_empty() {
        let names: Vec<String> = provenance
            .translations
            .iter()
            .map(|id| {
                coalition
                    .translations
                    .iter()
                    .find(|(_, t)| t.id == *id)
                    .map_or_else(
                        || short(&id.to_string()).to_owned(),
                        |(_, t)| t.document.id.clone(),
                    )
            })
            .collect();
        parts.push(format!("through [{}]", names.join(" → ")));
    }
    parts.join("; ")
}

fn cause_text(coalition: &Coalition, cause: &DenyCause) -> String {
    match cause {
        DenyCause::NoTranslationPath(a) => {
            format!(
                "no admitted translation path from {} into home terms",
                name_of(coalition, a)
            )
        }
        DenyCause::NoPartnerPolicy(a) => format!("no admitted policy of {}", name_of(coalition, a)),
        DenyCause::Partner { authority, reason } => {
            format!("policy of {}: {reason}", name_of(coalition, authority))
        }
        other => other.to_string(),
    }
}

fn admitter(partners: &mut [Partner], index: usize) -> Result<&mut Partner, DemoError> {
    partners
        .iter_mut()
        .find(|p| p.index == index)
        .ok_or_else(|| DemoError::Scenario(format!("no partner {index}")))
}

/// Evaluates at `partner` (recording forced-disclosure attempts) and reports.
fn evaluate(partner: &mut Partner, request: &Request) -> Result<Evaluation, DemoError> {
    let set = &partner
        .admission
        .as_ref()
        .ok_or_else(|| DemoError::Scenario("no admission yet".into()))?
        .set;
    partner
        .admitter
        .evaluate_and_record(set, request)
        .map_err(scenario("evaluation"))
}

/// The request of the GBR analyst for a DEU document (used before and after
/// the disengagement).
fn gbr_reads_deu(coalition: &Coalition, at: u64) -> Result<Request, DemoError> {
    request(
        coalition,
        (GBR, Role::Lead, ("TOP SECRET", &[])),
        "read",
        (DEU, ("SECRET", &[])),
        at,
    )
}

/// Step: sample decisions at GBR, each with its provenance.
pub(crate) fn evaluations(
    coalition: &Coalition,
    partners: &mut [Partner],
    report: &mut Report,
    staged: &mut super::output::Staged,
) -> Result<Evaluation, DemoError> {
    report.step("Decisions at GBR, with their provenance");
    let gbr = admitter(partners, GBR)?;
    let cases: [(&str, &str, Request, bool); 4] = [
        (
            "evaluate.deu-reads-gbr",
            "a DEU officer cleared SECRET reads a GBR SECRET report",
            request(
                coalition,
                (DEU, Role::Supporting, ("SECRET", &[])),
                "read",
                (GBR, ("SECRET", &[])),
                T0 + 60,
            )?,
            true,
        ),
        (
            "evaluate.gbr-reads-deu",
            "the GBR lead cleared TOP SECRET reads a DEU document labelled SECRET in GBR terms (VS-VERTRAULICH or GEHEIM in DEU's)",
            gbr_reads_deu(coalition, T0 + 60)?,
            true,
        ),
        (
            "evaluate.gbr-reads-usa",
            "the GBR lead cleared TOP SECRET reads a USA assessment labelled SECRET in GBR terms (CONFIDENTIAL or SECRET in USA's; NATO-coordinated translation)",
            request(
                coalition,
                (GBR, Role::Lead, ("TOP SECRET", &[])),
                "read",
                (USA, ("SECRET", &[])),
                T0 + 60,
            )?,
            true,
        ),
        (
            "evaluate.deu-reads-rel-fvey",
            "a DEU officer without REL FVEY asks for a GBR SECRET REL FVEY report",
            request(
                coalition,
                (DEU, Role::Supporting, ("SECRET", &[])),
                "read",
                (GBR, ("SECRET", &["REL FVEY"])),
                T0 + 60,
            )?,
            false,
        ),
    ];
    let mut first_translated = None;
    for (id, what, request, permit) in cases {
        let evaluation = evaluate(gbr, &request)?;
        report.say(format!("{what}: {}", describe(coalition, &evaluation)));
        staged.add(
            format!("gbr/requests/{}.json", id.trim_start_matches("evaluate.")),
            serde_json::to_vec_pretty(&request).map_err(scenario("request JSON"))?,
        );
        let expected_provenance = match id {
            "evaluate.gbr-reads-deu" | "evaluate.gbr-reads-usa" => {
                evaluation.provenance.partner.is_some()
                    && !evaluation.provenance.translations.is_empty()
            }
            _ => evaluation.provenance.home.is_some(),
        };
        report.check(
            id,
            format!(
                "{} with the deciding policies, rules and translations named",
                if permit {
                    "permit"
                } else {
                    "deny for lack of releasability"
                }
            ),
            describe(coalition, &evaluation),
            evaluation.decision.is_permit() == permit
                && expected_provenance
                && (permit
                    || evaluation
                        .decision
                        .deny_cause()
                        .is_some_and(DenyCause::is_clearance)),
        );
        if id == "evaluate.gbr-reads-deu" {
            first_translated = Some(evaluation);
        }
    }
    let events = logged(gbr)?;
    let disclosure = events.iter().any(|e| {
        e.kind == EntryKind::IntegrityEvent && e.reason == EventKind::ForcedDisclosure.code()
    });
    report.check(
        "events.forced-disclosure",
        "GBR logs a signed forced-disclosure integrity event for the denied cross-partner request",
        if disclosure {
            "forced_disclosure event in GBR's audit log"
        } else {
            "no event logged"
        },
        disclosure,
    );
    first_translated.ok_or_else(|| DemoError::Scenario("no translated decision".into()))
}

/// Every entry of a partner's audit log.
pub(crate) fn logged(partner: &Partner) -> Result<Vec<LogEntry>, DemoError> {
    let log = partner
        .admitter
        .event_log()
        .ok_or_else(|| DemoError::Scenario("no audit log".into()))?
        .log();
    (0..log.size())
        .map(|i| {
            log.entry(i)
                .map_err(scenario("reading the audit log"))
                .and_then(|bytes| LogEntry::from_bytes(&bytes).map_err(scenario("audit entry")))
        })
        .collect()
}

/// Step: DEU revokes its certificate for the bilateral translator; every
/// partner re-admits; GBR's decisions on DEU resources change, USA's do not
/// (it reaches DEU through the CJTF coordinator), and the earlier decision
/// still verifies from GBR's log.
pub(crate) fn disengagement(
    coalition: &mut Coalition,
    partners: &mut [Partner],
    before: &Evaluation,
    report: &mut Report,
) -> Result<(), DemoError> {
    report.step("DEU disengages: it revokes its translator credential");
    let revoked_at = UnixTime(T0 + 3600);
    let certificate = coalition.bilateral.credential(1)?.certificate.clone();
    let deu = coalition
        .authorities
        .get_mut(DEU)
        .ok_or_else(|| DemoError::Scenario("no DEU".into()))?;
    deu.ca
        .revoke(
            &certificate,
            revoked_at,
            RevocationReason::CessationOfOperation,
        )
        .map_err(scenario("revocation"))?;
    deu.publish_crl(UnixTime(T0 + 3660))?;
    report.say(format!(
        "DEU revokes the dual-domain translator's DEU certificate (serial {}) and publishes CRL #{}",
        hex::encode(certificate.serial()),
        deu.ca.state().crl_number
    ));
    let bundles = bundles(coalition)?;
    let at = UnixTime(T0 + 7200);
    for partner in partners.iter_mut() {
        let admission = partner
            .admitter
            .admit(&bundles, at)
            .map_err(scenario("admission"))?;
        partner.admission = Some(admission);
    }
    let deu_gbr = coalition
        .translations
        .iter()
        .find(|(_, t)| t.document.id == "deu-gbr")
        .map(|(_, t)| t.id)
        .ok_or_else(|| DemoError::Scenario("no deu-gbr translation".into()))?;
    let gbr = admitter(partners, GBR)?;
    let admission = gbr
        .admission
        .as_ref()
        .ok_or_else(|| DemoError::Scenario("no admission".into()))?;
    let refused = admission
        .report
        .rejection(&deu_gbr)
        .map(|r| r.reason.clone());
    report.check(
        "disengagement.translation-dropped",
        "GBR's next admission refuses the DEU→GBR translation because its signer's DEU certificate is revoked",
        match &refused {
            Some(reason) => format!("refused: {reason}"),
            None => "still admitted".to_owned(),
        },
        matches!(&refused, Some(RejectReason::Translation(_))),
    );
    let after = evaluate(gbr, &gbr_reads_deu(coalition, T0 + 7260)?)?;
    report.check(
        "disengagement.decision-changes",
        "the GBR lead's request for the DEU document is now denied: no admitted translation path from DEU",
        describe(coalition, &after),
        after.decision.deny_cause()
            == Some(&DenyCause::NoTranslationPath(coalition.authority(DEU)?.id())),
    );
    let entries = logged(gbr)?;
    let disengaged = entries.iter().any(|e| e.kind == EntryKind::Disengagement);
    report.check(
        "disengagement.logged",
        "GBR's audit log records the disengagement with DEU's CRL as evidence",
        if disengaged {
            "disengagement entry logged"
        } else {
            "nothing logged"
        },
        disengaged,
    );

    // The decision made before the revocation still verifies from the log.
    let replayed = replay_first_admission(coalition, gbr, before)?;
    report.check(
        "disengagement.history-verifies",
        "the pre-revocation admission, proven included in GBR's signed checkpoint and replayed at its logged time with that time's CRLs, gives the same decision as before",
        if replayed { "same admission and same PERMIT on replay" } else { "replay differs" },
        replayed,
    );

    // USA chose CJTF as coordinator for DEU: its view is its own.
    let usa = admitter(partners, USA)?;
    let usa_request = request(
        coalition,
        (USA, Role::Supporting, ("SECRET", &[])),
        "read",
        (DEU, ("SECRET", &[])),
        T0 + 7260,
    )?;
    let usa_view = evaluate(usa, &usa_request)?;
    report.say(format!(
        "at USA, a USA officer reads a DEU SECRET document: {}",
        describe(coalition, &usa_view)
    ));
    report.check(
        "disengagement.sovereign",
        "USA, which reaches DEU through the CJTF coordinator it chose, still decides on DEU resources",
        describe(coalition, &usa_view),
        usa_view.decision.is_permit() && !usa_view.provenance.translations.is_empty(),
    );
    Ok(())
}

/// Proves GBR's first admission entry against a fresh signed checkpoint,
/// replays it and re-evaluates the request decided before the revocation.
fn replay_first_admission(
    coalition: &Coalition,
    gbr: &Partner,
    before: &Evaluation,
) -> Result<bool, DemoError> {
    let log = gbr
        .admitter
        .event_log()
        .ok_or_else(|| DemoError::Scenario("no audit log".into()))?
        .log();
    let entries = logged(gbr)?;
    let Some(index) = entries
        .iter()
        .position(|e| e.kind == EntryKind::Admitted && e.time == UnixTime(T0))
    else {
        return Ok(false);
    };
    let index = u64::try_from(index).map_err(scenario("index"))?;
    let note = checkpoint_note(coalition, GBR, log)?;
    let identity = log_identity(coalition, GBR)?;
    let proof = ProofBundle::from_log(log, index, log.size(), note).map_err(scenario("proof"))?;
    let entry_bytes = log
        .entry(index)
        .map_err(scenario("reading the audit log"))?;
    let no_witnesses = WitnessPolicy {
        witnesses: Vec::new(),
        threshold: 0,
    };
    if proof
        .verify(default_provider(), &entry_bytes, &identity, &no_witnesses)
        .is_err()
    {
        return Ok(false);
    }
    let entry = LogEntry::from_bytes(&entry_bytes).map_err(scenario("audit entry"))?;
    let record = AdmissionRecord::from_entry(&entry).map_err(scenario("admission record"))?;
    let policy =
        AdmissionPolicy::from_document(admission_policy(coalition, GBR, inline_root)?, None)
            .map_err(scenario("admission policy"))?;
    let replayed = Admitter::new(
        policy,
        AdmissionStore::in_memory().map_err(scenario("store"))?,
    )
    .admit(
        &record.bundles().map_err(scenario("logged bundles"))?,
        entry.time,
    )
    .map_err(scenario("replay"))?;
    let same_artifacts = replayed
        .report
        .admitted
        .iter()
        .map(|a| a.id)
        .eq(record.admitted.iter().copied());
    let again = replayed.set.evaluate(&gbr_reads_deu(coalition, T0 + 60)?);
    Ok(same_artifacts && again == *before)
}

/// `index`'s log identity, bound to its audit-log credential through its
/// hierarchy.
fn log_identity(coalition: &Coalition, index: usize) -> Result<LogIdentity, DemoError> {
    let authority = coalition.authority(index)?;
    let profile = Profile::audit_log(&EkuOids::default());
    let chain = validate_under(
        &authority.log.certificate,
        authority,
        &profile,
        UnixTime(T0),
    )
    .map_err(scenario("audit-log credential"))?;
    LogIdentity::from_chain(&origin(authority.name), &chain, &profile)
        .map_err(scenario("log identity"))
}

/// `index`'s witness identity, bound through its hierarchy.
fn witness_identity(coalition: &Coalition, index: usize) -> Result<WitnessIdentity, DemoError> {
    let authority = coalition.authority(index)?;
    let profile = Profile::witness(&EkuOids::default());
    let chain = validate_under(
        &authority.witness.certificate,
        authority,
        &profile,
        UnixTime(T0),
    )
    .map_err(scenario("witness credential"))?;
    WitnessIdentity::from_chain(&witness_name(authority.name), &chain, &profile)
        .map_err(scenario("witness identity"))
}

fn witness_name(name: &str) -> String {
    format!("{}.entente.example/witness", name.to_lowercase())
}

/// A checkpoint of `log` signed by `index`'s log key.
fn checkpoint_note(
    coalition: &Coalition,
    index: usize,
    log: &FileLog,
) -> Result<Vec<u8>, DemoError> {
    let authority = coalition.authority(index)?;
    let checkpoint = Checkpoint {
        origin: origin(authority.name),
        size: log.size(),
        root: log.root(),
        extensions: Vec::new(),
    };
    Ok(sign_checkpoint(&checkpoint, &authority.log.key)
        .map_err(scenario("signing a checkpoint"))?
        .to_bytes())
}

/// Step: an impersonation attempt and an equivocation, caught at GBR.
pub(crate) fn attacks(
    coalition: &Coalition,
    partners: &mut [Partner],
    report: &mut Report,
) -> Result<(), DemoError> {
    report.step("Attacks: an impersonation attempt and an equivocation");
    let mut bundles = bundles(coalition)?;
    let usa = coalition.authority(USA)?;

    // A rogue hierarchy signs a policy that claims to be USA's.
    let rogue_root = coalition.keys.key(KeyKind::P256, "rogue/root")?;
    let mut rogue = entente_x509::CertificateAuthority::new_root(
        dn("CN=USA Root CA,O=United States").map_err(scenario("name"))?,
        rogue_root,
        super::world::root_validity(),
        None,
    )
    .map_err(scenario("rogue root"))?;
    let forger = super::world::credential(
        &mut rogue,
        &coalition.keys,
        KeyKind::P256,
        "rogue/policy",
        "CN=USA Policy Signer,O=United States",
        EkuOids::default().policy_signer,
    )?;
    let mut forged = usa
        .policy
        .as_ref()
        .ok_or_else(|| DemoError::Scenario("USA has no policy".into()))?
        .document
        .clone();
    forged.version = entente_core::Version(2);
    if let Some(rule) = forged.rules.first_mut() {
        rule.resource.exclude_categories.clear();
    }
    let forged_bytes = forged
        .sign(&forger.key, &forger.kid())
        .map_err(scenario("signing the forged policy"))?;
    let forged_id = entente_core::cose::Envelope::from_slice(&forged_bytes)
        .map_err(scenario("forged envelope"))?
        .artifact_id();
    report.say("a rogue CA named \"USA Root CA\" certifies a signer that publishes USA's policy v2 without its NOFORN exclusion");

    // USA's attester endorses a second, different artifact for slot 1.
    let deu_policy = coalition
        .authority(DEU)?
        .policy
        .as_ref()
        .map(|p| p.id)
        .ok_or_else(|| DemoError::Scenario("DEU has no policy".into()))?;
    let second = coalition.attest(
        USA,
        1,
        Statement::Endorsement {
            artifact: deu_policy,
        },
    )?;
    report.say("USA's attester signs a second endorsement for the same operation, epoch and slot, naming another artifact");

    // DEU stopped publishing the translations its revoked translator signed.
    if let Some(deu) = bundles.get_mut(DEU) {
        deu.translations.clear();
    }
    let usa_bundle = bundles
        .get_mut(USA)
        .ok_or_else(|| DemoError::Scenario("no USA bundle".into()))?;
    usa_bundle
        .certificates
        .push(forger.certificate.der().to_vec());
    usa_bundle.policies.push(forged_bytes);
    usa_bundle.attestations.push(second.bytes.clone());

    let gbr = admitter(partners, GBR)?;
    let admission = gbr
        .admitter
        .admit(&bundles, UnixTime(T0 + 10_800))
        .map_err(scenario("admission"))?;
    let impersonation = admission
        .report
        .rejection(&forged_id)
        .map(|r| r.reason.clone());
    report.check(
        "attack.impersonation",
        "GBR refuses the forged USA policy as an impersonation (its signer does not chain to USA's root)",
        impersonation
            .as_ref()
            .map_or_else(|| "admitted".to_owned(), |r| format!("refused: {r}")),
        impersonation
            .as_ref()
            .and_then(RejectReason::integrity_event)
            == Some(EventKind::Impersonation),
    );
    let equivocation = admission
        .report
        .rejection(&second.id)
        .map(|r| r.reason.clone());
    report.check(
        "attack.equivocation",
        "GBR refuses USA's second endorsement as an equivocation, with both statements as proof",
        equivocation
            .as_ref()
            .map_or_else(|| "admitted".to_owned(), |r| format!("refused: {r}")),
        equivocation
            .as_ref()
            .and_then(RejectReason::integrity_event)
            == Some(EventKind::Equivocation),
    );
    let endorsed = coalition
        .authority(GBR)?
        .policy
        .as_ref()
        .map(|p| p.id)
        .ok_or_else(|| DemoError::Scenario("GBR has no policy".into()))?;
    let tally = admission
        .set
        .operation(&coalition.operation)
        .map(|state| state.tally(0, 1, &endorsed));
    report.check(
        "attack.quorum-survives",
        "with USA excluded from epoch 0, GBR's policy is still certified by GBR, DEU and CJTF (threshold 3)",
        tally.map_or_else(
            || "operation not admitted".to_owned(),
            |t| format!("{} counted, threshold {}", t.counted, t.threshold),
        ),
        tally.is_some_and(|t| t.counted == 3 && t.reached()),
    );
    let entries = logged(gbr)?;
    for (id, kind) in [
        ("events.impersonation", EventKind::Impersonation),
        ("events.equivocation", EventKind::Equivocation),
    ] {
        let found = entries
            .iter()
            .any(|e| e.kind == EntryKind::IntegrityEvent && e.reason == kind.code());
        report.check(
            id,
            format!(
                "a signed {} integrity event with its evidence is in GBR's audit log",
                kind.code()
            ),
            if found { "logged" } else { "not logged" },
            found,
        );
    }
    gbr.admission = Some(admission);
    Ok(())
}

/// Step: each partner checkpoints its log and the other four witness it.
/// Returns every partner's cosigned checkpoint.
pub(crate) fn witnessing(
    coalition: &Coalition,
    partners: &[Partner],
    report: &mut Report,
) -> Result<(WitnessPolicy, Vec<Vec<u8>>), DemoError> {
    report.step("The partners witness each other's logs");
    let identities: Vec<WitnessIdentity> = (0..coalition.authorities.len())
        .map(|i| witness_identity(coalition, i))
        .collect::<Result<_, _>>()?;
    let policy = WitnessPolicy {
        witnesses: identities,
        threshold: 3,
    };
    let mut notes = Vec::with_capacity(partners.len());
    for partner in partners {
        let authority = coalition.authority(partner.index)?;
        let log = partner
            .admitter
            .event_log()
            .ok_or_else(|| DemoError::Scenario("no audit log".into()))?
            .log();
        let signed = checkpoint_note(coalition, partner.index, log)?;
        let mut note = Note::parse(&signed).map_err(scenario("checkpoint"))?;
        let mut cosigners = Vec::new();
        for (index, witness_authority) in coalition.authorities.iter().enumerate() {
            if index == partner.index {
                continue;
            }
            let mut witness = Witness::new(
                &witness_name(witness_authority.name),
                &witness_authority.witness.key,
                default_provider(),
            )
            .map_err(scenario("witness"))?;
            witness.add_log(log_identity(coalition, partner.index)?);
            let cosignature = witness
                .cosign(&signed, &[], UnixTime(T0 + 14_400))
                .map_err(scenario("cosigning"))?;
            note.push_signature(cosignature)
                .map_err(scenario("cosignature"))?;
            cosigners.push(witness_authority.name);
        }
        let bytes = note.to_bytes();
        let identity = log_identity(coalition, partner.index)?;
        let verified = identity
            .verify(default_provider(), &bytes)
            .map_err(scenario("checkpoint"))?;
        let counted = policy.check(default_provider(), &verified);
        report.say(format!(
            "{}: checkpoint of {} entries cosigned by {}",
            authority.name,
            log.size(),
            cosigners.join(", ")
        ));
        report.check(
            &format!("witness.{}", authority.name.to_lowercase()),
            "the checkpoint carries cosignatures of at least 3 distinct other authorities",
            match &counted {
                Ok(found) => format!("{} cosigning authorities", found.len()),
                Err(e) => format!("refused: {e}"),
            },
            counted.is_ok_and(|found| found.len() >= 3),
        );
        notes.push(bytes);
    }
    Ok((policy, notes))
}

/// Step: anyone holding the five logs and their cosigned checkpoints
/// reconstructs what happened.
pub(crate) fn reconstruction(
    coalition: &Coalition,
    partners: &[Partner],
    policy: &WitnessPolicy,
    notes: &[Vec<u8>],
    report: &mut Report,
) -> Result<(), DemoError> {
    report.step("Reconstruction of operation NORTHERN SHIELD");
    let mut reconstruction = Reconstruction::new(default_provider(), policy);
    for partner in partners {
        reconstruction.add_identity(log_identity(coalition, partner.index)?);
    }
    for (partner, note) in partners.iter().zip(notes) {
        let log = partner
            .admitter
            .event_log()
            .ok_or_else(|| DemoError::Scenario("no audit log".into()))?
            .log();
        reconstruction
            .add_log(log, note)
            .map_err(scenario("reconstruction"))?;
    }
    let timeline = reconstruction.finish(None);
    let count = |kind: EntryKind, reason: Option<&str>| {
        timeline
            .events
            .iter()
            .filter(|e| e.entry.kind == kind && reason.is_none_or(|r| e.entry.reason == r))
            .count()
    };
    let admissions = count(EntryKind::Admitted, None);
    let disengagements = count(EntryKind::Disengagement, None);
    let events: Vec<(&str, usize)> = [
        EventKind::Impersonation,
        EventKind::Equivocation,
        EventKind::ForcedDisclosure,
    ]
    .iter()
    .map(|k| (k.code(), count(EntryKind::IntegrityEvent, Some(k.code()))))
    .collect();
    for event in &timeline.events {
        if event.entry.kind != EntryKind::Admitted {
            report.say(format!(
                "t+{:>5}s {:<5} #{:<3} {:?} {}",
                event.entry.time.as_secs().saturating_sub(T0),
                name_of(coalition, &event.log_authority),
                event.index,
                event.entry.kind,
                event.entry.reason
            ));
        }
    }
    report.say(format!(
        "{} verified entries from {} logs ({admissions} admissions); {} gaps, {} forks, {} anomalies",
        timeline.events.len(),
        partners.len(),
        timeline.gaps.len(),
        timeline.forks.len(),
        timeline.anomalies.len()
    ));
    report.check(
        "reconstruction.complete",
        "every entry of every partner's log verifies against its cosigned checkpoint: no gaps, forks or anomalies",
        format!(
            "{} entries, {} gaps, {} forks, {} anomalies",
            timeline.events.len(),
            timeline.gaps.len(),
            timeline.forks.len(),
            timeline.anomalies.len()
        ),
        timeline.gaps.is_empty() && timeline.forks.is_empty() && timeline.anomalies.is_empty(),
    );
    let all_present = disengagements >= 1 && events.iter().all(|(_, n)| *n >= 1);
    report.check(
        "reconstruction.story",
        "the timeline shows the admissions, DEU's disengagement, the impersonation, the equivocation and the forced-disclosure attempt",
        format!(
            "{admissions} admissions, {disengagements} disengagements, {}",
            events
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        admissions >= partners.len() && all_present,
    );
    Ok(())
}
