//! `entente demo`: an embedded, deterministic coalition scenario.
#![allow(
    dead_code,
    reason = "work in progress: removed when the scenario is complete"
)]

mod mission;
mod output;
mod publish;
mod report;
mod world;

use std::path::PathBuf;
use std::process::ExitCode;

use entente_core::{UnixTime, default_provider};
use entente_x509::{
    Budget, Certificate, CrlCheck, EkuOids, PolicyInputs, Profile, TrustAnchor, ValidationError,
    ValidationOptions, VerifiedChain, validate,
};

use entente_attest::{
    AuthorityRoots, OperationState, QuorumCertificate, VerifiedDeclaration, X509Resolver,
};

use report::Report;
use world::{Authority, CJTF, Coalition, DAY, DEU, GBR, NATO, T0};

/// Arguments of `entente demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// Seed from which every key of the scenario is derived.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Directory for the artifacts, report and trust graph (default: a new temporary directory).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

/// Why the demo could not run.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DemoError {
    /// Writing an output file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A step of the scenario could not be carried out (a library refused
    /// what the scenario built: a bug in the demo or in a crate).
    #[error("scenario step failed: {0}")]
    Scenario(String),
    /// The output directory already holds files (a demo run needs a fresh one).
    #[error("{0}: output directory is not empty")]
    OutputNotEmpty(PathBuf),
}

/// Maps a library error into a scenario failure naming the step `what`.
pub(crate) fn scenario<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> DemoError + '_ {
    move |e| DemoError::Scenario(format!("{what}: {e}"))
}

impl DemoError {
    pub(crate) fn crypto(error: entente_core::CryptoError) -> Self {
        Self::Scenario(format!("key derivation failed: {error}"))
    }
}

/// Runs the scenario; exits 0 only if every expected outcome happened.
pub(crate) fn run(args: &DemoArgs, json: bool) -> Result<ExitCode, DemoError> {
    let mut report = Report::new(args.seed, json);
    let dir = output::directory(args.out.as_ref())?;
    if !json {
        println!(
            "entente demo: seed {}, output in {}",
            args.seed,
            dir.display()
        );
    }
    let coalition = Coalition::build(args.seed)?;
    hierarchies(&coalition, &mut report)?;
    documents(&coalition, &mut report);
    quorum(&coalition, &mut report)?;

    let mut staged = output::Staged::default();
    let mut partners = mission::partners(&coalition, &dir)?;
    mission::admit_everywhere(&coalition, &mut partners, &mut report)?;
    output::publication(&coalition, &mut staged, "before")?;
    let before = mission::evaluations(&coalition, &mut partners, &mut report, &mut staged)?;
    let mut coalition = coalition;
    mission::disengagement(&mut coalition, &mut partners, &before, &mut report)?;
    output::publication(&coalition, &mut staged, "after")?;
    mission::attacks(&coalition, &mut partners, &mut report)?;
    let (policy, notes) = mission::witnessing(&coalition, &partners, &mut report)?;
    for (partner, note) in partners.iter().zip(&notes) {
        let name = coalition.authority(partner.index)?.name.to_lowercase();
        staged.add(format!("{name}/checkpoint.note"), note.clone());
    }
    mission::reconstruction(&coalition, &partners, &policy, &notes, &mut report)?;
    output::artifacts(&coalition, &mut staged)?;
    let graph = output::trust_graph(&coalition, &partners)?;
    staged.add("trust-graph.dot", crate::cmd::graph::dot(&graph));
    staged.add("trust-graph.mmd", crate::cmd::graph::mermaid(&graph));
    let paths: Vec<String> = staged.paths().map(str::to_owned).collect();
    for path in &paths {
        report.file(path);
    }
    report.file("report.json");
    let text = serde_json::to_string_pretty(&report).map_err(scenario("report JSON"))?;
    staged.add("report.json", text.as_bytes());
    staged.write(&dir)?;
    if json {
        println!("{text}");
    } else {
        println!(
            "\n{} expected outcomes: {} passed, {} failed",
            report.passed + report.failed,
            report.passed,
            report.failed
        );
    }
    Ok(if report.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Validates `certificate` against `authority`'s root only, with its CRLs.
fn validate_under(
    certificate: &Certificate,
    authority: &Authority,
    profile: &Profile,
    at: UnixTime,
) -> Result<VerifiedChain, ValidationError> {
    let anchors = [TrustAnchor::new(authority.ca.certificate().clone())];
    validate(
        certificate,
        &[],
        &anchors,
        profile,
        &ValidationOptions {
            time: at,
            policy: &PolicyInputs::default(),
            revocation: Some(CrlCheck {
                crls: &authority.crls,
                max_age: Some(DAY),
            }),
            budget: Budget::default(),
            provider: default_provider(),
        },
    )
}

/// Step 1: every authority's credentials validate to its own root, and to
/// no other.
fn hierarchies(coalition: &Coalition, report: &mut Report) -> Result<(), DemoError> {
    report.step("Five authorities, five separate hierarchies");
    let oids = EkuOids::default();
    let at = UnixTime(T0);
    for authority in &coalition.authorities {
        report.say(format!(
            "{} ({:?}) root {} — authority id {}",
            authority.name,
            authority.kind,
            crate::authdir::subject(authority.ca.certificate()),
            short(&authority.id().to_string()),
        ));
        let credentials = [
            (&authority.policy_signer, Profile::policy_signer(&oids)),
            (&authority.attester, Profile::attester(&oids)),
            (&authority.log, Profile::audit_log(&oids)),
            (&authority.witness, Profile::witness(&oids)),
        ];
        let mut valid = 0;
        for (credential, profile) in &credentials {
            if validate_under(&credential.certificate, authority, profile, at).is_ok() {
                valid += 1;
            }
        }
        report.check(
            &format!("hierarchy.{}", authority.name.to_lowercase()),
            "policy-signer, attester, audit-log and witness credentials validate to the authority's own root with their profiles",
            format!("{valid} of {} credentials validate", credentials.len()),
            valid == credentials.len(),
        );
    }
    let (gbr, deu) = (coalition.authority(GBR)?, coalition.authority(DEU)?);
    let foreign = validate_under(
        &deu.policy_signer.certificate,
        gbr,
        &Profile::policy_signer(&oids),
        at,
    );
    report.check(
        "hierarchy.separate",
        "DEU's policy signer does not validate under GBR's root (trust stores are never merged)",
        match &foreign {
            Ok(_) => "validated under GBR's root".to_owned(),
            Err(e) => format!("refused: {e}"),
        },
        foreign.is_err(),
    );
    Ok(())
}

/// Step 2: what each authority signed.
fn documents(coalition: &Coalition, report: &mut Report) {
    report.step("Vocabularies, policies and translators");
    for authority in &coalition.authorities {
        if let (Some(vocabulary), Some(policy)) = (&authority.vocabulary, &authority.policy) {
            report.say(format!(
                "{}: vocabulary {} ({} levels: {}), policy {} with {} rules, signed by its policy signer",
                authority.name,
                vocabulary.document.id,
                vocabulary.document.levels.len(),
                vocabulary
                    .document
                    .levels
                    .iter()
                    .map(|l| l.name.as_str())
                    .collect::<Vec<_>>()
                    .join(" < "),
                policy.document.id,
                policy.document.rules.len(),
            ));
        } else {
            report.say(format!(
                "{}: no vocabulary of its own; acts as a coordination authority",
                authority.name
            ));
        }
    }
    for (publisher, translation) in &coalition.translations {
        let name = coalition
            .authorities
            .get(*publisher)
            .map_or("?", |a| a.name);
        report.say(format!(
            "translation {} published by {name}: {} level pairs{}",
            translation.document.id,
            translation.document.levels.len(),
            if *publisher == NATO || *publisher == CJTF {
                format!(" (signed by a translator certified by {name}, a coordination authority)")
            } else {
                " (signed by a translator certified by both GBR and DEU: dual-domain)".to_owned()
            }
        ));
    }
}

/// Step 3: the operation and its first quorum, verified at GBR through
/// every endorser's X.509 credential.
fn quorum(coalition: &Coalition, report: &mut Report) -> Result<(), DemoError> {
    report.step("Operation NORTHERN SHIELD: roles and a quorum");
    let declaration = &coalition.declaration.document;
    for entry in &declaration.roster {
        let name = coalition
            .authorities
            .iter()
            .find(|a| a.id() == entry.authority)
            .map_or("?", |a| a.name);
        report.say(format!("{name}: {}", entry.role));
    }
    let oids = EkuOids::default();
    let (attester, declarer) = (Profile::attester(&oids), Profile::operation_declarer(&oids));
    let anchors: Vec<Vec<TrustAnchor>> = coalition
        .authorities
        .iter()
        .map(|a| vec![TrustAnchor::new(a.ca.certificate().clone())])
        .collect();
    let roots: Vec<AuthorityRoots<'_>> = coalition
        .authorities
        .iter()
        .zip(&anchors)
        .map(|(a, anchors)| AuthorityRoots {
            anchors,
            crls: &a.crls,
        })
        .collect();
    let mut certificates: Vec<Certificate> = coalition
        .authorities
        .iter()
        .map(|a| a.attester.certificate.clone())
        .collect();
    certificates.push(coalition.declarer.certificate.clone());
    let resolver = X509Resolver {
        certificates: &certificates,
        authorities: &roots,
        attester: &attester,
        declarer: &declarer,
        provider: default_provider(),
        max_crl_age: Some(DAY),
        budget: Budget::default(),
    };
    let at = UnixTime(T0);
    let verified = VerifiedDeclaration::verify(
        &coalition.declaration.bytes,
        &resolver,
        default_provider(),
        at,
    )
    .map_err(scenario("declaration"))?;
    let threshold = verified.roster().threshold();
    let state = OperationState::new(verified);
    let certificate = QuorumCertificate::new(
        coalition
            .endorsements
            .iter()
            .map(|(_, e)| e.bytes.clone())
            .collect(),
    );
    let outcome = state.verify_certificate(&certificate, &resolver, default_provider(), at);
    let observed = match &outcome {
        Ok(qc) => format!(
            "{} of {} counting authorities endorsed GBR's policy (threshold {threshold}); NATO's endorsement verified but not counted",
            qc.tally().counted,
            verified_counting(coalition),
        ),
        Err(e) => format!("refused: {e}"),
    };
    report.check(
        "quorum.certified",
        format!("a quorum of at least {threshold} distinct non-observing authorities certifies the endorsed policy, and the observer does not count"),
        observed,
        outcome.as_ref().is_ok_and(|qc| qc.tally().counted == 4 && qc.tally().reached()),
    );
    Ok(())
}

/// The counting members of the roster.
fn verified_counting(coalition: &Coalition) -> usize {
    coalition
        .declaration
        .document
        .roster
        .iter()
        .filter(|e| e.role.counts_toward_quorum())
        .count()
}

/// The first 12 hex digits of an identifier.
fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}
