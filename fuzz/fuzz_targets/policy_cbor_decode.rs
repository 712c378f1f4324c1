#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| entente_policy::oracle::cbor_decode(data));
