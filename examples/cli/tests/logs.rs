//! `costledger logs …`: a Claude Code user's reports from a `claude_code_logs` plan, exact in
//! every time zone; a logs-only ledger without a master key; history that outlives the logs.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{World, exit, nanos};

const SONNET: &str = "claude-sonnet-4-5-20250929";

/// An assistant line of `output` output tokens (and 100 input, 1 000 cache write and 20 000
/// cache read tokens) at `at`.
fn line(session: &str, id: &str, model: &str, output: i64, at: &str) -> String {
    format!(
        "{{\"isSidechain\":false,\"sessionId\":\"{session}\",\"requestId\":\"r{id}\",\
         \"type\":\"assistant\",\"timestamp\":\"{at}\",\"message\":{{\"id\":\"m{id}\",\
         \"model\":\"{model}\",\"usage\":{{\"input_tokens\":100,\"output_tokens\":{output},\
         \"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":20000}}}}}}\n"
    )
}

fn write(path: &Path, lines: &[String]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, lines.concat()).unwrap();
}

/// A world whose ledger has a logs plan on `logs/` (made by `fill`), synced, and no master
/// key anywhere: a Claude Code user's ledger.
fn logs_world(fill: impl FnOnce(&Path)) -> (World, PathBuf) {
    let w = World::new(1, 1);
    let logs = w.path("logs");
    std::fs::create_dir_all(&logs).unwrap();
    fill(&logs);
    let dir = logs.display().to_string();
    w.ok_cmd(
        w.cmd(&[
            "plans",
            "add",
            "--label",
            "Max",
            "--claude-code-logs",
            "--dir",
            &dir,
        ])
        .env_remove("COSTLEDGER_MASTER_KEY"),
    );
    w.ok_cmd(w.cmd(&["sync"]).env_remove("COSTLEDGER_MASTER_KEY"));
    (w, logs)
}

/// `costledger logs ARGS --json` without a master key.
fn report(w: &World, args: &[&str]) -> Value {
    let mut all = vec!["logs"];
    all.extend(args);
    all.push("--json");
    let stdout = w.ok_cmd(w.cmd(&all).env_remove("COSTLEDGER_MASTER_KEY"));
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

/// The (period, entries, output tokens) of a periods report.
fn periods(v: &Value, key: &str) -> Vec<(String, i64, i64)> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap().to_string(),
                p["usage"]["entries"].as_i64().unwrap(),
                p["usage"]["tokens"]["output"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn p(period: &str, entries: i64, output: i64) -> (String, i64, i64) {
    (period.to_string(), entries, output)
}

/// Entries around midnight in Kolkata (UTC+5:30) and Kathmandu (UTC+5:45) on Sunday,
/// January 4th, 2026, and across New York's spring-forward night (March 8th).
fn zones_corpus(logs: &Path) {
    write(
        &logs.join("-home-app").join("s1.jsonl"),
        &[
            line("s1", "a", SONNET, 1, "2026-01-04T18:10:00Z"),
            line("s1", "b", SONNET, 2, "2026-01-04T18:20:00Z"),
        ],
    );
    write(
        &logs.join("-home-api").join("s2.jsonl"),
        &[
            line("s2", "c", SONNET, 4, "2026-01-04T18:40:00Z"),
            line("s2", "d", SONNET, 8, "2026-03-08T04:30:00Z"),
            line("s2", "e", SONNET, 16, "2026-03-09T03:50:00Z"),
            line("s2", "f", SONNET, 32, "2026-03-09T04:10:00Z"),
        ],
    );
}

#[test]
fn days_weeks_and_months_are_exact_in_every_zone() {
    let (w, _) = logs_world(zones_corpus);
    let daily = |tz: &str| periods(&report(&w, &["daily", "--timezone", tz]), "daily");
    assert_eq!(
        daily("UTC"),
        [
            p("2026-01-04", 3, 7),
            p("2026-03-08", 1, 8),
            p("2026-03-09", 2, 48)
        ]
    );
    // 18:10 and 18:20 UTC are 23:40 and 23:50 in Kolkata, 18:40 is 00:10 on the 5th.
    assert_eq!(
        daily("Asia/Kolkata")[..2],
        [p("2026-01-04", 2, 3), p("2026-01-05", 1, 4)]
    );
    // 18:10 UTC is 23:55 in Kathmandu, 18:20 is 00:05 on the 5th.
    assert_eq!(
        daily("Asia/Kathmandu")[..2],
        [p("2026-01-04", 1, 1), p("2026-01-05", 2, 6)]
    );
    // 04:30 UTC on March 8th is 23:30 EST on the 7th; 03:50 UTC on the 9th is 23:50 EDT on
    // the 8th (a 23-hour day); 04:10 UTC is 00:10 on the 9th.
    assert_eq!(
        daily("America/New_York")[1..],
        [
            p("2026-03-07", 1, 8),
            p("2026-03-08", 1, 16),
            p("2026-03-09", 1, 32)
        ]
    );
    let weekly = |tz: &str| periods(&report(&w, &["weekly", "--timezone", tz]), "weekly");
    assert_eq!(
        weekly("Asia/Kathmandu"),
        [
            p("2025-12-29", 1, 1),
            p("2026-01-05", 2, 6),
            p("2026-03-02", 1, 8),
            p("2026-03-09", 2, 48)
        ]
    );
    assert_eq!(
        weekly("America/New_York")[1..],
        [p("2026-03-02", 2, 24), p("2026-03-09", 1, 32)]
    );
    let monthly = report(&w, &["monthly", "--timezone", "Asia/Kolkata"]);
    assert_eq!(
        periods(&monthly, "monthly"),
        [p("2026-01", 3, 7), p("2026-03", 3, 56)]
    );
    assert_eq!(monthly["time_zone"], "Asia/Kolkata");
    assert_eq!(monthly["totals"]["tokens"]["output"], 63);
    assert_eq!(monthly["totals"]["entries"], 6);
    // since and until are local days, both included; 20260105 is ccusage's spelling.
    let window = report(
        &w,
        &[
            "daily",
            "--timezone",
            "Asia/Kathmandu",
            "--since",
            "20260105",
            "--until",
            "2026-03-07",
        ],
    );
    assert_eq!(
        periods(&window, "daily"),
        [p("2026-01-05", 2, 6)],
        "04:30 UTC on March 8th is 10:15 on the 8th in Kathmandu: after --until"
    );
    // The table: ccusage's columns, the local days, the totals.
    let table = w.ok_cmd(
        w.cmd(&["logs", "daily", "--timezone", "Asia/Kolkata"])
            .env_remove("COSTLEDGER_MASTER_KEY"),
    );
    for text in [
        "Cache Create",
        "Cache Read",
        "Total Tokens",
        "Cost (USD)",
        "2026-01-05",
        "sonnet-4-5",
        "Asia/Kolkata",
        "Total",
    ] {
        assert!(table.contains(text), "{text} in\n{table}");
    }
}

#[test]
fn breakdown_project_order_and_unpriced_models() {
    let (w, _) = logs_world(|logs| {
        write(
            &logs.join("-home-app").join("s1.jsonl"),
            &[
                line("s1", "a", SONNET, 1_000_000, "2026-01-05T10:00:00Z"),
                line("s1", "b", "claude-imaginary-9", 5, "2026-01-05T11:00:00Z"),
            ],
        );
        write(
            &logs.join("-home-api").join("s2.jsonl"),
            &[line("s2", "c", SONNET, 2, "2026-01-06T10:00:00Z")],
        );
    });
    let all = report(&w, &["daily", "--order", "desc"]);
    assert_eq!(
        periods(&all, "daily"),
        [p("2026-01-06", 1, 2), p("2026-01-05", 2, 1_000_005)],
        "newest first"
    );
    let day = &all["daily"][1]["usage"];
    assert_eq!(day["missing_prices"][0], "claude-imaginary-9");
    let sonnet = day["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model"] == SONNET)
        .unwrap();
    // Sonnet 4.5: $3/M input, $3.75/M 5-minute cache writes, $0.30/M cache reads, $15/M output.
    let expected = 100 * 3_000 + 1_000 * 3_750 + 20_000 * 300 + 1_000_000 * 15_000;
    assert_eq!(nanos(&sonnet["estimated_cost"]), expected);
    assert_eq!(
        nanos(&day["estimated_cost"]),
        expected,
        "no price is not $0"
    );
    assert!(all["totals"]["missing_prices"][0] == "claude-imaginary-9");
    // The breakdown names the unpriced model, with "no price" where its cost would be.
    let table = w.ok_cmd(
        w.cmd(&["logs", "daily", "--breakdown"])
            .env_remove("COSTLEDGER_MASTER_KEY"),
    );
    let unpriced = table
        .lines()
        .find(|l| l.contains("└ claude-imaginary-9"))
        .unwrap_or_else(|| panic!("a breakdown line:\n{table}"));
    assert!(unpriced.contains("no price"), "{unpriced}");
    assert!(table.contains("└ claude-sonnet-4-5-20250929"), "{table}");
    assert!(
        table.contains("no price for claude-imaginary-9"),
        "the footnote names it:\n{table}"
    );
    // A project's entries only, in every report.
    let api = report(&w, &["monthly", "--project", "-home-api"]);
    assert_eq!(periods(&api, "monthly"), [p("2026-01", 1, 2)]);
    let sessions = report(&w, &["session", "--project", "-home-app"]);
    assert_eq!(sessions["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(sessions["sessions"][0]["session"], "s1");
    // Sessions in order of last activity, oldest first by default.
    let sessions = report(&w, &["session"]);
    let names: Vec<&str> = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["session"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["s1", "s2"]);
}

#[test]
fn blocks_show_the_burn_rate_and_projection_of_the_active_block() {
    // The world's clock reads 2026-11-20T15:00:00Z: a block from 13:00 runs until 18:00.
    let (w, _) = logs_world(|logs| {
        write(
            &logs.join("-home-app").join("s1.jsonl"),
            &[
                line("s1", "a", SONNET, 10, "2026-11-20T08:00:00Z"),
                line("s1", "b", SONNET, 1_000, "2026-11-20T13:30:00Z"),
                line("s1", "c", SONNET, 2_000, "2026-11-20T14:30:00Z"),
            ],
        );
    });
    let v = report(&w, &["blocks"]);
    let blocks = v["blocks"].as_array().unwrap();
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0]["active"], false);
    assert!(blocks[0]["projection"].is_null());
    let b = &blocks[1];
    assert_eq!(b["start"], "2026-11-20T13:00:00Z");
    assert_eq!(b["active"], true);
    // 2 entries of 21 100 input-side tokens and 3 000 output tokens over one hour.
    let tokens = 2 * 21_100 + 3_000;
    assert_eq!(b["burn_rate"]["tokens_per_minute"], tokens / 60);
    let cost = nanos(&b["usage"]["estimated_cost"]);
    assert_eq!(nanos(&b["burn_rate"]["cost_per_hour"]), cost);
    // Three hours left at that rate: four times what it used.
    assert_eq!(b["projection"]["remaining_minutes"], 180);
    assert_eq!(b["projection"]["tokens"], 4 * tokens);
    assert_eq!(nanos(&b["projection"]["estimated_cost"]), 4 * cost);
    // In Kolkata the blocks start at 13:30 and 18:30 local time.
    let table = w.ok_cmd(
        w.cmd(&["logs", "blocks", "--timezone", "Asia/Kolkata"])
            .env_remove("COSTLEDGER_MASTER_KEY"),
    );
    for text in [
        "2026-11-20 13:30",
        "2026-11-20 18:30",
        "ACTIVE",
        "burn rate",
        "projected",
    ] {
        assert!(table.contains(text), "{text} in\n{table}");
    }
}

#[test]
fn bad_options_and_missing_plans_are_clear_errors() {
    let w = World::new(1, 1);
    // Refused before the database is opened: no file is created.
    let stderr = w.fails(
        &["logs", "daily", "--timezone", "Mars/Olympus"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(stderr.contains("IANA time zone"), "{stderr}");
    w.fails(
        &[
            "logs",
            "daily",
            "--since",
            "2026-02-01",
            "--until",
            "2026-01-01",
        ],
        exit::USAGE,
        "INVALID_INPUT",
    );
    w.fails(
        &["logs", "weekly", "--since", "Jan 5"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(!w.path("ledger.db").exists(), "nothing was opened");
    let stderr = w.fails(&["logs", "daily"], exit::USAGE, "INVALID_INPUT");
    assert!(
        stderr.contains("--claude-code-logs"),
        "the hint says how: {stderr}"
    );
    // An Admin API plan is not a logs plan.
    w.add_plans(1);
    let stderr = w.fails(
        &["logs", "daily", "--plan", "1"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(stderr.contains("claude_code_logs plan"), "{stderr}");
    w.fails(
        &["logs", "blocks", "--plan", "9"],
        exit::NOT_FOUND,
        "PLAN_NOT_FOUND",
    );
}

#[test]
fn a_logs_only_ledger_needs_no_master_key_and_warns_of_skipped_lines() {
    let (w, logs) = logs_world(|logs| {
        write(
            &logs.join("-home-app").join("s1.jsonl"),
            &[line("s1", "a", SONNET, 5, "2026-11-19T10:00:00Z")],
        );
    });
    // plans add, sync and the reports ran without COSTLEDGER_MASTER_KEY (logs_world).
    assert_eq!(
        periods(&report(&w, &["daily"]), "daily"),
        [p("2026-11-19", 1, 5)]
    );
    // A line that mentions usage but is not JSON: the sync table warns, it does not say ok.
    let file = logs.join("-home-app").join("s1.jsonl");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("{\"usage\": not json\n");
    text.push_str(&line("s1", "b", SONNET, 7, "2026-11-19T11:00:00Z"));
    std::fs::write(&file, text).unwrap();
    let out = w.ok_cmd(w.cmd(&["sync"]).env_remove("COSTLEDGER_MASTER_KEY"));
    assert!(out.contains("warning [LOG_LINES_SKIPPED]"), "{out}");
    assert!(out.contains("skipped 1 malformed line"), "{out}");
    assert!(
        !out.lines().any(|l| l.contains("Max") && l.contains(" ok ")),
        "not a plain ok:\n{out}"
    );
    assert_eq!(
        periods(&report(&w, &["daily"]), "daily"),
        [p("2026-11-19", 2, 12)],
        "everything else was synced"
    );
    // The dashboard of a logs-only ledger leaves out what logs cannot have, and points to
    // the per-request reports.
    let out = w.ok_cmd(
        w.cmd(&["report", "dashboard", "--period", "2026-11"])
            .env_remove("COSTLEDGER_MASTER_KEY"),
    );
    for section in ["Per plan", "Per model", "estimated from Claude Code's logs"] {
        assert!(out.contains(section), "{section} in:\n{out}");
    }
    for absent in [
        "Per workspace",
        "Top users",
        "billed",
        "Billed",
        "Console",
        "priority tier",
    ] {
        assert!(!out.contains(absent), "no {absent} in:\n{out}");
    }
    assert!(out.contains("`costledger logs daily --plan 1`"), "{out}");
}

#[test]
fn history_outlives_deleted_logs_and_rewritten_files_are_read_again() {
    let old = |id: &str, output: i64, at: &str| line("old", id, SONNET, output, at);
    let (w, logs) = logs_world(|logs| {
        write(
            &logs.join("-home-app").join("old.jsonl"),
            &[
                old("a", 1, "2026-10-01T10:00:00Z"),
                old("b", 2, "2026-10-02T10:00:00Z"),
            ],
        );
        write(
            &logs.join("-home-app").join("new.jsonl"),
            &[line("new", "c", SONNET, 4, "2026-11-19T10:00:00Z")],
        );
    });
    let days = || periods(&report(&w, &["daily"]), "daily");
    let before = days();
    assert_eq!(
        before,
        [
            p("2026-10-01", 1, 1),
            p("2026-10-02", 1, 2),
            p("2026-11-19", 1, 4)
        ]
    );
    // Claude Code deletes sessions older than cleanupPeriodDays (30 by default): the
    // ledger keeps what it synced from them, also when a new session's file takes over the
    // deleted file's inode (file systems reuse them) and others are written meanwhile.
    std::fs::remove_file(logs.join("-home-app").join("old.jsonl")).unwrap();
    w.ok_cmd(w.cmd(&["sync"]).env_remove("COSTLEDGER_MASTER_KEY"));
    assert_eq!(days(), before, "the deleted file's days stay");
    write(
        &logs.join("-home-app").join("next.jsonl"),
        &[line("next", "e", SONNET, 16, "2026-11-19T12:00:00Z")],
    );
    w.ok_cmd(w.cmd(&["sync"]).env_remove("COSTLEDGER_MASTER_KEY"));
    assert_eq!(
        days(),
        [
            p("2026-10-01", 1, 1),
            p("2026-10-02", 1, 2),
            p("2026-11-19", 2, 20)
        ]
    );
    // A file truncated and written again in place is read again as it is now: its old
    // entries are replaced, not added to.
    write(
        &logs.join("-home-app").join("new.jsonl"),
        &[line("new", "d", SONNET, 80, "2026-11-20T10:00:00Z")],
    );
    w.ok_cmd(w.cmd(&["sync"]).env_remove("COSTLEDGER_MASTER_KEY"));
    assert_eq!(
        days(),
        [
            p("2026-10-01", 1, 1),
            p("2026-10-02", 1, 2),
            p("2026-11-19", 1, 16),
            p("2026-11-20", 1, 80)
        ]
    );
}

/// An assistant line with the given usage fields (JSON without braces) and top-level extras.
fn usage_line(id: &str, model: &str, at: &str, usage: &str, extra: &str) -> String {
    format!(
        "{{\"isSidechain\":false,\"sessionId\":\"s1\",\"requestId\":\"r{id}\",{extra}\
         \"type\":\"assistant\",\"timestamp\":\"{at}\",\"message\":{{\"id\":\"m{id}\",\
         \"model\":\"{model}\",\"usage\":{{{usage}}}}}}}\n"
    )
}

/// The cost of each model per day, in nanodollars, and the total.
fn model_costs(v: &Value) -> (Vec<(String, String, i64)>, i64) {
    let mut out = Vec::new();
    for day in v["daily"].as_array().unwrap() {
        for m in day["usage"]["models"].as_array().unwrap() {
            out.push((
                day["period"].as_str().unwrap().to_string(),
                m["model"].as_str().unwrap().to_string(),
                nanos(&m["estimated_cost"]),
            ));
        }
    }
    (out, nanos(&v["totals"]["estimated_cost"]))
}

#[test]
fn cost_modes_fast_mode_and_long_context_requests() {
    let (w, _) = logs_world(|logs| {
        write(
            &logs.join("-home-app").join("s1.jsonl"),
            &[
                // Opus 4.6 in fast mode: $30/M in, $150/M out.
                usage_line(
                    "a",
                    "claude-opus-4-6",
                    "2026-03-02T10:00:00Z",
                    r#""input_tokens":10000,"output_tokens":2000,"speed":"fast""#,
                    "",
                ),
                // Sonnet 4.5, 200,001 input tokens with the cache reads: all at long-context
                // rates ($6/M in, $0.60/M reads, $22.50/M out).
                usage_line(
                    "b",
                    SONNET,
                    "2026-03-02T11:00:00Z",
                    r#""input_tokens":1,"cache_read_input_tokens":200000,"output_tokens":1000"#,
                    "",
                ),
                // 199,999 input tokens: standard rates ($3, $0.30, $15).
                usage_line(
                    "c",
                    SONNET,
                    "2026-03-03T11:00:00Z",
                    r#""input_tokens":1,"cache_read_input_tokens":199998,"output_tokens":1000"#,
                    "",
                ),
                // A line with Claude Code's own costUSD ($0.006 at list prices).
                usage_line(
                    "d",
                    "claude-haiku-4-5",
                    "2026-03-03T12:00:00Z",
                    r#""input_tokens":1000,"output_tokens":1000"#,
                    "\"costUSD\":0.5,",
                ),
            ],
        );
    });
    let (fast, long, standard, haiku) = (600_000_000, 142_506_000, 75_002_400, 6_000_000);
    let row = |day: &str, model: &str, cost: i64| (day.to_string(), model.to_string(), cost);
    let calculated = report(&w, &["daily", "--cost-mode", "calculate"]);
    assert_eq!(calculated["cost_mode"], "calculate");
    assert_eq!(
        model_costs(&calculated),
        (
            vec![
                row("2026-03-02", "claude-opus-4-6", fast),
                row("2026-03-02", SONNET, long),
                row("2026-03-03", "claude-haiku-4-5", haiku),
                row("2026-03-03", SONNET, standard),
            ],
            fast + long + standard + haiku
        )
    );
    // auto (the default): the line's costUSD where it has one, else calculated.
    for args in [&["daily"][..], &["daily", "--cost-mode", "auto"]] {
        let auto = report(&w, args);
        assert_eq!(auto["cost_mode"], "auto");
        assert_eq!(model_costs(&auto).1, fast + long + standard + 500_000_000);
    }
    // display: only the logs' costUSD, $0 without one.
    let display = report(&w, &["monthly", "--cost-mode", "display"]);
    assert_eq!(nanos(&display["totals"]["estimated_cost"]), 500_000_000);
    let sessions = report(&w, &["session", "--cost-mode", "calculate"]);
    assert_eq!(
        nanos(&sessions["totals"]["estimated_cost"]),
        fast + long + standard + haiku
    );
    let blocks = report(&w, &["blocks", "--cost-mode", "display"]);
    assert_eq!(nanos(&blocks["totals"]["estimated_cost"]), 500_000_000);
    let table = w.ok_cmd(
        w.cmd(&["logs", "daily", "--cost-mode", "display"])
            .env_remove("COSTLEDGER_MASTER_KEY"),
    );
    assert!(table.contains("costUSD Claude Code wrote"), "{table}");
    let bad = w
        .cmd(&["logs", "daily", "--cost-mode", "cheap"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(exit::USAGE), "{bad:?}");
}
