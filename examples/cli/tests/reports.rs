//! `costledger report …` against the fake: the amounts agree with the fake's ground truth to
//! the nanodollar, the lines add up, and bad periods are refused.

use crate::common::{World, exit, nanos, now};
use chrono::{DateTime, Utc};

/// Two plans synced over the fake's 12 days of history, with the legacy streams: the
/// amounts below are the legacy cost report's.
fn synced() -> World {
    let w = World::new(2, 12);
    w.add_plans(2);
    w.ok(&["sync", "--initial-days", "12", "--streams", "legacy"]);
    w
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// The fake's billed cost of the days in `[start, end)` that it has billed by now.
fn truth_billed(w: &World, start: &str, end: &str) -> i64 {
    let truth = w.fake.server().truth_between(at(start), at(end).min(now()));
    truth.orgs.iter().map(|o| o.cost_total_nanos as i64).sum()
}

fn sum<'a>(lines: impl Iterator<Item = &'a serde_json::Value>, field: &str) -> i64 {
    lines.map(|l| nanos(&l["cost"][field])).sum()
}

#[test]
fn dashboard_billed_equals_the_fakes_truth_and_lines_add_up() {
    let w = synced();
    let d = w.json(&[
        "report",
        "dashboard",
        "--period",
        "2026-11-10..2026-11-21",
        "--top",
        "100",
        "--json",
    ]);
    let totals = &d["totals"];
    assert_eq!(
        nanos(&totals["billed"]),
        truth_billed(&w, "2026-11-10T00:00:00Z", "2026-11-21T00:00:00Z")
    );
    assert!(
        nanos(&totals["estimated"]) > 0,
        "priority tier and today: {totals}"
    );
    assert_eq!(
        nanos(&totals["total"]),
        nanos(&totals["billed"]) + nanos(&totals["estimated"])
    );
    for field in ["total", "billed", "estimated"] {
        let want = nanos(&totals[field]);
        assert_eq!(sum(d["per_plan"].as_array().unwrap().iter(), field), want);
        assert_eq!(
            sum(d["per_workspace"].as_array().unwrap().iter(), field),
            want
        );
        assert_eq!(sum(d["per_model"].as_array().unwrap().iter(), field), want);
        assert_eq!(sum(d["daily"].as_array().unwrap().iter(), field), want);
    }
    // Today (Nov 20) is not billed yet: its usage is estimated.
    let today = d["daily"].as_array().unwrap().last().unwrap();
    assert_eq!(today["date"], "2026-11-20");
    assert_eq!(nanos(&today["cost"]["billed"]), 0);
    assert!(nanos(&today["cost"]["estimated"]) > 0);

    // The table shows the same totals, rounded to the cent, with their basis.
    let text = w.ok(&["report", "dashboard", "--period", "2026-11-10..2026-11-21"]);
    let shown = crate::common::cents(nanos(&totals["billed"]));
    assert!(text.contains(&shown), "{shown} in:\n{text}");
    for section in [
        "Per plan",
        "Per workspace",
        "Per model",
        "Top users",
        "estimated",
        "billed",
    ] {
        assert!(text.contains(section), "{section} in:\n{text}");
    }
    assert!(text.contains("2026-11-10 → 2026-11-20 (UTC)"), "{text}");
    assert!(text.contains("today so far"), "{text}");
}

#[test]
fn a_users_costs_follow_their_email_and_mappings() {
    let w = synced();
    let keys = w.json(&["plans", "keys", "1", "--json"]);
    let creator_id = keys["api_keys"][0]["created_by_id"].as_str().unwrap();
    let creator = keys["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == creator_id)
        .unwrap();
    let email = creator["email"].as_str().unwrap();
    w.ok(&["subjects", "add", "ada", "--email", email, "--name", "Ada"]);

    let costs = w.json(&["report", "user", "ada", "--period", "2026-11", "--json"]);
    assert_eq!(costs["subject"]["email"], email);
    let total = nanos(&costs["total"]["total"]);
    assert!(total > 0, "{costs}");
    assert_eq!(
        sum(costs["per_plan"].as_array().unwrap().iter(), "total"),
        total
    );
    assert_eq!(
        sum(costs["per_day"].as_array().unwrap().iter(), "total"),
        total
    );

    // The dashboard's line for the same user agrees.
    let d = w.json(&["report", "dashboard", "--period", "2026-11", "--json"]);
    let line = d["top_subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject_id"] == "ada")
        .unwrap();
    assert_eq!(nanos(&line["cost"]["total"]), total);

    let text = w.ok(&["report", "user", "ada"]);
    assert!(text.contains("ada (Ada <"), "{text}");
    assert!(
        text.contains("Per model") && text.contains("Per project"),
        "{text}"
    );

    // Mapping a key of someone else to a new user moves its cost at once, no re-sync.
    let other = keys["api_keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["created_by_id"] != creator_id)
        .unwrap();
    w.ok(&["subjects", "add", "bob"]);
    w.ok(&["map-key", "add", "1", other["id"].as_str().unwrap(), "bob"]);
    let bob = w.json(&["report", "user", "bob", "--period", "2026-11", "--json"]);
    assert!(nanos(&bob["total"]["total"]) > 0, "{bob}");
}

#[test]
fn history_lists_the_events() {
    let w = synced();
    let events = w.json(&["report", "history", "--json"]);
    let events = events.as_array().unwrap();
    // Metadata, usage, cost, Claude Code and allocation, for each of two plans (and the other
    // default streams, counted by their own tests).
    let legacy = ["metadata", "usage", "cost", "claude_code", "allocation"];
    let counted = events
        .iter()
        .filter(|e| legacy.iter().any(|s| e["stream"] == *s))
        .count();
    assert_eq!(counted, 10, "{events:?}");
    assert!(events.iter().all(|e| e["status"] == "ok"));
    let one = w.json(&["report", "history", "--plan", "2", "--limit", "3", "--json"]);
    assert_eq!(one.as_array().unwrap().len(), 3);
    assert!(one.as_array().unwrap().iter().all(|e| e["plan_id"] == 2));
    let text = w.ok(&["report", "history"]);
    for stream in ["metadata", "usage", "cost", "claude_code", "allocation"] {
        assert!(text.contains(stream), "{stream} in:\n{text}");
    }
}

#[test]
fn malformed_periods_are_refused() {
    let w = World::new(1, 1);
    w.add_plans(1);
    w.ok(&["subjects", "add", "ada"]);
    for (args, part) in [
        (
            &["report", "dashboard", "--period", "2026-13"][..],
            "--period: month must be 1-12, got 13",
        ),
        (
            &["report", "dashboard", "--period", "November"],
            "--period: period must look like 2026-11, 2026-11-05, 2026-W45",
        ),
        (
            &["report", "user", "ada", "--period", "2026-11 Mars/Olympus"],
            "time zone must be an IANA name",
        ),
        (
            &["report", "dashboard", "--period", "2026-11-05..2026-11-01"],
            "a period must end after it starts",
        ),
    ] {
        let stderr = w.fails(args, exit::USAGE, "INVALID_INPUT");
        assert!(stderr.contains(part), "{args:?}: {stderr}");
    }
    let stderr = w.fails(
        &["report", "user", "nobody"],
        exit::NOT_FOUND,
        "SUBJECT_NOT_FOUND",
    );
    assert!(stderr.contains("subject 'nobody' not found"), "{stderr}");
}

#[test]
fn periods_in_a_time_zone() {
    let w = synced();
    let d = w.json(&[
        "report",
        "dashboard",
        "--period",
        "2026-11-12..2026-11-19 America/Los_Angeles",
        "--json",
    ]);
    assert_eq!(d["period"]["time_zone"], "America/Los_Angeles");
    assert_eq!(d["daily"].as_array().unwrap().len(), 7);
    // The dates run from 08:00 UTC (PST): billed days are split by hour, so billed is
    // allocated hour by hour and still sums to the days' lines.
    let total = nanos(&d["totals"]["total"]);
    assert_eq!(sum(d["daily"].as_array().unwrap().iter(), "total"), total);
}

/// The header and rows of a CSV document (no quoted commas in the fields read here).
fn csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no {name} in {header:?}"))
}

#[test]
fn csv_exports_and_the_focus_layout() {
    let w = synced();
    let period = "2026-11-10..2026-11-21";
    let billed = truth_billed(&w, "2026-11-10T00:00:00Z", "2026-11-21T00:00:00Z");

    let (header, rows) = csv(&w.ok(&["report", "dashboard", "--period", period, "--csv"]));
    let (section, total) = (column(&header, "section"), column(&header, "billed"));
    let totals = rows.iter().find(|r| r[section] == "total").unwrap();
    assert_eq!(
        costledger::Money::parse_dollars(&totals[total])
            .unwrap()
            .nanos(),
        billed
    );
    assert_eq!(rows.iter().filter(|r| r[section] == "day").count(), 11);

    // FOCUS: BilledCost sums to the bill to the nanodollar.
    let focus = w.ok(&["report", "focus", "--period", period]);
    let (header, rows) = csv(&focus);
    assert_eq!(header[0], "BilledCost");
    let billed_cost = column(&header, "BilledCost");
    let sum: i64 = rows
        .iter()
        .map(|r| {
            costledger::Money::parse_dollars(&r[billed_cost])
                .unwrap()
                .nanos()
        })
        .sum();
    assert_eq!(sum, billed);
    let one = w.ok(&["report", "focus", "--period", period, "--plan", "2"]);
    assert!(one.lines().count() < focus.lines().count());
    w.fails(
        &["report", "focus", "--plan", "9"],
        exit::NOT_FOUND,
        "PLAN_NOT_FOUND",
    );

    // The other reports: a header and rows.
    w.ok(&["subjects", "add", "ada"]);
    w.ok(&["budgets", "add", "--name", "Company", "--amount", "100"]);
    for args in [
        &["report", "user", "ada", "--csv"][..],
        &["report", "history", "--csv"],
        &["report", "budgets", "--csv"],
        &["report", "forecast", "--csv"],
        &["sync", "--csv"],
    ] {
        let out = w.ok(args);
        let (header, rows) = csv(&out);
        assert!(header.len() > 3 && !rows.is_empty(), "{args:?}:\n{out}");
        assert!(out.ends_with("\r\n"), "{args:?}: RFC 4180 line ends");
    }
    let out = w.output(&mut w.cmd(&["report", "user", "ada", "--csv", "--json"]));
    assert_eq!(
        out.status.code(),
        Some(exit::USAGE),
        "--csv and --json conflict"
    );
}

#[test]
fn a_model_without_a_price_is_listed_with_its_cost_unknown() {
    let w = World::new(1, 1);
    let project = w.path("logs").join("project");
    std::fs::create_dir_all(&project).unwrap();
    let line = |n: u32, model: &str, at: &str| {
        format!(
            "{{\"timestamp\":\"{at}\",\"sessionId\":\"s-1\",\"requestId\":\"req_{n}\",\
             \"type\":\"assistant\",\"message\":{{\"id\":\"msg_{n}\",\"model\":\"{model}\",\
             \"usage\":{{\"input_tokens\":1000,\"output_tokens\":500}}}}}}\n"
        )
    };
    let text = [
        line(1, "claude-imaginary-9", "2026-11-18T10:00:00.000Z"),
        line(2, "claude-imaginary-9", "2026-11-19T01:00:00.000Z"),
        line(3, "claude-sonnet-4-5-20250929", "2026-11-18T11:00:00.000Z"),
    ]
    .concat();
    std::fs::write(project.join("s-1.jsonl"), text).unwrap();
    let dir = w.path("logs").display().to_string();
    w.ok(&[
        "plans",
        "add",
        "--label",
        "Laptop",
        "--claude-code-logs",
        "--dir",
        &dir,
    ]);
    w.ok(&["sync"]);
    let d = w.json(&["report", "dashboard", "--period", "2026-11-18", "--json"]);
    let models = d["per_model"].as_array().unwrap();
    let unknown = models
        .iter()
        .find(|m| m["model"] == "claude-imaginary-9")
        .unwrap_or_else(|| panic!("the unpriced model is listed: {d}"));
    assert_eq!(unknown["cost_unknown"], true);
    assert_eq!(unknown["unpriced_tokens"], 1_500, "only the 18th's hours");
    assert_eq!(unknown["tokens"]["uncached_input"], 1_000);
    assert_eq!(nanos(&unknown["cost"]["total"]), 0);
    let sonnet = models
        .iter()
        .find(|m| m["model"] == "claude-sonnet-4-5-20250929")
        .unwrap();
    assert_eq!(sonnet["cost_unknown"], false);
    assert_eq!(d["missing_prices"][0]["tokens"], 1_500);
    assert_eq!(d["missing_prices"].as_array().unwrap().len(), 1);
    let table = w.ok(&["report", "dashboard", "--period", "2026-11-18"]);
    assert!(
        table.contains("claude-imaginary-9 (no price: cost unknown)"),
        "{table}"
    );
    assert!(table.contains("unknown"), "{table}");
}

/// `report reconcile`: the legacy cost report's day and its allocation equal the fake's truth
/// (token and web search lines placed, code execution unallocated); without the analytics
/// stream synced the analytics column is empty and the day is legacy only.
#[test]
fn reconcile_shows_the_legacy_day_and_its_allocation() {
    let w = synced();
    let lines = w.json(&[
        "report",
        "reconcile",
        "--from",
        "2026-11-15",
        "--to",
        "2026-11-16",
        "--json",
    ]);
    let lines = lines.as_array().unwrap();
    assert_eq!(lines.len(), 2, "one line per plan: {lines:?}");
    let truth = w.fake.server().truth();
    let plans = w.json(&["plans", "list", "--json"]);
    for l in lines {
        assert_eq!(l["day"], "2026-11-15");
        assert_eq!(l["status"], "legacy_only", "{l}");
        assert_eq!(l["analytics_state"], "not_synced", "{l}");
        assert!(
            l["analytics_list"].is_null() && l["rounding"].is_null(),
            "{l}"
        );
        let plan = plans
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == l["plan_id"])
            .unwrap();
        let org = truth.org(plan["org_id"].as_str().unwrap()).unwrap();
        let rows = org.cost.iter().filter(|r| r.day == "2026-11-15");
        let (mut placed, mut code) = (0, 0);
        for r in rows {
            if r.cost_type == "code_execution" {
                code += r.amount_nanos as i64;
            } else {
                placed += r.amount_nanos as i64;
            }
        }
        assert_eq!(nanos(&l["legacy"]), org.cost_per_day["2026-11-15"] as i64);
        assert_eq!(nanos(&l["allocated"]), placed, "{l}");
        assert_eq!(nanos(&l["unallocated"]), code, "{l}");
    }
    let table = w.ok(&["report", "reconcile", "--from", "2026-11-01"]);
    assert!(
        table.contains("legacy only (analytics not_synced)"),
        "{table}"
    );
    assert!(table.contains("days reconciled"), "{table}");
    w.fails_cmd(
        &mut w.cmd(&[
            "report",
            "reconcile",
            "--from",
            "2026-11-15",
            "--to",
            "2026-11-15",
        ]),
        exit::USAGE,
        "INVALID_INPUT",
    );
}
