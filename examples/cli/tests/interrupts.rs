//! `costledger sync` stopped by a signal: SIGINT and SIGTERM stop it gracefully, and a
//! process killed with SIGKILL at random points of a first sync leaves a database that two
//! ordinary syncs make exact. `costledger verify` finds and repairs corrupted facts.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use costledger::{Ledger, SyncHistoryFilter, SyncStatus, SyncStream};
use fake_admin_api::Faults;

use crate::common::{World, exit};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Wait until `check` holds, polling; panic after a minute.
fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, signal: i32) {
    // SAFETY: sending a signal to a child process this test started and has not reaped.
    let sent = unsafe { libc::kill(child.id() as i32, signal) };
    assert_eq!(sent, 0, "kill({}, {signal})", child.id());
}

/// True once the first usage page of plan 1 is committed.
fn a_page_is_committed(rt: &tokio::runtime::Runtime, ledger: &Ledger) -> bool {
    rt.block_on(ledger.store().watermark(1, "usage:1h"))
        .unwrap()
        .is_some()
}

#[test]
fn sigint_and_sigterm_stop_a_sync_gracefully() {
    for (sig, code) in [(libc::SIGINT, 130), (libc::SIGTERM, 143)] {
        let w = World::new(2, 10);
        w.add_plans(2);
        let rt = runtime();
        let ledger = w.ledger(&rt);
        w.fake.server().set_faults(Faults::none().with_slow(40));
        let child = w
            .process(&["sync", "--json", "--initial-days", "10"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_until("a page is committed", || a_page_is_committed(&rt, &ledger));
        hold_the_rest(&w);
        signal(&child, sig);
        let out = child.wait_with_output().unwrap();
        w.fake.server().set_faults(Faults::none());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{stderr}");
        assert!(stderr.contains("error[INTERRUPTED]: "), "{stderr}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for plan in report["plans"].as_array().unwrap() {
            assert_eq!(plan["status"], "interrupted", "{plan}");
            assert_eq!(plan["error"]["code"], "INTERRUPTED");
            let id = plan["plan_id"].as_i64().unwrap();
            // Its lease was given back, and its event says it was interrupted.
            assert!(rt.block_on(ledger.store().lease(id)).unwrap().is_none());
            let events = rt
                .block_on(ledger.sync_history(SyncHistoryFilter {
                    stream: Some(SyncStream::Plan),
                    ..SyncHistoryFilter::plan(id)
                }))
                .unwrap();
            assert_eq!(events[0].status, SyncStatus::Interrupted);
            assert_eq!(events[0].error_code.as_deref(), Some("INTERRUPTED"));
        }
        // The next sync is not held back by a lease, and completes.
        let next = w.json(&["sync", "--json", "--initial-days", "10"]);
        for plan in next["plans"].as_array().unwrap() {
            assert_eq!(plan["status"], "ok", "{plan}");
        }
        rt.block_on(ledger.close());
    }
}

/// Once a page is committed, every later request of the sync waits a minute, so the sync is
/// still running when the signal arrives however slowly this machine polled (a graceful stop
/// does not wait for a pending request).
fn hold_the_rest(w: &World) {
    w.fake.server().set_faults(Faults::none().with_slow(60_000));
}

#[test]
fn a_second_signal_quits_at_once() {
    use sqlx::Connection;
    use std::io::BufRead;

    let w = World::new(1, 10);
    w.add_plans(1);
    let rt = runtime();
    let ledger = w.ledger(&rt);
    w.fake.server().set_faults(Faults::none().with_slow(40));
    let mut child = w
        .process(&["sync", "--json", "--initial-days", "10"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines, received) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    wait_until("a page is committed", || a_page_is_committed(&rt, &ledger));
    hold_the_rest(&w);
    // Another writer holds the database, so the graceful stop (which writes the interrupted
    // event and gives the lease back) waits on it, as it would behind a slow disk or a busy
    // Postgres: the user's second Ctrl-C must not wait too.
    let mut holder = rt
        .block_on(sqlx::SqliteConnection::connect(&w.db_url))
        .unwrap();
    rt.block_on(sqlx::query("BEGIN EXCLUSIVE").execute(&mut holder))
        .unwrap();
    signal(&child, libc::SIGINT);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    loop {
        let line = received
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no graceful-stop message; stderr so far: {seen:?}"));
        let first = line.contains("stopping after the page being written");
        seen.push(line);
        if first {
            break;
        }
    }
    signal(&child, libc::SIGINT);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    seen.extend(received.try_iter());
    rt.block_on(sqlx::query("ROLLBACK").execute(&mut holder))
        .unwrap();
    w.fake.server().set_faults(Faults::none());
    assert_eq!(status.code(), Some(130), "{seen:?}");
    assert!(
        seen.iter().any(|l| l.contains("SIGINT: quitting at once")),
        "{seen:?}"
    );
    rt.block_on(ledger.close());
}

/// A small xorshift generator: the test's random kill points, reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Every report a user reads of a database, as printed by the CLI (JSON, exact amounts).
fn reports(w: &World, db: &str, subjects: &[String]) -> Vec<String> {
    let run = |args: &[&str]| w.ok_cmd(w.cmd(args).env("COSTLEDGER_DATABASE_URL", db));
    let mut out = Vec::new();
    for period in [
        "2026-10-19..2026-11-21",
        "2026-10-19..2026-11-21 America/Los_Angeles",
    ] {
        out.push(run(&[
            "report",
            "dashboard",
            "--period",
            period,
            "--json",
            "--top",
            "100",
        ]));
        out.push(run(&["report", "focus", "--period", period]));
        for subject in subjects {
            out.push(run(&[
                "report", "user", subject, "--period", period, "--json",
            ]));
        }
    }
    out
}

#[test]
fn a_first_sync_killed_at_random_points_ends_exact_after_two_ordinary_syncs() {
    let seed: u64 = std::env::var("COSTLEDGER_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("SIGKILL test seed: {seed} (COSTLEDGER_TEST_SEED={seed} repeats it)");
    let mut rng = Rng(seed);
    let w = World::new(3, 30);
    w.add_plans(3);
    // The same plans in a second database, synced once without interruption.
    let reference = format!("sqlite://{}", w.path("reference.db").display());
    for (i, org) in w.fake.orgs().into_iter().enumerate() {
        w.ok_cmd(
            w.cmd(&["plans", "add", "--label", &format!("Org {}", i + 1)])
                .env("COSTLEDGER_DATABASE_URL", &reference)
                .env("ANTHROPIC_ADMIN_API_KEY", &org.admin_key),
        );
    }
    w.ok_cmd(w.cmd(&["sync"]).env("COSTLEDGER_DATABASE_URL", &reference));

    w.fake.server().set_faults(Faults::none().with_slow(15));
    let rt = runtime();
    let ledger = w.ledger(&rt);
    for round in 0..4 {
        let mut child = w
            .process(&["sync", "--lease-ttl", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let after = Duration::from_millis(100 + rng.below(1_500));
        std::thread::sleep(after);
        eprintln!("round {round}: SIGKILL after {after:?}");
        child.kill().unwrap();
        child.wait().unwrap();
    }
    w.fake.server().set_faults(Faults::none());
    // The dead processes' leases (1 s) must expire before the next sync can take the plans.
    wait_until("the killed processes' leases expired", || {
        (1..=3).all(|plan| {
            rt.block_on(ledger.store().lease(plan))
                .unwrap()
                .is_none_or(|l| l.expired_at(chrono::Utc::now()))
        })
    });
    w.ok(&["sync"]);
    w.ok(&["sync"]);

    // Subjects for the org members, in both databases, so user reports have keys.
    let mut subjects = Vec::new();
    for plan in 1..=3 {
        for user in rt.block_on(ledger.plan_metadata(plan)).unwrap().users {
            subjects.push(user.email);
        }
    }
    subjects.sort();
    subjects.dedup();
    for db in [w.db_url.as_str(), reference.as_str()] {
        for email in &subjects {
            w.ok_cmd(
                w.cmd(&["subjects", "add", email, "--email", email])
                    .env("COSTLEDGER_DATABASE_URL", db),
            );
        }
    }
    let got = reports(&w, &w.db_url, &subjects);
    let expected = reports(&w, &reference, &subjects);
    assert!(expected[0].contains("\"billed\""), "{}", expected[0]);
    for (got, expected) in got.iter().zip(&expected) {
        assert!(
            got == expected,
            "seed {seed}: a report differs:\n{got}\n---\n{expected}"
        );
    }
    let verify = w.json(&["verify", "--json"]);
    assert_eq!(verify["plans"].as_array().unwrap().len(), 3);
    for plan in verify["plans"].as_array().unwrap() {
        assert_eq!(plan["days"], serde_json::json!([]), "seed {seed}: {plan}");
        assert_eq!(plan["months"], serde_json::json!([]), "seed {seed}: {plan}");
    }
    rt.block_on(ledger.close());
}

#[test]
fn verify_finds_and_repairs_a_corrupted_ledger() {
    let w = World::new(1, 5);
    w.add_plans(1);
    w.ok(&["sync", "--initial-days", "5"]);
    let clean = w.ok(&["verify"]);
    assert!(clean.contains("every derived fact matches"), "{clean}");
    // A day's daily rollup changed behind the library's back.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 17).unwrap();
    let ts = day.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    runtime().block_on(corrupt(&w.db_url, ts));
    let stderr = w.fails(&["verify"], exit::INCONSISTENT, "INCONSISTENT");
    assert!(stderr.contains("verify --repair"), "{stderr}");
    let out = w.output(&mut w.cmd(&["verify", "--plan", "1", "--json"]));
    assert_eq!(out.status.code(), Some(exit::INCONSISTENT));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["plans"][0]["days"][0]["date"], "2026-11-17");
    assert_eq!(
        report["plans"][0]["days"][0]["tables"],
        serde_json::json!(["cost_daily"])
    );
    // A range without the day finds only that its month no longer adds up.
    let out = w.output(&mut w.cmd(&[
        "verify",
        "--from",
        "2026-11-18",
        "--to",
        "2026-11-20",
        "--json",
    ]));
    assert_eq!(out.status.code(), Some(exit::INCONSISTENT));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["plans"][0]["days"], serde_json::json!([]));
    assert_eq!(report["plans"][0]["months"][0]["month"], "2026-11-01");
    assert_eq!(
        report["plans"][0]["months"][0]["tables"],
        serde_json::json!(["cost_monthly"])
    );
    let repaired = w.ok(&["verify", "--repair"]);
    assert!(repaired.contains("repaired"), "{repaired}");
    w.ok(&["verify"]);
}

/// Add a nanodollar to one row of a day's daily rollup, directly in the database file.
async fn corrupt(db_url: &str, day: i64) {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(db_url).await.unwrap();
    let done = sqlx::query(
        "UPDATE costledger_cost_daily SET amount_nanos = amount_nanos + 1 \
         WHERE (plan_id, day, dim_id, basis) = (SELECT plan_id, day, dim_id, basis \
         FROM costledger_cost_daily WHERE day = $1 ORDER BY dim_id, basis LIMIT 1)",
    )
    .bind(day)
    .execute(&mut conn)
    .await
    .unwrap();
    assert_eq!(done.rows_affected(), 1);
}
