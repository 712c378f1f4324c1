//! Criterion benchmarks of entente's verification path live in `benches/`;
//! this library is empty. Run them with `cargo xtask bench`.
#![forbid(unsafe_code)]
