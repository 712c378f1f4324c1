#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod attestation;
mod declaration;
mod equivocation;
mod error;
pub mod oracle;
mod quorum;
mod resolver;
mod state;
mod x509;

// The public interface is:
pub use attestation::{
    Attestation, DisputeOutcome, HANDOFF_SLOT, MAX_ASSETS, Statement, StatementKind,
    VerifiedAttestation, cosign_handoff, verify_attestation,
};
pub use declaration::{
    MAX_NAME_LEN, MAX_ROSTER, MAX_ROSTER_CHANGE, OperationDeclaration, QuorumRule, Role, Roster,
    RosterChangeRules, RosterEntry, VerifiedDeclaration,
};
pub use equivocation::{EquivocationProof, VerifiedEquivocation};
pub use error::{AttestError, DeclarationError, EquivocationMismatch, RosterChangeError};
pub use quorum::{
    MAX_CERTIFICATE_ENDORSEMENTS, QuorumCertificate, Tally, VerifiedQuorumCertificate, tally,
};
pub use resolver::{
    CredentialPurpose, CredentialResolver, MemoryResolver, ResolveError, ResolvedSigner,
};
pub use state::{ArtifactStatus, CertifiedDecision, Ingested, OperationState};
pub use x509::{AuthorityRoots, X509Resolver};
