//! The stale-day record of both store backends: every raw write marks its days in the same
//! transaction, a derivation clears only the mark it read, and a purge leaves nothing.

use chrono::{DateTime, Duration, TimeZone, Utc};
use costledger::model::PlanSettings;
use costledger::store::{DayFacts, Fact, NewPlanRecord, StaleDay, Store, WatermarkAdvance};
use costledger::{
    Basis, BucketWidth, CostPage, CostRow, Money, Provider, TokenCounts, UsagePage, UsageRow,
};

use crate::common::TestDb;

backend_tests!(
    raw_writes_mark_their_days_stale,
    a_cost_watermark_move_marks_the_days_it_bills,
    a_derivation_racing_a_write_leaves_the_new_mark,
    a_purge_leaves_no_raw_derived_or_stale_row,
    an_upgraded_ledger_marks_the_days_it_never_derived,
    analytics_rows_of_the_first_table_go_back_to_the_legacy_reports,
);

fn t(hour: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + Duration::hours(hour)
}

fn day(n: i64) -> i64 {
    t(24 * n).timestamp()
}

async fn new_plan(store: &dyn Store, label: &str) -> i64 {
    let record = NewPlanRecord {
        provider: Provider::Anthropic,
        label: label.to_string(),
        key_hint: None,
        org_id: Some(format!("org-{label}")),
        org_name: Some(label.to_string()),
        settings: PlanSettings::default(),
        subscription: None,
        now: t(0),
        reach: None,
    };
    store.insert_plan(&record, None).await.unwrap().id
}

fn usage(from: i64, to: i64, input: i64) -> UsagePage {
    UsagePage {
        width: BucketWidth::Hour,
        starting_at: t(from),
        ending_at: t(to),
        units: Vec::new(),
        rows: vec![UsageRow {
            bucket_start: t(from),
            api_key_id: Some("apikey_1".into()),
            workspace_id: None,
            model: Some("claude-sonnet-4-5".into()),
            service_tier: Some("standard".into()),
            context_window: Some("0-200k".into()),
            inference_geo: None,
            actor_id: None,
            tokens: TokenCounts {
                uncached_input: input,
                ..TokenCounts::default()
            },
        }],
        stats: Default::default(),
    }
}

fn costs(from_day: i64, to_day: i64) -> CostPage {
    CostPage {
        starting_at: t(24 * from_day),
        ending_at: t(24 * to_day),
        rows: vec![CostRow {
            bucket_start: t(24 * from_day),
            workspace_id: None,
            api_key_id: None,
            cost_type: Some("tokens".into()),
            model: Some("claude-sonnet-4-5".into()),
            service_tier: Some("standard".into()),
            context_window: Some("0-200k".into()),
            token_type: Some("uncached_input_tokens".into()),
            inference_geo: None,
            description: Some("Claude Sonnet 4.5 input".into()),
            amount: Money::parse_dollars("1.25").unwrap(),
        }],
        stats: Default::default(),
    }
}

async fn stale(store: &dyn Store, plan: i64) -> Vec<StaleDay> {
    store.stale_days(&[plan], None, None, 1_000).await.unwrap()
}

fn days_of(marks: &[StaleDay]) -> Vec<i64> {
    marks.iter().map(|m| m.day).collect()
}

async fn raw_writes_mark_their_days_stale(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "a").await;
    let other = new_plan(store.as_ref(), "b").await;
    assert!(stale(store.as_ref(), plan).await.is_empty());
    // Hours 20 to 30 touch the 1st and the 2nd of November.
    store
        .replace_usage_page(plan, &usage(20, 30, 5), None)
        .await
        .unwrap();
    let first = stale(store.as_ref(), plan).await;
    assert_eq!(days_of(&first), [day(0), day(1)]);
    assert_eq!(first[0].generation, first[1].generation);
    // Writing the 2nd again renews its mark with a later generation.
    store
        .replace_usage_page(plan, &usage(24, 48, 6), None)
        .await
        .unwrap();
    let second = stale(store.as_ref(), plan).await;
    assert_eq!(second[0], first[0]);
    assert!(second[1].generation > first[1].generation);
    // A cost page marks its days; another plan is untouched; ranges and cursors filter.
    store
        .replace_cost_page(plan, &costs(3, 5), None)
        .await
        .unwrap();
    assert_eq!(
        days_of(&stale(store.as_ref(), plan).await),
        [day(0), day(1), day(3), day(4)]
    );
    assert!(stale(store.as_ref(), other).await.is_empty());
    let ranged = store
        .stale_days(&[plan, other], Some((day(1), day(4))), None, 10)
        .await
        .unwrap();
    assert_eq!(days_of(&ranged), [day(1), day(3)]);
    let after = store
        .stale_days(&[plan], None, Some((plan, day(1))), 1)
        .await
        .unwrap();
    assert_eq!(days_of(&after), [day(3)]);
    // An explicit mark (rebuild, verify --repair) covers whole days.
    store
        .mark_stale(other, day(7) + 5, day(8) + 1)
        .await
        .unwrap();
    assert_eq!(
        days_of(&stale(store.as_ref(), other).await),
        [day(7), day(8)]
    );
}

async fn a_cost_watermark_move_marks_the_days_it_bills(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "a").await;
    let advance = |first: i64, mark: i64| WatermarkAdvance {
        stream: "cost".into(),
        watermark: t(24 * mark),
        first_start: t(24 * first),
        at: t(0),
    };
    // The first cost page of a history that starts on the 1st bills the 1st to the 3rd,
    // although the page itself holds only the 3rd.
    store
        .replace_cost_page(plan, &costs(2, 3), Some(&advance(0, 3)))
        .await
        .unwrap();
    assert_eq!(
        days_of(&stale(store.as_ref(), plan).await),
        [day(0), day(1), day(2)]
    );
    db.exec(&[&format!(
        "DELETE FROM costledger_stale_days WHERE plan_id = {plan}"
    )])
    .await;
    // A backfill reaching back two more days bills them too, and a page further on bills
    // the days up to its end.
    store
        .replace_cost_page(plan, &costs(6, 7), Some(&advance(-2, 7)))
        .await
        .unwrap();
    assert_eq!(
        days_of(&stale(store.as_ref(), plan).await),
        [day(-2), day(-1), day(3), day(4), day(5), day(6)]
    );
}

async fn a_derivation_racing_a_write_leaves_the_new_mark(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "a").await;
    store
        .replace_usage_page(plan, &usage(0, 24, 5), None)
        .await
        .unwrap();
    let read = stale(store.as_ref(), plan).await[0];
    let dim = store.dims(&[plan]).await.unwrap()[0].id;
    let facts = |nanos: i64| DayFacts {
        day: day(0),
        facts: vec![Fact {
            hour: day(0),
            dim_id: dim,
            basis: Basis::Estimated,
            amount: Money::from_nanos(nanos),
        }],
        daily: vec![(dim, Basis::Estimated, Money::from_nanos(nanos))],
        ..DayFacts::default()
    };
    // A page lands between the derivation's read of the mark and its write.
    store
        .replace_usage_page(plan, &usage(0, 24, 9), None)
        .await
        .unwrap();
    let renewed = stale(store.as_ref(), plan).await[0];
    assert!(renewed.generation > read.generation);
    assert!(
        !store
            .replace_day_facts(plan, &facts(111), read.generation)
            .await
            .unwrap(),
        "facts computed before the write must not be stored"
    );
    assert_eq!(stale(store.as_ref(), plan).await, [renewed]);
    assert!(
        store
            .stored_day_facts(plan, day(0))
            .await
            .unwrap()
            .facts
            .is_empty()
    );
    // The derivation that read the new mark stores its facts and clears it, once.
    assert!(
        store
            .replace_day_facts(plan, &facts(222), renewed.generation)
            .await
            .unwrap()
    );
    assert!(stale(store.as_ref(), plan).await.is_empty());
    assert!(
        !store
            .replace_day_facts(plan, &facts(333), renewed.generation)
            .await
            .unwrap()
    );
    let stored = store.stored_day_facts(plan, day(0)).await.unwrap();
    assert_eq!(stored.facts, facts(222).facts);
    let month = store.month_rollups(plan, day(0)).await.unwrap();
    assert_eq!(month.cost, month.cost_from_days);
    assert_eq!(month.cost, facts(222).daily);
}

async fn a_purge_leaves_no_raw_derived_or_stale_row(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "a").await;
    store
        .replace_usage_page(plan, &usage(0, 24, 5), None)
        .await
        .unwrap();
    store
        .replace_cost_page(plan, &costs(0, 1), None)
        .await
        .unwrap();
    store
        .replace_usage_page(plan, &usage(24, 48, 5), None)
        .await
        .unwrap();
    let marks = stale(store.as_ref(), plan).await;
    let dim = store.dims(&[plan]).await.unwrap()[0].id;
    let facts = DayFacts {
        day: day(0),
        facts: vec![Fact {
            hour: day(0),
            dim_id: dim,
            basis: Basis::Allocated,
            amount: Money::from_nanos(7),
        }],
        daily: vec![(dim, Basis::Allocated, Money::from_nanos(7))],
        hourly_ws: vec![(
            day(0),
            String::new(),
            Basis::Allocated,
            Money::from_nanos(7),
        )],
        daily_ws: vec![(String::new(), Basis::Allocated, Money::from_nanos(7))],
        usage: vec![(dim, TokenCounts::default())],
        unpriced: Vec::new(),
    };
    assert!(
        store
            .replace_day_facts(plan, &facts, marks[0].generation)
            .await
            .unwrap()
    );
    store.disconnect_plan(plan, true, t(50)).await.unwrap();
    for table in [
        "costledger_usage",
        "costledger_costs",
        "costledger_cost_facts",
        "costledger_cost_daily",
        "costledger_cost_hourly_ws",
        "costledger_cost_daily_ws",
        "costledger_cost_monthly",
        "costledger_usage_daily",
        "costledger_usage_monthly",
        "costledger_stale_days",
    ] {
        let count = db
            .rows(&format!(
                "SELECT COUNT(*) FROM {table} WHERE plan_id = {plan}"
            ))
            .await;
        assert_eq!(count, [[Some(0)]], "{table} after a purge");
    }
}

async fn an_upgraded_ledger_marks_the_days_it_never_derived(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "a").await;
    // The 1st was derived; the 2nd and the 4th were committed and never derived, as by a
    // first sync interrupted before its allocation.
    store
        .replace_usage_page(plan, &usage(0, 24, 5), None)
        .await
        .unwrap();
    store
        .replace_usage_page(plan, &usage(24, 48, 5), None)
        .await
        .unwrap();
    store
        .replace_cost_page(plan, &costs(3, 4), None)
        .await
        .unwrap();
    let first = stale(store.as_ref(), plan).await[0];
    let dim = store.dims(&[plan]).await.unwrap()[0].id;
    let derived = DayFacts {
        day: day(0),
        usage: vec![(dim, TokenCounts::default())],
        ..DayFacts::default()
    };
    assert!(
        store
            .replace_day_facts(plan, &derived, first.generation)
            .await
            .unwrap()
    );
    store.close().await;
    // The ledger as it was before the stale-day record existed.
    let drop_generation = if db.is_postgres() {
        "DROP SEQUENCE costledger_stale_generation"
    } else {
        "DROP TABLE costledger_stale_generation"
    };
    db.exec(&[
        "DROP TABLE costledger_stale_days",
        drop_generation,
        "DELETE FROM costledger_migrations WHERE version = 20261206000008",
    ])
    .await;
    let upgraded = db.store().await;
    assert_eq!(
        days_of(&stale(upgraded.as_ref(), plan).await),
        [day(1), day(3)]
    );
    // Generation 0: below every generation a write draws, so only a derivation that read the
    // migration's mark clears it.
    let marks = stale(upgraded.as_ref(), plan).await;
    assert!(marks.iter().all(|m| m.generation == 0), "{marks:?}");
}

async fn analytics_rows_of_the_first_table_go_back_to_the_legacy_reports(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "a").await;
    let other = new_plan(store.as_ref(), "b").await;
    store.close().await;
    // The ledger as it was before analytics records: one SQL row per cost row, and an
    // analytics watermark covering the 1st (from 06:00) to the 3rd (until 12:00).
    let old_table = "CREATE TABLE costledger_analytics_costs (plan_id BIGINT, bucket_start BIGINT)";
    let watermark = format!(
        "INSERT INTO costledger_sync_state (plan_id, stream, watermark, first_start, updated_at) \
         VALUES ({plan}, 'analytics', {}, {}, 0), ({plan}, 'usage', {}, {}, 0)",
        t(2 * 24 + 12).timestamp(),
        t(6).timestamp(),
        t(4 * 24).timestamp(),
        t(0).timestamp(),
    );
    let row = format!(
        "INSERT INTO costledger_analytics_costs VALUES ({plan}, {})",
        t(7).timestamp()
    );
    db.exec(&[
        "DROP TABLE costledger_analytics_hours",
        old_table,
        &row,
        &watermark,
        "DELETE FROM costledger_stale_days",
        "DELETE FROM costledger_migrations WHERE version = 20261207000023",
    ])
    .await;
    let upgraded = db.store().await;
    // The days the watermark covered are derived again, from the legacy reports, until a
    // sync reads them from the Analytics API again.
    assert_eq!(
        days_of(&stale(upgraded.as_ref(), plan).await),
        [day(0), day(1), day(2)]
    );
    assert!(stale(upgraded.as_ref(), other).await.is_empty());
    let marks = db
        .rows("SELECT COUNT(*) FROM costledger_sync_state WHERE stream = 'analytics'")
        .await;
    assert_eq!(marks, [[Some(0)]]);
    let kept = db
        .rows("SELECT COUNT(*) FROM costledger_sync_state WHERE stream = 'usage'")
        .await;
    assert_eq!(kept, [[Some(1)]]);
    let records = db
        .rows("SELECT COUNT(*) FROM costledger_analytics_hours")
        .await;
    assert_eq!(records, [[Some(0)]]);
}
