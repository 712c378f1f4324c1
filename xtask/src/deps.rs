//! `cargo xtask check-deps`: the arrows between entente's crates only point down
//! (ARCHITECTURE.md §2).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use crate::{Result, display};

/// The workspace `entente-*` crates each `entente-*` crate may depend on, in any kind of
/// dependency (normal, build, dev). A crate missing here fails the check: a new crate
/// takes its place in the layering on purpose, not by default.
const ALLOWED: &[(&str, &[&str])] = &[
    ("entente-core", &[]),
    ("entente-x509", &["entente-core"]),
    ("entente-policy", &["entente-core"]),
    (
        "entente-translate",
        &["entente-core", "entente-x509", "entente-policy"],
    ),
    ("entente-attest", &["entente-core", "entente-x509"]),
    ("entente-audit", &["entente-core", "entente-x509"]),
    (
        "entente-admit",
        &[
            "entente-core",
            "entente-x509",
            "entente-policy",
            "entente-translate",
            "entente-attest",
            "entente-audit",
        ],
    ),
    (
        "entente-cli",
        &[
            "entente-core",
            "entente-x509",
            "entente-policy",
            "entente-translate",
            "entente-attest",
            "entente-audit",
            "entente-admit",
        ],
    ),
];

/// `entente-*` packages that sit above every crate and may depend on any of them.
const UNRESTRICTED: &[&str] = &["entente-benches"];

/// A workspace package and the names of the packages it depends on (all kinds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Package {
    pub(crate) name: String,
    pub(crate) deps: Vec<String>,
}

/// Runs `cargo metadata`, checks it, prints every violation and fails if there is one.
pub(crate) fn check_deps(root: &Path) -> Result<()> {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"]);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot start `{}`: {e}", display(&cmd)))?;
    if !out.status.success() {
        return Err(format!(
            "`{}` failed ({}):\n{}",
            display(&cmd),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let packages = parse_metadata(&metadata)?;
    let violations = check(&packages);
    for v in &violations {
        println!("{v}");
    }
    let checked = packages
        .iter()
        .filter(|p| p.name.starts_with("entente-"))
        .count();
    if violations.is_empty() {
        println!("check-deps: {checked} entente crates, every dependency points down");
        Ok(())
    } else {
        Err(format!(
            "check-deps: {} violation(s) of ARCHITECTURE.md §2",
            violations.len()
        )
        .into())
    }
}

/// Extracts the packages and their dependency names from `cargo metadata --no-deps` JSON.
pub(crate) fn parse_metadata(metadata: &serde_json::Value) -> Result<Vec<Package>> {
    let packages = metadata
        .get("packages")
        .and_then(serde_json::Value::as_array)
        .ok_or("cargo metadata: no `packages` array")?;
    packages
        .iter()
        .map(|p| {
            let name = p
                .get("name")
                .and_then(serde_json::Value::as_str)
                .ok_or("cargo metadata: a package without a `name`")?;
            let deps = p
                .get("dependencies")
                .and_then(serde_json::Value::as_array)
                .ok_or_else(|| format!("cargo metadata: {name} has no `dependencies` array"))?
                .iter()
                .map(|d| {
                    d.get("name")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned)
                        .ok_or_else(|| {
                            format!("cargo metadata: a dependency of {name} has no `name`")
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Package {
                name: name.to_owned(),
                deps,
            })
        })
        .collect()
}

/// Every violation of the layering among `packages` (the workspace members), one line each.
/// Only dependencies on workspace `entente-*` crates are checked.
pub(crate) fn check(packages: &[Package]) -> Vec<String> {
    let workspace: BTreeSet<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    let mut violations = Vec::new();
    for package in packages {
        let name = package.name.as_str();
        if !name.starts_with("entente-") || UNRESTRICTED.contains(&name) {
            continue;
        }
        let Some(allowed) = allow_list(name) else {
            violations.push(format!(
                "{name} is not in the layering table of xtask/src/deps.rs; \
                 give it its place from ARCHITECTURE.md §2"
            ));
            continue;
        };
        let deps: BTreeSet<&str> = package.deps.iter().map(String::as_str).collect();
        for dep in deps {
            if dep == name
                || !dep.starts_with("entente-")
                || !workspace.contains(dep)
                || allowed.contains(&dep)
            {
                continue;
            }
            let why = if UNRESTRICTED.contains(&dep) || allowed_below(dep, name) {
                "which sits above it".to_owned()
            } else if allow_list(dep).is_none() {
                "which is not in the layering table".to_owned()
            } else {
                format!(
                    "which is not below it (it may depend on: {})",
                    list(allowed)
                )
            };
            violations.push(format!("{name} depends on {dep}, {why}"));
        }
    }
    violations
}

/// The allow-list of `name`, if it is in the table.
fn allow_list(name: &str) -> Option<&'static [&'static str]> {
    ALLOWED
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, deps)| *deps)
}

/// Whether `upper` may depend on `lower`, i.e. `upper` sits above `lower`.
fn allowed_below(upper: &str, lower: &str) -> bool {
    allow_list(upper).is_some_and(|deps| deps.contains(&lower))
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "nothing".to_owned()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, deps: &[&str]) -> Package {
        Package {
            name: name.to_owned(),
            deps: deps.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    /// The whole layering of ARCHITECTURE.md §2, plus benches and xtask.
    fn layered() -> Vec<Package> {
        let mut packages: Vec<Package> =
            ALLOWED.iter().map(|(name, deps)| pkg(name, deps)).collect();
        packages.push(pkg(
            "entente-benches",
            &["entente-admit", "entente-core", "criterion"],
        ));
        packages.push(pkg("xtask", &["serde_json"]));
        packages
    }

    fn with_edge(from: &str, to: &str) -> Vec<Package> {
        let mut packages = layered();
        let p = packages.iter_mut().find(|p| p.name == from).unwrap();
        p.deps.push(to.to_owned());
        packages
    }

    #[test]
    fn allowed_edges_pass() {
        assert_eq!(check(&layered()), Vec::<String>::new());
        assert_eq!(
            check(&with_edge("entente-translate", "entente-x509")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn upward_edge_fails() {
        assert_eq!(
            check(&with_edge("entente-core", "entente-admit")),
            ["entente-core depends on entente-admit, which sits above it"]
        );
        assert_eq!(
            check(&with_edge("entente-x509", "entente-benches")),
            ["entente-x509 depends on entente-benches, which sits above it"]
        );
    }

    #[test]
    fn lateral_edge_not_in_table_fails() {
        assert_eq!(
            check(&with_edge("entente-policy", "entente-x509")),
            [
                "entente-policy depends on entente-x509, which is not below it (it may depend on: entente-core)"
            ]
        );
    }

    #[test]
    fn unknown_entente_crate_fails() {
        let mut packages = layered();
        packages.push(pkg("entente-extra", &["entente-core"]));
        let violations = check(&packages);
        assert_eq!(violations.len(), 1);
        assert!(violations[0].starts_with("entente-extra is not in the layering table"));

        let mut packages = with_edge("entente-audit", "entente-extra");
        packages.push(pkg("entente-extra", &[]));
        assert_eq!(
            check(&packages)[0],
            "entente-audit depends on entente-extra, which is not in the layering table"
        );
    }

    #[test]
    fn non_workspace_and_self_dependencies_are_ignored() {
        // A crates.io package that happens to share the prefix is not ours to layer.
        let mut packages = with_edge("entente-core", "entente-from-crates-io");
        packages.push(pkg("entente-x509", &["entente-x509"]));
        assert_eq!(check(&packages), Vec::<String>::new());
    }

    #[test]
    fn parses_cargo_metadata() {
        let json: serde_json::Value = serde_json::from_str(
            r#"{"packages": [
                {"name": "entente-core", "dependencies": [
                    {"name": "serde", "kind": null},
                    {"name": "entente-admit", "kind": "dev", "rename": "admit"}
                ]},
                {"name": "entente-admit", "dependencies": []}
            ]}"#,
        )
        .unwrap();
        let packages = parse_metadata(&json).unwrap();
        assert_eq!(
            packages,
            [
                pkg("entente-core", &["serde", "entente-admit"]),
                pkg("entente-admit", &[])
            ]
        );
        assert_eq!(
            check(&packages),
            ["entente-core depends on entente-admit, which sits above it"]
        );
        assert!(parse_metadata(&serde_json::json!({})).is_err());
    }
}
