//! The admission policy: one partner's sovereign configuration of whom it
//! admits, for what, and how strictly.
//!
//! Authored as JSON or TOML; unknown fields are refused everywhere. The
//! whole configuration is validated on load, and every inconsistency is a
//! typed [`ConfigError`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use entente_core::{AuthorityId, OperationId};
use entente_policy::Scope;
use entente_translate::CoordinatorGrant;
use entente_x509::{Certificate, EkuOids, Oid, TrustAnchor};
use serde::{Deserialize, Serialize};

/// What an authority is. Decided by the admitting partner, never by the
/// authority itself (ARCHITECTURE §1, "authority").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorityKind {
    /// A nation.
    National,
    /// A standing alliance (NATO, AUKUS, Five Eyes).
    Alliance,
    /// An ad-hoc coalition created for one mission.
    AdHocCoalition,
}

/// A kind of artifact an authority may provide to this partner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provision {
    /// Signed vocabularies.
    Vocabularies,
    /// Signed policies.
    Policies,
    /// Signed translations (as a translator's publisher).
    Translations,
    /// Operation declarations.
    Declarations,
    /// Attestations about operations.
    Attestations,
}

impl Provision {
    /// Every provision.
    pub const ALL: [Self; 5] = [
        Self::Vocabularies,
        Self::Policies,
        Self::Translations,
        Self::Declarations,
        Self::Attestations,
    ];
}

impl core::fmt::Display for Provision {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Vocabularies => "vocabularies",
            Self::Policies => "policies",
            Self::Translations => "translations",
            Self::Declarations => "declarations",
            Self::Attestations => "attestations",
        })
    }
}

/// A root certificate as authored: PEM inline, or a PEM file whose path is
/// resolved relative to the policy file ([`AdmissionPolicy::load`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RootSource {
    /// PEM text (one or more certificates).
    Pem(String),
    /// A PEM file.
    File(PathBuf),
}

/// How the partner treats disputed artifacts (entente-attest disputes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeHandling {
    /// A disputed artifact is suspended until the dispute authority
    /// resolves the dispute; an upheld dispute refuses it (default).
    #[default]
    Suspend,
    /// Disputes are recorded but do not change admission.
    Ignore,
}

/// One admitted authority, as authored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorityConfig {
    /// The partner's local name for the authority (unique in the policy).
    pub name: String,
    /// What the authority is.
    pub kind: AuthorityKind,
    /// The authority's id, if stated: it must equal the SHA-256 of the
    /// roots' SubjectPublicKeyInfo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<AuthorityId>,
    /// The authority's root certificate(s); all must share one key.
    pub roots: Vec<RootSource>,
    /// The operations (or alliance tags) in which its artifacts are admitted.
    #[serde(default = "scope_any")]
    pub scope: Scope,
    /// What it may provide.
    pub provides: Vec<Provision>,
}

fn scope_any() -> Scope {
    Scope::Any
}

/// A coordination authority accepted for translations between a pair, as
/// authored (names refer to [`AuthorityConfig::name`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoordinatorConfig {
    /// The coordination authority.
    pub coordinator: String,
    /// The authority whose policies are translated (A).
    pub source: String,
    /// The authority into whose terms they are translated (B).
    pub target: String,
    /// The operations the grant covers (default: any).
    #[serde(default = "scope_any")]
    pub operations: Scope,
}

/// The admission policy as authored, before validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    /// The name of the partner's own authority (must be in `authorities`).
    pub home: String,
    /// Every authority the partner admits, home included.
    pub authorities: Vec<AuthorityConfig>,
    /// Coordination authorities accepted per pair.
    #[serde(default)]
    pub coordinators: Vec<CoordinatorConfig>,
    /// Most translations composed on a path (default 1).
    #[serde(default = "default_hops")]
    pub max_translation_hops: usize,
    /// Oldest revocation data accepted, in seconds (freeze defence).
    pub max_crl_age_secs: u64,
    /// Tolerated clock difference with partners, in seconds (default 300).
    #[serde(default = "default_skew")]
    pub clock_skew_secs: u64,
    /// How disputes are handled.
    #[serde(default)]
    pub disputes: DisputeHandling,
    /// The OID arc of entente's EKUs (default: the placeholder arc 2.999.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eku_arc: Option<String>,
}

const fn default_hops() -> usize {
    1
}

const fn default_skew() -> u64 {
    300
}

/// Largest translation hop bound accepted: beyond this, conservative
/// composition loses nearly everything and path search grows.
pub const MAX_HOPS_LIMIT: usize = 8;

/// Largest clock skew accepted (one hour): more hides stale data.
pub const MAX_CLOCK_SKEW: u64 = 3600;

/// Largest admission-policy file read, in bytes.
pub const MAX_POLICY_BYTES: u64 = 4 << 20;

/// An admitted authority, validated.
#[derive(Clone, Debug)]
pub struct AdmittedAuthority {
    name: String,
    kind: AuthorityKind,
    id: AuthorityId,
    anchors: Vec<TrustAnchor>,
    scope: Scope,
    provides: BTreeSet<Provision>,
}

impl AdmittedAuthority {
    /// The local name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// What the authority is.
    pub fn kind(&self) -> AuthorityKind {
        self.kind
    }
    /// Its id (SHA-256 of the roots' SubjectPublicKeyInfo).
    pub fn id(&self) -> AuthorityId {
        self.id
    }
    /// Its roots, as trust anchors.
    pub fn anchors(&self) -> &[TrustAnchor] {
        &self.anchors
    }
    /// Where its artifacts are admitted.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }
    /// Whether it may provide `provision`.
    pub fn provides(&self, provision: Provision) -> bool {
        self.provides.contains(&provision)
    }
}

/// A validated admission policy. Only [`AdmissionPolicy::from_json`],
/// [`AdmissionPolicy::from_toml`], [`AdmissionPolicy::load`] and
/// [`AdmissionPolicy::from_document`] construct one.
#[derive(Clone, Debug)]
pub struct AdmissionPolicy {
    home: AuthorityId,
    authorities: BTreeMap<AuthorityId, AdmittedAuthority>,
    coordinators: Vec<CoordinatorGrant>,
    max_translation_hops: usize,
    max_crl_age_secs: u64,
    clock_skew_secs: u64,
    disputes: DisputeHandling,
    eku_oids: EkuOids,
}

/// Why an admission policy is refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The JSON does not parse or does not match the format.
    #[error("admission policy JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// The TOML does not parse or does not match the format.
    #[error("admission policy TOML: {0}")]
    Toml(#[source] toml::de::Error),
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
    /// The policy file is larger than [`MAX_POLICY_BYTES`].
    #[error("{path} is larger than the admission policy size bound")]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The file has no extension `.json` or `.toml`.
    #[error("{path}: admission policy files must end in .json or .toml")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A root given as a file path in a policy read from a string.
    #[error("authority `{authority}`: root file paths need AdmissionPolicy::load")]
    RelativeRootWithoutBase {
        /// The authority.
        authority: String,
    },
    /// A root certificate does not decode.
    #[error("authority `{authority}`: root certificate does not decode: {source}")]
    Root {
        /// The authority.
        authority: String,
        /// The decoding failure.
        #[source]
        source: entente_x509::DecodeError,
    },
    /// An authority without roots.
    #[error("authority `{0}` has no root certificate")]
    NoRoots(String),
    /// Roots of one authority with different keys (different authorities).
    #[error("authority `{0}`: its roots do not share one key")]
    RootsDisagree(String),
    /// The stated id is not the roots' key digest.
    #[error("authority `{name}`: stated id {stated} but the roots' key gives {derived}")]
    IdMismatch {
        /// The authority.
        name: String,
        /// The id in the configuration.
        stated: AuthorityId,
        /// The id derived from the roots.
        derived: AuthorityId,
    },
    /// Two authorities with one name.
    #[error("authority name `{0}` appears twice")]
    DuplicateName(String),
    /// Two configured authorities with one key.
    #[error("authorities `{first}` and `{second}` have the same root key")]
    DuplicateAuthority {
        /// The first.
        first: String,
        /// The second.
        second: String,
    },
    /// An empty authority name.
    #[error("an authority has an empty name")]
    EmptyName,
    /// A provision listed twice.
    #[error("authority `{authority}` lists {provision} twice")]
    DuplicateProvision {
        /// The authority.
        authority: String,
        /// The provision.
        provision: Provision,
    },
    /// An empty operations or alliances list in a scope.
    #[error("authority or grant `{0}` has an empty scope list")]
    EmptyScope(String),
    /// The home authority is not configured.
    #[error("home authority `{0}` is not among the authorities")]
    UnknownHome(String),
    /// A coordinator grant names an authority that is not configured.
    #[error("coordinator grant names unknown authority `{0}`")]
    UnknownAuthority(String),
    /// A coordinator grant for a pair of one authority.
    #[error("coordinator grant for `{0}` to itself")]
    SelfPair(String),
    /// The same grant twice.
    #[error("coordinator grant `{coordinator}` for `{source_name}` to `{target}` appears twice")]
    DuplicateGrant {
        /// The coordinator.
        coordinator: String,
        /// The source authority.
        source_name: String,
        /// The target authority.
        target: String,
    },
    /// A coordinator grant with an alliance-tag scope (translations are
    /// scoped to operations, see entente-translate).
    #[error("coordinator grant `{0}`: alliance scopes are not supported for translations")]
    AllianceGrant(String),
    /// A hop bound of 0 or above [`MAX_HOPS_LIMIT`].
    #[error("max_translation_hops {0} outside 1..={MAX_HOPS_LIMIT}")]
    Hops(usize),
    /// A revocation freshness bound of 0.
    #[error("max_crl_age_secs must be positive")]
    CrlAge,
    /// A clock skew above [`MAX_CLOCK_SKEW`].
    #[error("clock_skew_secs {0} exceeds {MAX_CLOCK_SKEW}")]
    Skew(u64),
    /// The EKU arc does not parse.
    #[error("eku_arc: {0}")]
    EkuArc(#[source] entente_x509::OidError),
}

impl AdmissionPolicy {
    /// Reads and validates a JSON admission policy. Root files are refused
    /// (use [`AdmissionPolicy::load`]).
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let document: PolicyDocument = serde_json::from_str(text).map_err(ConfigError::Json)?;
        Self::from_document(document, None)
    }

    /// Reads and validates a TOML admission policy. Root files are refused
    /// (use [`AdmissionPolicy::load`]).
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let document: PolicyDocument = toml::from_str(text).map_err(ConfigError::Toml)?;
        Self::from_document(document, None)
    }

    /// Loads a `.json` or `.toml` admission policy file; root files are
    /// resolved relative to its directory.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = read_bounded(path)?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let document: PolicyDocument = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::from_str(&text).map_err(ConfigError::Json)?,
            Some("toml") => toml::from_str(&text).map_err(ConfigError::Toml)?,
            _ => {
                return Err(ConfigError::UnknownFormat {
                    path: path.to_path_buf(),
                });
            }
        };
        Self::from_document(document, Some(&base))
    }

    /// Validates an authored document; `base` resolves root file paths.
    pub fn from_document(
        document: PolicyDocument,
        base: Option<&Path>,
    ) -> Result<Self, ConfigError> {
        if document.max_translation_hops == 0 || document.max_translation_hops > MAX_HOPS_LIMIT {
            return Err(ConfigError::Hops(document.max_translation_hops));
        }
        if document.max_crl_age_secs == 0 {
            return Err(ConfigError::CrlAge);
        }
        if document.clock_skew_secs > MAX_CLOCK_SKEW {
            return Err(ConfigError::Skew(document.clock_skew_secs));
        }
        let eku_oids = match &document.eku_arc {
            Some(arc) => EkuOids::under_arc(&Oid::parse(arc).map_err(ConfigError::EkuArc)?),
            None => EkuOids::default(),
        };
        let mut by_name: BTreeMap<String, AuthorityId> = BTreeMap::new();
        let mut authorities = BTreeMap::new();
        for config in document.authorities {
            let authority = admit_authority(config, base)?;
            if by_name.contains_key(&authority.name) {
                return Err(ConfigError::DuplicateName(authority.name));
            }
            if let Some(first) = authorities.get(&authority.id) {
                let first: &AdmittedAuthority = first;
                return Err(ConfigError::DuplicateAuthority {
                    first: first.name.clone(),
                    second: authority.name,
                });
            }
            by_name.insert(authority.name.clone(), authority.id);
            authorities.insert(authority.id, authority);
        }
        let home = *by_name
            .get(&document.home)
            .ok_or_else(|| ConfigError::UnknownHome(document.home.clone()))?;
        let lookup = |name: &str| {
            by_name
                .get(name)
                .copied()
                .ok_or_else(|| ConfigError::UnknownAuthority(name.to_owned()))
        };
        let mut coordinators: Vec<CoordinatorGrant> = Vec::new();
        for grant in document.coordinators {
            let coordinator = lookup(&grant.coordinator)?;
            let source = lookup(&grant.source)?;
            let target = lookup(&grant.target)?;
            if source == target {
                return Err(ConfigError::SelfPair(grant.source));
            }
            check_scope(&grant.operations, &grant.coordinator)?;
            if matches!(grant.operations, Scope::Alliances(_)) {
                return Err(ConfigError::AllianceGrant(grant.coordinator));
            }
            let made = CoordinatorGrant {
                coordinator,
                source,
                target,
                operations: grant.operations,
            };
            if coordinators.iter().any(|g| {
                g.coordinator == made.coordinator
                    && g.source == made.source
                    && g.target == made.target
            }) {
                return Err(ConfigError::DuplicateGrant {
                    coordinator: grant.coordinator,
                    source_name: grant.source,
                    target: grant.target,
                });
            }
            coordinators.push(made);
        }
        Ok(Self {
            home,
            authorities,
            coordinators,
            max_translation_hops: document.max_translation_hops,
            max_crl_age_secs: document.max_crl_age_secs,
            clock_skew_secs: document.clock_skew_secs,
            disputes: document.disputes,
            eku_oids,
        })
    }

    /// The partner's own authority.
    pub fn home(&self) -> AuthorityId {
        self.home
    }

    /// An admitted authority by id.
    pub fn authority(&self, id: &AuthorityId) -> Option<&AdmittedAuthority> {
        self.authorities.get(id)
    }

    /// Every admitted authority, ordered by id.
    pub fn authorities(&self) -> impl Iterator<Item = &AdmittedAuthority> {
        self.authorities.values()
    }

    /// An admitted authority by its local name.
    pub fn authority_by_name(&self, name: &str) -> Option<&AdmittedAuthority> {
        self.authorities.values().find(|a| a.name == name)
    }

    /// The coordinator grants.
    pub fn coordinators(&self) -> &[CoordinatorGrant] {
        &self.coordinators
    }

    /// Whether `coordinator` is named as a coordination authority for some pair.
    pub fn is_coordinator(&self, coordinator: &AuthorityId) -> bool {
        self.coordinators
            .iter()
            .any(|g| g.coordinator == *coordinator)
    }

    /// Most translations composed on one path.
    pub fn max_translation_hops(&self) -> usize {
        self.max_translation_hops
    }

    /// Oldest revocation data accepted, in seconds.
    pub fn max_crl_age_secs(&self) -> u64 {
        self.max_crl_age_secs
    }

    /// Tolerated clock skew, in seconds.
    pub fn clock_skew_secs(&self) -> u64 {
        self.clock_skew_secs
    }

    /// How disputes are handled.
    pub fn disputes(&self) -> DisputeHandling {
        self.disputes
    }

    /// The EKU OIDs credential profiles use.
    pub fn eku_oids(&self) -> &EkuOids {
        &self.eku_oids
    }
}

fn read_bounded(path: &Path) -> Result<String, ConfigError> {
    let io = |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_POLICY_BYTES {
        return Err(ConfigError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    std::fs::read_to_string(path).map_err(io)
}

fn check_scope(scope: &Scope, owner: &str) -> Result<(), ConfigError> {
    match scope {
        Scope::Any => Ok(()),
        Scope::Operations(list) if list.is_empty() => Err(ConfigError::EmptyScope(owner.into())),
        Scope::Alliances(list) if list.is_empty() => Err(ConfigError::EmptyScope(owner.into())),
        _ => Ok(()),
    }
}

fn admit_authority(
    config: AuthorityConfig,
    base: Option<&Path>,
) -> Result<AdmittedAuthority, ConfigError> {
    if config.name.trim().is_empty() {
        return Err(ConfigError::EmptyName);
    }
    check_scope(&config.scope, &config.name)?;
    let mut provides = BTreeSet::new();
    for provision in &config.provides {
        if !provides.insert(*provision) {
            return Err(ConfigError::DuplicateProvision {
                authority: config.name.clone(),
                provision: *provision,
            });
        }
    }
    let mut anchors = Vec::new();
    for root in &config.roots {
        let pem = match root {
            RootSource::Pem(text) => text.clone(),
            RootSource::File(file) => {
                let base = base.ok_or_else(|| ConfigError::RelativeRootWithoutBase {
                    authority: config.name.clone(),
                })?;
                read_bounded(&base.join(file))?
            }
        };
        let certificates = Certificate::all_from_pem(&pem).map_err(|source| ConfigError::Root {
            authority: config.name.clone(),
            source,
        })?;
        anchors.extend(certificates.into_iter().map(TrustAnchor::new));
    }
    let id = anchors
        .first()
        .map(TrustAnchor::authority_id)
        .ok_or_else(|| ConfigError::NoRoots(config.name.clone()))?;
    if anchors.iter().any(|a| a.authority_id() != id) {
        return Err(ConfigError::RootsDisagree(config.name));
    }
    if let Some(stated) = config.id {
        if stated != id {
            return Err(ConfigError::IdMismatch {
                name: config.name,
                stated,
                derived: id,
            });
        }
    }
    Ok(AdmittedAuthority {
        name: config.name,
        kind: config.kind,
        id,
        anchors,
        scope: config.scope,
        provides,
    })
}

/// Whether `inner` (an artifact's scope) lies within `outer` (the scope the
/// partner admits its authority for). `Any` lies only within `Any`; a list
/// lies within the same kind of list that contains every entry.
pub(crate) fn scope_within(inner: &Scope, outer: &Scope) -> bool {
    match (inner, outer) {
        (_, Scope::Any) => true,
        (Scope::Operations(i), Scope::Operations(o)) => i.iter().all(|op| o.contains(op)),
        (Scope::Alliances(i), Scope::Alliances(o)) => i.iter().all(|t| o.contains(t)),
        _ => false,
    }
}

/// Whether a request in `operation` carrying `alliances` lies within `scope`.
pub(crate) fn scope_admits(scope: &Scope, operation: &OperationId, alliances: &[String]) -> bool {
    match scope {
        Scope::Any => true,
        Scope::Operations(ops) => ops.contains(operation),
        Scope::Alliances(tags) => alliances.iter().any(|t| tags.contains(t)),
    }
}
