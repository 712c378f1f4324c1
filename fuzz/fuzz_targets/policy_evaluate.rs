#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| entente_policy::oracle::evaluate(data));
