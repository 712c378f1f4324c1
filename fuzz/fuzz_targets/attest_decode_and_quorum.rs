#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| entente_attest::oracle::decode_and_quorum(data));
