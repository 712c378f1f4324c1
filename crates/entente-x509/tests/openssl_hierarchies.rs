//! Hierarchies made by the `openssl` CLI, as a national PKI would make them:
//! an RSA-4096 root, a P-384 intermediate with name constraints and
//! policies, a P-256 issuing CA with a policy mapping and pathLen 0, leaves,
//! and CRLs from `openssl ca`. Generated into a temporary directory once per
//! test run; skipped (with a message) only when `openssl` is not installed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use entente_core::{KeyKind, UnixTime};
use entente_x509::*;

const CONFIG: &str = r#"
[req]
distinguished_name = dn
[dn]

[v3_root]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
certificatePolicies = 2.5.29.32.0

[v3_p384]
basicConstraints = critical,CA:true,pathlen:1
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 1.3.6.1.4.1.99999.3.1, 1.3.6.1.4.1.99999.3.2
nameConstraints = critical,permitted;DNS:nation-a.example,permitted;dirName:permitted_dn,permitted;email:.nation-a.example

[permitted_dn]
C = AA
O = Nation A

[v3_p256]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 1.3.6.1.4.1.99999.3.1
policyMappings = critical,1.3.6.1.4.1.99999.3.1:1.3.6.1.4.1.99999.3.9

[v3_leaf]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = 2.999.1.1.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
certificatePolicies = 1.3.6.1.4.1.99999.3.9
subjectAltName = DNS:signer.nation-a.example,email:signer@mail.nation-a.example

[v3_rogue]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = 2.999.1.1.1
certificatePolicies = 1.3.6.1.4.1.99999.3.9
subjectAltName = DNS:signer.elsewhere.example

[v3_deeper]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
certificatePolicies = 2.5.29.32.0
"#;

/// Everything the tests need, read into memory (the temporary directory is gone).
struct Pki {
    root: Vec<u8>,
    p384: Vec<u8>,
    p256: Vec<u8>,
    leaf: Vec<u8>,
    rogue: Vec<u8>,
    deeper: Vec<u8>,
    deeper_leaf: Vec<u8>,
    crls: Vec<Vec<u8>>,
    crls_revoking_leaf: Vec<Vec<u8>>,
    now: UnixTime,
}

fn run(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pem_to_der(dir: &Path, file: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    der::pem::decode_vec(text.trim().as_bytes()).unwrap().1
}

#[expect(
    clippy::too_many_arguments,
    reason = "mirrors the openssl command lines"
)]
fn issue_cert(
    dir: &Path,
    name: &str,
    subject: &str,
    key_args: &[&str],
    ca: &str,
    ext: &str,
    serial: &str,
    md: &str,
) {
    let key = format!("{name}.key");
    let mut genpkey = vec!["genpkey", "-out", &key];
    genpkey.extend_from_slice(key_args);
    run(dir, &genpkey);
    let csr = format!("{name}.csr");
    run(
        dir,
        &[
            "req",
            "-new",
            "-config",
            "openssl.cnf",
            "-key",
            &key,
            "-subj",
            subject,
            "-out",
            &csr,
        ],
    );
    let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
    let out = format!("{name}.pem");
    run(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-set_serial",
            serial,
            "-days",
            "365",
            md,
            "-extfile",
            "openssl.cnf",
            "-extensions",
            ext,
            "-out",
            &out,
        ],
    );
}

/// Writes an `openssl ca` configuration for CA `name` and produces its CRL.
fn crl(dir: &Path, name: &str, revoke: Option<&str>, out: &str) {
    let cfg = format!(
        "[ca]\ndefault_ca = ca_{name}\n[ca_{name}]\ndatabase = {name}.index\ncrlnumber = {name}.crlnumber\ndefault_md = sha256\ndefault_crl_days = 7\n"
    );
    std::fs::write(dir.join(format!("{name}.ca.cnf")), cfg).unwrap();
    std::fs::write(dir.join(format!("{name}.index")), "").unwrap();
    std::fs::write(dir.join(format!("{name}.crlnumber")), "01\n").unwrap();
    let (cfg, key, cert) = (
        format!("{name}.ca.cnf"),
        format!("{name}.key"),
        format!("{name}.pem"),
    );
    if let Some(victim) = revoke {
        run(
            dir,
            &[
                "ca",
                "-config",
                &cfg,
                "-keyfile",
                &key,
                "-cert",
                &cert,
                "-revoke",
                victim,
                "-crl_reason",
                "keyCompromise",
            ],
        );
    }
    run(
        dir,
        &[
            "ca", "-config", &cfg, "-keyfile", &key, "-cert", &cert, "-gencrl", "-out", out,
        ],
    );
}

fn build() -> Option<Pki> {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("SKIPPED: the openssl CLI is not installed; openssl-made hierarchies not tested");
        return None;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("openssl.cnf"), CONFIG).unwrap();
    run(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:4096",
            "-out",
            "root.key",
        ],
    );
    run(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-config",
            "openssl.cnf",
            "-key",
            "root.key",
            "-subj",
            "/C=AA/O=Nation A/CN=Nation A Root",
            "-days",
            "3650",
            "-sha256",
            "-set_serial",
            "1",
            "-extensions",
            "v3_root",
            "-out",
            "root.pem",
        ],
    );
    let p384 = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"];
    let p256 = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
    issue_cert(
        d,
        "p384",
        "/C=AA/O=Nation A/CN=Nation A Policy CA",
        &p384,
        "root",
        "v3_p384",
        "2",
        "-sha384",
    );
    issue_cert(
        d,
        "p256",
        "/C=AA/O=Nation A/CN=Nation A Issuing CA",
        &p256,
        "p384",
        "v3_p256",
        "3",
        "-sha384",
    );
    issue_cert(
        d,
        "leaf",
        "/C=AA/O=Nation A/CN=Policy signer",
        &p256,
        "p256",
        "v3_leaf",
        "4",
        "-sha256",
    );
    issue_cert(
        d,
        "rogue",
        "/C=AA/O=Nation A/CN=Rogue signer",
        &p256,
        "p256",
        "v3_rogue",
        "5",
        "-sha256",
    );
    issue_cert(
        d,
        "deeper",
        "/C=AA/O=Nation A/CN=Too deep CA",
        &p256,
        "p256",
        "v3_deeper",
        "6",
        "-sha256",
    );
    issue_cert(
        d,
        "deeper_leaf",
        "/C=AA/O=Nation A/CN=Too deep leaf",
        &p256,
        "deeper",
        "v3_leaf",
        "7",
        "-sha256",
    );
    for ca in ["root", "p384", "p256", "deeper"] {
        crl(d, ca, None, &format!("{ca}.crl.pem"));
    }
    crl(d, "p256", Some("leaf.pem"), "p256.revoked.crl.pem");
    let now = UnixTime::from_secs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    );
    let crls: Vec<Vec<u8>> = ["root", "p384", "p256", "deeper"]
        .iter()
        .map(|c| pem_to_der(d, &format!("{c}.crl.pem")))
        .collect();
    let mut revoking = crls.clone();
    revoking[2] = pem_to_der(d, "p256.revoked.crl.pem");
    Some(Pki {
        root: pem_to_der(d, "root.pem"),
        p384: pem_to_der(d, "p384.pem"),
        p256: pem_to_der(d, "p256.pem"),
        leaf: pem_to_der(d, "leaf.pem"),
        rogue: pem_to_der(d, "rogue.pem"),
        deeper: pem_to_der(d, "deeper.pem"),
        deeper_leaf: pem_to_der(d, "deeper_leaf.pem"),
        crls,
        crls_revoking_leaf: revoking,
        now,
    })
}

fn pki() -> Option<&'static Pki> {
    static PKI: OnceLock<Option<Pki>> = OnceLock::new();
    PKI.get_or_init(build).as_ref()
}

fn cert(der: &[u8]) -> Certificate {
    Certificate::from_der(der).unwrap()
}

fn check(
    pki: &Pki,
    leaf: &[u8],
    extra: &[&[u8]],
    crls: &[Vec<u8>],
    inputs: &PolicyInputs,
    profile: &dyn CredentialProfile,
) -> Result<VerifiedChain, ValidationError> {
    let crls: Vec<Crl> = crls.iter().map(|c| Crl::from_der(c).unwrap()).collect();
    let mut pool = vec![cert(&pki.p256), cert(&pki.p384)];
    pool.extend(extra.iter().map(|d| cert(d)));
    let options = ValidationOptions {
        time: pki.now,
        policy: inputs,
        revocation: Some(CrlCheck {
            crls: &crls,
            max_age: Some(86_400),
        }),
        budget: Budget::default(),
        provider: entente_core::default_provider(),
    };
    validate(
        &cert(leaf),
        &pool,
        &[TrustAnchor::new(cert(&pki.root))],
        profile,
        &options,
    )
}

fn pol(n: u32) -> ObjectIdentifier {
    ObjectIdentifier::new(&format!("1.3.6.1.4.1.99999.3.{n}")).unwrap()
}

#[test]
fn openssl_rsa4096_root_with_p384_and_p256_cas_validates_as_policy_signer() {
    let Some(pki) = pki() else { return };
    let inputs = PolicyInputs {
        initial_policy_set: Some(vec![pol(1)]),
        explicit_policy: true,
        ..PolicyInputs::default()
    };
    let oids = EkuOids::default();
    let chain = check(
        pki,
        &pki.leaf,
        &[],
        &pki.crls,
        &inputs,
        &Profile::policy_signer(&oids),
    )
    .unwrap();
    assert_eq!(
        chain.anchor(),
        entente_core::AuthorityId::from_spki_der(cert(&pki.root).spki_der())
    );
    assert_eq!(cert(&pki.root).public_key().unwrap().rsa_bits(), Some(4096));
    assert_eq!(chain.path().len(), 3);
    assert_eq!(chain.path()[0].public_key().unwrap().kind(), KeyKind::P384);
    // The leaf asserts policy 9, which the issuing CA maps from policy 1:
    // the set is reported in the anchor's domain.
    assert_eq!(chain.policies(), &PolicySet::Only(vec![pol(1)]));
}

#[test]
fn openssl_hierarchy_policy_outside_the_initial_set_rejected() {
    let Some(pki) = pki() else { return };
    let inputs = PolicyInputs {
        initial_policy_set: Some(vec![pol(2)]),
        explicit_policy: true,
        ..PolicyInputs::default()
    };
    let e = check(pki, &pki.leaf, &[], &pki.crls, &inputs, &Profile::rfc5280()).unwrap_err();
    assert!(
        matches!(
            e,
            ValidationError::Path {
                rule: Rule::NoAcceptablePolicy,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn openssl_hierarchy_with_mapping_inhibited_has_no_acceptable_policy() {
    let Some(pki) = pki() else { return };
    let inputs = PolicyInputs {
        explicit_policy: true,
        inhibit_policy_mapping: true,
        ..PolicyInputs::default()
    };
    let e = check(pki, &pki.leaf, &[], &pki.crls, &inputs, &Profile::rfc5280()).unwrap_err();
    assert!(
        matches!(
            e,
            ValidationError::Path {
                rule: Rule::NoAcceptablePolicy,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn openssl_leaf_revoked_by_openssl_ca_rejected_with_its_reason() {
    let Some(pki) = pki() else { return };
    let e = check(
        pki,
        &pki.leaf,
        &[],
        &pki.crls_revoking_leaf,
        &PolicyInputs::default(),
        &Profile::rfc5280(),
    )
    .unwrap_err();
    match e {
        ValidationError::Path {
            position,
            rule: Rule::Revoked { reason, .. },
        } => {
            assert_eq!(position.index, 3);
            assert_eq!(reason, RevocationReason::KeyCompromise);
        }
        other => panic!("expected revocation, got {other}"),
    }
}

#[test]
fn openssl_leaf_outside_dns_name_constraints_rejected() {
    let Some(pki) = pki() else { return };
    let e = check(
        pki,
        &pki.rogue,
        &[],
        &pki.crls,
        &PolicyInputs::default(),
        &Profile::rfc5280(),
    )
    .unwrap_err();
    assert_eq!(
        e,
        ValidationError::Path {
            position: Position { index: 3, len: 3 },
            rule: Rule::NameConstraint(NameKind::Dns)
        }
    );
}

#[test]
fn openssl_ca_below_path_length_zero_rejected() {
    let Some(pki) = pki() else { return };
    let e = check(
        pki,
        &pki.deeper_leaf,
        &[&pki.deeper],
        &pki.crls,
        &PolicyInputs::default(),
        &Profile::rfc5280(),
    )
    .unwrap_err();
    assert_eq!(
        e,
        ValidationError::Path {
            position: Position { index: 3, len: 4 },
            rule: Rule::PathLength
        }
    );
}

#[test]
fn openssl_crls_missing_for_an_intermediate_rejected() {
    let Some(pki) = pki() else { return };
    let e = check(
        pki,
        &pki.leaf,
        &[],
        &pki.crls[2..],
        &PolicyInputs::default(),
        &Profile::rfc5280(),
    )
    .unwrap_err();
    assert_eq!(
        e,
        ValidationError::Path {
            position: Position { index: 1, len: 3 },
            rule: Rule::RevocationUnavailable
        }
    );
}
