//! `entente bundle build`, `entente admit` and `entente evaluate`: a
//! partner's sovereign admission of other authorities' bundles, and
//! decisions over the admitted set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use entente_admit::{
    AdmissionPolicy, AdmissionStore, Admitter, Bundle, Decided, Decision, Evaluation, EventLog,
};
use entente_core::{Document, UnixTime};
use entente_policy::{Policy, Request, Vocabulary};
use serde::Serialize;

use crate::Ctx;
use crate::authdir::authority_ref;
use crate::clock::{format_time, parse_time};
use crate::cmd::document::read_envelope;
use crate::error::{CliError, Result, with_context};
use crate::files::{self, Outputs};
use crate::output::{emit, progress};

/// `entente bundle …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum BundleCommand {
    /// Gather one authority's certificates, CRLs and signed documents into a bundle.
    Build(BuildArgs),
}

/// `bundle build`
#[derive(Debug, clap::Args)]
pub(crate) struct BuildArgs {
    /// The publishing authority: id, authority directory or root certificate.
    #[arg(long, value_name = "AUTHORITY")]
    pub(crate) publisher: String,
    /// Certificates (PEM bundles allowed; repeatable).
    #[arg(long = "cert", value_name = "FILE")]
    pub(crate) certs: Vec<PathBuf>,
    /// CRLs (repeatable).
    #[arg(long = "crl", value_name = "FILE")]
    pub(crate) crls: Vec<PathBuf>,
    /// Signed vocabularies (repeatable).
    #[arg(long = "vocab", value_name = "FILE")]
    pub(crate) vocabs: Vec<PathBuf>,
    /// Signed policies (repeatable).
    #[arg(long = "policy", value_name = "FILE")]
    pub(crate) policies: Vec<PathBuf>,
    /// Signed translations (repeatable).
    #[arg(long = "translation", value_name = "FILE")]
    pub(crate) translations: Vec<PathBuf>,
    /// Signed operation declarations (repeatable).
    #[arg(long = "declaration", value_name = "FILE")]
    pub(crate) declarations: Vec<PathBuf>,
    /// Signed attestations (repeatable).
    #[arg(long = "attestation", value_name = "FILE")]
    pub(crate) attestations: Vec<PathBuf>,
    /// Where to write the bundle (canonical CBOR).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// What a bundle reports.
#[derive(Debug, Serialize)]
struct BuildReport {
    publisher: String,
    certificates: usize,
    crls: usize,
    vocabularies: usize,
    policies: usize,
    translations: usize,
    declarations: usize,
    attestations: usize,
    out: PathBuf,
}

/// Reads signed documents, checking that each is an envelope of `content_type`.
fn signed(paths: &[PathBuf], content_type: &str) -> Result<Vec<Vec<u8>>> {
    paths
        .iter()
        .map(|path| {
            let (bytes, envelope) = read_envelope(path)?;
            if envelope.content_type() != content_type {
                return Err(CliError::file(
                    path,
                    format!("holds {}, expected {content_type}", envelope.content_type()),
                ));
            }
            Ok(bytes)
        })
        .collect()
}

fn build(ctx: &Ctx, args: &BuildArgs) -> Result<()> {
    let mut bundle = Bundle::new(authority_ref(&args.publisher)?);
    for path in &args.certs {
        bundle.certificates.extend(
            files::read_certificates(path)?
                .iter()
                .map(|c| c.der().to_vec()),
        );
    }
    for path in &args.crls {
        bundle.crls.push(files::read_crl(path)?.der().to_vec());
    }
    bundle.vocabularies = signed(&args.vocabs, Vocabulary::CONTENT_TYPE)?;
    bundle.policies = signed(&args.policies, Policy::CONTENT_TYPE)?;
    bundle.translations = signed(
        &args.translations,
        entente_translate::Translation::CONTENT_TYPE,
    )?;
    bundle.declarations = signed(
        &args.declarations,
        entente_attest::OperationDeclaration::CONTENT_TYPE,
    )?;
    bundle.attestations = signed(
        &args.attestations,
        entente_attest::Attestation::CONTENT_TYPE,
    )?;
    let bytes = bundle
        .to_cbor()
        .map_err(|e| CliError::file_err(&args.out, "cannot build bundle", &e))?;
    let mut outputs = Outputs::new();
    outputs.add(&args.out, bytes);
    outputs.commit()?;
    let report = BuildReport {
        publisher: bundle.publisher.to_string(),
        certificates: bundle.certificates.len(),
        crls: bundle.crls.len(),
        vocabularies: bundle.vocabularies.len(),
        policies: bundle.policies.len(),
        translations: bundle.translations.len(),
        declarations: bundle.declarations.len(),
        attestations: bundle.attestations.len(),
        out: args.out.clone(),
    };
    emit(ctx.json, &report, || {
        format!(
            "bundle of {}: {} certificates, {} CRLs, {} vocabularies, {} policies, {} translations, {} declarations, {} attestations\n  written {}",
            report.publisher,
            report.certificates,
            report.crls,
            report.vocabularies,
            report.policies,
            report.translations,
            report.declarations,
            report.attestations,
            report.out.display()
        )
    })
}

/// Runs `entente bundle …`.
pub(crate) fn run_bundle(ctx: &Ctx, command: &BundleCommand) -> Result<()> {
    match command {
        BundleCommand::Build(args) => build(ctx, args),
    }
}

/// What admission needs: the partner's admission policy, the bundles and
/// where its durable state lives.
#[derive(Debug, clap::Args)]
pub(crate) struct AdmissionArgs {
    /// The admission policy (JSON or TOML; relative root files are resolved from its folder).
    #[arg(long = "admission-policy", value_name = "FILE")]
    pub(crate) admission_policy: PathBuf,
    /// Bundles to admit (repeatable).
    #[arg(long = "bundle", value_name = "FILE", required = true)]
    pub(crate) bundles: Vec<PathBuf>,
    /// The durable rollback store (created if absent; default: in memory, nothing kept).
    #[arg(long, value_name = "FILE")]
    pub(crate) store: Option<PathBuf>,
    /// Append admission records and integrity events to this audit log directory
    /// (with --event-cert and --event-key: an audit-log credential with an ECDSA key).
    #[arg(long, value_name = "DIR", requires_all = ["event_cert", "event_key"])]
    pub(crate) event_log: Option<PathBuf>,
    /// The recorder's certificate for --event-log.
    #[arg(long, value_name = "FILE")]
    pub(crate) event_cert: Option<PathBuf>,
    /// The recorder's private key for --event-log.
    #[arg(long, value_name = "FILE")]
    pub(crate) event_key: Option<PathBuf>,
    /// Admission time: Unix seconds or RFC 3339 (default: the system clock).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub(crate) at: Option<UnixTime>,
}

/// An admitter with its bundles, ready to run.
struct Loaded {
    admitter: Admitter,
    bundles: Vec<Bundle>,
}

fn load(args: &AdmissionArgs) -> Result<Loaded> {
    let policy = AdmissionPolicy::load(&args.admission_policy)
        .map_err(|e| CliError::file_err(&args.admission_policy, "invalid admission policy", &e))?;
    let home = policy.home();
    let bar = progress(args.bundles.len() as u64, "reading bundles");
    let mut bundles = Vec::with_capacity(args.bundles.len());
    for path in &args.bundles {
        let bytes = files::read(path)?;
        bundles.push(
            Bundle::from_cbor(&bytes).map_err(|e| CliError::file_err(path, "not a bundle", &e))?,
        );
        bar.inc(1);
    }
    bar.finish_and_clear();
    let store = match &args.store {
        Some(path) => AdmissionStore::open(path)
            .map_err(|e| CliError::file_err(path, "cannot open store", &e))?,
        None => AdmissionStore::in_memory()
            .map_err(|e| CliError::plain(with_context("cannot create store", &e)))?,
    };
    let mut admitter = Admitter::new(policy, store);
    if let (Some(dir), Some(cert_path), Some(key_path)) =
        (&args.event_log, &args.event_cert, &args.event_key)
    {
        let certificate = files::read_certificate(cert_path)?;
        let key = files::read_key(key_path)?;
        files::check_key_matches(&key, key_path, &certificate, cert_path)?;
        let log = entente_audit::FileLog::open(dir)
            .map_err(|e| CliError::file_err(dir, "cannot open log", &e))?;
        let events = EventLog::new(log, key, certificate, home)
            .map_err(|e| CliError::file_err(cert_path, "cannot record events", &e))?;
        admitter = admitter.with_event_log(events);
    }
    Ok(Loaded { admitter, bundles })
}

/// Runs admission with a spinner on a terminal.
fn run_admission(
    loaded: &mut Loaded,
    at: UnixTime,
    subject: &Path,
) -> Result<entente_admit::Admission> {
    let spinner = progress(0, "admitting");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let admission = loaded
        .admitter
        .admit(&loaded.bundles, at)
        .map_err(|e| CliError::file_err(subject, "admission failed", &e));
    spinner.finish_and_clear();
    admission
}

/// An admitted artifact in the report.
#[derive(Debug, Serialize)]
struct AdmittedJson {
    artifact: String,
    kind: String,
    authority: String,
    id: String,
    version: u64,
}

/// A rejection in the report.
#[derive(Debug, Serialize)]
struct RejectedJson {
    artifact: Option<String>,
    bundle: usize,
    kind: String,
    index: usize,
    publisher: String,
    code: &'static str,
    reason: String,
    integrity_event: bool,
}

/// `admit`'s report.
#[derive(Debug, Serialize)]
struct AdmitReport {
    home: String,
    time: u64,
    admitted: Vec<AdmittedJson>,
    rejected: Vec<RejectedJson>,
    stats: BTreeMap<&'static str, u64>,
}

/// `admit`
#[derive(Debug, clap::Args)]
pub(crate) struct AdmitArgs {
    #[command(flatten)]
    pub(crate) admission: AdmissionArgs,
    /// Exit with status 1 if anything was rejected.
    #[arg(long)]
    pub(crate) fail_on_rejection: bool,
}

/// Runs `entente admit`.
pub(crate) fn admit(ctx: &Ctx, args: &AdmitArgs) -> Result<()> {
    let mut loaded = load(&args.admission)?;
    let at = crate::clock::at_or_now(args.admission.at);
    let admission = run_admission(&mut loaded, at, &args.admission.admission_policy)?;
    let report = &admission.report;
    let json = AdmitReport {
        home: admission.set.home().to_string(),
        time: at.as_secs(),
        admitted: report
            .admitted
            .iter()
            .map(|a| AdmittedJson {
                artifact: a.id.to_string(),
                kind: a.kind.to_string(),
                authority: a.authority.to_string(),
                id: a.doc_id.clone(),
                version: a.version.0,
            })
            .collect(),
        rejected: report
            .rejected
            .iter()
            .map(|r| RejectedJson {
                artifact: r.artifact.map(|a| a.to_string()),
                bundle: r.item.bundle,
                kind: r.item.kind.to_string(),
                index: r.item.index,
                publisher: r.publisher.to_string(),
                code: r.reason.code(),
                reason: crate::error::chain(&r.reason),
                integrity_event: r.reason.integrity_event().is_some(),
            })
            .collect(),
        stats: BTreeMap::from([
            ("items", report.stats.items),
            ("chain_validations", report.stats.chain_validations),
            (
                "signature_verifications",
                report.stats.signature_verifications,
            ),
            ("chain_cache_hits", report.stats.chain_cache_hits),
            ("envelope_cache_hits", report.stats.envelope_cache_hits),
        ]),
    };
    emit(ctx.json, &json, || {
        let mut text = format!(
            "admission by {} at {}: {} admitted, {} rejected\n",
            json.home,
            format_time(at),
            json.admitted.len(),
            json.rejected.len()
        );
        for a in &json.admitted {
            text.push_str(&format!(
                "  + {} {} v{} of {} ({})\n",
                a.kind, a.id, a.version, a.authority, a.artifact
            ));
        }
        for r in &json.rejected {
            text.push_str(&format!(
                "  - {} #{} of bundle {} ({}): {}{}\n",
                r.kind,
                r.index,
                args.admission
                    .bundles
                    .get(r.bundle)
                    .map_or_else(|| r.bundle.to_string(), |p| p.display().to_string()),
                r.code,
                r.reason,
                if r.integrity_event {
                    " [integrity event]"
                } else {
                    ""
                }
            ));
        }
        text
    })?;
    if args.fail_on_rejection && !json.rejected.is_empty() {
        return Err(CliError::plain(format!(
            "{} item(s) rejected",
            json.rejected.len()
        )));
    }
    Ok(())
}

/// `evaluate`
#[derive(Debug, clap::Args)]
pub(crate) struct EvaluateArgs {
    /// The request, JSON (subject, action, resource, operation, alliances, time), in home terms.
    #[arg(long, value_name = "FILE")]
    pub(crate) request: PathBuf,
    #[command(flatten)]
    pub(crate) admission: AdmissionArgs,
    /// Exit with status 1 when the decision is deny.
    #[arg(long)]
    pub(crate) fail_on_deny: bool,
}

/// One deciding policy.
#[derive(Debug, Serialize)]
struct DecidedJson {
    authority: String,
    policy: String,
    version: u64,
    artifact: String,
    rules: Vec<String>,
}

impl DecidedJson {
    fn new(d: &Decided) -> Self {
        Self {
            authority: d.policy.authority.to_string(),
            policy: d.policy.policy_id.clone(),
            version: d.policy.version.0,
            artifact: d.policy.artifact.to_string(),
            rules: d.rules.clone(),
        }
    }
}

/// `evaluate`'s result.
#[derive(Debug, Serialize)]
struct EvaluateReport {
    decision: &'static str,
    cause: Option<String>,
    home: Option<DecidedJson>,
    partner: Option<DecidedJson>,
    translations: Vec<String>,
    admitted: usize,
    rejected: usize,
}

/// Runs `entente evaluate`.
pub(crate) fn evaluate(ctx: &Ctx, args: &EvaluateArgs) -> Result<()> {
    let request: Request = serde_json::from_str(&files::read_text(&args.request)?)
        .map_err(|e| CliError::file_err(&args.request, "invalid request", &e))?;
    let mut loaded = load(&args.admission)?;
    let at = args.admission.at.unwrap_or(request.time);
    let admission = run_admission(&mut loaded, at, &args.admission.admission_policy)?;
    let evaluation: Evaluation = if loaded.admitter.event_log().is_some() {
        loaded
            .admitter
            .evaluate_and_record(&admission.set, &request)
            .map_err(|e| CliError::file_err(&args.request, "cannot record the decision", &e))?
    } else {
        admission.set.evaluate(&request)
    };
    let report = EvaluateReport {
        decision: if evaluation.decision.is_permit() {
            "permit"
        } else {
            "deny"
        },
        cause: match &evaluation.decision {
            Decision::Permit => None,
            Decision::Deny(cause) => Some(cause.to_string()),
        },
        home: evaluation.provenance.home.as_ref().map(DecidedJson::new),
        partner: evaluation.provenance.partner.as_ref().map(DecidedJson::new),
        translations: evaluation
            .provenance
            .translations
            .iter()
            .map(ToString::to_string)
            .collect(),
        admitted: admission.report.admitted.len(),
        rejected: admission.report.rejected.len(),
    };
    emit(ctx.json, &report, || {
        let mut text = report.decision.to_uppercase();
        if let Some(cause) = &report.cause {
            text.push_str(&format!(": {cause}"));
        }
        text.push('\n');
        for (who, d) in [("home", &report.home), ("partner", &report.partner)] {
            if let Some(d) = d {
                text.push_str(&format!(
                    "  {who} policy {} v{} of {} ({}), rules: {}\n",
                    d.policy,
                    d.version,
                    d.authority,
                    d.artifact,
                    if d.rules.is_empty() {
                        "-".to_owned()
                    } else {
                        d.rules.join(", ")
                    }
                ));
            }
        }
        for t in &report.translations {
            text.push_str(&format!("  through translation {t}\n"));
        }
        text.push_str(&format!(
            "  (admitted {} artifacts, rejected {})",
            report.admitted, report.rejected
        ));
        text
    })?;
    if args.fail_on_deny && !evaluation.decision.is_permit() {
        return Err(CliError::new(
            args.request.display(),
            format!("denied: {}", report.cause.unwrap_or_default()),
        ));
    }
    Ok(())
}
