//! Certificate policy processing (RFC 5280 §6.1.2 (a), §6.1.3 (d)-(f),
//! §6.1.4 (a)-(b), §6.1.5 (g)) on the policy *graph* of RFC 9618, which
//! gives the same results as the RFC 5280 tree with size linear in the input
//! instead of exponential.

use der::asn1::ObjectIdentifier;

use crate::cert::ANY_POLICY;

/// What the relying party asks of policies (RFC 5280 §6.1.1 (c), (e)-(g)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyInputs {
    /// `user-initial-policy-set`; `None` means `{anyPolicy}`.
    pub initial_policy_set: Option<Vec<ObjectIdentifier>>,
    /// `initial-explicit-policy`: the path must be valid for at least one
    /// policy of the set.
    pub explicit_policy: bool,
    /// `initial-policy-mapping-inhibit`.
    pub inhibit_policy_mapping: bool,
    /// `initial-any-policy-inhibit`.
    pub inhibit_any_policy: bool,
}

impl Default for PolicyInputs {
    /// The RFC 5280 defaults: any policy, nothing required or inhibited.
    fn default() -> Self {
        Self {
            initial_policy_set: None,
            explicit_policy: false,
            inhibit_policy_mapping: false,
            inhibit_any_policy: false,
        }
    }
}

/// The policies a validated path is valid for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicySet {
    /// Every policy (`anyPolicy` survived to the leaf and the caller accepted any).
    Any,
    /// These policies, in the trust anchor's policy domain; may be empty
    /// when the caller did not require an explicit policy.
    Only(Vec<ObjectIdentifier>),
}

impl PolicySet {
    /// Whether the set contains `policy`.
    pub fn contains(&self, policy: &ObjectIdentifier) -> bool {
        match self {
            Self::Any => true,
            Self::Only(list) => list.contains(policy),
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        matches!(self, Self::Only(list) if list.is_empty())
    }
}

#[derive(Clone, Debug)]
struct Node {
    policy: ObjectIdentifier,
    expected: Vec<ObjectIdentifier>,
    parents: Vec<usize>,
}

/// Why policy processing failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PolicyFailure {
    /// The graph outgrew its bound.
    TooLarge,
}

/// The valid_policy_graph, one level per depth; `None` is RFC 5280's NULL.
#[derive(Clone, Debug)]
pub(crate) struct PolicyGraph {
    levels: Vec<Vec<Node>>,
    edges: usize,
    max_edges: usize,
}

impl PolicyGraph {
    /// §6.1.2 (a): a single anyPolicy node at depth 0.
    pub(crate) fn new(max_edges: usize) -> Self {
        Self {
            levels: vec![vec![Node {
                policy: ANY_POLICY,
                expected: vec![ANY_POLICY],
                parents: Vec::new(),
            }]],
            edges: 0,
            max_edges,
        }
    }

    fn last(&self) -> &[Node] {
        self.levels.last().map(Vec::as_slice).unwrap_or_default()
    }

    /// §6.1.3 (d): process the certificatePolicies of the certificate at the
    /// next depth. `any_allowed` is (d)(2)'s condition. Returns `false` when
    /// the graph became NULL.
    pub(crate) fn process(
        &mut self,
        policies: &[ObjectIdentifier],
        any_allowed: bool,
    ) -> Result<bool, PolicyFailure> {
        let prev = self.last();
        let mut level: Vec<Node> = Vec::new();
        let mut edges = 0usize;
        // (d)(1)
        for p in policies.iter().filter(|p| **p != ANY_POLICY) {
            let mut parents: Vec<usize> = prev
                .iter()
                .enumerate()
                .filter(|(_, n)| n.expected.contains(p))
                .map(|(i, _)| i)
                .collect();
            if parents.is_empty() {
                parents = prev
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| n.policy == ANY_POLICY)
                    .map(|(i, _)| i)
                    .collect();
            }
            if !parents.is_empty() {
                edges = edges.saturating_add(parents.len());
                level.push(Node {
                    policy: *p,
                    expected: vec![*p],
                    parents,
                });
            }
        }
        // (d)(2)
        if any_allowed && policies.contains(&ANY_POLICY) {
            let mut wanted: Vec<ObjectIdentifier> = Vec::new();
            for n in prev {
                for e in &n.expected {
                    if !wanted.contains(e) && !level.iter().any(|c| c.policy == *e) {
                        wanted.push(*e);
                    }
                }
            }
            for e in wanted {
                let parents: Vec<usize> = prev
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| n.expected.contains(&e))
                    .map(|(i, _)| i)
                    .collect();
                edges = edges.saturating_add(parents.len());
                level.push(Node {
                    policy: e,
                    expected: vec![e],
                    parents,
                });
            }
        }
        self.edges = self.edges.saturating_add(edges);
        if self.edges > self.max_edges {
            return Err(PolicyFailure::TooLarge);
        }
        self.levels.push(level);
        // (d)(3)
        Ok(self.prune())
    }

    /// Removes nodes above the last depth that have no children; returns
    /// whether the graph is still non-NULL.
    fn prune(&mut self) -> bool {
        let depth = self.levels.len();
        for d in (1..depth).rev() {
            let (upper, lower) = self.levels.split_at_mut(d);
            let (Some(parent_level), Some(child_level)) = (upper.last_mut(), lower.first_mut())
            else {
                continue;
            };
            let mut has_child = vec![false; parent_level.len()];
            for c in child_level.iter() {
                for &p in &c.parents {
                    if let Some(slot) = has_child.get_mut(p) {
                        *slot = true;
                    }
                }
            }
            if has_child.iter().all(|h| *h) {
                continue;
            }
            // Renumber the surviving parents and rewrite the child links.
            let mut new_index = vec![usize::MAX; parent_level.len()];
            let mut next = 0usize;
            for (i, keep) in has_child.iter().enumerate() {
                if *keep {
                    if let Some(slot) = new_index.get_mut(i) {
                        *slot = next;
                    }
                    next += 1;
                }
            }
            let mut i = 0usize;
            parent_level.retain(|_| {
                let keep = has_child.get(i).copied().unwrap_or(false);
                i += 1;
                keep
            });
            for c in child_level.iter_mut() {
                for p in c.parents.iter_mut() {
                    *p = new_index.get(*p).copied().unwrap_or(usize::MAX);
                }
            }
        }
        self.levels.first().is_some_and(|l| !l.is_empty())
    }

    /// §6.1.4 (b): apply a CA's policyMappings at the last depth.
    pub(crate) fn apply_mappings(
        &mut self,
        mappings: &[(ObjectIdentifier, ObjectIdentifier)],
        mapping_allowed: bool,
    ) -> Result<bool, PolicyFailure> {
        let depth = self.levels.len();
        let mut issuer_policies: Vec<ObjectIdentifier> = Vec::new();
        for (from, _) in mappings {
            if !issuer_policies.contains(from) {
                issuer_policies.push(*from);
            }
        }
        let Some(level) = self.levels.last_mut() else {
            return Ok(false);
        };
        if mapping_allowed {
            for from in issuer_policies {
                let targets: Vec<ObjectIdentifier> = mappings
                    .iter()
                    .filter(|(f, _)| *f == from)
                    .map(|(_, t)| *t)
                    .fold(Vec::new(), |mut acc, t| {
                        if !acc.contains(&t) {
                            acc.push(t);
                        }
                        acc
                    });
                if let Some(node) = level.iter_mut().find(|n| n.policy == from) {
                    node.expected = targets;
                } else if let Some(any) = level.iter().find(|n| n.policy == ANY_POLICY) {
                    let parents = any.parents.clone();
                    self.edges = self.edges.saturating_add(parents.len());
                    level.push(Node {
                        policy: from,
                        expected: targets,
                        parents,
                    });
                }
            }
            if self.edges > self.max_edges {
                return Err(PolicyFailure::TooLarge);
            }
            Ok(true)
        } else {
            level.retain(|n| !issuer_policies.contains(&n.policy));
            // Deleting at the last depth can leave parents childless.
            let _ = depth;
            Ok(self.prune_after_delete())
        }
    }

    fn prune_after_delete(&mut self) -> bool {
        // A last level emptied by deletions makes every ancestor childless.
        if self.levels.last().is_some_and(Vec::is_empty) {
            self.levels.iter_mut().for_each(Vec::clear);
            return false;
        }
        self.prune()
    }

    /// §6.1.5 (g) and RFC 9618 §4.2: the user-constrained policy set.
    /// Policies are reported in the trust anchor's domain: the policy of
    /// each node whose parent is an anyPolicy node (the "valid policy nodes").
    pub(crate) fn user_constrained(&self, initial: Option<&[ObjectIdentifier]>) -> PolicySet {
        let mut authority: Vec<ObjectIdentifier> = Vec::new();
        let mut any_at_leaf = false;
        for (d, level) in self.levels.iter().enumerate().skip(1) {
            let parents = self
                .levels
                .get(d - 1)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for n in level {
                if n.policy == ANY_POLICY {
                    if d + 1 == self.levels.len() {
                        any_at_leaf = true;
                    }
                    continue;
                }
                let under_any = n
                    .parents
                    .iter()
                    .any(|p| parents.get(*p).is_some_and(|pn| pn.policy == ANY_POLICY));
                if under_any && !authority.contains(&n.policy) {
                    authority.push(n.policy);
                }
            }
        }
        match initial {
            None => {
                if any_at_leaf {
                    PolicySet::Any
                } else {
                    PolicySet::Only(authority)
                }
            }
            Some(user) => {
                let set = if any_at_leaf {
                    user.iter().filter(|p| **p != ANY_POLICY).copied().collect()
                } else if user.contains(&ANY_POLICY) {
                    authority
                } else {
                    authority.into_iter().filter(|p| user.contains(p)).collect()
                };
                if user.contains(&ANY_POLICY) && any_at_leaf {
                    PolicySet::Any
                } else {
                    PolicySet::Only(set)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(n: u32) -> ObjectIdentifier {
        ObjectIdentifier::new(&format!("1.2.3.{n}")).unwrap()
    }

    #[test]
    fn mapped_policy_is_reported_in_the_anchor_domain() {
        let mut g = PolicyGraph::new(100);
        assert!(g.process(&[p(1)], true).unwrap());
        assert!(g.apply_mappings(&[(p(1), p(2))], true).unwrap());
        assert!(g.process(&[p(2)], true).unwrap());
        assert_eq!(g.user_constrained(None), PolicySet::Only(vec![p(1)]));
        assert_eq!(g.user_constrained(Some(&[p(2)])), PolicySet::Only(vec![]));
    }

    #[test]
    fn inhibited_mapping_deletes_the_mapped_policy() {
        let mut g = PolicyGraph::new(100);
        assert!(g.process(&[p(1)], true).unwrap());
        assert!(!g.apply_mappings(&[(p(1), p(2))], false).unwrap());
    }

    #[test]
    fn any_policy_throughout_yields_any_or_the_users_set() {
        let mut g = PolicyGraph::new(100);
        assert!(g.process(&[ANY_POLICY], true).unwrap());
        assert!(g.process(&[ANY_POLICY], true).unwrap());
        assert_eq!(g.user_constrained(None), PolicySet::Any);
        assert_eq!(
            g.user_constrained(Some(&[p(7)])),
            PolicySet::Only(vec![p(7)])
        );
    }

    #[test]
    fn any_policy_is_ignored_when_inhibited() {
        let mut g = PolicyGraph::new(100);
        assert!(!g.process(&[ANY_POLICY], false).unwrap());
    }

    #[test]
    fn graph_growth_beyond_the_bound_is_refused() {
        let many: Vec<ObjectIdentifier> = (0..20).map(p).collect();
        let mut g = PolicyGraph::new(30);
        assert!(g.process(&[ANY_POLICY], true).unwrap());
        assert!(g.process(&many, true).unwrap());
        let mappings: Vec<_> = (0..20)
            .flat_map(|a| (0..20).map(move |b| (p(a), p(100 + b))))
            .collect();
        let result = g
            .apply_mappings(&mappings, true)
            .and_then(|_| g.process(&(100..120).map(p).collect::<Vec<_>>(), true));
        assert_eq!(result, Err(PolicyFailure::TooLarge));
    }
}
