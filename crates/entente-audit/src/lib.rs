#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod bundle;
mod entry;
mod error;
mod merkle;
mod note;
pub mod oracle;
mod reconstruct;
mod store;
mod witness;

// The public interface is:
pub use bundle::{
    MAX_BUNDLE_BYTES, MAX_EXTRA_BYTES, ProofBundle, TLOG_PROOF_HEADER, VerifiedInclusion,
};
pub use entry::{EntryKind, LogEntry};
pub use error::{BundleError, LogError, NoteError, ProofError, StoreOperation, WitnessError};
pub use merkle::{
    MAX_PROOF_HASHES, MemoryTree, empty_root, leaf_hash, node_hash, prefix_root,
    verify_consistency, verify_inclusion,
};
pub use note::{
    ALG_COSIGNATURE_V1, ALG_ED25519, Checkpoint, LogIdentity, MAX_EXTENSION_LINES, MAX_NOTE_BYTES,
    MAX_SIGNATURES, Note, NoteSignature, VerifiedCheckpoint, key_id, sign_checkpoint, vkey,
};
pub use reconstruct::{
    Anomaly, Fork, Gap, ReconstructError, Reconstruction, Timeline, TimelineEvent,
};
pub use store::{FileLog, MAX_ENTRY_BYTES, Recovery, atomic_write};
pub use witness::{
    DurableCosignError, SPLIT_VIEW_REASON, SplitView, SplitViewError, SplitViewProof, Witness,
    WitnessIdentity, WitnessPolicy, WitnessedState, cosign, cosigned_message,
};
