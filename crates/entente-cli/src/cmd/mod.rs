//! The command groups.

pub(crate) mod admit;
pub(crate) mod authority;
pub(crate) mod document;
pub(crate) mod graph;
pub(crate) mod log;
pub(crate) mod operation;
pub(crate) mod x509;
