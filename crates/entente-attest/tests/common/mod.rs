//! A test world: partners with attester credentials, an observer, a dispute
//! authority, a declarer, a resolver and a signed declaration.
//!
//! Two kinds of crypto: real ES256 (`Crypto::Ecdsa`, RustCrypto) for the
//! named tests, and a keyed-hash stand-in (`Crypto::Mac`) that lets the
//! byzantine simulation run hundreds of schedules in a debug build. The
//! stand-in is a MAC whose secret only the signing party holds and which
//! the provider checks; it exercises every protocol rule, while ECDSA
//! itself is exercised by the named tests and by 20 simulation runs.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test binary uses part of the world"
)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use entente_attest::{
    AttestError, Attestation, CredentialPurpose, Ingested, MemoryResolver, OperationDeclaration,
    OperationState, QuorumRule, Role, RosterChangeRules, RosterEntry, Statement,
    VerifiedAttestation, VerifiedDeclaration, verify_attestation,
};
use entente_core::{
    ArtifactId, AuthorityId, CryptoError, CryptoProvider, Digest256, KeyKind, OperationId,
    PublicKey, RustCryptoProvider, SignatureAlgorithm, SignatureEncoding, Signer, SigningKey,
    UnixTime, Validity,
};

/// Which signatures the world uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crypto {
    /// Real ES256 with RustCrypto.
    Ecdsa,
    /// The keyed-hash stand-in (fast in debug builds).
    Mac,
}

/// The verification time of every test.
pub const AT: UnixTime = UnixTime::from_secs(1_800_000_000);

/// An authority with one or more attester credentials.
#[derive(Clone, Debug)]
pub struct Party {
    pub authority: AuthorityId,
    pub keys: Vec<(Arc<dyn Signer>, Digest256)>,
}

impl Party {
    pub fn kid(&self, index: usize) -> Digest256 {
        self.keys[index].1
    }
}

pub struct World {
    pub resolver: MemoryResolver,
    pub provider: Arc<dyn CryptoProvider>,
    /// Index 0 is the lead; the others are supporting partners.
    pub partners: Vec<Party>,
    pub observers: Vec<Party>,
    pub dispute: Party,
    pub declarer: Party,
    pub outsider: Party,
    pub declaration_bytes: Vec<u8>,
    pub declaration: VerifiedDeclaration,
    pub operation: OperationId,
    /// Signatures are deterministic: the simulation signs each distinct
    /// statement once per world.
    sign_cache: Mutex<HashMap<(Digest256, Attestation), Vec<u8>>>,
    /// Verification is deterministic too: each distinct accepted envelope
    /// is verified once per world (refusals are always recomputed).
    verify_cache: Mutex<HashMap<Vec<u8>, VerifiedAttestation>>,
    pub caching: bool,
}

const POOL: usize = 48;

fn ecdsa_pool() -> &'static Vec<Arc<SigningKey>> {
    static POOL_KEYS: OnceLock<Vec<Arc<SigningKey>>> = OnceLock::new();
    POOL_KEYS.get_or_init(|| {
        (0..POOL)
            .map(|i| {
                Arc::new(
                    SigningKey::derive_from_seed(KeyKind::P256, b"attest-tests", &format!("k{i}"))
                        .unwrap(),
                )
            })
            .collect()
    })
}

fn mac_pool() -> &'static (Vec<Arc<MacSigner>>, Arc<MacProvider>) {
    static POOL_MACS: OnceLock<(Vec<Arc<MacSigner>>, Arc<MacProvider>)> = OnceLock::new();
    POOL_MACS.get_or_init(|| {
        let signers: Vec<Arc<MacSigner>> = ecdsa_pool()
            .iter()
            .enumerate()
            .map(|(i, key)| {
                Arc::new(MacSigner {
                    secret: *Digest256::sha256(format!("mac-secret-{i}").as_bytes()).as_bytes(),
                    public: key.public_key().clone(),
                })
            })
            .collect();
        let secrets = signers
            .iter()
            .map(|s| (s.public.material().to_vec(), s.secret))
            .collect();
        (signers, Arc::new(MacProvider { secrets }))
    })
}

fn signer(crypto: Crypto, index: usize) -> Arc<dyn Signer> {
    match crypto {
        Crypto::Ecdsa => ecdsa_pool()[index].clone(),
        Crypto::Mac => mac_pool().0[index].clone(),
    }
}

fn party(crypto: Crypto, label: &str, key_indices: &[usize]) -> Party {
    Party {
        authority: AuthorityId::from_spki_der(format!("root/{label}").as_bytes()),
        keys: key_indices
            .iter()
            .map(|&i| {
                (
                    signer(crypto, i),
                    Digest256::sha256(format!("cert/{label}/{i}").as_bytes()),
                )
            })
            .collect(),
    }
}

impl World {
    /// `n` counting partners (each with two attester keys), `observers`
    /// observers, the default two-thirds rule, roster changes allowed.
    pub fn new(crypto: Crypto, n: usize, observers: usize) -> Self {
        Self::with_rule(crypto, n, observers, QuorumRule::TwoThirds)
    }

    pub fn with_rule(crypto: Crypto, n: usize, observers: usize, rule: QuorumRule) -> Self {
        assert!(n <= 14 && observers <= 4);
        let partners: Vec<Party> = (0..n)
            .map(|i| party(crypto, &format!("partner-{i}"), &[2 * i, 2 * i + 1]))
            .collect();
        let observers: Vec<Party> = (0..observers)
            .map(|i| party(crypto, &format!("observer-{i}"), &[28 + i]))
            .collect();
        let dispute = party(crypto, "dispute", &[40]);
        let declarer = party(crypto, "declarer", &[41]);
        let outsider = party(crypto, "outsider", &[42]);
        let provider: Arc<dyn CryptoProvider> = match crypto {
            Crypto::Ecdsa => Arc::new(RustCryptoProvider),
            Crypto::Mac => mac_pool().1.clone(),
        };
        let mut resolver = MemoryResolver::new();
        for p in partners
            .iter()
            .chain(&observers)
            .chain([&dispute, &outsider])
        {
            for (key, kid) in &p.keys {
                resolver.insert(
                    *kid,
                    CredentialPurpose::Attester,
                    p.authority,
                    key.public_key().clone(),
                );
            }
        }
        resolver.insert(
            declarer.kid(0),
            CredentialPurpose::OperationDeclarer,
            declarer.authority,
            declarer.keys[0].0.public_key().clone(),
        );
        let roster = partners
            .iter()
            .enumerate()
            .map(|(i, p)| RosterEntry {
                authority: p.authority,
                role: if i == 0 { Role::Lead } else { Role::Supporting },
            })
            .chain(observers.iter().map(|p| RosterEntry {
                authority: p.authority,
                role: Role::Observing,
            }))
            .collect();
        let declaration = OperationDeclaration::new(
            declarer.authority,
            &format!(
                "operation-{n}-{observers_len}",
                observers_len = observers.len()
            ),
            roster,
            rule,
            Validity {
                not_before: UnixTime::from_secs(1_700_000_000),
                not_after: UnixTime::from_secs(1_900_000_000),
            },
            dispute.authority,
            RosterChangeRules {
                may_add: true,
                may_remove: true,
                max_members: 32,
                min_counting: 3,
            },
        );
        let operation = declaration.operation;
        let declaration_bytes = declaration
            .sign(&*declarer.keys[0].0, &declarer.kid(0))
            .unwrap();
        let verified =
            VerifiedDeclaration::verify(&declaration_bytes, &resolver, &*provider, AT).unwrap();
        Self {
            resolver,
            provider,
            partners,
            observers,
            dispute,
            declarer,
            outsider,
            declaration_bytes,
            declaration: verified,
            operation,
            sign_cache: Mutex::default(),
            verify_cache: Mutex::default(),
            caching: false,
        }
    }

    pub fn state(&self) -> OperationState {
        OperationState::new(self.declaration.clone())
    }

    pub fn attestation(
        &self,
        who: &Party,
        epoch: u64,
        slot: u64,
        statement: Statement,
    ) -> Attestation {
        Attestation {
            operation: self.operation,
            epoch,
            slot,
            author: who.authority,
            statement,
        }
    }

    /// Signs a statement by `who` with its key `key`.
    pub fn sign(
        &self,
        who: &Party,
        key: usize,
        epoch: u64,
        slot: u64,
        statement: Statement,
    ) -> Vec<u8> {
        let (signer, kid) = &who.keys[key];
        let attestation = self.attestation(who, epoch, slot, statement);
        if !self.caching {
            return attestation.sign(&**signer, kid).unwrap();
        }
        let mut cache = self.sign_cache.lock().unwrap();
        cache
            .entry((*kid, attestation))
            .or_insert_with_key(|(kid, attestation)| attestation.sign(&**signer, kid).unwrap())
            .clone()
    }

    pub fn endorse(&self, who: &Party, epoch: u64, slot: u64, artifact: ArtifactId) -> Vec<u8> {
        self.sign(who, 0, epoch, slot, Statement::Endorsement { artifact })
    }

    pub fn verify(&self, bytes: &[u8]) -> Result<VerifiedAttestation, AttestError> {
        if !self.caching {
            return verify_attestation(bytes, &self.resolver, &*self.provider, AT);
        }
        if let Some(verified) = self.verify_cache.lock().unwrap().get(bytes) {
            return Ok(verified.clone());
        }
        let verified = verify_attestation(bytes, &self.resolver, &*self.provider, AT)?;
        self.verify_cache
            .lock()
            .unwrap()
            .insert(bytes.to_vec(), verified.clone());
        Ok(verified)
    }

    pub fn submit(
        &self,
        state: &mut OperationState,
        bytes: &[u8],
    ) -> Result<Ingested, AttestError> {
        state.ingest(&self.verify(bytes)?)
    }
}

pub fn artifact(label: &str) -> ArtifactId {
    ArtifactId::from_digest(Digest256::sha256(label.as_bytes()))
}

/// The keyed-hash stand-in for a signer: the "signature" is two SHA-256
/// values over the secret and the message, 64 bytes like an ES256 `r || s`.
#[derive(Debug)]
pub struct MacSigner {
    secret: [u8; 32],
    public: PublicKey,
}

fn mac(secret: &[u8; 32], message: &[u8]) -> Vec<u8> {
    let first = Digest256::sha256_parts(&[b"mac/1", secret, message]);
    let second = Digest256::sha256_parts(&[b"mac/2", secret, first.as_bytes()]);
    [first.as_bytes().as_slice(), second.as_bytes().as_slice()].concat()
}

impl Signer for MacSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::EcdsaP256Sha256
    }

    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, message: &[u8], _encoding: SignatureEncoding) -> Result<Vec<u8>, CryptoError> {
        Ok(mac(&self.secret, message))
    }
}

/// Checks the stand-in signatures: it knows each public key's secret.
#[derive(Debug)]
pub struct MacProvider {
    secrets: HashMap<Vec<u8>, [u8; 32]>,
}

impl CryptoProvider for MacProvider {
    fn name(&self) -> &'static str {
        "simulation-mac"
    }

    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        _encoding: SignatureEncoding,
        key: &PublicKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        if algorithm != SignatureAlgorithm::EcdsaP256Sha256 {
            return Err(CryptoError::UnsupportedAlgorithm(algorithm));
        }
        let secret = self
            .secrets
            .get(key.material())
            .ok_or(CryptoError::BadSignature)?;
        if mac(secret, message) == signature {
            Ok(())
        } else {
            Err(CryptoError::BadSignature)
        }
    }
}
