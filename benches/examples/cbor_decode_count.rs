//! Strictly decodes the benchmarks' ~1 KiB document N times (the first
//! argument, default 1,000), for counting instructions per decode without
//! timing noise, e.g. under callgrind:
//!
//! ```text
//! cargo build --release -p entente-benches --example cbor_decode_count
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/cbor_decode_count 200
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/cbor_decode_count 1200
//! ```
//!
//! The difference of the two totals, divided by 1,000, is one decode.

use std::process::ExitCode;

use entente_benches::document::{Doc, document};

fn main() -> ExitCode {
    let count = match std::env::args().nth(1).map(|arg| arg.parse::<usize>()) {
        None => 1_000,
        Some(Ok(count)) => count,
        Some(Err(error)) => {
            eprintln!("cbor_decode_count: the count must be a number: {error}");
            return ExitCode::FAILURE;
        }
    };
    let bytes = match entente_core::cbor::to_vec(&document()) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("cbor_decode_count: encoding the document failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut rules = 0;
    for _ in 0..count {
        match entente_core::cbor::from_slice::<Doc>(std::hint::black_box(&bytes)) {
            Ok(doc) => rules += doc.rules.len(),
            Err(error) => {
                eprintln!("cbor_decode_count: decoding failed: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{count} decodes of {} bytes, {rules} rules", bytes.len());
    ExitCode::SUCCESS
}
