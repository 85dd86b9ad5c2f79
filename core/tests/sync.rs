//! The sync engine against the fake Admin API, on SQLite and Postgres: exact totals, late
//! data, failures mid-way, isolation between plans, leases.

use std::time::Duration;

use crate::common::TestDb;
use crate::common::fake::{FakeConfig, Faults, Synced, all_history, assert_matches_truth, synced};
use chrono::TimeDelta;
use costledger::crypto::credential_aad;
use costledger::{
    BucketWidth, DataRetention, Keyring, PlanStatus, SyncHistoryFilter, SyncOptions, SyncStatus,
    SyncStream,
};

backend_tests!(
    sync_stores_the_exact_truth_and_a_second_sync_changes_nothing,
    late_data_is_caught_by_the_lookback,
    a_permanently_failing_page_resumes_exactly,
    a_revoked_key_fails_only_its_plan,
    faults_on_every_request_kind_still_give_the_truth,
    concurrent_syncs_in_one_process_never_share_a_plan,
    per_plan_sync_touches_only_that_plan,
    a_key_answering_for_another_org_is_an_error,
    daily_width_backfill_and_claude_code,
    invalid_options_are_refused,
    a_reconnected_organisation_is_counted_once,
);

/// The streams whose totals the fake's truth covers.
const TOKENS_AND_COST: &[SyncStream] = &[SyncStream::Metadata, SyncStream::Usage, SyncStream::Cost];

fn fake(days: u32) -> FakeConfig {
    FakeConfig {
        days,
        ..FakeConfig::default()
    }
}

async fn snapshot(s: &Synced) -> Vec<(usize, usize)> {
    let (start, end) = (s.clock.now_minus(400), s.clock.now_plus(1));
    let mut out = Vec::new();
    for plan in &s.plans {
        let store = s.ledger.store();
        let usage = store
            .usage_rows(plan.id, BucketWidth::Hour, start, end)
            .await
            .unwrap();
        let cost = store.cost_rows(plan.id, start, end).await.unwrap();
        out.push((usage.len(), cost.len()));
    }
    out
}

trait ClockExt {
    fn now_minus(&self, days: i64) -> chrono::DateTime<chrono::Utc>;
    fn now_plus(&self, days: i64) -> chrono::DateTime<chrono::Utc>;
}

impl ClockExt for costledger::FixedClock {
    fn now_minus(&self, days: i64) -> chrono::DateTime<chrono::Utc> {
        costledger::Clock::now(self) - TimeDelta::days(days)
    }
    fn now_plus(&self, days: i64) -> chrono::DateTime<chrono::Utc> {
        costledger::Clock::now(self) + TimeDelta::days(days)
    }
}

async fn sync_stores_the_exact_truth_and_a_second_sync_changes_nothing(db: TestDb) {
    let s = synced(db, fake(90)).await;
    let report = s
        .ledger
        .sync(all_history(90).streams(TOKENS_AND_COST))
        .await
        .unwrap();
    assert!(report.is_ok(), "{report:#?}");
    for plan in &report.plans {
        let usage = plan.stream(SyncStream::Usage).unwrap();
        assert_eq!(usage.buckets_written, 90 * 24, "{plan:?}");
        assert!(usage.rows_written > 0 && usage.requests > 0);
        assert_eq!(plan.stream(SyncStream::Cost).unwrap().buckets_written, 90);
    }
    assert_matches_truth(&s).await;
    let before = snapshot(&s).await;
    // A second sync re-fetches only the lookback and changes nothing.
    let again = s
        .ledger
        .sync(all_history(90).streams(TOKENS_AND_COST))
        .await
        .unwrap();
    assert!(again.is_ok());
    let usage = again.plans[0].stream(SyncStream::Usage).unwrap();
    assert_eq!(usage.buckets_written, 2 * 24, "only the 2-day lookback");
    assert_eq!(
        again.plans[0]
            .stream(SyncStream::Cost)
            .unwrap()
            .buckets_written,
        3
    );
    assert_eq!(snapshot(&s).await, before);
    assert_matches_truth(&s).await;
    for plan in s.ledger.list_plans(Default::default()).await.unwrap() {
        assert!(plan.last_synced_at.is_some());
        assert_eq!(plan.last_error, None);
    }
}

async fn late_data_is_caught_by_the_lookback(db: TestDb) {
    let s = synced(db, fake(10)).await;
    // Usage keeps arriving for the last hours while the first sync runs.
    s.fake.set_faults(Faults::none().with_late());
    s.ledger
        .sync(all_history(10).streams(TOKENS_AND_COST))
        .await
        .unwrap();
    s.fake.set_faults(Faults::none());
    s.fake.grow_late_data();
    let truth_before = s.fake.truth();
    s.ledger
        .sync(all_history(10).streams(TOKENS_AND_COST))
        .await
        .unwrap();
    assert_eq!(
        s.fake.truth().orgs[0].usage_totals,
        truth_before.orgs[0].usage_totals
    );
    assert_matches_truth(&s).await;
}

async fn a_permanently_failing_page_resumes_exactly(db: TestDb) {
    let s = synced(db, fake(30)).await;
    // Each key's 4th request onward fails: metadata (3 lists) then the first usage page pass,
    // everything after fails after its retries.
    s.fake.set_faults(Faults::none().with_down_after(5));
    let report = s
        .ledger
        .sync(all_history(30).streams(TOKENS_AND_COST))
        .await
        .unwrap();
    for plan in &report.plans {
        assert_ne!(plan.status, SyncStatus::Ok, "{plan:?}");
        let error = plan.error.as_ref().unwrap();
        assert_eq!(error.code, "UPSTREAM", "{error:?}");
        assert!(error.message.contains("HTTP 500"), "{error:?}");
    }
    let plan = s.ledger.get_plan(s.plans[0].id).await.unwrap();
    assert!(plan.last_error.as_deref().unwrap().contains("HTTP 500"));
    assert_eq!(
        plan.status,
        PlanStatus::Active,
        "a provider outage does not flag the plan"
    );
    s.fake.set_faults(Faults::none());
    let report = s
        .ledger
        .sync(all_history(30).streams(TOKENS_AND_COST))
        .await
        .unwrap();
    assert!(report.is_ok(), "{report:#?}");
    assert_matches_truth(&s).await;
    let history = s
        .ledger
        .sync_history(SyncHistoryFilter::plan(s.plans[0].id))
        .await
        .unwrap();
    assert!(
        history
            .iter()
            .any(|e| e.status == SyncStatus::Error && e.error_code.as_deref() == Some("UPSTREAM"))
    );
    assert_eq!(
        s.ledger.get_plan(s.plans[0].id).await.unwrap().last_error,
        None
    );
}

async fn a_revoked_key_fails_only_its_plan(db: TestDb) {
    let s = synced(db, fake(20)).await;
    let revoked = &s.plans[1];
    s.fake.revoke_key(&s.fake.orgs()[1].admin_key);
    let report = s
        .ledger
        .sync(all_history(20).streams(TOKENS_AND_COST))
        .await
        .unwrap();
    let outcome = report.plan(revoked.id).unwrap();
    assert_eq!(outcome.status, SyncStatus::Error);
    let error = outcome.error.as_ref().unwrap();
    assert_eq!(error.code, "CREDENTIAL_REJECTED");
    assert!(!error.message.contains(&s.fake.orgs()[1].admin_key[20..40]));
    assert_eq!(outcome.streams.len(), 1, "later streams are not attempted");
    for other in [&s.plans[0], &s.plans[2]] {
        assert_eq!(report.plan(other.id).unwrap().status, SyncStatus::Ok);
    }
    let history = s
        .ledger
        .sync_history(SyncHistoryFilter::plan(revoked.id))
        .await
        .unwrap();
    assert_eq!(
        history[0].error_code.as_deref(),
        Some("CREDENTIAL_REJECTED")
    );
    let flagged = s.ledger.get_plan(revoked.id).await.unwrap();
    assert_eq!(flagged.status, PlanStatus::Error);
    // The other two are complete.
    let two = Synced {
        plans: vec![s.plans[0].clone(), s.plans[2].clone()],
        ..s
    };
    assert_matches_truth(&two).await;
    // A plan in error is still synced, and a new key for the org heals it.
    let fresh = two.fake.add_admin_key(two.fake.orgs()[1].id.as_str());
    two.ledger
        .rotate_plan_credential(revoked.id, fresh)
        .await
        .unwrap();
    let healed = two
        .ledger
        .sync(all_history(20).plan(revoked.id).streams(TOKENS_AND_COST))
        .await
        .unwrap();
    assert!(healed.is_ok(), "{healed:#?}");
    assert_eq!(
        two.ledger.get_plan(revoked.id).await.unwrap().status,
        PlanStatus::Active
    );
}

async fn faults_on_every_request_kind_still_give_the_truth(db: TestDb) {
    let s = synced(db, fake(20)).await;
    // Periods chosen so no more than three requests in a row fail (the client retries four times).
    let faults: Faults = "429:5:0.01,500:7,529:11,trunc:13".parse().unwrap();
    s.fake.set_faults(faults);
    let report = s
        .ledger
        .sync(all_history(20).streams(TOKENS_AND_COST))
        .await
        .unwrap();
    assert!(report.is_ok(), "{report:#?}");
    let retries: i64 = report
        .plans
        .iter()
        .flat_map(|p| &p.streams)
        .map(|s| s.retries)
        .sum();
    assert!(retries > 0, "the faults made the client retry");
    assert_matches_truth(&s).await;
}

async fn concurrent_syncs_in_one_process_never_share_a_plan(db: TestDb) {
    let s = synced(db, fake(10)).await;
    s.fake.set_faults(Faults::none().with_slow(30));
    let options = all_history(10).streams(TOKENS_AND_COST);
    let (a, b) = tokio::join!(s.ledger.sync(options.clone()), s.ledger.sync(options));
    let (a, b) = (a.unwrap(), b.unwrap());
    for plan in &s.plans {
        let statuses = [a.plan(plan.id).unwrap(), b.plan(plan.id).unwrap()];
        let ok = statuses
            .iter()
            .filter(|p| p.status == SyncStatus::Ok)
            .count();
        let skipped: Vec<_> = statuses
            .iter()
            .filter(|p| p.status == SyncStatus::Skipped)
            .collect();
        assert_eq!((ok, skipped.len()), (1, 1), "{statuses:#?}");
        assert!(
            skipped[0]
                .skipped_reason
                .as_deref()
                .unwrap()
                .starts_with("locked")
        );
    }
    s.fake.set_faults(Faults::none());
    assert_matches_truth(&s).await;
    // Every lease was released.
    for plan in &s.plans {
        assert!(s.ledger.store().lease(plan.id).await.unwrap().is_none());
    }
    let skipped = s
        .ledger
        .sync_history(SyncHistoryFilter {
            status: Some(SyncStatus::Skipped),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(skipped.len(), 3);
    assert!(skipped.iter().all(|e| e.stream == SyncStream::Plan));
}

async fn per_plan_sync_touches_only_that_plan(db: TestDb) {
    let s = synced(db, fake(10)).await;
    let target = &s.plans[1];
    s.fake.set_faults(Faults::none().with_slow(30));
    let only = s
        .ledger
        .sync(all_history(10).plan(target.id).streams(TOKENS_AND_COST));
    // While it runs, a sync of another plan is not blocked by its lease.
    let other = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        s.ledger
            .sync(
                all_history(10)
                    .plan(s.plans[0].id)
                    .streams(&[SyncStream::Metadata]),
            )
            .await
    };
    let (only, other) = tokio::join!(only, other);
    let (only, other) = (only.unwrap(), other.unwrap());
    assert_eq!(only.plans.len(), 1);
    assert_eq!(only.plans[0].status, SyncStatus::Ok);
    assert_eq!(other.plans[0].status, SyncStatus::Ok, "{other:#?}");
    let store = s.ledger.store();
    let (start, end) = (s.clock.now_minus(30), s.clock.now_plus(1));
    assert!(
        !store
            .usage_rows(target.id, BucketWidth::Hour, start, end)
            .await
            .unwrap()
            .is_empty()
    );
    for plan in [&s.plans[0], &s.plans[2]] {
        assert!(
            store
                .usage_rows(plan.id, BucketWidth::Hour, start, end)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .watermark(plan.id, "usage:1h")
                .await
                .unwrap()
                .is_none()
        );
    }
    assert!(
        s.ledger
            .sync_history(SyncHistoryFilter::plan(s.plans[2].id))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_key_answering_for_another_org_is_an_error(db: TestDb) {
    let s = synced(db, fake(5)).await;
    let (plan, other_key) = (&s.plans[0], s.fake.orgs()[1].admin_key.clone());
    let e = s
        .ledger
        .rotate_plan_credential(plan.id, other_key.clone())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ORG_MISMATCH");
    // A write underneath the ledger (a restored backup, a hand edit) that puts org 2's key,
    // properly sealed, into plan 1: the sync's metadata check catches it.
    let ring = Keyring::new(s.key.clone(), vec![]);
    let sealed = ring
        .seal(other_key.as_bytes(), &credential_aad(plan.id, "admin_key"))
        .unwrap();
    let store = s.ledger.store();
    store
        .replace_credential(plan.id, "admin_key", "x", &sealed, chrono::Utc::now())
        .await
        .unwrap();
    let report = s.ledger.sync(all_history(5).plan(plan.id)).await.unwrap();
    let outcome = &report.plans[0];
    assert_eq!(outcome.status, SyncStatus::Error);
    assert_eq!(outcome.error.as_ref().unwrap().code, "ORG_MISMATCH");
    assert_eq!(outcome.streams.len(), 1);
    assert_eq!(
        s.ledger.get_plan(plan.id).await.unwrap().status,
        PlanStatus::Error
    );
    assert!(
        store.metadata(plan.id).await.unwrap().api_keys.is_empty(),
        "nothing of org 2 stored"
    );
    assert_eq!(
        s.ledger.check_plan(plan.id).await.unwrap_err().code(),
        "ORG_MISMATCH"
    );
}

async fn daily_width_backfill_and_claude_code(db: TestDb) {
    let s = synced(db, fake(20)).await;
    let daily = all_history(20)
        .usage_width(BucketWidth::Day)
        .streams(&[SyncStream::Usage]);
    let report = s.ledger.sync(daily).await.unwrap();
    assert_eq!(
        report.plans[0]
            .stream(SyncStream::Usage)
            .unwrap()
            .buckets_written,
        20
    );
    let store = s.ledger.store();
    let (start, end) = (s.clock.now_minus(20), s.clock.now_plus(0));
    let days = store
        .usage_rows(s.plans[0].id, BucketWidth::Day, start, end)
        .await
        .unwrap();
    let total: i64 = days.iter().map(|r| r.tokens.output).sum();
    let truth = s.fake.truth();
    assert_eq!(
        total as u64,
        truth
            .org(s.plans[0].org_id.as_deref().unwrap())
            .unwrap()
            .usage_totals
            .output_tokens
    );

    // A first sync of 5 days, then a backfill of the 15 before them.
    let recent = all_history(5).streams(TOKENS_AND_COST);
    s.ledger.sync(recent).await.unwrap();
    let mark = store
        .watermark(s.plans[0].id, "usage:1h")
        .await
        .unwrap()
        .unwrap();
    let backfill = SyncOptions::default()
        .streams(TOKENS_AND_COST)
        .backfill(s.clock.now_minus(20), s.clock.now_minus(5));
    let report = s.ledger.sync(backfill).await.unwrap();
    assert_eq!(
        report.plans[0]
            .stream(SyncStream::Usage)
            .unwrap()
            .buckets_written,
        15 * 24
    );
    let after = store
        .watermark(s.plans[0].id, "usage:1h")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        after.watermark, mark.watermark,
        "a backfill never moves the watermark back"
    );
    assert_eq!(after.first_start, s.clock.now_minus(20));
    assert_matches_truth(&s).await;

    let report = s
        .ledger
        .sync(all_history(3).streams(&[SyncStream::ClaudeCode]))
        .await
        .unwrap();
    let cc = report.plans[0].stream(SyncStream::ClaudeCode).unwrap();
    assert_eq!(
        (cc.status, cc.buckets_written),
        (SyncStatus::Ok, 3),
        "{cc:?}"
    );
    let records = store
        .claude_code_records(s.plans[0].id, s.clock.now_minus(3), s.clock.now_plus(0))
        .await
        .unwrap();
    assert_eq!(records.len() as i64, cc.rows_written);
    assert!(records.iter().any(|r| !r.models.is_empty()));
}

async fn invalid_options_are_refused(db: TestDb) {
    let s = synced(db, fake(2)).await;
    let cases = [
        (
            SyncOptions::default().usage_width(BucketWidth::Minute),
            "usage width must be 1h or 1d",
        ),
        (
            SyncOptions::default().concurrency(0),
            "concurrency must be between 1 and 64, got 0",
        ),
        (
            SyncOptions::default().streams(&[]),
            "streams must be a non-empty list",
        ),
        (
            SyncOptions::default().initial_backfill(TimeDelta::days(-1)),
            "between 0 and 3660 days",
        ),
        (
            SyncOptions::default().backfill(s.clock.now_plus(0), s.clock.now_minus(1)),
            "must end after it starts",
        ),
        (
            SyncOptions::default().lease_ttl(Duration::from_millis(10)),
            "at least 1 second",
        ),
    ];
    for (options, message) in cases {
        let e = s.ledger.sync(options).await.unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        assert!(e.to_string().contains(message), "{e}");
    }
    assert_eq!(
        s.ledger
            .sync(SyncOptions::default().plan(999))
            .await
            .unwrap_err()
            .code(),
        "PLAN_NOT_FOUND"
    );
    s.ledger
        .disconnect_plan(s.plans[0].id, DataRetention::Keep)
        .await
        .unwrap();
    let e = s
        .ledger
        .sync(SyncOptions::default().plan(s.plans[0].id))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("is disconnected"), "{e}");
    let e = s
        .ledger
        .sync_history(SyncHistoryFilter {
            limit: 0,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "history limit must be between 1 and 10000, got 0"
    );
}

async fn a_reconnected_organisation_is_counted_once(db: TestDb) {
    let s = synced(db, fake(10)).await;
    let history = all_history(10).streams(TOKENS_AND_COST);
    assert!(s.ledger.sync(history.clone()).await.unwrap().is_ok());
    let first = &s.plans[0];
    s.ledger
        .disconnect_plan(first.id, DataRetention::Keep)
        .await
        .unwrap();
    let admin_key = s.fake.orgs()[0].admin_key.clone();
    let again = s
        .ledger
        .add_plan(costledger::NewPlan::anthropic("Org 1 again", admin_key))
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    let report = s.ledger.sync(history).await.unwrap();
    assert!(report.is_ok(), "{report:#?}");
    assert_eq!(report.plans.len(), 3);
    assert_matches_truth(&s).await;
    // The dashboard over the whole bill shows each organisation's bill once.
    let truth = s.fake.truth();
    let day = |t: &str| chrono::NaiveDate::parse_from_str(&t[..10], "%Y-%m-%d").unwrap();
    let period =
        costledger::Period::dates(day(&truth.cost_starting_at), day(&truth.cost_ending_at))
            .unwrap();
    let dashboard = s
        .ledger
        .dashboard(costledger::DashboardFilter::new(period))
        .await
        .unwrap();
    let bill: u64 = truth.orgs.iter().map(|o| o.cost_total_nanos).sum();
    assert_eq!(dashboard.totals.billed().nanos() as u64, bill);
    assert_eq!(dashboard.per_plan.len(), 3);
    let org1 = truth.org(first.org_id.as_deref().unwrap()).unwrap();
    let line = dashboard
        .per_plan
        .iter()
        .find(|p| p.plan_id == first.id)
        .unwrap();
    assert_eq!(line.label, "Org 1 again");
    assert_eq!(line.cost.billed().nanos() as u64, org1.cost_total_nanos);
}
