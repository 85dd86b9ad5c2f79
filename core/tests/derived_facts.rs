//! Reports that heal themselves, on SQLite and Postgres: a sync process aborted at every
//! failpoint leaves a store that the next ordinary sync makes exact; reports derive the stale
//! days they read; `verify` finds and repairs corrupted facts and rollups; a cancelled sync
//! stops gracefully. "Exact" is compared with a second ledger that synced the same fake
//! without interruption, report by report, to the nanodollar.

use std::os::unix::process::ExitStatusExt;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use costledger::store::Store;
use costledger::{
    DashboardFilter, FixedClock, FocusFilter, Ledger, MasterKey, NewPlan, NewSubject, Period,
    SyncCancel, SyncHistoryFilter, SyncStatus, SyncStream,
};
use serde_json::{Value, json};

use crate::common::TestDb;
use crate::common::fake::{FakeConfig, FakeServer, Faults, Synced, all_history, config, synced};
use crate::common::snapshot::synced_from_template;
use crate::sync_processes::{STREAMS, child_command};

backend_tests!(
    a_process_aborted_at_any_failpoint_leaves_what_the_next_sync_makes_exact,
    reports_derive_the_stale_days_they_read,
    verify_finds_and_repairs_corrupted_facts_and_rollups,
    a_cancelled_sync_stops_gracefully_and_the_next_one_is_exact,
    a_stream_failing_after_retries_counts_every_request,
    every_timestamp_comes_from_the_ledgers_clock,
);

const DAYS: u32 = 30;
/// The signal `std::process::abort` raises.
const SIGABRT: i32 = 6;

fn fake_config() -> FakeConfig {
    FakeConfig {
        days: DAYS,
        ..FakeConfig::default()
    }
}

fn options() -> costledger::SyncOptions {
    all_history(i64::from(DAYS)).streams(STREAMS)
}

/// A ledger on `db` reading `fake`, with one plan per org added in order (the plan ids and
/// labels of every ledger of a test are the same).
async fn attach(db: &TestDb, key: &MasterKey, fake: &FakeServer) -> Ledger {
    let clock = FixedClock::new(fake.now());
    let ledger = Ledger::open(config(db, key, fake, &clock)).await.unwrap();
    for (i, org) in fake.orgs().iter().enumerate() {
        ledger
            .add_plan(NewPlan::anthropic(
                format!("Org {}", i + 1),
                org.admin_key.clone(),
            ))
            .await
            .unwrap();
    }
    ledger
}

/// One subject per member of every org, so that reports attribute keys by creator email.
async fn add_subjects(ledger: &Ledger) {
    for plan in ledger.list_plans(Default::default()).await.unwrap() {
        for user in ledger.plan_metadata(plan.id).await.unwrap().users {
            ledger
                .upsert_subject(NewSubject {
                    id: user.email.clone(),
                    email: Some(user.email),
                    name: None,
                })
                .await
                .unwrap();
        }
    }
}

/// The periods compared: the whole history in UTC (whole days from the rollups) and in a
/// time zone (edge hours from the facts).
fn periods(now: DateTime<Utc>) -> Vec<(&'static str, Period)> {
    let end = now.date_naive() + TimeDelta::days(1);
    let start = end - TimeDelta::days(i64::from(DAYS) + 2);
    let utc = Period::dates(start, end).unwrap();
    let local = utc.in_time_zone("America/Los_Angeles").unwrap();
    vec![("utc", utc), ("los_angeles", local)]
}

async fn dashboards(ledger: &Ledger, now: DateTime<Utc>) -> Value {
    let mut out = json!({});
    for (name, period) in periods(now) {
        let d = ledger
            .dashboard(DashboardFilter::new(period).top(1_000))
            .await
            .unwrap();
        out[name] = serde_json::to_value(d).unwrap();
    }
    out
}

async fn user_costs(ledger: &Ledger, now: DateTime<Utc>) -> Value {
    let mut out = json!({});
    for (name, period) in periods(now) {
        for subject in ledger.list_subjects().await.unwrap() {
            let costs = ledger.user_costs(&subject.id, period).await.unwrap();
            out[name][&subject.id] = serde_json::to_value(costs).unwrap();
        }
    }
    out
}

async fn focus(ledger: &Ledger, now: DateTime<Utc>) -> Value {
    let mut out = json!({});
    for (name, period) in periods(now) {
        out[name] = json!(ledger.focus_export(FocusFilter::new(period)).await.unwrap());
    }
    out
}

/// Every report compared, and proof that there was something to compare.
async fn reports(ledger: &Ledger, now: DateTime<Utc>) -> Value {
    let out = json!({
        "dashboard": dashboards(ledger, now).await,
        "user_costs": user_costs(ledger, now).await,
        "focus": focus(ledger, now).await,
    });
    assert_ne!(out["dashboard"]["utc"]["totals"]["billed"], "0");
    assert!(
        out["user_costs"]["utc"]
            .as_object()
            .is_some_and(|m| !m.is_empty())
    );
    out
}

/// A ledger on `db` that synced the fake in one uninterrupted sync (a copy of the template
/// the tests of this file share), and its reports.
async fn reference(db: TestDb) -> (Synced, Value) {
    let (s, report) = synced_from_template(
        db,
        fake_config(),
        fake_admin_api::OrgKinds::none(),
        options(),
    )
    .await;
    assert!(report.is_ok(), "{report:#?}");
    add_subjects(&s.ledger).await;
    let expected = reports(&s.ledger, s.fake.now()).await;
    (s, expected)
}

/// Wait until no plan's lease is live, polling.
async fn leases_expired(store: &dyn Store, plans: &[i64]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    for plan in plans {
        while let Some(lease) = store.lease(*plan).await.unwrap() {
            if lease.expired_at(Utc::now()) {
                break;
            }
            assert!(Instant::now() < deadline, "a lease never expired");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn assert_nothing_stale(ledger: &Ledger) {
    let ids: Vec<i64> = ledger
        .list_plans(Default::default())
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    let left = ledger
        .store()
        .stale_days(&ids, None, None, 100)
        .await
        .unwrap();
    assert!(left.is_empty(), "stale days left: {left:?}");
}

async fn a_process_aborted_at_any_failpoint_leaves_what_the_next_sync_makes_exact(db: TestDb) {
    let (s, expected) = reference(db.clone()).await;
    for spec in [
        "after_page_commit=1",
        "after_page_commit=7",
        "after_page_commit=20",
        "after_day_derived=2",
        "after_day_derived=45",
        "before_sync_event=1",
        "before_sync_event=3",
    ] {
        let db = db.another().await;
        let ledger = attach(&db, &s.key, &s.fake).await;
        let status = child_command(&db, &s.key, &s.fake, DAYS, 3, 1_000)
            .env(costledger::sync::failpoints::ENV, spec)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(
            status.signal(),
            Some(SIGABRT),
            "the child must abort at {spec}: {status:?}"
        );
        let plans: Vec<i64> = ledger
            .list_plans(Default::default())
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        leases_expired(ledger.store().as_ref(), &plans).await;
        // One ordinary sync, no backfill.
        let report = ledger.sync(options()).await.unwrap();
        assert!(report.is_ok(), "{spec}: {report:#?}");
        assert_nothing_stale(&ledger).await;
        add_subjects(&ledger).await;
        let got = reports(&ledger, s.fake.now()).await;
        assert!(
            got == expected,
            "{spec}: the reports differ from an uninterrupted sync"
        );
        let verified = ledger.verify(None, None, false).await.unwrap();
        assert_eq!(verified.differences(), 0, "{spec}: {verified:#?}");
    }
}

/// Corrupt every derived row of every plan and mark all their days stale, as a process
/// killed after committing raw pages would leave them (only worse).
async fn corrupt_and_mark_stale(db: &TestDb, ledger: &Ledger) {
    db.exec(&[
        "UPDATE costledger_cost_facts SET amount_nanos = amount_nanos * 2 + 1",
        "UPDATE costledger_cost_daily SET amount_nanos = amount_nanos + 3",
        "UPDATE costledger_cost_hourly_ws SET amount_nanos = 0",
        "DELETE FROM costledger_cost_daily_ws",
        "UPDATE costledger_cost_monthly SET amount_nanos = amount_nanos - 5",
        "UPDATE costledger_usage_daily SET output = output + 1",
        "DELETE FROM costledger_usage_monthly",
    ])
    .await;
    for plan in ledger.list_plans(Default::default()).await.unwrap() {
        let (from, to) = ledger.store().fact_extent(plan.id).await.unwrap().unwrap();
        ledger.store().mark_stale(plan.id, from, to).await.unwrap();
    }
}

async fn reports_derive_the_stale_days_they_read(db: TestDb) {
    let (s, expected) = reference(db.clone()).await;
    let now = s.fake.now();
    // Each report on its own derives what it reads before reading it.
    corrupt_and_mark_stale(&db, &s.ledger).await;
    assert_eq!(dashboards(&s.ledger, now).await, expected["dashboard"]);
    assert_nothing_stale(&s.ledger).await;
    corrupt_and_mark_stale(&db, &s.ledger).await;
    assert_eq!(user_costs(&s.ledger, now).await, expected["user_costs"]);
    corrupt_and_mark_stale(&db, &s.ledger).await;
    assert_eq!(focus(&s.ledger, now).await, expected["focus"]);
    // Budgets read through the dashboard.
    corrupt_and_mark_stale(&db, &s.ledger).await;
    let budget = s
        .ledger
        .create_budget(costledger::NewBudget {
            name: "all".into(),
            scope: costledger::BudgetScope::Global,
            amount: costledger::Money::parse_dollars("1000000").unwrap(),
            period: costledger::BudgetPeriod::Month,
            time_zone: "UTC".into(),
            thresholds: vec![50],
            mirror: None,
        })
        .await
        .unwrap();
    let status = s.ledger.budget_status(budget.id).await.unwrap();
    let month = Period::month(2026, 11).unwrap();
    let dashboard = s
        .ledger
        .dashboard(DashboardFilter::new(month))
        .await
        .unwrap();
    assert_eq!(status.spent.usage(), dashboard.totals.usage());
    // Only the days a report reads are derived: November's, not October's.
    let plans: Vec<i64> = s.plans.iter().map(|p| p.id).collect();
    let store = s.ledger.store();
    let nov1 = date("2026-11-01")
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    let left = store.stale_days(&plans, None, None, 1_000).await.unwrap();
    assert!(!left.is_empty());
    assert!(left.iter().all(|d| d.day < nov1), "{left:?}");
    assert_eq!(reports(&s.ledger, now).await, expected);
    assert_nothing_stale(&s.ledger).await;

    // What a report pays for the check when nothing is stale: one indexed query.
    let runs = 50;
    let started = Instant::now();
    for _ in 0..runs {
        assert!(
            store
                .stale_days(&plans, Some((0, i64::MAX / 2)), None, 512)
                .await
                .unwrap()
                .is_empty()
        );
    }
    let check = started.elapsed() / runs;
    let started = Instant::now();
    for _ in 0..runs / 5 {
        s.ledger
            .dashboard(DashboardFilter::new(periods(now)[1].1))
            .await
            .unwrap();
    }
    let dashboard = started.elapsed() / (runs / 5);
    eprintln!(
        "{}: the stale check costs {check:?} per report; a 32-day dashboard in a time zone \
         takes {dashboard:?}",
        if db.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    );
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

async fn verify_finds_and_repairs_corrupted_facts_and_rollups(db: TestDb) {
    let (s, expected) = reference(db.clone()).await;
    let clean = s.ledger.verify(None, None, false).await.unwrap();
    assert_eq!(clean.differences(), 0, "{clean:#?}");
    assert!(clean.is_consistent());
    assert_eq!(clean.plans.len(), 3);
    for plan in &clean.plans {
        assert!(plan.days_checked >= i64::from(DAYS), "{plan:#?}");
        assert_eq!(plan.stale_days, 0);
    }
    let (p1, p2, p3) = (s.plans[0].id, s.plans[1].id, s.plans[2].id);
    // One hourly fact of plan 1 on the 2nd of November, one day's usage rollup of plan 2 on
    // the 10th, and the November cost rollup of plan 3.
    let nov2 = date("2026-11-02");
    let nov10 = date("2026-11-10");
    let ts = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    let fact = db
        .rows(&format!(
            "SELECT hour, dim_id, basis FROM costledger_cost_facts WHERE plan_id = {p1} \
             AND hour >= {} ORDER BY hour, dim_id, basis LIMIT 1",
            ts(nov2)
        ))
        .await;
    let [hour, dim, basis] = fact[0][..] else {
        panic!("{fact:?}")
    };
    let (hour, dim, basis) = (hour.unwrap(), dim.unwrap(), basis.unwrap());
    let month = ts(date("2026-11-01"));
    let row = db
        .rows(&format!(
            "SELECT dim_id, basis FROM costledger_cost_monthly WHERE plan_id = {p3} \
             AND month = {month} ORDER BY dim_id, basis LIMIT 1"
        ))
        .await;
    let (m_dim, m_basis) = (row[0][0].unwrap(), row[0][1].unwrap());
    db.exec(&[
        &format!(
            "UPDATE costledger_cost_facts SET amount_nanos = amount_nanos + 7 \
             WHERE plan_id = {p1} AND hour = {hour} AND dim_id = {dim} AND basis = {basis}"
        ),
        &format!(
            "DELETE FROM costledger_usage_daily WHERE plan_id = {p2} AND day = {}",
            ts(nov10)
        ),
        &format!(
            "UPDATE costledger_cost_monthly SET amount_nanos = amount_nanos - 1 \
             WHERE plan_id = {p3} AND month = {month} AND dim_id = {m_dim} AND basis = {m_basis}"
        ),
    ])
    .await;
    let found = s.ledger.verify(None, None, false).await.unwrap();
    // Plan 2's month no longer adds up either.
    assert_eq!(found.differences(), 4, "{found:#?}");
    assert!(!found.is_consistent());
    let plan = |id: i64| found.plans.iter().find(|p| p.plan_id == id).unwrap();
    let day = &plan(p1).days[0];
    assert_eq!(
        (day.date, day.tables.clone()),
        (nov2, vec!["cost_facts".to_string()])
    );
    assert_eq!(
        day.stored.usage() - day.recomputed.usage(),
        costledger::Money::from_nanos(7)
    );
    assert_eq!(day.stored_daily, day.recomputed);
    assert!(!day.stale && !day.repaired);
    let day = &plan(p2).days[0];
    assert_eq!(
        (day.date, day.tables.clone()),
        (nov10, vec!["usage_daily".to_string()])
    );
    assert_eq!(plan(p2).months[0].tables, ["usage_monthly"]);
    let month = &plan(p3).months[0];
    assert_eq!(month.month, date("2026-11-01"));
    assert_eq!(month.tables, ["cost_monthly"]);
    assert_eq!(
        month.recomputed.usage() - month.stored.usage(),
        costledger::Money::from_nanos(1)
    );
    assert!(plan(p3).days.is_empty());
    // A plan and a range narrow what is checked.
    let narrow = s
        .ledger
        .verify(Some(p1), Some((nov2, date("2026-11-03"))), false)
        .await
        .unwrap();
    assert_eq!(narrow.plans.len(), 1);
    assert_eq!(narrow.plans[0].days_checked, 1);
    assert_eq!(narrow.differences(), 1);
    let elsewhere = s
        .ledger
        .verify(Some(p1), Some((nov10, date("2026-11-12"))), false)
        .await
        .unwrap();
    assert_eq!(elsewhere.differences(), 0);
    // Repairing fixes all three, and reports are exact again.
    let repaired = s.ledger.verify(None, None, true).await.unwrap();
    assert_eq!(repaired.differences(), 4);
    assert!(repaired.is_consistent(), "{repaired:#?}");
    assert_eq!(
        s.ledger
            .verify(None, None, false)
            .await
            .unwrap()
            .differences(),
        0
    );
    assert_eq!(reports(&s.ledger, s.fake.now()).await, expected);
    assert!(
        s.ledger
            .verify(None, Some((nov10, nov2)), false)
            .await
            .is_err_and(|e| e.code() == "INVALID_INPUT")
    );
}

async fn a_cancelled_sync_stops_gracefully_and_the_next_one_is_exact(db: TestDb) {
    let (s, expected) = reference(db.clone()).await;
    let other = db.another().await;
    let ledger = attach(&other, &s.key, &s.fake).await;
    s.fake.set_faults(Faults::none().with_slow(30));
    let cancel = SyncCancel::new();
    let task = tokio::spawn({
        let (ledger, cancel) = (ledger.clone(), cancel.clone());
        async move {
            ledger
                .sync(options().lease_ttl(Duration::from_secs(600)).cancel(cancel))
                .await
        }
    });
    // Cancel once a usage page of the first plan is committed.
    let first = ledger.list_plans(Default::default()).await.unwrap()[0].id;
    let deadline = Instant::now() + Duration::from_secs(60);
    while ledger
        .store()
        .watermark(first, "usage:1h")
        .await
        .unwrap()
        .is_none()
    {
        assert!(Instant::now() < deadline, "no usage page was committed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    cancel.cancel();
    let report = task.await.unwrap().unwrap();
    s.fake.set_faults(Faults::none());
    assert!(!report.is_ok());
    for plan in &report.plans {
        assert_eq!(plan.status, SyncStatus::Interrupted, "{plan:#?}");
        assert_eq!(plan.error.as_ref().unwrap().code, "INTERRUPTED");
        // The lease (ten minutes long) was given back.
        assert!(ledger.store().lease(plan.plan_id).await.unwrap().is_none());
        let events = ledger
            .sync_history(SyncHistoryFilter::plan(plan.plan_id))
            .await
            .unwrap();
        let event = events
            .iter()
            .find(|e| e.stream == SyncStream::Plan)
            .expect("the plan's event");
        assert_eq!(event.status, SyncStatus::Interrupted);
        assert_eq!(event.error_code.as_deref(), Some("INTERRUPTED"));
        // Not a failure of the plan.
        let stored = ledger.get_plan(plan.plan_id).await.unwrap();
        assert_eq!(stored.last_error, None);
        assert_eq!(stored.last_synced_at, None);
    }
    assert!(report.budget_alerts.is_empty());
    // The next sync is not held back by any lease, and ends exact.
    let next = ledger.sync(options()).await.unwrap();
    assert!(next.is_ok(), "{next:#?}");
    add_subjects(&ledger).await;
    assert_eq!(reports(&ledger, s.fake.now()).await, expected);
    // A handle cancelled before the sync starts stops every plan at once.
    let again = ledger
        .sync(options().cancel({
            let c = SyncCancel::new();
            c.cancel();
            c
        }))
        .await
        .unwrap();
    assert!(
        again
            .plans
            .iter()
            .all(|p| p.status == SyncStatus::Interrupted && p.streams.is_empty())
    );
}

async fn a_stream_failing_after_retries_counts_every_request(db: TestDb) {
    let s = synced(db, fake_config()).await;
    let plan = &s.plans[0];
    let key = s.fake.orgs()[0].admin_key.clone();
    for (faults, code) in [
        (Faults::none().with_500(1), "UPSTREAM"),
        (Faults::none().with_rate_limit(1, 0.0), "RATE_LIMITED"),
        // Two pages go through, then every request fails.
        (Faults::none().with_down_after(2), "UPSTREAM"),
    ] {
        s.fake.reset_stats();
        s.fake.set_faults(faults);
        let report = s
            .ledger
            .sync(
                all_history(i64::from(DAYS))
                    .plan(plan.id)
                    .streams(&[SyncStream::Usage]),
            )
            .await
            .unwrap();
        s.fake.set_faults(Faults::none());
        let usage = report
            .plan(plan.id)
            .unwrap()
            .stream(SyncStream::Usage)
            .unwrap();
        assert_eq!(usage.status, SyncStatus::Error);
        assert_eq!(usage.error.as_ref().unwrap().code, code);
        let served = s.fake.stats().requests_for(&key) as i64;
        assert!(served >= 5, "{served}");
        assert_eq!(usage.requests, served, "{usage:#?}");
        // max_retries(4): the failed request was sent five times.
        assert!(usage.retries >= 4, "{usage:#?}");
        let event = s
            .ledger
            .sync_history(SyncHistoryFilter {
                stream: Some(SyncStream::Usage),
                ..SyncHistoryFilter::plan(plan.id)
            })
            .await
            .unwrap()
            .remove(0);
        assert_eq!(
            (event.requests, event.retries),
            (usage.requests, usage.retries)
        );
    }
}

async fn every_timestamp_comes_from_the_ledgers_clock(db: TestDb) {
    let s = synced(db.clone(), fake_config()).await;
    let report = s.ledger.sync(all_history(i64::from(DAYS))).await.unwrap();
    assert!(report.is_ok(), "{report:#?}");
    s.ledger
        .rotate_master_key(MasterKey::generate())
        .await
        .unwrap();
    let fixed = s.fake.now();
    assert!(
        (Utc::now() - fixed).num_hours().abs() > 1,
        "the fixed instant must differ from the real clock for this test to mean anything"
    );
    assert_eq!((report.started_at, report.finished_at), (fixed, fixed));
    let (secs, ms) = (fixed.timestamp(), fixed.timestamp_millis());
    for (query, expected) in [
        (
            "SELECT started_at_ms, finished_at_ms FROM costledger_sync_events",
            ms,
        ),
        ("SELECT updated_at FROM costledger_sync_state", secs),
        (
            "SELECT created_at, updated_at, last_synced_at FROM costledger_plans",
            secs,
        ),
        ("SELECT updated_at FROM costledger_credentials", secs),
    ] {
        let rows = db.rows(query).await;
        assert!(!rows.is_empty(), "{query}");
        for row in rows {
            for value in row {
                assert_eq!(value, Some(expected), "{query}");
            }
        }
    }
}

/// An in-memory ledger has one connection. A report reads several things at once (the
/// dashboard its sums, series and attribution; `user_costs` its attribution while deriving
/// the stale days of its span): on one connection they take turns, and the report finishes
/// with the same figures.
#[tokio::test]
async fn reports_on_one_connection_read_at_once_and_finish() {
    let s = synced(
        TestDb::sqlite_memory(),
        FakeConfig {
            orgs: 2,
            days: 20,
            ..FakeConfig::default()
        },
    )
    .await;
    s.ledger.sync(all_history(20)).await.unwrap();
    let plan = &s.plans[0];
    let key = s.ledger.store().metadata(plan.id).await.unwrap().api_keys[0]
        .id
        .clone();
    s.ledger
        .upsert_subject(costledger::NewSubject::new("owner-1").name("Owner"))
        .await
        .unwrap();
    s.ledger
        .map_key(costledger::NewKeyMapping::new(plan.id, key, "owner-1"))
        .await
        .unwrap();
    let now = s.fake.now();
    let month = {
        use chrono::Datelike;
        Period::month(now.year(), now.month()).unwrap()
    };
    fn within<F: std::future::Future>(f: F) -> tokio::time::Timeout<F> {
        tokio::time::timeout(Duration::from_secs(60), f)
    }
    let dashboard = within(s.ledger.dashboard(costledger::DashboardFilter::new(month)))
        .await
        .expect("the dashboard finishes")
        .unwrap();
    let costs = within(s.ledger.user_costs("owner-1", month))
        .await
        .expect("user_costs finishes")
        .unwrap();
    for plan in s.ledger.list_plans(Default::default()).await.unwrap() {
        if let Some((from, to)) = s.ledger.store().fact_extent(plan.id).await.unwrap() {
            s.ledger
                .store()
                .mark_stale(plan.id, from, to)
                .await
                .unwrap();
        }
    }
    let again = within(s.ledger.user_costs("owner-1", month))
        .await
        .expect("user_costs deriving stale days finishes")
        .unwrap();
    assert_eq!(again.total, costs.total);
    assert!(costs.total.total() > costledger::Money::ZERO, "{costs:?}");
    let dashboard_again = within(s.ledger.dashboard(costledger::DashboardFilter::new(month)))
        .await
        .expect("the dashboard finishes")
        .unwrap();
    assert_eq!(dashboard_again.totals, dashboard.totals);
}
