//! End-to-end sync benchmark: the fake Admin API runs as its own process (so the peak RSS
//! printed is this process's: the library's), and this process syncs every org's hourly
//! usage and daily cost into SQLite or Postgres.
//!
//! ```sh
//! cargo build --release -p fake-admin-api
//! cargo run --release -p costledger --example bench_sync -- --backend sqlite --days 90
//! ```
//!
//! Options: `--backend sqlite|postgres` (Postgres from `COSTLEDGER_BENCH_DATABASE_URL`),
//! `--days N`, `--orgs N`, `--slow-ms N` (latency added to every request), `--plan N` (sync only
//! the N-th org's plan), `--fake PATH` (the fake's binary, default target/release/fake-admin-api),
//! `--streams legacy|analytics` (the legacy usage and cost reports alone, the default, or
//! with the Analytics API's billed cost as well).
//! Prints one JSON line.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use costledger::{FixedClock, Ledger, LedgerConfig, MasterKey, NewPlan, SyncOptions, SyncStream};

struct Args {
    backend: String,
    days: i64,
    orgs: usize,
    slow_ms: u64,
    plan: Option<usize>,
    fake: String,
    analytics: bool,
}

fn args() -> Args {
    let mut a = Args {
        backend: "sqlite".into(),
        days: 90,
        orgs: 3,
        slow_ms: 0,
        plan: None,
        fake: "target/release/fake-admin-api".into(),
        analytics: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--backend" => a.backend = value,
            "--days" => a.days = value.parse().expect("--days N"),
            "--orgs" => a.orgs = value.parse().expect("--orgs N"),
            "--slow-ms" => a.slow_ms = value.parse().expect("--slow-ms N"),
            "--plan" => a.plan = Some(value.parse().expect("--plan N")),
            "--fake" => a.fake = value,
            "--streams" => {
                a.analytics = match value.as_str() {
                    "legacy" => false,
                    "analytics" => true,
                    other => panic!("--streams legacy|analytics, got {other}"),
                }
            }
            other => panic!("unknown option {other}"),
        }
    }
    a
}

/// Peak resident set size of this process, from /proc (kB).
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let a = args();
    let mut fake = Command::new(&a.fake)
        .args([
            "--port",
            "0",
            "--orgs",
            &a.orgs.to_string(),
            "--days",
            &a.days.to_string(),
        ])
        .args(if a.slow_ms > 0 {
            vec!["--faults".to_string(), format!("slow:{}", a.slow_ms)]
        } else {
            vec![]
        })
        .stdout(Stdio::piped())
        .spawn()
        .expect("the fake's binary (cargo build --release -p fake-admin-api)");
    let mut lines = BufReader::new(fake.stdout.take().unwrap()).lines();
    let port = lines
        .next()
        .unwrap()
        .unwrap()
        .trim_start_matches("LISTENING ")
        .to_string();
    let orgs: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let base_url = format!("http://127.0.0.1:{port}");
    let now: DateTime<Utc> = "2026-11-20T00:00:00Z".parse().unwrap();

    let dir = tempfile::tempdir().unwrap();
    let schema = format!("clbench_{}", std::process::id());
    let mut config = match a.backend.as_str() {
        "sqlite" => LedgerConfig::new(format!(
            "sqlite://{}",
            dir.path().join("bench.db").display()
        )),
        "postgres" => LedgerConfig::new(
            std::env::var("COSTLEDGER_BENCH_DATABASE_URL").expect("COSTLEDGER_BENCH_DATABASE_URL"),
        )
        .postgres_schema(schema.clone()),
        other => panic!("unknown backend {other}"),
    };
    config = config
        .master_key(MasterKey::generate().to_base64().to_string())
        .anthropic_base_url(base_url)
        .request_interval(Duration::ZERO)
        .clock(Arc::new(FixedClock::new(now)))
        .without_env();
    let ledger = Ledger::open(config).await.unwrap();
    let mut plan_ids = Vec::new();
    for (i, org) in orgs["orgs"].as_array().unwrap().iter().enumerate() {
        let key = org["admin_key"].as_str().unwrap().to_string();
        plan_ids.push(
            ledger
                .add_plan(NewPlan::anthropic(format!("Org {}", i + 1), key))
                .await
                .unwrap()
                .id,
        );
    }
    let streams: &[SyncStream] = if a.analytics {
        &[SyncStream::Usage, SyncStream::Cost, SyncStream::Analytics]
    } else {
        &[SyncStream::Usage, SyncStream::Cost]
    };
    let mut options = SyncOptions::default()
        .initial_backfill(TimeDelta::days(a.days))
        .streams(streams);
    if let Some(n) = a.plan {
        options = options.plan(plan_ids[n - 1]);
    }
    let started = Instant::now();
    let report = ledger.sync(options).await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    assert!(report.is_ok(), "{report:#?}");
    let rows = report.rows_written();
    // Seconds per stream, summed over the plans (they run concurrently).
    let mut per_stream = serde_json::Map::new();
    for r in report.plans.iter().flat_map(|p| &p.streams) {
        let entry = per_stream
            .entry(r.stream.to_string())
            .or_insert(serde_json::json!(0.0));
        *entry = serde_json::json!(entry.as_f64().unwrap_or(0.0) + r.duration.as_secs_f64());
    }
    println!(
        "{}",
        serde_json::json!({
            "backend": a.backend,
            "days": a.days,
            "orgs": a.orgs,
            "plans_synced": report.plans.len(),
            "slow_ms": a.slow_ms,
            "streams": if a.analytics { "analytics" } else { "legacy" },
            "rows": rows,
            "seconds": (seconds * 1000.0).round() / 1000.0,
            "rows_per_second": (rows as f64 / seconds).round(),
            "peak_rss_mb": (peak_rss_kb() as f64 / 1024.0 * 10.0).round() / 10.0,
            "stream_seconds": per_stream,
        })
    );
    fake.kill().ok();
    fake.wait().ok();
    if a.backend == "postgres" {
        let url = std::env::var("COSTLEDGER_BENCH_DATABASE_URL").unwrap();
        let options = costledger::store::StoreOptions {
            run_migrations: false,
            ..Default::default()
        };
        let store = costledger::store::PostgresStore::open(&url, &options)
            .await
            .unwrap();
        let sql = format!("DROP SCHEMA \"{schema}\" CASCADE");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(store.pool())
            .await
            .unwrap();
    }
}
