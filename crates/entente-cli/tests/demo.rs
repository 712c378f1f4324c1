//! `entente demo`: the whole scenario passes, its report lists every
//! expected outcome with a pass mark, and a run is reproducible.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use assert_cmd::Command;

fn demo(out: &std::path::Path, seed: u64) -> serde_json::Value {
    let output = Command::cargo_bin("entente")
        .unwrap()
        .args(["--json", "demo", "--seed", &seed.to_string(), "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "demo failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn demo_passes_every_expected_outcome_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let report = demo(dir.path(), 1);
    assert_eq!(report["failed"], 0);
    let outcomes: Vec<&serde_json::Value> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|step| step["outcomes"].as_array().unwrap())
        .collect();
    assert_eq!(report["passed"].as_u64().unwrap() as usize, outcomes.len());
    assert!(outcomes.iter().all(|o| o["pass"] == true));
    let ids: Vec<&str> = outcomes.iter().map(|o| o["id"].as_str().unwrap()).collect();
    for expected in [
        "hierarchy.separate",
        "quorum.certified",
        "admission.gbr",
        "admission.cjtf",
        "evaluate.gbr-reads-deu",
        "evaluate.deu-reads-rel-fvey",
        "events.forced-disclosure",
        "disengagement.translation-dropped",
        "disengagement.decision-changes",
        "disengagement.logged",
        "disengagement.history-verifies",
        "disengagement.sovereign",
        "attack.impersonation",
        "attack.equivocation",
        "attack.quorum-survives",
        "witness.gbr",
        "reconstruction.complete",
        "reconstruction.story",
    ] {
        assert!(ids.contains(&expected), "outcome {expected} missing");
    }
    // The report on disk is the one printed, and the graph is written.
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(on_disk["steps"], report["steps"]);
    let dot = std::fs::read_to_string(dir.path().join("trust-graph.dot")).unwrap();
    assert!(dot.starts_with("digraph entente"));
    assert!(dot.contains("revoked"));
    let mermaid = std::fs::read_to_string(dir.path().join("trust-graph.mmd")).unwrap();
    assert!(mermaid.starts_with("graph LR"));
    // The admission policy written out loads, reading the roots beside it.
    let policy =
        entente_admit::AdmissionPolicy::load(&dir.path().join("gbr/admission.json")).unwrap();
    assert_eq!(policy.authorities().count(), 5);
    assert_eq!(policy.coordinators().len(), 4);
}

#[test]
fn demo_is_deterministic_for_a_seed_accepted() {
    let (one, two, other) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    demo(one.path(), 7);
    demo(two.path(), 7);
    demo(other.path(), 8);
    for file in [
        "bundles/before/gbr.cbor",
        "bundles/after/deu.cbor",
        "gbr/root.pem",
        "report.json",
    ] {
        let a = std::fs::read(one.path().join(file)).unwrap();
        assert_eq!(a, std::fs::read(two.path().join(file)).unwrap(), "{file}");
        if file != "report.json" {
            assert_ne!(a, std::fs::read(other.path().join(file)).unwrap(), "{file}");
        }
    }
}

#[test]
fn demo_into_occupied_directory_rejected() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), b"mine").unwrap();
    let output = Command::cargo_bin("entente")
        .unwrap()
        .args(["demo", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("output directory is not empty"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);
    assert_eq!(std::fs::read(dir.path().join("keep.txt")).unwrap(), b"mine");
}
