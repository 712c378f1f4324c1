//! `entente`: the operator's command for coalition policy distribution.
//!
//! Every command reads its inputs from files, writes its outputs atomically
//! (all of them or none), prints text for people or JSON with `--json`, and
//! reports a failure as one line on stderr naming the file and the reason,
//! with exit code 1 (2 for usage errors).
#![forbid(unsafe_code)]

mod authdir;
mod clock;
mod cmd;
mod demo;
mod error;
mod files;
mod output;
mod trust;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use entente_x509::{EkuOids, Oid};

use crate::error::CliError;

/// Distribute and enforce coalition partners' policies without a shared authority.
#[derive(Debug, Parser)]
#[command(name = "entente", version, about)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// The OID arc of entente's extended key usages (default: the placeholder 2.999.1).
    #[arg(long, global = true, value_name = "OID")]
    eku_arc: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Authorities: create, issue credentials, cross-certify, revoke, publish CRLs.
    #[command(subcommand)]
    Authority(cmd::authority::AuthorityCommand),
    /// Vocabularies: sign a JSON vocabulary as a COSE envelope.
    #[command(subcommand)]
    Vocab(cmd::document::VocabCommand),
    /// Policies: sign a JSON policy as a COSE envelope.
    #[command(subcommand)]
    Policy(cmd::document::PolicyCommand),
    /// Translations: sign and co-sign vocabulary translations.
    #[command(subcommand)]
    Translate(cmd::document::TranslateCommand),
    /// Operations: declare a coalition operation.
    #[command(subcommand)]
    Operation(cmd::operation::OperationCommand),
    /// Sign an attestation about an operation (endorsement, contribution, …).
    Attest(cmd::operation::AttestArgs),
    /// Audit logs: append, checkpoint, witness, prove, verify.
    #[command(subcommand)]
    Log(cmd::log::LogCommand),
    /// Reconstruct one timeline from several partners' logs and proofs.
    Reconstruct(cmd::log::ReconstructArgs),
    /// X.509: validate certificate paths.
    #[command(subcommand)]
    X509(cmd::x509::X509Command),
    /// Draw the trust graph (authorities, cross-certificates, translators) as DOT or Mermaid.
    Graph(cmd::graph::GraphArgs),
    /// Bundles: gather an authority's certificates, CRLs and signed documents.
    #[command(subcommand)]
    Bundle(cmd::admit::BundleCommand),
    /// Admit bundles against an admission policy: the admitted set and a report.
    Admit(cmd::admit::AdmitArgs),
    /// Decide a request against the admitted set, with provenance.
    Evaluate(cmd::admit::EvaluateArgs),
    /// Show what a signed document (COSE envelope) holds, without trusting it.
    Inspect(cmd::document::InspectArgs),
    /// Run the embedded, deterministic coalition scenario end to end.
    Demo(demo::DemoArgs),
}

/// What every command gets besides its own arguments.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// Print JSON.
    pub(crate) json: bool,
    /// The EKU OIDs of entente's roles.
    pub(crate) oids: EkuOids,
}

fn run(cli: &Cli) -> Result<ExitCode, CliError> {
    let oids = match &cli.eku_arc {
        Some(text) => EkuOids::under_arc(
            &Oid::parse(text).map_err(|e| CliError::usage(format!("--eku-arc {text}: {e}")))?,
        ),
        None => EkuOids::default(),
    };
    let ctx = Ctx {
        json: cli.json,
        oids,
    };
    let done = |r: Result<(), CliError>| r.map(|()| ExitCode::SUCCESS);
    match &cli.command {
        Command::Authority(c) => done(cmd::authority::run(&ctx, c)),
        Command::Vocab(c) => done(cmd::document::run_vocab(&ctx, c)),
        Command::Policy(c) => done(cmd::document::run_policy(&ctx, c)),
        Command::Translate(c) => done(cmd::document::run_translate(&ctx, c)),
        Command::Inspect(a) => done(cmd::document::inspect(&ctx, a)),
        Command::Operation(c) => done(cmd::operation::run(&ctx, c)),
        Command::Attest(a) => done(cmd::operation::attest(&ctx, a)),
        Command::Log(c) => done(cmd::log::run(&ctx, c)),
        Command::Reconstruct(a) => done(cmd::log::reconstruct(&ctx, a)),
        Command::X509(c) => done(cmd::x509::run(&ctx, c)),
        Command::Graph(a) => done(cmd::graph::run(&ctx, a)),
        Command::Bundle(c) => done(cmd::admit::run_bundle(&ctx, c)),
        Command::Admit(a) => done(cmd::admit::admit(&ctx, a)),
        Command::Evaluate(a) => done(cmd::admit::evaluate(&ctx, a)),
        Command::Demo(args) => Ok(demo::run(args, cli.json)?),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.code())
        }
    }
}
