//! The crate's error types, one per concern.

use std::io;

use entente_core::{CborError, CryptoError};

/// A Merkle proof did not verify. Says which check failed, never why the
/// prover sent it: a failed proof is evidence only together with signed data
/// (see [`crate::SplitViewProof`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is not below tree size {size}")]
    IndexBeyondSize {
        /// The index claimed.
        index: u64,
        /// The tree size claimed.
        size: u64,
    },
    /// The old tree is larger than the new one.
    #[error("old tree size {old} exceeds new tree size {new}")]
    OldSizeBeyondNew {
        /// The old size.
        old: u64,
        /// The new size.
        new: u64,
    },
    /// The proof has more hashes than the tree shape allows.
    #[error("proof of {0} hashes is too long for the tree")]
    TooLong(usize),
    /// The proof has fewer hashes than the tree shape needs.
    #[error("proof of {0} hashes is too short for the tree")]
    TooShort(usize),
    /// The proof leads to a different root.
    #[error("proof leads to a different root hash")]
    RootMismatch,
}

/// Reading, appending to or proving from a log failed.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// A size or position does not fit in 64 bits.
    #[error("tree size or position overflows")]
    SizeOverflow,
    /// A tree size beyond the leaves the log holds.
    #[error("tree size {size} exceeds the {available} entries of the log")]
    SizeBeyondLog {
        /// The size asked for.
        size: u64,
        /// The entries the log holds.
        available: u64,
    },
    /// A leaf index not below the tree size.
    #[error("entry index {index} is not below tree size {size}")]
    IndexBeyondSize {
        /// The index asked for.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof between a larger old and a smaller new tree.
    #[error("old tree size {old} exceeds new tree size {new}")]
    OldSizeBeyondNew {
        /// The old size.
        old: u64,
        /// The new size.
        new: u64,
    },
    /// A stored hash is missing (the store is shorter than its size says).
    #[error("stored hash {0} is missing")]
    MissingNode(u64),
    /// An entry larger than the store accepts.
    #[error("entry of {len} bytes exceeds the limit of {max}")]
    EntryTooLarge {
        /// The entry's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A stored record fails its checksum or does not match its leaf hash.
    #[error("stored entry {0} is corrupt")]
    CorruptEntry(u64),
    /// An I/O operation failed.
    #[error("{operation} failed")]
    Io {
        /// What was being done.
        operation: StoreOperation,
        /// The error from the operating system.
        #[source]
        source: io::Error,
    },
    /// An entry could not be encoded or decoded.
    #[error("entry encoding")]
    Cbor(#[source] CborError),
}

/// The storage operation an I/O error interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreOperation {
    /// Opening or creating a file.
    Open,
    /// Reading.
    Read,
    /// Writing.
    Write,
    /// Flushing to stable storage.
    Sync,
    /// Truncating a torn or stale tail.
    Truncate,
    /// Renaming a temporary file over its target.
    Rename,
}

impl std::fmt::Display for StoreOperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Open => "opening a log file",
            Self::Read => "reading a log file",
            Self::Write => "writing a log file",
            Self::Sync => "syncing a log file",
            Self::Truncate => "truncating a log file",
            Self::Rename => "renaming a log file",
        })
    }
}

impl LogError {
    pub(crate) fn io(operation: StoreOperation) -> impl FnOnce(io::Error) -> Self {
        move |source| Self::Io { operation, source }
    }
}

/// A signed note, checkpoint or cosignature was rejected (C2SP
/// `signed-note`, `tlog-checkpoint`, `tlog-cosignature`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The note exceeds the size limit.
    #[error("note of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// The note's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The note is not UTF-8.
    #[error("note is not valid UTF-8")]
    NotUtf8,
    /// The note holds a control character other than newline.
    #[error("note holds a control character")]
    ControlCharacter,
    /// No blank line separates the text from the signatures.
    #[error("note has no blank line before its signatures")]
    MissingSeparator,
    /// The text is empty or does not end with a newline.
    #[error("note text is empty or not newline-terminated")]
    MalformedText,
    /// The signature block is empty.
    #[error("note has no signatures")]
    NoSignatures,
    /// More signature lines than the limit.
    #[error("note has more than {0} signatures")]
    TooManySignatures(usize),
    /// A signature line is not `— <name> <base64>`.
    #[error("malformed signature line {0}")]
    MalformedSignatureLine(usize),
    /// A key name is empty or holds whitespace or `+`.
    #[error("malformed key name")]
    MalformedKeyName,
    /// The bytes after the last signature line are not a complete line.
    #[error("trailing bytes after the last signature line")]
    TrailingBytes,
    /// The checkpoint body has fewer than three lines.
    #[error("checkpoint body lacks origin, size or root hash")]
    MissingCheckpointLine,
    /// The tree size is not a canonical decimal `u64`.
    #[error("checkpoint tree size is not a canonical decimal")]
    MalformedSize,
    /// The root hash is not canonical base64 of 32 bytes.
    #[error("checkpoint root hash is not base64 of 32 bytes")]
    MalformedRootHash,
    /// An extension line is empty.
    #[error("checkpoint has an empty extension line")]
    EmptyExtensionLine,
    /// More body lines than the limit.
    #[error("checkpoint has more than {0} extension lines")]
    TooManyExtensionLines(usize),
    /// The checkpoint names another log than expected.
    #[error("checkpoint origin is not the expected log")]
    WrongOrigin,
    /// No signature by the expected key.
    #[error("no signature by the expected key")]
    MissingSignature,
    /// A signature by the expected key does not verify.
    #[error("signature does not verify")]
    BadSignature(#[source] CryptoError),
    /// A cosignature's bytes are not timestamp || Ed25519 signature.
    #[error("malformed cosignature")]
    MalformedCosignature,
    /// Signing failed.
    #[error("signing failed")]
    Signing(#[source] CryptoError),
    /// The key is not an Ed25519 key.
    #[error("log and witness keys must be Ed25519")]
    NotEd25519,
    /// The certificate chain satisfied another credential profile than the
    /// one a log or witness key needs.
    #[error("credential profile `{found}`, expected `{expected}`")]
    Profile {
        /// The profile required.
        expected: String,
        /// The profile the chain satisfied.
        found: String,
    },
}

/// A witness refused to cosign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessError {
    /// The checkpoint is from a log the witness does not know.
    #[error("unknown log")]
    UnknownLog,
    /// The checkpoint does not verify under the log's key.
    #[error("checkpoint does not verify")]
    Checkpoint(#[source] NoteError),
    /// The checkpoint is older than the one last cosigned (rollback).
    #[error("checkpoint size {new} is below the last cosigned size {last}")]
    Rollback {
        /// The size last cosigned.
        last: u64,
        /// The size offered.
        new: u64,
    },
    /// The consistency proof from the last cosigned checkpoint fails, without
    /// evidence a third party could check.
    #[error("consistency proof from the last cosigned checkpoint fails")]
    BadConsistencyProof(#[source] ProofError),
    /// The log contradicts a checkpoint it signed before; the proof is attached.
    #[error("log presented a split view")]
    SplitView(Box<crate::SplitViewProof>),
    /// Cosigning failed.
    #[error("cosigning failed")]
    Signing(#[source] NoteError),
}

/// A `tlog-proof` bundle or a witness policy check was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// The bundle exceeds the size limit.
    #[error("proof bundle exceeds the size limit")]
    TooLarge,
    /// The bundle is not UTF-8 text.
    #[error("proof bundle is not valid UTF-8")]
    NotUtf8,
    /// The first line is not `c2sp.org/tlog-proof@v1`.
    #[error("proof bundle lacks the c2sp.org/tlog-proof@v1 header")]
    MissingHeader,
    /// The `extra` line is malformed.
    #[error("malformed extra line")]
    MalformedExtra,
    /// The `index` line is missing or malformed.
    #[error("missing or malformed index line")]
    MalformedIndex,
    /// A proof hash line is not base64 of 32 bytes.
    #[error("malformed proof hash line")]
    MalformedHash,
    /// More proof hashes than any tree needs.
    #[error("inclusion proof has too many hashes")]
    TooManyHashes,
    /// No blank line before the checkpoint.
    #[error("proof bundle has no blank line before the checkpoint")]
    MissingSeparator,
    /// The checkpoint is rejected.
    #[error("checkpoint")]
    Checkpoint(#[source] NoteError),
    /// The inclusion proof does not verify.
    #[error("inclusion proof")]
    Inclusion(#[source] ProofError),
    /// Too few distinct witness authorities cosigned.
    #[error("{found} witness authorities cosigned, {needed} needed")]
    TooFewWitnesses {
        /// Distinct authorities with a valid cosignature.
        found: usize,
        /// The policy's threshold.
        needed: usize,
    },
}
