#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod admit;
mod bundle;
mod config;
mod event;
mod report;
mod set;
mod store;

// The public interface is:
pub use admit::{Admission, AdmissionRecord, AdmitError, Admitter, Parallelism};
pub use bundle::{Bundle, BundleError, BundleLimits};
pub use config::{
    AdmissionPolicy, AdmittedAuthority, AuthorityConfig, AuthorityKind, ConfigError,
    CoordinatorConfig, DisputeHandling, MAX_CLOCK_SKEW, MAX_HOPS_LIMIT, MAX_POLICY_BYTES,
    PolicyDocument, Provision, RootSource,
};
pub use event::{
    EventError, EventKind, EventLog, IntegrityEvent, LoggedEvent, RecorderProfile,
    verify_logged_event,
};
pub use report::{
    AdmissionReport, AdmitStats, AdmittedArtifact, ArtifactKind, ItemRef, RejectReason, Rejection,
};
pub use set::{AdmittedSet, Decided, Decision, DenyCause, Evaluation, PolicyRef, Provenance};
pub use store::{AdmissionStore, DocumentKey, StoreError, StoredVersion, VersionCheck};
