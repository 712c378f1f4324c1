//! Reading inputs with errors that name the file, and writing outputs
//! atomically: every file of a command is staged first and put in place
//! only once the whole command has succeeded.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use entente_core::SigningKey;
use entente_x509::{Certificate, Crl};

use crate::error::{CliError, Result};

/// Largest input file read (bundles, logs' entries are read by their crates).
const MAX_INPUT: u64 = 64 << 20;

/// Reads a whole file.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| CliError::file_err(path, "cannot read", &e))?;
    if meta.is_dir() {
        return Err(CliError::file(path, "is a directory, expected a file"));
    }
    if meta.len() > MAX_INPUT {
        return Err(CliError::file(
            path,
            format!("file of {} bytes is larger than {MAX_INPUT}", meta.len()),
        ));
    }
    std::fs::read(path).map_err(|e| CliError::file_err(path, "cannot read", &e))
}

/// Reads a UTF-8 text file.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    String::from_utf8(read(path)?).map_err(|_| CliError::file(path, "not UTF-8 text"))
}

/// Whether bytes look like PEM (text starting with a `-----BEGIN` line).
fn is_pem(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .and_then(|start| bytes.get(start..))
        .is_some_and(|rest| rest.starts_with(b"-----BEGIN "))
}

/// Reads one certificate, PEM (`CERTIFICATE`) or DER.
pub(crate) fn read_certificate(path: &Path) -> Result<Certificate> {
    let bytes = read(path)?;
    if is_pem(&bytes) {
        let text = std::str::from_utf8(&bytes).map_err(|_| CliError::file(path, "not UTF-8"))?;
        Certificate::from_pem(text)
            .map_err(|e| CliError::file_err(path, "not a PEM certificate", &e))
    } else {
        Certificate::from_der(&bytes)
            .map_err(|e| CliError::file_err(path, "not a DER certificate", &e))
    }
}

/// Reads every certificate of a PEM file (a bundle) or one DER certificate.
pub(crate) fn read_certificates(path: &Path) -> Result<Vec<Certificate>> {
    let bytes = read(path)?;
    if is_pem(&bytes) {
        let text = std::str::from_utf8(&bytes).map_err(|_| CliError::file(path, "not UTF-8"))?;
        let all = Certificate::all_from_pem(text)
            .map_err(|e| CliError::file_err(path, "not a PEM certificate bundle", &e))?;
        if all.is_empty() {
            return Err(CliError::file(path, "no certificate in the file"));
        }
        Ok(all)
    } else {
        Ok(vec![Certificate::from_der(&bytes).map_err(|e| {
            CliError::file_err(path, "not a DER certificate", &e)
        })?])
    }
}

/// Reads a CRL, PEM (`X509 CRL`) or DER.
pub(crate) fn read_crl(path: &Path) -> Result<Crl> {
    let bytes = read(path)?;
    if is_pem(&bytes) {
        let text = std::str::from_utf8(&bytes).map_err(|_| CliError::file(path, "not UTF-8"))?;
        Crl::from_pem(text).map_err(|e| CliError::file_err(path, "not a PEM CRL", &e))
    } else {
        Crl::from_der(&bytes).map_err(|e| CliError::file_err(path, "not a DER CRL", &e))
    }
}

/// Reads a PKCS#8 private key (`PRIVATE KEY` PEM, as OpenSSL writes it).
pub(crate) fn read_key(path: &Path) -> Result<SigningKey> {
    let bytes = read(path)?;
    let key = if is_pem(&bytes) {
        let text = std::str::from_utf8(&bytes).map_err(|_| CliError::file(path, "not UTF-8"))?;
        SigningKey::from_pkcs8_pem(text)
    } else {
        SigningKey::from_pkcs8_der(&bytes)
    };
    key.map_err(|e| CliError::file_err(path, "not a PKCS#8 private key", &e))
}

/// Checks that `key` is the private key of `certificate` (read from
/// `key_path` and `cert_path`).
pub(crate) fn check_key_matches(
    key: &SigningKey,
    key_path: &Path,
    certificate: &Certificate,
    cert_path: &Path,
) -> Result<()> {
    use entente_core::Signer as _;
    let spki = key
        .public_key()
        .to_spki_der()
        .map_err(|e| CliError::file_err(key_path, "unusable key", &e))?;
    if spki != certificate.spki_der() {
        return Err(CliError::file(
            key_path,
            format!(
                "wrong key: it is not the key of the certificate {}",
                cert_path.display()
            ),
        ));
    }
    Ok(())
}

/// PEM text of a certificate.
pub(crate) fn certificate_pem(certificate: &Certificate) -> Result<String> {
    certificate
        .to_pem()
        .map_err(|e| CliError::plain(crate::error::with_context("cannot encode certificate", &e)))
}

/// PEM text of a CRL.
pub(crate) fn crl_pem(crl: &Crl) -> Result<String> {
    crl.to_pem()
        .map_err(|e| CliError::plain(crate::error::with_context("cannot encode CRL", &e)))
}

/// Whether an output file holds a secret (written with mode 0600).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Secrecy {
    /// Readable by all (certificates, signed documents).
    Public,
    /// Readable by the owner only (private keys).
    Secret,
}

/// Output files staged in memory, written together at the end.
#[derive(Debug, Default)]
pub(crate) struct Outputs {
    files: Vec<(PathBuf, Vec<u8>, Secrecy)>,
}

impl Outputs {
    /// No files yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Stages a file.
    pub(crate) fn add(&mut self, path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        self.files
            .push((path.into(), bytes.into(), Secrecy::Public));
    }

    /// Stages a private key file (mode 0600).
    pub(crate) fn add_secret(&mut self, path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        self.files
            .push((path.into(), bytes.into(), Secrecy::Secret));
    }

    /// The staged paths.
    pub(crate) fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _, _)| p.as_path())
    }

    /// Writes every staged file: each goes to a temporary file beside its
    /// destination first, and only when all temporary files are written and
    /// synced are they renamed into place. A failure before the renames
    /// leaves no output at all.
    pub(crate) fn commit(self) -> Result<()> {
        let mut staged = Vec::with_capacity(self.files.len());
        for (path, bytes, secrecy) in self.files {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            };
            std::fs::create_dir_all(&dir)
                .map_err(|e| CliError::file_err(&dir, "cannot create directory", &e))?;
            let mut tmp = tempfile::Builder::new()
                .prefix(".entente-")
                .suffix(".tmp")
                .tempfile_in(&dir)
                .map_err(|e| CliError::file_err(&path, "cannot write", &e))?;
            tmp.write_all(&bytes)
                .and_then(|()| tmp.as_file().sync_all())
                .map_err(|e| CliError::file_err(&path, "cannot write", &e))?;
            if secrecy == Secrecy::Public {
                set_public(tmp.path())
                    .map_err(|e| CliError::file_err(&path, "cannot write", &e))?;
            }
            staged.push((tmp, path));
        }
        for (tmp, path) in staged {
            tmp.persist(&path)
                .map_err(|e| CliError::file_err(&path, "cannot write", &e.error))?;
        }
        Ok(())
    }
}

#[cfg(unix)]
fn set_public(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_public(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Outputs::new();
        out.add(dir.path().join("a"), b"a".to_vec());
        out.add(dir.path().join("missing/dir/b"), b"b".to_vec());
        out.commit().unwrap();
        assert_eq!(std::fs::read(dir.path().join("a")).unwrap(), b"a");
        assert_eq!(
            std::fs::read(dir.path().join("missing/dir/b")).unwrap(),
            b"b"
        );
    }
}
