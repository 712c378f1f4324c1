//! The admission policy: JSON and TOML authoring, and each typed error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use entente_admit::{AdmissionPolicy, AuthorityKind, ConfigError, Provision};
use support::*;

#[test]
fn json_policy_accepted() {
    let world = World::new();
    let policy = AdmissionPolicy::from_json(&world.policy_json("")).unwrap();
    assert_eq!(policy.home(), world.b.id());
    assert_eq!(policy.max_translation_hops(), 1);
    assert_eq!(policy.clock_skew_secs(), 300);
    let c = policy.authority(&world.c.id()).unwrap();
    assert_eq!(c.name(), "C");
    assert_eq!(c.kind(), AuthorityKind::National);
    assert!(c.provides(Provision::Translations));
}

fn toml_policy(world: &World, extra: &str) -> String {
    format!(
        r#"home = "B"
max_crl_age_secs = 86400
max_translation_hops = 2
{extra}

[[authorities]]
name = "B"
kind = "national"
roots = [{{ pem = """{b}""" }}]
provides = ["vocabularies", "policies"]

[[authorities]]
name = "C"
kind = "ad_hoc_coalition"
id = "{cid}"
roots = [{{ pem = """{c}""" }}]
scope = {{ alliances = ["NATO"] }}
provides = ["translations"]

[[coordinators]]
coordinator = "C"
source = "B"
target = "C"
"#,
        b = world.b.root_pem(),
        c = world.c.root_pem(),
        cid = world.c.id(),
    )
}

#[test]
fn toml_policy_accepted() {
    let world = World::new();
    let policy = AdmissionPolicy::from_toml(&toml_policy(&world, "")).unwrap();
    assert_eq!(policy.max_translation_hops(), 2);
    assert_eq!(policy.coordinators().len(), 1);
    assert_eq!(
        policy.authority(&world.c.id()).unwrap().kind(),
        AuthorityKind::AdHocCoalition
    );
}

#[test]
fn unknown_field_rejected() {
    let world = World::new();
    let json = world.policy_json(r#", "trust_everyone": true"#);
    assert!(matches!(
        AdmissionPolicy::from_json(&json),
        Err(ConfigError::Json(_))
    ));
    let toml = toml_policy(&world, "trust_everyone = true");
    assert!(matches!(
        AdmissionPolicy::from_toml(&toml),
        Err(ConfigError::Toml(_))
    ));
}

#[test]
fn id_mismatch_rejected() {
    let world = World::new();
    let wrong =
        toml_policy(&world, "").replace(&world.c.id().to_string(), &world.b.id().to_string());
    assert!(matches!(
        AdmissionPolicy::from_toml(&wrong),
        Err(ConfigError::IdMismatch { .. })
    ));
}

#[test]
fn duplicate_name_rejected() {
    let world = World::new();
    let json = world
        .policy_json("")
        .replace(r#""name": "C""#, r#""name": "B""#);
    assert!(matches!(
        AdmissionPolicy::from_json(&json),
        Err(ConfigError::DuplicateName(n)) if n == "B"
    ));
}

#[test]
fn duplicate_root_key_rejected() {
    let world = World::new();
    let json = world.policy_json("").replace(
        &serde_json::to_string(&world.c.root_pem()).unwrap(),
        &serde_json::to_string(&world.b.root_pem()).unwrap(),
    );
    assert!(matches!(
        AdmissionPolicy::from_json(&json),
        Err(ConfigError::DuplicateAuthority { .. })
    ));
}

#[test]
fn coordinator_naming_unknown_authority_rejected() {
    let world = World::new();
    let json = world.policy_json(
        r#", "coordinators": [{ "coordinator": "NATO", "source": "C", "target": "B" }]"#,
    );
    assert!(matches!(
        AdmissionPolicy::from_json(&json),
        Err(ConfigError::UnknownAuthority(n)) if n == "NATO"
    ));
}

#[test]
fn unknown_home_rejected() {
    let world = World::new();
    let json = world
        .policy_json("")
        .replace(r#""home": "B""#, r#""home": "Z""#);
    assert!(matches!(
        AdmissionPolicy::from_json(&json),
        Err(ConfigError::UnknownHome(_))
    ));
}

#[test]
fn bad_bounds_rejected() {
    let world = World::new();
    assert!(matches!(
        AdmissionPolicy::from_json(&world.policy_json(r#", "max_translation_hops": 0"#)),
        Err(ConfigError::Hops(0))
    ));
    assert!(matches!(
        AdmissionPolicy::from_json(&world.policy_json(r#", "clock_skew_secs": 99999"#)),
        Err(ConfigError::Skew(_))
    ));
    let zero_age = world
        .policy_json("")
        .replace(r#""max_crl_age_secs": 864000"#, r#""max_crl_age_secs": 0"#);
    assert!(matches!(
        AdmissionPolicy::from_json(&zero_age),
        Err(ConfigError::CrlAge)
    ));
}

#[test]
fn duplicate_provision_and_empty_scope_rejected() {
    let world = World::new();
    let json = world.policy_json("").replacen(
        r#""provides": ["vocabularies", "policies""#,
        r#""scope": {"operations": []}, "provides": ["vocabularies", "policies""#,
        1,
    );
    assert!(matches!(
        AdmissionPolicy::from_json(&json),
        Err(ConfigError::EmptyScope(_))
    ));
    let json = world.policy_json("").replacen(
        r#""provides": ["vocabularies""#,
        r#""provides": ["policies", "vocabularies""#,
        1,
    );
    assert!(matches!(
        AdmissionPolicy::from_json(&json),
        Err(ConfigError::DuplicateProvision { .. })
    ));
}

#[test]
fn root_file_resolved_relative_to_policy_accepted() {
    let world = World::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("roots")).unwrap();
    std::fs::write(dir.path().join("roots/b.pem"), world.b.root_pem()).unwrap();
    let text = r#"home = "B"
max_crl_age_secs = 3600
[[authorities]]
name = "B"
kind = "national"
roots = [{ file = "roots/b.pem" }]
provides = ["policies"]
"#;
    let path = dir.path().join("admission.toml");
    std::fs::write(&path, text).unwrap();
    let policy = AdmissionPolicy::load(&path).unwrap();
    assert_eq!(policy.home(), world.b.id());
    // The same text from a string cannot resolve the file.
    assert!(matches!(
        AdmissionPolicy::from_toml(text),
        Err(ConfigError::RelativeRootWithoutBase { .. })
    ));
    // A missing file is an I/O error naming it.
    std::fs::remove_file(dir.path().join("roots/b.pem")).unwrap();
    assert!(matches!(
        AdmissionPolicy::load(&path),
        Err(ConfigError::Io { .. })
    ));
}

#[test]
fn garbage_root_rejected() {
    let world = World::new();
    let json = world.policy_json("").replacen(
        &serde_json::to_string(&world.b.root_pem()).unwrap(),
        r#""-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n""#,
        1,
    );
    assert!(matches!(
        AdmissionPolicy::from_json(&json),
        Err(ConfigError::Root { .. })
    ));
}
