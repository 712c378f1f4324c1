//! Trust inputs shared by the commands that validate certificates: anchors,
//! untrusted intermediates, CRLs and the freshness bound, read from files.

use std::path::{Path, PathBuf};

use entente_core::{UnixTime, default_provider};
use entente_x509::{
    Budget, Certificate, CredentialProfile, Crl, CrlCheck, PolicyInputs, TrustAnchor,
    ValidationError, ValidationOptions, VerifiedChain, validate,
};

use crate::error::{CliError, Result, chain};
use crate::files;

/// Where certificates are validated against.
#[derive(Clone, Debug, Default, clap::Args)]
pub(crate) struct TrustArgs {
    /// A trust anchor: a root certificate file or an authority directory (repeatable).
    #[arg(long = "anchor", value_name = "FILE|DIR")]
    pub(crate) anchors: Vec<PathBuf>,
    /// Untrusted intermediate or cross-certificates, PEM bundles allowed (repeatable).
    #[arg(long = "intermediate", value_name = "FILE")]
    pub(crate) intermediates: Vec<PathBuf>,
    /// CRLs to check revocation with (repeatable); without any, revocation is not checked.
    #[arg(long = "crl", value_name = "FILE")]
    pub(crate) crls: Vec<PathBuf>,
    /// Refuse CRLs issued more than this many seconds before the validation time.
    #[arg(long, value_name = "SECONDS")]
    pub(crate) max_crl_age: Option<u64>,
}

/// Loaded trust inputs.
#[derive(Debug)]
pub(crate) struct Trust {
    /// Anchors with the file each came from.
    pub(crate) anchors: Vec<(PathBuf, TrustAnchor)>,
    /// The intermediate pool.
    pub(crate) pool: Vec<Certificate>,
    /// CRLs.
    pub(crate) crls: Vec<Crl>,
    /// Freshness bound.
    pub(crate) max_crl_age: Option<u64>,
}

/// An anchor file: a certificate, or an authority directory's `root.pem`.
pub(crate) fn anchor_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(crate::authdir::ROOT)
    } else {
        path.to_path_buf()
    }
}

impl Trust {
    /// Reads every file named in `args`.
    pub(crate) fn load(args: &TrustArgs) -> Result<Self> {
        let mut anchors = Vec::with_capacity(args.anchors.len());
        for path in &args.anchors {
            let path = anchor_path(path);
            anchors.push((
                path.clone(),
                TrustAnchor::new(files::read_certificate(&path)?),
            ));
        }
        let mut pool = Vec::new();
        for path in &args.intermediates {
            pool.extend(files::read_certificates(path)?);
        }
        let crls = args
            .crls
            .iter()
            .map(|p| files::read_crl(p))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            anchors,
            pool,
            crls,
            max_crl_age: args.max_crl_age,
        })
    }

    /// Whether revocation is checked (some CRL was given).
    pub(crate) fn checks_revocation(&self) -> bool {
        !self.crls.is_empty()
    }

    /// The anchors alone.
    pub(crate) fn trust_anchors(&self) -> Vec<TrustAnchor> {
        self.anchors.iter().map(|(_, a)| a.clone()).collect()
    }

    /// Validates `leaf` to any of the anchors.
    pub(crate) fn validate(
        &self,
        leaf: &Certificate,
        profile: &dyn CredentialProfile,
        policy: &PolicyInputs,
        time: UnixTime,
    ) -> std::result::Result<VerifiedChain, ValidationError> {
        let anchors = self.trust_anchors();
        self.validate_with(leaf, &anchors, profile, policy, time)
    }

    /// Validates `leaf` to one of `anchors`.
    pub(crate) fn validate_with(
        &self,
        leaf: &Certificate,
        anchors: &[TrustAnchor],
        profile: &dyn CredentialProfile,
        policy: &PolicyInputs,
        time: UnixTime,
    ) -> std::result::Result<VerifiedChain, ValidationError> {
        let options = ValidationOptions {
            time,
            policy,
            revocation: self.checks_revocation().then_some(CrlCheck {
                crls: &self.crls,
                max_age: self.max_crl_age,
            }),
            budget: Budget::default(),
            provider: default_provider(),
        };
        validate(leaf, &self.pool, anchors, profile, &options)
    }

    /// Validates the credential in `path` under `profile`, one anchor at a
    /// time (authorities' roots are never merged); the error names the file.
    pub(crate) fn validate_credential(
        &self,
        path: &Path,
        leaf: &Certificate,
        profile: &dyn CredentialProfile,
        time: UnixTime,
    ) -> Result<VerifiedChain> {
        if self.anchors.is_empty() {
            return Err(CliError::usage("no trust anchor given (use --anchor)"));
        }
        let policy = PolicyInputs::default();
        let mut failure = None;
        for (_, anchor) in &self.anchors {
            match self.validate_with(leaf, std::slice::from_ref(anchor), profile, &policy, time) {
                Ok(chain) => return Ok(chain),
                Err(ValidationError::NoIssuer { .. }) if failure.is_some() => {}
                Err(error) => failure = Some(error),
            }
        }
        Err(match failure {
            Some(error) => CliError::file(
                path,
                format!("{} credential refused: {}", profile.name(), chain(&error)),
            ),
            None => CliError::file(path, "no trust anchor"),
        })
    }
}
