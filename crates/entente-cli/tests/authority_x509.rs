//! `authority …` and `x509 verify`: normal paths and failures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;
use common::*;

#[test]
fn authority_lifecycle_issue_verify_revoke_crl() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let id = authority(d, "gbr");
    assert_eq!(id.len(), 64);
    let shown = json(d, &["authority", "show", "gbr"]);
    assert_eq!(shown["authority"], id.as_str());
    let issued = issue(d, "gbr", "translator", "tr", &[]);
    assert_eq!(issued["role"], "translator");
    assert!(d.join("tr.pem").exists() && d.join("tr.key.pem").exists());
    let t = at(T0);
    // Valid as a translator, not as a policy signer.
    let v = json(
        d,
        &[
            "x509",
            "verify",
            "tr.pem",
            "--anchor",
            "gbr",
            "--profile",
            "translator",
            "--at",
            &t,
        ],
    );
    assert_eq!(v["valid"], true);
    assert_eq!(v["authority"], id.as_str());
    let (code, err) = fails(
        d,
        &[
            "x509",
            "verify",
            "tr.pem",
            "--anchor",
            "gbr",
            "--profile",
            "policy-signer",
            "--at",
            &t,
        ],
    );
    assert_eq!(code, 1);
    one_line_naming(&err, "tr.pem");
    assert!(err.contains("extended key usage"), "{err}");
    // A CRL before the revocation lists nothing; after it, the leaf is revoked.
    ok(
        d,
        &[
            "authority",
            "crl",
            "gbr",
            "--out",
            "gbr-1.crl",
            "--at",
            &at(T0 - 60),
        ],
    );
    let v = json(
        d,
        &[
            "x509",
            "verify",
            "tr.pem",
            "--anchor",
            "gbr",
            "--crl",
            "gbr-1.crl",
            "--profile",
            "translator",
            "--at",
            &t,
        ],
    );
    assert_eq!(v["revocation_checked"], true);
    ok(
        d,
        &[
            "authority",
            "revoke",
            "gbr",
            "tr.pem",
            "--reason",
            "key-compromise",
            "--at",
            &at(T0 - 30),
        ],
    );
    let crl = json(
        d,
        &[
            "authority",
            "crl",
            "gbr",
            "--out",
            "gbr-2.crl",
            "--at",
            &at(T0 - 20),
        ],
    );
    assert_eq!(crl["crl_number"], 2);
    assert_eq!(crl["revoked"].as_array().unwrap().len(), 1);
    let (code, err) = fails(
        d,
        &[
            "x509",
            "verify",
            "tr.pem",
            "--anchor",
            "gbr",
            "--crl",
            "gbr-2.crl",
            "--profile",
            "translator",
            "--at",
            &t,
        ],
    );
    assert_eq!(code, 1);
    one_line_naming(&err, "tr.pem");
    assert!(err.contains("revoked"), "{err}");
    // Expired: a year and a day later.
    let (_, err) = fails(
        d,
        &[
            "x509",
            "verify",
            "tr.pem",
            "--anchor",
            "gbr",
            "--at",
            &at(T0 + 367 * 86_400),
        ],
    );
    assert!(err.contains("expired"), "{err}");
    // The state remembers everything.
    let shown = json(d, &["authority", "show", "gbr"]);
    assert_eq!(shown["revoked"].as_array().unwrap().len(), 1);
    assert_eq!(shown["crl_number"], 2);
}

#[test]
fn verify_json_reports_invalid_verdicts_on_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    authority(d, "gbr");
    authority(d, "deu");
    issue(d, "gbr", "attester", "att", &[]);
    let out = entente(d)
        .args([
            "--json",
            "x509",
            "verify",
            "att.pem",
            "--anchor",
            "deu",
            "--at",
            &at(T0),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert!(v["error"].as_str().unwrap().contains("issuer"), "{v}");
}

#[test]
fn cross_certified_partner_validates_through_the_cross_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    authority(d, "gbr");
    authority(d, "deu");
    issue(d, "deu", "attester", "deu-att", &[]);
    ok(
        d,
        &[
            "authority",
            "cross-certify",
            "gbr",
            "deu",
            "--out",
            "gbr-x-deu.pem",
            "--at",
            &at(T0 - 3_600),
        ],
    );
    let v = json(
        d,
        &[
            "x509",
            "verify",
            "deu-att.pem",
            "--anchor",
            "gbr",
            "--intermediate",
            "gbr-x-deu.pem",
            "--profile",
            "attester",
            "--at",
            &at(T0),
        ],
    );
    assert_eq!(v["valid"], true);
    assert_eq!(v["path"].as_array().unwrap().len(), 2);
    // The graph shows both authorities and the cross-certificate.
    let dot = ok(
        d,
        &[
            "graph",
            "--authority",
            "gbr",
            "--authority",
            "deu",
            "--cross",
            "gbr-x-deu.pem",
            "--at",
            &at(T0),
        ],
    );
    assert!(dot.starts_with("digraph entente {"), "{dot}");
    assert!(dot.contains("cross-certifies"), "{dot}");
    let mermaid = ok(
        d,
        &[
            "graph",
            "--format",
            "mermaid",
            "--authority",
            "gbr",
            "--authority",
            "deu",
            "--cross",
            "gbr-x-deu.pem",
            "--at",
            &at(T0),
        ],
    );
    assert!(mermaid.starts_with("graph LR"), "{mermaid}");
}

#[test]
fn certifying_an_existing_key_in_two_authorities() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    authority(d, "gbr");
    authority(d, "deu");
    issue(d, "gbr", "translator", "tr-gbr", &[]);
    let v = issue(
        d,
        "deu",
        "translator",
        "tr-deu",
        &["--key", "tr-gbr.key.pem"],
    );
    assert!(v["key"].is_null());
    assert!(!d.join("tr-deu.key.pem").exists());
    let a = std::fs::read_to_string(d.join("tr-gbr.pem")).unwrap();
    let b = std::fs::read_to_string(d.join("tr-deu.pem")).unwrap();
    assert_ne!(a, b);
}

#[test]
fn init_refuses_an_existing_authority_and_bad_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    authority(d, "gbr");
    let before = listing(d);
    let (code, err) = fails(d, &["authority", "init", "gbr", "--subject", "CN=x"]);
    assert_eq!(code, 1);
    one_line_naming(&err, "gbr");
    // A malformed subject.
    let (code, err) = fails(d, &["authority", "init", "new", "--subject", "not a name"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: "), "{err}");
    // Usage errors exit 2.
    let (code, _) = fails(d, &["authority", "init", "new"]);
    assert_eq!(code, 2);
    assert_eq!(listing(d), before, "nothing written by failures");
}

#[test]
fn broken_authority_directories_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    authority(d, "gbr");
    authority(d, "deu");
    // A key that is not the root's.
    std::fs::copy(d.join("deu/root.key.pem"), d.join("gbr/root.key.pem")).unwrap();
    let before = listing(d);
    let (code, err) = fails(
        d,
        &[
            "authority",
            "issue",
            "gbr",
            "--role",
            "attester",
            "--subject",
            "CN=a",
            "--out",
            "a",
        ],
    );
    assert_eq!(code, 1);
    one_line_naming(&err, "gbr/root.key.pem");
    assert!(err.contains("wrong key"), "{err}");
    assert_eq!(listing(d), before, "no partial output");
    // A certificate file that is not PEM.
    std::fs::write(d.join("deu/root.pem"), "garbage").unwrap();
    let (_, err) = fails(d, &["authority", "show", "deu"]);
    one_line_naming(&err, "deu/root.pem");
    assert!(err.contains("not a DER certificate"), "{err}");
    // A malformed state file.
    authority(d, "usa");
    std::fs::write(d.join("usa/state.json"), "{").unwrap();
    let (_, err) = fails(d, &["authority", "show", "usa"]);
    one_line_naming(&err, "usa/state.json");
    // Revoking another authority's certificate.
    authority(d, "fra");
    authority(d, "ita");
    issue(d, "ita", "attester", "ita-att", &[]);
    let (_, err) = fails(d, &["authority", "revoke", "fra", "ita-att.pem"]);
    one_line_naming(&err, "ita-att.pem");
    assert!(err.contains("not issued by this authority"), "{err}");
}
