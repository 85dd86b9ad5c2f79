//! Report latency on the data set `gen_report_data` makes (about 10 million usage rows): a
//! month's `dashboard` (UTC and America/Los_Angeles, every plan) and `user_costs` of many
//! subjects, each run many times after a warm-up; prints p50 / p90 / max per scenario.
//!
//! ```sh
//! cargo run --release -p costledger --example gen_report_data -- --backend sqlite
//! cargo run --release -p costledger --example bench_reports -- --backend sqlite
//! ```
//!
//! Options: `--backend sqlite|postgres` (Postgres from `COSTLEDGER_BENCH_DATABASE_URL`),
//! `--db PATH`, `--schema NAME` (as for the generator), `--runs N` (default 50),
//! `--month YYYY-MM` (default 2026-10, a month with keys changing hands), `--only NAME`
//! (one scenario), `--migrate false` (measure a data set as it is, without applying
//! migrations). Prints one JSON line per scenario.

use std::future::Future;
use std::time::{Duration, Instant};

use costledger::{DashboardFilter, Export, FocusFilter, Ledger, LedgerConfig, MasterKey, Period};

struct Args {
    backend: String,
    db: String,
    schema: String,
    runs: usize,
    month: String,
    only: Option<String>,
    migrate: bool,
}

fn args() -> Args {
    let mut a = Args {
        backend: "sqlite".into(),
        db: "target/bench-reports/reports.db".into(),
        schema: "clbench_reports".into(),
        runs: 50,
        month: "2026-10".into(),
        only: None,
        migrate: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--backend" => a.backend = value,
            "--db" => a.db = value,
            "--schema" => a.schema = value,
            "--runs" => a.runs = value.parse().expect("--runs N"),
            "--month" => a.month = value,
            "--only" => a.only = Some(value),
            "--migrate" => a.migrate = value.parse().expect("--migrate true|false"),
            other => panic!("unknown option {other}"),
        }
    }
    a
}

async fn open(a: &Args) -> Ledger {
    let config = match a.backend.as_str() {
        "sqlite" => {
            assert!(
                std::path::Path::new(&a.db).exists(),
                "{} is missing: run the gen_report_data example first",
                a.db
            );
            LedgerConfig::new(format!("sqlite://{}", a.db))
        }
        "postgres" => LedgerConfig::new(
            std::env::var("COSTLEDGER_BENCH_DATABASE_URL").expect("COSTLEDGER_BENCH_DATABASE_URL"),
        )
        .postgres_schema(a.schema.clone()),
        other => panic!("unknown backend {other}"),
    };
    Ledger::open(
        config
            .master_key(MasterKey::generate().to_base64().to_string())
            .run_migrations(a.migrate)
            .without_env(),
    )
    .await
    .expect("open the benchmark database")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// CPU time this process has used (user + system), from /proc: with SQLite the database
/// work is in this process, so CPU per run is a figure a busy machine does not inflate.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// Run `f(i)` `warmup + runs` times; report the percentiles of the last `runs`.
async fn measure<F, Fut>(a: &Args, name: &str, runs: usize, mut f: F)
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    if a.only.as_deref().is_some_and(|o| o != name) {
        return;
    }
    for i in 0..3 {
        f(i).await;
    }
    let mut times = Vec::with_capacity(runs);
    let cpu = cpu_time();
    for i in 0..runs {
        let t = Instant::now();
        f(i).await;
        times.push(t.elapsed());
    }
    let cpu = (cpu_time() - cpu) / runs as u32;
    times.sort();
    let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    println!(
        "{{\"backend\":\"{}\",\"scenario\":\"{name}\",\"runs\":{runs},\"p50_ms\":{:.1},\
         \"p90_ms\":{:.1},\"min_ms\":{:.1},\"max_ms\":{:.1},\"cpu_ms_per_run\":{:.1}}}",
        a.backend,
        ms(pct(50)),
        ms(pct(90)),
        ms(times[0]),
        ms(times[times.len() - 1]),
        ms(cpu),
    );
}

#[tokio::main]
async fn main() {
    let a = args();
    let opened = Instant::now();
    let ledger = open(&a).await;
    eprintln!(
        "opened (and migrated) in {:.1} s",
        opened.elapsed().as_secs_f64()
    );
    let utc: Period = a.month.parse().expect("--month YYYY-MM");
    let la = utc.in_time_zone("America/Los_Angeles").unwrap();
    let subjects: Vec<String> = ledger
        .list_subjects()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert!(!subjects.is_empty(), "the data set has no subjects");

    for (name, period) in [("dashboard_utc_month", utc), ("dashboard_la_month", la)] {
        measure(&a, name, a.runs, |_| {
            let ledger = ledger.clone();
            async move {
                let d = ledger
                    .dashboard(DashboardFilter::new(period))
                    .await
                    .unwrap();
                assert!(!d.per_plan.is_empty());
            }
        })
        .await;
    }
    for (name, period) in [("user_costs_utc_month", utc), ("user_costs_la_month", la)] {
        measure(&a, name, a.runs, |i| {
            let ledger = ledger.clone();
            // A different subject each run (every subject holds keys in some plan).
            let subject = subjects[(i * 7) % subjects.len()].clone();
            async move {
                ledger.user_costs(&subject, period).await.unwrap();
            }
        })
        .await;
    }
    measure(&a, "dashboard_utc_month_csv", a.runs, |_| {
        let ledger = ledger.clone();
        async move {
            let d = ledger.dashboard(DashboardFilter::new(utc)).await.unwrap();
            d.to_csv().unwrap();
        }
    })
    .await;
    measure(&a, "focus_export_utc_month", a.runs.min(5), |_| {
        let ledger = ledger.clone();
        async move {
            let csv = ledger.focus_export(FocusFilter::new(utc)).await.unwrap();
            assert!(csv.len() > 1_000);
        }
    })
    .await;
}
