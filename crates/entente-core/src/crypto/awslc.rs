//! The `aws-lc` provider, built on `aws-lc-rs` (the route to FIPS-validated crypto).

use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};

use super::{
    CryptoError, CryptoProvider, PublicKey, SignatureAlgorithm, SignatureEncoding, check_key,
};

/// Verification with `aws-lc-rs`. Enabled by the `aws-lc` cargo feature.
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLcProvider;

impl AwsLcProvider {
    fn algorithm(
        algorithm: SignatureAlgorithm,
        encoding: SignatureEncoding,
    ) -> &'static dyn VerificationAlgorithm {
        use SignatureAlgorithm as A;
        use SignatureEncoding as E;
        match (algorithm, encoding) {
            (A::EcdsaP256Sha256, E::Fixed) => &sig::ECDSA_P256_SHA256_FIXED,
            (A::EcdsaP256Sha256, E::Der) => &sig::ECDSA_P256_SHA256_ASN1,
            // aws-lc-rs has no fixed-width form of the cross-curve hashes;
            // `verify` re-encodes those signatures as DER first.
            (A::EcdsaP256Sha384, _) => &sig::ECDSA_P256_SHA384_ASN1,
            (A::EcdsaP384Sha256, _) => &sig::ECDSA_P384_SHA256_ASN1,
            (A::EcdsaP384Sha384, E::Fixed) => &sig::ECDSA_P384_SHA384_FIXED,
            (A::EcdsaP384Sha384, E::Der) => &sig::ECDSA_P384_SHA384_ASN1,
            (A::RsaPkcs1Sha256, _) => &sig::RSA_PKCS1_2048_8192_SHA256,
            (A::RsaPkcs1Sha384, _) => &sig::RSA_PKCS1_2048_8192_SHA384,
            (A::RsaPkcs1Sha512, _) => &sig::RSA_PKCS1_2048_8192_SHA512,
            (A::Ed25519, _) => &sig::ED25519,
        }
    }
}

impl CryptoProvider for AwsLcProvider {
    fn name(&self) -> &'static str {
        "aws-lc"
    }

    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        encoding: SignatureEncoding,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        check_key(algorithm, key)?;
        let malformed = |_| CryptoError::MalformedSignature(algorithm);
        let converted = match (algorithm, encoding) {
            (SignatureAlgorithm::EcdsaP256Sha384, SignatureEncoding::Fixed) => Some(
                p256::ecdsa::Signature::from_slice(signature)
                    .map_err(malformed)?
                    .to_der()
                    .as_bytes()
                    .to_vec(),
            ),
            (SignatureAlgorithm::EcdsaP384Sha256, SignatureEncoding::Fixed) => Some(
                p384::ecdsa::Signature::from_slice(signature)
                    .map_err(malformed)?
                    .to_der()
                    .as_bytes()
                    .to_vec(),
            ),
            _ => None,
        };
        let signature = converted.as_deref().unwrap_or(signature);
        UnparsedPublicKey::new(Self::algorithm(algorithm, encoding), key.material())
            .verify(message, signature)
            .map_err(|_| CryptoError::BadSignature)
    }
}
