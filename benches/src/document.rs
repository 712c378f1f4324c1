//! The document the strict-decoding benchmarks decode: shaped like a small
//! policy, about 1 KiB of nested maps, arrays and strings.

use serde::{Deserialize, Serialize};

/// The document: an identifier, a version and twelve rules.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Doc {
    /// Its identifier.
    pub id: String,
    /// Its version.
    pub version: u64,
    /// Its rules.
    pub rules: Vec<Rule>,
}

/// One rule of a [`Doc`], its fields declared out of canonical order (as
/// most documents' are), so decoding has to put them in order.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// `permit` or `forbid`.
    pub effect: String,
    /// The actions it covers.
    pub actions: Vec<String>,
    /// The categories it covers.
    pub categories: Vec<String>,
    /// A level.
    pub level: u64,
}

/// The benchmarks' document.
pub fn document() -> Doc {
    Doc {
        id: "gbr/operational-policy".into(),
        version: 7,
        rules: (0..12)
            .map(|i| Rule {
                effect: if i % 3 == 0 { "forbid" } else { "permit" }.into(),
                actions: vec!["read".into(), "annotate".into()],
                categories: vec![format!("REL FVEY {i}"), "NOFORN".into()],
                level: i,
            })
            .collect(),
    }
}
