//! A ledger with a Claude Code logs plan on a test database, and its totals read back both
//! from the usage table and from the daily report.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use costledger::source::claude_code_logs::LogReportOptions;
use costledger::{
    BucketWidth, FixedClock, Ledger, LedgerConfig, MasterKey, NewPlan, Plan, StreamReport,
    SyncOptions, SyncStatus, SyncStream,
};

use super::corpus::{Tokens, Totals};
use crate::common::TestDb;

/// A ledger on `db` whose clock reads `now`.
pub async fn open_at(db: &TestDb, now: DateTime<Utc>) -> Ledger {
    let mut config = LedgerConfig::new(db.url.clone())
        .master_key(MasterKey::generate().to_base64().to_string())
        .clock(Arc::new(FixedClock::new(now)))
        .without_env();
    if let Some(schema) = &db.schema {
        config = config.postgres_schema(schema.clone());
    }
    Ledger::open(config).await.expect("ledger opens")
}

/// A ledger on `db`.
pub async fn open(db: &TestDb) -> Ledger {
    open_at(db, Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap()).await
}

/// A logs plan reading `dirs`.
pub async fn logs_plan(ledger: &Ledger, dirs: &[&Path]) -> Plan {
    let dirs = dirs.iter().map(|d| d.display().to_string()).collect();
    ledger
        .add_plan(NewPlan::claude_code_logs("Claude Max", dirs))
        .await
        .expect("plan added")
}

/// Sync the plan; returns its usage stream's report (which must not be an error).
pub async fn sync(ledger: &Ledger, plan: &Plan) -> StreamReport {
    let report = ledger
        .sync(SyncOptions::default().plan(plan.id))
        .await
        .expect("sync runs");
    let plan_report = report.plan(plan.id).expect("plan reported");
    let stream = plan_report
        .stream(SyncStream::Usage)
        .expect("a usage stream")
        .clone();
    assert_ne!(stream.status, SyncStatus::Error, "{stream:?}");
    stream
}

fn tokens(t: &costledger::TokenCounts) -> Tokens {
    Tokens {
        input: t.uncached_input,
        output: t.output,
        cache_creation: t.cache_write_5m + t.cache_write_1h,
        cache_read: t.cache_read,
    }
}

/// The plan's totals per day and model from the usage table, checked against the daily
/// report (entries counted per day and model are returned beside them).
pub async fn stored_totals(ledger: &Ledger, plan: &Plan) -> (Totals, Vec<(String, String, i64)>) {
    let (from, to) = (
        Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap(),
    );
    let mut usage = Totals::new();
    for row in ledger
        .store()
        .usage_rows(plan.id, BucketWidth::Hour, from, to)
        .await
        .unwrap()
    {
        assert_eq!(
            (row.api_key_id.as_deref(), row.workspace_id.as_deref()),
            (None, None)
        );
        assert_eq!(row.service_tier.as_deref(), Some("standard"));
        assert_eq!(row.context_window.as_deref(), Some("0-200k"));
        let day = row.bucket_start.format("%Y-%m-%d").to_string();
        usage
            .entry((day, row.model.unwrap()))
            .or_default()
            .add(&tokens(&row.tokens));
    }
    let mut report = Totals::new();
    let mut entries = Vec::new();
    for day in ledger
        .claude_code_logs_daily(plan.id, &LogReportOptions::default())
        .await
        .unwrap()
    {
        for m in &day.usage.models {
            report
                .entry((day.period.clone(), m.model.clone()))
                .or_default()
                .add(&tokens(&m.tokens));
            entries.push((day.period.clone(), m.model.clone(), m.entries));
        }
    }
    report.retain(|_, t| *t != Tokens::default());
    assert_eq!(
        usage, report,
        "the usage table and the daily report disagree"
    );
    (usage, entries)
}

/// A database of the same backend as `db`, empty.
pub async fn another_db(db: &TestDb) -> TestDb {
    if db.is_postgres() {
        TestDb::postgres().await.expect("postgres")
    } else {
        TestDb::sqlite().await
    }
}

/// The totals of one full scan of `dirs` into a new database of the same backend.
pub async fn fresh_totals(db: &TestDb, dirs: &[&Path]) -> (Totals, Vec<(String, String, i64)>) {
    let fresh = another_db(db).await;
    let ledger = open(&fresh).await;
    let plan = logs_plan(&ledger, dirs).await;
    sync(&ledger, &plan).await;
    stored_totals(&ledger, &plan).await
}
