//! Opening a database: many processes at once on a fresh one, and a server that refuses.
//! The children are this test binary run again with `--ignored --exact
//! store_open::child_open` and their instructions in environment variables.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::TestDb;
use costledger::{Ledger, LedgerConfig, MasterKey, NewPlan};

backend_tests!(many_processes_open_a_fresh_database_at_once);

/// Processes opening one fresh database together.
const PROCESSES: usize = 6;

/// The child side: wait for the go file, open (creating and migrating), say so, exit.
#[tokio::test]
#[ignore = "entry point of the child process started by the tests in this file"]
async fn child_open() {
    let Ok(url) = std::env::var("CL_OPEN_DB_URL") else {
        return;
    };
    let go = std::env::var("CL_OPEN_GO").unwrap();
    while !Path::new(&go).exists() {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let mut config = LedgerConfig::new(url).without_env();
    if let Ok(schema) = std::env::var("CL_OPEN_SCHEMA") {
        config = config.postgres_schema(schema);
    }
    match Ledger::open(config).await {
        Ok(ledger) => {
            ledger.close().await;
            println!("CHILD OPENED");
        }
        Err(e) => println!("CHILD FAILED {}: {}", e.code(), e.full_message()),
    }
}

async fn many_processes_open_a_fresh_database_at_once(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let go = dir.path().join("go");
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            let mut command = Command::new(std::env::current_exe().unwrap());
            command
                .args([
                    "--ignored",
                    "--exact",
                    "store_open::child_open",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("CL_OPEN_DB_URL", &db.url)
                .env("CL_OPEN_GO", &go)
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit());
            if let Some(schema) = &db.schema {
                command.env("CL_OPEN_SCHEMA", schema);
            }
            command.spawn().expect("child test process starts")
        })
        .collect();
    std::fs::write(&go, b"go").unwrap();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}");
        assert!(text.contains("CHILD OPENED"), "{text}");
    }
    // The database they made together is whole: a ledger opens it and uses it.
    let key = MasterKey::generate();
    let source = crate::common::KeyTableSource::new();
    source.allow(&crate::common::admin_key(1), "org-1", "Org 1");
    let ledger = Ledger::open(db.config(&key, source)).await.unwrap();
    ledger
        .add_plan(NewPlan::anthropic("Prod", crate::common::admin_key(1)))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_refused_postgres_connection_fails_fast_and_names_the_cause() {
    // Port 1 on the loopback: nothing listens there.
    let url = "postgres://costledger:hunter2-secret@127.0.0.1:1/costledger";
    let started = Instant::now();
    let e = Ledger::open(LedgerConfig::new(url).without_env())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "STORAGE");
    let text = e.full_message();
    assert!(text.contains("connection refused"), "{text}");
    assert!(text.contains("127.0.0.1:1"), "names host and port: {text}");
    assert!(
        !text.contains("hunter2-secret"),
        "never the password: {text}"
    );
    assert!(text.contains("costledger:***@"), "{text}");
    // A generous bound: the pool's own wait would be 30 s.
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn postgres_sessions_run_without_parallel_workers_unless_the_url_says() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    async fn workers(url: &str, db: &TestDb) -> String {
        let store = costledger::store::PostgresStore::open(url, &db.store_options())
            .await
            .unwrap();
        sqlx::query_scalar("SHOW max_parallel_workers_per_gather")
            .fetch_one(store.pool())
            .await
            .unwrap()
    }
    assert_eq!(workers(&db.url, &db).await, "0");
    let sep = if db.url.contains('?') { '&' } else { '?' };
    let own = format!(
        "{}{sep}options=-c%20max_parallel_workers_per_gather%3D3",
        db.url
    );
    assert_eq!(workers(&own, &db).await, "3");
}
