//! `cargo xtask ci`: everything CI checks, in order, stopping at the first failure.

use std::path::Path;
use std::time::Instant;

use crate::{Reported, Result, cargo, deps, fuzz, interop, run_checked};

/// Seconds each fuzz target runs in CI's smoke test.
const FUZZ_SMOKE_SECS: u64 = 20;

/// What a CI step does.
#[derive(Clone, Copy)]
enum Action {
    /// `cargo` with these arguments.
    Cargo(&'static [&'static str]),
    /// `cargo xtask interop`.
    Interop,
    /// `cargo xtask check-deps`.
    CheckDeps,
    /// Every fuzz target for [`FUZZ_SMOKE_SECS`], if a nightly toolchain is there.
    FuzzSmoke,
}

/// A named CI step; the name is what `--skip` takes.
pub(crate) struct Step {
    pub(crate) name: &'static str,
    action: Action,
}

/// CI's steps, in the order they run.
pub(crate) const STEPS: &[Step] = &[
    Step {
        name: "fmt",
        action: Action::Cargo(&["fmt", "--all", "--", "--check"]),
    },
    Step {
        name: "clippy",
        action: Action::Cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    },
    Step {
        name: "clippy-aws-lc",
        action: Action::Cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--features",
            "entente-core/aws-lc,entente-benches/aws-lc",
            "--",
            "-D",
            "warnings",
        ]),
    },
    Step {
        name: "test",
        action: Action::Cargo(&["test", "--workspace", "--locked"]),
    },
    Step {
        name: "test-aws-lc",
        action: Action::Cargo(&[
            "test",
            "--workspace",
            "--locked",
            "--features",
            "entente-core/aws-lc,entente-benches/aws-lc",
        ]),
    },
    // The conformance suites again, with their counts printed (the test
    // steps capture what passing tests print): NIST PKITS and the
    // differential against `openssl verify`.
    Step {
        name: "conformance",
        action: Action::Cargo(&[
            "test",
            "-p",
            "entente-x509",
            "--locked",
            "--test",
            "pkits",
            "--test",
            "differential",
            "--",
            "--nocapture",
        ]),
    },
    Step {
        name: "interop",
        action: Action::Interop,
    },
    Step {
        name: "check-deps",
        action: Action::CheckDeps,
    },
    Step {
        name: "fuzz",
        action: Action::FuzzSmoke,
    },
    Step {
        name: "bench",
        action: Action::Cargo(&[
            "bench",
            "-p",
            "entente-benches",
            "--locked",
            "--features",
            "aws-lc",
            "--",
            "--test",
        ]),
    },
];

impl Step {
    /// One line saying what the step runs, for `--help` and the step header.
    pub(crate) fn describe(&self) -> String {
        match self.action {
            Action::Cargo(args) => format!("cargo {}", args.join(" ")),
            Action::Interop => "cargo xtask interop".to_owned(),
            Action::CheckDeps => "cargo xtask check-deps".to_owned(),
            Action::FuzzSmoke => {
                format!(
                    "cargo xtask fuzz all --time {FUZZ_SMOKE_SECS} (skipped without a nightly toolchain)"
                )
            }
        }
    }
}

/// Parses `--skip a,b` (repeatable, or `--skip=a,b`) into step names, rejecting unknown ones.
pub(crate) fn parse_skip(args: &[&str]) -> Result<Vec<&'static str>> {
    let mut skip = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let list = match arg.strip_prefix("--skip=") {
            Some(list) => list,
            None if *arg == "--skip" => args.next().ok_or("`--skip` needs a list of step names")?,
            None => {
                return Err(format!("unexpected argument `{arg}`; see `cargo xtask help`").into());
            }
        };
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let step = STEPS.iter().find(|s| s.name == name).ok_or_else(|| {
                let names: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
                format!("no CI step `{name}`; the steps are: {}", names.join(", "))
            })?;
            skip.push(step.name);
        }
    }
    Ok(skip)
}

/// How a step ended.
enum Outcome {
    Passed,
    Skipped(String),
    Failed(String),
}

/// Runs every step not in `skip`, stopping at the first failure, and prints the
/// `ci: N passed, M failed` line last.
pub(crate) fn run(root: &Path, skip: &[&str]) -> Result<()> {
    let total = STEPS.len();
    let started = Instant::now();
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut skipped = Vec::new();
    for (i, step) in STEPS.iter().enumerate() {
        let n = i + 1;
        if skip.contains(&step.name) {
            println!("==> ci [{n}/{total}] {}: skipped (--skip)", step.name);
            skipped.push(format!("{} (--skip)", step.name));
            continue;
        }
        println!("==> ci [{n}/{total}] {}: {}", step.name, step.describe());
        let start = Instant::now();
        let outcome = run_step(root, step.action);
        let secs = start.elapsed().as_secs_f64();
        match outcome {
            Outcome::Passed => {
                passed += 1;
                println!("==> ci [{n}/{total}] {}: ok in {secs:.1}s", step.name);
            }
            Outcome::Skipped(why) => {
                println!("==> ci [{n}/{total}] {}: skipped, {why}", step.name);
                skipped.push(format!("{} ({why})", step.name));
            }
            Outcome::Failed(why) => {
                failed += 1;
                println!(
                    "==> ci [{n}/{total}] {}: FAILED in {secs:.1}s: {why}",
                    step.name
                );
                break;
            }
        }
    }
    if !skipped.is_empty() {
        println!("ci: skipped {}", skipped.join("; "));
    }
    println!("ci: finished in {:.1}s", started.elapsed().as_secs_f64());
    println!("ci: {passed} passed, {failed} failed");
    // The counts stay the last line of the output, for whoever reads CI's log.
    if failed == 0 {
        Ok(())
    } else {
        Err(Reported.into())
    }
}

fn run_step(root: &Path, action: Action) -> Outcome {
    let result = match action {
        Action::Cargo(args) => run_checked(cargo(root).args(args)),
        Action::Interop => interop::run(root),
        Action::CheckDeps => deps::check_deps(root),
        Action::FuzzSmoke => match fuzz::nightly_available() {
            Ok(()) => fuzz::run_all(root, FUZZ_SMOKE_SECS),
            Err(why) => return Outcome::Skipped(format!("no nightly toolchain: {why}")),
        },
    };
    match result {
        Ok(()) => Outcome::Passed,
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_lists() {
        assert_eq!(parse_skip(&[]).unwrap(), Vec::<&str>::new());
        assert_eq!(
            parse_skip(&["--skip", "fuzz,interop"]).unwrap(),
            ["fuzz", "interop"]
        );
        assert_eq!(
            parse_skip(&["--skip=bench", "--skip", "fmt"]).unwrap(),
            ["bench", "fmt"]
        );
        assert!(
            parse_skip(&["--skip", "fuz"])
                .unwrap_err()
                .to_string()
                .contains("the steps are")
        );
        assert!(parse_skip(&["--skip"]).is_err());
        assert!(parse_skip(&["--only", "fmt"]).is_err());
    }

    #[test]
    fn step_names_are_unique() {
        let mut names: Vec<&str> = STEPS.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), STEPS.len());
    }
}
