//! Writes the seed corpus of the `attest_decode_and_quorum` fuzz target:
//! `cargo run -p entente-attest --example fuzz_seeds -- <corpus directory>`.

fn main() -> std::io::Result<()> {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: fuzz_seeds <corpus directory>");
        std::process::exit(2);
    };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir)?;
    let seeds = entente_attest::oracle::seed_corpus();
    for (index, seed) in seeds.iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{index}")), seed)?;
    }
    println!("wrote {} seeds", seeds.len());
    Ok(())
}
