//! Testing oracles for the fuzz targets: each takes arbitrary bytes, must
//! never panic, and asserts the property its target is named for.

use core::sync::atomic::{AtomicUsize, Ordering};

use entente_core::{
    CryptoError, CryptoProvider, PublicKey, SignatureAlgorithm, SignatureEncoding, UnixTime,
};

use crate::name::NormalizedName;
use crate::{
    Budget, Certificate, Crl, DecodeError, PolicyInputs, Profile, TrustAnchor, ValidationError,
    ValidationOptions,
};

/// `x509_cert_decode`: decoding never panics; an accepted certificate keeps
/// its bytes and answers every accessor; and the in-place structure decoder
/// agrees with x509-cert's: a structural refusal ([`DecodeError::Der`])
/// exactly when x509-cert refuses, and on acceptance the same fields.
pub fn cert_decode(data: &[u8]) {
    let reference = <x509_cert::Certificate as der::Decode<'_>>::from_der(data);
    match Certificate::from_der(data) {
        Ok(cert) => {
            assert_eq!(cert.der(), data, "decoded certificate lost its bytes");
            let _ = cert.public_key();
            let _ = cert.is_self_issued();
            assert!(
                reference.is_ok(),
                "x509-cert refuses ({:?}) what entente accepts",
                reference.as_ref().err()
            );
            if let Ok(reference) = &reference {
                same_fields(&cert, reference);
            }
        }
        Err(DecodeError::Der(e)) => assert!(
            reference.is_err(),
            "entente refuses as malformed ({e}) what x509-cert accepts"
        ),
        Err(DecodeError::TooLarge(_)) => {}
        Err(other) => assert!(
            reference.is_ok(),
            "a rule past the structure ({other}) fired on what x509-cert refuses"
        ),
    }
}

/// Asserts that what entente read matches x509-cert's decoding of the same bytes.
fn same_fields(cert: &Certificate, reference: &x509_cert::Certificate) {
    use der::Encode as _;
    let tbs = &reference.tbs_certificate;
    assert_eq!(cert.serial(), tbs.serial_number.as_bytes(), "serial");
    assert!(
        *cert.issuer_normalized() == NormalizedName::new(&tbs.issuer),
        "issuer name"
    );
    assert!(
        *cert.subject_normalized() == NormalizedName::new(&tbs.subject),
        "subject name"
    );
    assert_eq!(
        cert.issuer_name().ok().as_ref(),
        Some(&tbs.issuer),
        "issuer name bytes"
    );
    assert_eq!(
        cert.subject_name().ok().as_ref(),
        Some(&tbs.subject),
        "subject name bytes"
    );
    assert_eq!(
        tbs.subject_public_key_info.to_der().ok().as_deref(),
        Some(cert.spki_der()),
        "subjectPublicKeyInfo"
    );
    let validity = cert.validity();
    assert_eq!(
        (validity.not_before, validity.not_after),
        (
            crate::cert::time_to_unix(&tbs.validity.not_before),
            crate::cert::time_to_unix(&tbs.validity.not_after)
        ),
        "validity"
    );
    assert_eq!(
        cert.signature_bytes(),
        reference.signature.as_bytes(),
        "signature value"
    );
    assert_eq!(
        cert.signature_algorithm, reference.signature_algorithm.oid,
        "signature algorithm"
    );
    let signed = crate::cert::first_inner_tlv(cert.der())
        .ok()
        .and_then(|r| cert.der().get(r));
    assert_eq!(Some(cert.tbs_der()), signed, "signed bytes");
    let listed: Vec<_> = tbs
        .extensions
        .iter()
        .flatten()
        .map(|e| (e.extn_id, e.critical, e.extn_value.as_bytes()))
        .collect();
    let read: Vec<_> = cert
        .ext
        .all
        .iter()
        .map(|(oid, critical, value)| (*oid, *critical, cert.part(value)))
        .collect();
    assert_eq!(read, listed, "extensions");
    // The hashed keys may only ever tell unequal names apart.
    assert!(
        !(cert.subject_normalized() == cert.issuer_normalized()
            && cert.subject_key.differs(cert.issuer_key)),
        "equal issuer and subject names with differing keys"
    );
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
