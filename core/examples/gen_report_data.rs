//! Generate the report benchmark's data set: a year of hourly usage (about 10 million rows)
//! over several plans with many keys, the matching daily bill, org metadata, subjects and key
//! mappings, then the cost facts. Everything goes through the public write path
//! (`replace_usage_page` / `replace_cost_page` per plan and day, `upsert_metadata`,
//! `upsert_subject`, `map_key`, `Ledger::rebuild_cost_facts`), so the data is what a sync
//! would have stored.
//!
//! ```sh
//! cargo run --release -p costledger --example gen_report_data -- --backend sqlite
//! COSTLEDGER_BENCH_DATABASE_URL=postgres://…/costledger_bench \
//!   cargo run --release -p costledger --example gen_report_data -- --backend postgres
//! ```
//!
//! Options: `--backend sqlite|postgres`, `--db PATH` (SQLite file, default
//! `target/bench-reports/reports.db`), `--schema NAME` (Postgres schema, default
//! `clbench_reports`), `--rows N` (target usage rows, default 10 000 000), `--plans N` (6),
//! `--keys N` (keys per plan, 100), `--jobs N` (plans written at once). An existing complete
//! data set is kept: delete the file (or drop the schema) to generate again. Prints one JSON
//! line with the row counts and the time each phase took.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Days, NaiveDate, TimeDelta, TimeZone, Utc};
use costledger::model::PlanSettings;
use costledger::store::{Grain, NewPlanRecord, Store, SumOver, WatermarkAdvance};
use costledger::{
    ApiKeyInfo, BucketWidth, CostPage, CostRow, Ledger, LedgerConfig, ListPlans, MasterKey, Money,
    NewKeyMapping, NewSubject, OrgInfo, OrgMetadata, OrgUser, PlanUpdate, PriceTable, Provider,
    Subscription, SubscriptionTier, TokenCounts, TokenType, UsagePage, UsageRow, Workspace,
};
use futures::StreamExt;

/// The first day of the data set (a year: 2025-12-01 to 2026-12-01).
pub const FIRST_DAY: (i32, u32, u32) = (2025, 12, 1);
/// Days of data.
pub const DAYS: u64 = 365;
/// Subjects (people); org users' emails map onto them.
const PEOPLE: usize = 150;
/// Workspaces per plan besides the Default one.
const WORKSPACES: usize = 4;
/// When keys that change hands are handed over: inside the benchmark's month.
const HANDOVER: (i32, u32, u32, u32) = (2026, 10, 15, 9);

struct Args {
    backend: String,
    db: String,
    schema: String,
    rows: u64,
    plans: usize,
    keys: usize,
    jobs: usize,
}

fn args() -> Args {
    let mut a = Args {
        backend: "sqlite".into(),
        db: "target/bench-reports/reports.db".into(),
        schema: "clbench_reports".into(),
        rows: 10_000_000,
        plans: 6,
        keys: 100,
        jobs: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--backend" => a.backend = value,
            "--db" => a.db = value,
            "--schema" => a.schema = value,
            "--rows" => a.rows = value.parse().expect("--rows N"),
            "--plans" => a.plans = value.parse().expect("--plans N"),
            "--keys" => a.keys = value.parse().expect("--keys N"),
            "--jobs" => a.jobs = value.parse().expect("--jobs N"),
            other => panic!("unknown option {other}"),
        }
    }
    if a.jobs == 0 {
        // SQLite has one writer; Postgres overlaps one plan's writes with another's.
        a.jobs = if a.backend == "sqlite" { 1 } else { 2 };
    }
    a
}

/// A ledger on the benchmark database (shared with `bench_reports`).
pub async fn open_ledger(backend: &str, db: &str, schema: &str) -> Ledger {
    let config = match backend {
        "sqlite" => {
            if let Some(dir) = std::path::Path::new(db).parent() {
                std::fs::create_dir_all(dir).expect("create the data directory");
            }
            LedgerConfig::new(format!("sqlite://{db}"))
        }
        "postgres" => LedgerConfig::new(
            std::env::var("COSTLEDGER_BENCH_DATABASE_URL")
                .expect("COSTLEDGER_BENCH_DATABASE_URL (a database of its own, not the tests')"),
        )
        .postgres_schema(schema.to_string()),
        other => panic!("unknown backend {other}"),
    };
    Ledger::open(
        config
            .master_key(MasterKey::generate().to_base64().to_string())
            .without_env(),
    )
    .await
    .expect("open the benchmark database")
}

/// A deterministic hash of a few numbers (splitmix64 steps), for reproducible data.
fn mix(values: &[u64]) -> u64 {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for v in values {
        x ^= v.wrapping_add(0x9E37_79B9_7F4A_7C15).wrapping_add(x << 6);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
    }
    x
}

/// One usage dimension combination of a plan.
#[derive(Clone, Debug)]
struct Combo {
    key: Option<String>,
    workspace: Option<String>,
    model: &'static str,
    tier: &'static str,
    window: &'static str,
    /// Activity level in 1/1000 of an hour's chance to have usage, before the daily curve.
    weight: u64,
    /// Typical tokens per hour.
    scale: i64,
}

const SONNET: &str = "claude-sonnet-4-5-20250929";
const HAIKU: &str = "claude-haiku-4-5-20251001";
const OPUS: &str = "claude-opus-4-5-20251101";

fn workspace_id(plan: usize, w: usize) -> Option<String> {
    // The last workspace slot is the Default workspace (no id).
    (w < WORKSPACES).then(|| format!("wrkspc_bench{plan}_{w}"))
}

fn key_id(plan: usize, k: usize) -> String {
    format!("apikey_bench{plan}_{k:03}")
}

/// The combos of a plan: every key uses a few (model, tier, window) combinations; each
/// workspace also has Console usage (no key).
fn combos(plan: usize, keys: usize) -> Vec<Combo> {
    let mut out = Vec::new();
    for k in 0..keys {
        let key = Some(key_id(plan, k));
        let workspace = workspace_id(plan, k % (WORKSPACES + 1));
        let busy = 200 + mix(&[plan as u64, k as u64]) % 800;
        let mut add = |model, tier, window, share: u64, scale| {
            out.push(Combo {
                key: key.clone(),
                workspace: workspace.clone(),
                model,
                tier,
                window,
                weight: busy * share / 100,
                scale,
            })
        };
        add(SONNET, "standard", "0-200k", 100, 400_000);
        add(HAIKU, "standard", "0-200k", 70, 900_000);
        add(SONNET, "batch", "0-200k", 35, 2_000_000);
        if k % 2 == 0 {
            add(OPUS, "standard", "0-200k", 45, 150_000);
        }
        if k % 3 == 0 {
            add(SONNET, "standard", "200k-1M", 30, 1_500_000);
        }
        if k % 7 == 0 {
            add(SONNET, "priority", "0-200k", 60, 500_000);
        }
    }
    for w in 0..=WORKSPACES {
        out.push(Combo {
            key: None,
            workspace: workspace_id(plan, w),
            model: SONNET,
            tier: "standard",
            window: "0-200k",
            weight: 300,
            scale: 100_000,
        });
    }
    out
}

/// Relative activity by UTC hour of day (working hours in the Americas and Europe), in %.
fn curve(hour: u32) -> u64 {
    [
        60, 50, 40, 35, 35, 40, 55, 75, 95, 110, 125, 135, 140, 145, 150, 150, 145, 140, 130, 120,
        105, 90, 80, 70,
    ][hour as usize]
}

fn tokens(seed: u64, scale: i64) -> TokenCounts {
    let r = |i: u64| (mix(&[seed, i]) % 1_000) as i64;
    let base = scale / 2 + scale * r(1) / 1_000;
    TokenCounts {
        uncached_input: base,
        cache_write_5m: base * r(2) / 4_000,
        cache_write_1h: if r(3) < 200 { base * r(4) / 8_000 } else { 0 },
        cache_read: base * r(5) / 300,
        output: base / 8 + base * r(6) / 6_000,
        web_search_requests: if r(7) < 50 { 1 + r(8) % 20 } else { 0 },
    }
}

/// The day's usage page of one plan, with `factor` (per mille) scaling every chance so the
/// whole data set lands near the target row count.
fn usage_page(plan: usize, combos: &[Combo], day: NaiveDate, factor: u64) -> UsagePage {
    let start = day.and_hms_opt(0, 0, 0).unwrap().and_utc();
    let day_no = (start.timestamp() / 86_400) as u64;
    let mut rows = Vec::new();
    for h in 0..24u32 {
        let at = start + TimeDelta::hours(i64::from(h));
        for (i, c) in combos.iter().enumerate() {
            let chance = c.weight * curve(h) * factor / 100_000;
            let roll = mix(&[plan as u64, i as u64, day_no, u64::from(h)]);
            if roll % 1_000 >= chance {
                continue;
            }
            rows.push(UsageRow {
                bucket_start: at,
                api_key_id: c.key.clone(),
                workspace_id: c.workspace.clone(),
                model: Some(c.model.into()),
                service_tier: Some(c.tier.into()),
                context_window: Some(c.window.into()),
                inference_geo: None,
                actor_id: None,
                tokens: tokens(roll, c.scale),
            });
        }
    }
    UsagePage {
        width: BucketWidth::Hour,
        starting_at: start,
        ending_at: start + TimeDelta::days(1),
        rows,
        units: Vec::new(),
        stats: Default::default(),
    }
}

/// The day's bill of one plan: its usage at list prices per (workspace, model, tier, window,
/// token type), nothing for the priority tier (the cost report leaves it out), web search per
/// workspace, and some code execution that no usage explains.
fn cost_page(plan: usize, usage: &UsagePage, day: NaiveDate) -> CostPage {
    let start = usage.starting_at;
    let prices = PriceTable::bundled();
    let mut groups: BTreeMap<(Option<String>, String, String, String), TokenCounts> =
        BTreeMap::new();
    let mut searches: BTreeMap<Option<String>, i64> = BTreeMap::new();
    for r in &usage.rows {
        let tier = r.service_tier.clone().unwrap_or_default();
        *searches.entry(r.workspace_id.clone()).or_default() += r.tokens.web_search_requests;
        if tier == "priority" {
            continue;
        }
        groups
            .entry((
                r.workspace_id.clone(),
                r.model.clone().unwrap_or_default(),
                tier,
                r.context_window.clone().unwrap_or_default(),
            ))
            .or_default()
            .add(&r.tokens);
    }
    let row = |ws: &Option<String>, cost_type: &str, amount: Money| CostRow {
        bucket_start: start,
        workspace_id: ws.clone(),
        api_key_id: None,
        description: Some(format!("{cost_type} (benchmark)")),
        cost_type: Some(cost_type.into()),
        model: None,
        service_tier: None,
        context_window: None,
        token_type: None,
        inference_geo: None,
        amount,
    };
    let mut rows = Vec::new();
    for ((ws, model, tier, window), t) in groups {
        let only_tokens = TokenCounts {
            web_search_requests: 0,
            ..t
        };
        let estimate = prices
            .estimate(&model, day, &tier, &window, &only_tokens)
            .expect("the generator's models are priced");
        for (token_type, amount) in estimate.by_type {
            rows.push(CostRow {
                model: Some(model.clone()),
                service_tier: Some(tier.clone()),
                context_window: Some(window.clone()),
                token_type: Some(token_type.to_string()),
                ..row(&ws, "tokens", amount)
            });
        }
    }
    for (ws, n) in searches {
        if n > 0 {
            rows.push(row(&ws, "web_search", Money::from_cents(n)));
        }
    }
    let day_no = (start.timestamp() / 86_400) as u64;
    for w in 0..=WORKSPACES {
        let roll = mix(&[plan as u64, w as u64, day_no, 77]);
        if roll.is_multiple_of(3) {
            rows.push(row(
                &workspace_id(plan, w),
                "code_execution",
                Money::from_nanos(50_000_000 + (roll % 5_000_000_000) as i64),
            ));
        }
    }
    debug_assert!(
        rows.iter()
            .all(|r| r.token_type.as_deref() != Some(TokenType::WebSearch.as_str()))
    );
    CostPage {
        starting_at: start,
        ending_at: start + TimeDelta::days(1),
        rows,
        stats: Default::default(),
    }
}

fn metadata(plan: usize, keys: usize) -> OrgMetadata {
    let workspaces = (0..WORKSPACES)
        .map(|w| Workspace {
            id: workspace_id(plan, w).unwrap(),
            name: format!("Team {w}, \"bench\" {plan}"),
            display_color: None,
            created_at: None,
            archived_at: None,
        })
        .collect();
    let users: Vec<OrgUser> = (0..40)
        .map(|u| OrgUser {
            id: format!("user_bench{plan}_{u:02}"),
            email: format!("person{}@bench.example", (plan * 40 + u) % PEOPLE),
            name: format!("Person {}", (plan * 40 + u) % PEOPLE),
            role: "developer".into(),
            added_at: None,
        })
        .collect();
    let api_keys = (0..keys)
        .map(|k| ApiKeyInfo {
            id: key_id(plan, k),
            name: format!("key {k} of plan {plan}"),
            workspace_id: workspace_id(plan, k % (WORKSPACES + 1)),
            status: "active".into(),
            created_at: None,
            // Every tenth key was made by a service account: nobody's unless mapped.
            created_by_id: (k % 10 != 9).then(|| users[k % users.len()].id.clone()),
            created_by_type: Some("user".into()),
            partial_key_hint: None,
            expires_at: None,
        })
        .collect();
    OrgMetadata {
        org: Some(OrgInfo {
            id: format!("org_bench{plan}"),
            name: format!("Bench Org {plan}"),
        }),
        workspaces,
        api_keys,
        users,
        stats: Default::default(),
    }
}

fn first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2).unwrap()
}

/// True when the data set is complete: the last plan's last day has its daily rollup.
async fn complete(store: &Arc<dyn Store>, plans: usize) -> bool {
    let Ok(existing) = store.list_plans(true).await else {
        return false;
    };
    let Some(last) = existing
        .iter()
        .find(|p| p.label == format!("Bench {plans}"))
    else {
        return false;
    };
    let day = first_day() + Days::new(DAYS - 1);
    let at = day.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    store
        .sum_usage(&[last.id], SumOver::Total(Grain::Day, at, at + 86_400))
        .await
        .is_ok_and(|rows| !rows.is_empty())
}

async fn write_plan(
    store: Arc<dyn Store>,
    plan_no: usize,
    plan_id: i64,
    keys: usize,
    factor: u64,
) -> (u64, u64) {
    let combos = combos(plan_no, keys);
    let first = first_day().and_hms_opt(0, 0, 0).unwrap().and_utc();
    // Generate the next day's pages while this one is written.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(UsagePage, CostPage)>(2);
    let producer = tokio::spawn(async move {
        for d in 0..DAYS {
            let day = first_day() + Days::new(d);
            let usage = usage_page(plan_no, &combos, day, factor);
            let cost = cost_page(plan_no, &usage, day);
            if tx.send((usage, cost)).await.is_err() {
                return;
            }
        }
    });
    let (mut usage_rows, mut cost_rows) = (0, 0);
    while let Some((usage, cost)) = rx.recv().await {
        let usage_mark = WatermarkAdvance {
            stream: "usage:1h".into(),
            watermark: usage.ending_at,
            first_start: first,
            at: Utc::now(),
        };
        let cost_mark = WatermarkAdvance {
            stream: "cost".into(),
            watermark: cost.ending_at,
            first_start: first,
            at: Utc::now(),
        };
        usage_rows += store
            .replace_usage_page(plan_id, &usage, Some(&usage_mark))
            .await
            .expect("usage page written");
        cost_rows += store
            .replace_cost_page(plan_id, &cost, Some(&cost_mark))
            .await
            .expect("cost page written");
    }
    producer.await.unwrap();
    (usage_rows, cost_rows)
}

/// What autovacuum does to a freshly loaded Postgres database, done at once: planner
/// statistics and the visibility map of every table of the schema. Without them Postgres
/// plans the reports' queries for empty tables (the benchmark's first measurements scanned
/// a plan's whole month of daily rows to pick a subject's keys: 8 ms instead of 0.5 ms), a
/// state a database with autovacuum on (Postgres' default) leaves within minutes, and one
/// with it off (as this project's test cluster) never does.
async fn vacuum_analyze(schema: &str) {
    use sqlx::Connection;
    let url = std::env::var("COSTLEDGER_BENCH_DATABASE_URL").expect("checked when opening");
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .expect("connect to Postgres");
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = $1")
            .bind(schema)
            .fetch_all(&mut conn)
            .await
            .expect("list the schema's tables");
    for table in tables {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "VACUUM ANALYZE \"{schema}\".\"{table}\""
        )))
        .execute(&mut conn)
        .await
        .expect("vacuum and analyze a table");
    }
}

#[tokio::main]
async fn main() {
    let a = args();
    let ledger = open_ledger(&a.backend, &a.db, &a.schema).await;
    let store = ledger.store().clone();
    if complete(&store, a.plans).await {
        println!("{{\"status\":\"exists\",\"backend\":\"{}\"}}", a.backend);
        return;
    }
    if !store.list_plans(true).await.unwrap().is_empty() {
        panic!(
            "the benchmark database holds an incomplete data set: delete {} (SQLite) or drop \
             schema {} (Postgres) and run again",
            a.db, a.schema
        );
    }
    let started = Instant::now();
    let now = Utc::now();
    let mut plan_ids = Vec::new();
    for p in 1..=a.plans {
        let record = NewPlanRecord {
            provider: Provider::Anthropic,
            label: format!("Bench {p}"),
            key_hint: None,
            org_id: Some(format!("org_bench{p}")),
            org_name: Some(format!("Bench Org {p}")),
            settings: PlanSettings::default(),
            subscription: None,
            now,
            reach: None,
        };
        plan_ids.push(store.insert_plan(&record, None).await.unwrap().id);
    }
    // Calibrate: the per-mille factor on every hourly chance that makes the expected row
    // count reach the target (chances are capped at certainty, hence the search).
    let all: Vec<Combo> = (1..=a.plans).flat_map(|p| combos(p, a.keys)).collect();
    let expected = |factor: u64| -> u64 {
        let per_day: u64 = all
            .iter()
            .flat_map(|c| (0..24).map(move |h| (c.weight * curve(h) * factor / 100_000).min(1_000)))
            .sum();
        per_day * DAYS / 1_000
    };
    let (mut lo, mut hi) = (1_u64, 1_000_000_u64);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if expected(mid) >= a.rows {
            hi = mid
        } else {
            lo = mid + 1
        }
    }
    let factor = lo;

    let written: Vec<(u64, u64)> = futures::stream::iter(plan_ids.iter().enumerate())
        .map(|(i, id)| write_plan(store.clone(), i + 1, *id, a.keys, factor))
        .buffer_unordered(a.jobs)
        .collect()
        .await;
    let usage_rows: u64 = written.iter().map(|w| w.0).sum();
    let cost_rows: u64 = written.iter().map(|w| w.1).sum();
    let write_s = started.elapsed().as_secs_f64();

    let people_started = Instant::now();
    for (i, id) in plan_ids.iter().enumerate() {
        store
            .upsert_metadata(*id, &metadata(i + 1, a.keys))
            .await
            .unwrap();
    }
    ledger
        .update_plan(
            plan_ids[0],
            PlanUpdate::new().subscription(Subscription::new(
                SubscriptionTier::TeamStandard,
                25,
                NaiveDate::from_ymd_opt(2025, 6, 12).unwrap(),
            )),
        )
        .await
        .unwrap();
    for n in 0..PEOPLE {
        ledger
            .upsert_subject(
                NewSubject::new(format!("person{n}"))
                    .email(format!("person{n}@bench.example"))
                    .name(format!("Person {n}")),
            )
            .await
            .unwrap();
    }
    let handover = Utc
        .with_ymd_and_hms(HANDOVER.0, HANDOVER.1, HANDOVER.2, HANDOVER.3, 0, 0)
        .unwrap();
    let mut mappings = 0;
    for (i, id) in plan_ids.iter().enumerate() {
        let p = i + 1;
        for k in 0..a.keys {
            // Three keys in five are mapped; the rest go by their creator's email (or to
            // nobody, for service accounts). Every 25th mapped key changes hands mid-month.
            if k % 5 >= 3 {
                continue;
            }
            let owner = format!("person{}", (p * 7 + k) % PEOPLE);
            ledger
                .map_key(NewKeyMapping::new(*id, key_id(p, k), owner))
                .await
                .unwrap();
            mappings += 1;
            if k % 25 == 0 {
                let next = format!("person{}", (p * 7 + k + 1) % PEOPLE);
                ledger
                    .map_key(NewKeyMapping::new(*id, key_id(p, k), next).from(handover))
                    .await
                    .unwrap();
                mappings += 1;
            }
        }
    }
    let people_s = people_started.elapsed().as_secs_f64();

    let facts_started = Instant::now();
    let to = first_day() + Days::new(DAYS);
    let days: Vec<u64> = futures::stream::iter(plan_ids.clone())
        .map(|id| {
            let ledger = ledger.clone();
            async move {
                tokio::spawn(async move { ledger.rebuild_cost_facts(id, first_day(), to).await })
                    .await
                    .unwrap()
                    .unwrap()
            }
        })
        .buffer_unordered(a.jobs.max(2))
        .collect()
        .await;
    let facts_s = facts_started.elapsed().as_secs_f64();
    let plans = ledger.list_plans(ListPlans::all()).await.unwrap().len();
    // Closing the pool lets SQLite fold its write-ahead log into the database file, so the
    // benchmark does not read through a log of the whole generation.
    ledger.close().await;
    if a.backend == "postgres" {
        vacuum_analyze(&a.schema).await;
    }
    let end: DateTime<Utc> = to.and_hms_opt(0, 0, 0).unwrap().and_utc();
    println!(
        "{{\"status\":\"generated\",\"backend\":\"{}\",\"plans\":{plans},\"usage_rows\":{usage_rows},\
         \"cost_rows\":{cost_rows},\"mappings\":{mappings},\"days_materialized\":{},\"until\":\"{}\",\
         \"write_s\":{write_s:.1},\"people_s\":{people_s:.1},\"facts_s\":{facts_s:.1},\
         \"total_s\":{:.1}}}",
        a.backend,
        days.iter().sum::<u64>(),
        end.to_rfc3339(),
        started.elapsed().as_secs_f64()
    );
}
