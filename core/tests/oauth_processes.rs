//! Two processes refreshing one OAuth plan's tokens at the same moment: one rotates them, the
//! other adopts the rotated tokens, and the newest refresh token survives. The child is this
//! test binary run again with `--ignored --exact oauth_processes::child_check_plan`.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use costledger::{FixedClock, Ledger, LedgerConfig};
use fake_admin_api::OAuthExpiry;
use sqlx::Connection;

use crate::common::TestDb;
use crate::oauth_plans::setup;

backend_tests!(two_processes_refreshing_at_once_keep_the_newest_refresh_token);

/// The child side: open the ledger, wait for the common start instant, check the plan
/// (which refreshes its expired token), print the outcome.
#[tokio::test]
#[ignore = "entry point of the child process started by the tests in this file"]
async fn child_check_plan() {
    let Ok(url) = std::env::var("CL_OAUTH_CHILD_DB_URL") else {
        return;
    };
    let env = |name: &str| std::env::var(name).unwrap();
    let now = DateTime::parse_from_rfc3339(&env("CL_OAUTH_CHILD_NOW"))
        .unwrap()
        .with_timezone(&Utc);
    let mut config = LedgerConfig::new(url)
        .master_key(env("CL_OAUTH_CHILD_KEY"))
        .anthropic_base_url(env("CL_OAUTH_CHILD_FAKE"))
        .request_interval(Duration::ZERO)
        .clock(Arc::new(FixedClock::new(now)))
        .without_env();
    if let Ok(schema) = std::env::var("CL_OAUTH_CHILD_SCHEMA") {
        config = config.postgres_schema(schema);
    }
    let ledger = Ledger::open(config).await.unwrap();
    let start: i64 = env("CL_OAUTH_CHILD_START_MS").parse().unwrap();
    let wait = start - Utc::now().timestamp_millis();
    if wait > 0 {
        tokio::time::sleep(Duration::from_millis(wait as u64)).await;
    }
    let plan: i64 = env("CL_OAUTH_CHILD_PLAN").parse().unwrap();
    match ledger.check_plan(plan).await {
        Ok(org) => println!("CHILD OK {}", org.id),
        Err(e) => println!("CHILD ERR {} {e}", e.code()),
    }
}

/// Hold the lock a refresh takes first (Postgres: the credential's row; SQLite: the
/// database's write lock) until `release` fires: refreshes wait, reads and requests go on.
/// Resolves once the lock is held.
async fn hold_refresh_lock(
    db: &TestDb,
    plan_id: i64,
    release: tokio::sync::oneshot::Receiver<()>,
) -> tokio::task::JoinHandle<()> {
    let (locked, is_locked) = tokio::sync::oneshot::channel();
    let (url, schema) = (db.url.clone(), db.schema.clone());
    let holder = tokio::spawn(async move {
        if let Some(schema) = schema {
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            for statement in [format!("SET search_path TO {schema}"), "BEGIN".to_string()] {
                sqlx::query(sqlx::AssertSqlSafe(statement))
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
            sqlx::query("SELECT plan_id FROM costledger_credentials WHERE plan_id = $1 FOR UPDATE")
                .bind(plan_id)
                .fetch_one(&mut c)
                .await
                .unwrap();
            locked.send(()).unwrap();
            release.await.unwrap();
            sqlx::query("ROLLBACK").execute(&mut c).await.unwrap();
        } else {
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut c)
                .await
                .unwrap();
            locked.send(()).unwrap();
            release.await.unwrap();
            sqlx::query("ROLLBACK").execute(&mut c).await.unwrap();
        }
    });
    is_locked.await.expect("the refresh lock is taken");
    holder
}

async fn two_processes_refreshing_at_once_keep_the_newest_refresh_token(db: TestDb) {
    let s = setup(db, "slow:50".parse().unwrap()).await.synced;
    let id = s.plans[0].id;
    s.fake.expire_oauth(OAuthExpiry::AccessTokens);
    // Until both children have sent the expired token, neither can refresh: the race happens
    // however the machine schedules them.
    let (release, released) = tokio::sync::oneshot::channel();
    let holder = hold_refresh_lock(&s.db, id, released).await;
    let start = Utc::now().timestamp_millis() + 2_000;
    let children: Vec<_> = (0..2)
        .map(|_| {
            let mut command = Command::new(std::env::current_exe().unwrap());
            command
                .args([
                    "--ignored",
                    "--exact",
                    "oauth_processes::child_check_plan",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("CL_OAUTH_CHILD_DB_URL", &s.db.url)
                .env("CL_OAUTH_CHILD_KEY", s.key.to_base64().as_str())
                .env("CL_OAUTH_CHILD_FAKE", s.fake.base_url())
                .env("CL_OAUTH_CHILD_NOW", s.fake.now().to_rfc3339())
                .env("CL_OAUTH_CHILD_START_MS", start.to_string())
                .env("CL_OAUTH_CHILD_PLAN", id.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit());
            if let Some(schema) = &s.db.schema {
                command.env("CL_OAUTH_CHILD_SCHEMA", schema);
            }
            command.spawn().expect("child test process starts")
        })
        .collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while s.fake.oauth_stats().bearer_refused < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the children did not both send the expired token: {:?}",
            s.fake.oauth_stats()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    release.send(()).unwrap();
    holder.await.unwrap();
    let org = s.fake.orgs()[0].id.clone();
    for child in children {
        let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
            .await
            .unwrap();
        assert!(output.status.success());
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains(&format!("CHILD OK {org}")), "{text}");
    }
    let oauth = s.fake.oauth_stats();
    // Both sent the expired token (the race happened), one rotated it, the other adopted
    // the rotation: no refresh token was presented twice, so the grant lives on.
    assert_eq!(oauth.bearer_refused, 2, "{oauth:?}");
    assert_eq!((oauth.refreshes, oauth.reuse_detected), (1, 0), "{oauth:?}");
    s.fake.expire_oauth(OAuthExpiry::AccessTokens);
    s.ledger.check_plan(id).await.unwrap();
    assert_eq!(s.fake.oauth_stats().refreshes, 2);
}
