//! Signed documents: `vocab sign`, `policy sign`, `translate sign`,
//! `translate cosign` and `inspect`.

use std::path::{Path, PathBuf};

use entente_core::cose::{self, Envelope};
use entente_core::{ArtifactId, Digest256, Document, SigningKey};
use entente_policy::{CompiledPolicy, Policy, Vocabulary};
use entente_translate::Translation;
use serde::Serialize;

use crate::Ctx;
use crate::error::{CliError, Result, with_context};
use crate::files::{self, Outputs};
use crate::output::emit;

/// A signer given on the command line: its certificate and private key.
#[derive(Clone, Debug, clap::Args)]
pub(crate) struct SignerArgs {
    /// The signer's certificate (its SHA-256 becomes the COSE `kid`).
    #[arg(long, value_name = "FILE")]
    pub(crate) cert: PathBuf,
    /// The signer's private key (PKCS#8 PEM).
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
}

/// A loaded signer.
#[derive(Debug)]
pub(crate) struct LoadedSigner {
    /// The private key, checked to be the certificate's.
    pub(crate) key: SigningKey,
    /// `kid` = SHA-256 of the certificate DER.
    pub(crate) kid: Digest256,
}

/// Reads a certificate and its key and checks that they belong together.
pub(crate) fn load_signer(cert: &Path, key: &Path) -> Result<LoadedSigner> {
    let certificate = files::read_certificate(cert)?;
    let signing_key = files::read_key(key)?;
    files::check_key_matches(&signing_key, key, &certificate, cert)?;
    let kid = cose::key_id_for_certificate(certificate.der());
    Ok(LoadedSigner {
        key: signing_key,
        kid,
    })
}

/// Reads a COSE envelope.
pub(crate) fn read_envelope(path: &Path) -> Result<(Vec<u8>, Envelope)> {
    let bytes = files::read(path)?;
    let envelope = Envelope::from_slice(&bytes)
        .map_err(|e| CliError::file_err(path, "not a signed entente document", &e))?;
    Ok((bytes, envelope))
}

/// Reads a signed document of type `T` without verifying its signature
/// (for consistency checks by the author or a co-signer, never for trust).
pub(crate) fn read_unverified<T: Document + Serialize>(
    path: &Path,
) -> Result<(Vec<u8>, Envelope, T)> {
    let (bytes, envelope) = read_envelope(path)?;
    if envelope.content_type() != T::CONTENT_TYPE {
        return Err(CliError::file(
            path,
            format!(
                "holds {}, expected {}",
                envelope.content_type(),
                T::CONTENT_TYPE
            ),
        ));
    }
    let document: T = entente_core::cbor::from_slice(envelope.unverified_payload())
        .map_err(|e| CliError::file_err(path, "malformed document", &e))?;
    Ok((bytes, envelope, document))
}

/// Reads a signed vocabulary and its artifact id (signature not verified).
pub(crate) fn read_vocabulary(path: &Path) -> Result<(Vocabulary, ArtifactId)> {
    let (_, envelope, _) = read_unverified::<Vocabulary>(path)?;
    let vocabulary = Vocabulary::from_cbor(envelope.unverified_payload())
        .map_err(|e| CliError::file_err(path, "malformed vocabulary", &e))?;
    Ok((vocabulary, envelope.artifact_id()))
}

/// What signing reports.
#[derive(Debug, Serialize)]
pub(crate) struct SignReport {
    /// What was signed (`vocabulary`, `policy`, …).
    pub(crate) document: String,
    /// Its id within its authority or signer.
    pub(crate) id: String,
    /// Its version.
    pub(crate) version: u64,
    /// The artifact identity of the signed document.
    pub(crate) artifact: String,
    /// The signers' kids, in envelope order.
    pub(crate) signers: Vec<String>,
    /// The envelope file.
    pub(crate) out: PathBuf,
}

impl SignReport {
    /// Prints the report.
    pub(crate) fn emit(&self, ctx: &Ctx) -> Result<()> {
        emit(ctx.json, self, || {
            format!(
                "signed {} {} v{}\n  artifact {}\n  signers  {}\n  written  {}",
                self.document,
                self.id,
                self.version,
                self.artifact,
                self.signers.join(", "),
                self.out.display()
            )
        })
    }
}

/// Writes an envelope and reports it.
fn finish_signing(
    ctx: &Ctx,
    document: &'static str,
    id: &str,
    version: u64,
    envelope_bytes: Vec<u8>,
    out: &Path,
) -> Result<()> {
    let envelope = Envelope::from_slice(&envelope_bytes)
        .map_err(|e| CliError::plain(with_context("produced a malformed envelope", &e)))?;
    let report = SignReport {
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
    };
    let mut outputs = Outputs::new();
    outputs.add(out, envelope_bytes);
    outputs.commit()?;
    report.emit(ctx)
}

/// `entente vocab …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum VocabCommand {
    /// Validate a JSON vocabulary and sign it (COSE_Sign1) with a policy-signer credential.
    Sign(VocabSignArgs),
}

/// `vocab sign`
#[derive(Debug, clap::Args)]
pub(crate) struct VocabSignArgs {
    /// The vocabulary, JSON (docs/schemas/vocabulary.schema.json).
    pub(crate) input: PathBuf,
    #[command(flatten)]
    pub(crate) signer: SignerArgs,
    /// Where to write the signed vocabulary.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// Runs `entente vocab …`.
pub(crate) fn run_vocab(ctx: &Ctx, command: &VocabCommand) -> Result<()> {
    let VocabCommand::Sign(args) = command;
    let vocabulary = Vocabulary::from_json(&files::read_text(&args.input)?)
        .map_err(|e| CliError::file_err(&args.input, "invalid vocabulary", &e))?;
    let signer = load_signer(&args.signer.cert, &args.signer.key)?;
    let bytes = vocabulary
        .sign(&signer.key, &signer.kid)
        .map_err(|e| CliError::file_err(&args.input, "cannot sign", &e))?;
    finish_signing(
        ctx,
        "vocabulary",
        &vocabulary.id,
        vocabulary.version.0,
        bytes,
        &args.out,
    )
}

/// `entente policy …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum PolicyCommand {
    /// Validate a JSON policy (against its vocabulary with --vocab) and sign it.
    Sign(PolicySignArgs),
}

/// `policy sign`
#[derive(Debug, clap::Args)]
pub(crate) struct PolicySignArgs {
    /// The policy, JSON (docs/schemas/policy.schema.json).
    pub(crate) input: PathBuf,
    /// The signed vocabulary the policy is written in: checks every term and the
    /// policy's `vocabulary` artifact id before signing.
    #[arg(long, value_name = "FILE")]
    pub(crate) vocab: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) signer: SignerArgs,
    /// Where to write the signed policy.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// Runs `entente policy …`.
pub(crate) fn run_policy(ctx: &Ctx, command: &PolicyCommand) -> Result<()> {
    let PolicyCommand::Sign(args) = command;
    let policy = Policy::from_json(&files::read_text(&args.input)?)
        .map_err(|e| CliError::file_err(&args.input, "invalid policy", &e))?;
    if let Some(vocab_path) = &args.vocab {
        let (vocabulary, artifact) = read_vocabulary(vocab_path)?;
        if policy.vocabulary != artifact {
            return Err(CliError::file(
                &args.input,
                format!(
                    "names vocabulary {} but {} is {artifact}",
                    policy.vocabulary,
                    vocab_path.display()
                ),
            ));
        }
        CompiledPolicy::compile(&policy, &vocabulary).map_err(|e| {
            CliError::file_err(&args.input, "does not compile against its vocabulary", &e)
        })?;
    }
    let signer = load_signer(&args.signer.cert, &args.signer.key)?;
    let bytes = policy
        .sign(&signer.key, &signer.kid)
        .map_err(|e| CliError::file_err(&args.input, "cannot sign", &e))?;
    finish_signing(
        ctx,
        "policy",
        &policy.id,
        policy.version.0,
        bytes,
        &args.out,
    )
}

/// `entente translate …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum TranslateCommand {
    /// Check a JSON translation against both vocabularies and sign it.
    Sign(TranslateSignArgs),
    /// Add a co-signature to a multi-signer (COSE_Sign) translation.
    Cosign(TranslateCosignArgs),
}

/// The two vocabularies of a translation.
#[derive(Debug, clap::Args)]
pub(crate) struct VocabPair {
    /// The signed source vocabulary (A, whose policies are applied).
    #[arg(long, value_name = "FILE")]
    pub(crate) source_vocab: PathBuf,
    /// The signed target vocabulary (B, in whose terms requests arrive).
    #[arg(long, value_name = "FILE")]
    pub(crate) target_vocab: PathBuf,
}

/// `translate sign`
#[derive(Debug, clap::Args)]
pub(crate) struct TranslateSignArgs {
    /// The translation, JSON.
    pub(crate) input: PathBuf,
    #[command(flatten)]
    pub(crate) vocabs: VocabPair,
    /// A translator certificate (repeatable, paired in order with --key).
    #[arg(long = "cert", value_name = "FILE", required = true)]
    pub(crate) certs: Vec<PathBuf>,
    /// A translator private key (repeatable, paired in order with --cert).
    #[arg(long = "key", value_name = "FILE", required = true)]
    pub(crate) keys: Vec<PathBuf>,
    /// Produce a COSE_Sign even for one signer, so that others can co-sign later.
    #[arg(long)]
    pub(crate) multi: bool,
    /// Where to write the signed translation.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// `translate cosign`
#[derive(Debug, clap::Args)]
pub(crate) struct TranslateCosignArgs {
    /// The signed translation (a COSE_Sign, see `translate sign --multi`).
    pub(crate) input: PathBuf,
    #[command(flatten)]
    pub(crate) vocabs: VocabPair,
    #[command(flatten)]
    pub(crate) signer: SignerArgs,
    /// Where to write the co-signed translation (may be the input).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

/// Runs `entente translate …`.
pub(crate) fn run_translate(ctx: &Ctx, command: &TranslateCommand) -> Result<()> {
    match command {
        TranslateCommand::Sign(args) => translate_sign(ctx, args),
        TranslateCommand::Cosign(args) => translate_cosign(ctx, args),
    }
}

fn translate_sign(ctx: &Ctx, args: &TranslateSignArgs) -> Result<()> {
    if args.certs.len() != args.keys.len() {
        return Err(CliError::usage(format!(
            "{} --cert but {} --key: give one key per certificate",
            args.certs.len(),
            args.keys.len()
        )));
    }
    let translation: Translation = serde_json::from_str(&files::read_text(&args.input)?)
        .map_err(|e| CliError::file_err(&args.input, "invalid translation", &e))?;
    let source = read_vocabulary(&args.vocabs.source_vocab)?;
    let target = read_vocabulary(&args.vocabs.target_vocab)?;
    let signers = args
        .certs
        .iter()
        .zip(&args.keys)
        .map(|(c, k)| load_signer(c, k))
        .collect::<Result<Vec<_>>>()?;
    let pairs: Vec<(&dyn entente_core::Signer, Digest256)> = signers
        .iter()
        .map(|s| (&s.key as &dyn entente_core::Signer, s.kid))
        .collect();
    let bytes = if args.multi && pairs.len() == 1 {
        translation
            .resolve(&source.0, source.1, &target.0, target.1)
            .map_err(|e| CliError::file_err(&args.input, "invalid translation", &e))?;
        cose::sign(&translation, &pairs)
            .map_err(|e| CliError::file_err(&args.input, "cannot sign", &e))?
    } else {
        translation
            .sign(&pairs, (&source.0, source.1), (&target.0, target.1))
            .map_err(|e| CliError::file_err(&args.input, "invalid translation", &e))?
    };
    finish_signing(
        ctx,
        "translation",
        &translation.id,
        translation.version.0,
        bytes,
        &args.out,
    )
}

fn translate_cosign(ctx: &Ctx, args: &TranslateCosignArgs) -> Result<()> {
    let (bytes, _, translation) = read_unverified::<Translation>(&args.input)?;
    let source = read_vocabulary(&args.vocabs.source_vocab)?;
    let target = read_vocabulary(&args.vocabs.target_vocab)?;
    translation
        .resolve(&source.0, source.1, &target.0, target.1)
        .map_err(|e| CliError::file_err(&args.input, "invalid translation", &e))?;
    let signer = load_signer(&args.signer.cert, &args.signer.key)?;
    let cosigned = cose::cosign(&bytes, &signer.key, &signer.kid)
        .map_err(|e| CliError::file_err(&args.input, "cannot co-sign", &e))?;
    finish_signing(
        ctx,
        "translation",
        &translation.id,
        translation.version.0,
        cosigned,
        &args.out,
    )
}

/// `inspect`
#[derive(Debug, clap::Args)]
pub(crate) struct InspectArgs {
    /// A signed document (COSE envelope).
    pub(crate) input: PathBuf,
}

/// What `inspect` reports.
#[derive(Debug, Serialize)]
struct InspectReport {
    kind: &'static str,
    content_type: String,
    artifact: String,
    signers: Vec<InspectSigner>,
    verified: bool,
    payload: serde_json::Value,
}

/// One signature of an inspected envelope.
#[derive(Debug, Serialize)]
struct InspectSigner {
    kid: String,
    algorithm: String,
}

fn payload_json<T: Document + Serialize>(
    envelope: &Envelope,
    path: &Path,
) -> Result<serde_json::Value> {
    let document: T = entente_core::cbor::from_slice(envelope.unverified_payload())
        .map_err(|e| CliError::file_err(path, "malformed payload", &e))?;
    serde_json::to_value(&document).map_err(|e| CliError::file_err(path, "cannot show payload", &e))
}

/// Runs `entente inspect`.
pub(crate) fn inspect(ctx: &Ctx, args: &InspectArgs) -> Result<()> {
    let (_, envelope) = read_envelope(&args.input)?;
    let path = args.input.as_path();
    let payload = match envelope.content_type() {
        Vocabulary::CONTENT_TYPE => payload_json::<Vocabulary>(&envelope, path)?,
        Policy::CONTENT_TYPE => payload_json::<Policy>(&envelope, path)?,
        Translation::CONTENT_TYPE => payload_json::<Translation>(&envelope, path)?,
        entente_attest::OperationDeclaration::CONTENT_TYPE => {
            payload_json::<entente_attest::OperationDeclaration>(&envelope, path)?
        }
        entente_attest::Attestation::CONTENT_TYPE => {
            payload_json::<entente_attest::Attestation>(&envelope, path)?
        }
        _ => serde_json::Value::String(hex::encode(envelope.unverified_payload())),
    };
    let report = InspectReport {
        kind: match envelope.kind() {
            cose::EnvelopeKind::Sign1 => "COSE_Sign1",
            cose::EnvelopeKind::Sign => "COSE_Sign",
        },
        content_type: envelope.content_type().to_owned(),
        artifact: envelope.artifact_id().to_string(),
        signers: envelope
            .signatures()
            .iter()
            .map(|s| InspectSigner {
                kid: s.kid.to_string(),
                algorithm: s.algorithm.to_string(),
            })
            .collect(),
        verified: false,
        payload,
    };
    emit(ctx.json, &report, || {
        let mut text = format!(
            "{} {}\n  artifact {}\n",
            report.kind, report.content_type, report.artifact
        );
        for s in &report.signers {
            text.push_str(&format!("  signer   {} ({})\n", s.kid, s.algorithm));
        }
        text.push_str("  (signatures NOT verified: inspect shows, admission verifies)\n");
        text.push_str(&serde_json::to_string_pretty(&report.payload).unwrap_or_default());
        text
    })
}
