//! Which source bills each (plan, UTC day), on SQLite and Postgres: with the default streams
//! the days the analytics watermark covers are billed from the Analytics API's rows, so the
//! reports per day, key, workspace and person equal the fake's analytics truth (net) exactly;
//! a HIPAA-ready organisation, history before 2026-01-01 and a credential without the
//! analytics scope fall back to the legacy allocation with the reason in the analytics
//! stream's event; an interrupted analytics sync leaves its uncovered days on the legacy
//! basis and the next sync switches them. In every case no day counts twice.

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use costledger::model::{Basis, SyncHistoryFilter, SyncStatus, SyncStream};
use costledger::{
    DashboardFilter, FocusFilter, Ledger, NewKeyMapping, NewSubject, Period, Plan, SyncOptions,
};
use fake_admin_api::{ActorJson, FakeConfig, Faults, OrgKinds};

use crate::common::TestDb;
use crate::common::fake::{
    Synced, all_history, default_history, synced_with_kinds, truth_cost_per_day,
};
use crate::common::snapshot::synced_from_template;

backend_tests!(
    default_streams_bill_every_key_workspace_day_and_person_from_the_analytics_truth,
    a_hipaa_organisation_falls_back_to_the_legacy_allocation,
    history_before_2026_falls_back_to_the_legacy_allocation,
    a_credential_without_the_analytics_scope_falls_back_to_the_legacy_allocation,
    an_interrupted_analytics_sync_leaves_days_legacy_until_the_next_sync,
);

const DAYS: u32 = 8;
const DAY: i64 = 86_400;

fn date(at: DateTime<Utc>) -> NaiveDate {
    at.date_naive()
}

/// Whether a stream's watermark covers the whole of `day` (the rule reports use).
async fn covers(ledger: &Ledger, plan: i64, stream: &str, day: NaiveDate) -> bool {
    let start = day.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    ledger
        .store()
        .watermark(plan, stream)
        .await
        .unwrap()
        .is_some_and(|w| {
            w.first_start.timestamp() <= start && start + DAY <= w.watermark.timestamp()
        })
}

/// How many days each source billed.
#[derive(Debug, Default, PartialEq, Eq)]
struct Sources {
    analytics: usize,
    legacy: usize,
}

/// Each day of `plan` in `[from, to)` is billed by exactly one source: the analytics truth
/// (net) where the analytics watermark covers the day, else the legacy truth where the cost
/// watermark does; and the range's total is the sum of those, so no day counts twice.
async fn assert_one_source_per_day(
    s: &Synced,
    plan: &Plan,
    from: NaiveDate,
    to: NaiveDate,
) -> Sources {
    let truth = s.fake.truth();
    let org_id = plan.org_id.as_deref().unwrap();
    let legacy = truth_cost_per_day(&truth, org_id);
    let analytics: BTreeMap<String, i64> = truth
        .org(org_id)
        .unwrap()
        .analytics
        .by_day
        .iter()
        .map(|r| (r.day.clone(), r.amounts.net_nanos as i64))
        .collect();
    let mut sources = Sources::default();
    let mut expected_total = 0;
    let mut day = from;
    while day < to {
        let key = day.to_string();
        let want = if covers(&s.ledger, plan.id, "analytics", day).await {
            sources.analytics += 1;
            analytics.get(&key).copied().unwrap_or(0)
        } else if covers(&s.ledger, plan.id, "cost", day).await {
            sources.legacy += 1;
            legacy.get(&key).copied().unwrap_or(0)
        } else {
            0
        };
        let got = s
            .ledger
            .dashboard(DashboardFilter::new(Period::day(day)).plans(vec![plan.id]))
            .await
            .unwrap()
            .totals;
        assert_eq!(got.billed().nanos(), want, "plan {} day {day}", plan.id);
        expected_total += want;
        day += TimeDelta::days(1);
    }
    let whole = s
        .ledger
        .dashboard(DashboardFilter::new(Period::dates(from, to).unwrap()).plans(vec![plan.id]))
        .await
        .unwrap()
        .totals;
    assert_eq!(
        whole.billed().nanos(),
        expected_total,
        "plan {} range",
        plan.id
    );
    sources
}

/// The analytics stream's events of a plan, newest first.
async fn analytics_events(s: &Synced, plan: i64) -> Vec<costledger::model::SyncEvent> {
    s.ledger
        .sync_history(SyncHistoryFilter {
            plan_id: Some(plan),
            stream: Some(SyncStream::Analytics),
            ..SyncHistoryFilter::default()
        })
        .await
        .unwrap()
}

fn range(s: &Synced, days: u32) -> (NaiveDate, NaiveDate) {
    let now = s.fake.now();
    (date(now - TimeDelta::days(days.into())), date(now))
}

async fn default_streams_bill_every_key_workspace_day_and_person_from_the_analytics_truth(
    db: TestDb,
) {
    let config = FakeConfig {
        orgs: 2,
        days: DAYS,
        ..FakeConfig::default()
    };
    // The same sync as analytics_sync's: one template for both.
    let (s, report) =
        synced_from_template(db, config, OrgKinds::none(), default_history(DAYS.into())).await;
    assert!(report.is_ok(), "{report:#?}");
    let (from, to) = range(&s, DAYS);
    let truth = s.fake.truth();
    for (i, plan) in s.plans.iter().enumerate() {
        let sources = assert_one_source_per_day(&s, plan, from, to).await;
        assert_eq!(
            sources,
            Sources {
                analytics: DAYS as usize,
                legacy: 0
            },
            "org {i}"
        );
        let org = truth.org(plan.org_id.as_deref().unwrap()).unwrap();
        let mut day = from;
        while day < to {
            let d = day.to_string();
            // Per key: the FOCUS rows, whose basis says billed.
            let rows = s
                .ledger
                .focus_rows(FocusFilter::new(Period::day(day)).plans(vec![plan.id]))
                .await
                .unwrap();
            let mut by_key: BTreeMap<Option<String>, i64> = BTreeMap::new();
            for r in &rows {
                assert!(
                    matches!(r.x_cost_basis, Basis::Billed | Basis::Estimated),
                    "org {i} {d}: an analytics day has no {:?} row",
                    r.x_cost_basis
                );
                if r.x_cost_basis == Basis::Billed {
                    *by_key.entry(r.resource_id.clone()).or_default() += r.billed_cost.nanos();
                }
            }
            by_key.retain(|_, v| *v != 0);
            let want: BTreeMap<Option<String>, i64> = org
                .analytics
                .by_api_key
                .iter()
                .filter(|r| r.day == d && r.amounts.net_nanos > 0)
                .map(|r| (r.api_key_id.clone(), r.amounts.net_nanos as i64))
                .collect();
            assert!(!want.is_empty(), "org {i} {d}: the fake bills keys");
            assert_eq!(by_key, want, "org {i} {d} per key");
            // Per workspace: the dashboard.
            let dash = s
                .ledger
                .dashboard(DashboardFilter::new(Period::day(day)).plans(vec![plan.id]))
                .await
                .unwrap();
            let got: BTreeMap<Option<String>, i64> = dash
                .per_workspace
                .iter()
                .map(|w| (w.workspace.workspace_id.clone(), w.cost.billed().nanos()))
                .filter(|(_, v)| *v != 0)
                .collect();
            let want: BTreeMap<Option<String>, i64> = org
                .analytics
                .by_workspace
                .iter()
                .filter(|r| r.day == d && r.amounts.net_nanos > 0)
                .map(|r| (r.workspace_id.clone(), r.amounts.net_nanos as i64))
                .collect();
            assert_eq!(got, want, "org {i} {d} per workspace");
            assert_eq!(dash.totals.unallocated.nanos(), 0, "org {i} {d}");
            day += TimeDelta::days(1);
        }
    }
    assert_people_equal_their_user_actors(&s, from, to).await;
    // The verifier accepts analytics-billed days.
    let verified = s.ledger.verify(None, None, false).await.unwrap();
    assert_eq!(verified.differences(), 0, "{verified:#?}");
}

/// Per person: with every key mapped to one keyholder, a subject with the e-mail of a user
/// actor costs exactly that actor's billed truth (net) over the period.
async fn assert_people_equal_their_user_actors(s: &Synced, from: NaiveDate, to: NaiveDate) {
    let truth = s.fake.truth();
    s.ledger
        .upsert_subject(NewSubject {
            id: "keyholder".into(),
            email: None,
            name: None,
        })
        .await
        .unwrap();
    let mut people: BTreeMap<String, i64> = BTreeMap::new();
    for plan in &s.plans {
        for key in s.ledger.store().metadata(plan.id).await.unwrap().api_keys {
            s.ledger
                .map_key(NewKeyMapping {
                    plan_id: plan.id,
                    api_key_id: key.id,
                    subject_id: "keyholder".into(),
                    project_id: None,
                    valid_from: None,
                    valid_to: None,
                })
                .await
                .unwrap();
        }
        let org = truth.org(plan.org_id.as_deref().unwrap()).unwrap();
        for r in &org.analytics.by_actor {
            let day: NaiveDate = r.day.parse().unwrap();
            if let ActorJson::User {
                email_address: Some(email),
                ..
            } = &r.actor
                && from <= day
                && day < to
            {
                *people.entry(email.to_lowercase()).or_default() += r.amounts.net_nanos as i64;
            }
        }
    }
    assert!(people.len() > 1, "the fake bills several people");
    for (n, (email, want)) in people.iter().enumerate() {
        let id = format!("person-{n}");
        s.ledger
            .upsert_subject(NewSubject {
                id: id.clone(),
                email: Some(email.clone()),
                name: None,
            })
            .await
            .unwrap();
        let got = s
            .ledger
            .user_costs(&id, Period::dates(from, to).unwrap())
            .await
            .unwrap();
        assert_eq!(got.total.billed().nanos(), *want, "{email}");
        assert_eq!(got.total.estimated.nanos(), 0, "{email}");
    }
}

/// The analytics stream's newest event of `plan` carries `reason`.
async fn assert_reason(s: &Synced, plan: i64, status: SyncStatus, reason: &str) {
    let events = analytics_events(s, plan).await;
    let event = events.first().expect("an analytics event");
    assert_eq!(event.status, status, "{event:?}");
    let message = event.error_message.as_deref().unwrap_or_default();
    assert!(message.contains(reason), "{message}");
}

async fn a_hipaa_organisation_falls_back_to_the_legacy_allocation(db: TestDb) {
    let config = FakeConfig {
        orgs: 2,
        days: DAYS,
        ..FakeConfig::default()
    };
    // The same sync as analytics_sync's: one template for both.
    let (s, report) = synced_from_template(
        db,
        config,
        OrgKinds::none().with_hipaa(1),
        default_history(DAYS.into()),
    )
    .await;
    assert!(report.is_ok(), "{report:#?}");
    assert_reason(&s, s.plans[1].id, SyncStatus::Skipped, "hipaa_organization").await;
    let (from, to) = range(&s, DAYS);
    let all = DAYS as usize;
    let billed = assert_one_source_per_day(&s, &s.plans[0], from, to).await;
    assert_eq!(
        billed,
        Sources {
            analytics: all,
            legacy: 0
        }
    );
    let hipaa = assert_one_source_per_day(&s, &s.plans[1], from, to).await;
    assert_eq!(
        hipaa,
        Sources {
            analytics: 0,
            legacy: all
        }
    );
}

async fn history_before_2026_falls_back_to_the_legacy_allocation(db: TestDb) {
    // Ten days up to 2026-01-05: five before the Analytics API's first day.
    let config = FakeConfig {
        orgs: 1,
        days: 10,
        now: "2026-01-05T00:00:00Z".parse().unwrap(),
        ..FakeConfig::default()
    };
    let s = synced_with_kinds(db, config, OrgKinds::none()).await;
    let report = s.ledger.sync(default_history(10)).await.unwrap();
    assert!(report.is_ok(), "{report:#?}");
    let plan = &s.plans[0];
    assert_reason(&s, plan.id, SyncStatus::Ok, "before_2026").await;
    let (from, to) = range(&s, 10);
    let sources = assert_one_source_per_day(&s, plan, from, to).await;
    assert_eq!(
        sources,
        Sources {
            analytics: 4,
            legacy: 6
        }
    );
    assert!(
        !covers(
            &s.ledger,
            plan.id,
            "analytics",
            "2025-12-31".parse().unwrap()
        )
        .await
    );
    assert!(
        covers(
            &s.ledger,
            plan.id,
            "analytics",
            "2026-01-01".parse().unwrap()
        )
        .await
    );
}

async fn a_credential_without_the_analytics_scope_falls_back_to_the_legacy_allocation(db: TestDb) {
    // An OAuth token reaches the legacy reports, never the Analytics API (403).
    let s = crate::oauth_plans::setup(db, Faults::default())
        .await
        .synced;
    let report = s.ledger.sync(default_history(DAYS.into())).await.unwrap();
    assert!(report.is_ok(), "{report:#?}");
    let plan = &s.plans[0];
    assert_reason(&s, plan.id, SyncStatus::Skipped, "missing_scope").await;
    let (from, to) = range(&s, DAYS);
    let sources = assert_one_source_per_day(&s, plan, from, to).await;
    assert_eq!(
        sources,
        Sources {
            analytics: 0,
            legacy: DAYS as usize
        }
    );
}

async fn an_interrupted_analytics_sync_leaves_days_legacy_until_the_next_sync(db: TestDb) {
    // 40 days: the analytics stream reads six ranges (a week each, then 5 days), each
    // committed with its watermark; the child process aborts after the first.
    const LONG: u32 = 40;
    let config = FakeConfig {
        orgs: 1,
        days: LONG,
        ..FakeConfig::default()
    };
    let s = synced_with_kinds(db, config, OrgKinds::none()).await;
    let legacy = s.ledger.sync(all_history(LONG.into())).await.unwrap();
    assert!(legacy.is_ok(), "{legacy:#?}");
    let (from, to) = range(&s, LONG);
    let plan = &s.plans[0];
    let before = assert_one_source_per_day(&s, plan, from, to).await;
    assert_eq!(
        before,
        Sources {
            analytics: 0,
            legacy: LONG as usize
        }
    );
    let status = crate::sync_processes::child_command(&s.db, &s.key, &s.fake, LONG, 1, 1_000)
        .env("CL_CHILD_STREAMS", "analytics")
        .env(costledger::sync::failpoints::ENV, "after_page_commit=1")
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.signal(), Some(6), "the child aborts: {status:?}");
    // The first range's days are stale and billed from analytics once derived (by this
    // report); the others stay on the legacy allocation.
    let partial = assert_one_source_per_day(&s, plan, from, to).await;
    assert_eq!(
        partial,
        Sources {
            analytics: 7,
            legacy: 33
        }
    );
    // Past the dead child's lease, an ordinary sync finishes the range and switches the rest.
    while let Some(lease) = s.ledger.store().lease(plan.id).await.unwrap() {
        if lease.expired_at(Utc::now()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let report = s.ledger.sync(SyncOptions::default()).await.unwrap();
    assert!(report.is_ok(), "{report:#?}");
    let after = assert_one_source_per_day(&s, plan, from, to).await;
    assert_eq!(
        after,
        Sources {
            analytics: LONG as usize,
            legacy: 0
        }
    );
}
