//! Audit logs: `log append | checkpoint | witness | prove | consistency |
//! verify` and `reconstruct`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use entente_audit::{
    Checkpoint, EntryKind, FileLog, Fork, LogEntry, LogIdentity, MemoryTree, Note, ProofBundle,
    Reconstruction, Witness, WitnessIdentity, WitnessPolicy, leaf_hash, sign_checkpoint,
};
use entente_core::{AuthorityId, Digest256, UnixTime, default_provider};
use entente_x509::Profile;
use serde::{Deserialize, Serialize};

use crate::Ctx;
use crate::authdir::authority_ref;
use crate::clock::{AtArg, format_time};
use crate::cmd::operation::artifact_ref;
use crate::error::{CliError, Result, with_context};
use crate::files::{self, Outputs};
use crate::output::{emit, progress};
use crate::trust::{Trust, TrustArgs};

/// `entente log …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum LogCommand {
    /// Append entries (admission decisions, integrity events, …) durably to a log directory.
    Append(AppendArgs),
    /// Sign a checkpoint of the log's current size with the log's Ed25519 key.
    Checkpoint(CheckpointArgs),
    /// As a witness: verify a checkpoint and its consistency with the last one witnessed, and cosign it.
    Witness(WitnessArgs),
    /// Write an offline inclusion proof (C2SP tlog-proof bundle) for one entry.
    Prove(ProveArgs),
    /// Write the consistency proof between two sizes of the log (for a witness).
    Consistency(ConsistencyArgs),
    /// Verify a whole log directory against a checkpoint, or an inclusion proof bundle.
    Verify(VerifyArgs),
}

/// Entry kinds on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum KindArg {
    /// Artifacts were admitted.
    Admitted,
    /// Artifacts were rejected.
    Rejected,
    /// An integrity event was detected.
    IntegrityEvent,
    /// Revocation data was taken into account.
    Revocation,
    /// A translation was applied or withdrawn.
    Translation,
    /// A partner disengaged.
    Disengagement,
}

impl KindArg {
    fn kind(self) -> EntryKind {
        match self {
            Self::Admitted => EntryKind::Admitted,
            Self::Rejected => EntryKind::Rejected,
            Self::IntegrityEvent => EntryKind::IntegrityEvent,
            Self::Revocation => EntryKind::Revocation,
            Self::Translation => EntryKind::Translation,
            Self::Disengagement => EntryKind::Disengagement,
        }
    }
}

/// `log append`
#[derive(Debug, clap::Args)]
pub(crate) struct AppendArgs {
    /// The log directory (created on first append).
    pub(crate) dir: PathBuf,
    /// Entries as canonical CBOR files (e.g. written by admission); repeatable, appended as one batch.
    #[arg(long = "entry", value_name = "FILE", conflicts_with_all = ["kind", "recorder", "reason"])]
    pub(crate) entries: Vec<PathBuf>,
    /// The kind of a new entry.
    #[arg(long, value_enum, required_unless_present = "entries", requires_all = ["recorder", "reason"])]
    pub(crate) kind: Option<KindArg>,
    /// The partner keeping the log: id, authority directory or root certificate.
    #[arg(long, value_name = "AUTHORITY")]
    pub(crate) recorder: Option<String>,
    /// A stable reason code (e.g. `admitted`, `rollback`).
    #[arg(long)]
    pub(crate) reason: Option<String>,
    /// The operation (id or signed declaration).
    #[arg(long, value_name = "ID|FILE")]
    pub(crate) operation: Option<String>,
    /// An artifact concerned: id or signed file (repeatable).
    #[arg(long = "artifact", value_name = "ARTIFACT")]
    pub(crate) artifacts: Vec<String>,
    /// An authority concerned (repeatable).
    #[arg(long = "authority", value_name = "AUTHORITY")]
    pub(crate) authorities: Vec<String>,
    /// A file whose bytes are the entry's evidence.
    #[arg(long, value_name = "FILE")]
    pub(crate) evidence: Option<PathBuf>,
    /// The entry's time (default: now).
    #[command(flatten)]
    pub(crate) at: AtArg,
}

/// What appending reports.
#[derive(Debug, Serialize)]
struct AppendReport {
    log: PathBuf,
    first_index: u64,
    appended: u64,
    size: u64,
    root: String,
}

/// Opens an existing log directory (never creates one).
fn open_existing(dir: &Path) -> Result<FileLog> {
    if !dir.is_dir() {
        return Err(CliError::file(dir, "not a log directory"));
    }
    FileLog::open(dir).map_err(|e| CliError::file_err(dir, "cannot open log", &e))
}

fn append(ctx: &Ctx, args: &AppendArgs) -> Result<()> {
    let mut entries = Vec::new();
    for path in &args.entries {
        let bytes = files::read(path)?;
        LogEntry::from_bytes(&bytes)
            .map_err(|e| CliError::file_err(path, "not a canonical log entry", &e))?;
        entries.push(bytes);
    }
    if let (Some(kind), Some(recorder), Some(reason)) = (args.kind, &args.recorder, &args.reason) {
        let operation = match &args.operation {
            Some(text) => Some(crate::cmd::operation::operation_ref(text)?),
            None => None,
        };
        let entry = LogEntry {
            kind: kind.kind(),
            time: args.at.time(),
            recorder: authority_ref(recorder)?,
            operation,
            artifacts: args
                .artifacts
                .iter()
                .map(|a| artifact_ref(a))
                .collect::<Result<_>>()?,
            authorities: args
                .authorities
                .iter()
                .map(|a| authority_ref(a))
                .collect::<Result<_>>()?,
            reason: reason.clone(),
            evidence: match &args.evidence {
                Some(path) => files::read(path)?,
                None => Vec::new(),
            },
        };
        entries.push(
            entry
                .to_bytes()
                .map_err(|e| CliError::plain(with_context("cannot encode entry", &e)))?,
        );
    }
    if entries.is_empty() {
        return Err(CliError::usage(
            "nothing to append (give --entry FILE or --kind/--recorder/--reason)",
        ));
    }
    let mut log = FileLog::open(&args.dir)
        .map_err(|e| CliError::file_err(&args.dir, "cannot open log", &e))?;
    let range = log
        .append_batch(&entries)
        .map_err(|e| CliError::file_err(&args.dir, "cannot append", &e))?;
    let report = AppendReport {
        log: args.dir.clone(),
        first_index: range.start,
        appended: range.end.saturating_sub(range.start),
        size: log.size(),
        root: log.root().to_string(),
    };
    emit(ctx.json, &report, || {
        format!(
            "appended {} entr{} at index {} of {}\n  size {}, root {}",
            report.appended,
            if report.appended == 1 { "y" } else { "ies" },
            report.first_index,
            report.log.display(),
            report.size,
            report.root
        )
    })
}

/// `log checkpoint`
#[derive(Debug, clap::Args)]
pub(crate) struct CheckpointArgs {
    /// The log directory.
    pub(crate) dir: PathBuf,
    /// The log's origin line (its unique name, e.g. `gbr.example/audit`).
    #[arg(long)]
    pub(crate) origin: String,
    /// The log's Ed25519 private key (PKCS#8 PEM), certified with the audit-log profile.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Also write the signed checkpoint here (it is always stored in the log directory).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}

/// What a checkpoint reports.
#[derive(Debug, Serialize)]
struct CheckpointReport {
    origin: String,
    size: u64,
    root: String,
    note: String,
}

fn checkpoint(ctx: &Ctx, args: &CheckpointArgs) -> Result<()> {
    let key = files::read_key(&args.key)?;
    let log = open_existing(&args.dir)?;
    let body = Checkpoint {
        origin: args.origin.clone(),
        size: log.size(),
        root: log.root(),
        extensions: Vec::new(),
    };
    let note = sign_checkpoint(&body, &key)
        .map_err(|e| CliError::file_err(&args.key, "cannot sign checkpoint", &e))?
        .to_bytes();
    if let Some(out) = &args.out {
        let mut outputs = Outputs::new();
        outputs.add(out, note.clone());
        outputs.commit()?;
    }
    log.store_checkpoint(&note)
        .map_err(|e| CliError::file_err(&args.dir, "cannot store checkpoint", &e))?;
    let report = CheckpointReport {
        origin: body.origin.clone(),
        size: body.size,
        root: body.root.to_string(),
        note: String::from_utf8_lossy(&note).into_owned(),
    };
    emit(ctx.json, &report, || report.note.clone())
}

/// The log whose checkpoints are checked: its certificate and trust.
#[derive(Debug, clap::Args)]
pub(crate) struct LogCertArgs {
    /// The log's audit-log credential (certifies its Ed25519 key).
    #[arg(long, value_name = "FILE")]
    pub(crate) log_cert: PathBuf,
}

/// Witnesses whose cosignatures count.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct WitnessPolicyArgs {
    /// A witness: its note key name and its witness credential, NAME=CERT (repeatable).
    #[arg(long = "witness", value_name = "NAME=CERT")]
    pub(crate) witnesses: Vec<String>,
    /// Distinct witness authorities required (default: 1 if any --witness is given, else 0).
    #[arg(long)]
    pub(crate) witness_threshold: Option<usize>,
}

/// Reads a note file and its checkpoint body.
fn read_note(path: &Path) -> Result<(Vec<u8>, Note, Checkpoint)> {
    let bytes = files::read(path)?;
    let note =
        Note::parse(&bytes).map_err(|e| CliError::file_err(path, "not a signed checkpoint", &e))?;
    let body = Checkpoint::parse_text(note.text())
        .map_err(|e| CliError::file_err(path, "not a checkpoint", &e))?;
    Ok((bytes, note, body))
}

/// The log's identity from its validated audit-log credential.
fn log_identity(
    ctx: &Ctx,
    trust: &Trust,
    cert_path: &Path,
    origin: &str,
    time: UnixTime,
) -> Result<LogIdentity> {
    let certificate = files::read_certificate(cert_path)?;
    let profile = Profile::audit_log(&ctx.oids);
    let chain = trust.validate_credential(cert_path, &certificate, &profile, time)?;
    LogIdentity::from_chain(origin, &chain, &profile)
        .map_err(|e| CliError::file_err(cert_path, "not a log key", &e))
}

/// The witness policy from `--witness` credentials validated under the witness profile.
fn witness_policy(
    ctx: &Ctx,
    trust: &Trust,
    args: &WitnessPolicyArgs,
    time: UnixTime,
) -> Result<WitnessPolicy> {
    let profile = Profile::witness(&ctx.oids);
    let mut witnesses = Vec::with_capacity(args.witnesses.len());
    for spec in &args.witnesses {
        let (name, cert) = spec
            .split_once('=')
            .ok_or_else(|| CliError::usage(format!("--witness {spec}: expected NAME=CERT")))?;
        let cert_path = Path::new(cert);
        let certificate = files::read_certificate(cert_path)?;
        let chain = trust.validate_credential(cert_path, &certificate, &profile, time)?;
        witnesses.push(
            WitnessIdentity::from_chain(name, &chain, &profile)
                .map_err(|e| CliError::file_err(cert_path, "not a witness key", &e))?,
        );
    }
    let threshold = args
        .witness_threshold
        .unwrap_or(usize::from(!witnesses.is_empty()));
    Ok(WitnessPolicy {
        witnesses,
        threshold,
    })
}

/// `log witness`
#[derive(Debug, clap::Args)]
pub(crate) struct WitnessArgs {
    /// The signed checkpoint to cosign (possibly already cosigned by others).
    pub(crate) checkpoint: PathBuf,
    #[command(flatten)]
    pub(crate) log: LogCertArgs,
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
    /// This witness's note key name (e.g. `deu.example/witness`).
    #[arg(long)]
    pub(crate) name: String,
    /// This witness's Ed25519 private key.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// This witness's durable state (last checkpoint cosigned per log); created if absent.
    #[arg(long, value_name = "FILE")]
    pub(crate) state: PathBuf,
    /// The consistency proof from the last witnessed size (see `log consistency`).
    #[arg(long, value_name = "FILE", conflicts_with = "log_dir")]
    pub(crate) consistency: Option<PathBuf>,
    /// Or a copy of the log directory to compute the consistency proof from.
    #[arg(long, value_name = "DIR")]
    pub(crate) log_dir: Option<PathBuf>,
    /// Where to write the cosigned checkpoint.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// Cosignature time and credential validation time (default: now).
    #[command(flatten)]
    pub(crate) at: AtArg,
}

/// A consistency proof file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsistencyFile {
    old_size: u64,
    new_size: u64,
    proof: Vec<Digest256>,
}

/// What witnessing reports.
#[derive(Debug, Serialize)]
struct WitnessReport {
    origin: String,
    size: u64,
    witness: String,
    previous_size: Option<u64>,
    out: PathBuf,
}

fn witness(ctx: &Ctx, args: &WitnessArgs) -> Result<()> {
    let time = args.at.time();
    let trust = Trust::load(&args.trust)?;
    let (bytes, mut note, body) = read_note(&args.checkpoint)?;
    let identity = log_identity(ctx, &trust, &args.log.log_cert, &body.origin, time)?;
    let key = files::read_key(&args.key)?;
    let mut witness = Witness::new(&args.name, &key, default_provider())
        .map_err(|e| CliError::file_err(&args.key, "cannot act as a witness", &e))?;
    witness.add_log(identity);
    witness
        .load_state(&args.state)
        .map_err(|e| CliError::file_err(&args.state, "unreadable witness state", &e))?;
    let previous = witness.state(&body.origin).map(|s| s.size);
    let proof = match (&args.consistency, &args.log_dir, previous) {
        (_, _, None) => Vec::new(),
        (Some(path), _, Some(old)) => {
            let file: ConsistencyFile = serde_json::from_str(&files::read_text(path)?)
                .map_err(|e| CliError::file_err(path, "not a consistency proof", &e))?;
            if file.old_size != old || file.new_size != body.size {
                return Err(CliError::file(
                    path,
                    format!(
                        "proves {} → {}, but the witness is at {old} and the checkpoint at {}",
                        file.old_size, file.new_size, body.size
                    ),
                ));
            }
            file.proof
        }
        (None, Some(dir), Some(old)) => open_existing(dir)?
            .consistency_proof(old, body.size)
            .map_err(|e| CliError::file_err(dir, "cannot prove consistency", &e))?,
        (None, None, Some(old)) if old == body.size => Vec::new(),
        (None, None, Some(old)) => {
            return Err(CliError::usage(format!(
                "the witness last cosigned size {old}: give --consistency FILE (from `entente log consistency --from {old}`) or --log-dir"
            )));
        }
    };
    let line = witness
        .cosign_durably(&bytes, &proof, time, &args.state)
        .map_err(|e| CliError::file_err(&args.checkpoint, "refused", &e))?;
    note.push_signature(line)
        .map_err(|e| CliError::file_err(&args.checkpoint, "cannot add cosignature", &e))?;
    let mut outputs = Outputs::new();
    outputs.add(&args.out, note.to_bytes());
    outputs.commit()?;
    let report = WitnessReport {
        origin: body.origin,
        size: body.size,
        witness: args.name.clone(),
        previous_size: previous,
        out: args.out.clone(),
    };
    emit(ctx.json, &report, || {
        format!(
            "{} cosigned {} at size {}{}\n  written {}",
            report.witness,
            report.origin,
            report.size,
            report
                .previous_size
                .map(|p| format!(" (consistent with size {p})"))
                .unwrap_or_else(|| " (first checkpoint seen: trusted on first use)".to_owned()),
            report.out.display()
        )
    })
}

/// `log prove`
#[derive(Debug, clap::Args)]
pub(crate) struct ProveArgs {
    /// The log directory.
    pub(crate) dir: PathBuf,
    /// The entry's index.
    #[arg(long)]
    pub(crate) index: u64,
    /// The (cosigned) checkpoint to prove against (default: the one stored in the log).
    #[arg(long, value_name = "FILE")]
    pub(crate) checkpoint: Option<PathBuf>,
    /// Where to write the tlog-proof bundle.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// Also write the entry's bytes here (the verifier needs them).
    #[arg(long, value_name = "FILE")]
    pub(crate) entry_out: Option<PathBuf>,
}

fn stored_or_given_checkpoint(log: &FileLog, dir: &Path, given: Option<&Path>) -> Result<Vec<u8>> {
    match given {
        Some(path) => files::read(path),
        None => log
            .stored_checkpoint()
            .map_err(|e| CliError::file_err(dir, "cannot read checkpoint", &e))?
            .ok_or_else(|| CliError::file(dir, "no checkpoint yet (run `entente log checkpoint`)")),
    }
}

/// What a proof reports.
#[derive(Debug, Serialize)]
struct ProveReport {
    index: u64,
    size: u64,
    proof_hashes: usize,
    out: PathBuf,
    entry: Option<PathBuf>,
}

fn prove(ctx: &Ctx, args: &ProveArgs) -> Result<()> {
    let log = open_existing(&args.dir)?;
    let note = stored_or_given_checkpoint(&log, &args.dir, args.checkpoint.as_deref())?;
    let subject = args.checkpoint.as_deref().unwrap_or(&args.dir);
    let parsed = Note::parse(&note)
        .map_err(|e| CliError::file_err(subject, "not a signed checkpoint", &e))?;
    let body = Checkpoint::parse_text(parsed.text())
        .map_err(|e| CliError::file_err(subject, "not a checkpoint", &e))?;
    let bundle = ProofBundle::from_log(&log, args.index, body.size, note)
        .map_err(|e| CliError::file_err(&args.dir, "cannot prove", &e))?;
    let mut outputs = Outputs::new();
    outputs.add(&args.out, bundle.to_bytes());
    if let Some(path) = &args.entry_out {
        outputs.add(
            path,
            log.entry(args.index)
                .map_err(|e| CliError::file_err(&args.dir, "cannot read entry", &e))?,
        );
    }
    outputs.commit()?;
    let report = ProveReport {
        index: args.index,
        size: body.size,
        proof_hashes: bundle.proof.len(),
        out: args.out.clone(),
        entry: args.entry_out.clone(),
    };
    emit(ctx.json, &report, || {
        format!(
            "inclusion proof of entry {} in the checkpoint of size {} ({} hashes)\n  written {}",
            report.index,
            report.size,
            report.proof_hashes,
            report.out.display()
        )
    })
}

/// `log consistency`
#[derive(Debug, clap::Args)]
pub(crate) struct ConsistencyArgs {
    /// The log directory.
    pub(crate) dir: PathBuf,
    /// The older size (the witness's last cosigned size).
    #[arg(long)]
    pub(crate) from: u64,
    /// The newer size (default: the log's size).
    #[arg(long)]
    pub(crate) to: Option<u64>,
    /// Where to write the proof (JSON).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
}

fn consistency(ctx: &Ctx, args: &ConsistencyArgs) -> Result<()> {
    let log = open_existing(&args.dir)?;
    let new_size = args.to.unwrap_or(log.size());
    let proof = log
        .consistency_proof(args.from, new_size)
        .map_err(|e| CliError::file_err(&args.dir, "cannot prove consistency", &e))?;
    let file = ConsistencyFile {
        old_size: args.from,
        new_size,
        proof,
    };
    let text = serde_json::to_string_pretty(&file)
        .map_err(|e| CliError::plain(with_context("cannot encode proof", &e)))?;
    let mut outputs = Outputs::new();
    outputs.add(&args.out, text + "\n");
    outputs.commit()?;
    emit(ctx.json, &file, || {
        format!(
            "consistency proof {} → {} ({} hashes)\n  written {}",
            file.old_size,
            file.new_size,
            file.proof.len(),
            args.out.display()
        )
    })
}

/// `log verify`
#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// A log directory to verify whole (every entry re-hashed against the checkpoint).
    #[arg(required_unless_present = "bundle")]
    pub(crate) dir: Option<PathBuf>,
    /// The checkpoint to verify against (default: the one stored in the log directory).
    #[arg(long, value_name = "FILE")]
    pub(crate) checkpoint: Option<PathBuf>,
    /// Instead of a directory: a tlog-proof bundle to verify (with --entry).
    #[arg(long, value_name = "FILE", requires = "entry", conflicts_with = "dir")]
    pub(crate) bundle: Option<PathBuf>,
    /// The entry the bundle proves.
    #[arg(long, value_name = "FILE")]
    pub(crate) entry: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) log: LogCertArgs,
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
    #[command(flatten)]
    pub(crate) witnesses: WitnessPolicyArgs,
    /// Credential validation time (default: now).
    #[command(flatten)]
    pub(crate) at: AtArg,
}

/// What log verification reports.
#[derive(Debug, Serialize)]
struct VerifyReport {
    origin: String,
    log_authority: String,
    size: u64,
    root: String,
    witnesses: Vec<String>,
    /// Entries by kind (whole-log verification).
    entries: BTreeMap<String, u64>,
    /// The proven entry (bundle verification).
    index: Option<u64>,
    entry: Option<EventJson>,
}

fn kind_name(kind: EntryKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn verify(ctx: &Ctx, args: &VerifyArgs) -> Result<()> {
    let time = args.at.time();
    let trust = Trust::load(&args.trust)?;
    let (note_bytes, subject, log) = match (&args.bundle, &args.dir) {
        (Some(bundle_path), _) => {
            let bundle = ProofBundle::parse(&files::read(bundle_path)?)
                .map_err(|e| CliError::file_err(bundle_path, "not a tlog-proof bundle", &e))?;
            (bundle.checkpoint, bundle_path.clone(), None)
        }
        (None, Some(dir)) => {
            let log = open_existing(dir)?;
            let note = stored_or_given_checkpoint(&log, dir, args.checkpoint.as_deref())?;
            (
                note,
                args.checkpoint.clone().unwrap_or_else(|| dir.clone()),
                Some(log),
            )
        }
        (None, None) => return Err(CliError::usage("give a log directory or --bundle")),
    };
    let note = Note::parse(&note_bytes)
        .map_err(|e| CliError::file_err(&subject, "not a signed checkpoint", &e))?;
    let body = Checkpoint::parse_text(note.text())
        .map_err(|e| CliError::file_err(&subject, "not a checkpoint", &e))?;
    let identity = log_identity(ctx, &trust, &args.log.log_cert, &body.origin, time)?;
    let policy = witness_policy(ctx, &trust, &args.witnesses, time)?;
    let verified = identity
        .verify(default_provider(), &note_bytes)
        .map_err(|e| CliError::file_err(&subject, "checkpoint refused", &e))?;
    let cosigners = policy
        .check(default_provider(), &verified)
        .map_err(|e| CliError::file_err(&subject, "checkpoint refused", &e))?;
    let mut report = VerifyReport {
        origin: body.origin.clone(),
        log_authority: identity.authority.to_string(),
        size: body.size,
        root: body.root.to_string(),
        witnesses: cosigners.iter().map(ToString::to_string).collect(),
        entries: BTreeMap::new(),
        index: None,
        entry: None,
    };
    if let (Some(bundle_path), Some(entry_path)) = (&args.bundle, &args.entry) {
        let bundle = ProofBundle::parse(&files::read(bundle_path)?)
            .map_err(|e| CliError::file_err(bundle_path, "not a tlog-proof bundle", &e))?;
        let entry = files::read(entry_path)?;
        bundle
            .verify(default_provider(), &entry, &identity, &policy)
            .map_err(|e| CliError::file_err(bundle_path, "proof refused", &e))?;
        let decoded = LogEntry::from_bytes(&entry)
            .map_err(|e| CliError::file_err(entry_path, "not a canonical log entry", &e))?;
        report.index = Some(bundle.index);
        report.entry = Some(EventJson::new(
            &body.origin,
            identity.authority,
            bundle.index,
            &decoded,
        ));
    } else if let (Some(log), Some(dir)) = (&log, &args.dir) {
        if log.size() < body.size {
            return Err(CliError::file(
                dir,
                format!(
                    "holds {} entries, the checkpoint says {}",
                    log.size(),
                    body.size
                ),
            ));
        }
        let bar = progress(body.size, "verifying log");
        let mut tree = MemoryTree::new();
        for index in 0..body.size {
            let entry = log
                .entry(index)
                .map_err(|e| CliError::file_err(dir, &format!("entry {index}"), &e))?;
            let decoded = LogEntry::from_bytes(&entry).map_err(|e| {
                CliError::file_err(
                    dir,
                    &format!("entry {index} is not a canonical log entry"),
                    &e,
                )
            })?;
            *report.entries.entry(kind_name(decoded.kind)).or_default() += 1;
            tree.push_leaf_hash(leaf_hash(&entry))
                .map_err(|e| CliError::file_err(dir, &format!("entry {index}"), &e))?;
            bar.inc(1);
        }
        bar.finish_and_clear();
        if tree.root() != body.root {
            return Err(CliError::file(
                dir,
                format!(
                    "the entries hash to {} but the checkpoint of size {} says {}",
                    tree.root(),
                    body.size,
                    body.root
                ),
            ));
        }
    }
    emit(ctx.json, &report, || {
        let mut text = format!(
            "verified log {} (authority {})\n  size {}, root {}\n  witnesses {}\n",
            report.origin,
            report.log_authority,
            report.size,
            report.root,
            if report.witnesses.is_empty() {
                "none required".to_owned()
            } else {
                report.witnesses.join(", ")
            }
        );
        for (kind, count) in &report.entries {
            text.push_str(&format!("  {count} {kind}\n"));
        }
        if let Some(e) = &report.entry {
            text.push_str(&format!(
                "  entry {} included: {} {} at {}\n",
                e.index,
                e.kind,
                e.reason,
                format_time(UnixTime::from_secs(e.time))
            ));
        }
        text
    })
}

/// One timeline event as JSON.
#[derive(Debug, Serialize)]
pub(crate) struct EventJson {
    log: String,
    log_authority: String,
    index: u64,
    time: u64,
    kind: String,
    recorder: String,
    operation: Option<String>,
    artifacts: Vec<String>,
    authorities: Vec<String>,
    reason: String,
}

impl EventJson {
    fn new(log: &str, authority: AuthorityId, index: u64, entry: &LogEntry) -> Self {
        Self {
            log: log.to_owned(),
            log_authority: authority.to_string(),
            index,
            time: entry.time.as_secs(),
            kind: kind_name(entry.kind),
            recorder: entry.recorder.to_string(),
            operation: entry.operation.map(|o| o.to_string()),
            artifacts: entry.artifacts.iter().map(ToString::to_string).collect(),
            authorities: entry.authorities.iter().map(ToString::to_string).collect(),
            reason: entry.reason.clone(),
        }
    }
}

/// `reconstruct`
#[derive(Debug, clap::Args)]
pub(crate) struct ReconstructArgs {
    /// A partner's log: its origin and audit-log credential, ORIGIN=CERT (repeatable).
    #[arg(long = "log", value_name = "ORIGIN=CERT", required = true)]
    pub(crate) logs: Vec<String>,
    /// A whole log directory, checked against its stored checkpoint (repeatable).
    #[arg(long = "log-dir", value_name = "DIR")]
    pub(crate) log_dirs: Vec<PathBuf>,
    /// A tlog-proof bundle (repeatable, paired in order with --entry).
    #[arg(long = "bundle", value_name = "FILE")]
    pub(crate) bundles: Vec<PathBuf>,
    /// The entry a bundle proves (repeatable, paired in order with --bundle).
    #[arg(long = "entry", value_name = "FILE")]
    pub(crate) entries: Vec<PathBuf>,
    /// Keep only the events of this operation (id or signed declaration).
    #[arg(long, value_name = "ID|FILE")]
    pub(crate) operation: Option<String>,
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
    #[command(flatten)]
    pub(crate) witnesses: WitnessPolicyArgs,
    /// Credential validation time (default: now).
    #[command(flatten)]
    pub(crate) at: AtArg,
}

/// The reconstructed timeline as JSON.
#[derive(Debug, Serialize)]
struct TimelineJson {
    events: Vec<EventJson>,
    gaps: Vec<GapJson>,
    forks: Vec<ForkJson>,
    anomalies: Vec<String>,
}

/// Missing indices of one log.
#[derive(Debug, Serialize)]
struct GapJson {
    log: String,
    from: u64,
    to: u64,
}

/// Evidence that a log showed two histories.
#[derive(Debug, Serialize)]
struct ForkJson {
    kind: &'static str,
    log: Option<String>,
    index: Option<u64>,
}

/// Runs `entente reconstruct`.
pub(crate) fn reconstruct(ctx: &Ctx, args: &ReconstructArgs) -> Result<()> {
    if args.bundles.len() != args.entries.len() {
        return Err(CliError::usage(format!(
            "{} --bundle but {} --entry: give one entry per bundle",
            args.bundles.len(),
            args.entries.len()
        )));
    }
    let time = args.at.time();
    let trust = Trust::load(&args.trust)?;
    let policy = witness_policy(ctx, &trust, &args.witnesses, time)?;
    let mut reconstruction = Reconstruction::new(default_provider(), &policy);
    for spec in &args.logs {
        let (origin, cert) = spec
            .split_once('=')
            .ok_or_else(|| CliError::usage(format!("--log {spec}: expected ORIGIN=CERT")))?;
        reconstruction.add_identity(log_identity(ctx, &trust, Path::new(cert), origin, time)?);
    }
    let bar = progress(
        (args.log_dirs.len() + args.bundles.len()) as u64,
        "reconstructing",
    );
    for dir in &args.log_dirs {
        let log = open_existing(dir)?;
        let note = stored_or_given_checkpoint(&log, dir, None)?;
        reconstruction
            .add_log(&log, &note)
            .map_err(|e| CliError::file_err(dir, "log refused", &e))?;
        bar.inc(1);
    }
    for (bundle_path, entry_path) in args.bundles.iter().zip(&args.entries) {
        let bundle = ProofBundle::parse(&files::read(bundle_path)?)
            .map_err(|e| CliError::file_err(bundle_path, "not a tlog-proof bundle", &e))?;
        let entry = files::read(entry_path)?;
        reconstruction
            .add_bundle(&bundle, &entry)
            .map_err(|e| CliError::file_err(bundle_path, "proof refused", &e))?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let operation = match &args.operation {
        Some(text) => Some(crate::cmd::operation::operation_ref(text)?),
        None => None,
    };
    let timeline = reconstruction.finish(operation);
    let json = TimelineJson {
        events: timeline
            .events
            .iter()
            .map(|e| EventJson::new(&e.log, e.log_authority, e.index, &e.entry))
            .collect(),
        gaps: timeline
            .gaps
            .iter()
            .map(|g| GapJson {
                log: g.log.clone(),
                from: g.missing.start,
                to: g.missing.end,
            })
            .collect(),
        forks: timeline
            .forks
            .iter()
            .map(|f| match f {
                Fork::SplitView(_) => ForkJson {
                    kind: "split_view",
                    log: None,
                    index: None,
                },
                Fork::ConflictingEntry { log, index, .. } => ForkJson {
                    kind: "conflicting_entry",
                    log: Some(log.clone()),
                    index: Some(*index),
                },
            })
            .collect(),
        anomalies: timeline
            .anomalies
            .iter()
            .map(|a| format!("{a:?}"))
            .collect(),
    };
    emit(ctx.json, &json, || {
        let mut text = format!("timeline: {} events\n", json.events.len());
        for e in &json.events {
            text.push_str(&format!(
                "  {}  {}#{}  {} {}\n",
                format_time(UnixTime::from_secs(e.time)),
                e.log,
                e.index,
                e.kind,
                e.reason
            ));
        }
        for g in &json.gaps {
            text.push_str(&format!(
                "  gap: {} entries {}..{} not proven\n",
                g.log, g.from, g.to
            ));
        }
        for f in &json.forks {
            text.push_str(&format!(
                "  FORK: {} {}\n",
                f.kind,
                f.log.as_deref().unwrap_or_default()
            ));
        }
        for a in &json.anomalies {
            text.push_str(&format!("  anomaly: {a}\n"));
        }
        text
    })?;
    if json.forks.is_empty() {
        Ok(())
    } else {
        Err(CliError::plain(format!(
            "{} fork(s) found: a log showed two histories (evidence in the timeline)",
            json.forks.len()
        )))
    }
}

/// Runs `entente log …`.
pub(crate) fn run(ctx: &Ctx, command: &LogCommand) -> Result<()> {
    match command {
        LogCommand::Append(a) => append(ctx, a),
        LogCommand::Checkpoint(a) => checkpoint(ctx, a),
        LogCommand::Witness(a) => witness(ctx, a),
        LogCommand::Prove(a) => prove(ctx, a),
        LogCommand::Consistency(a) => consistency(ctx, a),
        LogCommand::Verify(a) => verify(ctx, a),
    }
}
