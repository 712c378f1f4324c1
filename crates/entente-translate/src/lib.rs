#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod admissibility;
mod apply;
mod compiled;
mod document;
mod error;
mod map;
pub mod oracle;

// The public interface is:
pub use admissibility::{
    AdmissionContext, AdmittedTranslation, AuthorityTrust, Basis, CoordinatorGrant, Refusal,
    admit_translation,
};
pub use apply::{Outcome, TranslatedDeny, evaluate_by_mapping};
pub use compiled::TranslatedPolicy;
pub use document::{Direction, Lossiness, TermPair, Translation, VocabularyRef};
pub use error::{Side, TranslationError};
pub use map::TermMap;
