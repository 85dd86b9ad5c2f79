//! Spend limits through the `Ledger`, on SQLite and Postgres: a plan's limits read live with
//! its sealed key equal the fake's truth, a member's limit set, replaced and deleted, what an
//! organisation kind cannot set refused with a clear error, and no key in any error.

use costledger::model::{SpendLimitScope, SpendLimitWrite, SpendPeriod};
use costledger::{FixedClock, Ledger, MasterKey, Money, NewPlan, SpendLimitFilter};
use fake_admin_api::{FakeConfig, FakeServer, OrgKinds};

use crate::common::TestDb;
use crate::common::fake::config;

backend_tests!(limits_are_read_set_and_deleted_through_the_ledger);

async fn limits_are_read_set_and_deleted_through_the_ledger(db: TestDb) {
    let kinds = OrgKinds::none().with_enterprise(1);
    let fake = FakeServer::start_with_kinds(FakeConfig::default(), kinds)
        .await
        .unwrap();
    let key = MasterKey::generate();
    let clock = FixedClock::new(fake.now());
    let ledger = Ledger::open(config(&db, &key, &fake, &clock))
        .await
        .unwrap();
    let orgs = fake.orgs();
    let console = ledger
        .add_plan(NewPlan::anthropic("Console", orgs[0].admin_key.clone()))
        .await
        .unwrap();
    let enterprise = ledger
        .add_plan(NewPlan::anthropic("Enterprise", orgs[1].admin_key.clone()))
        .await
        .unwrap();
    let all = SpendLimitFilter::default();

    // The list is the organisation's, as the fake holds it.
    let truth = fake.truth();
    let held = |org_id: &str| {
        truth
            .orgs
            .iter()
            .find(|o| o.org_id == org_id)
            .unwrap()
            .spend_limits
            .limits
            .len()
    };
    let listed = ledger.spend_limits(enterprise.id, &all).await.unwrap();
    assert_eq!(listed.len(), held(&orgs[1].id));
    assert_eq!(
        ledger.spend_limits(console.id, &all).await.unwrap().len(),
        held(&orgs[0].id)
    );

    // A member's daily limit: set, replaced (same id), seen in the effective report, deleted.
    let effective = ledger
        .effective_spend(enterprise.id, &[], &[])
        .await
        .unwrap();
    let member = match &effective[0].member {
        costledger::model::SpendMember::User { user_id, .. } => user_id.clone(),
        other => panic!("a member is a user, got {other:?}"),
    };
    let write = SpendLimitWrite {
        scope: SpendLimitScope::User {
            user_id: member.clone(),
        },
        period: SpendPeriod::Daily,
        amount: Some(Money::from_cents(5_000)),
    };
    let set = ledger.set_spend_limit(enterprise.id, &write).await.unwrap();
    let replaced = ledger
        .set_spend_limit(
            enterprise.id,
            &SpendLimitWrite {
                amount: Some(Money::from_cents(7_500)),
                ..write.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (replaced.id.as_str(), replaced.amount),
        (set.id.as_str(), Some(Money::from_cents(7_500)))
    );
    let mine = ledger
        .effective_spend(
            enterprise.id,
            &[SpendPeriod::Daily],
            std::slice::from_ref(&member),
        )
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].spend_limit_id.as_deref(), Some(set.id.as_str()));
    ledger
        .delete_spend_limit(enterprise.id, &set.id)
        .await
        .unwrap();
    let after = ledger.spend_limits(enterprise.id, &all).await.unwrap();
    assert!(after.iter().all(|l| l.id != set.id));

    // A Console organisation cannot set a member's limit: the provider's reason, clearly.
    let e = ledger
        .set_spend_limit(console.id, &write)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT", "{e}");
    assert!(e.to_string().contains("user"), "{e}");
    // Nor has it an effective report.
    let e = ledger
        .effective_spend(console.id, &[], &[])
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT", "{e}");
    assert_eq!(
        ledger
            .delete_spend_limit(console.id, " ")
            .await
            .unwrap_err()
            .code(),
        "INVALID_INPUT"
    );
    assert_eq!(
        ledger.spend_limits(9_999, &all).await.unwrap_err().code(),
        "PLAN_NOT_FOUND"
    );
    // No key in any error or result.
    for shown in [
        format!("{e:?} {e}"),
        format!("{after:?}"),
        format!("{mine:?}"),
    ] {
        for org in &orgs {
            assert!(!shown.contains(&org.admin_key), "{shown}");
        }
    }
    fake.shutdown().await;
}
