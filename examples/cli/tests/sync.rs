//! `costledger sync` against the fake: first and incremental syncs, one plan, an explicit
//! range, and plans that fail.

use crate::common::{World, exit};

fn stream<'a>(plan: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    plan["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stream"] == name)
        .unwrap_or_else(|| panic!("no {name} stream in {plan}"))
}

#[test]
fn first_then_incremental() {
    let w = World::new(2, 10);
    w.add_plans(2);
    let out = w.ok(&["sync", "--initial-days", "10"]);
    assert!(
        out.contains("1 · Org 1") && out.contains("2 · Org 2"),
        "{out}"
    );
    assert!(out.contains("2 plans synced"), "{out}");

    let first = w.json(&["report", "history", "--json", "--limit", "100"]);
    let first_rows: i64 = first
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rows_written"].as_i64().unwrap())
        .sum();

    let report = w.json(&["sync", "--json"]);
    let plans = report["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 2);
    let mut rows = 0;
    for plan in plans {
        assert_eq!(plan["status"], "ok", "{plan}");
        let usage = stream(plan, "usage");
        // The incremental window is the 2-day lookback up to the last whole hour.
        assert_eq!(usage["window_start"], "2026-11-18T15:00:00Z", "{usage}");
        assert_eq!(usage["window_end"], "2026-11-20T15:00:00Z", "{usage}");
        assert_eq!(usage["buckets_written"], 48);
        for s in plan["streams"].as_array().unwrap() {
            rows += s["rows_written"].as_i64().unwrap();
        }
    }
    assert!(rows > 0 && rows < first_rows / 2, "{rows} vs {first_rows}");
}

#[test]
fn one_plan_and_an_explicit_range() {
    let w = World::new(2, 10);
    w.add_plans(2);
    let report = w.json(&["sync", "--plan", "2", "--json", "--initial-days", "3"]);
    assert_eq!(report["plans"].as_array().unwrap().len(), 1);
    assert_eq!(report["plans"][0]["plan_id"], 2);
    let history = w.json(&["report", "history", "--plan", "1", "--json"]);
    assert_eq!(history, serde_json::json!([]));

    let report = w.json(&[
        "sync",
        "--plan",
        "2",
        "--from",
        "2026-11-12",
        "--to",
        "2026-11-14",
        "--json",
    ]);
    let usage = stream(&report["plans"][0], "usage");
    assert_eq!(usage["window_start"], "2026-11-12T00:00:00Z");
    assert_eq!(usage["window_end"], "2026-11-14T00:00:00Z");
    assert_eq!(usage["buckets_written"], 48);
    let cost = stream(&report["plans"][0], "cost");
    assert_eq!(cost["buckets_written"], 2);
}

#[test]
fn malformed_and_reversed_dates_are_refused() {
    let w = World::new(1, 2);
    w.add_plans(1);
    let stderr = w.fails(
        &["sync", "--from", "2026-13-01", "--to", "2026-11-05"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(
        stderr.contains("--from must be a date (2026-11-01, UTC) or an RFC 3339 instant"),
        "{stderr}"
    );
    assert!(stderr.contains("\"2026-13-01\""), "{stderr}");
    let stderr = w.fails(
        &["sync", "--from", "2026-11-05", "--to", "yesterday"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(stderr.contains("--to must be a date"), "{stderr}");
    let stderr = w.fails(
        &["sync", "--from", "2026-11-17", "--to", "2026-11-15"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(stderr.contains("must end after it starts"), "{stderr}");
    let stderr = w.fails(
        &["sync", "--initial-days", "0"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(
        stderr.contains("--initial-days must be between 1 and 3660"),
        "{stderr}"
    );
    // --from without --to is a command-line error (clap's own message).
    let out = w.output(&mut w.cmd(&["sync", "--from", "2026-11-01"]));
    assert_eq!(out.status.code(), Some(exit::USAGE));
    // Nothing was synced.
    assert_eq!(
        w.json(&["report", "history", "--json"]),
        serde_json::json!([])
    );
}

#[test]
fn a_wrong_master_key_is_refused_before_any_plan_syncs() {
    let w = World::new(2, 2);
    w.add_plans(2);
    let other = costledger::MasterKey::generate().to_base64().to_string();
    let stderr = w.fails_cmd(
        w.cmd(&["sync", "--initial-days", "1"])
            .env("COSTLEDGER_MASTER_KEY", &other),
        exit::CREDENTIAL,
        "CRYPTO",
    );
    assert!(stderr.contains("wrong master key"), "{stderr}");
    assert!(!stderr.contains(&other), "{stderr}");
    assert_eq!(
        w.json(&["report", "history", "--json"]),
        serde_json::json!([]),
        "no plan started"
    );
}

#[test]
fn without_a_master_key_sync_is_refused_up_front() {
    let w = World::new(1, 2);
    w.add_plans(1);
    let stderr = w.fails_cmd(
        w.cmd(&["sync", "--initial-days", "1"])
            .env_remove("COSTLEDGER_MASTER_KEY"),
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(stderr.contains("no master key is configured"), "{stderr}");
    assert!(!stderr.contains("did not sync"), "{stderr}");
    assert_eq!(
        w.json(&["report", "history", "--json"]),
        serde_json::json!([]),
        "nothing was recorded"
    );
    // A plan of local logs alone needs no key.
    let logs = w.path("logs");
    std::fs::create_dir(&logs).unwrap();
    w.ok(&[
        "plans",
        "add",
        "--label",
        "Laptop",
        "--claude-code-logs",
        "--dir",
        &logs.display().to_string(),
    ]);
    let out = w.output(
        w.cmd(&["sync", "--plan", "2", "--json"])
            .env_remove("COSTLEDGER_MASTER_KEY"),
    );
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn a_revoked_key_fails_its_plan_only() {
    let w = World::new(2, 2);
    w.add_plans(2);
    w.fake.server().revoke_key(&w.key(0));
    let stderr = w.fails(
        &["sync", "--initial-days", "1"],
        exit::SYNC_INCOMPLETE,
        "CREDENTIAL_REJECTED",
    );
    assert!(
        stderr.contains("1 of 2 plans did not sync completely"),
        "{stderr}"
    );
    let plans = w.json(&["plans", "list", "--json"]);
    assert_eq!(plans[0]["status"], "error");
    assert_eq!(plans[1]["status"], "active");
    assert!(plans[1]["last_synced_at"].is_string());
    let list = w.ok(&["plans", "list"]);
    assert!(
        list.contains("error: the provider refused the credential"),
        "{list}"
    );
}
