//! The command's one error type: what failed (usually a file) and why, in
//! one line, with the exit code it maps to.

use std::error::Error as StdError;
use std::fmt;
use std::path::Path;

/// Exit code for a failed operation (bad input, refused credential, …).
pub(crate) const EXIT_FAILURE: u8 = 1;
/// Exit code for a usage error (clap uses the same).
pub(crate) const EXIT_USAGE: u8 = 2;

/// A failure reported to the operator as `error: <subject>: <reason>`.
#[derive(Debug)]
pub(crate) struct CliError {
    /// What the error is about: a file path, an authority directory, a name.
    subject: Option<String>,
    /// The reason, with its causes joined by `: `.
    reason: String,
    /// The process exit code.
    code: u8,
}

/// The command's result type.
pub(crate) type Result<T, E = CliError> = std::result::Result<T, E>;

impl CliError {
    /// A failure about `subject` (a file path or a name).
    pub(crate) fn new(subject: impl fmt::Display, reason: impl Into<String>) -> Self {
        Self {
            subject: Some(subject.to_string()),
            reason: one_line(&reason.into()),
            code: EXIT_FAILURE,
        }
    }

    /// A failure about a file.
    pub(crate) fn file(path: &Path, reason: impl Into<String>) -> Self {
        Self::new(path.display(), reason)
    }

    /// A failure about a file, the reason being `context` followed by the
    /// error's chain of causes.
    pub(crate) fn file_err(path: &Path, context: &str, error: &dyn StdError) -> Self {
        Self::file(path, with_context(context, error))
    }

    /// A failure about nothing in particular.
    pub(crate) fn plain(reason: impl Into<String>) -> Self {
        Self {
            subject: None,
            reason: one_line(&reason.into()),
            code: EXIT_FAILURE,
        }
    }

    /// A usage error (exit code 2).
    pub(crate) fn usage(reason: impl Into<String>) -> Self {
        Self {
            subject: None,
            reason: one_line(&reason.into()),
            code: EXIT_USAGE,
        }
    }

    /// The process exit code.
    pub(crate) fn code(&self) -> u8 {
        self.code
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.subject {
            Some(subject) => write!(f, "{subject}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl From<crate::demo::DemoError> for CliError {
    fn from(error: crate::demo::DemoError) -> Self {
        Self::plain(chain(&error))
    }
}

/// An error and its causes in one line: `outer: cause: root cause`, leaving
/// out a cause whose text the line already carries (many error types print
/// their source in their own message).
pub(crate) fn chain(error: &dyn StdError) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !text.is_empty() && !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    one_line(&line)
}

/// `context: <chain of error>`.
pub(crate) fn with_context(context: &str, error: &dyn StdError) -> String {
    if context.is_empty() {
        chain(error)
    } else {
        format!("{context}: {}", chain(error))
    }
}

/// Collapses line breaks so that an error is always one line.
fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer: {0}")]
    struct Outer(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("inner")]
    struct Inner;

    #[test]
    fn chain_does_not_repeat_causes() {
        assert_eq!(chain(&Outer(Inner)), "outer: inner");
    }

    #[test]
    fn errors_are_one_line() {
        let e = CliError::new("a.pem", "first\nsecond");
        assert_eq!(e.to_string(), "a.pem: first second");
        assert_eq!(one_line("first\nsecond"), "first second");
    }
}
