//! The same commands on Postgres: plans, sync and the dashboard in a schema of their own.
//! Runs when COSTLEDGER_TEST_DATABASE_URL names a Postgres database (scripts/test.sh sets
//! it), and fails instead of skipping when COSTLEDGER_REQUIRE_POSTGRES=1.

use crate::common::{World, exit, nanos, now};

#[test]
fn plans_sync_and_dashboard_on_postgres() {
    let Ok(url) = std::env::var("COSTLEDGER_TEST_DATABASE_URL") else {
        assert_ne!(
            std::env::var("COSTLEDGER_REQUIRE_POSTGRES").as_deref(),
            Ok("1"),
            "COSTLEDGER_TEST_DATABASE_URL is not set but Postgres tests are required"
        );
        eprintln!("skipping: COSTLEDGER_TEST_DATABASE_URL is not set");
        return;
    };
    let mut w = World::new(2, 5);
    w.db_url = url.clone();
    w.secret(&url);
    // Test schemas start with cltest_; scripts/test.sh drops them when it exits.
    let schema = format!(
        "cltest_cli_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let pg = |args: &[&str]| {
        let mut cmd = w.cmd(args);
        cmd.env("COSTLEDGER_POSTGRES_SCHEMA", &schema);
        cmd
    };
    for (i, org) in w.fake.orgs().iter().enumerate() {
        let label = format!("Org {}", i + 1);
        w.ok_cmd(
            pg(&["plans", "add", "--label", &label]).env("ANTHROPIC_ADMIN_API_KEY", &org.admin_key),
        );
    }
    let report: serde_json::Value = serde_json::from_str(&w.ok_cmd(&mut pg(&[
        "sync",
        "--json",
        "--initial-days",
        "5",
        "--streams",
        "legacy",
    ])))
    .unwrap();
    assert!(
        report["plans"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "ok")
    );
    let d: serde_json::Value = serde_json::from_str(&w.ok_cmd(&mut pg(&[
        "report",
        "dashboard",
        "--period",
        "2026-11-17..2026-11-21",
        "--json",
    ])))
    .unwrap();
    let truth = w
        .fake
        .server()
        .truth_between("2026-11-17T00:00:00Z".parse().unwrap(), now());
    let billed: i64 = truth.orgs.iter().map(|o| o.cost_total_nanos as i64).sum();
    assert_eq!(nanos(&d["totals"]["billed"]), billed);
    w.fails_cmd(
        &mut pg(&["plans", "check", "9"]),
        exit::NOT_FOUND,
        "PLAN_NOT_FOUND",
    );
}

#[test]
fn a_reconnected_organisation_is_counted_once_on_postgres() {
    let Ok(url) = std::env::var("COSTLEDGER_TEST_DATABASE_URL") else {
        assert_ne!(
            std::env::var("COSTLEDGER_REQUIRE_POSTGRES").as_deref(),
            Ok("1"),
            "COSTLEDGER_TEST_DATABASE_URL is not set but Postgres tests are required"
        );
        return;
    };
    let mut w = World::new(2, 3);
    w.db_url = url.clone();
    w.secret(&url);
    let schema = format!(
        "cltest_cli_{}_{}",
        std::process::id(),
        chrono::Utc::now().timestamp_subsec_nanos()
    );
    let pg = |args: &[&str]| {
        let mut cmd = w.cmd(args);
        cmd.env("COSTLEDGER_POSTGRES_SCHEMA", &schema);
        cmd
    };
    for (i, org) in w.fake.orgs().iter().enumerate() {
        let label = format!("Org {}", i + 1);
        w.ok_cmd(
            pg(&["plans", "add", "--label", &label]).env("ANTHROPIC_ADMIN_API_KEY", &org.admin_key),
        );
    }
    w.ok_cmd(&mut pg(&[
        "sync",
        "--initial-days",
        "3",
        "--streams",
        "legacy",
    ]));
    w.ok_cmd(&mut pg(&["plans", "disconnect", "1"]));
    let out = w.ok_cmd(
        pg(&["plans", "add", "--label", "Org 1 again"]).env("ANTHROPIC_ADMIN_API_KEY", w.key(0)),
    );
    assert!(out.contains("reconnected plan 1"), "{out}");
    w.ok_cmd(&mut pg(&["sync", "--streams", "legacy"]));
    let truth = w.fake.server().truth();
    let period = format!(
        "{}..{}",
        &truth.cost_starting_at[..10],
        &truth.cost_ending_at[..10]
    );
    let d: serde_json::Value = serde_json::from_str(&w.ok_cmd(&mut pg(&[
        "report",
        "dashboard",
        "--period",
        &period,
        "--json",
    ])))
    .unwrap();
    let bill: i64 = truth.orgs.iter().map(|o| o.cost_total_nanos as i64).sum();
    assert_eq!(nanos(&d["totals"]["billed"]), bill);
}
