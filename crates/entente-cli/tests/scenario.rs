//! Documents, operations, logs, bundles, admission and evaluation: a small
//! two-partner coalition built with the command alone.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;
use std::path::Path;

use common::*;
use serde_json::json;

fn vocab(authority: &str, id: &str, levels: &[&str]) -> serde_json::Value {
    json!({
        "id": id, "version": 1, "authority": authority,
        "levels": levels.iter().map(|l| json!({"name": l, "description": ""})).collect::<Vec<_>>(),
        "categories": [],
        "actions": [{"name": "read", "description": ""}]
    })
}

fn policy(authority: &str, vocabulary: &str, id: &str, max_level: &str) -> serde_json::Value {
    json!({
        "id": id, "version": 1, "authority": authority, "vocabulary": vocabulary,
        "scope": "any",
        "validity": {"not_before": T0 - 86_400, "not_after": T0 + 86_400 * 30},
        "rules": [{
            "id": "partners-read", "effect": "permit", "authorities": "any", "roles": "any",
            "actions": {"only": ["read"]},
            "resource": {"min_level": null, "max_level": max_level, "require_categories": [], "exclude_categories": []},
            "clearance": {"min_level": null, "require_categories": []}
        }]
    })
}

struct Coalition {
    gbr: String,
    deu: String,
    gbr_vocab: String,
    deu_vocab: String,
}

/// GBR (home) and DEU, each with a policy signer, a translator key certified by
/// both, signed vocabularies and policies, and a DEU → GBR translation.
fn coalition(d: &Path) -> Coalition {
    let gbr = authority(d, "gbr");
    let deu = authority(d, "deu");
    issue(d, "gbr", "policy-signer", "gbr-ps", &[]);
    issue(d, "deu", "policy-signer", "deu-ps", &[]);
    issue(d, "deu", "translator", "tr-deu", &[]);
    issue(
        d,
        "gbr",
        "translator",
        "tr-gbr",
        &["--key", "tr-deu.key.pem"],
    );
    write_json(
        d,
        "gbr-vocab.json",
        &vocab(&gbr, "gbr-gscp", &["OFFICIAL", "SECRET"]),
    );
    write_json(
        d,
        "deu-vocab.json",
        &vocab(&deu, "deu-vsa", &["VS-NFD", "GEHEIM"]),
    );
    let gv = json(
        d,
        &[
            "vocab",
            "sign",
            "gbr-vocab.json",
            "--cert",
            "gbr-ps.pem",
            "--key",
            "gbr-ps.key.pem",
            "--out",
            "gbr-vocab.cose",
        ],
    );
    let dv = json(
        d,
        &[
            "vocab",
            "sign",
            "deu-vocab.json",
            "--cert",
            "deu-ps.pem",
            "--key",
            "deu-ps.key.pem",
            "--out",
            "deu-vocab.cose",
        ],
    );
    let gbr_vocab = gv["artifact"].as_str().unwrap().to_owned();
    let deu_vocab = dv["artifact"].as_str().unwrap().to_owned();
    write_json(
        d,
        "gbr-policy.json",
        &policy(&gbr, &gbr_vocab, "gbr-sharing", "SECRET"),
    );
    write_json(
        d,
        "deu-policy.json",
        &policy(&deu, &deu_vocab, "deu-sharing", "GEHEIM"),
    );
    ok(
        d,
        &[
            "policy",
            "sign",
            "gbr-policy.json",
            "--vocab",
            "gbr-vocab.cose",
            "--cert",
            "gbr-ps.pem",
            "--key",
            "gbr-ps.key.pem",
            "--out",
            "gbr-policy.cose",
        ],
    );
    ok(
        d,
        &[
            "policy",
            "sign",
            "deu-policy.json",
            "--vocab",
            "deu-vocab.cose",
            "--cert",
            "deu-ps.pem",
            "--key",
            "deu-ps.key.pem",
            "--out",
            "deu-policy.cose",
        ],
    );
    write_json(
        d,
        "deu-gbr.json",
        &json!({
            "id": "deu-gbr", "version": 1,
            "source": {"authority": deu, "vocabulary": deu_vocab},
            "target": {"authority": gbr, "vocabulary": gbr_vocab},
            "direction": "source_to_target",
            "levels": [{"source": "VS-NFD", "target": "OFFICIAL"}, {"source": "GEHEIM", "target": "SECRET"}],
            "categories": [],
            "actions": [{"source": "read", "target": "read"}],
            "lossy": {"levels": false, "categories": false, "actions": false},
            "scope": "any",
            "validity": {"not_before": T0 - 86_400, "not_after": T0 + 86_400 * 30}
        }),
    );
    ok(
        d,
        &[
            "translate",
            "sign",
            "deu-gbr.json",
            "--source-vocab",
            "deu-vocab.cose",
            "--target-vocab",
            "gbr-vocab.cose",
            "--cert",
            "tr-deu.pem",
            "--key",
            "tr-deu.key.pem",
            "--multi",
            "--out",
            "deu-gbr.cose",
        ],
    );
    Coalition {
        gbr,
        deu,
        gbr_vocab,
        deu_vocab,
    }
}

fn bundles(d: &Path, crl_time: u64) {
    let t = at(crl_time);
    ok(
        d,
        &["authority", "crl", "gbr", "--out", "gbr.crl", "--at", &t],
    );
    ok(
        d,
        &["authority", "crl", "deu", "--out", "deu.crl", "--at", &t],
    );
    ok(
        d,
        &[
            "bundle",
            "build",
            "--publisher",
            "gbr",
            "--cert",
            "gbr-ps.pem",
            "--cert",
            "tr-gbr.pem",
            "--crl",
            "gbr.crl",
            "--vocab",
            "gbr-vocab.cose",
            "--policy",
            "gbr-policy.cose",
            "--out",
            "gbr.bundle",
        ],
    );
    ok(
        d,
        &[
            "bundle",
            "build",
            "--publisher",
            "deu",
            "--cert",
            "deu-ps.pem",
            "--cert",
            "tr-deu.pem",
            "--cert",
            "tr-gbr.pem",
            "--crl",
            "deu.crl",
            "--vocab",
            "deu-vocab.cose",
            "--policy",
            "deu-policy.cose",
            "--translation",
            "deu-gbr.cose",
            "--out",
            "deu.bundle",
        ],
    );
}

fn admission_policy(d: &Path) {
    write_json(
        d,
        "admission.json",
        &json!({
            "home": "gbr",
            "authorities": [
                {"name": "gbr", "kind": "national", "roots": [{"file": "gbr/root.pem"}],
                 "provides": ["vocabularies", "policies", "translations", "declarations", "attestations"]},
                {"name": "deu", "kind": "national", "roots": [{"file": "deu/root.pem"}],
                 "provides": ["vocabularies", "policies", "translations"]}
            ],
            "coordinators": [],
            "max_translation_hops": 1,
            "max_crl_age_secs": 86_400,
            "clock_skew_secs": 300,
            "disputes": "suspend"
        }),
    );
}

fn request(d: &Path, c: &Coalition) {
    write_json(
        d,
        "request.json",
        &json!({
            "subject": {"authority": c.gbr, "role": "supporting", "clearance": {"level": "SECRET", "categories": []}},
            "action": "read",
            "resource": {"owner": c.deu, "level": "SECRET", "categories": []},
            "operation": "00".repeat(32),
            "alliances": [],
            "time": T0
        }),
    );
}

#[test]
fn sign_bundle_admit_evaluate_then_disengage() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let c = coalition(d);
    assert_ne!(c.gbr_vocab, c.deu_vocab);
    // inspect shows the translation unverified.
    let shown = json(d, &["inspect", "deu-gbr.cose"]);
    assert_eq!(shown["kind"], "COSE_Sign");
    assert_eq!(shown["payload"]["id"], "deu-gbr");
    // GBR co-signs with its own translator credential for the same key? No: a second
    // translator key co-signs.
    issue(d, "gbr", "translator", "tr2-gbr", &[]);
    issue(
        d,
        "deu",
        "translator",
        "tr2-deu",
        &["--key", "tr2-gbr.key.pem"],
    );
    ok(
        d,
        &[
            "translate",
            "cosign",
            "deu-gbr.cose",
            "--source-vocab",
            "deu-vocab.cose",
            "--target-vocab",
            "gbr-vocab.cose",
            "--cert",
            "tr2-gbr.pem",
            "--key",
            "tr2-gbr.key.pem",
            "--out",
            "deu-gbr-2.cose",
        ],
    );
    let shown = json(d, &["inspect", "deu-gbr-2.cose"]);
    assert_eq!(shown["signers"].as_array().unwrap().len(), 2);
    assert_eq!(
        shown["artifact"],
        json(d, &["inspect", "deu-gbr.cose"])["artifact"]
    );

    bundles(d, T0 - 600);
    admission_policy(d);
    request(d, &c);
    let report = json(
        d,
        &[
            "admit",
            "--admission-policy",
            "admission.json",
            "--bundle",
            "gbr.bundle",
            "--bundle",
            "deu.bundle",
            "--at",
            &at(T0),
        ],
    );
    assert_eq!(report["rejected"].as_array().unwrap().len(), 0, "{report}");
    assert!(
        report["admitted"].as_array().unwrap().len() >= 5,
        "{report}"
    );
    let decision = json(
        d,
        &[
            "evaluate",
            "--request",
            "request.json",
            "--admission-policy",
            "admission.json",
            "--bundle",
            "gbr.bundle",
            "--bundle",
            "deu.bundle",
        ],
    );
    assert_eq!(decision["decision"], "permit", "{decision}");
    assert_eq!(decision["translations"].as_array().unwrap().len(), 1);
    let text = ok(
        d,
        &[
            "evaluate",
            "--request",
            "request.json",
            "--admission-policy",
            "admission.json",
            "--bundle",
            "gbr.bundle",
            "--bundle",
            "deu.bundle",
        ],
    );
    assert!(text.starts_with("PERMIT"), "{text}");

    // The graph marks the translation admitted.
    let graph = json(
        d,
        &[
            "graph",
            "--authority",
            "gbr",
            "--authority",
            "deu",
            "--translator",
            "tr-deu.pem",
            "--translator",
            "tr-gbr.pem",
            "--translation",
            "deu-gbr.cose",
            "--vocab",
            "deu-vocab.cose",
            "--vocab",
            "gbr-vocab.cose",
            "--crl",
            "gbr.crl",
            "--crl",
            "deu.crl",
            "--at",
            &at(T0),
        ],
    );
    let edge = graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "translation")
        .unwrap()
        .clone();
    assert_eq!(edge["status"], "admitted", "{graph}");

    // GBR disengages: it revokes its certificate of the translator.
    ok(
        d,
        &[
            "authority",
            "revoke",
            "gbr",
            "tr-gbr.pem",
            "--reason",
            "cessation-of-operation",
            "--at",
            &at(T0 - 300),
        ],
    );
    bundles(d, T0 - 200);
    let report = json(
        d,
        &[
            "admit",
            "--admission-policy",
            "admission.json",
            "--bundle",
            "gbr.bundle",
            "--bundle",
            "deu.bundle",
            "--at",
            &at(T0),
        ],
    );
    let codes: Vec<&str> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(!codes.is_empty(), "{report}");
    let decision = json(
        d,
        &[
            "evaluate",
            "--request",
            "request.json",
            "--admission-policy",
            "admission.json",
            "--bundle",
            "gbr.bundle",
            "--bundle",
            "deu.bundle",
        ],
    );
    assert_eq!(decision["decision"], "deny", "{decision}");
    let (code, err) = fails(
        d,
        &[
            "evaluate",
            "--fail-on-deny",
            "--request",
            "request.json",
            "--admission-policy",
            "admission.json",
            "--bundle",
            "gbr.bundle",
            "--bundle",
            "deu.bundle",
        ],
    );
    assert_eq!(code, 1);
    one_line_naming(&err, "request.json");
    let graph = json(
        d,
        &[
            "graph",
            "--authority",
            "gbr",
            "--authority",
            "deu",
            "--translator",
            "tr-deu.pem",
            "--translator",
            "tr-gbr.pem",
            "--translation",
            "deu-gbr.cose",
            "--vocab",
            "deu-vocab.cose",
            "--vocab",
            "gbr-vocab.cose",
            "--crl",
            "gbr.crl",
            "--crl",
            "deu.crl",
            "--at",
            &at(T0),
        ],
    );
    let edges = graph["edges"].as_array().unwrap();
    // The translation is refused because its signer's GBR certificate is
    // revoked: the edge says so (not merely "refused").
    let edge = edges.iter().find(|e| e["kind"] == "translation").unwrap();
    assert_eq!(edge["status"], "revoked", "{graph}");
    assert!(
        edges
            .iter()
            .any(|e| e["kind"] == "translator_credential" && e["status"] == "revoked"),
        "{graph}"
    );
    let (code, _) = fails(
        d,
        &[
            "admit",
            "--fail-on-rejection",
            "--admission-policy",
            "admission.json",
            "--bundle",
            "gbr.bundle",
            "--bundle",
            "deu.bundle",
            "--at",
            &at(T0),
        ],
    );
    assert_eq!(code, 1);
}

#[test]
fn document_signing_failures_name_the_file_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let gbr = authority(d, "gbr");
    issue(d, "gbr", "policy-signer", "ps", &[]);
    issue(d, "gbr", "attester", "other", &[]);
    write_json(d, "v.json", &vocab(&gbr, "v", &["LOW", "HIGH"]));
    std::fs::write(d.join("bad.json"), "{\"id\": 1").unwrap();
    let before = listing(d);
    // Malformed document.
    let (code, err) = fails(
        d,
        &[
            "vocab",
            "sign",
            "bad.json",
            "--cert",
            "ps.pem",
            "--key",
            "ps.key.pem",
            "--out",
            "out.cose",
        ],
    );
    assert_eq!(code, 1);
    one_line_naming(&err, "bad.json");
    // Wrong key.
    let (_, err) = fails(
        d,
        &[
            "vocab",
            "sign",
            "v.json",
            "--cert",
            "ps.pem",
            "--key",
            "other.key.pem",
            "--out",
            "out.cose",
        ],
    );
    one_line_naming(&err, "other.key.pem");
    assert!(err.contains("wrong key"), "{err}");
    // Not a key at all.
    let (_, err) = fails(
        d,
        &[
            "vocab", "sign", "v.json", "--cert", "ps.pem", "--key", "ps.pem", "--out", "out.cose",
        ],
    );
    one_line_naming(&err, "ps.pem");
    // Missing file.
    let (_, err) = fails(
        d,
        &[
            "vocab",
            "sign",
            "missing.json",
            "--cert",
            "ps.pem",
            "--key",
            "ps.key.pem",
            "--out",
            "out.cose",
        ],
    );
    one_line_naming(&err, "missing.json");
    assert_eq!(listing(d), before, "no partial output");
    // A policy whose vocabulary does not match.
    ok(
        d,
        &[
            "vocab",
            "sign",
            "v.json",
            "--cert",
            "ps.pem",
            "--key",
            "ps.key.pem",
            "--out",
            "v.cose",
        ],
    );
    write_json(d, "p.json", &policy(&gbr, &"11".repeat(32), "p", "HIGH"));
    let (_, err) = fails(
        d,
        &[
            "policy",
            "sign",
            "p.json",
            "--vocab",
            "v.cose",
            "--cert",
            "ps.pem",
            "--key",
            "ps.key.pem",
            "--out",
            "p.cose",
        ],
    );
    one_line_naming(&err, "p.json");
    // A policy naming an unknown level.
    let v = json(d, &["inspect", "v.cose"]);
    write_json(
        d,
        "p2.json",
        &policy(&gbr, v["artifact"].as_str().unwrap(), "p", "COSMIC"),
    );
    let (_, err) = fails(
        d,
        &[
            "policy",
            "sign",
            "p2.json",
            "--vocab",
            "v.cose",
            "--cert",
            "ps.pem",
            "--key",
            "ps.key.pem",
            "--out",
            "p.cose",
        ],
    );
    one_line_naming(&err, "p2.json");
    assert!(!d.join("p.cose").exists());
    // A vocabulary given where a bundle is expected.
    let (_, err) = fails(
        d,
        &[
            "admit",
            "--admission-policy",
            "v.json",
            "--bundle",
            "v.cose",
        ],
    );
    one_line_naming(&err, "v.json");
    // Unsigned garbage inspected.
    let (_, err) = fails(d, &["inspect", "v.json"]);
    one_line_naming(&err, "v.json");
}

#[test]
fn operation_declare_and_attest() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let gbr = authority(d, "gbr");
    let deu = authority(d, "deu");
    issue(d, "gbr", "operation-declarer", "decl", &[]);
    issue(d, "deu", "attester", "deu-att", &[]);
    write_json(
        d,
        "op.json",
        &json!({
            "name": "NORTHERN SHIELD", "declarer": gbr,
            "roster": [{"authority": gbr, "role": "lead"}, {"authority": deu, "role": "supporting"}],
            "validity": {"not_before": T0 - 86_400, "not_after": T0 + 86_400}
        }),
    );
    let v = json(
        d,
        &[
            "operation",
            "declare",
            "op.json",
            "--cert",
            "decl.pem",
            "--key",
            "decl.key.pem",
            "--out",
            "op.cose",
        ],
    );
    let operation = v["operation"].as_str().unwrap().to_owned();
    assert_eq!(operation.len(), 64);
    let a = json(
        d,
        &[
            "attest",
            "--operation",
            "op.cose",
            "--author",
            "deu",
            "--endorse",
            "op.cose",
            "--cert",
            "deu-att.pem",
            "--key",
            "deu-att.key.pem",
            "--out",
            "endorse.cose",
        ],
    );
    assert_eq!(a["document"], "endorsement");
    let shown = json(d, &["inspect", "endorse.cose"]);
    assert_eq!(shown["payload"]["operation"], operation.as_str());
    // A declaration with no lead is refused, naming the file.
    write_json(
        d,
        "bad-op.json",
        &json!({
            "name": "X", "declarer": gbr,
            "roster": [{"authority": deu, "role": "supporting"}],
            "validity": {"not_before": T0 - 86_400, "not_after": T0 + 86_400}
        }),
    );
    let (code, err) = fails(
        d,
        &[
            "operation",
            "declare",
            "bad-op.json",
            "--cert",
            "decl.pem",
            "--key",
            "decl.key.pem",
            "--out",
            "bad.cose",
        ],
    );
    assert_eq!(code, 1);
    one_line_naming(&err, "bad-op.json");
    assert!(!d.join("bad.cose").exists());
    // Usage: no statement.
    let (code, _) = fails(
        d,
        &[
            "attest",
            "--operation",
            "op.cose",
            "--author",
            "deu",
            "--cert",
            "deu-att.pem",
            "--key",
            "deu-att.key.pem",
            "--out",
            "x.cose",
        ],
    );
    assert_eq!(code, 2);
}

#[test]
fn audit_log_append_checkpoint_witness_prove_verify_reconstruct() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    authority(d, "gbr");
    authority(d, "deu");
    issue(d, "gbr", "audit-log", "gbr-log", &[]);
    issue(d, "deu", "witness", "deu-wit", &[]);
    let t = at(T0);
    for i in 0..3 {
        ok(
            d,
            &[
                "log",
                "append",
                "log",
                "--kind",
                "admitted",
                "--recorder",
                "gbr",
                "--reason",
                "admitted",
                "--authority",
                "deu",
                "--at",
                &at(T0 + i),
            ],
        );
    }
    let cp = json(
        d,
        &[
            "log",
            "checkpoint",
            "log",
            "--origin",
            "gbr.example/audit",
            "--key",
            "gbr-log.key.pem",
            "--out",
            "cp1",
        ],
    );
    assert_eq!(cp["size"], 3);
    ok(
        d,
        &[
            "log",
            "witness",
            "cp1",
            "--log-cert",
            "gbr-log.pem",
            "--anchor",
            "gbr",
            "--name",
            "deu.example/witness",
            "--key",
            "deu-wit.key.pem",
            "--state",
            "wit.state",
            "--out",
            "cp1.cosigned",
            "--at",
            &t,
        ],
    );
    // The log grows; the witness needs a consistency proof.
    ok(
        d,
        &[
            "log",
            "append",
            "log",
            "--kind",
            "integrity-event",
            "--recorder",
            "gbr",
            "--reason",
            "rollback",
            "--at",
            &at(T0 + 10),
        ],
    );
    ok(
        d,
        &[
            "log",
            "checkpoint",
            "log",
            "--origin",
            "gbr.example/audit",
            "--key",
            "gbr-log.key.pem",
            "--out",
            "cp2",
        ],
    );
    let (code, _) = fails(
        d,
        &[
            "log",
            "witness",
            "cp2",
            "--log-cert",
            "gbr-log.pem",
            "--anchor",
            "gbr",
            "--name",
            "deu.example/witness",
            "--key",
            "deu-wit.key.pem",
            "--state",
            "wit.state",
            "--out",
            "cp2.cosigned",
            "--at",
            &t,
        ],
    );
    assert_eq!(code, 2);
    ok(
        d,
        &[
            "log",
            "consistency",
            "log",
            "--from",
            "3",
            "--out",
            "proof.json",
        ],
    );
    ok(
        d,
        &[
            "log",
            "witness",
            "cp2",
            "--log-cert",
            "gbr-log.pem",
            "--anchor",
            "gbr",
            "--consistency",
            "proof.json",
            "--name",
            "deu.example/witness",
            "--key",
            "deu-wit.key.pem",
            "--state",
            "wit.state",
            "--out",
            "cp2.cosigned",
            "--at",
            &t,
        ],
    );
    let witness = "deu.example/witness=deu-wit.pem";
    let v = json(
        d,
        &[
            "log",
            "verify",
            "log",
            "--checkpoint",
            "cp2.cosigned",
            "--log-cert",
            "gbr-log.pem",
            "--anchor",
            "gbr",
            "--anchor",
            "deu",
            "--witness",
            witness,
            "--at",
            &t,
        ],
    );
    assert_eq!(v["size"], 4);
    assert_eq!(v["entries"]["admitted"], 3);
    assert_eq!(v["witnesses"].as_array().unwrap().len(), 1);
    ok(
        d,
        &[
            "log",
            "prove",
            "log",
            "--index",
            "3",
            "--checkpoint",
            "cp2.cosigned",
            "--out",
            "e3.proof",
            "--entry-out",
            "e3.entry",
        ],
    );
    let v = json(
        d,
        &[
            "log",
            "verify",
            "--bundle",
            "e3.proof",
            "--entry",
            "e3.entry",
            "--log-cert",
            "gbr-log.pem",
            "--anchor",
            "gbr",
            "--anchor",
            "deu",
            "--witness",
            witness,
            "--at",
            &t,
        ],
    );
    assert_eq!(v["entry"]["reason"], "rollback");
    // A tampered entry fails, naming the bundle.
    std::fs::write(
        d.join("forged.entry"),
        std::fs::read(d.join("e3.entry"))
            .unwrap()
            .into_iter()
            .rev()
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let (code, err) = fails(
        d,
        &[
            "log",
            "verify",
            "--bundle",
            "e3.proof",
            "--entry",
            "forged.entry",
            "--log-cert",
            "gbr-log.pem",
            "--anchor",
            "gbr",
            "--anchor",
            "deu",
            "--witness",
            witness,
            "--at",
            &t,
        ],
    );
    assert_eq!(code, 1);
    one_line_naming(&err, "e3.proof");
    // A wrong checkpoint key: the witness credential is not a log credential.
    let (_, err) = fails(
        d,
        &[
            "log",
            "verify",
            "log",
            "--checkpoint",
            "cp2.cosigned",
            "--log-cert",
            "deu-wit.pem",
            "--anchor",
            "gbr",
            "--anchor",
            "deu",
            "--at",
            &t,
        ],
    );
    one_line_naming(&err, "deu-wit.pem");
    // Reconstruction from the whole log and from the proof.
    let timeline = json(
        d,
        &[
            "reconstruct",
            "--log",
            "gbr.example/audit=gbr-log.pem",
            "--log-dir",
            "log",
            "--bundle",
            "e3.proof",
            "--entry",
            "e3.entry",
            "--anchor",
            "gbr",
            "--anchor",
            "deu",
            "--at",
            &t,
        ],
    );
    assert_eq!(
        timeline["events"].as_array().unwrap().len(),
        4,
        "{timeline}"
    );
    assert_eq!(timeline["forks"].as_array().unwrap().len(), 0);
    // Not a log directory.
    let (_, err) = fails(
        d,
        &[
            "log",
            "checkpoint",
            "nolog",
            "--origin",
            "x",
            "--key",
            "gbr-log.key.pem",
        ],
    );
    one_line_naming(&err, "nolog");
    assert!(!d.join("nolog").exists());
}
