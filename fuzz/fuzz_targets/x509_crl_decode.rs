#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| entente_x509::oracle::crl_decode(data));
