//! RFC 5280 §6 path validation with path building.

use std::collections::HashMap;

use entente_core::{
    AuthorityId, CryptoProvider, Digest256, PublicKey, SignatureAlgorithm, SignatureEncoding,
    UnixTime,
};
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};

use crate::cert::{Certificate, ku};
use crate::crl::{ALL_REASONS, Crl, RevocationReason};
use crate::error::{BudgetExhausted, Position, Rule, ValidationError};
use crate::name::{ConstraintState, NormalizedName};
use crate::policy::{PolicyFailure, PolicyGraph, PolicyInputs, PolicySet};
use crate::profile::CredentialProfile;

/// Bounds on the work one validation may do, so that hostile certificate
/// pools hit a bound instead of hanging the verifier.
///
/// The signature and candidate defaults are rustls-webpki's `Budget`
/// (100 signatures, 200,000 path-building calls), introduced there because
/// path building over hostile pools is exponential without a bound, as Go's
/// `crypto/x509` showed (CVE-2018-16875). Entente chains are short (root,
/// one or two intermediates, leaf), so a depth of 10 certificates leaves room
/// for cross-certificates and bridges; PKITS's longest path has 7. The
/// policy-graph bound answers RFC 9618's security considerations (bound the graph).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Signature verifications (certificates and CRLs) per validation.
    pub signatures: usize,
    /// Candidate issuers considered per validation.
    pub candidates: usize,
    /// Certificates in a path, the trust anchor excluded.
    pub max_depth: usize,
    /// Edges of the RFC 9618 policy graph: bounds policy processing, which
    /// is quadratic in the number of policies per certificate.
    pub policy_edges: usize,
    /// Nesting of path validations for CRL signers (a CRL signed by a key
    /// other than the certificate issuer's needs its own path).
    pub crl_signer_nesting: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            signatures: 100,
            candidates: 200_000,
            max_depth: 10,
            policy_edges: 10_000,
            crl_signer_nesting: 2,
        }
    }
}

/// A trust anchor: a (normally self-signed) root certificate whose key and
/// name the relying party trusts. Its constraints are not applied (RFC 5280
/// §6.1.1 (d): the anchor is its name and key).
#[derive(Clone, Debug)]
pub struct TrustAnchor {
    cert: Certificate,
    id: AuthorityId,
}

impl TrustAnchor {
    /// Makes `cert` a trust anchor.
    pub fn new(cert: Certificate) -> Self {
        let id = AuthorityId::from_spki_der(cert.spki_der());
        Self { cert, id }
    }

    /// The authority this anchor identifies: SHA-256 of its SPKI DER.
    pub fn authority_id(&self) -> AuthorityId {
        self.id
    }

    /// The anchor's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }
}

/// Revocation checking with CRLs (RFC 5280 §6.3, complete CRLs only).
#[derive(Clone, Copy, Debug)]
pub struct CrlCheck<'a> {
    /// The CRLs available; every certificate of the path must be covered
    /// by a usable, fresh one.
    pub crls: &'a [Crl],
    /// The oldest thisUpdate accepted, as an age in seconds at the
    /// validation time; `None` relies on nextUpdate alone.
    pub max_age: Option<u64>,
}

/// Everything a validation needs besides the certificates.
#[derive(Clone, Copy, Debug)]
pub struct ValidationOptions<'a> {
    /// The validation time; nothing reads the clock.
    pub time: UnixTime,
    /// The RFC 5280 §6.1.1 policy inputs.
    pub policy: &'a PolicyInputs,
    /// CRL checking; `None` checks no revocation (the caller's choice, which
    /// entente-admit never makes).
    pub revocation: Option<CrlCheck<'a>>,
    /// Work bounds.
    pub budget: Budget,
    /// Signature verification.
    pub provider: &'a dyn CryptoProvider,
}

/// A validated path: only [`validate`] constructs one.
#[derive(Clone, Debug)]
pub struct VerifiedChain {
    anchor: AuthorityId,
    anchor_cert: Certificate,
    path: Vec<Certificate>,
    policies: PolicySet,
    leaf_key: PublicKey,
    profile: String,
}

impl VerifiedChain {
    /// The trust anchor's authority.
    pub fn anchor(&self) -> AuthorityId {
        self.anchor
    }

    /// The trust anchor's certificate.
    pub fn anchor_certificate(&self) -> &Certificate {
        &self.anchor_cert
    }

    /// The path from the certificate the anchor issued (first) to the leaf (last).
    pub fn path(&self) -> &[Certificate] {
        &self.path
    }

    /// The leaf certificate.
    pub fn leaf(&self) -> Option<&Certificate> {
        self.path.last()
    }

    /// The user-constrained policy set (RFC 5280 §6.1.6), in the anchor's domain.
    pub fn policies(&self) -> &PolicySet {
        &self.policies
    }

    /// The leaf's public key.
    pub fn leaf_key(&self) -> &PublicKey {
        &self.leaf_key
    }

    /// The name of the credential profile the leaf satisfied.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// Digests of the path's certificates, anchor first: a cache key.
    pub fn digests(&self) -> Vec<Digest256> {
        core::iter::once(self.anchor_cert.digest())
            .chain(self.path.iter().map(Certificate::digest))
            .collect()
    }
}

/// Validates `leaf` against `anchors`, building a path through
/// `intermediates` (any order, may contain unrelated or hostile
/// certificates), then checks `profile` on the leaf.
///
/// On failure, the error is the one from the most complete candidate path.
pub fn validate(
    leaf: &Certificate,
    intermediates: &[Certificate],
    anchors: &[TrustAnchor],
    profile: &dyn CredentialProfile,
    options: &ValidationOptions<'_>,
) -> Result<VerifiedChain, ValidationError> {
    if anchors.is_empty() {
        return Err(ValidationError::NoAnchors);
    }
    let mut builder = Builder {
        options,
        pool: intermediates,
        anchors,
        signatures: 0,
        candidates: 0,
        sig_cache: HashMap::new(),
        best: None,
    };
    let mut chain = vec![leaf];
    match builder.build(&mut chain, None, 0, Some(profile)) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(builder
            .best
            .map(|(_, e)| e)
            .unwrap_or(ValidationError::NoIssuer { depth: 0 })),
        Err(b) => Err(ValidationError::Budget(b)),
    }
}

struct Builder<'a, 'o> {
    options: &'a ValidationOptions<'o>,
    pool: &'a [Certificate],
    anchors: &'a [TrustAnchor],
    signatures: usize,
    candidates: usize,
    /// Signature checks done, by the addresses of the signed object's and
    /// the signer's bytes: everything keyed is borrowed for `'a`, so no
    /// address is reused while the cache lives, and hashing an address
    /// costs nothing beside hashing the bytes.
    sig_cache: HashMap<(usize, usize), Result<(), Rule>>,
    /// The most informative failure so far, with its score.
    best: Option<(usize, ValidationError)>,
}

/// Verifies `signature` over `tbs` by `key` under the X.509 algorithm `oid`.
fn verify_x509(
    provider: &dyn CryptoProvider,
    oid: &der::asn1::ObjectIdentifier,
    key: &PublicKey,
    tbs: &[u8],
    signature: Option<&[u8]>,
) -> Result<(), Rule> {
    let alg = SignatureAlgorithm::from_x509_oid(oid)
        .ok_or(Rule::UnsupportedSignatureAlgorithm(*oid))?
        .for_key(key.kind());
    // Ed25519 is for leaf keys (audit log, witness), never chain signatures
    // (ARCHITECTURE.md §3).
    if alg == SignatureAlgorithm::Ed25519 {
        return Err(Rule::UnsupportedSignatureAlgorithm(*oid));
    }
    let signature = signature.ok_or(Rule::Signature(entente_core::CryptoError::BadSignature))?;
    provider
        .verify(alg, SignatureEncoding::Der, key, tbs, signature)
        .map_err(Rule::Signature)
}

impl<'a> Builder<'a, '_> {
    fn record(&mut self, score: usize, error: ValidationError) {
        if self.best.as_ref().is_none_or(|(s, _)| score > *s) {
            self.best = Some((score, error));
        }
    }

    fn spend_candidate(&mut self) -> Result<(), BudgetExhausted> {
        self.candidates = self.candidates.saturating_add(1);
        if self.candidates > self.options.budget.candidates {
            return Err(BudgetExhausted::Candidates);
        }
        Ok(())
    }

    fn spend_signature(&mut self) -> Result<(), BudgetExhausted> {
        self.signatures = self.signatures.saturating_add(1);
        if self.signatures > self.options.budget.signatures {
            return Err(BudgetExhausted::Signatures);
        }
        Ok(())
    }

    /// Checks that `issuer` signed `child`, with a cache: path building can
    /// meet the same pair on several branches.
    fn check_signature(
        &mut self,
        child: &'a Certificate,
        issuer: &'a Certificate,
    ) -> Result<Result<(), Rule>, BudgetExhausted> {
        let key = (child.address(), issuer.address());
        if let Some(r) = self.sig_cache.get(&key) {
            return Ok(r.clone());
        }
        let result = match issuer.public_key() {
            Err(e) => Err(Rule::IssuerKey(e)),
            Ok(k) => {
                self.spend_signature()?;
                verify_x509(
                    self.options.provider,
                    &child.signature_algorithm,
                    k,
                    child.tbs_der(),
                    child.signature_bytes(),
                )
            }
        };
        self.sig_cache.insert(key, result.clone());
        Ok(result)
    }

    /// Depth-first path building from `chain` (leaf first) upward.
    /// `only_anchor` restricts the anchors (CRL signer paths must end at the
    /// anchor of the path they serve); `nesting` counts CRL-signer levels.
    fn build(
        &mut self,
        chain: &mut Vec<&'a Certificate>,
        only_anchor: Option<&'a TrustAnchor>,
        nesting: usize,
        profile: Option<&dyn CredentialProfile>,
    ) -> Result<Option<VerifiedChain>, BudgetExhausted> {
        let Some(current) = chain.last().copied() else {
            return Ok(None);
        };
        let mut found_issuer = false;
        let anchors = self.anchors;
        for anchor in anchors {
            if only_anchor.is_some_and(|a| !core::ptr::eq(a, anchor)) {
                continue;
            }
            if !anchor.cert.names_issuer_of(current) {
                continue;
            }
            found_issuer = true;
            self.spend_candidate()?;
            let len = chain.len();
            if let Err(rule) = self.check_signature(current, &anchor.cert)? {
                self.record(
                    1000 + len,
                    ValidationError::Path {
                        position: Position { index: 1, len },
                        rule,
                    },
                );
                continue;
            }
            match self.process(anchor, chain, nesting, profile)? {
                Ok(v) => return Ok(Some(v)),
                Err(e) => self.record(2000 + len, e),
            }
        }
        if chain.len() >= self.options.budget.max_depth {
            self.record(chain.len(), ValidationError::Budget(BudgetExhausted::Depth));
            return Ok(None);
        }
        let pool = self.pool;
        for cand in pool {
            if !cand.names_issuer_of(current) {
                continue;
            }
            // INVARIANT: no (subject, key) twice in a path, which breaks
            // cross-certificate loops (A certifies B, B certifies A).
            if chain
                .iter()
                .any(|c| c.spki_der() == cand.spki_der() && c.same_subject(cand))
            {
                continue;
            }
            found_issuer = true;
            self.spend_candidate()?;
            if let Err(rule) = self.check_signature(current, cand)? {
                let len = chain.len() + 1;
                self.record(
                    len,
                    ValidationError::Path {
                        position: Position { index: 1, len },
                        rule,
                    },
                );
                continue;
            }
            chain.push(cand);
            let found = self.build(chain, only_anchor, nesting, profile)?;
            chain.pop();
            if found.is_some() {
                return Ok(found);
            }
        }
        if !found_issuer {
            self.record(
                chain.len().saturating_sub(1),
                ValidationError::NoIssuer {
                    depth: chain.len().saturating_sub(1),
                },
            );
        }
        Ok(None)
    }

    /// RFC 5280 §6.1.2-§6.1.5 on a complete candidate path.
    #[expect(
        clippy::too_many_lines,
        reason = "one function per RFC 5280 §6.1, step by step"
    )]
    fn process(
        &mut self,
        anchor: &'a TrustAnchor,
        chain: &[&'a Certificate],
        nesting: usize,
        profile: Option<&dyn CredentialProfile>,
    ) -> Result<Result<VerifiedChain, ValidationError>, BudgetExhausted> {
        let opts = self.options;
        let inputs: &PolicyInputs = if nesting == 0 {
            opts.policy
        } else {
            &DEFAULT_INPUTS
        };
        let n = chain.len();
        let fail = |index: usize, rule: Rule| {
            Ok(Err(ValidationError::Path {
                position: Position { index, len: n },
                rule,
            }))
        };
        // §6.1.2 initialization.
        let start = |flag: bool| if flag { 0 } else { n + 1 };
        let mut explicit_policy = start(inputs.explicit_policy);
        let mut inhibit_any = start(inputs.inhibit_any_policy);
        let mut policy_mapping = start(inputs.inhibit_policy_mapping);
        let mut max_path_length = n;
        let mut graph = Some(PolicyGraph::new(opts.budget.policy_edges));
        let mut names = ConstraintState::default();
        let mut issuer: &Certificate = &anchor.cert;

        for (idx, cert) in chain.iter().rev().enumerate() {
            let i = idx + 1;
            let last = i == n;
            let self_issued = cert.is_self_issued();
            // (a)(1): the signature was verified while building the path.
            // (a)(2)
            if opts.time < cert.not_before {
                return fail(
                    i,
                    Rule::NotYetValid {
                        not_before: cert.not_before,
                    },
                );
            }
            if opts.time > cert.not_after {
                return fail(
                    i,
                    Rule::Expired {
                        not_after: cert.not_after,
                    },
                );
            }
            // (a)(4)
            if !issuer.names_issuer_of(cert) {
                return fail(i, Rule::NameChaining);
            }
            // (b)-(c)
            if (last || !self_issued)
                && !names.is_empty()
                && let Err(kind) = names.check(
                    cert.subject_normalized(),
                    cert.ext.subject_alt_names.as_deref(),
                )
            {
                return fail(i, Rule::NameConstraint(kind));
            }
            // (d)-(e)
            if let Some(g) = graph.as_mut() {
                match &cert.ext.policies {
                    Some(p) => {
                        let any_allowed = inhibit_any > 0 || (!last && self_issued);
                        match g.process(p, any_allowed) {
                            Ok(true) => {}
                            Ok(false) => graph = None,
                            Err(PolicyFailure::TooLarge) => {
                                return fail(i, Rule::PolicyGraphTooLarge);
                            }
                        }
                    }
                    None => graph = None,
                }
            }
            // (f)
            if explicit_policy == 0 && graph.is_none() {
                return fail(i, Rule::NoAcceptablePolicy);
            }
            // (a)(3), after the cheaper checks: revocation may need nested paths.
            if let Some(check) = opts.revocation
                && let Err(rule) = self.check_revocation(cert, issuer, anchor, check, nesting)?
            {
                return fail(i, rule);
            }
            if !last {
                // §6.1.4 preparation for certificate i+1.
                if let Some(m) = &cert.ext.policy_mappings {
                    // (a)
                    if m.iter().any(|(a, b)| {
                        *a == crate::cert::ANY_POLICY || *b == crate::cert::ANY_POLICY
                    }) {
                        return fail(i, Rule::MappingAnyPolicy);
                    }
                    // (b)
                    if let Some(g) = graph.as_mut() {
                        match g.apply_mappings(m, policy_mapping > 0) {
                            Ok(true) => {}
                            Ok(false) => graph = None,
                            Err(PolicyFailure::TooLarge) => {
                                return fail(i, Rule::PolicyGraphTooLarge);
                            }
                        }
                    }
                }
                // (g)
                if let Some(nc) = &cert.ext.name_constraints
                    && let Err(kind) = names.add(nc)
                {
                    return fail(i, Rule::NameConstraint(kind));
                }
                // (h)
                if !self_issued {
                    explicit_policy = explicit_policy.saturating_sub(1);
                    policy_mapping = policy_mapping.saturating_sub(1);
                    inhibit_any = inhibit_any.saturating_sub(1);
                }
                // (i)
                if let Some((require, inhibit)) = cert.ext.policy_constraints {
                    if let Some(r) = require {
                        explicit_policy = explicit_policy.min(r as usize);
                    }
                    if let Some(m) = inhibit {
                        policy_mapping = policy_mapping.min(m as usize);
                    }
                }
                // (j)
                if let Some(skip) = cert.ext.inhibit_any_policy {
                    inhibit_any = inhibit_any.min(skip as usize);
                }
                // (k)
                if !cert.is_ca() {
                    return fail(i, Rule::NotCa);
                }
                // (l)
                if !self_issued {
                    if max_path_length == 0 {
                        return fail(i, Rule::PathLength);
                    }
                    max_path_length -= 1;
                }
                // (m)
                if let Some((_, Some(len))) = cert.ext.basic_constraints {
                    max_path_length = max_path_length.min(usize::from(len));
                }
                // (n)
                if !cert.key_usage_allows(ku::KEY_CERT_SIGN) {
                    return fail(i, Rule::KeyCertSignMissing);
                }
                // (o)
                if let Some(oid) = cert.ext.unknown_critical.first() {
                    return fail(i, Rule::UnknownCriticalExtension(*oid));
                }
            } else {
                // §6.1.5 wrap-up. (a)-(b)
                explicit_policy = explicit_policy.saturating_sub(1);
                if let Some((Some(0), _)) = cert.ext.policy_constraints {
                    explicit_policy = 0;
                }
                // (f)
                if let Some(oid) = cert.ext.unknown_critical.first() {
                    return fail(i, Rule::UnknownCriticalExtension(*oid));
                }
            }
            issuer = cert;
        }
        // §6.1.5 (g)
        let initial = inputs.initial_policy_set.as_deref();
        let policies = match &graph {
            Some(g) => g.user_constrained(initial),
            None => PolicySet::Only(Vec::new()),
        };
        if explicit_policy == 0 && policies.is_empty() {
            return fail(n, Rule::NoAcceptablePolicy);
        }
        let Some(leaf) = chain.first() else {
            return fail(n, Rule::NameChaining);
        };
        let leaf_key = match leaf.public_key() {
            Ok(k) => k.clone(),
            Err(e) => return fail(n, Rule::IssuerKey(e)),
        };
        let profile_name = match profile {
            Some(p) => {
                if let Err(violation) = p.check(leaf, opts.time) {
                    return fail(
                        n,
                        Rule::Profile {
                            profile: p.name().to_owned(),
                            violation,
                        },
                    );
                }
                p.name().to_owned()
            }
            None => String::new(),
        };
        Ok(Ok(VerifiedChain {
            anchor: anchor.id,
            anchor_cert: anchor.cert.clone(),
            path: chain.iter().rev().map(|c| (*c).clone()).collect(),
            policies,
            leaf_key,
            profile: profile_name,
        }))
    }

    /// RFC 5280 §6.3: `cert`, issued by `issuer`, must be covered for every
    /// reason by usable fresh complete CRLs, and listed in none of them nor
    /// in an applicable delta CRL.
    fn check_revocation(
        &mut self,
        cert: &Certificate,
        issuer: &'a Certificate,
        anchor: &'a TrustAnchor,
        check: CrlCheck<'a>,
        nesting: usize,
    ) -> Result<Result<(), Rule>, BudgetExhausted> {
        let time = self.options.time;
        let applies = |crl: &Crl| {
            !crl.unusable
                && issuer_matches(crl, cert)
                && crl.covers(cert.is_ca())
                && scope_matches(crl, cert)
                && crl.this_update <= time
        };
        let is_stale = |crl: &Crl| {
            let too_old = check
                .max_age
                .is_some_and(|age| time.as_secs().saturating_sub(crl.this_update.as_secs()) > age);
            crl.next_update.is_some_and(|next| next < time) || too_old
        };
        let listed = |crl: &Crl| {
            crl.entry_for(cert.issuer_normalized(), cert.serial())
                .cloned()
        };
        let mut reasons = 0u16;
        let mut stale: Option<UnixTime> = None;
        let mut on_hold = None;
        let mut bases: Vec<Option<u128>> = Vec::new();
        for crl in check.crls.iter().filter(|c| c.delta_base.is_none()) {
            if !applies(crl) || !self.crl_signed(crl, issuer, anchor, nesting)? {
                continue;
            }
            if let Some(entry) = listed(crl) {
                match entry.reason {
                    RevocationReason::RemoveFromCrl => {}
                    RevocationReason::CertificateHold => on_hold = Some(entry),
                    reason => {
                        return Ok(Err(Rule::Revoked {
                            reason,
                            date: entry.date,
                        }));
                    }
                }
            }
            if is_stale(crl) {
                stale = stale.max(Some(crl.this_update));
                continue;
            }
            reasons |= crl.reasons;
            bases.push(crl.number);
        }
        if reasons & ALL_REASONS != ALL_REASONS {
            return Ok(Err(match stale {
                Some(this_update) => Rule::StaleRevocation { this_update },
                None => Rule::RevocationUnavailable,
            }));
        }
        // §6.3.3 (c), (j): delta CRLs over the complete CRLs used.
        for delta in check.crls {
            let Some(base) = delta.delta_base else {
                continue;
            };
            if !bases
                .iter()
                .any(|n| n.is_some_and(|n| n >= base && delta.number > Some(n)))
                || !applies(delta)
                || !self.crl_signed(delta, issuer, anchor, nesting)?
            {
                continue;
            }
            if let Some(entry) = listed(delta) {
                match entry.reason {
                    RevocationReason::RemoveFromCrl => on_hold = None,
                    reason => {
                        return Ok(Err(Rule::Revoked {
                            reason,
                            date: entry.date,
                        }));
                    }
                }
            }
            if is_stale(delta) {
                return Ok(Err(Rule::StaleRevocation {
                    this_update: delta.this_update,
                }));
            }
        }
        Ok(match on_hold {
            Some(entry) => Err(Rule::Revoked {
                reason: entry.reason,
                date: entry.date,
            }),
            None => Ok(()),
        })
    }

    /// Whether `signer`'s key verifies `crl`'s signature, with a cache: every
    /// certificate a CA issued meets the same CRL.
    fn crl_signature(
        &mut self,
        crl: &'a Crl,
        signer: &'a Certificate,
    ) -> Result<bool, BudgetExhausted> {
        let Ok(key) = signer.public_key() else {
            return Ok(false);
        };
        let cache_key = (crl.address(), signer.address());
        if let Some(r) = self.sig_cache.get(&cache_key) {
            return Ok(r.is_ok());
        }
        self.spend_signature()?;
        let result = verify_x509(
            self.options.provider,
            &crl.signature_oid(),
            key,
            crl.tbs_der(),
            crl.signature_bytes(),
        );
        let ok = result.is_ok();
        self.sig_cache.insert(cache_key, result);
        Ok(ok)
    }

    /// Whether `crl` is signed by `issuer` (with cRLSign), or by another key
    /// of the same CA name whose certificate validates to the same anchor
    /// (RFC 5280 §6.3.3 (f)).
    fn crl_signed(
        &mut self,
        crl: &'a Crl,
        issuer: &'a Certificate,
        anchor: &'a TrustAnchor,
        nesting: usize,
    ) -> Result<bool, BudgetExhausted> {
        let is_anchor = core::ptr::eq(issuer, &anchor.cert);
        if (is_anchor || issuer.key_usage_allows(ku::CRL_SIGN))
            && self.crl_signature(crl, issuer)?
        {
            return Ok(true);
        }
        if nesting >= self.options.budget.crl_signer_nesting {
            return Ok(false);
        }
        let pool = self.pool;
        for signer in pool {
            if core::ptr::eq(signer, issuer)
                || *signer.subject_normalized() != crl.issuer
                || !signer.key_usage_allows(ku::CRL_SIGN)
                || matches!((&crl.authority_key_id, &signer.ext.subject_key_id), (Some(a), Some(s)) if a != s)
            {
                continue;
            }
            self.spend_candidate()?;
            if !self.crl_signature(crl, signer)? {
                continue;
            }
            let saved = self.best.take();
            let mut chain = vec![signer];
            let found = self.build(&mut chain, Some(anchor), nesting + 1, None)?;
            self.best = saved;
            if found.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

static DEFAULT_INPUTS: PolicyInputs = PolicyInputs {
    initial_policy_set: None,
    explicit_policy: false,
    inhibit_policy_mapping: false,
    inhibit_any_policy: false,
};

/// The names a distribution point stands for; a name relative to the CRL
/// issuer is appended to `base` (RFC 5280 §4.2.1.13).
fn dp_names(name: &DistributionPointName, base: &x509_cert::name::Name) -> Vec<GeneralName> {
    match name {
        DistributionPointName::FullName(list) => list.clone(),
        DistributionPointName::NameRelativeToCRLIssuer(rdn) => {
            let mut full = base.clone();
            full.0.push(rdn.clone());
            vec![GeneralName::DirectoryName(full)]
        }
    }
}

fn same_general_name(a: &GeneralName, b: &GeneralName) -> bool {
    match (a, b) {
        (GeneralName::DirectoryName(x), GeneralName::DirectoryName(y)) => {
            NormalizedName::new(x) == NormalizedName::new(y)
        }
        _ => a == b,
    }
}

/// RFC 5280 §6.3.3 (b)(1): a CRL speaks for the certificate's issuer, or is
/// an indirect CRL whose issuer a distribution point of the certificate
/// names in cRLIssuer.
fn issuer_matches(crl: &Crl, cert: &Certificate) -> bool {
    let dps = cert
        .ext
        .crl_distribution_points
        .as_ref()
        .map(|d| d.0.as_slice())
        .unwrap_or_default();
    let direct_allowed = dps.is_empty() || dps.iter().any(|dp| dp.crl_issuer.is_none());
    if direct_allowed && crl.issuer == *cert.issuer_normalized() {
        return true;
    }
    crl.indirect
        && dps.iter().flat_map(|dp| dp.crl_issuer.iter().flatten()).any(|n| {
            matches!(n, GeneralName::DirectoryName(d) if NormalizedName::new(d) == crl.issuer)
        })
}

/// RFC 5280 §6.3.3 (b)(2)(i): a CRL with a distribution point in its
/// issuingDistributionPoint covers only certificates that name it.
fn scope_matches(crl: &Crl, cert: &Certificate) -> bool {
    let Some(idp_name) = crl.idp.as_ref().and_then(|p| p.distribution_point.as_ref()) else {
        return true;
    };
    let idp_names = dp_names(idp_name, &crl.inner.tbs_cert_list.issuer);
    let Some(cdp) = &cert.ext.crl_distribution_points else {
        return false;
    };
    // The structure decoder accepted this name, so x509-cert reads it too;
    // were it not to, no distribution point would match: out of scope.
    let Ok(own_issuer) = cert.issuer_name() else {
        return false;
    };
    cdp.0.iter().any(|dp| {
        // RFC 5280 §4.2.1.13: a relative name extends the cRLIssuer when
        // present, else the certificate issuer.
        let base = dp
            .crl_issuer
            .iter()
            .flatten()
            .find_map(|n| match n {
                GeneralName::DirectoryName(d) => Some(d),
                _ => None,
            })
            .unwrap_or(&own_issuer);
        let names = match &dp.distribution_point {
            Some(n) => dp_names(n, base),
            None => dp.crl_issuer.clone().unwrap_or_default(),
        };
        names
            .iter()
            .any(|a| idp_names.iter().any(|b| same_general_name(a, b)))
    })
}
