//! Store-only benchmark: the sync's page write (`replace_usage_page`: resolve dimensions,
//! delete the page's range, insert, advance the watermark, one transaction) against a bare
//! sqlx bulk insert of the same rows into a table of the same shape.
//!
//! ```sh
//! cargo bench -p costledger-benches --bench page_write
//! COSTLEDGER_BENCH_DATABASE_URL=postgres://… cargo bench -p costledger-benches --bench page_write
//! ```
//! One page is a week of hourly buckets with 30 dimension combinations each (5 040 rows).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, TimeZone, Utc};
use costledger::model::PlanSettings;
use costledger::store::{NewPlanRecord, Store, StoreOptions, WatermarkAdvance, open_store};
use costledger::{BucketWidth, Provider, TokenCounts, UsagePage, UsageRow};
use criterion::{Criterion, criterion_group, criterion_main};
use sqlx::QueryBuilder;

const BUCKETS: i64 = 168;
const COMBOS: usize = 30;

fn page() -> UsagePage {
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let mut rows = Vec::new();
    for h in 0..BUCKETS {
        for c in 0..COMBOS {
            rows.push(UsageRow {
                bucket_start: start + TimeDelta::hours(h),
                api_key_id: Some(format!("apikey_01BenchKey{:04}", c % 12)),
                workspace_id: Some(format!("wrkspc_01BenchWs{}", c % 4)),
                model: Some(
                    [
                        "claude-sonnet-4-5-20250929",
                        "claude-opus-4-6",
                        "claude-haiku-4-5-20251001",
                    ][c % 3]
                        .into(),
                ),
                service_tier: Some(["standard", "batch"][c % 2].into()),
                context_window: Some("0-200k".into()),
                inference_geo: None,
                actor_id: None,
                tokens: TokenCounts {
                    uncached_input: 1000 + h,
                    cache_write_5m: 200,
                    cache_write_1h: 100,
                    cache_read: 5000,
                    output: 700 + c as i64,
                    web_search_requests: (c % 5) as i64,
                },
            });
        }
    }
    UsagePage {
        width: BucketWidth::Hour,
        starting_at: start,
        ending_at: start + TimeDelta::hours(BUCKETS),
        rows,
        units: Vec::new(),
        stats: Default::default(),
    }
}

struct Target {
    name: &'static str,
    store: Arc<dyn Store>,
    url: String,
    options: StoreOptions,
}

async fn targets() -> Vec<Target> {
    let dir = Box::leak(Box::new(tempfile::tempdir().unwrap()));
    let sqlite_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let mut out = vec![Target {
        name: "sqlite",
        store: open_store(&sqlite_url, &StoreOptions::default())
            .await
            .unwrap(),
        url: sqlite_url,
        options: StoreOptions::default(),
    }];
    if let Ok(url) = std::env::var("COSTLEDGER_BENCH_DATABASE_URL") {
        let options = StoreOptions {
            postgres_schema: Some(format!("clbench_pw_{}", std::process::id())),
            ..StoreOptions::default()
        };
        out.push(Target {
            name: "postgres",
            store: open_store(&url, &options).await.unwrap(),
            url,
            options,
        });
    }
    out
}

const BARE_TABLE: &str = "CREATE TABLE IF NOT EXISTS bare_usage (plan_id BIGINT NOT NULL, width BIGINT NOT NULL, \
    bucket_start BIGINT NOT NULL, dim_id BIGINT NOT NULL, uncached_input BIGINT NOT NULL, \
    cache_write_5m BIGINT NOT NULL, cache_write_1h BIGINT NOT NULL, cache_read BIGINT NOT NULL, \
    output BIGINT NOT NULL, web_search_requests BIGINT NOT NULL, \
    PRIMARY KEY (plan_id, width, bucket_start, dim_id))";

/// Rows as the bare insert sees them: dimensions already numbered.
fn bare_rows(page: &UsagePage) -> Vec<[i64; 10]> {
    page.rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let t = &r.tokens;
            [
                1,
                3600,
                r.bucket_start.timestamp(),
                (i % COMBOS) as i64,
                t.uncached_input,
                t.cache_write_5m,
                t.cache_write_1h,
                t.cache_read,
                t.output,
                t.web_search_requests,
            ]
        })
        .collect()
}

macro_rules! bare_insert {
    ($pool:expr, $db:ty, $rows:expr) => {{
        let mut tx = $pool.begin().await.unwrap();
        for chunk in $rows.chunks(512) {
            let mut q = QueryBuilder::<$db>::new(
                "INSERT INTO bare_usage (plan_id, width, bucket_start, dim_id, uncached_input, \
                 cache_write_5m, cache_write_1h, cache_read, output, web_search_requests) ",
            );
            q.push_values(chunk, |mut b, r| {
                for v in r {
                    b.push_bind(*v);
                }
            });
            q.build().execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
    }};
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let page = page();
    let rows = bare_rows(&page);
    for target in rt.block_on(targets()) {
        let plan = rt.block_on(target.store.insert_plan(
            &NewPlanRecord {
                provider: Provider::Anthropic,
                label: "bench".into(),
                key_hint: None,
                org_id: Some(format!("bench-{}", std::process::id())),
                org_name: None,
                settings: PlanSettings::default(),
                subscription: None,
                now: Utc::now(),
                reach: None,
            },
            None,
        ));
        let plan_id = plan.unwrap().id;
        let advance = WatermarkAdvance {
            stream: "usage:1h".into(),
            watermark: page.ending_at,
            first_start: page.starting_at,
            at: Utc::now(),
        };
        let mut group = c.benchmark_group(format!("page_write_{}", target.name));
        group
            .sample_size(20)
            .measurement_time(Duration::from_secs(10));
        group.throughput(criterion::Throughput::Elements(page.rows.len() as u64));
        group.bench_function("replace_usage_page", |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        target
                            .store
                            .replace_usage_page(plan_id, &page, Some(&advance))
                            .await
                            .unwrap();
                    }
                    start.elapsed()
                })
            })
        });
        group.bench_function("bare_bulk_insert", |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let mut spent = Duration::ZERO;
                    match target.name {
                        "sqlite" => {
                            let store =
                                costledger::store::SqliteStore::open(&target.url, &target.options)
                                    .await
                                    .unwrap();
                            let pool = store.pool();
                            sqlx::query(BARE_TABLE).execute(pool).await.unwrap();
                            for _ in 0..iters {
                                sqlx::query("DELETE FROM bare_usage")
                                    .execute(pool)
                                    .await
                                    .unwrap();
                                let start = Instant::now();
                                bare_insert!(pool, sqlx::Sqlite, rows);
                                spent += start.elapsed();
                            }
                        }
                        _ => {
                            let store = costledger::store::PostgresStore::open(
                                &target.url,
                                &target.options,
                            )
                            .await
                            .unwrap();
                            let pool = store.pool();
                            sqlx::query(BARE_TABLE).execute(pool).await.unwrap();
                            for _ in 0..iters {
                                sqlx::query("DELETE FROM bare_usage")
                                    .execute(pool)
                                    .await
                                    .unwrap();
                                let start = Instant::now();
                                bare_insert!(pool, sqlx::Postgres, rows);
                                spent += start.elapsed();
                            }
                        }
                    }
                    spent
                })
            })
        });
        group.finish();
        if target.name == "postgres" {
            let schema = target.options.postgres_schema.clone().unwrap();
            rt.block_on(async {
                let store = costledger::store::PostgresStore::open(&target.url, &target.options)
                    .await
                    .unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP SCHEMA \"{schema}\" CASCADE"
                )))
                .execute(store.pool())
                .await
                .unwrap();
            });
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
