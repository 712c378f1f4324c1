//! `entente graph`: the trust graph — authorities, cross-certificates,
//! translator credentials and translations, admitted or revoked — as
//! Graphviz DOT or Mermaid.

use std::fmt::Write as _;
use std::path::PathBuf;

use entente_core::{AuthorityId, Digest256, OperationId, default_provider};
use entente_policy::Scope;
use entente_translate::{
    AdmissionContext, AuthorityTrust, Refusal, Translation, admit_translation,
};
use entente_x509::{
    Budget, Certificate, PolicyInputs, Profile, Rule, TrustAnchor, ValidationError,
};
use serde::Serialize;

use crate::Ctx;
use crate::authdir;
use crate::clock::AtArg;
use crate::cmd::document::{read_unverified, read_vocabulary};
use crate::error::{CliError, Result, chain};
use crate::files::{self, Outputs};
use crate::trust::{Trust, TrustArgs};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// `graph`
#[derive(Debug, clap::Args)]
pub(crate) struct GraphArgs {
    /// An authority: its directory or root certificate (repeatable).
    #[arg(long = "authority", value_name = "DIR|FILE", required = true)]
    pub(crate) authorities: Vec<PathBuf>,
    /// A cross-certificate (repeatable).
    #[arg(long = "cross", value_name = "FILE")]
    pub(crate) cross: Vec<PathBuf>,
    /// A translator credential (repeatable).
    #[arg(long = "translator", value_name = "FILE")]
    pub(crate) translators: Vec<PathBuf>,
    /// A signed translation (repeatable); admissibility is decided with --vocab and --crl.
    #[arg(long = "translation", value_name = "FILE")]
    pub(crate) translations: Vec<PathBuf>,
    /// Signed vocabularies the translations map between (repeatable).
    #[arg(long = "vocab", value_name = "FILE")]
    pub(crate) vocabs: Vec<PathBuf>,
    /// CRLs (repeatable): revoked credentials become revoked edges.
    #[arg(long = "crl", value_name = "FILE")]
    pub(crate) crls: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "dot")]
    pub(crate) format: Format,
    /// Write the graph here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) at: AtArg,
}

/// A node: an authority or a translator credential.
#[derive(Debug, Serialize)]
pub(crate) struct Node {
    /// Graph identifier.
    pub(crate) id: String,
    /// `authority` or `translator`.
    pub(crate) kind: &'static str,
    /// Label shown.
    pub(crate) label: String,
    /// The authority id, for authorities.
    pub(crate) authority: Option<String>,
}

/// An edge.
#[derive(Debug, Serialize)]
pub(crate) struct Edge {
    /// Source node.
    pub(crate) from: String,
    /// Target node.
    pub(crate) to: String,
    /// `cross_certificate`, `translator_credential`, `coordinates` or `translation`.
    pub(crate) kind: &'static str,
    /// Label shown.
    pub(crate) label: String,
    /// `valid`, `admitted`, `revoked` or why it is refused.
    pub(crate) status: String,
}

/// The trust graph.
#[derive(Debug, Serialize)]
pub(crate) struct Graph {
    /// Nodes.
    pub(crate) nodes: Vec<Node>,
    /// Edges.
    pub(crate) edges: Vec<Edge>,
}

/// A node identifier from a digest.
pub(crate) fn node_id(prefix: &str, digest: &Digest256) -> String {
    format!("{prefix}{}", digest.to_hex().get(..12).unwrap_or_default())
}

/// The CN of a certificate's subject, or the whole subject.
pub(crate) fn common_name(certificate: &Certificate) -> String {
    let subject = authdir::subject(certificate);
    subject
        .split(',')
        .find_map(|part| part.trim().strip_prefix("CN="))
        .map_or(subject.clone(), str::to_owned)
}

fn status_of(
    result: &std::result::Result<entente_x509::VerifiedChain, ValidationError>,
) -> Option<String> {
    match result {
        Ok(_) => Some("valid".to_owned()),
        Err(ValidationError::Path {
            rule: Rule::Revoked { .. },
            ..
        }) => Some("revoked".to_owned()),
        Err(ValidationError::NoIssuer { .. }) => None,
        Err(error) => Some(format!("invalid: {}", chain(error))),
    }
}

/// Runs `entente graph`.
pub(crate) fn run(ctx: &Ctx, args: &GraphArgs) -> Result<()> {
    let time = args.at.time();
    let trust = Trust::load(&TrustArgs {
        anchors: args.authorities.clone(),
        intermediates: Vec::new(),
        crls: args.crls.clone(),
        max_crl_age: None,
    })?;
    let mut graph = Graph {
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    let mut authorities: Vec<(AuthorityId, String, TrustAnchor)> = Vec::new();
    for (_, anchor) in &trust.anchors {
        let id = anchor.authority_id();
        let name = common_name(anchor.certificate());
        let label = format!(
            "{name}\n{}",
            id.digest().to_hex().get(..8).unwrap_or_default()
        );
        graph.nodes.push(Node {
            id: node_id("a", id.digest()),
            kind: "authority",
            label,
            authority: Some(id.to_string()),
        });
        authorities.push((id, name, anchor.clone()));
    }
    let policy = PolicyInputs::default();
    // Cross-certificates: issuer authority → certified authority.
    for path in &args.cross {
        let certificate = files::read_certificate(path)?;
        let subject = AuthorityId::from_spki_der(certificate.spki_der());
        for (issuer, _, anchor) in &authorities {
            if *issuer == subject {
                continue;
            }
            let result = trust.validate_with(
                &certificate,
                std::slice::from_ref(anchor),
                &Profile::authority_ca(),
                &policy,
                time,
            );
            if let Some(status) = status_of(&result) {
                graph.edges.push(Edge {
                    from: node_id("a", issuer.digest()),
                    to: node_id("a", subject.digest()),
                    kind: "cross_certificate",
                    label: "cross-certifies".to_owned(),
                    status,
                });
            }
        }
    }
    // Translator credentials: certifying authority → translator.
    let mut translator_certs = Vec::new();
    let translator_profile = Profile::translator(&ctx.oids);
    for path in &args.translators {
        let certificate = files::read_certificate(path)?;
        let id = node_id("t", &Digest256::sha256(certificate.spki_der()));
        if !graph.nodes.iter().any(|n| n.id == id) {
            graph.nodes.push(Node {
                id: id.clone(),
                kind: "translator",
                label: common_name(&certificate),
                authority: None,
            });
        }
        for (authority, _, anchor) in &authorities {
            let result = trust.validate_with(
                &certificate,
                std::slice::from_ref(anchor),
                &translator_profile,
                &policy,
                time,
            );
            if let Some(status) = status_of(&result) {
                graph.edges.push(Edge {
                    from: node_id("a", authority.digest()),
                    to: id.clone(),
                    kind: "translator_credential",
                    label: "certifies translator".to_owned(),
                    status,
                });
            }
        }
        translator_certs.push(certificate);
    }
    // Translations: source authority → target authority.
    let vocabularies = args
        .vocabs
        .iter()
        .map(|p| read_vocabulary(p))
        .collect::<Result<Vec<_>>>()?;
    let anchors_of = |id: &AuthorityId| {
        authorities
            .iter()
            .find(|(a, _, _)| a == id)
            .map(|(_, _, anchor)| anchor)
    };
    for path in &args.translations {
        let (_, envelope, translation) = read_unverified::<Translation>(path)?;
        let source = translation.source;
        let target = translation.target;
        let find = |id| vocabularies.iter().find(|(_, artifact)| *artifact == id);
        let status = match (find(source.vocabulary), find(target.vocabulary)) {
            (Some(s), Some(t)) => {
                let operation = match &translation.scope {
                    Scope::Operations(ops) => ops.first().copied(),
                    _ => None,
                }
                .unwrap_or_else(|| OperationId::from_digest(Digest256::from_bytes([0; 32])));
                let lookup = |id: &AuthorityId| {
                    anchors_of(id).map(|anchor| AuthorityTrust {
                        anchors: std::slice::from_ref(anchor),
                        crls: &trust.crls,
                    })
                };
                let context = AdmissionContext {
                    time,
                    operation,
                    provider: default_provider(),
                    profile: &translator_profile,
                    max_crl_age: None,
                    budget: Budget::default(),
                    trust: &lookup,
                    coordinators: &[],
                };
                match admit_translation(
                    &envelope,
                    &translator_certs,
                    &context,
                    (&s.0, s.1),
                    (&t.0, t.1),
                ) {
                    Ok(_) => "admitted".to_owned(),
                    Err(Refusal::Revoked { .. }) => "revoked".to_owned(),
                    Err(refusal) => format!("refused: {}", chain(&refusal)),
                }
            }
            _ => "unverified (vocabularies not given)".to_owned(),
        };
        graph.edges.push(Edge {
            from: node_id("a", source.authority.digest()),
            to: node_id("a", target.authority.digest()),
            kind: "translation",
            label: format!("{} v{}", translation.id, translation.version.0),
            status,
        });
        for info in envelope.signatures() {
            if let Some(cert) = translator_certs.iter().find(|c| c.digest() == info.kid) {
                let id = node_id("t", &Digest256::sha256(cert.spki_der()));
                graph.edges.push(Edge {
                    from: id,
                    to: node_id("a", target.authority.digest()),
                    kind: "signs_translation",
                    label: format!("signs {}", translation.id),
                    status: "valid".to_owned(),
                });
            }
        }
    }
    let text = if ctx.json {
        serde_json::to_string_pretty(&graph)
            .map_err(|e| CliError::plain(crate::error::with_context("cannot encode JSON", &e)))?
            + "\n"
    } else {
        match args.format {
            Format::Dot => dot(&graph),
            Format::Mermaid => mermaid(&graph),
        }
    };
    match &args.out {
        Some(out) => {
            let mut outputs = Outputs::new();
            outputs.add(out, text);
            outputs.commit()
        }
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Renders Graphviz DOT.
pub(crate) fn dot(graph: &Graph) -> String {
    let mut out =
        String::from("digraph entente {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for n in &graph.nodes {
        let shape = if n.kind == "authority" {
            "box"
        } else {
            "ellipse"
        };
        let _ = writeln!(
            out,
            "  {} [label=\"{}\", shape={shape}];",
            n.id,
            escape(&n.label)
        );
    }
    for e in &graph.edges {
        let (color, style) = match (e.kind, e.status.as_str()) {
            (_, "revoked") => ("red", "dotted"),
            (_, s) if s != "valid" && s != "admitted" => ("gray", "dashed"),
            ("translation", _) => ("blue", "bold"),
            ("cross_certificate", _) => ("black", "solid"),
            _ => ("darkgreen", "solid"),
        };
        let label = if e.status == "valid" {
            e.label.clone()
        } else {
            format!("{} ({})", e.label, e.status)
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label=\"{}\", color={color}, style={style}];",
            e.from,
            e.to,
            escape(&label)
        );
    }
    out.push_str("}\n");
    out
}

/// Renders a Mermaid flowchart.
pub(crate) fn mermaid(graph: &Graph) -> String {
    let mut out = String::from("graph LR\n");
    for n in &graph.nodes {
        let label = n.label.replace('"', "'").replace('\n', "<br/>");
        if n.kind == "authority" {
            let _ = writeln!(out, "  {}[\"{label}\"]", n.id);
        } else {
            let _ = writeln!(out, "  {}([\"{label}\"])", n.id);
        }
    }
    for e in &graph.edges {
        let arrow = match e.status.as_str() {
            "valid" | "admitted" if e.kind == "translation" => "==>",
            "valid" | "admitted" => "-->",
            _ => "-.->",
        };
        let label = if e.status == "valid" {
            e.label.clone()
        } else {
            format!("{} ({})", e.label, e.status)
        };
        let _ = writeln!(
            out,
            "  {} {arrow}|\"{}\"| {}",
            e.from,
            label.replace('"', "'"),
            e.to
        );
    }
    out
}
