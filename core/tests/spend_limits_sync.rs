//! The `spend_limits` sync stream on SQLite and Postgres: a Claude Enterprise and a Claude
//! Console organisation's limits, and the Enterprise effective report with each member's
//! period-to-date spend, are stored exactly as the fake holds them; a limit deleted at the
//! provider disappears at the next sync; a sync that fails part-way leaves the previous
//! reading whole; a budget mirroring a limit flags a forecast over a low limit, not over a
//! high one, follows the limit's amount and says when the limit is gone.

use costledger::model::{
    SpendLimitScope, SpendLimitWrite, SpendMember, SpendPeriod, SyncHistoryFilter, SyncStatus,
    SyncStream, SyncedSpendLimits,
};
use costledger::{
    BudgetPeriod, BudgetScope, BudgetUpdate, Money, NewBudget, NewSubject, ProviderLimitState,
};
use fake_admin_api::{FakeConfig, Faults, OrgKinds};

use crate::common::TestDb;
use crate::common::fake::{Synced, all_history, default_history, synced_with_kinds};

backend_tests!(
    limits_and_the_effective_report_sync_exactly,
    a_failed_sync_leaves_the_previous_limits_whole,
    a_mirrored_budget_flags_a_forecast_over_the_provider_limit,
    a_credential_that_cannot_read_limits_skips_the_stream
);

const DAYS: u32 = 8;
const CONSOLE: usize = 0;
const ENTERPRISE: usize = 1;

async fn setup(db: TestDb) -> Synced {
    let config = FakeConfig {
        orgs: 2,
        days: DAYS,
        ..FakeConfig::default()
    };
    synced_with_kinds(db, config, OrgKinds::none().with_enterprise(ENTERPRISE)).await
}

/// A decimal count of cents ("12050.5") as money, exactly.
fn cents(text: &str) -> Money {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    assert!(frac.len() <= 7, "{text}");
    let frac_nanos: i64 = format!("{frac:0<7}").parse().unwrap();
    Money::from_nanos(whole.parse::<i64>().unwrap() * 10_000_000 + frac_nanos)
}

fn scope(v: serde_json::Value) -> SpendLimitScope {
    serde_json::from_value(v).unwrap()
}

type LimitCells = Vec<(String, String, String, Option<Money>, bool)>;
type EffectiveCells = Vec<(String, Option<String>, String, Option<Money>, Money, String)>;

fn stored_limits(s: &SyncedSpendLimits) -> LimitCells {
    s.limits
        .iter()
        .map(|l| {
            (
                l.id.clone(),
                l.scope.to_string(),
                l.period.to_string(),
                l.amount,
                l.is_enabled,
            )
        })
        .collect()
}

fn stored_effective(s: &SyncedSpendLimits) -> EffectiveCells {
    s.effective
        .iter()
        .map(|e| {
            let SpendMember::User {
                user_id,
                email_address,
                ..
            } = &e.member
            else {
                panic!("the fake's members are users: {e:?}")
            };
            (
                user_id.clone(),
                email_address.clone(),
                e.period.to_string(),
                e.amount,
                e.period_to_date_spend,
                e.source.as_ref().map(ToString::to_string).unwrap(),
            )
        })
        .collect()
}

/// The fake's limits and effective rows of org `i`, in the cells above.
fn truth(s: &Synced, i: usize) -> (LimitCells, EffectiveCells) {
    let truth = s.fake.truth();
    let org_id = &s.fake.orgs()[i].id;
    let org = truth.orgs.iter().find(|o| &o.org_id == org_id).unwrap();
    let limits = org
        .spend_limits
        .limits
        .iter()
        .map(|l| {
            (
                l.id.clone(),
                scope(serde_json::to_value(&l.scope).unwrap()).to_string(),
                l.period.clone(),
                l.amount.as_deref().map(cents),
                l.is_enabled,
            )
        })
        .collect();
    let effective = org
        .spend_limits
        .effective
        .iter()
        .map(|r| {
            let actor = serde_json::to_value(&r.row.actor).unwrap();
            (
                actor["user_id"].as_str().unwrap().to_string(),
                actor["email_address"].as_str().map(str::to_string),
                r.row.period.clone(),
                r.row.amount.as_deref().map(cents),
                cents(&r.row.period_to_date_spend),
                scope(serde_json::to_value(&r.row.source).unwrap()).to_string(),
            )
        })
        .collect();
    (limits, effective)
}

async fn sync_limits(s: &Synced) -> costledger::SyncReport {
    s.ledger
        .sync(all_history(DAYS.into()).streams(&[SyncStream::SpendLimits]))
        .await
        .unwrap()
}

async fn assert_stored_equals_truth(s: &Synced) {
    for i in [CONSOLE, ENTERPRISE] {
        let stored = s.ledger.synced_spend_limits(s.plans[i].id).await.unwrap();
        let (mut limits, effective) = truth(s, i);
        assert!(!limits.is_empty(), "the fake seeds limits for org {i}");
        // The truth is in creation order, the list in the provider's (Console: newest first).
        let mut got = stored_limits(&stored);
        got.sort();
        limits.sort();
        assert_eq!(got, limits, "org {i} limits");
        assert_eq!(stored_effective(&stored), effective, "org {i} effective");
        assert_eq!(stored.synced_at, Some(s.fake.now()));
    }
}

async fn limits_and_the_effective_report_sync_exactly(db: TestDb) {
    let s = setup(db).await;
    let before = s.ledger.synced_spend_limits(s.plans[0].id).await.unwrap();
    assert_eq!((before.synced_at, before.limits.len()), (None, 0));
    let report = sync_limits(&s).await;
    for plan in &report.plans {
        assert_eq!(plan.status, SyncStatus::Ok, "{plan:?}");
        let r = plan.stream(SyncStream::SpendLimits).unwrap();
        assert_eq!(r.status, SyncStatus::Ok, "{r:?}");
        assert!(r.rows_written > 0 && r.requests >= 2, "{r:?}");
    }
    assert_stored_equals_truth(&s).await;
    // The Enterprise report has members with spend; the Console organisation has none and
    // says why.
    let enterprise = s
        .ledger
        .synced_spend_limits(s.plans[ENTERPRISE].id)
        .await
        .unwrap();
    assert!(
        enterprise
            .effective
            .iter()
            .any(|e| e.period_to_date_spend > Money::ZERO)
    );
    assert_eq!(enterprise.effective_unavailable, None);
    let console = s
        .ledger
        .synced_spend_limits(s.plans[CONSOLE].id)
        .await
        .unwrap();
    assert!(console.effective.is_empty());
    assert!(console.effective_unavailable.is_some());

    // A member's limit set at the provider appears; deleted, it disappears.
    let member = match &enterprise.effective[0].member {
        SpendMember::User { user_id, .. } => user_id.clone(),
        other => panic!("{other:?}"),
    };
    let set = s
        .ledger
        .set_spend_limit(
            s.plans[ENTERPRISE].id,
            &SpendLimitWrite {
                scope: SpendLimitScope::User { user_id: member },
                period: SpendPeriod::Weekly,
                amount: Some(Money::from_cents(12_345)),
            },
        )
        .await
        .unwrap();
    sync_limits(&s).await;
    assert_stored_equals_truth(&s).await;
    let stored = s
        .ledger
        .synced_spend_limits(s.plans[ENTERPRISE].id)
        .await
        .unwrap();
    assert!(stored.limits.iter().any(|l| l.id == set.id));
    s.ledger
        .delete_spend_limit(s.plans[ENTERPRISE].id, &set.id)
        .await
        .unwrap();
    sync_limits(&s).await;
    assert_stored_equals_truth(&s).await;
    let stored = s
        .ledger
        .synced_spend_limits(s.plans[ENTERPRISE].id)
        .await
        .unwrap();
    assert!(stored.limits.iter().all(|l| l.id != set.id));

    // The stream runs by default, with its events.
    let report = s.ledger.sync(default_history(DAYS.into())).await.unwrap();
    assert!(
        report
            .plans
            .iter()
            .all(|p| p.stream(SyncStream::SpendLimits).is_some())
    );
    let events = s
        .ledger
        .sync_history(SyncHistoryFilter {
            stream: Some(SyncStream::SpendLimits),
            ..SyncHistoryFilter::plan(s.plans[CONSOLE].id)
        })
        .await
        .unwrap();
    assert_eq!(events.len(), 4);
    assert!(events.iter().all(|e| e.status == SyncStatus::Ok));
    assert_eq!(
        s.ledger
            .synced_spend_limits(9_999)
            .await
            .unwrap_err()
            .code(),
        "PLAN_NOT_FOUND"
    );
}

async fn a_failed_sync_leaves_the_previous_limits_whole(db: TestDb) {
    let s = setup(db).await;
    sync_limits(&s).await;
    let plan = s.plans[ENTERPRISE].id;
    let first = s.ledger.synced_spend_limits(plan).await.unwrap();
    let member = match &first.effective[0].member {
        SpendMember::User { user_id, .. } => user_id.clone(),
        other => panic!("{other:?}"),
    };
    let set = s
        .ledger
        .set_spend_limit(
            plan,
            &SpendLimitWrite {
                scope: SpendLimitScope::User { user_id: member },
                period: SpendPeriod::Daily,
                amount: Some(Money::from_cents(999)),
            },
        )
        .await
        .unwrap();
    // The list answers, the effective report then fails: nothing of the new reading is kept.
    s.fake.set_faults(Faults::none().with_down_after(1));
    let report = s
        .ledger
        .sync(
            all_history(DAYS.into())
                .plan(plan)
                .streams(&[SyncStream::SpendLimits]),
        )
        .await
        .unwrap();
    let r = report.plans[0].stream(SyncStream::SpendLimits).unwrap();
    assert_eq!(r.status, SyncStatus::Error, "{r:?}");
    let kept = s.ledger.synced_spend_limits(plan).await.unwrap();
    assert_eq!(kept, first);
    assert!(kept.limits.iter().all(|l| l.id != set.id));
    // The next sync stores the new reading whole.
    s.fake.set_faults(Faults::none());
    sync_limits(&s).await;
    assert_stored_equals_truth(&s).await;
}

async fn a_mirrored_budget_flags_a_forecast_over_the_provider_limit(db: TestDb) {
    let s = setup(db).await;
    let plan = s.plans[CONSOLE].id;
    let org_limit = |cents| SpendLimitWrite {
        scope: SpendLimitScope::Organization,
        period: SpendPeriod::Monthly,
        amount: Some(Money::from_cents(cents)),
    };
    // Before any sync there is no limit to mirror.
    let mirror = NewBudget::mirroring(
        "org cap",
        plan,
        SpendLimitScope::Organization,
        BudgetPeriod::Month,
    );
    let e = s.ledger.create_budget(mirror.clone()).await.unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT", "{e}");
    // A low limit: the month's forecast goes over it.
    s.ledger.set_spend_limit(plan, &org_limit(1)).await.unwrap();
    s.ledger.sync(default_history(DAYS.into())).await.unwrap();
    let budget = s.ledger.create_budget(mirror.clone()).await.unwrap();
    assert_eq!(budget.scope, BudgetScope::Plan(plan));
    assert_eq!(budget.amount, Money::from_cents(1));
    let status = s.ledger.budget_status(budget.id).await.unwrap();
    let provider = status.provider_limit.clone().unwrap();
    assert_eq!(provider.state, ProviderLimitState::Present);
    assert_eq!(provider.amount, Some(Money::from_cents(1)));
    assert!(
        status.forecast.projected > Money::from_cents(1),
        "{status:?}"
    );
    assert!(provider.forecast_over_provider_limit, "{status:?}");
    let crosses = provider.crosses_on.unwrap();
    assert!(crosses >= status.period.start && crosses < status.period.end);
    // A high limit, refreshed by the next sync: no flag.
    s.ledger
        .set_spend_limit(plan, &org_limit(100_000_000_000))
        .await
        .unwrap();
    sync_limits(&s).await;
    let status = s.ledger.budget_status(budget.id).await.unwrap();
    let provider = status.provider_limit.clone().unwrap();
    assert_eq!(status.budget.amount, Money::from_cents(100_000_000_000));
    assert!(!provider.forecast_over_provider_limit, "{status:?}");
    assert_eq!(provider.crosses_on, None);
    // Its amount follows the limit, not an update.
    let e = s
        .ledger
        .update_budget(budget.id, BudgetUpdate::new().amount(Money::from_cents(5)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    // The limit deleted at the provider: the status says so, the budget keeps its amount.
    let id = provider.limit_id.clone().unwrap();
    s.ledger.delete_spend_limit(plan, &id).await.unwrap();
    sync_limits(&s).await;
    let status = s.ledger.budget_status(budget.id).await.unwrap();
    let provider = status.provider_limit.unwrap();
    assert_eq!(provider.state, ProviderLimitState::Missing);
    assert_eq!(
        (provider.amount, provider.forecast_over_provider_limit),
        (None, false)
    );
    assert_eq!(status.budget.amount, Money::from_cents(100_000_000_000));

    // A member's limit maps to the subject with the member's e-mail.
    let plan = s.plans[ENTERPRISE].id;
    let synced = s.ledger.synced_spend_limits(plan).await.unwrap();
    let (user_id, email) = synced
        .effective
        .iter()
        .find_map(|e| match &e.member {
            SpendMember::User {
                user_id,
                email_address: Some(email),
                ..
            } => Some((user_id.clone(), email.clone())),
            _ => None,
        })
        .unwrap();
    let scope = SpendLimitScope::User {
        user_id: user_id.clone(),
    };
    s.ledger
        .set_spend_limit(
            plan,
            &SpendLimitWrite {
                scope: scope.clone(),
                period: SpendPeriod::Daily,
                amount: Some(Money::from_cents(2_500)),
            },
        )
        .await
        .unwrap();
    sync_limits(&s).await;
    let member = NewBudget::mirroring("member", plan, scope, BudgetPeriod::Day);
    let e = s.ledger.create_budget(member.clone()).await.unwrap_err();
    assert!(e.to_string().contains("no subject"), "{e}");
    s.ledger
        .upsert_subject(NewSubject::new("ann").email(email.to_uppercase()))
        .await
        .unwrap();
    let budget = s.ledger.create_budget(member).await.unwrap();
    assert_eq!(budget.scope, BudgetScope::Subject("ann".into()));
    assert_eq!(budget.amount, Money::from_cents(2_500));
    let status = s.ledger.budget_status(budget.id).await.unwrap();
    assert_eq!(status.provider_limit.unwrap().period, SpendPeriod::Daily);
}

async fn a_credential_that_cannot_read_limits_skips_the_stream(db: TestDb) {
    // An OAuth token cannot read spend limits (403), as a scoped key without
    // read:spend_limits cannot: the plan's stored reach says so, and the stream is skipped
    // with the reason, the plan syncs.
    let s = crate::oauth_plans::setup(db, Faults::none()).await.synced;
    let plan = s.plans[0].id;
    let report = s.ledger.sync(default_history(DAYS.into())).await.unwrap();
    let outcome = &report.plans[0];
    assert_eq!(outcome.status, SyncStatus::Ok, "{outcome:?}");
    for r in &outcome.streams {
        // Nor can it read the Analytics API: that stream is skipped too.
        let want = match r.stream {
            SyncStream::SpendLimits | SyncStream::Analytics => SyncStatus::Skipped,
            _ => SyncStatus::Ok,
        };
        assert_eq!(r.status, want, "{r:?}");
    }
    let events = s
        .ledger
        .sync_history(SyncHistoryFilter {
            stream: Some(SyncStream::SpendLimits),
            ..SyncHistoryFilter::plan(plan)
        })
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].status, SyncStatus::Skipped);
    let message = events[0].error_message.as_deref().unwrap();
    assert!(message.contains("cannot read spend limits"), "{message}");
    assert_eq!(
        s.ledger.get_plan(plan).await.unwrap().status,
        costledger::PlanStatus::Active
    );
    let stored = s.ledger.synced_spend_limits(plan).await.unwrap();
    assert_eq!((stored.synced_at, stored.limits.len()), (None, 0));
}
