//! Per-call time of `dashboard` and `user_costs` from Rust, the baseline of the Python
//! binding's call-overhead benchmark (`bindings-python/bench/call_overhead.py`, which makes
//! the database and runs this on it).
//!
//! Each call is `runtime.block_on(ledger.…)` from the main thread, as a blocking Python call
//! runs it. Prints one JSON line per call: p50, p90 and min wall time, and the process's CPU
//! time per call, in microseconds.
//!
//! ```sh
//! cargo build --release -p costledger --example bench_calls
//! target/release/examples/bench_calls --db sqlite://target/bench-python/calls.db \
//!     --subject li.berg --period 2026-10 --runs 300
//! ```

use std::time::{Duration, Instant};

use costledger::{DashboardFilter, Ledger, LedgerConfig, Period};

struct Args {
    db: String,
    subject: String,
    period: String,
    runs: usize,
    warmup: usize,
}

fn args() -> Args {
    let mut a = Args {
        db: "sqlite://target/bench-python/calls.db".into(),
        subject: String::new(),
        period: "2026-10".into(),
        runs: 300,
        warmup: 30,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--db" => a.db = value,
            "--subject" => a.subject = value,
            "--period" => a.period = value,
            "--runs" => a.runs = value.parse().expect("--runs N"),
            "--warmup" => a.warmup = value.parse().expect("--warmup N"),
            other => panic!("unknown option {other}"),
        }
    }
    assert!(!a.subject.is_empty(), "--subject ID is required");
    a
}

/// CPU time of this process, every thread (user + system, from /proc; Linux only, else
/// zero): with SQLite the database work is in-process, so CPU per call is a figure a busy
/// machine does not inflate the way it does wall time.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after_name
        .split_whitespace()
        .skip(11) // utime and stime are the 14th and 15th fields
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

/// Time `runs` calls after `warmup` ones; print the call's percentiles.
fn measure<T>(name: &str, a: &Args, mut call: impl FnMut() -> T) {
    for _ in 0..a.warmup {
        call();
    }
    let cpu = cpu_time();
    let mut times: Vec<Duration> = (0..a.runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(call());
            t.elapsed()
        })
        .collect();
    let cpu = (cpu_time() - cpu).as_secs_f64() * 1e6 / a.runs as f64;
    times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let pct = |p: usize| us(times[(times.len() * p / 100).min(times.len() - 1)]);
    println!(
        "{{\"call\":\"{name}\",\"runs\":{},\"p50_us\":{:.1},\"p90_us\":{:.1},\"min_us\":{:.1},\
         \"cpu_us\":{cpu:.1}}}",
        a.runs,
        pct(50),
        pct(90),
        us(times[0])
    );
}

fn main() {
    let a = args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let ledger = runtime
        .block_on(Ledger::open(LedgerConfig::new(a.db.clone()).without_env()))
        .expect("open the benchmark database");
    let period: Period = a.period.parse().expect("--period");
    measure("dashboard", &a, || {
        runtime
            .block_on(ledger.dashboard(DashboardFilter::new(period)))
            .expect("dashboard")
    });
    measure("user_costs", &a, || {
        runtime
            .block_on(ledger.user_costs(&a.subject, period))
            .expect("user_costs")
    });
}
