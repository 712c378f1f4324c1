//! Property tests of the quorum rule.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::collections::BTreeSet;

use common::{Crypto, World, artifact};
use entente_attest::{
    OperationDeclaration, QuorumCertificate, QuorumRule, Role, RosterChangeRules, RosterEntry,
    Statement, tally,
};
use entente_core::{AuthorityId, UnixTime, Validity};
use proptest::prelude::*;

fn authority(index: usize) -> AuthorityId {
    AuthorityId::from_spki_der(format!("authority-{index}").as_bytes())
}

proptest! {
    /// The count is the number of distinct, non-excluded, non-observing
    /// roster members among the endorsers, however often each appears;
    /// the threshold is always a strict majority of the counting members,
    /// and under the default rule two quorums share more than f members.
    #[test]
    fn quorum_needs_distinct_authorities(
        counting in 1usize..20,
        observers in 0usize..4,
        explicit in proptest::option::of(0usize..20),
        endorsements in proptest::collection::vec(0usize..30, 0..80),
        excluded in proptest::collection::vec(0usize..30, 0..4),
    ) {
        let majority = counting / 2 + 1;
        let rule = match explicit {
            Some(extra) => QuorumRule::AtLeast(u32::try_from(majority + extra % (counting - majority + 1)).unwrap()),
            None => QuorumRule::TwoThirds,
        };
        let roster: Vec<RosterEntry> = (0..counting + observers)
            .map(|i| RosterEntry {
                authority: authority(i),
                role: match i {
                    0 => Role::Lead,
                    i if i < counting => Role::Supporting,
                    _ => Role::Observing,
                },
            })
            .collect();
        let declaration = OperationDeclaration::new(
            authority(100),
            "property",
            roster,
            rule,
            Validity { not_before: UnixTime::from_secs(0), not_after: UnixTime::from_secs(1) },
            authority(100),
            RosterChangeRules::FROZEN,
        );
        let roster = declaration.check().unwrap();
        let endorsers: BTreeSet<AuthorityId> = endorsements.iter().map(|i| authority(*i)).collect();
        let excluded_set: BTreeSet<AuthorityId> = excluded.iter().map(|i| authority(*i)).collect();
        let expected = endorsements
            .iter()
            .copied()
            .filter(|i| *i < counting && !excluded.contains(i))
            .collect::<BTreeSet<usize>>()
            .len();
        let count = tally(&roster, &excluded_set, &endorsers);
        prop_assert_eq!(count.counted, expected);
        prop_assert_eq!(count.reached(), expected >= roster.threshold());
        prop_assert!(2 * roster.threshold() > counting);
        prop_assert!(roster.threshold() <= counting);
        if explicit.is_none() {
            // Two quorums overlap in at least f + 1 counting members.
            prop_assert!(2 * roster.threshold() - counting > (counting - 1) / 3);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Signed endorsements by any mix of partners and keys, ingested or
    /// presented as a certificate, count each authority once.
    #[test]
    fn signed_endorsements_count_distinct_authorities(
        n in 4usize..8,
        picks in proptest::collection::vec((0usize..8, 0usize..2), 0..24),
    ) {
        let world = World::new(Crypto::Mac, n, 1);
        let mut state = world.state();
        let a = artifact("a");
        let mut envelopes = Vec::new();
        let mut distinct = BTreeSet::new();
        for (who, key) in picks {
            let (party, key) = if who < n { (&world.partners[who], key) } else { (&world.observers[0], 0) };
            let bytes = world.sign(party, key, 0, 0, Statement::Endorsement { artifact: a });
            world.submit(&mut state, &bytes).unwrap();
            if who < n {
                distinct.insert(who);
            }
            envelopes.push(bytes);
        }
        let count = state.tally(0, 0, &a);
        prop_assert_eq!(count.counted, distinct.len());
        let verified = state.verify_certificate(
            &QuorumCertificate::new(envelopes.clone()),
            &world.resolver,
            &*world.provider,
            common::AT,
        );
        prop_assert_eq!(verified.is_ok(), !envelopes.is_empty() && distinct.len() >= state.threshold());
    }
}
