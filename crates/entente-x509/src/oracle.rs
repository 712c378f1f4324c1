//! Testing oracles for the fuzz targets: each takes arbitrary bytes, must
//! never panic, and asserts the property its target is named for.

use core::sync::atomic::{AtomicUsize, Ordering};

use entente_core::{
    CryptoError, CryptoProvider, PublicKey, SignatureAlgorithm, SignatureEncoding, UnixTime,
};

use crate::{
    Budget, Certificate, Crl, PolicyInputs, Profile, TrustAnchor, ValidationError,
    ValidationOptions,
};

/// `x509_cert_decode`: decoding never panics, and an accepted certificate
/// keeps its bytes and answers every accessor.
pub fn cert_decode(data: &[u8]) {
    if let Ok(cert) = Certificate::from_der(data) {
        assert_eq!(cert.der(), data, "decoded certificate lost its bytes");
        let _ = cert.public_key();
        let _ = cert.is_self_issued();
        let _ = cert.validity();
    }
}

/// `x509_crl_decode`: decoding never panics; accepted CRLs keep their bytes.
pub fn crl_decode(data: &[u8]) {
    if let Ok(crl) = Crl::from_der(data) {
        assert_eq!(crl.der(), data, "decoded CRL lost its bytes");
        let _ = crl.entries().len();
    }
}

/// The budget the path-building oracle runs under.
pub const ORACLE_BUDGET: Budget = Budget {
    signatures: 16,
    candidates: 256,
    max_depth: 6,
    policy_edges: 256,
    crl_signer_nesting: 1,
};

/// `x509_path_build`: the input is a pool of length-prefixed (2 bytes,
/// big-endian) DER certificates; the first is the leaf, the last the trust
/// anchor. Validation never panics and, when it stops on the budget, it is
/// the budget the oracle set.
pub fn path_build(data: &[u8]) {
    let mut certs = Vec::new();
    let mut rest = data;
    while rest.len() >= 2 && certs.len() < 32 {
        let (len, tail) = rest.split_at(2);
        let len = usize::from(u16::from_be_bytes([
            len.first().copied().unwrap_or(0),
            len.get(1).copied().unwrap_or(0),
        ]));
        let Some(body) = tail.get(..len) else { break };
        if let Ok(c) = Certificate::from_der(body) {
            certs.push(c);
        }
        rest = tail.get(len..).unwrap_or_default();
    }
    let (Some(leaf), Some(root)) = (certs.first().cloned(), certs.last().cloned()) else {
        return;
    };
    let anchors = [TrustAnchor::new(root)];
    let provider = CountingProvider::default();
    let inputs = PolicyInputs::default();
    let options = ValidationOptions {
        time: UnixTime::from_secs(1_700_000_000),
        policy: &inputs,
        revocation: None,
        budget: ORACLE_BUDGET,
        provider: &provider,
    };
    let result = crate::validate(&leaf, &certs, &anchors, &Profile::rfc5280(), &options);
    if let Ok(chain) = &result {
        assert!(
            chain.path().len() <= ORACLE_BUDGET.max_depth,
            "path longer than the depth budget"
        );
    }
    let checks = provider.count.load(Ordering::Relaxed);
    assert!(
        checks <= ORACLE_BUDGET.signatures,
        "{checks} signature checks exceed the budget of {}",
        ORACLE_BUDGET.signatures
    );
    if let Err(ValidationError::Budget(_)) = result {
        // Stopping on the budget is the expected outcome for hostile pools.
    }
}

/// Counts verifications, to check the budget from outside the validator.
#[derive(Debug, Default)]
struct CountingProvider {
    count: AtomicUsize,
}

impl CryptoProvider for CountingProvider {
    fn name(&self) -> &'static str {
        "counting"
    }

    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        encoding: SignatureEncoding,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        entente_core::RustCryptoProvider.verify(algorithm, encoding, key, message, signature)
    }
}
