//! `costledger budgets …`, `report budgets` and `report forecast`: limits, where they stand,
//! and the alerts a sync returns once per threshold and period.

use crate::common::{World, exit, nanos};

fn synced() -> World {
    let w = World::new(2, 12);
    w.add_plans(2);
    w.ok(&["sync", "--initial-days", "12"]);
    w
}

#[test]
fn add_list_update_delete() {
    let w = synced();
    let out = w.ok(&["budgets", "add", "--name", "Company", "--amount", "2500"]);
    assert!(
        out.contains(
            "budget 1 \"Company\": $2,500.00 per month on every plan, alerts at 50%, 80%, 100%"
        ),
        "{out}"
    );
    let b = w.json(&[
        "budgets",
        "add",
        "--name",
        "Org 2 weekly",
        "--scope",
        "plan:2",
        "--every",
        "week",
        "--amount",
        "99.5",
        "--alert",
        "90",
        "--alert",
        "120",
        "--time-zone",
        "America/Los_Angeles",
        "--json",
    ]);
    assert_eq!(
        b["scope"],
        serde_json::json!({"kind": "plan", "plan_id": 2})
    );
    assert_eq!(b["period"], "week");
    assert_eq!(b["time_zone"], "America/Los_Angeles");
    assert_eq!(b["thresholds"], serde_json::json!([90, 120]));
    w.ok(&["subjects", "add", "ada"]);
    w.ok(&[
        "budgets",
        "add",
        "--name",
        "Ada",
        "--scope",
        "subject:ada",
        "--amount",
        "10",
        "--no-alerts",
    ]);
    w.ok(&[
        "budgets",
        "add",
        "--name",
        "Default ws",
        "--scope",
        "workspace:1:default",
        "--every",
        "day",
        "--amount",
        "5",
    ]);

    let list = w.json(&["budgets", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert_eq!(list[2]["thresholds"], serde_json::json!([]));
    assert_eq!(
        list[3]["scope"],
        serde_json::json!({"kind": "workspace", "plan_id": 1, "workspace_id": null})
    );
    let text = w.ok(&["budgets", "list"]);
    assert!(
        text.contains("Org 2 weekly") && text.contains("none"),
        "{text}"
    );

    let updated = w.json(&[
        "budgets", "update", "2", "--amount", "150", "--alert", "100", "--json",
    ]);
    // Money is an exact decimal string of dollars in JSON.
    assert_eq!(updated["amount"], "150.00");
    assert_eq!(updated["thresholds"], serde_json::json!([100]));
    w.ok(&["budgets", "delete", "4"]);
    w.fails(
        &["budgets", "delete", "4"],
        exit::NOT_FOUND,
        "BUDGET_NOT_FOUND",
    );
    w.fails(
        &["budgets", "update", "4", "--amount", "1"],
        exit::NOT_FOUND,
        "BUDGET_NOT_FOUND",
    );
}

#[test]
fn bad_budgets_are_refused() {
    let w = synced();
    let stderr = w.fails(
        &[
            "budgets", "add", "--name", "x", "--scope", "team:3", "--amount", "1",
        ],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(
        stderr.contains("--scope: budget scope must be global, plan:ID"),
        "{stderr}"
    );
    w.fails(
        &[
            "budgets", "add", "--name", "x", "--scope", "plan:9", "--amount", "1",
        ],
        exit::NOT_FOUND,
        "PLAN_NOT_FOUND",
    );
    w.fails(
        &[
            "budgets",
            "add",
            "--name",
            "x",
            "--scope",
            "subject:nobody",
            "--amount",
            "1",
        ],
        exit::NOT_FOUND,
        "SUBJECT_NOT_FOUND",
    );
    let stderr = w.fails(
        &["budgets", "add", "--name", "x", "--amount", "0"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(
        stderr.contains("budget amount must be more than $0"),
        "{stderr}"
    );
    let stderr = w.fails(
        &["budgets", "add", "--name", "x", "--amount", "1e3"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(
        stderr.contains("--amount: amount \"1e3\" is not a decimal number of dollars"),
        "{stderr}"
    );
    let stderr = w.fails(
        &[
            "budgets", "add", "--name", "x", "--amount", "1", "--every", "year",
        ],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(
        stderr.contains("--every: budget period must be one of day, week, month"),
        "{stderr}"
    );
    let stderr = w.fails(
        &[
            "budgets", "add", "--name", "x", "--amount", "1", "--alert", "80", "--alert", "50",
        ],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(stderr.contains("thresholds must be"), "{stderr}");
    w.fails(
        &[
            "budgets",
            "add",
            "--name",
            "x",
            "--amount",
            "1",
            "--time-zone",
            "Mars/Olympus",
        ],
        exit::USAGE,
        "INVALID_INPUT",
    );
}

#[test]
fn status_forecast_and_alerts_once_per_period() {
    let w = synced();
    w.ok(&[
        "budgets", "add", "--name", "Tiny", "--amount", "1", "--every", "month",
    ]);
    w.ok(&[
        "budgets", "add", "--name", "Huge", "--amount", "1000000", "--scope", "plan:1",
    ]);

    let statuses = w.json(&["report", "budgets", "--json"]);
    let tiny = &statuses[0];
    assert_eq!(tiny["period"]["start"], "2026-11-01");
    assert_eq!(tiny["thresholds_crossed"], serde_json::json!([50, 80, 100]));
    // The month's usage cost is the dashboard's.
    let d = w.json(&["report", "dashboard", "--period", "2026-11", "--json"]);
    let usage = nanos(&d["totals"]["billed"]) + nanos(&d["totals"]["estimated"]);
    assert_eq!(nanos(&tiny["spent"]["total"]), usage);
    assert_eq!(statuses[1]["thresholds_crossed"], serde_json::json!([]));
    let text = w.ok(&["report", "budgets"]);
    assert!(
        text.contains("Tiny") && text.contains("(over)") && text.contains("50% 80% 100%"),
        "{text}"
    );
    assert!(text.contains("2026-11 (UTC)"), "{text}");

    // The next sync alerts Tiny's three thresholds, the one after nothing.
    let report = w.json(&["sync", "--json"]);
    let alerts = report["budget_alerts"].as_array().unwrap();
    let reached: Vec<i64> = alerts
        .iter()
        .map(|a| a["threshold"].as_i64().unwrap())
        .collect();
    assert_eq!(reached, [50, 80, 100], "{alerts:?}");
    assert!(alerts.iter().all(|a| a["name"] == "Tiny"));
    let again = w.ok(&["sync"]);
    assert!(!again.contains("reached"), "{again}");

    let f = w.json(&[
        "report", "forecast", "--scope", "plan:1", "--period", "2026-11", "--json",
    ]);
    let dollars = |v: &serde_json::Value| v.as_str().unwrap().parse::<costledger::Money>().unwrap();
    assert!(dollars(&f["projected"]) > dollars(&f["spent"]), "{f}");
    assert!(
        f["method"].as_str().unwrap().contains("mean of the last"),
        "{f}"
    );
    let text = w.ok(&["report", "forecast"]);
    assert!(
        text.contains("projected") && text.contains("every plan"),
        "{text}"
    );
    w.fails(
        &["report", "forecast", "--scope", "plan:7"],
        exit::NOT_FOUND,
        "PLAN_NOT_FOUND",
    );
    w.fails(
        &["report", "forecast", "--period", "2026-00"],
        exit::USAGE,
        "INVALID_INPUT",
    );
}
