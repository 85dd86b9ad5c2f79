//! Syncs in other processes: killed with SIGKILL mid-way, running beside this one, or dead
//! while holding leases. The child is this test binary run again with `--ignored --exact
//! child_sync` and its instructions in environment variables.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::TestDb;
use crate::common::fake::{
    FakeConfig, FakeServer, Faults, Synced, all_history, assert_matches_truth, synced,
};
use chrono::{DateTime, TimeDelta, Utc};
use costledger::{
    Clock, FixedClock, Ledger, LedgerConfig, ListPlans, MasterKey, SyncHistoryFilter, SyncStatus,
    SyncStream,
};

backend_tests!(
    a_sync_killed_mid_way_resumes_to_the_exact_truth,
    two_processes_never_sync_the_same_plan_at_once,
    a_dead_workers_lease_is_taken_over_after_it_expires,
);

/// The streams the child syncs.
pub(crate) const STREAMS: &[SyncStream] =
    &[SyncStream::Metadata, SyncStream::Usage, SyncStream::Cost];

/// The child side: sync as the environment says, print the report, exit.
#[tokio::test]
#[ignore = "entry point of the child process started by the tests in this file"]
async fn child_sync() {
    let Ok(url) = std::env::var("CL_CHILD_DB_URL") else {
        return;
    };
    let env = |name: &str| std::env::var(name).unwrap();
    let now = DateTime::parse_from_rfc3339(&env("CL_CHILD_NOW"))
        .unwrap()
        .with_timezone(&Utc);
    let shifted = std::env::var("CL_CHILD_CLOCK_OFFSET_MS").ok();
    let clock: Arc<dyn Clock> = match &shifted {
        Some(ms) => Arc::new(ShiftedClock(TimeDelta::milliseconds(ms.parse().unwrap()))),
        None => Arc::new(FixedClock::new(now)),
    };
    let mut config = LedgerConfig::new(url)
        .master_key(env("CL_CHILD_KEY"))
        .anthropic_base_url(env("CL_CHILD_FAKE"))
        .request_interval(Duration::ZERO)
        .retry_backoff(Duration::from_millis(5))
        .clock(clock)
        .without_env();
    if let Ok(schema) = std::env::var("CL_CHILD_SCHEMA") {
        config = config.postgres_schema(schema);
    }
    let ledger = Ledger::open(config).await.unwrap();
    // `CL_CHILD_STREAMS` (comma-separated stream names) overrides the streams.
    let streams: Vec<SyncStream> = match std::env::var("CL_CHILD_STREAMS") {
        Ok(list) => list.split(',').map(|s| s.parse().unwrap()).collect(),
        Err(_) => STREAMS.to_vec(),
    };
    let mut options = all_history(env("CL_CHILD_DAYS").parse().unwrap())
        .streams(&streams)
        .concurrency(env("CL_CHILD_CONCURRENCY").parse().unwrap())
        .lease_ttl(Duration::from_millis(
            env("CL_CHILD_TTL_MS").parse().unwrap(),
        ));
    if shifted.is_some() {
        options.initial_backfill += FLOWING_SLACK;
    }
    let report = ledger.sync(options).await.unwrap();
    println!("CHILD REPORT {}", serde_json::to_string(&report).unwrap());
}

/// The system clock moved by a fixed offset: time flows, so events of two processes that
/// share the offset can be compared, while "now" stays in the fake's hour.
#[derive(Debug)]
struct ShiftedClock(TimeDelta);

/// A first sync on a [`ShiftedClock`] reaches back this much further: "now" is a little past
/// the fake's clock, and a window's start is rounded up to the hour, which would leave out
/// the history's first hour.
const FLOWING_SLACK: TimeDelta = TimeDelta::hours(1);

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.0
    }
}

fn spawn_child(s: &Synced, days: u32, concurrency: usize, ttl_ms: u64) -> Child {
    child_command(&s.db, &s.key, &s.fake, days, concurrency, ttl_ms)
        .stdout(Stdio::piped())
        .spawn()
        .expect("child test process starts")
}

/// The command that runs [`child_sync`] in another process: a sync of every plan of `db`
/// from `fake`, `days` of history, with short leases.
pub(crate) fn child_command(
    db: &TestDb,
    key: &MasterKey,
    fake: &FakeServer,
    days: u32,
    concurrency: usize,
    ttl_ms: u64,
) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--ignored",
            "--exact",
            "sync_processes::child_sync",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CL_CHILD_DB_URL", &db.url)
        .env("CL_CHILD_KEY", key.to_base64().as_str())
        .env("CL_CHILD_FAKE", fake.base_url())
        .env("CL_CHILD_NOW", fake.now().to_rfc3339())
        .env("CL_CHILD_DAYS", days.to_string())
        .env("CL_CHILD_CONCURRENCY", concurrency.to_string())
        .env("CL_CHILD_TTL_MS", ttl_ms.to_string())
        .stderr(Stdio::inherit());
    if let Some(schema) = &db.schema {
        command.env("CL_CHILD_SCHEMA", schema);
    }
    command
}

/// Wait until `check` holds, polling; panic after 60 s.
async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn leases_held(s: &Synced) -> usize {
    let mut held = 0;
    for plan in &s.plans {
        if s.ledger.store().lease(plan.id).await.unwrap().is_some() {
            held += 1;
        }
    }
    held
}

async fn a_sync_killed_mid_way_resumes_to_the_exact_truth(db: TestDb) {
    let s = synced(
        db,
        FakeConfig {
            days: 30,
            ..FakeConfig::default()
        },
    )
    .await;
    // This ledger keeps attribution's inputs from a report read before the child runs; the
    // child's killed transactions (metadata included) must leave them exact.
    let metadata = s
        .ledger
        .sync(all_history(30).streams(&[SyncStream::Metadata]))
        .await
        .unwrap();
    assert!(metadata.is_ok(), "{metadata:#?}");
    let meta = s.ledger.store().metadata(s.plans[0].id).await.unwrap();
    let member = &meta.users[0];
    s.ledger
        .upsert_subject(costledger::NewSubject::new("member").email(member.email.clone()))
        .await
        .unwrap();
    let period: costledger::Period = s.fake.now().format("%Y-%m").to_string().parse().unwrap();
    s.ledger
        .dashboard(costledger::DashboardFilter::new(period))
        .await
        .unwrap();
    s.fake.set_faults(Faults::none().with_slow(40));
    let mut child = spawn_child(&s, 30, 3, 2_000);
    // Let it commit a few pages of every plan, then kill it without warning.
    wait_until("the child committed usage pages of every plan", || async {
        let mut committed = 0;
        for plan in &s.plans {
            if s.ledger
                .store()
                .watermark(plan.id, "usage:1h")
                .await
                .unwrap()
                .is_some()
            {
                committed += 1;
            }
        }
        committed == s.plans.len()
    })
    .await;
    // From here every request waits a minute, so the kill lands mid-sync however slowly this
    // machine polled.
    s.fake.set_faults(Faults::none().with_slow(60_000));
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    let mut marks = Vec::new();
    for plan in &s.plans {
        let mark = s
            .ledger
            .store()
            .watermark(plan.id, "usage:1h")
            .await
            .unwrap();
        marks.push(mark.unwrap());
    }
    assert!(
        marks.iter().any(|m| m.watermark < s.fake.now()),
        "killed before the end: {marks:?}"
    );

    s.fake.set_faults(Faults::none());
    // Its leases expire within 2 s; until then the plans are reported locked.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let report = s
            .ledger
            .sync(all_history(30).streams(STREAMS))
            .await
            .unwrap();
        if report.is_ok() {
            break;
        }
        assert!(
            report.plans.iter().all(|p| p.status != SyncStatus::Error),
            "only locks may hold it back: {report:#?}"
        );
        assert!(
            Instant::now() < deadline,
            "the dead child's leases never expired"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_matches_truth(&s).await;
    // The long-lived ledger's report equals a fresh process's.
    let fresh = Ledger::open(crate::common::fake::config(
        &s.db, &s.key, &s.fake, &s.clock,
    ))
    .await
    .unwrap();
    let filter = costledger::DashboardFilter::new(period);
    assert_eq!(
        s.ledger.dashboard(filter.clone()).await.unwrap(),
        fresh.dashboard(filter).await.unwrap()
    );
}

async fn two_processes_never_sync_the_same_plan_at_once(db: TestDb) {
    let s = synced(
        db,
        FakeConfig {
            days: 10,
            ..FakeConfig::default()
        },
    )
    .await;
    s.fake.set_faults(Faults::none().with_slow(25));
    // Both processes on one flowing clock, so that their events' times can be compared (a
    // fixed clock would stamp every event with the same instant).
    let offset = s.fake.now() - Utc::now();
    let clock = ShiftedClock(offset);
    let flowing = Ledger::open(
        crate::common::fake::config(&s.db, &s.key, &s.fake, &s.clock).clock(Arc::new(clock)),
    )
    .await
    .unwrap();
    let child = child_command(&s.db, &s.key, &s.fake, 10, 1, 30_000)
        .env(
            "CL_CHILD_CLOCK_OFFSET_MS",
            offset.num_milliseconds().to_string(),
        )
        .stdout(Stdio::piped())
        .spawn()
        .expect("child test process starts");
    wait_until("the child holds a lease", || async {
        leases_held(&s).await > 0
    })
    .await;
    let mine = flowing
        .sync(
            all_history(10)
                .initial_backfill(TimeDelta::days(10) + FLOWING_SLACK)
                .streams(STREAMS)
                .concurrency(1),
        )
        .await
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let line = text
        .lines()
        .find_map(|l| l.split_once("CHILD REPORT ").map(|(_, json)| json))
        .unwrap_or_else(|| panic!("no child report in its output: {text}"));
    let theirs: serde_json::Value = serde_json::from_str(line).unwrap();
    assert!(
        mine.plans.iter().any(|p| p.status == SyncStatus::Skipped),
        "this process met the child's lease: {mine:#?}"
    );
    // Each plan was synced by at least one process, and never by two at the same time.
    for plan in &s.plans {
        let theirs_ok = theirs["plans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["plan_id"] == plan.id && p["status"] == "ok");
        let mine_ok = mine.plan(plan.id).unwrap().status == SyncStatus::Ok;
        assert!(theirs_ok || mine_ok, "plan {} synced by nobody", plan.id);
        let events = s
            .ledger
            .sync_history(SyncHistoryFilter {
                stream: Some(SyncStream::Usage),
                ..SyncHistoryFilter::plan(plan.id)
            })
            .await
            .unwrap();
        assert!(
            events.iter().all(|e| e.finished_at > e.started_at),
            "events take time on a flowing clock: {events:?}"
        );
        for (i, a) in events.iter().enumerate() {
            for b in &events[i + 1..] {
                let overlap = a.started_at < b.finished_at && b.started_at < a.finished_at;
                assert!(
                    !overlap,
                    "plan {} synced twice at once: {a:?} {b:?}",
                    plan.id
                );
            }
        }
    }
    s.fake.set_faults(Faults::none());
    assert_matches_truth(&s).await;
}

async fn a_dead_workers_lease_is_taken_over_after_it_expires(db: TestDb) {
    let s = synced(
        db,
        FakeConfig {
            days: 10,
            ..FakeConfig::default()
        },
    )
    .await;
    s.fake.set_faults(Faults::none().with_slow(200));
    let mut child = spawn_child(&s, 10, 3, 3_000);
    wait_until("the child holds every lease", || async {
        leases_held(&s).await == s.plans.len()
    })
    .await;
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    s.fake.set_faults(Faults::none());
    let expiry = s
        .ledger
        .store()
        .lease(s.plans[0].id)
        .await
        .unwrap()
        .unwrap()
        .lease_until;
    let blocked = s
        .ledger
        .sync(all_history(10).streams(STREAMS))
        .await
        .unwrap();
    if Utc::now() < expiry {
        assert_eq!(
            blocked.plan(s.plans[0].id).unwrap().status,
            SyncStatus::Skipped,
            "{blocked:#?}"
        );
    }
    let wait = (expiry - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(50)).await;
    let report = s
        .ledger
        .sync(all_history(10).streams(STREAMS))
        .await
        .unwrap();
    assert!(report.is_ok(), "{report:#?}");
    assert_matches_truth(&s).await;
    assert_eq!(
        s.ledger
            .list_plans(ListPlans::default())
            .await
            .unwrap()
            .len(),
        3
    );
}
