//! `Ledger::reconcile` on SQLite and Postgres against the fake Admin API: per plan and day
//! the three columns equal the fake's truth exactly (the Analytics API's net and list, the
//! legacy cost report, and the allocation of that report: token and web search lines placed
//! on usage, code execution unallocated), the differences add up on every line, and a day
//! only the legacy report has (before the Analytics API's window, a HIPAA-ready organisation)
//! says so with the analytics column empty.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use costledger::{Money, ReconcileFilter, ReconcileLine, ReconcileStatus, SourceState, SyncStream};
use fake_admin_api::{FakeConfig, OrgKinds, Truth};

use crate::common::TestDb;
use crate::common::fake::{Synced, all_history, synced_with_kinds};

backend_tests!(
    columns_equal_the_truth_and_differences_add_up,
    days_only_the_legacy_report_has_say_so
);

const DAYS: u32 = 6;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn sync_both(config: FakeConfig, kinds: OrgKinds, db: TestDb) -> Synced {
    let s = synced_with_kinds(db, config, kinds).await;
    let streams = [SyncStream::Usage, SyncStream::Cost, SyncStream::Analytics];
    let report = s
        .ledger
        .sync(all_history(DAYS.into()).streams(&streams))
        .await
        .unwrap();
    assert!(report.is_ok(), "{report:#?}");
    s
}

/// Lines from the first whole day of history to today.
async fn reconcile_all(s: &Synced) -> Vec<ReconcileLine> {
    let now = s.fake.now();
    let from = (now - TimeDelta::days(DAYS.into()) + TimeDelta::seconds(86_399)).date_naive();
    let to = now.date_naive() + TimeDelta::days(1);
    s.ledger
        .reconcile(&ReconcileFilter::new(from, to))
        .await
        .unwrap()
}

fn nanos(n: u64) -> Money {
    Money::from_nanos(n as i64)
}

/// The differences of every line add up exactly, and a missing figure has no difference.
fn assert_adds_up(l: &ReconcileLine) {
    let add = |a: Option<Money>, b: Option<Money>| a.zip(b).map(|(a, b)| a + b);
    assert_eq!(
        l.analytics_list.is_some(),
        l.analytics_state.has_data(),
        "{l:?}"
    );
    assert_eq!(l.legacy.is_some(), l.legacy_state.has_data(), "{l:?}");
    if let Some(list) = l.analytics_list {
        assert_eq!(Some(list), add(l.analytics_net, l.discount), "{l:?}");
    }
    if let Some(legacy) = l.legacy {
        assert_eq!(Some(legacy), add(l.allocated, l.unallocated), "{l:?}");
    } else {
        assert_eq!((l.allocated, l.unallocated), (None, None), "{l:?}");
    }
    match l.status {
        ReconcileStatus::Reconciled => {
            assert_eq!(l.late, None);
            let sum = add(add(l.legacy, l.rounding), l.priority_tier);
            assert_eq!(sum, l.analytics_list, "{l:?}");
        }
        _ => {
            assert_eq!(l.rounding, None, "{l:?}");
            if l.analytics_list.is_some() && l.legacy.is_some() {
                let sum = add(add(l.legacy, l.late), l.priority_tier);
                assert_eq!(sum, l.analytics_list, "{l:?}");
            } else {
                assert_eq!(l.late, None, "{l:?}");
            }
        }
    }
}

/// The legacy columns of a day equal the truth: the cost report's total, allocated = its
/// token and web search lines (every one matches usage), unallocated = code execution.
fn assert_legacy_equals_truth(truth: &Truth, org_id: &str, l: &ReconcileLine) {
    let org = truth.org(org_id).unwrap();
    let day = l.day.to_string();
    let rows = org.cost.iter().filter(|r| r.day == day);
    let (mut placed, mut code) = (0, 0);
    for r in rows {
        if r.cost_type == "code_execution" {
            code += r.amount_nanos;
        } else {
            placed += r.amount_nanos;
        }
    }
    let billed = org.cost_per_day.get(&day).copied().unwrap_or(0);
    assert_eq!(l.legacy, Some(nanos(billed)), "{l:?}");
    assert_eq!(l.allocated, Some(nanos(placed)), "{l:?}");
    assert_eq!(l.unallocated, Some(nanos(code)), "{l:?}");
}

async fn columns_equal_the_truth_and_differences_add_up(db: TestDb) {
    // Mid-day: the last day is partial, its analytics hours ahead of the daily cost report.
    let config = FakeConfig {
        orgs: 2,
        days: DAYS,
        now: t("2026-11-20T13:00:00Z"),
        ..FakeConfig::default()
    };
    let s = sync_both(config, OrgKinds::none(), db).await;
    let truth = s.fake.truth();
    let lines = reconcile_all(&s).await;
    assert_eq!(lines.len(), 2 * DAYS as usize);
    let (mut reconciled, mut rounded, mut late) = (0, 0, 0);
    for l in &lines {
        assert_adds_up(l);
        let plan = s.plans.iter().find(|p| p.id == l.plan_id).unwrap();
        let org_id = plan.org_id.as_deref().unwrap();
        let org = truth.org(org_id).unwrap();
        let day = l.day.to_string();
        if l.status == ReconcileStatus::LateData {
            late += 1;
            assert_eq!(l.day, s.fake.now().date_naive(), "{l:?}");
            continue;
        }
        assert_eq!(l.status, ReconcileStatus::Reconciled, "{l:?}");
        reconciled += 1;
        let a = &org
            .analytics
            .by_day
            .iter()
            .find(|r| r.day == day)
            .unwrap()
            .amounts;
        assert_eq!(l.analytics_net, Some(nanos(a.net_nanos)), "{l:?}");
        assert_eq!(l.analytics_list, Some(nanos(a.list_nanos)), "{l:?}");
        assert_legacy_equals_truth(&truth, org_id, l);
        let residual = org.analytics.legacy_rounding_residual_by_day[&day];
        assert_eq!(l.rounding, Some(Money::from_nanos(residual)), "{l:?}");
        rounded += usize::from(residual != 0);
        // The fake leaves the Priority Tier out of both cost reports, as the legacy docs say.
        assert_eq!(l.priority_tier, Some(Money::ZERO));
        assert!(l.discount.unwrap() > Money::ZERO || org.analytics.discount_percent == 0);
    }
    assert_eq!(reconciled, 2 * (DAYS as usize - 1));
    assert_eq!(late, 2, "today is late data on both plans");
    assert!(
        rounded > 0,
        "the fake's atoms round away from the legacy total"
    );
}

async fn days_only_the_legacy_report_has_say_so(db: TestDb) {
    // Early January: the days before 2026-01-01 are before the Analytics API's window; the
    // second organisation is HIPAA-ready, so no day of it has analytics.
    let config = FakeConfig {
        orgs: 2,
        days: DAYS,
        now: t("2026-01-03T00:00:00Z"),
        ..FakeConfig::default()
    };
    let s = sync_both(config, OrgKinds::none().with_hipaa(1), db).await;
    let truth = s.fake.truth();
    let lines = reconcile_all(&s).await;
    let first_day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let (mut before, mut hipaa) = (0, 0);
    for l in &lines {
        assert_adds_up(l);
        let hipaa_plan = l.plan_id == s.plans[1].id;
        let org_id = s.plans[usize::from(hipaa_plan)].org_id.clone().unwrap();
        if l.day == s.fake.now().date_naive() {
            // The day has not started: neither source has it.
            assert_eq!(l.status, ReconcileStatus::NoData, "{l:?}");
            assert_eq!((l.analytics_list, l.legacy), (None, None));
            continue;
        }
        assert_legacy_equals_truth(&truth, &org_id, l);
        if hipaa_plan {
            hipaa += 1;
            let want = if l.day < first_day {
                SourceState::BeforeWindow
            } else {
                SourceState::Unavailable
            };
            assert_eq!(l.analytics_state, want, "{l:?}");
            if want == SourceState::Unavailable {
                let why = l.analytics_unavailable.as_deref().unwrap();
                assert!(why.contains("HIPAA"), "{why}");
            }
        } else if l.day < first_day {
            before += 1;
            assert_eq!(l.analytics_state, SourceState::BeforeWindow, "{l:?}");
        } else {
            assert_eq!(l.status, ReconcileStatus::Reconciled, "{l:?}");
            continue;
        }
        assert_eq!(l.status, ReconcileStatus::LegacyOnly, "{l:?}");
        assert_eq!(l.legacy_state, SourceState::Complete, "{l:?}");
        assert_eq!((l.analytics_net, l.analytics_list), (None, None), "{l:?}");
        assert_eq!((l.discount, l.priority_tier), (None, None), "{l:?}");
        assert_eq!((l.rounding, l.late), (None, None), "{l:?}");
    }
    assert_eq!(before, DAYS as usize - 2);
    assert_eq!(hipaa, DAYS as usize);
}
