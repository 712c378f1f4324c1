//! Offline proofs: C2SP `tlog-proof` bundles.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! extra <base64>            (optional)
//! index <decimal>
//! <base64 hash>             (inclusion proof, one hash a line, leaf first)
//!
//! <signed checkpoint, with cosignatures>
//! ```

use entente_core::{CryptoProvider, Digest256};

use crate::error::{BundleError, LogError};
use crate::merkle::{self, MAX_PROOF_HASHES};
use crate::note::{LogIdentity, VerifiedCheckpoint, b64, unb64};
use crate::witness::WitnessPolicy;

/// The first line of a `tlog-proof`.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// Largest bundle accepted (a checkpoint note plus 64 proof hashes and a small extra).
pub const MAX_BUNDLE_BYTES: usize = crate::note::MAX_NOTE_BYTES + 8 * 1024;

/// Largest `extra` data accepted, in bytes.
pub const MAX_EXTRA_BYTES: usize = 4096;

/// A `tlog-proof` bundle: an entry's index, its inclusion proof and the
/// (cosigned) checkpoint it is proven against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofBundle {
    /// Optional application data.
    pub extra: Option<Vec<u8>>,
    /// The entry's index.
    pub index: u64,
    /// The inclusion proof, leaf side first.
    pub proof: Vec<Digest256>,
    /// The signed checkpoint note.
    pub checkpoint: Vec<u8>,
}

/// An entry proven included in a checkpoint that met the witness policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedInclusion {
    /// The entry's index.
    pub index: u64,
    /// The checkpoint it is included in.
    pub checkpoint: VerifiedCheckpoint,
    /// The distinct witness authorities that cosigned the checkpoint.
    pub witnesses: std::collections::BTreeSet<entente_core::AuthorityId>,
}

impl ProofBundle {
    /// A bundle for entry `index` from a log, against `checkpoint` of size `size`.
    pub fn from_log(
        log: &crate::FileLog,
        index: u64,
        size: u64,
        checkpoint: Vec<u8>,
    ) -> Result<Self, LogError> {
        Ok(Self {
            extra: None,
            index,
            proof: log.inclusion_proof(index, size)?,
            checkpoint,
        })
    }

    /// The bundle's text.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{TLOG_PROOF_HEADER}\n");
        if let Some(extra) = &self.extra {
            out.push_str(&format!("extra {}\n", b64(extra)));
        }
        out.push_str(&format!("index {}\n", self.index));
        for h in &self.proof {
            out.push_str(&b64(h.as_bytes()));
            out.push('\n');
        }
        out.push('\n');
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.checkpoint);
        bytes
    }

    /// Parses a bundle strictly (the checkpoint is parsed when verified).
    pub fn parse(bytes: &[u8]) -> Result<Self, BundleError> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| BundleError::NotUtf8)?;
        let (head, checkpoint) = text
            .split_once("\n\n")
            .ok_or(BundleError::MissingSeparator)?;
        let mut lines = head.split('\n');
        if lines.next() != Some(TLOG_PROOF_HEADER) {
            return Err(BundleError::MissingHeader);
        }
        let mut line = lines.next().ok_or(BundleError::MalformedIndex)?;
        let mut extra = None;
        if let Some(e) = line.strip_prefix("extra ") {
            let data = unb64(e)
                .filter(|d| d.len() <= MAX_EXTRA_BYTES)
                .ok_or(BundleError::MalformedExtra)?;
            extra = Some(data);
            line = lines.next().ok_or(BundleError::MalformedIndex)?;
        }
        let index = line
            .strip_prefix("index ")
            .filter(|d| {
                !d.is_empty()
                    && d.bytes().all(|b| b.is_ascii_digit())
                    && (*d == "0" || !d.starts_with('0'))
            })
            .and_then(|d| d.parse::<u64>().ok())
            .ok_or(BundleError::MalformedIndex)?;
        let mut proof = Vec::new();
        for l in lines {
            if proof.len() == MAX_PROOF_HASHES {
                return Err(BundleError::TooManyHashes);
            }
            let h = unb64(l)
                .and_then(|b| Digest256::from_slice(&b).ok())
                .ok_or(BundleError::MalformedHash)?;
            proof.push(h);
        }
        Ok(Self {
            extra,
            index,
            proof,
            checkpoint: checkpoint.as_bytes().to_vec(),
        })
    }

    /// Verifies that `entry` is included at `index` in a checkpoint signed by
    /// `log` and cosigned per `policy`.
    pub fn verify(
        &self,
        provider: &dyn CryptoProvider,
        entry: &[u8],
        log: &LogIdentity,
        policy: &WitnessPolicy,
    ) -> Result<VerifiedInclusion, BundleError> {
        let checkpoint = log
            .verify(provider, &self.checkpoint)
            .map_err(BundleError::Checkpoint)?;
        let witnesses = policy.check(provider, &checkpoint)?;
        let cp = checkpoint.checkpoint();
        merkle::verify_inclusion(
            &merkle::leaf_hash(entry),
            self.index,
            cp.size,
            &self.proof,
            &cp.root,
        )
        .map_err(BundleError::Inclusion)?;
        Ok(VerifiedInclusion {
            index: self.index,
            checkpoint,
            witnesses,
        })
    }
}
