//! Policies: an authority's rules over its own vocabulary.

use entente_core::{ArtifactId, AuthorityId, Document, OperationId, Validity, Version};
use serde::{Deserialize, Serialize};

use crate::error::{DocumentKind, ListField, ValidationError};
use crate::limits::Limits;
use crate::vocabulary::check_name;

/// An authority's rules over resources it owns, in its own vocabulary.
///
/// Evaluation is default deny; a forbid rule that matches overrides every
/// permit; a permit applies only when the subject's clearance dominates the
/// resource label. The order of `rules` never changes a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The policy's name within its authority.
    pub id: String,
    /// Version; versions of one policy increase strictly.
    pub version: Version,
    /// The authority that issues the policy and owns the resources it
    /// governs.
    pub authority: AuthorityId,
    /// The signed vocabulary whose terms the rules use.
    pub vocabulary: ArtifactId,
    /// Where the policy applies.
    pub scope: Scope,
    /// When the policy applies.
    pub validity: Validity,
    /// The rules; their order is not significant.
    pub rules: Vec<Rule>,
}

impl Document for Policy {
    const CONTENT_TYPE: &'static str = "application/vnd.entente.policy+cbor";
}

/// The operations in which a policy applies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every operation.
    Any,
    /// Only the listed operations.
    Operations(Vec<OperationId>),
    /// Only operations carrying one of these alliance tags (e.g. `NATO`,
    /// `AUKUS`); the request says which tags its operation carries.
    Alliances(Vec<String>),
}

/// A set of values a rule matches: everything, or the listed values.
///
/// There is deliberately no "empty list means any": an empty `Only` list is
/// refused as a likely mistake ([`ValidationError::EmptyList`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Match<T> {
    /// Every value.
    Any,
    /// Only these values.
    Only(Vec<T>),
}

impl<T: PartialEq> Match<T> {
    /// Whether `value` is in the set.
    pub fn contains(&self, value: &T) -> bool {
        match self {
            Self::Any => true,
            Self::Only(values) => values.contains(value),
        }
    }
}

/// Whether a rule permits or forbids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Permits, if no forbid rule matches and the clearance dominates.
    Permit,
    /// Forbids, whatever any permit says.
    Forbid,
}

/// A subject's role in the operation of the request (ARCHITECTURE §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The lead partner.
    Lead,
    /// A supporting partner.
    Supporting,
    /// An observing partner.
    Observing,
}

impl Role {
    /// All roles.
    pub const ALL: [Self; 3] = [Self::Lead, Self::Supporting, Self::Observing];

    pub(crate) const fn bit(self) -> u8 {
        match self {
            Self::Lead => 1,
            Self::Supporting => 2,
            Self::Observing => 4,
        }
    }
}

/// One rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The rule's name, unique in its policy; decisions cite it.
    pub id: String,
    /// Permit or forbid.
    pub effect: Effect,
    /// The subject's authority.
    pub authorities: Match<AuthorityId>,
    /// The subject's role in the request's operation.
    pub roles: Match<Role>,
    /// Actions, by vocabulary name.
    pub actions: Match<String>,
    /// Conditions on the resource's label.
    pub resource: LabelCondition,
    /// Conditions on the subject's clearance, in addition to the
    /// dominance every permit needs.
    pub clearance: ClearanceCondition,
}

/// Conditions on a resource label. All must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelCondition {
    /// The label's level is at least this one (`null`: no lower bound).
    pub min_level: Option<String>,
    /// The label's level is at most this one (`null`: no upper bound).
    pub max_level: Option<String>,
    /// The label carries every one of these categories.
    pub require_categories: Vec<String>,
    /// The label carries none of these categories.
    pub exclude_categories: Vec<String>,
}

/// Conditions on a subject's clearance. All must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClearanceCondition {
    /// The clearance's level is at least this one (`null`: no bound).
    pub min_level: Option<String>,
    /// The clearance holds every one of these categories.
    pub require_categories: Vec<String>,
}

impl Policy {
    /// Checks what can be checked without the vocabulary: ids, counts, the
    /// validity window, non-empty lists, unique rule ids. Terms are checked
    /// against the vocabulary by [`crate::CompiledPolicy::compile`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name(DocumentKind::Policy, &self.id)?;
        if self.validity.not_before >= self.validity.not_after {
            return Err(ValidationError::EmptyValidity);
        }
        match &self.scope {
            Scope::Any => {}
            Scope::Operations(ops) => {
                check_list(None, ListField::ScopeOperations, ops.len())?;
            }
            Scope::Alliances(tags) => {
                check_list(None, ListField::ScopeAlliances, tags.len())?;
                if tags.len() > Limits::MAX_ALLIANCES {
                    return Err(ValidationError::TooManyAlliances {
                        count: tags.len(),
                        limit: Limits::MAX_ALLIANCES,
                    });
                }
                for tag in tags {
                    check_name(DocumentKind::AllianceTag, tag)?;
                }
            }
        }
        if self.rules.len() > Limits::MAX_RULES {
            return Err(ValidationError::TooManyRules {
                count: self.rules.len(),
                limit: Limits::MAX_RULES,
            });
        }
        let mut ids: Vec<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|w| matches!(w, [a, b] if a == b)) {
            let id = pair.first().copied().unwrap_or_default();
            return Err(ValidationError::DuplicateRule {
                rule: id.to_owned(),
            });
        }
        for rule in &self.rules {
            check_name(DocumentKind::Rule, &rule.id)?;
            let id = Some(rule.id.as_str());
            if let Match::Only(list) = &rule.authorities {
                check_list(id, ListField::Authorities, list.len())?;
            }
            if let Match::Only(list) = &rule.roles {
                check_list(id, ListField::Roles, list.len())?;
            }
            if let Match::Only(list) = &rule.actions {
                check_list(id, ListField::Actions, list.len())?;
            }
            let lists = [
                rule.resource.require_categories.len(),
                rule.resource.exclude_categories.len(),
                rule.clearance.require_categories.len(),
            ];
            if let Some(&count) = lists.iter().find(|&&n| n > Limits::MAX_LIST) {
                return Err(ValidationError::ListTooLong {
                    rule: rule.id.clone(),
                    count,
                    limit: Limits::MAX_LIST,
                });
            }
        }
        Ok(())
    }
}

fn check_list(rule: Option<&str>, field: ListField, len: usize) -> Result<(), ValidationError> {
    if len == 0 {
        return Err(ValidationError::EmptyList {
            rule: rule.unwrap_or_default().to_owned(),
            field,
        });
    }
    if len > Limits::MAX_LIST {
        return Err(ValidationError::ListTooLong {
            rule: rule.unwrap_or_default().to_owned(),
            count: len,
            limit: Limits::MAX_LIST,
        });
    }
    Ok(())
}
