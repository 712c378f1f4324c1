//! Bounds on documents, so that hostile input cannot make compilation or
//! evaluation expensive and so that compiled sets fit fixed-size bitsets.

/// Bounds on vocabularies and policies. Each is checked by `validate` and
/// reported as a typed error; none is configurable, because compiled
/// policies store sets in fixed-size bitsets sized by them.
#[derive(Clone, Copy, Debug)]
pub struct Limits;

impl Limits {
    /// Most levels in a vocabulary. National schemes have four to six; 64
    /// leaves room for alliance schemes with sub-levels.
    pub const MAX_LEVELS: usize = 64;
    /// Most categories in a vocabulary: the width of the category bitset.
    /// Caveats, compartments and releasability groups of one authority
    /// together are counted in tens; larger sets need a wider bitset.
    pub const MAX_CATEGORIES: usize = 256;
    /// Most actions in a vocabulary.
    pub const MAX_ACTIONS: usize = 256;
    /// Most distinct partner authorities named by one policy's rules: the
    /// width of the authority bitset less one index reserved for "named by
    /// no rule" (a coalition has tens of partners).
    pub const MAX_AUTHORITIES: usize = 255;
    /// Most distinct alliance tags in one policy (bitset width).
    pub const MAX_ALLIANCES: usize = 64;
    /// Most rules in one policy. A policy of this size is about 1 MiB of
    /// CBOR, the document limit of `entente_core::Limits::DOCUMENT`.
    pub const MAX_RULES: usize = 10_000;
    /// Longest list inside a rule or a scope.
    pub const MAX_LIST: usize = 256;
    /// Longest id or term name, in bytes.
    pub const MAX_NAME_BYTES: usize = 128;
    /// Largest JSON authoring document, in bytes: four times the CBOR
    /// document limit, since JSON spells digests in hex and indents.
    pub const MAX_JSON_BYTES: usize = 4 << 20;
    /// Longest description, in bytes.
    pub const MAX_DESCRIPTION_BYTES: usize = 4096;
}
