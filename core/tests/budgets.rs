//! Budgets, forecasts and budget alerts against the fake Admin API, on SQLite and Postgres.
//! A budget's spend is checked against the report that owns it (dashboard or user_costs),
//! never against the budget code's own arithmetic.

use crate::common::TestDb;
use crate::common::fake::{FakeConfig, Synced, all_history, synced};
use crate::common::snapshot::synced_from_template;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use costledger::{
    BillingCycle, Budget, BudgetAlert, BudgetPeriod, BudgetScope, BudgetUpdate, Cost,
    DashboardFilter, Ledger, Money, NewBudget, NewKeyMapping, NewSubject, Period, PlanUpdate,
    Subscription, SubscriptionTier, SyncOptions, SyncStream,
};

backend_tests!(
    thresholds_fire_once_per_period_and_again_in_the_next,
    concurrent_syncs_record_an_alert_once,
    a_budget_that_cannot_be_evaluated_does_not_fail_the_sync,
    changing_the_amount_rearms_thresholds_out_of_reach,
    the_spend_of_each_scope_is_its_report_number,
    periods_at_their_edges,
    forecast_is_spent_plus_the_run_rate_times_the_time_left,
    forecast_uses_fewer_days_at_the_start_of_history,
    validation_errors_have_codes_and_messages,
    crud_and_not_found,
);

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A fake of `days` days ending at `now`, fully synced (a copy of the template the tests
/// with the same `now` and `days` share).
async fn synced_at(db: TestDb, now: DateTime<Utc>, days: u32) -> Synced {
    let (s, report) = synced_from_template(
        db,
        FakeConfig {
            now,
            days,
            ..FakeConfig::default()
        },
        fake_admin_api::OrgKinds::none(),
        all_history(days.into()),
    )
    .await;
    assert!(report.is_ok(), "{report:#?}");
    assert!(report.budget_alerts.is_empty());
    s
}

/// Move the fake's clock and the ledger's, then sync.
async fn sync_at(s: &Synced, now: DateTime<Utc>) -> Vec<BudgetAlert> {
    s.fake.set_now(now);
    s.clock.set(now);
    let report = s
        .ledger
        .sync(SyncOptions::default().streams(SyncStream::LEGACY))
        .await
        .unwrap();
    assert!(report.is_ok(), "{report:#?}");
    report.budget_alerts
}

async fn usage(s: &Synced, filter: DashboardFilter) -> Money {
    s.ledger.dashboard(filter).await.unwrap().totals.usage()
}

fn thresholds(alerts: &[BudgetAlert]) -> Vec<u32> {
    alerts.iter().map(|a| a.threshold).collect()
}

fn usage_only(cost: Cost) -> Cost {
    Cost {
        subscription: Money::ZERO,
        ..cost
    }
}

async fn thresholds_fire_once_per_period_and_again_in_the_next(db: TestDb) {
    let s = synced_at(db, at(2026, 11, 19, 12), 10).await;
    let nov19: Period = "2026-11-19".parse().unwrap();
    let morning = usage(&s, DashboardFilter::new(nov19)).await;
    assert!(morning > Money::ZERO);
    // About 90% of the budget is spent: 50 and 80 are reached, 100 is not.
    let amount = Money::from_nanos(morning.nanos() * 10 / 9);
    let budget = s
        .ledger
        .create_budget(NewBudget::new(
            "Daily",
            BudgetScope::Global,
            amount,
            BudgetPeriod::Day,
        ))
        .await
        .unwrap();
    let status = s.ledger.budget_status(budget.id).await.unwrap();
    assert_eq!(status.period, nov19);
    assert_eq!(status.spent.usage(), morning);
    assert_eq!(status.thresholds_crossed, vec![50, 80]);

    let alerts = sync_at(&s, at(2026, 11, 19, 12)).await;
    assert_eq!(thresholds(&alerts), vec![50, 80]);
    for alert in &alerts {
        assert_eq!(
            (alert.budget_id, alert.name.as_str(), alert.period),
            (budget.id, "Daily", nov19)
        );
        assert_eq!((alert.spent, alert.amount), (morning, amount));
    }
    assert!(
        sync_at(&s, at(2026, 11, 19, 12)).await.is_empty(),
        "once per period"
    );

    // Later the same day the spend passes 100%: only 100 is new.
    let alerts = sync_at(&s, at(2026, 11, 19, 22)).await;
    let evening = usage(&s, DashboardFilter::new(nov19)).await;
    assert_eq!(thresholds(&alerts), vec![100], "{evening} of {amount}");
    assert_eq!(alerts[0].spent, evening);
    assert!(sync_at(&s, at(2026, 11, 19, 23)).await.is_empty());

    // The next day is a new period: its thresholds fire again as they are reached.
    let alerts = sync_at(&s, at(2026, 11, 20, 12)).await;
    let nov20: Period = "2026-11-20".parse().unwrap();
    let spent = usage(&s, DashboardFilter::new(nov20)).await;
    let budget = s.ledger.get_budget(budget.id).await.unwrap();
    let expected = budget.thresholds_reached(spent);
    assert!(expected.contains(&50), "{spent} of {amount}");
    assert_eq!(thresholds(&alerts), expected);
    assert!(alerts.iter().all(|a| a.period == nov20 && a.spent == spent));
    assert!(sync_at(&s, at(2026, 11, 20, 12)).await.is_empty());
}

async fn concurrent_syncs_record_an_alert_once(db: TestDb) {
    let s = synced_at(db, at(2026, 11, 19, 12), 5).await;
    let other = Ledger::open(crate::common::fake::config(
        &s.db, &s.key, &s.fake, &s.clock,
    ))
    .await
    .unwrap();
    let mut ids = Vec::new();
    for i in 0..6 {
        let b = NewBudget::new(
            format!("tiny {i}"),
            BudgetScope::Plan(s.plans[i % s.plans.len()].id),
            Money::from_nanos(1),
            [BudgetPeriod::Day, BudgetPeriod::Week, BudgetPeriod::Month][i % 3],
        );
        ids.push(s.ledger.create_budget(b).await.unwrap().id);
    }
    let every: Vec<(i64, u32)> = ids
        .iter()
        .flat_map(|id| [50, 80, 100].map(|t| (*id, t)))
        .collect();
    for round in 0..3 {
        let (a, b, c) = tokio::join!(
            s.ledger
                .sync(SyncOptions::default().streams(SyncStream::LEGACY)),
            other.sync(SyncOptions::default().streams(SyncStream::LEGACY)),
            s.ledger
                .sync(SyncOptions::default().streams(SyncStream::LEGACY)),
        );
        let mut all: Vec<(i64, u32)> = [a, b, c]
            .into_iter()
            .flat_map(|r| r.unwrap().budget_alerts)
            .map(|a| (a.budget_id, a.threshold))
            .collect();
        all.sort();
        // Every crossing once in the first round, across the three syncs; never again.
        let expected = if round == 0 {
            every.clone()
        } else {
            Vec::new()
        };
        assert_eq!(all, expected, "round {round}");
    }
    let again = other
        .sync(SyncOptions::default().streams(SyncStream::LEGACY))
        .await
        .unwrap();
    assert!(again.budget_alerts.is_empty());

    // The store primitive itself, raced from both pools: each threshold goes to one caller.
    let period_start = at(2026, 12, 1, 0).timestamp();
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = if i % 2 == 0 {
                s.ledger.store().clone()
            } else {
                other.store().clone()
            };
            let id = ids[0];
            tokio::spawn(async move {
                store
                    .record_budget_alerts(id, period_start, &[50, 80, 100], Money::ZERO, Utc::now())
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut won: Vec<u32> = Vec::new();
    for task in tasks {
        won.extend(task.await.unwrap());
    }
    won.sort();
    assert_eq!(won, vec![50, 80, 100]);
}

async fn a_budget_that_cannot_be_evaluated_does_not_fail_the_sync(db: TestDb) {
    let s = synced_at(db, at(2026, 11, 19, 12), 3).await;
    s.ledger
        .upsert_subject(NewSubject::new("leaver"))
        .await
        .unwrap();
    let orphan = s
        .ledger
        .create_budget(NewBudget::new(
            "Leaver",
            BudgetScope::subject("leaver"),
            Money::from_cents(1),
            BudgetPeriod::Month,
        ))
        .await
        .unwrap();
    let fine = s
        .ledger
        .create_budget(NewBudget::new(
            "All",
            BudgetScope::Global,
            Money::from_nanos(1),
            BudgetPeriod::Month,
        ))
        .await
        .unwrap();
    s.ledger.delete_subject("leaver").await.unwrap();
    let report = s
        .ledger
        .sync(SyncOptions::default().streams(SyncStream::LEGACY))
        .await
        .unwrap();
    assert!(report.is_ok());
    assert_eq!(thresholds(&report.budget_alerts), vec![50, 80, 100]);
    assert!(report.budget_alerts.iter().all(|a| a.budget_id == fine.id));
    let e = s.ledger.budget_status(orphan.id).await.unwrap_err();
    assert_eq!(e.code(), "SUBJECT_NOT_FOUND");
    assert_eq!(
        s.ledger.budget_statuses().await.unwrap_err().code(),
        "SUBJECT_NOT_FOUND"
    );
}

async fn changing_the_amount_rearms_thresholds_out_of_reach(db: TestDb) {
    let s = synced_at(db, at(2026, 11, 19, 12), 3).await;
    let spent = usage(&s, DashboardFilter::new("2026-11".parse().unwrap())).await;
    // 120% spent.
    let budget = s
        .ledger
        .create_budget(
            NewBudget::new(
                "Month",
                BudgetScope::Global,
                Money::from_nanos(spent.nanos() * 10 / 12),
                BudgetPeriod::Month,
            )
            .thresholds(vec![50, 100]),
        )
        .await
        .unwrap();
    assert_eq!(thresholds(&sync_at(&s, s.fake.now()).await), vec![50, 100]);
    // A rename changes nothing.
    s.ledger
        .update_budget(budget.id, BudgetUpdate::new().name("Monthly"))
        .await
        .unwrap();
    assert!(sync_at(&s, s.fake.now()).await.is_empty());
    // Raised so that 60% is spent: 100 is out of reach again (re-armed), 50 stays alerted.
    let raised = Money::from_nanos(spent.nanos() * 10 / 6);
    s.ledger
        .update_budget(budget.id, BudgetUpdate::new().amount(raised))
        .await
        .unwrap();
    assert!(sync_at(&s, s.fake.now()).await.is_empty());
    // Lowered back: 100 is reached again and alerts once more; 50 does not repeat.
    let back = Money::from_nanos(spent.nanos() * 10 / 12);
    let updated = s
        .ledger
        .update_budget(budget.id, BudgetUpdate::new().amount(back))
        .await
        .unwrap();
    assert_eq!(updated.name, "Monthly");
    let alerts = sync_at(&s, s.fake.now()).await;
    assert_eq!(thresholds(&alerts), vec![100]);
    assert_eq!(alerts[0].amount, back);
}

async fn the_spend_of_each_scope_is_its_report_number(db: TestDb) {
    let s = synced_at(db, at(2026, 11, 20, 0), 30).await;
    let plan = &s.plans[0];
    let sub = Subscription::new(SubscriptionTier::TeamStandard, 5, date(2026, 1, 15))
        .cycle(BillingCycle::Monthly);
    s.ledger
        .update_plan(plan.id, PlanUpdate::new().subscription(sub))
        .await
        .unwrap();
    let meta = s.ledger.store().metadata(plan.id).await.unwrap();
    // A member of the org (so with a seat share) who also holds the keys of one workspace,
    // one of them for a project of their own.
    s.ledger
        .upsert_subject(NewSubject::new("member").email(meta.users[0].email.clone()))
        .await
        .unwrap();
    let project = s.ledger.create_project("member", "Search").await.unwrap();
    let mut by_workspace: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for key in &meta.api_keys {
        if let Some(ws) = &key.workspace_id {
            by_workspace
                .entry(ws.clone())
                .or_default()
                .push(key.id.clone());
        }
    }
    let (workspace, keys) = by_workspace
        .into_iter()
        .max_by_key(|(_, keys)| keys.len())
        .unwrap();
    assert!(keys.len() >= 2, "{keys:?}");
    for (i, key) in keys.iter().enumerate() {
        let mut mapping = NewKeyMapping::new(plan.id, key.clone(), "member");
        if i == 0 {
            mapping = mapping.project(project.id);
        }
        s.ledger.map_key(mapping).await.unwrap();
    }
    let default_project = s
        .ledger
        .list_projects(Some("member"))
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.is_default)
        .unwrap();

    let november: Period = "2026-11".parse().unwrap();
    let dash = |f: DashboardFilter| {
        let ledger = s.ledger.clone();
        async move { ledger.dashboard(f).await.unwrap().totals }
    };
    let all = dash(DashboardFilter::new(november)).await;
    assert!(all.subscription > Money::ZERO, "fees are in the dashboard");
    let costs = s.ledger.user_costs("member", november).await.unwrap();
    assert!(costs.total.subscription > Money::ZERO, "a seat share");
    let line = |id: i64| {
        costs
            .per_project
            .iter()
            .find(|l| l.project_id == Some(id))
            .unwrap()
            .cost
    };
    let cases: Vec<(BudgetScope, Cost)> = vec![
        (BudgetScope::Global, all),
        (
            BudgetScope::Plan(plan.id),
            dash(DashboardFilter::new(november).plans(vec![plan.id])).await,
        ),
        (
            BudgetScope::workspace(plan.id, Some(workspace.clone())),
            dash(DashboardFilter::new(november).workspace(plan.id, Some(workspace.clone()))).await,
        ),
        (
            BudgetScope::workspace(plan.id, None),
            dash(DashboardFilter::new(november).workspace(plan.id, None)).await,
        ),
        (BudgetScope::subject("member"), costs.total),
        (BudgetScope::Project(project.id), line(project.id)),
        (
            BudgetScope::Project(default_project.id),
            line(default_project.id),
        ),
    ];
    let amount = Money::from_cents(100_000);
    for (scope, report) in cases {
        assert!(report.usage() > Money::ZERO, "{scope}");
        let budget = s
            .ledger
            .create_budget(NewBudget::new(
                scope.to_string(),
                scope.clone(),
                amount,
                BudgetPeriod::Month,
            ))
            .await
            .unwrap();
        let status = s.ledger.budget_status(budget.id).await.unwrap();
        assert_eq!(status.period, november);
        assert_eq!(status.spent, usage_only(report), "{scope}");
        assert_eq!(status.remaining, amount - report.usage(), "{scope}");
        assert_eq!(status.forecast.spent, report.usage());
        assert_eq!(
            status.thresholds_crossed,
            budget.thresholds_reached(report.usage())
        );
        let percent = report.usage().to_f64() / amount.to_f64() * 100.0;
        assert!((status.percent_used - percent).abs() < 1e-9);
    }
    // The subject's spend is exactly its two projects'.
    assert_eq!(
        costs.total.usage(),
        line(project.id).usage() + line(default_project.id).usage()
    );
    assert_eq!(s.ledger.budget_statuses().await.unwrap().len(), 7);
}

async fn periods_at_their_edges(db: TestDb) {
    let s = synced_at(db, at(2026, 11, 20, 0), 30).await;
    let create = |name: &str, period: BudgetPeriod, tz: &str| {
        let ledger = s.ledger.clone();
        let b =
            NewBudget::new(name, BudgetScope::Global, Money::from_cents(100), period).time_zone(tz);
        async move { ledger.create_budget(b).await.unwrap() }
    };
    let la_month = create("LA month", BudgetPeriod::Month, "America/Los_Angeles").await;
    let utc_month = create("UTC month", BudgetPeriod::Month, "UTC").await;
    let utc_week = create("UTC week", BudgetPeriod::Week, "UTC").await;
    let la_week = create("LA week", BudgetPeriod::Week, "America/Los_Angeles").await;
    let la_day = create("LA day", BudgetPeriod::Day, "America/Los_Angeles").await;
    let status = |b: &Budget| {
        let ledger = s.ledger.clone();
        let id = b.id;
        async move { ledger.budget_status(id).await.unwrap() }
    };
    let check = |p: &str| {
        let ledger = s.ledger.clone();
        let period: Period = p.parse().unwrap();
        async move {
            let spent = ledger
                .dashboard(DashboardFilter::new(period))
                .await
                .unwrap()
                .totals
                .usage();
            (period, spent)
        }
    };

    // Nov 1 05:00 UTC is still Oct 31 in Los Angeles (PDT, UTC-7).
    s.clock.set(at(2026, 11, 1, 5));
    for (budget, expected) in [
        (&la_month, "2026-10 America/Los_Angeles"),
        (&utc_month, "2026-11"),
        (&la_day, "2026-10-31 America/Los_Angeles"),
        // Sunday Nov 1 is in the ISO week that began on Monday Oct 26: across the months.
        (&utc_week, "2026-W44"),
        (&la_week, "2026-W44 America/Los_Angeles"),
    ] {
        let st = status(budget).await;
        let (period, spent) = check(expected).await;
        assert_eq!(st.period, period, "{}", budget.name);
        assert_eq!(st.spent.usage(), spent, "{}", budget.name);
    }
    let (_, october_part) = check("2026-10-26..2026-11-01").await;
    let (_, november_part) = check("2026-11-01").await;
    let (week, week_spent) = check("2026-W44").await;
    assert_eq!(
        (week.start, week.end),
        (date(2026, 10, 26), date(2026, 11, 2))
    );
    assert_eq!(week_spent, october_part + november_part);
    assert!(october_part > Money::ZERO && november_part > Money::ZERO);
    let (_, la_oct) = check("2026-10 America/Los_Angeles").await;
    let (_, utc_oct) = check("2026-10").await;
    assert_ne!(la_oct, utc_oct, "the Los Angeles month is 7 hours later");

    // Monday Nov 2 05:00 UTC: a new ISO week in UTC, still Sunday in Los Angeles.
    s.clock.set(at(2026, 11, 2, 5));
    assert_eq!(status(&utc_week).await.period, check("2026-W45").await.0);
    assert_eq!(
        status(&la_week).await.period,
        check("2026-W44 America/Los_Angeles").await.0
    );
    // Dec 1 07:59 UTC is Nov 30 23:59 PST; at 08:00 December starts in Los Angeles.
    s.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 1, 7, 59, 0).unwrap());
    assert_eq!(
        status(&la_month).await.period,
        check("2026-11 America/Los_Angeles").await.0
    );
    s.clock.set(at(2026, 12, 1, 8));
    assert_eq!(
        status(&la_month).await.period,
        check("2026-12 America/Los_Angeles").await.0
    );
}

async fn forecast_is_spent_plus_the_run_rate_times_the_time_left(db: TestDb) {
    let now = at(2026, 11, 18, 12);
    let s = synced_at(db, now, 30).await;
    let november: Period = "2026-11".parse().unwrap();
    let spent = usage(&s, DashboardFilter::new(november)).await;
    let week = usage(
        &s,
        DashboardFilter::new("2026-11-11..2026-11-18".parse().unwrap()),
    )
    .await;
    // 12.5 days are left (half of the 18th, then the 19th to the 30th): the rest is
    // week / 7 × 12.5 = week × 25 / 14, rounded half up to the nanodollar.
    let rest = (i128::from(week.nanos()) * 25 + 7) / 14;
    let f = s
        .ledger
        .forecast(&BudgetScope::Global, november)
        .await
        .unwrap();
    assert_eq!(f.spent, spent);
    assert_eq!(f.projected, spent + Money::from_nanos(rest as i64));
    assert_eq!(
        f.daily_rate,
        Money::from_nanos(((i128::from(week.nanos()) * 2 + 7) / 14) as i64)
    );
    assert_eq!(
        f.method,
        "spent so far + mean of the last 7 complete days × 12.5 days left"
    );
    assert_eq!((f.period, f.as_of), (november, now));

    // One plan: its own numbers.
    let plan = s.plans[1].id;
    let f = s
        .ledger
        .forecast(&BudgetScope::Plan(plan), november)
        .await
        .unwrap();
    let plan_week = usage(
        &s,
        DashboardFilter::new("2026-11-11..2026-11-18".parse().unwrap()).plans(vec![plan]),
    )
    .await;
    let plan_spent = usage(&s, DashboardFilter::new(november).plans(vec![plan])).await;
    assert_eq!(
        f.projected,
        plan_spent + Money::from_nanos(((i128::from(plan_week.nanos()) * 25 + 7) / 14) as i64)
    );

    // A period that has ended projects what was spent; one to come, the rate times its days.
    let october: Period = "2026-10".parse().unwrap();
    let f = s
        .ledger
        .forecast(&BudgetScope::Global, october)
        .await
        .unwrap();
    assert_eq!(f.projected, usage(&s, DashboardFilter::new(october)).await);
    assert_eq!(f.method, "the period has ended: projected = spent");
    let f = s
        .ledger
        .forecast(&BudgetScope::Global, "2026-12".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(f.spent, Money::ZERO);
    assert_eq!(
        f.projected,
        Money::from_nanos(((i128::from(week.nanos()) * 31 * 2 + 7) / 14) as i64)
    );
    // A budget's status carries the forecast of its current period.
    let b = s
        .ledger
        .create_budget(NewBudget::new(
            "Nov",
            BudgetScope::Global,
            Money::from_cents(1),
            BudgetPeriod::Month,
        ))
        .await
        .unwrap();
    let st = s.ledger.budget_status(b.id).await.unwrap();
    assert_eq!(
        st.forecast.projected,
        spent + Money::from_nanos(rest as i64)
    );
}

async fn forecast_uses_fewer_days_at_the_start_of_history(db: TestDb) {
    let now = at(2026, 11, 18, 12);
    let s = synced(
        db,
        FakeConfig {
            now,
            days: 30,
            ..FakeConfig::default()
        },
    )
    .await;
    // Synced from Nov 15 12:00: only the 16th and 17th are complete days of history.
    let report = s.ledger.sync(all_history(3)).await.unwrap();
    assert!(report.is_ok());
    let two_days = usage(
        &s,
        DashboardFilter::new("2026-11-16..2026-11-18".parse().unwrap()),
    )
    .await;
    assert!(two_days > Money::ZERO);
    let november: Period = "2026-11".parse().unwrap();
    let f = s
        .ledger
        .forecast(&BudgetScope::Global, november)
        .await
        .unwrap();
    assert_eq!(
        f.method,
        "spent so far + mean of the last 2 complete days × 12.5 days left"
    );
    assert_eq!(f.daily_rate, Money::from_nanos((two_days.nanos() + 1) / 2));
    let rest = (i128::from(two_days.nanos()) * 25 + 2) / 4;
    assert_eq!(f.projected, f.spent + Money::from_nanos(rest as i64));
}

async fn validation_errors_have_codes_and_messages(db: TestDb) {
    let s = synced(
        db,
        FakeConfig {
            days: 2,
            ..FakeConfig::default()
        },
    )
    .await;
    let metadata_only = SyncOptions::default().streams(&[SyncStream::Metadata]);
    assert!(s.ledger.sync(metadata_only).await.unwrap().is_ok());
    let plan = s.plans[0].id;
    let ok = NewBudget::new(
        "Team",
        BudgetScope::Global,
        Money::from_cents(100),
        BudgetPeriod::Month,
    );
    let err = |b: NewBudget| {
        let ledger = s.ledger.clone();
        async move {
            let e = ledger.create_budget(b).await.unwrap_err();
            (e.code(), e.to_string())
        }
    };
    let invalid = |m: &str| ("INVALID_INPUT", m.to_string());
    let with_name = |n: &str| NewBudget {
        name: n.into(),
        ..ok.clone()
    };
    let with_amount = |a: Money| NewBudget {
        amount: a,
        ..ok.clone()
    };
    let thresholds_msg = |got: &str| {
        format!(
            "thresholds must be at most 20 percents from 1 to 1000, increasing and without \
             repeats (such as [50, 80, 100]), got {got}"
        )
    };
    assert_eq!(
        err(with_name("   ")).await,
        invalid("budget name must be 1-200 characters, got 0")
    );
    assert_eq!(
        err(with_name(&"n".repeat(201))).await,
        invalid("budget name must be 1-200 characters, got 201")
    );
    assert_eq!(
        err(with_name("a\u{7}b")).await,
        invalid("budget name must not contain control characters")
    );
    assert_eq!(
        err(with_amount(Money::ZERO)).await,
        invalid("budget amount must be more than $0, got $0.00")
    );
    assert_eq!(
        err(with_amount(Money::from_cents(-5))).await,
        invalid("budget amount must be more than $0, got $-0.05")
    );
    for (t, shown) in [
        (vec![80, 50], "[80, 50]"),
        (vec![50, 50], "[50, 50]"),
        (vec![0, 50], "[0, 50]"),
        (vec![50, 1001], "[50, 1001]"),
    ] {
        assert_eq!(
            err(ok.clone().thresholds(t)).await,
            invalid(&thresholds_msg(shown))
        );
    }
    let many: Vec<u32> = (1..=21).collect();
    assert_eq!(err(ok.clone().thresholds(many)).await.0, "INVALID_INPUT");
    assert_eq!(
        err(ok.clone().time_zone("Mars/Olympus")).await,
        invalid(
            "time zone must be an IANA name such as UTC or America/Los_Angeles, got \
             \"Mars/Olympus\""
        )
    );
    let scoped = |scope: BudgetScope| NewBudget {
        scope,
        ..ok.clone()
    };
    assert_eq!(
        err(scoped(BudgetScope::Plan(9_999))).await,
        (
            "PLAN_NOT_FOUND",
            "plan 9999 not found; list the plans to see their ids".into()
        )
    );
    assert_eq!(
        err(scoped(BudgetScope::workspace(9_999, None))).await.0,
        "PLAN_NOT_FOUND"
    );
    assert_eq!(
        err(scoped(BudgetScope::workspace(
            plan,
            Some("wrkspc_nope".into())
        )))
        .await,
        invalid(&format!(
            "workspace \"wrkspc_nope\" is not a workspace of plan {plan}; sync the plan to \
             bring in its workspaces, or leave the workspace out for its Default workspace"
        ))
    );
    assert_eq!(
        err(scoped(BudgetScope::subject("ghost"))).await,
        (
            "SUBJECT_NOT_FOUND",
            "subject 'ghost' not found; create the subject first".into()
        )
    );
    assert_eq!(
        err(scoped(BudgetScope::subject(""))).await,
        invalid("subject id must be 1-200 characters, got 0")
    );
    assert_eq!(
        err(scoped(BudgetScope::Project(9_999))).await,
        ("PROJECT_NOT_FOUND", "project 9999 not found".into())
    );
    // Updates are checked the same way, and nothing is written when they fail.
    let b = s.ledger.create_budget(ok.clone()).await.unwrap();
    let e = s
        .ledger
        .update_budget(b.id, BudgetUpdate::new().amount(Money::ZERO))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    let e = s
        .ledger
        .update_budget(b.id, BudgetUpdate::new().time_zone("Nowhere"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert_eq!(s.ledger.get_budget(b.id).await.unwrap(), b);
    let e = "fortnight".parse::<BudgetPeriod>().unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        (
            "INVALID_INPUT",
            "budget period must be one of day, week, month, got \"fortnight\""
        )
    );
}

async fn crud_and_not_found(db: TestDb) {
    let s = synced(
        db,
        FakeConfig {
            days: 2,
            ..FakeConfig::default()
        },
    )
    .await;
    let metadata_only = SyncOptions::default().streams(&[SyncStream::Metadata]);
    assert!(s.ledger.sync(metadata_only).await.unwrap().is_ok());
    let plan = s.plans[0].id;
    let meta = s.ledger.store().metadata(plan).await.unwrap();
    s.ledger
        .upsert_subject(NewSubject::new("u1"))
        .await
        .unwrap();
    let project = s.ledger.create_project("u1", "P").await.unwrap();
    let scopes = [
        BudgetScope::Global,
        BudgetScope::Plan(plan),
        BudgetScope::workspace(plan, Some(meta.workspaces[0].id.clone())),
        BudgetScope::workspace(plan, None),
        BudgetScope::subject("u1"),
        BudgetScope::Project(project.id),
    ];
    let created_at = s.fake.now();
    let mut created = Vec::new();
    for (i, scope) in scopes.iter().enumerate() {
        let b = s
            .ledger
            .create_budget(
                NewBudget::new(
                    format!(" Budget {i} "),
                    scope.clone(),
                    Money::from_cents(100 + i as i64),
                    BudgetPeriod::Week,
                )
                .time_zone("Europe/Paris")
                .thresholds(vec![25, 75]),
            )
            .await
            .unwrap();
        assert_eq!(b.name, format!("Budget {i}"));
        assert_eq!(&b.scope, scope);
        assert_eq!(
            (
                b.amount,
                b.period,
                b.time_zone.as_str(),
                b.thresholds.clone()
            ),
            (
                Money::from_cents(100 + i as i64),
                BudgetPeriod::Week,
                "Europe/Paris",
                vec![25, 75]
            )
        );
        assert_eq!((b.created_at, b.updated_at), (created_at, created_at));
        assert_eq!(s.ledger.get_budget(b.id).await.unwrap(), b);
        created.push(b);
    }
    assert_eq!(s.ledger.list_budgets().await.unwrap(), created);
    let defaults = s
        .ledger
        .create_budget(NewBudget::new(
            "Defaults",
            BudgetScope::Global,
            Money::from_cents(1),
            BudgetPeriod::Day,
        ))
        .await
        .unwrap();
    assert_eq!(
        (defaults.time_zone.as_str(), defaults.thresholds.clone()),
        ("UTC", vec![50, 80, 100])
    );

    let json = serde_json::to_value(&created[2]).unwrap();
    assert_eq!(
        json["scope"],
        serde_json::json!({"kind": "workspace", "plan_id": plan, "workspace_id": meta.workspaces[0].id})
    );
    assert_eq!(json["period"], "week");
    assert_eq!(
        serde_json::to_value(&created[3].scope).unwrap(),
        serde_json::json!({"kind": "workspace", "plan_id": plan, "workspace_id": null})
    );

    let later = at(2026, 11, 21, 0);
    s.clock.set(later);
    let id = created[4].id;
    let updated = s
        .ledger
        .update_budget(
            id,
            BudgetUpdate::new()
                .name("Renamed")
                .amount(Money::from_cents(500))
                .period(BudgetPeriod::Month)
                .time_zone("Asia/Tokyo")
                .thresholds(vec![90]),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            updated.name.as_str(),
            updated.amount,
            updated.period,
            updated.time_zone.as_str(),
            updated.thresholds.clone()
        ),
        (
            "Renamed",
            Money::from_cents(500),
            BudgetPeriod::Month,
            "Asia/Tokyo",
            vec![90]
        )
    );
    assert_eq!(updated.scope, created[4].scope);
    assert_eq!(
        (updated.created_at, updated.updated_at),
        (created_at, later)
    );
    assert_eq!(s.ledger.get_budget(id).await.unwrap(), updated);
    let status = s.ledger.budget_status(id).await.unwrap();
    assert_eq!(status.period, "2026-11 Asia/Tokyo".parse().unwrap());
    assert_eq!(status.budget, updated);

    s.ledger.delete_budget(id).await.unwrap();
    let code = |e: costledger::Error| (e.code(), e.to_string());
    let missing = ("BUDGET_NOT_FOUND", format!("budget {id} not found"));
    assert_eq!(code(s.ledger.get_budget(id).await.unwrap_err()), missing);
    assert_eq!(code(s.ledger.delete_budget(id).await.unwrap_err()), missing);
    assert_eq!(
        code(
            s.ledger
                .update_budget(id, BudgetUpdate::new().name("x"))
                .await
                .unwrap_err()
        ),
        missing
    );
    assert_eq!(code(s.ledger.budget_status(id).await.unwrap_err()), missing);
    assert_eq!(s.ledger.list_budgets().await.unwrap().len(), 6);
}
