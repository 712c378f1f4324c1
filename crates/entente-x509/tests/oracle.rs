//! The fuzz oracles run over the vendored PKITS data, truncations and bit
//! flips of it, and hostile pools: none may panic, and path building stays
//! within its budget.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use entente_x509::oracle;

fn files(sub: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors/third-party/pkits")
        .join(sub);
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

fn mutations(data: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![data.to_vec()];
    for cut in [1, 2, 7, data.len() / 2, data.len().saturating_sub(1)] {
        out.push(data[..cut.min(data.len())].to_vec());
    }
    for pos in (0..data.len()).step_by(97) {
        let mut flipped = data.to_vec();
        flipped[pos] ^= 0x5a;
        out.push(flipped);
    }
    out
}

fn pool(certs: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for c in certs {
        out.extend_from_slice(&u16::try_from(c.len()).unwrap().to_be_bytes());
        out.extend_from_slice(c);
    }
    out
}

#[test]
fn certificate_decoder_survives_pkits_and_its_mutations() {
    let certs = files("certs");
    assert_eq!(certs.len(), 405);
    let decoded = certs
        .iter()
        .filter(|c| entente_x509::Certificate::from_der(c).is_ok())
        .count();
    assert!(decoded >= 400, "only {decoded} PKITS certificates decode");
    for c in certs.iter().take(60) {
        for m in mutations(c) {
            oracle::cert_decode(&m);
        }
    }
}

#[test]
fn crl_decoder_survives_pkits_and_its_mutations() {
    let crls = files("crls");
    assert_eq!(crls.len(), 173);
    for c in &crls {
        for m in mutations(c) {
            oracle::crl_decode(&m);
        }
    }
    let decoded = crls
        .iter()
        .filter(|c| entente_x509::Crl::from_der(c).is_ok())
        .count();
    assert!(decoded >= 170, "only {decoded} PKITS CRLs decode");
}

#[test]
fn path_builder_oracle_holds_on_hostile_pools() {
    let certs = files("certs");
    let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    // Every certificate as leaf against the whole suite as pool is too slow;
    // take windows, plus a pool of one CA repeated many times.
    for window in refs.chunks(12).take(20) {
        oracle::path_build(&pool(window));
    }
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/third-party/pkits/certs");
    let read = |n: &str| std::fs::read(dir.join(format!("{n}.crt"))).unwrap();
    let (leaf, ca, root) = (
        read("ValidCertificatePathTest1EE"),
        read("GoodCACert"),
        read("TrustAnchorRootCertificate"),
    );
    let mut hostile: Vec<&[u8]> = vec![&leaf];
    hostile.extend(std::iter::repeat_n(ca.as_slice(), 29));
    hostile.push(&root);
    oracle::path_build(&pool(&hostile));
    oracle::path_build(&pool(&[&leaf, &ca, &root]));
    oracle::path_build(&[]);
    oracle::path_build(&[0xff, 0xff, 0x30]);
}
