//! The rollups reports read (monthly per dimension, daily per workspace) agree exactly with the
//! facts they sum, after a sync and after a rebuild; and reports that read a month with its
//! outside hours subtracted equal the hourly facts. On SQLite and Postgres.

use std::collections::BTreeMap;

use crate::common::TestDb;
use crate::common::fake::all_history;
use crate::common::snapshot;
use chrono::NaiveDate;
use costledger::store::{Grain, Piece, SeriesOf, Store, SumOver};
use costledger::{DashboardFilter, Money, Period};

backend_tests!(
    rollups_match_the_facts_after_sync_and_rebuild,
    periods_read_with_subtraction_equal_the_hourly_facts,
    user_costs_per_local_day_with_a_handover_equal_the_hourly_facts,
);

fn ts(y: i32, m: u32, d: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

/// Months of the fake's 90 days (2026-08-22 to 2026-11-20).
const MONTHS: [(i32, u32); 4] = [(2026, 8), (2026, 9), (2026, 10), (2026, 11)];

async fn assert_rollups_match(store: &dyn Store, plan_ids: &[i64]) {
    for (y, m) in MONTHS {
        let (from, to) = (
            ts(y, m, 1),
            if m == 12 {
                ts(y + 1, 1, 1)
            } else {
                ts(y, m + 1, 1)
            },
        );
        let key = |plan, dim, basis: costledger::Basis| (plan, dim, basis.to_string());
        let mut monthly: BTreeMap<_, Money> = BTreeMap::new();
        let month = [Piece {
            grain: Grain::Month,
            from,
            to,
            minus: false,
        }];
        for s in store
            .sum_costs(plan_ids, SumOver::Pieces(&month), None)
            .await
            .unwrap()
        {
            *monthly
                .entry(key(s.plan_id, s.dim_id, s.basis))
                .or_default() += s.amount;
        }
        let mut daily: BTreeMap<_, Money> = BTreeMap::new();
        for s in store
            .sum_costs(plan_ids, SumOver::Total(Grain::Day, from, to), None)
            .await
            .unwrap()
        {
            *daily.entry(key(s.plan_id, s.dim_id, s.basis)).or_default() += s.amount;
        }
        assert!(!daily.is_empty(), "{y}-{m} has facts");
        assert_eq!(monthly, daily, "cost of {y}-{m}");
        let usage = |rows: Vec<(i64, i64, costledger::TokenCounts)>| {
            rows.into_iter()
                .map(|(p, d, t)| ((p, d), t))
                .collect::<BTreeMap<_, _>>()
        };
        assert_eq!(
            usage(
                store
                    .sum_usage(plan_ids, SumOver::Pieces(&month))
                    .await
                    .unwrap()
            ),
            usage(
                store
                    .sum_usage(plan_ids, SumOver::Total(Grain::Day, from, to))
                    .await
                    .unwrap()
            ),
            "usage of {y}-{m}"
        );
        let per_day = |rows: Vec<(i64, costledger::Basis, Money)>| {
            let mut out: BTreeMap<(i64, String), Money> = BTreeMap::new();
            for (at, basis, amount) in rows {
                *out.entry((at - at % 86_400, basis.to_string()))
                    .or_default() += amount;
            }
            out
        };
        for ws in [None, Some("")] {
            assert_eq!(
                per_day(
                    store
                        .cost_series(
                            plan_ids,
                            SumOver::Each(Grain::Day, from, to),
                            SeriesOf::Workspace(ws),
                        )
                        .await
                        .unwrap()
                ),
                per_day(
                    store
                        .cost_series(
                            plan_ids,
                            SumOver::Each(Grain::Hour, from, to),
                            SeriesOf::Workspace(ws),
                        )
                        .await
                        .unwrap()
                ),
                "series of {y}-{m}, workspace {ws:?}"
            );
        }
    }
}

async fn rollups_match_the_facts_after_sync_and_rebuild(db: TestDb) {
    let s = snapshot::synced_90(db).await.0;
    let ids: Vec<i64> = s.plans.iter().map(|p| p.id).collect();
    let store = s.ledger.store().as_ref();
    assert_rollups_match(store, &ids).await;
    // A rebuild of a few days in the middle of a month, and of a month's last day, leaves the
    // months equal to their days.
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    s.ledger
        .rebuild_cost_facts(ids[0], day(10, 10), day(10, 13))
        .await
        .unwrap();
    s.ledger
        .rebuild_cost_facts(ids[1], day(9, 30), day(10, 2))
        .await
        .unwrap();
    assert_rollups_match(store, &ids).await;
    // A second sync re-materialises its recent days.
    let again = s.ledger.sync(all_history(90)).await.unwrap();
    assert!(again.is_ok());
    assert!(again.plans.iter().all(|p| {
        p.stream(costledger::SyncStream::Allocation)
            .is_some_and(|a| a.buckets_written > 0)
    }));
    assert_rollups_match(store, &ids).await;
}

async fn periods_read_with_subtraction_equal_the_hourly_facts(db: TestDb) {
    let s = snapshot::synced_90(db).await.0;
    let ids: Vec<i64> = s.plans.iter().map(|p| p.id).collect();
    let store = s.ledger.store();
    for text in [
        // Most of a month: read as the month minus its first days and last hours.
        "2026-10-03..2026-11-01",
        "2026-09 America/Los_Angeles",
        "2026-10 Asia/Tokyo",
        "2026-08-22..2026-11-20 Europe/Paris",
        "2026-11-01 America/Los_Angeles",
    ] {
        let period: Period = text.parse().unwrap();
        let d = s
            .ledger
            .dashboard(DashboardFilter::new(period))
            .await
            .unwrap();
        let (from, to) = (
            period.start_instant().timestamp(),
            period.end_instant().timestamp(),
        );
        let hourly: Money = store
            .cost_series(
                &ids,
                SumOver::Each(Grain::Hour, from, to),
                SeriesOf::Dims(None),
            )
            .await
            .unwrap()
            .into_iter()
            .map(|(_, _, m)| m)
            .sum();
        assert_eq!(d.totals.usage(), hourly, "{text}");
        assert!(
            d.per_model.iter().all(|m| !m.cost.is_zero()),
            "no empty lines from subtracted parts: {text}"
        );
        let by_model: Money = d.per_model.iter().map(|m| m.cost.usage()).sum();
        assert_eq!(by_model, hourly, "{text}");
        let tokens: i64 = d
            .per_model
            .iter()
            .map(|m| m.tokens.total_input() + m.tokens.output)
            .sum();
        let usage: i64 = store
            .sum_usage(&ids, SumOver::Total(Grain::Hour, from, to))
            .await
            .unwrap()
            .iter()
            .map(|(_, _, t)| t.total_input() + t.output)
            .sum();
        assert_eq!(tokens, usage, "tokens of {text}");
    }
}

async fn user_costs_per_local_day_with_a_handover_equal_the_hourly_facts(db: TestDb) {
    use costledger::{NewKeyMapping, NewSubject};
    let s = snapshot::synced_90(db).await.0;
    let plan = s.plans[0].id;
    let store = s.ledger.store();
    let dims = store.dims(&[plan]).await.unwrap();
    // The key with the most dimensions, handed over at 09:30 on October 15th (an hour is
    // whoever held the key at its start, so 09:00 is still the first holder's).
    let mut per_key: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for d in &dims {
        if let Some(k) = &d.api_key_id {
            per_key.entry(k.clone()).or_default().push(d.id);
        }
    }
    let (key, key_dims) = per_key.into_iter().max_by_key(|(_, d)| d.len()).unwrap();
    for id in ["first", "second"] {
        s.ledger.upsert_subject(NewSubject::new(id)).await.unwrap();
    }
    let handover = chrono::DateTime::parse_from_rfc3339("2026-10-15T09:30:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    s.ledger
        .map_key(NewKeyMapping::new(plan, key.clone(), "first"))
        .await
        .unwrap();
    s.ledger
        .map_key(NewKeyMapping::new(plan, key.clone(), "second").from(handover))
        .await
        .unwrap();
    for text in [
        "2026-10 America/Los_Angeles",
        "2026-10",
        "2026-10-15 Asia/Kolkata",
    ] {
        let period: Period = text.parse().unwrap();
        let first = s.ledger.user_costs("first", period).await.unwrap();
        let second = s.ledger.user_costs("second", period).await.unwrap();
        // Expected, hour by hour from the facts: the date of each hour's start in the zone,
        // the holder at its start.
        let start = period.start_instant().timestamp() / 3600 * 3600;
        let end = period.end_instant().timestamp() / 3600 * 3600;
        let mut expected: BTreeMap<(&str, NaiveDate), Money> = BTreeMap::new();
        for f in store
            .sum_costs(
                &[plan],
                SumOver::Each(Grain::Hour, start, end),
                Some(&key_dims),
            )
            .await
            .unwrap()
        {
            let at = f.at.unwrap();
            let holder = if at < handover.timestamp() / 3600 * 3600 + 3600 {
                "first"
            } else {
                "second"
            };
            let date = period.local_date(chrono::DateTime::from_timestamp(at, 0).unwrap());
            *expected.entry((holder, date)).or_default() += f.amount;
        }
        for (holder, costs) in [("first", &first), ("second", &second)] {
            let total: Money = expected
                .iter()
                .filter(|((h, _), _)| *h == holder)
                .map(|(_, m)| *m)
                .sum();
            assert_eq!(costs.total.usage(), total, "{holder} in {text}");
            for day in &costs.per_day {
                let want = expected
                    .get(&(holder, day.date))
                    .copied()
                    .unwrap_or_default();
                assert_eq!(day.cost.usage(), want, "{holder} on {} in {text}", day.date);
            }
        }
        assert!(first.total.usage() > Money::ZERO, "{text}");
    }
}
