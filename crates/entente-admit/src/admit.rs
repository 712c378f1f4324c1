//! The verification pipeline: parse → chains → revocation → COSE signatures
//! → profiles, roles and scopes → rollback → translations → admitted set.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use entente_attest::{
    AttestError, AuthorityRoots, CredentialPurpose, CredentialResolver, OperationState,
    ResolveError, ResolvedSigner, VerifiedAttestation, VerifiedDeclaration, X509Resolver,
    verify_attestation,
};
use entente_audit::{EntryKind, LogEntry};
use entente_core::cose::{Envelope, VerifiedEnvelope};
use entente_core::{
    ArtifactId, AuthorityId, CoseError, CryptoError, CryptoProvider, Digest256, OperationId,
    PublicKey, SignatureAlgorithm, SignatureEncoding, UnixTime, Validity, Version,
    default_provider,
};
use entente_policy::{CompiledPolicy, Policy, Request, Scope, Vocabulary};
use entente_translate::{
    AdmissionContext, AdmittedTranslation, AuthorityTrust, Basis, Direction, Refusal, TermMap,
    TranslatedPolicy, Translation, TranslationError, admit_translation,
};
use entente_x509::{
    Budget, Certificate, Crl, CrlCheck, PolicyInputs, Profile, Rule, ValidationError,
    ValidationOptions, validate,
};
use rayon::prelude::*;
use serde::Serialize;

use crate::bundle::{Bundle, Bytes};
use crate::config::{AdmissionPolicy, DisputeHandling, scope_within};
use crate::event::{EventError, EventKind, EventLog, IntegrityEvent};
use crate::report::{
    AdmissionReport, AdmitStats, AdmittedArtifact, ArtifactKind, ItemRef, RejectReason, Rejection,
};
use crate::set::{AdmittedSet, Evaluation, HomePolicy, Partner, PartnerPolicy, PolicyRef};
use crate::store::{AdmissionStore, DocumentKey, StoreError, StoredVersion, VersionCheck};

/// Infrastructure failures of an admission. Problems with artifacts are
/// never errors: they are [`Rejection`]s in the report.
#[derive(Debug, thiserror::Error)]
pub enum AdmitError {
    /// The durable admission store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The audit log failed.
    #[error(transparent)]
    Log(#[from] EventError),
    /// An audit record could not be encoded.
    #[error("audit record: {0}")]
    Record(#[source] entente_core::CborError),
}

/// Whether independent artifacts are verified in parallel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Parallelism {
    /// On rayon's thread pool (default).
    #[default]
    Parallel,
    /// On the calling thread.
    Sequential,
}

impl Parallelism {
    /// `self` for a stage of `len` items, but sequential below `min`, where
    /// handing work to another thread costs more than it saves.
    fn for_size(self, len: usize, min: usize) -> Self {
        if len >= min { self } else { Self::Sequential }
    }

    /// Runs `a` and `b`, at the same time when parallel.
    fn join<RA: Send, RB: Send>(
        self,
        a: impl FnOnce() -> RA + Send,
        b: impl FnOnce() -> RB + Send,
    ) -> (RA, RB) {
        match self {
            Self::Parallel => rayon::join(a, b),
            Self::Sequential => (a(), b()),
        }
    }

    /// Frees what a stage built and no longer needs: on the pool when
    /// there is a lot of it, since freeing thousands of documents is work
    /// a second thread shortens like any other.
    fn discard<T: Send>(self, items: Vec<T>) {
        match self.for_size(items.len(), PARSE_BATCH.saturating_mul(2)) {
            Self::Parallel => {
                items
                    .into_par_iter()
                    .with_min_len(PARSE_BATCH)
                    .for_each(drop);
            }
            Self::Sequential => drop(items),
        }
    }
}

/// The result of an admission.
#[derive(Clone, Debug)]
pub struct Admission {
    /// What was admitted, ready for evaluation.
    pub set: AdmittedSet,
    /// What was admitted and refused, and the work done.
    pub report: AdmissionReport,
}

/// Largest evidence copied into an audit entry; larger evidence is
/// replaced by its SHA-256 (the audit log bounds entries at 1 MiB).
const MAX_EVIDENCE: usize = 256 * 1024;

/// Fewest items a thread parses or compiles: both are cheap next to a
/// thread hand-off.
const PARSE_BATCH: usize = 64;

/// Fewest versions to record for the store's commit to run beside the
/// set's construction: below that, both are short and handing one to
/// another thread (a wake-up, or a round trip when called from outside
/// the pool) costs more than the overlap saves.
const JOIN_MIN: usize = 512;

/// Most operations tried when deciding a translation's admissibility.
const MAX_TRANSLATION_OPERATIONS: usize = 16;

/// The evidence recorded with an admission (`EntryKind::Admitted`): the
/// bundles as received (so that the decision can be replayed at the logged
/// time with the CRLs of that time) and what was admitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdmissionRecord {
    /// The bundles' canonical CBOR, or nothing when they were too large to
    /// log (their digests are then in `bundle_digests` only).
    bundles: Vec<Bytes>,
    /// SHA-256 of each bundle's canonical CBOR.
    pub bundle_digests: Vec<Digest256>,
    /// The artifacts admitted.
    pub admitted: Vec<ArtifactId>,
}

impl Clone for Bytes {
    fn clone(&self) -> Self {
        Bytes(self.0.clone())
    }
}
impl core::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} bytes", self.0.len())
    }
}
impl PartialEq for Bytes {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for Bytes {}

impl AdmissionRecord {
    /// Decodes the record of an `Admitted` log entry.
    pub fn from_entry(entry: &LogEntry) -> Result<Self, entente_core::CborError> {
        entente_core::cbor::from_slice_with_limits(
            &entry.evidence,
            entente_core::cbor::Limits {
                max_size: entente_audit::MAX_ENTRY_BYTES,
                max_depth: 8,
            },
        )
    }

    /// The logged bundles, decoded (empty if they were too large to log).
    pub fn bundles(&self) -> Result<Vec<Bundle>, crate::bundle::BundleError> {
        self.bundles
            .iter()
            .map(|b| Bundle::from_cbor(&b.0))
            .collect()
    }
}

/// A chain validated before: the signer's key, valid while the validation
/// time stays in `window` and the authority's revocation epoch is unchanged.
#[derive(Clone, Debug)]
struct CachedChain {
    key: PublicKey,
    window: Validity,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ChainKey {
    leaf: Digest256,
    profile: &'static str,
    authority: AuthorityId,
    epoch: Digest256,
}

#[derive(Clone, Debug)]
enum VerifiedDoc {
    Vocabulary(VerifiedEnvelope<Vocabulary>),
    Policy(VerifiedEnvelope<Policy>),
}

#[derive(Clone, Debug)]
struct CachedEnvelope {
    /// SHA-256 of the whole envelope: the artifact id does not cover the
    /// signatures, so a forged signature must miss.
    envelope: Digest256,
    authority: AuthorityId,
    doc: VerifiedDoc,
}

#[derive(Clone, Debug)]
struct CachedTranslation {
    envelope: Digest256,
    epoch: Digest256,
    window: Validity,
    admitted: AdmittedTranslation,
    operation: OperationId,
}

/// Counts what the pipeline does; shared across threads.
#[derive(Debug, Default)]
struct Counters {
    chains: AtomicU64,
    chain_hits: AtomicU64,
    envelope_hits: AtomicU64,
    signatures: AtomicU64,
}

impl Counters {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// A provider that counts verifications and delegates.
#[derive(Debug)]
struct Counting<'a> {
    inner: &'a dyn CryptoProvider,
    counters: &'a Counters,
}

impl CryptoProvider for Counting<'_> {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        encoding: SignatureEncoding,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        Counters::bump(&self.counters.signatures);
        self.inner
            .verify(algorithm, encoding, key, message, signature)
    }
}

/// One authority's material for this admission: its pool of certificates
/// (from its own bundles only), its CRLs and its revocation epoch.
#[derive(Debug)]
struct Domain {
    certificates: Vec<Certificate>,
    crls: Vec<Crl>,
    epoch: Digest256,
    /// When this authority's CRL set is usable: from the latest thisUpdate
    /// to the earliest expiry (nextUpdate or thisUpdate + max age).
    crl_window: Option<Validity>,
}

/// Every admitted authority's domain in one admission; shared with the
/// domain cache, which serves an authority's domain again while its
/// certificates and CRLs are byte for byte the same.
type Domains = BTreeMap<AuthorityId, Arc<Domain>>;

/// Most certificates and CRLs a cached domain may hold: a larger domain is
/// parsed again at each admission rather than kept.
const MAX_CACHED_DOMAIN_ITEMS: usize = 4096;

/// One signed item to process.
#[derive(Debug)]
struct Item<'b> {
    at: ItemRef,
    publisher: AuthorityId,
    bytes: &'b [u8],
    /// SHA-256 of `bytes` (the envelope caches serve identical bytes only).
    digest: Digest256,
    envelope: Envelope,
}

/// A partner's sovereign admission engine.
pub struct Admitter {
    policy: AdmissionPolicy,
    store: AdmissionStore,
    log: Option<EventLog>,
    provider: &'static dyn CryptoProvider,
    parallelism: Parallelism,
    budget: Budget,
    chain_cache: HashMap<ChainKey, CachedChain>,
    envelope_cache: HashMap<ArtifactId, CachedEnvelope>,
    translation_cache: HashMap<ArtifactId, CachedTranslation>,
    epochs: BTreeMap<AuthorityId, Digest256>,
    /// Each authority's parsed certificates and CRLs, revocation epoch and
    /// CRL window, from the last admission whose DER parsed without error.
    domain_cache: Domains,
    previous: BTreeMap<ArtifactId, AdmittedArtifact>,
}

impl core::fmt::Debug for Admitter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Admitter")
            .field("home", &self.policy.home())
            .field("parallelism", &self.parallelism)
            .finish_non_exhaustive()
    }
}

impl Admitter {
    /// An admitter for `policy` keeping its rollback state in `store`, with
    /// the default crypto provider, parallel verification and no event log.
    pub fn new(policy: AdmissionPolicy, store: AdmissionStore) -> Self {
        Self {
            policy,
            store,
            log: None,
            provider: default_provider(),
            parallelism: Parallelism::default(),
            budget: Budget::default(),
            chain_cache: HashMap::new(),
            envelope_cache: HashMap::new(),
            translation_cache: HashMap::new(),
            epochs: BTreeMap::new(),
            domain_cache: BTreeMap::new(),
            previous: BTreeMap::new(),
        }
    }

    /// Records admissions, rejections, disengagements and integrity events
    /// in `log`.
    pub fn with_event_log(mut self, log: EventLog) -> Self {
        self.log = Some(log);
        self
    }

    /// Uses `provider` for every signature verification.
    pub fn with_provider(mut self, provider: &'static dyn CryptoProvider) -> Self {
        self.provider = provider;
        self
    }

    /// Chooses parallel or sequential verification (the report is the same).
    pub fn with_parallelism(mut self, parallelism: Parallelism) -> Self {
        self.parallelism = parallelism;
        self
    }

    /// Sets the path-validation work bounds.
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// The admission policy.
    pub fn policy(&self) -> &AdmissionPolicy {
        &self.policy
    }

    /// The durable store.
    pub fn store(&self) -> &AdmissionStore {
        &self.store
    }

    /// The event log, if any.
    pub fn event_log(&self) -> Option<&EventLog> {
        self.log.as_ref()
    }

    /// The event log, mutably (checkpoints).
    pub fn event_log_mut(&mut self) -> Option<&mut EventLog> {
        self.log.as_mut()
    }

    /// Drops every cached chain, envelope, translation and parsed
    /// certificate and CRL.
    pub fn clear_caches(&mut self) {
        self.domain_cache.clear();
        self.chain_cache.clear();
        self.envelope_cache.clear();
        self.translation_cache.clear();
    }

    /// Evaluates `request` against `set` and, when a request from another
    /// authority is denied for lack of clearance or releasability, records a
    /// forced-disclosure integrity event (offender: the subject's authority).
    pub fn evaluate_and_record(
        &mut self,
        set: &AdmittedSet,
        request: &Request,
    ) -> Result<Evaluation, AdmitError> {
        let evaluation = set.evaluate(request);
        let cross = request.subject.authority != self.policy.home()
            || request.resource.owner != self.policy.home();
        let forced = evaluation
            .decision
            .deny_cause()
            .is_some_and(|c| c.is_clearance());
        if cross && forced {
            if let Some(log) = self.log.as_mut() {
                let evidence = entente_core::cbor::to_vec(request).map_err(AdmitError::Record)?;
                let mut artifacts = Vec::new();
                for part in [&evaluation.provenance.home, &evaluation.provenance.partner]
                    .into_iter()
                    .flatten()
                {
                    artifacts.push(part.policy.artifact);
                }
                let event = IntegrityEvent {
                    kind: EventKind::ForcedDisclosure,
                    time: request.time,
                    recorder: log.recorder(),
                    offender: Some(request.subject.authority),
                    operation: Some(request.operation),
                    artifacts,
                    reason: evaluation
                        .decision
                        .deny_cause()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    evidence,
                };
                log.record_event(&event)?;
            }
        }
        Ok(evaluation)
    }

    /// `f` over `items`, in input order, in parallel when so configured.
    fn map<T: Sync, R: Send>(&self, items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
        self.map_batched(items, 1, f)
    }

    /// [`Self::map`] where a thread takes at least `batch` items: a stage
    /// with fewer than two batches runs on the calling thread, since waking
    /// another thread would cost more than it saves. The result does not
    /// depend on the choice.
    fn map_batched<T: Sync, R: Send>(
        &self,
        items: &[T],
        batch: usize,
        f: impl Fn(&T) -> R + Sync + Send,
    ) -> Vec<R> {
        let batch = batch.max(1);
        match self
            .parallelism
            .for_size(items.len(), batch.saturating_mul(2))
        {
            Parallelism::Parallel => items.par_iter().with_min_len(batch).map(f).collect(),
            Parallelism::Sequential => items.iter().map(f).collect(),
        }
    }

    /// The verified envelope cached for `item`: same id, identical bytes,
    /// same publisher.
    fn cached_envelope(&self, item: &Item<'_>) -> Option<&CachedEnvelope> {
        self.envelope_cache
            .get(&item.envelope.artifact_id())
            .filter(|c| c.envelope == item.digest && c.authority == item.publisher)
    }

    /// Admits what `bundles` carry at time `at`.
    ///
    /// Every artifact problem becomes a typed [`Rejection`]; only failures
    /// of the store or the log are errors. Bundles of different publishers
    /// are never merged into one trust store.
    pub fn admit(&mut self, bundles: &[Bundle], at: UnixTime) -> Result<Admission, AdmitError> {
        let counters = Counters::default();
        let mut run = Run {
            rejected: Vec::new(),
            events: Vec::new(),
            items: 0,
        };

        // Stage 1: who publishes, and their certificates and CRLs.
        let domains = self.domains(bundles, &mut run);
        self.invalidate(&domains);

        // Stage 2: parse the signed items (parallel).
        let mut raw: Vec<(ItemRef, AuthorityId, &[u8])> = Vec::new();
        for (b, bundle) in bundles.iter().enumerate() {
            let lists: [(ArtifactKind, &Vec<Vec<u8>>); 5] = [
                (ArtifactKind::Vocabulary, &bundle.vocabularies),
                (ArtifactKind::Policy, &bundle.policies),
                (ArtifactKind::Translation, &bundle.translations),
                (ArtifactKind::Declaration, &bundle.declarations),
                (ArtifactKind::Attestation, &bundle.attestations),
            ];
            for (kind, list) in lists {
                for (index, bytes) in list.iter().enumerate() {
                    raw.push((
                        ItemRef {
                            bundle: b,
                            kind,
                            index,
                        },
                        bundle.publisher,
                        bytes.as_slice(),
                    ));
                }
            }
        }
        run.items += raw.len() as u64;
        // Parsing is cheap next to a thread hand-off: large batches only.
        let parsed = self.map_batched(&raw, PARSE_BATCH, |(at, publisher, bytes)| {
            let parsed = Envelope::from_slice(bytes).map(|e| (Digest256::sha256(bytes), e));
            (*at, *publisher, *bytes, parsed)
        });
        let mut seen = HashSet::with_capacity(raw.len());
        let mut items = Vec::with_capacity(parsed.len());
        for (item_ref, publisher, bytes, envelope) in parsed {
            let reject = |reason, artifact| Rejection {
                artifact,
                item: item_ref,
                publisher,
                reason,
            };
            let Some(authority) = self.policy.authority(&publisher) else {
                let artifact = envelope.as_ref().ok().map(|(_, e)| e.artifact_id());
                run.reject(
                    reject(RejectReason::UnadmittedAuthority(publisher), artifact),
                    bytes,
                );
                continue;
            };
            let (digest, envelope) = match envelope {
                Ok(e) => e,
                Err(error) => {
                    run.reject(reject(RejectReason::Envelope(error), None), bytes);
                    continue;
                }
            };
            let id = envelope.artifact_id();
            if let Some(provision) = item_ref.kind.provision() {
                if !authority.provides(provision) {
                    run.reject(
                        reject(RejectReason::NotProvided(provision), Some(id)),
                        bytes,
                    );
                    continue;
                }
            }
            if !seen.insert(id) {
                run.reject(reject(RejectReason::Duplicate, Some(id)), bytes);
                continue;
            }
            items.push(Item {
                at: item_ref,
                publisher,
                bytes,
                digest,
                envelope,
            });
        }

        let pick = |kind: ArtifactKind| -> Vec<&Item<'_>> {
            items.iter().filter(|i| i.at.kind == kind).collect()
        };

        // Stage 3: chains, revocation, signatures, profiles for vocabularies
        // and policies. Each distinct signer credential is validated once
        // (in parallel), then every envelope is checked against the shared
        // results (in parallel).
        let documents: Vec<&Item<'_>> = items
            .iter()
            .filter(|i| matches!(i.at.kind, ArtifactKind::Vocabulary | ArtifactKind::Policy))
            .collect();
        let signers = self.document_signers(&documents, &domains, at, &counters);
        // Handing work to another thread costs more than a cache hit: in
        // parallel only when two or more envelopes need verifying.
        let misses = documents
            .iter()
            .filter(|item| self.cached_envelope(item).is_none())
            .count();
        let batch = if misses >= 2 { 1 } else { documents.len() };
        let verified = self.map_batched(&documents, batch, |item| {
            self.verify_document(item, &signers, &counters)
        });
        let mut new_envelopes = Vec::with_capacity(misses);
        let mut vocabularies: Vec<(&Item<'_>, VerifiedEnvelope<Vocabulary>)> = Vec::new();
        let mut policies: Vec<(&Item<'_>, VerifiedEnvelope<Policy>)> =
            Vec::with_capacity(documents.len());
        for (item, outcome) in documents.iter().zip(verified) {
            match outcome {
                Ok((doc, cached)) => {
                    if let Some(c) = cached {
                        new_envelopes.push((item.envelope.artifact_id(), c));
                    }
                    match doc {
                        VerifiedDoc::Vocabulary(v) => vocabularies.push((item, v)),
                        VerifiedDoc::Policy(p) => policies.push((item, p)),
                    }
                }
                Err(reason) => run.reject(item_rejection(item, reason), item.bytes),
            }
        }
        self.chain_cache.extend(signers.fresh);
        self.envelope_cache.extend(new_envelopes);

        // Stage 4: operations — declarations, then attestations in order.
        // Each distinct (publisher, credential, purpose) is resolved once
        // (in parallel) before the statements are checked (in parallel).
        let declarations = pick(ArtifactKind::Declaration);
        let attestations = pick(ArtifactKind::Attestation);
        let statement_signers =
            self.statement_signers(&declarations, &attestations, &domains, at, &counters);
        let declared = self.map(&declarations, |item| {
            self.verify_declaration(item, &domains, &statement_signers, at, &counters)
        });
        let mut declared_ok = Vec::new();
        for (item, result) in declarations.iter().zip(declared) {
            match result {
                Ok(d) => declared_ok.push((*item, d)),
                Err(reason) => run.reject(item_rejection(item, reason), item.bytes),
            }
        }
        let declared_ok = self.rollback_filter(declared_ok, &mut run, |d| {
            (
                ArtifactKind::Declaration,
                d.declaration().operation.to_string(),
                Version(d.declaration().epoch),
            )
        })?;
        let mut operations: BTreeMap<OperationId, OperationState> = BTreeMap::new();
        let mut admitted: Vec<AdmittedArtifact> = Vec::with_capacity(items.len());
        let mut to_record: Vec<(DocumentKey, StoredVersion)> = Vec::with_capacity(items.len());
        for (item, declaration) in &declared_ok {
            let op = declaration.declaration().operation;
            let epoch = Version(declaration.declaration().epoch);
            admitted.push(admitted_artifact(item, op.to_string(), epoch));
            to_record.push(record_key(item, op.to_string(), epoch));
            operations.insert(op, OperationState::new(declaration.clone()));
        }
        let attested = self.map(&attestations, |item| {
            self.verify_statement(item, &domains, &statement_signers, at, &counters)
        });
        for (item, result) in attestations.iter().zip(attested) {
            let verified = match result {
                Ok(v) => v,
                Err(reason) => {
                    run.reject(item_rejection(item, reason), item.bytes);
                    continue;
                }
            };
            let op = verified.attestation().operation;
            let Some(state) = operations.get_mut(&op) else {
                run.reject(
                    item_rejection(item, RejectReason::UnknownOperation),
                    item.bytes,
                );
                continue;
            };
            match state.ingest(&verified) {
                Ok(_) => admitted.push(admitted_artifact(
                    item,
                    op.to_string(),
                    Version(verified.attestation().epoch),
                )),
                Err(AttestError::Equivocation(proof)) => {
                    let evidence = proof.proof().to_bytes().unwrap_or_default();
                    let error = Arc::new(AttestError::Equivocation(proof));
                    let rejection = item_rejection(item, RejectReason::Equivocation(error));
                    run.reject_with_evidence(rejection, evidence, Some(op));
                }
                Err(error) => run.reject(
                    item_rejection(item, RejectReason::Attest(Arc::new(error))),
                    item.bytes,
                ),
            }
        }
        let disputed = |id: &ArtifactId| {
            self.policy.disputes() == DisputeHandling::Suspend
                && operations.values().any(|s| {
                    matches!(
                        s.artifact_status(id),
                        entente_attest::ArtifactStatus::Suspended
                            | entente_attest::ArtifactStatus::Refused
                    )
                })
        };

        // Stage 5: rollback on vocabularies, then policies against them.
        let vocabularies: Vec<_> = vocabularies
            .into_iter()
            .filter(|(item, _)| {
                let d = disputed(&item.envelope.artifact_id());
                if d {
                    run.reject(item_rejection(item, RejectReason::Disputed), item.bytes);
                }
                !d
            })
            .collect();
        let vocabularies = self.rollback_filter(vocabularies, &mut run, |v| {
            (
                ArtifactKind::Vocabulary,
                v.document().id.clone(),
                v.document().version,
            )
        })?;
        let vocab_by_id: BTreeMap<ArtifactId, &VerifiedEnvelope<Vocabulary>> = vocabularies
            .iter()
            .map(|(_, v)| (v.artifact_id(), v))
            .collect();
        // Compiled in parallel; the outcomes are taken in input order.
        let home = self.policy.home();
        let compiled = self.map_batched(&policies, PARSE_BATCH, |(item, policy)| {
            if disputed(&policy.artifact_id()) {
                return Err(RejectReason::Disputed);
            }
            let vocabulary_id = policy.document().vocabulary;
            let vocabulary = vocab_by_id
                .get(&vocabulary_id)
                .filter(|v| v.document().authority == item.publisher)
                .ok_or(RejectReason::MissingVocabulary(vocabulary_id))?;
            // Every policy is compiled, which proves it well formed against
            // its vocabulary. Only the home authority's are evaluated in
            // their compiled form (a partner's goes through its
            // translation), so the others are dropped here, on the thread
            // that built them.
            CompiledPolicy::from_verified(policy, vocabulary)
                .map(|compiled| (policy.document().authority == home).then_some(compiled))
                .map_err(|error| RejectReason::Compile(Arc::new(error)))
        });
        let mut compiled_policies = Vec::with_capacity(policies.len());
        for ((item, policy), outcome) in policies.into_iter().zip(compiled) {
            match outcome {
                Ok(compiled) => compiled_policies.push((item, (policy, compiled))),
                Err(reason) => run.reject(item_rejection(item, reason), item.bytes),
            }
        }
        let compiled_policies = self.rollback_filter(compiled_policies, &mut run, |(p, _)| {
            (
                ArtifactKind::Policy,
                p.document().id.clone(),
                p.document().version,
            )
        })?;

        // Stage 6: translations (parallel), against admitted vocabularies.
        let translations = pick(ArtifactKind::Translation);
        let translated = self.map(&translations, |item| {
            self.admit_one_translation(item, &domains, &vocab_by_id, at, &counters)
        });
        let mut admitted_translations = Vec::new();
        for (item, outcome) in translations.iter().zip(translated) {
            match outcome {
                Ok((admitted_translation, cache)) => {
                    if disputed(&admitted_translation.artifact_id()) {
                        run.reject(item_rejection(item, RejectReason::Disputed), item.bytes);
                        continue;
                    }
                    if let Some(c) = cache {
                        self.translation_cache
                            .insert(admitted_translation.artifact_id(), c);
                    }
                    admitted_translations.push((*item, admitted_translation));
                }
                Err(reason) => run.reject(item_rejection(item, reason), item.bytes),
            }
        }
        let admitted_translations = self.rollback_filter(admitted_translations, &mut run, |t| {
            (
                ArtifactKind::Translation,
                t.translation().id.clone(),
                t.translation().version,
            )
        })?;

        // Stage 7: the admitted set.
        for (item, v) in &vocabularies {
            let d = v.document();
            admitted.push(admitted_artifact(item, d.id.clone(), d.version));
            to_record.push(record_key(item, d.id.clone(), d.version));
        }
        for (item, (p, _)) in &compiled_policies {
            let d = p.document();
            admitted.push(admitted_artifact(item, d.id.clone(), d.version));
            to_record.push(record_key(item, d.id.clone(), d.version));
        }
        for (item, t) in &admitted_translations {
            let d = t.translation();
            admitted.push(admitted_artifact(item, d.id.clone(), d.version));
            to_record.push(record_key(item, d.id.clone(), d.version));
        }

        // Stage 8: durable state, written while the set and the sorted list
        // of what was admitted are built from the same outcomes; then the
        // audit record.
        let (policy, parallelism, store) = (&self.policy, self.parallelism, &mut self.store);
        let (recorded, (set, admitted, previous)) =
            parallelism.for_size(to_record.len(), JOIN_MIN).join(
                || store.record(&to_record),
                || {
                    let mut set = build_set(
                        policy,
                        parallelism,
                        at,
                        &vocabularies,
                        compiled_policies,
                        &admitted_translations,
                        operations,
                    );
                    admitted.sort();
                    set.artifacts.clone_from(&admitted);
                    let previous: BTreeMap<ArtifactId, AdmittedArtifact> =
                        admitted.iter().map(|a| (a.id, a.clone())).collect();
                    (set, admitted, previous)
                },
            );
        recorded?;
        run.rejected.sort_by_key(|r| r.item);
        let stats = AdmitStats {
            chain_validations: counters.chains.load(Ordering::Relaxed),
            signature_verifications: counters.signatures.load(Ordering::Relaxed),
            chain_cache_hits: counters.chain_hits.load(Ordering::Relaxed),
            envelope_cache_hits: counters.envelope_hits.load(Ordering::Relaxed),
            items: run.items,
        };
        let report = AdmissionReport {
            admitted,
            rejected: run.rejected,
            stats,
        };
        self.record(bundles, &report, run.events, &domains, at)?;
        self.previous = previous;
        Ok(Admission { set, report })
    }

    /// Stage 1: decodes each admitted publisher's certificates and CRLs
    /// into its own domain, or serves the domain of an earlier admission
    /// when they are byte for byte the same (parsing is a pure function of
    /// the bytes, and the epoch and CRL window of the CRLs).
    fn domains(&mut self, bundles: &[Bundle], run: &mut Run) -> Domains {
        /// An authority's DER in this admission.
        #[derive(Default)]
        struct Material<'b> {
            certificates: Vec<DerRef<'b>>,
            crls: Vec<DerRef<'b>>,
        }
        let mut material: BTreeMap<AuthorityId, Material<'_>> = self
            .policy
            .authorities()
            .map(|a| (a.id(), Material::default()))
            .collect();
        for (b, bundle) in bundles.iter().enumerate() {
            let Some(m) = material.get_mut(&bundle.publisher) else {
                for (kind, list) in [
                    (ArtifactKind::Certificate, &bundle.certificates),
                    (ArtifactKind::Crl, &bundle.crls),
                ] {
                    for (index, bytes) in list.iter().enumerate() {
                        run.items += 1;
                        run.reject(
                            Rejection {
                                artifact: Some(ArtifactId::from_digest(Digest256::sha256(bytes))),
                                item: ItemRef {
                                    bundle: b,
                                    kind,
                                    index,
                                },
                                publisher: bundle.publisher,
                                reason: RejectReason::UnadmittedAuthority(bundle.publisher),
                            },
                            bytes,
                        );
                    }
                }
                continue;
            };
            run.items += (bundle.certificates.len() + bundle.crls.len()) as u64;
            m.certificates.extend(der_refs(b, &bundle.certificates));
            m.crls.extend(der_refs(b, &bundle.crls));
        }
        let mut domains = Domains::new();
        for (authority, m) in material {
            let cached = self.domain_cache.get(&authority).filter(|d| {
                same_der(&d.certificates, Certificate::der, &m.certificates)
                    && same_der(&d.crls, Crl::der, &m.crls)
            });
            if let Some(domain) = cached {
                domains.insert(authority, Arc::clone(domain));
                continue;
            }
            let rejected = run.rejected.len();
            let domain = Arc::new(self.parse_domain(&authority, &m.certificates, &m.crls, run));
            // Only a domain whose DER all parsed is cached: a hit then
            // stands for exactly the same (empty) rejections.
            if run.rejected.len() == rejected
                && m.certificates.len() + m.crls.len() <= MAX_CACHED_DOMAIN_ITEMS
            {
                self.domain_cache.insert(authority, Arc::clone(&domain));
            } else {
                self.domain_cache.remove(&authority);
            }
            domains.insert(authority, domain);
        }
        domains
    }

    /// Parses one authority's certificates and CRLs, rejecting what does
    /// not decode, and derives its revocation epoch and CRL window.
    fn parse_domain(
        &self,
        authority: &AuthorityId,
        certificates: &[DerRef<'_>],
        crls: &[DerRef<'_>],
        run: &mut Run,
    ) -> Domain {
        let mut domain = Domain {
            certificates: decode_all(
                certificates,
                ArtifactKind::Certificate,
                *authority,
                Certificate::from_der,
                run,
            ),
            crls: decode_all(crls, ArtifactKind::Crl, *authority, Crl::from_der, run),
            epoch: Digest256::from_bytes([0; 32]),
            crl_window: None,
        };
        let max_age = self.max_crl_age();
        let mut digests: Vec<Digest256> = domain.crls.iter().map(Crl::digest).collect();
        digests.sort();
        digests.dedup();
        let mut parts: Vec<&[u8]> = vec![b"entente/admit/revocation-epoch/v1\0"];
        parts.extend(digests.iter().map(|d| d.as_bytes().as_slice()));
        domain.epoch = Digest256::sha256_parts(&parts);
        domain.crl_window = domain.crls.iter().fold(None, |window, crl| {
            let until = crl
                .next_update()
                .map_or(crl.this_update().saturating_add(max_age), |n| {
                    n.min(crl.this_update().saturating_add(max_age))
                });
            let this = Validity {
                not_before: crl.this_update(),
                not_after: until,
            };
            Some(match window {
                None => this,
                Some(w) => intersect(w, this),
            })
        });
        domain
    }

    fn max_crl_age(&self) -> u64 {
        self.policy
            .max_crl_age_secs()
            .saturating_add(self.policy.clock_skew_secs())
    }

    /// Drops cache entries that a change of an authority's revocation data
    /// touches.
    fn invalidate(&mut self, domains: &Domains) {
        let changed: BTreeSet<AuthorityId> = domains
            .iter()
            .filter(|(id, d)| self.epochs.get(id).is_some_and(|e| *e != d.epoch))
            .map(|(id, _)| *id)
            .collect();
        if !changed.is_empty() {
            self.chain_cache
                .retain(|k, _| !changed.contains(&k.authority));
            self.envelope_cache
                .retain(|_, v| !changed.contains(&v.authority));
            // A translation involves several domains; any change drops them.
            self.translation_cache.clear();
        }
        self.epochs = domains.iter().map(|(id, d)| (*id, d.epoch)).collect();
    }

    /// Validates each distinct policy-signer credential that signs one of
    /// `documents` once, in parallel, through the chain cache: N documents
    /// signed by one credential cost one validation, not N.
    fn document_signers(
        &self,
        documents: &[&Item<'_>],
        domains: &Domains,
        at: UnixTime,
        counters: &Counters,
    ) -> DocumentSigners {
        let mut wanted: Vec<(Digest256, AuthorityId)> = documents
            .iter()
            .flat_map(|item| {
                item.envelope
                    .signatures()
                    .iter()
                    .map(|info| (info.kid, item.publisher))
            })
            .collect();
        // Sorted, so the validations (and their counts) do not depend on
        // the thread count.
        wanted.sort_unstable();
        wanted.dedup();
        let profile = Profile::policy_signer(self.policy.eku_oids());
        let outcomes = self.map(&wanted, |(kid, authority)| {
            let mut fresh = None;
            let outcome = self.chain(
                kid,
                *authority,
                &profile,
                "policy-signer",
                domains,
                at,
                counters,
                &mut fresh,
            );
            (outcome, fresh)
        });
        let mut signers = DocumentSigners {
            by_kid: HashMap::with_capacity(wanted.len()),
            fresh: Vec::new(),
        };
        for (wanted, (outcome, fresh)) in wanted.into_iter().zip(outcomes) {
            signers.by_kid.insert(wanted, outcome);
            signers.fresh.extend(fresh);
        }
        signers
    }

    /// Validates the certificate `kid` in `authority`'s domain under
    /// `profile`, through the cache; a fresh validation is left in `fresh`
    /// for the cache.
    #[allow(clippy::too_many_arguments)]
    fn chain(
        &self,
        kid: &Digest256,
        authority: AuthorityId,
        profile: &Profile,
        profile_name: &'static str,
        domains: &Domains,
        at: UnixTime,
        counters: &Counters,
        fresh: &mut Option<(ChainKey, CachedChain)>,
    ) -> Result<SignerKey, RejectReason> {
        let domain = domains
            .get(&authority)
            .ok_or(RejectReason::UnadmittedAuthority(authority))?;
        let anchors = self
            .policy
            .authority(&authority)
            .map(|a| a.anchors())
            .ok_or(RejectReason::UnadmittedAuthority(authority))?;
        let key = ChainKey {
            leaf: *kid,
            profile: profile_name,
            authority,
            epoch: domain.epoch,
        };
        if let Some(hit) = self.chain_cache.get(&key).filter(|c| c.window.contains(at)) {
            return Ok(SignerKey {
                key: hit.key.clone(),
                cached: true,
            });
        }
        let leaf = domain
            .certificates
            .iter()
            .find(|c| c.digest() == *kid)
            .ok_or(RejectReason::UnknownSigner(*kid))?;
        let counting = Counting {
            inner: self.provider,
            counters,
        };
        let inputs = PolicyInputs::default();
        let run = |time: UnixTime| {
            Counters::bump(&counters.chains);
            validate(
                leaf,
                &domain.certificates,
                anchors,
                profile,
                &ValidationOptions {
                    time,
                    policy: &inputs,
                    revocation: Some(CrlCheck {
                        crls: &domain.crls,
                        max_age: Some(self.max_crl_age()),
                    }),
                    budget: self.budget,
                    provider: &counting,
                },
            )
        };
        let result = match run(at) {
            // Clock skew: a certificate that becomes valid within the skew
            // is accepted as of its notBefore.
            Err(ValidationError::Path {
                rule: Rule::NotYetValid { not_before },
                ..
            }) if not_before <= at.saturating_add(self.policy.clock_skew_secs()) => run(not_before),
            other => other,
        };
        match result {
            Ok(chain) => {
                let mut window = Validity {
                    not_before: UnixTime::from_secs(0),
                    not_after: UnixTime::from_secs(u64::MAX),
                };
                for cert in chain
                    .path()
                    .iter()
                    .chain(core::iter::once(chain.anchor_certificate()))
                {
                    window = intersect(window, cert.validity());
                }
                if let Some(crl_window) = domain.crl_window {
                    window = intersect(window, crl_window);
                }
                let key_out = chain.leaf_key().clone();
                *fresh = Some((
                    key,
                    CachedChain {
                        key: key_out.clone(),
                        window,
                    },
                ));
                Ok(SignerKey {
                    key: key_out,
                    cached: false,
                })
            }
            Err(error) => Err(chain_rejection(*kid, authority, profile_name, error)),
        }
    }

    /// Checks one vocabulary or policy against its signers' validated
    /// chains (`signers`, from [`Self::document_signers`]): the first
    /// signature whose chain failed decides the rejection.
    fn verify_document(
        &self,
        item: &Item<'_>,
        signers: &DocumentSigners,
        counters: &Counters,
    ) -> Result<(VerifiedDoc, Option<CachedEnvelope>), RejectReason> {
        let mut keys = Vec::with_capacity(item.envelope.signatures().len());
        for info in item.envelope.signatures() {
            let signer = signers
                .by_kid
                .get(&(info.kid, item.publisher))
                .cloned()
                .unwrap_or(Err(RejectReason::UnknownSigner(info.kid)))?;
            if signer.cached {
                Counters::bump(&counters.chain_hits);
            }
            keys.push(signer.key);
        }
        let (doc, fresh) = if let Some(hit) = self.cached_envelope(item) {
            Counters::bump(&counters.envelope_hits);
            (hit.doc.clone(), None)
        } else {
            let counting = Counting {
                inner: self.provider,
                counters,
            };
            let refs: Vec<&PublicKey> = keys.iter().collect();
            let doc = match item.at.kind {
                ArtifactKind::Vocabulary => VerifiedDoc::Vocabulary(
                    item.envelope
                        .verify::<Vocabulary>(&counting, &refs)
                        .map_err(envelope_rejection)?,
                ),
                _ => VerifiedDoc::Policy(
                    item.envelope
                        .verify::<Policy>(&counting, &refs)
                        .map_err(envelope_rejection)?,
                ),
            };
            let fresh = CachedEnvelope {
                envelope: item.digest,
                authority: item.publisher,
                doc: doc.clone(),
            };
            (doc, Some(fresh))
        };
        let (authority, validation) = match &doc {
            VerifiedDoc::Vocabulary(v) => (v.document().authority, v.document().validate()),
            VerifiedDoc::Policy(p) => (p.document().authority, p.document().validate()),
        };
        if authority != item.publisher {
            return Err(RejectReason::ForeignArtifact {
                publisher: item.publisher,
                claimed: authority,
            });
        }
        validation.map_err(|e| RejectReason::Invalid(Arc::new(e)))?;
        if let VerifiedDoc::Policy(p) = &doc {
            let scope = self
                .policy
                .authority(&item.publisher)
                .map(|a| a.scope().clone())
                .unwrap_or(Scope::Any);
            if !scope_within(&p.document().scope, &scope) {
                return Err(RejectReason::MixAndMatch);
            }
        }
        Ok((doc, fresh))
    }

    /// Resolves, once each, the distinct credentials that sign
    /// `declarations` (as operation declarers) and `attestations` (as
    /// attesters), in parallel; failures are left to be resolved again by
    /// the statement that needs them, so that it reports its own error.
    fn statement_signers(
        &self,
        declarations: &[&Item<'_>],
        attestations: &[&Item<'_>],
        domains: &Domains,
        at: UnixTime,
        counters: &Counters,
    ) -> StatementSigners {
        let purposes = [
            (declarations, CredentialPurpose::OperationDeclarer),
            (attestations, CredentialPurpose::Attester),
        ];
        let mut wanted: Vec<(AuthorityId, Digest256, CredentialPurpose)> = purposes
            .iter()
            .flat_map(|(items, purpose)| {
                items.iter().flat_map(move |item| {
                    item.envelope
                        .signatures()
                        .iter()
                        .map(move |info| (item.publisher, info.kid, *purpose))
                })
            })
            .collect();
        // Sorted, so the validations do not depend on the thread count.
        wanted.sort_unstable();
        wanted.dedup();
        let none = StatementSigners::new();
        let resolved = self.map(&wanted, |(publisher, kid, purpose)| {
            self.with_resolver(publisher, domains, &none, at, counters, |resolver, _| {
                resolver.resolve(kid, *purpose, at).ok()
            })
            .ok()
            .flatten()
        });
        wanted.into_iter().zip(resolved).collect()
    }

    /// Runs `f` with `publisher`'s credential resolver (its certificates,
    /// roots and CRLs only, answering from `signers` where it can) and the
    /// counting provider.
    #[allow(clippy::too_many_arguments)]
    fn with_resolver<R>(
        &self,
        publisher: &AuthorityId,
        domains: &Domains,
        signers: &StatementSigners,
        at: UnixTime,
        counters: &Counters,
        f: impl FnOnce(&dyn CredentialResolver, &dyn CryptoProvider) -> R,
    ) -> Result<R, RejectReason> {
        let roots = self
            .roots(publisher, domains)
            .ok_or(RejectReason::UnadmittedAuthority(*publisher))?;
        let roots = [roots];
        let oids = self.policy.eku_oids();
        let (attester, declarer) = (Profile::attester(oids), Profile::operation_declarer(oids));
        let counting = Counting {
            inner: self.provider,
            counters,
        };
        let resolver = SharedResolver {
            inner: X509Resolver {
                certificates: domains
                    .get(publisher)
                    .map(|d| d.certificates.as_slice())
                    .unwrap_or_default(),
                authorities: &roots,
                attester: &attester,
                declarer: &declarer,
                provider: &counting,
                max_crl_age: Some(self.max_crl_age()),
                budget: self.budget,
            },
            publisher: *publisher,
            signers,
            at,
            counters,
        };
        Ok(f(&resolver, &counting))
    }

    fn roots<'a>(
        &'a self,
        publisher: &AuthorityId,
        domains: &'a Domains,
    ) -> Option<AuthorityRoots<'a>> {
        Some(AuthorityRoots {
            anchors: self.policy.authority(publisher)?.anchors(),
            crls: &domains.get(publisher)?.crls,
        })
    }

    fn verify_declaration(
        &self,
        item: &Item<'_>,
        domains: &Domains,
        signers: &StatementSigners,
        at: UnixTime,
        counters: &Counters,
    ) -> Result<VerifiedDeclaration, RejectReason> {
        let declaration = self
            .with_resolver(
                &item.publisher,
                domains,
                signers,
                at,
                counters,
                |resolver, provider| {
                    VerifiedDeclaration::verify(item.bytes, resolver, provider, at)
                },
            )?
            .map_err(attest_rejection)?;
        let operation = declaration.declaration().operation;
        if !self.operation_in_scope(&item.publisher, &operation) {
            return Err(RejectReason::MixAndMatch);
        }
        Ok(declaration)
    }

    fn operation_in_scope(&self, authority: &AuthorityId, operation: &OperationId) -> bool {
        self.policy
            .authority(authority)
            .is_some_and(|a| match a.scope() {
                Scope::Any => true,
                Scope::Operations(ops) => ops.contains(operation),
                Scope::Alliances(_) => false,
            })
    }

    fn verify_statement(
        &self,
        item: &Item<'_>,
        domains: &Domains,
        signers: &StatementSigners,
        at: UnixTime,
        counters: &Counters,
    ) -> Result<VerifiedAttestation, RejectReason> {
        let verified = self
            .with_resolver(
                &item.publisher,
                domains,
                signers,
                at,
                counters,
                |resolver, provider| verify_attestation(item.bytes, resolver, provider, at),
            )?
            .map_err(attest_rejection)?;
        if verified.attestation().author != item.publisher {
            return Err(RejectReason::ForeignArtifact {
                publisher: item.publisher,
                claimed: verified.attestation().author,
            });
        }
        if !self.operation_in_scope(&item.publisher, &verified.attestation().operation) {
            return Err(RejectReason::MixAndMatch);
        }
        Ok(verified)
    }

    fn admit_one_translation(
        &self,
        item: &Item<'_>,
        domains: &Domains,
        vocabularies: &BTreeMap<ArtifactId, &VerifiedEnvelope<Vocabulary>>,
        at: UnixTime,
        counters: &Counters,
    ) -> Result<(AdmittedTranslation, Option<CachedTranslation>), RejectReason> {
        // Locate the vocabularies from the unverified payload; nothing is
        // decided on it before admit_translation verifies the signatures.
        let peek: Translation = entente_core::cbor::from_slice(item.envelope.unverified_payload())
            .map_err(|e| RejectReason::Document(CoseError::Payload(e)))?;
        let (a, b) = (peek.source.authority, peek.target.authority);
        for authority in [a, b] {
            if self.policy.authority(&authority).is_none() {
                return Err(RejectReason::UnadmittedAuthority(authority));
            }
        }
        let party = item.publisher == a
            || item.publisher == b
            || self
                .policy
                .coordinators()
                .iter()
                .any(|g| g.coordinator == item.publisher && g.source == a && g.target == b);
        if !party {
            return Err(RejectReason::NotTranslationParty);
        }
        let source = *vocabularies
            .get(&peek.source.vocabulary)
            .ok_or(RejectReason::MissingVocabulary(peek.source.vocabulary))?;
        let target = *vocabularies
            .get(&peek.target.vocabulary)
            .ok_or(RejectReason::MissingVocabulary(peek.target.vocabulary))?;
        let digest = item.digest;
        let mut epoch_parts: Vec<&[u8]> = Vec::new();
        for domain in domains.values() {
            epoch_parts.push(domain.epoch.as_bytes());
        }
        let epoch = Digest256::sha256_parts(&epoch_parts);
        let id = item.envelope.artifact_id();
        if let Some(hit) = self
            .translation_cache
            .get(&id)
            .filter(|c| c.envelope == digest && c.epoch == epoch && c.window.contains(at))
        {
            Counters::bump(&counters.envelope_hits);
            let _ = hit.operation;
            return Ok((hit.admitted.clone(), None));
        }
        let counting = Counting {
            inner: self.provider,
            counters,
        };
        let profile = Profile::translator(self.policy.eku_oids());
        let trust = |id: &AuthorityId| -> Option<AuthorityTrust<'_>> {
            Counters::bump(&counters.chains);
            Some(AuthorityTrust {
                anchors: self.policy.authority(id)?.anchors(),
                crls: &domains.get(id)?.crls,
            })
        };
        let pool: &[Certificate] = domains
            .get(&item.publisher)
            .map(|d| d.certificates.as_slice())
            .unwrap_or_default();
        let context = |operation| AdmissionContext {
            time: at,
            operation,
            provider: &counting,
            profile: &profile,
            max_crl_age: Some(self.max_crl_age()),
            budget: self.budget,
            trust: &trust,
            coordinators: self.policy.coordinators(),
        };
        // The operations to try: the translation's own, or (scope any) an
        // operation-free probe and then those of grants for the pair.
        let any = OperationId::from_digest(Digest256::sha256(b"entente/admit/any-operation/v1"));
        let mut candidates: Vec<OperationId> = match &peek.scope {
            Scope::Operations(ops) => ops.clone(),
            _ => {
                let mut ops = vec![any];
                for g in self.policy.coordinators() {
                    if g.source == a && g.target == b {
                        if let Scope::Operations(list) = &g.operations {
                            ops.extend(list.iter().copied());
                        }
                    }
                }
                ops
            }
        };
        candidates.truncate(MAX_TRANSLATION_OPERATIONS);
        let mut last = None;
        for operation in candidates {
            match admit_translation(
                &item.envelope,
                pool,
                &context(operation),
                (source.document(), source.artifact_id()),
                (target.document(), target.artifact_id()),
            ) {
                Ok(admitted) => {
                    let mut window = admitted.translation().validity;
                    for cert in pool {
                        window = intersect(window, cert.validity());
                    }
                    for domain in domains.values() {
                        if let Some(w) = domain.crl_window {
                            window = intersect(window, w);
                        }
                    }
                    let cache = CachedTranslation {
                        envelope: digest,
                        epoch,
                        window,
                        admitted: admitted.clone(),
                        operation,
                    };
                    return Ok((admitted, Some(cache)));
                }
                Err(refusal @ (Refusal::SingleDomain { .. } | Refusal::OutOfScope)) => {
                    last = Some(refusal);
                }
                Err(refusal) => return Err(refusal_rejection(refusal)),
            }
        }
        Err(last.map_or(
            RejectReason::Translation(Arc::new(Refusal::OutOfScope)),
            refusal_rejection,
        ))
    }

    /// Keeps, per document, the highest version offered if it is not a
    /// rollback against the durable store; rejects the rest.
    fn rollback_filter<'b, T>(
        &self,
        candidates: Vec<(&'b Item<'b>, T)>,
        run: &mut Run,
        key: impl Fn(&T) -> (ArtifactKind, String, Version),
    ) -> Result<Vec<(&'b Item<'b>, T)>, AdmitError> {
        let keyed: Vec<(DocumentKey, Version)> = candidates
            .iter()
            .map(|(item, value)| {
                let (kind, id, version) = key(value);
                let doc = DocumentKey {
                    authority: item.publisher,
                    kind,
                    id,
                };
                (doc, version)
            })
            .collect();
        // The best offer per document: a lookup table only, never iterated,
        // so its order cannot leak into the outcome.
        let mut best: HashMap<&DocumentKey, (Version, ArtifactId, usize)> =
            HashMap::with_capacity(keyed.len());
        for (i, ((item, _), (doc, version))) in candidates.iter().zip(&keyed).enumerate() {
            let artifact = item.envelope.artifact_id();
            match best.entry(doc) {
                Entry::Occupied(mut held) => {
                    let (v, a, _) = *held.get();
                    if v < *version || (v == *version && a == artifact) {
                        held.insert((*version, artifact, i));
                    }
                }
                Entry::Vacant(free) => {
                    free.insert((*version, artifact, i));
                }
            }
        }
        // The store is asked once, for the best offer of each document.
        let winners: Vec<bool> = keyed
            .iter()
            .enumerate()
            .map(|(i, (doc, _))| best.get(doc).is_some_and(|(_, _, b)| *b == i))
            .collect();
        let offers: Vec<(&DocumentKey, Version, ArtifactId)> = candidates
            .iter()
            .zip(&keyed)
            .zip(&winners)
            .filter(|(_, winner)| **winner)
            .map(|(((item, _), (doc, version)), _)| (doc, *version, item.envelope.artifact_id()))
            .collect();
        let mut checks = self.store.check_all(&offers)?.into_iter();
        // Decided first, then filtered in place: a candidate can be large,
        // and moving thousands into a new vector (fresh pages included)
        // cost more than the decisions.
        let mut keep = Vec::with_capacity(candidates.len());
        for (((item, _), (doc, version)), winner) in candidates.iter().zip(&keyed).zip(winners) {
            let Some((best_version, best_artifact, _)) = best.get(doc).copied() else {
                keep.push(false);
                continue;
            };
            if !winner {
                let reason = if best_version > *version {
                    RejectReason::Superseded(best_version)
                } else {
                    RejectReason::Substitution {
                        version: *version,
                        admitted: best_artifact,
                    }
                };
                run.reject(item_rejection(item, reason), item.bytes);
                keep.push(false);
                continue;
            }
            let Some(check) = checks.next() else {
                keep.push(false);
                continue;
            };
            let reason = match check {
                VersionCheck::Fresh | VersionCheck::Same => None,
                VersionCheck::Older(stored) => Some(RejectReason::Rollback {
                    admitted: stored.version,
                    offered: *version,
                }),
                VersionCheck::Substituted(stored) => Some(RejectReason::Substitution {
                    version: *version,
                    admitted: stored.artifact,
                }),
            };
            keep.push(reason.is_none());
            if let Some(reason) = reason {
                run.reject(item_rejection(item, reason), item.bytes);
            }
        }
        let mut keep = keep.into_iter();
        let mut kept = candidates;
        kept.retain(|_| keep.next().unwrap_or(false));
        Ok(kept)
    }

    /// Writes the audit records of an admission, in one durable batch.
    fn record(
        &mut self,
        bundles: &[Bundle],
        report: &AdmissionReport,
        events: Vec<PendingEvent>,
        domains: &Domains,
        at: UnixTime,
    ) -> Result<(), AdmitError> {
        let Some(log) = self.log.as_mut() else {
            return Ok(());
        };
        let recorder = log.recorder();
        let mut entries = Vec::new();
        // The admission, with the bundles as received so that it can be
        // replayed at its time with the CRLs of that time.
        let encoded: Vec<Vec<u8>> = bundles
            .iter()
            .map(Bundle::to_cbor)
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        let total: usize = encoded.iter().map(Vec::len).sum();
        let record = AdmissionRecord {
            bundle_digests: encoded.iter().map(|b| Digest256::sha256(b)).collect(),
            bundles: if total <= entente_audit::MAX_ENTRY_BYTES / 2 {
                encoded.into_iter().map(Bytes).collect()
            } else {
                Vec::new()
            },
            admitted: report.admitted.iter().map(|a| a.id).collect(),
        };
        let authorities: BTreeSet<AuthorityId> =
            report.admitted.iter().map(|a| a.authority).collect();
        entries.push(LogEntry {
            kind: EntryKind::Admitted,
            time: at,
            recorder,
            operation: None,
            artifacts: record.admitted.clone(),
            authorities: authorities.into_iter().collect(),
            reason: "admitted".to_owned(),
            evidence: entente_core::cbor::to_vec(&record).map_err(AdmitError::Record)?,
        });
        // Disengagements: translations admitted before, now refused
        // because a certificate they need was revoked.
        let mut disengaged = BTreeSet::new();
        for rejection in &report.rejected {
            let Some(id) = rejection.artifact else {
                continue;
            };
            let Some(before) = self.previous.get(&id) else {
                continue;
            };
            if before.kind != ArtifactKind::Translation {
                continue;
            }
            let revoker = match &rejection.reason {
                RejectReason::Translation(r) => match r.as_ref() {
                    Refusal::Revoked { authority, .. } => Some(*authority),
                    _ => None,
                },
                RejectReason::Revoked { .. } => Some(rejection.publisher),
                _ => None,
            };
            if let Some(authority) = revoker {
                disengaged.insert(id);
                let evidence = domains
                    .get(&authority)
                    .map(|d| {
                        entente_core::cbor::to_vec(
                            &d.crls
                                .iter()
                                .map(|c| Bytes(c.der().to_vec()))
                                .collect::<Vec<_>>(),
                        )
                    })
                    .transpose()
                    .map_err(AdmitError::Record)?
                    .unwrap_or_default();
                entries.push(LogEntry {
                    kind: EntryKind::Disengagement,
                    time: at,
                    recorder,
                    operation: None,
                    artifacts: vec![id],
                    authorities: vec![authority],
                    reason: "translator_revoked".to_owned(),
                    evidence: bounded(evidence),
                });
            }
        }
        for rejection in &report.rejected {
            entries.push(LogEntry {
                kind: EntryKind::Rejected,
                time: at,
                recorder,
                operation: None,
                artifacts: rejection.artifact.into_iter().collect(),
                authorities: vec![rejection.publisher],
                reason: rejection.reason.code().to_owned(),
                evidence: Vec::new(),
            });
        }
        for pending in events {
            if pending
                .rejection_artifact
                .is_some_and(|id| disengaged.contains(&id))
            {
                continue; // a disengagement, not an attack
            }
            let event = IntegrityEvent {
                kind: pending.kind,
                time: at,
                recorder,
                offender: Some(pending.offender),
                operation: pending.operation,
                artifacts: pending.rejection_artifact.into_iter().collect(),
                reason: pending.reason,
                evidence: bounded(pending.evidence),
            };
            let signed = log.sign(&event)?;
            entries.push(EventLog::event_entry(&event, signed));
        }
        log.append(&entries)?;
        Ok(())
    }
}

/// The admitted set built from a run's outcomes.
#[allow(clippy::type_complexity)]
fn build_set(
    policy: &AdmissionPolicy,
    parallelism: Parallelism,
    at: UnixTime,
    vocabularies: &[(&Item<'_>, VerifiedEnvelope<Vocabulary>)],
    policies: Vec<(
        &Item<'_>,
        (VerifiedEnvelope<Policy>, Option<CompiledPolicy>),
    )>,
    translations: &[(&Item<'_>, AdmittedTranslation)],
    operations: BTreeMap<OperationId, OperationState>,
) -> AdmittedSet {
    let home = policy.home();
    let vocab: BTreeMap<ArtifactId, &Vocabulary> = vocabularies
        .iter()
        .map(|(_, v)| (v.artifact_id(), v.document()))
        .collect();
    let mut home_policies = Vec::new();
    let mut home_vocabularies = BTreeSet::new();
    let mut sorted: Vec<(VerifiedEnvelope<Policy>, Option<CompiledPolicy>)> =
        policies.into_iter().map(|(_, p)| p).collect();
    sorted.sort_by(|a, b| {
        let (a, b) = (a.0.document(), b.0.document());
        (a.authority, &a.id, a.version).cmp(&(b.authority, &b.id, b.version))
    });
    // The home authority's policies are the ones that kept their
    // compiled form.
    for (p, compiled) in &mut sorted {
        if let Some(compiled) = compiled.take() {
            home_vocabularies.insert(p.document().vocabulary);
            home_policies.push(HomePolicy {
                reference: policy_ref(p),
                compiled,
            });
        }
    }
    if home_vocabularies.is_empty() {
        home_vocabularies.extend(
            vocabularies
                .iter()
                .filter(|(_, v)| v.document().authority == home)
                .map(|(_, v)| v.artifact_id()),
        );
    }
    // Edges of the vocabulary graph: (from, to, map, translation, coordinated).
    let mut edges: Vec<Edge> = Vec::new();
    let mut sorted_translations: Vec<&AdmittedTranslation> =
        translations.iter().map(|(_, t)| t).collect();
    sorted_translations.sort_by_key(|t| t.artifact_id());
    for t in sorted_translations {
        let doc = t.translation();
        let coordinated: Vec<(AuthorityId, AuthorityId, AuthorityId)> = t
            .bases()
            .iter()
            .filter_map(|b| match b {
                Basis::Coordinator(c) => Some((*c, doc.source.authority, doc.target.authority)),
                Basis::DualDomain => None,
            })
            .collect();
        edges.push(Edge {
            from: doc.source.vocabulary,
            to: doc.target.vocabulary,
            map: t.map().clone(),
            translation: t.artifact_id(),
            validity: doc.validity,
            scope: doc.scope.clone(),
            coordinated: coordinated.clone(),
        });
        if doc.direction == Direction::Both {
            let inverse = doc.inverse().and_then(|inv| {
                let (Some(s), Some(g)) = (
                    vocab.get(&inv.source.vocabulary),
                    vocab.get(&inv.target.vocabulary),
                ) else {
                    return Err(TranslationError::Empty);
                };
                inv.resolve(s, inv.source.vocabulary, g, inv.target.vocabulary)
            });
            if let Ok(map) = inverse {
                edges.push(Edge {
                    from: doc.target.vocabulary,
                    to: doc.source.vocabulary,
                    map,
                    translation: t.artifact_id(),
                    validity: doc.validity,
                    scope: doc.scope.clone(),
                    coordinated: coordinated.iter().map(|(c, s, g)| (*c, *g, *s)).collect(),
                });
            }
        }
    }
    let mut partners: BTreeMap<AuthorityId, Partner> = policy
        .authorities()
        .filter(|a| a.id() != home)
        .map(|a| {
            (
                a.id(),
                Partner {
                    scope: a.scope().clone(),
                    policies: Vec::new(),
                    untranslated: Vec::new(),
                },
            )
        })
        .collect();
    for (p, _) in &sorted {
        let doc = p.document();
        let Some(partner) = partners.get_mut(&doc.authority) else {
            continue;
        };
        let reference = policy_ref(p);
        let translated = shortest_path(
            &edges,
            doc.vocabulary,
            &home_vocabularies,
            policy.max_translation_hops(),
        )
        .and_then(|path| {
            let maps: Vec<TermMap> = path.iter().map(|e| e.map.clone()).collect();
            let map = TermMap::compose_all(&maps, policy.max_translation_hops()).ok()?;
            let source = vocab.get(&doc.vocabulary)?;
            let target = vocab.get(&map.target())?;
            let mut validity = Validity {
                not_before: UnixTime::from_secs(0),
                not_after: UnixTime::from_secs(u64::MAX),
            };
            let mut scope = Scope::Any;
            let mut coordinated = Vec::new();
            for e in &path {
                validity = intersect(validity, e.validity);
                scope = intersect_scope(&scope, &e.scope);
                coordinated.extend(e.coordinated.iter().copied());
            }
            let rendered =
                TranslatedPolicy::new(doc, source, &map, target, validity, scope).ok()?;
            Some(PartnerPolicy {
                reference: reference.clone(),
                translated: rendered,
                translations: path.iter().map(|e| e.translation).collect(),
                coordinated,
            })
        });
        match translated {
            Some(policy) => partner.policies.push(policy),
            None => partner.untranslated.push(reference),
        }
    }
    parallelism.discard(sorted);
    AdmittedSet {
        home,
        time: at,
        // Filled from the report, once it is sorted.
        artifacts: Vec::new(),
        home_policies,
        partners,
        grants: policy.coordinators().to_vec(),
        operations,
    }
}

/// Keeps evidence under the audit entry bound; beyond it, its SHA-256.
fn bounded(evidence: Vec<u8>) -> Vec<u8> {
    if evidence.len() <= MAX_EVIDENCE {
        evidence
    } else {
        Digest256::sha256(&evidence).as_bytes().to_vec()
    }
}

struct Edge {
    from: ArtifactId,
    to: ArtifactId,
    map: TermMap,
    translation: ArtifactId,
    validity: Validity,
    scope: Scope,
    coordinated: Vec<(AuthorityId, AuthorityId, AuthorityId)>,
}

/// Breadth-first search for the shortest chain of edges from `from` to a
/// vocabulary in `to`, at most `max_hops` long; edges are tried in their
/// (sorted) order, so the result is deterministic.
fn shortest_path<'e>(
    edges: &'e [Edge],
    from: ArtifactId,
    to: &BTreeSet<ArtifactId>,
    max_hops: usize,
) -> Option<Vec<&'e Edge>> {
    let mut frontier: Vec<(ArtifactId, Vec<&Edge>)> = vec![(from, Vec::new())];
    let mut visited = BTreeSet::from([from]);
    for _ in 0..max_hops {
        let mut next = Vec::new();
        for (node, path) in &frontier {
            for edge in edges.iter().filter(|e| e.from == *node) {
                if !visited.insert(edge.to) {
                    continue;
                }
                let mut extended = path.clone();
                extended.push(edge);
                if to.contains(&edge.to) {
                    return Some(extended);
                }
                next.push((edge.to, extended));
            }
        }
        frontier = next;
    }
    None
}

fn intersect(a: Validity, b: Validity) -> Validity {
    Validity {
        not_before: a.not_before.max(b.not_before),
        not_after: a.not_after.min(b.not_after),
    }
}

fn intersect_scope(a: &Scope, b: &Scope) -> Scope {
    match (a, b) {
        (Scope::Any, other) | (other, Scope::Any) => other.clone(),
        (Scope::Operations(x), Scope::Operations(y)) => {
            Scope::Operations(x.iter().filter(|o| y.contains(o)).copied().collect())
        }
        (Scope::Alliances(x), Scope::Alliances(y)) => {
            Scope::Alliances(x.iter().filter(|t| y.contains(t)).cloned().collect())
        }
        // Operations and alliance tags cannot be intersected exactly: none.
        _ => Scope::Operations(Vec::new()),
    }
}

fn policy_ref(policy: &VerifiedEnvelope<Policy>) -> PolicyRef {
    let doc = policy.document();
    PolicyRef {
        authority: doc.authority,
        policy_id: doc.id.clone(),
        version: doc.version,
        artifact: policy.artifact_id(),
    }
}

/// Declaration and attestation signers resolved once per admission:
/// (publisher, credential, purpose) → the signer, or `None` when the
/// resolution failed (the statement then resolves again for its error).
type StatementSigners =
    HashMap<(AuthorityId, Digest256, CredentialPurpose), Option<ResolvedSigner>>;

/// A publisher's [`X509Resolver`] that answers from the signers resolved
/// earlier in this admission (same publisher, credential, purpose and
/// time) and otherwise validates, counting each validation.
struct SharedResolver<'a> {
    inner: X509Resolver<'a>,
    publisher: AuthorityId,
    signers: &'a StatementSigners,
    at: UnixTime,
    counters: &'a Counters,
}

impl CredentialResolver for SharedResolver<'_> {
    fn resolve(
        &self,
        kid: &Digest256,
        purpose: CredentialPurpose,
        at: UnixTime,
    ) -> Result<ResolvedSigner, ResolveError> {
        if at == self.at {
            if let Some(Some(signer)) = self.signers.get(&(self.publisher, *kid, purpose)) {
                return Ok(signer.clone());
            }
        }
        Counters::bump(&self.counters.chains);
        self.inner.resolve(kid, purpose, at)
    }
}

/// A signer's key from a validated chain, and whether the chain came from
/// the cache of an earlier admission.
#[derive(Clone, Debug)]
struct SignerKey {
    key: PublicKey,
    cached: bool,
}

/// The policy-signer chains of one admission, validated once per distinct
/// (credential, authority).
struct DocumentSigners {
    by_kid: HashMap<(Digest256, AuthorityId), Result<SignerKey, RejectReason>>,
    /// Chains validated in this admission, for the cache.
    fresh: Vec<(ChainKey, CachedChain)>,
}

struct PendingEvent {
    kind: EventKind,
    offender: AuthorityId,
    operation: Option<OperationId>,
    rejection_artifact: Option<ArtifactId>,
    reason: String,
    evidence: Vec<u8>,
}

/// What one admission accumulates.
struct Run {
    rejected: Vec<Rejection>,
    events: Vec<PendingEvent>,
    items: u64,
}

impl Run {
    fn reject(&mut self, rejection: Rejection, bytes: &[u8]) {
        self.reject_with_evidence(rejection, bytes.to_vec(), None);
    }

    fn reject_with_evidence(
        &mut self,
        rejection: Rejection,
        evidence: Vec<u8>,
        operation: Option<OperationId>,
    ) {
        if let Some(kind) = rejection.reason.integrity_event() {
            let offender = match &rejection.reason {
                RejectReason::UnadmittedAuthority(a) => *a,
                _ => rejection.publisher,
            };
            self.events.push(PendingEvent {
                kind,
                offender,
                operation,
                rejection_artifact: rejection.artifact,
                reason: rejection.reason.to_string(),
                evidence,
            });
        }
        self.rejected.push(rejection);
    }
}

fn item_rejection(item: &Item<'_>, reason: RejectReason) -> Rejection {
    Rejection {
        artifact: Some(item.envelope.artifact_id()),
        item: item.at,
        publisher: item.publisher,
        reason,
    }
}

/// One DER item of a bundle: (bundle, index in its list, bytes).
type DerRef<'b> = (usize, usize, &'b [u8]);

/// The items of one DER list of bundle `bundle`.
fn der_refs(bundle: usize, list: &[Vec<u8>]) -> impl Iterator<Item = DerRef<'_>> {
    list.iter()
        .enumerate()
        .map(move |(index, der)| (bundle, index, der.as_slice()))
}

/// Decodes `items` of `kind` published by `publisher`; what does not decode
/// is rejected in `run`.
fn decode_all<T>(
    items: &[DerRef<'_>],
    kind: ArtifactKind,
    publisher: AuthorityId,
    decode: impl Fn(&[u8]) -> Result<T, entente_x509::DecodeError>,
    run: &mut Run,
) -> Vec<T> {
    let mut decoded = Vec::with_capacity(items.len());
    for &(bundle, index, der) in items {
        match decode(der) {
            Ok(item) => decoded.push(item),
            Err(e) => run
                .rejected
                .push(der_rejection(bundle, kind, index, publisher, der, e)),
        }
    }
    decoded
}

/// Whether `parsed` came from exactly `items`' DER, in the same order.
fn same_der<T>(parsed: &[T], der: impl Fn(&T) -> &[u8], items: &[DerRef<'_>]) -> bool {
    parsed.len() == items.len()
        && parsed
            .iter()
            .zip(items)
            .all(|(p, (_, _, bytes))| der(p) == *bytes)
}

fn der_rejection(
    bundle: usize,
    kind: ArtifactKind,
    index: usize,
    publisher: AuthorityId,
    der: &[u8],
    error: entente_x509::DecodeError,
) -> Rejection {
    Rejection {
        artifact: Some(ArtifactId::from_digest(Digest256::sha256(der))),
        item: ItemRef {
            bundle,
            kind,
            index,
        },
        publisher,
        reason: RejectReason::Der(error),
    }
}

fn admitted_artifact(item: &Item<'_>, doc_id: String, version: Version) -> AdmittedArtifact {
    AdmittedArtifact {
        id: item.envelope.artifact_id(),
        kind: item.at.kind,
        authority: item.publisher,
        doc_id,
        version,
    }
}

fn record_key(item: &Item<'_>, id: String, version: Version) -> (DocumentKey, StoredVersion) {
    (
        DocumentKey {
            authority: item.publisher,
            kind: item.at.kind,
            id,
        },
        StoredVersion {
            version,
            artifact: item.envelope.artifact_id(),
        },
    )
}

/// Classifies a path validation failure.
fn chain_rejection(
    kid: Digest256,
    claimed: AuthorityId,
    profile: &'static str,
    error: ValidationError,
) -> RejectReason {
    let source = Arc::new(error);
    match source.as_ref() {
        ValidationError::Path { rule, .. } => match rule {
            Rule::Revoked { .. } => RejectReason::Revoked { kid, source },
            Rule::StaleRevocation { .. } | Rule::RevocationUnavailable => {
                RejectReason::StaleRevocation { kid, source }
            }
            Rule::Profile { .. } => RejectReason::RoleViolation {
                kid,
                profile,
                source,
            },
            Rule::Signature(_) | Rule::NameChaining => RejectReason::Impersonation {
                kid,
                claimed,
                source,
            },
            _ => RejectReason::Chain { kid, source },
        },
        ValidationError::NoIssuer { .. } | ValidationError::NoAnchors => {
            RejectReason::Impersonation {
                kid,
                claimed,
                source,
            }
        }
        ValidationError::Budget(_) => RejectReason::Chain { kid, source },
    }
}

fn envelope_rejection(error: CoseError) -> RejectReason {
    match error {
        CoseError::Signature { .. } => RejectReason::ForgedSignature(error),
        CoseError::Payload(_) | CoseError::ContentType { .. } => RejectReason::Document(error),
        other => RejectReason::Envelope(other),
    }
}

fn attest_rejection(error: AttestError) -> RejectReason {
    use entente_attest::ResolveError;
    match error {
        AttestError::Envelope(e) => envelope_rejection(e),
        AttestError::Resolve { source, .. } => match source {
            ResolveError::Unknown(kid) => RejectReason::UnknownSigner(kid),
            ResolveError::Revoked(kid) => RejectReason::Revoked {
                kid,
                source: Arc::new(ValidationError::Path {
                    position: entente_x509::Position { index: 0, len: 0 },
                    rule: Rule::RevocationUnavailable,
                }),
            },
            other => RejectReason::Attest(Arc::new(AttestError::Resolve {
                index: 0,
                source: other,
            })),
        },
        AttestError::WrongOperation { .. } => RejectReason::MixAndMatch,
        other => RejectReason::Attest(Arc::new(other)),
    }
}

fn refusal_rejection(refusal: Refusal) -> RejectReason {
    match refusal {
        Refusal::Translation(
            error @ (TranslationError::NonMonotone { .. }
            | TranslationError::UndeclaredLoss(_)
            | TranslationError::NotInvertible(_)
            | TranslationError::DuplicateSource { .. }),
        ) => RejectReason::TranslationWidening(Arc::new(error)),
        Refusal::Translation(TranslationError::Envelope(error)) => envelope_rejection(error),
        Refusal::UnknownSigner(kid) => RejectReason::UnknownSigner(kid),
        Refusal::UnadmittedAuthority(a) => RejectReason::UnadmittedAuthority(a),
        Refusal::NotCertified { kid, source } => match source.as_ref() {
            ValidationError::Path {
                rule: Rule::StaleRevocation { .. } | Rule::RevocationUnavailable,
                ..
            } => RejectReason::StaleRevocation {
                kid,
                source: Arc::from(source),
            },
            ValidationError::Path {
                rule: Rule::Profile { .. },
                ..
            } => RejectReason::RoleViolation {
                kid,
                profile: "translator",
                source: Arc::from(source),
            },
            _ => RejectReason::Translation(Arc::new(Refusal::NotCertified { kid, source })),
        },
        other => RejectReason::Translation(Arc::new(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_intersection_is_conservative() {
        let a = OperationId::from_digest(Digest256::sha256(b"a"));
        let b = OperationId::from_digest(Digest256::sha256(b"b"));
        assert_eq!(
            intersect_scope(&Scope::Any, &Scope::Operations(vec![a])),
            Scope::Operations(vec![a])
        );
        assert_eq!(
            intersect_scope(&Scope::Operations(vec![a, b]), &Scope::Operations(vec![b])),
            Scope::Operations(vec![b])
        );
        assert_eq!(
            intersect_scope(
                &Scope::Operations(vec![a]),
                &Scope::Alliances(vec!["NATO".into()])
            ),
            Scope::Operations(vec![])
        );
    }
}
