//! NIST PKITS (2011 re-issue): every entry of `expected.json` is validated
//! with its RFC 5280 §6.1.1 inputs at 2020-01-01T00:00:00Z, with CRL
//! checking of every certificate. Entries listed in `exceptions.json` are
//! known gaps, each with its reason.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use entente_core::UnixTime;
use entente_x509::{
    Budget, Certificate, Crl, CrlCheck, ObjectIdentifier, PolicyInputs, PolicySet, Profile,
    TrustAnchor, ValidationOptions, validate,
};

/// 2020-01-01T00:00:00Z.
const TIME: UnixTime = UnixTime::from_secs(1_577_836_800);

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/third-party/pkits")
}

fn policy(name: &str) -> ObjectIdentifier {
    match name {
        "anyPolicy" => ObjectIdentifier::new_unwrap("2.5.29.32.0"),
        n => {
            let k = n.strip_prefix("NIST-test-policy-").unwrap();
            ObjectIdentifier::new(&format!("2.16.840.1.101.3.2.1.48.{k}")).unwrap()
        }
    }
}

fn policies(list: &str) -> Vec<ObjectIdentifier> {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(policy)
        .collect()
}

fn flag(entry: &serde_json::Value, key: &str) -> bool {
    entry.get(key).and_then(|v| v.as_str()) == Some("true")
}

/// Key of an entry: test number plus its policy inputs (policy tests have subparts).
fn key(entry: &serde_json::Value) -> String {
    let mut k = entry["test_number"].as_str().unwrap().to_owned();
    for f in [
        "SetInitialPolicySet",
        "SetInitialExplicitPolicy",
        "SetInitialPolicyMappingInhibit",
        "SetInitialInhibitAnyPolicy",
    ] {
        if let Some(v) = entry.get(f).and_then(|v| v.as_str()) {
            k.push_str(&format!(" {f}={v}"));
        }
    }
    k
}

/// Runs one entry: `Ok(())` when entente agrees with the expected verdict
/// (and with the expected user-constrained policy set, where given).
fn run(entry: &serde_json::Value) -> Result<(), String> {
    let names: Vec<&str> = entry["certs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let load = |n: &str| std::fs::read(dir().join("certs").join(format!("{n}.crt"))).unwrap();
    let mut certs = Vec::new();
    for n in &names {
        match Certificate::from_der(&load(n)) {
            Ok(c) => certs.push(c),
            Err(e) => {
                return if entry["should_validate"].as_bool().unwrap() {
                    Err(format!("{n} does not decode: {e}"))
                } else {
                    Ok(())
                };
            }
        }
    }
    let mut crls = Vec::new();
    for n in entry["crls"].as_array().unwrap() {
        let bytes = std::fs::read(
            dir()
                .join("crls")
                .join(format!("{}.crl", n.as_str().unwrap())),
        )
        .unwrap();
        if let Ok(c) = Crl::from_der(&bytes) {
            crls.push(c);
        }
    }
    let anchor = TrustAnchor::new(certs[0].clone());
    let leaf = certs.last().unwrap().clone();
    let pool: Vec<Certificate> = certs[1..certs.len() - 1].to_vec();
    let inputs = PolicyInputs {
        initial_policy_set: entry
            .get("SetInitialPolicySet")
            .and_then(|v| v.as_str())
            .map(policies),
        explicit_policy: flag(entry, "SetInitialExplicitPolicy"),
        inhibit_policy_mapping: flag(entry, "SetInitialPolicyMappingInhibit"),
        inhibit_any_policy: flag(entry, "SetInitialInhibitAnyPolicy"),
    };
    let options = ValidationOptions {
        time: TIME,
        policy: &inputs,
        revocation: Some(CrlCheck {
            crls: &crls,
            max_age: None,
        }),
        budget: Budget::default(),
        provider: entente_core::default_provider(),
    };
    let result = validate(&leaf, &pool, &[anchor], &Profile::rfc5280(), &options);
    let expected = entry["should_validate"].as_bool().unwrap();
    match (&result, expected) {
        (Ok(chain), true) => {
            if let Some(want) = entry
                .get("SetUserConstrainedPolicySet")
                .and_then(|v| v.as_str())
            {
                let got = chain.policies();
                let ok = match (got, want) {
                    (PolicySet::Any, "anyPolicy") => true,
                    (PolicySet::Only(list), w) => {
                        let mut a = list.clone();
                        let mut b = policies(w);
                        a.sort();
                        b.sort();
                        a == b
                    }
                    _ => false,
                };
                if !ok {
                    return Err(format!(
                        "user-constrained policy set {got:?}, expected {want:?}"
                    ));
                }
            }
            Ok(())
        }
        (Err(_), false) => Ok(()),
        (Ok(_), false) => Err("accepted, expected rejection".into()),
        (Err(e), true) => Err(format!("rejected: {e}")),
    }
}

#[test]
fn pkits_every_entry_passes_or_is_an_excepted_gap() {
    let expected: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir().join("expected.json")).unwrap()).unwrap();
    let exceptions: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir().join("exceptions.json")).unwrap()).unwrap();
    for (k, v) in &exceptions {
        assert!(
            v.get("reason")
                .and_then(|r| r.as_str())
                .is_some_and(|r| !r.is_empty()),
            "exception {k} has no reason"
        );
    }
    let (mut passed, mut failed, mut excepted) = (0usize, Vec::new(), 0usize);
    let mut stale_exceptions = Vec::new();
    for entry in &expected {
        let k = key(entry);
        let outcome = run(entry);
        match (outcome, exceptions.contains_key(&k)) {
            (Ok(()), false) => passed += 1,
            (Ok(()), true) => stale_exceptions.push(k),
            (Err(_), true) => excepted += 1,
            (Err(why), false) => {
                failed.push(format!("{k} ({}): {why}", entry["title"].as_str().unwrap()))
            }
        }
    }
    let summary = format!(
        "PKITS: {passed} passed, {} failed, {excepted} excepted",
        failed.len()
    );
    println!("{summary}");
    assert_eq!(expected.len(), 249, "expected.json changed");
    assert!(failed.is_empty(), "{summary}\n{}", failed.join("\n"));
    assert!(
        stale_exceptions.is_empty(),
        "excepted entries that now pass: {stale_exceptions:?}"
    );
    assert_eq!(passed + excepted, 249, "{summary}");
    assert!(
        passed >= 245,
        "{summary}: fewer entries pass than when the exceptions were written"
    );
}
