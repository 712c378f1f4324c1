#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| entente_core::oracle::cbor_roundtrip(data));
