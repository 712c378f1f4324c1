//! A translation resolved against its two vocabularies: index maps, checked
//! for monotonicity and declared loss, composable over several hops.

use entente_core::ArtifactId;
use entente_policy::{TermKind, Vocabulary};

use crate::document::{Direction, TermPair, Translation};
use crate::error::{Side, TranslationError};

/// How each of A's terms reads in B, by vocabulary index. Built only by
/// [`Translation::resolve`] or [`TermMap::compose`], so every instance is
/// monotone on levels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermMap {
    source: ArtifactId,
    target: ArtifactId,
    levels: Vec<Option<usize>>,
    categories: Vec<Option<usize>>,
    actions: Vec<Option<usize>>,
    target_counts: [usize; 3],
    hops: usize,
}

/// One kind of term: its name and how to find it in a vocabulary.
struct Kind {
    kind: TermKind,
    count: fn(&Vocabulary) -> usize,
    index: fn(&Vocabulary, &str) -> Option<usize>,
}

const LEVELS: Kind = Kind {
    kind: TermKind::Level,
    count: |v| v.levels.len(),
    index: Vocabulary::level_index,
};
const CATEGORIES: Kind = Kind {
    kind: TermKind::Category,
    count: |v| v.categories.len(),
    index: Vocabulary::category_index,
};
const ACTIONS: Kind = Kind {
    kind: TermKind::Action,
    count: |v| v.actions.len(),
    index: Vocabulary::action_index,
};

fn resolve_pairs(
    pairs: &[TermPair],
    kind: &Kind,
    source: &Vocabulary,
    target: &Vocabulary,
) -> Result<Vec<Option<usize>>, TranslationError> {
    let mut map = vec![None; (kind.count)(source)];
    for pair in pairs {
        let unknown = |side, term: &str| TranslationError::UnknownTerm {
            side,
            kind: kind.kind,
            term: term.to_owned(),
        };
        let from = (kind.index)(source, &pair.source)
            .ok_or_else(|| unknown(Side::Source, &pair.source))?;
        let to = (kind.index)(target, &pair.target)
            .ok_or_else(|| unknown(Side::Target, &pair.target))?;
        let slot = map
            .get_mut(from)
            .ok_or_else(|| unknown(Side::Source, &pair.source))?;
        if slot.is_some() {
            return Err(TranslationError::DuplicateSource {
                kind: kind.kind,
                term: pair.source.clone(),
            });
        }
        *slot = Some(to);
    }
    Ok(map)
}

/// Whether `map` is a bijection onto `0..target_count`.
fn is_bijection(map: &[Option<usize>], target_count: usize) -> bool {
    if map.len() != target_count {
        return false;
    }
    let mut seen = vec![false; target_count];
    for to in map {
        match to.and_then(|t| seen.get_mut(t)) {
            Some(hit) if !*hit => *hit = true,
            _ => return false,
        }
    }
    true
}

impl TermMap {
    pub(crate) fn build(
        translation: &Translation,
        source: &Vocabulary,
        target: &Vocabulary,
    ) -> Result<Self, TranslationError> {
        let levels = resolve_pairs(&translation.levels, &LEVELS, source, target)?;
        let categories = resolve_pairs(&translation.categories, &CATEGORIES, source, target)?;
        let actions = resolve_pairs(&translation.actions, &ACTIONS, source, target)?;
        // INVARIANT: the level map is monotone — a higher source level never
        // reads as a lower target level. Conservative application relies on
        // it (preimages of a target level are then contiguous).
        let mut previous: Option<(usize, usize)> = None;
        for (from, to) in levels.iter().enumerate() {
            let Some(to) = *to else { continue };
            if let Some((prev_from, prev_to)) = previous {
                if to < prev_to {
                    let name = |i: usize| {
                        source
                            .levels
                            .get(i)
                            .map(|l| l.name.clone())
                            .unwrap_or_default()
                    };
                    return Err(TranslationError::NonMonotone {
                        lower: name(prev_from),
                        higher: name(from),
                    });
                }
            }
            previous = Some((from, to));
        }
        let counts = [
            target.levels.len(),
            target.categories.len(),
            target.actions.len(),
        ];
        let checks = [
            (
                &levels,
                counts[0],
                translation.lossy.levels,
                TermKind::Level,
            ),
            (
                &categories,
                counts[1],
                translation.lossy.categories,
                TermKind::Category,
            ),
            (
                &actions,
                counts[2],
                translation.lossy.actions,
                TermKind::Action,
            ),
        ];
        for (map, count, declared_lossy, kind) in checks {
            let bijective = is_bijection(map, count);
            if translation.direction == Direction::Both && !bijective {
                return Err(TranslationError::NotInvertible(kind));
            }
            if !declared_lossy && !bijective {
                return Err(TranslationError::UndeclaredLoss(kind));
            }
        }
        Ok(Self {
            source: translation.source.vocabulary,
            target: translation.target.vocabulary,
            levels,
            categories,
            actions,
            target_counts: counts,
            hops: 1,
        })
    }

    /// Composes `self` (A → B) with `next` (B → C) into A → C.
    pub fn compose(&self, next: &Self) -> Result<Self, TranslationError> {
        if self.target != next.source {
            return Err(TranslationError::Discontinuous { hop: self.hops });
        }
        let chain = |first: &[Option<usize>], second: &[Option<usize>]| -> Vec<Option<usize>> {
            first
                .iter()
                .map(|to| to.and_then(|b| second.get(b).copied().flatten()))
                .collect()
        };
        // Monotone maps compose to a monotone map.
        Ok(Self {
            source: self.source,
            target: next.target,
            levels: chain(&self.levels, &next.levels),
            categories: chain(&self.categories, &next.categories),
            actions: chain(&self.actions, &next.actions),
            target_counts: next.target_counts,
            hops: self.hops + next.hops,
        })
    }

    /// Composes a chain of maps in order, refusing more than `max_hops`.
    pub fn compose_all(maps: &[Self], max_hops: usize) -> Result<Self, TranslationError> {
        let (first, rest) = maps.split_first().ok_or(TranslationError::Empty)?;
        let mut composed = first.clone();
        for next in rest {
            composed = composed.compose(next)?;
        }
        if composed.hops > max_hops {
            return Err(TranslationError::TooManyHops {
                hops: composed.hops,
                limit: max_hops,
            });
        }
        Ok(composed)
    }

    /// The source vocabulary's artifact identity.
    pub fn source(&self) -> ArtifactId {
        self.source
    }

    /// The target vocabulary's artifact identity.
    pub fn target(&self) -> ArtifactId {
        self.target
    }

    /// How many translations this map composes.
    pub fn hops(&self) -> usize {
        self.hops
    }

    /// The target level source level `level` reads as.
    pub fn level(&self, level: usize) -> Option<usize> {
        self.levels.get(level).copied().flatten()
    }

    /// The target category source category `category` reads as.
    pub fn category(&self, category: usize) -> Option<usize> {
        self.categories.get(category).copied().flatten()
    }

    /// The target action source action `action` reads as.
    pub fn action(&self, action: usize) -> Option<usize> {
        self.actions.get(action).copied().flatten()
    }

    /// Source levels whose image is exactly `target`, as the smallest index
    /// range holding them all.
    fn level_preimage(&self, target: usize) -> Option<(usize, usize)> {
        let mut range: Option<(usize, usize)> = None;
        for (from, to) in self.levels.iter().enumerate() {
            if *to == Some(target) {
                range = Some(range.map_or((from, from), |(lo, _)| (lo, from)));
            }
        }
        range
    }

    /// The source levels a *resource* labelled `target` may carry: the exact
    /// preimage, or else the least source level whose image is above
    /// `target` (round up). `None`: no source level is that high.
    pub(crate) fn resource_levels(&self, target: usize) -> Option<(usize, usize)> {
        self.level_preimage(target).or_else(|| {
            self.levels
                .iter()
                .enumerate()
                .find(|(_, to)| to.is_some_and(|t| t >= target))
                .map(|(from, _)| (from, from))
        })
    }

    /// The source levels a *clearance* of `target` may stand for: the exact
    /// preimage, or else the greatest source level whose image is below
    /// `target` (round down). `None`: no source level is that low.
    pub(crate) fn clearance_levels(&self, target: usize) -> Option<(usize, usize)> {
        self.level_preimage(target).or_else(|| {
            self.levels
                .iter()
                .enumerate()
                .rev()
                .find(|(_, to)| to.is_some_and(|t| t <= target))
                .map(|(from, _)| (from, from))
        })
    }

    /// Source categories that read as `target`.
    pub(crate) fn category_preimage(&self, target: usize) -> impl Iterator<Item = usize> + '_ {
        preimage(&self.categories, target)
    }

    /// Source actions that read as `target`.
    pub(crate) fn action_preimage(&self, target: usize) -> impl Iterator<Item = usize> + '_ {
        preimage(&self.actions, target)
    }

    /// Source categories with no image.
    pub(crate) fn unmapped_categories(&self) -> impl Iterator<Item = usize> + '_ {
        self.categories
            .iter()
            .enumerate()
            .filter(|(_, to)| to.is_none())
            .map(|(from, _)| from)
    }

    /// Number of source categories.
    pub(crate) fn source_categories(&self) -> usize {
        self.categories.len()
    }

    /// Number of target levels, categories and actions.
    pub(crate) fn target_counts(&self) -> [usize; 3] {
        self.target_counts
    }
}

fn preimage(map: &[Option<usize>], target: usize) -> impl Iterator<Item = usize> + '_ {
    map.iter()
        .enumerate()
        .filter(move |(_, to)| **to == Some(target))
        .map(|(from, _)| from)
}
