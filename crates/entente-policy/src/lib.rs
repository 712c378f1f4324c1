#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod compile;
mod error;
mod format;
mod limits;
pub mod oracle;
mod policy;
mod request;
mod vocabulary;

// The public interface is:
pub use compile::{CompiledPolicy, CompiledRequest, Verdict};
pub use error::{
    CompileError, DocumentKind, FormatError, ListField, RequestError, TermKind, ValidationError,
};
pub use limits::Limits;
pub use policy::{ClearanceCondition, Effect, LabelCondition, Match, Policy, Role, Rule, Scope};
pub use request::{Clearance, Decision, DenyReason, Label, Request, Subject, evaluate_naive};
pub use vocabulary::{Action, Category, CategoryKind, Level, Vocabulary};
