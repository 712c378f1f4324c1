//! Interoperability with the `openssl` command: an OpenSSL-made EC P-256
//! hierarchy imported and validated by entente, and entente-issued
//! certificates accepted by `openssl verify`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;
use std::path::Path;
use std::process::Command;

use common::*;

fn have_openssl() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const EXTENSIONS: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[root_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[int_ext]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = 2.999.1.1.2
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
";

/// A minimal `openssl ca` configuration for one CA (for revocation and CRLs).
fn ca_config(dir: &Path, name: &str) -> String {
    std::fs::create_dir_all(dir.join(name)).unwrap();
    std::fs::write(dir.join(name).join("index.txt"), "").unwrap();
    std::fs::write(dir.join(name).join("crlnumber"), "01\n").unwrap();
    let config = format!(
        "[ca]\ndefault_ca = this\n[this]\ndatabase = {name}/index.txt\ncrlnumber = {name}/crlnumber\n\
         certificate = {name}.pem\nprivate_key = {name}.key\ndefault_md = sha256\ndefault_crl_days = 7\n\
         crl_extensions = crl_ext\n[crl_ext]\nauthorityKeyIdentifier = keyid:always\n"
    );
    let path = format!("{name}-ca.cnf");
    std::fs::write(dir.join(&path), config).unwrap();
    path
}

#[test]
fn openssl_hierarchy_through_entente_and_back() {
    if !have_openssl() {
        println!("openssl not found: skipping the OpenSSL interoperability test");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("ext.cnf"), EXTENSIONS).unwrap();
    for name in ["root", "int", "leaf"] {
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                &format!("{name}.key"),
            ],
        );
    }
    openssl(
        d,
        &[
            "req",
            "-new",
            "-x509",
            "-config",
            "ext.cnf",
            "-extensions",
            "root_ext",
            "-key",
            "root.key",
            "-subj",
            "/CN=OpenSSL Root/O=Nation X",
            "-days",
            "365",
            "-sha256",
            "-out",
            "root.pem",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-config",
            "ext.cnf",
            "-key",
            "int.key",
            "-subj",
            "/CN=OpenSSL Intermediate/O=Nation X",
            "-out",
            "int.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "int.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-set_serial",
            "2",
            "-days",
            "200",
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-extensions",
            "int_ext",
            "-out",
            "int.pem",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-config",
            "ext.cnf",
            "-key",
            "leaf.key",
            "-subj",
            "/CN=OpenSSL Translator/O=Nation X",
            "-out",
            "leaf.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "int.pem",
            "-CAkey",
            "int.key",
            "-set_serial",
            "3",
            "-days",
            "90",
            "-sha256",
            "-extfile",
            "ext.cnf",
            "-extensions",
            "leaf_ext",
            "-out",
            "leaf.pem",
        ],
    );
    let root_ca = ca_config(d, "root");
    let int_ca = ca_config(d, "int");
    openssl(
        d,
        &["ca", "-config", &root_ca, "-gencrl", "-out", "root.crl"],
    );
    openssl(
        d,
        &["ca", "-config", &int_ca, "-gencrl", "-out", "int-0.crl"],
    );

    let now = entente_now();
    let t = at(now + 5);
    // The OpenSSL chain validates with entente, with and without CRLs.
    let base = [
        "x509",
        "verify",
        "leaf.pem",
        "--intermediate",
        "int.pem",
        "--anchor",
        "root.pem",
        "--profile",
        "translator",
    ];
    let v = json(d, &[&base[..], &["--at", &t]].concat());
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["path"].as_array().unwrap().len(), 2);
    let v = json(
        d,
        &[
            &base[..],
            &["--crl", "root.crl", "--crl", "int-0.crl", "--at", &t],
        ]
        .concat(),
    );
    assert_eq!(v["revocation_checked"], true);
    // Revoked with an OpenSSL-made CRL: a named failure.
    openssl(
        d,
        &[
            "ca",
            "-config",
            &int_ca,
            "-revoke",
            "leaf.pem",
            "-crl_reason",
            "keyCompromise",
        ],
    );
    openssl(
        d,
        &["ca", "-config", &int_ca, "-gencrl", "-out", "int-1.crl"],
    );
    let (code, err) = fails(
        d,
        &[
            &base[..],
            &[
                "--crl",
                "root.crl",
                "--crl",
                "int-1.crl",
                "--at",
                &at(now + 10),
            ],
        ]
        .concat(),
    );
    assert_eq!(code, 1);
    one_line_naming(&err, "leaf.pem");
    assert!(err.contains("revoked"), "{err}");

    // Import the OpenSSL root as an entente authority and issue from it.
    let imported = json(
        d,
        &[
            "authority",
            "init",
            "nationx",
            "--import-root",
            "root.pem",
            "--key",
            "root.key",
        ],
    );
    assert_eq!(imported["imported"], true);
    ok(
        d,
        &[
            "authority",
            "issue",
            "nationx",
            "--role",
            "policy-signer",
            "--subject",
            "CN=Entente policy signer,O=Nation X",
            "--out",
            "ps",
        ],
    );
    ok(
        d,
        &[
            "authority",
            "issue",
            "nationx",
            "--role",
            "translator",
            "--subject",
            "CN=Entente translator,O=Nation X",
            "--key",
            "leaf.key",
            "--out",
            "tr",
        ],
    );
    ok(
        d,
        &[
            "authority",
            "issue",
            "nationx",
            "--role",
            "ca",
            "--subject",
            "CN=Entente sub-CA,O=Nation X",
            "--out",
            "sub",
        ],
    );
    let crl = json(d, &["authority", "crl", "nationx", "--out", "nationx.crl"]);
    assert_eq!(crl["crl_number"], 1);
    // OpenSSL accepts what entente issued, its CRL included.
    for cert in ["ps.pem", "tr.pem", "sub.pem"] {
        let out = openssl(d, &["verify", "-CAfile", "root.pem", cert]);
        assert!(out.contains(": OK"), "{out}");
    }
    let out = openssl(
        d,
        &[
            "verify",
            "-crl_check",
            "-CAfile",
            "root.pem",
            "-CRLfile",
            "nationx.crl",
            "ps.pem",
        ],
    );
    assert!(out.contains(": OK"), "{out}");
    openssl(
        d,
        &["crl", "-in", "nationx.crl", "-noout", "-CAfile", "root.pem"],
    );
    // And entente revokes it in a way OpenSSL sees.
    ok(
        d,
        &[
            "authority",
            "revoke",
            "nationx",
            "ps.pem",
            "--reason",
            "superseded",
        ],
    );
    ok(
        d,
        &["authority", "crl", "nationx", "--out", "nationx-2.crl"],
    );
    let out = Command::new("openssl")
        .current_dir(d)
        .args([
            "verify",
            "-crl_check",
            "-CAfile",
            "root.pem",
            "-CRLfile",
            "nationx-2.crl",
            "ps.pem",
        ])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("revoked"), "{text}");
}

fn entente_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
