//! The files a demo run leaves behind: every public artifact, the report
//! and the trust graph, so that each step can be re-checked with the
//! `entente` commands.

use std::path::{Path, PathBuf};

use super::DemoError;
use super::world::{Coalition, Signed};
use crate::cmd::graph::{Edge, Graph, Node, node_id};

/// Files staged for the output directory.
#[derive(Default)]
pub(crate) struct Staged {
    files: Vec<(String, Vec<u8>)>,
}

impl Staged {
    /// Stages `bytes` at `relative`.
    pub(crate) fn add(&mut self, relative: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.push((relative.into(), bytes.into()));
    }

    /// The staged paths, in order.
    pub(crate) fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(path, _)| path.as_str())
    }

    /// Writes every staged file under `dir`, each atomically.
    pub(crate) fn write(&self, dir: &Path) -> Result<(), DemoError> {
        for (relative, bytes) in &self.files {
            let path = dir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| DemoError::Io {
                    path: parent.to_owned(),
                    source,
                })?;
            }
            entente_audit::atomic_write(&path, bytes)
                .map_err(|e| DemoError::Scenario(format!("{}: {e}", path.display())))?;
        }
        Ok(())
    }
}

/// The output directory: the one asked for, or a new temporary one that is
/// kept after the run.
pub(crate) fn directory(out: Option<&PathBuf>) -> Result<PathBuf, DemoError> {
    match out {
        Some(dir) => {
            let occupied = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
            if occupied {
                return Err(DemoError::OutputNotEmpty(dir.clone()));
            }
            std::fs::create_dir_all(dir).map_err(|source| DemoError::Io {
                path: dir.clone(),
                source,
            })?;
            Ok(dir.clone())
        }
        None => tempfile::Builder::new()
            .prefix("entente-demo-")
            .tempdir()
            .map(tempfile::TempDir::keep)
            .map_err(|source| DemoError::Io {
                path: std::env::temp_dir(),
                source,
            }),
    }
}

fn pem<E: std::fmt::Display>(result: Result<String, E>) -> Result<String, DemoError> {
    result.map_err(|e| DemoError::Scenario(format!("PEM encoding: {e}")))
}

fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, DemoError> {
    serde_json::to_vec_pretty(value).map_err(|e| DemoError::Scenario(format!("JSON encoding: {e}")))
}

fn signed<T: serde::Serialize>(
    staged: &mut Staged,
    stem: &str,
    signed: &Signed<T>,
) -> Result<(), DemoError> {
    staged.add(format!("{stem}.json"), json(&signed.document)?);
    staged.add(format!("{stem}.cose"), signed.bytes.clone());
    Ok(())
}

/// Stages every authority's bundle and every partner's admission policy as
/// published at one moment (`label`: `before` or `after` the disengagement).
pub(crate) fn publication(
    coalition: &Coalition,
    staged: &mut Staged,
    label: &str,
) -> Result<(), DemoError> {
    for (index, authority) in coalition.authorities.iter().enumerate() {
        let dir = authority.name.to_lowercase();
        let bundle = super::publish::bundle(coalition, index)?
            .to_cbor()
            .map_err(super::scenario("bundle encoding"))?;
        staged.add(format!("bundles/{label}/{dir}.cbor"), bundle);
        if label == "before" {
            let policy =
                super::publish::admission_policy(coalition, index, super::publish::file_root)?;
            staged.add(format!("{dir}/admission.json"), json(&policy)?);
        }
    }
    Ok(())
}

/// Stages every authority's public material and signed documents.
pub(crate) fn artifacts(coalition: &Coalition, staged: &mut Staged) -> Result<(), DemoError> {
    for authority in &coalition.authorities {
        let dir = authority.name.to_lowercase();
        staged.add(
            format!("{dir}/root.pem"),
            pem(authority.ca.certificate().to_pem())?,
        );
        for (name, credential) in [
            ("policy-signer", &authority.policy_signer),
            ("attester", &authority.attester),
            ("recorder", &authority.recorder),
            ("log", &authority.log),
            ("witness", &authority.witness),
        ] {
            staged.add(
                format!("{dir}/{name}.pem"),
                pem(credential.certificate.to_pem())?,
            );
        }
        for (index, crl) in authority.crls.iter().enumerate() {
            staged.add(format!("{dir}/crl-{}.pem", index + 1), pem(crl.to_pem())?);
        }
        if let Some(vocabulary) = &authority.vocabulary {
            signed(staged, &format!("{dir}/vocabulary"), vocabulary)?;
        }
        if let Some(policy) = &authority.policy {
            signed(staged, &format!("{dir}/policy"), policy)?;
        }
    }
    for (_, translation) in &coalition.translations {
        signed(
            staged,
            &format!("translations/{}", translation.document.id),
            translation,
        )?;
    }
    signed(staged, "operation/declaration", &coalition.declaration)?;
    for (author, endorsement) in &coalition.endorsements {
        let name = coalition.authority(*author)?.name.to_lowercase();
        signed(
            staged,
            &format!("operation/endorsement-{name}"),
            endorsement,
        )?;
    }
    Ok(())
}

/// The coalition's trust graph as it stands at the end of the run:
/// authorities, translator credentials (valid or revoked), coordination
/// grants, and each translation as admitted or refused by the partner that
/// uses it (its target).
pub(crate) fn trust_graph(
    coalition: &Coalition,
    partners: &[super::mission::Partner],
) -> Result<Graph, DemoError> {
    use super::world::{CJTF, NATO};
    let authority_node = |id: &entente_core::AuthorityId| node_id("a", id.digest());
    let mut graph = Graph {
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    for authority in &coalition.authorities {
        graph.nodes.push(Node {
            id: authority_node(&authority.id()),
            kind: "authority",
            label: format!("{} ({:?})", authority.name, authority.kind),
            authority: Some(authority.id().to_string()),
        });
    }
    for translator in [
        &coalition.bilateral,
        &coalition.nato_translator,
        &coalition.cjtf_translator,
    ] {
        let first = translator.credential(0)?;
        let id = node_id("t", &first.kid());
        graph.nodes.push(Node {
            id: id.clone(),
            kind: "translator",
            label: crate::cmd::graph::common_name(&first.certificate),
            authority: None,
        });
        for credential in &translator.credentials {
            let issuer = coalition
                .authorities
                .iter()
                .find(|a| a.ca.certificate().subject_der() == credential.certificate.issuer_der())
                .ok_or_else(|| DemoError::Scenario("translator issuer not found".into()))?;
            let revoked = issuer
                .ca
                .state()
                .revoked
                .iter()
                .any(|e| e.serial == credential.certificate.serial());
            graph.edges.push(Edge {
                from: authority_node(&issuer.id()),
                to: id.clone(),
                kind: "translator_credential",
                label: "certifies translator".into(),
                status: if revoked { "revoked" } else { "valid" }.into(),
            });
        }
    }
    for (publisher, translation) in &coalition.translations {
        let target = translation.document.target.authority;
        let status = partners
            .iter()
            .find(|p| coalition.authority(p.index).is_ok_and(|a| a.id() == target))
            .and_then(|p| p.admission.as_ref())
            .map_or_else(
                || "not evaluated".to_owned(),
                |admission| {
                    if admission.report.is_admitted(&translation.id) {
                        "admitted".to_owned()
                    } else {
                        admission
                            .report
                            .rejection(&translation.id)
                            .map_or_else(|| "withdrawn".to_owned(), |r| r.reason.code().to_owned())
                    }
                },
            );
        let basis = match *publisher {
            NATO => " via NATO",
            CJTF => " via CJTF",
            _ => " dual-domain",
        };
        graph.edges.push(Edge {
            from: authority_node(&translation.document.source.authority),
            to: authority_node(&target),
            kind: "translation",
            label: format!("{}{basis}", translation.document.id),
            status,
        });
    }
    for (coordinator, translator) in [
        (NATO, &coalition.nato_translator),
        (CJTF, &coalition.cjtf_translator),
    ] {
        graph.edges.push(Edge {
            from: authority_node(&coalition.authority(coordinator)?.id()),
            to: node_id("t", &translator.credential(0)?.kid()),
            kind: "coordinates",
            label: "named coordinator".into(),
            status: "valid".into(),
        });
    }
    Ok(graph)
}
