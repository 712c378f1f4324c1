//! Output: human-readable text by default, stable JSON with `--json`.

use serde::Serialize;

use crate::error::{CliError, Result};

/// Prints `value` as pretty JSON when `json` is set, else `human()`'s text.
pub(crate) fn emit<T: Serialize>(
    json: bool,
    value: &T,
    human: impl FnOnce() -> String,
) -> Result<()> {
    if json {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| CliError::plain(crate::error::with_context("cannot encode JSON", &e)))?;
        println!("{text}");
    } else {
        let text = human();
        if !text.is_empty() {
            println!("{}", text.trim_end());
        }
    }
    Ok(())
}

/// A progress bar on stderr, drawn only when stderr is a terminal (so
/// pipes, logs and tests see nothing).
pub(crate) fn progress(length: u64, message: &'static str) -> indicatif::ProgressBar {
    use std::io::IsTerminal as _;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(length),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}
