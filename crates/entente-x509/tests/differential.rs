//! Differential test against `openssl verify`: seeded random hierarchies
//! (depth 1-5, random pathLen, name constraints, policies and mappings,
//! policy constraints, validity, revocations, stale CRLs, and random RFC 5280
//! user inputs) are issued by entente, then validated by entente and by
//! `openssl verify -attime -policy_check [-explicit_policy] [-inhibit_map]
//! [-inhibit_any] [-policy ...] -crl_check_all`. Both must give the same verdict.
//!
//! Not compared: EKUs (`openssl verify` checks only its own purposes; entente
//! checks EKUs through profiles, covered by the hierarchy tests).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::Command;

use entente_core::{KeyKind, Signer as _, SigningKey, UnixTime, Validity};
use entente_x509::*;

const HIERARCHIES: u64 = 200;
const NOW: UnixTime = UnixTime::from_secs(1_800_000_000);
const DAY: u64 = 86_400;

/// xorshift64*: a seeded generator, so every run compares the same hierarchies.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn pol(n: u64) -> ObjectIdentifier {
    ObjectIdentifier::new(&format!("1.3.6.1.4.1.99999.2.{n}")).unwrap()
}

fn random_policies(rng: &mut Rng) -> Vec<ObjectIdentifier> {
    if rng.chance(10) {
        return Vec::new();
    }
    if rng.chance(35) {
        return vec![ANY_POLICY];
    }
    let mut out = Vec::new();
    for n in 1..=3 {
        if rng.chance(50) {
            out.push(pol(n));
        }
    }
    if out.is_empty() {
        out.push(pol(1 + rng.below(3)));
    }
    out
}

fn pem(der: &[u8], label: &str) -> String {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap()
}

struct Case {
    root: Certificate,
    /// Intermediates then leaf, top-down.
    chain: Vec<Certificate>,
    crls: Vec<Crl>,
    inputs: PolicyInputs,
    description: String,
}

fn validity(rng: &mut Rng) -> Validity {
    match rng.below(30) {
        0 => Validity {
            not_before: NOW.saturating_sub(30 * DAY),
            not_after: NOW.saturating_sub(DAY),
        },
        1 => Validity {
            not_before: NOW.saturating_add(DAY),
            not_after: NOW.saturating_add(30 * DAY),
        },
        _ => Validity {
            not_before: NOW.saturating_sub(30 * DAY),
            not_after: NOW.saturating_add(300 * DAY),
        },
    }
}

fn generate(seed: u64) -> Case {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let depth = 1 + rng.below(5) as usize;
    let mut desc = format!("seed {seed} depth {depth}");
    let kinds = [KeyKind::P256, KeyKind::P384];
    let root_key =
        SigningKey::derive_from_seed(KeyKind::P256, &seed.to_be_bytes(), "root").unwrap();
    let mut p = CertificateParams::ca(
        dn(&format!("CN=Root {seed},O=Diff")).unwrap(),
        1,
        Validity {
            not_before: NOW.saturating_sub(100 * DAY),
            not_after: NOW.saturating_add(1000 * DAY),
        },
        None,
    );
    p.policies = vec![ANY_POLICY];
    let root = issue_root(&p, &root_key).unwrap();
    let mut issuers: Vec<(Certificate, SigningKey)> = vec![(root.clone(), root_key)];
    let mut chain = Vec::new();
    for level in 0..depth {
        let is_leaf = level + 1 == depth;
        let kind = kinds[rng.below(2) as usize];
        let key =
            SigningKey::derive_from_seed(kind, &seed.to_be_bytes(), &format!("c{level}")).unwrap();
        let serial = 10 + level as u64;
        let mut params = if is_leaf {
            let mut p = CertificateParams::leaf(
                dn(&format!("CN=leaf {seed},O=Diff")).unwrap(),
                serial,
                validity(&mut rng),
                vec![],
            );
            let host = ["x.a.example", "y.b.example", "a.example"][rng.below(3) as usize];
            p.subject_alt_names = vec![dns_name(host).unwrap()];
            desc.push_str(&format!(" leaf[san {host}"));
            p
        } else {
            let path_len = if rng.chance(40) {
                Some(rng.below(3) as u8)
            } else {
                None
            };
            let mut p = CertificateParams::ca(
                dn(&format!("CN=CA {level},O=Diff")).unwrap(),
                serial,
                validity(&mut rng),
                path_len,
            );
            desc.push_str(&format!(" ca{level}[pathlen {path_len:?}"));
            if rng.chance(25) {
                let base = ["a.example", "b.example"][rng.below(2) as usize];
                if rng.chance(50) {
                    p.permitted = vec![dns_name(base).unwrap()];
                    desc.push_str(&format!(" permit {base}"));
                } else {
                    p.excluded = vec![dns_name(base).unwrap()];
                    desc.push_str(&format!(" exclude {base}"));
                }
            }
            if rng.chance(20) {
                let from = 1 + rng.below(3);
                let to = 1 + rng.below(3);
                if from != to {
                    p.policy_mappings = vec![(pol(from), pol(to))];
                    desc.push_str(&format!(" map {from}->{to}"));
                }
            }
            if rng.chance(15) {
                p.require_explicit_policy = Some(rng.below(3) as u32);
                desc.push_str(&format!(" requireExplicit {:?}", p.require_explicit_policy));
            }
            if rng.chance(10) {
                p.inhibit_policy_mapping = Some(rng.below(2) as u32);
                desc.push_str(&format!(" inhibitMap {:?}", p.inhibit_policy_mapping));
            }
            if rng.chance(10) {
                p.inhibit_any_policy = Some(rng.below(2) as u32);
                desc.push_str(&format!(" inhibitAny {:?}", p.inhibit_any_policy));
            }
            if rng.chance(5) {
                p.key_usage = Some(KeyUsage::CRL_SIGN);
                desc.push_str(" no-keyCertSign");
            }
            p
        };
        params.policies = random_policies(&mut rng);
        desc.push_str(&format!(
            " policies {:?}]",
            params
                .policies
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        ));
        let (icert, ikey) = issuers.last().unwrap();
        let cert = issue(&params, key.public_key(), icert, ikey).unwrap();
        chain.push(cert.clone());
        issuers.push((cert, key));
    }
    // One CRL per CA (root included), with random revocations and staleness.
    let mut crls = Vec::new();
    for (i, (cert, key)) in issuers.iter().enumerate().take(depth) {
        let mut revoked = Vec::new();
        if rng.chance(8) {
            revoked.push(RevokedEntry {
                serial: chain[i].serial().to_vec(),
                date: NOW.saturating_sub(DAY),
                reason: RevocationReason::KeyCompromise,
            });
            desc.push_str(&format!(" revoked {i}"));
        }
        let stale = rng.chance(4);
        if stale {
            desc.push_str(&format!(" stale-crl {i}"));
        }
        let next = if stale {
            NOW.saturating_sub(DAY)
        } else {
            NOW.saturating_add(7 * DAY)
        };
        let params = CrlParams {
            this_update: NOW.saturating_sub(2 * DAY),
            next_update: Some(next),
            number: 1,
            revoked,
        };
        crls.push(issue_crl(&params, cert, key).unwrap());
    }
    let inputs = PolicyInputs {
        initial_policy_set: if rng.chance(30) {
            Some(vec![pol(1 + rng.below(3))])
        } else {
            None
        },
        explicit_policy: rng.chance(30),
        inhibit_policy_mapping: rng.chance(15),
        inhibit_any_policy: rng.chance(15),
    };
    desc.push_str(&format!(" inputs {inputs:?}"));
    Case {
        root,
        chain,
        crls,
        inputs,
        description: desc,
    }
}

fn entente_verdict(case: &Case) -> Result<(), String> {
    let leaf = case.chain.last().unwrap();
    let pool = &case.chain[..case.chain.len() - 1];
    let options = ValidationOptions {
        time: NOW,
        policy: &case.inputs,
        revocation: Some(CrlCheck {
            crls: &case.crls,
            max_age: None,
        }),
        budget: Budget::default(),
        provider: entente_core::default_provider(),
    };
    validate(
        leaf,
        pool,
        &[TrustAnchor::new(case.root.clone())],
        &Profile::rfc5280(),
        &options,
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

fn openssl_verdict(case: &Case, dir: &std::path::Path) -> Result<(), String> {
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let root = write("root.pem", pem(case.root.der(), "CERTIFICATE"));
    let leaf = write(
        "leaf.pem",
        pem(case.chain.last().unwrap().der(), "CERTIFICATE"),
    );
    let untrusted: String = case.chain[..case.chain.len() - 1]
        .iter()
        .map(|c| pem(c.der(), "CERTIFICATE"))
        .collect();
    let untrusted = write("untrusted.pem", untrusted);
    let crls = write(
        "crls.pem",
        case.crls.iter().map(|c| pem(c.der(), "X509 CRL")).collect(),
    );
    let mut cmd = Command::new("openssl");
    cmd.arg("verify")
        .arg("-attime")
        .arg(NOW.as_secs().to_string())
        .arg("-CAfile")
        .arg(&root)
        .arg("-crl_check_all")
        .arg("-CRLfile")
        .arg(&crls)
        .arg("-policy_check");
    if !case.chain[..case.chain.len() - 1].is_empty() {
        cmd.arg("-untrusted").arg(&untrusted);
    }
    if case.inputs.explicit_policy {
        cmd.arg("-explicit_policy");
    }
    if case.inputs.inhibit_policy_mapping {
        cmd.arg("-inhibit_map");
    }
    if case.inputs.inhibit_any_policy {
        cmd.arg("-inhibit_any");
    }
    // openssl's default user-initial-policy-set is empty, not RFC 5280's
    // {anyPolicy}: name anyPolicy explicitly to compare like with like.
    match &case.inputs.initial_policy_set {
        Some(set) => set.iter().for_each(|p| {
            cmd.arg("-policy").arg(p.to_string());
        }),
        None => {
            cmd.arg("-policy").arg(ANY_POLICY.to_string());
        }
    }
    cmd.arg(&leaf);
    let out = cmd.output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr))
    }
}

/// Disagreements understood and accepted, by seed, with the reason.
const KNOWN: &[(u64, &str)] = &[];

#[test]
fn entente_agrees_with_openssl_verify_on_random_hierarchies() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("SKIPPED: the openssl CLI is not installed; differential test not run");
        return;
    }
    // Two shards, one per core.
    let shards: Vec<(u64, u64, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2u64)
            .map(|shard| {
                scope.spawn(move || {
                    let dir = tempfile::tempdir().unwrap();
                    let (mut compared, mut valid, mut disagreements) = (0u64, 0u64, Vec::new());
                    for seed in (0..HIERARCHIES).filter(|s| s % 2 == shard) {
                        let case = generate(seed);
                        let ours = entente_verdict(&case);
                        let theirs = openssl_verdict(&case, dir.path());
                        compared += 1;
                        if ours.is_ok() {
                            valid += 1;
                        }
                        if ours.is_ok() != theirs.is_ok() && !KNOWN.iter().any(|(s, _)| *s == seed)
                        {
                            disagreements.push(format!(
                                "{}\n  entente: {ours:?}\n  openssl: {theirs:?}",
                                case.description
                            ));
                        }
                    }
                    (compared, valid, disagreements)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let compared: u64 = shards.iter().map(|s| s.0).sum();
    let valid: u64 = shards.iter().map(|s| s.1).sum();
    let disagreements: Vec<String> = shards.into_iter().flat_map(|s| s.2).collect();
    let summary = format!(
        "differential: {compared} hierarchies compared with openssl verify ({valid} valid), {} disagreements",
        disagreements.len()
    );
    println!("{summary}");
    assert_eq!(compared, HIERARCHIES);
    assert!(
        valid > 0 && valid < compared,
        "{summary}: the generator must produce both verdicts"
    );
    assert!(
        disagreements.is_empty(),
        "{summary}\n{}",
        disagreements.join("\n")
    );
}
