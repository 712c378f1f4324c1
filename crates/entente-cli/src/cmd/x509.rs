//! `entente x509 verify`: RFC 5280 path validation with entente's profiles.

use std::path::PathBuf;

use entente_core::{KeyKind, UnixTime};
use entente_x509::{
    CredentialProfile, EkuOids, KeyUsage, ObjectIdentifier, Oid, PolicyInputs, PolicySet, Profile,
};
use serde::Serialize;

use crate::Ctx;
use crate::authdir;
use crate::clock::{AtArg, format_time};
use crate::error::{CliError, Result, chain};
use crate::files;
use crate::output::emit;
use crate::trust::{Trust, TrustArgs};

/// `entente x509 …`
#[derive(Debug, clap::Subcommand)]
pub(crate) enum X509Command {
    /// Validate a certificate path: leaf, intermediates, anchors, time, profile or EKUs,
    /// policy inputs and CRLs give a verdict (exit 0 valid, 1 invalid).
    Verify(VerifyArgs),
}

/// Built-in credential profiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ProfileName {
    /// RFC 5280 only, no role requirements.
    Rfc5280,
    /// An authority's CA certificate.
    AuthorityCa,
    /// Policy and vocabulary signer.
    PolicySigner,
    /// Translator.
    Translator,
    /// Attester.
    Attester,
    /// Operation declarer.
    OperationDeclarer,
    /// Audit log (Ed25519).
    AuditLog,
    /// Witness (Ed25519).
    Witness,
}

impl ProfileName {
    /// The built-in profile.
    pub(crate) fn profile(self, oids: &EkuOids) -> Profile {
        match self {
            Self::Rfc5280 => Profile::rfc5280(),
            Self::AuthorityCa => Profile::authority_ca(),
            Self::PolicySigner => Profile::policy_signer(oids),
            Self::Translator => Profile::translator(oids),
            Self::Attester => Profile::attester(oids),
            Self::OperationDeclarer => Profile::operation_declarer(oids),
            Self::AuditLog => Profile::audit_log(oids),
            Self::Witness => Profile::witness(oids),
        }
    }
}

/// A profile made on the command line from `--eku`: the leaf must carry
/// these EKUs and nothing else is required.
#[derive(Debug)]
struct EkuProfile {
    ekus: Vec<Oid>,
}

impl CredentialProfile for EkuProfile {
    fn name(&self) -> &str {
        "eku"
    }
    fn required_ekus(&self) -> &[Oid] {
        &self.ekus
    }
    fn required_key_usage(&self) -> KeyUsage {
        KeyUsage::NONE
    }
    fn key_kinds(&self) -> &[KeyKind] {
        &[]
    }
}

/// `x509 verify`
#[derive(Debug, clap::Args)]
pub(crate) struct VerifyArgs {
    /// The certificate to validate (the leaf).
    pub(crate) leaf: PathBuf,
    #[command(flatten)]
    pub(crate) trust: TrustArgs,
    /// The credential profile the leaf must satisfy.
    #[arg(long, value_enum, default_value = "rfc5280", conflicts_with = "ekus")]
    pub(crate) profile: ProfileName,
    /// Require these extended key usages instead of a profile (repeatable).
    #[arg(long = "eku", value_name = "OID")]
    pub(crate) ekus: Vec<String>,
    /// user-initial-policy-set entry (repeatable; default anyPolicy).
    #[arg(long = "policy", value_name = "OID")]
    pub(crate) policies: Vec<String>,
    /// initial-explicit-policy.
    #[arg(long)]
    pub(crate) explicit_policy: bool,
    /// initial-policy-mapping-inhibit.
    #[arg(long)]
    pub(crate) inhibit_policy_mapping: bool,
    /// initial-any-policy-inhibit.
    #[arg(long)]
    pub(crate) inhibit_any_policy: bool,
    #[command(flatten)]
    pub(crate) at: AtArg,
}

/// The verdict.
#[derive(Debug, Serialize)]
struct Verdict {
    valid: bool,
    leaf: PathBuf,
    time: u64,
    profile: String,
    revocation_checked: bool,
    /// The anchor's authority id (valid paths only).
    authority: Option<String>,
    /// Subjects from the certificate the anchor issued down to the leaf.
    path: Vec<String>,
    /// The valid policy set (`any` or OIDs).
    policies: Option<Vec<String>>,
    /// Why the path is invalid.
    error: Option<String>,
}

fn verify(ctx: &Ctx, args: &VerifyArgs) -> Result<()> {
    let leaf = files::read_certificate(&args.leaf)?;
    let trust = Trust::load(&args.trust)?;
    if trust.anchors.is_empty() {
        return Err(CliError::usage("no trust anchor given (use --anchor FILE)"));
    }
    let time = args.at.time();
    let builtin;
    let custom;
    let profile: &dyn CredentialProfile = if args.ekus.is_empty() {
        builtin = args.profile.profile(&ctx.oids);
        &builtin
    } else {
        let ekus = args
            .ekus
            .iter()
            .map(|t| {
                Oid::parse(t)
                    .map_err(|e| CliError::new(t, crate::error::with_context("not an OID", &e)))
            })
            .collect::<Result<Vec<_>>>()?;
        custom = EkuProfile { ekus };
        &custom
    };
    let initial_policy_set = if args.policies.is_empty() {
        None
    } else {
        Some(
            args.policies
                .iter()
                .map(|t| {
                    ObjectIdentifier::new(t)
                        .map_err(|e| CliError::new(t, format!("not a policy OID: {e}")))
                })
                .collect::<Result<Vec<_>>>()?,
        )
    };
    let inputs = PolicyInputs {
        initial_policy_set,
        explicit_policy: args.explicit_policy,
        inhibit_policy_mapping: args.inhibit_policy_mapping,
        inhibit_any_policy: args.inhibit_any_policy,
    };
    let outcome = trust.validate(&leaf, profile, &inputs, time);
    let mut verdict = Verdict {
        valid: outcome.is_ok(),
        leaf: args.leaf.clone(),
        time: time.as_secs(),
        profile: profile.name().to_owned(),
        revocation_checked: trust.checks_revocation(),
        authority: None,
        path: Vec::new(),
        policies: None,
        error: None,
    };
    match outcome {
        Ok(chain) => {
            verdict.authority = Some(chain.anchor().to_string());
            verdict.path = chain.path().iter().map(authdir::subject).collect();
            verdict.policies = Some(policy_list(chain.policies()));
            emit(ctx.json, &verdict, || human(&verdict, time))
        }
        Err(error) => {
            let reason = chain(&error);
            verdict.error = Some(reason.clone());
            if ctx.json {
                emit(true, &verdict, String::new)?;
            }
            Err(CliError::file(
                &args.leaf,
                format!("invalid at {}: {reason}", format_time(time)),
            ))
        }
    }
}

fn policy_list(set: &PolicySet) -> Vec<String> {
    match set {
        PolicySet::Any => vec!["any".to_owned()],
        PolicySet::Only(oids) => oids.iter().map(ToString::to_string).collect(),
    }
}

fn human(verdict: &Verdict, time: UnixTime) -> String {
    let mut text = format!(
        "valid: {} at {} (profile {})\n  authority {}\n",
        verdict.leaf.display(),
        format_time(time),
        verdict.profile,
        verdict.authority.as_deref().unwrap_or_default()
    );
    for (i, subject) in verdict.path.iter().enumerate() {
        text.push_str(&format!("  path[{}]   {subject}\n", i + 1));
    }
    text.push_str(&format!(
        "  policies  {}\n  revocation {}",
        verdict.policies.as_deref().unwrap_or_default().join(", "),
        if verdict.revocation_checked {
            "checked"
        } else {
            "NOT checked (no --crl given)"
        }
    ));
    text
}

/// Runs `entente x509 …`.
pub(crate) fn run(ctx: &Ctx, command: &X509Command) -> Result<()> {
    match command {
        X509Command::Verify(args) => verify(ctx, args),
    }
}
