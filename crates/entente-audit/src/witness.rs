//! Witnessing: C2SP `tlog-cosignature` (Ed25519 `cosignature/v1`), a witness
//! that cosigns only consistent checkpoints, split-view proofs, and the
//! k-of-n witness policy that counts distinct authorities.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use entente_core::{
    AuthorityId, CryptoProvider, Digest256, KeyKind, PublicKey, SignatureAlgorithm,
    SignatureEncoding, Signer, UnixTime,
};

use crate::error::{BundleError, LogError, NoteError, StoreOperation, WitnessError};
use crate::merkle;
use crate::note::{
    ALG_COSIGNATURE_V1, Checkpoint, LogIdentity, Note, NoteSignature, VerifiedCheckpoint, key_id,
    valid_key_name,
};

/// The message a `cosignature/v1` signs: `cosignature/v1\ntime <t>\n` then the
/// checkpoint text (C2SP `tlog-cosignature`, "Signed message").
pub fn cosigned_message(time: UnixTime, checkpoint_text: &str) -> Vec<u8> {
    format!("cosignature/v1\ntime {}\n{checkpoint_text}", time.as_secs()).into_bytes()
}

/// A witness's identity: its key name, Ed25519 key and certifying authority.
///
/// Like [`LogIdentity`], the X.509 binding (the `witness` credential profile)
/// is the caller's to check until entente-x509 is wired in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessIdentity {
    /// The witness's note key name.
    pub name: String,
    /// Its Ed25519 public key.
    pub key: PublicKey,
    /// The authority whose hierarchy certified the key.
    pub authority: AuthorityId,
}

impl WitnessIdentity {
    /// The identity of the witness whose Ed25519 key `chain` certifies under
    /// `profile` (normally the witness profile); the authority is the chain's
    /// anchor.
    pub fn from_chain(
        name: &str,
        chain: &entente_x509::VerifiedChain,
        profile: &dyn entente_x509::CredentialProfile,
    ) -> Result<Self, NoteError> {
        crate::note::check_profile(chain, profile)?;
        Self::new(name, chain.leaf_key().clone(), chain.anchor())
    }

    /// A witness identity; fails unless `key` is Ed25519 and `name` a valid key name.
    pub fn new(name: &str, key: PublicKey, authority: AuthorityId) -> Result<Self, NoteError> {
        if key.kind() != KeyKind::Ed25519 {
            return Err(NoteError::NotEd25519);
        }
        if !valid_key_name(name) {
            return Err(NoteError::MalformedKeyName);
        }
        Ok(Self {
            name: name.to_owned(),
            key,
            authority,
        })
    }

    /// The cosignature key hash (algorithm byte `0x04`).
    pub fn key_id(&self) -> [u8; 4] {
        key_id(&self.name, ALG_COSIGNATURE_V1, &self.key)
    }

    /// The verifier-key text of this witness.
    pub fn vkey(&self) -> String {
        crate::note::vkey(&self.name, ALG_COSIGNATURE_V1, &self.key)
    }

    /// Verifies this witness's cosignature on a note, returning its timestamp.
    /// Fails with [`NoteError::MissingSignature`] if the note has none.
    pub fn verify(
        &self,
        provider: &dyn CryptoProvider,
        note: &Note,
    ) -> Result<UnixTime, NoteError> {
        let id = self.key_id();
        let sig = note
            .signatures()
            .iter()
            .find(|s| s.name == self.name && s.key_id == id)
            .ok_or(NoteError::MissingSignature)?;
        let (time, signature) = sig
            .signature
            .split_first_chunk::<8>()
            .filter(|(_, s)| s.len() == 64)
            .ok_or(NoteError::MalformedCosignature)?;
        let time = UnixTime::from_secs(u64::from_be_bytes(*time));
        provider
            .verify(
                SignatureAlgorithm::Ed25519,
                SignatureEncoding::Fixed,
                &self.key,
                &cosigned_message(time, note.text()),
                signature,
            )
            .map_err(NoteError::BadSignature)?;
        Ok(time)
    }
}

/// Produces a `cosignature/v1` signature line over `checkpoint_text`.
pub fn cosign(
    name: &str,
    signer: &dyn Signer,
    time: UnixTime,
    checkpoint_text: &str,
) -> Result<NoteSignature, NoteError> {
    if signer.algorithm() != SignatureAlgorithm::Ed25519 {
        return Err(NoteError::NotEd25519);
    }
    if !valid_key_name(name) {
        return Err(NoteError::MalformedKeyName);
    }
    let sig = signer
        .sign(
            &cosigned_message(time, checkpoint_text),
            SignatureEncoding::Fixed,
        )
        .map_err(NoteError::Signing)?;
    let mut signature = time.as_secs().to_be_bytes().to_vec();
    signature.extend_from_slice(&sig);
    Ok(NoteSignature {
        name: name.to_owned(),
        key_id: key_id(name, ALG_COSIGNATURE_V1, signer.public_key()),
        signature,
    })
}

/// Two checkpoints signed by one log that cannot both be true, with what a
/// third party needs to check it: both signed notes and, when their sizes
/// differ, a *prefix proof* (see [`crate::MemoryTree::prefix_proof`]) showing that the
/// larger tree commits to a different root for the smaller size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitViewProof {
    /// The first signed checkpoint, as signed.
    pub first: Vec<u8>,
    /// The second signed checkpoint, as signed.
    pub second: Vec<u8>,
    /// Empty when the sizes are equal; otherwise the prefix proof from the
    /// smaller checkpoint's size to the larger one's.
    pub prefix_proof: Vec<Digest256>,
}

/// The canonical CBOR evidence of a split view, carried in an integrity event.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SplitViewEvidence {
    #[serde(with = "crate::entry::bytes")]
    first: Vec<u8>,
    #[serde(with = "crate::entry::bytes")]
    second: Vec<u8>,
    prefix_proof: Vec<Digest256>,
}

/// The reason code of a split-view integrity event.
pub const SPLIT_VIEW_REASON: &str = "split_view";

impl SplitViewProof {
    /// An integrity-event entry recording this (verified) split view of the
    /// log of `offender`, as seen by `recorder` at `time`; the proof itself is
    /// the evidence, so whoever reads the entry can check it.
    pub fn to_entry(
        &self,
        recorder: AuthorityId,
        offender: AuthorityId,
        time: UnixTime,
    ) -> Result<crate::LogEntry, LogError> {
        let evidence = entente_core::cbor::to_vec(&SplitViewEvidence {
            first: self.first.clone(),
            second: self.second.clone(),
            prefix_proof: self.prefix_proof.clone(),
        })
        .map_err(LogError::Cbor)?;
        Ok(crate::LogEntry {
            kind: crate::EntryKind::IntegrityEvent,
            time,
            recorder,
            operation: None,
            artifacts: Vec::new(),
            authorities: vec![offender],
            reason: SPLIT_VIEW_REASON.to_owned(),
            evidence,
        })
    }

    /// Recovers the proof from an integrity-event entry made by
    /// [`SplitViewProof::to_entry`] (it still has to be verified).
    pub fn from_entry(entry: &crate::LogEntry) -> Result<Self, LogError> {
        let e: SplitViewEvidence =
            entente_core::cbor::from_slice(&entry.evidence).map_err(LogError::Cbor)?;
        Ok(Self {
            first: e.first,
            second: e.second,
            prefix_proof: e.prefix_proof,
        })
    }
}

/// What a verified split view shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitView {
    /// The log's origin.
    pub origin: String,
    /// The smaller (or equal) tree size.
    pub old_size: u64,
    /// The larger (or equal) tree size.
    pub new_size: u64,
    /// The root the log signed for `old_size`.
    pub signed_root: Digest256,
    /// The root the other checkpoint commits to for `old_size`.
    pub conflicting_root: Digest256,
}

/// Why a split-view proof does not prove a split view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitViewError {
    /// A checkpoint does not verify under the log's key.
    #[error("checkpoint does not verify")]
    Checkpoint(#[source] NoteError),
    /// The prefix proof is not authentic for the larger checkpoint.
    #[error("prefix proof")]
    Proof(#[source] crate::ProofError),
    /// The checkpoints agree: there is no split view.
    #[error("the checkpoints are consistent")]
    Consistent,
}

impl SplitViewProof {
    /// Checks the proof against the log's identity.
    pub fn verify(
        &self,
        provider: &dyn CryptoProvider,
        log: &LogIdentity,
    ) -> Result<SplitView, SplitViewError> {
        let a = log
            .verify(provider, &self.first)
            .map_err(SplitViewError::Checkpoint)?;
        let b = log
            .verify(provider, &self.second)
            .map_err(SplitViewError::Checkpoint)?;
        let (old, new) = if a.checkpoint().size <= b.checkpoint().size {
            (a.checkpoint(), b.checkpoint())
        } else {
            (b.checkpoint(), a.checkpoint())
        };
        let conflicting_root = if old.size == new.size {
            if !self.prefix_proof.is_empty() {
                return Err(SplitViewError::Proof(crate::ProofError::TooLong(
                    self.prefix_proof.len(),
                )));
            }
            new.root
        } else if old.size == 0 {
            // Every tree is consistent with the empty tree; only a wrong
            // empty root could conflict.
            merkle::empty_root()
        } else {
            merkle::prefix_root(old.size, new.size, &new.root, &self.prefix_proof)
                .map_err(SplitViewError::Proof)?
        };
        if conflicting_root == old.root {
            return Err(SplitViewError::Consistent);
        }
        Ok(SplitView {
            origin: old.origin.clone(),
            old_size: old.size,
            new_size: new.size,
            signed_root: old.root,
            conflicting_root,
        })
    }
}

/// What a witness remembers per log: the last checkpoint it cosigned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessedState {
    /// Tree size last cosigned.
    pub size: u64,
    /// Root hash last cosigned.
    pub root: Digest256,
    /// The signed note last cosigned (the log's signature only), kept as
    /// evidence for a later split-view proof.
    pub note: Vec<u8>,
}

/// A witness: cosigns a log's checkpoint only after verifying the log's
/// signature and a consistency proof from the last checkpoint it cosigned.
///
/// State is kept in memory; persist [`Witness::state`] durably (entente-admit
/// owns durable rollback state) before releasing a cosignature, or a restarted
/// witness can be made to cosign a fork.
#[derive(Debug)]
pub struct Witness<'a> {
    name: String,
    signer: &'a dyn Signer,
    provider: &'a dyn CryptoProvider,
    logs: BTreeMap<String, LogIdentity>,
    state: BTreeMap<String, WitnessedState>,
}

impl<'a> Witness<'a> {
    /// A witness named `name` signing with `signer` (Ed25519).
    pub fn new(
        name: &str,
        signer: &'a dyn Signer,
        provider: &'a dyn CryptoProvider,
    ) -> Result<Self, NoteError> {
        if signer.algorithm() != SignatureAlgorithm::Ed25519 {
            return Err(NoteError::NotEd25519);
        }
        if !valid_key_name(name) {
            return Err(NoteError::MalformedKeyName);
        }
        Ok(Self {
            name: name.to_owned(),
            signer,
            provider,
            logs: BTreeMap::new(),
            state: BTreeMap::new(),
        })
    }

    /// Starts witnessing a log.
    pub fn add_log(&mut self, log: LogIdentity) {
        self.logs.insert(log.origin.clone(), log);
    }

    /// Restores the state for a log (from durable storage).
    pub fn restore(&mut self, origin: &str, state: WitnessedState) {
        self.state.insert(origin.to_owned(), state);
    }

    /// The last cosigned state for a log.
    pub fn state(&self, origin: &str) -> Option<&WitnessedState> {
        self.state.get(origin)
    }

    /// Verifies `note` (a signed checkpoint) and `consistency` (the RFC 9162
    /// consistency proof from the last cosigned size), then returns a
    /// cosignature line at `time`. The first checkpoint of a log is accepted
    /// on first use; the witness's state advances only on success.
    pub fn cosign(
        &mut self,
        note: &[u8],
        consistency: &[Digest256],
        time: UnixTime,
    ) -> Result<NoteSignature, WitnessError> {
        let parsed = Note::parse(note).map_err(WitnessError::Checkpoint)?;
        let origin = Checkpoint::parse_text(parsed.text())
            .map_err(WitnessError::Checkpoint)?
            .origin;
        let log = self.logs.get(&origin).ok_or(WitnessError::UnknownLog)?;
        let verified: VerifiedCheckpoint = log
            .verify_note(self.provider, parsed)
            .map_err(WitnessError::Checkpoint)?;
        let cp = verified.checkpoint();
        // Keep only the log's own signature as evidence.
        let log_only = Note::new(
            verified.note().text().to_owned(),
            verified
                .note()
                .signatures()
                .iter()
                .filter(|s| s.name == log.origin && s.key_id == log.key_id())
                .cloned()
                .collect(),
        )
        .map_err(WitnessError::Checkpoint)?
        .to_bytes();
        if let Some(last) = self.state.get(&origin) {
            if cp.size < last.size {
                return Err(WitnessError::Rollback {
                    last: last.size,
                    new: cp.size,
                });
            }
            if cp.size == last.size && cp.root != last.root {
                return Err(WitnessError::SplitView(Box::new(SplitViewProof {
                    first: last.note.clone(),
                    second: log_only,
                    prefix_proof: Vec::new(),
                })));
            }
            if let Err(e) =
                merkle::verify_consistency(last.size, cp.size, &last.root, &cp.root, consistency)
            {
                // If the proof is authentic for the new root but implies a
                // different old root, it is itself the evidence of a fork.
                let authentic = last.size > 0
                    && !last.size.is_power_of_two()
                    && merkle::prefix_root(last.size, cp.size, &cp.root, consistency)
                        .is_ok_and(|fr| fr != last.root);
                if authentic {
                    return Err(WitnessError::SplitView(Box::new(SplitViewProof {
                        first: last.note.clone(),
                        second: log_only,
                        prefix_proof: consistency.to_vec(),
                    })));
                }
                return Err(WitnessError::BadConsistencyProof(e));
            }
        }
        let line = cosign(&self.name, self.signer, time, verified.note().text())
            .map_err(WitnessError::Signing)?;
        self.state.insert(
            origin,
            WitnessedState {
                size: cp.size,
                root: cp.root,
                note: log_only,
            },
        );
        Ok(line)
    }
}

/// The durable form of a witness's state (canonical CBOR).
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredState {
    origin: String,
    size: u64,
    root: Digest256,
    #[serde(with = "crate::entry::bytes")]
    note: Vec<u8>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredStates {
    version: u64,
    logs: Vec<StoredState>,
}

const STATE_VERSION: u64 = 1;

/// A cosignature that could not be released durably.
#[derive(Debug, thiserror::Error)]
pub enum DurableCosignError {
    /// The witness refused to cosign.
    #[error("witness refused to cosign")]
    Refused(#[source] WitnessError),
    /// The new state could not be saved; no cosignature was released and the
    /// in-memory state was rolled back.
    #[error("witness state could not be saved")]
    State(#[source] LogError),
}

impl Witness<'_> {
    /// Saves every log's state to `path` atomically (canonical CBOR).
    pub fn save_state(&self, path: &Path) -> Result<(), LogError> {
        let stored = StoredStates {
            version: STATE_VERSION,
            logs: self
                .state
                .iter()
                .map(|(origin, s)| StoredState {
                    origin: origin.clone(),
                    size: s.size,
                    root: s.root,
                    note: s.note.clone(),
                })
                .collect(),
        };
        let bytes = entente_core::cbor::to_vec(&stored).map_err(LogError::Cbor)?;
        crate::store::atomic_write(path, &bytes)
    }

    /// Loads the state saved by [`Witness::save_state`]; a missing file is a
    /// fresh witness.
    pub fn load_state(&mut self, path: &Path) -> Result<(), LogError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(LogError::io(StoreOperation::Read)(e)),
        };
        let stored: StoredStates =
            entente_core::cbor::from_slice(&bytes).map_err(LogError::Cbor)?;
        for s in stored.logs {
            self.state.insert(
                s.origin,
                WitnessedState {
                    size: s.size,
                    root: s.root,
                    note: s.note,
                },
            );
        }
        Ok(())
    }

    /// [`Witness::cosign`], then saves the new state to `path` before
    /// releasing the cosignature: a restarted witness can never be made to
    /// cosign a checkpoint inconsistent with one it already cosigned.
    pub fn cosign_durably(
        &mut self,
        note: &[u8],
        consistency: &[Digest256],
        time: UnixTime,
        path: &Path,
    ) -> Result<NoteSignature, DurableCosignError> {
        let before = self.state.clone();
        let line = self
            .cosign(note, consistency, time)
            .map_err(DurableCosignError::Refused)?;
        if let Err(e) = self.save_state(path) {
            self.state = before;
            return Err(DurableCosignError::State(e));
        }
        Ok(line)
    }
}

/// Decides when a checkpoint is trusted: at least `threshold` distinct
/// *authorities* among `witnesses` must have cosigned it. Two keys of one
/// authority count once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessPolicy {
    /// The witnesses whose cosignatures count.
    pub witnesses: Vec<WitnessIdentity>,
    /// Distinct authorities needed.
    pub threshold: usize,
}

impl WitnessPolicy {
    /// The distinct authorities with a valid cosignature on `note`.
    pub fn cosigning_authorities(
        &self,
        provider: &dyn CryptoProvider,
        note: &Note,
    ) -> BTreeSet<AuthorityId> {
        // INVARIANT: this is the one place witness thresholds are counted.
        self.witnesses
            .iter()
            .filter(|w| w.verify(provider, note).is_ok())
            .map(|w| w.authority)
            .collect()
    }

    /// Checks the policy on a verified checkpoint.
    pub fn check(
        &self,
        provider: &dyn CryptoProvider,
        checkpoint: &VerifiedCheckpoint,
    ) -> Result<BTreeSet<AuthorityId>, BundleError> {
        let found = self.cosigning_authorities(provider, checkpoint.note());
        if found.len() < self.threshold {
            return Err(BundleError::TooFewWitnesses {
                found: found.len(),
                needed: self.threshold,
            });
        }
        Ok(found)
    }
}
