//! Vocabularies: an authority's own classification levels, categories and
//! actions.

use entente_core::{AuthorityId, Document, Version};
use serde::{Deserialize, Serialize};

use crate::error::{DocumentKind, TermKind, ValidationError};
use crate::limits::Limits;

/// An authority's terms, signed by its policy signer.
///
/// Levels are ordered from the lowest (index 0) to the highest: a clearance
/// at level `i` dominates every label at level `j <= i`. Categories form a
/// set with no order. Actions are names with no structure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// The vocabulary's name within its authority, e.g. `gbr-gscp`.
    pub id: String,
    /// Version; versions of one vocabulary increase strictly.
    pub version: Version,
    /// The authority whose terms these are.
    pub authority: AuthorityId,
    /// Classification levels, lowest first.
    pub levels: Vec<Level>,
    /// Categories: caveats, compartments, releasability groups.
    pub categories: Vec<Category>,
    /// Actions a policy may permit or forbid.
    pub actions: Vec<Action>,
}

/// One classification level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// The marking as written on documents, e.g. `NATO SECRET`.
    pub name: String,
    /// Free text for people; not used in decisions.
    pub description: String,
}

/// One category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// The marking, e.g. `REL FVEY` or `ATOMAL`.
    pub name: String,
    /// What kind of category it is. Informative only: every kind takes
    /// part in dominance in the same way (see the crate documentation).
    pub kind: CategoryKind,
    /// Free text for people; not used in decisions.
    pub description: String,
}

/// The kind of a category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryKind {
    /// A handling caveat (e.g. `ATOMAL`, `UK EYES ONLY`).
    Caveat,
    /// A compartment of need-to-know.
    Compartment,
    /// A releasability group (e.g. `REL FVEY`), held by subjects to whom
    /// the group is releasable.
    Releasability,
}

/// One action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// The action's name, e.g. `read`.
    pub name: String,
    /// Free text for people; not used in decisions.
    pub description: String,
}

impl Document for Vocabulary {
    const CONTENT_TYPE: &'static str = "application/vnd.entente.vocabulary+cbor";
}

impl Vocabulary {
    /// Checks the vocabulary's own consistency: names non-empty, bounded,
    /// without control characters and unique within their kind; counts
    /// within [`crate::Limits`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_name(DocumentKind::Vocabulary, &self.id)?;
        check_terms(
            TermKind::Level,
            self.levels.iter().map(|l| l.name.as_str()),
            Limits::MAX_LEVELS,
        )?;
        check_terms(
            TermKind::Category,
            self.categories.iter().map(|c| c.name.as_str()),
            Limits::MAX_CATEGORIES,
        )?;
        check_terms(
            TermKind::Action,
            self.actions.iter().map(|a| a.name.as_str()),
            Limits::MAX_ACTIONS,
        )?;
        if self.levels.is_empty() {
            return Err(ValidationError::NoLevels);
        }
        for text in self
            .levels
            .iter()
            .map(|l| &l.description)
            .chain(self.categories.iter().map(|c| &c.description))
            .chain(self.actions.iter().map(|a| &a.description))
        {
            if text.len() > Limits::MAX_DESCRIPTION_BYTES {
                return Err(ValidationError::DescriptionTooLong {
                    length: text.len(),
                    limit: Limits::MAX_DESCRIPTION_BYTES,
                });
            }
        }
        Ok(())
    }

    /// The index of level `name`, lowest 0.
    pub fn level_index(&self, name: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.name == name)
    }

    /// The index of category `name`.
    pub fn category_index(&self, name: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.name == name)
    }

    /// The index of action `name`.
    pub fn action_index(&self, name: &str) -> Option<usize> {
        self.actions.iter().position(|a| a.name == name)
    }
}

/// Checks a document id or rule id.
pub(crate) fn check_name(kind: DocumentKind, name: &str) -> Result<(), ValidationError> {
    if name.is_empty() {
        return Err(ValidationError::EmptyId(kind));
    }
    if name.len() > Limits::MAX_NAME_BYTES {
        return Err(ValidationError::IdTooLong {
            kind,
            length: name.len(),
            limit: Limits::MAX_NAME_BYTES,
        });
    }
    if name.chars().any(char::is_control) {
        return Err(ValidationError::ControlCharacter(kind));
    }
    Ok(())
}

/// Checks one list of terms for emptiness, length, control characters,
/// duplicates and count.
fn check_terms<'a>(
    kind: TermKind,
    names: impl ExactSizeIterator<Item = &'a str> + Clone,
    limit: usize,
) -> Result<(), ValidationError> {
    if names.len() > limit {
        return Err(ValidationError::TooManyTerms {
            kind,
            count: names.len(),
            limit,
        });
    }
    let mut seen: Vec<&str> = Vec::with_capacity(names.len());
    for name in names {
        if name.is_empty()
            || name.len() > Limits::MAX_NAME_BYTES
            || name.chars().any(char::is_control)
        {
            return Err(ValidationError::InvalidTerm {
                kind,
                term: name.chars().take(Limits::MAX_NAME_BYTES).collect(),
            });
        }
        if seen.contains(&name) {
            return Err(ValidationError::DuplicateTerm {
                kind,
                term: name.to_owned(),
            });
        }
        seen.push(name);
    }
    Ok(())
}
