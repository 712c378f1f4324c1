//! `entente authority`: create an authority, issue credentials and
//! cross-certificates, revoke, publish CRLs.

use std::path::{Path, PathBuf};

use entente_core::{KeyKind, Signer as _, SigningKey, UnixTime, Validity};
use entente_x509::{
    CertificateAuthority, CertificateParams, GeneralName, Oid, RevocationReason, dn, dns_name,
};
use serde::Serialize;

use crate::Ctx;
use crate::authdir::{self, AuthorityDir};
use crate::clock::{AtArg, format_time};
use crate::error::{CliError, Result, with_context};
use crate::files::{self, Outputs};
use crate::output::emit;

const DAY: u64 = 86_400;

/// `entente authority …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum AuthorityCommand {
    /// Create an authority directory: a new self-signed root, or an existing root imported.
    Init(InitArgs),
    /// Issue a credential (or a subordinate CA certificate) from an authority.
    Issue(IssueArgs),
    /// Cross-certify another authority's root (a CA certificate for its key, issued here).
    CrossCertify(CrossArgs),
    /// Revoke a certificate this authority issued (it appears on the next CRL).
    Revoke(RevokeArgs),
    /// Issue the next CRL, listing everything revoked so far.
    Crl(CrlArgs),
    /// Show an authority: identity, root, counters, issued and revoked certificates.
    Show(ShowArgs),
}

/// Key algorithms for new keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum KeyType {
    /// ECDSA P-256.
    P256,
    /// ECDSA P-384.
    P384,
    /// Ed25519 (audit-log and witness keys).
    Ed25519,
}

impl KeyType {
    fn kind(self) -> KeyKind {
        match self {
            Self::P256 => KeyKind::P256,
            Self::P384 => KeyKind::P384,
            Self::Ed25519 => KeyKind::Ed25519,
        }
    }
}

/// `authority init`
#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
    /// The authority directory to create (must not hold an authority yet).
    pub(crate) dir: PathBuf,
    /// Subject of the new root, RFC 4514 (e.g. "CN=GBR Root,O=GBR,C=GB").
    #[arg(
        long,
        required_unless_present = "import_root",
        conflicts_with = "import_root"
    )]
    pub(crate) subject: Option<String>,
    /// Import this existing root certificate (e.g. made with OpenSSL) instead of creating one; needs --key.
    #[arg(long, value_name = "CERT", requires = "key")]
    pub(crate) import_root: Option<PathBuf>,
    /// The root's private key (PKCS#8 PEM); default: a new key.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// Algorithm of a new key.
    #[arg(long, value_enum, default_value = "p256")]
    pub(crate) key_type: KeyType,
    /// Lifetime of a new root, in days.
    #[arg(long, default_value_t = 3650)]
    pub(crate) days: u64,
    /// pathLenConstraint of a new root.
    #[arg(long)]
    pub(crate) path_len: Option<u8>,
    /// First serial number to issue (default 2 for a new root; the --at time for an
    /// imported one, to stay clear of serials its previous software issued).
    #[arg(long)]
    pub(crate) first_serial: Option<u64>,
    #[command(flatten)]
    pub(crate) at: AtArg,
}

/// What `authority init` reports.
#[derive(Debug, Serialize)]
struct InitReport {
    directory: PathBuf,
    authority: String,
    subject: String,
    imported: bool,
    not_after: u64,
}

fn init(ctx: &Ctx, args: &InitArgs) -> Result<()> {
    if args.dir.join(authdir::STATE).exists() || args.dir.join(authdir::ROOT).exists() {
        return Err(CliError::file(&args.dir, "already holds an authority"));
    }
    let time = args.at.time();
    let (ca, imported) = if let Some(cert_path) = &args.import_root {
        let key_path = args
            .key
            .as_deref()
            .ok_or_else(|| CliError::usage("--import-root needs --key"))?;
        let certificate = files::read_certificate(cert_path)?;
        let key = files::read_key(key_path)?;
        files::check_key_matches(&key, key_path, &certificate, cert_path)?;
        if !certificate.is_self_issued() {
            return Err(CliError::file(
                cert_path,
                "not a root certificate (issuer differs from subject)",
            ));
        }
        let state = entente_x509::AuthorityState {
            next_serial: args.first_serial.unwrap_or(time.as_secs().max(2)),
            ..Default::default()
        };
        let ca = CertificateAuthority::from_parts(certificate, key, state)
            .map_err(|e| CliError::file_err(cert_path, "cannot act as an authority", &e))?;
        (ca, true)
    } else {
        let subject_text = args.subject.as_deref().unwrap_or_default();
        let subject = dn(subject_text)
            .map_err(|e| CliError::new(subject_text, with_context("bad subject", &e)))?;
        let key = match &args.key {
            Some(path) => files::read_key(path)?,
            None => new_key(args.key_type)?,
        };
        let validity = Validity {
            not_before: time,
            not_after: time.saturating_add(args.days.saturating_mul(DAY)),
        };
        let root = entente_x509::issue_root(
            &CertificateParams::ca(subject, 1, validity, args.path_len),
            &key,
        )
        .map_err(|e| CliError::new(args.dir.display(), with_context("cannot create root", &e)))?;
        let state = entente_x509::AuthorityState {
            next_serial: args.first_serial.unwrap_or(2),
            ..Default::default()
        };
        let ca = CertificateAuthority::from_parts(root, key, state).map_err(|e| {
            CliError::new(args.dir.display(), with_context("cannot create root", &e))
        })?;
        (ca, false)
    };
    let dir = AuthorityDir {
        dir: args.dir.clone(),
        ca,
        issued: Vec::new(),
    };
    let mut outputs = Outputs::new();
    dir.stage_all(&mut outputs)?;
    outputs.commit()?;
    let report = InitReport {
        directory: args.dir.clone(),
        authority: dir.id().to_string(),
        subject: dir.subject(),
        imported,
        not_after: dir.ca.certificate().validity().not_after.as_secs(),
    };
    emit(ctx.json, &report, || {
        format!(
            "{} authority {}\n  subject   {}\n  directory {}\n  valid to  {}",
            if imported { "imported" } else { "created" },
            report.authority,
            report.subject,
            report.directory.display(),
            format_time(UnixTime::from_secs(report.not_after)),
        )
    })
}

/// A new private key.
pub(crate) fn new_key(key_type: KeyType) -> Result<SigningKey> {
    SigningKey::generate(key_type.kind())
        .map_err(|e| CliError::plain(with_context("cannot generate a key", &e)))
}

/// The roles a credential can be issued for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Role {
    /// A subordinate CA certificate (keyCertSign, cRLSign).
    Ca,
    /// Signs vocabularies and policies.
    PolicySigner,
    /// Signs translations.
    Translator,
    /// Signs attestations.
    Attester,
    /// Signs operation declarations.
    OperationDeclarer,
    /// Signs audit-log checkpoints (Ed25519).
    AuditLog,
    /// Cosigns other partners' checkpoints (Ed25519).
    Witness,
    /// An end-entity certificate with only the EKUs given by --eku.
    Leaf,
}

impl Role {
    /// The role's name as written on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Ca => "ca",
            Self::PolicySigner => "policy-signer",
            Self::Translator => "translator",
            Self::Attester => "attester",
            Self::OperationDeclarer => "operation-declarer",
            Self::AuditLog => "audit-log",
            Self::Witness => "witness",
            Self::Leaf => "leaf",
        }
    }

    fn eku(self, oids: &entente_x509::EkuOids) -> Option<Oid> {
        match self {
            Self::Ca | Self::Leaf => None,
            Self::PolicySigner => Some(oids.policy_signer.clone()),
            Self::Translator => Some(oids.translator.clone()),
            Self::Attester => Some(oids.attester.clone()),
            Self::OperationDeclarer => Some(oids.operation_declarer.clone()),
            Self::AuditLog => Some(oids.audit_log.clone()),
            Self::Witness => Some(oids.witness.clone()),
        }
    }

    fn default_key(self) -> KeyType {
        match self {
            Self::AuditLog | Self::Witness => KeyType::Ed25519,
            _ => KeyType::P256,
        }
    }

    fn default_days(self) -> u64 {
        match self {
            Self::Ca => 5 * 365,
            _ => 365,
        }
    }
}

/// `authority issue`
#[derive(Debug, clap::Args)]
pub(crate) struct IssueArgs {
    /// The issuing authority's directory.
    pub(crate) dir: PathBuf,
    /// What the credential is for.
    #[arg(long, value_enum)]
    pub(crate) role: Role,
    /// Subject, RFC 4514 (e.g. "CN=GBR translator,O=GBR").
    #[arg(long)]
    pub(crate) subject: String,
    /// Certify this existing private key (PKCS#8 PEM) instead of a new one.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Option<PathBuf>,
    /// Algorithm of a new key (default: Ed25519 for audit-log and witness, else P-256).
    #[arg(long, value_enum)]
    pub(crate) key_type: Option<KeyType>,
    /// Output prefix: writes PREFIX.pem (and PREFIX.key.pem for a new key).
    #[arg(long, value_name = "PREFIX")]
    pub(crate) out: PathBuf,
    /// Lifetime in days (default 365; 1825 for a CA).
    #[arg(long)]
    pub(crate) days: Option<u64>,
    /// Additional extended key usage OIDs (repeatable).
    #[arg(long = "eku", value_name = "OID")]
    pub(crate) ekus: Vec<String>,
    /// pathLenConstraint of a CA certificate.
    #[arg(long)]
    pub(crate) path_len: Option<u8>,
    /// DNS subjectAltName (repeatable).
    #[arg(long = "dns", value_name = "NAME")]
    pub(crate) dns: Vec<String>,
    #[command(flatten)]
    pub(crate) at: AtArg,
}

/// What issuing reports.
#[derive(Debug, Serialize)]
struct IssueReport {
    authority: String,
    role: String,
    subject: String,
    serial: String,
    certificate: PathBuf,
    key: Option<PathBuf>,
    not_before: u64,
    not_after: u64,
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn issue(ctx: &Ctx, args: &IssueArgs) -> Result<()> {
    let mut dir = AuthorityDir::load(&args.dir)?;
    let time = args.at.time();
    let subject = dn(&args.subject)
        .map_err(|e| CliError::new(&args.subject, with_context("bad subject", &e)))?;
    let (key, new_key_pem) = match &args.key {
        Some(path) => (files::read_key(path)?, None),
        None => {
            let key = new_key(args.key_type.unwrap_or(args.role.default_key()))?;
            let pem = key
                .to_pkcs8_pem()
                .map_err(|e| CliError::plain(with_context("cannot encode key", &e)))?;
            (key, Some(pem))
        }
    };
    let days = args.days.unwrap_or(args.role.default_days());
    let validity = Validity {
        not_before: time,
        not_after: time.saturating_add(days.saturating_mul(DAY)),
    };
    let mut ekus: Vec<Oid> = args.role.eku(&ctx.oids).into_iter().collect();
    for text in &args.ekus {
        ekus.push(
            Oid::parse(text).map_err(|e| CliError::new(text, with_context("not an OID", &e)))?,
        );
    }
    let mut params = if args.role == Role::Ca {
        let mut p = CertificateParams::ca(subject, 0, validity, args.path_len);
        p.ekus = ekus;
        p
    } else {
        CertificateParams::leaf(subject, 0, validity, ekus)
    };
    for name in &args.dns {
        params.subject_alt_names.push(
            dns_name(name).map_err(|e| CliError::new(name, with_context("bad DNS name", &e)))?,
        );
    }
    let certificate = dir
        .ca
        .issue(params, key.public_key())
        .map_err(|e| CliError::file_err(&args.dir, "cannot issue", &e))?;
    let mut outputs = Outputs::new();
    let cert_path = with_suffix(&args.out, ".pem");
    outputs.add(&cert_path, files::certificate_pem(&certificate)?);
    let key_path = new_key_pem.map(|pem| {
        let path = with_suffix(&args.out, ".key.pem");
        outputs.add_secret(&path, pem);
        path
    });
    dir.record_issued(&certificate, args.role.name(), &mut outputs)?;
    dir.stage_state(&mut outputs)?;
    outputs.commit()?;
    let report = IssueReport {
        authority: dir.id().to_string(),
        role: args.role.name().to_owned(),
        subject: authdir::subject(&certificate),
        serial: hex::encode(certificate.serial()),
        certificate: cert_path,
        key: key_path,
        not_before: validity.not_before.as_secs(),
        not_after: validity.not_after.as_secs(),
    };
    emit(ctx.json, &report, || {
        let mut text = format!(
            "issued {} credential, serial {}\n  subject     {}\n  certificate {}\n",
            report.role,
            report.serial,
            report.subject,
            report.certificate.display()
        );
        if let Some(k) = &report.key {
            text.push_str(&format!("  key         {}\n", k.display()));
        }
        text.push_str(&format!(
            "  valid       {} to {}",
            format_time(validity.not_before),
            format_time(validity.not_after)
        ));
        text
    })
}

/// `authority cross-certify`
#[derive(Debug, clap::Args)]
pub(crate) struct CrossArgs {
    /// The certifying authority's directory.
    pub(crate) dir: PathBuf,
    /// The other authority's root certificate (or its authority directory).
    #[arg(value_name = "OTHER_ROOT")]
    pub(crate) other: PathBuf,
    /// Where to write the cross-certificate.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// Lifetime in days.
    #[arg(long, default_value_t = 365)]
    pub(crate) days: u64,
    /// pathLenConstraint (default 0: the other root may issue leaves only).
    #[arg(long, default_value_t = 0)]
    pub(crate) path_len: u8,
    /// Name constraint: permitted directory subtree, RFC 4514 (repeatable).
    #[arg(long = "permit-dn", value_name = "DN")]
    pub(crate) permit_dn: Vec<String>,
    /// Name constraint: excluded directory subtree, RFC 4514 (repeatable).
    #[arg(long = "exclude-dn", value_name = "DN")]
    pub(crate) exclude_dn: Vec<String>,
    #[command(flatten)]
    pub(crate) at: AtArg,
}

/// What cross-certification reports.
#[derive(Debug, Serialize)]
struct CrossReport {
    issuer: String,
    subject_authority: String,
    subject: String,
    serial: String,
    certificate: PathBuf,
}

fn directory_names(texts: &[String]) -> Result<Vec<GeneralName>> {
    texts
        .iter()
        .map(|t| {
            dn(t)
                .map(GeneralName::DirectoryName)
                .map_err(|e| CliError::new(t, with_context("bad distinguished name", &e)))
        })
        .collect()
}

fn cross_certify(ctx: &Ctx, args: &CrossArgs) -> Result<()> {
    let mut dir = AuthorityDir::load(&args.dir)?;
    let other_path = crate::trust::anchor_path(&args.other);
    let other = files::read_certificate(&other_path)?;
    if !other.is_ca() {
        return Err(CliError::file(&other_path, "not a CA certificate"));
    }
    let time = args.at.time();
    let validity = Validity {
        not_before: time,
        not_after: time.saturating_add(args.days.saturating_mul(DAY)),
    };
    let subject = other
        .subject_name()
        .map_err(|e| CliError::file_err(&other_path, "cannot read the subject", &e))?;
    let mut params = CertificateParams::ca(subject, 0, validity, Some(args.path_len));
    params.permitted = directory_names(&args.permit_dn)?;
    params.excluded = directory_names(&args.exclude_dn)?;
    let certificate = dir
        .ca
        .cross_certify(&other, params)
        .map_err(|e| CliError::file_err(&args.dir, "cannot cross-certify", &e))?;
    let mut outputs = Outputs::new();
    outputs.add(&args.out, files::certificate_pem(&certificate)?);
    dir.record_issued(&certificate, "cross-certificate", &mut outputs)?;
    dir.stage_state(&mut outputs)?;
    outputs.commit()?;
    let report = CrossReport {
        issuer: dir.id().to_string(),
        subject_authority: entente_core::AuthorityId::from_spki_der(other.spki_der()).to_string(),
        subject: authdir::subject(&certificate),
        serial: hex::encode(certificate.serial()),
        certificate: args.out.clone(),
    };
    emit(ctx.json, &report, || {
        format!(
            "cross-certified authority {}\n  subject     {}\n  serial      {}\n  certificate {}",
            report.subject_authority,
            report.subject,
            report.serial,
            report.certificate.display()
        )
    })
}

/// Revocation reasons (RFC 5280 CRLReason).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Reason {
    /// unspecified (0)
    Unspecified,
    /// keyCompromise (1)
    KeyCompromise,
    /// cACompromise (2)
    CaCompromise,
    /// affiliationChanged (3)
    AffiliationChanged,
    /// superseded (4)
    Superseded,
    /// cessationOfOperation (5)
    CessationOfOperation,
    /// privilegeWithdrawn (9)
    PrivilegeWithdrawn,
}

impl Reason {
    fn reason(self) -> RevocationReason {
        match self {
            Self::Unspecified => RevocationReason::Unspecified,
            Self::KeyCompromise => RevocationReason::KeyCompromise,
            Self::CaCompromise => RevocationReason::CaCompromise,
            Self::AffiliationChanged => RevocationReason::AffiliationChanged,
            Self::Superseded => RevocationReason::Superseded,
            Self::CessationOfOperation => RevocationReason::CessationOfOperation,
            Self::PrivilegeWithdrawn => RevocationReason::PrivilegeWithdrawn,
        }
    }
}

/// `authority revoke`
#[derive(Debug, clap::Args)]
pub(crate) struct RevokeArgs {
    /// The issuing authority's directory.
    pub(crate) dir: PathBuf,
    /// The certificate to revoke.
    pub(crate) certificate: PathBuf,
    /// Why.
    #[arg(long, value_enum, default_value = "unspecified")]
    pub(crate) reason: Reason,
    /// Revocation date (default: now).
    #[command(flatten)]
    pub(crate) at: AtArg,
}

/// What revocation reports.
#[derive(Debug, Serialize)]
struct RevokeReport {
    authority: String,
    serial: String,
    subject: String,
    reason: String,
    date: u64,
}

fn revoke(ctx: &Ctx, args: &RevokeArgs) -> Result<()> {
    let mut dir = AuthorityDir::load(&args.dir)?;
    let certificate = files::read_certificate(&args.certificate)?;
    let time = args.at.time();
    dir.ca
        .revoke(&certificate, time, args.reason.reason())
        .map_err(|e| CliError::file_err(&args.certificate, "cannot revoke", &e))?;
    let mut outputs = Outputs::new();
    dir.stage_state(&mut outputs)?;
    outputs.commit()?;
    let serial = hex::encode(certificate.serial());
    let date = dir
        .ca
        .state()
        .revoked
        .iter()
        .find(|r| r.serial == certificate.serial())
        .map_or(time, |r| r.date);
    let report = RevokeReport {
        authority: dir.id().to_string(),
        serial,
        subject: authdir::subject(&certificate),
        reason: args.reason.reason().to_string(),
        date: date.as_secs(),
    };
    emit(ctx.json, &report, || {
        format!(
            "revoked serial {} ({}) from {}: {}\n  run `entente authority crl {}` to publish it",
            report.serial,
            report.subject,
            format_time(date),
            report.reason,
            args.dir.display()
        )
    })
}

/// `authority crl`
#[derive(Debug, clap::Args)]
pub(crate) struct CrlArgs {
    /// The issuing authority's directory.
    pub(crate) dir: PathBuf,
    /// Also write the CRL here (it is always written to DIR/crl.pem).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// nextUpdate, in hours after thisUpdate.
    #[arg(long, default_value_t = 168)]
    pub(crate) next_update_hours: u64,
    /// thisUpdate (default: now).
    #[command(flatten)]
    pub(crate) at: AtArg,
}

/// What a CRL reports.
#[derive(Debug, Serialize)]
struct CrlReport {
    authority: String,
    crl_number: u64,
    this_update: u64,
    next_update: u64,
    revoked: Vec<String>,
    files: Vec<PathBuf>,
}

fn crl(ctx: &Ctx, args: &CrlArgs) -> Result<()> {
    let mut dir = AuthorityDir::load(&args.dir)?;
    let time = args.at.time();
    let next = time.saturating_add(args.next_update_hours.saturating_mul(3600));
    let list = dir
        .ca
        .crl(time, Some(next))
        .map_err(|e| CliError::file_err(&args.dir, "cannot issue CRL", &e))?;
    let pem = files::crl_pem(&list)?;
    let mut outputs = Outputs::new();
    outputs.add(args.dir.join(authdir::CRL), pem.clone());
    if let Some(out) = &args.out {
        outputs.add(out, pem);
    }
    dir.stage_state(&mut outputs)?;
    let written: Vec<PathBuf> = outputs.paths().map(Path::to_path_buf).collect();
    outputs.commit()?;
    let report = CrlReport {
        authority: dir.id().to_string(),
        crl_number: dir.ca.state().crl_number,
        this_update: time.as_secs(),
        next_update: next.as_secs(),
        revoked: list
            .entries()
            .iter()
            .map(|e| hex::encode(&e.serial))
            .collect(),
        files: written
            .into_iter()
            .filter(|p| !p.ends_with(authdir::STATE))
            .collect(),
    };
    emit(ctx.json, &report, || {
        format!(
            "CRL number {} of authority {}: {} revoked, next update {}\n  written to {}",
            report.crl_number,
            report.authority,
            report.revoked.len(),
            format_time(next),
            report
                .files
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// `authority show`
#[derive(Debug, clap::Args)]
pub(crate) struct ShowArgs {
    /// The authority's directory.
    pub(crate) dir: PathBuf,
}

fn show(ctx: &Ctx, args: &ShowArgs) -> Result<()> {
    let dir = AuthorityDir::load(&args.dir)?;
    let state = dir.state_file();
    emit(ctx.json, &state, || {
        let validity = dir.ca.certificate().validity();
        let mut text = format!(
            "authority {}\n  subject     {}\n  valid       {} to {}\n  next serial {}\n  CRL number  {}\n",
            state.authority,
            state.subject,
            format_time(validity.not_before),
            format_time(validity.not_after),
            state.next_serial,
            state.crl_number
        );
        for i in &state.issued {
            let revoked = state.revoked.iter().any(|r| r.serial == i.serial);
            text.push_str(&format!(
                "  issued {} {} {}{}\n",
                i.serial,
                i.role,
                i.subject,
                if revoked { " (revoked)" } else { "" }
            ));
        }
        text
    })
}

/// Runs `entente authority …`.
pub(crate) fn run(ctx: &Ctx, command: &AuthorityCommand) -> Result<()> {
    match command {
        AuthorityCommand::Init(a) => init(ctx, a),
        AuthorityCommand::Issue(a) => issue(ctx, a),
        AuthorityCommand::CrossCertify(a) => cross_certify(ctx, a),
        AuthorityCommand::Revoke(a) => revoke(ctx, a),
        AuthorityCommand::Crl(a) => crl(ctx, a),
        AuthorityCommand::Show(a) => show(ctx, a),
    }
}
