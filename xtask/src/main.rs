//! entente's task runner (matklad's `cargo xtask` pattern): whatever CI does can be run by
//! hand with `cargo xtask ci`, and each of its parts on its own. `cargo xtask help` lists
//! the subcommands.

#![forbid(unsafe_code)]

mod ci;
mod deps;
mod fuzz;
mod interop;
mod report;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Errors are reported to the user as text; nothing matches on them.
type Error = Box<dyn std::error::Error>;
type Result<T, E = Error> = std::result::Result<T, E>;

/// An error whose explanation has already been printed.
#[derive(Debug)]
struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("failed (reported above)")
    }
}

impl std::error::Error for Reported {}

/// Fuzzing time per target when `--time` is not given.
const DEFAULT_FUZZ_SECS: u64 = 60;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !e.is::<Reported>() {
                eprintln!("xtask: error: {e}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[&str]) -> Result<()> {
    let root = workspace_root()?;
    match args {
        [] | ["help" | "--help" | "-h"] | [_, "--help" | "-h"] => {
            print!("{}", help());
            Ok(())
        }
        ["check-deps"] => deps::check_deps(&root),
        ["fuzz", "list"] => {
            for target in fuzz::targets(&root)? {
                println!("{target}");
            }
            Ok(())
        }
        ["fuzz", "all", rest @ ..] => fuzz::run_all(&root, fuzz_secs(rest)?),
        ["fuzz", target, rest @ ..] if !target.starts_with('-') => {
            fuzz::run_one(&root, target, fuzz_secs(rest)?)
        }
        ["bench", "--report", rest @ ..] => match rest {
            ["--existing", extra @ ..] => report::run(&root, true, extra),
            extra => report::run(&root, false, extra),
        },
        ["bench", extra @ ..] => run_checked(
            cargo(&root)
                .args([
                    "bench",
                    "-p",
                    "entente-benches",
                    "--features",
                    "aws-lc",
                    "--",
                ])
                .args(extra),
        ),
        ["interop"] => interop::run(&root),
        ["ci", rest @ ..] => ci::run(&root, &ci::parse_skip(rest)?),
        _ => Err(format!(
            "unknown arguments `{}`; see `cargo xtask help`",
            args.join(" ")
        )
        .into()),
    }
}

/// The text of `cargo xtask help`.
fn help() -> String {
    let mut text = format!(
        "\
cargo xtask: entente's task runner; CI runs `cargo xtask ci`, and so can you.

USAGE:
  cargo xtask ci [--skip STEP,...]   run CI's steps in order, stop at the first failure
  cargo xtask check-deps             fail if an entente-* crate depends on one that is not
                                     below it in ARCHITECTURE.md §2
  cargo xtask fuzz list              list the fuzz targets ([[bin]]s of fuzz/Cargo.toml)
  cargo xtask fuzz TARGET [--time N] fuzz one target for N seconds (default {DEFAULT_FUZZ_SECS}) with
                                     `cargo +nightly fuzz` (installs cargo-fuzz if missing);
                                     scratch corpus in target/fuzz-corpus/TARGET, seeds from
                                     fuzz/corpus/TARGET, log in target/fuzz-logs/TARGET.log
  cargo xtask fuzz all [--time N]    fuzz every target in turn
  cargo xtask bench [ARGS...]        cargo bench -p entente-benches -- ARGS...
  cargo xtask bench --report [--existing] [ARGS...]
                                     run every bench, then write medians and same-run ratios
                                     (against raw ES256, rustls-webpki, Cedar; both backends)
                                     into docs/PERFORMANCE.md between its GENERATED markers;
                                     --existing reuses target/criterion without running
  cargo xtask interop                run the interop steps against the Python peers
                                     (venv in target/interop-venv, from interop/requirements.txt)
  cargo xtask help                   this text

CI STEPS (names for --skip, e.g. `cargo xtask ci --skip fuzz,interop`):
"
    );
    for step in ci::STEPS {
        text.push_str(&format!("  {:<14} {}\n", step.name, step.describe()));
    }
    text
}

/// Parses `--time N` / `--time=N`; nothing else is accepted after a fuzz target.
fn fuzz_secs(args: &[&str]) -> Result<u64> {
    let value = match args {
        [] => return Ok(DEFAULT_FUZZ_SECS),
        ["--time", n] => *n,
        [one] => one
            .strip_prefix("--time=")
            .ok_or_else(|| format!("unexpected argument `{one}`"))?,
        _ => {
            return Err(format!(
                "unexpected arguments `{}`; expected `--time N`",
                args.join(" ")
            )
            .into());
        }
    };
    match value.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("`--time` takes a positive number of seconds, not `{value}`").into()),
    }
}

/// The workspace root: xtask sits one level below it.
fn workspace_root() -> Result<PathBuf> {
    // `cargo run` sets CARGO_MANIFEST_DIR for the process; prefer it to the
    // compile-time value, which names wherever this binary was last built
    // (another clone sharing the target directory, say).
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| "xtask's manifest directory has no parent".into())
}

/// `cargo` from PATH, run from the workspace root.
fn cargo(root: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root);
    cmd
}

/// The command line as a user would type it, for headers and error messages.
fn display(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(OsStr::to_string_lossy)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `cmd` with inherited stdio and fails unless it exits successfully.
fn run_checked(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start `{}`: {e}", display(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", display(cmd)).into())
    }
}

/// Whether `cmd` runs and exits successfully, its output discarded; on failure, why.
fn probe(cmd: &mut Command) -> Result<(), String> {
    match cmd.output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let first = stderr
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim();
            Err(format!(
                "`{}` failed ({}): {first}",
                display(cmd),
                out.status
            ))
        }
        Err(e) => Err(format!("cannot start `{}`: {e}", display(cmd))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_time_parsing() {
        assert_eq!(fuzz_secs(&[]).unwrap(), DEFAULT_FUZZ_SECS);
        assert_eq!(fuzz_secs(&["--time", "20"]).unwrap(), 20);
        assert_eq!(fuzz_secs(&["--time=5"]).unwrap(), 5);
        assert!(fuzz_secs(&["--time", "0"]).is_err());
        assert!(fuzz_secs(&["--time", "x"]).is_err());
        assert!(fuzz_secs(&["--jobs", "2"]).is_err());
    }

    #[test]
    fn help_names_every_ci_step() {
        let text = help();
        for step in ci::STEPS {
            assert!(text.contains(step.name), "{}", step.name);
        }
    }
}
