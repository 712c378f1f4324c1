//! RFC 9162 §2.1 Merkle tree hashing, proof generation and verification.
//!
//! Hashes are SHA-256 with domain separation: a leaf is `SHA-256(0x00 || data)`
//! and an interior node `SHA-256(0x01 || left || right)` (RFC 9162 §2.1.1,
//! identical to RFC 6962 §2.1).
//!
//! Storage layout. A tree of `n` leaves is kept as the hashes of its *perfect*
//! subtrees (complete, aligned subtrees of `2^h` leaves) in post-order: when a
//! leaf is appended, its hash is stored, then the hash of every perfect subtree
//! it completes, lowest first. A tree of `n` leaves thus holds exactly
//! `2n - popcount(n)` hashes, every perfect subtree's hash sits at a position
//! computed in O(1) ([`perfect_position`]), and any subtree hash `MTH(D[lo:hi])`
//! of the RFC's recursion needs at most `2·log2(n)` stored hashes. Proofs for a
//! log of a million entries therefore read some forty hashes, never the whole
//! tree.

use entente_core::Digest256;

use crate::error::{LogError, ProofError};

/// Largest number of hashes a proof may hold: a tree of at most `2^64` leaves
/// has paths of at most 64 hashes; one more covers the prefix form of a
/// consistency proof.
pub const MAX_PROOF_HASHES: usize = 65;

/// `SHA-256(0x00 || data)`: the hash of a leaf (RFC 9162 §2.1.1).
pub fn leaf_hash(data: &[u8]) -> Digest256 {
    Digest256::sha256_parts(&[&[0x00], data])
}

/// `SHA-256(0x01 || left || right)`: the hash of an interior node (RFC 9162 §2.1.1).
pub fn node_hash(left: &Digest256, right: &Digest256) -> Digest256 {
    Digest256::sha256_parts(&[&[0x01], left.as_bytes(), right.as_bytes()])
}

/// The root of the empty tree, `SHA-256()` (RFC 9162 §2.1.1).
pub fn empty_root() -> Digest256 {
    Digest256::sha256(b"")
}

/// The number of stored hashes for a tree of `leaves` leaves.
pub(crate) const fn nodes_for_leaves(leaves: u64) -> Option<u64> {
    match leaves.checked_mul(2) {
        Some(twice) => Some(twice - leaves.count_ones() as u64),
        None => None,
    }
}

/// The largest number of leaves whose hashes fit in `nodes` stored hashes.
pub(crate) fn leaves_for_nodes(nodes: u64) -> u64 {
    // nodes_for_leaves is monotone; binary search the largest fitting size.
    let (mut lo, mut hi) = (0u64, nodes.min(u64::MAX / 2));
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        match nodes_for_leaves(mid) {
            Some(needed) if needed <= nodes => lo = mid,
            _ => hi = mid - 1,
        }
    }
    lo
}

/// The post-order position of the perfect subtree of height `level` that
/// covers leaves `[index·2^level, (index+1)·2^level)`.
pub(crate) fn perfect_position(level: u32, index: u64) -> Result<u64, LogError> {
    let end = index
        .checked_add(1)
        .and_then(|i| i.checked_shl(level))
        .filter(|e| e.trailing_zeros() >= level && (e >> level) == index + 1)
        .ok_or(LogError::SizeOverflow)?;
    let total = nodes_for_leaves(end).ok_or(LogError::SizeOverflow)?;
    // The leaf that completes this subtree appends its own hash, then one hash
    // per level up to trailing_zeros(end); ours is `tz - level` before the last.
    let above = u64::from(end.trailing_zeros() - level);
    total.checked_sub(1 + above).ok_or(LogError::SizeOverflow)
}

/// Random access to stored perfect-subtree hashes (see the module docs).
pub(crate) trait NodeSource {
    /// The hash stored at post-order `position`.
    fn node(&self, position: u64) -> Result<Digest256, LogError>;
}

/// The largest power of two strictly below `n` (`n >= 2`).
fn split_point(n: u64) -> u64 {
    // For n >= 2, (n - 1) has a highest set bit; that power is < n.
    1u64 << (63 - (n - 1).leading_zeros())
}

/// `MTH(D[lo:hi])` (RFC 9162 §2.1.1), reading perfect subtrees from `source`.
pub(crate) fn subtree_hash(
    source: &dyn NodeSource,
    lo: u64,
    hi: u64,
) -> Result<Digest256, LogError> {
    let n = hi.checked_sub(lo).ok_or(LogError::SizeOverflow)?;
    if n == 0 {
        return Ok(empty_root());
    }
    if n.is_power_of_two() && lo % n == 0 {
        let level = n.trailing_zeros();
        return source.node(perfect_position(level, lo >> level)?);
    }
    if n == 1 {
        // Unreachable in practice: a single leaf is always a perfect subtree.
        return source.node(perfect_position(0, lo)?);
    }
    let k = split_point(n);
    let left = subtree_hash(source, lo, lo + k)?;
    let right = subtree_hash(source, lo + k, hi)?;
    Ok(node_hash(&left, &right))
}

/// `PATH(m, D[lo:hi])` (RFC 9162 §2.1.3.1), `m` relative to `lo`.
fn path(
    source: &dyn NodeSource,
    m: u64,
    lo: u64,
    hi: u64,
    out: &mut Vec<Digest256>,
) -> Result<(), LogError> {
    let n = hi - lo;
    if n <= 1 {
        return Ok(());
    }
    let k = split_point(n);
    if m < k {
        path(source, m, lo, lo + k, out)?;
        out.push(subtree_hash(source, lo + k, hi)?);
    } else {
        path(source, m - k, lo + k, hi, out)?;
        out.push(subtree_hash(source, lo, lo + k)?);
    }
    Ok(())
}

/// The inclusion proof of leaf `index` in the tree of the first `size` leaves
/// (RFC 9162 §2.1.3.1). `available` is the number of leaves stored.
pub(crate) fn inclusion_proof(
    source: &dyn NodeSource,
    available: u64,
    index: u64,
    size: u64,
) -> Result<Vec<Digest256>, LogError> {
    if size > available {
        return Err(LogError::SizeBeyondLog { size, available });
    }
    if index >= size {
        return Err(LogError::IndexBeyondSize { index, size });
    }
    let mut out = Vec::new();
    path(source, index, 0, size, &mut out)?;
    Ok(out)
}

/// `SUBPROOF(m, D[lo:hi], b)` (RFC 9162 §2.1.4.1), `m` relative to `lo`.
fn subproof(
    source: &dyn NodeSource,
    m: u64,
    lo: u64,
    hi: u64,
    complete: bool,
    out: &mut Vec<Digest256>,
) -> Result<(), LogError> {
    let n = hi - lo;
    if m == n {
        if !complete {
            out.push(subtree_hash(source, lo, hi)?);
        }
        return Ok(());
    }
    let k = split_point(n);
    if m <= k {
        subproof(source, m, lo, lo + k, complete, out)?;
        out.push(subtree_hash(source, lo + k, hi)?);
    } else {
        subproof(source, m - k, lo + k, hi, false, out)?;
        out.push(subtree_hash(source, lo, lo + k)?);
    }
    Ok(())
}

/// The consistency proof between the trees of the first `old` and `new`
/// leaves (RFC 9162 §2.1.4.1); empty when `old` is 0 or equals `new`.
pub(crate) fn consistency_proof(
    source: &dyn NodeSource,
    available: u64,
    old: u64,
    new: u64,
) -> Result<Vec<Digest256>, LogError> {
    if new > available {
        return Err(LogError::SizeBeyondLog {
            size: new,
            available,
        });
    }
    if old > new {
        return Err(LogError::OldSizeBeyondNew { old, new });
    }
    let mut out = Vec::new();
    if old != 0 && old != new {
        subproof(source, old, 0, new, true, &mut out)?;
    }
    Ok(out)
}

/// The *prefix proof* between `old` and `new`: `SUBPROOF(old, D[new], false)`,
/// which differs from the RFC's consistency proof only when `old` is a power
/// of two, by carrying `MTH(D[0:old])` explicitly. It lets a third party
/// compute, from the newer tree alone, the root that tree commits to for its
/// first `old` leaves (used by [`crate::SplitViewProof`]).
pub(crate) fn prefix_proof(
    source: &dyn NodeSource,
    available: u64,
    old: u64,
    new: u64,
) -> Result<Vec<Digest256>, LogError> {
    if new > available {
        return Err(LogError::SizeBeyondLog {
            size: new,
            available,
        });
    }
    if old == 0 || old >= new {
        return Err(LogError::OldSizeBeyondNew { old, new });
    }
    let mut out = Vec::new();
    subproof(source, old, 0, new, false, &mut out)?;
    Ok(out)
}

/// Verifies an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf: &Digest256,
    index: u64,
    size: u64,
    proof: &[Digest256],
    root: &Digest256,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexBeyondSize { index, size });
    }
    if proof.len() > MAX_PROOF_HASHES {
        return Err(ProofError::TooLong(proof.len()));
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::TooLong(proof.len()));
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::TooShort(proof.len()));
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Runs the RFC 9162 §2.1.4.2 walk over `path` and returns `(fr, sr)`: the
/// roots the path implies for the old and the new tree. The caller prepends
/// the old root for power-of-two `old` when verifying the RFC form.
fn consistency_walk(
    old: u64,
    new: u64,
    path: &[Digest256],
) -> Result<(Digest256, Digest256), ProofError> {
    let (first, rest) = path.split_first().ok_or(ProofError::TooShort(0))?;
    let (mut fn_, mut sn) = (old - 1, new - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return Err(ProofError::TooLong(path.len()));
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::TooShort(path.len()));
    }
    Ok((fr, sr))
}

/// Verifies a consistency proof between the tree of `old` leaves with root
/// `old_root` and the tree of `new` leaves with root `new_root`
/// (RFC 9162 §2.1.4.2). Trivial cases (`old == 0`, `old == new`) take an
/// empty proof.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Digest256,
    new_root: &Digest256,
    proof: &[Digest256],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::OldSizeBeyondNew { old, new });
    }
    if proof.len() > MAX_PROOF_HASHES {
        return Err(ProofError::TooLong(proof.len()));
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::TooLong(proof.len()));
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if old == 0 {
        if !proof.is_empty() {
            return Err(ProofError::TooLong(proof.len()));
        }
        return if *old_root == empty_root() {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    let mut path = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    if proof.is_empty() {
        return Err(ProofError::TooShort(0));
    }
    path.extend_from_slice(proof);
    let (fr, sr) = consistency_walk(old, new, &path)?;
    if fr != *old_root || sr != *new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Evaluates a prefix proof (see [`MemoryTree::prefix_proof`]): returns the root that the
/// tree of `new` leaves with root `new_root` commits to for its first `old`
/// leaves. Fails unless the proof is authentic for `new_root`.
pub fn prefix_root(
    old: u64,
    new: u64,
    new_root: &Digest256,
    proof: &[Digest256],
) -> Result<Digest256, ProofError> {
    if old == 0 || old >= new {
        return Err(ProofError::OldSizeBeyondNew { old, new });
    }
    if proof.len() > MAX_PROOF_HASHES {
        return Err(ProofError::TooLong(proof.len()));
    }
    let (fr, sr) = consistency_walk(old, new, proof)?;
    if sr != *new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(fr)
}

/// The right edge of a tree: the perfect subtrees of its size's binary
/// decomposition, largest first, as `(height, hash)`. Appending needs only
/// this, so a log keeps O(log n) hashes in memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Frontier {
    size: u64,
    stack: Vec<(u32, Digest256)>,
}

impl Frontier {
    /// Rebuilds the frontier of a tree of `size` leaves from stored hashes.
    pub(crate) fn load(source: &dyn NodeSource, size: u64) -> Result<Self, LogError> {
        let mut stack = Vec::new();
        let mut start = 0u64;
        for level in (0..64u32).rev() {
            let width = 1u64 << level;
            if size & width != 0 {
                let pos = perfect_position(level, start >> level)?;
                stack.push((level, source.node(pos)?));
                start += width;
            }
        }
        Ok(Self { size, stack })
    }

    /// The number of leaves.
    pub(crate) const fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf hash, pushing to `out` the hashes to store, in order.
    pub(crate) fn push(
        &mut self,
        leaf: Digest256,
        out: &mut Vec<Digest256>,
    ) -> Result<(), LogError> {
        self.size = self.size.checked_add(1).ok_or(LogError::SizeOverflow)?;
        out.push(leaf);
        let mut current = (0u32, leaf);
        while let Some(&(level, left)) = self.stack.last() {
            if level != current.0 {
                break;
            }
            self.stack.pop();
            let hash = node_hash(&left, &current.1);
            out.push(hash);
            current = (level + 1, hash);
        }
        self.stack.push(current);
        Ok(())
    }

    /// The root hash `MTH(D[0:size])`.
    pub(crate) fn root(&self) -> Digest256 {
        let mut iter = self.stack.iter().rev();
        let Some(&(_, mut root)) = iter.next() else {
            return empty_root();
        };
        for (_, left) in iter {
            root = node_hash(left, &root);
        }
        root
    }
}

/// A Merkle tree held in memory: for tests, small logs and verifiers that
/// rebuild a partner's log from its entries.
#[derive(Clone, Debug, Default)]
pub struct MemoryTree {
    nodes: Vec<Digest256>,
    frontier: Frontier,
}

impl NodeSource for MemoryTree {
    fn node(&self, position: u64) -> Result<Digest256, LogError> {
        usize::try_from(position)
            .ok()
            .and_then(|p| self.nodes.get(p))
            .copied()
            .ok_or(LogError::MissingNode(position))
    }
}

impl MemoryTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an entry (its leaf hash is computed here) and returns its index.
    pub fn push(&mut self, entry: &[u8]) -> Result<u64, LogError> {
        self.push_leaf_hash(leaf_hash(entry))
    }

    /// Appends a precomputed leaf hash and returns its index.
    pub fn push_leaf_hash(&mut self, leaf: Digest256) -> Result<u64, LogError> {
        let index = self.frontier.size();
        self.frontier.push(leaf, &mut self.nodes)?;
        Ok(index)
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The current root hash.
    pub fn root(&self) -> Digest256 {
        self.frontier.root()
    }

    /// The root of the tree of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Digest256, LogError> {
        if size > self.size() {
            return Err(LogError::SizeBeyondLog {
                size,
                available: self.size(),
            });
        }
        subtree_hash(self, 0, size)
    }

    /// The inclusion proof of leaf `index` in the tree of the first `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Digest256>, LogError> {
        inclusion_proof(self, self.size(), index, size)
    }

    /// The consistency proof between the trees of `old` and `new` leaves.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Digest256>, LogError> {
        consistency_proof(self, self.size(), old, new)
    }

    /// The prefix proof between the trees of `old` and `new` leaves.
    pub fn prefix_proof(&self, old: u64, new: u64) -> Result<Vec<Digest256>, LogError> {
        prefix_proof(self, self.size(), old, new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_root(leaves: &[Digest256]) -> Digest256 {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split_point(n as u64) as usize;
                node_hash(&naive_root(&leaves[..k]), &naive_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn stored_node_count_matches_formula_and_inverse() {
        let mut tree = MemoryTree::new();
        for i in 0..300u64 {
            assert_eq!(nodes_for_leaves(i), Some(tree.nodes.len() as u64));
            assert_eq!(leaves_for_nodes(tree.nodes.len() as u64), i);
            tree.push(&i.to_be_bytes()).unwrap();
        }
    }

    #[test]
    fn roots_proofs_agree_with_naive_recursion_for_every_size() {
        let mut tree = MemoryTree::new();
        let mut leaves = Vec::new();
        for n in 1..=70u64 {
            tree.push(&n.to_le_bytes()).unwrap();
            leaves.push(leaf_hash(&n.to_le_bytes()));
            let root = naive_root(&leaves);
            assert_eq!(tree.root(), root);
            for m in 0..=n {
                assert_eq!(tree.root_at(m).unwrap(), naive_root(&leaves[..m as usize]));
                let proof = tree.consistency_proof(m, n).unwrap();
                let old_root = tree.root_at(m).unwrap();
                verify_consistency(m, n, &old_root, &root, &proof).unwrap();
                if m > 0 && m < n {
                    let prefix = tree.prefix_proof(m, n).unwrap();
                    assert_eq!(prefix_root(m, n, &root, &prefix).unwrap(), old_root);
                    assert!(verify_consistency(m, n, &leaf_hash(b"x"), &root, &proof).is_err());
                }
                if m < n {
                    let inc = tree.inclusion_proof(m, n).unwrap();
                    verify_inclusion(&leaves[m as usize], m, n, &inc, &root).unwrap();
                    assert!(verify_inclusion(&leaf_hash(b"forged"), m, n, &inc, &root).is_err());
                }
            }
        }
    }

    #[test]
    fn out_of_range_requests_are_typed_errors() {
        let mut tree = MemoryTree::new();
        tree.push(b"a").unwrap();
        assert!(matches!(
            tree.inclusion_proof(1, 1),
            Err(LogError::IndexBeyondSize { index: 1, size: 1 })
        ));
        assert!(matches!(
            tree.consistency_proof(1, 2),
            Err(LogError::SizeBeyondLog { .. })
        ));
        assert_eq!(
            verify_inclusion(&leaf_hash(b"a"), 0, 0, &[], &empty_root()),
            Err(ProofError::IndexBeyondSize { index: 0, size: 0 })
        );
    }
}
