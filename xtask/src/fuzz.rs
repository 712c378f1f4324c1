//! `cargo xtask fuzz`: runs the cargo-fuzz targets of `fuzz/` (its own workspace, built
//! with nightly) and reduces libFuzzer's output to one line per target.

use std::fs::{self, File};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::{Result, display, probe, run_checked};

/// Lines of the log shown when a run fails without a crash report.
const TAIL_LINES: usize = 40;
/// Lines of a crash report shown, from its first line.
const CRASH_LINES: usize = 12;

/// The fuzz target names: the `[[bin]]` names of `fuzz/Cargo.toml`.
pub(crate) fn targets(root: &Path) -> Result<Vec<String>> {
    let manifest = root.join("fuzz").join("Cargo.toml");
    let text = fs::read_to_string(&manifest).map_err(|e| {
        format!(
            "cannot read {}: {e} (the fuzz targets live there)",
            manifest.display()
        )
    })?;
    Ok(bin_names(&text))
}

/// The `name`s of the `[[bin]]` tables of a Cargo manifest. A line-based reading that
/// covers what `cargo fuzz add` writes, not all of TOML.
fn bin_names(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            let header: String = line
                .chars()
                .take_while(|c| *c != '#')
                .filter(|c| !c.is_whitespace())
                .collect();
            in_bin = header == "[[bin]]";
            continue;
        }
        if !in_bin {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() != "name" {
            continue;
        }
        let value = value.trim_start();
        let quote = match value.chars().next() {
            Some(q @ ('"' | '\'')) => q,
            _ => continue,
        };
        if let Some((name, _)) = value.get(1..).and_then(|rest| rest.split_once(quote)) {
            names.push(name.to_owned());
        }
    }
    names
}

/// Whether a nightly toolchain answers; on failure, why not.
pub(crate) fn nightly_available() -> Result<(), String> {
    probe(Command::new("cargo").args(["+nightly", "--version"]))
}

/// Installs cargo-fuzz unless `cargo +nightly fuzz` already works.
fn ensure_cargo_fuzz() -> Result<()> {
    nightly_available()?;
    if probe(Command::new("cargo").args(["+nightly", "fuzz", "--version"])).is_err() {
        println!("fuzz: cargo-fuzz is missing; installing it");
        run_checked(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}

/// `cargo xtask fuzz TARGET --time N`.
pub(crate) fn run_one(root: &Path, target: &str, secs: u64) -> Result<()> {
    let all = targets(root)?;
    if !all.iter().any(|t| t == target) {
        return Err(format!(
            "no fuzz target `{target}`; `cargo xtask fuzz list` shows: {}",
            all.join(", ")
        )
        .into());
    }
    ensure_cargo_fuzz()?;
    println!("{}", fuzz_target(root, target, secs)?);
    Ok(())
}

/// `cargo xtask fuzz all --time N`: every target in turn; fails if any of them did.
pub(crate) fn run_all(root: &Path, secs: u64) -> Result<()> {
    let all = targets(root)?;
    if all.is_empty() {
        return Err("fuzz/Cargo.toml declares no [[bin]] fuzz targets".into());
    }
    ensure_cargo_fuzz()?;
    let mut failed = Vec::new();
    for target in &all {
        match fuzz_target(root, target, secs) {
            Ok(summary) => println!("{summary}"),
            Err(e) => {
                eprintln!("{e}");
                failed.push(target.as_str());
            }
        }
    }
    if failed.is_empty() {
        println!("fuzz: {} targets, no crash", all.len());
        Ok(())
    } else {
        Err(format!(
            "fuzz: {} of {} targets failed: {}",
            failed.len(),
            all.len(),
            failed.join(", ")
        )
        .into())
    }
}

/// Fuzzes one target for `secs` seconds and returns its summary line.
fn fuzz_target(root: &Path, target: &str, secs: u64) -> Result<String> {
    let scratch = root.join("target").join("fuzz-corpus").join(target);
    let seeds = root.join("fuzz").join("corpus").join(target);
    let logs = root.join("target").join("fuzz-logs");
    fs::create_dir_all(&scratch)?;
    fs::create_dir_all(&logs)?;
    let log_path = logs.join(format!("{target}.log"));
    let log = File::create(&log_path)?;

    let mut cmd = Command::new("cargo");
    cmd.current_dir(root.join("fuzz"))
        .args(["+nightly", "fuzz", "run", target])
        .arg(&scratch);
    // New inputs go to the first corpus directory, so the committed seeds stay as they are.
    if seeds.is_dir() {
        cmd.arg(&seeds);
    }
    cmd.arg("--")
        .arg(format!("-max_total_time={secs}"))
        .arg("-print_final_stats=1")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    println!("fuzz {target}: {secs}s, log in {}", log_path.display());
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start `{}`: {e}", display(&cmd)))?;
    let output = String::from_utf8_lossy(&fs::read(&log_path)?).into_owned();

    if let Some(artifact) = crash_artifact(&output) {
        eprintln!("{}", crash_excerpt(&output));
        return Err(format!(
            "fuzz {target}: crash, input written to {artifact} (full log in {})",
            log_path.display()
        )
        .into());
    }
    if !status.success() {
        eprintln!("{}", tail(&output));
        return Err(format!(
            "fuzz {target}: `{}` failed ({status}), no crash artifact",
            display(&cmd)
        )
        .into());
    }
    let stats = Stats::parse(&output).ok_or_else(|| {
        format!(
            "fuzz {target}: no libFuzzer final stats in {}",
            log_path.display()
        )
    })?;
    Ok(stats.summary(target, secs))
}

/// What libFuzzer's `-print_final_stats=1` and its closing `Done` line report.
#[derive(Debug, PartialEq)]
struct Stats {
    execs: u64,
    execs_per_sec: Option<u64>,
    secs: Option<u64>,
}

impl Stats {
    fn parse(output: &str) -> Option<Self> {
        let stat = |key: &str| {
            output.lines().find_map(|l| {
                let value = l
                    .trim()
                    .strip_prefix("stat::")?
                    .strip_prefix(key)?
                    .strip_prefix(':')?;
                value.trim().parse::<u64>().ok()
            })
        };
        // `Done 123456 runs in 20 second(s)`
        let secs = output.lines().find_map(|l| {
            let rest = l.trim().strip_prefix("Done ")?;
            let (_, rest) = rest.split_once(" runs in ")?;
            rest.strip_suffix(" second(s)")?.trim().parse::<u64>().ok()
        });
        Some(Self {
            execs: stat("number_of_executed_units")?,
            execs_per_sec: stat("average_exec_per_sec"),
            secs,
        })
    }

    fn summary(&self, target: &str, requested_secs: u64) -> String {
        let secs = self.secs.unwrap_or(requested_secs);
        let rate = self
            .execs_per_sec
            .unwrap_or_else(|| self.execs.checked_div(secs).unwrap_or(self.execs));
        format!(
            "fuzz {target}: {} execs in {secs}s ({rate} execs/s), no crash",
            self.execs
        )
    }
}

/// The path libFuzzer wrote a crashing (or timing out, or out-of-memory) input to.
fn crash_artifact(output: &str) -> Option<&str> {
    output.lines().find_map(|l| {
        l.split_once("Test unit written to ")
            .map(|(_, path)| path.trim())
    })
}

/// The start of the crash report (a panic message or a sanitizer's `ERROR:`), or else
/// the end of the log.
fn crash_excerpt(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("panicked at") || l.contains("ERROR: "));
    match start.and_then(|s| lines.get(s..)) {
        Some(rest) => rest
            .iter()
            .take(CRASH_LINES)
            .copied()
            .collect::<Vec<_>>()
            .join("\n"),
        None => tail(output),
    }
}

/// The last lines of the log.
fn tail(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    lines
        .get(lines.len().saturating_sub(TAIL_LINES)..)
        .unwrap_or_default()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bin_names() {
        let manifest = r#"
[package]
name = "entente-fuzz"

[dependencies]
libfuzzer-sys = "0.4"

[[bin]]
name = "core_cbor_roundtrip"
path = "fuzz_targets/core_cbor_roundtrip.rs"
test = false

[[ bin ]] # second
path = "fuzz_targets/x509_path_build.rs"
name='x509_path_build'  # trailing comment

[profile.release]
name = "not a bin"
"#;
        assert_eq!(
            bin_names(manifest),
            ["core_cbor_roundtrip", "x509_path_build"]
        );
        assert!(bin_names("").is_empty());
    }

    #[test]
    fn missing_manifest_is_a_clear_error() {
        let err = targets(Path::new("/nonexistent-entente-root"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("fuzz/Cargo.toml"), "{err}");
    }

    #[test]
    fn parses_final_stats() {
        let output = "\
#2097152\tpulse  cov: 12 ft: 13 corp: 4/9b lim: 4096 exec/s: 104857 rss: 40Mb
Done 2311111 runs in 21 second(s)
stat::number_of_executed_units: 2311111
stat::average_exec_per_sec:     110052
stat::new_units_added:          3
stat::slowest_unit_time_sec:    0
stat::peak_rss_mb:              41
";
        let stats = Stats::parse(output).unwrap();
        assert_eq!(
            stats,
            Stats {
                execs: 2_311_111,
                execs_per_sec: Some(110_052),
                secs: Some(21)
            }
        );
        assert_eq!(
            stats.summary("core_cbor_roundtrip", 20),
            "fuzz core_cbor_roundtrip: 2311111 execs in 21s (110052 execs/s), no crash"
        );
        assert_eq!(Stats::parse("no stats here"), None);
        let bare = Stats::parse("stat::number_of_executed_units: 100").unwrap();
        assert_eq!(
            bare.summary("t", 20),
            "fuzz t: 100 execs in 20s (5 execs/s), no crash"
        );
    }

    #[test]
    fn finds_crash_artifact() {
        let output = "\
==42== ERROR: libFuzzer: deadly signal
MS: 1 ChangeBit-; base unit: 0
artifact_prefix='/repo/fuzz/artifacts/core_cbor_roundtrip/'; Test unit written to /repo/fuzz/artifacts/core_cbor_roundtrip/crash-da39a3ee
";
        assert_eq!(
            crash_artifact(output),
            Some("/repo/fuzz/artifacts/core_cbor_roundtrip/crash-da39a3ee")
        );
        assert_eq!(crash_artifact("Done 5 runs in 1 second(s)"), None);
    }

    #[test]
    fn crash_excerpt_starts_at_the_report() {
        let output =
            "INFO: Seed: 1\n#2 INITED\n\nthread '<unnamed>' panicked at src/lib.rs:2:3:\nboom\n";
        assert_eq!(
            crash_excerpt(output),
            "thread '<unnamed>' panicked at src/lib.rs:2:3:\nboom"
        );
        assert_eq!(crash_excerpt("a\nb"), "a\nb");
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        let output: String = (0..100).map(|i| format!("{i}\n")).collect();
        let t = tail(&output);
        assert!(t.starts_with("60\n") && t.ends_with("99"));
        assert_eq!(tail("a\nb"), "a\nb");
    }
}
