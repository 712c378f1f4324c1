//! Sovereignty as a property: no partner policy can turn a home deny into a
//! permit, whatever the policies and the request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod support;

use std::sync::OnceLock;

use entente_admit::{AdmissionStore, AdmittedSet, Admitter};
use entente_core::AuthorityId;
use proptest::prelude::*;
use support::*;

struct Fixture {
    b: AuthorityId,
    c: AuthorityId,
    /// sets[home_max][partner_max]
    sets: Vec<Vec<AdmittedSet>>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let mut world = World::new();
        let mut sets = Vec::new();
        for home_max in 0..3 {
            let mut row = Vec::new();
            for partner_max in 0..3 {
                let bundles = vec![
                    world.bundle_b(home_max, t(-60)),
                    world.bundle_c(partner_max, t(-60)),
                ];
                let admission = Admitter::new(
                    world.admission_policy(),
                    AdmissionStore::in_memory().unwrap(),
                )
                .admit(&bundles, t(0))
                .unwrap();
                assert!(admission.report.rejected.is_empty());
                row.push(admission.set);
            }
            sets.push(row);
        }
        Fixture {
            b: world.b.id(),
            c: world.c.id(),
            sets,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn partner_never_turns_home_deny_into_permit(
        home_max in 0usize..3,
        partner_max in 0usize..3,
        level in 0usize..4,
        clearance in 0usize..4,
        subject_is_partner in any::<bool>(),
        owner_is_partner in any::<bool>(),
        offset in 0i64..1000,
    ) {
        let f = fixture();
        let set = &f.sets[home_max][partner_max];
        // Level 3 is not a home term: always a deny somewhere.
        let name = |n: usize| if n < 3 { format!("B-L{n}") } else { "B-L9".to_owned() };
        let subject = if subject_is_partner { f.c } else { f.b };
        let owner = if owner_is_partner { f.c } else { f.b };
        let asked = request(subject, owner, &name(level), &name(clearance), t(offset));
        let combined = set.evaluate(&asked);
        // The home policies alone, on a home resource with the same label.
        let mut as_home = asked.clone();
        as_home.resource.owner = f.b;
        let home_alone = set.evaluate(&as_home);
        if !home_alone.decision.is_permit() {
            prop_assert!(!combined.decision.is_permit(), "{combined:?}");
        }
        // And the exact expectation of these policies: permit iff the level
        // is within both bounds (and the clearance dominates).
        let expected = level < 3 && clearance < 3 && level <= clearance && level <= home_max
            && (!owner_is_partner || level <= partner_max);
        prop_assert_eq!(combined.decision.is_permit(), expected, "{:?}", combined);
    }
}
