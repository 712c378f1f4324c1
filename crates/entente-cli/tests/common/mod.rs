//! Helpers shared by the CLI integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs,
    unreachable_pub
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The fixed time every test runs at.
pub const T0: u64 = 1_800_000_000;

/// `entente` with `--at`-free arguments.
pub fn entente(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("entente").unwrap();
    cmd.current_dir(dir);
    cmd
}

/// Runs `entente args…` in `dir` and returns stdout; panics on failure.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = entente(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "entente {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `entente --json args…` and parses stdout.
pub fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(dir, &all)).unwrap()
}

/// Runs a command expected to fail: returns (exit code, stderr).
pub fn fails(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = entente(dir).args(args).output().unwrap();
    assert!(
        !out.status.success(),
        "entente {args:?} unexpectedly succeeded"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    (out.status.code().unwrap(), stderr)
}

/// Asserts the stderr of a failure is one `error:` line naming `file`.
pub fn one_line_naming(stderr: &str, file: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line, got {stderr:?}");
    assert!(lines[0].starts_with("error: "), "{stderr:?}");
    assert!(lines[0].contains(file), "{stderr:?} does not name {file}");
    assert!(!stderr.contains("panicked"), "{stderr:?}");
}

/// The time as an argument.
pub fn at(t: u64) -> String {
    t.to_string()
}

/// Creates an authority directory `name` with a root, at T0 - 1 day.
pub fn authority(dir: &Path, name: &str) -> String {
    let v = json(
        dir,
        &[
            "authority",
            "init",
            name,
            "--subject",
            &format!("CN={name} Root,O={name}"),
            "--at",
            &at(T0 - 86_400),
        ],
    );
    v["authority"].as_str().unwrap().to_owned()
}

/// Issues a credential `out` of `role` from authority `auth`.
pub fn issue(dir: &Path, auth: &str, role: &str, out: &str, extra: &[&str]) -> serde_json::Value {
    let t = at(T0 - 3_600);
    let mut args = vec![
        "authority",
        "issue",
        auth,
        "--role",
        role,
        "--subject",
        out,
        "--out",
        out,
        "--at",
        &t,
    ];
    let subject = format!("CN={out},O={auth}");
    args[6] = &subject;
    args.extend_from_slice(extra);
    json(dir, &args)
}

/// Writes a JSON value to `name` in `dir`.
pub fn write_json(dir: &Path, name: &str, value: &serde_json::Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path
}

/// Every file under `dir`, relative, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}
