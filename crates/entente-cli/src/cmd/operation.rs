//! `entente operation declare` and `entente attest`.

use std::path::PathBuf;

use entente_attest::{
    Attestation, DisputeOutcome, OperationDeclaration, QuorumRule, RosterChangeRules, RosterEntry,
    Statement, cosign_handoff,
};
use entente_core::{ArtifactId, AuthorityId, Digest256, OperationId, Validity};
use serde::{Deserialize, Serialize};

use crate::Ctx;
use crate::authdir::authority_ref;
use crate::cmd::document::{SignReport, SignerArgs, load_signer, read_unverified};
use crate::error::{CliError, Result};
use crate::files::{self, Outputs};

/// `entente operation …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum OperationCommand {
    /// Sign an operation declaration (roster, roles, quorum rule) with an operation-declarer credential.
    Declare(DeclareArgs),
}

/// `operation declare`
#[derive(Debug, clap::Args)]
pub(crate) struct DeclareArgs {
    /// The declaration, JSON: name, declarer, roster, quorum, validity, …
    pub(crate) input: PathBuf,
    #[command(flatten)]
    pub(crate) signer: SignerArgs,
    /// Where to write the signed declaration.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// The authoring form of a declaration; the operation id is derived.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclarationJson {
    /// The operation's name, unique per declarer.
    name: String,
    /// The declaring authority (hex id).
    declarer: AuthorityId,
    /// The roster.
    roster: Vec<RosterEntry>,
    /// The quorum rule (default `two_thirds`).
    #[serde(default = "two_thirds")]
    quorum: QuorumRule,
    /// Validity window (Unix seconds).
    validity: Validity,
    /// Who rules on disputes (default: the declarer).
    #[serde(default)]
    dispute_authority: Option<AuthorityId>,
    /// What the lead may change (default: nothing).
    #[serde(default)]
    roster_changes: Option<RosterChangeRules>,
    /// Starting epoch (default 0).
    #[serde(default)]
    epoch: u64,
}

fn two_thirds() -> QuorumRule {
    QuorumRule::TwoThirds
}

/// What a declaration reports.
#[derive(Debug, Serialize)]
struct DeclareReport {
    operation: String,
    #[serde(flatten)]
    signed: SignReport,
}

fn declare(ctx: &Ctx, args: &DeclareArgs) -> Result<()> {
    let json: DeclarationJson = serde_json::from_str(&files::read_text(&args.input)?)
        .map_err(|e| CliError::file_err(&args.input, "invalid declaration", &e))?;
    let mut declaration = OperationDeclaration::new(
        json.declarer,
        &json.name,
        json.roster,
        json.quorum,
        json.validity,
        json.dispute_authority.unwrap_or(json.declarer),
        json.roster_changes.unwrap_or(RosterChangeRules::FROZEN),
    );
    declaration.epoch = json.epoch;
    let signer = load_signer(&args.signer.cert, &args.signer.key)?;
    let bytes = declaration
        .sign(&signer.key, &signer.kid)
        .map_err(|e| CliError::file_err(&args.input, "invalid declaration", &e))?;
    let report = DeclareReport {
        operation: declaration.operation.to_string(),
        signed: signed_report(
            "operation declaration",
            &declaration.name,
            json.epoch,
            &bytes,
            &args.out,
        )?,
    };
    let mut outputs = Outputs::new();
    outputs.add(&args.out, bytes);
    outputs.commit()?;
    crate::output::emit(ctx.json, &report, || {
        format!(
            "declared operation {} ({})\n  artifact {}\n  written  {}",
            report.signed.id,
            report.operation,
            report.signed.artifact,
            report.signed.out.display()
        )
    })
}

fn signed_report(
    document: &str,
    id: &str,
    version: u64,
    bytes: &[u8],
    out: &std::path::Path,
) -> Result<SignReport> {
    let envelope = entente_core::Envelope::from_slice(bytes).map_err(|e| {
        CliError::plain(crate::error::with_context(
            "produced a malformed envelope",
            &e,
        ))
    })?;
    Ok(SignReport {
        document: document.to_owned(),
        id: id.to_owned(),
        version,
        artifact: envelope.artifact_id().to_string(),
        signers: envelope
            .signatures()
            .iter()
            .map(|s| s.kid.to_string())
            .collect(),
        out: out.to_path_buf(),
    })
}

/// Runs `entente operation …`.
pub(crate) fn run(ctx: &Ctx, command: &OperationCommand) -> Result<()> {
    match command {
        OperationCommand::Declare(args) => declare(ctx, args),
    }
}

/// `attest`
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("statement").required(true).args([
    "input", "endorse", "observe", "dispute", "contribute", "handoff", "resolve", "cosign_handoff"
])))]
pub(crate) struct AttestArgs {
    /// A whole attestation as JSON (operation, epoch, slot, author, statement).
    #[arg(long = "in", value_name = "FILE")]
    pub(crate) input: Option<PathBuf>,
    /// The operation: its id (hex) or its signed declaration file.
    #[arg(long, value_name = "ID|FILE", required_unless_present_any = ["input", "cosign_handoff"])]
    pub(crate) operation: Option<String>,
    /// The attesting authority: id, authority directory or root certificate.
    #[arg(long, value_name = "AUTHORITY", required_unless_present_any = ["input", "cosign_handoff"])]
    pub(crate) author: Option<String>,
    /// The epoch (advanced by each handoff).
    #[arg(long, default_value_t = 0)]
    pub(crate) epoch: u64,
    /// The decision slot within the epoch.
    #[arg(long, default_value_t = 0)]
    pub(crate) slot: u64,
    /// Endorse an artifact (id or signed file).
    #[arg(long, value_name = "ARTIFACT")]
    pub(crate) endorse: Option<String>,
    /// Record an observation of an artifact.
    #[arg(long, value_name = "ARTIFACT")]
    pub(crate) observe: Option<String>,
    /// Dispute an artifact.
    #[arg(long, value_name = "ARTIFACT")]
    pub(crate) dispute: Option<String>,
    /// Rule on a disputed artifact (with --outcome; dispute authority only).
    #[arg(long, value_name = "ARTIFACT", requires = "outcome")]
    pub(crate) resolve: Option<String>,
    /// The ruling for --resolve.
    #[arg(long, value_enum)]
    pub(crate) outcome: Option<Outcome>,
    /// Contribute assets under this policy (with --asset).
    #[arg(long, value_name = "POLICY")]
    pub(crate) contribute: Option<String>,
    /// An asset contributed (repeatable).
    #[arg(long = "asset", value_name = "ARTIFACT")]
    pub(crate) assets: Vec<String>,
    /// Hand the lead role to this authority (lead only; slot is set to the handoff slot).
    #[arg(long, value_name = "AUTHORITY")]
    pub(crate) handoff: Option<String>,
    /// Co-sign this handoff as the incoming lead instead of making a new statement.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["operation", "author"])]
    pub(crate) cosign_handoff: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) signer: SignerArgs,
    /// Where to write the signed attestation.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// A dispute ruling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Outcome {
    /// The dispute stands.
    Upheld,
    /// The dispute fails.
    Dismissed,
}

/// An artifact named on the command line: hex id or a signed file.
pub(crate) fn artifact_ref(text: &str) -> Result<ArtifactId> {
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Digest256::from_hex(text)
            .map(ArtifactId::from_digest)
            .map_err(|e| {
                CliError::new(text, crate::error::with_context("not an artifact id", &e))
            });
    }
    let (_, envelope) = crate::cmd::document::read_envelope(std::path::Path::new(text))?;
    Ok(envelope.artifact_id())
}

pub(crate) fn operation_ref(text: &str) -> Result<OperationId> {
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Digest256::from_hex(text)
            .map(OperationId::from_digest)
            .map_err(|e| {
                CliError::new(text, crate::error::with_context("not an operation id", &e))
            });
    }
    let (_, _, declaration) = read_unverified::<OperationDeclaration>(std::path::Path::new(text))?;
    Ok(declaration.operation)
}

fn statement(args: &AttestArgs) -> Result<(Statement, u64)> {
    if let Some(a) = &args.endorse {
        return Ok((
            Statement::Endorsement {
                artifact: artifact_ref(a)?,
            },
            args.slot,
        ));
    }
    if let Some(a) = &args.observe {
        return Ok((
            Statement::Observation {
                subject: artifact_ref(a)?,
            },
            args.slot,
        ));
    }
    if let Some(a) = &args.dispute {
        return Ok((
            Statement::Dispute {
                artifact: artifact_ref(a)?,
            },
            args.slot,
        ));
    }
    if let (Some(a), Some(outcome)) = (&args.resolve, args.outcome) {
        let outcome = match outcome {
            Outcome::Upheld => DisputeOutcome::Upheld,
            Outcome::Dismissed => DisputeOutcome::Dismissed,
        };
        return Ok((
            Statement::DisputeResolution {
                artifact: artifact_ref(a)?,
                outcome,
            },
            args.slot,
        ));
    }
    if let Some(p) = &args.contribute {
        let assets = args
            .assets
            .iter()
            .map(|a| artifact_ref(a))
            .collect::<Result<Vec<_>>>()?;
        return Ok((
            Statement::Contribution {
                policy: artifact_ref(p)?,
                assets,
            },
            args.slot,
        ));
    }
    if let Some(incoming) = &args.handoff {
        return Ok((
            Statement::Handoff {
                incoming: authority_ref(incoming)?,
            },
            entente_attest::HANDOFF_SLOT,
        ));
    }
    Err(CliError::usage("no statement given"))
}

/// Runs `entente attest`.
pub(crate) fn attest(ctx: &Ctx, args: &AttestArgs) -> Result<()> {
    let signer = load_signer(&args.signer.cert, &args.signer.key)?;
    if let Some(handoff) = &args.cosign_handoff {
        let (bytes, _, attestation) = read_unverified::<Attestation>(handoff)?;
        if !matches!(attestation.statement, Statement::Handoff { .. }) {
            return Err(CliError::file(handoff, "not a handoff"));
        }
        let cosigned = cosign_handoff(&bytes, &signer.key, &signer.kid)
            .map_err(|e| CliError::file_err(handoff, "cannot co-sign", &e))?;
        return write_attestation(
            ctx,
            "handoff (co-signed)",
            attestation.epoch,
            cosigned,
            &args.out,
        );
    }
    let attestation = if let Some(input) = &args.input {
        serde_json::from_str::<Attestation>(&files::read_text(input)?)
            .map_err(|e| CliError::file_err(input, "invalid attestation", &e))?
    } else {
        let operation = operation_ref(args.operation.as_deref().unwrap_or_default())?;
        let author = authority_ref(args.author.as_deref().unwrap_or_default())?;
        let (statement, slot) = statement(args)?;
        Attestation {
            operation,
            epoch: args.epoch,
            slot,
            author,
            statement,
        }
    };
    let bytes = attestation.sign(&signer.key, &signer.kid).map_err(|e| {
        CliError::file(
            &args.out,
            crate::error::with_context("cannot sign attestation", &e),
        )
    })?;
    let kind = attestation.statement.kind().to_string();
    write_attestation(ctx, &kind, attestation.epoch, bytes, &args.out)
}

fn write_attestation(
    ctx: &Ctx,
    kind: &str,
    epoch: u64,
    bytes: Vec<u8>,
    out: &std::path::Path,
) -> Result<()> {
    let report = signed_report(kind, kind, epoch, &bytes, out)?;
    let mut outputs = Outputs::new();
    outputs.add(out, bytes);
    outputs.commit()?;
    crate::output::emit(ctx.json, &report, || {
        format!(
            "signed {} (epoch {})\n  artifact {}\n  signers  {}\n  written  {}",
            report.document,
            epoch,
            report.artifact,
            report.signers.join(", "),
            report.out.display()
        )
    })
}
