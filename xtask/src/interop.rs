//! `cargo xtask interop`: checks entente's formats against independent Python
//! implementations, in a venv built from `interop/requirements.txt`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, display, run_checked};

/// One interop step: a command line run from the workspace root. In `argv`, `{python}`
/// stands for the venv's interpreter and `{dir}` for the absolute path of
/// `target/interop/<dir>`, which is recreated empty at the start of each run.
struct Step {
    name: &'static str,
    dir: &'static str,
    argv: &'static [&'static str],
}

/// The steps, run in order; the first failure stops the run.
const STEPS: &[Step] = &[
    Step {
        name: "cose: Rust emits COSE vectors",
        dir: "cose",
        argv: &[
            "cargo",
            "run",
            "--quiet",
            "-p",
            "entente-core",
            "--example",
            "cose_interop",
            "--",
            "emit",
            "{dir}",
        ],
    },
    Step {
        name: "cose: pycose checks them and emits its own",
        dir: "cose",
        argv: &["{python}", "interop/cose_interop.py", "{dir}"],
    },
    Step {
        name: "cose: Rust checks pycose's vectors",
        dir: "cose",
        argv: &[
            "cargo",
            "run",
            "--quiet",
            "-p",
            "entente-core",
            "--example",
            "cose_interop",
            "--",
            "check",
            "{dir}",
        ],
    },
    Step {
        name: "tlog: Rust emits a cosigned checkpoint, proofs and a forged entry",
        dir: "tlog",
        argv: &[
            "cargo",
            "run",
            "--quiet",
            "-p",
            "entente-audit",
            "--example",
            "tlog_interop",
            "--",
            "emit",
            "{dir}",
        ],
    },
    Step {
        name: "tlog: tlog-scales checks them and builds its own log",
        dir: "tlog",
        argv: &["{python}", "interop/tlog_interop.py", "{dir}"],
    },
    Step {
        name: "tlog: Rust checks tlog-scales' checkpoint and proofs",
        dir: "tlog",
        argv: &[
            "cargo",
            "run",
            "--quiet",
            "-p",
            "entente-audit",
            "--example",
            "tlog_interop",
            "--",
            "check",
            "{dir}",
        ],
    },
];

/// Runs every step, after making sure the venv is current.
pub(crate) fn run(root: &Path) -> Result<()> {
    let python = ensure_venv(root)?;
    let out = root.join("target").join("interop");
    let mut dirs: Vec<&str> = STEPS.iter().map(|s| s.dir).collect();
    dirs.sort_unstable();
    dirs.dedup();
    for dir in dirs {
        let dir = out.join(dir);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
        }
        fs::create_dir_all(&dir)?;
    }

    let total = STEPS.len();
    for (i, step) in STEPS.iter().enumerate() {
        let n = i + 1;
        let dir = out.join(step.dir);
        let mut argv = step.argv.iter().map(|arg| expand(arg, &python, &dir));
        let program = argv
            .next()
            .ok_or_else(|| format!("interop step {n} ({}) has no command", step.name))?;
        let mut cmd = Command::new(program);
        cmd.args(argv).current_dir(root);
        println!("interop [{n}/{total}] {}: {}", step.name, display(&cmd));
        run_checked(&mut cmd)
            .map_err(|e| format!("interop step {n}/{total} ({}) failed: {e}", step.name))?;
    }
    println!("interop: {total} steps passed");
    Ok(())
}

/// Replaces `{python}` and `{dir}` in one argument.
fn expand(arg: &str, python: &Path, dir: &Path) -> String {
    arg.replace("{python}", &python.to_string_lossy())
        .replace("{dir}", &dir.to_string_lossy())
}

/// Creates `target/interop-venv` if needed and (re)installs the requirements when
/// `interop/requirements.txt` differs from the copy kept in the venv. Returns its python.
fn ensure_venv(root: &Path) -> Result<PathBuf> {
    let venv = root.join("target").join("interop-venv");
    let python = if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    };
    let requirements = root.join("interop").join("requirements.txt");
    let wanted = fs::read(&requirements)
        .map_err(|e| format!("cannot read {}: {e}", requirements.display()))?;
    let stamp = venv.join("requirements.txt");

    if !python.exists() {
        println!("interop: creating {}", venv.display());
        // `--clear` recovers from a venv left half-made by an interrupted run.
        run_checked(
            Command::new("python3")
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
        )?;
    }
    if fs::read(&stamp).ok().as_deref() != Some(wanted.as_slice()) {
        println!("interop: installing {}", requirements.display());
        run_checked(
            Command::new(&python)
                .args(["-m", "pip", "install", "--disable-pip-version-check", "-r"])
                .arg(&requirements),
        )?;
        fs::write(&stamp, &wanted)?;
    }
    Ok(python)
}
