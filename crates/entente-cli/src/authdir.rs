//! An authority on disk: a directory holding the authority's CA certificate,
//! its private key and its issuing state.
//!
//! ```text
//! <dir>/
//!   root.pem          the authority's CA certificate (PEM CERTIFICATE)
//!   root.key.pem      its private key (PKCS#8 PEM PRIVATE KEY, mode 0600)
//!   state.json        serials, CRL number, revocations, issued certificates
//!   issued/<serial>.pem   a copy of every certificate issued, by serial (hex)
//!   crl.pem           the latest CRL (PEM X509 CRL), after `authority crl`
//! ```
//!
//! The authority's identity (`AuthorityId`) is the SHA-256 of `root.pem`'s
//! SubjectPublicKeyInfo; `state.json` repeats it so that a directory whose
//! files were mixed up is refused.

use std::path::{Path, PathBuf};

use entente_core::{AuthorityId, UnixTime};
use entente_x509::{
    AuthorityState, Certificate, CertificateAuthority, RevocationReason, RevokedEntry,
};
use serde::{Deserialize, Serialize};

use crate::error::{CliError, Result};
use crate::files::{self, Outputs};

/// The certificate file of an authority directory.
pub(crate) const ROOT: &str = "root.pem";
/// The key file of an authority directory.
pub(crate) const ROOT_KEY: &str = "root.key.pem";
/// The state file of an authority directory.
pub(crate) const STATE: &str = "state.json";
/// The latest CRL of an authority directory.
pub(crate) const CRL: &str = "crl.pem";
/// The folder of issued certificates.
pub(crate) const ISSUED: &str = "issued";
/// The `format` value of `state.json`.
const FORMAT: &str = "entente-authority/1";

/// `state.json`: [`AuthorityState`] plus a record of what was issued.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StateFile {
    /// Always `entente-authority/1`.
    pub(crate) format: String,
    /// The authority's identity (hex SHA-256 of the root's SPKI).
    pub(crate) authority: AuthorityId,
    /// The root's subject, for people.
    pub(crate) subject: String,
    /// The serial number the next certificate gets.
    pub(crate) next_serial: u64,
    /// The cRLNumber of the last CRL issued (0: none yet).
    pub(crate) crl_number: u64,
    /// Revocations, in order.
    pub(crate) revoked: Vec<Revocation>,
    /// Certificates issued, in order.
    pub(crate) issued: Vec<Issued>,
}

/// One revocation in `state.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Revocation {
    /// Serial number, hex.
    pub(crate) serial: String,
    /// Revocation date, Unix seconds.
    pub(crate) date: u64,
    /// RFC 5280 CRLReason code.
    pub(crate) reason: u32,
}

/// One issued certificate in `state.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Issued {
    /// Serial number, hex.
    pub(crate) serial: String,
    /// What it was issued as (`translator`, `ca`, `cross-certificate`, …).
    pub(crate) role: String,
    /// Its subject.
    pub(crate) subject: String,
    /// The copy under `issued/`, relative to the directory.
    pub(crate) file: String,
    /// End of validity, Unix seconds.
    pub(crate) not_after: u64,
}

/// A loaded authority directory.
#[derive(Debug)]
pub(crate) struct AuthorityDir {
    /// The directory.
    pub(crate) dir: PathBuf,
    /// The CA with its key and counters.
    pub(crate) ca: CertificateAuthority,
    /// The issued-certificates record.
    pub(crate) issued: Vec<Issued>,
}

impl AuthorityDir {
    /// Loads `dir`, checking that the key is the certificate's and that the
    /// state names this authority.
    pub(crate) fn load(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(CliError::file(
                dir,
                "not an authority directory (see `entente authority init`)",
            ));
        }
        let cert_path = dir.join(ROOT);
        let key_path = dir.join(ROOT_KEY);
        let state_path = dir.join(STATE);
        let certificate = files::read_certificate(&cert_path)?;
        let key = files::read_key(&key_path)?;
        files::check_key_matches(&key, &key_path, &certificate, &cert_path)?;
        let text = files::read_text(&state_path)?;
        let state: StateFile = serde_json::from_str(&text)
            .map_err(|e| CliError::file_err(&state_path, "malformed authority state", &e))?;
        if state.format != FORMAT {
            return Err(CliError::file(
                &state_path,
                format!("unknown format {:?} (expected {FORMAT:?})", state.format),
            ));
        }
        let id = AuthorityId::from_spki_der(certificate.spki_der());
        if state.authority != id {
            return Err(CliError::file(
                &state_path,
                format!(
                    "state of authority {} but {} is authority {id}",
                    state.authority,
                    cert_path.display()
                ),
            ));
        }
        let mut revoked = Vec::with_capacity(state.revoked.len());
        for r in &state.revoked {
            let serial = hex::decode(&r.serial).map_err(|_| {
                CliError::file(&state_path, format!("malformed serial {:?}", r.serial))
            })?;
            let reason = RevocationReason::from_code(r.reason).ok_or_else(|| {
                CliError::file(
                    &state_path,
                    format!("unknown revocation reason code {}", r.reason),
                )
            })?;
            revoked.push(RevokedEntry {
                serial,
                date: UnixTime::from_secs(r.date),
                reason,
            });
        }
        let ca = CertificateAuthority::from_parts(
            certificate,
            key,
            AuthorityState {
                next_serial: state.next_serial,
                crl_number: state.crl_number,
                revoked,
            },
        )
        .map_err(|e| CliError::file_err(&cert_path, "unusable authority", &e))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            ca,
            issued: state.issued,
        })
    }

    /// The authority's identity.
    pub(crate) fn id(&self) -> AuthorityId {
        self.ca.authority_id()
    }

    /// The root's subject.
    pub(crate) fn subject(&self) -> String {
        subject(self.ca.certificate())
    }

    /// Records an issued certificate and stages its copy under `issued/`.
    pub(crate) fn record_issued(
        &mut self,
        certificate: &Certificate,
        role: &str,
        outputs: &mut Outputs,
    ) -> Result<()> {
        let serial = hex::encode(certificate.serial());
        let file = format!("{ISSUED}/{serial}.pem");
        outputs.add(self.dir.join(&file), files::certificate_pem(certificate)?);
        self.issued.push(Issued {
            serial,
            role: role.to_owned(),
            subject: subject(certificate),
            file,
            not_after: certificate.validity().not_after.as_secs(),
        });
        Ok(())
    }

    /// The state file's contents.
    pub(crate) fn state_file(&self) -> StateFile {
        let state = self.ca.state();
        StateFile {
            format: FORMAT.to_owned(),
            authority: self.id(),
            subject: self.subject(),
            next_serial: state.next_serial,
            crl_number: state.crl_number,
            revoked: state
                .revoked
                .iter()
                .map(|r| Revocation {
                    serial: hex::encode(&r.serial),
                    date: r.date.as_secs(),
                    reason: r.reason.code(),
                })
                .collect(),
            issued: self.issued.clone(),
        }
    }

    /// Stages `state.json`.
    pub(crate) fn stage_state(&self, outputs: &mut Outputs) -> Result<()> {
        outputs.add(self.dir.join(STATE), state_json(&self.state_file())?);
        Ok(())
    }

    /// Stages the whole directory (for `authority init`).
    pub(crate) fn stage_all(&self, outputs: &mut Outputs) -> Result<()> {
        outputs.add(
            self.dir.join(ROOT),
            files::certificate_pem(self.ca.certificate())?,
        );
        let key =
            self.ca.key().to_pkcs8_pem().map_err(|e| {
                CliError::plain(crate::error::with_context("cannot encode key", &e))
            })?;
        outputs.add_secret(self.dir.join(ROOT_KEY), key);
        self.stage_state(outputs)
    }
}

/// `state.json` text.
fn state_json(state: &StateFile) -> Result<String> {
    let mut text = serde_json::to_string_pretty(state)
        .map_err(|e| CliError::plain(crate::error::with_context("cannot encode state", &e)))?;
    text.push('\n');
    Ok(text)
}

/// A certificate's subject as RFC 4514 text.
pub(crate) fn subject(certificate: &Certificate) -> String {
    // The certificate decoded, so its subject does too; say so if not.
    certificate
        .subject_name()
        .map_or_else(|e| format!("(undecodable name: {e})"), |n| n.to_string())
}

/// Resolves an authority named on the command line: 64 hex digits (an
/// `AuthorityId`), an authority directory, or a root certificate file.
pub(crate) fn authority_ref(text: &str) -> Result<AuthorityId> {
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return entente_core::Digest256::from_hex(text)
            .map(AuthorityId::from_digest)
            .map_err(|e| {
                CliError::new(text, crate::error::with_context("not an authority id", &e))
            });
    }
    let path = Path::new(text);
    let cert_path = if path.is_dir() {
        path.join(ROOT)
    } else {
        path.to_path_buf()
    };
    if !cert_path.exists() {
        return Err(CliError::new(
            text,
            "neither an authority id (64 hex digits), an authority directory nor a certificate file",
        ));
    }
    let certificate = files::read_certificate(&cert_path)?;
    Ok(AuthorityId::from_spki_der(certificate.spki_der()))
}
