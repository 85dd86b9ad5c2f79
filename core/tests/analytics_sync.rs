//! The `analytics` sync stream on SQLite and Postgres: a default sync stores the fake's
//! Analytics API billed cost, per day and key exactly its ground truth (net and list); a
//! second sync (lookback) changes nothing; a HIPAA-ready organisation's stream is skipped
//! with the reason in its sync event while its legacy streams still run.

use chrono::{DateTime, Utc};
use costledger::model::{SyncHistoryFilter, SyncStatus, SyncStream};
use costledger::store::{AnalyticsTotal, AnalyticsTotalsBy};
use fake_admin_api::{FakeConfig, Faults, OrgKinds};

use crate::common::TestDb;
use crate::common::fake::{Synced, all_history, default_history, synced};
use crate::common::snapshot::synced_from_template;

backend_tests!(
    default_sync_stores_the_analytics_truth,
    hipaa_organisation_skips_the_analytics_stream,
    a_failing_analytics_page_keeps_the_ranges_gathered_before_it
);

const DAYS: u32 = 8;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

type Cell = (String, Option<String>, i64, i64);

fn cells(totals: &[AnalyticsTotal]) -> Vec<Cell> {
    totals
        .iter()
        .map(|r| {
            (
                r.day.to_string(),
                r.id.clone(),
                r.net.nanos(),
                r.list.nanos(),
            )
        })
        .collect()
}

/// The stored analytics totals of every plan equal the fake's truth, per day and per key.
async fn assert_stored_equals_truth(s: &Synced, plans: &[usize]) {
    let store = s.db.store().await;
    let truth = s.fake.truth();
    for &i in plans {
        let (credentials, plan) = (&s.fake.orgs()[i], &s.plans[i]);
        let org = truth
            .orgs
            .iter()
            .find(|o| o.org_id == credentials.id)
            .unwrap();
        let (start, end) = (t(&org.analytics.starting_at), t(&org.analytics.ending_at));
        let nonzero = |c: &Cell| c.2 != 0 || c.3 != 0;
        let got = store
            .analytics_cost_totals(plan.id, start, end, AnalyticsTotalsBy::Day)
            .await
            .unwrap();
        let want: Vec<Cell> = org
            .analytics
            .by_day
            .iter()
            .map(|r| {
                let a = &r.amounts;
                (r.day.clone(), None, a.net_nanos as i64, a.list_nanos as i64)
            })
            .filter(nonzero)
            .collect();
        assert!(!want.is_empty(), "the fake bills org {i}");
        assert_eq!(cells(&got), want, "org {i} per day");
        let got = store
            .analytics_cost_totals(plan.id, start, end, AnalyticsTotalsBy::ApiKey)
            .await
            .unwrap();
        let mut want: Vec<Cell> = org
            .analytics
            .by_api_key
            .iter()
            .map(|r| {
                let a = &r.amounts;
                let key = r.api_key_id.clone();
                (r.day.clone(), key, a.net_nanos as i64, a.list_nanos as i64)
            })
            .filter(nonzero)
            .collect();
        want.sort();
        assert_eq!(cells(&got), want, "org {i} per key");
    }
}

async fn default_sync_stores_the_analytics_truth(db: TestDb) {
    let config = FakeConfig {
        orgs: 2,
        days: DAYS,
        ..FakeConfig::default()
    };
    // The same sync as analytics_basis's: one template for both.
    let (s, report) =
        synced_from_template(db, config, OrgKinds::none(), default_history(DAYS.into())).await;
    for plan in &report.plans {
        assert_eq!(plan.status, SyncStatus::Ok, "{plan:?}");
        let analytics = plan
            .streams
            .iter()
            .find(|r| r.stream == SyncStream::Analytics)
            .expect("the analytics stream runs by default");
        assert_eq!(analytics.status, SyncStatus::Ok);
        assert!(analytics.rows_written > 0 && analytics.requests > 0);
    }
    assert_stored_equals_truth(&s, &[0, 1]).await;
    // Again: the lookback re-reads the recent days and replaces them, nothing changes.
    let report = s.ledger.sync(default_history(DAYS.into())).await.unwrap();
    assert!(report.plans.iter().all(|p| p.status == SyncStatus::Ok));
    assert_stored_equals_truth(&s, &[0, 1]).await;

    // With the legacy streams asked for, it does not run.
    let legacy = all_history(DAYS.into());
    let report = s.ledger.sync(legacy).await.unwrap();
    assert!(
        report
            .plans
            .iter()
            .all(|p| p.streams.iter().all(|r| r.stream != SyncStream::Analytics))
    );
}

async fn hipaa_organisation_skips_the_analytics_stream(db: TestDb) {
    let config = FakeConfig {
        orgs: 2,
        days: DAYS,
        ..FakeConfig::default()
    };
    // The same sync as analytics_basis's: one template for both.
    let (s, report) = synced_from_template(
        db,
        config,
        OrgKinds::none().with_hipaa(1),
        default_history(DAYS.into()),
    )
    .await;
    let hipaa = &report
        .plans
        .iter()
        .find(|p| p.plan_id == s.plans[1].id)
        .unwrap();
    // Skipping is not a failure: the plan synced.
    assert_eq!(hipaa.status, SyncStatus::Ok, "{hipaa:?}");
    for r in &hipaa.streams {
        let want = match r.stream {
            SyncStream::Analytics => SyncStatus::Skipped,
            _ => SyncStatus::Ok,
        };
        assert_eq!(r.status, want, "{r:?}");
    }
    let events = s
        .ledger
        .sync_history(SyncHistoryFilter {
            plan_id: Some(s.plans[1].id),
            stream: Some(SyncStream::Analytics),
            status: None,
            before_id: None,
            limit: 10,
        })
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].status, SyncStatus::Skipped);
    let message = events[0].error_message.as_deref().unwrap();
    assert!(message.contains("HIPAA"), "{message}");
    // The legacy streams stored the HIPAA org's cost; the other org has its analytics rows.
    let store = s.db.store().await;
    let (start, end) = (
        s.fake.now() - chrono::TimeDelta::days(DAYS.into()),
        s.fake.now(),
    );
    let none = store
        .analytics_cost_totals(s.plans[1].id, start, end, AnalyticsTotalsBy::Day)
        .await
        .unwrap();
    assert!(none.is_empty());
    assert_stored_equals_truth(&s, &[0]).await;
}

async fn a_failing_analytics_page_keeps_the_ranges_gathered_before_it(db: TestDb) {
    // 40 days of one organisation: the stream reads a week per range, a few pages each, and
    // fetches the next week while the one before is written. Every request after the
    // eighth fails for good, after the first week's pages.
    const LONG: u32 = 40;
    let config = FakeConfig {
        orgs: 1,
        days: LONG,
        ..FakeConfig::default()
    };
    let s = synced(db, config).await;
    let analytics = || default_history(LONG.into()).streams(&[SyncStream::Analytics]);
    s.fake.set_faults(Faults::none().with_down_after(8));
    let report = s.ledger.sync(analytics()).await.unwrap();
    let stream = report.plans[0]
        .streams
        .iter()
        .find(|r| r.stream == SyncStream::Analytics)
        .unwrap();
    assert_eq!(stream.status, SyncStatus::Error, "{stream:?}");
    assert_eq!(
        stream.error.as_ref().unwrap().code,
        "UPSTREAM",
        "{stream:?}"
    );
    // What was gathered before the failure is written, up to a range's end, and no further.
    let store = s.db.store().await;
    let mark = store
        .watermark(s.plans[0].id, "analytics")
        .await
        .unwrap()
        .expect("the ranges before the failing page are written");
    let past_a_range = (mark.watermark - mark.first_start).num_seconds() % (7 * 86_400);
    assert!(mark.watermark > mark.first_start, "{mark:?}");
    assert_eq!(past_a_range, 0, "the watermark ends a range: {mark:?}");
    assert!(stream.rows_written > 0, "{stream:?}");
    // Nothing is left half written: the next sync finishes the rest exactly.
    s.fake.set_faults(Faults::none());
    let report = s.ledger.sync(analytics()).await.unwrap();
    assert!(report.is_ok(), "{report:#?}");
    assert_stored_equals_truth(&s, &[0]).await;
}
