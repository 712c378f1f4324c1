//! Reconstruction: several partners' logs and proof bundles verified into one
//! timeline of an operation, with gaps (indices nobody showed) and forks
//! (checkpoints or entries that cannot all be true).
//!
//! Every input is verified before it is used: a bundle against its log's key,
//! the witness policy and its inclusion proof; a whole log against a signed
//! checkpoint by recomputing its root. Nothing unverified enters the timeline.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use entente_core::{AuthorityId, CryptoProvider, Digest256, OperationId};

use crate::bundle::ProofBundle;
use crate::entry::LogEntry;
use crate::error::{BundleError, LogError, NoteError};
use crate::merkle::{MemoryTree, leaf_hash};
use crate::note::LogIdentity;
use crate::witness::{SplitViewProof, WitnessPolicy};

/// Why an input to reconstruction was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReconstructError {
    /// The input names a log that was not registered.
    #[error("unknown log")]
    UnknownLog,
    /// A proof bundle does not verify.
    #[error("proof bundle")]
    Bundle(#[source] BundleError),
    /// A checkpoint does not verify.
    #[error("checkpoint")]
    Checkpoint(#[source] NoteError),
    /// A log's entries do not reproduce the root of its signed checkpoint.
    #[error("log entries do not match the signed checkpoint")]
    RootMismatch,
    /// Reading a log failed.
    #[error("reading a log")]
    Log(#[source] LogError),
}

/// One verified entry of the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineEvent {
    /// The log's origin.
    pub log: String,
    /// The authority keeping that log.
    pub log_authority: AuthorityId,
    /// The entry's index in its log.
    pub index: u64,
    /// The decoded entry.
    pub entry: LogEntry,
}

/// A range of indices of one log that no input proved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// The log's origin.
    pub log: String,
    /// The missing indices.
    pub missing: Range<u64>,
}

/// Evidence that a log showed different histories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fork {
    /// Two checkpoints that cannot both be true.
    SplitView(SplitViewProof),
    /// Two verified bundles prove different entries at one index.
    ConflictingEntry {
        /// The log's origin.
        log: String,
        /// The index.
        index: u64,
        /// One bundle with its entry.
        first: (ProofBundle, Vec<u8>),
        /// The other.
        second: (ProofBundle, Vec<u8>),
    },
}

/// Something verified but suspicious that is neither a gap nor a fork.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Anomaly {
    /// A proven entry is not a canonical [`LogEntry`].
    UndecodableEntry {
        /// The log's origin.
        log: String,
        /// The index.
        index: u64,
    },
    /// An entry claims a recorder other than the authority keeping the log.
    RecorderMismatch {
        /// The log's origin.
        log: String,
        /// The index.
        index: u64,
    },
}

/// The result of a reconstruction.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Timeline {
    /// Verified entries (of the requested operation), ordered by time, log, index.
    pub events: Vec<TimelineEvent>,
    /// Indices below the largest verified checkpoint of each log that no input proved.
    pub gaps: Vec<Gap>,
    /// Proven forks.
    pub forks: Vec<Fork>,
    /// Other findings.
    pub anomalies: Vec<Anomaly>,
}

#[derive(Default)]
struct PerLog {
    /// Verified checkpoints: size → (root, note bytes); several roots per size
    /// are a fork, so keep them all.
    checkpoints: BTreeMap<u64, BTreeMap<Digest256, Vec<u8>>>,
    /// Proven entries by index, with the bundle that proved them if any.
    entries: BTreeMap<u64, (Vec<u8>, Option<ProofBundle>)>,
    /// The leaf hashes of a whole log, when one was given.
    tree: Option<MemoryTree>,
    /// The signed checkpoint `tree` was verified against.
    tree_note: Option<Vec<u8>>,
    forks: Vec<Fork>,
}

impl PerLog {
    /// A bundle proving entry `index` from the whole log, if one was given.
    fn log_bundle(&self, index: u64) -> Option<ProofBundle> {
        let tree = self.tree.as_ref()?;
        Some(ProofBundle {
            extra: None,
            index,
            proof: tree.inclusion_proof(index, tree.size()).ok()?,
            checkpoint: self.tree_note.clone()?,
        })
    }
}

/// Collects verified inputs and produces a [`Timeline`].
#[derive(Debug)]
pub struct Reconstruction<'a> {
    provider: &'a dyn CryptoProvider,
    policy: &'a WitnessPolicy,
    logs: BTreeMap<String, (LogIdentity, PerLogBox)>,
}

/// Boxed per-log state (keeps `Debug` small).
struct PerLogBox(PerLog);

impl std::fmt::Debug for PerLogBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} entries", self.0.entries.len())
    }
}

impl<'a> Reconstruction<'a> {
    /// A reconstruction whose bundles must meet `policy`.
    pub fn new(provider: &'a dyn CryptoProvider, policy: &'a WitnessPolicy) -> Self {
        Self {
            provider,
            policy,
            logs: BTreeMap::new(),
        }
    }

    /// Registers a partner's log (its identity, already bound to its authority).
    pub fn add_identity(&mut self, log: LogIdentity) {
        self.logs
            .entry(log.origin.clone())
            .or_insert_with(|| (log, PerLogBox(PerLog::default())));
    }

    fn add_checkpoint(per: &mut PerLog, size: u64, root: Digest256, note: Vec<u8>) {
        per.checkpoints
            .entry(size)
            .or_default()
            .entry(root)
            .or_insert(note);
    }

    /// Adds a proof bundle and the entry it proves.
    pub fn add_bundle(
        &mut self,
        bundle: &ProofBundle,
        entry: &[u8],
    ) -> Result<(), ReconstructError> {
        let note =
            crate::note::Note::parse(&bundle.checkpoint).map_err(ReconstructError::Checkpoint)?;
        let origin = crate::note::Checkpoint::parse_text(note.text())
            .map_err(ReconstructError::Checkpoint)?
            .origin;
        let (identity, per) = self
            .logs
            .get_mut(&origin)
            .ok_or(ReconstructError::UnknownLog)?;
        let verified = bundle
            .verify(self.provider, entry, identity, self.policy)
            .map_err(ReconstructError::Bundle)?;
        let cp = verified.checkpoint.checkpoint();
        Self::add_checkpoint(&mut per.0, cp.size, cp.root, bundle.checkpoint.clone());
        match per.0.entries.get(&bundle.index) {
            Some((existing, _)) if existing.as_slice() == entry => {}
            Some((existing, other)) => {
                let first = other.clone().or_else(|| per.0.log_bundle(bundle.index));
                if let Some(first) = first {
                    let fork = Fork::ConflictingEntry {
                        log: origin.clone(),
                        index: bundle.index,
                        first: (first, existing.clone()),
                        second: (bundle.clone(), entry.to_vec()),
                    };
                    per.0.forks.push(fork);
                }
            }
            None => {
                per.0
                    .entries
                    .insert(bundle.index, (entry.to_vec(), Some(bundle.clone())));
            }
        }
        Ok(())
    }

    /// Adds a whole log up to a signed checkpoint: every entry is read, the
    /// root recomputed and compared with the checkpoint. Holds the log's leaf
    /// hashes in memory (64 bytes an entry).
    pub fn add_log(
        &mut self,
        log: &crate::FileLog,
        checkpoint: &[u8],
    ) -> Result<(), ReconstructError> {
        let note = crate::note::Note::parse(checkpoint).map_err(ReconstructError::Checkpoint)?;
        let origin = crate::note::Checkpoint::parse_text(note.text())
            .map_err(ReconstructError::Checkpoint)?
            .origin;
        let (identity, per) = self
            .logs
            .get_mut(&origin)
            .ok_or(ReconstructError::UnknownLog)?;
        let verified = identity
            .verify_note(self.provider, note)
            .map_err(ReconstructError::Checkpoint)?;
        let cp = verified.checkpoint();
        let mut tree = MemoryTree::new();
        let mut entries = Vec::new();
        for i in 0..cp.size {
            let e = log.entry(i).map_err(ReconstructError::Log)?;
            tree.push_leaf_hash(leaf_hash(&e))
                .map_err(ReconstructError::Log)?;
            entries.push(e);
        }
        if tree.root() != cp.root {
            return Err(ReconstructError::RootMismatch);
        }
        Self::add_checkpoint(&mut per.0, cp.size, cp.root, checkpoint.to_vec());
        let whole = |index: u64| -> Option<ProofBundle> {
            Some(ProofBundle {
                extra: None,
                index,
                proof: tree.inclusion_proof(index, tree.size()).ok()?,
                checkpoint: checkpoint.to_vec(),
            })
        };
        for (i, e) in (0u64..).zip(entries) {
            match per.0.entries.get(&i) {
                None => {
                    per.0.entries.insert(i, (e, None));
                }
                Some((existing, _)) if *existing == e => {}
                Some((existing, other)) => {
                    let first = other.clone().or_else(|| per.0.log_bundle(i));
                    if let (Some(first), Some(second)) = (first, whole(i)) {
                        let fork = Fork::ConflictingEntry {
                            log: origin.clone(),
                            index: i,
                            first: (first, existing.clone()),
                            second: (second, e),
                        };
                        per.0.forks.push(fork);
                    }
                }
            }
        }
        if per.0.tree.as_ref().is_none_or(|t| t.size() < tree.size()) {
            per.0.tree_note = Some(checkpoint.to_vec());
            per.0.tree = Some(tree);
        }
        Ok(())
    }

    /// Verifies everything collected into a timeline, keeping the entries of
    /// `operation` (all entries when `None`).
    pub fn finish(self, operation: Option<OperationId>) -> Timeline {
        let mut timeline = Timeline::default();
        for (origin, (identity, PerLogBox(per))) in self.logs {
            // Forks: several roots for one size.
            for roots in per.checkpoints.values() {
                let mut notes = roots.values();
                if let (Some(a), Some(b)) = (notes.next(), notes.next()) {
                    timeline.forks.push(Fork::SplitView(SplitViewProof {
                        first: a.clone(),
                        second: b.clone(),
                        prefix_proof: Vec::new(),
                    }));
                }
            }
            // Forks: a smaller checkpoint the full log does not extend.
            if let Some(tree) = &per.tree {
                let full = tree.size();
                let full_note = per.tree_note.clone();
                for (&size, roots) in per.checkpoints.range(1..full) {
                    for (root, note) in roots {
                        let Ok(actual) = tree.root_at(size) else {
                            continue;
                        };
                        if actual == *root {
                            continue;
                        }
                        if let (Some(full_note), Ok(proof)) =
                            (&full_note, tree.prefix_proof(size, full))
                        {
                            timeline.forks.push(Fork::SplitView(SplitViewProof {
                                first: note.clone(),
                                second: full_note.clone(),
                                prefix_proof: proof,
                            }));
                        }
                    }
                }
            }
            timeline.forks.extend(per.forks);
            // Gaps below the largest verified checkpoint.
            let largest = per.checkpoints.keys().next_back().copied().unwrap_or(0);
            let mut next = 0u64;
            let indices: BTreeSet<u64> = per.entries.keys().copied().collect();
            for &i in indices.range(..largest) {
                if i > next {
                    timeline.gaps.push(Gap {
                        log: origin.clone(),
                        missing: next..i,
                    });
                }
                next = i + 1;
            }
            if next < largest {
                timeline.gaps.push(Gap {
                    log: origin.clone(),
                    missing: next..largest,
                });
            }
            for (index, (bytes, _)) in per.entries {
                let Ok(entry) = LogEntry::from_bytes(&bytes) else {
                    timeline.anomalies.push(Anomaly::UndecodableEntry {
                        log: origin.clone(),
                        index,
                    });
                    continue;
                };
                if entry.recorder != identity.authority {
                    timeline.anomalies.push(Anomaly::RecorderMismatch {
                        log: origin.clone(),
                        index,
                    });
                }
                if operation.is_none() || entry.operation == operation {
                    timeline.events.push(TimelineEvent {
                        log: origin.clone(),
                        log_authority: identity.authority,
                        index,
                        entry,
                    });
                }
            }
        }
        timeline
            .events
            .sort_by(|a, b| (a.entry.time, &a.log, a.index).cmp(&(b.entry.time, &b.log, b.index)));
        timeline
    }
}
