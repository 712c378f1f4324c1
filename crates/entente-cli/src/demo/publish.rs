//! What each authority publishes (its bundle) and what each partner admits
//! (its admission policy).

use entente_admit::{
    AuthorityConfig, AuthorityKind, Bundle, CoordinatorConfig, DisputeHandling, PolicyDocument,
    Provision, RootSource,
};
use entente_policy::Scope;

use super::DemoError;
use super::world::{Authority, CJTF, Coalition, DAY, DEU, GBR, Kind, NATO, Translator, USA};

/// The bundle `index` publishes: its credentials and CRLs, its vocabulary
/// and policy, the translations it publishes with their signers' chains,
/// GBR's declaration and its own endorsements.
pub(crate) fn bundle(coalition: &Coalition, index: usize) -> Result<Bundle, DemoError> {
    let authority = coalition.authority(index)?;
    let mut bundle = Bundle::new(authority.id());
    for credential in [
        &authority.policy_signer,
        &authority.attester,
        &authority.recorder,
        &authority.log,
        &authority.witness,
    ] {
        bundle
            .certificates
            .push(credential.certificate.der().to_vec());
    }
    let translators: &[&Translator] = match index {
        DEU => &[&coalition.bilateral],
        NATO => &[&coalition.nato_translator],
        CJTF => &[&coalition.cjtf_translator],
        _ => &[],
    };
    for translator in translators {
        for credential in &translator.credentials {
            bundle
                .certificates
                .push(credential.certificate.der().to_vec());
        }
    }
    if let Some(crl) = authority.crls.last() {
        bundle.crls.push(crl.der().to_vec());
    }
    if let Some(vocabulary) = &authority.vocabulary {
        bundle.vocabularies.push(vocabulary.bytes.clone());
    }
    if let Some(policy) = &authority.policy {
        bundle.policies.push(policy.bytes.clone());
    }
    for (publisher, translation) in &coalition.translations {
        if *publisher == index {
            bundle.translations.push(translation.bytes.clone());
        }
    }
    if index == GBR {
        bundle
            .certificates
            .push(coalition.declarer.certificate.der().to_vec());
        bundle
            .declarations
            .push(coalition.declaration.bytes.clone());
    }
    for (author, endorsement) in &coalition.endorsements {
        if *author == index {
            bundle.attestations.push(endorsement.bytes.clone());
        }
    }
    Ok(bundle)
}

/// What an authority may provide, as every partner sees it in the demo.
fn provisions(index: usize) -> Vec<Provision> {
    use Provision::{Attestations, Declarations, Policies, Translations, Vocabularies};
    match index {
        GBR => vec![Vocabularies, Policies, Declarations, Attestations],
        DEU | NATO => vec![Vocabularies, Policies, Translations, Attestations],
        CJTF => vec![Translations, Attestations],
        _ => vec![Vocabularies, Policies, Attestations],
    }
}

fn kind(authority: &Authority) -> AuthorityKind {
    match authority.kind {
        Kind::National => AuthorityKind::National,
        Kind::Alliance => AuthorityKind::Alliance,
        Kind::Coalition => AuthorityKind::AdHocCoalition,
    }
}

/// The coordinators every partner accepts: NATO between GBR and USA, CJTF
/// between DEU and USA, each only for the operation.
fn coordinators(coalition: &Coalition) -> Vec<CoordinatorConfig> {
    let pairs: &[(usize, usize, usize)] = &[
        (NATO, USA, GBR),
        (NATO, GBR, USA),
        (CJTF, DEU, USA),
        (CJTF, USA, DEU),
    ];
    let name = |index: usize| {
        coalition
            .authorities
            .get(index)
            .map_or_else(String::new, |a| a.name.to_owned())
    };
    pairs
        .iter()
        .map(|&(coordinator, source, target)| CoordinatorConfig {
            coordinator: name(coordinator),
            source: name(source),
            target: name(target),
            operations: Scope::Operations(vec![coalition.operation]),
        })
        .collect()
}

/// `home`'s admission policy: every coalition authority, scoped to the
/// operation, with its roots given by `root`.
pub(crate) fn admission_policy(
    coalition: &Coalition,
    home: usize,
    root: impl Fn(&Authority) -> Result<RootSource, DemoError>,
) -> Result<PolicyDocument, DemoError> {
    let mut authorities = Vec::with_capacity(coalition.authorities.len());
    for (index, authority) in coalition.authorities.iter().enumerate() {
        authorities.push(AuthorityConfig {
            name: authority.name.to_owned(),
            kind: kind(authority),
            id: Some(authority.id()),
            roots: vec![root(authority)?],
            scope: if index == home {
                Scope::Any
            } else {
                Scope::Operations(vec![coalition.operation])
            },
            provides: provisions(index),
        });
    }
    Ok(PolicyDocument {
        home: coalition.authority(home)?.name.to_owned(),
        authorities,
        coordinators: coordinators(coalition),
        max_translation_hops: 1,
        max_crl_age_secs: 2 * DAY,
        clock_skew_secs: 300,
        disputes: DisputeHandling::Suspend,
        eku_arc: None,
    })
}

/// The root as inline PEM (for the in-process admission).
pub(crate) fn inline_root(authority: &Authority) -> Result<RootSource, DemoError> {
    authority
        .ca
        .certificate()
        .to_pem()
        .map(RootSource::Pem)
        .map_err(|e| DemoError::Scenario(format!("PEM encoding: {e}")))
}

/// The root as a file of the output directory, relative to the partner's
/// directory (for the admission policy written out).
pub(crate) fn file_root(authority: &Authority) -> Result<RootSource, DemoError> {
    Ok(RootSource::File(
        format!("../{}/root.pem", authority.name.to_lowercase()).into(),
    ))
}
